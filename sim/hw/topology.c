/* Loading a topology: the three passes, and small shared helpers. */
#include "sim/hw/topology.h"

#include <stdio.h>

#include "sim/core/units.h"

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

size_t topo_dt_dma_ranges(const BridgeParams *br, WindowParams *out,
                          size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < br->dma_ranges.n && n < max; i++)
        out[n++] = br->dma_ranges.v[i];
    for (size_t i = 0; i < br->inbound.boot.n && n < max; i++)
        out[n++] = br->inbound.boot.v[i];
    return n;
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

const char *topo_window_rule(const Topology *t, int comp, bool inbound,
                             long i, const WindowParams *w, char *why,
                             size_t n)
{
    const CompParams *c = &t->comps[comp];
    const ProgWindows *pw = inbound ? &c->bridge->inbound
                                    : &c->bridge->outbound;
    char which[48], a[32], b[32], s[32];
    if (i >= 0)
        snprintf(which, sizeof which, "%s window %ld",
                 inbound ? "inbound" : "outbound", i);
    else
        snprintf(which, sizeof which, "an %s window",
                 inbound ? "inbound" : "outbound");
    if (pw->granule) {
        if (w->size_bytes % pw->granule || w->child % pw->granule ||
            w->parent % pw->granule) {
            snprintf(why, n, "%s: %s's windows start and end on %s "
                             "boundaries",
                     which, c->name, units_fmt_size(pw->granule, a, sizeof a));
            return why;
        }
    } else if (w->size_bytes & (w->size_bytes - 1)) {
        snprintf(why, n, "%s is %s: %s's windows are powers of two", which,
                 units_fmt_size(w->size_bytes, a, sizeof a), c->name);
        return why;
    } else if ((w->child | w->parent) & (w->size_bytes - 1)) {
        bool ch = w->child & (w->size_bytes - 1);
        snprintf(why, n, "%s: its %s address %s is not a multiple of its "
                         "size (%s), as %s's windows must be",
                 which, ch ? "child" : "parent",
                 units_fmt_hex(ch ? w->child : w->parent, a, sizeof a),
                 units_fmt_size(w->size_bytes, b, sizeof b), c->name);
        return why;
    }
    if (w->size_bytes < pw->min_size || w->size_bytes > pw->max_size) {
        snprintf(why, n, "%s is %s: %s's windows are %s to %s", which,
                 units_fmt_size(w->size_bytes, s, sizeof s), c->name,
                 units_fmt_size(pw->min_size, a, sizeof a),
                 units_fmt_size(pw->max_size, b, sizeof b));
        return why;
    }
    return NULL;
}
