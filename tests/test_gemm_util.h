/*
 * Helpers shared by the GEMM tests: one call interface over the four
 * functions, matrices stored with padding (every element outside the matrix
 * holds a sentinel, so a read of it shows as NaN and a write to it is seen),
 * a seeded generator, and a long double reference with its error bound.
 *
 * Everything is static: each test uses only part of it.
 */
#ifndef KP_TEST_GEMM_UTIL_H
#define KP_TEST_GEMM_UTIL_H

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/gemm/gemm.h"
#include "kernpool.h"

static const char *const kpg_type_names[KP_GEMM_TYPES] = {"s", "d", "c", "z"};

static inline int kpg_complex(kp__gemm_type t)
{
    return t == KP_GEMM_C || t == KP_GEMM_Z;
}

static inline int kpg_single(kp__gemm_type t)
{
    return t == KP_GEMM_S || t == KP_GEMM_C;
}

/* Unit roundoff of the type. */
static inline long double kpg_eps(kp__gemm_type t)
{
    return kpg_single(t) ? FLT_EPSILON / 2.0L : DBL_EPSILON / 2.0L;
}

/* A scalar as (re, im); real types use re only. */
typedef struct kpg_scalar {
    double re, im;
} kpg_scalar;

/* Calls kp_?gemm with alpha and beta converted to the type. */
static inline int kpg_call(kp__gemm_type t, kp_layout layout, kp_trans ta, kp_trans tb, size_t m,
                           size_t n, size_t k, kpg_scalar alpha, const void *a, size_t lda,
                           const void *b, size_t ldb, kpg_scalar beta, void *c, size_t ldc,
                           int workers)
{
    switch (t) {
    case KP_GEMM_S:
        return kp_sgemm(layout, ta, tb, m, n, k, (float)alpha.re, a, lda, b, ldb, (float)beta.re, c,
                        ldc, workers);
    case KP_GEMM_D:
        return kp_dgemm(layout, ta, tb, m, n, k, alpha.re, a, lda, b, ldb, beta.re, c, ldc,
                        workers);
    case KP_GEMM_C: {
        float al[2] = {(float)alpha.re, (float)alpha.im}, be[2] = {(float)beta.re, (float)beta.im};
        return kp_cgemm(layout, ta, tb, m, n, k, al, a, lda, b, ldb, be, c, ldc, workers);
    }
    default: {
        double al[2] = {alpha.re, alpha.im}, be[2] = {beta.re, beta.im};
        return kp_zgemm(layout, ta, tb, m, n, k, al, a, lda, b, ldb, be, c, ldc, workers);
    }
    }
}

/* ------------------------------------------------------------ matrices */

/* rows x cols stored in `layout` with leading dimension ld, in an array of
 * `count` elements; padding (and the slack after the last row or column)
 * holds the sentinel. */
typedef struct kpg_mat {
    kp__gemm_type t;
    kp_layout layout;
    size_t rows, cols, ld, count;
    void *p;
} kpg_mat;

/* Each real part of a padding element: a NaN with a payload no arithmetic
 * produces, so a write of it is recognised bit for bit. */
