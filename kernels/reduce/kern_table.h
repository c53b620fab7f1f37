/*
 * The table of block kernels, written once for every instruction set.
 *
 * Included at the end of a kern_*.c file that defines
 *   double canon(kp__op, const void *x, const void *y, size_t m, double c, int f32)
 *   double absmax_d(const double *x, size_t m)
 *   void minmax(const void *x, size_t m, int f32, kp__extrema *out)
 * with KP_REDUCE_TABLE naming the table it exports.
 */
#ifndef KP_REDUCE_TABLE
#error "define KP_REDUCE_TABLE before including kern_table.h"
#endif

static double sum_d(const double *x, size_t m)
{
    return canon(KP_OP_SUM, x, NULL, m, 0, 0);
}
static double sum_s(const float *x, size_t m)
{
    return canon(KP_OP_SUM, x, NULL, m, 0, 1);
}
static double dot_d(const double *x, const double *y, size_t m)
{
    return canon(KP_OP_DOT, x, y, m, 0, 0);
}
static double dot_s(const float *x, const float *y, size_t m)
{
    return canon(KP_OP_DOT, x, y, m, 0, 1);
}
static double asum_d(const double *x, size_t m)
{
    return canon(KP_OP_ASUM, x, NULL, m, 0, 0);
}
static double asum_s(const float *x, size_t m)
{
    return canon(KP_OP_ASUM, x, NULL, m, 0, 1);
}
static double sumsq_d(const double *x, size_t m, double scale)
{
    return canon(KP_OP_SUMSQ, x, NULL, m, scale, 0);
}
static double sumsq_s(const float *x, size_t m, double scale)
{
    return canon(KP_OP_SUMSQ, x, NULL, m, scale, 1);
}
static double sqdev_d(const double *x, size_t m, double center)
{
    return canon(KP_OP_SQDEV, x, NULL, m, center, 0);
}
static double sqdev_s(const float *x, size_t m, double center)
{
    return canon(KP_OP_SQDEV, x, NULL, m, center, 1);
}
static void minmax_d(const double *x, size_t m, kp__extrema *out)
{
    minmax(x, m, 0, out);
}
static void minmax_s(const float *x, size_t m, kp__extrema *out)
{
    minmax(x, m, 1, out);
}

const kp__reduce_kernels KP_REDUCE_TABLE = {
    sum_d,   sum_s,   dot_d,   dot_s,    asum_d,   asum_s,   sumsq_d,
    sumsq_s, sqdev_d, sqdev_s, absmax_d, minmax_d, minmax_s,
};
