/*
 * The OpenBLAS peer: Debian's threaded OpenBLAS (the pthread variant) on the
 * same sizes and the same input values as bench/reduce.c.
 *
 *   openblas/<kernel>/n:N/workers:T     cblas_<kernel>(N, x, 1[, y, 1])
 *
 * This program never links kernpool: a threaded OpenBLAS starts a pool of
 * its own and must not share a process with the serial OpenBLAS that
 * kernpool's GEMM engine loads. Its thread count is fixed per process by
 * OPENBLAS_NUM_THREADS (default: all CPUs), so the driver runs it once per
 * thread count (and per OPENBLAS_CORETYPE); T is openblas_get_num_threads().
 * The report's context says which kernels OpenBLAS picked (its corename),
 * its build configuration and the file it was loaded from.
 *
 * Options (besides the harness's and Google Benchmark's):
 *   --sizes=LIST     default 1e3,1e4,1e5,1e6,1e7,1e8
 *   --kernels=LIST   default dsum,ddot,dasum,dnrm2,ssum,sdot,sasum,snrm2
 */
#define _GNU_SOURCE
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "harness.h"

enum { MAX_LIST = 64 };

typedef struct data {
    double *x, *y;
    float *xs, *ys;
} data;

static data d;

/* BLAS counts elements in a blasint (int here): sizes beyond it are refused. */
typedef double (*blas_fn)(int n);

static double run_dsum(int n)
{
    return cblas_dsum(n, d.x, 1);
}

static double run_ddot(int n)
{
    return cblas_ddot(n, d.x, 1, d.y, 1);
}

static double run_dasum(int n)
{
    return cblas_dasum(n, d.x, 1);
}

static double run_dnrm2(int n)
{
    return cblas_dnrm2(n, d.x, 1);
}

static double run_ssum(int n)
{
    return cblas_ssum(n, d.xs, 1);
}

static double run_sdot(int n)
{
    return cblas_sdot(n, d.xs, 1, d.ys, 1);
}

static double run_sasum(int n)
{
    return cblas_sasum(n, d.xs, 1);
}

static double run_snrm2(int n)
{
    return cblas_snrm2(n, d.xs, 1);
}

typedef struct kernel {
    const char *name;
    blas_fn fn;
    int is_float;
    int inputs;
} kernel;

static const kernel kernels[] = {
    {"dsum", run_dsum, 0, 1},   {"ddot", run_ddot, 0, 2},   {"dasum", run_dasum, 0, 1},
    {"dnrm2", run_dnrm2, 0, 1}, {"ssum", run_ssum, 1, 1},   {"sdot", run_sdot, 1, 2},
    {"sasum", run_sasum, 1, 1}, {"snrm2", run_snrm2, 1, 1},
};
enum { KERNELS = sizeof kernels / sizeof kernels[0] };

static void bench_blas(kpb_state *st, void *ctx)
{
    const kernel *k = ctx;
    int n = (int)kpb_arg(st, 0);
    double out = 0;
    kpb_counter(st, "threads", openblas_get_num_threads());
    while (kpb_loop(st))
        out = k->fn(n);
    kpb_keep(out);
    kpb_set_bytes(st, (double)n * k->inputs * (k->is_float ? sizeof(float) : sizeof(double)));
    kpb_set_items(st, (double)n);
}

static int find_kernel(const char *name, size_t len)
{
    for (int k = 0; k < KERNELS; k++)
        if (strlen(kernels[k].name) == len && strncmp(kernels[k].name, name, len) == 0) return k;
    return -1;
}

/* The path of the first mapped file whose name contains `part`: which
 * OpenBLAS the loader really chose (a run path, or Debian's alternatives). */
static int mapped_library(const char *part, char *path, size_t size)
{
    FILE *f = fopen("/proc/self/maps", "r");
    if (f == NULL) return -1;
    char line[1024];
    int rc = -1;
    while (rc != 0 && fgets(line, sizeof line, f)) {
        char *p = strchr(line, '/');
        if (p == NULL || strstr(p, part) == NULL) continue;
        p[strcspn(p, "\n")] = '\0';
        snprintf(path, size, "%s", p);
        rc = 0;
    }
    fclose(f);
    return rc;
}

