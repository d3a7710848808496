/* What the schemes' files share: segment lists and plan helpers. */
#ifndef DMASIM_DMA_API_PLAN_H
#define DMASIM_DMA_API_PLAN_H

#include "models/dma_api/dma_api.h"

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

#endif
