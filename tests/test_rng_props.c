/* RNG properties that need no reference: bad input leaves every output
 * untouched, state words round-trip and reject malformed input, jump-ahead
 * composes, the substream fills follow their documented layout, and every
 * fill gives the same bits for workers 1, 2, 3, 7 and -1 at the sizes where
 * blocks begin and end. numpy's streams are checked in test_rng_numpy.c. */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernpool.h"

#define NSIZE(a) (sizeof(a) / sizeof *(a))

static const kp_bitgen kinds[] = {KP_PCG64, KP_PCG64DXSM, KP_PHILOX};
static const int workers_list[] = {1, 2, 3, 7, -1};

static kp_rng seeded(kp_bitgen kind, uint64_t seed)
{
    kp_seedseq ss;
    kp_rng g;
    assert_int_equal(kp_seedseq_init_u64(&ss, seed), KP_OK);
    assert_int_equal(kp_rng_init(&g, kind, &ss), KP_OK);
    return g;
}

static void assert_same_rng(const kp_rng *a, const kp_rng *b)
{
    uint64_t sa[KP_RNG_STATE_WORDS], sb[KP_RNG_STATE_WORDS];
    assert_int_equal(kp_rng_state_get(a, sa), KP_OK);
    assert_int_equal(kp_rng_state_get(b, sb), KP_OK);
    assert_memory_equal(sa, sb, sizeof sa);
}

/* ------------------------------------------------------------- bad input */

static void test_seedseq_bad_input(void **state)
{
    kp_seedseq ss, before;
    memset(&ss, 0xA5, sizeof ss);
    before = ss;
    uint32_t words[KP_SEEDSEQ_MAX_ENTROPY + 1] = {1};
    assert_int_equal(kp_seedseq_init(NULL, words, 1, NULL, 0), KP_ENULL);
    assert_int_equal(kp_seedseq_init(&ss, NULL, 1, NULL, 0), KP_ENULL);
    assert_int_equal(kp_seedseq_init(&ss, words, 1, NULL, 1), KP_ENULL);
    assert_int_equal(kp_seedseq_init(&ss, words, KP_SEEDSEQ_MAX_ENTROPY + 1, NULL, 0),
                     KP_EOVERFLOW);
    assert_int_equal(kp_seedseq_init(&ss, words, 1, words, KP_SEEDSEQ_MAX_SPAWN_KEY + 1),
                     KP_EOVERFLOW);
    assert_int_equal(kp_seedseq_init_u64(NULL, 1), KP_ENULL);
    assert_memory_equal(&ss, &before, sizeof ss);

    uint32_t out32[2] = {7, 7};
    uint64_t out64[2] = {7, 7};
    assert_int_equal(kp_seedseq_generate_state32(NULL, out32, 2), KP_ENULL);
    assert_int_equal(kp_seedseq_init_u64(&ss, 3), KP_OK);
    assert_int_equal(kp_seedseq_generate_state32(&ss, NULL, 2), KP_ENULL);
    assert_int_equal(kp_seedseq_generate_state64(&ss, NULL, 1), KP_ENULL);
    assert_int_equal(kp_seedseq_generate_state64(NULL, out64, 1), KP_ENULL);
    assert_int_equal(kp_seedseq_generate_state32(&ss, NULL, 0), KP_OK);
    assert_true(out32[0] == 7 && out64[0] == 7);

    /* spawn: a full key, or a counter that would pass 2**32 - 1 */
    kp_seedseq kids[2], kids_before[2];
    memset(kids, 0x5A, sizeof kids);
    memcpy(kids_before, kids, sizeof kids);
    uint32_t key[KP_SEEDSEQ_MAX_SPAWN_KEY] = {0};
    assert_int_equal(kp_seedseq_init(&ss, words, 1, key, KP_SEEDSEQ_MAX_SPAWN_KEY), KP_OK);
    before = ss;
    assert_int_equal(kp_seedseq_spawn(&ss, kids, 1), KP_EOVERFLOW);
    assert_int_equal(kp_seedseq_spawn(&ss, NULL, 1), KP_ENULL);
    assert_int_equal(kp_seedseq_spawn(NULL, kids, 1), KP_ENULL);
    assert_int_equal(kp_seedseq_spawn(&ss, NULL, 0), KP_OK);
    assert_int_equal(kp_seedseq_init_u64(&ss, 3), KP_OK);
    ss.n_children_spawned = UINT32_MAX - 1;
    before = ss;
    assert_int_equal(kp_seedseq_spawn(&ss, kids, 2), KP_EOVERFLOW);
    assert_memory_equal(&ss, &before, sizeof ss);
    assert_memory_equal(kids, kids_before, sizeof kids);
    assert_int_equal(kp_seedseq_spawn(&ss, kids, 1), KP_OK); /* index 2**32 - 2 */
    assert_int_equal(ss.n_children_spawned, UINT32_MAX);
    assert_int_equal(kp_seedseq_spawn(&ss, kids, 1), KP_EOVERFLOW);
}

