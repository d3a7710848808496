/* sim/addrmap (build-time findings) + sim/lint (reachability): every
 * finding `dmasim check` reports, with both parties named. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "sim/hw/addrmap.h"
#include "sim/hw/lint.h"
#include "sim/hw/route.h"
#include "testutil.h"

#define HEAD                                                                \
    "name: t\naddress_bits: 32\nclocks: {c: 100MHz}\n"                      \
    "buses: [{name: b, kind: plb, clock: c}, {name: p, kind: pci, "         \
    "clock: c}, {name: o, kind: opb, clock: c}]\ncomponents:\n"             \
    "  - {name: cpu, kind: cpu, bus: b}\n"                                  \
    "  - {name: ram, kind: sdram, bus: b, base: 0, size: 16MiB}\n"

/* Loads, runs every lint, and returns the findings formatted one per line
 * with the temporary directory removed. */
static const char *lint(const char *yaml)
{
    static char out[8192];
    Diag d;
    diag_init(&d);
    Topology *t = tu_load(yaml, &d);
    ck_assert_msg(t != NULL, "%s", tu_first(&d, SEV_FATAL));
    if (topology_sound(&d))
        lint_reachability(t, &d);
    FILE *m = fmemopen(out, sizeof out, "w");
    for (size_t i = 0; i < d.n; i++)
        diag_print(m, &d.v[i]);
    fclose(m);
    const char *dir = strstr(out, "t.yaml");
    size_t cut = dir ? (size_t)(dir - out) : 0;
    /* Strip "DIR/" before every "t.yaml". */
    if (cut) {
        char pre[256];
        snprintf(pre, sizeof pre, "%.*s", (int)cut, out);
        for (char *p; (p = strstr(out, pre));)
            memmove(p, p + cut, strlen(p + cut) + 1);
    }
    topology_free(t);
    diag_free(&d);
    return out;
}

START_TEST(clean)
{
    ck_assert_str_eq(lint(HEAD), "");
}
END_TEST

/* Regions that overlap, as real device trees have them: a warning naming
 * both; the one declared first claims the shared bytes, the later one
 * keeps the rest at its own offsets. */
START_TEST(overlapping_regions)
{
    const char *yaml = HEAD "  - {name: a, kind: device, bus: b, regions: "
                            "[{base: 0x8000_0000, size: 1MiB}]}\n"
                            "  - {name: z, kind: device, bus: b, regions: "
                            "[{base: 0x800F_F000, size: 1MiB}]}\n";
    ck_assert_str_eq(
        lint(yaml),
        "t.yaml:9:47: components.3.regions.0: warning: z region 0 (memory) "
        "and a region 0 (memory) both decode 0x800f_f000..0x800f_ffff on b "
        "(memory space); a region 0 (memory), declared first, claims it "
        "(other: t.yaml:8:47 components.2.regions.0)\n"
        "t.yaml:9:47: components.3.regions.0: warning: no master can reach "
        "4 KiB of the 1 MiB of z region 0 (first at 0x800f_f000)\n");
    Diag d;
    diag_init(&d);
    Topology *t = tu_load(yaml, &d);
    Route r;
    int cpu = topo_find_comp(t, "cpu");
    ck_assert(route_access(t, cpu, 0x800FF010, 4, &r));
    ck_assert_str_eq(t->comps[r.target_comp].name, "a");
    ck_assert_uint_eq(r.offset, 0xFF010);
    ck_assert(route_access(t, cpu, 0x80100010, 4, &r));
    ck_assert_str_eq(t->comps[r.target_comp].name, "z");
    ck_assert_uint_eq(r.offset, 0x1010); /* from z's own base */
    topology_free(t);
    diag_free(&d);
}
END_TEST

