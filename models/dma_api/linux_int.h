/* Private to the linux scheme's files: models/dma_api/linux_dev.c (a
 * device's view of memory: its dma_range_map or powerpc's dma_offset,
 * and the 4xx host bridges' boot-time refusals, rules A1-A3 and B) and
 * models/dma_api/linux.c (mapping, swiotlb, coherent memory, engines). */
#ifndef DMASIM_DMA_API_LINUX_INT_H
#define DMASIM_DMA_API_LINUX_INT_H

#include "models/dma_api/plan.h"

#define LX_MAX_RANGES 16

/* One entry of a dma_range_map: CPU addresses [cpu, cpu + size) are
 * [dma, dma + size) for the device. */
typedef struct LxRange {
    uint64_t cpu, dma, size;
} LxRange;

typedef struct LxDev {
    bool mapped;         /* a dma_range_map (else dma = phys + offset) */
    LxRange r[LX_MAX_RANGES];
    size_t n;
    uint64_t offset;     /* without a map: ppc's dma_offset, else 0 */
    uint64_t mask;       /* the dma_mask, cut to the map's reach */
    uint64_t limit;      /* bus_dma_limit: 0 for none */
} LxDev;

bool lx_is_pci_bus(const Topology *t, int bus);
/* A bridge from a non-PCI bus down to a PCI one. */
bool lx_host_bridge(const Topology *t, int comp);
/* powerpc (kernel.arch ppc): the device on `bus` is below a host bridge
 * the 4xx code refused at boot (Linux's message in why). */
bool lx_ppc_refused(const ApiCtx *c, int bus, char *why, size_t n);
/* powerpc: CPU address pa of device memory of comp is outside what its
 * host bridge's outbound windows map (why says so). */
bool lx_ppc_unmapped(const ApiCtx *c, int comp, uint64_t pa, char *why,
                     size_t n);
/* Device m as the kernel sets it up at probe: its dma_range_map from the
 * dma-ranges on its path (A1), or ppc's dma_offset, and its mask cut to
 * bus_dma_limit. */
void lx_dev(const ApiCtx *c, int m, LxDev *d);
/* phys_to_dma by the start address only (A2); false: no entry holds p. */
bool lx_phys_to_dma(const LxDev *d, uint64_t p, uint64_t *a);
/* The last bus address d reaches: min(mask, bus_dma_limit). */
uint64_t lx_reach(const LxDev *d);
/* dma_capable (A3). */
bool lx_dma_capable(const LxDev *d, uint64_t a, uint64_t len);

#endif
