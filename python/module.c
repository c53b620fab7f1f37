/*
 * The kernpool module: its exceptions, the workers functions, the
 * set_workers context manager, and the init that gathers the method tables
 * and types of the other files.
 */
#define KP_PYTHON_IMPORT_ARRAY
#include "kpmodule.h"

PyObject *kpy_Error;
PyObject *kpy_ArgumentError;
PyObject *kpy_OutOfMemoryError;

PyObject *kpy_raise(int status, const char *what)
{
    const char *reason = kp_strerror(status);
    PyObject *type = status == KP_ENOMEM ? kpy_OutOfMemoryError : kpy_ArgumentError;
    PyObject *msg = PyUnicode_FromFormat("%s: %s", what, reason);
    if (msg == NULL) return NULL;
    /* args[0] is the message, so str(e) and e.args read as usual; status and
     * reason let a caller branch without parsing it. */
    PyObject *exc = PyObject_CallOneArg(type, msg);
    Py_DECREF(msg);
    if (exc == NULL) return NULL;
    PyObject *code = PyLong_FromLong(status);
    PyObject *text = PyUnicode_FromString(reason);
    if (code == NULL || text == NULL || PyObject_SetAttrString(exc, "status", code) < 0 ||
        PyObject_SetAttrString(exc, "reason", text) < 0) {
        Py_XDECREF(code);
        Py_XDECREF(text);
        Py_DECREF(exc);
        return NULL;
    }
    Py_DECREF(code);
    Py_DECREF(text);
    PyErr_SetObject(type, exc);
    Py_DECREF(exc);
    return NULL;
}

/* ------------------------------------------------------ workers functions */

static PyObject *py_get_workers(PyObject *mod, PyObject *unused)
{
    return PyLong_FromLong(kp_get_workers());
}

static PyObject *py_cpu_budget(PyObject *mod, PyObject *unused)
{
    return PyLong_FromLong(kp_cpu_budget());
}

static PyObject *py_workers_resolve(PyObject *mod, PyObject *arg)
{
    int workers;
    if (!kpy_workers_converter(arg, &workers)) return NULL;
    return PyLong_FromLong(kp_workers_resolve(workers));
}

static PyObject *py_strerror(PyObject *mod, PyObject *arg)
{
    int overflow;
    long status = PyLong_AsLongAndOverflow(arg, &overflow);
    if (status == -1 && PyErr_Occurred()) return NULL;
    if (overflow || status < INT_MIN || status > INT_MAX) status = INT_MIN;
    return PyUnicode_FromString(kp_strerror((int)status));
}

static const char *source_name(kp_source s)
{
    switch (s) {
    case KP_SOURCE_BUILTIN: return "builtin";
    case KP_SOURCE_ENV: return "env";
    case KP_SOURCE_DETECTED: return "detected";
    case KP_SOURCE_THREAD: return "thread";
    }
    return "unknown";
}

static PyObject *py_pool_info(PyObject *mod, PyObject *unused)
{
    kp_pool_info in;
    int rc = kp_pool_info_get(&in);
    if (rc != KP_OK) return kpy_raise(rc, "pool_info");
    return Py_BuildValue(
        "{s:i,s:s,s:i,s:O,s:i,s:i,s:i,s:i,s:s,s:i,s:s,s:O,s:i,s:i,s:I,s:O,s:s,s:s}", "cpu_budget",
        in.cpu_budget, "budget_source", source_name(in.budget_source), "budget_env", in.budget_env,
        "budget_env_malformed", in.budget_env_malformed ? Py_True : Py_False, "affinity_cpus",
        in.affinity_cpus, "affinity_cores", in.affinity_cores, "quota_cpus", in.quota_cpus,
        "cgroup_version", in.cgroup_version, "quota_file", in.quota_file, "default_workers",
        in.default_workers, "default_source", source_name(in.default_source),
        "workers_env_malformed", in.workers_env_malformed ? Py_True : Py_False, "threads_alive",
        in.threads_alive, "threads_max", in.threads_max, "spin_us", in.spin_us,
        "spin_env_malformed", in.spin_env_malformed ? Py_True : Py_False, "isa_supported",
        in.isa_supported, "isa_selected", in.isa_selected);
}

/* ------------------------------------------------------------ set_workers */

/* with kernpool.set_workers(n): ...  sets the calling thread's default on
 * entry and puts the previous one back on exit, as scipy.fft.set_workers.
 * kp_set_workers is per thread, and so is this. */
typedef struct {
    PyObject_HEAD int workers;
    int old;
    int active;
} set_workers_obj;

static int set_workers_init(set_workers_obj *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"workers", NULL};
    if (self->active) { /* __init__ called again inside the with block */
        PyErr_SetString(PyExc_RuntimeError, "set_workers: this context is entered");
        return -1;
    }
    self->workers = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O&:set_workers", kwlist, kpy_workers_converter,
                                     &self->workers))
        return -1;
    return 0;
}

static PyObject *set_workers_enter(set_workers_obj *self, PyObject *unused)
{
    if (self->active) {
        PyErr_SetString(PyExc_RuntimeError, "set_workers: this context is already entered");
        return NULL;
    }
    self->old = kp_set_workers(self->workers);
    self->active = 1;
    Py_INCREF(self);
    return (PyObject *)self;
}

static PyObject *set_workers_exit(set_workers_obj *self, PyObject *args)
{
    if (self->active) {
        kp_set_workers(self->old);
        self->active = 0;
    }
    Py_RETURN_FALSE;
}

