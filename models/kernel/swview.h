/* The software view of the machine (docs/schemes.md, "What a scheme
 * knows"): what firmware and the kernel know of it, read once from the
 * topology as a kernel reads its device tree at boot — the bus tree, each
 * bridge's `ranges` and `dma_ranges` and what its programmable windows are
 * set to, the devices' regions (BARs), system RAM, each master's dma_mask
 * and what it can do.
 *
 * Translation is window arithmetic alone, by the device-tree rules: a
 * region's address moves up through the `ranges` of each bridge above it
 * (of_translate_address), a master's address up through `dma_ranges`
 * toward its parent; the two meet at the lowest bus both sit under.  The
 * first window holding an address wins.  The view knows nothing of decode
 * precedence, of a device's positive decode shadowing a window, or of what
 * a bus will actually claim: that is the hardware's (sim/hw/route.h), and
 * the oracle judges where the bytes land.  The schemes and the kernel's
 * memory decide from this view only. */
#ifndef DMASIM_KERNEL_SWVIEW_H
#define DMASIM_KERNEL_SWVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/hw/topology.h"

typedef struct SwView SwView;

/* What the kernel knows of a master. */
typedef struct SwMaster {
    bool is_master;     /* false: the component issues no accesses */
    bool is_cpu;
    bool engine;        /* a DMA master with channels: a controller, or a
                           device's own */
    bool copy_engine;   /* copies memory to memory (a DMA controller, or a
                           device master declared `memcpy: true`) */
    unsigned mask_bits; /* its dma_mask */
    unsigned chunk_bytes; /* what it moves per transaction: an engine's
                             buffer, the CPU's cache line */
    unsigned desc_bytes;  /* one descriptor in memory; 0 for the CPU */
    double work_ps;       /* its own work per chunk besides the bus: the
                             CPU's per-line copy cycles; 0 for engines */
} SwMaster;

/* A stretch of the kernel's physical address space (the CPU's bus) and
 * what the device tree says is there. */
typedef struct SwRes {
    uint64_t pa, len;
    int comp, region;
    uint64_t off;       /* into the region, at pa */
} SwRes;

/* Boots the view of topology t for the kernel of CPU `cpu`.  t must
 * outlive the view. */
SwView *swview_new(const Topology *t, int cpu);
void swview_free(SwView *v);
const Topology *swview_topology(const SwView *v);
int swview_cpu(const SwView *v);
const SwMaster *swview_master(const SwView *v, int comp);

/* The address master m drives to reach [off, off + len) of region
 * `region` of component `comp`: its own regions locally (their base), the
 * others by the region's address carried up through `ranges` to the
 * lowest bus m and comp share, then down to m's bus through the inverse of
 * the `dma_ranges` of the bridges between.  *run is how many bytes from
 * there the same windows carry (1..len).  The dma_mask is not applied.
 * False with the reason (for people) when a bridge has no window for it. */
bool swview_master_addr(const SwView *v, int m, int comp, int region,
                        uint64_t off, uint64_t len, uint64_t *addr,
                        uint64_t *run, char *why, size_t n);

/* The kernel's resource map: what lies at physical address pa (a stretch
 * of system RAM or a device region, translated for the CPU), and how many
 * bytes from pa stay in it (in *res->len, counted from pa).  False if the
 * device tree places nothing there. */
bool swview_phys(const SwView *v, uint64_t pa, SwRes *res);

/* dma_to_phys: master m's address carried up through the `dma_ranges` of
 * the bridges above it to the lowest bus it shares with the CPU, then down
 * to the CPU's bus; *run as above.  False with the reason when a bridge
 * has no window for it. */
bool swview_dma_to_phys(const SwView *v, int m, uint64_t addr, uint64_t len,
                        uint64_t *pa, uint64_t *run, char *why, size_t n);

/* The buses between master m and component comp by the tree (up from m's
 * bus to the lowest shared bus, down to comp's), at most `max` of them
 * into buses[]; returns how many there are.  None when comp is m (a
 * device reaches its own regions locally). */
