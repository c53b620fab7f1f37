/*
 * The grid of tiles over C and running it on the pool.
 *
 * The grid depends on m, n, k, the type, the cache sizes and the engine
 * (its index limit, tile work and choice of quarters), never on workers: a
 * tile is one engine call whatever thread makes it, so the bits are the
 * same for every workers value. It has to be so: OpenBLAS's result for an
 * element can depend on where the element lies in the call (its edge and
 * small-matrix kernels round differently). With its SkylakeX kernels, dgemm
 * n = 300 as one call and as 2 x 2 tiles differ in 1082 of 90000 elements
 * (Haswell kernels: none; the native engine's sums do not depend on the
 * place at all, native.h). Threads claim tiles through kp_parallel_for; a
 * tile's index runs down a column of tiles first, so tiles running at the
 * same time share their panel of B.
 *
 * How the grid is chosen:
 *   1. work = m n k multiply-adds, weighted by type (a double one counts 1,
 *      a float one 1/2, complex float 2, complex double 4);
 *   2. tiles wanted t = work / W, at most TILES_MAX, with W the engine's
 *      tile_work. Below t = 2 the product is one tile and runs on the
 *      caller;
 *   3. tiles as square as possible, t of them, but with sides no shorter
 *      than the cache edge E: a tall or wide C is cut along its long side
 *      only. A product too small for two tiles of side E (but with t >= 2)
 *      is cut in halves instead, never below EDGE_FLOOR: its longer side in
 *      two (the columns of a square C), or both sides (2 x 2) when
 *      4 <= t < 16 for an engine that asks for quarters. Measured on Zen 5
 *      at one thread: two halves repack less and run 2-8% faster than 2 x 2
 *      from n = 256 to 1024; below n = 160 the four quarters are faster
 *      with OpenBLAS (with its SkylakeX kernels, 64 x 64 x 128 tiles take
 *      its small-matrix path: 1.8x at two threads). The native engine's
 *      halves are as fast as its quarters or faster at one thread and two
 *      from n = 64 to 160 (1.1x at n = 128, two threads; sgemm 1.3x at
 *      n = 96, where quarters of 48 rows waste a third of a 32-row piece):
 *      it asks for none. Which half: on Zen 4 at one thread, two calls over
 *      halves of the columns cost 1-3% more than one call from n = 256 to
 *      1024, halves of the rows 3-7% (each call packs all of the operand it
 *      does not cut, and OpenBLAS packs A, the rows, dearer); the kp_dgemm
 *      benchmark ran 4-9% faster at n = 256 to 1024, workers 1 and 2, with
 *      columns. A tall C (4096 x 128 x 128) still runs faster cut in rows;
 *   4. the rows (and columns) of C shared evenly between the tiles, rounded
 *      up to UNIT so the engine's micro-tiles rarely straddle a boundary.
 *
 * The cache edge. The engine packs the panels of A and B each tile reads,
 * so a grid repacks A once per column of tiles and B once per row: about
 * 1/E more memory work per multiply-add for tiles of side E. OpenBLAS sizes
 * its blocks from the level-2 cache and so does E: L2 bytes / 1024, a power
 * of two in [EDGE_MIN, EDGE_MAX], halved for complex types (four real
 * multiply-adds per element already amortise the packing): 1024 with 1 MiB.
 * Measured on Zen 5 (1 MiB L2), dgemm n = 2048 at 2 threads: tiles of 1024
 * reach OpenBLAS's own threading (167 GFLOP/s, SkylakeX kernels), tiles of
 * 512 lose 8% and tiles of 256 lose 13%.
 * The price: a product has at most (m / E) (n / E) tiles, so it occupies
 * many threads only when it is large (n = 4096: 16 tiles). A grid that
 * followed the thread count would do better there but would change the
 * bits with it.
 *
 * The tile work W, the crossover, is the engine's (sweep/ in bench/gemm.c
 * measures it). OpenBLAS: on a Zen 5 host, two tiles on two threads beat
 * one tile on one thread from n = 80 (n^3 = 500 Ki multiply-adds) on with
 * both its Haswell and SkylakeX kernels, and lost by up to 5% at n = 64;
 * on a Zen 4 host (Cooperlake kernels) they won 1.84x already at n = 64.
 * The grid must not be slower anywhere, so t = 2 is reached at 512 Ki
 * (n = 81), past the slower host's crossover: W = 256 Ki. The native
 * engine's small products take its direct kernels, with no packing and
 * little work per call besides the products (engine_native.c), so the
 * crossover is the pool's fork and join, which costs what the threads'
 * placement makes it: on a Zen 5 host with two virtual CPUs close
 * together, two tiles won 1.2-1.3x at n = 64 (dgemm; sgemm 1.2x), 1.35x at
 * 64 x 64 x 24 and 1.05-1.2x at 64 x 64 x 16 (64 Ki multiply-adds); with
 * them far apart (an empty fork and join 0.9 us), dgemm n = 64 still won
 * 1.24-1.43x but sgemm n = 64 (2.6 us on one thread) ranged 0.95-1.12x.
 * So t = 2 from about 4 us of one thread's work, 192 Ki: W = 96 Ki.
 *
 * Concurrent products share the budget. The pool never holds more than
 * budget - 1 threads, but the callers are threads too: two application
 * threads each asking for the whole budget of 2 would run three threads on
 * two CPUs, and a caller then waits for a helper the scheduler has parked.
 * So a product takes at most budget / (products in flight) threads, at
 * least one. This changes only how many threads claim tiles, never the
 * tiles, so the bits stay the same.
 *
 * Work space. An engine with a reserve function (the native one) needs
 * memory per thread; the caller reserves its own before any tile runs, so
 * a product that cannot have it fails with nothing written. A helper that
 * cannot have it marks its tiles left, and the caller computes them after
 * the loop: one tile is one engine call whoever makes it, same bits.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "kernels/gemm/gemm.h"

#define TILES_MAX  64
#define EDGE_MIN   256
#define EDGE_MAX   2048
#define EDGE_FLOOR 32
#define UNIT       8

static double tile_work_forced;

double kp__gemm_tile_work_force(double work)
{
    double old = tile_work_forced;
    tile_work_forced = work > 0 ? work : 0;
    return old;
}

static double edge_forced;

double kp__gemm_edge_force(double edge)
{
    double old = edge_forced;
    edge_forced = edge > 0 ? edge : 0;
    return old;
}

static const double weight[KP_GEMM_TYPES] = {0.5, 1, 2, 4};

/* The cache edge E (see above), in elements of C. */
static double cache_edge(kp__gemm_type type)
{
    if (edge_forced > 0) return edge_forced;
    double e = (double)kp__cache_get()->l2 / 1024;
    double p = EDGE_MIN;
    while (p * 2 <= e && p < EDGE_MAX)
        p *= 2;
    return type == KP_GEMM_C || type == KP_GEMM_Z ? p / 2 : p;
}

