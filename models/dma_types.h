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
    unsigned buffer_bytes;   /* per-channel FIFO; 0: two bursts */
    unsigned max_burst;      /* bytes one transaction moves at most; 0:
                                16 beats of its bus */
    unsigned max_reads;      /* reads in flight per channel (PCI-X:
                                outstanding split transactions) */
    unsigned max_read_bytes; /* PCI-X: its Maximum Memory Read Byte
                                Count; 0: its bus's */
    unsigned desc_bytes;     /* one descriptor in memory */
    unsigned setup_cycles;   /* engine cycles to start a transfer */
    unsigned irq_cycles;     /* engine cycles to raise completion */
    bool memcpy;             /* a copy engine: it copies memory to memory
                                (dmaengine's DMA_MEMCPY); otherwise it moves
                                data between its own regions and memory */
} DmaParams;

/* The most one transaction of the engine moves: max_burst, or 16 beats
 * of its bus; never more than its FIFO. */
static inline uint64_t dma_burst_bytes(const DmaParams *p,
                                       unsigned bus_width_bits)
{
    uint64_t b = p->max_burst ? p->max_burst : 16ULL * (bus_width_bits / 8);
    return p->buffer_bytes && p->buffer_bytes < b ? p->buffer_bytes : b;
}

/* Its FIFO per channel: buffer, or two bursts (double buffering). */
static inline uint64_t dma_fifo_bytes(const DmaParams *p,
                                      unsigned bus_width_bits)
{
    return p->buffer_bytes ? p->buffer_bytes
                           : 2 * dma_burst_bytes(p, bus_width_bits);
}

/* One scatter-gather segment, in addresses on the engine's bus.  A fixed
 * end is one register (a FIFO): the engine does not increment that
 * address, and moves at most fixed_unit bytes per transaction. */
typedef struct DmaSeg {
    uint64_t src, dst, len;
    bool src_fixed, dst_fixed;
    unsigned fixed_unit; /* with a fixed end: the register's width */
} DmaSeg;

#endif
