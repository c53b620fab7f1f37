/* passes.c in double precision beside the explicit AVX2 butterflies
 * (simd_d_avx2.c), which take the passes they have; run only when
 * the CPU has AVX2 and FMA. */
#define KP_FFT_SINGLE 0
#define KP_FFT_ISA    _avx2
#define KP_FFT_SIMD   1
#include "kernels/fft/passes.c"
