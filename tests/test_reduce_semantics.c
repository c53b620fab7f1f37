/* The reductions' semantics by the header's rules: min/max ties, signed
 * zeros, NaN and infinities, at every placement, stride and workers value;
 * nrm2 at the ends of the range and with Inf and NaN; IEEE special values
 * through every function; mean/var and ddof. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "kernpool.h"
#include "test_reduce_util.h"
#include "test_reduce_data.h"
#include "testutil.h"

/* ---------------------------------------------------- min/max semantics */

typedef struct mm_case {
    size_t n;
    double v[6];
    size_t imin, imax;
} mm_case;

static void test_minmax_semantics(void **state)
{
    const double nan = NAN, inf = INFINITY;
    const mm_case cases[] = {
        {5, {3, 1, 2, 1, 3}, 1, 0},
        {2, {0.0, -0.0}, 0, 0},
        {2, {-0.0, 0.0}, 0, 0},
        {4, {1, -0.0, 0.0, 2}, 1, 3},
        {4, {1, 0.0, -0.0, 2}, 1, 3},
        {4, {-1, 0.0, -0.0, -2}, 3, 1},
        {3, {nan, 1, 2}, 0, 0},
        {5, {1, 2, nan, 0, nan}, 2, 2},
        {4, {1, 2, 3, nan}, 3, 3},
        {3, {-inf, 0, inf}, 0, 2},
        {4, {inf, inf, -inf, -inf}, 2, 0},
        {3, {-inf, nan, inf}, 1, 1},
        {3, {inf, -inf, nan}, 2, 2},
        {1, {5}, 0, 0},
        {3, {-nan, 1, 2}, 0, 0},
        {3, {2, 2, 2}, 0, 0},
        {6, {-inf, -inf, -inf, -inf, -inf, -inf}, 0, 0},
    };
    for (int f = KPT_SMINMAX; f <= KPT_DMINMAX; f++)
        for (size_t k = 0; k < NSIZE(cases); k++) {
            const mm_case *c = &cases[k];
            float vf[6];
            for (int i = 0; i < 6; i++)
                vf[i] = (float)c->v[i];
            const void *x = kpt_is_float(f) ? (const void *)vf : (const void *)c->v;
            kpt_args a = {c->n, x, 1, NULL, 1, 0, 1, KPT_ALL};
            kpt_res r = kpt_call((kpt_fn)f, &a);
            kpt_res want = {KP_OK,
                            {elem_bits((kpt_fn)f, x, c->imin), elem_bits((kpt_fn)f, x, c->imax)},
                            {c->imin, c->imax}};
            if (!minmax_matches((kpt_fn)f, &want, &r)) report("case", (kpt_fn)f, k, &want, &r);
        }
}

