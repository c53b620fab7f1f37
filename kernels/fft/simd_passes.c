/*
 * Radix 2, 3, 4, 5, 7, 8, 9 and 10 passes with explicit vectors, once per
 * precision and instruction set (simd_passes_{d,s}_{avx2,avx512}.c, built
 * with the set's flags and run only when the CPU has it): a register holds
 * VLEN complex values (simd.h). The arithmetic is passes.c's, VLEN points
 * at a time, with fused multiply-adds (a pair per twiddle product, one per
 * term of the odd radices' sums of products and of radix 9's inner
 * twiddles: one rounding instead of two, so the bits are not passes.c's).
 *
 * Passes with ido >= 2 take VLEN consecutive i at once, the last group
 * through masked loads and stores (for ido < VLEN the only group: part of a
 * vector still beats one point at a time). The last pass (ido = 1) takes
 * VLEN consecutive k: the points of VLEN butterflies, rows of P contiguous
 * values, are turned into the P inputs by lane shuffles (simd.h). Other
 * passes are left to passes.c. Lines of 16, 32 or 64 points run both their
 * passes in registers where they fit. The four-step's blocks (fourstep.c)
 * go through the same transposes.
 */
#include "kernels/fft/fft.h"
#include "kernels/fft/prec.h"
#include "kernels/fft/simd.h"

INLINE void vdft2(const vc *x, vc *y)
{
    y[0] = vadd(x[0], x[1]);
    y[1] = vsub(x[0], x[1]);
}

/* The rotations below are folded into fused multiply-adds (simd.h's
 * vrot_sign): the same bits as adding vrot's result. */

/* Radix 4; with rot2, of x[0], x[1], rot(x[2]), x[3]. */
INLINE void vdft4_of(const vc *x, vc *y, int fwd, int rot2)
{
    const vc rs = vrot_sign(fwd);
    vc s02, d02;
    if (rot2) {
        const vc t2 = vswap(x[2]);
        s02 = vfmadd(t2, rs, x[0]);
        d02 = vfnmadd(t2, rs, x[0]);
    } else {
        s02 = vadd(x[0], x[2]);
        d02 = vsub(x[0], x[2]);
    }
    vc s13 = vadd(x[1], x[3]), t13 = vswap(vsub(x[1], x[3])); /* rot(x1 - x3) = t13 rs */
    y[0] = vadd(s02, s13);
    y[1] = vfmadd(t13, rs, d02);
    y[2] = vsub(s02, s13);
    y[3] = vfnmadd(t13, rs, d02);
}

INLINE void vdft4(const vc *x, vc *y, int fwd)
{
    vdft4_of(x, y, fwd, 0);
}

/* radix 2, then two length-4 DFTs; x w8 = (x + rot x) / sqrt 2 and
 * x w8^3 = (rot x - x) / sqrt 2 with the quarter turn of the direction */
INLINE void vdft8(const vc *x, vc *y, int fwd)
{
    vc a[4], b[4], ya[4], yb[4];
    for (int j = 0; j < 4; j++) {
        a[j] = vadd(x[j], x[j + 4]);
        b[j] = vsub(x[j], x[j + 4]);
    }
    const vc rs = vrot_sign(fwd);
    b[1] = vscale(sqrt_half, vfmadd(vswap(b[1]), rs, b[1]));
    b[3] = vscale(sqrt_half, vfmsub(vswap(b[3]), rs, b[3]));
    vdft4(a, ya, fwd);
    vdft4_of(b, yb, fwd, 1); /* b[2] times the quarter turn */
    for (int m = 0; m < 4; m++) {
        y[2 * m] = ya[m];
        y[2 * m + 1] = yb[m];
    }
}

/* An odd radix from pairs, as passes.c's dft_odd (each product fused
 * into its sum). */
INLINE void vdft_odd(const unsigned P, const vc *x, vc *y, int fwd, const fft_real *cosv,
                     const fft_real *sinv)
{
    const unsigned h = P / 2;
    vc s[3], d[3], y0 = x[0];
    for (unsigned j = 1; j <= h; j++) {
        s[j - 1] = vadd(x[j], x[P - j]);
        d[j - 1] = vsub(x[j], x[P - j]);
        y0 = vadd(y0, s[j - 1]);
    }
    y[0] = y0;
    for (unsigned m = 1; m <= h; m++) {
        vc a = x[0], b = vzero();
        for (unsigned j = 1; j <= h; j++) {
            unsigned r = (j * m) % P;
            fft_real c = cosv[r <= h ? r : P - r], sn = r <= h ? sinv[r] : -sinv[P - r];
            a = vfmadd(vset1(c), s[j - 1], a);
            b = j == 1 ? vscale(sn, d[0]) : vfmadd(vset1(sn), d[j - 1], b);
        }
        b = vswap(b); /* rot(b) = b rs */
        y[m] = vfmadd(b, vrot_sign(fwd), a);
        y[P - m] = vfnmadd(b, vrot_sign(fwd), a);
    }
}

