/* The 2004 proposal (docs/schemes.md, "struct"): dma_addr_t is {phys,
 * dev}; handles are converted between devices' address spaces by the
 * windows the kernel knows (the software view); the CPU is a device
 * (NULL); map_single/map_sg walk the page tables; dma_move picks the copy
 * engine that reaches both ends most cheaply. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/dma_api/plan.h"
#include "models/kernel/winalloc.h"
#include "sim/core/units.h"

/* Point 1: a handle is an address and the device whose address space it
 * is in; -1 is NULL, the processor (point 4). */
typedef struct Handle {
    uint64_t addr;
    int dev;
} Handle;

/* Point 3 (dma_convert_addr), and through it points 5 and 6: the bytes
 * [h.addr, h.addr + len) of h.dev's space as device `to` addresses them.
 * A device's handle goes up to the processor's space through the
 * dma_ranges above it (dma_to_phys); the kernel's resource map says what
 * lies there; the windows between that and `to`, composed bus by bus
 * (point 6), give to's address (point 5); to's dma_mask must cover it.
 * All of it is window arithmetic on what the kernel knows: nothing asks
 * the hardware.  *run is how many bytes from there the same windows
 * carry (a range that spans two windows converts in two pieces). */
static bool convert_once(const ApiCtx *c, int to, Handle h, uint64_t len,
                         uint64_t *out, uint64_t *run, char *why, size_t n);

/* Whether the plan itself set window `slot` (or IOMMU page `page`). */
static bool own_setting(const Plan *p, int bridge, bool iommu, bool inbound,
                        unsigned slot, uint64_t page)
{
    for (size_t i = 0; i < p->n_undo; i++) {
        const PlanUndo *u = &p->undo[i];
        if (u->bridge == bridge && u->iommu == iommu &&
            (iommu ? page - u->first < u->n
                   : u->inbound == inbound && u->slot == slot))
            return true;
    }
    return false;
}

/* The programmable windows and IOMMU pages the translation went through
 * are held by the operation (and just used: the last to be evicted).  One
 * that another operation is still programming cannot carry a transfer
 * yet: the plan waits (Plan.wait) until the programming is done. */
static void hold_used(const ApiCtx *c)
{
    const SwUsed *u = swview_last_used(c->sw);
    Plan *p = c->programs;
    for (size_t i = 0; i < u->n; i++) {
        int br = u->v[i].bridge;
        for (uint64_t k = 0; u->v[i].iommu && k < u->v[i].pages; k++) {
            uint64_t page = u->v[i].page + k;
            SwIommuPage *pg = swview_iommu_page(c->sw, br, page);
            pg->last_use = c->stamp;
            if (pg->pending && !own_setting(p, br, true, true, 0, page))
                p->wait = true;
            if (plan_hold_page(p, br, page))
                pg->users++;
        }
        if (u->v[i].iommu)
            continue;
        bool in = u->v[i].inbound;
        unsigned slot = u->v[i].slot;
        SwWindow *sw = swview_window(c->sw, br, in, slot);
        sw->last_use = c->stamp;
        if (sw->pending && !own_setting(p, br, false, in, slot, 0))
            p->wait = true;
        if (plan_hold(p, br, in, slot))
            sw->users++;
    }
}

/* Programs a window for the miss the last translation stopped at: the
 * allocator's choice in the kernel's record, and a STEP_PROGRAM that
 * writes its registers before anything uses it.  False with why. */