/* Placements across lanes and blocks, at several workers and strides. */
static void test_minmax_placement(void **state)
{
    const size_t n = 3 * 4096 + 77;
    double *x = malloc(n * sizeof *x);
    float *xf = malloc(n * sizeof *xf);
    assert_non_null(x);
    assert_non_null(xf);
    typedef struct {
        size_t pos[3];
        double val[3];
    } placement;
    const placement pl[] = {
        {{9000, 300, 12000}, {-5, -5, -5}},      /* min ties across blocks */
        {{4100, 4095, n - 1}, {7, 7, 7}},        /* max ties: last of block 0 */
        {{5, 2, 34}, {-9, -9, 9}},               /* lanes 5 and 2 */
        {{33, 1, 8000}, {9, 9, -9}},             /* one lane, two leaves */
        {{10000, 5000, 7}, {NAN, NAN, 9}},       /* first NaN after a max */
        {{7000, 2000, 6000}, {0.0, -0.0, 0.0}},  /* zeros in data >= 1 */
        {{7000, 2000, 6000}, {-0.0, 0.0, -0.0}}, /*  (min is the first) */
        {{n - 1, 4096, 4097}, {-INFINITY, NAN, -INFINITY}},
        {{12287, 12288, 0}, {INFINITY, INFINITY, -INFINITY}},
    };
    const int workers[] = {1, 2, 7, -1};
    const ptrdiff_t incs[] = {1, -1, 2, -3};
    kpt_rng r = {777};
    for (size_t p = 0; p < NSIZE(pl); p++) {
        for (size_t i = 0; i < n; i++)
            x[i] = 1 + kpt_unif(&r); /* [1, 2) */
        for (int j = 0; j < 3; j++)
            x[pl[p].pos[j]] = pl[p].val[j];
        for (size_t i = 0; i < n; i++)
            xf[i] = (float)x[i];
        for (int f = KPT_SMINMAX; f <= KPT_DMINMAX; f++) {
            const void *src = kpt_is_float(f) ? (const void *)xf : (const void *)x;
            kpt_res want = minmax_ref((kpt_fn)f, src, n);
            for (size_t k = 0; k < NSIZE(incs); k++) {
                void *sx = strided((kpt_fn)f, src, n, incs[k]);
                assert_non_null(sx);
                for (size_t w = 0; w < NSIZE(workers); w++) {
                    kpt_args a = {n, sx, incs[k], NULL, 1, 0, workers[w], KPT_ALL};
                    kpt_res got = kpt_call((kpt_fn)f, &a);
                    if (!minmax_matches((kpt_fn)f, &want, &got)) {
                        char what[80];
                        snprintf(what, sizeof what, "placement %zu, incx %td, workers %d", p,
                                 incs[k], workers[w]);
                        report(what, (kpt_fn)f, n, &want, &got);
                    }
                }
                free(sx);
            }
        }
    }
    /* the hand-checked expectations of two placements, not only the
     * reference loop's */
    for (size_t i = 0; i < n; i++)
        x[i] = 1.5;
    x[300] = x[9000] = -5;
    x[4095] = x[4100] = 7;
    double mn, mx;
    size_t imn, imx;
    assert_int_equal(kp_dminmax(n, x, 1, -1, &mn, &imn, &mx, &imx), KP_OK);
    assert_true(mn == -5 && imn == 300 && mx == 7 && imx == 4095);
    /* incx -1: x_i = x[n - 1 - i]; the first in logical order is the one
     * at the higher address */
    assert_int_equal(kp_dminmax(n, x, -1, -1, &mn, &imn, &mx, &imx), KP_OK);
    assert_true(mn == -5 && imn == n - 1 - 9000 && mx == 7 && imx == n - 1 - 4100);
    x[2000] = -0.0;
    x[6000] = 0.0;
    x[300] = x[9000] = 1.5;
    assert_int_equal(kp_dminmax(n, x, 1, -1, &mn, &imn, &mx, &imx), KP_OK);
    assert_true(mn == 0 && signbit(mn) && imn == 2000);
    free(x);
    free(xf);
}

/* ------------------------------------------------ nrm2 at range's ends */

static void check_nrm2(kpt_fn f, const void *x, size_t n, const char *what)
{
    kpt_vec v = {kpt_is_float(f) ? NULL : x, kpt_is_float(f) ? x : NULL, n};
    kpt_ref ref = kpt_ref_nrm2(&v);
    const int workers[] = {1, -1};
    for (size_t w = 0; w < NSIZE(workers); w++) {
        kpt_args a = {n, x, 1, NULL, 1, 0, workers[w], KPT_ALL};
        kpt_res r = kpt_call(f, &a);
        assert_int_equal(r.rc, KP_OK);
        double got = kpt_val(f, r.v[0]);
        /* the exact result as the output type holds it */
        double want = kpt_is_float(f) ? (double)(float)ref.value : (double)ref.value;
        if (isinf(want)) {
            if (!(isinf(got) && got > 0))
                fail_msg("%s %s: got %a, the norm %La overflows", kpt_names[f], what, got,
                         ref.value);
            continue;
        }
        double tol = kpt_tol_nrm2(n, (double)ref.value) + ref.err;
        if (kpt_is_float(f)) tol = kpt_tol_float(tol, (double)ref.value);
        double err = fabs(got - (double)ref.value);
        if (!(err <= tol) || (want > 0 && !(got > 0)))
            fail_msg("%s %s (n=%zu): got %a, exact %La, error %.3g > bound %.3g", kpt_names[f],
                     what, n, got, ref.value, err, tol);
    }
}

