#include "sim/runner.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/regions.h"
#include "sim/kinds.h"
#include "sim/lint.h"
#include "sim/oracle.h"
#include "sim/platform.h"
#include "sim/rng.h"
#include "sim/units.h"

/* A buffer during a run: where it is, and what it should hold. */
typedef struct BufState {
    ApiBuffer ab;
    char *broken;       /* dma_alloc_coherent refused: why */
    uint8_t *intended;  /* memory: size bytes */
    uint8_t *feed;      /* FIFO source: the bytes queued in the device */
    uint64_t feed_len, feed_pos;
    uint8_t *expect;    /* FIFO destination: what should have been written */
    uint64_t expect_len;
    int comp, region;   /* FIFO */
} BufState;

typedef struct Run Run;

typedef struct Stream {
    Run *run;
    size_t idx;
    const StreamParams *sp;
    OpReport *reports;  /* one per op of the stream */
    ApiCtx ctx;
    size_t op;
    unsigned rep;
    Plan plan;
    size_t step;
    unsigned calls_left;
    uint64_t copy_off;
    uint64_t fifo_mark;
    bool failed;
    bool draining; /* waiting for its posted writes to land */
    CpuOp cpu;
    DmaXfer dx;
    uint64_t scratch_va[3], scratch_pa[3], scratch_size[3];
} Stream;

struct Run {
    const Scenario *s;
    const DmaApi *api;
    const Topology *t;
    Platform *p;
    Sim *sim;
    KMem *k;
    Oracle *o;
    BufState *bufs;
    Stream *streams;
    SchemeResult *r;
    unsigned *in_flight;
    size_t streams_left;
    SimTime first_start, last_end;
    bool started;
};

/* ---- results ------------------------------------------------------------- */

static void add_reason(Run *run, const char *kind, const char *text)
{
    SchemeResult *r = run->r;
    for (size_t i = 0; i < r->n_reasons; i++)
        if (!strcmp(r->reasons[i].kind, kind) &&
            !strcmp(r->reasons[i].text, text)) {
            r->reasons[i].count++;
            return;
        }
    r->reasons = realloc(r->reasons, (r->n_reasons + 1) * sizeof *r->reasons);
    if (!r->reasons)
        abort();
    Reason *n = &r->reasons[r->n_reasons++];
    n->kind = strdup(kind);
    n->text = strdup(text);
    n->count = 1;
    if (!n->kind || !n->text)
        abort();
}

void scheme_result_free(SchemeResult *r)
{
    for (size_t i = 0; i < r->n_reasons; i++) {
        free(r->reasons[i].kind);
        free(r->reasons[i].text);
    }
    free(r->reasons);
    free(r->ops);
    free(r->bus_util);
    memset(r, 0, sizeof *r);
}

/* ---- memory through the page tables --------------------------------------- */

/* Calls fn on each physically contiguous piece of [va, va + len); false
 * at the first unmapped page or failing piece. */
static bool each_piece(const KMem *k, uint64_t va, uint64_t len,
                       bool (*fn)(void *ctx, uint64_t pa, uint64_t off,
                                  uint64_t n),
                       void *ctx)
{
    for (uint64_t o = 0; o < len;) {
        uint64_t pa, run;
        if (!kmem_walk(k, va + o, &pa, &run, NULL))
            return false;
        uint64_t n = len - o < run ? len - o : run;
        if (!fn(ctx, pa, o, n))
            return false;
        o += n;
    }
    return true;
}

typedef struct PieceCtx {
    Oracle *o;
    uint8_t *buf;
} PieceCtx;

static bool poke_piece(void *c, uint64_t pa, uint64_t off, uint64_t n)
{
    PieceCtx *p = c;
    return oracle_poke(p->o, pa, p->buf + off, n);
}

static bool peek_piece(void *c, uint64_t pa, uint64_t off, uint64_t n)
{
    PieceCtx *p = c;
    return oracle_peek(p->o, pa, p->buf + off, n);
}

