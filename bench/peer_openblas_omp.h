#ifndef KP_BENCH_PEER_OPENBLAS_OMP_H
#define KP_BENCH_PEER_OPENBLAS_OMP_H

/* The nested scenario's outer loop for the OpenBLAS peer: an OpenMP loop of
 * `outer` threads, thread i calling bench_nested_calls(c + i n^2, 64 / outer).
 * Returns 0, or -1 if the program was built without OpenMP. */
int bench_nested_omp(int outer, double *c);

/* `calls` cblas_dgemm of n = 256 into c (bench/peer_openblas.c). */
void bench_nested_calls(double *c, int calls);

#endif
