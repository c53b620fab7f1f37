/*
 * The native engine's AVX-512 kernels (native.h): double in 16 x 8 pieces
 * of C (two vectors of 8 a column), float in 32 x 8 (two of 16). The 16
 * accumulators take two vector loads of A and eight broadcasts of B a step
 * of l: 16 fused multiply-adds for 10 loads, enough independent chains
 * for two FMA pipes of latency 4. Eight columns divide the powers of two
 * that square products mostly come in; 14 (BLIS's choice on Skylake-X)
 * measured no faster on Zen 5 from n = 128 to 2048 and wasted 6/14 of the
 * last sliver at n = 64.
 *
 * Packing: a sliver stored along its width (si == 1) is copied a step at a
 * time with masked loads (the rows past w read as zero); one stored along
 * k (sp == 1) goes through 8 x 8 transposes in registers.
 */
#include <immintrin.h>
#include <stdint.h>

#include "kernels/gemm/native.h"

/* ------------------------------------------------------------- packing */

/* Eight rows of 8 doubles to eight columns: out[q][r] = in[r][q]. Pairs
 * are interleaved, then 128-bit lanes twice. */
static inline void transpose8_pd(__m512d r[8])
{
    __m512d t[8], u[8];
    for (int q = 0; q < 4; q++) {
        t[2 * q] = _mm512_unpacklo_pd(r[2 * q], r[2 * q + 1]);
        t[2 * q + 1] = _mm512_unpackhi_pd(r[2 * q], r[2 * q + 1]);
    }
    /* u[0]: elements 0 and 4 of rows 0-3, u[1]: 2 and 6, u[2]: 1 and 5,
     * u[3]: 3 and 7; u[4..7] the same for rows 4-7. */
    for (int h = 0; h < 2; h++) {
        u[4 * h + 0] = _mm512_shuffle_f64x2(t[4 * h + 0], t[4 * h + 2], 0x88);
        u[4 * h + 1] = _mm512_shuffle_f64x2(t[4 * h + 0], t[4 * h + 2], 0xDD);
        u[4 * h + 2] = _mm512_shuffle_f64x2(t[4 * h + 1], t[4 * h + 3], 0x88);
        u[4 * h + 3] = _mm512_shuffle_f64x2(t[4 * h + 1], t[4 * h + 3], 0xDD);
    }
    r[0] = _mm512_shuffle_f64x2(u[0], u[4], 0x88);
    r[4] = _mm512_shuffle_f64x2(u[0], u[4], 0xDD);
    r[2] = _mm512_shuffle_f64x2(u[1], u[5], 0x88);
    r[6] = _mm512_shuffle_f64x2(u[1], u[5], 0xDD);
    r[1] = _mm512_shuffle_f64x2(u[2], u[6], 0x88);
    r[5] = _mm512_shuffle_f64x2(u[2], u[6], 0xDD);
    r[3] = _mm512_shuffle_f64x2(u[3], u[7], 0x88);
    r[7] = _mm512_shuffle_f64x2(u[3], u[7], 0xDD);
}

/* The same for floats, 8 x 8 in 256-bit vectors. */
static inline void transpose8_ps(__m256 r[8])
{
    __m256 t[8], s[8];
    for (int q = 0; q < 4; q++) {
        t[2 * q] = _mm256_unpacklo_ps(r[2 * q], r[2 * q + 1]);
        t[2 * q + 1] = _mm256_unpackhi_ps(r[2 * q], r[2 * q + 1]);
    }
    /* s[c] holds element c (low half) and c + 4 (high half) of 4 rows. */
    for (int h = 0; h < 2; h++) {
        s[4 * h + 0] = _mm256_shuffle_ps(t[4 * h + 0], t[4 * h + 2], 0x44);
        s[4 * h + 1] = _mm256_shuffle_ps(t[4 * h + 0], t[4 * h + 2], 0xEE);
        s[4 * h + 2] = _mm256_shuffle_ps(t[4 * h + 1], t[4 * h + 3], 0x44);
        s[4 * h + 3] = _mm256_shuffle_ps(t[4 * h + 1], t[4 * h + 3], 0xEE);
    }
    for (int c = 0; c < 4; c++) {
        r[c] = _mm256_permute2f128_ps(s[c], s[4 + c], 0x20);
        r[c + 4] = _mm256_permute2f128_ps(s[c], s[4 + c], 0x31);
    }
}

