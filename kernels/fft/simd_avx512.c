/*
 * The first and last pass of split odd real lines in double with AVX-512
 * (built with -mavx512f -mavx512dq, run only when the CPU has them).
 */
#define KP_FFT_SINGLE 0

#include "kernels/fft/fft.h"
#include "kernels/fft/prec.h"
#include "kernels/fft/simd.h"

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
