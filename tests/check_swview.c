/* models/kernel/swview: the software view's window arithmetic on the
 * shipped topologies and on small synthetic ones, every address worked
 * out by hand from the files' windows (in each test's comment); and the
 * view's blindness to decode precedence, set against the router. */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "models/kernel/swview.h"
#include "models/kernel/winalloc.h"
#include "sim/hw/route.h"
#include "testutil.h"

typedef struct Fix {
    Diag d;
    Topology *t;
    SwView *v;
} Fix;

/* The view of a shipped topology, read without decoders: the software
 * side needs only the description. */
static void fix_open(Fix *f, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "topologies/%s.yaml", name);
    diag_init(&f->d);
    f->t = topology_read(path, NULL, 0, &f->d);
    ck_assert_msg(f->t, "%s", tu_first(&f->d, SEV_FATAL));
    ck_assert_ptr_null(f->t->map);
    f->v = swview_new(f->t, topo_find_comp(f->t, "cpu0"));
}

static void fix_yaml(Fix *f, const char *yaml)
{
    diag_init(&f->d);
    f->t = tu_load(yaml, &f->d);
    ck_assert_msg(f->t, "%s", tu_first(&f->d, SEV_FATAL));
    f->v = swview_new(f->t, topo_find_comp(f->t, "cpu0"));
}

static void fix_close(Fix *f)
{
    swview_free(f->v);
    topology_free(f->t);
    diag_free(&f->d);
}

static int comp(const Fix *f, const char *name)
{
    int c = topo_find_comp(f->t, name);
    ck_assert_msg(c >= 0, "no component %s", name);
    return c;
}

/* "0x380001000+4096", or "no: WHY". */
static const char *addr_of(const Fix *f, const char *m, const char *c,
                           int region, uint64_t off, uint64_t len)
{
    static char buf[400];
    uint64_t a, run;
    char why[300];
    if (swview_master_addr(f->v, comp(f, m), comp(f, c), region, off, len,
                           &a, &run, why, sizeof why))
        snprintf(buf, sizeof buf, "0x%" PRIx64 "+%" PRIu64, a, run);
    else
        snprintf(buf, sizeof buf, "no: %s", why);
    return buf;
}

static const char *to_phys(const Fix *f, const char *m, uint64_t addr,
                           uint64_t len)
{
    static char buf[400];
    uint64_t pa, run;
    char why[300];
    if (swview_dma_to_phys(f->v, comp(f, m), addr, len, &pa, &run, why,
                           sizeof why))
        snprintf(buf, sizeof buf, "0x%" PRIx64 "+%" PRIu64, pa, run);
    else
        snprintf(buf, sizeof buf, "no: %s", why);
    return buf;
}

/* "pcix0 plb opb" */
static const char *path_of(const Fix *f, const char *m, const char *c)
{
    static char buf[200];
    int buses[16];
    size_t n = swview_path(f->v, comp(f, m), comp(f, c), buses, 16), k = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++)
        k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s", i ? " " : "",
                              f->t->buses[buses[i]].name);
    return buf;
}

/* Ebony (topologies/ebony.yaml): the card's BAR at PCI 0x8000_0000 is at
 * PLB 0x3_8000_0000 + 0x1000 through pcix0-bridge's ranges window 0; the
 * UART at OPB 0x4000_0200 is at PLB 0x1_0000_0000 + 0x4000_0200 through
 * plb-opb's window 0; the card reaches SDRAM through the inverse of the
 * inbound window PCI 0 -> PLB 0 (2 GiB), so sdram+0x100_0000 is PCI
 * 0x100_0000; nothing carries the UART's PLB address down to PCI. */
