/*
 * Making a line: its passes and twiddle tables, Bluestein's or the
 * four-step's inner lines; which lines take the lanes and which the threads
 * can share. The radices of n and the choice between mixed radix and
 * Bluestein are radices.c's; the work space lines need is space.c's.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/fft/fft.h"
#include "sched/internal.h"

/* The passes for the precision and the widest instruction set allowed. */
static kp__fft_exec_fn *pick_exec(int single)
{
#if defined(__x86_64__)
    switch (kp__isa_selected()) {
    case KP_ISA_AVX512: return single ? kp__fft_line_exec_s_avx512 : kp__fft_line_exec_d_avx512;
    case KP_ISA_AVX2: return single ? kp__fft_line_exec_s_avx2 : kp__fft_line_exec_d_avx2;
    default: break;
    }
#endif
    return single ? kp__fft_line_exec_s : kp__fft_line_exec_d;
}

/* The parts of shared lines, for the same precision and instruction set. */
static kp__fft_part_fn *pick_part(int single)
{
#if defined(__x86_64__)
    switch (kp__isa_selected()) {
    case KP_ISA_AVX512: return single ? kp__fft_line_part_s_avx512 : kp__fft_line_part_d_avx512;
    case KP_ISA_AVX2: return single ? kp__fft_line_part_s_avx2 : kp__fft_line_part_d_avx2;
    default: break;
    }
#endif
    return single ? kp__fft_line_part_s : kp__fft_line_part_d;
}

/* Mixed-radix lines of at least this many bytes (32768 points in double,
 * 65536 in float) can be shared by the threads of a step with fewer lines
 * than threads (passes.c, exec.c). Sharing moves half the data between the
 * cores, which costs most where the cores are far apart, and pays where a
 * line and its work space outgrow one core's cache: on two virtual CPUs
 * placed far apart a shared double c2c line of 2^14 ran 0.29x, 2^15 0.79x
 * and 2^16 1.06x the speed of one thread (1.0x, 1.5x and 1.8x where they
 * were close; float 2^16 0.86x far apart, 1.44x close). Whether a step
 * shares is measured (exec.c), so the bound is where sharing pays on close
 * cores: far apart, the steps run whole after a few shared ones. */
#define SHARE_MIN_BYTES (512 * 1024)

/* Mixed-radix lines of radices 2, 4 and 8 of at least this many bytes
 * (32768 points in double, 65536 in float) run blocked (fft.h) on one
 * thread too. Their passes are bound by the level-2 cache's traffic: each
 * streams the line and its work space, twice the line's bytes, through
 * it. Blocked, a block's passes stay in the cache, and the line crosses it
 * twice, not once a pass. One thread, AVX-512, Zen 5 (1 MiB level-2
 * cache), against pass after pass over the whole line: c2c double 2^15
 * 1.26x, 2^16 1.24x, 2^17 1.12x faster, float 2^16 1.03x, 2^17 1.09x;
 * r2c double 2^17 1.10x, 2^18 1.01x to 1.07x (complex lines of half); double
 * 2^14 (256 KiB) 1.13x slower. Lines with radices 3, 9 or 10 ran slower
 * blocked (3^11 1.22x, 2^15 3 1.08x, 100000 and 200000 1.08x and 1.28x):
 * their butterflies, not the cache, bound them; 5^7 and 5^8 within 2%. So
 * do the portable passes' scalar butterflies (2^15 to 2^17 1.03x to 1.1x
 * slower blocked); with AVX2, 2^15 to 2^17 ran 1.03x to 1.18x faster. */
#define BLOCKED_MIN_BYTES (512 * 1024)

/* Bytes of the line's complex values. */
static size_t line_bytes(const kp__fft_line *line)
{
    return line->n * (line->single ? 8 : 16);
}

/* The count of first passes whose radices' product L is nearest sqrt n,
 * with L and n / L at least 2 (np >= 2). */
