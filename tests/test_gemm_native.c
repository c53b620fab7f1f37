/*
 * The native engine (kernels/gemm/engine_native.c, native.h): products that
 * cross every block of its loops, the same bits wherever an element's tile
 * lies, reads that stay inside the matrices, and what happens when a
 * thread can have no work space; every type. Skipped
 * where its kernels do not run (no AVX-512); the shapes of every size,
 * transpose and layout run through it in test_gemm_accuracy wherever it is
 * the engine chosen.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_gemm_util.h"

static int native_or_skip(void)
{
    if (!kp__gemm_native_available()) {
        print_message("no AVX-512 here: the native engine does not run\n");
        return 0;
    }
    assert_int_equal(kp__gemm_engine_force(KP_GEMM_ENGINE_NATIVE), KP_GEMM_ENGINE_AUTO);
    return 1;
}

/* One column-major call checked against the long double reference (the
 * scalars' imaginary parts count for the complex types only). */
static void checked(kp__gemm_type t, kp_trans ta, kp_trans tb, size_t m, size_t n, size_t k,
                    kpg_scalar alpha, kpg_scalar beta, int nan_c, uint64_t seed)
{
    size_t ar = ta == KP_NO_TRANS ? m : k, ac = ta == KP_NO_TRANS ? k : m;
    size_t br = tb == KP_NO_TRANS ? k : n, bc = tb == KP_NO_TRANS ? n : k;
    kpg_mat a = kpg_alloc(t, KP_COL_MAJOR, ar, ac, 1, seed);
    kpg_mat b = kpg_alloc(t, KP_COL_MAJOR, br, bc, 2, seed + 1);
    kpg_mat c = kpg_alloc(t, KP_COL_MAJOR, m, n, 3, seed + 2);
    for (size_t idx = 0; nan_c && idx < m * n; idx += 7)
        kpg_set(&c, kpg_index(&c, idx % m, idx / m), NAN, 0);
    kpg_mat c0 = kpg_copy(&c);
    if (!kpg_complex(t)) alpha.im = beta.im = 0;
    assert_int_equal(
        kpg_call(t, KP_COL_MAJOR, ta, tb, m, n, k, alpha, a.p, a.ld, b.p, b.ld, beta, c.p, c.ld, 2),
        KP_OK);
    char why[256] = "";
    size_t bad = kpg_check(t, ta, tb, m, n, k, alpha, &a, &b, beta, &c0, &c, why, sizeof why);
    if (bad || !kpg_padding_intact(&c, &c0))
        fail_msg("%sgemm ta=%d tb=%d %zu x %zu x %zu alpha=(%g,%g) beta=(%g,%g): %zu bad (%s)",
                 kpg_type_names[t], ta, tb, m, n, k, alpha.re, alpha.im, beta.re, beta.im, bad,
                 why);
    kpg_free(&a);
    kpg_free(&b);
    kpg_free(&c);
    kpg_free(&c0);
}

/* One tile larger than every block: rows past mc (192 reals: 96 complex
 * elements), columns past nc (768), k past kc (256 double, 512 float,
 * half as many complex steps: the blocks after the first add to C with
 * beta 1; the last one 11 steps, not a multiple of the packing's 8), none
 * a multiple of the micro-kernel's piece. Every type: a complex product
 * runs as a real one of twice the rows and steps; its scalars complex,
 * purely imaginary (alpha, beta) and real. */
