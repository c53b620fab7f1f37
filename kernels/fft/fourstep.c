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
 * Columns go BLOCK at a time and rows a multiple of BLOCK at a time (fft.h:
 * kp__fft_fourstep_rows_width), so every read and write of x, T and X
 * moves at least BLOCK contiguous values: two passes over memory instead of
 * one per radix, and sub-lines that fit a cache. A block is copied into
 * lines of its own, transformed out of place into a second block of lines
 * (step 2 transforms the rows of T straight into its block), and copied
 * out (times the twiddles, or the scale) row by row; with AVX2 or AVX-512
 * the copies go through register transposes, with the products rounded as
 * the scalar loops round them, so the bits depend neither on which path a
 * block takes nor on how many values it holds.
 */
#ifndef KP_FFT_SINGLE
#define KP_FFT_SINGLE 0
#endif

#include <stddef.h>

#include "kernels/fft/fft.h"
#include "kernels/fft/prec.h"
#include "sched/internal.h"

/* Columns per block of step 1: 128 bytes of each row read or written. */
#define BLOCK KP__FFT_BLOCK(KP_FFT_SINGLE)

kp__fft_copies FFT_FN(kp__fft_copies)(void)
{
#if defined(__x86_64__)
    switch (kp__isa_selected()) {
#if KP_FFT_SINGLE
    case KP_ISA_AVX512:
        return (kp__fft_copies){kp__fft_block_in_s_avx512, kp__fft_block_out_s_avx512};
    case KP_ISA_AVX2: return (kp__fft_copies){kp__fft_block_in_s_avx2, kp__fft_block_out_s_avx2};
#else
    case KP_ISA_AVX512:
        return (kp__fft_copies){kp__fft_block_in_d_avx512, kp__fft_block_out_d_avx512};
    case KP_ISA_AVX2: return (kp__fft_copies){kp__fft_block_in_d_avx2, kp__fft_block_out_d_avx2};
#endif
    default: break;
    }
#endif
    return (kp__fft_copies){NULL, NULL};
}

/* buf[c len + j] = x[(j xs + c) ss] for c < count, j < rows. */
static void block_in(const fft_cpx *x, ptrdiff_t ss, size_t xs, size_t rows, size_t count,
                     fft_cpx *buf, size_t len, const kp__fft_copies *simd)
{
    if (simd->in != NULL && count == BLOCK && ss == 1) {
        simd->in(x, xs, rows, buf, len);
        return;
    }
    for (size_t j = 0; j < rows; j++) {
        const fft_cpx *row = x + (ptrdiff_t)(j * xs) * ss;
        for (size_t c = 0; c < count; c++)
            buf[c * len + j] = row[(ptrdiff_t)c * ss];
    }
}

/* out[(k os + c) ds] = in[c len + k] for c < count, k < rows, times the
 * twiddle w[k ws + c] wk[k] (k > 0) where w != NULL, then times scale
 * unless it is 1. */
static void block_out(const fft_cpx *in, size_t len, size_t rows, size_t count, const fft_cpx *w,
                      size_t ws, const fft_cpx *wk, double scale, fft_cpx *out, size_t os,
                      ptrdiff_t ds, int fwd, const kp__fft_copies *simd)
{
    if (simd->out != NULL && count % BLOCK == 0 && ds == 1) {
        simd->out(in, len, rows, count, w, ws, wk, scale, out, os, fwd);
        return;
    }
    const fft_real s = (fft_real)scale;
    for (size_t k = 0; k < rows; k++) {
        fft_cpx *row = out + (ptrdiff_t)(k * os) * ds;
        for (size_t c = 0; c < count; c++) {
            fft_cpx v = in[c * len + k];
            if (w != NULL && k > 0) v = ctw(v, ctw(w[k * ws + c], wk[k], 1), fwd);
            row[(ptrdiff_t)c * ds] = scale == 1.0 ? v : (fft_cpx){s * v.re, s * v.im};
        }
    }
}

/* Step 1 for columns [c0, c1), c0 a multiple of BLOCK: from src (stride
 * ss) into T. work: the blocks (kp__fft_fourstep_blocks_size), then the
 * sub-lines' work space. */
