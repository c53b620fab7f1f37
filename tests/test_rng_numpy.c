/* kernpool's SeedSequence, bit generators and fills against numpy at test
 * time (tests/rng_oracle.py with /usr/bin/python3, Debian's numpy 1.24).
 *
 * Each case is a seed, a generator kind and a script of operations that both
 * sides run: numpy writes its words, and this file runs the same script with
 * kernpool and compares every word. Long streams (10^5 raw draws, 10^6 + 3
 * doubles across many fill blocks) are compared in full.
 *
 * On our side every operation is done twice or more: scalar calls
 * (kp_rng_next64, kp_rng_integer, ...) give the words that are compared, and
 * each fill (kp_random_raw, kp_random, kp_uniform, kp_integers) runs from a
 * copy of the generator for workers 1, 2, 3, 7 and -1 and must give the same
 * words and the same final state. The normal and exponential samplers use
 * kernpool's own ziggurat tables, which differ from numpy's in the last bits
 * (see rng/gen_ziggurat.py); they read each draw as numpy does, so the
 * values must agree to 1e-12 relative and a shifted stream fails at once. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kernpool.h"
#include "testutil.h"

#ifndef KP_RNG_ORACLE
#error "KP_RNG_ORACLE must name tests/rng_oracle.py"
#endif

#define NSIZE(a) (sizeof(a) / sizeof *(a))

typedef struct np_case {
    const char *seed; /* as rng_oracle.py reads it */
    const char *kind; /* seedseq, PCG64, PCG64DXSM, Philox */
    const char *ops;
} np_case;

#define OPS_SIZES "random 0;random 1;random 65535;random 65536;random 65537;random 1000003;state"
#define OPS_INTEGERS                                                                               \
    "integers 0 1000 1001;integers -5 5 10;integers 0 4294967295 99;integers 0 4294967296 "        \
    "33;integers 0 4294967297 33;integers -9223372036854775808 9223372036854775807 "               \
    "50;integers -4611686018427387904 4611686018427400000 50;integers 7 8 5;"                      \
    "integers 0 3221225473 1000;integers 0 1000000000000 1001;integers "                           \
    "-4611686018427387904 4611686018427400000 1000;state"
/* Half-words: next32 keeps the upper half for the next next32, across
 * 64-bit draws, and advance() clears it. */
#define OPS_HALVES                                                                                 \
    "next32 5;raw 3;state;next32 1;double 3;next32 2;integers 0 10 3;raw 1;state;advance 0 "       \
    "5;state;next32 1;state"
/* Deltas 0, 1, 2**64, -2**127 (2**127 for PCG), 2**127 - 1, -1, and jumps. */
#define OPS_JUMPS                                                                                  \
    "advance 0 0;raw 4;advance 0 1;raw 4;advance 1 0;raw 4;advance 9223372036854775808 0;raw "     \
    "4;advance 9223372036854775807 18446744073709551615;raw 4;advance 18446744073709551615 "       \
    "18446744073709551615;raw 4;state;jumped 1;raw 4;state;jumped 2;raw 4;jumped "                 \
    "12345678901;raw 4;state"

