/*
 * kernpool's FFT against numpy.fft at test time: fftn / ifftn, rfftn and
 * irfftn (odd and even real lengths) over chosen axes, in every norm, in
 * double and float. tests/fft_oracle.py computes numpy's answers from the
 * same input files; each kp_fftn call runs with a different workers value.
 *
 * numpy computes in double, so the bound is ours plus numpy's:
 * C_BOUND (eps + 2**-53) log2 N in relative RMS error, N the number of
 * points transformed per transform (test_fft_accuracy.c explains C_BOUND).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kernpool.h"
#include "testutil.h"

#ifndef KP_FFT_ORACLE
#error "KP_FFT_ORACLE must name tests/fft_oracle.py"
#endif

#define C_BOUND 1.0
#define MAXD    4

typedef struct fcase {
    const char *kind; /* fft, ifft, rfft, irfft */
    kp_fft_precision prec;
    kp_fft_norm norm;
    size_t ndim, shape[MAXD];
    size_t naxes, axes[MAXD];
} fcase;

#define D KP_FFT_DOUBLE
#define F KP_FFT_FLOAT
#define B KP_FFT_NORM_BACKWARD
#define O KP_FFT_NORM_ORTHO
#define W KP_FFT_NORM_FORWARD

static const fcase cases[] = {
    /* 1-D complex: sizes of each kind, both ways, every norm */
    {"fft", D, B, 1, {1}, 1, {0}},
    {"fft", D, O, 1, {2}, 1, {0}},
    {"ifft", D, W, 1, {7}, 1, {0}},
    {"fft", D, B, 1, {12}, 1, {0}},
    {"ifft", D, B, 1, {17}, 1, {0}},
    {"fft", D, W, 1, {60}, 1, {0}},
    {"ifft", D, O, 1, {97}, 1, {0}},
    {"fft", D, B, 1, {128}, 1, {0}},
    {"fft", D, O, 1, {1000}, 1, {0}},
    {"ifft", D, B, 1, {1009}, 1, {0}},
    {"fft", D, B, 1, {4096}, 1, {0}},
    /* powers of two with passes of their own (line.c's pow2_radices): a
     * radix-16 last pass, radix-4 first passes */
    {"ifft", D, O, 1, {2048}, 1, {0}},
    {"fft", D, B, 1, {8192}, 1, {0}},
    {"ifft", D, W, 1, {16384}, 1, {0}},
    {"fft", D, B, 1, {32768}, 1, {0}},
    {"fft", F, B, 1, {128}, 1, {0}},
    {"ifft", F, O, 1, {32768}, 1, {0}},
    /* long lines of radices 2, 4, 8 run blocked (line.c) with vector passes:
     * float 2^16 and float r2c of 2^17 (a complex line of 2^16); double 2^17
     * runs at 3 workers here (workers_cycle), its blocks shared by the
     * threads: the same parts */
    {"fft", F, B, 1, {65536}, 1, {0}},
    {"ifft", D, O, 1, {131072}, 1, {0}},
    {"rfft", F, O, 1, {131072}, 1, {0}},
    {"fft", D, B, 1, {65537}, 1, {0}},
    {"fft", F, B, 1, {1000}, 1, {0}},
    {"ifft", F, O, 1, {243}, 1, {0}},
    /* float through each AVX-512 pass (ido >= 2, the last pass's rows by
     * transposes and by permutes, full and masked), 64 points in registers
     * and the four-step's blocks */
    {"fft", F, B, 1, {64}, 1, {0}},
    {"ifft", F, B, 1, {105}, 1, {0}},
    {"fft", F, W, 1, {4096}, 1, {0}},
    {"ifft", F, B, 1, {6561}, 1, {0}},
    {"fft", F, B, 1, {5 * 7 * 8 * 8 * 3}, 1, {0}},
    {"fft", F, B, 1, {262144}, 1, {0}},
    {"ifft", F, O, 1, {1 << 20}, 1, {0}},
    {"ifft", F, B, 1, {390625}, 1, {0}},
    /* 1-D real, odd and even */
    {"rfft", D, B, 1, {1}, 1, {0}},
    {"rfft", D, B, 1, {2}, 1, {0}},
    {"rfft", D, O, 1, {9}, 1, {0}},
    {"rfft", D, W, 1, {10}, 1, {0}},
    {"rfft", D, B, 1, {97}, 1, {0}},
    {"rfft", D, B, 1, {1024}, 1, {0}},
    {"rfft", F, B, 1, {1001}, 1, {0}},
    {"rfft", F, B, 1, {4096}, 1, {0}},
    {"rfft", F, O, 1, {1 << 19}, 1, {0}},
    {"irfft", D, B, 1, {1}, 1, {0}},
    {"irfft", D, B, 1, {2}, 1, {0}},
    {"irfft", D, O, 1, {9}, 1, {0}},
    {"irfft", D, W, 1, {10}, 1, {0}},
    {"irfft", D, B, 1, {97}, 1, {0}},
    {"irfft", D, B, 1, {1024}, 1, {0}},
    {"irfft", F, O, 1, {1001}, 1, {0}},
    {"irfft", F, B, 1, {4094}, 1, {0}},
    {"irfft", F, W, 1, {1 << 19}, 1, {0}},
    /* batches: a transformed axis among others */
    {"fft", D, B, 2, {7, 12}, 1, {1}},
    {"fft", D, B, 2, {12, 7}, 1, {0}},
    {"rfft", D, O, 2, {5, 16}, 1, {1}},
    {"irfft", D, B, 2, {16, 5}, 1, {0}},
    /* odd real lines in vector lanes, scaled: side by side and as columns */
    {"rfft", D, O, 2, {5, 9}, 1, {1}},
    {"rfft", F, W, 2, {15, 7}, 1, {0}},
    {"irfft", D, B, 2, {5, 9}, 1, {1}},
    {"irfft", F, O, 2, {9, 5}, 1, {0}},
    /* real lines of two points, several at once: side by side and as columns */
    {"rfft", D, O, 2, {7, 2}, 1, {1}},
    {"rfft", F, B, 2, {2, 9}, 1, {0}},
    {"irfft", D, W, 2, {2, 7}, 1, {0}},
    {"irfft", F, B, 2, {9, 2}, 1, {1}},
    /* n-D over chosen axes, in the order given */
    {"fft", D, B, 3, {3, 5, 8}, 2, {0, 2}},
    {"ifft", D, O, 3, {3, 5, 8}, 2, {2, 0}},
    {"fft", D, W, 2, {4, 6}, 2, {0, 1}},
    {"fft", F, B, 4, {2, 3, 4, 5}, 3, {3, 1, 0}},
    {"rfft", D, B, 2, {6, 10}, 2, {0, 1}},
    {"rfft", D, O, 3, {3, 5, 8}, 2, {2, 0}},
    {"rfft", F, B, 3, {4, 7, 6}, 3, {0, 1, 2}},
    {"irfft", D, B, 2, {6, 10}, 2, {0, 1}},
    {"irfft", D, W, 3, {3, 5, 9}, 2, {0, 2}},
    {"irfft", D, B, 3, {4, 7, 5}, 2, {2, 1}},
    {"irfft", F, O, 2, {8, 9}, 2, {1, 0}},
};
#define NCASE (sizeof cases / sizeof cases[0])

