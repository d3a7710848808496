#include "models/cpu.h"

#include "models/dcache.h"
#include "models/regions.h"

#include <assert.h>
#include <string.h>
#include <stddef.h>
#include <stdlib.h>

static const Field cpu_fields[] = {
    {"line_size", ld_f_count, offsetof(CpuParams, line_bytes), false},
    {"call_cycles", ld_f_cycles, offsetof(CpuParams, call_cycles), false},
    {"cache_line_cycles", ld_f_cycles, offsetof(CpuParams, cache_line_cycles),
     false},
    {"copy_line_cycles", ld_f_cycles, offsetof(CpuParams, copy_line_cycles),
     false},
    {"cores", ld_f_count, offsetof(CpuParams, cores), false},
    {"dcache_size", ld_f_size, offsetof(CpuParams, dcache_bytes), false},
    {"dcache_ways", ld_f_count, offsetof(CpuParams, dcache_ways), false},
    FIELD_END,
};

/* PPC440: 32-byte data cache lines (d-cache-line-size in ebony.dts), a
 * 32 KiB data cache of 64 ways (PPC440x5 User's Manual, §4).  The
 * software and per-line costs are assumptions of this model: a DMA API
 * call of a few hundred instructions (300 cycles), a cache block
 * operation of 4 cycles per line, and 8 cycles of loads, stores and loop
 * per line copied besides the bus traffic. */
static const CpuParams cpu_defaults = {
    .line_bytes = 32, .call_cycles = 300, .cache_line_cycles = 4,
    .copy_line_cycles = 8, .cores = 1, .dcache_bytes = 32768,
    .dcache_ways = 64,
};

static bool cpu_finish(Loader *ld, yaml_node_t *map, CompParams *c)
{
    const CpuParams *p = c->priv;
    if (p->line_bytes > 256 || (p->line_bytes & (p->line_bytes - 1)))
        return ld_fail(ld, map, "line_size must be a power of two up to "
                                "256, not %u",
                       p->line_bytes);
    if (p->dcache_ways & (p->dcache_ways - 1))
        return ld_fail(ld, map, "dcache_ways must be a power of two, not %u",
                       p->dcache_ways);
    if ((p->dcache_bytes & (p->dcache_bytes - 1)) ||
        p->dcache_bytes < (uint64_t)p->line_bytes * p->dcache_ways ||
        p->dcache_bytes > (64u << 20))
        return ld_fail(ld, map, "dcache_size must be a power of two from "
                                "line_size x dcache_ways (%u bytes) to 64 "
                                "MiB",
                       p->line_bytes * p->dcache_ways);
    if (p->dcache_bytes / p->line_bytes > (1u << 20))
        return ld_fail(ld, map, "dcache_size holds at most 1048576 lines of "
                                "line_size, not %llu",
                       (unsigned long long)(p->dcache_bytes / p->line_bytes));
    if (p->cores > p->dcache_ways)
        return ld_fail(ld, map, "cores (%u) may not exceed dcache_ways (%u): "
                                "each core's miss holds a way of a set",
                       p->cores, p->dcache_ways);
    c->is_master = true; /* drives every address of its bus */
    return true;
}

/* The cores: which are busy, and the operations waiting for one. */
typedef struct CpuModel {
    unsigned n, free;
    bool *busy;
    CpuOp *head, *tail;
    DCache *dc; /* its data cache, made at first use where it holds data */
} CpuModel;

static void *cpu_new(const CompParams *c)
{
    CpuModel *m = calloc(1, sizeof *m);
    if (!m)
        abort();
    m->n = m->free = ((const CpuParams *)c->priv)->cores;
    m->busy = calloc(m->n, sizeof *m->busy);
    if (!m->busy)
        abort();
    return m;
}

static void cpu_free(void *m)
{
    dcache_free(((CpuModel *)m)->dc);
    free(((CpuModel *)m)->busy);
    free(m);
}

const ModelKind cpu_kind = {
    .name = "cpu",
    .summary = "processor core; masters its bus with physical addresses",
    .is_cpu = true,
    .fields = cpu_fields,
    .priv_size = sizeof(CpuParams),
    .priv_defaults = &cpu_defaults,
    .has_bus = true,
    .finish = cpu_finish,
    .model_new = cpu_new,
    .model_free = cpu_free,
};

/* ---- operations ----------------------------------------------------------- */

enum { OP_WAIT, OP_LOAD, OP_STORE, OP_DONE };

