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

/* Quotes in a record so far: odd while inside a quoted field. */
static size_t quotes(const char *s, size_t n)
{
    size_t q = 0;
    for (size_t i = 0; i < n; i++)
        q += s[i] == '"';
    return q;
}

bool read_lines(const char *path, char **header, Lines *l, bool *cut)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    char *line = NULL, *rec = NULL;
    size_t cap = 0, rlen = 0;
    ssize_t n;
    bool first = true, ended = true;
    if (cut)
        *cut = false;
    while ((n = getline(&line, &cap, f)) > 0) {
        ended = line[n - 1] == '\n';
        if (ended)
            line[--n] = '\0';
        /* A record goes on past a newline inside a quoted field. */
        char *grown = realloc(rec, rlen + (size_t)n + 2);
        if (!grown)
            abort();
        rec = grown;
        if (rlen)
            rec[rlen++] = '\n';
        memcpy(rec + rlen, line, (size_t)n + 1);
        rlen += (size_t)n;
        if (quotes(rec, rlen) % 2 && ended)
            continue;
        if (!ended) { /* the last record has no end: cut short */
            if (cut)
                *cut = true;
            break;
        }
        if (rlen) {
            if (first && header)
                *header = rec;
            else
                lines_add(l, rec);
            first = false;
            rec = NULL;
        }
        rlen = 0;
    }
    if (rlen && cut)
        *cut = true; /* a quoted field never closed */
    free(rec);
    free(line);
    bool ok = !ferror(f);
    fclose(f);
    if (header && first)
        *header = NULL;
    return ok;
}

const char *csv_field(const char *rec, size_t k, char *buf, size_t n)
{
    const char *p = rec;
    for (size_t i = 0; i < k; i++) { /* past field i */
        bool in = false;
        for (; *p && (in || *p != ','); p++)
            if (*p == '"')
                in = !in;
        if (!*p)
            return NULL;
        p++;
    }
    size_t w = 0;
    if (*p == '"') {
        for (p++; *p; p++) {
            if (*p == '"' && p[1] != '"')
                break;
            if (*p == '"')
                p++; /* a doubled quote */
            if (w + 1 < n)
                buf[w++] = *p;
        }
    } else {
        for (; *p && *p != ','; p++)
            if (w + 1 < n)
                buf[w++] = *p;
    }
    if (n)
        buf[w] = '\0';
    return buf;
}

void csv_put(FILE *f, const char *v)
{
    if (!strpbrk(v, ",\"\r\n")) {
        fputs(v, f);
        return;
    }
    fputc('"', f);
    for (; *v; v++) {
        if (*v == '"')
            fputc('"', f);
        fputc(*v, f);
    }
    fputc('"', f);
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

