/*
 * kernpool: threaded numerical kernels on one process-wide pool.
 *
 * This header is the whole public contract. Everything not declared here is
 * private and may change without notice.
 *
 * Conventions that hold for every function below:
 *   - A function returning int returns KP_OK (0) on success and a negative
 *     KP_E* status on failure; kp_strerror() names it.
 *   - Arguments are validated before any output is written: a call that fails
 *     leaves every output untouched.
 *   - The library never prints, aborts or exits, and never keeps a thread busy
 *     after a call returns for longer than the spin time (KERNPOOL_SPIN_US).
 *   - `workers` has SciPy's meaning; see kp_workers_resolve().
 *
 * Environment variables, each read once (and again in a forked child):
 *   KERNPOOL_WORKERS     process default for workers = 0 (same meaning as the
 *                        argument; default 1, serial).
 *   KERNPOOL_CPU_BUDGET  positive integer that replaces the CPU budget
 *                        detection (batch systems, tests).
 *   KERNPOOL_SPIN_US     microseconds an idle pool thread spins before it
 *                        sleeps (0 to 1000000; default 50).
 *   KERNPOOL_CGROUP_ROOT a directory that stands for "/" when the cgroup files
 *                        (/proc/self/cgroup, /proc/self/mountinfo and the
 *                        cgroup mounts) are read; for tests.
 *   KERNPOOL_ISA         portable, avx2 or avx512: the most the kernels may
 *                        use (default: everything the CPU and OS support).
 * A malformed value is ignored (the built-in default applies) and
 * kp_pool_info_get() reports it.
 */
#ifndef KERNPOOL_H
#define KERNPOOL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(KP_BUILDING_LIBRARY) && defined(__GNUC__)
#define KP_API __attribute__((visibility("default")))
#else
#define KP_API
#endif

/* ---------------------------------------------------------------- version */

#define KP_VERSION_MAJOR  0
#define KP_VERSION_MINOR  1
#define KP_VERSION_PATCH  0
#define KP_VERSION_STRING "0.1.0"
/* Comparable as an integer: 10000 * major + 100 * minor + patch. */
#define KP_VERSION_NUMBER (10000 * KP_VERSION_MAJOR + 100 * KP_VERSION_MINOR + KP_VERSION_PATCH)

/* The version of the library actually linked, as "MAJOR.MINOR.PATCH".
 * Never NULL; the string is static. */
KP_API const char *kp_version(void);

/* ----------------------------------------------------------------- status */

/* Status codes. Values are stable and never reused; new causes get new,
 * more negative values. */
enum {
    KP_OK = 0,
    KP_EINVAL = -1,    /* an argument has an invalid value (e.g. an enum) */
    KP_ENOMEM = -2,    /* memory allocation failed; nothing was leaked */
    KP_ENOTSUP = -3,   /* valid request this build or CPU cannot serve */
    KP_ENULL = -4,     /* a required pointer is NULL */
    KP_ESTRIDE = -5,   /* a stride, increment or leading dimension is invalid */
    KP_EOVERFLOW = -6, /* a size, or a product of sizes, overflows */
    KP_EEMPTY = -7,    /* the result is undefined for an empty input */
    KP_EOVERLAP = -8,  /* input and output overlap where that is not allowed */
    KP_ENOENT = -9     /* the library named is not (or no longer) loaded */
};
/* The most negative status code this version defines. */
#define KP_STATUS_MIN (-9)

/* A short English description of a status code. Never NULL: KP_OK gives
 * "success" and an unknown code gives "unknown status code". */
KP_API const char *kp_strerror(int status);

/* ------------------------------------------------------- the workers knob */

/* The number of CPUs this process may really use, always >= 1:
 *   the logical CPUs in the affinity mask (sched_getaffinity),
 *   counted as physical cores (hwloc; SMT siblings count once),
 *   capped by the cgroup CPU quota (v2 cpu.max, v1 cpu.cfs_quota_us /
 *   cpu.cfs_period_us), the tightest over the process's cgroup and all its
 *   parents, a fractional quota rounded up.
 * KERNPOOL_CPU_BUDGET=n (n >= 1) replaces the detection. The value is
 * detected once, on first use, and again in a child after fork(). hwloc
 * (Debian's 2.9) may crash or assert when an allocation fails while it
 * loads the topology: that first detection is the one place where kernpool
 * cannot turn a failed allocation into an error (KERNPOOL_CPU_BUDGET skips
 * it). */
KP_API int kp_cpu_budget(void);

/* The number of threads, the caller included, that a call given `workers`
 * uses; always in [1, kp_cpu_budget()]:
 *   workers == 0: the current default (kp_get_workers()), resolved the same way;
 *   workers  > 0: min(workers, budget);
 *   workers  < 0: budget + 1 + workers, at least 1 (-1 = the whole budget,
 *                 -2 = all but one, INT_MIN = 1). */
KP_API int kp_workers_resolve(int workers);

/* Sets the calling thread's default for workers = 0 and returns the previous
 * default (as kp_get_workers() would have returned it), so that
 *     int old = kp_set_workers(4); ...; kp_set_workers(old);
 * restores it. Any int is accepted and kept unresolved (-1 stays "the whole
 * budget"); 0 removes the thread's own default so the process default applies
 * again. Other threads are not affected. Inside a kp_parallel_for callback,
 * the default is the one of the thread that started the call, on whichever
 * thread the range runs; a kp_set_workers made there lasts until the range
 * returns. */
KP_API int kp_set_workers(int workers);

/* The calling thread's current default for workers = 0: its own if set with
 * kp_set_workers(), else the process default (KERNPOOL_WORKERS, else 1).
 * Never 0. */
KP_API int kp_get_workers(void);

/* --------------------------------------------------------------- the pool */

/* A loop body: processes indices [begin, end), begin < end. */
typedef void (*kp_range_fn)(void *ctx, size_t begin, size_t end);

