/*
 * Foreign pools in a process that loaded none: nothing is found (kernpool's
 * own OpenBLAS, linked into this program, included), bad input is refused
 * with nothing written, and the warnings follow their rules on lists made
 * up here. ctest runs it with the detected budget and with a budget of 8.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "kernpool.h"
#include "sched/foreign.h"
#include "testutil.h"

static kp_foreign_pool make(kp_foreign_kind kind, const char *name, const char *core, int threads)
{
    kp_foreign_pool p;
    memset(&p, 0, sizeof p);
    p.kind = kind;
    snprintf(p.name, sizeof p.name, "%s", name);
    snprintf(p.path, sizeof p.path, "/nowhere/%s.so", name);
    snprintf(p.core, sizeof p.core, "%s", core);
    p.threads = threads;
    return p;
}

/* How many warnings of `kind` about pool `pool` (any pool: -2). */
static int count_kind(const kp_foreign_warning *w, size_t n, kp_foreign_warning_kind kind, int pool)
{
    int k = 0;
    for (size_t i = 0; i < n; i++)
        k += w[i].kind == kind && (pool == -2 || w[i].pool == pool);
    return k;
}

static size_t warnings(const kp_foreign_pool *p, size_t n, int workers, kp_foreign_warning *w,
                       size_t cap)
{
    size_t count = 12345;
    assert_int_equal(kp_foreign_warnings_get(p, n, workers, w, cap, &count), KP_OK);
    assert_true(count != 12345);
    for (size_t i = 0; i < count && i < cap; i++) {
        assert_true(strlen(w[i].message) > 20);
        assert_true(strlen(w[i].message) < sizeof w[i].message);
    }
    return count;
}

/* First, before any fork: libgomp alone gives no fork warning. */
static void test_no_fork_warning_before_a_fork(void **state)
{
    kp_foreign_pool p = make(KP_FOREIGN_GOMP, "libgomp", "", 1);
    size_t n0;
    assert_int_equal(kp_foreign_list(NULL, 0, &n0), KP_OK);
    kp_foreign_warning w[4];
    size_t n = warnings(&p, 1, 1, w, 4);
    assert_int_equal(count_kind(w, n, KP_FOREIGN_WARN_GOMP_FORK, 0), 0);
    kp_pool_info info;
    assert_int_equal(kp_pool_info_get(&info), KP_OK);
    assert_int_equal(info.forked, 0);
}

static void child_sees_fork(void *arg)
{
    kp_foreign_pool p = make(KP_FOREIGN_GOMP, "libgomp", "", 1);
    kp_foreign_warning w[4];
    size_t n;
    CHILD_CHECK(kp_foreign_warnings_get(&p, 1, 1, w, 4, &n) == KP_OK);
    CHILD_CHECK(n >= 1 && w[0].kind == KP_FOREIGN_WARN_GOMP_FORK && w[0].pool == 0);
}

/* After a fork both the child and the parent warn. */
static void test_fork_warning_after_a_fork(void **state)
{
    assert_int_equal(kp_test_in_child(child_sees_fork, NULL, 30), 0);
    kp_foreign_pool p[2] = {make(KP_FOREIGN_OPENBLAS, "openblas", "", 1),
                            make(KP_FOREIGN_GOMP, "libgomp", "", 1)};
    kp_foreign_warning w[4];
    size_t n = warnings(p, 2, 1, w, 4);
    assert_int_equal(count_kind(w, n, KP_FOREIGN_WARN_GOMP_FORK, 1), 1);
    assert_int_equal(count_kind(w, n, KP_FOREIGN_WARN_GOMP_FORK, -2), 1);
    kp_pool_info info;
    assert_int_equal(kp_pool_info_get(&info), KP_OK);
    assert_int_equal(info.forked, 1);
}

/* kernpool's own OpenBLAS (in this executable, which is not searched, and
 * with its symbols local) and the libraries every program loads are not
 * pools. */
static void test_plain_process_has_none(void **state)
{
    kp_foreign_pool p[4];
    memset(p, 0x5a, sizeof p);
    size_t n = 99;
    assert_int_equal(kp_foreign_list(p, 4, &n), KP_OK);
    assert_int_equal(n, 0);
    assert_int_equal(((unsigned char *)p)[0], 0x5a);
    assert_int_equal(kp_foreign_list(NULL, 0, &n), KP_OK);
    assert_int_equal(n, 0);
}