static int head_passes(const kp__fft_line *line)
{
    int best = 1;
    double best_off = 0;
    for (int g = 1; g < line->npass; g++) {
        const double r = (double)line->pass[g].l1 * (double)line->pass[g].l1 / (double)line->n;
        const double off = r > 1 ? r : 1 / r;
        if (g == 1 || off < best_off) {
            best = g;
            best_off = off;
        }
    }
    return best;
}

/* A table of `count` complex values of the line's precision, zeroed if
 * `zero`, on a 64-byte boundary: a vector load from it never straddles two
 * cache lines (malloc's 16-byte alignment made twiddle loads split lines or
 * not from one allocation to the next, and the line's speed vary with it). */
static void *table_alloc(size_t count, int single, int zero)
{
    size_t bytes = count * 2 * (single ? sizeof(float) : sizeof(double));
    bytes = (bytes + 63) / 64 * 64;
    void *tab = aligned_alloc(64, bytes == 0 ? 64 : bytes);
    if (tab != NULL && zero) memset(tab, 0, bytes);
    return tab;
}

/* Stores v as real i of a table of the line's precision. */
static void put_real(void *tab, int single, size_t i, long double v)
{
    if (single)
        ((float *)tab)[i] = (float)v;
    else
        ((double *)tab)[i] = (double)v;
}

/* Stores a long double root in entry i of a table of the line's precision. */
static void put_root(void *tab, int single, size_t i, long double re, long double im)
{
    put_real(tab, single, 2 * i, re);
    put_real(tab, single, 2 * i + 1, im);
}

static int make_mixed(kp__fft_line *line)
{
    const size_t n = line->n;
    size_t p[KP__FFT_MAX_PASSES];
    int np = kp__fft_factorize(n, p);
    size_t l1 = 1, size = 0;
    for (int s = 0; s < np; s++) {
        kp__fft_pass *ps = &line->pass[s];
        ps->p = (unsigned)p[s]; /* at most radices.c's MAX_GENERIC */
        ps->l1 = l1;
        ps->ido = n / (l1 * p[s]);
        ps->tw = size;
        size += (size_t)(p[s] - 1) * ps->ido; /* i = 0 included (1), for vectors */
        ps->roots = size;
        if (!kp__fft_butterfly(p[s])) size += p[s]; /* the generic radix reads its roots */
        l1 *= p[s];
    }
    line->npass = np;
    line->scratch = n;
    const size_t bytes = line_bytes(line);
    int pow2 = 1; /* radices 2, 4 and 8 only */
    for (int s = 0; s < np; s++)
        pow2 &= p[s] <= 8 && (p[s] & (p[s] - 1)) == 0;
    const int vector = line->exec != (line->single ? kp__fft_line_exec_s : kp__fft_line_exec_d);
    line->blocked = pow2 && vector && bytes >= BLOCKED_MIN_BYTES && np >= 2;
    if ((bytes >= SHARE_MIN_BYTES && np >= 2) || line->blocked) {
        line->head = head_passes(line);
        /* a block of sub-transforms holds about KP__FFT_PART_POINTS points */
        const size_t len = n / line->pass[line->head].l1;
        line->block = KP__FFT_PART_POINTS / len < 16 ? 16 : KP__FFT_PART_POINTS / len;
        if (line->blocked) line->scratch = 2 * n + 2 * line->block * len;
    }
    if (size == 0) return KP_OK;

    line->tw = table_alloc(size, line->single, 0);
    kp__fft_roots roots;
    if (line->tw == NULL || kp__fft_roots_make(n, &roots) != KP_OK) {
        free(line->tw);
        line->tw = NULL;
        return KP_ENOMEM;
    }
    for (int s = 0; s < np; s++) {
        const kp__fft_pass *ps = &line->pass[s];
        long double re, im;
        /* twiddle of output m at i: exp(-2 pi i i m / (p ido)), root i m l1 of n */
        for (unsigned m = 1; m < ps->p; m++)
            for (size_t i = 0; i < ps->ido; i++) {
                kp__fft_roots_get(&roots, i * m * ps->l1, &re, &im);
                put_root(line->tw, line->single, ps->tw + (m - 1) * ps->ido + i, re, im);
            }
        if (!kp__fft_butterfly(ps->p))
            for (unsigned r = 0; r < ps->p; r++) {
                kp__fft_root(r, ps->p, &re, &im);
                put_root(line->tw, line->single, ps->roots + r, re, im);
            }
    }
    kp__fft_roots_free(&roots);
    return KP_OK;
}