/* x w9^e, as passes.c's turn9 (cos x fused with the rest). */
INLINE vc vturn9(vc x, unsigned e, int fwd)
{
    /* sin rot(x) = (sin rs) swap(x): the same exact product */
    return vfmadd(vset1(cos9[e]), x, vmul(vscale(sin9[e], vrot_sign(fwd)), vswap(x)));
}

/* Radix 9 as 3 x 3, as passes.c's dft9. */
INLINE void vdft9(const vc *x, vc *y, int fwd)
{
    vc t[9]; /* t[3b + c] */
    for (unsigned b = 0; b < 3; b++) {
        const vc in[3] = {x[b], x[b + 3], x[b + 6]};
        vdft_odd(3, in, t + 3 * b, fwd, cos3, sin3);
    }
    t[4] = vturn9(t[4], 1, fwd);
    t[5] = vturn9(t[5], 2, fwd);
    t[7] = vturn9(t[7], 2, fwd);
    t[8] = vturn9(t[8], 4, fwd);
    for (unsigned c = 0; c < 3; c++) {
        const vc in[3] = {t[c], t[c + 3], t[c + 6]};
        vc u[3];
        vdft_odd(3, in, u, fwd, cos3, sin3);
        for (unsigned d = 0; d < 3; d++)
            y[c + 3 * d] = u[d];
    }
}

/* Radix 10 by the prime-factor mapping, as passes.c's dft10. */
INLINE void vdft10(const vc *x, vc *y, int fwd)
{
    vc in[2][5], t[2][5];
    for (unsigned b = 0; b < 2; b++) {
        for (unsigned a = 0; a < 5; a++)
            in[b][a] = x[(2 * a + 5 * b) % 10];
        vdft_odd(5, in[b], t[b], fwd, cos5, sin5);
    }
    for (unsigned k1 = 0; k1 < 5; k1++) {
        y[6 * k1 % 10] = vadd(t[0][k1], t[1][k1]);
        y[(6 * k1 + 5) % 10] = vsub(t[0][k1], t[1][k1]);
    }
}

INLINE void vdft(const unsigned P, const vc *x, vc *y, int fwd)
{
    switch (P) {
    case 2: vdft2(x, y); break;
    case 3: vdft_odd(3, x, y, fwd, cos3, sin3); break;
    case 4: vdft4(x, y, fwd); break;
    case 5: vdft_odd(5, x, y, fwd, cos5, sin5); break;
    case 7: vdft_odd(7, x, y, fwd, cos7, sin7); break;
    case 9: vdft9(x, y, fwd); break;
    case 10: vdft10(x, y, fwd); break;
    default: vdft8(x, y, fwd); break;
    }
}

INLINE void body(const unsigned P, size_t ido, size_t out_m, const fft_real *x, fft_real *z,
                 const fft_real *tw, size_t i, int fwd)
{
    vc in[10], y[10];
    for (unsigned j = 0; j < P; j++)
        in[j] = load(x, i + j * ido);
    vdft(P, in, y, fwd);
    store(z, i, y[0]);
    for (unsigned m = 1; m < P; m++)
        store(z, i + m * out_m, vtw(y[m], load(tw, (m - 1) * ido + i), fwd));
}

/* The last count (< VLEN) values of i, through masks. */
INLINE void tail(const unsigned P, size_t ido, size_t out_m, const fft_real *x, fft_real *z,
                 const fft_real *tw, size_t i, size_t count, int fwd)
{
    const vmask mk = head(count);
    vc in[10], y[10];
    for (unsigned j = 0; j < P; j++)
        in[j] = vload_mask(mk, x + 2 * (i + j * ido));
    vdft(P, in, y, fwd);
    vstore_first(z + 2 * i, 2 * count, y[0]);
    for (unsigned m = 1; m < P; m++) {
        vc w = vload_mask(mk, tw + 2 * ((m - 1) * ido + i));
        vstore_first(z + 2 * (i + m * out_m), 2 * count, vtw(y[m], w, fwd));
    }
}

