/* sim/addrmap + sim/route: every shipped topology at hits, misses, first
 * and last bytes, one past the end, and straddles; precedence and the
 * no-way-back rule on small synthetic topologies. */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sim/hw/route.h"
#include "testutil.h"

/* "plb:0x380001000 > pcix0:0x80001000 => card[0]+0x1000", with "(local)"
 * for a master's own region, or "=> master-abort" and the like. */
static const char *route_str(const Topology *t, const char *master,
                             uint64_t addr, uint64_t len)
{
    static char buf[1024];
    int m = topo_find_comp(t, master);
    ck_assert_msg(m >= 0, "no component %s", master);
    Route r;
    bool ok = route_access(t, m, addr, len, &r);
    ck_assert_int_eq(ok, r.status == ROUTE_OK);
    size_t n = 0;
    for (size_t i = 0; i < r.n_hops; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s%s:0x%" PRIx64,
                              i ? " > " : "", t->buses[r.hops[i].bus].name,
                              r.hops[i].space == SPACE_IO ? "/io" : "",
                              r.hops[i].addr);
    if (ok)
        snprintf(buf + n, sizeof buf - n, " => %s[%d]+0x%" PRIx64 "%s",
                 t->comps[r.target_comp].name, r.target_region, r.offset,
                 r.local ? " (local)" : "");
    else
        snprintf(buf + n, sizeof buf - n, " => %s",
                 route_status_name(r.status));
    return buf;
}

/* A shipped topology by name, or any topology file by path. */
static Topology *shipped(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, strchr(name, '/') ? "%s" : "topologies/%s.yaml",
             name);
    Diag d;
    diag_init(&d);
    Topology *t = topology_load(path, &d);
    ck_assert_msg(t && topology_sound(&d), "%s", tu_first(&d, SEV_FATAL));
    diag_free(&d);
    return t;
}

typedef struct Case {
    const char *master;
    uint64_t addr, len;
    const char *want;
} Case;

static void run_cases(const char *topo, const Case *cases, size_t n)
{
    Topology *t = shipped(topo);
    for (size_t i = 0; i < n; i++) {
        const Case *c = &cases[i];
        const char *got = route_str(t, c->master, c->addr, c->len);
        ck_assert_msg(!strcmp(got, c->want),
                      "%s: %s 0x%" PRIx64 "+%" PRIu64 ":\n got  %s\n want %s",
                      topo, c->master, c->addr, c->len, got, c->want);
    }
    topology_free(t);
}

#define RUN(topo, cases) run_cases(topo, cases, sizeof cases / sizeof cases[0])