/* The chirp c_k = exp(-pi i k^2 / n), root (k^2 mod 2n) of 2n, and the
 * kernel DFT_m(b) / m of b_l = conj(c_|l|) for |l| < n, wrapped mod m. */
static int make_bluestein(kp__fft_line *line, size_t m)
{
    const size_t n = line->n;
    const int single = line->single;
    const size_t es = 2 * (single ? sizeof(float) : sizeof(double));
    int rc = kp__fft_line_make(m, single, &line->bluestein);
    if (rc != KP_OK) return rc;
    line->chirp = table_alloc(n, single, 0);
    line->kernel = table_alloc(m, single, 1);
    void *work = malloc(line->bluestein->scratch * es);
    kp__fft_roots roots = {0};
    if (line->chirp == NULL || line->kernel == NULL || work == NULL ||
        kp__fft_roots_make(2 * n, &roots) != KP_OK) {
        free(work);
        return KP_ENOMEM; /* the caller destroys the line */
    }
    uint64_t r = 0; /* k^2 mod 2n, stepped by (k + 1)^2 - k^2 = 2k + 1 */
    const long double inv_m = 1.0L / (long double)m;
    for (size_t k = 0; k < n; k++) {
        long double re, im;
        kp__fft_roots_get(&roots, r, &re, &im);
        put_root(line->chirp, single, k, re, im);
        put_root(line->kernel, single, k, re * inv_m, -im * inv_m);
        if (k > 0) put_root(line->kernel, single, m - k, re * inv_m, -im * inv_m);
        r += 2 * (uint64_t)k + 1;
        while (r >= 2 * (uint64_t)n)
            r -= 2 * (uint64_t)n;
    }
    kp__fft_roots_free(&roots);
    line->bluestein->exec(line->bluestein, 1, line->kernel, line->kernel, work);
    free(work);
    line->scratch = m + line->bluestein->scratch; /* the padded sequence, then the inner work */
    return KP_OK;
}

/* Lines at least this long run the four-step algorithm when n splits into
 * two factors of at least FOURSTEP_MIN_SIDE: their data and work space
 * outgrow the caches the passes stream through. */
#define FOURSTEP_MIN_N    262144
#define FOURSTEP_MIN_SIDE 16

/* The divisor of n nearest sqrt(n) from below, from its radices. */
static size_t split_near_sqrt(size_t n)
{
    size_t p[KP__FFT_MAX_PASSES];
    int np = kp__fft_factorize(n, p);
    size_t best = 1;
    /* subsets of the radices are few (at most ~2^12 for n < 2^40 here) */
    unsigned long long subsets = np < 20 ? 1ull << np : 0;
    for (unsigned long long m = 0; m < subsets; m++) {
        size_t d = 1;
        for (int i = 0; i < np; i++)
            if (m >> i & 1) d *= p[i];
        if (d * d <= n && d > best) best = d;
    }
    return best;
}

/* A stride of at least m complex values that is an odd number of 64-byte
 * cache lines: rows or columns that far apart fall in different sets of a
 * set-associative cache, where a power of two would put them all in one. */
static size_t pad_stride(size_t m, int single)
{
    const size_t per_line = single ? 8 : 4, lines = (m + per_line - 1) / per_line;
    return (lines | 1) * per_line;
}

#if defined(__x86_64__)
/* A four-step line's columns (step 1, kp__fft_lanes_cols) or rows (step 2,
 * kp__fft_lanes_rows) go in vector lanes where the lanes take every radix
 * of their line (kp__fft_lanes_radix) and some pass
 * leaves part of a vector (ido > 1 and no multiple of VLEN: the line's own
 * passes end each group of i with a masked tail): whole vectors in every
 * pass, and no transposes but step 2's in. Returns 2 for AVX-512, 1 for
 * AVX2, 0 where they do not. */
