/* sim/kmem and models/dma_api: the kernel's memory and each scheme's
 * operations in isolation — handles, conversions, mask failures, page
 * walks, scatter-gather lists, dma_move's choice — with addresses worked
 * out by hand from the shipped topologies and docs/schemes.md. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/dma_api/plan.h"
#include "models/kernel/kmem.h"
#include "models/kernel/swiotlb.h"
#include "models/kernel/winalloc.h"
#include "sim/hw/addrmap.h"
#include "testutil.h"

/* A topology, its CPU's kernel memory, and a scheme context. */
typedef struct Fix {
    Diag d;
    Topology *t;
    SwView *sw;
    KMem *k;
    ApiCtx c;
    unsigned in_flight[64], bus_load[64];
} Fix;

static bool fix_scratch(void *opaque, unsigned slot, uint64_t size,
                        uint64_t *va, uint64_t *pa)
{
    (void)slot;
    Fix *f = opaque;
    char err[200];
    return kmem_alloc(f->k, MEM_KMALLOC, size, va, pa, err, sizeof err);
}

static void fix_open(Fix *f, const char *topo)
{
    memset(f, 0, sizeof *f);
    diag_init(&f->d);
    f->t = topology_load(topo, &f->d);
    ck_assert_ptr_nonnull(f->t);
    int cpu = topo_find_comp(f->t, "cpu0");
    char err[200];
    f->sw = swview_new(f->t, cpu);
    f->k = kmem_new(f->sw, 1, err, sizeof err);
    ck_assert_ptr_nonnull(f->k);
    f->c = (ApiCtx){.t = f->t, .sw = f->sw, .kmem = f->k, .cpu = cpu,
                    .in_flight = f->in_flight, .bus_load = f->bus_load,
                    .scratch = fix_scratch, .opaque = f};
}

static void fix_close(Fix *f)
{
    kmem_free(f->k);
    swview_free(f->sw);
    topology_free(f->t);
    diag_free(&f->d);
}

static int comp(const Fix *f, const char *name)
{
    int c = topo_find_comp(f->t, name);
    ck_assert_int_ge(c, 0);
    return c;
}

static ApiBuffer buf(Fix *f, MemClass cls, uint64_t size)
{
    ApiBuffer b = {.size = size, .handle_dev = -1};
    uint64_t pa;
    char err[200];
    ck_assert(kmem_alloc(f->k, cls, size, &b.va, &pa, err, sizeof err));
    b.cls = cls == MEM_KMALLOC ? MEM_LINEAR : cls;
    return b;
}

static ApiBuffer iomap(Fix *f, uint64_t pa, uint64_t size, unsigned fifo)
{
    ApiBuffer b = {.size = size, .cls = MEM_IOREMAP, .handle_dev = -1,
                   .fifo_unit = fifo};
    char err[200];
    ck_assert(kmem_ioremap(f->k, pa, size, &b.va, err, sizeof err));
    return b;
}

/* ---- kernel memory ------------------------------------------------------- */

/* Ebony: 256 MiB of SDRAM at 0.  The kernel keeps the first 16 MiB,
 * kmalloc has up to 128 MiB, vmalloc's pool the upper 128 MiB, and the
 * vmalloc area starts 16 MiB past the linear map: 0xD100_0000. */
START_TEST(kmem_layout)
{
    Fix f;
    fix_open(&f, "topologies/ebony.yaml");
    uint64_t va, pa, run;
    char err[200];
    ck_assert(kmem_alloc(f.k, MEM_KMALLOC, 64 * 1024, &va, &pa, err,
                         sizeof err));
    ck_assert_uint_eq(pa, 0x1000000);
    ck_assert_uint_eq(va, 0xC1000000);
    ck_assert_uint_eq(kmem_virt_to_phys(f.k, va), pa);
    MemClass cls;
    ck_assert(kmem_walk(f.k, va + 0x1234, &pa, &run, &cls));
    ck_assert_uint_eq(pa, 0x1001234);
    ck_assert_int_eq(cls, MEM_LINEAR);

    ck_assert(kmem_alloc(f.k, MEM_VMALLOC, 16 * 1024, &va, &pa, err,
                         sizeof err));
    ck_assert_uint_eq(va, 0xD1000000);
    uint64_t pages[4];
    for (int i = 0; i < 4; i++) {
        ck_assert(kmem_walk(f.k, va + i * 4096ULL, &pages[i], &run, &cls));
        ck_assert_int_eq(cls, MEM_VMALLOC);
        ck_assert_uint_ge(pages[i], 0x8000000);
        ck_assert_uint_lt(pages[i], 0x10000000);
        ck_assert_uint_eq(pages[i] % 4096, 0);
    }
    /* Scattered: a run never spans two pages unless they happen to be
     * adjacent, and with 32768 pool pages four in a row are not. */
    ck_assert(!(pages[1] == pages[0] + 4096 && pages[2] == pages[1] + 4096 &&
                pages[3] == pages[2] + 4096));
    /* The guard page after it is not mapped. */
    ck_assert(!kmem_walk(f.k, va + 16 * 1024, &pa, &run, NULL));

    /* ioremap keeps the offset into the page. */
    ck_assert(kmem_ioremap(f.k, 0x380001234ULL, 100, &va, err, sizeof err));
    ck_assert_uint_eq(va, 0xD1005234);
    ck_assert(kmem_walk(f.k, va, &pa, &run, &cls));
    ck_assert_uint_eq(pa, 0x380001234ULL);
    ck_assert_int_eq(cls, MEM_IOREMAP);

    ck_assert(!kmem_alloc(f.k, MEM_HIGHMEM, 4096, &va, &pa, err, sizeof err));
    ck_assert_str_eq(err, "highmem: ebony has no RAM above low memory (the "
                          "first 768 MiB)");
    ck_assert(!kmem_alloc(f.k, MEM_KMALLOC, 200ULL << 20, &va, &pa, err,
                          sizeof err));
    ck_assert_str_eq(err, "kmalloc: cannot allocate 200 MiB (114624 KiB left)");
    fix_close(&f);
}
END_TEST

/* The same seed gives the same pages; another seed others. */
START_TEST(kmem_seeded)
{
    Fix f;
    fix_open(&f, "topologies/ebony.yaml");
    char err[200];
    uint64_t va, pa1, pa2, pa3;
    ck_assert(kmem_alloc(f.k, MEM_VMALLOC, 4096, &va, &pa1, err, sizeof err));
    KMem *k2 = kmem_new(f.sw, 1, err, sizeof err);
    KMem *k3 = kmem_new(f.sw, 2, err, sizeof err);
    ck_assert(kmem_alloc(k2, MEM_VMALLOC, 4096, &va, &pa2, err, sizeof err));
    ck_assert(kmem_alloc(k3, MEM_VMALLOC, 4096, &va, &pa3, err, sizeof err));
    ck_assert_uint_eq(pa1, pa2);
    ck_assert_uint_ne(pa1, pa3);
    kmem_free(k2);
    kmem_free(k3);
    fix_close(&f);
}
END_TEST

/* highmem.yaml: 2 GiB low SDRAM (768 MiB of it linear) and 2 GiB at
 * 4 GiB, where highmem comes from. */
START_TEST(kmem_highmem)
{
    Fix f;
    fix_open(&f, "topologies/highmem.yaml");
    ApiBuffer b = buf(&f, MEM_HIGHMEM, 8192);
    uint64_t pa, run;
    ck_assert(kmem_walk(f.k, b.va, &pa, &run, NULL));
    ck_assert_uint_eq(pa, 0x100000000ULL);
    ck_assert_uint_eq(run, 8192);
    ck_assert(kmem_is_ram(f.k, pa, 8192));
    ck_assert(!kmem_is_ram(f.k, 0x80000000ULL, 1));
    fix_close(&f);
}
END_TEST

/* ---- flat ------------------------------------------------------------------ */

/* The DMA step of a plan, or NULL. */
static const PlanStep *dma_step(const Plan *p)
{
    for (size_t i = 0; i < p->n_steps; i++)
        if (p->steps[i].kind == STEP_DMA)
            return &p->steps[i];
    return NULL;
}

