/*
 * kernels/fft/ internals shared between files.
 *
 * A plan (plan.c) is a set of 1-D complex transforms, "lines", run over the
 * non-transformed indices of a strided array, axis after axis. A line is
 * computed by a kp__fft_line: mixed-radix Stockham passes (passes.c) or
 * Bluestein's chirp-z over a longer mixed-radix line (radices.c chooses by
 * a cost model). Everything a line needs is computed when the plan is made
 * and read-only afterwards, so one plan serves many threads at once.
 *
 * Precision: passes.c is written once over the types of prec.h and compiled
 * twice, for double (names ending _d) and float (_s).
 */
#ifndef KP_FFT_FFT_H
#define KP_FFT_FFT_H

#include <stdatomic.h>
#include <stddef.h>

#include "kernpool.h"

/* The most passes a line has: one per prime factor, at most log2 n. */
#define KP__FFT_MAX_PASSES 64
/* Every radix radices.c's factorize makes up to 13 (2, 3, 4, 5, 7, 8, 9, 10,
 * 11, 13) has a butterfly of its own, scalar (passes.c) and vector
 * (simd_passes.c), and so has 16 (with AVX-512, the last pass of some
 * powers of two: simd_passes.c's alone); larger primes take the generic odd
 * butterfly, which reads the p-th roots of unity from the line's table. */
static inline int kp__fft_butterfly(size_t p)
{
    return p <= 11 || p == 13 || p == 16;
}
/* The radices the lanes (simd_lanes.c) take: every one with a butterfly
 * but 16. */
static inline int kp__fft_lanes_radix(size_t p)
{
    return kp__fft_butterfly(p) && p != 16;
}
/* radices.c: the radices of n in pass order (returns their count); the
 * length of Bluestein's padded line for n (7-smooth, at least 2 n - 1), or
 * 0 where n runs by mixed radix (the cost model says it is cheaper, or every
 * radix has a butterfly). */
int kp__fft_factorize(size_t n, size_t p[KP__FFT_MAX_PASSES]);
size_t kp__fft_bluestein_length(size_t n);

/* The largest prime the vector passes (simd_passes.c) take through their
 * generic butterfly; larger ones go through passes.c's. */
#define KP__FFT_VEC_GENERIC_MAX 257

typedef struct kp__fft_pass {
    unsigned p;   /* radix */
    size_t l1;    /* product of the radices of the passes before */
    size_t ido;   /* n / (l1 p): length of each sub-transform after it */
    size_t tw;    /* offset of its twiddles in the line's table */
    size_t roots; /* generic radix: offset of the p-th roots of unity */
} kp__fft_pass;

/* The butterflies of a pass that one call computes: sub-transforms
 * k0 <= k < k1, each at i0 <= i < i1 (passes.c). */
typedef struct kp__fft_span {
    size_t k0, k1, i0, i1;
} kp__fft_span;

/* One 1-D complex transform of length n, forward and backward. */
typedef struct kp__fft_line kp__fft_line;

/* What sharing a line has cost (exec.c), for steps of one shape (key: the
 * count of lines and of parts): for each way (way[1] the steps that shared
 * the line, way[0] those that ran it whole, one thread a line) the time per
 * line, in nanoseconds, of its last KP__FFT_SHARE_LAST steps (0: none yet)
 * and how many it has had; steps counted since the key changed, the
 * current or last probe's end step (times 2, plus its way) and the probes
 * made. Written by every execution that could share the line, with
 * relaxed atomics: a record, not part of the line's (immutable) transform;
 * a line that plans of other shapes run in turn is measured again at each
 * change. */
#define KP__FFT_SHARE_LAST 8
typedef struct kp__fft_share_way {
    _Atomic unsigned long long ns[KP__FFT_SHARE_LAST], count;
} kp__fft_share_way;
typedef struct kp__fft_share_record {
    _Atomic unsigned long long key, steps, probe, probes;
    kp__fft_share_way way[2];
} kp__fft_share_record;
/* Whether a step of shape key shares its lines now; what it then cost,
 * per line. */
int kp__fft_share_choose(kp__fft_share_record *r, unsigned long long key);
void kp__fft_share_note(kp__fft_share_record *r, int shared, unsigned long long key,
                        unsigned long long ns);
/* For tests: KP__FFT_SHARE_MEASURED (the default: kp__fft_share_choose),
 * _ALWAYS or _NEVER; returns the mode before. */
enum { KP__FFT_SHARE_MEASURED, KP__FFT_SHARE_ALWAYS, KP__FFT_SHARE_NEVER };
int kp__fft_share_mode(int mode);
/* One line on contiguous data, from src to dst (one per precision and
 * instruction set; src == dst transforms in place): work holds
 * line->scratch complex elements; fwd selects the sign of the exponent (1:
 * forward, exp(-2 pi i jk/n)). No scaling. */
typedef void kp__fft_exec_fn(const kp__fft_line *line, int fwd, const void *src, void *dst,
                             void *work);
/* Part of a mixed-radix line shared by threads (passes.c): its first
 * line->head passes over columns [a, b) of n / L (tail = 0), from src into
 * work (2 n points), or its other passes over sub-transforms [a, b) of L
 * (tail = 1), from work into dst through mine (the part's own space, 2
 * line->block n / L points), L the product of the first passes' radices.
 * The threads' data cross between the cores once, from one half to the
 * other; dst is written by the second half only.
 * The parts of one half touch disjoint points of src, dst and work, and
 * every butterfly computes what exec computes. */
