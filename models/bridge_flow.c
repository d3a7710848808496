/* A bridge at run time (docs/timing.md, "Posted writes" and "A read
 * through bridges"): its posted-write buffers, how much one read request
 * through it fetches, and what it fetches for a read's command.  The
 * platform reaches it through the bridge kind's BridgeOps.
 *
 * A posting bridge takes a write as its beats cross the near bus, a piece
 * at a time (the near bus's allowable disconnect boundary, or a cache
 * line), while its buffer has room for the next piece; with none, it
 * disconnects the write there and answers the rest with retries until
 * room frees.  Each piece goes on to the far bus as soon as it has
 * crossed, and leaves the buffer as the bridge's own write there moves
 * it: the master is done when its own bus transfer ends. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "models/bridge.h"
#include "models/regions.h"
#include "sim/hw/platform_int.h"

/* Per direction (0 down, 1 up): free room in the posted-write buffer, and
 * the writes waiting for room. */
typedef struct BridgeModel {
    uint64_t free[2];
    Xact **wait[2];
    size_t n_wait[2], cap_wait[2];
    Regions *regs; /* its window registers; NULL without */
} BridgeModel;

void *bridge_model_new(const CompParams *c)
{
    BridgeModel *m = calloc(1, sizeof *m);
    if (!m)
        abort();
    m->free[0] = m->free[1] = c->bridge->post_bytes;
    if (c->n_regions)
        m->regs = regions_new(c);
    return m;
}

Regions *bridge_model_regions(void *m)
{
    return ((BridgeModel *)m)->regs;
}

void bridge_model_free(void *m)
{
    BridgeModel *b = m;
    regions_free(b->regs);
    free(b->wait[0]);
    free(b->wait[1]);
    free(b);
}

static BridgeModel *model(Platform *p, int bridge)
{
    return platform_model(p, bridge);
}

static uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }

/* The direction of the bridge x's hop leads into: 0 down, 1 up. */
static int post_dir(const Xact *x)
{
    return x->route->hops[x->hop + 1].window->tier == TIER_UP;
}

/* The pieces a posting bridge takes x's bytes in: the near bus's
 * allowable disconnect boundary, or else the cache line; never more than
 * its buffer. */
static uint64_t piece_bytes(const Platform *p, int bridge, const Xact *x)
{
    const BridgeParams *bp = p->t->comps[bridge].bridge;
    uint64_t adb = hop_bus(p, x)->timing.adb_bytes;
    uint64_t piece = adb ? adb : bp->line_bytes;
    return min64(piece, bp->post_bytes);
}

/* The hop offset where the piece holding offset `off` ends: the next
 * aligned boundary of its address. */
static uint64_t piece_end(const Xact *x, uint64_t piece, uint64_t off)
{
    uint64_t a = x->route->hops[x->hop].addr + off;
    return off + (piece - a % piece);
}

/* Whether the bridge has room for the first piece of x's next burst
 * (of at most `want` bytes). */
static bool room_for_next(Platform *p, int bridge, const Xact *x,
                          uint64_t want)
{
    uint64_t done = x->hop_len - x->bytes_left;
    uint64_t first =
        min64(piece_end(x, piece_bytes(p, bridge, x), done) - done, want);
    return model(p, bridge)->free[post_dir(x)] >= first;
}

static uint64_t write_accept(Platform *p, int bridge, Xact *x, uint64_t want)
{
    const BridgeParams *bp = p->t->comps[bridge].bridge;
    if (!bp->post_bytes)
        return want; /* it flows through, store and forward */
    if (bp->write_disconnect) {
        uint64_t a = x->route->hops[x->hop].addr + x->hop_len - x->bytes_left;
        want = min64(want, bp->write_disconnect - a % bp->write_disconnect);
    }
    return room_for_next(p, bridge, x, want) ? want : 0;
}

static void room_check(Sim *s, void *opaque);

/* Reserves room for the pieces of the near write's burst that fit, from
 * where the last reservation ended to the burst's end; each goes to the
 * far bus cross_cycles after it has crossed.  False when not even one
 * piece fits. */
static bool take_room(Platform *p, PostedCopy *c)
{
    Xact *x = c->near;
    const Topology *t = p->t;
    const BurstPlan *b = &x->plan;
    uint64_t end = b->done + b->bytes;
    uint64_t *free_bytes = &model(p, c->bridge)->free[c->dir];
    const Clock *far =
        &t->clocks[t->buses[x->route->hops[c->in.hop].bus].clock_idx].clock;
    unsigned cross = t->comps[c->bridge].bridge->cross_cycles;
    uint64_t from = c->taken;
    while (c->taken < end) {
        uint64_t e = min64(piece_end(x, c->piece, c->taken), end);
        if (*free_bytes < e - c->taken)
            break;
        *free_bytes -= e - c->taken;
        plat_arrival(p, &c->x, e,
                     clock_after(far, plat_burst_crossed(x, e), cross));
        c->taken = e;
    }
    return c->taken > from;
}

/* Until the near burst's end is reserved, look again when the reserved
 * part has crossed. */
static void watch_room(Platform *p, PostedCopy *c)
{
    const BurstPlan *b = &c->near->plan;
    if (c->taken < b->done + b->bytes)
        sim_at(p->sim, plat_burst_crossed(c->near, c->taken), room_check, c);
}

/* The near burst has crossed all it had room for: more room, or a
 * disconnect here. */
