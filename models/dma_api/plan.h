/* What the schemes' files share: segment lists and plan helpers. */
#ifndef DMASIM_DMA_API_PLAN_H
#define DMASIM_DMA_API_PLAN_H

#include "models/dma_api/dma_api.h"
#include "models/kernel/winalloc.h"

void segs_add(SegList *l, uint64_t addr, uint64_t len);
void segs_free(SegList *l);

/* Appends "; why" to plan->choice. */
void plan_note(Plan *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The first copy engine (a DMA controller) on a root bus: what the flat
 * API's drivers hard-wire; -1 if there is none. */
int first_root_engine(const SwView *v);
/* The last address master m can drive: its dma_mask. */
uint64_t master_mask(const SwView *v, int m);

/* IOMMU pages for miss (a range of RAM on the way down to a device
 * through a bridge with an IOMMU): the allocator's choice in the kernel's
 * record (undone if the plan is given up), and a STEP_IOMMU in c's plan
 * that writes their entries before anything uses them.  The grant in
 * *out when out is given.  False with why, prefixed with who. */
bool plan_map_iommu(const ApiCtx *c, const SwMiss *miss, const char *who,
                    IommuGrant *out, char *why, size_t n);

#endif
