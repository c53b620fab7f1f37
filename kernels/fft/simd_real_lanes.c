/*
 * Even real lines in lanes (lines.c's kp__fft_r2c_lanes and
 * kp__fft_c2r_lanes), built after simd_lanes.c in its translation units
 * (simd_{d,s}_{avx2,avx512}.c), whose lanes code they use: the complex
 * transforms of h = n/2, with r2c_post after them or c2r_pre before them
 * on the registers. Lines whose complex line has one or two passes of the
 * shapes of real_regs stay in registers throughout; the others go through
 * two buffers. Same operations either way, so the same bits.
 */

/* At most the values of a real line in registers throughout: h + 1, h <= 64. */
enum { REAL_REGS = 65 };

/* The 64-byte aligned start of a real line's lanes buffer (fft.h: 16
 * (n/2 + 1) + 4 complex elements, so 2 (h + 1) vectors from there). */
INLINE vc *vbuf(void *buf)
{
    return (vc *)(((uintptr_t)buf + 63) & ~(uintptr_t)63);
}

/* r2c_post in place: X_k, k <= h, times scale from the transform Z_k,
 * k < h, of the pairs (k = h/2 written twice, as r2c_post does). */
INLINE void regs_r2c_post(size_t h, vc *z, const fft_real *w, double scale)
{
    const fft_real s = (fft_real)scale, half = (fft_real)0.5 * s;
    const vc z0 = z[0], sw = vswap(z0), conj = sign_of(1);
    vc *t = z;
    /* E_0 and O_0 are real: X_0 = E_0 + O_0, X_h = E_0 - O_0 */
    t[0] = vmerge(vscale(s, vadd(z0, sw)), vzero());
    t[h] = vmerge(vscale(s, vsub(z0, sw)), vzero());
    for (size_t k = 1; 2 * k <= h; k++) { /* reads k and h - k, writes them */
        vc p = z[k], q = vxor(z[h - k], conj);
        vc e = vadd(p, q), o = vrot(vsub(p, q), 1); /* (p - q) / i */
        vc c = vtw(o, vbcast(w + 2 * k), 1);
        t[k] = vscale(half, vadd(e, c));
        t[h - k] = vxor(vscale(half, vsub(e, c)), conj);
    }
}

/* c2r_pre: Z_k, k < h, into z from X_k, k <= h (the imaginary parts of
 * X_0 and X_h unused), for the complex transform of h backward. */
INLINE void regs_c2r_pre(size_t h, const vc *x, const fft_real *w, vc *z)
{
    const vc conj = sign_of(1);
    const vc x0 = vdup_re(x[0]), xh = vdup_re(x[h]);
    z[0] = vmerge(vadd(x0, xh), vsub(x0, xh)); /* E_0 + i O_0, doubled */
    for (size_t k = 1; 2 * k <= h; k++) {
        vc p = x[k], q = vxor(x[h - k], conj);
        vc e = vadd(p, q), o = vtw(vsub(p, q), vbcast(w + 2 * k), 0);
        z[k] = vfmadd(vswap(o), vrot_sign(0), e); /* e + i o */
        z[h - k] = vadd(vxor(e, conj), vswap(o)); /* conj e + i conj o */
    }
}

/* Lines of h = P1 P2 (regs_passes) in registers, t < count <= VLEN of
 * them stored, contiguous: r2c from the pairs x[t] into y[t], or c2r from
 * x[t] into the pairs y[t] times scale. */
INLINE void r2c_regs(const unsigned P1, const unsigned P2, const kp__fft_line *line,
                     const fft_real *const *x, fft_real *const *y, size_t count, double scale)
{
    vc v[REAL_REGS], w[REAL_REGS];
    const unsigned h = P1 * P2;
    const fft_real *tw = (const fft_real *)line->sub->tw + 2 * line->sub->pass[0].tw;
    regs_in(h, x, v);
    vc *z = regs_passes(P1, P2, tw, v, w, 1);
    regs_r2c_post(h, z, line->rtw, scale);
    regs_out(h + 1, z, 1.0, y, count);
}

