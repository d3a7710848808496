/* Address decoding: the one mechanism every access is routed by.
 *
 * Each bus has, per address space, four decode tiers in precedence order:
 * device regions (positive decode), downstream bridge windows (`ranges`),
 * identity downstream windows (`ranges: identity`, subtractive), and the
 * upstream windows of the bus's parent bridge (`dma_ranges`).  Each tier is
 * a sorted array of non-overlapping ranges searched by bisection, so a
 * decode costs O(tiers × log n) whatever the size of the topology. */
#ifndef DMASIM_ADDRMAP_H
#define DMASIM_ADDRMAP_H

#include "sim/hw/topology.h"

typedef enum {
    TIER_REGION,
    TIER_DOWN,
    TIER_SUBTRACTIVE,
    TIER_UP,
    N_TIERS
} Tier;

typedef struct Decoder {
    uint64_t lo, hi;   /* inclusive, on this bus in this space */
    Tier tier;
    int comp;          /* the target component, or the bridge */
    int index;         /* region index, window index, -1 for identity */
    int to_bus;        /* the far bus of a window; -1 for a region */
    AddrSpace to_space;
    uint64_t to_lo;    /* the far bus's address for lo; a region's: the
                          offset into the region at lo */
    SrcPos pos;
    const char *path;
    bool programmable; /* a bridge's programmable window (index: which) */
    bool iommu;        /* a bridge's IOMMU aperture: unmapped (index 0),
                          or one mapped page (`mapped`, index: the page) */
    bool mapped;
} Decoder;

/* Builds the decoders of every bus.  Problems that make routing ambiguous
 * or impossible (overlaps within a tier, windows and regions beyond an
 * address width, I/O windows to a bus without I/O space) are added to d as
 * errors; shadowing across tiers as warnings. */
AddrMap *addrmap_build(Topology *t, Diag *d);

/* Loads FILE: topology_read, then addrmap_build.  Input errors go to `d`
 * as one fatal finding and NULL is returned.  Otherwise the topology is
 * returned with any lint errors and warnings found while building its
 * decoders added to `d`; callers that need a sound topology refuse it
 * when d has errors (topology_sound). */
Topology *topology_load(const char *file, Diag *d);
/* The same with values overridden (sweep --vary). */
Topology *topology_load_ov(const char *file, const Override *ov, size_t n_ov,
                           Diag *d);

/* The decoder claiming `addr` on `bus` in space `sp`, ignoring windows of
 * the bridge `exclude` (the one the access arrived by; -1 for none), or
 * NULL for a master abort.  *run_last receives an address up to which the
 * decision is known not to change (it may change later or not: callers
 * that need the exact extent decode again at run_last + 1). */
const Decoder *addrmap_decode(const AddrMap *m, int bus, AddrSpace sp,
                              uint64_t addr, int exclude, uint64_t *run_last);

/* The programmable windows' settings and the IOMMUs' page mappings at
 * one moment (docs/topology.md, "Programmable windows", "IOMMU").  The
 * topology holds their boot setting (IOMMUs boot with nothing mapped); a
 * platform keeps its own copy, changed as register writes land.  A window
 * that is on decodes in the tier of its fixed counterparts (outbound with
 * `ranges`, inbound with `dma_ranges`), before them; an IOMMU's aperture
 * decodes with `dma_ranges`, page by page. */
typedef struct WinState WinState;

/* A copy of the boot setting of t's programmable windows. */
WinState *winstate_new(const Topology *t);
void winstate_free(WinState *ws);
/* Window `slot` of bridge `comp` (inbound or outbound): now w, or off
 * (w NULL).  The caller has checked w against the bridge's rules
 * (topo_window_rule) and its buses' widths. */
void winstate_set(WinState *ws, int comp, bool inbound, unsigned slot,
                  const WindowParams *w);
/* Maps pages [first, first + n) of bridge comp's IOMMU aperture to the
 * parent-bus addresses from pa on (page-aligned; the caller has checked
 * the range against the aperture and the parent bus's width). */
void winstate_iommu_map(WinState *ws, int comp, uint64_t first, uint64_t n,
                        uint64_t pa);
/* An access reaching page `page` of bridge comp's IOMMU (a table in
 * memory): true when its IOTLB holds the page's entry; else false, and
 * the entry, walked in, takes the place of the least recently used.
 * Mapping pages drops their entries. */
bool winstate_iotlb(WinState *ws, int comp, uint64_t page);
/* addrmap_decode with the programmable windows as ws has them (NULL: as
 * boot sets them). */
const Decoder *addrmap_decode_ws(const AddrMap *m, const WinState *ws,
                                 int bus, AddrSpace sp, uint64_t addr,
                                 int exclude, uint64_t *run_last);

/* "card region 0 (memory)", "pcix0-bridge ranges window 1", … */
void decoder_describe(const Topology *t, const Decoder *d, char *buf,
                      size_t len);

#endif
