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
 * c2r inverts each step.
 *
 * Odd real lines of 45 points or more whose smallest prime is 3, 5 or 7
 * are split by their first radix (split.c).
 */
#ifndef KP_FFT_SINGLE
#define KP_FFT_SINGLE 0
#endif

#include "kernels/fft/fft.h"
#include "kernels/fft/prec.h"
#include "kernels/fft/cval.h"
#include "kernels/fft/real_simd.h"
#include "kernels/fft/split.h"
#include "sched/internal.h"

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

/* Whether the count lines starting at p[c] lie side by side, at a
 * positive stride, in whole blocks that the block copies take. */
static int in_blocks(const kp__fft_copies *simd, const void *const *p, ptrdiff_t stride,
                     size_t count)
{
    if (simd->in == NULL || stride <= 0 || count % KP__FFT_BLOCK(KP_FFT_SINGLE) != 0) return 0;
    for (size_t c = 1; c < count; c++)
        if ((const fft_cpx *)p[c] != (const fft_cpx *)p[0] + c) return 0;
    return 1;
}

/* Elements j < rows of the count complex lines src[c] (stride ss) to
 * a + c space + j, element j of every line in turn (lines side by side
 * by the block copies). */
static void group_in(const kp__fft_copies *simd, const void *const *src, ptrdiff_t ss, size_t count,
                     size_t rows, fft_cpx *a, size_t space)
{
    if (in_blocks(simd, src, ss, count)) {
        for (size_t c = 0; c < count; c += KP__FFT_BLOCK(KP_FFT_SINGLE))
            simd->in(src[c], (size_t)ss, rows, a + c * space, space);
        return;
    }
    for (size_t j = 0; j < rows; j++)
        for (size_t c = 0; c < count; c++)
            a[c * space + j] = ((const fft_cpx *)src[c])[(ptrdiff_t)j * ss];
}

/* The other way, times scale unless it is 1. */
static void group_out(const kp__fft_copies *simd, const fft_cpx *a, size_t space, size_t rows,
                      size_t count, double scale, void *const *dst, ptrdiff_t ds)
{
    if (in_blocks(simd, (const void *const *)dst, ds, count)) {
        simd->out(a, space, rows, count, NULL, 0, NULL, scale, dst[0], (size_t)ds, 1);
        return;
    }
    const fft_real s = (fft_real)scale;
    for (size_t k = 0; k < rows; k++)
        for (size_t c = 0; c < count; c++) {
            fft_cpx v = a[c * space + k];
            ((fft_cpx *)dst[c])[(ptrdiff_t)k * ds] =
                scale == 1.0 ? v : (fft_cpx){s * v.re, s * v.im};
        }
}

void FFT_FN(kp__fft_c2c_group)(const kp__fft_line *line, int fwd, const void *const *src,
                               ptrdiff_t ss, void *const *dst, ptrdiff_t ds, size_t count,
                               double scale, void *buf)
{
    const size_t n = line->n;
    const kp__fft_copies simd = FFT_FN(kp__fft_copies)();
    fft_cpx *a = buf, *work = a + count * n; /* line c at a + c n */
    group_in(&simd, src, ss, count, n, a, n);
    for (size_t c = 0; c < count; c++)
        exec(line, fwd, a + c * n, work);
    group_out(&simd, a, n, n, count, scale, dst, ds);
}

/* ----------------------------------------------------- real-line pieces */

/* The pieces of the real lines, each over a range [a, b) of its indices:
 * the one-thread lines below run each over its whole range, a shared line
 * (kp__fft_shared_run) runs it in parts on several threads. Either way an
 * index goes through the same code, so the bits are the same. */

/* z_j = x_2j + i x_2j+1 (even r2c). */
static void pairs_in(const fft_real *x, ptrdiff_t ss, fft_cpx *z, size_t a, size_t b)
{
    for (size_t j = a; j < b; j++)
        z[j] = (fft_cpx){x[(ptrdiff_t)(2 * j) * ss], x[(ptrdiff_t)(2 * j + 1) * ss]};
}

