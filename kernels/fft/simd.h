/*
 * The vector the explicit butterflies work on, in the precision of prec.h
 * and the register width KP_FFT_VEC (512: AVX-512F and DQ; 256: AVX2 and
 * FMA): a register holds VLEN complex values as the arrays store them, (re,
 * im) pairs. AVX-512 holds four doubles' or eight floats', AVX2 two or
 * four. For the files built with those instruction sets (simd_passes.c
 * and simd_lanes.c through their wrappers), which include prec.h first.
 */
#ifndef KP_FFT_SIMD_H
#define KP_FFT_SIMD_H

#include <immintrin.h>
#include <stddef.h>

#include "sched/internal.h"

#define INLINE KP_INLINE

#ifndef KP_FFT_VEC
#define KP_FFT_VEC 512
#endif

/* The most points a vector butterfly held in registers takes (radix 13):
 * the size of the passes' and the lanes' arrays of points (the generic
 * radix's pass keeps its points in a buffer of its own). */
#define VEC_POINTS 13

/* The operations whose intrinsics differ only in their prefix and suffix
 * come from VOP; vmask selects the first values of a vector (a mask
 * register with AVX-512, a vector of lanes with AVX2). */
#if KP_FFT_VEC == 512 && KP_FFT_SINGLE
typedef __m512 vc;
typedef __mmask16 vmask;
#define VLEN    8
#define VOP(op) _mm512_##op##_ps
#elif KP_FFT_VEC == 512
typedef __m512d vc;
typedef __mmask8 vmask;
#define VLEN    4
#define VOP(op) _mm512_##op##_pd
#elif KP_FFT_SINGLE
typedef __m256 vc;
typedef __m256i vmask;
#define VLEN    4
#define VOP(op) _mm256_##op##_ps
#else
typedef __m256d vc;
typedef __m256i vmask;
#define VLEN    2
#define VOP(op) _mm256_##op##_pd
#endif

INLINE vc vadd(vc a, vc b)
{
    return VOP(add)(a, b);
}
INLINE vc vsub(vc a, vc b)
{
    return VOP(sub)(a, b);
}
INLINE vc vmul(vc a, vc b)
{
    return VOP(mul)(a, b);
}
INLINE vc vxor(vc a, vc b)
{
    return VOP(xor)(a, b);
}
INLINE vc vset1(fft_real s)
{
    return VOP(set1)(s);
}
INLINE vc vzero(void)
{
    return VOP(setzero)();
}
INLINE vc vload(const fft_real *p)
{
    return VOP(loadu)(p);
}
INLINE void vstore(fft_real *p, vc v)
{
    VOP(storeu)(p, v);
}
INLINE vc vfmaddsub(vc a, vc b, vc c)
{
    return VOP(fmaddsub)(a, b, c);
}
INLINE vc vfmsubadd(vc a, vc b, vc c)
{
    return VOP(fmsubadd)(a, b, c);
}

/* The values with re and im swapped; the real or imaginary parts in both
 * places of each value; the real parts of re beside the imaginary parts of
 * im; the sign bit of every imaginary (odd) or real (even) part. */
