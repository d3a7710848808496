/* The platform: its life cycle, and the path every transaction takes,
 * hop by hop and burst by burst (docs/timing.md).  The buses' queues and
 * the bus formula are in sim/hw/arbiter.c; what reads add (pieces,
 * polling, split completions) in sim/hw/reads.c; what bridges do besides
 * passing a transaction on is the bridge model's (models/bridge_flow.c,
 * through its BridgeOps). */
#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "sim/hw/platform_int.h"

/* Under AddressSanitizer a route back in the pool is poisoned, so that a
 * transaction reading its route after its last holder dropped it stops
 * the sanitizer build rather than reading another's. */
#if defined(__SANITIZE_ADDRESS__)
#define POOL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_ASAN 1
#endif
#endif
#ifdef POOL_ASAN
#include <sanitizer/asan_interface.h>
#define POOL_POISON(a, n) ASAN_POISON_MEMORY_REGION(a, n)
#define POOL_UNPOISON(a, n) ASAN_UNPOISON_MEMORY_REGION(a, n)
#else
#define POOL_POISON(a, n) ((void)(a), (void)(n))
#define POOL_UNPOISON(a, n) ((void)(a), (void)(n))
#endif

Platform *platform_new(const Topology *t)
{
    Platform *p = calloc(1, sizeof *p);
    if (!p)
        abort();
    p->t = t;
    p->sim = sim_new();
    const char *nc = getenv("DMASIM_NO_COALESCE");
    p->coalesce = !nc || !*nc || !strcmp(nc, "0");
    /* Per bus a read path [b] and a write path [n_buses + b]; buses
     * without split_read_write use only the first. */
    p->ws = winstate_new(t);
    p->buses = calloc(2 * t->n_buses + 1, sizeof *p->buses);
    p->models = calloc(t->n_comps ? t->n_comps : 1, sizeof *p->models);
    p->posted_pending = calloc(t->n_comps ? t->n_comps : 1,
                               sizeof *p->posted_pending);
    if (!p->buses || !p->models || !p->posted_pending)
        abort();
    for (size_t i = 0; i < 2 * t->n_buses; i++) {
        p->buses[i].p = p;
        p->buses[i].idx = (int)(i % t->n_buses);
        p->buses[i].last_granted = -1;
    }
    for (size_t i = 0; i < t->n_comps; i++)
        if (t->comps[i].kind->model_new)
            p->models[i] = t->comps[i].kind->model_new(&t->comps[i]);
    return p;
}

void platform_free(Platform *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->t->n_comps; i++)
        if (p->models[i])
            p->t->comps[i].kind->model_free(p->models[i]);
    free(p->models);
    free(p->posted_pending);
    for (PostedCopy *c = p->posted_all, *next; c; c = next) {
        next = c->all;
        free(c->data);
        free(c->in.piece);
        free(c);
    }
    plat_reads_free(p);
    for (PooledRoute *r = p->route_all, *next; r; r = next) {
        next = r->all;
        POOL_UNPOISON(&r->r, sizeof r->r);
        free(r);
    }
    for (size_t i = 0; i < 2 * p->t->n_buses; i++)
        free(p->buses[i].q);
    free(p->buses);
    sim_free(p->sim);
    winstate_free(p->ws);
    free(p);
}

Sim *platform_sim(Platform *p) { return p->sim; }
const Topology *platform_topology(const Platform *p) { return p->t; }
void *platform_model(Platform *p, int comp) { return p->models[comp]; }

struct Regions *platform_regions(Platform *p, int comp)
{
    const CompParams *c = &p->t->comps[comp];
    return c->kind->regions && p->models[comp]
               ? c->kind->regions(p->models[comp])
               : NULL;
}

struct DmaEngine *platform_engine(Platform *p, int comp)
{
    const CompParams *c = &p->t->comps[comp];
    return c->kind->engine && p->models[comp] ? c->kind->engine(p->models[comp])
                                              : NULL;
}

uint64_t platform_posted_pending(const Platform *p, int master)
{
    return p->posted_pending[master];
}

