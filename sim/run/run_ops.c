/* A stream's operations on the timed hardware: plan, carry out the plan's
 * steps, wait for posted writes, and let the oracle judge
 * (docs/schemes.md, "How an operation is planned"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/regions.h"
#include "sim/core/units.h"
#include "sim/hw/kinds.h"
#include "sim/run/runner_int.h"
#include "sim/run/trace.h"

/* ---- scratch memory for the scheme -------------------------------------- */

bool run_scratch(void *opaque, unsigned slot, uint64_t size, uint64_t *va,
                 uint64_t *pa)
{
    Stream *st = opaque;
    Run *run = st->run;
    if (slot > 2)
        return false;
    if (st->scratch_size[slot] < size) {
        char err[200];
        if (!kmem_alloc_in(run->k, MEM_KMALLOC, kmem_low_zone(run->k),
                           UINT64_MAX, size, &st->scratch_va[slot],
                           &st->scratch_pa[slot], err, sizeof err))
            return false;
        st->scratch_size[slot] = size;
        oracle_allow(run->o, st->scratch_pa[slot], size);
    }
    *va = st->scratch_va[slot];
    *pa = st->scratch_pa[slot];
    return true;
}

/* ---- running operations ------------------------------------------------- */

static void next_step(Stream *st);
static void program_done(Sim *sim, CpuOp *op, void *opaque);
static void cpu_done(Sim *sim, CpuOp *op, void *opaque);

static const OpParams *cur_op(const Stream *st)
{
    return &st->sp->ops[st->op];
}

static void bus_error(Stream *st, const char *who, const char *why)
{
    char b[500];
    snprintf(b, sizeof b, "%s: %s", who, why);
    run_add_reason(st->run, "bus", b);
    st->reports[st->op].bus_errors++;
    st->run->r->bus_errors++;
    st->failed = true;
}

static bool drained(const Stream *st)
{
    const Run *run = st->run;
    return !platform_posted_pending(run->p, run->s->cpu) &&
           (st->plan.engine < 0 ||
            !platform_posted_pending(run->p, st->plan.engine));
}

/* The buses a plan's transfers cross, as the kernel sees them (each end's
 * path in the software view), counted as load while the operation runs:
 * what dma_move's estimate reads. */
static void mark_path(Stream *st, int master, uint64_t va)
{
    int buses[2 * TOPO_MAX_DEPTH + 2];
    size_t n = plan_buses(&st->ctx, master, va, buses,
                          sizeof buses / sizeof *buses);
    for (size_t i = 0; i < n; i++)
        st->uses_bus[buses[i]] = true;
}

static void load_buses(Stream *st, int delta)
{
    Run *run = st->run;
    if (delta > 0)
        for (size_t i = 0; i < st->plan.n_steps; i++) {
            const PlanStep *ps = &st->plan.steps[i];
            if (ps->kind == STEP_DMA) {
                mark_path(st, ps->master, ps->src_va);
                mark_path(st, ps->master, ps->dst_va);
            } else if (ps->kind == STEP_CPU_COPY) {
                mark_path(st, run->s->cpu, ps->src);
                mark_path(st, run->s->cpu, ps->dst);
            }
        }
    for (size_t b = 0; b < run->t->n_buses; b++)
        if (st->uses_bus[b]) {
            run->bus_load[b] += (unsigned)delta;
            if (delta < 0)
                st->uses_bus[b] = false;
        }
}

/* The operations waiting for a window plan again, now. */
static void wake_waiting(Run *run)
{
    for (size_t i = 0; i < run->n_waiting; i++)
        sim_at(run->sim, sim_now(run->sim), run_op_begin, run->waiting[i]);
    run->n_waiting = 0;
}

