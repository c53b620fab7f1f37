/*
 * python/ internals: what the files of the extension module share.
 *
 *   module.c    module init, exceptions, the workers functions and set_workers
 *   arrays.c    argument conversion: workers, dtypes, 1-D strided views, errors
 *   reduce.c    sum, dot, nrm2, asum, minmax, mean_var
 *   linalg.c    gemm and matmul over any strides
 *   fft.c       fft, ifft, rfft, irfft and their 2-D and n-D forms
 *   seedseq.c   the SeedSequence type
 *   rng.c       the Generator type: draws and fills
 *   rng_state.c the Generator type: state dicts, advance, jumped, spawn, pickle
 *
 * Every file includes this header first: it sets the NumPy C API up so that
 * one table (imported in module.c) serves all of them.
 */
#ifndef KP_PYTHON_KPMODULE_H
#define KP_PYTHON_KPMODULE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define NPY_NO_DEPRECATED_API  NPY_1_7_API_VERSION
#define PY_ARRAY_UNIQUE_SYMBOL kp_python_ARRAY_API
#ifndef KP_PYTHON_IMPORT_ARRAY
#define NO_IMPORT_ARRAY
#endif
#include <numpy/arrayobject.h>

#include <stddef.h>
#include <stdint.h>

#include "kernpool.h"

/* Method tables cast a keyword function to PyCFunction through a generic
 * function pointer, as the C API expects; the double cast keeps
 * -Wcast-function-type quiet without hiding a real mismatch elsewhere. */
#define KPY_KW(fn) ((PyCFunction)(void (*)(void))(fn))

/* ---------------------------------------------------------------- errors */

/* kernpool.Error (an Exception) and its two subclasses (module.c):
 * kernpool.ArgumentError (also a ValueError) and kernpool.OutOfMemoryError
 * (also a MemoryError). */
extern PyObject *kpy_Error;
extern PyObject *kpy_ArgumentError;
extern PyObject *kpy_OutOfMemoryError;

/* Raises the exception for a negative kernpool status: OutOfMemoryError
 * for KP_ENOMEM, else ArgumentError, with the message
 * "<what>: <kp_strerror(status)>" and the attributes status (the code) and
 * reason (kp_strerror's text). Returns NULL for `return kpy_raise(...)`. */
PyObject *kpy_raise(int status, const char *what);

/* ------------------------------------------------------- argument helpers */

/* O& converter for a workers argument: None (the default) gives 0, the
 * current default; any other int must fit a C int. */
int kpy_workers_converter(PyObject *obj, void *out);

/* Which dtypes a function takes, as a mask of these bits. */
enum {
    KPY_F32 = 1 << 0,
    KPY_F64 = 1 << 1,
    KPY_C64 = 1 << 2,
    KPY_C128 = 1 << 3,
    KPY_REAL = KPY_F32 | KPY_F64,
    KPY_ALL = KPY_REAL | KPY_C64 | KPY_C128
};

/* The mask bit of a NumPy type number, 0 if kernpool has no kernel for it. */
int kpy_type_bit(int type_num);

/* obj as an aligned, native-byte-order ndarray of one of the dtypes in
 * `allowed` (no other cast: an int64 array raises TypeError rather than
 * being converted), with ndim dimensions. Lists and other array-likes go
 * through numpy.asarray first. Returns a new reference, or NULL with
 * TypeError or ValueError set; `name` is the argument's name for messages. */
PyArrayObject *kpy_array(PyObject *obj, const char *name, int allowed, int ndim);

/* A 1-D array as kernpool's reductions read it: n elements from base with
 * increment inc (in elements, BLAS's meaning: for inc < 0, base is the
 * lowest address and element i lies at base[(n - 1 - i) * |inc|]). `owner`
 * holds the memory: the array itself, or a contiguous copy when its stride
 * is not a nonzero multiple of the element size (a broadcast or a view of
 * records). */
typedef struct kpy_vector {
    PyArrayObject *owner;
    char *base;
    size_t n;
    ptrdiff_t inc;
    int type_num;
} kpy_vector;

/* Fills *v from obj (see kpy_array). Returns 0, or -1 with an exception set
 * and nothing held. Release with kpy_vector_release. */
int kpy_vector_get(PyObject *obj, const char *name, int allowed, kpy_vector *v);
void kpy_vector_release(kpy_vector *v);

