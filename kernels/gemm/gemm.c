/*
 * GEMM's public entry points: argument checks in the documented order, the
 * reduction of every call to one column-major problem, CBLAS's edge cases,
 * then the tiles (partition.c).
 *
 * Row-major storage of an m x n matrix is column-major storage of its n x m
 * transpose, so a row-major C = alpha op(A) op(B) + beta C is the
 * column-major C^T = alpha op(B)^T op(A)^T + beta C^T: swap m and n, and A
 * and B with their leading dimensions and transposes. Nothing is copied.
 */
#include <stdint.h>
#include <string.h>

#include "kernels/gemm/gemm.h"

/* A stored matrix: `rows` elements per column (column-major), `cols`
 * columns, ld elements apart. */
typedef struct stored {
    const void *base;
    size_t rows, cols, ld;
} stored;

/* op(X) is r x c: the stored matrix is r x c or c x r. */
static stored storage(const void *x, kp_trans t, size_t r, size_t c, size_t ld)
{
    stored s = {x, r, c, ld};
    if (t != KP_NO_TRANS) {
        s.rows = c;
        s.cols = r;
    }
    return s;
}

static int empty(const stored *s)
{
    return s->rows == 0 || s->cols == 0;
}

/* Bytes from the first element to one past the last: (cols - 1) ld + rows
 * elements; 0 when empty. Sets *ok = 0 if it does not fit a ptrdiff_t.
 * (Products, not divisions: the checks are on every call's path.) */
static size_t extent(const stored *s, size_t es, int *ok)
{
    if (empty(s)) return 0;
    size_t elems, bytes;
    if (__builtin_mul_overflow(s->cols - 1, s->ld, &elems) ||
        __builtin_add_overflow(elems, s->rows, &elems) ||
        __builtin_mul_overflow(elems, es, &bytes) || bytes > (size_t)PTRDIFF_MAX) {
        *ok = 0;
        return 0;
    }
    return bytes;
}

/* Whether column [lo, hi) of bytes meets a column of y. y's columns are
 * [y0 + q P, y0 + q P + L) for q < Q, increasing and disjoint (L <= P). */
static int meets_columns(uintptr_t lo, uintptr_t hi, uintptr_t y0, size_t P, size_t L, size_t Q)
{
    size_t q = 0; /* the first column that ends after lo */
    if (lo >= y0 + L) q = (lo - y0 - L) / P + 1;
    return q < Q && y0 + q * P < hi;
}

/* Whether two non-empty stored matrices share a byte, element by element:
 * disjoint blocks of one array do not (only their address ranges do). */
static int overlaps(const stored *x, const stored *y, size_t es, size_t ex, size_t ey)
{
    uintptr_t x0 = (uintptr_t)x->base, y0 = (uintptr_t)y->base;
    if (x0 >= y0 + ey || y0 >= x0 + ex) return 0;
    if (x->cols > y->cols) {
        const stored *t = x;
        x = y;
        y = t;
        uintptr_t u = x0;
        x0 = y0;
        y0 = u;
    }
    /* Walk the matrix with fewer columns: O(min(columns)) steps. */
    for (size_t j = 0; j < x->cols; j++) {
        uintptr_t lo = x0 + j * x->ld * es;
        if (meets_columns(lo, lo + x->rows * es, y0, y->ld * es, y->rows * es, y->cols)) return 1;
    }
    return 0;
}

static int is_layout(kp_layout l)
{
    return l == KP_ROW_MAJOR || l == KP_COL_MAJOR;
}

static int is_trans(kp_trans t)
{
    return t == KP_NO_TRANS || t == KP_TRANS || t == KP_CONJ_TRANS;
}

static int is_zero(kp__gemm_type type, const void *x)
{
    switch (type) {
    case KP_GEMM_S: return *(const float *)x == 0;
    case KP_GEMM_D: return *(const double *)x == 0;
    case KP_GEMM_C: return ((const float *)x)[0] == 0 && ((const float *)x)[1] == 0;
    case KP_GEMM_Z: return ((const double *)x)[0] == 0 && ((const double *)x)[1] == 0;
    default: return 0;
    }
}

static int is_one(kp__gemm_type type, const void *x)
{
    switch (type) {
    case KP_GEMM_S: return *(const float *)x == 1;
    case KP_GEMM_D: return *(const double *)x == 1;
    case KP_GEMM_C: return ((const float *)x)[0] == 1 && ((const float *)x)[1] == 0;
    case KP_GEMM_Z: return ((const double *)x)[0] == 1 && ((const double *)x)[1] == 0;
    default: return 0;
    }
}

void kp__gemm_scale(kp__gemm_type type, size_t m, size_t n, const void *beta, char *c, size_t ldc)
{
    if ((unsigned)type >= KP_GEMM_TYPES || is_one(type, beta)) return;
    size_t es = kp__gemm_elem(type);
    int zero = is_zero(type, beta);
    for (size_t j = 0; j < n; j++) {
        char *col = c + j * ldc * es;
        for (size_t i = 0; i < m; i++) {
            switch (type) {
            case KP_GEMM_S: {
                float *x = (float *)col + i;
                *x = zero ? 0.0f : *(const float *)beta * *x;
                break;
            }
            case KP_GEMM_D: {
                double *x = (double *)col + i;
                *x = zero ? 0.0 : *(const double *)beta * *x;
                break;
            }
            case KP_GEMM_C: {
                float *x = (float *)col + 2 * i;
                const float *b = beta;
                float re = zero ? 0.0f : b[0] * x[0] - b[1] * x[1];
                float im = zero ? 0.0f : b[0] * x[1] + b[1] * x[0];
                x[0] = re;
                x[1] = im;
                break;
            }
            case KP_GEMM_Z: {
                double *x = (double *)col + 2 * i;
                const double *b = beta;
                double re = zero ? 0.0 : b[0] * x[0] - b[1] * x[1];
                double im = zero ? 0.0 : b[0] * x[1] + b[1] * x[0];
                x[0] = re;
                x[1] = im;
                break;
            }
            default: break;
            }
        }
    }
}

