/* A scenario's second pass (docs/scenario.md): every name resolved
 * against the buffers and the topology, every operation's length, and
 * what an engine may do checked, with one message at the key that is
 * wrong. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "models/dma_types.h"
#include "sim/core/units.h"
#include "sim/hw/kinds.h"
#include "sim/run/scenario.h"

typedef struct Resolver {
    Scenario *s;
    Diag *d;
} Resolver;

static bool fail(Resolver *r, SrcPos pos, const char *path, const char *fmt,
                 ...) __attribute__((format(printf, 4, 5)));

static bool fail(Resolver *r, SrcPos pos, const char *path, const char *fmt,
                 ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_add(r->d, SEV_FATAL, "input", pos, path, NULL, NULL, "%s", msg);
    return false;
}

static int find_buffer(const Scenario *s, const char *name)
{
    for (size_t i = 0; i < s->n_buffers; i++)
        if (!strcmp(s->buffers[i].name, name))
            return (int)i;
    return -1;
}

static bool resolve_buffer(Resolver *r, BufferParams *b)
{
    const Topology *t = r->s->topo;
    if (!b->dev.name)
        return true;
    int c = topo_find_comp(t, b->dev.name);
    if (c < 0)
        return fail(r, b->dev.pos, b->dev.path,
                    "no component '%s' in topology %s", b->dev.name, t->name);
    const CompParams *cp = &t->comps[c];
    b->comp = c;
    if (b->kind == BUF_COHERENT) {
        if (!cp->is_master)
            return fail(r, b->dev.pos, b->dev.path,
                        "'%s' is not a bus master: coherent memory is "
                        "allocated for a DMA master (leave dev out for the "
                        "processor)",
                        b->dev.name);
        return true;
    }
    if (b->kind == BUF_MMIO && cp->kind->is_system_ram)
        return fail(r, b->dev.pos, b->dev.path,
                    "'%s' is system RAM, which ioremap refuses (Linux maps "
                    "RAM only through its own allocators): use alloc: "
                    "kmalloc, vmalloc or coherent",
                    b->dev.name);
    RegionKind want = b->kind == BUF_FIFO ? REGION_FIFO : REGION_MEMORY;
    if (b->region < 0) {
        for (size_t i = 0; i < cp->n_regions && b->region < 0; i++)
            if (cp->regions[i].kind == want)
                b->region = (int)i;
        if (b->region < 0)
            return fail(r, b->dev.pos, b->dev.path,
                        "'%s' has no %s region", b->dev.name,
                        region_kind_name(want));
    } else if ((size_t)b->region >= cp->n_regions) {
        return fail(r, b->pos, b->path, "'%s' has %zu region(s), no region %d",
                    b->dev.name, cp->n_regions, b->region);
    } else if (cp->regions[b->region].kind != want) {
        return fail(r, b->pos, b->path, "region %d of '%s' is %s, not %s",
                    b->region, b->dev.name,
                    region_kind_name(cp->regions[b->region].kind),
                    region_kind_name(want));
    }
    uint64_t rsize = cp->regions[b->region].size_bytes;
    if (b->kind == BUF_MMIO) {
        if (b->offset >= rsize)
            return fail(r, b->pos, b->path,
                        "offset %#llx is past the end of '%s' region %d "
                        "(%llu bytes)",
                        (unsigned long long)b->offset, b->dev.name, b->region,
                        (unsigned long long)rsize);
        if (!b->size)
            b->size = rsize - b->offset;
        else if (b->size > rsize - b->offset)
            return fail(r, b->pos, b->path,
                        "offset + size runs past the end of '%s' region %d "
                        "(%llu bytes)",
                        b->dev.name, b->region, (unsigned long long)rsize);
    }
    return true;
}

/* A master that copies memory to memory: a DMA controller, or a device
 * master declared `memcpy: true`. */
static bool copy_engine(const Topology *t, int c)
{
    const CompParams *cp = &t->comps[c];
    return cp->kind->engine_params && cp->kind->engine_params(cp) &&
           cp->kind->engine_params(cp)->memcpy;
}

/* The buffer is one of device c's own regions (ioremap'ed). */
static bool own_buffer(const BufferParams *b, int c)
{
    return (b->kind == BUF_MMIO || b->kind == BUF_FIFO) && b->comp == c;
}