void FFT_FN(kp__fft_fourstep_cols)(const kp__fft_line *line, int fwd, const void *src, ptrdiff_t ss,
                                   void *t_, size_t c0, size_t c1, void *work)
{
    const kp__fft_line *l1 = line->col, *l2 = line->row;
    const size_t n1 = l1->n, n2 = l2->n, ts = line->t_stride, len = line->b_stride;
    const fft_cpx *x = src, *fine = line->tw, *coarse = fine + BLOCK * n1;
    fft_cpx *t = t_, *in = work, *out = in + BLOCK * len;
    fft_cpx *sub = in + kp__fft_fourstep_blocks_size(line);
    const kp__fft_copies simd = FFT_FN(kp__fft_copies)();
    for (size_t b = c0; b < c1; b += BLOCK) {
        const size_t cols = c1 - b < BLOCK ? c1 - b : BLOCK;
        if (line->cols != NULL && ss == 1 && simd.in != NULL) {
            line->cols(l1, fwd, x + b, n2, cols, fine, coarse + b / BLOCK * n1, t + b, ts, in);
            continue;
        }
        block_in(x + (ptrdiff_t)b * ss, ss, n2, n1, cols, in, len, &simd);
        for (size_t c = 0; c < cols; c++)
            l1->exec(l1, fwd, in + c * len, out + c * len, sub);
        /* the block's twiddles: w_n^((b + c) k1) = w_n^(c k1) w_n^(b k1) */
        block_out(out, len, n1, cols, fine, BLOCK, coarse + b / BLOCK * n1, 1.0, t + b, ts, 1, fwd,
                  &simd);
    }
}

/* Step 2 for rows [r0, r1): from T to dst (stride ds) times scale, width
 * rows at a time. work: as step 1's. */
void FFT_FN(kp__fft_fourstep_rows)(const kp__fft_line *line, int fwd, void *t_, void *dst,
                                   ptrdiff_t ds, double scale, size_t r0, size_t r1, void *work)
{
    const kp__fft_line *l1 = line->col, *l2 = line->row;
    const size_t n1 = l1->n, n2 = l2->n, ts = line->t_stride, len = line->b_stride;
    const size_t width = kp__fft_fourstep_rows_width(line);
    fft_cpx *t = t_, *y = dst, *out = work, *sub = out + kp__fft_fourstep_blocks_size(line);
    const kp__fft_copies simd = FFT_FN(kp__fft_copies)();
    if (line->rows != NULL && ds == 1 && simd.out != NULL) {
        line->rows(l2, fwd, t + r0 * ts, ts, r1 - r0, y + r0, n1, scale, out);
        return;
    }
    for (size_t b = r0; b < r1; b += width) {
        const size_t rows = r1 - b < width ? r1 - b : width;
        for (size_t r = 0; r < rows; r++)
            l2->exec(l2, fwd, t + (b + r) * ts, out + r * len, sub);
        block_out(out, len, n2, rows, NULL, 0, NULL, scale, y + (ptrdiff_t)b * ds, n1, ds, fwd,
                  &simd);
    }
}

/* The whole line on one thread; src is read whole before dst is written, so
 * they may be the same line. work: n for T, then what the steps need. */
void FFT_FN(kp__fft_fourstep)(const kp__fft_line *line, int fwd, const void *src, ptrdiff_t ss,
                              void *dst, ptrdiff_t ds, double scale, void *work)
{
    fft_cpx *t = work, *rest = t + kp__fft_fourstep_t_size(line);
    FFT_FN(kp__fft_fourstep_cols)(line, fwd, src, ss, t, 0, line->row->n, rest);
    FFT_FN(kp__fft_fourstep_rows)(line, fwd, t, dst, ds, scale, 0, line->col->n, rest);
}

void FFT_FN(kp__fft_fourstep_exec)(const kp__fft_line *line, int fwd, const void *src, void *dst,
                                   void *work)
{
    FFT_FN(kp__fft_fourstep)(line, fwd, src, 1, dst, 1, 1.0, work);
}
