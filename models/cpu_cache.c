/* The CPU's data cache in use (docs/timing.md, "Data cache"): lines in
 * and out over the bus for copies, maintenance by line state, and the
 * driver's own loads and stores outside simulated time. */
#include <assert.h>
#include <string.h>

#include "models/cpu_int.h"
#include "models/regions.h"

DCache *cpu_dcache(Platform *p, int cpu)
{
    const Topology *t = platform_topology(p);
    if (t->kernel.coherent)
        return NULL;
    CpuModel *m = platform_model(p, cpu);
    if (!m->dc) {
        const CpuParams *cp = t->comps[cpu].priv;
        m->dc = dcache_new(cp->dcache_bytes, cp->dcache_ways, cp->line_bytes);
    }
    return m->dc;
}

/* ---- lines in and out of the cache ---------------------------------------- */

static void miss_step(Sim *s, Xact *io, void *opaque);

/* Writes the dirty line's bytes back: a bus write of the whole line. */
static void write_back(CpuOp *op, uint64_t addr, const uint8_t *bytes,
                       XactDoneFn *then)
{
    unsigned l = cpu_params(op)->line_bytes;
    memcpy(op->wb, bytes, l);
    op->writebacks++;
    xact_prepare(&op->io, op->cpu, XACT_WRITE, addr, l, op->wb, then, op);
    op->io.writeback = true;
    platform_issue(op->plat, &op->io);
}

static void fill_line(CpuOp *op)
{
    unsigned l = cpu_params(op)->line_bytes;
    if (!op->miss_fill) { /* dcbz: the line will be overwritten whole */
        dcache_install(cpu_dcache(op->plat, op->cpu), op->victim,
                       op->miss_addr, NULL);
        cpu_line_ready(op);
        return;
    }
    xact_prepare(&op->io, op->cpu, XACT_READ, op->miss_addr, l, op->fill,
                 miss_step, op);
    op->filling = true;
    platform_issue(op->plat, &op->io);
}

static void miss_step(Sim *s, Xact *io, void *opaque)
{
    (void)s;
    CpuOp *op = opaque;
    DCache *dc = cpu_dcache(op->plat, op->cpu);
    if (io->result != ROUTE_OK) {
        dcache_unreserve(op->victim);
        cpu_fail(op, io);
        return;
    }
    if (!op->filling) { /* the victim is written back: fetch the line */
        fill_line(op);
        return;
    }
    op->filling = false;
    if (dcache_find(dc, op->miss_addr)) /* another core brought it in */
        dcache_unreserve(op->victim);
    else
        dcache_install(dc, op->victim, op->miss_addr, op->fill);
    cpu_line_ready(op);
}

void cpu_need_line(CpuOp *op, uint64_t pa, bool fill)
{
    DCache *dc = cpu_dcache(op->plat, op->cpu);
    if (dcache_find(dc, pa)) {
        cpu_line_ready(op);
        return;
    }
    DcLine *v = dcache_victim(dc, pa);
    assert(v); /* cores <= ways: a way of every set is free of misses */
    op->victim = v;
    op->miss_addr = pa - pa % dcache_line(dc);
    op->miss_fill = fill;
    op->filling = false;
    bool dirty = v->valid && v->dirty;
    dcache_drop(dc, v);
    if (dirty) /* its bytes are still in the way, which is reserved */
        write_back(op, v->addr, v->data, miss_step);
    else
        fill_line(op);
}

/* ---- cache maintenance ---------------------------------------------------- */

static void cache_next(CpuOp *op);

static void cache_wb_done(Sim *s, Xact *io, void *opaque)
{
    (void)s;
    CpuOp *op = opaque;
    if (io->result != ROUTE_OK) {
        cpu_fail(op, io);
        return;
    }
    cache_next(op);
}

/* The next line of [dst, dst + len): dcbf writes a dirty line back and
 * drops it, dcbst writes it back and keeps it, dcbi drops it; then
 * cache_line_cycles per line touched. */
static void cache_next(CpuOp *op)
{
    DCache *dc = cpu_dcache(op->plat, op->cpu);
    unsigned l = cpu_params(op)->line_bytes;
    while (op->off < op->len) {
        /* With no line valid, or none dirty for a clean, nothing in the
         * rest of the range changes: no need to look each line up. */
        if (!dcache_valid_lines(dc) ||
            (op->flags == CACHE_CLEAN && !dcache_dirty_lines(dc))) {
            op->off = op->len;
            break;
        }
        uint64_t at = op->dst + op->off, first = at - at % l;
        op->off += l - at % l;
        if (op->off > op->len)
            op->off = op->len;
        DcLine *ln = dcache_find(dc, at);
        if (!ln)
            continue;
        CacheOp what = op->flags;
        if (what == CACHE_INV_SAFE)
            what = first < op->dst || first + l > op->dst + op->len
                       ? CACHE_FLUSH
                       : CACHE_INVALIDATE;
        bool dirty = ln->dirty;
        if (what == CACHE_CLEAN)
            dcache_set_dirty(dc, ln, false);
        else
            dcache_drop(dc, ln); /* its bytes stay until the way is reused */
        if (dirty && what != CACHE_INVALIDATE) {
            write_back(op, ln->addr, ln->data, cache_wb_done);
            return;
        }
    }
    cpu_after_cycles(op, op->cycles);
}

