/*
 * kernpool's reductions, and the memory read figure they are held to, in one
 * process on the same arrays.
 *
 *   kernpool/<kernel>/n:N/workers:W        kp_<kernel>(N, x, 1, [y, 1,] W, &out)
 *   stream/read/n:N/workers:W              bench_read_sum over x[0..N) split by
 *                                          kp_parallel_for at W workers (SSE2)
 *   stream/read_wide/n:N/workers:W         the same loop, widest SIMD (ifunc)
 *   sweep/kernpool/dsum/n:N/workers:W      kp_dsum at sizes between two powers
 *                                          of two: where workers = 2 starts to
 *                                          beat workers = 1
 *
 * Every run reads the first N elements of the same arrays, so sizes that fit
 * a cache are measured in it (repeated calls find the data there), and the
 * largest are read from memory.
 *
 * Options (besides the harness's and Google Benchmark's):
 *   --sizes=LIST          default 1e3,1e4,1e5,1e6,1e7,1e8
 *   --workers=LIST        default 1,2,-1
 *   --kernels=LIST        default dsum,ddot,dasum,dnrm2,ssum,sdot,sasum,snrm2
 *                         (empty: none, e.g. for a sweep alone)
 *   --stream-workers=LIST default 1,2 (empty: no read figure)
 *   --sweep=LO,HI,STEPS   kp_dsum from 2^LO to 2^HI elements, STEPS sizes per
 *                         octave, at workers 1 and 2 (default: no sweep)
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "context_kernpool.h"
#include "harness.h"
#include "kernpool.h"

enum { MAX_LIST = 64, MAX_SWEEP = 512 };

typedef struct data {
    size_t cap; /* elements in each array */
    double *x, *y;
    float *xs, *ys;
} data;

/* One reduction behind a common signature, so one body measures them all. */
typedef int (*reduce_fn)(const data *d, size_t n, int workers, double *out);

static int run_dsum(const data *d, size_t n, int w, double *out)
{
    return kp_dsum(n, d->x, 1, w, out);
}

static int run_ddot(const data *d, size_t n, int w, double *out)
{
    return kp_ddot(n, d->x, 1, d->y, 1, w, out);
}

static int run_dasum(const data *d, size_t n, int w, double *out)
{
    return kp_dasum(n, d->x, 1, w, out);
}

static int run_dnrm2(const data *d, size_t n, int w, double *out)
{
    return kp_dnrm2(n, d->x, 1, w, out);
}

static int run_ssum(const data *d, size_t n, int w, double *out)
{
    float r = 0;
    int rc = kp_ssum(n, d->xs, 1, w, &r);
    *out = r;
    return rc;
}

static int run_sdot(const data *d, size_t n, int w, double *out)
{
    float r = 0;
    int rc = kp_sdot(n, d->xs, 1, d->ys, 1, w, &r);
    *out = r;
    return rc;
}

static int run_sasum(const data *d, size_t n, int w, double *out)
{
    float r = 0;
    int rc = kp_sasum(n, d->xs, 1, w, &r);
    *out = r;
    return rc;
}

static int run_snrm2(const data *d, size_t n, int w, double *out)
{
    float r = 0;
    int rc = kp_snrm2(n, d->xs, 1, w, &r);
    *out = r;
    return rc;
}

typedef struct kernel {
    const char *name;
    reduce_fn fn;
    int is_float; /* reads floats, else doubles */
    int inputs;   /* vectors read: 1, or 2 for dot */
    data *d;      /* filled in main */
} kernel;

static kernel kernels[] = {
    {"dsum", run_dsum, 0, 1, NULL},   {"ddot", run_ddot, 0, 2, NULL},
    {"dasum", run_dasum, 0, 1, NULL}, {"dnrm2", run_dnrm2, 0, 1, NULL},
    {"ssum", run_ssum, 1, 1, NULL},   {"sdot", run_sdot, 1, 2, NULL},
    {"sasum", run_sasum, 1, 1, NULL}, {"snrm2", run_snrm2, 1, 1, NULL},
};
enum { KERNELS = sizeof kernels / sizeof kernels[0] };

