/* models/dma: the DMA engine's channels, descriptors, scatter-gather,
 * read-then-write buffering and completion, on the timed platform. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "models/dma.h"
#include "models/regions.h"
#include "sim/hw/platform.h"
#include "testutil.h"

/* A 128-bit PLB at 100 MHz with DDR SDRAM on its clock (see
 * check_platform.c for the formula's numbers) and the DMA engine. */
static const char *const YAML =
    "name: t\naddress_bits: 36\nclocks: {plb: 100MHz}\n"
    "buses: [{name: plb, kind: plb, clock: plb, width: 128}]\n"
    "components:\n"
    "  - {name: dma, kind: dma, bus: plb}\n"
    "  - {name: ram, kind: sdram, bus: plb, base: 0, size: 64MiB}\n"
    "  - {name: port, kind: device, bus: plb,\n"
    "     regions: [{base: 0x10000000, size: 8, kind: fifo}]}\n"
    "  - {name: sram, kind: sram, bus: plb, base: 0x2000_0000, size: 64KiB}\n";

typedef struct Rig {
    Diag d;
    Topology *t;
    Platform *p;
    int dma;
} Rig;

static void rig(Rig *r)
{
    diag_init(&r->d);
    r->t = tu_load(YAML, &r->d);
    ck_assert_ptr_nonnull(r->t);
    r->p = platform_new(r->t);
    r->dma = topo_find_comp(r->t, "dma");
}

static void unrig(Rig *r)
{
    platform_free(r->p);
    topology_free(r->t);
    diag_free(&r->d);
}

static Store *ram(Rig *r)
{
    return regions_store(platform_regions(r->p, topo_find_comp(r->t, "ram")),
                         0);
}

static void count(Sim *s, DmaXfer *x, void *opaque)
{
    (void)s;
    (void)x;
    ++*(int *)opaque;
}

START_TEST(one_segment_timing)
{
    Rig r;
    rig(&r);
    /* 256 bytes from 0x0 to 0x2000 (banks 0 and 1): one burst of 16
     * beats, the engine's longest.  Setup 2 cycles; the read 23 (bank
     * idle: 1 + 1 + (tRCD 3 + CL 2) + 16 beats), the write 22 (idle: 1 + 1
     * + (tRCD 3 + WL 1) + 16); interrupt 4: 51 cycles = 510 ns. */
    DmaSeg seg = {.src = 0x0, .dst = 0x2000, .len = 256};
    int n = 0;
    DmaXfer x = {.channel = 0, .segs = &seg, .n_segs = 1, .done = count,
                 .opaque = &n};
    uint64_t cookie = dma_submit(r.p, r.dma, &x);
    ck_assert_uint_eq(cookie, 1);
    sim_run(platform_sim(r.p));
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(x.result, ROUTE_OK);
    ck_assert_uint_eq(x.residue, 0);
    ck_assert_uint_eq(x.completed - x.submitted, 510000);
    unrig(&r);
}
END_TEST

/* Reads fill the FIFO while writes drain it: 1 KiB from SDRAM to the
 * SRAM in four bursts of 256 bytes through a FIFO of two.  Setup 2
 * cycles; read 1 (bank idle) 23, to cycle 25; then each write (1 + 1 + 1
 * + 16 = 19 on the write path) runs beside the next read (a row hit, 1 +
 * 1 + 2 + 16 = 20 on the read path): reads end at 45, 65, 85, writes at
 * 44, 64, 84 and the last at 104; interrupt 4: 108 cycles, 1080 ns.  A
 * FIFO of one burst reads, then writes: 2 + 23 + 19 + 3 * (20 + 19) + 4
 * = 165 cycles. */
static SimTime sram_copy(const char *buffer)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml, "%s", YAML);
    if (buffer) {
        char *at = strstr(yaml, "kind: dma, bus: plb}");
        ck_assert_ptr_nonnull(at);
        snprintf(at, sizeof yaml - (size_t)(at - yaml),
                 "kind: dma, bus: plb, buffer: %s}%s", buffer,
                 strstr(YAML, "kind: dma, bus: plb}") +
                     strlen("kind: dma, bus: plb}"));
    }
    Rig r;
    diag_init(&r.d);
    r.t = tu_load(yaml, &r.d);
    ck_assert_msg(r.t != NULL, "%s", tu_first(&r.d, SEV_FATAL));
    r.p = platform_new(r.t);
    r.dma = topo_find_comp(r.t, "dma");
    DmaSeg seg = {.src = 0x0, .dst = 0x20000000, .len = 1024};
    int n = 0;
    DmaXfer x = {.channel = 0, .segs = &seg, .n_segs = 1, .done = count,
                 .opaque = &n};
    dma_submit(r.p, r.dma, &x);
    sim_run(platform_sim(r.p));
    ck_assert_int_eq(x.result, ROUTE_OK);
    SimTime t = x.completed - x.submitted;
    unrig(&r);
    return t;
}

START_TEST(streams_through_fifo)
{
    ck_assert_uint_eq(sram_copy(NULL), 1080000);
    ck_assert_uint_eq(sram_copy("256"), 1650000);
}
END_TEST

