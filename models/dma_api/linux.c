/* The DMA API as Linux adopted it (docs/schemes.md, "linux";
 * ../shared/LINUX_DMA.md is the contract, each rule named A1..A11 or B
 * there): dma_addr_t is a bare integer again, but each device carries
 * what the device tree says of its bus (a dma_range_map and a
 * bus_dma_limit), buffers it cannot reach bounce through a finite
 * swiotlb pool, vmalloc and ioremap addresses are refused, device memory
 * is mapped with dma_map_resource (untranslated), and dmaengine picks the
 * first memcpy-capable controller.  kernel.arch ppc takes powerpc's rules
 * instead: one dma_offset for PCI devices, set by the 4xx host bridge
 * code at boot, which refuses bridges it cannot express. */
#include <stdio.h>
#include <string.h>

#include "models/cpu_types.h"
#include "models/dma_api/plan.h"
#include "sim/core/units.h"
#include "sim/hw/kinds.h"

/* ---- a device's view of memory (A1, B) ---------------------------------- */

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

static bool is_pci_bus(const Topology *t, int bus)
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
static bool host_bridge(const Topology *t, int comp)
{
    const CompParams *c = &t->comps[comp];
    if (!c->bridge)
        return false;
    int child = topo_find_bus(t, c->bridge->child.name);
    return is_pci_bus(t, child) && !is_pci_bus(t, c->bus_idx);
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
        if (!host_bridge(t, (int)i))
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
static bool ppc_refused(const ApiCtx *c, int bus, char *why, size_t n)
{
    const Topology *t = c->t;
    if (t->kernel.arch != ARCH_PPC)
        return false;
    for (size_t i = 0; i < t->n_comps; i++) {
        if (!host_bridge(t, (int)i) || !below(t, bus, (int)i))
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
static bool ppc_unmapped(const ApiCtx *c, int comp, uint64_t pa, char *why,
                         size_t n)
{
    const Topology *t = c->t;
    if (t->kernel.arch != ARCH_PPC)
        return false;
    for (size_t i = 0; i < t->n_comps; i++) {
        if (!host_bridge(t, (int)i) ||
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
static void lx_dev(const ApiCtx *c, int m, LxDev *d)
{
    const Topology *t = c->t;
    memset(d, 0, sizeof *d);
    d->mask = bit_mask(swview_master(c->sw, m)->mask_bits);
    if (t->kernel.arch == ARCH_PPC) {
        /* one offset for every PCI device, 0 for platform devices */
        if (is_pci_bus(t, t->comps[m].bus_idx)) {
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
static bool phys_to_dma(const LxDev *d, uint64_t p, uint64_t *a)
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
static uint64_t reach(const LxDev *d)
{
    return d->limit && d->limit < d->mask ? d->limit : d->mask;
}

static bool dma_capable(const LxDev *d, uint64_t a, uint64_t len)
{
    return a <= reach(d) && len - 1 <= reach(d) - a;
}

/* ---- mapping (A4, A5, A7, A9) ------------------------------------------- */

/* A4 for one physically contiguous piece: its address for the device, or
 * a bounce (when the kernel has a pool), or an error. */
static MapResult map_piece(const ApiCtx *c, int m, const LxDev *d,
                           uint64_t pa, uint64_t len, SegList *out,
                           char *why, size_t n)
{
    char a[32];
    uint64_t addr;
    bool ok = phys_to_dma(d, pa, &addr);
    if (ok && dma_capable(d, addr, len)) {
        segs_add(out, addr, len);
        return MAP_OK;
    }
    if (c->swiotlb) {
        snprintf(why, n, "dma_map: %s+%llu is out of %s's reach",
                 units_fmt_hex(pa, a, sizeof a), (unsigned long long)len,
                 c->t->comps[m].name);
        return MAP_BOUNCE;
    }
    if (!ok)
        snprintf(why, n, "dma_map: %s: no dma-ranges entry of %s holds %s",
                 c->t->comps[m].name, c->t->comps[m].name,
                 units_fmt_hex(pa, a, sizeof a));
    else
        snprintf(why, n, "DMA addr %s+%llu overflow (mask %llx, bus limit "
                         "%llx)",
                 units_fmt_hex(addr, a, sizeof a), (unsigned long long)len,
                 (unsigned long long)d->mask, (unsigned long long)d->limit);
    return MAP_REFUSE;
}

/* How a P2P transfer between PCI devices m and comp goes (A9,
 * pci_p2pdma_map_type): by bus address below a PCI-to-PCI bridge they
 * share (their lowest common bus is a PCI bus whose own bridge is not a
 * host bridge), through a host bridge on the whitelist above their
 * common bus (mapped as memory), or not at all. */
typedef enum { P2P_REFUSED, P2P_BUS_ADDR, P2P_THRU_HOST } P2pWay;

static P2pWay p2p_way(const ApiCtx *c, int m, int comp)
{
    const Topology *t = c->t;
    int path[2 * TOPO_MAX_DEPTH + 2];
    size_t k = swview_path(c->sw, m, comp, path, sizeof path / sizeof *path);
    int top = t->comps[m].bus_idx;
    for (size_t i = 0; i < k && i < sizeof path / sizeof *path; i++)
        if (t->buses[path[i]].depth < t->buses[top].depth)
            top = path[i];
    if (!is_pci_bus(t, top))
        return P2P_REFUSED;
    /* the host bridge above the common bus */
    for (int bus = top; t->buses[bus].parent_bridge >= 0;) {
        int br = t->buses[bus].parent_bridge;
        if (host_bridge(t, br))
            return bus != top         ? P2P_BUS_ADDR
                   : t->comps[br].bridge->p2pdma ? P2P_THRU_HOST
                                                 : P2P_REFUSED;
        bus = t->comps[br].bus_idx;
    }
    int br = t->buses[top].parent_bridge; /* no host bridge above */
    return br >= 0 ? P2P_BUS_ADDR : P2P_REFUSED;
}

/* Device memory: dma_map_resource (A7) takes the resource's CPU address
 * and does not translate it; between two PCI devices, P2PDMA (A9). */
static MapResult map_device(const ApiCtx *c, int m, const LxDev *d,
                            const ApiBuffer *b, uint64_t off, uint64_t len,
                            SegList *out, char *why, size_t n)
{
    const Topology *t = c->t;
    uint64_t pa, run, addr;
    SwRes r;
    char a[32];
    bool fixed = b->fifo_unit != 0;
    if (!kmem_walk(c->kmem, b->va + (fixed ? 0 : off), &pa, &run, NULL) ||
        !swview_phys(c->sw, pa, &r)) {
        snprintf(why, n, "dma_map_resource: the kernel knows no resource at "
                         "%s",
                 units_fmt_hex(b->va + off, a, sizeof a));
        return MAP_REFUSE;
    }
    if (ppc_refused(c, t->comps[r.comp].bus_idx, why, n) ||
        ppc_unmapped(c, r.comp, pa, why, n))
        return MAP_REFUSE;
    out->fixed = fixed;
    if (is_pci_bus(t, t->comps[m].bus_idx) &&
        is_pci_bus(t, t->comps[r.comp].bus_idx) && r.comp != m) {
        P2pWay way = p2p_way(c, m, r.comp);
        if (way == P2P_REFUSED) {
            snprintf(why, n, "pci_p2pdma: %s and %s are not behind a common "
                             "PCI switch; P2P through the host bridge is "
                             "refused (-EREMOTEIO)",
                     t->comps[m].name, t->comps[r.comp].name);
            return MAP_REFUSE;
        }
        if (way == P2P_THRU_HOST) {
            /* a whitelisted host bridge: the BAR's pages are mapped as
             * memory is (phys_to_dma), never bounced */
            uint64_t len_b = fixed ? b->fifo_unit : len;
            if (!phys_to_dma(d, pa, &addr) || !dma_capable(d, addr, len_b)) {
                snprintf(why, n, "pci_p2pdma: %s+%llu through the host "
                                 "bridge is beyond %s's reach (mask %llx, "
                                 "bus limit %llx)",
                         units_fmt_hex(pa, a, sizeof a),
                         (unsigned long long)len_b, t->comps[m].name,
                         (unsigned long long)d->mask,
                         (unsigned long long)d->limit);
                return MAP_REFUSE;
            }
            segs_add(out, addr, len);
            return MAP_OK;
        }
        /* the bus address, as pci_p2pdma_bus_addr_map gives it */
        if (!swview_master_addr(c->sw, m, r.comp, r.region, r.off,
                                fixed ? b->fifo_unit : len, &addr, &run, why,
                                n))
            return MAP_REFUSE;
        segs_add(out, addr, len);
        return MAP_OK;
    }
    if (!dma_capable(d, pa, fixed ? b->fifo_unit : len)) {
        snprintf(why, n, "dma_map_resource: %s+%llu is beyond %s's mask "
                         "(%llx, bus limit %llx)",
                 units_fmt_hex(pa, a, sizeof a), (unsigned long long)len,
                 t->comps[m].name, (unsigned long long)d->mask,
                 (unsigned long long)d->limit);
        return MAP_REFUSE;
    }
    segs_add(out, pa, len); /* untranslated */
    return MAP_OK;
}

/* The bridge above bus `bus` whose IOMMU the kernel's driver gives the
 * DMA API (iommu.dma_domain), or -1. */
static int dma_iommu(const Topology *t, int bus)
{
    for (int b = bus; t->buses[b].parent_bridge >= 0;) {
        int br = t->buses[b].parent_bridge;
        if (t->comps[br].bridge->iommu.present &&
            t->comps[br].bridge->iommu.dma_domain)
            return br;
        b = t->comps[br].bus_idx;
    }
    return -1;
}

/* A11, dma-iommu: a piece of RAM mapped in the IOMMU for this operation
 * (fresh IOVA pages, held until it ends), the IOVA within the device's
 * reach; none free: an error. */
static MapResult map_iova(const ApiCtx *c, int m, const LxDev *d, int br,
                          uint64_t pa, uint64_t len, SegList *out, char *why,
                          size_t n)
{
    const IommuParams *io = &c->t->comps[br].bridge->iommu;
    char a[32];
    if (!c->programs) {
        snprintf(why, n, "dma-iommu: no mapping outside an operation");
        return MAP_REFUSE;
    }
    uint64_t ap_last = io->ap_base + (io->ap_size - 1);
    if (io->ap_base > reach(d)) {
        snprintf(why, n, "dma-iommu: %s's IOVA space starts at %s, beyond "
                         "%s's reach",
                 c->t->comps[br].name,
                 units_fmt_hex(io->ap_base, a, sizeof a),
                 c->t->comps[m].name);
        return MAP_REFUSE;
    }
    SwMiss miss = {.set = true, .bridge = br, .inbound = true, .addr = pa,
                   .len = len, .iommu = true};
    IommuGrant g;
    if (!plan_map_iommu(c, &miss, "dma-iommu", &g, why, n))
        return MAP_REFUSE;
    for (uint64_t k = 0; k < g.pages; k++)
        if (plan_hold_page(c->programs, br, g.first + k))
            swview_iommu_page(c->sw, br, g.first + k)->users++;
    uint64_t iova = io->ap_base + g.first * io->page_size +
                    (pa - g.pa);
    if (iova + (len - 1) > reach(d) || iova + (len - 1) > ap_last) {
        snprintf(why, n, "dma-iommu: IOVA %s+%llu is beyond %s's reach",
                 units_fmt_hex(iova, a, sizeof a), (unsigned long long)len,
                 c->t->comps[m].name);
        return MAP_REFUSE;
    }
    segs_add(out, iova, len);
    return MAP_OK;
}

/* The largest scatterlist entry (max_segment_size's default). */
#define LX_MAX_SEG (64u << 10)

static unsigned line_bytes(const ApiCtx *c)
{
    return ((const CpuParams *)c->t->comps[c->cpu].priv)->line_bytes;
}

/* kmalloc_size_roundup: the kmalloc size class that holds size bytes
 * (8 to 8 KiB, with 96 and 192), then whole pages. */
static uint64_t kmalloc_class(uint64_t size, uint64_t page)
{
    static const uint64_t classes[] = {8,   16,  32,   64,   96,   128, 192,
                                       256, 512, 1024, 2048, 4096, 8192};
    for (size_t i = 0; i < sizeof classes / sizeof *classes; i++)
        if (size <= classes[i])
            return classes[i];
    return (size + page - 1) / page * page;
}

/* A4, arm64 (CONFIG_DMA_BOUNCE_UNALIGNED_KMALLOC): a non-coherent device
 * writing into a kmalloc buffer whose size class is not a multiple of the
 * cache line (dma_get_cache_alignment()) bounces through swiotlb, since
 * such an object may share its lines (dma_kmalloc_needs_bounce). */
static bool kmalloc_needs_bounce(const ApiCtx *c, const ApiBuffer *b,
                                 uint64_t len)
{
    const Topology *t = c->t;
    if (t->kernel.arch != ARCH_ARM64 || t->kernel.coherent ||
        !c->from_device || b->dma_safe || b->cls != MEM_LINEAR)
        return false;
    return kmalloc_class(len, kmem_page_size(c->kmem)) % line_bytes(c) != 0;
}

static MapResult lx_map(const ApiCtx *c, int m, const ApiBuffer *b,
                        uint64_t off, uint64_t len, MapKind how,
                        SegList *out, char *why, size_t n)
{
    const Topology *t = c->t;
    char a[32];
    LxDev d;
    if (ppc_refused(c, t->comps[m].bus_idx, why, n))
        return MAP_REFUSE;
    lx_dev(c, m, &d);
    if (b->cls == MEM_IOREMAP) {
        if (how == MAP_SG && !b->fifo_unit) {
            snprintf(why, n, "dma_map_sg: %s is an ioremap address, which "
                             "has no pages to map",
                     units_fmt_hex(b->va + off, a, sizeof a));
            return MAP_REFUSE;
        }
        return map_device(c, m, &d, b, off, len, out, why, n);
    }
    if (b->cls == MEM_COHERENT) {
        /* the handle dma_alloc_coherent gave, for the device it gave it */
        segs_add(out, b->handle + off, len);
        return MAP_OK;
    }
    if (kmalloc_needs_bounce(c, b, len)) {
        snprintf(why, n, "%s: a %llu-byte kmalloc buffer a non-coherent "
                         "device writes, of a kmalloc size class not "
                         "aligned to the %u-byte cache line "
                         "(kmalloc_needs_bounce)",
                 how == MAP_SG ? "dma_map_sg" : "dma_map_single",
                 (unsigned long long)len, line_bytes(c));
        return MAP_BOUNCE;
    }
    if (b->cls == MEM_VMALLOC && how == MAP_SINGLE) {
        snprintf(why, n, "dma_map_single: %s is a vmalloc address, which "
                         "dma_map_single rejects",
                 units_fmt_hex(b->va + off, a, sizeof a));
        return MAP_REFUSE;
    }
    /* map_single: each physically contiguous piece (one for linear
     * memory) translated by its start; map_sg (A5): page by page for
     * vmalloc, else pieces of at most 64 KiB, all or nothing */
    uint64_t page = kmem_page_size(c->kmem);
    out->split = how == MAP_SG;
    bool bounce = false;
    char bwhy[300] = "";
    for (uint64_t o = 0; o < len;) {
        uint64_t va = b->va + off + o, pa, run;
        if (!kmem_walk(c->kmem, va, &pa, &run, NULL)) {
            snprintf(why, n, "%s is not mapped",
                     units_fmt_hex(va, a, sizeof a));
            return MAP_REFUSE;
        }
        uint64_t piece = len - o < run ? len - o : run;
        if (how == MAP_SG) {
            if (b->cls == MEM_VMALLOC && piece > page - va % page)
                piece = page - va % page;
            if (piece > LX_MAX_SEG)
                piece = LX_MAX_SEG;
        }
        int br = dma_iommu(t, t->comps[m].bus_idx);
        MapResult r = br >= 0 ? map_iova(c, m, &d, br, pa, piece, out, bwhy,
                                         sizeof bwhy)
                              : map_piece(c, m, &d, pa, piece, out, bwhy,
                                          sizeof bwhy);
        if (r == MAP_REFUSE) {
            snprintf(why, n, "%s", bwhy);
            return MAP_REFUSE;
        }
        if (r == MAP_BOUNCE && !bounce) {
            bounce = true;
            snprintf(why, n, "%s", bwhy);
        }
        o += piece;
    }
    return bounce ? MAP_BOUNCE : MAP_OK;
}

/* A6: slots of the pool, held until the operation ends; the bounce
 * buffer is mapped like any memory after, so one the device cannot reach
 * is an error too. */
static bool lx_bounce_mem(const ApiCtx *c, Plan *p, uint64_t len,
                          uint64_t *va, uint64_t *pa, char *why, size_t n)
{
    uint32_t slot;
    if (!c->swiotlb) {
        snprintf(why, n, "no swiotlb pool to bounce through");
        return false;
    }
    if (!swiotlb_map(c->swiotlb, len, &slot, va, pa, why, n))
        return false;
    plan_hold_tlb(p, c->swiotlb, slot, len);
    return true;
}

/* ---- boot, coherent memory, engines (A6, A8, A10) ---------------------- */

/* swiotlb exists when some master cannot reach all of RAM (or forced),
 * placed in low memory. */
static bool lx_boot(const ApiCtx *c, Swiotlb **pool, char *why, size_t n)
{
    const Topology *t = c->t;
    bool need = t->kernel.swiotlb_force;
    size_t nram;
    const SwRes *ram = swview_ram(c->sw, &nram);
    for (size_t m = 0; !need && m < t->n_comps; m++) {
        const SwMaster *sm = swview_master(c->sw, (int)m);
        if (!sm->is_master || sm->is_cpu ||
            dma_iommu(t, t->comps[m].bus_idx) >= 0)
            continue;
        LxDev d;
        lx_dev(c, (int)m, &d);
        for (size_t i = 0; !need && i < nram; i++) {
            uint64_t a, z;
            uint64_t last = ram[i].pa + (ram[i].len - 1);
            need = !phys_to_dma(&d, ram[i].pa, &a) ||
                   !phys_to_dma(&d, last, &z) || z < a ||
                   !dma_capable(&d, a, z - a + 1);
        }
    }
    *pool = NULL;
    uint64_t size = t->kernel.swiotlb_size;
    if (!need && t->kernel.arch == ARCH_ARM64 && !t->kernel.coherent) {
        /* kmalloc bouncing only: 1 MiB per GiB of RAM, a power of two
         * (arm64's mem_init) */
        uint64_t total = 0, s = 1;
        for (size_t i = 0; i < nram; i++)
            total += ram[i].len;
        while (s < (total + 1023) / 1024)
            s *= 2;
        size = s;
        need = true;
    }
    if (need) {
        char err[300];
        *pool = swiotlb_new(c->kmem, size, err, sizeof err);
        (void)err; /* without a pool, mappings that need one fail */
    }
    (void)why;
    (void)n;
    return true;
}

/* The highest CPU address device d reaches (dma_to_phys of its reach). */
static uint64_t cpu_limit(const LxDev *d)
{
    uint64_t top = reach(d);
    if (!d->mapped)
        return top >= d->offset ? top - d->offset : 0;
    uint64_t best = 0;
    for (size_t i = 0; i < d->n; i++) {
        const LxRange *r = &d->r[i];
        if (r->dma > top)
            continue;
        uint64_t len = top - r->dma + 1 < r->size ? top - r->dma + 1
                                                  : r->size;
        if (r->cpu + (len - 1) > best)
            best = r->cpu + (len - 1);
    }
    return best;
}

static bool lx_alloc_coherent(const ApiCtx *c, int dev, uint64_t size,
                              ApiBuffer *out, char *why, size_t n)
{
    uint64_t pa, addr;
    /* the memory first (the workload's bytes live there whatever the API
     * says), from below what the device reaches (A8); a refusal below
     * makes every operation on it an API error */
    LxDev d;
    if (dev >= 0)
        lx_dev(c, dev, &d);
    uint64_t below = dev >= 0 ? cpu_limit(&d) : UINT64_MAX;
    /* dma_alloc_contiguous: CMA first for more than a page */
    bool from_cma = size > kmem_page_size(c->kmem) && c->t->kernel.cma_size &&
                    kmem_alloc_in(c->kmem, MEM_COHERENT, KZONE_CMA, below,
                                  size, &out->va, &pa, why, n);
    if (!from_cma &&
        !kmem_alloc_in(c->kmem, MEM_COHERENT, KZONE_ANY, below, size,
                       &out->va, &pa, why, n) &&
        (dev < 0 || !kmem_alloc(c->kmem, MEM_COHERENT, size, &out->va, &pa,
                                why, n)))
        return false;
    if (dev < 0) {
        snprintf(why, n, "a NULL device is not supported (since Linux "
                         "5.2)");
        return false;
    }
    char err[400];
    if (ppc_refused(c, c->t->comps[dev].bus_idx, err, sizeof err)) {
        snprintf(why, n, "%.300s", err);
        return false;
    }
    if (!phys_to_dma(&d, pa, &addr) || !dma_capable(&d, addr, size)) {
        char a[32];
        snprintf(why, n, "no memory %s can reach (%s is not)",
                 c->t->comps[dev].name, units_fmt_hex(pa, a, sizeof a));
        return false;
    }
    out->handle = addr;
    out->handle_dev = dev;
    return true;
}

/* A10: the first controller that can copy memory, in the tree's order,
 * reachable or not; none: the CPU copies. */
static int lx_move(const ApiCtx *c, const ApiOp *op, Plan *p)
{
    (void)op;
    const Topology *t = c->t;
    for (size_t i = 0; i < t->n_comps; i++)
        if (swview_master(c->sw, (int)i)->copy_engine) {
            plan_note(p, "dmaengine: the first DMA_MEMCPY channel, %s",
                      t->comps[i].name);
            return (int)i;
        }
    plan_note(p, "dmaengine: no DMA_MEMCPY channel, the CPU copies");
    return ENGINE_CPU;
}

/* kmalloc on a 32-bit kernel for non-coherent DMA aligns every object to
 * the cache line (ARCH_DMA_MINALIGN, dma_get_cache_alignment()), so no
 * buffer shares a line with other data.  arm64 (since Linux 6.5) packs
 * kmalloc at 8 bytes and bounces instead (kmalloc_needs_bounce, lx_map). */
static uint64_t lx_kmalloc_minalign(const ApiCtx *c)
{
    if (c->t->kernel.coherent)
        return 0;
    if (c->t->kernel.arch == ARCH_ARM64)
        return 8; /* ARCH_KMALLOC_MINALIGN: kmalloc_needs_bounce instead */
    return line_bytes(c);
}

const DmaApi dma_api_linux = {
    .name = "linux",
    .summary = "the DMA API as Linux adopted it: dma_range_map, swiotlb, "
               "dma_map_resource",
    .alloc_coherent = lx_alloc_coherent,
    .map = lx_map,
    .move = lx_move,
    .boot = lx_boot,
    .bounce_mem = lx_bounce_mem,
    .bounce_fills_dst = true,
    .kmalloc_minalign = lx_kmalloc_minalign,
    .sync_for_cpu = true,
};
