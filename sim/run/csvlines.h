/* The lines of a sweep's CSV, each starting with its point's index
 * (docs/cli.md, "sweep"): what sweep, --resume and merge read, sort and
 * write. */
#ifndef DMASIM_CSVLINES_H
#define DMASIM_CSVLINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct Lines {
    char **v;
    size_t n, cap;
} Lines;

void lines_add(Lines *l, char *line); /* takes a malloc'd line */
void lines_free(Lines *l);
/* A file's non-empty lines, without newlines; the first goes to *header
 * when header is not NULL.  False if it cannot be read. */
bool read_lines(const char *path, char **header, Lines *l);
/* The point a line belongs to: its first field. */
size_t point_of(const char *line);
/* By point, keeping the order of lines within a point. */
void sort_lines(Lines *l);
/* Drops a line equal to an earlier one of its point (sorted lines). */
void dedupe(Lines *l);
/* The header and lines to path (sim/core/outfile.h), or to stdout when
 * path is NULL; a failure is said on stderr. */
bool write_lines(const char *path, const char *header, const Lines *l);

#endif
