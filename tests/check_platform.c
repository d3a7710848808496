/* sim/platform: transactions on the timed buses.  Durations on an idle bus
 * equal the formula of docs/timing.md exactly; bytes arrive intact through
 * every bridge path of the shipped topologies. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/memory.h"
#include "models/regions.h"
#include "sim/hw/lint.h"
#include "sim/hw/platform.h"
#include "testutil.h"

#define BASE                                                                \
    "name: t\naddress_bits: 36\n"                                           \
    "clocks: {cpu: 400MHz, plb: 100MHz, pci: 50MHz}\n"                      \
    "buses:\n"                                                              \
    "  - {name: plb, kind: plb, clock: plb, width: 128 %s}\n"               \
    "  - {name: pci, kind: pci, clock: pci, width: 32, address_bits: 64}\n" \
    "components:\n"                                                         \
    "  - {name: cpu, kind: cpu, bus: plb, clock: cpu}\n"                    \
    "  - {name: dma, kind: dma, bus: plb}\n"                                \
    "  - {name: ram, kind: sdram, bus: plb, base: 0, size: 64MiB %s}\n"     \
    "  - name: br\n    kind: bridge\n    parent: plb\n    child: pci\n"     \
    "    ranges: [{child: 0x8000_0000, parent: 0x3_8000_0000, size: 1GiB},"\
    " {child: 0x1_0000_0000, parent: 0x4_0000_0000, size: 1GiB}]\n"        \
    "    dma_ranges: [{child: 0, parent: 0, size: 1GiB}]\n"                 \
    "    posted_write_buffer: %s\n"                                        \
    "  - {name: card, kind: device, bus: pci, master: {dma_mask: 64},\n"    \
    "     regions: [{base: 0x8000_0000, size: 1MiB}, "                      \
    "{base: 0x1_0000_0000, size: 1MiB}]}\n"                                 \
    "  - {name: card32, kind: device, bus: pci, master: {dma_mask: 32}}\n" \
    "  - {name: sram, kind: sram, bus: plb, base: 0x1000_0000, size: 64KiB}\n"

typedef struct Rig {
    Diag d;
    Topology *t;
    Platform *p;
} Rig;

static void rig_load(Rig *r, const char *yaml)
{
    diag_init(&r->d);
    r->t = tu_load(yaml, &r->d);
    ck_assert_msg(r->t && topology_sound(&r->d), "%s",
                  tu_first(&r->d, r->t ? SEV_ERROR : SEV_FATAL));
    r->p = platform_new(r->t);
}

/* A shipped topology file, which must be sound. */
static void rig_file(Rig *r, const char *file)
{
    diag_init(&r->d);
    r->t = topology_load(file, &r->d);
    ck_assert_msg(r->t && topology_sound(&r->d), "%s: %s", file,
                  tu_first(&r->d, r->t ? SEV_ERROR : SEV_FATAL));
    r->p = platform_new(r->t);
}

/* The formula tests use a bridge that does not post writes, so a write
 * completes when its data reaches the target. */
static void rig_post(Rig *r, const char *plb_extra, const char *ram_extra,
                     const char *post_bytes)
{
    char yaml[4096];
    snprintf(yaml, sizeof yaml, BASE, plb_extra, ram_extra, post_bytes);
    rig_load(r, yaml);
}

static void rig_base(Rig *r, const char *plb_extra, const char *ram_extra)
{
    rig_post(r, plb_extra, ram_extra, "0");
}

static void rig_free(Rig *r)
{
    platform_free(r->p);
    topology_free(r->t);
    diag_free(&r->d);
}

static void done_count(Sim *s, Xact *x, void *opaque)
{
    (void)s;
    (void)x;
    ++*(int *)opaque;
}

/* Issues one transaction now and runs to completion. */
static Xact *one(Rig *r, const char *master, XactDir dir, uint64_t addr,
                 uint64_t len, uint8_t *data)
{
    static Xact x;
    static int n;
    memset(&x, 0, sizeof x);
    x.master = topo_find_comp(r->t, master);
    x.dir = dir;
    x.addr = addr;
    x.len = len;
    x.data = data;
    x.done = done_count;
    n = 0;
    x.opaque = &n;
    platform_issue(r->p, &x);
    ck_assert_int_eq(n, 0); /* never from inside issue */
    sim_run(platform_sim(r->p));
    ck_assert_int_eq(n, 1); /* exactly once */
    ck_assert_ptr_null(x.route); /* back in the platform's pool */
    return &x;
}

/* A window changed while a transaction is on its way: the transaction
 * decoded its route when it was issued and keeps it; one issued after the
 * change goes by the new setting (docs/schemes.md, "Programming
 * windows"). */
typedef struct Change {
    Platform *p;
    int bridge;
    WindowParams w;
} Change;

static void change_window(Sim *s, void *opaque)
{
    (void)s;
    Change *c = opaque;
    platform_set_window(c->p, c->bridge, true, 0, &c->w);
}

START_TEST(window_change_in_flight)
{
    Rig r;
    rig_load(&r, "name: t\naddress_bits: 36\n"
                 "clocks: {plb: 100MHz, pci: 33MHz}\n"
                 "buses: [{name: plb, kind: plb, clock: plb, width: 128}, "
                 "{name: pci, kind: pci, clock: pci}]\ncomponents:\n"
                 "  - {name: cpu, kind: cpu, bus: plb}\n"
                 "  - {name: ram, kind: sdram, bus: plb, base: 0, "
                 "size: 64MiB}\n"
                 "  - name: br\n    kind: bridge\n    parent: plb\n"
                 "    child: pci\n    posted_write_buffer: 0\n"
                 "    inbound_windows: {count: 1, writes: 4, boot: "
                 "[{child: 0x8000_0000, parent: 0, size: 1MiB}], "
                 "registers: {base: 0x2_0000_0000, size: 16}, "
                 "aperture: {base: 0x8000_0000, size: 1GiB}}\n"
                 "  - {name: card, kind: device, bus: pci, "
                 "master: {dma_mask: 32}}\n");
    uint8_t a[256], b[256], got[256];
    memset(a, 0xAA, sizeof a);
    memset(b, 0xBB, sizeof b);
    int n = 0;
    /* a 256-byte write to PCI 0x8000_0000: RAM 0 by the boot window */
    Xact x = {.master = topo_find_comp(r.t, "card"), .dir = XACT_WRITE,
              .addr = 0x80000000, .len = sizeof a, .data = a,
              .done = done_count, .opaque = &n};
    platform_issue(r.p, &x);
    /* 30 ns later, while it is on the PCI bus, the window moves to RAM
     * 1 MiB */
    Change c = {r.p, topo_find_comp(r.t, "br"),
                {.child = 0x80000000, .parent = 0x100000,
                 .size_bytes = 1 << 20}};
    sim_at(platform_sim(r.p), 30000, change_window, &c);
    sim_run(platform_sim(r.p));
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(x.result, ROUTE_OK);
    Store *ram = regions_store(platform_regions(r.p, 1), 0);
    store_read(ram, 0, got, sizeof got);
    ck_assert(!memcmp(got, a, sizeof a)); /* the old setting's target */
    store_read(ram, 0x100000, got, sizeof got);
    ck_assert_uint_eq(got[0], 0);         /* untouched */
    /* issued after the change: the new setting */
    Xact *y = one(&r, "card", XACT_WRITE, 0x80000000, sizeof b, b);
    ck_assert_int_eq(y->result, ROUTE_OK);
    store_read(ram, 0x100000, got, sizeof got);
    ck_assert(!memcmp(got, b, sizeof b));
    /* turned off: nothing decodes, a master abort */
    platform_set_window(r.p, c.bridge, true, 0, NULL);
    y = one(&r, "card", XACT_WRITE, 0x80000000, 4, b);
    ck_assert_int_eq(y->result, ROUTE_MASTER_ABORT);
    rig_free(&r);
}
END_TEST

/* A GART-style IOMMU on the bridge's inbound path (docs/topology.md,
 * "IOMMU"): an aperture of four 4 KiB pages at PCI 0x8000_0000 and no
 * dma_ranges. */
#define IOMMU_RIG                                                           \
    "name: t\naddress_bits: 36\n"                                           \
    "clocks: {plb: 100MHz, pci: 50MHz}\n"                                   \
    "buses: [{name: plb, kind: plb, clock: plb, width: 128}, "              \
    "{name: pci, kind: pci, clock: pci}]\ncomponents:\n"                    \
    "  - {name: cpu, kind: cpu, bus: plb}\n"                                \
    "  - {name: ram, kind: sdram, bus: plb, base: 0, size: 64MiB}\n"        \
    "  - name: br\n    kind: bridge\n    parent: plb\n"                     \
    "    child: pci\n    posted_write_buffer: 0\n"                          \
    "    iommu: {aperture: {base: 0x8000_0000, size: 16KiB}, "               \
    "registers: {base: 0x2_0000_0000, size: 32}}\n"                         \
    "  - {name: card, kind: device, bus: pci, master: {dma_mask: 32}}\n"