static void test_nrm2_range(void **state)
{
    const size_t big = 100003;
    double *x = malloc(big * sizeof *x);
    float *xf = malloc(big * sizeof *xf);
    assert_non_null(x);
    assert_non_null(xf);
    kpt_rng r = {4242};
    /* doubles */
    typedef struct {
        const char *what;
        double lo, hi; /* magnitude range, log-uniform */
        size_t n;
    } range_case;
    const range_case dcases[] = {
        {"near 1e300", 1e299, 1e301, big},
        {"near 1e-300", 1e-301, 1e-299, big},
        {"subnormal", 0x1p-1074, 0x1p-1030, big},
        {"smallest subnormal", 0x1p-1074, 0x1p-1074, big},
        {"1e-300 to 1e300", 1e-300, 1e300, big},
        {"near DBL_MAX / 1000", DBL_MAX / 2000, DBL_MAX / 1000, big},
        {"near 1e154 (squares overflow)", 1e153, 1e155, 4097},
        {"near 1e-160 (squares underflow)", 1e-161, 1e-159, 4097},
    };
    for (size_t c = 0; c < NSIZE(dcases); c++) {
        for (size_t i = 0; i < dcases[c].n; i++) {
            double t = kpt_unif(&r);
            double v = exp(log(dcases[c].lo) + t * (log(dcases[c].hi) - log(dcases[c].lo)));
            if (dcases[c].lo == dcases[c].hi) v = dcases[c].lo;
            x[i] = (kpt_next(&r) & 1) ? -v : v;
        }
        check_nrm2(KPT_DNRM2, x, dcases[c].n, dcases[c].what);
        for (size_t n = 1; n <= 3; n++)
            check_nrm2(KPT_DNRM2, x, n, dcases[c].what);
    }
    /* one huge and many tiny, the huge one in the last block */
    for (size_t i = 0; i < big; i++)
        x[i] = 1e-300 * (1 + kpt_unif(&r));
    x[big - 5] = 3e300;
    check_nrm2(KPT_DNRM2, x, big, "one 3e300 among 1e-300s");
    const double ends[][3] = {
        {DBL_MAX, 0, 0},
        {DBL_MAX, DBL_MAX, 0},
        {DBL_MAX / 2, DBL_MAX / 2, 0},
        {-DBL_MAX, 1, 0},
        {0x1p-1074, 0, 0},
        {0x1p-1074, 0x1p-1074, 0x1p-1074},
        {DBL_MIN, -DBL_MIN, 0},
        {3e-320, 4e-320, 0},
        {3e300, -4e300, 0},
        {0x1p-1074, DBL_MAX / 4, 0},
    };
    for (size_t c = 0; c < NSIZE(ends); c++) {
        char what[40];
        snprintf(what, sizeof what, "end case %zu", c);
        check_nrm2(KPT_DNRM2, ends[c], ends[c][2] != 0 ? 3 : 2, what);
    }
    /* floats */
    const range_case fcases[] = {
        {"near 1e35", 1e34f, 1e35f, big},
        {"near 1e-35", 1e-36f, 1e-35f, big},
        {"float subnormal", 0x1p-149, 0x1p-127, big},
        {"smallest float subnormal", 0x1p-149, 0x1p-149, big},
        {"1e-38 to 1e36", 1e-38, 1e36, big},
    };
    for (size_t c = 0; c < NSIZE(fcases); c++) {
        for (size_t i = 0; i < fcases[c].n; i++) {
            double t = kpt_unif(&r);
            double v = exp(log(fcases[c].lo) + t * (log(fcases[c].hi) - log(fcases[c].lo)));
            if (fcases[c].lo == fcases[c].hi) v = fcases[c].lo;
            xf[i] = (float)((kpt_next(&r) & 1) ? -v : v);
        }
        check_nrm2(KPT_SNRM2, xf, fcases[c].n, fcases[c].what);
        for (size_t n = 1; n <= 3; n++)
            check_nrm2(KPT_SNRM2, xf, n, fcases[c].what);
    }
    const float fends[][2] = {
        {FLT_MAX, 0},           {FLT_MAX, FLT_MAX}, {FLT_MAX / 2, FLT_MAX / 2}, {0x1p-149f, 0},
        {0x1p-149f, 0x1p-149f}, {3e37f, -4e37f},    {0x1p-149f, FLT_MAX / 4},
    };
    for (size_t c = 0; c < NSIZE(fends); c++) {
        char what[40];
        snprintf(what, sizeof what, "float end case %zu", c);
        check_nrm2(KPT_SNRM2, fends[c], 2, what);
    }
    free(x);
    free(xf);
}

