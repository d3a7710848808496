#define _DEFAULT_SOURCE /* realpath */
/* sim/scenario, sim/oracle and sim/runner: the scenario loader's errors
 * with their exact messages and positions, every oracle class triggered
 * on purpose, bounce accounting, expectations, and determinism. */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/run/runner.h"
#include "testutil.h"

/* The absolute path of a shipped topology. */
static const char *topo(const char *name)
{
    static char path[PATH_MAX];
    char rel[128];
    snprintf(rel, sizeof rel, "topologies/%s.yaml", name);
    ck_assert_ptr_nonnull(realpath(rel, path));
    return path;
}

/* Writes a scenario "s.yaml" whose text has %s where the topology's
 * path goes. */
static const char *scen(const char *fmt, const char *topology)
{
    char text[4096];
    snprintf(text, sizeof text, fmt, topo(topology));
    return tu_write("s.yaml", text);
}

static Scenario *load(const char *file, Diag *d)
{
    diag_init(d);
    return scenario_load(file, d);
}

#define ck_scen_error(fmt, topology, where_what)                              \
    do {                                                                      \
        Diag d_;                                                              \
        Scenario *s_ = load(scen(fmt, topology), &d_);                        \
        ck_assert_ptr_null(s_);                                               \
        ck_assert_str_eq(tu_first(&d_, SEV_FATAL), "s.yaml:" where_what);     \
        diag_free(&d_);                                                       \
    } while (0)

/* ---- the loader ------------------------------------------------------------ */

START_TEST(loads_library_scenario)
{
    Diag d;
    Scenario *s = load("scenarios/ioremap-target.yaml", &d);
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s->name, "ioremap-target");
    ck_assert_uint_eq(s->n_schemes, 4); /* every scheme, by default */
    ck_assert_uint_eq(s->n_buffers, 2);
    ck_assert_int_eq(s->buffers[1].kind, BUF_MMIO);
    ck_assert_int_eq(s->buffers[1].region, 0);
    ck_assert_uint_eq(s->buffers[1].offset, 0x1000);
    ck_assert_uint_eq(s->n_streams, 1);
    ck_assert_uint_eq(s->streams[0].ops[0].repeat, 16);
    ck_assert_uint_eq(s->streams[0].ops[0].len, 65536);
    ck_assert_int_eq(s->streams[0].ops[0].engine_comp,
                     topo_find_comp(s->topo, "dma0"));
    const ExpectParams *e = scenario_expect(s, "struct");
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->min_throughput, 200000000);
    scenario_free(s);
    diag_free(&d);
}
END_TEST

