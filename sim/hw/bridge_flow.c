/* What bridges do to transactions besides passing them on: posted-write
 * buffers (the master is done when the bridge has the write; a full buffer
 * answers with a retry) and delayed reads carried in pieces of the
 * bridges' prefetch size (docs/timing.md, "A transaction"). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "sim/hw/platform_int.h"

static void piece_done(Sim *s, Xact *px, void *opaque);

/* The direction of the bridge between hop h and h + 1: 0 down, 1 up. */
static int post_dir(const Xact *x, size_t h)
{
    return x->route.hops[h + 1].window->tier == TIER_UP;
}

/* At the first burst of a write hop that ends at a posting bridge:
 * reserve room for the whole write.  False when the buffer is full; true
 * otherwise (also when the bridge does not post or the write is larger
 * than its buffer: then it flows through, store and forward). */
bool plat_try_post(Platform *p, Xact *x)
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

void plat_post_wait(Platform *p, Xact *x)
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
        plat_start_hop(p, w, w->hop, sim_now(p->sim));
    }
    f->next = p->fwd_free;
    p->fwd_free = f;
    p->posted_pending[f->x.master]--;
    if (p->drain_watch)
        p->drain_watch(p->drain_opaque, f->x.master);
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

/* The write is in the bridge's buffer: the master is done with it, and
 * the bridge carries a copy on. */
void plat_post_forward(Platform *p, Xact *x)
{
    Fwd *f = fwd_get(p);
    p->posted_pending[x->master]++;
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
    plat_cross_to(p, &f->x, x->hop + 1, x->hop + 1);
    plat_finish_xact(p, x, ROUTE_OK, 0);
}

/* What the bridges a read crosses fetch for one request: a bridge answers
 * a delayed read with at most its prefetch, and a split transaction (on a
 * PCI-X bus on its near side) with at most that bus's maximum read byte
 * count.  The smallest; 0 when none limits it. */
static uint64_t read_piece(const Platform *p, const Xact *x)
{
    uint64_t piece = 0;
    for (size_t h = 1; h < x->route.n_hops; h++) {
        const BridgeParams *bp = p->t->comps[x->route.hops[h].via].bridge;
        const BusTiming *near = &p->t->buses[x->route.hops[h - 1].bus].timing;
        uint64_t limit = near->split_read_bytes ? near->split_read_bytes
                                                : bp->prefetch_bytes;
        if (limit && (!piece || limit < piece))
            piece = limit;
    }
    return piece;
}

/* Read prefetch by command (PCI 2.2 §3.1.1): a read within one DWORD is a
 * Memory Read, and the bridge fetches just that; one within a cache line
 * is a Memory Read Line, and it fetches to the end of the line; a longer
 * one is a Memory Read Multiple, and it fetches its prefetch size (no
 * limit: what is asked).  Only system RAM is read ahead (device regions
 * count as non-prefetchable), never past the target region, and never on
 * a bus of split transactions, whose requests carry an exact byte
 * count. */
uint64_t plat_read_fetch(const Platform *p, const Xact *x)
{
    const Route *r = &x->route;
    const Topology *t = p->t;
    if (x->dir != XACT_READ || r->status != ROUTE_OK || r->n_hops < 2 ||
        !t->comps[r->target_comp].kind->is_system_ram)
        return x->len;
    for (size_t h = 1; h < r->n_hops; h++)
        if (t->buses[r->hops[h - 1].bus].timing.split_read_bytes)
            return x->len;
    const BridgeParams *bp = t->comps[r->hops[1].via].bridge;
    uint64_t a = x->addr, end = x->addr + x->len - 1, line = bp->line_bytes;
    uint64_t fetch = x->len;
    if (a / 4 == end / 4)
        fetch = x->len;                    /* Memory Read */
    else if (a / line == end / line)
        fetch = line - a % line;           /* Memory Read Line */
    else if (read_piece(p, x) > x->len)
        fetch = read_piece(p, x);          /* Memory Read Multiple */
    uint64_t room = t->comps[r->target_comp].regions[r->target_region]
                        .size_bytes -
                    r->offset;
    return fetch < room ? fetch : room;
}

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
    plat_finish_xact(p, x, result, residue);
}

bool plat_split_read(Platform *p, Xact *x)
{
    const Route *r = &x->route;
    if (x->dir != XACT_READ || r->status != ROUTE_OK || r->n_hops < 2)
        return false;
    uint64_t piece = read_piece(p, x);
    if (!piece || x->len <= piece)
        return false;
    /* Each bridge fetches at most its prefetch size (or split completion
     * size), so the master gets the data piece by piece. */
    Fwd *f = fwd_get(p);
    f->parent = x;
    f->off = 0;
    f->piece = piece;
    issue_piece(p, f);
    return true;
}

/* ---- a master polling for its delayed read ------------------------------- */

/* The poll (a Fwd's Xact) asks for the bus again, unless the read is back. */
static void poll_request(Sim *s, void *opaque)
{
    Fwd *f = opaque;
    Platform *p = f->x.plat;
    if (!f->parent) { /* the data came back meanwhile */
        f->next = p->fwd_free;
        p->fwd_free = f;
        return;
    }
    f->x.continuing = false;
    plat_request(s, &f->x);
}

static void poll_after(Platform *p, Fwd *f)
{
    const BusParams *b = &p->t->buses[f->x.route.hops[f->x.hop].bus];
    const BusTiming *bt = &b->timing;
    sim_at(p->sim,
           clock_after(p->t->clocks[b->clock_idx].hz, sim_now(p->sim),
                       bt->retry_poll_cycles),
           poll_request, f);
}

void plat_start_poll(Platform *p, Xact *x)
{
    const BusTiming *bt = &hop_bus(p, x)->timing;
    if (!bt->retry_poll_cycles || bt->split_read_bytes || x->poll ||
        x->poller)
        return;
    Fwd *f = fwd_get(p);
    f->x = *x; /* its route, master and hop: the request, again */
    f->x.poll = true;
    f->x.poller = NULL;
    f->x.data = NULL;
    f->x.beats_left = f->x.bytes_left = 0;
    f->x.burst_beats = 0;
    f->parent = x;
    x->poller = f;
    poll_after(p, f);
}

void plat_poll_done(Platform *p, Xact *poll)
{
    Fwd *f = (Fwd *)((char *)poll - offsetof(Fwd, x));
    if (f->parent) {
        poll_after(p, f);
        return;
    }
    f->next = p->fwd_free;
    p->fwd_free = f;
}

void plat_stop_poll(Xact *x)
{
    Fwd *f = x->poller;
    if (f) {
        f->parent = NULL; /* it frees itself at its next turn */
        x->poller = NULL;
    }
}
