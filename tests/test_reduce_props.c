/* Properties of the reductions that hold bit for bit, or by the header's
 * rules: bad input (each code, the order of the checks, outputs untouched),
 * empty input, the same bits for every workers value, every alignment, a
 * strided vector and its contiguous copy, and every ISA path; min/max ties,
 * signed zeros, NaN and infinities; nrm2 at the ends of the range; mean/var
 * and ddof. Registered twice: once as is, once with KERNPOOL_CPU_BUDGET=8 so
 * that workers 3 and 7 really mean 3 and 7 threads. */
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "kernels/reduce/reduce.h"
#include "kernpool.h"
#include "sched/internal.h"
#include "test_reduce_util.h"
#include "testutil.h"

#define NSIZE(a) (sizeof(a) / sizeof *(a))

/* Sizes around lanes (32), leaves (256 = 8 per lane), blocks (4096), primes,
 * and a block count that is not a power of two. */
static const size_t sizes[] = {
    1,        2,
    3,        7,
    31,       32,
    33,       255,
    256,      257,
    1000,     4095,
    4096,     4097,
    8191,     12289,
    20481,    65537,
    100003,   (1u << 20) - 1,
    1u << 20, (1u << 20) + 4097,
};
#define NMAX ((size_t)(1u << 20) + 4097)

/* Shared data, made once: wide-range values whose sums depend on the order
 * of additions, and small integers with many ties (and signed zeros). */
static double *wide_d, *wide_y_d, *ties_d;
static float *wide_f, *wide_y_f, *ties_f;

static int setup(void **state)
{
    wide_d = malloc(NMAX * sizeof *wide_d);
    wide_y_d = malloc(NMAX * sizeof *wide_y_d);
    ties_d = malloc(NMAX * sizeof *ties_d);
    wide_f = malloc(NMAX * sizeof *wide_f);
    wide_y_f = malloc(NMAX * sizeof *wide_y_f);
    ties_f = malloc(NMAX * sizeof *ties_f);
    if (!wide_d || !wide_y_d || !ties_d || !wide_f || !wide_y_f || !ties_f) return -1;
    kpt_rng r = {12345};
    for (size_t i = 0; i < NMAX; i++) {
        /* float-representable, so the float and double vectors are equal */
        wide_d[i] = (double)(float)kpt_wide(&r, -20, 20);
        wide_y_d[i] = (double)(float)kpt_wide(&r, -20, 20);
        long k = (long)kpt_below(&r, 61) - 30;
        ties_d[i] = k == 0 ? ((kpt_next(&r) & 1) ? -0.0 : 0.0) : (double)k;
        wide_f[i] = (float)wide_d[i];
        wide_y_f[i] = (float)wide_y_d[i];
        ties_f[i] = (float)ties_d[i];
    }
    return 0;
}

static int teardown(void **state)
{
    free(wide_d);
    free(wide_y_d);
    free(ties_d);
    free(wide_f);
    free(wide_y_f);
    free(ties_f);
    return 0;
}

static const void *data_x(kpt_fn f, int ties)
{
    if (ties) return kpt_is_float(f) ? (const void *)ties_f : (const void *)ties_d;
    return kpt_is_float(f) ? (const void *)wide_f : (const void *)wide_d;
}

static const void *data_y(kpt_fn f)
{
    return kpt_is_float(f) ? (const void *)wide_y_f : (const void *)wide_y_d;
}

static double elem(kpt_fn f, const void *x, size_t i)
{
    return kpt_is_float(f) ? (double)((const float *)x)[i] : ((const double *)x)[i];
}

static uint64_t elem_bits(kpt_fn f, const void *x, size_t i)
{
    return kpt_is_float(f) ? kpt_fbits(((const float *)x)[i]) : kpt_dbits(((const double *)x)[i]);
}

static void report(const char *what, kpt_fn f, size_t n, const kpt_res *want, const kpt_res *got)
{
    fail_msg("%s: %s n=%zu: expected rc %d v %016" PRIx64 " %016" PRIx64 " i %zu %zu, got rc %d "
             "v %016" PRIx64 " %016" PRIx64 " i %zu %zu",
             what, kpt_names[f], n, want->rc, want->v[0], want->v[1], want->i[0], want->i[1],
             got->rc, got->v[0], got->v[1], got->i[0], got->i[1]);
}

/* ------------------------------------------------------------ bad input */

typedef struct bad_case {
    const char *what;
    size_t n;
    int xnull, ynull;
    ptrdiff_t incx, incy;
    unsigned want;
    int rc; /* for n == 0 and KP_OK, min/max and mean/var expect KP_EEMPTY */
} bad_case;

/* y is valid (and incy 1) unless the case says otherwise; the cases are
 * built so that only the named cause, or the first in the header's order
 * (ENULL, ESTRIDE, EOVERFLOW, then the function's own), applies. */
