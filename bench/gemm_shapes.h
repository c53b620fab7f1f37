/*
 * What the GEMM benchmarks measure, shared by kernpool's program and the
 * OpenBLAS peer so both run exactly the same products.
 */
#ifndef KP_BENCH_GEMM_SHAPES_H
#define KP_BENCH_GEMM_SHAPES_H

/* Rectangular products (column-major, no transposes), m x n x k. */
typedef struct bench_gemm_shape {
    const char *name;
    long m, n, k;
} bench_gemm_shape;

static const bench_gemm_shape bench_gemm_shapes[] = {
    {"tall_skinny", 16384, 128, 128}, /* m >> n: cut along rows only */
    {"short_wide", 128, 16384, 128},  /* n >> m: columns only */
    {"deep_k", 256, 256, 16384},      /* small C, long k: k is never split */
    {"panel", 4096, 512, 1024},       /* a blocked factorisation's update */
    {"rank_64", 2048, 2048, 64},      /* low-rank update of a large C */
};
enum { BENCH_GEMM_SHAPES = sizeof bench_gemm_shapes / sizeof bench_gemm_shapes[0] };

/* The nested scenario (pools stacked: the application's threads each
 * asking for every CPU, docs/beside-other-pools.md): BENCH_NESTED_TOTAL products of
 * n = BENCH_NESTED_N, shared evenly by the application's threads (2 threads:
 * 32 each, one after another; 1 thread: all 64). Every configuration does
 * the same work, so their times compare. */
enum { BENCH_NESTED_N = 256, BENCH_NESTED_TOTAL = 64 };

/* The products read ld = m (A), k (B), m (C); the largest arrays needed. */
static inline long bench_gemm_max(long sq)
{
    long most = sq * sq;
    for (int i = 0; i < BENCH_GEMM_SHAPES; i++) {
        const bench_gemm_shape *s = &bench_gemm_shapes[i];
        long e[3] = {s->m * s->k, s->k * s->n, s->m * s->n};
        for (int j = 0; j < 3; j++)
            if (e[j] > most) most = e[j];
    }
    return most;
}

#endif
