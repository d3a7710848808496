#include "sim/platform.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* A bus: one burst at a time; requests wait in `q` until the arbiter
 * grants them. */
typedef struct BusState {
    Platform *p;
    int idx;
    bool busy, arb_pending;
    Xact **q;
    size_t n, cap;
    int last_granted;   /* requester of the last grant, for round robin */
    uint64_t arrivals;  /* arrival counter, for FIFO order */
    SimTime busy_time, last_end;
    uint64_t bytes, retries;
} BusState;

/* A bridge's posted-write buffers, one per direction (0 down, 1 up), and
 * the writes waiting for room. */
typedef struct Posting {
    uint64_t free[2];
    Xact **wait[2];
    size_t n_wait[2], cap_wait[2];
} Posting;

/* A transaction the platform issues on a master's behalf: a posted write
 * carried on by a bridge (with its own copy of the data), or one piece of
 * a read split at a bridge's prefetch size. */
typedef struct Fwd {
    Xact x;
    uint8_t *data;
    uint64_t cap;
    int bridge, dir;      /* posted write: where its room is */
    Xact *parent;         /* read piece: the master's read */
    uint64_t off, piece;
    struct Fwd *next;     /* free list */
    struct Fwd *all_next; /* every Fwd, for freeing */
} Fwd;

struct Platform {
    const Topology *t;
    Sim *sim;
    BusState *buses;
    void **models;
    Posting *posting;     /* per component; used for bridges */
    Fwd *fwd_free, *fwd_all;
    uint64_t posted_errors;
};

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
    if (!p->posting)
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
uint64_t platform_posted_errors(const Platform *p) { return p->posted_errors; }

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

/* The formula's terms paid once per burst. */
static uint64_t per_burst(const BusTiming *bt, unsigned width_bits,
                          uint64_t addr, uint64_t len, TargetTiming tt)
{
    return (uint64_t)bt->arb_cycles + bt->addr_cycles +
           dac(bt, width_bits, addr, len) + tt.initial_cycles +
           bt->turnaround_cycles;
}

static uint64_t bus_width_bytes(unsigned width_bits)
{
    return width_bits / 8 ? width_bits / 8 : 1;
}

static uint64_t hop_beats(unsigned width_bits, uint64_t addr, uint64_t len)
{
    uint64_t w = bus_width_bytes(width_bits);
    return div_up(addr % w + len, w);
}

uint64_t bus_hop_cycles(const BusTiming *bt, unsigned width_bits,
                        uint64_t addr, uint64_t len, TargetTiming tt)
{
    uint64_t beats = hop_beats(width_bits, addr, len);
    uint64_t bursts = bt->max_burst_beats ? div_up(beats, bt->max_burst_beats)
                                          : 1;
    return bursts * per_burst(bt, width_bits, addr, len, tt) +
           beats * (1 + (uint64_t)tt.wait_states);
}

uint64_t bus_abort_cycles(const BusTiming *bt, unsigned width_bits,
                          uint64_t addr, uint64_t len)
{
    return (uint64_t)bt->arb_cycles + bt->addr_cycles +
           dac(bt, width_bits, addr, len) + bt->abort_cycles;
}

/* ---- transactions ------------------------------------------------------- */

/* Per hop: the bus, its timing, and what the claimant costs. */
static const BusParams *hop_bus(const Platform *p, const Xact *x)
{
    return &p->t->buses[x->route.hops[x->hop].bus];
}

static bool last_hop(const Xact *x)
{
    return x->hop + 1 == x->route.n_hops;
}

/* What the claimant of the current hop charges for a burst of `len`
 * bytes starting `done` bytes into the access. */
static TargetTiming hop_claimant(const Platform *p, const Xact *x,
                                 uint64_t done, uint64_t len)
{
    int bus = x->route.hops[x->hop].bus;
    if (!last_hop(x)) /* the bridge carrying it on */
        return claimant_timing(p, x->route.hops[x->hop + 1].via, -1, 0, len,
                               bus);
    return claimant_timing(p, x->route.target_comp, x->route.target_region,
                           x->route.offset + done, len, bus);
}

