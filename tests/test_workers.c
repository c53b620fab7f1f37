/* The workers knob: resolution, KERNPOOL_WORKERS, the per-thread default.
 * Each case that needs its own environment runs in a forked child, whose
 * settings and budget are read afresh (the fork handlers reset them). */
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernpool.h"
#include "testutil.h"

typedef struct resolve_case {
    int workers, expect;
} resolve_case;

static void resolve_table_child(void *arg)
{
    const int budget = *(const int *)arg;
    char value[16];
    snprintf(value, sizeof value, "%d", budget);
    setenv("KERNPOOL_CPU_BUDGET", value, 1);
    unsetenv("KERNPOOL_WORKERS");
    CHILD_CHECK(kp_cpu_budget() == budget);
    const resolve_case table[] = {
        {0, 1}, /* the default is serial */
        {1, 1},
        {2, budget < 2 ? budget : 2},
        {budget, budget},
        {budget + 5, budget},
        {INT_MAX, budget},
        {-1, budget},
        {-2, budget > 1 ? budget - 1 : 1},
        {-budget, 1},
        {-budget - 1, 1},
        {INT_MIN + 1, 1},
        {INT_MIN, 1},
    };
    for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
        int got = kp_workers_resolve(table[i].workers);
        if (got != table[i].expect) {
            fprintf(stderr, "budget %d: resolve(%d) = %d, expected %d\n", budget, table[i].workers,
                    got, table[i].expect);
            _exit(1);
        }
    }
}

static void test_resolve_table(void **state)
{
    static const int budgets[] = {1, 2, 8, 16, 128};
    for (size_t i = 0; i < sizeof budgets / sizeof *budgets; i++)
        assert_int_equal(kp_test_in_child(resolve_table_child, (void *)&budgets[i], 30), 0);
}

static void test_resolve_stays_in_range(void **state)
{
    int budget = kp_cpu_budget();
    assert_true(budget >= 1);
    for (long w = -3000; w <= 3000; w += 7) {
        int got = kp_workers_resolve((int)w);
        assert_true(got >= 1 && got <= budget);
    }
}

typedef struct env_case {
    const char *value; /* NULL: unset */
    int default_workers;
    int malformed;
    kp_source source;
} env_case;

static void env_child(void *arg)
{
    const env_case *c = arg;
    setenv("KERNPOOL_CPU_BUDGET", "8", 1);
    if (c->value != NULL)
        setenv("KERNPOOL_WORKERS", c->value, 1);
    else
        unsetenv("KERNPOOL_WORKERS");
    CHILD_CHECK(kp_get_workers() == c->default_workers);
    kp_pool_info info;
    CHILD_CHECK(kp_pool_info_get(&info) == KP_OK);
    CHILD_CHECK(info.default_workers == c->default_workers);
    CHILD_CHECK(info.workers_env_malformed == c->malformed);
    CHILD_CHECK(info.default_source == c->source);
    int resolved = c->default_workers > 0
                       ? (c->default_workers < 8 ? c->default_workers : 8)
                       : (9 + c->default_workers > 1 ? 9 + c->default_workers : 1);
    CHILD_CHECK(kp_workers_resolve(0) == resolved);
    /* Read once: a later change of the environment is not seen. */
    setenv("KERNPOOL_WORKERS", "5", 1);
    CHILD_CHECK(kp_get_workers() == c->default_workers);
}

