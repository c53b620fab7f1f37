/*
 * Plans inside: the shape of a transform, one axis object per transformed
 * dimension, and the executor (exec.c) that kp_fft_plan_execute and kp_fftn
 * share.
 */
#ifndef KP_FFT_PLAN_H
#define KP_FFT_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/fft/fft.h"

/* How an out-of-place execution runs a shape of one short contiguous line
 * straight (exec.c): its line's exec alone (c2c unscaled), kp__fft_c2c,
 * kp__fft_r2c or kp__fft_c2r; NONE for every other shape. */
typedef enum {
    KP__FFT_DIRECT_NONE,
    KP__FFT_DIRECT_EXEC,
    KP__FFT_DIRECT_C2C,
    KP__FFT_DIRECT_R2C,
    KP__FFT_DIRECT_C2R
} kp__fft_direct;

typedef struct kp__fft_plan_shape {
    kp_fft_kind kind;
    int single, fwd;
    size_t rank, ndim; /* dim[0 .. rank) transformed, then the batch */
    kp_fft_dim dim[KP_FFT_MAX_DIMS];
    ptrdiff_t in_lo, in_hi, out_lo, out_hi; /* byte offsets: lowest, one past highest */
    size_t in_es, out_es;                   /* bytes per input and output element */
    double scale;                           /* normalisation, applied by the last step */
    int inplace_ok;                         /* in == out is an in-place transform */
    int empty;                              /* no elements at all */
    kp__fft_direct direct;                  /* NONE until the axes are made (kp__fft_direct_way) */
} kp__fft_plan_shape;

/* The transform along one transformed dimension: its line (a real line for
 * the real axis of r2c and c2r), owned by the plan or borrowed from the
 * cache. */
typedef struct kp__fft_axis {
    kp__fft_line *line;
    int borrowed;
} kp__fft_axis;

struct kp_fft_plan {
    kp__fft_plan_shape shape;
    kp__fft_axis axis[KP_FFT_MAX_DIMS];
    /* The work space of the last execution, kept for the next: one
     * execution at a time takes it (an atomic exchange), others allocate.
     * Its first bytes hold its size. */
    _Atomic(void *) spare;
};

/* Validates and fills *sh (plan.c): the errors of kp_fft_plan_make. */
int kp__fft_plan_init(kp__fft_plan_shape *sh, kp_fft_kind kind, kp_fft_precision precision,
                      int direction, kp_fft_norm norm, size_t rank, const kp_fft_dim *dims,
                      size_t batch_rank, const kp_fft_dim *batch)
    __attribute__((warn_unused_result));

/* Whether arrays in and out of the shape, whose spans meet, share a byte
 * (plan.c): exactly for c2c arrays of equal strides (translates of each
 * other, found by a bounded search), else 1. in != out. */
int kp__fft_overlap_spans_meet(const kp__fft_plan_shape *sh, const void *in, const void *out);

/* Whether arrays in and out of the shape share a byte: the spans here (on
 * every execution's path), the rest out of line. in != out. */
static inline int kp__fft_overlap(const kp__fft_plan_shape *sh, const void *in, const void *out)
{
    const uintptr_t i0 = (uintptr_t)in + (uintptr_t)sh->in_lo,
                    i1 = (uintptr_t)in + (uintptr_t)sh->in_hi;
    const uintptr_t o0 = (uintptr_t)out + (uintptr_t)sh->out_lo,
                    o1 = (uintptr_t)out + (uintptr_t)sh->out_hi;
    return i0 < o1 && o0 < i1 && kp__fft_overlap_spans_meet(sh, in, out);
}

/* Makes (or takes from the cache, cache.c) the line of dimension d. */
int kp__fft_axis_make(const kp__fft_plan_shape *sh, size_t d, kp__fft_axis *ax)
    __attribute__((warn_unused_result));
int kp__fft_axis_borrow(const kp__fft_plan_shape *sh, size_t d, kp__fft_axis *ax)
    __attribute__((warn_unused_result));
void kp__fft_axis_free(kp__fft_axis *ax);

/* The direct way of a shape whose axes are made (exec.c). */
kp__fft_direct kp__fft_direct_way(const kp__fft_plan_shape *sh, const kp__fft_axis *axis);

/* Runs a transform (exec.c): the checks and errors of kp_fft_plan_execute.
 * spare, if not NULL, is a plan's kept work space (taken and given back). */
int kp__fft_execute(const kp__fft_plan_shape *sh, const kp__fft_axis *axis, const void *in,
                    void *out, int workers, _Atomic(void *) *spare)
    __attribute__((warn_unused_result));
void kp__fft_spare_free(_Atomic(void *) *spare);

#endif
