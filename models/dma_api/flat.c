/* The 2004 DMA API (docs/schemes.md, "flat" and "flat-bounce"):
 * dma_addr_t is a bare integer, virt_to_phys() is arithmetic, one
 * platform-wide pci_dram_offset, no dma_mask check (the device truncates),
 * no device-to-device transfers and no choice of engine. */
#include <stdio.h>

#include "models/dma_api/plan.h"
#include "sim/core/units.h"

/* The handle the flat API gives for byte `off` of b. */
static uint64_t flat_handle(const ApiCtx *c, const ApiBuffer *b, uint64_t off)
{
    uint64_t pa, run;
    switch (b->cls) {
    case MEM_COHERENT:
        return b->handle + off; /* what dma_alloc_coherent returned */
    case MEM_HIGHMEM:
        /* No kernel address: drivers map the page (dma_map_page), whose
         * physical address the kernel knows. */
        if (kmem_walk(c->kmem, b->va + off, &pa, &run, NULL))
            return pa + c->t->kernel.pci_dram_offset;
        /* fall through */
    default:
        /* dma_map_single: virt_to_phys(va) + pci_dram_offset, whatever
         * va is (vmalloc and ioremap addresses give garbage). */
        return kmem_virt_to_phys(c->kmem, b->va + off) +
               c->t->kernel.pci_dram_offset;
    }
}

/* What the device drives: the handle cut to its address width. */
static MapResult flat_map(const ApiCtx *c, int m, const ApiBuffer *b,
                          uint64_t off, uint64_t len, MapKind how,
                          SegList *out, char *why, size_t n)
{
    (void)why;
    (void)n;
    uint64_t mask = master_mask(c->sw, m);
    out->fixed = b->fifo_unit != 0;
    if (how == MAP_SG && !out->fixed) {
        /* A scatterlist of the buffer's pages, each converted the same
         * way (sg_set_buf, then virt_to_phys per entry). */
        uint64_t page = kmem_page_size(c->kmem);
        out->split = true;
        for (uint64_t o = off; o < off + len;) {
            uint64_t va = b->va + o, piece = page - va % page;
            if (piece > off + len - o)
                piece = off + len - o;
            segs_add(out, flat_handle(c, b, o) & mask, piece);
            o += piece;
        }
        return MAP_OK;
    }
    segs_add(out, flat_handle(c, b, off) & mask, len);
    return MAP_OK;
}

static int flat_move(const ApiCtx *c, const ApiOp *op, Plan *p)
{
    (void)op;
    int m = first_root_engine(c->sw);
    if (m < 0) {
        plan_refuse(p, "engine auto: the flat API drives the first copy "
                       "engine on the root bus, and %s has none",
                    c->t->name);
        return ENGINE_CPU;
    }
    plan_note(p, "engine auto: the first copy engine on the root bus, %s",
              c->t->comps[m].name);
    return m;
}

static bool flat_alloc_coherent(const ApiCtx *c, int dev, uint64_t size,
                                ApiBuffer *out, char *why, size_t n)
{
    uint64_t pa;
    if (!kmem_alloc(c->kmem, MEM_COHERENT, size, &out->va, &pa, why, n))
        return false;
    /* Whatever the device, NULL included: the PCI offset. */
    out->handle = pa + c->t->kernel.pci_dram_offset;
    out->handle_dev = dev;
    return true;
}

const DmaApi dma_api_flat = {
    .name = "flat",
    .summary = "the 2004 API: flat dma_addr_t, virt_to_phys + pci_dram_offset",
    .alloc_coherent = flat_alloc_coherent,
    .map = flat_map,
    .move = flat_move,
};

/* ---- flat-bounce: the same API, used defensively ------------------------ */

/* Plain low memory (kmalloc or coherent) whose handle the device can
 * drive goes to the device; everything else is bounced. */
static MapResult careful_map(const ApiCtx *c, int m, const ApiBuffer *b,
                             uint64_t off, uint64_t len, MapKind how,
                             SegList *out, char *why, size_t n)
{
    const char *name = c->t->comps[m].name;
    if (b->cls != MEM_LINEAR && b->cls != MEM_COHERENT) {
        snprintf(why, n, "%s is %s memory, which the flat API cannot map",
                 b->name ? b->name : "the buffer",
                 b->cls == MEM_VMALLOC   ? "vmalloc"
                 : b->cls == MEM_HIGHMEM ? "highmem"
                                         : "device (ioremap)");
        return MAP_BOUNCE;
    }
    uint64_t h = flat_handle(c, b, off);
    if (h + len - 1 < h || h + len - 1 > master_mask(c->sw, m)) {
        char a[32];
        snprintf(why, n, "handle %s of %s is beyond %s's %u-bit dma_mask",
                 units_fmt_hex(h, a, sizeof a),
                 b->name ? b->name : "the buffer", name,
                 c->t->comps[m].dma_mask_bits);
        return MAP_BOUNCE;
    }
    return flat_map(c, m, b, off, len, how, out, why, n);
}

/* The driver knows the flat handles carry the PCI offset: a DMA engine
 * that is not behind a PCI host bridge cannot use them. */
static bool careful_cpu_instead(const ApiCtx *c, int m, Plan *p)
{
    const Topology *t = c->t;
    if (!t->kernel.pci_dram_offset ||
        t->buses[t->comps[m].bus_idx].parent_bridge >= 0)
        return false;
    char a[32];
    plan_note(p,
              "every flat handle carries pci_dram_offset %s and %s is not a "
              "PCI device: the CPU copies instead",
              units_fmt_hex(t->kernel.pci_dram_offset, a, sizeof a),
              t->comps[m].name);
    return true;
}

const DmaApi dma_api_flat_bounce = {
    .name = "flat-bounce",
    .summary = "the 2004 API used defensively: bounce all but plain low "
               "memory",
    .alloc_coherent = flat_alloc_coherent,
    .map = careful_map,
    .move = flat_move,
    .cpu_instead = careful_cpu_instead,
};