static inline void pack_d(size_t kc, size_t w, const double *src, size_t si, size_t sp, double *dst,
                          size_t width)
{
    if (si == 1) {
        for (size_t p = 0; p < kc; p++, src += sp, dst += width)
            for (size_t i = 0; i < width; i += 8) {
                size_t left = w > i ? w - i : 0;
                __mmask8 mask = left >= 8 ? 0xFF : (__mmask8)((1u << left) - 1);
                _mm512_storeu_pd(dst + i, _mm512_maskz_loadu_pd(mask, src + i));
            }
        return;
    }
    size_t p = 0;
    for (; p + 8 <= kc; p += 8)
        for (size_t i = 0; i < width; i += 8) {
            __m512d r[8];
            for (size_t q = 0; q < 8; q++)
                r[q] = i + q < w ? _mm512_loadu_pd(src + (i + q) * si + p) : _mm512_setzero_pd();
            transpose8_pd(r);
            for (size_t q = 0; q < 8; q++)
                _mm512_storeu_pd(dst + (p + q) * width + i, r[q]);
        }
    for (; p < kc; p++)
        for (size_t i = 0; i < width; i++)
            dst[p * width + i] = i < w ? src[i * si + p] : 0;
}

static inline void pack_s(size_t kc, size_t w, const float *src, size_t si, size_t sp, float *dst,
                          size_t width)
{
    if (si == 1) {
        for (size_t p = 0; p < kc; p++, src += sp, dst += width)
            for (size_t i = 0; i < width; i += 8) {
                size_t left = w > i ? w - i : 0;
                __mmask8 mask = left >= 8 ? 0xFF : (__mmask8)((1u << left) - 1);
                _mm256_storeu_ps(dst + i, _mm256_maskz_loadu_ps(mask, src + i));
            }
        return;
    }
    size_t p = 0;
    for (; p + 8 <= kc; p += 8)
        for (size_t i = 0; i < width; i += 8) {
            __m256 r[8];
            for (size_t q = 0; q < 8; q++)
                r[q] = i + q < w ? _mm256_loadu_ps(src + (i + q) * si + p) : _mm256_setzero_ps();
            transpose8_ps(r);
            for (size_t q = 0; q < 8; q++)
                _mm256_storeu_ps(dst + (p + q) * width + i, r[q]);
        }
    for (; p < kc; p++)
        for (size_t i = 0; i < width; i++)
            dst[p * width + i] = i < w ? src[i * si + p] : 0;
}

#define MR_D 16
#define MR_S 32
#define NR   8

static void pack_a_d(size_t kc, size_t w, const void *src, size_t si, size_t sp, void *dst)
{
    pack_d(kc, w, src, si, sp, dst, MR_D);
}

static void pack_b_d(size_t kc, size_t w, const void *src, size_t si, size_t sp, void *dst)
{
    pack_d(kc, w, src, si, sp, dst, NR);
}

static void pack_a_s(size_t kc, size_t w, const void *src, size_t si, size_t sp, void *dst)
{
    pack_s(kc, w, src, si, sp, dst, MR_S);
}

static void pack_b_s(size_t kc, size_t w, const void *src, size_t si, size_t sp, void *dst)
{
    pack_s(kc, w, src, si, sp, dst, NR);
}

/* Complex slivers for the 1m method (native.h): per step, mr reals of
 * alpha a, then the same with each pair swapped and its real part negated.
 * alpha a is (ar re - ai im, ar im + ai re): products, then the difference
 * in the real lanes and the sum in the imaginary ones (mask 0xAA...), as
 * the scalar path rounds it; a real alpha takes (ar re, ar im) only, so
 * alpha = 1 leaves an infinite a without a NaN part. Masked loads zero the
 * rows past w; negation flips the sign bit, as C's unary minus does. */
