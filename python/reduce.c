/*
 * Reductions over 1-D arrays of any stride: sum, dot, nrm2, asum, minmax,
 * mean_var. float32 and float64 call kp_s* and kp_d*; complex sum, dot and
 * nrm2 are built from the real kernels over the real and imaginary parts
 * (every stride doubled), so they keep the workers-invariant bits.
 */
#include "kpmodule.h"

#include <math.h>

/* Parses (x, *, workers) for the one-vector reductions. */
static int parse_one(PyObject *args, PyObject *kwds, const char *fmt, int allowed, kpy_vector *x,
                     int *workers)
{
    static char *kwlist[] = {"x", "workers", NULL};
    PyObject *xo;
    *workers = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, fmt, kwlist, &xo, kpy_workers_converter, workers))
        return -1;
    return kpy_vector_get(xo, "x", allowed, x);
}

/* The real and imaginary parts of a complex vector as two real vectors:
 * element i's parts lie at re[i * inc] and re[i * inc + 1] in units of the
 * real type, so both parts keep the increment doubled. */
static void split_complex(const kpy_vector *z, char **re, char **im, ptrdiff_t *inc)
{
    size_t half = z->type_num == NPY_CFLOAT ? sizeof(float) : sizeof(double);
    *re = z->base;
    *im = z->base + half;
    *inc = 2 * z->inc;
}

static PyObject *py_sum(PyObject *mod, PyObject *args, PyObject *kwds)
{
    kpy_vector x;
    int workers, rc = KP_OK;
    if (parse_one(args, kwds, "O|$O&:sum", KPY_ALL, &x, &workers) < 0) return NULL;
    union {
        float f;
        double d;
        float cf[2];
        double cd[2];
    } out;
    char *re = NULL, *im = NULL;
    ptrdiff_t inc = 0;
    if (x.type_num == NPY_CFLOAT || x.type_num == NPY_CDOUBLE) split_complex(&x, &re, &im, &inc);

    Py_BEGIN_ALLOW_THREADS;
    switch (x.type_num) {
    case NPY_FLOAT: rc = kp_ssum(x.n, (const float *)x.base, x.inc, workers, &out.f); break;
    case NPY_DOUBLE: rc = kp_dsum(x.n, (const double *)x.base, x.inc, workers, &out.d); break;
    case NPY_CFLOAT:
        rc = kp_ssum(x.n, (const float *)re, inc, workers, &out.cf[0]);
        if (rc == KP_OK) rc = kp_ssum(x.n, (const float *)im, inc, workers, &out.cf[1]);
        break;
    case NPY_CDOUBLE:
        rc = kp_dsum(x.n, (const double *)re, inc, workers, &out.cd[0]);
        if (rc == KP_OK) rc = kp_dsum(x.n, (const double *)im, inc, workers, &out.cd[1]);
        break;
    }
    Py_END_ALLOW_THREADS;
    int type = x.type_num;
    kpy_vector_release(&x);
    if (rc != KP_OK) return kpy_raise(rc, "sum");
    return kpy_scalar(type, &out);
}

/* Complex dot (no conjugate, as numpy.dot) from four real dots:
 * (a + bi)(c + di) summed = (sum ac - sum bd) + (sum ad + sum bc) i. */
#define COMPLEX_DOT(fn, T, out)                                                                    \
    do {                                                                                           \
        T ac, bd, ad, bc;                                                                          \
        rc = fn(x.n, (const T *)xr, xinc, (const T *)yr, yinc, workers, &ac);                      \
        if (rc == KP_OK) rc = fn(x.n, (const T *)xi, xinc, (const T *)yi, yinc, workers, &bd);     \
        if (rc == KP_OK) rc = fn(x.n, (const T *)xr, xinc, (const T *)yi, yinc, workers, &ad);     \
        if (rc == KP_OK) rc = fn(x.n, (const T *)xi, xinc, (const T *)yr, yinc, workers, &bc);     \
        if (rc == KP_OK) {                                                                         \
            (out)[0] = ac - bd;                                                                    \
            (out)[1] = ad + bc;                                                                    \
        }                                                                                          \
    } while (0)

