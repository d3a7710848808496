/* models/cpu: the CPU's software cost, cache maintenance and memcpy. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "models/cpu.h"
#include "models/dcache.h"
#include "models/regions.h"
#include "testutil.h"

/* CPU at 400 MHz (2.5 ns), 128-bit PLB at 100 MHz, DDR SDRAM on the PLB
 * clock (check_platform.c has the bus formula's numbers). */
static const char *const YAML =
    "name: t\naddress_bits: 36\nclocks: {cpu: 400MHz, plb: 100MHz}\n"
    "kernel: {coherent: %s}\n"
    "buses: [{name: plb, kind: plb, clock: plb, width: 128}]\n"
    "components:\n"
    "  - {name: cpu, kind: cpu, bus: plb, clock: cpu, cores: %u%s}\n"
    "  - {name: ram, kind: sdram, bus: plb, base: 0, size: 64MiB}\n";

typedef struct Rig {
    Diag d;
    Topology *t;
    Platform *p;
} Rig;

static void rig_cpu(Rig *r, const char *coherent, unsigned cores,
                    const char *more)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml, YAML, coherent, cores, more);
    diag_init(&r->d);
    r->t = tu_load(yaml, &r->d);
    ck_assert_msg(r->t != NULL, "%s", tu_first(&r->d, SEV_FATAL));
    r->p = platform_new(r->t);
}

static void rig_cores(Rig *r, const char *coherent, unsigned cores)
{
    rig_cpu(r, coherent, cores, "");
}

static void rig(Rig *r, const char *coherent)
{
    rig_cores(r, coherent, 1);
}

static void unrig(Rig *r)
{
    platform_free(r->p);
    topology_free(r->t);
    diag_free(&r->d);
}

static void count(Sim *s, CpuOp *op, void *opaque)
{
    (void)s;
    (void)op;
    ++*(int *)opaque;
}

START_TEST(call_cost)
{
    Rig r;
    rig(&r, "false");
    CpuOp op;
    int n = 0;
    cpu_call(r.p, 0, &op, count, &n);
    sim_run(platform_sim(r.p));
    ck_assert_int_eq(n, 1);
    ck_assert_uint_eq(op.completed - op.started, 750000); /* 300 cycles */
    unrig(&r);
}
END_TEST

START_TEST(cache_lines)
{
    Rig r;
    rig(&r, "false");
    CpuOp op;
    int n = 0;
    /* 100 bytes from 0x1010 touch lines 0x1000..0x1060: 4 lines of 32
     * bytes, 4 cycles each: 16 cycles, 40 ns. */
    cpu_cache(r.p, 0, CACHE_FLUSH, 0x1010, 100, &op, count, &n);
    sim_run(platform_sim(r.p));
    ck_assert_uint_eq(op.completed - op.started, 40000);
    /* Exactly one line. */
    cpu_cache(r.p, 0, CACHE_INVALIDATE, 0x2000, 32, &op, count, &n);
    sim_run(platform_sim(r.p));
    ck_assert_uint_eq(op.completed - op.started, 10000);
    ck_assert_int_eq(n, 2);
    unrig(&r);
    /* A coherent platform needs no maintenance. */
    rig(&r, "true");
    cpu_cache(r.p, 0, CACHE_FLUSH, 0x1010, 100, &op, count, &n);
    sim_run(platform_sim(r.p));
    ck_assert_uint_eq(op.completed - op.started, 0);
    unrig(&r);
}
END_TEST

