/*
 * AVX2 block kernels. The canonical order of reduce.h with the 32 lanes in
 * eight ymm registers: lanes 0-3, 4-7, ..., 28-31. Built with -mavx2 -mfma
 * -ffp-contract=off (no FMA is used: every path rounds products alike);
 * called only when the CPU has AVX2 and FMA.
 */
#include <immintrin.h>
#include <math.h>

#include "kernels/reduce/reduce.h"

#define INLINE KP_INLINE

/* 4 elements from index i, as doubles. */
INLINE __m256d load4(const void *p, size_t i, int f32)
{
    if (f32) return _mm256_cvtps_pd(_mm_loadu_ps((const float *)p + i));
    return _mm256_loadu_pd((const double *)p + i);
}

/* The first `count` (1..3) of them; the rest 0 and never read. */
INLINE __m256d load4_part(const void *p, size_t i, size_t count, int f32)
{
    __m128i k32 = _mm_cmpgt_epi32(_mm_set1_epi32((int)count), _mm_set_epi32(3, 2, 1, 0));
    if (f32) return _mm256_cvtps_pd(_mm_maskload_ps((const float *)p + i, k32));
    return _mm256_maskload_pd((const double *)p + i, _mm256_cvtepi32_epi64(k32));
}

INLINE __m256d transform(kp__op o, __m256d v, __m256d w, __m256d c)
{
    switch (o) {
    case KP_OP_SUM: return v;
    case KP_OP_DOT: return _mm256_mul_pd(v, w);
    case KP_OP_ASUM: return _mm256_andnot_pd(_mm256_set1_pd(-0.0), v);
    case KP_OP_SUMSQ: v = _mm256_mul_pd(v, c); return _mm256_mul_pd(v, v);
    case KP_OP_SQDEV: v = _mm256_sub_pd(v, c); return _mm256_mul_pd(v, v);
    }
    return v;
}

INLINE __m256d elem4(kp__op o, const void *x, const void *y, size_t i, __m256d c, int f32)
{
    __m256d w = o == KP_OP_DOT ? load4(y, i, f32) : c;
    return transform(o, load4(x, i, f32), w, c);
}

/* Elements [i, i + count), count in 1..3, the rest -0.0 (adds nothing). */
INLINE __m256d elem4_part(kp__op o, const void *x, const void *y, size_t i, size_t count, __m256d c,
                          int f32)
{
    __m256d w = o == KP_OP_DOT ? load4_part(y, i, count, f32) : c;
    __m256d v = transform(o, load4_part(x, i, count, f32), w, c);
    __m256d keep = _mm256_castsi256_pd(
        _mm256_cmpgt_epi64(_mm256_set1_epi64x((long long)count), _mm256_set_epi64x(3, 2, 1, 0)));
    return _mm256_blendv_pd(_mm256_set1_pd(-0.0), v, keep);
}

typedef struct lanes {
    __m256d q0, q1, q2, q3, q4, q5, q6, q7; /* named, not an array: kept in registers */
} lanes;

INLINE void add_lanes(lanes *a, const lanes *b)
{
    a->q0 = _mm256_add_pd(a->q0, b->q0);
    a->q1 = _mm256_add_pd(a->q1, b->q1);
    a->q2 = _mm256_add_pd(a->q2, b->q2);
    a->q3 = _mm256_add_pd(a->q3, b->q3);
    a->q4 = _mm256_add_pd(a->q4, b->q4);
    a->q5 = _mm256_add_pd(a->q5, b->q5);
    a->q6 = _mm256_add_pd(a->q6, b->q6);
    a->q7 = _mm256_add_pd(a->q7, b->q7);
}

/* a += b, computed where it stands (kern_avx512.c's add_lanes_here). */
INLINE void add_lanes_here(lanes *a, const lanes *b)
{
    add_lanes(a, b);
    __asm__ volatile(""
                     : "+v"(a->q0), "+v"(a->q1), "+v"(a->q2), "+v"(a->q3), "+v"(a->q4), "+v"(a->q5),
                       "+v"(a->q6), "+v"(a->q7));
}