static size_t count(double d, double s, double most)
{
    double g = floor(d / s + 0.5);
    if (g > most) g = most;
    return g < 1 ? 1 : (size_t)g;
}

/* Sides for g pieces of d, rounded up to UNIT, at most `cap`. */
static size_t side(size_t d, size_t g, size_t cap)
{
    size_t b = d / g + (d % g != 0);
    if (g > 1 && b % UNIT != 0 && b <= (size_t)-1 - UNIT) b += UNIT - b % UNIT;
    if (b > cap) b = cap - (cap > UNIT ? cap % UNIT : 0);
    return b < d ? b : d;
}

kp__gemm_grid kp__gemm_plan(const kp__gemm_problem *p, const kp__gemm_engine *engine)
{
    size_t gm = 1, gn = 1, max_index = engine->max_index;
    double m = (double)p->m, n = (double)p->n;
    double w = tile_work_forced > 0 ? tile_work_forced : engine->tile_work;
    double work = m * n * (double)p->k * weight[p->type];
    if (work >= 2 * w) { /* two tiles' work or more; no division on small products' path */
        double t = work / w;
        if (t > TILES_MAX) t = TILES_MAX;
        double s = sqrt(m * n / t), edge = cache_edge(p->type);
        if (s < edge) s = edge;
        gm = count(m, s, t);
        gn = count(n, s, floor(t / (double)gm));
        if (gm * gn < 2) {
            /* Halves: of both sides for small work, else of the longer
             * (the columns of a square C). */
            int cut_m = p->m >= 2 * EDGE_FLOOR, cut_n = p->n >= 2 * EDGE_FLOOR;
            if (cut_m && cut_n && (!engine->quarters || t < 4 || t >= 16)) {
                cut_m = p->m > p->n;
                cut_n = !cut_m;
            }
            gm = cut_m ? 2 : 1;
            gn = cut_n ? 2 : 1;
        }
    }
    kp__gemm_grid g;
    g.mb = side(p->m, gm, max_index);
    g.nb = side(p->n, gn, max_index);
    g.gm = p->m / g.mb + (p->m % g.mb != 0);
    g.gn = p->n / g.nb + (p->n % g.nb != 0);
    return g;
}

