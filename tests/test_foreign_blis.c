/*
 * Debian's threaded BLIS (libblis4-pthread), loaded with dlopen: found with
 * what it says about itself, its thread count read and set through its own
 * functions, limited and restored.
 */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kernpool.h"

/* BLIS counts threads in dim_t, a 64-bit integer in Debian's build. */
static int64_t (*own_get)(void);
static void (*own_set)(int64_t);
static const char *(*own_version)(void);

static void resolve(void *h, const char *name, void *fn, size_t size)
{
    void *p = dlsym(h, name);
    memcpy(fn, &p, size);
}

static kp_foreign_pool the_pool(void)
{
    kp_foreign_pool p[4];
    size_t n = 0;
    assert_int_equal(kp_foreign_list(p, 4, &n), KP_OK);
    assert_int_equal(n, 1);
    return p[0];
}

static void test_detected(void **state)
{
    (void)state;
    own_set(3);
    kp_foreign_pool p = the_pool();
    print_message("%s %s at %s: %s, %s, %d threads\n", p.name, p.version, p.path, p.threading,
                  p.core, p.threads);
    assert_int_equal(p.kind, KP_FOREIGN_BLIS);
    assert_string_equal(p.name, "blis");
    assert_string_equal(p.path, KP_BLIS_PTHREAD);
    assert_string_equal(p.version, own_version());
    assert_string_equal(p.threading, "pthreads");
    assert_int_equal(p.threads, 3);
}

static void test_get_set_limit(void **state)
{
    (void)state;
    kp_foreign_pool p = the_pool();
    int t = 0;
    assert_int_equal(kp_foreign_threads_set(&p, 4), KP_OK);
    assert_int_equal(own_get(), 4);
    assert_int_equal(kp_foreign_threads_get(&p, &t), KP_OK);
    assert_int_equal(t, 4);
    own_set(6);
    assert_int_equal(kp_foreign_threads_get(&p, &t), KP_OK);
    assert_int_equal(t, 6);

    kp_foreign_limit scope;
    assert_int_equal(kp_foreign_limit_begin(&scope, KP_FOREIGN_OPENMP, 1), KP_OK);
    assert_int_equal(own_get(), 6); /* not a kind asked for */
    assert_int_equal(kp_foreign_limit_end(&scope), KP_OK);
    assert_int_equal(kp_foreign_limit_begin(&scope, KP_FOREIGN_BLAS, 1), KP_OK);
    assert_int_equal(scope.n, 1);
    assert_int_equal(own_get(), 1);
    assert_int_equal(kp_foreign_limit_end(&scope), KP_OK);
    assert_int_equal(own_get(), 6);
}

int main(void)
{
    void *h = dlopen(KP_BLIS_PTHREAD, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        printf("skipped: %s (Debian libblis4-pthread)\n", dlerror());
        return 77;
    }
    resolve(h, "bli_thread_get_num_threads", &own_get, sizeof own_get);
    resolve(h, "bli_thread_set_num_threads", &own_set, sizeof own_set);
    resolve(h, "bli_info_get_version_str", &own_version, sizeof own_version);
    if (!own_get || !own_set || !own_version) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detected),
        cmocka_unit_test(test_get_set_limit),
    };
    return cmocka_run_group_tests_name("foreign_blis", tests, NULL, NULL);
}