static void test_rng_bad_input(void **state)
{
    kp_seedseq ss;
    assert_int_equal(kp_seedseq_init_u64(&ss, 1), KP_OK);
    kp_rng g, before;
    memset(&g, 0xC3, sizeof g);
    before = g;
    assert_int_equal(kp_rng_init(NULL, KP_PCG64, &ss), KP_ENULL);
    assert_int_equal(kp_rng_init(&g, KP_PCG64, NULL), KP_ENULL);
    assert_int_equal(kp_rng_init(&g, (kp_bitgen)3, &ss), KP_EINVAL);
    assert_int_equal(kp_rng_init(&g, (kp_bitgen)-1, &ss), KP_EINVAL);
    assert_memory_equal(&g, &before, sizeof g);

    assert_int_equal(kp_rng_next64(NULL), 0);
    assert_int_equal(kp_rng_next32(NULL), 0);
    assert_true(kp_rng_next_double(NULL) == 0.0);
    assert_int_equal(kp_rng_integer(NULL, 5, 9), 5);
    assert_int_equal(kp_rng_advance(NULL, 0, 1), KP_ENULL);
    assert_int_equal(kp_rng_jumped(NULL, 1, &g), KP_ENULL);
    assert_int_equal(kp_rng_state_get(NULL, (uint64_t[KP_RNG_STATE_WORDS]){0}), KP_ENULL);

    /* low >= high draws nothing */
    for (size_t k = 0; k < NSIZE(kinds); k++) {
        g = seeded(kinds[k], 11);
        before = g;
        assert_int_equal(kp_rng_integer(&g, 4, 4), 4);
        assert_int_equal(kp_rng_integer(&g, INT64_MAX, INT64_MIN), INT64_MAX);
        assert_same_rng(&g, &before);
    }
}

