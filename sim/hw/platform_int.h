/* Private to the platform (platform.c: the transaction's path; arbiter.c:
 * the buses) and to the bridge model's run time (models/bridge_flow.c):
 * their shared state and the functions they call across. */
#ifndef DMASIM_PLATFORM_INT_H
#define DMASIM_PLATFORM_INT_H

#include "sim/hw/platform.h"

/* A bus data path: one burst at a time; requests wait in `q` until the
 * arbiter grants them. */
typedef struct BusState {
    Platform *p;
    int idx;
    bool busy, arb_pending;
    Xact **q;
    size_t n, cap;
    int last_granted;   /* requester of the last grant, for round robin */
    uint64_t arrivals;  /* arrival counter, for FIFO order */
    SimTime busy_time, last_end;
    uint64_t bytes, retries, splits;
} BusState;

/* The transactions the platform issues on a master's behalf, each a type
 * of its own with its Xact first (role says which). */

/* The bytes of a transaction's hop that arrive over time (a posted write
 * in the bridge sending it on, a read's data in the bridge sending it
 * back): the pieces on their way, in order, each with its time and its
 * place among the events of that time (sim_reserve, taken when it is
 * sent, as its event's would be).  It asks for its bus when the first
 * arrives (never before not_before), bursts over what has arrived, and
 * waits when it has sent all of that.
 *
 * A piece is an event of its own only where its arrival changes what
 * happens: when the hop has not begun, or waits for more.  While the
 * transaction asks for its bus or bursts on it, what arrives only adds
 * to what it may send, which nothing reads but its grant and its bursts'
 * ends: they take the pieces whose (time, place) came before theirs
 * (plat_arrived), and those count as the events they stand for.  With
 * coalescing off, every piece is an event, as the model has it. */
typedef struct Piece {
    uint64_t end;         /* the hop's bytes up to here */
    SimTime at;
    uint64_t seq;
} Piece;

typedef struct Arrivals {
    size_t hop;           /* the hop they arrive for */
    SimTime not_before;
    Piece *piece;
    size_t head, n, cap;  /* the pieces still to arrive */
    bool started;         /* that hop has begun */
    bool asking;          /* it waits for its bus or bursts on it */
    bool event;           /* the head piece's event is scheduled */
} Arrivals;

/* A posted write a bridge sends on: its own copy of the data, arriving
 * piece by piece as the write's beats cross the near bus (docs/timing.md,
 * "A transaction"). */
typedef struct PostedCopy {
    Xact x;                   /* the bridge's write on the far side */
    Arrivals in;              /* its pieces, for the far bus */
    uint8_t *data;
    uint64_t cap;
    int bridge, dir;          /* where its room is */
    Xact *near;               /* the write still arriving; NULL once in */
    uint64_t piece;           /* it arrives in pieces of this size */
    uint64_t taken;           /* bytes with room reserved */
    struct PostedCopy *next;  /* free list */
    struct PostedCopy *all;   /* every one, for freeing */
} PostedCopy;

/* A split completion: the data of a read the bridge next to its target
 * fetched, sent back on the near bus as it arrives (PCI-X 1.0 §2.10). */
typedef struct SplitReturn {
    Xact x;                   /* the completion, on its way back */
    Arrivals in;              /* the data, as the target's hop moves it */
    Xact *read;               /* the read it answers */
    uint64_t fetched;         /* bytes the target's hop has moved */
    bool target_done, returned; /* the target's hop is over; it is back */
    struct SplitReturn *next, *all;
} SplitReturn;

/* One piece of a read longer than the bridges on its path fetch, or of
 * an access a target disconnected at a boundary. */
typedef struct ReadPiece {
    Xact x;
    Xact *parent;             /* the master's access */
    uint64_t off, piece;      /* where this piece starts; the piece size
                                 (the first piece's, when `rest`) */
    bool rest;                /* after the first piece, the rest at once
                                 (it is cut again where its route says) */
    struct ReadPiece *next, *all;
} ReadPiece;

/* A master asking again, every few cycles, for a delayed read. */
typedef struct Poll {
    Xact x;                   /* the read's request, again */
    Xact *read;               /* NULL once the read no longer waits */
    struct Poll *next, *all;
} Poll;

/* What a bridge does to the transactions it carries besides passing them
 * on: the bridge model's run time (models/bridge_flow.c), reached through
 * its kind (ModelKind.bridge_ops). */