static void plan(const DmaApi *api, Fix *f, const ApiBuffer *s,
                 const ApiBuffer *d, uint64_t len, int engine, MapKind map,
                 Plan *p)
{
    ApiOp op = {s, d, 0, 0, len, engine, map};
    plan_init(p);
    dma_api_plan(api, &f->c, &op, p);
}

/* pci-offset.yaml: pci_dram_offset 0x8000_0000.  flat's handle for
 * kmalloc memory at 0x100_0000 is 0x8100_0000 for every master: right for
 * the card (its inbound window puts RAM at PCI 0x8000_0000), wrong for
 * dma0 on the PLB. */
START_TEST(flat_handles)
{
    Fix f;
    fix_open(&f, "topologies/pci-offset.yaml");
    ApiBuffer a = buf(&f, MEM_KMALLOC, 4096), b = buf(&f, MEM_KMALLOC, 4096);
    Plan p;
    plan(&dma_api_flat, &f, &a, &b, 4096, comp(&f, "dma0"), MAP_SINGLE, &p);
    ck_assert(!p.refused);
    const PlanStep *s = dma_step(&p);
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(s->n_segs, 1);
    /* 128 MiB of RAM: the kernel keeps 16 MiB, kmalloc starts there. */
    ck_assert_uint_eq(s->segs[0].src, 0x81000000);
    ck_assert_uint_eq(s->segs[0].dst, 0x81001000);
    ck_assert_uint_eq(s->desc_addr, 0);
    plan_free(&p);

    /* dma_alloc_coherent(NULL): the PCI offset all the same. */
    ApiBuffer c = {.size = 4096};
    char why[200];
    ck_assert(dma_api_flat.alloc_coherent(&f.c, -1, 4096, &c, why,
                                          sizeof why));
    ck_assert_uint_eq(c.handle, 0x81002000);
    ck_assert(dma_api_struct.alloc_coherent(&f.c, -1, 4096, &c, why,
                                            sizeof why));
    ck_assert_uint_eq(c.handle, 0x1003000);
    ck_assert_int_eq(c.handle_dev, -1);
    /* For the card, struct's handle is in the card's space. */
    ck_assert(dma_api_struct.alloc_coherent(&f.c, comp(&f, "card"), 4096, &c,
                                            why, sizeof why));
    ck_assert_uint_eq(c.handle, 0x81004000);
    ck_assert_int_eq(c.handle_dev, comp(&f, "card"));
    fix_close(&f);
}
END_TEST

/* flat truncates to the device's width; vmalloc and ioremap addresses
 * become va - page_offset (here another card's memory: a device's own
 * memory is programmed by its local address under every scheme). */
START_TEST(flat_truncates_and_garbles)
{
    Fix f;
    fix_open(&f, "topologies/highmem.yaml");
    ApiBuffer hi = buf(&f, MEM_HIGHMEM, 4096);
    ApiBuffer dev = iomap(&f, 0xC01000000ULL, 4096, 0); /* card64's BAR */
    int card32 = comp(&f, "card32");
    Plan p;
    plan(&dma_api_flat, &f, &hi, &dev, 4096, card32, MAP_SINGLE, &p);
    const PlanStep *s = dma_step(&p);
    ck_assert_ptr_nonnull(s);
    /* 0x1_0000_0000 cut to 32 bits. */
    ck_assert_uint_eq(s->segs[0].src, 0x0);
    /* The ioremap address: va 0xF100_1000 (the vmalloc area starts 16 MiB
     * past the 768 MiB linear map, after the kmap'ed page and its guard)
     * minus page_offset. */
    ck_assert_uint_eq(dev.va, 0xF1002000);
    ck_assert_uint_eq(s->segs[0].dst, 0x31002000);
    plan_free(&p);
    /* card32's own BAR (CPU 0xC_0000_0000, the page tables say; the
     * software view puts card32 region 0 there): the driver programs its
     * local address, PCI 0x2_0000_0000 + 0x10, no mapping at all. */
    ApiBuffer own = iomap(&f, 0xC00000010ULL, 4096, 0);
    plan(&dma_api_flat, &f, &hi, &own, 4096, card32, MAP_SINGLE, &p);
    ck_assert_uint_eq(dma_step(&p)->segs[0].dst, 0x200000010ULL);
    plan_free(&p);
    fix_close(&f);
}
END_TEST

/* flat-bounce: highmem and device memory are bounced; a PLB engine on a
 * board with a PCI offset is replaced by the CPU. */
START_TEST(flat_bounce_policy)
{
    Fix f;
    fix_open(&f, "topologies/highmem.yaml");
    ApiBuffer hi = buf(&f, MEM_HIGHMEM, 8192), lo = buf(&f, MEM_KMALLOC, 8192);
    Plan p;
    plan(&dma_api_flat_bounce, &f, &hi, &lo, 8192, comp(&f, "card32"),
         MAP_SINGLE, &p);
    ck_assert(!p.refused);
    ck_assert_uint_eq(p.bounce_bytes, 8192);
    ck_assert_int_eq(p.engine, comp(&f, "card32"));
    ck_assert_int_eq(p.steps[1].kind, STEP_CPU_COPY); /* into the bounce */
    ck_assert_uint_eq(p.steps[1].src, hi.va);
    ck_assert_uint_eq(p.n_own, 1);
    ck_assert_str_eq(p.choice, "the buffer is highmem memory, which the flat "
                               "API cannot map: bounced through kmalloc "
                               "memory");
    plan_free(&p);
    fix_close(&f);

    fix_open(&f, "topologies/pci-offset.yaml");
    ApiBuffer a = buf(&f, MEM_KMALLOC, 4096), b = buf(&f, MEM_KMALLOC, 4096);
    plan(&dma_api_flat_bounce, &f, &a, &b, 4096, comp(&f, "dma0"), MAP_SINGLE,
         &p);
    ck_assert_int_eq(p.engine, ENGINE_CPU);
    ck_assert_uint_eq(p.bounce_bytes, 4096);
    ck_assert_str_eq(p.choice, "every flat handle carries pci_dram_offset "
                               "0x8000_0000 and dma0 is not a PCI device: the "
                               "CPU copies instead");
    plan_free(&p);
    fix_close(&f);
}
END_TEST

/* ---- struct ------------------------------------------------------------------ */

/* Point 7 and 5: a vmalloc buffer becomes one segment per physically
 * contiguous run, each the page's physical address as card64 sees it
 * (its inbound window is 1:1); map: sg gives one per page. */
START_TEST(struct_page_walk)
{
    Fix f;
    fix_open(&f, "topologies/highmem.yaml");
    ApiBuffer v = buf(&f, MEM_VMALLOC, 16384);
    ApiBuffer dev = iomap(&f, 0xC01000000ULL, 16384, 0); /* card64's BAR */
    int card64 = comp(&f, "card64");
    for (int how = MAP_SINGLE; how <= MAP_SG; how++) {
        Plan p;
        plan(&dma_api_struct, &f, &v, &dev, 16384, card64, (MapKind)how, &p);
        ck_assert(!p.refused);
        const PlanStep *s = dma_step(&p);
        ck_assert_ptr_nonnull(s);
        uint64_t off = 0;
        for (size_t i = 0; i < s->n_segs; i++) {
            uint64_t pa, run;
            ck_assert(kmem_walk(f.k, v.va + off, &pa, &run, NULL));
            ck_assert_uint_eq(s->segs[i].src, pa);
            /* card64's own memory: its local address on pcix0 */
            ck_assert_uint_eq(s->segs[i].dst, 0x201000000ULL + off);
            off += s->segs[i].len;
        }
        ck_assert_uint_eq(off, 16384);
        if (how == MAP_SG)
            ck_assert_uint_eq(s->n_segs, 4);
        ck_assert(s->n_segs > 1);
        ck_assert_uint_ne(s->desc_addr, 0); /* a descriptor chain */
        ck_assert_uint_eq(p.bounce_bytes, 0);
        plan_free(&p);
    }
    fix_close(&f);
}
END_TEST

