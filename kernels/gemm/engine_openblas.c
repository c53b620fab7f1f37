/*
 * The OpenBLAS engine: one tile is one cblas_?gemm call of OpenBLAS's
 * single-threaded build (Debian's openblas-serial), column-major, with the
 * tile's corner as the matrix pointers and the caller's leading dimensions.
 *
 * The build links that library's static archive into kernpool with its
 * symbols kept local, so these calls reach the serial OpenBLAS even in a
 * process that has also loaded a threaded one (numpy's, say, which has the
 * same SONAME, libopenblas.so.0, and would otherwise be bound first). The
 * serial build starts no thread, but Debian builds it without USE_LOCKING:
 * blas_memory_alloc looks for a free packing buffer and marks it used with
 * no lock, so two calls starting together can take the same buffer and
 * both compute garbage. The link wraps it (--wrap=blas_memory_alloc and
 * blas_memory_free, CMakeLists.txt): the wrappers below hold a mutex around
 * the originals. Everything else a call touches is its own.
 *
 * OpenBLAS counts in int: kp__gemm_openblas.max_index keeps every argument
 * within it (gemm.c refuses larger k and leading dimensions, partition.c
 * cuts m and n to fit).
 *
 * Each call holds one of those packing buffers from start to end. The table
 * has NUM_BUFFERS = max(50, 2 MAX_CPU_NUMBER) of them (128 in Debian's
 * build); past them OpenBLAS prints a warning on stderr and takes slots of an
 * auxiliary table of 512, past which it hands back NULL and crashes. The
 * pool never runs more threads than the budget, but application threads
 * calling at workers = 1 have no bound (1000 threads each in a product of
 * n = 300 got the warning). So a gate lets at most max(48, budget) calls in
 * at once (below the smallest table where the budget allows, never below
 * the budget: the pool's own tiles never wait), at most 512; the others
 * wait their turn.
 *
 * fork(): the serial build has no fork handler of its own, and its buffer
 * table's lock is a spin lock; a child forked while another thread held it
 * would spin forever in its first product. So fork() waits until no call
 * of this engine is running (calls that would start meanwhile wait for the
 * fork to finish): the child then finds the lock free and every buffer
 * returned. A fork thus waits for at most one tile per thread. The wait
 * holds no lock, and a call takes no kernpool lock (only the buffer mutex
 * above, inside the call), so it cannot deadlock with sched/process.c's
 * handlers, which may have taken the pool's locks already.
 */
#define _GNU_SOURCE
#include <cblas.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "kernels/gemm/gemm.h"

/* ----------------------------------------------------- buffer allocator */

void *__real_blas_memory_alloc(int procpos);
void __real_blas_memory_free(void *buffer);
void *__wrap_blas_memory_alloc(int procpos);
void __wrap_blas_memory_free(void *buffer);

static pthread_mutex_t buffers = PTHREAD_MUTEX_INITIALIZER;

void *__wrap_blas_memory_alloc(int procpos)
{
    pthread_mutex_lock(&buffers);
    void *p = __real_blas_memory_alloc(procpos);
    pthread_mutex_unlock(&buffers);
    return p;
}

void __wrap_blas_memory_free(void *buffer)
{
    pthread_mutex_lock(&buffers);
    __real_blas_memory_free(buffer);
    pthread_mutex_unlock(&buffers);
}

/* -------------------------------------------------- call and fork gates */

#define CALLS_FLOOR 48
#define CALLS_CAP   512

static atomic_int calls;        /* engine calls running now */
static atomic_int forking;      /* a fork is waiting for them to end */
static atomic_int calls_forced; /* tests: a limit instead of the built-in one */
static atomic_int calls_peak;   /* tests: the most calls seen at once */
static pthread_once_t fork_once = PTHREAD_ONCE_INIT;

static void pause_briefly(void)
{
    struct timespec ts = {0, 50000};
    nanosleep(&ts, NULL);
}

static void fork_prepare(void)
{
    atomic_store(&forking, 1);
    while (atomic_load(&calls) != 0)
        pause_briefly();
}

static void fork_done(void)
{
    atomic_store(&forking, 0);
}

static void fork_child(void)
{
    atomic_store(&calls, 0);
    atomic_store(&forking, 0);
}

static void register_fork(void)
{
    /* Fails only for lack of memory; fork() is then unguarded, as with
     * OpenBLAS alone. */
    (void)pthread_atfork(fork_prepare, fork_done, fork_child);
}

