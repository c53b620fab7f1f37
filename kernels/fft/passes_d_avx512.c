/* passes.c in double precision for AVX512 (built with its flags; run only when the CPU has it). */
#define KP_FFT_SINGLE      0
#define KP_FFT_ISA         _avx512
#define KP_FFT_SIMD_AVX512 1 /* radices 2, 4 and 8 from simd_avx512.c */
#include "kernels/fft/passes.c"
