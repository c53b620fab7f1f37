/*
 * kernpool.SeedSequence: numpy.random.SeedSequence (pool size 4) over
 * kp_seedseq, and the conversion of any seed argument to one.
 */
#include "kpmodule.h"

#include <structmember.h>

/* Appends the uint32 words of a non-negative Python int, least significant
 * first, as numpy's _int_to_uint32_array: 0 is one word, 0. */
static int int_words(PyObject *v, uint32_t *words, size_t cap, size_t *n)
{
    PyObject *x = PyNumber_Index(v);
    if (x == NULL) return -1;
    int overflow;
    long small = PyLong_AsLongAndOverflow(x, &overflow);
    if ((small == -1 && PyErr_Occurred()) || overflow < 0 || (overflow == 0 && small < 0)) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "seed values must be non-negative");
        Py_DECREF(x);
        return -1;
    }
    do {
        if (*n == cap) {
            Py_DECREF(x);
            kpy_raise(KP_EOVERFLOW, "SeedSequence (entropy or spawn key too long)");
            return -1;
        }
        words[(*n)++] = (uint32_t)PyLong_AsUnsignedLongLongMask(x);
        PyObject *shift = PyLong_FromLong(32);
        PyObject *rest = shift == NULL ? NULL : PyNumber_Rshift(x, shift);
        Py_XDECREF(shift);
        Py_DECREF(x);
        if (rest == NULL) return -1;
        x = rest;
    } while (PyObject_IsTrue(x));
    Py_DECREF(x);
    return 0;
}

/* numpy's _coerce_to_uint32_array: an int gives its words, a sequence the
 * concatenation of its items' words; floats are refused. */
static int coerce_words(PyObject *v, uint32_t *words, size_t cap, size_t *n)
{
    if (PyLong_Check(v) || PyArray_IsScalar(v, Integer)) return int_words(v, words, cap, n);
    if (PyFloat_Check(v) || PyArray_IsScalar(v, Inexact) || PyUnicode_Check(v) ||
        PyBytes_Check(v)) {
        PyErr_Format(PyExc_TypeError,
                     "SeedSequence: seed must be an integer or a sequence of "
                     "them, not %.100s",
                     Py_TYPE(v)->tp_name);
        return -1;
    }
    PyObject *seq = PySequence_Fast(v, "SeedSequence: seed must be an integer or a sequence");
    if (seq == NULL) return -1;
    int rc = 0;
    for (Py_ssize_t i = 0; rc == 0 && i < PySequence_Fast_GET_SIZE(seq); i++) {
        /* Nested sequences recurse; a self-containing list must not blow
         * the C stack. */
        if (Py_EnterRecursiveCall(" in SeedSequence") != 0) {
            rc = -1;
            break;
        }
        rc = coerce_words(PySequence_Fast_GET_ITEM(seq, i), words, cap, n);
        Py_LeaveRecursiveCall();
    }
    Py_DECREF(seq);
    return rc;
}

/* 128 bits from the OS, as numpy draws a missing entropy (secrets.randbits
 * of the pool's size in bits). */
static PyObject *fresh_entropy(void)
{
    PyObject *secrets = PyImport_ImportModule("secrets");
    if (secrets == NULL) return NULL;
    PyObject *e = PyObject_CallMethod(secrets, "randbits", "i", 128);
    Py_DECREF(secrets);
    return e;
}

static int seedseq_init(kpy_seedseq *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"entropy", "spawn_key", "pool_size", "n_children_spawned", NULL};
    PyObject *entropy = Py_None, *spawn_key = NULL;
    int pool_size = 4;
    unsigned long long spawned = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OOiK:SeedSequence", kwlist, &entropy, &spawn_key,
                                     &pool_size, &spawned))
        return -1;
    if (pool_size != 4) {
        PyErr_SetString(PyExc_ValueError, "SeedSequence: kernpool supports pool_size=4 only");
        return -1;
    }
    if (spawned > UINT32_MAX) {
        kpy_raise(KP_EOVERFLOW, "SeedSequence (n_children_spawned beyond 2**32 - 1)");
        return -1;
    }
    PyObject *ent = entropy == Py_None ? fresh_entropy() : (Py_INCREF(entropy), entropy);
    if (ent == NULL) return -1;
    PyObject *key = spawn_key == NULL ? PyTuple_New(0) : PySequence_Tuple(spawn_key);
    if (key == NULL) {
        Py_DECREF(ent);
        return -1;
    }
    /* Coerced into locals so that a failed __init__ leaves self as it was. */
    uint32_t words[KP_SEEDSEQ_MAX_ENTROPY], keyw[KP_SEEDSEQ_MAX_SPAWN_KEY];
    kp_seedseq ss;
    size_t nw = 0, nk = 0;
    int rc = KP_OK;
    if (coerce_words(ent, words, KP_SEEDSEQ_MAX_ENTROPY, &nw) < 0 ||
        coerce_words(key, keyw, KP_SEEDSEQ_MAX_SPAWN_KEY, &nk) < 0 ||
        (rc = kp_seedseq_init(&ss, words, nw, keyw, nk)) != KP_OK) {
        if (rc != KP_OK) kpy_raise(rc, "SeedSequence");
        Py_DECREF(ent);
        Py_DECREF(key);
        return -1;
    }
    self->ss = ss;
    memcpy(self->words, words, nw * sizeof *words);
    memcpy(self->key, keyw, nk * sizeof *keyw);
    self->n_words = nw;
    self->n_key = nk;
    self->n_children_spawned = (uint32_t)spawned;
    Py_XSETREF(self->entropy, ent);
    Py_XSETREF(self->spawn_key, key);
    return 0;
}

