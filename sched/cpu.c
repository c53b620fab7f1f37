/*
 * Which SIMD path the kernels take: the CPU's features (cpuid) and the OS's
 * register saving (xgetbv), optionally capped by KERNPOOL_ISA.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "sched/internal.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static unsigned long long xgetbv0(void)
{
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
}

static kp__isa detect(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return KP_ISA_PORTABLE;
    const int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    if (!osxsave || !avx) return KP_ISA_PORTABLE;
    unsigned long long xcr0 = xgetbv0();
    if ((xcr0 & 0x6) != 0x6) return KP_ISA_PORTABLE; /* XMM and YMM state */
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return KP_ISA_PORTABLE;
    const int avx2 = (b >> 5) & 1;
    const int avx512 = ((b >> 16) & 1) && ((b >> 17) & 1) && ((b >> 30) & 1) && ((b >> 31) & 1);
    if (!avx2 || !fma) return KP_ISA_PORTABLE;
    if (avx512 && (xcr0 & 0xe6) == 0xe6) return KP_ISA_AVX512; /* opmask, ZMM state */
    return KP_ISA_AVX2;
}
#else
static kp__isa detect(void)
{
    return KP_ISA_PORTABLE;
}
#endif

static const char *const names[KP_ISA_COUNT] = {"portable", "avx2", "avx512"};

const char *kp__isa_name(kp__isa isa)
{
    return isa >= 0 && isa < KP_ISA_COUNT ? names[isa] : "unknown";
}

/* -1 until first use; both are read-mostly and cheap to recompute. */
static atomic_int supported = -1;
static atomic_int selected = -1;

kp__isa kp__isa_supported(void)
{
    int s = atomic_load_explicit(&supported, memory_order_relaxed);
    if (s < 0) {
        s = (int)detect();
        atomic_store_explicit(&supported, s, memory_order_relaxed);
    }
    return (kp__isa)s;
}

kp__isa kp__isa_selected(void)
{
    int s = atomic_load_explicit(&selected, memory_order_relaxed);
    if (s < 0) {
        s = (int)kp__isa_supported();
        const char *want = getenv("KERNPOOL_ISA");
        for (int i = 0; want != NULL && i < KP_ISA_COUNT; i++)
            if (strcmp(want, names[i]) == 0 && i < s) s = i;
        atomic_store_explicit(&selected, s, memory_order_relaxed);
    }
    return (kp__isa)s;
}

const char *kp__isa_env(int *malformed)
{
    const char *want = getenv("KERNPOOL_ISA");
    *malformed = 0;
    if (want == NULL || *want == '\0') return NULL; /* empty: unset, as the other variables */
    *malformed = 1;
    for (int i = 0; i < KP_ISA_COUNT; i++)
        if (strcmp(want, names[i]) == 0) *malformed = 0;
    return want;
}

void kp__isa_fork_child(void)
{
    atomic_store_explicit(&selected, -1, memory_order_relaxed);
}

kp__isa kp__isa_force(kp__isa isa)
{
    kp__isa old = kp__isa_selected();
    kp__isa best = kp__isa_supported();
    atomic_store_explicit(&selected, (int)(isa < best ? isa : best), memory_order_relaxed);
    return old;
}
