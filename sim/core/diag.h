/* Diagnostics: input errors and lint findings, each tied to a source
 * position and a key path in a YAML file. */
#ifndef DMASIM_DIAG_H
#define DMASIM_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct SrcPos {
    const char *file;   /* owned by whoever loaded the file */
    unsigned line, col; /* 1-based; 0 when unknown */
} SrcPos;

typedef enum {
    SEV_FATAL,   /* bad input: the file cannot be used (exit status 2) */
    SEV_ERROR,   /* a lint error: the topology is wrong (check exits 1) */
    SEV_WARNING, /* suspicious but usable (counts with check --strict) */
} Severity;

typedef struct Finding {
    Severity sev;
    char *code;       /* short stable identifier, e.g. "overlap" */
    char *file;
    unsigned line, col;
    char *path;       /* key path, e.g. "components.3.ranges.0" */
    char *msg;
    bool has_other;   /* the other party of an overlap or clash */
    char *other_file;
    unsigned other_line, other_col;
    char *other_path;
} Finding;

typedef struct Diag {
    Finding *v;
    size_t n, cap;
    size_t counts[3]; /* per Severity */
} Diag;

void diag_init(Diag *d);
void diag_free(Diag *d);

/* Adds a finding; `other` may be NULL.  Strings are copied. */
void diag_add(Diag *d, Severity sev, const char *code, SrcPos pos,
              const char *path, const SrcPos *other, const char *other_path,
              const char *fmt, ...) __attribute__((format(printf, 8, 9)));

bool diag_has_fatal(const Diag *d);
const Finding *diag_first(const Diag *d, Severity sev);

/* One line: "FILE:LINE:COL: PATH: message" for fatal findings, and
 * "FILE:LINE:COL: PATH: error|warning: message (other: FILE:LINE:COL PATH)"
 * for lint findings. */
void diag_print(FILE *out, const Finding *f);

/* Every fatal and error finding, one diag_print line each (warnings are
 * left out): what a command that refuses bad input prints. */
void diag_print_problems(FILE *out, const Diag *d);

const char *severity_name(Severity s);

#endif
