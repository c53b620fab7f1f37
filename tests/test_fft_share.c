/*
 * Sharing long lines among the threads, or running each whole, by
 * measurement (kernels/fft/exec.c): the choice itself on made-up times
 * (warm-up, the cost of the probes, following a change, a spoilt first
 * measure, another shape, the forced modes), and the same bits whichever
 * way a step takes; a blocked line (run as one part on one thread) gives
 * the bits of its passes over the whole line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernels/fft/fft.h"
#include "kernpool.h"
#include "sched/internal.h"
#include "test_fft_util.h"

/* Shared or whole by measurement (exec.c), a step's lines give the same
 * bits: long lines that 2 threads share (c2c 2^15 and 2^16 mixed radix,
 * 2^18 four step, r2c 2^16 and 2^17, c2r 2^18), and 2 lines of 2^16 that 3
 * threads share
 * (where the budget allows 3; else each whole), at workers = 2 (3) whichever
 * way the measure takes, and whole or shared by force, against workers = 1. */
static void test_share_either_way_same_bits(void **state)
{
    (void)state;
    static const struct {
        kp_fft_kind kind;
        size_t n, lines;
        int workers;
    } cases[] = {{KP_FFT_C2C, 32768, 1, 2}, {KP_FFT_C2C, 65536, 1, 2},  {KP_FFT_C2C, 262144, 1, 2},
                 {KP_FFT_R2C, 65536, 1, 2}, {KP_FFT_R2C, 131072, 1, 2}, {KP_FFT_C2R, 262144, 1, 2},
                 {KP_FFT_C2C, 65536, 2, 3}};
    static const int modes[] = {KP__FFT_SHARE_MEASURED, KP__FFT_SHARE_NEVER, KP__FFT_SHARE_ALWAYS};
    double *x = random_doubles(2 * 262144);
    char *ref = malloc(262144 * 16), *out = malloc(262144 * 16);
    assert_true(ref && out);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const size_t n = cases[c].n, lines = cases[c].lines;
        const kp_fft_dim d = {n, 1, 1}, batch = {lines, n, n};
        kp__fft_line *line = NULL; /* a line the threads can share */
        if (cases[c].kind == KP_FFT_C2C)
            assert_int_equal(kp__fft_line_make(n, 0, &line), KP_OK);
        else
            assert_int_equal(kp__fft_real_line_make(n, 0, &line), KP_OK);
        const kp__fft_line *cpx = cases[c].kind == KP_FFT_C2C ? line : line->sub;
        const int radix16 = cpx->npass > 0 && cpx->pass[cpx->npass - 1].p == 16;
        assert_true(kp__fft_shareable(line, cases[c].kind) || radix16); /* 2^15, 8-way L1 */
        kp__fft_line_destroy(line);
        const size_t bytes = lines * (cases[c].kind == KP_FFT_R2C   ? (n / 2 + 1) * 16
                                      : cases[c].kind == KP_FFT_C2R ? n * 8
                                                                    : n * 16);
        kp_fft_plan *p =
            make(cases[c].kind, cases[c].kind == KP_FFT_C2R ? KP_FFT_BACKWARD : KP_FFT_FORWARD, 1,
                 &d, lines > 1, &batch);
        assert_int_equal(kp_fft_plan_execute(p, x, ref, 1), KP_OK);
        for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
            const int before = kp__fft_share_mode(modes[m]);
            for (int rep = 0; rep < (modes[m] == KP__FFT_SHARE_MEASURED ? 12 : 2); rep++)
                execute_same(p, x, out, ref, bytes, cases[c].workers);
            kp__fft_share_mode(before);
        }
        kp_fft_plan_destroy(p);
    }
    free(x);
    free(ref);
    free(out);
}

