/* sim/topo_parse + sim/topo_resolve: what a valid file turns into. */
#include <check.h>
#include <string.h>

#include "models/device.h"
#include "models/dma.h"
#include "sim/hw/addrmap.h"
#include "sim/hw/kinds.h"
#include "testutil.h"

static Topology *load_ok(const char *path, Diag *d)
{
    diag_init(d);
    Topology *t = topology_load(path, d);
    ck_assert_msg(t != NULL, "%s", tu_first(d, SEV_FATAL));
    return t;
}

START_TEST(ebony_values)
{
    Diag d;
    Topology *t = load_ok("topologies/ebony.yaml", &d);
    ck_assert_uint_eq(d.n, 0);
    ck_assert_str_eq(t->name, "ebony");
    ck_assert_uint_eq(t->address_bits, 36);
    ck_assert_uint_eq(t->n_clocks, 4);
    ck_assert_str_eq(t->clocks[1].name, "plb");
    ck_assert_uint_eq(t->clocks[1].clock.hz, 133330000);
    /* its period, 10^12 / 133330000 ps, in lowest terms */
    ck_assert_uint_eq(t->clocks[1].clock.num, 100000000);
    ck_assert_uint_eq(t->clocks[1].clock.den, 13333);
    ck_assert_uint_eq(t->kernel.page_size, 4096);
    ck_assert_uint_eq(t->kernel.page_offset, 0xC0000000u);

    int plb = topo_find_bus(t, "plb"), opb = topo_find_bus(t, "opb");
    int pcix = topo_find_bus(t, "pcix0");
    ck_assert_int_ge(plb, 0);
    ck_assert_uint_eq(t->buses[plb].width_bits, 128);
    ck_assert_uint_eq(t->buses[plb].address_bits, 36); /* root: topology */
    ck_assert_uint_eq(t->buses[opb].address_bits, 32); /* opb default */
    ck_assert_uint_eq(t->buses[pcix].address_bits, 64); /* pcix default */
    ck_assert_int_eq(t->buses[plb].parent_bridge, -1);
    ck_assert_int_eq(t->buses[pcix].parent_bridge,
                     topo_find_comp(t, "pcix0-bridge"));
    ck_assert_uint_eq(t->buses[pcix].depth, 1);

    const CompParams *br = &t->comps[topo_find_comp(t, "pcix0-bridge")];
    ck_assert_ptr_nonnull(br->bridge);
    ck_assert_int_eq(br->bus_idx, plb);
    ck_assert_uint_eq(br->bridge->ranges.n, 2);
    ck_assert_uint_eq(br->bridge->ranges.v[0].parent, 0x380000000ULL);
    ck_assert_uint_eq(br->bridge->ranges.v[0].child, 0x80000000u);
    ck_assert_uint_eq(br->bridge->ranges.v[0].size_bytes, 2ULL << 30);
    ck_assert_int_eq(br->bridge->ranges.v[1].space, SPACE_IO);
    ck_assert_uint_eq(br->bridge->dma_ranges.n, 1);

    const CompParams *card = &t->comps[topo_find_comp(t, "card")];
    ck_assert(card->is_master);
    ck_assert_uint_eq(card->dma_mask_bits, 32);
    ck_assert_uint_eq(card->n_regions, 1);
    ck_assert_int_eq(card->regions[0].kind, REGION_MEMORY);
    ck_assert_int_eq(card->clock_idx, t->buses[pcix].clock_idx);

    const CompParams *dma = &t->comps[topo_find_comp(t, "dma0")];
    ck_assert_uint_eq(((DmaParams *)dma->priv)->channels, 4);
    ck_assert_uint_eq(dma->dma_mask_bits, 36); /* its bus's width */

    const CompParams *sdram = &t->comps[topo_find_comp(t, "sdram")];
    ck_assert(sdram->kind->is_system_ram);
    ck_assert(!sdram->is_master);
    ck_assert_uint_eq(sdram->regions[0].size_bytes, 256ULL << 20);

    const CompParams *cpu = &t->comps[topo_find_comp(t, "cpu0")];
    ck_assert_int_eq(cpu->clock_idx, 0); /* explicit clock: cpu */
    ck_assert_int_eq(topo_find_comp(t, "plb"), -1);
    ck_assert_int_eq(topo_find_bus(t, "card"), -1);
    topology_free(t);
    diag_free(&d);
}
END_TEST

START_TEST(defaults)
{
    Diag d;
    diag_init(&d);
    Topology *t = tu_load("name: t\nclocks: {c: 100MHz}\n"
                          "buses: [{name: b, kind: plb, clock: c}, "
                          "{name: p, kind: pci, clock: c}]\n"
                          "components:\n"
                          "  - {name: x, kind: bridge, parent: b, child: p}\n"
                          "  - {name: dev, kind: device, bus: p, master: {}}\n"
                          "  - {name: d, kind: dma, bus: b}\n",
                          &d);
    ck_assert_ptr_nonnull(t);
    ck_assert_uint_eq(t->address_bits, 32);
    ck_assert_uint_eq(t->kernel.page_size, 4096);
    ck_assert_uint_eq(t->kernel.page_offset, 0xC0000000u);
    ck_assert_uint_eq(t->kernel.pci_dram_offset, 0);
    ck_assert_uint_eq(t->buses[0].width_bits, 64); /* plb default */
    ck_assert_uint_eq(t->buses[1].width_bits, 32); /* pci default */
    ck_assert_uint_eq(t->buses[1].address_bits, 32);
    ck_assert_uint_eq(t->comps[1].dma_mask_bits, 32);
    ck_assert_uint_eq(((DmaParams *)t->comps[2].priv)->channels, 4);
    /* No ranges: the bridge forwards nothing either way. */
    ck_assert_uint_eq(t->comps[0].bridge->ranges.n, 0);
    ck_assert(!t->comps[0].bridge->ranges.identity);
    topology_free(t);
    diag_free(&d);
}
END_TEST

START_TEST(every_shipped_topology_loads)
{
    static const char *const files[] = {
        "topologies/ebony.yaml",      "topologies/walnut.yaml",
        "topologies/two-host-bridges.yaml", "topologies/p2p-tree.yaml",
        "topologies/highmem.yaml",    "topologies/plb-mmio.yaml",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        Diag d;
        Topology *t = load_ok(files[i], &d);
        ck_assert_msg(topology_sound(&d), "%s: %s", files[i],
                      tu_first(&d, SEV_ERROR));
        topology_free(t);
        diag_free(&d);
    }
}
END_TEST

Suite *topology_suite(void)
{
    Suite *s = suite_create("topology");
    TCase *tc = tcase_create("resolve");
    tcase_add_test(tc, ebony_values);
    tcase_add_test(tc, defaults);
    tcase_add_test(tc, every_shipped_topology_loads);
    suite_add_tcase(s, tc);
    return s;
}
