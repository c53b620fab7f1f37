/*
 * The native engine: kernpool's own packed kernels (native.h) for every
 * type, the complex ones as real products of twice the size (below).
 * Chosen where the CPU runs AVX-512 (engines.c). Small products skip
 * packing: the direct kernels read B, and a real A not transposed, where
 * they lie, with the same arithmetic, so the same bits.
 *
 * Work space. A tile packs its panels (a direct one with A in place packs
 * nothing) into 2 MiB of the calling thread's own, allocated at its first
 * tile and kept until the thread exits (a pthread key frees it): a pool
 * thread or an application thread pays the allocation and its page faults
 * once, not per call. kp__gemm_run reserves the caller's before any tile
 * runs (unless every tile runs direct with A in place: a thread making only
 * such products never has one), so a product whose caller cannot have one
 * fails with KP_ENOMEM and writes nothing; a helper that cannot have one
 * leaves its tiles to the caller (partition.c), which computes the same
 * bits.
 */
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/gemm/gemm.h"
#include "kernels/gemm/native.h"

#define WORK KP_GEMM_NATIVE_WORK

static pthread_key_t key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static int key_made;

static void key_make(void)
{
    key_made = pthread_key_create(&key, free) == 0;
}

/* Tests: forced failures (gemm.h). A thread that reserved is the caller of
 * a product: the tile hook spares it, as a real shortage would. */
static atomic_int fail_reserves, fail_tiles;
static _Thread_local int reserved;

int kp__gemm_native_fail(int reserves, int tiles)
{
    atomic_store(&fail_reserves, reserves > 0 ? reserves : 0);
    return atomic_exchange(&fail_tiles, tiles > 0 ? tiles : 0);
}

/* Tests: the direct kernels forced on (1) or off (0), or by rule (-1), and
 * how many tiles ran on them while forced (gemm.h): counted only then, so
 * that products never share the counter's cache line. (A thread-local
 * count instead crashed LeakSanitizer's scan at exit in a module loaded
 * with dlopen: tests/foreign_gemm_module.c.) */
static int direct_forced = -1;
static atomic_ulong direct_tiles;

int kp__gemm_native_direct_force(int mode)
{
    int old = direct_forced;
    direct_forced = mode < 0 ? -1 : mode > 0;
    return old;
}

unsigned long kp__gemm_native_direct_tiles(void)
{
    return atomic_exchange(&direct_tiles, 0);
}

static int forced_failure(atomic_int *count)
{
    int left = atomic_load_explicit(count, memory_order_relaxed);
    while (left > 0)
        if (atomic_compare_exchange_weak(count, &left, left - 1)) return 1;
    return 0;
}

/* The calling thread's work space: WORK bytes, 64-byte aligned (a whole
 * huge page); NULL if it has none and none can be allocated. */
static char *work_space(void)
{
    _Static_assert(WORK % KP_HUGE_PAGE == 0, "kp__huge_alloc aligns whole huge pages only");
    pthread_once(&key_once, key_make);
    if (!key_made) return NULL;
    char *work = pthread_getspecific(key);
    if (work != NULL) return work;
    work = kp__huge_alloc(WORK);
    if (work != NULL && pthread_setspecific(key, work) != 0) {
        free(work);
        work = NULL;
    }
    return work;
}

/* The driver: x86-64 only, where the kernels are (elsewhere the engine is
 * never chosen). */
#if defined(__x86_64__)
static size_t least(size_t x, size_t y)
{
    return x < y ? x : y;
}

/* A tile's operands. A complex product runs as a real one (the 1m method
 * of Van Zee and van de Geijn, "Implementing high-performance complex
 * matrix multiplication via the 1m method", SIAM J. Sci. Comput. 42(5),
 * 2020): C seen as a real matrix of 2m rows, op(B) as one of 2k rows
 * (each element's real part, then its imaginary part), and op(A) expanded
 * to 2m x 2k, element a in the block [re -im; im re]. The real kernels then
 * compute it unchanged: f = 2 real rows and steps per element. alpha is
 * folded into the expanded A, beta applied to C before the first block. */