START_TEST(overlapping_windows)
{
    /* Two bridges below b decoding the same addresses: ambiguous. */
    const char *out =
        lint(HEAD "  - {name: x, kind: bridge, parent: b, child: p, ranges: "
                  "[{child: 0, parent: 0x8000_0000, size: 256MiB}]}\n"
                  "  - {name: y, kind: bridge, parent: b, child: o, ranges: "
                  "[{child: 0, parent: 0x8800_0000, size: 256MiB}]}\n");
    ck_assert_str_eq(out,
                     "t.yaml:9:59: components.3.ranges.0: error: y ranges "
                     "window 0 overlaps x ranges window 0 on b (memory "
                     "space) over 0x8800_0000..0x8fff_ffff (other: "
                     "t.yaml:8:59 components.2.ranges.0)\n");
    /* dma_ranges windows of one bridge overlapping each other. */
    out = lint(HEAD "  - {name: x, kind: bridge, parent: b, child: p, "
                    "dma_ranges: [{child: 0, parent: 0, size: 8MiB}, "
                    "{child: 4MiB, parent: 4MiB, size: 8MiB}]}\n");
    ck_assert_msg(strstr(out, "error: x dma_ranges window 1 overlaps x "
                              "dma_ranges window 0 on p (memory space) over "
                              "0x40_0000..0x7f_ffff"),
                  "%s", out);
}
END_TEST

/* Programmable windows (docs/topology.md): what boot sets must be what
 * the hardware can hold. */
#define PROG_BRIDGE                                                         \
    "  - name: x\n    kind: bridge\n    parent: b\n    child: p\n"

