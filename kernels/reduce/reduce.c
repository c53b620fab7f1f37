/*
 * The reductions' public entry points: argument checks, strided access,
 * the blocks and the pairwise tree over them, and the split over the pool.
 *
 * Blocks of KP_BLOCK elements are reduced by the selected kernels (reduce.h)
 * to one partial result each; partials are combined by the pairwise tree
 * T(N) = T(P) + T(N - P), P the largest power of two below N. The pool's
 * unit of work is a group of S = 2^s consecutive blocks, S the smallest that
 * makes at most MAX_UNITS groups (one group when the caller runs alone): for
 * any power of two S the tree's splits fall on group boundaries, so combining
 * each group, then the groups, gives the tree over all blocks whatever S is
 * and whatever thread ran which group. No allocation: the group results live
 * on the caller's stack.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "kernels/reduce/reduce.h"

#define MAX_UNITS 1024
/* Below this many blocks read (49152 elements; a dot product reads two
 * per block) the reduction runs on the caller. Measured for kp_dsum with
 * warm caches and the threshold lowered to find it: 2 threads lose 5% at
 * 32768 elements, win by 0-50% at 40960 and by 60% from 49152 on. */
#define PARALLEL_MIN_BLOCKS 12

typedef enum { R_SUM, R_DOT, R_ASUM, R_NRM2, R_MINMAX, R_MEANVAR } kind;

/* One block's (or subtree's) partial result. */
typedef union partial {
    double sum;
    struct {
        double ssq; /* sum of (x_i 2^-e)^2 */
        int e;
        int inf, nan;
    } nrm2;
    kp__extrema ext; /* indices are absolute */
    struct {
        double n, sum, m2; /* count, sum, squared deviations from sum / n */
    } mv;
} partial;

typedef struct vec {
    const void *base; /* lowest address */
    ptrdiff_t inc;    /* elements; BLAS meaning when negative */
} vec;

typedef struct job {
    kind k;
    int f32;
    size_t n;
    vec x, y;
    const kp__reduce_kernels *kern;
    size_t nblocks, group; /* blocks, and blocks per unit (a power of two) */
    partial *units;
} job;

/* ---------------------------------------------------------------- checks */

/* |inc| without overflow, PTRDIFF_MIN included. */
static size_t abs_inc(ptrdiff_t inc)
{
    return inc < 0 ? (size_t)0 - (size_t)inc : (size_t)inc;
}

/* The span (n - 1) |inc| elem must fit a ptrdiff_t. (A multiplication, not
 * a division: the check is on every call's path.) */
KP_MUST_USE static int check_span(size_t n, ptrdiff_t inc, size_t elem)
{
    size_t span;
    if (n > 1 &&
        (__builtin_mul_overflow(n - 1, abs_inc(inc), &span) || span > (size_t)PTRDIFF_MAX / elem))
        return KP_EOVERFLOW;
    return KP_OK;
}

KP_MUST_USE static int check_vec(size_t n, const void *x, ptrdiff_t inc, size_t elem)
{
    if (x == NULL && n > 0) return KP_ENULL;
    if (inc == 0) return KP_ESTRIDE;
    return check_span(n, inc, elem);
}

/* ------------------------------------------------------- blocks to partials */

/* Element i of a vector: x_i as in the header. */
static const char *addr(const vec *v, size_t n, size_t i, size_t elem)
{
    size_t pos = v->inc > 0 ? i : n - 1 - i;
    return (const char *)v->base + pos * abs_inc(v->inc) * elem;
}

/* A block's elements, contiguous: the data itself when the stride is 1, else
 * a copy in logical order into buf. */
static const void *block_data(const job *j, const vec *v, size_t begin, size_t m, void *buf)
{
    size_t elem = j->f32 ? sizeof(float) : sizeof(double);
    if (v->inc == 1) return addr(v, j->n, begin, elem);
    for (size_t i = 0; i < m; i++)
        memcpy((char *)buf + i * elem, addr(v, j->n, begin + i, elem), elem);
    return buf;
}

static int has_inf(const void *x, size_t m, int f32)
{
    for (size_t i = 0; i < m; i++)
        if (isinf(f32 ? ((const float *)x)[i] : ((const double *)x)[i])) return 1;
    return 0;
}