static const int workers_cycle[] = {1, 2, 3, -1};

static char dir[] = "/tmp/kp_fft_numpy_XXXXXX";
static void *inputs[NCASE];
static void *answers[NCASE];

static const char *norm_name(kp_fft_norm n)
{
    return n == KP_FFT_NORM_ORTHO ? "ortho" : n == KP_FFT_NORM_FORWARD ? "forward" : "backward";
}

static int is_real_in(const fcase *c)
{
    return strcmp(c->kind, "rfft") == 0;
}
static int is_real_out(const fcase *c)
{
    return strcmp(c->kind, "irfft") == 0;
}

/* Elements (real or complex as the side holds) of the input and output. */
static size_t count(const fcase *c, int output)
{
    int halved = output ? strcmp(c->kind, "rfft") == 0 : strcmp(c->kind, "irfft") == 0;
    size_t total = 1;
    for (size_t d = 0; d < c->ndim; d++) {
        size_t n = c->shape[d];
        total *= (halved && d == c->axes[c->naxes - 1]) ? n / 2 + 1 : n;
    }
    return total;
}

static size_t real_es(const fcase *c)
{
    return c->prec == KP_FFT_FLOAT ? sizeof(float) : sizeof(double);
}

static void path_of(char *p, size_t cap, size_t i, const char *what)
{
    snprintf(p, cap, "%s/%s%zu.bin", dir, what, i);
}

static uint64_t seed = 0x2545F4914F6CDD1Du;
static double uniform(void)
{
    return kp_test_uniform(&seed);
}

