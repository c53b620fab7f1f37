/* Accuracy of the reductions against long double references with
 * compensated summation, on ill-conditioned data of 10^7 elements: large
 * cancellation, wide dynamic range, and adversarial data on which a naive
 * loop loses every small term. The bounds are derived in
 * test_reduce_util.h from the header's stated order of additions; each
 * adversarial case also asserts that a naive loop breaks the same bound, so
 * the check can fail. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "kernpool.h"
#include "test_reduce_util.h"

#define NSIZE(a) (sizeof(a) / sizeof *(a))
#define BIG      ((size_t)10000019) /* a prime above 10^7 */

/* long double must be wider than double for the references to mean
 * anything (x86-64: 64-bit significand). */
static int setup(void **state)
{
    return LDBL_MANT_DIG >= 64 ? 0 : -1;
}

static double *alloc_d(size_t n)
{
    double *p = malloc(n * sizeof *p);
    assert_non_null(p);
    return p;
}

static float *alloc_f(size_t n)
{
    float *p = malloc(n * sizeof *p);
    assert_non_null(p);
    return p;
}

/* Runs f with workers -1 and checks |got - ref| <= tol; returns got. */
static double check(kpt_fn f, const kpt_args *a, int out, long double ref, double tol,
                    const char *what)
{
    kpt_res r = kpt_call(f, a);
    if (r.rc != KP_OK) fail_msg("%s %s: rc %d", kpt_names[f], what, r.rc);
    double got = kpt_val(f, r.v[out]);
    double err = (double)fabsl((long double)got - ref);
    print_message("%-13s %-34s n=%-9zu error %.3e  bound %.3e  (%.2g of it)\n", kpt_names[f], what,
                  a->n, err, tol, err / tol);
    if (!(err <= tol))
        fail_msg("%s %s (n=%zu): got %a, reference %La, error %.4g > bound %.4g", kpt_names[f],
                 what, a->n, got, ref, err, tol);
    return got;
}

static double naive_dsum(const double *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    return s;
}

static float naive_ssum(const float *x, size_t n)
{
    float s = 0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    return s;
}

/* ------------------------------------------------------------------ sum */

static void sum_case(const double *x, size_t n, const char *what, int adversarial)
{
    kpt_vec v = {x, NULL, n};
    kpt_ref ref = kpt_ref_sum(&v, 0);
    const double tol = kpt_tol_sum(n, ref.sumabs) + ref.err;
    kpt_args a = {n, x, 1, NULL, 1, 0, -1, KPT_OUT};
    check(KPT_DSUM, &a, 0, ref.value, tol, what);
    if (adversarial) {
        double nerr = (double)fabsl((long double)naive_dsum(x, n) - ref.value);
        print_message("              naive loop error %.3e (%.3g x the bound)\n", nerr, nerr / tol);
        if (!(nerr > 10 * tol)) fail_msg("%s: the data does not tell a naive sum apart", what);
    }
}

/* x_k = 1, every other element 2^-53 (half an ulp of 1): a loop that adds
 * to the running 1 rounds every small term away (ties to even); exact sum
 * 1 + (n - 1) 2^-53. */
static void test_dsum_half_ulps(void **state)
{
    double *x = alloc_d(BIG);
    const size_t where[] = {0, 4096 * 1000 + 17, BIG - 1};
    for (size_t w = 0; w < NSIZE(where); w++) {
        for (size_t i = 0; i < BIG; i++)
            x[i] = 0x1p-53;
        x[where[w]] = 1.0;
        char what[48];
        snprintf(what, sizeof what, "1 at %zu, 2^-53 elsewhere", where[w]);
        sum_case(x, BIG, what, where[w] == 0);
    }
    free(x);
}

/* Pairs v, -v with |v| up to 2^40 cancel exactly; a tenth of the elements
 * are small (|x| < 1) and make the result. Shuffled. */
