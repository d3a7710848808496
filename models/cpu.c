#include "models/cpu.h"

#include <assert.h>
#include <stddef.h>

static const Field cpu_fields[] = {
    {"line_size", ld_f_count, offsetof(CpuParams, line_bytes), false},
    {"call_cycles", ld_f_cycles, offsetof(CpuParams, call_cycles), false},
    {"cache_line_cycles", ld_f_cycles, offsetof(CpuParams, cache_line_cycles),
     false},
    {"copy_line_cycles", ld_f_cycles, offsetof(CpuParams, copy_line_cycles),
     false},
    FIELD_END,
};

/* PPC440: 32-byte data cache lines (d-cache-line-size in ebony.dts).  The
 * software and per-line costs are assumptions of this model: a DMA API
 * call of a few hundred instructions (300 cycles), a cache block
 * operation of 4 cycles per line, and 8 cycles of loads, stores and loop
 * per line copied besides the bus traffic. */
static const CpuParams cpu_defaults = {
    .line_bytes = 32, .call_cycles = 300, .cache_line_cycles = 4,
    .copy_line_cycles = 8,
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

const ModelKind cpu_kind = {
    .name = "cpu",
    .summary = "processor core; masters its bus with physical addresses",
    .is_cpu = true,
    .fields = cpu_fields,
    .priv_size = sizeof(CpuParams),
    .priv_defaults = &cpu_defaults,
    .has_bus = true,
    .finish = cpu_finish,
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

static void finish(Sim *s, void *opaque)
{
    CpuOp *op = opaque;
    op->state = OP_DONE;
    op->completed = sim_now(s);
    op->done(s, op, op->opaque);
}

static void begin(Platform *p, int cpu, CpuOp *op, CpuDoneFn *done,
                  void *opaque)
{
    assert(platform_topology(p)->comps[cpu].kind == &cpu_kind && done);
    op->plat = p;
    op->cpu = cpu;
    op->done = done;
    op->opaque = opaque;
    op->result = ROUTE_OK;
    op->residue = 0;
    op->started = sim_now(platform_sim(p));
    op->state = OP_WAIT;
}

/* Completes op `cycles` CPU cycles from now. */
static void after_cycles(CpuOp *op, uint64_t cycles)
{
    Sim *s = platform_sim(op->plat);
    sim_at(s, clock_after(cpu_hz(op), sim_now(s), cycles), finish, op);
}

void cpu_call(Platform *p, int cpu, CpuOp *op, CpuDoneFn *done, void *opaque)
{
    begin(p, cpu, op, done, opaque);
    after_cycles(op, params(op)->call_cycles);
}

void cpu_cache(Platform *p, int cpu, CacheOp what, uint64_t addr,
               uint64_t len, CpuOp *op, CpuDoneFn *done, void *opaque)
{
    (void)what; /* flush and invalidate cost the same per line */
    begin(p, cpu, op, done, opaque);
    uint64_t lines = 0;
    if (!platform_topology(p)->kernel.coherent && len) {
        uint64_t l = params(op)->line_bytes;
        lines = (addr + len - 1) / l - addr / l + 1;
    }
    after_cycles(op, lines * params(op)->cache_line_cycles);
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
    begin(p, cpu, op, done, opaque);
    op->flags = flags;
    op->unit = unit;
    op->dst = dst;
    op->src = src;
    op->len = len;
    op->off = 0;
    copy_next(op);
}