/* Nothing is mapped at boot: the bridge claims the aperture and ends the
 * access with a target abort.  50 MHz PCI, 20 ns a cycle: 1 arbitration
 * + 1 address + 2 for the bridge to claim it (its latency_cycles) + 1
 * turnaround = 5 cycles, 100 ns; no data moves.  (A master abort would
 * take 1 + 1 + 5 = 7.) */
START_TEST(iommu_unmapped_page_aborts)
{
    Rig r;
    rig_load(&r, IOMMU_RIG);
    uint8_t b[64] = {0};
    Xact *x = one(&r, "card", XACT_WRITE, 0x80001000, sizeof b, b);
    ck_assert_int_eq(x->result, ROUTE_TARGET_ABORT);
    ck_assert_uint_eq(x->residue, sizeof b);
    ck_assert_uint_eq(x->completed - x->issued, 100000);
    ck_assert_str_eq(x->reason,
                     "target abort on pci: br's IOMMU maps nothing at "
                     "0x8000_1000");
    ck_assert_str_eq(route_status_name(x->result), "target-abort");
    rig_free(&r);
}
END_TEST

/* Mapped pages lead where their entries say, page by page: page 0 to RAM
 * 1 MiB, page 1 to RAM 320 KiB (below it).  A 64-byte write from 32 bytes
 * before the page boundary is disconnected there: its first half lands at
 * the end of page 0's memory, its second at the start of page 1's.  Into
 * page 2, which maps nothing, the second half is a target abort, and the
 * reason is the abort's (not the disconnect's that split it). */
START_TEST(iommu_pages_split_at_boundaries)
{
    Rig r;
    rig_load(&r, IOMMU_RIG);
    int br = topo_find_comp(r.t, "br");
    platform_iommu_map(r.p, br, 0, 1, 0x100000);
    platform_iommu_map(r.p, br, 1, 1, 0x50000);
    uint8_t a[64], got[64];
    for (size_t i = 0; i < sizeof a; i++)
        a[i] = (uint8_t)(i + 1);
    Xact *x = one(&r, "card", XACT_WRITE, 0x80001000 - 32, sizeof a, a);
    ck_assert_int_eq(x->result, ROUTE_OK);
    ck_assert_uint_eq(x->residue, 0);
    Store *ram = regions_store(platform_regions(r.p, 1), 0);
    store_read(ram, 0x100000 + 4096 - 32, got, 32);
    ck_assert(!memcmp(got, a, 32));
    store_read(ram, 0x50000, got, 32);
    ck_assert(!memcmp(got, a + 32, 32));
    /* read back across the boundary: the same 64 bytes */
    memset(got, 0, sizeof got);
    x = one(&r, "card", XACT_READ, 0x80001000 - 32, sizeof got, got);
    ck_assert_int_eq(x->result, ROUTE_OK);
    ck_assert(!memcmp(got, a, sizeof a));
    /* from page 1 into page 2: half written, then the abort */
    x = one(&r, "card", XACT_WRITE, 0x80002000 - 32, sizeof a, a);
    ck_assert_int_eq(x->result, ROUTE_TARGET_ABORT);
    ck_assert_uint_eq(x->residue, 32);
    ck_assert_str_eq(x->reason, "target abort on pci: br's IOMMU maps "
                                "nothing at 0x8000_2000");
    store_read(ram, 0x50000 + 4096 - 32, got, 32);
    ck_assert(!memcmp(got, a, 32));
    /* remapped: page 0 now leads to RAM 2 MiB */
    platform_iommu_map(r.p, br, 0, 1, 0x200000);
    x = one(&r, "card", XACT_WRITE, 0x80000000, 32, a + 32);
    ck_assert_int_eq(x->result, ROUTE_OK);
    store_read(ram, 0x200000, got, 32);
    ck_assert(!memcmp(got, a + 32, 32));
    rig_free(&r);
}
END_TEST

/* A page table in memory, walked in 10 PCI cycles on an IOTLB miss, with
 * an IOTLB of one entry; PCI on the PLB's 100 MHz, so that every access
 * starts on an edge of both: the same write costs 10 cycles (100 ns) more
 * when its page's entry must be walked in — after the page is (re)mapped,
 * which drops its entry, or after another page took the one entry — than
 * when the IOTLB holds it.  (Each pair of writes compared finds the same
 * DRAM row open.) */
START_TEST(iommu_iotlb_walks)
{
    Rig r;
    char yaml[2048];
    const char *rig = IOMMU_RIG, *pci = strstr(rig, "pci: 50MHz");
    snprintf(yaml, sizeof yaml, "%.*spci: 100MHz%s", (int)(pci - rig), rig,
             pci + 10);
    char *io = strstr(yaml, "registers: {base: 0x2_0000_0000, size: 32}}");
    ck_assert_ptr_nonnull(io);
    snprintf(io, sizeof yaml - (size_t)(io - yaml),
             "registers: {base: 0x2_0000_0000, size: 4}, table: memory, "
             "walk_cycles: 10, iotlb: {entries: 1}}\n"
             "  - {name: card, kind: device, bus: pci, master: "
             "{dma_mask: 32}}\n");
    rig_load(&r, yaml);
    int br = topo_find_comp(r.t, "br");
    platform_iommu_map(r.p, br, 0, 2, 0x100000);
    uint8_t a[32] = {1};
    SimTime t[6];
    uint64_t at[6] = {0x80000000, 0x80000000, 0x80000000, 0x80001000,
                      0x80000000, 0x80000000};
    for (int i = 0; i < 6; i++) {
        if (i == 2)
            platform_iommu_map(r.p, br, 0, 1, 0x100000); /* drops page 0 */
        Xact *x = one(&r, "card", XACT_WRITE, at[i], sizeof a, a);
        ck_assert_int_eq(x->result, ROUTE_OK);
        t[i] = x->completed - x->issued;
    }
    ck_assert_uint_eq(t[2] - t[1], 100000); /* remapped: walked again */
    ck_assert_uint_eq(t[4] - t[5], 100000); /* page 1 took the entry */
    rig_free(&r);
}
END_TEST

START_TEST(formula_plb_to_ram)
{
    Rig r;
    rig_base(&r, "", "");
    uint8_t buf[1024] = {0};
    /* 128-bit PLB at 100 MHz; DDR SDRAM on the same clock, 64 bits wide,
     * so one 16-byte beat per cycle and no wait states.  Bank 0 is idle:
     * tRCD 3 + WL 1 = 4 before a write's data.  64 bytes are 4 beats in
     * one burst: 1 arb + 1 addr + 4 + 4 beats = 10 cycles. */
    Xact *x = one(&r, "cpu", XACT_WRITE, 0x0, 64, buf);
    ck_assert_int_eq(x->result, ROUTE_OK);
    ck_assert_uint_eq(x->completed - x->issued, 100000);
    /* Misaligned by 8 bytes: 5 beats; the row is open now: WL 1 only,
     * 1 + 1 + 1 + 5 = 8 cycles. */
    SimTime t0 = sim_now(platform_sim(r.p));
    x = one(&r, "cpu", XACT_WRITE, 0x8, 64, buf);
    ck_assert_uint_eq(x->issued, t0);
    ck_assert_uint_eq(x->completed - x->issued, 80000);
    /* 1 KiB read: 64 beats in 4 bursts of 16, each a row hit (CL 2; the
     * last write's data ended 10 cycles earlier, past tWTR); the PLB
     * pipelines addresses, so bursts 2-4 do not pay arbitration and
     * address again: (1 + 1 + 2 + 16) + 3 * (2 + 16) = 74 cycles. */
    x = one(&r, "dma", XACT_READ, 0x0, 1024, buf);
    ck_assert_uint_eq(x->completed - x->issued, 740000);
    ck_assert_uint_eq(x->residue, 0);
    rig_free(&r);
}
END_TEST

START_TEST(formula_overrides)
{
    Rig r;
    /* A narrower, slower memory: 32-bit SDR, CL 3, tRCD 2, WL 1.  A
     * 16-byte PLB beat needs 4 memory cycles: 3 wait states per beat. */
    rig_base(&r, ", max_burst: 8, arb_cycles: 2",
             ", cl: 3, trcd: 2, data_width: 32, ddr: false");
    uint8_t buf[256] = {0};
    /* A write of 16 beats in 2 bursts of 8.  First burst, bank idle: 2 +
     * 1 + (tRCD 2 + WL 1) + 8 * 4 = 38; the memory's data bus is then
     * busy for 128 / 4 = 32 cycles from cycle 6, to cycle 38; second, a
     * row hit with its address pipelined, at cycle 38: WL 1 + 32 = 33.
     * 71 cycles. */
    Xact *x = one(&r, "cpu", XACT_WRITE, 0x100, 256, buf);
    ck_assert_uint_eq(x->completed - x->issued, 710000);
    /* The idle formula with a fixed claimant timing. */
    const BusTiming *bt = &r.t->buses[0].timing;
    ck_assert_uint_eq(bus_hop_cycles(bt, 128, 0x100, 256,
                                     (TargetTiming){3, 1, 0}),
                      2 * (2 + 1 + 3) + 16 * 2);
    /* A dual address cycle at or above 4 GiB, on a 64-bit bus too (PCI
     * 2.2 §3.9): PCI-X, 1 + 2 + 1 (DAC) + 2 + 1 + 2 beats = 9 cycles;
     * below 4 GiB, 8. */
    const BusTiming *px = bus_kind_find("pcix")->defaults;
    TargetTiming claim = {2, 0, 0};
    ck_assert_uint_eq(bus_hop_cycles(px, 64, 0x100000000ULL, 16, claim), 9);
    ck_assert_uint_eq(bus_hop_cycles(px, 64, 0xFFFFFF00ULL, 16, claim), 8);
    rig_free(&r);
}
END_TEST