typedef struct BridgeOps {
    /* The write x's next burst into the bridge, about to be granted,
     * would carry `want` bytes: how many of them the bridge takes in this
     * burst (it disconnects at its boundary), or 0 when it has no room
     * for even the first piece (a retry: x then waits, below).  A bridge
     * that does not post takes them all, store and forward. */
    uint64_t (*write_accept)(Platform *p, int bridge, Xact *x,
                             uint64_t want);
    /* x's burst (x->plan) into the bridge is granted: a posting bridge
     * takes its bytes as they cross, a piece at a time while it has room
     * (a full buffer disconnects x at the next piece: plat_burst_cut),
     * and sends them on. */
    void (*write_stream)(Platform *p, int bridge, Xact *x);
    /* The write answered with a retry waits for room. */
    void (*wait_for_room)(Platform *p, int bridge, Xact *x);
    /* The bridge's write c moved `moved` bytes out of it on the far bus:
     * their room is free. */
    void (*forwarded)(Platform *p, PostedCopy *c, uint64_t moved);
    /* At most what one read request through the bridge fetches, asked
     * for by `requester` on the near bus `near`: its prefetch, or on a
     * bus of split transactions the requester's maximum read byte count
     * (its own, or the bus's); 0: no limit. */
    uint64_t (*read_limit)(const Platform *p, int bridge, int near,
                           int requester);
    /* What a read's first bridge fetches for x by its command, when one
     * request through the path fetches at most path_limit (0: no
     * limit). */
    uint64_t (*read_fetch)(const Platform *p, int bridge, const Xact *x,
                           uint64_t path_limit);
} BridgeOps;

/* A route in the platform's pool: routed into at issue, shared by the
 * transactions the platform issues on that one's behalf, back in the
 * pool when the last of them completes. */
typedef struct PooledRoute {
    Route r;                  /* first: a transaction's route points here */
    unsigned refs;
    struct PooledRoute *next; /* free list */
    struct PooledRoute *all;  /* every one, for freeing */
} PooledRoute;

struct Platform {
    const Topology *t;
    Sim *sim;
    PooledRoute *route_free, *route_all;
    WinState *ws; /* the programmable windows as their registers are now */
    BusState *buses;
    void **models;
    PostedCopy *posted_free, *posted_all;
    SplitReturn *split_free, *split_all;
    ReadPiece *piece_free, *piece_all;
    Poll *poll_free, *poll_all;
    uint64_t posted_errors;
    WriteWatchFn *watch;
    void *watch_opaque;
    uint64_t *posted_pending; /* per master: posted writes on their way */
    DrainWatchFn *drain_watch;
    void *drain_opaque;
    BurstTraceFn *trace;
    void *trace_opaque;
    uint64_t bursts;           /* bursts ended on every bus */
    bool coalesce;             /* a burst nothing can interrupt ends at
                                  once (arbiter.c); DMASIM_NO_COALESCE
                                  turns it off */
};

/* ---- the current hop of a transaction ----------------------------------- */

/* Per hop: the bus, its timing, and what the claimant costs. */
static inline const BusParams *hop_bus(const Platform *p, const Xact *x)
{
    return &p->t->buses[x->route->hops[x->hop].bus];
}

static inline bool last_hop(const Xact *x)
{
    return x->hop + 1 == x->route->n_hops;
}

static inline bool hop_aborts(const Xact *x)
{
    return last_hop(x) && x->route->status != ROUTE_OK;
}

/* The component asking for the bus (set at each hop's start). */
static inline int requester(const Xact *x)
{
    return x->requester;
}

/* The bridge the current hop leads into (not on the last hop). */
static inline int next_bridge(const Xact *x)
{
    return x->route->hops[x->hop + 1].via;
}

/* Whether the current hop carries the data: every hop of a write (posted,
 * store and forward), but only the target's hop and the way back of a
 * read; a read's forward hops before the target carry just the request. */
static inline bool hop_carries_data(const Xact *x)
{
    return x->dir == XACT_WRITE || x->phase == XACT_RETURNING ||
           last_hop(x);
}

/* The byte offset into the current hop's bus width where its next data
 * beat starts: the hop's first beat starts at its address mod the width,
 * every later burst where the last one ended. */
static inline uint64_t burst_lead_off(const Xact *x, uint64_t width_bytes)
{
    return (x->route->hops[x->hop].addr + (x->hop_len - x->bytes_left)) %
           width_bytes;
}

/* Where a transaction's bytes arrive over time, if they do. */
static inline Arrivals *arrivals_of(Xact *x)
{
    switch (x->role) {
    case XACT_POSTED:
        return &((PostedCopy *)x)->in;
    case XACT_COMPLETION:
        return &((SplitReturn *)x)->in;
    default:
        return NULL;
    }
}

/* On the hop its bytes arrive for. */
static inline bool trickles(Xact *x)
{
    Arrivals *a = arrivals_of(x);
    return a && x->hop == a->hop;
}

/* The bridge's run time. */
static inline const BridgeOps *bridge_ops(const Platform *p, int bridge)
{
    return p->t->comps[bridge].kind->bridge_ops;
}

/* ---- platform.c: routes ------------------------------------------------- */

/* A route from the pool, for x to be routed into (x holds it). */
Route *plat_route_get(Platform *p, Xact *x);
/* x is done with its route (its bus error's reason is kept in x); the
 * route goes back to the pool when no transaction holds it. */
