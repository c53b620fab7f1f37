/*
 * The bit generators, bit for bit as numpy 1.24 (numpy/random/src/pcg64/,
 * numpy/random/src/philox/): seeding, single draws with numpy's pending
 * half-word, jump-ahead, and the state words for checkpoints.
 */
#include <string.h>

#include "rng/rng.h"
#include "sched/internal.h"

/* ------------------------------------------------------------- PCG helpers */

static kp__u128 pcg_state(const kp_rng *g)
{
    return kp__u128_make(g->state[0], g->state[1]);
}
static kp__u128 pcg_inc(const kp_rng *g)
{
    return kp__u128_make(g->state[2], g->state[3]);
}
static void pcg_store(kp_rng *g, kp__u128 s)
{
    g->state[0] = kp__hi64(s);
    g->state[1] = kp__lo64(s);
}

/* The LCG step multiplier: numpy's DXSM steps with the cheap one. */
static kp__u128 pcg_mult(const kp_rng *g)
{
    return g->kind == KP_PCG64DXSM ? KP__PCG_CHEAP : KP__PCG_MULT;
}

/* s -> a^delta s + c (a^(delta-1) + ... + 1) mod 2**128 in O(log delta)
 * (F. Brown, "Random number generation with arbitrary strides", Trans. Am.
 * Nucl. Soc. 71, 1994). */
static kp__u128 lcg_advance(kp__u128 s, kp__u128 a, kp__u128 c, kp__u128 delta)
{
    kp__u128 acc_mult = 1, acc_plus = 0;
    while (delta > 0) {
        if (delta & 1) {
            acc_mult *= a;
            acc_plus = acc_plus * a + c;
        }
        c = (a + 1) * c;
        a *= a;
        delta >>= 1;
    }
    return acc_mult * s + acc_plus;
}

/* ---------------------------------------------------------------- Philox */

#define PHILOX_M0 UINT64_C(0xD2E7470EE14C6C93)
#define PHILOX_M1 UINT64_C(0xCA5A826395121157)
#define PHILOX_W0 UINT64_C(0x9E3779B97F4A7C15) /* golden ratio */
#define PHILOX_W1 UINT64_C(0xBB67AE8584CAA73B) /* sqrt(3) - 1 */

void kp__philox_block(const uint64_t ctr[4], const uint64_t key[2], uint64_t out[4])
{
    uint64_t c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
    uint64_t k0 = key[0], k1 = key[1];
    for (int round = 0; round < 10; round++) {
        if (round > 0) {
            k0 += PHILOX_W0;
            k1 += PHILOX_W1;
        }
        kp__u128 p0 = (kp__u128)PHILOX_M0 * c0, p1 = (kp__u128)PHILOX_M1 * c2;
        c0 = kp__hi64(p1) ^ c1 ^ k0;
        c1 = kp__lo64(p1);
        c2 = kp__hi64(p0) ^ c3 ^ k1;
        c3 = kp__lo64(p0);
    }
    out[0] = c0;
    out[1] = c1;
    out[2] = c2;
    out[3] = c3;
}

void kp__philox_add(uint64_t ctr[4], const uint64_t delta[4])
{
    unsigned carry = 0;
    for (int i = 0; i < 4; i++) {
        uint64_t sum = ctr[i] + delta[i];
        unsigned c1 = sum < ctr[i];
        ctr[i] = sum + carry;
        carry = c1 | (ctr[i] < sum);
    }
}

static void philox_increment(uint64_t ctr[4])
{
    for (int i = 0; i < 4 && ++ctr[i] == 0; i++)
        ;
}

/* Empties the block buffer the way numpy's advance and jump do. */
static void philox_drop_buffer(kp_rng *g)
{
    memset(g->buffer, 0, sizeof g->buffer);
    g->buffer_pos = KP__PHILOX_BLOCKS;
}

/* ----------------------------------------------------------------- seeding */

