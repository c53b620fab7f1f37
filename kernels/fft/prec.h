/*
 * The precision of a file compiled once per precision (passes.c, lines.c,
 * split.c):
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
 * this precision only (a function of lines.c or split.c). */
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

/* cos(pi / 4), and cos and sin of 2 pi j / P for j <= P / 2 and the odd
 * radices P with butterflies of their own, rounded from 36 significant
 * digits (the files that use none draw no warning: they are a header's). */
static const fft_real sqrt_half = (fft_real)0.707106781186547524400844362104849039L;
static const fft_real cos3[2] = {1, -0.5};
static const fft_real sin3[2] = {0, (fft_real)0.866025403784438646763723170752936183L};
static const fft_real cos5[3] = {1, (fft_real)0.309016994374947424102293417182819059L,
                                 (fft_real)-0.809016994374947424102293417182819059L};
static const fft_real sin5[3] = {0, (fft_real)0.951056516295153572116439333379382143L,
                                 (fft_real)0.587785252292473129168705954639072769L};
static const fft_real cos7[4] = {1, (fft_real)0.623489801858733530525004884004239811L,
                                 (fft_real)-0.222520933956314404288902564496794759L,
                                 (fft_real)-0.900968867902419126236102319507445051L};
static const fft_real sin7[4] = {0, (fft_real)0.781831482468029808708444526674057750L,
                                 (fft_real)0.974927912181823607018131682993931217L,
                                 (fft_real)0.433883739117558120475768332848358754L};
static const fft_real cos11[6] = {1,
                                  (fft_real)0.841253532831181168861811648919367718L,
                                  (fft_real)0.415415013001886425529274149229623204L,
                                  (fft_real)-0.142314838273285140443792668616369669L,
                                  (fft_real)-0.654860733945285064056925072466293553L,
                                  (fft_real)-0.959492973614497389890368057066327699L};
static const fft_real sin11[6] = {0,
                                  (fft_real)0.540640817455597582107635954318691695L,
                                  (fft_real)0.909631995354518371411715383079028460L,
                                  (fft_real)0.989821441880932732376092037776718787L,
                                  (fft_real)0.755749574354258283774035843972344420L,
                                  (fft_real)0.281732556841429697711417915346616899L};
static const fft_real cos13[7] = {1,
                                  (fft_real)0.885456025653209895900375522015098879L,
                                  (fft_real)0.568064746731155802511807559127516625L,
                                  (fft_real)0.120536680255323053349067687452543582L,
                                  (fft_real)-0.354604887042535625969637892600018474L,
                                  (fft_real)-0.748510748171101098634630599701351384L,
                                  (fft_real)-0.970941817426052027156982276293789227L};
static const fft_real sin13[7] = {0,
                                  (fft_real)0.464723172043768545656015335133104778L,
                                  (fft_real)0.822983865893656394579617423439381991L,
                                  (fft_real)0.992708874098053992800751649492520179L,
                                  (fft_real)0.935016242685414823439784599837830729L,
                                  (fft_real)0.663122658240795202376785492666766280L,
                                  (fft_real)0.239315664287557767148753726260211895L};
/* The vector radix 16 turns its inner values by w16^j: cos and sin of
 * pi / 8. */
static const fft_real cos16 = (fft_real)0.923879532511286756128183189396788287L;
static const fft_real sin16 = (fft_real)0.382683432365089771728459984030398867L;
/* Radix 9 turns its inner values by w9^1, w9^2 and w9^4. */
static const fft_real cos9[5] = {1, (fft_real)0.766044443118978035202392650555416674L,
                                 (fft_real)0.173648177666930348851716626769314796L, -0.5,
                                 (fft_real)-0.939692620785908384054109277324731470L};
static const fft_real sin9[5] = {0, (fft_real)0.642787609686539326322643409907263433L,
                                 (fft_real)0.984807753012208059366743024589523014L,
                                 (fft_real)0.866025403784438646763723170752936183L,
                                 (fft_real)0.342020143325668733044099614682259581L};

/* cos and sin of 2 pi (j m mod P) / P for P = 3, 5 or 7 (the split real
 * lines' radices: split.c and its vector passes in simd_passes.c). */
static inline __attribute__((always_inline)) fft_real cos_jm(const unsigned P, unsigned j,
                                                             unsigned m)
{
    const fft_real *c = P == 3 ? cos3 : P == 5 ? cos5 : cos7;
    const unsigned r = j * m % P;
    return c[r <= P / 2 ? r : P - r];
}
static inline __attribute__((always_inline)) fft_real sin_jm(const unsigned P, unsigned j,
                                                             unsigned m)
{
    const fft_real *s = P == 3 ? sin3 : P == 5 ? sin5 : sin7;
    const unsigned r = j * m % P;
    return r <= P / 2 ? s[r] : -s[P - r];
}

/* a * w (fwd) or a * conj(w) (backward): w is a stored forward root. fwd is
 * a constant wherever it matters, so the branch folds away. */
static inline __attribute__((always_inline)) fft_cpx ctw(fft_cpx a, fft_cpx w, int fwd)
{
    if (fwd) return (fft_cpx){a.re * w.re - a.im * w.im, a.re * w.im + a.im * w.re};
    return (fft_cpx){a.re * w.re + a.im * w.im, a.im * w.re - a.re * w.im};
}

#endif