/* A blocked line (line.c: radices 2, 4 and 8, 512 KiB or more, vector
 * passes) runs its passes over blocks, as one part of a shared line; its
 * bits are those of the same line run pass after pass over the whole line
 * (blocked cleared in a copy of it), out of place and in place, both ways,
 * double and float, in exactly line->scratch elements of work space. With
 * the vector passes, double 2^16 (4 4 8 8 8 8) is blocked everywhere;
 * double 2^15 where its radices are all 8s (a level-1 cache of 12 ways);
 * float from 2^16. The portable passes block no line: skipped. */
static void test_blocked_same_bits(void **state)
{
    (void)state;
    static const size_t sizes[] = {32768, 65536, 131072};
    if (kp__isa_selected() == KP_ISA_PORTABLE) skip();
    double *x = random_doubles(2 * 131072);
    float *xf = malloc(2 * 131072 * sizeof *xf);
    char *ref = malloc(131072 * 16), *out = malloc(131072 * 16);
    assert_true(xf && ref && out);
    for (size_t j = 0; j < 2 * 131072; j++)
        xf[j] = (float)x[j];
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++)
        for (int single = 0; single < 2; single++) {
            const size_t n = sizes[si], bytes = n * (single ? 8 : 16);
            kp__fft_line *line = NULL;
            assert_int_equal(kp__fft_line_make(n, single, &line), KP_OK);
            if (n == 65536 && !single) assert_true(line->blocked);
            if (line->blocked) {
                kp__fft_line whole = *line;
                whole.blocked = 0;
                void *work = malloc(line->scratch * (single ? 8 : 16));
                assert_non_null(work);
                const void *in = single ? (const void *)xf : (const void *)x;
                for (int fwd = 0; fwd < 2; fwd++) {
                    whole.exec(&whole, fwd, in, ref, work);
                    line->exec(line, fwd, in, out, work);
                    assert_memory_equal(out, ref, bytes);
                    memcpy(out, in, bytes); /* in place */
                    line->exec(line, fwd, out, out, work);
                    assert_memory_equal(out, ref, bytes);
                }
                free(work);
            }
            kp__fft_line_destroy(line);
        }
    free(x);
    free(xf);
    free(ref);
    free(out);
}

/* Steps at times shared_ns or whole_ns a line through kp__fft_share_choose
 * and _note; returns the share of the time lost to the slower way. */
static double share_steps(kp__fft_share_record *r, size_t parts, unsigned long long shared_ns,
                          unsigned long long whole_ns, int steps, int *last)
{
    double lost = 0, all = 0;
    const unsigned long long best = shared_ns < whole_ns ? shared_ns : whole_ns;
    for (int s = 0; s < steps; s++) {
        const int shared = kp__fft_share_choose(r, parts);
        const unsigned long long t = shared ? shared_ns : whole_ns;
        kp__fft_share_note(r, shared, parts, t);
        lost += (double)(t - best);
        all += (double)t;
        *last = shared;
    }
    return lost / all;
}

/* As share_steps, with noisy times: each step's time is its way's base
 * times 1 + u^3 / 2, u uniform in [0, 1) from a fixed sequence (a long tail
 * of slow steps, as preempted threads and interrupts make on a busy host;
 * mean 1.125 base); returns the time lost to the slower way's mean. */
static double share_noisy_steps(kp__fft_share_record *r, size_t parts,
                                unsigned long long shared_base, unsigned long long whole_base,
                                int steps)
{
    double lost = 0, all = 0;
    const double best = 1.125 * (double)(shared_base < whole_base ? shared_base : whole_base);
    unsigned long long state = 42;
    for (int s = 0; s < steps; s++) {
        const int shared = kp__fft_share_choose(r, parts);
        state = state * 6364136223846793005ull + 1442695040888963407ull; /* Knuth's MMIX LCG */
        const double u = (double)(state >> 11) / 9007199254740992.0;
        const double t = (double)(shared ? shared_base : whole_base) * (1 + u * u * u / 2);
        kp__fft_share_note(r, shared, parts, (unsigned long long)t);
        lost += t - best;
        all += t;
    }
    return lost / all;
}

