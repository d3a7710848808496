/* A topology: buses, components and bridges as a YAML file describes them
 * (docs/topology.md).  Loading runs three passes: parse into these plain
 * params structs (keeping source positions), resolve and check names, and
 * build the address decoders (sim/addrmap.h). */
#ifndef DMASIM_TOPOLOGY_H
#define DMASIM_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/core/arena.h"
#include "sim/core/diag.h"
#include "sim/core/sim.h"
#include "sim/core/yaml_load.h"

typedef enum { SPACE_MEM, SPACE_IO, N_SPACES } AddrSpace;
typedef enum { REGION_MEMORY, REGION_FIFO, REGION_IO } RegionKind;

#define TOPO_MAX_DEPTH 32 /* bridges between the root and any bus */

typedef struct RegionParams {
    uint64_t base, size_bytes; /* on the component's bus */
    RegionKind kind;
    SrcPos pos;
    char *path;
} RegionParams;

/* One translation window of a bridge: [child, child+size) on the child
 * bus corresponds to [parent, parent+size) on the parent bus. */
typedef struct WindowParams {
    uint64_t child, parent, size_bytes;
    AddrSpace space; /* child-side space; parents without I/O use memory */
    SrcPos pos;
    char *path;
} WindowParams;

typedef struct WindowList {
    bool identity; /* "identity": everything 1:1, decoded subtractively */
    WindowParams *v;
    size_t n;
    SrcPos pos;
    char *path;
} WindowList;

/* A bridge's programmable windows in one direction (docs/topology.md,
 * "Programmable windows"): how many the hardware has, the sizes and
 * alignments it takes, what programming one costs, and what boot sets. */
typedef struct ProgWindows {
    bool present;
    unsigned count;      /* windows the hardware has */
    uint64_t granule;    /* 0: natural (a power-of-two size, both addresses
                            aligned to it); else base and size in these */
    uint64_t min_size, max_size;
    unsigned writes;     /* register writes that program one window */
    WindowList boot;     /* what boot firmware sets, window 0 first */
    /* For programming at run time (both given, or neither: the windows
     * stay as boot set them).  The registers: a memory region of the
     * bridge on its parent bus, window i's at base + i * (size / count);
     * the aperture: where on the near bus (the parent for outbound, the
     * child for inbound) the kernel may place windows. */
    bool programmable;
    uint64_t regs_base, regs_size;
    int regs_region;     /* its index among the bridge's regions */
    uint64_t ap_base, ap_size;
    SrcPos pos;
    char *path;
} ProgWindows;

/* A GART-style IOMMU on a bridge's inbound path (docs/topology.md,
 * "IOMMU"): an aperture on the child bus whose pages the kernel maps one
 * by one to parent-bus addresses, by writing each page's entry in a table
 * of registers. */
typedef struct IommuParams {
    bool present;
    uint64_t ap_base, ap_size; /* on the child bus */
    uint64_t page_size;
    uint64_t pages;            /* ap_size / page_size */
    unsigned writes;           /* 4-byte words per page entry */
    uint64_t regs_base, regs_size; /* on the parent bus.  A table in
                                      registers: page i's entry at
                                      regs_base + 4 * writes * i.  A table
                                      in memory: the invalidate register at
                                      regs_base */
    int regs_region;           /* its index among the bridge's regions */
    bool table_in_memory;      /* the entries are in the kernel's memory,
                                  read by a walk of walk_cycles */
    unsigned walk_cycles;      /* cycles of the child bus a walk adds to
                                  the bridge's claim of an access */
    unsigned iotlb_entries;    /* entries cached (LRU); 0: none, every
                                  access walks */
    bool dma_domain;           /* the kernel's IOMMU driver puts the
                                  devices below in a DMA domain: Linux's
                                  DMA API maps through it (dma-iommu);
                                  else (a GART) only drivers that ask */
    SrcPos pos;
    char *path;
} IommuParams;