static const CpuParams *params(const CpuOp *op)
{
    return platform_topology(op->plat)->comps[op->cpu].priv;
}

static uint64_t cpu_hz(const CpuOp *op)
{
    const Topology *t = platform_topology(op->plat);
    return t->clocks[t->comps[op->cpu].clock_idx].hz;
}

static CpuModel *cores(const CpuOp *op)
{
    return platform_model(op->plat, op->cpu);
}

/* The CPU's data cache where it holds data: on a non-coherent platform
 * (on a coherent one DMA snoops it, and it is not modelled). */
static DCache *dcache_of(Platform *p, int cpu)
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

static void start(CpuOp *op, unsigned core)
{
    op->core = core;
    op->started = sim_now(platform_sim(op->plat));
    op->run(op);
}

/* The operation is over: its core goes to the first one waiting, then
 * its caller hears of it (and may ask again, behind the others). */
static void finish(Sim *s, void *opaque)
{
    CpuOp *op = opaque;
    CpuModel *m = cores(op);
    op->state = OP_DONE;
    op->completed = sim_now(s);
    if (m->head) {
        CpuOp *next = m->head;
        m->head = next->next;
        if (!m->head)
            m->tail = NULL;
        start(next, op->core);
    } else {
        m->busy[op->core] = false;
        m->free++;
    }
    op->done(s, op, op->opaque);
}

/* Asks for a core for op, which then runs `run`. */
static void begin(Platform *p, int cpu, CpuOp *op, void (*run)(CpuOp *),
                  CpuDoneFn *done, void *opaque)
{
    assert(platform_topology(p)->comps[cpu].kind == &cpu_kind && done);
    op->plat = p;
    op->cpu = cpu;
    op->done = done;
    op->opaque = opaque;
    op->run = run;
    op->result = ROUTE_OK;
    op->residue = 0;
    op->asked = sim_now(platform_sim(p));
    op->state = OP_WAIT;
    op->next = NULL;
    op->writebacks = 0;
    CpuModel *m = cores(op);
    if (m->free) {
        unsigned core = 0;
        while (m->busy[core])
            core++;
        m->busy[core] = true;
        m->free--;
        start(op, core);
    } else if (m->tail) {
        m->tail->next = op;
        m->tail = op;
    } else {
        m->head = m->tail = op;
    }
}

/* Completes op `cycles` CPU cycles from now. */
static void after_cycles(CpuOp *op, uint64_t cycles)
{
    Sim *s = platform_sim(op->plat);
    sim_at(s, clock_after(cpu_hz(op), sim_now(s), cycles), finish, op);
}

static void run_cycles(CpuOp *op)
{
    after_cycles(op, op->cycles);
}

/* Ends op with the bus error of its transaction io. */
static void fail(CpuOp *op, const Xact *io)
{
    op->result = io->result;
    op->residue = op->len - op->off;
    after_cycles(op, 0);
}

void cpu_call(Platform *p, int cpu, CpuOp *op, CpuDoneFn *done, void *opaque)
{
    op->cycles = ((const CpuParams *)platform_topology(p)->comps[cpu].priv)
                     ->call_cycles;
    begin(p, cpu, op, run_cycles, done, opaque);
}

/* ---- lines in and out of the cache ---------------------------------------- */

static void miss_step(Sim *s, Xact *io, void *opaque);

/* Writes the dirty line's bytes back: a bus write of the whole line. */
static void write_back(CpuOp *op, uint64_t addr, const uint8_t *bytes,
                       XactDoneFn *then)
{
    unsigned l = params(op)->line_bytes;
    memcpy(op->wb, bytes, l);
    op->writebacks++;
    op->io = (Xact){.master = op->cpu, .dir = XACT_WRITE, .addr = addr,
                    .len = l, .data = op->wb, .done = then, .opaque = op,
                    .writeback = true};
    platform_issue(op->plat, &op->io);
}

/* The line of pa is present: what op was doing goes on. */
static void line_ready(CpuOp *op);

static void fill_line(CpuOp *op)
{
    unsigned l = params(op)->line_bytes;
    if (!op->miss_fill) { /* dcbz: the line will be overwritten whole */
        dcache_install(dcache_of(op->plat, op->cpu), op->victim,
                       op->miss_addr, NULL);
        line_ready(op);
        return;
    }
    op->io = (Xact){.master = op->cpu, .dir = XACT_READ,
                    .addr = op->miss_addr, .len = l, .data = op->fill,
                    .done = miss_step, .opaque = op};
    op->filling = true;
    platform_issue(op->plat, &op->io);
}