typedef struct tile_ops {
    kp__gemm_type t;
    const kp__gemm_native_kernels *K;
    size_t f, res, es; /* reals per element, bytes per real, per element */
    kp_trans ta, tb;
    const char *a, *b;
    size_t lda, ldb;
    const void *alpha;
} tile_ops;

static double real_at(const tile_ops *o, const char *p, size_t idx)
{
    return o->res == 4 ? (double)((const float *)p)[idx] : ((const double *)p)[idx];
}

static void real_put(const tile_ops *o, void *p, size_t idx, double v)
{
    if (o->res == 4)
        ((float *)p)[idx] = (float)v;
    else
        ((double *)p)[idx] = v;
}

/* op(X)(r, l) of a column-major complex X as (re, im), conjugated for
 * KP_CONJ_TRANS. */
static void complex_at(const tile_ops *o, const char *x, size_t ld, kp_trans t, size_t r, size_t l,
                       double *re, double *im)
{
    size_t idx = 2 * (t == KP_NO_TRANS ? r + l * ld : l + r * ld);
    *re = real_at(o, x, idx);
    *im = t == KP_CONJ_TRANS ? -real_at(o, x, idx + 1) : real_at(o, x, idx + 1);
}

/* The sliver of rows i0 .. i0 + h - 1 and steps l0 .. l0 + kc - 1 of op(A),
 * as the kernels' pack_a lays it out (complex: alpha op(A), expanded). */
static void pack_a(const tile_ops *o, size_t i0, size_t l0, size_t h, size_t kc, char *dst)
{
    const size_t mr = o->K->mr;
    if (o->f == 1) {
        const size_t ai = o->ta == KP_NO_TRANS ? 1 : o->lda, al = o->ta == KP_NO_TRANS ? o->lda : 1;
        o->K->pack_a(kc, h, o->a + (i0 * ai + l0 * al) * o->es, ai, al, dst);
        return;
    }
    if (o->ta == KP_NO_TRANS) {
        o->K->pack_a_complex(kc, h, o->a + (i0 + l0 * o->lda) * o->es, o->lda, o->alpha, dst);
        return;
    }
    /* As pack_a_complex does it, in the type's precision. */
    const double ar = real_at(o, o->alpha, 0), ai = real_at(o, o->alpha, 1);
    for (size_t l = 0; l < kc; l++)
        for (size_t i = 0; i < mr / 2; i++) {
            double xr = 0, xi = 0;
            if (i < h) {
                double yr, yi;
                complex_at(o, o->a, o->lda, o->ta, i0 + i, l0 + l, &yr, &yi);
                if (ai == 0 && o->res == 4) {
                    xr = (float)ar * (float)yr;
                    xi = (float)ar * (float)yi;
                } else if (ai == 0) {
                    xr = ar * yr;
                    xi = ar * yi;
                } else if (o->res == 4) {
                    xr = (float)((float)ar * (float)yr) - (float)((float)ai * (float)yi);
                    xi = (float)((float)ar * (float)yi) + (float)((float)ai * (float)yr);
                } else {
                    xr = ar * yr - ai * yi;
                    xi = ar * yi + ai * yr;
                }
            }
            real_put(o, dst, (2 * l) * mr + 2 * i, xr);
            real_put(o, dst, (2 * l) * mr + 2 * i + 1, xi);
            real_put(o, dst, (2 * l + 1) * mr + 2 * i, -xi);
            real_put(o, dst, (2 * l + 1) * mr + 2 * i + 1, xr);
        }
}

/* The sliver of steps l0 .. l0 + kc - 1 and columns j0 .. j0 + w - 1 of
 * op(B), as the kernels' pack_b lays it out (complex: real parts at even
 * steps, imaginary at odd). */