static void test_fill_bad_input(void **state)
{
    kp_rng g = seeded(KP_PCG64, 5), before = g;
    double d[4] = {1, 2, 3, 4}, d_before[4];
    int64_t i64[4] = {1, 2, 3, 4}, i_before[4];
    uint64_t u64[4] = {1, 2, 3, 4}, u_before[4];
    memcpy(d_before, d, sizeof d);
    memcpy(i_before, i64, sizeof i64);
    memcpy(u_before, u64, sizeof u64);
    const size_t huge = SIZE_MAX / 4;

    assert_int_equal(kp_random_raw(NULL, 4, u64, 1), KP_ENULL);
    assert_int_equal(kp_random_raw(&g, 4, NULL, 1), KP_ENULL);
    assert_int_equal(kp_random_raw(&g, huge, u64, 1), KP_EOVERFLOW);
    assert_int_equal(kp_random(NULL, 4, d, 1), KP_ENULL);
    assert_int_equal(kp_random(&g, 4, NULL, 1), KP_ENULL);
    assert_int_equal(kp_random(&g, huge, d, 1), KP_EOVERFLOW);
    assert_int_equal(kp_uniform(&g, 0, INFINITY, 4, d, 1), KP_EINVAL);
    assert_int_equal(kp_uniform(&g, NAN, 1, 4, d, 1), KP_EINVAL);
    assert_int_equal(kp_uniform(&g, -DBL_MAX, DBL_MAX, 4, d, 1), KP_EINVAL); /* range overflows */
    assert_int_equal(kp_uniform(&g, 0, 1, 4, NULL, 1), KP_ENULL);
    assert_int_equal(kp_uniform(&g, 0, 1, huge, d, 1), KP_EOVERFLOW);
    assert_int_equal(kp_integers(&g, 3, 3, 4, i64, 1), KP_EINVAL);
    assert_int_equal(kp_integers(&g, 3, -3, 4, i64, 1), KP_EINVAL);
    assert_int_equal(kp_integers(NULL, 0, 3, 4, i64, 1), KP_ENULL);
    assert_int_equal(kp_integers(&g, 0, 3, 4, NULL, 1), KP_ENULL);
    assert_int_equal(kp_integers(&g, 0, 3, huge, i64, 1), KP_EOVERFLOW);
    assert_int_equal(kp_standard_normal(&g, 4, NULL, 1), KP_ENULL);
    assert_int_equal(kp_standard_normal(NULL, 4, d, 1), KP_ENULL);
    assert_int_equal(kp_standard_normal(&g, huge, d, 1), KP_EOVERFLOW);
    assert_int_equal(kp_standard_exponential(&g, 4, NULL, 1), KP_ENULL);
    assert_int_equal(kp_standard_exponential(&g, huge, d, -1), KP_EOVERFLOW);
    assert_same_rng(&g, &before);
    assert_memory_equal(d, d_before, sizeof d);
    assert_memory_equal(i64, i_before, sizeof i64);
    assert_memory_equal(u64, u_before, sizeof u64);

    /* n == 0: nothing written, g unchanged, NULL out allowed */
    assert_int_equal(kp_random(&g, 0, NULL, -1), KP_OK);
    assert_int_equal(kp_standard_normal(&g, 0, d, -1), KP_OK);
    assert_int_equal(kp_integers(&g, 0, 9, 0, i64, -1), KP_OK);
    assert_same_rng(&g, &before);
    assert_memory_equal(d, d_before, sizeof d);
}

/* ------------------------------------------------------------ state words */

static void test_state_roundtrip(void **state)
{
    for (size_t k = 0; k < NSIZE(kinds); k++) {
        kp_rng g = seeded(kinds[k], 77);
        (void)kp_rng_next64(&g);
        (void)kp_rng_next32(&g); /* a pending half-word; Philox mid-block */
        uint64_t s[KP_RNG_STATE_WORDS];
        assert_int_equal(kp_rng_state_get(&g, s), KP_OK);
        kp_rng h;
        memset(&h, 0xEE, sizeof h);
        assert_int_equal(kp_rng_state_set(&h, s), KP_OK);
        for (int i = 0; i < 1000; i++) {
            assert_int_equal(kp_rng_next32(&g), kp_rng_next32(&h));
            assert_int_equal(kp_rng_next64(&g), kp_rng_next64(&h));
        }

        /* Each malformed word is refused and h is left alone. */
        kp_rng keep = h;
        uint64_t bad[KP_RNG_STATE_WORDS];
        size_t used = kinds[k] == KP_PHILOX ? 14 : 7;
        const struct {
            size_t word;
            uint64_t value;
        } edits[] = {
            {0, KP_RNG_STATE_FORMAT + 3},
            {0, KP_RNG_STATE_FORMAT - 1},
            {0, 0},
            {1, 2},
            {2, UINT64_C(1) << 32},
            {used, 1},
            {15, 1},
        };
        for (size_t e = 0; e < NSIZE(edits); e++) {
            memcpy(bad, s, sizeof bad);
            bad[edits[e].word] = edits[e].value;
            assert_int_equal(kp_rng_state_set(&h, bad), KP_EINVAL);
        }
        memcpy(bad, s, sizeof bad);
        if (kinds[k] == KP_PHILOX)
            bad[13] = 5; /* buffer_pos past the block */
        else
            bad[6] &= ~UINT64_C(1); /* an even increment */
        assert_int_equal(kp_rng_state_set(&h, bad), KP_EINVAL);
        assert_int_equal(kp_rng_state_set(NULL, s), KP_ENULL);
        assert_int_equal(kp_rng_state_set(&h, NULL), KP_ENULL);
        assert_memory_equal(&h, &keep, sizeof h);
    }
}

