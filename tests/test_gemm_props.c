/*
 * GEMM's properties: bad arguments (each cause its own code, C untouched),
 * the same bits for every workers value, overlap detection, the grid's
 * shape, concurrent callers, and OpenBLAS never starting a thread.
 *
 * ctest runs this twice: as is (the machine's budget) and with
 * KERNPOOL_CPU_BUDGET=8, where workers 3 and -1 mean 3 and 8 threads.
 */
#include <dirent.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include <cmocka.h>

#include "test_gemm_util.h"
#include "testutil.h"

/* ---------------------------------------------------------- bad input */

typedef struct bad_case {
    const char *what;
    int expect;
    kp_layout layout;
    kp_trans ta, tb;
    size_t m, n, k, lda, ldb, ldc;
    int null_a, null_b, null_c, null_alpha;
} bad_case;

/* A, B, C below are 8 x 8 arrays; the sizes in each case stay inside them
 * unless the case is about overflow (then nothing may be read). */
static const bad_case bad_cases[] = {
    {"layout", KP_EINVAL, (kp_layout)2, KP_NO_TRANS, KP_NO_TRANS, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0},
    {"layout -1", KP_EINVAL, (kp_layout)-1, KP_NO_TRANS, KP_NO_TRANS, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0},
    {"ta", KP_EINVAL, KP_COL_MAJOR, (kp_trans)3, KP_NO_TRANS, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0},
    {"tb", KP_EINVAL, KP_COL_MAJOR, KP_NO_TRANS, (kp_trans)-1, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0},
    {"enum before NULL", KP_EINVAL, KP_COL_MAJOR, (kp_trans)9, KP_NO_TRANS, 2, 2, 2, 2, 2, 2, 1, 1,
     1, 0},
    {"NULL a", KP_ENULL, KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS, 2, 2, 2, 2, 2, 2, 1, 0, 0, 0},
    {"NULL b", KP_ENULL, KP_ROW_MAJOR, KP_TRANS, KP_NO_TRANS, 2, 2, 2, 2, 2, 2, 0, 1, 0, 0},
    {"NULL c", KP_ENULL, KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS, 2, 2, 2, 2, 2, 2, 0, 0, 1, 0},
    {"NULL alpha", KP_ENULL, KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS, 2, 2, 2, 2, 2, 2, 0, 0, 0, 1},
    {"NULL before ld", KP_ENULL, KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS, 2, 2, 2, 0, 0, 0, 1, 0, 0,
     0},
    /* column-major: A m x k needs lda >= m; row-major: lda >= k */
    {"col lda < m", KP_ESTRIDE, KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS, 3, 2, 2, 2, 2, 3, 0, 0, 0,
     0},
    {"row lda < k", KP_ESTRIDE, KP_ROW_MAJOR, KP_NO_TRANS, KP_NO_TRANS, 2, 2, 3, 2, 2, 2, 0, 0, 0,
     0},
    {"col trans lda < k", KP_ESTRIDE, KP_COL_MAJOR, KP_TRANS, KP_NO_TRANS, 2, 2, 3, 2, 3, 2, 0, 0,
     0, 0},
    {"row trans lda < m", KP_ESTRIDE, KP_ROW_MAJOR, KP_CONJ_TRANS, KP_NO_TRANS, 3, 2, 2, 2, 2, 2, 0,
     0, 0, 0},
    {"col ldb < k", KP_ESTRIDE, KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS, 2, 2, 3, 2, 2, 2, 0, 0, 0,
     0},
    {"row ldb < n", KP_ESTRIDE, KP_ROW_MAJOR, KP_NO_TRANS, KP_NO_TRANS, 2, 3, 2, 2, 2, 3, 0, 0, 0,
     0},
    {"col ldc < m", KP_ESTRIDE, KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS, 3, 2, 2, 3, 2, 2, 0, 0, 0,
     0},
    {"row ldc < n", KP_ESTRIDE, KP_ROW_MAJOR, KP_NO_TRANS, KP_NO_TRANS, 2, 3, 2, 2, 3, 2, 0, 0, 0,
     0},
    {"ld 0 with m 0", KP_ESTRIDE, KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS, 0, 2, 2, 1, 2, 0, 0, 0, 0,
     0},
    {"extent of A", KP_EOVERFLOW, KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS, 2, 2, SIZE_MAX / 4, 2,
     SIZE_MAX / 4, 2, 0, 0, 0, 0},
    {"extent of C", KP_EOVERFLOW, KP_ROW_MAJOR, KP_NO_TRANS, KP_NO_TRANS, SIZE_MAX / 4, 1, 1, 1, 1,
     1, 0, 0, 0, 0},
    {"rows alone", KP_EOVERFLOW, KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS, SIZE_MAX / 2, 1, 1,
     SIZE_MAX / 2, 1, SIZE_MAX / 2, 0, 0, 0, 0},
    /* one matrix's extent alone, by its leading dimension */
    {"col A alone", KP_EOVERFLOW, KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS, 1, 1, 2, SIZE_MAX / 4, 2,
     1, 0, 0, 0, 0},
    {"col B alone", KP_EOVERFLOW, KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS, 1, 2, 1, 1, SIZE_MAX / 4,
     1, 0, 0, 0, 0},
    {"col C alone", KP_EOVERFLOW, KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS, 1, 2, 1, 1, 1,
     SIZE_MAX / 4, 0, 0, 0, 0},
    {"row A alone", KP_EOVERFLOW, KP_ROW_MAJOR, KP_NO_TRANS, KP_NO_TRANS, 2, 1, 1, SIZE_MAX / 4, 1,
     1, 0, 0, 0, 0},
    {"row B alone", KP_EOVERFLOW, KP_ROW_MAJOR, KP_NO_TRANS, KP_NO_TRANS, 1, 1, 2, 2, SIZE_MAX / 4,
     1, 0, 0, 0, 0},
    {"row C alone", KP_EOVERFLOW, KP_ROW_MAJOR, KP_NO_TRANS, KP_NO_TRANS, 2, 1, 1, 1, 1,
     SIZE_MAX / 4, 0, 0, 0, 0},
    {"m n product", KP_EOVERFLOW, KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS, (size_t)1 << 32,
     (size_t)1 << 32, 1, (size_t)1 << 32, 1, (size_t)1 << 32, 0, 0, 0, 0},
    {"k beyond int", KP_ENOTSUP, KP_ROW_MAJOR, KP_NO_TRANS, KP_TRANS, 1, 1, (size_t)INT_MAX + 1,
     (size_t)INT_MAX + 1, (size_t)INT_MAX + 1, 1, 0, 0, 0, 0},
    {"ldc beyond int", KP_ENOTSUP, KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS, 1, 1, 1, 1, 1,
     (size_t)INT_MAX + 1, 0, 0, 0, 0},
};
enum { BAD_CASES = sizeof bad_cases / sizeof bad_cases[0] };

