/*
 * The portable block kernels: the reference for the canonical order of
 * reduce.h, in plain C. The SIMD kernels must give the same bits.
 *
 * One generic routine, canon(), walks the order; each kernel is a call with a
 * constant operation and element type, which the compiler specialises.
 */
#include <math.h>

#include "kernels/reduce/reduce.h"

#define INLINE KP_INLINE

INLINE double load(const void *p, size_t i, int f32)
{
    return f32 ? (double)((const float *)p)[i] : ((const double *)p)[i];
}

INLINE double element(kp__op o, const void *x, const void *y, size_t i, double c, int f32)
{
    double v = load(x, i, f32);
    switch (o) {
    case KP_OP_SUM: return v;
    case KP_OP_DOT: return v * load(y, i, f32);
    case KP_OP_ASUM: return fabs(v);
    case KP_OP_SUMSQ: v *= c; return v * v;
    case KP_OP_SQDEV: v -= c; return v * v;
    }
    return v;
}

typedef struct lanes {
    double v[KP_LANES];
} lanes;

INLINE void add_lanes(lanes *a, const lanes *b)
{
    for (int l = 0; l < KP_LANES; l++)
        a->v[l] += b->v[l];
}

/* Pushes a leaf and merges the two topmost entries while the leaf count is
 * even at that level: the stack form of the pairwise tree. */
INLINE void push_leaf(lanes *stack, int *depth, size_t leaves_done, const lanes *leaf)
{
    stack[(*depth)++] = *leaf;
    for (size_t c = leaves_done; (c & 1) == 0; c >>= 1) {
        --*depth;
        add_lanes(&stack[*depth - 1], &stack[*depth]);
    }
}

/* The right fold that finishes the pairwise tree: the topmost entries are
 * the smallest subtrees. */
INLINE double finish(lanes *stack, int depth)
{
    for (; depth > 1; depth--)
        add_lanes(&stack[depth - 2], &stack[depth - 1]);
    lanes *v = &stack[0];
    for (int half = KP_LANES / 2; half >= 1; half /= 2)
        for (int l = 0; l < half; l++)
            v->v[l] += v->v[l + half];
    return v->v[0];
}

INLINE double canon(kp__op o, const void *x, const void *y, size_t m, double c, int f32)
{
    lanes stack[8]; /* 16 leaves per block: depth <= 5 */
    int depth = 0;
    size_t leaves = 0;
    for (size_t base = 0; base < m; base += KP_LEAF) {
        lanes acc;
        for (int l = 0; l < KP_LANES; l++)
            acc.v[l] = -0.0;
        if (m - base >= KP_LEAF) {
            for (size_t r = 0; r < KP_ROWS; r++)
                for (size_t l = 0; l < KP_LANES; l++)
                    acc.v[l] += element(o, x, y, base + r * KP_LANES + l, c, f32);
        } else {
            for (size_t r = 0; r < KP_ROWS; r++)
                for (size_t l = 0; l < KP_LANES; l++) {
                    size_t i = base + r * KP_LANES + l;
                    if (i < m) acc.v[l] += element(o, x, y, i, c, f32);
                }
        }
        push_leaf(stack, &depth, ++leaves, &acc);
    }
    return finish(stack, depth);
}

static double absmax_d(const double *x, size_t m)
{
    double best = 0;
    for (size_t i = 0; i < m; i++) {
        double a = fabs(x[i]);
        if (isnan(a)) return a;
        if (a > best) best = a;
    }
    return best;
}

INLINE void minmax(const void *x, size_t m, int f32, kp__extrema *out)
{
    kp__extrema e = {load(x, 0, f32), load(x, 0, f32), 0, 0};
    if (isnan(e.min)) {
        *out = e;
        return;
    }
    for (size_t i = 1; i < m; i++) {
        double v = load(x, i, f32);
        if (isnan(v)) {
            e.min = e.max = v;
            e.imin = e.imax = i;
            break;
        }
        if (v < e.min) e.min = v, e.imin = i;
        if (v > e.max) e.max = v, e.imax = i;
    }
    *out = e;
}

#define KP_REDUCE_TABLE kp__reduce_portable
#include "kernels/reduce/kern_table.h"
