/* The bit generators against independent implementations: O'Neill's pcg-cpp
 * (Debian libpcg-cpp-dev, /usr/include/pcg_random.hpp) for PCG64 and
 * PCG64DXSM, and Random123 (Debian librandom123-dev, philox4x64_R) for
 * Philox4x64-10. Only kernpool's SeedSequence is shared: the engines get the
 * seed words kp_seedseq_generate_state64() gives (that function is checked
 * against numpy elsewhere) and everything after that is theirs.
 *
 * PCG64. numpy seeds with initstate = w0:w1 and initseq = w2:w3 (hi:lo) as
 * pcg_setseq_128_srandom_r: inc = 2 initseq + 1, state = (initstate + inc)
 * M + inc. pcg-cpp's engine(initstate, initseq) (pcg_random.hpp, class
 * engine and specific_stream) sets inc_ = initseq << 1 | 1 and state_ =
 * bump(initstate + inc_) = (initstate + inc_) M + inc_: the same. pcg64 is
 * setseq_xsl_rr_128_64, whose output_previous is false (128-bit state), so
 * it outputs the state after its step, as numpy's PCG64 does.
 *
 * PCG64DXSM. Debian's pcg-cpp 0.98.1 predates the DXSM engines
 * (cm_setseq_dxsm_128_64), so the engine is put together from pcg-cpp's
 * parts: its pcg_detail::engine (the LCG step, advance, backstep) with a
 * multiplier mixin holding the cheap multiplier, output_previous = true (the
 * state before the step is output), and the DXSM output written here from
 * O'Neill's description (the only part not taken from an independent
 * source; it is pcg-cpp's later dxsm_mixin). numpy seeds DXSM with the full
 * multiplier, so the starting state is that of pcg64(initstate, initseq); the
 * constructor bumps with the cheap multiplier a, so it gets the initstate x
 * with (x + inc) a + inc = state, x = (state - inc) a^-1 - inc.
 *
 * Philox. numpy (and kernpool) keep a 256-bit counter that is incremented
 * before each block is encrypted, so the first block is philox(ctr = 1, key
 * = w0, w1) and each block gives four next64 draws in order.
 *
 * Each case compares >= 100,000 next64 draws, next32's half-words, the
 * exact fill kp_random_raw at workers -1, kp_rng_advance (deltas 0, 1,
 * 2**64, 2**127, -1 and others, as two's complement hi:lo) and
 * kp_rng_jumped. A plain program: it prints each mismatch and exits 1. */
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include <pcg_random.hpp>

#ifdef KP_HAVE_RANDOM123
#include <Random123/philox.h>
#endif

#include "kernpool.h"

typedef pcg_extras::pcg128_t u128;

static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            failures++;                                                                            \
            std::fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond);          \
            std::fprintf(stderr, __VA_ARGS__);                                                     \
            std::fprintf(stderr, "\n");                                                            \
        }                                                                                          \
    } while (0)

static u128 make128(uint64_t hi, uint64_t lo)
{
    return (u128)hi << 64 | lo;
}
static uint64_t hi64(u128 x)
{
    return (uint64_t)(x >> 64);
}
static uint64_t lo64(u128 x)
{
    return (uint64_t)x;
}

/* ------------------------------------------------------------ the engines */

/* pcg-cpp's engines keep state_ protected; this reads it. */
template <typename Engine> struct open_engine : Engine {
    using Engine::Engine;
    u128 state() const
    {
        return this->state_;
    }
    u128 inc() const
    {
        return this->increment();
    }
};

typedef open_engine<pcg64> pcg64_open;

/* numpy's PCG64DXSM multiplier for the LCG step (pcg64.h, PCG_CHEAP_MULTIPLIER_128). */
static const uint64_t CHEAP = UINT64_C(0xda942042e4dd58b5);

struct cheap_multiplier_mixin {
    static u128 multiplier()
    {
        return CHEAP;
    }
};