START_TEST(ebony_addresses)
{
    Fix f;
    fix_open(&f, "ebony");
    ck_assert_str_eq(addr_of(&f, "cpu0", "card", 0, 0x1000, 4096),
                     "0x380001000+4096");
    ck_assert_str_eq(addr_of(&f, "dma0", "card", 0, 0x1000, 4096),
                     "0x380001000+4096");
    ck_assert_str_eq(addr_of(&f, "cpu0", "uart0", 0, 0, 8),
                     "0x140000200+8");
    ck_assert_str_eq(addr_of(&f, "card", "sdram", 0, 0x1000000, 4096),
                     "0x1000000+4096");
    /* 256 MiB of SDRAM: 0x1000 bytes are left from 0xFFF_F000 */
    ck_assert_str_eq(addr_of(&f, "card", "sdram", 0, 0xFFFF000, 0x2000),
                     "0xffff000+4096");
    ck_assert_str_eq(addr_of(&f, "card", "uart0", 0, 0, 1),
                     "no: no dma_ranges window of pcix0-bridge holds plb "
                     "memory 0x1_4000_0200");
    /* its own BAR: the local address, no window */
    ck_assert_str_eq(addr_of(&f, "card", "card", 0, 0x10, 16),
                     "0x80000010+16");
    fix_close(&f);
}
END_TEST

/* dma_to_phys is the inverse: PCI 0x100_0000 is PLB 0x100_0000; PCI
 * 0x9000_0000 is outside the inbound window (0..2 GiB); dma0 is on the
 * CPU's bus, so its addresses are physical ones. */
START_TEST(ebony_dma_to_phys)
{
    Fix f;
    fix_open(&f, "ebony");
    ck_assert_str_eq(to_phys(&f, "card", 0x1000000, 4096), "0x1000000+4096");
    ck_assert_str_eq(to_phys(&f, "card", 0x7FFFF000, 0x2000),
                     "0x7ffff000+4096");
    ck_assert_str_eq(to_phys(&f, "card", 0x90000000, 4),
                     "no: no dma_ranges window of pcix0-bridge holds pcix0 "
                     "memory 0x9000_0000");
    ck_assert_str_eq(to_phys(&f, "dma0", 0x123456789, 4), "0x123456789+4");
    fix_close(&f);
}
END_TEST

/* The resource map: what the kernel believes lies at a physical
 * address, and system RAM (SDRAM only: the on-chip SRAM is not system
 * RAM). */
