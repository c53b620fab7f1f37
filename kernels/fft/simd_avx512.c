/*
 * The double AVX-512 code beside the passes (simd_passes.c): the
 * post- and pre-pass of even real lines (float too) and the first and
 * last pass of split odd real lines (built with -mavx512f
 * -mavx512dq, run only when the CPU has them).
 */
#define KP_FFT_SINGLE 0

#include "kernels/fft/fft.h"
#include "kernels/fft/prec.h"
#include "kernels/fft/simd.h"

/* ---------------------------------------------------- real transforms */

/* Four complex values in reverse order. */
INLINE vc vreverse(vc a)
{
    return _mm512_shuffle_f64x2(a, a, 0x1B);
}
INLINE vc vconj(vc a)
{
    return vxor(a, sign_of(1));
}

size_t kp__fft_r2c_post_d_avx512(const void *z_, const void *w_, void *y_, size_t h, double scale,
                                 size_t k, size_t end)
{
    const double *z = z_, *w = w_;
    double *y = y_;
    const double half = 0.5 * scale;
    for (; k + 4 <= end && 2 * k + 6 < h; k += 4) { /* k .. k+3 and h-k-3 .. h-k apart */
        vc a = load(z, k), b = vconj(vreverse(load(z, h - k - 3)));
        vc e = vadd(a, b), o = vrot(vsub(a, b), 1); /* (a - b) / i */
        vc t = vtw(o, load(w, k), 1);
        store(y, k, vscale(half, vadd(e, t)));
        store(y, h - k - 3, vreverse(vconj(vscale(half, vsub(e, t)))));
    }
    return k;
}

size_t kp__fft_c2r_pre_d_avx512(const void *x_, const void *w_, void *z_, size_t h, size_t k,
                                size_t end)
{
    const double *x = x_, *w = w_;
    double *z = z_;
    for (; k + 4 <= end && 2 * k + 6 < h; k += 4) {
        vc a = load(x, k), b = vconj(vreverse(load(x, h - k - 3)));
        vc e = vadd(a, b), io = vrot(vtw(vsub(a, b), load(w, k), 0), 0); /* i (a - b) conj w */
        store(z, k, vadd(e, io));
        store(z, h - k - 3, vreverse(vconj(vsub(e, io))));
    }
    return k;
}

/* The same in float, four complex floats to a ymm register, so that the
 * groups of four k (and the parts' ranges) are double's. */
typedef __m256 f4c;

INLINE f4c f4_load(const float *p, size_t e)
{
    return _mm256_loadu_ps(p + 2 * e);
}
INLINE void f4_store(float *p, size_t e, f4c v)
{
    _mm256_storeu_ps(p + 2 * e, v);
}
INLINE f4c f4_reverse(f4c a)
{
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(a), 0x1B));
}
INLINE f4c f4_conj(f4c a)
{
    return _mm256_xor_ps(a,
                         _mm256_castsi256_ps(_mm256_set1_epi64x((long long)0x8000000000000000u)));
}
/* a * (-i) forward, a * i backward */
INLINE f4c f4_rot(f4c a, int fwd)
{
    const __m256i sign =
        fwd ? _mm256_set1_epi64x((long long)0x8000000000000000u) : _mm256_set1_epi64x(0x80000000);
    return _mm256_xor_ps(_mm256_permute_ps(a, 0xB1), _mm256_castsi256_ps(sign));
}
/* a * w forward, a * conj(w) backward */
INLINE f4c f4_tw(f4c a, f4c w, int fwd)
{
    f4c t = _mm256_mul_ps(_mm256_permute_ps(a, 0xB1), _mm256_movehdup_ps(w));
    return fwd ? _mm256_fmaddsub_ps(a, _mm256_moveldup_ps(w), t)
               : _mm256_fmsubadd_ps(a, _mm256_moveldup_ps(w), t);
}

size_t kp__fft_r2c_post_s_avx512(const void *z_, const void *w_, void *y_, size_t h, double scale,
                                 size_t k, size_t end)
{
    const float *z = z_, *w = w_;
    float *y = y_;
    const f4c half = _mm256_set1_ps(0.5f * (float)scale);
    for (; k + 4 <= end && 2 * k + 6 < h; k += 4) {
        f4c a = f4_load(z, k), b = f4_conj(f4_reverse(f4_load(z, h - k - 3)));
        f4c e = _mm256_add_ps(a, b), o = f4_rot(_mm256_sub_ps(a, b), 1);
        f4c t = f4_tw(o, f4_load(w, k), 1);
        f4_store(y, k, _mm256_mul_ps(half, _mm256_add_ps(e, t)));
        f4_store(y, h - k - 3, f4_reverse(f4_conj(_mm256_mul_ps(half, _mm256_sub_ps(e, t)))));
    }
    return k;
}