static bool hop_aborts(const Xact *x)
{
    return last_hop(x) && x->route.status != ROUTE_OK;
}

/* The component asking for the bus: the master, or the bridge that
 * carried the access onto this bus. */
static int requester(const Xact *x)
{
    return x->route.hops[x->hop].via;
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
    x->done(s, x, x->opaque);
}

/* Whether the current hop carries the data: every hop of a write (posted,
 * store and forward), but only the target's hop and the way back of a
 * read; a read's forward hops before the target carry just the request. */
static bool hop_carries_data(const Xact *x)
{
    return x->dir == XACT_WRITE || x->returning || last_hop(x);
}

/* The data path of the current hop: a bus with split_read_write carries
 * writes on its write path and everything else (read requests and read
 * data) on its read path. */
static BusState *path_of(Platform *p, const Xact *x)
{
    int bus = x->route.hops[x->hop].bus;
    const BusTiming *bt = p->t->buses[bus].priv;
    bool write = bt->split_rw && x->dir == XACT_WRITE && !x->returning;
    return &p->buses[write ? p->t->n_buses + (size_t)bus : (size_t)bus];
}

static void arbitrate(Sim *s, void *opaque);

static void schedule_arbitration(BusState *bs)
{
    if (!bs->busy && !bs->arb_pending && bs->n) {
        bs->arb_pending = true;
        /* After every event already due now, so that all requests of
         * this edge compete. */
        sim_after(bs->p->sim, 0, arbitrate, bs);
    }
}

