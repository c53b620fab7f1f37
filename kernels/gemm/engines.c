/* GEMM's one engine table: which engine computes the tiles. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "kernels/gemm/gemm.h"

static const kp__gemm_engine *const table[KP_GEMM_ENGINES] = {
    [KP_GEMM_ENGINE_OPENBLAS] = &kp__gemm_openblas,
    [KP_GEMM_ENGINE_REFERENCE] = &kp__gemm_reference,
    [KP_GEMM_ENGINE_NATIVE] = &kp__gemm_native,
};

/* kernpool's own kernels where they run (AVX-512: they reach or pass
 * OpenBLAS's AVX-512 kernels from n = 128 on, and Debian's OpenBLAS picks
 * its AVX2 ones on some AVX-512 CPUs), else OpenBLAS. Follows
 * kp__isa_selected(), as the reductions' kernels do. */
static atomic_int forced = KP_GEMM_ENGINE_AUTO;

const kp__gemm_engine *kp__gemm_engine_get(void)
{
    int id = atomic_load_explicit(&forced, memory_order_relaxed);
    if (id == KP_GEMM_ENGINE_AUTO)
        id = kp__gemm_native_available() ? KP_GEMM_ENGINE_NATIVE : KP_GEMM_ENGINE_OPENBLAS;
    return table[id];
}

kp__gemm_engine_id kp__gemm_engine_force(kp__gemm_engine_id id)
{
    if (id < KP_GEMM_ENGINE_AUTO || id >= KP_GEMM_ENGINES) id = KP_GEMM_ENGINE_AUTO;
    if (id == KP_GEMM_ENGINE_NATIVE && !kp__gemm_native_available()) id = KP_GEMM_ENGINE_OPENBLAS;
    return (kp__gemm_engine_id)atomic_exchange_explicit(&forced, (int)id, memory_order_relaxed);
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