/* Runs fn over [0, n) on the process-wide pool with up to
 * kp_workers_resolve(workers) threads, the caller included, and returns when
 * every index has been processed.
 *
 * fn is called with disjoint ranges that together cover [0, n) exactly once.
 * Every range starts at a multiple of `grain` (grain 0 counts as 1) and spans
 * a multiple of grain indices, except the range that ends at n. Which thread
 * runs which range, and how many ranges there are, is unspecified: code that
 * must give the same bits for any workers makes its own fixed blocks (one
 * index per block, say) and combines their results in a fixed order.
 *
 * When the call resolves to one thread, or n <= grain, fn(ctx, 0, n) runs on
 * the caller with no lock taken and no thread created. Calls may be nested
 * from inside fn to any depth and made from many threads at once: they share
 * the one pool, which never holds more than kp_cpu_budget() - 1 threads, and
 * a thread waiting for its call to finish helps run the work nested inside it.
 * If a thread cannot be created the work runs on the threads there are.
 *
 * Every range runs under the caller's floating-point modes: its rounding
 * direction (fesetround) and, on x86-64, its flush-to-zero and
 * denormals-are-zero bits and x87 control word. Exception flags raised in
 * ranges run by other threads do not reach the caller's.
 *
 * Pool threads block asynchronous signals (SIGINT, SIGTERM, ...) but not the
 * ones a fault raises (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS).
 * fn must not longjmp out of the call. fork() from inside fn gives a child
 * with the application's signal mask in which this call must not be
 * continued; posix_spawn() and vfork() from fn on a pool thread pass the
 * pool thread's mask on unless told otherwise.
 *
 * Returns KP_OK, or KP_ENULL if fn is NULL (then nothing is called).
 * n == 0 returns KP_OK without calling fn. */
KP_API int kp_parallel_for(size_t n, size_t grain, kp_range_fn fn, void *ctx, int workers);

/* Where a setting came from. */
typedef enum {
    KP_SOURCE_BUILTIN = 0,  /* the built-in default */
    KP_SOURCE_ENV = 1,      /* an environment variable */
    KP_SOURCE_DETECTED = 2, /* detected from the system */
    KP_SOURCE_THREAD = 3    /* kp_set_workers() on the calling thread */
} kp_source;

/* A snapshot of the pool and of the inputs to the CPU budget. Fields may be
 * added at the end in later versions. */
typedef struct kp_pool_info {
    int cpu_budget;            /* kp_cpu_budget() */
    kp_source budget_source;   /* KP_SOURCE_ENV or KP_SOURCE_DETECTED */
    int budget_env;            /* KERNPOOL_CPU_BUDGET if valid, else 0 */
    int budget_env_malformed;  /* 1 if KERNPOOL_CPU_BUDGET was set but ignored */
    int affinity_cpus;         /* logical CPUs in the affinity mask */
    int affinity_cores;        /* physical cores holding them (hwloc), or 0 if unknown */
    int quota_cpus;            /* cgroup quota rounded up; 0 if there is none */
    int cgroup_version;        /* 1 or 2 for the file the quota came from; 0 if none */
    char quota_file[256];      /* that file's path (truncated if longer), or "" */
    int default_workers;       /* kp_get_workers() on the calling thread */
    kp_source default_source;  /* KP_SOURCE_BUILTIN, _ENV or _THREAD */
    int workers_env_malformed; /* 1 if KERNPOOL_WORKERS was set but ignored */
    int threads_alive;         /* pool threads now (the callers not counted) */
    int threads_max;           /* the most the pool will hold: cpu_budget - 1 */
    unsigned spin_us;          /* idle spin before sleeping, microseconds */
    int spin_env_malformed;    /* 1 if KERNPOOL_SPIN_US was set but ignored */
    char isa_supported[16];    /* widest SIMD path the CPU and OS allow: "portable",
                                  "avx2" or "avx512" */
    char isa_selected[16];     /* the path kernels take (KERNPOOL_ISA may cap it) */
    char affinity_list[128];   /* the affinity mask as a CPU list ("0-3,8"; ends in
                                  "..." if cut), or "" if unreadable */
    int machine_pus;           /* logical CPUs (PUs) hwloc sees, or 0 if unknown */
    int machine_cores;         /* physical cores hwloc sees, or 0 if unknown */
    char isa_env[16];          /* KERNPOOL_ISA as set (cut if longer), "" if unset */
    int isa_env_malformed;     /* 1 if KERNPOOL_ISA was set but ignored */
    int forked;                /* 1 if this process has forked or is a forked child
                                  (as seen since kernpool was first used) */
} kp_pool_info;

/* Fills *info. Returns KP_OK, or KP_ENULL if info is NULL. */
KP_API int kp_pool_info_get(kp_pool_info *info);

/* ---------------------------------------------------------- foreign pools */

/*
 * Thread pools of other libraries in this process: BLAS libraries and OpenMP
 * runtimes that start threads of their own.
 *
 * Policy. kernpool's kernels run only on kernpool's threads: no kernel calls
 * into a library that could start threads, so a call with any workers adds
 * no foreign thread. GEMM's engine is OpenBLAS's single-threaded build,
 * linked into both kernpool libraries with its symbols made local, so it
 * stays kernpool's own even where a threaded OpenBLAS (numpy's, say) was
 * loaded first with RTLD_GLOBAL, and even with the static library linked
 * into another shared object. kernpool never changes another library's
 * threads by itself: what they run outside kernpool's calls (numpy's matmul
 * beside a kp_dgemm on another thread, OpenMP code in a kp_parallel_for
 * callback) is the application's to limit, with the functions below.
 *
 * Finding them: every object the dynamic linker has loaded (dl_iterate_phdr)
 * is asked, with dlsym, for the functions that identify each library, and a
 * function counts only if it lies in that object itself (not in one it
 * depends on), whatever the file is called:
 *   OpenBLAS   openblas_get_config (also scipy_-prefixed and 64_-suffixed
 *              builds), with openblas_get_parallel, openblas_get_corename,
 *              openblas_get/set_num_threads
 *   BLIS       bli_thread_get/set_num_threads, bli_info_get_version_str
 *   MKL        MKL_Get_Max_Threads, MKL_Set_Num_Threads, MKL_Get_Version_String
 *   FlexiBLAS  flexiblas_get/set_num_threads, flexiblas_get_version
 *   OpenMP     omp_get_max_threads, omp_set_num_threads: libgomp (GCC) if
 *              the runtime lacks __kmpc_fork_call, else LLVM's libomp, or
 *              Intel's libiomp5 if the file (links resolved) is libiomp*.
 * The program's own executable is not searched.
 *
 * OpenMP keeps its thread count per thread: for an OpenMP runtime (and an
 * OpenBLAS or BLIS built on OpenMP) the count read, set and limited here is
 * the calling thread's, which the parallel regions it starts use. Call these
 * functions from the thread that runs the OpenMP code.
 *
 * Every call finds its library again by path and kind and holds it loaded
 * while it calls into it: a library unloaded since it was listed gives
 * KP_ENOENT. Nothing guards against another thread changing a pool's
 * threads at the same time.
 */
