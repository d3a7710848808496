/* Bus kinds: plb, opb, pci, pcix (docs/topology.md, "Buses"). */
#ifndef DMASIM_MODELS_BUS_H
#define DMASIM_MODELS_BUS_H

#include "sim/hw/kinds.h"

extern const BusKind plb_bus_kind;
extern const BusKind opb_bus_kind;
extern const BusKind pci_bus_kind;
extern const BusKind pcix_bus_kind;

#endif