/* Any infinity gives +Inf, wherever the NaNs are; else any NaN gives NaN. */
static void test_nrm2_inf_nan(void **state)
{
    const size_t n = 20000;
    double *x = malloc(n * sizeof *x);
    float *xf = malloc(n * sizeof *xf);
    assert_non_null(x);
    assert_non_null(xf);
    typedef struct {
        size_t pos[2];
        double val[2];
        int inf; /* 1: +Inf expected, 0: NaN */
    } special;
    const special cases[] = {
        {{0, 1}, {NAN, INFINITY}, 1},      {{0, 1}, {INFINITY, NAN}, 1},
        {{3, 19999}, {NAN, -INFINITY}, 1}, {{19999, 3}, {NAN, -INFINITY}, 1},
        {{100, 8000}, {NAN, NAN}, 0},      {{100, 8000}, {-INFINITY, 1}, 1},
        {{4096, 4095}, {-NAN, 2}, 0},      {{5, 16000}, {INFINITY, INFINITY}, 1},
    };
    const size_t lens[] = {2, 3, 33, 4097, n};
    const int workers[] = {1, 2, -1};
    kpt_rng r = {99};
    for (size_t c = 0; c < NSIZE(cases); c++)
        for (size_t l = 0; l < NSIZE(lens); l++) {
            const size_t m = lens[l];
            if (cases[c].pos[0] >= m || cases[c].pos[1] >= m) continue;
            for (size_t i = 0; i < m; i++)
                x[i] = kpt_wide(&r, -5, 5);
            x[cases[c].pos[0]] = cases[c].val[0];
            x[cases[c].pos[1]] = cases[c].val[1];
            for (size_t i = 0; i < m; i++)
                xf[i] = (float)x[i];
            for (size_t w = 0; w < NSIZE(workers); w++) {
                double gd;
                float gf;
                assert_int_equal(kp_dnrm2(m, x, 1, workers[w], &gd), KP_OK);
                assert_int_equal(kp_snrm2(m, xf, 1, workers[w], &gf), KP_OK);
                int okd = cases[c].inf ? (isinf(gd) && gd > 0) : isnan(gd);
                int okf = cases[c].inf ? (isinf(gf) && gf > 0) : isnan(gf);
                if (!okd || !okf)
                    fail_msg("nrm2 special case %zu, n=%zu, workers %d: got %g (double), %g "
                             "(float), expected %s",
                             c, m, workers[w], gd, (double)gf, cases[c].inf ? "+Inf" : "NaN");
            }
        }
    free(x);
    free(xf);
}

/* ------------------------------------------------------ IEEE special data */