typedef enum {
    KP_FOREIGN_OPENBLAS = 0,
    KP_FOREIGN_BLIS = 1,
    KP_FOREIGN_MKL = 2,
    KP_FOREIGN_FLEXIBLAS = 3,
    KP_FOREIGN_GOMP = 4, /* GCC's libgomp */
    KP_FOREIGN_OMP = 5,  /* LLVM's libomp */
    KP_FOREIGN_IOMP = 6  /* Intel's libiomp5 */
} kp_foreign_kind;
#define KP_FOREIGN_KINDS 7

/* Sets of kinds, for kp_foreign_limit_begin(). */
#define KP_FOREIGN_BLAS   0x0fu /* OpenBLAS, BLIS, MKL, FlexiBLAS */
#define KP_FOREIGN_OPENMP 0x70u /* libgomp, libomp, libiomp5 */
#define KP_FOREIGN_ALL    0x7fu

/* One foreign pool, as kp_foreign_list() found it. */
typedef struct kp_foreign_pool {
    kp_foreign_kind kind;
    char name[16];      /* "openblas", "blis", "mkl", "flexiblas", "libgomp",
                           "libomp" or "libiomp5" */
    char path[256];     /* the file as the dynamic linker names it; a longer
                           path is cut, and the pool then cannot be set */
    char version[64];   /* as the library reports it ("0.3.21"); "" for the
                           OpenMP runtimes, which do not say */
    char threading[16]; /* BLAS libraries: "pthreads", "openmp" or "serial"
                           (OpenBLAS, BLIS); "" if unknown or an OpenMP runtime */
    char core[32];      /* OpenBLAS: its kernel core ("Haswell"); BLIS: its
                           architecture; FlexiBLAS: its backend; else "" */
    int threads;        /* the threads its next parallel call may use, >= 1 */
} kp_foreign_pool;

/* Lists the foreign pools loaded now, in the dynamic linker's load order:
 * writes the first min(cap, found) to pools[] and sets *count to how many
 * were found (more than cap means some were left out: call again with a
 * larger array). pools may be NULL when cap is 0.
 * Errors: KP_ENULL (count NULL, or pools NULL with cap > 0), KP_ENOMEM;
 * then nothing is written. */
KP_API int kp_foreign_list(kp_foreign_pool *pools, size_t cap, size_t *count);

/* The current thread count of the pool that `pool` describes (found again by
 * its path and kind): writes it to *threads. Errors: KP_ENULL, KP_EINVAL
 * (pool->kind is not a kp_foreign_kind), KP_ENOENT (no such library is
 * loaded now); then *threads is not written. */
KP_API int kp_foreign_threads_get(const kp_foreign_pool *pool, int *threads);

/* Sets the pool's thread count to `threads` (>= 1), as its own function
 * does: a single-threaded build (OpenBLAS's serial variant) keeps 1.
 * Errors: KP_ENULL, KP_EINVAL (threads < 1 or an unknown kind), KP_ENOENT;
 * then nothing is changed. */
KP_API int kp_foreign_threads_set(const kp_foreign_pool *pool, int threads);

/* A scoped limit: kp_foreign_limit_begin() lowers to `threads` every foreign
 * pool of the kinds in the mask `kinds` (KP_FOREIGN_ALL, KP_FOREIGN_BLAS,
 * KP_FOREIGN_OPENMP, or bits 1u << kind) that has more, and records what it
 * changed in *scope; kp_foreign_limit_end() sets each back, in reverse order.
 *     kp_foreign_limit scope;
 *     if (kp_foreign_limit_begin(&scope, KP_FOREIGN_ALL, 1) == KP_OK) {
 *         ... code that calls threaded BLAS or OpenMP ...
 *         kp_foreign_limit_end(&scope);
 *     }
 * Pools at or below the limit are not touched, so a limit never raises one.
 * Scopes nest (end them in reverse order). The struct is the caller's; its
 * fields are private.
 *
 * begin errors, with no pool changed and *scope not written: KP_ENULL,
 * KP_EINVAL (threads < 1, kinds 0 or with unknown bits), KP_EOVERFLOW (more
 * than KP_FOREIGN_LIMIT_MAX pools to lower, or one to lower whose path is
 * longer than kp_foreign_pool.path holds: it could not be restored),
 * KP_ENOMEM.
 * end restores every pool still loaded and empties the scope (a second end
 * does nothing); it returns KP_ENULL for a NULL scope, KP_ENOENT if a pool
 * it changed has been unloaded (the others are restored), KP_ENOMEM if one
 * could not be looked for, else KP_OK. */
#define KP_FOREIGN_LIMIT_MAX 16
typedef struct kp_foreign_limit {
    unsigned n;
    struct {
        kp_foreign_kind kind;
        int threads;
        char path[256];
    } saved[KP_FOREIGN_LIMIT_MAX];
} kp_foreign_limit;

KP_API int kp_foreign_limit_begin(kp_foreign_limit *scope, unsigned kinds, int threads);
KP_API int kp_foreign_limit_end(kp_foreign_limit *scope);

/* What can go wrong with the pools listed. */
typedef enum {
    /* Several OpenMP runtimes (or copies of one) are loaded: each keeps its
     * own threads, unaware of the others. */
    KP_FOREIGN_WARN_OPENMP_MIX = 0,
    /* libgomp is loaded and this process has forked or is a forked child
     * (kernpool's fork handlers saw it): libgomp's threads do not survive
     * fork(), and a child's parallel region may hang. */
    KP_FOREIGN_WARN_GOMP_FORK = 1,
    /* An OpenBLAS runs kernels for a weaker instruction set than the CPU
     * has (Haswell's AVX2 kernels on an AVX-512 CPU). */
    KP_FOREIGN_WARN_WEAK_KERNELS = 2,
    /* A pool's threads, plus kernpool's when workers > 1, exceed the CPU
     * budget. */
    KP_FOREIGN_WARN_OVERSUBSCRIBED = 3
} kp_foreign_warning_kind;

