/* sim/yaml_load + sim/topo_parse + sim/topo_resolve: every class of bad
 * input gives exactly one message with its file:line:column and key path. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#define HEAD "name: t\nclocks: {c: 100MHz}\n"
#define BUSES "buses:\n  - {name: b, kind: plb, clock: c}\n"
#define MEM "  - {name: m, kind: sdram, bus: b, base: 0, size: 1MiB}\n"

START_TEST(valid_minimal)
{
    Diag d;
    diag_init(&d);
    Topology *t = tu_load(HEAD BUSES "components:\n" MEM, &d);
    ck_assert_ptr_nonnull(t);
    ck_assert_uint_eq(d.n, 0);
    topology_free(t);
    diag_free(&d);
}
END_TEST

START_TEST(syntax_errors)
{
    ck_load_error("name: [unclosed\n",
                  "2:1: <document>: YAML syntax error: did not find "
                  "expected ',' or ']' (while parsing a flow sequence at "
                  "line 1 column 7)");
    ck_load_error("a: b\n c: d\n",
                  "2:3: <document>: YAML syntax error: mapping values are "
                  "not allowed in this context");
    ck_load_error("a: *nothing\n",
                  "1:4: <document>: YAML syntax error: found undefined "
                  "alias");
}
END_TEST

START_TEST(empty_and_garbage)
{
    ck_load_error("", "1:1: <document>: empty document: expected a mapping");
    ck_load_error("# only a comment\n",
                  "1:1: <document>: empty document: expected a mapping");
    ck_load_error("- a\n- b\n",
                  "1:1: <document>: expected a mapping at the top, got a "
                  "list");
    ck_load_error("just text\n",
                  "1:1: <document>: expected a mapping at the top, got a "
                  "scalar");
    ck_load_error(HEAD "---\nname: u\n",
                  "4:1: <document>: more than one YAML document in the "
                  "file");

    static const unsigned char garbage[] = {0x7f, 0x45, 0x4c, 0x46, 0x02,
                                            0x01, 0x01, 0x00, 0xff, 0xfe};
    Diag d;
    diag_init(&d);
    const char *p = tu_write_bytes("g.yaml", garbage, sizeof garbage);
    ck_assert_ptr_null(topology_load(p, &d));
    ck_assert_str_eq(tu_first(&d, SEV_FATAL),
                     "g.yaml:1:1: <document>: not a YAML text: control "
                     "characters are not allowed");
    diag_free(&d);

    diag_init(&d);
    ck_assert_ptr_null(topology_load("/nonexistent/dir/x.yaml", &d));
    ck_assert_str_eq(tu_first(&d, SEV_FATAL),
                     "/nonexistent/dir/x.yaml:1:1: <document>: cannot open: "
                     "No such file or directory");
    diag_free(&d);
}
END_TEST

START_TEST(unknown_and_missing_keys)
{
    ck_load_error(HEAD BUSES "components:\n"
                  "  - {name: m, kind: sdram, bus: b, base: 0, sise: 1MiB}\n",
                  "6:45: components.0: unknown key 'sise' (did you mean "
                  "'size'?)");
    ck_load_error(HEAD BUSES "components: []\nfrobnicate: 1\n",
                  "6:1: <document>: unknown key 'frobnicate' (known here: "
                  "name, description, address_bits, clocks, kernel, buses, "
                  "components)");
    ck_load_error(HEAD BUSES "components:\n"
                  "  - {name: m, kind: sdram, bus: b, base: 0}\n",
                  "6:5: components.0: missing required key 'size'");
    ck_load_error(HEAD BUSES "components:\n  - {name: m, bus: b}\n",
                  "6:5: components.0: missing required key 'kind'");
    ck_load_error("clocks: {c: 1MHz}\n" BUSES "components: []\n",
                  "1:1: <document>: missing required key 'name'");
    ck_load_error(HEAD "name: u\n" BUSES "components: []\n",
                  "3:1: name: duplicate key 'name' (first at line 1)");
}
END_TEST

START_TEST(wrong_types)
{
    ck_load_error(HEAD BUSES "components:\n"
                  "  - {name: m, kind: sdram, bus: b, base: {x: 1}, "
                  "size: 1MiB}\n",
                  "6:42: components.0.base: expected an integer, got a "
                  "mapping");
    ck_load_error(HEAD "buses: {name: b}\ncomponents: []\n",
                  "3:8: buses: expected a list of buses, got a mapping");
    ck_load_error(HEAD BUSES "components:\n  - just-a-name\n",
                  "6:5: components.0: expected a component (a mapping), "
                  "got a scalar");
    ck_load_error(HEAD BUSES "components:\n"
                  "  - {name: m, kind: sdram, bus: b, base: 0, size: }\n",
                  "6:51: components.0.size: expected an integer, got "
                  "nothing (null)");
    ck_load_error(HEAD BUSES "components:\n"
                  "  - {name: [m], kind: sdram, bus: b, base: 0, size: 1}\n",
                  "6:12: components.0.name: expected a name, got a list");
    ck_load_error(HEAD BUSES "components:\n"
                  "  - {name: 'a b', kind: sdram, bus: b, base: 0, "
                  "size: 1}\n",
                  "6:12: components.0.name: bad name 'a b': use 1 to 64 "
                  "letters, digits, '_', '-' or '.'");
}
END_TEST

START_TEST(bad_numbers)
{
    ck_load_error(HEAD BUSES "components:\n"
                  "  - {name: m, kind: sdram, bus: b, base: 0, size: 64KB}\n",
                  "6:51: components.0.size: '64KB': unknown unit 'KB' "
                  "(sizes take B, KiB, MiB, GiB, TiB, PiB or EiB)");
    ck_load_error(HEAD BUSES "components:\n"
                  "  - {name: m, kind: sdram, bus: b, "
                  "base: 0x1_0000_0000_0000_0000, size: 1}\n",
                  "6:42: components.0.base: '0x1_0000_0000_0000_0000' does "
                  "not fit in 64 bits");
    ck_load_error(HEAD BUSES "components:\n"
                  "  - {name: m, kind: sdram, bus: b, base: 0, size: -4}\n",
                  "6:51: components.0.size: negative value '-4' not allowed");
    ck_load_error(HEAD BUSES "components:\n"
                  "  - {name: m, kind: sdram, bus: b, base: 0, size: 0}\n",
                  "6:51: components.0.size: size must be greater than zero");
    ck_load_error("name: t\nclocks: {c: 0MHz}\n" BUSES "components: []\n",
                  "2:13: clocks.c: frequency must be greater than zero");
    ck_load_error("name: t\nclocks: {c: 100}\n" BUSES "components: []\n",
                  "2:13: clocks.c: '100' has no unit (frequencies take Hz, "
                  "kHz, MHz or GHz)");
    ck_load_error(HEAD "address_bits: 65\n" BUSES "components: []\n",
                  "3:15: address_bits: a bit count must be between 1 and 64, "
                  "not 65");
    ck_load_error(HEAD "kernel: {page_size: 3000}\n" BUSES "components: []\n",
                  "3:21: kernel.page_size: no kernel uses pages of 3000 bytes: "
                  "give a power of two from 4 KiB to 256 KiB");
    /* a power of two, but no kernel's (a page table of 10^9 entries) */
    ck_load_error(HEAD "kernel: {page_size: 1}\n" BUSES "components: []\n",
                  "3:21: kernel.page_size: no kernel uses pages of 1 byte: "
                  "give a power of two from 4 KiB to 256 KiB");
    ck_load_error(HEAD "kernel: {page_size: 1MiB}\n" BUSES "components: []\n",
                  "3:21: kernel.page_size: no kernel uses pages of 1048576 bytes: "
                  "give a power of two from 4 KiB to 256 KiB");
    /* the linux scheme's kernel: its port's rules and its bounce pool */
    ck_load_error(HEAD "kernel: {arch: arm32}\n" BUSES "components: []\n",
                  "3:16: kernel.arch: arch is 'generic', 'ppc' or 'arm64', "
                  "not 'arm32'");
    ck_load_error(HEAD "kernel: {swiotlb: on}\n" BUSES "components: []\n",
                  "3:19: kernel.swiotlb: swiotlb is 'auto' (a pool when some "
                  "master cannot reach all RAM) or 'force', not 'on'");
    ck_load_error(HEAD "kernel: {swiotlb_size: 100KiB}\n" BUSES
                  "components: []\n",
                  "3:24: kernel.swiotlb_size: swiotlb_size is a multiple of "
                  "256 KiB (a segment of 128 slots of 2 KiB) up to 4 GiB");
    ck_load_error(HEAD "kernel: {cma: {below: 0x1000_0000}}\n" BUSES
                  "components: []\n",
                  "3:15: kernel.cma: missing required key 'size'");
    ck_load_error(HEAD "kernel: {cma: {size: 16MiB, below: 0}}\n" BUSES
                  "components: []\n",
                  "3:36: kernel.cma.below: below is an address above 0");
    /* the limits themselves are fine */
    Diag d;
    diag_init(&d);
    Topology *t = tu_load(HEAD "kernel: {page_size: 256KiB, page_offset: 0}\n"
                          BUSES "components: []\n", &d);
    ck_assert_ptr_nonnull(t);
    topology_free(t);
    t = tu_load("name: t\nclocks: {c: 1000GHz}\n" BUSES "components: []\n",
                &d);
    ck_assert_ptr_nonnull(t);
    topology_free(t);
    diag_free(&d);
    /* time is in ps: no clock above 1 THz */
    ck_load_error("name: t\nclocks: {c: 1001GHz}\n" BUSES "components: []\n",
                  "2:13: clocks.c: 1001GHz is above 1 THz: no bus or core "
                  "runs that fast, and its period would be under the "
                  "simulator's 1 ps");
    ck_load_error(HEAD "kernel: {page_offset: 0x1001}\n" BUSES
                  "components: []\n",
                  "3:9: kernel: page_offset must be a multiple of page_size");
}
END_TEST

