/*
 * FFT properties: the same bits for workers 1, 2, 3 and -1, for strided
 * and negative-stride arrays against contiguous copies, for batches, lanes
 * and columns, and linearity, impulse response and time shift checked
 * without a reference transform. The interface's checks (bad input, in
 * place, several threads, the cache) are in test_fft_api.c.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernels/fft/fft.h"
#include "kernpool.h"
#include "sched/internal.h"
#include "test_fft_util.h"

static const int workers_cycle[] = {1, 2, 3, -1};

/* --------------------------------------------------- the same bits always */

/* Runs the plan at each workers value and checks the outputs are equal. */
static void same_bits(kp_fft_plan *p, const void *in, size_t out_bytes)
{
    void *first = malloc(out_bytes), *out = malloc(out_bytes);
    assert_non_null(first);
    assert_non_null(out);
    assert_int_equal(kp_fft_plan_execute(p, in, first, 1), KP_OK);
    for (int w = 1; w < 4; w++)
        execute_same(p, in, out, first, out_bytes, workers_cycle[w]);
    free(first);
    free(out);
}

/* Sizes large enough that every step is cut into several chunks (a chunk
 * takes at least 32768 points). */
static void test_workers_same_bits(void **state)
{
    (void)state;
    double *x = random_doubles(2 * 2 * 262144); /* the largest input below */
    /* a batch of 64 lines of 4096 */
    kp_fft_dim line = {4096, 1, 1}, batch = {64, 4096, 4096};
    kp_fft_plan *p = make(KP_FFT_C2C, KP_FFT_FORWARD, 1, &line, 1, &batch);
    same_bits(p, x, 64 * 4096 * 16);
    kp_fft_plan_destroy(p);
    /* 2-D, 512 x 256, backward */
    kp_fft_dim two[2] = {{512, 256, 256}, {256, 1, 1}};
    p = make(KP_FFT_C2C, KP_FFT_BACKWARD, 2, two, 0, NULL);
    same_bits(p, x, 512 * 256 * 16);
    kp_fft_plan_destroy(p);
    /* r2c, 90 lines of 1024 */
    kp_fft_dim rline = {1024, 1, 1}, rbatch = {90, 1024, 513};
    p = make(KP_FFT_R2C, KP_FFT_FORWARD, 1, &rline, 1, &rbatch);
    same_bits(p, x, 90 * 513 * 16);
    kp_fft_plan_destroy(p);
    /* fewer long lines than threads, each shared by all of them (the
     * four-step in parts): one line, then two (fewer than 3 threads) */
    kp_fft_dim longl = {262144, 1, 1}, two_lines = {2, 262144, 262144};
    p = make(KP_FFT_C2C, KP_FFT_FORWARD, 1, &longl, 0, NULL);
    same_bits(p, x, 262144 * 16);
    kp_fft_plan_destroy(p);
    p = make(KP_FFT_C2C, KP_FFT_FORWARD, 1, &longl, 1, &two_lines);
    same_bits(p, x, 2 * 262144 * 16);
    kp_fft_plan_destroy(p);
    /* c2r 2-D, 256 x 300 real (256 x 151 complex in) */
    kp_fft_dim c2r[2] = {{256, 151, 300}, {300, 1, 1}};
    p = make(KP_FFT_C2R, KP_FFT_BACKWARD, 2, c2r, 0, NULL);
    same_bits(p, x, 256 * 300 * 8);
    kp_fft_plan_destroy(p);
    free(x);
}

/* One line of n gives the same bits at every workers value: contiguous
 * (the reference, at workers = 1), read at stride 2 and written at stride
 * -1, and in place. cin input elements of ies bytes, cout output elements
 * of oes bytes; ref, strided and out are work buffers (cout oes, 2 cin ies
 * and max(cin ies, cout oes) bytes at least). */
static void same_bits_layouts(kp_fft_kind kind, kp_fft_precision prec, int dir, kp_fft_norm norm,
                              size_t n, const char *in, size_t cin, size_t ies, size_t cout,
                              size_t oes, char *ref, char *strided, char *out)
{
    kp_fft_dim d = {n, 1, 1}, ds = {n, 2, -1};
    kp_fft_plan *p = NULL, *q = NULL;
    assert_int_equal(kp_fft_plan_make(&p, kind, prec, dir, norm, 1, &d, 0, NULL), KP_OK);
    assert_int_equal(kp_fft_plan_make(&q, kind, prec, dir, norm, 1, &ds, 0, NULL), KP_OK);
    assert_int_equal(kp_fft_plan_execute(p, in, ref, 1), KP_OK);
    for (size_t j = 0; j < cin; j++) /* element j at stride 2 */
        memcpy(strided + 2 * j * ies, in + j * ies, ies);
    for (int w = 0; w < 4; w++) {
        const int workers = workers_cycle[w];
        memset(out, 0, cout * oes);
        assert_int_equal(kp_fft_plan_execute(p, in, out, workers), KP_OK);
        assert_memory_equal(out, ref, cout * oes);
        /* element k at out[cout - 1 - k] */
        assert_int_equal(kp_fft_plan_execute(q, strided, out + (cout - 1) * oes, workers), KP_OK);
        for (size_t k = 0; k < cout; k++)
            assert_memory_equal(out + (cout - 1 - k) * oes, ref + k * oes, oes);
        /* in place: the input in a buffer the output fits */
        memcpy(out, in, cin * ies);
        assert_int_equal(kp_fft_plan_execute(p, out, out, workers), KP_OK);
        assert_memory_equal(out, ref, cout * oes);
    }
    kp_fft_plan_destroy(p);
    kp_fft_plan_destroy(q);
}