static void test_blocks_crossed(void **state)
{
    if (!native_or_skip()) return;
    (void)kp__gemm_tile_work_force(1e30); /* one tile */
    static const size_t ks[KP_GEMM_TYPES] = {523, 267, 267, 139};
    for (int t = 0; t < KP_GEMM_TYPES; t++) {
        kp__gemm_type ty = (kp__gemm_type)t;
        const size_t m = kpg_complex(ty) ? 101 : 197, n = 777, k = ks[t];
        const kp_trans tr = kpg_complex(ty) ? KP_CONJ_TRANS : KP_TRANS;
        const kpg_scalar imaginary = {kpg_complex(ty) ? 0 : 0.5, 0.5};
        checked(ty, KP_NO_TRANS, KP_NO_TRANS, m, n, k, (kpg_scalar){0.5, -0.25},
                (kpg_scalar){-1, 0.75}, 0, 10 + t);
        checked(ty, tr, tr, m, n, k, (kpg_scalar){0.5, -0.25}, (kpg_scalar){0.5, 0.75}, 0, 20 + t);
        checked(ty, tr, KP_NO_TRANS, m, n, k, imaginary, (kpg_scalar){0, 0}, 1, 30 + t);
        checked(ty, KP_NO_TRANS, KP_TRANS, m, n, k, (kpg_scalar){1, 0}, (kpg_scalar){0, 0.6}, 0,
                40 + t);
    }
}

/* An element's sum does not depend on its place in the tile, the block or
 * the micro-kernel's piece: one tile, a grid of tiles of 24 (7 x 6 of
 * them, clipped at the edges), and the rows cut at 5 (every element moves
 * to another lane of its vector) give the same bits. */
static void test_same_bits_for_any_grid(void **state)
{
    if (!native_or_skip()) return;
    const size_t m = 150, n = 141, k = 300, cut = 5;
    for (int t = 0; t < KP_GEMM_TYPES; t++)
        for (int x = 0; x < 2; x++) {
            kp__gemm_type ty = (kp__gemm_type)t;
            size_t es = kp__gemm_elem(ty);
            kp_trans tr = kpg_complex(ty) ? KP_CONJ_TRANS : KP_TRANS;
            kp_trans ta = x ? tr : KP_NO_TRANS, tb = x ? KP_NO_TRANS : tr;
            kpg_mat a = kpg_alloc(ty, KP_COL_MAJOR, ta == KP_NO_TRANS ? m : k,
                                  ta == KP_NO_TRANS ? k : m, 0, 40);
            kpg_mat b = kpg_alloc(ty, KP_COL_MAJOR, tb == KP_NO_TRANS ? k : n,
                                  tb == KP_NO_TRANS ? n : k, 1, 41);
            kpg_mat one = kpg_alloc(ty, KP_COL_MAJOR, m, n, 2, 42);
            kpg_mat grid = kpg_copy(&one), rows = kpg_copy(&one);
            kpg_scalar alpha = {-0.75, kpg_complex(ty) ? 0.5 : 0}, beta = {0.5, 0};
            (void)kp__gemm_tile_work_force(1e30);
            assert_int_equal(kpg_call(ty, KP_COL_MAJOR, ta, tb, m, n, k, alpha, a.p, a.ld, b.p,
                                      b.ld, beta, one.p, one.ld, 1),
                             KP_OK);
            /* rows [0, cut) and [cut, m) of C in two calls */
            size_t a_off = (ta == KP_NO_TRANS ? cut : cut * a.ld) * es;
            assert_int_equal(kpg_call(ty, KP_COL_MAJOR, ta, tb, cut, n, k, alpha, a.p, a.ld, b.p,
                                      b.ld, beta, rows.p, rows.ld, 1),
                             KP_OK);
            assert_int_equal(kpg_call(ty, KP_COL_MAJOR, ta, tb, m - cut, n, k, alpha,
                                      (char *)a.p + a_off, a.ld, b.p, b.ld, beta,
                                      (char *)rows.p + cut * es, rows.ld, 1),
                             KP_OK);
            (void)kp__gemm_tile_work_force(500);
            (void)kp__gemm_edge_force(24);
            assert_int_equal(kpg_call(ty, KP_COL_MAJOR, ta, tb, m, n, k, alpha, a.p, a.ld, b.p,
                                      b.ld, beta, grid.p, grid.ld, 2),
                             KP_OK);
            (void)kp__gemm_edge_force(0);
            assert_memory_equal(one.p, grid.p, one.count * es);
            assert_memory_equal(one.p, rows.p, one.count * es);
            kpg_free(&a);
            kpg_free(&b);
            kpg_free(&one);
            kpg_free(&grid);
            kpg_free(&rows);
        }
}

