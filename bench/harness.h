/*
 * The benchmark harness: Google Benchmark driven from C.
 *
 * Every benchmark is a C function; bench/harness.cc, the only C++ file,
 * turns it into a Google Benchmark run. A benchmark reads its arguments,
 * prepares its input outside the loop, runs the timed body in
 *
 *     while (kpb_loop(st)) { ... }
 *
 * and says how much one pass of the body reads (kpb_set_bytes) and how many
 * elements it processes (kpb_set_items); the report gives both as rates.
 *
 * Method, the same for every benchmark (the drivers record it):
 *   - wall-clock time (threads work beside the caller);
 *   - before its first measured repetition a benchmark runs its body untimed:
 *     for --warmup seconds (at least one pass), or, when it has a fixed
 *     iteration count, for one round of that many passes;
 *   - --benchmark_repetitions=N measured repetitions, each the mean time of
 *     one pass over many passes (--benchmark_min_time seconds, or the fixed
 *     count); the report takes the best repetition (best of N).
 * A call of kpb_loop costs a few nanoseconds; it is part of every figure,
 * kernpool's and its peers' alike.
 *
 * Typical main():
 *
 *     int main(int argc, char **argv)
 *     {
 *         if (kpb_init(&argc, argv) != 0) return 2;
 *         kpb_bench *b = kpb_register("kernpool/dsum", bench_dsum, &data);
 *         kpb_arg_names(b, "n", "workers");
 *         kpb_args(b, 1000, 1);
 *         return kpb_run();
 *     }
 */
#ifndef KP_BENCH_HARNESS_H
#define KP_BENCH_HARNESS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One run of a benchmark, handed to its function. */
typedef struct kpb_state kpb_state;
/* A registered benchmark. */
typedef struct kpb_bench kpb_bench;

/* A benchmark body. ctx is the pointer given to kpb_register. */
typedef void (*kpb_fn)(kpb_state *st, void *ctx);

/* Most arguments a benchmark takes. */
#define KPB_MAX_ARGS 2

/* Reads the harness's own options (--warmup=SECONDS, default 0.05) and
 * Google Benchmark's (--benchmark_*), and removes both from argv. Returns 0,
 * or -1 after printing why. Call once, before anything else here. */
int kpb_init(int *argc, char **argv);

/* Registers fn under name (copied); runs follow the order of registration.
 * Returns the benchmark, or NULL if memory ran out. */
kpb_bench *kpb_register(const char *name, kpb_fn fn, void *ctx);

/* Names the arguments, shown as "name/n:1000/workers:2". Pass NULL for
 * unused ones. */
void kpb_arg_names(kpb_bench *b, const char *a0, const char *a1);

/* Adds one run with these arguments (a1 is ignored when only one argument
 * is named). */
void kpb_args(kpb_bench *b, int64_t a0, int64_t a1);

/* Fixes the number of passes of each repetition (else --benchmark_min_time
 * decides), and the warm-up becomes one round of as many passes. */
void kpb_iterations(kpb_bench *b, int64_t passes);

/* Runs every registered benchmark (honouring --benchmark_filter) and writes
 * the reports. Returns 0, or 1 if any benchmark reported an error. */
int kpb_run(void);

/* Adds a key/value pair to the report's "context" stanza. */
void kpb_context(const char *key, const char *value);

/* ----------------------------------------------------- inside a benchmark */

/* Argument i of this run (0 if i is out of range). */
int64_t kpb_arg(const kpb_state *st, int i);

/* The loop primitive: nonzero while another timed pass is due. */
int kpb_loop(kpb_state *st);

/* Bytes read and elements processed by one pass of the body. */
void kpb_set_bytes(kpb_state *st, double bytes_per_pass);
void kpb_set_items(kpb_state *st, double items_per_pass);

/* Records a named figure for this run, as is (e.g. the threads used). */
void kpb_counter(kpb_state *st, const char *name, double value);

/* Marks the run as failed with a message; the body must then leave its loop
 * (kpb_loop returns 0 from then on). */
void kpb_error(kpb_state *st, const char *message);

/* Keeps a result alive so the compiler cannot drop the work producing it. */
void kpb_keep(double value);

#ifdef __cplusplus
}
#endif

#endif /* KP_BENCH_HARNESS_H */