/* ------------------------------------------------------------ jump-ahead */

static void test_advance_composes(void **state)
{
    for (size_t k = 0; k < NSIZE(kinds); k++) {
        kp_rng g = seeded(kinds[k], 2026), a = g, b = g;
        /* back and forth */
        assert_int_equal(kp_rng_advance(&a, 0x123, 0x456789), KP_OK);
        assert_int_equal(kp_rng_advance(&a, ~UINT64_C(0x123), -UINT64_C(0x456789)), KP_OK);
        assert_int_equal(kp_rng_advance(&b, 0, 0), KP_OK); /* clears what advance clears */
        assert_same_rng(&a, &b);

        /* advance(2**64 + 3) = advance(2**64) then advance(3) */
        a = seeded(kinds[k], 3);
        b = a;
        assert_int_equal(kp_rng_advance(&a, 1, 3), KP_OK);
        assert_int_equal(kp_rng_advance(&b, 1, 0), KP_OK);
        assert_int_equal(kp_rng_advance(&b, 0, 3), KP_OK);
        assert_same_rng(&a, &b);

        /* jumped(2) = jumped(1) twice; out may be g */
        kp_rng j2, j11 = seeded(kinds[k], 9);
        kp_rng base = j11;
        assert_int_equal(kp_rng_jumped(&base, 2, &j2), KP_OK);
        assert_int_equal(kp_rng_jumped(&j11, 1, &j11), KP_OK);
        assert_int_equal(kp_rng_jumped(&j11, 1, &j11), KP_OK);
        assert_same_rng(&j2, &j11);
    }

    /* PCG: advance(k) continues after k draws */
    for (size_t k = 0; k < 2; k++) {
        kp_rng g = seeded(kinds[k], 8), a = g;
        for (int i = 0; i < 1000; i++)
            (void)kp_rng_next64(&g);
        assert_int_equal(kp_rng_advance(&a, 0, 1000), KP_OK);
        assert_int_equal(kp_rng_next64(&a), kp_rng_next64(&g));
    }
    /* Philox: advance(k) continues after 4k draws of a fresh generator */
    kp_rng g = seeded(KP_PHILOX, 8), a = g;
    for (int i = 0; i < 4000; i++)
        (void)kp_rng_next64(&g);
    assert_int_equal(kp_rng_advance(&a, 0, 1000), KP_OK);
    assert_int_equal(kp_rng_next64(&a), kp_rng_next64(&g));
}

/* -------------------------------------------------- seed sequence layout */

static void test_seedseq_identities(void **state)
{
    /* numpy's documented identities (trailing zeros up to the pool size are
     * invisible; child i of a root is the root with spawn key (i,)). */
    kp_seedseq a, b, c, kids[4];
    const uint32_t w[5] = {12345, 0, 0, 0, 0};
    assert_int_equal(kp_seedseq_init_u64(&a, 12345), KP_OK);
    assert_int_equal(kp_seedseq_init(&b, w, 4, NULL, 0), KP_OK);
    assert_memory_equal(a.pool, b.pool, sizeof a.pool);
    assert_int_equal(kp_seedseq_init(&c, w, 5, NULL, 0), KP_OK);
    assert_memory_not_equal(a.pool, c.pool, sizeof a.pool);

    assert_int_equal(kp_seedseq_spawn(&a, kids, 4), KP_OK);
    for (uint32_t i = 0; i < 4; i++) {
        kp_seedseq d;
        assert_int_equal(kp_seedseq_init(&d, w, 1, &i, 1), KP_OK);
        assert_memory_equal(d.pool, kids[i].pool, sizeof d.pool);
    }
    /* a second spawn continues the count */
    kp_seedseq more;
    assert_int_equal(kp_seedseq_spawn(&a, &more, 1), KP_OK);
    uint32_t four = 4;
    assert_int_equal(kp_seedseq_init(&c, w, 1, &four, 1), KP_OK);
    assert_memory_equal(c.pool, more.pool, sizeof c.pool);
    assert_int_equal(a.n_children_spawned, 5);

    /* generate_state is a prefix function and does not change ss */
    uint32_t s8[8], s3[3];
    kp_seedseq before = a;
    assert_int_equal(kp_seedseq_generate_state32(&a, s8, 8), KP_OK);
    assert_int_equal(kp_seedseq_generate_state32(&a, s3, 3), KP_OK);
    assert_memory_equal(s8, s3, sizeof s3);
    assert_memory_equal(&a, &before, sizeof a);
    uint64_t s64[4];
    assert_int_equal(kp_seedseq_generate_state64(&a, s64, 4), KP_OK);
    for (int i = 0; i < 4; i++)
        assert_true(s64[i] == (s8[2 * i] | (uint64_t)s8[2 * i + 1] << 32));
}

