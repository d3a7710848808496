/* Memories: sdram (system RAM behind a DDR or SDR controller: banks, open
 * rows, one data bus every path shares, refresh) and sram (on-chip RAM).
 * docs/timing.md gives the formulas. */
#ifndef DMASIM_MODELS_MEMORY_H
#define DMASIM_MODELS_MEMORY_H

#include "sim/hw/kinds.h"

typedef struct SdramParams {
    uint64_t base, size_bytes;
    unsigned banks;          /* power of two */
    uint64_t row_bytes;      /* bytes of one row across the data path */
    unsigned cl, trcd, trp;  /* memory-clock cycles */
    unsigned wl;             /* write latency: command to write data */
    unsigned twtr;           /* write data to a read command */
    unsigned trefi, trfc;    /* a refresh every trefi cycles, for trfc;
                                trefi 0: none */
    unsigned data_bits;      /* width of the memory data path */
    bool ddr;                /* two transfers per memory clock */
} SdramParams;

typedef struct SramParams {
    uint64_t base, size_bytes;
    unsigned latency_cycles; /* bus cycles from address to first data */
    unsigned wait_states;    /* extra bus cycles per data beat */
} SramParams;

extern const ModelKind sdram_kind;
extern const ModelKind sram_kind;

/* The SDRAM's cost of one burst, updating its open rows and booking its
 * data bus; exposed for the tests.  m is the sdram model
 * (platform_model). */
TargetTiming sdram_timing(void *m, const CompParams *c, const TimingQuery *q);
/* What its data bus moved, from the start of its first burst's data to
 * the end of its last (for the tests). */
void sdram_traffic(void *m, uint64_t *bytes, SimTime *from, SimTime *to);

#endif
