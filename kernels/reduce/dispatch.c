/* The reductions' one dispatch table: kernels by instruction set. */
#include "kernels/reduce/reduce.h"

const kp__reduce_kernels *kp__reduce_kernels_get(void)
{
    static const kp__reduce_kernels *const table[KP_ISA_COUNT] = {
        [KP_ISA_PORTABLE] = &kp__reduce_portable,
#if defined(__x86_64__)
        [KP_ISA_AVX2] = &kp__reduce_avx2,
        [KP_ISA_AVX512] = &kp__reduce_avx512,
#else
        [KP_ISA_AVX2] = &kp__reduce_portable,
        [KP_ISA_AVX512] = &kp__reduce_portable,
#endif
    };
    return table[kp__isa_selected()];
}