/* z_j = x_j (odd r2c). */
static void real_in(const fft_real *x, ptrdiff_t ss, fft_cpx *z, size_t a, size_t b)
{
    for (size_t j = a; j < b; j++)
        z[j] = (fft_cpx){x[(ptrdiff_t)j * ss], 0};
}

/* y_k = x_k, times scale unless it is 1. */
static void cpx_copy(const fft_cpx *x, ptrdiff_t ss, fft_cpx *y, ptrdiff_t ds, double scale,
                     size_t a, size_t b)
{
    const fft_real s = (fft_real)scale;
    for (size_t k = a; k < b; k++) {
        fft_cpx v = x[(ptrdiff_t)k * ss];
        y[(ptrdiff_t)k * ds] = scale == 1.0 ? v : (fft_cpx){s * v.re, s * v.im};
    }
}

/* The vector loop of r2c_post from this h. It needs h >= 8, and the lines
 * of 8, 9 and 10 points are one butterfly each, whose stores of one value
 * at a time the loop's wider loads read right after (a store is not
 * forwarded to a wider load): the scalar loop took 1.17x (h = 8) and 1.08x
 * (h = 10) less time there (one thread, Zen 5, AVX-512). */
#define POST_SIMD_MIN 11

/* Even r2c, n = 2h: X_k and X_h-k from Z for k in [a, b), 0 <= k <= h/2,
 * times scale, into contiguous t (h + 1 values). A part's range starts at
 * 0 or at 1 + 4q (kp__fft_shared_cut), so the AVX-512 loop takes the same
 * k as over the whole range. */
static void r2c_post(const kp__fft_line *line, const fft_cpx *z, fft_cpx *t, double scale, size_t a,
                     size_t b)
{
    const size_t h = line->n / 2;
    const fft_cpx *w = line->rtw;
    const fft_real s = (fft_real)scale, half = (fft_real)0.5 * s;
    size_t k = a;
    if (k == 0 && k < b) {
        /* E_0 and O_0 are real: X_0 = E_0 + O_0, X_h = E_0 - O_0 */
        t[0] = (fft_cpx){s * (z[0].re + z[0].im), 0};
        t[h] = (fft_cpx){s * (z[0].re - z[0].im), 0};
        k = 1;
    }
    if (k < b && h >= POST_SIMD_MIN) {
        const simd_real simd = simd_real_pick();
        if (simd.post != NULL) k = simd.post(z, w, t, h, scale, k, b);
    }
    /* X_k = E + w^k O and X_h-k = conj(E - w^k O): both from one product */
    for (; k < b; k++) {
        const cval p = cv_load(z + k), q = cv_neg_im(cv_load(z + h - k)); /* Z_k, conj Z_h-k */
        const cval e = cadd(p, q);
        /* (p.im - q.im, q.re - p.re): (p - q) / i, doubled as e is. Not
           crot(csub(p, q)) nor, below, cv_neg_im(csub(e, c)): -(x - y)
           and y - x differ in the sign of a zero. */
        const cval o = csub(cv_cross(p, q), cv_cross(q, p));
        const cval c = cv_twist(o, w + k, 1);
        cv_store(t + k, cscale(half, cadd(e, c)));
        cv_store(t + h - k, cscale(half, csub(cv_mix(e, c), cv_mix(c, e)))); /* conj(e - c) */
    }
}

/* Even c2r, n = 2h: Z_k and Z_h-k from contiguous x for k in [a, b),
 * 0 <= k <= h/2 (ranges as r2c_post). As numpy's irfft, the imaginary
 * parts of X_0 and X_h are not used. */
