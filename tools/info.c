/*
 * kernpool-info: what kernpool sees of this process and machine, the first
 * thing to run when something is slow. The CPU budget and each of its
 * inputs, the default workers and where it came from, the SIMD paths, the
 * pool, and the thread pools of other libraries with their warnings.
 *
 * A fresh process has loaded no other pool; --load dlopens a library first
 * (as numpy loads its OpenBLAS), so that what kernpool would find beside it
 * can be seen.
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernpool.h"

enum { MAX_POOLS = 32, MAX_WARNINGS = 64 };

typedef struct report {
    kp_pool_info info;
    kp_gemm_info gemm;
    int workers; /* as given with --workers, for the warnings */
    kp_foreign_pool pools[MAX_POOLS];
    size_t npools; /* found; at most MAX_POOLS are shown */
    kp_foreign_warning warnings[MAX_WARNINGS];
    size_t nwarnings;
} report;

static const char *source_name(kp_source s)
{
    switch (s) {
    case KP_SOURCE_BUILTIN: return "builtin";
    case KP_SOURCE_ENV: return "env";
    case KP_SOURCE_DETECTED: return "detected";
    case KP_SOURCE_THREAD: return "thread";
    }
    return "unknown";
}

static const char *warning_name(kp_foreign_warning_kind k)
{
    switch (k) {
    case KP_FOREIGN_WARN_OPENMP_MIX: return "openmp_mix";
    case KP_FOREIGN_WARN_GOMP_FORK: return "gomp_fork";
    case KP_FOREIGN_WARN_WEAK_KERNELS: return "weak_kernels";
    case KP_FOREIGN_WARN_OVERSUBSCRIBED: return "oversubscribed";
    }
    return "unknown";
}

static size_t shown(size_t found, size_t cap)
{
    return found < cap ? found : cap;
}

/* ------------------------------------------------------------------ text */

static void print_text(const report *r)
{
    const kp_pool_info *i = &r->info;
    printf("kernpool %s\n\n", kp_version());
    printf("CPU budget            %d (%s)\n", i->cpu_budget, source_name(i->budget_source));
    printf("  affinity mask       %d CPUs (%s) on %d physical cores\n", i->affinity_cpus,
           i->affinity_list[0] ? i->affinity_list : "unreadable", i->affinity_cores);
    if (i->machine_pus > 0)
        printf("  hwloc               %d cores, %d PUs\n", i->machine_cores, i->machine_pus);
    else
        printf("  hwloc               no topology\n");
    if (i->quota_cpus > 0)
        printf("  cgroup quota        %d CPUs (v%d, %s)\n", i->quota_cpus, i->cgroup_version,
               i->quota_file);
    else
        printf("  cgroup quota        none\n");
    if (i->budget_env > 0)
        printf("  KERNPOOL_CPU_BUDGET %d (replaces the detection)\n", i->budget_env);
    else
        printf("  KERNPOOL_CPU_BUDGET %s\n",
               i->budget_env_malformed ? "malformed, ignored" : "unset");

    printf("default workers       %d (%s)%s; workers = -1 means %d threads\n", i->default_workers,
           source_name(i->default_source),
           i->workers_env_malformed ? ", KERNPOOL_WORKERS malformed and ignored" : "",
           kp_workers_resolve(-1));
    printf("SIMD kernels          %s (the CPU allows %s", i->isa_selected, i->isa_supported);
    if (i->isa_env[0] != '\0')
        printf("; KERNPOOL_ISA=%s%s", i->isa_env, i->isa_env_malformed ? ", ignored" : "");
    printf(")\n");
    printf("GEMM engine           %s, %s kernels, %d thread%s of its own\n", r->gemm.engine,
           r->gemm.kernels[0] ? r->gemm.kernels : "unnamed", r->gemm.threads,
           r->gemm.threads == 1 ? "" : "s");
    printf(
        "pool                  %d threads now, at most %d besides the caller; idle spin %u us%s\n",
        i->threads_alive, i->threads_max, i->spin_us,
        i->spin_env_malformed ? " (KERNPOOL_SPIN_US malformed, ignored)" : "");
    printf("forked                %s\n", i->forked ? "yes" : "no");

    printf("\nforeign pools         %zu\n", r->npools);
    for (size_t k = 0; k < shown(r->npools, MAX_POOLS); k++) {
        const kp_foreign_pool *p = &r->pools[k];
        printf("  [%zu] %-9s %-8s %2d threads", k, p->name, p->version[0] ? p->version : "-",
               p->threads);
        if (p->threading[0]) printf(", %s", p->threading);
        if (p->core[0]) printf(", %s kernels", p->core);
        printf("\n      %s\n", p->path);
    }
    printf("warnings              %zu\n", r->nwarnings);
    for (size_t k = 0; k < shown(r->nwarnings, MAX_WARNINGS); k++)
        printf("  - %s\n", r->warnings[k].message);
}