static void test_bad_arguments(void **state)
{
    /* Complex double is the largest element: 8 x 8 of them serve every type.
     * C lies below A and B, so that the cases whose A or B extends far past
     * its array (k beyond int) do not reach C. */
    static double mem[3 * 128];
    double *c = mem, *a = mem + 128, *b = mem + 256, c0[128];
    for (int i = 0; i < 128; i++) {
        a[i] = i;
        b[i] = -i;
        c0[i] = c[i] = 1000 + i;
    }
    for (size_t i = 0; i < BAD_CASES; i++)
        for (int t = 0; t < KP_GEMM_TYPES; t++) {
            const bad_case *x = &bad_cases[i];
            if (x->null_alpha && !kpg_complex((kp__gemm_type)t)) continue;
            kpg_scalar one = {1, 0};
            int rc;
            if (x->null_alpha) {
                rc = t == KP_GEMM_C
                         ? kp_cgemm(x->layout, x->ta, x->tb, x->m, x->n, x->k, NULL, (float *)a,
                                    x->lda, (float *)b, x->ldb, (float *)c0, (float *)c, x->ldc, 1)
                         : kp_zgemm(x->layout, x->ta, x->tb, x->m, x->n, x->k, c0, a, x->lda, b,
                                    x->ldb, NULL, c, x->ldc, 1);
            } else {
                rc = kpg_call((kp__gemm_type)t, x->layout, x->ta, x->tb, x->m, x->n, x->k, one,
                              x->null_a ? NULL : a, x->lda, x->null_b ? NULL : b, x->ldb, one,
                              x->null_c ? NULL : c, x->ldc, -1);
            }
            if (rc != x->expect)
                fail_msg("%sgemm, %s: got %d (%s), expected %d", kpg_type_names[t], x->what, rc,
                         kp_strerror(rc), x->expect);
            assert_memory_equal(c, c0, sizeof c0);
        }
}

/* -------------------------------------------------------------- overlap */

