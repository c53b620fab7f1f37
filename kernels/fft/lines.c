/*
 * Strided lines: gather, transform, scatter with the normalisation, for
 * complex lines and for the real lines of r2c and c2r. Compiled once per
 * precision (this file for double, lines_s.c for float).
 *
 * A real line of even length n = 2h runs one complex transform of length h
 * (the textbook packing, e.g. Press et al., Numerical Recipes, 12.3):
 * z_k = x_2k + i x_2k+1 has Z = E + i O, E and O the transforms of the
 * even and odd samples, and X_k = E_k + w^k O_k, w = exp(-2 pi i / n),
 * with E_k = (Z_k + conj Z_h-k) / 2 and O_k = (Z_k - conj Z_h-k) / 2i.
 * c2r inverts each step. An odd length runs the complex line of n.
 */
#ifndef KP_FFT_SINGLE
#define KP_FFT_SINGLE 0
#endif

#include "kernels/fft/fft.h"
#include "kernels/fft/prec.h"
#include "sched/internal.h"

#if defined(__x86_64__) && !KP_FFT_SINGLE
/* Whether the even real lines' pre- and post-passes take AVX-512: double,
 * and the CPU and KERNPOOL_ISA allow it. They run on contiguous data for
 * every stride, so a strided line gives the bits of a contiguous one. */
static int simd_real(void)
{
    return kp__isa_selected() == KP_ISA_AVX512;
}
#endif

static void exec(const kp__fft_line *line, int fwd, fft_cpx *data, fft_cpx *work)
{
    line->exec(line, fwd, data, data, work);
}

void FFT_FN(kp__fft_c2c)(const kp__fft_line *line, int fwd, const void *src, ptrdiff_t ss,
                         void *dst, ptrdiff_t ds, double scale, void *buf)
{
    if (line->col != NULL) { /* four-step: reads and writes the line itself */
        FFT_FN(kp__fft_fourstep)(line, fwd, src, ss, dst, ds, scale, buf);
        return;
    }
    const size_t n = line->n;
    const fft_cpx *x = src;
    fft_cpx *y = dst, *a = buf;
    if (ss == 1 && ds == 1 && src != dst) { /* straight from src to dst */
        line->exec(line, fwd, src, dst, buf);
        if (scale != 1.0) {
            const fft_real s = (fft_real)scale;
            for (size_t k = 0; k < n; k++)
                y[k] = (fft_cpx){s * y[k].re, s * y[k].im};
        }
        return;
    }
    for (size_t j = 0; j < n; j++)
        a[j] = x[(ptrdiff_t)j * ss];
    exec(line, fwd, a, a + n);
    if (scale == 1.0) {
        for (size_t j = 0; j < n; j++)
            y[(ptrdiff_t)j * ds] = a[j];
    } else {
        const fft_real s = (fft_real)scale;
        for (size_t j = 0; j < n; j++)
            y[(ptrdiff_t)j * ds] = (fft_cpx){s * a[j].re, s * a[j].im};
    }
}

void FFT_FN(kp__fft_c2c_group)(const kp__fft_line *line, int fwd, const void *const *src,
                               ptrdiff_t ss, void *const *dst, ptrdiff_t ds, size_t count,
                               double scale, void *buf)
{
    const size_t n = line->n, space = kp__fft_line_space(line);
    fft_cpx *a = buf;
    for (size_t j = 0; j < n; j++)
        for (size_t c = 0; c < count; c++)
            a[c * space + j] = ((const fft_cpx *)src[c])[(ptrdiff_t)j * ss];
    for (size_t c = 0; c < count; c++)
        exec(line, fwd, a + c * space, a + c * space + n);
    const fft_real s = (fft_real)scale;
    for (size_t k = 0; k < n; k++)
        for (size_t c = 0; c < count; c++) {
            fft_cpx v = a[c * space + k];
            ((fft_cpx *)dst[c])[(ptrdiff_t)k * ds] =
                scale == 1.0 ? v : (fft_cpx){s * v.re, s * v.im};
        }
}

