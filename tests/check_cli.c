/* End to end: build/dmasim (or $DMASIM) as a user runs it; exit codes,
 * messages, and JSON read back with a real parser (json-c). */
#define _DEFAULT_SOURCE /* realpath */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

typedef struct Run {
    int status;
    char *out, *err;
} Run;

static Run run(const char *const *args)
{
    Run r;
    r.status = tu_run(&r.out, &r.err, args);
    return r;
}

static void run_free(Run *r)
{
    free(r->out);
    free(r->err);
}

static json_object *parse(const char *text)
{
    json_object *j = json_tokener_parse(text);
    ck_assert_msg(j != NULL, "not JSON:\n%s", text);
    return j;
}

static json_object *get(json_object *o, const char *key)
{
    json_object *v = NULL;
    ck_assert_msg(json_object_object_get_ex(o, key, &v), "no key '%s' in %s",
                  key, json_object_to_json_string(o));
    return v;
}

static const char *get_str(json_object *o, const char *key)
{
    json_object *v = get(o, key);
    ck_assert(json_object_is_type(v, json_type_string));
    return json_object_get_string(v);
}

/* The object has exactly these keys, in any order. */
static void keys_are(json_object *o, const char *const *keys)
{
    size_t n = 0;
    for (; keys[n]; n++)
        get(o, keys[n]);
    ck_assert_int_eq(json_object_object_length(o), (int)n);
}

/* ---- check ------------------------------------------------------------ */

START_TEST(check_clean)
{
    Run r = run((const char *[]){"check", "topologies/ebony.yaml",
                                 "topologies/walnut.yaml", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "topologies/ebony.yaml: clean (3 buses, 8 "
                            "components)\ntopologies/walnut.yaml: clean (3 "
                            "buses, 7 components)\n");
    ck_assert_str_eq(r.err, "");
    run_free(&r);
}
END_TEST

START_TEST(check_warnings_and_strict)
{
    Run r = run((const char *[]){"check", "topologies/highmem.yaml", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "warning: card32's 32-bit dma_mask "
                                        "reaches 0 bytes of the 2 GiB of "
                                        "sdram-high"));
    run_free(&r);
    r = run((const char *[]){"check", "--strict", "topologies/highmem.yaml",
                             NULL});
    ck_assert_int_eq(r.status, 1);
    run_free(&r);
}
END_TEST

START_TEST(check_errors)
{
    const char *p = tu_write("overlap.yaml",
                             "name: t\nclocks: {c: 1MHz}\n"
                             "buses: [{name: b, kind: plb, clock: c}]\n"
                             "components:\n"
                             "  - {name: a, kind: sdram, bus: b, base: 0, "
                             "size: 1MiB}\n"
                             "  - {name: z, kind: sram, bus: b, base: "
                             "0x1_0000_0000, size: 1MiB}\n");
    Run r = run((const char *[]){"check", p, NULL});
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.out, "overlap.yaml:6:5: components.1: "
                                        "error: region at 0x1_0000_0000 "
                                        "(1 MiB) does not fit in b's 32-bit "
                                        "memory space"));
    ck_assert_ptr_nonnull(strstr(r.out, ": 1 error, 0 warnings\n"));
    run_free(&r);

    /* route refuses a topology with errors, as bad input. */
    r = run((const char *[]){"route", p, "--from", "a", "--addr", "0", NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "error: region at 0x1_0000_0000"));
    ck_assert_ptr_nonnull(strstr(r.err, "the topology has errors"));
    run_free(&r);
}
END_TEST

START_TEST(check_bad_input)
{
    const char *p = tu_write("bad.yaml", "name: t\nclocks: {c: 1 MHz}\n"
                                         "buses: [{name: b, kind: plb, "
                                         "clock: c, speed: 3}]\n"
                                         "components: []\n");
    Run r = run((const char *[]){"check", "topologies/ebony.yaml", p, NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "bad.yaml:3:40: buses.0: unknown key "
                                        "'speed' (known here: name, kind, "
                                        "clock, width, address_bits, "
                                        "arb_cycles, addr_cycles, dac_cycles, "
                                        "turnaround_cycles, max_burst, "
                                        "abort_cycles, latency_timer, "
                                        "arbitration, split_read_write, "
                                        "address_pipelining, "
                                        "max_read_byte_count, adb, "
                                        "retry_poll_cycles)\n"));
    /* The good file is still reported. */
    ck_assert_ptr_nonnull(strstr(r.out, "ebony.yaml: clean"));
    run_free(&r);

    r = run((const char *[]){"check", "/no/such/file.yaml", NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, "/no/such/file.yaml:1:1: <document>: cannot "
                            "open: No such file or directory\n");
    run_free(&r);
}
END_TEST

START_TEST(check_json)
{
    Run r = run((const char *[]){"check", "--json", "topologies/ebony.yaml",
                                 "topologies/highmem.yaml", NULL});
    ck_assert_int_eq(r.status, 0);
    json_object *j = parse(r.out);
    keys_are(j, (const char *[]){"files", "errors", "warnings", "bad_input",
                                 NULL});
    ck_assert_int_eq(json_object_get_int(get(j, "warnings")), 1);
    json_object *files = get(j, "files");
    ck_assert_int_eq(json_object_array_length(files), 2);
    json_object *f0 = json_object_array_get_idx(files, 0);
    ck_assert_str_eq(get_str(f0, "status"), "clean");
    json_object *f1 = json_object_array_get_idx(files, 1);
    ck_assert_str_eq(get_str(f1, "file"), "topologies/highmem.yaml");
    ck_assert_str_eq(get_str(f1, "status"), "warnings");
    json_object *fi = json_object_array_get_idx(get(f1, "findings"), 0);
    keys_are(fi, (const char *[]){"severity", "code", "file", "line",
                                  "column", "path", "message", "other",
                                  NULL});
    ck_assert_str_eq(get_str(fi, "severity"), "warning");
    ck_assert_str_eq(get_str(fi, "code"), "dma-mask");
    ck_assert_str_eq(get_str(fi, "path"), "components.5.master");
    ck_assert_int_eq(json_object_get_int(get(fi, "line")), 34);
    ck_assert_str_eq(get_str(get(fi, "other"), "path"), "components.2");
    json_object_put(j);
    run_free(&r);
}
END_TEST

/* ---- route ------------------------------------------------------------ */

START_TEST(route_text)
{
    Run r = run((const char *[]){"route", "topologies/ebony.yaml", "--from",
                                 "dma0", "--addr", "0x3_8000_1000", "--len",
                                 "4", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out,
                     "route from dma0: 0x3_8000_1000, 4 bytes\n"
                     "  plb   memory 0x3_8000_1000    issued by dma0\n"
                     "  pcix0 memory 0x8000_1000      via pcix0-bridge ranges "
                     "window 0: 0x3_8000_0000 -> 0x8000_0000 (2 GiB)\n"
                     "reached card region 0 (memory) at offset 0x1000\n");
    run_free(&r);

    r = run((const char *[]){"route", "topologies/ebony.yaml", "--from",
                             "cpu0", "--addr", "0x9_0000_0000", NULL});
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.out, "unreachable (master-abort): master "
                                        "abort on plb: nothing decodes "
                                        "0x9_0000_0000 in memory space\n"));
    run_free(&r);
}
END_TEST

START_TEST(route_json_reached)
{
    Run r = run((const char *[]){"route", "topologies/p2p-tree.yaml",
                                 "--from", "dsp3", "--addr", "0x100", "--len",
                                 "64", "--json", NULL});
    ck_assert_int_eq(r.status, 0);
    json_object *j = parse(r.out);
    keys_are(j, (const char *[]){"from", "addr", "hops", "target", NULL});
    ck_assert_str_eq(get_str(j, "from"), "dsp3");
    ck_assert_str_eq(get_str(j, "addr"), "0x100");
    json_object *hops = get(j, "hops");
    static const char *const buses[] = {"pci3", "pci2", "pci1", "pci0",
                                        "plb"};
    static const char *const via[] = {"dsp3", "p2p3", "p2p2", "p2p1", "hb0"};
    ck_assert_int_eq(json_object_array_length(hops), 5);
    for (int i = 0; i < 5; i++) {
        json_object *h = json_object_array_get_idx(hops, (size_t)i);
        keys_are(h, (const char *[]){"bus", "addr", "via", NULL});
        ck_assert_str_eq(get_str(h, "bus"), buses[i]);
        ck_assert_str_eq(get_str(h, "via"), via[i]);
        ck_assert_str_eq(get_str(h, "addr"), "0x100");
    }
    json_object *t = get(j, "target");
    keys_are(t, (const char *[]){"component", "offset", NULL});
    ck_assert_str_eq(get_str(t, "component"), "sdram");
    ck_assert_str_eq(get_str(t, "offset"), "0x100");
    json_object_put(j);
    run_free(&r);
}
END_TEST

START_TEST(route_json_dies)
{
    Run r = run((const char *[]){"route", "topologies/ebony.yaml", "--from",
                                 "cpu0", "--addr", "0x3_80ff_fffe", "--len",
                                 "4", "--json", NULL});
    ck_assert_int_eq(r.status, 1);
    json_object *j = parse(r.out);
    keys_are(j, (const char *[]){"from", "addr", "hops", "error", "reason",
                                 NULL});
    ck_assert_str_eq(get_str(j, "addr"), "0x380fffffe");
    ck_assert_str_eq(get_str(j, "error"), "straddle");
    ck_assert_str_eq(get_str(j, "reason"),
                     "access straddles 0x8100_0000 on pcix0: below it card "
                     "region 0 (memory), from it nothing (master abort)");
    json_object *h1 = json_object_array_get_idx(get(j, "hops"), 1);
    ck_assert_str_eq(get_str(h1, "addr"), "0x80fffffe");
    json_object_put(j);
    run_free(&r);
}
END_TEST

