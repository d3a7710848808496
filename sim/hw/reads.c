/* What reads add to a transaction's path (docs/timing.md, "A
 * transaction"): a read longer than its path fetches at once goes in
 * pieces; a master told to retry a delayed read polls; a bridge answering
 * with a split response sends the data back as a split completion, as it
 * comes.  The platform's own transactions for these are pooled here. */
#include <stdlib.h>

#include "sim/hw/platform_int.h"

/* ---- pools ------------------------------------------------------------------ */

static ReadPiece *piece_get(Platform *p)
{
    ReadPiece *r = p->piece_free;
    if (r) {
        p->piece_free = r->next;
        return r;
    }
    r = calloc(1, sizeof *r);
    if (!r)
        abort();
    r->all = p->piece_all;
    p->piece_all = r;
    return r;
}

static void piece_put(Platform *p, ReadPiece *r)
{
    r->next = p->piece_free;
    p->piece_free = r;
}

static Poll *poll_get(Platform *p)
{
    Poll *q = p->poll_free;
    if (q) {
        p->poll_free = q->next;
        return q;
    }
    q = calloc(1, sizeof *q);
    if (!q)
        abort();
    q->all = p->poll_all;
    p->poll_all = q;
    return q;
}

static void poll_put(Platform *p, Poll *q)
{
    plat_route_drop(p, &q->x);
    q->next = p->poll_free;
    p->poll_free = q;
}
void plat_reads_free(Platform *p)
{
    for (SplitReturn *r = p->split_all, *next; r; r = next) {
        next = r->all;
        free(r->in.piece);
        free(r);
    }
    for (ReadPiece *r = p->piece_all, *next; r; r = next) {
        next = r->all;
        free(r);
    }
    for (Poll *q = p->poll_all, *next; q; q = next) {
        next = q->all;
        free(q);
    }
}

/* ---- pieces ------------------------------------------------------------------ */

static void piece_done(Sim *s, Xact *px, void *opaque);

static void issue_piece(Platform *p, ReadPiece *r)
{
    Xact *x = r->parent;
    uint64_t n = x->len - r->off < r->piece ? x->len - r->off : r->piece;
    xact_prepare(&r->x, x->master, XACT_READ, x->addr + r->off, n,
                 x->data + r->off, piece_done, r);
    platform_issue(p, &r->x);
    r->x.role = XACT_PIECE;
}

static void piece_done(Sim *s, Xact *px, void *opaque)
{
    (void)s;
    ReadPiece *r = opaque;
    Platform *p = px->plat;
    Xact *x = r->parent;
    if (px->result == ROUTE_OK && r->off + px->len < x->len) {
        r->off += px->len;
        if (r->rest)
            r->piece = x->len - r->off;
        issue_piece(p, r); /* the master retries for the rest */
        return;
    }
    RouteStatus result = px->result;
    uint64_t residue = result == ROUTE_OK ? 0 : x->len - r->off;
    piece_put(p, r); /* px's reason is read before the master's callback,
                        which may take r again */
    plat_finish_xact(p, x, result, residue, px->reason);
}

/* What the bridges a read crosses fetch for one request: the smallest of
 * their limits; 0 when none limits it. */
uint64_t plat_read_piece(const Platform *p, const Xact *x)
{
    uint64_t piece = 0;
    for (size_t h = 1; h < x->route->n_hops; h++) {
        int br = x->route->hops[h].via;
        uint64_t limit = bridge_ops(p, br)->read_limit(
            p, br, x->route->hops[h - 1].bus, x->route->hops[h - 1].via);
        if (limit && (!piece || limit < piece))
            piece = limit;
    }
    return piece;
}

static void in_pieces(Platform *p, Xact *x, uint64_t piece, bool rest)
{
    ReadPiece *rp = piece_get(p);
    rp->parent = x;
    rp->off = 0;
    rp->piece = piece;
    rp->rest = rest;
    issue_piece(p, rp);
}

/* A read longer than its path fetches at once goes in pieces, each a
 * request of its own: the master retries for the rest. */
bool plat_read_in_pieces(Platform *p, Xact *x)
{
    const Route *r = x->route;
    if (x->dir != XACT_READ || r->status != ROUTE_OK || r->n_hops < 2)
        return false;
    uint64_t piece = plat_read_piece(p, x);
    if (!piece || x->len <= piece)
        return false;
    in_pieces(p, x, piece, false);
    return true;
}

void plat_disconnected(Platform *p, Xact *x, uint64_t first)
{
    in_pieces(p, x, first, true);
}


/* ---- a master polling for its delayed read -------------------------------- */

