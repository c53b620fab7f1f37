/*
 * fft, ifft, rfft, irfft and their 2-D and n-D forms: scipy.fft's interface
 * over kp_fftn.
 *
 * An input is read in place when kernpool can: an aligned, native-order
 * array of the dtype the transform computes in, whose strides are multiples
 * of its element size (negative and zero ones too), cropped by a view when
 * n or s is shorter than an axis. Otherwise it is copied once, into a new
 * C-ordered array: to convert it (ints to float64, real input to a complex
 * transform), to pad it with zeros, or to make its strides followable.
 */
#include "kpmodule.h"

enum { MAXD = KP_FFT_MAX_DIMS };

typedef struct fft_op {
    const char *name;
    kp_fft_kind kind;
    int direction;
} fft_op;

static const fft_op OP_FFT = {"fft", KP_FFT_C2C, KP_FFT_FORWARD};
static const fft_op OP_IFFT = {"ifft", KP_FFT_C2C, KP_FFT_BACKWARD};
static const fft_op OP_RFFT = {"rfft", KP_FFT_R2C, KP_FFT_FORWARD};
static const fft_op OP_IRFFT = {"irfft", KP_FFT_C2R, KP_FFT_BACKWARD};
static const fft_op OP_FFTN = {"fftn", KP_FFT_C2C, KP_FFT_FORWARD};
static const fft_op OP_IFFTN = {"ifftn", KP_FFT_C2C, KP_FFT_BACKWARD};
static const fft_op OP_RFFTN = {"rfftn", KP_FFT_R2C, KP_FFT_FORWARD};
static const fft_op OP_IRFFTN = {"irfftn", KP_FFT_C2R, KP_FFT_BACKWARD};
static const fft_op OP_FFT2 = {"fft2", KP_FFT_C2C, KP_FFT_FORWARD};
static const fft_op OP_IFFT2 = {"ifft2", KP_FFT_C2C, KP_FFT_BACKWARD};
static const fft_op OP_RFFT2 = {"rfft2", KP_FFT_R2C, KP_FFT_FORWARD};
static const fft_op OP_IRFFT2 = {"irfft2", KP_FFT_C2R, KP_FFT_BACKWARD};

/* ------------------------------------------------------------- arguments */

static int norm_converter(PyObject *obj, void *out)
{
    kp_fft_norm *norm = out;
    if (obj == Py_None) {
        *norm = KP_FFT_NORM_BACKWARD;
        return 1;
    }
    if (PyUnicode_Check(obj)) {
        if (PyUnicode_CompareWithASCIIString(obj, "backward") == 0) {
            *norm = KP_FFT_NORM_BACKWARD;
            return 1;
        }
        if (PyUnicode_CompareWithASCIIString(obj, "ortho") == 0) {
            *norm = KP_FFT_NORM_ORTHO;
            return 1;
        }
        if (PyUnicode_CompareWithASCIIString(obj, "forward") == 0) {
            *norm = KP_FFT_NORM_FORWARD;
            return 1;
        }
    }
    PyErr_Format(PyExc_ValueError,
                 "norm must be None, \"backward\", \"ortho\" or \"forward\", not %R", obj);
    return 0;
}

/* An int or a sequence of ints (s, axes) into v[0 .. return value); -1
 * with an exception set. Ints beyond Py_ssize_t are clipped to it, which
 * the range checks after reject as they would the int itself. */
