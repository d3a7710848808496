/* A bus transaction, dmaengine-style: prepared by a master, issued on the
 * platform, completed once with a result and a residue. */
#ifndef DMASIM_XACT_H
#define DMASIM_XACT_H

#include <stdint.h>

#include "sim/core/sim.h"
#include "sim/hw/kinds.h"
#include "sim/hw/route.h"

typedef struct Xact Xact;
typedef struct Platform Platform;
typedef void XactDoneFn(Sim *sim, Xact *x, void *opaque);

struct Xact {
    /* set by the master */
    int master;           /* component index */
    XactDir dir;
    uint64_t addr, len;   /* on the master's bus */
    uint8_t *data;        /* written from, or read into; len bytes */
    XactDoneFn *done;
    void *opaque;
    /* set by the platform */
    RouteStatus result;   /* ROUTE_OK, or the bus error */
    uint64_t residue;     /* bytes not transferred: 0 or len */
    SimTime issued, completed;
    Route route;
    size_t hop;           /* the bus it is on */
    int state;            /* 0 prepared, 1 in flight, 2 complete */
    Platform *plat;
    uint64_t fetch_len;   /* a read: what the target's hop moves (the
                             bridge's prefetch by command); >= len */
    uint64_t hop_len;     /* bytes the current hop carries */
    uint64_t beats_left;  /* of the current hop */
    uint64_t bytes_left;  /* of the current hop */
    uint64_t burst_beats; /* of the burst on the bus */
    uint64_t order;       /* arrival order of this burst's request */
    uint64_t hop_order;   /* arrival order of the hop's first request */
    bool returning;       /* read data on its way back to the master */
    bool accessed;        /* the target has moved the bytes */
    bool posted;          /* space is reserved in the next bridge's buffer */
    bool retry;           /* the bridge had no room: wait for it */
    bool continuing;      /* the next burst of the same hop */
    bool poll;            /* a master's retry of a pending delayed read */
    void *poller;         /* the polling of this read, while it waits */
    SimTime requested;    /* when it asked for the bus */
    SimTime burst_start;  /* when its current burst got the bus */
};

#endif
