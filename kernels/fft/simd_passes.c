/*
 * Radix 2, 3, 4, 5, 7, 8, 9, 10, 11 and 13 passes with explicit vectors,
 * the generic odd radix's for primes to KP__FFT_VEC_GENERIC_MAX (and with
 * AVX-512 the radix-16 last passes of radices.c's pow2_radices),
 * once per precision and instruction set (simd_{d,s}_{avx2,avx512}.c,
 * built with the set's flags and run only when the CPU has it): a register
 * holds VLEN complex values (simd.h), the butterflies are simd_dft.h's.
 * Their bits are not passes.c's: the butterflies fuse multiplies into adds.
 *
 * Passes with ido >= 2 take VLEN consecutive i at once, the last group
 * through masked loads and stores (for ido < VLEN the only group: part of a
 * vector still beats one point at a time). The last pass (ido = 1) takes
 * VLEN consecutive k: the points of VLEN butterflies, rows of P contiguous
 * values, are turned into the P inputs by lane shuffles (simd.h). Other
 * passes are left to passes.c. Lines of 16, 32 or 64 points run both their
 * passes in registers where they fit. Also here: the four-step's block
 * copies, the even real lines' pre- and post-passes and the split odd real
 * lines' first and last passes. Many short lines at once: simd_lanes.c.
 */
#include <stdint.h>

#include "kernels/fft/fft.h"
#include "kernels/fft/prec.h"
#include "kernels/fft/simd.h"
#include "kernels/fft/simd_dft.h"

/* Arrays of VEC_POINTS (13) points hold every radix up to 13. Radices 11
 * and 13 took 1.6-2.7x less time here than in passes.c (c2c of 11^3, 13^3,
 * 1001 and 2^10 11; one thread, Zen 5); GCC keeps the larger arrays less
 * well, and c2c of 7^5 took 2-4% longer than with arrays of 10, others as
 * long. */
