/* The processor: a bus master whose addresses are physical addresses on
 * its bus (docs/topology.md, "cpu"). */
#ifndef DMASIM_MODELS_CPU_H
#define DMASIM_MODELS_CPU_H

#include "sim/kinds.h"

extern const ModelKind cpu_kind;

#endif