typedef struct kp_foreign_warning {
    kp_foreign_warning_kind kind;
    int pool;          /* index in pools[] of the pool it concerns; -1 for
                          several (KP_FOREIGN_WARN_OPENMP_MIX) */
    char message[256]; /* one English sentence with the figures and a remedy */
} kp_foreign_warning;

/* The warnings for the n pools in pools[] (as kp_foreign_list() gives them),
 * with kernpool running at kp_workers_resolve(workers) threads: writes the
 * first min(cap, found) to out[] and sets *count to how many were found.
 * In order: OPENMP_MIX (once), then for each pool GOMP_FORK, WEAK_KERNELS
 * and OVERSUBSCRIBED as they apply. The library prints nothing: showing the
 * warnings is the caller's choice.
 * Errors: KP_ENULL (count NULL, pools NULL with n > 0, out NULL with
 * cap > 0), KP_EINVAL (a pool's kind is unknown); then nothing is written. */
KP_API int kp_foreign_warnings_get(const kp_foreign_pool *pools, size_t n, int workers,
                                   kp_foreign_warning *out, size_t cap, size_t *count);

/* ------------------------------------------------------------- reductions */

/*
 * Reductions over a strided vector, float (s) and double (d).
 *
 * The vector has n elements x_0 .. x_{n-1}. With incx > 0, x_i = x[i * incx];
 * with incx < 0 (BLAS's meaning), x points to the lowest address and
 * x_i = x[(n - 1 - i) * |incx|]. Indices reported (kp_dminmax) are i.
 *
 * Every reduction gives the same bits
 *   - for every workers value,
 *   - wherever the data lies in memory (no alignment-dependent peeling),
 *   - for a strided vector and a contiguous copy of it,
 *   - on every CPU: the portable, AVX2 and AVX-512 paths add in one order.
 * The order: blocks of 4096 elements; in a block, 32 lanes (lane l takes the
 * elements i = l mod 32) summed in leaves of 256 elements, leaves combined
 * pairwise, then the 32 lanes by a fixed tree; blocks combined pairwise.
 * The rounding error of a sum is at most about (8 + 5 + log2(n / 256)) eps
 * times the sum of |x_i| (eps = 2^-53), lower than numpy's pairwise sum.
 * Float input is accumulated in double and rounded once at the end: the
 * error is one float rounding plus the double bound above.
 * Products (dot) and squares are formed without FMA, so every path agrees.
 *
 * Errors, checked in this order; on error no output is written:
 *   KP_ENULL      a required output is NULL, or x (or y) is NULL with n > 0;
 *   KP_ESTRIDE    incx (or incy) is 0;
 *   KP_EOVERFLOW  the span (n - 1) * |inc| * element size overflows;
 * plus the function's own cases below. Small n (below 49152 elements, 24576
 * for a dot product) runs on the caller without touching the pool, whatever
 * workers says; larger n is cut into one contiguous range of blocks per
 * thread. Nothing is allocated: each call
 * uses up to about 100 KB of the stack of each thread it runs on.
 */

/* Sum of x_i. n == 0 gives +0.0. NaN and infinities propagate as in IEEE
 * arithmetic (Inf + -Inf = NaN). */
KP_API int kp_ssum(size_t n, const float *x, ptrdiff_t incx, int workers, float *out);
KP_API int kp_dsum(size_t n, const double *x, ptrdiff_t incx, int workers, double *out);

/* Sum of x_i * y_i. n == 0 gives +0.0. */
KP_API int kp_sdot(size_t n, const float *x, ptrdiff_t incx, const float *y, ptrdiff_t incy,
                   int workers, float *out);
KP_API int kp_ddot(size_t n, const double *x, ptrdiff_t incx, const double *y, ptrdiff_t incy,
                   int workers, double *out);

/* Euclidean norm sqrt(sum x_i^2), without overflow or underflow in between:
 * each block is scaled by a power of two (exact) before squaring, so the
 * result is accurate whenever it is representable. n == 0 gives 0; any
 * infinity gives +Inf, else any NaN gives NaN. */
KP_API int kp_snrm2(size_t n, const float *x, ptrdiff_t incx, int workers, float *out);
KP_API int kp_dnrm2(size_t n, const double *x, ptrdiff_t incx, int workers, double *out);

/* Sum of |x_i|. n == 0 gives +0.0. */
KP_API int kp_sasum(size_t n, const float *x, ptrdiff_t incx, int workers, float *out);
KP_API int kp_dasum(size_t n, const double *x, ptrdiff_t incx, int workers, double *out);

/* Smallest and largest element and the index of the first occurrence of
 * each, in one pass. NaN propagates as in numpy.min / numpy.argmin: if any
 * x_i is NaN, both extremes are NaN and both indices are that of the first
 * NaN. -0.0 and +0.0 compare equal (the first one wins). Any of the four
 * outputs may be NULL, but not all (KP_ENULL). n == 0 gives KP_EEMPTY. */
KP_API int kp_sminmax(size_t n, const float *x, ptrdiff_t incx, int workers, float *min,
                      size_t *imin, float *max, size_t *imax);
KP_API int kp_dminmax(size_t n, const double *x, ptrdiff_t incx, int workers, double *min,
                      size_t *imin, double *max, size_t *imax);

/* Mean and variance sum (x_i - mean)^2 / (n - ddof), as numpy.mean and
 * numpy.var(ddof=ddof). Each block is reduced in two passes while it is in
 * cache (its mean, then squared deviations from it) and blocks are combined
 * with Chan, Golub and LeVeque's pairwise update (1979), so the data is read
 * from memory once. mean or var may be NULL, not both (KP_ENULL).
 * n == 0 gives KP_EEMPTY; ddof >= n with var requested gives KP_EINVAL. */
KP_API int kp_smean_var(size_t n, const float *x, ptrdiff_t incx, size_t ddof, int workers,
                        float *mean, float *var);
KP_API int kp_dmean_var(size_t n, const double *x, ptrdiff_t incx, size_t ddof, int workers,
                        double *mean, double *var);

/* -------------------------------------------------------------------- rng */

/*
 * Random numbers: numpy's SeedSequence and bit generators, bit for bit, with
 * parallel fills that give the same bits for every workers value.
 *
 * All state lives in values the caller owns (on the stack, in a struct of its
 * own); there is no global generator and nothing is allocated. A kp_seedseq
 * or kp_rng is not locked: two threads may use two of them at once, never
 * one at once. The structs are defined here so that they can live on the
 * stack; their fields are private (read and write state with the functions).
 */

