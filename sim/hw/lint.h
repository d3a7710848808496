/* The findings of `dmasim check` beyond those of building the decoders:
 * what each master can reach. */
#ifndef DMASIM_LINT_H
#define DMASIM_LINT_H

#include "sim/core/diag.h"
#include "sim/hw/topology.h"

/* Adds to d, for a topology whose decoders built without errors:
 *  - "unreachable" warnings: memory no master can reach;
 *  - "dma-mask" warnings: a master's dma_mask leaves RAM out of reach that
 *    its bus's windows would otherwise lead to;
 *  - "dma-window" warnings: no window leads a master to part of RAM. */
void lint_reachability(const Topology *t, Diag *d);

/* The bytes of region `region` of component `comp` that master `master`
 * reaches, within its dma_mask when `use_mask`; for tests and the CLI. */
uint64_t lint_reach_bytes(const Topology *t, int master, int comp,
                          int region, bool use_mask);

/* An address master `master` can issue (within its dma_mask) to reach
 * byte `off` of region `region` of component `comp`: the translation a
 * dma_convert_addr() needs.  False if no route leads there. */
bool lint_master_addr(const Topology *t, int master, int comp, int region,
                      uint64_t off, uint64_t *addr);

#endif
