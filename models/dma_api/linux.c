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
#include "models/dma_api/linux_int.h"
#include "sim/core/units.h"
#include "sim/hw/kinds.h"

/* ---- mapping (A4, A5, A7, A9) ------------------------------------------- */

/* A4 for one physically contiguous piece: its address for the device, or
 * a bounce (when the kernel has a pool), or an error. */
static MapResult map_piece(const ApiCtx *c, int m, const LxDev *d,
                           uint64_t pa, uint64_t len, SegList *out,
                           char *why, size_t n)
{
    char a[32];
    uint64_t addr;
    bool ok = lx_phys_to_dma(d, pa, &addr);
    if (ok && lx_dma_capable(d, addr, len)) {
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
    if (!lx_is_pci_bus(t, top))
        return P2P_REFUSED;
    /* the host bridge above the common bus */
    for (int bus = top; t->buses[bus].parent_bridge >= 0;) {
        int br = t->buses[bus].parent_bridge;
        if (lx_host_bridge(t, br))
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
    if (lx_ppc_refused(c, t->comps[r.comp].bus_idx, why, n) ||
        lx_ppc_unmapped(c, r.comp, pa, why, n))
        return MAP_REFUSE;
    out->fixed = fixed;
    if (lx_is_pci_bus(t, t->comps[m].bus_idx) &&
        lx_is_pci_bus(t, t->comps[r.comp].bus_idx) && r.comp != m) {
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
            if (!lx_phys_to_dma(d, pa, &addr) || !lx_dma_capable(d, addr, len_b)) {
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
    if (!lx_dma_capable(d, pa, fixed ? b->fifo_unit : len)) {
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
    if (io->ap_base > lx_reach(d)) {
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
    if (iova + (len - 1) > lx_reach(d) || iova + (len - 1) > ap_last) {
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
    if (lx_ppc_refused(c, t->comps[m].bus_idx, why, n))
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
            need = !lx_phys_to_dma(&d, ram[i].pa, &a) ||
                   !lx_phys_to_dma(&d, last, &z) || z < a ||
                   !lx_dma_capable(&d, a, z - a + 1);
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
    uint64_t top = lx_reach(d);
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
    if (lx_ppc_refused(c, c->t->comps[dev].bus_idx, err, sizeof err)) {
        snprintf(why, n, "%.300s", err);
        return false;
    }
    if (!lx_phys_to_dma(&d, pa, &addr) || !lx_dma_capable(&d, addr, size)) {
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