static inline __m512d alpha_times_pd(__m512d x, __m512d ar, __m512d ai, int real_alpha)
{
    __m512d p = _mm512_mul_pd(ar, x);
    if (real_alpha) return p;
    __m512d q = _mm512_mul_pd(ai, _mm512_permute_pd(x, 0x55));
    return _mm512_mask_add_pd(_mm512_sub_pd(p, q), 0xAA, p, q);
}

static inline __m512 alpha_times_ps(__m512 x, __m512 ar, __m512 ai, int real_alpha)
{
    __m512 p = _mm512_mul_ps(ar, x);
    if (real_alpha) return p;
    __m512 q = _mm512_mul_ps(ai, _mm512_permute_ps(x, 0xB1));
    return _mm512_mask_add_ps(_mm512_sub_ps(p, q), 0xAAAA, p, q);
}

static void pack_a_z(size_t kc, size_t w, const void *src, size_t ld, const void *alpha, void *dst)
{
    const double *a = src, *al = alpha;
    double *d = dst;
    const __m512d ar = _mm512_set1_pd(al[0]), ai = _mm512_set1_pd(al[1]);
    const __m512i re_sign =
        _mm512_set_epi64(0, INT64_MIN, 0, INT64_MIN, 0, INT64_MIN, 0, INT64_MIN);
    const int real_alpha = al[1] == 0;
    for (size_t l = 0; l < kc; l++, a += 2 * ld, d += 2 * MR_D)
        for (size_t i = 0; i < MR_D; i += 8) {
            size_t left = 2 * w > i ? 2 * w - i : 0;
            __mmask8 mask = left >= 8 ? 0xFF : (__mmask8)((1u << left) - 1);
            __m512d y = alpha_times_pd(_mm512_maskz_loadu_pd(mask, a + i), ar, ai, real_alpha);
            __m512i z = _mm512_castpd_si512(_mm512_permute_pd(y, 0x55));
            _mm512_storeu_pd(d + i, y);
            _mm512_storeu_pd(d + MR_D + i, _mm512_castsi512_pd(_mm512_xor_si512(z, re_sign)));
        }
}

static void pack_a_c(size_t kc, size_t w, const void *src, size_t ld, const void *alpha, void *dst)
{
    const float *a = src, *al = alpha;
    float *d = dst;
    const __m512 ar = _mm512_set1_ps(al[0]), ai = _mm512_set1_ps(al[1]);
    const __m512i re_sign = _mm512_set1_epi64(INT32_MIN & 0xFFFFFFFFll);
    const int real_alpha = al[1] == 0;
    for (size_t l = 0; l < kc; l++, a += 2 * ld, d += 2 * MR_S)
        for (size_t i = 0; i < MR_S; i += 16) {
            size_t left = 2 * w > i ? 2 * w - i : 0;
            __mmask16 mask = left >= 16 ? 0xFFFF : (__mmask16)((1u << left) - 1);
            __m512 y = alpha_times_ps(_mm512_maskz_loadu_ps(mask, a + i), ar, ai, real_alpha);
            __m512i z = _mm512_castps_si512(_mm512_permute_ps(y, 0xB1));
            _mm512_storeu_ps(d + i, y);
            _mm512_storeu_ps(d + MR_S + i, _mm512_castsi512_ps(_mm512_xor_si512(z, re_sign)));
        }
}

/* -------------------------------------------------------- micro-kernels */