/* The transpose of a stored operand changes how it is packed (copies,
 * 8 x 8 transposes, the complex expansion in vectors or one by one), never
 * the values packed: op(A) op(B) gives the same bits whether A and B are
 * stored as themselves or as their transposes. */
static void test_same_bits_for_any_storage(void **state)
{
    if (!native_or_skip()) return;
    const size_t m = 45, n = 30, k = 270; /* k past the double's kc */
    for (int t = 0; t < KP_GEMM_TYPES; t++)
        for (int conj = 0; conj <= kpg_complex((kp__gemm_type)t); conj++) {
            /* conj: the stored transposes conjugated, read with KP_CONJ_TRANS */
            kp__gemm_type ty = (kp__gemm_type)t;
            const kp_trans tr = conj ? KP_CONJ_TRANS : KP_TRANS;
            const long double sign = conj ? -1 : 1;
            kpg_mat a = kpg_alloc(ty, KP_COL_MAJOR, m, k, 0, 60);
            kpg_mat b = kpg_alloc(ty, KP_COL_MAJOR, k, n, 0, 61);
            kpg_mat at = kpg_alloc(ty, KP_COL_MAJOR, k, m, 0, 62);
            kpg_mat bt = kpg_alloc(ty, KP_COL_MAJOR, n, k, 0, 63);
            long double re, im;
            for (size_t i = 0; i < m; i++)
                for (size_t l = 0; l < k; l++) {
                    kpg_get(&a, kpg_index(&a, i, l), &re, &im);
                    kpg_set(&at, kpg_index(&at, l, i), re, sign * im);
                }
            for (size_t l = 0; l < k; l++)
                for (size_t j = 0; j < n; j++) {
                    kpg_get(&b, kpg_index(&b, l, j), &re, &im);
                    kpg_set(&bt, kpg_index(&bt, j, l), re, sign * im);
                }
            kpg_mat c = kpg_alloc(ty, KP_COL_MAJOR, m, n, 0, 64);
            kpg_mat c2 = kpg_copy(&c);
            kpg_scalar alpha = {0.75, kpg_complex(ty) ? -1.25 : 0}, beta = {0, 0};
            assert_int_equal(kpg_call(ty, KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS, m, n, k, alpha,
                                      a.p, a.ld, b.p, b.ld, beta, c.p, c.ld, 1),
                             KP_OK);
            assert_int_equal(kpg_call(ty, KP_COL_MAJOR, tr, tr, m, n, k, alpha, at.p, at.ld, bt.p,
                                      bt.ld, beta, c2.p, c2.ld, 1),
                             KP_OK);
            assert_memory_equal(c.p, c2.p, c.count * kp__gemm_elem(ty));
            kpg_free(&a);
            kpg_free(&b);
            kpg_free(&at);
            kpg_free(&bt);
            kpg_free(&c);
            kpg_free(&c2);
        }
}

/* The direct kernels (small products, op(B) and a real A not transposed
 * read where they lie) compute what the packed path does, bit for bit:
 * one piece, pieces cut at every edge (rows past a vector, columns past a
 * broadcast), k of one step and of a whole block (kc: 256 double, 512
 * float reals), op(A) and op(B) either way (a complex op(B) only as it is:
 * its transposes are packed), padded leading dimensions (their padding
 * neither read into C nor written), beta = 0 over NaN, 1 and otherwise;
 * and against the long double reference. Every type. */