static int usage(const char *arg)
{
    fprintf(stderr, "kernpool-bench-openblas: bad option %s (see bench/peer_openblas.c)\n", arg);
    return 2;
}

int main(int argc, char **argv)
{
    if (kpb_init(&argc, argv) != 0) return 2;

    int64_t sizes[MAX_LIST] = {1000, 10000, 100000, 1000000, 10000000, 100000000};
    int nsizes = 6;
    int chosen[KERNELS], nchosen = KERNELS;
    for (int k = 0; k < KERNELS; k++)
        chosen[k] = k;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (bench_option(argv[i], "sizes", &v)) {
            if ((nsizes = bench_parse_list(v, sizes, MAX_LIST)) < 0) return usage(argv[i]);
        } else if (bench_option(argv[i], "kernels", &v)) {
            nchosen = 0;
            while (*v != '\0' && nchosen < KERNELS) {
                size_t len = strcspn(v, ",");
                int k = find_kernel(v, len);
                if (k < 0) return usage(argv[i]);
                chosen[nchosen++] = k;
                v += len + (v[len] == ',');
            }
        } else {
            return usage(argv[i]);
        }
    }
    size_t cap = 0;
    for (int i = 0; i < nsizes; i++) {
        if (sizes[i] < 1 || sizes[i] > 2147483647) return usage("--sizes (1 to 2^31 - 1)");
        if ((size_t)sizes[i] > cap) cap = (size_t)sizes[i];
    }
    int need_y = 0, need_s = 0;
    for (int c = 0; c < nchosen; c++) {
        need_y |= kernels[chosen[c]].inputs == 2;
        need_s |= kernels[chosen[c]].is_float;
    }
    d.x = bench_alloc(cap, sizeof(double));
    d.y = need_y ? bench_alloc(cap, sizeof(double)) : NULL;
    d.xs = need_s ? bench_alloc(cap, sizeof(float)) : NULL;
    d.ys = need_s && need_y ? bench_alloc(cap, sizeof(float)) : NULL;
    if (d.x == NULL || (need_y && d.y == NULL) || (need_s && d.xs == NULL) ||
        (need_s && need_y && d.ys == NULL)) {
        fprintf(stderr, "kernpool-bench-openblas: out of memory for %zu elements\n", cap);
        return 1;
    }
    bench_fill_d(d.x, cap, 1);
    if (d.y) bench_fill_d(d.y, cap, 2);
    if (d.xs) bench_fill_s(d.xs, cap, 1);
    if (d.ys) bench_fill_s(d.ys, cap, 2);

    /* Which OpenBLAS this is: a threaded one is required. */
    int parallel = openblas_get_parallel();
    if (parallel != 1) {
        fprintf(stderr,
                "kernpool-bench-openblas: loaded OpenBLAS is not the pthread variant (%d)\n",
                parallel);
        return 1;
    }
    char text[64];
    bench_context_machine();
    kpb_context("openblas_corename", openblas_get_corename());
    kpb_context("openblas_config", openblas_get_config());
    snprintf(text, sizeof text, "%d", openblas_get_num_threads());
    kpb_context("openblas_num_threads", text);
    const char *coretype = getenv("OPENBLAS_CORETYPE");
    kpb_context("openblas_coretype_env", coretype ? coretype : "");
    char path[512];
    if (mapped_library("libopenblas", path, sizeof path) == 0)
        kpb_context("openblas_library", path);

    for (int c = 0; c < nchosen; c++) {
        const kernel *k = &kernels[chosen[c]];
        char name[64];
        snprintf(name, sizeof name, "openblas/%s", k->name);
        kpb_bench *b = kpb_register(name, bench_blas, (void *)k);
        if (b == NULL) return 1;
        kpb_arg_names(b, "n", "workers");
        for (int i = 0; i < nsizes; i++)
            kpb_args(b, sizes[i], openblas_get_num_threads());
    }
    return kpb_run();
}
