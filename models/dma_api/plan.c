/* Plans, the scheme registry, and the planner that drives every scheme's
 * ops (docs/schemes.md, "How an operation is planned"). */
#include "models/dma_api/plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/kernel/winalloc.h"
#include "sim/core/units.h"

static const DmaApi *const all_apis[] = {&dma_api_flat, &dma_api_flat_bounce,
                                         &dma_api_struct, &dma_api_linux};
#define N_APIS (sizeof all_apis / sizeof *all_apis)

const DmaApi *dma_api_find(const char *name)
{
    for (size_t i = 0; i < N_APIS; i++)
        if (!strcmp(all_apis[i]->name, name))
            return all_apis[i];
    return NULL;
}

const DmaApi *const *dma_api_all(size_t *n)
{
    *n = N_APIS;
    return all_apis;
}

const char *dma_api_names(void)
{
    return "flat, flat-bounce, struct, linux";
}

/* ---- plans -------------------------------------------------------------- */

void plan_init(Plan *p)
{
    memset(p, 0, sizeof *p);
    p->engine = ENGINE_CPU;
}

void plan_free(Plan *p)
{
    for (size_t i = 0; i < p->n_steps; i++)
        free(p->steps[i].segs);
    for (size_t i = 0; i < p->n_undo; i++)
        free(p->undo[i].old_pages);
    free(p->steps);
    free(p->own);
    free(p->held);
    free(p->undo);
    free(p->tlb);
    plan_init(p);
}

void plan_hold_tlb(Plan *p, Swiotlb *t, uint32_t slot, uint64_t len)
{
    if (p->n_tlb == p->cap_tlb) {
        p->cap_tlb = p->cap_tlb ? 2 * p->cap_tlb : 2;
        p->tlb = realloc(p->tlb, p->cap_tlb * sizeof *p->tlb);
        if (!p->tlb)
            abort();
    }
    p->pool = t;
    p->tlb[p->n_tlb].slot = slot;
    p->tlb[p->n_tlb].len = len;
    p->n_tlb++;
}

static PlanUndo *undo_add(Plan *p)
{
    if (p->n_undo == p->cap_undo) {
        p->cap_undo = p->cap_undo ? 2 * p->cap_undo : 4;
        p->undo = realloc(p->undo, p->cap_undo * sizeof *p->undo);
        if (!p->undo)
            abort();
    }
    PlanUndo *u = &p->undo[p->n_undo++];
    memset(u, 0, sizeof *u);
    return u;
}

void plan_undo_window(Plan *p, int bridge, bool inbound, unsigned slot,
                      const SwWindow *old)
{
    PlanUndo *u = undo_add(p);
    u->bridge = bridge;
    u->inbound = inbound;
    u->slot = slot;
    u->old = *old;
}

void plan_undo_pages(Plan *p, int bridge, uint64_t first, uint64_t n,
                     SwIommuPage *old)
{
    PlanUndo *u = undo_add(p);
    u->bridge = bridge;
    u->iommu = true;
    u->first = first;
    u->n = n;
    u->old_pages = old;
}

void plan_restore(Plan *p, const SwView *sw)
{
    while (p->n_undo) {
        PlanUndo *u = &p->undo[--p->n_undo];
        if (u->iommu)
            for (uint64_t i = 0; i < u->n; i++)
                *swview_iommu_page(sw, u->bridge, u->first + i) =
                    u->old_pages[i];
        else
            *swview_window(sw, u->bridge, u->inbound, u->slot) = u->old;
        free(u->old_pages);
    }
}

void plan_release(Plan *p, const SwView *sw)
{
    for (size_t i = 0; i < p->n_held; i++) {
        const HeldWindow *h = &p->held[i];
        if (h->iommu)
            swview_iommu_page(sw, h->bridge, h->page)->users--;
        else
            swview_window(sw, h->bridge, h->inbound, h->slot)->users--;
    }
    p->n_held = 0;
    for (size_t i = 0; i < p->n_tlb; i++)
        swiotlb_unmap(p->pool, p->tlb[i].slot, p->tlb[i].len);
    p->n_tlb = 0;
}

void plan_give_up(Plan *p, const SwView *sw)
{
    /* the holds first: a record put back may be one the plan held */
    plan_release(p, sw);
    plan_restore(p, sw);
    plan_free(p);
}