static void test_overlap_refused_and_c_untouched(void **state)
{
    double x[400];
    for (int i = 0; i < 400; i++)
        x[i] = i % 17;
    double x0[400];
    memcpy(x0, x, sizeof x);
    /* C is A */
    assert_int_equal(kp_dgemm(KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS, 10, 10, 10, 1, x, 10, x + 200,
                              10, 1, x, 10, 1),
                     KP_EOVERLAP);
    /* C's last column meets B's first element */
    assert_int_equal(kp_dgemm(KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS, 10, 10, 10, 1, x + 300, 10,
                              x + 99, 10, 0, x, 10, 1),
                     KP_EOVERLAP);
    /* interleaved columns that share one element (ld 20, C rows 0..9 of
     * columns 0..9, A rows 9..18 of columns 9..18: they share (9, 9)) */
    assert_int_equal(kp_dgemm(KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS, 10, 10, 10, 1, x + 9 + 180,
                              20, x + 390 - 100, 10, 0, x, 20, 1),
                     KP_EOVERLAP);
    assert_memory_equal(x, x0, sizeof x);
    /* complex: C overlaps A by half an element */
    double z[200] = {0};
    double one[2] = {1, 0};
    assert_int_equal(kp_zgemm(KP_ROW_MAJOR, KP_NO_TRANS, KP_NO_TRANS, 2, 2, 2, one, z + 1, 2,
                              z + 100, 2, one, z, 2, 1),
                     KP_EOVERLAP);
}

/* Disjoint blocks of one array (the trailing update of a blocked LU, say)
 * are accepted and computed as if they were separate arrays. */
static void test_disjoint_blocks_of_one_array(void **state)
{
    enum { N = 40, H = 20 };
    for (int layout = 0; layout < 2; layout++) {
        kpg_mat big = kpg_alloc(KP_GEMM_D, (kp_layout)layout, N, N, 3, 9);
        kpg_mat copy = kpg_copy(&big);
        double *p = big.p, *q = copy.p;
        size_t ld = big.ld;
        /* A = block (0, 0), B = block (0, 1), C = block (1, 1), all H x H. */
        size_t oa = kpg_index(&big, 0, 0), ob = kpg_index(&big, 0, H), oc = kpg_index(&big, H, H);
        assert_int_equal(kp_dgemm((kp_layout)layout, KP_NO_TRANS, KP_NO_TRANS, H, H, H, -1, p + oa,
                                  ld, p + ob, ld, 1, p + oc, ld, -1),
                         KP_OK);
        /* the same product from separate copies */
        kpg_mat a = kpg_alloc(KP_GEMM_D, (kp_layout)layout, H, H, 0, 1);
        kpg_mat b = kpg_alloc(KP_GEMM_D, (kp_layout)layout, H, H, 0, 1);
        kpg_mat c = kpg_alloc(KP_GEMM_D, (kp_layout)layout, H, H, 0, 1);
        for (size_t i = 0; i < H; i++)
            for (size_t j = 0; j < H; j++) {
                ((double *)a.p)[kpg_index(&a, i, j)] = q[kpg_index(&copy, i, j)];
                ((double *)b.p)[kpg_index(&b, i, j)] = q[kpg_index(&copy, i, H + j)];
                ((double *)c.p)[kpg_index(&c, i, j)] = q[kpg_index(&copy, H + i, H + j)];
            }
        assert_int_equal(kp_dgemm((kp_layout)layout, KP_NO_TRANS, KP_NO_TRANS, H, H, H, -1, a.p,
                                  a.ld, b.p, b.ld, 1, c.p, c.ld, 1),
                         KP_OK);
        for (size_t i = 0; i < N; i++)
            for (size_t j = 0; j < N; j++) {
                double got = p[kpg_index(&big, i, j)];
                double want = i >= H && j >= H ? ((double *)c.p)[kpg_index(&c, i - H, j - H)]
                                               : q[kpg_index(&copy, i, j)];
                assert_memory_equal(&got, &want, sizeof got);
            }
        kpg_free(&big);
        kpg_free(&copy);
        kpg_free(&a);
        kpg_free(&b);
        kpg_free(&c);
    }
}

/* alpha and beta of a complex product pointing into C: the product is the
 * one with their values, whatever the tiles and workers (each tile would
 * otherwise read them while the tile holding them writes them). */
