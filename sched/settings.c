/*
 * The workers knob: the process default (KERNPOOL_WORKERS), the per-thread
 * default (kp_set_workers), resolution against the CPU budget, and the idle
 * spin time (KERNPOOL_SPIN_US).
 *
 * The environment is read once, lazily, and again in a forked child.
 */
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>

#include "sched/internal.h"

#define SPIN_US_DEFAULT 50u
#define SPIN_US_MAX     1000000L

static pthread_mutex_t settings_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int settings_ready;
static kp__settings settings; /* written once under settings_lock, then read-only */

/* The calling thread's own default; 0 = none (use the process default). */
static _Thread_local int thread_workers;

static void settings_load(kp__settings *s)
{
    long v;
    s->workers = 1;
    s->workers_source = KP_SOURCE_BUILTIN;
    s->workers_env_malformed = 0;
    /* 0 would mean "the default" and so cannot be the default itself. */
    switch (kp__env_long("KERNPOOL_WORKERS", INT_MIN, INT_MAX, &v)) {
    case KP_ENV_VALID:
        if (v != 0) {
            s->workers = (int)v;
            s->workers_source = KP_SOURCE_ENV;
        } else {
            s->workers_env_malformed = 1;
        }
        break;
    case KP_ENV_MALFORMED: s->workers_env_malformed = 1; break;
    case KP_ENV_UNSET: break;
    }

    s->spin_us = SPIN_US_DEFAULT;
    s->spin_env_malformed = 0;
    switch (kp__env_long("KERNPOOL_SPIN_US", 0, SPIN_US_MAX, &v)) {
    case KP_ENV_VALID: s->spin_us = (unsigned)v; break;
    case KP_ENV_MALFORMED: s->spin_env_malformed = 1; break;
    case KP_ENV_UNSET: break;
    }
}

const kp__settings *kp__settings_get(void)
{
    if (!atomic_load_explicit(&settings_ready, memory_order_acquire)) {
        (void)kp__process_init();
        pthread_mutex_lock(&settings_lock);
        if (!atomic_load_explicit(&settings_ready, memory_order_relaxed)) {
            settings_load(&settings);
            atomic_store_explicit(&settings_ready, 1, memory_order_release);
        }
        pthread_mutex_unlock(&settings_lock);
    }
    return &settings;
}

int kp__thread_workers(void)
{
    return thread_workers;
}

int kp__thread_workers_swap(int workers)
{
    int old = thread_workers;
    thread_workers = workers;
    return old;
}

int kp_get_workers(void)
{
    return thread_workers != 0 ? thread_workers : kp__settings_get()->workers;
}

int kp_set_workers(int workers)
{
    int old = kp_get_workers();
    thread_workers = workers;
    return old;
}

int kp_workers_resolve(int workers)
{
    if (workers == 0) workers = kp_get_workers();
    long long budget = kp_cpu_budget();
    long long n = workers > 0 ? workers : budget + 1 + (long long)workers;
    if (n > budget) n = budget;
    if (n < 1) n = 1;
    return (int)n;
}

void kp__settings_fork_prepare(void)
{
    pthread_mutex_lock(&settings_lock);
}

void kp__settings_fork_parent(void)
{
    pthread_mutex_unlock(&settings_lock);
}

void kp__settings_fork_child(void)
{
    atomic_store_explicit(&settings_ready, 0, memory_order_relaxed);
    pthread_mutex_unlock(&settings_lock);
}