static void bench_reduce(kpb_state *st, void *ctx)
{
    const kernel *k = ctx;
    size_t n = (size_t)kpb_arg(st, 0);
    int workers = (int)kpb_arg(st, 1);
    double out = 0;
    kpb_counter(st, "threads", kp_workers_resolve(workers));
    while (kpb_loop(st)) {
        int rc = k->fn(k->d, n, workers, &out);
        if (rc != KP_OK) {
            kpb_error(st, kp_strerror(rc));
            return;
        }
    }
    kpb_keep(out);
    kpb_set_bytes(st, (double)n * k->inputs * (k->is_float ? sizeof(float) : sizeof(double)));
    kpb_set_items(st, (double)n);
}

typedef struct read_job {
    double (*sum)(const double *x, size_t n);
    const double *x;
    _Atomic double sink; /* keeps each range's sum alive */
} read_job;

static void read_range(void *ctx, size_t begin, size_t end)
{
    read_job *j = ctx;
    atomic_store_explicit(&j->sink, j->sum(j->x + begin, end - begin), memory_order_relaxed);
}

/* Ranges of whole 512 KiB blocks: a range costs far more than claiming it,
 * arrays of up to one block are read inline, and from 1e6 elements up there
 * are enough blocks to balance two threads. */
#define READ_GRAIN 65536

typedef struct read_kind {
    double (*sum)(const double *x, size_t n);
    const data *d;
} read_kind;

static void bench_read(kpb_state *st, void *ctx)
{
    const read_kind *kind = ctx;
    size_t n = (size_t)kpb_arg(st, 0);
    int workers = (int)kpb_arg(st, 1);
    read_job job = {kind->sum, kind->d->x, 0.0};
    kpb_counter(st, "threads", kp_workers_resolve(workers));
    while (kpb_loop(st)) {
        int rc = kp_parallel_for(n, READ_GRAIN, read_range, &job, workers);
        if (rc != KP_OK) {
            kpb_error(st, kp_strerror(rc));
            return;
        }
    }
    kpb_keep(atomic_load(&job.sink));
    kpb_set_bytes(st, (double)n * sizeof(double));
    kpb_set_items(st, (double)n);
}

static int find_kernel(const char *name, size_t len)
{
    for (int k = 0; k < KERNELS; k++)
        if (strlen(kernels[k].name) == len && strncmp(kernels[k].name, name, len) == 0) return k;
    return -1;
}

static int usage(const char *arg)
{
    fprintf(stderr, "kernpool-bench-reduce: bad option %s (see bench/reduce.c)\n", arg);
    return 2;
}