START_TEST(loader_errors)
{
    /* ioremap refuses system RAM (the kernel maps it its own way) */
    ck_scen_error("name: t\ntopology: %s\n"
                  "buffers: {a: {alloc: kmalloc, size: 4KiB}, "
                  "r: {mmio: sdram, size: 4KiB}}\n"
                  "workload: [{op: copy, from: a, to: r}]\n",
                  "ebony",
                  "3:54: buffers.r.mmio: 'sdram' is system RAM, which "
                  "ioremap refuses (Linux maps RAM only through its own "
                  "allocators): use alloc: kmalloc, vmalloc or coherent");
    /* phys: kmalloc and coherent memory only */
    ck_scen_error("name: t\ntopology: %s\n"
                  "buffers: {a: {alloc: vmalloc, size: 4KiB, phys: 0x10_0000}}\n"
                  "workload: [{op: copy, from: a, to: a}]\n",
                  "ebony",
                  "3:49: buffers.a.phys: phys places kmalloc and coherent "
                  "buffers, not vmalloc ones");
    ck_scen_error("name: t\ntopology: %s\n"
                  "buffers: {a: {mmio: card, size: 4KiB, phys: 0x10_0000}}\n"
                  "workload: [{op: copy, from: a, to: a}]\n",
                  "ebony",
                  "3:14: buffers.a: phys belongs to kmalloc and coherent "
                  "buffers: device memory is where its region is");
    /* zone: kmalloc and coherent memory only, one of Linux's zones */
    ck_scen_error("name: t\ntopology: %s\n"
                  "buffers: {a: {alloc: kmalloc, size: 4KiB, zone: high}}\n"
                  "workload: [{op: copy, from: a, to: a}]\n",
                  "ebony",
                  "3:49: buffers.a.zone: zone is 'dma', 'dma32' or 'normal', "
                  "not 'high' (highmem is alloc: highmem)");
    ck_scen_error("name: t\ntopology: %s\n"
                  "buffers: {a: {alloc: vmalloc, size: 4KiB, zone: dma}}\n"
                  "workload: [{op: copy, from: a, to: a}]\n",
                  "ebony",
                  "3:49: buffers.a.zone: zone places kmalloc and coherent "
                  "buffers, not vmalloc ones");
    /* align packs small kmalloc buffers; busy buffers are the CPU's */
    ck_scen_error("name: t\ntopology: %s\n"
                  "buffers: {a: {alloc: kmalloc, size: 20, align: 3}}\n"
                  "workload: [{op: copy, from: a, to: a}]\n",
                  "ebony",
                  "3:48: buffers.a.align: align must be a power of two from "
                  "1 to 4096, not 3");
    ck_scen_error("name: t\ntopology: %s\n"
                  "buffers: {a: {alloc: vmalloc, size: 20, align: 4}}\n"
                  "workload: [{op: copy, from: a, to: a}]\n",
                  "ebony",
                  "3:48: buffers.a.align: align packs small kmalloc buffers "
                  "together; it does not go with vmalloc");
    ck_scen_error("name: t\ntopology: %s\n"
                  "buffers: {a: {mmio: card, size: 4KiB, busy: true}}\n"
                  "workload: [{op: copy, from: a, to: a}]\n",
                  "ebony",
                  "3:14: buffers.a: busy belongs to buffers in memory "
                  "(alloc)");
    ck_scen_error("name: t\ntopology: %s\n"
                  "buffers: {a: {alloc: kmalloc, size: 20, busy: true},\n"
                  "          b: {alloc: kmalloc, size: 20}}\n"
                  "workload: [{op: copy, from: b, to: a}]\n",
                  "ebony",
                  "5:36: workload.0.to: 'a' is busy: the CPU keeps storing "
                  "to it, so no operation copies from or to it");
    /* two buffers sharing device bytes, or one FIFO */
    ck_scen_error("name: t\ntopology: %s\n"
                  "buffers:\n"
                  "  a: {mmio: card, offset: 0x1000, size: 8KiB}\n"
                  "  b: {mmio: card, offset: 0x2000, size: 4KiB}\n"
                  "workload: [{op: copy, from: a, to: b}]\n",
                  "ebony",
                  "5:3: buffers.b: 'card' region 0 bytes 0x2000..0x2fff are "
                  "also buffer 'a' (0x1000..0x2fff): buffers may not "
                  "overlap");
    ck_scen_error("name: t\ntopology: %s\n"
                  "buffers:\n"
                  "  a: {alloc: kmalloc, size: 4KiB}\n"
                  "  t1: {fifo: uart0}\n"
                  "  t2: {fifo: uart0}\n"
                  "workload: [{op: copy, from: a, to: t1}]\n",
                  "ebony",
                  "6:3: buffers.t2: buffer 't1' is already FIFO region 0 of "
                  "'uart0': name it once");
    /* side by side is fine */
    Diag d;
    Scenario *s = load(scen("name: t\ntopology: %s\n"
                            "buffers:\n"
                            "  a: {mmio: card, offset: 0x1000, size: 4KiB}\n"
                            "  b: {mmio: card, offset: 0x2000, size: 4KiB}\n"
                            "workload: [{op: copy, from: a, to: b}]\n",
                            "ebony"),
                       &d);
    ck_assert_ptr_nonnull(s);
    scenario_free(s);
    diag_free(&d);
    ck_scen_error("name: t\ntopology: %s\nschemes: [flat, flatt]\n"
                  "buffers: {a: {alloc: kmalloc, size: 4KiB}}\n"
                  "workload: [{op: copy, from: a, to: a}]\n",
                  "ebony",
                  "3:17: schemes.1: unknown scheme 'flatt' (known: flat, "
                  "flat-bounce, struct, linux)");
    ck_scen_error("name: t\ntopology: %s\n"
                  "buffers: {a: {alloc: kmallok, size: 4KiB}}\n"
                  "workload: [{op: copy, from: a, to: a}]\n",
                  "ebony",
                  "3:22: buffers.a.alloc: unknown alloc 'kmallok' (known: "
                  "kmalloc, vmalloc, coherent, highmem, cma)");
    ck_scen_error("name: t\ntopology: %s\n"
                  "buffers: {a: {size: 4KiB}}\n"
                  "workload: [{op: copy, from: a, to: a}]\n",
                  "ebony",
                  "3:14: buffers.a: a buffer needs alloc (kmalloc, vmalloc, "
                  "coherent, highmem, cma), mmio: DEVICE or fifo: DEVICE");
    ck_scen_error("name: t\ntopology: %s\n"
                  "buffers: {a: {alloc: kmalloc, size: 4KiB}}\n"
                  "workload: [{op: copy, from: a, to: b}]\n",
                  "ebony", "4:36: workload.0.to: no buffer 'b'");
    ck_scen_error("name: t\ntopology: %s\n"
                  "buffers: {a: {alloc: kmalloc, size: 4KiB}, "
                  "b: {alloc: kmalloc, size: 4KiB}}\n"
                  "workload: [{op: copy, from: a, to: b, engine: sdram}]\n",
                  "ebony", "4:47: workload.0.engine: 'sdram' is not a DMA "
                           "master");
    /* Ebony's card is a device master without memcpy: it moves data
     * between its own memory and others', not RAM to RAM. */
    ck_scen_error("name: t\ntopology: %s\n"
                  "buffers: {a: {alloc: kmalloc, size: 4KiB}, "
                  "b: {alloc: kmalloc, size: 4KiB}}\n"
                  "workload: [{op: copy, from: a, to: b, engine: card}]\n",
                  "ebony", "4:47: workload.0.engine: 'card' is no copy "
                           "engine: it moves data between its own regions "
                           "and other memory, and neither 'a' nor 'b' is its "
                           "own (a device master that copies memory to "
                           "memory says memcpy: true)");
    ck_scen_error("name: t\ntopology: %s\n"
                  "buffers: {a: {alloc: kmalloc, size: 4KiB}, "
                  "b: {alloc: kmalloc, size: 8KiB}}\n"
                  "workload: [{op: copy, from: a, to: b, size: 8KiB}]\n",
                  "ebony", "4:12: workload.0: size 8 KiB is more than 'a' "
                           "holds");
    ck_scen_error("name: t\ntopology: %s\n"
                  "buffers: {a: {mmio: card, offset: 16MiB}}\n"
                  "workload: [{op: copy, from: a, to: a}]\n",
                  "ebony", "3:11: buffers.a: offset 0x1000000 is past the "
                           "end of 'card' region 0 (16777216 bytes)");
    ck_scen_error("name: t\ntopology: %s\n"
                  "buffers: {a: {fifo: card}}\n"
                  "workload: [{op: copy, from: a, to: a}]\n",
                  "ebony", "3:21: buffers.a.fifo: 'card' has no fifo region");
    ck_scen_error("name: t\ntopology: %s\n"
                  "buffers: {a: {alloc: kmalloc, size: 4KiB}, "
                  "b: {alloc: kmalloc, size: 4KiB}}\n"
                  "workload: [{op: copy, from: a, to: b}]\n"
                  "streams: [{workload: [{op: copy, from: a, to: b}]}]\n",
                  "ebony", "1:1: <document>: give workload or streams, not "
                           "both");
    ck_scen_error("name: t\ntopology: %s\nschemes: [flat]\n"
                  "buffers: {a: {alloc: kmalloc, size: 4KiB}, "
                  "b: {alloc: kmalloc, size: 4KiB}}\n"
                  "workload: [{op: copy, from: a, to: b}]\n"
                  "expect: {struct: {correct: true}}\n",
                  "ebony", "6:10: expect.struct: an expectation for scheme "
                           "'struct', which the scenario does not run");
    ck_scen_error("name: t\ntopology: %s\n"
                  "buffers: {a: {alloc: kmalloc, size: 4KiB}, "
                  "b: {alloc: kmalloc, size: 4KiB}}\n"
                  "workload: [{op: copy, from: a, to: b}]\n"
                  "expect: {flat: {min_throughput: 100MiB/s}}\n",
                  "ebony", "5:33: expect.flat.min_throughput: '100MiB/s': "
                           "unknown unit 'MiB/s' (rates take B/s, kB/s, MB/s "
                           "or GB/s)");
    ck_scen_error("name: t\ntopology: no-such.yaml\n"
                  "buffers: {a: {alloc: kmalloc, size: 4KiB}}\n"
                  "workload: [{op: copy, from: a, to: a}]\n# %s\n",
                  "ebony", "2:11: topology: cannot open topology "
                           "'no-such.yaml': No such file or directory");
}
END_TEST