#if KP_FFT_VEC == 512 && KP_FFT_SINGLE
INLINE vc vswap(vc a)
{
    return _mm512_permute_ps(a, 0xB1);
}
INLINE vc vdup_re(vc w)
{
    return _mm512_moveldup_ps(w);
}
INLINE vc vdup_im(vc w)
{
    return _mm512_movehdup_ps(w);
}
INLINE vc vmerge(vc re, vc im)
{
    return _mm512_mask_blend_ps(0x5555, im, re);
}
INLINE vc sign_of(int odd)
{
    return _mm512_castsi512_ps(
        _mm512_set1_epi64(odd ? (long long)0x8000000000000000u : 0x80000000));
}
#elif KP_FFT_VEC == 512
INLINE vc vswap(vc a)
{
    return _mm512_permute_pd(a, 0x55);
}
INLINE vc vdup_re(vc w)
{
    return _mm512_movedup_pd(w);
}
INLINE vc vdup_im(vc w)
{
    return _mm512_permute_pd(w, 0xFF);
}
INLINE vc vmerge(vc re, vc im)
{
    return _mm512_mask_blend_pd(0x55, im, re);
}
INLINE vc sign_of(int odd)
{
    const long long s = (long long)0x8000000000000000u;
    return _mm512_castsi512_pd(odd ? _mm512_set_epi64(s, 0, s, 0, s, 0, s, 0)
                                   : _mm512_set_epi64(0, s, 0, s, 0, s, 0, s));
}
#elif KP_FFT_SINGLE
INLINE vc vswap(vc a)
{
    return _mm256_permute_ps(a, 0xB1);
}
INLINE vc vdup_re(vc w)
{
    return _mm256_moveldup_ps(w);
}
INLINE vc vdup_im(vc w)
{
    return _mm256_movehdup_ps(w);
}
INLINE vc vmerge(vc re, vc im)
{
    return _mm256_blend_ps(im, re, 0x55);
}
INLINE vc sign_of(int odd)
{
    return _mm256_castsi256_ps(
        _mm256_set1_epi64x(odd ? (long long)0x8000000000000000u : 0x80000000));
}
#else
INLINE vc vswap(vc a)
{
    return _mm256_permute_pd(a, 0x5);
}
INLINE vc vdup_re(vc w)
{
    return _mm256_movedup_pd(w);
}
INLINE vc vdup_im(vc w)
{
    return _mm256_permute_pd(w, 0xF);
}
INLINE vc vmerge(vc re, vc im)
{
    return _mm256_blend_pd(im, re, 0x5);
}
INLINE vc sign_of(int odd)
{
    const long long s = (long long)0x8000000000000000u;
    return _mm256_castsi256_pd(odd ? _mm256_set_epi64x(s, 0, s, 0) : _mm256_set_epi64x(0, s, 0, s));
}
#endif

/* The first `count` (<= VLEN) complex values of a vector, and loads of
 * them (nothing read beyond them). */
#if KP_FFT_VEC == 512
INLINE vmask head(size_t count)
{
    return (vmask)((1u << (2 * count)) - 1);
}
INLINE vc vload_mask(vmask m, const fft_real *p)
{
    return VOP(maskz_loadu)(m, p);
}
#elif KP_FFT_SINGLE
INLINE vmask head(size_t count)
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(2 * count)),
                              _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
INLINE vc vload_mask(vmask m, const fft_real *p)
{
    return _mm256_maskload_ps(p, m);
}
#else
INLINE vmask head(size_t count)
{
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x((long long)(2 * count)),
                              _mm256_setr_epi64x(0, 1, 2, 3));
}
INLINE vc vload_mask(vmask m, const fft_real *p)
{
    return _mm256_maskload_pd(p, m);
}
#endif

/* a * (-i) forward, a * i backward: swap re and im, then negate one. */
INLINE vc vrot(vc a, int fwd)
{
    return vxor(vswap(a), sign_of(fwd));
}
/* vrot as a multiply: vswap(a) times vrot_sign(fwd), +1 or -1 a lane. A
 * sum with a rotated value, c + rot(b) or c - rot(b), can then be one fused
 * multiply-add of vswap(b): the product is exact, so the sum is rounded once,
 * as vadd / vsub of vrot(b) round it, and the bits are the same (in every
 * rounding mode), with no separate sign flip. */
INLINE vc vrot_sign(int fwd)
{
    return vxor(vset1(1), sign_of(fwd));
}
/* a * w forward, a * conj(w) backward: one fused multiply-add pair. */
INLINE vc vtw(vc a, vc w, int fwd)
{
    vc t = vmul(vswap(a), vdup_im(w));
    return fwd ? vfmaddsub(a, vdup_re(w), t) : vfmsubadd(a, vdup_re(w), t);
}
INLINE vc vscale(fft_real s, vc a)
{
    return vmul(vset1(s), a);
}