/* numpy.random.SeedSequence with pool_size 4 (numpy 1.24's mixing, see
 * numpy/random/bit_generator.pyx and O'Neill's seed_seq design). Entropy and
 * spawn keys are uint32 words, least significant first, as numpy coerces a
 * Python int: the seed 2**64 + 7 is the words {7, 0, 1}. */
#define KP_SEEDSEQ_MAX_ENTROPY   32 /* entropy words a kp_seedseq holds */
#define KP_SEEDSEQ_MAX_SPAWN_KEY 16 /* spawn-key words (spawn depth) it holds */

typedef struct kp_seedseq {
    uint32_t pool[4];
    uint32_t entropy[KP_SEEDSEQ_MAX_ENTROPY];
    uint32_t spawn_key[KP_SEEDSEQ_MAX_SPAWN_KEY];
    uint32_t n_entropy, n_spawn_key;
    uint32_t n_children_spawned;
} kp_seedseq;

/* numpy.random.SeedSequence(entropy, spawn_key=spawn_key): entropy is
 * n_entropy words (the coerced entropy; n_entropy may be 0), spawn_key is
 * n_key words (NULL when n_key is 0). n_children_spawned starts at 0.
 * Errors: KP_ENULL (ss NULL, or a NULL array with a nonzero count),
 * KP_EOVERFLOW (n_entropy > KP_SEEDSEQ_MAX_ENTROPY or
 * n_key > KP_SEEDSEQ_MAX_SPAWN_KEY). */
KP_API int kp_seedseq_init(kp_seedseq *ss, const uint32_t *entropy, size_t n_entropy,
                           const uint32_t *spawn_key, size_t n_key);

/* numpy.random.SeedSequence(seed) for a non-negative integer below 2**64:
 * the words {lo32, hi32}, or {lo32} when hi32 is 0. Errors: KP_ENULL. */
KP_API int kp_seedseq_init_u64(kp_seedseq *ss, uint64_t seed);

/* SeedSequence.generate_state(n, uint32) and (n, uint64): n words derived
 * from the pool alone, so ss is not changed and a shorter request gives a
 * prefix of a longer one. A uint64 word is two uint32 words, the first the
 * low half. n == 0 writes nothing. Errors: KP_ENULL. */
KP_API int kp_seedseq_generate_state32(const kp_seedseq *ss, uint32_t *out, size_t n);
KP_API int kp_seedseq_generate_state64(const kp_seedseq *ss, uint64_t *out, size_t n);

/* SeedSequence.spawn(n): children[i] gets ss's entropy and the spawn key
 * ss.spawn_key + (ss.n_children_spawned + i,); then ss.n_children_spawned
 * grows by n. Child i of a root seed equals, without spawning the others,
 *     kp_seedseq_init(&c, entropy, n_entropy, (uint32_t[]){i}, 1).
 * Errors: KP_ENULL; KP_EOVERFLOW if a child's key would exceed
 * KP_SEEDSEQ_MAX_SPAWN_KEY words or the counter would pass 2**32 - 1 (then
 * neither ss nor any child is written). children must not overlap ss. */
KP_API int kp_seedseq_spawn(kp_seedseq *ss, kp_seedseq *children, size_t n);

/* The bit generators of numpy.random, seeded as numpy seeds them:
 *   KP_PCG64      PCG XSL-RR 128/64 (numpy.random.PCG64, its default);
 *   KP_PCG64DXSM  PCG DXSM 128/64 with the 64-bit "cheap" multiplier
 *                 (numpy.random.PCG64DXSM; seeded like PCG64, with the full
 *                 multiplier, as numpy does);
 *   KP_PHILOX     Philox 4x64 with 10 rounds (numpy.random.Philox),
 *                 counter-based. */
typedef enum { KP_PCG64 = 0, KP_PCG64DXSM = 1, KP_PHILOX = 2 } kp_bitgen;

typedef struct kp_rng {
    kp_bitgen kind;
    uint32_t has_uint32, uinteger; /* numpy's buffered upper half-word */
    uint32_t buffer_pos;           /* Philox: next unread word of buffer, 4 = empty */
    uint64_t state[4];             /* PCG: s hi, s lo, c hi, c lo; Philox: counter */
    uint64_t key[2];               /* Philox */
    uint64_t buffer[4];            /* Philox */
} kp_rng;

/* Seeds g from ss as numpy's bit generator `kind`(ss) does; ss is read, not
 * changed. Errors: KP_ENULL, KP_EINVAL (kind is not a kp_bitgen). */
KP_API int kp_rng_init(kp_rng *g, kp_bitgen kind, const kp_seedseq *ss);

/* One draw, as numpy's bitgen_t functions next_uint64, next_uint32 and
 * next_double (= (next64 >> 11) * 2**-53, in [0, 1)). next32 returns the
 * pending upper half of the last 64-bit word it split if there is one, else
 * splits a new word and returns its lower half; next64 and next_double
 * neither use nor clear that pending half. g must be initialised; a NULL g
 * returns 0. */
KP_API uint64_t kp_rng_next64(kp_rng *g);
KP_API uint32_t kp_rng_next32(kp_rng *g);
KP_API double kp_rng_next_double(kp_rng *g);

/* One integer in [low, high), drawn as numpy's Generator.integers(low, high)
 * draws an int64 (Lemire's method: through next32 when high - low - 1 is at
 * most 2**32 - 1, through next64 above; high - low = 1 draws nothing), so
 * that n calls give numpy's integers(low, high, n) exactly. low >= high, or
 * a NULL g, returns low and draws nothing. */
KP_API int64_t kp_rng_integer(kp_rng *g, int64_t low, int64_t high);

/* Advances g by delta, a signed 128-bit integer in two's complement
 * (delta_hi:delta_lo; -1 is UINT64_MAX:UINT64_MAX), as numpy's advance():
 * PCG generators move delta draws along their stream (mod 2**128; a negative
 * delta goes back), Philox adds delta to its 256-bit counter, so one step is
 * a block of four 64-bit draws and the unread words of the current block are
 * dropped. The pending half-word is cleared. Errors: KP_ENULL. */
KP_API int kp_rng_advance(kp_rng *g, uint64_t delta_hi, uint64_t delta_lo);