static void test_direct_same_bits_as_packed(void **state)
{
    if (!native_or_skip()) return;
    (void)kp__gemm_tile_work_force(1e30); /* one tile */
    /* 200 rows: two blocks of a packed A (mc 192 reals); k = 128: a complex
     * double's whole block. Pieces of every height class: whole (mr), half
     * (mr / 2: 16 for floats, 8 for doubles and complex floats), below half
     * and between half and whole (24 rows of float; 12 of complex float),
     * and exactly half of a complex double's (12 rows: 8 and 4). */
    static const size_t shapes[][3] = {{1, 1, 1},     {16, 8, 1},    {32, 8, 3},  {37, 21, 19},
                                       {45, 30, 256}, {33, 17, 512}, {200, 9, 7}, {33, 17, 128},
                                       {24, 5, 9},    {12, 3, 5}};
    static const size_t kc_reals[KP_GEMM_TYPES] = {512, 256, 512, 256};
    static const double betas[] = {0, 1, -0.75};
    int cases = 0;
    for (int t = 0; t < KP_GEMM_TYPES; t++)
        for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
            for (int x = 0; x < 3; x++) {
                const kp__gemm_type ty = (kp__gemm_type)t;
                const int cplx = kpg_complex(ty);
                const size_t m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
                if (k * (cplx ? 2 : 1) > kc_reals[t]) continue; /* past one block: packed */
                if (cplx && x == 1) continue;
                const kp_trans tr = cplx ? KP_CONJ_TRANS : KP_TRANS;
                const kp_trans ta = x == 2 ? tr : KP_NO_TRANS, tb = x == 1 ? tr : KP_NO_TRANS;
                /* alpha not a power of two: alpha times a sum rounds */
                const kpg_scalar alpha = {s % 2 ? -1.3 : 0.7, cplx ? -0.4 : 0};
                const kpg_scalar beta = {betas[s % 3], cplx && s % 3 == 2 ? 0.6 : 0};
                kpg_mat a = kpg_alloc(ty, KP_COL_MAJOR, ta == KP_NO_TRANS ? m : k,
                                      ta == KP_NO_TRANS ? k : m, s % 3, 80 + s);
                kpg_mat b = kpg_alloc(ty, KP_COL_MAJOR, tb == KP_NO_TRANS ? k : n,
                                      tb == KP_NO_TRANS ? n : k, 1 + s % 2, 90 + s);
                kpg_mat c = kpg_alloc(ty, KP_COL_MAJOR, m, n, 2, 100 + s);
                for (size_t idx = 0; beta.re == 0 && idx < m * n; idx += 3)
                    kpg_set(&c, kpg_index(&c, idx % m, idx / m), NAN, 0);
                kpg_mat c0 = kpg_copy(&c), packed = kpg_copy(&c);
                (void)kp__gemm_native_direct_tiles();
                (void)kp__gemm_native_direct_force(1);
                assert_int_equal(kpg_call(ty, KP_COL_MAJOR, ta, tb, m, n, k, alpha, a.p, a.ld, b.p,
                                          b.ld, beta, c.p, c.ld, 1),
                                 KP_OK);
                assert_int_equal(kp__gemm_native_direct_tiles(), 1);
                (void)kp__gemm_native_direct_force(0);
                assert_int_equal(kpg_call(ty, KP_COL_MAJOR, ta, tb, m, n, k, alpha, a.p, a.ld, b.p,
                                          b.ld, beta, packed.p, packed.ld, 1),
                                 KP_OK);
                assert_int_equal(kp__gemm_native_direct_tiles(), 0);
                char why[256] = "";
                size_t bad =
                    kpg_check(ty, ta, tb, m, n, k, alpha, &a, &b, beta, &c0, &c, why, sizeof why);
                if (bad || !kpg_padding_intact(&c, &c0))
                    fail_msg("%sgemm ta=%d tb=%d %zu x %zu x %zu direct: %zu bad (%s)",
                             kpg_type_names[t], ta, tb, m, n, k, bad, why);
                assert_memory_equal(c.p, packed.p, c.count * kp__gemm_elem(ty));
                cases++;
                kpg_free(&a);
                kpg_free(&b);
                kpg_free(&c);
                kpg_free(&c0);
                kpg_free(&packed);
            }
    assert_int_equal(cases, 30 + 27 + 18 + 16);
}

