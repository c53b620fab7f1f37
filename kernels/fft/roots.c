/*
 * Roots of unity for twiddle factors, accurate to the last bit of a double.
 *
 * No root is made by multiplying roots together in the working precision:
 * errors would grow with the exponent. kp__fft_root reduces the angle
 * 2 pi k / n exactly, in integers, to [0, pi/4] and evaluates sinl/cosl in
 * long double (64-bit significand on x86-64). kp__fft_roots_get multiplies
 * two such roots in long double: two table look-ups instead of two
 * transcendental calls, still about 2**-62 from the exact value.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "kernels/fft/fft.h"

/* pi to 36 digits; long double keeps the first 64 bits. */
static const long double pi_l = 3.141592653589793238462643383279502884L;

void kp__fft_root(size_t k, size_t n, long double *re, long double *im)
{
    /* The angle is 2 pi a / d with d = 8n; each symmetry below maps a to
     * an integer again because d/2, d/4 and d/8 are. n < 2**60 (plans are
     * far smaller), so 8n fits. */
    uint64_t d = 8 * (uint64_t)n, a = 8 * (uint64_t)(k % n);
    int neg_sin = 0, neg_cos = 0, swap = 0;
    if (a > d / 2) { /* angle in (pi, 2 pi): reflect, sin changes sign */
        a = d - a;
        neg_sin = 1;
    }
    if (a > d / 4) { /* (pi/2, pi]: pi - angle, cos changes sign */
        a = d / 2 - a;
        neg_cos = 1;
    }
    if (a > d / 8) { /* (pi/4, pi/2]: pi/2 - angle swaps sin and cos */
        a = d / 4 - a;
        swap = 1;
    }
    long double x = pi_l * (long double)a / (long double)(4 * (uint64_t)n);
    long double c = cosl(x), s = sinl(x);
    if (swap) {
        long double t = c;
        c = s;
        s = t;
    }
    if (neg_cos) c = -c;
    if (neg_sin) s = -s;
    *re = c;
    *im = -s; /* exp(-i angle) */
}

int kp__fft_roots_make(size_t n, kp__fft_roots *r)
{
    size_t m = 1;
    while (m * m < n)
        m++;
    size_t nc = (n + m - 1) / m;
    long double *fine = malloc(2 * m * sizeof *fine);
    long double *coarse = malloc(2 * nc * sizeof *coarse);
    if (fine == NULL || coarse == NULL) {
        free(fine);
        free(coarse);
        return KP_ENOMEM;
    }
    for (size_t j = 0; j < m; j++)
        kp__fft_root(j, n, &fine[2 * j], &fine[2 * j + 1]);
    for (size_t j = 0; j < nc; j++)
        kp__fft_root(j * m, n, &coarse[2 * j], &coarse[2 * j + 1]);
    *r = (kp__fft_roots){.n = n, .m = m, .fine = fine, .coarse = coarse};
    return KP_OK;
}

void kp__fft_roots_get(const kp__fft_roots *r, size_t k, long double *re, long double *im)
{
    k %= r->n;
    const long double *c = &r->coarse[2 * (k / r->m)], *f = &r->fine[2 * (k % r->m)];
    *re = c[0] * f[0] - c[1] * f[1];
    *im = c[0] * f[1] + c[1] * f[0];
}

void kp__fft_roots_free(kp__fft_roots *r)
{
    free(r->fine);
    free(r->coarse);
    r->fine = r->coarse = NULL;
}
