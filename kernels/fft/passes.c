/*
 * The mixed-radix passes of a line and its execution, once per precision
 * (this file is compiled as it is for double and through passes_s.c for
 * float).
 *
 * Stockham autosort, decimation in frequency. Before a pass of radix p the
 * data are l1 independent sub-transforms of length p * ido, sub-transform k
 * at [k p ido, (k + 1) p ido). The pass takes, for each k and i < ido, the p
 * points i + ido j (j < p), computes their length-p DFT y_m and writes
 * y_m * w^(i m), w = exp(-2 pi i / (p ido)), to sub-transform k + l1 m of
 * the next stage, at i. After the last pass (ido = 1) position f holds
 * frequency f: the first radix's digit is the least significant. Each pass
 * reads one buffer and writes the other, contiguous in i for every k.
 *
 * The backward transform uses the conjugate roots: fwd is a constant in
 * every instance of the inline bodies below, so each pass is compiled twice
 * without a branch in its loops.
 */
#ifndef KP_FFT_SINGLE
#define KP_FFT_SINGLE 0
#endif

#include <string.h>

#include "kernels/fft/fft.h"
#include "kernels/fft/prec.h"

#define INLINE static inline __attribute__((always_inline))

INLINE fft_cpx cadd(fft_cpx a, fft_cpx b)
{
    return (fft_cpx){a.re + b.re, a.im + b.im};
}
INLINE fft_cpx csub(fft_cpx a, fft_cpx b)
{
    return (fft_cpx){a.re - b.re, a.im - b.im};
}
INLINE fft_cpx cscale(fft_real s, fft_cpx a)
{
    return (fft_cpx){s * a.re, s * a.im};
}
/* a * w (fwd) or a * conj(w) (backward): w is a stored forward root. */
INLINE fft_cpx ctw(fft_cpx a, fft_cpx w, int fwd)
{
    if (fwd) return (fft_cpx){a.re * w.re - a.im * w.im, a.re * w.im + a.im * w.re};
    return (fft_cpx){a.re * w.re + a.im * w.im, a.im * w.re - a.re * w.im};
}
/* a * (-i) forward, a * i backward: the quarter turn of the direction. */
INLINE fft_cpx crot(fft_cpx a, int fwd)
{
    return fwd ? (fft_cpx){a.im, -a.re} : (fft_cpx){-a.im, a.re};
}

/* cos and sin of 2 pi j / p, rounded from 36 significant digits. */
static const fft_real sin60 = (fft_real)0.866025403784438646763723170752936183L;
static const fft_real sqrt_half = (fft_real)0.707106781186547524400844362104849039L;
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

/* Input point j of sub-transform k at i, and output m of it. */
#define CC(i, j, k) cc[(i) + ido * ((j) + P * (k))]
#define CH(i, k, m) ch[(i) + ido * ((k) + l1 * (m))]
/* Twiddle of output m >= 1 at i >= 1: tw[(m - 1)(ido - 1) + i - 1]. */
#define TW(m, i) tw[((m)-1) * (ido - 1) + (i)-1]

/* Writes output m of the butterfly at (i, k), twiddled unless i = 0. */
#define PUT(m, v) CH(i, k, m) = (i) == 0 ? (v) : ctw((v), TW(m, i), fwd)

INLINE void pass2(size_t ido, size_t l1, const fft_cpx *restrict cc, fft_cpx *restrict ch,
                  const fft_cpx *restrict tw, int fwd)
{
    enum { P = 2 };
    for (size_t k = 0; k < l1; k++)
        for (size_t i = 0; i < ido; i++) {
            fft_cpx a = CC(i, 0, k), b = CC(i, 1, k);
            CH(i, k, 0) = cadd(a, b);
            PUT(1, csub(a, b));
        }
}

INLINE void pass3(size_t ido, size_t l1, const fft_cpx *restrict cc, fft_cpx *restrict ch,
                  const fft_cpx *restrict tw, int fwd)
{
    enum { P = 3 };
    for (size_t k = 0; k < l1; k++)
        for (size_t i = 0; i < ido; i++) {
            fft_cpx x0 = CC(i, 0, k), x1 = CC(i, 1, k), x2 = CC(i, 2, k);
            fft_cpx s = cadd(x1, x2);
            fft_cpx a = csub(x0, cscale((fft_real)0.5, s));
            fft_cpx b = crot(cscale(sin60, csub(x1, x2)), fwd);
            CH(i, k, 0) = cadd(x0, s);
            PUT(1, cadd(a, b));
            PUT(2, csub(a, b));
        }
}

