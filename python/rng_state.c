/*
 * kernpool.Generator's state: numpy's state dicts (so a state moves between
 * numpy and kernpool generators both ways), advance, jumped, spawn and
 * pickling. The dicts are kp_rng_state_get/_set's words in numpy's shape:
 *   PCG64, PCG64DXSM: {'bit_generator', 'state': {'state', 'inc'},
 *                      'has_uint32', 'uinteger'}, state and inc 128-bit ints;
 *   Philox: {'bit_generator', 'state': {'counter', 'key'}, 'buffer',
 *            'buffer_pos', 'has_uint32', 'uinteger'}, arrays of uint64.
 */
#include "kpmodule.h"

/* hi * 2**64 + lo as a Python int. */
static PyObject *u128_to_long(uint64_t hi, uint64_t lo)
{
    PyObject *h = PyLong_FromUnsignedLongLong(hi), *l = PyLong_FromUnsignedLongLong(lo);
    PyObject *s = PyLong_FromLong(64), *r = NULL;
    if (h != NULL && l != NULL && s != NULL) {
        PyObject *shifted = PyNumber_Lshift(h, s);
        if (shifted != NULL) r = PyNumber_Or(shifted, l);
        Py_XDECREF(shifted);
    }
    Py_XDECREF(h);
    Py_XDECREF(l);
    Py_XDECREF(s);
    return r;
}

/* A Python int in [0, 2**128) as (hi, lo); `wrap` reduces any int mod
 * 2**128 (two's complement) instead of refusing it. */
static int long_to_u128(PyObject *obj, int wrap, const char *name, uint64_t *hi, uint64_t *lo)
{
    PyObject *v = PyNumber_Index(obj);
    if (v == NULL) return -1;
    PyObject *s = PyLong_FromLong(64), *top = NULL, *high = NULL;
    int rc = -1;
    if (s == NULL) goto done;
    high = PyNumber_Rshift(v, s);
    top = high == NULL ? NULL : PyNumber_Rshift(high, s);
    if (top == NULL) goto done;
    if (!wrap && PyObject_IsTrue(top) != 0) {
        PyErr_Format(PyExc_ValueError, "state: %s must be in [0, 2**128)", name);
        goto done;
    }
    /* The mask conversions take the low 64 bits of any int, negative ones
     * in two's complement, which is exactly the reduction mod 2**64. */
    *lo = PyLong_AsUnsignedLongLongMask(v);
    *hi = PyLong_AsUnsignedLongLongMask(high);
    rc = PyErr_Occurred() ? -1 : 0;
done:
    Py_XDECREF(v);
    Py_XDECREF(s);
    Py_XDECREF(high);
    Py_XDECREF(top);
    return rc;
}

static PyObject *u64_array(const uint64_t *w, npy_intp n)
{
    PyArrayObject *a = (PyArrayObject *)PyArray_SimpleNew(1, &n, NPY_UINT64);
    if (a != NULL) memcpy(PyArray_DATA(a), w, (size_t)n * sizeof *w);
    return (PyObject *)a;
}

/* n uint64 words from a sequence (a numpy array, a list). */
static int u64_words(PyObject *seq_obj, const char *name, uint64_t *w, Py_ssize_t n)
{
    PyObject *seq = PySequence_Fast(seq_obj, "state: expected a sequence");
    if (seq == NULL) return -1;
    int rc = 0;
    if (PySequence_Fast_GET_SIZE(seq) != n) {
        PyErr_Format(PyExc_ValueError, "state: %s must hold %zd words", name, n);
        rc = -1;
    }
    for (Py_ssize_t i = 0; rc == 0 && i < n; i++) {
        PyObject *v = PyNumber_Index(PySequence_Fast_GET_ITEM(seq, i));
        w[i] = v == NULL ? 0 : PyLong_AsUnsignedLongLong(v);
        Py_XDECREF(v);
        if (PyErr_Occurred()) rc = -1;
    }
    Py_DECREF(seq);
    return rc;
}

PyObject *kpy_generator_state_get(kpy_generator *self, void *closure)
{
    uint64_t w[KP_RNG_STATE_WORDS];
    kpy_generator_lock(self);
    int rc = kp_rng_state_get(&self->g, w);
    kpy_generator_unlock(self);
    if (rc != KP_OK) return kpy_raise(rc, "state");
    kp_bitgen kind = (kp_bitgen)(w[0] - KP_RNG_STATE_FORMAT);
    const char *name = kpy_bitgen_name(kind);
    if (kind != KP_PHILOX) {
        PyObject *s = u128_to_long(w[3], w[4]), *c = u128_to_long(w[5], w[6]), *d = NULL;
        if (s != NULL && c != NULL)
            d = Py_BuildValue("{s:s,s:{s:O,s:O},s:K,s:K}", "bit_generator", name, "state", "state",
                              s, "inc", c, "has_uint32", w[1], "uinteger", w[2]);
        Py_XDECREF(s);
        Py_XDECREF(c);
        return d;
    }
    PyObject *ctr = u64_array(&w[3], 4), *key = u64_array(&w[7], 2), *buf = u64_array(&w[9], 4);
    PyObject *d = NULL;
    if (ctr != NULL && key != NULL && buf != NULL)
        d = Py_BuildValue("{s:s,s:{s:O,s:O},s:O,s:K,s:K,s:K}", "bit_generator", name, "state",
                          "counter", ctr, "key", key, "buffer", buf, "buffer_pos", w[13],
                          "has_uint32", w[1], "uinteger", w[2]);
    Py_XDECREF(ctr);
    Py_XDECREF(key);
    Py_XDECREF(buf);
    return d;
}