int kp_rng_init(kp_rng *g, kp_bitgen kind, const kp_seedseq *ss)
{
    if (!g || !ss) return KP_ENULL;
    if (kind != KP_PCG64 && kind != KP_PCG64DXSM && kind != KP_PHILOX) return KP_EINVAL;
    kp_rng r;
    memset(&r, 0, sizeof r);
    r.kind = kind;
    if (kind == KP_PHILOX) {
        (void)kp_seedseq_generate_state64(ss, r.key, 2);
        r.buffer_pos = KP__PHILOX_BLOCKS;
    } else {
        /* pcg_setseq_128_srandom_r: c = 2 initseq + 1, then s = 0, step,
         * s += initstate, step, all with the full multiplier (numpy seeds
         * DXSM the same way). */
        uint64_t w[4];
        (void)kp_seedseq_generate_state64(ss, w, 4);
        kp__u128 initstate = kp__u128_make(w[0], w[1]);
        kp__u128 c = kp__u128_make(w[2], w[3]) << 1 | 1;
        kp__u128 s = (c + initstate) * KP__PCG_MULT + c;
        pcg_store(&r, s);
        r.state[2] = kp__hi64(c);
        r.state[3] = kp__lo64(c);
    }
    *g = r;
    return KP_OK;
}

/* ------------------------------------------------------------ single draws */

static inline uint64_t next64(kp_rng *g)
{
    switch (g->kind) {
    case KP_PCG64: {
        kp__u128 s = pcg_state(g) * KP__PCG_MULT + pcg_inc(g);
        pcg_store(g, s);
        return kp__xsl_rr(s);
    }
    case KP_PCG64DXSM: {
        kp__u128 s = pcg_state(g);
        pcg_store(g, s * KP__PCG_CHEAP + pcg_inc(g));
        return kp__dxsm(s);
    }
    default:
        if (g->buffer_pos == KP__PHILOX_BLOCKS) {
            philox_increment(g->state);
            kp__philox_block(g->state, g->key, g->buffer);
            g->buffer_pos = 0;
        }
        return g->buffer[g->buffer_pos++];
    }
}

uint64_t kp_rng_next64(kp_rng *g)
{
    return g ? next64(g) : 0;
}

static inline uint32_t next32(kp_rng *g)
{
    if (g->has_uint32) {
        g->has_uint32 = 0;
        return g->uinteger; /* numpy leaves the taken value in place */
    }
    uint64_t w = next64(g);
    g->has_uint32 = 1;
    g->uinteger = (uint32_t)(w >> 32);
    return (uint32_t)w;
}

uint32_t kp_rng_next32(kp_rng *g)
{
    return g ? next32(g) : 0;
}

double kp_rng_next_double(kp_rng *g)
{
    return g ? kp__u64_to_double(next64(g)) : 0.0;
}

int64_t kp_rng_integer(kp_rng *g, int64_t low, int64_t high)
{
    if (!g || low >= high) return low;
    uint64_t off = (uint64_t)low, rng = (uint64_t)high - (uint64_t)low - 1;
    int64_t v;
    KP__LEMIRE(g, next32, next64, off, rng, v);
    return v;
}

/* ------------------------------------------------------------ jump-ahead */

/* delta is a signed 128-bit count; Philox sign-extends it to 256 bits. */
static void advance(kp_rng *g, uint64_t delta_hi, uint64_t delta_lo)
{
    if (g->kind == KP_PHILOX) {
        uint64_t ext = (delta_hi >> 63) ? UINT64_MAX : 0;
        const uint64_t delta[4] = {delta_lo, delta_hi, ext, ext};
        kp__philox_add(g->state, delta);
        philox_drop_buffer(g);
    } else {
        pcg_store(g, lcg_advance(pcg_state(g), pcg_mult(g), pcg_inc(g),
                                 kp__u128_make(delta_hi, delta_lo)));
    }
    g->has_uint32 = 0;
    g->uinteger = 0;
}

int kp_rng_advance(kp_rng *g, uint64_t delta_hi, uint64_t delta_lo)
{
    if (!g) return KP_ENULL;
    advance(g, delta_hi, delta_lo);
    return KP_OK;
}

int kp_rng_jumped(const kp_rng *g, uint64_t jumps, kp_rng *out)
{
    if (!g || !out) return KP_ENULL;
    kp_rng r = *g;
    if (r.kind == KP_PHILOX) {
        const uint64_t delta[4] = {0, 0, jumps, 0}; /* jumps * 2**128 blocks */
        kp__philox_add(r.state, delta);
        philox_drop_buffer(&r);
        r.has_uint32 = 0;
        r.uinteger = 0;
    } else {
        kp__u128 d = KP__PCG_JUMP * jumps;
        advance(&r, kp__hi64(d), kp__lo64(d));
    }
    *out = r;
    return KP_OK;
}

