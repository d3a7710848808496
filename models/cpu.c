#include "models/cpu_int.h"

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

const CpuParams *cpu_params(const CpuOp *op)
{
    return platform_topology(op->plat)->comps[op->cpu].priv;
}

static const Clock *cpu_clock(const CpuOp *op)
{
    const Topology *t = platform_topology(op->plat);
    return &t->clocks[t->comps[op->cpu].clock_idx].clock;
}

static CpuModel *cores(const CpuOp *op)
{
    return platform_model(op->plat, op->cpu);
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

void cpu_begin(Platform *p, int cpu, CpuOp *op, void (*run)(CpuOp *),
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

void cpu_after_cycles(CpuOp *op, uint64_t cycles)
{
    Sim *s = platform_sim(op->plat);
    sim_at(s, clock_after(cpu_clock(op), sim_now(s), cycles), finish, op);
}

static void run_cycles(CpuOp *op)
{
    cpu_after_cycles(op, op->cycles);
}

void cpu_fail(CpuOp *op, const Xact *io)
{
    op->result = io->result;
    op->residue = op->len - op->off;
    cpu_after_cycles(op, 0);
}

void cpu_call(Platform *p, int cpu, CpuOp *op, CpuDoneFn *done, void *opaque)
{
    op->cycles = ((const CpuParams *)platform_topology(p)->comps[cpu].priv)
                     ->call_cycles;
    cpu_begin(p, cpu, op, run_cycles, done, opaque);
}

/* ---- copies --------------------------------------------------------------- */

static void copy_step(Sim *s, Xact *io, void *opaque);
static void store_next(CpuOp *op);

/* The next line: a load of up to a line, up to the next line boundary of
 * the source. */
static void copy_next(CpuOp *op)
{
    if (op->off == op->len) {
        cpu_after_cycles(op, 0);
        return;
    }
    uint64_t l = cpu_params(op)->line_bytes, at = op->src + op->off;
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
        cpu_need_line(op, at, true);
        return;
    }
    xact_prepare(&op->io, op->cpu, XACT_READ, at, n, op->line, copy_step, op);
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
               clock_after(cpu_clock(op), sim_now(s),
                           cpu_params(op)->copy_line_cycles),
               copy_line_done, op);
        return;
    }
    uint64_t at = store_addr(op);
    if (op->flags & CPU_COPY_DST_CACHED) {
        uint64_t l = cpu_params(op)->line_bytes, first = at - at % l;
        /* memcpy zeroes (dcbz) a destination line it covers whole */
        bool whole = first >= op->dst && first + l <= op->dst + op->len;
        cpu_need_line(op, at, !whole);
        return;
    }
    xact_prepare(&op->io, op->cpu, XACT_WRITE, at, op->chunk - op->piece,
                 op->line + op->piece, copy_step, op);
    platform_issue(op->plat, &op->io);
}

void cpu_line_ready(CpuOp *op)
{
    DCache *dc = cpu_dcache(op->plat, op->cpu);
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
    dcache_set_dirty(dc, ln, true);
    platform_note_write(op->plat, op->cpu, at, n, WRITE_CACHED);
    op->piece += n;
    store_next(op);
}

static void copy_step(Sim *s, Xact *io, void *opaque)
{
    (void)s;
    CpuOp *op = opaque;
    if (io->result != ROUTE_OK) {
        cpu_fail(op, io);
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
        cpu_after_cycles(op, 0);
        return;
    }
    xact_prepare(&op->io, op->cpu, op->flags ? XACT_WRITE : XACT_READ,
                 op->dst + op->off, op->unit, op->line, pio_step, op);
    platform_issue(op->plat, &op->io);
}

static void pio_step(Sim *s, Xact *io, void *opaque)
{
    (void)s;
    CpuOp *op = opaque;
    if (io->result != ROUTE_OK) {
        cpu_fail(op, io);
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
    cpu_begin(p, cpu, op, pio_next, done, opaque);
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
    if (!cpu_dcache(p, cpu)) /* nothing is cached: every access is the bus's */
        flags &= ~(unsigned)(CPU_COPY_SRC_CACHED | CPU_COPY_DST_CACHED);
    assert(!(flags & CPU_COPY_SRC_FIXED && flags & CPU_COPY_SRC_CACHED) &&
           !(flags & CPU_COPY_DST_FIXED && flags & CPU_COPY_DST_CACHED));
    op->flags = flags;
    op->unit = unit;
    op->dst = dst;
    op->src = src;
    op->len = len;
    op->off = 0;
    cpu_begin(p, cpu, op, copy_next, done, opaque);
}