static void c2r_pre(const kp__fft_line *line, const fft_cpx *x, fft_cpx *z, size_t a, size_t b)
{
    const size_t h = line->n / 2;
    const fft_cpx *w = line->rtw;
    size_t k = a;
    if (k == 0 && k < b) {
        fft_real x0 = x[0].re, xh = x[h].re;
        z[0] = (fft_cpx){x0 + xh, x0 - xh}; /* E_0 + i O_0, doubled */
        k = 1;
    }
    const simd_real simd = simd_real_pick();
    if (simd.pre != NULL && k < b) k = simd.pre(x, w, z, h, k, b);
    /* Z_k = E + i O and Z_h-k = conj E + i conj O: both from one product */
    for (; k < b; k++) {
        const cval p = cv_load(x + k), q = cv_neg_im(cv_load(x + h - k)); /* conj X_h-k */
        const cval e = cadd(p, q), o = cv_twist(csub(p, q), w + k, 0);
        cv_store(z + k, cadd(e, crot(o, 0)));                /* e + i o */
        cv_store(z + h - k, cadd(cv_neg_im(e), cv_swap(o))); /* conj e + i conj o */
    }
}

/* Odd c2r: the Hermitian line z from X_k, 0 <= k <= n/2, for k in
 * [a, b); the imaginary part of X_0 is not used. */
static void herm_in(const fft_cpx *x, ptrdiff_t ss, fft_cpx *z, size_t n, size_t a, size_t b)
{
    for (size_t k = a; k < b; k++) {
        fft_cpx v = x[(ptrdiff_t)k * ss];
        if (k == 0) {
            z[0] = (fft_cpx){v.re, 0};
        } else {
            z[k] = v;
            z[n - k] = (fft_cpx){v.re, -v.im};
        }
    }
}

/* y_j = scale re z_j (odd c2r). */
static void real_out(const fft_cpx *z, fft_real *y, ptrdiff_t ds, double scale, size_t a, size_t b)
{
    const fft_real s = (fft_real)scale;
    for (size_t j = a; j < b; j++)
        y[(ptrdiff_t)j * ds] = s * z[j].re;
}

/* y_2j = scale re z_j, y_2j+1 = scale im z_j (even c2r). */
static void pairs_out(const fft_cpx *z, fft_real *y, ptrdiff_t ds, double scale, size_t a, size_t b)
{
    const fft_real s = (fft_real)scale;
    for (size_t j = a; j < b; j++) {
        y[(ptrdiff_t)(2 * j) * ds] = s * z[j].re;
        y[(ptrdiff_t)(2 * j + 1) * ds] = s * z[j].im;
    }
}

/* --------------------------------------------------- Bluestein's pieces */

/* The pieces of bluestein() in passes.c, which explains them, each over a
 * range of its indices (fft.h). */

void FFT_PREC_FN(kp__fft_blue_in)(const kp__fft_line *line, int fwd, const void *x_, ptrdiff_t xs,
                                  void *a_, size_t b0, size_t b1)
{
    const fft_cpx *x = x_, *chirp = line->chirp;
    fft_cpx *a = a_;
    const fft_real sign = fwd ? 1 : -1;
    const size_t end = b1 < line->n ? b1 : line->n; /* the samples, then the padding */
    size_t k = b0;
    for (; k < end; k++) {
        fft_cpx v = x[(ptrdiff_t)k * xs];
        a[k] = ctw((fft_cpx){v.re, sign * v.im}, chirp[k], 1);
    }
    for (; k < b1; k++)
        a[k] = (fft_cpx){0, 0};
}

void FFT_PREC_FN(kp__fft_blue_mul)(const kp__fft_line *line, void *a_, size_t b0, size_t b1)
{
    const fft_cpx *kernel = line->kernel;
    fft_cpx *a = a_;
    for (size_t j = b0; j < b1; j++)
        a[j] = ctw(a[j], kernel[j], 1);
}

void FFT_PREC_FN(kp__fft_blue_out)(const kp__fft_line *line, int fwd, const void *a_, void *y_,
                                   ptrdiff_t ys, double scale, size_t b0, size_t b1)
{
    const fft_cpx *a = a_, *chirp = line->chirp;
    fft_cpx *y = y_;
    const fft_real sign = fwd ? 1 : -1, s = (fft_real)scale;
    for (size_t k = b0; k < b1; k++) {
        fft_cpx c = ctw(a[k], chirp[k], 1), v = {c.re, sign * c.im};
        y[(ptrdiff_t)k * ys] = scale == 1.0 ? v : (fft_cpx){s * v.re, s * v.im};
    }
}

