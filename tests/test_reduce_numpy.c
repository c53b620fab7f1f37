/* The reductions against numpy at test time: np.sum, np.dot,
 * np.linalg.norm, np.abs(x).sum(), np.min/argmin/max/argmax (exact, NaN
 * included), np.mean and np.var(ddof), for float64 and float32, on random,
 * ill-conditioned, tied and NaN-containing data, contiguous and strided.
 *
 * The group setup writes every case to a temporary directory and runs
 * tests/reduce_oracle.py once with /usr/bin/python3 (Debian's numpy), before
 * any reduction has started a pool thread. numpy does not add in our order,
 * so each tolerance is our bound (test_reduce_util.h) plus numpy's:
 *   np.sum, np.abs().sum(), np.mean, np.var: numpy's pairwise summation on a
 *     contiguous array (numpy/core/src/umath/loops_utils.h.src): below 8
 *     elements a plain loop; up to 128, eight accumulators, then a tree of
 *     3, then the remainder one by one; above, halves (rounded to a multiple
 *     of 8). Its depth np_depth(n) gives gamma_depth sum|x_i|; the mean adds
 *     a division; np.var is two-pass: (gamma_{depth+3} + u) var +
 *     n e^2 / (n - ddof), with e = (depth + 1) u mean|x_i| the mean's error.
 *   np.dot and np.linalg.norm (sqrt(dot(x, x))) go through BLAS in an order
 *     we do not know: any order of n products and n - 1 additions is within
 *     gamma_n sum|x_i y_i| (Higham, eq. 3.5).
 * Both bounds carry KPT_SAFETY (2) as in the other reduction tests. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "kernpool.h"
#include "test_reduce_util.h"
#include "testutil.h"

#ifndef KP_REDUCE_ORACLE
#error "KP_REDUCE_ORACLE must name tests/reduce_oracle.py"
#endif

#define NSIZE(a) (sizeof(a) / sizeof *(a))

typedef enum { RANDOM, WIDE, CANCEL, OFFSET, NANS, TIES } kind;

typedef struct np_case {
    kind kind;
    size_t n;
    ptrdiff_t incx, incy;
    size_t ddof;
} np_case;

static const char *const kind_names[] = {"random", "wide", "cancel", "offset", "nan", "ties"};

static const np_case cases[] = {
    {RANDOM, 1, 1, 1, 0},       {RANDOM, 2, 1, 1, 1},     {RANDOM, 7, 1, 1, 0},
    {RANDOM, 100, 1, 1, 1},     {RANDOM, 4097, 1, 1, 0},  {RANDOM, 100003, 1, 1, 1},
    {RANDOM, 1000003, 1, 1, 0}, {WIDE, 100003, 1, 1, 1},  {CANCEL, 1000000, 1, 1, 0},
    {OFFSET, 65537, 1, 1, 1},   {NANS, 50000, 1, 1, 1},   {TIES, 30011, 1, 1, 2},
    {RANDOM, 12289, 3, -2, 1},  {RANDOM, 4097, -1, 1, 0}, {TIES, 10007, -5, 7, 1},
    {NANS, 777, 2, -1, 0},      {WIDE, 33, -3, -3, 5},    {OFFSET, 300007, -2, 3, 1},
};
#define NCASE NSIZE(cases)
#define NDT   2 /* float64, float32 */

/* Per case and type: the logical vectors and numpy's 10 answers. */
typedef struct np_data {
    double *xd, *yd; /* contiguous, logical order (float cases: widened) */
    float *xf, *yf;
    double np[10];
} np_data;

static np_data data[NDT][NCASE];
static char dir[] = "/tmp/kp_reduce_numpy_XXXXXX";

static double gen(kind k, kpt_rng *r, size_t i, int is_float)
{
    switch (k) {
    case RANDOM: return 2 * kpt_unif(r) - 1;
    case WIDE: return kpt_wide(r, is_float ? -60 : -100, is_float ? 60 : 100);
    case CANCEL: return kpt_wide(r, 0, is_float ? 20 : 40); /* paired below */
    case OFFSET: return (is_float ? 1e4 : 1e6) + (2 * kpt_unif(r) - 1);
    case NANS: /* a few at random, and two placed in setup() */
        return kpt_below(r, 9000) == 0 ? NAN : 2 * kpt_unif(r) - 1;
    case TIES: {
        long v = (long)kpt_below(r, 11) - 5;
        return v == 0 ? ((kpt_next(r) & 1) ? -0.0 : 0.0) : (double)v;
    }
    }
    return 0;
}

