/* Buses at run time: the bus formula, and per data path a queue of
 * requests granted one burst at a time by the bus's policy
 * (docs/timing.md, "The bus formula"). */
#include <assert.h>
#include <stdlib.h>

#include "sim/hw/platform_int.h"

/* ---- the bus formula ---------------------------------------------------- */

uint64_t plat_div_up(uint64_t a, uint64_t b)
{
    return a / b + (a % b != 0);
}

/* An access at or above 4 GiB needs a dual address cycle, whatever the
 * bus's width (PCI 2.2 §3.9: the DAC command carries every 64-bit
 * address). */
unsigned plat_dac(const BusTiming *bt, uint64_t addr, uint64_t len)
{
    return addr + (len - 1) > 0xFFFFFFFFULL ? bt->dac_cycles : 0;
}

/* The formula's terms paid once per burst. */
uint64_t plat_per_burst(const BusTiming *bt, unsigned width_bits,
                          uint64_t addr, uint64_t len, TargetTiming tt)
{
    return (uint64_t)bt->arb_cycles + bt->addr_cycles +
           plat_dac(bt, addr, len) + tt.initial_cycles +
           bt->turnaround_cycles;
}

uint64_t plat_bus_width_bytes(unsigned width_bits)
{
    return width_bits / 8 ? width_bits / 8 : 1;
}

uint64_t plat_hop_beats(unsigned width_bits, uint64_t addr, uint64_t len)
{
    uint64_t w = plat_bus_width_bytes(width_bits);
    return plat_div_up(addr % w + len, w);
}

uint64_t bus_hop_cycles(const BusTiming *bt, unsigned width_bits,
                        uint64_t addr, uint64_t len, TargetTiming tt)
{
    uint64_t beats = plat_hop_beats(width_bits, addr, len);
    uint64_t bursts = bt->max_burst_beats ? plat_div_up(beats, bt->max_burst_beats)
                                          : 1;
    return bursts * plat_per_burst(bt, width_bits, addr, len, tt) +
           beats * (1 + (uint64_t)tt.wait_states);
}

uint64_t bus_abort_cycles(const BusTiming *bt, unsigned width_bits,
                          uint64_t addr, uint64_t len)
{
    return (uint64_t)bt->arb_cycles + bt->addr_cycles +
           plat_dac(bt, addr, len) + bt->abort_cycles;
}

/* ---- arbitration and bursts --------------------------------------------- */

static void arbitrate(Sim *s, void *opaque);
static void burst_end(Sim *s, void *opaque);

/* The data path of the current hop: a bus with split_read_write carries
 * writes on its write path and everything else (read requests and read
 * data) on its read path. */
static BusState *path_of(Platform *p, const Xact *x)
{
    int bus = x->route->hops[x->hop].bus;
    const BusTiming *bt = &p->t->buses[bus].timing;
    bool write = bt->split_rw && x->dir == XACT_WRITE &&
                 x->phase != XACT_RETURNING;
    return &p->buses[write ? p->t->n_buses + (size_t)bus : (size_t)bus];
}

static void schedule_arbitration(BusState *bs)
{
    if (!bs->busy && !bs->arb_pending && bs->n) {
        bs->arb_pending = true;
        /* After every event already due now, so that all requests of
         * this edge compete: when none is (coalescing), right after the
         * current one. */
        if (!bs->p->coalesce || !sim_then(bs->p->sim, arbitrate, bs))
            sim_after(bs->p->sim, 0, arbitrate, bs);
    }
}

/* x asks for its bus now (an edge of that bus's clock). */
void plat_request(Sim *s, void *opaque)
{
    (void)s;
    Xact *x = opaque;
    /* A delayed read's data is back at the bridge where its requester has
     * been polling: the next attempt gets it, no more polls. */
    if (x->phase == XACT_RETURNING && x->poller &&
        x->poller->x.hop == x->hop)
        plat_stop_poll(x);
    BusState *bs = path_of(x->plat, x);
    x->req.requested = sim_now(s);
    if (bs->n == bs->cap) {
        bs->cap = bs->cap ? bs->cap * 2 : 8;
        bs->q = realloc(bs->q, bs->cap * sizeof *bs->q);
        if (!bs->q)
            abort();
    }
    x->req.order = bs->arrivals++;
    if (!x->req.continuing)
        x->req.hop_order = x->req.order;
    bs->q[bs->n++] = x;
    schedule_arbitration(bs);
}

/* Which waiting request gets the bus: O(waiting), and few wait.  Between
 * requesters the policy decides burst by burst; one requester's own
 * transactions go in the order they first asked (a bridge forwards its
 * posted writes in order, a master does not interleave its transfers). */
static size_t pick(const BusState *bs, ArbPolicy policy)
{
    size_t best = 0;
    for (size_t i = 1; i < bs->n; i++) {
        const Xact *a = bs->q[i], *b = bs->q[best];
        int ra = requester(a), rb = requester(b);
        bool better;
        if (ra == rb) {
            better = a->req.hop_order < b->req.hop_order;
        } else if (policy == ARB_FIFO) {
            better = a->req.order < b->req.order;
        } else if (policy == ARB_PRIORITY) { /* earlier in the file wins */
            better = ra < rb;
        } else { /* round robin: the next requester after the last */
            int n = 1 << 30, last = bs->last_granted;
            better = (ra - last - 1 + n) % n < (rb - last - 1 + n) % n;
        }
        if (better)
            best = i;
    }
    return best;
}

