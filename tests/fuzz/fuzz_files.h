/* What the libFuzzer targets (tests/fuzz/fuzz_*.c, `make fuzz`) share: the
 * input goes to a file, because the loaders read files. */
#ifndef DMASIM_FUZZ_FILES_H
#define DMASIM_FUZZ_FILES_H

#include <stddef.h>
#include <stdint.h>

/* Writes data to NAME in this process's fuzz folder and gives its path.
 * The folder is $TMPDIR/dmasim-fuzz.PID/w/; beside it, w/../topologies
 * links the shipped topologies and w/topologies holds links to those of
 * topologies/ and tests/topologies/, so that a scenario written as
 * "scenarios/x.yaml" finds the topology it names as ../topologies/F or
 * ../../topologies/F.  The folder is removed at exit. */
const char *fuzz_file(const char *name, const uint8_t *data, size_t len);

#endif