static bool hold(Plan *p, HeldWindow h)
{
    for (size_t i = 0; i < p->n_held; i++)
        if (p->held[i].bridge == h.bridge && p->held[i].iommu == h.iommu &&
            (h.iommu ? p->held[i].page == h.page
                     : p->held[i].inbound == h.inbound &&
                           p->held[i].slot == h.slot))
            return false;
    if (p->n_held == p->cap_held) {
        p->cap_held = p->cap_held ? 2 * p->cap_held : 4;
        p->held = realloc(p->held, p->cap_held * sizeof *p->held);
        if (!p->held)
            abort();
    }
    p->held[p->n_held++] = h;
    return true;
}

bool plan_hold(Plan *p, int bridge, bool inbound, unsigned slot)
{
    return hold(p, (HeldWindow){.bridge = bridge, .inbound = inbound,
                                .slot = slot});
}

bool plan_hold_page(Plan *p, int bridge, uint64_t page)
{
    return hold(p, (HeldWindow){.bridge = bridge, .inbound = true,
                                .iommu = true, .page = page});
}

PlanStep *plan_add(Plan *p, StepKind kind)
{
    if (p->n_steps == p->cap_steps) {
        p->cap_steps = p->cap_steps ? 2 * p->cap_steps : 8;
        p->steps = realloc(p->steps, p->cap_steps * sizeof *p->steps);
        if (!p->steps)
            abort();
    }
    PlanStep *s = &p->steps[p->n_steps++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    return s;
}

void plan_own(Plan *p, uint64_t pa, uint64_t len)
{
    if (p->n_own == p->cap_own) {
        p->cap_own = p->cap_own ? 2 * p->cap_own : 4;
        p->own = realloc(p->own, p->cap_own * sizeof *p->own);
        if (!p->own)
            abort();
    }
    p->own[p->n_own++] = (OwnRange){pa, len};
}

void plan_refuse(Plan *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->reason, sizeof p->reason, fmt, ap);
    va_end(ap);
    p->refused = true;
}

void plan_note(Plan *p, const char *fmt, ...)
{
    size_t n = strlen(p->choice);
    if (n + 3 >= sizeof p->choice)
        return;
    if (n) {
        strcpy(p->choice + n, "; ");
        n += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->choice + n, sizeof p->choice - n, fmt, ap);
    va_end(ap);
}

int first_root_engine(const SwView *v)
{
    const Topology *t = swview_topology(v);
    for (size_t i = 0; i < t->n_comps; i++)
        if (swview_master(v, (int)i)->copy_engine &&
            t->buses[t->comps[i].bus_idx].parent_bridge < 0)
            return (int)i;
    return -1;
}

uint64_t master_mask(const SwView *v, int m)
{
    return bits_last(swview_master(v, m)->mask_bits);
}

size_t plan_buses(const ApiCtx *c, int m, uint64_t va, int *buses,
                  size_t max)
{
    uint64_t pa, run;
    SwRes r;
    if (!max || !kmem_walk(c->kmem, va, &pa, &run, NULL) ||
        !swview_phys(c->sw, pa, &r))
        return 0;
    size_t n = swview_path(c->sw, m, r.comp, buses, max);
    if (!n) { /* its own region: the engine moves it at its bus's rate */
        buses[0] = c->t->comps[m].bus_idx;
        n = 1;
    }
    return n;
}