size_t swview_path(const SwView *v, int m, int comp, int *buses, size_t max);

/* The CPU's address for byte `off` of region `region` of `comp` (what
 * ioremap() takes), and how many bytes from there stay in one stretch:
 * the resource map's entry.  Regions behind a bridge whose outbound
 * windows the kernel programs, and that no window holds at boot, have the
 * address a window placed 1:1 in the bridge's aperture would give them
 * (docs/topology.md, "Programmable windows").  False if there is none. */
bool swview_resource(const SwView *v, int comp, int region, uint64_t off,
                     uint64_t *pa, uint64_t *run);

/* System RAM as the kernel finds it: every memory region of a system-RAM
 * kind that the CPU has an address for, whole, sorted by address. */
const SwRes *swview_ram(const SwView *v, size_t *n);

/* A bridge's programmable window as the kernel keeps it: what it set (boot
 * firmware's setting at first; docs/topology.md, "Programmable windows"),
 * and what its window allocator needs.  Translation above uses the
 * windows that are on, after the fixed ones. */
typedef struct SwWindow {
    bool on;
    WindowParams w;    /* when on */
    bool pinned;       /* set at boot: fixed mappings (ioremap) rely on it,
                          so it is never reprogrammed */
    unsigned users;    /* operations mapped through it now */
    uint64_t last_use; /* when it was last used (a count of uses): the
                          least recently used idle window goes first */
    bool pending;      /* set here, but its register writes have not all
                          landed yet: only the operation programming it
                          may plan a transfer through it */
} SwWindow;

/* Window `slot` of bridge comp's inbound or outbound windows: the
 * kernel's live record, which the schemes that program windows change. */
SwWindow *swview_window(const SwView *v, int comp, bool inbound,
                        unsigned slot);

/* Where the last translation (swview_master_addr, swview_dma_to_phys)
 * that failed stopped at a bridge whose windows that way the kernel can
 * program (`registers` and `aperture`): a window must hold [addr, addr +
 * len) on the bridge's child side (at_child) or parent side.  set is
 * false after a success, or a failure anywhere else. */
typedef struct SwMiss {
    bool set;
    int bridge;
    bool inbound;
    bool at_child;
    uint64_t addr, len;
    bool windows;       /* its windows that way are programmable */
    bool iommu;         /* its IOMMU can map the range (RAM, inbound) */
} SwMiss;
const SwMiss *swview_last_miss(const SwView *v);

/* The programmable windows and IOMMU pages the last translation went
 * through (at most SW_MAX_USED stretches), for the allocators' users and
 * last use. */
#define SW_MAX_USED 8
typedef struct SwUsed {
    size_t n;
    struct {
        int bridge;
        bool inbound;
        unsigned slot;
        bool iommu;           /* pages [page, page + pages) of its IOMMU,
                                 not a window */
        uint64_t page, pages;
    } v[SW_MAX_USED];
} SwUsed;
const SwUsed *swview_last_used(const SwView *v);

/* A page of a bridge's IOMMU aperture as the kernel keeps it (docs/
 * topology.md, "IOMMU"): nothing is mapped at boot.  Translation through
 * the bridge's dma_ranges way uses the pages that are on: up, a device's
 * aperture address to the RAM its page maps; down, RAM to a page that
 * maps it, when no window holds it. */
typedef struct SwIommuPage {
    bool on;
    uint64_t pa;       /* the parent-bus address it maps, when on */
    unsigned users;    /* operations mapped through it now */
    uint64_t last_use; /* as for windows */
    bool pending;      /* as for windows */
} SwIommuPage;
SwIommuPage *swview_iommu_page(const SwView *v, int comp, uint64_t page);
/* Where the kernel keeps a page table in memory (table: memory): the
 * physical address it allocated at boot, and told the bridge. */
void swview_set_iommu_table(SwView *v, int comp, uint64_t pa);
uint64_t swview_iommu_table(const SwView *v, int comp);

#endif