static PyObject *py_dot(PyObject *mod, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"x", "y", "workers", NULL};
    PyObject *xo, *yo;
    int workers = 0, rc = KP_OK;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|$O&:dot", kwlist, &xo, &yo,
                                     kpy_workers_converter, &workers))
        return NULL;
    kpy_vector x, y;
    if (kpy_vector_get(xo, "x", KPY_ALL, &x) < 0) return NULL;
    if (kpy_vector_get(yo, "y", KPY_ALL, &y) < 0) {
        kpy_vector_release(&x);
        return NULL;
    }
    if (x.type_num != y.type_num || x.n != y.n) {
        if (x.type_num != y.type_num)
            PyErr_SetString(PyExc_TypeError, "dot: x and y must have the same dtype");
        else
            PyErr_Format(PyExc_ValueError, "dot: x has %zu elements, y has %zu", x.n, y.n);
        kpy_vector_release(&x);
        kpy_vector_release(&y);
        return NULL;
    }
    union {
        float f;
        double d;
        float cf[2];
        double cd[2];
    } out;
    char *xr = NULL, *xi = NULL, *yr = NULL, *yi = NULL;
    ptrdiff_t xinc = 0, yinc = 0;
    if (x.type_num == NPY_CFLOAT || x.type_num == NPY_CDOUBLE) {
        split_complex(&x, &xr, &xi, &xinc);
        split_complex(&y, &yr, &yi, &yinc);
    }

    Py_BEGIN_ALLOW_THREADS;
    switch (x.type_num) {
    case NPY_FLOAT:
        rc = kp_sdot(x.n, (const float *)x.base, x.inc, (const float *)y.base, y.inc, workers,
                     &out.f);
        break;
    case NPY_DOUBLE:
        rc = kp_ddot(x.n, (const double *)x.base, x.inc, (const double *)y.base, y.inc, workers,
                     &out.d);
        break;
    case NPY_CFLOAT: COMPLEX_DOT(kp_sdot, float, out.cf); break;
    case NPY_CDOUBLE: COMPLEX_DOT(kp_ddot, double, out.cd); break;
    }
    Py_END_ALLOW_THREADS;
    int type = x.type_num;
    kpy_vector_release(&x);
    kpy_vector_release(&y);
    if (rc != KP_OK) return kpy_raise(rc, "dot");
    return kpy_scalar(type, &out);
}

static PyObject *py_nrm2(PyObject *mod, PyObject *args, PyObject *kwds)
{
    kpy_vector x;
    int workers, rc = KP_OK;
    if (parse_one(args, kwds, "O|$O&:nrm2", KPY_ALL, &x, &workers) < 0) return NULL;
    float f = 0, fi = 0;
    double d = 0, di = 0;
    char *re = NULL, *im = NULL;
    ptrdiff_t inc = 0;
    if (x.type_num == NPY_CFLOAT || x.type_num == NPY_CDOUBLE) split_complex(&x, &re, &im, &inc);

    Py_BEGIN_ALLOW_THREADS;
    switch (x.type_num) {
    case NPY_FLOAT: rc = kp_snrm2(x.n, (const float *)x.base, x.inc, workers, &f); break;
    case NPY_DOUBLE: rc = kp_dnrm2(x.n, (const double *)x.base, x.inc, workers, &d); break;
    /* hypot of the two parts' norms: no overflow where the result fits. */
    case NPY_CFLOAT:
        rc = kp_snrm2(x.n, (const float *)re, inc, workers, &f);
        if (rc == KP_OK) rc = kp_snrm2(x.n, (const float *)im, inc, workers, &fi);
        f = hypotf(f, fi);
        break;
    case NPY_CDOUBLE:
        rc = kp_dnrm2(x.n, (const double *)re, inc, workers, &d);
        if (rc == KP_OK) rc = kp_dnrm2(x.n, (const double *)im, inc, workers, &di);
        d = hypot(d, di);
        break;
    }
    Py_END_ALLOW_THREADS;
    int single = x.type_num == NPY_FLOAT || x.type_num == NPY_CFLOAT;
    kpy_vector_release(&x);
    if (rc != KP_OK) return kpy_raise(rc, "nrm2");
    return single ? kpy_scalar(NPY_FLOAT, &f) : kpy_scalar(NPY_DOUBLE, &d);
}

static PyObject *py_asum(PyObject *mod, PyObject *args, PyObject *kwds)
{
    kpy_vector x;
    int workers, rc = KP_OK;
    if (parse_one(args, kwds, "O|$O&:asum", KPY_REAL, &x, &workers) < 0) return NULL;
    float f = 0;
    double d = 0;
    Py_BEGIN_ALLOW_THREADS;
    if (x.type_num == NPY_FLOAT)
        rc = kp_sasum(x.n, (const float *)x.base, x.inc, workers, &f);
    else
        rc = kp_dasum(x.n, (const double *)x.base, x.inc, workers, &d);
    Py_END_ALLOW_THREADS;
    int type = x.type_num;
    kpy_vector_release(&x);
    if (rc != KP_OK) return kpy_raise(rc, "asum");
    return type == NPY_FLOAT ? kpy_scalar(type, &f) : kpy_scalar(type, &d);
}

