/* A scenario: a topology, the buffers a driver has, the workload it runs,
 * and what each scheme is expected to make of it (docs/scenario.md).
 * Loading parses the YAML with the topology loader's discipline (one
 * error, file:line:column, key path), loads the topology the scenario
 * names (relative to the scenario's file), and resolves every name. */
#ifndef DMASIM_SCENARIO_H
#define DMASIM_SCENARIO_H

#include "models/dma_api/dma_api.h"
#include "sim/hw/topology.h"

typedef enum {
    BUF_KMALLOC,
    BUF_VMALLOC,
    BUF_COHERENT,
    BUF_HIGHMEM,
    BUF_MMIO, /* ioremap of a device's memory region */
    BUF_FIFO, /* ioremap of a device's FIFO register */
} BufKind;

typedef struct BufferParams {
    char *name;
    BufKind kind;
    uint64_t size;   /* bytes; a FIFO: 0 (a stream, no size) */
    uint64_t offset; /* mmio: into the region */
    Ref dev;         /* mmio/fifo: the device; coherent: the device it is
                        allocated for (no name: NULL, the processor) */
    int region;      /* -1 until resolved: which region of dev */
    bool has_phys;   /* kmalloc/coherent at a fixed physical address */
    uint64_t phys;
    int zone;        /* kmalloc/coherent: a KmemZone, KZONE_ANY if none */
    uint64_t align;  /* kmalloc: packed with the kmalloc buffers before it
                        at this alignment; 0: pages of its own */
    bool busy;       /* the CPU keeps storing to it (a neighbour) */
    SrcPos pos;
    char *path;
    /* resolved */
    int comp;        /* dev's component index, -1 for none */
} BufferParams;


typedef struct OpParams {
    Ref from, to;
    uint64_t size;   /* 0: the whole (smaller) buffer */
    uint64_t from_offset, to_offset;
    Ref engine;      /* "auto", "cpu" or a master; no name: auto */
    MapKind map;
    unsigned repeat;
    bool sync;       /* false: the driver skips the cache maintenance */
    SrcPos pos;
    char *path;
    /* resolved */
    int src, dst;    /* buffer indices */
    int engine_comp; /* ENGINE_AUTO, ENGINE_CPU or a component index */
    uint64_t len;    /* bytes one operation moves */
} OpParams;

typedef struct StreamParams {
    char *name;
    OpParams *ops;
    size_t n_ops;
    SrcPos pos;
    char *path;
} StreamParams;

typedef struct ExpectParams {
    char *scheme;
    bool has_correct, correct, has_silent, silent;
    bool has_api_errors, has_bus_errors;
    uint64_t api_errors, bus_errors;
    uint64_t min_throughput, max_throughput; /* B/s; 0: none */
    Ref engine;      /* every DMA operation ran on this master */
    SrcPos pos;
    char *path;
} ExpectParams;

typedef struct Scenario {
    Arena *arena;
    const char *file;
    char *name, *description;
    char *topology_file; /* as written */
    SrcPos topology_pos;
    char *topology_path;
    Topology *topo;
    char **schemes;      /* to run, in order */
    size_t n_schemes;
    uint64_t seed;
    BufferParams *buffers;
    size_t n_buffers;
    StreamParams *streams; /* `workload:` is one stream named "main" */
    size_t n_streams;
    ExpectParams *expects;
    size_t n_expects;
    int cpu;             /* the processor: the first cpu component */
} Scenario;

/* Loads FILE and its topology.  Input errors (in either file, or a
 * topology with lint errors) go to d as findings and NULL is returned. */
Scenario *scenario_load(const char *file, Diag *d);
/* The same with values overridden: paths starting "topology." set values
 * in the topology (without the prefix), the others in the scenario. */
Scenario *scenario_load_ov(const char *file, const Override *ov, size_t n_ov,
                           Diag *d);
void scenario_free(Scenario *s);

const char *buf_kind_name(BufKind k);
/* The second pass, after parsing and loading the topology: names, lengths
 * and engines checked and resolved.  Called by scenario_load; exposed for
 * the tests. */
bool scenario_resolve(Scenario *s, Diag *d);
/* The expectation for a scheme, or NULL. */
const ExpectParams *scenario_expect(const Scenario *s, const char *scheme);

#endif
