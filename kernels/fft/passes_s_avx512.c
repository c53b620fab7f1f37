/* passes.c in single precision for AVX512 (built with its flags; run only when the CPU has it). */
#define KP_FFT_SINGLE 1
#define KP_FFT_ISA    _avx512
#include "kernels/fft/passes.c"
