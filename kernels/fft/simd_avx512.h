/*
 * The vector the AVX-512 butterflies work on, in the precision of prec.h:
 * a zmm register holds VLEN complex values as the arrays store them, (re,
 * im) pairs: four doubles' or eight floats'. For the files built with
 * -mavx512f -mavx512dq (simd_avx512.c, simd_passes_avx512.c), which include
 * prec.h first.
 */
#ifndef KP_FFT_SIMD_AVX512_H
#define KP_FFT_SIMD_AVX512_H

#include <immintrin.h>
#include <stddef.h>

#define INLINE static inline __attribute__((always_inline))

#if KP_FFT_SINGLE
typedef __m512 vc;
typedef __mmask16 vmask;
#define VLEN 8
#else
typedef __m512d vc;
typedef __mmask8 vmask;
#define VLEN 4
#endif

/* The sign bit of every imaginary (odd) or real (even) part. */
INLINE vc sign_odd(void)
{
#if KP_FFT_SINGLE
    return _mm512_castsi512_ps(_mm512_set1_epi64((long long)0x8000000000000000u));
#else
    return _mm512_castsi512_pd(
        _mm512_set_epi64((long long)0x8000000000000000u, 0, (long long)0x8000000000000000u, 0,
                         (long long)0x8000000000000000u, 0, (long long)0x8000000000000000u, 0));
#endif
}
INLINE vc sign_even(void)
{
#if KP_FFT_SINGLE
    return _mm512_castsi512_ps(_mm512_set1_epi64(0x80000000));
#else
    return _mm512_castsi512_pd(
        _mm512_set_epi64(0, (long long)0x8000000000000000u, 0, (long long)0x8000000000000000u, 0,
                         (long long)0x8000000000000000u, 0, (long long)0x8000000000000000u));
#endif
}

#if KP_FFT_SINGLE
INLINE vc vadd(vc a, vc b)
{
    return _mm512_add_ps(a, b);
}
INLINE vc vsub(vc a, vc b)
{
    return _mm512_sub_ps(a, b);
}
INLINE vc vmul(vc a, vc b)
{
    return _mm512_mul_ps(a, b);
}
INLINE vc vxor(vc a, vc b)
{
    return _mm512_xor_ps(a, b);
}
INLINE vc vset1(fft_real s)
{
    return _mm512_set1_ps(s);
}
INLINE vc vzero(void)
{
    return _mm512_setzero_ps();
}
INLINE vc vswap(vc a)
{
    return _mm512_permute_ps(a, 0xB1);
} /* (im, re) */
INLINE vc vdup_re(vc w)
{
    return _mm512_moveldup_ps(w);
}
INLINE vc vdup_im(vc w)
{
    return _mm512_movehdup_ps(w);
}
INLINE vc vfmaddsub(vc a, vc b, vc c)
{
    return _mm512_fmaddsub_ps(a, b, c);
}
INLINE vc vfmsubadd(vc a, vc b, vc c)
{
    return _mm512_fmsubadd_ps(a, b, c);
}
INLINE vc vload(const fft_real *p)
{
    return _mm512_loadu_ps(p);
}
INLINE void vstore(fft_real *p, vc v)
{
    _mm512_storeu_ps(p, v);
}
INLINE vc vload_mask(vmask m, const fft_real *p)
{
    return _mm512_maskz_loadu_ps(m, p);
}
INLINE void vstore_mask(fft_real *p, vmask m, vc v)
{
    _mm512_mask_storeu_ps(p, m, v);
}
/* The complex values as 64-bit lanes, one value each, and back. */
INLINE __m512d as_q(vc a)
{
    return _mm512_castps_pd(a);
}
INLINE vc from_q(__m512d a)
{
    return _mm512_castpd_ps(a);
}
#else
INLINE vc vadd(vc a, vc b)
{
    return _mm512_add_pd(a, b);
}
INLINE vc vsub(vc a, vc b)
{
    return _mm512_sub_pd(a, b);
}
INLINE vc vmul(vc a, vc b)
{
    return _mm512_mul_pd(a, b);
}
INLINE vc vxor(vc a, vc b)
{
    return _mm512_xor_pd(a, b);
}
INLINE vc vset1(fft_real s)
{
    return _mm512_set1_pd(s);
}
INLINE vc vzero(void)
{
    return _mm512_setzero_pd();
}
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
INLINE vc vfmaddsub(vc a, vc b, vc c)
{
    return _mm512_fmaddsub_pd(a, b, c);
}
INLINE vc vfmsubadd(vc a, vc b, vc c)
{
    return _mm512_fmsubadd_pd(a, b, c);
}
INLINE vc vload(const fft_real *p)
{
    return _mm512_loadu_pd(p);
}
INLINE void vstore(fft_real *p, vc v)
{
    _mm512_storeu_pd(p, v);
}
INLINE vc vload_mask(vmask m, const fft_real *p)
{
    return _mm512_maskz_loadu_pd(m, p);
}
INLINE void vstore_mask(fft_real *p, vmask m, vc v)
{
    _mm512_mask_storeu_pd(p, m, v);
}
#endif