int main(int argc, char **argv)
{
    if (kpb_init(&argc, argv) != 0) return 2;

    int64_t sizes[MAX_LIST] = {1000, 10000, 100000, 1000000, 10000000, 100000000};
    int64_t workers[MAX_LIST] = {1, 2, -1};
    int64_t stream_workers[MAX_LIST] = {1, 2};
    int nsizes = 6, nworkers = 3, nstream = 2;
    int chosen[KERNELS], nchosen = KERNELS;
    for (int k = 0; k < KERNELS; k++)
        chosen[k] = k;
    int64_t sweep[3] = {0, 0, 0};
    int do_sweep = 0;

    for (int i = 1; i < argc; i++) {
        const char *v;
        if (bench_option(argv[i], "sizes", &v)) {
            if ((nsizes = bench_parse_list(v, sizes, MAX_LIST)) < 0) return usage(argv[i]);
        } else if (bench_option(argv[i], "workers", &v)) {
            if ((nworkers = bench_parse_list(v, workers, MAX_LIST)) < 0) return usage(argv[i]);
        } else if (bench_option(argv[i], "stream-workers", &v)) {
            nstream = *v == '\0' ? 0 : bench_parse_list(v, stream_workers, MAX_LIST);
            if (nstream < 0) return usage(argv[i]);
        } else if (bench_option(argv[i], "kernels", &v)) {
            nchosen = 0;
            while (*v != '\0' && nchosen < KERNELS) {
                size_t len = strcspn(v, ",");
                int k = find_kernel(v, len);
                if (k < 0) return usage(argv[i]);
                chosen[nchosen++] = k;
                v += len + (v[len] == ',');
            }
        } else if (bench_option(argv[i], "sweep", &v)) {
            if (bench_parse_list(v, sweep, 3) != 3 || sweep[0] < 0 || sweep[1] > 40 ||
                sweep[0] > sweep[1] || sweep[2] < 1 || sweep[2] > 16)
                return usage(argv[i]);
            do_sweep = 1;
        } else {
            return usage(argv[i]);
        }
    }
    for (int i = 0; i < nsizes; i++)
        if (sizes[i] < 1) return usage("--sizes (sizes must be >= 1)");

    /* The arrays: as long as the largest size any run reads. */
    size_t cap = 0;
    int need_y = 0, need_s = 0;
    if (nchosen == 0 && nstream == 0) nsizes = 0; /* a sweep alone */
    for (int i = 0; i < nsizes; i++)
        if ((size_t)sizes[i] > cap) cap = (size_t)sizes[i];
    if (do_sweep && (size_t)ldexp(1.0, (int)sweep[1]) > cap)
        cap = (size_t)ldexp(1.0, (int)sweep[1]);
    for (int c = 0; c < nchosen; c++) {
        need_y |= kernels[chosen[c]].inputs == 2;
        need_s |= kernels[chosen[c]].is_float;
    }
    static data d;
    d.cap = cap;
    d.x = bench_alloc(cap, sizeof(double));
    d.y = need_y ? bench_alloc(cap, sizeof(double)) : NULL;
    d.xs = need_s ? bench_alloc(cap, sizeof(float)) : NULL;
    d.ys = need_s && need_y ? bench_alloc(cap, sizeof(float)) : NULL;
    if (d.x == NULL || (need_y && d.y == NULL) || (need_s && d.xs == NULL) ||
        (need_s && need_y && d.ys == NULL)) {
        fprintf(stderr, "kernpool-bench-reduce: out of memory for %zu elements\n", cap);
        return 1;
    }
    bench_fill_d(d.x, cap, 1);
    if (d.y) bench_fill_d(d.y, cap, 2);
    if (d.xs) bench_fill_s(d.xs, cap, 1);
    if (d.ys) bench_fill_s(d.ys, cap, 2);

    bench_context_machine();
    bench_context_kernpool();

    /* Runs go size by size, the read figure first, so that the figures a
     * ratio compares are measured close together in time. */
    kpb_bench *benches[KERNELS], *read = NULL, *read_wide = NULL;
    static read_kind sse2 = {bench_read_sum, &d}, wide = {bench_read_sum_wide, &d};
    for (int c = 0; c < nchosen; c++) {
        kernel *k = &kernels[chosen[c]];
        k->d = &d;
        char name[64];
        snprintf(name, sizeof name, "kernpool/%s", k->name);
        if ((benches[c] = kpb_register(name, bench_reduce, k)) == NULL) return 1;
        kpb_arg_names(benches[c], "n", "workers");
    }
    if (nstream > 0) {
        if ((read = kpb_register("stream/read", bench_read, &sse2)) == NULL ||
            (read_wide = kpb_register("stream/read_wide", bench_read, &wide)) == NULL)
            return 1;
        kpb_arg_names(read, "n", "workers");
        kpb_arg_names(read_wide, "n", "workers");
    }
    for (int i = 0; i < nsizes; i++) {
        for (int w = 0; w < nstream; w++) {
            kpb_args(read, sizes[i], stream_workers[w]);
            kpb_args(read_wide, sizes[i], stream_workers[w]);
        }
        for (int c = 0; c < nchosen; c++)
            for (int w = 0; w < nworkers; w++)
                kpb_args(benches[c], sizes[i], workers[w]);
    }
    if (do_sweep) {
        kernel *k = &kernels[find_kernel("dsum", 4)];
        k->d = &d;
        kpb_bench *b = kpb_register("sweep/kernpool/dsum", bench_reduce, k);
        if (b == NULL) return 1;
        kpb_arg_names(b, "n", "workers");
        int steps = (int)((sweep[1] - sweep[0]) * sweep[2]);
        for (int s = 0; s <= steps && s < MAX_SWEEP; s++) {
            int64_t n =
                (int64_t)floor(ldexp(1.0, (int)sweep[0]) * exp2((double)s / sweep[2]) + 0.5);
            kpb_args(b, n, 1);
            kpb_args(b, n, 2);
        }
    }
    return kpb_run();
}
