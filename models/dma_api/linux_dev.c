/* The linux scheme: a device's view of memory as the kernel sets it up
 * at boot and probe (docs/schemes.md, "linux"; ../shared/LINUX_DMA.md A1
 * to A3 and B): a dma_range_map from the dma-ranges on its path, or on
 * powerpc one dma_offset for PCI devices, set by the 4xx host bridge
 * code, which refuses bridges it cannot express. */
#include <stdio.h>
#include <string.h>

#include "models/dma_api/linux_int.h"
#include "sim/core/units.h"
#include "sim/hw/kinds.h"

/* ---- a device's view of memory (A1, B) ---------------------------------- */


bool lx_is_pci_bus(const Topology *t, int bus)
{
    const char *k = t->buses[bus].kind->name;
    return !strcmp(k, "pci") || !strcmp(k, "pcix");
}

/* An address on bus `bus` carried up to the CPU's bus through every
 * higher dma-ranges (of_translate_dma_address): the first entry holding
 * it; 1:1 where a bridge has none or `identity`.  False when an entry
 * list holds it nowhere. */
static bool dma_up(const Topology *t, int bus, uint64_t *a)
{
    for (int b = bus; t->buses[b].parent_bridge >= 0;) {
        const CompParams *c = &t->comps[t->buses[b].parent_bridge];
        WindowParams w[LX_MAX_RANGES];
        size_t n = topo_dt_dma_ranges(c->bridge, w, LX_MAX_RANGES);
        if (n && !c->bridge->dma_ranges.identity) {
            size_t i = 0;
            while (i < n && (*a < w[i].child ||
                             *a - w[i].child >= w[i].size_bytes))
                i++;
            if (i == n)
                return false;
            *a = w[i].parent + (*a - w[i].child);
        }
        b = c->bus_idx;
    }
    return true;
}

/* The PCI address of RAM 0 the 4xx host bridge code sets at boot
 * (LINUX_DMA.md B), and why a bridge is refused, if one is. */
typedef struct LxPpc {
    uint64_t dma_offset;
    int refused;        /* a host bridge refused at boot, or -1 */
    char why[300];
} LxPpc;

static uint64_t total_ram(const ApiCtx *c)
{
    size_t n;
    const SwRes *ram = swview_ram(c->sw, &n);
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += ram[i].len;
    return sum;
}

/* The bridges a PCI host bridge driver owns: a PCI bus below one that is
 * not PCI. */
bool lx_host_bridge(const Topology *t, int comp)
{
    const CompParams *c = &t->comps[comp];
    if (!c->bridge)
        return false;
    int child = topo_find_bus(t, c->bridge->child.name);
    return lx_is_pci_bus(t, child) && !lx_is_pci_bus(t, c->bus_idx);
}

/* ppc4xx_parse_dma_ranges for every host bridge in the tree's order: the
 * first memory entry at CPU 0 below 4 GiB is the bridge's window (else
 * PCI 0..2 GiB); it must match the others' offset, hold all RAM, be a
 * power of two aligned to itself and end below 4 GiB.  A refused bridge
 * sets no offset. */
static void ppc_boot(const ApiCtx *c, int want, LxPpc *x, bool *refused)
{
    const Topology *t = c->t;
    bool set = false;
    x->dma_offset = 0;
    x->refused = -1;
    *refused = false;
    uint64_t total = total_ram(c);
    for (size_t i = 0; i < t->n_comps; i++) {
        if (!lx_host_bridge(t, (int)i))
            continue;
        const CompParams *hc = &t->comps[i];
        WindowParams w[LX_MAX_RANGES];
        size_t n = topo_dt_dma_ranges(hc->bridge, w, LX_MAX_RANGES);
        uint64_t start = 0, size = 1ull << 31;
        for (size_t k = 0; k < n; k++) {
            uint64_t cpu = w[k].parent;
            if (!dma_up(t, hc->bus_idx, &cpu) || cpu != 0 ||
                w[k].child > 0xFFFFFFFFull)
                continue; /* "Ignored unsupported dma range" */
            start = w[k].child;
            size = w[k].size_bytes;
            break;
        }
        uint64_t end = start + size - 1;
        const char *bad = NULL;
        char msg[200];
        if (set && x->dma_offset != start)
            bad = "dma-ranges(s) mismatch";
        else if (size < total) {
            snprintf(msg, sizeof msg,
                     "dma-ranges too small (size=%llx total_memory=%llx)",
                     (unsigned long long)size, (unsigned long long)total);
            bad = msg;
        } else if (size & (size - 1) || start & (size - 1))
            bad = "dma-ranges unaligned";
        else if (end > 0xFFFFFFFFull)
            bad = "dma-ranges outside of 32 bits space";
        if (bad) {
            if ((int)i == want) {
                snprintf(x->why, sizeof x->why, "%.60s: %.200s", hc->name,
                         bad);
                *refused = true;
            }
            continue;
        }
        set = true;
        x->dma_offset = start;
    }
}

/* Whether bus `bus` lies below component `bridge`. */
static bool below(const Topology *t, int bus, int bridge)
{
    for (int b = bus; t->buses[b].parent_bridge >= 0;
         b = t->comps[t->buses[b].parent_bridge].bus_idx)
        if (t->buses[b].parent_bridge == bridge)
            return true;
    return false;
}

/* Under ppc: the host bridge above bus `bus` that boot refused, with
 * Linux's message in why; false when none is. */
