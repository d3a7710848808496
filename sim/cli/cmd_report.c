/* dmasim report: one self-contained HTML page of scenarios run under every
 * scheme — the side-by-side tables, correctness classes marked, inline SVG
 * plots of bus utilization and operation latency, and the engine choices
 * explained (docs/cli.md, "report"). */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/cli/cli.h"
#include "sim/cli/progress.h"
#include "sim/core/outfile.h"
#include "sim/run/html.h"
#include "sim/run/plot.h"
#include "sim/run/report.h"
#include "sim/run/runner.h"

static const char report_help[] =
    "usage: dmasim report SCENARIO... -o DIR\n"
    "\n"
    "Runs each scenario under each of its schemes and writes DIR/index.html:\n"
    "one self-contained page (inline SVG, no network) with a section per\n"
    "scenario: the side-by-side table with correct and silent results\n"
    "marked, the expectations, errors with their reasons, how each\n"
    "operation's engine was chosen, and plots of each bus's utilization and\n"
    "of operation latency (drawn by gnuplot; the SVGs stay in DIR too).\n"
    "\n"
    "Exit status: 0 written, 2 bad input, a missing gnuplot, or an\n"
    "unwritable DIR.\n";

typedef struct Section {
    Scenario *s;
    SchemeResult r[RUN_MAX_SCHEMES];
    char *why[RUN_MAX_SCHEMES];
    size_t n;
} Section;

static void plot_paths(const Section *sec, const char *dir, char *u,
                       char *l, size_t n)
{
    snprintf(u, n, "%s/%s-utilization.svg", dir, sec->s->name);
    snprintf(l, n, "%s/%s-latency.svg", dir, sec->s->name);
}

/* Draws a section's two plots into DIR. */
static bool draw_plots(const Section *sec, const char *dir, char *err,
                       size_t n)
{
    const Scenario *s = sec->s;
    const Topology *t = s->topo;
    const char *schemes[8], *buses[64];
    double util[8 * 64];
    const Hist *lat[8];
    size_t nb = t->n_buses < 64 ? t->n_buses : 64;
    for (size_t i = 0; i < sec->n; i++) {
        schemes[i] = sec->r[i].scheme;
        lat[i] = &sec->r[i].latency;
        for (size_t b = 0; b < nb; b++)
            util[i * nb + b] = sec->r[i].bus_util[b];
    }
    for (size_t b = 0; b < nb; b++)
        buses[b] = t->buses[b].name;
    char u[4096], l[4096], title[300];
    plot_paths(sec, dir, u, l, sizeof u);
    snprintf(title, sizeof title, "%s: bus utilization", s->name);
    if (!plot_utilization(u, title, schemes, sec->n, buses, nb, util, err, n))
        return false;
    snprintf(title, sizeof title, "%s: operation latency", s->name);
    return plot_latency(l, title, schemes, sec->n, lat, err, n);
}

typedef struct Page {
    const HtmlSection *secs;
    size_t n;
} Page;

static void page_to(FILE *f, const void *ctx)
{
    const Page *pg = ctx;
    html_page(f, pg->secs, pg->n);
}

/* DIR/index.html and every plot can be written over no input. */
static bool outputs_ok(const char *dir, const Section *secs, size_t n,
                       char *err, size_t errlen)
{
    const char **inputs = calloc(2 * n, sizeof *inputs);
    if (!inputs)
        abort();
    for (size_t k = 0; k < n; k++) {
        inputs[2 * k] = secs[k].s->file;
        inputs[2 * k + 1] = secs[k].s->topo->file;
    }
    char path[3][4096];
    snprintf(path[0], sizeof path[0], "%s/index.html", dir);
    bool ok = outfile_check(path[0], inputs, 2 * n, err, errlen);
    for (size_t k = 0; ok && k < n; k++) {
        plot_paths(&secs[k], dir, path[1], path[2], sizeof path[1]);
        ok = outfile_check(path[1], inputs, 2 * n, err, errlen) &&
             outfile_check(path[2], inputs, 2 * n, err, errlen);
    }
    free(inputs);
    return ok;
}

/* The plots, then the page (temporary file and rename). */
static bool write_page(const char *dir, const Section *secs, size_t n,
                       char *err, size_t errlen)
{
    HtmlSection *hs = calloc(n ? n : 1, sizeof *hs);
    char (*plots)[2][4096] = calloc(n ? n : 1, sizeof *plots);
    if (!hs || !plots)
        abort();
    bool ok = true;
    for (size_t k = 0; ok && k < n; k++) {
        ok = draw_plots(&secs[k], dir, err, errlen);
        plot_paths(&secs[k], dir, plots[k][0], plots[k][1],
                   sizeof plots[k][0]);
        hs[k] = (HtmlSection){secs[k].s, secs[k].r, secs[k].why, secs[k].n,
                              plots[k][0], plots[k][1]};
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/index.html", dir);
    Page pg = {hs, n};
    ok = ok && write_atomic(path, page_to, &pg, err, errlen);
    free(hs);
    free(plots);
    return ok;
}

int cmd_report(int argc, char **argv)
{
    const char *dir = NULL;
    char **files = calloc((size_t)argc, sizeof *files);
    size_t nf = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(report_help, stdout);
            free(files);
            return EXIT_CLEAN;
        }
        if (!strcmp(argv[i], "-o") && i + 1 < argc)
            dir = argv[++i];
        else
            files[nf++] = argv[i];
    }
    if (!nf || !dir) {
        fprintf(stderr, "dmasim report: name the scenarios and -o DIR\n\n%s",
                report_help);
        free(files);
        return EXIT_BAD_INPUT;
    }
    if (mkdir(dir, 0777) && errno != EEXIST) {
        fprintf(stderr, "dmasim report: cannot create %s: %s\n", dir,
                strerror(errno));
        free(files);
        return EXIT_BAD_INPUT;
    }
    Section *secs = calloc(nf, sizeof *secs);
    int rc = EXIT_BAD_INPUT;
    char err[700];
    Diag d;
    diag_init(&d);
    for (size_t k = 0; k < nf; k++)
        if (!(secs[k].s = scenario_load(files[k], &d))) {
            diag_print_problems(stderr, &d);
            goto out;
        }
    /* The page and the plots can be written, and none is an input, before
     * anything runs. */
    if (!outputs_ok(dir, secs, nf, err, sizeof err)) {
        fprintf(stderr, "dmasim report: %s\n", err);
        goto out;
    }
    for (size_t k = 0; k < nf; k++) {
        Section *sec = &secs[k];
        RunHooks hooks = cli_run_hooks("dmasim report", NULL);
        if (!run_schemes(sec->s, NULL, 0, sec->r, sec->why, &sec->n, &d,
                         &hooks)) {
            diag_print_problems(stderr, &d);
            goto out;
        }
    }
    if (!write_page(dir, secs, nf, err, sizeof err)) {
        fprintf(stderr, "dmasim report: %s\n", err);
        goto out;
    }
    printf("wrote %s/index.html (%zu scenario%s)\n", dir, nf,
           nf == 1 ? "" : "s");
    rc = EXIT_CLEAN;
out:
    for (size_t k = 0; k < nf; k++) {
        run_schemes_free(secs[k].r, secs[k].why, secs[k].n);
        scenario_free(secs[k].s);
    }
    free(secs);
    free(files);
    diag_free(&d);
    return rc;
}