static partial nrm2_block(const job *j, const void *x, size_t m)
{
    partial p = {0};
    /* Squares of floats cannot overflow or underflow in double: no scaling. */
    double amax = j->f32 ? j->kern->sumsq_s(x, m, 1.0) : j->kern->absmax_d(x, m);
    if (isnan(amax) || isinf(amax)) {
        /* An infinity wins over NaN, as in reference BLAS's nrm2. */
        p.nrm2.inf = has_inf(x, m, j->f32);
        p.nrm2.nan = !p.nrm2.inf;
        return p;
    }
    if (j->f32) {
        p.nrm2.ssq = amax;
        return p;
    }
    if (amax == 0) return p;
    /* Scale by 2^-e (exact) so the largest |x_i| 2^-e lies in [0.5, 1); e is
     * clamped so that 2^-e stays a normal number: beyond the clamp the
     * scaled values are still far from overflow and underflow. */
    int e;
    frexp(amax, &e);
    if (e > 960) e = 960;
    if (e < -960) e = -960;
    p.nrm2.e = e;
    p.nrm2.ssq = j->kern->sumsq_d(x, m, ldexp(1.0, -e));
    return p;
}

static int sum_kind(kind k)
{
    return k == R_SUM || k == R_DOT || k == R_ASUM;
}

/* The block sum of a sum, dot or asum (kind kd) from contiguous x[0 .. m)
 * (and y's). */
static inline double sum_of(const kp__reduce_kernels *k, kind kd, int f32, const void *x,
                            const void *y, size_t m)
{
    if (kd == R_SUM) return f32 ? k->sum_s(x, m) : k->sum_d(x, m);
    if (kd == R_ASUM) return f32 ? k->asum_s(x, m) : k->asum_d(x, m);
    return f32 ? k->dot_s(x, y, m) : k->dot_d(x, y, m);
}

/* A block's partial from its contiguous elements x[0 .. m) (and y's). */
static partial block_of(const job *j, const void *x, const void *y, size_t m)
{
    const kp__reduce_kernels *k = j->kern;
    partial p;
    switch (j->k) {
    case R_SUM:
    case R_ASUM:
    case R_DOT: p.sum = sum_of(k, j->k, j->f32, x, y, m); break;
    case R_NRM2: p = nrm2_block(j, x, m); break;
    case R_MINMAX:
        if (j->f32)
            k->minmax_s(x, m, &p.ext);
        else
            k->minmax_d(x, m, &p.ext);
        break;
    case R_MEANVAR: {
        double s = j->f32 ? k->sum_s(x, m) : k->sum_d(x, m);
        double c = s / (double)m;
        p.mv.n = (double)m;
        p.mv.sum = s;
        p.mv.m2 = j->f32 ? k->sqdev_s(x, m, c) : k->sqdev_d(x, m, c);
        break;
    }
    }
    return p;
}

/* A strided block: its elements copied in logical order into buffers first.
 * Kept apart so that the contiguous path carries no 64 KiB frame. */
static KP_NOINLINE partial block_strided(const job *j, size_t begin, size_t m)
{
    double xbuf[KP_BLOCK], ybuf[KP_BLOCK];
    const void *x = block_data(j, &j->x, begin, m, xbuf);
    const void *y = j->k == R_DOT ? block_data(j, &j->y, begin, m, ybuf) : NULL;
    return block_of(j, x, y, m);
}

static partial block(const job *j, size_t b)
{
    size_t begin = b * KP_BLOCK;
    size_t m = j->n - begin < KP_BLOCK ? j->n - begin : KP_BLOCK;
    size_t elem = j->f32 ? sizeof(float) : sizeof(double);
    partial p;
    if (j->x.inc == 1 && (j->k != R_DOT || j->y.inc == 1)) {
        const void *y = j->k == R_DOT ? addr(&j->y, j->n, begin, elem) : NULL;
        p = block_of(j, addr(&j->x, j->n, begin, elem), y, m);
    } else {
        p = block_strided(j, begin, m);
    }
    if (j->k == R_MINMAX) {
        p.ext.imin += begin;
        p.ext.imax += begin;
    }
    return p;
}

/* ------------------------------------------------------ the pairwise tree */