static void test_workers_env(void **state)
{
    static const env_case cases[] = {
        {NULL, 1, 0, KP_SOURCE_BUILTIN},
        {"", 1, 0, KP_SOURCE_BUILTIN},
        {"4", 4, 0, KP_SOURCE_ENV},
        {" 3 ", 3, 0, KP_SOURCE_ENV},
        {"-1", -1, 0, KP_SOURCE_ENV},
        {"-3", -3, 0, KP_SOURCE_ENV},
        {"100", 100, 0, KP_SOURCE_ENV},
        {"0", 1, 1, KP_SOURCE_BUILTIN},
        {"two", 1, 1, KP_SOURCE_BUILTIN},
        {"2x", 1, 1, KP_SOURCE_BUILTIN},
        {"1.5", 1, 1, KP_SOURCE_BUILTIN},
        {"99999999999999999999", 1, 1, KP_SOURCE_BUILTIN},
        {"2147483648", 1, 1, KP_SOURCE_BUILTIN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        if (kp_test_in_child(env_child, (void *)&cases[i], 30) != 0)
            fail_msg("KERNPOOL_WORKERS=%s", cases[i].value ? cases[i].value : "(unset)");
}

static void *read_default(void *arg)
{
    int *out = arg;
    *out = kp_get_workers();
    return NULL;
}

static int default_on_other_thread(void)
{
    pthread_t t;
    int seen = 0;
    if (pthread_create(&t, NULL, read_default, &seen) != 0) return -1000;
    pthread_join(t, NULL);
    return seen;
}

static void thread_default_child(void *arg)
{
    setenv("KERNPOOL_WORKERS", "-1", 1);
    CHILD_CHECK(kp_get_workers() == -1);
    CHILD_CHECK(kp_set_workers(2) == -1); /* returns the previous default */
    CHILD_CHECK(kp_get_workers() == 2);
    kp_pool_info info;
    CHILD_CHECK(kp_pool_info_get(&info) == KP_OK && info.default_source == KP_SOURCE_THREAD);
    CHILD_CHECK(default_on_other_thread() == -1); /* does not leak to other threads */
    CHILD_CHECK(kp_set_workers(INT_MIN) == 2);
    CHILD_CHECK(kp_get_workers() == INT_MIN && kp_workers_resolve(0) == 1);
    CHILD_CHECK(kp_set_workers(0) == INT_MIN); /* back to the process default */
    CHILD_CHECK(kp_get_workers() == -1);
    CHILD_CHECK(kp_pool_info_get(&info) == KP_OK && info.default_source == KP_SOURCE_ENV);
    int old = kp_set_workers(7);
    CHILD_CHECK(kp_set_workers(old) == 7 && kp_get_workers() == -1);
}

static void test_thread_default(void **state)
{
    assert_int_equal(kp_test_in_child(thread_default_child, NULL, 30), 0);
}

typedef struct spin_case {
    const char *value;
    unsigned spin_us;
    int malformed;
} spin_case;

static void spin_child(void *arg)
{
    const spin_case *c = arg;
    setenv("KERNPOOL_SPIN_US", c->value, 1);
    kp_pool_info info;
    CHILD_CHECK(kp_pool_info_get(&info) == KP_OK);
    CHILD_CHECK(info.spin_us == c->spin_us && info.spin_env_malformed == c->malformed);
}

static void test_spin_env(void **state)
{
    static const spin_case cases[] = {
        {"0", 0, 0},        {"200", 200, 0}, {"1000000", 1000000, 0},
        {"1000001", 50, 1}, {"-1", 50, 1},   {"fast", 50, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        if (kp_test_in_child(spin_child, (void *)&cases[i], 30) != 0)
            fail_msg("KERNPOOL_SPIN_US=%s", cases[i].value);
}

static void test_info_null(void **state)
{
    assert_int_equal(kp_pool_info_get(NULL), KP_ENULL);
}

/* The info names the SIMD paths; KERNPOOL_ISA caps the selected one. */
static void isa_child(void *arg)
{
    setenv("KERNPOOL_ISA", "portable", 1);
    kp_pool_info info;
    CHILD_CHECK(kp_pool_info_get(&info) == KP_OK);
    CHILD_CHECK(strcmp(info.isa_selected, "portable") == 0);
    CHILD_CHECK(strcmp(info.isa_supported, "portable") == 0 ||
                strcmp(info.isa_supported, "avx2") == 0 ||
                strcmp(info.isa_supported, "avx512") == 0);
}

/* KERNPOOL_ISA as kp_pool_info_get reports it: set or not, malformed or
 * not; empty is unset, as for the other variables. Each in a child (the
 * selection is made once). */
typedef struct isa_case {
    const char *value;
    const char *env; /* isa_env */
    int malformed;
} isa_case;

static void isa_env_child(void *arg)
{
    const isa_case *c = arg;
    setenv("KERNPOOL_ISA", c->value, 1);
    kp_pool_info info;
    CHILD_CHECK(kp_pool_info_get(&info) == KP_OK);
    CHILD_CHECK(strcmp(info.isa_env, c->env) == 0);
    CHILD_CHECK(info.isa_env_malformed == c->malformed);
    if (c->malformed || c->env[0] == '\0') /* ignored: everything supported */
        CHILD_CHECK(strcmp(info.isa_selected, info.isa_supported) == 0);
}

static void test_info_isa(void **state)
{
    assert_int_equal(kp_test_in_child(isa_child, NULL, 30), 0);
    static const isa_case cases[] = {
        {"", "", 0}, {"avx2", "avx2", 0}, {"avx3", "avx3", 1}, {" avx2", " avx2", 1}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (kp_test_in_child(isa_env_child, (void *)&cases[i], 30) != 0)
            fail_msg("KERNPOOL_ISA=\"%s\"", cases[i].value);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resolve_table), cmocka_unit_test(test_resolve_stays_in_range),
        cmocka_unit_test(test_workers_env),   cmocka_unit_test(test_thread_default),
        cmocka_unit_test(test_spin_env),      cmocka_unit_test(test_info_null),
        cmocka_unit_test(test_info_isa),
    };
    return cmocka_run_group_tests_name("workers", tests, NULL, NULL);
}
