/*
 * The report's context about kernpool itself, for the benchmark programs
 * that link it (common.c must not: the OpenBLAS peer shares it).
 */
#ifndef KPB_CONTEXT_KERNPOOL_H
#define KPB_CONTEXT_KERNPOOL_H

#include <stdio.h>

#include "harness.h"
#include "kernpool.h"

/* kernpool's version, CPU budget, the pool's spin time and the ISA its
 * kernels chose. */
static inline void bench_context_kernpool(void)
{
    char text[64];
    kpb_context("kernpool_version", kp_version());
    snprintf(text, sizeof text, "%d", kp_cpu_budget());
    kpb_context("kernpool_cpu_budget", text);
    kp_pool_info info;
    if (kp_pool_info_get(&info) == KP_OK) {
        snprintf(text, sizeof text, "%u", info.spin_us);
        kpb_context("kernpool_spin_us", text);
        kpb_context("kernpool_isa_selected", info.isa_selected);
    }
}

#endif