/* --------------------------------------------------------------- fills */

typedef enum { RAW, RANDOM, UNIFORM, INTEGERS, NORMAL, EXPONENTIAL, NFILL } fill_kind;

static void do_fill(fill_kind f, kp_rng *g, size_t n, void *out, int workers)
{
    int st;
    switch (f) {
    case RAW: st = kp_random_raw(g, n, out, workers); break;
    case RANDOM: st = kp_random(g, n, out, workers); break;
    case UNIFORM: st = kp_uniform(g, -3, 5, n, out, workers); break;
    case INTEGERS: st = kp_integers(g, -1000, 1000000007, n, out, workers); break;
    case NORMAL: st = kp_standard_normal(g, n, out, workers); break;
    default: st = kp_standard_exponential(g, n, out, workers); break;
    }
    assert_int_equal(st, KP_OK);
}

/* Every fill, every generator, sizes around block boundaries: the same bits
 * and the same final state for every workers value; a fill of n then one of
 * m continues where the first left g. */
static void test_fills_workers_invariant(void **state)
{
    const size_t B = KP_RNG_BLOCK;
    const size_t sizes[] = {0, 1, B - 1, B, B + 1, 3 * B + 17, 1000003};
    uint64_t *first = malloc(1000003 * 8), *out = malloc(1000003 * 8);
    assert_non_null(first);
    assert_non_null(out);
    for (size_t k = 0; k < NSIZE(kinds); k++)
        for (fill_kind f = RAW; f < NFILL; f++)
            for (size_t s = 0; s < NSIZE(sizes); s++) {
                if (sizes[s] == 1000003 && k > 0 && f != NORMAL) continue; /* time */
                kp_rng g0 = seeded(kinds[k], 100 + s);
                (void)kp_rng_next32(&g0); /* start with a pending half-word */
                kp_rng end;
                for (size_t w = 0; w < NSIZE(workers_list); w++) {
                    kp_rng g = g0;
                    memset(out, 0, sizes[s] * 8);
                    do_fill(f, &g, sizes[s], out, workers_list[w]);
                    if (w == 0) {
                        memcpy(first, out, sizes[s] * 8);
                        end = g;
                        continue;
                    }
                    if (memcmp(first, out, sizes[s] * 8) != 0)
                        fail_msg("kind %zu fill %d n %zu: workers %d differs", k, f, sizes[s],
                                 workers_list[w]);
                    assert_same_rng(&g, &end);
                }
                if (sizes[s] == 0) assert_same_rng(&end, &g0);
            }
    free(first);
    free(out);
}

/* The substream layout: block j of a fill equals a one-block fill from g
 * advanced by j * 2**64, and g ends where the last block's draws ended. */
