/* Statistics of the samplers whose values are not numpy's stream: the
 * ziggurat normal and exponential, and kp_integers on spans where Lemire's
 * rejection matters. Each check turns a statistic into a p-value (or a
 * z-score) and fails below P_FAIL = 1e-6 (|z| above Z_FAIL, the two-sided
 * 1e-6 point): a correct sampler, run from a seed chosen at random, fails a
 * given check with probability about 1e-6; the seeds are fixed, so every run
 * gives the same verdict. There are about 80 checks.
 *
 * Normal and exponential, 10^7 draws each at workers -1 (153 substream
 * blocks) from PCG64, and 2 * 10^6 from PCG64DXSM and Philox:
 *   - Kolmogorov-Smirnov against the exact CDF (normal 0.5 erfc(-x/sqrt 2),
 *     exponential 1 - exp(-x)), asymptotic Kolmogorov p-value with
 *     Stephens' correction;
 *   - chi-square on 1000 equiprobable bins (u = F(x));
 *   - chi-square on the ziggurat's own layers: the intervals [x_{i-1}, x_i)
 *     of the table (x_i = w[i] 2^52 or 2^53), signed for the normal, and the
 *     tail, each with its exact probability: a wrong layer, wedge or tail
 *     shows in its own bins;
 *   - moments: E[x^k], k = 1..4, with exact standard errors from E[x^2k]
 *     (normal 0, 1, 0, 3 with variances 1, 2, 15, 96; exponential k! with
 *     variance (2k)! - k!^2), and for the normal the skewness and excess
 *     kurtosis with their asymptotic errors sqrt(6/n), sqrt(24/n).
 * The tails beyond Marsaglia and Tsang's R (3.6541528853610088 normal,
 * 7.69711747013104972 exponential), from 10^8 draws of PCG64 in fills of
 * 2^20 (~26,000 and ~45,000 tail values): the count against its binomial
 * expectation (2 Phi(-R) n, exp(-R) n), the signs in the normal tail, and KS
 * of the tail values against the conditional CDF.
 * Integers, 2^21 values per span at workers -1 (32 blocks), chi-square on
 * the offset v - low: one bin per value (span <= 1000) or 1000 equal-width
 * bins with their exact sizes, residues mod 105 = 3 * 5 * 7 and mod 256 (the
 * low byte). Spans: 10; 2^31 + 1 and 3 * 2^30 (32-bit path, rejection
 * near 50% and 25%); 2^32 - 1 (the widest 32-bit Lemire span), 2^32
 * (next32 itself), 2^32 + 1 (the 64-bit path); 2^63 - 1, 2^63 + 1, 3 * 2^62
 * and 2^64 - 1 (via low = INT64_MIN).
 *
 * The checks fail on broken samplers (verified by hand on a copy of rng/
 * with one change each):
 *   - Lemire without its rejection (both paths): spans 3 * 2^30 and
 *     3 * 2^62 give residue 0 mod 3 with probability 1/2, not 1/3:
 *     chi-square mod 105 ~ 2.6 * 10^5, p = 0;
 *   - normal wedge test one layer up (f[idx-2], f[idx-1]): layer chi-square
 *     p ~ 1e-71, 1000 bins p ~ 1e-44, KS p ~ 1e-9, E[x^4] z = -17;
 *   - normal wedge against exp(-0.49 x^2): layer chi-square p ~ 1e-30, E[x^2]
 *     z = +17;
 *   - normal tail without its rejection step (x = R + xx always): tail KS
 *     p ~ 1e-25 (the count and the layers are right; only the tail's shape
 *     is wrong, and 2,600 tail values of a 10^7 sample do not show it);
 *   - exponential tail from the normal's R: tail count z = -66, every
 *     chi-square p ~ 0; tail scaled by 1.05: tail KS p ~ 1e-14.
 *
 * The sanitizer builds define KP_STATS_SMALL and run a tenth of the draws
 * (10^6 normal and exponential from PCG64 only, 10^7 for the tails, 2^18
 * integers per span), with the same thresholds. */
#include <inttypes.h>
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
#include "rng/rng.h"

#define NSIZE(a) (sizeof(a) / sizeof *(a))

