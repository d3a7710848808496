/* The lines of a sweep's CSV, each a record starting with its point's
 * index (docs/cli.md, "sweep"): what sweep, --resume and merge read, sort
 * and write.  A "line" is a CSV record: a quoted value may hold a
 * newline. */
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
/* A file's non-empty records, without their newlines (a record goes on
 * past a newline inside a quoted field); the first goes to *header when
 * header is not NULL.  A last record the file cuts short (no newline at
 * its end) is left out, and *cut says so when cut is not NULL.  False if
 * the file cannot be read. */
bool read_lines(const char *path, char **header, Lines *l, bool *cut);
/* Field k (from 0) of a record, RFC 4180: a field in double quotes may
 * hold commas, newlines and doubled quotes.  Unquoted into buf (cut to
 * n - 1 bytes); NULL if the record has fewer fields. */
const char *csv_field(const char *rec, size_t k, char *buf, size_t n);
/* Writes v as one field, in quotes when it holds a comma, a quote, a CR
 * or a newline (quotes doubled). */
void csv_put(FILE *f, const char *v);
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
