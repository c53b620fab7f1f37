/*
 * Many short lines VLEN at a time with explicit vectors (line.c's
 * pick_lanes), built with simd_passes.c once per precision and instruction
 * set (simd_{d,s}_{avx2,avx512}.c): value e of the VLEN lines is register e
 * of a buffer, one line a lane, and each pass is passes.c's pass with
 * registers for points, so no pass has a short inner loop or a partly used
 * vector, whatever n. The lanes do not mix: a line's bits do not depend on
 * the lines beside it. Lines of one or two passes up to 64 points stay in
 * registers throughout (lanes_regs), contiguous lines or an array's
 * columns. Even real lines take their pre- and post-passes in the lanes
 * too (simd_real_lanes.c, which builds on this file).
 */
#include "kernels/fft/fft.h"
#include "kernels/fft/prec.h"
#include "kernels/fft/simd.h"
#include "kernels/fft/simd_dft.h"

/* Radix P over the registers: butterfly (k, i) reads a[i + ido (j + P k)]
 * and writes b[i + ido (k + l1 m)], outputs m >= 1 times the twiddle
 * tw[(m - 1) ido + i] of every lane; i = 0 (twiddles 1) multiplies nothing. */
INLINE void lanes_pass(const unsigned P, size_t ido, size_t l1, const fft_real *a, fft_real *b,
                       const fft_real *tw, int fwd)
{
    const size_t out_m = ido * l1;
    for (size_t k = 0; k < l1; k++) {
        const size_t x = ido * P * k, z = ido * k;
        vc in[VEC_POINTS], y[VEC_POINTS];
        for (unsigned j = 0; j < P; j++)
            in[j] = load(a, VLEN * (x + j * ido));
        vdft(P, in, y, fwd);
        for (unsigned m = 0; m < P; m++)
            store(b, VLEN * (z + m * out_m), y[m]);
        for (size_t i = 1; i < ido; i++) {
            for (unsigned j = 0; j < P; j++)
                in[j] = load(a, VLEN * (x + i + j * ido));
            vdft(P, in, y, fwd);
            store(b, VLEN * (z + i), y[0]);
            for (unsigned m = 1; m < P; m++)
                store(b, VLEN * (z + i + m * out_m),
                      vtw(y[m], vbcast(tw + 2 * ((m - 1) * ido + i)), fwd));
        }
    }
}

INLINE void lanes_pass_dir(const kp__fft_pass *ps, const fft_real *tab, const fft_real *a,
                           fft_real *b, int fwd)
{
    const fft_real *tw = tab + 2 * ps->tw;
    switch (ps->p) {
    case 2: lanes_pass(2, ps->ido, ps->l1, a, b, tw, fwd); break;
    case 3: lanes_pass(3, ps->ido, ps->l1, a, b, tw, fwd); break;
    case 4: lanes_pass(4, ps->ido, ps->l1, a, b, tw, fwd); break;
    case 5: lanes_pass(5, ps->ido, ps->l1, a, b, tw, fwd); break;
    case 7: lanes_pass(7, ps->ido, ps->l1, a, b, tw, fwd); break;
    case 9: lanes_pass(9, ps->ido, ps->l1, a, b, tw, fwd); break;
    case 10: lanes_pass(10, ps->ido, ps->l1, a, b, tw, fwd); break;
    case 11: lanes_pass(11, ps->ido, ps->l1, a, b, tw, fwd); break;
    case 13: lanes_pass(13, ps->ido, ps->l1, a, b, tw, fwd); break;
    default: lanes_pass(8, ps->ido, ps->l1, a, b, tw, fwd); break;
    }
}

/* The line's passes over the registers in *from, *to the other buffer;
 * *from holds the result on return (the two swapped with each pass). */
INLINE void lanes_passes(const kp__fft_line *line, fft_real **from, fft_real **to, int fwd)
{
    for (int s = 0; s < line->npass; s++) {
        lanes_pass_dir(&line->pass[s], line->tw, *from, *to, fwd);
        fft_real *t = *from;
        *from = *to;
        *to = t;
    }
}

