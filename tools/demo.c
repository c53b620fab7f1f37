/*
 * kernpool-demo: what the pool sees of this machine, and one parallel loop,
 * a sum, a matrix product and a 2-D FFT, each run at workers = 1 and
 * workers = -1 with the same bits.
 *
 * The loop integrates f(x) = sin(x) exp(-x / 8) over [0, 64] with the
 * midpoint rule. It is cut into fixed blocks whose partial sums are added in
 * block order, so the result cannot depend on how many threads ran it.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernpool.h"

enum { POINTS = 1 << 25, BLOCK = 1 << 14, BLOCKS = POINTS / BLOCK };

typedef struct integral {
    double h;
    double *partial; /* one per block */
} integral;

static void integrate_blocks(void *ctx, size_t begin, size_t end)
{
    const integral *q = ctx;
    for (size_t b = begin; b < end; b++) {
        double s = 0;
        for (size_t i = b * BLOCK; i < (b + 1) * BLOCK; i++) {
            double x = ((double)i + 0.5) * q->h;
            s += sin(x) * exp(-x / 8);
        }
        q->partial[b] = s * q->h;
    }
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Runs the integral with `workers`; returns the best of 3 times. */
static double run(int workers, double *result, double *partial)
{
    integral q = {64.0 / POINTS, partial};
    double best = 1e30;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = now();
        int rc = kp_parallel_for(BLOCKS, 1, integrate_blocks, &q, workers);
        if (rc != KP_OK) {
            fprintf(stderr, "kp_parallel_for: %s\n", kp_strerror(rc));
            exit(1);
        }
        double s = 0;
        for (size_t b = 0; b < BLOCKS; b++)
            s += partial[b];
        double t = now() - t0;
        if (t < best) best = t;
        *result = s;
    }
    return best;
}

/* kp_dsum over 2e7 doubles at workers = 1 and -1: returns 1 if the bits agree. */
static int sum_demo(int all)
{
    enum { N = 20000000 };
    double *x = malloc(N * sizeof *x);
    if (x == NULL) return 0;
    for (size_t i = 0; i < N; i++)
        x[i] = sin((double)i) * 1e-3 + 1.0 / (1.0 + (double)i);
    double s1 = 0, sn = 0, t1 = 1e30, tn = 1e30;
    for (int rep = 0; rep < 5; rep++) {
        double t0 = now();
        kp_dsum(N, x, 1, 1, &s1);
        double t = now() - t0;
        t1 = t < t1 ? t : t1;
        t0 = now();
        kp_dsum(N, x, 1, -1, &sn);
        t = now() - t0;
        tn = t < tn ? t : tn;
    }
    free(x);
    printf("\nkp_dsum of %d doubles (%.0f MB)\n", N, N * 8 / 1e6);
    printf("  workers = 1:  %.2f ms  %.1f GB/s  %.17g\n", 1e3 * t1, N * 8 / t1 / 1e9, s1);
    printf("  workers = -1 (%d threads): %.2f ms  %.1f GB/s  %.17g\n", all, 1e3 * tn,
           N * 8 / tn / 1e9, sn);
    int same = memcmp(&s1, &sn, sizeof s1) == 0;
    printf("  bits identical: %s\n", same ? "yes" : "NO");
    return same;
}

/* kp_dgemm of 2048 x 2048 matrices at workers = 1 and -1: returns 1 if the
 * bits agree. */
static int gemm_demo(int all)
{
    enum { N = 2048 };
    double *a = malloc((size_t)N * N * sizeof *a), *b = malloc((size_t)N * N * sizeof *b);
    double *c1 = malloc((size_t)N * N * sizeof *c1), *cn = malloc((size_t)N * N * sizeof *cn);
    int same = 0;
    if (a && b && c1 && cn) {
        for (size_t i = 0; i < (size_t)N * N; i++) {
            a[i] = sin((double)i);
            b[i] = cos((double)i * 0.5);
        }
        double t1 = 1e30, tn = 1e30;
        for (int rep = 0; rep < 2; rep++) {
            double t0 = now();
            kp_dgemm(KP_ROW_MAJOR, KP_NO_TRANS, KP_NO_TRANS, N, N, N, 1, a, N, b, N, 0, c1, N, 1);
            double t = now() - t0;
            t1 = t < t1 ? t : t1;
            t0 = now();
            kp_dgemm(KP_ROW_MAJOR, KP_NO_TRANS, KP_NO_TRANS, N, N, N, 1, a, N, b, N, 0, cn, N, -1);
            t = now() - t0;
            tn = t < tn ? t : tn;
        }
        double flop = 2.0 * N * N * N;
        kp_gemm_info info;
        if (kp_gemm_info_get(&info) != KP_OK) snprintf(info.engine, sizeof info.engine, "?");
        printf("\nkp_dgemm %d x %d x %d (%s engine, %s kernels, tiles on the pool)\n", N, N, N,
               info.engine, strcmp(info.engine, "native") == 0 ? "kernpool's" : "OpenBLAS's");
        printf("  workers = 1:  %.1f ms  %.1f GFLOP/s\n", 1e3 * t1, flop / t1 / 1e9);
        printf("  workers = -1 (%d threads): %.1f ms  %.1f GFLOP/s\n", all, 1e3 * tn,
               flop / tn / 1e9);
        same = memcmp(c1, cn, (size_t)N * N * sizeof *c1) == 0;
        printf("  bits identical: %s\n", same ? "yes" : "NO");
    }
    free(a);
    free(b);
    free(c1);
    free(cn);
    return same;
}

/* A 2048 x 2048 complex 2-D FFT at workers = 1 and -1, then back: returns
 * 1 if the bits agree. */
