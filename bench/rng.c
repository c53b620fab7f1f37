/*
 * kernpool's random fills: every fill of include/kernpool.h at each size and
 * workers value, into one output array allocated once at the largest size.
 *
 *   kernpool/<bitgen>/<kernel>/n:N/workers:W
 *
 *   kernel        call                                   numpy's peer
 *   raw           kp_random_raw(g, N, u64, W)            bit_generator.random_raw(N)
 *   random        kp_random(g, N, f64, W)                Generator.random(out=)
 *   integers32    kp_integers(g, 0, 1000, N, i64, W)     Generator.integers(0, 1000, N)
 *                 (span below 2**32: 32-bit Lemire on buffered half-words)
 *   integers64    kp_integers(g, 0, 10**12, N, i64, W)   Generator.integers(0, 10**12, N)
 *                 (span above 2**32: 64-bit Lemire)
 *   normal        kp_standard_normal(g, N, f64, W)       Generator.standard_normal(out=)
 *   exponential   kp_standard_exponential(g, N, f64, W)  Generator.standard_exponential(out=)
 *
 * bitgen is pcg64 (KP_PCG64, numpy's default), pcg64dxsm or philox. Each
 * benchmark owns one generator, seeded once from kp_seedseq_init_u64(12345)
 * and carried from call to call, as a program that draws repeatedly would.
 * The output array is written once before any run so that no page fault is
 * timed; every size writes a prefix of it. Throughput is values per second
 * (and bytes written: 8 per value).
 *
 * Options (besides the harness's and Google Benchmark's):
 *   --sizes=LIST          default 1e3,1e4,1e5,1e6,1e7,1e8
 *   --workers=LIST        default 1,2
 *   --kernels=LIST        kernels run with PCG64; default all six
 *   --bitgens=LIST        other generators, default pcg64dxsm,philox (empty: none)
 *   --bitgen-kernels=LIST kernels run with those, default random
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "context_kernpool.h"
#include "harness.h"
#include "kernpool.h"

enum { MAX_LIST = 64, MAX_RUNS = 64 };

typedef enum { K_RAW, K_RANDOM, K_INT32, K_INT64, K_NORMAL, K_EXPONENTIAL, KERNELS } kernel_id;

static const char *const kernel_names[KERNELS] = {"raw",        "random", "integers32",
                                                  "integers64", "normal", "exponential"};

/* The spans of the two integer kernels: [0, 1000) goes through numpy's 32-bit
 * path, [0, 10**12) through the 64-bit one. */
#define INT32_HIGH 1000
#define INT64_HIGH 1000000000000

static const struct {
    const char *name;
    kp_bitgen kind;
} bitgens[] = {{"pcg64", KP_PCG64}, {"pcg64dxsm", KP_PCG64DXSM}, {"philox", KP_PHILOX}};
enum { BITGENS = sizeof bitgens / sizeof bitgens[0] };

typedef struct run {
    kernel_id kernel;
    kp_bitgen kind;
    void *out; /* cap elements of 8 bytes */
} run;

static int fill(const run *r, kp_rng *g, size_t n, int workers)
{
    switch (r->kernel) {
    case K_RAW: return kp_random_raw(g, n, r->out, workers);
    case K_RANDOM: return kp_random(g, n, r->out, workers);
    case K_INT32: return kp_integers(g, 0, INT32_HIGH, n, r->out, workers);
    case K_INT64: return kp_integers(g, 0, INT64_HIGH, n, r->out, workers);
    case K_NORMAL: return kp_standard_normal(g, n, r->out, workers);
    case K_EXPONENTIAL: return kp_standard_exponential(g, n, r->out, workers);
    default: return KP_EINVAL;
    }
}

static void bench_fill(kpb_state *st, void *ctx)
{
    const run *r = ctx;
    size_t n = (size_t)kpb_arg(st, 0);
    int workers = (int)kpb_arg(st, 1);
    kp_seedseq ss;
    kp_rng g;
    int rc = kp_seedseq_init_u64(&ss, 12345);
    if (rc == KP_OK) rc = kp_rng_init(&g, r->kind, &ss);
    if (rc != KP_OK) {
        kpb_error(st, kp_strerror(rc));
        return;
    }
    kpb_counter(st, "threads", kp_workers_resolve(workers));
    while (kpb_loop(st)) {
        rc = fill(r, &g, n, workers);
        if (rc != KP_OK) {
            kpb_error(st, kp_strerror(rc));
            return;
        }
    }
    /* the last value written, so the fills cannot be dropped */
    double last;
    memcpy(&last, (const char *)r->out + 8 * (n - 1), sizeof last);
    kpb_keep(last);
    kpb_set_bytes(st, 8.0 * (double)n);
    kpb_set_items(st, (double)n);
}