/* Register e of a, e < n, from value e of the VLEN lines x[t], values ss
 * apart. Contiguous lines are read VLEN values at a time and transposed. */
INLINE void lanes_in(size_t n, const fft_real *const *x, ptrdiff_t ss, fft_real *a)
{
    if (ss != 1) {
        for (size_t e = 0; e < n; e++)
            for (size_t t = 0; t < VLEN; t++) {
                a[2 * (VLEN * e + t)] = x[t][2 * (ptrdiff_t)e * ss];
                a[2 * (VLEN * e + t) + 1] = x[t][2 * (ptrdiff_t)e * ss + 1];
            }
        return;
    }
    vc r[VLEN], col[VLEN];
    size_t e = 0;
    for (; e + VLEN <= n; e += VLEN) {
        for (size_t t = 0; t < VLEN; t++)
            r[t] = vload(x[t] + 2 * e);
        transpose(r, col);
        for (size_t j = 0; j < VLEN; j++)
            store(a, VLEN * (e + j), col[j]);
    }
    if (e == n) return;
    for (size_t t = 0; t < VLEN; t++)
        r[t] = vload_mask(head(n - e), x[t] + 2 * e);
    transpose(r, col);
    for (size_t j = 0; j < VLEN; j++) /* a loop to n - e copied col through the stack */
        if (e + j < n) store(a, VLEN * (e + j), col[j]);
}

/* Value e of lines t < count <= VLEN (y[t], values ds apart) from register e of a,
 * times scale unless it is 1 (each part rounded, as kp__fft_c2c). */
INLINE void lanes_out(size_t n, const fft_real *a, double scale, fft_real *const *y, ptrdiff_t ds,
                      size_t count)
{
    const fft_real s = (fft_real)scale;
    if (ds != 1) {
        for (size_t e = 0; e < n; e++)
            for (size_t t = 0; t < count; t++) {
                fft_real re = a[2 * (VLEN * e + t)], im = a[2 * (VLEN * e + t) + 1];
                y[t][2 * (ptrdiff_t)e * ds] = scale != 1.0 ? s * re : re;
                y[t][2 * (ptrdiff_t)e * ds + 1] = scale != 1.0 ? s * im : im;
            }
        return;
    }
    for (size_t e = 0; e < n; e += VLEN) {
        const size_t have = n - e < VLEN ? n - e : VLEN;
        vc col[VLEN], r[VLEN];
        for (size_t j = 0; j < VLEN; j++) {
            col[j] = e + j < n ? load(a, VLEN * (e + j)) : vzero();
            if (scale != 1.0) col[j] = vscale(s, col[j]);
        }
        transpose(col, r);
        for (size_t t = 0; t < VLEN && t < count; t++) { /* constant r[t] */
            if (have == VLEN)
                vstore(y[t] + 2 * e, r[t]);
            else
                vstore_first(y[t] + 2 * e, 2 * have, r[t]);
        }
    }
}

/* Registers v[e], e < n, from value e of the VLEN contiguous lines x[t]
 * (VLEN values at a time, transposed; the last group masked). */
INLINE void regs_in(const unsigned n, const fft_real *const *x, vc *v)
{
    vc r[VLEN], col[VLEN];
    for (unsigned e = 0; e < n; e += VLEN) {
        for (size_t t = 0; t < VLEN; t++)
            r[t] = n - e >= VLEN ? vload(x[t] + 2 * e) : vload_mask(head(n - e), x[t] + 2 * e);
        transpose(r, col);
        for (unsigned j = 0; j < VLEN && e + j < n; j++)
            v[e + j] = col[j];
    }
}

/* Value e < n of the contiguous lines y[t], t < count <= VLEN, from
 * register res[e], times scale unless it is 1 (each part rounded, as
 * kp__fft_c2c). */
