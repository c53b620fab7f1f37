/*
 * kernpool.Generator: numpy.random.Generator's draws over kernpool's bit
 * generators (PCG64, PCG64DXSM, Philox), with parallel fills.
 *
 * Each fill runs with the GIL released and the generator's lock held, so a
 * generator shared by threads hands out every draw once. Which values match
 * numpy's stream is the C library's contract: random, uniform and
 * random_raw always; integers up to RNG_BLOCK values per call; normal and
 * exponential are kernpool's own ziggurat.
 */
#include <pthread.h>

#include "kpmodule.h"

const char *kpy_bitgen_name(kp_bitgen kind)
{
    switch (kind) {
    case KP_PCG64: return "PCG64";
    case KP_PCG64DXSM: return "PCG64DXSM";
    case KP_PHILOX: return "Philox";
    }
    return "unknown";
}

static int bitgen_from_name(PyObject *name, kp_bitgen *kind)
{
    static const kp_bitgen kinds[] = {KP_PCG64, KP_PCG64DXSM, KP_PHILOX};
    if (PyUnicode_Check(name))
        for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
            if (PyUnicode_CompareWithASCIIString(name, kpy_bitgen_name(kinds[i])) == 0) {
                *kind = kinds[i];
                return 0;
            }
    PyErr_Format(PyExc_ValueError, "bit_generator must be 'PCG64', 'PCG64DXSM' or 'Philox', not %R",
                 name);
    return -1;
}

/* Forks this process descends through (counted in each child), so that a
 * generator can tell that its lock was made before the last fork. Written
 * only in a child's fork handler, while the child has one thread. */
static unsigned long forks;

static void count_fork(void)
{
    forks++;
}

static void count_forks_from_now(void)
{
    (void)pthread_atfork(NULL, NULL, count_fork);
}

/* A child forked while a fill in another thread held self->lock inherits it
 * held by a thread the child does not have: the generator gets a new lock
 * (under the GIL, so one thread at a time). If none can be made, the old
 * one stays. */
static void renew_lock_after_fork(kpy_generator *self)
{
    if (self->lock_forks == forks) return;
    PyThread_type_lock fresh = PyThread_allocate_lock();
    if (fresh == NULL) return;
    PyThread_free_lock(self->lock);
    self->lock = fresh;
    self->lock_forks = forks;
}

void kpy_generator_lock(kpy_generator *self)
{
    renew_lock_after_fork(self);
    if (!PyThread_acquire_lock(self->lock, NOWAIT_LOCK)) {
        Py_BEGIN_ALLOW_THREADS;
        PyThread_acquire_lock(self->lock, WAIT_LOCK);
        Py_END_ALLOW_THREADS;
    }
}

void kpy_generator_unlock(kpy_generator *self)
{
    PyThread_release_lock(self->lock);
}

/* --------------------------------------------------------------- lifetime */

/* A generator is usable from birth (PCG64 from an empty SeedSequence), so
 * that __new__ without __init__ cannot crash a method. */
PyObject *kpy_generator_alloc(PyTypeObject *type)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    (void)pthread_once(&once, count_forks_from_now);
    kpy_generator *self = (kpy_generator *)type->tp_alloc(type, 0);
    if (self == NULL) return NULL;
    self->lock_forks = forks;
    self->lock = PyThread_allocate_lock();
    if (self->lock == NULL) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    kp_seedseq ss;
    if (kp_seedseq_init(&ss, NULL, 0, NULL, 0) != KP_OK || kp_rng_init(&self->g, KP_PCG64, &ss)) {
        Py_DECREF(self);
        return kpy_raise(KP_EINVAL, "Generator");
    }
    return (PyObject *)self;
}

static PyObject *generator_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    return kpy_generator_alloc(type);
}

