/*
 * A shared line's operations (kp__fft_shared in fft.h): the steps of a
 * complex or real line, as kp__fft_c2c, kp__fft_r2c and kp__fft_c2r compute
 * it, listed with their memory so that the threads can run each over part
 * of its index range (lines.c's kp__fft_shared_run). Compiled once per
 * precision (this file for double, shared_s.c for float).
 */
#ifndef KP_FFT_SINGLE
#define KP_FFT_SINGLE 0
#endif

#include "kernels/fft/fft.h"
#include "kernels/fft/prec.h"
#include "kernels/fft/split.h"

/* The operations of a shared line, appended at op, with their memory taken
 * from mem in the order kp__fft_shared_space (space.c) counts it. */
typedef struct build {
    kp__fft_op *op;
    fft_cpx *mem;
} build;

static fft_cpx *take(build *bd, size_t count)
{
    fft_cpx *at = bd->mem;
    bd->mem += count;
    return at;
}

static void put(build *bd, kp__fft_op_kind what, const kp__fft_line *line, const void *src,
                ptrdiff_t ss, void *dst, ptrdiff_t ds, double scale, size_t total, int fwd, void *t)
{
    *bd->op++ = (kp__fft_op){what, line, src, ss, dst, ds, scale, total, fwd, t};
}

/* The inner line's transform from x (stride xs) to y (stride ys) times
 * scale, in direction fwd, t its memory (kp__fft_inner_space). A four-step
 * line: its columns into T, then its rows. A mixed-radix line, as
 * kp__fft_c2c runs it: the first passes read x itself where it is
 * contiguous, else a copy, and work in t (2 n points); the others end in y
 * where it is contiguous, else in the rest of t, and the scale goes on
 * last. */
static void inner_ops(build *bd, const kp__fft_line *in, fft_cpx *t, int fwd, const void *x,
                      ptrdiff_t xs, void *y, ptrdiff_t ys, double scale)
{
    if (in->col != NULL) {
        put(bd, KP__FFT_OP_COLS, in, x, xs, NULL, 0, 1.0, in->row->n, fwd, t);
        put(bd, KP__FFT_OP_ROWS, in, NULL, 0, y, ys, scale, in->col->n, fwd, t);
        return;
    }
    const size_t n = in->n, L = in->pass[in->head].l1;
    fft_cpx *out = ys == 1 ? (fft_cpx *)y : t + 2 * n;
    if (xs != 1) { /* into the half of t the first pass does not write */
        fft_cpx *other = (in->head - 1) % 2 == 0 ? t + n : t;
        put(bd, KP__FFT_OP_COPY, NULL, x, xs, other, 1, 1.0, n, fwd, NULL);
        x = other;
    }
    put(bd, KP__FFT_OP_HEAD, in, x, 1, out, 1, 1.0, n / L, fwd, t);
    put(bd, KP__FFT_OP_TAIL, in, x, 1, out, 1, 1.0, L, fwd, t);
    if (out != y || scale != 1.0)
        put(bd, KP__FFT_OP_COPY, NULL, out, 1, y, ys, scale, n, fwd, NULL);
}

/* The complex line's transform from x to y times scale, as kp__fft_c2c
 * computes it, in mem (kp__fft_cpx_space): its inner line's operations, or
 * Bluestein's pieces around a forward and a backward transform of its
 * inner line in a. */
static void cpx_ops(build *bd, const kp__fft_line *cpx, fft_cpx *mem, int fwd, const void *x,
                    ptrdiff_t xs, void *y, ptrdiff_t ys, double scale)
{
    if (cpx->bluestein == NULL) {
        inner_ops(bd, cpx, mem, fwd, x, xs, y, ys, scale);
        return;
    }
    const kp__fft_line *in = cpx->bluestein;
    fft_cpx *a = mem + kp__fft_inner_space(in);
    put(bd, KP__FFT_OP_BLUE_IN, cpx, x, xs, a, 1, 1.0, in->n, fwd, NULL);
    inner_ops(bd, in, mem, 1, a, 1, a, 1, 1.0);
    put(bd, KP__FFT_OP_BLUE_MUL, cpx, a, 1, a, 1, 1.0, in->n, fwd, NULL);
    inner_ops(bd, in, mem, 0, a, 1, a, 1, 1.0);
    put(bd, KP__FFT_OP_BLUE_OUT, cpx, a, 1, y, ys, scale, cpx->n, fwd, NULL);
}

static void real_ops(build *bd, const kp__fft_line *line, kp_fft_kind kind, const void *src,
                     ptrdiff_t ss, void *dst, ptrdiff_t ds, double scale, int depth);

/* A split odd real line: its first pass (r2c) or its input's scatter
 * (c2r) over i < q, the real line of q (shared in turn, down to
 * KP__FFT_SPLIT_DEPTH, else on one part), the p / 2 complex lines of q one
 * after another in one memory, then the spectrum's assembly (r2c) or the
 * last pass (c2r). */
