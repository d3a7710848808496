/* A bus transaction, dmaengine-style: prepared by a master, issued on the
 * platform, completed once with a result and a residue. */
#ifndef DMASIM_XACT_H
#define DMASIM_XACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sim/core/sim.h"
#include "sim/hw/kinds.h"
#include "sim/hw/route.h"

typedef struct Xact Xact;
typedef struct Platform Platform;
typedef void XactDoneFn(Sim *sim, Xact *x, void *opaque);

/* Where a transaction is in its life: one state, set by the platform. */
typedef enum {
    XACT_PREPARED,  /* filled in by its master, not issued */
    XACT_OUTBOUND,  /* on its way to the target: a write with its data, a
                       read's request (the target's hop moves the data) */
    XACT_RETURNING, /* a read's data on its way back to the master */
    XACT_COMPLETE,  /* done, once: result and residue are set */
} XactPhase;

/* Who a transaction is: the master's own, or one the platform issues on
 * its behalf (sim/hw/platform_int.h). */
typedef enum {
    XACT_MASTER,    /* issued by a master */
    XACT_POSTED,    /* a posted write a bridge carries on */
    XACT_PIECE,     /* one piece of a read longer than a bridge fetches */
    XACT_POLL,      /* a master asking again for its delayed read */
    XACT_COMPLETION,/* a split completion: a read's data a bridge sends
                       back as it arrives from the target */
} XactRole;

/* What a burst on a bus does. */
typedef enum {
    BURST_DATA,    /* data beats */
    BURST_REQUEST, /* a read's request to a bridge: no data; the bridge
                      answers with a retry or a split response */
    BURST_RETRY,   /* a write the bridge has no room for: a retry */
    BURST_ABORT,   /* nothing claims the access */
} BurstKind;

/* A transaction's request for its bus, as the arbiter sees it. */
typedef struct BusReq {
    uint64_t order;     /* arrival order of this request */
    uint64_t hop_order; /* of the hop's first request: one requester's
                           own transactions go in this order */
    SimTime requested;  /* when it asked */
    bool continuing;    /* the next burst of the same hop */
} BusReq;

/* A data burst's timing, fixed at its grant: its data beats start `lead`
 * cycles after `start` and take `per_beat` cycles each; `tail` cycles
 * follow the last (the turnaround).  It carries `bytes` bytes from hop
 * offset `done`, its first beat starting `lead_off` bytes into the bus
 * width `width`. */
typedef struct BurstPlan {
    SimTime start;
    uint64_t start_n; /* the index of start's edge (at or after it) */
    const Clock *clock; /* the bus's */
    uint64_t lead, per_beat, tail;
    uint64_t done, bytes, lead_off, width;
} BurstPlan;

struct Xact {
    /* set by the master */
    int master;           /* component index */
    XactDir dir;
    uint64_t addr, len;   /* on the master's bus */
    uint8_t *data;        /* written from, or read into; len bytes */
    XactDoneFn *done;
    void *opaque;
    bool writeback;       /* a CPU cache writing a line back */
    /* set by the platform */
    RouteStatus result;   /* ROUTE_OK, or the bus error */
    uint64_t residue;     /* bytes not transferred: 0 or len */
    SimTime issued, completed;
    const Route *route;   /* from issue to completion (NULL before and
                             after): the platform's, shared with the
                             transactions it issues on this one's behalf */
    XactPhase phase;
    XactRole role;
    size_t hop;           /* the bus it is on */
    int requester;        /* who asks for that bus: its master, or the
                             bridge that carried it there (or that
                             sends a split completion back) */
    SimTime split_end;    /* a read: when its last split request ended */
    Platform *plat;
    uint64_t fetch_len;   /* a read: what the target's hop moves (the
                             bridge's prefetch by command); >= len */
    uint64_t hop_len;     /* bytes the current hop carries */
    uint64_t bytes_left;  /* of the current hop */
    uint64_t hop_ready;   /* bytes of the current hop it may send now: all
                             of them, but for a posted write that is still
                             arriving in the bridge sending it on */
    BusReq req;
    BurstKind burst;      /* the burst on the bus */
    uint64_t burst_beats; /* its data beats */
    SimTime burst_start;  /* when it got the bus */
    BurstPlan plan;       /* a data burst's timing */
    EventId burst_event;  /* its end */
    struct PostedCopy *flow; /* a write streaming into the next bridge's
                                posted-write buffer: what the bridge sends
                                on of it */
    struct SplitReturn *back; /* a read at its target whose data the
                                 bridge sends back as it comes */
    struct Poll *poller;  /* its requester polling for it, while it waits */
    char reason[ROUTE_REASON_BYTES]; /* after a bus error (result not
                                        ROUTE_OK): why, for people */
};

/* Prepares x for platform_issue with the master's fields; every other
 * field is cleared (the reason's text but its first byte: it is written
 * only with a bus error). */
static inline void xact_prepare(Xact *x, int master, XactDir dir,
                                uint64_t addr, uint64_t len, uint8_t *data,
                                XactDoneFn *done, void *opaque)
{
    memset(x, 0, offsetof(Xact, reason) + 1);
    x->master = master;
    x->dir = dir;
    x->addr = addr;
    x->len = len;
    x->data = data;
    x->done = done;
    x->opaque = opaque;
}

#endif
