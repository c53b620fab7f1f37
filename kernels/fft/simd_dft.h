/*
 * The vector butterflies of radix 2, 3, 4, 5, 7, 8, 9, 10, 11, 13 and 16
 * (passes.c's arithmetic, VLEN points at a time, with fused multiply-adds:
 * a pair per twiddle product, one per term of the odd radices' sums of
 * products and of radix 9's inner twiddles), for the vector passes
 * (simd_passes.c) and lanes (simd_lanes.c: all but 16). Included after
 * prec.h and simd.h.
 */
#ifndef KP_FFT_SIMD_DFT_H
#define KP_FFT_SIMD_DFT_H

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
    vc s[VEC_POINTS / 2], d[VEC_POINTS / 2], y0 = x[0];
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

/* Radix 16 as 4 x 4 (AVX-512's last passes only; passes.c has none): the
 * length-4 DFTs a_j of the points j + 4 q (q < 4), output k of a_j turned by
 * w16^(j k), then for each k the length-4 DFT of the a_j[k] across j, its
 * output m at k + 4 m. w16^2 and w16^6 are vdft8's w8 and w8^3, the quarter
 * turn w16^4 is folded into the last DFTs as vdft8 folds it; w16^1, w16^3
 * and w16^9 are stored roots (vtw). */
static const fft_real w16_roots[3][2] = {{cos16, -sin16}, {sin16, -cos16}, {-cos16, sin16}};
INLINE void vdft16(const vc *x, vc *y, int fwd)
{
    vc a[4][4];
    for (int j = 0; j < 4; j++) {
        const vc in[4] = {x[j], x[j + 4], x[j + 8], x[j + 12]};
        vdft4(in, a[j], fwd);
    }
    const vc rs = vrot_sign(fwd);
    a[1][1] = vtw(a[1][1], vbcast(w16_roots[0]), fwd);
    a[1][2] = vscale(sqrt_half, vfmadd(vswap(a[1][2]), rs, a[1][2]));
    a[1][3] = vtw(a[1][3], vbcast(w16_roots[1]), fwd);
    a[2][1] = vscale(sqrt_half, vfmadd(vswap(a[2][1]), rs, a[2][1]));
    a[2][3] = vscale(sqrt_half, vfmsub(vswap(a[2][3]), rs, a[2][3]));
    a[3][1] = vtw(a[3][1], vbcast(w16_roots[1]), fwd);
    a[3][2] = vscale(sqrt_half, vfmsub(vswap(a[3][2]), rs, a[3][2]));
    a[3][3] = vtw(a[3][3], vbcast(w16_roots[2]), fwd);
    for (int k = 0; k < 4; k++) {
        const vc in[4] = {a[0][k], a[1][k], a[2][k], a[3][k]};
        vc out[4];
        vdft4_of(in, out, fwd, k == 2); /* a_2[2] times the quarter turn */
        for (int m = 0; m < 4; m++)
            y[k + 4 * m] = out[m];
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
    case 11: vdft_odd(11, x, y, fwd, cos11, sin11); break;
    case 13: vdft_odd(13, x, y, fwd, cos13, sin13); break;
    case 16: vdft16(x, y, fwd); break;
    default: vdft8(x, y, fwd); break;
    }
}

#endif
