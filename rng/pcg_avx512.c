/*
 * PCG draws in 16 lanes of AVX-512 (built with -mavx512f -mavx512dq, run
 * only when the CPU has them). Lane l of vector v makes draws 8v + l,
 * 8v + l + 16, ... with the 16-step LCG, so the outputs, and the state left
 * behind, are those of the one-step loop in rng/bitgen.c, which tests hold
 * it to.
 *
 * A 128-bit state is a (hi, lo) pair of 64-bit lanes. The step
 * t -> A t + C (mod 2**128) needs the full 128-bit product of the low
 * words (rng/wide_avx512.h) and the low halves of the two cross products
 * (vpmullq).
 */
#include <immintrin.h>

#include "rng/rng.h"
#include "rng/wide_avx512.h"

/* The LCG step of eight lanes, t -> A t + C. */
static inline kp__lanes step(kp__lanes t, __m512i a_hi, __m512i a_lo, __m512i c_hi, __m512i c_lo)
{
    kp__lanes p = kp__mul_wide(a_lo, t.lo);
    kp__lanes r;
    r.lo = _mm512_add_epi64(p.lo, c_lo);
    __mmask8 carry = _mm512_cmplt_epu64_mask(r.lo, p.lo);
    __m512i hi = _mm512_add_epi64(p.hi, _mm512_mullo_epi64(a_lo, t.hi));
    hi = _mm512_add_epi64(hi, _mm512_mullo_epi64(a_hi, t.lo));
    hi = _mm512_add_epi64(hi, c_hi);
    r.hi = _mm512_mask_add_epi64(hi, carry, hi, _mm512_set1_epi64(1));
    return r;
}

static inline __m512i xsl_rr(kp__lanes t)
{
    return _mm512_rorv_epi64(_mm512_xor_si512(t.hi, t.lo), _mm512_srli_epi64(t.hi, 58));
}

static inline __m512i dxsm(kp__lanes t)
{
    const __m512i cheap = _mm512_set1_epi64((long long)KP__PCG_CHEAP);
    __m512i hi = t.hi, lo = _mm512_or_si512(t.lo, _mm512_set1_epi64(1));
    hi = _mm512_xor_si512(hi, _mm512_srli_epi64(hi, 32));
    hi = _mm512_mullo_epi64(hi, cheap);
    hi = _mm512_xor_si512(hi, _mm512_srli_epi64(hi, 48));
    return _mm512_mullo_epi64(hi, lo);
}

static inline kp__lanes load_states(const kp__u128 *t)
{
    long long hi[8], lo[8];
    for (int l = 0; l < 8; l++) {
        hi[l] = (long long)kp__hi64(t[l]);
        lo[l] = (long long)kp__lo64(t[l]);
    }
    return (kp__lanes){_mm512_loadu_si512(hi), _mm512_loadu_si512(lo)};
}

static inline kp__u128 lane(kp__lanes t, int l)
{
    uint64_t hi[8], lo[8];
    _mm512_storeu_si512(hi, t.hi);
    _mm512_storeu_si512(lo, t.lo);
    return kp__u128_make(hi[l], lo[l]);
}

static inline void put(__m512i w, int conv, void *out, size_t i, __m512d low, __m512d range)
{
    if (conv == KP__AS_RAW) {
        _mm512_storeu_si512((uint64_t *)out + i, w);
        return;
    }
    __m512d u =
        _mm512_mul_pd(_mm512_cvtepi64_pd(_mm512_srli_epi64(w, 11)), _mm512_set1_pd(0x1.0p-53));
    if (conv == KP__AS_UNIFORM) u = _mm512_add_pd(low, _mm512_mul_pd(range, u));
    _mm512_storeu_pd((double *)out + i, u);
}

size_t kp__pcg_lanes_avx512(int dxsm_output, kp__u128 *state, kp__u128 a, kp__u128 c, size_t n,
                            int conv, void *out, double low, double range)
{
    size_t m = n - n % 16;
    if (m == 0) return 0;
    kp__u128 s = *state, t[16];
    /* XSL-RR outputs the state after its step, DXSM the state before. */
    t[0] = dxsm_output ? s : a * s + c;
    for (int l = 1; l < 16; l++)
        t[l] = a * t[l - 1] + c;
    kp__u128 A = 1, C = 0; /* sixteen steps at once */
    for (int k = 0; k < 16; k++) {
        A *= a;
        C = C * a + c;
    }
    const __m512i a_hi = _mm512_set1_epi64((long long)kp__hi64(A));
    const __m512i a_lo = _mm512_set1_epi64((long long)kp__lo64(A));
    const __m512i c_hi = _mm512_set1_epi64((long long)kp__hi64(C));
    const __m512i c_lo = _mm512_set1_epi64((long long)kp__lo64(C));
    const __m512d vlow = _mm512_set1_pd(low), vrange = _mm512_set1_pd(range);
    kp__lanes v0 = load_states(t), v1 = load_states(t + 8), last = v1;
    for (size_t i = 0; i < m; i += 16) {
        put(dxsm_output ? dxsm(v0) : xsl_rr(v0), conv, out, i, vlow, vrange);
        put(dxsm_output ? dxsm(v1) : xsl_rr(v1), conv, out, i + 8, vlow, vrange);
        last = v1;
        v0 = step(v0, a_hi, a_lo, c_hi, c_lo);
        v1 = step(v1, a_hi, a_lo, c_hi, c_lo);
    }
    /* The state after draw m - 1: XSL-RR's is the one it output, DXSM's is
     * one step on from it. */
    kp__u128 end = lane(last, 7);
    *state = dxsm_output ? a * end + c : end;
    return m;
}