void kp__rng_skip(kp_rng *g, uint64_t k)
{
    if (k == 0) return;
    if (g->kind != KP_PHILOX) {
        pcg_store(g, lcg_advance(pcg_state(g), pcg_mult(g), pcg_inc(g), k));
        return;
    }
    uint64_t left = KP__PHILOX_BLOCKS - g->buffer_pos; /* unread words of this block */
    if (k <= left) {
        g->buffer_pos += (uint32_t)k;
        return;
    }
    /* The draws past the buffer span `blocks` new counter blocks; the last
     * one is encrypted into the buffer, as next64 would have left it. */
    uint64_t past = k - left;
    uint64_t blocks = (past - 1) / KP__PHILOX_BLOCKS + 1;
    const uint64_t delta[4] = {blocks, 0, 0, 0};
    kp__philox_add(g->state, delta);
    kp__philox_block(g->state, g->key, g->buffer);
    g->buffer_pos = (uint32_t)(past - (blocks - 1) * KP__PHILOX_BLOCKS);
}

/* ------------------------------------------------------------------ state */

int kp_rng_state_get(const kp_rng *g, uint64_t state[KP_RNG_STATE_WORDS])
{
    if (!g || !state) return KP_ENULL;
    uint64_t w[KP_RNG_STATE_WORDS] = {0};
    w[0] = KP_RNG_STATE_FORMAT + (uint64_t)g->kind;
    w[1] = g->has_uint32;
    w[2] = g->uinteger;
    memcpy(&w[3], g->state, sizeof g->state);
    if (g->kind == KP_PHILOX) {
        memcpy(&w[7], g->key, sizeof g->key);
        memcpy(&w[9], g->buffer, sizeof g->buffer);
        w[13] = g->buffer_pos;
    }
    memcpy(state, w, sizeof w);
    return KP_OK;
}

int kp_rng_state_set(kp_rng *g, const uint64_t state[KP_RNG_STATE_WORDS])
{
    if (!g || !state) return KP_ENULL;
    uint64_t kind = state[0] - KP_RNG_STATE_FORMAT;
    if (state[0] < KP_RNG_STATE_FORMAT || kind > KP_PHILOX) return KP_EINVAL;
    if (state[1] > 1 || state[2] > UINT32_MAX) return KP_EINVAL;
    size_t used = kind == KP_PHILOX ? 14 : 7;
    for (size_t i = used; i < KP_RNG_STATE_WORDS; i++)
        if (state[i] != 0) return KP_EINVAL;
    if (kind != KP_PHILOX && (state[6] & 1) == 0) return KP_EINVAL;
    if (kind == KP_PHILOX && state[13] > KP__PHILOX_BLOCKS) return KP_EINVAL;

    kp_rng r;
    memset(&r, 0, sizeof r);
    r.kind = (kp_bitgen)kind;
    r.has_uint32 = (uint32_t)state[1];
    r.uinteger = (uint32_t)state[2];
    memcpy(r.state, &state[3], sizeof r.state);
    if (kind == KP_PHILOX) {
        memcpy(r.key, &state[7], sizeof r.key);
        memcpy(r.buffer, &state[9], sizeof r.buffer);
        r.buffer_pos = (uint32_t)state[13];
    }
    *g = r;
    return KP_OK;
}

/* ----------------------------------------------------- bulk draws, buffers */

/* The step that moves a PCG state k draws at once: s -> A s + C. */
static void lcg_jump(kp__u128 a, kp__u128 c, unsigned k, kp__u128 *A, kp__u128 *C)
{
    *A = 1;
    *C = 0;
    for (unsigned i = 0; i < k; i++) {
        *A *= a;
        *C = *C * a + c;
    }
}

/* What a fill writes for each 64-bit draw w (KP__AS_*). */
typedef struct sink {
    int conv;
    void *out;
    double low, range; /* AS_UNIFORM */
} sink;

static inline __attribute__((always_inline)) void put(const sink *k, size_t i, uint64_t w)
{
    if (k->conv == KP__AS_RAW)
        ((uint64_t *)k->out)[i] = w;
    else if (k->conv == KP__AS_DOUBLE)
        ((double *)k->out)[i] = kp__u64_to_double(w);
    else
        ((double *)k->out)[i] = k->low + k->range * kp__u64_to_double(w);
}

/* PCG draws in four interleaved lanes: lane l makes draws l, l + 4, ...
 * with the four-step LCG, so four multiplications are in flight instead of
 * one chain of them. The outputs are those of the one-step loop. Inlined
 * once per conversion, so the conversion costs no branch. */