/* Point 3: converting for a device whose mask cannot drive the address
 * fails with the reason, and the caller bounces memory ... */
START_TEST(struct_mask_bounces)
{
    Fix f;
    fix_open(&f, "topologies/highmem.yaml");
    ApiBuffer hi = buf(&f, MEM_HIGHMEM, 4096);
    ApiBuffer dev = iomap(&f, 0xC00000000ULL, 4096, 0);
    Plan p;
    plan(&dma_api_struct, &f, &hi, &dev, 4096, comp(&f, "card32"), MAP_SINGLE,
         &p);
    ck_assert(!p.refused);
    ck_assert_uint_eq(p.bounce_bytes, 4096);
    ck_assert_str_eq(p.choice, "dma_convert_addr: sdram-high+0x0 is beyond "
                               "card32's 32-bit dma_mask: bounced through "
                               "kmalloc memory");
    plan_free(&p);
    /* card64 reaches it as it is: no bounce. */
    ApiBuffer dev64 = iomap(&f, 0xC01000000ULL, 4096, 0);
    plan(&dma_api_struct, &f, &hi, &dev64, 4096, comp(&f, "card64"),
         MAP_SINGLE, &p);
    ck_assert_uint_eq(p.bounce_bytes, 0);
    ck_assert_uint_eq(dma_step(&p)->segs[0].src, 0x100000000ULL);
    plan_free(&p);
    fix_close(&f);
}
END_TEST

/* ... and refuses device memory it cannot reach: an API error. */
START_TEST(struct_refuses_unreachable)
{
    Fix f;
    fix_open(&f, "topologies/ebony.yaml");
    ApiBuffer dev = iomap(&f, 0x380000000ULL, 4096, 0);   /* card */
    ApiBuffer tx = iomap(&f, 0x140000200ULL, 8, 8);       /* uart0 FIFO */
    Plan p;
    plan(&dma_api_struct, &f, &dev, &tx, 4096, comp(&f, "card"), MAP_SINGLE,
         &p);
    ck_assert(p.refused);
    /* The UART is at PLB 0x1_4000_0200 (plb-opb's ranges); the host
     * bridge's only inbound window holds PLB 0..2 GiB. */
    ck_assert_str_eq(p.reason,
                     "dma_convert_addr: no window leads card to uart0+0x0: "
                     "no dma_ranges window of pcix0-bridge holds plb memory "
                     "0x1_4000_0200");
    plan_free(&p);
    /* dma0 reaches both: the card through the host bridge, the FIFO (one
     * address, not incremented) through the OPB bridge. */
    plan(&dma_api_struct, &f, &dev, &tx, 4096, comp(&f, "dma0"), MAP_SINGLE,
         &p);
    ck_assert(!p.refused);
    const PlanStep *s = dma_step(&p);
    ck_assert_uint_eq(s->n_segs, 1);
    ck_assert_uint_eq(s->segs[0].src, 0x380000000ULL);
    ck_assert_uint_eq(s->segs[0].dst, 0x140000200ULL);
    ck_assert(s->segs[0].dst_fixed && !s->segs[0].src_fixed);
    ck_assert_uint_eq(s->segs[0].fixed_unit, 8);
    plan_free(&p);
    fix_close(&f);
}
END_TEST

/* The estimate dma_move printed for a master, in microseconds. */
static double estimate_of(const Plan *p, const char *master)
{
    char key[64];
    snprintf(key, sizeof key, "%s ", master);
    const char *list = strstr(p->choice, "estimates: ");
    ck_assert_ptr_nonnull(list);
    const char *at = strstr(list, key);
    ck_assert_ptr_nonnull(at);
    return strtod(at + strlen(key), NULL);
}

/* dma_move: among the masters that reach both ends, the cheapest; the
 * transfers a master already has in flight make it dearer. */
START_TEST(struct_dma_move)
{
    Fix f;
    fix_open(&f, "topologies/ebony.yaml");
    ApiBuffer dev = iomap(&f, 0x380000000ULL, 4096, 0);
    ApiBuffer tx = iomap(&f, 0x140000200ULL, 8, 8);
    Plan p;
    plan(&dma_api_struct, &f, &dev, &tx, 4096, ENGINE_AUTO, MAP_SINGLE, &p);
    ck_assert_int_eq(p.engine, comp(&f, "dma0"));
    ck_assert_ptr_nonnull(strstr(p.choice, "dma_move chose dma0"));
    /* the card moves data between its own memory and others': it is
     * no candidate for a copy */
    ck_assert_ptr_nonnull(strstr(p.choice, "; not copy engines: card)"));
    plan_free(&p);
    f.in_flight[comp(&f, "dma0")] = 3;
    plan(&dma_api_struct, &f, &dev, &tx, 4096, ENGINE_AUTO, MAP_SINGLE, &p);
    ck_assert_int_eq(p.engine, ENGINE_CPU);
    ck_assert_ptr_nonnull(strstr(p.choice, "dma_move chose cpu0"));
    plan_free(&p);
    /* RAM to RAM: the PLB engine beats the CPU and the card (whose reads
     * cross the host bridge). */
    f.in_flight[comp(&f, "dma0")] = 0;
    ApiBuffer a = buf(&f, MEM_KMALLOC, 65536), b = buf(&f, MEM_KMALLOC, 65536);
    plan(&dma_api_struct, &f, &a, &b, 65536, ENGINE_AUTO, MAP_SINGLE, &p);
    ck_assert_int_eq(p.engine, comp(&f, "dma0"));
    /* Load on the buses of a route: dma0's estimate for the same copy
     * triples with two operations already crossing the PLB. */
    double before = estimate_of(&p, "dma0");
    plan_free(&p);
    f.bus_load[topo_find_bus(f.t, "plb")] = 2;
    plan(&dma_api_struct, &f, &a, &b, 65536, ENGINE_AUTO, MAP_SINGLE, &p);
    double after = estimate_of(&p, "dma0");
    ck_assert_msg(after > 2.99 * before && after < 3.01 * before,
                  "%f then %f", before, after);
    plan_free(&p);
    f.bus_load[topo_find_bus(f.t, "plb")] = 0;
    /* flat has no choice: the first engine on the root bus. */
    plan(&dma_api_flat, &f, &dev, &tx, 4096, ENGINE_AUTO, MAP_SINGLE, &p);
    ck_assert_int_eq(p.engine, comp(&f, "dma0"));
    ck_assert_str_eq(p.choice,
                     "engine auto: the first copy engine on the root bus, dma0");
    plan_free(&p);
    fix_close(&f);
}
END_TEST

/* Only copy engines copy: a device master declared memcpy: true is one,
 * an Ethernet MAC's master is not, whichever is cheaper. */
START_TEST(copy_engines_only)
{
    Fix f;
    fix_open(&f, tu_write("copy.yaml",
                          "name: copy\n"
                          "clocks: {cpu: 400MHz, plb: 100MHz}\n"
                          "buses: [{name: plb, kind: plb, clock: plb, "
                          "width: 128}]\n"
                          "components:\n"
                          "  - {name: cpu0, kind: cpu, bus: plb, clock: "
                          "cpu}\n"
                          "  - {name: sdram, kind: sdram, bus: plb, base: 0, "
                          "size: 256MiB}\n"
                          "  - {name: mac, kind: device, bus: plb, master: "
                          "{buffer: 4096},\n"
                          "     regions: [{base: 0x2000_0000, size: 4KiB}]}\n"
                          "  - {name: xor, kind: device, bus: plb, master: "
                          "{memcpy: true},\n"
                          "     regions: [{base: 0x3000_0000, size: "
                          "4KiB}]}\n"));
    ApiBuffer a = buf(&f, MEM_KMALLOC, 65536), b = buf(&f, MEM_KMALLOC, 65536);
    Plan p;
    plan(&dma_api_struct, &f, &a, &b, 65536, ENGINE_AUTO, MAP_SINGLE, &p);
    ck_assert_int_eq(p.engine, comp(&f, "xor"));
    ck_assert_ptr_nonnull(strstr(p.choice, "dma_move chose xor (estimates: "
                                           "cpu0 "));
    ck_assert_ptr_nonnull(strstr(p.choice, "; not copy engines: mac)"));
    plan_free(&p);
    plan(&dma_api_flat, &f, &a, &b, 65536, ENGINE_AUTO, MAP_SINGLE, &p);
    ck_assert_str_eq(p.choice,
                     "engine auto: the first copy engine on the root bus, xor");
    plan_free(&p);
    fix_close(&f);
}
END_TEST