/* ------------------------------------------------ real lines, one thread */

void FFT_FN(kp__fft_r2c)(const kp__fft_line *line, const void *src, ptrdiff_t ss, void *dst,
                         ptrdiff_t ds, double scale, void *buf)
{
    const size_t n = line->n;
    const fft_real *x = src;
    fft_cpx *y = dst, *z = buf;
    if (line->split) {
        FFT_PREC_FN(kp__fft_split_r2c)(line, x, ss, y, ds, scale, z);
        return;
    }
    if (n % 2 == 1) {
        if (FFT_FN(kp__fft_odd_real_one)(line->sub, 1, x, ss, y, ds, scale)) return;
        real_in(x, ss, z, 0, n);
        exec(line->sub, 1, z, z + n);
        cpx_copy(z, 1, y, ds, scale, 0, n / 2 + 1);
        return;
    }
    const size_t h = n / 2;
    if (ss == 1) { /* the samples are already the pairs z_j: no copy */
        line->sub->exec(line->sub, 1, x, z, z + h);
    } else {
        pairs_in(x, ss, z, 0, h);
        exec(line->sub, 1, z, z + h);
    }
    /* Into a contiguous t (y itself at unit stride), then y. */
    fft_cpx *t = ds == 1 ? y : z + h + line->sub->scratch;
    r2c_post(line, z, t, scale, 0, h / 2 + 1);
    if (t != y) cpx_copy(t, 1, y, ds, 1.0, 0, h + 1);
}

void FFT_FN(kp__fft_r2c_group)(const kp__fft_line *line, const void *const *src, ptrdiff_t ss,
                               void *const *dst, ptrdiff_t ds, size_t count, double scale,
                               void *buf)
{
    const size_t h = line->n / 2, space = 2 * h + 1;
    const kp__fft_copies simd = FFT_FN(kp__fft_copies)();
    fft_cpx *a = buf, *work = a + count * space;
    /* line c's pairs at a + c space, its outputs h further on */
    for (size_t j = 0; j < h; j++) {
        const ptrdiff_t even = (ptrdiff_t)(2 * j) * ss, odd = even + ss;
        for (size_t c = 0; c < count; c++) {
            const fft_real *x = src[c];
            a[c * space + j] = (fft_cpx){x[even], x[odd]};
        }
    }
    for (size_t c = 0; c < count; c++) {
        fft_cpx *z = a + c * space;
        exec(line->sub, 1, z, work);
        r2c_post(line, z, z + h, scale, 0, h / 2 + 1);
    }
    group_out(&simd, a + h, space, h + 1, count, 1.0, dst, ds);
}

void FFT_FN(kp__fft_c2r)(const kp__fft_line *line, const void *src, ptrdiff_t ss, void *dst,
                         ptrdiff_t ds, double scale, void *buf)
{
    const size_t n = line->n;
    const fft_cpx *x = src;
    fft_real *y = dst;
    fft_cpx *z = buf;
    if (line->split) {
        FFT_PREC_FN(kp__fft_split_c2r)(line, x, ss, y, ds, scale, z);
        return;
    }
    if (n % 2 == 1) {
        if (FFT_FN(kp__fft_odd_real_one)(line->sub, 0, x, ss, y, ds, scale)) return;
        herm_in(x, ss, z, n, 0, n / 2 + 1);
        exec(line->sub, 0, z, z + n);
        real_out(z, y, ds, scale, 0, n);
        return;
    }
    const size_t h = n / 2;
    if (ss != 1) { /* a contiguous copy, so every stride takes one path */
        fft_cpx *u = z + h + line->sub->scratch;
        cpx_copy(x, ss, u, 1, 1.0, 0, h + 1);
        x = u;
    }
    c2r_pre(line, x, z, 0, h / 2 + 1);
    if (ds == 1) { /* the pairs land as the samples (z holds all of x by now) */
        line->sub->exec(line->sub, 0, z, y, z + h);
        if (scale != 1.0) {
            const fft_real s = (fft_real)scale;
            for (size_t j = 0; j < n; j++)
                y[j] *= s;
        }
        return;
    }
    exec(line->sub, 0, z, z + h);
    pairs_out(z, y, ds, scale, 0, h);
}