static const bad_case common_cases[] = {
    {"output NULL", 5, 0, 0, 1, 1, KPT_NONE, KP_ENULL},
    {"output NULL, n 0, x NULL", 0, 1, 1, 1, 1, KPT_NONE, KP_ENULL},
    {"output NULL before x NULL, incx 0, span", SIZE_MAX, 1, 1, 0, 0, KPT_NONE, KP_ENULL},
    {"x NULL, n 1", 1, 1, 0, 1, 1, KPT_ALL, KP_ENULL},
    {"x NULL before incx 0", 5, 1, 0, 0, 1, KPT_ALL, KP_ENULL},
    {"x NULL before span", SIZE_MAX, 1, 0, 1, 1, KPT_ALL, KP_ENULL},
    {"incx 0", 5, 0, 0, 0, 1, KPT_ALL, KP_ESTRIDE},
    {"incx 0, n 0", 0, 0, 0, 0, 1, KPT_ALL, KP_ESTRIDE},
    {"incx 0, n 0, x NULL", 0, 1, 1, 0, 1, KPT_ALL, KP_ESTRIDE},
    {"incx 0 before span", SIZE_MAX, 0, 0, 0, 1, KPT_ALL, KP_ESTRIDE},
    {"span, n SIZE_MAX", SIZE_MAX, 0, 0, 1, 1, KPT_ALL, KP_EOVERFLOW},
    {"span, n SIZE_MAX, incx -1", SIZE_MAX, 0, 0, -1, 1, KPT_ALL, KP_EOVERFLOW},
    {"span, incx PTRDIFF_MAX", 2, 0, 0, PTRDIFF_MAX, 1, KPT_ALL, KP_EOVERFLOW},
    {"span, incx -PTRDIFF_MAX", 2, 0, 0, -PTRDIFF_MAX, 1, KPT_ALL, KP_EOVERFLOW},
    {"span, incx PTRDIFF_MIN", 2, 0, 0, PTRDIFF_MIN, 1, KPT_ALL, KP_EOVERFLOW},
    {"n 0, x NULL", 0, 1, 1, 1, 1, KPT_ALL, KP_OK},
    {"n 0, x NULL, incx -3", 0, 1, 1, -3, -2, KPT_ALL, KP_OK},
    {"n 0, incx 5", 0, 0, 0, 5, 1, KPT_ALL, KP_OK},
    /* a span of 0 elements cannot overflow, whatever the increment */
    {"n 1, incx PTRDIFF_MIN", 1, 0, 0, PTRDIFF_MIN, PTRDIFF_MIN, KPT_ALL, KP_OK},
    {"n 1, incx PTRDIFF_MAX", 1, 0, 0, PTRDIFF_MAX, PTRDIFF_MAX, KPT_ALL, KP_OK},
    {"n 1, incx -1", 1, 0, 0, -1, -1, KPT_ALL, KP_OK},
};

static const bad_case dot_cases[] = {
    {"y NULL", 3, 0, 1, 1, 1, KPT_ALL, KP_ENULL},
    {"y NULL before incx 0", 3, 0, 1, 0, 1, KPT_ALL, KP_ENULL},
    {"y NULL before incy 0", 3, 0, 1, 1, 0, KPT_ALL, KP_ENULL},
    {"y NULL before x's span", 2, 0, 1, PTRDIFF_MAX, 1, KPT_ALL, KP_ENULL},
    {"incy 0", 3, 0, 0, 1, 0, KPT_ALL, KP_ESTRIDE},
    {"incy 0, n 0", 0, 0, 0, 1, 0, KPT_ALL, KP_ESTRIDE},
    {"incy 0 before x's span", 2, 0, 0, PTRDIFF_MAX, 0, KPT_ALL, KP_ESTRIDE},
    {"incx 0 before y's span", 2, 0, 0, 0, PTRDIFF_MIN, KPT_ALL, KP_ESTRIDE},
    {"y's span, incy PTRDIFF_MIN", 2, 0, 0, 1, PTRDIFF_MIN, KPT_ALL, KP_EOVERFLOW},
    {"y's span, incy PTRDIFF_MAX", 2, 0, 0, -1, PTRDIFF_MAX, KPT_ALL, KP_EOVERFLOW},
    {"n 0, y NULL", 0, 0, 1, 1, 1, KPT_ALL, KP_OK},
    {"n 0, x and y NULL, incy -4", 0, 1, 1, 2, -4, KPT_ALL, KP_OK},
};

static const double small_d[8] = {-2.5, 3.0, 0.5, -1.0, 4.0, 2.0, -8.0, 1.0};
static const float small_f[8] = {-2.5f, 3.0f, 0.5f, -1.0f, 4.0f, 2.0f, -8.0f, 1.0f};

/* Checks one case against `rc`; on success, the values for n 0 or n 1
 * (x and y are the same array: x_0 = y_0 = -2.5). Prints a mismatch and
 * returns 1, so that a table reports all its mismatches at once. */
