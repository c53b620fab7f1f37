/*
 * kernpool's FFT beside FFTW 3, through plans made once outside the timed
 * loop.
 *
 *   <source>/<kind>/n:N/workers:W          one transform of length N
 *   <source>/<kind>/batch:B/n:N/workers:W  B transforms of length N, one
 *                                          after another in memory
 *   <source>/<kind>/rows:R/n:N/workers:W   one 2-D transform of R x N
 *                                          (row-major, N along a row)
 *
 *   source         plan                                 execution
 *   kernpool       kp_fft_plan_make, norm backward      kp_fft_plan_execute(p, in, out, W)
 *   fftw_estimate  fftw_plan_many_dft(_r2c), FFTW_ESTIMATE, made after
 *                  fftw_plan_with_nthreads(W)           fftw_execute(p)
 *   fftw_measure   the same with FFTW_MEASURE, planning bounded by
 *                  fftw_set_timelimit(--measure-limit)
 *
 *   kind       transform
 *   c2c        complex double to complex double, forward
 *   r2c        real double to its N/2 + 1 complex outputs
 *   c2c_float  c2c in single precision (fftwf_*)
 *   r2c_float  r2c in single precision
 *
 * Every transform is out of place into a separate output array; both
 * arrays are allocated, and the output written once, before the plan's
 * first run, so that no page fault is timed. Input values come from
 * bench_fill_d / bench_fill_s (FFTW_MEASURE overwrites the arrays while it
 * plans, so they are filled after planning). The harness calls a body once
 * per repetition; the plan and arrays of the case that ran last are kept,
 * so one plan serves all repetitions (and, for kernpool, whose plans do not
 * depend on workers, every workers value of a size).
 *
 * Rate: benchFFT's nominal operation count, recorded as the counter
 * "flops" per pass: 5 N log2 N for a complex transform of N points, 2.5 N
 * log2 N for a real one, N the product of the transformed lengths, times B
 * for a batch. The report divides it by the time ("mflops"), so a faster
 * program has a higher figure whatever it really computes. Counters also
 * give the threads used and the seconds spent planning.
 *
 * FFTW is GPL: only this program links it, never the library. Which
 * sources one process runs is chosen with --sources, so that FFTW's
 * threads and kernpool's pool need never share a process (bench/suite_fft.py
 * runs them in separate processes).
 *
 * Options (besides the harness's and Google Benchmark's):
 *   --sources=LIST        kernpool,fftw_estimate,fftw_measure (default kernpool)
 *   --kinds=LIST          default c2c,r2c
 *   --sizes=LIST          1-D lengths (default 2^4 .. 2^22, 1000, 1009,
 *                         100000, 1000003); empty: none
 *   --workers=LIST        default 1,2 (FFTW: threads)
 *   --batch=BxN           default 256x4096; empty: none
 *   --grid=RxN            default 2048x2048; empty: none
 *   --measure-limit=S     seconds FFTW_MEASURE may plan (default 10; < 0: no limit)
 *   --plans=FILE          writes each FFTW plan made, one a line:
 *                         name <tab> planning seconds <tab> fftw_sprint_plan's text
 *   --wisdom=FILE         FFTW's wisdom: read from FILE (FILE.float for single
 *                         precision) if it exists, written back at the end, so
 *                         that a later process reuses the plans MEASURE found
 */
#define _GNU_SOURCE
#include <fftw3.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "context_kernpool.h"
#include "harness.h"
#include "kernpool.h"

enum { MAX_LIST = 64, MAX_BENCHES = 64 };

typedef enum { SRC_KERNPOOL, SRC_ESTIMATE, SRC_MEASURE, SOURCES } source_id;
static const char *const source_names[SOURCES] = {"kernpool", "fftw_estimate", "fftw_measure"};

typedef enum { K_C2C, K_R2C, K_C2C_FLOAT, K_R2C_FLOAT, KINDS } kind_id;
static const char *const kind_names[KINDS] = {"c2c", "r2c", "c2c_float", "r2c_float"};

typedef enum { SHAPE_1D, SHAPE_BATCH, SHAPE_2D } shape_id;