static bool resolve_op(Resolver *r, OpParams *o)
{
    const Scenario *s = r->s;
    const Topology *t = s->topo;
    o->src = find_buffer(s, o->from.name);
    if (o->src < 0)
        return fail(r, o->from.pos, o->from.path, "no buffer '%s'",
                    o->from.name);
    o->dst = find_buffer(s, o->to.name);
    if (o->dst < 0)
        return fail(r, o->to.pos, o->to.path, "no buffer '%s'", o->to.name);
    if (o->src == o->dst)
        return fail(r, o->to.pos, o->to.path,
                    "a copy from a buffer to itself");
    if (s->buffers[o->src].busy || s->buffers[o->dst].busy) {
        const Ref *b = s->buffers[o->src].busy ? &o->from : &o->to;
        return fail(r, b->pos, b->path,
                    "'%s' is busy: the CPU keeps storing to it, so no "
                    "operation copies from or to it",
                    b->name);
    }
    o->engine_comp = ENGINE_AUTO;
    if (o->engine.name && !strcmp(o->engine.name, "cpu"))
        o->engine_comp = ENGINE_CPU;
    else if (o->engine.name && strcmp(o->engine.name, "auto")) {
        int c = topo_find_comp(t, o->engine.name);
        if (c < 0)
            return fail(r, o->engine.pos, o->engine.path,
                        "no component '%s' in topology %s (engine is auto, "
                        "cpu or a DMA master)",
                        o->engine.name, t->name);
        if (!t->comps[c].is_master || !t->comps[c].kind->engine)
            return fail(r, o->engine.pos, o->engine.path,
                        "'%s' is not a DMA master", o->engine.name);
        o->engine_comp = c;
    }
    const BufferParams *a = &s->buffers[o->src], *b = &s->buffers[o->dst];
    if (o->engine_comp >= 0 && !copy_engine(t, o->engine_comp) &&
        !own_buffer(a, o->engine_comp) && !own_buffer(b, o->engine_comp))
        return fail(r, o->engine.pos, o->engine.path,
                    "'%s' is no copy engine: it moves data between its own "
                    "regions and other memory, and neither '%s' nor '%s' is "
                    "its own (a device master that copies memory to memory "
                    "says memcpy: true)",
                    o->engine.name, a->name, b->name);
    bool af = a->kind == BUF_FIFO, bf = b->kind == BUF_FIFO;
    if ((af && o->from_offset) || (bf && o->to_offset))
        return fail(r, o->pos, o->path, "a FIFO takes no offset");
    if (o->from_offset >= a->size && !af)
        return fail(r, o->pos, o->path, "from_offset is past the end of '%s'",
                    a->name);
    if (o->to_offset >= b->size && !bf)
        return fail(r, o->pos, o->path, "to_offset is past the end of '%s'",
                    b->name);
    uint64_t room_a = af ? UINT64_MAX : a->size - o->from_offset;
    uint64_t room_b = bf ? UINT64_MAX : b->size - o->to_offset;
    if (!o->size) {
        if (af && bf)
            return fail(r, o->pos, o->path,
                        "a copy between two FIFOs needs a size");
        o->len = room_a < room_b ? room_a : room_b;
    } else {
        if (o->size > room_a || o->size > room_b) {
            char sz[32];
            return fail(r, o->pos, o->path, "size %s is more than '%s' holds",
                        units_fmt_size(o->size, sz, sizeof sz),
                        o->size > room_a ? a->name : b->name);
        }
        o->len = o->size;
    }
    return true;
}

/* Buffer i shares no byte of a device with an earlier one: the oracle
 * judges each buffer's bytes on their own (a FIFO is one register: two
 * buffers on it would take each other's bytes).  The allocators keep
 * the others apart. */
static bool apart(Resolver *r, size_t i)
{
    const BufferParams *b = &r->s->buffers[i];
    if (b->kind != BUF_MMIO && b->kind != BUF_FIFO)
        return true;
    for (size_t j = 0; j < i; j++) {
        const BufferParams *o = &r->s->buffers[j];
        if (o->kind != b->kind || o->comp != b->comp || o->region != b->region)
            continue;
        if (b->kind == BUF_FIFO)
            return fail(r, b->pos, b->path,
                        "buffer '%s' is already FIFO region %d of '%s': "
                        "name it once",
                        o->name, b->region, b->dev.name);
        if (b->offset < o->offset + o->size && o->offset < b->offset + b->size)
            return fail(r, b->pos, b->path,
                        "'%s' region %d bytes %#llx..%#llx are also buffer "
                        "'%s' (%#llx..%#llx): buffers may not overlap",
                        b->dev.name, b->region,
                        (unsigned long long)b->offset,
                        (unsigned long long)(b->offset + b->size - 1), o->name,
                        (unsigned long long)o->offset,
                        (unsigned long long)(o->offset + o->size - 1));
    }
    return true;
}

bool scenario_resolve(Scenario *s, Diag *d)
{
    Resolver rv = {s, d}, *r = &rv;
    const Topology *t = s->topo;
    s->cpu = -1;
    for (size_t i = 0; i < t->n_comps && s->cpu < 0; i++)
        if (t->comps[i].kind->is_cpu)
            s->cpu = (int)i;
    if (s->cpu < 0)
        return fail(r, s->topology_pos, s->topology_path,
                    "topology %s has no cpu: the schemes run on one",
                    t->name);
    for (size_t i = 0; i < s->n_buffers; i++) {
        if (!resolve_buffer(r, &s->buffers[i]))
            return false;
        if (!apart(r, i))
            return false;
    }
    for (size_t i = 0; i < s->n_streams; i++)
        for (size_t j = 0; j < s->streams[i].n_ops; j++)
            if (!resolve_op(r, &s->streams[i].ops[j]))
                return false;
    for (size_t i = 0; i < s->n_expects; i++) {
        ExpectParams *e = &s->expects[i];
        bool run = false;
        for (size_t j = 0; j < s->n_schemes; j++)
            run |= !strcmp(s->schemes[j], e->scheme);
        if (!run)
            return fail(r, e->pos, e->path,
                        "an expectation for scheme '%s', which the scenario "
                        "does not run",
                        e->scheme);
        if (e->engine.name && topo_find_comp(t, e->engine.name) < 0 &&
            strcmp(e->engine.name, "cpu"))
            return fail(r, e->engine.pos, e->engine.path,
                        "no component '%s' in topology %s", e->engine.name,
                        t->name);
    }
    return true;
}

