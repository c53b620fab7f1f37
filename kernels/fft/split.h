/*
 * Split odd real lines (split.c), for the files compiled once per
 * precision: included after prec.h.
 */
#ifndef KP_FFT_SPLIT_H
#define KP_FFT_SPLIT_H

#include "kernels/fft/fft.h"

/* Work space of a split line: y_1 .. y_p/2 (q each), the real line's half
 * spectrum r0 ((q + 1) / 2), y_0 (q reals), then the sub-lines' space
 * (kp__fft_line_space). */
typedef struct split_space {
    fft_cpx *ym, *r0, *rest;
    fft_real *y0;
} split_space;

static inline split_space split_layout(const kp__fft_line *line, fft_cpx *buf)
{
    const size_t q = line->sub->n, half = (q + 1) / 2;
    split_space sp = {.ym = buf, .r0 = buf + line->split / 2 * q};
    sp.y0 = (fft_real *)(sp.r0 + half);
    sp.rest = sp.r0 + 2 * half;
    return sp;
}

/* r2c and c2r of a split line on one thread, buf holding
 * kp__fft_line_space(line) values. */
void FFT_PREC_FN(kp__fft_split_r2c)(const kp__fft_line *line, const fft_real *x, ptrdiff_t ss,
                                    fft_cpx *y, ptrdiff_t ds, double scale, fft_cpx *buf);
void FFT_PREC_FN(kp__fft_split_c2r)(const kp__fft_line *line, const fft_cpx *x, ptrdiff_t ss,
                                    fft_real *y, ptrdiff_t ds, double scale, fft_cpx *buf);
/* Indices [a, b) of a shared line's KP__FFT_OP_SPLIT_* operation. */
void FFT_PREC_FN(kp__fft_split_run)(const kp__fft_op *op, size_t a, size_t b);

#endif
