/*
 * Radix 2, 3, 4, 5, 7 and 8 passes in double with AVX-512 (built with
 * -mavx512f -mavx512dq, run only when the CPU has them): a zmm register
 * holds four complex values, (re, im) pairs as the arrays store them. The
 * arithmetic is passes.c's, four points at a time, with one fused
 * multiply-add pair per twiddle product (so the bits are not passes.c's).
 *
 * Passes with ido >= 2 take four consecutive i at once, the last group
 * through masked loads and stores (for ido 2 and 3 the only group: half or
 * three quarters of a vector still beats one point at a time). The last
 * pass (ido = 1) takes four consecutive k: the points of four butterflies
 * are read as a 4 x P block of complex values and turned by 128-bit lane
 * shuffles (radix 4 and 8, l1 a multiple of 4) or lane permutes (radix 3,
 * 5 and 7, any l1: the rest through masks). Other passes are left to
 * passes.c.
 */
#include <immintrin.h>
#include <stddef.h>

#include "kernels/fft/fft.h"

typedef __m512d v4c;

#define INLINE static inline __attribute__((always_inline))

INLINE v4c vadd(v4c a, v4c b)
{
    return _mm512_add_pd(a, b);
}
INLINE v4c vsub(v4c a, v4c b)
{
    return _mm512_sub_pd(a, b);
}
/* a * (-i) forward, a * i backward: swap re and im, then negate one. */
INLINE v4c vrot(v4c a, int fwd)
{
    const __m512d odd = _mm512_castsi512_pd(
        _mm512_set_epi64((long long)0x8000000000000000u, 0, (long long)0x8000000000000000u, 0,
                         (long long)0x8000000000000000u, 0, (long long)0x8000000000000000u, 0));
    const __m512d even = _mm512_castsi512_pd(
        _mm512_set_epi64(0, (long long)0x8000000000000000u, 0, (long long)0x8000000000000000u, 0,
                         (long long)0x8000000000000000u, 0, (long long)0x8000000000000000u));
    v4c s = _mm512_permute_pd(a, 0x55);
    return _mm512_xor_pd(s, fwd ? odd : even);
}
/* a * w forward, a * conj(w) backward. */
INLINE v4c vtw(v4c a, v4c w, int fwd)
{
    v4c wr = _mm512_movedup_pd(w), wi = _mm512_permute_pd(w, 0xFF);
    v4c t = _mm512_mul_pd(_mm512_permute_pd(a, 0x55), wi);
    return fwd ? _mm512_fmaddsub_pd(a, wr, t) : _mm512_fmsubadd_pd(a, wr, t);
}
INLINE v4c vscale(double s, v4c a)
{
    return _mm512_mul_pd(_mm512_set1_pd(s), a);
}

static const double sqrt_half = 0.707106781186547524400844362104849039;
/* cos and sin of 2 pi j / P, as passes.c */
static const double cos3[2] = {1, -0.5}, sin3[2] = {0, 0.866025403784438646763723170752936183};
static const double cos5[3] = {1, 0.309016994374947424102293417182819059,
                               -0.809016994374947424102293417182819059};
static const double sin5[3] = {0, 0.951056516295153572116439333379382143,
                               0.587785252292473129168705954639072769};
static const double cos7[4] = {1, 0.623489801858733530525004884004239811,
                               -0.222520933956314404288902564496794759,
                               -0.900968867902419126236102319507445051};
static const double sin7[4] = {0, 0.781831482468029808708444526674057750,
                               0.974927912181823607018131682993931217,
                               0.433883739117558120475768332848358754};

INLINE void vdft2(const v4c *x, v4c *y)
{
    y[0] = vadd(x[0], x[1]);
    y[1] = vsub(x[0], x[1]);
}

INLINE void vdft4(const v4c *x, v4c *y, int fwd)
{
    v4c s02 = vadd(x[0], x[2]), d02 = vsub(x[0], x[2]);
    v4c s13 = vadd(x[1], x[3]), d13 = vrot(vsub(x[1], x[3]), fwd);
    y[0] = vadd(s02, s13);
    y[1] = vadd(d02, d13);
    y[2] = vsub(s02, s13);
    y[3] = vsub(d02, d13);
}