START_TEST(programmable_windows)
{
    /* the 440 PCI-X bridge's rules: 3 windows, powers of two from 1 MiB
     * to 4 GiB, naturally aligned; a clean boot setting */
    ck_assert_str_eq(
        lint(HEAD PROG_BRIDGE
             "    outbound_windows:\n      count: 3\n      writes: 5\n"
             "      boot: [{child: 0x8000_0000, parent: 0x8000_0000, "
             "size: 256MiB}]\n"
             "    inbound_windows: {count: 3, writes: 4, boot: [{child: 0, "
             "parent: 0, size: 16MiB}]}\n"),
        "");
    /* more boot windows than the hardware has */
    ck_assert_str_eq(
        lint(HEAD PROG_BRIDGE
             "    inbound_windows: {count: 1, writes: 4, boot: [{child: 0, "
             "parent: 0, size: 8MiB}, {child: 8MiB, parent: 8MiB, "
             "size: 8MiB}]}\n"),
        "t.yaml:12:50: components.2.inbound_windows.boot: error: boot sets 2 "
        "inbound windows; x has 1\n");
    /* not a power of two; misaligned; too small; too large */
    const char *out = lint(
        HEAD PROG_BRIDGE
        "    outbound_windows:\n      count: 4\n      writes: 5\n"
        "      boot:\n"
        "        - {child: 0x8000_0000, parent: 0x8000_0000, size: 3MiB}\n"
        "        - {child: 0x9000_0000, parent: 0x9010_0000, size: 2MiB}\n"
        "        - {child: 0xA000_0000, parent: 0xA000_0000, size: 512KiB}\n"
        "        - {child: 0, parent: 0, size: 8GiB}\n");
    ck_assert_str_eq(out,
                     "t.yaml:16:11: components.2.outbound_windows.boot.0: "
                     "error: outbound window 0 is 3 MiB: x's windows are "
                     "powers of two\n"
                     "t.yaml:17:11: components.2.outbound_windows.boot.1: "
                     "error: outbound window 1: its parent address "
                     "0x9010_0000 is not a multiple of its size (2 MiB), as "
                     "x's windows must be\n"
                     "t.yaml:18:11: components.2.outbound_windows.boot.2: "
                     "error: outbound window 2 is 512 KiB: x's windows are "
                     "1 MiB to 4 GiB\n"
                     "t.yaml:19:11: components.2.outbound_windows.boot.3: "
                     "error: outbound window 3 is 8 GiB: x's windows are "
                     "1 MiB to 4 GiB\n");
    /* a granule (a PCI-to-PCI bridge's 1 MiB base and limit) and limits
     * of one's own */
    out = lint(HEAD PROG_BRIDGE
               "    outbound_windows: {count: 1, writes: 1, align: 1MiB, "
               "min_size: 1MiB, max_size: 64MiB, boot: [{child: 0x8010_0000, "
               "parent: 0x8010_0000, size: 3MiB}]}\n"
               "    inbound_windows: {count: 1, writes: 1, align: 1MiB, "
               "boot: [{child: 0x8_0000, parent: 0, size: 1MiB}]}\n");
    ck_assert_str_eq(out,
                     "t.yaml:13:64: components.2.inbound_windows.boot.0: "
                     "error: inbound window 0: x's windows start and end on "
                     "1 MiB boundaries\n");
    /* boot windows of two bridges that overlap: the decode lint names
     * them as programmable */
    out = lint(HEAD PROG_BRIDGE
               "    outbound_windows: {count: 2, writes: 5, boot: [{child: 0, "
               "parent: 0x8000_0000, size: 256MiB}]}\n"
               "  - {name: y, kind: bridge, parent: b, child: o, ranges: "
               "[{child: 0, parent: 0x8800_0000, size: 256MiB}]}\n");
    ck_assert_msg(strstr(out, "error: y ranges window 0 overlaps x outbound "
                              "window 0 on b (memory space) over "
                              "0x8800_0000..0x8fff_ffff"),
                  "%s", out);
    /* RAM beyond the boot window of windows the kernel can program: the
     * warning says they can be */
    out = lint(HEAD PROG_BRIDGE
               "    inbound_windows: {count: 2, writes: 4, boot: [{child: 0, "
               "parent: 0, size: 8MiB}], registers: {base: 0xF000_0000, "
               "size: 16}, aperture: {base: 0, size: 1GiB}}\n"
               "  - {name: card, kind: device, bus: p, master: "
               "{dma_mask: 32}}\n");
    ck_assert_msg(strstr(out, "warning: card reaches 8 MiB of the 16 MiB of "
                              "ram (first out of reach: 0x80_0000): no window "
                              "leads to the rest until the kernel programs "
                              "one of x's inbound windows"),
                  "%s", out);
    /* a BAR no boot window holds, behind outbound windows the kernel can
     * program: the warning says so */
    out = lint(HEAD PROG_BRIDGE
               "    outbound_windows: {count: 2, writes: 5, registers: "
               "{base: 0xF000_0000, size: 16}, aperture: {base: 0x8000_0000, "
               "size: 1GiB}}\n"
               "  - {name: card, kind: device, bus: p, regions: [{base: "
               "0x8000_0000, size: 1MiB}]}\n");
    ck_assert_str_eq(out, "t.yaml:13:50: components.3.regions.0: warning: no "
                          "master can reach any of card region 0 (1 MiB of "
                          "memory at 0x8000_0000 on p) until the kernel "
                          "programs one of x's outbound windows\n");
}
END_TEST

/* An IOMMU's aperture decodes with dma_ranges on the child bus: an
 * overlap with one is an error, a region over it is shadowing, and it
 * must fit the bus; RAM beyond dma_ranges is reachable once the kernel
 * maps it (docs/topology.md, "IOMMU"). */