/* ------------------------------------------------------------------ JSON */

static void json_string(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

/* "" as null: a value that is not there. */
static void json_opt_string(const char *s)
{
    if (s[0] == '\0')
        printf("null");
    else
        json_string(s);
}

static const char *json_bool(int v)
{
    return v ? "true" : "false";
}

static void print_json(const report *r)
{
    const kp_pool_info *i = &r->info;
    printf("{\n  \"version\": ");
    json_string(kp_version());
    printf(",\n  \"cpu_budget\": {\n    \"value\": %d,\n    \"source\": \"%s\",\n", i->cpu_budget,
           source_name(i->budget_source));
    printf("    \"affinity\": {\"cpus\": %d, \"cores\": %d, \"list\": ", i->affinity_cpus,
           i->affinity_cores);
    json_opt_string(i->affinity_list);
    printf("},\n    \"hwloc\": {\"cores\": %d, \"pus\": %d},\n", i->machine_cores, i->machine_pus);
    printf("    \"cgroup\": {\"quota_cpus\": %d, \"version\": %d, \"file\": ", i->quota_cpus,
           i->cgroup_version);
    json_opt_string(i->quota_file);
    printf("},\n    \"env\": {\"KERNPOOL_CPU_BUDGET\": ");
    if (i->budget_env > 0)
        printf("%d", i->budget_env);
    else
        printf("null");
    printf(", \"malformed\": %s}\n  },\n", json_bool(i->budget_env_malformed));

    printf("  \"workers\": {\"default\": %d, \"source\": \"%s\", \"env_malformed\": %s, "
           "\"all\": %d},\n",
           i->default_workers, source_name(i->default_source), json_bool(i->workers_env_malformed),
           kp_workers_resolve(-1));
    printf("  \"isa\": {\"supported\": ");
    json_string(i->isa_supported);
    printf(", \"selected\": ");
    json_string(i->isa_selected);
    printf(", \"env\": ");
    json_opt_string(i->isa_env);
    printf(", \"env_malformed\": %s},\n", json_bool(i->isa_env_malformed));
    printf("  \"gemm\": {\"engine\": ");
    json_string(r->gemm.engine);
    printf(", \"kernels\": ");
    json_opt_string(r->gemm.kernels);
    printf(", \"threads\": %d},\n", r->gemm.threads);
    printf("  \"pool\": {\"threads_alive\": %d, \"threads_max\": %d, \"spin_us\": %u, "
           "\"spin_env_malformed\": %s, \"forked\": %s},\n",
           i->threads_alive, i->threads_max, i->spin_us, json_bool(i->spin_env_malformed),
           json_bool(i->forked));

    printf("  \"foreign_pools\": [");
    for (size_t k = 0; k < shown(r->npools, MAX_POOLS); k++) {
        const kp_foreign_pool *p = &r->pools[k];
        printf("%s\n    {\"name\": ", k ? "," : "");
        json_string(p->name);
        printf(", \"path\": ");
        json_string(p->path);
        printf(", \"version\": ");
        json_opt_string(p->version);
        printf(", \"threading\": ");
        json_opt_string(p->threading);
        printf(", \"core\": ");
        json_opt_string(p->core);
        printf(", \"threads\": %d}", p->threads);
    }
    printf("%s],\n  \"foreign_pools_found\": %zu,\n", r->npools ? "\n  " : "", r->npools);
    printf("  \"warnings\": [");
    for (size_t k = 0; k < shown(r->nwarnings, MAX_WARNINGS); k++) {
        const kp_foreign_warning *w = &r->warnings[k];
        printf("%s\n    {\"kind\": \"%s\", \"pool\": ", k ? "," : "", warning_name(w->kind));
        if (w->pool >= 0)
            printf("%d", w->pool);
        else
            printf("null");
        printf(", \"message\": ");
        json_string(w->message);
        putchar('}');
    }
    printf("%s]\n}\n", r->nwarnings ? "\n  " : "");
}

/* ------------------------------------------------------------------ main */

static void usage(FILE *f)
{
    fprintf(f, "usage: kernpool-info [--json] [--workers N] [--load LIBRARY]...\n"
               "\n"
               "Prints what kernpool sees of this process and machine: the CPU budget and\n"
               "its inputs, the default workers, the SIMD kernels, the pool, and the thread\n"
               "pools of other libraries (OpenBLAS, BLIS, MKL, FlexiBLAS, OpenMP) with\n"
               "warnings about them.\n"
               "\n"
               "  --json            machine-readable output (one JSON object)\n"
               "  --workers N       judge oversubscription for kernpool calls with\n"
               "                    workers = N (default 0: the default workers)\n"
               "  --load LIBRARY    dlopen LIBRARY (RTLD_GLOBAL) first, as a program using\n"
               "                    it would have it; may be given more than once\n"
               "  --help            this text\n");
}

static int parse_int(const char *s, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || v < INT_MIN || v > INT_MAX) return -1;
    *out = (int)v;
    return 0;
}