/* radix 2, then two length-4 DFTs; x w8 = (x + rot x) / sqrt 2 and
 * x w8^3 = (rot x - x) / sqrt 2 with the quarter turn of the direction */
INLINE void vdft8(const v4c *x, v4c *y, int fwd)
{
    v4c a[4], b[4], ya[4], yb[4];
    for (int j = 0; j < 4; j++) {
        a[j] = vadd(x[j], x[j + 4]);
        b[j] = vsub(x[j], x[j + 4]);
    }
    b[1] = vscale(sqrt_half, vadd(b[1], vrot(b[1], fwd)));
    b[2] = vrot(b[2], fwd);
    b[3] = vscale(sqrt_half, vsub(vrot(b[3], fwd), b[3]));
    vdft4(a, ya, fwd);
    vdft4(b, yb, fwd);
    for (int m = 0; m < 4; m++) {
        y[2 * m] = ya[m];
        y[2 * m + 1] = yb[m];
    }
}

/* An odd radix from pairs, as passes.c's dft_odd. */
INLINE void vdft_odd(const unsigned P, const v4c *x, v4c *y, int fwd, const double *cosv,
                     const double *sinv)
{
    const unsigned h = P / 2;
    v4c s[3], d[3], y0 = x[0];
    for (unsigned j = 1; j <= h; j++) {
        s[j - 1] = vadd(x[j], x[P - j]);
        d[j - 1] = vsub(x[j], x[P - j]);
        y0 = vadd(y0, s[j - 1]);
    }
    y[0] = y0;
    for (unsigned m = 1; m <= h; m++) {
        v4c a = x[0], b = _mm512_setzero_pd();
        for (unsigned j = 1; j <= h; j++) {
            unsigned r = (j * m) % P;
            double c = cosv[r <= h ? r : P - r], sn = r <= h ? sinv[r] : -sinv[P - r];
            a = vadd(a, vscale(c, s[j - 1]));
            b = vadd(b, vscale(sn, d[j - 1]));
        }
        b = vrot(b, fwd);
        y[m] = vadd(a, b);
        y[P - m] = vsub(a, b);
    }
}

INLINE void vdft(const unsigned P, const v4c *x, v4c *y, int fwd)
{
    switch (P) {
    case 2: vdft2(x, y); break;
    case 3: vdft_odd(3, x, y, fwd, cos3, sin3); break;
    case 4: vdft4(x, y, fwd); break;
    case 5: vdft_odd(5, x, y, fwd, cos5, sin5); break;
    case 7: vdft_odd(7, x, y, fwd, cos7, sin7); break;
    default: vdft8(x, y, fwd); break;
    }
}

/* Complex element e of an array of (re, im) doubles. */
INLINE v4c load(const double *p, size_t e)
{
    return _mm512_loadu_pd(p + 2 * e);
}
INLINE void store(double *p, size_t e, v4c v)
{
    _mm512_storeu_pd(p + 2 * e, v);
}

/* The first `count` (< 4) complex values of a vector. */
INLINE __mmask8 head(size_t count)
{
    return (__mmask8)((1u << (2 * count)) - 1);
}

INLINE void body(const unsigned P, size_t ido, size_t out_m, const double *x, double *z,
                 const double *tw, size_t i, int fwd)
{
    v4c in[8], y[8];
    for (unsigned j = 0; j < P; j++)
        in[j] = load(x, i + j * ido);
    vdft(P, in, y, fwd);
    store(z, i, y[0]);
    for (unsigned m = 1; m < P; m++)
        store(z, i + m * out_m, vtw(y[m], load(tw, (m - 1) * ido + i), fwd));
}