/* Every object is valid from birth (entropy None, no words), so one made
 * by __new__ without __init__ cannot crash a method. */
static PyObject *seedseq_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    kpy_seedseq *self = (kpy_seedseq *)type->tp_alloc(type, 0);
    if (self == NULL) return NULL;
    Py_INCREF(Py_None);
    self->entropy = Py_None;
    self->spawn_key = PyTuple_New(0);
    if (self->spawn_key == NULL || kp_seedseq_init(&self->ss, NULL, 0, NULL, 0) != KP_OK) {
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

static void seedseq_dealloc(kpy_seedseq *self)
{
    Py_XDECREF(self->entropy);
    Py_XDECREF(self->spawn_key);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* One child: the parent's words with the spawn key extended by `index`. */
static PyObject *child(kpy_seedseq *s, uint32_t index)
{
    if (s->n_key == KP_SEEDSEQ_MAX_SPAWN_KEY)
        return kpy_raise(KP_EOVERFLOW, "SeedSequence.spawn (spawn key too deep)");
    kpy_seedseq *c = (kpy_seedseq *)seedseq_new(&kpy_SeedSequenceType, NULL, NULL);
    if (c == NULL) return NULL;
    memcpy(c->words, s->words, sizeof c->words);
    memcpy(c->key, s->key, sizeof c->key);
    c->n_words = s->n_words;
    c->key[s->n_key] = index;
    c->n_key = s->n_key + 1;
    int rc = kp_seedseq_init(&c->ss, c->words, c->n_words, c->key, c->n_key);
    Py_INCREF(s->entropy);
    Py_SETREF(c->entropy, s->entropy);
    PyObject *i = PyLong_FromUnsignedLong(index);
    PyObject *tail = i == NULL ? NULL : PyTuple_Pack(1, i);
    Py_XDECREF(i);
    Py_XSETREF(c->spawn_key, tail == NULL ? NULL : PySequence_Concat(s->spawn_key, tail));
    Py_XDECREF(tail);
    if (c->spawn_key == NULL || rc != KP_OK) {
        if (rc != KP_OK && !PyErr_Occurred()) kpy_raise(rc, "SeedSequence.spawn");
        Py_DECREF(c);
        return NULL;
    }
    return (PyObject *)c;
}

PyObject *kpy_seedseq_spawn_list(kpy_seedseq *s, Py_ssize_t n)
{
    if (n < 0) {
        PyErr_SetString(PyExc_ValueError, "spawn: n_children must be >= 0");
        return NULL;
    }
    if ((uint64_t)n > UINT32_MAX - (uint64_t)s->n_children_spawned)
        return kpy_raise(KP_EOVERFLOW, "SeedSequence.spawn (counter beyond 2**32 - 1)");
    PyObject *list = PyList_New(n);
    if (list == NULL) return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *c = child(s, s->n_children_spawned + (uint32_t)i);
        if (c == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, i, c);
    }
    /* Counted only once every child exists: a failed spawn changes nothing. */
    s->n_children_spawned += (uint32_t)n;
    return list;
}

static PyObject *seedseq_spawn(kpy_seedseq *self, PyObject *arg)
{
    Py_ssize_t n = PyNumber_AsSsize_t(arg, PyExc_OverflowError);
    if (n == -1 && PyErr_Occurred()) return NULL;
    return kpy_seedseq_spawn_list(self, n);
}

static PyObject *seedseq_generate_state(kpy_seedseq *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"n_words", "dtype", NULL};
    Py_ssize_t n;
    PyArray_Descr *dtype = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "n|O&:generate_state", kwlist, &n,
                                     PyArray_DescrConverter2, &dtype))
        return NULL;
    int type = dtype == NULL ? NPY_UINT32 : dtype->type_num;
    Py_XDECREF(dtype);
    if (type != NPY_UINT32 && type != NPY_UINT64) {
        PyErr_SetString(PyExc_TypeError, "generate_state: dtype must be uint32 or uint64");
        return NULL;
    }
    if (n < 0) {
        PyErr_SetString(PyExc_ValueError, "generate_state: n_words must be >= 0");
        return NULL;
    }
    npy_intp dims[1] = {n};
    PyArrayObject *out = (PyArrayObject *)PyArray_SimpleNew(1, dims, type);
    if (out == NULL) return NULL;
    int rc;
    /* reads only the pool, which spawning in another thread leaves alone */
    Py_BEGIN_ALLOW_THREADS;
    if (type == NPY_UINT32)
        rc = kp_seedseq_generate_state32(&self->ss, PyArray_DATA(out), (size_t)n);
    else
        rc = kp_seedseq_generate_state64(&self->ss, PyArray_DATA(out), (size_t)n);
    Py_END_ALLOW_THREADS;
    if (rc != KP_OK) {
        Py_DECREF(out);
        return kpy_raise(rc, "generate_state");
    }
    return (PyObject *)out;
}