/* Complex element e of an array of (re, im) pairs. */
INLINE vc load(const fft_real *p, size_t e)
{
    return vload(p + 2 * e);
}
INLINE void store(fft_real *p, size_t e, vc v)
{
    vstore(p + 2 * e, v);
}
/* The complex value at p in every lane. */
INLINE vc vbcast(const fft_real *p)
{
#if KP_FFT_VEC == 512 && KP_FFT_SINGLE
    double pair;
    __builtin_memcpy(&pair, p, sizeof pair);
    return _mm512_castpd_ps(_mm512_set1_pd(pair));
#elif KP_FFT_VEC == 512
    return _mm512_broadcast_f64x2(_mm_loadu_pd(p));
#elif KP_FFT_SINGLE
    double pair;
    __builtin_memcpy(&pair, p, sizeof pair);
    return _mm256_castpd_ps(_mm256_set1_pd(pair));
#else
    return _mm256_broadcast_pd((const __m128d *)(const void *)p);
#endif
}

/* ------------------------------------------ rows of values into columns */

/* transpose: lane j of VLEN rows r[0 .. VLEN) into col[j].
 * rows_to_points: in[j] = value j of the VLEN rows of P complex values held
 * VLEN to a register in r[0 .. P) (row t from value P t on). P and j are
 * constants wherever these are inlined. */
#if KP_FFT_VEC == 512 && KP_FFT_SINGLE
/* A complex float is one 64-bit lane. */
INLINE __m512d as_q(vc a)
{
    return _mm512_castps_pd(a);
}
INLINE vc from_q(__m512d a)
{
    return _mm512_castpd_ps(a);
}

INLINE void transpose(const vc *r, vc *col)
{
    __m512d t[8], u[8];
    for (int p = 0; p < 4; p++) { /* lanes 2e and 2e + 1 of rows 2p, 2p + 1 */
        t[2 * p] = _mm512_unpacklo_pd(as_q(r[2 * p]), as_q(r[2 * p + 1]));
        t[2 * p + 1] = _mm512_unpackhi_pd(as_q(r[2 * p]), as_q(r[2 * p + 1]));
    }
    for (int p = 0; p < 2; p++) /* rows 4p .. 4p + 3: lanes (0, 4), (2, 6); (1, 5), (3, 7) */
        for (int o = 0; o < 2; o++) {
            u[4 * p + 2 * o] = _mm512_shuffle_f64x2(t[4 * p + o], t[4 * p + 2 + o], 0x88);
            u[4 * p + 2 * o + 1] = _mm512_shuffle_f64x2(t[4 * p + o], t[4 * p + 2 + o], 0xDD);
        }
    /* u[2 o + s], o the lane's parity, s: lanes 0 4 (or 1 5) then 2 6 (3 7) */
    for (int o = 0; o < 2; o++)
        for (int s = 0; s < 2; s++) {
            col[o + 2 * s] = from_q(_mm512_shuffle_f64x2(u[2 * o + s], u[4 + 2 * o + s], 0x88));
            col[o + 2 * s + 4] = from_q(_mm512_shuffle_f64x2(u[2 * o + s], u[4 + 2 * o + s], 0xDD));
        }
}

/* Value P t + j in lane t. A two-source permute reads value c of a pair of
 * registers at index c mod 16, so one index vector serves every pair; each
 * lane is then taken from the permute of its pair. */
INLINE vc column(const vc *r, const unsigned P, unsigned j)
{
    const __m512i idx = _mm512_set_epi64(7 * P + j, 6 * P + j, 5 * P + j, 4 * P + j, 3 * P + j,
                                         2 * P + j, P + j, j);
    __m512d v = _mm512_permutex2var_pd(as_q(r[0]), idx, as_q(r[1]));
    for (unsigned q = 1; 2 * q < P; q++) { /* registers 2q and 2q + 1 */
        __mmask8 from_q_on = 0;
        for (unsigned t = 0; t < 8; t++)
            if ((P * t + j) / 16 >= q) from_q_on |= (__mmask8)(1u << t);
        __m512d u =
            _mm512_permutex2var_pd(as_q(r[2 * q]), idx, as_q(r[2 * q + 1 < P ? 2 * q + 1 : 2 * q]));
        v = _mm512_mask_blend_pd(from_q_on, v, u);
    }
    return from_q(v);
}