/* One registered benchmark: what it transforms and who does it. */
typedef struct bcase {
    source_id src;
    int real;   /* r2c, else c2c */
    int single; /* float, else double */
    shape_id shape;
    size_t outer; /* B of a batch, R of a 2-D transform; 1 for 1-D */
} bcase;

/* The prepared transform of the case that ran last. */
static struct {
    const bcase *c;
    size_t n;
    int threads; /* FFTW's plans depend on it; kernpool's do not (-1) */
    void *in, *out;
    kp_fft_plan *kp;
    fftw_plan fd;
    fftwf_plan ff;
    double plan_s;
} cur;

static double g_measure_limit = 10.0;
static FILE *g_plans;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void release(void)
{
    kp_fft_plan_destroy(cur.kp);
    if (cur.fd != NULL) fftw_destroy_plan(cur.fd);
    if (cur.ff != NULL) fftwf_destroy_plan(cur.ff);
    free(cur.in);
    free(cur.out);
    memset(&cur, 0, sizeof cur);
}

/* Points of the complex output: N/2 + 1 along the last axis of r2c. */
static size_t out_points(const bcase *c, size_t n)
{
    return c->outer * (c->real ? n / 2 + 1 : n);
}

/* The name the harness shows, for the plans file. */
static void case_name(const bcase *c, size_t n, int threads, char *buf, size_t size)
{
    static const char *const shape_arg[] = {"", "/batch:", "/rows:"};
    char outer[32] = "";
    if (c->shape != SHAPE_1D) snprintf(outer, sizeof outer, "%s%zu", shape_arg[c->shape], c->outer);
    snprintf(buf, size, "%s/%s%s/n:%zu/workers:%d", source_names[c->src],
             kind_names[c->real + 2 * c->single], outer, n, threads);
}

static int plan_kernpool(const bcase *c, size_t n)
{
    /* strides count elements of each array: real ones on the input of r2c */
    ptrdiff_t in_row = (ptrdiff_t)n, out_row = (ptrdiff_t)(c->real ? n / 2 + 1 : n);
    kp_fft_dim outer = {c->outer, in_row, out_row}, line = {n, 1, 1};
    /* 2-D: rows then the line; a batch: the line, rows as batch dimension */
    kp_fft_dim dims[2] = {outer, line};
    size_t rank = c->shape == SHAPE_2D ? 2 : 1;
    return kp_fft_plan_make(&cur.kp, c->real ? KP_FFT_R2C : KP_FFT_C2C,
                            c->single ? KP_FFT_FLOAT : KP_FFT_DOUBLE, KP_FFT_FORWARD,
                            KP_FFT_NORM_BACKWARD, rank, dims + 2 - rank,
                            c->shape == SHAPE_BATCH ? 1 : 0, &outer);
}

/* One call covers every shape: rank 1 or 2, howmany B for a batch; NULL
 * embeds are the arrays' own shapes (N/2 + 1 on the complex side of r2c).
 * *text is set to the plan's description when --plans asks for it. */
static int plan_fftw(const bcase *c, size_t n, int threads, char **text)
{
    unsigned flags = c->src == SRC_MEASURE ? FFTW_MEASURE : FFTW_ESTIMATE;
    int dims[2] = {(int)c->outer, (int)n};
    int rank = c->shape == SHAPE_2D ? 2 : 1;
    const int *d = dims + 2 - rank;
    int howmany = c->shape == SHAPE_BATCH ? (int)c->outer : 1;
    int idist = (int)n, odist = (int)(c->real ? n / 2 + 1 : n);
    if (c->single) {
        fftwf_plan_with_nthreads(threads);
        fftwf_set_timelimit(g_measure_limit);
        if (c->real)
            cur.ff = fftwf_plan_many_dft_r2c(rank, d, howmany, cur.in, NULL, 1, idist, cur.out,
                                             NULL, 1, odist, flags);
        else
            cur.ff = fftwf_plan_many_dft(rank, d, howmany, cur.in, NULL, 1, idist, cur.out, NULL, 1,
                                         idist, FFTW_FORWARD, flags);
        if (cur.ff == NULL) return -1;
        *text = g_plans != NULL ? fftwf_sprint_plan(cur.ff) : NULL;
    } else {
        fftw_plan_with_nthreads(threads);
        fftw_set_timelimit(g_measure_limit);
        if (c->real)
            cur.fd = fftw_plan_many_dft_r2c(rank, d, howmany, cur.in, NULL, 1, idist, cur.out, NULL,
                                            1, odist, flags);
        else
            cur.fd = fftw_plan_many_dft(rank, d, howmany, cur.in, NULL, 1, idist, cur.out, NULL, 1,
                                        idist, FFTW_FORWARD, flags);
        if (cur.fd == NULL) return -1;
        *text = g_plans != NULL ? fftw_sprint_plan(cur.fd) : NULL;
    }
    return 0;
}

