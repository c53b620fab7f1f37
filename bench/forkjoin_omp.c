/* The OpenMP side of bench/forkjoin.c. */
#include "forkjoin.h"

void bench_omp_region(int threads, int n, unsigned delay)
{
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int i = 0; i < n; i++)
        bench_delay(delay);
}
