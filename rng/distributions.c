/*
 * The ziggurat samplers (Marsaglia and Tsang, J. Stat. Software 5(8), 2000)
 * over kernpool's own tables (rng/gen_ziggurat.py), reading each 64-bit draw
 * as numpy 1.24's random_standard_normal and random_standard_exponential do
 * (numpy/random/src/distributions/distributions.c): where the tables agree,
 * the values agree.
 *
 * Everything here is built with -ffp-contract=off: the wedge tests compare
 * (f[i-1] - f[i]) U + f[i] with the density, and a fused multiply-add would
 * move rare decisions, and with them every later draw.
 */
#include <math.h>

#include "rng/rng.h"

#define MAG52 UINT64_C(0x000fffffffffffff)

/* Normal: bits 0-7 pick the layer, bit 8 the sign, bits 9-60 the magnitude
 * (52 bits); 99% of draws end at the first test. */
double kp__normal(kp__draws *d)
{
    for (;;) {
        uint64_t u = kp__draws_next64(d);
        unsigned idx = (unsigned)(u & 0xff);
        uint64_t rabs = (u >> 9) & MAG52;
        double x = (double)rabs * kp__zig_norm_w[idx];
        if (u & 0x100) x = -x;
        if (rabs < kp__zig_norm_k[idx]) return x;
        if (idx == 0) {
            /* The tail beyond R (Marsaglia, Ann. Math. Stat. 35, 1964): the
             * sign is bit 8 of the magnitude, as in numpy. */
            for (;;) {
                double xx = -kp__zig_norm_rinv * log1p(-kp__u64_to_double(kp__draws_next64(d)));
                double yy = -log1p(-kp__u64_to_double(kp__draws_next64(d)));
                if (yy + yy > xx * xx)
                    return ((rabs >> 8) & 1) ? -(kp__zig_norm_r + xx) : kp__zig_norm_r + xx;
            }
        }
        double f0 = kp__zig_norm_f[idx - 1], f1 = kp__zig_norm_f[idx];
        if ((f0 - f1) * kp__u64_to_double(kp__draws_next64(d)) + f1 < exp(-0.5 * x * x)) return x;
    }
}

/* Exponential: the low 3 bits are dropped, bits 3-10 pick the layer, bits
 * 11-63 are the magnitude (53 bits). */
double kp__exponential(kp__draws *d)
{
    for (;;) {
        uint64_t u = kp__draws_next64(d) >> 3;
        unsigned idx = (unsigned)(u & 0xff);
        uint64_t ri = u >> 8;
        double x = (double)ri * kp__zig_exp_w[idx];
        if (ri < kp__zig_exp_k[idx]) return x;
        /* The tail beyond R is R plus a fresh exponential (memorylessness). */
        if (idx == 0) return kp__zig_exp_r - log1p(-kp__u64_to_double(kp__draws_next64(d)));
        double f0 = kp__zig_exp_f[idx - 1], f1 = kp__zig_exp_f[idx];
        if ((f0 - f1) * kp__u64_to_double(kp__draws_next64(d)) + f1 < exp(-x)) return x;
    }
}