INLINE void rows_to_points(const unsigned P, const vc *r, vc *in)
{
    if (P == 8) {
        transpose(r, in);
        return;
    }
    if (P == 16) { /* row t in r[2 t] (values 0-7) and r[2 t + 1] (8-15) */
        vc lo[8], hi[8];
        for (unsigned t = 0; t < 8; t++) {
            lo[t] = r[2 * t];
            hi[t] = r[2 * t + 1];
        }
        transpose(lo, in);
        transpose(hi, in + 8);
        return;
    }
    for (unsigned j = 0; j < P; j++)
        in[j] = column(r, P, j);
}
#elif KP_FFT_VEC == 512
/* Four rows of four complex values by 128-bit lane shuffles. */
INLINE void transpose4(vc r0, vc r1, vc r2, vc r3, vc *col)
{
    vc t0 = _mm512_shuffle_f64x2(r0, r1, 0x44), t1 = _mm512_shuffle_f64x2(r0, r1, 0xEE);
    vc t2 = _mm512_shuffle_f64x2(r2, r3, 0x44), t3 = _mm512_shuffle_f64x2(r2, r3, 0xEE);
    col[0] = _mm512_shuffle_f64x2(t0, t2, 0x88);
    col[1] = _mm512_shuffle_f64x2(t0, t2, 0xDD);
    col[2] = _mm512_shuffle_f64x2(t1, t3, 0x88);
    col[3] = _mm512_shuffle_f64x2(t1, t3, 0xDD);
}
INLINE void transpose(const vc *r, vc *col)
{
    transpose4(r[0], r[1], r[2], r[3], col);
}

/* Value P t + j in lane t: two two-source lane permutes (lanes 0, 1 and 2,
 * 3) and a blend. */
INLINE vc column(const vc *r, const unsigned P, unsigned j)
{
    unsigned c0 = j, c1 = P + j, c2 = 2 * P + j, c3 = 3 * P + j;
    /* qwords 2t, 2t + 1 of lane t; 8 + picks the permute's second source */
    const __m512i idx =
        _mm512_set_epi64(8 + 2 * (c3 % 4) + 1, 8 + 2 * (c3 % 4), 2 * (c2 % 4) + 1, 2 * (c2 % 4),
                         8 + 2 * (c1 % 4) + 1, 8 + 2 * (c1 % 4), 2 * (c0 % 4) + 1, 2 * (c0 % 4));
    vc v01 = _mm512_permutex2var_pd(r[c0 / 4], idx, r[c1 / 4]);
    vc v23 = _mm512_permutex2var_pd(r[c2 / 4], idx, r[c3 / 4]);
    return _mm512_mask_blend_pd(0xF0, v01, v23);
}