static void room_check(Sim *s, void *opaque)
{
    (void)s;
    PostedCopy *c = opaque;
    Platform *p = c->x.plat;
    Xact *x = c->near;
    if (take_room(p, c)) {
        watch_room(p, c);
        return;
    }
    const BurstPlan *b = &x->plan;
    plat_burst_cut(p, x, plat_div_up(b->lead_off + (c->taken - b->done),
                                     b->width));
}

static void copy_done(Sim *s, Xact *cx, void *opaque);

static void write_stream(Platform *p, int bridge, Xact *x)
{
    const BridgeParams *bp = p->t->comps[bridge].bridge;
    if (!bp->post_bytes)
        return;
    PostedCopy *c = x->flow;
    if (!c) {
        c = plat_posted_get(p);
        p->posted_pending[x->master]++;
        if (c->cap < x->hop_len) {
            c->data = realloc(c->data, x->hop_len);
            if (!c->data)
                abort();
            c->cap = x->hop_len;
        }
        memcpy(c->data, x->data, x->hop_len);
        c->bridge = bridge;
        c->dir = post_dir(x);
        plat_arrivals_reset(&c->in, x->hop + 1, 0);
        c->near = x;
        c->piece = piece_bytes(p, bridge, x);
        c->taken = 0;
        plat_xact_copy(&c->x, x);
        c->x.role = XACT_POSTED;
        c->x.data = c->data;
        c->x.done = copy_done;
        c->x.opaque = c;
        c->x.flow = NULL;
        c->x.poller = NULL;
        c->x.issued = sim_now(p->sim);
        x->flow = c;
    }
    bool took = take_room(p, c);
    (void)took;
    assert(took); /* write_accept saw room for the first piece */
    watch_room(p, c);
}

static void forwarded(Platform *p, PostedCopy *c, uint64_t moved)
{
    BridgeModel *m = model(p, c->bridge);
    m->free[c->dir] += moved;
    /* Writes waiting for room ask again. */
    size_t n = m->n_wait[c->dir];
    m->n_wait[c->dir] = 0;
    for (size_t i = 0; i < n; i++)
        plat_ask_again(p, m->wait[c->dir][i]);
}

static void wait_for_room(Platform *p, int bridge, Xact *x)
{
    BridgeModel *m = model(p, bridge);
    int d = post_dir(x);
    /* Room may have freed while the retry held the bus: ask again. */
    if (room_for_next(p, bridge, x, x->bytes_left)) {
        plat_ask_again(p, x);
        return;
    }
    if (m->n_wait[d] == m->cap_wait[d]) {
        m->cap_wait[d] = m->cap_wait[d] ? m->cap_wait[d] * 2 : 4;
        m->wait[d] = realloc(m->wait[d], m->cap_wait[d] * sizeof(Xact *));
        if (!m->wait[d])
            abort();
    }
    m->wait[d][m->n_wait[d]++] = x;
}

/* The bridge's write is done (or was posted again further on). */
static void copy_done(Sim *s, Xact *cx, void *opaque)
{
    PostedCopy *c = opaque;
    Platform *p = cx->plat;
    (void)s;
    if (cx->result != ROUTE_OK)
        p->posted_errors++; /* the master was told it was done */
    int master = c->x.master;
    plat_posted_put(p, c);
    p->posted_pending[master]--;
    if (p->drain_watch)
        p->drain_watch(p->drain_opaque, master);
}

/* A bridge answers a delayed read with at most its prefetch, and a split
 * transaction (on a PCI-X bus on its near side) with at most the
 * requester's maximum memory read byte count: its own, or its bus's. */
static uint64_t read_limit(const Platform *p, int bridge, int near,
                           int requester)
{
    const BusTiming *bt = &p->t->buses[near].timing;
    if (!bt->split_read_bytes)
        return p->t->comps[bridge].bridge->prefetch_bytes;
    unsigned own = p->t->comps[requester].max_read_bytes;
    return own ? own : bt->split_read_bytes;
}
/* Read prefetch by command (PCI 2.2 §3.1.1): a read within one DWORD is a
 * Memory Read, and the bridge fetches just that; one within a cache line
 * is a Memory Read Line, and it fetches to the end of the line; a longer
 * one is a Memory Read Multiple, and it fetches its prefetch size (no
 * limit: what is asked).  Only system RAM is read ahead (device regions
 * count as non-prefetchable), never past the target region, and never on
 * a bus of split transactions, whose requests carry an exact byte
 * count. */
static uint64_t read_fetch(const Platform *p, int bridge, const Xact *x,
                           uint64_t path_limit)
{
    const Route *r = x->route;
    const Topology *t = p->t;
    if (!t->comps[r->target_comp].kind->is_system_ram)
        return x->len;
    for (size_t h = 1; h < r->n_hops; h++)
        if (t->buses[r->hops[h - 1].bus].timing.split_read_bytes)
            return x->len;
    const BridgeParams *bp = t->comps[bridge].bridge;
    uint64_t a = x->addr, end = x->addr + x->len - 1, line = bp->line_bytes;
    uint64_t fetch = x->len;
    if (a / 4 == end / 4)
        fetch = x->len;                    /* Memory Read */
    else if (a / line == end / line)
        fetch = line - a % line;           /* Memory Read Line */
    else if (path_limit > x->len)
        fetch = path_limit;                /* Memory Read Multiple */
    uint64_t room = t->comps[r->target_comp].regions[r->target_region]
                        .size_bytes -
                    r->offset;
    return fetch < room ? fetch : room;
}

const BridgeOps bridge_flow_ops = {
    .write_accept = write_accept,
    .write_stream = write_stream,
    .wait_for_room = wait_for_room,
    .forwarded = forwarded,
    .read_limit = read_limit,
    .read_fetch = read_fetch,
};
