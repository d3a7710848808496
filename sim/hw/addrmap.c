#include "sim/hw/addrmap_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/hw/kinds.h"
#include "sim/core/units.h"

void decoder_describe(const Topology *t, const Decoder *d, char *buf,
                      size_t len)
{
    if (!d) {
        snprintf(buf, len, "nothing (master abort)");
        return;
    }
    const CompParams *c = &t->comps[d->comp];
    switch (d->tier) {
    case TIER_REGION:
        snprintf(buf, len, "%s region %d (%s)", c->name, d->index,
                 region_kind_name(c->regions[d->index].kind));
        break;
    case TIER_DOWN:
        snprintf(buf, len, d->programmable ? "%s outbound window %d"
                                           : "%s ranges window %d",
                 c->name, d->index);
        break;
    case TIER_SUBTRACTIVE:
        if (d->index < 0)
            snprintf(buf, len, "%s identity ranges", c->name);
        else
            snprintf(buf, len, "%s ranges window %d (subtractive)", c->name,
                     d->index);
        break;
    default:
        if (d->iommu && d->mapped)
            snprintf(buf, len, "%s IOMMU page %d", c->name, d->index);
        else if (d->iommu)
            snprintf(buf, len, "%s IOMMU aperture", c->name);
        else if (d->index < 0)
            snprintf(buf, len, "%s identity dma_ranges", c->name);
        else
            snprintf(buf, len, d->programmable ? "%s inbound window %d"
                                               : "%s dma_ranges window %d",
                     c->name, d->index);
        break;
    }
}

/* ---- programmable windows ------------------------------------------------ */

const ProgWindows *addrmap_prog_of(const Topology *t, int comp, bool inbound)
{
    const BridgeParams *br = t->comps[comp].bridge;
    return inbound ? &br->inbound : &br->outbound;
}

/* The decoder of a window that is on: an outbound one on the parent bus
 * leading down, an inbound one on the child bus leading up. */
void addrmap_slot_decoder(const Topology *t, WinSlot *sl)
{
    const CompParams *c = &t->comps[sl->comp];
    int p = c->bus_idx, ch = topo_find_bus(t, c->bridge->child.name);
    const WindowParams *w = &sl->w;
    Decoder dec = {0};
    dec.comp = sl->comp;
    dec.index = (int)sl->index;
    dec.pos = w->pos;
    dec.path = w->path;
    dec.programmable = true;
    if (sl->inbound) {
        dec.lo = w->child;
        dec.tier = TIER_UP;
        dec.to_bus = p;
        dec.to_space = SPACE_MEM;
        dec.to_lo = w->parent;
    } else {
        dec.lo = w->parent;
        dec.tier = TIER_DOWN;
        dec.to_bus = ch;
        dec.to_space = w->space;
        dec.to_lo = w->child;
    }
    dec.hi = dec.lo + (w->size_bytes - 1);
    sl->dec = dec;
    /* an outbound I/O window is decoded in the parent's I/O space only
     * when the parent has one */
    sl->sp = sl->inbound || !t->buses[p].kind->has_io_space ? SPACE_MEM
                                                            : w->space;
}

static void *ws_calloc(Arena *a, size_t n, size_t size)
{
    if (a)
        return arena_calloc(a, n ? n : 1, size);
    void *p = calloc(n ? n : 1, size);
    if (!p)
        abort();
    return p;
}