static void pack_b(const tile_ops *o, size_t l0, size_t j0, size_t w, size_t kc, char *dst)
{
    const size_t nr = o->K->nr;
    const size_t bl = o->tb == KP_NO_TRANS ? 1 : o->ldb, bj = o->tb == KP_NO_TRANS ? o->ldb : 1;
    if (o->f == 1) {
        o->K->pack_b(kc, w, o->b + (l0 * bl + j0 * bj) * o->es, bj, bl, dst);
        return;
    }
    if (o->tb == KP_NO_TRANS) { /* a column's reals are its steps, in order */
        o->K->pack_b(2 * kc, w, o->b + (l0 + j0 * o->ldb) * o->es, 2 * o->ldb, 1, dst);
        return;
    }
    for (size_t l = 0; l < kc; l++)
        for (size_t j = 0; j < nr; j++) {
            double yr = 0, yi = 0;
            if (j < w) complex_at(o, o->b, o->ldb, o->tb, l0 + l, j0 + j, &yr, &yi);
            real_put(o, dst, (2 * l) * nr + j, yr);
            real_put(o, dst, (2 * l + 1) * nr + j, yi);
        }
}

/* Whether a tile runs on the direct kernels (native.h): k within one
 * block, op(B) read where it lies (a complex one not transposed: its reals
 * are then the steps), A too where it is real and not transposed. Packing
 * costs about 1/m + 1/n of the products' time; the direct kernels lose
 * instead where A or B streams from beyond the level-2 cache, or A's
 * columns, read with stride lda, conflict in the level-1 one. Measured on
 * Zen 5, one thread, direct against packed: dgemm 1.2x at n = 64 to 160,
 * 1.1x at 192, 1.04x at 256, 0.86x at 512 x 512 x 64, 0.6x at
 * 1024 x 256 x 256 (A 2 MiB); sgemm 1.07x at 64, 1.16x at 128, 1.04x at
 * 256; A packed (transposed) 1.03-1.08x for both from n = 32 to 256;
 * zgemm and cgemm 1.03-1.08x up to n = 64, level at 96 and 128. So: where
 * m n / (m + n), the rows counted in reals, is at most 96 doubles or 192
 * floats and A and B hold at most 512 KiB each. */
static int use_direct(const tile_ops *o, size_t m, size_t n, size_t k)
{
    const size_t side = o->res == 8 ? 96 : 192, most = (size_t)512 << 10, rows = m * o->f;
    if (k * o->f > o->K->kc || (o->f == 2 && o->tb != KP_NO_TRANS)) return 0;
    if (direct_forced >= 0) return direct_forced;
    if (m * k * o->es > most || k * n * o->es > most) return 0;
    return rows * n <= side * (rows + n);
}

/* 1 in the kernels' type. */
static const void *one(const tile_ops *o)
{
    static const double one_d = 1;
    static const float one_s = 1;
    return o->res == 8 ? (const void *)&one_d : (const void *)&one_s;
}

/* A tile on the direct kernels: op(B) read where it lies, and A too for a
 * real op(A) = A; else A packed, mc rows at a time (transposed, or complex:
 * expanded with alpha folded in, beta applied to C first, as tile() does).
 * Counted in reals: f per element. Pieces of mr x nr down each column of
 * pieces: A is read once per nr columns, a sliver of B stays in the
 * level-1 cache. */
static int direct(const tile_ops *o, size_t m, size_t n, size_t k, const void *beta, char *c,
                  size_t ldc)
{
    const kp__gemm_native_kernels *K = o->K;
    const size_t f = o->f, res = o->res, es = o->es, mr = K->mr / f, nr = K->nr, steps = k * f;
    const int packed = f == 2 || o->ta != KP_NO_TRANS;
    char *pa = NULL;
    if (packed) {
        pa = !reserved && forced_failure(&fail_tiles) ? NULL : work_space();
        if (pa == NULL) return KP_ENOMEM;
    }
    if (direct_forced >= 0) atomic_fetch_add_explicit(&direct_tiles, 1, memory_order_relaxed);
    /* Step l of column j of op(B) at real l bl + j bj; a complex op(B) is
     * not transposed here (use_direct), so its reals are the steps. */
    const size_t bl = o->tb == KP_NO_TRANS ? 1 : o->ldb;
    const size_t bj = o->tb == KP_NO_TRANS ? f * o->ldb : 1;
    const void *alpha = o->alpha;
    if (f == 2) {
        kp__gemm_scale(o->t, m, n, beta, c, ldc);
        alpha = beta = one(o);
    }
    const size_t mcb = packed ? K->mc / f : m, lda = packed ? K->mr : o->lda;
    for (size_t ic = 0; ic < m; ic += mcb) {
        const size_t mc = least(m - ic, mcb);
        for (size_t ir = 0; packed && ir < mc; ir += mr)
            pack_a(o, ic + ir, 0, least(mc - ir, mr), k, pa + ir * f * steps * res);
        for (size_t jr = 0; jr < n; jr += nr)
            for (size_t ir = 0; ir < mc; ir += mr) {
                const char *a = packed ? pa + ir * f * steps * res : o->a + (ic + ir) * es;
                K->direct(steps, least(mc - ir, mr) * f, least(n - jr, nr), a, lda,
                          o->b + jr * bj * res, bl, bj, alpha, beta, c + (ic + ir + jr * ldc) * es,
                          ldc * f);
            }
    }
    return KP_OK;
}

