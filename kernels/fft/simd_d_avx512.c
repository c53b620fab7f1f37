/* The vector passes and lanes (simd_passes.c, simd_lanes.c,
 * simd_real_lanes.c) in double precision with AVX-512. */
#define KP_FFT_SINGLE 0
#define KP_FFT_ISA    _avx512
#define KP_FFT_VEC    512
#include "kernels/fft/simd_passes.c"
#include "kernels/fft/simd_lanes.c"
#include "kernels/fft/simd_real_lanes.c"