static int usage(const char *arg)
{
    fprintf(stderr, "kernpool-bench-rng: bad option %s (see bench/rng.c)\n", arg);
    return 2;
}

int main(int argc, char **argv)
{
    if (kpb_init(&argc, argv) != 0) return 2;

    int64_t sizes[MAX_LIST] = {1000, 10000, 100000, 1000000, 10000000, 100000000};
    int64_t workers[MAX_LIST] = {1, 2};
    int nsizes = 6, nworkers = 2;
    int kernels[KERNELS] = {K_RAW, K_RANDOM, K_INT32, K_INT64, K_NORMAL, K_EXPONENTIAL};
    int nkernels = KERNELS;
    int others[BITGENS] = {1, 2}, nothers = 2;
    int other_kernels[KERNELS] = {K_RANDOM}, nother_kernels = 1;
    const char *bitgen_names[BITGENS];
    for (int b = 0; b < BITGENS; b++)
        bitgen_names[b] = bitgens[b].name;

    for (int i = 1; i < argc; i++) {
        const char *v;
        if (bench_option(argv[i], "sizes", &v)) {
            if ((nsizes = bench_parse_list(v, sizes, MAX_LIST)) < 0) return usage(argv[i]);
        } else if (bench_option(argv[i], "workers", &v)) {
            if ((nworkers = bench_parse_list(v, workers, MAX_LIST)) < 0) return usage(argv[i]);
        } else if (bench_option(argv[i], "kernels", &v)) {
            if ((nkernels = bench_parse_names(v, kernel_names, KERNELS, kernels)) < 0)
                return usage(argv[i]);
        } else if (bench_option(argv[i], "bitgens", &v)) {
            if ((nothers = bench_parse_names(v, bitgen_names, BITGENS, others)) < 0)
                return usage(argv[i]);
        } else if (bench_option(argv[i], "bitgen-kernels", &v)) {
            if ((nother_kernels = bench_parse_names(v, kernel_names, KERNELS, other_kernels)) < 0)
                return usage(argv[i]);
        } else {
            return usage(argv[i]);
        }
    }
    size_t cap = 1;
    for (int i = 0; i < nsizes; i++) {
        if (sizes[i] < 1) return usage("--sizes (sizes must be >= 1)");
        if ((size_t)sizes[i] > cap) cap = (size_t)sizes[i];
    }
    void *out = bench_alloc(cap, 8);
    if (out == NULL) {
        fprintf(stderr, "kernpool-bench-rng: out of memory for %zu values\n", cap);
        return 1;
    }
    memset(out, 0, cap * 8);

    char text[256];
    bench_context_machine();
    bench_context_kernpool();
    snprintf(text, sizeof text, "%d", KP_RNG_BLOCK);
    kpb_context("kernpool_rng_block", text);
    kpb_context("rng_bitgens", "pcg64 = KP_PCG64 (PCG XSL-RR 128/64), pcg64dxsm = KP_PCG64DXSM, "
                               "philox = KP_PHILOX (Philox 4x64-10); seeded from "
                               "kp_seedseq_init_u64(12345)");

    /* The runs: PCG64 with every chosen kernel, then the other generators. */
    static run runs[MAX_RUNS];
    kpb_bench *benches[MAX_RUNS];
    int nruns = 0;
    for (int b = -1; b < nothers; b++) {
        int bg = b < 0 ? 0 : others[b];
        if (b >= 0 && bg == 0) continue; /* PCG64 is already there */
        const int *ks = b < 0 ? kernels : other_kernels;
        int nk = b < 0 ? nkernels : nother_kernels;
        for (int k = 0; k < nk && nruns < MAX_RUNS; k++) {
            char name[64];
            runs[nruns] = (run){(kernel_id)ks[k], bitgens[bg].kind, out};
            snprintf(name, sizeof name, "kernpool/%s/%s", bitgens[bg].name, kernel_names[ks[k]]);
            if ((benches[nruns] = kpb_register(name, bench_fill, &runs[nruns])) == NULL) return 1;
            kpb_arg_names(benches[nruns], "n", "workers");
            nruns++;
        }
    }
    /* size by size, so that the figures a ratio compares lie close in time */
    for (int i = 0; i < nsizes; i++)
        for (int r = 0; r < nruns; r++)
            for (int w = 0; w < nworkers; w++)
                kpb_args(benches[r], sizes[i], workers[w]);
    return kpb_run();
}
