/*
 * Debian's threaded OpenBLAS (libopenblas0-pthread), loaded with dlopen:
 * found with what it says about itself, its threads read and set, limited
 * and restored, and warned about. ctest runs it with OPENBLAS_CORETYPE=Haswell
 * (weaker kernels than an AVX-512 CPU has) and =SkylakeX.
 */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "kernpool.h"
#include "sched/foreign.h"
#include "testutil.h"

static int (*own_get)(void);
static void (*own_set)(int);
static const char *(*own_config)(void);
static const char *(*own_core)(void);

static void resolve(void *h, const char *name, void *fn, size_t size)
{
    void *p = dlsym(h, name);
    memcpy(fn, &p, size);
}

/* The one pool there must be. */
static kp_foreign_pool the_pool(void)
{
    kp_foreign_pool p[4];
    size_t n = 0;
    assert_int_equal(kp_foreign_list(p, 4, &n), KP_OK);
    assert_int_equal(n, 1);
    return p[0];
}

static int threads_of(const kp_foreign_pool *p)
{
    int t = -1;
    assert_int_equal(kp_foreign_threads_get(p, &t), KP_OK);
    return t;
}

static void test_detected(void **state)
{
    kp_foreign_pool p = the_pool();
    print_message("%s %s at %s: %s, %s kernels, %d threads\n", p.name, p.version, p.path,
                  p.threading, p.core, p.threads);
    assert_int_equal(p.kind, KP_FOREIGN_OPENBLAS);
    assert_string_equal(p.name, "openblas");
    assert_string_equal(p.path, KP_OPENBLAS_PTHREAD);
    assert_string_equal(p.threading, "pthreads");
    assert_true(strlen(p.version) >= 5 && strncmp(p.version, "0.", 2) == 0);
    assert_non_null(strstr(own_config(), p.version));
    assert_string_equal(p.core, own_core());
    assert_int_equal(p.threads, own_get());
    const char *want = getenv("OPENBLAS_CORETYPE");
    int needs = want != NULL ? kp__foreign_core_isa(want) : -1;
    if (needs >= 0 && needs <= (int)kp__isa_supported())
        assert_int_equal(strcasecmp(p.core, want), 0);
}

static void test_get_set(void **state)
{
    kp_foreign_pool p = the_pool();
    assert_int_equal(kp_foreign_threads_set(&p, 3), KP_OK);
    assert_int_equal(own_get(), 3);
    assert_int_equal(threads_of(&p), 3);
    own_set(5);
    assert_int_equal(threads_of(&p), 5);
    assert_int_equal(the_pool().threads, 5);
    assert_int_equal(kp_foreign_threads_set(&p, 0), KP_EINVAL);
    assert_int_equal(own_get(), 5);
    /* The pool is found by path and kind: another kind is not it. */
    kp_foreign_pool other = p;
    other.kind = KP_FOREIGN_BLIS;
    assert_int_equal(kp_foreign_threads_set(&other, 1), KP_ENOENT);
    assert_int_equal(own_get(), 5);
}

static void test_limit_and_restore(void **state)
{
    kp_foreign_pool p = the_pool();
    assert_int_equal(kp_foreign_threads_set(&p, 3), KP_OK);

    kp_foreign_limit outer, inner;
    assert_int_equal(kp_foreign_limit_begin(&outer, KP_FOREIGN_ALL, 1), KP_OK);
    assert_int_equal(outer.n, 1);
    assert_int_equal(own_get(), 1);
    /* A wider inner limit raises nothing. */
    assert_int_equal(kp_foreign_limit_begin(&inner, KP_FOREIGN_BLAS, 2), KP_OK);
    assert_int_equal(inner.n, 0);
    assert_int_equal(own_get(), 1);
    assert_int_equal(kp_foreign_limit_end(&inner), KP_OK);
    assert_int_equal(own_get(), 1);
    assert_int_equal(kp_foreign_limit_end(&outer), KP_OK);
    assert_int_equal(own_get(), 3);
    assert_int_equal(kp_foreign_limit_end(&outer), KP_OK); /* already ended */
    assert_int_equal(own_get(), 3);

    /* Only the kinds asked for. */
    assert_int_equal(kp_foreign_limit_begin(&outer, KP_FOREIGN_OPENMP, 1), KP_OK);
    assert_int_equal(own_get(), 3);
    assert_int_equal(kp_foreign_limit_end(&outer), KP_OK);
    assert_int_equal(kp_foreign_limit_begin(&outer, 1u << KP_FOREIGN_OPENBLAS, 2), KP_OK);
    assert_int_equal(own_get(), 2);
    assert_int_equal(kp_foreign_limit_end(&outer), KP_OK);
    assert_int_equal(own_get(), 3);

    /* Nested limits, each lower, come back in reverse order. */
    assert_int_equal(kp_foreign_limit_begin(&outer, KP_FOREIGN_ALL, 2), KP_OK);
    assert_int_equal(kp_foreign_limit_begin(&inner, KP_FOREIGN_ALL, 1), KP_OK);
    assert_int_equal(own_get(), 1);
    assert_int_equal(kp_foreign_limit_end(&inner), KP_OK);
    assert_int_equal(own_get(), 2);
    assert_int_equal(kp_foreign_limit_end(&outer), KP_OK);
    assert_int_equal(own_get(), 3);
}

