/* passes.c in double precision for AVX512 (built with its flags; run only when the CPU has it). */
#define KP_FFT_SINGLE 0
#define KP_FFT_ISA    _avx512
#include "kernels/fft/passes.c"