/* The first 7 steps of a record new to key: 4 shared, 3 whole. */
static void share_warm_up(kp__fft_share_record *r, unsigned long long key)
{
    static const int warm[7] = {1, 1, 1, 1, 0, 0, 0};
    int first[7];
    for (int s = 0; s < 7; s++) {
        first[s] = kp__fft_share_choose(r, key);
        kp__fft_share_note(r, first[s], key, first[s] ? 1000 : 3000);
    }
    assert_memory_equal(first, warm, sizeof first);
}

/* The choice between sharing a line and running it whole: measured first
 * both ways, then the faster, the other tried now and then at a bounded
 * cost, and a change of the times (the threads placed elsewhere) followed;
 * another thread count measures again; the forced modes. */
static void test_share_choice(void **state)
{
    (void)state;
    kp__fft_share_record r = {0};
    const int before = kp__fft_share_mode(KP__FFT_SHARE_MEASURED);
    int last = -1;
    share_warm_up(&r, 2);
    /* sharing 3x faster: probes of the whole way cost 1-2% of the time */
    double lost = share_steps(&r, 2, 1000, 3000, 20000, &last);
    print_message("shared 3x faster: %.2f%% of the time lost to probes\n", 100 * lost);
    assert_true(lost > 0 && lost < 0.02);
    assert_int_equal(last, 1);
    /* now sharing is 2x slower: within 2000 steps it runs whole, and then
       loses little */
    share_steps(&r, 2, 6000, 3000, 2000, &last);
    lost = share_steps(&r, 2, 6000, 3000, 20000, &last);
    print_message("shared 2x slower: %.2f%%\n", 100 * lost);
    assert_true(lost > 0 && lost < 0.02);
    assert_int_equal(last, 0);
    /* and back */
    share_steps(&r, 2, 1000, 3000, 4000, &last);
    lost = share_steps(&r, 2, 1000, 3000, 20000, &last);
    assert_true(lost < 0.02);
    assert_int_equal(last, 1);
    /* a first shared measure 5x too slow (the pool's start) is taken again
       soon: whole only for about 1000 steps */
    kp__fft_share_record spoilt = {0};
    kp__fft_share_note(&spoilt, kp__fft_share_choose(&spoilt, 2), 2, 5000);
    for (int s = 0; s < 6; s++) {
        const int shared = kp__fft_share_choose(&spoilt, 2);
        kp__fft_share_note(&spoilt, shared, 2, shared ? 5000 : 2000);
    }
    share_steps(&spoilt, 2, 1000, 2000, 1000, &last);
    assert_int_equal(last, 1);
    /* noisy times, sharing 10% slower, then 10% faster: the faster way
       nearly always (a way judged by a time that fell to a fast step at
       once and rose slowly sat lower for the way timed only in probes:
       measured steps lost 2.1% of the time) */
    kp__fft_share_record noisy = {0};
    share_warm_up(&noisy, 2);
    share_noisy_steps(&noisy, 2, 3300, 3000, 200);
    lost = share_noisy_steps(&noisy, 2, 3300, 3000, 20000);
    print_message("noisy, shared 10%% slower: %.2f%%\n", 100 * lost);
    assert_true(lost < 0.01);
    share_noisy_steps(&noisy, 2, 2700, 3000, 2000);
    lost = share_noisy_steps(&noisy, 2, 2700, 3000, 20000);
    print_message("noisy, shared 10%% faster: %.2f%%\n", 100 * lost);
    assert_true(lost < 0.01);
    /* steps of another shape (lines, parts): measured again, both ways */
    share_warm_up(&r, 3);
    /* the forced modes */
    kp__fft_share_mode(KP__FFT_SHARE_NEVER);
    assert_int_equal(kp__fft_share_choose(&r, 2), 0);
    kp__fft_share_mode(KP__FFT_SHARE_ALWAYS);
    assert_int_equal(kp__fft_share_choose(&r, 2), 1);
    assert_int_equal(kp__fft_share_mode(before), KP__FFT_SHARE_ALWAYS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_share_either_way_same_bits),
        cmocka_unit_test(test_blocked_same_bits),
        cmocka_unit_test(test_share_choice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