void platform_watch_drain(Platform *p, DrainWatchFn *fn, void *opaque)
{
    p->drain_watch = fn;
    p->drain_opaque = opaque;
}

void platform_trace_bursts(Platform *p, BurstTraceFn *fn, void *opaque)
{
    p->trace = fn;
    p->trace_opaque = opaque;
}

void platform_watch_writes(Platform *p, WriteWatchFn *fn, void *opaque)
{
    p->watch = fn;
    p->watch_opaque = opaque;
}

/* Both data paths of a bus together. */
SimTime platform_bus_busy(const Platform *p, int bus)
{
    return p->buses[bus].busy_time + p->buses[p->t->n_buses + bus].busy_time;
}

SimTime platform_bus_busiest(const Platform *p, int bus)
{
    SimTime r = p->buses[bus].busy_time;
    SimTime w = p->buses[p->t->n_buses + bus].busy_time;
    return r > w ? r : w;
}

uint64_t platform_bus_bytes(const Platform *p, int bus)
{
    return p->buses[bus].bytes + p->buses[p->t->n_buses + bus].bytes;
}

uint64_t platform_bus_retries(const Platform *p, int bus)
{
    return p->buses[bus].retries + p->buses[p->t->n_buses + bus].retries;
}

uint64_t platform_bus_splits(const Platform *p, int bus)
{
    return p->buses[bus].splits + p->buses[p->t->n_buses + bus].splits;
}

uint64_t platform_posted_errors(const Platform *p) { return p->posted_errors; }

/* ---- routes ---------------------------------------------------------------- */

Route *plat_route_get(Platform *p, Xact *x)
{
    PooledRoute *r = p->route_free;
    if (r) {
        p->route_free = r->next;
        POOL_UNPOISON(&r->r, sizeof r->r);
    } else {
        r = malloc(sizeof *r); /* routing sets what is read of it */
        if (!r)
            abort();
        r->all = p->route_all;
        p->route_all = r;
    }
    r->refs = 1;
    x->route = &r->r;
    return &r->r;
}

void plat_route_share(Xact *c, const Xact *x)
{
    PooledRoute *r = (PooledRoute *)x->route;
    r->refs++;
    c->route = x->route;
}

/* x's bus error's reason is `why` (cut to fit). */
static void set_reason(Xact *x, const char *why)
{
    size_t n = strnlen(why, sizeof x->reason - 1);
    memmove(x->reason, why, n);
    x->reason[n] = '\0';
}

void plat_route_drop(Platform *p, Xact *x)
{
    PooledRoute *r = (PooledRoute *)x->route;
    if (!r)
        return;
    if (x->result != ROUTE_OK)
        set_reason(x, r->r.reason);
    x->route = NULL;
    if (--r->refs == 0) {
        r->next = p->route_free;
        p->route_free = r;
        POOL_POISON(&r->r, sizeof r->r);
    }
}

void plat_xact_copy(Xact *c, const Xact *x)
{
    memcpy(c, x, offsetof(Xact, reason));
    c->reason[0] = '\0';
    plat_route_share(c, x);
}

/* ---- pools of the platform's own transactions ---------------------------- */

PostedCopy *plat_posted_get(Platform *p)
{
    PostedCopy *c = p->posted_free;
    if (c) {
        p->posted_free = c->next;
        return c;
    }
    c = calloc(1, sizeof *c);
    if (!c)
        abort();
    c->all = p->posted_all;
    p->posted_all = c;
    return c;
}

void plat_posted_put(Platform *p, PostedCopy *c)
{
    c->next = p->posted_free;
    p->posted_free = c;
}

/* ---- transactions ------------------------------------------------------- */

void plat_at(Platform *p, SimTime t, EventFn *fn, void *opaque)
{
    if (!p->coalesce || t != sim_now(p->sim) || !sim_then(p->sim, fn, opaque))
        sim_at(p->sim, t, fn, opaque);
}

/* Asks a claimant what one burst costs: `off` into region `region` (-1 for
 * a bridge), `len` bytes, on bus `bus`, reaching it at `at`. */