/* The last count (< 4) values of i, through masks. */
INLINE void tail(const unsigned P, size_t ido, size_t out_m, const double *x, double *z,
                 const double *tw, size_t i, size_t count, int fwd)
{
    const __mmask8 mk = head(count);
    v4c in[8], y[8];
    for (unsigned j = 0; j < P; j++)
        in[j] = _mm512_maskz_loadu_pd(mk, x + 2 * (i + j * ido));
    vdft(P, in, y, fwd);
    _mm512_mask_storeu_pd(z + 2 * i, mk, y[0]);
    for (unsigned m = 1; m < P; m++) {
        v4c w = _mm512_maskz_loadu_pd(mk, tw + 2 * ((m - 1) * ido + i));
        _mm512_mask_storeu_pd(z + 2 * (i + m * out_m), mk, vtw(y[m], w, fwd));
    }
}

/* ido >= 2: four consecutive i of the span. */
INLINE void pass_i(const unsigned P, size_t ido, size_t l1, const kp__fft_span *sp,
                   const double *cc, double *ch, const double *tw, int fwd)
{
    const size_t out_m = ido * l1, i1 = sp->i1;
    for (size_t k = sp->k0; k < sp->k1; k++) {
        const double *x = cc + 2 * ido * P * k;
        double *z = ch + 2 * ido * k;
        size_t i = sp->i0;
        for (; i + 4 <= i1; i += 4)
            body(P, ido, out_m, x, z, tw, i, fwd);
        if (i < i1) tail(P, ido, out_m, x, z, tw, i, i1 - i, fwd);
    }
}

/* Four rows of four complex values turned into four columns: col[j] holds
 * value j of r0, r1, r2, r3. */
INLINE void transpose4(v4c r0, v4c r1, v4c r2, v4c r3, v4c *col)
{
    v4c t0 = _mm512_shuffle_f64x2(r0, r1, 0x44), t1 = _mm512_shuffle_f64x2(r0, r1, 0xEE);
    v4c t2 = _mm512_shuffle_f64x2(r2, r3, 0x44), t3 = _mm512_shuffle_f64x2(r2, r3, 0xEE);
    col[0] = _mm512_shuffle_f64x2(t0, t2, 0x88);
    col[1] = _mm512_shuffle_f64x2(t0, t2, 0xDD);
    col[2] = _mm512_shuffle_f64x2(t1, t3, 0x88);
    col[3] = _mm512_shuffle_f64x2(t1, t3, 0xDD);
}

/* Row r (< rows) of P complex values at x, points j .. j + 3; 0 past the
 * rows. */
INLINE v4c row(const double *x, const unsigned P, size_t r, unsigned j, size_t rows)
{
    return r < rows ? load(x, r * P + j) : _mm512_setzero_pd();
}

/* ido = 1, radix 4 or 8: rows k .. k + rows - 1 (rows <= 4), whose P
 * points each are contiguous, turned from rows of k into vectors of j by
 * lane shuffles. */
INLINE void rows_k(const unsigned P, size_t l1, size_t k, size_t rows, const double *cc, double *ch,
                   int fwd)
{
    const double *x = cc + 2 * P * k;
    v4c in[8], y[8];
    for (unsigned j = 0; j < P; j += 4) /* rows k .. k+3, points j .. j+3 */
        transpose4(row(x, P, 0, j, rows), row(x, P, 1, j, rows), row(x, P, 2, j, rows),
                   row(x, P, 3, j, rows), in + j);
    vdft(P, in, y, fwd);
    for (unsigned m = 0; m < P; m++) {
        if (rows == 4)
            store(ch, k + m * l1, y[m]);
        else
            _mm512_mask_storeu_pd(ch + 2 * (k + m * l1), head(rows), y[m]);
    }
}

/* ido = 1, radix 4 or 8: four consecutive k of the span at a time, the
 * last (k1 - k0) % 4 through masks. */
INLINE void pass_k(const unsigned P, size_t l1, const kp__fft_span *sp, const double *cc,
                   double *ch, int fwd)
{
    size_t k = sp->k0;
    for (; k + 4 <= sp->k1; k += 4)
        rows_k(P, l1, k, 4, cc, ch, fwd);
    if (k < sp->k1) rows_k(P, l1, k, sp->k1 - k, cc, ch, fwd);
}

/* Value P t + j of four rows of P complex values held four to a register
 * (r[0 .. P)), in lane t: two two-source lane permutes (lanes 0, 1 and 2,
 * 3) and a blend. P and j are constants where this is inlined. */