static size_t warnings_now(int workers, kp_foreign_warning *w, size_t cap)
{
    kp_foreign_pool p = the_pool();
    size_t n = 0;
    assert_int_equal(kp_foreign_warnings_get(&p, 1, workers, w, cap, &n), KP_OK);
    for (size_t i = 0; i < n && i < cap; i++)
        print_message("warning %d: %s\n", w[i].kind, w[i].message);
    return n;
}

static int has(const kp_foreign_warning *w, size_t n, kp_foreign_warning_kind kind)
{
    for (size_t i = 0; i < n; i++)
        if (w[i].kind == kind) return 1;
    return 0;
}

static void test_warnings(void **state)
{
    kp_foreign_pool p = the_pool();
    int budget = kp_cpu_budget();
    kp_foreign_warning w[4];

    int weak = kp__foreign_core_isa(p.core) >= 0 &&
               kp__foreign_core_isa(p.core) < (int)kp__isa_supported();
    print_message("%s kernels on a CPU with %s: weak %d\n", p.core,
                  kp__isa_name(kp__isa_supported()), weak);
    if (getenv("OPENBLAS_CORETYPE") != NULL &&
        strcasecmp(getenv("OPENBLAS_CORETYPE"), "Haswell") == 0)
        assert_int_equal(weak, kp__isa_supported() == KP_ISA_AVX512);

    assert_int_equal(kp_foreign_threads_set(&p, 1), KP_OK);
    size_t n = warnings_now(1, w, 4);
    assert_int_equal(has(w, n, KP_FOREIGN_WARN_WEAK_KERNELS), weak);
    assert_int_equal(has(w, n, KP_FOREIGN_WARN_OVERSUBSCRIBED), 0);
    assert_int_equal(n, (size_t)weak);

    assert_int_equal(kp_foreign_threads_set(&p, budget + 1), KP_OK);
    n = warnings_now(1, w, 4);
    assert_int_equal(has(w, n, KP_FOREIGN_WARN_OVERSUBSCRIBED), 1);

    /* Limited to 1 for a kernpool call at the whole budget, it is quiet. */
    kp_foreign_limit s;
    assert_int_equal(kp_foreign_limit_begin(&s, KP_FOREIGN_ALL, 1), KP_OK);
    n = warnings_now(1, w, 4);
    assert_int_equal(has(w, n, KP_FOREIGN_WARN_OVERSUBSCRIBED), 0);
    assert_int_equal(kp_foreign_limit_end(&s), KP_OK);
    assert_int_equal(own_get(), budget + 1);
    assert_int_equal(kp_foreign_threads_set(&p, 1), KP_OK);
}

int main(void)
{
    void *h = dlopen(KP_OPENBLAS_PTHREAD, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        printf("skipped: %s (Debian libopenblas0-pthread)\n", dlerror());
        return 77;
    }
    resolve(h, "openblas_get_num_threads", &own_get, sizeof own_get);
    resolve(h, "openblas_set_num_threads", &own_set, sizeof own_set);
    resolve(h, "openblas_get_config", &own_config, sizeof own_config);
    resolve(h, "openblas_get_corename", &own_core, sizeof own_core);
    if (!own_get || !own_set || !own_config || !own_core) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detected),
        cmocka_unit_test(test_get_set),
        cmocka_unit_test(test_limit_and_restore),
        cmocka_unit_test(test_warnings),
    };
    return cmocka_run_group_tests_name("foreign_openblas", tests, NULL, NULL);
}
