/*
 * rng/ internals: 128-bit arithmetic, the three bit generators' steps, a
 * buffered source of draws for the fills, and the ziggurat tables.
 *
 * The public kp_rng keeps its 128-bit PCG words as (hi, lo) pairs so that the
 * header needs no compiler extension; the hot loops load them into
 * unsigned __int128 and store them back.
 */
#ifndef KP_RNG_RNG_H
#define KP_RNG_RNG_H

#include <stddef.h>
#include <stdint.h>

#include "kernpool.h"

#ifndef __SIZEOF_INT128__
#error "kernpool's generators need a compiler with unsigned __int128 (GCC or Clang, 64-bit)"
#endif

__extension__ typedef unsigned __int128 kp__u128;

static inline kp__u128 kp__u128_make(uint64_t hi, uint64_t lo)
{
    return (kp__u128)hi << 64 | lo;
}
static inline uint64_t kp__hi64(kp__u128 x)
{
    return (uint64_t)(x >> 64);
}
static inline uint64_t kp__lo64(kp__u128 x)
{
    return (uint64_t)x;
}

/* numpy/random/src/pcg64/pcg64.h: PCG_DEFAULT_MULTIPLIER_128, the cheap
 * multiplier of the DXSM variant, and the jump of jumped(), an odd number
 * near 2**128 / phi (numpy's literal, not floor((phi - 1) 2**128)). */
#define KP__PCG_MULT      kp__u128_make(0x2360ED051FC65DA4u, 0x4385DF649FCCF645u)
#define KP__PCG_CHEAP     UINT64_C(0xDA942042E4DD58B5)
#define KP__PCG_JUMP      kp__u128_make(0x9E3779B97F4A7C15u, 0xF39CC0605CEDC835u)
#define KP__PHILOX_BLOCKS 4 /* 64-bit words per Philox counter block */

/* PCG XSL-RR 128/64 output of a state (numpy's PCG64 outputs the state after
 * its step): xor the halves, rotate right by the top 6 bits. */
static inline uint64_t kp__xsl_rr(kp__u128 s)
{
    uint64_t x = kp__hi64(s) ^ kp__lo64(s);
    unsigned r = (unsigned)(s >> 122);
    return (x >> r) | (x << ((64 - r) & 63));
}

/* PCG DXSM output of a state (numpy's PCG64DXSM outputs the state before
 * its step; O'Neill, pcg-cpp dxsm_mixin). */
static inline uint64_t kp__dxsm(kp__u128 s)
{
    uint64_t hi = kp__hi64(s), lo = kp__lo64(s) | 1;
    hi ^= hi >> 32;
    hi *= KP__PCG_CHEAP;
    hi ^= hi >> 48;
    return hi * lo;
}

/* Philox4x64-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2,
 * 3", SC 2011; the multipliers and Weyl key increments are theirs): out =
 * the encryption of ctr under key. */
void kp__philox_block(const uint64_t ctr[4], const uint64_t key[2], uint64_t out[4]);

/* ctr += delta (256 bits, least significant word first) with carry. */
void kp__philox_add(uint64_t ctr[4], const uint64_t delta[4]);

/* Moves g by k 64-bit draws, exactly as k calls of kp_rng_next64 would (the
 * pending half-word is kept), in O(log k). */
void kp__rng_skip(kp_rng *g, uint64_t k);

/* n next64 draws into out, g moved past them: the fast path behind every
 * fill. */
void kp__rng_raw(kp_rng *g, size_t n, uint64_t *out);
/* How a PCG lane kernel writes each draw w: w itself, next_double, or
 * low + range * next_double. */
enum { KP__AS_RAW, KP__AS_DOUBLE, KP__AS_UNIFORM };

/* The first n - n % 16 draws of a PCG generator (state *s, multiplier a,
 * increment c; dxsm_output selects DXSM's output and its step-before-output
 * order) made 16 lanes at a time with AVX-512, written as conv says to
 * out[0 ..]; *s moves past them. Returns how many draws it made. Only on
 * x86-64, and only when the CPU and KERNPOOL_ISA allow AVX-512. */
size_t kp__pcg_lanes_avx512(int dxsm_output, kp__u128 *s, kp__u128 a, kp__u128 c, size_t n,
                            int conv, void *out, double low, double range);

/* The integer paths on words[0 .. nw) with AVX-512 (rng/lemire_avx512.c):
 * the values off + (h * s >> 32) of the accepted (h * s mod 2**32 >= t)
 * 32-bit halves h, each word's low half first, or off + (w * s >> 64) of the
 * accepted 64-bit words w, into out[0 ..], in groups of eight words while
 * out has room for a whole group's values (n - *made >= 16 or 8). Sets *made
 * to the values written and returns the words used (a multiple of 8). */
size_t kp__lemire32_avx512(const uint64_t *words, size_t nw, uint64_t off, uint32_t s, uint32_t t,
                           int64_t *out, size_t n, size_t *made);
size_t kp__lemire64_avx512(const uint64_t *words, size_t nw, uint64_t off, uint64_t s, uint64_t t,
                           int64_t *out, size_t n, size_t *made);