static int fft_demo(int all)
{
    enum { N = 2048 };
    const size_t values = 2 * (size_t)N * N;
    double *x = malloc(values * sizeof *x), *y1 = malloc(values * sizeof *y1);
    double *yn = malloc(values * sizeof *yn), *back = malloc(values * sizeof *back);
    kp_fft_plan *fwd = NULL, *bwd = NULL;
    kp_fft_dim dims[2] = {{N, N, N}, {N, 1, 1}};
    int same = 0;
    if (x && y1 && yn && back &&
        kp_fft_plan_make(&fwd, KP_FFT_C2C, KP_FFT_DOUBLE, KP_FFT_FORWARD, KP_FFT_NORM_BACKWARD, 2,
                         dims, 0, NULL) == KP_OK &&
        kp_fft_plan_make(&bwd, KP_FFT_C2C, KP_FFT_DOUBLE, KP_FFT_BACKWARD, KP_FFT_NORM_BACKWARD, 2,
                         dims, 0, NULL) == KP_OK) {
        for (size_t i = 0; i < values; i++)
            x[i] = sin(0.001 * (double)i) + cos((double)(i % 977));
        double t1 = 1e30, tn = 1e30;
        for (int rep = 0; rep < 3; rep++) {
            double t0 = now();
            kp_fft_plan_execute(fwd, x, y1, 1);
            double t = now() - t0;
            t1 = t < t1 ? t : t1;
            t0 = now();
            kp_fft_plan_execute(fwd, x, yn, -1);
            t = now() - t0;
            tn = t < tn ? t : tn;
        }
        kp_fft_plan_execute(bwd, yn, back, -1);
        double err = 0, norm = 0;
        for (size_t i = 0; i < values; i++) {
            err += (back[i] - x[i]) * (back[i] - x[i]);
            norm += x[i] * x[i];
        }
        double flop = 5.0 * N * N * log2((double)N * N); /* benchFFT's nominal count */
        printf("\nkp_fft 2-D complex %d x %d (kernpool's own FFT)\n", N, N);
        printf("  workers = 1:  %.1f ms  %.2f GFLOP/s\n", 1e3 * t1, flop / t1 / 1e9);
        printf("  workers = -1 (%d threads): %.1f ms  %.2f GFLOP/s\n", all, 1e3 * tn,
               flop / tn / 1e9);
        printf("  forward then backward: relative RMS error %.2e\n", sqrt(err / norm));
        same = memcmp(y1, yn, values * sizeof *y1) == 0;
        printf("  bits identical: %s\n", same ? "yes" : "NO");
    }
    kp_fft_plan_destroy(fwd);
    kp_fft_plan_destroy(bwd);
    free(x);
    free(y1);
    free(yn);
    free(back);
    return same;
}

static const char *source_name(kp_source s)
{
    switch (s) {
    case KP_SOURCE_BUILTIN: return "built-in default";
    case KP_SOURCE_ENV: return "environment";
    case KP_SOURCE_DETECTED: return "detected";
    case KP_SOURCE_THREAD: return "kp_set_workers";
    }
    return "?";
}

int main(void)
{
    kp_pool_info info;
    if (kp_pool_info_get(&info) != KP_OK) return 1;
    printf("kernpool %s\n\n", kp_version());
    printf("CPU budget          %d (%s)\n", info.cpu_budget, source_name(info.budget_source));
    printf("  affinity mask     %d CPUs on %d physical cores\n", info.affinity_cpus,
           info.affinity_cores);
    if (info.quota_cpus > 0)
        printf("  cgroup v%d quota   %d CPUs (%s)\n", info.cgroup_version, info.quota_cpus,
               info.quota_file);
    else
        printf("  cgroup quota      none\n");
    if (info.budget_env > 0) printf("  KERNPOOL_CPU_BUDGET=%d\n", info.budget_env);
    printf("default workers     %d (%s)\n", info.default_workers, source_name(info.default_source));
    printf("pool threads        at most %d, besides the caller\n", info.threads_max);
    printf("SIMD kernels        %s (CPU allows %s)\n\n", info.isa_selected, info.isa_supported);

    double *partial = malloc(BLOCKS * sizeof *partial);
    if (partial == NULL) return 1;
    double serial, parallel;
    int all = kp_workers_resolve(-1);
    double t1 = run(1, &serial, partial);
    double tn = run(-1, &parallel, partial);
    printf("integral of sin(x) exp(-x/8) over [0, 64], %d points in %d blocks\n", POINTS, BLOCKS);
    printf("  workers = 1  (1 thread):  %.6f s  result %.17g\n", t1, serial);
    printf("  workers = -1 (%d threads): %.6f s  result %.17g\n", all, tn, parallel);
    printf("  speedup %.2fx; bits identical: %s\n", t1 / tn,
           memcmp(&serial, &parallel, sizeof serial) == 0 ? "yes" : "NO");
    /* integral of sin(x) e^(-ax) over [0, L] = (1 - e^(-aL) (a sin L + cos L)) / (1 + a^2) */
    double a = 1.0 / 8, L = 64;
    double exact = (1 - exp(-a * L) * (a * sin(L) + cos(L))) / (1 + a * a);
    printf("  closed form %.17g, error %.2e\n", exact, fabs(parallel - exact));
    free(partial);
    int same = memcmp(&serial, &parallel, sizeof serial) == 0;
    same &= sum_demo(all);
    same &= gemm_demo(all);
    same &= fft_demo(all);
    kp_pool_info_get(&info);
    printf("pool threads now    %d\n", info.threads_alive);
    return same ? 0 : 1;
}
