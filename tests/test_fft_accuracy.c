/*
 * FFT accuracy against a direct DFT in long double, and roundtrips.
 *
 * The error of a transform is the relative RMS error
 *     sqrt(sum |X_k - R_k|^2) / sqrt(sum |R_k|^2)
 * against the reference R, and must stay below C_BOUND eps log2(n) (log2 n
 * at least 1; eps of the precision). An FFT's RMS error grows like
 * eps sqrt(log2 n) for mixed radix, a little faster through Bluestein's
 * three transforms; C_BOUND = 1 leaves room for both while still failing
 * on any wrong twiddle or butterfly, which gives errors near 1. A roundtrip
 * is two transforms and gets twice the bound. An output scaled by 1/n
 * (norm backward, backward) gets eps more: 1/n and the product are each
 * rounded to half an ulp, which the passes' term does not count (at n = 3
 * it is 1.58 eps, and scaled outputs reached 1.72 eps).
 *
 * The reference: R_k = sum_j x_j exp(-+2 pi i (jk mod n) / n), the root
 * taken from cosl/sinl of the reduced angle, summed in long double.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernpool.h"

#define C_BOUND 1.0

#ifdef KP_FFT_SMALL /* sanitizer builds: the same checks on fewer sizes */
#define ROUNDTRIP_ALL 1024
#else
#define ROUNDTRIP_ALL 4096
#endif

#define RNG_SEED 0x9E3779B97F4A7C15u
static uint64_t rng_state = RNG_SEED;

/* Each test draws its data from the start of the stream: sizes added to
 * one test do not change another's inputs. */
static int reseed(void **state)
{
    (void)state;
    rng_state = RNG_SEED;
    return 0;
}

/* Uniform in [-1, 1) (splitmix64). */
static double uniform(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-52 - 1.0;
}

static double eps_of(kp_fft_precision p)
{
    return p == KP_FFT_FLOAT ? 0x1.0p-24 : 0x1.0p-53;
}

static double bound(size_t n, kp_fft_precision p)
{
    double l = n > 2 ? log2((double)n) : 1.0;
    return C_BOUND * eps_of(p) * l;
}

/* x (n complex, long double pairs) to X, sign -1 forward. */
static void dft(size_t n, const long double *x, long double *X, int sign)
{
    long double *c = malloc(n * sizeof *c), *s = malloc(n * sizeof *s);
    assert_non_null(c);
    assert_non_null(s);
    const long double two_pi = 6.283185307179586476925286766559005768L;
    for (size_t r = 0; r < n; r++) {
        c[r] = cosl(two_pi * (long double)r / (long double)n);
        s[r] = sign * sinl(two_pi * (long double)r / (long double)n);
    }
    for (size_t k = 0; k < n; k++) {
        long double re = 0, im = 0;
        size_t r = 0; /* j k mod n */
        for (size_t j = 0; j < n; j++) {
            re += x[2 * j] * c[r] - x[2 * j + 1] * s[r];
            im += x[2 * j] * s[r] + x[2 * j + 1] * c[r];
            r += k;
            if (r >= n) r -= n;
        }
        X[2 * k] = re;
        X[2 * k + 1] = im;
    }
    free(c);
    free(s);
}

/* Relative RMS error of m complex values (got in the plan's precision). */
static double rms_error(size_t m, const void *got, kp_fft_precision p, const long double *ref)
{
    long double num = 0, den = 0;
    for (size_t i = 0; i < 2 * m; i++) {
        long double g = p == KP_FFT_FLOAT ? ((const float *)got)[i] : ((const double *)got)[i];
        num += (g - ref[i]) * (g - ref[i]);
        den += ref[i] * ref[i];
    }
    return den > 0 ? (double)sqrtl(num / den) : (double)sqrtl(num);
}

static void *alloc_values(size_t count, kp_fft_precision p, const long double *from)
{
    size_t es = p == KP_FFT_FLOAT ? sizeof(float) : sizeof(double);
    void *v = malloc(count * es + 1);
    assert_non_null(v);
    for (size_t i = 0; i < count; i++) {
        if (p == KP_FFT_FLOAT)
            ((float *)v)[i] = (float)from[i];
        else
            ((double *)v)[i] = (double)from[i];
    }
    return v;
}

/* Random input as the precision holds it, also in long double. */
static long double *random_input(size_t count, kp_fft_precision p)
{
    long double *x = malloc(count * sizeof *x + 1);
    assert_non_null(x);
    for (size_t i = 0; i < count; i++)
        x[i] = p == KP_FFT_FLOAT ? (long double)(float)uniform() : (long double)uniform();
    return x;
}

static double worst_ratio; /* the largest error / bound seen, reported */