#define P_FAIL 1e-6
#define Z_FAIL 4.891638 /* P(|Z| > Z_FAIL) = 1e-6 for a standard normal Z */

#ifdef KP_STATS_SMALL
#define N_MAIN  1000000u
#define N_OTHER 200000u
#define N_INT   (1u << 18)
#define N_TAIL  10000000u
#else
#define N_MAIN  10000000u
#define N_OTHER 2000000u
#define N_INT   (1u << 21)
#define N_TAIL  100000000u
#endif

/* Marsaglia and Tsang (2000), Table 1: where the tails begin. */
#define R_NORM 3.6541528853610088
#define R_EXP  7.69711747013104972

static int failures; /* of the current cmocka test */

/* --------------------------------------------------------- p-values */

/* Q(a, x) = Gamma(a, x) / Gamma(a), the upper regularised incomplete gamma
 * function: series below a + 1, Lentz's continued fraction above
 * (Numerical Recipes, 3rd ed., 6.2). Relative error ~1e-14. */
static double gamma_q(double a, double x)
{
    if (x <= 0) return 1.0;
    double lead = exp(-x + a * log(x) - lgamma(a));
    if (x < a + 1) {
        double ap = a, del = 1.0 / a, sum = del;
        for (int i = 0; i < 100000 && fabs(del) > fabs(sum) * 1e-16; i++) {
            ap += 1;
            del *= x / ap;
            sum += del;
        }
        return 1.0 - sum * lead;
    }
    const double tiny = 1e-300;
    double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
    for (int i = 1; i < 100000; i++) {
        double an = -i * (i - a);
        b += 2;
        d = an * d + b;
        if (fabs(d) < tiny) d = tiny;
        c = b + an / c;
        if (fabs(c) < tiny) c = tiny;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < 1e-16) break;
    }
    return lead * h;
}

/* P(chi-square with df degrees > stat). */
static double chi2_p(double stat, double df)
{
    return gamma_q(df / 2, stat / 2);
}

/* P(K > lambda) for the Kolmogorov distribution: 2 sum (-1)^(k-1)
 * exp(-2 k^2 lambda^2); 1 below 0.2, where the series is slow and the
 * probability is 1 to 15 digits. */
static double kolmogorov_q(double lambda)
{
    if (lambda < 0.2) return 1.0;
    double sum = 0;
    for (int k = 1; k <= 100; k++) {
        double term = exp(-2.0 * k * k * lambda * lambda);
        sum += (k & 1) ? term : -term;
        if (term < 1e-20) break;
    }
    sum *= 2;
    return sum < 0 ? 0 : sum > 1 ? 1 : sum;
}

/* ------------------------------------------------------------ verdicts */

static void check_p(const char *what, double p)
{
    int bad = !(p >= P_FAIL);
    print_message("%-44s p = %.3g%s\n", what, p, bad ? "   FAILED" : "");
    failures += bad;
}

static void check_z(const char *what, double z)
{
    int bad = !(fabs(z) <= Z_FAIL);
    print_message("%-44s z = %+.3f%s\n", what, z, bad ? "   FAILED" : "");
    failures += bad;
}

/* Pearson's chi-square of counts against expected counts; bins with an
 * expectation below 5 would make the chi-square approximation poor, so the
 * callers' bins all exceed it (checked). */
static void check_chi2(const char *what, const uint64_t *count, const double *expect, size_t bins)
{
    double stat = 0;
    for (size_t i = 0; i < bins; i++) {
        assert_true(expect[i] >= 5);
        double d = (double)count[i] - expect[i];
        stat += d * d / expect[i];
    }
    char label[128];
    snprintf(label, sizeof label, "%s (chi2 %.1f, df %zu)", what, stat, bins - 1);
    check_p(label, chi2_p(stat, (double)(bins - 1)));
}

/* ------------------------------------------------------- KS on [0, 1) */

/* Sorts n values of [0, 1] into ascending order in O(n): buckets of
 * about four values, then insertion sort inside each. */