typedef void kp__fft_part_fn(const kp__fft_line *line, int fwd, int tail, const void *src,
                             void *dst, void *work, void *mine, size_t a, size_t b);
/* count complex lines of a step, line c read from src + c sdist at stride
 * ss and written to dst + c ddist at stride ds (strides in complex
 * elements, distances in reals: a real line's pairs may start between two
 * complex ones; in place where src and dst are the same lines), every
 * output times scale; buf holds 16 n complex elements (simd_lanes.c). */
typedef void kp__fft_lanes_fn(const kp__fft_line *line, int fwd, const void *src, ptrdiff_t ss,
                              ptrdiff_t sdist, void *dst, ptrdiff_t ds, ptrdiff_t ddist,
                              size_t count, double scale, void *buf);
/* count even r2c lines whose pairs are contiguous (line c's at src + c xd),
 * written at stride ds (line c at dst + c yd; distances in reals), every
 * output times scale; buf holds 16 (n/2 + 1) + 8 complex elements. The same
 * instruction set as the complex line's lanes (simd_lanes.c). */
typedef void kp__fft_r2c_lanes_fn(const kp__fft_line *line, const void *src, ptrdiff_t xd,
                                  void *dst, ptrdiff_t ds, ptrdiff_t yd, size_t count, double scale,
                                  void *buf);
/* count even c2r lines from contiguous inputs (line c's at src + c xd)
 * to contiguous outputs (line c at dst + c yd; distances in reals), every
 * output times scale; buf as kp__fft_r2c_lanes_fn. */
typedef void kp__fft_c2r_lanes_fn(const kp__fft_line *line, const void *src, ptrdiff_t xd,
                                  void *dst, ptrdiff_t yd, size_t count, double scale, void *buf);
/* Step 1 of a four-step line (fourstep.c) on cols <= KP__FFT_BLOCK
 * contiguous columns, row j at x + j xs (complex elements), the columns a
 * vector lane each (simd_lanes.c): every row's values read and T's row k
 * (at t + k ts) written straight, without transposes, times the twiddles
 * fine[k B + c] coarse[k] of column c (rounded as the block copies round
 * them; k > 0). buf holds 2 VLEN col->n complex elements. */
typedef void kp__fft_cols_fn(const struct kp__fft_line *col, int fwd, const void *x, size_t xs,
                             size_t cols, const void *fine, const void *coarse, void *t, size_t ts,
                             void *buf);
/* Step 2 of a four-step line (fourstep.c) on `count` rows of T (row r at
 * t + r ts), each row a vector lane (simd_lanes.c): rows read through
 * register transposes, value k of row r written straight to y + r + k os
 * (complex elements), times scale unless it is 1. buf as kp__fft_cols_fn's
 * (row->n). */
typedef void kp__fft_rows_fn(const struct kp__fft_line *row, int fwd, const void *t, size_t ts,
                             size_t count, void *y, size_t os, double scale, void *buf);
/* About as many points as a part of a shared line keeps at a time (256 KiB
 * in double), a block of columns through its first passes or a block of
 * sub-transforms through its others, so that they stay in its core's cache. */
#define KP__FFT_PART_POINTS 16384

struct kp__fft_line {
    size_t n;
    kp__fft_exec_fn *exec; /* chosen when the line is made */
    int single;            /* 1: float tables, 0: double */
    int npass;
    kp__fft_pass pass[KP__FFT_MAX_PASSES];
    /* Long mixed-radix lines have a head (head > 0, part chosen with exec):
     * the first head passes, then the others, each over blocks; threads
     * share such a line from line.c's SHARE_MIN_BYTES, and a blocked one
     * (below) runs so on one thread too. */
    int head;
    kp__fft_part_fn *part;
    size_t block; /* sub-transforms a part's tail takes at a time */
    /* 1: exec runs the line as one part would run all of it, the head
     * passes over blocks of columns and the others over blocks of
     * sub-transforms, each block in the cache (passes.c); scratch then
     * holds the part's 2 n points and its own space. */
    int blocked;
    /* Short mixed-radix lines with a butterfly for every radix: the lines
     * of a step of several, one a vector lane (simd_lanes.c; NULL without
     * AVX2 or AVX-512, and for other lines). */
    kp__fft_lanes_fn *lanes;
    /* 1: as the complex line of even real lines, their lines go in lanes
     * (simd_lanes.c's r2c and c2r lanes), also where its own lines go one
     * at a time (lanes NULL: both passes in registers). */
    int real_lanes;
    void *tw; /* twiddles and generic roots (complex of the precision) */
    /* Bluestein (n = 1 and mixed-radix lines have bluestein == NULL) */
    struct kp__fft_line *bluestein; /* the line of length m >= 2n - 1 */
    void *chirp;                    /* n entries, exp(-pi i k^2 / n) */
    void *kernel;                   /* m entries, DFT_m of the conjugate chirp, over m */
    size_t scratch;                 /* complex elements of work space one execution needs */
    /* Real lines (r2c and c2r of real length n; real == 1): sub is the
     * complex line of n/2 for even n, of n for odd n; rtw holds
     * exp(-2 pi i k / n) for k < n/2 (even n). An odd n = p q whose
     * smallest prime p is 3, 5 or 7 is split by its first radix instead
     * (split = p, else 0; split.c): sub is the complex line of q, rest the
     * real line of q, and rtw holds the roots w_n^(i m) = exp(-2 pi i i m
     * / n), 1 <= m <= p / 2, i < q, as products (KP__FFT_SPLIT_BLOCK). */
    int real;
    struct kp__fft_line *sub;
    void *rtw;
    unsigned split;
    struct kp__fft_line *rest;
    /* Four-step lines (fourstep.c): n = col->n * row->n. The twiddle
     * w_n^(j2 k1) of column j2 = b + c of the block starting at b (a
     * multiple of the block size B) is the product, rounded, of two roots
     * in tw: w_n^(c k1) at k1 B + c and w_n^(b k1) at (B + b / B) col->n +
     * k1, so that the table holds about n / B roots, not n. T's rows are
     * t_stride apart, a block's lines b_stride apart (padded so that
     * neither is a multiple of the cache's way size). */
    struct kp__fft_line *col, *row;
    size_t t_stride, b_stride;
    /* Step 1's columns and step 2's rows in vector lanes where that is
     * faster (line.c), else NULL: blocks of lines through transposes. */
    kp__fft_cols_fn *cols;
    kp__fft_rows_fn *rows;
    /* The line shared or not by the steps of plans that use it (exec.c). */
    kp__fft_share_record share;
};

