/* The HTML report page (docs/cli.md, "report"): a summary, then a section
 * per scenario with the side-by-side table, correct and silent results
 * marked, the expectations, errors with their reasons, how each
 * operation's engine was chosen, and inlined SVG plots.  Self-contained:
 * inline CSS and SVG, nothing fetched. */
#ifndef DMASIM_HTML_H
#define DMASIM_HTML_H

#include <stdio.h>

#include "sim/run/runner.h"

/* One scenario's results under each of its schemes. */
typedef struct HtmlSection {
    const Scenario *s;
    const SchemeResult *r;
    char *const *why;        /* per scheme: the failed expectation, or "" */
    size_t n;
    const char *utilization_svg, *latency_svg; /* files whose <svg> element
                                                  is inlined; NULL: none */
} HtmlSection;

/* Writes the page of n sections to f. */
void html_page(FILE *f, const HtmlSection *secs, size_t n);

#endif
