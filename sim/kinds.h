/* Kind tables: a YAML `kind:` maps to one of these, found by name in the
 * registry (models/registry.c).  The core reads only these tables and never
 * switches on a kind. */
#ifndef DMASIM_KINDS_H
#define DMASIM_KINDS_H

#include "sim/topology.h"
#include "sim/yaml_load.h"

struct ModelKind {
    const char *name;
    const char *summary;
    const Field *fields; /* the kind's own keys, parsed into priv */
    size_t priv_size;
    bool has_bus;        /* takes `bus:`; bridges take parent/child */
    bool is_system_ram;  /* what kmalloc hands out: masters should reach it */
    /* After the keys are read: fill regions, master and bridge from priv.
     * `map` is the component's node, for error positions. */
    bool (*finish)(Loader *ld, yaml_node_t *map, CompParams *c);
};

struct BusKind {
    const char *name;
    const char *summary;
    const unsigned *widths;        /* allowed data widths, 0-terminated */
    unsigned default_width;
    unsigned default_address_bits; /* 0: the topology's address_bits */
    bool has_io_space;
    const Field *fields;           /* the kind's own keys, into priv */
    size_t priv_size;
};

const ModelKind *model_kind_find(const char *name);
const BusKind *bus_kind_find(const char *name);
/* "bridge, cpu, …" for messages. */
const char *model_kind_names(void);
const char *bus_kind_names(void);

#endif
