/*
 * Cache sizes from hwloc, for the kernels that block for them (GEMM's
 * tiles), and the level-1 cache's ways (the FFT's radices). The first cache
 * of each level is taken as representative: the kernels tune a block size
 * with it, they do not rely on it for correctness. Read once; a forked
 * child runs on the same hardware and keeps the values.
 */
#include <hwloc.h>
#include <pthread.h>

#include "sched/internal.h"

static kp__cache_info info;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static const struct hwloc_cache_attr_s *cache_attr(hwloc_topology_t topo, hwloc_obj_type_t type)
{
    hwloc_obj_t obj = hwloc_get_obj_by_type(topo, type, 0);
    return obj != NULL && obj->attr != NULL ? &obj->attr->cache : NULL;
}

static size_t cache_size(hwloc_topology_t topo, hwloc_obj_type_t type)
{
    const struct hwloc_cache_attr_s *c = cache_attr(topo, type);
    return c != NULL ? (size_t)c->size : 0;
}

static void load(void)
{
    info.l1d = 32 * 1024;
    info.l2 = 512 * 1024;
    hwloc_topology_t topo;
    if (hwloc_topology_init(&topo) != 0) return;
    hwloc_topology_set_io_types_filter(topo, HWLOC_TYPE_FILTER_KEEP_NONE);
    hwloc_topology_set_icache_types_filter(topo, HWLOC_TYPE_FILTER_KEEP_NONE);
    if (hwloc_topology_load(topo) == 0) {
        const struct hwloc_cache_attr_s *c1 = cache_attr(topo, HWLOC_OBJ_L1CACHE);
        size_t l1 = c1 != NULL ? (size_t)c1->size : 0;
        size_t l2 = cache_size(topo, HWLOC_OBJ_L2CACHE);
        if (l1 > 0) {
            info.l1d = l1;
            info.l1d_ways = c1->associativity;
        }
        if (l2 > 0) info.l2 = l2;
        info.from_hwloc = l1 > 0 || l2 > 0;
    }
    hwloc_topology_destroy(topo);
}

const kp__cache_info *kp__cache_get(void)
{
    pthread_once(&once, load);
    return &info;
}
