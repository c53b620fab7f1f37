/*
 * AVX-512 block kernels (F, DQ, BW, VL). The canonical order of reduce.h with
 * the 32 lanes in four zmm registers: lanes 0-7, 8-15, 16-23, 24-31.
 * Built with -mavx512f -mavx512dq -mavx512bw -mavx512vl -ffp-contract=off;
 * called only when the CPU has them.
 */
#include <immintrin.h>
#include <math.h>

#include "kernels/reduce/reduce.h"

#define INLINE KP_INLINE

/* 8 elements from index i, as doubles; load8_part loads those in mask k. */
INLINE __m512d load8(const void *p, size_t i, int f32)
{
    if (f32) return _mm512_cvtps_pd(_mm256_loadu_ps((const float *)p + i));
    return _mm512_loadu_pd((const double *)p + i);
}

INLINE __m512d load8_part(const void *p, size_t i, __mmask8 k, int f32)
{
    if (f32) return _mm512_cvtps_pd(_mm256_maskz_loadu_ps(k, (const float *)p + i));
    return _mm512_maskz_loadu_pd(k, (const double *)p + i);
}

INLINE __m512d transform(kp__op o, __m512d v, __m512d w, __m512d c)
{
    switch (o) {
    case KP_OP_SUM: return v;
    case KP_OP_DOT: return _mm512_mul_pd(v, w);
    case KP_OP_ASUM: return _mm512_abs_pd(v);
    case KP_OP_SUMSQ: v = _mm512_mul_pd(v, c); return _mm512_mul_pd(v, v);
    case KP_OP_SQDEV: v = _mm512_sub_pd(v, c); return _mm512_mul_pd(v, v);
    }
    return v;
}

INLINE __m512d elem8(kp__op o, const void *x, const void *y, size_t i, __m512d c, int f32)
{
    __m512d w = o == KP_OP_DOT ? load8(y, i, f32) : c;
    return transform(o, load8(x, i, f32), w, c);
}

/* Elements [i, i + count), count in 0..8, the rest -0.0 (adds nothing). */
INLINE __m512d elem8_part(kp__op o, const void *x, const void *y, size_t i, size_t count, __m512d c,
                          int f32)
{
    __mmask8 k = (__mmask8)((1u << count) - 1);
    __m512d w = o == KP_OP_DOT ? load8_part(y, i, k, f32) : c;
    __m512d v = transform(o, load8_part(x, i, k, f32), w, c);
    return _mm512_mask_blend_pd(k, _mm512_set1_pd(-0.0), v);
}

typedef struct lanes {
    __m512d q0, q1, q2, q3; /* named, not an array: GCC keeps them in registers */
} lanes;

INLINE void add_lanes(lanes *a, const lanes *b)
{
    a->q0 = _mm512_add_pd(a->q0, b->q0);
    a->q1 = _mm512_add_pd(a->q1, b->q1);
    a->q2 = _mm512_add_pd(a->q2, b->q2);
    a->q3 = _mm512_add_pd(a->q3, b->q3);
}

/* a += b, computed where it stands: the asm keeps the sums in program order.
 * Left free, GCC moves a whole block's tree additions past the leaves that
 * follow and spills the leaves' accumulators to the stack (a dot product
 * from level 2 ran 4-5% slower). */
INLINE void add_lanes_here(lanes *a, const lanes *b)
{
    add_lanes(a, b);
    __asm__ volatile("" : "+v"(a->q0), "+v"(a->q1), "+v"(a->q2), "+v"(a->q3));
}

