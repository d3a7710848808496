#include "sim/hw/addrmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/hw/kinds.h"
#include "sim/core/units.h"

typedef struct DecodeList {
    Decoder *v;
    size_t n, cap;
} DecodeList;

struct AddrMap {
    size_t n_buses;
    DecodeList (*lists)[N_SPACES][N_TIERS];
    WinState *boot; /* the programmable windows as boot sets them */
};

/* One programmable window: where it decodes, and its setting. */
typedef struct WinSlot {
    int comp;
    bool inbound;
    unsigned index;
    int bus;     /* the bus it decodes on */
    bool on;
    WindowParams w;
    Decoder dec;    /* when on */
    AddrSpace sp;   /* the space it decodes in on its bus, when on */
} WinSlot;

/* A bridge's IOMMU: a decoder per page once mapped (kept when the page
 * is unmapped, so that a route in flight never points at freed memory). */
typedef struct IommuPages {
    Decoder **pg;   /* per page; NULL: never mapped */
    uint64_t *tlb;  /* the IOTLB: the pages it holds (+1; 0 empty), */
    uint64_t *used; /* and when each was last used */
    uint64_t tick;
} IommuPages;

struct WinState {
    const Topology *t;
    IommuPages *io;  /* per component; pg NULL for the boot state */
    WinSlot *v;
    size_t n;
    size_t *first;  /* slots of bridge c: v[first[c] ..] */
    size_t *by_bus; /* slot indices by the bus they decode on, */
    size_t *bus_at; /* bus b's from by_bus[bus_at[b]] to by_bus[bus_at[b+1]] */
    bool arena;     /* the boot state lives in the topology's arena */
};

static void push(Topology *t, DecodeList *l, const Decoder *d)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        Decoder *nv = arena_calloc(t->arena, cap, sizeof *nv);
        if (l->n)
            memcpy(nv, l->v, l->n * sizeof *nv);
        l->v = nv;
        l->cap = cap;
    }
    l->v[l->n++] = *d;
}

static int dec_cmp(const void *a, const void *b)
{
    const Decoder *x = a, *y = b;
    if (x->lo != y->lo)
        return x->lo < y->lo ? -1 : 1;
    if (x->comp != y->comp)
        return x->comp - y->comp;
    return x->index - y->index;
}

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

static bool fits(uint64_t lo, uint64_t size, unsigned bits, uint64_t *hi);

static const ProgWindows *prog_of(const Topology *t, int comp, bool inbound)
{
    const BridgeParams *br = t->comps[comp].bridge;
    return inbound ? &br->inbound : &br->outbound;
}

/* The decoder of a window that is on: an outbound one on the parent bus
 * leading down, an inbound one on the child bus leading up. */
static void slot_decoder(const Topology *t, WinSlot *sl)
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
static WinState *ws_build(const Topology *t, Arena *a)
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

static WinSlot *slot_at(const WinState *ws, int comp, bool inbound,
                        unsigned slot)
{
    const BridgeParams *br = ws->t->comps[comp].bridge;
    size_t k = ws->first[comp] + (inbound ? br->outbound.count : 0) + slot;
    return &ws->v[k];
}