/* Makes the line of length n >= 1 in double (single = 0) or float.
 * KP_ENOMEM or KP_EOVERFLOW on failure (then *out is unchanged). */
int kp__fft_line_make(size_t n, int single, kp__fft_line **out) __attribute__((warn_unused_result));
/* The real line of real length n >= 1. Errors as kp__fft_line_make. */
int kp__fft_real_line_make(size_t n, int single, kp__fft_line **out)
    __attribute__((warn_unused_result));
void kp__fft_line_destroy(kp__fft_line *line);

/* exp(-2 pi i k / n) for 0 <= k < n, in long double, from an exact
 * reduction of k / n to the first octant (roots.c). Error below 2**-62
 * relative to 1, so rounding to double or float is correct to within a
 * hair of half an ulp. */
void kp__fft_root(size_t k, size_t n, long double *re, long double *im);

/* Roots exp(-2 pi i k / n) for many k at the cost of one long double
 * complex product each: tables of about sqrt(n) roots (roots.c). */
typedef struct kp__fft_roots {
    size_t n, m;         /* root k = coarse[k / m] * fine[k % m] */
    long double *fine;   /* m entries, each (re, im) */
    long double *coarse; /* ceil(n / m) entries */
} kp__fft_roots;
int kp__fft_roots_make(size_t n, kp__fft_roots *r) __attribute__((warn_unused_result));
void kp__fft_roots_get(const kp__fft_roots *r, size_t k, long double *re, long double *im);
void kp__fft_roots_free(kp__fft_roots *r);

kp__fft_exec_fn kp__fft_line_exec_d, kp__fft_line_exec_s;
kp__fft_part_fn kp__fft_line_part_d, kp__fft_line_part_s;
/* An odd r2c (r2c = 1) or c2r line of n whose complex line (line) is one
 * butterfly, straight from src to dst (strides in elements of each, in
 * place allowed), times scale; returns 0, touching nothing, for other
 * lines (passes.c; its portable build only: the scalar butterflies give
 * the same bits in every build). */
typedef int kp__fft_odd_real_fn(const kp__fft_line *line, int r2c, const void *src, ptrdiff_t ss,
                                void *dst, ptrdiff_t ds, double scale);
kp__fft_odd_real_fn kp__fft_odd_real_one_d, kp__fft_odd_real_one_s;
kp__fft_exec_fn kp__fft_fourstep_exec_d, kp__fft_fourstep_exec_s;
/* A four-step line straight from a strided source to a strided
 * destination (fourstep.c); work holds line->scratch elements. */
void kp__fft_fourstep_d(const kp__fft_line *line, int fwd, const void *src, ptrdiff_t ss, void *dst,
                        ptrdiff_t ds, double scale, void *work);
void kp__fft_fourstep_s(const kp__fft_line *line, int fwd, const void *src, ptrdiff_t ss, void *dst,
                        ptrdiff_t ds, double scale, void *work);
/* Its two steps over a range of columns (c0 <= c < c1 <= row->n, c0 a
 * multiple of KP__FFT_SHARE_ALIGN) and of rows (r0 <= r < r1 <= col->n),
 * T being the line's kp__fft_fourstep_t_size buffer and work the rest of
 * line->scratch, so that threads can share a line. */
#define KP__FFT_SHARE_ALIGN 16
/* A four-step block's columns (step 1) and the unit of its rows (step 2):
 * 128 bytes of complex values, 8 in double, 16 in float. Step 2 takes
 * KP__FFT_ROW_BLOCKS of them where its lines fit KP__FFT_ROWS_BYTES: its
 * rows of X are n1 apart, a power of two for n = 2^k, and writing 128
 * bytes to each such row at a time ran 3.3x slower on Zen 5 than 512 bytes
 * (the rows fall in a few sets of the caches); step 1 writes T, whose rows
 * are padded, and takes one. */