bool lx_ppc_refused(const ApiCtx *c, int bus, char *why, size_t n)
{
    const Topology *t = c->t;
    if (t->kernel.arch != ARCH_PPC)
        return false;
    for (size_t i = 0; i < t->n_comps; i++) {
        if (!lx_host_bridge(t, (int)i) || !below(t, bus, (int)i))
            continue;
        LxPpc x;
        bool refused;
        ppc_boot(c, (int)i, &x, &refused);
        if (refused) {
            snprintf(why, n, "%s (the 4xx PCI code refused the host bridge "
                             "at boot: -ENXIO)",
                     x.why);
            return true;
        }
    }
    return false;
}

/* Under ppc: whether the 4xx host bridge code left the outbound memory
 * range that holds CPU address pa unprogrammed at boot: the PCI-X
 * bridge's POMs take two memory ranges, the PCI bridge's PMMs three; a
 * range that is not a power of two of at least 1 MiB (PCI-X) or 4 KiB
 * (PCI) is out of range.  Linux's message in why. */
bool lx_ppc_unmapped(const ApiCtx *c, int comp, uint64_t pa, char *why,
                         size_t n)
{
    const Topology *t = c->t;
    if (t->kernel.arch != ARCH_PPC)
        return false;
    for (size_t i = 0; i < t->n_comps; i++) {
        if (!lx_host_bridge(t, (int)i) ||
            !below(t, t->comps[comp].bus_idx, (int)i))
            continue;
        const BridgeParams *br = t->comps[i].bridge;
        bool pcix = !strcmp(
            t->buses[topo_find_bus(t, br->child.name)].kind->name, "pcix");
        unsigned most = pcix ? 2 : 3, used = 0;
        uint64_t least = pcix ? 1u << 20 : 4096;
        size_t nw = br->ranges.n + br->outbound.boot.n;
        for (size_t k = 0; k < nw; k++) {
            const WindowParams *w = k < br->ranges.n
                                        ? &br->ranges.v[k]
                                        : &br->outbound.boot.v[k - br->ranges.n];
            if (w->space != SPACE_MEM)
                continue;
            bool holds = pa >= w->parent && pa - w->parent < w->size_bytes;
            const char *bad = NULL;
            if (used == most)
                bad = "Too many ranges";
            else if (w->size_bytes & (w->size_bytes - 1) ||
                     w->size_bytes < least)
                bad = "Resource out of range";
            else
                used++;
            if (holds && bad) {
                snprintf(why, n, "%s: %s (the 4xx PCI code did not map the "
                                 "outbound range holding %s's memory at "
                                 "boot)",
                         t->comps[i].name, bad, t->comps[comp].name);
                return true;
            }
        }
    }
    return false;
}

static uint64_t bit_mask(unsigned bits)
{
    return bits >= 64 ? UINT64_MAX : (1ull << bits) - 1;
}

/* The device's dma_range_map (A1), or powerpc's offset (B). */
void lx_dev(const ApiCtx *c, int m, LxDev *d)
{
    const Topology *t = c->t;
    memset(d, 0, sizeof *d);
    d->mask = bit_mask(swview_master(c->sw, m)->mask_bits);
    if (t->kernel.arch == ARCH_PPC) {
        /* one offset for every PCI device, 0 for platform devices */
        if (lx_is_pci_bus(t, t->comps[m].bus_idx)) {
            LxPpc x;
            bool refused;
            ppc_boot(c, -1, &x, &refused);
            d->offset = x.dma_offset;
        }
        return;
    }
    /* up from the device's bus to the first bridge with dma-ranges: none
     * or an empty one (identity) is 1:1 */
    for (int b = t->comps[m].bus_idx; t->buses[b].parent_bridge >= 0;) {
        const CompParams *bc = &t->comps[t->buses[b].parent_bridge];
        if (bc->bridge->dma_ranges.identity)
            return;
        WindowParams w[LX_MAX_RANGES];
        size_t n = topo_dt_dma_ranges(bc->bridge, w, LX_MAX_RANGES);
        if (!n) {
            b = bc->bus_idx;
            continue;
        }
        uint64_t end = 0;
        d->mapped = true;
        for (size_t i = 0; i < n; i++) {
            uint64_t cpu = w[i].parent;
            if (!dma_up(t, bc->bus_idx, &cpu))
                continue;
            d->r[d->n++] = (LxRange){cpu, w[i].child, w[i].size_bytes};
            uint64_t last = w[i].child + (w[i].size_bytes - 1);
            if (last > end)
                end = last;
        }
        /* the mask cut to what the map reaches; bus_dma_limit its end */
        unsigned bits = 1;
        while (bits < 64 && (end >> bits))
            bits++;
        d->mask &= bit_mask(bits);
        d->limit = end;
        return;
    }
}

/* A2: the first entry holding p, by p alone (a range running past the
 * entry's end stays linear); false for DMA_MAPPING_ERROR. */
bool lx_phys_to_dma(const LxDev *d, uint64_t p, uint64_t *a)
{
    if (!d->mapped) {
        *a = p + d->offset;
        return true;
    }
    for (size_t i = 0; i < d->n; i++)
        if (p >= d->r[i].cpu && p - d->r[i].cpu < d->r[i].size) {
            *a = d->r[i].dma + (p - d->r[i].cpu);
            return true;
        }
    return false;
}

/* A3 */
uint64_t lx_reach(const LxDev *d)
{
    return d->limit && d->limit < d->mask ? d->limit : d->mask;
}

bool lx_dma_capable(const LxDev *d, uint64_t a, uint64_t len)
{
    return a <= lx_reach(d) && len - 1 <= lx_reach(d) - a;
}