WinState *winstate_new(const Topology *t)
{
    WinState *ws = ws_build(t, NULL);
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
    WinSlot *sl = slot_at(ws, comp, inbound, slot);
    sl->on = w != NULL;
    if (w) {
        sl->w = *w;
        slot_decoder(ws->t, sl);
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

/* ---- building ---------------------------------------------------------- */

static bool fits(uint64_t lo, uint64_t size, unsigned bits, uint64_t *hi)
{
    if (size == 0 || lo > UINT64_MAX - (size - 1))
        return false;
    *hi = lo + (size - 1);
    return *hi <= bits_last(bits);
}

static void width_error(Topology *t, Diag *d, SrcPos pos, const char *path,
                        const char *what, uint64_t lo, uint64_t size,
                        int bus, AddrSpace sp)
{
    char a[32], s[32];
    diag_add(d, SEV_ERROR, "width", pos, path, NULL, NULL,
             "%s at %s (%s) does not fit in %s's %u-bit %s space", what,
             units_fmt_hex(lo, a, sizeof a), units_fmt_size(size, s, sizeof s),
             t->buses[bus].name, topo_space_bits(t, bus, sp), space_name(sp));
}

static void add_regions(Topology *t, AddrMap *m, Diag *d, int ci)
{
    CompParams *c = &t->comps[ci];
    const BusKind *bk = t->buses[c->bus_idx].kind;
    for (size_t r = 0; r < c->n_regions; r++) {
        RegionParams *rp = &c->regions[r];
        AddrSpace sp = rp->kind == REGION_IO ? SPACE_IO : SPACE_MEM;
        if (sp == SPACE_IO && !bk->has_io_space) {
            diag_add(d, SEV_ERROR, "space", rp->pos, rp->path, NULL, NULL,
                     "an I/O region needs a bus with I/O space; %s is a %s "
                     "bus",
                     t->buses[c->bus_idx].name, bk->name);
            continue;
        }
        uint64_t hi;
        if (!fits(rp->base, rp->size_bytes,
                  topo_space_bits(t, c->bus_idx, sp), &hi)) {
            width_error(t, d, rp->pos, rp->path, "region", rp->base,
                        rp->size_bytes, c->bus_idx, sp);
            continue;
        }
        Decoder dec = {rp->base, hi, TIER_REGION, ci, (int)r, -1, sp, 0,
                       rp->pos, rp->path, false, false, false};
        push(t, &m->lists[c->bus_idx][sp][TIER_REGION], &dec);
    }
}

/* One window of a bridge: decoded on `from` bus, leading to `to`. */
static void add_window(Topology *t, AddrMap *m, Diag *d, int ci, int index,
                       Tier tier, int from, AddrSpace from_sp, uint64_t lo,
                       int to, AddrSpace to_sp, uint64_t to_lo,
                       uint64_t size, SrcPos pos, const char *path,
                       bool programmable)
{
    uint64_t hi, to_hi;
    if (!fits(lo, size, topo_space_bits(t, from, from_sp), &hi)) {
        width_error(t, d, pos, path, "window", lo, size, from, from_sp);
        return;
    }
    if (!fits(to_lo, size, topo_space_bits(t, to, to_sp), &to_hi)) {
        width_error(t, d, pos, path, "window target", to_lo, size, to, to_sp);
        return;
    }
    Decoder dec = {lo, hi, tier, ci, index, to, to_sp, to_lo, pos, path,
                   programmable, false, false};
    push(t, &m->lists[from][from_sp][tier], &dec);
}

/* What the hardware cannot hold: windows its size and alignment rules
 * refuse.  True when the window may be decoded. */
static bool prog_window_ok(const Topology *t, int ci, bool inbound,
                           size_t i, Diag *d)
{
    const BridgeParams *br = t->comps[ci].bridge;
    const WindowParams *w = &(inbound ? &br->inbound : &br->outbound)->boot.v[i];
    char why[300];
    if (!topo_window_rule(t, ci, inbound, (long)i, w, why, sizeof why))
        return true;
    diag_add(d, SEV_ERROR, "window-rule", w->pos, w->path, NULL, NULL, "%s",
             why);
    return false;
}

static bool prog_count_ok(const CompParams *c, const ProgWindows *pw,
                          const char *dir, Diag *d)
{
    if (pw->boot.n <= pw->count)
        return true;
    diag_add(d, SEV_ERROR, "window-count", pw->boot.pos, pw->boot.path, NULL,
             NULL,
             "boot sets %zu %s windows; %s has %u", pw->boot.n, dir, c->name,
             pw->count);
    return false;
}

static void add_bridge(Topology *t, AddrMap *m, Diag *d, int ci)
{
    CompParams *c = &t->comps[ci];
    BridgeParams *br = c->bridge;
    int p = c->bus_idx, ch = topo_find_bus(t, br->child.name);
    bool p_io = t->buses[p].kind->has_io_space;
    bool c_io = t->buses[ch].kind->has_io_space;

    if (br->ranges.identity) {
        for (int sp = 0; sp < N_SPACES; sp++) {
            if (sp == SPACE_IO && !(p_io && c_io))
                continue;
            uint64_t last = bits_last(topo_space_bits(t, p, sp));
            uint64_t clast = bits_last(topo_space_bits(t, ch, sp));
            uint64_t size_m1 = last < clast ? last : clast;
            Decoder dec = {0, size_m1, TIER_SUBTRACTIVE, ci, -1, ch, sp, 0,
                           br->ranges.pos, br->ranges.path, false, false, false};
            push(t, &m->lists[p][sp][TIER_SUBTRACTIVE], &dec);
        }
    }
    for (size_t i = 0; i < br->ranges.n; i++) {
        WindowParams *w = &br->ranges.v[i];
        if (w->space == SPACE_IO && !c_io) {
            diag_add(d, SEV_ERROR, "space", w->pos, w->path, NULL, NULL,
                     "an I/O window needs a child bus with I/O space; %s is "
                     "a %s bus",
                     t->buses[ch].name, t->buses[ch].kind->name);
            continue;
        }
        AddrSpace psp = p_io ? w->space : SPACE_MEM;
        add_window(t, m, d, ci, (int)i,
                   br->subtractive ? TIER_SUBTRACTIVE : TIER_DOWN, p, psp,
                   w->parent, ch, w->space, w->child, w->size_bytes, w->pos,
                   w->path, false);
    }
    if (prog_count_ok(c, &br->outbound, "outbound", d))
        for (size_t i = 0; i < br->outbound.boot.n; i++) {
            WindowParams *w = &br->outbound.boot.v[i];
            if (w->space == SPACE_IO && !c_io) {
                diag_add(d, SEV_ERROR, "space", w->pos, w->path, NULL, NULL,
                         "an I/O window needs a child bus with I/O space; %s "
                         "is a %s bus",
                         t->buses[ch].name, t->buses[ch].kind->name);
                continue;
            }
            if (!prog_window_ok(t, ci, false, i, d))
                continue;
            AddrSpace psp = p_io ? w->space : SPACE_MEM;
            add_window(t, m, d, ci, (int)i, TIER_DOWN, p, psp, w->parent, ch,
                       w->space, w->child, w->size_bytes, w->pos, w->path,
                       true);
        }
    if (br->dma_ranges.identity) {
        uint64_t last = bits_last(topo_space_bits(t, ch, SPACE_MEM));
        uint64_t plast = bits_last(topo_space_bits(t, p, SPACE_MEM));
        Decoder dec = {0, last < plast ? last : plast, TIER_UP, ci, -1, p,
                       SPACE_MEM, 0, br->dma_ranges.pos, br->dma_ranges.path,
                       false, false, false};
        push(t, &m->lists[ch][SPACE_MEM][TIER_UP], &dec);
    }
    for (size_t i = 0; i < br->dma_ranges.n; i++) {
        WindowParams *w = &br->dma_ranges.v[i];
        add_window(t, m, d, ci, (int)i, TIER_UP, ch, SPACE_MEM, w->child, p,
                   SPACE_MEM, w->parent, w->size_bytes, w->pos, w->path,
                   false);
    }
    if (br->iommu.present) {
        /* the aperture: claimed on the child bus as a whole; its pages
         * lead up as the IOMMU maps them (addrmap_decode_ws) */
        const IommuParams *io = &br->iommu;
        uint64_t hi;
        if (!fits(io->ap_base, io->ap_size,
                  topo_space_bits(t, ch, SPACE_MEM), &hi))
            width_error(t, d, io->pos, io->path, "IOMMU aperture",
                        io->ap_base, io->ap_size, ch, SPACE_MEM);
        else
            push(t, &m->lists[ch][SPACE_MEM][TIER_UP],
                 &(Decoder){.lo = io->ap_base,
                            .hi = hi,
                            .tier = TIER_UP,
                            .comp = ci,
                            .to_bus = p,
                            .to_space = SPACE_MEM,
                            .pos = io->pos,
                            .path = io->path,
                            .iommu = true});
    }
    if (prog_count_ok(c, &br->inbound, "inbound", d))
        for (size_t i = 0; i < br->inbound.boot.n; i++) {
            WindowParams *w = &br->inbound.boot.v[i];
            if (prog_window_ok(t, ci, true, i, d))
                add_window(t, m, d, ci, (int)i, TIER_UP, ch, SPACE_MEM,
                           w->child, p, SPACE_MEM, w->parent, w->size_bytes,
                           w->pos, w->path, true);
        }
}

static const char *tier_noun(Tier t)
{
    static const char *const n[] = {"region", "ranges window",
                                    "identity ranges", "dma_ranges window"};
    return n[t];
}

static void overlap_finding(Topology *t, Diag *d, Severity sev,
                            const char *code, const Decoder *a,
                            const Decoder *b, int bus, AddrSpace sp)
{
    /* Report at the later of the two in the file. */
    if (a->pos.line > b->pos.line ||
        (a->pos.line == b->pos.line && a->pos.col > b->pos.col)) {
        const Decoder *x = a;
        a = b;
        b = x;
    }
    uint64_t lo = a->lo > b->lo ? a->lo : b->lo;
    uint64_t hi = a->hi < b->hi ? a->hi : b->hi;
    char da[96], db[96], l[32], h[32];
    decoder_describe(t, b, db, sizeof db);
    decoder_describe(t, a, da, sizeof da);
    const char *how = sev == SEV_ERROR ? "overlaps" : "shadows";
    const Decoder *winner = a->tier <= b->tier ? a : b;
    if (sev == SEV_ERROR)
        diag_add(d, sev, code, b->pos, b->path, &a->pos, a->path,
                 "%s %s %s on %s (%s space) over %s..%s", db, how, da,
                 t->buses[bus].name, space_name(sp),
                 units_fmt_hex(lo, l, sizeof l), units_fmt_hex(hi, h, sizeof h));
    else
        diag_add(d, sev, code, b->pos, b->path, &a->pos, a->path,
                 "%s and %s both decode %s..%s on %s (%s space); the %s "
                 "claims it",
                 db, da, units_fmt_hex(lo, l, sizeof l),
                 units_fmt_hex(hi, h, sizeof h), t->buses[bus].name,
                 space_name(sp), tier_noun(winner->tier));
}

/* Overlaps inside one sorted tier: each entry against the one reaching
 * furthest before it, O(n). */
static void check_within(Topology *t, Diag *d, const DecodeList *l, int bus,
                         AddrSpace sp, Tier tier)
{
    const Decoder *reach = NULL;
    for (size_t i = 0; i < l->n; i++) {
        const Decoder *cur = &l->v[i];
        if (reach && cur->lo <= reach->hi)
            overlap_finding(t, d, SEV_ERROR, "overlap", reach, cur, bus, sp);
        if (!reach || cur->hi > reach->hi)
            reach = cur;
    }
    (void)tier;
}

/* Overlaps between two tiers: shadowing, reported as warnings. */
static void check_across(Topology *t, Diag *d, const DecodeList *hiprec,
                         const DecodeList *loprec, int bus, AddrSpace sp)
{
    /* Both lists are sorted and free of overlaps (else an error was
     * reported), so the first candidate only moves forward. */
    size_t j0 = 0;
    for (size_t i = 0; i < hiprec->n; i++) {
        const Decoder *a = &hiprec->v[i];
        while (j0 < loprec->n && loprec->v[j0].hi < a->lo)
            j0++;
        for (size_t j = j0; j < loprec->n; j++) {
            const Decoder *b = &loprec->v[j];
            if (b->lo > a->hi)
                break;
            if (b->index < 0)
                continue; /* identity: subtractive, shadowing is its job */
            if (b->hi >= a->lo)
                overlap_finding(t, d, SEV_WARNING, "shadow", a, b, bus, sp);
        }
    }
}

/* Declaration order: by component, then region. */
static int decl_cmp(const void *a, const void *b)
{
    const Decoder *x = a, *y = b;
    if (x->comp != y->comp)
        return x->comp < y->comp ? -1 : 1;
    return x->index - y->index;
}

/* Regions that overlap, as real device trees have them (a crypto block's
 * reg covering its RNG's): the one declared first claims the bytes they
 * share, and the later one keeps the rest, in pieces (a region decoder's
 * to_lo is the region offset at its lo).  Each pair is a warning naming
 * both. */
static void resolve_regions(Topology *t, Diag *d, DecodeList *l, int bus,
                            AddrSpace sp)
{
    Decoder *in = malloc(l->n * sizeof *in);
    if (!in)
        abort();
    memcpy(in, l->v, l->n * sizeof *in);
    qsort(in, l->n, sizeof *in, decl_cmp);
    size_t n_in = l->n;
    l->n = 0;
    for (size_t i = 0; i < n_in; i++) {
        const Decoder *r = &in[i];
        /* the parts of r no earlier region holds */
        uint64_t lo = r->lo;
        bool done = false;
        while (!done) {
            uint64_t hi = r->hi;
            const Decoder *hit = NULL;
            for (size_t j = 0; j < l->n; j++) {
                const Decoder *e = &l->v[j];
                if (e->hi < lo || e->lo > hi)
                    continue;
                if (!hit || e->lo < hit->lo)
                    hit = e;
            }
            if (!hit) {
                Decoder piece = *r;
                piece.lo = lo;
                piece.to_lo = lo - r->lo;
                push(t, l, &piece);
                break;
            }
            if (hit->lo > lo) {
                Decoder piece = *r;
                piece.lo = lo;
                piece.hi = hit->lo - 1;
                piece.to_lo = lo - r->lo;
                push(t, l, &piece);
            }
            char da[96], db[96], a[32], b[32];
            decoder_describe(t, r, da, sizeof da);
            decoder_describe(t, hit, db, sizeof db);
            uint64_t olo = lo > hit->lo ? lo : hit->lo;
            uint64_t ohi = r->hi < hit->hi ? r->hi : hit->hi;
            diag_add(d, SEV_WARNING, "overlap", r->pos, r->path, &hit->pos,
                     hit->path,
                     "%s and %s both decode %s..%s on %s (%s space); %s, "
                     "declared first, claims it",
                     da, db, units_fmt_hex(olo, a, sizeof a),
                     units_fmt_hex(ohi, b, sizeof b), t->buses[bus].name,
                     space_name(sp), db);
            if (hit->hi >= r->hi)
                done = true;
            else
                lo = hit->hi + 1;
        }
    }
    free(in);
    if (l->n > 1)
        qsort(l->v, l->n, sizeof(Decoder), dec_cmp);
}

/* Whether a sorted tier has two entries that overlap. */
static bool overlaps(const DecodeList *l)
{
    uint64_t reach = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (i && l->v[i].lo <= reach)
            return true;
        if (!i || l->v[i].hi > reach)
            reach = l->v[i].hi;
    }
    return false;
}

AddrMap *addrmap_build(Topology *t, Diag *d)
{
    AddrMap *m = arena_alloc(t->arena, sizeof *m);
    m->n_buses = t->n_buses;
    m->lists = arena_calloc(t->arena, t->n_buses ? t->n_buses : 1,
                            sizeof *m->lists);
    for (size_t i = 0; i < t->n_comps; i++) {
        add_regions(t, m, d, (int)i);
        if (t->comps[i].bridge)
            add_bridge(t, m, d, (int)i);
    }
    for (size_t b = 0; b < t->n_buses; b++)
        for (int sp = 0; sp < N_SPACES; sp++) {
            DecodeList *tiers = m->lists[b][sp];
            for (int k = 0; k < N_TIERS; k++) {
                if (tiers[k].n > 1)
                    qsort(tiers[k].v, tiers[k].n, sizeof(Decoder), dec_cmp);
                if (k == TIER_REGION && overlaps(&tiers[k]))
                    resolve_regions(t, d, &tiers[k], (int)b, sp);
                else
                    check_within(t, d, &tiers[k], (int)b, sp, k);
            }
            check_across(t, d, &tiers[TIER_REGION], &tiers[TIER_DOWN],
                         (int)b, sp);
            check_across(t, d, &tiers[TIER_REGION], &tiers[TIER_UP], (int)b,
                         sp);
            check_across(t, d, &tiers[TIER_DOWN], &tiers[TIER_UP], (int)b,
                         sp);
        }
    /* The boot windows were decoded with the fixed ones for the lints;
     * from here they are the boot state of the programmable windows. */
    m->boot = ws_build(t, t->arena);
    for (size_t b = 0; b < t->n_buses; b++)
        for (int sp = 0; sp < N_SPACES; sp++)
            for (int k = 0; k < N_TIERS; k++) {
                DecodeList *l = &m->lists[b][sp][k];
                size_t w = 0;
                for (size_t i = 0; i < l->n; i++) {
                    const Decoder *dec = &l->v[i];
                    if (!dec->programmable) {
                        l->v[w++] = *dec;
                        continue;
                    }
                    bool in = dec->tier == TIER_UP;
                    WinSlot *sl = slot_at(m->boot, dec->comp, in,
                                          (unsigned)dec->index);
                    sl->on = true;
                    sl->w = prog_of(t, dec->comp, in)->boot.v[dec->index];
                    slot_decoder(t, sl);
                }
                l->n = w;
            }
    return m;
}

Topology *topology_load(const char *file, Diag *d)
{
    return topology_load_ov(file, NULL, 0, d);
}

Topology *topology_load_ov(const char *file, const Override *ov, size_t n_ov,
                           Diag *d)
{
    Topology *t = topology_read(file, ov, n_ov, d);
    if (t)
        t->map = addrmap_build(t, d);
    return t;
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