/* d[key] as a new reference, KeyError-free: ValueError names what is missing. */
static PyObject *item(PyObject *d, const char *key)
{
    if (!PyDict_Check(d)) {
        PyErr_SetString(PyExc_TypeError, "state must be a dict");
        return NULL;
    }
    PyObject *v = PyDict_GetItemString(d, key);
    if (v == NULL) {
        if (!PyErr_Occurred()) PyErr_Format(PyExc_ValueError, "state: no '%s'", key);
        return NULL;
    }
    Py_INCREF(v);
    return v;
}

/* An int field in [0, 2**64) of the state dict. */
static int u64_item(PyObject *d, const char *key, uint64_t *w)
{
    PyObject *v = item(d, key), *i = v == NULL ? NULL : PyNumber_Index(v);
    Py_XDECREF(v);
    if (i == NULL) return -1;
    *w = PyLong_AsUnsignedLongLong(i);
    Py_DECREF(i);
    return PyErr_Occurred() ? -1 : 0;
}

/* The state words of numpy's dict (kp_rng_state_set checks the values). */
static int state_words(PyObject *d, uint64_t w[KP_RNG_STATE_WORDS])
{
    memset(w, 0, KP_RNG_STATE_WORDS * sizeof *w);
    PyObject *name = item(d, "bit_generator");
    if (name == NULL) return -1;
    kp_bitgen kind = KP_PCG64;
    int found = 0;
    for (int k = KP_PCG64; k <= KP_PHILOX; k++)
        if (PyUnicode_Check(name) &&
            PyUnicode_CompareWithASCIIString(name, kpy_bitgen_name((kp_bitgen)k)) == 0) {
            kind = (kp_bitgen)k;
            found = 1;
        }
    Py_DECREF(name);
    if (!found) {
        PyErr_SetString(PyExc_ValueError,
                        "state: bit_generator must be 'PCG64', 'PCG64DXSM' or 'Philox'");
        return -1;
    }
    w[0] = KP_RNG_STATE_FORMAT + (uint64_t)kind;
    if (u64_item(d, "has_uint32", &w[1]) < 0 || u64_item(d, "uinteger", &w[2]) < 0) return -1;
    PyObject *inner = item(d, "state");
    if (inner == NULL) return -1;
    int rc = -1;
    if (kind != KP_PHILOX) {
        PyObject *s = item(inner, "state"), *c = s == NULL ? NULL : item(inner, "inc");
        if (c != NULL && long_to_u128(s, 0, "state", &w[3], &w[4]) == 0 &&
            long_to_u128(c, 0, "inc", &w[5], &w[6]) == 0)
            rc = 0;
        Py_XDECREF(s);
        Py_XDECREF(c);
    } else {
        PyObject *ctr = item(inner, "counter"), *key = ctr == NULL ? NULL : item(inner, "key");
        PyObject *buf = key == NULL ? NULL : item(d, "buffer");
        if (buf != NULL && u64_words(ctr, "counter", &w[3], 4) == 0 &&
            u64_words(key, "key", &w[7], 2) == 0 && u64_words(buf, "buffer", &w[9], 4) == 0 &&
            u64_item(d, "buffer_pos", &w[13]) == 0)
            rc = 0;
        Py_XDECREF(ctr);
        Py_XDECREF(key);
        Py_XDECREF(buf);
    }
    Py_DECREF(inner);
    return rc;
}

int kpy_generator_state_set(kpy_generator *self, PyObject *value, void *closure)
{
    if (value == NULL) {
        PyErr_SetString(PyExc_AttributeError, "state cannot be deleted");
        return -1;
    }
    uint64_t w[KP_RNG_STATE_WORDS];
    kp_rng g;
    if (state_words(value, w) < 0) return -1;
    int rc = kp_rng_state_set(&g, w);
    if (rc != KP_OK) {
        kpy_raise(rc, "state (has_uint32 0 or 1, uinteger < 2**32, an odd inc, buffer_pos <= 4)");
        return -1;
    }
    kpy_generator_lock(self);
    const kp_bitgen kind = self->g.kind;
    if (g.kind == kind) self->g = g;
    kpy_generator_unlock(self);
    if (g.kind != kind) { /* as numpy: a state moves only between generators of one kind */
        PyErr_Format(PyExc_ValueError, "state must be for a %s RNG", kpy_bitgen_name(kind));
        return -1;
    }
    return 0;
}

