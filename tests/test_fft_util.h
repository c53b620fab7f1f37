/*
 * Helpers shared by the FFT tests (properties, interface, sharing): a
 * seeded generator of doubles in [-1, 1), a double plan with backward
 * norm, and one run of a plan checked against reference bits.
 *
 * Everything is static inline: each test uses only part of it. Include
 * after cmocka.h.
 */
#ifndef KP_TEST_FFT_UTIL_H
#define KP_TEST_FFT_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernpool.h"
#include "testutil.h"

static uint64_t seed = 88172645463325252u;
static inline double uniform(void)
{
    return kp_test_uniform(&seed);
}

static inline double *random_doubles(size_t count)
{
    double *x = malloc(count * sizeof *x + 8);
    assert_non_null(x);
    for (size_t i = 0; i < count; i++)
        x[i] = uniform();
    return x;
}

static inline kp_fft_plan *make(kp_fft_kind kind, int direction, size_t rank,
                                const kp_fft_dim *dims, size_t batch_rank, const kp_fft_dim *batch)
{
    kp_fft_plan *p = NULL;
    assert_int_equal(kp_fft_plan_make(&p, kind, KP_FFT_DOUBLE, direction, KP_FFT_NORM_BACKWARD,
                                      rank, dims, batch_rank, batch),
                     KP_OK);
    return p;
}

/* Runs the plan at `workers` into out (cleared first) and checks that it
 * wrote the bytes of ref. */
static inline void execute_same(kp_fft_plan *p, const void *in, void *out, const void *ref,
                                size_t bytes, int workers)
{
    memset(out, 0, bytes);
    assert_int_equal(kp_fft_plan_execute(p, in, out, workers), KP_OK);
    assert_memory_equal(out, ref, bytes);
}

#endif
