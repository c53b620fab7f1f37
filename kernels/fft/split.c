/*
 * Split odd real lines. Compiled once per precision (this file for
 * double, split_s.c for float).
 *
 * An odd length n = p q whose smallest prime p is 3, 5 or 7 is split by
 * its first radix (decimation in frequency, as a Stockham pass): with
 * u_m(i) = sum_j x_{i + q j} w_p^(j m) and y_m(i) = u_m(i) w_n^(i m),
 * X_{m + p k} = DFT_q(y_m)_k. Real x makes u_p-m = conj u_m, so only
 * m <= p/2 are transformed: y_0 is real (the real line of q, split again
 * in turn), y_1 .. y_p/2 go through the complex line of q, and the other
 * outputs are conjugates, X_f = conj X_n-f. About half the work of the
 * complex line of n, which shorter odd lengths (and those with larger
 * smallest primes) run.
 */
#ifndef KP_FFT_SINGLE
#define KP_FFT_SINGLE 0
#endif

#include "kernels/fft/fft.h"
#include "kernels/fft/prec.h"
#include "kernels/fft/real_simd.h"
#include "kernels/fft/split.h"
#include "sched/internal.h"

#define INLINE KP_INLINE

#define B KP__FFT_SPLIT_BLOCK

/* w_n^(i m) from the line's table w (fft.h, KP__FFT_SPLIT_BLOCK). */
INLINE fft_cpx split_root(const unsigned P, const fft_real *w, size_t q, unsigned m, size_t i)
{
    const fft_real *fine = w + kp__fft_split_fine(m) + i % B;
    const fft_real *coarse = w + kp__fft_split_coarse(P, q, m, i / B);
    return ctw((fft_cpx){fine[0], fine[B]}, (fft_cpx){coarse[0], coarse[1]}, 1);
}

/* The first pass of a split r2c: for each i0 <= i < i1, the real u_0 into
 * y0 and y_m = u_m w_n^(i m) into ym[(m - 1) q + i], from pairs
 * a_j +- a_p-j. */
INLINE void split_in(const unsigned P, const fft_real *x, ptrdiff_t ss, size_t q, const fft_real *w,
                     fft_real *y0, fft_cpx *ym, size_t i0, size_t i1)
{
    const unsigned h = P / 2;
    for (size_t i = i0; i < i1; i++) {
        fft_real a0 = x[(ptrdiff_t)i * ss], sum[3], dif[3], u0 = a0;
        for (unsigned j = 1; j <= h; j++) {
            fft_real a = x[(ptrdiff_t)(i + q * j) * ss], b = x[(ptrdiff_t)(i + q * (P - j)) * ss];
            sum[j - 1] = a + b;
            dif[j - 1] = a - b;
            u0 += sum[j - 1];
        }
        y0[i] = u0;
        for (unsigned m = 1; m <= h; m++) {
            fft_cpx u = {a0, 0};
            for (unsigned j = 1; j <= h; j++) {
                u.re += cos_jm(P, j, m) * sum[j - 1];
                u.im -= sin_jm(P, j, m) * dif[j - 1];
            }
            ym[(m - 1) * q + i] = ctw(u, split_root(P, w, q, m, i), 1);
        }
    }
}

/* The last pass of a split c2r, i0 <= i < i1: z_m = v_m conj(w_n^(i m))
 * from ym, and x_{i + q j} = v_0 + 2 re(z_m w_p^(-j m)) summed over m,
 * times scale. */
INLINE void split_out(const unsigned P, const fft_real *v0, const fft_cpx *ym, size_t q,
                      const fft_real *w, fft_real *y, ptrdiff_t ds, fft_real scale, size_t i0,
                      size_t i1)
{
    const unsigned h = P / 2;
    for (size_t i = i0; i < i1; i++) {
        fft_cpx z[3];
        fft_real re = 0;
        for (unsigned m = 1; m <= h; m++) {
            z[m - 1] = ctw(ym[(m - 1) * q + i], split_root(P, w, q, m, i), 0);
            re += z[m - 1].re;
        }
        y[(ptrdiff_t)i * ds] = scale * (v0[i] + 2 * re);
        for (unsigned j = 1; j <= h; j++) {
            fft_real c = 0, sn = 0;
            for (unsigned m = 1; m <= h; m++) {
                c += cos_jm(P, j, m) * z[m - 1].re;
                sn += sin_jm(P, j, m) * z[m - 1].im;
            }
            y[(ptrdiff_t)(i + q * j) * ds] = scale * (v0[i] + 2 * (c - sn));
            y[(ptrdiff_t)(i + q * (P - j)) * ds] = scale * (v0[i] + 2 * (c + sn));
        }
    }
}