static void arbitrate(Sim *s, void *opaque)
{
    BusState *bs = opaque;
    const Topology *t = bs->p->t;
    const BusParams *b = &t->buses[bs->idx];
    const BusTiming *bt = &b->timing;
    bs->arb_pending = false;
    if (bs->busy || !bs->n)
        return;
    size_t i = pick(bs, bt->arbitration);
    Xact *x = bs->q[i];
    bs->q[i] = bs->q[--bs->n];
    bs->last_granted = requester(x);
    /* Address pipelining: a burst granted the moment the previous one
     * ends, to a request that was already waiting (or the next burst of
     * the same transfer), had its arbitration and address phases during
     * the previous data phase. */
    SimTime now = sim_now(s);
    bool overlap = bt->pipelined && now == bs->last_end &&
                   (x->req.continuing || x->req.requested < now);
    x->req.continuing = false;
    /* The latency timer matters when another requester wants the bus
     * (the arbiter takes the grant away); the same requester's other
     * transactions wait for it either way. */
    bool others = false;
    for (size_t k = 0; k < bs->n && !others; k++)
        others = requester(bs->q[k]) != requester(x);
    uint64_t cycles = plat_burst_begin(bs->p, x, others, overlap);
    SimTime end = clock_edge_after(&t->clocks[b->clock_idx].clock,
                                   x->plan.start_n, cycles);
    bs->last_end = end;
    bs->busy = true;
    bs->busy_time += end - now;
    x->burst_start = now;
    /* Coalescing: when nothing is pending until the burst's end, nothing
     * can happen before it (only events change anything), so it ends at
     * once, without an event: the same times, bytes, counters and trace
     * as if it had one (tests/check_contention.c runs every scenario both
     * ways). */
    if (bs->p->coalesce && sim_advance(s, end)) {
        x->burst_event = 0; /* none: nothing can cut it short now */
        burst_end(s, x);
        return;
    }
    x->burst_event = sim_at(s, end, burst_end, x);
}

void plat_burst_cut(Platform *p, Xact *x, uint64_t beats)
{
    BusState *bs = path_of(p, x);
    const BurstPlan *b = &x->plan;
    SimTime end = clock_edge_after(b->clock, b->start_n,
                                   b->lead + beats * b->per_beat + b->tail);
    assert(beats <= x->burst_beats && end >= sim_now(p->sim) &&
           end <= bs->last_end);
    sim_cancel(p->sim, x->burst_event);
    bs->busy_time -= bs->last_end - end;
    bs->last_end = end;
    x->burst_beats = beats;
    x->burst_event = sim_at(p->sim, end, burst_end, x);
}

/* Tells the trace, if any, what the burst that just ended was. */
static void trace_burst(Platform *p, const BusState *bs, const Xact *x,
                        uint64_t moved, SimTime now)
{
    const BusParams *b = hop_bus(p, x);
    const char *what = "read";
    switch (x->burst) {
    case BURST_RETRY:
        what = "retry: buffer full";
        break;
    case BURST_ABORT:
        what = x->route->status == ROUTE_TARGET_ABORT ? "target abort"
                                                     : "master abort";
        break;
    case BURST_DATA:
        what = x->phase == XACT_RETURNING ? "read data back"
               : x->dir == XACT_WRITE     ? "write"
                                          : "read";
        break;
    case BURST_REQUEST:
        what = b->timing.split_read_bytes ? "request (split)"
               : x->role == XACT_POLL     ? "poll (retry)"
                                          : "request (retry)";
        break;
    }
    BurstEvent e = {
        .bus = x->route->hops[x->hop].bus,
        .write_path = bs != &p->buses[x->route->hops[x->hop].bus],
        .requester = requester(x),
        .master = x->master,
        .addr = x->route->hops[x->hop].addr,
        .bytes = moved,
        .what = what,
        .start = x->burst_start,
        .end = now,
    };
    p->trace(p->trace_opaque, &e);
}

static void burst_end(Sim *s, void *opaque)
{
    Xact *x = opaque;
    Platform *p = x->plat;
    BusState *bs = path_of(p, x);
    bs->busy = false;
    plat_arrived(p, x); /* what arrived during the burst */
    /* The bytes of the burst: its first beat starts lead_off bytes into
     * the width. */
    uint64_t moved = 0;
    if (x->burst_beats) {
        uint64_t room = x->burst_beats * x->plan.width - x->plan.lead_off;
        moved = room < x->plan.bytes ? room : x->plan.bytes;
    }
    p->bursts++;
    if (p->trace)
        trace_burst(p, bs, x, moved, sim_now(s));
    plat_burst_end(p, bs, x, moved); /* x may be done and gone */
    schedule_arbitration(bs);
}