static void split_ops(build *bd, const kp__fft_line *line, kp_fft_kind kind, const void *src,
                      ptrdiff_t ss, void *dst, ptrdiff_t ds, double scale, int depth)
{
    const int r2c = kind == KP_FFT_R2C;
    const unsigned h = line->split / 2;
    const size_t q = line->sub->n, half = (q + 1) / 2;
    fft_cpx *base = take(bd, h * q + 2 * half), *cmem = take(bd, kp__fft_cpx_space(line->sub));
    const split_space sp = split_layout(line, base);
    put(bd, r2c ? KP__FFT_OP_SPLIT_IN : KP__FFT_OP_SPLIT_SCATTER, line, src, ss, NULL, 0, 1.0, q,
        r2c, base);
    const void *rest_in = r2c ? (const void *)sp.y0 : sp.r0;
    void *rest_out = r2c ? (void *)sp.r0 : sp.y0;
    if (depth < KP__FFT_SPLIT_DEPTH && kp__fft_shareable(line->rest, kind))
        real_ops(bd, line->rest, kind, rest_in, 1, rest_out, 1, 1.0, depth + 1);
    else
        put(bd, KP__FFT_OP_REST, line->rest, rest_in, 1, rest_out, 1, 1.0, 1, r2c, NULL);
    for (unsigned m = 0; m < h; m++)
        cpx_ops(bd, line->sub, cmem, r2c, sp.ym + m * q, 1, sp.ym + m * q, 1, 1.0);
    put(bd, r2c ? KP__FFT_OP_SPLIT_GATHER : KP__FFT_OP_SPLIT_OUT, line, NULL, 0, dst, ds, scale,
        r2c ? line->n / 2 + 1 : q, r2c, base);
}

/* A real line's operations, as kp__fft_r2c and kp__fft_c2r compute it. */
static void real_ops(build *bd, const kp__fft_line *line, kp_fft_kind kind, const void *src,
                     ptrdiff_t ss, void *dst, ptrdiff_t ds, double scale, int depth)
{
    if (line->split) {
        split_ops(bd, line, kind, src, ss, dst, ds, scale, depth);
        return;
    }
    const kp__fft_line *cpx = line->sub;
    const size_t n = line->n, h = n / 2;
    fft_cpx *z = take(bd, cpx->n + 1), *u = n % 2 == 0 ? take(bd, h + 1) : NULL;
    fft_cpx *cmem = take(bd, kp__fft_cpx_space(cpx));
    if (kind == KP_FFT_R2C && n % 2 == 1) {
        put(bd, KP__FFT_OP_REAL_IN, line, src, ss, z, 1, 1.0, n, 1, NULL);
        cpx_ops(bd, cpx, cmem, 1, z, 1, z, 1, 1.0);
        put(bd, KP__FFT_OP_COPY, line, z, 1, dst, ds, scale, n / 2 + 1, 1, NULL);
    } else if (kind == KP_FFT_R2C) {
        if (ss != 1) put(bd, KP__FFT_OP_PAIRS_IN, line, src, ss, z, 1, 1.0, h, 1, NULL);
        cpx_ops(bd, cpx, cmem, 1, ss == 1 ? src : z, 1, z, 1, 1.0);
        put(bd, KP__FFT_OP_R2C_POST, line, z, 1, ds == 1 ? dst : u, 1, scale, h / 2 + 1, 1, NULL);
        if (ds != 1) put(bd, KP__FFT_OP_COPY, line, u, 1, dst, ds, 1.0, h + 1, 1, NULL);
    } else if (n % 2 == 1) {
        put(bd, KP__FFT_OP_HERM_IN, line, src, ss, z, 1, 1.0, n / 2 + 1, 0, NULL);
        cpx_ops(bd, cpx, cmem, 0, z, 1, z, 1, 1.0);
        put(bd, KP__FFT_OP_REAL_OUT, line, z, 1, dst, ds, scale, n, 0, NULL);
    } else {
        if (ss != 1) put(bd, KP__FFT_OP_COPY, line, src, ss, u, 1, 1.0, h + 1, 0, NULL);
        put(bd, KP__FFT_OP_C2R_PRE, line, ss == 1 ? src : u, 1, z, 1, 1.0, h / 2 + 1, 0, NULL);
        /* the pairs land as the samples, times scale as they go out */
        if (ds == 1) {
            cpx_ops(bd, cpx, cmem, 0, z, 1, dst, 1, scale);
        } else {
            cpx_ops(bd, cpx, cmem, 0, z, 1, z, 1, 1.0);
            put(bd, KP__FFT_OP_PAIRS_OUT, line, z, 1, dst, ds, scale, h, 0, NULL);
        }
    }
}

void FFT_FN(kp__fft_shared_make)(kp__fft_shared *sh, const kp__fft_line *line, kp_fft_kind kind,
                                 int fwd, const void *src, ptrdiff_t ss, void *dst, ptrdiff_t ds,
                                 double scale, void *mem)
{
    build bd = {sh->op, mem};
    if (kind == KP_FFT_C2C)
        cpx_ops(&bd, line, take(&bd, kp__fft_cpx_space(line)), fwd, src, ss, dst, ds, scale);
    else
        real_ops(&bd, line, kind, src, ss, dst, ds, scale, 0);
    sh->nops = (size_t)(bd.op - sh->op);
}