START_TEST(ebony)
{
    static const Case cases[] = {
        /* SDRAM, 256 MiB at 0: first, last, one past, straddling. */
        {"dma0", 0x0, 1, "plb:0x0 => sdram[0]+0x0"},
        {"dma0", 0xFFFFFFF, 1, "plb:0xfffffff => sdram[0]+0xfffffff"},
        {"dma0", 0x10000000, 1, "plb:0x10000000 => master-abort"},
        {"dma0", 0xFFFFFFC, 8, "plb:0xffffffc => straddle"},
        /* SRAM, 8 KiB at 0xFFFF_0000. */
        {"cpu0", 0xFFFF0000, 8192, "plb:0xffff0000 => sram[0]+0x0"},
        {"cpu0", 0xFFFF2000, 1, "plb:0xffff2000 => master-abort"},
        /* The PCI-X memory window, PLB 0x3_8000_0000 -> PCI 0x8000_0000. */
        {"cpu0", 0x380000000, 4,
         "plb:0x380000000 > pcix0:0x80000000 => card[0]+0x0"},
        {"cpu0", 0x380FFFFFF, 1,
         "plb:0x380ffffff > pcix0:0x80ffffff => card[0]+0xffffff"},
        {"cpu0", 0x381000000, 1,
         "plb:0x381000000 > pcix0:0x81000000 => master-abort"},
        {"cpu0", 0x37FFFFFFF, 1, "plb:0x37fffffff => master-abort"},
        {"cpu0", 0x3FFFFFFFF, 1,
         "plb:0x3ffffffff > pcix0:0xffffffff => master-abort"},
        {"cpu0", 0x37FFFFFFF, 2, "plb:0x37fffffff => straddle"},
        /* Beyond the 36-bit PLB. */
        {"cpu0", 0x3FFFFFFFF, 2, "plb:0x3ffffffff => straddle"},
        {"cpu0", 0xFFFFFFFFFULL, 1, "plb:0xfffffffff => master-abort"},
        {"cpu0", 0x1000000000ULL, 1, "plb:0x1000000000 => beyond-width"},
        {"cpu0", 0xFFFFFFFFFULL, 2, "plb:0xfffffffff => beyond-width"},
        /* OPB through both halves of its mapping; UART0's FIFO. */
        {"cpu0", 0x140000200, 8,
         "plb:0x140000200 > opb:0x40000200 => uart0[0]+0x0"},
        {"cpu0", 0x140000207, 2,
         "plb:0x140000207 > opb:0x40000207 => straddle"},
        {"cpu0", 0x180000000, 1,
         "plb:0x180000000 > opb:0x80000000 => master-abort"},
        {"cpu0", 0x1FFFFFFFF, 1,
         "plb:0x1ffffffff > opb:0xffffffff => master-abort"},
        /* The I/O window leads to PCI I/O space, where nothing decodes. */
        {"cpu0", 0x208000000, 4,
         "plb:0x208000000 > pcix0/io:0x0 => master-abort"},
        {"cpu0", 0x20800FFFF, 1,
         "plb:0x20800ffff > pcix0/io:0xffff => master-abort"},
        {"cpu0", 0x208010000, 1, "plb:0x208010000 => master-abort"},
        /* The card: inbound window to RAM, its own BAR locally. */
        {"card", 0x0, 4, "pcix0:0x0 > plb:0x0 => sdram[0]+0x0"},
        {"card", 0xFFFFFFF, 1,
         "pcix0:0xfffffff > plb:0xfffffff => sdram[0]+0xfffffff"},
        {"card", 0x7FFFFFFF, 1,
         "pcix0:0x7fffffff > plb:0x7fffffff => master-abort"},
        {"card", 0x7FFFFFFF, 2, "pcix0:0x7fffffff => straddle"},
        {"card", 0x80000000, 4, "pcix0:0x80000000 => card[0]+0x0 (local)"},
        {"card", 0x80FFFFFF, 2, "pcix0:0x80ffffff => straddle"},
        {"card", 0x81000000, 1, "pcix0:0x81000000 => master-abort"},
        {"card", 0xFFFFFFFF, 1, "pcix0:0xffffffff => master-abort"},
        {"card", 0x100000000, 1, "pcix0:0x100000000 => dma-mask"},
        {"card", 0xFFFFFFFF, 2, "pcix0:0xffffffff => dma-mask"},
        {"sdram", 0x0, 1, " => not-a-master"},
    };
    RUN("ebony", cases);
    /* the same board with its bridge's memory windows programmable, set at
     * boot to the same: every route the same */
    RUN("tests/topologies/ebony-pom.yaml", cases);
}
END_TEST

START_TEST(walnut)
{
    static const Case cases[] = {
        {"cpu0", 0x80000000, 4,
         "plb:0x80000000 > pci0:0x80000000 => card[0]+0x0"},
        {"cpu0", 0x9FFFFFFF, 1,
         "plb:0x9fffffff > pci0:0x9fffffff => master-abort"},
        {"cpu0", 0xA0000000, 1, "plb:0xa0000000 => master-abort"},
        {"cpu0", 0xE8001000, 4,
         "plb:0xe8001000 > pci0/io:0x1000 => card[1]+0x0"},
        {"cpu0", 0xE80010FF, 1,
         "plb:0xe80010ff > pci0/io:0x10ff => card[1]+0xff"},
        {"cpu0", 0xE80010FF, 2, "plb:0xe80010ff > pci0/io:0x10ff => straddle"},
        {"cpu0", 0xEF600300, 8,
         "plb:0xef600300 > opb:0xef600300 => uart0[0]+0x0"},
        {"cpu0", 0xEFFFFFFF, 1,
         "plb:0xefffffff > opb:0xefffffff => master-abort"},
        {"cpu0", 0xF0000000, 1, "plb:0xf0000000 => master-abort"},
        {"cpu0", 0xFFFFFFFF, 2, "plb:0xffffffff => beyond-width"},
        {"card", 0x01000000, 64, "pci0:0x1000000 > plb:0x1000000 => "
                                 "sdram[0]+0x1000000"},
        {"card", 0x08000000, 1, "pci0:0x8000000 > plb:0x8000000 => "
                                "master-abort"},
        {"dma0", 0x80000010, 4,
         "plb:0x80000010 > pci0:0x80000010 => card[0]+0x10"},
    };
    RUN("walnut", cases);
}
END_TEST

