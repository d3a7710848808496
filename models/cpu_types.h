/* What software knows of the processor without its timed model
 * (models/cpu.h): its parameters and the cache operations it offers. */
#ifndef DMASIM_MODELS_CPU_TYPES_H
#define DMASIM_MODELS_CPU_TYPES_H

#include <stdint.h>

typedef struct CpuParams {
    unsigned line_bytes;       /* data cache line */
    unsigned call_cycles;      /* software cost of one DMA API call */
    unsigned cache_line_cycles; /* one dcbf/dcbi */
    unsigned copy_line_cycles; /* CPU work per line copied, besides the bus */
    unsigned cores;            /* software steps that run at once */
    uint64_t dcache_bytes;     /* data cache: size (kernel.coherent false) */
    unsigned dcache_ways;      /* and associativity */
} CpuParams;

typedef enum {
    CACHE_FLUSH,      /* dcbf: write a dirty line back, drop the line */
    CACHE_INVALIDATE, /* dcbi: drop the line, dirty or not */
    CACHE_CLEAN,      /* dcbst: write a dirty line back, keep it clean */
    CACHE_INV_SAFE,   /* for a device's write: dcbf on a line the range
                         covers in part (it holds other data), dcbi on
                         the rest (Linux's __dma_sync, DMA_FROM_DEVICE) */
} CacheOp;

#endif