/* One long mixed-radix line gives the same bits at every workers value and
 * in every layout (contiguous, strided both ways, in place), in both
 * precisions and directions, with and without scaling, for lengths with
 * radices 2, 3, 5, 7, 11 and 13, generic ones (17, 19, 23: 139264 = 2^13
 * 17, 96577 = 13 17 19 23) and odd and even counts of passes. */
static void test_long_line_same_bits(void **state)
{
    (void)state;
    /* ... and 2^17 - 1, a prime: Bluestein over a four-step line of 2^18 */
    static const size_t sizes[] = {16384,  32768,  73216,  59049,  65536,  78125, 96577,
                                   100000, 117649, 131071, 131072, 139264, 229376};
    const size_t most = 229376;
    double *xd = random_doubles(2 * most), *x = malloc(2 * most * sizeof *x);
    double *strided = malloc(2 * 2 * most * sizeof *strided);
    assert_non_null(x);
    double *ref = malloc(2 * most * sizeof *ref), *out = malloc(2 * 2 * most * sizeof *out);
    assert_true(strided && ref && out);
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++)
        for (int single = 0; single < 2; single++)
            for (int dir = -1; dir <= 1; dir += 2) {
                const size_t n = sizes[si], es = single ? 8 : 16;
                const kp_fft_precision prec = single ? KP_FFT_FLOAT : KP_FFT_DOUBLE;
                const kp_fft_norm norm = dir < 0 ? KP_FFT_NORM_BACKWARD : KP_FFT_NORM_ORTHO;
                if (single)
                    for (size_t j = 0; j < 2 * n; j++)
                        ((float *)x)[j] = (float)xd[j];
                else
                    memcpy(x, xd, 2 * n * sizeof *x);
                same_bits_layouts(KP_FFT_C2C, prec, dir, norm, n, (const char *)x, n, es, n, es,
                                  (char *)ref, (char *)strided, (char *)out);
            }
    free(xd);
    free(x);
    free(strided);
    free(ref);
    free(out);
}

/* The four-step's block copies in vector code give the bits of the scalar
 * loops (fft.h), twiddles and scale included: a plan made at the widest
 * instruction set keeps its butterflies, and the copies follow the set
 * selected when it runs. 2^18 is 512 x 512; 3^12 is 729 x 729 and 3^13
 * 729 x 2187 (sides of different lengths), whose sides run in vector lanes
 * wherever the vector copies do (line.c) and in blocks through the scalar
 * copies, with partial last blocks: the lanes give the blocks' bits (with
 * KERNPOOL_ISA=avx2, ctest fft_props_avx2, the AVX2 lanes). 585728 = 2^12
 * 11 13 has sides with passes of 11 and 13. */
static void test_fourstep_copies_bits(void **state)
{
    (void)state;
    static const size_t sizes[] = {262144, 531441, 585728, 1594323};
    const kp__isa best = kp__isa_supported();
    if (best == KP_ISA_PORTABLE) skip();
    const size_t most = 1594323;
    double *x = random_doubles(2 * most);
    char *ref = malloc(2 * most * sizeof(double)), *out = malloc(2 * most * sizeof(double));
    float *xf = malloc(2 * most * sizeof *xf);
    assert_true(ref && out && xf);
    for (size_t j = 0; j < 2 * most; j++)
        xf[j] = (float)x[j];
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++)
        for (int single = 0; single < 2; single++)
            for (int dir = -1; dir <= 1; dir += 2) {
                const size_t n = sizes[si],
                             bytes = 2 * n * (single ? sizeof(float) : sizeof(double));
                const void *in = single ? (const void *)xf : (const void *)x;
                const kp_fft_dim d = {n, 1, 1};
                kp_fft_plan *p = NULL;
                assert_int_equal(kp_fft_plan_make(&p, KP_FFT_C2C,
                                                  single ? KP_FFT_FLOAT : KP_FFT_DOUBLE, dir,
                                                  KP_FFT_NORM_ORTHO, 1, &d, 0, NULL),
                                 KP_OK);
                const kp__isa orig = kp__isa_force(KP_ISA_PORTABLE);
                assert_int_equal(kp_fft_plan_execute(p, in, ref, 1), KP_OK);
                for (int isa = KP_ISA_AVX2; isa <= (int)best; isa++) {
                    kp__isa_force((kp__isa)isa);
                    execute_same(p, in, out, ref, bytes, 1);
                }
                kp__isa_force(orig);
                kp_fft_plan_destroy(p);
            }
    free(x);
    free(xf);
    free(ref);
    free(out);
}

/* One long real line gives the same bits at every workers value and in
 * every layout (contiguous, strided both ways, in place): r2c and c2r over
 * a four-step line or a Bluestein line over one (even n = 2h with h such,
 * and odd n), shared by the threads, and over mixed-radix lines below the
 * four-step's size. */
