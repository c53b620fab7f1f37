/*
 * The radices of a line in pass order, and the cost model that chooses
 * between mixed radix and Bluestein's algorithm for lengths with a prime
 * that has no butterfly of its own.
 */
#include <stdint.h>

#include "kernels/fft/fft.h"
#include "sched/internal.h"

/* The passes of the powers of two 2^7 .. 2^15, each timed against the rule
 * below (one thread, Zen 4, AVX-512). Each pass reads P points ido apart and
 * writes P outputs n / P apart. A radix-16 last pass (a 4 x 4 butterfly over
 * whole rows) saves a pass where the strides are short: 2^7 as 8 16 1.18x
 * faster than 4 4 8, 2^10 as 8 8 16 1.06x, 2^11 as 4 4 8 16 1.16x. From 2^13
 * points a radix-8 pass's eight outputs (64 KiB and more apart) share one
 * set of the 8-way level-1 cache, with its inputs where ido is large, and
 * radix-4 first passes run faster although they make more passes: 2^13
 * 1.11x, 2^14 1.10x, 2^15 1.19x. 2^8, 2^9 and 2^12 keep the rule's passes
 * (4 4 16, 4 8 16 no faster; 4 4 4 8 8 1.17x slower at 2^12). With 16 vector
 * registers (AVX2; the portable code's scalars) a 16-point butterfly spills:
 * 1.3-1.4x slower with AVX2 at 2^7 and 2^10, so there the rule's passes stay
 * up to 2^12, and 2^15 takes six 4s (1.6x and, portable, 1.9x faster than
 * five 8s). From 2^16, where lines are shared by the threads, the rule's
 * passes split better: radix-4 first passes ran 1.35x slower at 2 workers
 * (2^15 may be shared too, where the steps measure that it pays; not with
 * a radix-16 pass: kp__fft_shareable).
 * A level-1 cache of 12 ways or more (Zen 5: 48 KiB, 12 ways) holds a
 * radix-8 pass's sets: there (AVX-512, one thread) 2^13 as 4 4 8 8 8 ran
 * 1.10x and 2^15 as five 8s 1.16x faster than the 8-way choices (r2c of
 * 2^16, whose complex line is 2^15, 1.2x); 2^14 keeps its passes (4 8 8 8 8
 * 1.05x slower). */
#define POW2_FIRST_LOG 7
#define POW2_FIRST     ((size_t)1 << POW2_FIRST_LOG)
#define POW2_LAST      ((size_t)1 << 15)
static const struct {
    unsigned char wide[8];   /* AVX-512: 32 vector registers */
    unsigned char narrow[8]; /* AVX2 and portable: 16 */
    unsigned char ways12[8]; /* AVX-512, level-1 cache of 12 ways or more; empty: as wide */
} pow2_radices[] = {
    {{8, 16}, {4, 4, 8}, {0}},                                     /* 2^7 */
    {{4, 8, 8}, {4, 8, 8}, {0}},                                   /* 2^8 */
    {{8, 8, 8}, {8, 8, 8}, {0}},                                   /* 2^9 */
    {{8, 8, 16}, {4, 4, 8, 8}, {0}},                               /* 2^10 */
    {{4, 4, 8, 16}, {4, 8, 8, 8}, {0}},                            /* 2^11 */
    {{8, 8, 8, 8}, {8, 8, 8, 8}, {0}},                             /* 2^12 */
    {{4, 4, 4, 4, 4, 8}, {4, 4, 4, 4, 4, 8}, {4, 4, 8, 8, 8}},     /* 2^13 */
    {{4, 4, 4, 4, 8, 8}, {4, 4, 4, 4, 8, 8}, {0}},                 /* 2^14 */
    {{4, 4, 4, 4, 8, 16}, {4, 4, 4, 4, 4, 4, 8}, {8, 8, 8, 8, 8}}, /* 2^15 */
};

/* The row's radices for the selected instruction set and, with AVX-512,
 * the level-1 cache's ways. */
static const unsigned char *pow2_row(size_t row)
{
    if (kp__isa_selected() != KP_ISA_AVX512) return pow2_radices[row].narrow;
    if (pow2_radices[row].ways12[0] != 0 && kp__cache_get()->l1d_ways >= 12)
        return pow2_radices[row].ways12;
    return pow2_radices[row].wide;
}

/* Radices in pass order: one 4, or two (for 2 * 8), or a 2 for what 8s
 * leave of the power of two, then the 8s; a 3 for what 9s leave of the
 * power of three, then the 9s (half the passes of 3s: each pass reads and
 * writes every point); a 10 for each pair of a 2 and a 5 (taken from the
 * twos before the 8s: never more passes, and fewer where they leave fewer
 * 8s); the 5s left; then the other odd primes ascending (7, 11 and 13
 * have butterflies of their own; larger primes go through the generic
 * one). The small radix goes first so that only the last passes have short
 * inner loops. Powers of two from 2^7 to 2^15 take pow2_radices instead.
 * Returns the count. */
