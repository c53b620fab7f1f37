/* simd_passes_avx512.c in single precision. */
#define KP_FFT_SINGLE 1
#define KP_FFT_ISA    _avx512
#include "kernels/fft/simd_passes_avx512.c"