static void fill_cancel(double *x, size_t n, kpt_rng *r)
{
    size_t small = n / 10, i = 0;
    for (; i < small; i++)
        x[i] = 2 * kpt_unif(r) - 1;
    for (; i + 1 < n; i += 2) {
        x[i] = kpt_wide(r, 0, 40);
        x[i + 1] = -x[i];
    }
    if (i < n) x[i] = 0.5;
    kpt_shuffle2(r, x, NULL, n);
}

static void test_dsum_cancellation(void **state)
{
    double *x = alloc_d(BIG);
    kpt_rng r = {1};
    fill_cancel(x, BIG, &r);
    sum_case(x, BIG, "cancelling pairs to 2^40", 0);
    /* a sum of exactly zero from pairs of huge values */
    for (size_t i = 0; i + 1 < BIG; i += 2) {
        x[i] = kpt_wide(&r, 900, 990);
        x[i + 1] = -x[i];
    }
    x[BIG - 1] = 0;
    kpt_shuffle2(&r, x, NULL, BIG);
    sum_case(x, BIG, "pairs to 2^990 summing to 0", 0);
    free(x);
}

static void test_dsum_wide_range(void **state)
{
    double *x = alloc_d(BIG);
    kpt_rng r = {2};
    for (size_t i = 0; i < BIG; i++)
        x[i] = kpt_wide(&r, -300, 300);
    sum_case(x, BIG, "+-2^[-300,300]", 0);
    for (size_t i = 0; i < BIG; i++)
        x[i] = fabs(kpt_wide(&r, -30, 30));
    sum_case(x, BIG, "positive 2^[-30,30]", 0);
    free(x);
}

/* The bound at every size of the table (its depth changes with n). */
static void test_dsum_sizes(void **state)
{
    static const size_t sizes[] = {1,   2,    3,    7,    31,   32,    33,     255,      256,
                                   257, 4095, 4096, 4097, 8193, 65537, 100003, 1u << 20, 3000017};
    double *x = alloc_d(3000017);
    kpt_rng r = {3};
    for (size_t i = 0; i < 3000017; i++)
        x[i] = kpt_wide(&r, -40, 40);
    for (size_t s = 0; s < NSIZE(sizes); s++)
        sum_case(x, sizes[s], "+-2^[-40,40]", 0);
    free(x);
}

/* Float input: one float rounding of the double result. On x_0 = 1, then
 * 2^-24 (half an ulp of 1f), a float loop loses everything; on 10^7 random
 * floats in [0, 1) it drifts by hundreds of float ulps of 1. */
static void test_ssum(void **state)
{
    float *x = alloc_f(BIG);
    for (size_t i = 0; i < BIG; i++)
        x[i] = 0x1p-24f;
    x[0] = 1.0f;
    kpt_rng r = {4};
    for (int c = 0; c < 2; c++) {
        if (c == 1)
            for (size_t i = 0; i < BIG; i++)
                x[i] = (float)kpt_unif(&r);
        const char *what = c == 0 ? "1f, then 2^-24" : "random floats in [0, 1)";
        kpt_vec v = {NULL, x, BIG};
        kpt_ref ref = kpt_ref_sum(&v, 0);
        const double tol = kpt_tol_float(kpt_tol_sum(BIG, ref.sumabs) + ref.err, (double)ref.value);
        kpt_args a = {BIG, x, 1, NULL, 1, 0, -1, KPT_OUT};
        double got = check(KPT_SSUM, &a, 0, ref.value, tol, what);
        double err = (double)fabsl((long double)got - ref.value);
        double nerr = (double)fabsl((long double)naive_ssum(x, BIG) - ref.value);
        print_message("              naive float loop error %.3e, %.3g x ours\n", nerr, nerr / err);
        /* orders of magnitude: at least 100 times smaller than a float loop */
        if (!(100 * err <= nerr))
            fail_msg("%s: error %.3g is not 100 x below a float loop's %.3g", what, err, nerr);
    }
    free(x);
}