START_TEST(kinds)
{
    /* the CPU's data cache: sets of powers of two, a way per core */
    ck_load_error(HEAD BUSES "components:\n"
                  "  - {name: p, kind: cpu, bus: b, clock: c, "
                  "dcache_ways: 3}\n",
                  "6:5: components.0: dcache_ways must be a power of two, "
                  "not 3");
    ck_load_error(HEAD BUSES "components:\n"
                  "  - {name: p, kind: cpu, bus: b, clock: c, "
                  "dcache_size: 1KiB}\n",
                  "6:5: components.0: dcache_size must be a power of two "
                  "from line_size x dcache_ways (2048 bytes) to 64 MiB");
    ck_load_error(HEAD BUSES "components:\n"
                  "  - {name: p, kind: cpu, bus: b, clock: c, "
                  "line_size: 1, dcache_size: 64MiB}\n",
                  "6:5: components.0: dcache_size holds at most 1048576 "
                  "lines of line_size, not 67108864");
    ck_load_error(HEAD BUSES "components:\n"
                  "  - {name: p, kind: cpu, bus: b, clock: c, "
                  "dcache_ways: 2, dcache_size: 64, cores: 4}\n",
                  "6:5: components.0: cores (4) may not exceed dcache_ways "
                  "(2): each core's miss holds a way of a set");
    ck_load_error(HEAD BUSES "components:\n"
                  "  - {name: m, kind: sdrm, bus: b, base: 0, size: 1}\n",
                  "6:21: components.0.kind: unknown component kind 'sdrm' "
                  "(known: bridge, cpu, device, dma, sdram, sram)");
    ck_load_error(HEAD "buses:\n  - {name: b, kind: isa, clock: c}\n"
                  "components: []\n",
                  "4:21: buses.0.kind: unknown bus kind 'isa' (known: opb, "
                  "pci, pcix, plb)");
    ck_load_error(HEAD "buses:\n  - {name: b, kind: pci, clock: c, "
                  "width: 128}\ncomponents: []\n",
                  "4:43: buses.0.width: a pci bus is 32 or 64 bits wide, not "
                  "128");
    ck_load_error(HEAD "buses:\n  - {name: b, kind: plb, clock: c, "
                  "arbitration: lottery}\ncomponents: []\n",
                  "4:49: buses.0.arbitration: unknown arbitration 'lottery' "
                  "(known: round-robin, fifo, priority)");
    ck_load_error(HEAD BUSES "components:\n  - {name: d, kind: device, "
                  "bus: b}\n",
                  "6:5: components.0: a device needs regions, a master, or "
                  "both");
    ck_load_error(HEAD BUSES "components:\n  - {name: d, kind: device, "
                  "bus: b, regions: [{base: 0, size: 4, kind: rom}]}\n",
                  "6:72: components.0.regions.0.kind: unknown region kind "
                  "'rom' (known: memory, fifo, io)");
    ck_load_error(HEAD BUSES "  - {name: b2, kind: pci, clock: c}\n"
                  "components:\n  - {name: x, kind: bridge, parent: b, "
                  "child: b2, dma_ranges: [{child: 0, parent: 0, size: 4, "
                  "space: io}]}\n",
                  "7:102: components.0.dma_ranges.0.space: dma_ranges "
                  "windows are memory space only, not 'io'");
    ck_load_error(HEAD BUSES "  - {name: b2, kind: pci, clock: c}\n"
                  "components:\n  - {name: x, kind: bridge, parent: b, "
                  "child: b2, ranges: all}\n",
                  "7:59: components.0.ranges: expected a list of windows or "
                  "'identity', got 'all'");
    /* programmable windows */
    ck_load_error(HEAD BUSES "  - {name: b2, kind: pci, clock: c}\n"
                  "components:\n  - {name: x, kind: bridge, parent: b, "
                  "child: b2, outbound_windows: {writes: 5}}\n",
                  "7:69: components.0.outbound_windows: missing required key "
                  "'count'");
    ck_load_error(HEAD BUSES "  - {name: b2, kind: pci, clock: c}\n"
                  "components:\n  - {name: x, kind: bridge, parent: b, "
                  "child: b2, inbound_windows: {count: 2, writes: 4, "
                  "align: nat}}\n",
                  "7:97: components.0.inbound_windows.align: align is "
                  "'natural' or a size, not 'nat'");
    ck_load_error(HEAD BUSES "  - {name: b2, kind: pci, clock: c}\n"
                  "components:\n  - {name: x, kind: bridge, parent: b, "
                  "child: b2, inbound_windows: {count: 2, writes: 4, "
                  "min_size: 8MiB, max_size: 4MiB}}\n",
                  "7:100: components.0.inbound_windows.min_size: min_size is "
                  "larger than max_size");
    ck_load_error(HEAD BUSES "  - {name: b2, kind: pci, clock: c}\n"
                  "components:\n  - {name: x, kind: bridge, parent: b, "
                  "child: b2, inbound_windows: {count: 2, writes: 4, "
                  "registers: {base: 0x1000, size: 64}}}\n",
                  "7:68: components.0.inbound_windows: give both registers "
                  "and aperture to program windows at run time, or neither "
                  "(no aperture)");
    ck_load_error(HEAD BUSES "  - {name: b2, kind: pci, clock: c}\n"
                  "components:\n  - {name: x, kind: bridge, parent: b, "
                  "child: b2, inbound_windows: {count: 3, writes: 4, "
                  "registers: {base: 0x1000, size: 8}, aperture: {base: 0, "
                  "size: 1GiB}}}\n",
                  "7:101: components.0.inbound_windows.registers: registers "
                  "of 8 bytes cannot hold 3 windows' registers (at least 4 "
                  "bytes each)");
    ck_load_error(HEAD BUSES "components:\n  - {name: x, kind: bridge, "
                  "bus: b, child: b}\n",
                  "6:29: components.0: unknown key 'bus' (known here: name, "
                  "kind, clock, parent, child, ranges, decode, p2pdma, "
                  "dma_ranges, "
                  "outbound_windows, inbound_windows, iommu, latency_cycles, "
                  "cross_cycles, posted_write_buffer, prefetch, cache_line, "
                  "completer_latency, write_disconnect)");
    ck_load_error(HEAD BUSES "  - {name: b2, kind: pci, clock: c}\n"
                  "components:\n  - {name: x, kind: bridge, parent: b, "
                  "child: b2, decode: negative}\n",
                  "7:59: components.0.decode: decode is 'positive' (its "
                  "windows claim their addresses) or 'subtractive' (they "
                  "claim what nothing else on the parent bus claims), not "
                  "'negative'");
    /* an IOMMU's pages, aperture and page table */
#define IOMMU_AT(io)                                                        \
    HEAD BUSES "  - {name: b2, kind: pci, clock: c}\n"                      \
               "components:\n  - {name: x, kind: bridge, parent: b, "       \
               "child: b2, iommu: " io "}\n"
    ck_load_error(IOMMU_AT("{aperture: {base: 0x8000_0000, size: 16KiB}, "
                           "registers: {base: 0x1000, size: 32}, "
                           "page_size: 6KiB}"),
                  "7:151: components.0.iommu.page_size: page_size is a power "
                  "of two from 4KiB to 1GiB, not 6 KiB");
    ck_load_error(IOMMU_AT("{aperture: {base: 0x8000_0800, size: 16KiB}, "
                           "registers: {base: 0x1000, size: 32}}"),
                  "7:69: components.0.iommu.aperture: the aperture's base "
                  "and size are multiples of page_size (4 KiB)");
    ck_load_error(IOMMU_AT("{aperture: {base: 0x8000_0000, size: 16KiB}, "
                           "registers: {base: 0x1000, size: 16}}"),
                  "7:114: components.0.iommu.registers: registers of 16 "
                  "bytes cannot hold 4 pages' entries of 2 4-byte writes");
    ck_load_error(IOMMU_AT("{aperture: {base: 0, size: 8GiB}, "
                           "registers: {base: 0x1000, size: 64MiB}}"),
                  "7:69: components.0.iommu.aperture: an aperture of 2097152 "
                  "pages; at most 1048576");
    ck_load_error(IOMMU_AT("{registers: {base: 0x1000, size: 32}}"),
                  "7:58: components.0.iommu: missing required key "
                  "'aperture'");
    /* a page table in memory: walked, maybe cached */
#define AP "{aperture: {base: 0x8000_0000, size: 16KiB}, "
    ck_load_error(IOMMU_AT(AP "registers: {base: 0x1000, size: 32}, "
                              "table: ram}"),
                  "7:147: components.0.iommu.table: table is 'registers' or "
                  "'memory', not 'ram'");
    ck_load_error(IOMMU_AT(AP "registers: {base: 0x1000, size: 32}, "
                              "iotlb: {entries: 4}}"),
                  "7:147: components.0.iommu.iotlb: iotlb belongs to a page "
                  "table in memory (table: memory); this one is in "
                  "registers");
    ck_load_error(IOMMU_AT(AP "registers: {base: 0x1000, size: 32}, "
                              "table: memory}"),
                  "7:58: components.0.iommu: a page table in memory needs "
                  "walk_cycles: what reading an entry costs");
    ck_load_error(IOMMU_AT(AP "registers: {base: 0x1000, size: 32}, "
                              "table: memory, walk_cycles: 12, iotlb: {}}"),
                  "7:179: components.0.iommu.iotlb: missing required key "
                  "'entries'");
    ck_load_error(IOMMU_AT(AP "registers: {base: 0x1000, size: 2}, "
                              "table: memory, walk_cycles: 12}"),
                  "7:114: components.0.iommu.registers: registers of 2 bytes "
                  "cannot hold the invalidate register (4 bytes)");
#undef AP
#undef IOMMU_AT
}
END_TEST