static TargetTiming claimant_timing(const Platform *p, int comp, int region,
                                    uint64_t off, uint64_t len, int bus,
                                    XactDir dir, SimTime at)
{
    const Topology *t = p->t;
    const CompParams *c = &t->comps[comp];
    if (!c->kind->timing)
        return (TargetTiming){0, 0, 0};
    const BusParams *b = &t->buses[bus];
    TimingQuery q = {region, off, len, t->clocks[b->clock_idx].clock.hz,
                     b->width_bits, &t->clocks[c->clock_idx].clock, dir, at};
    return c->kind->timing(p->models[comp], c, &q);
}

/* What the claimant of the current hop charges for a burst of `len`
 * bytes starting `done` bytes into the access, reached at `at`. */
TargetTiming plat_hop_claimant(const Platform *p, const Xact *x,
                               uint64_t done, uint64_t len, SimTime at)
{
    int bus = x->route->hops[x->hop].bus;
    if (!last_hop(x)) /* the bridge carrying it on */
        return claimant_timing(p, next_bridge(x), -1, 0, len, bus, x->dir,
                               at);
    return claimant_timing(p, x->route->target_comp, x->route->target_region,
                           x->route->offset + done, len, bus, x->dir, at);
}

/* The target moves the bytes: at the end of the last forward hop (its
 * data beats are done). */
static void target_access(Platform *p, Xact *x)
{
    const Topology *t = p->t;
    if (x->route->status != ROUTE_OK)
        return;
    const CompParams *c = &t->comps[x->route->target_comp];
    if (c->kind->access)
        c->kind->access(p->models[x->route->target_comp], c,
                        x->route->target_region, x->route->offset, x->dir,
                        x->data, x->len);
    if (x->dir == XACT_WRITE && p->watch)
        p->watch(p->watch_opaque, x->master, x->route->target_comp,
                 x->route->target_region, x->route->offset, x->len,
                 x->writeback ? WRITE_BACK : WRITE_BUS);
}

uint64_t platform_bursts(const Platform *p) { return p->bursts; }

void platform_note_write(Platform *p, int master, uint64_t addr,
                         uint64_t len, WriteKind kind)
{
    Route r;
    if (p->watch && len &&
        route_access_ws(p->t, p->ws, master, addr, len, &r))
        p->watch(p->watch_opaque, master, r.target_comp, r.target_region,
                 r.offset, len, kind);
}

static void complete(Sim *s, void *opaque)
{
    Xact *x = opaque;
    assert(x->phase == XACT_OUTBOUND || x->phase == XACT_RETURNING);
    if (x->phase == XACT_OUTBOUND) /* a read's data moved on its way back */
        target_access(x->plat, x);
    x->result = x->route->status;
    x->residue = x->route->status == ROUTE_OK ? 0 : x->len;
    x->phase = XACT_COMPLETE;
    x->completed = sim_now(s);
    plat_stop_poll(x);
    plat_route_drop(x->plat, x);
    x->done(s, x, x->opaque);
}

/* x arrives at hop h at time `arrive`: it requests the bus from the first
 * edge of that bus's clock at or after then. */
void plat_start_hop(Platform *p, Xact *x, size_t h, SimTime arrive)
{
    x->hop = h;
    x->req.continuing = false;
    const BusParams *b = hop_bus(p, x);
    /* A split completion is the bridge's own transaction on that bus. */
    x->requester = x->phase == XACT_RETURNING && b->timing.split_read_bytes
                       ? x->route->hops[h + 1].via
                       : x->route->hops[h].via;
    bool data = hop_carries_data(x);
    /* A read's target hop moves what the bridges fetch for its command;
     * only the bytes asked for go back. */
    x->hop_len = x->phase == XACT_OUTBOUND && last_hop(x) ? x->fetch_len
                                                          : x->len;
    x->bytes_left = data ? x->hop_len : 0;
    x->hop_ready = x->hop_len;
    SimTime at = clock_align(&p->t->clocks[b->clock_idx].clock, arrive);
    plat_at(p, at, plat_request, x);
}

/* Crossing bridge hops[bridge_hop].via into bus `to` (hop index),
 * `cross_cycles` of that bus's clock after now. */