static int int_list(PyObject *obj, const char *fname, const char *what, Py_ssize_t *v)
{
    if (PyIndex_Check(obj)) {
        v[0] = PyNumber_AsSsize_t(obj, NULL);
        return v[0] == -1 && PyErr_Occurred() ? -1 : 1;
    }
    PyObject *seq = PySequence_Fast(obj, "");
    if (seq == NULL) {
        PyErr_Format(PyExc_TypeError, "%s: %s must be an int or a sequence of ints", fname, what);
        return -1;
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    if (n > MAXD) {
        PyErr_Format(PyExc_ValueError, "%s: %s has %zd entries; at most %d", fname, what, n, MAXD);
        Py_DECREF(seq);
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
        if (!PyIndex_Check(item)) {
            PyErr_Format(PyExc_TypeError, "%s: %s must hold ints, not %.100s", fname, what,
                         Py_TYPE(item)->tp_name);
            Py_DECREF(seq);
            return -1;
        }
        v[i] = PyNumber_AsSsize_t(item, NULL);
        if (v[i] == -1 && PyErr_Occurred()) {
            Py_DECREF(seq);
            return -1;
        }
    }
    Py_DECREF(seq);
    return (int)n;
}

/* Raises numpy's AxisError (an IndexError and a ValueError), as numpy.fft
 * does for an axis out of range; plain IndexError where numpy lacks it. */
static void axis_error(Py_ssize_t axis, int ndim)
{
    PyObject *type = NULL, *np = PyImport_ImportModule("numpy");
    if (np != NULL) {
        PyObject *exc_mod = PyObject_GetAttrString(np, "exceptions"); /* numpy >= 1.25 */
        if (exc_mod != NULL) {
            type = PyObject_GetAttrString(exc_mod, "AxisError");
            Py_DECREF(exc_mod);
        }
        if (type == NULL) {
            PyErr_Clear();
            type = PyObject_GetAttrString(np, "AxisError");
        }
        Py_DECREF(np);
    }
    if (type == NULL) {
        PyErr_Clear();
        PyErr_Format(PyExc_IndexError, "axis %zd is out of bounds for array of dimension %d", axis,
                     ndim);
        return;
    }
    PyObject *exc = PyObject_CallFunction(type, "ni", axis, ndim);
    if (exc != NULL) {
        PyErr_SetObject(type, exc);
        Py_DECREF(exc);
    }
    Py_DECREF(type);
}

/* --------------------------------------------------------------- arrays */

/* The dtype the transform computes in for an input of type t: the real
 * (r2c) or complex (c2c, c2r) type of its precision. float16 computes in
 * float32; bool and ints in float64, as numpy's and scipy's fft convert
 * them. Anything else (long double included: there is no such kernel)
 * raises TypeError. */
static int compute_type(const fft_op *op, PyArrayObject *x)
{
    int t = PyArray_TYPE(x), single, is_complex = 0;
    switch (t) {
    case NPY_HALF:
    case NPY_FLOAT: single = 1; break;
    case NPY_DOUBLE: single = 0; break;
    case NPY_CFLOAT: single = is_complex = 1; break;
    case NPY_CDOUBLE:
        single = 0;
        is_complex = 1;
        break;
    default:
        if (!PyTypeNum_ISBOOL(t) && !PyTypeNum_ISINTEGER(t)) {
            PyErr_Format(PyExc_TypeError,
                         "%s: dtype %S is not supported (float16/32/64, complex64/128, "
                         "bool and ints)",
                         op->name, PyArray_DESCR(x));
            return NPY_NOTYPE;
        }
        single = 0;
    }
    if (op->kind == KP_FFT_R2C) {
        if (is_complex) {
            PyErr_Format(PyExc_TypeError, "%s: x must be real, not complex", op->name);
            return NPY_NOTYPE;
        }
        return single ? NPY_FLOAT : NPY_DOUBLE;
    }
    return single ? NPY_CFLOAT : NPY_CDOUBLE;
}

/* A view of a's leading block of shape dims (each at most a's). */
static PyArrayObject *leading_block(PyArrayObject *a, const npy_intp *dims)
{
    PyArray_Descr *d = PyArray_DESCR(a);
    Py_INCREF(d);
    PyArrayObject *v = (PyArrayObject *)PyArray_NewFromDescr(
        &PyArray_Type, d, PyArray_NDIM(a), (npy_intp *)dims, PyArray_STRIDES(a), PyArray_DATA(a),
        PyArray_FLAGS(a) & NPY_ARRAY_WRITEABLE, NULL);
    if (v == NULL) return NULL;
    Py_INCREF(a);
    if (PyArray_SetBaseObject(v, (PyObject *)a) < 0) { /* steals a even then */
        Py_DECREF(v);
        return NULL;
    }
    return v;
}

/* a's strides in elements, as kp_fftn takes them. 0 if one is not a
 * multiple of the element size along a dimension of extent > 1 (a view of
 * records), or is 0 there when nonzero ones are required (an output). A
 * dimension of extent 0 or 1 is never stepped over: its stride is set to 0. */
static int element_strides(PyArrayObject *a, int nonzero, ptrdiff_t *st)
{
    npy_intp e = PyArray_ITEMSIZE(a);
    for (int d = 0; d < PyArray_NDIM(a); d++) {
        npy_intp s = PyArray_STRIDE(a, d);
        st[d] = 0;
        if (PyArray_DIM(a, d) <= 1) continue;
        if (s % e != 0 || (nonzero && s == 0)) return 0;
        st[d] = (ptrdiff_t)(s / e);
    }
    return 1;
}

/* x (aligned, native order) as the transform's input of dtype t and shape
 * dims: x itself or a cropped view of it when kernpool can read it, else a
 * new C-ordered array holding x's leading block, converted, zero-padded.
 * *fresh tells which (a fresh array may be overwritten). */
static PyArrayObject *prepare_input(PyArrayObject *x, int t, const npy_intp *dims, int *fresh)
{
    int nd = PyArray_NDIM(x), crop = 0, pad = 0;
    npy_intp common[MAXD];
    ptrdiff_t st[MAXD];
    for (int d = 0; d < nd; d++) {
        npy_intp have = PyArray_DIM(x, d);
        crop |= have > dims[d];
        pad |= have < dims[d];
        common[d] = have < dims[d] ? have : dims[d];
    }
    *fresh = 0;
    PyArrayObject *src = crop ? leading_block(x, common) : x;
    if (src == NULL) return NULL;
    if (!crop) Py_INCREF(src);
    if (!pad && PyArray_TYPE(x) == t && element_strides(src, 0, st)) return src;

    PyArrayObject *copy = (PyArrayObject *)(pad ? PyArray_ZEROS(nd, (npy_intp *)dims, t, 0)
                                                : PyArray_SimpleNew(nd, (npy_intp *)dims, t));
    if (copy == NULL) {
        Py_DECREF(src);
        return NULL;
    }
    PyArrayObject *dst = pad ? leading_block(copy, common) : copy;
    if (dst == NULL || PyArray_CopyInto(dst, src) < 0) {
        if (dst != copy) Py_XDECREF(dst);
        Py_DECREF(src);
        Py_DECREF(copy);
        return NULL;
    }
    if (dst != copy) Py_DECREF(dst);
    Py_DECREF(src);
    *fresh = 1;
    return copy;
}

/* Where the result is computed: out itself when kernpool can write it
 * there (aligned, native order, strides of whole nonzero elements) and it
 * shares no memory with in, or is in itself for an in-place c2c; else a
 * new C-ordered array (copied into out at the end when out is given). */
static PyArrayObject *choose_target(PyArrayObject *out, PyArrayObject *in, kp_fft_kind kind, int t,
                                    const npy_intp *dims)
{
    ptrdiff_t st[MAXD];
    if (out != NULL && PyArray_ISALIGNED(out) && PyArray_ISNOTSWAPPED(out) &&
        element_strides(out, 1, st)) {
        int same = kind == KP_FFT_C2C && PyArray_DATA(out) == PyArray_DATA(in);
        for (int d = 0; same && d < PyArray_NDIM(in); d++)
            same = PyArray_DIM(in, d) <= 1 || PyArray_STRIDE(in, d) == PyArray_STRIDE(out, d);
        if (same || !kpy_may_overlap(out, in)) {
            Py_INCREF(out);
            return out;
        }
    }
    return (PyArrayObject *)PyArray_SimpleNew(PyArray_NDIM(in), (npy_intp *)dims, t);
}

/* Checks out= against the result's dtype and shape. */
static int check_out(const fft_op *op, PyObject *outo, int t, int nd, const npy_intp *dims)
{
    if (!PyArray_Check(outo)) {
        PyErr_Format(PyExc_TypeError, "%s: out must be a numpy.ndarray", op->name);
        return -1;
    }
    PyArrayObject *out = (PyArrayObject *)outo;
    if (PyArray_TYPE(out) != t) {
        PyArray_Descr *want = PyArray_DescrFromType(t);
        if (want != NULL)
            PyErr_Format(PyExc_TypeError, "%s: out must have dtype %S, not %S", op->name, want,
                         PyArray_DESCR(out));
        Py_XDECREF(want);
        return -1;
    }
    int ok = PyArray_NDIM(out) == nd;
    for (int d = 0; ok && d < nd; d++)
        ok = PyArray_DIM(out, d) == dims[d];
    if (!ok) {
        PyObject *shape = PyArray_IntTupleFromIntp(nd, (npy_intp *)dims);
        if (shape != NULL)
            PyErr_Format(PyExc_ValueError, "%s: out must have shape %S", op->name, shape);
        Py_XDECREF(shape);
        return -1;
    }
    return PyArray_FailUnlessWriteable(out, "fft's out");
}

/* ------------------------------------------------------------- transform */

/* What kp_fftn is called with besides the arrays. */
typedef struct fftn_call {
    const fft_op *op;
    int single;
    kp_fft_norm norm;
    int nd;
    const size_t *shape;
    int naxes;
    const size_t *axes;
    int workers;
} fftn_call;

/* kp_fftn from in to target, the GIL released. */
static int run_fftn(const fftn_call *c, PyArrayObject *in, PyArrayObject *target)
{
    ptrdiff_t is[MAXD], os[MAXD];
    element_strides(in, 0, is);
    element_strides(target, 1, os);
    const void *src = PyArray_DATA(in);
    void *dst = PyArray_DATA(target);
    int rc;
    Py_BEGIN_ALLOW_THREADS;
    rc = kp_fftn(c->op->kind, c->single ? KP_FFT_FLOAT : KP_FFT_DOUBLE, c->op->direction, c->norm,
                 (size_t)c->nd, c->shape, is, os, (size_t)c->naxes, c->axes, src, dst, c->workers);
    Py_END_ALLOW_THREADS;
    return rc;
}

/* The transform op over axes[0 .. naxes) (naxes < 0: numpy's default) of
 * x, with lengths s[0 .. ns) (ns < 0: the input's). numpy.fft's rules for
 * s and axes; see the module documentation. */
static PyObject *transform(const fft_op *op, PyObject *xo, const Py_ssize_t *s, int ns,
                           const Py_ssize_t *axes_given, int naxes, kp_fft_norm norm,
                           PyObject *outo, int workers)
{
    PyArrayObject *x = NULL, *in = NULL, *target = NULL, *out = NULL;
    PyObject *result = NULL;
    x = (PyArrayObject *)PyArray_FROM_OF(xo, NPY_ARRAY_ALIGNED | NPY_ARRAY_NOTSWAPPED);
    if (x == NULL) return NULL;
    int in_type = compute_type(op, x);
    if (in_type == NPY_NOTYPE) goto done;
    int single = in_type == NPY_FLOAT || in_type == NPY_CFLOAT;
    int out_type = op->kind == KP_FFT_C2R ? (single ? NPY_FLOAT : NPY_DOUBLE)
                                          : (single ? NPY_CFLOAT : NPY_CDOUBLE);
    int nd = PyArray_NDIM(x);
    if (nd > MAXD) {
        PyErr_Format(PyExc_ValueError, "%s: x has %d dimensions; at most %d", op->name, nd, MAXD);
        goto done;
    }

    /* numpy's _cook_nd_args: axes default to the last len(s) axes, or all. */
    Py_ssize_t ax[MAXD];
    if (naxes < 0) {
        naxes = ns < 0 ? nd : ns;
        for (int i = 0; i < naxes; i++)
            ax[i] = i - naxes;
    } else {
        for (int i = 0; i < naxes; i++)
            ax[i] = axes_given[i];
    }
    if (ns >= 0 && ns != naxes) {
        PyErr_Format(PyExc_ValueError, "%s: s has %d entries but axes %d", op->name, ns, naxes);
        goto done;
    }
    if (naxes == 0) {
        PyErr_Format(PyExc_ValueError, "%s: no axes to transform", op->name);
        goto done;
    }
    size_t axes[MAXD];
    for (int i = 0; i < naxes; i++) {
        if (ax[i] < -nd || ax[i] >= nd) {
            axis_error(ax[i], nd);
            goto done;
        }
        axes[i] = (size_t)(ax[i] < 0 ? ax[i] + nd : ax[i]);
        for (int j = 0; j < i; j++) {
            if (axes[j] == axes[i]) {
                PyErr_Format(PyExc_ValueError, "%s: axis %zu is repeated in axes", op->name,
                             axes[i]);
                goto done;
            }
        }
    }

    /* Real lengths n along the axes, then both arrays' shapes: the complex
     * side of r2c and c2r has n/2 + 1 points along the last axis. */
    npy_intp in_dims[MAXD], out_dims[MAXD];
    for (int d = 0; d < nd; d++)
        in_dims[d] = out_dims[d] = PyArray_DIM(x, d);
    for (int i = 0; i < naxes; i++) {
        npy_intp have = PyArray_DIM(x, (int)axes[i]);
        Py_ssize_t n = have;
        if (ns >= 0)
            n = s[i];
        else if (op->kind == KP_FFT_C2R && i == naxes - 1)
            n = 2 * (have - 1);
        if (n < 1) {
            PyErr_Format(PyExc_ValueError, "%s: invalid number of data points (%zd) along axis %zu",
                         op->name, n, axes[i]);
            goto done;
        }
        in_dims[axes[i]] = out_dims[axes[i]] = n;
    }
    size_t last = axes[naxes - 1];
    if (op->kind == KP_FFT_R2C) out_dims[last] = out_dims[last] / 2 + 1;
    if (op->kind == KP_FFT_C2R) in_dims[last] = in_dims[last] / 2 + 1;

    if (outo != NULL && outo != Py_None) {
        if (check_out(op, outo, out_type, nd, out_dims) < 0) goto done;
        out = (PyArrayObject *)outo;
        Py_INCREF(out);
    }
    int fresh;
    in = prepare_input(x, in_type, in_dims, &fresh);
    if (in == NULL) goto done;
    if (out == NULL && fresh && op->kind == KP_FFT_C2C) {
        target = in; /* our own copy: transform it in place */
        Py_INCREF(target);
    } else {
        target = choose_target(out, in, op->kind, out_type, out_dims);
        if (target == NULL) goto done;
    }

    if (PyArray_SIZE(target) > 0) {
        size_t shape[MAXD];
        for (int d = 0; d < nd; d++)
            shape[d] = (size_t)(op->kind == KP_FFT_C2R ? out_dims[d] : in_dims[d]);
        const fftn_call call = {op, single, norm, nd, shape, naxes, axes, workers};
        int rc = run_fftn(&call, in, target);
        if ((rc == KP_ESTRIDE || rc == KP_EOVERLAP) && target == out) {
            /* a layout of out that kernpool refuses (dimensions that do
             * not nest; arrays it cannot tell apart from the input):
             * computed aside */
            Py_DECREF(target);
            target = (PyArrayObject *)PyArray_SimpleNew(nd, out_dims, out_type);
            if (target == NULL) goto done;
            rc = run_fftn(&call, in, target);
        }
        if (rc != KP_OK) {
            kpy_raise(rc, op->name);
            goto done;
        }
    }
    if (out != NULL && target != out && PyArray_CopyInto(out, target) < 0) goto done;
    result = (PyObject *)(out != NULL ? out : target);
    Py_INCREF(result);
done:
    Py_XDECREF(x);
    Py_XDECREF(in);
    Py_XDECREF(target);
    Py_XDECREF(out);
    return result;
}

/* ---------------------------------------------------------------- entries */

/* fft(x, n=None, axis=-1, norm=None, *, out=None, workers=None) */
static PyObject *one_axis(const fft_op *op, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"x", "n", "axis", "norm", "out", "workers", NULL};
    char fmt[32];
    PyObject *x, *no = Py_None, *out = NULL;
    Py_ssize_t axis = -1, n = 0;
    kp_fft_norm norm = KP_FFT_NORM_BACKWARD;
    int workers = 0;
    PyOS_snprintf(fmt, sizeof fmt, "O|OnO&$OO&:%s", op->name);
    if (!PyArg_ParseTupleAndKeywords(args, kwds, fmt, kwlist, &x, &no, &axis, norm_converter, &norm,
                                     &out, kpy_workers_converter, &workers))
        return NULL;
    if (no != Py_None) {
        if (!PyIndex_Check(no)) {
            PyErr_Format(PyExc_TypeError, "%s: n must be an int or None", op->name);
            return NULL;
        }
        n = PyNumber_AsSsize_t(no, NULL);
        if (n == -1 && PyErr_Occurred()) return NULL;
    }
    return transform(op, x, &n, no == Py_None ? -1 : 1, &axis, 1, norm, out, workers);
}