INLINE void regs_out(const unsigned n, const vc *res, double scale, fft_real *const *y,
                     size_t count)
{
    vc r[VLEN], col[VLEN];
    const fft_real s = (fft_real)scale;
    for (unsigned e = 0; e < n; e += VLEN) {
        for (unsigned j = 0; j < VLEN; j++) {
            col[j] = e + j < n ? res[e + j] : vzero();
            if (scale != 1.0) col[j] = vscale(s, col[j]);
        }
        transpose(col, r);
        for (size_t t = 0; t < VLEN && t < count; t++) { /* constant r[t] */
            if (n - e >= VLEN)
                vstore(y[t] + 2 * e, r[t]);
            else
                vstore_first(y[t] + 2 * e, 2 * (n - e), r[t]);
        }
    }
}

/* The passes of a line of one or two passes (radix P1, then P2 unless it
 * is 1; n = P1 P2 <= 64) over registers v, w the other set (lanes_pass's
 * operations); returns the set holding the result. */
INLINE vc *regs_passes(const unsigned P1, const unsigned P2, const fft_real *tw, vc *v, vc *w,
                       int fwd)
{
    vc in[VEC_POINTS], out[VEC_POINTS];
    for (unsigned i = 0; i < P2; i++) { /* radix P1, ido P2, l1 1 */
        for (unsigned j = 0; j < P1; j++)
            in[j] = v[i + P2 * j];
        vdft(P1, in, out, fwd);
        w[i] = out[0];
        for (unsigned m = 1; m < P1; m++)
            w[i + P2 * m] = i == 0 ? out[m] : vtw(out[m], vbcast(tw + 2 * ((m - 1) * P2 + i)), fwd);
    }
    for (unsigned k = 0; k < P1 && P2 > 1; k++) { /* radix P2, ido 1, l1 P1 */
        for (unsigned j = 0; j < P2; j++)
            in[j] = w[j + P2 * k];
        vdft(P2, in, out, fwd);
        for (unsigned m = 0; m < P2; m++)
            v[k + P1 * m] = out[m];
    }
    return P2 > 1 ? v : w;
}

/* A line of one or two passes (P1, P2 as regs_passes), t < count <= VLEN
 * of them stored: lanes_in (or side_in), lanes_pass and lanes_out's (or
 * side_out's) operations on registers held in arrays that the unrolled
 * loops index by constants. Contiguous lines (side 0) are transposed;
 * lines side by side (side 1: x[t] = x[0] + t complex values, values ss
 * and ds apart) take a vector load and store a value. */
INLINE void lanes_regs(const unsigned P1, const unsigned P2, const fft_real *tw,
                       const fft_real *const *x, ptrdiff_t ss, fft_real *const *y, ptrdiff_t ds,
                       int side, size_t count, double scale, int fwd)
{
    enum { N = 64 };
    vc v[N], w[N];
    const unsigned n = P1 * P2;
    const vmask mask = head(count);
    if (side) {
        for (unsigned e = 0; e < n; e++) {
            const fft_real *at = x[0] + 2 * (ptrdiff_t)e * ss;
            v[e] = count == VLEN ? vload(at) : vload_mask(mask, at);
        }
    } else {
        regs_in(n, x, v);
    }
    const vc *res = regs_passes(P1, P2, tw, v, w, fwd);
    if (!side) {
        regs_out(n, res, scale, y, count);
        return;
    }
    const fft_real s = (fft_real)scale;
    for (unsigned e = 0; e < n; e++) {
        fft_real *at = y[0] + 2 * (ptrdiff_t)e * ds;
        const vc o = scale != 1.0 ? vscale(s, res[e]) : res[e];
        if (count == VLEN)
            vstore(at, o);
        else
            vstore_first(at, 2 * count, o);
    }
}

/* The lines' pointers for lanes t < VLEN from line c of count on (lines
 * xd and yd reals apart): lines past the last repeat it (computed, never
 * stored). */