START_TEST(descriptor_fetch)
{
    Rig r;
    rig(&r);
    /* The same transfer with its descriptor at 0x4000 (bank 2): a 32-byte
     * read of 2 beats on an idle bank, 1 + 1 + 5 + 2 = 9 cycles, before
     * the first read: 60 cycles. */
    DmaSeg seg = {.src = 0x0, .dst = 0x2000, .len = 256};
    int n = 0;
    DmaXfer x = {.channel = 1, .segs = &seg, .n_segs = 1,
                 .desc_addr = 0x4000, .done = count, .opaque = &n};
    dma_submit(r.p, r.dma, &x);
    sim_run(platform_sim(r.p));
    ck_assert_uint_eq(x.completed - x.submitted, 600000);
    unrig(&r);
}
END_TEST

START_TEST(scatter_gather_bytes)
{
    Rig r;
    rig(&r);
    /* Three scattered pieces gathered into one destination, with a
     * descriptor chain; pieces not multiples of the buffer. */
    uint8_t a[100], b[300], c[37], out[437];
    for (int i = 0; i < 100; i++)
        a[i] = (uint8_t)(i + 1);
    for (int i = 0; i < 300; i++)
        b[i] = (uint8_t)(i * 7 + 3);
    for (int i = 0; i < 37; i++)
        c[i] = (uint8_t)(200 - i);
    store_write(ram(&r), 0x10003, a, sizeof a);
    store_write(ram(&r), 0x20000, b, sizeof b);
    store_write(ram(&r), 0x3FFF0, c, sizeof c);
    DmaSeg segs[3] = {{.src = 0x10003, .dst = 0x50001, .len = 100},
                      {.src = 0x20000, .dst = 0x50001 + 100, .len = 300},
                      {.src = 0x3FFF0, .dst = 0x50001 + 400, .len = 37}};
    int n = 0;
    DmaXfer x = {.channel = 2, .segs = segs, .n_segs = 3,
                 .desc_addr = 0x60000, .done = count, .opaque = &n};
    dma_submit(r.p, r.dma, &x);
    sim_run(platform_sim(r.p));
    ck_assert_int_eq(x.result, ROUTE_OK);
    store_read(ram(&r), 0x50001, out, sizeof out);
    ck_assert(!memcmp(out, a, 100));
    ck_assert(!memcmp(out + 100, b, 300));
    ck_assert(!memcmp(out + 400, c, 37));
    unrig(&r);
}
END_TEST

START_TEST(channels_and_queues)
{
    Rig r;
    rig(&r);
    /* Two transfers on channel 0 run one after the other; one on channel
     * 1 runs alongside them, sharing the bus. */
    DmaSeg s1 = {.src = 0x0, .dst = 0x100000, .len = 1024}, s2 = {.src = 0x1000, .dst = 0x101000, .len = 1024},
           s3 = {.src = 0x2000, .dst = 0x102000, .len = 1024};
    int n = 0;
    DmaXfer x1 = {.channel = 0, .segs = &s1, .n_segs = 1, .done = count,
                  .opaque = &n};
    DmaXfer x2 = {.channel = 0, .segs = &s2, .n_segs = 1, .done = count,
                  .opaque = &n};
    DmaXfer x3 = {.channel = 1, .segs = &s3, .n_segs = 1, .done = count,
                  .opaque = &n};
    ck_assert_uint_eq(dma_submit(r.p, r.dma, &x1), 1);
    ck_assert_uint_eq(dma_submit(r.p, r.dma, &x2), 2);
    ck_assert_uint_eq(dma_submit(r.p, r.dma, &x3), 3);
    sim_run(platform_sim(r.p));
    ck_assert_int_eq(n, 3);
    ck_assert_uint_ge(x2.completed, x1.completed); /* in order */
    unrig(&r);

    /* The same 1 KiB alone takes `solo`.  Channel 1 ran alongside channel
     * 0: it finished before it would have queued behind x1, yet later
     * than alone, since the two shared the bus. */
    rig(&r);
    DmaXfer alone = {.channel = 1, .segs = &s3, .n_segs = 1, .done = count,
                     .opaque = &n};
    dma_submit(r.p, r.dma, &alone);
    sim_run(platform_sim(r.p));
    SimTime solo = alone.completed - alone.submitted;
    ck_assert_uint_lt(x3.completed, x1.completed + solo);
    ck_assert_uint_gt(x3.completed, solo);
    unrig(&r);
}
END_TEST

/* A driver's usual pattern: the completion callback submits the next
 * transfer, reusing the same DmaXfer.  Each runs once, one after the
 * other, each taking what it takes alone. */
typedef struct Chain {
    Platform *p;
    int dma, left, done;
    DmaXfer x;
    DmaSeg seg;
    SimTime ends[4];
} Chain;