START_TEST(memcpy_lines)
{
    Rig r;
    rig(&r, "false");
    uint8_t in[64], out[64];
    for (int i = 0; i < 64; i++)
        in[i] = (uint8_t)(i * 3 + 1);
    Store *ram = regions_store(platform_regions(r.p, 1), 0);
    store_write(ram, 0x0, in, sizeof in);
    /* Two 32-byte lines.  Line 1: load (2 beats, bank 0 idle: tRCD 3 +
     * CL 2) 1 + 1 + 5 + 2 = 9 PLB cycles, store to bank 1 (idle: tRCD 3 +
     * WL 1) 8, then 8 CPU cycles: 90 + 80 + 20 = 190 ns.  Line 2: load and
     * store are row hits, 6 (CL 2) and 5 (WL 1), plus 20 ns: 320 ns. */
    CpuOp op;
    int n = 0;
    cpu_memcpy(r.p, 0, 0x2000, 0x0, 64, &op, count, &n);
    sim_run(platform_sim(r.p));
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(op.result, ROUTE_OK);
    ck_assert_uint_eq(op.completed - op.started, 320000);
    store_read(ram, 0x2000, out, sizeof out);
    ck_assert(!memcmp(in, out, sizeof in));
    /* A source nothing decodes: a master abort, nothing copied. */
    cpu_memcpy(r.p, 0, 0x2000, 0x9000000ULL, 64, &op, count, &n);
    sim_run(platform_sim(r.p));
    ck_assert_int_eq(op.result, ROUTE_MASTER_ABORT);
    ck_assert_uint_eq(op.residue, 64);
    unrig(&r);
}
END_TEST

/* One core runs one operation at a time, in the order asked: three API
 * calls of 300 cycles (750 ns) asked at once end at 750, 1500 and
 * 2250 ns.  Two cores run two at once: 750, 750, then 1500 ns for the
 * third, which waits for the first core to free. */
/* Programmed I/O to a bridge's window registers on a 128-bit PLB at
 * 100 MHz (10 ns): each 4-byte access is arbitration 1 + address 1 + the
 * bridge's claim (latency_cycles 2) + 1 beat = 5 cycles, 50 ns, and waits
 * for the one before: five writes 250 ns, one read 50 ns. */
START_TEST(pio_registers)
{
    Rig r;
    diag_init(&r.d);
    r.t = tu_load("name: t\naddress_bits: 36\n"
                  "clocks: {cpu: 400MHz, plb: 100MHz, pci: 33MHz}\n"
                  "buses: [{name: plb, kind: plb, clock: plb, width: 128}, "
                  "{name: pci, kind: pci, clock: pci}]\n"
                  "components:\n"
                  "  - {name: cpu, kind: cpu, bus: plb, clock: cpu}\n"
                  "  - {name: ram, kind: sdram, bus: plb, base: 0, "
                  "size: 64MiB}\n"
                  "  - name: br\n    kind: bridge\n    parent: plb\n"
                  "    child: pci\n"
                  "    outbound_windows: {count: 2, writes: 5, "
                  "registers: {base: 0x1000_0000, size: 64}, "
                  "aperture: {base: 0x2_0000_0000, size: 4GiB}}\n",
                  &r.d);
    ck_assert_msg(r.t != NULL, "%s", tu_first(&r.d, SEV_FATAL));
    ck_assert_uint_eq(r.t->comps[2].n_regions, 1);
    r.p = platform_new(r.t);
    CpuOp op;
    int n = 0;
    cpu_pio(r.p, 0, XACT_WRITE, 0x10000020, 4, 5, &op, count, &n);
    sim_run(platform_sim(r.p));
    ck_assert_int_eq(op.result, ROUTE_OK);
    ck_assert_uint_eq(op.completed - op.started, 250000);
    cpu_pio(r.p, 0, XACT_READ, 0x10000020, 4, 1, &op, count, &n);
    sim_run(platform_sim(r.p));
    ck_assert_uint_eq(op.completed - op.started, 50000);
    ck_assert_int_eq(n, 2);
    /* past the registers: nothing decodes, a bus error */
    cpu_pio(r.p, 0, XACT_WRITE, 0x10000040, 4, 1, &op, count, &n);
    sim_run(platform_sim(r.p));
    ck_assert_int_eq(op.result, ROUTE_MASTER_ABORT);
    unrig(&r);
}
END_TEST

