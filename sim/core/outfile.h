/* Writing an output file so that an interrupted run never leaves half of
 * it (DESIGN §9): into a temporary file beside it, then a rename. */
#ifndef DMASIM_OUTFILE_H
#define DMASIM_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Calls fn(out, ctx) on a temporary file, then renames it to path.  False
 * with "cannot write PATH: why" in err. */
bool write_atomic(const char *path, void (*fn)(FILE *out, const void *ctx),
                  const void *ctx, char *err, size_t n);

#endif