#define KP__FFT_BLOCK(single) ((single) ? 16 : 8)
#define KP__FFT_ROW_BLOCKS    4
#define KP__FFT_ROWS_BYTES    (1024 * 1024)
void kp__fft_fourstep_cols_d(const kp__fft_line *line, int fwd, const void *src, ptrdiff_t ss,
                             void *t, size_t c0, size_t c1, void *work);
void kp__fft_fourstep_cols_s(const kp__fft_line *line, int fwd, const void *src, ptrdiff_t ss,
                             void *t, size_t c0, size_t c1, void *work);
void kp__fft_fourstep_rows_d(const kp__fft_line *line, int fwd, void *t, void *dst, ptrdiff_t ds,
                             double scale, size_t r0, size_t r1, void *work);
void kp__fft_fourstep_rows_s(const kp__fft_line *line, int fwd, void *t, void *dst, ptrdiff_t ds,
                             double scale, size_t r0, size_t r1, void *work);
/* The vector code's pre- and post-passes of even real lines, copies of the
 * four-step's blocks and passes of split odd real lines (simd_passes.c,
 * x86-64 only: declared below). */
typedef size_t kp__fft_r2c_post_fn(const void *z, const void *w, void *y, size_t h, double scale,
                                   size_t k, size_t end);
typedef size_t kp__fft_c2r_pre_fn(const void *x, const void *w, void *z, size_t h, size_t k,
                                  size_t end);
typedef void kp__fft_block_in_fn(const void *x, size_t xs, size_t rows, void *buf, size_t len);
typedef void kp__fft_block_out_fn(const void *in, size_t len, size_t count, size_t width,
                                  const void *w, size_t ws, const void *wk, double scale, void *out,
                                  size_t os, int fwd);
/* The vector code of the block copies for this CPU and KERNPOOL_ISA, both
 * NULL where there is none (fourstep.c, once per precision). */
typedef struct kp__fft_copies {
    kp__fft_block_in_fn *in;
    kp__fft_block_out_fn *out;
} kp__fft_copies;
kp__fft_copies kp__fft_copies_d(void);
kp__fft_copies kp__fft_copies_s(void);
/* A split line's root w_n^(i m) is the product, rounded, of two roots in
 * its table rtw: w_n^(c m) with c = i mod B, and w_n^(b B m) with b = i / B
 * (B = KP__FFT_SPLIT_BLOCK). The table holds, for m = 1 .. p / 2 in turn,
 * the B real parts then the B imaginary parts of w_n^(c m), c < B; then,
 * for each m in turn, the kp__fft_split_blocks(q) complex values w_n^(b B
 * m): p / 2 (B + ceil(q / B)) complex values in all, not the (p / 2) q roots
 * themselves, which the caches could not hold for long lines (8.5 MB at
 * 3^13) and which were read once a point: r2c of 3^13 and 5^9 ran 1.1x
 * faster with the products, c2r 1.05x, 3^11 as fast (one thread, Zen 5),
 * and the transforms' RMS errors stayed within 2% of those with the roots
 * themselves. Where q <= B every root is w_n^(c m) times 1, exact. B = 64:
 * a multiple of every vector's length (16 floats with AVX-512); the fine
 * roots (1 KiB for each m in double) stay in the level-1 cache, and a
 * coarse one is read once a block. */
#define KP__FFT_SPLIT_BLOCK 64
static inline size_t kp__fft_split_blocks(size_t q)
{
    return (q + KP__FFT_SPLIT_BLOCK - 1) / KP__FFT_SPLIT_BLOCK;
}
/* Where, in reals of rtw, the real parts of w_n^(c m) start (the imaginary
 * parts B further on), and where w_n^(b B m) is, for radix p and n = p q. */
static inline size_t kp__fft_split_fine(unsigned m)
{
    return 2 * KP__FFT_SPLIT_BLOCK * (m - 1);
}
static inline size_t kp__fft_split_coarse(unsigned p, size_t q, unsigned m, size_t b)
{
    return 2 * (KP__FFT_SPLIT_BLOCK * (p / 2) + (m - 1) * kp__fft_split_blocks(q) + b);
}
/* The first pass of a split odd r2c and the last pass of a split odd c2r
 * (split.c) for i0 <= i < i1 <= q: x read and y written at strides ss and
 * ds, y0 and v0 q reals, ym (p / 2) q complex values, w the line's table
 * rtw. */
typedef void kp__fft_split_in_fn(unsigned p, const void *x, ptrdiff_t ss, size_t q, const void *w,
                                 void *y0, void *ym, size_t i0, size_t i1);
typedef void kp__fft_split_out_fn(unsigned p, const void *v0, const void *ym, size_t q,
                                  const void *w, void *y, ptrdiff_t ds, double scale, size_t i0,
                                  size_t i1);
#if defined(__x86_64__)
/* A pass of radix 2, 3, 4, 5, 7, 8, 9, 10, 11, 13 or 16, or of a prime to
 * KP__FFT_VEC_GENERIC_MAX, with AVX2 or AVX-512
 * (simd_passes.c) over the butterflies of sp, from cc to ch, tab the line's
 * twiddle table; returns 0, having done nothing, for a pass it does not
 * take (then passes.c does it). Whether it takes a pass depends on the
 * pass only. */
