/*
 * Plans: validation of a transform's shape and strides (and of the arrays
 * an execution names: kp__fft_overlap_spans_meet), and the public make /
 * execute / destroy. exec.c runs them; cache.c makes their lines.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/fft/fft.h"
#include "kernels/fft/plan.h"

/* ---------------------------------------------------------------- making */

static int valid_enums(kp_fft_kind kind, kp_fft_precision precision, int direction,
                       kp_fft_norm norm)
{
    if (kind != KP_FFT_C2C && kind != KP_FFT_R2C && kind != KP_FFT_C2R) return 0;
    if (precision != KP_FFT_DOUBLE && precision != KP_FFT_FLOAT) return 0;
    if (norm != KP_FFT_NORM_BACKWARD && norm != KP_FFT_NORM_ORTHO && norm != KP_FFT_NORM_FORWARD)
        return 0;
    if (direction != KP_FFT_FORWARD && direction != KP_FFT_BACKWARD) return 0;
    if (kind == KP_FFT_R2C && direction != KP_FFT_FORWARD) return 0;
    if (kind == KP_FFT_C2R && direction != KP_FFT_BACKWARD) return 0;
    return 1;
}

/* |stride| * es, the byte distance along a dimension; 0 if it is not
 * representable in ptrdiff_t. */
static ptrdiff_t byte_step(ptrdiff_t stride, size_t es)
{
    if (stride == PTRDIFF_MIN) return 0;
    const ptrdiff_t s = stride < 0 ? -stride : stride;
    return s > PTRDIFF_MAX / (ptrdiff_t)es ? 0 : s * (ptrdiff_t)es;
}

/* Byte offsets from the base of the lowest byte and one past the highest
 * byte of an array of es-byte elements with these lengths and strides (in
 * elements); 0 if any offset of it is not representable in ptrdiff_t.
 * Dimensions of length 0 or 1 take no room. */
static int extent(size_t nd, const size_t *len, const ptrdiff_t *stride, size_t es, ptrdiff_t *lo,
                  ptrdiff_t *hi)
{
    ptrdiff_t a = 0, b = (ptrdiff_t)es;
    for (size_t d = 0; d < nd; d++) {
        if (len[d] <= 1 || stride[d] == 0) continue;
        const ptrdiff_t step = byte_step(stride[d], es);
        if (step == 0 || len[d] - 1 > (size_t)(PTRDIFF_MAX / step)) return 0;
        const ptrdiff_t e = (ptrdiff_t)(len[d] - 1) * step;
        if (stride[d] > 0 ? b > PTRDIFF_MAX - e : a < -PTRDIFF_MAX + e) return 0;
        if (stride[d] > 0)
            b += e;
        else
            a -= e;
    }
    *lo = a;
    *hi = b;
    return 1;
}

/* The dimensions of length > 1, by increasing step: writes their indices
 * to order[] and returns their count. */
static size_t by_step(size_t nd, const size_t *len, const ptrdiff_t *step, size_t *order)
{
    size_t count = 0;
    for (size_t d = 0; d < nd; d++) {
        if (len[d] <= 1) continue;
        size_t at = count++;
        for (; at > 0 && step[order[at - 1]] > step[d]; at--)
            order[at] = order[at - 1];
        order[at] = d;
    }
    return count;
}

/* Whether blocks of `size` bytes, one at each byte offset sum_d i_d
 * step_d (0 <= i_d < len_d), are pairwise disjoint, by a sufficient test:
 * the dimensions nest. Taken by increasing step, each step is at least
 * `size` plus the extent of the dimensions before it, as in every array
 * numpy makes; interleaved dimensions that might not collide fail it. The
 * extents fit in ptrdiff_t (extent() said so). */
static int nests(size_t nd, const size_t *len, const ptrdiff_t *step, ptrdiff_t size)
{
    size_t order[KP_FFT_MAX_DIMS];
    const size_t count = by_step(nd, len, step, order);
    ptrdiff_t reach = size; /* extent of the dimensions taken, plus size */
    for (size_t k = 0; k < count; k++) {
        const size_t d = order[k];
        const ptrdiff_t e = (ptrdiff_t)(len[d] - 1) * step[d];
        if (step[d] < reach || reach > PTRDIFF_MAX - e) return 0;
        reach += e;
    }
    return 1;
}

/* Whether in == out is an in-place transform: every output line starts
 * where its input line does (c2c: the same strides; r2c and c2r: the same
 * byte distances between lines, as FFTW's padded in-place layout), and for
 * r2c and c2r no line's reals and complex values together reach into
 * another line (the lines nest). */