static void micro_d(size_t kc, const void *ap, const void *bp, const void *alpha, const void *beta,
                    void *cp, size_t ldc)
{
    const double *a = ap, *b = bp;
    double *c = cp;
    __m512d x[NR], y[NR];
#pragma GCC unroll 8
    for (int j = 0; j < NR; j++)
        x[j] = y[j] = _mm512_setzero_pd();
    for (size_t l = 0; l < kc; l++, a += MR_D, b += NR) {
        __m512d a0 = _mm512_load_pd(a), a1 = _mm512_load_pd(a + 8);
#pragma GCC unroll 8
        for (int j = 0; j < NR; j++) {
            __m512d bj = _mm512_set1_pd(b[j]);
            x[j] = _mm512_fmadd_pd(a0, bj, x[j]);
            y[j] = _mm512_fmadd_pd(a1, bj, y[j]);
        }
    }
    const __m512d va = _mm512_set1_pd(*(const double *)alpha);
    const double be = *(const double *)beta;
    if (be == 0) {
#pragma GCC unroll 8
        for (int j = 0; j < NR; j++) {
            _mm512_storeu_pd(c + j * ldc, _mm512_mul_pd(va, x[j]));
            _mm512_storeu_pd(c + j * ldc + 8, _mm512_mul_pd(va, y[j]));
        }
        return;
    }
    const __m512d vb = _mm512_set1_pd(be);
#pragma GCC unroll 8
    for (int j = 0; j < NR; j++) {
        __m512d c0 = _mm512_mul_pd(vb, _mm512_loadu_pd(c + j * ldc));
        __m512d c1 = _mm512_mul_pd(vb, _mm512_loadu_pd(c + j * ldc + 8));
        _mm512_storeu_pd(c + j * ldc, _mm512_fmadd_pd(va, x[j], c0));
        _mm512_storeu_pd(c + j * ldc + 8, _mm512_fmadd_pd(va, y[j], c1));
    }
}

static void micro_s(size_t kc, const void *ap, const void *bp, const void *alpha, const void *beta,
                    void *cp, size_t ldc)
{
    const float *a = ap, *b = bp;
    float *c = cp;
    __m512 x[NR], y[NR];
#pragma GCC unroll 8
    for (int j = 0; j < NR; j++)
        x[j] = y[j] = _mm512_setzero_ps();
    for (size_t l = 0; l < kc; l++, a += MR_S, b += NR) {
        __m512 a0 = _mm512_load_ps(a), a1 = _mm512_load_ps(a + 16);
#pragma GCC unroll 8
        for (int j = 0; j < NR; j++) {
            __m512 bj = _mm512_set1_ps(b[j]);
            x[j] = _mm512_fmadd_ps(a0, bj, x[j]);
            y[j] = _mm512_fmadd_ps(a1, bj, y[j]);
        }
    }
    const __m512 va = _mm512_set1_ps(*(const float *)alpha);
    const float be = *(const float *)beta;
    if (be == 0) {
#pragma GCC unroll 8
        for (int j = 0; j < NR; j++) {
            _mm512_storeu_ps(c + j * ldc, _mm512_mul_ps(va, x[j]));
            _mm512_storeu_ps(c + j * ldc + 16, _mm512_mul_ps(va, y[j]));
        }
        return;
    }
    const __m512 vb = _mm512_set1_ps(be);
#pragma GCC unroll 8
    for (int j = 0; j < NR; j++) {
        __m512 c0 = _mm512_mul_ps(vb, _mm512_loadu_ps(c + j * ldc));
        __m512 c1 = _mm512_mul_ps(vb, _mm512_loadu_ps(c + j * ldc + 16));
        _mm512_storeu_ps(c + j * ldc, _mm512_fmadd_ps(va, x[j], c0));
        _mm512_storeu_ps(c + j * ldc + 16, _mm512_fmadd_ps(va, y[j], c1));
    }
}

/* The direct kernels (native.h): the same accumulation on A read with
 * stride lda, rows past h masked (a masked lane is never loaded, so no
 * fault past the end), and B by broadcasts from its w columns (a column
 * past w repeats column w - 1; its sums are computed and dropped). */
static inline __mmask8 rows8(size_t h, size_t i)
{
    size_t left = h > i ? h - i : 0;
    return left >= 8 ? 0xFF : (__mmask8)((1u << left) - 1);
}

static inline __mmask16 rows16(size_t h, size_t i)
{
    size_t left = h > i ? h - i : 0;
    return left >= 16 ? 0xFFFF : (__mmask16)((1u << left) - 1);
}

/* The direct kernels' steps, with two constants: full, every row of the
 * piece (or of its first half), loaded without masks; half, rows in the
 * first vector only (h <= mr / 2): the second one is neither loaded nor
 * computed. Each row's sums are the same either way. */
