/*
 * GEMM against a long double reference: all four types, both layouts, all
 * nine transpose pairs, shapes from empty to tall-skinny and short-wide,
 * padded leading dimensions, alpha and beta in {0, 1, -1, 0.5} (and complex
 * values for c and z), CBLAS's edge cases and NaN / infinity propagation.
 *
 * The sweep runs with a small tile work (kp__gemm_tile_work_force) so that
 * even these shapes are cut into several tiles, and with workers cycling
 * through 1, 2, 3 and -1: tile offsets are checked for every transpose and
 * layout. Half the calls of the larger shapes also shrink the cache edge
 * (kp__gemm_edge_force) to 16, which cuts them into grids of tiles in both
 * directions with clipped last tiles (64 x 65: 4 x 3; 64 x 64: 4 x 4;
 * 127 x 3: 8 x 1), as large products are cut by default. Padding holds sentinel NaNs: a read of it
 * spoils the result, a write to it is caught.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include "test_gemm_util.h"

typedef struct shape {
    size_t m, n, k;
} shape;

/* 0, 1, 2, 3, 7, 64, 65, 127, 257, tall-skinny and short-wide. */
static const shape shapes[] = {
    {0, 3, 2},   {3, 0, 2},   {2, 3, 0},    {1, 1, 1},    {1, 2, 3},    {2, 3, 7},    {3, 7, 2},
    {7, 3, 3},   {7, 7, 7},   {64, 65, 64}, {65, 64, 33}, {127, 3, 65}, {3, 127, 64}, {257, 2, 3},
    {2, 257, 7}, {1, 1, 257}, {300, 4, 9},  {4, 300, 9},  {64, 64, 40},
};
enum { SHAPES = sizeof shapes / sizeof shapes[0] };

static const kp_trans trans[] = {KP_NO_TRANS, KP_TRANS, KP_CONJ_TRANS};
static const double values[] = {0, 1, -1, 0.5};
static const int workers_cycle[] = {1, 2, 3, -1};

static size_t calls;

/* One call and its check. Returns 0 if it passed (else prints why). */
static int one(kp__gemm_type t, kp_layout layout, kp_trans ta, kp_trans tb, shape s,
               kpg_scalar alpha, kpg_scalar beta, size_t pad, int workers, uint64_t seed)
{
    size_t ar = ta == KP_NO_TRANS ? s.m : s.k, ac = ta == KP_NO_TRANS ? s.k : s.m;
    size_t br = tb == KP_NO_TRANS ? s.k : s.n, bc = tb == KP_NO_TRANS ? s.n : s.k;
    kpg_mat a = kpg_alloc(t, layout, ar, ac, pad, seed);
    kpg_mat b = kpg_alloc(t, layout, br, bc, pad + 1, seed + 1);
    kpg_mat c = kpg_alloc(t, layout, s.m, s.n, pad + 2, seed + 2);
    kpg_mat c0 = kpg_copy(&c);
    int rc = kpg_call(t, layout, ta, tb, s.m, s.n, s.k, alpha, a.p, a.ld, b.p, b.ld, beta, c.p,
                      c.ld, workers);
    char why[256] = "";
    size_t bad = rc == KP_OK ? kpg_check(t, ta, tb, s.m, s.n, s.k, alpha, &a, &b, beta, &c0, &c,
                                         why, sizeof why)
                             : 1;
    int intact = kpg_padding_intact(&c, &c0);
    calls++;
    if (rc != KP_OK || bad != 0 || !intact)
        print_error("%sgemm %s ta=%d tb=%d m=%zu n=%zu k=%zu alpha=(%g,%g) beta=(%g,%g) "
                    "workers=%d: rc=%d, %zu bad elements (%s), padding %s\n",
                    kpg_type_names[t], layout == KP_ROW_MAJOR ? "row" : "col", ta, tb, s.m, s.n,
                    s.k, alpha.re, alpha.im, beta.re, beta.im, workers, rc, bad, why,
                    intact ? "intact" : "WRITTEN");
    kpg_free(&a);
    kpg_free(&b);
    kpg_free(&c);
    kpg_free(&c0);
    return rc != KP_OK || bad != 0 || !intact;
}

