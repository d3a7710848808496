/* The results of a run, side by side: a table for people, JSON (DESIGN §6)
 * and CSV for machines (docs/cli.md, "run"). */
#ifndef DMASIM_REPORT_H
#define DMASIM_REPORT_H

#include <stdio.h>

#include "sim/run/runner.h"

typedef struct RunReport {
    const Scenario *s;
    const SchemeResult *r; /* one per scheme run */
    size_t n;
    const char *const *expect_why; /* per scheme: "" passed, else why */
} RunReport;

/* The side-by-side table, then each scheme's errors and engine choices.
 * Colour (ANSI) only when `color`. */
void report_table(FILE *out, const RunReport *rr, bool color);
void report_json(FILE *out, const RunReport *rr);
/* One header line, then one line per scheme. */
void report_csv(FILE *out, const RunReport *rr);
/* The same, piece by piece: the header with a utilization column per bus
 * of `t`, and one scheme's line with those columns (empty for a bus the
 * run's topology does not have). */
void report_csv_header(FILE *out, const Topology *t);
/* why: the scheme's expectation verdict ("" held; ignored when it has
 * none). */
void report_csv_row(FILE *out, const Scenario *s, const SchemeResult *r,
                    const char *why, const Topology *cols);
/* The engines a scheme's operations ran on: "dma0", "dma0+cpu0"; "-"
 * when none ran. */
void report_engines(const Scenario *s, const SchemeResult *r, char *buf,
                    size_t n);

/* Every operation was refused by the API: nothing ran, no time passed
 * (the table says "- (refused)" for the time, "-" for throughput). */
bool report_all_refused(const SchemeResult *r);
/* Some of the n results has a non-zero uint64_t at `field` (offsetof in
 * SchemeResult): the rows shown only when a scheme did something. */
bool report_any(const SchemeResult *r, size_t n, size_t field);

/* "1.234 ms" */
char *fmt_time(SimTime ps, char *buf, size_t n);

#endif