START_TEST(names)
{
    ck_load_error(HEAD BUSES "components:\n"
                  "  - {name: m, kind: sdram, bus: plb2, base: 0, size: 1}\n",
                  "6:33: components.0.bus: no bus named 'plb2' (buses: b)");
    ck_load_error(HEAD BUSES "components:\n"
                  "  - {name: m, kind: sdram, bus: m, base: 0, size: 1}\n",
                  "6:33: components.0.bus: 'm' is a component, not a bus "
                  "(buses: b)");
    ck_load_error(HEAD "buses:\n  - {name: b, kind: plb, clock: cc}\n"
                  "components: []\n",
                  "4:33: buses.0.clock: no clock named 'cc' (clocks: c)");
    ck_load_error(HEAD BUSES "components:\n" MEM
                  "  - {name: m, kind: sram, bus: b, base: 0x10000, "
                  "size: 1}\n",
                  "7:5: components.1.name: duplicate name 'm' (first "
                  "defined at t.yaml:6:5)");
    ck_load_error(HEAD BUSES "components:\n"
                  "  - {name: b, kind: sdram, bus: b, base: 0, size: 1}\n",
                  "6:5: components.0.name: duplicate name 'b' (first "
                  "defined at t.yaml:4:5)");
    ck_load_error("name: t\nclocks: {c: 1MHz, c: 2MHz}\n" BUSES
                  "components: []\n",
                  "2:19: clocks.c: duplicate clock 'c' (first at line 2)");
}
END_TEST

