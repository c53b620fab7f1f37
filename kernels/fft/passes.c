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
#include "kernels/fft/cval.h"
#include "sched/internal.h"

#define INLINE KP_INLINE

/* The largest radix with a butterfly of its own here (13): the size of a
 * butterfly's arrays of values. */
#define OWN_MAX 13

/* The butterflies: the length-P DFT y of the P values x[j s], j < P. */
INLINE void dft2(const cval *x, size_t s, cval *y, int fwd)
{
    (void)fwd;
    y[0] = cadd(x[0], x[s]);
    y[1] = csub(x[0], x[s]);
}

INLINE void dft3(const cval *x, size_t s, cval *y, int fwd)
{
    cval x0 = x[0], x1 = x[s], x2 = x[2 * s];
    cval t = cadd(x1, x2);
    cval a = csub(x0, cscale((fft_real)0.5, t));
    cval b = crot(cscale(sin3[1], csub(x1, x2)), fwd);
    y[0] = cadd(x0, t);
    y[1] = cadd(a, b);
    y[2] = csub(a, b);
}

INLINE void dft4(const cval *x, size_t s, cval *y, int fwd)
{
    cval s02 = cadd(x[0], x[2 * s]), d02 = csub(x[0], x[2 * s]);
    cval s13 = cadd(x[s], x[3 * s]), d13 = crot(csub(x[s], x[3 * s]), fwd);
    y[0] = cadd(s02, s13);
    y[1] = cadd(d02, d13);
    y[2] = csub(s02, s13);
    y[3] = csub(d02, d13);
}

/* x * w8^j for the eighth root w8 = exp(-+ i pi / 4) of the direction:
 * w8 = (1 -+ i) sqrt(1/2), w8^3 = w8 (-+ i). */
INLINE cval w8_1(cval x, int fwd)
{
    return cscale(sqrt_half, cadd(x, crot(x, fwd)));
}
INLINE cval w8_3(cval x, int fwd)
{
    return crot(w8_1(x, fwd), fwd);
}

/* Radix 2 then two length-4 DFTs: even outputs from the sums, odd ones
 * from the differences turned by w8^j. */
INLINE void dft8(const cval *x, size_t s, cval *y, int fwd)
{
    cval a[4], b[4], ya[4], yb[4];
    for (int j = 0; j < 4; j++) {
        a[j] = cadd(x[j * s], x[(j + 4) * s]);
        b[j] = csub(x[j * s], x[(j + 4) * s]);
    }
    b[1] = w8_1(b[1], fwd);
    b[2] = crot(b[2], fwd);
    b[3] = w8_3(b[3], fwd);
    dft4(a, 1, ya, fwd);
    dft4(b, 1, yb, fwd);
    for (int m = 0; m < 4; m++) {
        y[2 * m] = ya[m];
        y[2 * m + 1] = yb[m];
    }
}

/* An odd radix P from pairs: with s_j = x_j + x_{P-j}, d_j = x_j - x_{P-j},
 * y_m = x_0 + sum_j cos(2 pi jm/P) s_j -+ i sum_j sin(2 pi jm/P) d_j and
 * y_{P-m} the same with the other sign. cosv/sinv hold cos and sin of
 * 2 pi r / P for r <= P / 2. */
INLINE void dft_odd(const cval *x, size_t st, cval *y, int fwd, const unsigned P,
                    const fft_real *cosv, const fft_real *sinv)
{
    const unsigned h = P / 2;
    cval x0 = x[0], s[OWN_MAX / 2], d[OWN_MAX / 2], y0 = x0;
    for (unsigned j = 1; j <= h; j++) {
        cval a = x[j * st], b = x[(P - j) * st];
        s[j - 1] = cadd(a, b);
        d[j - 1] = csub(a, b);
        y0 = cadd(y0, s[j - 1]);
    }
    y[0] = y0;
    for (unsigned m = 1; m <= h; m++) {
        cval a = x0, b = cv_zero();
        for (unsigned j = 1; j <= h; j++) {
            unsigned r = (j * m) % P; /* cos(2 pi r/P), sin with the sign of r <= h */
            fft_real c = cosv[r <= h ? r : P - r], sn = r <= h ? sinv[r] : -sinv[P - r];
            a = cadd(a, cscale(c, s[j - 1]));
            b = cadd(b, cscale(sn, d[j - 1]));
        }
        b = crot(b, fwd);
        y[m] = cadd(a, b);
        y[P - m] = csub(a, b);
    }
}

