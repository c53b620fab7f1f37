/* fork(): a child of a process that uses the pool, even while another thread
 * is inside a parallel call, can run parallel work at once and never hangs. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "kernpool.h"
#include "sched/internal.h"
#include "testutil.h"

enum { FORKS = 50, N = 5000 };

static void sum_range(void *ctx, size_t begin, size_t end)
{
    atomic_ullong *sum = ctx;
    unsigned long long s = 0;
    for (size_t i = begin; i < end; i++)
        s += i;
    atomic_fetch_add(sum, s);
}

static unsigned long long parallel_sum(int workers)
{
    atomic_ullong sum = 0;
    if (kp_parallel_for(N, 1, sum_range, &sum, workers) != KP_OK) return 0;
    return atomic_load(&sum);
}

static atomic_int stop;

static void *background(void *arg)
{
    while (!atomic_load(&stop))
        (void)parallel_sum(-1);
    return NULL;
}

static void child_work(void *arg)
{
    const unsigned long long expect = (unsigned long long)N * (N - 1) / 2;
    for (int i = 0; i < 20; i++)
        CHILD_CHECK(parallel_sum(-1) == expect);
    CHILD_CHECK(kp__pool_threads_alive() <= kp_cpu_budget() - 1);
}

static void test_fork_after_heavy_use(void **state)
{
    for (int i = 0; i < 200; i++)
        assert_true(parallel_sum(-1) == (unsigned long long)N * (N - 1) / 2);
    pthread_t t;
    atomic_store(&stop, 0);
    assert_int_equal(pthread_create(&t, NULL, background, NULL), 0);
    for (int i = 0; i < FORKS; i++)
        if (kp_test_in_child(child_work, NULL, 10) != 0) fail_msg("child %d failed or hung", i);
    atomic_store(&stop, 1);
    pthread_join(t, NULL);
}

/* A child that forks again (grandchildren) after using the rebuilt pool. */
static void grandchild_parent(void *arg)
{
    child_work(NULL);
    CHILD_CHECK(kp_test_in_child(child_work, NULL, 10) == 0);
}

static void test_fork_twice(void **state)
{
    (void)parallel_sum(-1);
    for (int i = 0; i < 10; i++)
        assert_int_equal(kp_test_in_child(grandchild_parent, NULL, 20), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fork_after_heavy_use),
        cmocka_unit_test(test_fork_twice),
    };
    return cmocka_run_group_tests_name("fork", tests, NULL, NULL);
}
