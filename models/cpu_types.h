/* What software knows of the processor without its timed model
 * (models/cpu.h): its parameters and the cache operations it offers. */
#ifndef DMASIM_MODELS_CPU_TYPES_H
#define DMASIM_MODELS_CPU_TYPES_H

typedef struct CpuParams {
    unsigned line_bytes;       /* data cache line */
    unsigned call_cycles;      /* software cost of one DMA API call */
    unsigned cache_line_cycles; /* one dcbf/dcbi */
    unsigned copy_line_cycles; /* CPU work per line copied, besides the bus */
    unsigned cores;            /* software steps that run at once */
} CpuParams;

typedef enum { CACHE_FLUSH, CACHE_INVALIDATE } CacheOp;

#endif