void FFT_FN(kp__fft_c2r_group)(const kp__fft_line *line, const void *const *src, ptrdiff_t ss,
                               void *const *dst, ptrdiff_t ds, size_t count, double scale,
                               void *buf)
{
    const size_t h = line->n / 2, space = 2 * h + 1;
    const kp__fft_copies simd = FFT_FN(kp__fft_copies)();
    fft_cpx *a = buf, *u = a + h, *work = a + count * space;
    /* line c's inputs copied to u + c space, its pairs at a + c space */
    group_in(&simd, src, ss, count, h + 1, u, space);
    for (size_t c = 0; c < count; c++) {
        fft_cpx *z = a + c * space;
        c2r_pre(line, u + c * space, z, 0, h / 2 + 1);
        exec(line->sub, 0, z, work);
    }
    const fft_real s = (fft_real)scale;
    for (size_t j = 0; j < h; j++) {
        const ptrdiff_t even = (ptrdiff_t)(2 * j) * ds, odd = even + ds;
        for (size_t c = 0; c < count; c++) {
            fft_real *y = dst[c];
            y[even] = s * a[c * space + j].re;
            y[odd] = s * a[c * space + j].im;
        }
    }
}

/* ------------------------------------------------ real lines in lanes */

/* The even real lines of a step through the lanes (simd_lanes.c's
 * kp__fft_r2c_lanes_run and kp__fft_c2r_lanes_run: the complex lines of h
 * = n/2 and the post- or pre-pass): at unit stride straight from and to
 * the lines, else through contiguous copies (r2c's pairs gathered
 * KP__FFT_LANES_REAL lines at a time, c2r a line at a time), so the lanes
 * see the same values in every layout. Work space: kp__fft_lanes_space. */
typedef struct lanes_space {
    fft_cpx *z, *u, *work;
} lanes_space;

static lanes_space lanes_layout(const kp__fft_line *line, void *buf)
{
    const size_t h = line->n / 2;
    lanes_space sp = {.z = buf};
    sp.u = sp.z + KP__FFT_LANES_REAL * h;
    sp.work = sp.u + h + 1;
    return sp;
}

/* Odd real lines, kp__fft_lanes_odd_group at a time: their complex values
 * (kp__fft_r2c's and kp__fft_c2r's for one line: r2c's samples with zero
 * imaginary parts, c2r's whole Hermitian spectrum) in a block of lines n
 * apart, the complex line of n over them in lanes into a second block,
 * and its values out as one line takes them, scaled there. */
static void odd_lanes(const kp__fft_line *line, int r2c, const fft_real *x, ptrdiff_t ss,
                      ptrdiff_t sdist, fft_real *y, ptrdiff_t ds, ptrdiff_t ddist, size_t count,
                      double scale, fft_cpx *buf)
{
    const size_t n = line->n, G = kp__fft_lanes_odd_group(n);
    fft_cpx *in = buf, *out = in + G * n, *work = out + G * n;
    for (size_t c = 0; c < count; c += G) {
        const size_t g = count - c < G ? count - c : G;
        if (r2c && ss == 1 && sdist == (ptrdiff_t)n) /* the lines side by side: one run */
            real_in(x + (ptrdiff_t)c * sdist, 1, in, 0, g * n);
        else
            for (size_t l = 0; l < g; l++) {
                const fft_real *xl = x + (ptrdiff_t)(c + l) * sdist;
                if (r2c)
                    real_in(xl, ss, in + l * n, 0, n);
                else
                    herm_in((const fft_cpx *)xl, ss, in + l * n, n, 0, n / 2 + 1);
            }
        line->sub->lanes(line->sub, r2c, in, 1, 2 * (ptrdiff_t)n, out, 1, 2 * (ptrdiff_t)n, g, 1.0,
                         work);
        for (size_t l = 0; l < g; l++) {
            fft_real *yl = y + (ptrdiff_t)(c + l) * ddist;
            if (r2c)
                cpx_copy(out + l * n, 1, (fft_cpx *)yl, ds, scale, 0, n / 2 + 1);
            else
                real_out(out + l * n, yl, ds, scale, 0, n);
        }
    }
}

