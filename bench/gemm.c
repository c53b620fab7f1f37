/*
 * kernpool's GEMM (tiles on the pool, computed by the engine chosen at run
 * time: kernpool's own kernels or OpenBLAS's serial build).
 *
 *   kernpool/<t>gemm/n:N/workers:W            square N x N x N, t = d or s
 *                                             (and c, z: --complex-sizes)
 *   kernpool/<t>gemm_<shape>/workers:W        the rectangular shapes of
 *                                             bench/gemm_shapes.h
 *   sweep/one_tile/n:N/workers:1              kp_dgemm as one tile on the caller
 *   sweep/two_tiles/n:N/workers:2             the same cut into two tiles run by
 *                                             two threads: where the second
 *                                             thread starts to pay (the
 *                                             crossover the grid is tuned to)
 *   kernpool/nested_dgemm/outer:O/workers:W   O application threads sharing
 *                                             64 kp_dgemm of n = 256, each
 *                                             call with workers W (one pass =
 *                                             all 64)
 *
 * Input: column-major, no transposes, alpha = 1, beta = 0, the values of
 * bench_fill_*; every product reads the first elements of the same arrays.
 * Rates: items = 2 m n k floating-point operations (GFLOP/s in the report),
 * 8 m n k for the complex types.
 *
 * This program links the static library: the sweep changes the grid's
 * tile work (kp__gemm_tile_work_force) and the report names the engine's
 * kernel core, both internal.
 *
 * Options (besides the harness's and Google Benchmark's):
 *   --sizes=LIST    square sizes (default 32,64,128,256,512,1024,2048,4096)
 *   --types=LIST    d,s (default both)
 *   --complex-sizes=LIST  square sizes for cgemm and zgemm (default none)
 *   --workers=LIST  default 1,2
 *   --rect=0|1      the rectangular shapes (default 1)
 *   --sweep=LIST    sizes for the crossover sweep (default none)
 *   --nested=0|1    the nested scenario (default 0)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "gemm_shapes.h"
#include "harness.h"
#include "kernels/gemm/gemm.h"
#include "kernpool.h"

enum { MAX_LIST = 64 };

static struct {
    double *a, *b, *c;
    float *as, *bs, *cs;
} d;

typedef struct run {
    kp__gemm_type type;
    long m, n, k;
    double tile_work; /* 0: the built-in grid */
} run;

static run runs[512];
static int nruns;

static run *new_run(kp__gemm_type type, long m, long n, long k, double tile_work)
{
    if (nruns == (int)(sizeof runs / sizeof *runs)) return NULL;
    runs[nruns] = (run){type, m, n, k, tile_work};
    return &runs[nruns++];
}

/* The complex types read the same buffers as (re, im) pairs. */
static int product(const run *r, int workers)
{
    const size_t m = (size_t)r->m, n = (size_t)r->n, k = (size_t)r->k;
    const float one_s[2] = {1, 0}, zero_s[2] = {0, 0};
    const double one_d[2] = {1, 0}, zero_d[2] = {0, 0};
    switch (r->type) {
    case KP_GEMM_S:
        return kp_sgemm(KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS, m, n, k, 1.0f, d.as, m, d.bs, k,
                        0.0f, d.cs, m, workers);
    case KP_GEMM_D:
        return kp_dgemm(KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS, m, n, k, 1.0, d.a, m, d.b, k, 0.0,
                        d.c, m, workers);
    case KP_GEMM_C:
        return kp_cgemm(KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS, m, n, k, one_s, d.as, m, d.bs, k,
                        zero_s, d.cs, m, workers);
    default:
        return kp_zgemm(KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS, m, n, k, one_d, d.a, m, d.b, k,
                        zero_d, d.c, m, workers);
    }
}

static void bench_gemm(kpb_state *st, void *ctx)
{
    const run *r = ctx;
    int workers = (int)kpb_arg(st, 1);
    double old = kp__gemm_tile_work_force(r->tile_work);
    kp__gemm_problem p = {.type = r->type, .m = (size_t)r->m, .n = (size_t)r->n, .k = (size_t)r->k};
    kp__gemm_grid g = kp__gemm_plan(&p, kp__gemm_engine_get());
    size_t tiles = g.gm * g.gn, threads = (size_t)kp_workers_resolve(workers);
    kpb_counter(st, "threads", (double)(tiles < threads ? tiles : threads));
    int rc = KP_OK;
    while (kpb_loop(st))
        rc |= product(r, workers);
    kp__gemm_tile_work_force(old);
    if (rc != KP_OK) kpb_error(st, "kp_?gemm failed");
    const int cplx = r->type == KP_GEMM_C || r->type == KP_GEMM_Z;
    kpb_set_items(st, (cplx ? 8.0 : 2.0) * (double)r->m * (double)r->n * (double)r->k);
}

/* ----------------------------------------------------------- nested */

typedef struct nested {
    int workers, calls, rc;
    double *c;
} nested;

