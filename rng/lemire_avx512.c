/*
 * The integer fills' Lemire step with AVX-512 (built with -mavx512f, run
 * only when the CPU has it), eight words at a time. Sequentially, a value
 * takes draws until one is accepted, so the values are the accepted draws in
 * order, each mapped alone: a group's accepted lanes are compressed to the
 * front of a vector and stored, and rejected ones simply drop out. Each
 * kernel stops while a full group still fits in out, so no group can make
 * more values than are wanted.
 */
#include <immintrin.h>

#include "rng/rng.h"
#include "rng/wide_avx512.h"

size_t kp__lemire32_avx512(const uint64_t *words, size_t nw, uint64_t off, uint32_t s, uint32_t t,
                           int64_t *out, size_t n, size_t *made)
{
    const __m512i vs = _mm512_set1_epi64(s), vt = _mm512_set1_epi64(t);
    const __m512i voff = _mm512_set1_epi64((long long)off);
    const __m512i low32 = _mm512_set1_epi64(0xffffffff);
    const __m512i first = _mm512_set_epi64(11, 10, 3, 2, 9, 8, 1, 0);
    const __m512i second = _mm512_set_epi64(15, 14, 7, 6, 13, 12, 5, 4);
    size_t used = 0, k = 0;
    for (; nw - used >= 8 && n - k >= 16; used += 8) {
        __m512i w = _mm512_loadu_si512(words + used);
        __m512i m0 = _mm512_mul_epu32(w, vs); /* low halves times s */
        __m512i m1 = _mm512_mul_epu32(_mm512_srli_epi64(w, 32), vs);
        /* in draw order, each word's low half first */
        __m512i lo = _mm512_unpacklo_epi64(m0, m1), hi = _mm512_unpackhi_epi64(m0, m1);
        __m512i p[2] = {_mm512_permutex2var_epi64(lo, first, hi),
                        _mm512_permutex2var_epi64(lo, second, hi)};
        for (int h = 0; h < 2; h++) {
            __mmask8 ok = _mm512_cmpge_epu64_mask(_mm512_and_si512(p[h], low32), vt);
            __m512i r = _mm512_add_epi64(voff, _mm512_srli_epi64(p[h], 32));
            _mm512_storeu_si512(out + k, _mm512_maskz_compress_epi64(ok, r));
            k += (size_t)__builtin_popcount(ok);
        }
    }
    *made = k;
    return used;
}

size_t kp__lemire64_avx512(const uint64_t *words, size_t nw, uint64_t off, uint64_t s, uint64_t t,
                           int64_t *out, size_t n, size_t *made)
{
    const __m512i vs = _mm512_set1_epi64((long long)s), vt = _mm512_set1_epi64((long long)t);
    const __m512i voff = _mm512_set1_epi64((long long)off);
    size_t used = 0, k = 0;
    for (; nw - used >= 8 && n - k >= 8; used += 8) {
        kp__lanes m = kp__mul_wide(_mm512_loadu_si512(words + used), vs);
        __mmask8 ok = _mm512_cmpge_epu64_mask(m.lo, vt);
        __m512i r = _mm512_add_epi64(voff, m.hi);
        _mm512_storeu_si512(out + k, _mm512_maskz_compress_epi64(ok, r));
        k += (size_t)__builtin_popcount(ok);
    }
    *made = k;
    return used;
}