/* DXSM, "double xorshift multiply": O'Neill, "The DXSM output function"
 * (pcg-random.org, 2019); pcg-cpp's later dxsm_mixin. */
template <typename xtype, typename itype> struct dxsm_mixin {
    static xtype output(itype internal)
    {
        xtype hi = xtype(internal >> 64);
        xtype lo = xtype(internal);
        lo |= 1;
        hi ^= hi >> 32;
        hi *= CHEAP;
        hi ^= hi >> 48;
        hi *= lo;
        return hi;
    }
};

typedef pcg_detail::engine<uint64_t, u128, dxsm_mixin<uint64_t, u128>, true,
                           pcg_detail::specific_stream<u128>, cheap_multiplier_mixin>
    dxsm_engine;
typedef open_engine<dxsm_engine> dxsm_open;

/* The inverse of an odd a mod 2**128 by Newton's iteration: each step
 * doubles the correct low bits, starting from 3 (a a = 1 mod 8). */
static u128 inverse128(u128 a)
{
    u128 x = a;
    for (int i = 0; i < 7; i++)
        x *= 2 - a * x;
    return x;
}

/* ------------------------------------------------------------- kernpool */

struct seeded {
    kp_seedseq ss;
    uint64_t w[4]; /* generate_state64(4) */
};

static seeded seed_words(const uint32_t *entropy, size_t n)
{
    seeded s;
    int st = kp_seedseq_init(&s.ss, entropy, n, nullptr, 0);
    CHECK(st == KP_OK, "kp_seedseq_init: %d", st);
    st = kp_seedseq_generate_state64(&s.ss, s.w, 4);
    CHECK(st == KP_OK, "generate_state64: %d", st);
    return s;
}

static kp_rng make_rng(kp_bitgen kind, const seeded &s)
{
    kp_rng g;
    int st = kp_rng_init(&g, kind, &s.ss);
    CHECK(st == KP_OK, "kp_rng_init: %d", st);
    return g;
}

/* PCG state and increment through the public state words. */
static void pcg_words(const kp_rng &g, u128 *state, u128 *inc)
{
    uint64_t w[KP_RNG_STATE_WORDS];
    int st = kp_rng_state_get(&g, w);
    CHECK(st == KP_OK, "kp_rng_state_get: %d", st);
    *state = make128(w[3], w[4]);
    *inc = make128(w[5], w[6]);
}

/* ------------------------------------------------------------------ PCG */

static const size_t NDRAWS = 150001;
/* numpy's PCG jump, about 2**128 / phi (pcg64.pyx, jumped()). */
static const u128 PCG_JUMP = make128(UINT64_C(0x9e3779b97f4a7c15), UINT64_C(0xf39cc0605cedc835));

struct delta128 {
    uint64_t hi, lo;
};
static const delta128 deltas[] = {
    {0, 0},
    {0, 1},
    {1, 0},                                /* 2**64 */
    {UINT64_C(1) << 63, 0},                /* 2**127 */
    {UINT64_MAX, UINT64_MAX},              /* -1 */
    {UINT64_MAX, UINT64_MAX - 999},        /* -1000 */
    {0, 123456789},                        /* forwards, odd */
    {UINT64_C(0x0123456789abcdef), 77},    /* a large mixed delta */
    {UINT64_MAX, UINT64_C(1) << 63},       /* -2**63 */
    {UINT64_C(1) << 63, UINT64_C(1) << 63} /* 2**127 + 2**63 */
};

/* Draw by draw against an engine; label names the case. */
template <typename Engine>
static void compare_stream(kp_rng g, Engine eng, size_t n, const char *label)
{
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t ours = kp_rng_next64(&g), theirs = eng();
        if (ours != theirs && bad++ < 3)
            CHECK(ours == theirs, "%s: draw %zu: %016" PRIx64 " != %016" PRIx64, label, i, ours,
                  theirs);
    }
    CHECK(bad == 0, "%s: %zu of %zu draws differ", label, bad, n);
}