static void test_long_real_line_same_bits(void **state)
{
    (void)state;
    /* 3^13 (split by 3, shared: its real line of 3^12 shared in turn, and
     * that one's of 3^11 on one part); 2^19, 2^16 7 (a shared mixed-radix
     * line of 2^15 7), 3^10 5; 2 p and p, p = 2^17 - 1 a prime (Bluestein
     * over a four-step line); 2^17, 2^5 5^5, 3^10, 5^7 */
    static const size_t sizes[] = {1594323, 524288, 458752, 295245, 262142,
                                   131071,  131072, 100000, 59049,  78125};
    const size_t most = 1594323, cmost = most / 2 + 1;
    double *xd = random_doubles(2 * cmost);
    char *in = malloc(2 * cmost * 16), *strided = malloc(2 * 2 * cmost * 16);
    char *ref = malloc(2 * cmost * 16), *out = malloc(2 * 2 * cmost * 16);
    assert_true(in && strided && ref && out);
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++)
        for (int single = 0; single < 2; single++)
            for (int c2r = 0; c2r < 2; c2r++)
                for (int ortho = 0; ortho < 2; ortho++) {
                    const size_t n = sizes[si], h = n / 2 + 1, real = single ? 4 : 8;
                    const kp_fft_kind kind = c2r ? KP_FFT_C2R : KP_FFT_R2C;
                    const int dir = c2r ? KP_FFT_BACKWARD : KP_FFT_FORWARD;
                    const kp_fft_precision prec = single ? KP_FFT_FLOAT : KP_FFT_DOUBLE;
                    const kp_fft_norm norm = ortho ? KP_FFT_NORM_ORTHO : KP_FFT_NORM_BACKWARD;
                    /* values in and out: reals or complex, and their bytes */
                    const size_t nin = c2r ? 2 * h : n; /* reals */
                    const size_t ies = c2r ? 2 * real : real, oes = c2r ? real : 2 * real;
                    const size_t cin = c2r ? h : n, cout = c2r ? n : h; /* elements */
                    for (size_t j = 0; j < nin; j++) {
                        if (single)
                            ((float *)in)[j] = (float)xd[j];
                        else
                            ((double *)in)[j] = xd[j];
                    }
                    same_bits_layouts(kind, prec, dir, norm, n, in, cin, ies, cout, oes, ref,
                                      strided, out);
                }
    free(xd);
    free(in);
    free(strided);
    free(ref);
    free(out);
}

/* One short line gives the same bits contiguous (exec.c runs it straight,
 * as the plan chose: kp__fft_direct_way), strided both ways and in place
 * (through the steps), at every workers value: c2c both ways, r2c and c2r,
 * both precisions, with and without scaling, for every length up to 40
 * and a few past where the line's work space outgrows exec.c's stack
 * buffer (8 KiB: 512 double complex values, a line's copy included). */
static void test_short_line_same_bits(void **state)
{
    (void)state;
    enum { MOST = 1024 };
    static const size_t longer[] = {48, 60, 64, 100, 128, 243, 256, 300, 500, 512, 1000, 1024};
    double *xd = random_doubles(2 * MOST);
    char *in = malloc(2 * MOST * 8), *strided = malloc(2 * 2 * MOST * 8);
    char *ref = malloc(2 * MOST * 8), *out = malloc(2 * 2 * MOST * 8);
    assert_true(in && strided && ref && out);
    const size_t count = 40 + sizeof longer / sizeof longer[0];
    for (size_t si = 0; si < count; si++)
        for (int single = 0; single < 2; single++)
            for (int kind = 0; kind < 4; kind++) { /* c2c forward, backward, r2c, c2r */
                const size_t n = si < 40 ? si + 1 : longer[si - 40], h = n / 2 + 1;
                const size_t real = single ? 4 : 8;
                const int c2c = kind < 2, c2r = kind == 3;
                const kp_fft_kind k = c2c ? KP_FFT_C2C : c2r ? KP_FFT_C2R : KP_FFT_R2C;
                const int dir = kind == 1 || c2r ? KP_FFT_BACKWARD : KP_FFT_FORWARD;
                const kp_fft_precision prec = single ? KP_FFT_FLOAT : KP_FFT_DOUBLE;
                const kp_fft_norm norm =
                    (n + (size_t)kind) % 2 ? KP_FFT_NORM_ORTHO : KP_FFT_NORM_BACKWARD;
                /* elements in and out and their bytes */
                const size_t cin = c2c ? n : c2r ? h : n, cout = c2c ? n : c2r ? n : h;
                const size_t ies = c2c || c2r ? 2 * real : real;
                const size_t oes = c2c || !c2r ? 2 * real : real;
                for (size_t j = 0; j < cin * ies / real; j++) {
                    if (single)
                        ((float *)in)[j] = (float)xd[j];
                    else
                        ((double *)in)[j] = xd[j];
                }
                same_bits_layouts(k, prec, dir, norm, n, in, cin, ies, cout, oes, ref, strided,
                                  out);
            }
    free(xd);
    free(in);
    free(strided);
    free(ref);
    free(out);
}

/* A 2-D batch of c2c lines read with strides (-3 along the line, a gap
 * between lines) and written with stride 2 gives the bits of the
 * contiguous transform. */
static void test_strided_same_bits(void **state)
{
    (void)state;
    const size_t n = 105, lines = 6;
    double *x = random_doubles(2 * n * lines);
    double *big = calloc(2 * 3 * n * lines + 64, sizeof *big);
    double *want = malloc(2 * n * lines * sizeof *want), *got = calloc(4 * n * lines, sizeof *got);
    assert_non_null(big);
    assert_non_null(want);
    assert_non_null(got);
    /* element (l, j) of the strided input at base + l * (3n + 1) - 3j */
    const ptrdiff_t line_stride = 3 * (ptrdiff_t)n + 1;
    double *base = big + 2 * (3 * (ptrdiff_t)n);
    for (size_t l = 0; l < lines; l++)
        for (size_t j = 0; j < n; j++) {
            ptrdiff_t at = (ptrdiff_t)l * line_stride - 3 * (ptrdiff_t)j;
            base[2 * at] = x[2 * (l * n + j)];
            base[2 * at + 1] = x[2 * (l * n + j) + 1];
        }
    kp_fft_dim d = {n, 1, 1}, b = {lines, (ptrdiff_t)n, (ptrdiff_t)n};
    kp_fft_plan *p = make(KP_FFT_C2C, KP_FFT_FORWARD, 1, &d, 1, &b);
    assert_int_equal(kp_fft_plan_execute(p, x, want, 1), KP_OK);
    kp_fft_plan_destroy(p);
    kp_fft_dim ds = {n, -3, 2}, bs = {lines, line_stride, 2 * (ptrdiff_t)n};
    p = make(KP_FFT_C2C, KP_FFT_FORWARD, 1, &ds, 1, &bs);
    assert_int_equal(kp_fft_plan_execute(p, base, got, 2), KP_OK);
    kp_fft_plan_destroy(p);
    for (size_t l = 0; l < lines; l++)
        for (size_t k = 0; k < n; k++) {
            assert_memory_equal(&got[2 * (l * 2 * n + 2 * k)], &want[2 * (l * n + k)],
                                2 * sizeof(double));
        }
    free(x);
    free(big);
    free(want);
    free(got);
}

