#include "sim/hw/lint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/hw/addrmap.h"
#include "sim/hw/kinds.h"
#include "sim/core/units.h"

typedef struct Span {
    uint64_t lo, hi; /* offsets into a region, inclusive */
} Span;

typedef struct Cover {
    Span *v;
    size_t n, cap;
} Cover;

/* Region covers, indexed by first[comp] + region; and, when want_comp >=
 * 0, the master address of one wanted byte. */
typedef struct Reach {
    const Topology *t;
    size_t *first;
    Cover *cov;
    size_t n_cov;
    int want_comp, want_region;
    uint64_t want_off, found_addr;
    bool found;
} Reach;

static void cover_add(Cover *c, uint64_t lo, uint64_t hi)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 8;
        c->v = realloc(c->v, c->cap * sizeof *c->v);
        if (!c->v)
            abort();
    }
    c->v[c->n++] = (Span){lo, hi};
}

static int span_cmp(const void *a, const void *b)
{
    const Span *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Bytes covered out of size, and the first offset not covered (== size
 * when all is). */
static uint64_t cover_bytes(Cover *c, uint64_t size, uint64_t *first_gap)
{
    if (c->n > 1)
        qsort(c->v, c->n, sizeof *c->v, span_cmp);
    uint64_t total = 0, next = 0; /* next: first offset not yet counted */
    bool wrapped = false;
    *first_gap = UINT64_MAX;
    for (size_t i = 0; i < c->n; i++) {
        Span s = c->v[i];
        if (wrapped)
            break;
        if (s.lo > next && *first_gap == UINT64_MAX)
            *first_gap = next;
        if (s.hi >= next) {
            uint64_t from = s.lo > next ? s.lo : next;
            total += s.hi - from + 1;
            if (s.hi == UINT64_MAX)
                wrapped = true;
            else
                next = s.hi + 1;
        }
    }
    if (*first_gap == UINT64_MAX)
        *first_gap = total == size ? size : next;
    return total;
}

/* Follows [lo, hi] on `bus` through every decoder, recording what each
 * region gets.  delta is (bus address - master address) mod 2^64. */
static void explore(Reach *rc, int bus, AddrSpace sp, uint64_t lo,
                    uint64_t hi, int exclude, unsigned depth, uint64_t delta)
{
    const Topology *t = rc->t;
    uint64_t last = bits_last(topo_space_bits(t, bus, sp));
    if (lo > last || depth > 2 * TOPO_MAX_DEPTH + 2)
        return;
    if (hi > last)
        hi = last;
    for (uint64_t a = lo;;) {
        uint64_t run;
        const Decoder *d = addrmap_decode(t->map, bus, sp, a, exclude, &run);
        uint64_t seg = run < hi ? run : hi;
        if (d && d->tier == TIER_REGION) {
            /* a region's offset at lo is to_lo (a piece of an
             * overlapped one) */
            uint64_t off = a - d->lo + d->to_lo, end = seg - d->lo + d->to_lo;
            cover_add(&rc->cov[rc->first[d->comp] + (size_t)d->index], off,
                      end);
            if (!rc->found && d->comp == rc->want_comp &&
                d->index == rc->want_region && rc->want_off >= off &&
                rc->want_off <= end) {
                rc->found = true;
                rc->found_addr = a + (rc->want_off - off) - delta;
            }
        } else if (d && d->iommu) {
            /* an IOMMU maps nothing at boot: its aperture aborts */
            seg = d->hi < hi ? d->hi : hi;
        } else if (d) {
            explore(rc, d->to_bus, d->to_space, d->to_lo + (a - d->lo),
                    d->to_lo + (seg - d->lo), d->comp, depth + 1,
                    delta + (d->to_lo - d->lo));
        }
        if (seg == hi)
            break;
        a = seg + 1;
    }
}

static void reach_init(Reach *rc, const Topology *t)
{
    memset(rc, 0, sizeof *rc);
    rc->t = t;
    rc->first = calloc(t->n_comps + 1, sizeof *rc->first);
    size_t n = 0;
    for (size_t i = 0; i < t->n_comps; i++) {
        rc->first[i] = n;
        n += t->comps[i].n_regions;
    }
    rc->first[t->n_comps] = n;
    rc->n_cov = n;
    rc->cov = calloc(n ? n : 1, sizeof *rc->cov);
    rc->want_comp = -1;
}

static void reach_clear(Reach *rc)
{
    for (size_t i = 0; i < rc->n_cov; i++)
        rc->cov[i].n = 0;
}

static void reach_free(Reach *rc)
{
    for (size_t i = 0; i < rc->n_cov; i++)
        free(rc->cov[i].v);
    free(rc->cov);
    free(rc->first);
}

/* Everything master m can touch: its own regions locally, and all its bus
 * routes to within [0, limit]. */
static void reach_master(Reach *rc, int m, bool use_mask)
{
    const Topology *t = rc->t;
    const CompParams *c = &t->comps[m];
    for (size_t r = 0; r < c->n_regions; r++)
        if (c->regions[r].kind != REGION_IO)
            cover_add(&rc->cov[rc->first[m] + r], 0,
                      c->regions[r].size_bytes - 1);
    uint64_t limit = use_mask ? bits_last(c->dma_mask_bits) : UINT64_MAX;
    explore(rc, c->bus_idx, SPACE_MEM, 0, limit, -1, 0, 0);
}

bool lint_master_addr(const Topology *t, int master, int comp, int region,
                      uint64_t off, uint64_t *addr)
{
    const CompParams *m = &t->comps[master];
    if (comp == master && t->comps[comp].regions[region].kind != REGION_IO) {
        *addr = t->comps[comp].regions[region].base + off; /* local */
        return true;
    }
    Reach rc;
    reach_init(&rc, t);
    rc.want_comp = comp;
    rc.want_region = region;
    rc.want_off = off;
    explore(&rc, m->bus_idx, SPACE_MEM, 0, bits_last(m->dma_mask_bits), -1,
            0, 0);
    bool found = rc.found;
    *addr = rc.found_addr;
    reach_free(&rc);
    return found;
}

uint64_t lint_reach_bytes(const Topology *t, int master, int comp,
                          int region, bool use_mask)
{
    Reach rc;
    reach_init(&rc, t);
    reach_master(&rc, master, use_mask);
    uint64_t gap;
    uint64_t n = cover_bytes(&rc.cov[rc.first[comp] + (size_t)region],
                             t->comps[comp].regions[region].size_bytes, &gap);
    reach_free(&rc);
    return n;
}

/* What the masters of one bus see of system RAM, with or without a mask:
 * an exploration from a bus depends only on the bus and the highest
 * address, so the masters that share them share it (a board with
 * thousands of masters on a few buses is checked in near-linear time). */
typedef struct RamView {
    int bus;
    uint64_t limit;
    uint64_t *bytes, *gap; /* per system RAM region, in order */
} RamView;

typedef struct RamViews {
    RamView *v;
    size_t n, cap;
    size_t n_ram;   /* system RAM regions */
    int *ram_comps; /* the system RAM components, in order */
    size_t n_ram_comps;
} RamViews;

/* The index of the view from bus up to limit, explored when first asked
 * for. */
static size_t ram_view(RamViews *vs, Reach *rc, int bus, uint64_t limit)
{
    for (size_t i = 0; i < vs->n; i++)
        if (vs->v[i].bus == bus && vs->v[i].limit == limit)
            return i;
    if (vs->n == vs->cap) {
        vs->cap = vs->cap ? 2 * vs->cap : 8;
        vs->v = realloc(vs->v, vs->cap * sizeof *vs->v);
        if (!vs->v)
            abort();
    }
    RamView *v = &vs->v[vs->n++];
    v->bus = bus;
    v->limit = limit;
    v->bytes = calloc(vs->n_ram + 1, sizeof *v->bytes);
    v->gap = calloc(vs->n_ram + 1, sizeof *v->gap);
    if (!v->bytes || !v->gap)
        abort();
    const Topology *t = rc->t;
    reach_clear(rc);
    explore(rc, bus, SPACE_MEM, 0, limit, -1, 0, 0);
    size_t k = 0;
    for (size_t j = 0; j < t->n_comps; j++)
        if (t->comps[j].kind->is_system_ram)
            for (size_t r = 0; r < t->comps[j].n_regions; r++, k++)
                v->bytes[k] = cover_bytes(&rc->cov[rc->first[j] + r],
                                          t->comps[j].regions[r].size_bytes,
                                          &v->gap[k]);
    return vs->n - 1;
}

/* What the kernel can still do about an unreachable range on bus `bus`,
 * as the end of a warning: " until the kernel programs one of X's inbound
 * windows" (or "maps it in X's IOMMU") for RAM out of a master's reach,
 * " until the kernel programs one of X's outbound windows" for a region
 * out of everyone's, when a bridge above the bus can; else "". */
static const char *programmable_above(const Topology *t, int bus,
                                      bool outbound, char *buf, size_t n)
{
    buf[0] = '\0';
    for (int b = bus; b >= 0;) {
        int br = t->buses[b].parent_bridge;
        if (br < 0)
            break;
        const BridgeParams *bp = t->comps[br].bridge;
        if (outbound ? bp->outbound.programmable : bp->inbound.programmable) {
            snprintf(buf, n, " until the kernel programs one of %s's %s "
                             "windows",
                     t->comps[br].name, outbound ? "outbound" : "inbound");
            break;
        }
        if (!outbound && bp->iommu.present) {
            snprintf(buf, n, " until the kernel maps it in %s's IOMMU",
                     t->comps[br].name);
            break;
        }
        b = t->comps[br].bus_idx;
    }
    return buf;
}

static void master_findings(const Topology *t, Diag *d, RamViews *vs,
                            Reach *rc, int m)
{
    const CompParams *c = &t->comps[m];
    size_t fi = ram_view(vs, rc, c->bus_idx, UINT64_MAX);
    size_t mi = ram_view(vs, rc, c->bus_idx, bits_last(c->dma_mask_bits));
    const RamView *full = &vs->v[fi], *masked = &vs->v[mi];
    size_t k = 0;
    for (size_t i = 0; i < vs->n_ram_comps; i++) {
        const CompParams *ram = &t->comps[vs->ram_comps[i]];
        for (size_t r = 0; r < ram->n_regions; r++, k++) {
            uint64_t size = ram->regions[r].size_bytes;
            uint64_t nfull = full->bytes[k], nmask = masked->bytes[k];
            if (nmask == size)
                continue;
            char got[32], all[32], at[32], hint[200];
            units_fmt_size(nmask, got, sizeof got);
            units_fmt_size(size, all, sizeof all);
            units_fmt_hex(ram->regions[r].base + masked->gap[k], at,
                          sizeof at);
            SrcPos pos = c->mask_path ? c->mask_pos : c->pos;
            const char *path = c->mask_path ? c->mask_path : c->path;
            if (nfull > nmask)
                diag_add(d, SEV_WARNING, "dma-mask", pos, path,
                         &ram->regions[r].pos, ram->regions[r].path,
                         "%s's %u-bit dma_mask reaches %s of the %s of %s "
                         "(first out of reach: %s); buffers there must "
                         "bounce",
                         c->name, c->dma_mask_bits, got, all, ram->name, at);
            else
                diag_add(d, SEV_WARNING, "dma-window", pos, path,
                         &ram->regions[r].pos, ram->regions[r].path,
                         "%s reaches %s of the %s of %s (first out of "
                         "reach: %s): no window leads to the rest%s",
                         c->name, got, all, ram->name, at,
                         programmable_above(t, c->bus_idx, false, hint,
                                            sizeof hint));
        }
    }
}

void lint_reachability(const Topology *t, Diag *d)
{
    Reach scratch, all;
    reach_init(&scratch, t);
    reach_init(&all, t);
    RamViews vs = {0};
    vs.ram_comps = calloc(t->n_comps + 1, sizeof *vs.ram_comps);
    if (!vs.ram_comps)
        abort();
    for (size_t j = 0; j < t->n_comps; j++)
        if (t->comps[j].kind->is_system_ram) {
            vs.n_ram += t->comps[j].n_regions;
            vs.ram_comps[vs.n_ram_comps++] = (int)j;
        }
    /* what some master reaches: each one's own regions, and once per bus
     * and mask what the masters there reach through it */
    typedef struct Seen {
        int bus;
        uint64_t limit;
    } Seen;
    Seen *seen = calloc(t->n_comps + 1, sizeof *seen);
    size_t n_seen = 0;
    if (!seen)
        abort();
    for (size_t m = 0; m < t->n_comps; m++) {
        const CompParams *c = &t->comps[m];
        if (!c->is_master)
            continue;
        for (size_t r = 0; r < c->n_regions; r++)
            if (c->regions[r].kind != REGION_IO)
                cover_add(&all.cov[all.first[m] + r], 0,
                          c->regions[r].size_bytes - 1);
        uint64_t limit = bits_last(c->dma_mask_bits);
        bool again = false;
        for (size_t i = 0; i < n_seen && !again; i++)
            again = seen[i].bus == c->bus_idx && seen[i].limit == limit;
        if (!again) {
            seen[n_seen++] = (Seen){c->bus_idx, limit};
            explore(&all, c->bus_idx, SPACE_MEM, 0, limit, -1, 0, 0);
        }
        master_findings(t, d, &vs, &scratch, (int)m);
    }
    free(seen);
    for (size_t i = 0; i < vs.n; i++) {
        free(vs.v[i].bytes);
        free(vs.v[i].gap);
    }
    free(vs.v);
    free(vs.ram_comps);
    for (size_t j = 0; j < t->n_comps; j++) {
        const CompParams *c = &t->comps[j];
        for (size_t r = 0; r < c->n_regions; r++) {
            if (c->regions[r].kind != REGION_MEMORY)
                continue;
            uint64_t size = c->regions[r].size_bytes, gap;
            uint64_t got = cover_bytes(&all.cov[all.first[j] + r], size, &gap);
            if (got == size)
                continue;
            char g[32], s[32], at[32], hint[160];
            units_fmt_hex(c->regions[r].base + gap, at, sizeof at);
            units_fmt_size(size, s, sizeof s);
            programmable_above(t, c->bus_idx, true, hint, sizeof hint);
            if (got == 0)
                diag_add(d, SEV_WARNING, "unreachable", c->regions[r].pos,
                         c->regions[r].path, NULL, NULL,
                         "no master can reach any of %s region %zu (%s of "
                         "memory at %s on %s)%s",
                         c->name, r, s, at, t->buses[c->bus_idx].name, hint);
            else
                diag_add(d, SEV_WARNING, "unreachable", c->regions[r].pos,
                         c->regions[r].path, NULL, NULL,
                         "no master can reach %s of the %s of %s region "
                         "%zu (first at %s)%s",
                         units_fmt_size(size - got, g, sizeof g), s, c->name,
                         r, at, hint);
        }
    }
    reach_free(&scratch);
    reach_free(&all);
}