#undef B

/* split_in and split_out for the line's radix over i0 <= i < i1, with
 * AVX2 or AVX-512 where allowed. */
static void split_first(const kp__fft_line *line, const fft_real *x, ptrdiff_t ss,
                        const split_space *sp, size_t i0, size_t i1)
{
    const size_t q = line->sub->n;
    const simd_real simd = simd_real_pick();
    if (simd.split_in != NULL) {
        simd.split_in(line->split, x, ss, q, line->rtw, sp->y0, sp->ym, i0, i1);
        return;
    }
    switch (line->split) {
    case 3: split_in(3, x, ss, q, line->rtw, sp->y0, sp->ym, i0, i1); break;
    case 5: split_in(5, x, ss, q, line->rtw, sp->y0, sp->ym, i0, i1); break;
    default: split_in(7, x, ss, q, line->rtw, sp->y0, sp->ym, i0, i1); break;
    }
}

static void split_last(const kp__fft_line *line, const split_space *sp, fft_real *y, ptrdiff_t ds,
                       double scale, size_t i0, size_t i1)
{
    const size_t q = line->sub->n;
    const simd_real simd = simd_real_pick();
    if (simd.split_out != NULL) {
        simd.split_out(line->split, sp->y0, sp->ym, q, line->rtw, y, ds, scale, i0, i1);
        return;
    }
    const fft_real s = (fft_real)scale;
    switch (line->split) {
    case 3: split_out(3, sp->y0, sp->ym, q, line->rtw, y, ds, s, i0, i1); break;
    case 5: split_out(5, sp->y0, sp->ym, q, line->rtw, y, ds, s, i0, i1); break;
    default: split_out(7, sp->y0, sp->ym, q, line->rtw, y, ds, s, i0, i1); break;
    }
}

/* Output f = m + p k of a split r2c, f <= n / 2: r0_k (m = 0), y_m,k
 * (m <= p/2), else conj X_n-f = conj y_p-m,q-1-k. */
INLINE fft_cpx split_value(const unsigned P, const split_space *sp, size_t q, unsigned m, size_t k)
{
    if (m == 0) return sp->r0[k];
    if (m <= P / 2) return sp->ym[(m - 1) * q + k];
    const fft_cpx v = sp->ym[(P - m - 1) * q + q - 1 - k];
    return (fft_cpx){v.re, -v.im};
}

/* The spectrum of a split r2c from its pieces, f in [a, b), f <= n / 2, in
 * the order of f: the p outputs of each k together, one pass over y (with
 * a pass per m, each writing every p-th value, r2c of 3^13 and 5^9 took
 * 1.18x longer, 3^11 1.2x; one thread, Zen 5). */
INLINE void gather_out(const unsigned P, const split_space *sp, size_t q, fft_cpx *y, ptrdiff_t ds,
                       double scale, size_t a, size_t b)
{
    const fft_real s = (fft_real)scale;
    size_t f = a, k = a / P;
    for (; f < b && f % P != 0; f++) { /* the first k's last outputs */
        const fft_cpx v = split_value(P, sp, q, (unsigned)(f % P), k);
        y[(ptrdiff_t)f * ds] = scale == 1.0 ? v : (fft_cpx){s * v.re, s * v.im};
    }
    k = f / P;
    for (; f + P <= b; f += P, k++) {
        fft_cpx *out = y + (ptrdiff_t)f * ds;
#pragma GCC unroll 7
        for (unsigned m = 0; m < P; m++) {
            const fft_cpx v = split_value(P, sp, q, m, k);
            out[(ptrdiff_t)m * ds] = scale == 1.0 ? v : (fft_cpx){s * v.re, s * v.im};
        }
    }
    for (unsigned m = 0; f < b; m++, f++) { /* the last k's first outputs */
        const fft_cpx v = split_value(P, sp, q, m, k);
        y[(ptrdiff_t)f * ds] = scale == 1.0 ? v : (fft_cpx){s * v.re, s * v.im};
    }
}

static void split_gather_out(const kp__fft_line *line, const split_space *sp, fft_cpx *y,
                             ptrdiff_t ds, double scale, size_t a, size_t b)
{
    const size_t q = line->sub->n;
    switch (line->split) {
    case 3: gather_out(3, sp, q, y, ds, scale, a, b); break;
    case 5: gather_out(5, sp, q, y, ds, scale, a, b); break;
    default: gather_out(7, sp, q, y, ds, scale, a, b); break;
    }
}