static void op_finish(Sim *sim, void *opaque)
{
    Stream *st = opaque;
    Run *run = st->run;
    if (st->mover >= 0)
        run->in_flight[st->mover]--;
    st->mover = -1;
    load_buses(st, -1);
    run_judge(st);
    StreamReport *sr = st->srep;
    if (!st->failed) { /* it moved its bytes, wherever they went */
        run->r->bytes_moved += cur_op(st)->len;
        sr->bytes_moved += cur_op(st)->len;
    }
    sr->runs++;
    sr->last_end = sim_now(sim);
    if (++run->runs_done % 65536 == 0 && run->hooks && run->hooks->progress)
        run->hooks->progress(run->hooks->progress_ctx, run->api->name,
                             run->runs_done, run->runs_total);
    hist_add(&sr->latency, sim_now(sim) - st->op_start);
    st->reports[st->op].bounce_bytes += st->plan.bounce_bytes;
    run->r->bounce_bytes += st->plan.bounce_bytes;
    run->r->windows_programmed += st->plan.windows_programmed;
    run->r->window_evictions += st->plan.window_evictions;
    run->r->register_writes += st->plan.register_writes;
    run->r->iommu_pages_mapped += st->plan.iommu_pages_mapped;
    run->r->iommu_evictions += st->plan.iommu_evictions;
    plan_release(&st->plan, run->sw);
    run->last_end = sim_now(sim);
    plan_free(&st->plan);
    if (++st->rep == cur_op(st)->repeat) {
        st->rep = 0;
        st->op++;
    }
    /* what it held is free: the operations waiting for it plan again,
     * before this stream's next one */
    wake_waiting(run);
    sim_at(sim, sim_now(sim), run_op_begin, st);
}

/* The operation is over once its posted writes have landed: a driver reads
 * back (a read's completion cannot pass posted writes), and this is where
 * the oracle looks. */
static void op_end(Stream *st)
{
    if (drained(st)) {
        op_finish(st->run->sim, st);
        return;
    }
    st->draining = true;
}

void run_drain_watch(void *opaque, int master)
{
    (void)master;
    Run *run = opaque;
    for (size_t i = 0; i < run->s->n_streams; i++) {
        Stream *st = &run->streams[i];
        if (st->draining && drained(st)) {
            st->draining = false;
            sim_at(run->sim, sim_now(run->sim), op_finish, st);
        }
    }
}

void run_op_begin(Sim *sim, void *opaque)
{
    Stream *st = opaque;
    Run *run = st->run;
    if (st->op == st->sp->n_ops) {
        run->streams_left--;
        return;
    }
    if (!run->started) {
        run->started = true;
        run->first_start = sim_now(sim);
    }
    const OpParams *o = cur_op(st);
    OpReport *rep = &st->reports[st->op];
    BufState *src = &run->bufs[o->src], *dst = &run->bufs[o->dst];
    ApiOp aop = {&src->ab, &dst->ab, o->from_offset, o->to_offset, o->len,
                 o->engine_comp, o->map};
    if (!st->waited) { /* its latency counts from the first try */
        st->op_start = sim_now(sim);
        if (!st->srep->runs && !st->op && !st->rep)
            st->srep->first_start = sim_now(sim);
    }
    plan_init(&st->plan);
    st->failed = false;
    st->step = 0;
    if (src->broken || dst->broken)
        plan_refuse(&st->plan, "dma_alloc_coherent: %s",
                    src->broken ? src->broken : dst->broken);
    else {
        st->ctx.stamp = ++run->plans_made;
        dma_api_plan(run->api, &st->ctx, &aop, &st->plan);
    }
    if (st->plan.wait) {
        /* a window or IOMMU page it needs is another operation's now: the
         * plan is given up, and made again when an operation ends */
        plan_give_up(&st->plan, run->sw);
        if (!st->waited)
            run->r->window_waits++;
        st->waited = true;
        if (run->n_waiting == run->cap_waiting) {
            run->cap_waiting = run->cap_waiting ? 2 * run->cap_waiting : 4;
            run->waiting = realloc(run->waiting,
                                   run->cap_waiting * sizeof *run->waiting);
            if (!run->waiting)
                abort();
        }
        run->waiting[run->n_waiting++] = st;
        return;
    }
    st->waited = false;
    rep->runs++;
    run_intend(st);
    run_mark_destination(st);
    if (rep->runs == 1) {
        rep->engine = st->plan.engine;
        snprintf(rep->choice, sizeof rep->choice, "%s", st->plan.choice);
    }
    if (st->plan.refused) {
        /* what was refused, and why */
        char b[900], sz[32];
        snprintf(b, sizeof b, "%s: the copy of %s from %s to %s was refused: "
                              "%s",
                 o->path, units_fmt_size(o->len, sz, sizeof sz),
                 run->s->buffers[o->src].name, run->s->buffers[o->dst].name,
                 st->plan.reason);
        run_add_reason(run, "api", b);
        rep->api_errors++;
        run->r->api_errors++;
        /* nothing of it runs: the windows and pages its planning set are
         * put back as they were, and none was programmed */
        plan_release(&st->plan, run->sw);
        plan_restore(&st->plan, run->sw);
        st->plan.windows_programmed = st->plan.window_evictions = 0;
        st->plan.register_writes = 0;
        st->plan.iommu_pages_mapped = st->plan.iommu_evictions = 0;
        st->plan.engine = ENGINE_CPU;
        st->failed = true;
        op_end(st);
        return;
    }
    /* The driver writes the source before it maps it, and busy buffers'
     * owners go on storing. */
    if (st->rep == 0)
        run_driver_fill(st);
    run_busy_touch(run);
    /* What moves the bytes is busy with them: a master, or the CPU. */
    st->mover = st->plan.engine >= 0 ? st->plan.engine : run->s->cpu;
    run->in_flight[st->mover]++;
    load_buses(st, 1);
    next_step(st);
}