/* ---- runs and the oracle --------------------------------------------------- */

static void run_lib(const char *file, const char *scheme, SchemeResult *r)
{
    Diag d;
    Scenario *s = load(file, &d);
    ck_assert_ptr_nonnull(s);
    ck_assert(run_scheme(s, dma_api_find(scheme), r, &d));
    char why[300];
    ck_assert_msg(expect_check(s, r, why, sizeof why), "%s", why);
    /* The reports point into the scenario: keep only the counts. */
    for (size_t i = 0; i < r->n_ops; i++)
        r->ops[i].op = NULL;
    scenario_free(s);
    diag_free(&d);
}

/* Bus errors: flat's ioremap address dies on the PLB; the 16 transfers
 * each end at their first burst. */
START_TEST(oracle_bus_errors)
{
    SchemeResult r;
    run_lib("scenarios/ioremap-target.yaml", "flat", &r);
    ck_assert(!r.correct && !r.silent);
    ck_assert_uint_eq(r.bus_errors, 16);
    ck_assert_uint_eq(r.bytes_misdirected, 0);
    ck_assert_uint_eq(r.bytes_ok + r.bytes_wrong, 16 * 65536);
    ck_assert_uint_eq(r.n_reasons, 1);
    ck_assert_str_eq(r.reasons[0].text, "dma0: master abort on plb: nothing "
                                        "decodes 0x1100_0000 in memory space");
    scheme_result_free(&r);
}
END_TEST

