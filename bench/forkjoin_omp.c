/* The OpenMP side of bench/forkjoin.c. */
#include "forkjoin.h"

static void body(int i)
{
    __asm__ volatile("" : : "r"(i) : "memory");
}

void bench_omp_region(int threads, int n)
{
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int i = 0; i < n; i++)
        body(i);
}