static void generator_dealloc(kpy_generator *self)
{
    Py_XDECREF(self->seed_seq);
    if (self->lock != NULL) PyThread_free_lock(self->lock);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* Seeds self as kind(seed_seq); seed_seq is a kernpool.SeedSequence. */
static int generator_seed(kpy_generator *self, kp_bitgen kind, PyObject *seed_seq)
{
    kp_rng g;
    int rc = kp_rng_init(&g, kind, &((kpy_seedseq *)seed_seq)->ss);
    if (rc != KP_OK) {
        kpy_raise(rc, "Generator");
        return -1;
    }
    kpy_generator_lock(self);
    self->g = g;
    kpy_generator_unlock(self);
    Py_INCREF(seed_seq);
    Py_XSETREF(self->seed_seq, seed_seq);
    return 0;
}

static int generator_init(kpy_generator *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"seed", "bit_generator", NULL};
    PyObject *seed = Py_None, *name = NULL;
    kp_bitgen kind = KP_PCG64;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OO:Generator", kwlist, &seed, &name)) return -1;
    if (name != NULL && bitgen_from_name(name, &kind) < 0) return -1;
    PyObject *ss = kpy_seedseq_from_seed(seed);
    if (ss == NULL) return -1;
    int rc = generator_seed(self, kind, ss);
    Py_DECREF(ss);
    return rc;
}

PyObject *kpy_generator_new_from(PyTypeObject *type, kp_bitgen kind, PyObject *seed_seq)
{
    kpy_generator *g = (kpy_generator *)kpy_generator_alloc(type);
    if (g == NULL) return NULL;
    if (generator_seed(g, kind, seed_seq) < 0) {
        Py_DECREF(g);
        return NULL;
    }
    return (PyObject *)g;
}

/* ------------------------------------------------------------------ fills */

typedef enum { F_RAW, F_RANDOM, F_UNIFORM, F_INTEGERS, F_NORMAL, F_EXPONENTIAL } fill_kind;

typedef struct {
    fill_kind kind;
    double low, high;    /* uniform */
    int64_t ilow, ihigh; /* integers */
    int type_num;        /* of the values: NPY_UINT64, NPY_INT64 or NPY_DOUBLE */
    const char *name;    /* for messages */
} fill_spec;

static int fill(kp_rng *g, const fill_spec *f, size_t n, void *out, int workers)
{
    switch (f->kind) {
    case F_RAW: return kp_random_raw(g, n, out, workers);
    case F_RANDOM: return kp_random(g, n, out, workers);
    case F_UNIFORM: return kp_uniform(g, f->low, f->high, n, out, workers);
    case F_INTEGERS: return kp_integers(g, f->ilow, f->ihigh, n, out, workers);
    case F_NORMAL: return kp_standard_normal(g, n, out, workers);
    case F_EXPONENTIAL: return kp_standard_exponential(g, n, out, workers);
    }
    return KP_EINVAL;
}

/* The array to fill: out (C-contiguous, writeable, of the fill's dtype and,
 * when size is given too, of that shape), or a new one of shape size, or
 * NULL with *scalar set when both are None (one value, returned bare). */
static PyArrayObject *fill_target(const fill_spec *f, PyObject *size, PyObject *out, int *scalar)
{
    *scalar = 0;
    PyArray_Dims dims = {NULL, 0};
    int has_size = size != NULL && size != Py_None;
    if (has_size && !PyArray_IntpConverter(size, &dims)) return NULL;
    PyArrayObject *arr = NULL;
    if (out != NULL && out != Py_None) {
        PyArrayObject *o = (PyArrayObject *)out;
        if (!PyArray_Check(out) || PyArray_TYPE(o) != f->type_num || !PyArray_ISCARRAY(o)) {
            PyErr_Format(PyExc_TypeError,
                         "%s: out must be a C-contiguous, aligned array of the "
                         "drawn dtype",
                         f->name);
        } else if (has_size && (PyArray_NDIM(o) != dims.len ||
                                !PyArray_CompareLists(PyArray_DIMS(o), dims.ptr, dims.len))) {
            /* the count first: a 0-d array's shape pointer may be NULL */
            PyErr_Format(PyExc_ValueError, "%s: size must match out.shape", f->name);
        } else if (PyArray_FailUnlessWriteable(o, "out") == 0) {
            Py_INCREF(o);
            arr = o;
        }
    } else if (has_size) {
        arr = (PyArrayObject *)PyArray_SimpleNew(dims.len, dims.ptr, f->type_num);
    } else {
        *scalar = 1;
    }
    if (dims.ptr != NULL) PyDimMem_FREE(dims.ptr);
    return arr;
}