/* x * w9^e, w9 = exp(-+ 2 pi i / 9) of the direction: cos x + sin (x
 * turned a quarter the same way). */
INLINE cval turn9(cval x, unsigned e, int fwd)
{
    return cadd(cscale(cos9[e], x), cscale(sin9[e], crot(x, fwd)));
}

/* Radix 9 as 3 x 3: with j = 3a + b and m = c + 3d,
 * y_m = sum_b w9^(bc) w3^(bd) sum_a x_(3a+b) w3^(ac): three length-3 DFTs
 * over a, the turns w9^(bc), three over b. */
INLINE void dft9(const cval *x, size_t s, cval *y, int fwd)
{
    cval t[9]; /* t[3b + c] */
    for (unsigned b = 0; b < 3; b++)
        dft3(x + b * s, 3 * s, t + 3 * b, fwd);
    t[4] = turn9(t[4], 1, fwd);
    t[5] = turn9(t[5], 2, fwd);
    t[7] = turn9(t[7], 2, fwd);
    t[8] = turn9(t[8], 4, fwd);
    for (unsigned c = 0; c < 3; c++) {
        cval u[3];
        dft3(t + c, 3, u, fwd);
        for (unsigned d = 0; d < 3; d++)
            y[c + 3 * d] = u[d];
    }
}

/* Radix 10 by Good and Thomas's prime-factor mapping (I. J. Good, J. R.
 * Stat. Soc. B 20, 1958; L. H. Thomas, 1963): 10 = 5 x 2 with coprime
 * factors, so no turns between the two steps. Inputs j = (2a + 5b) mod 10
 * go through length-5 DFTs over a, then length-2 DFTs over b give output
 * k = (6 k1 + 5 k2) mod 10 (6 = 1 mod 5, 0 mod 2; 5 = 0 mod 5, 1 mod 2). */
INLINE void dft10(const cval *x, size_t s, cval *y, int fwd)
{
    cval in[2][5], t[2][5];
    for (unsigned b = 0; b < 2; b++) {
        for (unsigned a = 0; a < 5; a++)
            in[b][a] = x[(2 * a + 5 * b) % 10 * s];
        dft_odd(in[b], 1, t[b], fwd, 5, cos5, sin5);
    }
    for (unsigned k1 = 0; k1 < 5; k1++) {
        y[6 * k1 % 10] = cadd(t[0][k1], t[1][k1]);
        y[(6 * k1 + 5) % 10] = csub(t[0][k1], t[1][k1]);
    }
}

/* The butterfly of radix P from the P values v to y. */
INLINE void dft_values(const unsigned P, const cval *v, cval *y, int fwd)
{
    switch (P) {
    case 2: dft2(v, 1, y, fwd); break;
    case 3: dft3(v, 1, y, fwd); break;
    case 4: dft4(v, 1, y, fwd); break;
    case 5: dft_odd(v, 1, y, fwd, 5, cos5, sin5); break;
    case 7: dft_odd(v, 1, y, fwd, 7, cos7, sin7); break;
    case 9: dft9(v, 1, y, fwd); break;
    case 10: dft10(v, 1, y, fwd); break;
    case 11: dft_odd(v, 1, y, fwd, 11, cos11, sin11); break;
    case 13: dft_odd(v, 1, y, fwd, 13, cos13, sin13); break;
    default: dft8(v, 1, y, fwd); break;
    }
}

/* The butterfly of radix P from the P points x[j s] to y. */
INLINE void dft(const unsigned P, const fft_cpx *x, size_t s, cval *y, int fwd)
{
    cval v[OWN_MAX];
    for (unsigned j = 0; j < P; j++)
        v[j] = cv_load(x + j * s);
    dft_values(P, v, y, fwd);
}

