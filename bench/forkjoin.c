/*
 * Fork-join overhead: kp_parallel_for at workers = 2 beside an OpenMP
 * `parallel for` with 2 threads, both over 2 indices.
 *
 *   forkjoin/kernpool/empty/workers:2   the body does nothing; time per region
 *   forkjoin/kernpool/delay/workers:2   each index runs a fixed delay D
 *   forkjoin/kernpool/empty/workers:1   the inline path: no lock, no thread
 *   forkjoin/openmp/empty/threads:2
 *   forkjoin/openmp/delay/threads:2
 *   forkjoin/reference/delay            D alone, on one thread
 *
 * Two shapes:
 *   empty  time per region. A pool that lets the caller take both indices
 *          when the helper is late looks good here.
 *   delay  overhead = time per region - D (the EPCC syncbench method). Both
 *          threads must take part for the overhead to stay below D.
 *
 * Each repetition is the mean time of CALLS back-to-back regions; a warm-up
 * round of CALLS regions comes first (threads started, caches filled). One
 * runtime per process: the driver (bench/run.py) runs this program with
 * --benchmark_filter=forkjoin/kernpool/, =forkjoin/openmp/ and
 * =forkjoin/reference/ in turn, several sessions alternating, so that
 * neither runtime's idle threads take a core from the other whatever
 * OMP_WAIT_POLICY says, and reports the best repetition of all sessions.
 */
#include <stdio.h>
#include <stdlib.h>

#include "common.h"
#include "forkjoin.h"
#include "harness.h"
#include "kernpool.h"

enum { CALLS = 20000, THREADS = 2, DELAY = 2000 };

static void body(void *ctx, size_t begin, size_t end)
{
    const unsigned *delay = ctx;
    for (size_t i = begin; i < end; i++)
        bench_delay(*delay);
}

/* ctx: the delay per index, as an unsigned */
static void bench_kernpool(kpb_state *st, void *ctx)
{
    unsigned delay = *(const unsigned *)ctx;
    int workers = (int)kpb_arg(st, 0);
    kpb_counter(st, "threads", kp_workers_resolve(workers));
    while (kpb_loop(st)) {
        int rc = kp_parallel_for(THREADS, 1, body, &delay, workers);
        if (rc != KP_OK) {
            kpb_error(st, kp_strerror(rc));
            return;
        }
    }
}

static void bench_openmp(kpb_state *st, void *ctx)
{
    unsigned delay = *(const unsigned *)ctx;
    int threads = (int)kpb_arg(st, 0);
    kpb_counter(st, "threads", threads);
    while (kpb_loop(st))
        bench_omp_region(threads, THREADS, delay);
}

static void bench_reference(kpb_state *st, void *ctx)
{
    unsigned delay = *(const unsigned *)ctx;
    while (kpb_loop(st))
        bench_delay(delay);
}

static int add(const char *name, kpb_fn fn, const unsigned *delay, const char *arg, int value)
{
    kpb_bench *b = kpb_register(name, fn, (void *)delay);
    if (b == NULL) return -1;
    kpb_arg_names(b, arg, NULL);
    kpb_args(b, value, 0);
    kpb_iterations(b, CALLS);
    return 0;
}

int main(int argc, char **argv)
{
    if (kpb_init(&argc, argv) != 0) return 2;
    if (argc > 1) {
        fprintf(stderr, "kernpool-bench-forkjoin: unknown option %s\n", argv[1]);
        return 2;
    }
    if (kp_workers_resolve(THREADS) < THREADS)
        fprintf(stderr, "note: CPU budget %d < %d, kernpool runs fewer threads\n", kp_cpu_budget(),
                THREADS);

    static const unsigned none = 0, delay = DELAY;
    char text[32];
    bench_context_machine();
    kpb_context("kernpool_version", kp_version());
    const char *wait = getenv("OMP_WAIT_POLICY");
    kpb_context("omp_wait_policy", wait ? wait : "default");
    snprintf(text, sizeof text, "%d", DELAY);
    kpb_context("delay_iterations", text);

    if (add("forkjoin/kernpool/empty", bench_kernpool, &none, "workers", THREADS) != 0 ||
        add("forkjoin/kernpool/delay", bench_kernpool, &delay, "workers", THREADS) != 0 ||
        add("forkjoin/kernpool/empty", bench_kernpool, &none, "workers", 1) != 0 ||
        add("forkjoin/openmp/empty", bench_openmp, &none, "threads", THREADS) != 0 ||
        add("forkjoin/openmp/delay", bench_openmp, &delay, "threads", THREADS) != 0 ||
        add("forkjoin/reference/delay", bench_reference, &delay, NULL, 0) != 0)
        return 1;
    return kpb_run();
}
