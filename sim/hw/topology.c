/* Loading a topology: the three passes, and small shared helpers. */
#include "sim/hw/topology.h"

const char *region_kind_name(RegionKind k)
{
    static const char *const n[] = {"memory", "fifo", "io"};
    return n[k];
}

uint64_t bits_last(unsigned bits)
{
    return bits >= 64 ? UINT64_MAX : (1ULL << bits) - 1;
}

unsigned topo_space_bits(const Topology *t, int bus, AddrSpace s)
{
    unsigned b = t->buses[bus].address_bits;
    return s == SPACE_IO && b > 32 ? 32 : b;
}

const char *space_name(AddrSpace s)
{
    return s == SPACE_IO ? "I/O" : "memory";
}

bool topology_sound(const Diag *d)
{
    return d->counts[SEV_FATAL] == 0 && d->counts[SEV_ERROR] == 0;
}

Topology *topology_read(const char *file, const Override *ov, size_t n_ov,
                        Diag *d)
{
    Topology *t;
    Arena *a = arena_new();
    t = arena_alloc(a, sizeof *t);
    t->arena = a;

    Loader ld;
    bool ok = loader_open_ov(&ld, file, a, d, ov, n_ov) && topo_parse(&ld, t);
    loader_close(&ld);
    ok = ok && topo_resolve(t, d);
    if (!ok) {
        arena_free(a);
        return NULL;
    }
    return t;
}

void topology_free(Topology *t)
{
    if (t)
        arena_free(t->arena);
}