START_TEST(route_bad_input)
{
    Run r = run((const char *[]){"route", "topologies/ebony.yaml", "--from",
                                 "nobody", "--addr", "0", NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, "dmasim route: no component named 'nobody' "
                            "(masters: cpu0, dma0, card)\n");
    run_free(&r);
    r = run((const char *[]){"route", "topologies/ebony.yaml", "--from",
                             "sdram", "--addr", "0", NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, "dmasim route: not a bus master: 'sdram' "
                            "(masters: cpu0, dma0, card)\n");
    run_free(&r);
    r = run((const char *[]){"route", "topologies/ebony.yaml", "--from",
                             "cpu0", "--addr", "0xZZ", NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, "dmasim route: --addr: '0xZZ' is not a number\n");
    run_free(&r);
    r = run((const char *[]){"route", "topologies/ebony.yaml", "--from",
                             "cpu0", "--addr", "0", "--len", "0", NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, "dmasim route: --len: must be at least 1 byte\n");
    run_free(&r);
    r = run((const char *[]){"route", "topologies/ebony.yaml", "--from",
                             "cpu0", "--addr", "0xffff_ffff_ffff_ffff",
                             "--len", "2", NULL});
    ck_assert_int_eq(r.status, 2);
    run_free(&r);
    r = run((const char *[]){"route", "topologies/ebony.yaml", NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "need one TOPOLOGY, --from and "
                                        "--addr"));
    run_free(&r);
}
END_TEST

/* ---- the program ------------------------------------------------------ */

START_TEST(usage)
{
    Run r = run((const char *[]){NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "usage: dmasim COMMAND"));
    run_free(&r);
    r = run((const char *[]){"--help", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "dmasim check TOPOLOGY..."));
    run_free(&r);
    r = run((const char *[]){"frobnicate", NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "unknown command 'frobnicate'"));
    run_free(&r);
    r = run((const char *[]){"route", "--help", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "Exit status: 0 reached"));
    run_free(&r);
    r = run((const char *[]){"check", "--bogus", "x.yaml", NULL});
    ck_assert_int_eq(r.status, 2);
    run_free(&r);
    r = run((const char *[]){"check", NULL});
    ck_assert_int_eq(r.status, 2);
    run_free(&r);
}
END_TEST

/* Malformed files never crash the program (a sanitizer build also fails
 * on leaks): each gives exit 2 and one file:line:column line. */
START_TEST(malformed_files)
{
    static const char *const inputs[] = {
        "",
        "\x01\x02\x03\xff\xfe",
        "name: [",
        "- 1\n- 2\n",
        "name: t\nclocks: {c: 1MHz}\nbuses: [{name: b, kind: plb, "
        "clock: c}]\ncomponents: [{name: x, kind: bridge, parent: b, "
        "child: b}]\n",
        "a: &a [x, x]\nb: &b [*a, *a]\nname: *b\n",
        "name: t\nclocks: {c: 1MHz}\nbuses: &b [*b]\n",
        "name: t\nclocks: {c: 99999999999999999999GHz}\n",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        const char *p = tu_write("m.yaml", inputs[i]);
        Run r = run((const char *[]){"check", p, NULL});
        ck_assert_msg(r.status == 2, "input %zu: status %d\n%s", i, r.status,
                      r.err);
        ck_assert_msg(strstr(r.err, "m.yaml:") && strchr(r.err, '\n') ==
                                                       r.err + strlen(r.err) - 1,
                      "input %zu: %s", i, r.err);
        run_free(&r);
    }
}
END_TEST

/* ---- run and regress ------------------------------------------------------- */

/* A whole file, NUL-terminated. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    size_t cap = 1 << 16, n = 0, got;
    char *buf = malloc(cap);
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* The table names every scheme and row; the JSON has exactly DESIGN §6's
 * keys; the same input gives byte-identical JSON. */
START_TEST(run_table_and_json)
{
    Run r = run((const char *[]){"run", "scenarios/ioremap-target.yaml",
                                 NULL});
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_str_eq(r.err, "");
    const char *rows[] = {"correct", "silent", "bytes ok", "bytes wrong",
                          "bytes misdirected", "bus errors", "api errors",
                          "bounce bytes", "simulated time", "throughput",
                          "DMA throughput",
                          "engine", "plb busy", "expect", "flat-bounce",
                          "struct"};
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++)
        ck_assert_msg(strstr(r.out, rows[i]), "no '%s' in\n%s", rows[i],
                      r.out);
    ck_assert_ptr_null(strchr(r.out, '\033')); /* not a terminal */
    run_free(&r);

    const char *j1 = tu_write("r1.json", ""), *j2 = tu_write("r2.json", "");
    char p1[512], p2[512];
    snprintf(p1, sizeof p1, "%s", j1);
    snprintf(p2, sizeof p2, "%s", j2);
    r = run((const char *[]){"run", "scenarios/ioremap-target.yaml", "--json",
                             p1, NULL});
    ck_assert_int_eq(r.status, 0);
    run_free(&r);
    r = run((const char *[]){"run", "scenarios/ioremap-target.yaml", "--json",
                             p2, NULL});
    run_free(&r);
    char *a = slurp(p1), *b = slurp(p2);
    ck_assert_str_eq(a, b);
    json_object *o = parse(a);
    keys_are(o, (const char *[]){"scenario", "topology", "schemes", NULL});
    ck_assert_str_eq(get_str(o, "scenario"), "ioremap-target");
    ck_assert_str_eq(get_str(o, "topology"), "ebony");
    json_object *st = get(get(o, "schemes"), "struct");
    /* every row of the table, and the latencies */
    keys_are(st, (const char *[]){"correct", "silent", "bytes_ok",
                                  "bytes_wrong", "bytes_misdirected",
                                  "bus_errors", "api_errors",
                                  "posted_writes_lost", "bounce_bytes",
                                  "bytes_moved", "windows_programmed",
                                  "window_evictions",
                                  "window_register_writes",
                                  "window_programming_ps",
                                  "iommu_pages_mapped", "iommu_evictions",
                                  "window_waits", "cache_stale_bytes",
                                  "sim_time_ps",
                                  "throughput_MBps", "dma_bytes",
                                  "dma_busy_ps", "dma_throughput_MBps",
                                  "bursts", "events", "engine", "expect",
                                  "latency_ps",
                                  "streams", "bus_utilization", NULL});
    ck_assert_str_eq(get_str(st, "engine"), "dma0");
    ck_assert_int_eq(json_object_get_int64(get(st, "posted_writes_lost")), 0);
    ck_assert_int_eq(json_object_get_int64(get(st, "bounce_bytes")), 0);
    /* 16 copies of 64 KiB, none failed */
    ck_assert_int_eq(json_object_get_int64(get(st, "bytes_moved")), 1048576);
    ck_assert(json_object_get_boolean(get(get(st, "expect"), "pass")));
    ck_assert(json_object_is_type(get(get(st, "expect"), "why"),
                                  json_type_null));
    /* the scheme's latencies: 16 runs, the quantiles in order */
    json_object *lat = get(st, "latency_ps");
    keys_are(lat, (const char *[]){"operations", "min", "p50", "p90", "p99",
                                   "max", "mean", NULL});
    ck_assert_int_eq(json_object_get_int64(get(lat, "operations")), 16);
    const char *order[] = {"min", "p50", "p90", "p99", "max"};
    for (size_t i = 1; i < 5; i++)
        ck_assert(json_object_get_int64(get(lat, order[i - 1])) <=
                  json_object_get_int64(get(lat, order[i])));
    /* one stream, which is the whole run: its throughput is the run's */
    json_object *sts = get(st, "streams");
    ck_assert_int_eq(json_object_array_length(sts), 1);
    json_object *s0 = json_object_array_get_idx(sts, 0);
    keys_are(s0, (const char *[]){"name", "operations", "bytes_moved",
                                  "time_ps", "throughput_MBps", "latency_ps",
                                  NULL});
    ck_assert_int_eq(json_object_get_int64(get(s0, "operations")), 16);
    ck_assert_int_eq(json_object_get_int64(get(s0, "bytes_moved")), 1048576);
    ck_assert_int_eq(json_object_get_int64(get(s0, "time_ps")),
                     json_object_get_int64(get(st, "sim_time_ps")));
    ck_assert_str_eq(json_object_to_json_string(get(s0, "latency_ps")),
                     json_object_to_json_string(lat));
    ck_assert(json_object_get_boolean(get(st, "correct")));
    ck_assert_int_eq(json_object_get_int64(get(st, "bytes_ok")), 1048576);
    /* throughput = bytes / time, 1 MB = 10^6 bytes */
    double t = json_object_get_double(get(st, "throughput_MBps"));
    double ps = (double)json_object_get_int64(get(st, "sim_time_ps"));
    ck_assert(fabs(t - 1048576 / ps * 1e6) < 0.001 * t);
    /* the masters' view: their bytes over their busy time */
    double dt = json_object_get_double(get(st, "dma_throughput_MBps"));
    double dps = (double)json_object_get_int64(get(st, "dma_busy_ps"));
    ck_assert_int_eq(json_object_get_int64(get(st, "dma_bytes")), 1048576);
    ck_assert(dps > 0 && dps < ps);
    ck_assert(fabs(dt - 1048576 / dps * 1e6) < 0.001 * dt);    keys_are(get(st, "bus_utilization"),
             (const char *[]){"plb", "opb", "pcix0", NULL});
    json_object *fl = get(get(o, "schemes"), "flat");
    ck_assert(!json_object_get_boolean(get(fl, "correct")));
    ck_assert_int_eq(json_object_get_int64(get(fl, "bus_errors")), 16);
    /* every copy hit a bus error: none moved its bytes, none of the
     * destination's is right (what it held before may match the source's
     * pattern by chance, 1 byte in 256: not the copy's doing) */
    ck_assert_int_eq(json_object_get_int64(get(fl, "bytes_moved")), 0);
    ck_assert_int_eq(json_object_get_int64(get(fl, "bytes_ok")), 0);
    ck_assert_int_eq(json_object_get_int64(get(fl, "bytes_wrong")), 1048576);
    json_object_put(o);
    free(a);
    free(b);
}
END_TEST

START_TEST(run_scheme_csv_and_stdout)
{
    Run r = run((const char *[]){"run", "scenarios/vmalloc.yaml", "--scheme",
                                 "struct", "--csv", "-", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.err, "");
    /* header and one line, no table */
    char *nl = strchr(r.out, '\n');
    ck_assert_ptr_nonnull(nl);
    const char *head = "scenario,topology,scheme,correct,silent,bytes_ok,";
    const char *line = "vmalloc,highmem,struct,1,0,262144,0,0,0,0,0,0,262144,";
    ck_assert(!strncmp(r.out, head, strlen(head)));
    ck_assert(!strncmp(nl + 1, line, strlen(line)));
    size_t lines = 0;
    for (const char *c = r.out; *c; c++)
        lines += *c == '\n';
    ck_assert_uint_eq(lines, 2);
    /* the CSV's later columns hold what the JSON of the same run does */
    ck_assert_ptr_nonnull(strstr(r.out, ",events,engine,expect,operations,"
                                        "latency_min_ps,latency_p50_ps,"
                                        "latency_p90_ps,latency_p99_ps,"
                                        "latency_max_ps,windows_programmed,"
                                        "window_evictions,"
                                        "window_register_writes,"
                                        "window_programming_ps,"
                                        "iommu_pages_mapped,iommu_evictions,"
                                        "window_waits,cache_stale_bytes,"
                                        "util_"));
    Run rj = run((const char *[]){"run", "scenarios/vmalloc.yaml", "--scheme",
                                  "struct", "--json", "-", NULL});
    json_object *oj = parse(rj.out);
    json_object *sj = get(get(oj, "schemes"), "struct");
    json_object *lj = get(sj, "latency_ps");
    char want[400];
    snprintf(want, sizeof want, ",%s,%s,%lld,%lld,%lld,%lld,%lld,%lld,",
             get_str(sj, "engine"),
             json_object_get_boolean(get(get(sj, "expect"), "pass")) ? "pass"
                                                                     : "FAIL",
             (long long)json_object_get_int64(get(lj, "operations")),
             (long long)json_object_get_int64(get(lj, "min")),
             (long long)json_object_get_int64(get(lj, "p50")),
             (long long)json_object_get_int64(get(lj, "p90")),
             (long long)json_object_get_int64(get(lj, "p99")),
             (long long)json_object_get_int64(get(lj, "max")));
    ck_assert_msg(strstr(nl + 1, want), "no '%s' in %s", want, nl + 1);
    json_object_put(oj);
    run_free(&rj);
    run_free(&r);
    r = run((const char *[]){"run", "scenarios/vmalloc.yaml", "--json", "-",
                             "--scheme", "flat", NULL});
    ck_assert_int_eq(r.status, 0);
    json_object *o = parse(r.out);
    json_object *sch = get(o, "schemes");
    ck_assert_int_eq(json_object_object_length(sch), 1);
    ck_assert(json_object_get_boolean(get(get(sch, "flat"), "silent")));
    json_object_put(o);
    run_free(&r);
}
END_TEST

/* A run that would go past 2^64 ps of simulated time (a 1 Hz PCI clock,
 * 128 MiB through it) is refused as input, at its workload, with the
 * limit named; no output is written. */
START_TEST(run_past_the_end_of_time)
{
    char *ebony = slurp("topologies/ebony.yaml");
    const char *at = strstr(ebony, "pci: 66.66MHz");
    ck_assert_ptr_nonnull(at);
    char topo[8192];
    snprintf(topo, sizeof topo, "%.*spci: 1Hz%s", (int)(at - ebony), ebony,
             at + strlen("pci: 66.66MHz"));
    free(ebony);
    char tpath[4096], text[8192];
    snprintf(tpath, sizeof tpath, "%s", tu_write("slow.yaml", topo));
    snprintf(text, sizeof text,
             "name: forever\ntopology: %s\nschemes: [struct]\n"
             "buffers:\n  src: {alloc: kmalloc, size: 64KiB}\n"
             "  dst: {mmio: card, offset: 0x1000, size: 64KiB}\n"
             "workload:\n"
             "  - {op: copy, from: src, to: dst, engine: dma0, repeat: 2000}\n",
             tpath);
    char spath[4096], json[4200];
    snprintf(spath, sizeof spath, "%s", tu_write("forever.yaml", text));
    snprintf(json, sizeof json, "%s.json", spath);
    Run r = run((const char *[]){"run", spath, "--json", json, NULL});
    ck_assert_int_eq(r.status, 2);
    char want[4400];
    snprintf(want, sizeof want,
             "%s:8:3: workload: under struct the run needs more than 2^64 "
             "ps (about 213 days) of simulated time, the simulator's limit",
             spath);
    ck_assert_msg(strstr(r.err, want), "%s", r.err);
    ck_assert_int_eq(access(json, F_OK), -1);
    run_free(&r);
}
END_TEST

START_TEST(run_exit_codes)
{
    /* an expectation that fails: 1, and the table says why */
    const char *p;
    char abs[4096];
    ck_assert_ptr_nonnull(realpath("topologies/ebony.yaml", abs));
    char text[8192];
    snprintf(text, sizeof text,
             "name: f\ntopology: %s\n"
             "buffers: {a: {alloc: kmalloc, size: 4KiB}, "
             "b: {alloc: kmalloc, size: 4KiB}}\n"
             "workload: [{op: copy, from: a, to: b}]\n"
             "expect: {flat: {correct: false}}\n",
             abs);
    p = tu_write("fail.yaml", text);
    Run r = run((const char *[]){"run", p, NULL});
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(
        strstr(r.out, "expectation failed: correct is true, expected false"));
    run_free(&r);

    /* regress: one line each, the count line, exit 1 */
    r = run((const char *[]){"regress", "scenarios/baseline.yaml", p, NULL});
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.out, "pass baseline (scenarios/baseline."
                                        "yaml)\n"));
    ck_assert_ptr_nonnull(strstr(r.out, "  flat: correct is true, expected "
                                        "false\n"));
    size_t n = strlen(r.out);
    ck_assert(n > 20 && !strcmp(r.out + n - 19, "1 passed, 1 failed\n"));
    run_free(&r);

    /* bad input: 2 */
    r = run((const char *[]){"run", "scenarios/nope.yaml", NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "scenarios/nope.yaml"));
    run_free(&r);
    r = run((const char *[]){"run", "scenarios/baseline.yaml", "--scheme",
                             "busdma", NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, "dmasim run: unknown scheme 'busdma' (known: "
                            "flat, flat-bounce, struct, linux)\n");
    run_free(&r);
    r = run((const char *[]){"regress", NULL});
    ck_assert_int_eq(r.status, 2);
    run_free(&r);
}
END_TEST

/* On a terminal a long run shows how far it is on stderr, and clears the
 * line at the end; off a terminal (every other test) stderr stays empty.
 * `script` (util-linux) gives the run a terminal. */
START_TEST(run_progress_on_a_terminal)
{
    if (system("command -v script > /dev/null 2>&1")) {
        fprintf(stderr, "run_progress_on_a_terminal: skipped, no script(1)\n");
        return;
    }
    char abs[4096], text[8192], bin[4096];
    ck_assert_ptr_nonnull(realpath("topologies/ebony.yaml", abs));
    ck_assert_ptr_nonnull(realpath(getenv("DMASIM") ? getenv("DMASIM")
                                                    : "build/dmasim",
                                   bin));
    /* 2 x 65536 runs: the runner reports after every 65536 */
    snprintf(text, sizeof text,
             "name: long\ntopology: %s\nschemes: [struct]\n"
             "buffers: {a: {alloc: kmalloc, size: 64}, "
             "b: {alloc: kmalloc, size: 64}}\n"
             "workload:\n"
             "  - {op: copy, from: a, to: b, engine: cpu, repeat: 65536}\n"
             "  - {op: copy, from: b, to: a, engine: cpu, repeat: 65536}\n",
             abs);
    char sp[4200], tty[4300], cmd[16384];
    snprintf(sp, sizeof sp, "%s", tu_write("long.yaml", text));
    snprintf(tty, sizeof tty, "%s.tty", sp);
    snprintf(cmd, sizeof cmd,
             "script -qec '%s run %s > /dev/null' /dev/null > %s 2>&1", bin,
             sp, tty);
    ck_assert_int_eq(system(cmd), 0);
    char *out = slurp(tty);
    ck_assert_msg(strstr(out, "\rdmasim run: struct: 65536 of 131072 "
                              "operations (50%), "),
                  "%s", out);
    size_t n = strlen(out);
    ck_assert_msg(n >= 4 && !strcmp(out + n - 4, "\r\033[K"), "%s", out);
    free(out);
}
END_TEST

/* window-slide: struct programs one inbound window (four register
 * writes) and reuses it for the other three copies; the others program
 * none; the trace shows the step. */
START_TEST(run_programs_windows)
{
    Run r = run((const char *[]){"run", "scenarios/window-slide.yaml",
                                 "--json", "-", NULL});
    ck_assert_int_eq(r.status, 0);
    json_object *o = parse(r.out);
    json_object *sch = get(o, "schemes");
    const char *names[] = {"flat", "flat-bounce", "struct"};
    for (int i = 0; i < 3; i++) {
        json_object *x = get(sch, names[i]);
        bool st = i == 2;
        ck_assert_int_eq(json_object_get_int64(get(x, "windows_programmed")),
                         st ? 1 : 0);
        ck_assert_int_eq(json_object_get_int64(get(x, "window_evictions")),
                         0);
        ck_assert_int_eq(
            json_object_get_int64(get(x, "window_register_writes")),
            st ? 4 : 0);
        ck_assert(st == (json_object_get_int64(
                             get(x, "window_programming_ps")) > 0));
    }
    /* struct bounces nothing, flat-bounce all four 64 KiB copies */
    ck_assert_int_eq(
        json_object_get_int64(get(get(sch, "struct"), "bounce_bytes")), 0);
    ck_assert_int_eq(
        json_object_get_int64(get(get(sch, "flat-bounce"), "bounce_bytes")),
        4 * 65536);
    json_object_put(o);
    run_free(&r);
    /* window-thrash: four buffers in turn, two windows to give (three,
     * one boot's): every copy misses the least recently used, eight
     * programmed, the last six evicting */
    r = run((const char *[]){"run", "scenarios/window-thrash.yaml",
                             "--scheme", "struct", "--json", "-", NULL});
    ck_assert_int_eq(r.status, 0);
    o = parse(r.out);
    json_object *th = get(get(o, "schemes"), "struct");
    ck_assert_int_eq(json_object_get_int64(get(th, "windows_programmed")), 8);
    ck_assert_int_eq(json_object_get_int64(get(th, "window_evictions")), 6);
    ck_assert_int_eq(
        json_object_get_int64(get(th, "window_register_writes")), 32);
    json_object_put(o);
    run_free(&r);
    /* outbound-windows: three cards in turn behind two outbound windows,
     * none set at boot: six copies program six (the last four evicting),
     * five register writes each; flat-bounce's CPU stores find no window
     * (one bus error per copy) */
    r = run((const char *[]){"run", "scenarios/outbound-windows.yaml",
                             "--json", "-", NULL});
    ck_assert_int_eq(r.status, 0);
    o = parse(r.out);
    json_object *ow = get(get(o, "schemes"), "struct");
    ck_assert(json_object_get_boolean(get(ow, "correct")));
    ck_assert_int_eq(json_object_get_int64(get(ow, "windows_programmed")), 6);
    ck_assert_int_eq(json_object_get_int64(get(ow, "window_evictions")), 4);
    ck_assert_int_eq(
        json_object_get_int64(get(ow, "window_register_writes")), 30);
    json_object *fb = get(get(o, "schemes"), "flat-bounce");
    ck_assert_int_eq(json_object_get_int64(get(fb, "bus_errors")), 6);
    ck_assert_int_eq(json_object_get_int64(get(fb, "bytes_ok")), 0);
    json_object_put(o);
    run_free(&r);
    /* dma-iommu (A11): linux maps each operation afresh, 16 pages four
     * times, the last two remapping the first two's; struct maps once */
    r = run((const char *[]){"run", "tests/scenarios/dma-iommu.yaml",
                             "--json", "-", NULL});
    ck_assert_int_eq(r.status, 0);
    o = parse(r.out);
    json_object *li = get(get(o, "schemes"), "linux");
    ck_assert_int_eq(json_object_get_int64(get(li, "iommu_pages_mapped")), 64);
    ck_assert_int_eq(json_object_get_int64(get(li, "iommu_evictions")), 32);
    json_object *si = get(get(o, "schemes"), "struct");
    ck_assert_int_eq(json_object_get_int64(get(si, "iommu_pages_mapped")), 16);
    json_object_put(o);
    run_free(&r);
    /* window-wait: the third of three operations at once finds both
     * programmable windows held, waits for the first to end and evicts
     * its window: nothing bounced.  window-pending: two operations wait
     * for the window the first is programming. */
    const char *waits[][2] = {{"tests/scenarios/window-wait.yaml", "1"},
                              {"tests/scenarios/window-pending.yaml", "2"}};
    for (int i = 0; i < 2; i++) {
        r = run((const char *[]){"run", waits[i][0], "--scheme", "struct",
                                 "--json", "-", NULL});
        ck_assert_int_eq(r.status, 0);
        o = parse(r.out);
        json_object *ww = get(get(o, "schemes"), "struct");
        ck_assert(json_object_get_boolean(get(ww, "correct")));
        ck_assert_int_eq(json_object_get_int64(get(ww, "window_waits")),
                         atoi(waits[i][1]));
        ck_assert_int_eq(json_object_get_int64(get(ww, "bounce_bytes")), 0);
        ck_assert_int_eq(json_object_get_int64(get(ww, "bus_errors")), 0);
        ck_assert_int_eq(json_object_get_int64(get(ww, "windows_programmed")),
                         i ? 1 : 3);
        ck_assert_int_eq(json_object_get_int64(get(ww, "window_evictions")),
                         i ? 0 : 1);
        json_object_put(o);
        run_free(&r);
    }
    const char *tr = tu_write("slide.json", "");
    char tp[4200];
    snprintf(tp, sizeof tp, "%s", tr);
    r = run((const char *[]){"run", "scenarios/window-slide.yaml", "--scheme",
                             "struct", "--trace", tp, NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "windows programmed  1\n"));
    ck_assert_ptr_nonnull(strstr(r.out, "pcix0-bridge inbound window 1 set "
                                        "to 0x8000_0000 -> 0x1_0000_0000 "
                                        "(1 MiB)"));
    char *t = slurp(tp);
    ck_assert_ptr_nonnull(strstr(t, "\"program window\""));
    ck_assert_ptr_nonnull(strstr(t, "pcix0-bridge inbound window 1, 4 "
                                    "register writes and a read back"));
    free(t);
    run_free(&r);
}
END_TEST

/* A card that reaches RAM only through a GART-style IOMMU (no
 * dma_ranges): struct maps the destination's pages, flat's bus address is
 * a master abort.  The cost by hand: a 16 KiB kmalloc buffer is 4 pages
 * (page-aligned), two 4-byte register writes each; on a 128-bit PLB at
 * 100 MHz each PIO access is arbitration 1 + address 1 + the bridge's
 * claim 2 + 1 beat = 5 cycles (50 ns) and waits for the one before: 8
 * writes and a read back, 9 x 50 ns = 450 ns.  (The CPU runs on the PLB's
 * clock, so the step starts on a PLB edge.) */
START_TEST(run_maps_iommu_pages)
{
    char topo[4096], scen[4096];
    snprintf(topo, sizeof topo, "%s",
             tu_write("gart.yaml",
                      "name: gart\naddress_bits: 36\n"
                      "clocks: {cpu: 100MHz, plb: 100MHz, pci: 50MHz}\n"
                      "buses: [{name: plb, kind: plb, clock: plb, width: "
                      "128}, {name: pci, kind: pci, clock: pci}]\n"
                      "components:\n"
                      "  - {name: cpu0, kind: cpu, bus: plb, clock: cpu}\n"
                      "  - {name: ram, kind: sdram, bus: plb, base: 0, "
                      "size: 64MiB}\n"
                      "  - name: br\n    kind: bridge\n    parent: plb\n"
                      "    child: pci\n"
                      "    ranges: [{child: 0x8000_0000, parent: "
                      "0x2_8000_0000, size: 256MiB}]\n"
                      "    iommu: {aperture: {base: 0x4000_0000, size: "
                      "32KiB}, registers: {base: 0x1000_0000, size: 64}}\n"
                      "  - {name: card, kind: device, bus: pci, regions: "
                      "[{base: 0x8000_0000, size: 1MiB}], master: "
                      "{dma_mask: 32}}\n"));
    snprintf(scen, sizeof scen, "%s",
             tu_write("gart-run.yaml",
                      "name: gart-run\ntopology: gart.yaml\n"
                      "buffers:\n"
                      "  dst: {alloc: kmalloc, size: 16KiB}\n"
                      "  cardmem: {mmio: card, size: 16KiB}\n"
                      "workload:\n"
                      "  - {op: copy, from: cardmem, to: dst, engine: "
                      "card}\n"));
    Run r = run((const char *[]){"run", scen, "--json", "-", NULL});
    ck_assert_int_eq(r.status, 0);
    json_object *o = parse(r.out);
    json_object *st = get(get(o, "schemes"), "struct");
    ck_assert(json_object_get_boolean(get(st, "correct")));
    ck_assert_int_eq(json_object_get_int64(get(st, "bytes_ok")), 16384);
    ck_assert_int_eq(json_object_get_int64(get(st, "iommu_pages_mapped")), 4);
    ck_assert_int_eq(json_object_get_int64(get(st, "iommu_evictions")), 0);
    ck_assert_int_eq(json_object_get_int64(get(st, "windows_programmed")), 0);
    ck_assert_int_eq(
        json_object_get_int64(get(st, "window_register_writes")), 8);
    ck_assert_int_eq(
        json_object_get_int64(get(st, "window_programming_ps")), 450000);
    json_object *fl = get(get(o, "schemes"), "flat");
    ck_assert(!json_object_get_boolean(get(fl, "correct")));
    ck_assert_int_gt(json_object_get_int64(get(fl, "bus_errors")), 0);
    json_object_put(o);
    run_free(&r);
    /* the table's rows, the plan's note and the trace's step */
    const char *tr = tu_write("gart-trace.json", "");
    char tp[4200];
    snprintf(tp, sizeof tp, "%s", tr);
    r = run((const char *[]){"run", scen, "--scheme", "struct", "--trace", tp,
                             NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "IOMMU pages mapped  4\n"));
    ck_assert_ptr_nonnull(strstr(r.out, "IOMMU programming   8 writes, "
                                        "450.000 ns\n"));
    ck_assert_ptr_nonnull(strstr(r.out, "br IOMMU pages 0-3 set to "
                                        "0x4000_0000 -> "));
    char *t = slurp(tp);
    ck_assert_ptr_nonnull(strstr(t, "\"map IOMMU pages\""));
    ck_assert_ptr_nonnull(strstr(t, "br IOMMU pages 0-3, 8 register writes "
                                    "and a read back"));
    free(t);
    run_free(&r);
    /* The table in the kernel's memory instead: the 8 entry words are
     * uncached stores to DDR SDRAM on the same 100 MHz PLB, the first to
     * an idle bank (1 arbitration + 1 address + tRCD 3 + WL 1 + 1 beat =
     * 7 cycles), the other 7 to the open row (1 + 1 + WL 1 + 1 = 4 each),
     * 35 cycles; then the invalidate register's write and its read back,
     * 5 cycles each: 45 cycles, 450 ns, and 9 writes.  The stores are the
     * kernel's own: nothing misdirected. */
    char *y = slurp(topo);
    char *io = strstr(y, "registers: {base: 0x1000_0000, size: 64}}");
    ck_assert_ptr_nonnull(io);
    FILE *f = fopen(topo, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "%.*sregisters: {base: 0x1000_0000, size: 4}, table: memory, "
               "walk_cycles: 10, iotlb: {entries: 4}}%s",
            (int)(io - y), y, strchr(io, '\n'));
    fclose(f);
    free(y);
    r = run((const char *[]){"run", scen, "--scheme", "struct", "--json", "-",
                             NULL});
    ck_assert_int_eq(r.status, 0);
    o = parse(r.out);
    st = get(get(o, "schemes"), "struct");
    ck_assert(json_object_get_boolean(get(st, "correct")));
    ck_assert_int_eq(json_object_get_int64(get(st, "bytes_misdirected")), 0);
    ck_assert_int_eq(json_object_get_int64(get(st, "iommu_pages_mapped")), 4);
    ck_assert_int_eq(
        json_object_get_int64(get(st, "window_register_writes")), 9);
    ck_assert_int_eq(
        json_object_get_int64(get(st, "window_programming_ps")), 450000);
    json_object_put(o);
    run_free(&r);
}
END_TEST

/* A kmalloc buffer placed by phys: where kmalloc can hand out memory,
 * page aligned; elsewhere, bad input (exit 2) with the room it has. */
START_TEST(run_phys_buffers)
{
    char abs[4096], text[5200], path[512];
    ck_assert_ptr_nonnull(realpath("topologies/ebony.yaml", abs));
    const char *at[] = {"0x200_0000", "0x10_0000", "0x200_0800"};
    const char *want[] = {
        NULL,
        "p.yaml:4:3: buffers.a: phys 0x10_0000 is not memory kmalloc can "
        "hand out: it has 0x100_0000..0x7ff_ffff free\n",
        "p.yaml:4:3: buffers.a: phys 0x200_0800 is not a multiple of the "
        "page size (4 KiB)\n"};
    for (int i = 0; i < 3; i++) {
        snprintf(text, sizeof text,
                 "name: p\ntopology: %s\nbuffers:\n"
                 "  a: {alloc: kmalloc, size: 8KiB, phys: %s}\n"
                 "  b: {alloc: kmalloc, size: 8KiB}\n"
                 "workload: [{op: copy, from: b, to: a}]\n",
                 abs, at[i]);
        snprintf(path, sizeof path, "%s", tu_write("p.yaml", text));
        Run r = run((const char *[]){"run", path, "--scheme", "struct",
                                     "--json", "-", NULL});
        if (!want[i]) {
            ck_assert_int_eq(r.status, 0);
            ck_assert_ptr_nonnull(strstr(r.out, "\"correct\": true"));
        } else {
            ck_assert_int_eq(r.status, 2);
            char *e = strstr(r.err, "p.yaml:");
            ck_assert_ptr_nonnull(e);
            ck_assert_str_eq(e, want[i]);
        }
        run_free(&r);
    }
    /* alloc: cma on a kernel without a CMA area */
    snprintf(text, sizeof text,
             "name: p\ntopology: %s\nbuffers:\n"
             "  a: {alloc: cma, size: 8KiB}\n"
             "  b: {alloc: kmalloc, size: 8KiB}\n"
             "workload: [{op: copy, from: b, to: a}]\n",
             abs);
    snprintf(path, sizeof path, "%s", tu_write("p.yaml", text));
    Run r = run((const char *[]){"run", path, NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "p.yaml:4:3: buffers.a: cma: the "
                                        "kernel has no CMA area (kernel.cma "
                                        "in the topology)\n"));
    run_free(&r);
}
END_TEST

/* ---- dmasim import ----------------------------------------------------- */

/* The hand-written topology and the imported one route an access from
 * the same master alike: the same addresses bus by bus, the same end (an
 * error, or the same target, by the names each gives it, at the same
 * offset). */
static void routes_alike(const char *hand, const char *imported,
                         const char *from_h, const char *from_i,
                         const char *addr, const char *const *names)
{
    json_object *o[2];
    const char *topo[2] = {hand, imported}, *from[2] = {from_h, from_i};
    for (int k = 0; k < 2; k++) {
        Run r = run((const char *[]){"route", topo[k], "--from", from[k],
                                     "--addr", addr, "--json", NULL});
        ck_assert_msg(r.status <= 1, "%s %s: %s", topo[k], addr, r.err);
        o[k] = parse(r.out);
        run_free(&r);
    }
    json_object *h0 = get(o[0], "hops"), *h1 = get(o[1], "hops");
    size_t n = json_object_array_length(h0);
    ck_assert_msg(n == json_object_array_length(h1), "%s: hops", addr);
    for (size_t i = 0; i < n; i++)
        ck_assert_str_eq(get_str(json_object_array_get_idx(h0, i), "addr"),
                         get_str(json_object_array_get_idx(h1, i), "addr"));
    json_object *e0, *e1;
    bool err0 = json_object_object_get_ex(o[0], "error", &e0);
    bool err1 = json_object_object_get_ex(o[1], "error", &e1);
    ck_assert_msg(err0 == err1, "%s: one reached, one not", addr);
    if (err0) {
        ck_assert_str_eq(json_object_get_string(e0),
                         json_object_get_string(e1));
    } else {
        json_object *t0 = get(o[0], "target"), *t1 = get(o[1], "target");
        ck_assert_str_eq(get_str(t0, "offset"), get_str(t1, "offset"));
        const char *c0 = get_str(t0, "component"), *c1 = get_str(t1,
                                                              "component");
        const char *want = c0;
        for (size_t i = 0; names[i]; i += 2)
            if (!strcmp(names[i], c0))
                want = names[i + 1];
        ck_assert_msg(!strcmp(want, c1), "%s: %s is %s", addr, c0, c1);
    }
    json_object_put(o[0]);
    json_object_put(o[1]);
}

/* Ebony and Walnut written as device trees from the boards' facts
 * (tests/dts/): imported, they lint clean and route as the shipped
 * topologies do, from the CPU and the PLB DMA controller, on a table of
 * addresses that reach RAM, SRAM, a UART through the OPB's windows, a
 * PCI card's memory and I/O through the host bridge's, and nothing. */
START_TEST(import_routes_as_written)
{
    char eb[512], wa[512], def[512];
    snprintf(eb, sizeof eb, "%s", tu_write("ebony-imp.yaml", ""));
    snprintf(wa, sizeof wa, "%s", tu_write("walnut-imp.yaml", ""));
    snprintf(def, sizeof def, "%s",
             tu_write("walnut-def.yaml",
                      "clocks: {cpu0: 200MHz, plb: 100MHz, opb: 50MHz, "
                      "pci: 33.33MHz}\nmemory: {sdram: 128MiB}\n"));
    Run r = run((const char *[]){"import", "tests/dts/ebony.dts", "-o", eb,
                                 NULL});
    ck_assert_int_eq(r.status, 0);
    /* Ebony's tree, like Linux's, gives the cache's line and size but no
     * sets: the 440's 64 ways (which they are) */
    ck_assert_str_eq(r.err, "tests/dts/ebony.dts: /cpus/cpu@0: warning: no "
                            "d-cache-sets: 64 ways, the family's default\n"
                            "tests/dts/ebony.dts: /plb/opb: warning: no "
                            "dma-ranges: DMA upstream taken as 1:1, as Linux "
                            "reads it\n");
    run_free(&r);
    r = run((const char *[]){"import", "tests/dts/walnut.dts", "--defaults",
                             def, "-o", wa, NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.err, "tests/dts/walnut.dts: /memory: "
                                        "warning: memory size 0 (firmware "
                                        "fills it in): 128 MiB from "
                                        "--defaults\n"));
    ck_assert_ptr_nonnull(strstr(r.err, "tests/dts/walnut.dts: /plb/opb: "
                                        "warning: no clock-frequency: 50 MHz "
                                        "from --defaults\n"));
    run_free(&r);
    r = run((const char *[]){"check", eb, wa, NULL});
    ck_assert_int_eq(r.status, 0);
    run_free(&r);
    const char *ebony_names[] = {"uart0", "serial", NULL};
    const char *ebony_at[] = {"0x0", "0xfff_ffff", "0x1000_0000",
                              "0xffff_0000", "0x1_4000_0200",
                              "0x1_8000_0000", "0x3_8000_1000",
                              "0x3_8100_0000", "0x2_0800_0000", NULL};
    for (size_t i = 0; ebony_at[i]; i++) {
        routes_alike("topologies/ebony.yaml", eb, "cpu0", "cpu0", ebony_at[i],
                     ebony_names);
        routes_alike("topologies/ebony.yaml", eb, "dma0", "dma", ebony_at[i],
                     ebony_names);
    }
    const char *walnut_at[] = {"0x0", "0x7ff_ffff", "0x800_0000",
                               "0xef60_0300", "0x8000_0010", "0xe800_1000",
                               "0xe800_2000", NULL};
    for (size_t i = 0; walnut_at[i]; i++) {
        routes_alike("topologies/walnut.yaml", wa, "cpu0", "cpu0",
                     walnut_at[i], ebony_names);
        routes_alike("topologies/walnut.yaml", wa, "dma0", "dma",
                     walnut_at[i], ebony_names);
    }
}
END_TEST

/* The rules on a small tree: an include found through -I; a bus with
 * empty ranges merges into its parent (1:1 both ways), one without ranges
 * is a bridge that passes nothing down (a note, in the file and on
 * stderr), an empty dma-ranges is 1:1 upstream; two address cells; a UART
 * is a FIFO register. */
START_TEST(import_rules)
{
    char inc[512], dts[512], out[512];
    snprintf(inc, sizeof inc, "%s", tu_write("x", ""));
    snprintf(strrchr(inc, '/'), sizeof inc - (size_t)(strrchr(inc, '/') - inc),
             "/incdir");
    mkdir(inc, 0755);
    tu_write("incdir/soc.dtsi", "#define UART_BASE 0x1000\n");
    snprintf(dts, sizeof dts, "%s",
             tu_write("rules.dts",
                      "/dts-v1/;\n#include \"soc.dtsi\"\n"
                      "/ { #address-cells = <2>; #size-cells = <1>;\n"
                      " clock-frequency = <100000000>;\n"
                      " cpus { #address-cells = <1>; #size-cells = <0>;\n"
                      "  cpu@0 { device_type = \"cpu\"; reg = <0>;\n"
                      "   clock-frequency = <500000000>; }; };\n"
                      " memory { device_type = \"memory\";\n"
                      "  reg = <0x1 0x0 0x1000000>; };\n"
                      " grp { compatible = \"simple-bus\";\n"
                      "  #address-cells = <2>; #size-cells = <1>; ranges;\n"
                      "  uart@0 { compatible = \"ns16550\";\n"
                      "   reg = <0x0 UART_BASE 0x100>; }; };\n"
                      " hidden { compatible = \"simple-bus\";\n"
                      "  #address-cells = <1>; #size-cells = <1>;\n"
                      "  clock-frequency = <50000000>; dma-ranges;\n"
                      "  dev@0 { reg = <0x0 0x10>; }; }; };\n"));
    snprintf(out, sizeof out, "%s", tu_write("rules.yaml", ""));
    Run r = run((const char *[]){"import", dts, "-I", inc, "-o", out, NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.err, "/hidden: not expressed: no ranges: "
                                        "nothing passes down to hidden\n"));
    run_free(&r);
    char *y = slurp(out);
    /* the one bus with empty ranges below the root is the root bus */
    ck_assert_ptr_nonnull(strstr(y, "  grp: 100000000Hz\n"));
    ck_assert_ptr_nonnull(strstr(y, "  - {name: grp, kind: plb, clock: "
                                    "grp}  # /\n"));
    ck_assert_ptr_nonnull(strstr(y, "  - {name: sdram, kind: sdram, bus: "
                                    "grp, base: 0x100000000, size: "
                                    "0x1000000}  # /memory\n"));
    ck_assert_ptr_nonnull(strstr(y, "  - name: uart  # /grp/uart@0\n"
                                    "    kind: device\n    bus: grp\n"
                                    "    regions:\n      - {base: 0x1000, "
                                    "size: 0x8, kind: fifo}\n"));
    ck_assert_ptr_nonnull(strstr(y, "    child: hidden\n"
                                    "    dma_ranges: identity\n"));
    ck_assert_ptr_nonnull(strstr(y, "# Not expressed in this topology:\n"
                                    "#   /hidden: no ranges: nothing passes "
                                    "down to hidden\n"));
    free(y);
    r = run((const char *[]){"check", out, NULL});
    ck_assert_int_le(r.status, 1);
    run_free(&r);
}
END_TEST

/* The CPU's data cache from the ePAPR properties (d-cache-sets gives the
 * ways: 32 KiB / 64 bytes / 256 sets = 2), and kernel.coherent from
 * dma-coherent: true only when every DMA controller has it (on itself or
 * a bus above); on some only, a note. */
START_TEST(import_cache_and_coherence)
{
    static const char *const head =
        "/dts-v1/;\n/ { #address-cells = <1>; #size-cells = <1>;\n"
        " clock-frequency = <100000000>;\n"
        " cpus { #address-cells = <1>; #size-cells = <0>;\n"
        "  cpu@0 { device_type = \"cpu\"; reg = <0>;\n"
        "   clock-frequency = <1000000000>; d-cache-size = <0x8000>;\n"
        "   d-cache-line-size = <64>; d-cache-sets = <%u>; }; };\n"
        " memory { device_type = \"memory\"; reg = <0x0 0x1000000>; };\n"
        " soc { compatible = \"simple-bus\"; #address-cells = <1>;\n"
        "  #size-cells = <1>; ranges; %s\n"
        "  dma@1000 { #dma-cells = <1>; reg = <0x1000 0x100>; };\n"
        "  dma@2000 { #dma-cells = <1>; reg = <0x2000 0x100>;%s }; }; };\n";
    char text[2048], dts[512], out[512];
    snprintf(out, sizeof out, "%s", tu_write("cc.yaml", ""));
    /* every controller coherent, through its bus */
    snprintf(text, sizeof text, head, 256u, "dma-coherent;", "");
    snprintf(dts, sizeof dts, "%s", tu_write("cc.dts", text));
    Run r = run((const char *[]){"import", dts, "-o", out, NULL});
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    char *y = slurp(out);
    ck_assert_ptr_nonnull(strstr(y, "kernel: {coherent: true}"));
    ck_assert_ptr_nonnull(strstr(y, ", line_size: 64, dcache_size: 32768, "
                                    "dcache_ways: 2}  # /cpus/cpu@0\n"));
    free(y);
    r = run((const char *[]){"check", out, NULL});
    ck_assert_int_le(r.status, 1);
    run_free(&r);
    /* one of two: left non-coherent, said; 3 sets: no cache dmasim holds */
    snprintf(text, sizeof text, head, 3u, "", " dma-coherent;");
    snprintf(dts, sizeof dts, "%s", tu_write("cc.dts", text));
    r = run((const char *[]){"import", dts, "-o", out, NULL});
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.err, ": /: not expressed: dma-coherent on "
                                        "1 of 2 DMA controllers: "
                                        "kernel.coherent is one setting for "
                                        "the board, left false\n"));
    ck_assert_ptr_nonnull(strstr(r.err, ": /cpus/cpu@0: not expressed: a data "
                                        "cache of d-cache-size 32768, line "
                                        "64, 3 sets: not one dmasim holds"));
    run_free(&r);
    y = slurp(out);
    ck_assert_ptr_null(strstr(y, "coherent: true"));
    ck_assert_ptr_null(strstr(y, "dcache_size"));
    free(y);
}
END_TEST

/* As on the 440EPx: the OPB bridge's second window covers the PCI
 * bridge's outbound window.  The OPB bridge decodes subtractively, so the
 * tree imports into a topology that lints clean, and an address both
 * cover goes to PCI. */
START_TEST(import_overlapping_bridges)
{
    char dts[512], out[512];
    snprintf(dts, sizeof dts, "%s",
             tu_write("epx.dts",
                      "/dts-v1/;\n/ { #address-cells = <1>; "
                      "#size-cells = <1>;\n"
                      " cpus { #address-cells = <1>; #size-cells = <0>;\n"
                      "  cpu@0 { device_type = \"cpu\"; reg = <0>;\n"
                      "   clock-frequency = <533000000>; }; };\n"
                      " plb { compatible = \"ibm,plb4\"; #address-cells = "
                      "<1>;\n  #size-cells = <1>; ranges;\n"
                      "  clock-frequency = <133333333>;\n"
                      "  opb { compatible = \"ibm,opb\"; #address-cells = "
                      "<1>;\n   #size-cells = <1>; clock-frequency = "
                      "<66666666>;\n   ranges = <0x80000000 0x80000000 "
                      "0x80000000>;\n   dev@ef600000 { reg = <0xef600000 "
                      "0x100>; }; };\n"
                      "  pci@ec000000 { device_type = \"pci\"; "
                      "#address-cells = <3>;\n   #size-cells = <2>; "
                      "clock-frequency = <33333333>;\n   ranges = "
                      "<0x02000000 0 0x80000000 0x80000000 0 0x20000000>;\n"
                      "   dma-ranges = <0x42000000 0 0 0 0 0x80000000>;\n"
                      "   card@0 { reg = <0x02000000 0 0x80000000 0 "
                      "0x100000>; };\n"
                      "   pci-pci@1 { device_type = \"pci\"; "
                      "#address-cells = <3>; #size-cells = <2>;\n"
                      "    ranges = <0x02000000 0 0x90000000 0x02000000 0 "
                      "0x90000000 0 0x1000000>; }; }; }; };\n"));
    snprintf(out, sizeof out, "%s", tu_write("epx.yaml", ""));
    Run r = run((const char *[]){"import", dts, "-o", out, NULL});
    ck_assert_int_eq(r.status, 0);
    run_free(&r);
    char *y = slurp(out);
    ck_assert_ptr_nonnull(strstr(y, "    child: opb\n    decode: "
                                    "subtractive\n"));
    ck_assert_ptr_nonnull(strstr(y, "    child: pci-pci\n    ranges:\n"
                                    "      - {child: 0x90000000, parent: "
                                    "0x90000000, size: 0x1000000}\n"));
    free(y);
    r = run((const char *[]){"route", out, "--from", "cpu0", "--addr",
                             "0x8000_0010", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "reached card region 0 (memory) at "
                                        "offset 0x10\n"));
    run_free(&r);
    r = run((const char *[]){"route", out, "--from", "cpu0", "--addr",
                             "0xef60_0000", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "via opb-bridge ranges window 0 "
                                        "(subtractive)"));
    run_free(&r);
    r = run((const char *[]){"check", out, NULL});
    ck_assert_int_eq(r.status, 0);
    run_free(&r);
}
END_TEST

/* Malformed input: one message with the file and node, exit 2, nothing
 * written. */
START_TEST(import_bad_input)
{
    char out[512], cmd[2048];
    snprintf(out, sizeof out, "%s", tu_write("none.yaml", ""));
    remove(out);
    struct {
        const char *name, *text, *want;
    } cases[] = {
        {"notdt.dtb", "hello", "dmasim import: DIR/notdt.dtb: not a device "
                               "tree blob\n"},
        {"syntax.dts", "/dts-v1/;\n/ { a = <1> }\n",
         "dmasim import: DIR/syntax.dts: dtc: Error: DIR/syntax.dts:2.13-14 "
         "syntax error; FATAL ERROR: Unable to parse input tree\n"},
        {"cells.dts", "/dts-v1/;\n/ { #size-cells = <1>; };\n",
         "dmasim import: DIR/cells.dts: /: missing #address-cells\n"},
        {"ranges.dts",
         "/dts-v1/;\n/ { #address-cells = <1>; #size-cells = <1>;\n"
         " bus { compatible = \"simple-bus\"; #address-cells = <1>;\n"
         " #size-cells = <1>; ranges = <0 0x1000 0x100 0x2000>; }; };\n",
         "dmasim import: DIR/ranges.dts: /bus: ranges of 16 bytes is not a "
         "whole number of entries of 3 cells (child 1, parent 1, size 1)\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char in[512], want[1024], dir[512];
        snprintf(in, sizeof in, "%s", tu_write(cases[i].name, cases[i].text));
        snprintf(dir, sizeof dir, "%s", in);
        *strrchr(dir, '/') = '\0';
        Run r = run((const char *[]){"import", in, "-o", out, NULL});
        ck_assert_int_eq(r.status, 2);
        /* DIR: the temporary folder */
        const char *w = cases[i].want;
        size_t k = 0;
        for (const char *c = w; *c && k + 1 < sizeof want;) {
            if (!strncmp(c, "DIR", 3)) {
                k += (size_t)snprintf(want + k, sizeof want - k, "%s", dir);
                c += 3;
            } else {
                want[k++] = *c++;
            }
        }
        want[k] = '\0';
        ck_assert_str_eq(r.err, want);
        ck_assert_int_ne(access(out, F_OK), 0); /* nothing written */
        run_free(&r);
    }
    (void)cmd;
}
END_TEST

/* ---- JUnit for CI ------------------------------------------------------ */

START_TEST(junit_check)
{
    const char *bad = tu_write("bad.yaml", "name: t\nclocks: {c: 1 MHz}\n"
                                           "buses: [{name: b, kind: plb, "
                                           "clock: c, speed: 3}]\n"
                                           "components: []\n");
    char badp[4096];
    snprintf(badp, sizeof badp, "%s", bad);
    const char *err = tu_write("over<lap>.yaml",
                               "name: t\nclocks: {c: 1MHz}\n"
                               "buses: [{name: b, kind: plb, clock: c}]\n"
                               "components:\n"
                               "  - {name: a, kind: sdram, bus: b, base: 0, "
                               "size: 1MiB}\n"
                               "  - {name: z, kind: sram, bus: b, base: "
                               "0x1_0000_0000, size: 1MiB}\n");
    char errp[4096];
    snprintf(errp, sizeof errp, "%s", err);
    char xml[4200];
    snprintf(xml, sizeof xml, "%s", tu_write("out.xml", ""));
    Run r = run((const char *[]){"check", "topologies/ebony.yaml",
                                 "topologies/highmem.yaml", errp, badp,
                                 "--junit", xml, NULL});
    ck_assert_int_eq(r.status, 2); /* bad input wins, and XML is written */
    char *x = slurp(xml);
    ck_assert_ptr_nonnull(strstr(x, "<testsuites name=\"dmasim check\" "
                                    "tests=\"4\" failures=\"1\" "
                                    "errors=\"1\""));
    /* clean: an empty case; warnings: passed, with its output */
    ck_assert_ptr_nonnull(strstr(x, "<testcase classname=\"dmasim.check\" "
                                    "name=\"topologies/ebony.yaml\" time=\""));
    char *hm = strstr(x, "name=\"topologies/highmem.yaml\"");
    ck_assert_ptr_nonnull(hm);
    ck_assert_ptr_nonnull(strstr(hm, "<system-out>topologies/highmem.yaml:"));
    ck_assert(strstr(hm, "<system-out>") < strstr(hm, "</testcase>"));
    /* findings: failed, the name escaped, the findings as its text */
    ck_assert_ptr_nonnull(strstr(x, "over&lt;lap&gt;.yaml\" time="));
    ck_assert_ptr_nonnull(strstr(x, "<failure message=\"1 error, 0 warnings\" "
                                    "type=\"finding\">"));
    ck_assert_ptr_nonnull(strstr(x, "error: region at 0x1_0000_0000 (1 MiB) "
                                    "does not fit in b"));
    /* bad input: in error, with the loader's message */
    ck_assert_ptr_nonnull(strstr(x, "<error message=\"bad input: unknown key "
                                    "'speed' (known here: name, kind,"));
    ck_assert_ptr_nonnull(strstr(x, "type=\"bad-input\">"));
    free(x);
    run_free(&r);

    /* --strict: warnings fail the case */
    r = run((const char *[]){"check", "--strict", "--junit", xml,
                             "topologies/highmem.yaml", NULL});
    ck_assert_int_eq(r.status, 1);
    x = slurp(xml);
    ck_assert_ptr_nonnull(strstr(x, "tests=\"1\" failures=\"1\" "
                                    "errors=\"0\""));
    ck_assert_ptr_nonnull(strstr(x, "<failure message=\"0 errors, 1 "
                                    "warning\""));
    free(x);
    run_free(&r);

    /* an output that cannot be written is refused before any lint */
    r = run((const char *[]){"check", "--junit", "/nonexistent/dir/j.xml",
                             "topologies/ebony.yaml", NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.out, "");
    ck_assert_ptr_nonnull(strstr(r.err, "dmasim check: "));
    ck_assert_ptr_nonnull(strstr(r.err, "/nonexistent/dir"));
    run_free(&r);
}
END_TEST

START_TEST(junit_regress)
{
    char abs[4096], text[8192], fail[4200], bad[4200], xml[4200];
    ck_assert_ptr_nonnull(realpath("topologies/ebony.yaml", abs));
    snprintf(text, sizeof text,
             "name: f\ntopology: %s\nschemes: [flat, struct]\n"
             "buffers: {a: {alloc: kmalloc, size: 4KiB}, "
             "b: {alloc: kmalloc, size: 4KiB}}\n"
             "workload: [{op: copy, from: a, to: b}]\n"
             "expect: {flat: {correct: false}}\n",
             abs);
    snprintf(fail, sizeof fail, "%s", tu_write("fail.yaml", text));
    snprintf(bad, sizeof bad, "%s", tu_write("bad.yaml", "name: [\n"));
    snprintf(xml, sizeof xml, "%s", tu_write("r.xml", ""));
    Run r = run((const char *[]){"regress", "--junit", xml,
                                 "scenarios/baseline.yaml", fail, bad,
                                 NULL});
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.out, "1 passed, 2 failed\n"));
    char *x = slurp(xml);
    /* baseline: flat, flat-bounce, struct, linux passed; f: flat failed,
     * struct passed; bad.yaml: one case in error */
    ck_assert_ptr_nonnull(strstr(x, "<testsuites name=\"dmasim regress\" "
                                    "tests=\"7\" failures=\"1\" "
                                    "errors=\"1\""));
    ck_assert_ptr_nonnull(strstr(x, "<testcase classname=\"baseline\" "
                                    "name=\"flat-bounce\" time=\""));
    ck_assert_ptr_nonnull(strstr(x, "<testcase classname=\"f\" name=\"struct\""));
    char *ff = strstr(x, "<testcase classname=\"f\" name=\"flat\"");
    ck_assert_ptr_nonnull(ff);
    ck_assert_ptr_nonnull(strstr(ff, "<failure message=\"correct is true, "
                                     "expected false\" type=\"finding\">"));
    char *fb = strstr(x, "name=\"load\"");
    ck_assert_ptr_nonnull(fb);
    ck_assert_ptr_nonnull(strstr(fb, "<error message=\"cannot load the "
                                     "scenario\" type=\"bad-input\">"));
    ck_assert_ptr_nonnull(strstr(fb, "bad.yaml:"));
    free(x);
    run_free(&r);

    r = run((const char *[]){"regress", "--jnuit", xml, fail, NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "dmasim regress: unknown option "
                                        "'--jnuit'\n"));
    run_free(&r);
}
END_TEST

/* A file name that is not UTF-8 still gives valid JSON: the ill-formed
 * byte becomes U+FFFD. */
START_TEST(json_file_name_not_utf8)
{
    const char *p = tu_write("ebony\xff\xc3.yaml", "");
    char path[4200];
    snprintf(path, sizeof path, "%s", p);
    char *text = slurp("topologies/ebony.yaml");
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    free(text);
    Run r = run((const char *[]){"check", "--json", path, NULL});
    ck_assert_int_eq(r.status, 0);
    json_object *j = parse(r.out);
    json_object *file0 = json_object_array_get_idx(get(j, "files"), 0);
    const char *name = get_str(file0, "file");
    const char *slash = strrchr(name, '/');
    ck_assert_str_eq(slash ? slash + 1 : name,
                     "ebony\xef\xbf\xbd\xef\xbf\xbd.yaml");
    json_object_put(j);
    run_free(&r);
}
END_TEST

/* ---- sweep and merge --------------------------------------------------------- */

static const char *const SWEEP[] = {
    "sweep", "scenarios/baseline.yaml", "--vary", "seed=1,2,3",
    "--vary", "workload.0.size=4KiB,16KiB", NULL};

/* Runs the sweep above with extra arguments, into a CSV; returns it. */
static char *sweep_to(const char *name, const char *const *extra)
{
    const char *args[32];
    size_t n = 0;
    for (size_t i = 0; SWEEP[i]; i++)
        args[n++] = SWEEP[i];
    char path[512];
    snprintf(path, sizeof path, "%s", tu_write(name, ""));
    remove(path);
    args[n++] = "--csv";
    args[n++] = path;
    for (size_t i = 0; extra && extra[i]; i++)
        args[n++] = extra[i];
    args[n] = NULL;
    Run r = run(args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_str_eq(r.out, "");
    run_free(&r);
    return slurp(path);
}

/* Caches that hold data matter only where DMA does not snoop them: the
 * skipped sync is wrong on the non-coherent 440GP, and right with the
 * maintenance or with kernel.coherent true; the shared line likewise. */
START_TEST(sweep_coherent_cache)
{
    Run r = run((const char *[]){"sweep", "scenarios/cache-no-sync.yaml",
                                 "--vary", "topology.kernel.coherent=false,"
                                           "true",
                                 "--vary", "workload.0.sync=false,true",
                                 "--vary", "workload.1.sync=false,true",
                                 NULL});
    ck_assert_msg(r.status == 0, "%s", r.err);
    size_t lines = 0;
    for (char *l = strchr(r.out, '\n'); l && l[1]; l = strchr(l + 1, '\n')) {
        char coherent[8], s0[8], s1[8];
        int correct;
        ck_assert_int_eq(sscanf(l + 1, "%*[^,],%7[^,],%7[^,],%7[^,],%*[^,],"
                                       "%*[^,],%*[^,],%d",
                                coherent, s0, s1, &correct),
                         4);
        bool right = !strcmp(coherent, "true") ||
                     (!strcmp(s0, "true") && !strcmp(s1, "true"));
        ck_assert_msg(correct == right, "%s", l + 1);
        lines++;
    }
    ck_assert_uint_eq(lines, 8 * 4);
    run_free(&r);
    /* the table's row and the messages that say which bytes */
    r = run((const char *[]){"run", "scenarios/cache-no-sync.yaml", NULL});
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "\nbytes read stale   "));
    ck_assert_ptr_nonnull(strstr(r.out, "  cache error x1: workload.0: card "
                                        "read stale memory under bytes "
                                        "0-4095 of tx: the CPU's cache held "
                                        "them dirty (no write-back before "
                                        "the DMA)\n"));
    run_free(&r);
    r = run((const char *[]){"run", "scenarios/baseline.yaml", NULL});
    ck_assert_ptr_null(strstr(r.out, "bytes read stale"));
    run_free(&r);
    r = run((const char *[]){"sweep", "scenarios/cache-neighbour.yaml",
                             "--vary", "topology.kernel.coherent=false,true",
                             NULL});
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "\n0,false,cache-neighbour,ebony,"
                                        "flat,0,1,"));
    ck_assert_ptr_nonnull(strstr(r.out, "\n0,false,cache-neighbour,ebony,"
                                        "linux,1,0,"));
    ck_assert_ptr_nonnull(strstr(r.out, "\n1,true,cache-neighbour,ebony,"
                                        "flat,1,0,"));
    run_free(&r);
}
END_TEST

