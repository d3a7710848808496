/* Private to the address map's two files: sim/hw/addrmap_build.c
 * (building the decoders of a topology, and the lints that come of it)
 * and sim/hw/addrmap.c (programmable windows' state and decoding). */
#ifndef DMASIM_ADDRMAP_INT_H
#define DMASIM_ADDRMAP_INT_H

#include "sim/hw/addrmap.h"

typedef struct DecodeList {
    Decoder *v;
    size_t n, cap;
} DecodeList;

struct AddrMap {
    size_t n_buses;
    DecodeList (*lists)[N_SPACES][N_TIERS];
    WinState *boot; /* the programmable windows as boot sets them */
};

/* One programmable window: where it decodes, and its setting. */
typedef struct WinSlot {
    int comp;
    bool inbound;
    unsigned index;
    int bus;     /* the bus it decodes on */
    bool on;
    WindowParams w;
    Decoder dec;    /* when on */
    AddrSpace sp;   /* the space it decodes in on its bus, when on */
} WinSlot;

/* A bridge's IOMMU: a decoder per page once mapped (kept when the page
 * is unmapped, so that a route in flight never points at freed memory). */
typedef struct IommuPages {
    Decoder **pg;   /* per page; NULL: never mapped */
    uint64_t *tlb;  /* the IOTLB: the pages it holds (+1; 0 empty), */
    uint64_t *used; /* and when each was last used */
    uint64_t tick;
} IommuPages;

struct WinState {
    const Topology *t;
    IommuPages *io;  /* per component; pg NULL for the boot state */
    WinSlot *v;
    size_t n;
    size_t *first;  /* slots of bridge c: v[first[c] ..] */
    size_t *by_bus; /* slot indices by the bus they decode on, */
    size_t *bus_at; /* bus b's from by_bus[bus_at[b]] to by_bus[bus_at[b+1]] */
    bool arena;     /* the boot state lives in the topology's arena */
};

/* [lo, lo + size) fits below 2^bits: its last address in *hi. */
bool addrmap_fits(uint64_t lo, uint64_t size, unsigned bits, uint64_t *hi);
/* Bridge comp's programmable windows of one direction. */
const ProgWindows *addrmap_prog_of(const Topology *t, int comp, bool inbound);
/* The decoder of a programmable window that is on. */
void addrmap_slot_decoder(const Topology *t, WinSlot *sl);
/* Every bridge's programmable windows, all off, and its IOMMU's pages,
 * in arena a (the boot state) or on the heap (a == NULL). */
WinState *addrmap_ws_build(const Topology *t, Arena *a);
/* Window `slot` of bridge comp's programmable windows of a direction. */
WinSlot *addrmap_slot_at(const WinState *ws, int comp, bool inbound,
                         unsigned slot);

#endif