/* The pieces of a split c2r from its input, k in [a, b), k < q: the real
 * line's half spectrum r0 (k <= q / 2) and y_m (m <= p/2) from X_f,
 * f = m + p k. With n = p q odd, every f of k <= q / 2 is at most n / 2,
 * and every f of a larger k is above: there X_f = conj X_n-f, and n - f =
 * (p - m) + p (q - 1 - k), from group q - 1 - k of the input, read
 * backwards. One loop each, no test per value: c2r of 3^11 and 3^7 ran
 * 1.2x and 1.5x faster than with a test per value (one thread, Zen 5). */
INLINE void scatter_in(const unsigned P, const fft_cpx *x, ptrdiff_t ss, const split_space *sp,
                       size_t q, size_t a, size_t b)
{
    size_t k = a;
    for (; k < b && k <= q / 2; k++) {
        const fft_cpx *g = x + (ptrdiff_t)(P * k) * ss;
        sp->r0[k] = g[0];
#pragma GCC unroll 3
        for (unsigned m = 1; m <= P / 2; m++)
            sp->ym[(m - 1) * q + k] = g[(ptrdiff_t)m * ss];
    }
    for (; k < b; k++) {
        const fft_cpx *g = x + (ptrdiff_t)(P * (q - 1 - k)) * ss;
#pragma GCC unroll 3
        for (unsigned m = 1; m <= P / 2; m++) {
            const fft_cpx v = g[(ptrdiff_t)(P - m) * ss];
            sp->ym[(m - 1) * q + k] = (fft_cpx){v.re, -v.im};
        }
    }
}

static void split_scatter_in(const kp__fft_line *line, const fft_cpx *x, ptrdiff_t ss,
                             const split_space *sp, size_t a, size_t b)
{
    const size_t q = line->sub->n;
    switch (line->split) {
    case 3: scatter_in(3, x, ss, sp, q, a, b); break;
    case 5: scatter_in(5, x, ss, sp, q, a, b); break;
    default: scatter_in(7, x, ss, sp, q, a, b); break;
    }
}

void FFT_PREC_FN(kp__fft_split_r2c)(const kp__fft_line *line, const fft_real *x, ptrdiff_t ss,
                                    fft_cpx *y, ptrdiff_t ds, double scale, fft_cpx *buf)
{
    const unsigned h = line->split / 2;
    const size_t n = line->n, q = line->sub->n;
    const split_space sp = split_layout(line, buf);
    split_first(line, x, ss, &sp, 0, q);
    FFT_PREC_FN(kp__fft_r2c)(line->rest, sp.y0, 1, sp.r0, 1, 1.0, sp.rest);
    for (unsigned m = 0; m < h; m++)
        line->sub->exec(line->sub, 1, sp.ym + m * q, sp.ym + m * q, sp.rest);
    split_gather_out(line, &sp, y, ds, scale, 0, n / 2 + 1);
}

void FFT_PREC_FN(kp__fft_split_c2r)(const kp__fft_line *line, const fft_cpx *x, ptrdiff_t ss,
                                    fft_real *y, ptrdiff_t ds, double scale, fft_cpx *buf)
{
    const unsigned h = line->split / 2;
    const size_t q = line->sub->n;
    const split_space sp = split_layout(line, buf);
    split_scatter_in(line, x, ss, &sp, 0, q);
    FFT_PREC_FN(kp__fft_c2r)(line->rest, sp.r0, 1, sp.y0, 1, 1.0, sp.rest);
    for (unsigned m = 0; m < h; m++)
        line->sub->exec(line->sub, 0, sp.ym + m * q, sp.ym + m * q, sp.rest);
    split_last(line, &sp, y, ds, scale, 0, q);
}

void FFT_PREC_FN(kp__fft_split_run)(const kp__fft_op *op, size_t a, size_t b)
{
    const kp__fft_line *line = op->line;
    const split_space sp = split_layout(line, op->t);
    switch (op->what) {
    case KP__FFT_OP_SPLIT_IN: split_first(line, op->src, op->ss, &sp, a, b); break;
    case KP__FFT_OP_SPLIT_GATHER:
        split_gather_out(line, &sp, op->dst, op->ds, op->scale, a, b);
        break;
    case KP__FFT_OP_SPLIT_SCATTER: split_scatter_in(line, op->src, op->ss, &sp, a, b); break;
    case KP__FFT_OP_SPLIT_OUT: split_last(line, &sp, op->dst, op->ds, op->scale, a, b); break;
    default: break; /* lines.c sends only the four above */
    }
}