/* One full leaf at `base`: four accumulators kept in registers. */
INLINE lanes leaf(kp__op o, const void *x, const void *y, size_t base, __m512d c, int f32)
{
    __m512d a0 = _mm512_set1_pd(-0.0), a1 = a0, a2 = a0, a3 = a0;
#pragma GCC unroll 8
    for (size_t r = 0; r < KP_ROWS; r++) {
        size_t i = base + r * KP_LANES;
        a0 = _mm512_add_pd(a0, elem8(o, x, y, i, c, f32));
        a1 = _mm512_add_pd(a1, elem8(o, x, y, i + 8, c, f32));
        a2 = _mm512_add_pd(a2, elem8(o, x, y, i + 16, c, f32));
        a3 = _mm512_add_pd(a3, elem8(o, x, y, i + 24, c, f32));
        /* Keep the rows in order: memory is then read sequentially, which
         * the hardware prefetchers follow (a dot product from memory ran
         * 35% faster than with the compiler's own order). */
        __asm__ volatile("" : "+v"(a0), "+v"(a1), "+v"(a2), "+v"(a3) : : "memory");
    }
    lanes l = {a0, a1, a2, a3};
    return l;
}

/* How many of the first r elements of a row fall in the group of 8 that
 * starts at `first`. */
INLINE size_t in_group(size_t r, size_t first)
{
    return r <= first ? 0 : r - first < 8 ? r - first : 8;
}

/* A leaf of fewer than KP_LEAF elements: missing ones add nothing. */
INLINE lanes leaf_part(kp__op o, const void *x, const void *y, size_t base, size_t m, __m512d c,
                       int f32)
{
    __m512d a0 = _mm512_set1_pd(-0.0), a1 = a0, a2 = a0, a3 = a0;
    size_t i = base;
    for (; m - i >= KP_LANES; i += KP_LANES) { /* whole rows */
        a0 = _mm512_add_pd(a0, elem8(o, x, y, i, c, f32));
        a1 = _mm512_add_pd(a1, elem8(o, x, y, i + 8, c, f32));
        a2 = _mm512_add_pd(a2, elem8(o, x, y, i + 16, c, f32));
        a3 = _mm512_add_pd(a3, elem8(o, x, y, i + 24, c, f32));
    }
    if (i < m) {
        /* The last, partial row, as four masked groups: a group's missing
         * elements are -0.0, and adding -0.0 leaves every value unchanged
         * (+0.0 and NaN included). */
        size_t r = m - i;
        a0 = _mm512_add_pd(a0, elem8_part(o, x, y, i, in_group(r, 0), c, f32));
        a1 = _mm512_add_pd(a1, elem8_part(o, x, y, i + 8, in_group(r, 8), c, f32));
        a2 = _mm512_add_pd(a2, elem8_part(o, x, y, i + 16, in_group(r, 16), c, f32));
        a3 = _mm512_add_pd(a3, elem8_part(o, x, y, i + 24, in_group(r, 24), c, f32));
    }
    lanes l = {a0, a1, a2, a3};
    return l;
}

INLINE lanes leaf_any(kp__op o, const void *x, const void *y, size_t base, size_t m, __m512d c,
                      int f32)
{
    return m - base >= KP_LEAF ? leaf(o, x, y, base, c, f32) : leaf_part(o, x, y, base, m, c, f32);
}

#define KP_TREE_VEC __m512d
#include "kernels/reduce/kern_tree.h"

/* Lanes l + 16, l + 8, l + 4, l + 2, l + 1: the block's value. */
INLINE double fold_lanes(const lanes *t)
{
    __m512d a = _mm512_add_pd(t->q0, t->q2);
    __m512d b = _mm512_add_pd(t->q1, t->q3);
    __m512d v8 = _mm512_add_pd(a, b);
    __m256d v4 = _mm256_add_pd(_mm512_castpd512_pd256(v8), _mm512_extractf64x4_pd(v8, 1));
    __m128d v2 = _mm_add_pd(_mm256_castpd256_pd128(v4), _mm256_extractf128_pd(v4, 1));
    return _mm_cvtsd_f64(_mm_add_sd(v2, _mm_unpackhi_pd(v2, v2)));
}