START_TEST(sdram_rows)
{
    Rig r;
    rig_base(&r, "", "");
    uint8_t buf[16] = {0};
    /* 4 banks of 8 KiB rows: row index = offset / 8 KiB, bank = index mod
     * 4.  Writes: 0 opens bank 0 row 0 (tRCD 3 + WL 1 = 4); 32 KiB is
     * bank 0 row 1: a conflict, tRP 3 + tRCD 3 + WL 1 = 7; 8 KiB is bank
     * 1, idle: 4; back to 32 KiB: a hit, WL 1.  Each is one beat: 1 + 1 +
     * latency + 1. */
    static const struct {
        uint64_t addr;
        SimTime want;
    } seq[] = {{0x0, 70000}, {0x8000, 100000}, {0x2000, 70000},
               {0x8000, 40000}};
    for (size_t i = 0; i < 4; i++) {
        Xact *x = one(&r, "cpu", XACT_WRITE, seq[i].addr, 16, buf);
        ck_assert_msg(x->completed - x->issued == seq[i].want,
                      "access %zu: %llu ps", i,
                      (unsigned long long)(x->completed - x->issued));
    }
    rig_free(&r);
}
END_TEST

/* The rig's SDRAM (with ram_extra), to ask its timing directly: writes
 * of `len` bytes from a 128-bit bus at 100 MHz, the memory's own clock. */
typedef struct SdramAsk {
    Rig r;
    void *m;
    const CompParams *c;
    Clock own;
    TimingQuery q;
} SdramAsk;

static void sdram_ask(SdramAsk *a, const char *ram_extra, uint64_t len)
{
    rig_base(&a->r, "", ram_extra);
    int ram = topo_find_comp(a->r.t, "ram");
    a->m = platform_model(a->r.p, ram);
    a->c = &a->r.t->comps[ram];
    a->own = clock_of(100000000);
    a->q = (TimingQuery){.region = 0, .off = 0, .len = len,
                         .bus_hz = 100000000, .bus_width_bits = 128,
                         .own = &a->own, .dir = XACT_WRITE, .at = 0};
}

static unsigned sdram_initial(SdramAsk *a)
{
    return sdram_timing(a->m, a->c, &a->q).initial_cycles;
}

/* The SDRAM's own rules, asked directly (100 MHz, 10 ns cycles): a read
 * command waits tWTR (1 cycle) after the last write data, and shares the
 * one data bus; a refresh every tREFI 1040 cycles (10.4 us) holds the
 * memory for tRFC 10 cycles and closes every row. */
START_TEST(sdram_turnaround_and_refresh)
{
    SdramAsk a;
    sdram_ask(&a, "", 64);
    a.q.at = 20000;
    /* a write at 20 ns, bank idle: tRCD 3 + WL 1 = 4 cycles to its data,
     * 60 ns; 64 bytes hold the data bus 4 cycles, to 100 ns */
    ck_assert_uint_eq(sdram_initial(&a), 4);
    /* a read at 70 ns: tWTR after 100 ns is 110, CL 2 more: data at
     * 130 ns, 6 cycles after it arrived */
    a.q.dir = XACT_READ;
    a.q.at = 70000;
    ck_assert_uint_eq(sdram_initial(&a), 6);
    /* at 10.42 us: the refresh of 10.4 us runs to 10.5 us and left the
     * bank precharged: tRCD 3 + CL 2 after that, 10.55 us: 13 cycles */
    a.q.at = 10420000;
    ck_assert_uint_eq(sdram_initial(&a), 13);
    rig_free(&a.r);
}
END_TEST

/* Rows of 6 KiB (not a power of two) and 2 banks: row index = offset /
 * 6 KiB, bank = index mod 2.  Asked directly, as above (100 MHz, 10 ns
 * cycles), 200 ns apart so that only the latency counts: a write to 0
 * opens bank 0 row 0 (tRCD 3 + WL 1 = 4 cycles); to 12 KiB, row index 2,
 * bank 0 row 1: a conflict (tRP 3 + tRCD 3 + WL 1 = 7); to 6 KiB, index
 * 1, bank 1, idle (4); to 12 KiB + 100, index 2 again: a hit (WL 1). */
START_TEST(sdram_odd_rows)
{
    SdramAsk a;
    sdram_ask(&a, ", banks: 2, row_size: 6KiB", 16);
    static const struct {
        uint64_t off;
        unsigned want;
    } seq[] = {{0, 4}, {12288, 7}, {6144, 4}, {12388, 1}};
    for (size_t i = 0; i < 4; i++) {
        a.q.off = seq[i].off;
        a.q.at = (SimTime)(i + 1) * 200000;
        ck_assert_uint_eq(sdram_initial(&a), seq[i].want);
    }
    /* Refreshes every 10.4 us for 10 cycles close every row: at 10.42 us
     * bank 1 waits for the end of the one at 10.4 us (10.5 us), then
     * tRCD 3 + WL 1: data at 10.54 us, 12 cycles after it asked; at
     * 20.85 us, two refresh periods on, the one at 20.8 us runs to
     * 20.9 us: data at 20.94 us, 9 cycles. */
    a.q.off = 6144;
    a.q.at = 10420000;
    ck_assert_uint_eq(sdram_initial(&a), 12);
    a.q.at = 20850000;
    ck_assert_uint_eq(sdram_initial(&a), 9);
    rig_free(&a.r);
}
END_TEST

