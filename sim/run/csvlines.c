/* CSV lines of sweeps: read, sorted by point, deduplicated, written
 * (sim/csvlines.h). */
#include "sim/run/csvlines.h"

#include <stdlib.h>
#include <string.h>

#include "sim/core/outfile.h"

void lines_add(Lines *l, char *line)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (!l->v)
            abort();
    }
    l->v[l->n++] = line;
}

void lines_free(Lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* Reads a file's lines (without newlines); the first into *header. */
bool read_lines(const char *path, char **header, Lines *l)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    bool first = true;
    while ((n = getline(&line, &cap, f)) > 0) {
        if (line[n - 1] == '\n')
            line[--n] = '\0';
        if (!n)
            continue;
        if (first && header) {
            *header = strdup(line);
        } else {
            char *c = strdup(line);
            if (!c)
                abort();
            lines_add(l, c);
        }
        first = false;
    }
    free(line);
    fclose(f);
    if (header && first)
        *header = NULL;
    return true;
}

size_t point_of(const char *line)
{
    return (size_t)strtoull(line, NULL, 10);
}

typedef struct Keyed {
    size_t point, order;
    char *line;
} Keyed;

static int cmp_keyed(const void *a, const void *b)
{
    const Keyed *x = a, *y = b;
    if (x->point != y->point)
        return x->point < y->point ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Sorts by point, keeping the order of lines within a point. */
void sort_lines(Lines *l)
{
    Keyed *k = malloc((l->n ? l->n : 1) * sizeof *k);
    if (!k)
        abort();
    for (size_t i = 0; i < l->n; i++)
        k[i] = (Keyed){point_of(l->v[i]), i, l->v[i]};
    qsort(k, l->n, sizeof *k, cmp_keyed);
    for (size_t i = 0; i < l->n; i++)
        l->v[i] = k[i].line;
    free(k);
}

/* Drops a line equal to an earlier one of its point (sorted lines). */
void dedupe(Lines *l)
{
    size_t w = 0, run = 0; /* run: first kept line of the current point */
    for (size_t i = 0; i < l->n; i++) {
        if (!w || point_of(l->v[w - 1]) != point_of(l->v[i]))
            run = w;
        bool dup = false;
        for (size_t k = run; k < w && !dup; k++)
            dup = !strcmp(l->v[k], l->v[i]);
        if (dup)
            free(l->v[i]);
        else
            l->v[w++] = l->v[i];
    }
    l->n = w;
}

typedef struct CsvOut {
    const char *header;
    const Lines *l;
} CsvOut;

static void csv_lines_to(FILE *f, const void *ctx)
{
    const CsvOut *c = ctx;
    fprintf(f, "%s\n", c->header);
    for (size_t i = 0; i < c->l->n; i++)
        fprintf(f, "%s\n", c->l->v[i]);
}

/* The header and lines to path (sim/core/outfile.h), or stdout. */
bool write_lines(const char *path, const char *header, const Lines *l)
{
    CsvOut c = {header, l};
    char err[400];
    if (!write_atomic(path ? path : "-", csv_lines_to, &c, err, sizeof err)) {
        fprintf(stderr, "dmasim: %s\n", err);
        return false;
    }
    return true;
}