/* A block's canonical value: its tree (kern_tree.h), then its lanes. */
INLINE double canon(kp__op o, const void *x, const void *y, size_t m, double cval, int f32)
{
    lanes t = tree_block(o, x, y, m, _mm512_set1_pd(cval), f32);
    return fold_lanes(&t);
}

static double absmax_d(const double *x, size_t m)
{
    __m512d best = _mm512_setzero_pd();
    __mmask8 nan = 0;
    size_t i = 0;
    for (; i + 8 <= m; i += 8) {
        __m512d v = _mm512_abs_pd(_mm512_loadu_pd(x + i));
        nan |= _mm512_cmp_pd_mask(v, v, _CMP_UNORD_Q);
        best = _mm512_max_pd(best, v);
    }
    if (i < m) {
        __mmask8 k = (__mmask8)((1u << (m - i)) - 1);
        __m512d v = _mm512_abs_pd(_mm512_maskz_loadu_pd(k, x + i));
        nan |= _mm512_cmp_pd_mask(v, v, _CMP_UNORD_Q);
        best = _mm512_max_pd(best, v);
    }
    if (nan) return NAN;
    return _mm512_reduce_max_pd(best);
}

/* First extremes, 8 lanes: each lane keeps the first occurrence of its
 * extremes (strict comparisons over increasing indices), then the lanes are
 * merged by value, ties to the smaller index. A block holding a NaN goes to
 * the portable kernel, which finds the first one. */
INLINE void minmax(const void *x, size_t m, int f32, kp__extrema *out)
{
    if (m < 16) {
        kp__minmax_portable(x, m, f32, out);
        return;
    }
    __m512d idx = _mm512_set_pd(7, 6, 5, 4, 3, 2, 1, 0);
    __m512d mn = load8(x, 0, f32), mx = mn, imn = idx, imx = idx;
    __mmask8 nan = _mm512_cmp_pd_mask(mn, mn, _CMP_UNORD_Q);
    size_t i = 8;
    for (;; i += 8) {
        if (i + 8 > m) i = m - 8; /* the last 8, overlapping: lanes still see increasing indices */
        idx = _mm512_add_pd(_mm512_set1_pd((double)i), _mm512_set_pd(7, 6, 5, 4, 3, 2, 1, 0));
        __m512d v = load8(x, i, f32);
        nan |= _mm512_cmp_pd_mask(v, v, _CMP_UNORD_Q);
        __mmask8 lt = _mm512_cmp_pd_mask(v, mn, _CMP_LT_OQ);
        __mmask8 gt = _mm512_cmp_pd_mask(v, mx, _CMP_GT_OQ);
        mn = _mm512_mask_blend_pd(lt, mn, v);
        imn = _mm512_mask_blend_pd(lt, imn, idx);
        mx = _mm512_mask_blend_pd(gt, mx, v);
        imx = _mm512_mask_blend_pd(gt, imx, idx);
        if (i + 8 >= m) break;
    }
    if (nan) {
        kp__minmax_portable(x, m, f32, out);
        return;
    }
    double vmn[8], vmx[8], jmn[8], jmx[8];
    _mm512_storeu_pd(vmn, mn);
    _mm512_storeu_pd(vmx, mx);
    _mm512_storeu_pd(jmn, imn);
    _mm512_storeu_pd(jmx, imx);
    kp__extrema e = {vmn[0], vmx[0], (size_t)jmn[0], (size_t)jmx[0]};
    for (int l = 1; l < 8; l++) {
        if (vmn[l] < e.min || (vmn[l] == e.min && (size_t)jmn[l] < e.imin))
            e.min = vmn[l], e.imin = (size_t)jmn[l];
        if (vmx[l] > e.max || (vmx[l] == e.max && (size_t)jmx[l] < e.imax))
            e.max = vmx[l], e.imax = (size_t)jmx[l];
    }
    *out = e;
}

#define KP_REDUCE_TABLE kp__reduce_avx512
#include "kernels/reduce/kern_table.h"
