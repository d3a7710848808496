/* A bridge between a parent and a child bus, translating addresses through
 * `ranges` (downstream) and `dma_ranges` (upstream) windows as a device
 * tree's properties of the same names do (docs/topology.md, "bridge"). */
#ifndef DMASIM_MODELS_BRIDGE_H
#define DMASIM_MODELS_BRIDGE_H

#include "sim/hw/kinds.h"

extern const ModelKind bridge_kind;

/* Its run time (models/bridge_flow.c): the posted-write buffers' state,
 * and what it does to the transactions it carries. */
struct BridgeOps;
extern const struct BridgeOps bridge_flow_ops;
void *bridge_model_new(const CompParams *c);
void bridge_model_free(void *m);
/* Its window registers' bytes (NULL when it has none). */
struct Regions *bridge_model_regions(void *m);

#endif