static void test_special_propagation(void **state)
{
    const size_t n = 20000;
    double *x = malloc(n * sizeof *x);
    double *y = malloc(n * sizeof *y);
    assert_non_null(x);
    assert_non_null(y);
    for (size_t i = 0; i < n; i++)
        x[i] = y[i] = 1.0;
    const size_t lens[] = {3, n};
    for (size_t l = 0; l < 2; l++) {
        const size_t m = lens[l], p = m - 2;
        double s, d, a, mean, var;
        x[p] = INFINITY;
        assert_int_equal(kp_dsum(m, x, 1, -1, &s), KP_OK);
        assert_true(isinf(s) && s > 0);
        x[0] = -INFINITY;
        assert_int_equal(kp_dsum(m, x, 1, -1, &s), KP_OK);
        assert_true(isnan(s)); /* Inf + -Inf */
        assert_int_equal(kp_dasum(m, x, 1, -1, &a), KP_OK);
        assert_true(isinf(a) && a > 0);
        x[0] = 1;
        y[p] = 0; /* Inf * 0 */
        assert_int_equal(kp_ddot(m, x, 1, y, 1, -1, &d), KP_OK);
        assert_true(isnan(d));
        y[p] = -2;
        assert_int_equal(kp_ddot(m, x, 1, y, 1, -1, &d), KP_OK);
        assert_true(isinf(d) && d < 0);
        x[p] = NAN;
        assert_int_equal(kp_dsum(m, x, 1, -1, &s), KP_OK);
        assert_true(isnan(s));
        assert_int_equal(kp_dasum(m, x, 1, -1, &a), KP_OK);
        assert_true(isnan(a));
        /* as numpy.mean and numpy.var: NaN in, NaN out */
        assert_int_equal(kp_dmean_var(m, x, 1, 1, -1, &mean, &var), KP_OK);
        assert_true(isnan(mean) && isnan(var));
        x[p] = 1;
        y[p] = 1;
        /* overflow of the sum itself is +Inf, not a wrapped value */
        x[0] = x[1] = DBL_MAX;
        assert_int_equal(kp_dsum(m, x, 1, -1, &s), KP_OK);
        assert_true(isinf(s) && s > 0);
        x[0] = x[1] = 1;
    }
    free(x);
    free(y);
    float xf[3] = {INFINITY, 1, NAN}, s;
    assert_int_equal(kp_ssum(2, xf, 1, 1, &s), KP_OK);
    assert_true(isinf(s));
    assert_int_equal(kp_ssum(3, xf, 1, 1, &s), KP_OK);
    assert_true(isnan(s));
    /* a float sum that only overflows float: accumulated in double, the
     * result is rounded once, to +Inf */
    float big[3] = {FLT_MAX, FLT_MAX, -FLT_MAX};
    assert_int_equal(kp_ssum(3, big, 1, 1, &s), KP_OK);
    assert_true(s == FLT_MAX); /* exact in double: 2 FLT_MAX - FLT_MAX */
    assert_int_equal(kp_ssum(2, big, 1, 1, &s), KP_OK);
    assert_true(isinf(s) && s > 0);
}

/* --------------------------------------------------------------- mean/var */