static void chain_next(Sim *s, DmaXfer *x, void *opaque)
{
    (void)s;
    Chain *c = opaque;
    ck_assert_int_eq(x->result, ROUTE_OK);
    c->ends[c->done++] = x->completed;
    if (c->left-- > 0) {
        c->seg.src += 0x4000;
        c->x = (DmaXfer){.channel = 0, .segs = &c->seg, .n_segs = 1,
                         .done = chain_next, .opaque = c};
        dma_submit(c->p, c->dma, &c->x);
    }
}

START_TEST(resubmit_from_callback)
{
    Rig r;
    rig(&r);
    static Chain c;
    memset(&c, 0, sizeof c);
    c.p = r.p;
    c.dma = r.dma;
    c.left = 3;
    c.seg = (DmaSeg){.src = 0x0, .dst = 0x2000, .len = 256};
    c.x = (DmaXfer){.channel = 0, .segs = &c.seg, .n_segs = 1,
                    .done = chain_next, .opaque = &c};
    dma_submit(r.p, r.dma, &c.x);
    sim_run(platform_sim(r.p));
    ck_assert_int_eq(c.done, 4);
    /* Back to back, exactly: the first is one_segment_timing's 51 cycles.
     * The second reads 0x4000 (bank 2, idle: 23) and writes bank 1's open
     * row (1 + 1 + WL 1 + 16 = 19): 2 + 23 + 19 + 4 = 48.  The third reads
     * 0x8000 (bank 0, row 1 while row 0 is open: 1 + 1 + (tRP 3 + tRCD 3
     * + CL 2) + 16 = 26) and the fourth 0xC000 (bank 2, row 1: 26 too):
     * 2 + 26 + 19 + 4 = 51 each. */
    static const SimTime want[4] = {510000, 990000, 1500000, 2010000};
    for (int i = 0; i < 4; i++)
        ck_assert_uint_eq(c.ends[i], want[i]);
    unrig(&r);
}
END_TEST

START_TEST(bus_error_residue)
{
    Rig r;
    rig(&r);
    /* The second segment writes where nothing decodes: the transfer ends
     * with a master abort; what was not moved is the residue. */
    DmaSeg segs[2] = {{.src = 0x0, .dst = 0x1000, .len = 128}, {.src = 0x2000, .dst = 0x9000000ULL, .len = 200}};
    int n = 0;
    DmaXfer x = {.channel = 3, .segs = segs, .n_segs = 2, .done = count,
                 .opaque = &n};
    dma_submit(r.p, r.dma, &x);
    sim_run(platform_sim(r.p));
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(x.result, ROUTE_MASTER_ABORT);
    ck_assert_uint_eq(x.residue, 200);
    unrig(&r);
}
END_TEST

static void count_writes(void *opaque, int master, int comp, int region,
                         uint64_t off, uint64_t len, WriteKind kind)
{
    (void)master;
    (void)kind;
    (void)region;
    (void)off;
    int *n = opaque;
    if (comp == n[1] && len <= 8)
        n[0]++;
}

/* A fixed destination (a FIFO register): the engine does not increment
 * its address and writes at most fixed_unit bytes at a time; the bytes
 * arrive in order. */
START_TEST(fixed_destination)
{
    Rig r;
    rig(&r);
    uint8_t src[100];
    for (int i = 0; i < 100; i++)
        src[i] = (uint8_t)(i * 7 + 3);
    store_write(ram(&r), 0x4000, src, sizeof src);
    int port = topo_find_comp(r.t, "port");
    int writes[2] = {0, port};
    platform_watch_writes(r.p, count_writes, writes);
    DmaSeg seg = {.src = 0x4000, .dst = 0x10000000, .len = 100,
                  .dst_fixed = true, .fixed_unit = 8};
    int n = 0;
    DmaXfer x = {.segs = &seg, .n_segs = 1, .done = count, .opaque = &n};
    dma_submit(r.p, r.dma, &x);
    sim_run(platform_sim(r.p));
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(x.result, ROUTE_OK);
    ck_assert_int_eq(writes[0], 13); /* 12 of 8 bytes, one of 4 */
    uint64_t len;
    const uint8_t *log =
        fifo_written(regions_fifo(platform_regions(r.p, port), 0), &len);
    ck_assert_uint_eq(len, 100);
    ck_assert_mem_eq(log, src, 100);
    /* A device without a master has no engine; the dma component has. */
    ck_assert_ptr_null(platform_engine(r.p, port));
    ck_assert_ptr_nonnull(platform_engine(r.p, r.dma));
    unrig(&r);
}
END_TEST

Suite *dma_suite(void)
{
    Suite *s = suite_create("dma");
    TCase *tc = tcase_create("engine");
    tcase_add_test(tc, one_segment_timing);
    tcase_add_test(tc, streams_through_fifo);
    tcase_add_test(tc, descriptor_fetch);
    tcase_add_test(tc, scatter_gather_bytes);
    tcase_add_test(tc, channels_and_queues);
    tcase_add_test(tc, bus_error_residue);
    tcase_add_test(tc, resubmit_from_callback);
    tcase_add_test(tc, fixed_destination);
    suite_add_tcase(s, tc);
    return s;
}