/* One line of the plans file; the plan's layout whitespace is folded into
 * single spaces (text is changed). */
static void write_plan(const bcase *c, size_t n, int threads, double seconds, char *text)
{
    char name[128];
    case_name(c, n, threads, name, sizeof name);
    size_t j = 0;
    for (size_t i = 0; text[i] != '\0'; i++) {
        char ch = text[i] == '\n' || text[i] == '\t' ? ' ' : text[i];
        if (ch != ' ' || (j > 0 && text[j - 1] != ' ')) text[j++] = ch;
    }
    text[j] = '\0';
    fprintf(g_plans, "%s\t%.3f\t%s\n", name, seconds, text);
    fflush(g_plans);
}

/* Makes cur the transform of (c, n, threads), reusing it when it already
 * is. Returns NULL, or why it failed. */
static const char *prepare(const bcase *c, size_t n, int threads)
{
    if (c->src == SRC_KERNPOOL) threads = -1;
    if (cur.c == c && cur.n == n && cur.threads == threads) return NULL;
    release();
    size_t real = c->single ? sizeof(float) : sizeof(double);
    size_t in_values = c->outer * n * (c->real ? 1 : 2), out_values = 2 * out_points(c, n);
    cur.in = bench_alloc(in_values, real);
    cur.out = bench_alloc(out_values, real);
    if (cur.in == NULL || cur.out == NULL) {
        release();
        return "out of memory";
    }
    memset(cur.out, 0, out_values * real);
    double t0 = now();
    const char *why = NULL;
    char *text = NULL;
    if (c->src == SRC_KERNPOOL) {
        int rc = plan_kernpool(c, n);
        if (rc != KP_OK) why = kp_strerror(rc);
    } else if (n > (size_t)INT32_MAX || c->outer * n > (size_t)INT32_MAX) {
        why = "too large for FFTW's int lengths";
    } else if (plan_fftw(c, n, threads, &text) != 0) {
        why = "FFTW made no plan";
    }
    if (why != NULL) {
        release();
        return why;
    }
    cur.plan_s = now() - t0;
    if (text != NULL) {
        write_plan(c, n, threads, cur.plan_s, text);
        free(text);
    }
    if (c->single)
        bench_fill_s(cur.in, in_values, 1);
    else
        bench_fill_d(cur.in, in_values, 1);
    cur.c = c;
    cur.n = n;
    cur.threads = threads;
    return NULL;
}

/* benchFFT's nominal operation count of one pass. */
static double nominal_flops(const bcase *c, size_t n)
{
    double points = (double)n * (c->shape == SHAPE_2D ? (double)c->outer : 1.0);
    double one = (c->real ? 2.5 : 5.0) * points * log2(points);
    return c->shape == SHAPE_BATCH ? (double)c->outer * one : one;
}

static void bench_fft(kpb_state *st, void *ctx)
{
    const bcase *c = ctx;
    size_t n = (size_t)kpb_arg(st, 0);
    int workers = (int)kpb_arg(st, 1);
    const char *why = prepare(c, n, workers);
    if (why != NULL) {
        kpb_error(st, why);
        return;
    }
    if (c->src == SRC_KERNPOOL) {
        while (kpb_loop(st)) {
            int rc = kp_fft_plan_execute(cur.kp, cur.in, cur.out, workers);
            if (rc != KP_OK) {
                kpb_error(st, kp_strerror(rc));
                return;
            }
        }
        kpb_counter(st, "threads", kp_workers_resolve(workers));
    } else if (c->single) {
        while (kpb_loop(st))
            fftwf_execute(cur.ff);
        kpb_counter(st, "threads", workers);
    } else {
        while (kpb_loop(st))
            fftw_execute(cur.fd);
        kpb_counter(st, "threads", workers);
    }
    /* the last value written, so the transforms cannot be dropped */
    size_t last = 2 * out_points(c, n) - 1;
    kpb_keep(c->single ? ((const float *)cur.out)[last] : ((const double *)cur.out)[last]);
    kpb_counter(st, "flops", nominal_flops(c, n));
    kpb_counter(st, "plan_s", cur.plan_s);
    double real = c->single ? sizeof(float) : sizeof(double);
    kpb_set_bytes(st, (double)(c->outer * n) * real * (c->real ? 1 : 2));
    kpb_set_items(st, (double)(c->outer * n));
}