static void sweep(kp__gemm_type t)
{
    double old = kp__gemm_tile_work_force(500);
    int failures = 0;
    uint64_t seed = 1000 * (uint64_t)t;
    size_t w = 0;
    for (int layout = 0; layout < 2; layout++)
        for (int x = 0; x < 3; x++)
            for (int y = 0; y < 3; y++)
                for (size_t s = 0; s < SHAPES; s++) {
                    int small = shapes[s].m * shapes[s].n * shapes[s].k <= 512;
                    for (int va = 0; va < 4; va++)
                        for (int vb = 0; vb < 4; vb++) {
                            /* Large shapes: two pairs; small ones: all sixteen. */
                            if (!small && !(va == 1 && vb == 0) && !(va == 3 && vb == 2)) continue;
                            kpg_scalar alpha = {values[va], 0}, beta = {values[vb], 0};
                            if (kpg_complex(t) && va == 3) alpha.im = -0.25;
                            if (kpg_complex(t) && vb == 3) beta.im = 0.75;
                            (void)kp__gemm_edge_force(!small && va == 3 ? 16 : 0);
                            failures +=
                                one(t, (kp_layout)layout, trans[x], trans[y], shapes[s], alpha,
                                    beta, (size_t)(s % 3), workers_cycle[w++ % 4], seed++);
                        }
                }
    kp__gemm_tile_work_force(old);
    (void)kp__gemm_edge_force(0);
    assert_int_equal(failures, 0);
}

static void test_sgemm_sweep(void **state)
{
    sweep(KP_GEMM_S);
}
static void test_dgemm_sweep(void **state)
{
    sweep(KP_GEMM_D);
}
/* The real types through OpenBLAS too where the native engine is the
 * choice (OpenBLAS is the engine elsewhere, and for the complex types). */
static void test_sgemm_sweep_openblas(void **state)
{
    kp__gemm_engine_force(KP_GEMM_ENGINE_OPENBLAS);
    sweep(KP_GEMM_S);
}
static void test_dgemm_sweep_openblas(void **state)
{
    kp__gemm_engine_force(KP_GEMM_ENGINE_OPENBLAS);
    sweep(KP_GEMM_D);
}
/* The native engine with its direct kernels off: the small products
 * through its packing too. */
static void test_sgemm_sweep_packed(void **state)
{
    (void)kp__gemm_native_direct_force(0);
    sweep(KP_GEMM_S);
}
static void test_dgemm_sweep_packed(void **state)
{
    (void)kp__gemm_native_direct_force(0);
    sweep(KP_GEMM_D);
}
static void test_cgemm_sweep_packed(void **state)
{
    (void)kp__gemm_native_direct_force(0);
    sweep(KP_GEMM_C);
}
static void test_zgemm_sweep_packed(void **state)
{
    (void)kp__gemm_native_direct_force(0);
    sweep(KP_GEMM_Z);
}
static void test_cgemm_sweep(void **state)
{
    sweep(KP_GEMM_C);
}
static void test_zgemm_sweep(void **state)
{
    sweep(KP_GEMM_Z);
}

/* The reference engine through the same frontend and tiles: a few cases
 * (it is slow), every type. */
static void test_reference_engine(void **state)
{
    kp__gemm_engine_id old = kp__gemm_engine_force(KP_GEMM_ENGINE_REFERENCE);
    double old_work = kp__gemm_tile_work_force(500);
    int failures = 0;
    for (int t = 0; t < KP_GEMM_TYPES; t++)
        for (int x = 0; x < 3; x++) {
            kpg_scalar alpha = {0.5, kpg_complex(t) ? -0.25 : 0}, beta = {-1, 0};
            failures += one((kp__gemm_type)t, x == 1 ? KP_ROW_MAJOR : KP_COL_MAJOR, trans[x],
                            trans[2 - x], (shape){65, 64, 33}, alpha, beta, 1, 2, 77);
        }
    kp__gemm_tile_work_force(old_work);
    kp__gemm_engine_force(old);
    assert_int_equal(failures, 0);
}