/* One tile (native.h's loops), counted in elements of the tile's type:
 * slivers of mr / f rows, blocks of kc / f steps. */
static int tile(const tile_ops *o, size_t m, size_t n, size_t k, const void *beta, char *c,
                size_t ldc)
{
    if (use_direct(o, m, n, k)) return direct(o, m, n, k, beta, c, ldc);
    char *work = !reserved && forced_failure(&fail_tiles) ? NULL : work_space();
    if (work == NULL) return KP_ENOMEM;
    const kp__gemm_native_kernels *K = o->K;
    const size_t f = o->f, res = o->res, es = o->es;
    const size_t mr = K->mr / f, nr = K->nr, kcb = K->kc / f, mcb = K->mc / f, ncb = K->nc;
    char *pa = work, *pb = pa + K->mc * K->kc * res, *edge = pb + K->kc * K->nc * res;
    /* Complex: alpha is in the packed A and beta applied first. */
    const void *alpha = f == 1 ? o->alpha : one(o);
    const int beta_zero = f == 1 && real_at(o, beta, 0) == 0;
    if (f == 2) kp__gemm_scale(o->t, m, n, beta, c, ldc);
    memset(edge, 0, K->mr * nr * res); /* its rows past an edge are computed, never kept */

    for (size_t jc = 0; jc < n; jc += ncb) {
        const size_t nc = least(n - jc, ncb);
        for (size_t lc = 0; lc < k; lc += kcb) {
            const size_t kc = least(k - lc, kcb), steps = kc * f;
            const void *be = lc == 0 && f == 1 ? beta : one(o);
            const int read_c = lc > 0 || !beta_zero;
            for (size_t jr = 0; jr < nc; jr += nr)
                pack_b(o, lc, jc + jr, least(nc - jr, nr), kc, pb + jr * steps * res);
            for (size_t ic = 0; ic < m; ic += mcb) {
                const size_t mc = least(m - ic, mcb);
                for (size_t ir = 0; ir < mc; ir += mr)
                    pack_a(o, ic + ir, lc, least(mc - ir, mr), kc, pa + ir * f * steps * res);
                for (size_t jr = 0; jr < nc; jr += nr) {
                    const size_t w = least(nc - jr, nr);
                    for (size_t ir = 0; ir < mc; ir += mr) {
                        const size_t h = least(mc - ir, mr);
                        const char *sa = pa + ir * f * steps * res, *sb = pb + jr * steps * res;
                        char *cc = c + (ic + ir + (jc + jr) * ldc) * es;
                        if (h == mr && w == nr) {
                            K->micro(steps, sa, sb, alpha, be, cc, ldc * f);
                            continue;
                        }
                        /* A piece on the edge of C: the same kernel on a copy. */
                        if (read_c)
                            for (size_t j = 0; j < w; j++)
                                memcpy(edge + j * K->mr * res, cc + j * ldc * es, h * es);
                        K->micro(steps, sa, sb, alpha, be, edge, K->mr);
                        for (size_t j = 0; j < w; j++)
                            memcpy(cc + j * ldc * es, edge + j * K->mr * res, h * es);
                    }
                }
            }
        }
    }
    return KP_OK;
}

/* Float and complex float run the float kernels, double and complex
 * double the double ones. */