/* struct's windows on demand, at the scheme's level: a mapping into a plan
 * programs a window (a step, and the window held); a mapping outside a
 * plan and outside dma_move's estimates (dma_alloc_coherent's, say) sets
 * nothing, so it never hands out a handle through a window that does not
 * exist. */
START_TEST(struct_programs_only_into_a_plan)
{
    Fix f;
    fix_open(&f, "tests/topologies/pim-engine.yaml");
    int card = comp(&f, "card32");
    ApiBuffer hb = buf(&f, MEM_HIGHMEM, 8192);
    char why[400];
    SegList segs = {0};
    /* no plan: a bounce (RAM), with the reason */
    ck_assert_int_eq(dma_api_struct.map(&f.c, card, &hb, 0, 8192, MAP_SINGLE,
                                        &segs, why, sizeof why),
                     MAP_BOUNCE);
    ck_assert_ptr_nonnull(strstr(why, "no dma_ranges or inbound window of "
                                      "pcix0-bridge holds plb memory"));
    segs_free(&segs);
    SwWindow *w1 = swview_window(f.sw, comp(&f, "pcix0-bridge"), true, 1);
    ck_assert(!w1->on);
    /* into a plan: one program step, window 1 on and held */
    Plan p;
    plan_init(&p);
    ApiCtx c = f.c;
    c.programs = &p;
    c.stamp = 1;
    segs = (SegList){0};
    ck_assert_int_eq(dma_api_struct.map(&c, card, &hb, 0, 8192, MAP_SINGLE,
                                        &segs, why, sizeof why),
                     MAP_OK);
    ck_assert_uint_eq(p.n_steps, 1);
    ck_assert_int_eq(p.steps[0].kind, STEP_PROGRAM);
    ck_assert_uint_eq(p.steps[0].writes, 4);
    ck_assert_uint_eq(p.windows_programmed, 1);
    ck_assert_uint_eq(p.n_held, 1);
    ck_assert(w1->on);
    ck_assert_uint_eq(w1->users, 1);
    /* the card drives PCI 0x8000_0000 + the buffer's offset in its page */
    ck_assert_uint_eq(segs.n, 1);
    ck_assert_uint_eq(segs.v[0].addr >> 20, 0x800);
    segs_free(&segs);
    plan_free(&p);
    fix_close(&f);
}
END_TEST

/* The IOMMU page allocator on highmem-gart (32 pages of 4 KiB): a run of
 * unmapped pages first; then the idle run used least recently; never a
 * page an operation holds; a mapping longer than the aperture refused. */
START_TEST(iommu_allocation_order)
{
    Fix f;
    fix_open(&f, "topologies/highmem-gart.yaml");
    int br = comp(&f, "pcix0-bridge");
    SwMiss m = {.set = true, .bridge = br, .inbound = true, .iommu = true,
                .addr = 0x100000000, .len = 65536};
    IommuGrant g;
    char why[200];
    ck_assert(winalloc_iommu(f.sw, &m, 1, &g, why, sizeof why));
    free(g.old);
    ck_assert_uint_eq(g.first, 0);
    ck_assert_uint_eq(g.pages, 16);
    ck_assert_uint_eq(g.pa, 0x100000000);
    ck_assert_uint_eq(g.evicted, 0);
    m.addr = 0x100010000;
    ck_assert(winalloc_iommu(f.sw, &m, 2, &g, why, sizeof why));
    free(g.old);
    ck_assert_uint_eq(g.first, 16);
    ck_assert_uint_eq(swview_iommu_page(f.sw, br, 17)->pa, 0x100011000);
    /* pages 0-15 used again at 3: 16-31 are the least recently used */
    for (int k = 0; k < 16; k++)
        swview_iommu_page(f.sw, br, (uint64_t)k)->last_use = 3;
    m.addr = 0x100020000;
    ck_assert(winalloc_iommu(f.sw, &m, 4, &g, why, sizeof why));
    free(g.old);
    ck_assert_uint_eq(g.first, 16);
    ck_assert_uint_eq(g.evicted, 16);
    /* an operation holds page 20: 0-15 go, though used more recently */
    swview_iommu_page(f.sw, br, 20)->users = 1;
    m.addr = 0x100030000;
    ck_assert(winalloc_iommu(f.sw, &m, 5, &g, why, sizeof why));
    free(g.old);
    ck_assert_uint_eq(g.first, 0);
    /* and page 10 too: every run of 16 has a page held */
    swview_iommu_page(f.sw, br, 10)->users = 1;
    ck_assert(!winalloc_iommu(f.sw, &m, 6, &g, why, sizeof why));
    ck_assert_str_eq(why, "every run of 16 pages in pcix0-bridge's IOMMU "
                          "aperture has a page in use");
    /* 2 KiB into a page, 4 KiB long: two pages, from the page's start */
    m.addr = 0x100040800;
    m.len = 4096;
    ck_assert(winalloc_iommu(f.sw, &m, 7, &g, why, sizeof why));
    free(g.old);
    ck_assert_uint_eq(g.pages, 2);
    ck_assert_uint_eq(g.pa, 0x100040000);
    ck_assert_uint_eq(g.first, 16); /* idle, and used before 0-15 were */
    m.len = 256 * 1024;
    ck_assert(!winalloc_iommu(f.sw, &m, 8, &g, why, sizeof why));
    ck_assert_str_eq(why, "a mapping of 65 pages is larger than "
                          "pcix0-bridge's IOMMU aperture (32 pages)");
    fix_close(&f);
}
END_TEST

/* Maps buffer b for card32 into plan p (stamp s): MAP_OK or not. */
static MapResult map_into(Fix *f, Plan *p, uint64_t s, const ApiBuffer *b)
{
    ApiCtx c = f->c;
    c.programs = p;
    c.stamp = s;
    SegList segs = {0};
    char why[400];
    MapResult r = dma_api_struct.map(&c, comp(f, "card32"), b, 0, b->size,
                                     MAP_SINGLE, &segs, why, sizeof why);
    segs_free(&segs);
    return r;
}

/* Waiting for a window (highmem-pim: windows 1 and 2 programmable, 1 MiB
 * buffers above 4 GiB a window each).  Plans A and B program and hold
 * windows 1 and 2; C finds both held by operations in flight: it is told
 * to wait, and giving it up leaves the records as they were.  Once A has
 * ended, D evicts A's window 1 for a first buffer, then finds window 2
 * held by B for a second: giving D up puts window 1 back to A's setting,
 * idle. */