typedef struct run_ctx {
    const kp__gemm_problem *p;
    kp__gemm_tile_fn fn;
    kp__gemm_grid g;
    /* Tiles a thread could not compute (no work space): left for the
     * caller. */
    atomic_uchar *left;
} run_ctx;

static int run_tile(const run_ctx *r, size_t t)
{
    const kp__gemm_problem *p = r->p;
    size_t es = kp__gemm_elem(p->type);
    size_t i0 = (t % r->g.gm) * r->g.mb, j0 = (t / r->g.gm) * r->g.nb;
    size_t mt = p->m - i0 < r->g.mb ? p->m - i0 : r->g.mb;
    size_t nt = p->n - j0 < r->g.nb ? p->n - j0 : r->g.nb;
    /* Rows i0.. of op(A) and columns j0.. of op(B), in storage. */
    const char *a = p->a + (p->ta == KP_NO_TRANS ? i0 : i0 * p->lda) * es;
    const char *b = p->b + (p->tb == KP_NO_TRANS ? j0 * p->ldb : j0) * es;
    char *c = p->c + (i0 + j0 * p->ldc) * es;
    return r->fn(p->ta, p->tb, mt, nt, p->k, p->alpha, a, p->lda, b, p->ldb, p->beta, c, p->ldc);
}

static void run_tiles(void *arg, size_t begin, size_t end)
{
    const run_ctx *r = arg;
    for (size_t t = begin; t < end; t++)
        if (run_tile(r, t) != KP_OK) atomic_store_explicit(&r->left[t], 1, memory_order_relaxed);
}

/* Products running now, in every thread of the process. A forked child
 * has only the forking thread: whatever the others were running is not in
 * flight there. */
static atomic_int in_flight;
static pthread_once_t fork_once = PTHREAD_ONCE_INIT;

static void in_flight_fork_child(void)
{
    atomic_store_explicit(&in_flight, 0, memory_order_relaxed);
}

static void register_fork(void)
{
    /* Fails only for lack of memory; a child then shares the budget as if
     * the parent's products still ran, which is slower, never wrong. */
    (void)pthread_atfork(NULL, NULL, in_flight_fork_child);
}

int kp__gemm_run(const kp__gemm_problem *p, const kp__gemm_engine *engine, int workers)
{
    if (engine->reserve != NULL) {
        int rc = engine->reserve(p);
        if (rc != KP_OK) return rc;
    }
    run_ctx r = {p, engine->tile[p->type], kp__gemm_plan(p, engine), NULL};
    size_t tiles = r.g.gm * r.g.gn;
    if (tiles == 1) return run_tile(&r, 0);
    r.left = calloc(tiles, sizeof *r.left);
    if (r.left == NULL) return KP_ENOMEM;
    pthread_once(&fork_once, register_fork);
    int calls = atomic_fetch_add_explicit(&in_flight, 1, memory_order_relaxed) + 1;
    int w = kp_workers_resolve(workers), share = kp_cpu_budget() / calls;
    if (w > share) w = share > 1 ? share : 1;
    (void)kp_parallel_for(tiles, 1, run_tiles, &r, w);
    atomic_fetch_sub_explicit(&in_flight, 1, memory_order_relaxed);
    /* The caller reserved its work space: its tiles do not fail. */
    int rc = KP_OK;
    for (size_t t = 0; t < tiles && rc == KP_OK; t++)
        if (atomic_load_explicit(&r.left[t], memory_order_relaxed)) rc = run_tile(&r, t);
    free(r.left);
    return rc;
}