INLINE void lanes_at(const fft_real *x, ptrdiff_t xd, fft_real *y, ptrdiff_t yd, size_t c,
                     size_t count, const fft_real **xs, fft_real **ys)
{
    for (size_t t = 0; t < VLEN; t++) {
        const ptrdiff_t line = (ptrdiff_t)(c + t < count ? c + t : count - 1);
        xs[t] = x + line * xd;
        ys[t] = y + line * yd;
    }
}

/* Lines of the passes P1 (P2), VLEN at a time, as lanes_regs. */
INLINE void lanes_regs_run(const unsigned P1, const unsigned P2, const fft_real *tw,
                           const fft_real *x, ptrdiff_t ss, ptrdiff_t xd, fft_real *y, ptrdiff_t ds,
                           ptrdiff_t yd, int side, size_t count, double scale, int fwd)
{
    for (size_t c = 0; c < count; c += VLEN) {
        const fft_real *xs[VLEN];
        fft_real *ys[VLEN];
        lanes_at(x, xd, y, yd, c, count, xs, ys);
        lanes_regs(P1, P2, tw, xs, ss, ys, ds, side, count - c < VLEN ? count - c : VLEN, scale,
                   fwd);
    }
}

/* Register e of a, e < n, from value e of the `have` (<= VLEN) lines side
 * by side at x (one complex value apart, values ss apart): one vector load
 * a value, no transpose; missing lanes read zeros. */
INLINE void side_in(size_t n, const fft_real *x, ptrdiff_t ss, size_t have, fft_real *a)
{
    const vmask m = head(have);
    for (size_t e = 0; e < n; e++) {
        const fft_real *at = x + 2 * (ptrdiff_t)e * ss;
        store(a, VLEN * e, have == VLEN ? vload(at) : vload_mask(m, at));
    }
}

/* Value e of the `have` lines side by side at y (values ds apart) from
 * register e of a, times scale unless it is 1 (as lanes_out). */
INLINE void side_out(size_t n, const fft_real *a, double scale, fft_real *y, ptrdiff_t ds,
                     size_t have)
{
    const fft_real s = (fft_real)scale;
    for (size_t e = 0; e < n; e++) {
        vc v = load(a, VLEN * e);
        if (scale != 1.0) v = vscale(s, v);
        fft_real *at = y + 2 * (ptrdiff_t)e * ds;
        if (have == VLEN)
            vstore(at, v);
        else
            vstore_first(at, 2 * have, v);
    }
}

/* Lines of two points one at a time, y_0 = x_0 + x_1 and y_1 = x_0 - x_1
 * times scale unless it is 1, the operations of the lanes: with nothing to
 * transpose, each line's values straight (4096 lines took 2.3 ns a line in
 * the lanes, 1.0 ns this way). A line is read whole before it is written. */
INLINE void two_point_lines(const fft_real *x, ptrdiff_t ss, ptrdiff_t xd, fft_real *y,
                            ptrdiff_t ds, ptrdiff_t yd, size_t count, double scale)
{
    const fft_real s = (fft_real)scale;
    for (size_t c = 0; c < count; c++) {
        const fft_real *a = x + (ptrdiff_t)c * xd, *b = a + 2 * ss;
        fft_real *u = y + (ptrdiff_t)c * yd, *v = u + 2 * ds;
        fft_real r0 = a[0] + b[0], i0 = a[1] + b[1], r1 = a[0] - b[0], i1 = a[1] - b[1];
        if (scale != 1.0) {
            r0 = s * r0;
            i0 = s * i0;
            r1 = s * r1;
            i1 = s * i1;
        }
        u[0] = r0;
        u[1] = i0;
        v[0] = r1;
        v[1] = i1;
    }
}

/* count lines VLEN at a time through the buffers: in (transposed, or side
 * by side), the passes (lanes_passes), out. */
