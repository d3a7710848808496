/* What the schemes share: segment lists, and the copy planner that every
 * scheme runs with its own policy (docs/schemes.md). */
#ifndef DMASIM_DMA_API_PLAN_H
#define DMASIM_DMA_API_PLAN_H

#include "models/dma_api/dma_api.h"

typedef struct Seg {
    uint64_t addr, len;
} Seg;

/* Addresses on one master's bus covering one end of an operation. */
typedef struct SegList {
    Seg *v;
    size_t n, cap;
    bool fixed; /* a FIFO register: one address */
    bool split; /* keep adjacent segments apart (map_sg of pages) */
} SegList;

void segs_add(SegList *l, uint64_t addr, uint64_t len);
void segs_free(SegList *l);

typedef enum {
    MAP_OK,     /* the segments are what the master should drive */
    MAP_BOUNCE, /* the scheme bounces this end (the reason says why) */
    MAP_REFUSE, /* an API error (the reason says why) */
} MapResult;

/* A scheme's choices. */
typedef struct Policy {
    /* engine: auto.  Returns a master or ENGINE_CPU, explaining in
     * plan->choice; may refuse. */
    int (*choose)(const ApiCtx *c, const ApiOp *op, Plan *p);
    /* dma_map_single / dma_map_sg of [off, off + len) of b for master m. */
    MapResult (*map)(const ApiCtx *c, int m, const ApiBuffer *b, uint64_t off,
                     uint64_t len, MapKind how, SegList *out, char *why,
                     size_t n);
    /* Optional: the scheme copies with the CPU rather than use master m. */
    bool (*cpu_instead)(const ApiCtx *c, int m, Plan *p);
} Policy;

/* Appends "; why" to plan->choice. */
void plan_note(Plan *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void plan_copy(const ApiCtx *c, const ApiOp *op, const Policy *pol, Plan *p);

/* The first DMA engine (a `dma` master) on a root bus: what the flat API's
 * drivers hard-wire. */
int first_root_engine(const Topology *t);
/* The addresses master m can drive: its dma_mask. */
uint64_t master_mask(const Topology *t, int m);

#endif