static const np_case cases[] = {
    {"u64:0", "seedseq", "pool;state32 10;state64 6;spawn 3;spawn 2"},
    {"u64:12345", "seedseq", "pool;state32 9;state64 5;spawn 3;spawn 1"},
    {"u64:18446744073709551615", "seedseq", "pool;state32 4;spawn 2"},
    {"u64:4294967296", "seedseq", "pool;state64 4"},
    {"words:;key:", "seedseq", "pool;state32 8;spawn 2"},
    {"words:12345,0;key:", "seedseq", "pool;state64 4"},
    {"words:12345,0,0,0,0;key:", "seedseq", "pool;state64 4"},
    {"words:12345;key:3", "seedseq", "pool;state64 4;spawn 2"},
    {"words:7,0,1;key:0,1,4294967295", "seedseq", "pool;spawn 2"},
    {"words:1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,"
     "4294967295;key:1,2,3,4,5,6,7,8,9,10,11,12,13,14,15",
     "seedseq", "pool;state32 12;spawn 1"},
    {"words:;key:4294967295", "seedseq", "pool;state64 2"},

    {"u64:12345", "PCG64", "raw 100000;state"},
    {"u64:12345", "PCG64DXSM", "raw 100000;state"},
    {"u64:12345", "Philox", "raw 100001;state"},
    {"words:1,2,3,4,5,6;key:7", "PCG64", OPS_SIZES},
    {"words:1,2,3,4,5,6;key:7", "PCG64DXSM", "raw 1;random 1000003;random 3;state"},
    {"words:1,2,3,4,5,6;key:7", "Philox", OPS_SIZES},
    {"u64:99", "Philox", "raw 1;random 65537;raw 2;random 4099;state;raw 1;random 8;state"},
    {"u64:7", "PCG64", "uniform -0x1.4p+1 0x1.ap+1 70001;uniform 0x1p+0 0x1p+0 3;state"},
    {"u64:7", "Philox", "uniform -0x1p-3 0x1.8p+2 65541;state"},
    {"u64:2024", "PCG64", OPS_INTEGERS},
    {"u64:2024", "PCG64DXSM", OPS_INTEGERS},
    {"u64:2024", "Philox", OPS_INTEGERS},
    {"u64:0", "PCG64", OPS_HALVES},
    {"u64:0", "PCG64DXSM", OPS_HALVES},
    {"u64:0", "Philox", OPS_HALVES},
    {"u64:5", "PCG64", OPS_JUMPS},
    {"u64:5", "PCG64DXSM", OPS_JUMPS},
    {"u64:5", "Philox", "raw 1;" OPS_JUMPS},
    {"u64:31337", "PCG64", "normal 65536;exponential 65536;state"},
    {"u64:31337", "PCG64DXSM", "normal 20000;exponential 20000"},
    {"words:1,2;key:3", "Philox", "raw 1;normal 20001;exponential 20001"},
};
#define NCASE NSIZE(cases)

static char dir[] = "/tmp/kp_rng_numpy_XXXXXX";
static uint64_t *answers[NCASE];
static size_t n_answers[NCASE];

static void path_of(char *p, size_t cap, size_t c)
{
    snprintf(p, cap, "%s/out%zu.bin", dir, c);
}