/* Misdirected and silent: flat's handles for dma0 carry the PCI offset and
 * land in the card's memory through the outbound window: `data`, kmalloc'ed
 * at 0x100_4000 after the 16 KiB coherent ring, becomes PLB 0x8100_4000,
 * PCI 0xC100_4000, the card's memory at +0x100_4000. */
START_TEST(oracle_misdirected_silent)
{
    SchemeResult r;
    run_lib("scenarios/coherent-null.yaml", "flat", &r);
    ck_assert(!r.correct && r.silent);
    ck_assert_uint_eq(r.bytes_misdirected, 4 * 16384);
    ck_assert_uint_eq(r.bus_errors, 0);
    ck_assert_str_eq(r.misdirected_at, "card region 0 +0x100_4000, written "
                                       "by dma0");
    scheme_result_free(&r);
}
END_TEST

/* API errors: struct refuses, with the reason, and moves nothing. */
START_TEST(oracle_api_errors)
{
    SchemeResult r;
    run_lib("scenarios/cant-get-there.yaml", "struct", &r);
    ck_assert(!r.correct && !r.silent);
    ck_assert_uint_eq(r.api_errors, 1);
    ck_assert_uint_eq(r.bytes_wrong, 4096);
    ck_assert_uint_eq(r.sim_time, 0);
    ck_assert_str_eq(r.reasons[0].kind, "api");
    scheme_result_free(&r);
    /* flat: posted writes lost beyond the host bridge, nobody told. */
    run_lib("scenarios/cant-get-there.yaml", "flat", &r);
    ck_assert(r.silent);
    ck_assert_uint_eq(r.posted_lost, 4096 / 8);
    scheme_result_free(&r);
}
END_TEST