size_t kp__fft_c2r_pre_s_avx512(const void *x_, const void *w_, void *z_, size_t h, size_t k,
                                size_t end)
{
    const float *x = x_, *w = w_;
    float *z = z_;
    for (; k + 4 <= end && 2 * k + 6 < h; k += 4) {
        f4c a = f4_load(x, k), b = f4_conj(f4_reverse(f4_load(x, h - k - 3)));
        f4c e = _mm256_add_ps(a, b), io = f4_rot(f4_tw(_mm256_sub_ps(a, b), f4_load(w, k), 0), 0);
        f4_store(z, k, _mm256_add_ps(e, io));
        f4_store(z, h - k - 3, f4_reverse(f4_conj(_mm256_sub_ps(e, io))));
    }
    return k;
}

/* ------------------------------------------------- split odd real lines */

/* The first pass of a split r2c and the last of a split c2r (lines.c),
 * eight i at a time in lanes of eight reals, the last q % 8 through masks
 * and a strided x or y through gathers and scatters, so that every i and
 * every stride take the same operations. */
typedef __m512d v8r;

INLINE __mmask8 lanes(size_t count)
{
    return (__mmask8)((1u << (count < 8 ? count : 8)) - 1);
}
INLINE __m512i strides(ptrdiff_t s)
{
    return _mm512_mullo_epi64(_mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0), _mm512_set1_epi64(s));
}
/* x[t s] for t < count (<= 8), zero beyond. */
INLINE v8r rload(const double *x, ptrdiff_t s, size_t count)
{
    if (s == 1) return _mm512_maskz_loadu_pd(lanes(count), x);
    return _mm512_mask_i64gather_pd(_mm512_setzero_pd(), lanes(count), strides(s), x, 8);
}
INLINE void rstore(double *y, ptrdiff_t s, size_t count, v8r v)
{
    if (s == 1)
        _mm512_mask_storeu_pd(y, lanes(count), v);
    else
        _mm512_mask_i64scatter_pd(y, lanes(count), strides(s), v, 8);
}
/* Complex values t < count (<= 8) of p as their real and imaginary parts. */
INLINE void cload(const double *p, size_t count, v8r *re, v8r *im)
{
    vc lo = _mm512_maskz_loadu_pd(head(count < 4 ? count : 4), p);
    vc hi = _mm512_maskz_loadu_pd(count > 4 ? lanes(2 * (count - 4)) : 0, p + 8);
    *re = _mm512_permutex2var_pd(lo, _mm512_set_epi64(14, 12, 10, 8, 6, 4, 2, 0), hi);
    *im = _mm512_permutex2var_pd(lo, _mm512_set_epi64(15, 13, 11, 9, 7, 5, 3, 1), hi);
}
INLINE void cstore(double *p, size_t count, v8r re, v8r im)
{
    vc lo = _mm512_permutex2var_pd(re, _mm512_set_epi64(11, 3, 10, 2, 9, 1, 8, 0), im);
    vc hi = _mm512_permutex2var_pd(re, _mm512_set_epi64(15, 7, 14, 6, 13, 5, 12, 4), im);
    _mm512_mask_storeu_pd(p, head(count < 4 ? count : 4), lo);
    if (count > 4) _mm512_mask_storeu_pd(p + 8, lanes(2 * (count - 4)), hi);
}

/* cos and sin of 2 pi (j m mod P) / P from the tables of the radix. */
INLINE double cos_jm(const unsigned P, unsigned j, unsigned m)
{
    const double *c = P == 3 ? cos3 : P == 5 ? cos5 : cos7;
    unsigned r = j * m % P;
    return c[r <= P / 2 ? r : P - r];
}
INLINE double sin_jm(const unsigned P, unsigned j, unsigned m)
{
    const double *s = P == 3 ? sin3 : P == 5 ? sin5 : sin7;
    unsigned r = j * m % P;
    return r <= P / 2 ? s[r] : -s[P - r];
}