/* numpy's jumped(jumps): *out becomes a copy of g advanced by jumps times
 * the generator's jump: 0x9e3779b97f4a7c15f39cc0605cedc835 draws for PCG
 * (about 2**127 / phi), 2**128 counter blocks for Philox. g is not changed;
 * out may be g. Errors: KP_ENULL. */
KP_API int kp_rng_jumped(const kp_rng *g, uint64_t jumps, kp_rng *out);

/* State for checkpoints: KP_RNG_STATE_WORDS words that kp_rng_state_set()
 * turns back into the same generator, on any machine and in later versions.
 *   word 0      the format: KP_RNG_STATE_FORMAT + kind
 *   words 1-2   has_uint32, uinteger
 *   PCG:        words 3-6 s hi, s lo, c hi, c lo (numpy's state['state'] and
 *               state['inc'] as 128-bit integers; c is odd)
 *   Philox:     words 3-6 counter (least significant first), 7-8 key,
 *               9-12 buffer, 13 buffer_pos (0..4; 4 = empty)
 * Unused words are 0. state_set checks the format, the kind, has_uint32 in
 * {0, 1}, uinteger < 2**32, an odd PCG increment, buffer_pos <= 4, and unused
 * words 0; anything else gives KP_EINVAL and g is not written. */
#define KP_RNG_STATE_WORDS  16
#define KP_RNG_STATE_FORMAT UINT64_C(0x6b70726e67000100) /* "kprng", format 1 */
KP_API int kp_rng_state_get(const kp_rng *g, uint64_t state[KP_RNG_STATE_WORDS]);
KP_API int kp_rng_state_set(kp_rng *g, const uint64_t state[KP_RNG_STATE_WORDS]);

/*
 * Fills of n values. Every fill gives the same bits for every workers value,
 * and leaves g where the documentation of its family says.
 *
 * Exact fills (one 64-bit draw per value): kp_random_raw, kp_random and
 * kp_uniform give numpy's streams exactly: the values and the final state of
 * g are those of n sequential draws, as random_raw(n), Generator.random(n)
 * and Generator.uniform(low, high, n). In parallel, each block of values
 * starts from a copy of g advanced to its first draw.
 *
 * Substream fills (rejection sampling, a variable number of draws per value):
 * kp_integers, kp_standard_normal and kp_standard_exponential cut the output
 * into blocks of KP_RNG_BLOCK values. Block j draws from g advanced by
 * j * 2**64 (kp_rng_advance units; block 0 is g itself, its pending
 * half-word included), and g ends where the last block's draws ended. So
 * n <= KP_RNG_BLOCK is the sequential stream: kp_integers then equals
 * numpy's integers(low, high, n) and n calls of kp_rng_integer(); and
 * consecutive fills never share draws (a block uses far fewer than 2**64).
 *
 * Errors, with nothing written: KP_ENULL (g NULL, out NULL with n > 0),
 * KP_EOVERFLOW (n values do not fit in memory), and those listed below.
 * n == 0 writes nothing and leaves g unchanged.
 */
#define KP_RNG_BLOCK 65536

/* numpy's random_raw(n): n next64 draws. */
KP_API int kp_random_raw(kp_rng *g, size_t n, uint64_t *out, int workers);
/* numpy's Generator.random(n): next_double, uniform on [0, 1) in steps of 2**-53. */
KP_API int kp_random(kp_rng *g, size_t n, double *out, int workers);
/* numpy's Generator.uniform(low, high, n): low + (high - low) * next_double.
 * KP_EINVAL unless low, high and high - low are finite. */
KP_API int kp_uniform(kp_rng *g, double low, double high, size_t n, double *out, int workers);
/* Integers in [low, high), each as kp_rng_integer draws it. KP_EINVAL if
 * low >= high. */
KP_API int kp_integers(kp_rng *g, int64_t low, int64_t high, size_t n, int64_t *out, int workers);
/* Standard normal (mean 0, variance 1) by a 256-layer ziggurat (Marsaglia and
 * Tsang, 2000) on one 64-bit draw per value in 99% of cases, with kernpool's
 * own tables (rng/ziggurat_tables.c): the distribution is numpy's, the values
 * are not numpy's stream. */
KP_API int kp_standard_normal(kp_rng *g, size_t n, double *out, int workers);
/* Standard exponential (rate 1), by a 256-layer ziggurat as above. */
KP_API int kp_standard_exponential(kp_rng *g, size_t n, double *out, int workers);

/* ------------------------------------------------------------------- gemm */