/* Complex special values, as reference BLAS computes them: beta = 1
 * leaves C as it is (an infinite element keeps a finite imaginary part,
 * where multiplying by (1, 0) would make it 0 Inf = NaN), and a real alpha
 * scales both parts of an element of A on its own (alpha = 1 and a =
 * (Inf, 0) give a real part of +Inf, not the NaN of 0 Inf). */
static void test_complex_special_values(void **state)
{
    if (!native_or_skip()) return;
    const size_t m = 5, n = 3, k = 4;
    for (int t = KP_GEMM_C; t <= KP_GEMM_Z; t++) {
        kp__gemm_type ty = (kp__gemm_type)t;
        kpg_mat a = kpg_alloc(ty, KP_COL_MAJOR, m, k, 0, 70);
        kpg_mat b = kpg_alloc(ty, KP_COL_MAJOR, k, n, 0, 71);
        kpg_mat c = kpg_alloc(ty, KP_COL_MAJOR, m, n, 0, 72);
        for (size_t j = 0; j < n; j++)
            for (size_t l = 0; l < k; l++)
                kpg_set(&b, kpg_index(&b, l, j), 0.5L + l, 0); /* real, positive */
        kpg_set(&c, kpg_index(&c, 1, 2), INFINITY, 0.25);
        const kpg_scalar one = {1, 0};
        assert_int_equal(kpg_call(ty, KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS, m, n, k, one, a.p,
                                  a.ld, b.p, b.ld, one, c.p, c.ld, 1),
                         KP_OK);
        long double re, im;
        kpg_get(&c, kpg_index(&c, 1, 2), &re, &im);
        assert_true(re == INFINITY && isfinite(im));
        kpg_set(&a, kpg_index(&a, 3, 1), INFINITY, 0);
        const kpg_scalar zero = {0, 0};
        assert_int_equal(kpg_call(ty, KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS, m, n, k, one, a.p,
                                  a.ld, b.p, b.ld, zero, c.p, c.ld, 1),
                         KP_OK);
        for (size_t j = 0; j < n; j++) {
            kpg_get(&c, kpg_index(&c, 3, j), &re, &im);
            assert_true(re == INFINITY);
        }
        kpg_free(&a);
        kpg_free(&b);
        kpg_free(&c);
    }
}

/* A caller that can have no work space gets KP_ENOMEM and C untouched,
 * for one tile and for many; a helper that can have none leaves its tiles
 * to the caller, and C gets the same bits. Tiles on the packed path, and
 * on the direct kernels with A packed (transposed). */