static void test_scalars_inside_c(void **state)
{
    enum { N = 64 };
    double old = kp__gemm_tile_work_force(2000); /* several tiles */
    for (int t = KP_GEMM_C; t <= KP_GEMM_Z; t++) {
        const kp__gemm_type type = (kp__gemm_type)t;
        const size_t es = kp__gemm_elem(type);
        kpg_mat a = kpg_alloc(type, KP_COL_MAJOR, N, N, 0, 21);
        kpg_mat b = kpg_alloc(type, KP_COL_MAJOR, N, N, 0, 22);
        kpg_mat c0 = kpg_alloc(type, KP_COL_MAJOR, N, N, 0, 23);
        for (int w = 1; w <= 2; w++) {
            kpg_mat want = kpg_copy(&c0), got = kpg_copy(&c0);
            double scalars[4]; /* alpha = C[1], beta = C[0], as values */
            memcpy(scalars, (char *)c0.p + es, es);
            memcpy(scalars + 2, c0.p, es);
            const void *alpha_in_c = (char *)got.p + es, *beta_in_c = got.p;
            if (type == KP_GEMM_C) {
                float sv[4];
                memcpy(sv, scalars, es);
                memcpy(sv + 2, scalars + 2, es);
                assert_int_equal(kp_cgemm(KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS, N, N, N, sv, a.p,
                                          a.ld, b.p, b.ld, sv + 2, want.p, want.ld, w),
                                 KP_OK);
                assert_int_equal(kp_cgemm(KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS, N, N, N,
                                          alpha_in_c, a.p, a.ld, b.p, b.ld, beta_in_c, got.p,
                                          got.ld, w),
                                 KP_OK);
            } else {
                assert_int_equal(kp_zgemm(KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS, N, N, N, scalars,
                                          a.p, a.ld, b.p, b.ld, scalars + 2, want.p, want.ld, w),
                                 KP_OK);
                assert_int_equal(kp_zgemm(KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS, N, N, N,
                                          alpha_in_c, a.p, a.ld, b.p, b.ld, beta_in_c, got.p,
                                          got.ld, w),
                                 KP_OK);
            }
            assert_memory_equal(got.p, want.p, got.count * es);
            kpg_free(&want);
            kpg_free(&got);
        }
        kpg_free(&a);
        kpg_free(&b);
        kpg_free(&c0);
    }
    kp__gemm_tile_work_force(old);
}

/* ---------------------------------------------------- same bits, workers */

static int same_bits_for_workers(kp__gemm_type t, kp_layout layout, kp_trans ta, kp_trans tb,
                                 size_t m, size_t n, size_t k)
{
    static const int workers[] = {1, 2, 3, -1, 0};
    size_t ar = ta == KP_NO_TRANS ? m : k, ac = ta == KP_NO_TRANS ? k : m;
    size_t br = tb == KP_NO_TRANS ? k : n, bc = tb == KP_NO_TRANS ? n : k;
    kpg_mat a = kpg_alloc(t, layout, ar, ac, 1, 11);
    kpg_mat b = kpg_alloc(t, layout, br, bc, 0, 12);
    kpg_mat c0 = kpg_alloc(t, layout, m, n, 5, 13);
    kpg_mat first = kpg_copy(&c0);
    kpg_scalar alpha = {0.75, -0.5}, beta = {-0.5, 0.25};
    int differ = 0;
    int old = kp_set_workers(-1); /* workers = 0 means the whole budget here */
    for (size_t w = 0; w < sizeof workers / sizeof *workers; w++) {
        kpg_mat c = kpg_copy(&c0);
        assert_int_equal(kpg_call(t, layout, ta, tb, m, n, k, alpha, a.p, a.ld, b.p, b.ld, beta,
                                  c.p, c.ld, workers[w]),
                         KP_OK);
        if (w == 0)
            memcpy(first.p, c.p, c.count * kp__gemm_elem(t));
        else if (memcmp(first.p, c.p, c.count * kp__gemm_elem(t)) != 0) {
            print_error("%sgemm %zu x %zu x %zu: workers %d differs from workers 1\n",
                        kpg_type_names[t], m, n, k, workers[w]);
            differ = 1;
        }
        kpg_free(&c);
    }
    kp_set_workers(old);
    kpg_free(&a);
    kpg_free(&b);
    kpg_free(&c0);
    kpg_free(&first);
    return differ;
}

static void test_same_bits_for_every_workers(void **state)
{
    int differ = 0;
    /* default tiles: several for these sizes */
    for (int t = 0; t < KP_GEMM_TYPES; t++) {
        differ += same_bits_for_workers((kp__gemm_type)t, KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS,
                                        300, 300, 300);
        differ += same_bits_for_workers((kp__gemm_type)t, KP_ROW_MAJOR, KP_TRANS, KP_CONJ_TRANS,
                                        1000, 40, 100);
    }
    /* many small tiles in both directions, odd shapes */
    double old = kp__gemm_tile_work_force(2000), old_edge = kp__gemm_edge_force(16);
    for (int t = 0; t < KP_GEMM_TYPES; t++) {
        differ += same_bits_for_workers((kp__gemm_type)t, KP_ROW_MAJOR, KP_NO_TRANS, KP_TRANS, 257,
                                        127, 65);
        differ += same_bits_for_workers((kp__gemm_type)t, KP_COL_MAJOR, KP_CONJ_TRANS, KP_NO_TRANS,
                                        33, 517, 31);
    }
    kp__gemm_tile_work_force(old);
    (void)kp__gemm_edge_force(old_edge);
    assert_int_equal(differ, 0);
}

