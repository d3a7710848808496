#include "models/kernel/swview.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/cpu_types.h"
#include "models/dma_types.h"
#include "sim/core/units.h"
#include "sim/hw/kinds.h"

struct SwView {
    const Topology *t;
    int cpu;
    SwMaster *masters;  /* per component */
    SwRes *res;         /* every region the CPU has an address for, by pa */
    size_t n_res;
    SwRes *ram;         /* the system RAM among them, whole regions */
    size_t n_ram;
    SwWindow *win;      /* the programmable windows, by bridge: */
    size_t *win_first;  /* bridge c's outbound from win[win_first[c]], then
                           its inbound */
    SwMiss *miss;       /* the last failed translation's, if at a
                           programmable bridge */
    SwUsed *used;       /* the programmable windows the last one used */
    SwIommuPage **iommu; /* per component: its IOMMU's pages, or NULL */
    uint64_t *iommu_table; /* per component: its table in memory */
    bool assigning;     /* at boot, giving regions their CPU addresses */
};

/* ---- the bus tree --------------------------------------------------------- */

static int parent_bus(const Topology *t, int bus)
{
    int br = t->buses[bus].parent_bridge;
    return br < 0 ? -1 : t->comps[br].bus_idx;
}

/* The lowest bus both a and b sit under (either may be it), or -1 when
 * they are in separate trees. */
static int shared_bus(const Topology *t, int a, int b)
{
    while (t->buses[a].depth > t->buses[b].depth)
        a = parent_bus(t, a);
    while (t->buses[b].depth > t->buses[a].depth)
        b = parent_bus(t, b);
    while (a != b && a >= 0 && b >= 0) {
        a = parent_bus(t, a);
        b = parent_bus(t, b);
    }
    return a == b ? a : -1;
}

/* ---- crossing one bridge by its windows ----------------------------------- */

typedef enum { UP, DOWN } Dir; /* child to parent, parent to child */

/* An address on its way: [addr, addr + run) in space sp. */
typedef struct Walk {
    uint64_t addr, run;
    AddrSpace sp;
} Walk;

static void note_used(const SwView *v, int bridge, bool inbound,
                      unsigned slot, bool iommu, uint64_t page,
                      uint64_t pages)
{
    if (v->used->n == SW_MAX_USED)
        return;
    size_t k = v->used->n++;
    v->used->v[k].bridge = bridge;
    v->used->v[k].inbound = inbound;
    v->used->v[k].slot = slot;
    v->used->v[k].iommu = iommu;
    v->used->v[k].page = page;
    v->used->v[k].pages = pages;
}

/* w through bridge bc's IOMMU from page `page`, whose mapping holds it at
 * `off`: up (aperture to RAM) or down (RAM to aperture), as far as the
 * following pages map the following memory. */
static void iommu_carry(const SwView *v, int bc, uint64_t page, uint64_t off,
                        Dir dir, Walk *w)
{
    const IommuParams *io = &v->t->comps[bc].bridge->iommu;
    const SwIommuPage *pg = v->iommu[bc];
    uint64_t ps = io->page_size, k = page + 1, held = ps - off;
    while (held < w->run && k < io->pages && pg[k].on &&
           pg[k].pa == pg[page].pa + (k - page) * ps) {
        held += ps;
        k++;
    }
    if (w->run > held)
        w->run = held;
    w->addr = dir == UP ? pg[page].pa + off : io->ap_base + page * ps + off;
    w->sp = SPACE_MEM;
    note_used(v, bc, true, 0, true, page, k - page);
}

/* The first page of bridge bc's IOMMU that maps the page holding addr. */
static bool iommu_find(const SwView *v, int bc, uint64_t addr, uint64_t *page)
{
    const IommuParams *io = &v->t->comps[bc].bridge->iommu;
    uint64_t base = addr - addr % io->page_size;
    for (uint64_t k = 0; k < io->pages; k++)
        if (v->iommu[bc][k].on && v->iommu[bc][k].pa == base) {
            *page = k;
            return true;
        }
    return false;
}

/* Carries w across the bridge above bus `child` in direction dir by its
 * `ranges` (dma false) or `dma_ranges` (dma true): the first window
 * holding w->addr on the near side maps it to the far side, and w->run
 * shrinks to what the window still holds.  `identity` maps everything
 * both buses can address 1:1; an absent list maps nothing. */