static inline double kpg_sentinel_d(void)
{
    uint64_t bits = 0x7ff4dead0000beefULL;
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

static inline float kpg_sentinel_s(void)
{
    uint32_t bits = 0x7fa0beefU;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static inline size_t kpg_reals(kp__gemm_type t)
{
    return kpg_complex(t) ? 2 : 1;
}

static inline size_t kpg_index(const kpg_mat *x, size_t i, size_t j)
{
    return x->layout == KP_ROW_MAJOR ? i * x->ld + j : i + j * x->ld;
}

static inline void kpg_set(kpg_mat *x, size_t idx, long double re, long double im)
{
    if (kpg_single(x->t)) {
        float *f = (float *)x->p + idx * kpg_reals(x->t);
        f[0] = (float)re;
        if (kpg_complex(x->t)) f[1] = (float)im;
    } else {
        double *d = (double *)x->p + idx * kpg_reals(x->t);
        d[0] = (double)re;
        if (kpg_complex(x->t)) d[1] = (double)im;
    }
}

static inline void kpg_get(const kpg_mat *x, size_t idx, long double *re, long double *im)
{
    if (kpg_single(x->t)) {
        const float *f = (const float *)x->p + idx * kpg_reals(x->t);
        *re = f[0];
        *im = kpg_complex(x->t) ? f[1] : 0;
    } else {
        const double *d = (const double *)x->p + idx * kpg_reals(x->t);
        *re = d[0];
        *im = kpg_complex(x->t) ? d[1] : 0;
    }
}

static inline uint64_t kpg_next(uint64_t *s)
{
    /* splitmix64 */
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in [-1, 1), exactly representable in float. */
static inline double kpg_uniform(uint64_t *s)
{
    return (double)((int32_t)(kpg_next(s) >> 40) - (1 << 23)) / (double)(1 << 23);
}

/* Memory for a test matrix; a test cannot go on without it. */
static inline void *kpg_malloc(size_t bytes)
{
    void *p = malloc(bytes);
    if (p == NULL) {
        fprintf(stderr, "GEMM test: out of memory (%zu bytes)\n", bytes);
        abort();
    }
    return p;
}

/* A matrix with random entries, ld = the least the layout allows + pad. */
static inline kpg_mat kpg_alloc(kp__gemm_type t, kp_layout layout, size_t rows, size_t cols,
                                size_t pad, uint64_t seed)
{
    kpg_mat x = {t, layout, rows, cols, 0, 0, NULL};
    size_t inner = layout == KP_ROW_MAJOR ? cols : rows;
    size_t outer = layout == KP_ROW_MAJOR ? rows : cols;
    x.ld = (inner > 1 ? inner : 1) + pad;
    x.count = outer * x.ld + 3;
    x.p = kpg_malloc(x.count * kp__gemm_elem(t));
    size_t reals = x.count * kpg_reals(t);
    for (size_t r = 0; r < reals; r++) {
        if (kpg_single(t))
            ((float *)x.p)[r] = kpg_sentinel_s();
        else
            ((double *)x.p)[r] = kpg_sentinel_d();
    }
    uint64_t s = seed;
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++)
            kpg_set(&x, kpg_index(&x, i, j), kpg_uniform(&s), kpg_uniform(&s));
    return x;
}

static inline kpg_mat kpg_copy(const kpg_mat *x)
{
    kpg_mat y = *x;
    y.p = kpg_malloc(x->count * kp__gemm_elem(x->t));
    memcpy(y.p, x->p, x->count * kp__gemm_elem(x->t));
    return y;
}

static inline void kpg_free(kpg_mat *x)
{
    free(x->p);
    x->p = NULL;
}

/* Whether every element outside the matrix still holds its sentinel bits
 * (compared with `orig`, a copy taken before the call). */
static inline int kpg_padding_intact(const kpg_mat *x, const kpg_mat *orig)
{
    size_t es = kp__gemm_elem(x->t);
    for (size_t idx = 0; idx < x->count; idx++) {
        size_t inner = idx % x->ld, outer = idx / x->ld;
        size_t rows_in = x->layout == KP_ROW_MAJOR ? x->cols : x->rows;
        size_t outers = x->layout == KP_ROW_MAJOR ? x->rows : x->cols;
        int inside = inner < rows_in && outer < outers;
        if (!inside && memcmp((char *)x->p + idx * es, (char *)orig->p + idx * es, es) != 0)
            return 0;
    }
    return 1;
}

/* op(X)(i, l) of a stored matrix, conjugated for KP_CONJ_TRANS. */
static inline void kpg_op(const kpg_mat *x, kp_trans t, size_t i, size_t l, long double *re,
                          long double *im)
{
    if (t == KP_NO_TRANS)
        kpg_get(x, kpg_index(x, i, l), re, im);
    else
        kpg_get(x, kpg_index(x, l, i), re, im);
    if (t == KP_CONJ_TRANS) *im = -*im;
}

/* Checks c (after the call) against alpha op(A) op(B) + beta c0 in long
 * double, element by element, with the bound
 *   |err| <= (k + 4) u (|alpha| sum_l |a_il| |b_lj| + |beta| |c0_ij|) * f
 * (f = 1 real, 4 complex; |z| = |re| + |im|), plus exact rules: beta == 0
 * ignores c0 even if it is NaN, alpha == 0 or k == 0 ignores A and B.
 * Returns the number of failing elements; the first is described in `why`. */
static inline size_t kpg_check(kp__gemm_type t, kp_trans ta, kp_trans tb, size_t m, size_t n,
                               size_t k, kpg_scalar alpha, const kpg_mat *a, const kpg_mat *b,
                               kpg_scalar beta, const kpg_mat *c0, const kpg_mat *c, char *why,
                               size_t whylen)
{
    size_t bad = 0;
    int cplx = kpg_complex(t);
    long double u = kpg_eps(t), f = cplx ? 4 : 1;
    long double ar = alpha.re, ai = cplx ? alpha.im : 0, br = beta.re, bi = cplx ? beta.im : 0;
    int use_ab = k > 0 && (ar != 0 || ai != 0), use_c = br != 0 || bi != 0;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            long double sr = 0, si = 0, mag = 0;
            if (use_ab)
                for (size_t l = 0; l < k; l++) {
                    long double xr, xi, yr, yi;
                    kpg_op(a, ta, i, l, &xr, &xi);
                    kpg_op(b, tb, l, j, &yr, &yi);
                    sr += xr * yr - xi * yi;
                    si += xr * yi + xi * yr;
                    mag += (fabsl(xr) + fabsl(xi)) * (fabsl(yr) + fabsl(yi));
                }
            long double rr = 0, ri = 0, bound = 0;
            if (use_ab) {
                rr = ar * sr - ai * si;
                ri = ar * si + ai * sr;
                bound += (fabsl(ar) + fabsl(ai)) * mag;
            }
            if (use_c) {
                long double cr, ci;
                kpg_get(c0, kpg_index(c0, i, j), &cr, &ci);
                rr += br * cr - bi * ci;
                ri += br * ci + bi * cr;
                bound += (fabsl(br) + fabsl(bi)) * (fabsl(cr) + fabsl(ci));
            }
            bound = (long double)(k + 4) * u * bound * f;
            long double gr, gi;
            kpg_get(c, kpg_index(c, i, j), &gr, &gi);
            int ok = fabsl(gr - rr) <= bound && (!cplx || fabsl(gi - ri) <= bound);
            if (!ok && bad++ == 0)
                snprintf(why, whylen,
                         "C(%zu,%zu) = (%.9Lg, %.9Lg), expected (%.9Lg, %.9Lg) within %.3Lg", i, j,
                         gr, gi, rr, ri, bound);
        }
    return bad;
}

/* A teardown for every test: the tile work, cache edge, engine and OpenBLAS
 * call limit back to their built-in values, also after a test that forced
 * them failed halfway (the tests after it then run as they should). */
static inline int kpg_hooks_reset(void **state)
{
    (void)state;
    (void)kp__gemm_tile_work_force(0);
    (void)kp__gemm_edge_force(0);
    (void)kp__gemm_engine_force(KP_GEMM_ENGINE_AUTO);
    (void)kp__gemm_openblas_calls_force(0);
    kp__gemm_native_fail(0, 0);
    (void)kp__gemm_native_direct_force(-1);
    return 0;
}

#endif