START_TEST(formula_through_bridge)
{
    Rig r;
    rig_base(&r, "", "");
    uint8_t buf[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    /* PLB hop, the bridge claiming with latency 2: 1+1+2+1 beat = 5 cycles,
     * 0..50 ns.  Crossing: the first 50 MHz edge at or after 50 ns is
     * 60 ns, plus 4 cycles: 140 ns.  PCI hop: 1 arb + 1 addr + 2 device
     * latency + 1 turnaround + 2 beats = 7 cycles of 20 ns: 280 ns. */
    Xact *x = one(&r, "cpu", XACT_WRITE, 0x380000000ULL, 8, buf);
    ck_assert_int_eq(x->result, ROUTE_OK);
    ck_assert_uint_eq(x->completed - x->issued, 280000);
    /* Above 4 GiB on the 32-bit PCI bus: one more cycle for the DAC. */
    x = one(&r, "cpu", XACT_WRITE, 0x400000000ULL, 8, buf);
    ck_assert_int_eq(x->result, ROUTE_OK);
    ck_assert_uint_eq(x->completed - x->issued, 300000);
    /* Nothing on PCI at 0x9000_0000: master abort after 5 cycles without
     * DEVSEL#: 1 + 1 + 5 = 7 cycles, the bytes not moved. */
    x = one(&r, "cpu", XACT_WRITE, 0x390000000ULL, 8, buf);
    ck_assert_int_eq(x->result, ROUTE_MASTER_ABORT);
    ck_assert_uint_eq(x->residue, 8);
    ck_assert_uint_eq(x->completed - x->issued, 280000);
    /* Reading back what the first write left: a non-posted read goes out
     * as a request and comes back with the data.  PLB request (the bridge
     * retries it): 1 + 1 + 2 = 4 cycles, 0..40 ns; cross: 40 ns is a
     * 50 MHz edge, plus 4: 120 ns; PCI data: 7 cycles, 260 ns; cross back:
     * 260 ns plus 4 PLB cycles, 300 ns; PLB data: 1 + 1 + 2 + 1 = 5 cycles,
     * 350 ns.  Slower than the 280 ns write. */
    uint8_t back[8] = {0};
    x = one(&r, "cpu", XACT_READ, 0x380000000ULL, 8, back);
    ck_assert_int_eq(x->result, ROUTE_OK);
    ck_assert_uint_eq(x->completed - x->issued, 350000);
    ck_assert(!memcmp(back, buf, 8));
    /* A 32-bit master asked for a 64-bit address: refused at once. */
    x = one(&r, "card32", XACT_READ, 0x100000000ULL, 8, buf);
    ck_assert_int_eq(x->result, ROUTE_DMA_MASK);
    ck_assert_uint_eq(x->completed, x->issued);
    ck_assert_uint_eq(x->residue, 8);
    rig_free(&r);
}
END_TEST

/* Posted writes, with a 64-byte buffer each way in the bridge. */
START_TEST(posted_writes)
{
    Rig r;
    rig_post(&r, "", "", "64");
    Sim *s = platform_sim(r.p);
    Store *card = regions_store(platform_regions(r.p, topo_find_comp(r.t,
                                                                    "card")),
                                0);
    /* 8 bytes: the master is done when the bridge has them, after the
     * PLB hop (5 cycles, 50 ns); the card gets them at 280 ns, as in
     * formula_through_bridge. */
    uint8_t v[8] = {9, 8, 7, 6, 5, 4, 3, 2}, got[8];
    int n = 0;
    Xact w = {.master = 0, .dir = XACT_WRITE, .addr = 0x380000000ULL,
              .len = 8, .data = v, .done = done_count, .opaque = &n};
    platform_issue(r.p, &w);
    sim_run_until(s, 270000);
    ck_assert_int_eq(n, 1);
    ck_assert_uint_eq(w.completed, 50000);
    store_read(card, 0, got, 8);
    ck_assert_uint_eq(got[0], 0); /* not there yet */
    sim_run(s);
    store_read(card, 0, got, 8);
    ck_assert(!memcmp(got, v, 8));
    ck_assert_uint_eq(platform_posted_errors(r.p), 0);

    /* A posted write to nothing: the master was told it was done; the
     * loss is counted. */
    Xact lost = {.master = 0, .dir = XACT_WRITE, .addr = 0x390000000ULL,
                 .len = 8, .data = v, .done = done_count, .opaque = &n};
    platform_issue(r.p, &lost);
    sim_run(s);
    ck_assert_int_eq(lost.result, ROUTE_OK);
    ck_assert_uint_eq(platform_posted_errors(r.p), 1);
    rig_free(&r);

    /* Three 64-byte writes at once, into a 64-byte buffer taken in
     * 32-byte pieces (the cache line: the PLB has no allowable disconnect
     * boundary).  PLB bursts cost 1 + 1 + 2 (the bridge's latency) + a
     * beat per 16 bytes; a retry 1 + 1 + 2, less the 2 of arbitration and
     * address when pipelined behind the last burst.  A piece goes on at
     * the first 50 MHz edge after its last beat, plus 4 cycles; each PCI
     * burst of a piece is 1 + 1 + 2 + 1 + 8 beats = 13 cycles, 260 ns.
     *   0-80    x0 posts whole (pieces end at 60 and 80 ns: on PCI at 140
     *           and 160): x0 is done at 80 ns.
     *   80-100, 100-120  x1 and x2 find the buffer full: retries.
     *   140-400 x0's first piece on PCI; 32 bytes free at 400.
     *   400-460 x1 takes a piece (on PCI at 540); at 460, no room for the
     *           next: disconnected after 2 beats.
     *   460-480, 480-500  retries of x1 and x2.
     *   400-660 x0's second piece on PCI: room again at 660.
     *   660-720 x1 sends its second piece: done at 720 ns.
     *   720-740 x2 retries.  660-920 x1's first piece on PCI.
     *   920-980 x2 takes a piece and is disconnected; 980-1000 retry.
     *   920-1180 x1's second piece on PCI: room at 1180.
     *   1180-1240 x2 sends its second piece: done at 1240 ns. */
    rig_post(&r, "", "", "64");
    s = platform_sim(r.p);
    static uint8_t d[3][64];
    Xact x[3];
    n = 0;
    for (int i = 0; i < 3; i++) {
        memset(d[i], 0x11 * (i + 1), 64);
        x[i] = (Xact){.master = 0, .dir = XACT_WRITE,
                      .addr = 0x380000000ULL + (uint64_t)i * 64, .len = 64,
                      .data = d[i], .done = done_count, .opaque = &n};
        platform_issue(r.p, &x[i]);
    }
    sim_run(s);
    ck_assert_int_eq(n, 3);
    ck_assert_uint_eq(x[0].completed, 80000);
    ck_assert_uint_eq(x[1].completed, 720000);
    ck_assert_uint_eq(x[2].completed, 1240000);
    ck_assert_uint_eq(platform_bus_retries(r.p, 0), 6);
    card = regions_store(platform_regions(r.p, topo_find_comp(r.t, "card")),
                         0);
    for (int i = 0; i < 3; i++) {
        uint8_t b[64];
        store_read(card, (uint64_t)i * 64, b, 64);
        ck_assert(!memcmp(b, d[i], 64));
    }
    rig_free(&r);
}
END_TEST

/* Room that frees while a retry holds the bus is not missed: with a
 * bridge that takes 1000 PLB cycles to claim an access, x0 (64 bytes)
 * posts in 1 + 1 + 1000 + 4 = 1006 cycles, to 10.06 us; x1's retry, its
 * address pipelined, holds the PLB 1000 cycles more, to 20.06 us, while
 * x0's pieces land on PCI and free the buffer (by 10.7 us).  At the end
 * of its retry x1 finds the room and asks again: 1006 cycles, done at
 * 30.12 us.  (It used to wait for a wake-up that had already passed, and
 * the run never ended.) */
/* Coalescing (docs/performance.md) changes no time and no count: posted
 * writes of 4 KiB, several at once, through the 64-byte buffer (bursts
 * that end alone, grants right after requests, pieces arriving while
 * the far write bursts), with and without DMASIM_NO_COALESCE. */
static void posted_run(bool coalesce, SimTime done[3], uint64_t *events,
                       uint64_t *inline_events)
{
    if (coalesce)
        unsetenv("DMASIM_NO_COALESCE");
    else
        setenv("DMASIM_NO_COALESCE", "1", 1);
    Rig r;
    rig_post(&r, "", "", "64");
    unsetenv("DMASIM_NO_COALESCE");
    static uint8_t v[3][4096];
    Xact w[3];
    int n = 0;
    for (int i = 0; i < 3; i++) {
        memset(v[i], 0x11 * (i + 1), sizeof v[i]);
        w[i] = (Xact){.master = 0, .dir = XACT_WRITE,
                      .addr = 0x380000000ULL + (uint64_t)i * 4096,
                      .len = 4096, .data = v[i], .done = done_count,
                      .opaque = &n};
        platform_issue(r.p, &w[i]);
    }
    sim_run(platform_sim(r.p));
    ck_assert_int_eq(n, 3);
    for (int i = 0; i < 3; i++)
        done[i] = w[i].completed;
    *events = sim_events_run(platform_sim(r.p));
    *inline_events = sim_events_advanced(platform_sim(r.p));
    Store *card = regions_store(
        platform_regions(r.p, topo_find_comp(r.t, "card")), 0);
    uint8_t got[4096];
    for (int i = 0; i < 3; i++) {
        store_read(card, (uint64_t)i * 4096, got, sizeof got);
        ck_assert(!memcmp(got, v[i], sizeof got));
    }
    rig_free(&r);
}

START_TEST(coalescing_changes_nothing)
{
    SimTime on[3], off[3];
    uint64_t ev_on, ev_off, in_on, in_off;
    posted_run(true, on, &ev_on, &in_on);
    posted_run(false, off, &ev_off, &in_off);
    for (int i = 0; i < 3; i++)
        ck_assert_uint_eq(on[i], off[i]);
    ck_assert_uint_eq(ev_on, ev_off); /* inline ones count as run */
    ck_assert_uint_eq(in_off, 0);
    ck_assert_uint_gt(in_on, ev_on / 4); /* and coalescing did its part */
}
END_TEST

START_TEST(room_freed_during_a_retry)
{
    Rig r;
    rig_post(&r, "", "", "64\n    latency_cycles: 1000");
    static uint8_t d[2][64];
    Xact x[2];
    int n = 0;
    for (int i = 0; i < 2; i++) {
        memset(d[i], 0x21 * (i + 1), 64);
        x[i] = (Xact){.master = 0, .dir = XACT_WRITE,
                      .addr = 0x380000000ULL + (uint64_t)i * 64, .len = 64,
                      .data = d[i], .done = done_count, .opaque = &n};
        platform_issue(r.p, &x[i]);
    }
    sim_run(platform_sim(r.p));
    ck_assert_int_eq(n, 2);
    ck_assert_uint_eq(x[0].completed, 10060000);
    ck_assert_uint_eq(x[1].completed, 30120000);
    Store *card = regions_store(platform_regions(r.p, topo_find_comp(r.t,
                                                                    "card")),
                                0);
    uint8_t got[64];
    store_read(card, 64, got, 64);
    ck_assert(!memcmp(got, d[1], 64));
    rig_free(&r);
}
END_TEST

/* The card writes 1 KiB up into RAM.  PCI beats deliver a 32-byte piece
 * every 160 ns and the PLB sends each on in about 100, so the 256-byte
 * buffer never fills: the card's burst runs to the bridge's disconnect
 * boundary.  At 512 bytes: two bursts of 1 + 1 + 2 + 1 + 128 beats =
 * 133 cycles of 20 ns, 5320 ns; with none, one burst of 261 cycles,
 * 5220 ns.  Through a bridge that does not post, the card waits for RAM
 * to have it all: longer. */
static SimTime card_write(const char *post)
{
    Rig r;
    rig_post(&r, "", "", post);
    static uint8_t v[1024], got[1024];
    for (int i = 0; i < 1024; i++)
        v[i] = (uint8_t)(i * 7 + 3);
    Xact *x = one(&r, "card", XACT_WRITE, 0x1000, 1024, v);
    ck_assert_int_eq(x->result, ROUTE_OK);
    SimTime t = x->completed - x->issued;
    sim_run(platform_sim(r.p)); /* the bridge's writes land */
    store_read(regions_store(platform_regions(r.p, topo_find_comp(r.t, "ram")),
                             0),
               0x1000, got, 1024);
    ck_assert(!memcmp(got, v, 1024));
    rig_free(&r);
    return t;
}

START_TEST(write_disconnects)
{
    ck_assert_uint_eq(card_write("256\n    write_disconnect: 512"), 5320000);
    ck_assert_uint_eq(card_write("256\n    write_disconnect: 0"), 5220000);
    ck_assert_uint_gt(card_write("0"), 5320000);
}
END_TEST

/* A delayed read: the card reads 256 bytes of RAM through a bridge that
 * prefetches at most 128.  Piece 1: PCI request 1 + 1 + 2 + 1 = 5 cycles
 * (0-100 ns, answered with a retry); cross to the PLB (100 + 4 cycles =
 * 140 ns); PLB read of 8 beats, bank idle, 1 + 1 + 5 + 8 = 15 cycles
 * (290 ns); back across (the 50 MHz edge at 300 ns + 4 = 380 ns); PCI data
 * 5 + 32 beats = 37 cycles (1120 ns).  Piece 2 the same with a row hit on
 * the PLB (12 cycles): 1120 + 100 + 40 + 120 + 80 + 740 = 2200 ns, were
 * the bus free when the data is back (below, it is not).  Without a
 * prefetch limit it is one round trip: 1840 ns, likewise. */
static SimTime read_through(const char *prefetch, const char *split,
                            uint64_t *retries, uint64_t *splits)
{
    Rig r;
    char post[64], yaml[4096], bus[200];
    snprintf(post, sizeof post, "0\n    prefetch: %s", prefetch);
    snprintf(yaml, sizeof yaml, BASE, "", "", post);
    const char *pci = "address_bits: 64}";
    char *at = strstr(yaml, pci);
    snprintf(bus, sizeof bus, "address_bits: 64, max_read_byte_count: %s}",
             split);
    char tail[4096];
    snprintf(tail, sizeof tail, "%s", at + strlen(pci));
    snprintf(at, sizeof yaml - (size_t)(at - yaml), "%s%s", bus, tail);
    rig_load(&r, yaml);
    static uint8_t in[256], out[256];
    for (int i = 0; i < 256; i++)
        in[i] = (uint8_t)(i ^ 0x5a);
    store_write(regions_store(platform_regions(r.p, topo_find_comp(r.t,
                                                                  "ram")),
                              0),
                0, in, 256);
    int n = 0;
    Xact x = {.master = topo_find_comp(r.t, "card"), .dir = XACT_READ,
              .addr = 0x0, .len = 256, .data = out, .done = done_count,
              .opaque = &n};
    platform_issue(r.p, &x);
    sim_run(platform_sim(r.p));
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(x.result, ROUTE_OK);
    ck_assert(!memcmp(in, out, 256));
    *retries = platform_bus_retries(r.p, topo_find_bus(r.t, "pci"));
    *splits = platform_bus_splits(r.p, topo_find_bus(r.t, "pci"));
    SimTime t = x.completed - x.issued;
    rig_free(&r);
    return t;
}

/* And the card polls while it waits: 2 PCI cycles after each retry it
 * asks again (a 5-cycle request answered with a retry).  Piece 1: polls at
 * 140-240 and 280-380 ns; its data is back at the bridge at 380 ns, as the
 * second poll ends, and goes at once: 1120 ns as above.  Piece 2: request
 * 1120-1220, polls 1260-1360 and 1400-1500; the data is back at 1460 but
 * the bus is the poll's until 1500: 1500 + 740 = 2240 ns, 6 retries.
 * Without a prefetch limit: polls 140, 280 and 420-520 ns; the data, back
 * at 460 ns, goes at 520: 520 + 69 cycles = 1900 ns, 4 retries. */
START_TEST(delayed_read_retries)
{
    uint64_t retries, splits;
    ck_assert_uint_eq(read_through("128", "0", &retries, &splits), 2240000);
    ck_assert_uint_eq(retries, 6);
    ck_assert_uint_eq(splits, 0);
    ck_assert_uint_eq(read_through("0", "0", &retries, &splits), 1900000);
    ck_assert_uint_eq(retries, 4);
}
END_TEST

/* Read prefetch by command: the card's read of RAM through the bridge is
 * a Memory Read within a DWORD (the bridge fetches just that), a Memory
 * Read Line within the 32-byte line (it fetches to the line's end), or a
 * Memory Read Multiple (it fetches its whole prefetch); the PLB carries
 * what the bridge fetched, the card gets what it asked for. */
static uint64_t fetched(const char *prefetch, uint64_t addr, uint64_t len,
                        SimTime *t)
{
    Rig r;
    char post[64];
    snprintf(post, sizeof post, "0\n    prefetch: %s", prefetch);
    rig_post(&r, "", "", post);
    static uint8_t in[256], out[256];
    for (int i = 0; i < 256; i++)
        in[i] = (uint8_t)(i * 3 + 1);
    store_write(regions_store(platform_regions(r.p, topo_find_comp(r.t,
                                                                  "ram")),
                              0),
                addr, in, len);
    memset(out, 0, sizeof out);
    Xact *x = one(&r, "card", XACT_READ, addr, len, out);
    ck_assert_int_eq(x->result, ROUTE_OK);
    ck_assert(!memcmp(in, out, len));
    ck_assert_uint_eq(out[len], 0); /* nothing past what was asked */
    *t = x->completed - x->issued;
    uint64_t b = platform_bus_bytes(r.p, topo_find_bus(r.t, "plb"));
    rig_free(&r);
    return b;
}

START_TEST(prefetch_by_command)
{
    SimTime t, t0;
    ck_assert_uint_eq(fetched("128", 0x104, 4, &t), 4);     /* MR */
    ck_assert_uint_eq(fetched("128", 0x104, 16, &t), 28);   /* MRL */
    ck_assert_uint_eq(fetched("128", 0x200, 100, &t), 128); /* MRM */
    ck_assert_uint_eq(fetched("0", 0x200, 100, &t0), 100);  /* no limit */
    ck_assert_uint_ge(t, t0);
    /* never past the end of the target region (RAM ends at 64 MiB) */
    ck_assert_uint_eq(fetched("128", 0x3FFFFC0, 40, &t), 64);
}
END_TEST

/* Split transactions (PCI-X): the bridge answers with a split response,
 * not a retry, so the card does not poll, and its fetch is bounded by the
 * bus's maximum read byte count instead of its prefetch.  The timing is
 * that of a delayed read with that bound and a bus free when the data is
 * back: 512 bytes cover the 256 in one round trip (1840 ns), 128 split it
 * in two (2200 ns). */
START_TEST(split_transactions)
{
    uint64_t retries, splits;
    ck_assert_uint_eq(read_through("128", "512", &retries, &splits), 1840000);
    ck_assert_uint_eq(retries, 0);
    ck_assert_uint_eq(splits, 1);
    ck_assert_uint_eq(read_through("0", "128", &retries, &splits), 2200000);
    ck_assert_uint_eq(retries, 0);
    ck_assert_uint_eq(splits, 2);
}
END_TEST

/* The card reads 128 bytes of RAM across a bus of split transactions,
 * the PLB carrying 2 beats (32 bytes) per burst, the card's own maximum
 * read byte count `mrbc` (0: the bus's 512), the bridge's completer
 * latency `completer` PCI cycles.  Returns the read's time. */
static SimTime split_read(unsigned mrbc, unsigned completer,
                          uint64_t *splits)
{
    char yaml[4096], post[128];
    snprintf(post, sizeof post, "0\n    completer_latency: %u", completer);
    snprintf(yaml, sizeof yaml, BASE, ", max_burst: 2", "", post);
    char *at = strstr(yaml, "address_bits: 64}");
    char tail[4096];
    snprintf(tail, sizeof tail, "%s", at + strlen("address_bits: 64}"));
    snprintf(at, sizeof yaml - (size_t)(at - yaml),
             "address_bits: 64, max_read_byte_count: 512}%s", tail);
    if (mrbc) {
        at = strstr(yaml, "master: {dma_mask: 64}");
        snprintf(tail, sizeof tail, "%s",
                 at + strlen("master: {dma_mask: 64}"));
        snprintf(at, sizeof yaml - (size_t)(at - yaml),
                 "master: {dma_mask: 64, max_read_byte_count: %u}%s", mrbc,
                 tail);
    }
    Rig r;
    rig_load(&r, yaml);
    static uint8_t in[128], out[128];
    for (int i = 0; i < 128; i++)
        in[i] = (uint8_t)(i * 5 + 1);
    store_write(regions_store(platform_regions(r.p, topo_find_comp(r.t,
                                                                  "ram")),
                              0),
                0, in, 128);
    memset(out, 0, sizeof out);
    Xact *x = one(&r, "card", XACT_READ, 0x0, 128, out);
    ck_assert_int_eq(x->result, ROUTE_OK);
    ck_assert(!memcmp(in, out, 128));
    *splits = platform_bus_splits(r.p, topo_find_bus(r.t, "pci"));
    SimTime t = x->completed - x->issued;
    rig_free(&r);
    return t;
}

/* Split completions come back as the data arrives, mastered by the
 * bridge.  Split request 1 + 1 + 2 + 1 = 5 PCI cycles, 0-100 ns; on the
 * PLB at 140 ns; four bursts of 2 beats: 1 + 1 + 5 (bank idle) + 2 = 9
 * cycles to 230 ns, then pipelined row hits of CL 2 + 2 = 4 cycles, to
 * 270, 310 and 350 ns.  Each 32 bytes go back 4 PCI cycles after the
 * first PCI edge after their burst: at 320, 360, 400 and 440 ns.  The
 * completion starts at 320 with the 32 bytes there: 5 + 8 beats = 13
 * cycles, to 580 ns; then the 96 bytes there by then: 5 + 24 = 29 cycles,
 * 1160 ns.  With a completer latency of 30 PCI cycles the completion
 * starts no earlier than 100 + 600 = 700 ns, with all 128 bytes there:
 * 5 + 32 = 37 cycles, 1440 ns.  The byte count is the requester's: a
 * card whose own is 64 asks in two split transactions. */
START_TEST(split_completions_stream)
{
    uint64_t splits;
    ck_assert_uint_eq(split_read(0, 0, &splits), 1160000);
    ck_assert_uint_eq(splits, 1);
    ck_assert_uint_eq(split_read(0, 30, &splits), 1440000);
    ck_assert_uint_eq(split_read(64, 0, &splits) > 1160000, 1);
    ck_assert_uint_eq(splits, 2);
}
END_TEST

START_TEST(local_access)
{
    Rig r;
    rig_base(&r, "", "");
    uint8_t buf[8] = {0};
    /* The card's own BAR: no bus cycle; its own memory's port, 64 bits
     * at 133.33 MHz: 2 cycles to first data and one beat, the third edge,
     * 22.501 ns. */
    Xact *x = one(&r, "card", XACT_WRITE, 0x80000010ULL, 8, buf);
    ck_assert_int_eq(x->result, ROUTE_OK);
    ck_assert_uint_eq(platform_bursts(r.p), 0); /* no bus carried it */
    ck_assert_uint_eq(x->completed - x->issued, 22501);
    ck_assert_uint_eq(platform_bus_busy(r.p, 1), 0);
    rig_free(&r);
}
END_TEST

typedef struct Seen {
    int order[4];
    int n;
} Seen;

static void done_order(Sim *s, Xact *x, void *opaque)
{
    (void)s;
    Seen *seen = opaque;
    seen->order[seen->n++] = x->master;
}

START_TEST(first_come_first_served)
{
    Rig r;
    rig_base(&r, "", "");
    uint8_t a[64], b[64];
    Seen seen = {0};
    Xact x1 = {.master = topo_find_comp(r.t, "cpu"), .dir = XACT_WRITE,
               .addr = 0, .len = 64, .data = a, .done = done_order,
               .opaque = &seen};
    Xact x2 = {.master = topo_find_comp(r.t, "dma"), .dir = XACT_WRITE,
               .addr = 0x1000, .len = 64, .data = b, .done = done_order,
               .opaque = &seen};
    platform_issue(r.p, &x1);
    platform_issue(r.p, &x2);
    sim_run(platform_sim(r.p));
    ck_assert_int_eq(seen.n, 2);
    ck_assert_int_eq(seen.order[0], x1.master);
    ck_assert_uint_eq(x1.completed, 100000); /* 1 + 1 + (3 + 1) + 4 */
    /* It waited for the bus, so its address phase was pipelined into the
     * first's data phase; then a row hit: WL 1 + 4 = 5 cycles. */
    ck_assert_uint_eq(x2.completed, 150000);
    ck_assert_uint_eq(platform_bus_busy(r.p, 0), 150000);
    ck_assert_uint_eq(platform_bus_bytes(r.p, 0), 128);
    rig_free(&r);
}
END_TEST

/* Two masters each write 4 KiB to SDRAM at once, in different banks: 256
 * beats of 16 bytes, 16 bursts of 16 beats.  The first burst takes 1 + 1
 * + (tRCD 3 + WL 1) + 16 = 22 cycles (bank idle); every later one is
 * granted as the previous ends, its address pipelined, and finds the
 * memory's data bus just free: 4 + 16 = 20 for the DMA engine's first
 * (its bank idle), 1 + 16 = 17 for row hits.  Round robin and FIFO
 * alternate bursts: the CPU's last is the 31st (22 + 20 + 29 * 17 = 535
 * cycles), the DMA engine's the 32nd (552).  Fixed priority (file order)
 * lets the CPU finish first, after 22 + 15 * 17 = 277 cycles. */
static void split(const char *policy, SimTime want_cpu, SimTime want_dma)
{
    Rig r;
    char extra[64];
    snprintf(extra, sizeof extra, ", arbitration: %s", policy);
    rig_base(&r, extra, "");
    static uint8_t a[4096], b[4096];
    int n = 0;
    Xact xc = {.master = topo_find_comp(r.t, "cpu"), .dir = XACT_WRITE,
               .addr = 0, .len = 4096, .data = a, .done = done_count,
               .opaque = &n};
    Xact xd = {.master = topo_find_comp(r.t, "dma"), .dir = XACT_WRITE,
               .addr = 0x2000, .len = 4096, .data = b, .done = done_count,
               .opaque = &n};
    platform_issue(r.p, &xc);
    platform_issue(r.p, &xd);
    sim_run(platform_sim(r.p));
    ck_assert_int_eq(n, 2);
    ck_assert_msg(xc.completed == want_cpu && xd.completed == want_dma,
                  "%s: cpu %llu, dma %llu", policy,
                  (unsigned long long)xc.completed,
                  (unsigned long long)xd.completed);
    ck_assert_uint_eq(platform_bus_busy(r.p, 0), 5520000);
    ck_assert_uint_eq(platform_bus_bytes(r.p, 0), 8192);
    rig_free(&r);
}

START_TEST(arbitration_splits_bandwidth)
{
    split("round-robin", 5350000, 5520000);
    split("fifo", 5350000, 5520000);
    split("priority", 2770000, 5520000);
}
END_TEST

/* Two PCI masters each write 1 KiB to a third device at once.  A burst
 * costs 1 arb + 1 addr + 2 latency + 1 turnaround = 5 cycles plus its
 * beats (32-bit bus: 256 beats each).  With the latency timer at 16 and
 * the other master waiting, bursts carry 11 beats (16 cycles) and
 * alternate: a's 24th burst (3 beats, 8 cycles) follows 46 full ones, b's
 * follows that: 744 and 752 cycles of 20 ns.  Without a timer a takes the
 * bus for one 261-cycle burst, then b. */
static void latency_timer_case(const char *bus, unsigned lt, SimTime want_a,
                               SimTime want_b)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "name: t\nclocks: {pci: 50MHz}\n"
             "buses: [{name: pci, kind: %s, clock: pci, latency_timer: %u}]\n"
             "components:\n"
             "  - {name: a, kind: device, bus: pci, master: {}, regions: "
             "[{base: 0x1000_0000, size: 1MiB}]}\n"
             "  - {name: b, kind: device, bus: pci, master: {}, regions: "
             "[{base: 0x2000_0000, size: 1MiB}]}\n"
             "  - {name: m, kind: device, bus: pci, regions: "
             "[{base: 0x3000_0000, size: 1MiB}]}\n",
             bus, lt);
    Rig r;
    rig_load(&r, yaml);
    static uint8_t da[1024], db[1024];
    int n = 0;
    Xact xa = {.master = 0, .dir = XACT_WRITE, .addr = 0x30000000, .len = 1024,
               .data = da, .done = done_count, .opaque = &n};
    Xact xb = {.master = 1, .dir = XACT_WRITE, .addr = 0x30001000, .len = 1024,
               .data = db, .done = done_count, .opaque = &n};
    platform_issue(r.p, &xa);
    platform_issue(r.p, &xb);
    sim_run(platform_sim(r.p));
    ck_assert_int_eq(n, 2);
    ck_assert_msg(xa.completed == want_a && xb.completed == want_b,
                  "latency timer %u: a %llu, b %llu", lt,
                  (unsigned long long)xa.completed,
                  (unsigned long long)xb.completed);
    rig_free(&r);
}