void FFT_FN(kp__fft_r2c)(const kp__fft_line *line, const void *src, ptrdiff_t ss, void *dst,
                         ptrdiff_t ds, double scale, void *buf)
{
    const size_t n = line->n;
    const fft_real *x = src, s = (fft_real)scale;
    fft_cpx *y = dst, *z = buf;
    if (n % 2 == 1) {
        for (size_t j = 0; j < n; j++)
            z[j] = (fft_cpx){x[(ptrdiff_t)j * ss], 0};
        exec(line->sub, 1, z, z + n);
        for (size_t k = 0; k <= n / 2; k++)
            y[(ptrdiff_t)k * ds] = (fft_cpx){s * z[k].re, s * z[k].im};
        return;
    }
    const size_t h = n / 2;
    const fft_cpx *w = line->rtw;
    if (ss == 1) { /* the samples are already the pairs z_j: no copy */
        line->sub->exec(line->sub, 1, x, z, z + h);
    } else {
        for (size_t j = 0; j < h; j++)
            z[j] = (fft_cpx){x[(ptrdiff_t)(2 * j) * ss], x[(ptrdiff_t)(2 * j + 1) * ss]};
        exec(line->sub, 1, z, z + h);
    }
    /* Into a contiguous t (y itself at unit stride), then y. */
    fft_cpx *t = ds == 1 ? y : z + h + line->sub->scratch;
    /* E_0 and O_0 are real: X_0 = E_0 + O_0, X_h = E_0 - O_0 */
    t[0] = (fft_cpx){s * (z[0].re + z[0].im), 0};
    t[h] = (fft_cpx){s * (z[0].re - z[0].im), 0};
    /* X_k = E + w^k O and X_h-k = conj(E - w^k O): both from one product */
    const fft_real half = (fft_real)0.5 * s;
    size_t k = 1;
#if defined(__x86_64__) && !KP_FFT_SINGLE
    if (simd_real()) k = kp__fft_r2c_post_d_avx512(z, w, t, h, scale);
#endif
    for (; 2 * k <= h; k++) {
        fft_cpx a = z[k], b = {z[h - k].re, -z[h - k].im}; /* Z_k, conj Z_h-k */
        fft_cpx e = {a.re + b.re, a.im + b.im};
        fft_cpx o = {a.im - b.im, b.re - a.re}; /* (a - b) / i, doubled as e is */
        fft_cpx c = ctw(o, w[k], 1);
        t[k] = (fft_cpx){half * (e.re + c.re), half * (e.im + c.im)};
        t[h - k] = (fft_cpx){half * (e.re - c.re), half * (c.im - e.im)};
    }
    if (t != y)
        for (k = 0; k <= h; k++)
            y[(ptrdiff_t)k * ds] = t[k];
}

void FFT_FN(kp__fft_c2r)(const kp__fft_line *line, const void *src, ptrdiff_t ss, void *dst,
                         ptrdiff_t ds, double scale, void *buf)
{
    const size_t n = line->n;
    const fft_cpx *x = src;
    fft_real *y = dst;
    const fft_real s = (fft_real)scale;
    fft_cpx *z = buf;
    /* As numpy's irfft: the imaginary parts of X_0 and (even n) X_n/2 are
     * not used. */
    if (n % 2 == 1) {
        z[0] = (fft_cpx){x[0].re, 0};
        for (size_t k = 1; k <= n / 2; k++) {
            fft_cpx v = x[(ptrdiff_t)k * ss];
            z[k] = v;
            z[n - k] = (fft_cpx){v.re, -v.im};
        }
        exec(line->sub, 0, z, z + n);
        for (size_t j = 0; j < n; j++)
            y[(ptrdiff_t)j * ds] = s * z[j].re;
        return;
    }
    const size_t h = n / 2;
    const fft_cpx *w = line->rtw;
    if (ss != 1) { /* a contiguous copy, so every stride takes one path */
        fft_cpx *u = z + h + line->sub->scratch;
        for (size_t k = 0; k <= h; k++)
            u[k] = x[(ptrdiff_t)k * ss];
        x = u;
        ss = 1;
    }
    fft_real x0 = x[0].re, xh = x[h].re;
    z[0] = (fft_cpx){x0 + xh, x0 - xh}; /* E_0 + i O_0, doubled */
    /* Z_k = E + i O and Z_h-k = conj E + i conj O: both from one product */
    size_t k = 1;
#if defined(__x86_64__) && !KP_FFT_SINGLE
    if (simd_real()) k = kp__fft_c2r_pre_d_avx512(x, w, z, h);
#endif
    for (; 2 * k <= h; k++) {
        fft_cpx a = x[k], c = x[h - k];
        fft_cpx b = {c.re, -c.im}; /* conj X_h-k */
        fft_cpx e = {a.re + b.re, a.im + b.im};
        fft_cpx o = ctw((fft_cpx){a.re - b.re, a.im - b.im}, w[k], 0);
        z[k] = (fft_cpx){e.re - o.im, e.im + o.re};
        z[h - k] = (fft_cpx){e.re + o.im, o.re - e.im};
    }
    if (ds == 1) { /* the pairs land as the samples (z holds all of x by now) */
        line->sub->exec(line->sub, 0, z, y, z + h);
        if (scale != 1.0)
            for (size_t j = 0; j < n; j++)
                y[j] *= s;
        return;
    }
    exec(line->sub, 0, z, z + h);
    for (size_t j = 0; j < h; j++) {
        y[(ptrdiff_t)(2 * j) * ds] = s * z[j].re;
        y[(ptrdiff_t)(2 * j + 1) * ds] = s * z[j].im;
    }
}
