/*
 * kp_cpu_budget(): the CPUs this process may really use.
 *
 *   budget = min(physical cores holding a CPU of the affinity mask,
 *                ceil(tightest cgroup CPU quota))
 * or KERNPOOL_CPU_BUDGET when that is set. Never sysconf(_SC_NPROCESSORS_ONLN):
 * a container granted 2 CPUs of a 64-CPU host must see 2.
 *
 * Detection loads the hwloc topology (milliseconds), so it runs once per
 * process and again in a forked child, whose mask or cgroup may differ.
 */
#define _GNU_SOURCE
#include <hwloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "sched/internal.h"

#define BUDGET_MAX (1 << 20)

/* The affinity mask, grown until the kernel's CPU count fits; NULL if it
 * cannot be read (then *size is 0). The caller frees it with CPU_FREE. */
static cpu_set_t *affinity_mask(size_t *size)
{
    for (int ncpus = 1024; ncpus <= (1 << 22); ncpus *= 2) {
        cpu_set_t *set = CPU_ALLOC(ncpus);
        if (set == NULL) break;
        *size = CPU_ALLOC_SIZE(ncpus);
        if (sched_getaffinity(0, *size, set) == 0) return set;
        CPU_FREE(set);
        /* EINVAL means the mask is larger than ours; anything else is final. */
    }
    *size = 0;
    return NULL;
}

/* The mask as a CPU list ("0-3,8"), cut with "..." if it does not fit. */
static void format_list(const cpu_set_t *set, size_t size, char *out, size_t cap)
{
    size_t len = 0, ncpus = 8 * size;
    out[0] = '\0';
    for (size_t cpu = 0; cpu < ncpus; cpu++) {
        if (!CPU_ISSET_S(cpu, size, set)) continue;
        size_t last = cpu;
        while (last + 1 < ncpus && CPU_ISSET_S(last + 1, size, set))
            last++;
        char item[48];
        int n = last == cpu ? snprintf(item, sizeof item, "%s%zu", len ? "," : "", cpu)
                            : snprintf(item, sizeof item, "%s%zu-%zu", len ? "," : "", cpu, last);
        if (len + (size_t)n + 4 > cap) { /* room for "..." and the terminator */
            memcpy(out + len, "...", 4);
            return;
        }
        memcpy(out + len, item, (size_t)n + 1);
        len += (size_t)n;
        cpu = last;
    }
}

/* Physical cores holding at least one CPU of the mask: each hwloc core that
 * intersects the mask counts once, and a CPU that hwloc places in no core
 * counts as a core of its own. 0 if the topology cannot be loaded. The
 * topology's own PUs and cores go to *pus and *machine_cores. */
static int count_cores(const cpu_set_t *set, size_t size, int *pus, int *machine_cores)
{
    hwloc_topology_t topo;
    if (hwloc_topology_init(&topo) != 0) return 0;
    int cores = 0;
    hwloc_bitmap_t mask = hwloc_bitmap_alloc();
    hwloc_bitmap_t covered = hwloc_bitmap_alloc();
    /* Only cores and PUs are needed: skipping caches and I/O keeps the load short. */
    hwloc_topology_set_cache_types_filter(topo, HWLOC_TYPE_FILTER_KEEP_NONE);
    hwloc_topology_set_io_types_filter(topo, HWLOC_TYPE_FILTER_KEEP_NONE);
    if (mask == NULL || covered == NULL || hwloc_topology_load(topo) != 0) goto done;

    for (size_t cpu = 0; cpu < 8 * size; cpu++)
        if (CPU_ISSET_S(cpu, size, set)) hwloc_bitmap_set(mask, (unsigned)cpu);
    int ncores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
    *pus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
    *machine_cores = ncores;
    for (int i = 0; i < ncores; i++) {
        hwloc_obj_t core = hwloc_get_obj_by_type(topo, HWLOC_OBJ_CORE, (unsigned)i);
        if (core != NULL && hwloc_bitmap_intersects(core->cpuset, mask)) {
            cores++;
            hwloc_bitmap_or(covered, covered, core->cpuset);
        }
    }
    hwloc_bitmap_andnot(mask, mask, covered);
    cores += hwloc_bitmap_weight(mask);
done:
    hwloc_bitmap_free(covered);
    hwloc_bitmap_free(mask);
    hwloc_topology_destroy(topo);
    return cores;
}

void kp__budget_detect(const char *cgroup_root, kp__budget_report *out)
{
    memset(out, 0, sizeof *out);
    out->source = KP_SOURCE_DETECTED;

    size_t size;
    cpu_set_t *set = affinity_mask(&size);
    if (set != NULL) {
        out->affinity_cpus = CPU_COUNT_S(size, set);
        out->affinity_cores = count_cores(set, size, &out->machine_pus, &out->machine_cores);
        format_list(set, size, out->affinity_list, sizeof out->affinity_list);
        CPU_FREE(set);
    }
    kp__cgroup_quota(cgroup_root, &out->quota);

    int budget = out->affinity_cores > 0 ? out->affinity_cores : out->affinity_cpus;
    if (out->quota.cpus > 0 && (budget == 0 || out->quota.cpus < budget)) budget = out->quota.cpus;
    out->budget = budget >= 1 ? budget : 1;
}

static pthread_mutex_t budget_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int budget_ready;
static kp__budget_report budget; /* written once under budget_lock, then read-only */

static void budget_load(kp__budget_report *r)
{
    const char *root = getenv("KERNPOOL_CGROUP_ROOT");
    kp__budget_detect(root != NULL ? root : "", r);

    long v;
    switch (kp__env_long("KERNPOOL_CPU_BUDGET", 1, BUDGET_MAX, &v)) {
    case KP_ENV_VALID:
        r->budget = (int)v;
        r->env_value = (int)v;
        r->source = KP_SOURCE_ENV;
        break;
    case KP_ENV_MALFORMED: r->env_malformed = 1; break;
    case KP_ENV_UNSET: break;
    }
}

const kp__budget_report *kp__budget_get(void)
{
    if (!atomic_load_explicit(&budget_ready, memory_order_acquire)) {
        (void)kp__process_init();
        pthread_mutex_lock(&budget_lock);
        if (!atomic_load_explicit(&budget_ready, memory_order_relaxed)) {
            budget_load(&budget);
            atomic_store_explicit(&budget_ready, 1, memory_order_release);
        }
        pthread_mutex_unlock(&budget_lock);
    }
    return &budget;
}

int kp_cpu_budget(void)
{
    return kp__budget_get()->budget;
}

void kp__budget_fork_prepare(void)
{
    pthread_mutex_lock(&budget_lock);
}

void kp__budget_fork_parent(void)
{
    pthread_mutex_unlock(&budget_lock);
}

void kp__budget_fork_child(void)
{
    atomic_store_explicit(&budget_ready, 0, memory_order_relaxed);
    pthread_mutex_unlock(&budget_lock);
}