/* The same on 64-bit PCI-X (128 beats each): a burst costs 1 + 2 (address
 * and attribute) + 2 + 1 = 6 cycles, so the timer of 16 leaves 10 beats,
 * 80 bytes, but a PCI-X master ends at the next allowable disconnect
 * boundary: 128 bytes, 16 beats, 22 cycles.  The bursts alternate, a's
 * eighth ends at 15 x 22 = 330 cycles and b's at 352, of 20 ns. */
START_TEST(latency_timer_splits_bursts)
{
    latency_timer_case("pci", 16, 744 * 20000ULL, 752 * 20000ULL);
    latency_timer_case("pci", 0, 261 * 20000ULL, 522 * 20000ULL);
    latency_timer_case("pcix", 16, 330 * 20000ULL, 352 * 20000ULL);
}
END_TEST

/* Long bursts of one card, on the shipped boards: 16 transactions of 4 KiB
 * one after the other, each timed from the first edge of the card's bus
 * clock (`hz`) at or after its issue to its completion. */
static SimTime card_time(const char *file, uint64_t hz, XactDir dir)
{
    Rig rig;
    rig_file(&rig, file);
    Topology *t = rig.t;
    Platform *p = rig.p;
    static uint8_t buf[4096];
    int n = 0;
    SimTime total = 0;
    for (int i = 0; i < 16; i++) {
        Xact x = {.master = topo_find_comp(t, "card"), .dir = dir,
                  .addr = 0x100000 + (uint64_t)i * 4096, .len = 4096,
                  .data = buf, .done = done_count, .opaque = &n};
        platform_issue(p, &x);
        sim_run(platform_sim(p));
        ck_assert_int_eq(x.result, ROUTE_OK);
        Clock c = clock_of(hz);
        total += x.completed - clock_align(&c, x.issued);
    }
    rig_free(&rig);
    return total;
}