/* One full leaf at `base`: eight accumulators kept in registers. */
INLINE lanes leaf(kp__op o, const void *x, const void *y, size_t base, __m256d c, int f32)
{
    __m256d a0 = _mm256_set1_pd(-0.0), a1 = a0, a2 = a0, a3 = a0;
    __m256d a4 = a0, a5 = a0, a6 = a0, a7 = a0;
#pragma GCC unroll 8
    for (size_t r = 0; r < KP_ROWS; r++) {
        size_t i = base + r * KP_LANES;
        a0 = _mm256_add_pd(a0, elem4(o, x, y, i, c, f32));
        a1 = _mm256_add_pd(a1, elem4(o, x, y, i + 4, c, f32));
        a2 = _mm256_add_pd(a2, elem4(o, x, y, i + 8, c, f32));
        a3 = _mm256_add_pd(a3, elem4(o, x, y, i + 12, c, f32));
        a4 = _mm256_add_pd(a4, elem4(o, x, y, i + 16, c, f32));
        a5 = _mm256_add_pd(a5, elem4(o, x, y, i + 20, c, f32));
        a6 = _mm256_add_pd(a6, elem4(o, x, y, i + 24, c, f32));
        a7 = _mm256_add_pd(a7, elem4(o, x, y, i + 28, c, f32));
        /* Keep the rows in order: memory is then read sequentially. */
        __asm__ volatile(""
                         : "+v"(a0), "+v"(a1), "+v"(a2), "+v"(a3), "+v"(a4), "+v"(a5), "+v"(a6),
                           "+v"(a7)
                         :
                         : "memory");
    }
    lanes l = {a0, a1, a2, a3, a4, a5, a6, a7};
    return l;
}

/* A leaf of fewer than KP_LEAF elements: missing ones add nothing. */
INLINE lanes leaf_part(kp__op o, const void *x, const void *y, size_t base, size_t m, __m256d c,
                       int f32)
{
    __m256d a0 = _mm256_set1_pd(-0.0), a1 = a0, a2 = a0, a3 = a0;
    __m256d a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    size_t i = base;
    for (; m - i >= KP_LANES; i += KP_LANES) { /* whole rows */
        a0 = _mm256_add_pd(a0, elem4(o, x, y, i, c, f32));
        a1 = _mm256_add_pd(a1, elem4(o, x, y, i + 4, c, f32));
        a2 = _mm256_add_pd(a2, elem4(o, x, y, i + 8, c, f32));
        a3 = _mm256_add_pd(a3, elem4(o, x, y, i + 12, c, f32));
        a4 = _mm256_add_pd(a4, elem4(o, x, y, i + 16, c, f32));
        a5 = _mm256_add_pd(a5, elem4(o, x, y, i + 20, c, f32));
        a6 = _mm256_add_pd(a6, elem4(o, x, y, i + 24, c, f32));
        a7 = _mm256_add_pd(a7, elem4(o, x, y, i + 28, c, f32));
    }
    /* the last, partial row: groups of 4 that are full, then the rest */
    __m256d *a[8] = {&a0, &a1, &a2, &a3, &a4, &a5, &a6, &a7};
    for (int q = 0; q < 8 && i < m; q++, i += 4)
        *a[q] = _mm256_add_pd(*a[q], m - i >= 4 ? elem4(o, x, y, i, c, f32)
                                                : elem4_part(o, x, y, i, m - i, c, f32));
    lanes l = {a0, a1, a2, a3, a4, a5, a6, a7};
    return l;
}

INLINE lanes leaf_any(kp__op o, const void *x, const void *y, size_t base, size_t m, __m256d c,
                      int f32)
{
    return m - base >= KP_LEAF ? leaf(o, x, y, base, c, f32) : leaf_part(o, x, y, base, m, c, f32);
}

/* Lanes l + 16, l + 8, l + 4, l + 2, l + 1: the block's value. */
INLINE double fold_lanes(const lanes *t)
{
    __m256d h0 = _mm256_add_pd(t->q0, t->q4), h1 = _mm256_add_pd(t->q1, t->q5);
    __m256d h2 = _mm256_add_pd(t->q2, t->q6), h3 = _mm256_add_pd(t->q3, t->q7);
    __m256d v4 = _mm256_add_pd(_mm256_add_pd(h0, h2), _mm256_add_pd(h1, h3));
    __m128d v2 = _mm_add_pd(_mm256_castpd256_pd128(v4), _mm256_extractf128_pd(v4, 1));
    return _mm_cvtsd_f64(_mm_add_sd(v2, _mm_unpackhi_pd(v2, v2)));
}

#define KP_TREE_VEC __m256d
#include "kernels/reduce/kern_tree.h"

/* The same tree with the finished leaves and subtrees waiting on the stack,
 * combined as each pair completes. */
INLINE double canon_on_stack(kp__op o, const void *x, const void *y, size_t m, __m256d c, int f32)
{
    lanes stack[8];
    int depth = 0;
    size_t leaves = 0;
    for (size_t base = 0; base < m; base += KP_LEAF) {
        stack[depth++] = leaf_any(o, x, y, base, m, c, f32);
        for (size_t n = ++leaves; (n & 1) == 0; n >>= 1) {
            depth--;
            add_lanes(&stack[depth - 1], &stack[depth]);
        }
    }
    for (; depth > 1; depth--)
        add_lanes(&stack[depth - 2], &stack[depth - 1]);
    return fold_lanes(&stack[0]);
}

