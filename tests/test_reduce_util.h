/*
 * Helpers shared by the reduction tests: one call interface over the twelve
 * functions (outputs preset to sentinels, so an untouched output can be told
 * from a written one), a seeded generator, long double references and the
 * error bounds derived from the contract in include/kernpool.h.
 *
 * Everything is static inline: each test uses only part of it.
 */
#ifndef KP_TEST_REDUCE_UTIL_H
#define KP_TEST_REDUCE_UTIL_H

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernpool.h"

/* ------------------------------------------------------- the functions */

typedef enum {
    KPT_SSUM,
    KPT_DSUM,
    KPT_SDOT,
    KPT_DDOT,
    KPT_SNRM2,
    KPT_DNRM2,
    KPT_SASUM,
    KPT_DASUM,
    KPT_SMINMAX,
    KPT_DMINMAX,
    KPT_SMEANVAR,
    KPT_DMEANVAR,
    KPT_COUNT
} kpt_fn;

static const char *const kpt_names[KPT_COUNT] = {
    "kp_ssum",  "kp_dsum",  "kp_sdot",    "kp_ddot",    "kp_snrm2",     "kp_dnrm2",
    "kp_sasum", "kp_dasum", "kp_sminmax", "kp_dminmax", "kp_smean_var", "kp_dmean_var",
};

static inline int kpt_is_float(kpt_fn f)
{
    return (f & 1) == 0;
}

static inline size_t kpt_elem(kpt_fn f)
{
    return kpt_is_float(f) ? sizeof(float) : sizeof(double);
}

static inline int kpt_is_dot(kpt_fn f)
{
    return f == KPT_SDOT || f == KPT_DDOT;
}

static inline int kpt_is_minmax(kpt_fn f)
{
    return f == KPT_SMINMAX || f == KPT_DMINMAX;
}

static inline int kpt_is_meanvar(kpt_fn f)
{
    return f == KPT_SMEANVAR || f == KPT_DMEANVAR;
}

/* Which outputs a call asks for (a NULL pointer for the others).
 * Single-output functions: bit 0. kp_?minmax: min, imin, max, imax.
 * kp_?mean_var: mean, var. */
#define KPT_OUT  1u
#define KPT_MIN  1u
#define KPT_IMIN 2u
#define KPT_MAX  4u
#define KPT_IMAX 8u
#define KPT_MEAN 1u
#define KPT_VAR  2u
#define KPT_ALL  15u
#define KPT_NONE 0u

/* Preset into every output before a call: NaNs with payloads (and an index)
 * that no reduction of our data produces. */
#define KPT_SENT_D UINT64_C(0x7ff4dead0000beef)
#define KPT_SENT_F UINT64_C(0x7fa0beef)
#define KPT_SENT_I ((size_t)UINT64_C(0x5a5a5a5a5a5a5a5a))

typedef struct kpt_args {
    size_t n;
    const void *x;
    ptrdiff_t incx;
    const void *y; /* dot only */
    ptrdiff_t incy;
    size_t ddof; /* mean_var only */
    int workers;
    unsigned want; /* KPT_* output bits */
} kpt_args;

/* The outputs as bits: v[0] is sum/dot/nrm2/asum/min/mean, v[1] max/var
 * (float results in the low 32 bits); i[0] imin, i[1] imax. */
typedef struct kpt_res {
    int rc;
    uint64_t v[2];
    size_t i[2];
} kpt_res;