typedef int kp__fft_simd_pass_fn(const kp__fft_pass *ps, const void *tab, const kp__fft_span *sp,
                                 const void *cc, void *ch, int fwd);
kp__fft_simd_pass_fn kp__fft_simd_pass_d_avx2, kp__fft_simd_pass_s_avx2;
kp__fft_simd_pass_fn kp__fft_simd_pass_d_avx512, kp__fft_simd_pass_s_avx512;
/* The execution of a line of 16, 32 or 64 points with passes 4 4, 4 8 or
 * 8 8 whose two passes run in registers (in place allowed, no work space),
 * with the bits of the two passes: with AVX-512, 16, 32 and 64 points in
 * double and 64 in float; with AVX2, 16 in double and 16 and 32 in float
 * (AVX-512 CPUs take these for float's 16 and 32). line.c chooses them. */
kp__fft_exec_fn kp__fft_line_two_exec_d_avx2, kp__fft_line_two_exec_s_avx2;
kp__fft_exec_fn kp__fft_line_two_exec_d_avx512, kp__fft_line_two_exec_s_avx512;
kp__fft_split_in_fn kp__fft_split_in_d_avx2, kp__fft_split_in_s_avx2;
kp__fft_split_in_fn kp__fft_split_in_d_avx512, kp__fft_split_in_s_avx512;
kp__fft_split_out_fn kp__fft_split_out_d_avx2, kp__fft_split_out_s_avx2;
kp__fft_split_out_fn kp__fft_split_out_d_avx512, kp__fft_split_out_s_avx512;
/* r2c's post-pass (X_k and X_h-k from Z, times scale) and c2r's pre-pass
 * (Z_k and Z_h-k from X) of an even real line of 2h points, contiguous,
 * four k at a time from k (1 or 1 + 4q) while k + 3 < end and 2k + 6 < h
 * (simd_passes.c; AVX-512 CPUs take the AVX2 ones in float, whose
 * registers hold four values). Each returns the first k it left to the
 * scalar loop. */
kp__fft_r2c_post_fn kp__fft_r2c_post_d_avx2, kp__fft_r2c_post_s_avx2, kp__fft_r2c_post_d_avx512;
kp__fft_c2r_pre_fn kp__fft_c2r_pre_d_avx2, kp__fft_c2r_pre_s_avx2, kp__fft_c2r_pre_d_avx512;
/* The four-step's blocks (fourstep.c) with AVX2 or AVX-512
 * (simd_passes.c): block_in reads KP__FFT_BLOCK columns of `rows` values,
 * row j at x + j xs, into buf, column c at buf + c len; block_out writes
 * value k of each of `width` lines (a multiple of KP__FFT_BLOCK; line c at
 * in + c len) as row k at out + k os, for k < count, times the twiddle
 * w[k ws + c] wk[k] (that product forward; the twiddle conjugated
 * backward) where w != NULL and k > 0, then times scale unless it is 1.
 * Each product is rounded before the sum, as ctw does, so the bits are
 * those of the scalar loops. */
kp__fft_block_in_fn kp__fft_block_in_d_avx2, kp__fft_block_in_s_avx2;
kp__fft_block_in_fn kp__fft_block_in_d_avx512, kp__fft_block_in_s_avx512;
kp__fft_block_out_fn kp__fft_block_out_d_avx2, kp__fft_block_out_s_avx2;
kp__fft_block_out_fn kp__fft_block_out_d_avx512, kp__fft_block_out_s_avx512;
kp__fft_exec_fn kp__fft_line_exec_d_avx2, kp__fft_line_exec_s_avx2;
kp__fft_exec_fn kp__fft_line_exec_d_avx512, kp__fft_line_exec_s_avx512;
kp__fft_part_fn kp__fft_line_part_d_avx2, kp__fft_line_part_s_avx2;
kp__fft_part_fn kp__fft_line_part_d_avx512, kp__fft_line_part_s_avx512;
/* A step's lines in vector lanes (line->lanes). */
kp__fft_lanes_fn kp__fft_lanes_d_avx2, kp__fft_lanes_s_avx2;
kp__fft_lanes_fn kp__fft_lanes_d_avx512, kp__fft_lanes_s_avx512;
/* A four-step line's columns and rows in lanes (line->cols, line->rows). */
kp__fft_cols_fn kp__fft_lanes_cols_d_avx2, kp__fft_lanes_cols_s_avx2;
kp__fft_cols_fn kp__fft_lanes_cols_d_avx512, kp__fft_lanes_cols_s_avx512;
kp__fft_rows_fn kp__fft_lanes_rows_d_avx2, kp__fft_lanes_rows_s_avx2;
kp__fft_rows_fn kp__fft_lanes_rows_d_avx512, kp__fft_lanes_rows_s_avx512;
/* Even r2c and c2r lines in lanes (kp__fft_r2c_lanes_fn, kp__fft_c2r_lanes_fn). */
kp__fft_c2r_lanes_fn kp__fft_c2r_lanes_run_d_avx2, kp__fft_c2r_lanes_run_s_avx2;
kp__fft_c2r_lanes_fn kp__fft_c2r_lanes_run_d_avx512, kp__fft_c2r_lanes_run_s_avx512;
kp__fft_r2c_lanes_fn kp__fft_r2c_lanes_run_d_avx2, kp__fft_r2c_lanes_run_s_avx2;
kp__fft_r2c_lanes_fn kp__fft_r2c_lanes_run_d_avx512, kp__fft_r2c_lanes_run_s_avx512;
#endif

