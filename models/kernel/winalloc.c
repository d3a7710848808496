#include "models/kernel/winalloc.h"

#include <stdio.h>
#include <stdlib.h>

#include "sim/core/units.h"

/* The window the rules give for [addr, addr + len) on the known side: the
 * smallest that holds it, aligned by the rules. */
static bool geometry(const ProgWindows *pw, uint64_t addr, uint64_t len,
                     uint64_t *lo, uint64_t *size)
{
    uint64_t last = addr + (len - 1);
    if (pw->granule) {
        uint64_t g = pw->granule;
        *lo = addr - addr % g;
        uint64_t hi = last - last % g + (g - 1);
        *size = hi - *lo + 1;
        if (*size < pw->min_size)
            *size = pw->min_size + (g - pw->min_size % g) % g;
        return *size <= pw->max_size;
    }
    uint64_t s = pw->min_size;
    /* the least power of two at least min_size, then doubled until one
     * aligned block holds the range */
    uint64_t p2 = 1;
    while (p2 < s && p2 < (1ull << 63))
        p2 <<= 1;
    for (s = p2; s && s <= pw->max_size; s <<= 1) {
        uint64_t base = addr & ~(s - 1);
        if (last - base < s) {
            *lo = base;
            *size = s;
            return true;
        }
    }
    return false;
}

/* [lo, lo + size) on bus `bus` meets nothing the kernel knows there: a
 * region of a component on the bus, a fixed window decoded there, or a
 * programmable window that is on (but `skip`, the one being replaced). */
static bool clear_on_bus(const SwView *v, int bus, uint64_t lo, uint64_t size,
                         const SwWindow *skip)
{
    const Topology *t = swview_topology(v);
    uint64_t hi = lo + (size - 1);
#define MEETS(a, n) ((n) && (a) <= hi && lo <= (a) + ((n) - 1))
    for (size_t c = 0; c < t->n_comps; c++) {
        const CompParams *cp = &t->comps[c];
        if (cp->bus_idx == bus)
            for (size_t r = 0; r < cp->n_regions; r++)
                if (cp->regions[r].kind != REGION_IO &&
                    MEETS(cp->regions[r].base, cp->regions[r].size_bytes))
                    return false;
        const BridgeParams *br = cp->bridge;
        if (!br)
            continue;
        int child = topo_find_bus(t, br->child.name);
        /* decoded on its parent bus: ranges, outbound windows; on its
         * child bus: dma_ranges, inbound windows */
        for (int in = 0; in < 2; in++) {
            int on = in ? child : cp->bus_idx;
            if (on != bus)
                continue;
            const WindowList *wl = in ? &br->dma_ranges : &br->ranges;
            for (size_t i = 0; i < wl->n; i++) {
                uint64_t a = in ? wl->v[i].child : wl->v[i].parent;
                if (MEETS(a, wl->v[i].size_bytes))
                    return false;
            }
            const ProgWindows *pw = in ? &br->inbound : &br->outbound;
            for (unsigned i = 0; i < pw->count; i++) {
                const SwWindow *sw = swview_window(v, (int)c, in, i);
                uint64_t a = in ? sw->w.child : sw->w.parent;
                if (sw != skip && sw->on && MEETS(a, sw->w.size_bytes))
                    return false;
            }
        }
    }
#undef MEETS
    return true;
}