INLINE v4c column(const v4c *r, const unsigned P, unsigned j)
{
    unsigned c0 = j, c1 = P + j, c2 = 2 * P + j, c3 = 3 * P + j;
    /* qwords 2t, 2t + 1 of lane t; 8 + picks the permute's second source */
    const __m512i idx =
        _mm512_set_epi64(8 + 2 * (c3 % 4) + 1, 8 + 2 * (c3 % 4), 2 * (c2 % 4) + 1, 2 * (c2 % 4),
                         8 + 2 * (c1 % 4) + 1, 8 + 2 * (c1 % 4), 2 * (c0 % 4) + 1, 2 * (c0 % 4));
    v4c v01 = _mm512_permutex2var_pd(r[c0 / 4], idx, r[c1 / 4]);
    v4c v23 = _mm512_permutex2var_pd(r[c2 / 4], idx, r[c3 / 4]);
    return _mm512_mask_blend_pd(0xF0, v01, v23);
}

/* ido = 1, an odd radix: four consecutive k, whose 4 P points are
 * contiguous, loaded as P registers and spread into the P inputs by lane
 * permutes (gathers were slower); the last (k1 - k0) % 4 through masks. */
INLINE void pass_k_odd(const unsigned P, size_t l1, const kp__fft_span *sp, const double *cc,
                       double *ch, int fwd)
{
    for (size_t k = sp->k0; k < sp->k1; k += 4) {
        const size_t rows = sp->k1 - k < 4 ? sp->k1 - k : 4;
        const double *x = cc + 2 * P * k;
        v4c r[7], in[7], y[7];
        for (unsigned g = 0; g < P; g++) {
            size_t have = rows * P > 4 * g ? rows * P - 4 * g : 0;
            r[g] = have >= 4 ? load(x, 4 * g) : _mm512_maskz_loadu_pd(head(have), x + 8 * g);
        }
        for (unsigned j = 0; j < P; j++)
            in[j] = column(r, P, j);
        vdft(P, in, y, fwd);
        for (unsigned m = 0; m < P; m++) {
            if (rows == 4)
                store(ch, k + m * l1, y[m]);
            else
                _mm512_mask_storeu_pd(ch + 2 * (k + m * l1), head(rows), y[m]);
        }
    }
}

/* A line of P1 P2 points (P1, P2 in {4, 8}) whose two passes run in
 * registers: the first (radix P1, ido P2) as body() computes it, value c of
 * its output in lane c % 4 of v[c / 4]; the second (radix P2, ido 1, l1 P1)
 * as pass_k does, its four-row transposes taken from v. The same
 * operations, so the same bits as the two passes through memory. */
INLINE void line_two(const unsigned P1, const unsigned P2, const double *tw, const double *x,
                     double *z, int fwd)
{
    v4c v[16], in[8], y[8];
    for (unsigned h = 0; h < P2 / 4; h++) { /* i = 4h .. 4h + 3 */
        for (unsigned j = 0; j < P1; j++)
            in[j] = load(x, 4 * h + P2 * j);
        vdft(P1, in, y, fwd);
        v[h] = y[0];
        for (unsigned m = 1; m < P1; m++)
            v[h + P2 / 4 * m] = vtw(y[m], load(tw, (m - 1) * P2 + 4 * h), fwd);
    }
    for (unsigned k = 0; k < P1; k += 4) { /* rows k .. k + 3, each P2 values */
        for (unsigned j = 0; j < P2; j += 4)
            transpose4(v[(P2 * k + j) / 4], v[(P2 * (k + 1) + j) / 4], v[(P2 * (k + 2) + j) / 4],
                       v[(P2 * (k + 3) + j) / 4], in + j);
        vdft(P2, in, y, fwd);
        for (unsigned m = 0; m < P2; m++)
            store(z, k + m * P1, y[m]);
    }
}

