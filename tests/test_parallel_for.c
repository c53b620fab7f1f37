/* kp_parallel_for: coverage, grain, inline execution, nesting, concurrency,
 * the caller's floating-point modes in every range, thread-creation
 * failure. Run by ctest at the machine's budget and with
 * KERNPOOL_CPU_BUDGET=8, so that more threads than cores are exercised. */
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fenv.h>
#if defined(__x86_64__)
#include <xmmintrin.h>
#endif

#include "kernpool.h"
#include "sched/internal.h"
#include "testutil.h"

typedef struct coverage {
    size_t n, grain;
    atomic_uchar *hits;
    atomic_int bad_range; /* a range that breaks the grain contract */
    atomic_int calls;
} coverage;

static void cover(void *ctx, size_t begin, size_t end)
{
    coverage *c = ctx;
    atomic_fetch_add(&c->calls, 1);
    size_t g = c->grain ? c->grain : 1;
    if (begin >= end || end > c->n || begin % g != 0 || ((end - begin) % g != 0 && end != c->n))
        atomic_store(&c->bad_range, 1);
    for (size_t i = begin; i < end && i < c->n; i++)
        atomic_fetch_add_explicit(&c->hits[i], 1, memory_order_relaxed);
}

/* Runs one parallel_for and returns 0 if every index was hit exactly once. */
static int check_coverage(size_t n, size_t grain, int workers)
{
    coverage c = {.n = n, .grain = grain};
    c.hits = calloc(n ? n : 1, sizeof *c.hits);
    if (c.hits == NULL) return -1;
    int rc = kp_parallel_for(n, grain, cover, &c, workers);
    int bad = rc != KP_OK || atomic_load(&c.bad_range);
    for (size_t i = 0; i < n; i++)
        if (atomic_load(&c.hits[i]) != 1) bad = 1;
    if (n == 0 && atomic_load(&c.calls) != 0) bad = 1;
    free(c.hits);
    return bad;
}

static void test_covers_every_index_once(void **state)
{
    static const size_t sizes[] = {0, 1, 2, 3, 7, 64, 1000, 4097, 100003};
    static const int workers[] = {0, 1, 2, 3, -1, -2, 64};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        size_t n = sizes[s];
        size_t grains[] = {0, 1, 3, 64, 1000, n + 1};
        for (size_t g = 0; g < sizeof grains / sizeof *grains; g++)
            for (size_t w = 0; w < sizeof workers / sizeof *workers; w++) {
                if (check_coverage(n, grains[g], workers[w]) != 0)
                    fail_msg("n=%zu grain=%zu workers=%d", n, grains[g], workers[w]);
            }
    }
}

static int never_called;
static void must_not_run(void *ctx, size_t begin, size_t end)
{
    never_called = 1;
}

static void test_bad_and_empty_input(void **state)
{
    assert_int_equal(kp_parallel_for(10, 1, NULL, NULL, -1), KP_ENULL);
    assert_int_equal(kp_parallel_for(0, 1, NULL, NULL, -1), KP_ENULL);
    assert_int_equal(kp_parallel_for(0, 1, must_not_run, NULL, -1), KP_OK);
    assert_int_equal(kp_parallel_for(0, 0, must_not_run, NULL, 1), KP_OK);
    assert_int_equal(never_called, 0);
}

typedef struct single {
    pthread_t caller;
    int calls;
    size_t begin, end;
    int on_caller;
} single;

static void record_single(void *ctx, size_t begin, size_t end)
{
    single *s = ctx;
    s->calls++;
    s->begin = begin;
    s->end = end;
    s->on_caller = pthread_equal(pthread_self(), s->caller);
}

/* workers resolving to 1, or n <= grain, run fn once on the caller and
 * never start the pool. In a child, so the pool is fresh. */
static void serial_child(void *arg)
{
    const int threads = kp_test_thread_count(); /* a sanitizer may run its own */
    CHILD_CHECK(kp__pool_threads_alive() == 0);
    const int workers[] = {1, 0, INT_MIN, -1000000};
    for (size_t i = 0; i < sizeof workers / sizeof *workers; i++) {
        single s = {.caller = pthread_self()};
        CHILD_CHECK(kp_parallel_for(1000, 7, record_single, &s, workers[i]) == KP_OK);
        CHILD_CHECK(s.calls == 1 && s.begin == 0 && s.end == 1000 && s.on_caller);
    }
    single s = {.caller = pthread_self()};
    CHILD_CHECK(kp_parallel_for(1000, 1000, record_single, &s, -1) == KP_OK);
    CHILD_CHECK(s.calls == 1 && s.begin == 0 && s.end == 1000 && s.on_caller);
    CHILD_CHECK(kp__pool_threads_alive() == 0);
    CHILD_CHECK(kp_test_thread_count() == threads);
}