static PyObject *draw(kpy_generator *self, const fill_spec *f, PyObject *size, PyObject *out,
                      int workers)
{
    int scalar;
    PyArrayObject *arr = fill_target(f, size, out, &scalar);
    if (arr == NULL && !scalar) return NULL;
    union {
        double d;
        int64_t i;
        uint64_t u;
    } one;
    void *data = scalar ? (void *)&one : PyArray_DATA(arr);
    size_t n = scalar ? 1 : (size_t)PyArray_SIZE(arr);
    int rc;
    /* The lock is taken with the GIL released: its holder may be a fill in
     * another thread that needs nothing from Python to finish. */
    renew_lock_after_fork(self);
    Py_BEGIN_ALLOW_THREADS;
    PyThread_acquire_lock(self->lock, WAIT_LOCK);
    rc = fill(&self->g, f, n, data, workers);
    PyThread_release_lock(self->lock);
    Py_END_ALLOW_THREADS;
    if (rc != KP_OK) {
        Py_XDECREF(arr);
        return kpy_raise(rc, f->name);
    }
    if (!scalar) return (PyObject *)arr;
    /* Bare values as numpy's Generator returns them: float for doubles,
     * numpy.int64 for integers, int for raw words. */
    switch (f->type_num) {
    case NPY_DOUBLE: return PyFloat_FromDouble(one.d);
    case NPY_INT64: return kpy_scalar(NPY_INT64, &one.i);
    default: return PyLong_FromUnsignedLongLong(one.u);
    }
}

/* Only float64 is drawn (numpy's float32 draws use other bits). */
static int check_double(PyObject *dtype, const char *name)
{
    if (dtype == NULL || dtype == Py_None) return 0;
    PyArray_Descr *d = NULL;
    if (!PyArray_DescrConverter(dtype, &d)) return -1;
    int ok = d->type_num == NPY_DOUBLE;
    Py_DECREF(d);
    if (!ok) PyErr_Format(PyExc_TypeError, "%s: kernpool draws float64 only", name);
    return ok ? 0 : -1;
}

/* random, standard_normal, standard_exponential: (size=None, dtype=float64,
 * out=None, *, workers=None). */
static PyObject *draw_doubles(kpy_generator *self, PyObject *args, PyObject *kwds, fill_kind kind,
                              const char *fmt, const char *name)
{
    static char *kwlist[] = {"size", "dtype", "out", "workers", NULL};
    PyObject *size = NULL, *dtype = NULL, *out = NULL;
    int workers = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, fmt, kwlist, &size, &dtype, &out,
                                     kpy_workers_converter, &workers) ||
        check_double(dtype, name) < 0)
        return NULL;
    fill_spec f = {.kind = kind, .type_num = NPY_DOUBLE, .name = name};
    return draw(self, &f, size, out, workers);
}

static PyObject *gen_random(kpy_generator *self, PyObject *args, PyObject *kwds)
{
    return draw_doubles(self, args, kwds, F_RANDOM, "|OOO$O&:random", "random");
}

static PyObject *gen_standard_normal(kpy_generator *self, PyObject *args, PyObject *kwds)
{
    return draw_doubles(self, args, kwds, F_NORMAL, "|OOO$O&:standard_normal", "standard_normal");
}

static PyObject *gen_standard_exponential(kpy_generator *self, PyObject *args, PyObject *kwds)
{
    return draw_doubles(self, args, kwds, F_EXPONENTIAL, "|OOO$O&:standard_exponential",
                        "standard_exponential");
}

static PyObject *gen_uniform(kpy_generator *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"low", "high", "size", "workers", NULL};
    fill_spec f = {
        .kind = F_UNIFORM, .low = 0, .high = 1, .type_num = NPY_DOUBLE, .name = "uniform"};
    PyObject *size = NULL;
    int workers = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|ddO$O&:uniform", kwlist, &f.low, &f.high, &size,
                                     kpy_workers_converter, &workers))
        return NULL;
    /* numpy's checks of the range, and its messages */
    const double range = f.high - f.low;
    if (!isfinite(range)) {
        PyErr_SetString(PyExc_OverflowError, "high - low range exceeds valid bounds");
        return NULL;
    }
    if (range < 0) {
        PyErr_SetString(PyExc_ValueError, "high - low < 0");
        return NULL;
    }
    return draw(self, &f, size, NULL, workers);
}

