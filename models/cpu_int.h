/* Private to the CPU model's two files: models/cpu.c (the cores, calls,
 * copies and PIO) and models/cpu_cache.c (the data cache's lines in and
 * out, maintenance, and the driver's own untimed accesses). */
#ifndef DMASIM_MODELS_CPU_INT_H
#define DMASIM_MODELS_CPU_INT_H

#include "models/cpu.h"
#include "models/dcache.h"

/* The cores: which are busy, and the operations waiting for one. */
typedef struct CpuModel {
    unsigned n, free;
    bool *busy;
    CpuOp *head, *tail;
    DCache *dc; /* its data cache, made at first use where it holds data */
} CpuModel;

/* What a copy is doing (CpuOp.state). */
enum { OP_WAIT, OP_LOAD, OP_STORE, OP_DONE };

const CpuParams *cpu_params(const CpuOp *op);
/* The CPU's data cache where it holds data: on a non-coherent platform
 * (on a coherent one DMA snoops it, and it is not modelled); NULL there. */
DCache *cpu_dcache(Platform *p, int cpu);
/* Asks for a core for op, which then runs `run`. */
void cpu_begin(Platform *p, int cpu, CpuOp *op, void (*run)(CpuOp *),
               CpuDoneFn *done, void *opaque);
/* Completes op `cycles` CPU cycles from now. */
void cpu_after_cycles(CpuOp *op, uint64_t cycles);
/* Ends op with the bus error of its transaction io. */
void cpu_fail(CpuOp *op, const Xact *io);

/* Makes the line of pa present, then cpu_line_ready(op): a hit at once;
 * a miss takes its set's victim (written back first if dirty), then
 * fetches the line from memory, or zeroes it when `fill` is false (a
 * store that will cover it whole). */
void cpu_need_line(CpuOp *op, uint64_t pa, bool fill);
/* The copy's next step once its line is present (models/cpu.c). */
void cpu_line_ready(CpuOp *op);

#endif
