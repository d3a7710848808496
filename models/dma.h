/* A DMA controller: a bus master with channels (docs/topology.md, "dma"). */
#ifndef DMASIM_MODELS_DMA_H
#define DMASIM_MODELS_DMA_H

#include "sim/kinds.h"

typedef struct DmaParams {
    unsigned channels;
    unsigned dma_mask_bits; /* 0: the bus's address width */
} DmaParams;

extern const ModelKind dma_kind;

#endif