INLINE int pass_dir(const kp__fft_pass *ps, const double *tab, const kp__fft_span *sp,
                    const double *cc, double *ch, int fwd)
{
    const unsigned P = ps->p;
    const double *tw = tab + 2 * ps->tw;
    if (ps->ido >= 2) {
        switch (P) {
        case 2: pass_i(2, ps->ido, ps->l1, sp, cc, ch, tw, fwd); break;
        case 3: pass_i(3, ps->ido, ps->l1, sp, cc, ch, tw, fwd); break;
        case 4: pass_i(4, ps->ido, ps->l1, sp, cc, ch, tw, fwd); break;
        case 5: pass_i(5, ps->ido, ps->l1, sp, cc, ch, tw, fwd); break;
        case 7: pass_i(7, ps->ido, ps->l1, sp, cc, ch, tw, fwd); break;
        default: pass_i(8, ps->ido, ps->l1, sp, cc, ch, tw, fwd); break;
        }
        return 1;
    }
    if (ps->ido == 1 && ps->l1 % 4 == 0 && (P == 4 || P == 8)) {
        if (P == 4)
            pass_k(4, ps->l1, sp, cc, ch, fwd);
        else
            pass_k(8, ps->l1, sp, cc, ch, fwd);
        return 1;
    }
    if (ps->ido == 1 && ps->l1 >= 4) {
        switch (P) {
        case 3: pass_k_odd(3, ps->l1, sp, cc, ch, fwd); return 1;
        case 5: pass_k_odd(5, ps->l1, sp, cc, ch, fwd); return 1;
        case 7: pass_k_odd(7, ps->l1, sp, cc, ch, fwd); return 1;
        default: break;
        }
    }
    return 0;
}

/* One instance per shape and direction. */
#define LINE_TWO(P1, P2)                                                                           \
    if (fwd)                                                                                       \
        line_two(P1, P2, tw, src, dst, 1);                                                         \
    else                                                                                           \
        line_two(P1, P2, tw, src, dst, 0)

void kp__fft_line_two_exec_d_avx512(const kp__fft_line *line, int fwd, const void *src, void *dst,
                                    void *work)
{
    (void)work;
    const double *tw = (const double *)line->tw + 2 * line->pass[0].tw;
    switch (line->n) {
    case 16: LINE_TWO(4, 4); break;
    case 32: LINE_TWO(4, 8); break;
    default: LINE_TWO(8, 8); break;
    }
}
#undef LINE_TWO

int kp__fft_simd_pass_d_avx512(const kp__fft_pass *ps, const void *tab, const kp__fft_span *sp,
                               const void *cc, void *ch, int fwd)
{
    if (ps->p > 8) return 0; /* the generic odd radix */
    return fwd ? pass_dir(ps, tab, sp, cc, ch, 1) : pass_dir(ps, tab, sp, cc, ch, 0);
}

/* ---------------------------------------------------- real transforms */

/* Four complex values in reverse order. */
INLINE v4c vreverse(v4c a)
{
    return _mm512_shuffle_f64x2(a, a, 0x1B);
}
INLINE v4c vconj(v4c a)
{
    const __m512d odd = _mm512_castsi512_pd(
        _mm512_set_epi64((long long)0x8000000000000000u, 0, (long long)0x8000000000000000u, 0,
                         (long long)0x8000000000000000u, 0, (long long)0x8000000000000000u, 0));
    return _mm512_xor_pd(a, odd);
}

size_t kp__fft_r2c_post_d_avx512(const void *z_, const void *w_, void *y_, size_t h, double scale,
                                 size_t k, size_t end)
{
    const double *z = z_, *w = w_;
    double *y = y_;
    const double half = 0.5 * scale;
    for (; k + 4 <= end && 2 * k + 6 < h; k += 4) { /* k .. k+3 and h-k-3 .. h-k apart */
        v4c a = load(z, k), b = vconj(vreverse(load(z, h - k - 3)));
        v4c e = vadd(a, b), o = vrot(vsub(a, b), 1); /* (a - b) / i */
        v4c t = vtw(o, load(w, k), 1);
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
        v4c a = load(x, k), b = vconj(vreverse(load(x, h - k - 3)));
        v4c e = vadd(a, b), io = vrot(vtw(vsub(a, b), load(w, k), 0), 0); /* i (a - b) conj w */
        store(z, k, vadd(e, io));
        store(z, h - k - 3, vreverse(vconj(vsub(e, io))));
    }
    return k;
}

