/* Memories: sdram (system RAM) and sram (on-chip RAM). */
#ifndef DMASIM_MODELS_MEMORY_H
#define DMASIM_MODELS_MEMORY_H

#include "sim/kinds.h"

typedef struct MemoryParams {
    uint64_t base, size_bytes;
    unsigned latency_cycles; /* bus cycles from address to first data */
    unsigned wait_states;    /* extra bus cycles per data beat */
} MemoryParams;

extern const ModelKind sdram_kind;
extern const ModelKind sram_kind;

#endif