static bool allow_piece(void *c, uint64_t pa, uint64_t off, uint64_t n)
{
    (void)off;
    oracle_allow(((PieceCtx *)c)->o, pa, n);
    return true;
}

/* ---- scratch memory for the scheme ---------------------------------------- */

static bool scratch(void *opaque, unsigned slot, uint64_t size, uint64_t *va,
                    uint64_t *pa)
{
    Stream *st = opaque;
    Run *run = st->run;
    if (slot > 2)
        return false;
    if (st->scratch_size[slot] < size) {
        char err[200];
        if (!kmem_alloc(run->k, MEM_KMALLOC, size, &st->scratch_va[slot],
                        &st->scratch_pa[slot], err, sizeof err))
            return false;
        st->scratch_size[slot] = size;
        oracle_allow(run->o, st->scratch_pa[slot], size);
    }
    *va = st->scratch_va[slot];
    *pa = st->scratch_pa[slot];
    return true;
}

/* ---- buffers ----------------------------------------------------------------- */

static bool fatal(Diag *d, const BufferParams *b, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool fatal(Diag *d, const BufferParams *b, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_add(d, SEV_FATAL, "input", b->pos, b->path, NULL, NULL, "%s", msg);
    return false;
}

static void pattern(uint64_t seed, size_t idx, uint8_t *buf, uint64_t len)
{
    uint64_t st = seed * 0x100000001B3ULL + idx + 1;
    for (uint64_t i = 0; i < len; i += 8) {
        uint64_t v = rng_next(&st);
        for (unsigned j = 0; j < 8 && i + j < len; j++)
            buf[i + j] = (uint8_t)(v >> (8 * j));
    }
}

static bool place_buffer(Run *run, size_t i, Diag *d)
{
    const Scenario *s = run->s;
    const BufferParams *b = &s->buffers[i];
    BufState *bs = &run->bufs[i];
    ApiBuffer *ab = &bs->ab;
    char err[300];
    uint64_t pa;
    ab->b = b;
    ab->size = b->size;
    ab->handle_dev = -1;
    switch (b->kind) {
    case BUF_KMALLOC:
    case BUF_VMALLOC:
    case BUF_HIGHMEM: {
        MemClass c = b->kind == BUF_KMALLOC   ? MEM_KMALLOC
                     : b->kind == BUF_VMALLOC ? MEM_VMALLOC
                                              : MEM_HIGHMEM;
        if (!kmem_alloc(run->k, c, b->size, &ab->va, &pa, err, sizeof err))
            return fatal(d, b, "%s", err);
        ab->cls = c == MEM_KMALLOC ? MEM_LINEAR : c;
        break;
    }
    case BUF_COHERENT: {
        ApiCtx *ctx = &run->streams[0].ctx;
        ab->cls = MEM_COHERENT;
        if (!run->api->alloc_coherent(ctx, b->comp, b->size, ab, err,
                                      sizeof err)) {
            if (!ab->va) /* no memory at all: bad input */
                return fatal(d, b, "%s", err);
            bs->broken = strdup(err);
        }
        break;
    }
    case BUF_MMIO:
    case BUF_FIFO: {
        const CompParams *c = &run->t->comps[b->comp];
        if (!lint_master_addr(run->t, s->cpu, b->comp, b->region, b->offset,
                              &pa))
            return fatal(d, b, "%s cannot reach region %d of %s, so it "
                               "cannot ioremap it",
                         run->t->comps[s->cpu].name, b->region, c->name);
        uint64_t size = b->kind == BUF_FIFO ? c->regions[b->region].size_bytes
                                            : b->size;
        if (!kmem_ioremap(run->k, pa, size, &ab->va, err, sizeof err))
            return fatal(d, b, "%s", err);
        ab->cls = MEM_IOREMAP;
        if (b->kind == BUF_FIFO) {
            ab->fifo_unit = size < 8 ? (unsigned)size : 8;
            bs->comp = b->comp;
            bs->region = b->region;
        }
        break;
    }
    }
    return true;
}

/* The seeded pattern in every buffer, and in every FIFO the workload
 * reads from as many bytes as it reads. */
static bool fill_buffer(Run *run, size_t i, Diag *d)
{
    const Scenario *s = run->s;
    BufState *bs = &run->bufs[i];
    const BufferParams *b = &s->buffers[i];
    if (b->kind == BUF_FIFO) {
        for (size_t j = 0; j < s->n_streams; j++)
            for (size_t k = 0; k < s->streams[j].n_ops; k++) {
                const OpParams *o = &s->streams[j].ops[k];
                if (o->src == (int)i)
                    bs->feed_len += o->len * o->repeat;
            }
        bs->feed = malloc(bs->feed_len ? bs->feed_len : 1);
        if (!bs->feed)
            abort();
        pattern(s->seed, i, bs->feed, bs->feed_len);
        Regions *rg = platform_regions(run->p, bs->comp);
        fifo_feed(regions_fifo(rg, bs->region), bs->feed, bs->feed_len);
        return true;
    }
    bs->intended = malloc(b->size);
    if (!bs->intended)
        abort();
    pattern(s->seed, i, bs->intended, b->size);
    PieceCtx pc = {run->o, bs->intended};
    if (!each_piece(run->k, bs->ab.va, b->size, poke_piece, &pc))
        return fatal(d, b, "the buffer is not wholly in one memory region");
    return true;
}

/* ---- running operations ---------------------------------------------------- */

static void op_begin(Sim *sim, void *opaque);
static void next_step(Stream *st);

static const OpParams *cur_op(const Stream *st)
{
    return &st->sp->ops[st->op];
}

static void bus_error(Stream *st, const char *who, const char *why)
{
    char b[500];
    snprintf(b, sizeof b, "%s: %s", who, why);
    add_reason(st->run, "bus", b);
    st->reports[st->op].bus_errors++;
    st->run->r->bus_errors++;
    st->failed = true;
}

/* The oracle's verdict on the operation just finished. */
static void judge(Stream *st)
{
    Run *run = st->run;
    const OpParams *o = cur_op(st);
    BufState *dst = &run->bufs[o->dst];
    OpReport *rep = &st->reports[st->op];
    uint64_t ok = 0;
    if (dst->ab.fifo_unit) {
        uint64_t n;
        Regions *rg = platform_regions(run->p, dst->comp);
        const uint8_t *log = fifo_written(regions_fifo(rg, dst->region), &n);
        const uint8_t *want = dst->expect + dst->expect_len - o->len;
        for (uint64_t i = 0; i < o->len && st->fifo_mark + i < n; i++)
            ok += log[st->fifo_mark + i] == want[i];
    } else {
        uint8_t *got = malloc(o->len);
        if (!got)
            abort();
        PieceCtx pc = {run->o, got};
        if (each_piece(run->k, dst->ab.va + o->to_offset, o->len, peek_piece,
                       &pc)) {
            const uint8_t *want = dst->intended + o->to_offset;
            for (uint64_t i = 0; i < o->len; i++)
                ok += got[i] == want[i];
        }
        free(got);
    }
    rep->bytes_ok += ok;
    rep->bytes_wrong += o->len - ok;
    run->r->bytes_ok += ok;
    run->r->bytes_wrong += o->len - ok;
}

static bool drained(const Stream *st)
{
    const Run *run = st->run;
    return !platform_posted_pending(run->p, run->s->cpu) &&
           (st->plan.engine < 0 ||
            !platform_posted_pending(run->p, st->plan.engine));
}

static void op_finish(Sim *sim, void *opaque)
{
    Stream *st = opaque;
    Run *run = st->run;
    if (st->plan.engine >= 0)
        run->in_flight[st->plan.engine]--;
    judge(st);
    st->reports[st->op].bounce_bytes += st->plan.bounce_bytes;
    run->r->bounce_bytes += st->plan.bounce_bytes;
    run->last_end = sim_now(sim);
    plan_free(&st->plan);
    if (++st->rep == cur_op(st)->repeat) {
        st->rep = 0;
        st->op++;
    }
    sim_at(sim, sim_now(sim), op_begin, st);
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

static void drain_watch(void *opaque, int master)
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

/* What the operation means: the destination should end up holding what
 * the source holds now. */
static void intend(Stream *st)
{
    Run *run = st->run;
    const OpParams *o = cur_op(st);
    BufState *src = &run->bufs[o->src], *dst = &run->bufs[o->dst];
    const uint8_t *from;
    if (src->feed) {
        from = src->feed + src->feed_pos;
        src->feed_pos += o->len;
    } else {
        from = src->intended + o->from_offset;
    }
    if (dst->ab.fifo_unit) {
        dst->expect = realloc(dst->expect, dst->expect_len + o->len);
        if (!dst->expect)
            abort();
        memcpy(dst->expect + dst->expect_len, from, o->len);
        dst->expect_len += o->len;
        uint64_t n;
        fifo_written(regions_fifo(platform_regions(run->p, dst->comp),
                                  dst->region),
                     &n);
        st->fifo_mark = n;
    } else {
        memmove(dst->intended + o->to_offset, from, o->len);
    }
}

static void op_begin(Sim *sim, void *opaque)
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
    rep->runs++;
    run->r->bytes_moved += o->len;
    intend(st);
    plan_init(&st->plan);
    st->failed = false;
    st->step = 0;
    if (src->broken || dst->broken)
        plan_refuse(&st->plan, "dma_alloc_coherent: %s",
                    src->broken ? src->broken : dst->broken);
    else
        dma_api_plan(run->api, &st->ctx, &aop, &st->plan);
    if (rep->runs == 1) {
        rep->engine = st->plan.engine;
        snprintf(rep->choice, sizeof rep->choice, "%s", st->plan.choice);
    }
    if (st->plan.refused) {
        add_reason(run, "api", st->plan.reason);
        rep->api_errors++;
        run->r->api_errors++;
        st->plan.engine = ENGINE_CPU;
        op_end(st);
        return;
    }
    if (st->plan.engine >= 0)
        run->in_flight[st->plan.engine]++;
    next_step(st);
}

static void cpu_done(Sim *sim, CpuOp *op, void *opaque)
{
    (void)sim;
    Stream *st = opaque;
    if (op->result != ROUTE_OK)
        bus_error(st, st->run->t->comps[st->run->s->cpu].name,
                  op->io.route.reason);
    next_step(st);
}

static void copy_piece(Stream *st);

static void copy_done(Sim *sim, CpuOp *op, void *opaque)
{
    (void)sim;
    Stream *st = opaque;
    if (op->result != ROUTE_OK) {
        bus_error(st, st->run->t->comps[st->run->s->cpu].name,
                  op->io.route.reason);
        next_step(st);
        return;
    }
    st->copy_off += op->len;
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
    if (!kmem_walk(run->k, sva, &spa, &srun, NULL) ||
        !kmem_walk(run->k, dva, &dpa, &drun, NULL)) {
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
                     (ps->dst_fixed ? CPU_COPY_DST_FIXED : 0);
    cpu_memcpy_io(run->p, run->s->cpu, dpa, spa, n, flags, ps->unit, &st->cpu,
                  copy_done, st);
}

static void dma_done(Sim *sim, DmaXfer *x, void *opaque)
{
    (void)sim;
    Stream *st = opaque;
    if (x->result != ROUTE_OK)
        bus_error(st, st->run->t->comps[st->plan.engine].name,
                  x->io.route.reason);
    next_step(st);
}

static void call_done(Sim *sim, CpuOp *op, void *opaque)
{
    (void)sim;
    (void)op;
    Stream *st = opaque;
    if (--st->calls_left)
        cpu_call(st->run->p, st->run->s->cpu, &st->cpu, call_done, st);
    else
        next_step(st);
}

static void next_step(Stream *st)
{
    Run *run = st->run;
    if (st->failed || st->step == st->plan.n_steps) {
        op_end(st);
        return;
    }
    const PlanStep *ps = &st->plan.steps[st->step++];
    int cpu = run->s->cpu;
    switch (ps->kind) {
    case STEP_CALL:
        st->calls_left = ps->calls;
        cpu_call(run->p, cpu, &st->cpu, call_done, st);
        break;
    case STEP_CACHE:
        cpu_cache(run->p, cpu, ps->cache, ps->dst, ps->len, &st->cpu,
                  cpu_done, st);
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
        dma_submit(run->p, ps->master, &st->dx);
        break;
    }
    }
}

/* ---- a run ------------------------------------------------------------------- */

static void free_run(Run *run)
{
    for (size_t i = 0; run->bufs && i < run->s->n_buffers; i++) {
        free(run->bufs[i].broken);
        free(run->bufs[i].intended);
        free(run->bufs[i].feed);
        free(run->bufs[i].expect);
    }
    if (run->streams)
        for (size_t i = 0; i < run->s->n_streams; i++)
            plan_free(&run->streams[i].plan);
    free(run->bufs);
    free(run->streams);
    free(run->in_flight);
    oracle_free(run->o);
    kmem_free(run->k);
    platform_free(run->p);
}

/* Every write to an operation's destination is expected. */
static void allow_destinations(Run *run)
{
    const Scenario *s = run->s;
    for (size_t j = 0; j < s->n_streams; j++)
        for (size_t k = 0; k < s->streams[j].n_ops; k++) {
            const OpParams *o = &s->streams[j].ops[k];
            BufState *d = &run->bufs[o->dst];
            if (d->ab.fifo_unit) {
                oracle_allow_region(run->o, d->comp, d->region);
            } else {
                PieceCtx pc = {run->o, NULL};
                each_piece(run->k, d->ab.va + o->to_offset, o->len,
                           allow_piece, &pc);
            }
        }
}

bool run_scheme(const Scenario *s, const DmaApi *api, SchemeResult *r,
                Diag *d)
{
    const Topology *t = s->topo;
    memset(r, 0, sizeof *r);
    r->scheme = api->name;
    Run run = {.s = s, .api = api, .t = t, .r = r};
    char err[300];
    run.k = kmem_new(t, s->cpu, s->seed, err, sizeof err);
    if (!run.k) {
        diag_add(d, SEV_FATAL, "input", s->topology_pos, s->topology_path,
                 NULL, NULL, "%s", err);
        return false;
    }
    run.p = platform_new(t);
    run.sim = platform_sim(run.p);
    run.o = oracle_new(run.p, s->cpu);
    platform_watch_drain(run.p, drain_watch, &run);
    run.in_flight = calloc(t->n_comps, sizeof *run.in_flight);
    run.bufs = calloc(s->n_buffers ? s->n_buffers : 1, sizeof *run.bufs);
    run.streams = calloc(s->n_streams, sizeof *run.streams);
    size_t n_ops = 0;
    for (size_t i = 0; i < s->n_streams; i++)
        n_ops += s->streams[i].n_ops;
    r->ops = calloc(n_ops ? n_ops : 1, sizeof *r->ops);
    r->n_ops = n_ops;
    r->n_buses = t->n_buses;
    r->bus_util = calloc(t->n_buses ? t->n_buses : 1, sizeof *r->bus_util);
    if (!run.in_flight || !run.bufs || !run.streams || !r->ops ||
        !r->bus_util)
        abort();
    size_t base = 0;
    for (size_t i = 0; i < s->n_streams; i++) {
        Stream *st = &run.streams[i];
        st->run = &run;
        st->idx = i;
        st->sp = &s->streams[i];
        st->reports = r->ops + base;
        for (size_t k = 0; k < st->sp->n_ops; k++) {
            st->reports[k].op = &st->sp->ops[k];
            st->reports[k].stream = st->sp->name;
        }
        base += st->sp->n_ops;
        st->ctx = (ApiCtx){t, run.k, s->cpu, run.in_flight, scratch, st};
    }
    bool ok = true;
    for (size_t i = 0; ok && i < s->n_buffers; i++)
        ok = place_buffer(&run, i, d);
    for (size_t i = 0; ok && i < s->n_buffers; i++)
        ok = fill_buffer(&run, i, d);
    if (!ok) {
        free_run(&run);
        scheme_result_free(r);
        return false;
    }
    allow_destinations(&run);
    run.streams_left = s->n_streams;
    for (size_t i = 0; i < s->n_streams; i++)
        sim_at(run.sim, 0, op_begin, &run.streams[i]);
    sim_run(run.sim);
    if (run.streams_left) {
        fprintf(stderr,
                "dmasim: internal error: %zu stream(s) of %s never finished "
                "under %s\n",
                run.streams_left, s->name, api->name);
        abort();
    }
    r->bytes_misdirected = oracle_misdirected(run.o);
    snprintf(r->misdirected_at, sizeof r->misdirected_at, "%s",
             oracle_first_misdirected(run.o));
    r->posted_lost = platform_posted_errors(run.p);
    r->sim_time = run.last_end - run.first_start;
    r->events = sim_events_run(run.sim);
    r->throughput_MBps =
        r->sim_time ? (double)r->bytes_moved * 1e6 / (double)r->sim_time : 0;
    for (size_t b = 0; b < t->n_buses; b++)
        r->bus_util[b] = r->sim_time ? (double)platform_bus_busy(run.p, (int)b) /
                                           (double)r->sim_time
                                     : 0;
    r->correct = !r->bytes_wrong && !r->bytes_misdirected && !r->bus_errors &&
                 !r->api_errors;
    r->silent = !r->correct && !r->bus_errors && !r->api_errors;
    free_run(&run);
    return true;
}

/* ---- expectations --------------------------------------------------------- */

bool expect_check(const Scenario *s, const SchemeResult *r, char *why,
                  size_t n)
{
    const ExpectParams *e = scenario_expect(s, r->scheme);
    why[0] = '\0';
    if (!e)
        return true;
    double mbps = r->throughput_MBps;
    if (e->has_correct && e->correct != r->correct)
        snprintf(why, n, "correct is %s, expected %s",
                 r->correct ? "true" : "false", e->correct ? "true" : "false");
    else if (e->has_silent && e->silent != r->silent)
        snprintf(why, n, "silent is %s, expected %s",
                 r->silent ? "true" : "false", e->silent ? "true" : "false");
    else if (e->has_api_errors && e->api_errors != r->api_errors)
        snprintf(why, n, "%llu API errors, expected %llu",
                 (unsigned long long)r->api_errors,
                 (unsigned long long)e->api_errors);
    else if (e->has_bus_errors && e->bus_errors != r->bus_errors)
        snprintf(why, n, "%llu bus errors, expected %llu",
                 (unsigned long long)r->bus_errors,
                 (unsigned long long)e->bus_errors);
    else if (e->min_throughput && mbps * 1e6 < (double)e->min_throughput)
        snprintf(why, n, "throughput %.1f MB/s, expected at least %.1f MB/s",
                 mbps, (double)e->min_throughput / 1e6);
    else if (e->max_throughput && mbps * 1e6 > (double)e->max_throughput)
        snprintf(why, n, "throughput %.1f MB/s, expected at most %.1f MB/s",
                 mbps, (double)e->max_throughput / 1e6);
    else if (e->engine.name) {
        int want = strcmp(e->engine.name, "cpu")
                       ? topo_find_comp(s->topo, e->engine.name)
                       : ENGINE_CPU;
        if (want == s->cpu)
            want = ENGINE_CPU;
        for (size_t i = 0; i < r->n_ops && !why[0]; i++)
            if (r->ops[i].runs > r->ops[i].api_errors &&
                r->ops[i].engine != want)
                snprintf(why, n, "%s ran on %s, expected %s",
                         r->ops[i].op->path,
                         r->ops[i].engine >= 0
                             ? s->topo->comps[r->ops[i].engine].name
                             : "cpu",
                         e->engine.name);
    }
    return !why[0];
}
