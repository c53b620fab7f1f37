/*
 * The reference engine: the definition of the product, one element at a
 * time, in double precision (float and complex float inputs are widened and
 * the result rounded once). Slow; it exists so that the partitioning can be
 * tested without OpenBLAS, and as the shape a new engine fills in.
 */
#include "kernels/gemm/gemm.h"

/* op(X)(i, l) of a column-major X: the element and whether to conjugate. */
static size_t at(kp_trans t, size_t i, size_t l, size_t ld)
{
    return t == KP_NO_TRANS ? i + l * ld : l + i * ld;
}

static double get(const void *x, size_t idx, int f32)
{
    return f32 ? (double)((const float *)x)[idx] : ((const double *)x)[idx];
}

static void put(void *x, size_t idx, int f32, double v)
{
    if (f32)
        ((float *)x)[idx] = (float)v;
    else
        ((double *)x)[idx] = v;
}

static void real(int f32, kp_trans ta, kp_trans tb, size_t m, size_t n, size_t k, const void *alpha,
                 const void *a, size_t lda, const void *b, size_t ldb, const void *beta, void *c,
                 size_t ldc)
{
    double al = get(alpha, 0, f32), be = get(beta, 0, f32);
    for (size_t j = 0; j < n; j++)
        for (size_t i = 0; i < m; i++) {
            double s = 0;
            for (size_t l = 0; l < k; l++)
                s += get(a, at(ta, i, l, lda), f32) * get(b, at(tb, l, j, ldb), f32);
            size_t ic = i + j * ldc;
            put(c, ic, f32, be == 0 ? al * s : al * s + be * get(c, ic, f32));
        }
}

static void cplx(int f32, kp_trans ta, kp_trans tb, size_t m, size_t n, size_t k, const void *alpha,
                 const void *a, size_t lda, const void *b, size_t ldb, const void *beta, void *c,
                 size_t ldc)
{
    double ar = get(alpha, 0, f32), ai = get(alpha, 1, f32);
    double br = get(beta, 0, f32), bi = get(beta, 1, f32);
    double sa = ta == KP_CONJ_TRANS ? -1 : 1, sb = tb == KP_CONJ_TRANS ? -1 : 1;
    for (size_t j = 0; j < n; j++)
        for (size_t i = 0; i < m; i++) {
            double sr = 0, si = 0;
            for (size_t l = 0; l < k; l++) {
                size_t ia = 2 * at(ta, i, l, lda), ib = 2 * at(tb, l, j, ldb);
                double xr = get(a, ia, f32), xi = sa * get(a, ia + 1, f32);
                double yr = get(b, ib, f32), yi = sb * get(b, ib + 1, f32);
                sr += xr * yr - xi * yi;
                si += xr * yi + xi * yr;
            }
            double rr = ar * sr - ai * si, ri = ar * si + ai * sr;
            size_t ic = 2 * (i + j * ldc);
            if (br != 0 || bi != 0) {
                double cr = get(c, ic, f32), ci = get(c, ic + 1, f32);
                rr += br * cr - bi * ci;
                ri += br * ci + bi * cr;
            }
            put(c, ic, f32, rr);
            put(c, ic + 1, f32, ri);
        }
}

static int sgemm(kp_trans ta, kp_trans tb, size_t m, size_t n, size_t k, const void *alpha,
                 const void *a, size_t lda, const void *b, size_t ldb, const void *beta, void *c,
                 size_t ldc)
{
    real(1, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return KP_OK;
}

static int dgemm(kp_trans ta, kp_trans tb, size_t m, size_t n, size_t k, const void *alpha,
                 const void *a, size_t lda, const void *b, size_t ldb, const void *beta, void *c,
                 size_t ldc)
{
    real(0, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return KP_OK;
}

static int cgemm(kp_trans ta, kp_trans tb, size_t m, size_t n, size_t k, const void *alpha,
                 const void *a, size_t lda, const void *b, size_t ldb, const void *beta, void *c,
                 size_t ldc)
{
    cplx(1, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return KP_OK;
}

static int zgemm(kp_trans ta, kp_trans tb, size_t m, size_t n, size_t k, const void *alpha,
                 const void *a, size_t lda, const void *b, size_t ldb, const void *beta, void *c,
                 size_t ldc)
{
    cplx(0, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return KP_OK;
}

static const char *core(void)
{
    return "portable";
}

static int threads(void)
{
    return 1;
}

const kp__gemm_engine kp__gemm_reference = {
    .name = "reference",
    .max_index = (size_t)-1,
    .tile_work = 256 * 1024, /* as OpenBLAS's: tests only */
    .quarters = 1,
    .tile = {sgemm, dgemm, cgemm, zgemm},
    .core = core,
    .threads = threads,
};