static void sort_unit(double *u, size_t n)
{
    size_t m = n / 4 + 1;
    uint32_t *start = calloc(m + 1, sizeof *start);
    double *tmp = malloc(n * sizeof *tmp);
    assert_non_null(start);
    assert_non_null(tmp);
    for (size_t i = 0; i < n; i++) {
        size_t b = (size_t)(u[i] * (double)m);
        start[(b < m ? b : m - 1) + 1]++;
    }
    for (size_t b = 0; b < m; b++)
        start[b + 1] += start[b];
    for (size_t i = 0; i < n; i++) {
        size_t b = (size_t)(u[i] * (double)m);
        tmp[start[b < m ? b : m - 1]++] = u[i];
    }
    /* start[b] is now the end of bucket b. */
    size_t lo = 0;
    for (size_t b = 0; b < m; b++) {
        size_t hi = start[b];
        for (size_t i = lo + 1; i < hi; i++) {
            double v = tmp[i];
            size_t j = i;
            for (; j > lo && tmp[j - 1] > v; j--)
                tmp[j] = tmp[j - 1];
            tmp[j] = v;
        }
        lo = hi;
    }
    memcpy(u, tmp, n * sizeof *u);
    free(tmp);
    free(start);
}

/* KS of n values u = F(x) against the uniform distribution; u is sorted. */
static void check_ks(const char *what, double *u, size_t n)
{
    sort_unit(u, n);
    double d = 0;
    for (size_t i = 0; i < n; i++) {
        double lo = u[i] - (double)i / (double)n, hi = (double)(i + 1) / (double)n - u[i];
        if (lo > d) d = lo;
        if (hi > d) d = hi;
    }
    double sn = sqrt((double)n);
    char label[128];
    snprintf(label, sizeof label, "%s (KS D %.3g, n %zu)", what, d, n);
    check_p(label, kolmogorov_q((sn + 0.12 + 0.11 / sn) * d));
}

/* Chi-square of u = F(x) on 1000 equiprobable bins. */
static void check_uniform_bins(const char *what, const double *u, size_t n)
{
    enum { BINS = 1000 };
    uint64_t count[BINS] = {0};
    double expect[BINS];
    for (size_t i = 0; i < n; i++) {
        size_t b = (size_t)(u[i] * BINS);
        count[b < BINS ? b : BINS - 1]++;
    }
    for (size_t b = 0; b < BINS; b++)
        expect[b] = (double)n / BINS;
    check_chi2(what, count, expect, BINS);
}

/* ----------------------------------------------------------- samplers */

static kp_rng make_rng(kp_bitgen kind, uint64_t seed)
{
    kp_seedseq ss;
    kp_rng g;
    assert_int_equal(kp_seedseq_init_u64(&ss, seed), KP_OK);
    assert_int_equal(kp_rng_init(&g, kind, &ss), KP_OK);
    return g;
}

static const char *kind_name(kp_bitgen kind)
{
    return kind == KP_PCG64 ? "PCG64" : kind == KP_PCG64DXSM ? "PCG64DXSM" : "Philox";
}

/* z-score of the sample mean of x^k for k = 1..4 against their exact means
 * and variances. */
static void check_raw_moments(const char *name, const double *x, size_t n, const double mean[4],
                              const double var[4], double sums_out[4])
{
    double s[4] = {0};
    for (size_t i = 0; i < n; i++) {
        double v = x[i], v2 = v * v;
        s[0] += v;
        s[1] += v2;
        s[2] += v2 * v;
        s[3] += v2 * v2;
    }
    for (int k = 0; k < 4; k++) {
        double m = s[k] / (double)n;
        char label[96];
        snprintf(label, sizeof label, "%s E[x^%d] = %.6f", name, k + 1, m);
        check_z(label, (m - mean[k]) / sqrt(var[k] / (double)n));
        sums_out[k] = m;
    }
}

/* Chi-square on the ziggurat layers: bins [x_{i-1}, x_i), i = 1..255, with
 * x_0 = 0, x_i = w[i] * scale, and the tail [x_255, inf); for the normal
 * (signed) each bin twice, by sign. cdf_upper(a) = P(|X| >= a). */