#define TWO_PCI                                                             \
    HEAD "buses:\n  - {name: b, kind: plb, clock: c}\n"                     \
         "  - {name: p1, kind: pci, clock: c}\n"                            \
         "  - {name: p2, kind: pci, clock: c}\n"

START_TEST(bridges)
{
    ck_load_error(TWO_PCI "components:\n"
                  "  - {name: x, kind: bridge, parent: b, child: p1}\n"
                  "  - {name: y, kind: bridge, parent: b, child: p1}\n",
                  "9:47: components.1.child: bus 'p1' already has a parent "
                  "bridge 'x' (t.yaml:8:5)");
    ck_load_error(TWO_PCI "components:\n"
                  "  - {name: x, kind: bridge, parent: p1, child: p2}\n"
                  "  - {name: y, kind: bridge, parent: p2, child: p1}\n",
                  "9:5: components.1: bridge loop: p1 <- y <- p2 <- x <- "
                  "p1");
    ck_load_error(TWO_PCI "components:\n"
                  "  - {name: x, kind: bridge, parent: p1, child: p1}\n",
                  "8:48: components.0.child: a bridge cannot have 'p1' as "
                  "both parent and child");
    ck_load_error(TWO_PCI "components:\n"
                  "  - {name: x, kind: bridge, parent: b, child: nowhere}\n",
                  "8:47: components.0.child: no bus named 'nowhere' (buses: "
                  "b, p1, p2)");
}
END_TEST