/* The poll asks for the bus again, unless the read is back. */
static void request_poll(Sim *s, void *opaque)
{
    Poll *q = opaque;
    if (!q->read) { /* the data came back meanwhile */
        poll_put(q->x.plat, q);
        return;
    }
    q->x.req.continuing = false;
    plat_request(s, &q->x);
}

void plat_start_poll(Platform *p, Xact *x)
{
    const BusParams *b = hop_bus(p, x);
    const BusTiming *bt = &b->timing;
    if (!bt->retry_poll_cycles || bt->split_read_bytes ||
        x->role == XACT_POLL || x->poller)
        return;
    Poll *q = poll_get(p);
    plat_xact_copy(&q->x, x); /* its route, master and hop: the request,
                                 again */
    q->x.role = XACT_POLL;
    q->x.poller = NULL;
    q->x.data = NULL;
    q->x.bytes_left = 0;
    q->x.burst_beats = 0;
    q->read = x;
    x->poller = q;
    sim_at(p->sim,
           clock_after(&p->t->clocks[b->clock_idx].clock, sim_now(p->sim),
                       bt->retry_poll_cycles),
           request_poll, q);
}

void plat_poll_retried(Platform *p, Poll *q)
{
    if (!q->read) {
        poll_put(p, q);
        return;
    }
    const BusParams *b = hop_bus(p, &q->x);
    sim_at(p->sim,
           clock_after(&p->t->clocks[b->clock_idx].clock, sim_now(p->sim),
                       b->timing.retry_poll_cycles),
           request_poll, q);
}

void plat_stop_poll(Xact *x)
{
    Poll *q = x->poller;
    if (q) {
        q->read = NULL; /* it frees itself at its next turn */
        x->poller = NULL;
    }
}
/* ---- split completions ------------------------------------------------- */

static SplitReturn *split_get(Platform *p)
{
    SplitReturn *r = p->split_free;
    if (r) {
        p->split_free = r->next;
        return r;
    }
    r = calloc(1, sizeof *r);
    if (!r)
        abort();
    r->all = p->split_all;
    p->split_all = r;
    return r;
}

/* The read is over once its target's hop has moved everything and its
 * completion is back. */
static void split_over(Platform *p, SplitReturn *r)
{
    if (!r->target_done || !r->returned)
        return;
    Xact *x = r->read;
    x->back = NULL;
    r->next = p->split_free;
    p->split_free = r;
    plat_finish_xact(p, x, ROUTE_OK, 0, NULL);
}

static void split_returned(Sim *s, Xact *cx, void *opaque)
{
    (void)s;
    SplitReturn *r = opaque;
    r->returned = true;
    split_over(cx->plat, r);
}

/* Whether x, a read on its target's hop, has its data sent back as it
 * comes: the bridge before the target answered it with a split
 * response. */
static bool streams_back(const Platform *p, const Xact *x)
{
    return x->dir == XACT_READ && x->phase == XACT_OUTBOUND && last_hop(x) &&
           x->hop > 0 && x->route->status == ROUTE_OK &&
           p->t->buses[x->route->hops[x->hop - 1].bus].timing.split_read_bytes;
}

/* The target's hop moved `moved` more bytes of x: when it streams back,
 * the bridge sends them cross_cycles of the near bus later, no earlier
 * than its completer latency after the split request. */
void plat_split_data(Platform *p, Xact *x, uint64_t moved)
{
    if (!streams_back(p, x))
        return;
    const Topology *t = p->t;
    int bridge = x->route->hops[x->hop].via;
    const BridgeParams *bp = t->comps[bridge].bridge;
    const Clock *near =
        &t->clocks[t->buses[x->route->hops[x->hop - 1].bus].clock_idx].clock;
    SplitReturn *r = x->back;
    if (!r) {
        r = split_get(p);
        r->read = x;
        r->fetched = 0;
        r->target_done = r->returned = false;
        plat_arrivals_reset(&r->in, x->hop - 1,
                            clock_after(near, x->split_end,
                                        bp->completer_cycles));
        xact_prepare(&r->x, x->master, XACT_READ, x->addr, x->len, x->data,
                     split_returned, r);
        plat_route_share(&r->x, x);
        r->x.phase = XACT_RETURNING;
        r->x.role = XACT_COMPLETION;
        r->x.plat = p;
        r->x.fetch_len = x->len;
        r->x.issued = sim_now(p->sim);
        x->back = r;
    }
    uint64_t before = r->fetched < x->len ? r->fetched : x->len;
    r->fetched += moved;
    uint64_t end = r->fetched < x->len ? r->fetched : x->len;
    if (end > before)
        plat_arrival(p, &r->x, end,
                     clock_after(near, sim_now(p->sim), bp->cross_cycles));
}

void plat_split_fetched(Platform *p, Xact *x)
{
    x->back->target_done = true;
    split_over(p, x->back);
}