static void check_layers(const char *what, const double *x, size_t n, const double *w, double scale,
                         int signed_bins, double (*upper)(double))
{
    enum { L = 256 };
    double edge[L]; /* edge[i] = x_i, i = 0..255 */
    edge[0] = 0;
    for (int i = 1; i < L; i++)
        edge[i] = w[i] * scale;
    for (int i = 1; i < L; i++)
        assert_true(edge[i] > edge[i - 1]);
    size_t bins = signed_bins ? 2 * L : L;
    uint64_t count[2 * L] = {0};
    double expect[2 * L];
    for (size_t j = 0; j < n; j++) {
        double a = fabs(x[j]);
        /* the last edge not above a */
        int lo = 0, hi = L - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) / 2;
            if (edge[mid] <= a)
                lo = mid;
            else
                hi = mid - 1;
        }
        count[lo + (signed_bins && signbit(x[j]) ? L : 0)]++;
    }
    double share = signed_bins ? 0.5 : 1.0;
    for (int i = 0; i < L; i++) {
        double p = i < L - 1 ? upper(edge[i]) - upper(edge[i + 1]) : upper(edge[i]);
        expect[i] = p * share * (double)n;
        if (signed_bins) expect[i + L] = expect[i];
    }
    check_chi2(what, count, expect, bins);
}

static double normal_upper(double a) /* P(|X| >= a) */
{
    return erfc(a / sqrt(2.0));
}

static double exp_upper(double a)
{
    return exp(-a);
}

static void normal_case(kp_bitgen kind, uint64_t seed, size_t n)
{
    double *x = malloc(n * sizeof *x);
    assert_non_null(x);
    kp_rng g = make_rng(kind, seed);
    assert_int_equal(kp_standard_normal(&g, n, x, -1), KP_OK);
    char name[64], what[128];
    snprintf(name, sizeof name, "normal %s n=%zu:", kind_name(kind), n);

    static const double mean[4] = {0, 1, 0, 3}, var[4] = {1, 2, 15, 96};
    double m[4];
    check_raw_moments(name, x, n, mean, var, m);
    double m2 = m[1] - m[0] * m[0];
    double m3 = m[2] - 3 * m[0] * m[1] + 2 * m[0] * m[0] * m[0];
    double m4 = m[3] - 4 * m[0] * m[2] + 6 * m[0] * m[0] * m[1] - 3 * pow(m[0], 4);
    snprintf(what, sizeof what, "%s skewness %.5f", name, m3 / pow(m2, 1.5));
    check_z(what, m3 / pow(m2, 1.5) / sqrt(6.0 / (double)n));
    snprintf(what, sizeof what, "%s excess kurtosis %.5f", name, m4 / (m2 * m2) - 3);
    check_z(what, (m4 / (m2 * m2) - 3) / sqrt(24.0 / (double)n));

    snprintf(what, sizeof what, "%s ziggurat layers", name);
    check_layers(what, x, n, kp__zig_norm_w, 0x1p52, 1, normal_upper);

    for (size_t i = 0; i < n; i++)
        x[i] = 0.5 * erfc(-x[i] / sqrt(2.0));
    snprintf(what, sizeof what, "%s 1000 bins", name);
    check_uniform_bins(what, x, n);
    snprintf(what, sizeof what, "%s CDF", name);
    check_ks(what, x, n);
    free(x);
}

static void exponential_case(kp_bitgen kind, uint64_t seed, size_t n)
{
    double *x = malloc(n * sizeof *x);
    assert_non_null(x);
    kp_rng g = make_rng(kind, seed);
    assert_int_equal(kp_standard_exponential(&g, n, x, -1), KP_OK);
    char name[64], what[128];
    snprintf(name, sizeof name, "exponential %s n=%zu:", kind_name(kind), n);

    for (size_t i = 0; i < n; i++)
        assert_true(x[i] >= 0);
    static const double mean[4] = {1, 2, 6, 24}, var[4] = {1, 20, 684, 39744};
    double m[4];
    check_raw_moments(name, x, n, mean, var, m);

    snprintf(what, sizeof what, "%s ziggurat layers", name);
    check_layers(what, x, n, kp__zig_exp_w, 0x1p53, 0, exp_upper);

    for (size_t i = 0; i < n; i++)
        x[i] = -expm1(-x[i]);
    snprintf(what, sizeof what, "%s 1000 bins", name);
    check_uniform_bins(what, x, n);
    snprintf(what, sizeof what, "%s CDF", name);
    check_ks(what, x, n);
    free(x);
}

