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

/* One PLB with n devices of 4 KiB each, decoded at random addresses. */
static void bench_decode(unsigned n)
{
    char path[] = "/tmp/dmasim-bench-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
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
    return 0;
}