/* A posted write is done when the card's own bus transfer ends: one burst
 * of 4 KiB (the bridges disconnect at 4 KiB boundaries, not before).
 * Walnut's 32-bit 33.33 MHz PCI: 1 arbitration + 1 address + 2 (the
 * bridge claims it) + 1 turnaround + 1024 beats = 1029 cycles of
 * 30.003 ns, 30.873 us, 132.7 MB/s of the 133.3 peak.  Ebony's 64-bit
 * 66.66 MHz PCI-X: 1 + 2 (address and attribute) + 2 + 1 + 512 = 518
 * cycles of 15.0015 ns, 7.771 us, 527.1 MB/s.  Reads cross the bridge
 * twice and come in below the writes. */
START_TEST(long_bursts_like_real_buses)
{
    const uint64_t pci = 33330000, pcix = 66660000;
    SimTime w = card_time("topologies/walnut.yaml", pci, XACT_WRITE);
    SimTime x = card_time("topologies/ebony.yaml", pcix, XACT_WRITE);
    /* within a picosecond per transaction: edges are whole picoseconds */
    Clock cpci = clock_of(pci), cpcix = clock_of(pcix);
    ck_assert_uint_le(w - 16 * clock_edge(&cpci, 1029) + 16, 32);
    ck_assert_uint_le(x - 16 * clock_edge(&cpcix, 518) + 16, 32);
    ck_assert_uint_gt(card_time("topologies/walnut.yaml", pci, XACT_READ), w);
    ck_assert_uint_gt(card_time("topologies/ebony.yaml", pcix, XACT_READ), x);
}
END_TEST