/* kernpool's own engine starts no thread, and names the kernels it picked. */
static void test_own_gemm_engine(void **state)
{
    kp_gemm_info g;
    memset(&g, 0x5a, sizeof g);
    assert_int_equal(kp_gemm_info_get(NULL), KP_ENULL);
    assert_int_equal(kp_gemm_info_get(&g), KP_OK);
    print_message("GEMM: %s, %s kernels, %d thread\n", g.engine, g.kernels, g.threads);
    /* kernpool's kernels where AVX-512 runs, else OpenBLAS's. */
    if (strcmp(g.engine, "native") == 0)
        assert_string_equal(g.kernels, "AVX-512");
    else
        assert_string_equal(g.engine, "openblas");
    assert_int_equal(g.threads, 1);
    assert_true(strlen(g.kernels) > 0 && strlen(g.kernels) < sizeof g.kernels);
}

static void test_bad_input(void **state)
{
    kp_foreign_pool p = make(KP_FOREIGN_OPENBLAS, "openblas", "", 4);
    size_t n = 7;
    int t = 7;
    assert_int_equal(kp_foreign_list(&p, 1, NULL), KP_ENULL);
    assert_int_equal(kp_foreign_list(NULL, 1, &n), KP_ENULL);
    assert_int_equal(n, 7);

    assert_int_equal(kp_foreign_threads_get(NULL, &t), KP_ENULL);
    assert_int_equal(kp_foreign_threads_get(&p, NULL), KP_ENULL);
    assert_int_equal(kp_foreign_threads_get(&p, &t), KP_ENOENT);
    assert_int_equal(t, 7);
    assert_int_equal(kp_foreign_threads_set(NULL, 1), KP_ENULL);
    assert_int_equal(kp_foreign_threads_set(&p, 0), KP_EINVAL);
    assert_int_equal(kp_foreign_threads_set(&p, 2), KP_ENOENT);
    kp_foreign_pool bad = p;
    bad.kind = (kp_foreign_kind)KP_FOREIGN_KINDS;
    assert_int_equal(kp_foreign_threads_get(&bad, &t), KP_EINVAL);
    assert_int_equal(kp_foreign_threads_set(&bad, 1), KP_EINVAL);
    bad.kind = (kp_foreign_kind)-1;
    assert_int_equal(kp_foreign_threads_set(&bad, 1), KP_EINVAL);

    kp_foreign_limit s;
    memset(&s, 0x5a, sizeof s);
    assert_int_equal(kp_foreign_limit_begin(NULL, KP_FOREIGN_ALL, 1), KP_ENULL);
    assert_int_equal(kp_foreign_limit_begin(&s, KP_FOREIGN_ALL, 0), KP_EINVAL);
    assert_int_equal(kp_foreign_limit_begin(&s, 0, 1), KP_EINVAL);
    assert_int_equal(kp_foreign_limit_begin(&s, KP_FOREIGN_ALL + 1, 1), KP_EINVAL);
    assert_int_equal(((unsigned char *)&s)[0], 0x5a);
    assert_int_equal(kp_foreign_limit_end(NULL), KP_ENULL);

    kp_foreign_warning w;
    memset(&w, 0x5a, sizeof w);
    assert_int_equal(kp_foreign_warnings_get(&p, 1, 1, &w, 1, NULL), KP_ENULL);
    assert_int_equal(kp_foreign_warnings_get(NULL, 1, 1, &w, 1, &n), KP_ENULL);
    assert_int_equal(kp_foreign_warnings_get(&p, 1, 1, NULL, 1, &n), KP_ENULL);
    assert_int_equal(kp_foreign_warnings_get(&bad, 1, 1, &w, 1, &n), KP_EINVAL);
    assert_int_equal(n, 7);
    assert_int_equal(((unsigned char *)&w)[0], 0x5a);
    assert_int_equal(kp_foreign_warnings_get(NULL, 0, 1, NULL, 0, &n), KP_OK);
    assert_int_equal(n, 0);
    assert_string_equal(kp_strerror(KP_ENOENT), "library not loaded");
}

/* With no pool loaded a limit changes nothing, and ends cleanly twice. */
static void test_limit_without_pools(void **state)
{
    kp_foreign_limit s;
    assert_int_equal(kp_foreign_limit_begin(&s, KP_FOREIGN_ALL, 1), KP_OK);
    assert_int_equal(s.n, 0);
    assert_int_equal(kp_foreign_limit_end(&s), KP_OK);
    assert_int_equal(kp_foreign_limit_end(&s), KP_OK);
}

/* A scope whose library is gone restores what it can and says so. */
static void test_limit_end_of_unloaded_library(void **state)
{
    kp_foreign_limit s;
    memset(&s, 0, sizeof s);
    s.n = 1;
    s.saved[0].kind = KP_FOREIGN_OPENBLAS;
    s.saved[0].threads = 3;
    snprintf(s.saved[0].path, sizeof s.saved[0].path, "/nowhere/libopenblas.so.0");
    assert_int_equal(kp_foreign_limit_end(&s), KP_ENOENT);
    assert_int_equal(s.n, 0);
    assert_int_equal(kp_foreign_limit_end(&s), KP_OK);
}

