/*
 * The memory read figure beside which the reductions are measured: a plain
 * C loop, nothing but loads and adds. Sixteen accumulators hide the add
 * latency and let the compiler pair them into eight SSE2 vector chains (the
 * x86-64 baseline; no -march flag): about 40 bytes a cycle from L1, far more
 * than memory can feed, so for arrays beyond the caches the loop measures
 * the read bandwidth itself. In cache it is no limit: wider SIMD beats it.
 */
#include "common.h"

/* The loop itself, inlined into both entry points below. */
static inline double read_sum(const double *x, size_t n)
{
    double acc[16] = {0};
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int k = 0; k < 16; k++)
            acc[k] += x[i + k];
    for (; i < n; i++)
        acc[0] += x[i];
    for (int w = 8; w >= 1; w /= 2)
        for (int k = 0; k < w; k++)
            acc[k] += acc[k + w];
    return acc[0];
}

double bench_read_sum(const double *x, size_t n)
{
    return read_sum(x, n);
}

/* The same loop built for each SIMD width and picked at load time (an
 * ifunc, the same run-time choice kernpool makes; still no -march). Wider
 * loads keep more cache lines in flight per instruction window, which is
 * what a single core needs to pull the most from memory. */
__attribute__((target_clones("avx512f", "avx2", "default"))) double
bench_read_sum_wide(const double *x, size_t n)
{
    return read_sum(x, n);
}
