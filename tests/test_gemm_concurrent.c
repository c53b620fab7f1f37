/*
 * GEMM from many application threads at once: every product must equal the
 * one computed alone, bit for bit. OpenBLAS's serial build hands out its
 * packing buffers without a lock of its own; two calls that start together
 * must still never share one (kernels/gemm/engine_openblas.c). Small
 * products make calls start together often: unguarded, a few percent of
 * them came out wrong. The engine also lets only so many calls in at once
 * (each holds one of OpenBLAS's buffers): with the limit forced to 1, no
 * two may overlap, and the products stay right. The engine chosen at run
 * time (the native one where AVX-512 runs: a work space per thread) runs
 * the same checks.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernels/gemm/gemm.h"
#include "kernpool.h"
#include "test_gemm_util.h"

#ifdef KP_SANITIZE_BUILD
#define REPS 150 /* the same check, fewer products */
#else
#define REPS 1500
#endif

enum { N = 96, THREADS = 6 };

static double a[N * N], b[N * N], want[N * N];

typedef struct job {
    int workers, wrong, rc;
} job;

static void *run(void *arg)
{
    job *j = arg;
    double *c = malloc(sizeof want);
    if (c == NULL) {
        j->rc = KP_ENOMEM;
        return NULL;
    }
    for (int r = 0; r < REPS; r++) {
        int rc = kp_dgemm(KP_ROW_MAJOR, KP_NO_TRANS, KP_NO_TRANS, N, N, N, 1, a, N, b, N, 0, c, N,
                          j->workers);
        if (rc != KP_OK) j->rc = rc;
        if (memcmp(c, want, sizeof want) != 0) j->wrong++;
    }
    free(c);
    return NULL;
}

/* The reference bits, from the engine now chosen, alone on one thread. */
static void want_make(kp__gemm_engine_id engine)
{
    (void)kp__gemm_engine_force(engine);
    assert_int_equal(
        kp_dgemm(KP_ROW_MAJOR, KP_NO_TRANS, KP_NO_TRANS, N, N, N, 1, a, N, b, N, 0, want, N, 1),
        KP_OK);
}

static void concurrent(int workers)
{
    pthread_t th[THREADS];
    job jobs[THREADS];
    for (int t = 0; t < THREADS; t++) {
        jobs[t] = (job){workers, 0, KP_OK};
        assert_int_equal(pthread_create(&th[t], NULL, run, &jobs[t]), 0);
    }
    for (int t = 0; t < THREADS; t++) {
        pthread_join(th[t], NULL);
        assert_int_equal(jobs[t].rc, KP_OK);
        assert_int_equal(jobs[t].wrong, 0);
    }
}

static int setup(void **state)
{
    (void)state;
    for (int i = 0; i < N * N; i++) {
        a[i] = (double)(i % 13) - 6;
        b[i] = (double)(i % 7) * 0.5;
    }
    return 0;
}

/* Each caller inline: the engine runs on six threads at once. */
static void test_callers_at_workers_1(void **state)
{
    (void)state;
    want_make(KP_GEMM_ENGINE_AUTO);
    concurrent(1);
    want_make(KP_GEMM_ENGINE_OPENBLAS);
    concurrent(1);
}

/* Each caller on the pool too: its tiles and the others' at once. */
static void test_callers_at_workers_all(void **state)
{
    (void)state;
    want_make(KP_GEMM_ENGINE_AUTO);
    concurrent(-1);
    want_make(KP_GEMM_ENGINE_OPENBLAS);
    concurrent(-1);
}

/* The gate at one call: the six callers take turns. */
static void test_calls_gate(void **state)
{
    (void)state;
    want_make(KP_GEMM_ENGINE_OPENBLAS);
    int old = kp__gemm_openblas_calls_force(1);
    (void)kp__gemm_openblas_calls_peak();
    concurrent(1);
    concurrent(-1);
    int peak = kp__gemm_openblas_calls_peak();
    (void)kp__gemm_openblas_calls_force(old);
    assert_int_equal(peak, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_callers_at_workers_1, kpg_hooks_reset),
        cmocka_unit_test_teardown(test_callers_at_workers_all, kpg_hooks_reset),
        cmocka_unit_test_teardown(test_calls_gate, kpg_hooks_reset),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
