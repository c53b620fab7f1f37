/*
 * A program that uses kernpool the way an outside user would: only the
 * installed header and library, no internal header, no build-tree path.
 *
 * Usage: consumer [expected_cpu_budget]
 * Exits 0 when every check holds, 1 (after one line per failed check on
 * stderr) otherwise. When the test driver runs it with KERNPOOL_CPU_BUDGET=n
 * it passes n as the argument, so the pool really starts threads and the
 * pthread and hwloc link flags are exercised, not just resolved.
 */
#include <kernpool.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { N = 1000 };

typedef struct {
    atomic_ullong sum;   /* sum of the indices seen */
    atomic_ullong count; /* how many indices were seen */
} totals;

static void add_range(void *ctx, size_t begin, size_t end)
{
    totals *t = ctx;
    unsigned long long s = 0;
    for (size_t i = begin; i < end; i++)
        s += i;
    atomic_fetch_add(&t->sum, s);
    atomic_fetch_add(&t->count, (unsigned long long)(end - begin));
}

static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "consumer: FAILED: %s\n", what);
        failures++;
    }
}

int main(int argc, char **argv)
{
    const char *v = kp_version();
    check(v != NULL && strcmp(v, KP_VERSION_STRING) == 0,
          "kp_version() matches the installed header's KP_VERSION_STRING");

    int budget = kp_cpu_budget();
    check(budget >= 1, "kp_cpu_budget() >= 1");
    if (argc > 1) check(budget == atoi(argv[1]), "kp_cpu_budget() equals the expected budget");

    const char *e = kp_strerror(KP_ENULL);
    check(e != NULL && e[0] != '\0', "kp_strerror(KP_ENULL) is a non-empty string");
    check(e != NULL && strcmp(e, kp_strerror(KP_OK)) != 0 && strcmp(e, "unknown status code") != 0,
          "kp_strerror(KP_ENULL) names its own cause");

    totals t;
    atomic_init(&t.sum, 0);
    atomic_init(&t.count, 0);
    int rc = kp_parallel_for(N, 1, add_range, &t, -1);
    check(rc == KP_OK, "kp_parallel_for(1000, 1, fn, ctx, -1) returns KP_OK");
    check(atomic_load(&t.count) == N, "kp_parallel_for visits 1000 indices");
    /* 0 + 1 + ... + 999 = 999 * 1000 / 2 */
    check(atomic_load(&t.sum) == 499500ULL, "kp_parallel_for sums 0..999 to 499500");

    /* GEMM reaches the OpenBLAS engine: the static links must carry it. */
    const double a[4] = {1, 2, 3, 4}, b[4] = {5, 6, 7, 8};
    double c[4] = {0, 0, 0, 0};
    rc = kp_dgemm(KP_ROW_MAJOR, KP_NO_TRANS, KP_NO_TRANS, 2, 2, 2, 1.0, a, 2, b, 2, 0.0, c, 2, -1);
    check(rc == KP_OK, "kp_dgemm of 2 x 2 matrices returns KP_OK");
    check(c[0] == 19 && c[1] == 22 && c[2] == 43 && c[3] == 50,
          "kp_dgemm gives [[19, 22], [43, 50]]");

    if (failures != 0) return 1;
    printf("consumer: ok (kernpool %s, cpu budget %d)\n", v, budget);
    return 0;
}
