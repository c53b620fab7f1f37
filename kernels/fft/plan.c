/*
 * Plans: validation of a transform's shape and strides, and the public
 * make / execute / destroy. exec.c runs them; cache.c makes their lines.
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

/* Element offsets of the lowest and highest element of an array with these
 * lengths and strides, in units of its elements. 0 if not representable. */
static int extent(size_t nd, const size_t *len, const ptrdiff_t *stride, ptrdiff_t *lo,
                  ptrdiff_t *hi)
{
    ptrdiff_t a = 0, b = 0;
    for (size_t d = 0; d < nd; d++) {
        if (len[d] <= 1) continue;
        ptrdiff_t s = stride[d], m = (ptrdiff_t)(len[d] - 1);
        if (s != 0 && (m > PTRDIFF_MAX / (s < 0 ? -s : s))) return 0;
        ptrdiff_t e = m * s;
        if (e > 0 ? b > PTRDIFF_MAX - e : a < PTRDIFF_MIN - e) return 0;
        if (e > 0)
            b += e;
        else
            a += e;
    }
    *lo = a;
    *hi = b;
    return 1;
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
        is[d] = sh->dim[d].is;
        os[d] = sh->dim[d].os;
        if (os[d] == 0 && out_len[d] > 1) return KP_ESTRIDE;
        size_t most = in_len[d] > out_len[d] ? in_len[d] : out_len[d];
        if (most != 0 && total > SIZE_MAX / most) return KP_EOVERFLOW;
        total *= most;
    }
    if (!extent(sh->ndim, in_len, is, &sh->in_lo, &sh->in_hi) ||
        !extent(sh->ndim, out_len, os, &sh->out_lo, &sh->out_hi))
        return KP_EOVERFLOW;
    sh->empty = total == 0;
    sh->scale = norm_scale(norm, sh->fwd, N);

    /* In place: every line of the output starts where its input line does. */
    const size_t real = sh->single ? sizeof(float) : sizeof(double);
    const size_t in_es = kind == KP_FFT_R2C ? real : 2 * real;
    const size_t out_es = kind == KP_FFT_C2R ? real : 2 * real;
    sh->in_es = in_es;
    sh->out_es = out_es;
    sh->inplace_ok = 1;
    for (size_t d = 0; d < sh->ndim; d++)
        if (kind == KP_FFT_C2C
                ? is[d] != os[d]
                : d != rank - 1 && is[d] * (ptrdiff_t)in_es != os[d] * (ptrdiff_t)out_es)
            sh->inplace_ok = 0;
    return KP_OK;
}

int kp_fft_plan_make(kp_fft_plan **plan, kp_fft_kind kind, kp_fft_precision precision,
                     int direction, kp_fft_norm norm, size_t rank, const kp_fft_dim *dims,
                     size_t batch_rank, const kp_fft_dim *batch)
{
    if (plan == NULL) return KP_ENULL;
    kp_fft_plan *p = calloc(1, sizeof *p);
    if (p == NULL) return KP_ENOMEM;
    int rc = kp__fft_plan_init(&p->shape, kind, precision, direction, norm, rank, dims, batch_rank,
                               batch);
    for (size_t d = 0; rc == KP_OK && d < rank; d++)
        rc = kp__fft_axis_make(&p->shape, d, &p->axis[d]);
    if (rc != KP_OK) {
        kp_fft_plan_destroy(p);
        return rc;
    }
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