/* The real parts from re, the imaginary parts from im. */
INLINE vc vmerge(vc re, vc im)
{
#if KP_FFT_SINGLE
    return _mm512_mask_blend_ps(0x5555, im, re);
#else
    return _mm512_mask_blend_pd(0x55, im, re);
#endif
}

/* a * (-i) forward, a * i backward: swap re and im, then negate one. */
INLINE vc vrot(vc a, int fwd)
{
    return vxor(vswap(a), fwd ? sign_odd() : sign_even());
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
/* The first `count` (< VLEN) complex values of a vector. */
INLINE vmask head(size_t count)
{
    return (vmask)((1u << (2 * count)) - 1);
}

#if KP_FFT_SINGLE
/* Eight rows of eight 64-bit lanes (complex floats) turned into eight
 * columns: col[j] holds lane j of r[0 .. 7]. */
INLINE void transpose8(const vc *r, vc *col)
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

#else
/* Four rows of four complex values turned into four columns: col[j] holds
 * value j of r0, r1, r2, r3. */
INLINE void transpose4(vc r0, vc r1, vc r2, vc r3, vc *col)
{
    vc t0 = _mm512_shuffle_f64x2(r0, r1, 0x44), t1 = _mm512_shuffle_f64x2(r0, r1, 0xEE);
    vc t2 = _mm512_shuffle_f64x2(r2, r3, 0x44), t3 = _mm512_shuffle_f64x2(r2, r3, 0xEE);
    col[0] = _mm512_shuffle_f64x2(t0, t2, 0x88);
    col[1] = _mm512_shuffle_f64x2(t0, t2, 0xDD);
    col[2] = _mm512_shuffle_f64x2(t1, t3, 0x88);
    col[3] = _mm512_shuffle_f64x2(t1, t3, 0xDD);
}

#endif

/* Lane j of VLEN rows r[0 .. VLEN) into col[j]. */
INLINE void transpose(const vc *r, vc *col)
{
#if KP_FFT_SINGLE
    transpose8(r, col);
#else
    transpose4(r[0], r[1], r[2], r[3], col);
#endif
}

/* cos and sin of 2 pi j / P for j <= P / 2, rounded from 36 digits. */
static const fft_real sqrt_half = (fft_real)0.707106781186547524400844362104849039L;
static const fft_real cos3[2] = {1, -0.5};
static const fft_real sin3[2] = {0, (fft_real)0.866025403784438646763723170752936183L};
static const fft_real cos5[3] = {1, (fft_real)0.309016994374947424102293417182819059L,
                                 (fft_real)-0.809016994374947424102293417182819059L};
static const fft_real sin5[3] = {0, (fft_real)0.951056516295153572116439333379382143L,
                                 (fft_real)0.587785252292473129168705954639072769L};
static const fft_real cos7[4] = {1, (fft_real)0.623489801858733530525004884004239811L,
                                 (fft_real)-0.222520933956314404288902564496794759L,
                                 (fft_real)-0.900968867902419126236102319507445051L};
static const fft_real sin7[4] = {0, (fft_real)0.781831482468029808708444526674057750L,
                                 (fft_real)0.974927912181823607018131682993931217L,
                                 (fft_real)0.433883739117558120475768332848358754L};

#endif