static void test_meanvar_ddof(void **state)
{
    static const size_t msizes[] = {1, 2, 3, 7, 4097, 100003};
    for (int f = KPT_SMEANVAR; f <= KPT_DMEANVAR; f++)
        for (size_t s = 0; s < NSIZE(msizes); s++) {
            const size_t n = msizes[s];
            const size_t ddofs[] = {0, 1, 2, n - 1, n, n + 1};
            const void *x = data_x((kpt_fn)f, 0);
            kpt_vec v = {kpt_is_float(f) ? NULL : x, kpt_is_float(f) ? x : NULL, n};
            kpt_args a0 = {n, x, 1, NULL, 1, 0, 1, KPT_MEAN};
            const kpt_res mean0 = kpt_call((kpt_fn)f, &a0);
            assert_int_equal(mean0.rc, KP_OK);
            for (size_t k = 0; k < NSIZE(ddofs); k++) {
                const size_t ddof = ddofs[k];
                kpt_args a = {n, x, 1, NULL, 1, ddof, -1, KPT_MEAN | KPT_VAR};
                kpt_res both = kpt_call((kpt_fn)f, &a);
                a.want = KPT_MEAN;
                kpt_res mean_only = kpt_call((kpt_fn)f, &a);
                a.want = KPT_VAR;
                kpt_res var_only = kpt_call((kpt_fn)f, &a);
                assert_int_equal(mean_only.rc, KP_OK);
                if (mean_only.v[0] != mean0.v[0])
                    fail_msg("%s n=%zu: the mean depends on ddof %zu", kpt_names[f], n, ddof);
                if (ddof >= n) {
                    assert_int_equal(both.rc, KP_EINVAL);
                    assert_int_equal(var_only.rc, KP_EINVAL);
                    assert_true(kpt_untouched((kpt_fn)f, &both));
                    assert_true(kpt_untouched((kpt_fn)f, &var_only));
                    continue;
                }
                assert_int_equal(both.rc, KP_OK);
                assert_int_equal(var_only.rc, KP_OK);
                /* one computation: the same bits whichever outputs are asked */
                if (mean_only.v[0] != both.v[0] || var_only.v[1] != both.v[1])
                    fail_msg("%s n=%zu ddof=%zu: mean-only or var-only differs from both",
                             kpt_names[f], n, ddof);
                kpt_ref_mv ref = kpt_ref_meanvar(&v, ddof);
                double tm = kpt_tol_mean(n, ref.meanabs) + ref.mean_err;
                double tv = kpt_tol_var(n, ddof, (double)ref.var, ref.maxabs) + ref.var_err;
                if (kpt_is_float(f)) {
                    tm = kpt_tol_float(tm, (double)ref.mean);
                    tv = kpt_tol_float(tv, (double)ref.var);
                }
                double gm = kpt_val((kpt_fn)f, both.v[0]), gv = kpt_val((kpt_fn)f, both.v[1]);
                if (!(fabs(gm - (double)ref.mean) <= tm) || !(fabs(gv - (double)ref.var) <= tv))
                    fail_msg("%s n=%zu ddof=%zu: mean %a (exact %La, bound %.3g), var %a (exact "
                             "%La, bound %.3g)",
                             kpt_names[f], n, ddof, gm, ref.mean, tm, gv, ref.var, tv);
                if (n == 1 && !(gm == elem((kpt_fn)f, x, 0) && both.v[1] == 0))
                    fail_msg("%s n=1: mean must be x_0 and var +0", kpt_names[f]);
            }
        }
}

/* Data whose partial sums are all exact (k * 1.5, k < 2^51): every mean is
 * exactly 1.5 and every deviation exactly 0, in any order of operations. */
static void test_meanvar_constant(void **state)
{
    const size_t n = 100003;
    double *x = malloc(n * sizeof *x);
    float *xf = malloc(n * sizeof *xf);
    assert_non_null(x);
    assert_non_null(xf);
    for (size_t i = 0; i < n; i++) {
        x[i] = 1.5;
        xf[i] = 1.5f;
    }
    const int workers[] = {1, 7, -1};
    for (size_t w = 0; w < NSIZE(workers); w++)
        for (size_t ddof = 0; ddof < 2; ddof++) {
            double m, v;
            float mf, vf;
            assert_int_equal(kp_dmean_var(n, x, 1, ddof, workers[w], &m, &v), KP_OK);
            assert_int_equal(kp_smean_var(n, xf, 1, ddof, workers[w], &mf, &vf), KP_OK);
            if (!(m == 1.5 && v == 0 && mf == 1.5f && vf == 0))
                fail_msg("constant 1.5, ddof %zu, workers %d: mean %a %a, var %a %a", ddof,
                         workers[w], m, (double)mf, v, (double)vf);
        }
    free(x);
    free(xf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minmax_semantics),    cmocka_unit_test(test_minmax_placement),
        cmocka_unit_test(test_nrm2_range),          cmocka_unit_test(test_nrm2_inf_nan),
        cmocka_unit_test(test_special_propagation), cmocka_unit_test(test_meanvar_ddof),
        cmocka_unit_test(test_meanvar_constant),
    };
    return cmocka_run_group_tests_name("reduce_semantics", tests, kpt_data_setup,
                                       kpt_data_teardown);
}