static bool cross(const SwView *v, int child, bool dma, Dir dir, Walk *w,
                  char *why, size_t n)
{
    const Topology *t = v->t;
    const CompParams *c = &t->comps[t->buses[child].parent_bridge];
    const WindowList *wl = dma ? &c->bridge->dma_ranges : &c->bridge->ranges;
    int parent = c->bus_idx;
    int near = dir == UP ? child : parent, far = dir == UP ? parent : child;
    bool p_io = t->buses[parent].kind->has_io_space;
    char a[32];
    /* the fixed windows, then the programmable ones the kernel has on */
    const ProgWindows *pw = dma ? &c->bridge->inbound : &c->bridge->outbound;
    int bc = t->buses[child].parent_bridge;
    for (size_t i = 0; i < wl->n + pw->count; i++) {
        const SwWindow *sw =
            i < wl->n ? NULL : swview_window(v, bc, dma, (unsigned)(i - wl->n));
        if (sw && !sw->on)
            continue;
        const WindowParams *win = sw ? &sw->w : &wl->v[i];
        /* A `ranges` window's space is the child side's; the parent sees
         * an I/O window in memory space unless it has I/O space itself. */
        AddrSpace csp = dma ? SPACE_MEM : win->space;
        AddrSpace psp = dma || !p_io ? SPACE_MEM : win->space;
        uint64_t from = dir == UP ? win->child : win->parent;
        uint64_t to = dir == UP ? win->parent : win->child;
        if ((dir == UP ? csp : psp) != w->sp || w->addr < from ||
            w->addr - from >= win->size_bytes)
            continue;
        uint64_t left = win->size_bytes - (w->addr - from);
        if (w->run > left)
            w->run = left;
        w->addr = to + (w->addr - from);
        w->sp = dir == UP ? psp : csp;
        if (sw)
            note_used(v, bc, dma, (unsigned)(i - wl->n), false, 0, 0);
        return true;
    }
    /* an IOMMU's aperture: a device's address there leads where its page
     * maps, or nowhere */
    const IommuParams *io = &c->bridge->iommu;
    bool in_ap = dma && io->present && w->sp == SPACE_MEM &&
                 w->addr >= io->ap_base && w->addr - io->ap_base < io->ap_size;
    if (in_ap && dir == UP) {
        uint64_t page = (w->addr - io->ap_base) / io->page_size;
        if (!v->iommu[bc][page].on) {
            snprintf(why, n, "%s's IOMMU maps nothing at %s %s", c->name,
                     t->buses[near].name,
                     units_fmt_hex(w->addr, a, sizeof a));
            return false;
        }
        iommu_carry(v, bc, page,
                    (w->addr - io->ap_base) % io->page_size, UP, w);
        return true;
    }
    if (wl->identity) {
        /* subtractive: what no window above claimed, 1:1 up to the next
         * programmable window */
        bool io_ok = t->buses[near].kind->has_io_space &&
                     t->buses[far].kind->has_io_space;
        uint64_t last = bits_last(topo_space_bits(t, far, w->sp));
        if ((w->sp == SPACE_IO && (dma || !io_ok)) || w->addr > last) {
            snprintf(why, n, "the identity %s of %s do not hold %s %s %s",
                     dma ? "dma_ranges" : "ranges", c->name,
                     t->buses[near].name, space_name(w->sp),
                     units_fmt_hex(w->addr, a, sizeof a));
            return false;
        }
        if (w->run - 1 > last - w->addr)
            w->run = last - w->addr + 1;
        for (unsigned i = 0; i < pw->count; i++) {
            const SwWindow *sw = swview_window(v, bc, dma, i);
            uint64_t from = dir == UP ? sw->w.child : sw->w.parent;
            if (sw->on && from > w->addr && from - w->addr < w->run)
                w->run = from - w->addr;
        }
        if (dma && dir == UP && io->present && io->ap_base > w->addr &&
            io->ap_base - w->addr < w->run)
            w->run = io->ap_base - w->addr;
        return true;
    }
    /* At boot, a device's region that no outbound window holds yet gets
     * the address a window placed 1:1 in the aperture would give it (the
     * way PCI resources are assigned inside a host bridge's aperture):
     * the CPU reaches it there once a window is programmed over it. */
    if (v->assigning && !dma && dir == UP && pw->programmable &&
        w->sp == SPACE_MEM && w->addr >= pw->ap_base &&
        w->addr - pw->ap_base < pw->ap_size) {
        uint64_t left = pw->ap_size - (w->addr - pw->ap_base);
        if (w->run > left)
            w->run = left;
        return true;
    }
    /* RAM no window holds: a page of the IOMMU that maps it */
    uint64_t page;
    if (dma && dir == DOWN && io->present && w->sp == SPACE_MEM &&
        iommu_find(v, bc, w->addr, &page)) {
        iommu_carry(v, bc, page, w->addr % io->page_size, DOWN, w);
        return true;
    }
    bool by_iommu = dma && dir == DOWN && io->present && w->sp == SPACE_MEM;
    if (pw->programmable || by_iommu)
        *v->miss = (SwMiss){true,    bc,      dma,           dir == UP,
                            w->addr, w->run, pw->programmable, by_iommu};
    snprintf(why, n, "no %s%s window of %s%s holds %s %s %s",
             dma ? "dma_ranges" : "ranges",
             !pw->present ? "" : dma ? " or inbound" : " or outbound", c->name,
             by_iommu ? " and no page of its IOMMU" : "",
             t->buses[near].name, space_name(w->sp),
             units_fmt_hex(w->addr, a, sizeof a));
    return false;
}