/* Bounces are counted and cost time: flat-bounce's CPU copy of the
 * ioremap target is slower than struct's DMA of the same bytes. */
START_TEST(bounce_accounting)
{
    SchemeResult b, s;
    run_lib("scenarios/ioremap-target.yaml", "flat-bounce", &b);
    run_lib("scenarios/ioremap-target.yaml", "struct", &s);
    ck_assert(b.correct && s.correct);
    ck_assert_uint_eq(b.bounce_bytes, 16 * 65536);
    ck_assert_uint_eq(s.bounce_bytes, 0);
    ck_assert_uint_eq(b.bytes_ok, s.bytes_ok);
    ck_assert_uint_gt(b.sim_time, s.sim_time);
    ck_assert_int_eq(b.ops[0].engine, ENGINE_CPU);
    /* The masters' view: flat-bounce ran no DMA; struct's DMA moved every
     * byte, in less than the whole time (the API calls are not DMA). */
    ck_assert_uint_eq(b.dma_bytes, 0);
    ck_assert_uint_eq(b.dma_busy, 0);
    ck_assert(b.dma_throughput_MBps == 0);
    ck_assert_uint_eq(s.dma_bytes, 16 * 65536);
    ck_assert_uint_lt(s.dma_busy, s.sim_time);
    ck_assert(s.dma_throughput_MBps ==
              (double)s.dma_bytes * 1e6 / (double)s.dma_busy);
    ck_assert(s.dma_throughput_MBps > s.throughput_MBps);
    scheme_result_free(&b);
    scheme_result_free(&s);
    /* A RAM end that is bounced keeps the engine: vmalloc under
     * flat-bounce copies into kmalloc memory and the card still DMAs. */
    run_lib("scenarios/vmalloc.yaml", "flat-bounce", &b);
    ck_assert(b.correct);
    ck_assert_uint_eq(b.bounce_bytes, 4 * 65536);
    ck_assert_int_ge(b.ops[0].engine, 0);
    scheme_result_free(&b);
}
END_TEST

/* Baseline: the schemes program identical addresses, so the timed
 * hardware gives identical times. */
START_TEST(baseline_same_everywhere)
{
    SchemeResult r[3];
    const char *names[3] = {"flat", "flat-bounce", "struct"};
    for (int i = 0; i < 3; i++) {
        run_lib("scenarios/baseline.yaml", names[i], &r[i]);
        ck_assert(r[i].correct);
    }
    ck_assert_uint_eq(r[0].sim_time, r[1].sim_time);
    ck_assert_uint_eq(r[0].sim_time, r[2].sim_time);
    /* No bus ever busier than its whole time. */
    for (size_t b = 0; b < r[0].n_buses; b++)
        ck_assert(r[0].bus_util[b] >= 0 && r[0].bus_util[b] <= 1.0);
    for (int i = 0; i < 3; i++)
        scheme_result_free(&r[i]);
}
END_TEST

/* Runs `streams` streams on the topology `topo`, each copying 64 KiB
 * kmalloc to kmalloc `repeat` times with `engine` (dma0's channel is the
 * stream's index), under struct; the result must be correct. */