bool plan_map_iommu(const ApiCtx *c, const SwMiss *miss, const char *who,
                    IommuGrant *out, char *why, size_t n)
{
    const Topology *t = c->t;
    IommuGrant g;
    char reason[200];
    if (!winalloc_iommu(c->sw, miss, c->stamp, &g, reason, sizeof reason)) {
        snprintf(why, n, "%s: %s", who, reason);
        return false;
    }
    plan_undo_pages(c->programs, miss->bridge, g.first, g.pages, g.old);
    for (uint64_t i = 0; i < g.pages; i++)
        swview_iommu_page(c->sw, miss->bridge, g.first + i)->pending = true;
    const CompParams *bc = &t->comps[miss->bridge];
    const IommuParams *io = &bc->bridge->iommu;
    uint64_t entry = 4 * (uint64_t)io->writes, regs, run, flush = 0;
    /* the entries: in the bridge's registers, or in the table the kernel
     * keeps in its memory, then the invalidate register */
    bool reached =
        io->table_in_memory
            ? swview_master_addr(c->sw, c->cpu, miss->bridge,
                                 io->regs_region, 0, 4, &flush, &run, reason,
                                 sizeof reason)
            : swview_master_addr(c->sw, c->cpu, miss->bridge,
                                 io->regs_region, g.first * entry,
                                 g.pages * entry, &regs, &run, reason,
                                 sizeof reason) &&
                  run >= g.pages * entry;
    if (!reached) {
        snprintf(why, n, "%s: the CPU cannot reach %s's IOMMU registers: "
                         "%.150s",
                 who, bc->name, reason);
        return false;
    }
    if (io->table_in_memory)
        regs = swview_iommu_table(c->sw, miss->bridge) + g.first * entry;
    PlanStep *ps = plan_add(c->programs, STEP_IOMMU);
    ps->bridge = miss->bridge;
    ps->page = g.first;
    ps->pages = g.pages;
    ps->pa = g.pa;
    ps->regs_pa = regs;
    ps->writes = (unsigned)(g.pages * io->writes);
    ps->flush = io->table_in_memory;
    ps->flush_pa = flush;
    c->programs->iommu_pages_mapped += g.pages;
    c->programs->iommu_evictions += g.evicted;
    c->programs->register_writes += ps->writes + ps->flush;
    char a[32], b[32], sz[32];
    plan_note(c->programs, "%s IOMMU pages %llu-%llu set to %s -> %s (%s)%s",
              bc->name, (unsigned long long)g.first,
              (unsigned long long)(g.first + g.pages - 1),
              units_fmt_hex(io->ap_base + g.first * io->page_size, a,
                            sizeof a),
              units_fmt_hex(g.pa, b, sizeof b),
              units_fmt_size(g.pages * io->page_size, sz, sizeof sz),
              g.evicted ? ", remapping idle pages" : "");
    if (out)
        *out = g;
    return true;
}

/* ---- segment lists ------------------------------------------------------ */

void segs_add(SegList *l, uint64_t addr, uint64_t len)
{
    if (l->n && !l->fixed && l->v[l->n - 1].addr + l->v[l->n - 1].len == addr &&
        !l->split) {
        l->v[l->n - 1].len += len;
        return;
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 8;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (!l->v)
            abort();
    }
    l->v[l->n++] = (Seg){addr, len};
}