/* Bluestein's pieces over a range [b0, b1) of indices (lines.c, once per
 * precision; passes.c runs them over the whole range): a_k = chirp_k x_k
 * (x read at stride xs, conjugated backward) for k < n and 0 up to m; a_j
 * times kernel_j for j < m; y_k = scale chirp_k a_k (conjugated backward,
 * at stride ys) for k < n. */
void kp__fft_blue_in_d(const kp__fft_line *line, int fwd, const void *x, ptrdiff_t xs, void *a,
                       size_t b0, size_t b1);
void kp__fft_blue_in_s(const kp__fft_line *line, int fwd, const void *x, ptrdiff_t xs, void *a,
                       size_t b0, size_t b1);
void kp__fft_blue_mul_d(const kp__fft_line *line, void *a, size_t b0, size_t b1);
void kp__fft_blue_mul_s(const kp__fft_line *line, void *a, size_t b0, size_t b1);
void kp__fft_blue_out_d(const kp__fft_line *line, int fwd, const void *a, void *y, ptrdiff_t ys,
                        double scale, size_t b0, size_t b1);
void kp__fft_blue_out_s(const kp__fft_line *line, int fwd, const void *a, void *y, ptrdiff_t ys,
                        double scale, size_t b0, size_t b1);

/* Complex elements of a four-step line's T: col->n rows of t_stride. */
static inline size_t kp__fft_fourstep_t_size(const kp__fft_line *line)
{
    return line->col->n * line->t_stride;
}

/* Rows of T that one block of step 2 holds (fourstep.c): KP__FFT_ROW_BLOCKS
 * times KP__FFT_BLOCK, halved while its lines would exceed
 * KP__FFT_ROWS_BYTES, never below KP__FFT_BLOCK. */
static inline size_t kp__fft_fourstep_rows_width(const kp__fft_line *line)
{
    const size_t cpx = line->single ? 8 : 16;
    size_t width = KP__FFT_ROW_BLOCKS * KP__FFT_BLOCK(line->single);
    while (width > KP__FFT_BLOCK(line->single) && width * line->b_stride * cpx > KP__FFT_ROWS_BYTES)
        width /= 2;
    return width;
}

/* Complex elements of a four-step line's blocks: two of KP__FFT_BLOCK lines
 * in step 1, one of kp__fft_fourstep_rows_width lines in step 2. */
static inline size_t kp__fft_fourstep_blocks_size(const kp__fft_line *line)
{
    const size_t two = 2 * KP__FFT_BLOCK(line->single), rows = kp__fft_fourstep_rows_width(line);
    return (two > rows ? two : rows) * line->b_stride;
}

/* Complex elements of a shared line's inner line's own memory (sh->t): a
 * four-step line's T, or the two buffers a mixed-radix line's first passes
 * alternate between and one for its result (lines.c). */
static inline size_t kp__fft_inner_space(const kp__fft_line *inner)
{
    return inner->col != NULL ? kp__fft_fourstep_t_size(inner) : 3 * inner->n;
}

/* Complex elements of work space one strided line below needs. */
size_t kp__fft_line_space(const kp__fft_line *line);
/* Complex elements of work space count lines of a group below need: each
 * line's values, then one execution's work space that the lines take in
 * turn (a complex line's; for even real lines, not split, their complex
 * line's: the lines the group functions take). */
size_t kp__fft_group_space(const kp__fft_line *line, size_t count);

/* One line read from src with stride ss and written to dst with stride ds
 * (strides in elements of each side: complex, or real for the real side of
 * r2c and c2r), every output times scale. buf holds kp__fft_line_space
 * complex elements. src and dst may be the same line (in place): src is
 * read whole before dst is written. lines.c, once per precision. */
void kp__fft_c2c_d(const kp__fft_line *line, int fwd, const void *src, ptrdiff_t ss, void *dst,
                   ptrdiff_t ds, double scale, void *buf);
void kp__fft_c2c_s(const kp__fft_line *line, int fwd, const void *src, ptrdiff_t ss, void *dst,
                   ptrdiff_t ds, double scale, void *buf);
/* count complex lines at once, src[c] to dst[c] with the strides of
 * kp__fft_c2c: the gather reads element j of every line in turn, so lines
 * side by side share cache lines (and lines side by side, KP__FFT_BLOCK
 * at a time, are gathered and scattered by the four-step's block copies).
 * buf holds kp__fft_group_space(line, count) elements. */
void kp__fft_c2c_group_d(const kp__fft_line *line, int fwd, const void *const *src, ptrdiff_t ss,
                         void *const *dst, ptrdiff_t ds, size_t count, double scale, void *buf);
void kp__fft_c2c_group_s(const kp__fft_line *line, int fwd, const void *const *src, ptrdiff_t ss,
                         void *const *dst, ptrdiff_t ds, size_t count, double scale, void *buf);
/* count even r2c lines (not split: line->split == 0) at once, src[c] to
 * dst[c] with the strides of kp__fft_r2c, read pair j of every line in
 * turn and written value k of every line in turn (lines side by side by
 * the block copies), so that lines side by side (an array's columns) share
 * cache lines; the bits of kp__fft_r2c. buf holds
 * kp__fft_group_space(line, count) elements. */