/* fftn(x, s=None, axes=None, norm=None, *, out=None, workers=None); the 2-D
 * forms default axes to (-2, -1). */
static PyObject *many_axes(const fft_op *op, int two_d, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"x", "s", "axes", "norm", "out", "workers", NULL};
    char fmt[32];
    PyObject *x, *so = Py_None, *axeso = NULL, *out = NULL;
    kp_fft_norm norm = KP_FFT_NORM_BACKWARD;
    int workers = 0;
    PyOS_snprintf(fmt, sizeof fmt, "O|OOO&$OO&:%s", op->name);
    if (!PyArg_ParseTupleAndKeywords(args, kwds, fmt, kwlist, &x, &so, &axeso, norm_converter,
                                     &norm, &out, kpy_workers_converter, &workers))
        return NULL;
    Py_ssize_t s[MAXD], axes[MAXD] = {-2, -1};
    int ns = -1, naxes = two_d ? 2 : -1;
    if (so != Py_None && (ns = int_list(so, op->name, "s", s)) < 0) return NULL;
    if (axeso != NULL && axeso != Py_None) {
        if ((naxes = int_list(axeso, op->name, "axes", axes)) < 0) return NULL;
    } else if (axeso == Py_None) {
        naxes = -1;
    }
    return transform(op, x, s, ns, axes, naxes, norm, out, workers);
}