START_TEST(struct_waits_for_held_windows)
{
    Fix f;
    fix_open(&f, "topologies/highmem-pim.yaml");
    int br = comp(&f, "pcix0-bridge");
    ApiBuffer h[5];
    for (int i = 0; i < 5; i++)
        h[i] = buf(&f, MEM_HIGHMEM, 1 << 20);
    SwWindow *w1 = swview_window(f.sw, br, true, 1),
             *w2 = swview_window(f.sw, br, true, 2);
    Plan a, b, c, d;
    plan_init(&a);
    plan_init(&b);
    plan_init(&c);
    plan_init(&d);
    ck_assert_int_eq(map_into(&f, &a, 1, &h[0]), MAP_OK);
    ck_assert_int_eq(map_into(&f, &b, 2, &h[1]), MAP_OK);
    ck_assert(!a.wait && !b.wait);
    ck_assert(w1->pending && w2->pending); /* not yet written */
    w1->pending = w2->pending = false;     /* as the runner does */
    ck_assert_uint_eq(w1->users, 1);
    ck_assert_uint_eq(w2->users, 1);
    ck_assert_int_eq(map_into(&f, &c, 3, &h[2]), MAP_BOUNCE);
    ck_assert(c.wait);
    plan_give_up(&c, f.sw);
    ck_assert_uint_eq(w1->users, 1);
    ck_assert_uint_eq(w2->users, 1);
    plan_release(&a, f.sw); /* A ends */
    plan_free(&a);
    SwWindow a_w1 = *w1;
    ck_assert_int_eq(map_into(&f, &d, 4, &h[3]), MAP_OK);
    ck_assert_uint_eq(d.window_evictions, 1);
    ck_assert_uint_ne(w1->w.parent, a_w1.w.parent); /* over h[3] now */
    ck_assert_int_eq(map_into(&f, &d, 4, &h[4]), MAP_BOUNCE);
    ck_assert(d.wait);
    plan_give_up(&d, f.sw);
    ck_assert(w1->on && !w1->pending);
    ck_assert_uint_eq(w1->users, 0);
    ck_assert_uint_eq(w1->w.parent, a_w1.w.parent);
    ck_assert_uint_eq(w1->last_use, a_w1.last_use);
    plan_release(&b, f.sw);
    plan_free(&b);
    ck_assert_uint_eq(w2->users, 0);
    fix_close(&f);
}
END_TEST

/* An arm64 kernel (bcm2711.yaml): all RAM linear at 0xffff_0000_0000_0000
 * + pa; zone_dma_bits 30 (the soc bus's dma-ranges end at 1 GiB, the
 * PCIe bridge's at 3 GiB: the lower); kmalloc from ZONE_NORMAL (the
 * lower half of the RAM at 4 GiB: its upper half is vmalloc's pool)
 * first, ZONE_DMA32 (0x4000_0000 up) and ZONE_DMA (after the kernel
 * image's 16 MiB) on request; no highmem. */
START_TEST(kmem_arm64_zones)
{
    Fix f;
    fix_open(&f, "topologies/bcm2711.yaml");
    uint64_t va, pa;
    char err[200];
    ck_assert(kmem_alloc(f.k, MEM_KMALLOC, 4096, &va, &pa, err, sizeof err));
    ck_assert_uint_eq(pa, 0x100000000ull);
    ck_assert_uint_eq(va, 0xffff000100000000ull);
    ck_assert(kmem_alloc_in(f.k, MEM_KMALLOC, KZONE_DMA, UINT64_MAX, 4096,
                            &va, &pa, err, sizeof err));
    ck_assert_uint_eq(pa, 0x1000000);
    ck_assert(kmem_alloc_in(f.k, MEM_KMALLOC, KZONE_DMA32, UINT64_MAX, 4096,
                            &va, &pa, err, sizeof err));
    ck_assert_uint_eq(pa, 0x40000000);
    ck_assert_int_eq(kmem_low_zone(f.k), KZONE_DMA);
    ck_assert(!kmem_alloc(f.k, MEM_HIGHMEM, 4096, &va, &pa, err,
                          sizeof err));
    ck_assert_str_eq(err, "highmem: an arm64 kernel maps all RAM linearly; "
                          "there is no highmem (use kmalloc, with zone: for "
                          "where)");
    /* below a limit: the first zone wholly under it */
    ck_assert(kmem_alloc_in(f.k, MEM_COHERENT, KZONE_ANY, 0x3fffffff, 4096,
                            &va, &pa, err, sizeof err));
    ck_assert_uint_eq(pa, 0x1001000);
    fix_close(&f);
}
END_TEST

/* A CMA area of 16 MiB below 256 MiB on Ebony: reserved at boot from the
 * top of kmalloc's memory (16..128 MiB), so 0x700_0000..0x800_0000;
 * kmalloc never takes it; alloc: cma does, and linux's coherent
 * allocations of more than a page go there first. */
START_TEST(kmem_cma_area)
{
    char *y = NULL;
    size_t yn = 0;
    FILE *m = open_memstream(&y, &yn);
    FILE *in = fopen("topologies/ebony.yaml", "r");
    ck_assert_ptr_nonnull(in);
    char line[512];
    while (fgets(line, sizeof line, in)) {
        fputs(line, m);
        if (strstr(line, "  arch: ppc"))
            fputs("  cma: {size: 16MiB, below: 0x1000_0000}\n", m);
    }
    fclose(in);
    fclose(m);
    Fix f;
    fix_open(&f, tu_write("ebony-cma.yaml", y));
    free(y);
    uint64_t va, pa;
    char err[200];
    ck_assert(kmem_alloc_in(f.k, MEM_KMALLOC, KZONE_CMA, UINT64_MAX, 4096,
                            &va, &pa, err, sizeof err));
    ck_assert_uint_eq(pa, 0x7000000);
    ck_assert(kmem_alloc(f.k, MEM_KMALLOC, 4096, &va, &pa, err, sizeof err));
    ck_assert_uint_eq(pa, 0x1000000);
    ApiBuffer b = {.size = 65536, .cls = MEM_COHERENT};
    char why[300];
    ck_assert(dma_api_linux.alloc_coherent(&f.c, comp(&f, "card"), 65536, &b,
                                           why, sizeof why));
    ck_assert_uint_eq(b.handle, 0x7001000); /* ppc: dma_offset 0 */
    /* more than kmalloc has left: an error naming the room */
    ck_assert(!kmem_alloc_in(f.k, MEM_KMALLOC, KZONE_CMA, UINT64_MAX,
                             32u << 20, &va, &pa, err, sizeof err));
    ck_assert_str_eq(err, "kmalloc: cannot allocate 32 MiB in the CMA area");
    fix_close(&f);
}
END_TEST

/* A8 on the Pi: coherent memory for the legacy DMA engine comes from
 * below what it reaches, 1 GiB (ZONE_DMA), and its handle is the bus
 * address 0xc000_0000 + pa. */
START_TEST(linux_coherent_below_limit)
{
    Fix f;
    fix_open(&f, "topologies/bcm2711.yaml");
    ApiBuffer b = {.size = 8192, .cls = MEM_COHERENT};
    char why[300];
    ck_assert(dma_api_linux.alloc_coherent(&f.c, comp(&f, "dma"), 8192, &b,
                                           why, sizeof why));
    uint64_t pa, run;
    ck_assert(kmem_walk(f.k, b.va, &pa, &run, NULL));
    ck_assert_uint_lt(pa, 0x40000000);
    ck_assert_uint_eq(b.handle, 0xC0000000 + pa);
    fix_close(&f);
}
END_TEST

/* ---- linux: the rules of ../shared/LINUX_DMA.md, each by hand ---------- */

/* A generic board: 512 MiB of RAM, a PCI bus whose bridge's dma-ranges
 * put RAM 0..128 MiB at PCI 0x1000_0000 and 128..256 MiB at PCI 0x0 and
 * 256..384 MiB at PCI 0x1800_0000 (three entries, three offsets), and
 * nothing above 384 MiB. */
#define LX_TOPO                                                             \
    "name: lx\naddress_bits: 36\n"                                          \
    "clocks: {cpu: 400MHz, plb: 100MHz, pci: 66MHz}\n"                      \
    "buses: [{name: plb, kind: plb, clock: plb, width: 128}, "              \
    "{name: pci, kind: pci, clock: pci}]\n"                                 \
    "components:\n"                                                         \
    "  - {name: cpu0, kind: cpu, bus: plb, clock: cpu}\n"                   \
    "  - {name: sdram, kind: sdram, bus: plb, base: 0, size: 512MiB}\n"     \
    "  - name: br\n    kind: bridge\n    parent: plb\n    child: pci\n"     \
    "    ranges: [{child: 0x8000_0000, parent: 0x2_8000_0000, "             \
    "size: 256MiB}]\n"                                                      \
    "    dma_ranges: [{child: 0x1000_0000, parent: 0x0, size: 128MiB}, "    \
    "{child: 0x0, parent: 0x800_0000, size: 128MiB}, "                      \
    "{child: 0x1800_0000, parent: 0x1000_0000, size: 128MiB}]\n"            \
    "  - {name: card, kind: device, bus: pci, regions: [{base: "            \
    "0x8000_0000, size: 1MiB}], master: {dma_mask: 32}}\n"                  \
    "  - {name: card2, kind: device, bus: pci, regions: [{base: "           \
    "0x8010_0000, size: 1MiB}], master: {dma_mask: 32}}\n"