static int check_case(kpt_fn f, const bad_case *c, int rc, size_t ddof)
{
    const void *buf = kpt_is_float(f) ? (const void *)small_f : (const void *)small_d;
    kpt_args a = {c->n,   c->xnull ? NULL : buf, c->incx, c->ynull ? NULL : buf, c->incy, ddof, 1,
                  c->want};
    kpt_res r = kpt_call(f, &a);
    if (r.rc != rc) {
        print_error("%s, %s (ddof %zu): returned %d (%s), expected %d (%s)\n", kpt_names[f],
                    c->what, ddof, r.rc, kp_strerror(r.rc), rc, kp_strerror(rc));
        return 1;
    }
    if (rc != KP_OK) {
        if (kpt_untouched(f, &r)) return 0;
        print_error("%s, %s: an output was written\n", kpt_names[f], c->what);
        return 1;
    }
    /* n == 0: +0.0 exactly; n == 1: the one element (x_0 = -2.5). */
    const int one = c->n == 1;
    const double x0 = -2.5;
    double v0 = kpt_val(f, r.v[0]), v1 = kpt_val(f, r.v[1]);
    int ok = 1;
    switch (f) {
    case KPT_SSUM:
    case KPT_DSUM: ok = one ? v0 == x0 : r.v[0] == 0; break;
    case KPT_SDOT:
    case KPT_DDOT: ok = one ? v0 == x0 * x0 : r.v[0] == 0; break;
    case KPT_SNRM2:
    case KPT_DNRM2:
    case KPT_SASUM:
    case KPT_DASUM: ok = one ? v0 == -x0 : r.v[0] == 0; break;
    case KPT_SMINMAX:
    case KPT_DMINMAX: ok = v0 == x0 && v1 == x0 && r.i[0] == 0 && r.i[1] == 0; break;
    case KPT_SMEANVAR:
    case KPT_DMEANVAR: ok = v0 == x0 && r.v[1] == 0; break;
    default: ok = 0;
    }
    if (ok) return 0;
    print_error("%s, %s: wrong value %g %g\n", kpt_names[f], c->what, v0, v1);
    return 1;
}

static void test_bad_input_common(void **state)
{
    int bad = 0;
    for (int f = 0; f < KPT_COUNT; f++)
        for (size_t k = 0; k < NSIZE(common_cases); k++) {
            const bad_case *c = &common_cases[k];
            int rc = c->rc;
            if (rc == KP_OK && c->n == 0 && (kpt_is_minmax(f) || kpt_is_meanvar(f))) rc = KP_EEMPTY;
            bad += check_case((kpt_fn)f, c, rc, 0);
        }
    if (bad) fail_msg("%d mismatches", bad);
}

static void test_bad_input_dot(void **state)
{
    int bad = 0;
    for (int f = KPT_SDOT; f <= KPT_DDOT; f++)
        for (size_t k = 0; k < NSIZE(dot_cases); k++)
            bad += check_case((kpt_fn)f, &dot_cases[k], dot_cases[k].rc, 0);
    if (bad) fail_msg("%d mismatches", bad);
}

/* The span (n - 1) |inc| elemsize overflows only through the element size,
 * or right at the edge. Each of these overflows size_t (so any reading of
 * "overflows", SIZE_MAX or PTRDIFF_MAX, agrees). */
static void test_bad_input_span_edges(void **state)
{
    int bad = 0;
    for (int f = 0; f < KPT_COUNT; f++) {
        const size_t es = kpt_elem((kpt_fn)f);
        const bad_case cases[] = {
            {"(n-1) elemsize just over SIZE_MAX", SIZE_MAX / es + 2, 0, 0, 1, 1, KPT_ALL,
             KP_EOVERFLOW},
            {"2 |incx| fits, times elemsize not", 3, 0, 0, (ptrdiff_t)(SIZE_MAX / (2 * es) + 1), 1,
             KPT_ALL, KP_EOVERFLOW},
            {"incx -7", SIZE_MAX / es / 7 + 2, 0, 0, -7, 1, KPT_ALL, KP_EOVERFLOW},
            {"incy, elemsize", 3, 0, 0, 1, -(ptrdiff_t)(SIZE_MAX / (2 * es) + 1), KPT_ALL,
             KP_EOVERFLOW},
        };
        for (size_t k = 0; k < NSIZE(cases); k++) {
            if (k == 3 && !kpt_is_dot((kpt_fn)f)) continue;
            bad += check_case((kpt_fn)f, &cases[k], cases[k].rc, 0);
        }
    }
    if (bad) fail_msg("%d mismatches", bad);
}

static void test_bad_input_minmax(void **state)
{
    const unsigned singles[] = {KPT_MIN, KPT_IMIN, KPT_MAX, KPT_IMAX, KPT_MIN | KPT_IMAX};
    for (int f = KPT_SMINMAX; f <= KPT_DMINMAX; f++) {
        const void *buf = kpt_is_float(f) ? (const void *)small_f : (const void *)small_d;
        /* n 0 with any outputs: KP_EEMPTY, nothing written */
        for (size_t k = 0; k < NSIZE(singles); k++) {
            kpt_args a = {0, buf, 1, NULL, 1, 0, 1, singles[k]};
            kpt_res r = kpt_call((kpt_fn)f, &a);
            assert_int_equal(r.rc, KP_EEMPTY);
            assert_true(kpt_untouched((kpt_fn)f, &r));
            a.x = NULL; /* x may be NULL when n is 0 */
            r = kpt_call((kpt_fn)f, &a);
            assert_int_equal(r.rc, KP_EEMPTY);
            assert_true(kpt_untouched((kpt_fn)f, &r));
        }
        /* any one output alone is enough, and matches the full call */
        kpt_args a = {8, buf, 1, NULL, 1, 0, 1, KPT_ALL};
        kpt_res full = kpt_call((kpt_fn)f, &a);
        assert_int_equal(full.rc, KP_OK);
        assert_int_equal(full.i[0], 6); /* -8 */
        assert_int_equal(full.i[1], 4); /* 4 */
        for (size_t k = 0; k < NSIZE(singles); k++) {
            a.want = singles[k];
            kpt_res r = kpt_call((kpt_fn)f, &a);
            assert_int_equal(r.rc, KP_OK);
            const uint64_t s = kpt_is_float(f) ? KPT_SENT_F : KPT_SENT_D;
            assert_true(r.v[0] == ((a.want & KPT_MIN) ? full.v[0] : s));
            assert_true(r.i[0] == ((a.want & KPT_IMIN) ? full.i[0] : KPT_SENT_I));
            assert_true(r.v[1] == ((a.want & KPT_MAX) ? full.v[1] : s));
            assert_true(r.i[1] == ((a.want & KPT_IMAX) ? full.i[1] : KPT_SENT_I));
        }
    }
}

