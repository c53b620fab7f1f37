/* The OpenMP side of the OpenBLAS peer's nested scenario. */
#include "gemm_shapes.h"
#include "peer_openblas_omp.h"

int bench_nested_omp(int outer, double *c)
{
#ifdef _OPENMP
#pragma omp parallel for num_threads(outer) schedule(static, 1)
    for (int i = 0; i < outer; i++)
        bench_nested_calls(c + (long)i * BENCH_NESTED_N * BENCH_NESTED_N,
                           BENCH_NESTED_TOTAL / outer);
    return 0;
#else
    (void)outer;
    (void)c;
    return -1;
#endif
}
