/* passes.c in single precision beside the explicit AVX-512 butterflies
 * (simd_s_avx512.c), which take the passes they have; run only when
 * the CPU has AVX-512. */
#define KP_FFT_SINGLE 1
#define KP_FFT_ISA    _avx512
#define KP_FFT_SIMD   1
#include "kernels/fft/passes.c"