/* The strided buffer of a logical vector: exactly its span, gaps NaN (all
 * bits set is a NaN in both types). */
static void *strided_buffer(const void *v, size_t n, ptrdiff_t inc, size_t es)
{
    const size_t ainc = (size_t)(inc < 0 ? -inc : inc), span = (n - 1) * ainc + 1;
    char *b = malloc(span * es);
    if (b == NULL) return NULL;
    memset(b, 0xff, span * es);
    for (size_t i = 0; i < n; i++)
        memcpy(b + kpt_pos(n, i, inc) * es, (const char *)v + i * es, es);
    return b;
}

static int write_strided(FILE *f, const void *v, size_t n, ptrdiff_t inc, size_t es)
{
    const size_t ainc = (size_t)(inc < 0 ? -inc : inc), span = (n - 1) * ainc + 1;
    void *b = strided_buffer(v, n, inc, es);
    if (b == NULL) return -1;
    size_t w = fwrite(b, es, span, f);
    free(b);
    return w == span ? 0 : -1;
}

static void path_of(char *p, size_t cap, const char *what, int t, size_t c)
{
    snprintf(p, cap, "%s/%s%d_%zu.bin", dir, what, t, c);
}

static int setup(void **state)
{
    if (mkdtemp(dir) == NULL) return -1;
    char manifest[256];
    snprintf(manifest, sizeof manifest, "%s/manifest", dir);
    FILE *m = fopen(manifest, "w");
    if (m == NULL) return -1;
    for (int t = 0; t < NDT; t++)
        for (size_t c = 0; c < NCASE; c++) {
            const np_case *k = &cases[c];
            np_data *d = &data[t][c];
            const size_t n = k->n;
            kpt_rng r = {1000 * (uint64_t)c + (uint64_t)t};
            d->xd = malloc(n * sizeof(double));
            d->yd = malloc(n * sizeof(double));
            d->xf = malloc(n * sizeof(float));
            d->yf = malloc(n * sizeof(float));
            if (!d->xd || !d->yd || !d->xf || !d->yf) return -1;
            for (size_t i = 0; i < n; i++) {
                double vx = gen(k->kind, &r, i, t == 1), vy = 2 * kpt_unif(&r) - 1;
                if (k->kind == CANCEL && (i & 1)) vx = -d->xd[i - 1];
                if (t == 1) {
                    vx = (double)(float)vx;
                    vy = (double)(float)vy;
                }
                d->xd[i] = vx;
                d->yd[i] = vy;
                d->xf[i] = (float)vx;
                d->yf[i] = (float)vy;
            }
            if (k->kind == CANCEL) kpt_shuffle2(&r, d->xd, NULL, n);
            if (k->kind == NANS) d->xd[n / 2] = d->xd[n / 3] = NAN;
            for (size_t i = 0; i < n; i++)
                d->xf[i] = (float)d->xd[i];
            char in[256], out[256];
            path_of(in, sizeof in, "in", t, c);
            path_of(out, sizeof out, "out", t, c);
            FILE *f = fopen(in, "wb");
            if (f == NULL) return -1;
            const size_t es = t == 0 ? sizeof(double) : sizeof(float);
            const void *vx = t == 0 ? (const void *)d->xd : (const void *)d->xf;
            const void *vy = t == 0 ? (const void *)d->yd : (const void *)d->yf;
            int bad = write_strided(f, vx, n, k->incx, es) || write_strided(f, vy, n, k->incy, es);
            if (fclose(f) != 0 || bad) return -1;
            fprintf(m, "%s %s %s %zu %td %td %zu\n", in, out, t == 0 ? "f8" : "f4", n, k->incx,
                    k->incy, k->ddof);
        }
    if (fclose(m) != 0) return -1;
    if (kp_test_run_python(KP_REDUCE_ORACLE, manifest) != 0) return -1;
    for (int t = 0; t < NDT; t++)
        for (size_t c = 0; c < NCASE; c++) {
            char out[256];
            path_of(out, sizeof out, "out", t, c);
            FILE *f = fopen(out, "rb");
            if (f == NULL) return -1;
            size_t got = fread(data[t][c].np, sizeof(double), 10, f);
            fclose(f);
            if (got != 10) return -1;
        }
    return 0;
}