void segs_free(SegList *l)
{
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* ---- the shared copy planner -------------------------------------------- */

static bool is_ram(const ApiBuffer *b)
{
    return b->cls != MEM_IOREMAP;
}

/* Cached memory the CPU must flush or invalidate around a DMA on a
 * non-coherent platform. */
static bool cached(const ApiBuffer *b)
{
    return b->cls != MEM_IOREMAP && b->cls != MEM_COHERENT;
}

static void cpu_copy(Plan *p, uint64_t dst, uint64_t src, uint64_t len,
                     const ApiBuffer *d, const ApiBuffer *s)
{
    PlanStep *st = plan_add(p, STEP_CPU_COPY);
    st->dst = dst;
    st->src = src;
    st->len = len;
    st->dst_fixed = d && d->fifo_unit;
    st->src_fixed = s && s->fifo_unit;
    st->unit = st->dst_fixed ? d->fifo_unit : st->src_fixed ? s->fifo_unit : 0;
}

static void whole_cpu_copy(Plan *p, const ApiOp *op)
{
    p->engine = ENGINE_CPU;
    cpu_copy(p, op->dst->va + op->dst_off, op->src->va + op->src_off, op->len,
             op->dst, op->src);
}

/* A kmalloc bounce buffer for one end, reachable by the master. */
static bool bounce(const ApiCtx *c, const DmaApi *api, int master,
                   unsigned slot, uint64_t len, Plan *p, ApiBuffer *b,
                   SegList *segs)
{
    uint64_t va, pa;
    char full[300];
    if (api->bounce_mem) {
        if (!api->bounce_mem(c, p, len, &va, &pa, full, sizeof full)) {
            plan_refuse(p, "%s", full);
            return false;
        }
    } else if (!c->scratch(c->opaque, slot, len, &va, &pa)) {
        plan_refuse(p, "no memory for a %llu-byte bounce buffer",
                    (unsigned long long)len);
        return false;
    }
    plan_own(p, pa, len);
    *b = (ApiBuffer){.va = va, .size = len, .cls = MEM_LINEAR,
                     .dma_safe = true};
    char why[300] = "";
    if (api->map(c, master, b, 0, len, MAP_SINGLE, segs, why,
                 sizeof why) != MAP_OK) {
        plan_refuse(p, "the bounce buffer is out of reach too: %s", why);
        return false;
    }
    return true;
}

/* Cache maintenance of one end of a DMA, in page-sized steps is not
 * needed: the CPU's cost is per line over the virtual range. */
static void cache_step(Plan *p, CacheOp what, uint64_t va, uint64_t len)
{
    PlanStep *st = plan_add(p, STEP_CACHE);
    st->cache = what;
    st->dst = va;
    st->len = len;
}

/* Zips the two ends' segment lists into DMA segments, splitting at every
 * boundary of either. */
static void zip(const SegList *s, const SegList *d, uint64_t len,
                unsigned unit, PlanStep *st)
{
    st->segs = calloc(s->n + d->n + 1, sizeof *st->segs);
    if (!st->segs)
        abort();
    size_t i = 0, j = 0;
    uint64_t si = 0, dj = 0, done = 0;
    while (done < len) {
        uint64_t a = s->v[i].len - si, b = d->v[j].len - dj;
        uint64_t n = a < b ? a : b;
        st->segs[st->n_segs++] = (DmaSeg){
            .src = s->v[i].addr + (s->fixed ? 0 : si),
            .dst = d->v[j].addr + (d->fixed ? 0 : dj),
            .len = n,
            .src_fixed = s->fixed,
            .dst_fixed = d->fixed,
            .fixed_unit = unit,
        };
        done += n;
        si += n;
        dj += n;
        if (si == s->v[i].len && i + 1 < s->n) {
            i++;
            si = 0;
        }
        if (dj == d->v[j].len && j + 1 < d->n) {
            j++;
            dj = 0;
        }
    }
}

/* An end in the master's own memory is not mapped through the DMA API:
 * the driver programs the device's local address for it, under every
 * scheme (a device's master reaches its own regions locally).  Its own
 * memory is what the page tables and the software view place in one of
 * its regions. */
static MapResult map_end(const ApiCtx *c, const DmaApi *api, int m,
                         const ApiBuffer *b, uint64_t off, uint64_t len,
                         MapKind how, SegList *out, char *why, size_t n)
{
    uint64_t pa, run;
    SwRes r;
    bool fixed = b->fifo_unit != 0;
    if (b->cls == MEM_IOREMAP &&
        kmem_walk(c->kmem, b->va + (fixed ? 0 : off), &pa, &run, NULL) &&
        swview_phys(c->sw, pa, &r) && r.comp == m) {
        out->fixed = fixed;
        segs_add(out, c->t->comps[m].regions[r.region].base + r.off, len);
        return MAP_OK;
    }
    return api->map(c, m, b, off, len, how, out, why, n);
}

void dma_api_plan(const DmaApi *api, const ApiCtx *ctx, const ApiOp *op,
                  Plan *p)
{
    /* the ends' mappings may program windows into this plan; dma_move's
     * estimates (api->move) get a context that may not */
    ApiCtx cc = *ctx, *c = &cc;
    cc.programs = p;
    ApiCtx est = *ctx;
    est.programs = NULL;
    est.trial_windows = true;
    const Topology *t = c->t;
    PlanStep *call = plan_add(p, STEP_CALL);
    call->calls = 1;
    int m = op->engine;
    if (m == ENGINE_AUTO)
        m = api->move(&est, op, p);
    if (p->refused)
        return;
    if (m == ENGINE_CPU) {
        if (op->engine == ENGINE_CPU)
            plan_note(p, "the workload asks the CPU to copy");
        whole_cpu_copy(p, op);
        return;
    }
    if (api->cpu_instead && api->cpu_instead(c, m, p)) {
        whole_cpu_copy(p, op);
        p->bounce_bytes += op->len;
        return;
    }
    SegList ss = {0}, ds = {0};
    char why_s[300] = "", why_d[300] = "";
    MapResult rs = map_end(c, api, m, op->src, op->src_off, op->len, op->map,
                           &ss, why_s, sizeof why_s);
    cc.from_device = true;
    MapResult rd = map_end(c, api, m, op->dst, op->dst_off, op->len, op->map,
                           &ds, why_d, sizeof why_d);
    cc.from_device = false;
    if (rs == MAP_REFUSE || rd == MAP_REFUSE) {
        plan_refuse(p, "%s", rs == MAP_REFUSE ? why_s : why_d);
        goto out;
    }
    if ((rs == MAP_BOUNCE && (rd == MAP_BOUNCE || !is_ram(op->src))) ||
        (rd == MAP_BOUNCE && !is_ram(op->dst))) {
        /* Bouncing device memory, or both ends: the DMA would only move
         * bytes between bounce buffers, so the CPU copies end to end. */
        plan_note(p, "%s: the CPU copies it instead of %s",
             rs == MAP_BOUNCE ? why_s : why_d, t->comps[m].name);
        whole_cpu_copy(p, op);
        p->bounce_bytes += op->len;
        goto out;
    }
    p->engine = m;
    ApiBuffer bs, bd;
    const ApiBuffer *src = op->src, *dst = op->dst;
    uint64_t src_va = op->src->va + op->src_off,
             dst_va = op->dst->va + op->dst_off;
    if (rs == MAP_BOUNCE) {
        segs_free(&ss);
        if (!bounce(c, api, m, 0, op->len, p, &bs, &ss))
            goto out;
        plan_note(p, "%s: bounced through %s", why_s,
                  api->bounce_mem ? "swiotlb" : "kmalloc memory");
        cpu_copy(p, bs.va, src_va, op->len, NULL, op->src);
        p->bounce_bytes += op->len;
        src = &bs;
        src_va = bs.va;
    }
    if (rd == MAP_BOUNCE) {
        segs_free(&ds);
        if (!bounce(c, api, m, 1, op->len, p, &bd, &ds))
            goto out;
        plan_note(p, "%s: bounced through %s", why_d,
                  api->bounce_mem ? "swiotlb" : "kmalloc memory");
        if (api->bounce_fills_dst) {
            cpu_copy(p, bd.va, dst_va, op->len, NULL, op->dst);
            p->bounce_bytes += op->len;
        }
        dst = &bd;
        dst_va = bd.va;
    }
    /* dma_map: the device must read what the CPU wrote, and no dirty
     * line may land on what it writes */
    CacheOp for_device = api->sync_for_cpu ? CACHE_INV_SAFE : CACHE_INVALIDATE;
    if (!t->kernel.coherent) {
        if (cached(src))
            cache_step(p, CACHE_CLEAN, src_va, op->len);
        if (cached(dst))
            cache_step(p, for_device, dst_va, op->len);
    }
    PlanStep *dma = plan_add(p, STEP_DMA);
    dma->master = m;
    dma->src_va = src_va;
    dma->dst_va = dst_va;
    zip(&ss, &ds, op->len, op->src->fifo_unit ? op->src->fifo_unit
                                              : op->dst->fifo_unit,
        dma);
    if (dma->n_segs > 1 || op->map == MAP_SG) {
        /* A descriptor chain in memory, which the engine fetches. */
        uint64_t dlen = dma->n_segs * swview_master(c->sw, m)->desc_bytes;
        uint64_t va, pa;
        SegList dl = {0};
        ApiBuffer db;
        if (!c->scratch(c->opaque, 2, dlen, &va, &pa)) {
            plan_refuse(p, "no memory for %zu descriptors", dma->n_segs);
            goto out;
        }
        plan_own(p, pa, dlen);
        db = (ApiBuffer){.va = va, .size = dlen, .cls = MEM_LINEAR,
                         .dma_safe = true};
        char why[300] = "";
        if (api->map(c, m, &db, 0, dlen, MAP_SINGLE, &dl, why, sizeof why) !=
            MAP_OK) {
            plan_refuse(p, "the descriptors are out of reach: %s", why);
            segs_free(&dl);
            goto out;
        }
        dma->desc_addr = dl.v[0].addr;
        segs_free(&dl);
        /* The CPU wrote the chain; on a non-coherent platform it flushes
         * it before starting the engine. */
        if (!t->kernel.coherent) {
            PlanStep *st = &p->steps[p->n_steps - 1];
            PlanStep d = *st;
            *st = (PlanStep){.kind = STEP_CACHE, .cache = CACHE_FLUSH,
                             .dst = va, .len = dlen};
            *plan_add(p, STEP_DMA) = d;
        }
    }
    /* dma_unmap: the CPU must not read lines it held across the DMA */
    if (!t->kernel.coherent && api->sync_for_cpu && cached(dst))
        cache_step(p, for_device, dst_va, op->len);
    if (rd == MAP_BOUNCE) {
        cpu_copy(p, op->dst->va + op->dst_off, bd.va, op->len, op->dst, NULL);
        p->bounce_bytes += op->len;
    }
    call = plan_add(p, STEP_CALL); /* unmap, completion */
    call->calls = 1;
out:
    segs_free(&ss);
    segs_free(&ds);
}
