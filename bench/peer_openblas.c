/*
 * The OpenBLAS peer: Debian's threaded OpenBLAS (the pthread variant) on the
 * same sizes and the same input values as bench/reduce.c.
 *
 *   openblas/<kernel>/n:N/workers:T     cblas_<kernel>(N, x, 1[, y, 1])
 *   openblas/<t>gemm/n:N/workers:T      cblas_<t>gemm, N x N x N, as bench/gemm.c
 *                                       (t = d, s; c, z with --gemm-complex)
 *   openblas/<t>gemm_<shape>/workers:T  the shapes of bench/gemm_shapes.h
 *   openblas/nested_dgemm/outer:O/workers:T
 *                                       an OpenMP loop of O threads sharing
 *                                       64 cblas_dgemm of n = 256
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
 *   --gemm=LIST      square GEMM sizes (default none)
 *   --gemm-types=LIST d,s (default both)
 *   --gemm-rect=0|1  the rectangular shapes (default 0)
 *   --gemm-complex=LIST square sizes for cgemm and zgemm (default none)
 *   --nested=LIST    outer thread counts of the nested scenario (default none)
 */
#define _GNU_SOURCE
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "gemm_shapes.h"
#include "harness.h"
#include "peer_openblas_omp.h"

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

/* ------------------------------------------------------------------ gemm */

typedef struct gemm_run {
    char type; /* 's', 'd', 'c', 'z' */
    int m, n, k;
} gemm_run;

static gemm_run gemm_runs[256];
static int ngemm;

static double *ga, *gb, *gc;
static float *gas, *gbs, *gcs;

static void bench_gemm(kpb_state *st, void *ctx)
{
    const gemm_run *r = ctx;
    kpb_counter(st, "threads", openblas_get_num_threads());
    const float one_s[2] = {1, 0}, zero_s[2] = {0, 0};
    const double one_d[2] = {1, 0}, zero_d[2] = {0, 0};
    while (kpb_loop(st)) {
        if (r->type == 's')
            cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, r->m, r->n, r->k, 1.0f, gas,
                        r->m, gbs, r->k, 0.0f, gcs, r->m);
        else if (r->type == 'd')
            cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, r->m, r->n, r->k, 1.0, ga, r->m,
                        gb, r->k, 0.0, gc, r->m);
        else if (r->type == 'c') /* the same buffers as (re, im) pairs */
            cblas_cgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, r->m, r->n, r->k, one_s, gas,
                        r->m, gbs, r->k, zero_s, gcs, r->m);
        else
            cblas_zgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, r->m, r->n, r->k, one_d, ga,
                        r->m, gb, r->k, zero_d, gc, r->m);
    }
    const int cplx = r->type == 'c' || r->type == 'z';
    kpb_set_items(st, (cplx ? 8.0 : 2.0) * r->m * (double)r->n * r->k);
}

/* One pass of the nested scenario: the OpenMP loop (peer_openblas_omp.c)
 * calls this once per outer thread. */
void bench_nested_calls(double *c, int calls)
{
    const int n = BENCH_NESTED_N;
    for (int i = 0; i < calls; i++)
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, ga, n, gb, n, 0.0, c,
                    n);
}

static void bench_nested(kpb_state *st, void *ctx)
{
    int outer = (int)kpb_arg(st, 0);
    double *c = bench_alloc((size_t)outer * BENCH_NESTED_N * BENCH_NESTED_N, sizeof(double));
    if (c == NULL || bench_nested_omp(outer, c) != 0) {
        kpb_error(st, "the nested scenario needs OpenMP and memory");
        free(c);
        return;
    }
    while (kpb_loop(st))
        bench_nested_omp(outer, c);
    free(c);
    double n = BENCH_NESTED_N;
    kpb_set_items(st, 2.0 * n * n * n * BENCH_NESTED_TOTAL);
}