/* ---------------------------------------------------------------- grid */

static kp__gemm_grid plan(kp__gemm_type t, size_t m, size_t n, size_t k)
{
    kp__gemm_problem p = {.type = t, .m = m, .n = n, .k = k};
    return kp__gemm_plan(&p, &kp__gemm_openblas);
}

static void check_grid(kp__gemm_grid g, size_t m, size_t n)
{
    assert_true(g.mb >= 1 && g.nb >= 1 && g.mb <= m && g.nb <= n);
    assert_true(g.gm == m / g.mb + (m % g.mb != 0));
    assert_true(g.gn == n / g.nb + (n % g.nb != 0));
}

static void test_grid_shapes(void **state)
{
    /* the edge of a 1 MiB level-2 cache, whatever this CPU's */
    double old_edge = kp__gemm_edge_force(1024);
    /* small: one tile, on the caller; the native engine's tile work is
     * smaller (its direct kernels): two halves of 64 x 64 x 64, one tile
     * below 192 Ki multiply-adds */
    kp__gemm_grid g = plan(KP_GEMM_D, 64, 64, 64);
    assert_true(g.gm == 1 && g.gn == 1);
    kp__gemm_problem small = {.type = KP_GEMM_D, .m = 64, .n = 64, .k = 64};
    g = kp__gemm_plan(&small, &kp__gemm_native);
    assert_true(g.gm * g.gn == 2);
    small.k = 47;
    g = kp__gemm_plan(&small, &kp__gemm_native);
    assert_true(g.gm * g.gn == 1);
    small.k = 48;
    g = kp__gemm_plan(&small, &kp__gemm_native);
    assert_true(g.gm * g.gn == 2);
    /* 4 to 16 tile works: quarters for OpenBLAS, halves for the native
     * engine */
    g = plan(KP_GEMM_D, 128, 128, 128);
    assert_true(g.gm == 2 && g.gn == 2 && g.mb == 64 && g.nb == 64);
    small = (kp__gemm_problem){.type = KP_GEMM_D, .m = 80, .n = 80, .k = 80};
    g = kp__gemm_plan(&small, &kp__gemm_native);
    assert_true(g.gm == 1 && g.gn == 2 && g.nb == 40);
    /* large square: square tiles, enough of them for fair shares */
    g = plan(KP_GEMM_D, 4096, 4096, 4096);
    check_grid(g, 4096, 4096);
    assert_true(g.gm * g.gn >= 16 && g.gm == g.gn && g.mb == g.nb);
    /* tall-skinny: rows only, even shares; short-wide: columns only */
    g = plan(KP_GEMM_D, 100000, 16, 64);
    check_grid(g, 100000, 16);
    assert_true(g.gn == 1 && g.gm >= 8);
    assert_true(g.gm * g.mb - 100000 < g.mb); /* the last tile is not a sliver */
    g = plan(KP_GEMM_D, 16, 100000, 64);
    check_grid(g, 16, 100000);
    assert_true(g.gm == 1 && g.gn >= 8);
    /* halves: a square C by its columns (OpenBLAS packs the rows' operand
     * dearer), a taller one by its rows */
    g = plan(KP_GEMM_D, 256, 256, 256);
    assert_true(g.gm == 1 && g.gn == 2 && g.nb == 128);
    g = plan(KP_GEMM_D, 264, 256, 256);
    assert_true(g.gm == 2 && g.gn == 1);
    /* small m and n, long k: still split, never k */
    g = plan(KP_GEMM_D, 64, 64, 100000);
    check_grid(g, 64, 64);
    assert_true(g.gm * g.gn >= 2);
    /* m beyond the engine's int: tiles that fit */
    kp__gemm_problem p = {.type = KP_GEMM_S, .m = (size_t)3 << 31, .n = 1, .k = 1};
    g = kp__gemm_plan(&p, &kp__gemm_openblas);
    assert_true(g.mb <= INT_MAX && g.gm * g.mb >= p.m);
    /* an engine limit below the fair share: sides cut to it, whole units */
    kp__gemm_engine narrow = kp__gemm_openblas;
    narrow.max_index = 1000;
    g = kp__gemm_plan(&(kp__gemm_problem){.type = KP_GEMM_D, .m = 100000, .n = 16, .k = 64},
                      &narrow);
    check_grid(g, 100000, 16);
    assert_true(g.mb <= 1000 && g.mb % 8 == 0 && g.gm >= 100);
    /* a small edge: a grid in both directions, its last column of tiles
     * clipped (the accuracy sweep's shapes) */
    (void)kp__gemm_edge_force(16);
    double old_work = kp__gemm_tile_work_force(500);
    g = plan(KP_GEMM_D, 64, 65, 64);
    check_grid(g, 64, 65);
    assert_true(g.gm == 4 && g.gn == 3 && g.mb == 16 && g.nb == 24);
    kp__gemm_tile_work_force(old_work);
    (void)kp__gemm_edge_force(old_edge);
}

