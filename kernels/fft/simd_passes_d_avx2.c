/* simd_passes.c in double precision with AVX2. */
#define KP_FFT_SINGLE 0
#define KP_FFT_ISA    _avx2
#define KP_FFT_VEC    256
#include "kernels/fft/simd_passes.c"