typedef struct BridgeParams {
    Ref parent, child;
    bool subtractive;      /* its ranges windows claim only what nothing
                              else on the parent bus claims */
    bool p2pdma;           /* a host bridge on Linux's P2PDMA whitelist */
    WindowList ranges;     /* downstream, parent -> child */
    WindowList dma_ranges; /* upstream, child -> parent */
    ProgWindows outbound;  /* programmable, as ranges */
    ProgWindows inbound;   /* programmable, as dma_ranges */
    IommuParams iommu;     /* inbound, besides dma_ranges */
    unsigned latency_cycles; /* near-bus cycles to accept an access */
    unsigned cross_cycles;   /* far-bus cycles before re-issuing it */
    unsigned post_bytes;     /* posted-write buffer, per direction; 0: none */
    unsigned prefetch_bytes; /* a delayed read fetches at most this; 0: all */
    unsigned line_bytes;     /* the PCI Cache Line Size a read command
                                is chosen by; posted writes move on in
                                pieces of it where the near bus has no
                                allowable disconnect boundary */
    unsigned completer_cycles; /* near-bus cycles from a split request's
                                  end to the earliest start of its
                                  completion */
    unsigned write_disconnect; /* as a target, it disconnects a posted
                                  write at every aligned boundary of this
                                  many bytes; 0: never */
} BridgeParams;

typedef struct ClockParams {
    char *name;
    Clock clock;
    SrcPos pos;
    char *path;
} ClockParams;

typedef enum { ARB_ROUND_ROBIN, ARB_FIFO, ARB_PRIORITY } ArbPolicy;

/* A bus's timing: the generic bus formula's cycle counts and the
 * arbitration policy (docs/timing.md), the kind's defaults overridden by
 * the bus's own keys. */
typedef struct BusTiming {
    unsigned arb_cycles;        /* arbitration, per burst */
    unsigned addr_cycles;       /* address (and attribute) phase, per burst */
    unsigned dac_cycles;        /* extra address cycle for addresses >= 4 GiB
                                   (PCI DAC, at any width) */
    unsigned turnaround_cycles; /* idle cycle after each burst */
    unsigned max_burst_beats;   /* 0: unlimited */
    unsigned abort_cycles;      /* master abort: cycles without a claimant */
    unsigned latency_timer;     /* PCI: a burst granted while others wait
                                   ends within this many cycles; 0: none */
    unsigned split_read_bytes;  /* PCI-X: reads through a bridge get a split
                                   response (no retry) and come back in
                                   split completions of up to this many
                                   bytes (the requester's maximum memory
                                   read byte count); 0: delayed reads */
    unsigned adb_bytes;         /* PCI-X: the allowable disconnect boundary;
                                   a burst cut by the latency timer ends at
                                   the next one, and a bridge takes posted
                                   writes in pieces of it; 0: none */
    unsigned retry_poll_cycles; /* a master told to retry a delayed read
                                   asks again this many cycles after each
                                   retry; 0: it waits without polling */
    bool split_rw;              /* separate read and write data paths */
    bool pipelined;             /* address phase overlaps previous data */
    ArbPolicy arbitration;      /* who gets the bus when it frees */
} BusTiming;

typedef struct BusKind BusKind;
typedef struct ModelKind ModelKind;

typedef struct BusParams {
    char *name;
    const BusKind *kind;
    Ref clock;
    unsigned width_bits;    /* data path width */
    unsigned address_bits;  /* 0 until resolved: kind default or root */
    SrcPos pos;
    char *path;
    BusTiming timing;
    /* resolved */
    int clock_idx;
    int parent_bridge;      /* component index, -1 for a root bus */
    unsigned depth;         /* bridges between a root and this bus */
} BusParams;