void cpu_cache(Platform *p, int cpu, CacheOp what, uint64_t addr,
               uint64_t len, CpuOp *op, CpuDoneFn *done, void *opaque)
{
    const CpuParams *cp = platform_topology(p)->comps[cpu].priv;
    uint64_t lines = 0;
    if (!platform_topology(p)->kernel.coherent && len) {
        uint64_t l = cp->line_bytes;
        lines = (addr + len - 1) / l - addr / l + 1;
    }
    op->cycles = lines * cp->cache_line_cycles;
    op->flags = what;
    op->dst = addr;
    op->len = cpu_dcache(p, cpu) ? len : 0;
    op->off = 0;
    cpu_begin(p, cpu, op, cache_next, done, opaque);
}

/* ---- the driver's own loads and stores, outside simulated time ------------ */

/* The memory behind [addr, addr + len) for the CPU, through the windows
 * as they are now; NULL unless it is memory of one target region. */
static Store *store_at(Platform *p, int cpu, uint64_t addr, uint64_t len,
                       Route *r)
{
    if (!len || !route_access_ws(platform_topology(p), platform_windows(p),
                                 cpu, addr, len, r))
        return NULL;
    Regions *rg = platform_regions(p, r->target_comp);
    return rg ? regions_store(rg, r->target_region) : NULL;
}

static bool mem_peek(Platform *p, int cpu, uint64_t addr, void *buf,
                          uint64_t len)
{
    Route r;
    Store *st = store_at(p, cpu, addr, len, &r);
    if (st)
        store_read(st, r.offset, buf, len);
    return st != NULL;
}

static bool mem_poke(Platform *p, int cpu, uint64_t addr,
                          const void *buf, uint64_t len, WriteKind kind)
{
    Route r;
    Store *st = store_at(p, cpu, addr, len, &r);
    if (!st)
        return false;
    store_write(st, r.offset, buf, len);
    platform_note_write(p, cpu, addr, len, kind);
    return true;
}

bool cpu_caches(Platform *p, int cpu) { return cpu_dcache(p, cpu) != NULL; }

/* The line of pa, brought in untimed if it is missing (its victim written
 * back to memory at once); NULL if memory does not hold the line. */
static DcLine *line_now(Platform *p, int cpu, DCache *dc, uint64_t pa)
{
    DcLine *ln = dcache_find(dc, pa);
    if (ln)
        return ln;
    unsigned l = dcache_line(dc);
    uint64_t a = pa - pa % l;
    uint8_t buf[256];
    if (!mem_peek(p, cpu, a, buf, l))
        return NULL;
    DcLine *v = dcache_victim(dc, pa);
    if (!v)
        return NULL;
    if (v->valid && v->dirty)
        mem_poke(p, cpu, v->addr, v->data, l, WRITE_BACK);
    dcache_drop(dc, v);
    dcache_install(dc, v, a, buf);
    return v;
}

static bool access_now(Platform *p, int cpu, uint64_t pa, uint8_t *buf,
                       uint64_t len, bool store)
{
    DCache *dc = cpu_dcache(p, cpu);
    if (!dc)
        return store ? mem_poke(p, cpu, pa, buf, len, WRITE_BUS)
                     : mem_peek(p, cpu, pa, buf, len);
    unsigned l = dcache_line(dc);
    for (uint64_t off = 0; off < len;) {
        uint64_t at = pa + off, n = l - at % l;
        if (n > len - off)
            n = len - off;
        DcLine *ln = line_now(p, cpu, dc, at);
        if (!ln)
            return false;
        if (store) {
            memcpy(ln->data + at % l, buf + off, n);
            dcache_set_dirty(dc, ln, true);
            platform_note_write(p, cpu, at, n, WRITE_CACHED);
        } else {
            memcpy(buf + off, ln->data + at % l, n);
        }
        off += n;
    }
    return true;
}

bool cpu_load_now(Platform *p, int cpu, uint64_t pa, void *buf, uint64_t len)
{
    return access_now(p, cpu, pa, buf, len, false);
}

bool cpu_store_now(Platform *p, int cpu, uint64_t pa, const void *buf,
                   uint64_t len)
{
    return access_now(p, cpu, pa, (uint8_t *)buf, len, true);
}

bool cpu_view(Platform *p, int cpu, uint64_t pa, void *buf, uint64_t len)
{
    if (!mem_peek(p, cpu, pa, buf, len))
        return false;
    DCache *dc = cpu_dcache(p, cpu);
    if (!dc || !dcache_valid_lines(dc))
        return true;
    unsigned l = dcache_line(dc);
    for (uint64_t off = 0; off < len;) {
        uint64_t at = pa + off, n = l - at % l;
        if (n > len - off)
            n = len - off;
        const DcLine *ln = dcache_find(dc, at);
        if (ln)
            memcpy((uint8_t *)buf + off, ln->data + at % l, n);
        off += n;
    }
    return true;
}

uint64_t cpu_dirty_bytes(Platform *p, int cpu, uint64_t pa, uint64_t len,
                         uint64_t *first, uint64_t *last)
{
    DCache *dc = cpu_dcache(p, cpu);
    if (!dc || !dcache_dirty_lines(dc))
        return 0;
    unsigned l = dcache_line(dc);
    uint64_t differ = 0;
    for (uint64_t off = 0; off < len;) {
        uint64_t at = pa + off, n = l - at % l;
        if (n > len - off)
            n = len - off;
        const DcLine *ln = dcache_find(dc, at);
        uint8_t mem[256];
        if (ln && ln->dirty && mem_peek(p, cpu, at, mem, n))
            for (uint64_t i = 0; i < n; i++)
                if (mem[i] != ln->data[at % l + i]) {
                    if (!differ++)
                        *first = off + i;
                    *last = off + i;
                }
        off += n;
    }
    return differ;
}