/* ------------------------------------------------------------------ dot */

static void dot_case(kpt_fn f, const void *x, const void *y, size_t n, const char *what,
                     int adversarial)
{
    kpt_vec vx = {kpt_is_float(f) ? NULL : x, kpt_is_float(f) ? x : NULL, n};
    kpt_vec vy = {kpt_is_float(f) ? NULL : y, kpt_is_float(f) ? y : NULL, n};
    kpt_ref ref = kpt_ref_dot(&vx, &vy);
    double tol = kpt_tol_dot(n, ref.sumabs) + ref.err;
    if (kpt_is_float(f)) tol = kpt_tol_float(tol, (double)ref.value);
    kpt_args a = {n, x, 1, y, 1, 0, -1, KPT_OUT};
    double got = check(f, &a, 0, ref.value, tol, what);
    if (!adversarial) return;
    double nerr;
    if (kpt_is_float(f)) {
        float s = 0;
        for (size_t i = 0; i < n; i++)
            s += ((const float *)x)[i] * ((const float *)y)[i];
        nerr = (double)fabsl((long double)s - ref.value);
        double err = (double)fabsl((long double)got - ref.value);
        print_message("              naive float loop error %.3e, %.3g x ours\n", nerr, nerr / err);
        if (!(100 * err <= nerr)) fail_msg("%s: not 100 x below a float loop", what);
    } else {
        double s = 0;
        for (size_t i = 0; i < n; i++)
            s += ((const double *)x)[i] * ((const double *)y)[i];
        nerr = (double)fabsl((long double)s - ref.value);
        print_message("              naive loop error %.3e (%.3g x the bound)\n", nerr, nerr / tol);
        if (!(nerr > 10 * tol)) fail_msg("%s: the data does not tell a naive dot apart", what);
    }
}

static void test_ddot(void **state)
{
    double *x = alloc_d(BIG), *y = alloc_d(BIG);
    kpt_rng r = {5};
    /* products 1, then 2^-53, with random signs on both factors */
    for (size_t i = 0; i < BIG; i++) {
        double s = (kpt_next(&r) & 1) ? -1.0 : 1.0;
        x[i] = s * (i == 0 ? 1.0 : 0x1p-40);
        y[i] = s * (i == 0 ? 1.0 : 0x1p-13);
    }
    dot_case(KPT_DDOT, x, y, BIG, "products 1, then 2^-53", 1);
    /* (x_j, y_j) and (x_j, -y_j): products cancel exactly; a tenth of the
     * pairs are small and make the result */
    size_t small = BIG / 10, i = 0;
    for (; i < small; i++) {
        x[i] = 2 * kpt_unif(&r) - 1;
        y[i] = 2 * kpt_unif(&r) - 1;
    }
    for (; i + 1 < BIG; i += 2) {
        x[i] = x[i + 1] = kpt_wide(&r, 0, 30);
        y[i] = kpt_wide(&r, 0, 30);
        y[i + 1] = -y[i];
    }
    if (i < BIG) x[i] = y[i] = 0.25;
    kpt_shuffle2(&r, x, y, BIG);
    dot_case(KPT_DDOT, x, y, BIG, "cancelling products to 2^60", 0);
    for (size_t k = 0; k < BIG; k++) {
        x[k] = kpt_wide(&r, -150, 150);
        y[k] = kpt_wide(&r, -150, 150);
    }
    dot_case(KPT_DDOT, x, y, BIG, "+-2^[-150,150] each", 0);
    free(x);
    free(y);
}

