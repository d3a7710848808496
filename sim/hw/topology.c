/* Loading a topology: the three passes, and small shared helpers. */
#include "sim/hw/topology.h"

#include "sim/hw/addrmap.h"

const char *region_kind_name(RegionKind k)
{
    static const char *const n[] = {"memory", "fifo", "io"};
    return n[k];
}

bool topology_sound(const Diag *d)
{
    return d->counts[SEV_FATAL] == 0 && d->counts[SEV_ERROR] == 0;
}

Topology *topology_load(const char *file, Diag *d)
{
    return topology_load_ov(file, NULL, 0, d);
}

Topology *topology_load_ov(const char *file, const Override *ov, size_t n_ov,
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
    t->map = addrmap_build(t, d);
    return t;
}

void topology_free(Topology *t)
{
    if (t)
        arena_free(t->arena);
}