int kp__fft_factorize(size_t n, size_t p[KP__FFT_MAX_PASSES])
{
    int np = 0, twos = 0, fives = 0;
    if ((n & (n - 1)) == 0 && n >= POW2_FIRST && n <= POW2_LAST) {
        const size_t row = (size_t)__builtin_ctzll(n) - POW2_FIRST_LOG;
        const unsigned char *r = pow2_row(row);
        while (np < 8 && r[np] != 0) {
            p[np] = r[np];
            np++;
        }
        return np;
    }
    for (; n % 2 == 0; n /= 2)
        twos++;
    for (; n % 5 == 0; n /= 5)
        fives++;
    const int tens = twos < fives ? twos : fives;
    twos -= tens;
    fives -= tens;
    int eights = twos / 3;
    if (twos % 3 == 2) {
        p[np++] = 4;
    } else if (twos % 3 == 1 && eights > 0) { /* 2 * 8 as 4 * 4: no short radix-2 pass */
        p[np++] = 4;
        p[np++] = 4;
        eights--;
    } else if (twos % 3 == 1) {
        p[np++] = 2;
    }
    for (int e = 0; e < eights; e++)
        p[np++] = 8;
    int threes = 0;
    for (; n % 3 == 0; n /= 3)
        threes++;
    if (threes % 2 == 1) p[np++] = 3;
    for (int e = 0; e < threes / 2; e++)
        p[np++] = 9;
    for (int e = 0; e < tens; e++)
        p[np++] = 10;
    for (int e = 0; e < fives; e++)
        p[np++] = 5;
    for (size_t q = 7; q * q <= n; q += 2)
        while (n % q == 0) {
            p[np++] = q;
            n /= q;
        }
    if (n > 1) p[np++] = n;
    return np;
}

/* The largest radix the generic butterfly takes; above it Bluestein is
 * cheaper by far anyway. */
#define MAX_GENERIC 1024

/* Work per point of one pass, in rough flops plus a memory term: the
 * butterfly's operations over p points, 6 (p - 1) / p for the twiddle
 * product, 4 for reading and writing the point. 11 and 13 keep the rating
 * 2 p + 10 of an earlier model of the generic radix, near that of their own
 * butterflies (about 28 and 32). */
static double pass_cost(size_t p)
{
    switch (p) {
    case 2: return 9;
    case 3: return 13.3;
    case 4: return 12.5;
    case 5: return 16.8;
    case 7: return 20.5;
    case 8: return 18.3;
    case 9: return 22;
    case 10: return 19.5;
    case 16: return 22;
    default: return 2.0 * (double)p + 10;
    }
}

/* The generic radix p (a prime from 17) in units of pass_cost: a point
 * costs 1.25 p + 10 through the vector pass (simd_passes.c, primes to
 * KP__FFT_VEC_GENERIC_MAX) and 8 p + 10 through passes.c's, which reloads
 * its inputs for every output; as the last pass over l1 < 4 butterflies the
 * vector pass leaves lanes idle, 4 / l1 times the cost (VLEN complex
 * doubles with AVX-512). Fitted to the times of c2c lines p m against
 * Bluestein's (p from 17 to 1021, m from 1 to 16384; one thread, Zen 5). */
static double generic_cost(size_t p, size_t l1)
{
    if (kp__isa_selected() == KP_ISA_PORTABLE || p > KP__FFT_VEC_GENERIC_MAX)
        return 8.0 * (double)p + 10;
    return (1.25 * (double)p + 10) * (l1 < 4 ? 4.0 / (double)l1 : 1.0);
}

/* Relative cost, arbitrary units, of one line of length n by mixed radix. */
static double mixed_cost(size_t n)
{
    size_t p[KP__FFT_MAX_PASSES];
    int np = kp__fft_factorize(n, p);
    double c = 0;
    for (int s = 0; s < np; s++) /* only the last pass (l1 = n / p) leaves lanes idle */
        c += kp__fft_butterfly(p[s]) ? pass_cost(p[s])
                                     : generic_cost(p[s], s == np - 1 ? n / p[s] : SIZE_MAX);
    return c * (double)n;
}

/* The cheapest 7-smooth m >= need, and its mixed-radix cost. Every power of
 * two is 7-smooth, so the search ends by the next power of two. */
static size_t smooth_at_least(size_t need, double *cost)
{
    size_t best = 0;
    double best_cost = 0;
    size_t top = 1;
    while (top < need)
        top *= 2;
    for (size_t a = 1; a <= top; a *= 7)
        for (size_t b = a; b <= top; b *= 5)
            for (size_t c = b; c <= top; c *= 3)
                for (size_t m = c; m <= top; m *= 2)
                    if (m >= need) {
                        double cm = mixed_cost(m);
                        if (best == 0 || cm < best_cost) {
                            best = m;
                            best_cost = cm;
                        }
                        break; /* larger multiples of 2 cost more */
                    }
    *cost = best_cost;
    return best;
}

size_t kp__fft_bluestein_length(size_t n)
{
    size_t p[KP__FFT_MAX_PASSES];
    int np = kp__fft_factorize(n, p);
    size_t largest = np > 0 ? p[np - 1] : 1; /* a prime from 17, if any, is the last */
    if (kp__fft_butterfly(largest)) return 0;
    double cb;
    size_t m = smooth_at_least(2 * n - 1, &cb);
    cb = 2 * cb + 8.0 * (double)m + 16.0 * (double)n;
    return cb >= mixed_cost(n) && largest <= MAX_GENERIC ? 0 : m;
}