static bool program_window(const ApiCtx *c, char *why, size_t n)
{
    const Topology *t = c->t;
    const SwMiss *miss = swview_last_miss(c->sw);
    WinGrant g;
    char reason[200];
    if (!winalloc_map(c->sw, miss, c->stamp, &g, reason, sizeof reason)) {
        snprintf(why, n, "dma_convert_addr: %s", reason);
        return false;
    }
    plan_undo_window(c->programs, miss->bridge, miss->inbound, g.slot,
                     &g.old);
    swview_window(c->sw, miss->bridge, miss->inbound, g.slot)->pending = true;
    const CompParams *bc = &t->comps[miss->bridge];
    const ProgWindows *pw = miss->inbound ? &bc->bridge->inbound
                                          : &bc->bridge->outbound;
    /* window i's registers at base + i * (size / count), word aligned */
    uint64_t stride = pw->regs_size / pw->count / 4 * 4, regs, run;
    if (!swview_master_addr(c->sw, c->cpu, miss->bridge, pw->regs_region,
                            g.slot * stride, 4 * (uint64_t)pw->writes, &regs,
                            &run, reason, sizeof reason)) {
        snprintf(why, n, "dma_convert_addr: the CPU cannot reach %s's "
                         "window registers: %.150s",
                 bc->name, reason);
        return false;
    }
    PlanStep *ps = plan_add(c->programs, STEP_PROGRAM);
    ps->bridge = miss->bridge;
    ps->inbound = miss->inbound;
    ps->slot = g.slot;
    ps->win = g.w;
    ps->regs_pa = regs;
    ps->writes = pw->writes;
    c->programs->windows_programmed++;
    c->programs->window_evictions += g.evicted;
    c->programs->register_writes += pw->writes;
    char a[32], b[32], sz[32];
    plan_note(c->programs, "%s %s window %u set to %s -> %s (%s)%s",
              bc->name, miss->inbound ? "inbound" : "outbound", g.slot,
              units_fmt_hex(miss->inbound ? g.w.child : g.w.parent, a,
                            sizeof a),
              units_fmt_hex(miss->inbound ? g.w.parent : g.w.child, b,
                            sizeof b),
              units_fmt_size(g.w.size_bytes, sz, sizeof sz),
              g.evicted ? ", evicting the least recently used" : "");
    return true;
}

/* Maps IOMMU pages for the miss the last translation stopped at
 * (plan_map_iommu).  False with why. */
static bool map_iommu(const ApiCtx *c, char *why, size_t n)
{
    return plan_map_iommu(c, swview_last_miss(c->sw), "dma_convert_addr",
                          NULL, why, n);
}

/* Whether another operation holds what the miss needs: a window of the
 * bridge that way (boot's aside), or a page of its IOMMU, with more users
 * than the plan's own hold. */
static bool held_by_others(const ApiCtx *c, const SwMiss *miss)
{
    const Plan *p = c->programs;
    const BridgeParams *br = c->t->comps[miss->bridge].bridge;
    const ProgWindows *pw = miss->inbound ? &br->inbound : &br->outbound;
    for (unsigned i = 0; miss->windows && i < pw->count; i++) {
        const SwWindow *sw = swview_window(c->sw, miss->bridge, miss->inbound,
                                           i);
        unsigned own = 0;
        for (size_t k = 0; k < p->n_held; k++)
            own += !p->held[k].iommu && p->held[k].bridge == miss->bridge &&
                   p->held[k].inbound == miss->inbound &&
                   p->held[k].slot == i;
        if (!sw->pinned && sw->users > own)
            return true;
    }
    for (uint64_t pg = 0; miss->iommu && pg < br->iommu.pages; pg++) {
        unsigned own = 0;
        for (size_t k = 0; k < p->n_held; k++)
            own += p->held[k].iommu && p->held[k].bridge == miss->bridge &&
                   p->held[k].page == pg;
        if (swview_iommu_page(c->sw, miss->bridge, pg)->users > own)
            return true;
    }
    return false;
}

/* A window for the miss the last translation stopped at, else pages of
 * the bridge's IOMMU: programmed into the plan, or (no plan: dma_move's
 * trial) recorded in `trial` only.  When neither can be had and another
 * operation holds what it would take, the plan waits (Plan.wait).  False
 * with why. */
static bool grant(const ApiCtx *c, Plan *trial, char *why, size_t n)
{
    const SwMiss *miss = swview_last_miss(c->sw);
    size_t l = 0;
    why[0] = '\0';
    if (miss->windows) {
        WinGrant g;
        if (c->programs ? program_window(c, why, n)
                        : winalloc_map(c->sw, miss, c->stamp, &g, why, n)) {
            if (!c->programs)
                plan_undo_window(trial, miss->bridge, miss->inbound, g.slot,
                                 &g.old);
            return true;
        }
        l = strlen(why);
    }
    if (miss->iommu) {
        IommuGrant g;
        if (l && l + 2 < n)
            snprintf(why + l, n - l, "; ");
        l = strlen(why);
        if (c->programs ? map_iommu(c, why + l, n - l)
                        : winalloc_iommu(c->sw, miss, c->stamp, &g, why + l,
                                         n - l)) {
            if (!c->programs)
                plan_undo_pages(trial, miss->bridge, g.first, g.pages, g.old);
            return true;
        }
    }
    if (c->programs && held_by_others(c, miss))
        c->programs->wait = true;
    return false;
}

/* convert_once, programming windows where the translation stops at a
 * bridge whose windows the kernel can set (one per bridge on the way).
 * While dma_move estimates (no plan to program into), the windows are
 * set for the trial only and put back: an engine that would need one is
 * a candidate like the others (the programming's own cost is left out of
 * its estimate). */
