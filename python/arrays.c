/*
 * Argument conversion shared by the kernels: workers, dtypes, 1-D strided
 * views in kernpool's BLAS-style increments, overlap tests, and NumPy scalars.
 */
#include "kpmodule.h"

#include <limits.h>

int kpy_workers_converter(PyObject *obj, void *out)
{
    int *workers = out;
    if (obj == Py_None) {
        *workers = 0;
        return 1;
    }
    if (!PyIndex_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "workers must be an int or None, not %.100s",
                     Py_TYPE(obj)->tp_name);
        return 0;
    }
    int overflow;
    PyObject *index = PyNumber_Index(obj);
    if (index == NULL) return 0;
    long v = PyLong_AsLongAndOverflow(index, &overflow);
    Py_DECREF(index);
    if (v == -1 && PyErr_Occurred()) return 0;
    /* Beyond a C int the rules give the same threads as the int's extreme:
     * a huge n is capped by the budget, a huge negative one means 1. */
    if (overflow > 0 || v > INT_MAX) v = INT_MAX;
    if (overflow < 0 || v < INT_MIN) v = INT_MIN;
    *workers = (int)v;
    return 1;
}

int kpy_type_bit(int type_num)
{
    switch (type_num) {
    case NPY_FLOAT: return KPY_F32;
    case NPY_DOUBLE: return KPY_F64;
    case NPY_CFLOAT: return KPY_C64;
    case NPY_CDOUBLE: return KPY_C128;
    default: return 0;
    }
}

/* "float32, float64" for the allowed mask, for messages. */
static const char *allowed_names(int allowed)
{
    switch (allowed) {
    case KPY_REAL: return "float32 or float64";
    case KPY_F64: return "float64";
    case KPY_ALL: return "float32, float64, complex64 or complex128";
    default: return "float32, float64, complex64 or complex128 as the function allows";
    }
}

PyArrayObject *kpy_array(PyObject *obj, const char *name, int allowed, int ndim)
{
    /* ALIGNED and NOTSWAPPED copy only the arrays kernpool could not read in
     * place (a byte-swapped or unaligned view); the dtype is kept as is, so
     * the type check below sees what the caller passed. */
    PyArrayObject *arr =
        (PyArrayObject *)PyArray_FROM_OF(obj, NPY_ARRAY_ALIGNED | NPY_ARRAY_NOTSWAPPED);
    if (arr == NULL) return NULL;
    if (!(kpy_type_bit(PyArray_TYPE(arr)) & allowed)) {
        PyObject *dt = PyObject_Str((PyObject *)PyArray_DESCR(arr));
        if (dt != NULL)
            PyErr_Format(PyExc_TypeError, "%s: dtype %U is not supported (%s; convert with astype)",
                         name, dt, allowed_names(allowed));
        Py_XDECREF(dt);
        Py_DECREF(arr);
        return NULL;
    }
    if (PyArray_NDIM(arr) != ndim) {
        PyErr_Format(PyExc_ValueError, "%s must be %d-D, not %d-D", name, ndim, PyArray_NDIM(arr));
        Py_DECREF(arr);
        return NULL;
    }
    return arr;
}

int kpy_vector_get(PyObject *obj, const char *name, int allowed, kpy_vector *v)
{
    v->owner = kpy_array(obj, name, allowed, 1);
    if (v->owner == NULL) return -1;
    PyArrayObject *a = v->owner;
    npy_intp n = PyArray_DIM(a, 0);
    npy_intp size = PyArray_ITEMSIZE(a);
    npy_intp stride = PyArray_STRIDE(a, 0);
    v->n = (size_t)n;
    v->type_num = PyArray_TYPE(a);
    if (n <= 1) {
        /* One element or none: the stride is never followed. */
        v->base = PyArray_BYTES(a);
        v->inc = 1;
        return 0;
    }
    if (stride == 0 || stride % size != 0) {
        PyArrayObject *copy = (PyArrayObject *)PyArray_NewCopy(a, NPY_CORDER);
        Py_DECREF(a);
        if (copy == NULL) {
            v->owner = NULL;
            return -1;
        }
        v->owner = copy;
        v->base = PyArray_BYTES(copy);
        v->inc = 1;
        return 0;
    }
    /* NumPy's data pointer is element 0 and element i lies at data + i *
     * stride. kernpool's negative increment starts from the lowest address
     * and walks back from the end, which lands on the same elements in the
     * same order: lowest + (n - 1 - i) |stride| = data + i stride. */
    v->inc = (ptrdiff_t)(stride / size);
    v->base = PyArray_BYTES(a) + (stride < 0 ? (n - 1) * stride : 0);
    return 0;
}

void kpy_vector_release(kpy_vector *v)
{
    Py_CLEAR(v->owner);
}

/* The bytes [lo, hi) an array's elements span; lo == hi when it is empty. */
static void extent(PyArrayObject *a, char **lo, char **hi)
{
    char *l = PyArray_BYTES(a), *h = PyArray_BYTES(a);
    for (int d = 0; d < PyArray_NDIM(a); d++) {
        npy_intp span = (PyArray_DIM(a, d) - 1) * PyArray_STRIDE(a, d);
        if (PyArray_DIM(a, d) == 0) {
            *lo = *hi = PyArray_BYTES(a);
            return;
        }
        if (span < 0)
            l += span;
        else
            h += span;
    }
    *lo = l;
    *hi = h + PyArray_ITEMSIZE(a);
}

int kpy_may_overlap(PyArrayObject *x, PyArrayObject *y)
{
    char *xl, *xh, *yl, *yh;
    extent(x, &xl, &xh);
    extent(y, &yl, &yh);
    return xl < xh && yl < yh && xl < yh && yl < xh;
}

PyObject *kpy_scalar(int type_num, const void *value)
{
    PyArray_Descr *descr = PyArray_DescrFromType(type_num);
    if (descr == NULL) return NULL;
    PyObject *s = PyArray_Scalar((void *)value, descr, NULL);
    Py_DECREF(descr);
    return s;
}
