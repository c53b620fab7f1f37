/*
 * A complex value held in registers, for the scalar butterflies of
 * passes.c and the real lines' scalar loops of lines.c (include after
 * prec.h).
 *
 * On x86-64 a value is one 128-bit register with the real part in lane 0
 * and the imaginary part in lane 1 (double: the whole register; float: the
 * low half, the upper lanes zero): an addition, a subtraction or a product
 * by a real is one instruction, and GCC keeps a butterfly's values in
 * registers where it spilled the structs' halves (one thread, Zen 5: lines
 * of 9, 18 and 27 points 1.35x to 1.4x faster, lines through the generic
 * odd radix 1.15x to 1.35x). SSE2 is the x86-64
 * baseline, so the portable build has it too. Elsewhere a value is the
 * fft_cpx struct.
 *
 * Both forms round every part through the same IEEE operation on the same
 * operands (x - y and x + (-y) are one operation; a + b and b + a round
 * alike; no multiply is fused with an add), so they give the same bits in
 * round-to-nearest (a NaN's sign and payload aside).
 */
#ifndef KP_FFT_CVAL_H
#define KP_FFT_CVAL_H

#if defined(__x86_64__) && defined(__SSE2__)
#include <emmintrin.h>
#define CVAL_PACKED 1
#else
#define CVAL_PACKED 0
#endif

#define CVAL_INLINE static inline __attribute__((always_inline))

#if CVAL_PACKED && !KP_FFT_SINGLE
typedef __m128d cval;
#define CV_OP(op) _mm_##op##_pd

CVAL_INLINE cval cv_load(const fft_cpx *p)
{
    return _mm_loadu_pd(&p->re);
}
CVAL_INLINE void cv_store(fft_cpx *p, cval v)
{
    _mm_storeu_pd(&p->re, v);
}
/* (im, re) */
CVAL_INLINE cval cv_swap(cval a)
{
    return _mm_shuffle_pd(a, a, 1);
}
/* The sign bit of lane 0 (re) or lane 1 (im) alone. */
CVAL_INLINE cval cv_sign_re(void)
{
    return _mm_set_pd(0.0, -0.0);
}
CVAL_INLINE cval cv_sign_im(void)
{
    return _mm_set_pd(-0.0, 0.0);
}
/* (r, 0), and the real part. */
CVAL_INLINE cval cv_real(fft_real r)
{
    return _mm_set_sd(r);
}
CVAL_INLINE fft_real cv_re(cval a)
{
    return _mm_cvtsd_f64(a);
}
/* (a.im, b.re) and (a.re, b.im) */
CVAL_INLINE cval cv_cross(cval a, cval b)
{
    return _mm_shuffle_pd(a, b, 1);
}
CVAL_INLINE cval cv_mix(cval a, cval b)
{
    return _mm_move_sd(b, a);
}
#elif CVAL_PACKED
typedef __m128 cval;
#define CV_OP(op) _mm_##op##_ps

CVAL_INLINE cval cv_load(const fft_cpx *p)
{
    return _mm_castsi128_ps(_mm_loadu_si64(p));
}
CVAL_INLINE void cv_store(fft_cpx *p, cval v)
{
    _mm_storeu_si64(p, _mm_castps_si128(v));
}
CVAL_INLINE cval cv_swap(cval a)
{
    return _mm_shuffle_ps(a, a, _MM_SHUFFLE(3, 2, 0, 1));
}
CVAL_INLINE cval cv_sign_re(void)
{
    return _mm_set_ps(0.0f, 0.0f, 0.0f, -0.0f);
}
CVAL_INLINE cval cv_sign_im(void)
{
    return _mm_set_ps(0.0f, 0.0f, -0.0f, 0.0f);
}
CVAL_INLINE cval cv_real(fft_real r)
{
    return _mm_set_ss(r);
}
CVAL_INLINE fft_real cv_re(cval a)
{
    return _mm_cvtss_f32(a);
}
CVAL_INLINE cval cv_cross(cval a, cval b)
{
    const __m128 t = _mm_unpacklo_ps(a, b); /* (a.re, b.re, a.im, b.im) */
    return _mm_shuffle_ps(t, _mm_setzero_ps(), _MM_SHUFFLE(0, 0, 1, 2));
}
CVAL_INLINE cval cv_mix(cval a, cval b)
{
    return _mm_move_ss(b, a);
}
#endif