START_TEST(two_host_bridges)
{
    static const Case cases[] = {
        {"card0", 0x1000, 4, "pci0:0x1000 > plb:0x1000 => sdram[0]+0x1000"},
        {"card1", 0x1000, 4, "pci1:0x1000 => master-abort"},
        {"card1", 0x80001000, 4,
         "pci1:0x80001000 > plb:0x1000 => sdram[0]+0x1000"},
        {"card1", 0x9FFFFFFF, 1,
         "pci1:0x9fffffff > plb:0x1fffffff => sdram[0]+0x1fffffff"},
        {"card1", 0xA0000000, 1,
         "pci1:0xa0000000 > plb:0x20000000 => master-abort"},
        {"card0", 0xC0000000, 4, "pci0:0xc0000000 => master-abort"},
        {"cpu0", 0x4C0000010, 4,
         "plb:0x4c0000010 > pci1:0xc0000010 => card1[0]+0x10"},
        {"cpu0", 0x380000010, 4,
         "plb:0x380000010 > pci0:0x80000010 => card0[0]+0x10"},
    };
    RUN("two-host-bridges", cases);
}
END_TEST

START_TEST(p2p_tree)
{
    static const Case cases[] = {
        /* Up four bridges to RAM. */
        {"dsp3", 0x100, 64,
         "pci3:0x100 > pci2:0x100 > pci1:0x100 > pci0:0x100 > plb:0x100 => "
         "sdram[0]+0x100"},
        /* Down four bridges to the deepest FIFO, first and one past. */
        {"cpu0", 0x39C100000, 4,
         "plb:0x39c100000 > pci0:0x9c100000 > pci1:0x9c100000 > "
         "pci2:0x9c100000 > pci3:0x9c100000 => dsp3[1]+0x0"},
        {"cpu0", 0x39C100004, 1,
         "plb:0x39c100004 > pci0:0x9c100004 > pci1:0x9c100004 > "
         "pci2:0x9c100004 > pci3:0x9c100004 => master-abort"},
        /* Peer to peer: up and across, down from a sibling. */
        {"dsp3", 0x80000010, 4,
         "pci3:0x80000010 > pci2:0x80000010 > pci1:0x80000010 > "
         "pci0:0x80000010 => nic0[0]+0x10"},
        {"dsp3", 0x98000000, 4, "pci3:0x98000000 > pci2:0x98000000 => "
                                "fb2[0]+0x0"},
        {"nic0", 0x9C000000, 4,
         "pci0:0x9c000000 > pci1:0x9c000000 > pci2:0x9c000000 > "
         "pci3:0x9c000000 => dsp3[0]+0x0"},
        {"disk1", 0x98000000, 4, "pci1:0x98000000 > pci2:0x98000000 => "
                                 "fb2[0]+0x0"},
        /* No way back through the bridge an access arrived by: dsp3's
         * access to its own bridge's window climbs past it and dies at
         * the top, where the host bridge has no window for it. */
        {"dsp3", 0x9C200000, 4,
         "pci3:0x9c200000 > pci2:0x9c200000 > pci1:0x9c200000 > "
         "pci0:0x9c200000 => master-abort"},
        {"dsp3", 0x40000000, 4,
         "pci3:0x40000000 > pci2:0x40000000 > pci1:0x40000000 > "
         "pci0:0x40000000 => master-abort"},
        /* I/O through the host bridge and a PCI-to-PCI I/O window. */
        {"cpu0", 0x208001000, 4,
         "plb:0x208001000 > pci0/io:0x1000 > pci1/io:0x1000 => "
         "disk1[1]+0x0"},
        {"cpu0", 0x208002000, 4,
         "plb:0x208002000 > pci0/io:0x2000 => master-abort"},
        {"disk1", 0x90000000, 4, "pci1:0x90000000 => disk1[0]+0x0 (local)"},
        {"fb2", 0x0, 1, " => not-a-master"},
    };
    RUN("p2p-tree", cases);
}
END_TEST