/* A pool to lower loaded from a path longer than a scope holds: begin
 * refuses (KP_EOVERFLOW) and changes nothing, rather than skip it. A copy
 * of libgomp in a deep directory, in a child (where no other libgomp is
 * loaded). */
static void long_path_child(void *arg)
{
    (void)arg;
    char dir[512] = "/tmp/kp-foreign-XXXXXX", file[600], cmd[1400];
    CHILD_CHECK(mkdtemp(dir) != NULL);
    const size_t root = strlen(dir);
    while (strlen(dir) < 300) {
        strcat(dir, "/dddddddddddddddddddddddddddddddddddddddddddddddddddddd");
        CHILD_CHECK(mkdir(dir, 0700) == 0);
    }
    snprintf(file, sizeof file, "%s/libgomp.so.1", dir);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", KP_LIBGOMP_FILE, file);
    CHILD_CHECK(system(cmd) == 0);
    void *h = dlopen(file, RTLD_NOW | RTLD_LOCAL);
    CHILD_CHECK(h != NULL);
    void *gs = dlsym(h, "omp_get_max_threads"), *ss = dlsym(h, "omp_set_num_threads");
    CHILD_CHECK(gs != NULL && ss != NULL);
    int (*get)(void);
    void (*set)(int);
    memcpy(&get, &gs, sizeof gs);
    memcpy(&set, &ss, sizeof ss);
    set(4);
    kp_foreign_limit s = {.n = 77};
    const int rc = kp_foreign_limit_begin(&s, KP_FOREIGN_OPENMP, 1);
    dir[root] = '\0';
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHILD_CHECK(system(cmd) == 0);
    CHILD_CHECK(rc == KP_EOVERFLOW);
    CHILD_CHECK(s.n == 77 && get() == 4);
}

static void test_limit_refuses_a_long_path(void **state)
{
    if (access(KP_LIBGOMP_FILE, R_OK) != 0) skip();
    assert_int_equal(kp_test_in_child(long_path_child, NULL, 60), 0);
}

static void test_openmp_mix(void **state)
{
    kp_foreign_pool p[4] = {
        make(KP_FOREIGN_GOMP, "libgomp", "", 1), make(KP_FOREIGN_OPENBLAS, "openblas", "", 1),
        make(KP_FOREIGN_OMP, "libomp", "", 1), make(KP_FOREIGN_IOMP, "libiomp5", "", 1)};
    kp_foreign_warning w[8];
    assert_int_equal(count_kind(w, warnings(p, 2, 1, w, 8), KP_FOREIGN_WARN_OPENMP_MIX, -2), 0);
    size_t n = warnings(p, 3, 1, w, 8);
    assert_int_equal(count_kind(w, n, KP_FOREIGN_WARN_OPENMP_MIX, -1), 1);
    assert_int_equal(w[0].kind, KP_FOREIGN_WARN_OPENMP_MIX);
    assert_non_null(strstr(w[0].message, "2 OpenMP runtimes"));
    assert_non_null(strstr(w[0].message, "libgomp, libomp"));
    n = warnings(p, 4, 1, w, 8);
    assert_non_null(strstr(w[0].message, "3 OpenMP runtimes"));
    /* Two copies of one runtime count too. */
    kp_foreign_pool two[2] = {p[0], p[0]};
    assert_int_equal(count_kind(w, warnings(two, 2, 1, w, 8), KP_FOREIGN_WARN_OPENMP_MIX, -1), 1);
}

static void test_weak_kernels(void **state)
{
    kp__isa cpu = kp__isa_supported();
    static const struct {
        const char *core;
        kp__isa needs;
    } cases[] = {{"Haswell", KP_ISA_AVX2},
                 {"haswell", KP_ISA_AVX2},
                 {"Zen", KP_ISA_AVX2},
                 {"SkylakeX", KP_ISA_AVX512},
                 {"Cooperlake", KP_ISA_AVX512},
                 {"Sandybridge", KP_ISA_PORTABLE},
                 {"Nehalem", KP_ISA_PORTABLE},
                 {"Prescott", KP_ISA_PORTABLE},
                 {"Steamroller", KP_ISA_PORTABLE},
                 {"Excavator", KP_ISA_PORTABLE}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        assert_int_equal(kp__foreign_core_isa(cases[i].core), (int)cases[i].needs);
        kp_foreign_pool p = make(KP_FOREIGN_OPENBLAS, "openblas", cases[i].core, 1);
        kp_foreign_warning w[4];
        size_t n = warnings(&p, 1, 1, w, 4);
        int expect = cases[i].needs < cpu;
        assert_int_equal(count_kind(w, n, KP_FOREIGN_WARN_WEAK_KERNELS, 0), expect);
        if (expect) {
            assert_non_null(strstr(w[0].message, cases[i].core));
            assert_non_null(strstr(w[0].message, cpu == KP_ISA_AVX512 ? "SkylakeX" : "Haswell"));
        }
        /* Only an OpenBLAS says which kernels it runs. */
        p.kind = KP_FOREIGN_BLIS;
        n = warnings(&p, 1, 1, w, 4);
        assert_int_equal(count_kind(w, n, KP_FOREIGN_WARN_WEAK_KERNELS, -2), 0);
    }
    assert_int_equal(kp__foreign_core_isa("SomeFutureCore"), -1);
    kp_foreign_pool p = make(KP_FOREIGN_OPENBLAS, "openblas", "SomeFutureCore", 1);
    kp_foreign_warning w[4];
    assert_int_equal(count_kind(w, warnings(&p, 1, 1, w, 4), KP_FOREIGN_WARN_WEAK_KERNELS, -2), 0);
}