static int setup(void **state)
{
    (void)state;
    if (mkdtemp(dir) == NULL) return -1;
    char manifest[256], pin[256], pout[256];
    snprintf(manifest, sizeof manifest, "%s/manifest", dir);
    FILE *m = fopen(manifest, "w");
    if (m == NULL) return -1;
    for (size_t i = 0; i < NCASE; i++) {
        const fcase *c = &cases[i];
        size_t values = count(c, 0) * (is_real_in(c) ? 1 : 2);
        inputs[i] = malloc(values * real_es(c) + 1);
        if (inputs[i] == NULL) return -1;
        for (size_t k = 0; k < values; k++) {
            if (c->prec == KP_FFT_FLOAT)
                ((float *)inputs[i])[k] = (float)uniform();
            else
                ((double *)inputs[i])[k] = uniform();
        }
        path_of(pin, sizeof pin, i, "in");
        path_of(pout, sizeof pout, i, "out");
        FILE *f = fopen(pin, "wb");
        if (f == NULL || fwrite(inputs[i], real_es(c), values, f) != values) return -1;
        fclose(f);
        fprintf(m, "%s|%s|%s|%s|%s|", pin, pout, c->kind,
                c->prec == KP_FFT_FLOAT ? "float32" : "float64", norm_name(c->norm));
        for (size_t d = 0; d < c->ndim; d++)
            fprintf(m, "%s%zu", d ? "," : "", c->shape[d]);
        fprintf(m, "|");
        for (size_t d = 0; d < c->naxes; d++)
            fprintf(m, "%s%zu", d ? "," : "", c->axes[d]);
        fprintf(m, "\n");
    }
    if (fclose(m) != 0) return -1;
    if (kp_test_run_python(KP_FFT_ORACLE, manifest) != 0) return -1;
    for (size_t i = 0; i < NCASE; i++) {
        const fcase *c = &cases[i];
        size_t values = count(c, 1) * (is_real_out(c) ? 1 : 2);
        answers[i] = malloc(values * sizeof(double) + 1);
        path_of(pout, sizeof pout, i, "out");
        FILE *f = fopen(pout, "rb");
        if (answers[i] == NULL || f == NULL) return -1;
        size_t got = fread(answers[i], sizeof(double), values, f);
        fclose(f);
        if (got != values) return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char p[256];
    for (size_t i = 0; i < NCASE; i++) {
        free(inputs[i]);
        free(answers[i]);
        path_of(p, sizeof p, i, "in");
        unlink(p);
        path_of(p, sizeof p, i, "out");
        unlink(p);
    }
    snprintf(p, sizeof p, "%s/manifest", dir);
    unlink(p);
    rmdir(dir);
    return 0;
}

static void test_against_numpy(void **state)
{
    (void)state;
    for (size_t i = 0; i < NCASE; i++) {
        const fcase *c = &cases[i];
        kp_fft_kind kind = is_real_in(c) ? KP_FFT_R2C : is_real_out(c) ? KP_FFT_C2R : KP_FFT_C2C;
        int direction =
            strcmp(c->kind, "fft") == 0 || is_real_in(c) ? KP_FFT_FORWARD : KP_FFT_BACKWARD;
        size_t values = count(c, 1) * (is_real_out(c) ? 1 : 2);
        void *out = malloc(values * real_es(c) + 1);
        assert_non_null(out);
        int workers = workers_cycle[i % 4];
        assert_int_equal(kp_fftn(kind, c->prec, direction, c->norm, c->ndim, c->shape, NULL, NULL,
                                 c->naxes, c->axes, inputs[i], out, workers),
                         KP_OK);
        long double num = 0, den = 0;
        const double *want = answers[i];
        for (size_t k = 0; k < values; k++) {
            long double g = c->prec == KP_FFT_FLOAT ? ((float *)out)[k] : ((double *)out)[k];
            num += (g - want[k]) * (g - want[k]);
            den += (long double)want[k] * want[k];
        }
        double err = den > 0 ? (double)sqrtl(num / den) : (double)sqrtl(num);
        double points = 1;
        for (size_t d = 0; d < c->naxes; d++)
            points *= (double)c->shape[c->axes[d]];
        double eps = c->prec == KP_FFT_FLOAT ? 0x1.0p-24 : 0x1.0p-53;
        double bound = C_BOUND * (eps + 0x1.0p-53) * (points > 2 ? log2(points) : 1.0);
        if (!(err <= bound)) {
            fprintf(stderr, "case %zu (%s, %zu-D, workers %d): error %.3g above %.3g\n", i, c->kind,
                    c->ndim, workers, err, bound);
            fail();
        }
        free(out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_against_numpy)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