static PyObject *py_fft(PyObject *m, PyObject *a, PyObject *k)
{
    return one_axis(&OP_FFT, a, k);
}
static PyObject *py_ifft(PyObject *m, PyObject *a, PyObject *k)
{
    return one_axis(&OP_IFFT, a, k);
}
static PyObject *py_rfft(PyObject *m, PyObject *a, PyObject *k)
{
    return one_axis(&OP_RFFT, a, k);
}
static PyObject *py_irfft(PyObject *m, PyObject *a, PyObject *k)
{
    return one_axis(&OP_IRFFT, a, k);
}
static PyObject *py_fftn(PyObject *m, PyObject *a, PyObject *k)
{
    return many_axes(&OP_FFTN, 0, a, k);
}
static PyObject *py_ifftn(PyObject *m, PyObject *a, PyObject *k)
{
    return many_axes(&OP_IFFTN, 0, a, k);
}
static PyObject *py_rfftn(PyObject *m, PyObject *a, PyObject *k)
{
    return many_axes(&OP_RFFTN, 0, a, k);
}
static PyObject *py_irfftn(PyObject *m, PyObject *a, PyObject *k)
{
    return many_axes(&OP_IRFFTN, 0, a, k);
}
static PyObject *py_fft2(PyObject *m, PyObject *a, PyObject *k)
{
    return many_axes(&OP_FFT2, 1, a, k);
}
static PyObject *py_ifft2(PyObject *m, PyObject *a, PyObject *k)
{
    return many_axes(&OP_IFFT2, 1, a, k);
}
static PyObject *py_rfft2(PyObject *m, PyObject *a, PyObject *k)
{
    return many_axes(&OP_RFFT2, 1, a, k);
}
static PyObject *py_irfft2(PyObject *m, PyObject *a, PyObject *k)
{
    return many_axes(&OP_IRFFT2, 1, a, k);
}