static int lanes_four(const kp__fft_line *sub)
{
    if (sub->npass == 0 || sub->col != NULL || sub->bluestein != NULL) return 0;
    const int wide = kp__isa_selected() == KP_ISA_AVX512;
    if (!wide && kp__isa_selected() != KP_ISA_AVX2) return 0;
    const size_t vlen = (wide ? 4 : 2) * (sub->single ? 2 : 1);
    int partial = 0;
    for (int s = 0; s < sub->npass; s++) {
        if (!kp__fft_lanes_radix(sub->pass[s].p)) return 0;
        if (sub->pass[s].ido > 1 && sub->pass[s].ido % vlen != 0) partial = 1;
    }
    return partial ? 1 + wide : 0;
}

static void pick_four_lanes(kp__fft_line *line)
{
    static kp__fft_cols_fn *const cols[2][2] = {
        {kp__fft_lanes_cols_d_avx2, kp__fft_lanes_cols_d_avx512},
        {kp__fft_lanes_cols_s_avx2, kp__fft_lanes_cols_s_avx512}};
    static kp__fft_rows_fn *const rows[2][2] = {
        {kp__fft_lanes_rows_d_avx2, kp__fft_lanes_rows_d_avx512},
        {kp__fft_lanes_rows_s_avx2, kp__fft_lanes_rows_s_avx512}};
    const int c = lanes_four(line->col), r = lanes_four(line->row);
    line->cols = c ? cols[line->single][c - 1] : NULL;
    /* The rows' lanes write a vector's bytes to each row of X, rows n1
     * apart: where n1's bytes hold a power of two of 4 KiB or more, those
     * rows share a few cache sets, and the blocks' wider rows stay (fft.h:
     * kp__fft_fourstep_rows_width). */
    const size_t n1 = line->col->n, es = line->single ? 8 : 16;
    line->rows = r && (n1 & (~n1 + 1)) * es < 4096 ? rows[line->single][r - 1] : NULL;
}
#endif

static int make_fourstep(kp__fft_line *line, size_t n1)
{
    const size_t n = line->n, n2 = n / n1;
    int rc = kp__fft_line_make(n1, line->single, &line->col);
    if (rc == KP_OK) rc = kp__fft_line_make(n2, line->single, &line->row);
    if (rc != KP_OK) return rc;
    /* The twiddles go by step 1's blocks of B columns (fft.h): w_n^(c k1)
     * for c < B, then w_n^(b k1) for each block's first column b. Every
     * exponent is below B n1 <= n or (n2 - 1) n1 < n. */
    const size_t block = KP__FFT_BLOCK(line->single), blocks = (n2 + block - 1) / block;
    kp__fft_roots roots;
    line->tw = table_alloc((block + blocks) * n1, line->single, 0);
    if (line->tw == NULL || kp__fft_roots_make(n, &roots) != KP_OK) return KP_ENOMEM;
    long double re, im;
    for (size_t k1 = 0; k1 < n1; k1++)
        for (size_t c = 0; c < block; c++) {
            kp__fft_roots_get(&roots, c * k1, &re, &im);
            put_root(line->tw, line->single, k1 * block + c, re, im);
        }
    for (size_t b = 0; b < blocks; b++)
        for (size_t k1 = 0; k1 < n1; k1++) {
            kp__fft_roots_get(&roots, b * block * k1, &re, &im);
            put_root(line->tw, line->single, (block + b) * n1 + k1, re, im);
        }
    kp__fft_roots_free(&roots);
    size_t len = n1 > n2 ? n1 : n2;
    size_t sub = line->col->scratch > line->row->scratch ? line->col->scratch : line->row->scratch;
    line->t_stride = pad_stride(n2, line->single);
    line->b_stride = pad_stride(len, line->single);
    /* T, the blocks of lines, the sub-lines' work space */
    line->scratch = kp__fft_fourstep_t_size(line) + kp__fft_fourstep_blocks_size(line) + sub;
    line->exec = line->single ? kp__fft_fourstep_exec_s : kp__fft_fourstep_exec_d;
#if defined(__x86_64__)
    pick_four_lanes(line);
#endif
    return KP_OK;
}

