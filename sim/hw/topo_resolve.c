/* Pass 2: resolve names (clocks, buses, bridges) and check the bus tree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/hw/kinds.h"
#include "sim/hw/topology.h"

static int name_cmp(const void *a, const void *b)
{
    const NameEntry *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c)
        return c;
    if (x->is_comp != y->is_comp)
        return x->is_comp - y->is_comp;
    return x->idx - y->idx;
}

static const NameEntry *lookup(const Topology *t, const char *name)
{
    size_t lo = 0, hi = t->n_names;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(t->names[mid].name, name);
        if (c == 0) {
            while (mid > 0 && !strcmp(t->names[mid - 1].name, name))
                mid--;
            return &t->names[mid];
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int topo_find_bus(const Topology *t, const char *name)
{
    const NameEntry *e = lookup(t, name);
    return e && !e->is_comp ? e->idx : -1;
}

int topo_find_comp(const Topology *t, const char *name)
{
    const NameEntry *e = lookup(t, name);
    return e && e->is_comp ? e->idx : -1;
}

static SrcPos entry_pos(const Topology *t, const NameEntry *e)
{
    return e->is_comp ? t->comps[e->idx].pos : t->buses[e->idx].pos;
}

static const char *entry_path(const Topology *t, const NameEntry *e)
{
    return e->is_comp ? t->comps[e->idx].path : t->buses[e->idx].path;
}

/* "plb, opb, pcix0" — at most a handful, for error messages. */
static void list_buses(const Topology *t, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < t->n_buses && n + 1 < len; i++) {
        if (i == 8) {
            snprintf(buf + n, len - n, ", …");
            return;
        }
        n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "",
                              t->buses[i].name);
    }
}

static void list_clocks(const Topology *t, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < t->n_clocks && n + 1 < len; i++)
        n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "",
                              t->clocks[i].name);
}

static bool fatal(Diag *d, const Ref *at, const char *fmt, const char *a,
                  const char *b)
{
    diag_add(d, SEV_FATAL, "input", at->pos, at->path, NULL, NULL, fmt, a, b);
    return false;
}

static int find_clock(const Topology *t, const char *name)
{
    for (size_t i = 0; i < t->n_clocks; i++)
        if (!strcmp(t->clocks[i].name, name))
            return (int)i;
    return -1;
}

static bool resolve_clock(const Topology *t, const Ref *r, int *out, Diag *d)
{
    *out = find_clock(t, r->name);
    if (*out >= 0)
        return true;
    char known[256];
    list_clocks(t, known, sizeof known);
    return fatal(d, r, "no clock named '%s' (clocks: %s)", r->name, known);
}

static bool resolve_bus(const Topology *t, const Ref *r, int *out, Diag *d)
{
    *out = topo_find_bus(t, r->name);
    if (*out >= 0)
        return true;
    char known[256];
    list_buses(t, known, sizeof known);
    if (topo_find_comp(t, r->name) >= 0)
        return fatal(d, r, "'%s' is a component, not a bus (buses: %s)",
                     r->name, known);
    return fatal(d, r, "no bus named '%s' (buses: %s)", r->name, known);
}

static bool build_names(Topology *t, Diag *d)
{
    t->n_names = t->n_buses + t->n_comps;
    t->names = arena_calloc(t->arena, t->n_names ? t->n_names : 1,
                            sizeof *t->names);
    size_t k = 0;
    for (size_t i = 0; i < t->n_buses; i++)
        t->names[k++] = (NameEntry){t->buses[i].name, 0, (int)i};
    for (size_t i = 0; i < t->n_comps; i++)
        t->names[k++] = (NameEntry){t->comps[i].name, 1, (int)i};
    qsort(t->names, t->n_names, sizeof *t->names, name_cmp);
    for (size_t i = 1; i < t->n_names; i++) {
        if (strcmp(t->names[i].name, t->names[i - 1].name))
            continue;
        /* Report the later definition, pointing at the first. */
        const NameEntry *a = &t->names[i - 1], *b = &t->names[i];
        SrcPos pa = entry_pos(t, a), pb = entry_pos(t, b);
        if (pb.line < pa.line) {
            const NameEntry *tmp = a;
            a = b;
            b = tmp;
            pa = entry_pos(t, a);
            pb = entry_pos(t, b);
        }
        char *path = arena_printf(t->arena, "%s.name", entry_path(t, b));
        bool alias = pa.line == pb.line && pa.col == pb.col;
        diag_add(d, SEV_FATAL, "input", pb, path, NULL, NULL,
                 "duplicate name '%s' (%s at %s:%u:%u)", b->name,
                 alias ? "an alias repeats the definition" : "first defined",
                 pa.file, pa.line, pa.col);
        return false;
    }
    for (size_t i = 1; i < t->n_clocks; i++)
        for (size_t j = 0; j < i; j++)
            if (!strcmp(t->clocks[i].name, t->clocks[j].name)) {
                diag_add(d, SEV_FATAL, "input", t->clocks[i].pos,
                         t->clocks[i].path, NULL, NULL,
                         "duplicate clock '%s' (first at line %u)",
                         t->clocks[i].name, t->clocks[j].pos.line);
                return false;
            }
    return true;
}