static void test_sdot(void **state)
{
    float *x = alloc_f(BIG), *y = alloc_f(BIG);
    kpt_rng r = {6};
    for (size_t i = 0; i < BIG; i++) {
        x[i] = i == 0 ? 1.0f : 0x1p-12f;
        y[i] = i == 0 ? 1.0f : 0x1p-12f;
    }
    dot_case(KPT_SDOT, x, y, BIG, "products 1, then 2^-24", 1);
    for (size_t i = 0; i < BIG; i++) {
        x[i] = (float)kpt_unif(&r);
        y[i] = (float)kpt_unif(&r);
    }
    dot_case(KPT_SDOT, x, y, BIG, "random floats in [0, 1)", 1);
    for (size_t i = 0; i < BIG; i++) {
        x[i] = (float)kpt_wide(&r, -60, 60);
        y[i] = (float)kpt_wide(&r, -60, 60);
    }
    dot_case(KPT_SDOT, x, y, BIG, "+-2^[-60,60] each", 0);
    free(x);
    free(y);
}

/* ----------------------------------------------------------------- asum */

static void test_asum(void **state)
{
    double *x = alloc_d(BIG);
    float *xf = alloc_f(BIG);
    kpt_rng r = {7};
    for (int c = 0; c < 2; c++) {
        for (size_t i = 0; i < BIG; i++) {
            double v = c == 0 ? (i == 0 ? 1.0 : 0x1p-53) : kpt_wide(&r, -300, 300);
            x[i] = (kpt_next(&r) & 1) ? -v : v;
        }
        const char *what = c == 0 ? "+-1, then +-2^-53" : "+-2^[-300,300]";
        kpt_vec v = {x, NULL, BIG};
        kpt_ref ref = kpt_ref_sum(&v, 1);
        const double tol = kpt_tol_sum(BIG, ref.sumabs) + ref.err;
        kpt_args a = {BIG, x, 1, NULL, 1, 0, -1, KPT_OUT};
        check(KPT_DASUM, &a, 0, ref.value, tol, what);
        if (c == 0) {
            double s = 0;
            for (size_t i = 0; i < BIG; i++)
                s += fabs(x[i]);
            double nerr = (double)fabsl((long double)s - ref.value);
            print_message("              naive loop error %.3e (%.3g x the bound)\n", nerr,
                          nerr / tol);
            if (!(nerr > 10 * tol)) fail_msg("%s: the data does not tell a naive asum apart", what);
        }
    }
    for (size_t i = 0; i < BIG; i++)
        xf[i] = (float)(2 * kpt_unif(&r) - 1);
    kpt_vec v = {NULL, xf, BIG};
    kpt_ref ref = kpt_ref_sum(&v, 1);
    const double tol = kpt_tol_float(kpt_tol_sum(BIG, ref.sumabs) + ref.err, (double)ref.value);
    kpt_args a = {BIG, xf, 1, NULL, 1, 0, -1, KPT_OUT};
    double got = check(KPT_SASUM, &a, 0, ref.value, tol, "random floats in (-1, 1)");
    float s = 0;
    for (size_t i = 0; i < BIG; i++)
        s += fabsf(xf[i]);
    double err = (double)fabsl((long double)got - ref.value);
    double nerr = (double)fabsl((long double)s - ref.value);
    print_message("              naive float loop error %.3e, %.3g x ours\n", nerr, nerr / err);
    if (!(100 * err <= nerr)) fail_msg("sasum: not 100 x below a float loop");
    free(x);
    free(xf);
}

/* ----------------------------------------------------------------- nrm2 */

