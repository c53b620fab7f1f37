/*
 * gemm and matmul over 2-D arrays of any strides.
 *
 * kp_?gemm reads a matrix in place when one of its two strides is the
 * element size (row- or column-contiguous rows or columns, any leading
 * dimension). The call has one layout, the output's; an input stored the
 * other way is the transpose of a matrix stored this way, so it is passed
 * with its transpose flag flipped instead of being copied. Only inputs with
 * neither stride unit (or negative or zero strides) are copied first.
 */
#include "kpmodule.h"

/* Whether a can be read as a matrix in `layout`, and its leading dimension
 * there. A dimension of extent 0 or 1 is never stepped over, so its stride
 * does not matter (NumPy leaves such strides arbitrary, 0 in an empty
 * array), and an empty matrix is readable in any layout. */
static int stored_as(PyArrayObject *a, kp_layout layout, size_t *ld)
{
    int inner = layout == KP_ROW_MAJOR ? 1 : 0;
    npy_intp e = PyArray_ITEMSIZE(a);
    npy_intp n_in = PyArray_DIM(a, inner), n_out = PyArray_DIM(a, 1 - inner);
    npy_intp s_in = PyArray_STRIDE(a, inner), s_out = PyArray_STRIDE(a, 1 - inner);
    npy_intp min_ld = n_in > 1 ? n_in : 1;
    if (n_in > 1 && s_in != e && n_out > 0) return 0;
    if (n_out <= 1 || n_in == 0) {
        *ld = (size_t)min_ld;
        return 1;
    }
    if (s_out <= 0 || s_out % e != 0 || s_out / e < min_ld) return 0;
    *ld = (size_t)(s_out / e);
    return 1;
}

/* Makes *a readable in layout L: as it is, as the other layout with *t
 * flipped, or as a copy in L's order (which replaces *a). A conjugate
 * transpose cannot be flipped (there is no conjugate without transpose), so
 * such an input is copied. */
static int prepare_operand(PyArrayObject **a, kp_layout L, kp_trans *t, size_t *ld)
{
    kp_layout other = L == KP_ROW_MAJOR ? KP_COL_MAJOR : KP_ROW_MAJOR;
    if (stored_as(*a, L, ld)) return 0;
    if (*t != KP_CONJ_TRANS && stored_as(*a, other, ld)) {
        *t = *t == KP_NO_TRANS ? KP_TRANS : KP_NO_TRANS;
        return 0;
    }
    PyArrayObject *copy =
        (PyArrayObject *)PyArray_NewCopy(*a, L == KP_ROW_MAJOR ? NPY_CORDER : NPY_FORTRANORDER);
    if (copy == NULL) return -1;
    Py_DECREF(*a);
    *a = copy;
    stored_as(copy, L, ld);
    return 0;
}

/* O& converter for trans_a / trans_b: 'N', 'T', 'C' (any case), or SciPy's
 * BLAS wrappers' 0, 1, 2 (False and True too). */
static int trans_converter(PyObject *obj, void *out)
{
    kp_trans *t = out;
    if (PyUnicode_Check(obj) && PyUnicode_GetLength(obj) == 1) {
        switch (PyUnicode_READ_CHAR(obj, 0)) {
        case 'N':
        case 'n': *t = KP_NO_TRANS; return 1;
        case 'T':
        case 't': *t = KP_TRANS; return 1;
        case 'C':
        case 'c': *t = KP_CONJ_TRANS; return 1;
        }
    } else if (PyLong_Check(obj)) {
        long v = PyLong_AsLong(obj);
        if (v == -1 && PyErr_Occurred()) return 0;
        if (v >= 0 && v <= 2) {
            *t = (kp_trans)v;
            return 1;
        }
    }
    PyErr_SetString(PyExc_ValueError, "trans must be 'N', 'T', 'C' or 0, 1, 2");
    return 0;
}

/* A scalar (alpha, beta) as two doubles; complex only for complex dtypes. */
static int scalar_arg(PyObject *obj, int complex_type, const char *name, double v[2])
{
    if (complex_type) {
        Py_complex z = PyComplex_AsCComplex(obj);
        if (z.real == -1.0 && PyErr_Occurred()) return -1;
        v[0] = z.real;
        v[1] = z.imag;
        return 0;
    }
    v[0] = PyFloat_AsDouble(obj);
    v[1] = 0;
    if (v[0] == -1.0 && PyErr_Occurred()) {
        PyErr_Format(PyExc_TypeError, "%s must be a real number for a real dtype", name);
        return -1;
    }
    return 0;
}

typedef struct {
    PyArrayObject *a, *b, *c, *out, *target;
    int type_num;
    kp_trans ta, tb;
    size_t m, n, k, lda, ldb, ldc;
    double alpha[2], beta[2];
    kp_layout layout;
} gemm_call;