/* ido >= 2: VLEN consecutive i of the span at a time. */
INLINE void pass_i(const unsigned P, size_t ido, size_t l1, const kp__fft_span *sp,
                   const fft_real *cc, fft_real *ch, const fft_real *tw, int fwd)
{
    const size_t out_m = ido * l1, i1 = sp->i1;
    for (size_t k = sp->k0; k < sp->k1; k++) {
        const fft_real *x = cc + 2 * ido * P * k;
        fft_real *z = ch + 2 * ido * k;
        size_t i = sp->i0;
        for (; i + VLEN <= i1; i += VLEN)
            body(P, ido, out_m, x, z, tw, i, fwd);
        if (i < i1) tail(P, ido, out_m, x, z, tw, i, i1 - i, fwd);
    }
}

/* ido = 1: VLEN consecutive k of the span at a time, whose P points each
 * are contiguous, loaded as P registers; the last (k1 - k0) % VLEN through
 * masks. */
INLINE void pass_k(const unsigned P, size_t l1, const kp__fft_span *sp, const fft_real *cc,
                   fft_real *ch, int fwd)
{
    for (size_t k = sp->k0; k < sp->k1; k += VLEN) {
        const size_t rows = sp->k1 - k < VLEN ? sp->k1 - k : VLEN;
        vc in[10], y[10];
        points_of_rows(P, cc + 2 * P * k, rows, in);
        vdft(P, in, y, fwd);
        for (unsigned m = 0; m < P; m++) {
            if (rows == VLEN)
                store(ch, k + m * l1, y[m]);
            else
                vstore_first(ch + 2 * (k + m * l1), 2 * rows, y[m]);
        }
    }
}

/* A line of P1 P2 points (P1 and P2 multiples of VLEN) whose two passes
 * run in registers: the first (radix P1, ido P2) as body() computes it,
 * value c of its output in lane c % VLEN of v[c / VLEN]; the second (radix
 * P2, ido 1, l1 P1) as pass_k does, its rows taken from v. The same
 * operations, so the same bits as the two passes through memory. */
INLINE void line_two(const unsigned P1, const unsigned P2, const fft_real *tw, const fft_real *x,
                     fft_real *z, int fwd)
{
    vc v[64 / VLEN], in[8], y[8];
    for (unsigned h = 0; h < P2 / VLEN; h++) { /* i = VLEN h .. VLEN h + VLEN - 1 */
        for (unsigned j = 0; j < P1; j++)
            in[j] = load(x, VLEN * h + P2 * j);
        vdft(P1, in, y, fwd);
        v[h] = y[0];
        for (unsigned m = 1; m < P1; m++)
            v[h + P2 / VLEN * m] = vtw(y[m], load(tw, (m - 1) * P2 + VLEN * h), fwd);
    }
    for (unsigned k = 0; k < P1; k += VLEN) { /* rows k .. k + VLEN - 1 */
        rows_to_points(P2, v + P2 * k / VLEN, in);
        vdft(P2, in, y, fwd);
        for (unsigned m = 0; m < P2; m++)
            store(z, k + m * P1, y[m]);
    }
}

/* Whether this file takes the pass: ido >= 2, or the last pass over at
 * least VLEN sub-transforms (a multiple of VLEN for radix 4 and 8; never
 * for radix 2). */
INLINE int takes(const kp__fft_pass *ps)
{
    if (ps->p > KP__FFT_MAX_BUTTERFLY) return 0; /* the generic odd radix */
    if (ps->ido >= 2) return 1;
    if (ps->p % 4 == 0) return ps->l1 % VLEN == 0;
    if (ps->p == 2) return 0;
    return ps->l1 >= VLEN;
}

INLINE void pass_dir(const kp__fft_pass *ps, const fft_real *tab, const kp__fft_span *sp,
                     const fft_real *cc, fft_real *ch, int fwd)
{
    const unsigned P = ps->p;
    const fft_real *tw = tab + 2 * ps->tw;
    if (ps->ido >= 2) {
        switch (P) {
        case 2: pass_i(2, ps->ido, ps->l1, sp, cc, ch, tw, fwd); break;
        case 3: pass_i(3, ps->ido, ps->l1, sp, cc, ch, tw, fwd); break;
        case 4: pass_i(4, ps->ido, ps->l1, sp, cc, ch, tw, fwd); break;
        case 5: pass_i(5, ps->ido, ps->l1, sp, cc, ch, tw, fwd); break;
        case 7: pass_i(7, ps->ido, ps->l1, sp, cc, ch, tw, fwd); break;
        case 9: pass_i(9, ps->ido, ps->l1, sp, cc, ch, tw, fwd); break;
        case 10: pass_i(10, ps->ido, ps->l1, sp, cc, ch, tw, fwd); break;
        default: pass_i(8, ps->ido, ps->l1, sp, cc, ch, tw, fwd); break;
        }
        return;
    }
    switch (P) {
    case 3: pass_k(3, ps->l1, sp, cc, ch, fwd); break;
    case 4: pass_k(4, ps->l1, sp, cc, ch, fwd); break;
    case 5: pass_k(5, ps->l1, sp, cc, ch, fwd); break;
    case 7: pass_k(7, ps->l1, sp, cc, ch, fwd); break;
    case 9: pass_k(9, ps->l1, sp, cc, ch, fwd); break;
    case 10: pass_k(10, ps->l1, sp, cc, ch, fwd); break;
    default: pass_k(8, ps->l1, sp, cc, ch, fwd); break;
    }
}

