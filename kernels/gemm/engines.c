/* GEMM's one engine table: which engine computes the tiles. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "kernels/gemm/gemm.h"

static const kp__gemm_engine *const table[KP_GEMM_ENGINES] = {
    [KP_GEMM_ENGINE_OPENBLAS] = &kp__gemm_openblas,
    [KP_GEMM_ENGINE_REFERENCE] = &kp__gemm_reference,
};

/* OpenBLAS until a test forces another. A native engine would be chosen
 * here from kp__isa_selected(), as the reductions choose their kernels. */
static atomic_int selected = KP_GEMM_ENGINE_OPENBLAS;

const kp__gemm_engine *kp__gemm_engine_get(void)
{
    return table[atomic_load_explicit(&selected, memory_order_relaxed)];
}

kp__gemm_engine_id kp__gemm_engine_force(kp__gemm_engine_id id)
{
    if (id < 0 || id >= KP_GEMM_ENGINES) id = KP_GEMM_ENGINE_OPENBLAS;
    return (kp__gemm_engine_id)atomic_exchange_explicit(&selected, (int)id, memory_order_relaxed);
}

int kp_gemm_info_get(kp_gemm_info *info)
{
    if (info == NULL) return KP_ENULL;
    const kp__gemm_engine *e = kp__gemm_engine_get();
    kp_gemm_info r;
    memset(&r, 0, sizeof r);
    snprintf(r.engine, sizeof r.engine, "%s", e->name);
    const char *core = e->core != NULL ? e->core() : NULL;
    snprintf(r.kernels, sizeof r.kernels, "%s", core != NULL ? core : "");
    r.threads = e->threads != NULL ? e->threads() : 1;
    *info = r;
    return KP_OK;
}