static bool convert(const ApiCtx *c, int to, Handle h, uint64_t len,
                    uint64_t *out, uint64_t *run, char *why, size_t n)
{
    Plan trial; /* dma_move's trial: what to put back */
    plan_init(&trial);
    bool ok = false;
    for (int tries = 0;; tries++) {
        if (convert_once(c, to, h, len, out, run, why, n)) {
            if (c->programs)
                hold_used(c);
            ok = true;
            break;
        }
        const SwMiss *miss = swview_last_miss(c->sw);
        /* a window is placed in the aperture on its far side from what it
         * must hold: outbound windows hold a child address (a BAR),
         * inbound ones a parent address (RAM) */
        if ((!c->programs && !c->trial_windows) || !miss->set ||
            miss->inbound == miss->at_child || tries >= 2 * TOPO_MAX_DEPTH)
            break;
        char again[480];
        if (!grant(c, &trial, again, sizeof again)) {
            /* say both: why the windows as they are do not do, and why no
             * window could be set */
            size_t l = strlen(why);
            snprintf(why + l, n - l, "; %s", again);
            break;
        }
    }
    plan_restore(&trial, c->sw);
    plan_free(&trial);
    return ok;
}

static bool convert_once(const ApiCtx *c, int to, Handle h, uint64_t len,
                         uint64_t *out, uint64_t *run, char *why, size_t n)
{
    const Topology *t = c->t;
    int from = h.dev < 0 ? c->cpu : h.dev;
    char a[32], reason[240];
    if (from == to) {
        *out = h.addr;
        *run = len;
        return true;
    }
    uint64_t pa = h.addr, r = len;
    if (from != c->cpu &&
        !swview_dma_to_phys(c->sw, from, h.addr, len, &pa, &r, reason,
                            sizeof reason)) {
        snprintf(why, n, "dma_convert_addr: no window leads %s's %s to the "
                         "processor: %s",
                 t->comps[from].name, units_fmt_hex(h.addr, a, sizeof a),
                 reason);
        return false;
    }
    SwRes res;
    if (!swview_phys(c->sw, pa, &res)) {
        snprintf(why, n, "dma_convert_addr: the kernel knows nothing at %s",
                 units_fmt_hex(pa, a, sizeof a));
        return false;
    }
    if (r > res.len)
        r = res.len;
    const char *tn = t->comps[to].name, *cn = t->comps[res.comp].name;
    uint64_t addr;
    if (!swview_master_addr(c->sw, to, res.comp, res.region, res.off, r,
                            &addr, &r, reason, sizeof reason)) {
        snprintf(why, n, "dma_convert_addr: no window leads %s to %s+%s: %s",
                 tn, cn, units_fmt_hex(res.off, a, sizeof a), reason);
        return false;
    }
    if (addr > master_mask(c->sw, to) ||
        r - 1 > master_mask(c->sw, to) - addr) {
        snprintf(why, n,
                 "dma_convert_addr: %s+%s is beyond %s's %u-bit dma_mask", cn,
                 units_fmt_hex(res.off, a, sizeof a), tn,
                 swview_master(c->sw, to)->mask_bits);
        return false;
    }
    *out = addr;
    *run = r;
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
    uint64_t page = kmem_page_size(c->kmem), addr, pa, run, conv;
    if (b->cls == MEM_COHERENT) {
        for (uint64_t o = 0; o < len; o += conv) {
            Handle h = {b->handle + off + o, b->handle_dev};
            if (!convert(c, m, h, len - o, &addr, &conv, why, n))
                return fail;
            segs_add(out, addr, conv);
        }
        return MAP_OK;
    }
    out->fixed = b->fifo_unit != 0;
    out->split = how == MAP_SG;
    uint64_t want = out->fixed ? b->fifo_unit : len;
    for (uint64_t o = 0; o < want; o += conv) {
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
        if (!convert(c, m, (Handle){pa, -1}, piece, &addr, &conv, why, n))
            return fail;
        segs_add(out, addr, out->fixed ? len : conv);
    }
    return MAP_OK;
}

/* ---- dma_move: the cheapest copy engine that reaches both ends ---------- */

/* The narrowest link (bytes/s), the transaction latency (ps) and the
 * busiest bus's load (operations in flight across it) on the way master m
 * takes to the kernel virtual address va, by the buses the software view
 * puts between them. */
