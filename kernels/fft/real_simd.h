/*
 * The real lines' vector code, for the files compiled once per precision
 * that run real lines (lines.c, split.c): included after prec.h.
 */
#ifndef KP_FFT_REAL_SIMD_H
#define KP_FFT_REAL_SIMD_H

#include "kernels/fft/fft.h"
#include "sched/internal.h"

/* The real lines' vector code with AVX2 or AVX-512, where the CPU and
 * KERNPOOL_ISA allow it (NULL: the portable loops of lines.c and split.c): the even lines' pre- and
 * post-passes, which run on contiguous data for every stride, and the
 * split odd lines' first and last passes, the same operations for every
 * stride, so a strided line gives the bits of a contiguous one. */
typedef struct simd_real {
    kp__fft_r2c_post_fn *post;
    kp__fft_c2r_pre_fn *pre;
    kp__fft_split_in_fn *split_in;
    kp__fft_split_out_fn *split_out;
    kp__fft_r2c_lanes_fn *r2c_lanes;
    kp__fft_c2r_lanes_fn *c2r_lanes;
} simd_real;

static inline simd_real simd_real_pick(void)
{
    simd_real none = {NULL, NULL, NULL, NULL, NULL, NULL};
#if defined(__x86_64__)
    switch (kp__isa_selected()) {
#if KP_FFT_SINGLE
    case KP_ISA_AVX512:
        return (simd_real){kp__fft_r2c_post_s_avx2,        kp__fft_c2r_pre_s_avx2,
                           kp__fft_split_in_s_avx512,      kp__fft_split_out_s_avx512,
                           kp__fft_r2c_lanes_run_s_avx512, kp__fft_c2r_lanes_run_s_avx512};
    case KP_ISA_AVX2:
        return (simd_real){kp__fft_r2c_post_s_avx2,      kp__fft_c2r_pre_s_avx2,
                           kp__fft_split_in_s_avx2,      kp__fft_split_out_s_avx2,
                           kp__fft_r2c_lanes_run_s_avx2, kp__fft_c2r_lanes_run_s_avx2};
#else
    case KP_ISA_AVX512:
        return (simd_real){kp__fft_r2c_post_d_avx512,      kp__fft_c2r_pre_d_avx512,
                           kp__fft_split_in_d_avx512,      kp__fft_split_out_d_avx512,
                           kp__fft_r2c_lanes_run_d_avx512, kp__fft_c2r_lanes_run_d_avx512};
    case KP_ISA_AVX2:
        return (simd_real){kp__fft_r2c_post_d_avx2,      kp__fft_c2r_pre_d_avx2,
                           kp__fft_split_in_d_avx2,      kp__fft_split_out_d_avx2,
                           kp__fft_r2c_lanes_run_d_avx2, kp__fft_c2r_lanes_run_d_avx2};
#endif
    default: break;
    }
#endif
    return none;
}

#endif
