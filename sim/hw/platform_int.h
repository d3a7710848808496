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

/* A posted write a bridge carries on, with its own copy of the data. */
typedef struct PostedCopy {
    Xact x;
    uint8_t *data;
    uint64_t cap;
    int bridge, dir;          /* where its room is */
    struct PostedCopy *next;  /* free list */
    struct PostedCopy *all;   /* every one, for freeing */
} PostedCopy;

/* One piece of a read longer than the bridges on its path fetch. */
typedef struct ReadPiece {
    Xact x;
    Xact *parent;             /* the master's read */
    uint64_t off, piece;      /* where this piece starts; the piece size */
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
    /* Room for the write x at the first burst of its hop into the bridge:
     * false answers it with a retry (the buffer is full; it waits, below).
     * True also when the bridge does not post it (it flows through). */
    bool (*take_write)(Platform *p, int bridge, Xact *x);
    /* The write answered with a retry waits for room. */
    void (*wait_for_room)(Platform *p, int bridge, Xact *x);
    /* The posted write x is in the bridge: it carries a copy on, and x is
     * done. */
    void (*carry_posted)(Platform *p, int bridge, Xact *x);
    /* At most what one read request through the bridge fetches, near bus
     * `near`: its prefetch, or the near bus's split byte count; 0: no
     * limit. */
    uint64_t (*read_limit)(const Platform *p, int bridge, int near);
    /* What a read's first bridge fetches for x by its command, when one
     * request through the path fetches at most path_limit (0: no
     * limit). */
    uint64_t (*read_fetch)(const Platform *p, int bridge, const Xact *x,
                           uint64_t path_limit);
} BridgeOps;

struct Platform {
    const Topology *t;
    Sim *sim;
    BusState *buses;
    void **models;
    PostedCopy *posted_free, *posted_all;
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
};

/* ---- the current hop of a transaction ----------------------------------- */

/* Per hop: the bus, its timing, and what the claimant costs. */
static inline const BusParams *hop_bus(const Platform *p, const Xact *x)
{
    return &p->t->buses[x->route.hops[x->hop].bus];
}

static inline bool last_hop(const Xact *x)
{
    return x->hop + 1 == x->route.n_hops;
}

static inline bool hop_aborts(const Xact *x)
{
    return last_hop(x) && x->route.status != ROUTE_OK;
}

/* The component asking for the bus: the master, or the bridge that
 * carried the access onto this bus. */
static inline int requester(const Xact *x)
{
    return x->route.hops[x->hop].via;
}

/* The bridge the current hop leads into (not on the last hop). */
static inline int next_bridge(const Xact *x)
{
    return x->route.hops[x->hop + 1].via;
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
    return (x->route.hops[x->hop].addr + (x->hop_len - x->bytes_left)) %
           width_bytes;
}

/* The bridge's run time. */
static inline const BridgeOps *bridge_ops(const Platform *p, int bridge)
{
    return p->t->comps[bridge].kind->bridge_ops;
}

/* ---- platform.c: the transaction's path --------------------------------- */

TargetTiming plat_hop_claimant(const Platform *p, const Xact *x, uint64_t done,
                               uint64_t len, SimTime at);
void plat_start_hop(Platform *p, Xact *x, size_t h, SimTime arrive);
void plat_cross_to(Platform *p, Xact *x, size_t to, size_t bridge_hop);
void plat_finish_xact(Platform *p, Xact *x, RouteStatus result,
                      uint64_t residue);
/* The burst granted to x now: sets x->burst and x->burst_beats and
 * returns its cycles.  `waiting`: other requests wait on this path;
 * `overlap`: address pipelining hides its arbitration and address
 * phases (not a master abort's). */
uint64_t plat_burst_begin(Platform *p, Xact *x, bool waiting, bool overlap);
/* x's burst on bs ended, having moved `moved` bytes: what comes next
 * (the arbiter then looks for bs's next grant). */
void plat_burst_end(Platform *p, BusState *bs, Xact *x, uint64_t moved);
/* Pools of the platform's own transactions. */
PostedCopy *plat_posted_get(Platform *p);
void plat_posted_put(Platform *p, PostedCopy *c);
ReadPiece *plat_piece_get(Platform *p);
void plat_piece_put(Platform *p, ReadPiece *r);

/* ---- arbiter.c: the bus formula and arbitration ------------------------- */

uint64_t plat_div_up(uint64_t a, uint64_t b);
unsigned plat_dac(const BusTiming *bt, unsigned width_bits, uint64_t addr,
                  uint64_t len);
uint64_t plat_per_burst(const BusTiming *bt, unsigned width_bits,
                        uint64_t addr, uint64_t len, TargetTiming tt);
uint64_t plat_bus_width_bytes(unsigned width_bits);
uint64_t plat_hop_beats(unsigned width_bits, uint64_t addr, uint64_t len);
void plat_request(Sim *s, void *opaque); /* an EventFn: x asks for its bus */

/* ---- polling (platform.c) ------------------------------------------------ */

/* A delayed read's request was answered with a retry on its hop: its
 * requester polls that bus until the data comes back (or does not, when
 * the bus does not poll). */
void plat_start_poll(Platform *p, Xact *x);
/* The read's data is back at its polling hop, or it ended: no more
 * polls. */
void plat_stop_poll(Xact *x);

#endif