/* Carries w from bus `from` up to its ancestor `top`, by `ranges` (the
 * way of a target's address) or `dma_ranges` (a master's). */
static bool lift(const SwView *v, int from, int top, bool dma, Walk *w,
                 char *why, size_t n)
{
    const Topology *t = v->t;
    for (int b = from; b != top; b = parent_bus(t, b))
        if (!cross(v, b, dma, UP, w, why, n))
            return false;
    return true;
}

/* Carries w from bus `top` down to its descendant `to` by the inverse of
 * `dma_ranges`: how a master on `to` addresses what sits at w on top. */
static bool lower(const SwView *v, int top, int to, Walk *w, char *why,
                  size_t n)
{
    const Topology *t = v->t;
    int down[TOPO_MAX_DEPTH + 1];
    size_t k = 0;
    for (int b = to; b != top; b = parent_bus(t, b))
        down[k++] = b;
    while (k--)
        if (!cross(v, down[k], true, DOWN, w, why, n))
            return false;
    return true;
}

bool swview_master_addr(const SwView *v, int m, int comp, int region,
                        uint64_t off, uint64_t len, uint64_t *addr,
                        uint64_t *run, char *why, size_t n)
{
    const Topology *t = v->t;
    v->miss->set = false;
    v->used->n = 0;
    const RegionParams *rp = &t->comps[comp].regions[region];
    Walk w = {rp->base + off, rp->size_bytes - off,
              rp->kind == REGION_IO ? SPACE_IO : SPACE_MEM};
    if (w.run > len)
        w.run = len;
    if (comp != m || w.sp != SPACE_MEM) {
        int mb = t->comps[m].bus_idx, tb = t->comps[comp].bus_idx;
        int top = shared_bus(t, mb, tb);
        if (top < 0) {
            snprintf(why, n, "%s and %s are on separate bus trees",
                     t->comps[m].name, t->comps[comp].name);
            return false;
        }
        if (!lift(v, tb, top, false, &w, why, n))
            return false;
        /* A master drives memory space; only a path through a host
         * bridge maps I/O space into it. */
        if (w.sp != SPACE_MEM) {
            snprintf(why, n, "%s region %d is in I/O space, which %s does "
                             "not address",
                     t->comps[comp].name, region, t->comps[m].name);
            return false;
        }
        if (!lower(v, top, mb, &w, why, n))
            return false;
    }
    *addr = w.addr;
    *run = w.run;
    return true;
}

bool swview_dma_to_phys(const SwView *v, int m, uint64_t addr, uint64_t len,
                        uint64_t *pa, uint64_t *run, char *why, size_t n)
{
    const Topology *t = v->t;
    v->miss->set = false;
    v->used->n = 0;
    int mb = t->comps[m].bus_idx, cb = t->comps[v->cpu].bus_idx;
    int top = shared_bus(t, mb, cb);
    Walk w = {addr, len, SPACE_MEM};
    if (top < 0) {
        snprintf(why, n, "%s and %s are on separate bus trees",
                 t->comps[m].name, t->comps[v->cpu].name);
        return false;
    }
    if (!lift(v, mb, top, true, &w, why, n) ||
        !lower(v, top, cb, &w, why, n))
        return false;
    *pa = w.addr;
    *run = w.run;
    return true;
}

