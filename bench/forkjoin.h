#ifndef KP_BENCH_FORKJOIN_H
#define KP_BENCH_FORKJOIN_H
/* One empty `omp parallel for` over n indices with `threads` threads. */
void bench_omp_region(int threads, int n);
#endif