static void out_of_work_space(kp_trans ta, int direct)
{
    const size_t m = 300, n = 290, k = 100;
    (void)kp__gemm_native_direct_force(direct);
    kpg_mat a = kpg_alloc(KP_GEMM_D, KP_COL_MAJOR, ta == KP_NO_TRANS ? m : k,
                          ta == KP_NO_TRANS ? k : m, 0, 50);
    kpg_mat b = kpg_alloc(KP_GEMM_D, KP_COL_MAJOR, k, n, 0, 51);
    kpg_mat c = kpg_alloc(KP_GEMM_D, KP_COL_MAJOR, m, n, 0, 52);
    kpg_mat c0 = kpg_copy(&c), want = kpg_copy(&c);
    kpg_scalar alpha = {1.5, 0}, beta = {-0.5, 0};
    assert_int_equal(kpg_call(KP_GEMM_D, KP_COL_MAJOR, ta, KP_NO_TRANS, m, n, k, alpha, a.p, a.ld,
                              b.p, b.ld, beta, want.p, want.ld, 1),
                     KP_OK);
    const double works[] = {1e30, 500}; /* one tile; 13 x 13 tiles of 24 */
    for (int g = 0; g < 2; g++) {
        (void)kp__gemm_tile_work_force(works[g]);
        (void)kp__gemm_edge_force(g ? 24 : 0);
        kp__gemm_native_fail(1, 0);
        assert_int_equal(kpg_call(KP_GEMM_D, KP_COL_MAJOR, ta, KP_NO_TRANS, m, n, k, alpha, a.p,
                                  a.ld, b.p, b.ld, beta, c.p, c.ld, 2),
                         KP_ENOMEM);
        assert_memory_equal(c.p, c0.p, c.count * sizeof(double));
    }
    /* 169 tiles on 2 and 3 threads, the helpers' first 1 or 5 refused. */
    for (int fails = 1; fails <= 5; fails += 4)
        for (int w = 2; w <= 3; w++) {
            memcpy(c.p, c0.p, c.count * sizeof(double));
            kp__gemm_native_fail(0, fails);
            assert_int_equal(kpg_call(KP_GEMM_D, KP_COL_MAJOR, ta, KP_NO_TRANS, m, n, k, alpha, a.p,
                                      a.ld, b.p, b.ld, beta, c.p, c.ld, w),
                             KP_OK);
            int unused = kp__gemm_native_fail(0, 0);
            assert_memory_equal(c.p, want.p, c.count * sizeof(double));
            if (unused == fails)
                print_message("no helper took a tile (%d workers, budget %d)\n", w,
                              kp_cpu_budget());
            else
                print_message("%d tile(s) refused to a helper, computed by the caller\n",
                              fails - unused);
        }
    kpg_free(&a);
    kpg_free(&b);
    kpg_free(&c);
    kpg_free(&c0);
    kpg_free(&want);
}

static void test_out_of_work_space(void **state)
{
    if (!native_or_skip()) return;
    out_of_work_space(KP_NO_TRANS, 0);
    out_of_work_space(KP_TRANS, 1);
}

/* A product whose tiles all run direct with A in place needs no work
 * space: it succeeds while reservations fail, on any grid; the same
 * product with A transposed (packed) gets KP_ENOMEM and leaves C alone. */
static void test_direct_needs_no_work_space(void **state)
{
    if (!native_or_skip()) return;
    const size_t m = 64, n = 64, k = 64;
    for (int x = 0; x < 2; x++) {
        const kp_trans ta = x ? KP_TRANS : KP_NO_TRANS;
        kpg_mat a = kpg_alloc(KP_GEMM_D, KP_COL_MAJOR, m, k, 0, 110);
        kpg_mat b = kpg_alloc(KP_GEMM_D, KP_COL_MAJOR, k, n, 0, 111);
        kpg_mat c = kpg_alloc(KP_GEMM_D, KP_COL_MAJOR, m, n, 0, 112);
        kpg_mat c0 = kpg_copy(&c);
        const kpg_scalar alpha = {1.5, 0}, beta = {-0.5, 0};
        for (int g = 0; g < 2; g++) {
            (void)kp__gemm_tile_work_force(g ? 500 : 1e30); /* one tile; 8 x 8 of 8 */
            (void)kp__gemm_edge_force(g ? 8 : 0);
            kp__gemm_native_fail(1, 0);
            int rc = kpg_call(KP_GEMM_D, KP_COL_MAJOR, ta, KP_NO_TRANS, m, n, k, alpha, a.p, a.ld,
                              b.p, b.ld, beta, c.p, c.ld, 2);
            if (x) {
                assert_int_equal(rc, KP_ENOMEM);
                assert_memory_equal(c.p, c0.p, c.count * sizeof(double));
            } else {
                assert_int_equal(rc, KP_OK);
                char why[256] = "";
                if (kpg_check(KP_GEMM_D, ta, KP_NO_TRANS, m, n, k, alpha, &a, &b, beta, &c0, &c,
                              why, sizeof why))
                    fail_msg("direct in place, grid %d: %s", g, why);
                memcpy(c.p, c0.p, c.count * sizeof(double));
            }
            kp__gemm_native_fail(0, 0);
        }
        kpg_free(&a);
        kpg_free(&b);
        kpg_free(&c);
        kpg_free(&c0);
    }
}