INLINE void buffered_dir(const kp__fft_line *line, const fft_real *x, ptrdiff_t ss, ptrdiff_t xd,
                         fft_real *y, ptrdiff_t ds, ptrdiff_t yd, size_t count, double scale,
                         fft_real *buf, int fwd)
{
    const size_t n = line->n;
    for (size_t c = 0; c < count; c += VLEN) {
        const size_t have = count - c < VLEN ? count - c : VLEN;
        const fft_real *xs[VLEN];
        fft_real *ys[VLEN];
        fft_real *from = buf, *to = buf + 2 * VLEN * n;
        lanes_at(x, xd, y, yd, c, count, xs, ys);
        if (xd == 2) /* side by side: the columns of an array */
            side_in(n, xs[0], ss, have, from);
        else
            lanes_in(n, xs, ss, from);
        lanes_passes(line, &from, &to, fwd);
        if (yd == 2)
            side_out(n, from, scale, ys[0], ds, have);
        else
            lanes_out(n, from, scale, ys, ds, have);
    }
}

/* buffered_dir out of line, away from lanes_dir's register shapes (with
 * them in one function, batches of lines of 60 ran 8% slower). */
static KP_NOINLINE void lanes_buffered(const kp__fft_line *line, const fft_real *x, ptrdiff_t ss,
                                       ptrdiff_t xd, fft_real *y, ptrdiff_t ds, ptrdiff_t yd,
                                       size_t count, double scale, fft_real *buf, int fwd)
{
    if (fwd)
        buffered_dir(line, x, ss, xd, y, ds, yd, count, scale, buf, 1);
    else
        buffered_dir(line, x, ss, xd, y, ds, yd, count, scale, buf, 0);
}

INLINE void lanes_dir(const kp__fft_line *line, const fft_real *x, ptrdiff_t ss, ptrdiff_t xd,
                      fft_real *y, ptrdiff_t ds, ptrdiff_t yd, size_t count, double scale,
                      fft_real *buf, int fwd)
{
    if (line->n == 2) {
        two_point_lines(x, ss, xd, y, ds, yd, count, scale);
        return;
    }
    const int side = xd == 2 && yd == 2; /* the columns of an array */
    if (line->npass <= 2 && ((ss == 1 && ds == 1) || side)) {
        const fft_real *tw = (const fft_real *)line->tw + 2 * line->pass[0].tw;
        const unsigned p2 = line->npass == 2 ? line->pass[1].p : 1;
        /* the one- and two-pass shapes of factorize up to 64 points, as
           P1 16 + P2 (P2 = 1: one pass; every radix below 16) */
#define REGS(P1, P2)                                                                               \
    case 16 * P1 + P2:                                                                             \
        lanes_regs_run(P1, P2, tw, x, ss, xd, y, ds, yd, side, count, scale, fwd);                 \
        return
        switch (16 * line->pass[0].p + p2) {
            REGS(2, 1);
            REGS(3, 1);
            REGS(4, 1);
            REGS(5, 1);
            REGS(7, 1);
            REGS(8, 1);
            REGS(9, 1);
            REGS(10, 1);
            REGS(11, 1);
            REGS(13, 1);
            REGS(2, 3);
            REGS(4, 3);
            REGS(2, 7);
            REGS(3, 5);
            REGS(4, 4);
            REGS(2, 9);
            REGS(2, 10);
            REGS(3, 7);
            REGS(2, 11);
            REGS(8, 3);
            REGS(5, 5);
            REGS(2, 13);
            REGS(3, 9);
            REGS(4, 7);
            REGS(3, 10);
            REGS(4, 8);
            REGS(3, 11);
            REGS(5, 7);
            REGS(4, 9);
            REGS(3, 13);
            REGS(4, 10);
            REGS(4, 11);
            REGS(9, 5);
            REGS(7, 7);
            REGS(10, 5);
            REGS(4, 13);
            REGS(5, 11);
            REGS(8, 7);
            REGS(9, 7);
            REGS(8, 8);
        default: break;
        }
#undef REGS
    }
    lanes_buffered(line, x, ss, xd, y, ds, yd, count, scale, buf, fwd);
}

