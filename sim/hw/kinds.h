/* Kind tables: a YAML `kind:` maps to one of these, found by name in the
 * registry (models/registry.c).  The core reads only these tables and never
 * switches on a kind. */
#ifndef DMASIM_KINDS_H
#define DMASIM_KINDS_H

#include "sim/core/yaml_load.h"
#include "sim/hw/topology.h"

/* The direction of an access, as a target takes it. */
typedef enum { XACT_READ, XACT_WRITE } XactDir;

/* What the claimant of an access (a memory, a device, or a bridge passing
 * it on) costs on the bus it is reached on, in that bus's cycles
 * (docs/timing.md). */
typedef struct TargetTiming {
    unsigned initial_cycles; /* address phase to first data beat */
    unsigned wait_states;    /* extra cycles per data beat */
    unsigned cross_cycles;   /* bridges: far-bus cycles before re-issuing */
} TargetTiming;

typedef enum { ARB_ROUND_ROBIN, ARB_FIFO, ARB_PRIORITY } ArbPolicy;

/* What is asked of a claimant for one burst: where, how much, and the bus
 * it is reached on.  region is -1 for a bridge. */
typedef struct TimingQuery {
    int region;
    uint64_t off, len;    /* into the region; len of this burst */
    uint64_t bus_hz;
    unsigned bus_width_bits;
    uint64_t own_hz;      /* the claimant's own clock */
} TimingQuery;

/* Every bus kind's own params: the generic bus formula's cycle counts and
 * the arbitration policy. */
typedef struct BusTiming {
    unsigned arb_cycles;        /* arbitration, per burst */
    unsigned addr_cycles;       /* address (and attribute) phase, per burst */
    unsigned dac_cycles;        /* extra address cycle for addresses >= 4 GiB
                                   on a 32-bit bus (PCI DAC) */
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
    unsigned retry_poll_cycles; /* a master told to retry a delayed read
                                   asks again this many cycles after each
                                   retry; 0: it waits without polling */
    bool split_rw;              /* separate read and write data paths */
    bool pipelined;             /* address phase overlaps previous data */
    ArbPolicy arbitration;      /* who gets the bus when it frees */
} BusTiming;

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
    /* The bytes behind the regions (models/regions.h), for the oracle. */
    struct Regions *(*regions)(void *m);
    /* A DMA master's channels (models/dma.h), NULL for kinds without,
     * and the parameters they were built from. */
    struct DmaEngine *(*engine)(void *m);
    const struct DmaParams *(*engine_params)(const CompParams *c);
};

struct BusKind {
    const char *name;
    const char *summary;
    const unsigned *widths;        /* allowed data widths, 0-terminated */
    unsigned default_width;
    unsigned default_address_bits; /* 0: the topology's address_bits */
    bool has_io_space;
    const Field *fields;           /* the kind's own keys, into priv */
    size_t priv_size;              /* sizeof(BusTiming) */
    const void *priv_defaults;     /* a BusTiming */
};

const ModelKind *model_kind_find(const char *name);
const BusKind *bus_kind_find(const char *name);
/* "bridge, cpu, …" for messages. */
const char *model_kind_names(void);
const char *bus_kind_names(void);

#endif
