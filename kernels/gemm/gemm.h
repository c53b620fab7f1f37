/*
 * Internals of GEMM: the column-major problem every call is reduced to, the
 * engines that compute one tile of it, and the grid of tiles.
 *
 * Layers (each file one job):
 *   gemm.c       public entry points: argument checks, row-major to
 *                column-major, the k == 0 / alpha == 0 scaling;
 *   partition.c  the grid of tiles (from m, n, k, the type and the cache
 *                sizes only) and running it on the pool;
 *   engines.c    the engine table and the run-time choice;
 *   engine_*.c   one engine each: OpenBLAS (single-threaded), kernpool's
 *                own packed kernels (native.h) and a portable reference.
 *
 * Every tile is computed by one engine call on one thread and k is never
 * split, so an element of C is computed the same way whichever thread runs
 * its tile: the bits do not depend on workers.
 */
#ifndef KP_GEMM_H
#define KP_GEMM_H

#include <stddef.h>

#include "sched/internal.h"

typedef enum { KP_GEMM_S = 0, KP_GEMM_D, KP_GEMM_C, KP_GEMM_Z, KP_GEMM_TYPES } kp__gemm_type;

/* Bytes of one element of each type. */
static inline size_t kp__gemm_elem(kp__gemm_type t)
{
    static const size_t size[KP_GEMM_TYPES] = {4, 8, 8, 16};
    return size[t];
}

/* C = alpha op(A) op(B) + beta C on column-major storage, m, n, k >= 1,
 * leading dimensions valid for the transposes, no overlap between C and
 * A or B, alpha != 0. ta, tb are KP_NO_TRANS, KP_TRANS or (complex types
 * only) KP_CONJ_TRANS. alpha and beta point to one scalar of the type (a
 * (re, im) pair for complex). beta == 0 must not read C. Returns KP_OK, or
 * KP_ENOMEM without touching C when the calling thread has no work space
 * (only where the engine has a reserve function). */
typedef int (*kp__gemm_tile_fn)(kp_trans ta, kp_trans tb, size_t m, size_t n, size_t k,
                                const void *alpha, const void *a, size_t lda, const void *b,
                                size_t ldb, const void *beta, void *c, size_t ldc);

struct kp__gemm_problem;

typedef struct kp__gemm_engine {
    const char *name;
    /* The largest k, tile side and leading dimension one call may take. */
    size_t max_index;
    /* The least work (multiply-adds, a double one counting 1) worth a tile
     * of its own: a product of twice this runs faster as two tiles on two
     * threads than as one on one thread (measured: partition.c). */
    double tile_work;
    /* Whether a product of 4 to 16 tile works runs as 2 x 2 tiles rather
     * than as two halves (partition.c). */
    int quarters;
    /* NULL, or: gets the calling thread the work space the tiles of p need
     * (none, possibly); KP_OK or KP_ENOMEM. A thread that reserved keeps
     * it: its tiles then never fail. */
    int (*reserve)(const struct kp__gemm_problem *p);
    kp__gemm_tile_fn tile[KP_GEMM_TYPES];
    /* What the engine runs, for reports (OpenBLAS: its kernel core, e.g.
     * "Haswell"), and how many threads of its own it may start (must be 1). */
    const char *(*core)(void);
    int (*threads)(void);
} kp__gemm_engine;

extern const kp__gemm_engine kp__gemm_openblas;
extern const kp__gemm_engine kp__gemm_reference;
extern const kp__gemm_engine kp__gemm_native;

typedef enum {
    KP_GEMM_ENGINE_AUTO = -1, /* the run-time choice (engines.c) */
    KP_GEMM_ENGINE_OPENBLAS = 0,
    KP_GEMM_ENGINE_REFERENCE,
    KP_GEMM_ENGINE_NATIVE,
    KP_GEMM_ENGINES
} kp__gemm_engine_id;

