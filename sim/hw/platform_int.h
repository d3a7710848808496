/* Private to the platform's three files (platform.c, arbiter.c,
 * bridge_flow.c): their shared state and the functions they call across. */
#ifndef DMASIM_PLATFORM_INT_H
#define DMASIM_PLATFORM_INT_H

#include "sim/hw/platform.h"

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
    uint64_t bytes, retries, splits;
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

/* Whether the current hop carries the data: every hop of a write (posted,
 * store and forward), but only the target's hop and the way back of a
 * read; a read's forward hops before the target carry just the request. */
static inline bool hop_carries_data(const Xact *x)
{
    return x->dir == XACT_WRITE || x->returning || last_hop(x);
}

/* ---- platform.c: the transaction's path --------------------------------- */

TargetTiming plat_hop_claimant(const Platform *p, const Xact *x, uint64_t done,
                               uint64_t len);
void plat_start_hop(Platform *p, Xact *x, size_t h, SimTime arrive);
void plat_cross_to(Platform *p, Xact *x, size_t to, size_t bridge_hop);
void plat_hop_done(Platform *p, Xact *x);
void plat_finish_xact(Platform *p, Xact *x, RouteStatus result,
                      uint64_t residue);

/* ---- arbiter.c: the bus formula and arbitration ------------------------- */

uint64_t plat_div_up(uint64_t a, uint64_t b);
unsigned plat_dac(const BusTiming *bt, unsigned width_bits, uint64_t addr,
                  uint64_t len);
uint64_t plat_per_burst(const BusTiming *bt, unsigned width_bits,
                        uint64_t addr, uint64_t len, TargetTiming tt);
uint64_t plat_bus_width_bytes(unsigned width_bits);
uint64_t plat_hop_beats(unsigned width_bits, uint64_t addr, uint64_t len);
void plat_request(Sim *s, void *opaque); /* an EventFn: x asks for its bus */

/* ---- bridge_flow.c: posted writes and delayed reads --------------------- */

bool plat_try_post(Platform *p, Xact *x);
void plat_post_wait(Platform *p, Xact *x);
void plat_post_forward(Platform *p, Xact *x);
/* Starts x as a delayed read in pieces when a bridge's prefetch limits
 * it; false when it goes as one piece. */
bool plat_split_read(Platform *p, Xact *x);
/* A delayed read's request was answered with a retry on its hop: its
 * requester polls that bus until the data comes back (or stops, when the
 * bus does not poll). */
void plat_start_poll(Platform *p, Xact *x);
/* A poll's burst ended: the next one, or the end of polling. */
void plat_poll_done(Platform *p, Xact *poll);
/* The read's data is back at its polling hop, or it ended: no more
 * polls. */
void plat_stop_poll(Xact *x);
/* What the bridges fetch for routed read x: len, or more by its command
 * (docs/timing.md, "A transaction"). */
uint64_t plat_read_fetch(const Platform *p, const Xact *x);

#endif
