/* simd_passes.c in double precision with AVX-512. */
#define KP_FFT_SINGLE 0
#define KP_FFT_ISA    _avx512
#define KP_FFT_VEC    512
#include "kernels/fft/simd_passes.c"