/* Sixteen registers hold a subtree in the making and a leaf's accumulators
 * where the elements are doubles taken as they are, multiplied or made
 * absolute; floats (converted first) and squares (a second product) need
 * more, and spill. Measured on Zen 5 with the AVX2 kernels forced:
 * registers 1.06-1.45x faster than the stack for dsum, ddot and dasum
 * from 1e3 to 1e5 elements and within 5% either way from 1e6 (dasum 3%
 * slower, ddot 10% faster); the stack 1.03-1.1x faster for dnrm2 and sdot
 * (the squares and floats), level for ssum. Both give the same bits: the
 * tree is the same. */
INLINE double canon(kp__op o, const void *x, const void *y, size_t m, double cval, int f32)
{
    const __m256d c = _mm256_set1_pd(cval);
    if (!f32 && (o == KP_OP_SUM || o == KP_OP_DOT || o == KP_OP_ASUM)) {
        lanes t = tree_block(o, x, y, m, c, f32);
        return fold_lanes(&t);
    }
    return canon_on_stack(o, x, y, m, c, f32);
}

static double absmax_d(const double *x, size_t m)
{
    const __m256d sign = _mm256_set1_pd(-0.0);
    __m256d best = _mm256_setzero_pd(), nan = _mm256_setzero_pd();
    size_t i = 0;
    for (; i + 4 <= m; i += 4) {
        __m256d v = _mm256_andnot_pd(sign, _mm256_loadu_pd(x + i));
        nan = _mm256_or_pd(nan, _mm256_cmp_pd(v, v, _CMP_UNORD_Q));
        best = _mm256_max_pd(best, v);
    }
    double b[4];
    _mm256_storeu_pd(b, best);
    if (_mm256_movemask_pd(nan)) return NAN;
    double r = b[0];
    for (int l = 1; l < 4; l++)
        r = b[l] > r ? b[l] : r;
    for (; i < m; i++) {
        double a = fabs(x[i]);
        if (isnan(a)) return a;
        if (a > r) r = a;
    }
    return r;
}

/* First extremes, 4 lanes, as in kern_avx512.c. */
INLINE void minmax(const void *x, size_t m, int f32, kp__extrema *out)
{
    if (m < 8) {
        kp__minmax_portable(x, m, f32, out);
        return;
    }
    const __m256d lane = _mm256_set_pd(3, 2, 1, 0);
    __m256d mn = load4(x, 0, f32), mx = mn, imn = lane, imx = lane;
    __m256d nan = _mm256_cmp_pd(mn, mn, _CMP_UNORD_Q);
    for (size_t i = 4;; i += 4) {
        if (i + 4 > m) i = m - 4; /* the last 4, overlapping: lanes still see increasing indices */
        __m256d idx = _mm256_add_pd(_mm256_set1_pd((double)i), lane);
        __m256d v = load4(x, i, f32);
        nan = _mm256_or_pd(nan, _mm256_cmp_pd(v, v, _CMP_UNORD_Q));
        __m256d lt = _mm256_cmp_pd(v, mn, _CMP_LT_OQ);
        __m256d gt = _mm256_cmp_pd(v, mx, _CMP_GT_OQ);
        mn = _mm256_blendv_pd(mn, v, lt);
        imn = _mm256_blendv_pd(imn, idx, lt);
        mx = _mm256_blendv_pd(mx, v, gt);
        imx = _mm256_blendv_pd(imx, idx, gt);
        if (i + 4 >= m) break;
    }
    if (_mm256_movemask_pd(nan)) {
        kp__minmax_portable(x, m, f32, out);
        return;
    }
    double vmn[4], vmx[4], jmn[4], jmx[4];
    _mm256_storeu_pd(vmn, mn);
    _mm256_storeu_pd(vmx, mx);
    _mm256_storeu_pd(jmn, imn);
    _mm256_storeu_pd(jmx, imx);
    kp__extrema e = {vmn[0], vmx[0], (size_t)jmn[0], (size_t)jmx[0]};
    for (int l = 1; l < 4; l++) {
        if (vmn[l] < e.min || (vmn[l] == e.min && (size_t)jmn[l] < e.imin))
            e.min = vmn[l], e.imin = (size_t)jmn[l];
        if (vmx[l] > e.max || (vmx[l] == e.max && (size_t)jmx[l] < e.imax))
            e.max = vmx[l], e.imax = (size_t)jmx[l];
    }
    *out = e;
}

#define KP_REDUCE_TABLE kp__reduce_avx2
#include "kernels/reduce/kern_table.h"