/* Whether the bytes two arrays' elements span intersect (a cheap,
 * conservative test: interleaved arrays that share no element count too). */
int kpy_may_overlap(PyArrayObject *x, PyArrayObject *y);

/* A NumPy scalar of type_num holding *value (a new reference or NULL). */
PyObject *kpy_scalar(int type_num, const void *value);

/* --------------------------------------------------------- method tables */

extern PyMethodDef kpy_reduce_methods[];
extern PyMethodDef kpy_linalg_methods[];
extern PyMethodDef kpy_fft_methods[];

/* ------------------------------------------------------------------- rng */

extern PyTypeObject kpy_SeedSequenceType;
extern PyTypeObject kpy_GeneratorType;

/* A kernpool.SeedSequence: the seeded kp_seedseq, plus what numpy's object
 * shows (entropy as given, spawn_key as a tuple). Children are derived from
 * the coerced words and the counter here: kp_seedseq_spawn would do the
 * same, but the header keeps the struct's counter private, and numpy's
 * constructor takes n_children_spawned. */
typedef struct kpy_seedseq {
    PyObject_HEAD kp_seedseq ss;
    PyObject *entropy;   /* int, or the sequence given */
    PyObject *spawn_key; /* tuple of ints */
    uint32_t words[KP_SEEDSEQ_MAX_ENTROPY];
    uint32_t key[KP_SEEDSEQ_MAX_SPAWN_KEY];
    size_t n_words, n_key;
    uint32_t n_children_spawned;
} kpy_seedseq;

/* A kernpool.SeedSequence for a seed argument: a kernpool.SeedSequence
 * (the same object, a new reference), a numpy.random.SeedSequence (copied:
 * entropy, spawn key, counter), None (fresh entropy) or an int or sequence
 * of ints. NULL with an exception set on failure. */
PyObject *kpy_seedseq_from_seed(PyObject *seed);

/* Spawns n children of s as kernpool.SeedSequence objects (a new list). */
PyObject *kpy_seedseq_spawn_list(kpy_seedseq *s, Py_ssize_t n);

/* A kernpool.Generator. The lock serialises kernpool's use of g: a fill runs
 * with the GIL released, so two Python threads may call one generator at
 * once, and they must take turns (numpy's generators lock likewise). */
typedef struct kpy_generator {
    PyObject_HEAD kp_rng g;
    PyObject *seed_seq; /* the kernpool.SeedSequence spawn() draws from */
    PyThread_type_lock lock;
    unsigned long lock_forks; /* forks this process had seen when lock was made */
} kpy_generator;

/* Takes self->lock; waits for it with the GIL released, so the holder (a fill
 * in another thread) can finish. Called with the GIL held. In a child forked
 * while another thread held the lock, the first call gives the generator a
 * new lock (the holder is not in the child). */
void kpy_generator_lock(kpy_generator *self);
void kpy_generator_unlock(kpy_generator *self);

/* A new Generator of type `type` (kernpool.Generator or a subclass), PCG64
 * from an empty SeedSequence, with no seed_seq: valid, waiting for a state. */
PyObject *kpy_generator_alloc(PyTypeObject *type);

/* A new Generator of `kind` seeded from seed_seq (a kernpool.SeedSequence,
 * not stolen). */
PyObject *kpy_generator_new_from(PyTypeObject *type, kp_bitgen kind, PyObject *seed_seq);

/* rng_state.c: the state property and the methods that move or copy a
 * generator; listed in rng.c's tables. */
PyObject *kpy_generator_state_get(kpy_generator *self, void *closure);
int kpy_generator_state_set(kpy_generator *self, PyObject *value, void *closure);
PyObject *kpy_generator_advance(kpy_generator *self, PyObject *delta);
PyObject *kpy_generator_jumped(kpy_generator *self, PyObject *args, PyObject *kwds);
PyObject *kpy_generator_spawn(kpy_generator *self, PyObject *n);
PyObject *kpy_generator_reduce(kpy_generator *self, PyObject *unused);
PyObject *kpy_generator_setstate(kpy_generator *self, PyObject *state);

/* numpy's name of a bit generator kind ("PCG64", "PCG64DXSM", "Philox"). */
const char *kpy_bitgen_name(kp_bitgen kind);

#endif /* KP_PYTHON_KPMODULE_H */
