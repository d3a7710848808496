/* What software knows of a DMA master without its timed model
 * (models/dma.h): the parameters a driver programs it by, and the
 * segments it is programmed with. */
#ifndef DMASIM_MODELS_DMA_TYPES_H
#define DMASIM_MODELS_DMA_TYPES_H

#include <stdbool.h>
#include <stdint.h>

typedef struct DmaParams {
    unsigned channels;
    unsigned dma_mask_bits;  /* 0: the bus's address width */
    unsigned buffer_bytes;   /* per-channel read-then-write buffer */
    unsigned desc_bytes;     /* one descriptor in memory */
    unsigned setup_cycles;   /* engine cycles to start a transfer */
    unsigned irq_cycles;     /* engine cycles to raise completion */
    bool memcpy;             /* a copy engine: it copies memory to memory
                                (dmaengine's DMA_MEMCPY); otherwise it moves
                                data between its own regions and memory */
} DmaParams;

/* One scatter-gather segment, in addresses on the engine's bus.  A fixed
 * end is one register (a FIFO): the engine does not increment that
 * address, and moves at most fixed_unit bytes per transaction. */
typedef struct DmaSeg {
    uint64_t src, dst, len;
    bool src_fixed, dst_fixed;
    unsigned fixed_unit; /* with a fixed end: the register's width */
} DmaSeg;

#endif