/* The length-4 DFT of x, into y. */
INLINE void dft4(const fft_cpx x[4], fft_cpx y[4], int fwd)
{
    fft_cpx s02 = cadd(x[0], x[2]), d02 = csub(x[0], x[2]);
    fft_cpx s13 = cadd(x[1], x[3]), d13 = crot(csub(x[1], x[3]), fwd);
    y[0] = cadd(s02, s13);
    y[1] = cadd(d02, d13);
    y[2] = csub(s02, s13);
    y[3] = csub(d02, d13);
}

INLINE void pass4(size_t ido, size_t l1, const fft_cpx *restrict cc, fft_cpx *restrict ch,
                  const fft_cpx *restrict tw, int fwd)
{
    enum { P = 4 };
    for (size_t k = 0; k < l1; k++)
        for (size_t i = 0; i < ido; i++) {
            fft_cpx x[4] = {CC(i, 0, k), CC(i, 1, k), CC(i, 2, k), CC(i, 3, k)}, y[4];
            dft4(x, y, fwd);
            CH(i, k, 0) = y[0];
            PUT(1, y[1]);
            PUT(2, y[2]);
            PUT(3, y[3]);
        }
}

/* x * w8^j for the eighth root w8 = exp(-+ i pi / 4) of the direction. */
INLINE fft_cpx w8_1(fft_cpx x, int fwd)
{
    return fwd ? (fft_cpx){sqrt_half * (x.re + x.im), sqrt_half * (x.im - x.re)}
               : (fft_cpx){sqrt_half * (x.re - x.im), sqrt_half * (x.re + x.im)};
}
INLINE fft_cpx w8_3(fft_cpx x, int fwd)
{
    return fwd ? (fft_cpx){sqrt_half * (x.im - x.re), -sqrt_half * (x.re + x.im)}
               : (fft_cpx){-sqrt_half * (x.re + x.im), sqrt_half * (x.re - x.im)};
}

INLINE void pass8(size_t ido, size_t l1, const fft_cpx *restrict cc, fft_cpx *restrict ch,
                  const fft_cpx *restrict tw, int fwd)
{
    enum { P = 8 };
    for (size_t k = 0; k < l1; k++)
        for (size_t i = 0; i < ido; i++) {
            /* radix 2 then two length-4 DFTs: even outputs from the sums,
             * odd ones from the differences turned by w8^j */
            fft_cpx a[4], b[4], ya[4], yb[4];
            for (int j = 0; j < 4; j++) {
                fft_cpx x = CC(i, j, k), z = CC(i, j + 4, k);
                a[j] = cadd(x, z);
                b[j] = csub(x, z);
            }
            b[1] = w8_1(b[1], fwd);
            b[2] = crot(b[2], fwd);
            b[3] = w8_3(b[3], fwd);
            dft4(a, ya, fwd);
            dft4(b, yb, fwd);
            CH(i, k, 0) = ya[0];
            PUT(1, yb[0]);
            PUT(2, ya[1]);
            PUT(3, yb[1]);
            PUT(4, ya[2]);
            PUT(5, yb[2]);
            PUT(6, ya[3]);
            PUT(7, yb[3]);
        }
}

/* An odd radix P from pairs: with s_j = x_j + x_{P-j}, d_j = x_j - x_{P-j},
 * y_m = x_0 + sum_j cos(2 pi jm/P) s_j -+ i sum_j sin(2 pi jm/P) d_j and
 * y_{P-m} the same with the other sign. cosv/sinv hold cos and sin of
 * 2 pi r / P for r <= P / 2. */
INLINE void pass_odd(size_t ido, size_t l1, const fft_cpx *restrict cc, fft_cpx *restrict ch,
                     const fft_cpx *restrict tw, int fwd, const unsigned P, const fft_real *cosv,
                     const fft_real *sinv)
{
    const unsigned h = P / 2;
    for (size_t k = 0; k < l1; k++)
        for (size_t i = 0; i < ido; i++) {
            fft_cpx x0 = CC(i, 0, k), s[4], d[4], y0 = x0;
            for (unsigned j = 1; j <= h; j++) {
                fft_cpx a = CC(i, j, k), b = CC(i, P - j, k);
                s[j - 1] = cadd(a, b);
                d[j - 1] = csub(a, b);
                y0 = cadd(y0, s[j - 1]);
            }
            CH(i, k, 0) = y0;
            for (unsigned m = 1; m <= h; m++) {
                fft_cpx a = x0, b = {0, 0};
                for (unsigned j = 1; j <= h; j++) {
                    unsigned r = (j * m) % P; /* cos(2 pi r/P), sin with the sign of r <= h */
                    fft_real c = cosv[r <= h ? r : P - r], sn = r <= h ? sinv[r] : -sinv[P - r];
                    a = cadd(a, cscale(c, s[j - 1]));
                    b = cadd(b, cscale(sn, d[j - 1]));
                }
                b = crot(b, fwd);
                PUT(m, cadd(a, b));
                PUT(P - m, csub(a, b));
            }
        }
}