static void nrm2_case(kpt_fn f, const void *x, size_t n, const char *what, int adversarial)
{
    kpt_vec v = {kpt_is_float(f) ? NULL : x, kpt_is_float(f) ? x : NULL, n};
    kpt_ref ref = kpt_ref_nrm2(&v);
    double tol = kpt_tol_nrm2(n, (double)ref.value) + ref.err;
    if (kpt_is_float(f)) tol = kpt_tol_float(tol, (double)ref.value);
    kpt_args a = {n, x, 1, NULL, 1, 0, -1, KPT_OUT};
    double got = check(f, &a, 0, ref.value, tol, what);
    if (!adversarial) return;
    /* the textbook loop: sqrt of a running sum of squares */
    double nerr;
    if (kpt_is_float(f)) {
        float s = 0;
        for (size_t i = 0; i < n; i++)
            s += ((const float *)x)[i] * ((const float *)x)[i];
        nerr = (double)fabsl((long double)sqrtf(s) - ref.value);
        double err = (double)fabsl((long double)got - ref.value);
        print_message("              naive float loop error %.3e, %.3g x ours\n", nerr, nerr / err);
        if (!(100 * err <= nerr)) fail_msg("%s: not 100 x below a float loop", what);
    } else {
        double s = 0;
        for (size_t i = 0; i < n; i++)
            s += ((const double *)x)[i] * ((const double *)x)[i];
        nerr = (double)fabsl((long double)sqrt(s) - ref.value);
        print_message("              naive loop error %.3e (%.3g x the bound)\n", nerr, nerr / tol);
        if (!(nerr > 10 * tol)) fail_msg("%s: the data does not tell a naive nrm2 apart", what);
    }
}

/* 2^k, then 2^(k-27): each square is half an ulp of the first square, so a
 * running sum of squares keeps only the first; at k = +-600 the squares
 * also overflow or underflow without scaling. */
static void test_dnrm2(void **state)
{
    double *x = alloc_d(BIG);
    kpt_rng r = {8};
    const int ks[] = {0, 600, -600};
    for (size_t c = 0; c < NSIZE(ks); c++) {
        for (size_t i = 0; i < BIG; i++) {
            double v = ldexp(1.0, i == 0 ? ks[c] : ks[c] - 27);
            x[i] = (kpt_next(&r) & 1) ? -v : v;
        }
        char what[40];
        snprintf(what, sizeof what, "2^%d, then 2^%d", ks[c], ks[c] - 27);
        nrm2_case(KPT_DNRM2, x, BIG, what, 1);
    }
    for (size_t i = 0; i < BIG; i++)
        x[i] = kpt_wide(&r, -500, 500);
    nrm2_case(KPT_DNRM2, x, BIG, "+-2^[-500,500]", 0);
    for (size_t i = 0; i < BIG; i++)
        x[i] = 2 * kpt_unif(&r) - 1;
    nrm2_case(KPT_DNRM2, x, BIG, "random in (-1, 1)", 0);
    free(x);
}

static void test_snrm2(void **state)
{
    float *x = alloc_f(BIG);
    kpt_rng r = {9};
    for (size_t i = 0; i < BIG; i++)
        x[i] = i == 0 ? 1.0f : 0x1p-13f;
    nrm2_case(KPT_SNRM2, x, BIG, "1f, then 2^-13", 1);
    for (size_t i = 0; i < BIG; i++)
        x[i] = (float)(2 * kpt_unif(&r) - 1);
    nrm2_case(KPT_SNRM2, x, BIG, "random floats in (-1, 1)", 1);
    for (size_t i = 0; i < BIG; i++)
        x[i] = (float)kpt_wide(&r, -120, 100); /* the norm, ~2^112, is a float */
    nrm2_case(KPT_SNRM2, x, BIG, "+-2^[-120,100]", 0);
    free(x);
}

/* ------------------------------------------------------------- mean/var */