static void test_bad_input_meanvar(void **state)
{
    int bad = 0;
    for (int f = KPT_SMEANVAR; f <= KPT_DMEANVAR; f++) {
        const bad_case cases[] = {
            {"n 0", 0, 0, 0, 1, 1, KPT_MEAN | KPT_VAR, KP_EEMPTY},
            {"n 0, mean only", 0, 0, 0, 1, 1, KPT_MEAN, KP_EEMPTY},
            {"n 0, var only", 0, 0, 0, 1, 1, KPT_VAR, KP_EEMPTY},
            {"n 0, x NULL", 0, 1, 0, -2, 1, KPT_VAR, KP_EEMPTY},
            {"n 0, no output", 0, 0, 0, 1, 1, KPT_NONE, KP_ENULL},
            {"n 0, incx 0", 0, 0, 0, 0, 1, KPT_MEAN, KP_ESTRIDE},
        };
        for (size_t k = 0; k < NSIZE(cases); k++)
            for (size_t ddof = 0; ddof < 2; ddof++)
                bad += check_case((kpt_fn)f, &cases[k], cases[k].rc, ddof);
        const bad_case var3 = {"n 3, var", 3, 0, 0, 1, 1, KPT_VAR, 0};
        const bad_case both3 = {"n 3, mean and var", 3, 0, 0, 1, 1, KPT_MEAN | KPT_VAR, 0};
        const bad_case both1 = {"n 1, mean and var", 1, 0, 0, 1, 1, KPT_MEAN | KPT_VAR, 0};
        const bad_case span = {"span before ddof", SIZE_MAX, 0, 0, 1, 1, KPT_VAR, 0};
        const bad_case nulls = {"x NULL before ddof", 3, 1, 0, 1, 1, KPT_VAR, 0};
        bad += check_case((kpt_fn)f, &var3, KP_EINVAL, 3);
        bad += check_case((kpt_fn)f, &var3, KP_EINVAL, 4);
        bad += check_case((kpt_fn)f, &var3, KP_EINVAL, SIZE_MAX);
        bad += check_case((kpt_fn)f, &both3, KP_EINVAL, 3);
        bad += check_case((kpt_fn)f, &both3, KP_EINVAL, SIZE_MAX);
        bad += check_case((kpt_fn)f, &both1, KP_EINVAL, 1);
        bad += check_case((kpt_fn)f, &span, KP_EOVERFLOW, SIZE_MAX);
        bad += check_case((kpt_fn)f, &nulls, KP_ENULL, SIZE_MAX);
        /* the mean alone needs no ddof < n */
        const void *buf = kpt_is_float(f) ? (const void *)small_f : (const void *)small_d;
        for (size_t ddof = 2; ddof < 6; ddof += 3) {
            kpt_args a = {3, buf, 1, NULL, 1, ddof, 1, KPT_MEAN};
            kpt_res r = kpt_call((kpt_fn)f, &a);
            assert_int_equal(r.rc, KP_OK);
            double tm = kpt_tol_mean(3, 6.0 / 3);
            if (kpt_is_float(f)) tm = kpt_tol_float(tm, 1.0 / 3);
            assert_true(fabs(kpt_val((kpt_fn)f, r.v[0]) - 1.0 / 3) <= tm);
            assert_true(r.v[1] == (kpt_is_float(f) ? KPT_SENT_F : KPT_SENT_D));
        }
        kpt_args a = {3, buf, 1, NULL, 1, 2, 1, KPT_MEAN | KPT_VAR}; /* ddof n - 1 */
        kpt_res r = kpt_call((kpt_fn)f, &a);
        assert_int_equal(r.rc, KP_OK);
        /* mean 1/3, deviations -17/6, 16/6, 1/6: M2 = 546/36, var = M2 / 1 */
        double var = kpt_val((kpt_fn)f, r.v[1]), tv = kpt_tol_var(3, 2, 546.0 / 36, 3.0);
        if (kpt_is_float(f)) tv = kpt_tol_float(tv, 546.0 / 36);
        assert_true(fabs(var - 546.0 / 36) <= tv);
    }
    if (bad) fail_msg("%d mismatches", bad);
}

/* n == 0: +0.0 for sum, dot, nrm2 and asum, with any increment, at any
 * workers. */
