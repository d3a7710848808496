/* The kernel's allocator of programmable bridge windows (docs/schemes.md,
 * "Programming windows"): the struct scheme's dma_convert_addr asks it for
 * a window when no window it has on holds an address.  It picks a window
 * that is off, or else the least recently used one no operation uses and
 * boot did not set; sizes and places it by the bridge's rules, in its
 * aperture, clear of everything the kernel knows on that bus; and records
 * it in the software view.  The hardware changes only when the scheme's
 * plan has written the registers (a STEP_PROGRAM). */
#ifndef DMASIM_KERNEL_WINALLOC_H
#define DMASIM_KERNEL_WINALLOC_H

#include "models/kernel/swview.h"

typedef struct WinGrant {
    unsigned slot;
    WindowParams w;  /* the new setting */
    bool evicted;    /* it replaced an idle window */
} WinGrant;

/* A window for miss (swview_last_miss).  False with why when every window
 * of the bridge that way is in use (or set by boot), or when no window its
 * rules allow can hold the range within the aperture. */
bool winalloc_map(const SwView *v, const SwMiss *miss, uint64_t stamp,
                  WinGrant *g, char *why, size_t n);

#endif