INLINE void c2r_regs(const unsigned P1, const unsigned P2, const kp__fft_line *line,
                     const fft_real *const *x, fft_real *const *y, size_t count, double scale)
{
    vc v[REAL_REGS], w[REAL_REGS];
    const unsigned h = P1 * P2;
    const fft_real *tw = (const fft_real *)line->sub->tw + 2 * line->sub->pass[0].tw;
    regs_in(h + 1, x, v);
    regs_c2r_pre(h, v, line->rtw, w);
    regs_out(h, regs_passes(P1, P2, tw, w, v, 0), scale, y, count);
}

/* Lines t < count <= VLEN of the real line in registers (r2c_regs or
 * c2r_regs) where its complex line has one of the shapes below, the powers
 * of two of one or two passes (real lines of 4 to 128 points); returns 0,
 * having done nothing, for the others. */
INLINE int real_regs(const kp__fft_line *line, int r2c, const fft_real *const *x,
                     fft_real *const *y, size_t count, double scale)
{
    const kp__fft_line *sub = line->sub;
    if (sub->npass > 2) return 0;
    switch (16 * sub->pass[0].p + (sub->npass == 2 ? sub->pass[1].p : 1)) {
#define SHAPE(P1, P2)                                                                              \
    case 16 * P1 + P2:                                                                             \
        if (r2c)                                                                                   \
            r2c_regs(P1, P2, line, x, y, count, scale);                                            \
        else                                                                                       \
            c2r_regs(P1, P2, line, x, y, count, scale);                                            \
        return 1
        SHAPE(2, 1);
        SHAPE(4, 1);
        SHAPE(8, 1);
        SHAPE(4, 4);
        SHAPE(4, 8);
        SHAPE(8, 8);
#undef SHAPE
    default: return 0;
    }
}

/* count lines VLEN at a time, r2c (the pairs of line c at src + c xd, its
 * values at dst + c yd, ds apart) or c2r (ds 1): in registers (real_regs)
 * where the shape and ds = 1 allow, else through the buffers. */
INLINE void real_lanes_run(const kp__fft_line *line, int r2c, const void *src, ptrdiff_t xd,
                           void *dst, ptrdiff_t ds, ptrdiff_t yd, size_t count, double scale,
                           void *buf)
{
    const kp__fft_line *sub = line->sub;
    const size_t h = sub->n;
    vc *v = vbuf(buf), *w = v + h + 1; /* the passes' buffers */
    for (size_t c = 0; c < count; c += VLEN) {
        const fft_real *xs[VLEN];
        fft_real *ys[VLEN];
        const size_t have = count - c < VLEN ? count - c : VLEN;
        lanes_at(src, xd, dst, yd, c, count, xs, ys);
        if (ds == 1 && real_regs(line, r2c, xs, ys, have, scale)) continue;
        fft_real *from, *to;
        if (r2c) {
            from = (fft_real *)v;
            to = (fft_real *)w;
            lanes_in(h, xs, 1, from);
            lanes_passes(sub, &from, &to, 1);
            regs_r2c_post(h, (vc *)from, line->rtw, scale);
            lanes_out(h + 1, from, 1.0, ys, ds, have);
        } else {
            lanes_in(h + 1, xs, 1, (fft_real *)v);
            regs_c2r_pre(h, v, line->rtw, w);
            from = (fft_real *)w;
            to = (fft_real *)v;
            lanes_passes(sub, &from, &to, 0);
            lanes_out(h, from, scale, ys, 1, have);
        }
    }
}

void FFT_FN(kp__fft_r2c_lanes_run)(const kp__fft_line *line, const void *src, ptrdiff_t xd,
                                   void *dst, ptrdiff_t ds, ptrdiff_t yd, size_t count,
                                   double scale, void *buf)
{
    real_lanes_run(line, 1, src, xd, dst, ds, yd, count, scale, buf);
}

void FFT_FN(kp__fft_c2r_lanes_run)(const kp__fft_line *line, const void *src, ptrdiff_t xd,
                                   void *dst, ptrdiff_t yd, size_t count, double scale, void *buf)
{
    real_lanes_run(line, 0, src, xd, dst, 1, yd, count, scale, buf);
}