/* a = T(a's items) + T(b's items), a's items first. */
static void combine(kind k, partial *a, const partial *b)
{
    switch (k) {
    case R_SUM:
    case R_DOT:
    case R_ASUM: a->sum += b->sum; break;
    case R_NRM2: {
        /* Rescale the smaller scale's sum by a power of two (exact unless it
         * underflows, and then it is below eps of the result). */
        int e = a->nrm2.e > b->nrm2.e ? a->nrm2.e : b->nrm2.e;
        a->nrm2.ssq =
            ldexp(a->nrm2.ssq, 2 * (a->nrm2.e - e)) + ldexp(b->nrm2.ssq, 2 * (b->nrm2.e - e));
        a->nrm2.e = e;
        a->nrm2.inf |= b->nrm2.inf;
        a->nrm2.nan |= b->nrm2.nan;
        break;
    }
    case R_MINMAX: {
        /* a's indices are all below b's: b wins only if strictly better, or
         * if it holds the first NaN. */
        int a_nan = isnan(a->ext.min), b_nan = isnan(b->ext.min);
        if (a_nan) break;
        if (b_nan) {
            a->ext = b->ext;
            break;
        }
        if (b->ext.min < a->ext.min) a->ext.min = b->ext.min, a->ext.imin = b->ext.imin;
        if (b->ext.max > a->ext.max) a->ext.max = b->ext.max, a->ext.imax = b->ext.imax;
        break;
    }
    case R_MEANVAR: {
        /* Chan, Golub and LeVeque (1979): M2 = M2a + M2b + d^2 na nb / n. */
        double n = a->mv.n + b->mv.n;
        double d = b->mv.sum / b->mv.n - a->mv.sum / a->mv.n;
        a->mv.m2 = a->mv.m2 + b->mv.m2 + d * d * (a->mv.n * b->mv.n / n);
        a->mv.sum += b->mv.sum;
        a->mv.n = n;
        break;
    }
    }
}

/* The pairwise tree over items [0, count), in its stack form: after item c
 * (1-based) merge the two topmost entries once per trailing zero bit of c;
 * at the end fold the stack from the top (the smallest subtrees). */
typedef struct tree {
    partial stack[66];
    int depth;
    size_t count;
} tree;

/* Only depth and count: the stack is written before it is read. */
static void tree_init(tree *t)
{
    t->depth = 0;
    t->count = 0;
}

static void tree_push(kind k, tree *t, const partial *p)
{
    t->stack[t->depth++] = *p;
    for (size_t c = ++t->count; (c & 1) == 0; c >>= 1) {
        t->depth--;
        combine(k, &t->stack[t->depth - 1], &t->stack[t->depth]);
    }
}

static partial tree_finish(kind k, tree *t)
{
    for (; t->depth > 1; t->depth--)
        combine(k, &t->stack[t->depth - 2], &t->stack[t->depth - 1]);
    return t->stack[0];
}

/* A sum, dot or asum whose vectors are contiguous: its blocks go straight
 * to the kernels, without partials. */
static int contiguous_sum(const job *j)
{
    return sum_kind(j->k) && j->x.inc == 1 && (j->k != R_DOT || j->y.inc == 1);
}

/* x (and y) advanced to the start of block b, for contiguous_sum(j). */
static const char *block_at(const job *j, const vec *v, size_t b)
{
    return (const char *)v->base + b * KP_BLOCK * (j->f32 ? sizeof(float) : sizeof(double));
}

/* Block b's sum, for contiguous_sum(j). */
static double block_sum(const job *j, size_t b)
{
    size_t left = j->n - b * KP_BLOCK;
    const char *y = j->k == R_DOT ? block_at(j, &j->y, b) : NULL;
    return sum_of(j->kern, j->k, j->f32, block_at(j, &j->x, b), y,
                  left < KP_BLOCK ? left : KP_BLOCK);
}

/* The tree over the blocks of a contiguous sum, dot or asum of n >= 1
 * elements from x (and y), on a stack of doubles, without a job: the
 * general path's partials, tree and block lookups cost 10% of a kp_ddot of
 * 10^4 elements, and the job's set-up alone 2% (20-25 ns). Out of line: a
 * one-block call carries no stack of its own. */