START_TEST(cores_queue)
{
    for (unsigned cores = 1; cores <= 2; cores++) {
        Rig r;
        rig_cores(&r, "false", cores);
        CpuOp op[3];
        int n = 0;
        for (int i = 0; i < 3; i++)
            cpu_call(r.p, 0, &op[i], count, &n);
        sim_run(platform_sim(r.p));
        ck_assert_int_eq(n, 3);
        SimTime want[2][3] = {{750000, 1500000, 2250000},
                              {750000, 750000, 1500000}};
        for (int i = 0; i < 3; i++) {
            ck_assert_uint_eq(op[i].asked, 0);
            ck_assert_uint_eq(op[i].completed, want[cores - 1][i]);
            ck_assert_uint_eq(op[i].completed - op[i].started, 750000);
        }
        unrig(&r);
    }
}
END_TEST

/* ---- a data cache that holds data (kernel.coherent: false) -------------- */

/* A set's victim is its first free way, then round robin; a reserved way
 * (a line being fetched) is never taken. */
START_TEST(dcache_ways)
{
    DCache *c = dcache_new(128, 2, 32); /* 2 sets of 2 ways */
    ck_assert_ptr_null(dcache_find(c, 0x40));
    DcLine *a = dcache_victim(c, 0x40); /* set (0x40 / 32) % 2 = 0 */
    dcache_install(c, a, 0x40, NULL);
    ck_assert_ptr_eq(dcache_find(c, 0x5f), a);
    DcLine *b = dcache_victim(c, 0x80); /* set 0's free way */
    ck_assert_ptr_ne(b, a);
    dcache_install(c, b, 0x80, NULL);
    DcLine *v = dcache_victim(c, 0xc0); /* full: round robin from way 0 */
    ck_assert_ptr_eq(v, a);
    dcache_unreserve(v);
    ck_assert_ptr_eq(dcache_victim(c, 0xc0), b);
    ck_assert_ptr_eq(dcache_victim(c, 0xc0), a);
    ck_assert_ptr_null(dcache_victim(c, 0x100)); /* both ways reserved */
    ck_assert_ptr_nonnull(dcache_victim(c, 0x20)); /* set 1 is free */
    uint64_t valid, dirty;
    dcache_count(c, &valid, &dirty);
    ck_assert_uint_eq(valid, 2);
    ck_assert_uint_eq(dirty, 0);
    ck_assert_uint_eq(dcache_valid_lines(c), 2);
    dcache_set_dirty(c, a, true);
    dcache_set_dirty(c, a, true); /* again: still one */
    dcache_set_dirty(c, b, true);
    dcache_set_dirty(c, b, false);
    ck_assert_uint_eq(dcache_dirty_lines(c), 1);
    dcache_count(c, &valid, &dirty);
    ck_assert_uint_eq(dirty, 1);
    /* dropped, a line is gone (dirty or not); the set's lines are found
     * as before */
    dcache_drop(c, a);
    ck_assert_uint_eq(dcache_valid_lines(c), 1);
    ck_assert_uint_eq(dcache_dirty_lines(c), 0);
    ck_assert_ptr_null(dcache_find(c, 0x40));
    ck_assert_ptr_eq(dcache_find(c, 0x80), b);
    dcache_free(c);
    /* many lines in one index: every one found after others are dropped
     * (the index closes the gaps they leave) */
    c = dcache_new(4096, 4, 32);
    DcLine *l[128];
    for (unsigned i = 0; i < 128; i++) {
        l[i] = dcache_victim(c, i * 32ULL);
        dcache_install(c, l[i], i * 32ULL, NULL);
    }
    for (unsigned i = 0; i < 128; i += 3)
        dcache_drop(c, l[i]);
    for (unsigned i = 0; i < 128; i++)
        ck_assert_ptr_eq(dcache_find(c, i * 32ULL + 5),
                         i % 3 ? l[i] : NULL);
    dcache_free(c);
}
END_TEST

static bool all(const uint8_t *b, uint8_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (b[i] != v)
            return false;
    return true;
}

