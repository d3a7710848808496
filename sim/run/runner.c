#include "sim/run/runner.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/regions.h"
#include "sim/hw/kinds.h"
#include "sim/core/rng.h"
#include "sim/run/runner_int.h"
#include "sim/run/trace.h"
#include "sim/core/units.h"

/* ---- results ------------------------------------------------------------ */

/* Distinct messages kept; the rest are counted under one line per kind
 * (messages name addresses, so millions of failing operations could
 * otherwise keep millions of them). */
#define RUN_MAX_REASONS 100

void run_add_reason(Run *run, const char *kind, const char *text)
{
    SchemeResult *r = run->r;
    if (r->n_reasons >= RUN_MAX_REASONS)
        text = "(and more, with other messages)";
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
    hist_free(&r->latency);
    for (size_t i = 0; i < r->n_streams; i++)
        hist_free(&r->streams[i].latency);
    free(r->streams);
    memset(r, 0, sizeof *r);
}

double stream_throughput_MBps(const StreamReport *sr)
{
    SimTime t = sr->last_end - sr->first_start;
    return t ? (double)sr->bytes_moved * 1e6 / (double)t : 0;
}

/* ---- memory through the page tables ------------------------------------- */

bool run_each_place(Run *run, const BufState *bs, uint64_t off, uint64_t len,
                    PlaceFn *fn, void *ctx)
{
    if (bs->placed) {
        Place pl = {bs->comp, bs->region, bs->place_off + off};
        return fn(ctx, &pl, 0, len);
    }
    for (uint64_t o = 0; o < len;) {
        uint64_t pa, run_len;
        Place pl;
        if (!kmem_walk(run->k, bs->ab.va + off + o, &pa, &run_len, NULL))
            return false;
        uint64_t n = len - o < run_len ? len - o : run_len;
        if (!oracle_locate(run->o, pa, n, &pl) || !fn(ctx, &pl, o, n))
            return false;
        o += n;
    }
    return true;
}

bool run_peek_place(void *c, const Place *pl, uint64_t off, uint64_t n)
{
    PieceCtx *p = c;
    return oracle_peek_at(p->o, pl, p->buf + off, n);
}

static bool allow_place(void *c, const Place *pl, uint64_t off, uint64_t n)
{
    (void)off;
    oracle_allow_at(((PieceCtx *)c)->o, pl, n);
    return true;
}

/* ---- buffers ------------------------------------------------------------ */

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

/* Word k of buffer idx's pattern is the k-th draw of a generator seeded
 * from the scenario's seed and the buffer, little-endian. */
void run_pattern(void *ctx, uint64_t from, uint8_t *buf, uint64_t n)
{
    const Pattern *p = ctx;
    uint64_t st = p->seed * 0x100000001B3ULL + p->idx + 1;
    uint64_t i = 0;
    /* a partial word first, then whole words, then a partial one */
    while (i < n && (from + i) % 8) {
        uint64_t at = from + i;
        buf[i++] = (uint8_t)(rng_at(st, at / 8) >> (8 * (at % 8)));
    }
    for (uint64_t k = (from + i) / 8; n - i >= 8; i += 8, k++) {
        uint64_t v = rng_at(st, k);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        memcpy(buf + i, &v, 8); /* the word, little-endian */
#else
        for (unsigned j = 0; j < 8; j++)
            buf[i + j] = (uint8_t)(v >> (8 * j));
#endif
    }
    for (; i < n; i++) {
        uint64_t at = from + i;
        buf[i] = (uint8_t)(rng_at(st, at / 8) >> (8 * (at % 8)));
    }
}

/* The pattern under a piece of a buffer in memory. */
typedef struct FillCtx {
    Oracle *o;
    Pattern *pat;
} FillCtx;

static bool fill_place(void *c, const Place *pl, uint64_t off, uint64_t n)
{
    FillCtx *f = c;
    return oracle_fill_at(f->o, pl, n, run_pattern, f->pat, off);
}