static int run(gemm_call *g, int workers)
{
    int rc = KP_OK;
    const void *a = PyArray_DATA(g->a), *b = PyArray_DATA(g->b);
    void *c = PyArray_DATA(g->target);
    float fa[2] = {(float)g->alpha[0], (float)g->alpha[1]};
    float fb[2] = {(float)g->beta[0], (float)g->beta[1]};
    Py_BEGIN_ALLOW_THREADS;
    switch (g->type_num) {
    case NPY_FLOAT:
        rc = kp_sgemm(g->layout, g->ta, g->tb, g->m, g->n, g->k, fa[0], a, g->lda, b, g->ldb, fb[0],
                      c, g->ldc, workers);
        break;
    case NPY_DOUBLE:
        rc = kp_dgemm(g->layout, g->ta, g->tb, g->m, g->n, g->k, g->alpha[0], a, g->lda, b, g->ldb,
                      g->beta[0], c, g->ldc, workers);
        break;
    case NPY_CFLOAT:
        rc = kp_cgemm(g->layout, g->ta, g->tb, g->m, g->n, g->k, fa, a, g->lda, b, g->ldb, fb, c,
                      g->ldc, workers);
        break;
    case NPY_CDOUBLE:
        rc = kp_zgemm(g->layout, g->ta, g->tb, g->m, g->n, g->k, g->alpha, a, g->lda, b, g->ldb,
                      g->beta, c, g->ldc, workers);
        break;
    }
    Py_END_ALLOW_THREADS;
    return rc;
}

/* Checks c or out: an ndarray of the product's dtype and shape. */
static int check_result_arg(PyArrayObject *x, const char *name, const gemm_call *g)
{
    if (PyArray_TYPE(x) != g->type_num) {
        PyErr_Format(PyExc_TypeError, "gemm: %s must have the dtype of a and b", name);
        return -1;
    }
    if (PyArray_NDIM(x) != 2 || (size_t)PyArray_DIM(x, 0) != g->m ||
        (size_t)PyArray_DIM(x, 1) != g->n) {
        PyErr_Format(PyExc_ValueError, "gemm: %s must have shape (%zu, %zu)", name, g->m, g->n);
        return -1;
    }
    return 0;
}

/* Picks where the product is computed: out itself when kernpool can write
 * it in place and it shares no memory with a or b, else a new C-ordered
 * array (copied into out at the end). */
static int choose_target(gemm_call *g)
{
    size_t ld;
    PyArrayObject *o = g->out;
    if (o != NULL && PyArray_ISALIGNED(o) && PyArray_ISNOTSWAPPED(o) &&
        (stored_as(o, KP_ROW_MAJOR, &ld) || stored_as(o, KP_COL_MAJOR, &ld)) &&
        !kpy_may_overlap(o, g->a) && !kpy_may_overlap(o, g->b)) {
        Py_INCREF(o);
        g->target = o;
    } else {
        npy_intp dims[2] = {(npy_intp)g->m, (npy_intp)g->n};
        g->target = (PyArrayObject *)PyArray_SimpleNew(2, dims, g->type_num);
        if (g->target == NULL) return -1;
    }
    g->layout = stored_as(g->target, KP_ROW_MAJOR, &g->ldc) ? KP_ROW_MAJOR : KP_COL_MAJOR;
    if (g->layout == KP_COL_MAJOR) stored_as(g->target, KP_COL_MAJOR, &g->ldc);
    return 0;
}