/* A chain of 34 buses, 33 bridges deep. */
START_TEST(too_deep)
{
    char *y = malloc(64 * 1024);
    size_t n = (size_t)sprintf(y, HEAD "buses:\n");
    for (int i = 0; i < 34; i++)
        n += (size_t)sprintf(y + n, "  - {name: b%d, kind: pci, clock: c}\n",
                             i);
    n += (size_t)sprintf(y + n, "components:\n");
    for (int i = 1; i < 34; i++)
        n += (size_t)sprintf(y + n,
                             "  - {name: x%d, kind: bridge, parent: b%d, "
                             "child: b%d}\n",
                             i, i - 1, i);
    ck_load_error(y, "37:5: buses.33: bus 'b33' is 33 bridges below the "
                     "root; at most 32 are supported");
    free(y);
}
END_TEST

START_TEST(deep_nesting)
{
    /* 200,000 nested flow sequences: refused before libyaml, whose scanner
     * is quadratic in nesting depth, sees them. */
    size_t depth = 200000;
    char *y = malloc(2 * depth + 64);
    size_t n = (size_t)sprintf(y, "name: ");
    memset(y + n, '[', depth);
    n += depth;
    memset(y + n, ']', depth);
    n += depth;
    y[n++] = '\n';
    y[n] = '\0';
    ck_load_error(y, "1:1007: <document>: nesting deeper than 1000 "
                     "levels");
    /* 900 levels pass the guard and fail the schema. */
    memset(y, 0, 2 * depth + 64);
    n = (size_t)sprintf(y, "name: ");
    memset(y + n, '[', 900);
    memset(y + n + 900, ']', 900);
    ck_load_error(y, "1:7: name: expected a name, got a list");
    free(y);
}
END_TEST

