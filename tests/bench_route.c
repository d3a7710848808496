/* make bench: how fast the one routing mechanism runs.  Prints one
 * machine-readable line per figure:
 *   bench route topology=NAME from=M hops=H routes_per_s=X ns_per_route=Y
 *   bench decode regions=N decodes_per_s=X
 * No figure is asserted anywhere; docs/performance.md records them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim/hw/lint.h"
#include "sim/hw/route.h"
#include "sim/hw/topology.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
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

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Routes `n` accesses spread over [addr, addr + span) for about a second. */
static void bench_route(const Topology *t, const char *topo, const char *from,
                        uint64_t addr, uint64_t span)
{
    int m = topo_find_comp(t, from);
    Route r;
    if (m < 0 || !route_access(t, m, addr, 64, &r)) {
        fprintf(stderr, "bench: %s cannot reach 0x%llx\n", from,
                (unsigned long long)addr);
        exit(1);
    }
    size_t hops = r.n_hops;
    uint64_t sink = 0, n = 0;
    double t0 = now_s(), el;
    do {
        for (int i = 0; i < 100000; i++, n++) {
            route_access(t, m, addr + (n * 4096) % span, 64, &r);
            sink += r.offset;
        }
        el = now_s() - t0;
    } while (el < 1.0);
    printf("bench route topology=%s from=%s hops=%zu routes_per_s=%.0f "
           "ns_per_route=%.1f\n",
           topo, from, hops, (double)n / el, el * 1e9 / (double)n);
    if (sink == 42)
        puts("");
}

/* A temporary file under $TMPDIR for a generated topology. */
static FILE *temp_file(char *path, size_t n)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(path, n, "%s/dmasim-bench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        perror(path);
        exit(2);
    }
    return f;
}

/* What dmasim check does (load, decoders, reachability lints) on a board
 * of n DMA masters behind a host bridge, each with a 4 KiB region: the
 * lints must grow with the board, not with its square. */
static void bench_check(unsigned n)
{
    char path[4096];
    FILE *f = temp_file(path, sizeof path);
    fprintf(f, "name: masters%u\naddress_bits: 36\n"
               "clocks: {cpu: 400MHz, plb: 133MHz, pci: 33MHz}\n"
               "buses:\n  - {name: plb, kind: plb, clock: plb, width: 128}\n"
               "  - {name: pci0, kind: pci, clock: pci}\ncomponents:\n"
               "  - {name: cpu0, kind: cpu, bus: plb, clock: cpu}\n"
               "  - {name: sdram, kind: sdram, bus: plb, base: 0, "
               "size: 512MiB}\n"
               "  - {name: hb0, kind: bridge, parent: plb, child: pci0, "
               "ranges: [{child: 0x8000_0000, parent: 0x3_8000_0000, "
               "size: 1GiB}], dma_ranges: [{child: 0, parent: 0, "
               "size: 1GiB}]}\n",
            n);
    for (unsigned i = 0; i < n; i++)
        fprintf(f, "  - {name: d%u, kind: device, bus: pci0, regions: "
                   "[{base: 0x%llx, size: 4KiB}], master: {dma_mask: 32}}\n",
                i, 0x80000000ULL + (unsigned long long)i * 4096);
    long bytes = ftell(f);
    fclose(f);
    double t0 = now_s();
    Topology *t = load(path);
    double t1 = now_s();
    Diag d;
    diag_init(&d);
    lint_reachability(t, &d);
    double t2 = now_s();
    unlink(path);
    printf("bench check masters=%u file_bytes=%ld load_s=%.3f lint_s=%.3f "
           "findings=%zu\n",
           n, bytes, t1 - t0, t2 - t1, d.n);
    diag_free(&d);
    topology_free(t);
}

/* One PLB with n devices of 4 KiB each, decoded at random addresses. */
static void bench_decode(unsigned n)
{
    char path[4096];
    FILE *f = temp_file(path, sizeof path);
    fprintf(f, "name: flat%u\naddress_bits: 36\nclocks: {c: 100MHz}\n"
               "buses: [{name: b, kind: plb, clock: c}]\ncomponents:\n"
               "  - {name: cpu, kind: cpu, bus: b}\n",
            n);
    for (unsigned i = 0; i < n; i++)
        fprintf(f, "  - {name: d%u, kind: device, bus: b, regions: "
                   "[{base: 0x%llx, size: 4KiB}]}\n",
                i, (unsigned long long)i * 8192);
    fclose(f);
    Topology *t = load(path);
    unlink(path);

    uint64_t span = (uint64_t)n * 8192, sink = 0, k = 0, x = 88172645463325252ULL;
    double t0 = now_s(), el;
    do {
        for (int i = 0; i < 100000; i++, k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
            uint64_t run;
            const Decoder *d = addrmap_decode(t->map, 0, SPACE_MEM, x % span,
                                              -1, &run);
            sink += d ? (uint64_t)d->comp : run;
        }
        el = now_s() - t0;
    } while (el < 1.0);
    printf("bench decode regions=%u decodes_per_s=%.0f ns_per_decode=%.1f\n",
           n, (double)k / el, el * 1e9 / (double)k);
    if (sink == 42)
        puts("");
    topology_free(t);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0); /* each figure as it is measured */
    const char *topo = argc > 1 ? argv[1] : "topologies/p2p-tree.yaml";
    Topology *t = load(topo);
    const char *name = base_name(topo);
    bench_route(t, name, "dsp3", 0x0, 512u << 20);          /* up to RAM */
    bench_route(t, name, "cpu0", 0x39C000000ULL, 1u << 20);  /* down 4 */
    bench_route(t, name, "cpu0", 0x0, 512u << 20);           /* one hop */
    topology_free(t);
    static const unsigned sizes[] = {16, 1024, 65536};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        bench_decode(sizes[i]);
    static const unsigned masters[] = {1000, 10000, 40000};
    for (size_t i = 0; i < sizeof masters / sizeof masters[0]; i++)
        bench_check(masters[i]);
    return 0;
}
