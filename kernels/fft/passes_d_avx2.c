/* passes.c in double precision for AVX2 (built with its flags; run only when the CPU has it). */
#define KP_FFT_SINGLE 0
#define KP_FFT_ISA    _avx2
#include "kernels/fft/passes.c"