static void copy_streams(const char *topo, unsigned streams,
                         const char *engine, unsigned repeat, SchemeResult *r)
{
    char text[4096];
    size_t k = (size_t)snprintf(text, sizeof text,
                                "name: t\ntopology: %s\nschemes: [struct]\n"
                                "buffers: {",
                                topo);
    for (unsigned i = 0; i < streams; i++)
        k += (size_t)snprintf(text + k, sizeof text - k,
                              "%sa%u: {alloc: kmalloc, size: 64KiB}, "
                              "b%u: {alloc: kmalloc, size: 64KiB}",
                              i ? ", " : "", i, i);
    k += (size_t)snprintf(text + k, sizeof text - k, "}\nstreams:\n");
    for (unsigned i = 0; i < streams; i++)
        k += (size_t)snprintf(text + k, sizeof text - k,
                              "  - {workload: [{op: copy, from: a%u, to: b%u, "
                              "engine: %s, repeat: %u}]}\n",
                              i, i, engine, repeat);
    Diag d;
    Scenario *s = load(tu_write("s.yaml", text), &d);
    ck_assert_msg(s != NULL, "%s", tu_first(&d, SEV_FATAL));
    ck_assert(run_scheme(s, dma_api_find("struct"), r, &d));
    ck_assert(r->correct);
    scenario_free(s);
    diag_free(&d);
}

/* The simulated time of copies by the CPU on Ebony with `cores` cores, in
 * `streams` streams of four 64 KiB copies each. */
static SimTime cpu_copies(unsigned cores, unsigned streams)
{
    char topo_text[4096];
    char *ebony = NULL;
    size_t n = 0;
    FILE *fp = fopen("topologies/ebony.yaml", "r");
    ck_assert_ptr_nonnull(fp);
    ck_assert_int_eq(getdelim(&ebony, &n, '\0', fp) > 0, 1);
    fclose(fp);
    /* the same board, its CPU with `cores` cores, and coherent: what the
     * cores share is then only themselves and the buses (a cache that
     * holds data would make one stream's copies hit or miss on the
     * other's lines) */
    const char *at = strstr(ebony, "clock: cpu}");
    const char *k = strstr(ebony, "kernel:\n");
    ck_assert_ptr_nonnull(at);
    ck_assert_ptr_nonnull(k);
    ck_assert(k < at);
    k += strlen("kernel:\n");
    snprintf(topo_text, sizeof topo_text,
             "%.*s  coherent: true\n%.*sclock: cpu, cores: %u}%s",
             (int)(k - ebony), ebony, (int)(at - k), k, cores,
             at + strlen("clock: cpu}"));
    free(ebony);
    char topo_path[PATH_MAX];
    snprintf(topo_path, sizeof topo_path, "%s",
             tu_write("cores.yaml", topo_text));
    SchemeResult r;
    copy_streams(topo_path, streams, "cpu", 4, &r);
    SimTime t = r.sim_time;
    scheme_result_free(&r);
    return t;
}

/* `streams` streams, each copying 64 KiB once with dma0, on Ebony. */
static void dma_streams(unsigned streams, SchemeResult *r)
{
    char topo[PATH_MAX];
    ck_assert_ptr_nonnull(realpath("topologies/ebony.yaml", topo));
    copy_streams(topo, streams, "dma0", 1, r);
}

/* DMA busy time is the time at least one transfer ran, not their sum:
 * two streams on two channels of dma0 start together and overlap, so
 * their busy time is more than one stream's (they share the PLB and
 * SDRAM) and less than twice it, while their bytes double. */
START_TEST(dma_busy_is_a_union)
{
    SchemeResult one, two;
    dma_streams(1, &one);
    dma_streams(2, &two);
    ck_assert_uint_eq(one.dma_bytes, 65536);
    ck_assert_uint_eq(two.dma_bytes, 2 * 65536);
    ck_assert_uint_gt(two.dma_busy, one.dma_busy);
    ck_assert_uint_lt(two.dma_busy, 2 * one.dma_busy);
    ck_assert_uint_le(two.dma_busy, two.sim_time);
    /* Both PLB data paths are busy at once (reads and writes added, 136 %
     * of the time): the busy row is the busier path's, never above all
     * of it. */
    for (size_t b = 0; b < two.n_buses; b++)
        ck_assert(two.bus_util[b] >= 0 && two.bus_util[b] <= 1.0);
    ck_assert(two.bus_util[0] > 0.5);
    scheme_result_free(&one);
    scheme_result_free(&two);
}
END_TEST

/* The CPU is one resource: two streams of CPU copies on one core take
 * twice as long as one, since every step of one waits for the other's;
 * on two cores, about as long as one, less what they take from each
 * other on the PLB and in SDRAM. */