typedef struct CompParams {
    char *name;
    const ModelKind *kind;
    Ref bus;                /* for bridges: the parent bus */
    Ref clock;              /* optional: defaults to the bus's clock */
    SrcPos pos;
    char *path;
    RegionParams *regions;  /* what it decodes on its bus */
    size_t n_regions;
    bool is_master;
    unsigned dma_mask_bits; /* 0 until resolved: the bus's width */
    unsigned max_read_bytes; /* a master's PCI-X Maximum Memory Read Byte
                                Count; 0: its bus's */
    SrcPos mask_pos;
    char *mask_path;
    BridgeParams *bridge;   /* non-NULL for bridges */
    void *priv;             /* the model kind's own params */
    /* resolved */
    int bus_idx;
    int clock_idx;
} CompParams;

/* Which port's DMA rules the linux scheme follows, and the kernel's
 * memory model (docs/schemes.md, "linux"): the generic dma-direct of
 * 32-bit ARM and powerpc's, with low memory and highmem; arm64's, with
 * all RAM in the linear map and zones. */
typedef enum { ARCH_GENERIC, ARCH_PPC, ARCH_ARM64 } KernelArch;

typedef struct KernelParams {
    uint64_t page_size, page_offset, pci_dram_offset;
    bool coherent; /* DMA snoops the CPU caches; 4xx: false */
    KernelArch arch;
    bool swiotlb_force;    /* a bounce pool even if every master reaches
                              all RAM */
    uint64_t swiotlb_size; /* its size */
    uint64_t cma_size;     /* the contiguous memory allocator's area: 0
                              for none, */
    uint64_t cma_below;    /* placed wholly below this address + 1 */
    SrcPos pos;
} KernelParams;

typedef struct AddrMap AddrMap;

typedef struct NameEntry {
    const char *name;
    int is_comp; /* 0: bus, 1: component */
    int idx;
} NameEntry;

typedef struct Topology {
    Arena *arena;
    const char *file;
    char *name, *description;
    unsigned address_bits; /* the root bus's width */
    ClockParams *clocks;
    size_t n_clocks;
    KernelParams kernel;
    BusParams *buses;
    size_t n_buses;
    CompParams *comps;
    size_t n_comps;
    NameEntry *names; /* buses and components, sorted by name */
    size_t n_names;
    AddrMap *map;          /* the decoders, once built (sim/hw/addrmap.h) */
} Topology;

/* Reads FILE, with values overridden (sweep --vary; sim/core/yaml_load.h;
 * ov may be NULL): the description, parsed and resolved, without decoders
 * (topology_load in sim/hw/addrmap.h builds them too).  Input errors go to
 * `d` as one fatal finding and NULL is returned. */
Topology *topology_read(const char *file, const Override *ov, size_t n_ov,
                        Diag *d);
void topology_free(Topology *t);
bool topology_sound(const Diag *d);

/* Why bridge comp's programmable windows (inbound or outbound) cannot hold
 * w as window i (i < 0: as any of them), by their size and alignment
 * rules (docs/topology.md, "Programmable windows"); NULL when they can. */
const char *topo_window_rule(const Topology *t, int comp, bool inbound,
                             long i, const WindowParams *w, char *why,
                             size_t n);
/* A bridge's dma-ranges as a kernel reads them from its device tree: its
 * fixed dma_ranges windows, then what boot set its inbound windows to; at
 * most max into out.  Returns how many. */
size_t topo_dt_dma_ranges(const BridgeParams *br, WindowParams *out,
                          size_t max);
int topo_find_bus(const Topology *t, const char *name);  /* -1 if none */
int topo_find_comp(const Topology *t, const char *name); /* -1 if none */
const char *space_name(AddrSpace s);
const char *region_kind_name(RegionKind k);
/* Width of a bus's address space in one space (I/O is 32 bits). */
unsigned topo_space_bits(const Topology *t, int bus, AddrSpace s);
/* Largest address + 1 of a width, saturating at 2^64 - 1 for 64 bits;
 * returns the last valid address. */
uint64_t bits_last(unsigned bits);

/* Passes, called by topology_read; exposed for the tests. */
bool topo_parse(Loader *ld, Topology *t);
bool topo_resolve(Topology *t, Diag *d);

#endif