/* A pass of a radix with a butterfly of its own, over the butterflies of
 * sp (all of them: k < l1, i < ido, unless a shared line's part runs it).
 * Input point j of sub-transform k at i is cc[i + ido (j + P k)]; output m
 * goes to ch[i + ido (k + l1 m)], times tw[(m - 1) ido + i] for m >= 1 (1
 * at i = 0). The twiddle-free i = 0 is peeled off. */
INLINE void pass(const unsigned P, size_t ido, size_t l1, const kp__fft_span *sp,
                 const fft_cpx *restrict cc, fft_cpx *restrict ch, const fft_cpx *restrict tw,
                 int fwd)
{
    const size_t out_m = ido * l1; /* distance between outputs m and m + 1 */
    if (ido == 1) {                /* the last pass: no twiddles, and k is the long loop */
        for (size_t k = sp->k0; k < sp->k1; k++) {
            cval y[OWN_MAX];
            dft(P, cc + P * k, 1, y, fwd);
            for (unsigned m = 0; m < P; m++)
                cv_store(ch + k + m * l1, y[m]);
        }
        return;
    }
    for (size_t k = sp->k0; k < sp->k1; k++) {
        const fft_cpx *x = cc + ido * P * k;
        fft_cpx *z = ch + ido * k;
        cval y[OWN_MAX];
        size_t i = sp->i0;
        if (i == 0) {
            dft(P, x, ido, y, fwd);
            for (unsigned m = 0; m < P; m++)
                cv_store(z + m * out_m, y[m]);
            i = 1;
        }
        for (; i < sp->i1; i++) {
            dft(P, x + i, ido, y, fwd);
            cv_store(z + i, y[0]);
            for (unsigned m = 1; m < P; m++)
                cv_store(z + i + m * out_m, cv_twist(y[m], tw + (m - 1) * ido + i, fwd));
        }
    }
}

/* Any odd radix, with its p-th roots of unity in roots (forward): on the
 * portable path, and for primes above KP__FFT_VEC_GENERIC_MAX. */
INLINE void pass_generic(size_t ido, size_t l1, unsigned P, const kp__fft_span *sp,
                         const fft_cpx *restrict cc, fft_cpx *restrict ch,
                         const fft_cpx *restrict tw, const fft_cpx *restrict roots, int fwd)
{
    const unsigned h = P / 2;
    const size_t out_m = ido * l1;
    for (size_t k = sp->k0; k < sp->k1; k++)
        for (size_t i = sp->i0; i < sp->i1; i++) {
            const fft_cpx *x = cc + i + ido * P * k;
            fft_cpx *z = ch + i + ido * k;
            cval x0 = cv_load(x), y0 = x0;
            for (unsigned j = 1; j <= h; j++)
                y0 = cadd(y0, cadd(cv_load(x + j * ido), cv_load(x + (P - j) * ido)));
            cv_store(z, y0);
            for (unsigned m = 1; m <= h; m++) {
                cval a = x0, b = cv_zero();
                unsigned r = 0;
                for (unsigned j = 1; j <= h; j++) {
                    r += m; /* r = j m mod P */
                    if (r >= P) r -= P;
                    cval u = cv_load(x + j * ido), v = cv_load(x + (P - j) * ido);
                    /* roots[r] = cos - i sin of 2 pi r / P */
                    a = cadd(a, cscale(roots[r].re, cadd(u, v)));
                    b = csub(b, cscale(roots[r].im, csub(u, v)));
                }
                b = crot(b, fwd);
                cval ym = cadd(a, b), yp = csub(a, b);
                if (i > 0) {
                    ym = cv_twist(ym, tw + (m - 1) * ido + i, fwd);
                    yp = cv_twist(yp, tw + (P - m - 1) * ido + i, fwd);
                }
                cv_store(z + m * out_m, ym);
                cv_store(z + (P - m) * out_m, yp);
            }
        }
}