/* Matrices that end where an inaccessible page begins, leading dimensions
 * at their least, and sizes that are multiples of nothing (m % mr, n % nr,
 * k % 8 all nonzero; the last piece's rows end in the first vector or the
 * second: m = 37, 45, 53): the packing's masked and transposing loads, and
 * the direct kernels' masked loads and repeated columns, read no element
 * past the last (a read there faults). Every transpose pair and type, the
 * direct kernels on and off. */
static void *before_guard(size_t bytes, void **map, size_t *map_len)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), body = (bytes + page - 1) / page * page;
    *map_len = body + page;
    char *p = mmap(NULL, *map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(p != MAP_FAILED);
    assert_int_equal(mprotect(p + body, page, PROT_NONE), 0);
    *map = p;
    return p + body - bytes;
}

static void test_reads_stay_inside(void **state)
{
    if (!native_or_skip()) return;
    (void)kp__gemm_tile_work_force(1e30);
    const size_t n = 21, k = 19;
    for (size_t m = 37; m <= 53; m += 8)
        for (int direct = 0; direct < 2; direct++)
            for (int t = 0; t < KP_GEMM_TYPES; t++)
                for (int x = 0; x < 9; x++) {
                    (void)kp__gemm_native_direct_force(direct);
                    kp__gemm_type ty = (kp__gemm_type)t;
                    size_t es = kp__gemm_elem(ty);
                    kp_trans ta = (kp_trans)(x % 3), tb = (kp_trans)(x / 3);
                    if (!kpg_complex(ty) && (ta == KP_CONJ_TRANS || tb == KP_CONJ_TRANS)) continue;
                    size_t lda = ta == KP_NO_TRANS ? m : k, ldb = tb == KP_NO_TRANS ? k : n;
                    void *ma, *mb, *mc;
                    size_t la, lb, lc;
                    unsigned char *a = before_guard(m * k * es, &ma, &la);
                    unsigned char *b = before_guard(k * n * es, &mb, &lb);
                    unsigned char *c = before_guard(m * n * es, &mc, &lc);
                    for (size_t i = 0; i < m * k * es; i++)
                        a[i] = (unsigned char)(i % 7 == 6 ? 0x3f : 0);
                    for (size_t i = 0; i < k * n * es; i++)
                        b[i] = (unsigned char)(i % 5 == 4 ? 0x3f : 0);
                    memset(c, 0, m * n * es);
                    const kpg_scalar one = {1, 0};
                    (void)kp__gemm_native_direct_tiles();
                    int rc = kpg_call(ty, KP_COL_MAJOR, ta, tb, m, n, k, one, a, lda, b, ldb, one,
                                      c, m, 2);
                    assert_int_equal(rc, KP_OK);
                    /* one tile, on the caller: direct unless a complex op(B) is transposed */
                    const int took = direct && (!kpg_complex(ty) || tb == KP_NO_TRANS);
                    assert_int_equal(kp__gemm_native_direct_tiles(), took);
                    munmap(ma, la);
                    munmap(mb, lb);
                    munmap(mc, lc);
                }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_blocks_crossed, kpg_hooks_reset),
        cmocka_unit_test_teardown(test_same_bits_for_any_grid, kpg_hooks_reset),
        cmocka_unit_test_teardown(test_same_bits_for_any_storage, kpg_hooks_reset),
        cmocka_unit_test_teardown(test_direct_same_bits_as_packed, kpg_hooks_reset),
        cmocka_unit_test_teardown(test_complex_special_values, kpg_hooks_reset),
        cmocka_unit_test_teardown(test_out_of_work_space, kpg_hooks_reset),
        cmocka_unit_test_teardown(test_direct_needs_no_work_space, kpg_hooks_reset),
        cmocka_unit_test_teardown(test_reads_stay_inside, kpg_hooks_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
