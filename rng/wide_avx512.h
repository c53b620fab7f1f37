/*
 * Full 64 x 64 -> 128-bit products in eight AVX-512 lanes, for the files
 * built with -mavx512f (rng/pcg_avx512.c, rng/lemire_avx512.c). AVX-512 has
 * no such multiply; four 32 x 32 -> 64 products (vpmuludq) make one.
 */
#ifndef KP_RNG_WIDE_AVX512_H
#define KP_RNG_WIDE_AVX512_H

#include <immintrin.h>

typedef struct kp__lanes {
    __m512i hi, lo;
} kp__lanes;

/* The 128-bit products a * b of eight pairs of 64-bit lanes. */
static inline kp__lanes kp__mul_wide(__m512i a, __m512i b)
{
    const __m512i low32 = _mm512_set1_epi64(0xffffffff);
    __m512i a1 = _mm512_srli_epi64(a, 32), b1 = _mm512_srli_epi64(b, 32);
    __m512i p00 = _mm512_mul_epu32(a, b), p01 = _mm512_mul_epu32(a, b1);
    __m512i p10 = _mm512_mul_epu32(a1, b), p11 = _mm512_mul_epu32(a1, b1);
    /* the middle column: at most 3 (2**32 - 1), so no carry is lost */
    __m512i mid = _mm512_add_epi64(_mm512_srli_epi64(p00, 32), _mm512_and_si512(p01, low32));
    mid = _mm512_add_epi64(mid, _mm512_and_si512(p10, low32));
    kp__lanes r;
    r.lo = _mm512_or_si512(_mm512_slli_epi64(mid, 32), _mm512_and_si512(p00, low32));
    r.hi =
        _mm512_add_epi64(_mm512_add_epi64(p11, _mm512_srli_epi64(p01, 32)),
                         _mm512_add_epi64(_mm512_srli_epi64(p10, 32), _mm512_srli_epi64(mid, 32)));
    return r;
}

#endif
