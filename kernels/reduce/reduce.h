/*
 * Internals of the reductions: the block kernels each instruction set
 * provides, and the one order of additions they all keep.
 *
 * The canonical order (every path must give these bits):
 *   A block holds m <= KP_BLOCK elements e_0 .. e_{m-1} (already transformed:
 *   x_i, x_i * y_i, |x_i|, (s x_i)^2 or (x_i - c)^2, all in double).
 *   Leaves: leaf k covers elements [256 k, 256 k + 256). In a leaf, lane
 *   l (0..31) adds its elements 256 k + 32 r + l, r = 0..7, in order of r,
 *   starting from -0.0 (the identity of IEEE addition); a missing element
 *   adds nothing.
 *   The leaves' 32-lane vectors are combined by the pairwise tree below, lane
 *   by lane; then the lanes: v[l] += v[l + 16] for l < 16, then l + 8, l + 4,
 *   l + 2, l + 1: the block's value is v[0].
 *   Pairwise tree over N items: T(N) = T(P) + T(N - P) over the first P and
 *   the rest, P the largest power of two below N; T(1) is the item.
 *   Blocks are combined by the same tree (reduce.c).
 * Products and squares are rounded before they are added (no FMA), and
 * float elements are converted to double first.
 */
#ifndef KP_REDUCE_H
#define KP_REDUCE_H

#include <stddef.h>

#include "sched/internal.h"

#define KP_BLOCK 4096 /* elements per block */
#define KP_LANES 32
#define KP_ROWS  8 /* rows of 32 lanes in a leaf */
#define KP_LEAF  (KP_LANES * KP_ROWS)

/* The transformation of each element before it is added (e_i above). */
typedef enum { KP_OP_SUM, KP_OP_DOT, KP_OP_ASUM, KP_OP_SUMSQ, KP_OP_SQDEV } kp__op;

/* First minimum and maximum of a block, indices relative to the block. NaN:
 * both extremes are the first NaN. */
typedef struct kp__extrema {
    double min, max;
    size_t imin, imax;
} kp__extrema;

typedef struct kp__reduce_kernels {
    /* canonical sums of e_i over x[0 .. m), 1 <= m <= KP_BLOCK */
    double (*sum_d)(const double *x, size_t m);
    double (*sum_s)(const float *x, size_t m);
    double (*dot_d)(const double *x, const double *y, size_t m);
    double (*dot_s)(const float *x, const float *y, size_t m);
    double (*asum_d)(const double *x, size_t m);
    double (*asum_s)(const float *x, size_t m);
    double (*sumsq_d)(const double *x, size_t m, double scale); /* (scale x_i)^2 */
    double (*sumsq_s)(const float *x, size_t m, double scale);
    double (*sqdev_d)(const double *x, size_t m, double center); /* (x_i - center)^2 */
    double (*sqdev_s)(const float *x, size_t m, double center);
    /* max |x_i| (any order; NaN if any x_i is NaN) */
    double (*absmax_d)(const double *x, size_t m);
    /* first extremes (any order of work; the result is unique) */
    void (*minmax_d)(const double *x, size_t m, kp__extrema *out);
    void (*minmax_s)(const float *x, size_t m, kp__extrema *out);
} kp__reduce_kernels;

extern const kp__reduce_kernels kp__reduce_portable;
#if defined(__x86_64__)
extern const kp__reduce_kernels kp__reduce_avx2;
extern const kp__reduce_kernels kp__reduce_avx512;
#endif

/* The portable first extremes, for blocks a SIMD kernel hands back (short
 * ones, or ones holding a NaN). */
static inline void kp__minmax_portable(const void *x, size_t m, int f32, kp__extrema *out)
{
    if (f32)
        kp__reduce_portable.minmax_s(x, m, out);
    else
        kp__reduce_portable.minmax_d(x, m, out);
}

/* The kernels of the selected instruction set (kp__isa_selected()). */
const kp__reduce_kernels *kp__reduce_kernels_get(void);

#endif