void plat_cross_to(Platform *p, Xact *x, size_t to, size_t bridge_hop)
{
    const Topology *t = p->t;
    const BusParams *far = &t->buses[x->route->hops[to].bus];
    TargetTiming bt = claimant_timing(p, x->route->hops[bridge_hop].via, -1, 0,
                                      x->len, x->route->hops[x->hop].bus,
                                      x->dir, sim_now(p->sim));
    SimTime arrive = clock_after(&t->clocks[far->clock_idx].clock,
                                 sim_now(p->sim), bt.cross_cycles);
    plat_start_hop(p, x, to, arrive);
}

/* Completes x now with a result the platform decided (posted, or a read
 * assembled from pieces). */
void plat_finish_xact(Platform *p, Xact *x, RouteStatus result,
                      uint64_t residue, const char *why)
{
    assert(x->phase == XACT_OUTBOUND || x->phase == XACT_RETURNING);
    x->result = result;
    x->residue = residue;
    x->phase = XACT_COMPLETE;
    x->completed = sim_now(p->sim);
    plat_stop_poll(x);
    plat_route_drop(p, x);
    if (why && result != ROUTE_OK)
        set_reason(x, why);
    x->done(p->sim, x, x->opaque);
}

/* x's hop is over: on to the next, back, or done. */
static void hop_done(Platform *p, Xact *x)
{
    if (x->flow) {
        /* The bridge has all of it: the write is done here. */
        x->flow->near = NULL;
        x->flow = NULL;
        plat_finish_xact(p, x, ROUTE_OK, 0, NULL);
        return;
    }
    if (x->phase == XACT_RETURNING) {
        if (x->hop == 0)
            complete(p->sim, x); /* the data reached the master */
        else
            plat_cross_to(p, x, x->hop - 1, x->hop);
    } else if (!last_hop(x)) {
        plat_cross_to(p, x, x->hop + 1, x->hop + 1);
    } else if (x->dir == XACT_READ && x->hop > 0 &&
               x->route->status == ROUTE_OK) {
        /* A read reached its target: the data goes back the way it came,
         * crossing every bridge again (the bridge that fetched it sends it
         * back as it came, on a bus of split transactions). */
        target_access(p, x);
        if (x->back) {
            plat_split_fetched(p, x);
            return;
        }
        x->phase = XACT_RETURNING;
        plat_cross_to(p, x, x->hop - 1, x->hop);
    } else {
        complete(p->sim, x);
    }
}

/* ---- bursts -------------------------------------------------------------- */

/* Into a page of an IOMMU whose table is in memory: the cycles the
 * bridge's walk for the page's entry adds to its claim (none when its
 * IOTLB holds it).  Looked up once, on the access's first burst up. */
static unsigned iommu_walk(Platform *p, const Xact *x)
{
    if (x->phase != XACT_OUTBOUND || last_hop(x))
        return 0;
    const Decoder *d = x->route->hops[x->hop + 1].window;
    if (!d || !d->iommu || !d->mapped)
        return 0;
    const IommuParams *io = &p->t->comps[d->comp].bridge->iommu;
    if (!io->table_in_memory ||
        winstate_iotlb(p->ws, d->comp, (uint64_t)d->index))
        return 0;
    return io->walk_cycles;
}

