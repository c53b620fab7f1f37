/*
 * The OpenBLAS engine: one tile is one cblas_?gemm call of OpenBLAS's
 * single-threaded build (Debian's openblas-serial), column-major, with the
 * tile's corner as the matrix pointers and the caller's leading dimensions.
 *
 * The build links that library's static archive into kernpool with its
 * symbols kept local, so these calls reach the serial OpenBLAS even in a
 * process that has also loaded a threaded one (numpy's, say, which has the
 * same SONAME, libopenblas.so.0, and would otherwise be bound first). The
 * serial build starts no thread and takes a lock only around its buffer
 * table, so calls from many pool threads at once are safe.
 *
 * OpenBLAS counts in int: kp__gemm_openblas.max_index keeps every argument
 * within it (gemm.c refuses larger k and leading dimensions, partition.c
 * cuts m and n to fit).
 */
#include <cblas.h>
#include <limits.h>

#include "kernels/gemm/gemm.h"

static enum CBLAS_TRANSPOSE trans(kp_trans t)
{
    return t == KP_NO_TRANS ? CblasNoTrans : t == KP_TRANS ? CblasTrans : CblasConjTrans;
}

static void sgemm(kp_trans ta, kp_trans tb, size_t m, size_t n, size_t k, const void *alpha,
                  const void *a, size_t lda, const void *b, size_t ldb, const void *beta, void *c,
                  size_t ldc)
{
    cblas_sgemm(CblasColMajor, trans(ta), trans(tb), (int)m, (int)n, (int)k, *(const float *)alpha,
                a, (int)lda, b, (int)ldb, *(const float *)beta, c, (int)ldc);
}

static void dgemm(kp_trans ta, kp_trans tb, size_t m, size_t n, size_t k, const void *alpha,
                  const void *a, size_t lda, const void *b, size_t ldb, const void *beta, void *c,
                  size_t ldc)
{
    cblas_dgemm(CblasColMajor, trans(ta), trans(tb), (int)m, (int)n, (int)k, *(const double *)alpha,
                a, (int)lda, b, (int)ldb, *(const double *)beta, c, (int)ldc);
}

/* The complex scalars and matrices are (re, im) pairs, as CBLAS wants them. */
static void cgemm(kp_trans ta, kp_trans tb, size_t m, size_t n, size_t k, const void *alpha,
                  const void *a, size_t lda, const void *b, size_t ldb, const void *beta, void *c,
                  size_t ldc)
{
    cblas_cgemm(CblasColMajor, trans(ta), trans(tb), (int)m, (int)n, (int)k, alpha, a, (int)lda, b,
                (int)ldb, beta, c, (int)ldc);
}

static void zgemm(kp_trans ta, kp_trans tb, size_t m, size_t n, size_t k, const void *alpha,
                  const void *a, size_t lda, const void *b, size_t ldb, const void *beta, void *c,
                  size_t ldc)
{
    cblas_zgemm(CblasColMajor, trans(ta), trans(tb), (int)m, (int)n, (int)k, alpha, a, (int)lda, b,
                (int)ldb, beta, c, (int)ldc);
}

static const char *core(void)
{
    return openblas_get_corename();
}

/* 1 for the serial build; the threaded builds report their pool's size. */
static int threads(void)
{
    return openblas_get_parallel() == 0 ? 1 : openblas_get_num_threads();
}

const kp__gemm_engine kp__gemm_openblas = {
    .name = "openblas",
    .max_index = INT_MAX,
    .tile = {sgemm, dgemm, cgemm, zgemm},
    .core = core,
    .threads = threads,
};
