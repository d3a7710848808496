/* DMA addressing schemes (docs/schemes.md): what software programs into
 * a DMA master.  A scheme turns one workload operation into a plan — the
 * master that runs it, the addresses and segments programmed into it, and
 * the CPU's copies, cache maintenance and bounce buffers — which the
 * runner carries out on the timed hardware.  A scheme decides from the
 * software view (models/kernel/swview.h), the kernel's memory and page
 * tables, and what the driver holds of its buffers: never from the
 * router, the decoders, lint, the platform or the oracle (make test
 * checks the includes). */
#ifndef DMASIM_DMA_API_H
#define DMASIM_DMA_API_H

#include "models/cpu_types.h"
#include "models/dma_types.h"
#include "models/kernel/kmem.h"
#include "models/kernel/swiotlb.h"
#include "models/kernel/swview.h"

typedef enum { MAP_SINGLE, MAP_SG } MapKind;
/* An operation's engine: a master's component index, or one of these. */
enum { ENGINE_AUTO = -1, ENGINE_CPU = -2 };

/* A buffer as the driver holds it: a kernel virtual address and a size,
 * for coherent memory the handle dma_alloc_coherent() returned, for a
 * FIFO the register's width.  Where it lies is for the page tables and
 * the software view to say. */
typedef struct ApiBuffer {
    const char *name;   /* the driver's name for it, for messages */
    uint64_t va, size;
    MemClass cls;       /* MEM_IOREMAP for mmio and FIFO buffers */
    uint64_t handle;    /* coherent: the flat handle (dma_addr_t) */
    int handle_dev;     /* coherent: the device it is expressed in, -1 NULL */
    unsigned fifo_unit; /* FIFO: the register's width in bytes */
    bool dma_safe;      /* the kernel's own memory for DMA (bounce and
                           descriptor buffers), not a driver's object */
} ApiBuffer;

/* One operation as the workload asks it: len bytes from src + src_off to
 * dst + dst_off. */
typedef struct ApiOp {
    const ApiBuffer *src, *dst;
    uint64_t src_off, dst_off, len;
    int engine;         /* ENGINE_AUTO, ENGINE_CPU or a master */
    MapKind map;
} ApiOp;

typedef enum {
    STEP_CALL,     /* n DMA API calls: software cost on the CPU */
    STEP_CACHE,    /* flush or invalidate [va, va + len) */
    STEP_CPU_COPY, /* the CPU copies len bytes, virtual to virtual */
    STEP_DMA,      /* program a master with segments and start it */
    STEP_PROGRAM,  /* write a bridge window's registers (PIO), read back */
    STEP_IOMMU,    /* write IOMMU page entries' registers (PIO), read back */
} StepKind;

typedef struct PlanStep {
    StepKind kind;
    unsigned calls;                 /* STEP_CALL */
    CacheOp cache;                  /* STEP_CACHE */
    uint64_t src, dst, len;         /* STEP_CACHE (dst), STEP_CPU_COPY */
    bool src_fixed, dst_fixed;      /* STEP_CPU_COPY: FIFO ends */
    unsigned unit;
    int master;                     /* STEP_DMA */
    DmaSeg *segs;
    size_t n_segs;
    uint64_t desc_addr;             /* on the master's bus; 0: registers */
    uint64_t src_va, dst_va;        /* STEP_DMA: the ends as the driver
                                       mapped them (bounce buffers too) */
    int bridge;                     /* STEP_PROGRAM: window `slot` of its */
    bool inbound;                   /* inbound or outbound windows */
    unsigned slot;
    WindowParams win;               /* its new setting */
    uint64_t page, pages, pa;       /* STEP_IOMMU: pages [page, page +
                                       pages) of the bridge's IOMMU map
                                       memory from pa on */
    uint64_t regs_pa;               /* its registers (STEP_IOMMU: the
                                       first page's entry, in registers or
                                       in memory), as the CPU reaches
                                       them */
    unsigned writes;                /* how many (4 bytes each) */
    bool flush;                     /* STEP_IOMMU, a table in memory: */
    uint64_t flush_pa;              /* the invalidate register, written
                                       once after the entries */
} PlanStep;

/* A programmable window, or a page of an IOMMU, an operation maps
 * through: held (its users counted) until the operation ends. */
typedef struct HeldWindow {
    int bridge;
    bool inbound;
    unsigned slot;
    bool iommu;         /* page `page` of the bridge's IOMMU */
    uint64_t page;
} HeldWindow;