START_TEST(iommu_aperture)
{
    ck_assert_str_eq(
        lint(HEAD PROG_BRIDGE
             "    dma_ranges: [{child: 0, parent: 0, size: 8MiB}]\n"
             "    iommu: {aperture: {base: 0x8000_0000, size: 1MiB}, "
             "registers: {base: 0xF000_0000, size: 2KiB}}\n"
             "  - {name: card, kind: device, bus: p, master: "
             "{dma_mask: 32}}\n"),
        "t.yaml:14:48: components.3.master: warning: card reaches 8 MiB of "
        "the 16 MiB of ram (first out of reach: 0x80_0000): no window leads "
        "to the rest until the kernel maps it in x's IOMMU (other: "
        "t.yaml:7:5 components.1)\n");
    ck_assert_str_eq(
        lint(HEAD PROG_BRIDGE
             "    dma_ranges: [{child: 0, parent: 0, size: 8MiB}]\n"
             "    iommu: {aperture: {base: 0x40_0000, size: 8MiB}, "
             "registers: {base: 0xF000_0000, size: 16KiB}}\n"
             "  - {name: d, kind: device, bus: p, regions: [{base: "
             "0x7F_F000, size: 4KiB}]}\n"),
        "t.yaml:13:12: components.2.iommu: error: x IOMMU aperture overlaps "
        "x dma_ranges window 0 on p (memory space) over "
        "0x40_0000..0x7f_ffff (other: t.yaml:12:18 "
        "components.2.dma_ranges.0)\n"
        "t.yaml:14:47: components.3.regions.0: warning: d region 0 "
        "(memory) and x dma_ranges window 0 both decode "
        "0x7f_f000..0x7f_ffff on p (memory space); the region claims it "
        "(other: t.yaml:12:18 components.2.dma_ranges.0)\n"
        "t.yaml:14:47: components.3.regions.0: warning: d region 0 "
        "(memory) and x IOMMU aperture both decode 0x7f_f000..0x7f_ffff on "
        "p (memory space); the region claims it (other: t.yaml:13:12 "
        "components.2.iommu)\n");
    ck_assert_str_eq(
        lint(HEAD PROG_BRIDGE
             "    iommu: {aperture: {base: 0xFFFF_F000, size: 8KiB}, "
             "registers: {base: 0xF000_0000, size: 16}}\n"),
        "t.yaml:12:12: components.2.iommu: error: IOMMU aperture at "
        "0xffff_f000 (8 KiB) does not fit in p's 32-bit memory space\n");
}
END_TEST

/* A subtractive bridge's windows claim only what nothing else on the
 * parent bus claims: one over another bridge's window is no overlap, and
 * the other bridge gets the addresses they share. */
START_TEST(subtractive_bridge)
{
    const char *yaml =
        HEAD "  - name: x\n    kind: bridge\n    parent: b\n    child: o\n"
             "    decode: subtractive\n"
             "    ranges: [{child: 0x8000_0000, parent: 0x8000_0000, "
             "size: 1GiB}]\n"
             "  - name: y\n    kind: bridge\n    parent: b\n    child: p\n"
             "    ranges: [{child: 0x9000_0000, parent: 0x9000_0000, "
             "size: 16MiB}]\n"
             "  - {name: u, kind: device, bus: o, regions: [{base: "
             "0x8000_0000, size: 512MiB}]}\n"
             "  - {name: v, kind: device, bus: p, regions: [{base: "
             "0x9000_0000, size: 16MiB}]}\n";
    /* the part of u's region under y's window is y's */
    ck_assert_str_eq(lint(yaml), "t.yaml:19:47: components.4.regions.0: "
                                 "warning: no master can reach 16 MiB of the "
                                 "512 MiB of u region 0 (first at "
                                 "0x9000_0000)\n");
    Diag d;
    diag_init(&d);
    Topology *t = tu_load(yaml, &d);
    ck_assert_ptr_nonnull(t);
    Route r;
    int cpu = topo_find_comp(t, "cpu");
    ck_assert(route_access(t, cpu, 0x90001000, 4, &r));
    ck_assert_str_eq(t->comps[r.target_comp].name, "v");
    ck_assert(route_access(t, cpu, 0x91000000, 4, &r));
    ck_assert_str_eq(t->comps[r.target_comp].name, "u");
    char what[96];
    decoder_describe(t, r.hops[1].window, what, sizeof what);
    ck_assert_str_eq(what, "x ranges window 0 (subtractive)");
    topology_free(t);
    diag_free(&d);
}
END_TEST

START_TEST(shadowing)
{
    ck_assert_str_eq(
        lint(HEAD "  - {name: x, kind: bridge, parent: b, child: p, ranges: "
                  "[{child: 0x8000_0000, parent: 0x8000_0000, size: 1GiB}]}\n"
                  "  - {name: f, kind: device, bus: b, regions: "
                  "[{base: 0x9000_0000, size: 4KiB}]}\n"),
        "t.yaml:9:47: components.3.regions.0: warning: f region 0 (memory) "
        "and x ranges window 0 both decode 0x9000_0000..0x9000_0fff on b "
        "(memory space); the region claims it (other: t.yaml:8:59 "
        "components.2.ranges.0)\n");
}
END_TEST

