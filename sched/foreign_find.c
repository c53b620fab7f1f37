/*
 * Which loaded objects are thread pools, and what they say about themselves.
 *
 * A library is known by the functions it defines, not by its file name:
 * numpy and scipy wheels ship OpenBLAS as libscipy_openblas64_-*.so, and
 * Debian reaches OpenBLAS through libblas.so.3. dlsym(handle, name) searches
 * the object and then everything it depends on, so a hit counts only if its
 * address lies inside the object's own mapped segments: a program linked
 * against OpenBLAS is not itself an OpenBLAS.
 *
 * The objects are collected first and asked afterwards, so that no dlopen()
 * runs inside dl_iterate_phdr()'s callback, which holds the loader's lock.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched/foreign.h"

typedef struct object {
    char *path;
    uintptr_t lo, hi;
} object;

typedef struct objects {
    object *v;
    size_t n, cap;
    int failed; /* an allocation failed */
} objects;

static int collect(struct dl_phdr_info *info, size_t size, void *ctx)
{
    objects *all = ctx;
    /* The executable ("") and the vDSO are not searched. */
    const char *name = info->dlpi_name;
    if (name == NULL || name[0] == '\0' || strncmp(name, "linux-vdso", 10) == 0) return 0;
    uintptr_t lo = UINTPTR_MAX, hi = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD) continue;
        uintptr_t a = info->dlpi_addr + ph->p_vaddr;
        if (a < lo) lo = a;
        if (a + ph->p_memsz > hi) hi = a + ph->p_memsz;
    }
    if (lo >= hi) return 0;
    if (all->n == all->cap) {
        size_t cap = all->cap ? 2 * all->cap : 64;
        object *v = realloc(all->v, cap * sizeof *v);
        if (v == NULL) goto fail;
        all->v = v;
        all->cap = cap;
    }
    char *path = strdup(name);
    if (path == NULL) goto fail;
    all->v[all->n++] = (object){path, lo, hi};
    return 0;
fail:
    all->failed = 1;
    return 1;
}

static void objects_free(objects *all)
{
    for (size_t i = 0; i < all->n; i++)
        free(all->v[i].path);
    free(all->v);
}

/* dlsym's object pointer as a function pointer (POSIX allows the conversion;
 * ISO C has no cast for it). */
static kp__foreign_fn as_fn(void *p)
{
    kp__foreign_fn f;
    memcpy(&f, &p, sizeof f);
    return f;
}

/* The function `name` if the object itself defines it, else NULL. */
static kp__foreign_fn own(const kp__foreign_lib *lib, const char *name)
{
    void *p = dlsym(lib->handle, name);
    uintptr_t a = (uintptr_t)p;
    return p != NULL && a >= lib->lo && a < lib->hi ? as_fn(p) : NULL;
}

/* OpenBLAS's functions under the library's affixes. */
static kp__foreign_fn own_openblas(const kp__foreign_lib *lib, const char *base)
{
    char name[96];
    snprintf(name, sizeof name, "%s%s%s", lib->prefix, base, lib->suffix);
    return own(lib, name);
}

/* Affixes of OpenBLAS builds with renamed symbols (scipy-openblas, and
 * 64-bit-integer builds with either of the two suffixes in use). */
static const char *const prefixes[] = {"", "scipy_"};
static const char *const suffixes[] = {"", "64_", "_64"};

static int find_openblas(kp__foreign_lib *lib)
{
    for (size_t p = 0; p < sizeof prefixes / sizeof *prefixes; p++) {
        for (size_t s = 0; s < sizeof suffixes / sizeof *suffixes; s++) {
            lib->prefix = prefixes[p];
            lib->suffix = suffixes[s];
            if (own_openblas(lib, "openblas_get_config") == NULL) continue;
            lib->get = own_openblas(lib, "openblas_get_num_threads");
            lib->set = own_openblas(lib, "openblas_set_num_threads");
            if (lib->get != NULL && lib->set != NULL) return 1;
        }
    }
    lib->prefix = lib->suffix = "";
    return 0;
}

/* Sets lib->kind, get and set if the object is a pool; returns 1 if so.
 * FlexiBLAS first: it may define OpenBLAS's names to forward them. */