/* Every programmable window of t, all off. */
WinState *addrmap_ws_build(const Topology *t, Arena *a)
{
    WinState *ws = ws_calloc(a, 1, sizeof *ws);
    ws->t = t;
    ws->arena = a != NULL;
    ws->io = ws_calloc(a, t->n_comps, sizeof *ws->io);
    ws->first = ws_calloc(a, t->n_comps + 1, sizeof *ws->first);
    size_t n = 0;
    for (size_t c = 0; c < t->n_comps; c++) {
        ws->first[c] = n;
        if (t->comps[c].bridge)
            n += t->comps[c].bridge->outbound.count +
                 t->comps[c].bridge->inbound.count;
    }
    ws->first[t->n_comps] = n;
    ws->n = n;
    ws->v = ws_calloc(a, n, sizeof *ws->v);
    ws->by_bus = ws_calloc(a, n, sizeof *ws->by_bus);
    ws->bus_at = ws_calloc(a, t->n_buses + 1, sizeof *ws->bus_at);
    size_t k = 0;
    for (size_t c = 0; c < t->n_comps; c++) {
        const BridgeParams *br = t->comps[c].bridge;
        if (!br)
            continue;
        int ch = topo_find_bus(t, br->child.name);
        for (int in = 0; in < 2; in++) {
            const ProgWindows *pw = in ? &br->inbound : &br->outbound;
            for (unsigned i = 0; i < pw->count; i++, k++)
                ws->v[k] = (WinSlot){.comp = (int)c,
                                     .inbound = in,
                                     .index = i,
                                     .bus = in ? ch : t->comps[c].bus_idx};
        }
    }
    /* by bus, counting sort */
    for (size_t i = 0; i < n; i++)
        ws->bus_at[ws->v[i].bus + 1]++;
    for (size_t b = 0; b < t->n_buses; b++)
        ws->bus_at[b + 1] += ws->bus_at[b];
    size_t *fill = calloc(t->n_buses + 1, sizeof *fill);
    if (!fill)
        abort();
    for (size_t i = 0; i < n; i++) {
        int b = ws->v[i].bus;
        ws->by_bus[ws->bus_at[b] + fill[b]++] = i;
    }
    free(fill);
    return ws;
}

WinSlot *addrmap_slot_at(const WinState *ws, int comp, bool inbound,
                        unsigned slot)
{
    const BridgeParams *br = ws->t->comps[comp].bridge;
    size_t k = ws->first[comp] + (inbound ? br->outbound.count : 0) + slot;
    return &ws->v[k];
}

WinState *winstate_new(const Topology *t)
{
    WinState *ws = addrmap_ws_build(t, NULL);
    const WinState *boot = t->map->boot;
    for (size_t i = 0; i < ws->n; i++)
        ws->v[i] = boot->v[i];
    /* every IOMMU boots with nothing mapped */
    for (size_t c = 0; c < t->n_comps; c++)
        if (t->comps[c].bridge && t->comps[c].bridge->iommu.present) {
            const IommuParams *io = &t->comps[c].bridge->iommu;
            ws->io[c].pg = ws_calloc(NULL, io->pages, sizeof *ws->io[c].pg);
            ws->io[c].tlb = ws_calloc(NULL, io->iotlb_entries,
                                      sizeof *ws->io[c].tlb);
            ws->io[c].used = ws_calloc(NULL, io->iotlb_entries,
                                       sizeof *ws->io[c].used);
        }
    return ws;
}

bool winstate_iotlb(WinState *ws, int comp, uint64_t page)
{
    IommuPages *ip = &ws->io[comp];
    unsigned n = ws->t->comps[comp].bridge->iommu.iotlb_entries, victim = 0;
    ip->tick++;
    for (unsigned i = 0; i < n; i++) {
        if (ip->tlb[i] == page + 1) {
            ip->used[i] = ip->tick;
            return true;
        }
        if (ip->used[i] < ip->used[victim])
            victim = i;
    }
    if (n) { /* the entry walked in, over the least recently used */
        ip->tlb[victim] = page + 1;
        ip->used[victim] = ip->tick;
    }
    return false;
}

void winstate_free(WinState *ws)
{
    if (!ws || ws->arena)
        return;
    for (size_t c = 0; c < ws->t->n_comps; c++) {
        const BridgeParams *br = ws->t->comps[c].bridge;
        for (uint64_t i = 0; ws->io[c].pg && i < br->iommu.pages; i++)
            free(ws->io[c].pg[i]);
        free(ws->io[c].pg);
        free(ws->io[c].tlb);
        free(ws->io[c].used);
    }
    free(ws->io);
    free(ws->v);
    free(ws->first);
    free(ws->by_bus);
    free(ws->bus_at);
    free(ws);
}

void winstate_set(WinState *ws, int comp, bool inbound, unsigned slot,
                  const WindowParams *w)
{
    WinSlot *sl = addrmap_slot_at(ws, comp, inbound, slot);
    sl->on = w != NULL;
    if (w) {
        sl->w = *w;
        addrmap_slot_decoder(ws->t, sl);
    }
}