static int inplace_ok(const kp__fft_plan_shape *sh, const size_t *in_len, const size_t *out_len)
{
    const size_t r = sh->rank - 1;
    for (size_t d = 0; d < sh->ndim; d++) {
        const ptrdiff_t is = sh->dim[d].is, os = sh->dim[d].os; /* extent() bounds the products */
        if (sh->kind == KP_FFT_C2C
                ? is != os
                : d != r && is * (ptrdiff_t)sh->in_es != os * (ptrdiff_t)sh->out_es)
            return 0;
    }
    if (sh->kind == KP_FFT_C2C) return 1;
    ptrdiff_t ilo, ihi, olo, ohi, step[KP_FFT_MAX_DIMS];
    size_t len[KP_FFT_MAX_DIMS];
    (void)extent(1, &in_len[r], &sh->dim[r].is, sh->in_es, &ilo, &ihi);
    (void)extent(1, &out_len[r], &sh->dim[r].os, sh->out_es, &olo, &ohi);
    const ptrdiff_t lo = ilo < olo ? ilo : olo, hi = ihi > ohi ? ihi : ohi;
    if (hi > PTRDIFF_MAX + lo) return 0; /* lo <= 0 < hi */
    for (size_t d = 0; d < sh->ndim; d++) {
        len[d] = d == r ? 1 : in_len[d];
        step[d] = byte_step(sh->dim[d].is, sh->in_es);
    }
    return nests(sh->ndim, len, step, hi - lo);
}

/* The search of translate_hits: the dimensions of length > 1 by increasing
 * step, reach[k] = es + the extent of dimensions 0 .. k-1, and a bound on
 * the branches it may take. */
typedef struct translate {
    size_t len[KP_FFT_MAX_DIMS];
    ptrdiff_t step[KP_FFT_MAX_DIMS], reach[KP_FFT_MAX_DIMS + 1];
    int budget;
} translate;

/* Whether r = sum_{i < k} c_i step_i + e for some |c_i| < len_i and
 * |e| < es. The dimensions nest (the output's did, and c2c's input has its
 * strides), so each level leaves at most two values of c_k whose remainder
 * the smaller ones can still reach. Out of budget it says yes. */
static int translate_hits(translate *t, size_t k, ptrdiff_t r)
{
    if (k == 0) return r > -t->reach[0] && r < t->reach[0];
    if (--t->budget < 0) return 1;
    const ptrdiff_t s = t->step[k - 1], reach = t->reach[k - 1],
                    most = (ptrdiff_t)t->len[k - 1] - 1;
    /* c with |r - c s| < reach: from floor((r - reach) / s) + 1 up */
    ptrdiff_t c = (r - reach) / s - ((r - reach) % s < 0) + 1;
    for (; c <= most && c * s < r + reach; c++)
        if (c >= -most && translate_hits(t, k - 1, r - c * s)) return 1;
    return 0;
}

int kp__fft_overlap_spans_meet(const kp__fft_plan_shape *sh, const void *in, const void *out)
{
    if (sh->kind != KP_FFT_C2C) return 1;
    size_t len[KP_FFT_MAX_DIMS], order[KP_FFT_MAX_DIMS];
    ptrdiff_t step[KP_FFT_MAX_DIMS];
    for (size_t d = 0; d < sh->ndim; d++) {
        if (sh->dim[d].is != sh->dim[d].os) return 1;
        len[d] = sh->dim[d].n;
        step[d] = byte_step(sh->dim[d].os, sh->out_es); /* plan_init bounded it */
    }
    translate t = {.budget = 4096};
    const size_t count = by_step(sh->ndim, len, step, order);
    t.reach[0] = (ptrdiff_t)sh->out_es;
    for (size_t k = 0; k < count; k++) {
        t.len[k] = len[order[k]];
        t.step[k] = step[order[k]];
        t.reach[k + 1] = t.reach[k] + (ptrdiff_t)(t.len[k] - 1) * t.step[k];
    }
    /* the spans overlap, so |d| is below their lengths: no overflow */
    return translate_hits(&t, count, (ptrdiff_t)((uintptr_t)out - (uintptr_t)in));
}

/* The normalisation factor: 1/N, 1/sqrt(N) or 1, rounded once. */
static double norm_scale(kp_fft_norm norm, int fwd, long double N)
{
    if (norm == KP_FFT_NORM_ORTHO) return (double)(1.0L / sqrtl(N));
    if ((norm == KP_FFT_NORM_BACKWARD) == !fwd) return (double)(1.0L / N);
    return 1.0;
}