static int usage(const char *arg)
{
    fprintf(stderr, "kernpool-bench-fft: bad option %s (see bench/fft.c)\n", arg);
    return 2;
}

/* "AxB" into a and b (both >= 1), "" into a = b = 0. Returns 0 or -1. */
static int parse_shape(const char *v, int64_t *a, int64_t *b)
{
    *a = *b = 0;
    if (*v == '\0') return 0;
    char text[64];
    if (strlen(v) >= sizeof text) return -1;
    strcpy(text, v);
    char *x = strchr(text, 'x');
    if (x == NULL) return -1;
    *x = '\0';
    return bench_parse_list(text, a, 1) == 1 && bench_parse_list(x + 1, b, 1) == 1 && *a >= 1 &&
                   *b >= 1
               ? 0
               : -1;
}

int main(int argc, char **argv)
{
    if (kpb_init(&argc, argv) != 0) return 2;

    int64_t sizes[MAX_LIST], workers[MAX_LIST] = {1, 2};
    int nsizes = 0, nworkers = 2;
    for (int e = 4; e <= 22; e++)
        sizes[nsizes++] = (int64_t)1 << e;
    static const int64_t others[] = {1000, 1009, 100000, 1000003};
    for (size_t i = 0; i < sizeof others / sizeof *others; i++)
        sizes[nsizes++] = others[i];
    int sources[SOURCES] = {SRC_KERNPOOL}, nsources = 1;
    int kinds[KINDS] = {K_C2C, K_R2C}, nkinds = 2;
    int64_t batch[2] = {256, 4096}, grid[2] = {2048, 2048};
    const char *plans_path = NULL, *wisdom = NULL;

    for (int i = 1; i < argc; i++) {
        const char *v;
        if (bench_option(argv[i], "sources", &v)) {
            if ((nsources = bench_parse_names(v, source_names, SOURCES, sources)) < 0)
                return usage(argv[i]);
        } else if (bench_option(argv[i], "kinds", &v)) {
            if ((nkinds = bench_parse_names(v, kind_names, KINDS, kinds)) < 0)
                return usage(argv[i]);
        } else if (bench_option(argv[i], "sizes", &v)) {
            nsizes = *v == '\0' ? 0 : bench_parse_list(v, sizes, MAX_LIST);
            if (nsizes < 0) return usage(argv[i]);
        } else if (bench_option(argv[i], "workers", &v)) {
            if ((nworkers = bench_parse_list(v, workers, MAX_LIST)) < 0) return usage(argv[i]);
        } else if (bench_option(argv[i], "batch", &v)) {
            if (parse_shape(v, &batch[0], &batch[1]) != 0) return usage(argv[i]);
        } else if (bench_option(argv[i], "grid", &v)) {
            if (parse_shape(v, &grid[0], &grid[1]) != 0) return usage(argv[i]);
        } else if (bench_option(argv[i], "measure-limit", &v)) {
            char *end;
            g_measure_limit = strtod(v, &end);
            if (*end != '\0' || v == end) return usage(argv[i]);
            if (g_measure_limit < 0) g_measure_limit = FFTW_NO_TIMELIMIT;
        } else if (bench_option(argv[i], "plans", &v)) {
            plans_path = v;
        } else if (bench_option(argv[i], "wisdom", &v)) {
            wisdom = *v != '\0' ? v : NULL;
        } else {
            return usage(argv[i]);
        }
    }
    for (int i = 0; i < nsizes; i++)
        if (sizes[i] < 1) return usage("--sizes (lengths must be >= 1)");
    for (int i = 0; i < nworkers; i++)
        if (workers[i] < 1) return usage("--workers (FFTW takes thread counts >= 1)");

    int fftw = 0, fftw_single = 0;
    for (int s = 0; s < nsources; s++)
        fftw |= sources[s] != SRC_KERNPOOL;
    for (int k = 0; k < nkinds; k++)
        fftw_single |= fftw && (kinds[k] == K_C2C_FLOAT || kinds[k] == K_R2C_FLOAT);
    /* FFTW's threads must be set up before any other FFTW call. */
    if (fftw && (!fftw_init_threads() || (fftw_single && !fftwf_init_threads()))) {
        fprintf(stderr, "kernpool-bench-fft: fftw_init_threads failed\n");
        return 1;
    }
    char wisdom_float[1024] = "";
    if (fftw && wisdom != NULL) {
        snprintf(wisdom_float, sizeof wisdom_float, "%s.float", wisdom);
        /* a missing file is no error: there is no wisdom yet */
        fftw_import_wisdom_from_filename(wisdom);
        if (fftw_single) fftwf_import_wisdom_from_filename(wisdom_float);
    }
    if (plans_path != NULL && (g_plans = fopen(plans_path, "w")) == NULL) {
        perror(plans_path);
        return 1;
    }

    char text[256];
    bench_context_machine();
    bench_context_kernpool();
    if (fftw) {
        kpb_context("fftw_version", fftw_version);
        kpb_context("fftw_cc", fftw_cc);
        snprintf(text, sizeof text, "%g", g_measure_limit);
        kpb_context("fftw_measure_limit_s", text);
    }
    text[0] = '\0';
    for (int s = 0; s < nsources; s++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "%s%s", s ? "," : "",
                 source_names[sources[s]]);
    kpb_context("fft_sources", text);

    /* One benchmark per (shape, kind, source). */
    static bcase cases[MAX_BENCHES];
    static kpb_bench *benches[MAX_BENCHES];
    int ncases = 0, first[3];
    const int64_t outer[3] = {1, batch[0], grid[0]};
    static const char *const shape_arg[3] = {"", "/batch:", "/rows:"};
    for (int sh = 0; sh < 3; sh++) {
        first[sh] = ncases;
        if (outer[sh] == 0) continue;
        for (int k = 0; k < nkinds; k++)
            for (int s = 0; s < nsources; s++) {
                bcase *c = &cases[ncases];
                *c = (bcase){(source_id)sources[s], kinds[k] == K_R2C || kinds[k] == K_R2C_FLOAT,
                             kinds[k] >= K_C2C_FLOAT, (shape_id)sh, (size_t)outer[sh]};
                char name[96] = "";
                if (sh != SHAPE_1D)
                    snprintf(name, sizeof name, "%s%lld", shape_arg[sh], (long long)outer[sh]);
                snprintf(text, sizeof text, "%s/%s%s", source_names[sources[s]],
                         kind_names[kinds[k]], name);
                if ((benches[ncases] = kpb_register(text, bench_fft, c)) == NULL) return 1;
                kpb_arg_names(benches[ncases], "n", "workers");
                ncases++;
            }
    }
    /* size by size, so that the figures a ratio compares lie close in time */
    for (int i = 0; i < nsizes; i++)
        for (int b = first[SHAPE_1D]; b < first[SHAPE_BATCH]; b++)
            for (int w = 0; w < nworkers; w++)
                kpb_args(benches[b], sizes[i], workers[w]);
    for (int b = first[SHAPE_BATCH]; b < ncases; b++)
        for (int w = 0; w < nworkers; w++)
            kpb_args(benches[b], cases[b].shape == SHAPE_BATCH ? batch[1] : grid[1], workers[w]);
    int rc = kpb_run();
    release();
    if (fftw && wisdom != NULL) {
        if (!fftw_export_wisdom_to_filename(wisdom) ||
            (fftw_single && !fftwf_export_wisdom_to_filename(wisdom_float)))
            fprintf(stderr, "kernpool-bench-fft: cannot write FFTW's wisdom to %s\n", wisdom);
    }
    if (g_plans != NULL) fclose(g_plans);
    if (fftw) fftw_cleanup_threads();
    if (fftw_single) fftwf_cleanup_threads();
    return rc;
}
