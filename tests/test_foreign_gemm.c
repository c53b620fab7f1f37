/*
 * Which OpenBLAS kp_dgemm runs in a process where Debian's threaded OpenBLAS
 * (libopenblas0-pthread) was loaded first with RTLD_NOW | RTLD_GLOBAL, the
 * way a program that embeds Python and numpy may have it.
 *
 * The threaded OpenBLAS is given 4 threads, which it starts at once; they are
 * the threads that appear while it loads and takes that setting. If a
 * kp_dgemm reached its cblas_dgemm, those threads would do most of the work;
 * kernpool's own serial OpenBLAS leaves them idle. Their CPU time is read
 * from each thread's scheduler clock, so the check does not depend on
 * timing. A control calls the threaded cblas_dgemm itself and must see its
 * threads work, so the measurement is shown to see what it looks for.
 *
 * Built three times (tests/CMakeLists.txt): linked with the shared library,
 * with the static library, and (KP_GEMM_MODULE) with no kernpool at all,
 * reaching kp_dgemm through a shared module that links the static library,
 * as a Python extension module would.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "kernpool.h"
#include "testutil.h"

enum { N = 1024, REPS = 2, MAX_THREADS = 256 };

typedef int (*dgemm_fn)(kp_layout layout, kp_trans ta, kp_trans tb, size_t m, size_t n, size_t k,
                        double alpha, const double *a, size_t lda, const double *b, size_t ldb,
                        double beta, double *c, size_t ldc, int workers);
/* cblas_dgemm with CblasRowMajor = 101, CblasNoTrans = 111. */
typedef void (*cblas_dgemm_fn)(int order, int ta, int tb, int m, int n, int k, double alpha,
                               const double *a, int lda, const double *b, int ldb, double beta,
                               double *c, int ldc);

static dgemm_fn dgemm;
static cblas_dgemm_fn foreign_dgemm;
static long foreign[MAX_THREADS];
static int nforeign;
static double *a, *b, *c;

static double foreign_cpu(void)
{
    double s = 0;
    for (int i = 0; i < nforeign; i++) {
        double t = kp_test_thread_cpu_seconds(foreign[i]);
        s += t > 0 ? t : 0;
    }
    return s;
}

static void *nothing(void *arg)
{
    return arg;
}

static void sleep_s(double s)
{
    struct timespec t = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&t, NULL);
}

/* Returns 0, or 77 (skip) when the threaded OpenBLAS is not installed. */
static int load(void)
{
    /* ThreadSanitizer starts a thread of its own at the first
     * pthread_create: let it start before the threads are told apart. */
    pthread_t t;
    if (pthread_create(&t, NULL, nothing, NULL) != 0) return 1;
    pthread_join(t, NULL);

    long before[MAX_THREADS];
    int nbefore = kp_test_thread_ids(before, MAX_THREADS);
    void *h = dlopen(KP_OPENBLAS_PTHREAD, RTLD_NOW | RTLD_GLOBAL);
    if (h == NULL) {
        printf("skipped: %s (Debian libopenblas0-pthread)\n", dlerror());
        return 77;
    }
    void (*set)(int);
    void *p = dlsym(h, "openblas_set_num_threads");
    memcpy(&set, &p, sizeof set);
    p = dlsym(h, "cblas_dgemm");
    memcpy(&foreign_dgemm, &p, sizeof foreign_dgemm);
    if (set == NULL || foreign_dgemm == NULL) return 1;
    set(4);

#ifdef KP_GEMM_MODULE
    void *m = dlopen(KP_GEMM_MODULE, RTLD_NOW | RTLD_LOCAL);
    if (m == NULL) {
        fprintf(stderr, "%s\n", dlerror());
        return 1;
    }
    p = dlsym(m, "kp_test_module_dgemm");
    memcpy(&dgemm, &p, sizeof dgemm);
    if (dgemm == NULL) return 1;
#else
    dgemm = kp_dgemm;
#endif

    long now[MAX_THREADS];
    int nnow = kp_test_thread_ids(now, MAX_THREADS);
    for (int i = 0; i < nnow && i < MAX_THREADS; i++) {
        int old = 0;
        for (int j = 0; j < nbefore && j < MAX_THREADS; j++)
            old |= now[i] == before[j];
        if (!old) foreign[nforeign++] = now[i];
    }
    a = malloc(sizeof(double) * N * N);
    b = malloc(sizeof(double) * N * N);
    c = malloc(sizeof(double) * N * N);
    if (a == NULL || b == NULL || c == NULL) return 1;
    for (size_t i = 0; i < (size_t)N * N; i++) {
        a[i] = (double)(i % 7) - 3;
        b[i] = (double)(i % 5) - 2;
    }
    /* A thread the library just started may spin a while before it sleeps. */
    sleep_s(0.5);
    return 0;
}

/* C[0][0] of the product of the matrices above. */
static double expected_c00(void)
{
    double s = 0;
    for (size_t l = 0; l < N; l++)
        s += a[l] * b[l * N];
    return s;
}

static void test_threads_started(void **state)
{
    print_message("the threaded OpenBLAS started %d threads\n", nforeign);
    assert_true(nforeign >= 1);
}

static void kp_product(int workers)
{
    double f0 = foreign_cpu(), p0 = kp_test_cpu_seconds();
    for (int r = 0; r < REPS; r++)
        assert_int_equal(
            dgemm(KP_ROW_MAJOR, KP_NO_TRANS, KP_NO_TRANS, N, N, N, 1, a, N, b, N, 0, c, N, workers),
            KP_OK);
    double f = foreign_cpu() - f0, p = kp_test_cpu_seconds() - p0;
    print_message("kp_dgemm workers=%d: %.3f s of CPU in all, %.4f s in the foreign threads\n",
                  workers, p, f);
    assert_true(c[0] == expected_c00());
    assert_true(f <= 0.05 * p + 0.002);
}

static void test_kp_dgemm_workers1(void **state)
{
    kp_product(1);
}

static void test_kp_dgemm_workers2(void **state)
{
    kp_product(2);
}

/* Last: the threaded OpenBLAS's threads spin for a while after it. */
static void test_control_threaded_dgemm_is_seen(void **state)
{
    double f0 = foreign_cpu(), p0 = kp_test_cpu_seconds();
    for (int r = 0; r < REPS; r++)
        foreign_dgemm(101, 111, 111, N, N, N, 1, a, N, b, N, 0, c, N);
    double f = foreign_cpu() - f0, p = kp_test_cpu_seconds() - p0;
    print_message("threaded cblas_dgemm: %.3f s of CPU in all, %.4f s in its threads\n", p, f);
    assert_true(c[0] == expected_c00());
    assert_true(f >= 0.25 * p);
}

int main(void)
{
    int rc = load();
    if (rc != 0) return rc;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_started),
        cmocka_unit_test(test_kp_dgemm_workers1),
        cmocka_unit_test(test_kp_dgemm_workers2),
        cmocka_unit_test(test_control_threaded_dgemm_is_seen),
    };
    rc = cmocka_run_group_tests_name("foreign_gemm", tests, NULL, NULL);
    free(a);
    free(b);
    free(c);
    return rc;
}
