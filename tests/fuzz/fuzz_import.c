/* libFuzzer target (`make fuzz`): a device tree blob to the importer
 * (dmasim import's conversion, sim/cli/dt_import.c), and what it writes
 * back to the topology loader.  A blob it cannot read must be refused
 * with a message and nothing written; any crash, sanitizer report or
 * leak is a bug, in the importer or in the loader reading its YAML. */
#define _GNU_SOURCE /* open_memstream */
#include <stdio.h>
#include <stdlib.h>

#include "sim/cli/dt_import.h"
#include "sim/hw/addrmap.h"
#include "tests/fuzz/fuzz_files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    char *yaml = NULL, *notes = NULL;
    size_t ylen = 0, nlen = 0;
    FILE *out = open_memstream(&yaml, &ylen);
    FILE *warn = open_memstream(&notes, &nlen);
    if (!out || !warn)
        abort();
    DtDefaults none = {0};
    char err[600] = "";
    bool ok = dt_import(data, len, "fuzz.dtb", &none, out, warn, err,
                        sizeof err);
    fclose(out);
    fclose(warn);
    if (!ok && (!err[0] || ylen)) {
        fprintf(stderr, "fuzz: a refusal without a message, or with "
                        "output\n");
        abort();
    }
    if (ok) {
        /* whatever it writes, the loader reads without harm */
        Diag d;
        diag_init(&d);
        Topology *t =
            topology_load(fuzz_file("board.yaml", (const uint8_t *)yaml,
                                    ylen),
                          &d);
        topology_free(t);
        diag_free(&d);
    }
    free(yaml);
    free(notes);
    return 0;
}
