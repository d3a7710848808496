/* A DMA controller: a bus master with channels (docs/topology.md, "dma";
 * docs/timing.md, "DMA engine").
 *
 * A transfer follows the dmaengine life cycle: the caller prepares a
 * DmaXfer (channel, scatter-gather segments, optional descriptor address),
 * submits it (getting a rising cookie), and is called back once with a
 * result and a residue.  Each channel runs its transfers in order, reads
 * filling its FIFO while writes drain it; the channels of one engine run
 * at once and compete for the bus. */
#ifndef DMASIM_MODELS_DMA_H
#define DMASIM_MODELS_DMA_H

#include "models/dma_types.h"
#include "sim/hw/kinds.h"
#include "sim/hw/platform.h"

extern const ModelKind dma_kind;

typedef struct DmaXfer DmaXfer;
typedef struct DmaEngine DmaEngine;
typedef void DmaDoneFn(Sim *sim, DmaXfer *x, void *opaque);

struct DmaXfer {
    /* set by the caller */
    unsigned channel;
    const DmaSeg *segs;
    size_t n_segs;
    uint64_t desc_addr; /* descriptors in memory, fetched one per segment
                           before it; 0: programmed through registers */
    DmaDoneFn *done;
    void *opaque;
    /* set by the engine */
    uint64_t cookie;
    RouteStatus result; /* ROUTE_OK, or the first bus error */
    uint64_t residue;   /* bytes not moved */
    SimTime submitted, completed;
    Xact io;           /* with a bus error: the transaction that met it */
    /* internal */
    void *engine;
    DmaXfer *next;     /* in its channel's queue */
    size_t seg;        /* the read cursor: segment, */
    uint64_t off;      /* and bytes of it read */
    size_t desc_seg;   /* segments whose descriptor is in, + 1 (0: none) */
    uint64_t total, written;
    int state;
};

/* The channels of a DMA master, for kinds that embed one (a bus-mastering
 * device has its own). */
DmaEngine *dma_engine_new(const DmaParams *p);
void dma_engine_free(DmaEngine *e);
unsigned dma_engine_channels(const DmaEngine *e);
extern const Field dma_engine_fields[]; /* channels, buffer, … */
extern const DmaParams dma_engine_defaults;

/* Submits x to channel x->channel of the DMA master `comp` (a dma
 * component, or a device with a master); returns its cookie.  x must stay
 * valid until done is called. */
uint64_t dma_submit(Platform *p, int comp, DmaXfer *x);

#endif