static bool path_cost(const ApiCtx *c, int m, uint64_t va, uint64_t *bw,
                      uint64_t *lat_ps, int *narrow, unsigned *load)
{
    const Topology *t = c->t;
    int buses[2 * TOPO_MAX_DEPTH + 2];
    size_t n = plan_buses(c, m, va, buses, sizeof buses / sizeof *buses);
    if (!n)
        return false;
    *bw = UINT64_MAX;
    *lat_ps = 0;
    *load = 0;
    for (size_t i = 0; i < n; i++) {
        const BusParams *b = &t->buses[buses[i]];
        if (c->bus_load && c->bus_load[buses[i]] > *load)
            *load = c->bus_load[buses[i]];
        uint64_t hz = t->clocks[b->clock_idx].clock.hz, v = hz * (b->width_bits / 8);
        if (v < *bw) {
            *bw = v;
            *narrow = buses[i];
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
} Estimate;

/* Moving len bytes with master m in chunks of `chunk` bytes, each a read
 * and a write over the two ends' paths, each end slowed by the operations
 * already crossing its busiest bus, plus per_chunk_ps of its own work; the
 * whole slowed by the transfers the master already has in flight. */
static Estimate estimate(const ApiCtx *c, int m, const ApiOp *op,
                         uint64_t chunk, double per_chunk_ps)
{
    Estimate e = {.ok = true, .narrow_bw = UINT64_MAX};
    uint64_t ends[2] = {op->src->va + op->src_off, op->dst->va + op->dst_off};
    unsigned unit = op->src->fifo_unit ? op->src->fifo_unit
                                       : op->dst->fifo_unit;
    if (unit && unit < chunk)
        chunk = unit; /* a FIFO register takes one unit per transaction */
    double chunks = (double)((op->len + chunk - 1) / chunk);
    for (int i = 0; i < 2; i++) {
        uint64_t bw, lat;
        int narrow = 0;
        unsigned load;
        if (!path_cost(c, m, ends[i], &bw, &lat, &narrow, &load)) {
            e.ok = false;
            return e;
        }
        e.ps += ((double)op->len * 1e12 / (double)bw +
                 chunks * (double)lat) *
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
    char list[400] = "", others[200] = "", why[300];
    size_t ln = 0, on = 0;
    for (size_t i = 0; i < t->n_comps; i++) {
        const CompParams *cp = &t->comps[i];
        bool cpu = (int)i == c->cpu;
        const SwMaster *sm = swview_master(c->sw, (int)i);
        if (!cpu && !sm->copy_engine) {
            /* A device master moves data between its own regions and
             * memory: it is no candidate for a copy. */
            if (sm->engine && on + 40 < sizeof others)
                on += (size_t)snprintf(others + on, sizeof others - on,
                                       "%s%s", on ? ", " : "", cp->name);
            continue;
        }
        int m = (int)i;
        SegList s = {0}, d = {0};
        Estimate e = {0};
        snprintf(why, sizeof why, "no path for an estimate");
        MapResult rs = struct_map(c, m, op->src, op->src_off, op->len,
                                  MAP_SINGLE, &s, why, sizeof why);
        MapResult rd = rs == MAP_OK
                           ? struct_map(c, m, op->dst, op->dst_off, op->len,
                                        MAP_SINGLE, &d, why, sizeof why)
                           : rs;
        if (rs == MAP_OK && rd == MAP_OK)
            e = estimate(c, m, op, sm->chunk_bytes, sm->work_ps);
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
    plan_note(p, "dma_move chose %s (estimates: %s%s%s)",
              best == ENGINE_CPU ? t->comps[c->cpu].name
                                 : t->comps[best].name,
              list, on ? "; not copy engines: " : "", others);
    return best;
}

static bool struct_alloc_coherent(const ApiCtx *c, int dev, uint64_t size,
                                  ApiBuffer *out, char *why, size_t n)
{
    uint64_t pa, addr, run;
    if (!kmem_alloc(c->kmem, MEM_COHERENT, size, &out->va, &pa, why, n))
        return false;
    /* NULL: the processor's address space, as is (point 4). */
    out->handle = pa;
    out->handle_dev = -1;
    if (dev >= 0) {
        /* One handle for the whole allocation: it must convert in one
         * piece. */
        if (!convert(c, dev, (Handle){pa, -1}, size, &addr, &run, why, n))
            return false;
        if (run < size) {
            snprintf(why, n, "dma_alloc_coherent: no one window leads %s to "
                             "all %llu bytes",
                     c->t->comps[dev].name, (unsigned long long)size);
            return false;
        }
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