/* Real lines of two points, count of them (line.c's kp__fft_lanes_ok): r2c
 * X_0 = x_0 + x_1, X_1 = x_0 - x_1 (imaginary parts 0), c2r back from the
 * real parts, times scale: the operations r2c_post and c2r_pre do at h = 1
 * (the complex line of one point is a copy), without a line's calls (those
 * took 20 ns a line: r2c of 4096 lines 80 us, in this loop 4.2 us). Each
 * line is read whole before it is written, so in place is fine. */
static void two_point_lines(int r2c, const fft_real *x, ptrdiff_t ss, ptrdiff_t sdist, fft_real *y,
                            ptrdiff_t ds, ptrdiff_t ddist, size_t count, double scale)
{
    const fft_real s = (fft_real)scale;
    for (size_t c = 0; c < count; c++) {
        const fft_real *xc = x + (ptrdiff_t)c * sdist;
        fft_real *yc = y + (ptrdiff_t)c * ddist;
        if (r2c) {
            const fft_real x0 = xc[0], x1 = xc[ss];
            fft_cpx *t = (fft_cpx *)yc;
            t[0] = (fft_cpx){s * (x0 + x1), 0};
            t[ds] = (fft_cpx){s * (x0 - x1), 0};
        } else {
            const fft_cpx *t = (const fft_cpx *)xc;
            const fft_real x0 = t[0].re, xh = t[ss].re;
            yc[0] = s * (x0 + xh);
            yc[ds] = s * (x0 - xh);
        }
    }
}

void FFT_FN(kp__fft_r2c_lanes)(const kp__fft_line *line, const void *src, ptrdiff_t ss,
                               ptrdiff_t sdist, void *dst, ptrdiff_t ds, ptrdiff_t ddist,
                               size_t count, double scale, void *buf)
{
    if (line->n == 2) {
        two_point_lines(1, src, ss, sdist, dst, ds, ddist, count, scale);
        return;
    }
    if (line->n % 2 == 1) {
        odd_lanes(line, 1, src, ss, sdist, dst, ds, ddist, count, scale, buf);
        return;
    }
    const size_t h = line->n / 2;
    const lanes_space sp = lanes_layout(line, buf);
    kp__fft_r2c_lanes_fn *run = simd_real_pick().r2c_lanes;
    if (ss == 1) { /* the samples are the pairs */
        run(line, src, sdist, dst, ds, ddist, count, scale, sp.work);
        return;
    }
    for (size_t c = 0; c < count; c += KP__FFT_LANES_REAL) {
        const size_t g = count - c < KP__FFT_LANES_REAL ? count - c : KP__FFT_LANES_REAL;
        const fft_real *x = (const fft_real *)src + (ptrdiff_t)c * sdist;
        for (size_t l = 0; l < g; l++)
            pairs_in(x + (ptrdiff_t)l * sdist, ss, sp.z + l * h, 0, h);
        run(line, sp.z, 2 * (ptrdiff_t)h, (fft_real *)dst + (ptrdiff_t)c * ddist, ds, ddist, g,
            scale, sp.work);
    }
}