static inline __attribute__((always_inline)) void pcg_draws(kp_rng *g, size_t n, const sink *k)
{
    const int dxsm = g->kind == KP_PCG64DXSM;
    kp__u128 a = pcg_mult(g), c = pcg_inc(g), s = pcg_state(g);
    size_t i = 0;
#if defined(__x86_64__)
    if (n >= 32 && kp__isa_selected() == KP_ISA_AVX512)
        i = kp__pcg_lanes_avx512(dxsm, &s, a, c, n, k->conv, k->out, k->low, k->range);
#endif
    if (n - i >= 8) {
        kp__u128 A, C;
        lcg_jump(a, c, 4, &A, &C);
        /* XSL-RR outputs the state after its step, DXSM the state before. */
        kp__u128 t0 = dxsm ? s : a * s + c;
        kp__u128 t1 = a * t0 + c, t2 = a * t1 + c, t3 = a * t2 + c;
        for (; n - i >= 4; i += 4) {
            if (dxsm) {
                put(k, i, kp__dxsm(t0));
                put(k, i + 1, kp__dxsm(t1));
                put(k, i + 2, kp__dxsm(t2));
                put(k, i + 3, kp__dxsm(t3));
                s = a * t3 + c; /* the state after draw i + 3 */
            } else {
                put(k, i, kp__xsl_rr(t0));
                put(k, i + 1, kp__xsl_rr(t1));
                put(k, i + 2, kp__xsl_rr(t2));
                put(k, i + 3, kp__xsl_rr(t3));
                s = t3;
            }
            t0 = A * t0 + C;
            t1 = A * t1 + C;
            t2 = A * t2 + C;
            t3 = A * t3 + C;
        }
    }
    for (; i < n; i++) {
        if (dxsm) {
            put(k, i, kp__dxsm(s));
            s = a * s + c;
        } else {
            s = a * s + c;
            put(k, i, kp__xsl_rr(s));
        }
    }
    pcg_store(g, s);
}

static inline __attribute__((always_inline)) void philox_draws(kp_rng *g, size_t n, const sink *k)
{
    size_t i = 0;
    while (i < n && g->buffer_pos < KP__PHILOX_BLOCKS)
        put(k, i++, g->buffer[g->buffer_pos++]);
    if (n - i >= KP__PHILOX_BLOCKS) {
        uint64_t block[KP__PHILOX_BLOCKS];
        for (; n - i >= KP__PHILOX_BLOCKS; i += KP__PHILOX_BLOCKS) {
            philox_increment(g->state);
            kp__philox_block(g->state, g->key, block);
            for (int j = 0; j < KP__PHILOX_BLOCKS; j++)
                put(k, i + j, block[j]);
        }
        /* The buffer holds the last block, read to its end, as next64
         * would have left it. */
        memcpy(g->buffer, block, sizeof g->buffer);
    }
    while (i < n)
        put(k, i++, next64(g));
}

static void draws(kp_rng *g, size_t n, const sink *k)
{
    if (g->kind == KP_PHILOX)
        philox_draws(g, n, k);
    else
        pcg_draws(g, n, k);
}

void kp__rng_raw(kp_rng *g, size_t n, uint64_t *out)
{
    draws(g, n, &(sink){KP__AS_RAW, out, 0, 0});
}

void kp__rng_doubles(kp_rng *g, size_t n, double *out)
{
    draws(g, n, &(sink){KP__AS_DOUBLE, out, 0, 0});
}

void kp__rng_uniform(kp_rng *g, double low, double range, size_t n, double *out)
{
    draws(g, n, &(sink){KP__AS_UNIFORM, out, low, range});
}

void kp__draws_begin(kp__draws *d, const kp_rng *g)
{
    d->start = *g;
    d->ahead = *g;
    d->buffered = 0;
    d->has32 = g->has_uint32;
    d->half32 = g->uinteger;
    d->pos = d->len = 0;
}

void kp__draws_refill(kp__draws *d)
{
    kp__rng_raw(&d->ahead, KP__DRAWS_BUF, d->buf);
    d->buffered += KP__DRAWS_BUF;
    d->pos = 0;
    d->len = KP__DRAWS_BUF;
}

void kp__draws_finish(const kp__draws *d, kp_rng *g)
{
    kp_rng r = d->start;
    kp__rng_skip(&r, d->buffered - (d->len - d->pos)); /* the words consumed */
    r.has_uint32 = d->has32;
    r.uinteger = d->half32;
    *g = r;
}
