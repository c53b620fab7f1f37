/*
 * The public face of the foreign pools: the list, thread counts, and scoped
 * limits. A kp_foreign_pool names its library by path and kind, and every
 * call finds it again: a library unloaded since it was listed gives
 * KP_ENOENT instead of a call into unmapped code.
 */
#include <string.h>

#include "sched/foreign.h"

typedef struct list_ctx {
    kp_foreign_pool *pools;
    size_t cap, found;
} list_ctx;

static int list_one(void *ctx, const char *path, const kp__foreign_lib *lib)
{
    list_ctx *c = ctx;
    if (c->found < c->cap) kp__foreign_describe(path, lib, &c->pools[c->found]);
    c->found++;
    return 0;
}

int kp_foreign_list(kp_foreign_pool *pools, size_t cap, size_t *count)
{
    if (count == NULL || (pools == NULL && cap > 0)) return KP_ENULL;
    /* From here on a fork is seen, for KP_FOREIGN_WARN_GOMP_FORK. */
    (void)kp__process_init();
    list_ctx c = {pools, cap, 0};
    int rc = kp__foreign_each(list_one, &c);
    if (rc != KP_OK) return rc; /* only an allocation before any pool was asked */
    *count = c.found;
    return KP_OK;
}

static int valid_kind(kp_foreign_kind kind)
{
    return kind >= 0 && kind < KP_FOREIGN_KINDS;
}

int kp_foreign_threads_get(const kp_foreign_pool *pool, int *threads)
{
    if (pool == NULL || threads == NULL) return KP_ENULL;
    if (!valid_kind(pool->kind)) return KP_EINVAL;
    kp__foreign_lib lib;
    int rc = kp__foreign_open(pool->path, pool->kind, &lib);
    if (rc != KP_OK) return rc;
    *threads = kp__foreign_get(&lib);
    kp__foreign_close(&lib);
    return KP_OK;
}

int kp_foreign_threads_set(const kp_foreign_pool *pool, int threads)
{
    if (pool == NULL) return KP_ENULL;
    if (!valid_kind(pool->kind) || threads < 1) return KP_EINVAL;
    kp__foreign_lib lib;
    int rc = kp__foreign_open(pool->path, pool->kind, &lib);
    if (rc != KP_OK) return rc;
    kp__foreign_set(&lib, threads);
    kp__foreign_close(&lib);
    return KP_OK;
}

/* ----------------------------------------------------------------- limits */

typedef struct limit_ctx {
    kp_foreign_limit *scope;
    unsigned kinds;
    int threads;
} limit_ctx;

/* Records each pool to lower; stops with KP_EOVERFLOW when they do not fit,
 * or a path does not: cut to fit, it could not find its library again to
 * restore it. */
static int limit_record(void *ctx, const char *path, const kp__foreign_lib *lib)
{
    limit_ctx *c = ctx;
    if (!(c->kinds & (1u << lib->kind))) return 0;
    int now = kp__foreign_get(lib);
    if (now <= c->threads) return 0;
    kp_foreign_limit *s = c->scope;
    if (s->n == KP_FOREIGN_LIMIT_MAX) return KP_EOVERFLOW;
    size_t len = strlen(path);
    if (len >= sizeof s->saved[0].path) return KP_EOVERFLOW;
    s->saved[s->n].kind = lib->kind;
    s->saved[s->n].threads = now;
    memcpy(s->saved[s->n].path, path, len + 1);
    s->n++;
    return 0;
}

int kp_foreign_limit_begin(kp_foreign_limit *scope, unsigned kinds, int threads)
{
    if (scope == NULL) return KP_ENULL;
    if (threads < 1 || kinds == 0 || (kinds & ~KP_FOREIGN_ALL) != 0) return KP_EINVAL;
    (void)kp__process_init();

    /* Record first, change after: a failure changes nothing. */
    kp_foreign_limit rec;
    rec.n = 0;
    limit_ctx c = {&rec, kinds, threads};
    int rc = kp__foreign_each(limit_record, &c);
    if (rc != KP_OK) return rc;

    unsigned kept = 0;
    for (unsigned i = 0; i < rec.n; i++) {
        kp__foreign_lib lib;
        if (kp__foreign_open(rec.saved[i].path, rec.saved[i].kind, &lib) != KP_OK)
            continue; /* unloaded in between: nothing to lower or restore */
        kp__foreign_set(&lib, threads);
        kp__foreign_close(&lib);
        if (kept != i) rec.saved[kept] = rec.saved[i];
        kept++;
    }
    scope->n = kept;
    memcpy(scope->saved, rec.saved, kept * sizeof rec.saved[0]);
    return KP_OK;
}

int kp_foreign_limit_end(kp_foreign_limit *scope)
{
    if (scope == NULL) return KP_ENULL;
    int rc = KP_OK;
    unsigned n = scope->n <= KP_FOREIGN_LIMIT_MAX ? scope->n : KP_FOREIGN_LIMIT_MAX;
    for (unsigned i = n; i-- > 0;) {
        kp__foreign_lib lib;
        scope->saved[i].path[sizeof scope->saved[i].path - 1] = '\0';
        int e = kp__foreign_open(scope->saved[i].path, scope->saved[i].kind, &lib);
        if (e != KP_OK) {
            rc = e;
            continue;
        }
        kp__foreign_set(&lib, scope->saved[i].threads);
        kp__foreign_close(&lib);
    }
    scope->n = 0;
    return rc;
}
