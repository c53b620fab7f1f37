/*
 * Warnings about the foreign pools: a pure function of the list, the CPU
 * budget, the CPU's instruction sets and whether the process has forked, so
 * that tests can feed it any list.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>

#include "sched/foreign.h"

/* OpenBLAS's kernel cores (its TARGET names, as openblas_get_corename()
 * gives them) by the instruction set their kernels use. Cores below AVX2
 * (Sandy Bridge's AVX included) count as the portable class: kernpool's
 * classes are what it compares with. Steamroller and Excavator run
 * Piledriver's AVX and FMA kernels (OpenBLAS's KERNEL.EXCAVATOR), though
 * an Excavator CPU has AVX2. */
static const struct {
    const char *name;
    kp__isa isa;
} cores[] = {
    {"skylakex", KP_ISA_AVX512},
    {"cooperlake", KP_ISA_AVX512},
    {"sapphirerapids", KP_ISA_AVX512},
    {"haswell", KP_ISA_AVX2},
    {"zen", KP_ISA_AVX2},
    {"sandybridge", KP_ISA_PORTABLE},
    {"nehalem", KP_ISA_PORTABLE},
    {"core2", KP_ISA_PORTABLE},
    {"penryn", KP_ISA_PORTABLE},
    {"dunnington", KP_ISA_PORTABLE},
    {"atom", KP_ISA_PORTABLE},
    {"prescott", KP_ISA_PORTABLE},
    {"barcelona", KP_ISA_PORTABLE},
    {"bobcat", KP_ISA_PORTABLE},
    {"bulldozer", KP_ISA_PORTABLE},
    {"piledriver", KP_ISA_PORTABLE},
    {"steamroller", KP_ISA_PORTABLE},
    {"excavator", KP_ISA_PORTABLE},
    {"opteron", KP_ISA_PORTABLE},
    {"nano", KP_ISA_PORTABLE},
};

int kp__foreign_core_isa(const char *core)
{
    for (size_t i = 0; i < sizeof cores / sizeof *cores; i++)
        if (strcasecmp(core, cores[i].name) == 0) return (int)cores[i].isa;
    return -1;
}

/* The core to suggest for a CPU of this class. */
static const char *better_core(kp__isa isa)
{
    return isa == KP_ISA_AVX512 ? "SkylakeX" : "Haswell";
}

static const char *isa_words(kp__isa isa)
{
    return isa == KP_ISA_AVX512 ? "AVX-512" : isa == KP_ISA_AVX2 ? "AVX2" : "no AVX2";
}

/* The variable each library reads for its thread count. */
static const char *env_name(kp_foreign_kind kind)
{
    switch (kind) {
    case KP_FOREIGN_OPENBLAS: return "OPENBLAS_NUM_THREADS";
    case KP_FOREIGN_BLIS: return "BLIS_NUM_THREADS";
    case KP_FOREIGN_MKL: return "MKL_NUM_THREADS";
    case KP_FOREIGN_FLEXIBLAS: return "FLEXIBLAS_NUM_THREADS";
    default: return "OMP_NUM_THREADS";
    }
}

static int is_openmp(kp_foreign_kind kind)
{
    return (KP_FOREIGN_OPENMP >> kind) & 1u;
}

typedef struct sink {
    kp_foreign_warning *out;
    size_t cap, found;
} sink;

__attribute__((format(printf, 4, 5))) static void add(sink *s, kp_foreign_warning_kind kind,
                                                      int pool, const char *fmt, ...)
{
    if (s->found < s->cap) {
        kp_foreign_warning *w = &s->out[s->found];
        w->kind = kind;
        w->pool = pool;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(w->message, sizeof w->message, fmt, ap);
        va_end(ap);
    }
    s->found++;
}

static void openmp_mix(const kp_foreign_pool *pools, size_t n, sink *s)
{
    char names[160] = "";
    size_t runtimes = 0, len = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_openmp(pools[i].kind)) continue;
        runtimes++;
        if (len < sizeof names) {
            int w = snprintf(names + len, sizeof names - len, "%s%.15s", len ? ", " : "",
                             pools[i].name);
            len += w > 0 ? (size_t)w : 0;
        }
    }
    if (runtimes < 2) return;
    add(s, KP_FOREIGN_WARN_OPENMP_MIX, -1,
        "%zu OpenMP runtimes are loaded (%s): each keeps its own threads, unaware of the "
        "others; build every library against one runtime",
        runtimes, names);
}

static void weak_kernels(const kp_foreign_pool *p, int index, sink *s)
{
    char name[sizeof p->core];
    snprintf(name, sizeof name, "%.*s", (int)sizeof name - 1, p->core);
    int core = kp__foreign_core_isa(name);
    kp__isa cpu = kp__isa_supported();
    if (p->kind != KP_FOREIGN_OPENBLAS || core < 0 || core >= (int)cpu) return;
    add(s, KP_FOREIGN_WARN_WEAK_KERNELS, index,
        "OpenBLAS %.15s runs %.31s kernels on a CPU with %s; OPENBLAS_CORETYPE=%s selects "
        "faster ones (a DYNAMIC_ARCH build)",
        p->version, name, isa_words(cpu), better_core(cpu));
}

static void oversubscribed(const kp_foreign_pool *p, int index, int workers, int budget, sink *s)
{
    long long ours = workers > 1 ? workers : 0; /* at 1, kernpool runs on the caller alone */
    if ((long long)p->threads + ours <= budget) return;
    if (ours > 0)
        add(s, KP_FOREIGN_WARN_OVERSUBSCRIBED, index,
            "%.15s may run %d threads beside kernpool's %d on a CPU budget of %d; lower it with "
            "kp_foreign_limit_begin() or %s",
            p->name, p->threads, workers, budget, env_name(p->kind));
    else
        add(s, KP_FOREIGN_WARN_OVERSUBSCRIBED, index,
            "%.15s may run %d threads on a CPU budget of %d; lower it with "
            "kp_foreign_limit_begin() or %s",
            p->name, p->threads, budget, env_name(p->kind));
}

int kp_foreign_warnings_get(const kp_foreign_pool *pools, size_t n, int workers,
                            kp_foreign_warning *out, size_t cap, size_t *count)
{
    if (count == NULL || (pools == NULL && n > 0) || (out == NULL && cap > 0)) return KP_ENULL;
    for (size_t i = 0; i < n; i++)
        if (pools[i].kind < 0 || pools[i].kind >= KP_FOREIGN_KINDS) return KP_EINVAL;

    sink s = {out, cap, 0};
    int budget = kp_cpu_budget();
    int threads = kp_workers_resolve(workers);
    int forked = kp__process_forked();
    openmp_mix(pools, n, &s);
    for (size_t i = 0; i < n; i++) {
        const kp_foreign_pool *p = &pools[i];
        int index = i <= INT_MAX ? (int)i : -1;
        if (p->kind == KP_FOREIGN_GOMP && forked)
            add(&s, KP_FOREIGN_WARN_GOMP_FORK, index,
                "libgomp is loaded in a process that forks: its threads do not survive fork(), "
                "so OpenMP code in a child may hang; start workers with spawn or forkserver");
        weak_kernels(p, index, &s);
        oversubscribed(p, index, threads, budget, &s);
    }
    *count = s.found;
    return KP_OK;
}