START_TEST(highmem)
{
    static const Case cases[] = {
        {"card64", 0x100000000, 4,
         "pcix0:0x100000000 > plb:0x100000000 => sdram-high[0]+0x0"},
        {"card64", 0x17FFFFFFF, 1,
         "pcix0:0x17fffffff > plb:0x17fffffff => sdram-high[0]+0x7fffffff"},
        {"card64", 0x180000000, 1,
         "pcix0:0x180000000 > plb:0x180000000 => master-abort"},
        {"card64", 0x200000000, 4, "pcix0:0x200000000 => card32[0]+0x0"},
        {"card32", 0x100000000, 4, "pcix0:0x100000000 => dma-mask"},
        /* Its own BAR above 4 GiB is reached inside the device: the mask
         * does not apply. */
        {"card32", 0x200000010, 4,
         "pcix0:0x200000010 => card32[0]+0x10 (local)"},
        {"card32", 0x7FFFFFFF, 1,
         "pcix0:0x7fffffff > plb:0x7fffffff => sdram-low[0]+0x7fffffff"},
        {"card32", 0x80000000, 1,
         "pcix0:0x80000000 > plb:0x80000000 => master-abort"},
        {"cpu0", 0xC01000000, 4,
         "plb:0xc01000000 > pcix0:0x201000000 => card64[0]+0x0"},
    };
    RUN("highmem", cases);
}
END_TEST

START_TEST(plb_mmio)
{
    static const Case cases[] = {
        {"dma0", 0xD0000000, 4096, "plb:0xd0000000 => fpga[0]+0x0"},
        {"dma0", 0xD00FFFFF, 1, "plb:0xd00fffff => fpga[0]+0xfffff"},
        {"dma0", 0xD00FFFFF, 2, "plb:0xd00fffff => straddle"},
        {"cpu0", 0xD0100003, 1, "plb:0xd0100003 => fpga[1]+0x3"},
        {"cpu0", 0xD0100004, 1, "plb:0xd0100004 => master-abort"},
        {"dma0", 0x7FFFFFF, 1, "plb:0x7ffffff => sdram[0]+0x7ffffff"},
    };
    RUN("plb-mmio", cases);
}
END_TEST

/* Katmai was written from its device tree and is not shipped: the expected
 * addresses below were worked out by hand with of_translate_address()'s
 * rule (child address - child base + parent base, window by window). */
START_TEST(katmai_from_dts)
{
    static const Case cases[] = {
        /* UART0 reg 0xf0000200 on the OPB: 0xf0000200 - 0xe0000000 +
         * 0x4_e0000000 = 0x4_f0000200. */
        {"cpu0", 0x4F0000200ULL, 1,
         "plb:0x4f0000200 > opb:0xf0000200 => uart0[0]+0x0"},
        {"cpu0", 0x4F0000607ULL, 1,
         "plb:0x4f0000607 > opb:0xf0000607 => uart2[0]+0x7"},
        /* Same PCI address 0x8000_0000 behind four bridges, four CPU
         * addresses. */
        {"cpu0", 0xD80000000ULL, 4,
         "plb:0xd80000000 > pcix0:0x80000000 => sas[0]+0x0"},
        {"cpu0", 0xE00000000ULL, 4,
         "plb:0xe00000000 > pcie0:0x80000000 => nic[0]+0x0"},
        {"cpu0", 0xE90000000ULL, 4,
         "plb:0xe90000000 > pcie1:0x90000000 => gpu[0]+0x0"},
        {"cpu0", 0xF00000000ULL, 4,
         "plb:0xf00000000 > pcie2:0x80000000 => ssd[0]+0x0"},
        {"cpu0", 0xE80000000ULL, 4,
         "plb:0xe80000000 > pcie1:0x80000000 => master-abort"},
        /* I/O windows: PCIe0's I/O 0x1000 at 0xf_8000_1000. */
        {"cpu0", 0xF80001000ULL, 4,
         "plb:0xf80001000 > pcie0/io:0x1000 => nic[1]+0x0"},
        {"cpu0", 0xF80011000ULL, 4,
         "plb:0xf80011000 > pcie1/io:0x1000 => master-abort"},
        /* Inbound 4 GiB at 0 on every bridge; DDR2 is 2 GiB. */
        {"ssd", 0x7FFFFFC0ULL, 64,
         "pcie2:0x7fffffc0 > plb:0x7fffffc0 => ddr2[0]+0x7fffffc0"},
        {"ssd", 0x100000000ULL, 4, "pcie2:0x100000000 => master-abort"},
        {"gpu", 0x100000000ULL, 4, "pcie1:0x100000000 => dma-mask"},
        /* PCIe to PCIe through the PLB is not possible: the inbound window
         * maps PCI 0x8000_0000 to PLB 0x8000_0000, which is not a window
         * to another root. */
        {"nic", 0x90000000ULL, 4,
         "pcie0:0x90000000 > plb:0x90000000 => master-abort"},
    };
    RUN("tests/topologies/katmai.yaml", cases);
}
END_TEST