/* Batches of short lines (line.c runs them in vector lanes): each line
 * gets the same bits whatever lines are beside it, whatever the layout and
 * the workers. Plans of count lines of n with the ortho norm (every output
 * scaled). */
static kp_fft_plan *batch_plan(kp_fft_kind kind, kp_fft_precision prec, int dir, size_t n,
                               ptrdiff_t is, ptrdiff_t os, size_t count, ptrdiff_t idist,
                               ptrdiff_t odist)
{
    kp_fft_plan *p = NULL;
    kp_fft_dim d = {n, is, os}, b = {count, idist, odist};
    assert_int_equal(kp_fft_plan_make(&p, kind, prec, dir, KP_FFT_NORM_ORTHO, 1, &d, 1, &b), KP_OK);
    return p;
}

/* Columns of a row-major array (lines side by side, gathered and scattered
 * several at a time: 8 or 16 by the block copies where the CPU has them,
 * or in vector lanes, one load a value, for short lines) give the bits of
 * the same lines stored as rows (one line at a time, or in lanes through
 * transposes), whichever side is columns (output columns of a wider
 * array too), at every workers value; c2c, r2c and c2r, scaled (ortho),
 * both ways, double and float, lengths with a masked tail of rows (97) and
 * without, odd and even, in lanes (8, 12, 32, real 64 and 128: in
 * registers) or not, count lines (37: whole blocks or groups of lanes and
 * a rest); c2c columns in place too. */
static void columns_case(kp_fft_kind kind, size_t n, kp_fft_precision prec, int dir, size_t lines)
{
    const size_t es = prec == KP_FFT_FLOAT ? 2 * sizeof(float) : 2 * sizeof(double);
    /* values of a line and their size, in and out */
    const size_t half = n / 2 + 1;
    const size_t nin = kind == KP_FFT_C2R ? half : n, ies = kind == KP_FFT_R2C ? es / 2 : es;
    const size_t nout = kind == KP_FFT_R2C ? half : n, oes = kind == KP_FFT_C2R ? es / 2 : es;
    const ptrdiff_t L = (ptrdiff_t)lines;
    double *r = random_doubles(2 * n * lines);
    char *rows = malloc(nin * lines * ies), *cols = malloc(nin * lines * ies);
    char *want = malloc(nout * lines * oes), *got = malloc(nout * (lines + 3) * oes);
    assert_non_null(rows);
    assert_non_null(cols);
    assert_non_null(want);
    assert_non_null(got);
    const size_t per = ies / (prec == KP_FFT_FLOAT ? sizeof(float) : sizeof(double));
    for (size_t l = 0; l < lines; l++)
        for (size_t j = 0; j < nin; j++)
            for (size_t h = 0; h < per; h++) {
                const double v = r[2 * (l * n + j) + h];
                const size_t at = per * (l * nin + j) + h, ct = per * (j * lines + l) + h;
                if (prec == KP_FFT_FLOAT) {
                    ((float *)rows)[at] = (float)v;
                    ((float *)cols)[ct] = (float)v;
                } else {
                    ((double *)rows)[at] = v;
                    ((double *)cols)[ct] = v;
                }
            }
    /* (stride, line distance) of the input and of the output */
    const ptrdiff_t in_rows[2] = {1, (ptrdiff_t)nin}, out_rows[2] = {1, (ptrdiff_t)nout};
    const ptrdiff_t as_cols[2] = {L, 1}, wider[2] = {L + 3, 1}; /* rows of L + 3 */
    const ptrdiff_t *layouts[5][2] = {{in_rows, out_rows},
                                      {as_cols, out_rows},
                                      {in_rows, as_cols},
                                      {as_cols, as_cols},
                                      {as_cols, wider}};
    for (int k = 0; k < 5; k++) {
        const ptrdiff_t *in = layouts[k][0], *out = layouts[k][1];
        kp_fft_plan *p = batch_plan(kind, prec, dir, n, in[0], out[0], lines, in[1], out[1]);
        /* the lines cut into chunks, and groups, by workers; then c2c
           columns in place at each workers value */
        for (int w = 0; w < 8; w++) {
            if (w >= 4 && !(kind == KP_FFT_C2C && k == 3)) break;
            memset(got, 0, nout * (lines + 3) * oes);
            if (w >= 4) {
                memcpy(got, cols, nin * lines * ies);
                assert_int_equal(kp_fft_plan_execute(p, got, got, workers_cycle[w - 4]), KP_OK);
            } else {
                assert_int_equal(
                    kp_fft_plan_execute(p, in == in_rows ? rows : cols, got, workers_cycle[w]),
                    KP_OK);
            }
            if (k == 0 && w == 0) {
                memcpy(want, got, nout * lines * oes);
                continue;
            }
            for (size_t l = 0; l < lines; l++)
                for (size_t f = 0; f < nout; f++) {
                    const ptrdiff_t at = (ptrdiff_t)f * out[0] + (ptrdiff_t)l * out[1];
                    assert_memory_equal(got + at * (ptrdiff_t)oes, want + (l * nout + f) * oes,
                                        oes);
                }
        }
        kp_fft_plan_destroy(p);
    }
    free(r);
    free(rows);
    free(cols);
    free(want);
    free(got);
}

