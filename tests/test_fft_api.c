/*
 * The FFT's interface: bad input (every error code, nothing written), in
 * place against out of place (FFTW's padded layout for r2c and c2r), one
 * plan run from several threads at once, and the line cache at any size.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernels/fft/fft.h"
#include "kernpool.h"
#include "test_fft_util.h"

/* ------------------------------------------------------------ bad input */

static void test_make_errors(void **state)
{
    (void)state;
    kp_fft_plan *const sentinel = (kp_fft_plan *)(uintptr_t)0x1234, *p = sentinel;
    kp_fft_dim d = {8, 1, 1}, zero = {0, 1, 1}, many[KP_FFT_MAX_DIMS + 1];
    for (size_t i = 0; i <= KP_FFT_MAX_DIMS; i++)
        many[i] = (kp_fft_dim){1, 1, 1};
    const kp_fft_precision dbl = KP_FFT_DOUBLE;
    const int fw = KP_FFT_FORWARD, bw = KP_FFT_BACKWARD;
    const kp_fft_norm nb = KP_FFT_NORM_BACKWARD;
    assert_int_equal(kp_fft_plan_make(NULL, KP_FFT_C2C, dbl, fw, nb, 1, &d, 0, NULL), KP_ENULL);
    assert_int_equal(kp_fft_plan_make(&p, KP_FFT_C2C, dbl, fw, nb, 1, NULL, 0, NULL), KP_ENULL);
    assert_int_equal(kp_fft_plan_make(&p, KP_FFT_C2C, dbl, fw, nb, 1, &d, 1, NULL), KP_ENULL);
    assert_int_equal(kp_fft_plan_make(&p, (kp_fft_kind)3, dbl, fw, nb, 1, &d, 0, NULL), KP_EINVAL);
    assert_int_equal(kp_fft_plan_make(&p, KP_FFT_C2C, (kp_fft_precision)2, fw, nb, 1, &d, 0, NULL),
                     KP_EINVAL);
    assert_int_equal(kp_fft_plan_make(&p, KP_FFT_C2C, dbl, 0, nb, 1, &d, 0, NULL), KP_EINVAL);
    assert_int_equal(kp_fft_plan_make(&p, KP_FFT_C2C, dbl, fw, (kp_fft_norm)3, 1, &d, 0, NULL),
                     KP_EINVAL);
    assert_int_equal(kp_fft_plan_make(&p, KP_FFT_R2C, dbl, bw, nb, 1, &d, 0, NULL), KP_EINVAL);
    assert_int_equal(kp_fft_plan_make(&p, KP_FFT_C2R, dbl, fw, nb, 1, &d, 0, NULL), KP_EINVAL);
    assert_int_equal(kp_fft_plan_make(&p, KP_FFT_C2C, dbl, fw, nb, 0, &d, 0, NULL), KP_EINVAL);
    assert_int_equal(kp_fft_plan_make(&p, KP_FFT_C2C, dbl, fw, nb, 1, many, KP_FFT_MAX_DIMS, many),
                     KP_EINVAL);
    assert_int_equal(kp_fft_plan_make(&p, KP_FFT_C2C, dbl, fw, nb, 1, &zero, 0, NULL), KP_EEMPTY);
    kp_fft_dim flat = {8, 1, 0};
    assert_int_equal(kp_fft_plan_make(&p, KP_FFT_C2C, dbl, fw, nb, 1, &flat, 0, NULL), KP_ESTRIDE);
    kp_fft_dim huge[2] = {{8, 1, 1}, {(size_t)1 << 40, (ptrdiff_t)1 << 40, 8}};
    assert_int_equal(kp_fft_plan_make(&p, KP_FFT_C2C, dbl, fw, nb, 1, huge, 1, huge + 1),
                     KP_EOVERFLOW);
    /* extents that fit in elements but not in bytes, a batch longer than
     * PTRDIFF_MAX, and a stride whose magnitude ptrdiff_t cannot hold */
    const ptrdiff_t big = ((ptrdiff_t)1 << 60) + 8;
    kp_fft_dim bytes_over = {2, big, big}, long_batch = {((size_t)1 << 63) + 1, 1, 1},
               min_stride = {2, PTRDIFF_MIN, 1};
    assert_int_equal(kp_fft_plan_make(&p, KP_FFT_C2C, dbl, fw, nb, 1, &d, 1, &bytes_over),
                     KP_EOVERFLOW);
    assert_int_equal(kp_fft_plan_make(&p, KP_FFT_C2C, dbl, fw, nb, 1, &d, 1, &long_batch),
                     KP_EOVERFLOW);
    assert_int_equal(kp_fft_plan_make(&p, KP_FFT_C2C, dbl, fw, nb, 1, &d, 1, &min_stride),
                     KP_EOVERFLOW);
    /* outputs that share bytes: lines 4 elements apart, 8 long; r2c lines
     * of 5 complex values 4 apart; dimensions that interleave (3 x 3 at
     * strides 2 and 3: distinct offsets, but they do not nest) */
    kp_fft_dim close = {2, 8, 4}, rclose = {3, 8, 4}, il[2] = {{3, 2, 2}, {3, 3, 3}};
    assert_int_equal(kp_fft_plan_make(&p, KP_FFT_C2C, dbl, fw, nb, 1, &d, 1, &close), KP_ESTRIDE);
    assert_int_equal(kp_fft_plan_make(&p, KP_FFT_R2C, dbl, fw, nb, 1, &d, 1, &rclose), KP_ESTRIDE);
    assert_int_equal(kp_fft_plan_make(&p, KP_FFT_C2C, dbl, fw, nb, 1, il, 1, il + 1), KP_ESTRIDE);
    assert_ptr_equal(p, sentinel);
    kp_fft_plan_destroy(NULL); /* a no-op */
}

