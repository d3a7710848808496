/* dmasim import: a topology (docs/topology.md) from a flattened device
 * tree (docs/topology.md, "Importing a device tree").  Pure conversion:
 * the blob in, YAML text out, with warnings for what the tree leaves to
 * firmware and notes for what it cannot express. */
#ifndef DMASIM_CLI_DT_IMPORT_H
#define DMASIM_CLI_DT_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* What --defaults gives for values the tree leaves out: a clock by the
 * name of the bus or CPU it drives, a memory size by the name of its
 * node. */
typedef struct DtDefault {
    char *name;
    uint64_t value;
} DtDefault;

typedef struct DtDefaults {
    DtDefault *clocks, *memory;
    size_t n_clocks, n_memory;
} DtDefaults;

/* Converts the device tree blob `fdt` of len bytes (from `file`, for
 * messages) into a
 * topology written to `out`.  Each warning (a value taken from a default)
 * and each note (what the topology cannot express) is also printed to
 * `warn` as "FILE: /node/path: message".  False with "FILE: /node/path:
 * message" in err for a tree it cannot read (then nothing is written). */
bool dt_import(const void *fdt, size_t len, const char *file,
               const DtDefaults *defs, FILE *out, FILE *warn, char *err,
               size_t n);

#endif