/* Real lines in lanes use kp__fft_lanes_space complex elements of work
 * space and not a byte more, wherever it starts (8-byte steps from a
 * 64-byte boundary: the lanes align their buffers to 64 bytes inside it):
 * r2c written at a stride and c2r of lengths whose complex line goes
 * through the buffers (18, 20, 96, 192, 240), and the register shapes (4,
 * 16); float and double, 9 lines. The 64 bytes after the space keep their
 * values. */
static void test_real_lanes_space(void **state)
{
    (void)state;
    static const size_t sizes[] = {4, 16, 18, 20, 96, 192, 240};
    enum { LINES = 9, GUARD = 64 };
    double *r = random_doubles(LINES * 2 * 256);
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
        for (int single = 0; single < 2; single++) {
            const size_t n = sizes[i], h = n / 2, real = single ? sizeof(float) : sizeof(double);
            kp__fft_line *line = NULL;
            assert_int_equal(kp__fft_real_line_make(n, single, &line), KP_OK);
            if (!kp__fft_lanes_ok(line, KP_FFT_R2C)) {
                kp__fft_line_destroy(line);
                continue;
            }
            const size_t space = kp__fft_lanes_space(line) * 2 * real;
            /* real lines of n, then their spectra of h + 1 two apart */
            char *x = malloc(LINES * n * real), *y = calloc(LINES * 2 * (h + 1), 2 * real);
            char *work = aligned_alloc(64, (space + 64 + GUARD + 63) / 64 * 64);
            assert_true(x && y && work);
            for (size_t j = 0; j < LINES * n; j++) {
                if (single)
                    ((float *)x)[j] = (float)r[j];
                else
                    ((double *)x)[j] = r[j];
            }
            for (size_t off = 0; off < 64; off += 8) {
                char *buf = work + off;
                memset(buf + space, 0xa5, GUARD);
                const ptrdiff_t N = (ptrdiff_t)n, H = (ptrdiff_t)(h + 1);
                if (single) {
                    kp__fft_r2c_lanes_s(line, x, 1, N, y, 2, 4 * H, LINES, 1.0, buf);
                    kp__fft_c2r_lanes_s(line, y, 2, 4 * H, x, 1, N, LINES, 1.0, buf);
                } else {
                    kp__fft_r2c_lanes_d(line, x, 1, N, y, 2, 4 * H, LINES, 1.0, buf);
                    kp__fft_c2r_lanes_d(line, y, 2, 4 * H, x, 1, N, LINES, 1.0, buf);
                }
                for (size_t g = 0; g < GUARD; g++)
                    assert_int_equal((unsigned char)buf[space + g], 0xa5);
            }
            free(x);
            free(y);
            free(work);
            kp__fft_line_destroy(line);
        }
    free(r);
}

static void test_columns_same_bits(void **state)
{
    (void)state;
    static const size_t sizes[] = {2, 8, 12, 26, 32, 64, 97, 100, 128, 2048};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
        for (int prec = 0; prec < 2; prec++) {
            const kp_fft_precision pr = prec ? KP_FFT_FLOAT : KP_FFT_DOUBLE;
            columns_case(KP_FFT_C2C, sizes[i], pr, KP_FFT_FORWARD, 37);
            columns_case(KP_FFT_C2C, sizes[i], pr, KP_FFT_BACKWARD, 37);
            columns_case(KP_FFT_R2C, sizes[i], pr, KP_FFT_FORWARD, 37);
            columns_case(KP_FFT_C2R, sizes[i], pr, KP_FFT_BACKWARD, 37);
        }
}

/* Columns of long lines: groups of 16 and one more, with the lines'
 * shared work space after the group's values; c2c 2^16 (a blocked line
 * with the vector passes) and real lines of 2^17 (their complex line of
 * 2^16 blocked), double and float. 17 lines make a full group at one
 * worker; 33 (double c2c) at two as well, chunks of 16 and 17 lines. */
static void test_long_columns_same_bits(void **state)
{
    (void)state;
    for (int prec = 0; prec < 2; prec++) {
        const kp_fft_precision pr = prec ? KP_FFT_FLOAT : KP_FFT_DOUBLE;
        columns_case(KP_FFT_C2C, 65536, pr, KP_FFT_FORWARD, prec ? 17 : 33);
        columns_case(KP_FFT_R2C, 131072, pr, KP_FFT_FORWARD, 17);
        columns_case(KP_FFT_C2R, 131072, pr, KP_FFT_BACKWARD, 17);
    }
}

/* c2c of 13 lines of n at x (contiguous), in the precision, one way. */