/* The engine must be at g's state exactly. */
template <typename Engine>
static void compare_state(const kp_rng &g, const Engine &eng, const char *label)
{
    u128 s, c;
    pcg_words(g, &s, &c);
    CHECK(s == eng.state(), "%s: state %016" PRIx64 "%016" PRIx64 " != %016" PRIx64 "%016" PRIx64,
          label, hi64(s), lo64(s), hi64(eng.state()), lo64(eng.state()));
    CHECK(c == eng.inc(), "%s: increment differs", label);
}

/* next32: low half, then high half of one next64 draw; a next64 in between
 * neither takes nor clears the pending half. */
template <typename Engine> static void compare_next32(kp_rng g, Engine eng, const char *label)
{
    for (int i = 0; i < 1000; i++) {
        uint64_t w = eng();
        uint32_t lo = kp_rng_next32(&g);
        uint64_t mid = kp_rng_next64(&g), w2 = eng();
        uint32_t hi = kp_rng_next32(&g);
        CHECK(lo == (uint32_t)w && hi == (uint32_t)(w >> 32) && mid == w2,
              "%s: next32 pair %d: %08" PRIx32 " %08" PRIx32 " vs %016" PRIx64, label, i, lo, hi,
              w);
    }
}

/* kp_random_raw at workers -1 over several exact-fill blocks is the stream. */
template <typename Engine> static void compare_raw_fill(kp_rng g, Engine eng, const char *label)
{
    const size_t n = 3 * KP_RNG_BLOCK + 5;
    std::vector<uint64_t> out(n);
    int st = kp_random_raw(&g, n, out.data(), -1);
    CHECK(st == KP_OK, "%s: kp_random_raw: %d", label, st);
    size_t bad = 0;
    for (size_t i = 0; i < n; i++)
        bad += out[i] != eng();
    CHECK(bad == 0, "%s: kp_random_raw: %zu of %zu values differ", label, bad, n);
    CHECK(kp_rng_next64(&g) == eng(), "%s: state after kp_random_raw", label);
}

/* advance and jumped from a state part-way along the stream (with a pending
 * half-word, which advance must clear). */
template <typename Engine> static void compare_jumps(kp_rng g, Engine eng, const char *label)
{
    for (int i = 0; i < 37; i++) {
        kp_rng_next64(&g);
        eng();
    }
    (void)kp_rng_next32(&g); /* leaves the high half pending */
    uint64_t w = eng();
    (void)w;
    char what[160];
    for (const delta128 &d : deltas) {
        kp_rng a = g;
        Engine e = eng;
        int st = kp_rng_advance(&a, d.hi, d.lo);
        CHECK(st == KP_OK, "kp_rng_advance: %d", st);
        u128 delta = make128(d.hi, d.lo);
        e.advance(delta);
        std::snprintf(what, sizeof what, "%s advance %016" PRIx64 ":%016" PRIx64, label, d.hi,
                      d.lo);
        compare_state(a, e, what);
        /* The pending half-word is gone: next32 splits a fresh word. */
        Engine e2 = e;
        uint32_t lo = kp_rng_next32(&a);
        CHECK(lo == (uint32_t)e2(), "%s: next32 after advance", what);
        compare_stream(a, e2, 1000, what);
        /* Going back by the same delta (backstep, and advance by -delta)
         * returns to the start. */
        kp_rng b = g;
        u128 neg = -delta;
        st = kp_rng_advance(&b, hi64(neg), lo64(neg));
        Engine back = eng;
        back.backstep(delta);
        compare_state(b, back, what);
        Engine fwd = eng;
        fwd.discard(delta);
        CHECK(fwd.state() == e.state(), "%s: discard != advance in pcg-cpp", what);
    }
    /* Backwards then forwards over the same draws: -1 and the draw again. */
    {
        kp_rng a = g;
        uint64_t x = kp_rng_next64(&a);
        (void)kp_rng_advance(&a, UINT64_MAX, UINT64_MAX);
        CHECK(kp_rng_next64(&a) == x, "%s: advance(-1) does not repeat the last draw", label);
    }
    const uint64_t jumps[] = {0, 1, 2, 3, 1000, UINT64_MAX};
    for (uint64_t k : jumps) {
        kp_rng j;
        int st = kp_rng_jumped(&g, k, &j);
        CHECK(st == KP_OK, "kp_rng_jumped: %d", st);
        Engine e = eng;
        e.advance(PCG_JUMP * k);
        std::snprintf(what, sizeof what, "%s jumped(%" PRIu64 ")", label, k);
        compare_state(j, e, what);
        compare_stream(j, e, 2000, what);
        /* out may be g itself */
        kp_rng same = g;
        (void)kp_rng_jumped(&same, k, &same);
        CHECK(std::memcmp(&same, &j, sizeof j) == 0, "%s: jumped in place differs", what);
    }
}

