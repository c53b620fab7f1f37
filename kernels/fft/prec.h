/*
 * The precision of a file compiled once per precision (passes.c): it
 * includes this header after defining KP_FFT_SINGLE to 0 (double) or 1
 * (float), and names its entry points through FFT_FN.
 */
#ifndef KP_FFT_PREC_H
#define KP_FFT_PREC_H

#if KP_FFT_SINGLE
typedef float fft_real;
#define FFT_FN(name) name##_s
#else
typedef double fft_real;
#define FFT_FN(name) name##_d
#endif

typedef struct fft_cpx {
    fft_real re, im;
} fft_cpx;

#endif
