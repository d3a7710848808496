/* What the schemes' files share: segment lists and plan helpers. */
#ifndef DMASIM_DMA_API_PLAN_H
#define DMASIM_DMA_API_PLAN_H

#include "models/dma_api/dma_api.h"

void segs_add(SegList *l, uint64_t addr, uint64_t len);
void segs_free(SegList *l);

/* Appends "; why" to plan->choice. */
void plan_note(Plan *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The first DMA engine (a `dma` master) on a root bus: what the flat API's
 * drivers hard-wire. */
int first_root_engine(const Topology *t);
/* The addresses master m can drive: its dma_mask. */
uint64_t master_mask(const Topology *t, int m);

#endif