/* A copy through the cache, then maintenance by line state. */
START_TEST(cached_copy_and_maintenance)
{
    Rig r;
    rig(&r, "false");
    uint8_t in[64], out[64], junk[64];
    for (int i = 0; i < 64; i++)
        in[i] = (uint8_t)(i * 3 + 1); /* no zero byte */
    memset(junk, 0xAA, sizeof junk);
    Store *ram = regions_store(platform_regions(r.p, 1), 0);
    store_write(ram, 0x0, in, sizeof in);
    CpuOp op;
    int n = 0;
    /* Line 1: the load misses and fetches the line, 9 PLB cycles (bank 0
     * idle, as in memcpy_lines); the store goes to a destination line the
     * copy covers whole, so it is zeroed (dcbz) and written in the cache
     * only; then 8 CPU cycles: 90 + 20 ns.  Line 2: a row hit, 6 cycles,
     * and 20 ns: 190 ns, and nothing reaches 0x2000 in memory. */
    cpu_memcpy_io(r.p, 0, 0x2000, 0x0, 64,
                  CPU_COPY_SRC_CACHED | CPU_COPY_DST_CACHED, 0, &op, count,
                  &n);
    sim_run(platform_sim(r.p));
    ck_assert_int_eq(op.result, ROUTE_OK);
    ck_assert_uint_eq(op.completed - op.started, 190000);
    ck_assert_uint_eq(op.writebacks, 0);
    store_read(ram, 0x2000, out, sizeof out);
    ck_assert(all(out, 0, sizeof out));
    ck_assert(cpu_view(r.p, 0, 0x2000, out, sizeof out));
    ck_assert(!memcmp(out, in, sizeof in));
    uint64_t first, last;
    ck_assert_uint_eq(cpu_dirty_bytes(r.p, 0, 0x2000, 64, &first, &last),
                      64);
    ck_assert_uint_eq(first, 0);
    ck_assert_uint_eq(last, 63);
    /* dcbf of two dirty lines: each written back, the first to bank 1
     * (idle: tRCD 3 + WL 1) 8 PLB cycles, the second a row hit, 5; then
     * 4 CPU cycles per line: 80 + 50 + 20 = 150 ns. */
    cpu_cache(r.p, 0, CACHE_FLUSH, 0x2000, 64, &op, count, &n);
    sim_run(platform_sim(r.p));
    ck_assert_uint_eq(op.completed - op.started, 150000);
    ck_assert_uint_eq(op.writebacks, 2);
    store_read(ram, 0x2000, out, sizeof out);
    ck_assert(!memcmp(out, in, sizeof in));
    ck_assert_uint_eq(cpu_dirty_bytes(r.p, 0, 0x2000, 64, &first, &last), 0);
    /* Again: nothing is cached there now, 2 lines x 4 cycles = 20 ns. */
    cpu_cache(r.p, 0, CACHE_FLUSH, 0x2000, 64, &op, count, &n);
    sim_run(platform_sim(r.p));
    ck_assert_uint_eq(op.completed - op.started, 20000);
    ck_assert_uint_eq(op.writebacks, 0);
    /* dcbi drops a dirty line: what the CPU stored is lost, and memory
     * never sees it; one line, 4 cycles, 10 ns. */
    ck_assert(cpu_store_now(r.p, 0, 0x3000, junk, 32));
    cpu_cache(r.p, 0, CACHE_INVALIDATE, 0x3000, 32, &op, count, &n);
    sim_run(platform_sim(r.p));
    ck_assert_uint_eq(op.completed - op.started, 10000);
    ck_assert_uint_eq(op.writebacks, 0);
    ck_assert(cpu_view(r.p, 0, 0x3000, out, 32));
    ck_assert(all(out, 0, 32));
    /* dcbst writes the line back and keeps it: a flush after has nothing
     * to write. */
    ck_assert(cpu_store_now(r.p, 0, 0x4000, junk, 32));
    cpu_cache(r.p, 0, CACHE_CLEAN, 0x4000, 32, &op, count, &n);
    sim_run(platform_sim(r.p));
    ck_assert_uint_eq(op.writebacks, 1);
    store_read(ram, 0x4000, out, 32);
    ck_assert(all(out, 0xAA, 32));
    cpu_cache(r.p, 0, CACHE_FLUSH, 0x4000, 32, &op, count, &n);
    sim_run(platform_sim(r.p));
    ck_assert_uint_eq(op.writebacks, 0);
    /* For a device's write, Linux drops the lines the range covers whole
     * and flushes a line it covers in part: of [0x5000, 0x5030), line
     * 0x5000 is dropped, line 0x5020 written back. */
    ck_assert(cpu_store_now(r.p, 0, 0x5000, junk, 64));
    cpu_cache(r.p, 0, CACHE_INV_SAFE, 0x5000, 48, &op, count, &n);
    sim_run(platform_sim(r.p));
    ck_assert_uint_eq(op.writebacks, 1);
    store_read(ram, 0x5000, out, 64);
    ck_assert(all(out, 0, 32));
    ck_assert(all(out + 32, 0xAA, 32));
    unrig(&r);
}
END_TEST