size_t swview_path(const SwView *v, int m, int comp, int *buses, size_t max)
{
    const Topology *t = v->t;
    if (m == comp)
        return 0;
    int mb = t->comps[m].bus_idx, tb = t->comps[comp].bus_idx;
    int top = shared_bus(t, mb, tb);
    if (top < 0)
        return 0;
    size_t k = 0;
    for (int b = mb; b != top; b = parent_bus(t, b), k++)
        if (k < max)
            buses[k] = b;
    if (k < max)
        buses[k] = top;
    k++;
    size_t down = t->buses[tb].depth - t->buses[top].depth, i = 0;
    for (int b = tb; b != top; b = parent_bus(t, b), i++)
        if (k + down - 1 - i < max)
            buses[k + down - 1 - i] = b;
    return k + down;
}

/* ---- boot ----------------------------------------------------------------- */

static void add_res(SwRes **v, size_t *n, SwRes r)
{
    if (!(*n & (*n - 1))) { /* grows at powers of 2 */
        *v = realloc(*v, (*n ? 2 * *n : 1) * sizeof **v);
        if (!*v)
            abort();
    }
    (*v)[(*n)++] = r;
}

/* By address; equal addresses keep the file's order (comp, region). */
static int res_cmp(const void *a, const void *b)
{
    const SwRes *x = a, *y = b;
    if (x->pa != y->pa)
        return x->pa < y->pa ? -1 : 1;
    if (x->comp != y->comp)
        return x->comp < y->comp ? -1 : 1;
    if (x->region != y->region)
        return x->region < y->region ? -1 : 1;
    return x->off < y->off ? -1 : x->off > y->off;
}

static void find_master(SwView *v, int i)
{
    const Topology *t = v->t;
    const CompParams *c = &t->comps[i];
    SwMaster *sm = &v->masters[i];
    sm->is_master = c->is_master;
    sm->mask_bits = c->dma_mask_bits;
    if (c->kind->is_cpu) {
        const CpuParams *cp = c->priv;
        sm->is_cpu = true;
        sm->chunk_bytes = cp->line_bytes;
        sm->work_ps = cp->copy_line_cycles * 1e12 /
                      (double)t->clocks[c->clock_idx].clock.hz;
    } else if (c->kind->engine_params && c->kind->engine_params(c)) {
        const DmaParams *dp = c->kind->engine_params(c);
        sm->engine = true;
        sm->copy_engine = dp->memcpy;
        sm->chunk_bytes =
            (unsigned)dma_burst_bytes(dp, t->buses[c->bus_idx].width_bits);
        sm->desc_bytes = dp->desc_bytes;
    }
}

/* The CPU's addresses for every region, in pieces where windows split
 * one; a region the CPU has no address for is left out from there on. */
static void find_resources(SwView *v)
{
    const Topology *t = v->t;
    char why[200];
    v->assigning = true;
    for (size_t c = 0; c < t->n_comps; c++)
        for (size_t r = 0; r < t->comps[c].n_regions; r++) {
            const RegionParams *rp = &t->comps[c].regions[r];
            uint64_t off = 0, pa, run;
            while (off < rp->size_bytes &&
                   swview_master_addr(v, v->cpu, (int)c, (int)r, off,
                                      rp->size_bytes - off, &pa, &run, why,
                                      sizeof why)) {
                add_res(&v->res, &v->n_res,
                        (SwRes){pa, run, (int)c, (int)r, off});
                if (!off && run == rp->size_bytes &&
                    t->comps[c].kind->is_system_ram &&
                    rp->kind == REGION_MEMORY)
                    add_res(&v->ram, &v->n_ram,
                            (SwRes){pa, run, (int)c, (int)r, 0});
                off += run;
            }
        }
    v->assigning = false;
    if (v->n_res > 1)
        qsort(v->res, v->n_res, sizeof *v->res, res_cmp);
    if (v->n_ram > 1)
        qsort(v->ram, v->n_ram, sizeof *v->ram, res_cmp);
}