static void test_empty(void **state)
{
    const ptrdiff_t incs[] = {1, -1, 5, -7};
    const int workers[] = {1, -1, 7};
    for (int f = 0; f < KPT_COUNT; f++)
        for (size_t k = 0; k < NSIZE(incs); k++)
            for (size_t w = 0; w < NSIZE(workers); w++) {
                kpt_args a = {0, data_x((kpt_fn)f, 0), incs[k], data_y((kpt_fn)f), incs[k],
                              0, workers[w],           KPT_ALL};
                kpt_res r = kpt_call((kpt_fn)f, &a);
                if (kpt_is_minmax(f) || kpt_is_meanvar(f)) {
                    assert_int_equal(r.rc, KP_EEMPTY);
                    assert_true(kpt_untouched((kpt_fn)f, &r));
                } else {
                    assert_int_equal(r.rc, KP_OK);
                    if (r.v[0] != 0) fail_msg("%s n=0: %016" PRIx64, kpt_names[f], r.v[0]);
                }
            }
}

/* ----------------------------------------------------- same bits always */

/* The contract's min/max, written out: the first NaN wins both; otherwise
 * strict comparisons keep the first of equal values (-0.0 == +0.0). */
static kpt_res minmax_ref(kpt_fn f, const void *x, size_t n)
{
    kpt_res r = {KP_OK, {0, 0}, {0, 0}};
    size_t imin = 0, imax = 0;
    for (size_t i = 0; i < n; i++) {
        double v = elem(f, x, i);
        if (isnan(v)) {
            imin = imax = i;
            break;
        }
        if (i == 0) continue;
        if (v < elem(f, x, imin)) imin = i;
        if (v > elem(f, x, imax)) imax = i;
    }
    r.i[0] = imin;
    r.i[1] = imax;
    r.v[0] = elem_bits(f, x, imin);
    r.v[1] = elem_bits(f, x, imax);
    return r;
}

static int minmax_matches(kpt_fn f, const kpt_res *want, const kpt_res *got)
{
    if (got->rc != KP_OK || got->i[0] != want->i[0] || got->i[1] != want->i[1]) return 0;
    for (int k = 0; k < 2; k++) {
        double w = kpt_val(f, want->v[k]), g = kpt_val(f, got->v[k]);
        if (isnan(w) ? !isnan(g) : got->v[k] != want->v[k]) return 0;
    }
    return 1;
}

static void test_workers_invariance(void **state)
{
    const int workers[] = {2, 3, 7, -1, 0, 1};
    for (size_t s = 0; s < NSIZE(sizes); s++) {
        const size_t n = sizes[s];
        for (int f = 0; f < KPT_COUNT; f++)
            for (int ties = 0; ties < 2; ties++) {
                kpt_args a = {n,      data_x((kpt_fn)f, ties), 1, data_y((kpt_fn)f), 1, n > 1, 1,
                              KPT_ALL};
                kpt_res ref = kpt_call((kpt_fn)f, &a);
                if (ref.rc != KP_OK) fail_msg("%s n=%zu: rc %d", kpt_names[f], n, ref.rc);
                if (kpt_is_minmax(f)) {
                    kpt_res want = minmax_ref((kpt_fn)f, a.x, n);
                    if (!minmax_matches((kpt_fn)f, &want, &ref))
                        report("min/max against the definition", (kpt_fn)f, n, &want, &ref);
                }
                for (size_t w = 0; w < NSIZE(workers); w++) {
                    a.workers = workers[w];
                    kpt_res got = kpt_call((kpt_fn)f, &a);
                    if (!kpt_same(&ref, &got)) {
                        char what[64];
                        snprintf(what, sizeof what, "workers %d vs 1%s", workers[w],
                                 ties ? " (ties)" : "");
                        report(what, (kpt_fn)f, n, &ref, &got);
                    }
                }
                /* workers 0 under a thread default of 4 */
                int old = kp_set_workers(4);
                a.workers = 0;
                kpt_res got = kpt_call((kpt_fn)f, &a);
                kp_set_workers(old);
                if (!kpt_same(&ref, &got)) report("default 4 vs 1", (kpt_fn)f, n, &ref, &got);
            }
    }
}

/* The same values at element offsets 0..15 from a 64-byte boundary, the
 * rest of the buffer NaN (a read outside the vector poisons the result). */