/* A buffer of the linear map at physical address pa. */
static ApiBuffer linear(uint64_t pa, uint64_t size)
{
    return (ApiBuffer){.va = 0xC0000000 + pa, .size = size,
                       .cls = MEM_LINEAR, .handle_dev = -1};
}

static MapResult lx_map(Fix *f, const char *m, const ApiBuffer *b,
                        MapKind how, SegList *segs, char *why, size_t n)
{
    *segs = (SegList){0};
    why[0] = '\0';
    return dma_api_linux.map(&f->c, comp(f, m), b, 0, b->size, how, segs, why,
                             n);
}

/* A1-A3: the card's dma_range_map has the three entries; bus_dma_limit
 * is the highest end, 0x1fff_ffff, and cuts the 32-bit mask to 29 bits.
 * phys_to_dma looks at a buffer's start only: 8 KiB from 4 KiB below
 * 128 MiB is one range from 0x17ff_f000 (its tail goes to PCI
 * 0x1800_0000, which is RAM at 256 MiB: A2's silent straddle).  RAM at
 * 400 MiB has no entry: with no swiotlb pool, an error. */
START_TEST(linux_range_map)
{
    Fix f;
    fix_open(&f, tu_write("lx.yaml", LX_TOPO));
    SegList s;
    char why[300];
    ApiBuffer a = linear(0x100000, 4096);
    ck_assert_int_eq(lx_map(&f, "card", &a, MAP_SINGLE, &s, why, sizeof why),
                     MAP_OK);
    ck_assert_uint_eq(s.n, 1);
    ck_assert_uint_eq(s.v[0].addr, 0x10100000);
    segs_free(&s);
    a = linear(0x8001000, 4096); /* the second entry: offset -128 MiB */
    ck_assert_int_eq(lx_map(&f, "card", &a, MAP_SINGLE, &s, why, sizeof why),
                     MAP_OK);
    ck_assert_uint_eq(s.v[0].addr, 0x1000);
    segs_free(&s);
    a = linear(0x7fff000, 8192); /* straddles entries 1 and 2 */
    ck_assert_int_eq(lx_map(&f, "card", &a, MAP_SINGLE, &s, why, sizeof why),
                     MAP_OK);
    ck_assert_uint_eq(s.n, 1);
    ck_assert_uint_eq(s.v[0].addr, 0x17fff000);
    ck_assert_uint_eq(s.v[0].len, 8192);
    segs_free(&s);
    a = linear(400u << 20, 4096);
    ck_assert_int_eq(lx_map(&f, "card", &a, MAP_SINGLE, &s, why, sizeof why),
                     MAP_REFUSE);
    ck_assert_str_eq(why, "dma_map: card: no dma-ranges entry of card "
                          "holds 0x1900_0000");
    segs_free(&s);
    /* 4 KiB from the top of entry 3: 0x1fff_f000 + 8 KiB passes
     * bus_dma_limit 0x1fff_ffff */
    a = linear(0x17fff000, 8192);
    ck_assert_int_eq(lx_map(&f, "card", &a, MAP_SINGLE, &s, why, sizeof why),
                     MAP_REFUSE);
    ck_assert_str_eq(why, "DMA addr 0x1fff_f000+8192 overflow (mask "
                          "1fffffff, bus limit 1fffffff)");
    segs_free(&s);
    fix_close(&f);
}
END_TEST

/* A4, A5, A7, A8, A10 on Ebony (ppc rules, dma_offset 0): dma_map_single
 * rejects vmalloc; dma_map_sg maps it page by page; device memory goes to
 * dma_map_resource untranslated (the card's BAR at CPU 0x3_8000_1000 is
 * what dma0 drives); an ioremap address has no pages for dma_map_sg;
 * dma_alloc_coherent(NULL) is refused; engine auto is the first DMA_MEMCPY
 * controller in the tree. */
START_TEST(linux_map_rules)
{
    Fix f;
    fix_open(&f, "topologies/ebony.yaml");
    SegList s;
    char why[300];
    ApiBuffer v = buf(&f, MEM_VMALLOC, 8192);
    ck_assert_int_eq(lx_map(&f, "card", &v, MAP_SINGLE, &s, why, sizeof why),
                     MAP_REFUSE);
    ck_assert_str_eq(why, "dma_map_single: 0xd100_0000 is a vmalloc "
                          "address, which dma_map_single rejects");
    segs_free(&s);
    ck_assert_int_eq(lx_map(&f, "card", &v, MAP_SG, &s, why, sizeof why),
                     MAP_OK);
    ck_assert_uint_eq(s.n, 2); /* a page each */
    segs_free(&s);
    ApiBuffer io = iomap(&f, 0x380001000ull, 4096, 0);
    ck_assert_int_eq(lx_map(&f, "dma0", &io, MAP_SINGLE, &s, why, sizeof why),
                     MAP_OK);
    ck_assert_uint_eq(s.v[0].addr, 0x380001000ull);
    segs_free(&s);
    ck_assert_int_eq(lx_map(&f, "dma0", &io, MAP_SG, &s, why, sizeof why),
                     MAP_REFUSE);
    ck_assert_str_eq(why, "dma_map_sg: 0xd100_3000 is an ioremap address, "
                          "which has no pages to map");
    segs_free(&s);
    ApiBuffer cb;
    ck_assert(!dma_api_linux.alloc_coherent(&f.c, -1, 4096, &cb, why,
                                            sizeof why));
    ck_assert_str_eq(why, "a NULL device is not supported (since Linux 5.2)");
    ApiBuffer a = buf(&f, MEM_KMALLOC, 4096), b = buf(&f, MEM_KMALLOC, 4096);
    Plan p;
    plan(&dma_api_linux, &f, &a, &b, 4096, ENGINE_AUTO, MAP_SINGLE, &p);
    ck_assert_int_eq(p.engine, comp(&f, "dma0"));
    ck_assert_str_eq(p.choice, "dmaengine: the first DMA_MEMCPY channel, "
                               "dma0");
    plan_free(&p);
    fix_close(&f);
}
END_TEST

/* A4 on arm64 (CONFIG_DMA_BOUNCE_UNALIGNED_KMALLOC), the Pi 4's 64-byte
 * lines, non-coherent: a device writing kmalloc memory bounces when the
 * mapping's kmalloc size class is not a multiple of the line — 24 bytes
 * (class 32), 80 (class 96) — and not for 64, 200 (class 256) or 4 KiB;
 * never for the device reading, nor on a coherent board. */