static inline __attribute__((always_inline)) void
steps_pd(size_t kc, const double *a, size_t lda, const double *b, size_t bl, const size_t off[NR],
         int full, int half, __mmask8 m0, __mmask8 m1, __m512d x[NR], __m512d y[NR])
{
    for (size_t l = 0; l < kc; l++, a += lda, b += bl) {
        __m512d a0 = full ? _mm512_loadu_pd(a) : _mm512_maskz_loadu_pd(m0, a);
        __m512d a1 = half   ? _mm512_setzero_pd()
                     : full ? _mm512_loadu_pd(a + 8)
                            : _mm512_maskz_loadu_pd(m1, a + 8);
#pragma GCC unroll 8
        for (int j = 0; j < NR; j++) {
            __m512d bv = _mm512_set1_pd(b[off[j]]);
            x[j] = _mm512_fmadd_pd(a0, bv, x[j]);
            if (!half) y[j] = _mm512_fmadd_pd(a1, bv, y[j]);
        }
    }
}

static void direct_d(size_t kc, size_t h, size_t w, const void *ap, size_t lda, const void *bp,
                     size_t bl, size_t bj, const void *alpha, const void *beta, void *cp,
                     size_t ldc)
{
    const double *a = ap, *b = bp;
    double *c = cp;
    const __mmask8 m0 = rows8(h, 0), m1 = rows8(h, 8);
    size_t off[NR];
#pragma GCC unroll 8
    for (size_t j = 0; j < NR; j++)
        off[j] = (j < w ? j : w - 1) * bj;
    __m512d x[NR], y[NR];
#pragma GCC unroll 8
    for (int j = 0; j < NR; j++)
        x[j] = y[j] = _mm512_setzero_pd();
    if (h == MR_D)
        steps_pd(kc, a, lda, b, bl, off, 1, 0, m0, m1, x, y);
    else if (h == MR_D / 2)
        steps_pd(kc, a, lda, b, bl, off, 1, 1, m0, m1, x, y);
    else if (h < MR_D / 2)
        steps_pd(kc, a, lda, b, bl, off, 0, 1, m0, m1, x, y);
    else
        steps_pd(kc, a, lda, b, bl, off, 0, 0, m0, m1, x, y);
    const __m512d va = _mm512_set1_pd(*(const double *)alpha);
    const double be = *(const double *)beta;
    const __m512d vb = _mm512_set1_pd(be);
#pragma GCC unroll 8
    for (int j = 0; j < NR; j++) { /* unrolled: x and y stay in registers */
        if ((size_t)j >= w) break;
        __m512d c0, c1;
        if (be == 0) {
            c0 = _mm512_mul_pd(va, x[j]);
            c1 = _mm512_mul_pd(va, y[j]);
        } else {
            c0 = _mm512_mul_pd(vb, _mm512_maskz_loadu_pd(m0, c + j * ldc));
            c1 = _mm512_mul_pd(vb, _mm512_maskz_loadu_pd(m1, c + j * ldc + 8));
            c0 = _mm512_fmadd_pd(va, x[j], c0);
            c1 = _mm512_fmadd_pd(va, y[j], c1);
        }
        _mm512_mask_storeu_pd(c + j * ldc, m0, c0);
        _mm512_mask_storeu_pd(c + j * ldc + 8, m1, c1);
    }
}

/* The direct kernels' steps, with full and half as steps_pd's. */
static inline __attribute__((always_inline)) void
steps_ps(size_t kc, const float *a, size_t lda, const float *b, size_t bl, const size_t off[NR],
         int full, int half, __mmask16 m0, __mmask16 m1, __m512 x[NR], __m512 y[NR])
{
    for (size_t l = 0; l < kc; l++, a += lda, b += bl) {
        __m512 a0 = full ? _mm512_loadu_ps(a) : _mm512_maskz_loadu_ps(m0, a);
        __m512 a1 = half   ? _mm512_setzero_ps()
                    : full ? _mm512_loadu_ps(a + 16)
                           : _mm512_maskz_loadu_ps(m1, a + 16);
#pragma GCC unroll 8
        for (int j = 0; j < NR; j++) {
            __m512 bv = _mm512_set1_ps(b[off[j]]);
            x[j] = _mm512_fmadd_ps(a0, bv, x[j]);
            if (!half) y[j] = _mm512_fmadd_ps(a1, bv, y[j]);
        }
    }
}