static tile_ops ops(kp__gemm_type t, kp_trans ta, kp_trans tb, const void *alpha, const void *a,
                    size_t lda, const void *b, size_t ldb)
{
    const int single = t == KP_GEMM_S || t == KP_GEMM_C;
    const size_t f = t == KP_GEMM_C || t == KP_GEMM_Z ? 2 : 1, res = single ? 4 : 8;
    return (tile_ops){.t = t,
                      .K = &kp__gemm_native_avx512[single ? KP_GEMM_S : KP_GEMM_D],
                      .f = f,
                      .res = res,
                      .es = f * res,
                      .ta = ta,
                      .tb = tb,
                      .a = a,
                      .b = b,
                      .lda = lda,
                      .ldb = ldb,
                      .alpha = alpha};
}

static int run(kp__gemm_type t, kp_trans ta, kp_trans tb, size_t m, size_t n, size_t k,
               const void *alpha, const void *a, size_t lda, const void *b, size_t ldb,
               const void *beta, void *c, size_t ldc)
{
    const tile_ops o = ops(t, ta, tb, alpha, a, lda, b, ldb);
    return tile(&o, m, n, k, beta, c, ldc);
}

static int sgemm(kp_trans ta, kp_trans tb, size_t m, size_t n, size_t k, const void *alpha,
                 const void *a, size_t lda, const void *b, size_t ldb, const void *beta, void *c,
                 size_t ldc)
{
    return run(KP_GEMM_S, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

static int dgemm(kp_trans ta, kp_trans tb, size_t m, size_t n, size_t k, const void *alpha,
                 const void *a, size_t lda, const void *b, size_t ldb, const void *beta, void *c,
                 size_t ldc)
{
    return run(KP_GEMM_D, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

static int cgemm(kp_trans ta, kp_trans tb, size_t m, size_t n, size_t k, const void *alpha,
                 const void *a, size_t lda, const void *b, size_t ldb, const void *beta, void *c,
                 size_t ldc)
{
    return run(KP_GEMM_C, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

static int zgemm(kp_trans ta, kp_trans tb, size_t m, size_t n, size_t k, const void *alpha,
                 const void *a, size_t lda, const void *b, size_t ldb, const void *beta, void *c,
                 size_t ldc)
{
    return run(KP_GEMM_Z, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
#endif

/* Whether p's tiles may pack. Not when they all run direct with A in
 * place: use_direct holds for every tile if it holds for p (its bounds
 * only grow with m and n, and m n / (m + n) does). */
static int may_pack(const kp__gemm_problem *p)
{
#if defined(__x86_64__)
    if ((p->type == KP_GEMM_S || p->type == KP_GEMM_D) && p->ta == KP_NO_TRANS) {
        const tile_ops o = ops(p->type, p->ta, p->tb, p->alpha, p->a, p->lda, p->b, p->ldb);
        return !use_direct(&o, p->m, p->n, p->k);
    }
#else
    (void)p;
#endif
    return 1;
}

static int reserve(const kp__gemm_problem *p)
{
    if (!may_pack(p)) return KP_OK; /* no work space needed */
    if (forced_failure(&fail_reserves)) return KP_ENOMEM;
    if (work_space() == NULL) return KP_ENOMEM;
    reserved = 1;
    return KP_OK;
}

int kp__gemm_native_available(void)
{
#if defined(__x86_64__)
    pthread_once(&key_once, key_make); /* without a key, no work space */
    return key_made && kp__isa_selected() == KP_ISA_AVX512;
#else
    return 0;
#endif
}

static const char *core(void)
{
    return "AVX-512";
}

static int threads(void)
{
    return 1;
}

const kp__gemm_engine kp__gemm_native = {
    .name = "native",
    .max_index = INT_MAX,   /* as OpenBLAS's: kp_?gemm's limits do not depend on the CPU */
    .tile_work = 96 * 1024, /* partition.c */
    .quarters = 0,
    .reserve = reserve,
#if defined(__x86_64__)
    .tile = {sgemm, dgemm, cgemm, zgemm},
#else
    .tile = {NULL, NULL, NULL, NULL}, /* never chosen there */
#endif
    .core = core,
    .threads = threads,
};