static void test_execute_errors(void **state)
{
    (void)state;
    kp_fft_dim d = {16, 1, 1};
    kp_fft_plan *p = make(KP_FFT_C2C, KP_FFT_FORWARD, 1, &d, 0, NULL);
    double buf[80], keep[80];
    for (int i = 0; i < 80; i++)
        buf[i] = keep[i] = i;
    assert_int_equal(kp_fft_plan_execute(NULL, buf, buf + 40, 1), KP_ENULL);
    assert_int_equal(kp_fft_plan_execute(p, NULL, buf + 40, 1), KP_ENULL);
    assert_int_equal(kp_fft_plan_execute(p, buf, NULL, 1), KP_ENULL);
    assert_int_equal(kp_fft_plan_execute(p, buf, buf + 2, 1), KP_EOVERLAP); /* shifted */
    assert_int_equal(kp_fft_plan_execute(p, buf + 30, buf, 1), KP_EOVERLAP);
    assert_memory_equal(buf, keep, sizeof buf);
    kp_fft_plan_destroy(p);
    /* in place with different strides */
    kp_fft_dim s = {8, 2, 1};
    p = make(KP_FFT_C2C, KP_FFT_FORWARD, 1, &s, 0, NULL);
    assert_int_equal(kp_fft_plan_execute(p, buf, buf, 1), KP_EOVERLAP);
    assert_memory_equal(buf, keep, sizeof buf);
    kp_fft_plan_destroy(p);
    /* in place r2c whose lines' reals (stride 2) reach into the next line:
     * the complex lines (5 values, 5 apart) nest, the lines do not */
    kp_fft_dim r8 = {8, 2, 1}, rb = {3, 10, 5};
    p = make(KP_FFT_R2C, KP_FFT_FORWARD, 1, &r8, 1, &rb);
    assert_int_equal(kp_fft_plan_execute(p, buf, buf, 1), KP_EOVERLAP);
    assert_memory_equal(buf, keep, sizeof buf);
    kp_fft_plan_destroy(p);
    /* an empty batch has nothing to read or write */
    kp_fft_dim none = {0, 16, 16};
    p = make(KP_FFT_C2C, KP_FFT_FORWARD, 1, &d, 1, &none);
    assert_int_equal(kp_fft_plan_execute(p, NULL, NULL, 2), KP_OK);
    kp_fft_plan_destroy(p);
}

/* Input and output in one buffer, c2c of random nested layouts (up to
 * three dimensions, either stride sign) at random distances, whole or half
 * elements apart: KP_EOVERLAP exactly where an input and an output element
 * share a byte (marked double by double), else the transform of a
 * separate output (in place where they start at the same byte). Their
 * spans overlap in many of the disjoint cases. */