INLINE void rows_to_points(const unsigned P, const vc *r, vc *in)
{
    if (P == 4) {
        transpose4(r[0], r[1], r[2], r[3], in);
    } else if (P == 8) {
        transpose4(r[0], r[2], r[4], r[6], in);
        transpose4(r[1], r[3], r[5], r[7], in + 4);
    } else if (P == 16) { /* row t in r[4 t .. 4 t + 4) */
        for (unsigned g = 0; g < 4; g++)
            transpose4(r[g], r[4 + g], r[8 + g], r[12 + g], in + 4 * g);
    } else {
        for (unsigned j = 0; j < P; j++)
            in[j] = column(r, P, j);
    }
}
#elif KP_FFT_SINGLE
/* Four rows of four 64-bit lanes (complex floats). */
INLINE void transpose4(vc r0, vc r1, vc r2, vc r3, vc *col)
{
    __m256d t0 = _mm256_unpacklo_pd(_mm256_castps_pd(r0), _mm256_castps_pd(r1));
    __m256d t1 = _mm256_unpackhi_pd(_mm256_castps_pd(r0), _mm256_castps_pd(r1));
    __m256d t2 = _mm256_unpacklo_pd(_mm256_castps_pd(r2), _mm256_castps_pd(r3));
    __m256d t3 = _mm256_unpackhi_pd(_mm256_castps_pd(r2), _mm256_castps_pd(r3));
    col[0] = _mm256_castpd_ps(_mm256_permute2f128_pd(t0, t2, 0x20));
    col[1] = _mm256_castpd_ps(_mm256_permute2f128_pd(t1, t3, 0x20));
    col[2] = _mm256_castpd_ps(_mm256_permute2f128_pd(t0, t2, 0x31));
    col[3] = _mm256_castpd_ps(_mm256_permute2f128_pd(t1, t3, 0x31));
}
INLINE void transpose(const vc *r, vc *col)
{
    transpose4(r[0], r[1], r[2], r[3], col);
}

/* Rows of four or eight values only (odd radices read their points from
 * memory: points_of_rows below). */
INLINE void rows_to_points(const unsigned P, const vc *r, vc *in)
{
    if (P == 4) {
        transpose4(r[0], r[1], r[2], r[3], in);
    } else {
        transpose4(r[0], r[2], r[4], r[6], in);
        transpose4(r[1], r[3], r[5], r[7], in + 4);
    }
}
#else
/* Two rows of two complex doubles: their low and high halves. */
INLINE void transpose(const vc *r, vc *col)
{
    col[0] = _mm256_permute2f128_pd(r[0], r[1], 0x20);
    col[1] = _mm256_permute2f128_pd(r[0], r[1], 0x31);
}

/* Half lo of a beside half hi of b. */
INLINE vc halves(vc a, vc b, unsigned lo, unsigned hi)
{
    switch (2 * lo + hi) {
    case 0: return _mm256_permute2f128_pd(a, b, 0x20);
    case 1: return _mm256_permute2f128_pd(a, b, 0x30);
    case 2: return _mm256_permute2f128_pd(a, b, 0x21);
    default: return _mm256_permute2f128_pd(a, b, 0x31);
    }
}

/* Values j and P + j: one 128-bit lane permute of the registers that hold
 * them. */
INLINE void rows_to_points(const unsigned P, const vc *r, vc *in)
{
    for (unsigned j = 0; j < P; j++)
        in[j] = halves(r[j / 2], r[(P + j) / 2], j % 2, (P + j) % 2);
}
#endif

/* ------------------------------------------------------ vectors of reals */

/* The same registers read as RLEN = 2 VLEN reals, for the split odd real
 * lines: the first `count` lanes (any count, at most RLEN taken); x[t s]
 * for t < count, zero beyond (strided through gathers) and its store;
 * complex values t < count (<= RLEN) as their real and imaginary parts
 * and back. */
#define RLEN (2 * VLEN)

INLINE vc vfmadd(vc a, vc b, vc c)
{
    return VOP(fmadd)(a, b, c);
}
INLINE vc vfnmadd(vc a, vc b, vc c)
{
    return VOP(fnmadd)(a, b, c);
}
INLINE vc vfmsub(vc a, vc b, vc c)
{
    return VOP(fmsub)(a, b, c);
}

#if KP_FFT_VEC == 512
INLINE vmask lanes(size_t count)
{
    return (vmask)((1u << (count < RLEN ? count : RLEN)) - 1);
}
/* t s for t < 8, as 64-bit indices */
INLINE __m512i strides(ptrdiff_t s)
{
    return _mm512_mullo_epi64(_mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0), _mm512_set1_epi64(s));
}
#else
INLINE vmask lanes(size_t count)
{
    const size_t c = count < RLEN ? count : RLEN;
#if KP_FFT_SINGLE
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)c), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
#else
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x((long long)c), _mm256_setr_epi64x(0, 1, 2, 3));
#endif
}
/* t s for t < 4, as 64-bit indices */
INLINE __m256i strides(ptrdiff_t s)
{
    return _mm256_setr_epi64x(0, s, 2 * s, 3 * s);
}
#endif

