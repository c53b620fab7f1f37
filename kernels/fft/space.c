/*
 * The work space lines need beside their own memory: one execution, a
 * group of lines, the lanes, and a shared line's memory and parts (exec.c
 * sizes its blocks from these), and where a shared line's operations are
 * cut into parts.
 */
#include <stddef.h>

#include "kernels/fft/fft.h"

size_t kp__fft_line_space(const kp__fft_line *line)
{
    if (line->col != NULL) return line->scratch; /* four-step: no copy of the line */
    if (!line->real) return line->n + line->scratch;
    if (line->split) { /* split.h: p/2 lines of q, two halves of q, then the sub-lines' */
        const size_t q = line->sub->n, rest = kp__fft_line_space(line->rest);
        return line->split / 2 * q + (q + 1) +
               (rest > line->sub->scratch ? rest : line->sub->scratch);
    }
    size_t m = line->sub->n;
    /* even n: a contiguous copy of the n/2 + 1 complex values as well */
    return m + line->sub->scratch + (line->n % 2 == 0 ? m + 1 : 0);
}

size_t kp__fft_group_space(const kp__fft_line *line, size_t count)
{
    if (!line->real) return count * line->n + line->scratch;
    /* even real lines: n/2 pairs and n/2 + 1 values each */
    return count * (line->n + 1) + line->sub->scratch;
}

/* lines.c's real lanes: even n, KP__FFT_LANES_REAL transforms of n/2, c2r's
 * contiguous copy of its input (n/2 + 1), then the lanes' two sets of n/2 +
 * 1 registers (and 8 elements, at least 64 bytes, to align them); odd n, a
 * group's lines in and out (kp__fft_lanes_odd_group), then the complex
 * lanes' work space. */
size_t kp__fft_lanes_space(const kp__fft_line *line)
{
    if (!line->real) return 16 * line->n;
    const size_t n = line->n, h = n / 2;
    if (n % 2 == 1) return 2 * kp__fft_lanes_odd_group(n) * n + 16 * n;
    return KP__FFT_LANES_REAL * h + (h + 1) + 16 * (h + 1) + 8;
}

/* Part space of a shared complex line's transform. */
static size_t cpx_part_space(const kp__fft_line *cpx)
{
    const kp__fft_line *in = cpx->bluestein != NULL ? cpx->bluestein : cpx;
    if (in->col != NULL) return in->scratch - kp__fft_fourstep_t_size(in);
    return 2 * in->block * (in->n / in->pass[in->head].l1);
}

/* Whether a split line's real line of q is shared in turn (lines.c). */
static int rest_shared(const kp__fft_line *line, kp_fft_kind kind, int depth)
{
    return depth < KP__FFT_SPLIT_DEPTH && kp__fft_shareable(line->rest, kind);
}

/* The memory lines.c's real_ops takes, in its order. */
static size_t real_space(const kp__fft_line *line, kp_fft_kind kind, int depth)
{
    if (line->split) {
        const size_t q = line->sub->n;
        return line->split / 2 * q + 2 * ((q + 1) / 2) + kp__fft_cpx_space(line->sub) +
               (rest_shared(line, kind, depth) ? real_space(line->rest, kind, depth + 1) : 0);
    }
    return line->sub->n + 1 + (line->n % 2 == 0 ? line->n / 2 + 1 : 0) +
           kp__fft_cpx_space(line->sub);
}

static size_t real_part_space(const kp__fft_line *line, kp_fft_kind kind, int depth)
{
    size_t need = cpx_part_space(line->sub);
    if (line->split) {
        size_t rest = rest_shared(line, kind, depth) ? real_part_space(line->rest, kind, depth + 1)
                                                     : kp__fft_line_space(line->rest);
        if (rest > need) need = rest;
    }
    return need;
}

size_t kp__fft_shared_space(const kp__fft_line *line, kp_fft_kind kind)
{
    return kind == KP_FFT_C2C ? kp__fft_cpx_space(line) : real_space(line, kind, 0);
}

size_t kp__fft_shared_part_space(const kp__fft_line *line, kp_fft_kind kind)
{
    return kind == KP_FFT_C2C ? cpx_part_space(line) : real_part_space(line, kind, 0);
}

size_t kp__fft_shared_cut(const kp__fft_op *op, size_t c, size_t parts)
{
    size_t at = op->total / parts * c + op->total % parts * c / parts;
    if (c == parts) return at;
    if (op->what == KP__FFT_OP_REST)   /* all in part 0, which the caller's thread claims */
        return c == 0 ? 0 : op->total; /* first: its work space stays in one core's cache */
    if (op->what == KP__FFT_OP_COLS || op->what == KP__FFT_OP_ROWS)
        at -= at % KP__FFT_SHARE_ALIGN; /* whole blocks (fourstep.c) */
    else if (op->what >= KP__FFT_OP_SPLIT_IN && op->what <= KP__FFT_OP_SPLIT_OUT)
        at -= at % 8; /* whole cache lines of y_0 and the lines of q */
    else if ((op->what == KP__FFT_OP_HEAD || op->what == KP__FFT_OP_TAIL) && op->total % 8 == 0)
        at -= at % 8; /* a part's runs of points start on a cache line (8 floats, 2
                         lines of doubles); where they cannot, an even cut */
    else if ((op->what == KP__FFT_OP_R2C_POST || op->what == KP__FFT_OP_C2R_PRE) && at > 1)
        at = 1 + (at - 1) / 4 * 4;
    return at;
}