static void test_normal(void **state)
{
    failures = 0;
    /* The published R is the table's, to the 17 digits published. */
    assert_true(fabs(kp__zig_norm_r - R_NORM) < 1e-15);
    normal_case(KP_PCG64, 20240601, N_MAIN);
#ifndef KP_STATS_SMALL
    normal_case(KP_PCG64DXSM, 7, N_OTHER);
    normal_case(KP_PHILOX, 8, N_OTHER);
#endif
    assert_int_equal(failures, 0);
}

static void test_exponential(void **state)
{
    failures = 0;
    assert_true(fabs(kp__zig_exp_r - R_EXP) < 1e-14);
    exponential_case(KP_PCG64, 20240602, N_MAIN);
#ifndef KP_STATS_SMALL
    exponential_case(KP_PCG64DXSM, 9, N_OTHER);
    exponential_case(KP_PHILOX, 10, N_OTHER);
#endif
    assert_int_equal(failures, 0);
}

/* The tails, from n_tail draws in fills of 2^20 (consecutive fills never
 * share draws): 10^8 draws give ~26,000 normal values beyond R and ~45,000
 * exponential ones, enough for KS to see the shape of the tail. */
typedef int (*fill_fn)(kp_rng *, size_t, double *, int);

/* Values of fill beyond r in absolute value, *count of them. */
static double *tail_values(fill_fn fill, uint64_t seed, size_t total, double r, size_t *count,
                           size_t *negative)
{
    const size_t chunk = (size_t)1 << 20;
    double *buf = malloc(chunk * sizeof *buf);
    size_t cap = 1024, m = 0;
    double *t = malloc(cap * sizeof *t);
    assert_non_null(buf);
    assert_non_null(t);
    kp_rng g = make_rng(KP_PCG64, seed);
    *negative = 0;
    for (size_t done = 0; done < total; done += chunk) {
        size_t len = total - done < chunk ? total - done : chunk;
        assert_int_equal(fill(&g, len, buf, -1), KP_OK);
        for (size_t i = 0; i < len; i++) {
            if (fabs(buf[i]) > r) {
                if (m == cap) {
                    cap *= 2;
                    t = realloc(t, cap * sizeof *t);
                    assert_non_null(t);
                }
                *negative += buf[i] < 0;
                t[m++] = fabs(buf[i]);
            }
        }
    }
    free(buf);
    *count = m;
    return t;
}

static void test_normal_tail(void **state)
{
    failures = 0;
    const size_t n = N_TAIL;
    size_t tail, negative;
    double *t = tail_values(kp_standard_normal, 31, n, R_NORM, &tail, &negative);
    double p_tail = erfc(R_NORM / sqrt(2.0)); /* 2 Phi(-R) */
    char what[128];
    snprintf(what, sizeof what, "normal n=%zu: |x| > R count %zu", n, tail);
    check_z(what, ((double)tail - p_tail * (double)n) / sqrt((double)n * p_tail * (1 - p_tail)));
    snprintf(what, sizeof what, "normal tail: %zu negative", negative);
    check_z(what, ((double)negative - 0.5 * (double)tail) / sqrt(0.25 * (double)tail));
    for (size_t i = 0; i < tail; i++)
        t[i] = 1 - erfc(t[i] / sqrt(2.0)) / p_tail; /* P(|X| <= t | |X| > R) */
    check_ks("normal tail: |x| given |x| > R", t, tail);
    free(t);
    assert_int_equal(failures, 0);
}

static void test_exponential_tail(void **state)
{
    failures = 0;
    const size_t n = N_TAIL;
    size_t tail, negative;
    double *t = tail_values(kp_standard_exponential, 32, n, R_EXP, &tail, &negative);
    assert_int_equal(negative, 0);
    double p_tail = exp(-R_EXP);
    char what[128];
    snprintf(what, sizeof what, "exponential n=%zu: x > R count %zu", n, tail);
    check_z(what, ((double)tail - p_tail * (double)n) / sqrt((double)n * p_tail * (1 - p_tail)));
    for (size_t i = 0; i < tail; i++)
        t[i] = -expm1(-(t[i] - R_EXP)); /* memoryless: x - R is Exp(1) */
    check_ks("exponential tail: x - R given x > R", t, tail);
    free(t);
    assert_int_equal(failures, 0);
}