/* ---- precedence on synthetic buses --------------------------------- */

#define PREC_HEAD                                                           \
    "name: t\naddress_bits: 32\nclocks: {c: 100MHz}\n"                      \
    "buses: [{name: b, kind: plb, clock: c}, {name: p, kind: pci, "         \
    "clock: c}, {name: q, kind: pci, clock: c}]\ncomponents:\n"             \
    "  - {name: cpu, kind: cpu, bus: b}\n"                                  \
    "  - {name: ram, kind: sdram, bus: b, base: 0, size: 16MiB}\n"

static Topology *synth(const char *yaml, Diag *d)
{
    diag_init(d);
    Topology *t = tu_load(yaml, d);
    ck_assert_msg(t != NULL, "%s", tu_first(d, SEV_FATAL));
    return t;
}

START_TEST(device_beats_window)
{
    /* A device region on the PLB inside a bridge window: the device
     * claims its addresses (with a warning), the window the rest. */
    Diag d;
    Topology *t = synth(PREC_HEAD
                        "  - {name: x, kind: bridge, parent: b, child: p, "
                        "ranges: [{child: 0x8000_0000, parent: 0x8000_0000, "
                        "size: 256MiB}]}\n"
                        "  - {name: fpga, kind: device, bus: b, regions: "
                        "[{base: 0x8010_0000, size: 1MiB}]}\n"
                        "  - {name: card, kind: device, bus: p, regions: "
                        "[{base: 0x8000_0000, size: 4MiB}]}\n",
                        &d);
    ck_assert_uint_eq(d.counts[SEV_WARNING], 1);
    ck_assert_str_eq(diag_first(&d, SEV_WARNING)->code, "shadow");
    ck_assert_str_eq(route_str(t, "cpu", 0x80000000, 4),
                     "b:0x80000000 > p:0x80000000 => card[0]+0x0");
    ck_assert_str_eq(route_str(t, "cpu", 0x80100000, 4),
                     "b:0x80100000 => fpga[0]+0x0");
    ck_assert_str_eq(route_str(t, "cpu", 0x801FFFFF, 1),
                     "b:0x801fffff => fpga[0]+0xfffff");
    ck_assert_str_eq(route_str(t, "cpu", 0x80200000, 4),
                     "b:0x80200000 > p:0x80200000 => card[0]+0x200000");
    ck_assert_str_eq(route_str(t, "cpu", 0x800FFFFF, 2),
                     "b:0x800fffff => straddle");
    topology_free(t);
    diag_free(&d);
}
END_TEST

START_TEST(identity_is_subtractive)
{
    /* Two bridges below b: one positive window and one identity; the
     * identity bridge takes only what nothing else claims. */
    Diag d;
    Topology *t = synth(PREC_HEAD
                        "  - {name: x, kind: bridge, parent: b, child: p, "
                        "ranges: [{child: 0x4000_0000, parent: 0x4000_0000, "
                        "size: 1GiB}]}\n"
                        "  - {name: y, kind: bridge, parent: b, child: q, "
                        "ranges: identity}\n"
                        "  - {name: cp, kind: device, bus: p, regions: "
                        "[{base: 0x4000_0000, size: 4KiB}]}\n"
                        "  - {name: cq, kind: device, bus: q, regions: "
                        "[{base: 0x4000_0000, size: 4KiB}, "
                        "{base: 0x9000_0000, size: 4KiB}]}\n",
                        &d);
    ck_assert_uint_eq(d.n, 0);
    ck_assert_str_eq(route_str(t, "cpu", 0x40000000, 4),
                     "b:0x40000000 > p:0x40000000 => cp[0]+0x0");
    ck_assert_str_eq(route_str(t, "cpu", 0x90000000, 4),
                     "b:0x90000000 > q:0x90000000 => cq[1]+0x0");
    ck_assert_str_eq(route_str(t, "cpu", 0x100, 4), "b:0x100 => ram[0]+0x100");
    ck_assert_str_eq(route_str(t, "cpu", 0x3FFFFFFF, 2), "b:0x3fffffff => "
                                                          "straddle");
    topology_free(t);
    diag_free(&d);
}
END_TEST