static void *nested_thread(void *arg)
{
    nested *x = arg;
    const size_t n = BENCH_NESTED_N;
    for (int i = 0; i < x->calls; i++)
        x->rc |= kp_dgemm(KP_COL_MAJOR, KP_NO_TRANS, KP_NO_TRANS, n, n, n, 1.0, d.a, n, d.b, n, 0.0,
                          x->c, n, x->workers);
    return NULL;
}

static void bench_nested(kpb_state *st, void *ctx)
{
    (void)ctx;
    int outer = (int)kpb_arg(st, 0), workers = (int)kpb_arg(st, 1);
    nested x[16];
    pthread_t t[16];
    int ok = outer >= 1 && outer <= 16;
    for (int i = 0; ok && i < outer; i++) {
        x[i] = (nested){workers, BENCH_NESTED_TOTAL / outer, KP_OK,
                        bench_alloc(BENCH_NESTED_N * BENCH_NESTED_N, sizeof(double))};
        if (x[i].c == NULL) {
            for (int j = 0; j < i; j++)
                free(x[j].c);
            ok = 0;
        }
    }
    if (!ok) {
        kpb_error(st, "no memory for the nested scenario");
        return;
    }
    int started = 1, failed = 0;
    while (kpb_loop(st)) {
        for (started = 1; started < outer; started++)
            if (pthread_create(&t[started], NULL, nested_thread, &x[started]) != 0) break;
        nested_thread(&x[0]);
        for (int i = 1; i < started; i++)
            pthread_join(t[i], NULL);
        failed |= started < outer;
    }
    for (int i = 0; i < outer; i++) {
        failed |= x[i].rc != KP_OK;
        free(x[i].c);
    }
    if (failed) kpb_error(st, "a thread or a kp_dgemm of the nested scenario failed");
    double n = BENCH_NESTED_N;
    kpb_set_items(st, 2.0 * n * n * n * BENCH_NESTED_TOTAL);
}

static int usage(const char *arg)
{
    fprintf(stderr, "kernpool-bench-gemm: bad option %s (see bench/gemm.c)\n", arg);
    return 2;
}

