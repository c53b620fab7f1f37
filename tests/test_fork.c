/* fork(): a child of a process that uses the pool, even while another thread
 * is inside a parallel call, can run parallel work at once and never hangs. */
#include <pthread.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

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

/* Pool threads block asynchronous signals but not the synchronous ones, and
 * a child forked from a callback on a pool thread gets the application's
 * mask back. */
typedef struct masks {
    pthread_t caller;
    atomic_int checked, wrong;
} masks;

static void check_masks(void *ctx, size_t begin, size_t end)
{
    masks *m = ctx;
    if (pthread_equal(pthread_self(), m->caller)) {
        /* Leave time for a pool thread to take a range, however loaded the machine. */
        struct timespec t = {0, 200000};
        if (!atomic_load(&m->checked)) nanosleep(&t, NULL);
        return;
    }
    if (atomic_exchange(&m->checked, 1)) return;
    sigset_t now;
    pthread_sigmask(SIG_SETMASK, NULL, &now);
    if (!sigismember(&now, SIGINT) || !sigismember(&now, SIGTERM) || sigismember(&now, SIGSEGV) ||
        sigismember(&now, SIGFPE) || sigismember(&now, SIGBUS))
        atomic_store(&m->wrong, 1);
    pid_t pid = fork();
    if (pid == 0) {
        pthread_sigmask(SIG_SETMASK, NULL, &now);
        _exit(sigismember(&now, SIGINT) || sigismember(&now, SIGTERM) ? 1 : 0);
    }
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0)
        atomic_store(&m->wrong, 2);
}

static void test_signal_masks(void **state)
{
    if (kp_workers_resolve(-1) < 2) skip();
    masks m = {.caller = pthread_self()};
    for (int rep = 0; rep < 200 && !atomic_load(&m.checked); rep++)
        assert_int_equal(kp_parallel_for(64, 1, check_masks, &m, -1), KP_OK);
    assert_int_equal(atomic_load(&m.checked), 1);
    assert_int_equal(atomic_load(&m.wrong), 0);
}

/* The same after the pool grew for a call nested in a callback on a pool
 * thread (that thread's mask must not become "the application's"). In a
 * child, so that the pool starts empty: workers 2 starts one thread, whose
 * range then calls with workers -1 and starts the rest. */
static atomic_int nested_on_pool;

static void noop_range(void *ctx, size_t begin, size_t end)
{
    (void)ctx;
    (void)begin;
    (void)end;
}

static void grow_nested(void *ctx, size_t begin, size_t end)
{
    (void)end;
    const pthread_t *caller = ctx;
    if (pthread_equal(pthread_self(), *caller)) {
        struct timespec t = {0, 200000}; /* let the pool thread take range 1 */
        for (int i = 0; i < 5000 && !atomic_load(&nested_on_pool); i++)
            nanosleep(&t, NULL);
        return;
    }
    if (begin == 1 && kp_parallel_for(64, 1, noop_range, NULL, -1) == KP_OK)
        atomic_store(&nested_on_pool, 1);
}

static void masks_after_nested_growth(void *arg)
{
    (void)arg;
    pthread_t caller = pthread_self();
    CHILD_CHECK(kp_parallel_for(2, 1, grow_nested, &caller, 2) == KP_OK);
    CHILD_CHECK(atomic_load(&nested_on_pool) == 1);
    CHILD_CHECK(kp__pool_threads_alive() > 1);
    masks m = {.caller = caller};
    for (int rep = 0; rep < 200 && !atomic_load(&m.checked); rep++)
        CHILD_CHECK(kp_parallel_for(64, 1, check_masks, &m, -1) == KP_OK);
    CHILD_CHECK(atomic_load(&m.checked) == 1);
    CHILD_CHECK(atomic_load(&m.wrong) == 0);
}

static void test_signal_masks_after_nested_growth(void **state)
{
    if (kp_cpu_budget() < 3) skip();
    assert_int_equal(kp_test_in_child(masks_after_nested_growth, NULL, 60), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fork_after_heavy_use),
        cmocka_unit_test(test_fork_twice),
        cmocka_unit_test(test_signal_masks),
        cmocka_unit_test(test_signal_masks_after_nested_growth),
    };
    return cmocka_run_group_tests_name("fork", tests, NULL, NULL);
}
