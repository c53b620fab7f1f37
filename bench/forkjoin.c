/*
 * Fork-join overhead: an empty kp_parallel_for at workers = 2 beside an
 * empty OpenMP `parallel for` with 2 threads, measured in the same run.
 *
 * Method: each figure is the best, over ROUNDS rounds, of the mean time of
 * CALLS back-to-back regions over 2 indices (one per thread). Rounds of the
 * two runtimes alternate, with a pause between them so that the other
 * runtime's threads have stopped spinning. One warm-up round each first.
 * Usage: kernpool-bench-forkjoin [--json FILE]
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "forkjoin.h"
#include "kernpool.h"

enum { ROUNDS = 15, CALLS = 20000, THREADS = 2 };

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void empty(void *ctx, size_t begin, size_t end)
{
    __asm__ volatile("" : : "r"(begin), "r"(end) : "memory");
}

static double round_kernpool(int workers)
{
    double t0 = now();
    for (int i = 0; i < CALLS; i++)
        kp_parallel_for(THREADS, 1, empty, NULL, workers);
    return (now() - t0) / CALLS;
}

static double round_omp(int threads)
{
    double t0 = now();
    for (int i = 0; i < CALLS; i++)
        bench_omp_region(threads, THREADS);
    return (now() - t0) / CALLS;
}

static void pause_ms(int ms)
{
    struct timespec t = {0, ms * 1000000L};
    nanosleep(&t, NULL);
}

static const char *cpu_model(char *buf, size_t size)
{
    snprintf(buf, size, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f == NULL) return buf;
    char line[256];
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "model name", 10) == 0) {
            char *v = strchr(line, ':');
            if (v != NULL) snprintf(buf, size, "%s", v + 2);
            buf[strcspn(buf, "\n")] = '\0';
            break;
        }
    fclose(f);
    return buf;
}

int main(int argc, char **argv)
{
    const char *json = argc == 3 && strcmp(argv[1], "--json") == 0 ? argv[2] : NULL;
    if (kp_workers_resolve(THREADS) < THREADS)
        fprintf(stderr, "note: CPU budget %d < %d, kernpool runs fewer threads\n", kp_cpu_budget(),
                THREADS);

    round_kernpool(THREADS);
    round_omp(THREADS);
    double kp = 1e9, omp = 1e9, serial = 1e9;
    for (int r = 0; r < ROUNDS; r++) {
        double t;
        pause_ms(20);
        if ((t = round_kernpool(THREADS)) < kp) kp = t;
        pause_ms(20);
        if ((t = round_omp(THREADS)) < omp) omp = t;
        if ((t = round_kernpool(1)) < serial) serial = t;
    }

    char model[128];
    const char *wait = getenv("OMP_WAIT_POLICY");
    printf("fork-join overhead, empty region over %d indices, %d threads\n", THREADS, THREADS);
    printf("method: best of %d rounds of %d calls, 1 warm-up round; CPU: %s\n", ROUNDS, CALLS,
           cpu_model(model, sizeof model));
    printf("  kernpool kp_parallel_for, workers=2 : %8.3f us\n", 1e6 * kp);
    printf("  OpenMP parallel for (OMP_WAIT_POLICY=%s): %8.3f us\n", wait ? wait : "default",
           1e6 * omp);
    printf("  kernpool workers=1 (inline)         : %8.3f us\n", 1e6 * serial);
    printf("  ratio kernpool / OpenMP             : %8.3f\n", kp / omp);
    if (json != NULL) {
        FILE *f = fopen(json, "w");
        if (f == NULL) return 1;
        fprintf(f,
                "{\"benchmark\": \"forkjoin\", \"threads\": %d, \"rounds\": %d, \"calls\": %d,\n"
                " \"cpu\": \"%s\", \"omp_wait_policy\": \"%s\",\n"
                " \"kernpool_us\": %.4f, \"openmp_us\": %.4f, \"kernpool_serial_us\": %.4f,\n"
                " \"ratio\": %.4f}\n",
                THREADS, ROUNDS, CALLS, model, wait ? wait : "default", 1e6 * kp, 1e6 * omp,
                1e6 * serial, kp / omp);
        fclose(f);
    }
    return 0;
}
