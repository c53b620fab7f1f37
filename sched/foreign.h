/*
 * Internals of the foreign pools (include/kernpool.h, "foreign pools"),
 * shared by sched/foreign_*.c and unit tests. Nothing here is API.
 *
 *   foreign_find.c  which loaded objects are pools, and what they say
 *   foreign_ctl.c   the list, thread counts, scoped limits
 *   foreign_warn.c  the warnings
 */
#ifndef KP_SCHED_FOREIGN_H
#define KP_SCHED_FOREIGN_H

#include "sched/internal.h"

/* Any function pointer, as dlsym's result is converted to one. */
typedef void (*kp__foreign_fn)(void);

/* One loaded pool, while a reference to it is held. */
typedef struct kp__foreign_lib {
    kp_foreign_kind kind;
    void *handle;       /* from dlopen(RTLD_NOLOAD); kp__foreign_close drops it */
    kp__foreign_fn get; /* the thread count's getter and setter, with the */
    kp__foreign_fn set; /* library's own signature (see foreign_find.c) */
    const char *prefix; /* OpenBLAS: the affixes of its symbol names */
    const char *suffix; /* ("scipy_", "64_"); "" otherwise */
    uintptr_t lo, hi;   /* the object's mapped span */
} kp__foreign_lib;

/* Calls fn(ctx, path, lib) for every foreign pool loaded now, in load order,
 * until fn returns nonzero; lib is valid during the call only. Returns
 * KP_OK, KP_ENOMEM, or what fn returned. */
int kp__foreign_each(int (*fn)(void *ctx, const char *path, const kp__foreign_lib *lib),
                     void *ctx) KP_MUST_USE;

/* Finds the pool of this kind loaded from path. KP_OK (then *lib holds a
 * reference: kp__foreign_close it), KP_ENOENT or KP_ENOMEM. */
int kp__foreign_open(const char *path, kp_foreign_kind kind, kp__foreign_lib *lib) KP_MUST_USE;
void kp__foreign_close(kp__foreign_lib *lib);

/* The pool's thread count (>= 1), and setting it (threads >= 1). */
int kp__foreign_get(const kp__foreign_lib *lib);
void kp__foreign_set(const kp__foreign_lib *lib, int threads);

/* Fills *out from the library's own functions. */
void kp__foreign_describe(const char *path, const kp__foreign_lib *lib, kp_foreign_pool *out);

/* The instruction-set class an OpenBLAS kernel core needs ("Haswell" is
 * KP_ISA_AVX2), or -1 for a name not known here. Case is ignored. */
int kp__foreign_core_isa(const char *core);

#endif
