/* Idle policy: after a parallel call returns, pool threads spin at most
 * KERNPOOL_SPIN_US and then sleep, so an idle process burns no CPU. ctest
 * runs this with KERNPOOL_CPU_BUDGET=8 too (seven threads to put to sleep). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <time.h>

#include <cmocka.h>

#include "kernpool.h"
#include "sched/internal.h"
#include "testutil.h"

static void busy(void *ctx, size_t begin, size_t end)
{
    volatile double x = 0;
    for (size_t i = begin; i < end; i++)
        for (int k = 0; k < 1000; k++)
            x += (double)k;
    (void)x;
}

static void test_idle_process_burns_no_cpu(void **state)
{
    for (int i = 0; i < 100; i++)
        assert_int_equal(kp_parallel_for(1000, 1, busy, NULL, -1), KP_OK);
    assert_int_equal(kp__pool_threads_alive(), kp_cpu_budget() - 1);

    /* The kernel brings a running thread's CPU time up to date only at a
     * tick or a switch, so the last chunks' time could still be counted in
     * the window below: wait 5 ms for the pool threads to sleep (they spin
     * 50 us) and be accounted. A thread that spins longer still shows. */
    struct timespec settle = {0, 5 * 1000000L};
    while (nanosleep(&settle, &settle) != 0) {
    }
    double cpu0 = kp_test_cpu_seconds();
    struct timespec t = {0, 300 * 1000000L};
    while (nanosleep(&t, &t) != 0) {
    }
    double burnt = kp_test_cpu_seconds() - cpu0;
    print_message("CPU time over 300 ms idle with %d pool threads: %.3f ms (%.2f%% of a core)\n",
                  kp__pool_threads_alive(), 1e3 * burnt, 100 * burnt / 0.3);
    assert_true(burnt < 0.02 * 0.3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idle_process_burns_no_cpu),
    };
    return cmocka_run_group_tests_name("idle", tests, NULL, NULL);
}
