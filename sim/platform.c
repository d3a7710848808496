#include "sim/platform.h"

#include <assert.h>
#include <stdlib.h>

typedef struct BusState {
    SimTime busy_until; /* first-come, first-served: the next start */
    SimTime busy;       /* total time carrying transactions */
    uint64_t bytes;
} BusState;

struct Platform {
    const Topology *t;
    Sim *sim;
    BusState *buses;
    void **models;
};

Platform *platform_new(const Topology *t)
{
    Platform *p = calloc(1, sizeof *p);
    p->t = t;
    p->sim = sim_new();
    p->buses = calloc(t->n_buses ? t->n_buses : 1, sizeof *p->buses);
    p->models = calloc(t->n_comps ? t->n_comps : 1, sizeof *p->models);
    if (!p->buses || !p->models)
        abort();
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
    free(p->buses);
    sim_free(p->sim);
    free(p);
}

Sim *platform_sim(Platform *p) { return p->sim; }
void *platform_model(Platform *p, int comp) { return p->models[comp]; }
SimTime platform_bus_busy(const Platform *p, int bus) { return p->buses[bus].busy; }
uint64_t platform_bus_bytes(const Platform *p, int bus) { return p->buses[bus].bytes; }

/* ---- the bus formula ---------------------------------------------------- */

static uint64_t div_up(uint64_t a, uint64_t b)
{
    return a / b + (a % b != 0);
}

/* A 64-bit address on a 32-bit bus needs a dual address cycle. */
static unsigned dac(const BusTiming *bt, unsigned width_bits, uint64_t addr,
                    uint64_t len)
{
    return width_bits <= 32 && addr + (len - 1) > 0xFFFFFFFFULL
               ? bt->dac_cycles
               : 0;
}

uint64_t bus_hop_cycles(const BusTiming *bt, unsigned width_bits,
                        uint64_t addr, uint64_t len, TargetTiming tt)
{
    uint64_t w = width_bits / 8 ? width_bits / 8 : 1;
    uint64_t beats = div_up(addr % w + len, w);
    uint64_t bursts = bt->max_burst_beats ? div_up(beats, bt->max_burst_beats)
                                          : 1;
    uint64_t per_burst = (uint64_t)bt->arb_cycles + bt->addr_cycles +
                         dac(bt, width_bits, addr, len) + tt.initial_cycles +
                         bt->turnaround_cycles;
    return bursts * per_burst + beats * (1 + (uint64_t)tt.wait_states);
}

uint64_t bus_abort_cycles(const BusTiming *bt, unsigned width_bits,
                          uint64_t addr, uint64_t len)
{
    return (uint64_t)bt->arb_cycles + bt->addr_cycles +
           dac(bt, width_bits, addr, len) + bt->abort_cycles;
}

/* ---- transactions ------------------------------------------------------- */

static void complete(Sim *s, void *opaque)
{
    Xact *x = opaque;
    Platform *p = x->plat;
    const Topology *t = p->t;
    if (x->route.status == ROUTE_OK) {
        const CompParams *c = &t->comps[x->route.target_comp];
        /* The target moves the bytes when the last data beat is done. */
        if (c->kind->access)
            c->kind->access(p->models[x->route.target_comp], c,
                            x->route.target_region, x->route.offset, x->dir,
                            x->data, x->len);
        x->result = ROUTE_OK;
        x->residue = 0;
    } else {
        x->result = x->route.status;
        x->residue = x->len;
    }
    assert(x->state == 1);
    x->state = 2;
    x->completed = sim_now(s);
    x->done(s, x, x->opaque);
}

static void hop_end(Sim *s, void *opaque);

/* Occupies bus hop h from the first edge at or after `arrive` when the
 * bus is free, for the formula's cycles; then hop_end. */
static void start_hop(Platform *p, Xact *x, size_t h, SimTime arrive)
{
    const Topology *t = p->t;
    const Route *r = &x->route;
    const RouteHop *hop = &r->hops[h];
    const BusParams *b = &t->buses[hop->bus];
    const BusTiming *bt = b->priv;
    uint64_t hz = t->clocks[b->clock_idx].hz;
    bool last = h + 1 == r->n_hops;
    uint64_t cycles;
    if (!last) {
        const CompParams *br = &t->comps[r->hops[h + 1].via];
        cycles = bus_hop_cycles(bt, b->width_bits, hop->addr, x->len,
                                br->kind->timing(br));
    } else if (r->status == ROUTE_OK) {
        const CompParams *c = &t->comps[r->target_comp];
        TargetTiming tt = c->kind->timing ? c->kind->timing(c)
                                          : (TargetTiming){0, 0, 0};
        cycles = bus_hop_cycles(bt, b->width_bits, hop->addr, x->len, tt);
    } else {
        cycles = bus_abort_cycles(bt, b->width_bits, hop->addr, x->len);
    }
    BusState *bs = &p->buses[hop->bus];
    SimTime from = arrive > bs->busy_until ? arrive : bs->busy_until;
    SimTime start = clock_align(hz, from);
    SimTime end = clock_after(hz, start, cycles);
    bs->busy_until = end;
    bs->busy += end - start;
    if (!last || r->status == ROUTE_OK)
        bs->bytes += x->len;
    x->hop = h;
    sim_at(p->sim, end, last ? complete : hop_end, x);
}

static void hop_end(Sim *s, void *opaque)
{
    Xact *x = opaque;
    Platform *p = x->plat;
    const Topology *t = p->t;
    size_t next = x->hop + 1;
    const CompParams *br = &t->comps[x->route.hops[next].via];
    const BusParams *far = &t->buses[x->route.hops[next].bus];
    /* Crossing into the far bus's clock domain. */
    SimTime arrive = clock_after(t->clocks[far->clock_idx].hz, sim_now(s),
                                 br->kind->timing(br).cross_cycles);
    start_hop(p, x, next, arrive);
}

void platform_issue(Platform *p, Xact *x)
{
    const Topology *t = p->t;
    assert(x->state == 0 && x->len >= 1 && x->done);
    x->plat = p;
    x->state = 1;
    x->issued = sim_now(p->sim);
    route_access(t, x->master, x->addr, x->len, &x->route);
    const Route *r = &x->route;
    if (r->status == ROUTE_DMA_MASK || r->status == ROUTE_NOT_MASTER) {
        /* Refused by the master itself: nothing reaches a bus. */
        sim_at(p->sim, sim_now(p->sim), complete, x);
    } else if (r->local) {
        /* A device reaching its own region: no bus transaction, only the
         * region's own latency, on the device's clock. */
        const CompParams *c = &t->comps[x->master];
        const BusParams *b = &t->buses[c->bus_idx];
        static const BusTiming none = {0};
        uint64_t cycles = bus_hop_cycles(&none, b->width_bits, x->addr,
                                         x->len, c->kind->timing(c));
        uint64_t hz = t->clocks[c->clock_idx].hz;
        sim_at(p->sim, clock_after(hz, sim_now(p->sim), cycles), complete, x);
    } else {
        start_hop(p, x, 0, sim_now(p->sim));
    }
}