/* transforms: 1 for one transform, 2 for a roundtrip (the errors add) */
static void check(const char *what, size_t n, kp_fft_precision p, int transforms, int scaled,
                  double err)
{
    double b = transforms * bound(n, p) + (scaled ? eps_of(p) : 0);
    if (err / b > worst_ratio) worst_ratio = err / b;
    if (!(err <= b)) {
        fprintf(stderr, "%s n=%zu %s: error %.3g above bound %.3g\n", what, n,
                p == KP_FFT_FLOAT ? "float" : "double", err, b);
        fail();
    }
}

static void c2c_case(size_t n, kp_fft_precision p, int direction)
{
    long double *x = random_input(2 * n, p), *ref = malloc(2 * n * sizeof *ref);
    assert_non_null(ref);
    dft(n, x, ref, direction);
    void *in = alloc_values(2 * n, p, x), *out = alloc_values(2 * n, p, x);
    kp_fft_plan *plan;
    kp_fft_dim d = {n, 1, 1};
    assert_int_equal(
        kp_fft_plan_make(&plan, KP_FFT_C2C, p, direction, KP_FFT_NORM_BACKWARD, 1, &d, 0, NULL),
        KP_OK);
    assert_int_equal(kp_fft_plan_execute(plan, in, out, 1), KP_OK);
    if (direction == KP_FFT_BACKWARD) /* the reference is unscaled */
        for (size_t i = 0; i < 2 * n; i++)
            ref[i] /= (long double)n;
    check(direction == KP_FFT_FORWARD ? "c2c forward" : "c2c backward", n, p, 1,
          direction == KP_FFT_BACKWARD, rms_error(n, out, p, ref));
    kp_fft_plan_destroy(plan);
    free(in);
    free(out);
    free(x);
    free(ref);
}

/* A batch of lines of n, each against its own reference, unscaled both
 * ways (short lines of a batch run in vector lanes: line.c; the scaling is
 * in test_fft_props.c's bits). The count is no multiple of any vector's
 * lanes. */
#define BATCH_LINES 7

static void batch_case(size_t n, kp_fft_precision p, int direction)
{
    const size_t m = BATCH_LINES * n;
    long double *x = random_input(2 * m, p), *ref = malloc(2 * m * sizeof *ref);
    assert_non_null(ref);
    for (size_t l = 0; l < BATCH_LINES; l++)
        dft(n, x + 2 * l * n, ref + 2 * l * n, direction);
    void *in = alloc_values(2 * m, p, x), *out = alloc_values(2 * m, p, x);
    kp_fft_plan *plan;
    kp_fft_dim d = {n, 1, 1}, b = {BATCH_LINES, (ptrdiff_t)n, (ptrdiff_t)n};
    assert_int_equal(
        kp_fft_plan_make(&plan, KP_FFT_C2C, p, direction,
                         direction == KP_FFT_FORWARD ? KP_FFT_NORM_BACKWARD : KP_FFT_NORM_FORWARD,
                         1, &d, 1, &b),
        KP_OK);
    assert_int_equal(kp_fft_plan_execute(plan, in, out, 1), KP_OK);
    const size_t es = p == KP_FFT_FLOAT ? 2 * sizeof(float) : 2 * sizeof(double);
    for (size_t l = 0; l < BATCH_LINES; l++)
        check(direction == KP_FFT_FORWARD ? "batch forward" : "batch backward", n, p, 1, 0,
              rms_error(n, (char *)out + l * n * es, p, ref + 2 * l * n));
    kp_fft_plan_destroy(plan);
    free(in);
    free(out);
    free(x);
    free(ref);
}

/* r2c of `lines` real lines of n one after another (a batch when lines >
 * 1: even lengths run their complex lines in vector lanes), each against
 * its own reference. */
static void r2c_lines(size_t n, kp_fft_precision p, size_t lines)
{
    const size_t h = n / 2 + 1, es = p == KP_FFT_FLOAT ? 2 * sizeof(float) : 2 * sizeof(double);
    long double *x = random_input(n * lines, p), *xc = calloc(2 * n, sizeof *xc);
    long double *ref = malloc(2 * n * sizeof *ref);
    assert_non_null(xc);
    assert_non_null(ref);
    void *in = alloc_values(n * lines, p, x), *out = malloc(h * lines * es);
    assert_non_null(out);
    kp_fft_plan *plan;
    kp_fft_dim d = {n, 1, 1}, b = {lines, (ptrdiff_t)n, (ptrdiff_t)h};
    assert_int_equal(
        kp_fft_plan_make(&plan, KP_FFT_R2C, p, KP_FFT_FORWARD, KP_FFT_NORM_BACKWARD, 1, &d, 1, &b),
        KP_OK);
    assert_int_equal(kp_fft_plan_execute(plan, in, out, 1), KP_OK);
    for (size_t l = 0; l < lines; l++) {
        for (size_t j = 0; j < n; j++)
            xc[2 * j] = x[l * n + j];
        dft(n, xc, ref, -1);
        check(lines > 1 ? "r2c batch" : "r2c", n, p, 1, 0,
              rms_error(h, (char *)out + l * h * es, p, ref));
    }
    kp_fft_plan_destroy(plan);
    free(in);
    free(out);
    free(x);
    free(xc);
    free(ref);
}