static PyObject *gemm_impl(PyObject *ao, PyObject *bo, PyObject *co, PyObject *alphao,
                           PyObject *betao, kp_trans ta, kp_trans tb, PyObject *outo, int workers)
{
    gemm_call g = {0};
    PyObject *result = NULL;
    g.a = kpy_array(ao, "a", KPY_ALL, 2);
    if (g.a == NULL) goto done;
    g.b = kpy_array(bo, "b", KPY_ALL, 2);
    if (g.b == NULL) goto done;
    g.type_num = PyArray_TYPE(g.a);
    if (PyArray_TYPE(g.b) != g.type_num) {
        PyErr_SetString(PyExc_TypeError, "gemm: a and b must have the same dtype");
        goto done;
    }
    int is_complex = g.type_num == NPY_CFLOAT || g.type_num == NPY_CDOUBLE;
    /* A real matrix's conjugate transpose is its transpose; saying so lets
     * prepare_operand flip it rather than copy it. */
    g.ta = !is_complex && ta == KP_CONJ_TRANS ? KP_TRANS : ta;
    g.tb = !is_complex && tb == KP_CONJ_TRANS ? KP_TRANS : tb;
    size_t ar = (size_t)PyArray_DIM(g.a, 0), ac = (size_t)PyArray_DIM(g.a, 1);
    size_t br = (size_t)PyArray_DIM(g.b, 0), bc = (size_t)PyArray_DIM(g.b, 1);
    g.m = g.ta == KP_NO_TRANS ? ar : ac;
    g.k = g.ta == KP_NO_TRANS ? ac : ar;
    g.n = g.tb == KP_NO_TRANS ? bc : br;
    if ((g.tb == KP_NO_TRANS ? br : bc) != g.k) {
        PyErr_Format(PyExc_ValueError, "gemm: op(a) is %zu x %zu but op(b) is %zu x %zu", g.m, g.k,
                     g.tb == KP_NO_TRANS ? br : bc, g.n);
        goto done;
    }
    if (scalar_arg(alphao, is_complex, "alpha", g.alpha) < 0) goto done;
    if (co != NULL && co != Py_None) {
        g.c = kpy_array(co, "c", KPY_ALL, 2);
        if (g.c == NULL || check_result_arg(g.c, "c", &g) < 0) goto done;
    }
    /* beta defaults to 1 with c (alpha a b + c) and is 0 without (c = 0). */
    if (g.c == NULL) {
        g.beta[0] = g.beta[1] = 0;
    } else if (betao == NULL || betao == Py_None) {
        g.beta[0] = 1;
        g.beta[1] = 0;
    } else if (scalar_arg(betao, is_complex, "beta", g.beta) < 0) {
        goto done;
    }
    if (outo != NULL && outo != Py_None) {
        if (!PyArray_Check(outo)) {
            PyErr_SetString(PyExc_TypeError, "gemm: out must be a numpy.ndarray");
            goto done;
        }
        g.out = (PyArrayObject *)outo;
        Py_INCREF(g.out);
        if (check_result_arg(g.out, "out", &g) < 0 ||
            PyArray_FailUnlessWriteable(g.out, "gemm's out") < 0)
            goto done;
    }
    if (choose_target(&g) < 0) goto done;
    /* beta C needs C's values in the target first (c may be out itself). */
    if (g.c != NULL && (g.beta[0] != 0 || g.beta[1] != 0) && g.c != g.target &&
        PyArray_CopyInto(g.target, g.c) < 0)
        goto done;
    if (prepare_operand(&g.a, g.layout, &g.ta, &g.lda) < 0 ||
        prepare_operand(&g.b, g.layout, &g.tb, &g.ldb) < 0)
        goto done;

    int rc = run(&g, workers);
    if (rc != KP_OK) {
        kpy_raise(rc, "gemm");
        goto done;
    }
    if (g.out != NULL && g.target != g.out && PyArray_CopyInto(g.out, g.target) < 0) goto done;
    result = (PyObject *)(g.out != NULL ? g.out : g.target);
    Py_INCREF(result);
done:
    Py_XDECREF(g.a);
    Py_XDECREF(g.b);
    Py_XDECREF(g.c);
    Py_XDECREF(g.out);
    Py_XDECREF(g.target);
    return result;
}

static PyObject *py_gemm(PyObject *mod, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"a",       "b",       "c",   "alpha",   "beta",
                             "trans_a", "trans_b", "out", "workers", NULL};
    PyObject *a, *b, *c = NULL, *alpha = NULL, *beta = NULL, *out = NULL;
    kp_trans ta = KP_NO_TRANS, tb = KP_NO_TRANS;
    int workers = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|O$OOO&O&OO&:gemm", kwlist, &a, &b, &c, &alpha,
                                     &beta, trans_converter, &ta, trans_converter, &tb, &out,
                                     kpy_workers_converter, &workers))
        return NULL;
    PyObject *one = NULL;
    if (alpha == NULL) {
        one = PyFloat_FromDouble(1.0);
        if (one == NULL) return NULL;
        alpha = one;
    }
    PyObject *r = gemm_impl(a, b, c, alpha, beta, ta, tb, out, workers);
    Py_XDECREF(one);
    return r;
}

static PyObject *py_matmul(PyObject *mod, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"a", "b", "out", "workers", NULL};
    PyObject *a, *b, *out = NULL;
    int workers = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|$OO&:matmul", kwlist, &a, &b, &out,
                                     kpy_workers_converter, &workers))
        return NULL;
    PyObject *one = PyFloat_FromDouble(1.0);
    if (one == NULL) return NULL;
    PyObject *r = gemm_impl(a, b, NULL, one, NULL, KP_NO_TRANS, KP_NO_TRANS, out, workers);
    Py_DECREF(one);
    return r;
}

PyMethodDef kpy_linalg_methods[] = {
    {"gemm", KPY_KW(py_gemm), METH_VARARGS | METH_KEYWORDS,
     "gemm(a, b, c=None, *, alpha=1.0, beta=None, trans_a='N', trans_b='N', out=None,\n"
     "     workers=None)\n--\n\n"
     "alpha op(a) op(b) + beta c for 2-D float32, float64, complex64 or complex128\n"
     "arrays of one dtype (kp_?gemm). op is 'N' (as is), 'T' (transpose) or 'C'\n"
     "(conjugate transpose). beta defaults to 1 when c is given; without c the\n"
     "product alone is returned. The result goes to out if given (it may be c),\n"
     "else to a new C-ordered array. Inputs of any strides: row- or\n"
     "column-contiguous ones are read in place, others copied first. The same\n"
     "bits for every workers value."},
    {"matmul", KPY_KW(py_matmul), METH_VARARGS | METH_KEYWORDS,
     "matmul(a, b, *, out=None, workers=None)\n--\n\na @ b for 2-D arrays of one dtype; "
     "see gemm."},
    {NULL, NULL, 0, NULL}};
