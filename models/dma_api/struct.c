/* The 2004 proposal (docs/schemes.md, "struct"): dma_addr_t is {phys,
 * dev}; handles are converted between devices' address spaces through the
 * topology; the CPU is a device (NULL); map_single/map_sg walk the page
 * tables; dma_move picks the master that reaches both ends most cheaply. */
#include <stdio.h>
#include <string.h>

#include "models/dma_api/plan.h"
#include "sim/hw/kinds.h"
#include "sim/hw/lint.h"
#include "sim/hw/route.h"
#include "sim/core/units.h"

/* Point 1: a handle is an address and the device whose address space it
 * is in; -1 is NULL, the processor (point 4). */
typedef struct Handle {
    uint64_t addr;
    int dev;
} Handle;

static int dev_comp(const ApiCtx *c, int dev)
{
    return dev < 0 ? c->cpu : dev;
}

/* Point 3 (dma_convert_addr), and through it points 5 and 6: the bytes
 * [h.addr, h.addr + len) of h.dev's space, as device `to` addresses them.
 * The route from h.dev finds the memory; the topology's windows, composed
 * bus by bus (point 6), give to's address for it; to's dma_mask must
 * cover it. */
static bool convert(const ApiCtx *c, int to, Handle h, uint64_t len,
                    uint64_t *out, char *why, size_t n)
{
    const Topology *t = c->t;
    int from = dev_comp(c, h.dev);
    Route r, r2;
    char a[32];
    if (!route_access(t, from, h.addr, len, &r)) {
        snprintf(why, n, "dma_convert_addr: %s", r.reason);
        return false;
    }
    if (from == to) {
        *out = h.addr;
        return true;
    }
    const char *tn = t->comps[to].name, *cn = t->comps[r.target_comp].name;
    uint64_t addr;
    if (!lint_master_addr(t, to, r.target_comp, r.target_region, r.offset,
                          &addr)) {
        bool mask = lint_reach_bytes(t, to, r.target_comp, r.target_region,
                                     false) >
                    lint_reach_bytes(t, to, r.target_comp, r.target_region,
                                     true);
        if (mask)
            snprintf(why, n,
                     "dma_convert_addr: %s+%s is beyond %s's %u-bit dma_mask",
                     cn, units_fmt_hex(r.offset, a, sizeof a), tn,
                     t->comps[to].dma_mask_bits);
        else
            snprintf(why, n,
                     "dma_convert_addr: no window leads %s to %s+%s", tn, cn,
                     units_fmt_hex(r.offset, a, sizeof a));
        return false;
    }
    if (!route_access(t, to, addr, len, &r2) ||
        r2.target_comp != r.target_comp ||
        r2.target_region != r.target_region || r2.offset != r.offset) {
        snprintf(why, n,
                 "dma_convert_addr: %s reaches only part of %s+%s (%llu "
                 "bytes)",
                 tn, cn, units_fmt_hex(r.offset, a, sizeof a),
                 (unsigned long long)len);
        return false;
    }
    *out = addr;
    return true;
}

/* Point 7: map_single and map_sg take any kernel virtual address; the
 * page-table walk splits physically discontiguous memory into segments,
 * each converted for master m (point 5, dma_convert_phys).  Coherent
 * memory is converted from the handle dma_alloc_coherent gave (point 3). */
static MapResult struct_map(const ApiCtx *c, int m, const ApiBuffer *b,
                            uint64_t off, uint64_t len, MapKind how,
                            SegList *out, char *why, size_t n)
{
    MapResult fail = b->cls == MEM_IOREMAP ? MAP_REFUSE : MAP_BOUNCE;
    uint64_t page = kmem_page_size(c->kmem), addr, pa, run;
    if (b->cls == MEM_COHERENT) {
        Handle h = {b->handle + off, b->handle_dev};
        if (!convert(c, m, h, len, &addr, why, n))
            return fail;
        segs_add(out, addr, len);
        return MAP_OK;
    }
    out->fixed = b->fifo_unit != 0;
    out->split = how == MAP_SG;
    uint64_t want = out->fixed ? b->fifo_unit : len;
    for (uint64_t o = 0; o < want;) {
        uint64_t va = b->va + off + o;
        if (!kmem_walk(c->kmem, va, &pa, &run, NULL)) {
            char a[32];
            snprintf(why, n, "%s is not mapped",
                     units_fmt_hex(va, a, sizeof a));
            return MAP_REFUSE;
        }
        uint64_t piece = want - o < run ? want - o : run;
        if (how == MAP_SG && piece > page - va % page)
            piece = page - va % page;
        if (!convert(c, m, (Handle){pa, -1}, piece, &addr, why, n))
            return fail;
        segs_add(out, addr, out->fixed ? len : piece);
        o += piece;
    }
    return MAP_OK;
}

/* ---- dma_move: the cheapest master that reaches both ends --------------- */

/* The narrowest link (bytes/s), the transaction latency (ps) and the
 * busiest bus's load (operations in flight across it) of the route master
 * m takes to [addr, addr + len). */