/* ------------------------------------------------------ threads, callers */

enum { MAX_TIDS = 256 };

typedef struct monitor {
    atomic_int stop;
    int most; /* threads of the process at once */
    int ntids;
    long tids[MAX_TIDS]; /* every thread seen */
} monitor;

/* Adds this process's threads to m->tids; returns how many there are. */
static int scan_threads(monitor *m)
{
    DIR *d = opendir("/proc/self/task");
    int n = 0;
    if (d == NULL) return -1;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.') continue;
        n++;
        long tid = atol(e->d_name);
        int known = 0;
        for (int i = 0; i < m->ntids && !known; i++)
            known = m->tids[i] == tid;
        if (!known && m->ntids < MAX_TIDS) m->tids[m->ntids++] = tid;
    }
    closedir(d);
    return n;
}

/* The thread's name, "" if it is gone. */
static void thread_name(long tid, char *name, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%ld/comm", tid);
    name[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f == NULL) return;
    if (fgets(name, (int)size, f) == NULL) name[0] = '\0';
    fclose(f);
}

static void *watch(void *arg)
{
    monitor *mon = arg;
    while (!atomic_load(&mon->stop)) {
        int n = scan_threads(mon);
        if (n > mon->most) mon->most = n;
        struct timespec ts = {0, 200000};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

/* Runs kp_dgemm n = 1024 `reps` times with `workers` while a monitor thread
 * records every thread of the process. Returns the most threads at once;
 * *fresh = threads seen that were not there before (the monitor aside), and
 * each of those must now be named "kernpool-N" (a pool thread names itself
 * at once; a threaded OpenBLAS's threads would stay, under another name). */
static int threads_during_dgemm(int workers, int reps, int *fresh)
{
    enum { N = 1024 };
    double *a = calloc(N * N, sizeof *a), *b = calloc(N * N, sizeof *b);
    double *c = calloc(N * N, sizeof *c);
    CHILD_CHECK(a && b && c);
    for (size_t i = 0; i < N * N; i++)
        a[i] = b[i] = (double)(i % 13) - 6;
    static monitor before, mon;
    memset(&before, 0, sizeof before);
    memset(&mon, 0, sizeof mon);
    (void)scan_threads(&before);
    atomic_init(&mon.stop, 0);
    pthread_t t;
    CHILD_CHECK(pthread_create(&t, NULL, watch, &mon) == 0);
    for (int r = 0; r < reps; r++)
        CHILD_CHECK(kp_dgemm(KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS, N, N, N, 1, a, N, b, N, 0, c,
                             N, workers) == KP_OK);
    atomic_store(&mon.stop, 1);
    pthread_join(t, NULL);
    free(a);
    free(b);
    free(c);
    *fresh = 0;
    for (int i = 0; i < mon.ntids; i++) {
        int known = 0;
        for (int j = 0; j < before.ntids && !known; j++)
            known = before.tids[j] == mon.tids[i];
        char name[32];
        thread_name(mon.tids[i], name, sizeof name);
        if (known || name[0] == '\0') continue; /* gone: the monitor */
        ++*fresh;
        if (strncmp(name, "kernpool-", 9) != 0) {
            fprintf(stderr, "thread %ld is named %s\n", mon.tids[i], name);
            CHILD_CHECK(!"a thread that is not kernpool's started");
        }
    }
    return mon.most;
}

/* In a fresh process: at workers = 1 no thread starts at all; at workers = 2
 * only pool threads join the caller, the monitor and any sanitizer thread. */
static void *nothing(void *arg)
{
    return arg;
}

static void no_engine_threads_child(void *arg)
{
    (void)kp__gemm_engine_force(*(const kp__gemm_engine_id *)arg);
    CHILD_CHECK(kp__gemm_engine_get()->threads() == 1);
    /* ThreadSanitizer starts its own thread with the first pthread_create:
     * let that happen before the count. */
    pthread_t t;
    CHILD_CHECK(pthread_create(&t, NULL, nothing, NULL) == 0);
    pthread_join(t, NULL);
    int fresh, base = kp_test_thread_count() + 1; /* + the monitor */
    int most = threads_during_dgemm(1, 3, &fresh);
    fprintf(stderr, "threads: %d before, %d during workers=1\n", base, most);
    CHILD_CHECK(most == base && fresh == 0);
    CHILD_CHECK(kp__pool_threads_alive() == 0);
    most = threads_during_dgemm(2, 3, &fresh);
    fprintf(stderr, "threads: %d during workers=2, %d new, all pool threads (%d alive)\n", most,
            fresh, kp__pool_threads_alive());
    CHILD_CHECK(fresh <= kp__pool_threads_alive());
    CHILD_CHECK(most <= base + kp__pool_threads_alive());
    CHILD_CHECK(kp_cpu_budget() < 2 || kp__pool_threads_alive() >= 1);
}

/* The run-time choice (the native engine where AVX-512 runs, OpenBLAS
 * elsewhere), and OpenBLAS's serial build, which serves the complex types
 * either way. */
static void test_engine_starts_no_thread(void **state)
{
    const char *want = kp__gemm_native_available() ? "native" : "openblas";
    assert_string_equal(kp__gemm_engine_get()->name, want);
    print_message("engine %s, kernels %s\n", want, kp__gemm_engine_get()->core());
    static const kp__gemm_engine_id ids[] = {KP_GEMM_ENGINE_AUTO, KP_GEMM_ENGINE_OPENBLAS};
    for (int i = 0; i < 2; i++)
        assert_int_equal(kp_test_in_child(no_engine_threads_child, (void *)&ids[i], 120), 0);
}

/* The native engine runs where AVX-512 is selected and follows a forced
 * instruction set down to OpenBLAS. */
static void test_engine_follows_isa(void **state)
{
    kp__isa old = kp__isa_force(KP_ISA_AVX2);
    assert_string_equal(kp__gemm_engine_get()->name, "openblas");
    assert_false(kp__gemm_native_available());
    kp__isa_force(KP_ISA_AVX512);
    int avx512 = kp__isa_selected() == KP_ISA_AVX512;
    assert_int_equal(kp__gemm_native_available(), avx512);
    assert_string_equal(kp__gemm_engine_get()->name, avx512 ? "native" : "openblas");
    kp__isa_force(old);
}

enum { CALLERS = 4, CN = 200 };

typedef struct caller {
    const double *a, *b;
    double *c;
    int ok;
} caller;

static void *call_many(void *arg)
{
    caller *x = arg;
    x->ok = 1;
    for (int r = 0; r < 3; r++)
        x->ok &= kp_dgemm(KP_ROW_MAJOR, KP_NO_TRANS, KP_TRANS, CN, CN, CN, 1, x->a, CN, x->b, CN, 0,
                          x->c, CN, -1) == KP_OK;
    return NULL;
}

/* Application threads calling at once share the pool and OpenBLAS's
 * buffers: each gets the bits a lone serial call gets. */
static void test_concurrent_callers(void **state)
{
    /* 3 x 3 tiles */
    double old = kp__gemm_tile_work_force(100000), old_edge = kp__gemm_edge_force(64);
    kpg_mat a = kpg_alloc(KP_GEMM_D, KP_ROW_MAJOR, CN, CN, 0, 21);
    kpg_mat b = kpg_alloc(KP_GEMM_D, KP_ROW_MAJOR, CN, CN, 0, 22);
    double *want = calloc(CN * CN, sizeof *want);
    assert_int_equal(kp_dgemm(KP_ROW_MAJOR, KP_NO_TRANS, KP_TRANS, CN, CN, CN, 1, a.p, CN, b.p, CN,
                              0, want, CN, 1),
                     KP_OK);
    pthread_t t[CALLERS];
    caller x[CALLERS];
    for (int i = 0; i < CALLERS; i++) {
        x[i] = (caller){a.p, b.p, calloc(CN * CN, sizeof(double)), 0};
        assert_int_equal(pthread_create(&t[i], NULL, call_many, &x[i]), 0);
    }
    for (int i = 0; i < CALLERS; i++) {
        pthread_join(t[i], NULL);
        assert_true(x[i].ok);
        assert_memory_equal(x[i].c, want, CN * CN * sizeof(double));
        free(x[i].c);
    }
    free(want);
    kpg_free(&a);
    kpg_free(&b);
    kp__gemm_tile_work_force(old);
    (void)kp__gemm_edge_force(old_edge);
}

/* kp_dgemm nested inside a kp_parallel_for body: shares the pool. */
static void nested_body(void *ctx, size_t begin, size_t end)
{
    caller *x = ctx;
    for (size_t i = begin; i < end; i++)
        if (kp_dgemm(KP_ROW_MAJOR, KP_NO_TRANS, KP_TRANS, CN, CN, CN, 1, x->a, CN, x->b, CN, 0,
                     x->c + i * CN * CN, CN, -1) != KP_OK)
            x->ok = 0;
}

static void test_nested_in_parallel_for(void **state)
{
    /* 3 x 3 tiles */
    double old = kp__gemm_tile_work_force(100000), old_edge = kp__gemm_edge_force(64);
    kpg_mat a = kpg_alloc(KP_GEMM_D, KP_ROW_MAJOR, CN, CN, 0, 31);
    kpg_mat b = kpg_alloc(KP_GEMM_D, KP_ROW_MAJOR, CN, CN, 0, 32);
    caller x = {a.p, b.p, calloc(4 * CN * CN, sizeof(double)), 1};
    assert_int_equal(kp_parallel_for(4, 1, nested_body, &x, -1), KP_OK);
    assert_true(x.ok);
    for (int i = 1; i < 4; i++)
        assert_memory_equal(x.c, x.c + i * CN * CN, CN * CN * sizeof(double));
    assert_true(kp__pool_threads_alive() <= kp_cpu_budget() - 1);
    free(x.c);
    kpg_free(&a);
    kpg_free(&b);
    kp__gemm_tile_work_force(old);
    (void)kp__gemm_edge_force(old_edge);
}

/* A child forked while another thread is inside kp_dgemm gets the whole
 * budget: the parent's product is not in flight in the child. */
static void *long_product(void *arg)
{
    caller *x = arg;
    for (int r = 0; r < 20; r++)
        x->ok &= kp_dgemm(KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS, CN, CN, CN, 1, x->a, CN, x->b, CN,
                          0, x->c, CN, 1) == KP_OK;
    return NULL;
}

static void fork_child_product(void *arg)
{
    caller *x = arg;
    double *c = calloc(CN * CN, sizeof *c);
    CHILD_CHECK(c != NULL);
    CHILD_CHECK(kp_dgemm(KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS, CN, CN, CN, 1, x->a, CN, x->b, CN,
                         0, c, CN, -1) == KP_OK);
    CHILD_CHECK(kp_cpu_budget() < 2 || kp__pool_threads_alive() >= 1);
    free(c);
}

static void test_fork_during_product(void **state)
{
    double old = kp__gemm_tile_work_force(100000);
    kpg_mat a = kpg_alloc(KP_GEMM_D, KP_COL_MAJOR, CN, CN, 0, 41);
    kpg_mat b = kpg_alloc(KP_GEMM_D, KP_COL_MAJOR, CN, CN, 0, 42);
    caller x = {a.p, b.p, calloc(CN * CN, sizeof(double)), 1};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, long_product, &x), 0);
    struct timespec ts = {0, 2000000};
    nanosleep(&ts, NULL);
    assert_int_equal(kp_test_in_child(fork_child_product, &x, 60), 0);
    pthread_join(t, NULL);
    assert_true(x.ok);
    free(x.c);
    kpg_free(&a);
    kpg_free(&b);
    kp__gemm_tile_work_force(old);
}