static PyObject *py_set_fft_cache_size(PyObject *mod, PyObject *arg)
{
    Py_ssize_t lines = PyNumber_AsSsize_t(arg, PyExc_OverflowError);
    if (lines == -1 && PyErr_Occurred()) return NULL;
    if (lines < 0) {
        PyErr_SetString(PyExc_ValueError, "set_fft_cache_size: the size must be >= 0");
        return NULL;
    }
    return PyLong_FromSize_t(kp_fft_cache_set_size((size_t)lines));
}

#define ONE_AXIS_SIG(f) f "(x, n=None, axis=-1, norm=None, *, out=None, workers=None)\n--\n\n"
#define MANY_AXES_SIG(f, axes)                                                                     \
    f "(x, s=None, axes=" axes ", norm=None, *, out=None, workers=None)\n--\n\n"
#define SEE_FFTN "\n\nSee fftn for dtypes, strides, out and workers."

PyMethodDef kpy_fft_methods[] = {
    {"fft", KPY_KW(py_fft), METH_VARARGS | METH_KEYWORDS,
     ONE_AXIS_SIG("fft") "The 1-D discrete Fourier transform along axis; n crops or zero-pads\n"
                         "the input along it (numpy.fft.fft)." SEE_FFTN},
    {"ifft", KPY_KW(py_ifft), METH_VARARGS | METH_KEYWORDS,
     ONE_AXIS_SIG("ifft") "The inverse of fft (numpy.fft.ifft)." SEE_FFTN},
    {"rfft", KPY_KW(py_rfft), METH_VARARGS | METH_KEYWORDS,
     ONE_AXIS_SIG("rfft") "The n // 2 + 1 nonnegative frequencies of the transform of real x\n"
                          "along axis (numpy.fft.rfft); complex x raises TypeError." SEE_FFTN},
    {"irfft", KPY_KW(py_irfft), METH_VARARGS | METH_KEYWORDS,
     ONE_AXIS_SIG("irfft") "The inverse of rfft: n real points (default 2 (m - 1) for m input\n"
                           "points) from the first n // 2 + 1 of x (numpy.fft.irfft)." SEE_FFTN},
    {"fftn", KPY_KW(py_fftn), METH_VARARGS | METH_KEYWORDS,
     "fftn(x, s=None, axes=None, norm=None, *, out=None, workers=None)\n--\n\n"
     "The n-D discrete Fourier transform over axes (numpy.fft.fftn). s crops\n"
     "or zero-pads the input along them; axes default to the last len(s)\n"
     "axes, or all. Negative axes count from the end; repeated ones raise\n"
     "ValueError.\n\n"
     "float32 and complex64 compute in single precision, float64 and\n"
     "complex128 in double; float16 as float32, bool and ints as float64.\n"
     "Real input to a complex transform becomes complex of its precision.\n"
     "Inputs of any strides are read in place when the strides are whole\n"
     "elements (negative ones too); others are copied first. The result goes\n"
     "to out if given (its exact dtype and shape), else to a new C-ordered\n"
     "array. norm: None or \"backward\", \"ortho\", \"forward\", as scipy.fft.\n"
     "The same bits for every workers value."},
    {"ifftn", KPY_KW(py_ifftn), METH_VARARGS | METH_KEYWORDS,
     MANY_AXES_SIG("ifftn", "None") "The inverse of fftn (numpy.fft.ifftn)." SEE_FFTN},
    {"rfftn", KPY_KW(py_rfftn), METH_VARARGS | METH_KEYWORDS,
     MANY_AXES_SIG("rfftn", "None") "fftn of real x, keeping s[-1] // 2 + 1 points along the last "
                                    "axis\n(numpy.fft.rfftn)." SEE_FFTN},
    {"irfftn", KPY_KW(py_irfftn), METH_VARARGS | METH_KEYWORDS,
     MANY_AXES_SIG("irfftn", "None") "The inverse of rfftn: real output of shape s along axes "
                                     "(default:\nthe input's, 2 (m - 1) along the last axis) "
                                     "(numpy.fft.irfftn)." SEE_FFTN},
    {"fft2", KPY_KW(py_fft2), METH_VARARGS | METH_KEYWORDS,
     MANY_AXES_SIG("fft2", "(-2, -1)") "fftn over the last two axes by default." SEE_FFTN},
    {"ifft2", KPY_KW(py_ifft2), METH_VARARGS | METH_KEYWORDS,
     MANY_AXES_SIG("ifft2", "(-2, -1)") "ifftn over the last two axes by default." SEE_FFTN},
    {"rfft2", KPY_KW(py_rfft2), METH_VARARGS | METH_KEYWORDS,
     MANY_AXES_SIG("rfft2", "(-2, -1)") "rfftn over the last two axes by default." SEE_FFTN},
    {"irfft2", KPY_KW(py_irfft2), METH_VARARGS | METH_KEYWORDS,
     MANY_AXES_SIG("irfft2", "(-2, -1)") "irfftn over the last two axes by default." SEE_FFTN},
    {"set_fft_cache_size", py_set_fft_cache_size, METH_O,
     "set_fft_cache_size(n)\n--\n\nHow many 1-D transform plans the FFT functions keep for reuse\n"
     "(kp_fft_cache_set_size; default 16, 0 turns the cache off). Returns the\nprevious size."},
    {NULL, NULL, 0, NULL}};