uint64_t plat_burst_begin(Platform *p, Xact *x, bool waiting, bool overlap)
{
    plat_arrived(p, x); /* what it may send */
    const BusParams *b = hop_bus(p, x);
    const BusTiming *bt = &b->timing;
    uint64_t addr = x->route->hops[x->hop].addr;
    const Clock *clk = &p->t->clocks[b->clock_idx].clock;
    /* Address pipelining hides the arbitration and address phases. */
    uint64_t hidden = overlap ? (uint64_t)bt->arb_cycles + bt->addr_cycles +
                                    plat_dac(bt, addr,
                                             x->hop_len)
                              : 0;
    SimTime now = sim_now(p->sim);
    /* the edge index of now, once for every time this burst computes */
    uint64_t n0 = clock_edge_index(clk, now);
    x->plan.start_n = n0;
    SimTime at = clock_edge_after(clk, n0,
                                  overlap ? 0
                                          : (uint64_t)bt->arb_cycles +
                                                bt->addr_cycles +
                                                plat_dac(bt, addr,
                                                         x->hop_len));
    x->burst_beats = 0;
    if (hop_aborts(x)) {
        x->burst = BURST_ABORT;
        /* A target abort: the bridge claims the address, then ends it
         * without data; nobody claiming it is a master abort. */
        if (x->route->status == ROUTE_TARGET_ABORT) {
            TargetTiming tt =
                claimant_timing(p, x->route->aborter, -1, 0, x->hop_len,
                                x->route->hops[x->hop].bus, x->dir, at);
            return plat_per_burst(bt, b->width_bits, addr, x->hop_len, tt) -
                   hidden;
        }
        return bus_abort_cycles(bt, b->width_bits, addr, x->hop_len);
    }
    if (!hop_carries_data(x)) {
        /* A read's request: the per-burst terms with the bridge as
         * claimant, and no data (it answers with a retry or a split
         * response). */
        x->burst = BURST_REQUEST;
        TargetTiming rt = plat_hop_claimant(p, x, 0, x->hop_len, at);
        rt.initial_cycles += iommu_walk(p, x);
        return plat_per_burst(bt, b->width_bits, addr, x->hop_len, rt) -
               hidden;
    }
    /* One burst: the per-burst terms and up to max_burst beats of what
     * the hop has ready.  On an idle bus the bursts of a hop add up to
     * bus_hop_cycles(). */
    x->burst = BURST_DATA;
    uint64_t done = x->hop_len - x->bytes_left;
    uint64_t w = plat_bus_width_bytes(b->width_bits);
    uint64_t lead = burst_lead_off(x, w);
    uint64_t want = x->hop_ready - done;
    if (bt->max_burst_beats && lead + want > bt->max_burst_beats * w)
        want = bt->max_burst_beats * w - lead;
    /* A write into a bridge: it takes what it has room for, up to its
     * disconnect boundary, or answers with a retry. */
    bool into_bridge = x->dir == XACT_WRITE && x->phase == XACT_OUTBOUND &&
                       !last_hop(x);
    if (into_bridge) {
        want = bridge_ops(p, next_bridge(x))
                   ->write_accept(p, next_bridge(x), x, want);
        if (!want) {
            x->burst = BURST_RETRY;
            return plat_per_burst(bt, b->width_bits, addr, x->hop_len,
                                  plat_hop_claimant(p, x, 0, x->hop_len,
                                                    at)) -
                   hidden;
        }
    }
    uint64_t beats = plat_div_up(lead + want, w);
    TargetTiming tt = plat_hop_claimant(p, x, done, want, at);
    if (!done)
        tt.initial_cycles += iommu_walk(p, x);
    uint64_t fixed = plat_per_burst(bt, b->width_bits, addr, x->hop_len, tt);
    uint64_t per_beat = 1 + (uint64_t)tt.wait_states;
    /* Latency timer: others are waiting, so the burst must end when the
     * timer expires (at least one data phase is always done), at the
     * next allowable disconnect boundary on a bus that has them. */
    if (bt->latency_timer && waiting) {
        uint64_t fit = bt->latency_timer > fixed
                           ? (bt->latency_timer - fixed) / per_beat
                           : 0;
        if (fit < 1)
            fit = 1;
        if (bt->adb_bytes && fit < beats) {
            uint64_t from = addr + done;
            uint64_t to = from + fit * w - lead;
            to = plat_div_up(to, bt->adb_bytes) * bt->adb_bytes;
            fit = plat_div_up(lead + (to - from), w);
        }
        if (beats > fit) {
            beats = fit;
            want = beats * w - lead;
        }
    }
    x->burst_beats = beats;
    x->plan = (BurstPlan){
        .start = now,
        .start_n = n0,
        .clock = clk,
        .lead = fixed - hidden - bt->turnaround_cycles,
        .per_beat = per_beat,
        .tail = bt->turnaround_cycles,
        .done = done,
        .bytes = want,
        .lead_off = lead,
        .width = w,
    };
    if (into_bridge)
        bridge_ops(p, next_bridge(x))->write_stream(p, next_bridge(x), x);
    return fixed + beats * per_beat - hidden;
}