/* ------------------------------------------------------------ integers */

typedef struct int_case {
    const char *name;
    int64_t low;
    uint64_t span; /* high - low */
} int_case;

#define P2(k) ((uint64_t)1 << (k))
static const int_case int_cases[] = {
    {"[0, 10)", 0, 10},
    {"span 2^31 + 1 (32-bit, ~50% rejected)", 0, P2(31) + 1},
    {"span 3 * 2^30 (32-bit, 25% rejected)", -(int64_t)P2(30), 3 * P2(30)},
    {"span 2^32 - 1 (widest 32-bit Lemire)", 0, P2(32) - 1},
    {"span 2^32 (next32)", -(int64_t)P2(31), P2(32)},
    {"span 2^32 + 1 (64-bit path)", 5, P2(32) + 1},
    {"[0, 2^63 - 1)", 0, P2(63) - 1},
    {"span 2^63 + 1 (~50% rejected)", INT64_MIN, P2(63) + 1},
    {"span 3 * 2^62 (25% rejected)", INT64_MIN, 3 * P2(62)},
    {"[INT64_MIN, INT64_MAX)", INT64_MIN, UINT64_MAX},
};

__extension__ typedef unsigned __int128 u128;

/* Integers v in [0, s) with floor(v B / s) < b: ceil(b s / B). */
static uint64_t below_bin(uint64_t s, uint64_t bins, uint64_t b)
{
    return (uint64_t)(((u128)b * s + bins - 1) / bins);
}

static void test_integers(void **state)
{
    failures = 0;
    const size_t n = N_INT;
    int64_t *v = malloc(n * sizeof *v);
    assert_non_null(v);
    enum { B = 1000 };
    static uint64_t count[B];
    static double expect[B];
    for (size_t c = 0; c < NSIZE(int_cases); c++) {
        const int_case *ic = &int_cases[c];
        int64_t high = (int64_t)((uint64_t)ic->low + ic->span);
        kp_rng g = make_rng(KP_PCG64, 1000 + c);
        assert_int_equal(kp_integers(&g, ic->low, high, n, v, -1), KP_OK);
        char what[128];

        /* By value: one bin each, or B equal-width bins of exact size. */
        uint64_t s = ic->span, bins = s <= B ? s : B;
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++) {
            uint64_t off = (uint64_t)v[i] - (uint64_t)ic->low;
            assert_true(off < s);
            count[(uint64_t)((u128)off * bins / s)]++;
        }
        for (uint64_t b = 0; b < bins; b++)
            expect[b] =
                (double)(below_bin(s, bins, b + 1) - below_bin(s, bins, b)) / (double)s * (double)n;
        snprintf(what, sizeof what, "integers %s by value", ic->name);
        check_chi2(what, count, expect, bins);
        if (s < P2(20)) continue;

        /* By residue: mod 105 = 3 * 5 * 7, and the low byte. */
        static const uint64_t mods[] = {105, 256};
        for (size_t k = 0; k < NSIZE(mods); k++) {
            uint64_t m = mods[k];
            memset(count, 0, sizeof count);
            for (size_t i = 0; i < n; i++)
                count[((uint64_t)v[i] - (uint64_t)ic->low) % m]++;
            for (uint64_t r = 0; r < m; r++)
                expect[r] = (double)((s - 1 - r) / m + 1) / (double)s * (double)n;
            snprintf(what, sizeof what, "integers %s mod %" PRIu64, ic->name, m);
            check_chi2(what, count, expect, m);
        }
    }
    free(v);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normal),      cmocka_unit_test(test_exponential),
        cmocka_unit_test(test_normal_tail), cmocka_unit_test(test_exponential_tail),
        cmocka_unit_test(test_integers),
    };
    return cmocka_run_group_tests_name("rng_stats", tests, NULL, NULL);
}