INLINE void run_pass(const kp__fft_pass *ps, const fft_cpx *tab, const kp__fft_span *sp,
                     const fft_cpx *cc, fft_cpx *ch, int fwd)
{
#if KP_FFT_SIMD
    if (FFT_FN(kp__fft_simd_pass)(ps, tab, sp, cc, ch, fwd)) return;
#endif
    /* Radix 16 never gets here: AVX-512's alone (radices.c's pow2_radices),
     * always a last pass over a multiple of VLEN rows, which it takes. */
    const fft_cpx *tw = tab + ps->tw;
    size_t ido = ps->ido, l1 = ps->l1;
    switch (ps->p) {
    case 2: pass(2, ido, l1, sp, cc, ch, tw, fwd); break;
    case 3: pass(3, ido, l1, sp, cc, ch, tw, fwd); break;
    case 4: pass(4, ido, l1, sp, cc, ch, tw, fwd); break;
    case 5: pass(5, ido, l1, sp, cc, ch, tw, fwd); break;
    case 7: pass(7, ido, l1, sp, cc, ch, tw, fwd); break;
    case 8: pass(8, ido, l1, sp, cc, ch, tw, fwd); break;
    case 9: pass(9, ido, l1, sp, cc, ch, tw, fwd); break;
    case 10: pass(10, ido, l1, sp, cc, ch, tw, fwd); break;
    case 11: pass(11, ido, l1, sp, cc, ch, tw, fwd); break;
    case 13: pass(13, ido, l1, sp, cc, ch, tw, fwd); break;
    default: pass_generic(ido, l1, ps->p, sp, cc, ch, tw, tab + ps->roots, fwd); break;
    }
}

/* A pass of the line (or one laid out for a part's own buffers, below)
 * over the butterflies of sp. */
static void line_pass(const kp__fft_line *line, const kp__fft_pass *ps, int fwd,
                      const kp__fft_span *sp, const fft_cpx *from, fft_cpx *to)
{
    if (fwd)
        run_pass(ps, line->tw, sp, from, to, 1);
    else
        run_pass(ps, line->tw, sp, from, to, 0);
}

/* The passes from src to dst through work. Out of place, the buffers
 * alternate so that the last pass writes dst; in place with an odd number of
 * passes, the data first move to work. */
static void mixed(const kp__fft_line *line, int fwd, const fft_cpx *src, fft_cpx *dst,
                  fft_cpx *work)
{
    const int np = line->npass;
    if (np == 0) {
        if (src != dst) memcpy(dst, src, line->n * sizeof *dst);
        return;
    }
    if (src == dst && np % 2 == 1) {
        memcpy(work, src, line->n * sizeof *work);
        src = work;
    }
    const fft_cpx *from = src;
    for (int s = 0; s < np; s++) {
        const kp__fft_pass *ps = &line->pass[s];
        const kp__fft_span all = {0, ps->l1, 0, ps->ido};
        fft_cpx *to = (np - 1 - s) % 2 == 0 ? dst : work;
        line_pass(line, ps, fwd, &all, from, to);
        from = to;
    }
}

/* Bluestein: with c_k = exp(-pi i k^2 / n), X_j = c_j sum_k (x_k c_k)
 * conj(c_{j-k}), a cyclic convolution of length m >= 2n - 1 done by the
 * line of length m with the kernel DFT_m(conj c) / m made at plan time.
 * The backward transform is conj(forward(conj x)), exact in any
 * arithmetic. work holds m + inner->scratch elements: the padded sequence,
 * then the inner line's work space. */
static void bluestein(const kp__fft_line *line, int fwd, const fft_cpx *src, fft_cpx *dst,
                      fft_cpx *work)
{
    const kp__fft_line *inner = line->bluestein;
    const size_t n = line->n, m = inner->n;
    fft_cpx *a = work, *w = work + m;
    FFT_PREC_FN(kp__fft_blue_in)(line, fwd, src, 1, a, 0, m);
    inner->exec(inner, 1, a, a, w);
    FFT_PREC_FN(kp__fft_blue_mul)(line, a, 0, m);
    inner->exec(inner, 0, a, a, w);
    FFT_PREC_FN(kp__fft_blue_out)(line, fwd, a, dst, 1, 1.0, 0, n);
}