int FFT_FN(kp__fft_simd_pass)(const kp__fft_pass *ps, const void *tab, const kp__fft_span *sp,
                              const void *cc, void *ch, int fwd)
{
    if (!takes(ps)) return 0;
    if (fwd)
        pass_dir(ps, tab, sp, cc, ch, 1);
    else
        pass_dir(ps, tab, sp, cc, ch, 0);
    return 1;
}

/* One instance per shape and direction: the shapes whose registers fit
 * (line.c's table names the same). */
#define LINE_TWO(P1, P2)                                                                           \
    if (fwd)                                                                                       \
        line_two(P1, P2, tw, src, dst, 1);                                                         \
    else                                                                                           \
        line_two(P1, P2, tw, src, dst, 0)

void FFT_FN(kp__fft_line_two_exec)(const kp__fft_line *line, int fwd, const void *src, void *dst,
                                   void *work)
{
    (void)work;
    const fft_real *tw = (const fft_real *)line->tw + 2 * line->pass[0].tw;
    switch (line->n) {
#if VLEN <= 4
    case 16: LINE_TWO(4, 4); break;
#endif
#if VLEN == 4
    case 32: LINE_TWO(4, 8); break;
#endif
#if KP_FFT_VEC == 512
    case 64: LINE_TWO(8, 8); break;
#endif
    default: break;
    }
}
#undef LINE_TWO

/* ------------------------------------------------------ lines in lanes */

/* Many short lines (line.c's pick_lanes) VLEN at a time, one a lane: value
 * e of the VLEN lines is register e of a buffer, and each pass is passes.c's
 * pass with registers for points, so no pass has a short inner loop or a
 * partly used vector, whatever n. The lanes do not mix: a line's bits do
 * not depend on the lines beside it. Lines of one or two passes up to 64
 * points stay in registers throughout (lanes_regs). */

/* Radix P over the registers: butterfly (k, i) reads a[i + ido (j + P k)]
 * and writes b[i + ido (k + l1 m)], outputs m >= 1 times the twiddle
 * tw[(m - 1) ido + i] of every lane; i = 0 (twiddles 1) multiplies nothing. */