/* ----------------------------------------------------------- four-step */

/* a * w forward, a * conj(w) backward, each product rounded before the
 * sum: the bits of ctw in prec.h, four values at a time. */
INLINE v4c vtw_rounded(v4c a, v4c w, int fwd)
{
    v4c wr = _mm512_movedup_pd(w), wi = _mm512_permute_pd(w, 0xFF);
    v4c t1 = _mm512_mul_pd(a, wr), t2 = _mm512_mul_pd(_mm512_permute_pd(a, 0x55), wi);
    /* re: t1 - t2 forward, t1 + t2 backward; im the other way round */
    return _mm512_mask_blend_pd(fwd ? 0x55 : 0xAA, _mm512_add_pd(t1, t2), _mm512_sub_pd(t1, t2));
}

void kp__fft_block_in_d_avx512(const void *x_, size_t xs, size_t rows, void *buf_, size_t len)
{
    const double *x = x_;
    double *buf = buf_;
    for (size_t j = 0; j < rows; j += 4) {
        const size_t r = rows - j < 4 ? rows - j : 4;
        for (size_t c = 0; c < 8; c += 4) {
            v4c in[4], col[4];
            for (size_t i = 0; i < 4; i++)
                in[i] = i < r ? load(x, (j + i) * xs + c) : _mm512_setzero_pd();
            transpose4(in[0], in[1], in[2], in[3], col);
            for (size_t i = 0; i < 4; i++)
                _mm512_mask_storeu_pd(buf + 2 * ((c + i) * len + j), r < 4 ? head(r) : 0xFF,
                                      col[i]);
        }
    }
}

void kp__fft_block_out_d_avx512(const void *in_, size_t len, size_t count, const void *w_,
                                size_t ws, double scale, void *out_, size_t os, int fwd)
{
    const double *in = in_, *w = w_;
    double *out = out_;
    for (size_t k = 0; k < count; k += 4) {
        const size_t r = count - k < 4 ? count - k : 4;
        const __mmask8 m = r < 4 ? head(r) : 0xFF;
        for (size_t c = 0; c < 8; c += 4) {
            v4c row[4];
            transpose4(_mm512_maskz_loadu_pd(m, in + 2 * (c * len + k)),
                       _mm512_maskz_loadu_pd(m, in + 2 * ((c + 1) * len + k)),
                       _mm512_maskz_loadu_pd(m, in + 2 * ((c + 2) * len + k)),
                       _mm512_maskz_loadu_pd(m, in + 2 * ((c + 3) * len + k)), row);
            for (size_t i = 0; i < r; i++) {
                v4c v = row[i];
                if (w != NULL && k + i > 0) {
                    v4c t = load(w, (k + i) * ws + c);
                    v = fwd ? vtw_rounded(v, t, 1) : vtw_rounded(v, t, 0);
                }
                if (scale != 1.0) v = vscale(scale, v);
                store(out, (k + i) * os + c, v);
            }
        }
    }
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
    v4c lo = _mm512_maskz_loadu_pd(head(count < 4 ? count : 4), p);
    v4c hi = _mm512_maskz_loadu_pd(count > 4 ? lanes(2 * (count - 4)) : 0, p + 8);
    *re = _mm512_permutex2var_pd(lo, _mm512_set_epi64(14, 12, 10, 8, 6, 4, 2, 0), hi);
    *im = _mm512_permutex2var_pd(lo, _mm512_set_epi64(15, 13, 11, 9, 7, 5, 3, 1), hi);
}
INLINE void cstore(double *p, size_t count, v8r re, v8r im)
{
    v4c lo = _mm512_permutex2var_pd(re, _mm512_set_epi64(11, 3, 10, 2, 9, 1, 8, 0), im);
    v4c hi = _mm512_permutex2var_pd(re, _mm512_set_epi64(15, 7, 14, 6, 13, 5, 12, 4), im);
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