/* A shared line's part (kp__fft_line_part in fft.h). With L the product of
 * the radices of the first g = line->head passes and C = n / L:
 *
 * The first passes keep column c (the points at c mod C) where it is, so a
 * part runs them on its columns, a block at a time, between the two halves
 * of work (the last into the first) without waiting for the others.
 *
 * After them, sub-transform k of L is the C points at k C of work, and the
 * other passes compute it alone; but the points it holds move from pass to
 * pass (to k mod L at the end), so a part runs them in its own space: a
 * block of B sub-transforms from k0 is laid out as a line of B C points
 * whose passes have B / L times the line's l1, and the last pass writes
 * value k0 + r + L j (r < B) straight to dst. */
void FFT_FN(kp__fft_line_part)(const kp__fft_line *line, int fwd, int tail, const void *src,
                               void *dst, void *work, void *mine, size_t a, size_t b)
{
    const int np = line->npass, g = line->head;
    const size_t L = line->pass[g].l1, C = line->n / L;
    fft_cpx *out = dst, *mid = work, *aux = mid + line->n;
    if (!tail) {
        const size_t block = KP__FFT_PART_POINTS / L < 16 ? 16 : KP__FFT_PART_POINTS / L;
        for (size_t c = a; c < b; c += block) {
            const size_t e = b - c > block ? c + block : b;
            for (int s = 0; s < g; s++) {
                const kp__fft_pass *ps = &line->pass[s];
                const fft_cpx *from = s == 0 ? src : (g - s) % 2 == 0 ? mid : aux;
                fft_cpx *to = (g - 1 - s) % 2 == 0 ? mid : aux;
                for (size_t t = 0; t < ps->ido; t += C) {
                    const kp__fft_span sp = {0, ps->l1, t + c, t + e};
                    line_pass(line, ps, fwd, &sp, from, to);
                }
            }
        }
        return;
    }
    const size_t block = line->block;
    fft_cpx *own[2] = {mine, (fft_cpx *)mine + block * C};
    const kp__fft_pass *last = &line->pass[np - 1]; /* ido = 1 */
    for (size_t k0 = a; k0 < b; k0 += block) {
        const size_t B = b - k0 > block ? block : b - k0;
        const fft_cpx *from = mid + k0 * C;
        for (int s = g; s < np - 1; s++) {
            kp__fft_pass ps = line->pass[s]; /* ido >= 2: its l1 picks no code */
            ps.l1 = B * (ps.l1 / L);
            const kp__fft_span all = {0, ps.l1, 0, ps.ido};
            line_pass(line, &ps, fwd, &all, from, own[(s - g) % 2]);
            from = own[(s - g) % 2];
        }
        const kp__fft_span rows = {0, B, 0, 1};
        for (size_t j = 0; j < last->l1 / L; j++)
            line_pass(line, last, fwd, &rows, from + last->p * B * j, out + k0 + L * j);
    }
}

INLINE void one_dir(const unsigned P, const fft_cpx *x, fft_cpx *z, int fwd)
{
    cval y[OWN_MAX];
    dft(P, x, 1, y, fwd);
    for (unsigned m = 0; m < P; m++)
        cv_store(z + m, y[m]);
}

/* One function per radix, each setting up only the frame its butterfly
 * needs. */
typedef void one_fn(const fft_cpx *x, fft_cpx *z, int fwd);
#define ONE(P)                                                                                     \
    static void one_##P(const fft_cpx *x, fft_cpx *z, int fwd)                                     \
    {                                                                                              \
        if (fwd)                                                                                   \
            one_dir(P, x, z, 1);                                                                   \
        else                                                                                       \
            one_dir(P, x, z, 0);                                                                   \
    }
ONE(2)
ONE(3)
ONE(4)
ONE(5)
ONE(7)
ONE(8)
ONE(9)
ONE(10)
ONE(11)
ONE(13)
#undef ONE

/* The function of a line of one pass of a radix with a butterfly of its
 * own (2, 3, 4, 5, 7, 8, 9, 10, 11 or 13 points), or NULL: the butterfly
 * straight from x to z (the pass's own operations; the vector passes take
 * no pass of one butterfly), without the calls and the pass loop's set-up;
 * z may be x. Bluestein and four-step lines have no passes of their own
 * (npass 0). One thread, Zen 5: 2, 3, 4 and 8 points took 1.4x to 2x less
 * time; 5, 7, 9 and 10 1.4x to 1.5x (once their values stayed in
 * registers, cval.h). */