static void test_serial_runs_inline(void **state)
{
    assert_int_equal(kp_test_in_child(serial_child, NULL, 30), 0);
}

/* Nesting to depth 3 with every level parallel: each innermost index once. */
typedef struct nest {
    size_t width;
    atomic_uint *hits; /* width^3 */
    int depth;
    size_t base;
} nest;

static void nested_level(void *ctx, size_t begin, size_t end)
{
    const nest *parent = ctx;
    for (size_t i = begin; i < end; i++) {
        nest child = *parent;
        child.depth = parent->depth + 1;
        child.base = parent->base * parent->width + i;
        if (child.depth == 3)
            atomic_fetch_add(&parent->hits[child.base], 1);
        else
            assert_int_equal(kp_parallel_for(parent->width, 1, nested_level, &child, -1), KP_OK);
    }
}

static void test_nested_depth_3(void **state)
{
    nest top = {.width = 13};
    size_t total = top.width * top.width * top.width;
    top.hits = calloc(total, sizeof *top.hits);
    assert_non_null(top.hits);
    for (int rep = 0; rep < 20; rep++)
        assert_int_equal(kp_parallel_for(top.width, 1, nested_level, &top, -1), KP_OK);
    for (size_t i = 0; i < total; i++)
        assert_int_equal(atomic_load(&top.hits[i]), 20);
    free(top.hits);
}

static void test_ten_thousand_regions(void **state)
{
    for (int i = 0; i < 10000; i++)
        if (check_coverage(64, 1, -1) != 0) fail_msg("region %d", i);
}

typedef struct sees_default {
    atomic_int wrong;
} sees_default;

static void check_default_is_3(void *ctx, size_t begin, size_t end)
{
    sees_default *s = ctx;
    if (kp_get_workers() != 3) atomic_store(&s->wrong, 1);
}

/* Inside callbacks, workers = 0 means the default of the thread that made
 * the call, whichever thread runs the range. */
static void test_callbacks_inherit_default(void **state)
{
    int old = kp_set_workers(3);
    sees_default s = {0};
    for (int rep = 0; rep < 100; rep++)
        assert_int_equal(kp_parallel_for(256, 1, check_default_is_3, &s, -1), KP_OK);
    assert_int_equal(atomic_load(&s.wrong), 0);
    assert_int_equal(kp_set_workers(old), 3);
}

/* A range that sets its thread's default: every range still starts under
 * the caller's (here none of its own: the process default, as
 * kp_pool_info_get reports it), and the caller's default after the call is
 * what it was, whichever thread ran which range and at any workers. */
typedef struct sets_default {
    int want;
    kp_source source;
    atomic_int wrong;
} sets_default;

static void set_default_inside(void *ctx, size_t begin, size_t end)
{
    sets_default *s = ctx;
    kp_pool_info info;
    if (kp_get_workers() != s->want || kp_pool_info_get(&info) != KP_OK ||
        info.default_source != s->source)
        atomic_store(&s->wrong, 1);
    (void)kp_set_workers(7);
    volatile double busy = 0; /* long enough for the pool's threads to join */
    for (size_t i = begin; i < end; i++)
        for (int k = 0; k < 2000; k++)
            busy = busy + 1.0;
}

static void test_callbacks_do_not_keep_defaults(void **state)
{
    kp_pool_info info;
    assert_int_equal(kp_pool_info_get(&info), KP_OK);
    sets_default s = {.want = kp_get_workers(), .source = info.default_source};
    static const int workers[] = {1, 2, -1};
    for (int rep = 0; rep < 50; rep++)
        for (size_t w = 0; w < sizeof workers / sizeof *workers; w++) {
            assert_int_equal(kp_parallel_for(64, 1, set_default_inside, &s, workers[w]), KP_OK);
            assert_int_equal(kp_get_workers(), s.want);
        }
    assert_int_equal(atomic_load(&s.wrong), 0);
}

/* What the ranges of a call saw of the floating-point modes. */
typedef struct fp_seen {
    pthread_t caller;
    int round;         /* the caller's rounding direction */
    unsigned csr;      /* x86-64: the caller's MXCSR control bits */
    atomic_int wrong;  /* a range ran under other modes */
    atomic_int helped; /* a range ran on another thread */
} fp_seen;

#define CSR_FLAGS   0x3fu
#define CSR_FTZ_DAZ 0x8040u