/* A pool alone over the budget warns; at workers 1 kernpool adds nothing,
 * above it its threads count. */
static void test_oversubscribed(void **state)
{
    int budget = kp_cpu_budget();
    kp_foreign_warning w[4];
    kp_foreign_pool p = make(KP_FOREIGN_OPENBLAS, "openblas", "", budget);
    assert_int_equal(count_kind(w, warnings(&p, 1, 1, w, 4), KP_FOREIGN_WARN_OVERSUBSCRIBED, 0), 0);
    p.threads = budget + 1;
    size_t n = warnings(&p, 1, 1, w, 4);
    assert_int_equal(count_kind(w, n, KP_FOREIGN_WARN_OVERSUBSCRIBED, 0), 1);
    assert_non_null(strstr(w[n - 1].message, "OPENBLAS_NUM_THREADS"));

    /* budget - 1 threads beside kernpool's 2 (or more) exceed the budget. */
    p.threads = budget > 1 ? budget - 1 : 1;
    p.kind = KP_FOREIGN_GOMP;
    int over = budget >= 2;
    n = warnings(&p, 1, 2, w, 4);
    assert_int_equal(count_kind(w, n, KP_FOREIGN_WARN_OVERSUBSCRIBED, 0), over);
    if (over) assert_non_null(strstr(w[n - 1].message, "OMP_NUM_THREADS"));
    n = warnings(&p, 1, -1, w, 4);
    assert_int_equal(count_kind(w, n, KP_FOREIGN_WARN_OVERSUBSCRIBED, 0), budget >= 2);
    /* workers = 1 (serial) and workers = 0 with the default of 1. */
    assert_int_equal(count_kind(w, warnings(&p, 1, 1, w, 4), KP_FOREIGN_WARN_OVERSUBSCRIBED, -2),
                     0);
    assert_int_equal(count_kind(w, warnings(&p, 1, 0, w, 4), KP_FOREIGN_WARN_OVERSUBSCRIBED, -2),
                     0);
}

/* count is every warning found; out gets the first cap. */
static void test_warnings_truncated(void **state)
{
    kp_foreign_pool p[3] = {make(KP_FOREIGN_GOMP, "libgomp", "", 1000),
                            make(KP_FOREIGN_OMP, "libomp", "", 1000),
                            make(KP_FOREIGN_OPENBLAS, "openblas", "", 1000)};
    kp_foreign_warning all[8], one[2];
    size_t n = warnings(p, 3, 1, all, 8);
    assert_true(n >= 4); /* the mix, then one oversubscription each */
    memset(one, 0x5a, sizeof one);
    size_t m = 0;
    assert_int_equal(kp_foreign_warnings_get(p, 3, 1, one, 1, &m), KP_OK);
    assert_int_equal(m, n);
    assert_int_equal(one[0].kind, all[0].kind);
    assert_string_equal(one[0].message, all[0].message);
    assert_int_equal(((unsigned char *)&one[1])[0], 0x5a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_fork_warning_before_a_fork),
        cmocka_unit_test(test_fork_warning_after_a_fork),
        cmocka_unit_test(test_plain_process_has_none),
        cmocka_unit_test(test_own_gemm_engine),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_limit_without_pools),
        cmocka_unit_test(test_limit_end_of_unloaded_library),
        cmocka_unit_test(test_limit_refuses_a_long_path),
        cmocka_unit_test(test_openmp_mix),
        cmocka_unit_test(test_weak_kernels),
        cmocka_unit_test(test_oversubscribed),
        cmocka_unit_test(test_warnings_truncated),
    };
    return cmocka_run_group_tests_name("foreign", tests, NULL, NULL);
}