static PyMethodDef set_workers_methods[] = {
    {"__enter__", (PyCFunction)set_workers_enter, METH_NOARGS, NULL},
    {"__exit__", (PyCFunction)set_workers_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}};

static PyTypeObject set_workers_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "kernpool.set_workers",
    .tp_basicsize = sizeof(set_workers_obj),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "set_workers(workers)\n--\n\n"
              "Context manager: the calling thread's default workers inside the block\n"
              "(kp_set_workers), restored on exit. workers follows the workers rules:\n"
              "n > 0 up to n threads, n < 0 budget + 1 + n, None or 0 the process default.",
    .tp_methods = set_workers_methods,
    .tp_init = (initproc)set_workers_init,
    .tp_new = PyType_GenericNew,
};

/* ----------------------------------------------------------------- module */

static PyMethodDef module_methods[] = {
    {"get_workers", py_get_workers, METH_NOARGS,
     "get_workers()\n--\n\nThe calling thread's default workers (kp_get_workers): its own from\n"
     "set_workers, else KERNPOOL_WORKERS, else 1. Never 0."},
    {"cpu_budget", py_cpu_budget, METH_NOARGS,
     "cpu_budget()\n--\n\nThe CPUs this process may really use (affinity mask, physical cores,\n"
     "cgroup quota; KERNPOOL_CPU_BUDGET overrides), kp_cpu_budget()."},
    {"workers_resolve", py_workers_resolve, METH_O,
     "workers_resolve(workers)\n--\n\nThe number of threads a call given workers uses, the "
     "caller included."},
    {"pool_info", py_pool_info, METH_NOARGS,
     "pool_info()\n--\n\nA dict: the CPU budget and its inputs, the default workers and where\n"
     "it came from, pool threads alive and the most there may be, the SIMD path."},
    {"strerror", py_strerror, METH_O,
     "strerror(status)\n--\n\nkp_strerror: the text of a kernpool status code."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "kernpool",
    .m_doc = "Threaded numerical kernels on one process-wide pool, with one workers knob.\n\n"
             "Every function releases the GIL while kernpool works and takes workers=\n"
             "with SciPy's meaning (None: the calling thread's default, see set_workers).",
    .m_size = -1,
    .m_methods = module_methods,
};

/* Adds every function of a NULL-terminated table to the module. */
static int add_methods(PyObject *mod, PyMethodDef *table)
{
    for (PyMethodDef *m = table; m->ml_name != NULL; m++) {
        PyObject *fn = PyCFunction_NewEx(m, mod, NULL);
        if (fn == NULL || PyModule_AddObject(mod, m->ml_name, fn) < 0) {
            Py_XDECREF(fn);
            return -1;
        }
    }
    return 0;
}

/* Creates one exception class and adds it to the module under its short
 * name; *slot keeps a reference for kpy_raise. */
static int add_exception(PyObject *mod, PyObject **slot, const char *name, PyObject *bases,
                         const char *doc)
{
    PyObject *exc = PyErr_NewExceptionWithDoc(name, doc, bases, NULL);
    if (exc == NULL) return -1;
    *slot = exc;
    Py_INCREF(exc);
    if (PyModule_AddObject(mod, strrchr(name, '.') + 1, exc) < 0) {
        Py_DECREF(exc);
        return -1;
    }
    return 0;
}

static int add_exceptions(PyObject *mod)
{
    if (add_exception(mod, &kpy_Error, "kernpool.Error", PyExc_Exception,
                      "A kernpool call failed; status is kernpool's code, reason its text.") < 0)
        return -1;
    PyObject *bases = PyTuple_Pack(2, kpy_Error, PyExc_ValueError);
    if (bases == NULL) return -1;
    int rc = add_exception(mod, &kpy_ArgumentError, "kernpool.ArgumentError", bases,
                           "kernpool rejected an argument (also a ValueError).");
    Py_DECREF(bases);
    if (rc < 0) return -1;
    bases = PyTuple_Pack(2, kpy_Error, PyExc_MemoryError);
    if (bases == NULL) return -1;
    rc = add_exception(mod, &kpy_OutOfMemoryError, "kernpool.OutOfMemoryError", bases,
                       "kernpool could not allocate memory (also a MemoryError).");
    Py_DECREF(bases);
    return rc;
}

static int add_type(PyObject *mod, PyTypeObject *type, const char *name)
{
    if (PyType_Ready(type) < 0) return -1;
    Py_INCREF(type);
    if (PyModule_AddObject(mod, name, (PyObject *)type) < 0) {
        Py_DECREF(type);
        return -1;
    }
    return 0;
}

PyMODINIT_FUNC PyInit_kernpool(void);
PyMODINIT_FUNC PyInit_kernpool(void)
{
    import_array();

    PyObject *mod = PyModule_Create(&module_def);
    if (mod == NULL) return NULL;
    if (add_exceptions(mod) < 0 || add_methods(mod, kpy_reduce_methods) < 0 ||
        add_methods(mod, kpy_linalg_methods) < 0 || add_methods(mod, kpy_fft_methods) < 0 ||
        add_type(mod, &set_workers_type, "set_workers") < 0 ||
        add_type(mod, &kpy_SeedSequenceType, "SeedSequence") < 0 ||
        add_type(mod, &kpy_GeneratorType, "Generator") < 0 ||
        PyModule_AddStringConstant(mod, "__version__", kp_version()) < 0 ||
        PyModule_AddIntConstant(mod, "RNG_BLOCK", KP_RNG_BLOCK) < 0) {
        Py_DECREF(mod);
        return NULL;
    }
    return mod;
}