static int fail(const char *what, int status)
{
    fprintf(stderr, "kernpool-info: %s: %s\n", what, kp_strerror(status));
    return 1;
}

int main(int argc, char **argv)
{
    int json = 0;
    static report r;
    for (int a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[a], "--help") == 0 || strcmp(argv[a], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[a], "--workers") == 0 && a + 1 < argc) {
            if (parse_int(argv[++a], &r.workers) != 0) {
                fprintf(stderr, "kernpool-info: --workers wants an integer, not '%s'\n", argv[a]);
                return 2;
            }
        } else if (strcmp(argv[a], "--load") == 0 && a + 1 < argc) {
            if (dlopen(argv[++a], RTLD_NOW | RTLD_GLOBAL) == NULL) {
                fprintf(stderr, "kernpool-info: cannot load %s: %s\n", argv[a], dlerror());
                return 1;
            }
        } else {
            fprintf(stderr, "kernpool-info: unknown or incomplete option '%s'\n", argv[a]);
            usage(stderr);
            return 2;
        }
    }

    int rc = kp_pool_info_get(&r.info);
    if (rc != KP_OK) return fail("kp_pool_info_get", rc);
    rc = kp_gemm_info_get(&r.gemm);
    if (rc != KP_OK) return fail("kp_gemm_info_get", rc);
    rc = kp_foreign_list(r.pools, MAX_POOLS, &r.npools);
    if (rc != KP_OK) return fail("kp_foreign_list", rc);
    rc = kp_foreign_warnings_get(r.pools, shown(r.npools, MAX_POOLS), r.workers, r.warnings,
                                 MAX_WARNINGS, &r.nwarnings);
    if (rc != KP_OK) return fail("kp_foreign_warnings_get", rc);

    if (json)
        print_json(&r);
    else
        print_text(&r);
    return fflush(stdout) == 0 ? 0 : 1;
}
