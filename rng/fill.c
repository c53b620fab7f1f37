/*
 * The fills: n values cut into blocks of KP_RNG_BLOCK whose boundaries and
 * generators depend on n and the starting state alone, so any thread may run
 * any block and the bits never depend on workers.
 *
 *   exact fills      block j starts from g moved by j * KP_RNG_BLOCK draws
 *                    (kp__rng_skip, O(log)), so the blocks together are the
 *                    sequential stream;
 *   substream fills  block j starts from g advanced by j * 2**64 (block 0 is
 *                    g itself), and the block's sampler draws as many words
 *                    as its rejections need.
 * The block that ends at n leaves its generator in *end: that is where g
 * goes. Nothing is allocated; each block converts through a small buffer on
 * its thread's stack.
 */
#include <math.h>
#include <string.h>

#include "rng/rng.h"

typedef enum { F_RAW, F_RANDOM, F_UNIFORM, F_INTEGERS, F_NORMAL, F_EXPONENTIAL } family;

typedef struct fill {
    family fam;
    kp_rng start;
    size_t n, nblocks;
    void *out;
    double low, range;  /* F_UNIFORM */
    uint64_t off, span; /* F_INTEGERS: [off, off + span] */
    kp_rng end;         /* written by the block that ends at n */
} fill;

static int is_exact(family fam)
{
    return fam == F_RAW || fam == F_RANDOM || fam == F_UNIFORM;
}

/* Values [begin, begin + len) of an exact fill from the generator g at the
 * first of their draws. */
static void exact_block(const fill *f, kp_rng *g, size_t begin, size_t len)
{
    if (f->fam == F_RAW)
        kp__rng_raw(g, len, (uint64_t *)f->out + begin);
    else if (f->fam == F_RANDOM)
        kp__rng_doubles(g, len, (double *)f->out + begin);
    else
        kp__rng_uniform(g, f->low, f->range, len, (double *)f->out + begin);
}

/* One block of a substream fill, from the generator g at its start. */
static void substream_block(const fill *f, kp_rng *g, size_t begin, size_t len)
{
    kp__draws *d = &(kp__draws){0};
    kp__draws_begin(d, g);
    if (f->fam == F_INTEGERS)
        kp__integers_fill(d, f->off, f->span, (int64_t *)f->out + begin, len);
    else if (f->fam == F_NORMAL)
        kp__normal_fill(d, (double *)f->out + begin, len);
    else
        kp__exponential_fill(d, (double *)f->out + begin, len);
    kp__draws_finish(d, g);
}

static void run_blocks(void *ctx, size_t first, size_t last)
{
    fill *f = ctx;
    for (size_t j = first; j < last; j++) {
        size_t begin = j * KP_RNG_BLOCK;
        size_t len = f->n - begin < KP_RNG_BLOCK ? f->n - begin : KP_RNG_BLOCK;
        kp_rng g = f->start;
        if (is_exact(f->fam)) {
            kp__rng_skip(&g, begin);
            exact_block(f, &g, begin, len);
        } else {
            if (j > 0) (void)kp_rng_advance(&g, j, 0);
            substream_block(f, &g, begin, len);
        }
        if (j == f->nblocks - 1) f->end = g;
    }
}

static int check(const kp_rng *g, size_t n, size_t elem, const void *out)
{
    if (!g || (n > 0 && !out)) return KP_ENULL;
    if (n > PTRDIFF_MAX / elem) return KP_EOVERFLOW;
    return KP_OK;
}

static void run(kp_rng *g, fill *f, size_t n, void *out, int workers)
{
    if (n == 0) return;
    f->start = *g;
    f->n = n;
    f->nblocks = (n - 1) / KP_RNG_BLOCK + 1;
    f->out = out;
    /* One block runs on the caller without touching the pool. */
    (void)kp_parallel_for(f->nblocks, 1, run_blocks, f, workers);
    *g = f->end;
}

int kp_random_raw(kp_rng *g, size_t n, uint64_t *out, int workers)
{
    int st = check(g, n, sizeof *out, out);
    if (st != KP_OK) return st;
    run(g, &(fill){.fam = F_RAW}, n, out, workers);
    return KP_OK;
}

int kp_random(kp_rng *g, size_t n, double *out, int workers)
{
    int st = check(g, n, sizeof *out, out);
    if (st != KP_OK) return st;
    run(g, &(fill){.fam = F_RANDOM}, n, out, workers);
    return KP_OK;
}

int kp_uniform(kp_rng *g, double low, double high, size_t n, double *out, int workers)
{
    int st = check(g, n, sizeof *out, out);
    if (st != KP_OK) return st;
    double range = high - low;
    if (!(isfinite(low) && isfinite(high) && isfinite(range))) return KP_EINVAL;
    run(g, &(fill){.fam = F_UNIFORM, .low = low, .range = range}, n, out, workers);
    return KP_OK;
}

int kp_integers(kp_rng *g, int64_t low, int64_t high, size_t n, int64_t *out, int workers)
{
    int st = check(g, n, sizeof *out, out);
    if (st != KP_OK) return st;
    if (low >= high) return KP_EINVAL;
    uint64_t span = (uint64_t)high - (uint64_t)low - 1;
    run(g, &(fill){.fam = F_INTEGERS, .off = (uint64_t)low, .span = span}, n, out, workers);
    return KP_OK;
}

int kp_standard_normal(kp_rng *g, size_t n, double *out, int workers)
{
    int st = check(g, n, sizeof *out, out);
    if (st != KP_OK) return st;
    run(g, &(fill){.fam = F_NORMAL}, n, out, workers);
    return KP_OK;
}

int kp_standard_exponential(kp_rng *g, size_t n, double *out, int workers)
{
    int st = check(g, n, sizeof *out, out);
    if (st != KP_OK) return st;
    run(g, &(fill){.fam = F_EXPONENTIAL}, n, out, workers);
    return KP_OK;
}
