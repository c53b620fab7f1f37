/* Thread counts under nesting and concurrency, thread names. ctest runs this
 * with KERNPOOL_CPU_BUDGET=2 and =8: the pool must never hold more than
 * budget - 1 threads, however many callers and however deep the nesting. */
#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "kernpool.h"
#include "sched/internal.h"
#include "testutil.h"

enum { APP_THREADS = 32, WIDTH = 6 };

static atomic_int max_seen;
static int others; /* threads that are neither pool threads nor callers (sanitizers') */
static atomic_uint samples;

static void sample_threads(void)
{
    /* Reading /proc is slow: sample one call in eight. */
    if (atomic_fetch_add(&samples, 1) % 8 != 0) return;
    int n = kp_test_thread_count();
    int m = atomic_load(&max_seen);
    while (n > m && !atomic_compare_exchange_weak(&max_seen, &m, n)) {
    }
}

static void level(void *ctx, size_t begin, size_t end)
{
    int depth = (int)(intptr_t)ctx;
    for (size_t i = begin; i < end; i++) {
        if (depth == 3)
            sample_threads();
        else
            kp_parallel_for(WIDTH, 1, level, (void *)(intptr_t)(depth + 1), -1);
    }
}

static void *app_thread(void *arg)
{
    for (int rep = 0; rep < 10; rep++)
        kp_parallel_for(WIDTH, 1, level, (void *)(intptr_t)1, -1);
    return NULL;
}

static void test_nesting_adds_no_threads(void **state)
{
    atomic_store(&max_seen, 0);
    for (int rep = 0; rep < 20; rep++)
        kp_parallel_for(WIDTH, 1, level, (void *)(intptr_t)1, -1);
    int budget = kp_cpu_budget();
    int limit = others + 1 + budget - 1;
    print_message("budget %d, nesting depth 3: at most %d threads (limit %d)\n", budget,
                  atomic_load(&max_seen), limit);
    assert_true(atomic_load(&max_seen) <= limit);
    assert_true(kp__pool_threads_alive() <= budget - 1);
}

static void test_concurrent_callers_share_pool(void **state)
{
    atomic_store(&max_seen, 0);
    pthread_t t[APP_THREADS];
    for (int i = 0; i < APP_THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, app_thread, NULL), 0);
    for (int i = 0; i < APP_THREADS; i++)
        pthread_join(t[i], NULL);
    int budget = kp_cpu_budget();
    int limit = others + 1 + APP_THREADS + budget - 1;
    print_message("budget %d, %d callers nesting to depth 3: at most %d threads (limit %d)\n",
                  budget, APP_THREADS, atomic_load(&max_seen), limit);
    assert_true(atomic_load(&max_seen) <= limit);
    assert_true(kp__pool_threads_alive() <= budget - 1);
}

/* Pool threads are named kernpool-1 .. kernpool-(budget-1). */
static void test_thread_names(void **state)
{
    kp_parallel_for(1000, 1, level, (void *)(intptr_t)3, -1);
    int budget = kp_cpu_budget(), named = 0;
    DIR *d = opendir("/proc/self/task");
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.') continue;
        char path[300], comm[32] = "";
        snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
        FILE *f = fopen(path, "r");
        if (f == NULL) continue;
        if (fgets(comm, sizeof comm, f) == NULL) comm[0] = '\0';
        fclose(f);
        int k;
        if (sscanf(comm, "kernpool-%d", &k) == 1) {
            assert_true(k >= 1 && k <= budget - 1);
            named++;
        }
    }
    closedir(d);
    assert_int_equal(named, kp__pool_threads_alive());
    assert_true(named >= 1 || budget == 1);
}

static void *nothing(void *arg)
{
    return arg;
}

/* A nested call never runs on more threads than its own workers allow, even
 * with the enclosing call's owner waiting and free to help. */
typedef struct inner {
    pthread_mutex_t lock;
    pthread_t seen[64];
    int distinct;
} inner;

static void record_thread(void *ctx, size_t begin, size_t end)
{
    inner *in = ctx;
    pthread_mutex_lock(&in->lock);
    int known = 0;
    for (int i = 0; i < in->distinct; i++)
        known |= pthread_equal(in->seen[i], pthread_self());
    if (!known && in->distinct < 64) in->seen[in->distinct++] = pthread_self();
    pthread_mutex_unlock(&in->lock);
    struct timespec t = {0, 20000};
    nanosleep(&t, NULL);
}

static atomic_int inner_max;

/* Index 0 runs a short nested call, index 1 a long one: the enclosing call's
 * owner finishes early and waits, free to help with the long one. */
static void outer_index(void *ctx, size_t begin, size_t end)
{
    for (size_t i = begin; i < end; i++) {
        inner in = {.lock = PTHREAD_MUTEX_INITIALIZER};
        kp_parallel_for(i == 0 ? 4 : 64, 1, record_thread, &in, 2);
        int m = atomic_load(&inner_max);
        while (in.distinct > m && !atomic_compare_exchange_weak(&inner_max, &m, in.distinct)) {
        }
    }
}

static void nothing_much(void *ctx, size_t begin, size_t end)
{
    struct timespec t = {0, 100000};
    nanosleep(&t, NULL);
}

static void test_nested_call_keeps_its_workers(void **state)
{
    if (kp_cpu_budget() < 4) skip(); /* needs idle pool threads beside the callers */
    atomic_store(&inner_max, 0);
    for (int rep = 0; rep < 20; rep++) {
        kp_parallel_for(64, 1, nothing_much, NULL, -1); /* every pool thread started */
        kp_parallel_for(2, 1, outer_index, NULL, -1);
    }
    print_message("budget %d: a nested call with workers=2 ran on at most %d threads\n",
                  kp_cpu_budget(), atomic_load(&inner_max));
    assert_true(atomic_load(&inner_max) <= 2);
    assert_true(atomic_load(&inner_max) >= 1);
}

int main(void)
{
    /* ThreadSanitizer starts a thread of its own at the first pthread_create:
     * create one first, so that the count below includes it. */
    pthread_t t;
    if (pthread_create(&t, NULL, nothing, NULL) != 0) return 1;
    pthread_join(t, NULL);
    others = kp_test_thread_count() - 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nesting_adds_no_threads),
        cmocka_unit_test(test_concurrent_callers_share_pool),
        cmocka_unit_test(test_thread_names),
        cmocka_unit_test(test_nested_call_keeps_its_workers),
    };
    return cmocka_run_group_tests_name("threads", tests, NULL, NULL);
}