START_TEST(alias_bomb)
{
    /* Billion laughs: 10^9 nodes if expanded.  The loader keeps aliases as
     * references and walks only what the schema asks for. */
    const char *y =
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
        "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
        "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
        "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
        "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
        "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
    ck_load_error(y, "1:1: <document>: unknown key 'a' (known here: name, "
                     "description, address_bits, clocks, kernel, buses, "
                     "components)");
    /* A quadratic bomb in schema positions: 3,000 devices sharing one
     * list of 400 regions would be 1.2 million region maps; the visit
     * budget stops it at a fixed cost. */
    size_t cap = 1 << 20, n = 0;
    char *b = malloc(cap);
    n += (size_t)sprintf(b + n, HEAD BUSES "components:\n"
                                "  - {name: d0, kind: device, bus: b, "
                                "regions: &r [");
    for (int i = 0; i < 400; i++)
        n += (size_t)sprintf(b + n, "%s{base: %d, size: 1}", i ? ", " : "",
                             i);
    n += (size_t)sprintf(b + n, "]}\n");
    for (int i = 1; i < 3000; i++)
        n += (size_t)sprintf(b + n,
                             "  - {name: d%d, kind: device, bus: b, "
                             "regions: *r}\n",
                             i);
    Diag d;
    diag_init(&d);
    ck_assert_ptr_null(tu_load(b, &d));
    ck_assert_msg(strstr(tu_first(&d, SEV_FATAL),
                         ": the document expands to more than 1000000 "
                         "nodes through its aliases (aliases of aliases "
                         "multiply: an alias bomb?)"),
                  "%s", tu_first(&d, SEV_FATAL));
    diag_free(&d);
    /* Without aliases the message does not blame them: 210,000 regions
     * of a map and four scalars each are 1,050,000 nodes. */
    cap = 8 << 20;
    b = realloc(b, cap);
    n = (size_t)sprintf(b, HEAD BUSES "components:\n"
                           "  - {name: d0, kind: device, bus: b, "
                           "regions: [");
    for (int i = 0; i < 210000; i++)
        n += (size_t)sprintf(b + n, "%s{base: %d, size: 1}", i ? ", " : "",
                             i);
    sprintf(b + n, "]}\n");
    diag_init(&d);
    ck_assert_ptr_null(tu_load(b, &d));
    ck_assert_msg(strstr(tu_first(&d, SEV_FATAL),
                         ": the document has more than 1000000 nodes to "
                         "read, the limit"),
                  "%s", tu_first(&d, SEV_FATAL));
    diag_free(&d);
    free(b);
}
END_TEST