void FFT_FN(kp__fft_lanes)(const kp__fft_line *line, int fwd, const void *src, ptrdiff_t ss,
                           ptrdiff_t sdist, void *dst, ptrdiff_t ds, ptrdiff_t ddist, size_t count,
                           double scale, void *buf)
{
    if (fwd)
        lanes_dir(line, src, ss, sdist, dst, ds, ddist, count, scale, buf, 1);
    else
        lanes_dir(line, src, ss, sdist, dst, ds, ddist, count, scale, buf, 0);
}

/* Four-step columns (kp__fft_cols_fn): VLEN columns at a time, the last
 * group through masks (its missing lanes compute zeros, never stored).
 * Rows lie whole strides apart, where the hardware prefetchers do not
 * look: the block's bytes of the row FETCH_AHEAD ahead are asked for, as
 * the block copies do. */
void FFT_FN(kp__fft_lanes_cols)(const kp__fft_line *col, int fwd, const void *x_, size_t xs,
                                size_t cols, const void *fine_, const void *coarse_, void *t_,
                                size_t ts, void *buf)
{
    const size_t n = col->n, bytes = cols * 2 * sizeof(fft_real);
    const fft_real *x = x_, *fine = fine_, *coarse = coarse_;
    fft_real *t = t_;
    for (size_t c = 0; c < cols; c += VLEN) {
        const size_t have = cols - c < VLEN ? cols - c : VLEN;
        const vmask m = head(have);
        fft_real *from = buf, *to = from + 2 * VLEN * n;
        for (size_t e = 0; e < n; e++) {
            if (c == 0 && e + FETCH_AHEAD < n) fetch_lines(x + 2 * (e + FETCH_AHEAD) * xs, bytes);
            store(from, VLEN * e,
                  have == VLEN ? load(x, e * xs + c) : vload_mask(m, x + 2 * (e * xs + c)));
        }
        if (fwd)
            lanes_passes(col, &from, &to, 1);
        else
            lanes_passes(col, &from, &to, 0);
        for (size_t k = 0; k < n; k++) {
            if (c == 0 && k + FETCH_AHEAD < n) fetch_lines(t + 2 * (k + FETCH_AHEAD) * ts, bytes);
            vc v = load(from, VLEN * k);
            if (k > 0) {
                const vc w = vtw_rounded(load(fine, k * BLOCK + c), vbcast(coarse + 2 * k), 1);
                v = fwd ? vtw_rounded(v, w, 1) : vtw_rounded(v, w, 0);
            }
            if (have == VLEN)
                store(t, k * ts + c, v);
            else
                vstore_first(t + 2 * (k * ts + c), 2 * have, v);
        }
    }
}

/* Four-step rows (kp__fft_rows_fn): VLEN rows at a time, the last group's
 * missing lanes repeating its last row (computed, never stored). */
void FFT_FN(kp__fft_lanes_rows)(const kp__fft_line *row, int fwd, const void *t_, size_t ts,
                                size_t count, void *y_, size_t os, double scale, void *buf)
{
    const size_t n = row->n;
    const fft_real *t = t_, s = (fft_real)scale;
    fft_real *y = y_;
    for (size_t r = 0; r < count; r += VLEN) {
        const size_t have = count - r < VLEN ? count - r : VLEN;
        const fft_real *xs[VLEN];
        for (size_t l = 0; l < VLEN; l++)
            xs[l] = t + 2 * (r + (l < have ? l : have - 1)) * ts;
        fft_real *from = buf, *to = from + 2 * VLEN * n;
        lanes_in(n, xs, 1, from);
        if (fwd)
            lanes_passes(row, &from, &to, 1);
        else
            lanes_passes(row, &from, &to, 0);
        for (size_t k = 0; k < n; k++) {
            if (k + FETCH_AHEAD < n)
                fetch_lines(y + 2 * ((k + FETCH_AHEAD) * os + r), have * 2 * sizeof(fft_real));
            vc v = load(from, VLEN * k);
            if (scale != 1.0) v = vscale(s, v);
            if (have == VLEN)
                store(y, k * os + r, v);
            else
                vstore_first(y + 2 * (k * os + r), 2 * have, v);
        }
    }
}