static void check_fp_modes(void *ctx, size_t begin, size_t end)
{
    fp_seen *s = ctx;
    if (!pthread_equal(pthread_self(), s->caller)) atomic_store(&s->helped, 1);
    if (fegetround() != s->round) atomic_store(&s->wrong, 1);
#if defined(__x86_64__)
    if ((_mm_getcsr() & ~CSR_FLAGS) != s->csr) atomic_store(&s->wrong, 1);
#endif
    volatile double busy = 0; /* long enough for the pool's threads to join */
    for (size_t i = begin; i < end; i++)
        for (int k = 0; k < 20000; k++)
            busy = busy + 1.0;
}

static void no_op(void *ctx, size_t begin, size_t end)
{
    (void)ctx;
    (void)begin;
    (void)end;
}

/* The pool's threads start under the default modes; a caller that then
 * rounds upward (and flushes subnormals) has every range of its calls run
 * so, on whichever thread, and kp_dsum's bits agree at workers 1 and 2. */
static void test_callbacks_take_callers_fp_modes(void **state)
{
    if (kp_cpu_budget() < 2) skip();
    assert_int_equal(kp_parallel_for(64, 1, no_op, NULL, -1), KP_OK);
    enum { N = 1 << 20 };
    double *x = malloc(N * sizeof *x);
    assert_non_null(x);
    uint64_t r = 42;
    for (size_t i = 0; i < N; i++) {
        r = r * 6364136223846793005u + 1442695040888963407u;
        x[i] = (double)(int64_t)r / 0x1p63 * (1.0 + (double)(i % 1000));
    }

    const int old_round = fegetround();
    assert_int_equal(fesetround(FE_UPWARD), 0);
#if defined(__x86_64__)
    const unsigned old_csr = _mm_getcsr();
    _mm_setcsr(old_csr | CSR_FTZ_DAZ);
#endif
    fp_seen s = {.caller = pthread_self(), .round = fegetround()};
#if defined(__x86_64__)
    s.csr = _mm_getcsr() & ~CSR_FLAGS;
#endif
    for (int rep = 0; rep < 200 && !atomic_load(&s.helped); rep++)
        assert_int_equal(kp_parallel_for(64, 1, check_fp_modes, &s, -1), KP_OK);
    double one = 0, two = 0;
    assert_int_equal(kp_dsum(N, x, 1, 1, &one), KP_OK);
    assert_int_equal(kp_dsum(N, x, 1, 2, &two), KP_OK);
#if defined(__x86_64__)
    _mm_setcsr(old_csr);
#endif
    assert_int_equal(fesetround(old_round), 0);
    free(x);

    assert_int_equal(atomic_load(&s.helped), 1);
    assert_int_equal(atomic_load(&s.wrong), 0);
    assert_memory_equal(&one, &two, sizeof one);
}

static void *concurrent_caller(void *arg)
{
    atomic_int *failures = arg;
    for (int i = 0; i < 200; i++)
        if (check_coverage(97 + (size_t)i, 1 + (size_t)i % 5, -1) != 0)
            atomic_fetch_add(failures, 1);
    return NULL;
}

static void test_concurrent_callers(void **state)
{
    enum { CALLERS = 8 };
    pthread_t t[CALLERS];
    atomic_int failures = 0;
    for (int i = 0; i < CALLERS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, concurrent_caller, &failures), 0);
    for (int i = 0; i < CALLERS; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(atomic_load(&failures), 0);
}

/* When no thread can be created, every index still runs, on the caller. */
static void spawn_fails_child(void *arg)
{
    const int threads = kp_test_thread_count();
    kp__pool_fail_spawn(1);
    for (int rep = 0; rep < 100; rep++)
        CHILD_CHECK(check_coverage(1000, 1, -1) == 0);
    CHILD_CHECK(kp__pool_threads_alive() == 0);
    CHILD_CHECK(kp_test_thread_count() == threads);
    kp__pool_fail_spawn(0);
    CHILD_CHECK(check_coverage(1000, 1, -1) == 0);
    CHILD_CHECK(kp__pool_threads_alive() == kp_cpu_budget() - 1);
}

static void test_thread_creation_failure(void **state)
{
    assert_int_equal(kp_test_in_child(spawn_fails_child, NULL, 30), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_serial_runs_inline),
        cmocka_unit_test(test_thread_creation_failure),
        cmocka_unit_test(test_bad_and_empty_input),
        cmocka_unit_test(test_covers_every_index_once),
        cmocka_unit_test(test_nested_depth_3),
        cmocka_unit_test(test_ten_thousand_regions),
        cmocka_unit_test(test_callbacks_inherit_default),
        cmocka_unit_test(test_callbacks_do_not_keep_defaults),
        cmocka_unit_test(test_callbacks_take_callers_fp_modes),
        cmocka_unit_test(test_concurrent_callers),
    };
    return cmocka_run_group_tests_name("parallel_for", tests, NULL, NULL);
}