/* The PLB's separate read and write data paths: a 1 KiB write to SDRAM
 * and a 1 KiB read of the SRAM, issued together, each take what they take
 * alone: the write (1 + 1 + (tRCD 3 + WL 1) + 16) + 3 * (WL 1 + 16) = 73
 * cycles, the read (1 + 1 + 1 + 16) + 3 * (1 + 16) = 70; on one shared
 * path the second waits for the first. */
static void rw_pair(const char *split, uint64_t read_addr, SimTime *w_done,
                    SimTime *r_done)
{
    Rig r;
    char extra[64];
    snprintf(extra, sizeof extra, ", split_read_write: %s", split);
    rig_base(&r, extra, "");
    static uint8_t a[1024], b[1024];
    int n = 0;
    Xact w = {.master = topo_find_comp(r.t, "cpu"), .dir = XACT_WRITE,
              .addr = 0x0, .len = 1024, .data = a, .done = done_count,
              .opaque = &n};
    Xact rd = {.master = topo_find_comp(r.t, "dma"), .dir = XACT_READ,
               .addr = read_addr, .len = 1024, .data = b,
               .done = done_count, .opaque = &n};
    platform_issue(r.p, &w);
    platform_issue(r.p, &rd);
    sim_run(platform_sim(r.p));
    ck_assert_int_eq(n, 2);
    *w_done = w.completed;
    *r_done = rd.completed;
    rig_free(&r);
}

/* Both to SDRAM: the paths are separate, the memory's data bus is one.
 * Each burst's data waits for the other's (and a read command for tWTR,
 * 1 cycle, after write data): W1 takes the data bus for cycles 6-22; R1
 * (bank 1 idle: tRCD 3 + CL 2) gets it at 28-44; W2 (granted at 22, a row
 * hit) at 44-60, ending its burst at 60; R2 (granted at 44) waits for W2
 * and tWTR: 61 + CL 2 = 63-79; W3 79-95; R3 98-114; W4 114-130; R4 133-149:
 * the write done at 1300 ns, the read at 1490, no faster than the 2 KiB
 * through one 16-byte-per-cycle data bus allows (1280 ns). */
START_TEST(split_read_write_paths)
{
    SimTime w, r;
    rw_pair("true", 0x10000000, &w, &r);
    ck_assert_uint_eq(w, 730000);
    ck_assert_uint_eq(r, 700000);
    rw_pair("false", 0x10000000, &w, &r);
    ck_assert_uint_gt(w > r ? w : r, 730000 + 500000); /* serialised */
    rw_pair("true", 0x2000, &w, &r);
    ck_assert_uint_eq(w, 1300000);
    ck_assert_uint_eq(r, 1490000);
}
END_TEST

/* ---- bytes through every path of the shipped boards ------------------- */

static void pattern(uint8_t *b, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(i * 29 + seed * 101 + 7);
}

static void all_paths(const char *file)
{
    Rig rig;
    rig_file(&rig, file);
    Topology *t = rig.t;
    Platform *p = rig.p;
    unsigned seed = 0, paths = 0;
    for (size_t m = 0; m < t->n_comps; m++) {
        if (!t->comps[m].is_master)
            continue;
        for (size_t c = 0; c < t->n_comps; c++)
            for (size_t rg = 0; rg < t->comps[c].n_regions; rg++) {
                const RegionParams *reg = &t->comps[c].regions[rg];
                if (reg->kind != REGION_MEMORY)
                    continue;
                uint64_t len = reg->size_bytes < 200 ? reg->size_bytes : 200;
                uint64_t off = reg->size_bytes > 8192 ? 4096 - 37 : 0;
                uint64_t addr;
                if (!lint_master_addr(t, (int)m, (int)c, (int)rg, off, &addr))
                    continue;
                uint8_t in[200], out[200], direct[200];
                pattern(in, len, ++seed);
                int n = 0;
                Xact w = {.master = (int)m, .dir = XACT_WRITE, .addr = addr,
                          .len = len, .data = in, .done = done_count,
                          .opaque = &n};
                platform_issue(p, &w);
                sim_run(platform_sim(p));
                ck_assert_msg(w.result == ROUTE_OK, "%s: %s -> %s: %s", file,
                              t->comps[m].name, t->comps[c].name,
                              w.reason);
                memset(out, 0, sizeof out);
                Xact rd = {.master = (int)m, .dir = XACT_READ, .addr = addr,
                           .len = len, .data = out, .done = done_count,
                           .opaque = &n};
                platform_issue(p, &rd);
                sim_run(platform_sim(p));
                ck_assert_int_eq(n, 2);
                ck_assert_msg(!memcmp(in, out, len), "%s: %s -> %s", file,
                              t->comps[m].name, t->comps[c].name);
                /* And in the target itself, at the intended offset. */
                Store *st = regions_store(platform_regions(p, (int)c), (int)rg);
                store_read(st, off, direct, len);
                ck_assert(!memcmp(in, direct, len));
                paths++;
            }
    }
    ck_assert_uint_gt(paths, 0);
    rig_free(&rig);
}