START_TEST(ebony_resources)
{
    Fix f;
    fix_open(&f, "ebony");
    SwRes r;
    ck_assert(swview_phys(f.v, 0x380001000ULL, &r));
    ck_assert_int_eq(r.comp, comp(&f, "card"));
    ck_assert_int_eq(r.region, 0);
    ck_assert_uint_eq(r.off, 0x1000);
    ck_assert_uint_eq(r.len, (16u << 20) - 0x1000); /* to the BAR's end */
    ck_assert(swview_phys(f.v, 0x140000204ULL, &r));
    ck_assert_int_eq(r.comp, comp(&f, "uart0"));
    ck_assert_uint_eq(r.off, 4);
    ck_assert_uint_eq(r.len, 4);
    ck_assert(swview_phys(f.v, 0xFFFF0010ULL, &r));
    ck_assert_int_eq(r.comp, comp(&f, "sram"));
    ck_assert(!swview_phys(f.v, 0x200000000ULL, &r));
    ck_assert(!swview_phys(f.v, 0x10000000ULL, &r)); /* past 256 MiB */
    size_t n;
    const SwRes *ram = swview_ram(f.v, &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(ram[0].pa, 0);
    ck_assert_uint_eq(ram[0].len, 256u << 20);
    ck_assert_int_eq(ram[0].comp, comp(&f, "sdram"));
    fix_close(&f);
}
END_TEST

/* Resources behind programmable outbound windows (pcix-bars: none set
 * at boot, aperture PLB 0x8_0000_0000 + 4 GiB): each BAR gets the address
 * a 1:1 window gives it, card1's 1 MiB at 0x8_4000_0000, though no window
 * leads there yet; a master's address for it needs one (a miss at the
 * bridge's outbound windows, on its child side). */
START_TEST(resources_behind_windows)
{
    Fix f;
    fix_open(&f, "pcix-bars");
    int card1 = comp(&f, "card1"), br = comp(&f, "pcix0-bridge");
    uint64_t pa, run;
    ck_assert(swview_resource(f.v, card1, 0, 0x1000, &pa, &run));
    ck_assert_uint_eq(pa, 0x840001000ULL);
    ck_assert_uint_eq(run, (1u << 20) - 0x1000);
    SwRes r;
    ck_assert(swview_phys(f.v, 0x840001000ULL, &r));
    ck_assert_int_eq(r.comp, card1);
    ck_assert_str_eq(addr_of(&f, "dma0", "card1", 0, 0, 4096),
                     "no: no ranges or outbound window of pcix0-bridge "
                     "holds pcix0 memory 0x8_4000_0000");
    const SwMiss *m = swview_last_miss(f.v);
    ck_assert(m->set && m->windows && !m->inbound && m->at_child);
    ck_assert_int_eq(m->bridge, br);
    ck_assert_uint_eq(m->addr, 0x840000000ULL);
    /* beyond the aperture: no address (a region the CPU cannot map) */
    ck_assert(!swview_resource(f.v, comp(&f, "sdram"), 0, 1ull << 31, &pa,
                               &run));
    fix_close(&f);
}
END_TEST

/* The buses a transfer crosses by the tree: up to the lowest shared bus,
 * down to the target's; none for a device's own regions. */
START_TEST(paths)
{
    Fix f;
    fix_open(&f, "ebony");
    ck_assert_str_eq(path_of(&f, "card", "uart0"), "pcix0 plb opb");
    ck_assert_str_eq(path_of(&f, "dma0", "sdram"), "plb");
    ck_assert_str_eq(path_of(&f, "cpu0", "card"), "plb pcix0");
    ck_assert_str_eq(path_of(&f, "card", "card"), "");
    fix_close(&f);
    fix_open(&f, "p2p-tree");
    ck_assert_str_eq(path_of(&f, "dsp3", "disk1"), "pci3 pci2 pci1");
    ck_assert_str_eq(path_of(&f, "nic0", "dsp3"), "pci0 pci1 pci2 pci3");
    ck_assert_str_eq(path_of(&f, "dsp3", "sdram"), "pci3 pci2 pci1 pci0 plb");
    fix_close(&f);
}
END_TEST

/* Two host bridges (topologies/two-host-bridges.yaml): hb1's inbound
 * window maps PCI 0x8000_0000 to PLB 0, so card1 reaches sdram+0x100_0000
 * at 0x8100_0000, and back.  card0 cannot reach card1's BAR: it is at
 * PLB 0x4_C000_0000 (hb1's ranges), which hb0's inbound window (PLB
 * 0..1 GiB) does not hold. */
START_TEST(two_offsets)
{
    Fix f;
    fix_open(&f, "two-host-bridges");
    ck_assert_str_eq(addr_of(&f, "card1", "sdram", 0, 0x1000000, 64),
                     "0x81000000+64");
    ck_assert_str_eq(addr_of(&f, "card0", "sdram", 0, 0x1000000, 64),
                     "0x1000000+64");
    ck_assert_str_eq(to_phys(&f, "card1", 0x81000000, 64), "0x1000000+64");
    ck_assert_str_eq(addr_of(&f, "card0", "card1", 0, 0, 64),
                     "no: no dma_ranges window of hb0 holds plb memory "
                     "0x4_c000_0000");
    fix_close(&f);
}
END_TEST

/* The PCI-to-PCI tree (topologies/p2p-tree.yaml): dsp3 (pci3) reaches
 * disk1 (pci1) at its bus address, through the identity dma_ranges of
 * p2p3 and p2p2; the CPU reaches dsp3's FIFO (pci3 0x9C10_0000) through
 * p2p3, p2p2 and p2p1's 1:1 windows and hb0's window 0 (PCI 0x8000_0000
 * -> PLB 0x3_8000_0000): 0x3_9C10_0000; disk1's I/O register (pci1 I/O
 * 0x1000) goes through p2p1's I/O window (I/O 0x1000 on pci0) and hb0's
 * (I/O 0 -> PLB memory 0x2_0800_0000): 0x2_0800_1000, an address no DMA
 * master uses. */
START_TEST(p2p_composition)
{
    Fix f;
    fix_open(&f, "p2p-tree");
    ck_assert_str_eq(addr_of(&f, "dsp3", "disk1", 0, 0x100, 256),
                     "0x90000100+256");
    ck_assert_str_eq(addr_of(&f, "cpu0", "dsp3", 1, 0, 4), "0x39c100000+4");
    ck_assert_str_eq(addr_of(&f, "cpu0", "disk1", 1, 0, 64), "0x208001000+64");
    ck_assert_str_eq(addr_of(&f, "dsp3", "disk1", 1, 0, 64),
                     "no: disk1 region 1 is in I/O space, which dsp3 does "
                     "not address");
    ck_assert_str_eq(addr_of(&f, "dsp3", "sdram", 0, 0x10000000, 64),
                     "0x10000000+64");
    /* up through three identity dma_ranges and hb0's 1 GiB window */
    ck_assert_str_eq(to_phys(&f, "dsp3", 0x1000, 64), "0x1000+64");
    ck_assert_str_eq(to_phys(&f, "dsp3", 0x50000000, 64),
                     "no: no dma_ranges window of hb0 holds pci0 memory "
                     "0x5000_0000");
    fix_close(&f);
}
END_TEST

/* A region split between two ranges windows: the CPU's address comes in
 * two pieces of 1 MiB, and the resource map holds both. */
START_TEST(split_region)
{
    Fix f;
    fix_yaml(&f, "name: split\n"
                 "address_bits: 36\n"
                 "clocks: {c: 100MHz}\n"
                 "buses: [{name: plb, kind: plb, clock: c},\n"
                 "        {name: pci, kind: pci, clock: c}]\n"
                 "components:\n"
                 "  - {name: cpu0, kind: cpu, bus: plb}\n"
                 "  - {name: ram, kind: sdram, bus: plb, base: 0, size: "
                 "64MiB}\n"
                 "  - name: hb\n"
                 "    kind: bridge\n"
                 "    parent: plb\n"
                 "    child: pci\n"
                 "    ranges:\n"
                 "      - {child: 0x8000_0000, parent: 0x1_0000_0000, size: "
                 "1MiB}\n"
                 "      - {child: 0x8010_0000, parent: 0x2_0000_0000, size: "
                 "1MiB}\n"
                 "  - {name: dev, kind: device, bus: pci,\n"
                 "     regions: [{base: 0x8000_0000, size: 2MiB}]}\n");
    ck_assert_str_eq(addr_of(&f, "cpu0", "dev", 0, 0, 2u << 20),
                     "0x100000000+1048576");
    ck_assert_str_eq(addr_of(&f, "cpu0", "dev", 0, 1u << 20, 1u << 20),
                     "0x200000000+1048576");
    SwRes r;
    ck_assert(swview_phys(f.v, 0x200000010ULL, &r));
    ck_assert_int_eq(r.comp, comp(&f, "dev"));
    ck_assert_uint_eq(r.off, 0x100010);
    ck_assert_uint_eq(r.len, (1u << 20) - 0x10);
    fix_close(&f);
}
END_TEST

/* Two inbound windows that map the same PLB range: the first one holding
 * the address wins, as in the device tree. */
START_TEST(first_window_wins)
{
    Fix f;
    fix_yaml(&f, "name: twice\n"
                 "clocks: {c: 100MHz}\n"
                 "buses: [{name: plb, kind: plb, clock: c},\n"
                 "        {name: pci, kind: pci, clock: c}]\n"
                 "components:\n"
                 "  - {name: cpu0, kind: cpu, bus: plb}\n"
                 "  - {name: ram, kind: sdram, bus: plb, base: 0, size: "
                 "64MiB}\n"
                 "  - name: hb\n"
                 "    kind: bridge\n"
                 "    parent: plb\n"
                 "    child: pci\n"
                 "    dma_ranges:\n"
                 "      - {child: 0x4000_0000, parent: 0x0, size: 1GiB}\n"
                 "      - {child: 0x0, parent: 0x0, size: 1GiB}\n"
                 "  - {name: dev, kind: device, bus: pci, master: {}}\n");
    ck_assert_str_eq(addr_of(&f, "dev", "ram", 0, 0x100, 4),
                     "0x40000100+4");
    fix_close(&f);
}
END_TEST

/* What the view cannot know: a second card's BAR at PCI 0x100_0000 sits
 * inside the host bridge's inbound window.  The view converts
 * sdram+0x100_0000 for the card by the window (PCI 0x100_0000), as
 * Linux's translate_phys_to_dma would; on the bus the second card's
 * positive decode claims that address first. */
START_TEST(blind_to_shadowing)
{
    Fix f;
    fix_yaml(&f, "name: shadow\n"
                 "address_bits: 36\n"
                 "clocks: {c: 100MHz}\n"
                 "buses: [{name: plb, kind: plb, clock: c},\n"
                 "        {name: pci, kind: pcix, clock: c}]\n"
                 "components:\n"
                 "  - {name: cpu0, kind: cpu, bus: plb}\n"
                 "  - {name: sdram, kind: sdram, bus: plb, base: 0, size: "
                 "256MiB}\n"
                 "  - name: hb\n"
                 "    kind: bridge\n"
                 "    parent: plb\n"
                 "    child: pci\n"
                 "    ranges: [{child: 0x8000_0000, parent: 0x3_8000_0000, "
                 "size: 2GiB}]\n"
                 "    dma_ranges: [{child: 0x0, parent: 0x0, size: 2GiB}]\n"
                 "  - {name: card, kind: device, bus: pci, master: {},\n"
                 "     regions: [{base: 0x8000_0000, size: 16MiB}]}\n"
                 "  - {name: card2, kind: device, bus: pci,\n"
                 "     regions: [{base: 0x0100_0000, size: 1MiB}]}\n");
    ck_assert_str_eq(addr_of(&f, "card", "sdram", 0, 0x1000000, 4096),
                     "0x1000000+4096");
    Route r;
    ck_assert(route_access(f.t, comp(&f, "card"), 0x1000000, 4096, &r));
    ck_assert_int_eq(r.target_comp, comp(&f, "card2"));
    /* the CPU's view of card2 is beyond the host bridge's ranges */
    ck_assert_str_eq(addr_of(&f, "cpu0", "card2", 0, 0, 4),
                     "no: no ranges window of hb holds pci memory "
                     "0x100_0000");
    fix_close(&f);
}
END_TEST

/* ---- the window allocator (models/kernel/winalloc.c) ------------------ */

static const char *grant(const Fix *f, bool inbound, bool at_child,
                         uint64_t addr, uint64_t len, uint64_t stamp)
{
    static char buf[400];
    SwMiss miss = {.set = true, .bridge = comp(f, "pcix0-bridge"),
                   .inbound = inbound, .at_child = at_child, .addr = addr,
                   .len = len, .windows = true};
    WinGrant g;
    char why[300];
    if (!winalloc_map(f->v, &miss, stamp, &g, why, sizeof why))
        snprintf(buf, sizeof buf, "no: %s", why);
    else
        snprintf(buf, sizeof buf, "slot %u child 0x%" PRIx64 " parent 0x%" PRIx64
                 " size 0x%" PRIx64 "%s",
                 g.slot, g.w.child, g.w.parent, g.w.size_bytes,
                 g.evicted ? " evicting" : "");
    return buf;
}

/* highmem-pim: three inbound windows, powers of two from 1 MiB, the
 * aperture PCI 0..4 GiB, boot's window 0 over PCI 0..2 GiB (pinned). */
START_TEST(window_allocator)
{
    Fix f;
    fix_open(&f, "highmem-pim");
    /* RAM at 0x1_0000_1000 (+64 KiB): the 1 MiB block at 0x1_0000_0000
     * holds it; 1:1 is outside the aperture, so the first free 1 MiB
     * there: past boot's 2 GiB, PCI 0x8000_0000; window 1 (0 is boot's) */
    ck_assert_str_eq(grant(&f, true, false, 0x100001000, 0x10000, 1),
                     "slot 1 child 0x80000000 parent 0x100000000 "
                     "size 0x100000");
    /* a range across a 1 MiB boundary: the least aligned power of two
     * holding 0x1_400F_F000..0x1_4010_0FFF is 2 MiB at 0x1_4000_0000;
     * placed at the next free 2 MiB-aligned PCI address, 0x8020_0000 */
    ck_assert_str_eq(grant(&f, true, false, 0x1400FF000, 0x2000, 2),
                     "slot 2 child 0x80200000 parent 0x140000000 "
                     "size 0x200000");
    /* no window off: the least recently used idle one goes (window 1,
     * used at 1, before window 2 at 2), and its place is free again */
    ck_assert_str_eq(grant(&f, true, false, 0x180000000, 0x1000, 3),
                     "slot 1 child 0x80000000 parent 0x180000000 "
                     "size 0x100000 evicting");
    /* now window 2 is the older; held by an operation, it stays, and
     * window 1 goes instead */
    swview_window(f.v, comp(&f, "pcix0-bridge"), true, 2)->users = 1;
    ck_assert_str_eq(grant(&f, true, false, 0x1C0000000, 0x1000, 4),
                     "slot 1 child 0x80000000 parent 0x1c0000000 "
                     "size 0x100000 evicting");
    /* all held (or boot's): none to give */
    swview_window(f.v, comp(&f, "pcix0-bridge"), true, 1)->users = 1;
    ck_assert_str_eq(grant(&f, true, false, 0x1C0100000, 0x1000, 5),
                     "no: every inbound window of pcix0-bridge is in use");
    /* more than the largest window (4 GiB) can hold */
    swview_window(f.v, comp(&f, "pcix0-bridge"), true, 1)->users = 0;
    ck_assert_str_eq(grant(&f, true, false, 0x100000000, 0x100000001, 6),
                     "no: no inbound window pcix0-bridge can have holds "
                     "0x1_0000_0000 (+4294967297 bytes)");
    fix_close(&f);
}
END_TEST

/* A granule instead of powers of two, and an aperture with no room. */
START_TEST(window_allocator_granule)
{
    Fix f;
    fix_yaml(&f, "name: t\naddress_bits: 36\nclocks: {c: 100MHz}\n"
                 "buses: [{name: plb, kind: plb, clock: c}, "
                 "{name: pci, kind: pci, clock: c}]\ncomponents:\n"
                 "  - {name: cpu0, kind: cpu, bus: plb}\n"
                 "  - {name: ram, kind: sdram, bus: plb, base: 0, "
                 "size: 256MiB}\n"
                 "  - name: pcix0-bridge\n    kind: bridge\n"
                 "    parent: plb\n    child: pci\n"
                 "    inbound_windows: {count: 2, writes: 1, align: 1MiB, "
                 "min_size: 1MiB, registers: {base: 0x2_0000_0000, "
                 "size: 16}, aperture: {base: 0x4000_0000, size: 3MiB}}\n"
                 "  - {name: card, kind: device, bus: pci, regions: "
                 "[{base: 0x4010_0000, size: 1MiB}]}\n");
    /* 0x30_0800..0x50_07ff rounds out to 1 MiB boundaries: 0x30_0000,
     * 3 MiB; the aperture (3 MiB at PCI 0x4000_0000) has room only
     * where the card's BAR is not, so none */
    ck_assert_str_eq(grant(&f, true, false, 0x300800, 0x200000, 1),
                     "no: no room in pcix0-bridge's inbound aperture for a "
                     "3 MiB window");
    /* 1 MiB fits at 0x4000_0000 (1:1 is outside the aperture) */
    ck_assert_str_eq(grant(&f, true, false, 0x300800, 0x1000, 2),
                     "slot 0 child 0x40000000 parent 0x300000 size 0x100000");
    /* the next 1 MiB: the BAR at 0x4010_0000 is in the way, so
     * 0x4020_0000 */
    ck_assert_str_eq(grant(&f, true, false, 0x500000, 0x1000, 3),
                     "slot 1 child 0x40200000 parent 0x500000 size 0x100000");
    fix_close(&f);
}
END_TEST

Suite *swview_suite(void)
{
    Suite *s = suite_create("swview");
    TCase *tc = tcase_create("windows");
    tcase_add_test(tc, ebony_addresses);
    tcase_add_test(tc, ebony_dma_to_phys);
    tcase_add_test(tc, ebony_resources);
    tcase_add_test(tc, resources_behind_windows);
    tcase_add_test(tc, paths);
    tcase_add_test(tc, two_offsets);
    tcase_add_test(tc, p2p_composition);
    tcase_add_test(tc, split_region);
    tcase_add_test(tc, first_window_wins);
    tcase_add_test(tc, blind_to_shadowing);
    tcase_add_test(tc, window_allocator);
    tcase_add_test(tc, window_allocator_granule);
    suite_add_tcase(s, tc);
    return s;
}