SwView *swview_new(const Topology *t, int cpu)
{
    SwView *v = calloc(1, sizeof *v);
    if (!v)
        abort();
    v->t = t;
    v->cpu = cpu;
    v->masters = calloc(t->n_comps ? t->n_comps : 1, sizeof *v->masters);
    if (!v->masters)
        abort();
    for (size_t i = 0; i < t->n_comps; i++)
        find_master(v, (int)i);
    /* the programmable windows as boot firmware left them: pinned */
    v->win_first = calloc(t->n_comps + 1, sizeof *v->win_first);
    size_t nw = 0;
    for (size_t c = 0; c < t->n_comps; c++) {
        v->win_first[c] = nw;
        if (t->comps[c].bridge)
            nw += t->comps[c].bridge->outbound.count +
                  t->comps[c].bridge->inbound.count;
    }
    v->win = calloc(nw ? nw : 1, sizeof *v->win);
    v->miss = calloc(1, sizeof *v->miss);
    v->used = calloc(1, sizeof *v->used);
    v->iommu = calloc(t->n_comps ? t->n_comps : 1, sizeof *v->iommu);
    v->iommu_table = calloc(t->n_comps ? t->n_comps : 1,
                            sizeof *v->iommu_table);
    if (!v->win_first || !v->win || !v->miss || !v->used || !v->iommu ||
        !v->iommu_table)
        abort();
    for (size_t c = 0; c < t->n_comps; c++)
        if (t->comps[c].bridge && t->comps[c].bridge->iommu.present) {
            v->iommu[c] = calloc(t->comps[c].bridge->iommu.pages,
                                 sizeof *v->iommu[c]);
            if (!v->iommu[c])
                abort();
        }
    for (size_t c = 0; c < t->n_comps; c++)
        for (int in = 0; t->comps[c].bridge && in < 2; in++) {
            const ProgWindows *pw = in ? &t->comps[c].bridge->inbound
                                       : &t->comps[c].bridge->outbound;
            for (size_t i = 0; i < pw->boot.n && i < pw->count; i++) {
                SwWindow *sw = swview_window(v, (int)c, in, (unsigned)i);
                sw->on = sw->pinned = true;
                sw->w = pw->boot.v[i];
            }
        }
    find_resources(v); /* through the windows: after them */
    return v;
}

const SwMiss *swview_last_miss(const SwView *v) { return v->miss; }
const SwUsed *swview_last_used(const SwView *v) { return v->used; }

SwWindow *swview_window(const SwView *v, int comp, bool inbound,
                        unsigned slot)
{
    const BridgeParams *br = v->t->comps[comp].bridge;
    return &v->win[v->win_first[comp] + (inbound ? br->outbound.count : 0) +
                   slot];
}

void swview_free(SwView *v)
{
    if (!v)
        return;
    free(v->masters);
    free(v->res);
    free(v->ram);
    free(v->win);
    free(v->win_first);
    free(v->miss);
    free(v->used);
    for (size_t c = 0; c < v->t->n_comps; c++)
        free(v->iommu[c]);
    free(v->iommu);
    free(v->iommu_table);
    free(v);
}

void swview_set_iommu_table(SwView *v, int comp, uint64_t pa)
{
    v->iommu_table[comp] = pa;
}

uint64_t swview_iommu_table(const SwView *v, int comp)
{
    return v->iommu_table[comp];
}

SwIommuPage *swview_iommu_page(const SwView *v, int comp, uint64_t page)
{
    return &v->iommu[comp][page];
}

const Topology *swview_topology(const SwView *v) { return v->t; }
int swview_cpu(const SwView *v) { return v->cpu; }

const SwMaster *swview_master(const SwView *v, int comp)
{
    return &v->masters[comp];
}

bool swview_phys(const SwView *v, uint64_t pa, SwRes *res)
{
    for (size_t i = 0; i < v->n_res; i++) {
        const SwRes *e = &v->res[i];
        if (e->pa > pa)
            break;
        if (pa - e->pa < e->len) {
            *res = (SwRes){pa, e->len - (pa - e->pa), e->comp, e->region,
                           e->off + (pa - e->pa)};
            return true;
        }
    }
    return false;
}

bool swview_resource(const SwView *v, int comp, int region, uint64_t off,
                     uint64_t *pa, uint64_t *run)
{
    for (size_t i = 0; i < v->n_res; i++) {
        const SwRes *e = &v->res[i];
        if (e->comp == comp && e->region == region && off >= e->off &&
            off - e->off < e->len) {
            *pa = e->pa + (off - e->off);
            *run = e->len - (off - e->off);
            return true;
        }
    }
    return false;
}

const SwRes *swview_ram(const SwView *v, size_t *n)
{
    *n = v->n_ram;
    return v->ram;
}