int main(int argc, char **argv)
{
    if (kpb_init(&argc, argv) != 0) return 2;
    int64_t sizes[MAX_LIST] = {32, 64, 128, 256, 512, 1024, 2048, 4096};
    int64_t workers[MAX_LIST] = {1, 2};
    int64_t sweep[MAX_LIST], csizes[MAX_LIST];
    int nsizes = 8, nworkers = 2, nsweep = 0, ncsizes = 0, rect = 1, nest = 0, want_d = 1,
        want_s = 1;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (bench_option(argv[i], "sizes", &v)) {
            if ((nsizes = bench_parse_list(v, sizes, MAX_LIST)) < 0) return usage(argv[i]);
        } else if (bench_option(argv[i], "workers", &v)) {
            if ((nworkers = bench_parse_list(v, workers, MAX_LIST)) < 0) return usage(argv[i]);
        } else if (bench_option(argv[i], "sweep", &v)) {
            nsweep = *v == '\0' ? 0 : bench_parse_list(v, sweep, MAX_LIST);
            if (nsweep < 0) return usage(argv[i]);
        } else if (bench_option(argv[i], "types", &v)) {
            want_d = strchr(v, 'd') != NULL;
            want_s = strchr(v, 's') != NULL;
        } else if (bench_option(argv[i], "complex-sizes", &v)) {
            ncsizes = *v == '\0' ? 0 : bench_parse_list(v, csizes, MAX_LIST);
            if (ncsizes < 0) return usage(argv[i]);
        } else if (bench_option(argv[i], "rect", &v)) {
            rect = atoi(v);
        } else if (bench_option(argv[i], "nested", &v)) {
            nest = atoi(v);
        } else {
            return usage(argv[i]);
        }
    }
    long sq = 0;
    for (int i = 0; i < nsizes; i++)
        if (sizes[i] > sq) sq = (long)sizes[i];
    for (int i = 0; i < nsweep; i++)
        if (sweep[i] > sq) sq = (long)sweep[i];
    if (sq < BENCH_NESTED_N) sq = BENCH_NESTED_N;
    size_t cap = (size_t)bench_gemm_max(sq);
    for (int i = 0; i < ncsizes; i++)
        if ((size_t)(2 * csizes[i] * csizes[i]) > cap) cap = (size_t)(2 * csizes[i] * csizes[i]);
    d.a = bench_alloc(cap, sizeof(double));
    d.b = bench_alloc(cap, sizeof(double));
    d.c = bench_alloc(cap, sizeof(double));
    d.as = bench_alloc(cap, sizeof(float));
    d.bs = bench_alloc(cap, sizeof(float));
    d.cs = bench_alloc(cap, sizeof(float));
    if (!d.a || !d.b || !d.c || !d.as || !d.bs || !d.cs) {
        fprintf(stderr, "kernpool-bench-gemm: out of memory\n");
        return 1;
    }
    bench_fill_d(d.a, cap, 1);
    bench_fill_d(d.b, cap, 2);
    bench_fill_d(d.c, cap, 3);
    bench_fill_s(d.as, cap, 1);
    bench_fill_s(d.bs, cap, 2);
    bench_fill_s(d.cs, cap, 3);

    bench_context_machine();
    const kp__gemm_engine *e = kp__gemm_engine_get();
    kpb_context("kernpool_version", kp_version());
    kpb_context("kernpool_engine", e->name);
    kpb_context("kernpool_engine_core", e->core());
    /* The OpenBLAS core this environment selects: the peer's tables pair
     * with it (the native engine's complex types run it too). */
    kpb_context("kernpool_openblas_core", kp__gemm_openblas.core());
    const char *coretype = getenv("OPENBLAS_CORETYPE");
    kpb_context("openblas_coretype_env", coretype ? coretype : "");

    for (int f32 = 0; f32 < 2; f32++) {
        if (f32 ? !want_s : !want_d) continue;
        const kp__gemm_type type = f32 ? KP_GEMM_S : KP_GEMM_D;
        char name[64];
        snprintf(name, sizeof name, "kernpool/%sgemm", f32 ? "s" : "d");
        for (int i = 0; i < nsizes; i++) {
            run *r = new_run(type, (long)sizes[i], (long)sizes[i], (long)sizes[i], 0);
            kpb_bench *b = r ? kpb_register(name, bench_gemm, r) : NULL;
            if (b == NULL) return 1;
            kpb_arg_names(b, "n", "workers");
            for (int w = 0; w < nworkers; w++)
                kpb_args(b, sizes[i], workers[w]);
        }
        for (int i = 0; rect && i < BENCH_GEMM_SHAPES; i++) {
            const bench_gemm_shape *s = &bench_gemm_shapes[i];
            snprintf(name, sizeof name, "kernpool/%sgemm_%s", f32 ? "s" : "d", s->name);
            run *r = new_run(type, s->m, s->n, s->k, 0);
            kpb_bench *b = r ? kpb_register(name, bench_gemm, r) : NULL;
            if (b == NULL) return 1;
            kpb_arg_names(b, "m", "workers");
            for (int w = 0; w < nworkers; w++)
                kpb_args(b, s->m, workers[w]);
        }
    }
    /* Complex float and double, square. */
    for (int z = 0; z < 2 && ncsizes > 0; z++) {
        const char *name = z ? "kernpool/zgemm" : "kernpool/cgemm";
        for (int i = 0; i < ncsizes; i++) {
            run *r = new_run(z ? KP_GEMM_Z : KP_GEMM_C, (long)csizes[i], (long)csizes[i],
                             (long)csizes[i], 0);
            kpb_bench *b = r ? kpb_register(name, bench_gemm, r) : NULL;
            if (b == NULL) return 1;
            kpb_arg_names(b, "n", "workers");
            for (int w = 0; w < nworkers; w++)
                kpb_args(b, csizes[i], workers[w]);
        }
    }
    /* The sweep: one tile at workers 1 (a tile work above the product's),
     * two tiles at workers 2 (t = 2.5 tiles wanted gives a grid of two;
     * sides below 64 are never halved, so smaller sizes are left out). */
    for (int i = 0; i < nsweep; i++) {
        if (sweep[i] < 64) {
            fprintf(stderr, "kernpool-bench-gemm: sweep size %lld left out (below 64)\n",
                    (long long)sweep[i]);
            continue;
        }
        double n = (double)sweep[i], work = n * n * n;
        run *one = new_run(KP_GEMM_D, (long)sweep[i], (long)sweep[i], (long)sweep[i], 2 * work);
        run *two = new_run(KP_GEMM_D, (long)sweep[i], (long)sweep[i], (long)sweep[i], work / 2.5);
        kpb_bench *b1 = one ? kpb_register("sweep/one_tile", bench_gemm, one) : NULL;
        kpb_bench *b2 = two ? kpb_register("sweep/two_tiles", bench_gemm, two) : NULL;
        if (b1 == NULL || b2 == NULL) return 1;
        kpb_arg_names(b1, "n", "workers");
        kpb_arg_names(b2, "n", "workers");
        kpb_args(b1, sweep[i], 1);
        kpb_args(b2, sweep[i], 2);
    }
    if (nest) {
        kpb_bench *b = kpb_register("kernpool/nested_dgemm", bench_nested, NULL);
        if (b == NULL) return 1;
        kpb_arg_names(b, "outer", "workers");
        kpb_args(b, 2, -1); /* each application thread asks for every CPU */
        kpb_args(b, 2, 1);  /* flat: the application threads alone */
        kpb_args(b, 1, -1); /* flat: one application thread, the pool inside */
    }
    return kpb_run();
}