#if defined(__x86_64__)
/* 16, 32 and 64 points: both passes in registers, the per-pass calls and
 * the trip through memory saved, where the registers hold them
 * (simd_passes.c). */
static kp__fft_exec_fn *two_in_registers(const kp__fft_line *line)
{
    static const struct {
        kp__fft_exec_fn *passes, *two;
        unsigned sizes; /* bit log2 n: 16, 32, 64 */
    } fits[] = {
        {kp__fft_line_exec_d_avx512, kp__fft_line_two_exec_d_avx512, 1u << 4 | 1u << 5 | 1u << 6},
        {kp__fft_line_exec_s_avx512, kp__fft_line_two_exec_s_avx512, 1u << 6},
        {kp__fft_line_exec_s_avx512, kp__fft_line_two_exec_s_avx2, 1u << 4 | 1u << 5},
        {kp__fft_line_exec_d_avx2, kp__fft_line_two_exec_d_avx2, 1u << 4},
        {kp__fft_line_exec_s_avx2, kp__fft_line_two_exec_s_avx2, 1u << 4 | 1u << 5},
    };
    const size_t n = line->n;
    if (line->npass != 2 || (n != 16 && n != 32 && n != 64)) return line->exec;
    const unsigned p0 = line->pass[0].p, p1 = line->pass[1].p, lg = n == 16 ? 4 : n == 32 ? 5 : 6;
    if (p0 != (n == 64 ? 8 : 4) || p1 != (n == 16 ? 4 : 8)) return line->exec;
    for (size_t i = 0; i < sizeof fits / sizeof fits[0]; i++)
        if (line->exec == fits[i].passes && (fits[i].sizes >> lg & 1)) return fits[i].two;
    return line->exec;
}

/* The lanes code for the line's precision and instruction set, or NULL.
 * Mixed-radix lines whose radices the lanes all take (kp__fft_lanes_radix:
 * 16 runs one line at a time, the generic radix too) take it up
 * to 16 VLEN points (64 in double and 128 in float with AVX-512, 32 and 64
 * with AVX2). Timed against one line at a time in a batch of 256: 1.1x to
 * 12x faster at every such length (the most below 10 points, where a line
 * alone is mostly call and loop overhead); beyond, where the passes fill
 * whole vectors, 0.7x to 1.3x. Of the lines whose two passes run in
 * registers (two_in_registers), 16 points took 1.3-1.8x less time in lanes,
 * 32 and 64 0.8-1.0x: their first pass fills vectors without the
 * transposes in and out of the lanes. Float lines of 32 with AVX-512 run
 * their two passes with AVX2 (half a register would hold them), and lanes
 * of 512 bits beat that: a batch of 256 1.25x, 2-D 32 x 32 1.45x, r2c
 * batches of 64 (complex lines of 32) 1.6-1.9x faster (Zen 5; float 64 in
 * lanes: batches 0.75x, so not). */
static kp__fft_lanes_fn *pick_lanes(const kp__fft_line *line)
{
    if (line->npass == 0 || line->col != NULL || line->bluestein != NULL) return NULL;
    const int wide = kp__isa_selected() == KP_ISA_AVX512;
    const int narrow_two = wide && line->exec == kp__fft_line_two_exec_s_avx2;
    if (line->exec != pick_exec(line->single) && line->n != 16 && !narrow_two) return NULL;
    for (int s = 0; s < line->npass; s++)
        if (!kp__fft_lanes_radix(line->pass[s].p)) return NULL;
    if (!wide && kp__isa_selected() != KP_ISA_AVX2) return NULL;
    const size_t vlen = (wide ? 4 : 2) * (line->single ? 2 : 1);
    if (line->n > 16 * vlen) return NULL;
    if (wide) return line->single ? kp__fft_lanes_s_avx512 : kp__fft_lanes_d_avx512;
    return line->single ? kp__fft_lanes_s_avx2 : kp__fft_lanes_d_avx2;
}
#endif