static void r2c_case(size_t n, kp_fft_precision p)
{
    r2c_lines(n, p, 1);
}

/* c2r of `lines` random half spectra: the reference extends each
 * Hermitian (the imaginary parts of X_0 and X_n/2 dropped, as numpy's
 * irfft) and transforms back in long double. One line is scaled by 1/n
 * (norm backward), a batch not (norm forward), as batch_case. */
static void c2r_lines(size_t n, kp_fft_precision p, size_t lines)
{
    const kp_fft_norm norm = lines > 1 ? KP_FFT_NORM_FORWARD : KP_FFT_NORM_BACKWARD;
    const size_t h = n / 2 + 1, rs = p == KP_FFT_FLOAT ? sizeof(float) : sizeof(double);
    long double *X = random_input(2 * h * lines, p), *full = calloc(2 * n, sizeof *full);
    long double *ref = malloc(2 * n * sizeof *ref), *refr = malloc(2 * n * sizeof *refr);
    assert_non_null(full);
    assert_non_null(ref);
    assert_non_null(refr);
    void *in = alloc_values(2 * h * lines, p, X), *out = malloc(n * lines * rs);
    void *outc = malloc(2 * n * rs);
    assert_non_null(out);
    assert_non_null(outc);
    kp_fft_plan *plan;
    kp_fft_dim d = {n, 1, 1}, b = {lines, (ptrdiff_t)h, (ptrdiff_t)n};
    assert_int_equal(kp_fft_plan_make(&plan, KP_FFT_C2R, p, KP_FFT_BACKWARD, norm, 1, &d, 1, &b),
                     KP_OK);
    assert_int_equal(kp_fft_plan_execute(plan, in, out, 1), KP_OK);
    for (size_t l = 0; l < lines; l++) {
        const long double *Xl = X + 2 * h * l;
        full[0] = Xl[0];
        full[1] = 0;
        for (size_t k = 1; k < h; k++) {
            full[2 * k] = Xl[2 * k];
            full[2 * k + 1] = (n % 2 == 0 && k == n / 2) ? 0 : Xl[2 * k + 1];
            full[2 * (n - k)] = full[2 * k];
            full[2 * (n - k) + 1] = -full[2 * k + 1];
        }
        dft(n, full, ref, 1);
        for (size_t j = 0; j < n; j++) { /* real parts, as pairs with zero imaginary */
            refr[2 * j] = norm == KP_FFT_NORM_BACKWARD ? ref[2 * j] / (long double)n : ref[2 * j];
            refr[2 * j + 1] = 0;
        }
        for (size_t j = 0; j < n; j++) { /* widen the real output to pairs */
            const char *o = (const char *)out + (l * n + j) * rs;
            if (p == KP_FFT_FLOAT) {
                ((float *)outc)[2 * j] = *(const float *)(const void *)o;
                ((float *)outc)[2 * j + 1] = 0;
            } else {
                ((double *)outc)[2 * j] = *(const double *)(const void *)o;
                ((double *)outc)[2 * j + 1] = 0;
            }
        }
        check(lines > 1 ? "c2r batch" : "c2r", n, p, 1, norm == KP_FFT_NORM_BACKWARD,
              rms_error(n, outc, p, refr));
    }
    kp_fft_plan_destroy(plan);
    free(in);
    free(out);
    free(outc);
    free(X);
    free(full);
    free(ref);
    free(refr);
}

static void c2r_case(size_t n, kp_fft_precision p)
{
    c2r_lines(n, p, 1);
}

/* Every n <= 256, then lengths of each kind: powers of 2, 3, 5, 7, mixed,
 * primes small enough for the generic butterfly and large enough for
 * Bluestein (263, the first prime above the vector passes' generic one),
 * products with a large prime, and products of generic radices (323 = 17
 * 19, 1292 = 4 17 19, 4199 = 13 17 19: the vector passes' generic
 * butterfly over i and over k; 2056 = 8 257, the largest prime it takes). */
static const size_t larger[] = {257,  263,  323,  343,  500,  509,  625,  729,
                                961,  997,  1000, 1009, 1024, 1155, 1292, 1536,
                                2048, 2056, 2187, 2401, 3125, 4096, 4199};

static void each_size(void (*fn)(size_t, kp_fft_precision), kp_fft_precision p)
{
    for (size_t n = 1; n <= 256; n++)
        fn(n, p);
    for (size_t i = 0; i < sizeof larger / sizeof *larger; i++)
        fn(larger[i], p);
}

