/* The processor (docs/topology.md, "cpu"; docs/timing.md, "CPU").
 *
 * A bus master whose addresses are physical addresses on its bus.  Its
 * programmed I/O is an ordinary transaction (platform_issue with the CPU
 * as master: a non-posted read crosses every bridge and back).  The
 * operations below are what DMA API code costs the CPU; each completes
 * through a callback, after its simulated time.
 *
 * The CPU is one resource: each operation holds one of its `cores` from
 * start to end, and an operation asked for while every core is busy
 * waits, in the order asked, until one frees. */
#ifndef DMASIM_MODELS_CPU_H
#define DMASIM_MODELS_CPU_H

#include "models/cpu_types.h"
#include "sim/hw/kinds.h"
#include "sim/hw/platform.h"

extern const ModelKind cpu_kind;

typedef struct CpuOp CpuOp;
typedef void CpuDoneFn(Sim *sim, CpuOp *op, void *opaque);

struct CpuOp {
    /* set by the operation */
    RouteStatus result;   /* memcpy: ROUTE_OK or the first bus error */
    uint64_t residue;     /* memcpy: bytes not copied */
    SimTime asked;        /* when it was asked for */
    SimTime started, completed; /* on a core */
    unsigned core;        /* which: 0 .. cores - 1 */
    /* internal */
    Platform *plat;
    int cpu;
    CpuDoneFn *done;
    void *opaque;
    void (*run)(CpuOp *op); /* what it does once it has a core */
    uint64_t cycles;        /* call and cache: its length */
    CpuOp *next;            /* waiting for a core */
    uint64_t dst, src, len, off, chunk, piece;
    unsigned flags, unit;
    uint8_t line[256];
    Xact io;
    int state;
    /* a cache miss: the way it takes, the line, whether it is fetched */
    struct DcLine *victim;
    uint64_t miss_addr;
    bool miss_fill, filling;
    uint8_t wb[256], fill[256];
    unsigned writebacks; /* lines it wrote back */
};

/* call_cycles of software time. */
void cpu_call(Platform *p, int cpu, CpuOp *op, CpuDoneFn *done, void *opaque);
/* Cache maintenance over the physical range [addr, addr + len) (one
 * physically contiguous piece): per line touched, cache_line_cycles, and
 * for a flush (dcbf) of a dirty line its write-back, a bus write of the
 * line; an invalidate (dcbi) drops a line, dirty or not.  Nothing on a
 * coherent platform. */
void cpu_cache(Platform *p, int cpu, CacheOp what, uint64_t addr,
               uint64_t len, CpuOp *op, CpuDoneFn *done, void *opaque);
/* memcpy between physical addresses on the CPU's bus: line by line, a
 * load then a store, plus copy_line_cycles per line.  An end marked
 * cached (CPU_COPY_SRC_CACHED, CPU_COPY_DST_CACHED) goes through the data
 * cache where it holds data (docs/timing.md, "Data cache"): a miss writes
 * its victim back if dirty and fetches the line, but a destination line
 * the copy covers whole is zeroed instead (dcbz); other ends are bus
 * transactions. */
void cpu_memcpy(Platform *p, int cpu, uint64_t dst, uint64_t src,
                uint64_t len, CpuOp *op, CpuDoneFn *done, void *opaque);

/* Programmed I/O: `count` accesses of `unit` bytes to consecutive
 * registers from addr on (a bridge's window registers), each an uncached
 * load or store that waits for the one before to complete; a store's
 * value comes from the CPU's own registers (nothing is loaded). */
void cpu_pio(Platform *p, int cpu, XactDir dir, uint64_t addr, unsigned unit,
             unsigned count, CpuOp *op, CpuDoneFn *done, void *opaque);

/* memcpy_toio / memcpy_fromio to or from one register (a FIFO): that end's
 * address stays put and each access moves `unit` bytes (the register's
 * width, at most a line). */
enum {
    CPU_COPY_SRC_FIXED = 1,
    CPU_COPY_DST_FIXED = 2,
    CPU_COPY_SRC_CACHED = 4,
    CPU_COPY_DST_CACHED = 8,
};
void cpu_memcpy_io(Platform *p, int cpu, uint64_t dst, uint64_t src,
                   uint64_t len, unsigned flags, unsigned unit, CpuOp *op,
                   CpuDoneFn *done, void *opaque);

/* The driver's own loads and stores, outside simulated time (its work
 * between DMA API calls): through the data cache where it holds data
 * (a miss's victim is written back to memory at once, and the line
 * fetched), else straight to memory.  False where [pa, pa + len) is not
 * memory. */
bool cpu_caches(Platform *p, int cpu); /* its cache holds data */
bool cpu_load_now(Platform *p, int cpu, uint64_t pa, void *buf, uint64_t len);
bool cpu_store_now(Platform *p, int cpu, uint64_t pa, const void *buf,
                   uint64_t len);
/* What the CPU would load from [pa, pa + len), touching nothing. */
bool cpu_view(Platform *p, int cpu, uint64_t pa, void *buf, uint64_t len);
/* Bytes of [pa, pa + len) that dirty lines hold other than memory does:
 * what a device reading memory would get stale; the first and last of
 * them (offsets from pa) when there are any. */
uint64_t cpu_dirty_bytes(Platform *p, int cpu, uint64_t pa, uint64_t len,
                         uint64_t *first, uint64_t *last);

#endif