static KP_NOINLINE double sum_tree(const kp__reduce_kernels *kern, kind k, int f32, size_t n,
                                   const char *x, const char *y)
{
    const size_t step = KP_BLOCK * (f32 ? sizeof(float) : sizeof(double));
    double stack[66];
    int depth = 0;
    for (size_t b = 1, left = n; left > 0; b++) {
        size_t m = left < KP_BLOCK ? left : KP_BLOCK;
        stack[depth++] = sum_of(kern, k, f32, x, y, m);
        x += step;
        if (y) y += step;
        left -= m;
        for (size_t c = b; (c & 1) == 0; c >>= 1) {
            depth--;
            stack[depth - 1] += stack[depth];
        }
    }
    for (; depth > 1; depth--)
        stack[depth - 2] += stack[depth - 1];
    return stack[0];
}

/* ---------------------------------------------------------- over the pool */

/* The tree over blocks [first, last): one group's partial. */
static partial group_of(const job *j, size_t first, size_t last)
{
    partial p;
    if (contiguous_sum(j)) {
        size_t end = last * KP_BLOCK < j->n ? last * KP_BLOCK : j->n;
        const char *y = j->k == R_DOT ? block_at(j, &j->y, first) : NULL;
        p.sum =
            sum_tree(j->kern, j->k, j->f32, end - first * KP_BLOCK, block_at(j, &j->x, first), y);
        return p;
    }
    tree t;
    tree_init(&t);
    for (size_t b = first; b < last; b++) {
        p = block(j, b);
        tree_push(j->k, &t, &p);
    }
    return tree_finish(j->k, &t);
}

static void run_units(void *ctx, size_t begin, size_t end)
{
    const job *j = ctx;
    if (j->group == 1 && contiguous_sum(j)) {
        /* one block per group: its sum is the group's (2 threads over 1e6
         * elements: 1.5% faster than through group_of) */
        for (size_t u = begin; u < end; u++)
            j->units[u].sum = block_sum(j, u);
        return;
    }
    for (size_t u = begin; u < end; u++) {
        size_t first = u * j->group;
        size_t last = first + j->group < j->nblocks ? first + j->group : j->nblocks;
        j->units[u] = group_of(j, first, last);
    }
}

/* Groups of blocks over the pool, then the tree over the groups. */
static KP_NOINLINE partial reduce_parallel(job *j, int workers, int threads)
{
    partial units[MAX_UNITS];
    j->units = units;
    j->group = 1;
    while (j->nblocks / j->group + (j->nblocks % j->group != 0) > MAX_UNITS)
        j->group *= 2;
    size_t nunits = j->nblocks / j->group + (j->nblocks % j->group != 0);
    /* One range per thread. Every group costs the same, so finer ranges
     * only add claims; and with one range each, a thread reads the same
     * part of the vector on every call, which its caches may still hold
     * (kp_ddot at 2 threads: 3e5 elements 10% faster than with the pool's 4
     * ranges per thread, 1e6 3%). A range whose thread is late is run by
     * the first one free. */
    size_t per_thread = (nunits + (size_t)threads - 1) / (size_t)threads;
    (void)kp_parallel_for(nunits, per_thread, run_units, j, workers);

    tree t;
    tree_init(&t);
    for (size_t u = 0; u < nunits; u++)
        tree_push(j->k, &t, &units[u]);
    return tree_finish(j->k, &t);
}

/* The threads n elements of kind k run on: 1 below the pool's threshold,
 * else what workers resolves to. */
static int threads_for(kind k, size_t n, int workers)
{
    size_t blocks = n / KP_BLOCK + (n % KP_BLOCK != 0);
    return blocks * (k == R_DOT ? 2 : 1) < PARALLEL_MIN_BLOCKS ? 1 : kp_workers_resolve(workers);
}

/* Reduces n >= 1 elements to one partial on `threads` threads (threads_for):
 * blocks, through a job. On the caller alone, all blocks are one group. */
static KP_NOINLINE partial reduce_job(kind k, int f32, size_t n, vec x, vec y, int workers,
                                      int threads)
{
    job j = {.k = k, .f32 = f32, .n = n, .x = x, .y = y, .kern = kp__reduce_kernels_get()};
    j.nblocks = n / KP_BLOCK + (n % KP_BLOCK != 0);
    if (threads == 1) return group_of(&j, 0, j.nblocks);
    return reduce_parallel(&j, workers, threads);
}

