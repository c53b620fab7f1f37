/*
 * numpy.random.SeedSequence with pool_size 4, bit for bit (numpy 1.24,
 * numpy/random/bit_generator.pyx; the design is M. E. O'Neill's seed_seq
 * replacement, pcg-random.org, "Developing a seed_seq alternative").
 *
 * All arithmetic is on uint32 mod 2**32. The entropy E is the entropy words
 * followed by the spawn key, with zero words padding the entropy up to the
 * pool size when there is a spawn key (numpy 1.19+, gh-16539), so a child
 * never equals its parent.
 */
#include <string.h>

#include "rng/rng.h"

#define POOL 4

/* The constants of numpy's SeedSequence. */
#define INIT_A     0x43b0d7e5u
#define MULT_A     0x931e8875u
#define INIT_B     0x8b51f9ddu
#define MULT_B     0x58f38dedu
#define MIX_MULT_L 0xca01f9ddu
#define MIX_MULT_R 0x4973f715u
#define XSHIFT     16

/* hashmix with a running multiplier: h moves on at every call, and the
 * value is multiplied by the new h. */
static uint32_t hashmix(uint32_t v, uint32_t *h)
{
    v ^= *h;
    *h *= MULT_A;
    v *= *h;
    return v ^ (v >> XSHIFT);
}

static uint32_t mix(uint32_t x, uint32_t y)
{
    uint32_t t = MIX_MULT_L * x - MIX_MULT_R * y;
    return t ^ (t >> XSHIFT);
}

/* Word i of E (entropy, zero padding, spawn key). */
static uint32_t entropy_word(const kp_seedseq *ss, uint32_t run, uint32_t i)
{
    if (i < ss->n_entropy) return ss->entropy[i];
    if (i < run) return 0;
    return ss->spawn_key[i - run];
}

static void mix_entropy(kp_seedseq *ss)
{
    uint32_t run = ss->n_entropy;
    if (ss->n_spawn_key > 0 && run < POOL) run = POOL;
    uint32_t len = run + ss->n_spawn_key;

    uint32_t h = INIT_A;
    for (uint32_t i = 0; i < POOL; i++)
        ss->pool[i] = hashmix(i < len ? entropy_word(ss, run, i) : 0, &h);
    for (uint32_t src = 0; src < POOL; src++)
        for (uint32_t dst = 0; dst < POOL; dst++)
            if (src != dst) ss->pool[dst] = mix(ss->pool[dst], hashmix(ss->pool[src], &h));
    for (uint32_t src = POOL; src < len; src++)
        for (uint32_t dst = 0; dst < POOL; dst++)
            ss->pool[dst] = mix(ss->pool[dst], hashmix(entropy_word(ss, run, src), &h));
}

int kp_seedseq_init(kp_seedseq *ss, const uint32_t *entropy, size_t n_entropy,
                    const uint32_t *spawn_key, size_t n_key)
{
    if (!ss || (n_entropy > 0 && !entropy) || (n_key > 0 && !spawn_key)) return KP_ENULL;
    if (n_entropy > KP_SEEDSEQ_MAX_ENTROPY || n_key > KP_SEEDSEQ_MAX_SPAWN_KEY) return KP_EOVERFLOW;
    kp_seedseq s;
    memset(&s, 0, sizeof s);
    if (n_entropy > 0) memcpy(s.entropy, entropy, n_entropy * sizeof *entropy);
    if (n_key > 0) memcpy(s.spawn_key, spawn_key, n_key * sizeof *spawn_key);
    s.n_entropy = (uint32_t)n_entropy;
    s.n_spawn_key = (uint32_t)n_key;
    mix_entropy(&s);
    *ss = s;
    return KP_OK;
}

int kp_seedseq_init_u64(kp_seedseq *ss, uint64_t seed)
{
    const uint32_t words[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    return kp_seedseq_init(ss, words, words[1] ? 2 : 1, NULL, 0);
}

/* generate_state's word i for i = 0, 1, ...: the pool cycled through a
 * hashmix with the B constants, h restarting at INIT_B on every call. */
typedef struct state_words {
    const uint32_t *pool;
    uint32_t h;
    size_t i;
} state_words;

static uint32_t next_word(state_words *w)
{
    uint32_t v = w->pool[w->i++ % POOL];
    v ^= w->h;
    w->h *= MULT_B;
    v *= w->h;
    return v ^ (v >> XSHIFT);
}

int kp_seedseq_generate_state32(const kp_seedseq *ss, uint32_t *out, size_t n)
{
    if (!ss || (n > 0 && !out)) return KP_ENULL;
    state_words w = {ss->pool, INIT_B, 0};
    for (size_t i = 0; i < n; i++)
        out[i] = next_word(&w);
    return KP_OK;
}

int kp_seedseq_generate_state64(const kp_seedseq *ss, uint64_t *out, size_t n)
{
    if (!ss || (n > 0 && !out)) return KP_ENULL;
    state_words w = {ss->pool, INIT_B, 0};
    for (size_t i = 0; i < n; i++) {
        uint64_t lo = next_word(&w);
        out[i] = lo | (uint64_t)next_word(&w) << 32;
    }
    return KP_OK;
}

int kp_seedseq_spawn(kp_seedseq *ss, kp_seedseq *children, size_t n)
{
    if (!ss || (n > 0 && !children)) return KP_ENULL;
    if (n == 0) return KP_OK;
    if (ss->n_spawn_key >= KP_SEEDSEQ_MAX_SPAWN_KEY ||
        n > UINT32_MAX - (uint64_t)ss->n_children_spawned)
        return KP_EOVERFLOW;
    /* The children are built from a copy, so ss may be read while they are
     * written (they must not overlap it, but a caller's mistake there still
     * cannot change which keys they get). */
    const kp_seedseq parent = *ss;
    uint32_t key[KP_SEEDSEQ_MAX_SPAWN_KEY];
    memcpy(key, parent.spawn_key, parent.n_spawn_key * sizeof *key);
    for (size_t i = 0; i < n; i++) {
        key[parent.n_spawn_key] = parent.n_children_spawned + (uint32_t)i;
        (void)kp_seedseq_init(&children[i], parent.entropy, parent.n_entropy, key,
                              parent.n_spawn_key + 1);
    }
    ss->n_children_spawned = parent.n_children_spawned + (uint32_t)n;
    return KP_OK;
}