int kp__fft_line_make(size_t n, int single, kp__fft_line **out)
{
    /* Bluestein needs 2n - 1 and a power of two above it; roots need 8n. */
    if (n == 0 || n > ((size_t)1 << 40)) return KP_EOVERFLOW;
    kp__fft_line *line = calloc(1, sizeof *line);
    if (line == NULL) return KP_ENOMEM;
    line->n = n;
    line->single = single;
    line->exec = pick_exec(single);
    line->part = pick_part(single);

    size_t m = kp__fft_bluestein_length(n);
    size_t n1 = m == 0 && n >= FOURSTEP_MIN_N ? split_near_sqrt(n) : 0;
    int rc = m                         ? make_bluestein(line, m)
             : n1 >= FOURSTEP_MIN_SIDE ? make_fourstep(line, n1)
                                       : make_mixed(line);
#if defined(__x86_64__)
    if (rc == KP_OK) {
        /* real lines take the lanes where the complex line's own two
           passes in registers would win (batches of 512, one thread: r2c
           of 64 and 128 points double 1.7x and 1.3x, float 128 1.8x; c2r
           1.9x, 1.6x, 2.1x faster in lanes) */
        line->real_lanes = pick_lanes(line) != NULL;
        line->exec = two_in_registers(line);
        line->lanes = pick_lanes(line);
    }
#endif
    if (rc != KP_OK) {
        kp__fft_line_destroy(line);
        return rc;
    }
    *out = line;
    return KP_OK;
}

/* Odd real lines at least this long are split by their first radix when
 * it is 3, 5 or 7 (split.c): half the work of the complex line of n. */
#define SPLIT_MIN_N 45

/* The radix an odd real line of n is split by, or 0. */
static unsigned odd_split(size_t n)
{
    if (n % 2 == 0 || n < SPLIT_MIN_N) return 0;
    for (unsigned p = 3; p <= 7; p += 2)
        if (n % p == 0) return p; /* 3, 5, 7 in turn: the smallest prime */
    return 0;
}

/* Fills an even real line's table rtw with the roots w_n^k, k < n / 2. */
static int real_roots(kp__fft_line *line)
{
    kp__fft_roots roots;
    line->rtw = table_alloc(line->n / 2, line->single, 0);
    if (line->rtw == NULL || kp__fft_roots_make(line->n, &roots) != KP_OK) return KP_ENOMEM;
    for (size_t k = 0; k < line->n / 2; k++) {
        long double re, im;
        kp__fft_roots_get(&roots, k, &re, &im);
        put_root(line->rtw, line->single, k, re, im);
    }
    kp__fft_roots_free(&roots);
    return KP_OK;
}

/* Fills a split line's table rtw (fft.h, KP__FFT_SPLIT_BLOCK): for radix p
 * and n = p q, the roots w_n^(c m) in parts, then w_n^(b B m). */
static int split_roots(kp__fft_line *line, unsigned p, size_t q)
{
    const size_t block = KP__FFT_SPLIT_BLOCK, blocks = kp__fft_split_blocks(q);
    const unsigned h = p / 2;
    kp__fft_roots roots;
    line->rtw = table_alloc(h * (block + blocks), line->single, 0);
    if (line->rtw == NULL || kp__fft_roots_make(line->n, &roots) != KP_OK) return KP_ENOMEM;
    long double re, im;
    for (unsigned m = 1; m <= h; m++)
        for (size_t c = 0; c < block; c++) {
            kp__fft_roots_get(&roots, c * m, &re, &im);
            put_real(line->rtw, line->single, kp__fft_split_fine(m) + c, re);
            put_real(line->rtw, line->single, kp__fft_split_fine(m) + block + c, im);
        }
    for (unsigned m = 1; m <= h; m++)
        for (size_t b = 0; b < blocks; b++) {
            const size_t at = kp__fft_split_coarse(p, q, m, b);
            kp__fft_roots_get(&roots, b * block * m, &re, &im);
            put_real(line->rtw, line->single, at, re);
            put_real(line->rtw, line->single, at + 1, im);
        }
    kp__fft_roots_free(&roots);
    return KP_OK;
}