static void test_overlap_exact(void **state)
{
    (void)state;
    int disjoint_within_span = 0;
    for (int trial = 0; trial < 3000; trial++) {
        const size_t nd = 1 + (size_t)((uniform() + 1) * 1.5);
        size_t len[3];
        ptrdiff_t stride[3], lo = 0, hi = 0, reach = 1, order[3] = {0, 1, 2};
        for (size_t d = 0; d < nd; d++)
            len[d] = 1 + (size_t)((uniform() + 1) * 2);
        for (size_t d = nd; d-- > 1;) { /* a random order of nesting */
            size_t e = (size_t)((uniform() + 1) / 2 * (double)(d + 1));
            ptrdiff_t t = order[d];
            order[d] = order[e > d ? d : e];
            order[e > d ? d : e] = t;
        }
        for (size_t k = 0; k < nd; k++) {
            size_t d = (size_t)order[k];
            ptrdiff_t s = reach + (uniform() > 0 ? 1 : 0);
            stride[d] = uniform() > 0 ? s : -s;
            reach += (ptrdiff_t)(len[d] - 1) * s;
            if (stride[d] > 0)
                hi += (ptrdiff_t)(len[d] - 1) * s;
            else
                lo += (ptrdiff_t)(len[d] - 1) * stride[d];
        }
        const ptrdiff_t span = hi - lo + 1, total = 6 * span + 8, in_at = 2 * span + 4 - 2 * lo;
        const ptrdiff_t shift = (ptrdiff_t)(uniform() * (double)(2 * span + 3)),
                        out_at = in_at + shift;
        double *buf = random_doubles((size_t)total), *keep = malloc((size_t)total * sizeof *keep),
               *ref = calloc((size_t)total, sizeof *ref);
        unsigned char *mark = calloc((size_t)total, 1);
        assert_non_null(keep);
        assert_non_null(ref);
        assert_non_null(mark);
        memcpy(keep, buf, (size_t)total * sizeof *buf);
        kp_fft_dim dims[3];
        for (size_t d = 0; d < nd; d++)
            dims[d] = (kp_fft_dim){len[d], stride[d], stride[d]};
        kp_fft_plan *p = make(KP_FFT_C2C, KP_FFT_FORWARD, 1, dims, nd - 1, dims + 1);
        size_t count = len[0] * (nd > 1 ? len[1] : 1) * (nd > 2 ? len[2] : 1);
        ptrdiff_t *at = malloc(count * sizeof *at); /* each element's offset, in doubles */
        assert_non_null(at);
        for (size_t c = 0; c < count; c++) {
            size_t rest = c;
            at[c] = 0;
            for (size_t d = 0; d < nd; d++) {
                at[c] += 2 * (ptrdiff_t)(rest % len[d]) * stride[d];
                rest /= len[d];
            }
            mark[in_at + at[c]] = mark[in_at + at[c] + 1] = 1;
        }
        int shared = 0;
        for (size_t c = 0; c < count; c++)
            shared |= mark[out_at + at[c]] | mark[out_at + at[c] + 1];
        int rc = kp_fft_plan_execute(p, buf + in_at, buf + out_at, 1);
        if (shared && shift != 0) { /* (no shift: in place, allowed) */
            if (rc != KP_EOVERLAP)
                fail_msg("rc %d: nd %zu len %zu %zu %zu stride %td %td %td shift %td", rc, nd,
                         len[0], nd > 1 ? len[1] : 0, nd > 2 ? len[2] : 0, stride[0],
                         nd > 1 ? stride[1] : 0, nd > 2 ? stride[2] : 0, shift);
            assert_memory_equal(buf, keep, (size_t)total * sizeof *buf);
        } else {
            assert_int_equal(rc, KP_OK);
            assert_int_equal(kp_fft_plan_execute(p, keep + in_at, ref + out_at, 1), KP_OK);
            for (size_t c = 0; c < count; c++) {
                assert_memory_equal(&buf[out_at + at[c]], &ref[out_at + at[c]], 2 * sizeof *buf);
                if (shift != 0)
                    assert_memory_equal(&buf[in_at + at[c]], &keep[in_at + at[c]], 2 * sizeof *buf);
            }
            disjoint_within_span += shift > -2 * span && shift < 2 * span;
        }
        kp_fft_plan_destroy(p);
        free(at);
        free(mark);
        free(ref);
        free(keep);
        free(buf);
    }
    assert_true(disjoint_within_span > 100);
}