/* The running step's work on its track of the trace: a DMA transfer on
 * its master's, from start to end; what the CPU does, one operation at a
 * time on the core that ran it, so waiting for the CPU shows as a gap. */
static void trace_work(Stream *st, int track, unsigned lane, SimTime start,
                       SimTime end)
{
    Run *run = st->run;
    if (!run->trace)
        return;
    static const char *const names[] = {"DMA API call", "cache maintenance",
                                        "CPU copy", "DMA transfer",
                                        "program window", "map IOMMU pages"};
    const PlanStep *ps = &st->plan.steps[st->step - 1];
    char detail[160];
    switch (ps->kind) {
    case STEP_CALL:
        snprintf(detail, sizeof detail, "%s, %u call(s)", st->sp->name,
                 ps->calls);
        break;
    case STEP_CACHE:
        snprintf(detail, sizeof detail, "%s, %s %llu bytes", st->sp->name,
                 (const char *const[]){"flush", "invalidate", "clean",
                                       "invalidate (flushing partial "
                                       "lines)"}[ps->cache],
                 (unsigned long long)ps->len);
        break;
    case STEP_CPU_COPY:
        snprintf(detail, sizeof detail, "%s, %llu bytes", st->sp->name,
                 (unsigned long long)ps->len);
        break;
    case STEP_DMA:
        snprintf(detail, sizeof detail, "%s, %zu segment(s)%s", st->sp->name,
                 ps->n_segs, ps->desc_addr ? ", descriptors in memory" : "");
        break;
    case STEP_PROGRAM:
        snprintf(detail, sizeof detail, "%s, %s %s window %u, %u register "
                                        "writes and a read back",
                 st->sp->name, run->t->comps[ps->bridge].name,
                 ps->inbound ? "inbound" : "outbound", ps->slot, ps->writes);
        break;
    case STEP_IOMMU:
        snprintf(detail, sizeof detail, "%s, %s IOMMU pages %llu-%llu, %u "
                                        "%s and a read back",
                 st->sp->name, run->t->comps[ps->bridge].name,
                 (unsigned long long)ps->page,
                 (unsigned long long)(ps->page + ps->pages - 1), ps->writes,
                 ps->flush ? "entry stores to memory, an invalidate"
                           : "register writes");
        break;
    }
    trace_step(run->trace, track, lane, names[ps->kind], detail, start, end);
}

static void trace_cpu(Stream *st, const CpuOp *op)
{
    trace_work(st, st->run->s->cpu, op->core, op->started, op->completed);
}

static void cpu_done(Sim *sim, CpuOp *op, void *opaque)
{
    (void)sim;
    Stream *st = opaque;
    trace_cpu(st, op);
    if (op->result != ROUTE_OK)
        bus_error(st, st->run->t->comps[st->run->s->cpu].name,
                  op->io.reason);
    next_step(st);
}

static void copy_piece(Stream *st);
static void cache_piece(Stream *st);