int main(void)
{
    /* First, while the parent has no pool thread: ThreadSanitizer mistakes
     * a thread started in a child for one of the parent's that the child
     * never had. */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_engine_starts_no_thread, kpg_hooks_reset),
        cmocka_unit_test_teardown(test_engine_follows_isa, kpg_hooks_reset),
        cmocka_unit_test_teardown(test_bad_arguments, kpg_hooks_reset),
        cmocka_unit_test_teardown(test_overlap_refused_and_c_untouched, kpg_hooks_reset),
        cmocka_unit_test_teardown(test_disjoint_blocks_of_one_array, kpg_hooks_reset),
        cmocka_unit_test_teardown(test_scalars_inside_c, kpg_hooks_reset),
        cmocka_unit_test_teardown(test_same_bits_for_every_workers, kpg_hooks_reset),
        cmocka_unit_test_teardown(test_grid_shapes, kpg_hooks_reset),
        cmocka_unit_test_teardown(test_concurrent_callers, kpg_hooks_reset),
        cmocka_unit_test_teardown(test_nested_in_parallel_for, kpg_hooks_reset),
        cmocka_unit_test_teardown(test_fork_during_product, kpg_hooks_reset),
    };
    return cmocka_run_group_tests_name("gemm_props", tests, NULL, NULL);
}
