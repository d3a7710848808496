/* The one writer of output files (DESIGN §9).  An output never replaces
 * what is not a regular file, an interrupted run never leaves half of one,
 * and no write goes unchecked.  PATH is:
 *  - "-" (or /dev/stdout, /dev/fd/1): standard output;
 *  - a regular file, or a name not taken yet: written to a temporary file
 *    beside it, then renamed over it;
 *  - a symbolic link: the same, at the file it leads to (the link stays);
 *  - anything else that exists (a device such as /dev/null, a FIFO), and
 *    any name under /dev or /proc (or a link there, such as /dev/stderr):
 *    written in place, appending, never replaced;
 *  - a directory: refused. */
#ifndef DMASIM_OUTFILE_H
#define DMASIM_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Calls fn(out, ctx) on PATH's stream, as above.  False with "cannot
 * write PATH: why" in err when any write, flush, close or rename fails
 * (what was there before stays, unless it is written in place). */
bool write_atomic(const char *path, void (*fn)(FILE *out, const void *ctx),
                  const void *ctx, char *err, size_t n);

/* PATH names standard output. */
bool outfile_is_stdout(const char *path);

/* Before any work is done for it: PATH can be written ("-"; a special
 * file that can be opened for writing; or a folder that exists and can be
 * written to), and it is not one of the n input files (the same file by
 * any name).  False with the reason in err. */
bool outfile_check(const char *path, const char *const *inputs, size_t n,
                   char *err, size_t errlen);

#endif