int kp__fft_plan_init(kp__fft_plan_shape *sh, kp_fft_kind kind, kp_fft_precision precision,
                      int direction, kp_fft_norm norm, size_t rank, const kp_fft_dim *dims,
                      size_t batch_rank, const kp_fft_dim *batch)
{
    if ((rank > 0 && dims == NULL) || (batch_rank > 0 && batch == NULL)) return KP_ENULL;
    if (!valid_enums(kind, precision, direction, norm)) return KP_EINVAL;
    if (rank == 0 || rank > KP_FFT_MAX_DIMS || batch_rank > KP_FFT_MAX_DIMS - rank)
        return KP_EINVAL;
    memset(sh, 0, sizeof *sh);
    sh->kind = kind;
    sh->single = precision == KP_FFT_FLOAT;
    sh->fwd = direction == KP_FFT_FORWARD;
    sh->rank = rank;
    sh->ndim = rank + batch_rank;
    long double N = 1;
    for (size_t d = 0; d < sh->ndim; d++) {
        const kp_fft_dim *x = d < rank ? &dims[d] : &batch[d - rank];
        if (d < rank && x->n == 0) return KP_EEMPTY;
        sh->dim[d] = *x;
        if (d < rank) N *= (long double)x->n;
    }
    /* element counts along each dimension of the input and output arrays */
    size_t in_len[KP_FFT_MAX_DIMS], out_len[KP_FFT_MAX_DIMS];
    ptrdiff_t is[KP_FFT_MAX_DIMS], os[KP_FFT_MAX_DIMS];
    size_t total = 1;
    for (size_t d = 0; d < sh->ndim; d++) {
        size_t n = sh->dim[d].n, half = n / 2 + 1;
        in_len[d] = (d == rank - 1 && kind == KP_FFT_C2R) ? half : n;
        out_len[d] = (d == rank - 1 && kind == KP_FFT_R2C) ? half : n;
        /* a stride along a length of 0 or 1 addresses nothing: 0, so that
         * no check below and no product in exec.c involves it */
        if (in_len[d] <= 1) sh->dim[d].is = 0;
        if (out_len[d] <= 1) sh->dim[d].os = 0;
        is[d] = sh->dim[d].is;
        os[d] = sh->dim[d].os;
        if (os[d] == 0 && out_len[d] > 1) return KP_ESTRIDE;
        size_t most = in_len[d] > out_len[d] ? in_len[d] : out_len[d];
        if (most != 0 && total > SIZE_MAX / most) return KP_EOVERFLOW;
        total *= most;
    }
    const size_t real = sh->single ? sizeof(float) : sizeof(double);
    const size_t in_es = kind == KP_FFT_R2C ? real : 2 * real;
    const size_t out_es = kind == KP_FFT_C2R ? real : 2 * real;
    sh->in_es = in_es;
    sh->out_es = out_es;
    if (!extent(sh->ndim, in_len, is, in_es, &sh->in_lo, &sh->in_hi) ||
        !extent(sh->ndim, out_len, os, out_es, &sh->out_lo, &sh->out_hi))
        return KP_EOVERFLOW;
    /* Every output element has bytes of its own (else threads would race
     * on them): the output's dimensions nest. */
    ptrdiff_t step[KP_FFT_MAX_DIMS];
    for (size_t d = 0; d < sh->ndim; d++)
        step[d] = byte_step(os[d], out_es);
    if (!nests(sh->ndim, out_len, step, (ptrdiff_t)out_es)) return KP_ESTRIDE;
    sh->empty = total == 0;
    sh->scale = norm_scale(norm, sh->fwd, N);
    sh->inplace_ok = inplace_ok(sh, in_len, out_len);
    sh->direct = KP__FFT_DIRECT_NONE; /* until the axes are made */
    return KP_OK;
}

int kp_fft_plan_make(kp_fft_plan **plan, kp_fft_kind kind, kp_fft_precision precision,
                     int direction, kp_fft_norm norm, size_t rank, const kp_fft_dim *dims,
                     size_t batch_rank, const kp_fft_dim *batch)
{
    if (plan == NULL) return KP_ENULL;
    kp__fft_plan_shape shape;
    int rc =
        kp__fft_plan_init(&shape, kind, precision, direction, norm, rank, dims, batch_rank, batch);
    if (rc != KP_OK) return rc; /* bad arguments first, whatever memory is left */
    kp_fft_plan *p = calloc(1, sizeof *p);
    if (p == NULL) return KP_ENOMEM;
    p->shape = shape;
    for (size_t d = 0; rc == KP_OK && d < rank; d++)
        rc = kp__fft_axis_make(&p->shape, d, &p->axis[d]);
    if (rc != KP_OK) {
        kp_fft_plan_destroy(p);
        return rc;
    }
    p->shape.direct = kp__fft_direct_way(&p->shape, p->axis);
    *plan = p;
    return KP_OK;
}

void kp_fft_plan_destroy(kp_fft_plan *plan)
{
    if (plan == NULL) return;
    for (size_t d = 0; d < plan->shape.rank; d++)
        kp__fft_axis_free(&plan->axis[d]);
    kp__fft_spare_free(&plan->spare);
    free(plan);
}

int kp_fft_plan_execute(const kp_fft_plan *plan, const void *in, void *out, int workers)
{
    if (plan == NULL) return KP_ENULL;
    /* the spare is internal state, safe to update from any thread */
    return kp__fft_execute(&plan->shape, plan->axis, in, out, workers,
                           (_Atomic(void *) *)&plan->spare);
}
