/* Kind tables: a YAML `kind:` maps to one of these, found by name in the
 * registry (models/registry.c).  The core reads only these tables and never
 * switches on a kind. */
#ifndef DMASIM_KINDS_H
#define DMASIM_KINDS_H

#include "sim/core/sim.h"
#include "sim/core/yaml_load.h"
#include "sim/hw/topology.h"

/* The direction of an access, as a target takes it. */
typedef enum { XACT_READ, XACT_WRITE } XactDir;

/* What is asked of a claimant for one burst: where, how much, which way,
 * when, and the bus it is reached on.  region is -1 for a bridge. */
typedef struct TimingQuery {
    int region;
    uint64_t off, len;    /* into the region; len of this burst */
    uint64_t bus_hz;
    unsigned bus_width_bits;
    const Clock *own;     /* the claimant's own clock */
    XactDir dir;
    SimTime at;           /* when the access reaches it: the end of the
                             burst's address phase */
} TimingQuery;

/* What the claimant of an access (a memory, a device, or a bridge passing
 * it on) costs on the bus it is reached on, in that bus's cycles
 * (docs/timing.md). */
typedef struct TargetTiming {
    unsigned initial_cycles; /* address phase to first data beat */
    unsigned wait_states;    /* extra cycles per data beat */
    unsigned cross_cycles;   /* bridges: far-bus cycles before re-issuing */
} TargetTiming;


struct ModelKind {
    const char *name;
    const char *summary;
    const Field *fields; /* the kind's own keys, parsed into priv */
    size_t priv_size;
    const void *priv_defaults; /* copied into priv before parsing */
    bool has_bus;        /* takes `bus:`; bridges take parent/child */
    bool is_system_ram;  /* what kmalloc hands out: masters should reach it */
    bool is_cpu;         /* the processor the simulated kernel runs on */
    /* After the keys are read: fill regions, master and bridge from priv.
     * `map` is the component's node, for error positions. */
    bool (*finish)(Loader *ld, yaml_node_t *map, CompParams *c);
    /* The model at run time (all optional): timing as a claimant, state,
     * and the bytes of its regions. */
    TargetTiming (*timing)(void *m, const CompParams *c,
                           const TimingQuery *q);
    void *(*model_new)(const CompParams *c);
    void (*model_free)(void *m);
    void (*access)(void *m, const CompParams *c, int region, uint64_t off,
                   XactDir dir, uint8_t *data, uint64_t len);
    /* A master reaching its own region `region` at `now` (no bus): when
     * the access is done.  Kinds with regions and a master. */
    SimTime (*local_access)(void *m, const CompParams *c, int region,
                            uint64_t off, uint64_t len, SimTime now);
    /* The bytes behind the regions (models/regions.h), for the oracle. */
    struct Regions *(*regions)(void *m);
    /* A DMA master's channels (models/dma.h), NULL for kinds without,
     * and the parameters they were built from. */
    struct DmaEngine *(*engine)(void *m);
    const struct DmaParams *(*engine_params)(const CompParams *c);
    /* Bridges: what they do to the transactions they carry
     * (sim/hw/platform_int.h). */
    const struct BridgeOps *bridge_ops;
};

struct BusKind {
    const char *name;
    const char *summary;
    const unsigned *widths;        /* allowed data widths, 0-terminated */
    unsigned default_width;
    unsigned default_address_bits; /* 0: the topology's address_bits */
    bool has_io_space;
    const Field *fields;           /* the kind's own keys, into timing */
    const BusTiming *defaults;     /* the kind's timing */
};

const ModelKind *model_kind_find(const char *name);
const BusKind *bus_kind_find(const char *name);
/* "bridge, cpu, …" for messages. */
const char *model_kind_names(void);
const char *bus_kind_names(void);

#endif
