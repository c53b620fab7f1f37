/*
 * Fork-join overhead: kp_parallel_for at workers = 2 beside an OpenMP
 * `parallel for` with 2 threads, both over 2 indices, measured in one run.
 *
 * Two shapes:
 *   empty  the body does nothing. Time per region. A pool that lets the
 *          caller take both indices when the helper is late looks good here.
 *   delay  each index runs a fixed delay of D; overhead = time per region - D
 *          (the EPCC syncbench method). Both threads must take part for the
 *          overhead to stay below D.
 *
 * Method: each figure is the best, over ROUNDS rounds, of the mean time of
 * CALLS back-to-back regions. Each runtime runs in processes of its own,
 * forked from this one (which runs neither), so that neither's idle threads
 * take a core from the other whatever OMP_WAIT_POLICY says. SESSIONS such
 * processes per figure alternate, each with one warm-up round first.
 *
 * Usage: kernpool-bench-forkjoin [--json FILE]
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "forkjoin.h"
#include "kernpool.h"

enum { SESSIONS = 5, ROUNDS_PER_SESSION = 3, CALLS = 20000, THREADS = 2, DELAY = 2000 };
enum { ROUNDS = SESSIONS * ROUNDS_PER_SESSION };

typedef enum { KERNPOOL, OPENMP, REFERENCE } runtime;

typedef struct shape {
    runtime rt;
    int workers;    /* threads for OpenMP, workers for kernpool */
    unsigned delay; /* per index */
} shape;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void body(void *ctx, size_t begin, size_t end)
{
    const unsigned *delay = ctx;
    for (size_t i = begin; i < end; i++)
        bench_delay(*delay);
}

/* Mean time of one region (or one delay, for REFERENCE) over CALLS calls. */
static double one_round(const shape *s)
{
    unsigned delay = s->delay;
    double t0 = now();
    for (int i = 0; i < CALLS; i++) {
        switch (s->rt) {
        case KERNPOOL: kp_parallel_for(THREADS, 1, body, &delay, s->workers); break;
        case OPENMP: bench_omp_region(s->workers, THREADS, delay); break;
        case REFERENCE: bench_delay(delay); break;
        }
    }
    return (now() - t0) / CALLS;
}

/* Best round of one session, run in a child process. */
static double session(const shape *s)
{
    int fd[2];
    if (pipe(fd) != 0) return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        one_round(s); /* warm-up: threads started, caches filled */
        double best = 1e9;
        for (int r = 0; r < ROUNDS_PER_SESSION; r++) {
            double t = one_round(s);
            if (t < best) best = t;
        }
        ssize_t w = write(fd[1], &best, sizeof best);
        _exit(w == sizeof best ? 0 : 1);
    }
    close(fd[1]);
    double best = -1;
    if (pid < 0 || read(fd[0], &best, sizeof best) != sizeof best) best = -1;
    close(fd[0]);
    if (pid > 0) waitpid(pid, NULL, 0);
    if (best < 0) {
        fprintf(stderr, "a measuring process failed\n");
        exit(1);
    }
    return best;
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

enum { KP_EMPTY, OMP_EMPTY, KP_DELAY, OMP_DELAY, REF_DELAY, KP_SERIAL, FIGURES };

int main(int argc, char **argv)
{
    const char *json = argc == 3 && strcmp(argv[1], "--json") == 0 ? argv[2] : NULL;
    if (kp_workers_resolve(THREADS) < THREADS)
        fprintf(stderr, "note: CPU budget %d < %d, kernpool runs fewer threads\n", kp_cpu_budget(),
                THREADS);

    const shape shapes[FIGURES] = {
        [KP_EMPTY] = {KERNPOOL, THREADS, 0},     [OMP_EMPTY] = {OPENMP, THREADS, 0},
        [KP_DELAY] = {KERNPOOL, THREADS, DELAY}, [OMP_DELAY] = {OPENMP, THREADS, DELAY},
        [REF_DELAY] = {REFERENCE, 1, DELAY},     [KP_SERIAL] = {KERNPOOL, 1, 0},
    };
    double best[FIGURES];
    for (int f = 0; f < FIGURES; f++)
        best[f] = 1e9;
    for (int s = 0; s < SESSIONS; s++)
        for (int f = 0; f < FIGURES; f++) {
            double t = session(&shapes[f]);
            if (t < best[f]) best[f] = t;
        }
    double d = best[REF_DELAY];
    double kp_over = best[KP_DELAY] - d, omp_over = best[OMP_DELAY] - d;

    char model[128];
    const char *wait = getenv("OMP_WAIT_POLICY");
    wait = wait ? wait : "default";
    printf("fork-join overhead, %d threads, regions over %d indices\n", THREADS, THREADS);
    printf("method: best of %d rounds of %d calls, %d processes per figure; CPU: %s\n", ROUNDS,
           CALLS, SESSIONS, cpu_model(model, sizeof model));
    printf("OpenMP: OMP_WAIT_POLICY=%s\n\n", wait);
    printf("                         kernpool       OpenMP   kernpool/OpenMP\n");
    printf("empty region           %8.3f us  %8.3f us   %8.3f\n", 1e6 * best[KP_EMPTY],
           1e6 * best[OMP_EMPTY], best[KP_EMPTY] / best[OMP_EMPTY]);
    printf("overhead, delay %.2f us %8.3f us  %8.3f us   %8.3f\n", 1e6 * d, 1e6 * kp_over,
           1e6 * omp_over, kp_over / omp_over);
    printf("workers=1 (inline)     %8.3f us\n", 1e6 * best[KP_SERIAL]);
    if (json != NULL) {
        FILE *f = fopen(json, "w");
        if (f == NULL) return 1;
        fprintf(f,
                "{\"benchmark\": \"forkjoin\", \"threads\": %d, \"rounds\": %d, \"calls\": %d,\n"
                " \"cpu\": \"%s\", \"omp_wait_policy\": \"%s\", \"delay_us\": %.4f,\n"
                " \"empty_kernpool_us\": %.4f, \"empty_openmp_us\": %.4f, \"empty_ratio\": %.4f,\n"
                " \"overhead_kernpool_us\": %.4f, \"overhead_openmp_us\": %.4f,"
                " \"overhead_ratio\": %.4f,\n"
                " \"serial_kernpool_us\": %.4f}\n",
                THREADS, ROUNDS, CALLS, model, wait, 1e6 * d, 1e6 * best[KP_EMPTY],
                1e6 * best[OMP_EMPTY], best[KP_EMPTY] / best[OMP_EMPTY], 1e6 * kp_over,
                1e6 * omp_over, kp_over / omp_over, 1e6 * best[KP_SERIAL]);
        fclose(f);
    }
    return 0;
}