/* Reduces n >= 1 elements to one partial. A contiguous sum, dot or asum
 * on the caller alone goes to the kernels without a job: one block straight
 * to its kernel (through the job the same call took 20-25 ns longer at
 * n = 1000, where the kernel itself takes about 45 ns), more through
 * sum_tree. */
static inline partial reduce(kind k, int f32, size_t n, vec x, vec y, int workers)
{
    const int threads = threads_for(k, n, workers);
    if (threads > 1 || x.inc != 1 || y.inc != 1 || !sum_kind(k))
        return reduce_job(k, f32, n, x, y, workers, threads);
    partial p;
    if (n <= KP_BLOCK)
        p.sum = sum_of(kp__reduce_kernels_get(), k, f32, x.base, y.base, n);
    else
        p.sum = sum_tree(kp__reduce_kernels_get(), k, f32, n, x.base, y.base);
    return p;
}

static vec v_of(const void *x, ptrdiff_t inc)
{
    vec v = {x, inc};
    return v;
}

/* ------------------------------------------------------- the entry points */

static int sum_like(kind k, int f32, size_t n, const void *x, ptrdiff_t incx, int workers,
                    double *out)
{
    size_t elem = f32 ? sizeof(float) : sizeof(double);
    int rc = check_vec(n, x, incx, elem);
    if (rc != KP_OK) return rc;
    *out = n == 0 ? 0.0 : reduce(k, f32, n, v_of(x, incx), v_of(NULL, 1), workers).sum;
    return KP_OK;
}

int kp_dsum(size_t n, const double *x, ptrdiff_t incx, int workers, double *out)
{
    if (out == NULL) return KP_ENULL;
    return sum_like(R_SUM, 0, n, x, incx, workers, out);
}

int kp_ssum(size_t n, const float *x, ptrdiff_t incx, int workers, float *out)
{
    if (out == NULL) return KP_ENULL;
    double r;
    int rc = sum_like(R_SUM, 1, n, x, incx, workers, &r);
    if (rc == KP_OK) *out = (float)r;
    return rc;
}

int kp_dasum(size_t n, const double *x, ptrdiff_t incx, int workers, double *out)
{
    if (out == NULL) return KP_ENULL;
    return sum_like(R_ASUM, 0, n, x, incx, workers, out);
}

int kp_sasum(size_t n, const float *x, ptrdiff_t incx, int workers, float *out)
{
    if (out == NULL) return KP_ENULL;
    double r;
    int rc = sum_like(R_ASUM, 1, n, x, incx, workers, &r);
    if (rc == KP_OK) *out = (float)r;
    return rc;
}

static int dot(int f32, size_t n, const void *x, ptrdiff_t incx, const void *y, ptrdiff_t incy,
               int workers, double *out)
{
    size_t elem = f32 ? sizeof(float) : sizeof(double);
    if ((x == NULL || y == NULL) && n > 0) return KP_ENULL;
    if (incx == 0 || incy == 0) return KP_ESTRIDE;
    int rc = check_span(n, incx, elem);
    if (rc == KP_OK) rc = check_span(n, incy, elem);
    if (rc != KP_OK) return rc;
    *out = n == 0 ? 0.0 : reduce(R_DOT, f32, n, v_of(x, incx), v_of(y, incy), workers).sum;
    return KP_OK;
}

int kp_ddot(size_t n, const double *x, ptrdiff_t incx, const double *y, ptrdiff_t incy, int workers,
            double *out)
{
    if (out == NULL) return KP_ENULL;
    return dot(0, n, x, incx, y, incy, workers, out);
}

int kp_sdot(size_t n, const float *x, ptrdiff_t incx, const float *y, ptrdiff_t incy, int workers,
            float *out)
{
    if (out == NULL) return KP_ENULL;
    double r;
    int rc = dot(1, n, x, incx, y, incy, workers, &r);
    if (rc == KP_OK) *out = (float)r;
    return rc;
}