/* The most engine calls that may run at once (see the top of the file). */
static int calls_limit(void)
{
    int forced = atomic_load_explicit(&calls_forced, memory_order_relaxed);
    if (forced > 0) return forced;
    int budget = kp_cpu_budget();
    return budget < CALLS_FLOOR ? CALLS_FLOOR : budget > CALLS_CAP ? CALLS_CAP : budget;
}

static void note_peak(int now)
{
    int peak = atomic_load_explicit(&calls_peak, memory_order_relaxed);
    while (now > peak && !atomic_compare_exchange_weak_explicit(
                             &calls_peak, &peak, now, memory_order_relaxed, memory_order_relaxed)) {
    }
}

static void enter(void)
{
    pthread_once(&fork_once, register_fork);
    for (;;) {
        int now = atomic_fetch_add(&calls, 1) + 1;
        if (!atomic_load(&forking) && now <= calls_limit()) {
            note_peak(now);
            return;
        }
        atomic_fetch_sub(&calls, 1);
        while (atomic_load(&forking) || atomic_load(&calls) >= calls_limit())
            pause_briefly();
    }
}

int kp__gemm_openblas_calls_force(int limit)
{
    return atomic_exchange(&calls_forced, limit > 0 ? limit : 0);
}

int kp__gemm_openblas_calls_peak(void)
{
    return atomic_exchange(&calls_peak, 0);
}

static void leave(void)
{
    atomic_fetch_sub(&calls, 1);
}

static enum CBLAS_TRANSPOSE trans(kp_trans t)
{
    return t == KP_NO_TRANS ? CblasNoTrans : t == KP_TRANS ? CblasTrans : CblasConjTrans;
}

static int sgemm(kp_trans ta, kp_trans tb, size_t m, size_t n, size_t k, const void *alpha,
                 const void *a, size_t lda, const void *b, size_t ldb, const void *beta, void *c,
                 size_t ldc)
{
    enter();
    cblas_sgemm(CblasColMajor, trans(ta), trans(tb), (int)m, (int)n, (int)k, *(const float *)alpha,
                a, (int)lda, b, (int)ldb, *(const float *)beta, c, (int)ldc);
    leave();
    return KP_OK;
}

static int dgemm(kp_trans ta, kp_trans tb, size_t m, size_t n, size_t k, const void *alpha,
                 const void *a, size_t lda, const void *b, size_t ldb, const void *beta, void *c,
                 size_t ldc)
{
    enter();
    cblas_dgemm(CblasColMajor, trans(ta), trans(tb), (int)m, (int)n, (int)k, *(const double *)alpha,
                a, (int)lda, b, (int)ldb, *(const double *)beta, c, (int)ldc);
    leave();
    return KP_OK;
}

/* The complex scalars and matrices are (re, im) pairs, as CBLAS wants them. */
static int cgemm(kp_trans ta, kp_trans tb, size_t m, size_t n, size_t k, const void *alpha,
                 const void *a, size_t lda, const void *b, size_t ldb, const void *beta, void *c,
                 size_t ldc)
{
    enter();
    cblas_cgemm(CblasColMajor, trans(ta), trans(tb), (int)m, (int)n, (int)k, alpha, a, (int)lda, b,
                (int)ldb, beta, c, (int)ldc);
    leave();
    return KP_OK;
}

static int zgemm(kp_trans ta, kp_trans tb, size_t m, size_t n, size_t k, const void *alpha,
                 const void *a, size_t lda, const void *b, size_t ldb, const void *beta, void *c,
                 size_t ldc)
{
    enter();
    cblas_zgemm(CblasColMajor, trans(ta), trans(tb), (int)m, (int)n, (int)k, alpha, a, (int)lda, b,
                (int)ldb, beta, c, (int)ldc);
    leave();
    return KP_OK;
}

static const char *core(void)
{
    return openblas_get_corename();
}

/* 1 for the serial build; the threaded builds report their pool's size. */
static int threads(void)
{
    return openblas_get_parallel() == 0 ? 1 : openblas_get_num_threads();
}

const kp__gemm_engine kp__gemm_openblas = {
    .name = "openblas",
    .max_index = INT_MAX,
    .tile_work = 256 * 1024, /* partition.c */
    .quarters = 1,
    .tile = {sgemm, dgemm, cgemm, zgemm},
    .core = core,
    .threads = threads,
};