START_TEST(down_beats_up)
{
    /* On p, a child bridge's window overlaps the parent's dma_ranges:
     * the window below wins (with a warning), and an access that came up
     * through that child bridge is not sent back down it. */
    Diag d;
    Topology *t = synth(PREC_HEAD
                        "  - {name: x, kind: bridge, parent: b, child: p, "
                        "dma_ranges: identity}\n"
                        "  - {name: y, kind: bridge, parent: p, child: q, "
                        "ranges: [{child: 0x100_0000, parent: 0x100_0000, "
                        "size: 1MiB}], dma_ranges: identity}\n"
                        "  - {name: cq, kind: device, bus: q, regions: "
                        "[{base: 0x100_0000, size: 4KiB}], master: {}}\n"
                        "  - {name: cp, kind: device, bus: p, master: {}}\n",
                        &d);
    ck_assert_uint_eq(d.counts[SEV_ERROR], 0);
    ck_assert_str_eq(route_str(t, "cp", 0x1000000, 4),
                     "p:0x1000000 > q:0x1000000 => cq[0]+0x0");
    ck_assert_str_eq(route_str(t, "cp", 0x2000000, 4),
                     "p:0x2000000 > b:0x2000000 => master-abort");
    /* cq's access inside y's window but outside its own region climbs
     * through y and is not sent back down it: it reaches b. */
    ck_assert_str_eq(route_str(t, "cq", 0x1001000, 4),
                     "q:0x1001000 > p:0x1001000 > b:0x1001000 => "
                     "master-abort");
    ck_assert_str_eq(route_str(t, "cq", 0x1000, 4),
                     "q:0x1000 > p:0x1000 > b:0x1000 => ram[0]+0x1000");
    topology_free(t);
    diag_free(&d);
}
END_TEST

START_TEST(decode_runs)
{
    /* run_last never promises past a change of claimant. */
    Diag d;
    Topology *t = shipped("ebony");
    int plb = topo_find_bus(t, "plb");
    uint64_t run;
    const Decoder *dec = addrmap_decode(t->map, plb, SPACE_MEM, 0x0, -1, &run);
    ck_assert_ptr_nonnull(dec);
    ck_assert_uint_eq(run, 0xFFFFFFF);
    dec = addrmap_decode(t->map, plb, SPACE_MEM, 0x10000000, -1, &run);
    ck_assert_ptr_null(dec);
    ck_assert_uint_eq(run, 0xFFFEFFFF); /* SRAM starts next */
    dec = addrmap_decode(t->map, plb, SPACE_MEM, 0x400000000ULL - 1, -1, &run);
    ck_assert_ptr_nonnull(dec); /* the last byte of the PCI window */
    ck_assert_uint_eq(run, 0x3FFFFFFFFULL);
    (void)d;
    topology_free(t);
}
END_TEST

Suite *route_suite(void)
{
    Suite *s = suite_create("route");
    TCase *tc = tcase_create("shipped");
    tcase_add_test(tc, ebony);
    tcase_add_test(tc, walnut);
    tcase_add_test(tc, two_host_bridges);
    tcase_add_test(tc, p2p_tree);
    tcase_add_test(tc, highmem);
    tcase_add_test(tc, plb_mmio);
    tcase_add_test(tc, katmai_from_dts);
    suite_add_tcase(s, tc);
    tc = tcase_create("precedence");
    tcase_add_test(tc, device_beats_window);
    tcase_add_test(tc, identity_is_subtractive);
    tcase_add_test(tc, down_beats_up);
    tcase_add_test(tc, decode_runs);
    suite_add_tcase(s, tc);
    return s;
}