PyObject *kpy_generator_advance(kpy_generator *self, PyObject *delta)
{
    uint64_t hi, lo;
    if (long_to_u128(delta, 1, "delta", &hi, &lo) < 0) return NULL;
    kpy_generator_lock(self);
    int philox = self->g.kind == KP_PHILOX;
    kpy_generator_unlock(self);
    if (philox) {
        /* Philox's counter has 256 bits; kp_rng_advance takes a signed
         * 128-bit step, so only steps in [-2**127, 2**127) are exact. */
        PyObject *lim = u128_to_long(UINT64_C(1) << 63, 0), *neg = NULL;
        int ok = 0;
        if (lim != NULL && (neg = PyNumber_Negative(lim)) != NULL) {
            int below = PyObject_RichCompareBool(delta, lim, Py_LT);
            int above = PyObject_RichCompareBool(delta, neg, Py_GE);
            ok = below == 1 && above == 1;
            if (below >= 0 && above >= 0 && !ok)
                PyErr_SetString(PyExc_ValueError,
                                "advance: Philox steps must lie in [-2**127, 2**127)");
        }
        Py_XDECREF(lim);
        Py_XDECREF(neg);
        if (!ok) return NULL;
    }
    kpy_generator_lock(self);
    int rc = kp_rng_advance(&self->g, hi, lo);
    kpy_generator_unlock(self);
    if (rc != KP_OK) return kpy_raise(rc, "advance");
    Py_INCREF(self);
    return (PyObject *)self;
}

PyObject *kpy_generator_jumped(kpy_generator *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"jumps", NULL};
    PyObject *jumps_obj = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:jumped", kwlist, &jumps_obj)) return NULL;
    unsigned long long jumps = 1;
    if (jumps_obj != NULL) {
        PyObject *i = PyNumber_Index(jumps_obj);
        if (i == NULL) return NULL;
        jumps = PyLong_AsUnsignedLongLong(i);
        Py_DECREF(i);
        if (PyErr_Occurred()) {
            PyErr_SetString(PyExc_ValueError, "jumped: jumps must be in [0, 2**64)");
            return NULL;
        }
    }
    kpy_generator *out = (kpy_generator *)kpy_generator_alloc(Py_TYPE(self));
    if (out == NULL) return NULL;
    kpy_generator_lock(self);
    int rc = kp_rng_jumped(&self->g, jumps, &out->g);
    kpy_generator_unlock(self);
    if (rc != KP_OK) {
        Py_DECREF(out);
        return kpy_raise(rc, "jumped");
    }
    Py_XINCREF(self->seed_seq);
    Py_XSETREF(out->seed_seq, self->seed_seq);
    return (PyObject *)out;
}

PyObject *kpy_generator_spawn(kpy_generator *self, PyObject *n)
{
    Py_ssize_t count = PyNumber_AsSsize_t(n, PyExc_OverflowError);
    if (count == -1 && PyErr_Occurred()) return NULL;
    if (self->seed_seq == NULL) {
        PyErr_SetString(PyExc_TypeError, "spawn: this generator has no SeedSequence");
        return NULL;
    }
    kpy_generator_lock(self);
    kp_bitgen kind = self->g.kind;
    kpy_generator_unlock(self);
    PyObject *seeds = kpy_seedseq_spawn_list((kpy_seedseq *)self->seed_seq, count);
    if (seeds == NULL) return NULL;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *g = kpy_generator_new_from(Py_TYPE(self), kind, PyList_GET_ITEM(seeds, i));
        if (g == NULL) {
            Py_DECREF(seeds);
            return NULL;
        }
        /* Replaces the seed in the list, which drops the list's reference. */
        PyList_SetItem(seeds, i, g);
    }
    return seeds;
}

/* Pickled as Generator(seed_seq, name) then __setstate__(state): seeding
 * from the sequence is cheap and keeps spawn() working after a round trip. */
PyObject *kpy_generator_reduce(kpy_generator *self, PyObject *unused)
{
    PyObject *state = kpy_generator_state_get(self, NULL);
    if (state == NULL) return NULL;
    PyObject *name = PyDict_GetItemString(state, "bit_generator");
    PyObject *ss = self->seed_seq != NULL ? self->seed_seq : Py_None;
    PyObject *r = Py_BuildValue("(O(OO)O)", Py_TYPE(self), ss, name, state);
    Py_DECREF(state);
    return r;
}

PyObject *kpy_generator_setstate(kpy_generator *self, PyObject *state)
{
    if (kpy_generator_state_set(self, state, NULL) < 0) return NULL;
    Py_RETURN_NONE;
}
