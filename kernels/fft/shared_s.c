/* shared.c in single precision. */
#define KP_FFT_SINGLE 1
#include "kernels/fft/shared.c"