static void test_alignment(void **state)
{
    static const size_t asizes[] = {1, 2, 7, 33, 257, 4097, 12289, 65537};
    const size_t cap = 65537 + 16 + 15; /* a multiple of 8: aligned_alloc wants 64-byte sizes */
    double *bx = aligned_alloc(64, cap * sizeof(double));
    double *by = aligned_alloc(64, cap * sizeof(double));
    assert_non_null(bx);
    assert_non_null(by);
    for (int f = 0; f < KPT_COUNT; f++) {
        const size_t es = kpt_elem((kpt_fn)f);
        for (size_t s = 0; s < NSIZE(asizes); s++) {
            const size_t n = asizes[s];
            kpt_res ref = {0};
            for (size_t off = 0; off < 16; off++) {
                const size_t offy = (off * 5) % 16;
                for (size_t i = 0; i < cap; i++) {
                    bx[i] = NAN;
                    by[i] = NAN;
                }
                if (es == sizeof(float)) {
                    float *fx = (float *)bx, *fy = (float *)by;
                    for (size_t i = 0; i < 2 * cap; i++)
                        fx[i] = fy[i] = NAN;
                    memcpy(fx + off, data_x((kpt_fn)f, 0), n * es);
                    memcpy(fy + offy, data_y((kpt_fn)f), n * es);
                } else {
                    memcpy(bx + off, data_x((kpt_fn)f, 0), n * es);
                    memcpy(by + offy, data_y((kpt_fn)f), n * es);
                }
                kpt_args a = {
                    n,      (const char *)bx + off * es, 1, (const char *)by + offy * es, 1, 0, -1,
                    KPT_ALL};
                kpt_res got = kpt_call((kpt_fn)f, &a);
                if (off == 0) {
                    ref = got;
                    assert_int_equal(ref.rc, KP_OK);
                } else if (!kpt_same(&ref, &got)) {
                    char what[64];
                    snprintf(what, sizeof what, "x at offset %zu, y at %zu vs 0", off, offy);
                    report(what, (kpt_fn)f, n, &ref, &got);
                }
            }
        }
    }
    free(bx);
    free(by);
}

/* A strided copy of the first n elements of `src` in a buffer of exactly the
 * span (so a sanitizer sees any read past it), gaps NaN (all bits set). */
static void *strided(kpt_fn f, const void *src, size_t n, ptrdiff_t inc)
{
    const size_t es = kpt_elem(f), ainc = (size_t)(inc < 0 ? -inc : inc);
    const size_t span = (n - 1) * ainc + 1;
    void *b = malloc(span * es);
    if (b == NULL) return NULL;
    memset(b, 0xff, span * es);
    for (size_t i = 0; i < n; i++) {
        if (es == sizeof(float))
            ((float *)b)[kpt_pos(n, i, inc)] = ((const float *)src)[i];
        else
            ((double *)b)[kpt_pos(n, i, inc)] = ((const double *)src)[i];
    }
    return b;
}

/* Strided copies of x and y in both types, made once for all functions. */
typedef struct strided_set {
    void *x[2], *y[2]; /* [0] float, [1] double */
} strided_set;

static void strided_make(strided_set *set, const void *xf, const void *xd, const void *yf,
                         const void *yd, size_t n, ptrdiff_t incx, ptrdiff_t incy)
{
    set->x[0] = strided(KPT_SSUM, xf, n, incx);
    set->x[1] = strided(KPT_DSUM, xd, n, incx);
    set->y[0] = strided(KPT_SSUM, yf, n, incy);
    set->y[1] = strided(KPT_DSUM, yd, n, incy);
    for (int t = 0; t < 2; t++) {
        assert_non_null(set->x[t]);
        assert_non_null(set->y[t]);
    }
}

static void strided_free(strided_set *set)
{
    for (int t = 0; t < 2; t++) {
        free(set->x[t]);
        free(set->y[t]);
    }
}

static void test_strides(void **state)
{
    static const size_t ssizes[] = {1, 2, 3, 31, 33, 257, 4097, 65537, 100003};
    static const ptrdiff_t incs[][2] = {
        {2, -1}, {3, 1}, {7, 2}, {-1, 3}, {-3, 7}, {1, -2}, {-1, -1}, {-7, 1},
    };
    for (size_t s = 0; s < NSIZE(ssizes); s++)
        for (int ties = 0; ties < 2; ties++)
            for (size_t k = 0; k < NSIZE(incs); k++) {
                const size_t n = ssizes[s];
                strided_set set;
                strided_make(&set, data_x(KPT_SSUM, ties), data_x(KPT_DSUM, ties), data_y(KPT_SSUM),
                             data_y(KPT_DSUM), n, incs[k][0], incs[k][1]);
                for (int f = 0; f < KPT_COUNT; f++) {
                    kpt_args a = {n,      data_x((kpt_fn)f, ties), 1, data_y((kpt_fn)f), 1, 1, -1,
                                  KPT_ALL};
                    kpt_res ref = kpt_call((kpt_fn)f, &a);
                    const int t = !kpt_is_float(f);
                    kpt_args b = {n, set.x[t], incs[k][0], set.y[t], incs[k][1], 1, -1, KPT_ALL};
                    kpt_res got = kpt_call((kpt_fn)f, &b);
                    if (!kpt_same(&ref, &got)) {
                        char what[64];
                        snprintf(what, sizeof what, "incx %td incy %td vs contiguous", b.incx,
                                 b.incy);
                        report(what, (kpt_fn)f, n, &ref, &got);
                    }
                }
                strided_free(&set);
            }
}

/* Every path the CPU supports, from the portable one up, gives the bits of
 * the portable path, on ordinary, tied and special (NaN, Inf) data. */