void winstate_iommu_map(WinState *ws, int comp, uint64_t first, uint64_t n,
                        uint64_t pa)
{
    const CompParams *c = &ws->t->comps[comp];
    const IommuParams *io = &c->bridge->iommu;
    /* the IOTLB forgets what it cached of them */
    for (unsigned k = 0; k < io->iotlb_entries; k++)
        if (ws->io[comp].tlb[k] && ws->io[comp].tlb[k] - 1 - first < n)
            ws->io[comp].tlb[k] = ws->io[comp].used[k] = 0;
    for (uint64_t i = 0; i < n; i++) {
        Decoder **d = &ws->io[comp].pg[first + i];
        if (!*d) {
            *d = malloc(sizeof **d);
            if (!*d)
                abort();
        }
        uint64_t lo = io->ap_base + (first + i) * io->page_size;
        **d = (Decoder){.lo = lo,
                        .hi = lo + (io->page_size - 1),
                        .tier = TIER_UP,
                        .comp = comp,
                        .index = (int)(first + i),
                        .to_bus = c->bus_idx,
                        .to_space = SPACE_MEM,
                        .to_lo = pa + i * io->page_size,
                        .pos = io->pos,
                        .path = io->path,
                        .iommu = true,
                        .mapped = true};
    }
}

/* ---- decoding ---------------------------------------------------------- */

/* The entry containing a, or NULL; *next is the first lo above a (or
 * *has_next false). */
static const Decoder *find(const DecodeList *l, uint64_t a, uint64_t *next,
                           bool *has_next)
{
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->v[mid].lo <= a)
            lo = mid + 1;
        else
            hi = mid;
    }
    *has_next = lo < l->n;
    if (*has_next)
        *next = l->v[lo].lo;
    if (lo > 0 && l->v[lo - 1].hi >= a)
        return &l->v[lo - 1];
    return NULL;
}

static const IommuParams *m_iommu(const WinState *ws, int comp)
{
    return &ws->t->comps[comp].bridge->iommu;
}

const Decoder *addrmap_decode(const AddrMap *m, int bus, AddrSpace sp,
                              uint64_t addr, int exclude, uint64_t *run_last)
{
    return addrmap_decode_ws(m, NULL, bus, sp, addr, exclude, run_last);
}

const Decoder *addrmap_decode_ws(const AddrMap *m, const WinState *ws,
                                 int bus, AddrSpace sp, uint64_t addr,
                                 int exclude, uint64_t *run_last)
{
    const DecodeList *tiers = m->lists[bus][sp];
    if (!ws)
        ws = m->boot;
    uint64_t limit = UINT64_MAX;
    for (int k = 0; k < N_TIERS; k++) {
        /* the programmable windows of this tier on this bus (a few), before
         * the fixed ones */
        for (size_t j = ws->bus_at[bus]; j < ws->bus_at[bus + 1]; j++) {
            const WinSlot *sl = &ws->v[ws->by_bus[j]];
            if (!sl->on || sl->dec.tier != (Tier)k ||
                sl->sp != sp || sl->comp == exclude)
                continue;
            if (sl->dec.lo <= addr && addr <= sl->dec.hi) {
                *run_last = sl->dec.hi < limit ? sl->dec.hi : limit;
                return &sl->dec;
            }
            if (sl->dec.lo > addr && sl->dec.lo - 1 < limit)
                limit = sl->dec.lo - 1;
        }
        uint64_t next;
        bool has_next;
        const Decoder *d = find(&tiers[k], addr, &next, &has_next);
        if (d && d->comp != exclude) {
            if (d->iommu) {
                /* by page: the page's mapping, or the aperture (which
                 * aborts) where the IOMMU maps nothing */
                uint64_t ps = m_iommu(ws, d->comp)->page_size;
                uint64_t page = (addr - d->lo) / ps;
                uint64_t end = d->lo + page * ps + (ps - 1);
                if (end < limit)
                    limit = end;
                const Decoder *pd = ws->io[d->comp].pg
                                        ? ws->io[d->comp].pg[page]
                                        : NULL;
                if (pd && pd->mapped)
                    d = pd;
            }
            *run_last = d->hi < limit ? d->hi : limit;
            return d;
        }
        /* Nothing of this tier here: its next entry bounds any decision
         * a lower tier makes. */
        if (has_next && next - 1 < limit)
            limit = next - 1;
    }
    *run_last = limit;
    return NULL;
}