/* A change a plan made to the kernel's record of windows or IOMMU pages,
 * with what was there before: put back when the plan is given up. */
typedef struct PlanUndo {
    int bridge;
    bool iommu;
    bool inbound;              /* a window: `slot` of the bridge's */
    unsigned slot;
    SwWindow old;
    uint64_t first, n;         /* IOMMU pages, and their records */
    SwIommuPage *old_pages;
} PlanUndo;

/* Physical memory a scheme owns for an operation (bounce buffers and
 * descriptors): writes there are not collateral damage. */
typedef struct OwnRange {
    uint64_t pa, len;
} OwnRange;

typedef struct Plan {
    PlanStep *steps;
    size_t n_steps, cap_steps;
    OwnRange *own;
    size_t n_own, cap_own;
    int engine;                /* the DMA master used, or ENGINE_CPU */
    uint64_t bounce_bytes;     /* bytes the CPU copied for the scheme */
    bool refused;              /* an API error: nothing was done */
    char reason[400];          /* the refusal, for people */
    char choice[600];          /* how the engine was chosen, for people */
    HeldWindow *held;          /* windows to release when it ends */
    size_t n_held, cap_held;
    unsigned windows_programmed, window_evictions, register_writes;
    uint64_t iommu_pages_mapped, iommu_evictions;
    PlanUndo *undo;            /* the kernel's records it changed */
    size_t n_undo, cap_undo;
    struct {                   /* swiotlb slots it holds until unmap */
        uint32_t slot;
        uint64_t len;
    } *tlb;
    size_t n_tlb, cap_tlb;
    Swiotlb *pool;             /* whose */
    bool wait;                 /* a window or IOMMU page it needs is held
                                  by another operation now: give the plan
                                  up (plan_give_up) and plan again when an
                                  operation ends */
} Plan;

/* What a scheme works with. */
typedef struct ApiCtx {
    const Topology *t;
    const SwView *sw;  /* what the kernel knows of the machine */
    KMem *kmem;
    int cpu;
    /* For dma_move's cost: the operations in flight now on each master,
     * the CPU's copies counted against the CPU (by component), and across
     * each bus (by bus); either may be NULL. */
    const unsigned *in_flight;
    const unsigned *bus_load;
    /* The scheme's own kmalloc memory for the operation being planned:
     * slot 0 and 1 bounce the source and destination, slot 2 holds
     * descriptors.  Reused from one operation of a stream to the next. */
    bool (*scratch)(void *opaque, unsigned slot, uint64_t size, uint64_t *va,
                    uint64_t *pa);
    void *opaque;
    /* Where a scheme that programs bridge windows adds the steps and the
     * windows it holds: the plan being made (dma_api_plan sets it; NULL
     * while dma_move estimates, which must change nothing).  stamp orders
     * operations for least-recently-used eviction. */
    Plan *programs;
    uint64_t stamp;
    /* dma_move's estimates: a window that would have to be programmed is
     * set for the trial and put back (never outside an estimate: a handle
     * through such a window would point nowhere) */
    bool trial_windows;
    /* The kernel's bounce pool, when the scheme's boot made one. */
    Swiotlb *swiotlb;
    /* The end being mapped is one the device writes (DMA_FROM_DEVICE);
     * false: one it reads (DMA_TO_DEVICE). */
    bool from_device;
} ApiCtx;

typedef struct Seg {
    uint64_t addr, len;
} Seg;

/* Addresses on one master's bus covering one end of an operation. */
typedef struct SegList {
    Seg *v;
    size_t n, cap;
    bool fixed; /* a FIFO register: one address */
    bool split; /* keep adjacent segments apart (map_sg of pages) */
} SegList;

typedef enum {
    MAP_OK,     /* the segments are what the master should drive */
    MAP_BOUNCE, /* the scheme bounces this end (the reason says why) */
    MAP_REFUSE, /* an API error (the reason says why) */
} MapResult;

/* A scheme's ops.  The shared planner (dma_api_plan) calls them for each
 * operation; docs/schemes.md says what each scheme's do. */