static bool resolve_bridges(Topology *t, Diag *d)
{
    for (size_t i = 0; i < t->n_buses; i++)
        t->buses[i].parent_bridge = -1;
    for (size_t i = 0; i < t->n_comps; i++) {
        CompParams *c = &t->comps[i];
        BridgeParams *br = c->bridge;
        if (!br)
            continue;
        int child;
        if (!resolve_bus(t, &br->child, &child, d))
            return false;
        if (child == c->bus_idx)
            return fatal(d, &br->child,
                         "a bridge cannot have '%s' as both parent and "
                         "child%s",
                         br->child.name, "");
        BusParams *cb = &t->buses[child];
        if (cb->parent_bridge >= 0) {
            const CompParams *o = &t->comps[cb->parent_bridge];
            diag_add(d, SEV_FATAL, "input", br->child.pos, br->child.path,
                     NULL, NULL,
                     "bus '%s' already has a parent bridge '%s' (%s:%u:%u)",
                     cb->name, o->name, o->pos.file, o->pos.line, o->pos.col);
            return false;
        }
        cb->parent_bridge = (int)i;
    }
    /* Each bus has at most one parent, so following parents either ends
     * at a root or cycles. */
    for (size_t i = 0; i < t->n_buses; i++) {
        int b = (int)i;
        unsigned depth = 0;
        while (t->buses[b].parent_bridge >= 0) {
            b = t->comps[t->buses[b].parent_bridge].bus_idx;
            depth++;
            if (b == (int)i || depth > t->n_buses) {
                char chain[512];
                size_t n = (size_t)snprintf(chain, sizeof chain, "%s",
                                            t->buses[i].name);
                int x = (int)i;
                do {
                    const CompParams *br =
                        &t->comps[t->buses[x].parent_bridge];
                    x = br->bus_idx;
                    if (n < sizeof chain)
                        n += (size_t)snprintf(chain + n, sizeof chain - n,
                                              " <- %s <- %s", br->name,
                                              t->buses[x].name);
                } while (x != (int)i && n < sizeof chain);
                const CompParams *br = &t->comps[t->buses[i].parent_bridge];
                diag_add(d, SEV_FATAL, "input", br->pos, br->path, NULL,
                         NULL, "bridge loop: %s", chain);
                return false;
            }
        }
        if (depth > TOPO_MAX_DEPTH) {
            diag_add(d, SEV_FATAL, "input", t->buses[i].pos,
                     t->buses[i].path, NULL, NULL,
                     "bus '%s' is %u bridges below the root; at most %u "
                     "are supported",
                     t->buses[i].name, depth, TOPO_MAX_DEPTH);
            return false;
        }
        t->buses[i].depth = depth;
    }
    return true;
}

bool topo_resolve(Topology *t, Diag *d)
{
    if (!build_names(t, d))
        return false;
    for (size_t i = 0; i < t->n_buses; i++)
        if (!resolve_clock(t, &t->buses[i].clock, &t->buses[i].clock_idx, d))
            return false;
    for (size_t i = 0; i < t->n_comps; i++) {
        CompParams *c = &t->comps[i];
        if (!resolve_bus(t, &c->bus, &c->bus_idx, d))
            return false;
        if (c->clock.name) {
            if (!resolve_clock(t, &c->clock, &c->clock_idx, d))
                return false;
        } else {
            c->clock_idx = t->buses[c->bus_idx].clock_idx;
        }
    }
    if (!resolve_bridges(t, d))
        return false;
    for (size_t i = 0; i < t->n_buses; i++) {
        BusParams *b = &t->buses[i];
        if (b->address_bits)
            continue;
        if (b->parent_bridge < 0 || b->kind->default_address_bits == 0)
            b->address_bits = t->address_bits;
        else
            b->address_bits = b->kind->default_address_bits;
    }
    for (size_t i = 0; i < t->n_comps; i++) {
        CompParams *c = &t->comps[i];
        unsigned bits = t->buses[c->bus_idx].address_bits;
        if (c->is_master && c->dma_mask_bits == 0)
            c->dma_mask_bits = bits;
    }
    return true;
}
