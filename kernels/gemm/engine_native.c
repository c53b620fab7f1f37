/*
 * The native engine: kernpool's own packed kernels for float and double
 * (native.h), OpenBLAS for the complex types. Chosen where the CPU runs
 * AVX-512 (engines.c).
 *
 * Work space. A tile packs its panels into 2 MiB of the calling thread's
 * own, allocated at its first tile and kept until the thread exits (a
 * pthread key frees it): a pool thread or an application thread pays the
 * allocation and its page faults once, not per call. kp__gemm_run reserves
 * the caller's before any tile runs, so a product whose caller cannot have
 * one fails with KP_ENOMEM and writes nothing; a helper that cannot have
 * one leaves its tiles to the caller (partition.c), which computes the same
 * bits.
 */
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
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

/* The complex types run OpenBLAS, which needs none. */
static int reserve(kp__gemm_type type)
{
    if (type == KP_GEMM_C || type == KP_GEMM_Z) return KP_OK;
    if (forced_failure(&fail_reserves)) return KP_ENOMEM;
    if (work_space() == NULL) return KP_ENOMEM;
    reserved = 1;
    return KP_OK;
}

static size_t least(size_t x, size_t y)
{
    return x < y ? x : y;
}

/* One tile of a real type t with the kernels K (native.h's loops). */
static int tile_real(kp__gemm_type t, const kp__gemm_native_kernels *K, kp_trans ta, kp_trans tb,
                     size_t m, size_t n, size_t k, const void *alpha, const char *a, size_t lda,
                     const char *b, size_t ldb, const void *beta, char *c, size_t ldc)
{
    char *work = !reserved && forced_failure(&fail_tiles) ? NULL : work_space();
    if (work == NULL) return KP_ENOMEM;
    const size_t es = kp__gemm_elem(t), mr = K->mr, nr = K->nr;
    char *pa = work, *pb = pa + K->mc * K->kc * es, *edge = pb + K->kc * K->nc * es;
    /* op(A)(i, l) is element i ai + l al of a; op(B)(l, j) is l bl + j bj. */
    const size_t ai = ta == KP_NO_TRANS ? 1 : lda, al = ta == KP_NO_TRANS ? lda : 1;
    const size_t bl = tb == KP_NO_TRANS ? 1 : ldb, bj = tb == KP_NO_TRANS ? ldb : 1;
    static const double one_d = 1;
    static const float one_s = 1;
    const void *one = t == KP_GEMM_D ? (const void *)&one_d : (const void *)&one_s;
    const int beta_zero = t == KP_GEMM_D ? *(const double *)beta == 0 : *(const float *)beta == 0;
    memset(edge, 0, mr * nr * es); /* its rows past an edge are computed, never kept */

    for (size_t jc = 0; jc < n; jc += K->nc) {
        const size_t nc = least(n - jc, K->nc);
        for (size_t lc = 0; lc < k; lc += K->kc) {
            const size_t kc = least(k - lc, K->kc);
            const void *be = lc == 0 ? beta : one;
            const int read_c = lc > 0 || !beta_zero;
            for (size_t jr = 0; jr < nc; jr += nr)
                K->pack_b(kc, least(nc - jr, nr), b + (lc * bl + (jc + jr) * bj) * es, bj, bl,
                          pb + jr * kc * es);
            for (size_t ic = 0; ic < m; ic += K->mc) {
                const size_t mc = least(m - ic, K->mc);
                for (size_t ir = 0; ir < mc; ir += mr)
                    K->pack_a(kc, least(mc - ir, mr), a + ((ic + ir) * ai + lc * al) * es, ai, al,
                              pa + ir * kc * es);
                for (size_t jr = 0; jr < nc; jr += nr) {
                    const size_t w = least(nc - jr, nr);
                    for (size_t ir = 0; ir < mc; ir += mr) {
                        const size_t h = least(mc - ir, mr);
                        const char *sa = pa + ir * kc * es, *sb = pb + jr * kc * es;
                        char *cc = c + (ic + ir + (jc + jr) * ldc) * es;
                        if (h == mr && w == nr) {
                            K->micro(kc, sa, sb, alpha, be, cc, ldc);
                            continue;
                        }
                        /* A piece on the edge of C: the same kernel on a copy. */
                        if (read_c)
                            for (size_t j = 0; j < w; j++)
                                memcpy(edge + j * mr * es, cc + j * ldc * es, h * es);
                        K->micro(kc, sa, sb, alpha, be, edge, mr);
                        for (size_t j = 0; j < w; j++)
                            memcpy(cc + j * ldc * es, edge + j * mr * es, h * es);
                    }
                }
            }
        }
    }
    return KP_OK;
}

#if defined(__x86_64__)
static int sgemm(kp_trans ta, kp_trans tb, size_t m, size_t n, size_t k, const void *alpha,
                 const void *a, size_t lda, const void *b, size_t ldb, const void *beta, void *c,
                 size_t ldc)
{
    return tile_real(KP_GEMM_S, &kp__gemm_native_avx512[KP_GEMM_S], ta, tb, m, n, k, alpha, a, lda,
                     b, ldb, beta, c, ldc);
}

static int dgemm(kp_trans ta, kp_trans tb, size_t m, size_t n, size_t k, const void *alpha,
                 const void *a, size_t lda, const void *b, size_t ldb, const void *beta, void *c,
                 size_t ldc)
{
    return tile_real(KP_GEMM_D, &kp__gemm_native_avx512[KP_GEMM_D], ta, tb, m, n, k, alpha, a, lda,
                     b, ldb, beta, c, ldc);
}
#endif

static int cgemm(kp_trans ta, kp_trans tb, size_t m, size_t n, size_t k, const void *alpha,
                 const void *a, size_t lda, const void *b, size_t ldb, const void *beta, void *c,
                 size_t ldc)
{
    return kp__gemm_openblas.tile[KP_GEMM_C](ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

static int zgemm(kp_trans ta, kp_trans tb, size_t m, size_t n, size_t k, const void *alpha,
                 const void *a, size_t lda, const void *b, size_t ldb, const void *beta, void *c,
                 size_t ldc)
{
    return kp__gemm_openblas.tile[KP_GEMM_Z](ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
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

/* "AVX-512; complex <OpenBLAS's core>". */
static char core_name[32];
static pthread_once_t core_once = PTHREAD_ONCE_INIT;

static void core_make(void)
{
    const char *complex = kp__gemm_openblas.core();
    snprintf(core_name, sizeof core_name, "AVX-512; complex %s", complex ? complex : "?");
}

static const char *core(void)
{
    pthread_once(&core_once, core_make);
    return core_name;
}

static int threads(void)
{
    return 1;
}

const kp__gemm_engine kp__gemm_native = {
    .name = "native",
    .max_index = INT_MAX, /* the complex types' OpenBLAS counts in int */
    .reserve = reserve,
#if defined(__x86_64__)
    .tile = {sgemm, dgemm, cgemm, zgemm},
#else
    .tile = {NULL, NULL, cgemm, zgemm}, /* never chosen there */
#endif
    .core = core,
    .threads = threads,
};