typedef struct DmaApi {
    const char *name;
    const char *summary;
    /* dma_alloc_coherent(dev, size): dev -1 is NULL.  Fills va, handle,
     * handle_dev; false with a reason if it refuses. */
    bool (*alloc_coherent)(const ApiCtx *c, int dev, uint64_t size,
                           ApiBuffer *out, char *why, size_t n);
    /* dma_map_single (MAP_SINGLE) or dma_map_sg (MAP_SG) of
     * [off, off + len) of b for master m: segments in m's addresses, a
     * bounce, or a refusal, with the reason in why. */
    MapResult (*map)(const ApiCtx *c, int m, const ApiBuffer *b, uint64_t off,
                     uint64_t len, MapKind how, SegList *out, char *why,
                     size_t n);
    /* engine: auto — the master (or ENGINE_CPU) that moves op, explained
     * in plan->choice; may refuse. */
    int (*move)(const ApiCtx *c, const ApiOp *op, Plan *p);
    /* Optional: the scheme copies with the CPU rather than use master m. */
    bool (*cpu_instead)(const ApiCtx *c, int m, Plan *p);
    /* Optional: what the scheme's kernel sets up at boot, before any
     * buffer is allocated (a bounce pool in *pool); false with why when
     * it cannot boot at all. */
    bool (*boot)(const ApiCtx *c, Swiotlb **pool, char *why, size_t n);
    /* Optional: memory to bounce len bytes through, held by plan p until
     * the operation ends; false with why (an API error).  Without it,
     * the stream's kmalloc scratch memory. */
    bool (*bounce_mem)(const ApiCtx *c, Plan *p, uint64_t len, uint64_t *va,
                       uint64_t *pa, char *why, size_t n);
    /* The bounce buffer of a destination is filled from it before the
     * transfer too (swiotlb does, for every direction). */
    bool bounce_fills_dst;
    /* Optional: the least alignment the scheme's kernel gives a kmalloc
     * buffer (ARCH_DMA_MINALIGN); without it, a buffer's own `align:`. */
    uint64_t (*kmalloc_minalign)(const ApiCtx *c);
    /* Cache maintenance on a non-coherent platform (docs/schemes.md,
     * "Caches"): false, 2004's consistent_sync at map time only (clean
     * the source, invalidate every line of the destination); true,
     * today's Linux: partial lines of the destination are flushed, not
     * invalidated, and unmapping invalidates the destination again
     * before the CPU reads it (arch_sync_dma_for_cpu). */
    bool sync_for_cpu;
} DmaApi;

extern const DmaApi dma_api_flat, dma_api_flat_bounce, dma_api_struct,
    dma_api_linux;

const DmaApi *dma_api_find(const char *name);
const DmaApi *const *dma_api_all(size_t *n); /* in report order */
const char *dma_api_names(void);             /* "flat, flat-bounce, struct" */

/* Plans one operation with api's ops (models/dma_api/plan.c); an API
 * error sets plan->refused. */
void dma_api_plan(const DmaApi *api, const ApiCtx *c, const ApiOp *op,
                  Plan *p);

/* The buses an access by master m to kernel virtual address va crosses,
 * as the page tables and the software view have it (swview_path); an
 * access to m's own regions is charged to m's own bus.  At most max into
 * buses[]; 0 when nothing the kernel knows lies at va.  The runner
 * counts the load dma_move reads on them. */
size_t plan_buses(const ApiCtx *c, int m, uint64_t va, int *buses,
                  size_t max);

/* ---- building plans (models/dma_api/plan.c) ---------------------------- */

void plan_init(Plan *p);
void plan_free(Plan *p);
PlanStep *plan_add(Plan *p, StepKind kind);
void plan_own(Plan *p, uint64_t pa, uint64_t len);
/* Adds a window to those the plan holds; false if it holds it already. */
bool plan_hold(Plan *p, int bridge, bool inbound, unsigned slot);
/* The same for a page of a bridge's IOMMU. */
bool plan_hold_page(Plan *p, int bridge, uint64_t page);
/* Records what a window or pages held before the plan changed them
 * (plan_undo_pages takes old, which has n records). */
void plan_undo_window(Plan *p, int bridge, bool inbound, unsigned slot,
                      const SwWindow *old);
void plan_undo_pages(Plan *p, int bridge, uint64_t first, uint64_t n,
                     SwIommuPage *old);
/* Puts back every record the plan changed, newest first. */
void plan_restore(Plan *p, const SwView *sw);
/* Holds len bytes of pool t's slots from `slot` until plan_release. */
void plan_hold_tlb(Plan *p, Swiotlb *t, uint32_t slot, uint64_t len);
/* Lets go of the windows, pages and bounce slots the plan holds (its
 * operation has ended, or it is given up). */
void plan_release(Plan *p, const SwView *sw);
/* Gives a plan up before anything of it ran: its records put back, its
 * holds released, and the plan freed. */
void plan_give_up(Plan *p, const SwView *sw);
void plan_refuse(Plan *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