static void direct_s(size_t kc, size_t h, size_t w, const void *ap, size_t lda, const void *bp,
                     size_t bl, size_t bj, const void *alpha, const void *beta, void *cp,
                     size_t ldc)
{
    const float *a = ap, *b = bp;
    float *c = cp;
    const __mmask16 m0 = rows16(h, 0), m1 = rows16(h, 16);
    size_t off[NR];
#pragma GCC unroll 8
    for (size_t j = 0; j < NR; j++)
        off[j] = (j < w ? j : w - 1) * bj;
    __m512 x[NR], y[NR];
#pragma GCC unroll 8
    for (int j = 0; j < NR; j++)
        x[j] = y[j] = _mm512_setzero_ps();
    if (h == MR_S)
        steps_ps(kc, a, lda, b, bl, off, 1, 0, m0, m1, x, y);
    else if (h == MR_S / 2)
        steps_ps(kc, a, lda, b, bl, off, 1, 1, m0, m1, x, y);
    else if (h < MR_S / 2)
        steps_ps(kc, a, lda, b, bl, off, 0, 1, m0, m1, x, y);
    else
        steps_ps(kc, a, lda, b, bl, off, 0, 0, m0, m1, x, y);
    const __m512 va = _mm512_set1_ps(*(const float *)alpha);
    const float be = *(const float *)beta;
    const __m512 vb = _mm512_set1_ps(be);
#pragma GCC unroll 8
    for (int j = 0; j < NR; j++) { /* unrolled: x and y stay in registers */
        if ((size_t)j >= w) break;
        __m512 c0, c1;
        if (be == 0) {
            c0 = _mm512_mul_ps(va, x[j]);
            c1 = _mm512_mul_ps(va, y[j]);
        } else {
            c0 = _mm512_mul_ps(vb, _mm512_maskz_loadu_ps(m0, c + j * ldc));
            c1 = _mm512_mul_ps(vb, _mm512_maskz_loadu_ps(m1, c + j * ldc + 16));
            c0 = _mm512_fmadd_ps(va, x[j], c0);
            c1 = _mm512_fmadd_ps(va, y[j], c1);
        }
        _mm512_mask_storeu_ps(c + j * ldc, m0, c0);
        _mm512_mask_storeu_ps(c + j * ldc + 16, m1, c1);
    }
}

/* Blocks: kc steps of a B sliver (kc nr elements: 16 KiB) stay in the
 * level-1 cache while the A slivers of a block (mc x kc: 384 KiB) stream
 * from level 2; the B panel (kc x nc) fills the rest of the work space. */
#define KC_D 256
#define KC_S 512
#define MC   192
#define NC   768
_Static_assert(MC % MR_D == 0 && MC % MR_S == 0 && NC % NR == 0, "whole slivers in a block");
_Static_assert((MC * KC_D + KC_D * NC + MR_D * NR) * sizeof(double) <= KP_GEMM_NATIVE_WORK &&
                   (MC * KC_S + KC_S * NC + MR_S * NR) * sizeof(float) <= KP_GEMM_NATIVE_WORK,
               "the blocks fit the work space");

const kp__gemm_native_kernels kp__gemm_native_avx512[2] = {
    [0] = {.mr = MR_S,
           .nr = NR,
           .kc = KC_S,
           .mc = MC,
           .nc = NC,
           .pack_a = pack_a_s,
           .pack_b = pack_b_s,
           .pack_a_complex = pack_a_c,
           .micro = micro_s,
           .direct = direct_s},
    [1] = {.mr = MR_D,
           .nr = NR,
           .kc = KC_D,
           .mc = MC,
           .nc = NC,
           .pack_a = pack_a_d,
           .pack_b = pack_b_d,
           .pack_a_complex = pack_a_z,
           .micro = micro_d,
           .direct = direct_d},
};