SimTime plat_burst_crossed(const Xact *x, uint64_t end)
{
    const BurstPlan *b = &x->plan;
    uint64_t beat = (b->lead_off + (end - b->done) - 1) / b->width;
    return clock_edge_after(b->clock, b->start_n,
                            b->lead + (beat + 1) * b->per_beat);
}

void plat_arrivals_reset(Arrivals *a, size_t hop, SimTime not_before)
{
    a->hop = hop;
    a->not_before = not_before;
    a->head = a->n = 0;
    a->started = a->asking = a->event = false;
}

static void arrive(Sim *s, void *opaque);

/* The head piece's event, in its place. */
static void schedule_head(Platform *p, Xact *x, Arrivals *a)
{
    const Piece *pc = &a->piece[a->head];
    a->event = true;
    sim_at_reserved(p->sim, pc->at, pc->seq, arrive, x);
}

/* Takes the head piece: x may send up to its end. */
static uint64_t take_head(Arrivals *a)
{
    uint64_t end = a->piece[a->head++].end;
    if (!--a->n)
        a->head = 0;
    return end;
}

static void arrive(Sim *s, void *opaque)
{
    Xact *x = opaque;
    Platform *p = x->plat;
    Arrivals *a = arrivals_of(x);
    a->event = false;
    uint64_t end = take_head(a);
    if (!a->started) {
        a->started = a->asking = true;
        SimTime at = sim_now(s);
        plat_start_hop(p, x, a->hop, at > a->not_before ? at : a->not_before);
        x->hop_ready = end;
    } else {
        x->hop_ready = end;
        if (!a->asking) { /* it had sent all that had arrived */
            a->asking = true;
            x->req.continuing = true;
            plat_request(s, x);
        }
    }
}

void plat_arrival(Platform *p, Xact *x, uint64_t end, SimTime at)
{
    Arrivals *a = arrivals_of(x);
    if (a->head + a->n == a->cap) {
        if (a->head) { /* slide the queue to the front */
            memmove(a->piece, a->piece + a->head, a->n * sizeof *a->piece);
            a->head = 0;
        }
        if (a->n == a->cap) {
            a->cap = a->cap ? 2 * a->cap : 8;
            a->piece = realloc(a->piece, a->cap * sizeof *a->piece);
            if (!a->piece)
                abort();
        }
    }
    uint64_t seq = sim_reserve(p->sim);
    a->piece[a->head + a->n++] = (Piece){end, at, seq};
    if (!p->coalesce)
        sim_at_reserved(p->sim, at, seq, arrive, x);
    else if ((!a->started || !a->asking) && !a->event)
        schedule_head(p, x, a);
}

void plat_arrived(Platform *p, Xact *x)
{
    Arrivals *a = arrivals_of(x);
    if (!p->coalesce || !a || x->hop != a->hop || a->event)
        return;
    SimTime now = sim_now(p->sim);
    uint64_t cur = sim_current_seq(p->sim), took = 0;
    while (a->n && (a->piece[a->head].at < now ||
                    (a->piece[a->head].at == now &&
                     a->piece[a->head].seq < cur))) {
        x->hop_ready = take_head(a);
        took++;
    }
    sim_count_inline(p->sim, took);
}

void plat_ask_again(Platform *p, Xact *x)
{
    const BusParams *b = hop_bus(p, x);
    x->req.continuing = x->bytes_left != x->hop_len;
    plat_at(p, clock_align(&p->t->clocks[b->clock_idx].clock, sim_now(p->sim)),
            plat_request, x);
}

