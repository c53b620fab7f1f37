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
#include <string.h>

#include "rng/rng.h"
#include "sched/internal.h"

#define MAG52 UINT64_C(0x000fffffffffffff)

/* x with its sign bit flipped when bit 8 of u is set: no branch, as the
 * sign is a coin toss no predictor can learn. */
static inline double flip_sign(double x, uint64_t u)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    b ^= (u & 0x100) << 55;
    memcpy(&x, &b, sizeof x);
    return x;
}

/* Normal: bits 0-7 pick the layer, bit 8 the sign, bits 9-60 the magnitude
 * (52 bits). The whole loop, from the word at the stream's head; the fill
 * below tries the first test inline and comes here for the other 1%. */
static double normal_slow(kp__draws *d)
{
    for (;;) {
        uint64_t u = kp__draws_next64(d);
        unsigned idx = (unsigned)(u & 0xff);
        uint64_t rabs = (u >> 9) & MAG52;
        double x = (double)(int64_t)rabs * kp__zig_norm_w[idx];
        x = flip_sign(x, u);
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

/* The fills keep the stream position in registers and hand it back to d
 * only around the rare calls that move it. */
void kp__normal_fill(kp__draws *d, double *out, size_t n)
{
    size_t pos = d->pos, len = d->len;
    for (size_t i = 0; i < n; i++) {
        if (pos == len) {
            kp__draws_refill(d);
            pos = d->pos;
            len = d->len;
        }
        uint64_t u = d->buf[pos];
        unsigned idx = (unsigned)(u & 0xff);
        uint64_t rabs = (u >> 9) & MAG52;
        if (rabs < kp__zig_norm_k[idx]) {
            out[i] = flip_sign((double)(int64_t)rabs * kp__zig_norm_w[idx], u);
            pos++;
        } else {
            d->pos = pos;
            out[i] = normal_slow(d);
            pos = d->pos;
            len = d->len;
        }
    }
    d->pos = pos;
}

/* Exponential: the low 3 bits are dropped, bits 3-10 pick the layer, bits
 * 11-63 are the magnitude (53 bits). */
static double exponential_slow(kp__draws *d)
{
    for (;;) {
        uint64_t u = kp__draws_next64(d) >> 3;
        unsigned idx = (unsigned)(u & 0xff);
        uint64_t ri = u >> 8;
        double x = (double)(int64_t)ri * kp__zig_exp_w[idx];
        if (ri < kp__zig_exp_k[idx]) return x;
        /* The tail beyond R is R plus a fresh exponential (memorylessness). */
        if (idx == 0) return kp__zig_exp_r - log1p(-kp__u64_to_double(kp__draws_next64(d)));
        double f0 = kp__zig_exp_f[idx - 1], f1 = kp__zig_exp_f[idx];
        if ((f0 - f1) * kp__u64_to_double(kp__draws_next64(d)) + f1 < exp(-x)) return x;
    }
}

void kp__exponential_fill(kp__draws *d, double *out, size_t n)
{
    size_t pos = d->pos, len = d->len;
    for (size_t i = 0; i < n; i++) {
        if (pos == len) {
            kp__draws_refill(d);
            pos = d->pos;
            len = d->len;
        }
        uint64_t u = d->buf[pos] >> 3;
        unsigned idx = (unsigned)(u & 0xff);
        uint64_t ri = u >> 8;
        if (ri < kp__zig_exp_k[idx]) {
            out[i] = (double)(int64_t)ri * kp__zig_exp_w[idx];
            pos++;
        } else {
            d->pos = pos;
            out[i] = exponential_slow(d);
            pos = d->pos;
            len = d->len;
        }
    }
    d->pos = pos;
}

/* Lemire's nearly divisionless method (ACM TOMS 2019) on numpy's paths
 * (KP__LEMIRE). numpy computes the rejection threshold t = 2**k mod s only
 * after a first product below s; t < s, so testing against t from the start
 * accepts and rejects the same draws, and the fixed span of a fill lets t
 * be computed once. Each loop below takes one path. */
/* One value through next32, the pending half-word included. */
static int64_t lemire32_one(kp__draws *d, uint64_t off, uint32_t s, uint32_t t)
{
    uint64_t m = (uint64_t)kp__draws_next32(d) * s;
    while ((uint32_t)m < t)
        m = (uint64_t)kp__draws_next32(d) * s;
    return (int64_t)(off + (m >> 32));
}

static void integers32(kp__draws *d, uint64_t off, uint32_t s, int64_t *out, size_t n)
{
    const uint32_t t = (uint32_t)(-s) % s;
    const int avx512 = kp__isa_selected() == KP_ISA_AVX512;
    size_t i = 0;
    while (i < n) {
        /* A pending half-word goes first, through the general path. */
        if (d->has32 || n - i < 2) {
            out[i++] = lemire32_one(d, off, s, t);
            continue;
        }
#if defined(__x86_64__)
        if (avx512 && d->len - d->pos >= 8 && n - i >= 16) {
            size_t made, used = kp__lemire32_avx512(d->buf + d->pos, d->len - d->pos, off, s, t,
                                                    out + i, n - i, &made);
            d->pos += used;
            i += made;
            d->half32 = (uint32_t)(d->buf[d->pos - 1] >> 32); /* numpy's stale uinteger */
            continue;
        }
#endif
        /* Two values from the two halves of one word, low half first. */
        uint64_t w = kp__draws_next64(d);
        uint64_t m0 = (uint64_t)(uint32_t)w * s, m1 = (w >> 32) * s;
        if ((uint32_t)m0 < t || (uint32_t)m1 < t) {
            /* A rejection (rare): replay the word through the general path. */
            d->pos--;
            out[i++] = lemire32_one(d, off, s, t);
            continue;
        }
        out[i] = (int64_t)(off + (m0 >> 32));
        out[i + 1] = (int64_t)(off + (m1 >> 32));
        i += 2;
        d->half32 = (uint32_t)(w >> 32); /* taken, but kept: numpy's stale uinteger */
    }
}

/* The stream position lives in locals: a store through out (int64_t) may
 * alias the buffer (uint64_t) and its indices, so the compiler would reload
 * them for every value. */
static void integers64(kp__draws *d, uint64_t off, uint64_t s, int64_t *out, size_t n)
{
    const uint64_t t = (-s) % s;
    const int avx512 = kp__isa_selected() == KP_ISA_AVX512;
    size_t pos = d->pos, len = d->len, i = 0;
    while (i < n) {
        if (pos == len) {
            d->pos = pos;
            kp__draws_refill(d);
            pos = d->pos;
            len = d->len;
        }
#if defined(__x86_64__)
        if (avx512 && len - pos >= 8 && n - i >= 8) {
            size_t made;
            pos += kp__lemire64_avx512(d->buf + pos, len - pos, off, s, t, out + i, n - i, &made);
            i += made;
            continue;
        }
#endif
        kp__u128 m = (kp__u128)d->buf[pos++] * s;
        if (kp__lo64(m) >= t) out[i++] = (int64_t)(off + kp__hi64(m));
    }
    d->pos = pos;
}

void kp__integers_fill(kp__draws *d, uint64_t off, uint64_t span, int64_t *out, size_t n)
{
    if (span == 0) {
        for (size_t i = 0; i < n; i++)
            out[i] = (int64_t)off;
    } else if (span < 0xFFFFFFFFu) {
        integers32(d, off, (uint32_t)span + 1, out, n);
    } else if (span < UINT64_MAX && span > 0xFFFFFFFFu) {
        integers64(d, off, span + 1, out, n);
    } else {
        /* 2**32 or 2**64 values: the draw itself */
        for (size_t i = 0; i < n; i++)
            KP__LEMIRE(d, kp__draws_next32, kp__draws_next64, off, span, out[i]);
    }
}
