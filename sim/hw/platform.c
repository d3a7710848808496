/* The platform: its life cycle, and the path every transaction takes,
 * hop by hop (docs/timing.md).  The arbiter and the bus formula are in
 * sim/arbiter.c, posted writes and delayed reads in sim/bridge_flow.c. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "sim/hw/platform_int.h"

#include "sim/hw/platform.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

Platform *platform_new(const Topology *t)
{
    Platform *p = calloc(1, sizeof *p);
    p->t = t;
    p->sim = sim_new();
    /* Per bus a read path [b] and a write path [n_buses + b]; buses
     * without split_read_write use only the first. */
    p->buses = calloc(2 * t->n_buses + 1, sizeof *p->buses);
    p->models = calloc(t->n_comps ? t->n_comps : 1, sizeof *p->models);
    if (!p->buses || !p->models)
        abort();
    for (size_t i = 0; i < 2 * t->n_buses; i++) {
        p->buses[i].p = p;
        p->buses[i].idx = (int)(i % t->n_buses);
        p->buses[i].last_granted = -1;
    }
    for (size_t i = 0; i < t->n_comps; i++)
        if (t->comps[i].kind->model_new)
            p->models[i] = t->comps[i].kind->model_new(&t->comps[i]);
    p->posting = calloc(t->n_comps ? t->n_comps : 1, sizeof *p->posting);
    p->posted_pending = calloc(t->n_comps ? t->n_comps : 1,
                               sizeof *p->posted_pending);
    if (!p->posting || !p->posted_pending)
        abort();
    for (size_t i = 0; i < t->n_comps; i++)
        if (t->comps[i].bridge)
            p->posting[i].free[0] = p->posting[i].free[1] =
                t->comps[i].bridge->post_bytes;
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
    for (size_t i = 0; i < p->t->n_comps; i++)
        for (int d = 0; d < 2; d++)
            free(p->posting[i].wait[d]);
    free(p->posting);
    free(p->posted_pending);
    for (Fwd *f = p->fwd_all, *next; f; f = next) {
        next = f->all_next;
        free(f->data);
        free(f);
    }
    for (size_t i = 0; i < 2 * p->t->n_buses; i++)
        free(p->buses[i].q);
    free(p->buses);
    sim_free(p->sim);
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

/* Asks a claimant what one burst costs: `off` into region `region` (-1 for
 * a bridge), `len` bytes, on bus `bus`. */