void plat_burst_end(Platform *p, BusState *bs, Xact *x, uint64_t moved)
{
    const BusParams *b = hop_bus(p, x);
    switch (x->burst) {
    case BURST_RETRY:
        bs->retries++;
        bridge_ops(p, next_bridge(x))->wait_for_room(p, next_bridge(x), x);
        return;
    case BURST_REQUEST:
        /* A delayed read is answered with a retry (and its requester
         * polls until the data is there), a split transaction with a
         * split response. */
        if (b->timing.split_read_bytes) {
            bs->splits++;
            x->split_end = sim_now(p->sim);
            break;
        }
        bs->retries++;
        if (x->role == XACT_POLL) {
            plat_poll_retried(p, (Poll *)x);
            return;
        }
        plat_start_poll(p, x);
        break;
    case BURST_DATA:
        x->bytes_left -= moved;
        bs->bytes += moved;
        plat_split_data(p, x, moved);
        break;
    case BURST_ABORT:
        /* A posted write dies on the far bus: what has arrived of it is
         * dropped, and the rest as it arrives. */
        if (trickles(x)) {
            moved = x->hop_ready - (x->hop_len - x->bytes_left);
            x->bytes_left -= moved;
        }
        break;
    }
    if (trickles(x)) {
        if (x->role == XACT_POSTED) {
            PostedCopy *c = (PostedCopy *)x;
            bridge_ops(p, c->bridge)->forwarded(p, c, moved);
        }
        if (!x->bytes_left) {
            hop_done(p, x);
        } else if (x->hop_ready > x->hop_len - x->bytes_left) {
            x->req.continuing = true;
            plat_request(p->sim, x);
        } else {
            Arrivals *a = arrivals_of(x);
            a->asking = false; /* until more arrives: its arrival is an
                                  event again */
            if (p->coalesce && a->n && !a->event)
                schedule_head(p, x, a);
        }
        return;
    }
    if (x->bytes_left && x->burst != BURST_ABORT) {
        x->req.continuing = true;
        plat_request(p->sim, x); /* the next burst competes again */
    } else {
        hop_done(p, x);
    }
}

/* ---- issuing -------------------------------------------------------------- */

void platform_issue(Platform *p, Xact *x)
{
    const Topology *t = p->t;
    assert(x->phase == XACT_PREPARED && x->len >= 1 && x->done);
    x->plat = p;
    x->phase = XACT_OUTBOUND;
    x->role = XACT_MASTER;
    x->flow = NULL;
    x->back = NULL;
    x->poller = NULL;
    x->issued = sim_now(p->sim);
    Route *r = plat_route_get(p, x);
    route_access_ws(t, p->ws, x->master, x->addr, x->len, r);
    x->fetch_len = x->dir == XACT_READ && r->status == ROUTE_OK &&
                           r->n_hops >= 2
                       ? bridge_ops(p, r->hops[1].via)
                             ->read_fetch(p, r->hops[1].via, x,
                                          plat_read_piece(p, x))
                       : x->len;
    if (r->status == ROUTE_DMA_MASK || r->status == ROUTE_NOT_MASTER) {
        /* Refused by the master itself: nothing reaches a bus. */
        plat_at(p, sim_now(p->sim), complete, x);
    } else if (r->local) {
        /* A device reaching its own region: no bus transaction, only its
         * own memory's port. */
        const CompParams *c = &t->comps[x->master];
        assert(c->kind->local_access);
        sim_at(p->sim,
               c->kind->local_access(p->models[x->master], c, r->target_region,
                                     r->offset, x->len, sim_now(p->sim)),
               complete, x);
    } else if (r->status == ROUTE_STRADDLE && r->disconnect) {
        /* into an IOMMU aperture across a page boundary: its bridge
         * disconnects there, and the master goes on from it */
        plat_disconnected(p, x, r->boundary - r->hops[r->n_hops - 1].addr);
    } else if (!plat_read_in_pieces(p, x)) {
        /* One piece (a read longer than its path fetches at once goes in
         * pieces instead). */
        plat_start_hop(p, x, 0, sim_now(p->sim));
    }
}

const WinState *platform_windows(const Platform *p)
{
    return p->ws;
}

void platform_iommu_map(Platform *p, int comp, uint64_t first, uint64_t n,
                        uint64_t pa)
{
    winstate_iommu_map(p->ws, comp, first, n, pa);
}

void platform_set_window(Platform *p, int comp, bool inbound, unsigned slot,
                         const WindowParams *w)
{
    winstate_set(p->ws, comp, inbound, slot, w);
}