void kp__fft_r2c_group_d(const kp__fft_line *line, const void *const *src, ptrdiff_t ss,
                         void *const *dst, ptrdiff_t ds, size_t count, double scale, void *buf);
void kp__fft_r2c_group_s(const kp__fft_line *line, const void *const *src, ptrdiff_t ss,
                         void *const *dst, ptrdiff_t ds, size_t count, double scale, void *buf);
void kp__fft_r2c_d(const kp__fft_line *line, const void *src, ptrdiff_t ss, void *dst, ptrdiff_t ds,
                   double scale, void *buf);
void kp__fft_r2c_s(const kp__fft_line *line, const void *src, ptrdiff_t ss, void *dst, ptrdiff_t ds,
                   double scale, void *buf);
/* The same for count even c2r lines: read value k of every line in turn
 * (lines side by side by the block copies), written pair j of every line
 * in turn; the bits of kp__fft_c2r. buf as kp__fft_r2c_group_d. */
void kp__fft_c2r_group_d(const kp__fft_line *line, const void *const *src, ptrdiff_t ss,
                         void *const *dst, ptrdiff_t ds, size_t count, double scale, void *buf);
void kp__fft_c2r_group_s(const kp__fft_line *line, const void *const *src, ptrdiff_t ss,
                         void *const *dst, ptrdiff_t ds, size_t count, double scale, void *buf);
void kp__fft_c2r_d(const kp__fft_line *line, const void *src, ptrdiff_t ss, void *dst, ptrdiff_t ds,
                   double scale, void *buf);
void kp__fft_c2r_s(const kp__fft_line *line, const void *src, ptrdiff_t ss, void *dst, ptrdiff_t ds,
                   double scale, void *buf);

/* Lines in vector lanes. A step of `kind` over several lines runs them so
 * where kp__fft_lanes_ok: complex lines with line->lanes, even real lines
 * (not split) whose complex line of n/2 has real_lanes, with r2c's post- and
 * c2r's pre-pass in the lanes too (strided real lines go through
 * contiguous copies, KP__FFT_LANES_REAL r2c lines at a time), and odd real
 * lines (not split) whose complex line of n has them, a group at a time
 * through complex copies (r2c: the samples with zero imaginary parts; c2r:
 * the whole Hermitian spectrum); real lines of two points in one loop
 * (lines.c's two_point_lines, which takes none of the work space below).
 * Each chunk
 * of lines needs kp__fft_lanes_space complex elements of work space. The
 * real lines' calls take count lines, line c at src + c sdist and dst + c
 * ddist, strides in elements of each side and distances in reals
 * (kp__fft_lanes_fn; lines.c, once per precision). */
#define KP__FFT_LANES_REAL 8
/* Odd real lines go in groups of about KP__FFT_LANES_ODD_POINTS points:
 * the complex lanes' set-up then spreads over many lines (r2c of 3 points
 * ran 6.1 ns a line in groups of 8, 3.5 in groups of 341). */
#define KP__FFT_LANES_ODD_POINTS 1024
static inline size_t kp__fft_lanes_odd_group(size_t n)
{
    const size_t g = KP__FFT_LANES_ODD_POINTS / n;
    return g > KP__FFT_LANES_REAL ? g : KP__FFT_LANES_REAL;
}
int kp__fft_lanes_ok(const kp__fft_line *line, kp_fft_kind kind);
size_t kp__fft_lanes_space(const kp__fft_line *line);
void kp__fft_r2c_lanes_d(const kp__fft_line *line, const void *src, ptrdiff_t ss, ptrdiff_t sdist,
                         void *dst, ptrdiff_t ds, ptrdiff_t ddist, size_t count, double scale,
                         void *buf);
void kp__fft_r2c_lanes_s(const kp__fft_line *line, const void *src, ptrdiff_t ss, ptrdiff_t sdist,
                         void *dst, ptrdiff_t ds, ptrdiff_t ddist, size_t count, double scale,
                         void *buf);
void kp__fft_c2r_lanes_d(const kp__fft_line *line, const void *src, ptrdiff_t ss, ptrdiff_t sdist,
                         void *dst, ptrdiff_t ds, ptrdiff_t ddist, size_t count, double scale,
                         void *buf);
void kp__fft_c2r_lanes_s(const kp__fft_line *line, const void *src, ptrdiff_t ss, ptrdiff_t sdist,
                         void *dst, ptrdiff_t ds, ptrdiff_t ddist, size_t count, double scale,
                         void *buf);

/* ------------------------------------------------------- shared lines */

/* One long line shared by the threads of a step (exec.c): a fixed list of
 * operations, each over a range of indices that the threads cut into parts;
 * an operation starts once the one before it has ended in every part. The
 * operations are the four-step's columns and rows or a mixed-radix line's
 * first and other passes, Bluestein's pieces around them and, for real
 * lines, the pieces around the complex line (for a split odd line, its
 * first or last pass, its real line of q and its complex lines of q in
 * turn); each index goes through the code the line runs on one thread, so
 * the bits are the same. */
