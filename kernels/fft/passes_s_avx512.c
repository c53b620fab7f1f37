/* passes.c in single precision, the build chosen on AVX-512 CPUs. */
#define KP_FFT_SINGLE 1
#define KP_FFT_ISA    _avx512
#include "kernels/fft/passes.c"
