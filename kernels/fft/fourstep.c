/*
 * Long lines by the four-step algorithm (Bailey, "FFTs in external or
 * hierarchical memory", J. Supercomputing 4, 1990), once per precision
 * (this file for double, fourstep_s.c for float).
 *
 * n = n1 n2, x_j with j = n2 j1 + j2, X_k with k = k1 + n1 k2:
 *   X_{k1 + n1 k2} = sum_j2 w_n^(j2 k1) w_n2^(j2 k2) sum_j1 x_{n2 j1 + j2} w_n1^(j1 k1)
 * 1. the n2 columns j2 (stride n2) transformed by the line of n1, each
 *    value times w_n^(j2 k1), stored row by row: T[k1 n2 + j2];
 * 2. the n1 rows k1 of T transformed by the line of n2, value k2 stored at
 *    X_{k1 + n1 k2}.
 * Columns and rows go BLOCK at a time, so every read and write of x, T and
 * X moves BLOCK contiguous values: two passes over memory instead of one
 * per radix, and sub-lines that fit a cache.
 */
#ifndef KP_FFT_SINGLE
#define KP_FFT_SINGLE 0
#endif

#include <stddef.h>

#include "kernels/fft/fft.h"
#include "kernels/fft/prec.h"

/* Columns or rows per block: 128 bytes of each row read or written. */
#define BLOCK (128 / sizeof(fft_cpx))

/* Step 1 for columns [c0, c1): from src (stride ss) into T. work: BLOCK
 * buffers of max(n1, n2), then the sub-lines' work space. */
void FFT_FN(kp__fft_fourstep_cols)(const kp__fft_line *line, int fwd, const void *src, ptrdiff_t ss,
                                   void *t_, size_t c0, size_t c1, void *work)
{
    const kp__fft_line *l1 = line->col, *l2 = line->row;
    const size_t n1 = l1->n, n2 = l2->n, len = n1 > n2 ? n1 : n2;
    const fft_cpx *x = src;
    fft_cpx *t = t_, *buf = work, *sub = buf + BLOCK * len;
    const fft_cpx *w = line->tw; /* w[j2 n1 + k1] = w_n^(j2 k1) */
    for (size_t b = c0; b < c1; b += BLOCK) {
        const size_t cols = c1 - b < BLOCK ? c1 - b : BLOCK;
        for (size_t j1 = 0; j1 < n1; j1++) {
            const fft_cpx *row = x + (ptrdiff_t)(n2 * j1 + b) * ss;
            for (size_t c = 0; c < cols; c++)
                buf[c * len + j1] = row[(ptrdiff_t)c * ss];
        }
        for (size_t c = 0; c < cols; c++) {
            fft_cpx *col = buf + c * len;
            l1->exec(l1, fwd, col, col, sub);
            const fft_cpx *wc = w + (b + c) * n1;
            for (size_t k1 = 1; k1 < n1; k1++)
                col[k1] = ctw(col[k1], wc[k1], fwd);
        }
        for (size_t k1 = 0; k1 < n1; k1++)
            for (size_t c = 0; c < cols; c++)
                t[k1 * n2 + b + c] = buf[c * len + k1];
    }
}

/* Step 2 for rows [r0, r1): in place in T, then to dst (stride ds) times
 * scale. work: the sub-line's work space. */
void FFT_FN(kp__fft_fourstep_rows)(const kp__fft_line *line, int fwd, void *t_, void *dst,
                                   ptrdiff_t ds, double scale, size_t r0, size_t r1, void *work)
{
    const kp__fft_line *l1 = line->col, *l2 = line->row;
    const size_t n1 = l1->n, n2 = l2->n;
    fft_cpx *t = t_, *y = dst;
    const fft_real s = (fft_real)scale;
    for (size_t b = r0; b < r1; b += BLOCK) {
        const size_t rows = r1 - b < BLOCK ? r1 - b : BLOCK;
        for (size_t r = 0; r < rows; r++)
            l2->exec(l2, fwd, t + (b + r) * n2, t + (b + r) * n2, work);
        for (size_t k2 = 0; k2 < n2; k2++) {
            fft_cpx *out = y + (ptrdiff_t)(b + n1 * k2) * ds;
            for (size_t r = 0; r < rows; r++) {
                fft_cpx v = t[(b + r) * n2 + k2];
                out[(ptrdiff_t)r * ds] = scale == 1.0 ? v : (fft_cpx){s * v.re, s * v.im};
            }
        }
    }
}

/* The whole line on one thread; src is read whole before dst is written, so
 * they may be the same line. work: n for T, then what the steps need. */
void FFT_FN(kp__fft_fourstep)(const kp__fft_line *line, int fwd, const void *src, ptrdiff_t ss,
                              void *dst, ptrdiff_t ds, double scale, void *work)
{
    fft_cpx *t = work, *rest = t + line->n;
    FFT_FN(kp__fft_fourstep_cols)(line, fwd, src, ss, t, 0, line->row->n, rest);
    FFT_FN(kp__fft_fourstep_rows)(line, fwd, t, dst, ds, scale, 0, line->col->n, rest);
}

void FFT_FN(kp__fft_fourstep_exec)(const kp__fft_line *line, int fwd, const void *src, void *dst,
                                   void *work)
{
    FFT_FN(kp__fft_fourstep)(line, fwd, src, 1, dst, 1, 1.0, work);
}