/* Whether the native engine's kernels run here: AVX-512 selected
 * (kp__isa_selected). */
int kp__gemm_native_available(void);
/* Tests: the next `reserves` reservations (products that need work space),
 * and the next `tiles` tiles that need it (every tile but a direct one with
 * A in place) run by threads that made no reservation (helpers), of the
 * native engine fail as if no work space could be had. Returns how many
 * tile failures of the previous setting were left unused. */
int kp__gemm_native_fail(int reserves, int tiles);

/* Tests: the native engine's direct kernels for every tile they can take
 * (1: k within one block, a complex op(B) not transposed), for none (0), or
 * as its rule decides (-1, the default). Returns the previous setting. Not
 * thread-safe against running calls. */
int kp__gemm_native_direct_force(int mode);
/* Tests: how many tiles ran on the direct kernels while they were forced
 * (kp__gemm_native_direct_force 0 or 1), by any thread, since the last
 * look (the count restarts). */
unsigned long kp__gemm_native_direct_tiles(void);

/* Tests: the OpenBLAS engine lets at most `limit` calls run at once (0
 * restores the built-in limit; returns the previous forced one, 0 if none),
 * and the most that ran at once since the last look (the count restarts). */
int kp__gemm_openblas_calls_force(int limit);
int kp__gemm_openblas_calls_peak(void);

/* The engine calls use: the native one where it runs, else OpenBLAS,
 * unless forced. */
const kp__gemm_engine *kp__gemm_engine_get(void);
/* Tests and benchmarks: make kp__gemm_engine_get() return engine `id`
 * (KP_GEMM_ENGINE_AUTO: the run-time choice again); returns the previous
 * setting. Not thread-safe against running calls. */
kp__gemm_engine_id kp__gemm_engine_force(kp__gemm_engine_id id);

/* C = beta C, column-major m x n, in the type's arithmetic: beta == 1
 * leaves C alone, beta == 0 writes zeros without reading it. */
void kp__gemm_scale(kp__gemm_type type, size_t m, size_t n, const void *beta, char *c, size_t ldc);

/* One product, canonical (column-major). Pointers are to bytes. */
typedef struct kp__gemm_problem {
    kp__gemm_type type;
    kp_trans ta, tb;
    size_t m, n, k;
    const void *alpha, *beta;
    const char *a, *b;
    char *c;
    size_t lda, ldb, ldc;
} kp__gemm_problem;

/* The grid: tiles of mb x nb elements of C (the last row and column of
 * tiles may be smaller), gm x gn of them. */
typedef struct kp__gemm_grid {
    size_t mb, nb, gm, gn;
} kp__gemm_grid;

/* The grid for problem p: a function of m, n, k, the type, the cache sizes
 * and the engine's max_index, tile_work and quarters only (and of the
 * tests' hooks below, which change it and so the bits). */
kp__gemm_grid kp__gemm_plan(const kp__gemm_problem *p, const kp__gemm_engine *engine);

/* Computes p (m, n, k >= 1, alpha != 0) tile by tile with `engine` on up to
 * kp_workers_resolve(workers) threads. Returns KP_OK, or KP_ENOMEM with C
 * untouched when the caller can have no work space or the grid's
 * bookkeeping no memory. */
KP_MUST_USE int kp__gemm_run(const kp__gemm_problem *p, const kp__gemm_engine *engine, int workers);

/* Tests and benchmarks: the least work (multiply-adds, in units of a double
 * one) that is worth a tile of its own, for every engine; 0 restores each
 * engine's tile_work. Returns the previous forced value (0 if none). Not
 * thread-safe against running calls. */
double kp__gemm_tile_work_force(double work);
/* Tests: the cache edge the grid uses (partition.c), for every type; 0
 * restores the one from the cache sizes. Returns the previous forced edge
 * (0 if none). Not thread-safe against running calls. */
double kp__gemm_edge_force(double edge);

#endif