/*
 * Matrix products C = alpha op(A) op(B) + beta C, as CBLAS's ?gemm, for
 * float (s), double (d), complex float (c) and complex double (z).
 *
 * op(A) is m x k, op(B) is k x n, C is m x n. op(X) is X (KP_NO_TRANS), its
 * transpose (KP_TRANS) or its conjugate transpose (KP_CONJ_TRANS; the same
 * as KP_TRANS for s and d). Element (i, j) of a matrix X with leading
 * dimension ldx lies at x[i * ldx + j] in KP_ROW_MAJOR and at
 * x[i + j * ldx] in KP_COL_MAJOR; the leading dimension must be at least the
 * length of a stored row (row-major) or column (column-major), and at least 1.
 *
 * Complex numbers are pairs (real, imaginary) of floats (c) or doubles (z),
 * the layout of C99's float complex / double complex, C++'s std::complex and
 * numpy's complex64 / complex128: pass such an array with a cast, e.g.
 * (const double *)z. Leading dimensions count complex elements. alpha and
 * beta point to one such pair, read once before anything is written (they
 * may point into C).
 *
 * Semantics are CBLAS's, edge cases included:
 *   m == 0 or n == 0: nothing is read or written;
 *   k == 0 or alpha == 0: C = beta C, and A and B are not read;
 *   beta == 0: C is overwritten without being read (a NaN in C does not
 *   propagate); beta == 1 with k == 0 or alpha == 0 leaves C as it is.
 * Otherwise every product a_il b_lj is formed in IEEE arithmetic, so a NaN
 * or infinity in A or B reaches the elements of C it contributes to (an
 * infinity times a zero gives NaN).
 *
 * Threads and bits: C is cut into a grid of tiles that depends only on m, n,
 * k, the type, the CPU's cache sizes and the engine (below), never on
 * workers; k is never split.
 * Each tile is computed by one thread with the engine below, so the result
 * is bit-identical for every workers value. Products too small to gain from
 * a second thread are one tile and run on the caller. The k == 0 / alpha ==
 * 0 scaling runs on the caller.
 *
 * Engines: where the CPU runs AVX-512 (the SIMD path kernpool selects;
 * KERNPOOL_ISA applies), kernpool's own packed kernels for every type (the
 * complex ones as real products of twice the size; small tiles read op(B)
 * (a complex one unless transposed), and a real untransposed A, where they
 * lie instead of packing them, with the same arithmetic); an element's bits
 * then depend only on k and that path. Elsewhere OpenBLAS's single-threaded
 * build (Debian's serial variant), linked into kernpool with its symbols
 * hidden; it never starts a thread, and it picks its kernels by CPU as it
 * always does (OPENBLAS_CORETYPE applies). Its 32-bit BLAS integers limit
 * k and every leading dimension to INT_MAX (KP_ENOTSUP beyond, for either
 * engine); m and n are cut into tiles that fit. kp_gemm_info_get says which
 * engine runs.
 *
 * Errors, checked in this order; on error nothing is written:
 *   KP_EINVAL     layout, ta or tb is not one of its enum's values;
 *   KP_ENULL      alpha or beta is NULL (c, z); A, B or C is NULL while it
 *                 holds elements (m k > 0, k n > 0, m n > 0);
 *   KP_ESTRIDE    a leading dimension is below what the layout requires;
 *   KP_EOVERFLOW  a matrix's extent in bytes does not fit a ptrdiff_t;
 * then m == 0 or n == 0 returns KP_OK, and
 *   KP_EOVERLAP   C shares an element with A or B, k > 0 (CBLAS leaves
 *                 this undefined; here it would also race). Only elements
 *                 count: disjoint blocks of one array (a trailing update
 *                 C -= A B inside one matrix) are accepted;
 *   KP_ENOTSUP    k or a leading dimension exceeds INT_MAX while A and B
 *                 are to be read (k > 0, alpha != 0);
 *   KP_ENOMEM     the native engine's work space (below) or the grid's
 *                 bookkeeping (a few bytes a tile) cannot be allocated.
 * Memory: the native engine packs into a work space of 2 MiB per thread
 * (huge pages where the system gives them), allocated at the thread's first
 * product that packs (small real products with A not transposed pack
 * nothing) and kept until the thread exits; a pool thread that cannot have
 * one leaves its tiles to the caller. OpenBLAS keeps its own packing buffers
 * (mapped once, reused, one per call running); at most max(48, budget)
 * calls (at most 512) run inside it at once and later ones wait their turn,
 * so however many threads call, its table of buffers (128 in Debian's build)
 * does not overflow unless the budget exceeds it. A failed mapping inside
 * OpenBLAS is beyond kernpool's reach.
 */
typedef enum { KP_ROW_MAJOR = 0, KP_COL_MAJOR = 1 } kp_layout;
typedef enum { KP_NO_TRANS = 0, KP_TRANS = 1, KP_CONJ_TRANS = 2 } kp_trans;

KP_API int kp_sgemm(kp_layout layout, kp_trans ta, kp_trans tb, size_t m, size_t n, size_t k,
                    float alpha, const float *a, size_t lda, const float *b, size_t ldb, float beta,
                    float *c, size_t ldc, int workers);
KP_API int kp_dgemm(kp_layout layout, kp_trans ta, kp_trans tb, size_t m, size_t n, size_t k,
                    double alpha, const double *a, size_t lda, const double *b, size_t ldb,
                    double beta, double *c, size_t ldc, int workers);
/* alpha, beta: one (re, im) pair each; a, b, c: arrays of pairs. */
KP_API int kp_cgemm(kp_layout layout, kp_trans ta, kp_trans tb, size_t m, size_t n, size_t k,
                    const float *alpha, const float *a, size_t lda, const float *b, size_t ldb,
                    const float *beta, float *c, size_t ldc, int workers);
KP_API int kp_zgemm(kp_layout layout, kp_trans ta, kp_trans tb, size_t m, size_t n, size_t k,
                    const double *alpha, const double *a, size_t lda, const double *b, size_t ldb,
                    const double *beta, double *c, size_t ldc, int workers);

/* -------------------------------------------------------------------- FFT */

/*
 * Discrete Fourier transforms of any length n >= 1 (kernpool's own code):
 * complex to complex (c2c), real to complex (r2c, the n/2 + 1 outputs of
 * nonnegative frequency) and complex to real (c2r, its inverse), in double
 * or float, over one or more axes of a strided array and batched over
 * others.
 *
 *   forward   X[k] = sum_j x[j] exp(-2 pi i jk / n)
 *   backward  x[j] = sum_k X[k] exp(+2 pi i jk / n)
 * each multiplied by the normalisation's factor, as scipy.fft's `norm`:
 * KP_FFT_NORM_BACKWARD 1 forward, 1/N backward; KP_FFT_NORM_ORTHO 1/sqrt(N)
 * both ways; KP_FFT_NORM_FORWARD 1/N forward, 1 backward, N the product of
 * the transformed lengths (the real lengths for r2c and c2r).
 *
 * Complex data are interleaved (re, im) pairs, the layout of C99 double
 * complex and numpy's complex128 (float complex, complex64, in float). A
 * stride counts elements of its array: complex elements for a complex array,
 * real ones for a real array. As numpy's, element i along a dimension lies
 * at base + i * stride, so a negative stride walks down from the base
 * (unlike the reductions' BLAS increments).
 *
 * Lengths with prime factors 2, 3, 5 and 7 and small others run mixed-radix
 * passes; a length with a large prime factor runs Bluestein's algorithm
 * when a cost model says it is cheaper; lines of 2**18 points or more run
 * the four-step algorithm. Twiddle factors are computed in long double from
 * an exactly reduced angle, so they are correctly rounded (to within a hair
 * of half an ulp); the four-step's are one rounded product of two such
 * roots, so that its table holds n / 8 of them (n / 16 in float). The
 * relative RMS error stays below eps log2 n in the tests
 * (tests/test_fft_accuracy.c).
 *
 * Every result is bit-identical for every workers value: lines are split
 * among threads whole, and a long line shared among them is cut into
 * columns and rows that are each computed by one thread in one order.
 * Whether a step shares its long lines or runs each whole on one thread is
 * measured as the plan runs (the faster, with the other tried now and
 * then): the bits are the same either way. The
 * SIMD paths (portable, AVX2, AVX-512; KERNPOOL_ISA) may differ from each
 * other in the last bits. Short complex lines of a step with several lines
 * (a batch, a dimension of an n-D transform) run several at once in the
 * lanes of vector registers: each gets the same bits whatever lines are
 * beside it and whatever the strides, but may differ in the last bits from
 * the same line transformed alone. A call whose work is small runs on the
 * caller.
 */