static one_fn *one_butterfly(const kp__fft_line *line)
{
    static one_fn *const own[OWN_MAX + 1] = {
        [2] = one_2, [3] = one_3, [4] = one_4,   [5] = one_5,   [7] = one_7,
        [8] = one_8, [9] = one_9, [10] = one_10, [11] = one_11, [13] = one_13};
    const unsigned p = line->pass[0].p;
    return line->npass == 1 && p < sizeof own / sizeof own[0] ? own[p] : NULL;
}

#if !KP_FFT_SIMD /* lines.c calls the portable build's: the same bits */
/* An odd real line whose complex line is one butterfly, straight: r2c
 * from the samples with zero imaginary parts, outputs 0 .. P/2 times scale
 * unless it is 1; c2r from the spectrum's first P/2 + 1 values completed by
 * their conjugates (the imaginary part of x_0 taken as 0), the real parts
 * of the outputs times scale. The operations of lines.c's copies around
 * the complex line, so the same bits. */
INLINE void odd_real_one(const unsigned P, int r2c, const void *src, ptrdiff_t ss, void *dst,
                         ptrdiff_t ds, double scale)
{
    const fft_real s = (fft_real)scale;
    cval v[OWN_MAX], y[OWN_MAX];
    if (r2c) {
        const fft_real *x = src;
        fft_cpx *z = dst;
        for (unsigned j = 0; j < P; j++)
            v[j] = cv_real(x[(ptrdiff_t)j * ss]);
        dft_values(P, v, y, 1);
        for (unsigned k = 0; k <= P / 2; k++)
            cv_store(z + (ptrdiff_t)k * ds, scale == 1.0 ? y[k] : cscale(s, y[k]));
    } else {
        const fft_cpx *x = src;
        fft_real *z = dst;
        v[0] = cv_real(x[0].re);
        for (unsigned k = 1; k <= P / 2; k++) {
            v[k] = cv_load(x + (ptrdiff_t)k * ss);
            v[P - k] = cv_neg_im(v[k]);
        }
        dft_values(P, v, y, 0);
        for (unsigned j = 0; j < P; j++)
            z[(ptrdiff_t)j * ds] = s * cv_re(y[j]);
    }
}

int FFT_FN(kp__fft_odd_real_one)(const kp__fft_line *line, int r2c, const void *src, ptrdiff_t ss,
                                 void *dst, ptrdiff_t ds, double scale)
{
    if (line->npass != 1) return 0;
#define ODD(P)                                                                                     \
    case P: odd_real_one(P, r2c, src, ss, dst, ds, scale); return 1
    switch (line->pass[0].p) {
        ODD(3);
        ODD(5);
        ODD(7);
        ODD(9);
        ODD(11);
        ODD(13);
    default: return 0;
    }
#undef ODD
}
#endif

/* Every line one_butterfly does not take (more than one pass, a radix
 * without a function of its own, Bluestein). Out of line, so that a line
 * of one butterfly sets up no frame for it. */
static __attribute__((noinline)) void line_passes(const kp__fft_line *line, int fwd,
                                                  const void *src, void *dst, void *work)
{
    if (line->bluestein != NULL) {
        bluestein(line, fwd, src, dst, work);
    } else if (line->blocked) { /* one part: the head reads src whole first */
        const size_t L = line->pass[line->head].l1;
        fft_cpx *mine = (fft_cpx *)work + 2 * line->n;
        FFT_FN(kp__fft_line_part)(line, fwd, 0, src, dst, work, mine, 0, line->n / L);
        FFT_FN(kp__fft_line_part)(line, fwd, 1, src, dst, work, mine, 0, L);
    } else {
        mixed(line, fwd, src, dst, work);
    }
}

void FFT_FN(kp__fft_line_exec)(const kp__fft_line *line, int fwd, const void *src, void *dst,
                               void *work)
{
    one_fn *one = one_butterfly(line);
    if (one != NULL)
        one(src, dst, fwd);
    else
        line_passes(line, fwd, src, dst, work);
}