static PyObject *seedseq_get_spawned(kpy_seedseq *self, void *closure)
{
    return PyLong_FromUnsignedLong(self->n_children_spawned);
}

static PyObject *seedseq_get_pool_size(kpy_seedseq *self, void *closure)
{
    return PyLong_FromLong(4);
}

static PyObject *seedseq_get_state(kpy_seedseq *self, void *closure)
{
    return Py_BuildValue("{s:O,s:O,s:i,s:k}", "entropy", self->entropy, "spawn_key",
                         self->spawn_key, "pool_size", 4, "n_children_spawned",
                         (unsigned long)self->n_children_spawned);
}

static PyObject *seedseq_repr(kpy_seedseq *self)
{
    return PyUnicode_FromFormat("SeedSequence(entropy=%R, spawn_key=%R, n_children_spawned=%lu)",
                                self->entropy, self->spawn_key,
                                (unsigned long)self->n_children_spawned);
}

static PyObject *seedseq_reduce(kpy_seedseq *self, PyObject *unused)
{
    return Py_BuildValue("(O(OOik))", Py_TYPE(self), self->entropy, self->spawn_key, 4,
                         (unsigned long)self->n_children_spawned);
}

PyObject *kpy_seedseq_from_seed(PyObject *seed)
{
    if (PyObject_TypeCheck(seed, &kpy_SeedSequenceType)) {
        Py_INCREF(seed);
        return seed;
    }
    PyObject *nprandom = PyImport_ImportModule("numpy.random");
    if (nprandom == NULL) return NULL;
    PyObject *np_ss = PyObject_GetAttrString(nprandom, "SeedSequence");
    Py_DECREF(nprandom);
    if (np_ss == NULL) return NULL;
    int is_np = PyObject_IsInstance(seed, np_ss);
    Py_DECREF(np_ss);
    if (is_np < 0) return NULL;
    if (!is_np) return PyObject_CallOneArg((PyObject *)&kpy_SeedSequenceType, seed);

    /* numpy's own: the same seed by value (its state dict holds entropy,
     * spawn_key, pool_size and the counter). Spawning from the copy does not
     * advance the numpy object's counter. */
    PyObject *state = PyObject_GetAttrString(seed, "state");
    if (state == NULL) return NULL;
    PyObject *empty = PyTuple_New(0);
    PyObject *ss =
        empty == NULL ? NULL : PyObject_Call((PyObject *)&kpy_SeedSequenceType, empty, state);
    Py_XDECREF(empty);
    Py_DECREF(state);
    return ss;
}

static PyMethodDef seedseq_methods[] = {
    {"generate_state", KPY_KW(seedseq_generate_state), METH_VARARGS | METH_KEYWORDS,
     "generate_state(n_words, dtype=numpy.uint32)\n--\n\nn_words words derived from the "
     "pool (uint32 or uint64), as numpy's."},
    {"spawn", (PyCFunction)seedseq_spawn, METH_O,
     "spawn(n_children)\n--\n\nA list of n_children SeedSequences with this one's entropy and "
     "spawn\nkeys extended by the counter, which grows by n_children."},
    {"__reduce__", (PyCFunction)seedseq_reduce, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}};

static PyMemberDef seedseq_members[] = {
    {"entropy", T_OBJECT, offsetof(kpy_seedseq, entropy), READONLY, "the entropy as given"},
    {"spawn_key", T_OBJECT, offsetof(kpy_seedseq, spawn_key), READONLY, "a tuple of ints"},
    {NULL, 0, 0, 0, NULL}};

static PyGetSetDef seedseq_getset[] = {
    {"n_children_spawned", (getter)seedseq_get_spawned, NULL, "children spawned so far", NULL},
    {"pool_size", (getter)seedseq_get_pool_size, NULL, "always 4", NULL},
    {"state", (getter)seedseq_get_state, NULL, "numpy's state dict", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

PyTypeObject kpy_SeedSequenceType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "kernpool.SeedSequence",
    .tp_basicsize = sizeof(kpy_seedseq),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "SeedSequence(entropy=None, spawn_key=(), pool_size=4, n_children_spawned=0)\n--\n\n"
              "numpy.random.SeedSequence, bit for bit (kp_seedseq): entropy is an int or a\n"
              "sequence of ints (None: 128 fresh bits from the OS), at most 1024 bits;\n"
              "spawn keys at most 16 words deep.",
    .tp_init = (initproc)seedseq_init,
    .tp_new = seedseq_new,
    .tp_dealloc = (destructor)seedseq_dealloc,
    .tp_repr = (reprfunc)seedseq_repr,
    .tp_methods = seedseq_methods,
    .tp_members = seedseq_members,
    .tp_getset = seedseq_getset,
};