/* One scalar of any of the types. */
typedef union scalar {
    float s[2];
    double d[2];
} scalar;

static int gemm(kp__gemm_type type, kp_layout layout, kp_trans ta, kp_trans tb, size_t m, size_t n,
                size_t k, const void *alpha, const void *a, size_t lda, const void *b, size_t ldb,
                const void *beta, void *c, size_t ldc, int workers)
{
    if (!is_layout(layout) || !is_trans(ta) || !is_trans(tb)) return KP_EINVAL;
    if (alpha == NULL || beta == NULL) return KP_ENULL;
    /* The complex scalars come by pointer and may point into C: every tile
     * reads copies, never what another tile is writing. */
    scalar alpha_v, beta_v;
    memcpy(&alpha_v, alpha, kp__gemm_elem(type));
    memcpy(&beta_v, beta, kp__gemm_elem(type));
    alpha = &alpha_v;
    beta = &beta_v;
    if (type == KP_GEMM_S || type == KP_GEMM_D) {
        /* The conjugate of a real matrix is itself. */
        if (ta == KP_CONJ_TRANS) ta = KP_TRANS;
        if (tb == KP_CONJ_TRANS) tb = KP_TRANS;
    }
    if (layout == KP_ROW_MAJOR) {
        size_t ts = m;
        m = n;
        n = ts;
        const void *tp = a;
        a = b;
        b = tp;
        ts = lda;
        lda = ldb;
        ldb = ts;
        kp_trans tt = ta;
        ta = tb;
        tb = tt;
    }
    stored sa = storage(a, ta, m, k, lda), sb = storage(b, tb, k, n, ldb);
    stored sc = storage(c, KP_NO_TRANS, m, n, ldc);

    if ((a == NULL && !empty(&sa)) || (b == NULL && !empty(&sb)) || (c == NULL && !empty(&sc)))
        return KP_ENULL;
    if (lda < (sa.rows > 1 ? sa.rows : 1) || ldb < (sb.rows > 1 ? sb.rows : 1) ||
        ldc < (sc.rows > 1 ? sc.rows : 1))
        return KP_ESTRIDE;
    size_t es = kp__gemm_elem(type);
    int ok = 1;
    size_t ea = extent(&sa, es, &ok), eb = extent(&sb, es, &ok), ec = extent(&sc, es, &ok);
    if (!ok) return KP_EOVERFLOW;
    if (m == 0 || n == 0) return KP_OK;
    /* With m, n > 0, A and B are both empty (k == 0) or both not. */
    if (k > 0 && (overlaps(&sc, &sa, es, ec, ea) || overlaps(&sc, &sb, es, ec, eb)))
        return KP_EOVERLAP;

    if (k == 0 || is_zero(type, alpha)) {
        kp__gemm_scale(type, m, n, beta, c, ldc);
        return KP_OK;
    }
    const kp__gemm_engine *engine = kp__gemm_engine_get();
    size_t most = engine->max_index;
    if (k > most || lda > most || ldb > most || ldc > most) return KP_ENOTSUP;
    kp__gemm_problem p = {
        .type = type,
        .ta = ta,
        .tb = tb,
        .m = m,
        .n = n,
        .k = k,
        .alpha = alpha,
        .beta = beta,
        .a = a,
        .b = b,
        .c = c,
        .lda = lda,
        .ldb = ldb,
        .ldc = ldc,
    };
    return kp__gemm_run(&p, engine, workers);
}

int kp_sgemm(kp_layout layout, kp_trans ta, kp_trans tb, size_t m, size_t n, size_t k, float alpha,
             const float *a, size_t lda, const float *b, size_t ldb, float beta, float *c,
             size_t ldc, int workers)
{
    return gemm(KP_GEMM_S, layout, ta, tb, m, n, k, &alpha, a, lda, b, ldb, &beta, c, ldc, workers);
}

int kp_dgemm(kp_layout layout, kp_trans ta, kp_trans tb, size_t m, size_t n, size_t k, double alpha,
             const double *a, size_t lda, const double *b, size_t ldb, double beta, double *c,
             size_t ldc, int workers)
{
    return gemm(KP_GEMM_D, layout, ta, tb, m, n, k, &alpha, a, lda, b, ldb, &beta, c, ldc, workers);
}

int kp_cgemm(kp_layout layout, kp_trans ta, kp_trans tb, size_t m, size_t n, size_t k,
             const float *alpha, const float *a, size_t lda, const float *b, size_t ldb,
             const float *beta, float *c, size_t ldc, int workers)
{
    return gemm(KP_GEMM_C, layout, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, workers);
}

int kp_zgemm(kp_layout layout, kp_trans ta, kp_trans tb, size_t m, size_t n, size_t k,
             const double *alpha, const double *a, size_t lda, const double *b, size_t ldb,
             const double *beta, double *c, size_t ldc, int workers)
{
    return gemm(KP_GEMM_Z, layout, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, workers);
}
