#ifndef KP_BENCH_FORKJOIN_H
#define KP_BENCH_FORKJOIN_H

/* A fixed amount of work the compiler cannot remove: `iters` rounds of an
 * empty asm statement with a memory clobber (about one cycle each). */
static inline void bench_delay(unsigned iters)
{
    for (unsigned i = 0; i < iters; i++)
        __asm__ volatile("" : : : "memory");
}

/* One `omp parallel for` over n indices with `threads` threads, each index
 * running bench_delay(delay). */
void bench_omp_region(int threads, int n, unsigned delay);

#endif