static PyObject *gen_random_raw(kpy_generator *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"size", "workers", NULL};
    fill_spec f = {.kind = F_RAW, .type_num = NPY_UINT64, .name = "random_raw"};
    PyObject *size = NULL;
    int workers = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O$O&:random_raw", kwlist, &size,
                                     kpy_workers_converter, &workers))
        return NULL;
    return draw(self, &f, size, NULL, workers);
}

/* An int64 argument; OverflowError names the argument. */
static int int64_arg(PyObject *obj, const char *name, int64_t *v)
{
    long long x = PyLong_AsLongLong(obj);
    if (x == -1 && PyErr_Occurred()) {
        if (PyErr_ExceptionMatches(PyExc_OverflowError)) {
            PyErr_Clear();
            PyErr_Format(PyExc_ValueError, "integers: %s is out of the int64 range", name);
        }
        return -1;
    }
    *v = x;
    return 0;
}

static PyObject *gen_integers(kpy_generator *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"low", "high", "size", "dtype", "endpoint", "workers", NULL};
    PyObject *lowo, *higho = Py_None, *size = NULL, *dtype = NULL;
    int endpoint = 0, workers = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|OOOp$O&:integers", kwlist, &lowo, &higho, &size,
                                     &dtype, &endpoint, kpy_workers_converter, &workers))
        return NULL;
    if (dtype != NULL && dtype != Py_None) {
        PyArray_Descr *d = NULL;
        if (!PyArray_DescrConverter(dtype, &d)) return NULL;
        int ok = d->type_num == NPY_INT64 || (d->type_num == NPY_LONG && sizeof(long) == 8);
        Py_DECREF(d);
        if (!ok) {
            PyErr_SetString(PyExc_TypeError, "integers: kernpool draws int64 only");
            return NULL;
        }
    }
    fill_spec f = {.kind = F_INTEGERS, .type_num = NPY_INT64, .name = "integers"};
    if (higho == Py_None) {
        f.ilow = 0;
        if (int64_arg(lowo, "high", &f.ihigh) < 0) return NULL;
    } else if (int64_arg(lowo, "low", &f.ilow) < 0 || int64_arg(higho, "high", &f.ihigh) < 0) {
        return NULL;
    }
    if (endpoint) {
        /* [low, high] is [low, high + 1): the same draws as numpy's. */
        if (f.ihigh == INT64_MAX) {
            PyErr_SetString(PyExc_ValueError,
                            "integers: high = 2**63 - 1 with endpoint=True is beyond int64");
            return NULL;
        }
        f.ihigh++;
    }
    if (f.ilow >= f.ihigh) {
        PyErr_SetString(PyExc_ValueError,
                        endpoint ? "integers: low > high" : "integers: low >= high");
        return NULL;
    }
    return draw(self, &f, size, NULL, workers);
}

/* ---------------------------------------------------------------- type */

static PyObject *gen_get_bit_generator(kpy_generator *self, void *closure)
{
    return PyUnicode_FromString(kpy_bitgen_name(self->g.kind));
}

static PyObject *gen_get_seed_seq(kpy_generator *self, void *closure)
{
    PyObject *s = self->seed_seq != NULL ? self->seed_seq : Py_None;
    Py_INCREF(s);
    return s;
}

static PyObject *gen_repr(kpy_generator *self)
{
    return PyUnicode_FromFormat("Generator(%s)", kpy_bitgen_name(self->g.kind));
}

#define SIZE_DOC    "size: None (one value), an int or a shape. "
#define WORKERS_DOC "The same bits for every workers value."