INLINE void body(const unsigned P, size_t ido, size_t out_m, const fft_real *x, fft_real *z,
                 const fft_real *tw, size_t i, int fwd)
{
    vc in[VEC_POINTS], y[VEC_POINTS];
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
    vc in[VEC_POINTS], y[VEC_POINTS];
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
        vc in[VEC_POINTS], y[VEC_POINTS];
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

/* ----------------------------------------------- the generic odd radix */

/* The largest prime the vector generic pass takes: the points of VLEN
 * butterflies sit in a buffer on the stack (17 KiB at 257 with AVX-512).
 * Larger primes go to passes.c. */
#define GEN_MAX KP__FFT_VEC_GENERIC_MAX

/* Output m (P - m for yp) of VLEN butterflies for m = m0 .. m0 + M - 1,
 * from x[0], the sums x[j] and the differences x[P - j] of points j and
 * P - j (1 <= j <= P / 2); roots[r] = cos - i sin of 2 pi r / P, as
 * passes.c's pass_generic reads them. As vdft_odd: each product fused into
 * its sum; M outputs at a time keep 2 M sums in flight. */
INLINE void gen_outputs(const unsigned M, unsigned P, unsigned m0, const vc *x,
                        const fft_real *roots, int fwd, vc *ym, vc *yp)
{
    vc a[4], b[4];
    unsigned r[4];
    for (unsigned t = 0; t < M; t++) {
        a[t] = x[0];
        b[t] = vzero();
        r[t] = 0;
    }
    for (unsigned j = 1; j <= P / 2; j++)
        for (unsigned t = 0; t < M; t++) {
            r[t] += m0 + t; /* j m mod P */
            if (r[t] >= P) r[t] -= P;
            a[t] = vfmadd(vset1(roots[2 * r[t]]), x[j], a[t]);
            b[t] = vfnmadd(vset1(roots[2 * r[t] + 1]), x[P - j], b[t]); /* + sin d */
        }
    const vc rs = vrot_sign(fwd);
    for (unsigned t = 0; t < M; t++) {
        const vc bt = vswap(b[t]); /* rot(b) = bt rs */
        ym[t] = vfmadd(bt, rs, a[t]);
        yp[t] = vfnmadd(bt, rs, a[t]);
    }
}

/* Output m of count (<= VLEN) butterflies to z at i + m out_m, times
 * tw[(m - 1) ido + i] for m >= 1 where tw is given. */
INLINE void gen_put(vc y, unsigned m, fft_real *z, size_t out_m, const fft_real *tw, size_t ido,
                    size_t i, size_t count, int fwd)
{
    const size_t e = i + m * out_m;
    if (tw != NULL && m > 0) {
        const size_t t = (m - 1) * ido + i;
        y = vtw(y, count == VLEN ? load(tw, t) : vload_mask(head(count), tw + 2 * t), fwd);
    }
    if (count == VLEN)
        store(z, e, y);
    else
        vstore_first(z + 2 * e, 2 * count, y);
}

/* count butterflies from their points in x[0 .. P) (overwritten), output
 * as gen_put puts it. */
INLINE void gen_group(unsigned P, vc *x, const fft_real *roots, int fwd, fft_real *z, size_t out_m,
                      const fft_real *tw, size_t ido, size_t i, size_t count)
{
    const unsigned h = P / 2;
    vc y0 = x[0];
    for (unsigned j = 1; j <= h; j++) {
        const vc u = x[j], v = x[P - j];
        x[j] = vadd(u, v);
        x[P - j] = vsub(u, v);
        y0 = vadd(y0, x[j]);
    }
    gen_put(y0, 0, z, out_m, tw, ido, i, count, fwd);
    unsigned m = 1;
    for (; m + 3 <= h; m += 4) {
        vc ym[4], yp[4];
        gen_outputs(4, P, m, x, roots, fwd, ym, yp);
        for (unsigned t = 0; t < 4; t++) {
            gen_put(ym[t], m + t, z, out_m, tw, ido, i, count, fwd);
            gen_put(yp[t], P - m - t, z, out_m, tw, ido, i, count, fwd);
        }
    }
    for (; m <= h; m++) {
        vc ym, yp;
        gen_outputs(1, P, m, x, roots, fwd, &ym, &yp);
        gen_put(ym, m, z, out_m, tw, ido, i, count, fwd);
        gen_put(yp, P - m, z, out_m, tw, ido, i, count, fwd);
    }
}

/* ido >= 2: VLEN consecutive i at a time, as pass_i. */
INLINE void gen_pass_i(unsigned P, size_t ido, size_t l1, const kp__fft_span *sp,
                       const fft_real *cc, fft_real *ch, const fft_real *tw, const fft_real *roots,
                       int fwd)
{
    vc x[GEN_MAX];
    const size_t out_m = ido * l1;
    for (size_t k = sp->k0; k < sp->k1; k++) {
        const fft_real *xk = cc + 2 * ido * P * k;
        for (size_t i = sp->i0; i < sp->i1; i += VLEN) {
            const size_t count = sp->i1 - i < VLEN ? sp->i1 - i : VLEN;
            for (unsigned j = 0; j < P; j++)
                x[j] = count == VLEN ? load(xk, i + j * ido)
                                     : vload_mask(head(count), xk + 2 * (i + j * ido));
            gen_group(P, x, roots, fwd, ch + 2 * ido * k, out_m, tw, ido, i, count);
        }
    }
}

/* ido = 1: VLEN consecutive k at a time, as pass_k; their rows of P
 * values turned into the P points VLEN values at a time. */
INLINE void gen_pass_k(unsigned P, size_t l1, const kp__fft_span *sp, const fft_real *cc,
                       fft_real *ch, const fft_real *roots, int fwd)
{
    vc x[GEN_MAX + VLEN]; /* the last transpose writes VLEN points */
    for (size_t k = sp->k0; k < sp->k1; k += VLEN) {
        const size_t rows = sp->k1 - k < VLEN ? sp->k1 - k : VLEN;
        const fft_real *row = cc + 2 * P * k;
        for (unsigned j = 0; j < P; j += VLEN) {
            const size_t have = P - j < VLEN ? P - j : VLEN;
            vc r[VLEN];
            for (size_t t = 0; t < VLEN; t++)
                r[t] = t >= rows      ? vzero()
                       : have == VLEN ? load(row, P * t + j)
                                      : vload_mask(head(have), row + 2 * (P * t + j));
            transpose(r, x + j);
        }
        gen_group(P, x, roots, fwd, ch + 2 * k, l1, NULL, 1, 0, rows);
    }
}

#if KP_FFT_VEC == 512
/* The radix-16 last pass: pass_k's work over whole rows (line.c makes it
 * only for lines the threads do not share, over a multiple of VLEN rows). Its
 * arrays of 16 are its own: pass_k's, that large, slowed the other radices'
 * passes by 3% to 13%. */
INLINE void pass_k16(size_t l1, const kp__fft_span *sp, const fft_real *cc, fft_real *ch, int fwd)
{
    for (size_t k = sp->k0; k < sp->k1; k += VLEN) {
        vc r[16], in[16], y[16];
        for (unsigned g = 0; g < 16; g++)
            r[g] = load(cc + 2 * 16 * k, VLEN * g);
        rows_to_points(16, r, in);
        vdft16(in, y, fwd);
        for (unsigned m = 0; m < 16; m++)
            store(ch, k + m * l1, y[m]);
    }
}
#endif

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

/* The generic radix's pass, out of line: its buffer of points (up to 17
 * KiB) would otherwise be in the stack frame of every pass. */
static KP_NOINLINE void gen_pass(const kp__fft_pass *ps, const fft_real *tab,
                                 const kp__fft_span *sp, const fft_real *cc, fft_real *ch, int fwd)
{
    const unsigned P = ps->p;
    const fft_real *tw = tab + 2 * ps->tw, *roots = tab + 2 * ps->roots;
    if (ps->ido >= 2 && fwd)
        gen_pass_i(P, ps->ido, ps->l1, sp, cc, ch, tw, roots, 1);
    else if (ps->ido >= 2)
        gen_pass_i(P, ps->ido, ps->l1, sp, cc, ch, tw, roots, 0);
    else if (fwd)
        gen_pass_k(P, ps->l1, sp, cc, ch, roots, 1);
    else
        gen_pass_k(P, ps->l1, sp, cc, ch, roots, 0);
}

/* Whether this file takes the pass: a generic prime to GEN_MAX, any pass;
 * a radix with a butterfly, ido >= 2, or the last pass over at least VLEN
 * sub-transforms (a multiple of VLEN for radix 4 and 8; never for radix
 * 2). */
INLINE int takes(const kp__fft_pass *ps)
{
    if (!kp__fft_butterfly(ps->p)) return ps->p <= GEN_MAX;    /* the generic odd radix */
    if (ps->p == 16) return KP_FFT_VEC == 512 && ps->ido == 1; /* pass_k16 */
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
    if (!kp__fft_butterfly(P)) {
        gen_pass(ps, tab, sp, cc, ch, fwd);
        return;
    }
    if (ps->ido >= 2) {
        switch (P) {
        case 2: pass_i(2, ps->ido, ps->l1, sp, cc, ch, tw, fwd); break;
        case 3: pass_i(3, ps->ido, ps->l1, sp, cc, ch, tw, fwd); break;
        case 4: pass_i(4, ps->ido, ps->l1, sp, cc, ch, tw, fwd); break;
        case 5: pass_i(5, ps->ido, ps->l1, sp, cc, ch, tw, fwd); break;
        case 7: pass_i(7, ps->ido, ps->l1, sp, cc, ch, tw, fwd); break;
        case 9: pass_i(9, ps->ido, ps->l1, sp, cc, ch, tw, fwd); break;
        case 10: pass_i(10, ps->ido, ps->l1, sp, cc, ch, tw, fwd); break;
        case 11: pass_i(11, ps->ido, ps->l1, sp, cc, ch, tw, fwd); break;
        case 13: pass_i(13, ps->ido, ps->l1, sp, cc, ch, tw, fwd); break;
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
    case 11: pass_k(11, ps->l1, sp, cc, ch, fwd); break;
    case 13: pass_k(13, ps->l1, sp, cc, ch, fwd); break;
#if KP_FFT_VEC == 512
    case 16: pass_k16(ps->l1, sp, cc, ch, fwd); break;
#endif
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
/* The rows a copy asks for ahead of use: rows of x, and of out, lie at
 * large (often power-of-two) strides that the hardware prefetchers do not
 * follow, so each copy asks for the lines of the row FETCH_AHEAD rows ahead,
 * into the level-2 cache only: rows a power-of-two stride apart share a
 * level-1 set and would evict one another there. Zen 4, c2c of 2^19 to
 * 2^22 points on one thread: 1.15x to 1.2x faster; 16 rows ahead, or the
 * lines to be written asked into the level-1 cache, gained about half. */
#define FETCH_AHEAD 32

/* Asks for the cache lines of [p, p + bytes) in the level-2 cache. */
INLINE void fetch_lines(const fft_real *p, size_t bytes)
{
    const uintptr_t first = (uintptr_t)p / 64, last = ((uintptr_t)p + bytes - 1) / 64;
    for (uintptr_t l = first; l <= last; l++)
        __builtin_prefetch((const void *)(l * 64), 0, 2);
}

void FFT_FN(kp__fft_block_in)(const void *x_, size_t xs, size_t rows, void *buf_, size_t len)
{
    const fft_real *x = x_;
    fft_real *buf = buf_;
    for (size_t j = 0; j < rows; j += VLEN) {
        const size_t r = rows - j < VLEN ? rows - j : VLEN;
        for (size_t i = 0; i < VLEN && j + FETCH_AHEAD + i < rows; i++)
            fetch_lines(x + 2 * (j + FETCH_AHEAD + i) * xs, BLOCK * 2 * sizeof(fft_real));
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

/* block_out for one choice of twiddles (tw), direction and scale, so that
 * the loops carry no tests of them. */
INLINE void block_out_as(const fft_real *in, size_t len, size_t count, size_t width,
                         const fft_real *w, size_t ws, const fft_real *wk, fft_real s,
                         fft_real *out, size_t os, const int tw, const int fwd, const int scaled)
{
    for (size_t k = 0; k < count; k += VLEN) {
        const size_t r = count - k < VLEN ? count - k : VLEN;
        const vmask m = head(r);
        for (size_t i = 0; i < VLEN && k + FETCH_AHEAD + i < count; i++)
            fetch_lines(out + 2 * (k + FETCH_AHEAD + i) * os, width * 2 * sizeof(fft_real));
        for (size_t c = 0; c < width; c += VLEN) {
            vc col[VLEN], row[VLEN];
            for (size_t i = 0; i < VLEN; i++)
                col[i] = r == VLEN ? load(in, (c + i) * len + k)
                                   : vload_mask(m, in + 2 * ((c + i) * len + k));
            transpose(col, row);
            for (size_t i = 0; i < r; i++) {
                vc v = row[i];
                if (tw && k + i > 0) {
                    vc t = vtw_rounded(load(w, (k + i) * ws + c), vbcast(wk + 2 * (k + i)), 1);
                    v = vtw_rounded(v, t, fwd);
                }
                if (scaled) v = vscale(s, v);
                store(out, (k + i) * os + c, v);
            }
        }
    }
}

void FFT_FN(kp__fft_block_out)(const void *in_, size_t len, size_t count, size_t width,
                               const void *w_, size_t ws, const void *wk_, double scale, void *out_,
                               size_t os, int fwd)
{
    const fft_real *in = in_, *w = w_, *wk = wk_;
    fft_real *out = out_;
    const fft_real s = (fft_real)scale;
#define BLOCK_OUT(tw, f, sc) block_out_as(in, len, count, width, w, ws, wk, s, out, os, tw, f, sc)
    if (w != NULL) {
        if (scale != 1.0)
            fwd ? BLOCK_OUT(1, 1, 1) : BLOCK_OUT(1, 0, 1);
        else
            fwd ? BLOCK_OUT(1, 1, 0) : BLOCK_OUT(1, 0, 0);
    } else if (scale != 1.0) {
        BLOCK_OUT(0, 0, 1);
    } else {
        BLOCK_OUT(0, 0, 0);
    }
#undef BLOCK_OUT
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
    /* k .. k+3 and h-k-3 .. h-k apart, or meeting at h/2: written twice
       there, the second time last, as the scalar loop does */
    for (; k + 4 <= end && 2 * k + 6 <= h; k += 4)
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
    for (; k + 4 <= end && 2 * k + 6 <= h; k += 4) /* as kp__fft_r2c_post */
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

/* The first pass of a split r2c and the last of a split c2r (split.c),
 * up to RLEN i at a time in lanes of reals, within a block of
 * KP__FFT_SPLIT_BLOCK i, fewer (through masks) at the end of a block or of
 * [i0, i1), and a strided x or y through gathers and scatters (stores one
 * by one with AVX2), so that every i and every stride take the same
 * operations. */

#define B KP__FFT_SPLIT_BLOCK

/* The roots of one block of B i of a split line's table w (fft.h,
 * KP__FFT_SPLIT_BLOCK): each m's w_n^(b B m), the same in every lane. */
typedef struct split_block {
    vc re[3], im[3];
} split_block;

INLINE split_block split_coarse(const unsigned P, const fft_real *w, size_t q, size_t b)
{
    split_block c;
    for (unsigned m = 1; m <= P / 2; m++) {
        const fft_real *coarse = w + kp__fft_split_coarse(P, q, m, b);
        c.re[m - 1] = vset1(coarse[0]);
        c.im[m - 1] = vset1(coarse[1]);
    }
    return c;
}

/* w_n^(i m) for count values of i from c = i mod B on, as the product of
 * w_n^(c m) and the block's root. */
INLINE void split_root(const fft_real *w, unsigned m, size_t c, size_t count, const split_block *cb,
                       vc *re, vc *im)
{
    const fft_real *fine = w + kp__fft_split_fine(m) + c;
    const vc fr = rload(fine, 1, count), fi = rload(fine + B, 1, count);
    *re = vfmsub(fr, cb->re[m - 1], vmul(fi, cb->im[m - 1]));
    *im = vfmadd(fr, cb->im[m - 1], vmul(fi, cb->re[m - 1]));
}

INLINE void split_in(const unsigned P, const fft_real *x, ptrdiff_t ss, size_t q, const fft_real *w,
                     fft_real *y0, fft_real *ym, size_t i0, size_t i1)
{
    const unsigned h = P / 2;
    for (size_t i = i0; i < i1;) { /* block b = i / B of B i, its part in [i0, i1) */
        const size_t b = i / B, end = (b + 1) * B < i1 ? (b + 1) * B : i1;
        const split_block cb = split_coarse(P, w, q, b);
        for (; i < end; i = i + RLEN < end ? i + RLEN : end) { /* no vector across blocks */
            const size_t count = end - i;
            vc a0 = rload(x + (ptrdiff_t)i * ss, ss, count), sum[3], dif[3], u0 = a0;
            for (unsigned j = 1; j <= h; j++) {
                vc a = rload(x + (ptrdiff_t)(i + q * j) * ss, ss, count);
                vc c = rload(x + (ptrdiff_t)(i + q * (P - j)) * ss, ss, count);
                sum[j - 1] = vadd(a, c);
                dif[j - 1] = vsub(a, c);
                u0 = vadd(u0, sum[j - 1]);
            }
            rstore(y0 + i, 1, count, u0);
            for (unsigned m = 1; m <= h; m++) {
                vc re = a0, im = vzero(), wr, wi;
                for (unsigned j = 1; j <= h; j++) {
                    re = vfmadd(vset1(cos_jm(P, j, m)), sum[j - 1], re);
                    im = vfnmadd(vset1(sin_jm(P, j, m)), dif[j - 1], im);
                }
                split_root(w, m, i - b * B, count, &cb, &wr, &wi);
                cstore(ym + 2 * ((m - 1) * q + i), count, vfmsub(re, wr, vmul(im, wi)),
                       vfmadd(re, wi, vmul(im, wr)));
            }
        }
    }
}

INLINE void split_out(const unsigned P, const fft_real *v0, const fft_real *ym, size_t q,
                      const fft_real *w, fft_real *y, ptrdiff_t ds, fft_real scale, size_t i0,
                      size_t i1)
{
    const unsigned h = P / 2;
    const vc s = vset1(scale), two = vset1(2);
    for (size_t i = i0; i < i1;) {
        const size_t b = i / B, end = (b + 1) * B < i1 ? (b + 1) * B : i1;
        const split_block cb = split_coarse(P, w, q, b);
        for (; i < end; i = i + RLEN < end ? i + RLEN : end) {
            const size_t count = end - i;
            vc zr[3], zi[3], v = rload(v0 + i, 1, count), re = vzero();
            for (unsigned m = 1; m <= h; m++) { /* z_m = v_m conj w */
                vc vr, vi, wr, wi;
                cload(ym + 2 * ((m - 1) * q + i), count, &vr, &vi);
                split_root(w, m, i - b * B, count, &cb, &wr, &wi);
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
}

#undef B

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