/* The first count reals of v stored at p, nothing else written: a masked
 * store with AVX-512; with AVX2, whose masked stores are slow on some CPUs,
 * a whole one or one real at a time. */
INLINE void vstore_first(fft_real *p, size_t count, vc v)
{
#if KP_FFT_VEC == 512
    VOP(mask_storeu)(p, lanes(count), v);
#else
    if (count >= RLEN) {
        vstore(p, v);
        return;
    }
    fft_real t[RLEN];
    vstore(t, v);
    for (size_t i = 0; i < count && i < RLEN; i++)
        p[i] = t[i];
#endif
}

INLINE vc rload(const fft_real *x, ptrdiff_t s, size_t count)
{
    if (s == 1) return count >= RLEN ? vload(x) : vload_mask(lanes(count), x);
#if KP_FFT_VEC == 512 && KP_FFT_SINGLE
    const vmask m = lanes(count);
    __m256 lo = _mm512_mask_i64gather_ps(_mm256_setzero_ps(), (__mmask8)m, strides(s), x, 4);
    __m256 hi =
        _mm512_mask_i64gather_ps(_mm256_setzero_ps(), (__mmask8)(m >> 8), strides(s), x + 8 * s, 4);
    return _mm512_insertf32x8(_mm512_castps256_ps512(lo), hi, 1);
#elif KP_FFT_VEC == 512
    return _mm512_mask_i64gather_pd(_mm512_setzero_pd(), lanes(count), strides(s), x, 8);
#elif KP_FFT_SINGLE
    const vmask m = lanes(count);
    __m128 lo = _mm256_mask_i64gather_ps(_mm_setzero_ps(), x, strides(s),
                                         _mm_castsi128_ps(_mm256_castsi256_si128(m)), 4);
    __m128 hi = _mm256_mask_i64gather_ps(_mm_setzero_ps(), x + 4 * s, strides(s),
                                         _mm_castsi128_ps(_mm256_extracti128_si256(m, 1)), 4);
    return _mm256_insertf128_ps(_mm256_castps128_ps256(lo), hi, 1);
#else
    return _mm256_mask_i64gather_pd(_mm256_setzero_pd(), x, strides(s),
                                    _mm256_castsi256_pd(lanes(count)), 8);
#endif
}

INLINE void rstore(fft_real *y, ptrdiff_t s, size_t count, vc v)
{
    if (s == 1) {
        if (count >= RLEN)
            vstore(y, v);
        else
            vstore_first(y, count, v);
        return;
    }
#if KP_FFT_VEC == 512 && KP_FFT_SINGLE
    const vmask m = lanes(count);
    _mm512_mask_i64scatter_ps(y, (__mmask8)m, strides(s), _mm512_castps512_ps256(v), 4);
    _mm512_mask_i64scatter_ps(y + 8 * s, (__mmask8)(m >> 8), strides(s),
                              _mm512_extractf32x8_ps(v, 1), 4);
#elif KP_FFT_VEC == 512
    _mm512_mask_i64scatter_pd(y, lanes(count), strides(s), v, 8);
#else /* AVX2 has no scatter */
    fft_real t[RLEN];
    vstore(t, v);
    for (size_t i = 0; i < count && i < RLEN; i++)
        y[(ptrdiff_t)i * s] = t[i];
#endif
}