int kp__fft_real_line_make(size_t n, int single, kp__fft_line **out)
{
    if (n == 0 || n > ((size_t)1 << 40)) return KP_EOVERFLOW;
    kp__fft_line *line = calloc(1, sizeof *line);
    if (line == NULL) return KP_ENOMEM;
    line->n = n;
    line->single = single;
    line->real = 1;
    const unsigned p = odd_split(n);
    int rc;
    if (p != 0) { /* n = p q: the complex and the real line of q, roots i m */
        const size_t q = n / p;
        rc = kp__fft_line_make(q, single, &line->sub);
        if (rc == KP_OK) rc = kp__fft_real_line_make(q, single, &line->rest);
        if (rc == KP_OK) rc = split_roots(line, p, q);
        line->split = p;
    } else if (n % 2 == 1) {
        rc = kp__fft_line_make(n, single, &line->sub);
    } else { /* the line of n / 2, roots k < n / 2 */
        rc = kp__fft_line_make(n / 2, single, &line->sub);
        if (rc == KP_OK) rc = real_roots(line);
    }
    if (rc != KP_OK) {
        kp__fft_line_destroy(line);
        return rc;
    }
    *out = line;
    return KP_OK;
}

int kp__fft_lanes_ok(const kp__fft_line *line, kp_fft_kind kind)
{
    if (kind == KP_FFT_C2C) return line->lanes != NULL;
    if (!line->real || line->split) return 0;
    if (line->n == 2) return 1; /* lines.c's two_point_lines */
    /* odd lines take the complex line's lanes (lines.c's odd_lanes) */
    return line->n % 2 == 0 ? line->sub->real_lanes : line->sub->lanes != NULL;
}

/* Whether the threads can share a complex line: its inner line (itself, or
 * its Bluestein line) is a four-step line or a mixed-radix line with a
 * head of SHARE_MIN_BYTES or more (a blocked line may be shorter), and no
 * radix-16 last pass (radices.c's pow2_radices gives one to 2^15 where the
 * level-1 cache has fewer than 12 ways; simd_passes.c pass_k16). A real
 * line is shared where its complex line is: the pieces around it move the
 * data between the cores once more (with the cores far apart, r2c of 2^16,
 * 2^17 and 100000 ran 0.86x to 0.95x, 2^18 1.05x the speed of one thread;
 * split odd lines of 3^11 and 5^8 1.5x and 1.2x slower; close together,
 * r2c of 2^17 1.43x faster), and the steps measure whether sharing pays. */
static int cpx_shareable(const kp__fft_line *cpx)
{
    const kp__fft_line *in = cpx->bluestein != NULL ? cpx->bluestein : cpx;
    if (in->col != NULL) return 1;
    if (in->npass > 0 && in->pass[in->npass - 1].p == 16) return 0;
    return in->head > 0 && line_bytes(in) >= SHARE_MIN_BYTES;
}

int kp__fft_shareable(const kp__fft_line *line, kp_fft_kind kind)
{
    return cpx_shareable(kind == KP_FFT_C2C ? line : line->sub);
}

void kp__fft_line_destroy(kp__fft_line *line)
{
    if (line == NULL) return;
    kp__fft_line_destroy(line->sub);
    kp__fft_line_destroy(line->rest);
    kp__fft_line_destroy(line->col);
    kp__fft_line_destroy(line->row);
    free(line->rtw);
    kp__fft_line_destroy(line->bluestein);
    free(line->tw);
    free(line->chirp);
    free(line->kernel);
    free(line);
}
