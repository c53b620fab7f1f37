/* Properties of the reductions that hold bit for bit: bad input (each code,
 * the order of the checks, outputs untouched), empty input, the same bits
 * for every workers value, every alignment, a strided vector and its
 * contiguous copy, and every ISA path; the tree over blocks; the pool's
 * shared use (small n on the caller, concurrent and nested callers). The
 * semantics of min/max, nrm2, special values and mean/var:
 * test_reduce_semantics.c. Registered twice: once as is, once with
 * KERNPOOL_CPU_BUDGET=8 so that workers 3 and 7 really mean 3 and 7
 * threads. */
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
#include "test_reduce_data.h"
#include "testutil.h"

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
 * the portable path, on ordinary, tied and special (NaN, Inf) data. The
 * sizes give a block every count of leaves the kernels' trees split
 * differently: 1 to 4 (600: 3), 5 to 8 (1300: 6; 2048: 8), 9 to 12 (2049,
 * 2600, 3072) and 13 to 16 (3300, 4095). */
static void test_isa_paths(void **state)
{
    static const size_t isizes[] = {1,    2,    3,    7,    15,   16,   17,   31,   32,    33,
                                    63,   64,   65,   255,  256,  257,  600,  1000, 1300,  2048,
                                    2049, 2600, 3072, 3300, 4095, 4096, 4097, 8193, 65537, 100003};
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
        cmocka_unit_test(test_block_tree),
        cmocka_unit_test(test_small_n_stays_on_caller),
        cmocka_unit_test(test_concurrent_callers),
        cmocka_unit_test(test_nested_calls),
    };
    return cmocka_run_group_tests_name("reduce_props", tests, kpt_data_setup, kpt_data_teardown);
}