static void meanvar_case(kpt_fn f, const void *x, size_t n, size_t ddof, const char *what,
                         int adversarial)
{
    kpt_vec v = {kpt_is_float(f) ? NULL : x, kpt_is_float(f) ? x : NULL, n};
    kpt_ref_mv ref = kpt_ref_meanvar(&v, ddof);
    double tm = kpt_tol_mean(n, ref.meanabs) + ref.mean_err;
    double tv = kpt_tol_var(n, ddof, (double)ref.var, ref.maxabs) + ref.var_err;
    if (kpt_is_float(f)) {
        tm = kpt_tol_float(tm, (double)ref.mean);
        tv = kpt_tol_float(tv, (double)ref.var);
    }
    char label[64];
    kpt_args a = {n, x, 1, NULL, 1, ddof, -1, KPT_MEAN | KPT_VAR};
    snprintf(label, sizeof label, "%s: mean", what);
    check(f, &a, 0, ref.mean, tm, label);
    snprintf(label, sizeof label, "%s: var, ddof %zu", what, ddof);
    check(f, &a, 1, ref.var, tv, label);
    if (!adversarial || kpt_is_float(f)) return;
    /* the one-pass textbook formula (sum x^2 - n mean^2) / (n - ddof) */
    const double *xd = x;
    double s = 0, q = 0;
    for (size_t i = 0; i < n; i++) {
        s += xd[i];
        q += xd[i] * xd[i];
    }
    double naive = (q - s * s / (double)n) / (double)(n - ddof);
    double nerr = (double)fabsl((long double)naive - ref.var);
    print_message("              one-pass formula error %.3e (%.3g x the bound)\n", nerr,
                  nerr / tv);
    if (!(nerr > 10 * tv)) fail_msg("%s: the data does not tell a one-pass variance apart", what);
}

static void test_dmean_var(void **state)
{
    double *x = alloc_d(BIG);
    kpt_rng r = {10};
    /* mean 1e9, variance 1/3: kappa = |mean| / sd ~ 2e9 */
    for (size_t i = 0; i < BIG; i++)
        x[i] = 1e9 + (2 * kpt_unif(&r) - 1);
    meanvar_case(KPT_DMEANVAR, x, BIG, 0, "1e9 + U(-1,1)", 1);
    meanvar_case(KPT_DMEANVAR, x, BIG, 1, "1e9 + U(-1,1)", 1);
    /* mean ~0 from cancelling pairs, huge variance */
    fill_cancel(x, BIG, &r);
    meanvar_case(KPT_DMEANVAR, x, BIG, 1, "cancelling pairs to 2^40", 0);
    for (size_t i = 0; i < BIG; i++)
        x[i] = kpt_wide(&r, -200, 200);
    meanvar_case(KPT_DMEANVAR, x, BIG, 7, "+-2^[-200,200]", 0);
    /* sizes around blocks: one block, a partial second, three */
    static const size_t sizes[] = {2, 3, 4095, 4097, 12289};
    for (size_t i = 0; i < 12289; i++)
        x[i] = -3e6 + kpt_unif(&r);
    for (size_t s = 0; s < NSIZE(sizes); s++)
        meanvar_case(KPT_DMEANVAR, x, sizes[s], 1, "-3e6 + U(0,1)", 0);
    free(x);
}

static void test_smean_var(void **state)
{
    float *x = alloc_f(BIG);
    kpt_rng r = {11};
    for (size_t i = 0; i < BIG; i++)
        x[i] = (float)(1e4 + (2 * kpt_unif(&r) - 1));
    meanvar_case(KPT_SMEANVAR, x, BIG, 0, "float 1e4 + U(-1,1)", 0);
    meanvar_case(KPT_SMEANVAR, x, BIG, 1, "float 1e4 + U(-1,1)", 0);
    for (size_t i = 0; i < BIG; i++)
        x[i] = (float)kpt_wide(&r, -60, 60);
    meanvar_case(KPT_SMEANVAR, x, BIG, 3, "float +-2^[-60,60]", 0);
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dsum_half_ulps),
        cmocka_unit_test(test_dsum_cancellation),
        cmocka_unit_test(test_dsum_wide_range),
        cmocka_unit_test(test_dsum_sizes),
        cmocka_unit_test(test_ssum),
        cmocka_unit_test(test_ddot),
        cmocka_unit_test(test_sdot),
        cmocka_unit_test(test_asum),
        cmocka_unit_test(test_dnrm2),
        cmocka_unit_test(test_snrm2),
        cmocka_unit_test(test_dmean_var),
        cmocka_unit_test(test_smean_var),
    };
    return cmocka_run_group_tests_name("reduce_accuracy", tests, setup, NULL);
}