static void batch_bits(size_t n, kp_fft_precision prec, int dir)
{
    const size_t es = prec == KP_FFT_FLOAT ? 2 * sizeof(float) : 2 * sizeof(double);
    const size_t lines = 13, many = 3 * 32768 / n + 7; /* several chunks of 32768 points */
    const ptrdiff_t N = (ptrdiff_t)n;
    double *r = random_doubles(2 * n * many);
    char *x = malloc(n * many * es), *ref = malloc(n * many * es), *got = malloc(n * many * es);
    char *big = calloc((size_t)(3 * N) * lines + 4, es);
    assert_non_null(x);
    assert_non_null(ref);
    assert_non_null(got);
    assert_non_null(big);
    for (size_t i = 0; i < 2 * n * many; i++) {
        if (prec == KP_FFT_FLOAT)
            ((float *)x)[i] = (float)r[i];
        else
            ((double *)x)[i] = r[i];
    }
    kp_fft_plan *p = batch_plan(KP_FFT_C2C, prec, dir, n, 1, 1, lines, N, N);
    assert_int_equal(kp_fft_plan_execute(p, x, ref, 1), KP_OK);
    kp_fft_plan_destroy(p);
    /* lines 0 .. 4 and 5 .. 12 as batches of their own */
    p = batch_plan(KP_FFT_C2C, prec, dir, n, 1, 1, 5, N, N);
    assert_int_equal(kp_fft_plan_execute(p, x, got, 1), KP_OK);
    kp_fft_plan_destroy(p);
    p = batch_plan(KP_FFT_C2C, prec, dir, n, 1, 1, 8, N, N);
    assert_int_equal(kp_fft_plan_execute(p, x + 5 * n * es, got + 5 * n * es, 1), KP_OK);
    assert_memory_equal(got, ref, lines * n * es);
    /* in place */
    memcpy(got, x + 5 * n * es, 8 * n * es);
    assert_int_equal(kp_fft_plan_execute(p, got, got, 1), KP_OK);
    assert_memory_equal(got, ref + 5 * n * es, 8 * n * es);
    kp_fft_plan_destroy(p);
    /* read at stride -2 (lines 2n + 1 apart), written at stride 3 (lines 3n
       apart): element j of line l at in[l (2n + 1) - 2j] */
    char *in = big + (size_t)(2 * (N - 1)) * es;
    for (size_t l = 0; l < lines; l++)
        for (size_t j = 0; j < n; j++)
            memcpy(in + ((ptrdiff_t)l * (2 * N + 1) - 2 * (ptrdiff_t)j) * (ptrdiff_t)es,
                   x + (l * n + j) * es, es);
    p = batch_plan(KP_FFT_C2C, prec, dir, n, -2, 3, lines, 2 * N + 1, 3 * N);
    assert_int_equal(kp_fft_plan_execute(p, in, got, 2), KP_OK);
    kp_fft_plan_destroy(p);
    for (size_t l = 0; l < lines; l++)
        for (size_t k = 0; k < n; k++)
            assert_memory_equal(got + (l * 3 * n + 3 * k) * es, ref + (l * n + k) * es, es);
    /* every workers value, the lines cut into chunks */
    p = batch_plan(KP_FFT_C2C, prec, dir, n, 1, 1, many, N, N);
    same_bits(p, x, many * n * es);
    kp_fft_plan_destroy(p);
    free(r);
    free(x);
    free(ref);
    free(got);
    free(big);
}

static void test_batch_same_bits(void **state)
{
    (void)state;
    /* one pass (2, 5, 8, 11), two (12 = 4 3, 25, 26 = 2 13; 16 = 4 4, 32 =
       4 8 and 64 = 8 8 wholly in registers where contiguous; 128 in lanes
       in float, but one at a time as 8 16 with AVX-512), three (48 = 4 4
       3, 60 = 2 3 10, 66 = 2 3 11: through the lanes' buffers where the
       lanes take them, 66 in float with AVX-512 only) */
    static const size_t sizes[] = {2, 5, 8, 11, 12, 16, 25, 26, 32, 48, 60, 64, 66, 128};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
        for (int prec = 0; prec < 2; prec++) {
            batch_bits(sizes[i], prec ? KP_FFT_FLOAT : KP_FFT_DOUBLE, KP_FFT_FORWARD);
            batch_bits(sizes[i], prec ? KP_FFT_FLOAT : KP_FFT_DOUBLE, KP_FFT_BACKWARD);
        }
}

/* The same for real lines (even ones run their complex lines of n/2 in
 * lanes, odd ones their complex lines of n):
 * r2c of a batch of 13 real lines of n, then c2r of its spectra, against
 * batches of their first 5 and last 8, strided (the real side at stride 3
 * or 2 with lines an odd number of reals apart), in place in FFTW's padded
 * layout, and every workers value over enough lines for several chunks. */
/* Element (l, j) of `lines` lines, each `len` elements of es bytes, from
 * contiguous lines to lines `dist` elements apart at stride `stride`, or
 * back (to_strided 0). */
static void restride(char *strided, ptrdiff_t stride, ptrdiff_t dist, char *packed, size_t lines,
                     size_t len, size_t es, int to_strided)
{
    for (size_t l = 0; l < lines; l++)
        for (size_t j = 0; j < len; j++) {
            char *a = strided + ((ptrdiff_t)l * dist + (ptrdiff_t)j * stride) * (ptrdiff_t)es;
            char *b = packed + (l * len + j) * es;
            memcpy(to_strided ? a : b, to_strided ? b : a, es);
        }
}

