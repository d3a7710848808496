/* Building the decoders of a topology's buses (sim/hw/addrmap.h), and
 * the lints that building finds: overlaps within a tier, shadows across
 * tiers, windows beyond an address width. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/units.h"
#include "sim/hw/addrmap_int.h"
#include "sim/hw/kinds.h"

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

/* ---- building ---------------------------------------------------------- */

bool addrmap_fits(uint64_t lo, uint64_t size, unsigned bits, uint64_t *hi)
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
        if (!addrmap_fits(rp->base, rp->size_bytes,
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
    if (!addrmap_fits(lo, size, topo_space_bits(t, from, from_sp), &hi)) {
        width_error(t, d, pos, path, "window", lo, size, from, from_sp);
        return;
    }
    if (!addrmap_fits(to_lo, size, topo_space_bits(t, to, to_sp), &to_hi)) {
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
        if (!addrmap_fits(io->ap_base, io->ap_size,
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
    m->boot = addrmap_ws_build(t, t->arena);
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
                    WinSlot *sl = addrmap_slot_at(m->boot, dec->comp, in,
                                          (unsigned)dec->index);
                    sl->on = true;
                    sl->w = addrmap_prog_of(t, dec->comp, in)->boot.v[dec->index];
                    addrmap_slot_decoder(t, sl);
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