/* ---------------------------------------------------------- edge cases */

/* beta == 0 overwrites C without reading it: NaN and Inf in C vanish and
 * C is alpha op(A) op(B) (+0 for k == 0), for a single row or column too
 * (which an engine may hand to its matrix-vector product) and for a
 * product cut into several tiles on two threads. */
static void test_beta_zero_ignores_c(void **state)
{
    static const shape cases[] = {{5, 4, 0}, {5, 4, 2}, {1, 6, 3},
                                  {6, 1, 3}, {1, 1, 5}, {64, 65, 9}};
    double old = kp__gemm_tile_work_force(500); /* 64 x 65 x 9: two tiles */
    for (int t = 0; t < KP_GEMM_TYPES; t++)
        for (size_t s = 0; s < sizeof cases / sizeof cases[0]; s++) {
            const kp__gemm_type ty = (kp__gemm_type)t;
            const size_t m = cases[s].m, n = cases[s].n, k = cases[s].k;
            kpg_mat a = kpg_alloc(ty, KP_COL_MAJOR, m, k, 0, 1);
            kpg_mat b = kpg_alloc(ty, KP_COL_MAJOR, k, n, 0, 2);
            kpg_mat c = kpg_alloc(ty, KP_COL_MAJOR, m, n, 0, 3);
            for (size_t idx = 0; idx < m * n; idx++)
                kpg_set(&c, idx, idx % 2 ? NAN : INFINITY, NAN);
            kpg_mat c0 = kpg_copy(&c);
            kpg_scalar alpha = {k ? -0.5 : 0, kpg_complex(ty) ? 0.25 : 0}, beta = {0, 0};
            assert_int_equal(kpg_call(ty, KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS, m, n, k, alpha,
                                      a.p, a.ld, b.p, b.ld, beta, c.p, c.ld, 2),
                             KP_OK);
            char why[256] = "";
            size_t bad = kpg_check(ty, KP_NO_TRANS, KP_NO_TRANS, m, n, k, alpha, &a, &b, beta, &c0,
                                   &c, why, sizeof why);
            if (bad) fail_msg("%sgemm %zu x %zu x %zu: %s", kpg_type_names[t], m, n, k, why);
            for (size_t idx = 0; idx < m * n && k == 0; idx++) {
                long double re, im;
                kpg_get(&c, idx, &re, &im);
                assert_true(re == 0 && im == 0 && !signbit(re) && !signbit(im));
            }
            kpg_free(&a);
            kpg_free(&b);
            kpg_free(&c);
            kpg_free(&c0);
        }
    kp__gemm_tile_work_force(old);
}

/* Every element of C is exactly f times the one of c0 (f a power of two). */
static void assert_times(const kpg_mat *c, const kpg_mat *c0, long double f)
{
    for (size_t i = 0; i < c->rows; i++)
        for (size_t j = 0; j < c->cols; j++) {
            long double r0, i0, r1, i1;
            kpg_get(c0, kpg_index(c0, i, j), &r0, &i0);
            kpg_get(c, kpg_index(c, i, j), &r1, &i1);
            assert_true(r1 == f * r0 && i1 == f * i0);
        }
}

/* k == 0 or alpha == 0: C = beta C and A and B are not read (NULL is fine
 * for k == 0; NaN in them does not propagate for alpha == 0, whatever
 * beta); beta == 1 leaves C's bits alone. */