static void test_isa_paths(void **state)
{
    static const size_t isizes[] = {1,    2,    3,    7,    15,   16,    17,    31,
                                    32,   33,   63,   64,   65,   255,   256,   257,
                                    1000, 4095, 4096, 4097, 8193, 65537, 100003};
    static const ptrdiff_t incs[][2] = {{1, 1}, {-1, 2}, {3, -1}};
    static const int workers[] = {1, -1};
    const kp__isa best = kp__isa_supported();
    const kp__isa orig = kp__isa_force(KP_ISA_PORTABLE);
    print_message("ISA paths checked: portable..%s\n", kp__isa_name(best));
    for (int isa = KP_ISA_PORTABLE; isa <= (int)best; isa++) {
        kp__isa_force((kp__isa)isa);
        assert_int_equal(kp__isa_selected(), isa);
    }
    /* special data: wide values with a NaN and infinities sprinkled */
    double *sp_d = malloc(100003 * sizeof *sp_d);
    float *sp_f = malloc(100003 * sizeof *sp_f);
    assert_non_null(sp_d);
    assert_non_null(sp_f);
    for (size_t i = 0; i < 100003; i++)
        sp_d[i] = wide_d[i];
    sp_d[40] = INFINITY;
    sp_d[70] = -INFINITY;
    sp_d[5000] = NAN;
    sp_d[9000] = INFINITY;
    for (size_t i = 0; i < 100003; i++)
        sp_f[i] = (float)sp_d[i];

    for (size_t s = 0; s < NSIZE(isizes); s++)
        for (size_t j = 0; j < NSIZE(incs); j++)
            for (int kind = 0; kind < 3; kind++) {
                const size_t n = isizes[s];
                strided_set set;
                strided_make(&set, kind < 2 ? data_x(KPT_SSUM, kind) : sp_f,
                             kind < 2 ? data_x(KPT_DSUM, kind) : sp_d, data_y(KPT_SSUM),
                             data_y(KPT_DSUM), n, incs[j][0], incs[j][1]);
                for (int f = 0; f < KPT_COUNT; f++)
                    for (size_t w = 0; w < NSIZE(workers); w++) {
                        const int t = !kpt_is_float(f);
                        kpt_args a = {n,          set.x[t], incs[j][0], set.y[t],
                                      incs[j][1], 1,        workers[w], KPT_ALL};
                        kp__isa_force(KP_ISA_PORTABLE);
                        const kpt_res base = kpt_call((kpt_fn)f, &a);
                        for (int isa = KP_ISA_PORTABLE + 1; isa <= (int)best; isa++) {
                            kp__isa_force((kp__isa)isa);
                            kpt_res got = kpt_call((kpt_fn)f, &a);
                            if (!kpt_same(&base, &got)) {
                                char what[96];
                                snprintf(what, sizeof what,
                                         "%s vs portable, incx %td, workers %d, data %d",
                                         kp__isa_name((kp__isa)isa), incs[j][0], workers[w], kind);
                                kp__isa_force(orig);
                                report(what, (kpt_fn)f, n, &base, &got);
                            }
                        }
                    }
                strided_free(&set);
            }
    kp__isa_force(orig);
    assert_int_equal(kp__isa_selected(), orig);
    free(sp_d);
    free(sp_f);
}

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

/* ------------------------------------- the tree over blocks, as a model */

/* The pairwise tree of reduce.h over v[0 .. count): T(N) = T(P) + T(N - P),
 * P the largest power of two below N. */
static double tree_model(const double *v, size_t count)
{
    if (count == 1) return v[0];
    size_t p = 1;
    while (2 * p < count)
        p *= 2;
    return tree_model(v, p) + tree_model(v + p, count - p);
}

/* Blocks whose sums are exact (one nonzero element each, of wide range), so
 * the result is the tree over those values, whatever the kernels do inside a
 * block. Block counts where the pool's groups hold 1, 2 and 4 blocks (at most
 * 1024 groups) and where the caller runs alone, at several workers. */
