/*
 * The precision of a file compiled once per precision (passes.c, lines.c):
 * it includes this header after defining KP_FFT_SINGLE to 0 (double) or 1
 * (float), and names its entry points through FFT_FN. passes.c is also
 * compiled once per instruction set, KP_FFT_ISA naming it (_avx2, _avx512;
 * empty for the portable build).
 */
#ifndef KP_FFT_PREC_H
#define KP_FFT_PREC_H

#ifndef KP_FFT_ISA
#define KP_FFT_ISA
#endif
#define FFT_PASTE(a, b, c) a##b##c
#define FFT_NAME(a, b, c)  FFT_PASTE(a, b, c)

/* FFT_FN: the name of this precision and instruction set; FFT_PREC_FN: of
 * this precision only (a function of lines.c). */
#if KP_FFT_SINGLE
typedef float fft_real;
#define FFT_FN(name)      FFT_NAME(name, _s, KP_FFT_ISA)
#define FFT_PREC_FN(name) FFT_NAME(name, _s, )
#else
typedef double fft_real;
#define FFT_FN(name)      FFT_NAME(name, _d, KP_FFT_ISA)
#define FFT_PREC_FN(name) FFT_NAME(name, _d, )
#endif

typedef struct fft_cpx {
    fft_real re, im;
} fft_cpx;

/* a * w (fwd) or a * conj(w) (backward): w is a stored forward root. fwd is
 * a constant wherever it matters, so the branch folds away. */
static inline __attribute__((always_inline)) fft_cpx ctw(fft_cpx a, fft_cpx w, int fwd)
{
    if (fwd) return (fft_cpx){a.re * w.re - a.im * w.im, a.re * w.im + a.im * w.re};
    return (fft_cpx){a.re * w.re + a.im * w.im, a.im * w.re - a.re * w.im};
}

#endif