static int setup(void **state)
{
    if (mkdtemp(dir) == NULL) return -1;
    char manifest[256], p[256];
    snprintf(manifest, sizeof manifest, "%s/manifest", dir);
    FILE *m = fopen(manifest, "w");
    if (m == NULL) return -1;
    for (size_t c = 0; c < NCASE; c++) {
        path_of(p, sizeof p, c);
        fprintf(m, "%s|%s|%s|%s\n", p, cases[c].seed, cases[c].kind, cases[c].ops);
    }
    if (fclose(m) != 0) return -1;
    if (kp_test_run_python(KP_RNG_ORACLE, manifest) != 0) return -1;
    for (size_t c = 0; c < NCASE; c++) {
        path_of(p, sizeof p, c);
        FILE *f = fopen(p, "rb");
        if (f == NULL) return -1;
        fseek(f, 0, SEEK_END);
        long bytes = ftell(f);
        fseek(f, 0, SEEK_SET);
        n_answers[c] = (size_t)bytes / sizeof(uint64_t);
        answers[c] = malloc((size_t)bytes + 1);
        size_t got = fread(answers[c], sizeof(uint64_t), n_answers[c], f);
        fclose(f);
        if (answers[c] == NULL || got != n_answers[c]) return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    char p[256];
    for (size_t c = 0; c < NCASE; c++) {
        path_of(p, sizeof p, c);
        unlink(p);
        free(answers[c]);
    }
    snprintf(p, sizeof p, "%s/manifest", dir);
    unlink(p);
    rmdir(dir);
    return 0;
}

/* ---------------------------------------------------- our side of a script */

/* The words our side produced, and which of them are approximate. */
typedef struct words {
    uint64_t *w;
    unsigned char *approx;
    size_t n, cap;
} words;

static void push(words *o, uint64_t w, int approx)
{
    if (o->n == o->cap) {
        o->cap = o->cap ? 2 * o->cap : 1024;
        o->w = realloc(o->w, o->cap * sizeof *o->w);
        o->approx = realloc(o->approx, o->cap);
        assert_non_null(o->w);
        assert_non_null(o->approx);
    }
    o->w[o->n] = w;
    o->approx[o->n++] = (unsigned char)approx;
}

static uint64_t bits_of(double x)
{
    uint64_t w;
    memcpy(&w, &x, sizeof w);
    return w;
}

static void push_double(words *o, double x, int approx)
{
    push(o, bits_of(x), approx);
}

static void parse_seed(const char *spec, kp_seedseq *ss)
{
    if (strncmp(spec, "u64:", 4) == 0) {
        assert_int_equal(kp_seedseq_init_u64(ss, strtoull(spec + 4, NULL, 10)), KP_OK);
        return;
    }
    uint32_t lists[2][KP_SEEDSEQ_MAX_ENTROPY];
    size_t n[2] = {0, 0};
    const char *p = strchr(spec, ':') + 1;
    for (int l = 0; l < 2; l++) {
        while (*p && *p != ';') {
            char *end;
            lists[l][n[l]++] = (uint32_t)strtoul(p, &end, 10);
            p = *end == ',' ? end + 1 : end;
        }
        if (l == 0) p = strchr(p, ':') + 1;
    }
    assert_int_equal(kp_seedseq_init(ss, lists[0], n[0], lists[1], n[1]), KP_OK);
}

static void push_pool_and_state(words *o, const kp_seedseq *ss)
{
    for (int i = 0; i < 4; i++)
        push(o, ss->pool[i], 0);
    uint64_t s[4];
    assert_int_equal(kp_seedseq_generate_state64(ss, s, 4), KP_OK);
    for (int i = 0; i < 4; i++)
        push(o, s[i], 0);
}

static void run_seedseq(kp_seedseq *ss, char *ops, words *o)
{
    for (char *save, *op = strtok_r(ops, ";", &save); op; op = strtok_r(NULL, ";", &save)) {
        char name[16];
        unsigned long long n = 0;
        assert_true(sscanf(op, "%15s %llu", name, &n) >= 1);
        if (strcmp(name, "pool") == 0) {
            for (int i = 0; i < 4; i++)
                push(o, ss->pool[i], 0);
        } else if (strcmp(name, "state32") == 0) {
            uint32_t w[64];
            assert_int_equal(kp_seedseq_generate_state32(ss, w, n), KP_OK);
            for (size_t i = 0; i < n; i++)
                push(o, w[i], 0);
        } else if (strcmp(name, "state64") == 0) {
            uint64_t w[64];
            assert_int_equal(kp_seedseq_generate_state64(ss, w, n), KP_OK);
            for (size_t i = 0; i < n; i++)
                push(o, w[i], 0);
        } else if (strcmp(name, "spawn") == 0) {
            kp_seedseq kids[8];
            assert_int_equal(kp_seedseq_spawn(ss, kids, n), KP_OK);
            for (size_t i = 0; i < n; i++)
                push_pool_and_state(o, &kids[i]);
            push(o, ss->n_children_spawned, 0);
        } else {
            fail_msg("unknown seedseq op %s", op);
        }
    }
}

static const int workers_list[] = {1, 2, 3, 7, -1};

static void assert_same_rng(const kp_rng *a, const kp_rng *b)
{
    uint64_t sa[KP_RNG_STATE_WORDS], sb[KP_RNG_STATE_WORDS];
    assert_int_equal(kp_rng_state_get(a, sa), KP_OK);
    assert_int_equal(kp_rng_state_get(b, sb), KP_OK);
    assert_memory_equal(sa, sb, sizeof sa);
}

typedef enum { RAW, RANDOM, UNIFORM, INTEGERS, NORMAL, EXPONENTIAL } fill_kind;

/* Runs one fill for every workers value from copies of g: all must agree in
 * output and final state. Leaves g where the fills left it and the output in
 * out. */
static void fill_all_workers(fill_kind k, kp_rng *g, size_t n, void *out, double lo, double hi,
                             int64_t ilo, int64_t ihi)
{
    size_t bytes = n * 8 + 8;
    unsigned char *first = malloc(bytes);
    assert_non_null(first);
    kp_rng end;
    for (size_t i = 0; i < NSIZE(workers_list); i++) {
        kp_rng c = *g;
        int w = workers_list[i];
        int st;
        switch (k) {
        case RAW: st = kp_random_raw(&c, n, out, w); break;
        case RANDOM: st = kp_random(&c, n, out, w); break;
        case UNIFORM: st = kp_uniform(&c, lo, hi, n, out, w); break;
        case INTEGERS: st = kp_integers(&c, ilo, ihi, n, out, w); break;
        case NORMAL: st = kp_standard_normal(&c, n, out, w); break;
        default: st = kp_standard_exponential(&c, n, out, w); break;
        }
        assert_int_equal(st, KP_OK);
        if (i == 0) {
            memcpy(first, out, n * 8);
            end = c;
        } else {
            if (memcmp(first, out, n * 8) != 0) fail_msg("fill %d differs at workers %d", k, w);
            assert_same_rng(&c, &end);
        }
    }
    free(first);
    *g = end;
}

static void push_state(words *o, const kp_rng *g)
{
    uint64_t s[KP_RNG_STATE_WORDS];
    assert_int_equal(kp_rng_state_get(g, s), KP_OK);
    if (g->kind == KP_PHILOX) {
        for (int i = 3; i < 14; i++)
            push(o, s[i], 0);
    } else {
        for (int i = 3; i < 7; i++)
            push(o, s[i], 0);
    }
    push(o, s[1], 0);
    push(o, s[2], 0);
}

static void run_generator(kp_rng *g, char *ops, words *o)
{
    for (char *save, *op = strtok_r(ops, ";", &save); op; op = strtok_r(NULL, ";", &save)) {
        char name[16];
        assert_true(sscanf(op, "%15s", name) == 1);
        const char *args = op + strlen(name);
        unsigned long long a = 0, b = 0;
        long long ilo = 0, ihi = 0;
        size_t n = 0;
        if (strcmp(name, "raw") == 0 || strcmp(name, "random") == 0) {
            assert_int_equal(sscanf(args, "%zu", &n), 1);
            int raw = strcmp(name, "raw") == 0;
            kp_rng scalar = *g;
            uint64_t *bulk = malloc(n * 8 + 8);
            assert_non_null(bulk);
            fill_all_workers(raw ? RAW : RANDOM, g, n, bulk, 0, 0, 0, 0);
            for (size_t i = 0; i < n; i++) {
                uint64_t w = raw ? kp_rng_next64(&scalar) : bits_of(kp_rng_next_double(&scalar));
                if (w != bulk[i]) fail_msg("%s: fill and scalar differ at %zu", op, i);
                push(o, w, 0);
            }
            assert_same_rng(&scalar, g);
            free(bulk);
        } else if (strcmp(name, "next32") == 0 || strcmp(name, "double") == 0) {
            assert_int_equal(sscanf(args, "%zu", &n), 1);
            for (size_t i = 0; i < n; i++)
                push(o, name[0] == 'n' ? kp_rng_next32(g) : bits_of(kp_rng_next_double(g)), 0);
        } else if (strcmp(name, "uniform") == 0) {
            char slo[40], shi[40];
            assert_int_equal(sscanf(args, "%39s %39s %zu", slo, shi, &n), 3);
            double lo = strtod(slo, NULL), hi = strtod(shi, NULL);
            kp_rng scalar = *g;
            double *bulk = malloc(n * 8 + 8);
            assert_non_null(bulk);
            fill_all_workers(UNIFORM, g, n, bulk, lo, hi, 0, 0);
            for (size_t i = 0; i < n; i++) {
                double x = lo + (hi - lo) * kp_rng_next_double(&scalar);
                if (bits_of(x) != bits_of(bulk[i])) fail_msg("%s: fill differs at %zu", op, i);
                push_double(o, x, 0);
            }
            assert_same_rng(&scalar, g);
            free(bulk);
        } else if (strcmp(name, "integers") == 0) {
            assert_int_equal(sscanf(args, "%lld %lld %zu", &ilo, &ihi, &n), 3);
            assert_true(n <= KP_RNG_BLOCK); /* one block: the sequential stream */
            kp_rng scalar = *g;
            int64_t *bulk = malloc(n * 8 + 8);
            assert_non_null(bulk);
            fill_all_workers(INTEGERS, g, n, bulk, 0, 0, ilo, ihi);
            for (size_t i = 0; i < n; i++) {
                int64_t v = kp_rng_integer(&scalar, ilo, ihi);
                if (v != bulk[i]) fail_msg("%s: fill and scalar differ at %zu", op, i);
                push(o, (uint64_t)v, 0);
            }
            assert_same_rng(&scalar, g);
            free(bulk);
        } else if (strcmp(name, "normal") == 0 || strcmp(name, "exponential") == 0) {
            assert_int_equal(sscanf(args, "%zu", &n), 1);
            assert_true(n <= KP_RNG_BLOCK);
            double *bulk = malloc(n * 8 + 8);
            assert_non_null(bulk);
            fill_all_workers(name[0] == 'n' ? NORMAL : EXPONENTIAL, g, n, bulk, 0, 0, 0, 0);
            for (size_t i = 0; i < n; i++)
                push_double(o, bulk[i], 1);
            free(bulk);
        } else if (strcmp(name, "advance") == 0) {
            assert_int_equal(sscanf(args, "%llu %llu", &a, &b), 2);
            assert_int_equal(kp_rng_advance(g, a, b), KP_OK);
        } else if (strcmp(name, "jumped") == 0) {
            assert_int_equal(sscanf(args, "%llu", &a), 1);
            kp_rng before = *g, j;
            assert_int_equal(kp_rng_jumped(g, a, &j), KP_OK);
            assert_same_rng(g, &before); /* g itself does not move */
            *g = j;
        } else if (strcmp(name, "state") == 0) {
            push_state(o, g);
        } else {
            fail_msg("unknown generator op %s", op);
        }
    }
}

static kp_bitgen kind_of(const char *name)
{
    if (strcmp(name, "PCG64") == 0) return KP_PCG64;
    if (strcmp(name, "PCG64DXSM") == 0) return KP_PCG64DXSM;
    return KP_PHILOX;
}

static void test_cases(void **state)
{
    for (size_t c = 0; c < NCASE; c++) {
        char ops[1024];
        snprintf(ops, sizeof ops, "%s", cases[c].ops);
        kp_seedseq ss;
        parse_seed(cases[c].seed, &ss);
        words o = {0};
        if (strcmp(cases[c].kind, "seedseq") == 0) {
            run_seedseq(&ss, ops, &o);
        } else {
            kp_rng g;
            assert_int_equal(kp_rng_init(&g, kind_of(cases[c].kind), &ss), KP_OK);
            run_generator(&g, ops, &o);
        }
        if (o.n != n_answers[c])
            fail_msg("case %zu (%s %s): %zu words, numpy gave %zu", c, cases[c].seed, cases[c].kind,
                     o.n, n_answers[c]);
        for (size_t i = 0; i < o.n; i++) {
            uint64_t want = answers[c][i];
            if (o.approx[i]) {
                double x, y;
                memcpy(&x, &o.w[i], sizeof x);
                memcpy(&y, &want, sizeof y);
                if (!(fabs(x - y) <= 1e-12 * fabs(y)))
                    fail_msg("case %zu (%s %s) value %zu: %.17g, numpy %.17g", c, cases[c].seed,
                             cases[c].kind, i, x, y);
            } else if (o.w[i] != want) {
                fail_msg("case %zu (%s %s) word %zu: %#llx, numpy %#llx", c, cases[c].seed,
                         cases[c].kind, i, (unsigned long long)o.w[i], (unsigned long long)want);
            }
        }
        free(o.w);
        free(o.approx);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_cases)};
    return cmocka_run_group_tests_name("rng_numpy", tests, setup, teardown);
}