static void test_block_tree(void **state)
{
    const size_t counts[] = {3, 40, 1100, 2049};
    const size_t nmax = 2049 * (size_t)KP_BLOCK;
    double *x = calloc(nmax, sizeof *x), *ones = malloc(nmax * sizeof *ones);
    double *v = malloc(2049 * sizeof *v), *av = malloc(2049 * sizeof *av);
    assert_true(x && ones && v && av);
    kpt_rng r = {777};
    for (size_t b = 0; b < 2049; b++) {
        v[b] = kpt_wide(&r, -30, 30);
        av[b] = fabs(v[b]);
        x[b * KP_BLOCK + kpt_below(&r, KP_BLOCK - 100)] = v[b];
    }
    for (size_t i = 0; i < nmax; i++)
        ones[i] = 1.0;
    const int workers[] = {1, 2, 3, -1};
    for (size_t c = 0; c < NSIZE(counts); c++) {
        size_t n = counts[c] * KP_BLOCK - 100; /* the last block partial */
        double sum = tree_model(v, counts[c]), asum = tree_model(av, counts[c]);
        for (size_t w = 0; w < NSIZE(workers); w++) {
            double got[3];
            assert_int_equal(kp_dsum(n, x, 1, workers[w], &got[0]), KP_OK);
            assert_int_equal(kp_ddot(n, x, 1, ones, 1, workers[w], &got[1]), KP_OK);
            assert_int_equal(kp_dasum(n, x, 1, workers[w], &got[2]), KP_OK);
            if (got[0] != sum || got[1] != sum || got[2] != asum)
                fail_msg("%zu blocks, workers %d: sum %a dot %a asum %a, the tree gives %a, %a",
                         counts[c], workers[w], got[0], got[1], got[2], sum, asum);
        }
    }
    free(x);
    free(ones);
    free(v);
    free(av);
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

/* ------------------------------------------------ the pool, shared use */

/* "Small n runs on the caller without touching the pool, whatever workers
 * says", and "more workers must never be slower" (DESIGN.md): up to three
 * blocks (12288 elements, a few microseconds of work, about one fork-join)
 * at workers -1 and 7 start no pool thread. */
static void small_child(void *arg)
{
    setenv("KERNPOOL_CPU_BUDGET", "4", 1);
    CHILD_CHECK(kp_cpu_budget() == 4);
    const size_t small[] = {1, 33, 4096, 12288};
    for (int f = 0; f < KPT_COUNT; f++)
        for (size_t s = 0; s < NSIZE(small); s++)
            for (int w = -1; w <= 7; w += 8) {
                kpt_args a = {small[s], data_x((kpt_fn)f, 0), 1, data_y((kpt_fn)f), 1, 0, w,
                              KPT_ALL};
                kpt_res r = kpt_call((kpt_fn)f, &a);
                CHILD_CHECK(r.rc == KP_OK);
                kp_pool_info info;
                CHILD_CHECK(kp_pool_info_get(&info) == KP_OK);
                if (info.threads_alive != 0) {
                    fprintf(stderr, "%s n=%zu workers %d started %d pool threads\n", kpt_names[f],
                            small[s], w, info.threads_alive);
                    _exit(1);
                }
            }
}

static void test_small_n_stays_on_caller(void **state)
{
    assert_int_equal(kp_test_in_child(small_child, NULL, 120), 0);
}

/* Reference results for the shared-use tests: all twelve functions on
 * 2^20 + 4097 elements, serial. */
typedef struct shared_run {
    kpt_res want[KPT_COUNT];
    int bad;
} shared_run;

static void run_all(shared_run *s, int workers, int record)
{
    for (int f = 0; f < KPT_COUNT; f++) {
        kpt_args a = {NMAX, data_x((kpt_fn)f, 0), 1, data_y((kpt_fn)f), 1, 1, workers, KPT_ALL};
        kpt_res r = kpt_call((kpt_fn)f, &a);
        if (record)
            s->want[f] = r;
        else if (!kpt_same(&s->want[f], &r))
            s->bad++;
    }
}

typedef struct caller {
    const shared_run *ref;
    shared_run mine;
    int workers;
} caller;

static void *caller_main(void *arg)
{
    caller *c = arg;
    c->mine = *c->ref;
    c->mine.bad = 0;
    for (int rep = 0; rep < 2; rep++)
        run_all(&c->mine, c->workers, 0);
    return NULL;
}

/* Four threads reduce at once on the one pool: each gets the serial bits. */
static void test_concurrent_callers(void **state)
{
    shared_run ref = {.bad = 0};
    run_all(&ref, 1, 1);
    caller c[4];
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        c[i].ref = &ref;
        c[i].workers = i % 2 ? -1 : 3;
        assert_int_equal(pthread_create(&t[i], NULL, caller_main, &c[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        if (c[i].mine.bad) fail_msg("caller %d: %d results differ from serial", i, c[i].mine.bad);
    }
}

typedef struct nest {
    const shared_run *ref;
    int bad[4];
} nest;

static void nested_body(void *ctx, size_t begin, size_t end)
{
    nest *n = ctx;
    for (size_t i = begin; i < end; i++) {
        shared_run s = *n->ref;
        s.bad = 0;
        run_all(&s, -1, 0);
        n->bad[i] = s.bad;
    }
}

/* Reductions called from inside kp_parallel_for (nested use of the pool). */
static void test_nested_calls(void **state)
{
    shared_run ref = {.bad = 0};
    run_all(&ref, 1, 1);
    nest n = {&ref, {0}};
    assert_int_equal(kp_parallel_for(4, 1, nested_body, &n, -1), KP_OK);
    for (int i = 0; i < 4; i++)
        if (n.bad[i]) fail_msg("nested call %d: %d results differ from serial", i, n.bad[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_input_common),
        cmocka_unit_test(test_bad_input_dot),
        cmocka_unit_test(test_bad_input_span_edges),
        cmocka_unit_test(test_bad_input_minmax),
        cmocka_unit_test(test_bad_input_meanvar),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_workers_invariance),
        cmocka_unit_test(test_alignment),
        cmocka_unit_test(test_strides),
        cmocka_unit_test(test_isa_paths),
        cmocka_unit_test(test_minmax_semantics),
        cmocka_unit_test(test_minmax_placement),
        cmocka_unit_test(test_block_tree),
        cmocka_unit_test(test_nrm2_range),
        cmocka_unit_test(test_nrm2_inf_nan),
        cmocka_unit_test(test_special_propagation),
        cmocka_unit_test(test_meanvar_ddof),
        cmocka_unit_test(test_meanvar_constant),
        cmocka_unit_test(test_small_n_stays_on_caller),
        cmocka_unit_test(test_concurrent_callers),
        cmocka_unit_test(test_nested_calls),
    };
    return cmocka_run_group_tests_name("reduce_props", tests, setup, teardown);
}