static void test_alpha_zero_and_k_zero_scale_c(void **state)
{
    for (int t = 0; t < KP_GEMM_TYPES; t++) {
        kp__gemm_type ty = (kp__gemm_type)t;
        kpg_mat a = kpg_alloc(ty, KP_ROW_MAJOR, 3, 6, 0, 1);
        kpg_mat b = kpg_alloc(ty, KP_ROW_MAJOR, 6, 2, 0, 2);
        for (size_t idx = 0; idx < 18; idx++)
            kpg_set(&a, idx, NAN, NAN);
        kpg_mat c = kpg_alloc(ty, KP_ROW_MAJOR, 3, 2, 0, 3);
        kpg_mat c0 = kpg_copy(&c);
        kpg_scalar zero = {0, 0}, one_ = {1, 0}, half = {0.5, 0};
        /* alpha == 0, beta == 1: untouched bits */
        assert_int_equal(kpg_call(ty, KP_ROW_MAJOR, KP_NO_TRANS, KP_NO_TRANS, 3, 2, 6, zero, a.p,
                                  a.ld, b.p, b.ld, one_, c.p, c.ld, 2),
                         KP_OK);
        assert_memory_equal(c.p, c0.p, c.count * kp__gemm_elem(ty));
        /* alpha == 0, beta == -0.5, NaN in A and B: exactly minus half */
        for (size_t idx = 0; idx < 12; idx++)
            kpg_set(&b, idx, NAN, NAN);
        kpg_scalar minus_half = {-0.5, 0};
        assert_int_equal(kpg_call(ty, KP_ROW_MAJOR, KP_NO_TRANS, KP_NO_TRANS, 3, 2, 6, zero, a.p,
                                  a.ld, b.p, b.ld, minus_half, c.p, c.ld, 2),
                         KP_OK);
        assert_times(&c, &c0, -0.5L);
        memcpy(c.p, c0.p, c.count * kp__gemm_elem(ty));
        /* k == 0 with NULL A and B, beta == 0.5: exactly half */
        assert_int_equal(kpg_call(ty, KP_ROW_MAJOR, KP_NO_TRANS, KP_NO_TRANS, 3, 2, 0, one_, NULL,
                                  1, NULL, 2, half, c.p, c.ld, 2),
                         KP_OK);
        assert_times(&c, &c0, 0.5L);
        assert_true(kpg_padding_intact(&c, &c0));
        kpg_free(&a);
        kpg_free(&b);
        kpg_free(&c);
        kpg_free(&c0);
    }
}

/* m == 0 or n == 0: nothing is read or written, even with NULL C. */
static void test_empty_c_does_nothing(void **state)
{
    double a[4] = {1, 2, 3, 4}, c = 42;
    assert_int_equal(
        kp_dgemm(KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS, 0, 2, 2, 1, NULL, 1, a, 2, 0, NULL, 1, -1),
        KP_OK);
    assert_int_equal(
        kp_dgemm(KP_ROW_MAJOR, KP_NO_TRANS, KP_NO_TRANS, 1, 0, 2, 1, a, 2, NULL, 1, 0, &c, 1, -1),
        KP_OK);
    assert_true(c == 42);
}

/* NaN and infinity in A or B reach the elements they contribute to, as in
 * IEEE arithmetic: row i of op(A) touches row i of C, column j of op(B)
 * column j; Inf * 0 = NaN. */