START_TEST(cpu_is_one_resource)
{
    double one = (double)cpu_copies(1, 1);
    double two = (double)cpu_copies(1, 2);
    double two_cores = (double)cpu_copies(2, 2);
    ck_assert_msg(two > 1.98 * one && two < 2.02 * one, "%.0f vs %.0f", two,
                  one);
    ck_assert_msg(two_cores >= one && two_cores < 1.5 * one, "%.0f vs %.0f",
                  two_cores, one);
    /* a third stream on two cores waits for one of them */
    double three = (double)cpu_copies(2, 3);
    ck_assert_msg(three > 1.4 * one, "%.0f vs %.0f", three, one);
}
END_TEST

/* An expectation that does not hold says why. */
START_TEST(expectations)
{
    Diag d;
    Scenario *s = load(scen("name: t\ntopology: %s\n"
                            "schemes: [flat, flat-bounce, struct]\n"
                            "buffers: {a: {alloc: kmalloc, size: 64KiB}, "
                            "b: {alloc: kmalloc, size: 64KiB}}\n"
                            "workload: [{op: copy, from: a, to: b, "
                            "engine: auto}]\n"
                            "expect:\n"
                            "  flat: {correct: false}\n"
                            "  struct: {correct: true, min_throughput: "
                            "10GB/s}\n"
                            "  flat-bounce: {engine: cpu0}\n",
                            "ebony"),
                       &d);
    ck_assert_ptr_nonnull(s);
    for (size_t i = 0; i < s->n_schemes; i++) {
        SchemeResult r;
        ck_assert(run_scheme(s, dma_api_find(s->schemes[i]), &r, &d));
        ck_assert(r.correct);
        char why[300];
        bool ok = expect_check(s, &r, why, sizeof why);
        ck_assert(!ok);
        if (i == 0)
            ck_assert_str_eq(why, "correct is true, expected false");
        else if (i == 1)
            ck_assert_str_eq(why, "workload.0 ran on dma0, expected cpu0");
        else
            ck_assert_ptr_nonnull(strstr(why, "expected at least 10000.0 "
                                              "MB/s"));
        scheme_result_free(&r);
    }
    scenario_free(s);
    diag_free(&d);
}
END_TEST

/* ---- caches that hold data ------------------------------------------------- */

/* A driver that skips the sync (scenarios/cache-no-sync.yaml): the card
 * reads tx from memory while the CPU's cache holds all 4 KiB of it dirty,
 * then writes the card's bytes back into tx while those dirty lines
 * still hold what the driver wrote, so the driver reads them stale.
 * Every byte of both copies is wrong but those equal by chance (memory
 * held other seeded bytes before), and each wrong byte was read stale. */
START_TEST(cache_skipped_sync)
{
    const char *names[] = {"flat", "struct", "linux"};
    for (size_t i = 0; i < 3; i++) {
        SchemeResult r;
        run_lib("scenarios/cache-no-sync.yaml", names[i], &r);
        ck_assert(!r.correct && r.silent);
        ck_assert_uint_gt(r.bytes_wrong, 8192 - 64);
        ck_assert_uint_eq(r.cache_stale, r.bytes_wrong);
        ck_assert_uint_eq(r.n_reasons, 2);
        ck_assert_str_eq(r.reasons[0].text,
                         "workload.0: card read stale memory under bytes "
                         "0-4095 of tx: the CPU's cache held them dirty (no "
                         "write-back before the DMA)");
        ck_assert_str_eq(r.reasons[1].text,
                         "workload.1: the CPU read bytes 0-4095 of tx from "
                         "stale cache lines (memory held the new bytes: no "
                         "invalidate after the DMA)");
        scheme_result_free(&r);
    }
}
END_TEST