static int nrm2(int f32, size_t n, const void *x, ptrdiff_t incx, int workers, double *out)
{
    int rc = check_vec(n, x, incx, f32 ? sizeof(float) : sizeof(double));
    if (rc != KP_OK) return rc;
    if (n == 0) {
        *out = 0.0;
        return KP_OK;
    }
    partial p = reduce(R_NRM2, f32, n, v_of(x, incx), v_of(NULL, 1), workers);
    if (p.nrm2.inf)
        *out = INFINITY;
    else if (p.nrm2.nan)
        *out = NAN;
    else
        *out = ldexp(sqrt(p.nrm2.ssq), p.nrm2.e);
    return KP_OK;
}

int kp_dnrm2(size_t n, const double *x, ptrdiff_t incx, int workers, double *out)
{
    if (out == NULL) return KP_ENULL;
    return nrm2(0, n, x, incx, workers, out);
}

int kp_snrm2(size_t n, const float *x, ptrdiff_t incx, int workers, float *out)
{
    if (out == NULL) return KP_ENULL;
    double r;
    int rc = nrm2(1, n, x, incx, workers, &r);
    if (rc == KP_OK) *out = (float)r;
    return rc;
}

static int minmax(int f32, size_t n, const void *x, ptrdiff_t incx, int workers, kp__extrema *e)
{
    int rc = check_vec(n, x, incx, f32 ? sizeof(float) : sizeof(double));
    if (rc != KP_OK) return rc;
    if (n == 0) return KP_EEMPTY;
    *e = reduce(R_MINMAX, f32, n, v_of(x, incx), v_of(NULL, 1), workers).ext;
    return KP_OK;
}

int kp_dminmax(size_t n, const double *x, ptrdiff_t incx, int workers, double *min, size_t *imin,
               double *max, size_t *imax)
{
    if (min == NULL && imin == NULL && max == NULL && imax == NULL) return KP_ENULL;
    kp__extrema e;
    int rc = minmax(0, n, x, incx, workers, &e);
    if (rc != KP_OK) return rc;
    if (min) *min = e.min;
    if (imin) *imin = e.imin;
    if (max) *max = e.max;
    if (imax) *imax = e.imax;
    return KP_OK;
}

int kp_sminmax(size_t n, const float *x, ptrdiff_t incx, int workers, float *min, size_t *imin,
               float *max, size_t *imax)
{
    if (min == NULL && imin == NULL && max == NULL && imax == NULL) return KP_ENULL;
    kp__extrema e;
    int rc = minmax(1, n, x, incx, workers, &e);
    if (rc != KP_OK) return rc;
    if (min) *min = (float)e.min;
    if (imin) *imin = e.imin;
    if (max) *max = (float)e.max;
    if (imax) *imax = e.imax;
    return KP_OK;
}

static int mean_var(int f32, size_t n, const void *x, ptrdiff_t incx, size_t ddof, int workers,
                    int want_var, double *mean, double *var)
{
    int rc = check_vec(n, x, incx, f32 ? sizeof(float) : sizeof(double));
    if (rc != KP_OK) return rc;
    if (n == 0) return KP_EEMPTY;
    if (want_var && ddof >= n) return KP_EINVAL;
    partial p = reduce(R_MEANVAR, f32, n, v_of(x, incx), v_of(NULL, 1), workers);
    *mean = p.mv.sum / (double)n;
    *var = p.mv.m2 / (double)(n - (want_var ? ddof : 0));
    return KP_OK;
}

int kp_dmean_var(size_t n, const double *x, ptrdiff_t incx, size_t ddof, int workers, double *mean,
                 double *var)
{
    if (mean == NULL && var == NULL) return KP_ENULL;
    double m, v;
    int rc = mean_var(0, n, x, incx, ddof, workers, var != NULL, &m, &v);
    if (rc != KP_OK) return rc;
    if (mean) *mean = m;
    if (var) *var = v;
    return KP_OK;
}

int kp_smean_var(size_t n, const float *x, ptrdiff_t incx, size_t ddof, int workers, float *mean,
                 float *var)
{
    if (mean == NULL && var == NULL) return KP_ENULL;
    double m, v;
    int rc = mean_var(1, n, x, incx, ddof, workers, var != NULL, &m, &v);
    if (rc != KP_OK) return rc;
    if (mean) *mean = (float)m;
    if (var) *var = (float)v;
    return KP_OK;
}
