/*
 * Two OpenMP runtimes in one process, loaded with dlopen: GCC's libgomp and
 * LLVM's libomp (Debian libomp5-14). Both are found and told apart, their
 * (per-thread) counts read, set, limited and restored, and the warnings
 * about mixing them and about libgomp across fork() appear when they should.
 * No parallel region is run: the counts are all that is tested.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kernpool.h"
#include "testutil.h"

typedef struct runtime {
    const char *soname;
    kp_foreign_kind kind;
    int (*get)(void);
    void (*set)(int);
} runtime;

static runtime rt[2] = {{KP_LIBGOMP, KP_FOREIGN_GOMP, NULL, NULL},
                        {KP_LIBOMP, KP_FOREIGN_OMP, NULL, NULL}};

static size_t list(kp_foreign_pool *p, size_t cap)
{
    size_t n = 0;
    assert_int_equal(kp_foreign_list(p, cap, &n), KP_OK);
    assert_true(n <= cap);
    return n;
}

/* The pool of runtime r in p[0..n), or -1. */
static int find(const kp_foreign_pool *p, size_t n, const runtime *r)
{
    int at = -1;
    for (size_t i = 0; i < n; i++)
        if (p[i].kind == r->kind && strstr(p[i].path, r->soname) != NULL) {
            assert_int_equal(at, -1);
            at = (int)i;
        }
    return at;
}

static void test_detected(void **state)
{
    kp_foreign_pool p[8];
    size_t n = list(p, 8);
    assert_int_equal(n, 2);
    for (int r = 0; r < 2; r++) {
        int i = find(p, n, &rt[r]);
        assert_true(i >= 0);
        print_message("%s at %s: %d threads\n", p[i].name, p[i].path, p[i].threads);
        assert_string_equal(p[i].name, r == 0 ? "libgomp" : "libomp");
        assert_string_equal(p[i].version, "");
        assert_string_equal(p[i].threading, "");
        assert_int_equal(p[i].threads, rt[r].get());
    }
}

/* Debian's libiomp5.so is a link to LLVM's libomp: the file, links
 * resolved, decides, so loading it adds nothing and it stays "libomp". */
static void test_iomp5_link_is_libomp(void **state)
{
    if (access(KP_LIBIOMP5, F_OK) != 0) skip();
    void *h = dlopen(KP_LIBIOMP5, RTLD_NOW | RTLD_LOCAL);
    assert_non_null(h);
    kp_foreign_pool p[8];
    size_t n = list(p, 8);
    assert_int_equal(n, 2);
    assert_true(find(p, n, &rt[1]) >= 0);
    dlclose(h);
}

static void *read_count(void *arg)
{
    const runtime *r = arg;
    return (void *)(intptr_t)r->get();
}

static void test_get_set_per_thread(void **state)
{
    kp_foreign_pool p[8];
    size_t n = list(p, 8);
    for (int r = 0; r < 2; r++) {
        int i = find(p, n, &rt[r]);
        int initial = rt[r].get();
        assert_int_equal(kp_foreign_threads_set(&p[i], initial + 2), KP_OK);
        assert_int_equal(rt[r].get(), initial + 2);
        int t = 0;
        assert_int_equal(kp_foreign_threads_get(&p[i], &t), KP_OK);
        assert_int_equal(t, initial + 2);
        /* OpenMP's count belongs to the thread that set it. */
        pthread_t th;
        void *other;
        assert_int_equal(pthread_create(&th, NULL, read_count, &rt[r]), 0);
        pthread_join(th, &other);
        print_message("%s: %d here after the set, %d on a new thread\n", p[i].name, rt[r].get(),
                      (int)(intptr_t)other);
        assert_int_equal((int)(intptr_t)other, initial);
        assert_int_equal(kp_foreign_threads_set(&p[i], initial), KP_OK);
    }
}