bool winalloc_map(const SwView *v, const SwMiss *miss, uint64_t stamp,
                  WinGrant *g, char *why, size_t n)
{
    const Topology *t = swview_topology(v);
    const CompParams *c = &t->comps[miss->bridge];
    const ProgWindows *pw = miss->inbound ? &c->bridge->inbound
                                          : &c->bridge->outbound;
    const char *dir = miss->inbound ? "inbound" : "outbound";
    char a[32];
    /* a window that is off, else the least recently used idle one */
    SwWindow *pick = NULL;
    unsigned slot = 0;
    for (unsigned i = 0; i < pw->count; i++) {
        SwWindow *sw = swview_window(v, miss->bridge, miss->inbound, i);
        if (sw->pinned || sw->users)
            continue;
        if (!sw->on) {
            pick = sw;
            slot = i;
            break;
        }
        if (!pick || sw->last_use < pick->last_use) {
            pick = sw;
            slot = i;
        }
    }
    if (!pick) {
        snprintf(why, n, "every %s window of %s is in use", dir, c->name);
        return false;
    }
    /* the known side, sized and aligned by the rules */
    uint64_t lo, size;
    if (!geometry(pw, miss->addr, miss->len, &lo, &size)) {
        snprintf(why, n, "no %s window %s can have holds %s (+%llu bytes)",
                 dir, c->name, units_fmt_hex(miss->addr, a, sizeof a),
                 (unsigned long long)miss->len);
        return false;
    }
    /* the other side: in the aperture (which lies on it), aligned alike,
     * 1:1 when that is free, else the first free place */
    int child = topo_find_bus(t, c->bridge->child.name);
    int place_bus = miss->at_child ? c->bus_idx : child;
    uint64_t align = pw->granule ? pw->granule : size;
    uint64_t ap_lo = pw->ap_base, ap_end = pw->ap_base + pw->ap_size;
    uint64_t first = (ap_lo + align - 1) / align * align, other = 0;
    bool found = false;
    if (size > pw->ap_size) {
        snprintf(why, n, "%s's %s aperture is smaller than a %s window",
                 c->name, dir, units_fmt_size(size, a, sizeof a));
        return false;
    }
    if (lo >= ap_lo && lo - ap_lo <= pw->ap_size - size &&
        clear_on_bus(v, place_bus, lo, size, pick)) {
        other = lo;
        found = true;
    }
    for (uint64_t b = first; !found && b >= first && b <= ap_end - size;
         b += align)
        if (clear_on_bus(v, place_bus, b, size, pick)) {
            other = b;
            found = true;
        }
    if (!found) {
        snprintf(why, n, "no room in %s's %s aperture for a %s window",
                 c->name, dir, units_fmt_size(size, a, sizeof a));
        return false;
    }
    g->slot = slot;
    g->evicted = pick->on;
    g->w = (WindowParams){.child = miss->at_child ? lo : other,
                          .parent = miss->at_child ? other : lo,
                          .size_bytes = size,
                          .space = SPACE_MEM,
                          .pos = pw->pos,
                          .path = pw->path};
    g->old = *pick;
    pick->on = true;
    pick->w = g->w;
    pick->last_use = stamp;
    return true;
}

bool winalloc_iommu(const SwView *v, const SwMiss *miss, uint64_t stamp,
                    IommuGrant *g, char *why, size_t n)
{
    const Topology *t = swview_topology(v);
    const CompParams *c = &t->comps[miss->bridge];
    const IommuParams *io = &c->bridge->iommu;
    uint64_t ps = io->page_size, pa = miss->addr - miss->addr % ps;
    uint64_t end = miss->addr + (miss->len - 1) - pa; /* last byte, from pa */
    uint64_t need = end / ps + 1;
    if (need > io->pages) {
        snprintf(why, n, "a mapping of %llu pages is larger than %s's IOMMU "
                         "aperture (%llu pages)",
                 (unsigned long long)need, c->name,
                 (unsigned long long)io->pages);
        return false;
    }
    /* the first run of unmapped pages; else the least recently used run
     * of idle ones (its newest page the oldest) */
    uint64_t best = UINT64_MAX, best_use = UINT64_MAX;
    for (int pass = 0; pass < 2 && best == UINT64_MAX; pass++)
        for (uint64_t k = 0; k + need <= io->pages; k++) {
            uint64_t newest = 0, i;
            for (i = 0; i < need; i++) {
                const SwIommuPage *pg =
                    swview_iommu_page(v, miss->bridge, k + i);
                if (pg->on && (pass == 0 || pg->users))
                    break;
                if (pg->on && pg->last_use > newest)
                    newest = pg->last_use;
            }
            if (i < need) {
                k += i; /* no run holds page k + i */
                continue;
            }
            if (pass == 0) {
                best = k;
                break;
            }
            if (newest < best_use) {
                best = k;
                best_use = newest;
            }
        }
    if (best == UINT64_MAX) {
        snprintf(why, n, "every run of %llu pages in %s's IOMMU aperture has "
                         "a page in use",
                 (unsigned long long)need, c->name);
        return false;
    }
    *g = (IommuGrant){best, need, pa, 0, malloc(need * sizeof *g->old)};
    if (!g->old)
        abort();
    for (uint64_t i = 0; i < need; i++) {
        SwIommuPage *pg = swview_iommu_page(v, miss->bridge, best + i);
        g->old[i] = *pg;
        g->evicted += pg->on;
        pg->on = true;
        pg->pa = pa + i * ps;
        pg->last_use = stamp;
    }
    return true;
}
