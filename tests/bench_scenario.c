#define _DEFAULT_SOURCE /* realpath */
/* make bench: a saturated board and how run time scales.
 *
 * On Ebony, three masters stay busy: the PLB DMA engine copies SDRAM to
 * the card's memory through the host bridge, 4 KiB per transfer through
 * its buffer; the PCI-X card reads SDRAM through the inbound window and
 * the CPU writes SDRAM, each with one 4 KiB transaction in flight (raw
 * transactions until the CPU model exists, docs/timing.md).  Prints
 *   bench scenario NAME ops=N runs=R wall_s=T wall_median_s=M
 *         events_per_s=X sim_cycles_per_s=Y sim_over_wall=Z bursts=K
 *         bursts_per_s=B events_per_burst=E inline_per_burst=I
 *         peak_rss_kib=W touched_kib=V
 * (wall_s: the fastest of R runs, and every rate from it, since on a
 * shared machine other work only ever adds time; wall_median_s: their
 * median)
 * (events_per_burst: the events the kernel's queue ran per burst;
 * inline_per_burst: those coalescing ran without it, docs/performance.md)
 * (touched: the simulated memory the run wrote, which RSS should track)
 *   bench scaling transactions=N runs=R wall_s=X per_xact_ns=Y
 *   bench scaling idle_components=N runs=R wall_s=X per_xact_ns=Y
 * (the fastest of R runs: 15 of the short one, 5 of the long, 3 of
 * each idle line)
 *   bench burst board=B bus=K dir=read|write MBps=X peak_MBps=Y
 * (one card's 4 KiB DMA bursts to SDRAM, back to back, against its bus's
 * width x clock)
 *   bench ioremap ops=N bytes=B scheme=S runs=R wall_s=X wall_median_s=M
 *         sim_s=Y sim_over_wall=Z bursts=K bursts_per_s=B
 *         events_per_burst=E inline_per_burst=I peak_rss_kib=W
 * (scenarios/ioremap-target.yaml scaled to N operations, through the
 * runner, the oracle and the scheme, as `dmasim run` does it; alone with
 * `bench_scenario ioremap [N [RUNS]]`, as the saturated board is with
 * `bench_scenario saturated [N [RUNS]]`, one run unless asked) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "models/dma.h"
#include "models/regions.h"
#include "sim/hw/platform.h"
#include "sim/run/runner.h"
#include "sim/run/scenario.h"

typedef struct Stream {
    Platform *p;
    Xact x;
    DmaXfer dx;
    DmaSeg seg;
    bool engine; /* a DMA engine: copy base+next -> dst+next */
    uint64_t dst;
    uint8_t buf[4096];
    int master;
    XactDir dir;
    uint64_t base, span, next;
    uint64_t *left; /* transactions still to issue, shared */
} Stream;

static void issue(Stream *st);

static void again(Sim *s, Xact *x, void *opaque)
{
    (void)s;
    (void)x;
    issue(opaque);
}

static void again_dma(Sim *s, DmaXfer *x, void *opaque)
{
    (void)s;
    (void)x;
    issue(opaque);
}

static void issue(Stream *st)
{
    if (*st->left == 0)
        return;
    --*st->left;
    if (st->engine) {
        st->seg = (DmaSeg){.src = st->base + st->next,
                           .dst = st->dst + st->next, .len = sizeof st->buf};
        st->dx = (DmaXfer){.channel = 0, .segs = &st->seg, .n_segs = 1,
                           .done = again_dma, .opaque = st};
        dma_submit(st->p, st->master, &st->dx);
    } else {
        /* as the models' masters do: without clearing the route */
        xact_prepare(&st->x, st->master, st->dir, st->base + st->next,
                     sizeof st->buf, st->buf, again, st);
        platform_issue(st->p, &st->x);
    }
    st->next = (st->next + sizeof st->buf) % st->span;
}