/* x asks for its bus now (an edge of that bus's clock). */
static void request(Sim *s, void *opaque)
{
    (void)s;
    Xact *x = opaque;
    BusState *bs = path_of(x->plat, x);
    x->requested = sim_now(s);
    if (bs->n == bs->cap) {
        bs->cap = bs->cap ? bs->cap * 2 : 8;
        bs->q = realloc(bs->q, bs->cap * sizeof *bs->q);
        if (!bs->q)
            abort();
    }
    x->order = bs->arrivals++;
    if (!x->continuing)
        x->hop_order = x->order;
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
            better = a->hop_order < b->hop_order;
        } else if (policy == ARB_FIFO) {
            better = a->order < b->order;
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

/* The direction of the bridge between hop h and h + 1: 0 down, 1 up. */
static int post_dir(const Xact *x, size_t h)
{
    return x->route.hops[h + 1].window->tier == TIER_UP;
}

/* At the first burst of a write hop that ends at a posting bridge:
 * reserve room for the whole write.  False when the buffer is full; true
 * otherwise (also when the bridge does not post or the write is larger
 * than its buffer: then it flows through, store and forward). */
static bool try_post(Platform *p, Xact *x)
{
    if (x->dir != XACT_WRITE || x->returning || last_hop(x) || x->posted ||
        x->bytes_left != x->len)
        return true;
    int br = x->route.hops[x->hop + 1].via;
    const BridgeParams *bp = p->t->comps[br].bridge;
    if (!bp->post_bytes || x->len > bp->post_bytes)
        return true;
    uint64_t *free_bytes = &p->posting[br].free[post_dir(x, x->hop)];
    if (*free_bytes < x->len)
        return false;
    *free_bytes -= x->len;
    x->posted = true;
    return true;
}

static void post_wait(Platform *p, Xact *x)
{
    Posting *po = &p->posting[x->route.hops[x->hop + 1].via];
    int d = post_dir(x, x->hop);
    if (po->n_wait[d] == po->cap_wait[d]) {
        po->cap_wait[d] = po->cap_wait[d] ? po->cap_wait[d] * 2 : 4;
        po->wait[d] = realloc(po->wait[d], po->cap_wait[d] * sizeof(Xact *));
        if (!po->wait[d])
            abort();
    }
    po->wait[d][po->n_wait[d]++] = x;
}

static void burst_end(Sim *s, void *opaque);

static void arbitrate(Sim *s, void *opaque)
{
    BusState *bs = opaque;
    const Topology *t = bs->p->t;
    const BusParams *b = &t->buses[bs->idx];
    const BusTiming *bt = b->priv;
    bs->arb_pending = false;
    if (bs->busy || !bs->n)
        return;
    size_t i = pick(bs, bt->arbitration);
    Xact *x = bs->q[i];
    bs->q[i] = bs->q[--bs->n];
    bs->last_granted = requester(x);

    /* One burst: the per-burst terms and up to max_burst beats.  On an
     * idle bus the bursts of a hop add up to bus_hop_cycles(). */
    uint64_t addr = x->route.hops[x->hop].addr, cycles;
    /* Address pipelining: a burst granted the moment the previous one
     * ends, to a request that was already waiting (or the next burst of
     * the same transfer), had its arbitration and address phases during
     * the previous data phase. */
    SimTime now = sim_now(s);
    bool overlap = bt->pipelined && now == bs->last_end &&
                   (x->continuing || x->requested < now);
    uint64_t hidden = overlap ? (uint64_t)bt->arb_cycles + bt->addr_cycles +
                                    dac(bt, b->width_bits, addr, x->len)
                              : 0;
    x->continuing = false;
    if (hop_aborts(x)) {
        cycles = bus_abort_cycles(bt, b->width_bits, addr, x->len);
        x->burst_beats = 0;
    } else if (!hop_carries_data(x)) {
        /* A read's request: the per-burst terms with the bridge as
         * claimant, and no data (the bridge answers with a retry). */
        cycles = per_burst(bt, b->width_bits, addr, x->len,
                           hop_claimant(bs->p, x, 0, x->len));
        x->burst_beats = 0;
    } else if (!try_post(bs->p, x)) {
        /* The bridge's posted-write buffer is full: it answers with a
         * retry, and the write waits for room. */
        cycles = per_burst(bt, b->width_bits, addr, x->len,
                           hop_claimant(bs->p, x, 0, x->len));
        x->burst_beats = 0;
        x->retry = true;
    } else {
        uint64_t beats = x->beats_left;
        if (bt->max_burst_beats && beats > bt->max_burst_beats)
            beats = bt->max_burst_beats;
        uint64_t done = x->len - x->bytes_left;
        uint64_t w = bus_width_bytes(b->width_bits);
        uint64_t room = beats * w - (done ? 0 : addr % w);
        TargetTiming tt = hop_claimant(bs->p, x, done,
                                       room < x->bytes_left ? room
                                                            : x->bytes_left);
        uint64_t fixed = per_burst(bt, b->width_bits, addr, x->len, tt);
        uint64_t per_beat = 1 + (uint64_t)tt.wait_states;
        /* Latency timer: others are waiting, so the burst must end when
         * the timer expires (at least one data phase is always done). */
        if (bt->latency_timer && bs->n) {
            uint64_t fit = bt->latency_timer > fixed
                               ? (bt->latency_timer - fixed) / per_beat
                               : 0;
            if (fit < 1)
                fit = 1;
            if (beats > fit)
                beats = fit;
        }
        x->burst_beats = beats;
        cycles = fixed + beats * per_beat;
    }
    if (!hop_aborts(x))
        cycles -= hidden;
    uint64_t hz = t->clocks[b->clock_idx].hz;
    SimTime end = clock_after(hz, now, cycles);
    bs->last_end = end;
    bs->busy = true;
    bs->busy_time += end - now;
    sim_at(s, end, burst_end, x);
}

static void hop_done(Platform *p, Xact *x);

static void burst_end(Sim *s, void *opaque)
{
    Xact *x = opaque;
    Platform *p = x->plat;
    BusState *bs = path_of(p, x);
    const BusParams *b = hop_bus(p, x);
    bs->busy = false;
    if (x->retry) {
        x->retry = false;
        bs->retries++;
        post_wait(p, x);
        schedule_arbitration(bs);
        return;
    }
    if (!hop_carries_data(x) && !hop_aborts(x))
        bs->retries++; /* a delayed read's request is answered with retry */
    if (x->burst_beats) {
        /* The first burst's first beat starts at addr mod W. */
        uint64_t w = bus_width_bytes(b->width_bits);
        bool first = x->bytes_left == x->len;
        uint64_t room = x->burst_beats * w -
                        (first ? x->route.hops[x->hop].addr % w : 0);
        uint64_t moved = room < x->bytes_left ? room : x->bytes_left;
        x->bytes_left -= moved;
        x->beats_left -= x->burst_beats;
        bs->bytes += moved;
    }
    if (x->beats_left && !hop_aborts(x)) {
        x->continuing = true;
        request(s, x); /* the next burst competes again */
    }
    else
        hop_done(p, x);
    schedule_arbitration(bs);
}

/* x arrives at hop h at time `arrive`: it requests the bus from the first
 * edge of that bus's clock at or after then. */
static void start_hop(Platform *p, Xact *x, size_t h, SimTime arrive)
{
    x->hop = h;
    x->continuing = false;
    const BusParams *b = hop_bus(p, x);
    bool data = hop_carries_data(x);
    x->beats_left =
        data ? hop_beats(b->width_bits, x->route.hops[h].addr, x->len) : 0;
    x->bytes_left = data ? x->len : 0;
    SimTime at = clock_align(p->t->clocks[b->clock_idx].hz, arrive);
    sim_at(p->sim, at, request, x);
}

/* Crossing bridge hops[via].via into bus `to` (hop index), `cross_cycles`
 * of that bus's clock after now. */
static void cross_to(Platform *p, Xact *x, size_t to, size_t bridge_hop)
{
    const Topology *t = p->t;
    const BusParams *far = &t->buses[x->route.hops[to].bus];
    TargetTiming bt = claimant_timing(p, x->route.hops[bridge_hop].via, -1, 0,
                                      x->len, x->route.hops[x->hop].bus);
    SimTime arrive = clock_after(t->clocks[far->clock_idx].hz,
                                 sim_now(p->sim), bt.cross_cycles);
    start_hop(p, x, to, arrive);
}

/* A posted write carried on by the bridge finished (or was posted again
 * further on): its room is free again, and writes waiting for it retry. */
static void fwd_done(Sim *s, Xact *fx, void *opaque)
{
    Fwd *f = opaque;
    Platform *p = fx->plat;
    (void)s;
    if (fx->result != ROUTE_OK)
        p->posted_errors++; /* the master was told it was done */
    Posting *po = &p->posting[f->bridge];
    po->free[f->dir] += f->x.len;
    size_t n = po->n_wait[f->dir];
    po->n_wait[f->dir] = 0;
    for (size_t i = 0; i < n; i++) {
        Xact *w = po->wait[f->dir][i];
        start_hop(p, w, w->hop, sim_now(p->sim));
    }
    f->next = p->fwd_free;
    p->fwd_free = f;
}

static Fwd *fwd_get(Platform *p)
{
    Fwd *f = p->fwd_free;
    if (f) {
        p->fwd_free = f->next;
        return f;
    }
    f = calloc(1, sizeof *f);
    if (!f)
        abort();
    f->all_next = p->fwd_all;
    p->fwd_all = f;
    return f;
}

/* Completes x now with a result the platform decided (posted, or a read
 * assembled from pieces). */
static void finish_xact(Platform *p, Xact *x, RouteStatus result,
                        uint64_t residue)
{
    x->accessed = true;
    x->result = result;
    x->residue = residue;
    assert(x->state == 1);
    x->state = 2;
    x->completed = sim_now(p->sim);
    x->done(p->sim, x, x->opaque);
}

/* The write is in the bridge's buffer: the master is done with it, and
 * the bridge carries a copy on. */
static void post_forward(Platform *p, Xact *x)
{
    Fwd *f = fwd_get(p);
    if (f->cap < x->len) {
        f->data = realloc(f->data, x->len);
        if (!f->data)
            abort();
        f->cap = x->len;
    }
    memcpy(f->data, x->data, x->len);
    f->bridge = x->route.hops[x->hop + 1].via;
    f->dir = post_dir(x, x->hop);
    f->x = *x;
    f->x.data = f->data;
    f->x.done = fwd_done;
    f->x.opaque = f;
    f->x.posted = false;
    f->x.issued = sim_now(p->sim);
    cross_to(p, &f->x, x->hop + 1, x->hop + 1);
    finish_xact(p, x, ROUTE_OK, 0);
}

/* ---- delayed reads in pieces ----------------------------------------- */

/* The smallest prefetch of the bridges a read crosses; 0 when none limits
 * it. */
static uint64_t read_piece(const Platform *p, const Xact *x)
{
    uint64_t piece = 0;
    for (size_t h = 1; h < x->route.n_hops; h++) {
        const BridgeParams *bp = p->t->comps[x->route.hops[h].via].bridge;
        if (bp->prefetch_bytes && (!piece || bp->prefetch_bytes < piece))
            piece = bp->prefetch_bytes;
    }
    return piece;
}

static void piece_done(Sim *s, Xact *px, void *opaque);

static void issue_piece(Platform *p, Fwd *f)
{
    Xact *x = f->parent;
    uint64_t n = x->len - f->off < f->piece ? x->len - f->off : f->piece;
    f->x = (Xact){.master = x->master, .dir = XACT_READ,
                  .addr = x->addr + f->off, .len = n, .data = x->data + f->off,
                  .done = piece_done, .opaque = f};
    platform_issue(p, &f->x);
}

static void piece_done(Sim *s, Xact *px, void *opaque)
{
    (void)s;
    Fwd *f = opaque;
    Platform *p = px->plat;
    Xact *x = f->parent;
    if (px->result == ROUTE_OK && f->off + px->len < x->len) {
        f->off += px->len;
        issue_piece(p, f); /* the master retries for the rest */
        return;
    }
    RouteStatus result = px->result;
    uint64_t residue = result == ROUTE_OK ? 0 : x->len - f->off;
    f->next = p->fwd_free;
    p->fwd_free = f;
    finish_xact(p, x, result, residue);
}

static void hop_done(Platform *p, Xact *x)
{
    if (x->posted) {
        post_forward(p, x);
        return;
    }
    if (x->returning) {
        if (x->hop == 0)
            complete(p->sim, x); /* the data reached the master */
        else
            cross_to(p, x, x->hop - 1, x->hop);
    } else if (!last_hop(x)) {
        cross_to(p, x, x->hop + 1, x->hop + 1);
    } else if (x->dir == XACT_READ && x->hop > 0 &&
               x->route.status == ROUTE_OK) {
        /* A read reached its target: the data goes back the way it came,
         * crossing every bridge again. */
        target_access(p, x);
        x->returning = true;
        cross_to(p, x, x->hop - 1, x->hop);
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
        uint64_t cycles = bus_hop_cycles(
            &none, b->width_bits, x->addr, x->len,
            claimant_timing(p, x->master, r->target_region, r->offset,
                            x->len, c->bus_idx));
        uint64_t hz = t->clocks[c->clock_idx].hz;
        sim_at(p->sim, clock_after(hz, sim_now(p->sim), cycles), complete, x);
    } else if (x->dir == XACT_READ && r->status == ROUTE_OK &&
               r->n_hops > 1 && read_piece(p, x) &&
               x->len > read_piece(p, x)) {
        /* A delayed read: each bridge fetches at most its prefetch size,
         * so the master gets the data piece by piece, retrying between. */
        Fwd *f = fwd_get(p);
        f->parent = x;
        f->off = 0;
        f->piece = read_piece(p, x);
        issue_piece(p, f);
    } else {
        start_hop(p, x, 0, sim_now(p->sim));
    }
}