static void test_fftn_errors(void **state)
{
    (void)state;
    double x[64] = {0}, y[64];
    memset(y, 0x55, sizeof y);
    unsigned char keep[sizeof y];
    memcpy(keep, y, sizeof y);
    size_t shape[2] = {4, 4}, rep[2] = {1, 1}, out_of_range[1] = {2};
    const kp_fft_precision dbl = KP_FFT_DOUBLE;
    const int fw = KP_FFT_FORWARD;
    const kp_fft_norm nb = KP_FFT_NORM_BACKWARD;
    assert_int_equal(kp_fftn(KP_FFT_C2C, dbl, fw, nb, 2, NULL, NULL, NULL, 0, NULL, x, y, 1),
                     KP_ENULL);
    assert_int_equal(kp_fftn(KP_FFT_C2C, dbl, fw, nb, 0, shape, NULL, NULL, 0, NULL, x, y, 1),
                     KP_EINVAL);
    assert_int_equal(kp_fftn(KP_FFT_C2C, dbl, fw, nb, 2, shape, NULL, NULL, 2, rep, x, y, 1),
                     KP_EINVAL);
    assert_int_equal(
        kp_fftn(KP_FFT_C2C, dbl, fw, nb, 2, shape, NULL, NULL, 1, out_of_range, x, y, 1),
        KP_EINVAL);
    assert_int_equal(kp_fftn(KP_FFT_C2C, dbl, fw, nb, 2, shape, NULL, NULL, 0, rep, x, y, 1),
                     KP_EINVAL);
    size_t empty[2] = {4, 0};
    assert_int_equal(kp_fftn(KP_FFT_C2C, dbl, fw, nb, 2, empty, NULL, NULL, 0, NULL, x, y, 1),
                     KP_EEMPTY);
    /* C-contiguous strides past PTRDIFF_MAX, along the axis not transformed */
    size_t vast[2] = {4, (size_t)1 << 62}, axis0[1] = {0};
    assert_int_equal(kp_fftn(KP_FFT_C2C, dbl, fw, nb, 2, vast, NULL, NULL, 1, axis0, x, y, 1),
                     KP_EOVERFLOW);
    assert_memory_equal(y, keep, sizeof y);
}

/* In place equals out of place: c2c, and r2c / c2r in FFTW's padded layout
 * (each real row padded to 2 (n/2 + 1) values). */
static void test_in_place(void **state)
{
    (void)state;
    const size_t n = 36, rows = 5, h = n / 2 + 1;
    double *x = random_doubles(2 * n * rows), *y = malloc(2 * n * rows * sizeof *y);
    assert_non_null(y);
    kp_fft_dim d = {n, 1, 1}, b = {rows, (ptrdiff_t)n, (ptrdiff_t)n};
    kp_fft_plan *p = make(KP_FFT_C2C, KP_FFT_FORWARD, 1, &d, 1, &b);
    assert_int_equal(kp_fft_plan_execute(p, x, y, 2), KP_OK);
    assert_int_equal(kp_fft_plan_execute(p, x, x, 2), KP_OK);
    assert_memory_equal(x, y, 2 * n * rows * sizeof *x);
    kp_fft_plan_destroy(p);

    /* r2c: rows of 2h reals in, h complex out */
    double *pad = random_doubles(2 * h * rows), *cout = malloc(2 * h * rows * sizeof *cout);
    assert_non_null(cout);
    kp_fft_dim rd = {n, 1, 1}, rb = {rows, 2 * (ptrdiff_t)h, (ptrdiff_t)h};
    p = make(KP_FFT_R2C, KP_FFT_FORWARD, 1, &rd, 1, &rb);
    assert_int_equal(kp_fft_plan_execute(p, pad, cout, 1), KP_OK);
    assert_int_equal(kp_fft_plan_execute(p, pad, pad, 1), KP_OK);
    assert_memory_equal(pad, cout, 2 * h * rows * sizeof *pad);
    kp_fft_plan_destroy(p);

    /* c2r back, in place: the real rows land where the complex ones were */
    double *rout = malloc(2 * h * rows * sizeof *rout);
    assert_non_null(rout);
    kp_fft_dim cd = {n, 1, 1}, cb = {rows, (ptrdiff_t)h, 2 * (ptrdiff_t)h};
    p = make(KP_FFT_C2R, KP_FFT_BACKWARD, 1, &cd, 1, &cb);
    memcpy(rout, pad, 2 * h * rows * sizeof *rout);
    double *rref = calloc(2 * h * rows, sizeof *rref);
    assert_non_null(rref);
    assert_int_equal(kp_fft_plan_execute(p, pad, rref, 1), KP_OK);
    assert_int_equal(kp_fft_plan_execute(p, rout, rout, 1), KP_OK);
    for (size_t r = 0; r < rows; r++)
        assert_memory_equal(&rout[r * 2 * h], &rref[r * 2 * h], n * sizeof *rout);
    kp_fft_plan_destroy(p);

    /* in place along a length-1 dimension whose strides differ: they
     * address nothing, so the transform is in place */
    kp_fft_dim one[2] = {{1, 8, 0}, {n, 1, 1}};
    double *z = random_doubles(2 * n);
    p = make(KP_FFT_C2C, KP_FFT_FORWARD, 2, one, 0, NULL);
    assert_int_equal(kp_fft_plan_execute(p, z, y, 1), KP_OK);
    assert_int_equal(kp_fft_plan_execute(p, z, z, 1), KP_OK);
    assert_memory_equal(z, y, 2 * n * sizeof *z);
    kp_fft_plan_destroy(p);
    free(z);
    free(x);
    free(y);
    free(pad);
    free(cout);
    free(rout);
    free(rref);
}