static void real_batch_bits(size_t n, kp_fft_precision prec)
{
    const size_t rs = prec == KP_FFT_FLOAT ? sizeof(float) : sizeof(double), cs = 2 * rs;
    const size_t h = n / 2 + 1, lines = 13, many = 3 * 32768 / n + 7;
    const ptrdiff_t N = (ptrdiff_t)n, H = (ptrdiff_t)h;
    double *r = random_doubles(n * many);
    char *x = malloc(n * many * rs), *spec = malloc(h * many * cs), *back = malloc(n * many * rs);
    char *got = malloc(h * many * cs), *big = calloc(4 * h * lines + 4 * n * lines + 8, cs);
    assert_true(x && spec && back && got && big);
    for (size_t i = 0; i < n * many; i++) {
        if (prec == KP_FFT_FLOAT)
            ((float *)x)[i] = (float)r[i];
        else
            ((double *)x)[i] = r[i];
    }
    for (int kind = KP_FFT_R2C; kind <= KP_FFT_C2R; kind++) {
        const int r2c = kind == KP_FFT_R2C, dir = r2c ? KP_FFT_FORWARD : KP_FFT_BACKWARD;
        const char *in = r2c ? x : spec;
        char *ref = r2c ? spec : back;
        const size_t il = r2c ? n : h, ol = r2c ? h : n; /* elements a line */
        const size_t ies = r2c ? rs : cs, oes = r2c ? cs : rs;
        kp_fft_plan *p = batch_plan(kind, prec, dir, n, 1, 1, lines, (ptrdiff_t)il, (ptrdiff_t)ol);
        assert_int_equal(kp_fft_plan_execute(p, in, ref, 1), KP_OK);
        kp_fft_plan_destroy(p);
        /* lines 0 .. 4 and 5 .. 12 as batches of their own */
        p = batch_plan(kind, prec, dir, n, 1, 1, 5, (ptrdiff_t)il, (ptrdiff_t)ol);
        assert_int_equal(kp_fft_plan_execute(p, in, got, 1), KP_OK);
        kp_fft_plan_destroy(p);
        p = batch_plan(kind, prec, dir, n, 1, 1, 8, (ptrdiff_t)il, (ptrdiff_t)ol);
        assert_int_equal(kp_fft_plan_execute(p, in + 5 * il * ies, got + 5 * ol * oes, 1), KP_OK);
        kp_fft_plan_destroy(p);
        assert_memory_equal(got, ref, lines * ol * oes);
        /* strided: the real side at stride 3 (r2c in) or 2 (c2r out), lines
           3n + 1 or 2n + 1 reals apart; the complex side at stride 2 (r2c
           out) or 3 (c2r in), lines 2h + 1 or 3h + 1 apart */
        const ptrdiff_t is = 3, os = 2;
        const ptrdiff_t idist = r2c ? 3 * N + 1 : 3 * H + 1, odist = r2c ? 2 * H + 1 : 2 * N + 1;
        char *sin = big, *sout = big + (size_t)(idist * (ptrdiff_t)lines) * ies;
        restride(sin, is, idist, (char *)in, lines, il, ies, 1);
        p = batch_plan(kind, prec, dir, n, is, os, lines, idist, odist);
        assert_int_equal(kp_fft_plan_execute(p, sin, sout, 2), KP_OK);
        kp_fft_plan_destroy(p);
        restride(sout, os, odist, got, lines, ol, oes, 0);
        assert_memory_equal(got, ref, lines * ol * oes);
        /* in place, each line in 2h reals (h complex values) */
        restride(big, 1, r2c ? 2 * H : H, (char *)in, lines, il, ies, 1);
        p = batch_plan(kind, prec, dir, n, 1, 1, lines, r2c ? 2 * H : H, r2c ? H : 2 * H);
        assert_int_equal(kp_fft_plan_execute(p, big, big, 1), KP_OK);
        kp_fft_plan_destroy(p);
        restride(big, 1, r2c ? H : 2 * H, got, lines, ol, oes, 0);
        assert_memory_equal(got, ref, lines * ol * oes);
    }
    /* every workers value: r2c of many lines, then c2r of their spectra */
    kp_fft_plan *p = batch_plan(KP_FFT_R2C, prec, KP_FFT_FORWARD, n, 1, 1, many, N, H);
    same_bits(p, x, many * h * cs);
    assert_int_equal(kp_fft_plan_execute(p, x, spec, 1), KP_OK);
    kp_fft_plan_destroy(p);
    p = batch_plan(KP_FFT_C2R, prec, KP_FFT_BACKWARD, n, 1, 1, many, H, N);
    same_bits(p, spec, many * n * rs);
    kp_fft_plan_destroy(p);
    free(r);
    free(x);
    free(spec);
    free(back);
    free(got);
    free(big);
}

static void test_real_batch_same_bits(void **state)
{
    (void)state;
    /* even (complex lines of 2, 4, 6, 8, 11, 13, 16, 30, 32, 50 in lanes
       where the lanes take them) and odd (complex lines of 3, 5, 7, 9, 15,
       21, 25 and 33 alike: one pass or two) */
    static const size_t sizes[] = {3,  4,  5,  7,  8,  9,  12, 15, 16,
                                   21, 22, 25, 26, 32, 33, 60, 64, 100};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        real_batch_bits(sizes[i], KP_FFT_DOUBLE);
        real_batch_bits(sizes[i], KP_FFT_FLOAT);
    }
}

/* r2c and c2r of even and odd lengths read with stride 3 and written with
 * stride -2 give the bits of the contiguous transforms (the real pre- and
 * post-passes take one path for every stride; 1005, 875 and 1001 are odd
 * lines split by 3, 5 and 7). */
