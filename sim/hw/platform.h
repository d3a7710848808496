/* A platform: the run-time models of a topology, an event kernel, and the
 * one path every transaction takes (docs/timing.md). */
#ifndef DMASIM_PLATFORM_H
#define DMASIM_PLATFORM_H

#include "sim/hw/kinds.h"
#include "sim/core/sim.h"
#include "sim/hw/topology.h"
#include "sim/hw/xact.h"

/* Builds the models of a sound topology (topology_sound), which must
 * outlive the platform. */
Platform *platform_new(const Topology *t);
void platform_free(Platform *p);
Sim *platform_sim(Platform *p);
const Topology *platform_topology(const Platform *p);

/* Issues x (master, dir, addr, len, data, done set) at the current time.
 * The platform routes it, occupies each bus it crosses for the bus
 * formula, moves the bytes at the target when the last hop ends, sets
 * result, residue, issued and completed, and calls done from an event:
 * never from inside platform_issue.  x and its data must stay valid until
 * then, and a transaction completes exactly once. */
void platform_issue(Platform *p, Xact *x);

/* The bus formula for one hop, in cycles of that bus. */
uint64_t bus_hop_cycles(const BusTiming *bt, unsigned width_bits,
                        uint64_t addr, uint64_t len, TargetTiming tt);
/* The cost of a hop on which nothing claims the access. */
uint64_t bus_abort_cycles(const BusTiming *bt, unsigned width_bits,
                          uint64_t addr, uint64_t len);

/* A component's model state (NULL for stateless kinds), and the bytes
 * behind its regions (NULL when it has none), for the oracle and tests. */
void *platform_model(Platform *p, int comp);
struct Regions *platform_regions(Platform *p, int comp);
/* A DMA master's channels (models/dma.h), NULL if comp has none. */
struct DmaEngine *platform_engine(Platform *p, int comp);
/* What a write is: a master's own transaction, a CPU cache's write-back
 * of a line, or a CPU store that a cache took (memory does not see it
 * yet). */
typedef enum { WRITE_BUS, WRITE_BACK, WRITE_CACHED } WriteKind;
/* Calls fn for every write a target takes, when it takes it: the master
 * that issued it (for a posted write, the master it came from), and where
 * it landed.  For the oracle. */
typedef void WriteWatchFn(void *opaque, int master, int comp, int region,
                          uint64_t off, uint64_t len, WriteKind kind);
void platform_watch_writes(Platform *p, WriteWatchFn *fn, void *opaque);
/* Tells the watcher of a write to [addr, addr + len) that no target took
 * (a store into the CPU's cache). */
void platform_note_write(Platform *p, int master, uint64_t addr,
                         uint64_t len, WriteKind kind);
/* Posted writes of a master that bridges still carry (the master was told
 * they were done).  fn is called each time one of them lands or fails. */
uint64_t platform_posted_pending(const Platform *p, int master);
typedef void DrainWatchFn(void *opaque, int master);
void platform_watch_drain(Platform *p, DrainWatchFn *fn, void *opaque);
/* One burst on a bus, for traces: which bus (and data path), who asked
 * for it (the master, or the bridge carrying the access), the transaction's
 * master, the address on that bus, the bytes it moved, what it was, and
 * when it held the bus. */
typedef struct BurstEvent {
    int bus;
    bool write_path;   /* the write data path of a split read/write bus */
    int requester, master;
    uint64_t addr, bytes;
    const char *what;  /* "write", "read", "read data back", "request
                          (retry)", "request (split)", "retry: buffer
                          full", "master abort" */
    SimTime start, end;
} BurstEvent;
typedef void BurstTraceFn(void *opaque, const BurstEvent *e);
void platform_trace_bursts(Platform *p, BurstTraceFn *fn, void *opaque);
/* Bursts every bus has carried so far: data, requests, retries, aborts. */
uint64_t platform_bursts(const Platform *p);
/* Time a bus has spent carrying transactions (both data paths of a bus
 * with split_read_write, added), and the bytes it moved. */
SimTime platform_bus_busy(const Platform *p, int bus);
/* The busier data path's time: never more than the time that passed. */
SimTime platform_bus_busiest(const Platform *p, int bus);
uint64_t platform_bus_bytes(const Platform *p, int bus);
/* Bursts a bridge answered with a retry on a bus (its posted-write buffer
 * was full), and posted writes that failed beyond a bridge (the master had
 * already been told they were done, as PCI does). */
uint64_t platform_bus_retries(const Platform *p, int bus);
/* Reads a bridge answered with a split response on a bus (PCI-X). */
uint64_t platform_bus_splits(const Platform *p, int bus);
uint64_t platform_posted_errors(const Platform *p);

/* The programmable windows as their registers hold them now (boot's
 * setting at first), and a change to one: what a transaction decoded from
 * then on sees.  Transactions decoded before keep their route. */
const WinState *platform_windows(const Platform *p);
void platform_set_window(Platform *p, int comp, bool inbound, unsigned slot,
                         const WindowParams *w);
/* The same for pages [first, first + n) of bridge comp's IOMMU, mapped to
 * the parent-bus addresses from pa on (winstate_iommu_map). */
void platform_iommu_map(Platform *p, int comp, uint64_t first, uint64_t n,
                        uint64_t pa);

#endif