static void test_substream_layout(void **state)
{
    const size_t B = KP_RNG_BLOCK, n = 2 * B + 5;
    double *all = malloc(n * sizeof *all), *part = malloc(B * sizeof *part);
    assert_non_null(all);
    assert_non_null(part);
    for (size_t k = 0; k < NSIZE(kinds); k++) {
        kp_rng g0 = seeded(kinds[k], 4242), g = g0;
        (void)kp_rng_next32(&g0);
        g = g0;
        assert_int_equal(kp_standard_normal(&g, n, all, -1), KP_OK);
        kp_rng last;
        for (size_t j = 0; j < 3; j++) {
            kp_rng h = g0;
            if (j > 0) assert_int_equal(kp_rng_advance(&h, j, 0), KP_OK);
            size_t len = j < 2 ? B : 5;
            assert_int_equal(kp_standard_normal(&h, len, part, 1), KP_OK);
            assert_memory_equal(part, all + j * B, len * sizeof *part);
            last = h;
        }
        assert_same_rng(&g, &last);

        /* one block is the sequential stream: n calls of kp_rng_integer */
        kp_rng a = g0, b = g0;
        int64_t v[1000];
        assert_int_equal(kp_integers(&a, -7, 100, 1000, v, -1), KP_OK);
        for (int i = 0; i < 1000; i++)
            assert_int_equal(v[i], kp_rng_integer(&b, -7, 100));
        assert_same_rng(&a, &b);
    }
    free(all);
    free(part);
}

static void test_integers_ranges(void **state)
{
    const struct {
        int64_t lo, hi;
    } r[] = {{0, 1},
             {-1, 0},
             {7, 8},
             {0, 2},
             {-5, 5},
             {0, 4294967295},
             {0, 4294967296},
             {0, 4294967297},
             {INT64_MIN, INT64_MAX},
             {INT64_MIN, INT64_MIN + 3},
             {INT64_MAX - 3, INT64_MAX},
             {INT64_MIN, 0}};
    int64_t v[5000];
    for (size_t i = 0; i < NSIZE(r); i++) {
        kp_rng g = seeded(KP_PCG64, i);
        assert_int_equal(kp_integers(&g, r[i].lo, r[i].hi, 5000, v, 1), KP_OK);
        int64_t mn = INT64_MAX, mx = INT64_MIN;
        for (int j = 0; j < 5000; j++) {
            assert_true(v[j] >= r[i].lo && v[j] < r[i].hi);
            mn = v[j] < mn ? v[j] : mn;
            mx = v[j] > mx ? v[j] : mx;
        }
        /* small ranges are covered end to end */
        if ((uint64_t)r[i].hi - (uint64_t)r[i].lo <= 10) {
            assert_true(mn == r[i].lo);
            assert_true(mx == r[i].hi - 1);
        }
    }
    /* a span of one draws nothing */
    kp_rng g = seeded(KP_PHILOX, 1), before = g;
    assert_int_equal(kp_integers(&g, 7, 8, 5000, v, -1), KP_OK);
    assert_same_rng(&g, &before);
    for (int j = 0; j < 5000; j++)
        assert_int_equal(v[j], 7);
}

static void test_random_range(void **state)
{
    kp_rng g = seeded(KP_PCG64DXSM, 12);
    double *x = malloc(200000 * sizeof *x);
    assert_non_null(x);
    assert_int_equal(kp_random(&g, 200000, x, -1), KP_OK);
    for (int i = 0; i < 200000; i++) {
        assert_true(x[i] >= 0.0 && x[i] < 1.0);
        assert_true(x[i] * 0x1p53 == floor(x[i] * 0x1p53)); /* a multiple of 2**-53 */
    }
    assert_int_equal(kp_uniform(&g, 2.0, 2.0, 1000, x, 1), KP_OK);
    for (int i = 0; i < 1000; i++)
        assert_true(x[i] == 2.0);
    assert_int_equal(kp_standard_exponential(&g, 200000, x, -1), KP_OK);
    for (int i = 0; i < 200000; i++)
        assert_true(x[i] >= 0.0 && isfinite(x[i]));
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seedseq_bad_input),       cmocka_unit_test(test_rng_bad_input),
        cmocka_unit_test(test_fill_bad_input),          cmocka_unit_test(test_state_roundtrip),
        cmocka_unit_test(test_advance_composes),        cmocka_unit_test(test_seedseq_identities),
        cmocka_unit_test(test_fills_workers_invariant), cmocka_unit_test(test_substream_layout),
        cmocka_unit_test(test_integers_ranges),         cmocka_unit_test(test_random_range),
    };
    return cmocka_run_group_tests_name("rng_props", tests, NULL, NULL);
}