void plat_route_drop(Platform *p, Xact *x);
/* c, prepared on x's behalf, shares x's route. */
void plat_route_share(Xact *c, const Xact *x);
/* Copies x into c, for a transaction the platform issues on x's behalf
 * (a posted write a bridge carries on, a poll): every field, the route
 * shared (not copied). */
void plat_xact_copy(Xact *c, const Xact *x);

/* ---- platform.c: the transaction's path --------------------------------- */

/* fn(opaque) as an event at t; one at now runs right after the current
 * event when nothing else is due now (coalescing: sim_then). */
void plat_at(Platform *p, SimTime t, EventFn *fn, void *opaque);

TargetTiming plat_hop_claimant(const Platform *p, const Xact *x, uint64_t done,
                               uint64_t len, SimTime at);
void plat_start_hop(Platform *p, Xact *x, size_t h, SimTime arrive);
void plat_cross_to(Platform *p, Xact *x, size_t to, size_t bridge_hop);
/* x completes now with a result the platform decided; `why`: the bus
 * error's reason when another transaction met it (a piece), else NULL
 * (x's own route says). */
void plat_finish_xact(Platform *p, Xact *x, RouteStatus result,
                      uint64_t residue, const char *why);
/* The burst granted to x now: sets x->burst and x->burst_beats and
 * returns its cycles.  `waiting`: other requesters wait on this path;
 * `overlap`: address pipelining hides its arbitration and address
 * phases (not a master abort's). */
uint64_t plat_burst_begin(Platform *p, Xact *x, bool waiting, bool overlap);
/* x's burst on bs ended, having moved `moved` bytes: what comes next
 * (the arbiter then looks for bs's next grant). */
void plat_burst_end(Platform *p, BusState *bs, Xact *x, uint64_t moved);
/* When the data burst x->plan has carried the hop's bytes up to offset
 * `end` (its last beat is done). */
SimTime plat_burst_crossed(const Xact *x, uint64_t end);
/* x's data burst ends after `beats` beats instead (its target
 * disconnects it): now or later, never before now. */
void plat_burst_cut(Platform *p, Xact *x, uint64_t beats);
/* x asks for its bus again, from the next edge, to go on where it is. */
void plat_ask_again(Platform *p, Xact *x);
/* x's hop bytes up to `end` arrive at `at` (in order). */
void plat_arrival(Platform *p, Xact *x, uint64_t end, SimTime at);
/* x reads what has arrived: it takes the pieces due before the running
 * event (a grant, or a burst's end). */
void plat_arrived(Platform *p, Xact *x);
/* An empty queue of arrivals for hop `hop`. */
void plat_arrivals_reset(Arrivals *a, size_t hop, SimTime not_before);
/* The pool of posted copies. */
PostedCopy *plat_posted_get(Platform *p);
void plat_posted_put(Platform *p, PostedCopy *c);

/* ---- arbiter.c: the bus formula and arbitration ------------------------- */

uint64_t plat_div_up(uint64_t a, uint64_t b);
unsigned plat_dac(const BusTiming *bt, uint64_t addr, uint64_t len);
uint64_t plat_per_burst(const BusTiming *bt, unsigned width_bits,
                        uint64_t addr, uint64_t len, TargetTiming tt);
uint64_t plat_bus_width_bytes(unsigned width_bits);
uint64_t plat_hop_beats(unsigned width_bits, uint64_t addr, uint64_t len);
void plat_request(Sim *s, void *opaque); /* an EventFn: x asks for its bus */

/* ---- reads.c: pieces, polling, split completions ----------------------- */

/* What the bridges a read crosses fetch for one request: the smallest of
 * their limits; 0 when none limits it. */
uint64_t plat_read_piece(const Platform *p, const Xact *x);
/* Issues x, a read longer than its path fetches at once, in pieces, each
 * a request of its own; false (nothing done) when it is not one. */
bool plat_read_in_pieces(Platform *p, Xact *x);
/* An access its target disconnects after `first` bytes (a page boundary
 * of an IOMMU aperture): the master goes on with the rest from there. */
void plat_disconnected(Platform *p, Xact *x, uint64_t first);
/* A delayed read's request was answered with a retry on its hop: its
 * requester polls that bus until the data comes back (or does not, when
 * the bus does not poll). */
void plat_start_poll(Platform *p, Xact *x);
/* A poll was answered with a retry: it asks again after the bus's
 * retry_poll_cycles, unless its read is back. */
void plat_poll_retried(Platform *p, Poll *q);
/* The read's data is back at its polling hop, or it ended: no more
 * polls. */
void plat_stop_poll(Xact *x);
/* x's target hop moved `moved` more bytes: if its data streams back as a
 * split completion, they go back. */
void plat_split_data(Platform *p, Xact *x, uint64_t moved);
/* x, streaming back, has finished its target's hop. */
void plat_split_fetched(Platform *p, Xact *x);
/* Frees the pools of reads.c. */
void plat_reads_free(Platform *p);

#endif
