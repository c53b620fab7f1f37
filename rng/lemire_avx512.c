/*
 * The 32-bit path of the integer fills with AVX-512 (built with -mavx512f,
 * run only when the CPU has it): eight words give sixteen values, each word
 * its low half first, exactly as rng/distributions.c's scalar loop takes
 * them. A group of eight words that holds a rejection is left to that loop.
 */
#include <immintrin.h>

#include "rng/rng.h"

size_t kp__lemire32_avx512(const uint64_t *words, size_t nw, uint64_t off, uint32_t s, uint32_t t,
                           int64_t *out)
{
    const __m512i vs = _mm512_set1_epi64(s), vt = _mm512_set1_epi64(t);
    const __m512i voff = _mm512_set1_epi64((long long)off);
    const __m512i low32 = _mm512_set1_epi64(0xffffffff);
    const __m512i first = _mm512_set_epi64(11, 10, 3, 2, 9, 8, 1, 0);
    const __m512i second = _mm512_set_epi64(15, 14, 7, 6, 13, 12, 5, 4);
    size_t done = 0;
    for (; nw - done >= 8; done += 8) {
        __m512i w = _mm512_loadu_si512(words + done);
        __m512i m0 = _mm512_mul_epu32(w, vs); /* low halves times s */
        __m512i m1 = _mm512_mul_epu32(_mm512_srli_epi64(w, 32), vs);
        if (_mm512_cmplt_epu64_mask(_mm512_and_si512(m0, low32), vt) |
            _mm512_cmplt_epu64_mask(_mm512_and_si512(m1, low32), vt))
            break;
        __m512i r0 = _mm512_add_epi64(voff, _mm512_srli_epi64(m0, 32));
        __m512i r1 = _mm512_add_epi64(voff, _mm512_srli_epi64(m1, 32));
        /* interleave: r0[0], r1[0], r0[1], r1[1], ... */
        __m512i lo = _mm512_unpacklo_epi64(r0, r1), hi = _mm512_unpackhi_epi64(r0, r1);
        _mm512_storeu_si512(out + 2 * done, _mm512_permutex2var_epi64(lo, first, hi));
        _mm512_storeu_si512(out + 2 * done + 8, _mm512_permutex2var_epi64(lo, second, hi));
    }
    return done;
}
