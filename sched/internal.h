/*
 * Internals of sched/ shared between its files, and with unit tests.
 * Nothing here is API.
 *
 * Lock order, outermost first (the fork handlers take all three in this
 * order): settings lock (settings.c) -> budget lock (budget.c) -> pool lock
 * (pool.c). No code holds a lock while calling into a file earlier in the
 * list.
 */
#ifndef KP_SCHED_INTERNAL_H
#define KP_SCHED_INTERNAL_H

#include "kernpool.h"

#define KP_MUST_USE __attribute__((warn_unused_result))
/* Kept out of line: a large frame or a cold path stays off its callers. */
#define KP_NOINLINE __attribute__((noinline))
/* Inlined wherever the compiler optimises, so that a kernel written once
 * for a parameter is compiled for each constant value it is called with.
 * Not in an unoptimised build: there every inlined copy keeps its arrays in
 * stack slots of its own (the FFT's lanes function took an 8 MB frame and
 * overflowed the default stack). */
#if defined(__OPTIMIZE__)
#define KP_INLINE static inline __attribute__((always_inline))
#else
#define KP_INLINE static inline
#endif

/* ---- env.c: strict parsing of the KERNPOOL_* variables */

typedef enum { KP_ENV_UNSET = 0, KP_ENV_VALID = 1, KP_ENV_MALFORMED = -1 } kp__env_status;

/* Reads variable `name` as a decimal integer in [min, max]. An unset or
 * empty variable is KP_ENV_UNSET; anything else that is not exactly such an
 * integer (surrounding blanks allowed) is KP_ENV_MALFORMED. *out is written
 * only for KP_ENV_VALID. */
kp__env_status kp__env_long(const char *name, long min, long max, long *out);

/* ---- process.c: fork handling */

/* Registers the fork handlers once per process; cheap after the first call.
 * Returns 1 if they are registered. pthread_atfork fails only for lack of
 * memory; without the handlers a forked child could hang on the pool, so the
 * pool then runs every call on the caller alone. */
int kp__process_init(void);
/* 1 once this process has forked or is a forked child, as far as the fork
 * handlers (registered by kp__process_init) have seen. */
int kp__process_forked(void);

/* ---- settings.c: process default workers, spin time, per-thread default */

typedef struct kp__settings {
    int workers;              /* process default, never 0 */
    kp_source workers_source; /* KP_SOURCE_BUILTIN or KP_SOURCE_ENV */
    int workers_env_malformed;
    unsigned spin_us;
    int spin_env_malformed;
} kp__settings;

const kp__settings *kp__settings_get(void);
/* The calling thread's own default; 0 if it has none. */
int kp__thread_workers(void);
/* Swaps the calling thread's own default (0 = none) and returns the old one;
 * used to run a job's chunks under its submitter's default. */
int kp__thread_workers_swap(int workers);
void kp__settings_fork_prepare(void);
void kp__settings_fork_parent(void);
void kp__settings_fork_child(void);

/* ---- cgroup.c: CPU quota from cgroup v1 and v2 */

#define KP_PATH_MAX 256

typedef struct kp__quota {
    int cpus;               /* ceil(quota / period); 0 = no quota found */
    int version;            /* 1 or 2 for the tightest quota's file; 0 if none */
    char file[KP_PATH_MAX]; /* that file (as read, root prefix included) */
} kp__quota;

/* The tightest CPU quota over the process's cgroup and all its parents, in
 * both hierarchies. `root` is prepended to every path read ("" for the real
 * system). Missing or unreadable files mean "no limit there". */
void kp__cgroup_quota(const char *root, kp__quota *out);

/* ---- budget.c: the CPU budget */

typedef struct kp__budget_report {
    int budget;
    kp_source source; /* KP_SOURCE_ENV or KP_SOURCE_DETECTED */
    int env_value;    /* KERNPOOL_CPU_BUDGET if valid, else 0 */
    int env_malformed;
    int affinity_cpus;
    int affinity_cores; /* 0 if hwloc gave no answer */
    int machine_pus;    /* PUs and cores in hwloc's topology; 0 if unknown */
    int machine_cores;
    char affinity_list[128]; /* the mask as a CPU list, "..." at the end if cut */
    kp__quota quota;
} kp__budget_report;

/* Detects the budget from the affinity mask, hwloc and the cgroup files under
 * `cgroup_root`, ignoring KERNPOOL_CPU_BUDGET. Never fails: budget >= 1. */
void kp__budget_detect(const char *cgroup_root, kp__budget_report *out);
/* The process's report, computed once (and again after fork). */
const kp__budget_report *kp__budget_get(void);
void kp__budget_fork_prepare(void);
void kp__budget_fork_parent(void);
void kp__budget_fork_child(void);

/* ---- cpu.c: instruction sets, for the kernels' dispatch tables */

typedef enum { KP_ISA_PORTABLE = 0, KP_ISA_AVX2 = 1, KP_ISA_AVX512 = 2, KP_ISA_COUNT } kp__isa;

/* The best path this CPU and OS support (AVX2 means AVX2 + FMA; AVX512 means
 * AVX-512 F, DQ, BW and VL with the OS saving the registers). */
kp__isa kp__isa_supported(void);
/* The path kernels use: KERNPOOL_ISA (portable, avx2 or avx512; capped at
 * what is supported) if set, else the best supported. Read once. */
kp__isa kp__isa_selected(void);
/* Tests and benchmarks: make kp__isa_selected() return `isa` (capped at what
 * is supported); returns the previous selection. Not thread-safe against
 * running kernels. */
kp__isa kp__isa_force(kp__isa isa);
const char *kp__isa_name(kp__isa isa);
/* KERNPOOL_ISA as set (NULL if unset) and whether it names no path. */
const char *kp__isa_env(int *malformed);
/* A forked child reads KERNPOOL_ISA again, as it does the other settings. */
void kp__isa_fork_child(void);

/* ---- cache.c: cache sizes, for the kernels' blocking */

typedef struct kp__cache_info {
    size_t l1d;     /* bytes of the first data (or unified) level-1 cache */
    size_t l2;      /* bytes of the first level-2 cache */
    int l1d_ways;   /* ways of the level-1 cache's sets; 0 unknown, -1 fully associative */
    int from_hwloc; /* 0: hwloc gave no answer and the defaults below apply */
} kp__cache_info;

/* Read from hwloc once per process (a topology load, about a millisecond);
 * where hwloc knows nothing, 32 KiB and 512 KiB, ways unknown. Never NULL. */
const kp__cache_info *kp__cache_get(void);

/* ---- pool.c */

int kp__pool_threads_alive(void);
/* While on, the pool behaves as if no thread could be created (tests). */
void kp__pool_fail_spawn(int on);
void kp__pool_fork_prepare(void);
void kp__pool_fork_parent(void);
void kp__pool_fork_child(void);
/* CLOCK_MONOTONIC in nanoseconds (the pool's spin, the FFT's timings). */
long long kp__now_ns(void);

/* Huge pages (2 MiB on x86-64 Linux). */
#define KP_HUGE_PAGE ((size_t)2 << 20)
/* malloc below KP_HUGE_PAGE bytes; from it on whole huge pages, aligned to
 * one and advised into transparent huge pages (sched/memory.c). Freed with
 * free(). NULL when out of memory. */
void *kp__huge_alloc(size_t bytes);

#endif
