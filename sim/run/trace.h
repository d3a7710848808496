/* Traces of a run (docs/cli.md, "run --trace"): every burst on every bus
 * and every step of every operation, written as Chrome/Perfetto trace
 * JSON (ui.perfetto.dev opens it) or as VCD (GTKWave opens it). */
#ifndef DMASIM_TRACE_H
#define DMASIM_TRACE_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/hw/platform.h"
#include "sim/hw/topology.h"

typedef struct Trace Trace;

Trace *trace_new(void);
void trace_free(Trace *tr);

/* "json" or "vcd" by the file's suffix; NULL for anything else. */
const char *trace_format(const char *path);

/* A scheme's run starts: what follows belongs to it (its own process in
 * JSON, its own scope in VCD).  t must outlive the trace. */
void trace_begin(Trace *tr, const char *scheme, const Topology *t);
/* A BurstTraceFn (opaque: the Trace). */
void trace_burst(void *opaque, const BurstEvent *e);
/* A step of an operation on the track of component `comp` (a master, or
 * core `lane` of a CPU; 0 for others): an API call, cache maintenance, a
 * CPU copy, a DMA transfer. */
void trace_step(Trace *tr, int comp, unsigned lane, const char *what,
                const char *detail, SimTime start, SimTime end);

/* Writes the trace to path (temporary file and rename). */
bool trace_write(const Trace *tr, const char *path, char *err, size_t n);

#endif