static TargetTiming claimant_timing(const Platform *p, int comp, int region,
                                    uint64_t off, uint64_t len, int bus)
{
    const Topology *t = p->t;
    const CompParams *c = &t->comps[comp];
    if (!c->kind->timing)
        return (TargetTiming){0, 0, 0};
    const BusParams *b = &t->buses[bus];
    TimingQuery q = {region, off, len, t->clocks[b->clock_idx].hz,
                     b->width_bits, t->clocks[c->clock_idx].hz};
    return c->kind->timing(p->models[comp], c, &q);
}
/* Both data paths of a bus together. */
SimTime platform_bus_busy(const Platform *p, int bus)
{
    return p->buses[bus].busy_time + p->buses[p->t->n_buses + bus].busy_time;
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

/* ---- transactions ------------------------------------------------------- */

/* What the claimant of the current hop charges for a burst of `len`
 * bytes starting `done` bytes into the access. */
TargetTiming plat_hop_claimant(const Platform *p, const Xact *x,
                                 uint64_t done, uint64_t len)
{
    int bus = x->route.hops[x->hop].bus;
    if (!last_hop(x)) /* the bridge carrying it on */
        return claimant_timing(p, x->route.hops[x->hop + 1].via, -1, 0, len,
                               bus);
    return claimant_timing(p, x->route.target_comp, x->route.target_region,
                           x->route.offset + done, len, bus);
}

/* The target moves the bytes: at the end of the last forward hop (its
 * data beats are done). */
static void target_access(Platform *p, Xact *x)
{
    const Topology *t = p->t;
    x->accessed = true;
    if (x->route.status != ROUTE_OK)
        return;
    const CompParams *c = &t->comps[x->route.target_comp];
    if (c->kind->access)
        c->kind->access(p->models[x->route.target_comp], c,
                        x->route.target_region, x->route.offset, x->dir,
                        x->data, x->len);
    if (x->dir == XACT_WRITE && p->watch)
        p->watch(p->watch_opaque, x->master, x->route.target_comp,
                 x->route.target_region, x->route.offset, x->len);
}

static void complete(Sim *s, void *opaque)
{
    Xact *x = opaque;
    if (!x->accessed)
        target_access(x->plat, x);
    x->result = x->route.status;
    x->residue = x->route.status == ROUTE_OK ? 0 : x->len;
    assert(x->state == 1);
    x->state = 2;
    x->completed = sim_now(s);
    plat_stop_poll(x);
    x->done(s, x, x->opaque);
}

/* x arrives at hop h at time `arrive`: it requests the bus from the first
 * edge of that bus's clock at or after then. */
void plat_start_hop(Platform *p, Xact *x, size_t h, SimTime arrive)
{
    x->hop = h;
    x->continuing = false;
    const BusParams *b = hop_bus(p, x);
    bool data = hop_carries_data(x);
    /* A read's target hop moves what the bridges fetch for its command;
     * only the bytes asked for go back. */
    x->hop_len = !x->returning && last_hop(x) ? x->fetch_len : x->len;
    x->beats_left =
        data ? plat_hop_beats(b->width_bits, x->route.hops[h].addr, x->hop_len)
             : 0;
    x->bytes_left = data ? x->hop_len : 0;
    SimTime at = clock_align(p->t->clocks[b->clock_idx].hz, arrive);
    sim_at(p->sim, at, plat_request, x);
}

/* Crossing bridge hops[via].via into bus `to` (hop index), `cross_cycles`
 * of that bus's clock after now. */
void plat_cross_to(Platform *p, Xact *x, size_t to, size_t bridge_hop)
{
    const Topology *t = p->t;
    const BusParams *far = &t->buses[x->route.hops[to].bus];
    TargetTiming bt = claimant_timing(p, x->route.hops[bridge_hop].via, -1, 0,
                                      x->len, x->route.hops[x->hop].bus);
    SimTime arrive = clock_after(t->clocks[far->clock_idx].hz,
                                 sim_now(p->sim), bt.cross_cycles);
    plat_start_hop(p, x, to, arrive);
}

/* Completes x now with a result the platform decided (posted, or a read
 * assembled from pieces). */
void plat_finish_xact(Platform *p, Xact *x, RouteStatus result,
                        uint64_t residue)
{
    x->accessed = true;
    x->result = result;
    x->residue = residue;
    assert(x->state == 1);
    x->state = 2;
    x->completed = sim_now(p->sim);
    plat_stop_poll(x);
    x->done(p->sim, x, x->opaque);
}

void plat_hop_done(Platform *p, Xact *x)
{
    if (x->posted) {
        plat_post_forward(p, x);
        return;
    }
    if (x->returning) {
        if (x->hop == 0)
            complete(p->sim, x); /* the data reached the master */
        else
            plat_cross_to(p, x, x->hop - 1, x->hop);
    } else if (!last_hop(x)) {
        plat_cross_to(p, x, x->hop + 1, x->hop + 1);
    } else if (x->dir == XACT_READ && x->hop > 0 &&
               x->route.status == ROUTE_OK) {
        /* A read reached its target: the data goes back the way it came,
         * crossing every bridge again. */
        target_access(p, x);
        x->returning = true;
        plat_cross_to(p, x, x->hop - 1, x->hop);
    } else {
        complete(p->sim, x);
    }
}

void platform_issue(Platform *p, Xact *x)
{
    const Topology *t = p->t;
    assert(x->state == 0 && x->len >= 1 && x->done);
    x->plat = p;
    x->state = 1;
    x->returning = x->accessed = x->posted = x->retry = false;
    x->poll = false;
    x->poller = NULL;
    x->issued = sim_now(p->sim);
    route_access(t, x->master, x->addr, x->len, &x->route);
    const Route *r = &x->route;
    x->fetch_len = plat_read_fetch(p, x);
    if (r->status == ROUTE_DMA_MASK || r->status == ROUTE_NOT_MASTER) {
        /* Refused by the master itself: nothing reaches a bus. */
        sim_at(p->sim, sim_now(p->sim), complete, x);
    } else if (r->local) {
        /* A device reaching its own region: no bus transaction, only the
         * region's own latency, on the device's clock. */
        const CompParams *c = &t->comps[x->master];
        const BusParams *b = &t->buses[c->bus_idx];
        static const BusTiming none = {0};
        uint64_t cycles = bus_hop_cycles(
            &none, b->width_bits, x->addr, x->len,
            claimant_timing(p, x->master, r->target_region, r->offset,
                            x->len, c->bus_idx));
        uint64_t hz = t->clocks[c->clock_idx].hz;
        sim_at(p->sim, clock_after(hz, sim_now(p->sim), cycles), complete, x);
    } else if (!plat_split_read(p, x)) {
        /* One piece (a delayed read longer than a bridge's prefetch goes
         * in pieces instead, sim/bridge_flow.c). */
        plat_start_hop(p, x, 0, sim_now(p->sim));
    }
}