static bool place_buffer(Run *run, size_t i, Diag *d)
{
    const Scenario *s = run->s;
    const BufferParams *b = &s->buffers[i];
    BufState *bs = &run->bufs[i];
    ApiBuffer *ab = &bs->ab;
    char err[300];
    uint64_t pa;
    ab->name = b->name;
    ab->size = b->size;
    ab->handle_dev = -1;
    switch (b->kind) {
    case BUF_KMALLOC:
    case BUF_VMALLOC:
    case BUF_HIGHMEM: {
        if (b->has_phys &&
            !kmem_place_next(run->k, b->phys, b->size, err, sizeof err))
            return fatal(d, b, "%s", err);
        MemClass c = b->kind == BUF_KMALLOC   ? MEM_KMALLOC
                     : b->kind == BUF_VMALLOC ? MEM_VMALLOC
                                              : MEM_HIGHMEM;
        if (b->align) {
            /* a small object beside the ones before it, at the alignment
             * the driver asks for or the scheme's kernel gives */
            uint64_t min = run->api->kmalloc_minalign
                               ? run->api->kmalloc_minalign(
                                     &run->streams[0].ctx)
                               : 0;
            if (!kmem_alloc_packed(run->k, b->size,
                                   b->align > min ? b->align : min, &ab->va,
                                   &pa, err, sizeof err))
                return fatal(d, b, "%s", err);
            ab->cls = MEM_LINEAR;
            break;
        }
        if (!kmem_alloc_in(run->k, c, (KmemZone)b->zone, UINT64_MAX, b->size,
                           &ab->va, &pa, err, sizeof err))
            return fatal(d, b, "%s", err);
        ab->cls = c == MEM_KMALLOC ? MEM_LINEAR : c;
        break;
    }
    case BUF_COHERENT: {
        ApiCtx *ctx = &run->streams[0].ctx;
        if (b->has_phys &&
            !kmem_place_next(run->k, b->phys, b->size, err, sizeof err))
            return fatal(d, b, "%s", err);
        kmem_zone_next(run->k, (KmemZone)b->zone);
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
        uint64_t size = b->kind == BUF_FIFO ? c->regions[b->region].size_bytes
                                            : b->size, run_len;
        /* ioremap() takes the address the kernel's resource map gives
         * the region (which may need a window programmed to reach). */
        if (!swview_resource(run->sw, b->comp, b->region, b->offset, &pa,
                             &run_len) &&
            !swview_master_addr(run->sw, s->cpu, b->comp, b->region,
                                b->offset, size, &pa, &run_len, err,
                                sizeof err))
            return fatal(d, b, "%s has no address for region %d of %s, so "
                               "it cannot ioremap it: %s",
                         run->t->comps[s->cpu].name, b->region, c->name,
                         err);
        if (run_len < size)
            return fatal(d, b, "%s reaches region %d of %s through more "
                               "than one window, so it cannot ioremap it "
                               "in one piece",
                         run->t->comps[s->cpu].name, b->region, c->name);
        if (!kmem_ioremap(run->k, pa, size, &ab->va, err, sizeof err))
            return fatal(d, b, "%s", err);
        ab->cls = MEM_IOREMAP;
        bs->comp = b->comp;
        bs->region = b->region;
        bs->placed = b->kind == BUF_MMIO;
        bs->place_off = b->offset;
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
 * reads from as many bytes as it reads: computed where something reads
 * it, so a buffer of a gigabyte costs what the workload touches. */
static bool fill_buffer(Run *run, size_t i, Diag *d)
{
    const Scenario *s = run->s;
    BufState *bs = &run->bufs[i];
    const BufferParams *b = &s->buffers[i];
    bs->pat = (Pattern){s->seed, i};
    if (b->kind == BUF_FIFO) {
        for (size_t j = 0; j < s->n_streams; j++)
            for (size_t k = 0; k < s->streams[j].n_ops; k++) {
                const OpParams *o = &s->streams[j].ops[k];
                if (o->src == (int)i)
                    bs->feed_len += o->len * o->repeat;
            }
        Regions *rg = platform_regions(run->p, bs->comp);
        fifo_feed_fn(regions_fifo(rg, bs->region), bs->feed_len, run_pattern,
                     &bs->pat);
        return true;
    }
    bs->intended = store_new(b->size);
    store_fill(bs->intended, 0, b->size, run_pattern, &bs->pat, 0);
    /* memory the CPU caches holds other bytes until the driver's stores
     * reach it: its pattern is in the driver's hands (run_driver_fill) */
    bs->before = (Pattern){s->seed ^ 0xC0FFEE5EEDULL, i};
    FillCtx fc = {run->o, run_cached(run, bs) ? &bs->before : &bs->pat};
    if (!run_each_place(run, bs, 0, b->size, fill_place, &fc))
        return fatal(d, b, "the buffer is not wholly in one memory region");
    return true;
}

/* ---- a run -------------------------------------------------------------- */

static void free_run(Run *run)
{
    for (size_t i = 0; run->bufs && i < run->s->n_buffers; i++) {
        free(run->bufs[i].broken);
        store_free(run->bufs[i].intended);
    }
    if (run->streams)
        for (size_t i = 0; i < run->s->n_streams; i++)
        {
            plan_free(&run->streams[i].plan);
            free(run->streams[i].uses_bus);
            free(run->streams[i].marks); /* the oracle frees each */
            free(run->streams[i].fifo_want);
        }
    free(run->bufs);
    free(run->streams);
    free(run->waiting);
    free(run->in_flight);
    free(run->bus_load);
    oracle_free(run->o);
    swiotlb_free(run->swiotlb);
    kmem_free(run->k);
    swview_free(run->sw);
    platform_free(run->p);
}

/* Every write to an operation's destination is expected, and the
 * kernel's own to the bridges' window registers. */
static void allow_destinations(Run *run)
{
    const Scenario *s = run->s;
    for (size_t c = 0; c < run->t->n_comps; c++)
        if (run->t->comps[c].bridge)
            for (size_t r = 0; r < run->t->comps[c].n_regions; r++)
                oracle_allow_region(run->o, (int)c, (int)r);
    for (size_t j = 0; j < s->n_streams; j++)
        for (size_t k = 0; k < s->streams[j].n_ops; k++) {
            const OpParams *o = &s->streams[j].ops[k];
            BufState *d = &run->bufs[o->dst];
            if (d->ab.fifo_unit) {
                oracle_allow_region(run->o, d->comp, d->region);
            } else {
                PieceCtx pc = {run->o, NULL};
                run_each_place(run, d, o->to_offset, o->len, allow_place,
                               &pc);
            }
        }
}

bool run_scheme(const Scenario *s, const DmaApi *api, SchemeResult *r,
                Diag *d)
{
    return run_scheme_with(s, api, r, d, NULL);
}

bool run_scheme_with(const Scenario *s, const DmaApi *api, SchemeResult *r,
                     Diag *d, const RunHooks *hooks)
{
    struct Trace *trace = hooks ? hooks->trace : NULL;
    const Topology *t = s->topo;
    memset(r, 0, sizeof *r);
    r->scheme = api->name;
    Run run = {.s = s, .api = api, .t = t, .r = r, .trace = trace,
               .hooks = hooks};
    for (size_t i = 0; i < s->n_streams; i++)
        for (size_t j = 0; j < s->streams[i].n_ops; j++)
            run.runs_total += s->streams[i].ops[j].repeat;
    char err[300];
    run.sw = swview_new(t, s->cpu);
    run.k = kmem_new(run.sw, s->seed, err, sizeof err);
    if (!run.k) {
        swview_free(run.sw);
        diag_add(d, SEV_FATAL, "input", s->topology_pos, s->topology_path,
                 NULL, NULL, "%s", err);
        return false;
    }
    /* the scheme's kernel boots first (Linux's swiotlb pool) */
    ApiCtx boot_ctx = {.t = t, .sw = run.sw, .kmem = run.k, .cpu = s->cpu};
    if (api->boot && !api->boot(&boot_ctx, &run.swiotlb, err, sizeof err)) {
        kmem_free(run.k);
        swview_free(run.sw);
        diag_add(d, SEV_FATAL, "input", s->topology_pos, s->topology_path,
                 NULL, NULL, "under %s: %s", api->name, err);
        return false;
    }
    run.p = platform_new(t);
    run.sim = platform_sim(run.p);
    run.o = oracle_new(run.p, s->cpu);
    if (run.swiotlb) /* the pool is the kernel's own */
        oracle_allow(run.o, swiotlb_pa(run.swiotlb),
                     (uint64_t)swiotlb_slots(run.swiotlb) * SWIOTLB_SLOT);
    /* at boot, the kernel's memory for the IOMMUs' tables in memory */
    for (size_t c = 0; c < t->n_comps; c++) {
        const IommuParams *io =
            t->comps[c].bridge ? &t->comps[c].bridge->iommu : NULL;
        uint64_t va, pa, size = io ? io->pages * 4 * io->writes : 0;
        if (!io || !io->table_in_memory)
            continue;
        if (!kmem_alloc(run.k, MEM_KMALLOC, size, &va, &pa, err,
                        sizeof err)) {
            diag_add(d, SEV_FATAL, "input", io->pos, io->path, NULL, NULL,
                     "no memory for %s's IOMMU page table: %s",
                     t->comps[c].name, err);
            oracle_free(run.o);
            platform_free(run.p);
            kmem_free(run.k);
            swview_free(run.sw);
            swiotlb_free(run.swiotlb);
            return false;
        }
        swview_set_iommu_table(run.sw, (int)c, pa);
        oracle_allow(run.o, pa, size);
    }
    platform_watch_drain(run.p, run_drain_watch, &run);
    if (trace) {
        trace_begin(trace, api->name, t);
        platform_trace_bursts(run.p, trace_burst, trace);
    }
    run.in_flight = calloc(t->n_comps, sizeof *run.in_flight);
    run.bus_load = calloc(t->n_buses, sizeof *run.bus_load);
    run.bufs = calloc(s->n_buffers ? s->n_buffers : 1, sizeof *run.bufs);
    run.streams = calloc(s->n_streams, sizeof *run.streams);
    size_t n_ops = 0;
    for (size_t i = 0; i < s->n_streams; i++)
        n_ops += s->streams[i].n_ops;
    r->ops = calloc(n_ops ? n_ops : 1, sizeof *r->ops);
    r->streams = calloc(s->n_streams ? s->n_streams : 1, sizeof *r->streams);
    r->n_streams = s->n_streams;
    if (!r->ops || !r->streams)
        abort();
    r->n_ops = n_ops;
    r->n_buses = t->n_buses;
    r->bus_util = calloc(t->n_buses ? t->n_buses : 1, sizeof *r->bus_util);
    if (!run.in_flight || !run.bus_load || !run.bufs || !run.streams || !r->ops ||
        !r->bus_util)
        abort();
    size_t base = 0;
    for (size_t i = 0; i < s->n_streams; i++) {
        Stream *st = &run.streams[i];
        st->run = &run;
        st->idx = i;
        st->sp = &s->streams[i];
        st->reports = r->ops + base;
        st->srep = &r->streams[i];
        st->srep->name = st->sp->name;
        for (size_t k = 0; k < st->sp->n_ops; k++) {
            st->reports[k].op = &st->sp->ops[k];
            st->reports[k].stream = st->sp->name;
        }
        base += st->sp->n_ops;
        st->mover = -1;
        st->uses_bus = calloc(t->n_buses, sizeof *st->uses_bus);
        if (!st->uses_bus)
            abort();
        st->ctx = (ApiCtx){.t = t, .sw = run.sw, .kmem = run.k,
                           .cpu = s->cpu,
                           .in_flight = run.in_flight,
                           .bus_load = run.bus_load, .scratch = run_scratch,
                           .opaque = st, .swiotlb = run.swiotlb};
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
        sim_at(run.sim, 0, run_op_begin, &run.streams[i]);
    sim_run(run.sim);
    if (sim_past_end(run.sim) || run.streams_left) {
        /* Reported, never aborted: the run cannot be finished.  At the
         * first stream that did not finish. */
        const StreamParams *sp = s->streams;
        for (size_t i = 0; i < s->n_streams; i++)
            if (run.streams[i].op < s->streams[i].n_ops) {
                sp = &s->streams[i];
                break;
            }
        if (sim_past_end(run.sim))
            diag_add(d, SEV_FATAL, "input", sp->pos, sp->path, NULL, NULL,
                     "under %s the run needs more than 2^64 ps (about 213 "
                     "days) of simulated time, the simulator's limit: a "
                     "clock that slow or a workload that long cannot run",
                     api->name);
        else
            diag_add(d, SEV_FATAL, "input", sp->pos, sp->path, NULL, NULL,
                     "internal error: %zu stream(s) never finished under "
                     "%s (the simulated hardware stopped with work "
                     "outstanding); please report this scenario",
                     run.streams_left, api->name);
        free_run(&run);
        scheme_result_free(r);
        return false;
    }
    for (size_t i = 0; i < s->n_streams; i++)
        hist_merge(&r->latency, &r->streams[i].latency);
    if (hooks && hooks->progress)
        hooks->progress(hooks->progress_ctx, api->name, run.runs_done,
                        run.runs_total);
    run_busy_check(&run);
    r->bytes_misdirected = oracle_misdirected(run.o) + run.cache_lost;
    snprintf(r->misdirected_at, sizeof r->misdirected_at, "%s",
             oracle_first_misdirected(run.o));
    r->posted_lost = platform_posted_errors(run.p);
    r->sim_time = run.last_end - run.first_start;
    r->events = sim_events_run(run.sim);
    r->events_inline = sim_events_advanced(run.sim);
    r->bursts = platform_bursts(run.p);
    r->throughput_MBps =
        r->sim_time ? (double)r->bytes_moved * 1e6 / (double)r->sim_time : 0;
    r->dma_bytes = run.dma_bytes;
    r->dma_busy = run.dma_busy;
    r->dma_throughput_MBps =
        r->dma_busy ? (double)r->dma_bytes * 1e6 / (double)r->dma_busy : 0;
    for (size_t b = 0; b < t->n_buses; b++)
        r->bus_util[b] =
            r->sim_time ? (double)platform_bus_busiest(run.p, (int)b) /
                              (double)r->sim_time
                        : 0;
    r->correct = !r->bytes_wrong && !r->bytes_misdirected && !r->bus_errors &&
                 !r->api_errors;
    r->silent = !r->correct && !r->bus_errors && !r->api_errors;
    free_run(&run);
    return true;
}

bool run_schemes(const Scenario *s, char *const *only, size_t n_only,
                 SchemeResult *res, char **why, size_t *n, Diag *d,
                 const RunHooks *hooks)
{
    *n = 0;
    for (size_t i = 0; i < s->n_schemes && *n < RUN_MAX_SCHEMES; i++) {
        bool want = !n_only;
        for (size_t j = 0; j < n_only; j++)
            want |= !strcmp(only[j], s->schemes[i]);
        if (!want)
            continue;
        const DmaApi *api = dma_api_find(s->schemes[i]);
        if (!run_scheme_with(s, api, &res[*n], d, hooks))
            return false;
        why[*n] = calloc(1, 300);
        if (!why[*n])
            abort();
        expect_check(s, &res[*n], why[*n], 300);
        (*n)++;
    }
    return true;
}

void run_schemes_free(SchemeResult *res, char **why, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        scheme_result_free(&res[i]);
        free(why[i]);
    }
}

/* ---- expectations ------------------------------------------------------- */

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