static int teardown(void **state)
{
    char p[256];
    for (int t = 0; t < NDT; t++)
        for (size_t c = 0; c < NCASE; c++) {
            path_of(p, sizeof p, "in", t, c);
            unlink(p);
            path_of(p, sizeof p, "out", t, c);
            unlink(p);
            free(data[t][c].xd);
            free(data[t][c].yd);
            free(data[t][c].xf);
            free(data[t][c].yf);
        }
    snprintf(p, sizeof p, "%s/manifest", dir);
    unlink(p);
    rmdir(dir);
    return 0;
}

/* numpy's pairwise_sum: the greatest number of roundings on any element's
 * path (see the comment at the top). */
static int np_depth(size_t n)
{
    if (n < 8) return n > 0 ? (int)n - 1 : 0;
    if (n <= 128) return (int)((n - n % 8) / 8 - 1 + 3 + n % 8);
    size_t n2 = n / 2;
    n2 -= n2 % 8;
    int a = np_depth(n2), b = np_depth(n - n2);
    return 1 + (a > b ? a : b);
}

typedef struct verdict {
    int bad;
} verdict;

static void close_to(verdict *v, const char *label, const np_case *k, double ours, double np,
                     double tol)
{
    if (isnan(np) || isnan(ours)) {
        if (isnan(np) && isnan(ours)) return;
    } else if (fabs(ours - np) <= tol) {
        return;
    }
    print_error("%s on %s n=%zu incx %td incy %td ddof %zu: ours %.17g, numpy %.17g, "
                "difference %.3g > tolerance %.3g\n",
                label, kind_names[k->kind], k->n, k->incx, k->incy, k->ddof, ours, np,
                fabs(ours - np), tol);
    v->bad++;
}

static void same_extreme(verdict *v, const char *label, const np_case *k, double ours, size_t i,
                         double np, double np_i)
{
    int same_value = isnan(np) ? isnan(ours) : ours == np;
    if (same_value && (double)i == np_i) return;
    print_error("%s on %s n=%zu incx %td: ours %.17g at %zu, numpy %.17g at %.0f\n", label,
                kind_names[k->kind], k->n, k->incx, ours, i, np, np_i);
    v->bad++;
}

static kpt_res ours(kpt_fn f, const kpt_args *a)
{
    kpt_res r = kpt_call(f, a);
    if (r.rc != KP_OK) fail_msg("%s: rc %d", kpt_names[f], r.rc);
    return r;
}