/* A small buffer beside counters the CPU keeps writing
 * (scenarios/cache-neighbour.yaml): rx lies 20 bytes into a 32-byte
 * line whose first 20 bytes are the counters.  Under 2004's sync each of
 * the 4 copies invalidates that line and loses the counters' newest 20
 * bytes (misdirected); the first copy's driver reads rx's first 12 bytes
 * from the line the counters' store brought back from memory while the
 * card wrote (the later copies bring the same bytes, and read them
 * right).  Linux aligns kmalloc to the line: nothing is shared. */
START_TEST(cache_shared_line)
{
    SchemeResult r;
    run_lib("scenarios/cache-neighbour.yaml", "flat", &r);
    ck_assert(!r.correct && r.silent);
    ck_assert_uint_eq(r.bytes_misdirected, 4 * 20);
    ck_assert_uint_eq(r.bytes_wrong, 12);
    ck_assert_uint_eq(r.cache_stale, 12);
    ck_assert_uint_eq(r.n_reasons, 2);
    ck_assert_str_eq(r.reasons[0].text,
                     "buffers.counters: bytes the CPU stored were lost (a "
                     "cache line it shares with a DMA buffer was "
                     "invalidated, or written over)");
    ck_assert_uint_eq(r.reasons[0].count, 4);
    ck_assert_str_eq(r.reasons[1].text,
                     "workload.0: the CPU read bytes 0-11 of rx from stale "
                     "cache lines (memory held the new bytes: no invalidate "
                     "after the DMA)");
    scheme_result_free(&r);
    run_lib("scenarios/cache-neighbour.yaml", "linux", &r);
    ck_assert(r.correct);
    ck_assert_uint_eq(r.cache_stale, 0);
    scheme_result_free(&r);
}
END_TEST

/* Bursts on every bus for `ops` copies of the same 4 KiB kmalloc source
 * into the card's memory by the card, on non-coherent Ebony (struct). */
static uint64_t source_bursts(unsigned ops)
{
    char text[1024];
    snprintf(text, sizeof text,
             "name: t\ntopology: %%s\nbuffers:\n"
             "  tx: {alloc: kmalloc, size: 4KiB}\n"
             "  a: {mmio: card, size: 4KiB}\n"
             "  b: {mmio: card, offset: 64KiB, size: 4KiB}\n"
             "workload:\n  - {op: copy, from: tx, to: a, engine: card}\n%s",
             ops > 1 ? "  - {op: copy, from: tx, to: b, engine: card}\n" : "");
    Diag d;
    Scenario *s = load(scen(text, "ebony"), &d);
    ck_assert_ptr_nonnull(s);
    SchemeResult r;
    ck_assert(run_scheme(s, dma_api_find("struct"), &r, &d));
    ck_assert(r.correct);
    uint64_t n = r.bursts;
    scheme_result_free(&r);
    scenario_free(s);
    diag_free(&d);
    return n;
}

/* The driver writes a source before its first copy, so the map's clean
 * writes its 128 dirty 32-byte lines back, a PLB burst each; a second
 * copy of the same bytes finds them in the cache already and writes
 * nothing: its bursts are the first copy's less those 128. */
START_TEST(cache_source_written_once)
{
    uint64_t one = source_bursts(1), two = source_bursts(2);
    ck_assert_uint_eq(two, 2 * one - 128);
}
END_TEST

Suite *scenario_suite(void)
{
    Suite *s = suite_create("scenario");
    TCase *tc = tcase_create("loader");
    tcase_add_test(tc, loads_library_scenario);
    tcase_add_test(tc, loader_errors);
    suite_add_tcase(s, tc);
    tc = tcase_create("oracle");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, oracle_bus_errors);
    tcase_add_test(tc, oracle_misdirected_silent);
    tcase_add_test(tc, oracle_api_errors);
    tcase_add_test(tc, bounce_accounting);
    tcase_add_test(tc, baseline_same_everywhere);
    tcase_add_test(tc, cpu_is_one_resource);
    tcase_add_test(tc, cache_skipped_sync);
    tcase_add_test(tc, cache_shared_line);
    tcase_add_test(tc, cache_source_written_once);
    tcase_add_test(tc, dma_busy_is_a_union);
    tcase_add_test(tc, expectations);
    suite_add_tcase(s, tc);
    return s;
}