INLINE void split_in(const unsigned P, const double *x, ptrdiff_t ss, size_t q, const double *w,
                     double *y0, double *ym, size_t i0, size_t i1)
{
    const unsigned h = P / 2;
    for (size_t i = i0; i < i1; i += 8) {
        const size_t count = i1 - i;
        v8r a0 = rload(x + (ptrdiff_t)i * ss, ss, count), sum[3], dif[3], u0 = a0;
        for (unsigned j = 1; j <= h; j++) {
            v8r a = rload(x + (ptrdiff_t)(i + q * j) * ss, ss, count);
            v8r b = rload(x + (ptrdiff_t)(i + q * (P - j)) * ss, ss, count);
            sum[j - 1] = _mm512_add_pd(a, b);
            dif[j - 1] = _mm512_sub_pd(a, b);
            u0 = _mm512_add_pd(u0, sum[j - 1]);
        }
        rstore(y0 + i, 1, count, u0);
        for (unsigned m = 1; m <= h; m++) {
            v8r re = a0, im = _mm512_setzero_pd(), wr, wi;
            for (unsigned j = 1; j <= h; j++) {
                re = _mm512_fmadd_pd(_mm512_set1_pd(cos_jm(P, j, m)), sum[j - 1], re);
                im = _mm512_fnmadd_pd(_mm512_set1_pd(sin_jm(P, j, m)), dif[j - 1], im);
            }
            const size_t at = (m - 1) * q + i;
            cload(w + 2 * at, count, &wr, &wi);
            cstore(ym + 2 * at, count, _mm512_fmsub_pd(re, wr, _mm512_mul_pd(im, wi)),
                   _mm512_fmadd_pd(re, wi, _mm512_mul_pd(im, wr)));
        }
    }
}

INLINE void split_out(const unsigned P, const double *v0, const double *ym, size_t q,
                      const double *w, double *y, ptrdiff_t ds, double scale, size_t i0, size_t i1)
{
    const unsigned h = P / 2;
    const v8r s = _mm512_set1_pd(scale), two = _mm512_set1_pd(2);
    for (size_t i = i0; i < i1; i += 8) {
        const size_t count = i1 - i;
        v8r zr[3], zi[3], v = rload(v0 + i, 1, count), re = _mm512_setzero_pd();
        for (unsigned m = 1; m <= h; m++) { /* z_m = v_m conj w */
            const size_t at = (m - 1) * q + i;
            v8r vr, vi, wr, wi;
            cload(ym + 2 * at, count, &vr, &vi);
            cload(w + 2 * at, count, &wr, &wi);
            zr[m - 1] = _mm512_fmadd_pd(vr, wr, _mm512_mul_pd(vi, wi));
            zi[m - 1] = _mm512_fmsub_pd(vi, wr, _mm512_mul_pd(vr, wi));
            re = _mm512_add_pd(re, zr[m - 1]);
        }
        rstore(y + (ptrdiff_t)i * ds, ds, count, _mm512_mul_pd(s, _mm512_fmadd_pd(two, re, v)));
        for (unsigned j = 1; j <= h; j++) {
            v8r c = _mm512_setzero_pd(), sn = _mm512_setzero_pd();
            for (unsigned m = 1; m <= h; m++) {
                c = _mm512_fmadd_pd(_mm512_set1_pd(cos_jm(P, j, m)), zr[m - 1], c);
                sn = _mm512_fmadd_pd(_mm512_set1_pd(sin_jm(P, j, m)), zi[m - 1], sn);
            }
            rstore(y + (ptrdiff_t)(i + q * j) * ds, ds, count,
                   _mm512_mul_pd(s, _mm512_fmadd_pd(two, _mm512_sub_pd(c, sn), v)));
            rstore(y + (ptrdiff_t)(i + q * (P - j)) * ds, ds, count,
                   _mm512_mul_pd(s, _mm512_fmadd_pd(two, _mm512_add_pd(c, sn), v)));
        }
    }
}

void kp__fft_split_in_d_avx512(unsigned p, const void *x, ptrdiff_t ss, size_t q, const void *w,
                               void *y0, void *ym, size_t i0, size_t i1)
{
    switch (p) {
    case 3: split_in(3, x, ss, q, w, y0, ym, i0, i1); break;
    case 5: split_in(5, x, ss, q, w, y0, ym, i0, i1); break;
    default: split_in(7, x, ss, q, w, y0, ym, i0, i1); break;
    }
}

void kp__fft_split_out_d_avx512(unsigned p, const void *v0, const void *ym, size_t q, const void *w,
                                void *y, ptrdiff_t ds, double scale, size_t i0, size_t i1)
{
    switch (p) {
    case 3: split_out(3, v0, ym, q, w, y, ds, scale, i0, i1); break;
    case 5: split_out(5, v0, ym, q, w, y, ds, scale, i0, i1); break;
    default: split_out(7, v0, ym, q, w, y, ds, scale, i0, i1); break;
    }
}
