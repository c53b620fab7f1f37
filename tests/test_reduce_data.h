/*
 * The data and helpers of the reduction property tests (test_reduce_props.c,
 * test_reduce_semantics.c): the shared vectors, made once per test program
 * by kpt_data_setup, element access, the failure report, the contract's
 * min/max written out, and strided copies. Include after cmocka.h and
 * test_reduce_util.h.
 */
#ifndef KP_TEST_REDUCE_DATA_H
#define KP_TEST_REDUCE_DATA_H

#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NSIZE(a) (sizeof(a) / sizeof *(a))

/* The longest vector the tests read (test_reduce_props.c's largest size). */
#define NMAX ((size_t)(1u << 20) + 4097)

/* Shared data, made once: wide-range values whose sums depend on the order
 * of additions, and small integers with many ties (and signed zeros). */
static double *wide_d, *wide_y_d, *ties_d;
static float *wide_f, *wide_y_f, *ties_f;

static inline int kpt_data_setup(void **state)
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

static inline int kpt_data_teardown(void **state)
{
    free(wide_d);
    free(wide_y_d);
    free(ties_d);
    free(wide_f);
    free(wide_y_f);
    free(ties_f);
    return 0;
}

static inline const void *data_x(kpt_fn f, int ties)
{
    if (ties) return kpt_is_float(f) ? (const void *)ties_f : (const void *)ties_d;
    return kpt_is_float(f) ? (const void *)wide_f : (const void *)wide_d;
}

static inline const void *data_y(kpt_fn f)
{
    return kpt_is_float(f) ? (const void *)wide_y_f : (const void *)wide_y_d;
}

static inline double elem(kpt_fn f, const void *x, size_t i)
{
    return kpt_is_float(f) ? (double)((const float *)x)[i] : ((const double *)x)[i];
}

static inline uint64_t elem_bits(kpt_fn f, const void *x, size_t i)
{
    return kpt_is_float(f) ? kpt_fbits(((const float *)x)[i]) : kpt_dbits(((const double *)x)[i]);
}

static inline void report(const char *what, kpt_fn f, size_t n, const kpt_res *want,
                          const kpt_res *got)
{
    fail_msg("%s: %s n=%zu: expected rc %d v %016" PRIx64 " %016" PRIx64 " i %zu %zu, got rc %d "
             "v %016" PRIx64 " %016" PRIx64 " i %zu %zu",
             what, kpt_names[f], n, want->rc, want->v[0], want->v[1], want->i[0], want->i[1],
             got->rc, got->v[0], got->v[1], got->i[0], got->i[1]);
}

/* The contract's min/max, written out: the first NaN wins both; otherwise
 * strict comparisons keep the first of equal values (-0.0 == +0.0). */
static inline kpt_res minmax_ref(kpt_fn f, const void *x, size_t n)
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

static inline int minmax_matches(kpt_fn f, const kpt_res *want, const kpt_res *got)
{
    if (got->rc != KP_OK || got->i[0] != want->i[0] || got->i[1] != want->i[1]) return 0;
    for (int k = 0; k < 2; k++) {
        double w = kpt_val(f, want->v[k]), g = kpt_val(f, got->v[k]);
        if (isnan(w) ? !isnan(g) : got->v[k] != want->v[k]) return 0;
    }
    return 1;
}

/* A strided copy of the first n elements of `src` in a buffer of exactly the
 * span (so a sanitizer sees any read past it), gaps NaN (all bits set). */
static inline void *strided(kpt_fn f, const void *src, size_t n, ptrdiff_t inc)
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

#endif
