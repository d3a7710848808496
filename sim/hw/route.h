/* Following one access from a master, hop by hop, to its target. */
#ifndef DMASIM_ROUTE_H
#define DMASIM_ROUTE_H

#include "sim/hw/addrmap.h"
#include "sim/hw/topology.h"

typedef enum {
    ROUTE_OK,
    ROUTE_MASTER_ABORT, /* nothing on a bus decodes the address */
    ROUTE_BEYOND_WIDTH, /* the address does not exist on a bus */
    ROUTE_STRADDLE,     /* the access crosses a decode boundary */
    ROUTE_DMA_MASK,     /* the master cannot drive the address */
    ROUTE_NOT_MASTER,   /* the component cannot issue accesses */
    ROUTE_TARGET_ABORT, /* an IOMMU's aperture page that maps nothing */
} RouteStatus;

/* A bridge chain is at most TOPO_MAX_DEPTH deep, and a route never
 * revisits a bus, so it climbs and descends at most that far. */
#define ROUTE_MAX_HOPS (2 * TOPO_MAX_DEPTH + 2)
#define ROUTE_REASON_BYTES 320

typedef struct RouteHop {
    int bus;
    AddrSpace space;
    uint64_t addr;          /* the access's address on this bus */
    int via;                /* component that put it here: master or bridge */
    const Decoder *window;  /* the window crossed to get here, or NULL */
} RouteHop;

typedef struct Route {
    RouteStatus status;
    int master;
    uint64_t addr, len;
    RouteHop hops[ROUTE_MAX_HOPS];
    size_t n_hops;
    bool local;            /* a device's master reaching its own region */
    const Decoder *target; /* the region decoder reached (ROUTE_OK) */
    int target_comp, target_region;
    uint64_t offset;       /* into the target region */
    uint64_t boundary;     /* ROUTE_STRADDLE: first address past the run */
    bool disconnect;       /* ROUTE_STRADDLE at a page boundary of an IOMMU
                              aperture: its bridge disconnects there, and
                              the master goes on from it (a piece of the
                              access is boundary - hops[n_hops-1].addr
                              bytes) */
    int aborter;           /* ROUTE_TARGET_ABORT: the bridge */
    char reason[ROUTE_REASON_BYTES]; /* why it died, for people */
} Route;

/* Routes [addr, addr + len) issued by component `master` in memory space.
 * len must be >= 1 and addr + len - 1 must not wrap (callers check user
 * input).  Returns true when a target is reached. */
bool route_access(const Topology *t, int master, uint64_t addr, uint64_t len,
                  Route *r);
/* The same with the programmable windows as ws has them (NULL: boot). */
bool route_access_ws(const Topology *t, const WinState *ws, int master,
                     uint64_t addr, uint64_t len, Route *r);

/* "master-abort", "beyond-width", … as used in JSON. */
const char *route_status_name(RouteStatus s);

#endif