START_TEST(linux_kmalloc_needs_bounce)
{
    for (int coherent = 0; coherent < 2; coherent++) {
        Fix f;
        fix_open(&f, "topologies/bcm2711.yaml");
        f.t->kernel.coherent = coherent;
        ApiBuffer a = buf(&f, MEM_KMALLOC, 4096);
        static const struct {
            uint64_t len;
            bool bounce;
        } cases[] = {{24, true},   {32, true},   {64, false}, {80, true},
                     {96, true},   {200, false}, {4096, false}};
        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
            for (int dir = 0; dir < 2; dir++) {
                SegList s = {0};
                char why[300] = "";
                f.c.from_device = dir;
                MapResult r = dma_api_linux.map(&f.c, comp(&f, "genet"), &a,
                                                0, cases[i].len, MAP_SINGLE,
                                                &s, why, sizeof why);
                bool want = cases[i].bounce && dir && !coherent;
                ck_assert_msg(r == (want ? MAP_BOUNCE : MAP_OK),
                              "%llu bytes, from_device %d, coherent %d: %s",
                              (unsigned long long)cases[i].len, dir,
                              coherent, why);
                if (want && cases[i].len == 24)
                    ck_assert_str_eq(why, "dma_map_single: a 24-byte "
                                          "kmalloc buffer a non-coherent "
                                          "device writes, of a kmalloc "
                                          "size class not aligned to the "
                                          "64-byte cache line "
                                          "(kmalloc_needs_bounce)");
                segs_free(&s);
            }
        /* the kernel's own bounce memory is not a kmalloc object */
        a.dma_safe = true;
        f.c.from_device = true;
        SegList s = {0};
        char why[300] = "";
        ck_assert_int_eq(dma_api_linux.map(&f.c, comp(&f, "genet"), &a, 0, 24,
                                           MAP_SINGLE, &s, why, sizeof why),
                         MAP_OK);
        segs_free(&s);
        /* kmalloc aligns to 8 bytes on arm64, to the line on 32-bit
         * non-coherent kernels, not at all when coherent */
        ck_assert_uint_eq(dma_api_linux.kmalloc_minalign(&f.c),
                          coherent ? 0 : 8);
        f.t->kernel.arch = ARCH_PPC;
        ck_assert_uint_eq(dma_api_linux.kmalloc_minalign(&f.c),
                          coherent ? 0 : 64);
        fix_close(&f);
    }
}
END_TEST

/* Cache maintenance in a plan on non-coherent Ebony: 2004's
 * consistent_sync cleans the source and invalidates every line of the
 * destination before the DMA, nothing after; linux cleans the source,
 * invalidates the destination flushing partial lines, and again after
 * the DMA (arch_sync_dma_for_cpu). */
START_TEST(cache_steps_by_scheme)
{
    Fix f;
    fix_open(&f, "topologies/ebony.yaml");
    ApiBuffer a = buf(&f, MEM_KMALLOC, 4096), b = buf(&f, MEM_KMALLOC, 4096);
    const DmaApi *apis[] = {&dma_api_flat, &dma_api_struct, &dma_api_linux};
    for (size_t k = 0; k < 3; k++) {
        Plan p;
        plan(apis[k], &f, &a, &b, 4096, comp(&f, "dma0"), MAP_SINGLE, &p);
        ck_assert(!p.refused);
        char kinds[16] = "";
        size_t n = 0;
        for (size_t i = 0; i < p.n_steps && n + 1 < sizeof kinds; i++)
            if (p.steps[i].kind == STEP_CACHE)
                kinds[n++] = "FICS"[p.steps[i].cache];
            else if (p.steps[i].kind == STEP_DMA)
                kinds[n++] = 'D';
        ck_assert_str_eq(kinds, k < 2 ? "CID" : "CSDS");
        plan_free(&p);
    }
    fix_close(&f);
}
END_TEST

/* A9: two cards below the host bridge share no PCI switch: P2P is
 * refused. */
START_TEST(linux_p2p_refused)
{
    Fix f;
    fix_open(&f, tu_write("lx.yaml", LX_TOPO));
    SegList s;
    char why[300];
    ApiBuffer io = iomap(&f, 0x280100000ull, 4096, 0); /* card2's BAR */
    ck_assert_int_eq(lx_map(&f, "card", &io, MAP_SINGLE, &s, why, sizeof why),
                     MAP_REFUSE);
    ck_assert_str_eq(why, "pci_p2pdma: card and card2 are not behind a "
                          "common PCI switch; P2P through the host bridge "
                          "is refused (-EREMOTEIO)");
    segs_free(&s);
    fix_close(&f);
    /* a host bridge on the whitelist: through it, the BAR's CPU address
     * as phys_to_dma gives it (1:1), 0xc010_0000 for the NVMe's */
    fix_open(&f, "tests/topologies/p2p-whitelist.yaml");
    io = iomap(&f, 0xC0100000ull, 4096, 0);
    ck_assert_int_eq(lx_map(&f, "nic", &io, MAP_SINGLE, &s, why, sizeof why),
                     MAP_OK);
    ck_assert_uint_eq(s.n, 1);
    ck_assert_uint_eq(s.v[0].addr, 0xC0100000ull);
    segs_free(&s);
    f.t->comps[comp(&f, "rc0")].bridge->p2pdma = false;
    ck_assert_int_eq(lx_map(&f, "nic", &io, MAP_SINGLE, &s, why, sizeof why),
                     MAP_REFUSE);
    ck_assert_str_eq(why, "pci_p2pdma: nic and nvme are not behind a "
                          "common PCI switch; P2P through the host bridge "
                          "is refused (-EREMOTEIO)");
    segs_free(&s);
    fix_close(&f);
}
END_TEST

/* A11 (iommu-domain.yaml: 32 pages of 4 KiB at PCI 0x8000_0000, the DMA
 * API's): a mapping into a plan takes fresh pages, its IOVA the first of
 * them; more pages than the aperture has is an error. */
START_TEST(linux_dma_iommu)
{
    Fix f;
    fix_open(&f, "tests/topologies/iommu-domain.yaml");
    ApiBuffer a = buf(&f, MEM_KMALLOC, 8192);
    ApiBuffer big = buf(&f, MEM_KMALLOC, 256 * 1024);
    Plan p;
    plan_init(&p);
    ApiCtx c = f.c;
    c.programs = &p;
    c.stamp = 1;
    SegList segs = {0};
    char why[300];
    ck_assert_int_eq(dma_api_linux.map(&c, comp(&f, "card32"), &a, 0, 8192,
                                       MAP_SINGLE, &segs, why, sizeof why),
                     MAP_OK);
    ck_assert_uint_eq(segs.n, 1);
    ck_assert_uint_eq(segs.v[0].addr, 0x80000000);
    ck_assert_uint_eq(p.iommu_pages_mapped, 2);
    ck_assert_uint_eq(p.n_steps, 1);
    ck_assert_int_eq(p.steps[0].kind, STEP_IOMMU);
    segs_free(&segs);
    ck_assert_int_eq(dma_api_linux.map(&c, comp(&f, "card32"), &big, 0,
                                       256 * 1024, MAP_SINGLE, &segs, why,
                                       sizeof why),
                     MAP_REFUSE);
    ck_assert_str_eq(why, "dma-iommu: a mapping of 64 pages is larger than "
                          "pcix0-bridge's IOMMU aperture (32 pages)");
    segs_free(&segs);
    plan_free(&p);
    fix_close(&f);
}
END_TEST

/* A6: the pool of 64 MiB is 32768 slots of 2 KiB; a mapping takes
 * contiguous slots inside one segment of 128 (256 KiB at most), page
 * aligned when it is a page or more; "swiotlb buffer is full" when none
 * fit. */
START_TEST(linux_swiotlb_pool)
{
    Fix f;
    fix_open(&f, "topologies/ebony.yaml");
    char why[200];
    Swiotlb *t = swiotlb_new(f.k, 1u << 20, why, sizeof why); /* 4 segs */
    ck_assert_ptr_nonnull(t);
    ck_assert_uint_eq(swiotlb_slots(t), 512);
    uint32_t slot;
    uint64_t va, pa;
    ck_assert(swiotlb_map(t, 100, &slot, &va, &pa, why, sizeof why));
    ck_assert_uint_eq(slot, 0);
    ck_assert(swiotlb_map(t, 4096, &slot, &va, &pa, why, sizeof why));
    ck_assert_uint_eq(slot, 2); /* the next page boundary: slot 2 */
    ck_assert_uint_eq(pa, swiotlb_pa(t) + 2 * 2048);
    ck_assert(!swiotlb_map(t, 256 * 1024 + 1, &slot, &va, &pa, why,
                           sizeof why));
    ck_assert_str_eq(why, "swiotlb buffer is full (sz: 262145 bytes), total "
                          "512 (slots), used 3 (slots)");
    /* three whole segments fit; the first, partly used, does not */
    for (int i = 0; i < 3; i++)
        ck_assert(swiotlb_map(t, 256 * 1024, &slot, &va, &pa, why,
                              sizeof why));
    ck_assert(!swiotlb_map(t, 256 * 1024, &slot, &va, &pa, why, sizeof why));
    ck_assert_uint_eq(swiotlb_used(t), 3 + 3 * 128);
    swiotlb_unmap(t, 0, 100);
    swiotlb_unmap(t, 2, 4096);
    ck_assert(swiotlb_map(t, 256 * 1024, &slot, &va, &pa, why, sizeof why));
    ck_assert_uint_eq(slot, 0);
    swiotlb_free(t);
    fix_close(&f);
}
END_TEST