/* A full set: a miss's victim, when dirty, is written back before the
 * line is fetched, by the driver's untimed loads and by a timed copy. */
START_TEST(eviction_writes_back)
{
    Rig r;
    rig_cpu(&r, "false", 1, ", dcache_size: 64, dcache_ways: 2");
    Store *ram = regions_store(platform_regions(r.p, 1), 0);
    uint8_t a[32], b[32], out[32];
    memset(a, 0x11, sizeof a);
    memset(b, 0x22, sizeof b);
    ck_assert(cpu_store_now(r.p, 0, 0x0, a, 32));
    ck_assert(cpu_store_now(r.p, 0, 0x20, b, 32));
    store_read(ram, 0x0, out, 32);
    ck_assert(all(out, 0, 32)); /* both dirty in the one set */
    ck_assert(cpu_load_now(r.p, 0, 0x40, out, 32)); /* evicts way 0 */
    store_read(ram, 0x0, out, 32);
    ck_assert(all(out, 0x11, 32));
    store_read(ram, 0x20, out, 32);
    ck_assert(all(out, 0, 32));
    CpuOp op;
    int n = 0;
    cpu_memcpy_io(r.p, 0, 0x1000, 0x60, 32, CPU_COPY_SRC_CACHED, 0, &op,
                  count, &n);
    sim_run(platform_sim(r.p));
    ck_assert_int_eq(op.result, ROUTE_OK);
    ck_assert_uint_eq(op.writebacks, 1); /* way 1: 0x20's line */
    store_read(ram, 0x20, out, 32);
    ck_assert(all(out, 0x22, 32));
    unrig(&r);
}
END_TEST

/* A coherent platform has no cache that holds data: the driver's stores
 * reach memory at once and a copy's ends are bus transactions. */
START_TEST(coherent_has_no_cache)
{
    Rig r;
    rig(&r, "true");
    ck_assert(!cpu_caches(r.p, 0));
    uint8_t a[32], out[32];
    memset(a, 0x33, sizeof a);
    ck_assert(cpu_store_now(r.p, 0, 0x100, a, 32));
    Store *ram = regions_store(platform_regions(r.p, 1), 0);
    store_read(ram, 0x100, out, 32);
    ck_assert(all(out, 0x33, 32));
    unrig(&r);
}
END_TEST

Suite *cpu_suite(void)
{
    Suite *s = suite_create("cpu");
    TCase *tc = tcase_create("ops");
    tcase_add_test(tc, call_cost);
    tcase_add_test(tc, cache_lines);
    tcase_add_test(tc, memcpy_lines);
    tcase_add_test(tc, pio_registers);
    tcase_add_test(tc, cores_queue);
    tcase_add_test(tc, dcache_ways);
    tcase_add_test(tc, cached_copy_and_maintenance);
    tcase_add_test(tc, eviction_writes_back);
    tcase_add_test(tc, coherent_has_no_cache);
    suite_add_tcase(s, tc);
    return s;
}