/* The fastest and the median of n wall times (sorts them). */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void fastest_median(double *v, unsigned n, double *fast, double *med)
{
    qsort(v, n, sizeof *v, cmp_double);
    *fast = v[0];
    *med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#define MAX_RUNS 15

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct Result {
    double wall_s;
    uint64_t events, bursts;
    SimTime sim;
    double bus_cycles;
    uint64_t touched;
    uint64_t events_inline; /* run without the kernel's queue */
} Result;

static Result run(const Topology *t, uint64_t transactions)
{
    Platform *p = platform_new(t);
    static Stream st[3];
    uint64_t left = transactions;
    const char *masters[3] = {"cpu0", "dma0", "card"};
    const XactDir dirs[3] = {XACT_WRITE, XACT_WRITE, XACT_READ};
    const uint64_t base[3] = {0x0, 0x2000000, 0x1000000};
    const uint64_t span[3] = {8u << 20, 8u << 20, 8u << 20};
    for (int i = 0; i < 3; i++) {
        memset(&st[i], 0, sizeof st[i]);
        st[i].p = p;
        st[i].master = topo_find_comp(t, masters[i]);
        st[i].dir = dirs[i];
        st[i].base = base[i];
        st[i].span = span[i];
        st[i].left = &left;
        st[i].engine = i == 1;
        st[i].dst = 0x380000000ULL;
        memset(st[i].buf, 0x5a + i, sizeof st[i].buf);
    }
    double t0 = now_s();
    for (int i = 0; i < 3; i++)
        issue(&st[i]);
    sim_run(platform_sim(p));
    Result r = {now_s() - t0, sim_events_run(platform_sim(p)),
                platform_bursts(p), sim_now(platform_sim(p)), 0, 0,
                sim_events_advanced(platform_sim(p))};
    for (size_t c = 0; c < t->n_comps; c++)
        for (size_t k = 0; k < t->comps[c].n_regions; k++)
            if (platform_regions(p, (int)c) &&
                t->comps[c].regions[k].kind != REGION_FIFO)
                r.touched += store_touched_bytes(
                    regions_store(platform_regions(p, (int)c), (int)k));
    for (size_t b = 0; b < t->n_buses; b++)
        r.bus_cycles += (double)r.sim * 1e-12 *
                        (double)t->clocks[t->buses[b].clock_idx].clock.hz;
    platform_free(p);
    return r;
}

static Topology *load(const char *path)
{
    Diag d;
    diag_init(&d);
    Topology *t = topology_load(path, &d);
    if (!t || !topology_sound(&d)) {
        for (size_t i = 0; i < d.n; i++)
            diag_print(stderr, &d.v[i]);
        exit(2);
    }
    diag_free(&d);
    return t;
}

/* Ebony with n idle devices added on the OPB. */
static Topology *with_idle(unsigned n)
{
    FILE *in = fopen("topologies/ebony.yaml", "r");
    char path[] = "/tmp/dmasim-bench-XXXXXX";
    int fd = mkstemp(path);
    FILE *out = fdopen(fd, "w");
    char line[512];
    while (fgets(line, sizeof line, in))
        fputs(line, out);
    fclose(in);
    for (unsigned i = 0; i < n; i++)
        fprintf(out, "  - {name: idle%u, kind: device, bus: opb, regions: "
                     "[{base: 0x%x, size: 4KiB}]}\n",
                i, 0x10000000u + i * 0x10000u);
    fclose(out);
    Topology *t = load(path);
    unlink(path);
    return t;
}

/* The ioremap workload (scenarios/ioremap-target.yaml) scaled to `ops`
 * copies of 64 KiB, under struct: PLB DMA into a PCI-X card's memory;
 * `runs` times, each a fresh run of the scheme. */
static void ioremap_workload(unsigned ops, unsigned runs)
{
    char topo[4096], path[] = "/tmp/dmasim-bench-XXXXXX";
    if (!realpath("topologies/ebony.yaml", topo)) {
        perror("topologies/ebony.yaml");
        exit(2);
    }
    int fd = mkstemp(path);
    FILE *out = fdopen(fd, "w");
    fprintf(out, "name: ioremap-%u\ntopology: %s\nseed: 1\n"
                 "buffers:\n  src: {alloc: kmalloc, size: 64KiB}\n"
                 "  dst: {mmio: card, offset: 0x1000, size: 64KiB}\n"
                 "workload:\n  - {op: copy, from: src, to: dst, engine: "
                 "dma0, repeat: %u}\n",
            ops, topo, ops);
    fclose(out);
    Diag d;
    diag_init(&d);
    Scenario *s = scenario_load(path, &d);
    unlink(path);
    SchemeResult r;
    double wall[MAX_RUNS];
    for (unsigned i = 0; i < runs; i++) {
        double t0 = now_s();
        if (!s || !run_scheme(s, dma_api_find("struct"), &r, &d)) {
            fprintf(stderr, "bench ioremap: cannot run\n");
            exit(2);
        }
        wall[i] = now_s() - t0;
        if (i + 1 < runs)
            scheme_result_free(&r); /* every run simulates the same */
    }
    double fast, med;
    fastest_median(wall, runs, &fast, &med);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("bench ioremap ops=%u bytes=65536 scheme=struct runs=%u "
           "wall_s=%.3f wall_median_s=%.3f sim_s=%.6f sim_over_wall=%.4f "
           "bursts=%llu bursts_per_s=%.0f events_per_burst=%.2f "
           "inline_per_burst=%.2f peak_rss_kib=%ld\n",
           ops, runs, fast, med, (double)r.sim_time * 1e-12,
           (double)r.sim_time * 1e-12 / fast, (unsigned long long)r.bursts,
           (double)r.bursts / fast,
           (double)(r.events - r.events_inline) / (double)r.bursts,
           (double)r.events_inline / (double)r.bursts, ru.ru_maxrss);
    scheme_result_free(&r);
    scenario_free(s);
    diag_free(&d);
}

static void nothing(Sim *s, Xact *x, void *opaque)
{
    (void)s;
    (void)x;
    (void)opaque;
}

/* One card's back-to-back 4 KiB DMA to or from SDRAM. */
static void burst(const char *board, XactDir dir)
{
    char path[128];
    snprintf(path, sizeof path, "topologies/%s.yaml", board);
    Topology *t = load(path);
    Platform *p = platform_new(t);
    static uint8_t buf[4096];
    int card = topo_find_comp(t, "card");
    SimTime total = 0;
    for (int i = 0; i < 64; i++) {
        Xact x = {.master = card, .dir = dir,
                  .addr = 0x100000 + (uint64_t)i * 4096, .len = 4096,
                  .data = buf, .done = nothing};
        platform_issue(p, &x);
        sim_run(platform_sim(p));
        total += x.completed - x.issued;
    }
    const BusParams *b = &t->buses[t->comps[card].bus_idx];
    double peak = (double)b->width_bits / 8 *
                  (double)t->clocks[b->clock_idx].clock.hz / 1e6;
    printf("bench burst board=%s bus=%s dir=%s MBps=%.1f peak_MBps=%.1f\n",
           board, b->kind->name, dir == XACT_READ ? "read" : "write",
           64.0 * 4096 / ((double)total * 1e-12) / 1e6, peak);
    platform_free(p);
    topology_free(t);
}

static void bursts(void)
{
    burst("walnut", XACT_WRITE);
    burst("walnut", XACT_READ);
    burst("ebony", XACT_WRITE);
    burst("ebony", XACT_READ);
}

/* The saturated board for `ops` operations, `runs` times: its line. */
static void saturated(const Topology *t, uint64_t ops, unsigned runs)
{
    Result r = {0};
    double wall[MAX_RUNS];
    for (unsigned i = 0; i < runs; i++) {
        r = run(t, ops); /* every run simulates the same */
        wall[i] = r.wall_s;
    }
    double fast, med;
    fastest_median(wall, runs, &fast, &med);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("bench scenario ebony-saturated ops=%llu runs=%u wall_s=%.3f "
           "wall_median_s=%.3f events_per_s=%.0f sim_cycles_per_s=%.0f "
           "sim_over_wall=%.4f bursts=%llu bursts_per_s=%.0f "
           "events_per_burst=%.2f inline_per_burst=%.2f peak_rss_kib=%ld "
           "touched_kib=%llu\n",
           (unsigned long long)ops, runs, fast, med,
           (double)(r.events - r.events_inline) / fast, r.bus_cycles / fast,
           (double)r.sim * 1e-12 / fast, (unsigned long long)r.bursts,
           (double)r.bursts / fast,
           (double)(r.events - r.events_inline) / (double)r.bursts,
           (double)r.events_inline / (double)r.bursts, ru.ru_maxrss,
           (unsigned long long)(r.touched / 1024));
}

/* The fastest wall time of `runs` runs of the saturated board. */
static double fastest(const Topology *t, uint64_t ops, unsigned runs)
{
    double best = 0;
    for (unsigned i = 0; i < runs; i++) {
        double w = run(t, ops).wall_s;
        if (!i || w < best)
            best = w;
    }
    return best;
}

/* The RUNS argument at argv[at]: 1 to MAX_RUNS, `dflt` without one. */
static unsigned runs_arg(int argc, char **argv, int at, unsigned dflt)
{
    long n = argc > at ? strtol(argv[at], NULL, 10) : (long)dflt;
    return n >= 1 && n <= MAX_RUNS ? (unsigned)n : dflt;
}

/* With the argument `burst`, only the burst lines (make validate compares
 * them with the scenarios that do the same through the DMA API). */
int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0); /* each figure as it is measured */
    if (argc > 1 && !strcmp(argv[1], "burst")) {
        bursts();
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "ioremap")) {
        /* `ioremap [OPS]`: the workload alone (OPS copies, 1024 by
         * default), for make bench-instructions */
        long ops = argc > 2 ? strtol(argv[2], NULL, 10) : 1024;
        ioremap_workload(ops > 0 && ops <= 65536 ? (unsigned)ops : 1024,
                         runs_arg(argc, argv, 3, 1));
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "saturated")) {
        /* `saturated [OPS]`: the saturated board alone, no warm-up */
        long ops = argc > 2 ? strtol(argv[2], NULL, 10) : 300000;
        Topology *t = load("topologies/ebony.yaml");
        saturated(t, ops > 0 && ops <= 100000000 ? (uint64_t)ops : 300000,
                  runs_arg(argc, argv, 3, 1));
        topology_free(t);
        return 0;
    }
    ioremap_workload(1024, 7);
    Topology *t = load("topologies/ebony.yaml");
    run(t, 3000); /* warm up */
    saturated(t, 300000, 5);
    /* the short run as many times as takes the long one's time a run:
     * a tenth of a second is what the machine's noise hits hardest */
    static const uint64_t counts[] = {30000, 300000};
    static const unsigned reps[] = {15, 5};
    for (size_t i = 0; i < 2; i++) {
        double s = fastest(t, counts[i], reps[i]);
        printf("bench scaling transactions=%llu runs=%u wall_s=%.4f "
               "per_xact_ns=%.1f\n",
               (unsigned long long)counts[i], reps[i], s,
               s * 1e9 / (double)counts[i]);
    }
    topology_free(t);
    static const unsigned idle[] = {0, 1000};
    for (size_t i = 0; i < 2; i++) {
        Topology *ti = with_idle(idle[i]);
        double s = fastest(ti, 300000, 3);
        printf("bench scaling idle_components=%u runs=3 wall_s=%.4f "
               "per_xact_ns=%.1f\n",
               idle[i], s, s * 1e9 / 300000.0);
        topology_free(ti);
    }
    bursts();
    return 0;
}