/* Any odd radix, with its p-th roots of unity in roots (forward). */
INLINE void pass_generic(size_t ido, size_t l1, unsigned P, const fft_cpx *restrict cc,
                         fft_cpx *restrict ch, const fft_cpx *restrict tw,
                         const fft_cpx *restrict roots, int fwd)
{
    const unsigned h = P / 2;
    for (size_t k = 0; k < l1; k++)
        for (size_t i = 0; i < ido; i++) {
            fft_cpx x0 = CC(i, 0, k), y0 = x0;
            for (unsigned j = 1; j <= h; j++)
                y0 = cadd(y0, cadd(CC(i, j, k), CC(i, P - j, k)));
            CH(i, k, 0) = y0;
            for (unsigned m = 1; m <= h; m++) {
                fft_cpx a = x0, b = {0, 0};
                unsigned r = 0;
                for (unsigned j = 1; j <= h; j++) {
                    r += m; /* r = j m mod P */
                    if (r >= P) r -= P;
                    fft_cpx u = CC(i, j, k), v = CC(i, P - j, k);
                    /* roots[r] = cos - i sin of 2 pi r / P */
                    a = cadd(a, cscale(roots[r].re, cadd(u, v)));
                    b = csub(b, cscale(roots[r].im, csub(u, v)));
                }
                b = crot(b, fwd);
                PUT(m, cadd(a, b));
                PUT(P - m, csub(a, b));
            }
        }
}

#undef PUT
#undef TW
#undef CH
#undef CC

INLINE void run_pass(const kp__fft_pass *ps, const fft_cpx *tab, const fft_cpx *cc, fft_cpx *ch,
                     int fwd)
{
    const fft_cpx *tw = tab + ps->tw;
    size_t ido = ps->ido, l1 = ps->l1;
    switch (ps->p) {
    case 2: pass2(ido, l1, cc, ch, tw, fwd); break;
    case 3: pass3(ido, l1, cc, ch, tw, fwd); break;
    case 4: pass4(ido, l1, cc, ch, tw, fwd); break;
    case 5: pass_odd(ido, l1, cc, ch, tw, fwd, 5, cos5, sin5); break;
    case 7: pass_odd(ido, l1, cc, ch, tw, fwd, 7, cos7, sin7); break;
    case 8: pass8(ido, l1, cc, ch, tw, fwd); break;
    default: pass_generic(ido, l1, ps->p, cc, ch, tw, tab + ps->roots, fwd); break;
    }
}

static void mixed(const kp__fft_line *line, int fwd, fft_cpx *data, fft_cpx *work)
{
    const fft_cpx *tab = line->tw;
    fft_cpx *from = data, *to = work;
    for (int s = 0; s < line->npass; s++) {
        if (fwd)
            run_pass(&line->pass[s], tab, from, to, 1);
        else
            run_pass(&line->pass[s], tab, from, to, 0);
        fft_cpx *t = from;
        from = to;
        to = t;
    }
    if (from != data) memcpy(data, from, line->n * sizeof *data);
}

/* Bluestein: with c_k = exp(-pi i k^2 / n), X_j = c_j sum_k (x_k c_k)
 * conj(c_{j-k}), a cyclic convolution of length m >= 2n - 1 done by the
 * line of length m with the kernel DFT_m(conj c) / m made at plan time.
 * The backward transform is conj(forward(conj x)), exact in any
 * arithmetic. work holds 2m elements: the padded sequence and the inner
 * line's work space. */
static void bluestein(const kp__fft_line *line, int fwd, fft_cpx *data, fft_cpx *work)
{
    const kp__fft_line *inner = line->bluestein;
    const fft_cpx *chirp = line->chirp, *kernel = line->kernel;
    const size_t n = line->n, m = inner->n;
    const fft_real sign = fwd ? 1 : -1;
    fft_cpx *a = work, *w = work + m;
    for (size_t k = 0; k < n; k++) {
        fft_cpx x = {data[k].re, sign * data[k].im};
        a[k] = ctw(x, chirp[k], 1);
    }
    memset(a + n, 0, (m - n) * sizeof *a);
    FFT_FN(kp__fft_line_exec)(inner, 1, a, w);
    for (size_t j = 0; j < m; j++)
        a[j] = ctw(a[j], kernel[j], 1);
    FFT_FN(kp__fft_line_exec)(inner, 0, a, w);
    for (size_t k = 0; k < n; k++) {
        fft_cpx y = ctw(a[k], chirp[k], 1);
        data[k] = (fft_cpx){y.re, sign * y.im};
    }
}

void FFT_FN(kp__fft_line_exec)(const kp__fft_line *line, int fwd, void *data, void *work)
{
    if (line->bluestein != NULL)
        bluestein(line, fwd, data, work);
    else
        mixed(line, fwd, data, work);
}