/* B: powerpc.  Two host bridges whose dma-ranges put RAM at different PCI
 * addresses: the second is refused ("dma-ranges(s) mismatch"), and every
 * operation of its devices is an API error with that message; the first
 * bridge's devices get dma_offset 0. */
START_TEST(linux_ppc_refusals)
{
    Fix f;
    char *y = NULL;
    size_t yn = 0;
    FILE *m = open_memstream(&y, &yn);
    ck_assert_ptr_nonnull(m);
    FILE *in = fopen("topologies/two-host-bridges.yaml", "r");
    ck_assert_ptr_nonnull(in);
    char line[512];
    while (fgets(line, sizeof line, in)) {
        char *k = strstr(line, "pci_dram_offset: 0x0");
        if (k && !strstr(line, "arch"))
            fprintf(m, "%.*spci_dram_offset: 0x0, arch: ppc%s",
                    (int)(k - line), line, k + strlen("pci_dram_offset: 0x0"));
        else
            fputs(line, m);
    }
    fclose(in);
    fclose(m);
    ck_assert_ptr_nonnull(strstr(y, "arch: ppc"));
    fix_open(&f, tu_write("two-ppc.yaml", y));
    free(y);
    SegList s;
    char why[400];
    ApiBuffer a = buf(&f, MEM_KMALLOC, 4096);
    ck_assert_int_eq(lx_map(&f, "card0", &a, MAP_SINGLE, &s, why, sizeof why),
                     MAP_OK);
    uint64_t pa = kmem_virt_to_phys(f.k, a.va);
    ck_assert_uint_eq(s.v[0].addr, pa); /* dma_offset 0 */
    segs_free(&s);
    ck_assert_int_eq(lx_map(&f, "card1", &a, MAP_SINGLE, &s, why, sizeof why),
                     MAP_REFUSE);
    ck_assert_str_eq(why, "hb1: dma-ranges(s) mismatch (the 4xx PCI "
                          "code refused the host bridge at boot: -ENXIO)");
    segs_free(&s);
    fix_close(&f);
}
END_TEST

/* B's other refusals, each on a one-bridge 4xx board with 512 MiB of RAM:
 * a window smaller than RAM; one not aligned to its size; a third memory
 * range on a PCI-X bridge, whose device's memory is then unmapped. */
#define PPC_BOARD(dma, ranges)                                              \
    "name: b\naddress_bits: 36\nclocks: {c: 100MHz}\n"                      \
    "kernel: {arch: ppc}\n"                                                 \
    "buses: [{name: plb, kind: plb, clock: c, width: 128}, "                \
    "{name: pcix, kind: pcix, clock: c}]\ncomponents:\n"                    \
    "  - {name: cpu0, kind: cpu, bus: plb}\n"                               \
    "  - {name: dma0, kind: dma, bus: plb}\n"                               \
    "  - {name: sdram, kind: sdram, bus: plb, base: 0, size: 512MiB}\n"     \
    "  - name: hb\n    kind: bridge\n    parent: plb\n    child: pcix\n"  \
    "    ranges: " ranges "\n"                                              \
    "    dma_ranges: " dma "\n"                                             \
    "  - {name: card, kind: device, bus: pcix, master: {dma_mask: 32}, "    \
    "regions: [{base: 0xA000_0000, size: 1MiB}]}\n"

START_TEST(linux_ppc_boot_messages)
{
    struct {
        const char *yaml, *want;
    } cases[] = {
        {PPC_BOARD("[{child: 0x0, parent: 0x0, size: 256MiB}]",
                   "[{child: 0x8000_0000, parent: 0x3_8000_0000, size: "
                   "1GiB}]"),
         "hb: dma-ranges too small (size=10000000 total_memory=20000000) "
         "(the 4xx PCI code refused the host bridge at boot: -ENXIO)"},
        {PPC_BOARD("[{child: 0x1000_0000, parent: 0x0, size: 512MiB}]",
                   "[{child: 0x8000_0000, parent: 0x3_8000_0000, size: "
                   "1GiB}]"),
         "hb: dma-ranges unaligned (the 4xx PCI code refused the host bridge "
         "at boot: -ENXIO)"},
    };
    for (size_t i = 0; i < 2; i++) {
        Fix f;
        fix_open(&f, tu_write("ppc.yaml", cases[i].yaml));
        SegList sg;
        char why[400];
        ApiBuffer a = buf(&f, MEM_KMALLOC, 4096);
        ck_assert_int_eq(lx_map(&f, "card", &a, MAP_SINGLE, &sg, why,
                                sizeof why),
                         MAP_REFUSE);
        ck_assert_str_eq(why, cases[i].want);
        segs_free(&sg);
        fix_close(&f);
    }
    /* three memory ranges: the PCI-X bridge programs two; the card's BAR
     * is in the third */
    Fix f;
    fix_open(&f, tu_write("ppc.yaml",
                          PPC_BOARD("[{child: 0x0, parent: 0x0, size: "
                                    "512MiB}]",
                                    "[{child: 0x8000_0000, parent: "
                                    "0x3_8000_0000, size: 256MiB}, {child: "
                                    "0x9000_0000, parent: 0x3_9000_0000, "
                                    "size: 256MiB}, {child: 0xA000_0000, "
                                    "parent: 0x3_A000_0000, size: 256MiB}]")));
    SegList sg;
    char why[400];
    ApiBuffer io = iomap(&f, 0x3A0000000ull, 4096, 0);
    ck_assert_int_eq(lx_map(&f, "dma0", &io, MAP_SINGLE, &sg, why, sizeof why),
                     MAP_REFUSE);
    ck_assert_str_eq(why, "hb: Too many ranges (the 4xx PCI code did not map "
                          "the outbound range holding card's memory at "
                          "boot)");
    segs_free(&sg);
    fix_close(&f);
}
END_TEST

Suite *scheme_suite(void)
{
    Suite *s = suite_create("scheme");
    TCase *tc = tcase_create("kmem");
    tcase_add_test(tc, kmem_layout);
    tcase_add_test(tc, kmem_seeded);
    tcase_add_test(tc, kmem_highmem);
    suite_add_tcase(s, tc);
    tc = tcase_create("schemes");
    tcase_add_test(tc, flat_handles);
    tcase_add_test(tc, flat_truncates_and_garbles);
    tcase_add_test(tc, flat_bounce_policy);
    tcase_add_test(tc, struct_page_walk);
    tcase_add_test(tc, struct_mask_bounces);
    tcase_add_test(tc, struct_refuses_unreachable);
    tcase_add_test(tc, struct_dma_move);
    tcase_add_test(tc, copy_engines_only);
    tcase_add_test(tc, struct_programs_only_into_a_plan);
    tcase_add_test(tc, iommu_allocation_order);
    tcase_add_test(tc, struct_waits_for_held_windows);
    tcase_add_test(tc, linux_range_map);
    tcase_add_test(tc, kmem_arm64_zones);
    tcase_add_test(tc, kmem_cma_area);
    tcase_add_test(tc, linux_coherent_below_limit);
    tcase_add_test(tc, linux_map_rules);
    tcase_add_test(tc, linux_p2p_refused);
    tcase_add_test(tc, linux_kmalloc_needs_bounce);
    tcase_add_test(tc, cache_steps_by_scheme);
    tcase_add_test(tc, linux_dma_iommu);
    tcase_add_test(tc, linux_swiotlb_pool);
    tcase_add_test(tc, linux_ppc_refusals);
    tcase_add_test(tc, linux_ppc_boot_messages);
    suite_add_tcase(s, tc);
    return s;
}