START_TEST(widths)
{
    /* A window leading beyond the 32-bit OPB, a region beyond the PLB. */
    const char *out =
        lint(HEAD "  - {name: x, kind: bridge, parent: b, child: o, ranges: "
                  "[{child: 0xF000_0000, parent: 0x4000_0000, "
                  "size: 512MiB}]}\n"
                  "  - {name: f, kind: device, bus: b, regions: "
                  "[{base: 0xFFFF_F000, size: 8KiB}]}\n");
    ck_assert_str_eq(out,
                     "t.yaml:8:59: components.2.ranges.0: error: window "
                     "target at 0xf000_0000 (512 MiB) does not fit in o's "
                     "32-bit memory space\n"
                     "t.yaml:9:47: components.3.regions.0: error: region at "
                     "0xffff_f000 (8 KiB) does not fit in b's 32-bit memory "
                     "space\n");
}
END_TEST

START_TEST(spaces)
{
    const char *out =
        lint(HEAD "  - {name: f, kind: device, bus: b, regions: "
                  "[{base: 0x100, size: 16, kind: io}]}\n"
                  "  - {name: x, kind: bridge, parent: b, child: o, ranges: "
                  "[{child: 0, parent: 0x4000_0000, size: 64KiB, "
                  "space: io}]}\n");
    ck_assert_str_eq(out,
                     "t.yaml:8:47: components.2.regions.0: error: an I/O "
                     "region needs a bus with I/O space; b is a plb bus\n"
                     "t.yaml:9:59: components.3.ranges.0: error: an I/O "
                     "window needs a child bus with I/O space; o is a opb "
                     "bus\n");
}
END_TEST

START_TEST(unreachable_memory)
{
    /* p has a device with memory but the bridge forwards nothing down and
     * nothing on p masters the bus. */
    ck_assert_str_eq(
        lint(HEAD "  - {name: x, kind: bridge, parent: b, child: p}\n"
                  "  - {name: m, kind: device, bus: p, regions: "
                  "[{base: 0x1000, size: 4KiB}]}\n"),
        "t.yaml:9:47: components.3.regions.0: warning: no master can reach "
        "any of m region 0 (4 KiB of memory at 0x1000 on p)\n");
    /* Half reachable: the window covers only the first 2 KiB. */
    const char *out =
        lint(HEAD "  - {name: x, kind: bridge, parent: b, child: p, ranges: "
                  "[{child: 0x1000, parent: 0x4000_0000, size: 2KiB}]}\n"
                  "  - {name: m, kind: device, bus: p, regions: "
                  "[{base: 0x1000, size: 4KiB}]}\n");
    ck_assert_str_eq(out,
                     "t.yaml:9:47: components.3.regions.0: warning: no "
                     "master can reach 2 KiB of the 4 KiB of m region 0 "
                     "(first at 0x1800)\n");
}
END_TEST

START_TEST(dma_reach)
{
    /* The window covers 8 of 16 MiB of RAM: a window problem. */
    const char *out =
        lint(HEAD "  - {name: x, kind: bridge, parent: b, child: p, "
                  "dma_ranges: [{child: 0, parent: 0, size: 8MiB}]}\n"
                  "  - {name: d, kind: device, bus: p, master: {}}\n");
    ck_assert_str_eq(out,
                     "t.yaml:9:45: components.3.master: warning: d reaches "
                     "8 MiB of the 16 MiB of ram (first out of reach: "
                     "0x80_0000): no window leads to the rest (other: "
                     "t.yaml:7:5 components.1)\n");
    /* The window covers all; a 23-bit mask reaches half: a mask problem. */
    out = lint(HEAD "  - {name: x, kind: bridge, parent: b, child: p, "
                    "dma_ranges: identity}\n"
                    "  - {name: d, kind: device, bus: p, master: "
                    "{dma_mask: 23}}\n");
    ck_assert_str_eq(out,
                     "t.yaml:9:45: components.3.master: warning: d's 23-bit "
                     "dma_mask reaches 8 MiB of the 16 MiB of ram (first out "
                     "of reach: 0x80_0000); buffers there must bounce "
                     "(other: t.yaml:7:5 components.1)\n");
}
END_TEST

