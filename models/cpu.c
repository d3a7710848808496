#include "models/cpu.h"

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
    FIELD_END,
};

/* PPC440: 32-byte data cache lines (d-cache-line-size in ebony.dts).  The
 * software and per-line costs are assumptions of this model: a DMA API
 * call of a few hundred instructions (300 cycles), a cache block
 * operation of 4 cycles per line, and 8 cycles of loads, stores and loop
 * per line copied besides the bus traffic. */
static const CpuParams cpu_defaults = {
    .line_bytes = 32, .call_cycles = 300, .cache_line_cycles = 4,
    .copy_line_cycles = 8, .cores = 1,
};

static bool cpu_finish(Loader *ld, yaml_node_t *map, CompParams *c)
{
    const CpuParams *p = c->priv;
    if (p->line_bytes > 256 || (p->line_bytes & (p->line_bytes - 1)))
        return ld_fail(ld, map, "line_size must be a power of two up to "
                                "256, not %u",
                       p->line_bytes);
    c->is_master = true; /* drives every address of its bus */
    return true;
}

/* The cores: which are busy, and the operations waiting for one. */
typedef struct CpuModel {
    unsigned n, free;
    bool *busy;
    CpuOp *head, *tail;
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

void cpu_call(Platform *p, int cpu, CpuOp *op, CpuDoneFn *done, void *opaque)
{
    op->cycles = ((const CpuParams *)platform_topology(p)->comps[cpu].priv)
                     ->call_cycles;
    begin(p, cpu, op, run_cycles, done, opaque);
}

void cpu_cache(Platform *p, int cpu, CacheOp what, uint64_t addr,
               uint64_t len, CpuOp *op, CpuDoneFn *done, void *opaque)
{
    (void)what; /* flush and invalidate cost the same per line */
    const CpuParams *cp = platform_topology(p)->comps[cpu].priv;
    uint64_t lines = 0;
    if (!platform_topology(p)->kernel.coherent && len) {
        uint64_t l = cp->line_bytes;
        lines = (addr + len - 1) / l - addr / l + 1;
    }
    op->cycles = lines * cp->cache_line_cycles;
    begin(p, cpu, op, run_cycles, done, opaque);
}

static void copy_step(Sim *s, Xact *io, void *opaque);

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

static void copy_step(Sim *s, Xact *io, void *opaque)
{
    CpuOp *op = opaque;
    if (io->result != ROUTE_OK) {
        op->result = io->result;
        op->residue = op->len - op->off;
        after_cycles(op, 0);
        return;
    }
    if (op->state == OP_LOAD) {
        op->state = OP_STORE;
        op->io = (Xact){.master = op->cpu, .dir = XACT_WRITE,
                        .addr = op->dst + (op->flags & CPU_COPY_DST_FIXED
                                              ? 0
                                              : op->off),
                        .len = op->chunk,
                        .data = op->line, .done = copy_step, .opaque = op};
        platform_issue(op->plat, &op->io);
        return;
    }
    op->off += op->chunk;
    /* The CPU's own work on the line, then the next. */
    sim_at(s,
           clock_after(cpu_hz(op), sim_now(s), params(op)->copy_line_cycles),
           copy_line_done, op);
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
        op->result = io->result;
        op->residue = op->len - op->off;
        after_cycles(op, 0);
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
    assert(!flags || (unit && unit <= sizeof op->line));
    op->flags = flags;
    op->unit = unit;
    op->dst = dst;
    op->src = src;
    op->len = len;
    op->off = 0;
    begin(p, cpu, op, copy_next, done, opaque);
}
