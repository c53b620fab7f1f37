/* A shared module that links libkernpool.a, as a Python extension module
 * would, for test_foreign_gemm: its one entry point is kp_dgemm. */
#include "kernpool.h"

__attribute__((visibility("default"))) int
kp_test_module_dgemm(kp_layout layout, kp_trans ta, kp_trans tb, size_t m, size_t n, size_t k,
                     double alpha, const double *a, size_t lda, const double *b, size_t ldb,
                     double beta, double *c, size_t ldc, int workers);

int kp_test_module_dgemm(kp_layout layout, kp_trans ta, kp_trans tb, size_t m, size_t n, size_t k,
                         double alpha, const double *a, size_t lda, const double *b, size_t ldb,
                         double beta, double *c, size_t ldc, int workers)
{
    return kp_dgemm(layout, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, workers);
}
