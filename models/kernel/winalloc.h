/* The kernel's allocator of programmable bridge windows (docs/schemes.md,
 * "Programming windows"): the struct scheme's dma_convert_addr asks it for
 * a window when no window it has on holds an address.  It picks a window
 * that is off, or else the least recently used one no operation uses and
 * boot did not set; sizes and places it by the bridge's rules, in its
 * aperture, clear of everything the kernel knows on that bus; and records
 * it in the software view.  The hardware changes only when the scheme's
 * plan has written the registers (a STEP_PROGRAM).  It allocates IOMMU
 * pages alike (a STEP_IOMMU writes their entries). */
#ifndef DMASIM_KERNEL_WINALLOC_H
#define DMASIM_KERNEL_WINALLOC_H

#include "models/kernel/swview.h"

typedef struct WinGrant {
    unsigned slot;
    WindowParams w;  /* the new setting */
    bool evicted;    /* it replaced an idle window */
    SwWindow old;    /* the record it replaced, to put back */
} WinGrant;

/* A window for miss (swview_last_miss).  False with why when every window
 * of the bridge that way is in use (or set by boot), or when no window its
 * rules allow can hold the range within the aperture. */
bool winalloc_map(const SwView *v, const SwMiss *miss, uint64_t stamp,
                  WinGrant *g, char *why, size_t n);

/* Pages of a bridge's IOMMU for a miss that its IOMMU can map (RAM the
 * bridge's windows do not hold, on the way down to a device): the pages
 * from `first` on map [pa, pa + pages * page_size), which holds the
 * missed range. */
typedef struct IommuGrant {
    uint64_t first, pages;
    uint64_t pa;         /* page-aligned */
    uint64_t evicted;    /* idle pages it remapped */
    SwIommuPage *old;    /* the records it replaced, `pages` of them, to
                            put back: the caller's to free */
} IommuGrant;

/* IOVA allocation: the first run of pages that are all unmapped, else the
 * run of mapped pages no operation uses whose most recent use is oldest
 * (least recently used); recorded in the software view.  False with why
 * when the mapping is larger than the aperture, or when every run that
 * long has a page in use. */
bool winalloc_iommu(const SwView *v, const SwMiss *miss, uint64_t stamp,
                    IommuGrant *g, char *why, size_t n);

#endif