INLINE void cload(const fft_real *p, size_t count, vc *re, vc *im)
{
    if (count > RLEN) count = RLEN;
    vc lo = count >= VLEN ? vload(p) : vload_mask(head(count), p);
    vc hi = count == RLEN ? vload(p + 2 * VLEN)
                          : vload_mask(head(count > VLEN ? count - VLEN : 0), p + 2 * VLEN);
#if KP_FFT_VEC == 512 && KP_FFT_SINGLE
    const __m512i even =
        _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
    *re = _mm512_permutex2var_ps(lo, even, hi);
    *im = _mm512_permutex2var_ps(lo, _mm512_add_epi32(even, _mm512_set1_epi32(1)), hi);
#elif KP_FFT_VEC == 512
    *re = _mm512_permutex2var_pd(lo, _mm512_set_epi64(14, 12, 10, 8, 6, 4, 2, 0), hi);
    *im = _mm512_permutex2var_pd(lo, _mm512_set_epi64(15, 13, 11, 9, 7, 5, 3, 1), hi);
#elif KP_FFT_SINGLE
    /* per 128-bit lane: values 0 1 of lo, then 0 1 of hi; then lanes in order */
    *re = _mm256_castpd_ps(
        _mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(lo, hi, 0x88)), 0xD8));
    *im = _mm256_castpd_ps(
        _mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(lo, hi, 0xDD)), 0xD8));
#else
    *re = _mm256_permute4x64_pd(_mm256_unpacklo_pd(lo, hi), 0xD8);
    *im = _mm256_permute4x64_pd(_mm256_unpackhi_pd(lo, hi), 0xD8);
#endif
}

INLINE void cstore(fft_real *p, size_t count, vc re, vc im)
{
    if (count > RLEN) count = RLEN;
#if KP_FFT_VEC == 512 && KP_FFT_SINGLE
    const __m512i lo_idx = _mm512_set_epi32(23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    vc lo = _mm512_permutex2var_ps(re, lo_idx, im);
    vc hi = _mm512_permutex2var_ps(re, _mm512_add_epi32(lo_idx, _mm512_set1_epi32(8)), im);
#elif KP_FFT_VEC == 512
    vc lo = _mm512_permutex2var_pd(re, _mm512_set_epi64(11, 3, 10, 2, 9, 1, 8, 0), im);
    vc hi = _mm512_permutex2var_pd(re, _mm512_set_epi64(15, 7, 14, 6, 13, 5, 12, 4), im);
#else
    vc ul = VOP(unpacklo)(re, im), uh = VOP(unpackhi)(re, im);
    vc lo = VOP(permute2f128)(ul, uh, 0x20), hi = VOP(permute2f128)(ul, uh, 0x31);
#endif
    if (count == RLEN) {
        vstore(p, lo);
        vstore(p + 2 * VLEN, hi);
        return;
    }
    vstore_first(p, 2 * (count < VLEN ? count : VLEN), lo);
    if (count > VLEN) vstore_first(p + 2 * VLEN, 2 * (count - VLEN), hi);
}

/* in[j] = value j of rows t < rows (<= VLEN) of P complex values at x, row
 * t from value P t on; 0 in the lanes past the rows. */
INLINE void points_of_rows(const unsigned P, const fft_real *x, size_t rows, vc *in)
{
#if KP_FFT_VEC == 256 && KP_FFT_SINGLE
    if (P % 4 != 0) { /* each 64-bit value loaded alone: AVX2 has no two-source permute */
        for (unsigned j = 0; j < P; j++) {
            const __m64 *v = (const __m64 *)(const void *)x + j; /* value P t + j at v + P t */
            __m128 lo = _mm_loadl_pi(_mm_setzero_ps(), v), hi = _mm_setzero_ps();
            if (rows > 1) lo = _mm_loadh_pi(lo, v + P);
            if (rows > 2) hi = _mm_loadl_pi(hi, v + 2 * P);
            if (rows > 3) hi = _mm_loadh_pi(hi, v + 3 * P);
            in[j] = _mm256_insertf128_ps(_mm256_castps128_ps256(lo), hi, 1);
        }
        return;
    }
#endif
    vc r[VEC_POINTS];
    for (unsigned g = 0; g < P; g++) {
        size_t have = rows * P > VLEN * g ? rows * P - VLEN * g : 0;
        r[g] = have >= VLEN ? load(x, VLEN * g) : vload_mask(head(have), x + 2 * VLEN * g);
    }
    rows_to_points(P, r, in);
}

#endif