static void test_limit_and_restore(void **state)
{
    rt[0].set(3);
    rt[1].set(4);
    kp_foreign_limit s;
    assert_int_equal(kp_foreign_limit_begin(&s, KP_FOREIGN_BLAS, 1), KP_OK);
    assert_int_equal(s.n, 0);
    assert_int_equal(rt[0].get(), 3);
    assert_int_equal(kp_foreign_limit_end(&s), KP_OK);

    assert_int_equal(kp_foreign_limit_begin(&s, KP_FOREIGN_OPENMP, 1), KP_OK);
    assert_int_equal(s.n, 2);
    assert_int_equal(rt[0].get(), 1);
    assert_int_equal(rt[1].get(), 1);
    assert_int_equal(kp_foreign_limit_end(&s), KP_OK);
    assert_int_equal(rt[0].get(), 3);
    assert_int_equal(rt[1].get(), 4);

    /* By their bits; a limit of 3 lowers only the one above it. */
    assert_int_equal(
        kp_foreign_limit_begin(&s, (1u << KP_FOREIGN_OMP) | (1u << KP_FOREIGN_GOMP), 3), KP_OK);
    assert_int_equal(s.n, 1);
    assert_int_equal(rt[0].get(), 3);
    assert_int_equal(rt[1].get(), 3);
    assert_int_equal(kp_foreign_limit_end(&s), KP_OK);
    assert_int_equal(rt[1].get(), 4);
}

static size_t warnings(kp_foreign_pool *p, size_t *npools, kp_foreign_warning *w, size_t cap)
{
    *npools = list(p, 8);
    size_t n = 0;
    assert_int_equal(kp_foreign_warnings_get(p, *npools, 1, w, cap, &n), KP_OK);
    for (size_t i = 0; i < n && i < cap; i++)
        print_message("warning %d (pool %d): %s\n", w[i].kind, w[i].pool, w[i].message);
    assert_true(n <= cap);
    return n;
}

static int count(const kp_foreign_warning *w, size_t n, kp_foreign_warning_kind kind, int pool)
{
    int k = 0;
    for (size_t i = 0; i < n; i++)
        k += w[i].kind == kind && w[i].pool == pool;
    return k;
}

static void nothing(void *arg) {}

static void test_warnings(void **state)
{
    rt[0].set(1);
    rt[1].set(1);
    kp_foreign_pool p[8];
    kp_foreign_warning w[8];
    size_t np, n = warnings(p, &np, w, 8);
    int gomp = find(p, np, &rt[0]), omp = find(p, np, &rt[1]);
    assert_int_equal(n, 1);
    assert_int_equal(count(w, n, KP_FOREIGN_WARN_OPENMP_MIX, -1), 1);

    /* From the first fork on, libgomp (and only libgomp) is warned about. */
    assert_int_equal(kp_test_in_child(nothing, NULL, 30), 0);
    n = warnings(p, &np, w, 8);
    assert_int_equal(count(w, n, KP_FOREIGN_WARN_GOMP_FORK, gomp), 1);
    assert_int_equal(count(w, n, KP_FOREIGN_WARN_GOMP_FORK, omp), 0);
    assert_int_equal(n, 2);

    rt[1].set(kp_cpu_budget() + 1);
    n = warnings(p, &np, w, 8);
    assert_int_equal(count(w, n, KP_FOREIGN_WARN_OVERSUBSCRIBED, omp), 1);
    assert_int_equal(count(w, n, KP_FOREIGN_WARN_OVERSUBSCRIBED, gomp), 0);
    rt[1].set(1);
}

int main(void)
{
    for (int r = 0; r < 2; r++) {
        void *h = dlopen(rt[r].soname, RTLD_NOW | RTLD_LOCAL);
        if (h == NULL) {
            printf("skipped: %s (Debian libgomp1, libomp5-14)\n", dlerror());
            return 77;
        }
        void *g = dlsym(h, "omp_get_max_threads"), *s = dlsym(h, "omp_set_num_threads");
        memcpy(&rt[r].get, &g, sizeof g);
        memcpy(&rt[r].set, &s, sizeof s);
        if (g == NULL || s == NULL) return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detected),           cmocka_unit_test(test_iomp5_link_is_libomp),
        cmocka_unit_test(test_get_set_per_thread), cmocka_unit_test(test_limit_and_restore),
        cmocka_unit_test(test_warnings),
    };
    return cmocka_run_group_tests_name("foreign_omp", tests, NULL, NULL);
}
