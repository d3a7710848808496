#include "sim/core/diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

void diag_init(Diag *d)
{
    memset(d, 0, sizeof *d);
}

void diag_free(Diag *d)
{
    for (size_t i = 0; i < d->n; i++) {
        Finding *f = &d->v[i];
        free(f->code);
        free(f->file);
        free(f->path);
        free(f->msg);
        free(f->other_file);
        free(f->other_path);
    }
    free(d->v);
    diag_init(d);
}

void diag_add(Diag *d, Severity sev, const char *code, SrcPos pos,
              const char *path, const SrcPos *other, const char *other_path,
              const char *fmt, ...)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 16;
        d->v = realloc(d->v, d->cap * sizeof *d->v);
        if (!d->v)
            abort();
    }
    Finding *f = &d->v[d->n++];
    memset(f, 0, sizeof *f);
    f->sev = sev;
    f->code = dup_or_empty(code);
    f->file = dup_or_empty(pos.file);
    f->line = pos.line;
    f->col = pos.col;
    f->path = dup_or_empty(path);
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int len = vsnprintf(NULL, 0, fmt, ap);
    f->msg = malloc((size_t)len + 1);
    if (!f->msg)
        abort();
    vsnprintf(f->msg, (size_t)len + 1, fmt, ap2);
    va_end(ap2);
    va_end(ap);
    if (other) {
        f->has_other = true;
        f->other_file = dup_or_empty(other->file);
        f->other_line = other->line;
        f->other_col = other->col;
        f->other_path = dup_or_empty(other_path);
    }
    d->counts[sev]++;
}

bool diag_has_fatal(const Diag *d)
{
    return d->counts[SEV_FATAL] > 0;
}

const Finding *diag_first(const Diag *d, Severity sev)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->v[i].sev == sev)
            return &d->v[i];
    return NULL;
}

const char *severity_name(Severity s)
{
    static const char *const names[] = {"fatal", "error", "warning"};
    return names[s];
}

void diag_print(FILE *out, const Finding *f)
{
    fprintf(out, "%s:%u:%u: %s: ", f->file, f->line, f->col,
            f->path[0] ? f->path : "<document>");
    if (f->sev != SEV_FATAL)
        fprintf(out, "%s: ", severity_name(f->sev));
    fputs(f->msg, out);
    if (f->has_other)
        fprintf(out, " (other: %s:%u:%u %s)", f->other_file, f->other_line,
                f->other_col, f->other_path);
    fputc('\n', out);
}

void diag_print_problems(FILE *out, const Diag *d)
{
    for (size_t k = 0; k < d->n; k++)
        if (d->v[k].sev != SEV_WARNING)
            diag_print(out, &d->v[k]);
}