START_TEST(sweep_csv_jobs_shards)
{
    char *one = sweep_to("j1.csv", (const char *[]){"--jobs", "1", NULL});
    char *two = sweep_to("j2.csv", (const char *[]){"--jobs", "2", NULL});
    ck_assert_str_eq(one, two);
    /* header, then 6 points x 4 schemes, point by point */
    const char *head = "point,seed,workload.0.size,scenario,topology,scheme,"
                       "correct,silent,";
    ck_assert(!strncmp(one, head, strlen(head)));
    size_t lines = 0;
    for (const char *c = one; *c; c++)
        lines += *c == '\n';
    ck_assert_uint_eq(lines, 1 + 6 * 4);
    ck_assert_ptr_nonnull(strstr(one, "\n0,1,4KiB,baseline,ebony,flat,1,0,"));
    ck_assert_ptr_nonnull(strstr(one, "\n5,3,16KiB,baseline,ebony,struct,1,"));
    /* the shards, merged (one given twice), are the whole */
    char *s1 = sweep_to("s1.csv", (const char *[]){"--shard", "1/2", NULL});
    char *s2 = sweep_to("s2.csv", (const char *[]){"--shard", "2/2", NULL});
    ck_assert_str_ne(s1, one);
    char p1[512], p2[512], pm[512];
    snprintf(p1, sizeof p1, "%s", tu_write("s1.csv", s1));
    snprintf(p2, sizeof p2, "%s", tu_write("s2.csv", s2));
    snprintf(pm, sizeof pm, "%s", tu_write("m.csv", ""));
    Run r = run((const char *[]){"merge", p2, p1, p2, "-o", pm, NULL});
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    char *m = slurp(pm);
    ck_assert_str_eq(m, one);
    free(m);
    free(s1);
    free(s2);

    free(one);
    free(two);
}
END_TEST