static int register_gemm(const int64_t *sizes, int nsizes, int want_d, int want_s, int rect,
                         const int64_t *csizes, int ncsizes, const int64_t *nested, int nnested)
{
    long sq = BENCH_NESTED_N;
    for (int i = 0; i < nsizes; i++)
        if (sizes[i] > sq) sq = (long)sizes[i];
    if (nsizes > 0 || rect || nnested > 0 || ncsizes > 0) {
        size_t cap = (size_t)bench_gemm_max(sq);
        for (int i = 0; i < ncsizes; i++)
            if ((size_t)(2 * csizes[i] * csizes[i]) > cap)
                cap = (size_t)(2 * csizes[i] * csizes[i]);
        ga = bench_alloc(cap, sizeof(double));
        gb = bench_alloc(cap, sizeof(double));
        gc = bench_alloc(cap, sizeof(double));
        gas = bench_alloc(cap, sizeof(float));
        gbs = bench_alloc(cap, sizeof(float));
        gcs = bench_alloc(cap, sizeof(float));
        if (!ga || !gb || !gc || !gas || !gbs || !gcs) return -1;
        bench_fill_d(ga, cap, 1);
        bench_fill_d(gb, cap, 2);
        bench_fill_d(gc, cap, 3);
        bench_fill_s(gas, cap, 1);
        bench_fill_s(gbs, cap, 2);
        bench_fill_s(gcs, cap, 3);
    }
    int threads = openblas_get_num_threads();
    for (int f32 = 0; f32 < 2; f32++) {
        if (f32 ? !want_s : !want_d) continue;
        char name[64];
        snprintf(name, sizeof name, "openblas/%sgemm", f32 ? "s" : "d");
        for (int i = 0; i < nsizes; i++) {
            if (ngemm == 256 || sizes[i] < 1 || sizes[i] > 46340) return -1;
            gemm_runs[ngemm] =
                (gemm_run){f32 ? 's' : 'd', (int)sizes[i], (int)sizes[i], (int)sizes[i]};
            kpb_bench *b = kpb_register(name, bench_gemm, &gemm_runs[ngemm++]);
            if (b == NULL) return -1;
            kpb_arg_names(b, "n", "workers");
            kpb_args(b, sizes[i], threads);
        }
        for (int i = 0; rect && i < BENCH_GEMM_SHAPES; i++) {
            const bench_gemm_shape *s = &bench_gemm_shapes[i];
            if (ngemm == 256) return -1;
            gemm_runs[ngemm] = (gemm_run){f32 ? 's' : 'd', (int)s->m, (int)s->n, (int)s->k};
            snprintf(name, sizeof name, "openblas/%sgemm_%s", f32 ? "s" : "d", s->name);
            kpb_bench *b = kpb_register(name, bench_gemm, &gemm_runs[ngemm++]);
            if (b == NULL) return -1;
            kpb_arg_names(b, "m", "workers");
            kpb_args(b, s->m, threads);
        }
    }
    for (int z = 0; z < 2; z++)
        for (int i = 0; i < ncsizes; i++) {
            if (ngemm == 256 || csizes[i] < 1 || csizes[i] > 32767) return -1;
            int n = (int)csizes[i];
            gemm_runs[ngemm] = (gemm_run){z ? 'z' : 'c', n, n, n};
            kpb_bench *b = kpb_register(z ? "openblas/zgemm" : "openblas/cgemm", bench_gemm,
                                        &gemm_runs[ngemm++]);
            if (b == NULL) return -1;
            kpb_arg_names(b, "n", "workers");
            kpb_args(b, csizes[i], threads);
        }
    if (nnested > 0) {
        kpb_bench *b = kpb_register("openblas/nested_dgemm", bench_nested, NULL);
        if (b == NULL) return -1;
        kpb_arg_names(b, "outer", "workers");
        for (int i = 0; i < nnested; i++)
            kpb_args(b, nested[i], threads);
    }
    return 0;
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
    int64_t gemm_sizes[MAX_LIST], gemm_csizes[MAX_LIST], nested[MAX_LIST];
    int ngemm_sizes = 0, ngemm_csizes = 0, nnested = 0, gemm_d = 1, gemm_s = 1, gemm_rect = 0;
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
        } else if (bench_option(argv[i], "gemm", &v)) {
            if ((ngemm_sizes = bench_parse_list(v, gemm_sizes, MAX_LIST)) < 0)
                return usage(argv[i]);
        } else if (bench_option(argv[i], "gemm-types", &v)) {
            gemm_d = strchr(v, 'd') != NULL;
            gemm_s = strchr(v, 's') != NULL;
        } else if (bench_option(argv[i], "gemm-rect", &v)) {
            gemm_rect = atoi(v);
        } else if (bench_option(argv[i], "gemm-complex", &v)) {
            ngemm_csizes = *v == '\0' ? 0 : bench_parse_list(v, gemm_csizes, MAX_LIST);
            if (ngemm_csizes < 0) return usage(argv[i]);
        } else if (bench_option(argv[i], "nested", &v)) {
            nnested = *v == '\0' ? 0 : bench_parse_list(v, nested, MAX_LIST);
            if (nnested < 0) return usage(argv[i]);
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
    if (register_gemm(gemm_sizes, ngemm_sizes, gemm_d, gemm_s, gemm_rect, gemm_csizes, ngemm_csizes,
                      nested, nnested) != 0) {
        fprintf(stderr, "kernpool-bench-openblas: cannot set up the GEMM runs\n");
        return 1;
    }
    return kpb_run();
}