/* A piece of a copy or of cache maintenance is done: the next. */
static void piece_done(Sim *sim, CpuOp *op, void *opaque)
{
    (void)sim;
    Stream *st = opaque;
    trace_cpu(st, op);
    if (op->result != ROUTE_OK) {
        bus_error(st, st->run->t->comps[st->run->s->cpu].name,
                  op->io.reason);
        next_step(st);
        return;
    }
    st->copy_off += op->len;
    if (st->plan.steps[st->step - 1].kind == STEP_CACHE)
        cache_piece(st);
    else
        copy_piece(st);
}

/* The CPU copies virtual to virtual: each physically contiguous piece is
 * a memcpy over the bus (memcpy_toio/fromio for a FIFO end). */
static void copy_piece(Stream *st)
{
    Run *run = st->run;
    const PlanStep *ps = &st->plan.steps[st->step - 1];
    if (st->copy_off == ps->len) {
        next_step(st);
        return;
    }
    uint64_t o = st->copy_off, spa, srun, dpa, drun;
    uint64_t sva = ps->src + (ps->src_fixed ? 0 : o);
    uint64_t dva = ps->dst + (ps->dst_fixed ? 0 : o);
    MemClass scls, dcls;
    if (!kmem_walk(run->k, sva, &spa, &srun, &scls) ||
        !kmem_walk(run->k, dva, &dpa, &drun, &dcls)) {
        char a[32], why[80];
        snprintf(why, sizeof why, "page fault at %s",
                 units_fmt_hex(kmem_walk(run->k, sva, &spa, &srun, NULL) ? dva
                                                                         : sva,
                               a, sizeof a));
        bus_error(st, run->t->comps[run->s->cpu].name, why);
        next_step(st);
        return;
    }
    uint64_t n = ps->len - o;
    if (!ps->src_fixed && srun < n)
        n = srun;
    if (!ps->dst_fixed && drun < n)
        n = drun;
    unsigned flags = (ps->src_fixed ? CPU_COPY_SRC_FIXED : 0) |
                     (ps->dst_fixed ? CPU_COPY_DST_FIXED : 0) |
                     (scls != MEM_IOREMAP && scls != MEM_COHERENT
                          ? CPU_COPY_SRC_CACHED
                          : 0) |
                     (dcls != MEM_IOREMAP && dcls != MEM_COHERENT
                          ? CPU_COPY_DST_CACHED
                          : 0);
    cpu_memcpy_io(run->p, run->s->cpu, dpa, spa, n, flags, ps->unit, &st->cpu,
                  piece_done, st);
}

/* Cache maintenance of a virtual range: one CPU operation per physically
 * contiguous piece, where the cache holds data (elsewhere it only costs
 * time, and one operation does). */
static void cache_piece(Stream *st)
{
    Run *run = st->run;
    const PlanStep *ps = &st->plan.steps[st->step - 1];
    int cpu = run->s->cpu;
    uint64_t o = st->copy_off, pa, n;
    if (o == ps->len) {
        next_step(st);
        return;
    }
    if (!cpu_caches(run->p, cpu)) {
        cpu_cache(run->p, cpu, ps->cache, ps->dst, ps->len, &st->cpu,
                  cpu_done, st);
        return;
    }
    if (!kmem_walk(run->k, ps->dst + o, &pa, &n, NULL)) {
        char a[32], why[80];
        snprintf(why, sizeof why, "page fault at %s",
                 units_fmt_hex(ps->dst + o, a, sizeof a));
        bus_error(st, run->t->comps[cpu].name, why);
        next_step(st);
        return;
    }
    if (n > ps->len - o)
        n = ps->len - o;
    cpu_cache(run->p, cpu, ps->cache, pa, n, &st->cpu, piece_done, st);
}

static void dma_done(Sim *sim, DmaXfer *x, void *opaque)
{
    Stream *st = opaque;
    Run *run = st->run;
    trace_work(st, st->plan.steps[st->step - 1].master, 0, st->step_start,
               sim_now(sim));
    run->dma_bytes += x->total - x->residue;
    if (--run->dma_running == 0)
        run->dma_busy += sim_now(sim) - run->dma_since;
    if (x->result != ROUTE_OK)
        bus_error(st, st->run->t->comps[st->plan.engine].name,
                  x->io.reason);
    next_step(st);
}