/* --resume: a file with points 0-2 done and point 3 half written (as an
 * interrupted sweep leaves it) ends up the whole; plots. */
START_TEST(sweep_resume_and_plots)
{
    char *full = sweep_to("full.csv", NULL);
    char part[65536];
    const char *cut = full;
    for (int k = 0; k < 1 + 3 * 3 + 2; k++)
        cut = strchr(cut, '\n') + 1;
    snprintf(part, sizeof part, "%.*s", (int)(cut - full), full);
    /* Mark point 0's first line: resuming must keep it, not run it again. */
    char *mark = strstr(part, "\n0,1,4KiB,baseline,ebony,flat,1,0,");
    ck_assert_ptr_nonnull(mark);
    mark[strlen("\n0,1,4KiB,baseline,ebony,flat,1,")] = '7';
    char path[512];
    snprintf(path, sizeof path, "%s", tu_write("part.csv", part));
    Run r = run((const char *[]){"sweep", "scenarios/baseline.yaml", "--vary",
                                 "seed=1,2,3", "--vary",
                                 "workload.0.size=4KiB,16KiB", "--csv", path,
                                 "--resume", NULL});
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    char *resumed = slurp(path);
    ck_assert_ptr_nonnull(strstr(resumed, "\n0,1,4KiB,baseline,ebony,flat,1,7,"));
    resumed[strstr(resumed, ",flat,1,7,") - resumed + 8] = '0';
    ck_assert_str_eq(resumed, full);
    free(resumed);
    free(full);

    /* PNG and SVG by the file name */
    char png[512], svg[512];
    snprintf(png, sizeof png, "%s", tu_write("bw.png", ""));
    snprintf(svg, sizeof svg, "%s", tu_write("bw.svg", ""));
    remove(png);
    remove(svg);
    const char *base[] = {"sweep", "scenarios/ioremap-target.yaml", "--vary",
                          "workload.0.size=1KiB,4KiB,16KiB", "--plot"};
    r = run((const char *[]){base[0], base[1], base[2], base[3], base[4], png,
                             NULL});
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    r = run((const char *[]){base[0], base[1], base[2], base[3], base[4], svg,
                             NULL});
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    char *pb = slurp(png), *sb = slurp(svg);
    ck_assert(!memcmp(pb, "\x89PNG", 4));
    ck_assert_ptr_nonnull(strstr(sb, "<svg"));
    ck_assert_ptr_nonnull(strstr(sb, "flat-bounce"));
    free(pb);
    free(sb);
    /* gnuplot missing: said clearly */
    char *old = strdup(getenv("PATH"));
    setenv("PATH", "/nonexistent", 1);
    r = run((const char *[]){base[0], base[1], base[2], base[3], base[4], png,
                             NULL});
    setenv("PATH", old, 1);
    free(old);
    ck_assert_msg(r.status == 2, "status %d: %s", r.status, r.err);
    ck_assert_ptr_nonnull(strstr(r.err, "gnuplot is not installed"));
    run_free(&r);
    /* a plot that is neither */
    r = run((const char *[]){base[0], base[1], base[2], base[3], base[4],
                             "x.pdf", NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, "dmasim sweep: --plot takes a .png or .svg "
                            "file, not 'x.pdf'\n");
    run_free(&r);
}
END_TEST

/* Resumes the sweep above from `text` (written to name); returns what
 * the file holds then. */
static char *resume_from(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s", tu_write(name, text));
    const char *args[32];
    size_t n = 0;
    for (size_t i = 0; SWEEP[i]; i++)
        args[n++] = SWEEP[i];
    args[n++] = "--csv";
    args[n++] = path;
    args[n++] = "--resume";
    args[n] = NULL;
    Run r = run(args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    return slurp(path);
}

/* What --resume keeps: whole points of this sweep only.  Each of these
 * used to end in a wrong file: a point written twice was dropped and
 * never run again, a line cut short was kept as a result, and the lines
 * of other --vary values were kept as this sweep's. */
START_TEST(sweep_resume_keeps_whole_points)
{
    char *full = sweep_to("rfull.csv", NULL);
    /* point 2's lines twice */
    char *p2 = strstr(full, "\n2,");
    char *p3 = strstr(full, "\n3,");
    char twice[65536];
    snprintf(twice, sizeof twice, "%.*s%.*s%s", (int)(p3 - full + 1), full,
             (int)(p3 - p2), p2 + 1, p3 + 1);
    char *got = resume_from("twice.csv", twice);
    ck_assert_str_eq(got, full);
    free(got);
    /* the last line cut short, no newline at its end */
    char cutf[65536];
    snprintf(cutf, sizeof cutf, "%.*s", (int)strlen(full) - 30, full);
    got = resume_from("cut.csv", cutf);
    ck_assert_str_eq(got, full);
    free(got);
    /* the same header, other values: none of its lines is this sweep's */
    char other[65536];
    snprintf(other, sizeof other, "%s", full);
    for (char *c = strstr(other, "\n"); c; c = strstr(c + 1, "\n"))
        if (c[1] && c[3] == '1') /* "\nP,1,": seed 1 becomes 9 */
            c[3] = '9';
    ck_assert_str_ne(other, full);
    got = resume_from("other.csv", other);
    ck_assert_str_eq(got, full);
    free(got);
    free(full);
}
END_TEST

/* merge refuses what is not a sweep's CSV and files that disagree on a
 * point; values that need quotes are quoted (RFC 4180) and read back. */
START_TEST(sweep_merge_and_quoting)
{
    char *full = sweep_to("mfull.csv", NULL);
    char a[512], b[512], o[512];
    snprintf(a, sizeof a, "%s", tu_write("ma.csv", full));
    snprintf(o, sizeof o, "%s", tu_write("mo.csv", ""));
    snprintf(b, sizeof b, "%s", tu_write("mb.csv", "just,some\ntext\n"));
    Run r = run((const char *[]){"merge", a, b, "-o", o, NULL});
    ck_assert_int_eq(r.status, 2);
    char want[1200];
    snprintf(want, sizeof want,
             "dmasim merge: %s is not a sweep's CSV (its header is not "
             "point,...,scheme,...)\n",
             b);
    ck_assert_str_eq(r.err, want);
    run_free(&r);
    /* point 4's flat line with another result */
    char *conflict = strdup(full);
    char *at = strstr(conflict, "\n4,3,4KiB,baseline,ebony,flat,1,0,");
    ck_assert_ptr_nonnull(at);
    at[strlen("\n4,3,4KiB,baseline,ebony,flat,1,0,")] = '7';
    snprintf(b, sizeof b, "%s", tu_write("mb.csv", conflict));
    r = run((const char *[]){"merge", a, b, "-o", o, NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, "dmasim merge: point 4 has two different lines "
                            "for scheme flat\n");
    run_free(&r);
    free(conflict);
    free(full);
    /* a value with quotes and a comma-free newline, quoted and resumed */
    char q[512];
    snprintf(q, sizeof q, "%s", tu_write("q.csv", ""));
    remove(q);
    const char *qa[] = {"sweep", "scenarios/baseline.yaml", "--vary",
                        "description=say \"hi\",two\nlines", "--csv", q,
                        NULL};
    r = run(qa);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    char *text = slurp(q);
    ck_assert_ptr_nonnull(strstr(text, "\n0,\"say \"\"hi\"\"\",baseline,"));
    ck_assert_ptr_nonnull(strstr(text, "\n1,\"two\nlines\",baseline,"));
    const char *qr[] = {"sweep", "scenarios/baseline.yaml", "--vary",
                        "description=say \"hi\",two\nlines", "--csv", q,
                        "--resume", NULL};
    r = run(qr);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    char *again = slurp(q);
    ck_assert_str_eq(again, text);
    free(again);
    free(text);
}
END_TEST

/* A sweep killed while it runs keeps what it finished; --resume runs the
 * rest and ends with the same CSV as an uninterrupted sweep. */
START_TEST(sweep_killed_then_resumed)
{
    const char *bin = getenv("DMASIM") ? getenv("DMASIM") : "build/dmasim";
    char full[512], part[512], cmd[2048];
    snprintf(full, sizeof full, "%s", tu_write("kfull.csv", ""));
    snprintf(part, sizeof part, "%s", tu_write("kpart.csv", ""));
    remove(part);
    const char *args = "sweep scenarios/vmalloc.yaml --vary "
                       "workload.0.repeat=20,22,24,26,28,30,32,34,36,38,40 "
                       "--vary seed=1,2,3,4,5,6 --jobs 2";
    snprintf(cmd, sizeof cmd, "%s %s --csv %s", bin, args, full);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd,
             "%s %s --csv %s & pid=$!; sleep 0.5; "
             "kill -TERM $pid 2>/dev/null; "
             "wait $pid; echo $? > %s.status",
             bin, args, part, part);
    ck_assert_int_eq(system(cmd), 0);
    char st[600];
    snprintf(st, sizeof st, "%s.status", part);
    char *status = slurp(st);
    int rc = atoi(status);
    free(status);
    /* stopped by SIGTERM (143), or done already on a fast machine */
    ck_assert_msg(rc == 143 || rc == 0, "status %d", rc);
    if (rc == 143) { /* what was saved is a part, not the whole */
        char *a = slurp(full), *b = slurp(part);
        ck_assert_uint_lt(strlen(b), strlen(a));
        free(a);
        free(b);
    }
    snprintf(cmd, sizeof cmd, "%s %s --csv %s --resume", bin, args, part);
    ck_assert_int_eq(system(cmd), 0);
    char *a = slurp(full), *b = slurp(part);
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
}
END_TEST

/* A report stopped by a signal while gnuplot draws leaves no plot data
 * behind in TMPDIR (a gnuplot that takes its time: a script that sleeps,
 * first on PATH). */
/* Operations refused before any bus cycle take no time: the latency plot
 * still draws (from its left end), and gnuplot has nothing to complain
 * about. */
START_TEST(report_refused_operations)
{
    char abs[4096], text[8192], dir[4300];
    ck_assert_ptr_nonnull(realpath("topologies/ebony.yaml", abs));
    snprintf(text, sizeof text,
             "name: refused\ntopology: %s\nschemes: [struct]\n"
             "buffers:\n  cardmem: {mmio: card, size: 4KiB}\n"
             "  tx: {fifo: uart0}\n"
             "workload:\n  - {op: copy, from: cardmem, to: tx, engine: card}\n",
             abs);
    const char *p = tu_write("refused.yaml", text);
    char sp[4200];
    snprintf(sp, sizeof sp, "%s", p);
    snprintf(dir, sizeof dir, "%s.out", sp);
    Run r = run((const char *[]){"run", sp, "--json", "-", NULL});
    ck_assert_int_eq(r.status, 0);
    json_object *o = parse(r.out);
    json_object *lat = get(get(get(o, "schemes"), "struct"), "latency_ps");
    ck_assert_int_eq(json_object_get_int64(get(lat, "operations")), 1);
    ck_assert_int_eq(json_object_get_int64(get(lat, "max")), 0);
    json_object_put(o);
    run_free(&r);
    /* the table says it was refused, and what */
    r = run((const char *[]){"run", sp, NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "\nsimulated time      - (refused)\n"
                                        "throughput          -\n"));
    ck_assert_ptr_nonnull(strstr(r.out, "  api error x1: workload.0: the copy "
                                        "of 4 KiB from cardmem to tx was "
                                        "refused: dma_convert_addr: no window "
                                        "leads card to uart0"));
    run_free(&r);
    r = run((const char *[]){"report", sp, "-o", dir, NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.err, "");
    char svg[4400];
    snprintf(svg, sizeof svg, "%s/refused-latency.svg", dir);
    char *x = slurp(svg);
    ck_assert_ptr_nonnull(strstr(x, "<svg"));
    ck_assert_ptr_nonnull(strstr(x, "<path")); /* a curve was drawn */
    free(x);
    run_free(&r);
}
END_TEST

START_TEST(report_stopped_leaves_no_data)
{
    char bin[4096], here[4096], dir[512], cmd[16384];
    ck_assert_ptr_nonnull(realpath(getenv("DMASIM") ? getenv("DMASIM")
                                                    : "build/dmasim",
                                   bin));
    ck_assert_ptr_nonnull(getcwd(here, sizeof here));
    snprintf(dir, sizeof dir, "%s", tu_write("gnuplot", "#!/bin/sh\nsleep 5\n"));
    ck_assert_int_eq(chmod(dir, 0755), 0);
    *strrchr(dir, '/') = '\0';
    snprintf(cmd, sizeof cmd,
             "mkdir %s/tmp && cd %s && "
             "PATH=%s:$PATH TMPDIR=%s/tmp %s report "
             "%s/scenarios/baseline.yaml -o %s/out & pid=$!; sleep 0.5; "
             "kill -TERM $pid; wait $pid; echo $? > %s/status",
             dir, dir, dir, dir, bin, here, dir, dir);
    ck_assert_int_eq(system(cmd), 0);
    char st[600];
    snprintf(st, sizeof st, "%s/status", dir);
    char *status = slurp(st);
    ck_assert_int_eq(atoi(status), 143); /* stopped by SIGTERM */
    free(status);
    snprintf(cmd, sizeof cmd, "test -z \"$(ls -A %s/tmp)\"", dir);
    ck_assert_msg(system(cmd) == 0, "plot data left in %s/tmp", dir);
}
END_TEST

START_TEST(sweep_bad_input)
{
    Run r = run((const char *[]){"sweep", "scenarios/baseline.yaml", "--vary",
                                 "workload.7.size=4KiB", NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, "scenarios/baseline.yaml:1:1: workload.7.size: "
                            "workload has 2 items (0 to 1): no item 7\n");
    run_free(&r);
    r = run((const char *[]){"sweep", "scenarios/baseline.yaml", "--vary",
                             "workload.copy.size=4KiB", NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, "scenarios/baseline.yaml:1:1: workload.copy.size: "
                            "'copy' in workload: its items have no names; "
                            "give an index\n");
    run_free(&r);
    r = run((const char *[]){"sweep", "scenarios/baseline.yaml", "--vary",
                             "topology.components.crad.master.max_burst=64",
                             NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, "scenarios/../topologies/ebony.yaml:1:1: "
                            "components.crad.master.max_burst: no item named "
                            "'crad' in components (its names: cpu0, sdram, "
                            "sram, dma0, plb-opb, uart0, pcix0-bridge, card; "
                            "or give an index from 0 to 7)\n");
    run_free(&r);
    r = run((const char *[]){"sweep", "scenarios/baseline.yaml", "--vary",
                             "buffers.ram=1", NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, "scenarios/baseline.yaml:1:1: buffers.ram: "
                            "buffers.ram is a mapping, not a single value\n");
    run_free(&r);
    /* a value that does not load stops the sweep before any point runs,
     * naming it */
    r = run((const char *[]){"sweep", "scenarios/baseline.yaml", "--vary",
                             "seed=1,2,3", "--vary",
                             "workload.0.size=4KiB,1MiB", "--jobs", "1",
                             NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.out, "");
    ck_assert_str_eq(r.err, "dmasim sweep: workload.0.size=1MiB does not "
                            "load:\nscenarios/baseline.yaml:16:5: "
                            "workload.0: size 1 MiB is more than 'ram' "
                            "holds\n");
    run_free(&r);
    /* a path varied twice */
    r = run((const char *[]){"sweep", "scenarios/baseline.yaml", "--vary",
                             "seed=1,2", "--vary", "seed=3", NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, "dmasim sweep: --vary seed is given twice\n");
    run_free(&r);
    r = run((const char *[]){"sweep", "scenarios/baseline.yaml", NULL});
    ck_assert_int_eq(r.status, 2);
    run_free(&r);
}
END_TEST

/* A list item named by its `name` is the item of that index. */
START_TEST(sweep_vary_by_name)
{
    Run a = run((const char *[]){"sweep", "scenarios/baseline.yaml", "--vary",
                                 "topology.components.card.master.max_burst="
                                 "64,256",
                                 "--jobs", "1", NULL});
    Run b = run((const char *[]){"sweep", "scenarios/baseline.yaml", "--vary",
                                 "topology.components.7.master.max_burst="
                                 "64,256",
                                 "--jobs", "1", NULL});
    ck_assert_int_eq(a.status, 0);
    ck_assert_int_eq(b.status, 0);
    ck_assert_ptr_nonnull(strstr(a.out, "point,topology.components.card."
                                        "master.max_burst,scenario,"));
    /* past the header the lines are the same */
    const char *la = strchr(a.out, '\n'), *lb = strchr(b.out, '\n');
    ck_assert_ptr_nonnull(la);
    ck_assert_ptr_nonnull(lb);
    ck_assert_str_eq(la, lb);
    run_free(&a);
    run_free(&b);
}
END_TEST

/* ---- traces ------------------------------------------------------------------ */

START_TEST(trace_json)
{
    char path[512];
    snprintf(path, sizeof path, "%s", tu_write("t.json", ""));
    Run r = run((const char *[]){"run", "scenarios/dev-to-fifo.yaml",
                                 "--trace", path, NULL});
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    char *text = slurp(path);
    json_object *o = parse(text);
    json_object *ev = get(o, "traceEvents");
    size_t n = json_object_array_length(ev);
    bool proc[5] = {0}, plb = false, opb = false, dma0 = false, cpu0 = false;
    size_t slices = 0, retries = 0, steps = 0;
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(ev, i);
        const char *ph = get_str(e, "ph"), *name = get_str(e, "name");
        if (!strcmp(ph, "M")) {
            const char *v = get_str(get(e, "args"), "name");
            if (!strcmp(name, "process_name")) {
                int pid = json_object_get_int(get(e, "pid"));
                ck_assert(pid >= 1 && pid <= 4);
                proc[pid] = true;
            }
            plb |= !strcmp(v, "bus plb (read path)");
            opb |= !strcmp(v, "bus opb");
            dma0 |= !strcmp(v, "master dma0");
            cpu0 |= !strcmp(v, "master cpu0");
            continue;
        }
        ck_assert_str_eq(ph, "X");
        ck_assert(json_object_get_double(get(e, "dur")) >= 0);
        json_object *args = get(e, "args");
        if (json_object_object_get_ex(args, "detail", NULL)) {
            steps++;
        } else {
            slices++;
            get_str(args, "master");
            ck_assert(!strncmp(get_str(args, "addr"), "0x", 2));
            get(args, "bytes");
            retries += !strcmp(name, "request (retry)");
        }
    }
    ck_assert(proc[1] && proc[2] && proc[3] && proc[4]);
    ck_assert(plb && opb && dma0 && cpu0);
    ck_assert_uint_gt(slices, 100);
    ck_assert_uint_gt(steps, 10);
    ck_assert_uint_gt(retries, 0); /* dma0's reads of the card: delayed */
    json_object_put(o);
    free(text);
}
END_TEST

/* The CPU is one resource, and the trace shows it: on Ebony-like
 * contention (four streams, one core) the CPU's slices never overlap,
 * each at its exact picosecond (times are microseconds with six
 * decimals). */
START_TEST(trace_cpu_one_at_a_time)
{
    char path[512];
    snprintf(path, sizeof path, "%s", tu_write("c.json", ""));
    Run r = run((const char *[]){"run", "scenarios/contention.yaml",
                                 "--scheme", "struct", "--trace", path, NULL});
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    char *text = slurp(path);
    json_object *o = parse(text);
    json_object *ev = get(o, "traceEvents");
    size_t n = json_object_array_length(ev), k = 0;
    int cpu_tid = -1;
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(ev, i);
        if (!strcmp(get_str(e, "ph"), "M") &&
            !strcmp(get_str(get(e, "args"), "name"), "master cpu0"))
            cpu_tid = json_object_get_int(get(e, "tid"));
    }
    ck_assert_int_ge(cpu_tid, 0);
    long long (*span)[2] = calloc(n, sizeof *span);
    ck_assert_ptr_nonnull(span);
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(ev, i);
        if (strcmp(get_str(e, "ph"), "X") ||
            json_object_get_int(get(e, "tid")) != cpu_tid)
            continue;
        double ts = json_object_get_double(get(e, "ts")) * 1e6;
        double dur = json_object_get_double(get(e, "dur")) * 1e6;
        ck_assert(fabs(ts - llround(ts)) < 1e-3); /* whole picoseconds */
        span[k][0] = llround(ts);
        span[k][1] = llround(ts) + llround(dur);
        k++;
    }
    ck_assert_uint_gt(k, 40); /* 20 operations: calls, cache work, PIO */
    for (size_t i = 0; i < k; i++)
        for (size_t j = i + 1; j < k; j++)
            ck_assert_msg(span[i][1] <= span[j][0] ||
                              span[j][1] <= span[i][0],
                          "cpu0 runs two steps at once: [%lld, %lld) and "
                          "[%lld, %lld)",
                          span[i][0], span[i][1], span[j][0], span[j][1]);
    free(span);
    json_object_put(o);
    free(text);
}
END_TEST

START_TEST(trace_vcd)
{
    char path[512];
    snprintf(path, sizeof path, "%s", tu_write("t.vcd", ""));
    Run r = run((const char *[]){"run", "scenarios/dev-to-fifo.yaml",
                                 "--scheme", "struct", "--trace", path, NULL});
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char line[512], ids[64][8];
    size_t n_ids = 0, changes = 0;
    bool defs = false, timescale = false, owners = false;
    unsigned long long last = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (!defs) {
            char id[8], name[128];
            unsigned width;
            timescale |= !strcmp(line, "$timescale 1ps $end");
            /* the owner values named: Ebony's components in file order */
            owners |= !strncmp(line, "$comment owner values: 1=cpu0 2=sdram "
                                     "3=sram 4=dma0 ", 52);
            if (sscanf(line, "$var wire %u %7s %127s $end", &width, id,
                       name) == 3) {
                ck_assert(width == 1 || width == 16);
                snprintf(ids[n_ids++], sizeof ids[0], "%s", id);
            }
            defs = !strcmp(line, "$enddefinitions $end");
            continue;
        }
        if (line[0] == '#') {
            unsigned long long t = strtoull(line + 1, NULL, 10);
            ck_assert(t >= last); /* time never goes back */
            last = t;
            continue;
        }
        if (line[0] == '$')
            continue;
        const char *id = line[0] == 'b' ? strchr(line, ' ') + 1 : line + 1;
        bool known = false;
        for (size_t i = 0; i < n_ids; i++)
            known |= !strcmp(ids[i], id);
        ck_assert_msg(known, "undeclared signal in '%s'", line);
        changes++;
    }
    fclose(f);
    ck_assert(timescale && defs && owners);
    ck_assert_uint_eq(n_ids, 8); /* plb read and write, opb, pcix0 */
    ck_assert_uint_gt(changes, 100);
    ck_assert_uint_gt(last, 0);
    r = run((const char *[]){"run", "scenarios/baseline.yaml", "--trace",
                             "t.txt", NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, "dmasim run: --trace takes a .json (Perfetto) or "
                            ".vcd (GTKWave) file, not 't.txt'\n");
    run_free(&r);
}
END_TEST

START_TEST(report_files_and_errors)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s", tu_write("rep", ""));
    remove(dir);
    Run r = run((const char *[]){"report", "scenarios/baseline.yaml",
                                 "scenarios/vmalloc.yaml", "-o", dir, NULL});
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
    char path[600];
    snprintf(path, sizeof path, "%s/index.html", dir);
    char *html = slurp(path);
    ck_assert_ptr_nonnull(strstr(html, "<section id=\"baseline\">"));
    ck_assert_ptr_nonnull(strstr(html, "<section id=\"vmalloc\">"));
    /* vmalloc's flat run is silent: marked so */
    ck_assert_ptr_nonnull(strstr(html, "<td class=\"bad silent\">YES</td>"));
    ck_assert_ptr_nonnull(strstr(html, "bounced through kmalloc memory"));
    /* self-contained: nothing fetched */
    ck_assert_ptr_null(strstr(html, "src="));
    ck_assert_ptr_null(strstr(html, "<link"));
    size_t svgs = 0;
    for (const char *p = html; (p = strstr(p, "<svg")); p++)
        svgs++;
    ck_assert_uint_eq(svgs, 4);
    free(html);
    r = run((const char *[]){"report", "scenarios/nope.yaml", "-o", dir, NULL});
    ck_assert_int_eq(r.status, 2);
    run_free(&r);
    r = run((const char *[]){"report", "scenarios/baseline.yaml", NULL});
    ck_assert_int_eq(r.status, 2);
    run_free(&r);
}
END_TEST

/* ---- outputs ------------------------------------------------------------------ */

/* An output that is an input is refused before anything runs, and the
 * input stays whole; so is an output whose folder does not exist. */
START_TEST(outputs_checked_first)
{
    char scen[512], cwd[1024];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    char *text = slurp("scenarios/baseline.yaml");
    snprintf(scen, sizeof scen, "%s", tu_write("in.yaml", ""));
    char *topo_line = strstr(text, "topology: ../topologies/ebony.yaml");
    ck_assert_ptr_nonnull(topo_line);
    char fixed[8192];
    snprintf(fixed, sizeof fixed, "%.*stopology: %s/topologies/ebony.yaml%s",
             (int)(topo_line - text), text, cwd,
             topo_line + strlen("topology: ../topologies/ebony.yaml"));
    FILE *f = fopen(scen, "w");
    fputs(fixed, f);
    fclose(f);
    Run r = run((const char *[]){"run", scen, "--json", scen, NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.out, "");
    char want[1400];
    snprintf(want, sizeof want,
             "dmasim run: %s is an input (%s): refusing to write over it\n",
             scen, scen);
    ck_assert_str_eq(r.err, want);
    run_free(&r);
    char *after = slurp(scen);
    ck_assert_str_eq(after, fixed);
    free(after);
    free(text);
    /* the topology is an input too */
    r = run((const char *[]){"run", "scenarios/baseline.yaml", "--csv",
                             "topologies/ebony.yaml", NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "is an input"));
    run_free(&r);
    /* no folder: said at once, nothing run */
    r = run((const char *[]){"run", "scenarios/baseline.yaml", "--json",
                             "/nonexistent/dir/x.json", NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.out, "");
    ck_assert_str_eq(r.err, "dmasim run: cannot write /nonexistent/dir/"
                            "x.json: /nonexistent/dir: No such file or "
                            "directory\n");
    run_free(&r);
    r = run((const char *[]){"sweep", "scenarios/baseline.yaml", "--vary",
                             "seed=1,2,3,4,5,6,7,8", "--csv",
                             "/nonexistent/dir/x.csv", NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, "dmasim sweep: cannot write /nonexistent/dir/"
                            "x.csv: /nonexistent/dir: No such file or "
                            "directory\n");
    run_free(&r);
    r = run((const char *[]){"sweep", "scenarios/baseline.yaml", "--vary",
                             "seed=1", "--csv", "scenarios/baseline.yaml",
                             NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "is an input"));
    run_free(&r);
    r = run((const char *[]){"merge", "scenarios/baseline.yaml", "-o",
                             "scenarios/baseline.yaml", NULL});
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "is an input"));
    run_free(&r);
}
END_TEST

/* Standard output that cannot be written (a full disk) is an error, not
 * a silent loss; /dev/stdout is standard output, written in place. */
START_TEST(outputs_stdout)
{
    const char *bin = getenv("DMASIM") ? getenv("DMASIM") : "build/dmasim";
    char cmd[2048], err[512];
    snprintf(err, sizeof err, "%s", tu_write("full.err", ""));
    snprintf(cmd, sizeof cmd,
             "%s check topologies/ebony.yaml > /dev/full 2> %s", bin, err);
    int st = system(cmd);
    ck_assert(WIFEXITED(st));
    ck_assert_int_eq(WEXITSTATUS(st), 2);
    char *e = slurp(err);
    ck_assert_str_eq(e, "dmasim: cannot write standard output: No space "
                        "left on device\n");
    free(e);
    Run r = run((const char *[]){"run", "scenarios/baseline.yaml", "--csv",
                                 "/dev/stdout", NULL});
    ck_assert_int_eq(r.status, 0);
    ck_assert(!strncmp(r.out, "scenario,topology,scheme,", 25));
    ck_assert_ptr_null(strstr(r.out, "simulated time")); /* no table */
    run_free(&r);
}
END_TEST

/* A sweep worker that cannot write its lines (here a file size limit
 * under TMPDIR) fails the sweep, with the reason; it used to end with
 * exit 0 and points missing. */
/* Any legal file name plots, none runs code: an apostrophe in a folder
 * (plotting used to fail), and a name that closes gnuplot's quotes and
 * runs a command (it used to run: here `exit status 3`, harmless and
 * seen as gnuplot's exit status). */
START_TEST(outputs_plot_names)
{
    char dir[600], png[900], bad[1200];
    snprintf(dir, sizeof dir, "%s", tu_write("probe", ""));
    *strrchr(dir, '/') = '\0';
    size_t k = strlen(dir);
    snprintf(dir + k, sizeof dir - k, "/it's here");
    mkdir(dir, 0777);
    snprintf(png, sizeof png, "%s/bw.png", dir);
    snprintf(bad, sizeof bad, "%s/x'; exit status 3; print '.svg", dir);
    const char *outs[2] = {png, bad};
    for (int i = 0; i < 2; i++) {
        Run r = run((const char *[]){"sweep", "scenarios/ioremap-target.yaml",
                                     "--vary", "workload.0.size=1KiB,4KiB",
                                     "--plot", outs[i], NULL});
        ck_assert_msg(r.status == 0, "%s: %s", outs[i], r.err);
        run_free(&r);
        struct stat st;
        ck_assert_msg(stat(outs[i], &st) == 0 && st.st_size > 0, "%s",
                      outs[i]);
    }
    /* the report's folder too */
    Run r = run((const char *[]){"report", "scenarios/baseline.yaml", "-o",
                                 dir, NULL});
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_free(&r);
}
END_TEST

START_TEST(outputs_worker_write_errors)
{
    const char *bin = getenv("DMASIM") ? getenv("DMASIM") : "build/dmasim";
    char dir[512], cmd[2048], err[600], out[600];
    snprintf(dir, sizeof dir, "%s", tu_write("w.err", ""));
    snprintf(err, sizeof err, "%s", dir);
    *strrchr(dir, '/') = '\0';
    snprintf(out, sizeof out, "%s/w.out", dir);
    /* stdout through a pipe, which the limit does not touch; the status
     * through a file */
    snprintf(cmd, sizeof cmd,
             "(trap '' XFSZ; ulimit -f 1; TMPDIR=%s %s sweep "
             "scenarios/baseline.yaml --vary seed=1,2,3,4 --jobs 1 "
             "2> %s; echo $? > %s) | cat > /dev/null",
             dir, bin, err, out);
    ck_assert_int_eq(system(cmd), 0);
    char *status = slurp(out);
    ck_assert_int_eq(atoi(status), 2);
    free(status);
    char *e = slurp(err);
    ck_assert_msg(strstr(e, "File too large") != NULL, "%s", e);
    ck_assert_ptr_nonnull(strstr(e, "dmasim sweep: a worker failed"));
    free(e);
}
END_TEST

Suite *cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("check");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, check_clean);
    tcase_add_test(tc, check_warnings_and_strict);
    tcase_add_test(tc, check_errors);
    tcase_add_test(tc, check_bad_input);
    tcase_add_test(tc, check_json);
    suite_add_tcase(s, tc);
    tc = tcase_create("route");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, route_text);
    tcase_add_test(tc, route_json_reached);
    tcase_add_test(tc, route_json_dies);
    tcase_add_test(tc, route_bad_input);
    suite_add_tcase(s, tc);
    tc = tcase_create("program");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, usage);
    tcase_add_test(tc, malformed_files);
    suite_add_tcase(s, tc);
    tc = tcase_create("run");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, run_table_and_json);
    tcase_add_test(tc, run_scheme_csv_and_stdout);
    tcase_add_test(tc, run_exit_codes);
    tcase_add_test(tc, junit_check);
    tcase_add_test(tc, junit_regress);
    tcase_add_test(tc, json_file_name_not_utf8);
    tcase_add_test(tc, run_past_the_end_of_time);
    tcase_add_test(tc, run_progress_on_a_terminal);
    tcase_add_test(tc, run_programs_windows);
    tcase_add_test(tc, run_maps_iommu_pages);
    tcase_add_test(tc, run_phys_buffers);
    tcase_add_test(tc, import_routes_as_written);
    tcase_add_test(tc, import_bad_input);
    tcase_add_test(tc, import_rules);
    tcase_add_test(tc, import_overlapping_bridges);
    tcase_add_test(tc, import_cache_and_coherence);
    tcase_add_test(tc, trace_json);
    tcase_add_test(tc, trace_cpu_one_at_a_time);
    tcase_add_test(tc, trace_vcd);
    suite_add_tcase(s, tc);
    tc = tcase_create("sweep");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, sweep_csv_jobs_shards);
    tcase_add_test(tc, sweep_coherent_cache);
    tcase_add_test(tc, sweep_resume_and_plots);
    tcase_add_test(tc, sweep_killed_then_resumed);
    tcase_add_test(tc, report_stopped_leaves_no_data);
    tcase_add_test(tc, report_refused_operations);
    tcase_add_test(tc, sweep_resume_keeps_whole_points);
    tcase_add_test(tc, sweep_merge_and_quoting);
    tcase_add_test(tc, sweep_bad_input);
    tcase_add_test(tc, sweep_vary_by_name);
    tcase_add_test(tc, report_files_and_errors);
    suite_add_tcase(s, tc);
    tc = tcase_create("outputs");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, outputs_checked_first);
    tcase_add_test(tc, outputs_stdout);
    tcase_add_test(tc, outputs_plot_names);
    tcase_add_test(tc, outputs_worker_write_errors);
    suite_add_tcase(s, tc);
    return s;
}