static void miss_step(Sim *s, Xact *io, void *opaque)
{
    (void)s;
    CpuOp *op = opaque;
    DCache *dc = dcache_of(op->plat, op->cpu);
    if (io->result != ROUTE_OK) {
        dcache_unreserve(op->victim);
        fail(op, io);
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
    line_ready(op);
}

/* Makes the line of pa present, then line_ready: a hit at once; a miss
 * takes its set's victim (written back first if dirty), then fetches the
 * line from memory, or zeroes it when `fill` is false (a store that will
 * cover it whole). */
static void need_line(CpuOp *op, uint64_t pa, bool fill)
{
    DCache *dc = dcache_of(op->plat, op->cpu);
    if (dcache_find(dc, pa)) {
        line_ready(op);
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
        fail(op, io);
        return;
    }
    cache_next(op);
}

/* The next line of [dst, dst + len): dcbf writes a dirty line back and
 * drops it, dcbst writes it back and keeps it, dcbi drops it; then
 * cache_line_cycles per line touched. */
static void cache_next(CpuOp *op)
{
    DCache *dc = dcache_of(op->plat, op->cpu);
    unsigned l = params(op)->line_bytes;
    while (op->off < op->len) {
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
            ln->dirty = false;
        else
            dcache_drop(dc, ln); /* its bytes stay until the way is reused */
        if (dirty && what != CACHE_INVALIDATE) {
            write_back(op, ln->addr, ln->data, cache_wb_done);
            return;
        }
    }
    after_cycles(op, op->cycles);
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
    op->len = dcache_of(p, cpu) ? len : 0;
    op->off = 0;
    begin(p, cpu, op, cache_next, done, opaque);
}

/* ---- copies --------------------------------------------------------------- */

static void copy_step(Sim *s, Xact *io, void *opaque);
static void store_next(CpuOp *op);

/* The next line: a load of up to a line, up to the next line boundary of
 * the source. */
static void copy_next(CpuOp *op)
{
    if (op->off == op->len) {
        after_cycles(op, 0);
        return;
    }
    uint64_t l = params(op)->line_bytes, at = op->src + op->off;
    uint64_t n = l - at % l;
    if (op->flags & CPU_COPY_SRC_FIXED) {
        at = op->src;
        n = op->unit;
    } else if (op->flags & CPU_COPY_DST_FIXED) {
        n = op->unit < n ? op->unit : n;
    }
    if (n > op->len - op->off)
        n = op->len - op->off;
    op->chunk = n;
    op->state = OP_LOAD;
    if (op->flags & CPU_COPY_SRC_CACHED) {
        need_line(op, at, true);
        return;
    }
    op->io = (Xact){.master = op->cpu, .dir = XACT_READ, .addr = at,
                    .len = n, .data = op->line, .done = copy_step,
                    .opaque = op};
    platform_issue(op->plat, &op->io);
}

static void copy_line_done(Sim *s, void *opaque)
{
    (void)s;
    copy_next(opaque);
}

/* The chunk is loaded: its stores, from the start of the chunk. */
static void loaded(CpuOp *op)
{
    op->state = OP_STORE;
    op->piece = 0;
    store_next(op);
}

static uint64_t store_addr(const CpuOp *op)
{
    return op->dst +
           (op->flags & CPU_COPY_DST_FIXED ? 0 : op->off + op->piece);
}

/* The stores of the chunk: over the bus at once, or line by line into
 * the cache; then the CPU's own work on the line, and the next. */
static void store_next(CpuOp *op)
{
    if (op->piece == op->chunk) {
        op->off += op->chunk;
        Sim *s = platform_sim(op->plat);
        sim_at(s,
               clock_after(cpu_hz(op), sim_now(s),
                           params(op)->copy_line_cycles),
               copy_line_done, op);
        return;
    }
    uint64_t at = store_addr(op);
    if (op->flags & CPU_COPY_DST_CACHED) {
        uint64_t l = params(op)->line_bytes, first = at - at % l;
        /* memcpy zeroes (dcbz) a destination line it covers whole */
        bool whole = first >= op->dst && first + l <= op->dst + op->len;
        need_line(op, at, !whole);
        return;
    }
    op->io = (Xact){.master = op->cpu, .dir = XACT_WRITE, .addr = at,
                    .len = op->chunk - op->piece, .data = op->line + op->piece,
                    .done = copy_step, .opaque = op};
    platform_issue(op->plat, &op->io);
}

static void line_ready(CpuOp *op)
{
    DCache *dc = dcache_of(op->plat, op->cpu);
    uint64_t l = dcache_line(dc);
    if (op->state == OP_LOAD) {
        uint64_t at = op->src + op->off;
        memcpy(op->line, dcache_find(dc, at)->data + at % l, op->chunk);
        loaded(op);
        return;
    }
    uint64_t at = store_addr(op);
    uint64_t n = l - at % l;
    if (n > op->chunk - op->piece)
        n = op->chunk - op->piece;
    DcLine *ln = dcache_find(dc, at);
    memcpy(ln->data + at % l, op->line + op->piece, n);
    ln->dirty = true;
    platform_note_write(op->plat, op->cpu, at, n, WRITE_CACHED);
    op->piece += n;
    store_next(op);
}

static void copy_step(Sim *s, Xact *io, void *opaque)
{
    (void)s;
    CpuOp *op = opaque;
    if (io->result != ROUTE_OK) {
        fail(op, io);
        return;
    }
    if (op->state == OP_LOAD) {
        loaded(op);
        return;
    }
    op->piece = op->chunk;
    store_next(op);
}

static void pio_step(Sim *s, Xact *io, void *opaque);

/* The next register access. */
static void pio_next(CpuOp *op)
{
    if (op->off == op->len) {
        after_cycles(op, 0);
        return;
    }
    op->io = (Xact){.master = op->cpu,
                    .dir = op->flags ? XACT_WRITE : XACT_READ,
                    .addr = op->dst + op->off, .len = op->unit,
                    .data = op->line, .done = pio_step, .opaque = op};
    platform_issue(op->plat, &op->io);
}

static void pio_step(Sim *s, Xact *io, void *opaque)
{
    (void)s;
    CpuOp *op = opaque;
    if (io->result != ROUTE_OK) {
        fail(op, io);
        return;
    }
    op->off += op->unit;
    pio_next(op);
}

void cpu_pio(Platform *p, int cpu, XactDir dir, uint64_t addr, unsigned unit,
             unsigned count, CpuOp *op, CpuDoneFn *done, void *opaque)
{
    assert(unit && unit <= sizeof op->line);
    memset(op->line, 0, unit);
    op->flags = dir == XACT_WRITE; /* here: write or read */
    op->unit = unit;
    op->dst = addr;
    op->len = (uint64_t)unit * count;
    op->off = 0;
    begin(p, cpu, op, pio_next, done, opaque);
}

void cpu_memcpy(Platform *p, int cpu, uint64_t dst, uint64_t src,
                uint64_t len, CpuOp *op, CpuDoneFn *done, void *opaque)
{
    cpu_memcpy_io(p, cpu, dst, src, len, 0, 0, op, done, opaque);
}

void cpu_memcpy_io(Platform *p, int cpu, uint64_t dst, uint64_t src,
                   uint64_t len, unsigned flags, unsigned unit, CpuOp *op,
                   CpuDoneFn *done, void *opaque)
{
    assert(!(flags & (CPU_COPY_SRC_FIXED | CPU_COPY_DST_FIXED)) ||
           (unit && unit <= sizeof op->line));
    if (!dcache_of(p, cpu)) /* nothing is cached: every access is the bus's */
        flags &= ~(unsigned)(CPU_COPY_SRC_CACHED | CPU_COPY_DST_CACHED);
    assert(!(flags & CPU_COPY_SRC_FIXED && flags & CPU_COPY_SRC_CACHED) &&
           !(flags & CPU_COPY_DST_FIXED && flags & CPU_COPY_DST_CACHED));
    op->flags = flags;
    op->unit = unit;
    op->dst = dst;
    op->src = src;
    op->len = len;
    op->off = 0;
    begin(p, cpu, op, copy_next, done, opaque);
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

bool cpu_caches(Platform *p, int cpu) { return dcache_of(p, cpu) != NULL; }

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
    DCache *dc = dcache_of(p, cpu);
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
            ln->dirty = true;
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
    DCache *dc = dcache_of(p, cpu);
    if (!dc)
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
    DCache *dc = dcache_of(p, cpu);
    if (!dc)
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