/* ------------------------------------------- one plan, several threads */

typedef struct job {
    const kp_fft_plan *p;
    const double *in;
    double *out;
    int rc;
} job;

static void *run_job(void *arg)
{
    job *j = arg;
    for (int r = 0; r < 20 && j->rc == KP_OK; r++)
        j->rc = kp_fft_plan_execute(j->p, j->in, j->out, r % 2 ? 2 : 1);
    return NULL;
}

static void test_plan_shared_by_threads(void **state)
{
    (void)state;
    const size_t n = 3 * 1009; /* mixed radix and a Bluestein factor */
    kp_fft_dim d = {n, 1, 1};
    kp_fft_plan *p = make(KP_FFT_C2C, KP_FFT_FORWARD, 1, &d, 0, NULL);
    double *x = random_doubles(2 * n), *want = malloc(2 * n * sizeof *want);
    assert_non_null(want);
    assert_int_equal(kp_fft_plan_execute(p, x, want, 1), KP_OK);
    enum { T = 4 };
    pthread_t th[T];
    job jobs[T];
    for (int t = 0; t < T; t++) {
        jobs[t] = (job){p, x, malloc(2 * n * sizeof(double)), KP_OK};
        assert_non_null(jobs[t].out);
        assert_int_equal(pthread_create(&th[t], NULL, run_job, &jobs[t]), 0);
    }
    for (int t = 0; t < T; t++) {
        pthread_join(th[t], NULL);
        assert_int_equal(jobs[t].rc, KP_OK);
        assert_memory_equal(jobs[t].out, want, 2 * n * sizeof(double));
        free(jobs[t].out);
    }
    kp_fft_plan_destroy(p);
    free(x);
    free(want);
}

/* kp_fftn gives the plan's bits with the cache on, off, and tiny. */
static void test_cache_sizes(void **state)
{
    (void)state;
    assert_int_equal(kp_fft_cache_set_size(16), 16); /* the default */
    const size_t lens[] = {1, 7, 64, 1000, 97, 4096, 7, 1000};
    double *x = random_doubles(2 * 4096);
    double *a = malloc(2 * 4096 * sizeof *a), *b = malloc(2 * 4096 * sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    const size_t limits[] = {16, 0, 2, 1};
    for (size_t li = 0; li < 4; li++) {
        kp_fft_cache_set_size(limits[li]);
        for (size_t i = 0; i < sizeof lens / sizeof *lens; i++) {
            kp_fft_dim d = {lens[i], 1, 1};
            kp_fft_plan *p = make(KP_FFT_C2C, KP_FFT_FORWARD, 1, &d, 0, NULL);
            assert_int_equal(kp_fft_plan_execute(p, x, a, 1), KP_OK);
            kp_fft_plan_destroy(p);
            assert_int_equal(kp_fftn(KP_FFT_C2C, KP_FFT_DOUBLE, KP_FFT_FORWARD,
                                     KP_FFT_NORM_BACKWARD, 1, &lens[i], NULL, NULL, 0, NULL, x, b,
                                     2),
                             KP_OK);
            assert_memory_equal(a, b, 2 * lens[i] * sizeof *a);
        }
    }
    assert_int_equal(kp_fft_cache_set_size(16), 1);
    free(x);
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_make_errors),   cmocka_unit_test(test_execute_errors),
        cmocka_unit_test(test_overlap_exact), cmocka_unit_test(test_fftn_errors),
        cmocka_unit_test(test_in_place),      cmocka_unit_test(test_plan_shared_by_threads),
        cmocka_unit_test(test_cache_sizes),
    };
    /* every step that can share its lines shares them, as in
       test_fft_props.c: in place, the threads and the cache run through
       shared lines too */
    kp__fft_share_mode(KP__FFT_SHARE_ALWAYS);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