static void compare(int t, size_t c, verdict *v)
{
    const np_case *k = &cases[c];
    const np_data *d = &data[t][c];
    const size_t n = k->n;
    const int fl = t == 1;
    const size_t es = fl ? sizeof(float) : sizeof(double);
    const void *lx = fl ? (const void *)d->xf : (const void *)d->xd;
    const void *ly = fl ? (const void *)d->yf : (const void *)d->yd;
    void *sx = strided_buffer(lx, n, k->incx, es);
    void *sy = strided_buffer(ly, n, k->incy, es);
    assert_non_null(sx);
    assert_non_null(sy);

    /* magnitudes for the bounds, from the (widened) logical vectors */
    kpt_vec vx = {d->xd, NULL, n}, vy = {d->yd, NULL, n};
    const kpt_ref sa = kpt_ref_sum(&vx, 1);
    const kpt_ref da = kpt_ref_dot(&vx, &vy);
    /* (rounded to double: 4 u more makes them bounds on the exact values) */
    const double sumabs = sa.sumabs * (1 + 4 * KPT_U), maxabs = sa.maxabs;
    const double meanabs = sumabs / (double)n, sumabsprod = da.sumabs * (1 + 4 * KPT_U);

    const int dnp = np_depth(n);
    const double *np = d->np;
    const kpt_fn fsum = fl ? KPT_SSUM : KPT_DSUM, fdot = fl ? KPT_SDOT : KPT_DDOT;
    const kpt_fn fnrm = fl ? KPT_SNRM2 : KPT_DNRM2, fasum = fl ? KPT_SASUM : KPT_DASUM;
    const kpt_fn fmm = fl ? KPT_SMINMAX : KPT_DMINMAX, fmv = fl ? KPT_SMEANVAR : KPT_DMEANVAR;
    const kpt_args a = {n, sx, k->incx, sy, k->incy, k->ddof, -1, KPT_ALL};
    kpt_res r;
    double tol;
#define FLT(tol, ref) (fl ? kpt_tol_float(tol, ref) : (tol))

    r = ours(fsum, &a);
    tol = kpt_tol_sum(n, sumabs) + KPT_SAFETY * kpt_gamma(dnp) * sumabs;
    close_to(v, kpt_names[fsum], k, kpt_val(fsum, r.v[0]), np[0], FLT(tol, np[0]));

    r = ours(fdot, &a);
    tol = kpt_tol_dot(n, sumabsprod) + KPT_SAFETY * kpt_gamma((double)n) * sumabsprod;
    close_to(v, kpt_names[fdot], k, kpt_val(fdot, r.v[0]), np[1], FLT(tol, np[1]));

    r = ours(fnrm, &a);
    tol = kpt_tol_nrm2(n, np[2]) + KPT_SAFETY * (kpt_gamma((double)n) / 2 + KPT_U) * fabs(np[2]);
    close_to(v, kpt_names[fnrm], k, kpt_val(fnrm, r.v[0]), np[2], FLT(tol, np[2]));

    r = ours(fasum, &a);
    tol = kpt_tol_sum(n, sumabs) + KPT_SAFETY * kpt_gamma(dnp) * sumabs;
    close_to(v, kpt_names[fasum], k, kpt_val(fasum, r.v[0]), np[3], FLT(tol, np[3]));

    r = ours(fmm, &a);
    same_extreme(v, "min/argmin", k, kpt_val(fmm, r.v[0]), r.i[0], np[4], np[5]);
    same_extreme(v, "max/argmax", k, kpt_val(fmm, r.v[1]), r.i[1], np[6], np[7]);

    r = ours(fmv, &a);
    tol = kpt_tol_mean(n, meanabs) + KPT_SAFETY * (dnp + 1) * KPT_U * meanabs;
    close_to(v, "mean", k, kpt_val(fmv, r.v[0]), np[8], FLT(tol, np[8]));
    const double e_np = (dnp + 1) * KPT_U * meanabs;
    const double var = fabs(np[9]);
    tol = kpt_tol_var(n, k->ddof, var, maxabs) +
          KPT_SAFETY * ((kpt_gamma(dnp + 3) + KPT_U) * var +
                        (double)n * e_np * e_np / (double)(n - k->ddof));
    close_to(v, "var", k, kpt_val(fmv, r.v[1]), np[9], FLT(tol, np[9]));
#undef FLT
    free(sx);
    free(sy);
}

static void test_numpy_float64(void **state)
{
    verdict v = {0};
    for (size_t c = 0; c < NCASE; c++)
        compare(0, c, &v);
    if (v.bad) fail_msg("%d differences from numpy beyond the bounds", v.bad);
}

static void test_numpy_float32(void **state)
{
    verdict v = {0};
    for (size_t c = 0; c < NCASE; c++)
        compare(1, c, &v);
    if (v.bad) fail_msg("%d differences from numpy beyond the bounds", v.bad);
}

/* The data sets are what they claim: NaN cases hold a NaN, tie cases hold
 * repeated extremes and both zeros (else the exact comparisons above would
 * prove less than they seem). */
static void test_data_sets(void **state)
{
    for (size_t c = 0; c < NCASE; c++) {
        const np_data *d = &data[0][c];
        size_t nans = 0, negzero = 0, poszero = 0, minus5 = 0;
        for (size_t i = 0; i < cases[c].n; i++) {
            nans += isnan(d->xd[i]) != 0;
            negzero += d->xd[i] == 0 && signbit(d->xd[i]);
            poszero += d->xd[i] == 0 && !signbit(d->xd[i]);
            minus5 += d->xd[i] == -5;
        }
        if (cases[c].kind == NANS) assert_true(nans >= 1);
        if (cases[c].kind == TIES) assert_true(negzero > 1 && poszero > 1 && minus5 > 1);
        if (cases[c].kind == NANS) assert_true(isnan(data[0][c].np[4]));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_data_sets),
        cmocka_unit_test(test_numpy_float64),
        cmocka_unit_test(test_numpy_float32),
    };
    return cmocka_run_group_tests_name("reduce_numpy", tests, setup, teardown);
}