#if CVAL_PACKED
CVAL_INLINE cval cv_zero(void)
{
    return CV_OP(setzero)();
}
CVAL_INLINE cval cadd(cval a, cval b)
{
    return CV_OP(add)(a, b);
}
CVAL_INLINE cval csub(cval a, cval b)
{
    return CV_OP(sub)(a, b);
}
CVAL_INLINE cval cscale(fft_real s, cval a)
{
    return CV_OP(mul)(CV_OP(set1)(s), a);
}
/* a with its real or its imaginary part negated. */
CVAL_INLINE cval cv_neg_re(cval a)
{
    return CV_OP(xor)(a, cv_sign_re());
}
CVAL_INLINE cval cv_neg_im(cval a)
{
    return CV_OP(xor)(a, cv_sign_im());
}
/* a * (-i) = (im, -re) forward, a * i = (-im, re) backward: the quarter
 * turn of the direction. */
CVAL_INLINE cval crot(cval a, int fwd)
{
    return fwd ? cv_neg_im(cv_swap(a)) : cv_neg_re(cv_swap(a));
}

/* a * w (fwd) or a * conj(w) (backward), w a stored forward root, as ctw
 * (prec.h): forward (re wr - im wi, im wr + re wi), backward
 * (re wr + im wi, im wr - re wi). */
CVAL_INLINE cval cv_twist(cval a, const fft_cpx *w, int fwd)
{
    cval p = CV_OP(mul)(a, CV_OP(set1)(w->re));          /* (re wr, im wr) */
    cval q = CV_OP(mul)(cv_swap(a), CV_OP(set1)(w->im)); /* (im wi, re wi) */
    return cadd(p, fwd ? cv_neg_re(q) : cv_neg_im(q));
}
#else
typedef fft_cpx cval;

CVAL_INLINE cval cv_load(const fft_cpx *p)
{
    return *p;
}
CVAL_INLINE void cv_store(fft_cpx *p, cval v)
{
    *p = v;
}
CVAL_INLINE cval cv_zero(void)
{
    return (cval){0, 0};
}
CVAL_INLINE cval cadd(cval a, cval b)
{
    return (cval){a.re + b.re, a.im + b.im};
}
CVAL_INLINE cval csub(cval a, cval b)
{
    return (cval){a.re - b.re, a.im - b.im};
}
CVAL_INLINE cval cscale(fft_real s, cval a)
{
    return (cval){s * a.re, s * a.im};
}
CVAL_INLINE cval crot(cval a, int fwd)
{
    return fwd ? (cval){a.im, -a.re} : (cval){-a.im, a.re};
}
CVAL_INLINE cval cv_twist(cval a, const fft_cpx *w, int fwd)
{
    return ctw(a, *w, fwd);
}
CVAL_INLINE cval cv_swap(cval a)
{
    return (cval){a.im, a.re};
}
CVAL_INLINE cval cv_neg_im(cval a)
{
    return (cval){a.re, -a.im};
}
CVAL_INLINE cval cv_real(fft_real r)
{
    return (cval){r, 0};
}
CVAL_INLINE fft_real cv_re(cval a)
{
    return a.re;
}
CVAL_INLINE cval cv_cross(cval a, cval b)
{
    return (cval){a.im, b.re};
}
CVAL_INLINE cval cv_mix(cval a, cval b)
{
    return (cval){a.re, b.im};
}
#endif

#undef CV_OP

#endif
