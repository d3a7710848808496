/* models/cpu: the CPU's software cost, cache maintenance and memcpy. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "models/cpu.h"
#include "models/regions.h"
#include "testutil.h"

/* CPU at 400 MHz (2.5 ns), 128-bit PLB at 100 MHz, DDR SDRAM on the PLB
 * clock (check_platform.c has the bus formula's numbers). */
static const char *const YAML =
    "name: t\naddress_bits: 36\nclocks: {cpu: 400MHz, plb: 100MHz}\n"
    "kernel: {coherent: %s}\n"
    "buses: [{name: plb, kind: plb, clock: plb, width: 128}]\n"
    "components:\n"
    "  - {name: cpu, kind: cpu, bus: plb, clock: cpu, cores: %u}\n"
    "  - {name: ram, kind: sdram, bus: plb, base: 0, size: 64MiB}\n";

typedef struct Rig {
    Diag d;
    Topology *t;
    Platform *p;
} Rig;

static void rig_cores(Rig *r, const char *coherent, unsigned cores)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml, YAML, coherent, cores);
    diag_init(&r->d);
    r->t = tu_load(yaml, &r->d);
    ck_assert_msg(r->t != NULL, "%s", tu_first(&r->d, SEV_FATAL));
    r->p = platform_new(r->t);
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

Suite *cpu_suite(void)
{
    Suite *s = suite_create("cpu");
    TCase *tc = tcase_create("ops");
    tcase_add_test(tc, call_cost);
    tcase_add_test(tc, cache_lines);
    tcase_add_test(tc, memcpy_lines);
    tcase_add_test(tc, pio_registers);
    tcase_add_test(tc, cores_queue);
    suite_add_tcase(s, tc);
    return s;
}
