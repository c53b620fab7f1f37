/* The vector passes and lanes (simd_passes.c, simd_lanes.c,
 * simd_real_lanes.c) in double precision with AVX2. */
#define KP_FFT_SINGLE 0
#define KP_FFT_ISA    _avx2
#define KP_FFT_VEC    256
#include "kernels/fft/simd_passes.c"
#include "kernels/fft/simd_lanes.c"
#include "kernels/fft/simd_real_lanes.c"