static void test_real_strided_same_bits(void **state)
{
    (void)state;
    const size_t sizes[] = {30, 1024, 1005, 875, 1001};
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
        const size_t n = sizes[si], h = n / 2 + 1;
        double *x = random_doubles(2 * n), *want = malloc(2 * h * sizeof *want);
        double *big = calloc(3 * 2 * n + 2, sizeof *big), *got = calloc(4 * h + 2, sizeof *got);
        assert_true(want && big && got);
        for (size_t j = 0; j < n; j++)
            big[3 * j] = x[j];
        kp_fft_dim d = {n, 1, 1}, ds = {n, 3, -2};
        kp_fft_plan *p = make(KP_FFT_R2C, KP_FFT_FORWARD, 1, &d, 0, NULL);
        assert_int_equal(kp_fft_plan_execute(p, x, want, 1), KP_OK);
        kp_fft_plan_destroy(p);
        double *gbase = got + 2 * 2 * (h - 1); /* element k at gbase - 2k complex */
        p = make(KP_FFT_R2C, KP_FFT_FORWARD, 1, &ds, 0, NULL);
        assert_int_equal(kp_fft_plan_execute(p, big, gbase, 1), KP_OK);
        kp_fft_plan_destroy(p);
        for (size_t k = 0; k < h; k++)
            assert_memory_equal(gbase - 4 * (ptrdiff_t)k, want + 2 * k, 2 * sizeof(double));

        /* c2r of want: contiguous, then from stride 3 to stride -2 */
        double *cin = calloc(3 * 2 * h + 2, sizeof *cin), *back = malloc(n * sizeof *back);
        double *rout = calloc(2 * n + 2, sizeof *rout);
        assert_true(cin && back && rout);
        for (size_t k = 0; k < h; k++) {
            cin[6 * k] = want[2 * k];
            cin[6 * k + 1] = want[2 * k + 1];
        }
        p = make(KP_FFT_C2R, KP_FFT_BACKWARD, 1, &d, 0, NULL);
        assert_int_equal(kp_fft_plan_execute(p, want, back, 1), KP_OK);
        kp_fft_plan_destroy(p);
        double *rbase = rout + 2 * (n - 1);
        p = make(KP_FFT_C2R, KP_FFT_BACKWARD, 1, &ds, 0, NULL);
        assert_int_equal(kp_fft_plan_execute(p, cin, rbase, 1), KP_OK);
        kp_fft_plan_destroy(p);
        for (size_t j = 0; j < n; j++)
            assert_memory_equal(rbase - 2 * (ptrdiff_t)j, back + j, sizeof(double));
        free(x);
        free(want);
        free(big);
        free(got);
        free(cin);
        free(back);
        free(rout);
    }
}

/* ------------------------------------------ properties without reference */

static double rel_rms(size_t m, const double *got, const double *want)
{
    double num = 0, den = 0;
    for (size_t i = 0; i < 2 * m; i++) {
        num += (got[i] - want[i]) * (got[i] - want[i]);
        den += want[i] * want[i];
    }
    return sqrt(num / den);
}

static void transform(size_t n, const double *x, double *y)
{
    assert_int_equal(kp_fftn(KP_FFT_C2C, KP_FFT_DOUBLE, KP_FFT_FORWARD, KP_FFT_NORM_BACKWARD, 1, &n,
                             NULL, NULL, 0, NULL, x, y, 1),
                     KP_OK);
}

static void test_linearity_impulse_shift(void **state)
{
    (void)state;
    const size_t sizes[] = {16, 45, 97, 210, 1024, 2017};
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
        const size_t n = sizes[si];
        const double bound = 4 * 0x1.0p-53 * log2((double)n);
        double *x = random_doubles(2 * n), *y = random_doubles(2 * n);
        double *z = malloc(2 * n * sizeof *z), *X = malloc(2 * n * sizeof *X);
        double *Y = malloc(2 * n * sizeof *Y), *Z = malloc(2 * n * sizeof *Z);
        double *want = malloc(2 * n * sizeof *want);
        assert_true(z && X && Y && Z && want);
        /* linearity: F(a x + b y) = a F(x) + b F(y) */
        const double a = 0.75, b = -1.5;
        for (size_t i = 0; i < 2 * n; i++)
            z[i] = a * x[i] + b * y[i];
        transform(n, x, X);
        transform(n, y, Y);
        transform(n, z, Z);
        for (size_t i = 0; i < 2 * n; i++)
            want[i] = a * X[i] + b * Y[i];
        assert_true(rel_rms(n, Z, want) <= bound);
        /* impulse at t: X_k = exp(-2 pi i k t / n), the angle reduced exactly */
        const size_t t = n / 3 + 1;
        memset(z, 0, 2 * n * sizeof *z);
        z[2 * t] = 1;
        transform(n, z, Z);
        for (size_t k = 0; k < n; k++) {
            long double ang = -6.283185307179586476925286766559005768L *
                              (long double)((k * t) % n) / (long double)n;
            want[2 * k] = (double)cosl(ang);
            want[2 * k + 1] = (double)sinl(ang);
        }
        assert_true(rel_rms(n, Z, want) <= bound);
        /* time shift by s: X_k exp(-2 pi i k s / n) */
        const size_t s = 5 % n;
        for (size_t j = 0; j < n; j++) {
            z[2 * ((j + s) % n)] = x[2 * j];
            z[2 * ((j + s) % n) + 1] = x[2 * j + 1];
        }
        transform(n, z, Z);
        for (size_t k = 0; k < n; k++) {
            long double ang = -6.283185307179586476925286766559005768L *
                              (long double)((k * s) % n) / (long double)n;
            long double c = cosl(ang), sn = sinl(ang);
            want[2 * k] = (double)(X[2 * k] * c - X[2 * k + 1] * sn);
            want[2 * k + 1] = (double)(X[2 * k] * sn + X[2 * k + 1] * c);
        }
        assert_true(rel_rms(n, Z, want) <= bound);
        free(x);
        free(y);
        free(z);
        free(X);
        free(Y);
        free(Z);
        free(want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_workers_same_bits),
        cmocka_unit_test(test_long_line_same_bits),
        cmocka_unit_test(test_long_real_line_same_bits),
        cmocka_unit_test(test_fourstep_copies_bits),
        cmocka_unit_test(test_short_line_same_bits),
        cmocka_unit_test(test_strided_same_bits),
        cmocka_unit_test(test_columns_same_bits),
        cmocka_unit_test(test_long_columns_same_bits),
        cmocka_unit_test(test_real_lanes_space),
        cmocka_unit_test(test_batch_same_bits),
        cmocka_unit_test(test_real_batch_same_bits),
        cmocka_unit_test(test_real_strided_same_bits),
        cmocka_unit_test(test_linearity_impulse_shift),
    };
    /* every step that can share its lines shares them, as it would where
       that is measured faster, so that the tests above cover the parts */
    kp__fft_share_mode(KP__FFT_SHARE_ALWAYS);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
