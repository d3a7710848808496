/* A device: memory, FIFO and I/O regions on its bus, and optionally its
 * own DMA master (docs/topology.md, "device"). */
#ifndef DMASIM_MODELS_DEVICE_H
#define DMASIM_MODELS_DEVICE_H

#include "models/dma.h"
#include "sim/hw/kinds.h"

typedef struct DeviceParams {
    RegionParams *regions;
    size_t n_regions;
    bool has_master;
    DmaParams engine;       /* its master: dma_mask, channels, buffer, … */
    SrcPos master_pos;
    char *master_path;
    unsigned latency_cycles; /* bus cycles from address to first data */
    unsigned wait_states;    /* extra bus cycles per data beat */
    unsigned local_width;    /* its own memory's port, for its master: */
    uint64_t local_hz;       /* bits, clock, */
    unsigned local_latency;  /* and cycles to first data */
} DeviceParams;

extern const ModelKind device_kind;

/* A `regions:` list, shared with any kind that decodes several ranges.
 * dst is a DeviceParams-like pair: RegionParams *, size_t. */
bool device_f_regions(Loader *ld, yaml_node_t *v, void *dst);

#endif