/* The same draws as doubles: next_double, and low + range * next_double. */
void kp__rng_doubles(kp_rng *g, size_t n, double *out);
void kp__rng_uniform(kp_rng *g, double low, double range, size_t n, double *out);

/* A buffered stream of draws over a copy of a generator, for the rejection
 * samplers: consumers take 64-bit words (next64) and 32-bit halves (next32,
 * with numpy's pending half-word) in exactly the order scalar calls would.
 * kp__draws_finish() turns the copy into the generator state after the words
 * consumed, so buffering ahead costs nothing in stream position. */
#define KP__DRAWS_BUF 256
typedef struct kp__draws {
    size_t pos, len;   /* next word in buf, words in buf */
    uint64_t buffered; /* words taken from the generator into buf so far */
    uint32_t has32;    /* pending upper half-word, as kp_rng.has_uint32 */
    uint32_t half32;   /* its value (stale once taken, as in numpy) */
    kp_rng start;      /* where the stream began */
    kp_rng ahead;      /* past every buffered word */
    uint64_t buf[KP__DRAWS_BUF];
} kp__draws;

void kp__draws_begin(kp__draws *d, const kp_rng *g);
void kp__draws_refill(kp__draws *d);
void kp__draws_finish(const kp__draws *d, kp_rng *g);

static inline uint64_t kp__draws_next64(kp__draws *d)
{
    if (d->pos == d->len) kp__draws_refill(d);
    return d->buf[d->pos++];
}

static inline uint32_t kp__draws_next32(kp__draws *d)
{
    if (d->has32) {
        d->has32 = 0;
        return d->half32;
    }
    uint64_t w = kp__draws_next64(d);
    d->has32 = 1;
    d->half32 = (uint32_t)(w >> 32);
    return (uint32_t)w;
}

/* (w >> 11) * 2**-53: numpy's next_double, exact. */
static inline double kp__u64_to_double(uint64_t w)
{
    return (double)(int64_t)(w >> 11) * 0x1.0p-53; /* signed: one instruction */
}

/* One value of integers in [off, off + rng] (rng = high - low - 1, as
 * uint64), numpy's Lemire paths (numpy/random/src/distributions/
 * distributions.c, random_bounded_uint64 with use_masked = 0): D is a
 * kp__draws or a kp_rng, NEXT32 and NEXT64 its draw functions. */
#define KP__LEMIRE(D, NEXT32, NEXT64, off, rng, result)                                            \
    do {                                                                                           \
        uint64_t kp__v;                                                                            \
        if ((rng) == 0) {                                                                          \
            kp__v = 0;                                                                             \
        } else if ((rng) < 0xFFFFFFFFu) {                                                          \
            uint32_t kp__s = (uint32_t)(rng) + 1;                                                  \
            uint64_t kp__m = (uint64_t)NEXT32(D) * kp__s;                                          \
            if ((uint32_t)kp__m < kp__s) {                                                         \
                uint32_t kp__t = (uint32_t)(-kp__s) % kp__s;                                       \
                while ((uint32_t)kp__m < kp__t)                                                    \
                    kp__m = (uint64_t)NEXT32(D) * kp__s;                                           \
            }                                                                                      \
            kp__v = kp__m >> 32;                                                                   \
        } else if ((rng) == 0xFFFFFFFFu) {                                                         \
            kp__v = NEXT32(D);                                                                     \
        } else if ((rng) == UINT64_MAX) {                                                          \
            kp__v = NEXT64(D);                                                                     \
        } else {                                                                                   \
            uint64_t kp__s = (rng) + 1;                                                            \
            kp__u128 kp__m = (kp__u128)NEXT64(D) * kp__s;                                          \
            if (kp__lo64(kp__m) < kp__s) {                                                         \
                uint64_t kp__t = (-kp__s) % kp__s;                                                 \
                while (kp__lo64(kp__m) < kp__t)                                                    \
                    kp__m = (kp__u128)NEXT64(D) * kp__s;                                           \
            }                                                                                      \
            kp__v = kp__hi64(kp__m);                                                               \
        }                                                                                          \
        (result) = (int64_t)((off) + kp__v);                                                       \
    } while (0)

/* Ziggurat tables (rng/ziggurat_tables.c, written by rng/gen_ziggurat.py):
 * 256 layers each. Normal: k < 2**52, w, f and the base-strip radius R;
 * exponential: k < 2**53. See rng/distributions.c for their use. */
extern const uint64_t kp__zig_norm_k[256];
extern const double kp__zig_norm_w[256];
extern const double kp__zig_norm_f[256];
extern const double kp__zig_norm_r, kp__zig_norm_rinv;
extern const uint64_t kp__zig_exp_k[256];
extern const double kp__zig_exp_w[256];
extern const double kp__zig_exp_f[256];
extern const double kp__zig_exp_r;

/* The rejection samplers' fills: n values from the stream d, one after
 * another (rng/distributions.c). */
void kp__integers_fill(kp__draws *d, uint64_t off, uint64_t span, int64_t *out, size_t n);
void kp__normal_fill(kp__draws *d, double *out, size_t n);
void kp__exponential_fill(kp__draws *d, double *out, size_t n);

#endif