typedef enum { KP_FFT_C2C = 0, KP_FFT_R2C = 1, KP_FFT_C2R = 2 } kp_fft_kind;
typedef enum { KP_FFT_DOUBLE = 0, KP_FFT_FLOAT = 1 } kp_fft_precision;
typedef enum {
    KP_FFT_NORM_BACKWARD = 0,
    KP_FFT_NORM_ORTHO = 1,
    KP_FFT_NORM_FORWARD = 2
} kp_fft_norm;
/* The sign of the exponent. r2c is always forward, c2r always backward. */
#define KP_FFT_FORWARD  (-1)
#define KP_FFT_BACKWARD 1

/* The most dimensions a plan may have, transformed and batch together
 * (numpy's limit). */
#define KP_FFT_MAX_DIMS 32

/* One dimension: its length and its input and output strides. For r2c and
 * c2r, n is the length of the real array along it; the complex array has
 * n/2 + 1 elements along the last transformed dimension and n along the
 * others. */
typedef struct kp_fft_dim {
    size_t n;
    ptrdiff_t is, os;
} kp_fft_dim;

/* A plan: read-only once made, so one plan may be executed from many
 * threads at once, on any arrays of its shape and strides. */
typedef struct kp_fft_plan kp_fft_plan;

/* Makes a plan for the transform over dims[0 .. rank) of every element of
 * the batch dims[0 .. batch_rank) (each batch dimension's strides are the
 * distances between transforms, like FFTW's howmany dimensions). The real
 * axis of r2c and c2r is dims[rank - 1]. On success *plan is set; on
 * failure it is untouched and:
 *   KP_ENULL      plan is NULL, or dims (batch) is NULL with rank
 *                 (batch_rank) > 0;
 *   KP_EINVAL     kind, precision or norm invalid; direction not
 *                 KP_FFT_FORWARD or KP_FFT_BACKWARD, or not the one of r2c
 *                 (forward) or c2r (backward); rank 0, or rank + batch_rank
 *                 over KP_FFT_MAX_DIMS;
 *   KP_EEMPTY     a transformed length is 0 (a batch length of 0 is valid:
 *                 nothing to do);
 *   KP_ESTRIDE    an output stride is 0 along a dimension of length > 1,
 *                 or the output's dimensions do not nest: taken by
 *                 increasing |stride|, each must step past all the
 *                 elements the ones before it reach (as in every array
 *                 numpy makes), so that no two outputs share a byte;
 *   KP_EOVERFLOW  the element count, or an array's extent in bytes,
 *                 overflows (ptrdiff_t), or a transformed length exceeds
 *                 2**40;
 *   KP_ENOMEM     allocation failed.
 * Making a plan of length n costs about what one transform of it does. */
KP_API int kp_fft_plan_make(kp_fft_plan **plan, kp_fft_kind kind, kp_fft_precision precision,
                            int direction, kp_fft_norm norm, size_t rank, const kp_fft_dim *dims,
                            size_t batch_rank, const kp_fft_dim *batch);

/* Runs the plan from in to out with up to `workers` threads. in == out with
 * the same strides (for r2c and c2r: the same byte address of every line
 * start, as FFTW's padded in-place layout, and no line's reals or complex
 * values reaching into another line) is an in-place transform; strides
 * along a dimension of length 1 do not count. Otherwise KP_EOVERLAP where
 * an input and an output element share a byte; for c2c with equal input
 * and output strides that is exact (numpy's x[:, 0] into x[:, 1] runs),
 * for other layouts the arrays' spans (lowest to highest byte) decide. The input is never
 * modified out of place. Errors, with out untouched: KP_ENULL (plan NULL,
 * or in or out NULL while there are elements), KP_EOVERLAP, KP_ENOMEM (work
 * space). */
KP_API int kp_fft_plan_execute(const kp_fft_plan *plan, const void *in, void *out, int workers);

/* Frees the plan; NULL is a no-op. No execution of it may be running. */
KP_API void kp_fft_plan_destroy(kp_fft_plan *plan);

/* A one-shot transform over axes of an ndim-dimensional array, numpy's
 * fftn / rfftn / irfftn: shape is the array's shape (the real array's for
 * r2c and c2r), in_strides and out_strides its strides in elements (NULL:
 * C-contiguous), axes[0 .. naxes) distinct axes to transform (NULL: all
 * axes, with naxes ignored), the last of them the real axis of r2c and c2r.
 * The errors of kp_fft_plan_make and kp_fft_plan_execute, plus KP_EINVAL for
 * an axis out of range or repeated, or naxes 0. The 1-D lines it needs come
 * from a bounded cache shared by all threads, so repeated lengths are
 * planned once. */
KP_API int kp_fftn(kp_fft_kind kind, kp_fft_precision precision, int direction, kp_fft_norm norm,
                   size_t ndim, const size_t *shape, const ptrdiff_t *in_strides,
                   const ptrdiff_t *out_strides, size_t naxes, const size_t *axes, const void *in,
                   void *out, int workers);

/* Sets how many 1-D lines kp_fftn's cache keeps (default 16; 0 turns it
 * off and frees what no call is using) and returns the previous limit. */
KP_API size_t kp_fft_cache_set_size(size_t lines);

/* What GEMM's tiles run on, for reports such as kernpool-info. */
typedef struct kp_gemm_info {
    char engine[16];  /* "native" (kernpool's own kernels, where AVX-512
                         runs) or "openblas" (or "reference" where a test
                         forced it) */
    char kernels[32]; /* the kernels it runs on this CPU: OpenBLAS's core
                         ("Haswell", "SkylakeX"; OPENBLAS_CORETYPE applies),
                         or "AVX-512" for the native engine */
    int threads;      /* threads the engine starts of its own: always 1 */
} kp_gemm_info;

/* Fills *info. Returns KP_OK, or KP_ENULL if info is NULL. */
KP_API int kp_gemm_info_get(kp_gemm_info *info);

#ifdef __cplusplus
}
#endif

#endif /* KERNPOOL_H */