static inline double kpt_d(uint64_t bits)
{
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

static inline float kpt_f(uint64_t bits)
{
    uint32_t b = (uint32_t)bits;
    float f;
    memcpy(&f, &b, sizeof f);
    return f;
}

static inline uint64_t kpt_dbits(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

static inline uint64_t kpt_fbits(float f)
{
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    return b;
}

/* An output value as a double (float results widened exactly). */
static inline double kpt_val(kpt_fn f, uint64_t bits)
{
    return kpt_is_float(f) ? (double)kpt_f(bits) : kpt_d(bits);
}

static inline kpt_res kpt_call(kpt_fn f, const kpt_args *a)
{
    double dv[2];
    float fv[2];
    size_t iv[2] = {KPT_SENT_I, KPT_SENT_I};
    uint64_t sd = KPT_SENT_D;
    uint32_t sf = (uint32_t)KPT_SENT_F;
    for (int k = 0; k < 2; k++) {
        memcpy(&dv[k], &sd, sizeof sd);
        memcpy(&fv[k], &sf, sizeof sf);
    }
    const unsigned w = a->want;
    double *d0 = (w & 1u) ? &dv[0] : NULL;
    float *f0 = (w & 1u) ? &fv[0] : NULL;
    kpt_res r;
    switch (f) {
    case KPT_SSUM: r.rc = kp_ssum(a->n, a->x, a->incx, a->workers, f0); break;
    case KPT_DSUM: r.rc = kp_dsum(a->n, a->x, a->incx, a->workers, d0); break;
    case KPT_SDOT: r.rc = kp_sdot(a->n, a->x, a->incx, a->y, a->incy, a->workers, f0); break;
    case KPT_DDOT: r.rc = kp_ddot(a->n, a->x, a->incx, a->y, a->incy, a->workers, d0); break;
    case KPT_SNRM2: r.rc = kp_snrm2(a->n, a->x, a->incx, a->workers, f0); break;
    case KPT_DNRM2: r.rc = kp_dnrm2(a->n, a->x, a->incx, a->workers, d0); break;
    case KPT_SASUM: r.rc = kp_sasum(a->n, a->x, a->incx, a->workers, f0); break;
    case KPT_DASUM: r.rc = kp_dasum(a->n, a->x, a->incx, a->workers, d0); break;
    case KPT_SMINMAX:
        r.rc = kp_sminmax(a->n, a->x, a->incx, a->workers, (w & KPT_MIN) ? &fv[0] : NULL,
                          (w & KPT_IMIN) ? &iv[0] : NULL, (w & KPT_MAX) ? &fv[1] : NULL,
                          (w & KPT_IMAX) ? &iv[1] : NULL);
        break;
    case KPT_DMINMAX:
        r.rc = kp_dminmax(a->n, a->x, a->incx, a->workers, (w & KPT_MIN) ? &dv[0] : NULL,
                          (w & KPT_IMIN) ? &iv[0] : NULL, (w & KPT_MAX) ? &dv[1] : NULL,
                          (w & KPT_IMAX) ? &iv[1] : NULL);
        break;
    case KPT_SMEANVAR:
        r.rc = kp_smean_var(a->n, a->x, a->incx, a->ddof, a->workers,
                            (w & KPT_MEAN) ? &fv[0] : NULL, (w & KPT_VAR) ? &fv[1] : NULL);
        break;
    case KPT_DMEANVAR:
        r.rc = kp_dmean_var(a->n, a->x, a->incx, a->ddof, a->workers,
                            (w & KPT_MEAN) ? &dv[0] : NULL, (w & KPT_VAR) ? &dv[1] : NULL);
        break;
    default: r.rc = 1; break;
    }
    for (int k = 0; k < 2; k++) {
        if (kpt_is_float(f))
            r.v[k] = kpt_fbits(fv[k]);
        else
            r.v[k] = kpt_dbits(dv[k]);
        r.i[k] = iv[k];
    }
    return r;
}

/* 1 if every output still holds its sentinel. */
static inline int kpt_untouched(kpt_fn f, const kpt_res *r)
{
    const uint64_t s = kpt_is_float(f) ? KPT_SENT_F : KPT_SENT_D;
    return r->v[0] == s && r->v[1] == s && r->i[0] == KPT_SENT_I && r->i[1] == KPT_SENT_I;
}

static inline int kpt_same(const kpt_res *a, const kpt_res *b)
{
    return a->rc == b->rc && a->v[0] == b->v[0] && a->v[1] == b->v[1] && a->i[0] == b->i[0] &&
           a->i[1] == b->i[1];
}

/* --------------------------------------------------------------- data */

/* splitmix64 (Steele, Lea and Flood, 2014): a small, well-mixed generator;
 * the tests only need reproducible, varied data. */
typedef struct kpt_rng {
    uint64_t s;
} kpt_rng;

static inline uint64_t kpt_next(kpt_rng *r)
{
    uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Uniform in [0, 1), 53 random bits. */
static inline double kpt_unif(kpt_rng *r)
{
    return (double)(kpt_next(r) >> 11) * 0x1p-53;
}

/* Uniform integer in [0, m). */
static inline size_t kpt_below(kpt_rng *r, size_t m)
{
    return (size_t)(kpt_next(r) % m);
}

/* A random sign times a full-precision mantissa in [1, 2) times 2^e with
 * e uniform in [lo, hi]: the order of additions shows in the bits. */
static inline double kpt_wide(kpt_rng *r, int lo, int hi)
{
    double m = 1.0 + kpt_unif(r);
    int e = lo + (int)kpt_below(r, (size_t)(hi - lo + 1));
    double v = ldexp(m, e);
    return (kpt_next(r) & 1) ? -v : v;
}

/* The same permutation applied to x and y (either may be NULL). */
static inline void kpt_shuffle2(kpt_rng *r, double *x, double *y, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = kpt_below(r, i);
        if (x != NULL) {
            double t = x[i - 1];
            x[i - 1] = x[j];
            x[j] = t;
        }
        if (y != NULL) {
            double t = y[i - 1];
            y[i - 1] = y[j];
            y[j] = t;
        }
    }
}

/* ------------------------------------------- long double references */

/* Neumaier's compensated summation (1974) in long double. On x86-64 long
 * double has a 64-bit significand (u_ld = 2^-64); the error of the result is
 * at most 2 u_ld |S| + 4 n u_ld^2 sum|x_i| (Higham, Accuracy and Stability,
 * 2nd ed., section 4.3), far below the double bounds it is compared with. */
typedef struct kpt_acc {
    long double s, c;
    long double abs; /* sum of |terms|, for the bounds */
    size_t n;
} kpt_acc;

static inline void kpt_acc_add(kpt_acc *a, long double v)
{
    long double t = a->s + v;
    if (fabsl(a->s) >= fabsl(v))
        a->c += (a->s - t) + v;
    else
        a->c += (v - t) + a->s;
    a->s = t;
    a->abs += fabsl(v);
    a->n++;
}

static inline long double kpt_acc_value(const kpt_acc *a)
{
    return a->s + a->c;
}

#define KPT_ULD (LDBL_EPSILON / 2) /* unit roundoff of long double */

/* Bound on a kpt_acc result's own error. */
static inline double kpt_acc_err(const kpt_acc *a)
{
    long double v = kpt_acc_value(a);
    return (double)(2 * KPT_ULD * fabsl(v) + 4 * (long double)a->n * KPT_ULD * KPT_ULD * a->abs);
}

/* x_i of a strided vector, the header's meaning of a negative increment. */
static inline size_t kpt_pos(size_t n, size_t i, ptrdiff_t inc)
{
    return inc > 0 ? i * (size_t)inc : (n - 1 - i) * (size_t)(-inc);
}

/* ---------------------------------------------------------- bounds */

#define KPT_U  0x1p-53 /* unit roundoff of double */
#define KPT_UF 0x1p-24 /* unit roundoff of float */

/* The tolerances below are worst-case bounds derived from the order of
 * additions the header states, multiplied by KPT_SAFETY = 2. Why 2: the
 * header gives the bound as "about (8 + 5 + log2(n/256)) eps", and the
 * exact depth of ragged leaves, lanes and blocks depends on details it does
 * not fix. The factor cannot hide an order defect: a sequential or
 * blockwise-sequential order has a depth of n or n/32, thousands of times
 * more, and the adversarial data sets show such errors (each accuracy test
 * also asserts that a naive loop fails its bound). */
#define KPT_SAFETY 2.0

/* gamma_k = k u / (1 - k u) (Higham): the bound on the relative error of k
 * successive roundings. */
static inline double kpt_gamma(double k)
{
    return k * KPT_U / (1 - k * KPT_U);
}

static inline int kpt_ceil_log2(size_t m)
{
    int l = 0;
    while (l < 63 && ((size_t)1 << l) < m)
        l++;
    return l;
}

/* The depth of the summation tree the header describes: 8 (a lane's leaf)
 * + 5 (32 lanes) + log2(n / 256) (leaves in a block, then blocks), rounded
 * up for partial leaves and blocks, and never below 8 + 5. */
static inline int kpt_sum_depth(size_t n)
{
    return 13 + kpt_ceil_log2((n + 255) / 256);
}

/* Levels of the pairwise combination of 4096-element blocks. */
static inline int kpt_block_levels(size_t n)
{
    return kpt_ceil_log2((n + 4095) / 4096);
}

/* sum, asum: |err| <= gamma_d sum|x_i| (Higham, eq. 4.4 for a tree of depth
 * d). asum has exact terms |x_i| and the same order. */
static inline double kpt_tol_sum(size_t n, double sumabs)
{
    return KPT_SAFETY * kpt_gamma(kpt_sum_depth(n)) * sumabs;
}

/* dot: each product is rounded once before it enters the same tree, so
 * |err| <= gamma_{d+1} sum|x_i y_i| (Higham, eq. 3.5, for a tree). For float
 * input the products are exact in double; the extra level is kept (it is one
 * double rounding, 2^-53; a float product would cost 2^-24). */
static inline double kpt_tol_dot(size_t n, double sumabsprod)
{
    return KPT_SAFETY * kpt_gamma(kpt_sum_depth(n) + 1) * sumabsprod;
}

/* nrm2: the blocks are scaled by powers of two (exact), the squares rounded
 * once and summed with positive terms: relative error of the sum of squares
 * <= gamma_{d+1}; a square root halves a relative error and adds one
 * rounding: relative error <= gamma_{d+1} / 2 + u. Terms that underflow
 * after scaling lie below 2^-1022 of the block's largest square and change
 * nothing at this size. A result in the subnormal range is rounded to its
 * spacing: one ulp of absolute error (2^-1074) is allowed for a possible
 * second rounding when the scale is applied in two steps. */
static inline double kpt_tol_nrm2(size_t n, double ref)
{
    return KPT_SAFETY * (kpt_gamma(kpt_sum_depth(n) + 1) / 2 + KPT_U) * fabs(ref) + 0x1p-1074;
}

/* mean (Chan, Golub and LeVeque's pairwise update over blocks, each block's
 * mean its sum over its count). Write A = sum|x_i| / n.
 *   A block's mean: sum of depth 17 (8 + 5 + 4 leaves) then a division:
 *     error <= 18 u A_block.
 *   A combination m = m_a + (m_b - m_a) n_b / n: the difference, the
 *     product and the quotient cost 3 u |m_b - m_a| n_b / n, the addition
 *     u |m|. With n_b <= 2 n_a (blocks are combined pairwise, a partial
 *     block last), |m_b - m_a| n_b / n <= 2 A_ab, so a level adds <= 7 u A_ab;
 *     errors of m_a and m_b enter with weights n_a/n and n_b/n (a convex
 *     combination), so over L levels the weighted local errors add up to
 *     <= 7 L u A.
 *   mean error <= (18 + 7 L) u A. (A plain pairwise sum divided by n, depth
 *   17 + L, is within this too.) */
static inline double kpt_mean_err(size_t n, double meanabs)
{
    return (18 + 7.0 * kpt_block_levels(n)) * KPT_U * meanabs;
}

static inline double kpt_tol_mean(size_t n, double meanabs)
{
    return KPT_SAFETY * kpt_mean_err(n, meanabs);
}

/* var = M2 / (n - ddof), M2 = sum (x_i - mean)^2. Chan et al.'s identity
 * M2 = sum_blocks M2_b + sum_combinations delta^2 n_a n_b / n holds exactly;
 * every term is >= 0.
 *   A block: sum_b (x_i - m^_b)^2 = M2_b + n_b (m_b - m^_b)^2 exactly, and it
 *     is computed with a subtraction, a square and a depth-17 sum: relative
 *     error <= gamma_20, plus n_b e^2 where e bounds a mean's error.
 *   A combination: delta^ = m^_b - m^_a has an absolute error <= 2e (+ one
 *     rounding), so |delta^2 - delta^2| <= 4e|delta| + 4e^2; times
 *     w = n_a n_b / n, and with sum over a level of w <= n/4, Cauchy-Schwarz
 *     gives sum w 4e|delta| <= 4e sqrt(L n / 4) sqrt(M2) = 2e sqrt(L n M2),
 *     and sum w 4e^2 <= L n e^2. The products, the quotient and two
 *     additions per level cost relative gamma_{2L+4} on top of the block's
 *     gamma_20.
 *   The final division adds u.
 *   |var^ - var| <= (gamma_{2L+24} + u) var
 *                   + ((L + 1) n e^2 + 2 e sqrt(L n M2)) / (n - ddof),
 * with e = (18 + 7L) u max|x_i| (the mean bound at any node, A_node <=
 * max|x_i|). The second term is Chan et al.'s kappa u growth: small unless
 * |mean| >> standard deviation. */
static inline double kpt_tol_var(size_t n, size_t ddof, double var, double maxabs)
{
    const int L = kpt_block_levels(n);
    const double e = (18 + 7.0 * L) * KPT_U * maxabs;
    const double m2 = var * (double)(n - ddof);
    const double absolute =
        ((L + 1) * (double)n * e * e + 2 * e * sqrt((double)L * (double)n * m2)) /
        (double)(n - ddof);
    return KPT_SAFETY * ((kpt_gamma(2.0 * L + 24) + KPT_U) * var + absolute);
}

/* A float result is the double result rounded once: add u_f |value| to a
 * double bound `tol`, and one float subnormal spacing (2^-149) for results
 * in that range (as for nrm2: a rounding there is absolute, not relative). */
static inline double kpt_tol_float(double tol, double ref)
{
    return tol + KPT_UF * (fabs(ref) + tol) + 0x1p-149;
}

/* ------------------------------------------------ reference results */

/* A contiguous vector of doubles or of floats (exactly one is non-NULL). */
typedef struct kpt_vec {
    const double *d;
    const float *f;
    size_t n;
} kpt_vec;

static inline long double kpt_at(const kpt_vec *v, size_t i)
{
    return v->d != NULL ? (long double)v->d[i] : (long double)v->f[i];
}

typedef struct kpt_ref {
    long double value;
    double err;    /* bound on the reference's own error */
    double sumabs; /* sum |terms| (|x_i|, |x_i y_i|, x_i^2) */
    double maxabs; /* max |x_i| */
} kpt_ref;

static inline kpt_ref kpt_ref_sum(const kpt_vec *x, int absolute)
{
    kpt_acc a = {0};
    double mx = 0;
    for (size_t i = 0; i < x->n; i++) {
        long double v = kpt_at(x, i);
        kpt_acc_add(&a, absolute ? fabsl(v) : v);
        if (fabsl(v) > mx) mx = (double)fabsl(v);
    }
    kpt_ref r = {kpt_acc_value(&a), kpt_acc_err(&a), (double)a.abs, mx};
    return r;
}

/* Products of doubles are rounded to long double (relative u_ld each);
 * products of floats are exact. */
static inline kpt_ref kpt_ref_dot(const kpt_vec *x, const kpt_vec *y)
{
    kpt_acc a = {0};
    for (size_t i = 0; i < x->n; i++)
        kpt_acc_add(&a, kpt_at(x, i) * kpt_at(y, i));
    kpt_ref r = {kpt_acc_value(&a), kpt_acc_err(&a) + (double)(KPT_ULD * a.abs), (double)a.abs, 0};
    return r;
}

/* Squares in long double cannot overflow or underflow for any double
 * (exponent range +-16382); the error is kept in long double too, as the
 * sum of squares itself may lie beyond double's range. */
static inline kpt_ref kpt_ref_nrm2(const kpt_vec *x)
{
    kpt_acc a = {0};
    for (size_t i = 0; i < x->n; i++) {
        long double v = kpt_at(x, i);
        kpt_acc_add(&a, v * v);
    }
    long double s = kpt_acc_value(&a);
    long double r = sqrtl(s);
    /* relative: (squares' rounding, u_ld each, + the compensated sum's
     * error) / 2 + the square root's rounding */
    long double sum_err =
        KPT_ULD * a.abs + 2 * KPT_ULD * s + 4 * (long double)a.n * KPT_ULD * KPT_ULD * a.abs;
    long double rel = (s > 0 ? sum_err / (2 * s) : 0) + KPT_ULD;
    kpt_ref out = {r, (double)(rel * r), 0, 0};
    return out;
}

typedef struct kpt_ref_mv {
    long double mean, var;
    double mean_err, var_err, meanabs, maxabs;
} kpt_ref_mv;

/* Two passes in long double: the mean (refined once by the mean of the
 * deviations), then the compensated sum of squared deviations. */
static inline kpt_ref_mv kpt_ref_meanvar(const kpt_vec *x, size_t ddof)
{
    kpt_ref s = kpt_ref_sum(x, 0);
    const long double n = (long double)x->n;
    long double mean = s.value / n;
    kpt_acc d = {0};
    for (size_t i = 0; i < x->n; i++)
        kpt_acc_add(&d, kpt_at(x, i) - mean);
    mean += kpt_acc_value(&d) / n;
    kpt_acc q = {0};
    for (size_t i = 0; i < x->n; i++) {
        long double t = kpt_at(x, i) - mean;
        kpt_acc_add(&q, t * t);
    }
    kpt_ref_mv r;
    r.mean = mean;
    r.var = x->n > ddof ? kpt_acc_value(&q) / (n - (long double)ddof) : 0;
    r.meanabs = s.sumabs / (double)x->n;
    r.maxabs = s.maxabs;
    r.mean_err = (double)(4 * KPT_ULD) * r.meanabs;
    const double e = r.mean_err;
    r.var_err = x->n > ddof
                    ? (double)(8 * KPT_ULD * r.var) + (double)x->n * e * e / (double)(x->n - ddof)
                    : 0;
    return r;
}

#endif