static void check_pcg64(const seeded &s, const char *label)
{
    kp_rng g = make_rng(KP_PCG64, s);
    pcg64_open eng(make128(s.w[0], s.w[1]), make128(s.w[2], s.w[3]));
    compare_state(g, eng, label);
    compare_stream(g, eng, NDRAWS, label);
    compare_next32(g, eng, label);
    compare_raw_fill(g, eng, label);
    compare_jumps(g, eng, label);
}

static void check_pcg64dxsm(const seeded &s, const char *label)
{
    kp_rng g = make_rng(KP_PCG64DXSM, s);
    /* numpy's seeding, done by pcg-cpp's pcg64, then carried over. */
    pcg64_open seeder(make128(s.w[0], s.w[1]), make128(s.w[2], s.w[3]));
    u128 inc = seeder.inc(), state = seeder.state();
    u128 x = (state - inc) * inverse128(CHEAP) - inc;
    dxsm_open eng(x, make128(s.w[2], s.w[3]));
    CHECK(eng.state() == state, "%s: DXSM engine not at the seeded state", label);
    compare_state(g, eng, label);
    compare_stream(g, eng, NDRAWS, label);
    compare_next32(g, eng, label);
    compare_raw_fill(g, eng, label);
    compare_jumps(g, eng, label);
}

/* ---------------------------------------------------------------- Philox */

#ifdef KP_HAVE_RANDOM123

/* Random123's Philox4x64-10 as a next64 stream over a 256-bit counter. */
struct philox_ref {
    philox4x64_ctr_t ctr;
    philox4x64_key_t key;
    philox4x64_ctr_t out;
    int pos; /* next unread word of out; 4 = none */

    philox_ref(uint64_t k0, uint64_t k1) : ctr{{0, 0, 0, 0}}, key{{k0, k1}}, out{}, pos(4) {}
    void add(uint64_t d0, uint64_t d1, uint64_t d2, uint64_t d3)
    {
        const uint64_t d[4] = {d0, d1, d2, d3};
        unsigned carry = 0;
        for (int i = 0; i < 4; i++) {
            u128 t = (u128)ctr.v[i] + d[i] + carry;
            ctr.v[i] = (uint64_t)t;
            carry = (unsigned)(t >> 64);
        }
    }
    uint64_t operator()()
    {
        if (pos == 4) {
            add(1, 0, 0, 0);
            out = philox4x64_R(10, ctr, key);
            pos = 0;
        }
        return out.v[pos++];
    }
};

static void compare_philox_counter(const kp_rng &g, const philox_ref &ref, const char *label)
{
    uint64_t w[KP_RNG_STATE_WORDS];
    (void)kp_rng_state_get(&g, w);
    bool same = true;
    for (int i = 0; i < 4; i++)
        same = same && w[3 + i] == ref.ctr.v[i];
    CHECK(same, "%s: counter %016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %016" PRIx64, label, w[3],
          w[4], w[5], w[6]);
}