INLINE void lanes_pass(const unsigned P, size_t ido, size_t l1, const fft_real *a, fft_real *b,
                       const fft_real *tw, int fwd)
{
    const size_t out_m = ido * l1;
    for (size_t k = 0; k < l1; k++) {
        const size_t x = ido * P * k, z = ido * k;
        vc in[10], y[10];
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
    default: lanes_pass(8, ps->ido, ps->l1, a, b, tw, fwd); break;
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

/* A line of one or two passes (radix P1, then P2 unless it is 1; n = P1 P2
 * <= 64) on contiguous lines, t < count <= VLEN of them stored: lanes_in,
 * lanes_pass and lanes_out's operations on registers held in arrays that
 * the unrolled loops index by constants. */
INLINE void lanes_regs(const unsigned P1, const unsigned P2, const fft_real *tw,
                       const fft_real *const *x, fft_real *const *y, size_t count, double scale,
                       int fwd)
{
    enum { N = 64 };
    vc v[N], w[N], in[10], out[10], r[VLEN], col[VLEN];
    const unsigned n = P1 * P2;
    for (unsigned e = 0; e < n; e += VLEN) {
        for (size_t t = 0; t < VLEN; t++)
            r[t] = n - e >= VLEN ? vload(x[t] + 2 * e) : vload_mask(head(n - e), x[t] + 2 * e);
        transpose(r, col);
        for (unsigned j = 0; j < VLEN && e + j < n; j++)
            v[e + j] = col[j];
    }
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
    const vc *res = P2 > 1 ? v : w;
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

/* Lines of the passes P1 (P2), VLEN at a time. */
INLINE void lanes_regs_run(const unsigned P1, const unsigned P2, const fft_real *tw,
                           const fft_real *x, ptrdiff_t xd, fft_real *y, ptrdiff_t yd, size_t count,
                           double scale, int fwd)
{
    for (size_t c = 0; c < count; c += VLEN) {
        const fft_real *xs[VLEN];
        fft_real *ys[VLEN];
        lanes_at(x, xd, y, yd, c, count, xs, ys);
        lanes_regs(P1, P2, tw, xs, ys, count - c < VLEN ? count - c : VLEN, scale, fwd);
    }
}

INLINE void lanes_dir(const kp__fft_line *line, const fft_real *x, ptrdiff_t ss, ptrdiff_t xd,
                      fft_real *y, ptrdiff_t ds, ptrdiff_t yd, size_t count, double scale,
                      fft_real *buf, int fwd)
{
    if (line->npass <= 2 && ss == 1 && ds == 1) {
        const fft_real *tw = (const fft_real *)line->tw + 2 * line->pass[0].tw;
        const unsigned p2 = line->npass == 2 ? line->pass[1].p : 1;
        /* the one- and two-pass shapes of factorize up to 64 points, as
           P1 10 + P2 (P2 = 1: one pass) */
#define REGS(P1, P2)                                                                               \
    case 10 * P1 + P2: lanes_regs_run(P1, P2, tw, x, xd, y, yd, count, scale, fwd); return
        switch (10 * line->pass[0].p + p2) {
            REGS(2, 1);
            REGS(3, 1);
            REGS(4, 1);
            REGS(5, 1);
            REGS(7, 1);
            REGS(8, 1);
            REGS(9, 1);
            REGS(10, 1);
            REGS(2, 3);
            REGS(4, 3);
            REGS(2, 7);
            REGS(3, 5);
            REGS(4, 4);
            REGS(2, 9);
            REGS(2, 10);
            REGS(3, 7);
            REGS(8, 3);
            REGS(5, 5);
            REGS(3, 9);
            REGS(4, 7);
            REGS(3, 10);
            REGS(4, 8);
            REGS(5, 7);
            REGS(4, 9);
            REGS(4, 10);
            REGS(9, 5);
            REGS(7, 7);
            REGS(10, 5);
            REGS(8, 7);
            REGS(9, 7);
            REGS(8, 8);
        default: break;
        }
#undef REGS
    }
    const size_t n = line->n;
    fft_real *from = buf, *to = buf + 2 * VLEN * n;
    for (size_t c = 0; c < count; c += VLEN) {
        const fft_real *xs[VLEN];
        fft_real *ys[VLEN];
        lanes_at(x, xd, y, yd, c, count, xs, ys);
        lanes_in(n, xs, ss, from);
        for (int s = 0; s < line->npass; s++) {
            lanes_pass_dir(&line->pass[s], line->tw, from, to, fwd);
            fft_real *t = from;
            from = to;
            to = t;
        }
        lanes_out(n, from, scale, ys, ds, count - c < VLEN ? count - c : VLEN);
    }
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

/* Even r2c lines in lanes (lines.c's kp__fft_r2c_lanes): the complex
 * transforms of h = n/2 as above, then r2c_post on the registers, X_k for
 * k <= h times scale (k = h/2 written twice, as r2c_post does). */
INLINE void lanes_r2c_post(size_t h, const fft_real *z, const fft_real *w, double scale,
                           fft_real *t)
{
    const fft_real s = (fft_real)scale, half = (fft_real)0.5 * s;
    const vc z0 = load(z, 0), sw = vswap(z0), conj = sign_of(1);
    /* E_0 and O_0 are real: X_0 = E_0 + O_0, X_h = E_0 - O_0 */
    store(t, 0, vmerge(vscale(s, vadd(z0, sw)), vzero()));
    store(t, VLEN * h, vmerge(vscale(s, vsub(z0, sw)), vzero()));
    for (size_t k = 1; 2 * k <= h; k++) {
        vc p = load(z, VLEN * k), q = vxor(load(z, VLEN * (h - k)), conj);
        vc e = vadd(p, q), o = vrot(vsub(p, q), 1); /* (p - q) / i */
        vc c = vtw(o, vbcast(w + 2 * k), 1);
        store(t, VLEN * k, vscale(half, vadd(e, c)));
        store(t, VLEN * (h - k), vxor(vscale(half, vsub(e, c)), conj));
    }
}

void FFT_FN(kp__fft_r2c_lanes_run)(const kp__fft_line *line, const void *src, ptrdiff_t xd,
                                   void *dst, ptrdiff_t ds, ptrdiff_t yd, size_t count,
                                   double scale, void *buf)
{
    const kp__fft_line *sub = line->sub;
    const size_t h = sub->n;
    fft_real *a = buf, *b = a + 2 * VLEN * (h + 1);
    for (size_t c = 0; c < count; c += VLEN) {
        const fft_real *xs[VLEN];
        fft_real *ys[VLEN];
        lanes_at(src, xd, dst, yd, c, count, xs, ys);
        lanes_in(h, xs, 1, a);
        fft_real *from = a, *to = b;
        for (int s = 0; s < sub->npass; s++) {
            lanes_pass_dir(&sub->pass[s], sub->tw, from, to, 1);
            fft_real *t = from;
            from = to;
            to = t;
        }
        lanes_r2c_post(h, from, line->rtw, scale, to);
        lanes_out(h + 1, to, 1.0, ys, ds, count - c < VLEN ? count - c : VLEN);
    }
}

/* Even c2r lines in lanes (lines.c's kp__fft_c2r_lanes): c2r_pre on the
 * registers of X_k, k <= h (the imaginary parts of X_0 and X_h unused),
 * into Z_k, k < h, for the complex transforms of h = n/2 backward. */
INLINE void lanes_c2r_pre(size_t h, const fft_real *x, const fft_real *w, fft_real *z)
{
    const vc conj = sign_of(1);
    const vc x0 = vdup_re(load(x, 0)), xh = vdup_re(load(x, VLEN * h));
    store(z, 0, vmerge(vadd(x0, xh), vsub(x0, xh))); /* E_0 + i O_0, doubled */
    for (size_t k = 1; 2 * k <= h; k++) {
        vc p = load(x, VLEN * k), q = vxor(load(x, VLEN * (h - k)), conj);
        vc e = vadd(p, q), o = vtw(vsub(p, q), vbcast(w + 2 * k), 0);
        store(z, VLEN * k, vfmadd(vswap(o), vrot_sign(0), e));   /* e + i o */
        store(z, VLEN * (h - k), vadd(vxor(e, conj), vswap(o))); /* conj e + i conj o */
    }
}

void FFT_FN(kp__fft_c2r_lanes_run)(const kp__fft_line *line, const void *src, ptrdiff_t xd,
                                   void *dst, ptrdiff_t yd, size_t count, double scale, void *buf)
{
    const kp__fft_line *sub = line->sub;
    const size_t h = sub->n;
    fft_real *a = buf, *b = a + 2 * VLEN * (h + 1);
    for (size_t c = 0; c < count; c += VLEN) {
        const fft_real *xs[VLEN];
        fft_real *ys[VLEN];
        lanes_at(src, xd, dst, yd, c, count, xs, ys);
        lanes_in(h + 1, xs, 1, a);
        lanes_c2r_pre(h, a, line->rtw, b);
        fft_real *from = b, *to = a;
        for (int s = 0; s < sub->npass; s++) {
            lanes_pass_dir(&sub->pass[s], sub->tw, from, to, 0);
            fft_real *t = from;
            from = to;
            to = t;
        }
        lanes_out(h, from, scale, ys, 1, count - c < VLEN ? count - c : VLEN);
    }
}

/* ----------------------------------------------------------- four-step */

/* a * w forward, a * conj(w) backward, each product rounded before the
 * sum: the bits of ctw in prec.h, VLEN values at a time. */
INLINE vc vtw_rounded(vc a, vc w, int fwd)
{
    vc t1 = vmul(a, vdup_re(w)), t2 = vmul(vswap(a), vdup_im(w));
    /* re: t1 - t2 forward, t1 + t2 backward; im the other way round */
    return fwd ? vmerge(vsub(t1, t2), vadd(t1, t2)) : vmerge(vadd(t1, t2), vsub(t1, t2));
}

/* A block (fourstep.c's: KP__FFT_BLOCK values of every row in, 128 bytes;
 * `width` values out) in or out, VLEN rows at a time through register
 * transposes, the last rows % VLEN through masks. */
#define BLOCK KP__FFT_BLOCK(KP_FFT_SINGLE)
void FFT_FN(kp__fft_block_in)(const void *x_, size_t xs, size_t rows, void *buf_, size_t len)
{
    const fft_real *x = x_;
    fft_real *buf = buf_;
    for (size_t j = 0; j < rows; j += VLEN) {
        const size_t r = rows - j < VLEN ? rows - j : VLEN;
        for (size_t c = 0; c < BLOCK; c += VLEN) {
            vc in[VLEN], col[VLEN];
            for (size_t i = 0; i < VLEN; i++)
                in[i] = i < r ? load(x, (j + i) * xs + c) : vzero();
            transpose(in, col);
            for (size_t i = 0; i < VLEN; i++)
                vstore_first(buf + 2 * ((c + i) * len + j), 2 * r, col[i]);
        }
    }
}

void FFT_FN(kp__fft_block_out)(const void *in_, size_t len, size_t count, size_t width,
                               const void *w_, size_t ws, double scale, void *out_, size_t os,
                               int fwd)
{
    const fft_real *in = in_, *w = w_;
    fft_real *out = out_;
    const fft_real s = (fft_real)scale;
    for (size_t k = 0; k < count; k += VLEN) {
        const size_t r = count - k < VLEN ? count - k : VLEN;
        const vmask m = head(r);
        for (size_t c = 0; c < width; c += VLEN) {
            vc col[VLEN], row[VLEN];
            for (size_t i = 0; i < VLEN; i++)
                col[i] = r == VLEN ? load(in, (c + i) * len + k)
                                   : vload_mask(m, in + 2 * ((c + i) * len + k));
            transpose(col, row);
            for (size_t i = 0; i < r; i++) {
                vc v = row[i];
                if (w != NULL && k + i > 0) {
                    vc t = load(w, (k + i) * ws + c);
                    v = fwd ? vtw_rounded(v, t, 1) : vtw_rounded(v, t, 0);
                }
                if (scale != 1.0) v = vscale(s, v);
                store(out, (k + i) * os + c, v);
            }
        }
    }
}

/* ------------------------------------------------------ real transforms */

#if VLEN <= 4
/* The values of a register in reverse order; their conjugates. */
INLINE vc vreverse(vc a)
{
#if KP_FFT_VEC == 512
    return _mm512_shuffle_f64x2(a, a, 0x1B);
#elif KP_FFT_SINGLE
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(a), 0x1B));
#else
    return _mm256_permute2f128_pd(a, a, 0x01);
#endif
}
INLINE vc vconj(vc a)
{
    return vxor(a, sign_of(1));
}

/* Groups of four k, G registers each, whatever VLEN: the same operations
 * on every value, so the bits of every instruction set that has them. */
#define G (4 / VLEN)

size_t FFT_FN(kp__fft_r2c_post)(const void *z_, const void *w_, void *y_, size_t h, double scale,
                                size_t k, size_t end)
{
    const fft_real *z = z_, *w = w_;
    fft_real *y = y_;
    const fft_real half = (fft_real)0.5 * (fft_real)scale;
    for (; k + 4 <= end && 2 * k + 6 < h; k += 4) /* k .. k+3 and h-k-3 .. h-k apart */
        for (size_t g = 0; g < G; g++) {
            const size_t lo = k + VLEN * g, hi = h - lo - (VLEN - 1); /* mirrors of each other */
            vc a = load(z, lo), b = vconj(vreverse(load(z, hi)));
            vc e = vadd(a, b), o = vrot(vsub(a, b), 1); /* (a - b) / i */
            vc t = vtw(o, load(w, lo), 1);
            store(y, lo, vscale(half, vadd(e, t)));
            store(y, hi, vreverse(vconj(vscale(half, vsub(e, t)))));
        }
    return k;
}

size_t FFT_FN(kp__fft_c2r_pre)(const void *x_, const void *w_, void *z_, size_t h, size_t k,
                               size_t end)
{
    const fft_real *x = x_, *w = w_;
    fft_real *z = z_;
    for (; k + 4 <= end && 2 * k + 6 < h; k += 4)
        for (size_t g = 0; g < G; g++) {
            const size_t lo = k + VLEN * g, hi = h - lo - (VLEN - 1);
            vc a = load(x, lo), b = vconj(vreverse(load(x, hi)));
            vc e = vadd(a, b), io = vrot(vtw(vsub(a, b), load(w, lo), 0), 0); /* i (a - b) conj w */
            store(z, lo, vadd(e, io));
            store(z, hi, vreverse(vconj(vsub(e, io))));
        }
    return k;
}
#undef G
#endif

/* ------------------------------------------------- split odd real lines */

/* The first pass of a split r2c and the last of a split c2r (lines.c),
 * RLEN i at a time in lanes of reals, the last q % RLEN through masks and
 * a strided x or y through gathers and scatters (stores one by one with
 * AVX2), so that every i and every stride take the same operations. */
/* cos and sin of 2 pi (j m mod P) / P from the tables of the radix. */
INLINE fft_real cos_jm(const unsigned P, unsigned j, unsigned m)
{
    const fft_real *c = P == 3 ? cos3 : P == 5 ? cos5 : cos7;
    unsigned r = j * m % P;
    return c[r <= P / 2 ? r : P - r];
}
INLINE fft_real sin_jm(const unsigned P, unsigned j, unsigned m)
{
    const fft_real *s = P == 3 ? sin3 : P == 5 ? sin5 : sin7;
    unsigned r = j * m % P;
    return r <= P / 2 ? s[r] : -s[P - r];
}

INLINE void split_in(const unsigned P, const fft_real *x, ptrdiff_t ss, size_t q, const fft_real *w,
                     fft_real *y0, fft_real *ym, size_t i0, size_t i1)
{
    const unsigned h = P / 2;
    for (size_t i = i0; i < i1; i += RLEN) {
        const size_t count = i1 - i;
        vc a0 = rload(x + (ptrdiff_t)i * ss, ss, count), sum[3], dif[3], u0 = a0;
        for (unsigned j = 1; j <= h; j++) {
            vc a = rload(x + (ptrdiff_t)(i + q * j) * ss, ss, count);
            vc b = rload(x + (ptrdiff_t)(i + q * (P - j)) * ss, ss, count);
            sum[j - 1] = vadd(a, b);
            dif[j - 1] = vsub(a, b);
            u0 = vadd(u0, sum[j - 1]);
        }
        rstore(y0 + i, 1, count, u0);
        for (unsigned m = 1; m <= h; m++) {
            vc re = a0, im = vzero(), wr, wi;
            for (unsigned j = 1; j <= h; j++) {
                re = vfmadd(vset1(cos_jm(P, j, m)), sum[j - 1], re);
                im = vfnmadd(vset1(sin_jm(P, j, m)), dif[j - 1], im);
            }
            const size_t at = (m - 1) * q + i;
            cload(w + 2 * at, count, &wr, &wi);
            cstore(ym + 2 * at, count, vfmsub(re, wr, vmul(im, wi)), vfmadd(re, wi, vmul(im, wr)));
        }
    }
}

INLINE void split_out(const unsigned P, const fft_real *v0, const fft_real *ym, size_t q,
                      const fft_real *w, fft_real *y, ptrdiff_t ds, fft_real scale, size_t i0,
                      size_t i1)
{
    const unsigned h = P / 2;
    const vc s = vset1(scale), two = vset1(2);
    for (size_t i = i0; i < i1; i += RLEN) {
        const size_t count = i1 - i;
        vc zr[3], zi[3], v = rload(v0 + i, 1, count), re = vzero();
        for (unsigned m = 1; m <= h; m++) { /* z_m = v_m conj w */
            const size_t at = (m - 1) * q + i;
            vc vr, vi, wr, wi;
            cload(ym + 2 * at, count, &vr, &vi);
            cload(w + 2 * at, count, &wr, &wi);
            zr[m - 1] = vfmadd(vr, wr, vmul(vi, wi));
            zi[m - 1] = vfmsub(vi, wr, vmul(vr, wi));
            re = vadd(re, zr[m - 1]);
        }
        rstore(y + (ptrdiff_t)i * ds, ds, count, vmul(s, vfmadd(two, re, v)));
        for (unsigned j = 1; j <= h; j++) {
            vc c = vzero(), sn = vzero();
            for (unsigned m = 1; m <= h; m++) {
                c = vfmadd(vset1(cos_jm(P, j, m)), zr[m - 1], c);
                sn = vfmadd(vset1(sin_jm(P, j, m)), zi[m - 1], sn);
            }
            rstore(y + (ptrdiff_t)(i + q * j) * ds, ds, count,
                   vmul(s, vfmadd(two, vsub(c, sn), v)));
            rstore(y + (ptrdiff_t)(i + q * (P - j)) * ds, ds, count,
                   vmul(s, vfmadd(two, vadd(c, sn), v)));
        }
    }
}

void FFT_FN(kp__fft_split_in)(unsigned p, const void *x, ptrdiff_t ss, size_t q, const void *w,
                              void *y0, void *ym, size_t i0, size_t i1)
{
    switch (p) {
    case 3: split_in(3, x, ss, q, w, y0, ym, i0, i1); break;
    case 5: split_in(5, x, ss, q, w, y0, ym, i0, i1); break;
    default: split_in(7, x, ss, q, w, y0, ym, i0, i1); break;
    }
}

void FFT_FN(kp__fft_split_out)(unsigned p, const void *v0, const void *ym, size_t q, const void *w,
                               void *y, ptrdiff_t ds, double scale, size_t i0, size_t i1)
{
    const fft_real s = (fft_real)scale;
    switch (p) {
    case 3: split_out(3, v0, ym, q, w, y, ds, s, i0, i1); break;
    case 5: split_out(5, v0, ym, q, w, y, ds, s, i0, i1); break;
    default: split_out(7, v0, ym, q, w, y, ds, s, i0, i1); break;
    }
}