static void test_nan_inf_propagate(void **state)
{
    enum { M = 70, N = 66, K = 40 };
    double old = kp__gemm_tile_work_force(500); /* several tiles */
    for (int t = 0; t < KP_GEMM_TYPES; t++)
        for (int layout = 0; layout < 2; layout++) {
            kp__gemm_type ty = (kp__gemm_type)t;
            kpg_mat a = kpg_alloc(ty, (kp_layout)layout, M, K, 1, 5);
            kpg_mat b = kpg_alloc(ty, (kp_layout)layout, K, N, 0, 6);
            kpg_mat c = kpg_alloc(ty, (kp_layout)layout, M, N, 2, 7);
            /* Entries exactly 0.5 keep products finite and nonzero. */
            for (size_t l = 0; l < K; l++) {
                for (size_t i = 0; i < M; i++)
                    kpg_set(&a, kpg_index(&a, i, l), 0.5, 0);
                for (size_t j = 0; j < N; j++)
                    kpg_set(&b, kpg_index(&b, l, j), 0.5, 0);
            }
            kpg_set(&a, kpg_index(&a, 3, 7), NAN, 0);       /* row 3 of C: NaN */
            kpg_set(&a, kpg_index(&a, 50, 9), INFINITY, 0); /* row 50: Inf ... */
            kpg_set(&b, kpg_index(&b, 9, 60), 0, 0);        /* ... but NaN at column 60 */
            kpg_scalar alpha = {0.5, 0}, beta = {1, 0};
            assert_int_equal(kpg_call(ty, (kp_layout)layout, KP_NO_TRANS, KP_NO_TRANS, M, N, K,
                                      alpha, a.p, a.ld, b.p, b.ld, beta, c.p, c.ld, -1),
                             KP_OK);
            for (size_t i = 0; i < M; i++)
                for (size_t j = 0; j < N; j++) {
                    long double re, im;
                    kpg_get(&c, kpg_index(&c, i, j), &re, &im);
                    if (i == 3 || (i == 50 && j == 60))
                        assert_true(isnan(re));
                    else if (i == 50 && !kpg_complex(ty))
                        assert_true(isinf(re) && re > 0);
                    else if (i == 50)
                        assert_true(!isfinite(re) || !isfinite(im));
                    else
                        assert_true(isfinite(re) && isfinite(im));
                }
            kpg_free(&a);
            kpg_free(&b);
            kpg_free(&c);
        }
    kp__gemm_tile_work_force(old);
}

/* A NaN already in C propagates when beta != 0. */
static void test_nan_in_c_kept_with_beta(void **state)
{
    double a[4] = {1, 2, 3, 4}, b[4] = {1, 0, 0, 1}, c[4] = {NAN, 0, 0, 0};
    assert_int_equal(
        kp_dgemm(KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS, 2, 2, 2, 1, a, 2, b, 2, 1, c, 2, 1),
        KP_OK);
    assert_true(isnan(c[0]) && c[1] == 2 && c[2] == 3 && c[3] == 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_sgemm_sweep, kpg_hooks_reset),
        cmocka_unit_test_teardown(test_dgemm_sweep, kpg_hooks_reset),
        cmocka_unit_test_teardown(test_sgemm_sweep_openblas, kpg_hooks_reset),
        cmocka_unit_test_teardown(test_dgemm_sweep_openblas, kpg_hooks_reset),
        cmocka_unit_test_teardown(test_sgemm_sweep_packed, kpg_hooks_reset),
        cmocka_unit_test_teardown(test_dgemm_sweep_packed, kpg_hooks_reset),
        cmocka_unit_test_teardown(test_cgemm_sweep_packed, kpg_hooks_reset),
        cmocka_unit_test_teardown(test_zgemm_sweep_packed, kpg_hooks_reset),
        cmocka_unit_test_teardown(test_cgemm_sweep, kpg_hooks_reset),
        cmocka_unit_test_teardown(test_zgemm_sweep, kpg_hooks_reset),
        cmocka_unit_test_teardown(test_reference_engine, kpg_hooks_reset),
        cmocka_unit_test_teardown(test_beta_zero_ignores_c, kpg_hooks_reset),
        cmocka_unit_test_teardown(test_alpha_zero_and_k_zero_scale_c, kpg_hooks_reset),
        cmocka_unit_test_teardown(test_empty_c_does_nothing, kpg_hooks_reset),
        cmocka_unit_test_teardown(test_nan_inf_propagate, kpg_hooks_reset),
        cmocka_unit_test_teardown(test_nan_in_c_kept_with_beta, kpg_hooks_reset),
    };
    int rc = cmocka_run_group_tests_name("gemm_accuracy", tests, NULL, NULL);
    print_message("%zu checked calls\n", calls);
    return rc;
}
