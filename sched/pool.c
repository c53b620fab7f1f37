/*
 * The one process-wide pool and kp_parallel_for.
 *
 * A call of kp_parallel_for that needs more than one thread becomes a job:
 * [0, n) cut into chunks claimed one at a time through an atomic counter.
 * The caller (the job's owner) publishes the job on the open-job list, runs
 * chunks itself, closes the job when none is left, and waits until every
 * helper has left it. The job lives on the owner's stack.
 *
 * Who helps, each taking one of the job's slots (a job resolved to w
 * threads has w - 1, so it never runs on more than w threads):
 *   - an idle pool thread takes any open job with a free slot and unclaimed
 *     chunks, oldest first;
 *   - an owner waiting for its helpers takes only jobs nested inside its own
 *     (those whose parent chain reaches its job). Never an unrelated job:
 *     its callback might need a lock the waiter holds.
 * Progress never depends on help: an owner can always run all its chunks
 * alone, and a claimed chunk is always being run by a live thread. So nested
 * and concurrent calls cannot deadlock, and the pool never needs more than
 * budget - 1 threads.
 *
 * Sleeping and waking (Linux futexes on 32-bit words):
 *   pool.epoch  bumped each time a job is published; idle threads spin on it
 *               for spin_us, then sleep on it (pool.sleepers counts them).
 *   job->state  helpers inside the job (REFS) | WAITING; the owner sleeps
 *               on it. A helper's decrement is its last access to the job;
 *               if the owner is WAITING it then wakes it, and a futex wake
 *               reads no memory, so the job may already be gone.
 *               Publishing a nested job clears WAITING in each waiting
 *               ancestor and wakes its owner to help: the word changes, so
 *               an owner about to sleep on the old value does not.
 *
 * Floating-point modes are per thread: a helper runs a job's chunks under
 * the owner's rounding direction (and, on x86-64, its flush-to-zero,
 * denormals-are-zero and x87 precision), then goes back to its own, so a
 * chunk's bits do not depend on which thread ran it.
 *
 * Lock: pool.lock guards the open-job list, job->slots and the thread
 * count; chunk claiming and helper counting are lock-free.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <xmmintrin.h>
#else
#include <fenv.h>
#include <string.h>
#endif

#include "sched/internal.h"

/* Chunks per thread: enough for dynamic balance when chunks differ in cost,
 * few enough that the claim counter stays cold. */
#define CHUNKS_PER_THREAD 4

#define STATE_REFS    0x7fffffffu
#define STATE_WAITING 0x80000000u

/* A thread's floating-point modes (see the top of the file). */
typedef struct fp_modes {
#if defined(__x86_64__)
    unsigned int mxcsr; /* control bits only: the exception flags stay */
    unsigned short x87; /* control word */
#else
    fenv_t env;
#endif
} fp_modes;

#if defined(__x86_64__)
#define MXCSR_FLAGS 0x3fu

static int fp_modes_same(const fp_modes *a, const fp_modes *b)
{
    return a->mxcsr == b->mxcsr && a->x87 == b->x87;
}

static fp_modes fp_modes_get(void)
{
    fp_modes m;
    m.mxcsr = _mm_getcsr() & ~MXCSR_FLAGS;
    __asm__ volatile("fnstcw %0" : "=m"(m.x87));
    return m;
}

static void fp_modes_set(const fp_modes *m)
{
    _mm_setcsr(m->mxcsr | (_mm_getcsr() & MXCSR_FLAGS));
    __asm__ volatile("fldcw %0" : : "m"(m->x87));
}
#else
static int fp_modes_same(const fp_modes *a, const fp_modes *b)
{
    return memcmp(&a->env, &b->env, sizeof a->env) == 0;
}

static fp_modes fp_modes_get(void)
{
    fp_modes m;
    (void)fegetenv(&m.env);
    return m;
}

static void fp_modes_set(const fp_modes *m)
{
    (void)fesetenv(&m->env);
}
#endif

typedef struct job job;
struct job {
    kp_range_fn fn;
    void *ctx;
    size_t n, chunk, nchunks;
    atomic_size_t next;    /* next chunk to claim; >= nchunks when all are claimed */
    atomic_uint state;     /* REFS | WAITING, futex word of the owner */
    unsigned slots;        /* pool threads that may still join (pool.lock) */
    int workers_default;   /* the owner's own default (0: none), in force inside fn */
    fp_modes fp;           /* the owner's floating-point modes, likewise */
    job *parent;           /* the job whose chunk the owner was running, or NULL */
    job *prev, *next_open; /* open-job list (pool.lock) */
};