typedef enum {
    KP__FFT_OP_COLS,          /* four-step columns: src -> T */
    KP__FFT_OP_ROWS,          /* four-step rows: T -> dst, times scale */
    KP__FFT_OP_HEAD,          /* mixed radix, first passes: src -> t */
    KP__FFT_OP_TAIL,          /* mixed radix, other passes: t -> dst */
    KP__FFT_OP_PAIRS_IN,      /* even r2c: z_j = x_2j + i x_2j+1 */
    KP__FFT_OP_REAL_IN,       /* odd r2c: z_j = x_j */
    KP__FFT_OP_HERM_IN,       /* odd c2r: the Hermitian line from X_k, k <= n/2 */
    KP__FFT_OP_R2C_POST,      /* even r2c: X_k, X_h-k from Z, k <= h/2 */
    KP__FFT_OP_C2R_PRE,       /* even c2r: Z_k, Z_h-k from X, k <= h/2 */
    KP__FFT_OP_COPY,          /* complex copy, times scale */
    KP__FFT_OP_REAL_OUT,      /* odd c2r: y_j = scale re z_j */
    KP__FFT_OP_PAIRS_OUT,     /* even c2r: y_2j, y_2j+1 = scale z_j */
    KP__FFT_OP_BLUE_IN,       /* Bluestein: a = chirp times x, padded with 0 */
    KP__FFT_OP_BLUE_MUL,      /* Bluestein: a times the kernel's transform */
    KP__FFT_OP_BLUE_OUT,      /* Bluestein: y = scale chirp times a */
    KP__FFT_OP_SPLIT_IN,      /* split r2c: the first pass, x -> t, i < q */
    KP__FFT_OP_SPLIT_GATHER,  /* split r2c: the spectrum from t, f <= n/2 */
    KP__FFT_OP_SPLIT_SCATTER, /* split c2r: the input into t, k < q */
    KP__FFT_OP_SPLIT_OUT,     /* split c2r: the last pass, t -> y, i < q */
    KP__FFT_OP_REST,          /* a real line whole on one part (total 1) */
} kp__fft_op_kind;

typedef struct kp__fft_op {
    kp__fft_op_kind what;
    const kp__fft_line *line; /* whose piece it is: a four-step or mixed-radix
                                 line, a Bluestein line, a real line */
    const void *src;
    ptrdiff_t ss; /* elements of the source */
    void *dst;
    ptrdiff_t ds;
    double scale;
    size_t total; /* indices 0 <= i < total, cut by kp__fft_shared_cut */
    int fwd;      /* the direction of line (REST: 1 r2c, 0 c2r) */
    void *t;      /* COLS, ROWS: T; HEAD, TAIL: the line's work (2 n);
                     SPLIT_*: the split line's pieces (split.h) */
} kp__fft_op;

/* A split odd real line's real line of q is shared in turn down to this
 * depth, and below it computed whole by one part. */
#define KP__FFT_SPLIT_DEPTH 3
/* At most 2 + 3 * 7 operations a level of split lines, 10 for the real
 * line below them. */
#define KP__FFT_MAX_OPS 80

typedef struct kp__fft_shared {
    size_t nops;
    kp__fft_op op[KP__FFT_MAX_OPS];
} kp__fft_shared;

/* Whether a line of a step of `kind` can be shared: a four-step line or a
 * mixed-radix line with a head of at least line.c's SHARE_MIN_BYTES, a
 * Bluestein line over one, or a real line (split or not) over any of
 * these. */
int kp__fft_shareable(const kp__fft_line *line, kp_fft_kind kind);
/* Complex elements of memory a shared line needs, and of work space each
 * of its parts needs besides. */
size_t kp__fft_shared_space(const kp__fft_line *line, kp_fft_kind kind);
size_t kp__fft_shared_part_space(const kp__fft_line *line, kp_fft_kind kind);
/* Complex elements of memory a shared complex line's transform needs: its
 * inner line's, and Bluestein's padded sequence. */
static inline size_t kp__fft_cpx_space(const kp__fft_line *cpx)
{
    if (cpx->bluestein == NULL) return kp__fft_inner_space(cpx);
    return kp__fft_inner_space(cpx->bluestein) + cpx->bluestein->n;
}
/* Where part c of `parts` of op starts (c = parts: its end). Real lines'
 * pre- and post-passes start parts at 1 + 4q, as the AVX-512 loop steps. */
size_t kp__fft_shared_cut(const kp__fft_op *op, size_t c, size_t parts);
/* The operations of one shared line from src to dst (strides in elements
 * of each side, as kp__fft_c2c and the rest), mem holding
 * kp__fft_shared_space elements (shared.c, once per precision). */
void kp__fft_shared_make_d(kp__fft_shared *sh, const kp__fft_line *line, kp_fft_kind kind, int fwd,
                           const void *src, ptrdiff_t ss, void *dst, ptrdiff_t ds, double scale,
                           void *mem);
void kp__fft_shared_make_s(kp__fft_shared *sh, const kp__fft_line *line, kp_fft_kind kind, int fwd,
                           const void *src, ptrdiff_t ss, void *dst, ptrdiff_t ds, double scale,
                           void *mem);
/* Indices [a, b) of operation i; work holds kp__fft_shared_part_space
 * (lines.c, once per precision). */
void kp__fft_shared_run_d(const kp__fft_shared *sh, size_t i, size_t a, size_t b, void *work);
void kp__fft_shared_run_s(const kp__fft_shared *sh, size_t i, size_t a, size_t b, void *work);

#endif