START_TEST(bytes_intact_everywhere)
{
    static const char *const files[] = {
        "topologies/ebony.yaml",           "topologies/walnut.yaml",
        "topologies/two-host-bridges.yaml", "topologies/p2p-tree.yaml",
        "topologies/highmem.yaml",         "topologies/plb-mmio.yaml",
        "tests/topologies/katmai.yaml",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        all_paths(files[i]);
}
END_TEST

/* Three writes to UART0's FIFO on the OPB, from two masters, each issued
 * as soon as the previous one is done (posted at the PLB-OPB bridge, so
 * they overlap on the way): the FIFO keeps them in that order. */
typedef struct FifoRun {
    Platform *p;
    const Topology *t;
    Xact x[3];
    int next;
} FifoRun;

static void fifo_next(Sim *s, Xact *x, void *opaque);

static void fifo_issue(FifoRun *fr)
{
    static const char *const parts[] = {"DMA ", "to a ", "FIFO"};
    int i = fr->next++;
    fr->x[i] = (Xact){.master = topo_find_comp(fr->t, i == 1 ? "cpu0" : "dma0"),
                      .dir = XACT_WRITE, .addr = 0x140000200ULL,
                      .len = strlen(parts[i]), .data = (uint8_t *)parts[i],
                      .done = fifo_next, .opaque = fr};
    platform_issue(fr->p, &fr->x[i]);
}

static void fifo_next(Sim *s, Xact *x, void *opaque)
{
    (void)s;
    (void)x;
    FifoRun *fr = opaque;
    if (fr->next < 3)
        fifo_issue(fr);
}

START_TEST(fifo_keeps_order)
{
    Rig rig;
    rig_file(&rig, "topologies/ebony.yaml");
    Topology *t = rig.t;
    Platform *p = rig.p;
    FifoRun fr = {.p = p, .t = t};
    fifo_issue(&fr);
    sim_run(platform_sim(p));
    ck_assert_int_eq(fr.next, 3);
    uint64_t len;
    const uint8_t *w =
        fifo_written(regions_fifo(platform_regions(p, topo_find_comp(t, "uart0")),
                                  0),
                     &len);
    ck_assert_uint_eq(len, 13);
    ck_assert(!memcmp(w, "DMA to a FIFO", 13));
    rig_free(&rig);
}
END_TEST

/* No bus data path ever carries more than width x clock, and no SDRAM
 * more than its data bus: on a random load that keeps the PLB's read and
 * write paths busy at once (the CPU and the DMA controller to and from
 * SDRAM, at up to 2.1 GB/s each), the card's traffic besides, SDRAM
 * moves at most its 64 bits x 2 x 133.33 MHz, 2.13 GB/s, over the time
 * its data bus was in use. */
START_TEST(never_beyond_peak)
{
    Rig rig;
    rig_file(&rig, "topologies/ebony.yaml");
    Topology *t = rig.t;
    Platform *p = rig.p;
    enum { N = 400 };
    static Xact xs[N];
    static uint8_t buf[N][4096];
    int done = 0;
    const char *masters[] = {"cpu0", "dma0", "card"};
    const uint64_t targets[3][2] = {{0x0, 0x380000000ULL},
                                    {0x100000, 0x380100000ULL},
                                    {0x200000, 0x80000000ULL}};
    uint64_t rng = 99;
    for (int i = 0; i < N; i++) {
        rng = rng * 6364136223846793005ULL + 1;
        int m = (int)((rng >> 33) % 3);
        xs[i] = (Xact){.master = topo_find_comp(t, masters[m]),
                       .dir = (rng >> 40) & 1 ? XACT_READ : XACT_WRITE,
                       .addr = targets[m][(rng >> 41) & 1] + (rng >> 50) % 64,
                       .len = 1 + (rng >> 20) % 4000,
                       .data = buf[i],
                       .done = done_count,
                       .opaque = &done};
        platform_issue(p, &xs[i]);
    }
    sim_run(platform_sim(p));
    ck_assert_int_eq(done, N);
    for (size_t b = 0; b < t->n_buses; b++) {
        double bytes = (double)platform_bus_bytes(p, (int)b);
        double busy_s = (double)platform_bus_busy(p, (int)b) * 1e-12;
        double peak = (double)t->buses[b].width_bits / 8 *
                      (double)t->clocks[t->buses[b].clock_idx].clock.hz;
        ck_assert_msg(bytes <= busy_s * peak * (1 + 1e-9),
                      "%s: %.0f bytes in %.9f s exceeds %.0f B/s",
                      t->buses[b].name, bytes, busy_s, peak);
    }
    int ram = topo_find_comp(t, "sdram");
    const SdramParams *sp = t->comps[ram].priv;
    uint64_t bytes;
    SimTime from, to;
    sdram_traffic(platform_model(p, ram), &bytes, &from, &to);
    double peak = (double)sp->data_bits / 8 * (sp->ddr ? 2 : 1) *
                  (double)t->clocks[t->comps[ram].clock_idx].clock.hz;
    double span_s = (double)(to - from) * 1e-12;
    ck_assert_uint_gt(bytes, 300000); /* a real load */
    ck_assert_msg((double)bytes <= span_s * peak * (1 + 1e-9),
                  "sdram: %llu bytes in %.9f s exceeds %.0f B/s",
                  (unsigned long long)bytes, span_s, peak);
    rig_free(&rig);
}
END_TEST

/* SDRAM has one data bus: the CPU writing and the DMA controller reading
 * 4 KiB transactions at once, on the PLB's two data paths, could each
 * move about 1.9 GB/s (16 beats of 16 bytes per 18 cycles at 133 MHz),
 * 3.8 GB/s together with a data bus per path; with one they share the
 * memory's 2.13 GB/s and never exceed it (they get well over half of it:
 * row switches, write-to-read turnarounds and refresh take the rest). */
START_TEST(memory_one_data_bus)
{
    Rig rig;
    rig_file(&rig, "topologies/ebony.yaml");
    Topology *t = rig.t;
    Platform *p = rig.p;
    enum { N = 64 };
    static Xact xs[2 * N];
    static uint8_t buf[2 * N][4096];
    int done = 0;
    for (int i = 0; i < 2 * N; i++) {
        bool cpu = i % 2;
        xs[i] = (Xact){.master = topo_find_comp(t, cpu ? "cpu0" : "dma0"),
                       .dir = cpu ? XACT_WRITE : XACT_READ,
                       .addr = (cpu ? 0x1000000 : 0x2000000) +
                               (uint64_t)(i / 2) * 4096,
                       .len = 4096, .data = buf[i], .done = done_count,
                       .opaque = &done};
        platform_issue(p, &xs[i]);
    }
    sim_run(platform_sim(p));
    ck_assert_int_eq(done, 2 * N);
    int ram = topo_find_comp(t, "sdram");
    uint64_t bytes;
    SimTime from, to;
    sdram_traffic(platform_model(p, ram), &bytes, &from, &to);
    ck_assert_uint_eq(bytes, 2 * N * 4096);
    double rate = (double)bytes / ((double)(to - from) * 1e-12);
    double peak = 8.0 * 2 * 133330000; /* DDR-266, 64 bits */
    ck_assert_msg(rate <= peak * (1 + 1e-9) && rate > 0.5 * peak,
                  "sdram moved %.0f B/s, peak %.0f", rate, peak);
    rig_free(&rig);
}
END_TEST

Suite *platform_suite(void)
{
    Suite *s = suite_create("platform");
    TCase *tc = tcase_create("formula");
    tcase_add_test(tc, formula_plb_to_ram);
    tcase_add_test(tc, window_change_in_flight);
    tcase_add_test(tc, iommu_unmapped_page_aborts);
    tcase_add_test(tc, iommu_pages_split_at_boundaries);
    tcase_add_test(tc, iommu_iotlb_walks);
    tcase_add_test(tc, formula_overrides);
    tcase_add_test(tc, sdram_rows);
    tcase_add_test(tc, sdram_turnaround_and_refresh);
    tcase_add_test(tc, sdram_odd_rows);
    tcase_add_test(tc, formula_through_bridge);
    tcase_add_test(tc, local_access);
    tcase_add_test(tc, posted_writes);
    tcase_add_test(tc, coalescing_changes_nothing);
    tcase_add_test(tc, split_completions_stream);
    tcase_add_test(tc, write_disconnects);
    tcase_add_test(tc, room_freed_during_a_retry);
    tcase_add_test(tc, delayed_read_retries);
    tcase_add_test(tc, split_transactions);
    tcase_add_test(tc, prefetch_by_command);
    tcase_add_test(tc, first_come_first_served);
    tcase_add_test(tc, arbitration_splits_bandwidth);
    tcase_add_test(tc, latency_timer_splits_bursts);
    tcase_add_test(tc, split_read_write_paths);
    suite_add_tcase(s, tc);
    tc = tcase_create("data");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, bytes_intact_everywhere);
    tcase_add_test(tc, fifo_keeps_order);
    tcase_add_test(tc, never_beyond_peak);
    tcase_add_test(tc, memory_one_data_bus);
    tcase_add_test(tc, long_bursts_like_real_buses);
    suite_add_tcase(s, tc);
    return s;
}