static struct {
    pthread_mutex_t lock;
    job *open; /* open jobs, oldest first */
    job *open_tail;
    int threads;           /* pool threads alive */
    atomic_int busy;       /* of which running a job */
    int next_name;         /* suffix of the next thread's name */
    atomic_uint epoch;     /* futex word: bumped when a job is published */
    atomic_int sleepers;   /* pool threads asleep on epoch */
    atomic_int fail_spawn; /* tests: behave as if pthread_create failed */
    sigset_t app_mask;     /* the mask pool threads were started from */
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* The job whose chunk this thread is running; NULL outside any callback. */
static _Thread_local job *current_job;
static _Thread_local int is_pool_thread;

/* ------------------------------------------------------------- primitives */

static void futex_wait(atomic_uint *word, unsigned expected)
{
    /* Returns at once if *word != expected; spurious returns are fine. */
    syscall(SYS_futex, (unsigned *)word, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

static void futex_wake(atomic_uint *word, int count)
{
    syscall(SYS_futex, (unsigned *)word, FUTEX_WAKE_PRIVATE, count, NULL, NULL, 0);
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

long long kp__now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* A spin that lasts at most spin_us; `spin_more` is false once it is over.
 * The clock is read every 64 rounds to keep it off the fast path. */
typedef struct spin {
    long long deadline;
    unsigned rounds;
} spin;

static spin spin_start(void)
{
    spin s = {kp__now_ns() + 1000LL * kp__settings_get()->spin_us, 0};
    return s;
}

static int spin_more(spin *s)
{
    cpu_relax();
    return (++s->rounds & 63) != 0 || kp__now_ns() < s->deadline;
}

/* ------------------------------------------------------------ running jobs */

static void run_chunks(job *j)
{
    for (;;) {
        size_t c = atomic_fetch_add_explicit(&j->next, 1, memory_order_relaxed);
        if (c >= j->nchunks) return;
        size_t begin = c * j->chunk;
        size_t end = j->n - begin > j->chunk ? begin + j->chunk : j->n;
        j->fn(j->ctx, begin, end);
        (void)kp__thread_workers_swap(j->workers_default);
    }
}

/* Runs chunks of a job this thread has joined (state already counts it),
 * as its owner would: under the owner's default and floating-point modes
 * and with j as the parent of anything nested. Then leaves; j must not be
 * touched after the decrement. */
static void help(job *j)
{
    job *saved_job = current_job;
    int saved_default = kp__thread_workers_swap(j->workers_default);
    const fp_modes saved_fp = fp_modes_get();
    const int other_fp = !fp_modes_same(&saved_fp, &j->fp);
    if (other_fp) fp_modes_set(&j->fp);
    current_job = j;
    run_chunks(j);
    current_job = saved_job;
    if (other_fp) fp_modes_set(&saved_fp);
    (void)kp__thread_workers_swap(saved_default);

    unsigned old = atomic_fetch_sub_explicit(&j->state, 1, memory_order_acq_rel);
    if ((old & STATE_REFS) == 1 && (old & STATE_WAITING)) futex_wake(&j->state, 1);
}

static int has_unclaimed(job *j)
{
    return atomic_load_explicit(&j->next, memory_order_relaxed) < j->nchunks;
}

static int descends_from(const job *j, const job *ancestor)
{
    for (const job *p = j->parent; p != NULL; p = p->parent)
        if (p == ancestor) return 1;
    return 0;
}

/* Joins an open job with a free slot and unclaimed chunks: any such job for
 * a pool thread (ancestor == NULL), only one nested in `ancestor` for its
 * waiting owner. */
static job *join_locked(const job *ancestor)
{
    for (job *j = pool.open; j != NULL; j = j->next_open) {
        if (j->slots == 0 || !has_unclaimed(j)) continue;
        if (ancestor != NULL && !descends_from(j, ancestor)) continue;
        j->slots--;
        atomic_fetch_add_explicit(&j->state, 1, memory_order_relaxed);
        return j;
    }
    return NULL;
}

/* ------------------------------------------------------------ pool threads */

static void *thread_main(void *arg)
{
    (void)arg;
    is_pool_thread = 1;

    for (;;) {
        /* Read the epoch before looking: a job published after the look
         * changes it, so the spin or the futex wait below sees that. */
        unsigned seen = atomic_load_explicit(&pool.epoch, memory_order_seq_cst);
        pthread_mutex_lock(&pool.lock);
        job *j = join_locked(NULL);
        if (j != NULL) atomic_fetch_add_explicit(&pool.busy, 1, memory_order_relaxed);
        pthread_mutex_unlock(&pool.lock);
        if (j != NULL) {
            help(j);
            atomic_fetch_sub_explicit(&pool.busy, 1, memory_order_relaxed);
            continue;
        }

        spin s = spin_start();
        while (atomic_load_explicit(&pool.epoch, memory_order_relaxed) == seen && spin_more(&s)) {
        }
        if (atomic_load_explicit(&pool.epoch, memory_order_relaxed) != seen) continue;
        atomic_fetch_add_explicit(&pool.sleepers, 1, memory_order_seq_cst);
        futex_wait(&pool.epoch, seen);
        atomic_fetch_sub_explicit(&pool.sleepers, 1, memory_order_relaxed);
    }
    return NULL;
}

static int idle_locked(void)
{
    return pool.threads - atomic_load_explicit(&pool.busy, memory_order_relaxed);
}

/* Starts threads until `idle_wanted` are idle or the pool holds `cap`.
 * A thread that cannot be created is not an error: the work runs on the
 * threads there are.
 *
 * Pool threads block the asynchronous signals, so the application's handlers
 * for them run on its own threads. Signals a fault raises (SIGSEGV, ...) stay
 * unblocked: a fault in a callback must reach the application's handler as it
 * would on the caller. */
static void grow_locked(int idle_wanted, int cap)
{
    if (idle_locked() >= idle_wanted || pool.threads >= cap) return;
    static const int synchronous[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS};
    sigset_t blocked, old;
    sigfillset(&blocked);
    for (size_t i = 0; i < sizeof synchronous / sizeof *synchronous; i++)
        sigdelset(&blocked, synchronous[i]);
    pthread_sigmask(SIG_SETMASK, &blocked, &old);
    /* the application's mask; a pool thread growing the pool for a nested
     * call has the pool's own */
    if (!is_pool_thread) pool.app_mask = old;
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) == 0) {
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        while (idle_locked() < idle_wanted && pool.threads < cap) {
            pthread_t t;
            if (atomic_load_explicit(&pool.fail_spawn, memory_order_relaxed) ||
                pthread_create(&t, &attr, thread_main, NULL) != 0)
                break;
            /* Named here, not by the thread: a thread counted in
             * pool.threads already has its name (Linux takes 15
             * characters: up to kernpool-999999). */
            char name[24];
            snprintf(name, sizeof name, "kernpool-%d", ++pool.next_name);
            pthread_setname_np(t, name);
            pool.threads++;
        }
        pthread_attr_destroy(&attr);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* ------------------------------------------------------------------- owner */

static void publish(job *j, int workers)
{
    int cap = kp_cpu_budget() - 1;
    pthread_mutex_lock(&pool.lock);
    grow_locked(workers - 1, cap);
    j->slots = (unsigned)(workers - 1);
    j->prev = pool.open_tail;
    j->next_open = NULL;
    if (pool.open_tail != NULL)
        pool.open_tail->next_open = j;
    else
        pool.open = j;
    pool.open_tail = j;

    /* Owners of enclosing jobs that sleep waiting for helpers can help with
     * this one: clearing WAITING wakes them, or fails a wait about to start. */
    for (job *a = j->parent; a != NULL; a = a->parent)
        if (atomic_fetch_and_explicit(&a->state, ~STATE_WAITING, memory_order_seq_cst) &
            STATE_WAITING)
            futex_wake(&a->state, 1);
    atomic_fetch_add_explicit(&pool.epoch, 1, memory_order_seq_cst);
    int sleepers = atomic_load_explicit(&pool.sleepers, memory_order_seq_cst);
    pthread_mutex_unlock(&pool.lock);
    if (sleepers > 0) futex_wake(&pool.epoch, sleepers < workers - 1 ? sleepers : workers - 1);
}

static void unpublish(job *j)
{
    pthread_mutex_lock(&pool.lock);
    if (j->prev != NULL)
        j->prev->next_open = j->next_open;
    else
        pool.open = j->next_open;
    if (j->next_open != NULL)
        j->next_open->prev = j->prev;
    else
        pool.open_tail = j->prev;
    pthread_mutex_unlock(&pool.lock);
}

/* Helps one job nested in j, if there is one; returns whether it did. */
static int help_nested(job *j)
{
    pthread_mutex_lock(&pool.lock);
    job *k = join_locked(j);
    pthread_mutex_unlock(&pool.lock);
    if (k == NULL) return 0;
    help(k);
    return 1;
}

/* Waits until no helper is inside j, helping jobs nested in it meanwhile.
 * The list is scanned only when the epoch says something was published. */
static void wait_helpers(job *j)
{
    unsigned scanned = atomic_load_explicit(&pool.epoch, memory_order_relaxed) - 1;
    spin s = spin_start();
    for (;;) {
        unsigned state = atomic_load_explicit(&j->state, memory_order_acquire);
        if ((state & STATE_REFS) == 0) return;
        unsigned epoch = atomic_load_explicit(&pool.epoch, memory_order_relaxed);
        if (epoch != scanned) {
            scanned = epoch;
            if (help_nested(j)) continue;
        }
        if (spin_more(&s)) continue;

        state = atomic_fetch_or_explicit(&j->state, STATE_WAITING, memory_order_seq_cst);
        state |= STATE_WAITING;
        /* A nested job published before this look is found by it; one
         * published after it clears WAITING, which fails or ends the wait. */
        if ((state & STATE_REFS) != 0 && !help_nested(j)) futex_wait(&j->state, state);
        atomic_fetch_and_explicit(&j->state, ~STATE_WAITING, memory_order_acq_rel);
    }
}

int kp_parallel_for(size_t n, size_t grain, kp_range_fn fn, void *ctx, int workers)
{
    if (fn == NULL) return KP_ENULL;
    if (n == 0) return KP_OK;
    if (grain == 0) grain = 1;

    size_t units = n / grain + (n % grain != 0);
    int w = units > 1 ? kp_workers_resolve(workers) : 1;
    if ((size_t)w > units) w = (int)units;
    /* Ranges run under the caller's own default on every thread; a range's
     * kp_set_workers lasts until it returns (run_chunks). */
    const int own = kp__thread_workers();
    if (w <= 1 || !kp__process_init()) {
        fn(ctx, 0, n);
        (void)kp__thread_workers_swap(own);
        return KP_OK;
    }

    size_t per_chunk = units / ((size_t)w * CHUNKS_PER_THREAD);
    if (per_chunk == 0) per_chunk = 1;
    size_t chunk = per_chunk * grain; /* <= (n + grain) / 8: no overflow */
    job j = {
        .fn = fn,
        .ctx = ctx,
        .n = n,
        .chunk = chunk,
        .nchunks = n / chunk + (n % chunk != 0),
        .workers_default = own,
        .fp = fp_modes_get(),
        .parent = current_job,
    };
    atomic_init(&j.next, 0);
    atomic_init(&j.state, 0);

    publish(&j, w);
    current_job = &j;
    run_chunks(&j);
    current_job = j.parent;
    unpublish(&j);
    wait_helpers(&j);
    return KP_OK;
}

/* ------------------------------------------------------------ info, fork */

int kp__pool_threads_alive(void)
{
    pthread_mutex_lock(&pool.lock);
    int n = pool.threads;
    pthread_mutex_unlock(&pool.lock);
    return n;
}

void kp__pool_fail_spawn(int on)
{
    atomic_store_explicit(&pool.fail_spawn, on, memory_order_relaxed);
}

void kp__pool_fork_prepare(void)
{
    pthread_mutex_lock(&pool.lock);
}

void kp__pool_fork_parent(void)
{
    pthread_mutex_unlock(&pool.lock);
}

/* Only the forking thread exists in the child: forget the pool's threads and
 * every open job (their owners and helpers are in the parent). A child forked
 * from a callback on a pool thread gets the application's signal mask back,
 * so that it (and whatever it execs) can be stopped as usual. */
void kp__pool_fork_child(void)
{
    current_job = NULL;
    if (is_pool_thread) {
        is_pool_thread = 0;
        pthread_sigmask(SIG_SETMASK, &pool.app_mask, NULL);
    }
    pool.open = pool.open_tail = NULL;
    pool.threads = 0;
    atomic_store_explicit(&pool.busy, 0, memory_order_relaxed);
    pool.next_name = 0;
    atomic_store_explicit(&pool.epoch, 0, memory_order_relaxed);
    atomic_store_explicit(&pool.sleepers, 0, memory_order_relaxed);
    pthread_mutex_unlock(&pool.lock);
}