static bool path_cost(const ApiCtx *c, int m, uint64_t addr, uint64_t len,
                      uint64_t *bw, uint64_t *lat_ps, int *narrow,
                      unsigned *load)
{
    const Topology *t = c->t;
    Route r;
    if (!route_access(t, m, addr, len < 4096 ? len : 4096, &r))
        return false;
    *bw = UINT64_MAX;
    *lat_ps = 0;
    *load = 0;
    for (size_t i = 0; i < r.n_hops; i++) {
        const BusParams *b = &t->buses[r.hops[i].bus];
        if (c->bus_load && c->bus_load[r.hops[i].bus] > *load)
            *load = c->bus_load[r.hops[i].bus];
        uint64_t hz = t->clocks[b->clock_idx].hz, v = hz * (b->width_bits / 8);
        if (v < *bw) {
            *bw = v;
            *narrow = r.hops[i].bus;
        }
        /* arbitration, address and a target's first data: ~4 cycles */
        *lat_ps += 4 * 1000000000000ULL / hz;
    }
    return true;
}

typedef struct Estimate {
    bool ok;
    double ps;
    int narrow;
    uint64_t narrow_bw;
    size_t hops;
} Estimate;

/* Moving len bytes with master m in chunks of `chunk` bytes, each a read
 * and a write over the two ends' routes, each end slowed by the operations
 * already crossing its busiest bus, plus per_chunk_ps of its own work; the
 * whole slowed by the transfers the master already has in flight. */
static Estimate estimate(const ApiCtx *c, int m, const SegList *s,
                         const SegList *d, unsigned fifo_unit, uint64_t len,
                         uint64_t chunk, double per_chunk_ps)
{
    Estimate e = {.ok = true, .narrow_bw = UINT64_MAX};
    const SegList *ends[2] = {s, d};
    unsigned unit = s->fixed ? fifo_unit : d->fixed ? fifo_unit : 0;
    if (unit && unit < chunk)
        chunk = unit; /* a FIFO register takes one unit per transaction */
    double chunks = (double)((len + chunk - 1) / chunk);
    for (int i = 0; i < 2; i++) {
        uint64_t bw, lat;
        int narrow = 0;
        unsigned load;
        if (!path_cost(c, m, ends[i]->v[0].addr,
                       ends[i]->fixed ? 1 : ends[i]->v[0].len, &bw, &lat,
                       &narrow, &load)) {
            e.ok = false;
            return e;
        }
        e.ps += ((double)len * 1e12 / (double)bw + chunks * (double)lat) *
                (1 + load);
        if (bw < e.narrow_bw) {
            e.narrow_bw = bw;
            e.narrow = narrow;
        }
    }
    e.ps += chunks * per_chunk_ps;
    e.ps *= 1 + (c->in_flight ? c->in_flight[m] : 0);
    return e;
}

static int struct_move(const ApiCtx *c, const ApiOp *op, Plan *p)
{
    const Topology *t = c->t;
    int best = ENGINE_CPU;
    double best_ps = 0;
    bool found = false;
    char list[400] = "", why[300];
    size_t ln = 0;
    unsigned fifo_unit = op->src->fifo_unit ? op->src->fifo_unit
                                            : op->dst->fifo_unit;
    for (size_t i = 0; i < t->n_comps; i++) {
        const CompParams *cp = &t->comps[i];
        bool cpu = (int)i == c->cpu;
        const SwMaster *sm = swview_master(c->sw, (int)i);
        if (!cpu && !sm->engine)
            continue;
        int m = (int)i;
        SegList s = {0}, d = {0};
        Estimate e = {0};
        snprintf(why, sizeof why, "no route for an estimate");
        MapResult rs = struct_map(c, m, op->src, op->src_off, op->len,
                                  MAP_SINGLE, &s, why, sizeof why);
        MapResult rd = rs == MAP_OK
                           ? struct_map(c, m, op->dst, op->dst_off, op->len,
                                        MAP_SINGLE, &d, why, sizeof why)
                           : rs;
        if (rs == MAP_OK && rd == MAP_OK) {
            e = estimate(c, m, &s, &d, fifo_unit, op->len, sm->chunk_bytes,
                         sm->work_ps);
        }
        segs_free(&s);
        segs_free(&d);
        if (ln + 80 < sizeof list) {
            if (e.ok)
                ln += (size_t)snprintf(list + ln, sizeof list - ln,
                                       "%s%s %.1f us via %s", ln ? ", " : "",
                                       cp->name, e.ps / 1e6,
                                       t->buses[e.narrow].name);
            else
                ln += (size_t)snprintf(list + ln, sizeof list - ln,
                                       "%s%s cannot (%s)", ln ? ", " : "",
                                       cp->name, why);
        }
        if (e.ok && (!found || e.ps < best_ps)) { /* ties: file order */
            found = true;
            best = cpu ? ENGINE_CPU : m;
            best_ps = e.ps;
        }
    }
    plan_note(p, "dma_move chose %s (estimates: %s)",
              best == ENGINE_CPU ? t->comps[c->cpu].name
                                 : t->comps[best].name,
              list);
    return best;
}

static bool struct_alloc_coherent(const ApiCtx *c, int dev, uint64_t size,
                                  ApiBuffer *out, char *why, size_t n)
{
    uint64_t pa, addr;
    if (!kmem_alloc(c->kmem, MEM_COHERENT, size, &out->va, &pa, why, n))
        return false;
    /* NULL: the processor's address space, as is (point 4). */
    out->handle = pa;
    out->handle_dev = -1;
    if (dev >= 0) {
        if (!convert(c, dev, (Handle){pa, -1}, size, &addr, why, n))
            return false;
        out->handle = addr;
        out->handle_dev = dev;
    }
    return true;
}

const DmaApi dma_api_struct = {
    .name = "struct",
    .summary = "the proposal: {phys, dev} handles converted through the "
               "topology, page walks, dma_move",
    .alloc_coherent = struct_alloc_coherent,
    .map = struct_map,
    .move = struct_move,
};