static PyObject *py_minmax(PyObject *mod, PyObject *args, PyObject *kwds)
{
    kpy_vector x;
    int workers, rc = KP_OK;
    if (parse_one(args, kwds, "O|$O&:minmax", KPY_REAL, &x, &workers) < 0) return NULL;
    union {
        float f;
        double d;
    } lo, hi;
    size_t ilo = 0, ihi = 0;
    Py_BEGIN_ALLOW_THREADS;
    if (x.type_num == NPY_FLOAT)
        rc = kp_sminmax(x.n, (const float *)x.base, x.inc, workers, &lo.f, &ilo, &hi.f, &ihi);
    else
        rc = kp_dminmax(x.n, (const double *)x.base, x.inc, workers, &lo.d, &ilo, &hi.d, &ihi);
    Py_END_ALLOW_THREADS;
    int type = x.type_num;
    kpy_vector_release(&x);
    if (rc != KP_OK) return kpy_raise(rc, "minmax");
    PyObject *a = kpy_scalar(type, &lo), *b = kpy_scalar(type, &hi);
    PyObject *res = NULL;
    if (a != NULL && b != NULL)
        res = Py_BuildValue("(OnOn)", a, (Py_ssize_t)ilo, b, (Py_ssize_t)ihi);
    Py_XDECREF(a);
    Py_XDECREF(b);
    return res;
}

static PyObject *py_mean_var(PyObject *mod, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"x", "ddof", "workers", NULL};
    PyObject *xo;
    Py_ssize_t ddof = 0;
    int workers = 0, rc = KP_OK;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|n$O&:mean_var", kwlist, &xo, &ddof,
                                     kpy_workers_converter, &workers))
        return NULL;
    if (ddof < 0) {
        PyErr_SetString(PyExc_ValueError, "mean_var: ddof must be >= 0");
        return NULL;
    }
    kpy_vector x;
    if (kpy_vector_get(xo, "x", KPY_REAL, &x) < 0) return NULL;
    union {
        float f;
        double d;
    } mean, var;
    Py_BEGIN_ALLOW_THREADS;
    if (x.type_num == NPY_FLOAT)
        rc =
            kp_smean_var(x.n, (const float *)x.base, x.inc, (size_t)ddof, workers, &mean.f, &var.f);
    else
        rc = kp_dmean_var(x.n, (const double *)x.base, x.inc, (size_t)ddof, workers, &mean.d,
                          &var.d);
    Py_END_ALLOW_THREADS;
    int type = x.type_num;
    kpy_vector_release(&x);
    if (rc != KP_OK) return kpy_raise(rc, "mean_var");
    PyObject *a = kpy_scalar(type, &mean), *b = kpy_scalar(type, &var);
    PyObject *res = NULL;
    if (a != NULL && b != NULL) res = PyTuple_Pack(2, a, b);
    Py_XDECREF(a);
    Py_XDECREF(b);
    return res;
}

PyMethodDef kpy_reduce_methods[] = {
    {"sum", KPY_KW(py_sum), METH_VARARGS | METH_KEYWORDS,
     "sum(x, *, workers=None)\n--\n\nSum of a 1-D float32, float64, complex64 or complex128 "
     "array of any\nstride (kp_?sum; float32 is accumulated in double). The same bits for\n"
     "every workers value and for a strided view and a contiguous copy of it."},
    {"dot", KPY_KW(py_dot), METH_VARARGS | METH_KEYWORDS,
     "dot(x, y, *, workers=None)\n--\n\nsum x_i * y_i of two 1-D arrays of one dtype (no "
     "conjugate, as numpy.dot)."},
    {"nrm2", KPY_KW(py_nrm2), METH_VARARGS | METH_KEYWORDS,
     "nrm2(x, *, workers=None)\n--\n\nEuclidean norm without intermediate overflow; a real "
     "scalar."},
    {"asum", KPY_KW(py_asum), METH_VARARGS | METH_KEYWORDS,
     "asum(x, *, workers=None)\n--\n\nSum of |x_i| (float32, float64)."},
    {"minmax", KPY_KW(py_minmax), METH_VARARGS | METH_KEYWORDS,
     "minmax(x, *, workers=None)\n--\n\n(min, argmin, max, argmax) in one pass, first "
     "occurrences; NaN\npropagates as in numpy.min/argmin. Empty x raises kernpool.ArgumentError."},
    {"mean_var", KPY_KW(py_mean_var), METH_VARARGS | METH_KEYWORDS,
     "mean_var(x, ddof=0, *, workers=None)\n--\n\n(mean, variance) as numpy.mean and "
     "numpy.var(ddof=ddof), reading x once. ddof >= len(x) raises ArgumentError (numpy "
     "returns inf or nan and warns)."},
    {NULL, NULL, 0, NULL}};