void FFT_FN(kp__fft_c2r_lanes)(const kp__fft_line *line, const void *src, ptrdiff_t ss,
                               ptrdiff_t sdist, void *dst, ptrdiff_t ds, ptrdiff_t ddist,
                               size_t count, double scale, void *buf)
{
    if (line->n == 2) {
        two_point_lines(0, src, ss, sdist, dst, ds, ddist, count, scale);
        return;
    }
    if (line->n % 2 == 1) {
        odd_lanes(line, 0, src, ss, sdist, dst, ds, ddist, count, scale, buf);
        return;
    }
    const size_t h = line->n / 2;
    const lanes_space sp = lanes_layout(line, buf);
    kp__fft_c2r_lanes_fn *run = simd_real_pick().c2r_lanes;
    if (ss == 1 && ds == 1) { /* the pairs land as the samples */
        run(line, src, sdist, dst, ddist, count, scale, sp.work);
        return;
    }
    /* line by line through contiguous copies, so every stride takes one path */
    for (size_t c = 0; c < count; c++) {
        const fft_cpx *x = (const fft_cpx *)((const fft_real *)src + (ptrdiff_t)c * sdist);
        fft_real *y = (fft_real *)dst + (ptrdiff_t)c * ddist;
        if (ss != 1) {
            cpx_copy(x, ss, sp.u, 1, 1.0, 0, h + 1);
            x = sp.u;
        }
        if (ds == 1) {
            run(line, x, 0, y, 0, 1, scale, sp.work);
            continue;
        }
        run(line, x, 0, sp.z, 0, 1, 1.0, sp.work);
        pairs_out(sp.z, y, ds, scale, 0, h);
    }
}

/* ------------------------------------------------------- shared lines */

/* One operation of a shared line (built by shared.c) over [a, b). */
void FFT_FN(kp__fft_shared_run)(const kp__fft_shared *sh, size_t i, size_t a, size_t b, void *work)
{
    const kp__fft_op *op = &sh->op[i];
    const kp__fft_line *line = op->line;
    switch (op->what) {
    case KP__FFT_OP_COLS:
        FFT_FN(kp__fft_fourstep_cols)(line, op->fwd, op->src, op->ss, op->t, a, b, work);
        break;
    case KP__FFT_OP_ROWS:
        FFT_FN(kp__fft_fourstep_rows)(line, op->fwd, op->t, op->dst, op->ds, op->scale, a, b, work);
        break;
    case KP__FFT_OP_HEAD:
    case KP__FFT_OP_TAIL:
        line->part(line, op->fwd, op->what == KP__FFT_OP_TAIL, op->src, op->dst, op->t, work, a, b);
        break;
    case KP__FFT_OP_PAIRS_IN: pairs_in(op->src, op->ss, op->dst, a, b); break;
    case KP__FFT_OP_REAL_IN: real_in(op->src, op->ss, op->dst, a, b); break;
    case KP__FFT_OP_HERM_IN: herm_in(op->src, op->ss, op->dst, line->n, a, b); break;
    case KP__FFT_OP_R2C_POST: r2c_post(line, op->src, op->dst, op->scale, a, b); break;
    case KP__FFT_OP_C2R_PRE: c2r_pre(line, op->src, op->dst, a, b); break;
    case KP__FFT_OP_COPY: cpx_copy(op->src, op->ss, op->dst, op->ds, op->scale, a, b); break;
    case KP__FFT_OP_REAL_OUT: real_out(op->src, op->dst, op->ds, op->scale, a, b); break;
    case KP__FFT_OP_PAIRS_OUT: pairs_out(op->src, op->dst, op->ds, op->scale, a, b); break;
    case KP__FFT_OP_BLUE_IN:
        FFT_PREC_FN(kp__fft_blue_in)(line, op->fwd, op->src, op->ss, op->dst, a, b);
        break;
    case KP__FFT_OP_BLUE_MUL: FFT_PREC_FN(kp__fft_blue_mul)(line, op->dst, a, b); break;
    case KP__FFT_OP_BLUE_OUT:
        FFT_PREC_FN(kp__fft_blue_out)(line, op->fwd, op->src, op->dst, op->ds, op->scale, a, b);
        break;
    case KP__FFT_OP_SPLIT_IN:
    case KP__FFT_OP_SPLIT_GATHER:
    case KP__FFT_OP_SPLIT_SCATTER:
    case KP__FFT_OP_SPLIT_OUT: FFT_PREC_FN(kp__fft_split_run)(op, a, b); break;
    case KP__FFT_OP_REST:
        if (a == b) break; /* the parts without the index */
        if (op->fwd)
            FFT_FN(kp__fft_r2c)(line, op->src, 1, op->dst, 1, 1.0, work);
        else
            FFT_FN(kp__fft_c2r)(line, op->src, 1, op->dst, 1, 1.0, work);
        break;
    }
}