START_TEST(reach_bytes)
{
    Diag d;
    diag_init(&d);
    Topology *t = topology_load("topologies/highmem.yaml", &d);
    ck_assert_ptr_nonnull(t);
    int c32 = topo_find_comp(t, "card32"), c64 = topo_find_comp(t, "card64");
    int hi = topo_find_comp(t, "sdram-high"), lo = topo_find_comp(t, "sdram-low");
    ck_assert_uint_eq(lint_reach_bytes(t, c32, hi, 0, true), 0);
    ck_assert_uint_eq(lint_reach_bytes(t, c32, hi, 0, false), 2ULL << 30);
    ck_assert_uint_eq(lint_reach_bytes(t, c32, lo, 0, true), 2ULL << 30);
    ck_assert_uint_eq(lint_reach_bytes(t, c64, hi, 0, true), 2ULL << 30);
    topology_free(t);
    diag_free(&d);
}
END_TEST

START_TEST(shipped_findings)
{
    static const struct {
        const char *file;
        size_t errors, warnings;
        const char *code; /* of the first warning, if any */
    } want[] = {
        {"topologies/ebony.yaml", 0, 0, NULL},
        {"topologies/walnut.yaml", 0, 0, NULL},
        {"topologies/two-host-bridges.yaml", 0, 0, NULL},
        {"topologies/p2p-tree.yaml", 0, 0, NULL},
        {"topologies/highmem.yaml", 0, 1, "dma-mask"},
        {"topologies/plb-mmio.yaml", 0, 0, NULL},
        {"topologies/pci-offset.yaml", 0, 0, NULL},
        /* card2's BAR inside the inbound window: the shadow, and the
         * 1 MiB of SDRAM the card no longer reaches */
        {"topologies/ebony-shadow.yaml", 0, 2, "shadow"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        Diag d;
        diag_init(&d);
        Topology *t = topology_load(want[i].file, &d);
        ck_assert_ptr_nonnull(t);
        lint_reachability(t, &d);
        ck_assert_msg(d.counts[SEV_ERROR] == want[i].errors &&
                          d.counts[SEV_WARNING] == want[i].warnings,
                      "%s: %zu errors, %zu warnings", want[i].file,
                      d.counts[SEV_ERROR], d.counts[SEV_WARNING]);
        if (want[i].code)
            ck_assert_str_eq(diag_first(&d, SEV_WARNING)->code, want[i].code);
        if (want[i].code && !strcmp(want[i].code, "shadow"))
            ck_assert_str_eq(diag_first(&d, SEV_WARNING)->msg,
                             "card2 region 0 (memory) and pcix0-bridge "
                             "dma_ranges window 0 both decode "
                             "0x100_0000..0x10f_ffff on pcix0 (memory "
                             "space); the region claims it");
        topology_free(t);
        diag_free(&d);
    }
}
END_TEST

Suite *lint_suite(void)
{
    Suite *s = suite_create("lint");
    TCase *tc = tcase_create("findings");
    tcase_add_test(tc, clean);
    tcase_add_test(tc, overlapping_regions);
    tcase_add_test(tc, overlapping_windows);
    tcase_add_test(tc, programmable_windows);
    tcase_add_test(tc, iommu_aperture);
    tcase_add_test(tc, subtractive_bridge);
    tcase_add_test(tc, shadowing);
    tcase_add_test(tc, widths);
    tcase_add_test(tc, spaces);
    tcase_add_test(tc, unreachable_memory);
    tcase_add_test(tc, dma_reach);
    tcase_add_test(tc, reach_bytes);
    tcase_add_test(tc, shipped_findings);
    suite_add_tcase(s, tc);
    return s;
}