static PyMethodDef generator_methods[] = {
    {"random", KPY_KW(gen_random), METH_VARARGS | METH_KEYWORDS,
     "random(size=None, dtype=numpy.float64, out=None, *, workers=None)\n--\n\n"
     "Uniform on [0, 1) in steps of 2**-53: numpy's stream exactly. " SIZE_DOC WORKERS_DOC},
    {"uniform", KPY_KW(gen_uniform), METH_VARARGS | METH_KEYWORDS,
     "uniform(low=0.0, high=1.0, size=None, *, workers=None)\n--\n\n"
     "low + (high - low) random(): numpy's stream exactly; scalar low and high."},
    {"integers", KPY_KW(gen_integers), METH_VARARGS | METH_KEYWORDS,
     "integers(low, high=None, size=None, dtype=numpy.int64, endpoint=False, *, "
     "workers=None)\n--\n\n"
     "int64 in [low, high) ([low, high] with endpoint). numpy's stream exactly for\n"
     "up to RNG_BLOCK values per call; beyond, each block of RNG_BLOCK values\n"
     "draws from its own substream. " WORKERS_DOC},
    {"standard_normal", KPY_KW(gen_standard_normal), METH_VARARGS | METH_KEYWORDS,
     "standard_normal(size=None, dtype=numpy.float64, out=None, *, workers=None)\n--\n\n"
     "N(0, 1) by kernpool's ziggurat: numpy's distribution, not numpy's stream. " WORKERS_DOC},
    {"standard_exponential", KPY_KW(gen_standard_exponential), METH_VARARGS | METH_KEYWORDS,
     "standard_exponential(size=None, dtype=numpy.float64, out=None, *, workers=None)\n--\n\n"
     "Exp(1) by kernpool's ziggurat: numpy's distribution, not numpy's stream."},
    {"random_raw", KPY_KW(gen_random_raw), METH_VARARGS | METH_KEYWORDS,
     "random_raw(size=None, *, workers=None)\n--\n\n"
     "Raw 64-bit words (uint64; an int when size is None), as numpy's\n"
     "BitGenerator.random_raw."},
    {"advance", (PyCFunction)kpy_generator_advance, METH_O,
     "advance(delta)\n--\n\nMoves the generator as numpy's advance(delta) (PCG: delta draws, "
     "mod 2**128,\nnegative goes back; Philox: delta counter blocks, within +-2**127). Returns "
     "self."},
    {"jumped", KPY_KW(kpy_generator_jumped), METH_VARARGS | METH_KEYWORDS,
     "jumped(jumps=1)\n--\n\nA new Generator advanced by jumps times the jump of numpy's "
     "jumped();\nit shares this one's seed_seq."},
    {"spawn", (PyCFunction)kpy_generator_spawn, METH_O,
     "spawn(n_children)\n--\n\nn_children new Generators of this kind, seeded from "
     "seed_seq.spawn(n_children)."},
    {"__reduce__", (PyCFunction)kpy_generator_reduce, METH_NOARGS, NULL},
    {"__setstate__", (PyCFunction)kpy_generator_setstate, METH_O, NULL},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef generator_getset[] = {
    {"state", (getter)kpy_generator_state_get, (setter)kpy_generator_state_set,
     "numpy's state dict of the bit generator (readable and settable: numpy's own\n"
     "generator's state may be assigned, and this one's assigned to numpy's)",
     NULL},
    {"bit_generator", (getter)gen_get_bit_generator, NULL, "the bit generator's name", NULL},
    {"seed_seq", (getter)gen_get_seed_seq, NULL, "the SeedSequence spawn() uses", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

PyTypeObject kpy_GeneratorType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "kernpool.Generator",
    .tp_basicsize = sizeof(kpy_generator),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "Generator(seed=None, bit_generator='PCG64')\n--\n\n"
              "numpy.random.Generator(bit_generator(seed)) over kernpool's bit generators\n"
              "('PCG64', 'PCG64DXSM', 'Philox'). seed: None (fresh entropy), an int or\n"
              "sequence of ints, a kernpool.SeedSequence (shared: spawn advances it) or a\n"
              "numpy.random.SeedSequence (copied by value).",
    .tp_new = generator_new,
    .tp_init = (initproc)generator_init,
    .tp_dealloc = (destructor)generator_dealloc,
    .tp_repr = (reprfunc)gen_repr,
    .tp_methods = generator_methods,
    .tp_getset = generator_getset,
};