static int classify(kp__foreign_lib *lib)
{
    lib->prefix = lib->suffix = "";
    static const struct {
        kp_foreign_kind kind;
        const char *get, *set;
    } blas[] = {
        {KP_FOREIGN_FLEXIBLAS, "flexiblas_get_num_threads", "flexiblas_set_num_threads"},
        {KP_FOREIGN_MKL, "MKL_Get_Max_Threads", "MKL_Set_Num_Threads"},
        {KP_FOREIGN_BLIS, "bli_thread_get_num_threads", "bli_thread_set_num_threads"},
    };
    for (size_t i = 0; i < sizeof blas / sizeof *blas; i++) {
        if (i == 1 && find_openblas(lib)) {
            lib->kind = KP_FOREIGN_OPENBLAS;
            return 1;
        }
        lib->get = own(lib, blas[i].get);
        lib->set = own(lib, blas[i].set);
        if (lib->get != NULL && lib->set != NULL) {
            lib->kind = blas[i].kind;
            return 1;
        }
    }
    lib->get = own(lib, "omp_get_max_threads");
    lib->set = own(lib, "omp_set_num_threads");
    if (lib->get == NULL || lib->set == NULL) return 0;
    lib->kind = KP_FOREIGN_GOMP;
    return 1;
}

/* LLVM's and Intel's runtimes share their code and symbols (the __kmpc_
 * entry points, which libgomp lacks); only the file tells them apart, with
 * links resolved (Debian's libiomp5.so is a link to LLVM's libomp.so). */
static void name_openmp(const char *path, kp__foreign_lib *lib)
{
    if (own(lib, "__kmpc_fork_call") == NULL) return; /* libgomp */
    lib->kind = KP_FOREIGN_OMP;
    char real[PATH_MAX];
    if (realpath(path, real) == NULL) return;
    const char *base = strrchr(real, '/');
    base = base != NULL ? base + 1 : real;
    if (strncmp(base, "libiomp", 7) == 0) lib->kind = KP_FOREIGN_IOMP;
}

/* Takes a reference to the object and classifies it; 1 if it is a pool. */
static int open_object(const object *o, kp__foreign_lib *lib)
{
    memset(lib, 0, sizeof *lib);
    lib->lo = o->lo;
    lib->hi = o->hi;
    lib->handle = dlopen(o->path, RTLD_LAZY | RTLD_NOLOAD);
    if (lib->handle == NULL) return 0;
    if (classify(lib)) {
        if (lib->kind == KP_FOREIGN_GOMP) name_openmp(o->path, lib);
        return 1;
    }
    dlclose(lib->handle);
    lib->handle = NULL;
    return 0;
}

void kp__foreign_close(kp__foreign_lib *lib)
{
    if (lib->handle != NULL) dlclose(lib->handle);
    lib->handle = NULL;
}

int kp__foreign_each(int (*fn)(void *ctx, const char *path, const kp__foreign_lib *lib), void *ctx)
{
    objects all = {0};
    dl_iterate_phdr(collect, &all);
    int rc = all.failed ? KP_ENOMEM : KP_OK;
    for (size_t i = 0; rc == KP_OK && i < all.n; i++) {
        kp__foreign_lib lib;
        if (!open_object(&all.v[i], &lib)) continue;
        rc = fn(ctx, all.v[i].path, &lib);
        kp__foreign_close(&lib);
    }
    objects_free(&all);
    return rc;
}

int kp__foreign_open(const char *path, kp_foreign_kind kind, kp__foreign_lib *lib)
{
    objects all = {0};
    dl_iterate_phdr(collect, &all);
    int rc = all.failed ? KP_ENOMEM : KP_ENOENT;
    for (size_t i = 0; rc == KP_ENOENT && i < all.n; i++) {
        if (strcmp(all.v[i].path, path) != 0 || !open_object(&all.v[i], lib)) continue;
        if (lib->kind == kind)
            rc = KP_OK;
        else
            kp__foreign_close(lib);
    }
    objects_free(&all);
    return rc;
}

/* ------------------------------------------------ counts, in each's types */

/* BLIS counts in dim_t, a 64-bit integer in its default configuration. */
typedef int (*int_getter)(void);
typedef void (*int_setter)(int);
typedef long long (*dim_getter)(void);
typedef void (*dim_setter)(long long);

int kp__foreign_get(const kp__foreign_lib *lib)
{
    long long n;
    if (lib->kind == KP_FOREIGN_BLIS)
        n = ((dim_getter)lib->get)(); /* -1: not set, and BLIS then runs serially */
    else
        n = ((int_getter)lib->get)();
    return n < 1 ? 1 : n > INT_MAX ? INT_MAX : (int)n;
}

void kp__foreign_set(const kp__foreign_lib *lib, int threads)
{
    if (lib->kind == KP_FOREIGN_BLIS)
        ((dim_setter)lib->set)(threads);
    else
        ((int_setter)lib->set)(threads);
}

/* ----------------------------------------------------------- description */

static void copy(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src != NULL ? src : "");
}