static void call_done(Sim *sim, CpuOp *op, void *opaque)
{
    (void)sim;
    Stream *st = opaque;
    trace_cpu(st, op);
    if (--st->calls_left)
        cpu_call(st->run->p, st->run->s->cpu, &st->cpu, call_done, st);
    else
        next_step(st);
}

/* Programming a window: its register writes have landed, so the bridge
 * decodes by the new setting from here on; then a read back of its
 * registers, as drivers do, before anything relies on it. */
static void program_read_back(Sim *sim, CpuOp *op, void *opaque)
{
    Stream *st = opaque;
    Run *run = st->run;
    trace_cpu(st, op);
    if (op->result != ROUTE_OK) {
        cpu_done(sim, op, opaque);
        return;
    }
    const PlanStep *ps = &st->plan.steps[st->step - 1];
    if (ps->flush && !st->flushed) {
        /* a table in memory: the entries are stored; now invalidate what
         * the IOTLB may hold of them */
        st->flushed = true;
        cpu_pio(run->p, run->s->cpu, XACT_WRITE, ps->flush_pa, 4, 1,
                &st->cpu, program_read_back, st);
        return;
    }
    if (ps->kind == STEP_IOMMU)
        platform_iommu_map(run->p, ps->bridge, ps->page, ps->pages, ps->pa);
    else
        platform_set_window(run->p, ps->bridge, ps->inbound, ps->slot,
                            &ps->win);
    cpu_pio(run->p, run->s->cpu, XACT_READ,
            ps->flush ? ps->flush_pa : ps->regs_pa, 4, 1, &st->cpu,
            program_done, st);
}

static void program_done(Sim *sim, CpuOp *op, void *opaque)
{
    Stream *st = opaque;
    Run *run = st->run;
    const PlanStep *ps = &st->plan.steps[st->step - 1];
    run->r->map_ps += sim_now(sim) - st->step_start;
    /* set: others may plan through it now */
    if (ps->kind == STEP_IOMMU)
        for (uint64_t i = 0; i < ps->pages; i++)
            swview_iommu_page(run->sw, ps->bridge, ps->page + i)->pending =
                false;
    else
        swview_window(run->sw, ps->bridge, ps->inbound, ps->slot)->pending =
            false;
    wake_waiting(run);
    cpu_done(sim, op, opaque);
}

static void next_step(Stream *st)
{
    Run *run = st->run;
    if (st->failed || st->step == st->plan.n_steps) {
        op_end(st);
        return;
    }
    st->step_start = sim_now(run->sim);
    const PlanStep *ps = &st->plan.steps[st->step++];
    int cpu = run->s->cpu;
    switch (ps->kind) {
    case STEP_CALL:
        st->calls_left = ps->calls;
        cpu_call(run->p, cpu, &st->cpu, call_done, st);
        break;
    case STEP_PROGRAM:
    case STEP_IOMMU:
        st->flushed = false;
        cpu_pio(run->p, cpu, XACT_WRITE, ps->regs_pa, 4, ps->writes,
                &st->cpu, program_read_back, st);
        break;
    case STEP_CACHE:
        if (!cur_op(st)->sync) { /* the driver skips it */
            next_step(st);
            break;
        }
        st->copy_off = 0;
        cache_piece(st);
        break;
    case STEP_CPU_COPY:
        st->copy_off = 0;
        copy_piece(st);
        break;
    case STEP_DMA: {
        DmaEngine *e = platform_engine(run->p, ps->master);
        st->dx = (DmaXfer){
            .channel = (unsigned)(st->idx % dma_engine_channels(e)),
            .segs = ps->segs,
            .n_segs = ps->n_segs,
            .desc_addr = ps->desc_addr,
            .done = dma_done,
            .opaque = st,
        };
        if (run->dma_running++ == 0)
            run->dma_since = sim_now(run->sim);
        run_stale_source(st, ps);
        dma_submit(run->p, ps->master, &st->dx);
        run_busy_touch(run); /* the CPU goes on while the device works */
        break;
    }
    }
}