/* An input that is not a regular file is refused at once: a FIFO would
 * block the loader until some writer came. */
START_TEST(not_a_regular_file)
{
    const char *p = tu_write("x.yaml", "");
    char fifo[4200], dir[4200];
    snprintf(fifo, sizeof fifo, "%s.fifo", p);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    Diag d;
    diag_init(&d);
    ck_assert_ptr_null(topology_load(fifo, &d));
    const Finding *f = diag_first(&d, SEV_FATAL);
    ck_assert_ptr_nonnull(f);
    ck_assert_str_eq(f->file, fifo);
    ck_assert_str_eq(f->msg, "cannot read it: it is a FIFO, not a file");
    diag_free(&d);
    unlink(fifo);
    snprintf(dir, sizeof dir, "%s", p);
    *strrchr(dir, '/') = '\0';
    diag_init(&d);
    ck_assert_ptr_null(topology_load(dir, &d));
    ck_assert_str_eq(diag_first(&d, SEV_FATAL)->msg,
                     "cannot read it: it is a directory, not a file");
    diag_free(&d);
}
END_TEST

START_TEST(alias_reuse)
{
    /* Aliases are fine where the schema expects the aliased shape; ten
     * copies of one map clash by name, reported once. */
    ck_load_error(HEAD BUSES "components:\n"
                  "  - &m {name: m, kind: sdram, bus: b, base: 0, size: 1}\n"
                  "  - *m\n",
                  "6:5: components.1.name: duplicate name 'm' (an alias "
                  "repeats the definition at t.yaml:6:5)");
    /* A self-referencing alias is walked no deeper than the schema. */
    ck_load_error(HEAD BUSES "components: &r [*r]\n",
                  "5:13: components.0: expected a component (a mapping), "
                  "got a list");
}
END_TEST

Suite *yaml_load_suite(void)
{
    Suite *s = suite_create("yaml_load");
    TCase *tc = tcase_create("errors");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, valid_minimal);
    tcase_add_test(tc, syntax_errors);
    tcase_add_test(tc, empty_and_garbage);
    tcase_add_test(tc, unknown_and_missing_keys);
    tcase_add_test(tc, wrong_types);
    tcase_add_test(tc, bad_numbers);
    tcase_add_test(tc, kinds);
    tcase_add_test(tc, names);
    tcase_add_test(tc, bridges);
    tcase_add_test(tc, too_deep);
    tcase_add_test(tc, deep_nesting);
    tcase_add_test(tc, alias_bomb);
    tcase_add_test(tc, alias_reuse);
    tcase_add_test(tc, not_a_regular_file);
    suite_add_tcase(s, tc);
    return s;
}
