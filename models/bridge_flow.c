/* A bridge at run time (docs/timing.md, "A transaction"): its posted-write
 * buffers (the master is done when the bridge has the write; a full buffer
 * answers with a retry), how much one read request through it fetches,
 * and what it fetches for a read's command.  The platform reaches it
 * through the bridge kind's BridgeOps. */
#include <stdlib.h>
#include <string.h>

#include "models/bridge.h"
#include "sim/hw/platform_int.h"

/* Per direction (0 down, 1 up): free room in the posted-write buffer, and
 * the writes waiting for room. */
typedef struct BridgeModel {
    uint64_t free[2];
    Xact **wait[2];
    size_t n_wait[2], cap_wait[2];
} BridgeModel;

void *bridge_model_new(const CompParams *c)
{
    BridgeModel *m = calloc(1, sizeof *m);
    if (!m)
        abort();
    m->free[0] = m->free[1] = c->bridge->post_bytes;
    return m;
}

void bridge_model_free(void *m)
{
    BridgeModel *b = m;
    free(b->wait[0]);
    free(b->wait[1]);
    free(b);
}

static BridgeModel *model(Platform *p, int bridge)
{
    return platform_model(p, bridge);
}

/* The direction of the bridge x's hop leads into: 0 down, 1 up. */
static int post_dir(const Xact *x)
{
    return x->route.hops[x->hop + 1].window->tier == TIER_UP;
}

/* Room for the whole write, or a retry.  A bridge that does not post, or
 * a write larger than its buffer, lets it flow through, store and
 * forward. */
static bool take_write(Platform *p, int bridge, Xact *x)
{
    const BridgeParams *bp = p->t->comps[bridge].bridge;
    if (!bp->post_bytes || x->len > bp->post_bytes)
        return true;
    uint64_t *free_bytes = &model(p, bridge)->free[post_dir(x)];
    if (*free_bytes < x->len)
        return false;
    *free_bytes -= x->len;
    x->posted = true;
    return true;
}

static void wait_for_room(Platform *p, int bridge, Xact *x)
{
    BridgeModel *m = model(p, bridge);
    int d = post_dir(x);
    if (m->n_wait[d] == m->cap_wait[d]) {
        m->cap_wait[d] = m->cap_wait[d] ? m->cap_wait[d] * 2 : 4;
        m->wait[d] = realloc(m->wait[d], m->cap_wait[d] * sizeof(Xact *));
        if (!m->wait[d])
            abort();
    }
    m->wait[d][m->n_wait[d]++] = x;
}

/* A posted write the bridge carried on finished (or was posted again
 * further on): its room is free again, and writes waiting for it ask for
 * their bus again. */
static void copy_done(Sim *s, Xact *cx, void *opaque)
{
    PostedCopy *c = opaque;
    Platform *p = cx->plat;
    (void)s;
    if (cx->result != ROUTE_OK)
        p->posted_errors++; /* the master was told it was done */
    BridgeModel *m = model(p, c->bridge);
    m->free[c->dir] += c->x.len;
    size_t n = m->n_wait[c->dir];
    m->n_wait[c->dir] = 0;
    for (size_t i = 0; i < n; i++) {
        Xact *w = m->wait[c->dir][i];
        plat_start_hop(p, w, w->hop, sim_now(p->sim));
    }
    plat_posted_put(p, c);
    p->posted_pending[c->x.master]--;
    if (p->drain_watch)
        p->drain_watch(p->drain_opaque, c->x.master);
}

/* The write is in the bridge's buffer: the master is done with it, and
 * the bridge carries a copy on. */
static void carry_posted(Platform *p, int bridge, Xact *x)
{
    PostedCopy *c = plat_posted_get(p);
    p->posted_pending[x->master]++;
    if (c->cap < x->len) {
        c->data = realloc(c->data, x->len);
        if (!c->data)
            abort();
        c->cap = x->len;
    }
    memcpy(c->data, x->data, x->len);
    c->bridge = bridge;
    c->dir = post_dir(x);
    c->x = *x;
    c->x.role = XACT_POSTED;
    c->x.data = c->data;
    c->x.done = copy_done;
    c->x.opaque = c;
    c->x.posted = false;
    c->x.issued = sim_now(p->sim);
    plat_cross_to(p, &c->x, x->hop + 1, x->hop + 1);
    plat_finish_xact(p, x, ROUTE_OK, 0);
}

/* A bridge answers a delayed read with at most its prefetch, and a split
 * transaction (on a PCI-X bus on its near side) with at most that bus's
 * maximum read byte count. */
static uint64_t read_limit(const Platform *p, int bridge, int near)
{
    const BusTiming *bt = &p->t->buses[near].timing;
    return bt->split_read_bytes ? bt->split_read_bytes
                                : p->t->comps[bridge].bridge->prefetch_bytes;
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
    const Route *r = &x->route;
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
    .take_write = take_write,
    .wait_for_room = wait_for_room,
    .carry_posted = carry_posted,
    .read_limit = read_limit,
    .read_fetch = read_fetch,
};