static void check_philox(const seeded &s, const char *label)
{
    kp_rng g = make_rng(KP_PHILOX, s);
    philox_ref ref(s.w[0], s.w[1]);
    compare_stream(g, ref, NDRAWS, label);
    compare_next32(g, ref, label);
    compare_raw_fill(g, ref, label);

    /* Part-way into a block (two words unread), then advance: the counter
     * moves by delta (sign-extended to 256 bits) and the unread words go. */
    kp_rng_next64(&g);
    kp_rng_next64(&g);
    ref();
    ref();
    char what[160];
    for (const delta128 &d : deltas) {
        kp_rng a = g;
        philox_ref r = ref;
        (void)kp_rng_advance(&a, d.hi, d.lo);
        uint64_t ext = (d.hi >> 63) ? UINT64_MAX : 0;
        r.add(d.lo, d.hi, ext, ext);
        r.pos = 4;
        std::snprintf(what, sizeof what, "%s advance %016" PRIx64 ":%016" PRIx64, label, d.hi,
                      d.lo);
        compare_philox_counter(a, r, what);
        compare_stream(a, r, 1001, what);
    }
    const uint64_t jumps[] = {0, 1, 2, 5, UINT64_MAX};
    for (uint64_t k : jumps) {
        kp_rng j;
        (void)kp_rng_jumped(&g, k, &j);
        philox_ref r = ref;
        r.add(0, 0, k, 0); /* k * 2**128 blocks */
        r.pos = 4;
        std::snprintf(what, sizeof what, "%s jumped(%" PRIu64 ")", label, k);
        compare_philox_counter(j, r, what);
        compare_stream(j, r, 1001, what);
    }
}

#endif /* KP_HAVE_RANDOM123 */

/* ------------------------------------------------------------------ main */

int main()
{
    /* pcg-cpp's constants are numpy's: a mismatch here is a wrong oracle,
     * not a wrong generator. */
    CHECK(pcg_detail::default_multiplier<u128>::multiplier() ==
              make128(UINT64_C(0x2360ed051fc65da4), UINT64_C(0x4385df649fccf645)),
          "pcg-cpp's 128-bit multiplier");
    CHECK(inverse128(CHEAP) * CHEAP == 1, "inverse of the cheap multiplier");

    static const uint32_t e0[] = {0};
    static const uint32_t e1[] = {1};
    static const uint32_t e2[] = {12345};
    static const uint32_t e3[] = {0xffffffffu, 0xffffffffu};         /* 2**64 - 1 */
    static const uint32_t e4[] = {0x9abcdef0u, 0x12345678u, 3u, 4u}; /* a 128-bit seed */
    static const uint32_t e5[] = {7u, 0u, 1u};                       /* 2**64 + 7 */
    struct {
        const uint32_t *e;
        size_t n;
    } const seeds[] = {{e0, 1}, {e1, 1}, {e2, 1}, {e3, 2}, {e4, 4}, {e5, 3}, {nullptr, 0}};

    for (const auto &sd : seeds) {
        seeded s = seed_words(sd.e, sd.n);
        char label[64];
        std::snprintf(label, sizeof label, "PCG64 seed#%zu", (size_t)(&sd - seeds));
        check_pcg64(s, label);
        std::snprintf(label, sizeof label, "PCG64DXSM seed#%zu", (size_t)(&sd - seeds));
        check_pcg64dxsm(s, label);
#ifdef KP_HAVE_RANDOM123
        std::snprintf(label, sizeof label, "Philox seed#%zu", (size_t)(&sd - seeds));
        check_philox(s, label);
#endif
    }
    if (failures) {
        std::fprintf(stderr, "%d checks failed\n", failures);
        return 1;
    }
#ifdef KP_HAVE_RANDOM123
    std::printf("pcg-cpp and Random123 agree with kernpool on %zu seeds\n",
                sizeof seeds / sizeof *seeds);
#else
    std::printf("pcg-cpp agrees with kernpool on %zu seeds; Philox not checked (no "
                "Random123/philox.h when configured)\n",
                sizeof seeds / sizeof *seeds);
#endif
    return 0;
}