static void fwd_case(size_t n, kp_fft_precision p)
{
    c2c_case(n, p, KP_FFT_FORWARD);
}
static void bwd_case(size_t n, kp_fft_precision p)
{
    c2c_case(n, p, KP_FFT_BACKWARD);
}

static void test_c2c_double(void **state)
{
    (void)state;
    each_size(fwd_case, KP_FFT_DOUBLE);
    each_size(bwd_case, KP_FFT_DOUBLE);
}
static void test_c2c_float(void **state)
{
    (void)state;
    each_size(fwd_case, KP_FFT_FLOAT);
    each_size(bwd_case, KP_FFT_FLOAT);
}
/* Every n <= 256 in batches, both ways, both precisions. */
static void test_c2c_batch(void **state)
{
    (void)state;
    for (int prec = 0; prec < 2; prec++)
        for (size_t n = 1; n <= 256; n++) {
            batch_case(n, prec ? KP_FFT_FLOAT : KP_FFT_DOUBLE, KP_FFT_FORWARD);
            batch_case(n, prec ? KP_FFT_FLOAT : KP_FFT_DOUBLE, KP_FFT_BACKWARD);
        }
}
/* Every n <= 256 in batches, r2c and c2r, both precisions. */
static void test_real_batch(void **state)
{
    (void)state;
    for (int prec = 0; prec < 2; prec++)
        for (size_t n = 1; n <= 256; n++) {
            r2c_lines(n, prec ? KP_FFT_FLOAT : KP_FFT_DOUBLE, BATCH_LINES);
            c2r_lines(n, prec ? KP_FFT_FLOAT : KP_FFT_DOUBLE, BATCH_LINES);
        }
}
static void test_r2c(void **state)
{
    (void)state;
    each_size(r2c_case, KP_FFT_DOUBLE);
    each_size(r2c_case, KP_FFT_FLOAT);
}
static void test_c2r(void **state)
{
    (void)state;
    each_size(c2r_case, KP_FFT_DOUBLE);
    each_size(c2r_case, KP_FFT_FLOAT);
}

/* Forward then backward (norm backward) gives x back. */
static void roundtrip(size_t n, int workers)
{
    double *x = malloc(2 * n * sizeof *x), *y = malloc(2 * n * sizeof *y);
    double *z = malloc(2 * n * sizeof *z);
    assert_non_null(x);
    assert_non_null(y);
    assert_non_null(z);
    for (size_t i = 0; i < 2 * n; i++)
        x[i] = uniform();
    size_t shape[1] = {n};
    assert_int_equal(kp_fftn(KP_FFT_C2C, KP_FFT_DOUBLE, KP_FFT_FORWARD, KP_FFT_NORM_BACKWARD, 1,
                             shape, NULL, NULL, 1, NULL, x, y, workers),
                     KP_OK);
    assert_int_equal(kp_fftn(KP_FFT_C2C, KP_FFT_DOUBLE, KP_FFT_BACKWARD, KP_FFT_NORM_BACKWARD, 1,
                             shape, NULL, NULL, 1, NULL, y, z, workers),
                     KP_OK);
    long double *ref = malloc(2 * n * sizeof *ref);
    assert_non_null(ref);
    for (size_t i = 0; i < 2 * n; i++)
        ref[i] = x[i];
    check("roundtrip", n, KP_FFT_DOUBLE, 2, 1, rms_error(n, z, KP_FFT_DOUBLE, ref));
    free(ref);
    free(x);
    free(y);
    free(z);
}

static void test_roundtrip_all(void **state)
{
    (void)state;
    for (size_t n = 1; n <= ROUNDTRIP_ALL; n++)
        roundtrip(n, 1);
}

static void test_roundtrip_large(void **state)
{
    (void)state;
    static const size_t sizes[] = {
        65536,   65537, 100000, 131072 * 3, 1000003, 1 << 20,
#ifndef KP_FFT_SMALL
        1 << 22,
#endif
    };
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
        roundtrip(sizes[i], -1);
}

static int report(void **state)
{
    (void)state;
    printf("largest error / bound: %.3f (bound %.1f eps log2 n, + eps scaled)\n", worst_ratio,
           C_BOUND);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_c2c_double, reseed),
        cmocka_unit_test_setup(test_c2c_float, reseed),
        cmocka_unit_test_setup(test_c2c_batch, reseed),
        cmocka_unit_test_setup(test_real_batch, reseed),
        cmocka_unit_test_setup(test_r2c, reseed),
        cmocka_unit_test_setup(test_c2r, reseed),
        cmocka_unit_test_setup(test_roundtrip_all, reseed),
        cmocka_unit_test_setup(test_roundtrip_large, reseed),
    };
    return cmocka_run_group_tests(tests, NULL, report);
}
