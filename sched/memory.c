/* Large work spaces on huge pages. */
#define _DEFAULT_SOURCE /* madvise's MADV_HUGEPAGE */
#include <stdlib.h>
#include <sys/mman.h>

#include "sched/internal.h"

/* Blocks from KP_HUGE_PAGE on are whole huge pages, advised into
 * transparent huge pages where the kernel takes advice: a block read at
 * strides of whole pages then takes far fewer TLB misses, and a first
 * touch faults once per 2 MiB instead of once per 4 KiB. */
void *kp__huge_alloc(size_t bytes)
{
    if (bytes < KP_HUGE_PAGE) return malloc(bytes);
    if (bytes > SIZE_MAX - KP_HUGE_PAGE) return NULL;
    const size_t whole = (bytes + KP_HUGE_PAGE - 1) / KP_HUGE_PAGE * KP_HUGE_PAGE;
    void *mem = aligned_alloc(KP_HUGE_PAGE, whole);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (mem != NULL) (void)madvise(mem, whole, MADV_HUGEPAGE); /* advice only */
#endif
    return mem;
}