/* The first word of s after `after` (or of s if after is NULL), or "". */
static void word_after(char *dst, size_t size, const char *s, const char *after)
{
    dst[0] = '\0';
    if (s == NULL) return;
    if (after != NULL) {
        const char *p = strstr(s, after);
        if (p == NULL) return;
        s = p + strlen(after);
    }
    size_t n = strcspn(s, " \t\n");
    if (n >= size) n = size - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

static void describe_openblas(const kp__foreign_lib *lib, kp_foreign_pool *out)
{
    kp__foreign_fn config = own_openblas(lib, "openblas_get_config");
    kp__foreign_fn parallel = own_openblas(lib, "openblas_get_parallel");
    kp__foreign_fn core = own_openblas(lib, "openblas_get_corename");
    /* "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64";
     * builds before 0.3.4 name no version there. */
    const char *conf = config != NULL ? ((const char *(*)(void))config)() : NULL;
    if (conf != NULL && strncmp(conf, "OpenBLAS ", 9) == 0)
        word_after(out->version, sizeof out->version, conf, "OpenBLAS ");
    if (parallel != NULL) {
        int p = ((int_getter)parallel)();
        copy(out->threading, sizeof out->threading,
             p == 0   ? "serial"
             : p == 1 ? "pthreads"
             : p == 2 ? "openmp"
                      : "");
    }
    if (core != NULL) copy(out->core, sizeof out->core, ((const char *(*)(void))core)());
}

static void describe_blis(const kp__foreign_lib *lib, kp_foreign_pool *out)
{
    kp__foreign_fn version = own(lib, "bli_info_get_version_str");
    kp__foreign_fn omp = own(lib, "bli_info_get_enable_openmp");
    kp__foreign_fn pthreads = own(lib, "bli_info_get_enable_pthreads");
    kp__foreign_fn arch_id = own(lib, "bli_arch_query_id");
    kp__foreign_fn arch_name = own(lib, "bli_arch_string");
    if (version != NULL)
        copy(out->version, sizeof out->version, ((const char *(*)(void))version)());
    if (omp != NULL && pthreads != NULL)
        copy(out->threading, sizeof out->threading,
             ((dim_getter)omp)()        ? "openmp"
             : ((dim_getter)pthreads)() ? "pthreads"
                                        : "serial");
    if (arch_id != NULL && arch_name != NULL)
        copy(out->core, sizeof out->core,
             ((const char *(*)(int))arch_name)(((int_getter)arch_id)()));
}

static void describe_mkl(const kp__foreign_lib *lib, kp_foreign_pool *out)
{
    /* "Intel(R) oneAPI Math Kernel Library Version 2023.1-Product Build ...".
     * The threading layer is not asked: MKL's only query for it,
     * MKL_Set_Threading_Layer, may fix the layer as a side effect. */
    kp__foreign_fn version = own(lib, "MKL_Get_Version_String");
    if (version == NULL) return;
    char text[256] = "";
    ((void (*)(char *, int))version)(text, (int)sizeof text - 1);
    text[sizeof text - 1] = '\0';
    word_after(out->version, sizeof out->version, text, "Version ");
}

static void describe_flexiblas(const kp__foreign_lib *lib, kp_foreign_pool *out)
{
    kp__foreign_fn version = own(lib, "flexiblas_get_version");
    kp__foreign_fn backend = own(lib, "flexiblas_current_backend");
    if (version != NULL) {
        int major = 0, minor = 0, patch = 0;
        ((int (*)(int *, int *, int *))version)(&major, &minor, &patch);
        snprintf(out->version, sizeof out->version, "%d.%d.%d", major, minor, patch);
    }
    if (backend != NULL) {
        char name[sizeof out->core] = "";
        ((int (*)(char *, size_t))backend)(name, sizeof name);
        name[sizeof name - 1] = '\0';
        copy(out->core, sizeof out->core, name);
    }
}

static const char *const kind_names[KP_FOREIGN_KINDS] = {
    [KP_FOREIGN_OPENBLAS] = "openblas", [KP_FOREIGN_BLIS] = "blis",
    [KP_FOREIGN_MKL] = "mkl",           [KP_FOREIGN_FLEXIBLAS] = "flexiblas",
    [KP_FOREIGN_GOMP] = "libgomp",      [KP_FOREIGN_OMP] = "libomp",
    [KP_FOREIGN_IOMP] = "libiomp5",
};

void kp__foreign_describe(const char *path, const kp__foreign_lib *lib, kp_foreign_pool *out)
{
    memset(out, 0, sizeof *out);
    out->kind = lib->kind;
    copy(out->name, sizeof out->name, kind_names[lib->kind]);
    copy(out->path, sizeof out->path, path);
    switch (lib->kind) {
    case KP_FOREIGN_OPENBLAS: describe_openblas(lib, out); break;
    case KP_FOREIGN_BLIS: describe_blis(lib, out); break;
    case KP_FOREIGN_MKL: describe_mkl(lib, out); break;
    case KP_FOREIGN_FLEXIBLAS: describe_flexiblas(lib, out); break;
    case KP_FOREIGN_GOMP:
    case KP_FOREIGN_OMP:
    case KP_FOREIGN_IOMP: break;
    }
    out->threads = kp__foreign_get(lib);
}
