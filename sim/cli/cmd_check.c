/* dmasim check: lint topology files. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cli/cli.h"
#include "sim/core/json.h"
#include "sim/core/junit.h"
#include "sim/core/outfile.h"
#include "sim/hw/addrmap.h"
#include "sim/hw/lint.h"
#include "sim/hw/topology.h"

static const char check_help[] =
    "usage: dmasim check TOPOLOGY... [--json] [--strict] [--junit F]\n"
    "\n"
    "Lints topology files: overlapping regions and windows (errors),\n"
    "regions shadowing bridge windows (warnings), windows and regions beyond\n"
    "a bus's address width (errors), memory no master can reach, and DMA\n"
    "masters whose dma_mask or windows leave RAM out of reach (warnings).\n"
    "\n"
    "  --json     one JSON object on stdout instead of text\n"
    "  --strict   warnings count as findings for the exit status\n"
    "  --junit F  also write JUnit XML to F for a CI server: a test case\n"
    "             per file, failed on findings, in error on bad input\n"
    "\n"
    "Exit status: 0 clean, 1 findings, 2 bad input (any file).\n";

typedef struct FileResult {
    const char *file;
    Diag diag;
    size_t n_buses, n_comps;
    double seconds;
} FileResult;

static void lint_file(FileResult *fr)
{
    double t0 = junit_now();
    diag_init(&fr->diag);
    Topology *t = topology_load(fr->file, &fr->diag);
    if (!t)
        return;
    fr->n_buses = t->n_buses;
    fr->n_comps = t->n_comps;
    /* Reachability is only meaningful once decoding is unambiguous. */
    if (topology_sound(&fr->diag))
        lint_reachability(t, &fr->diag);
    topology_free(t);
    fr->seconds = junit_now() - t0;
}

/* A test case per file: in error on bad input, failed on findings that
 * count for the exit status, passed otherwise (warnings as its output). */
static void junit_file(JUnit *j, const FileResult *fr, bool strict)
{
    const Diag *d = &fr->diag;
    char *text = NULL, msg[160];
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        abort();
    for (size_t k = 0; k < d->n; k++)
        diag_print(f, &d->v[k]);
    fclose(f);
    JUnitOutcome o = JUNIT_PASS;
    if (d->counts[SEV_FATAL]) {
        o = JUNIT_ERROR;
        snprintf(msg, sizeof msg, "bad input: %s",
                 diag_first(d, SEV_FATAL)->msg);
    } else if (d->counts[SEV_ERROR] || (strict && d->counts[SEV_WARNING])) {
        o = JUNIT_FAIL;
        snprintf(msg, sizeof msg, "%zu error%s, %zu warning%s",
                 d->counts[SEV_ERROR], d->counts[SEV_ERROR] == 1 ? "" : "s",
                 d->counts[SEV_WARNING],
                 d->counts[SEV_WARNING] == 1 ? "" : "s");
    }
    junit_add(j, "dmasim.check", fr->file, fr->seconds, o,
              o == JUNIT_PASS ? NULL : msg, len ? text : NULL);
    free(text);
}

/* "file", "line", "column", "path" members of the open object. */
static void json_place(JsonW *w, const char *file, unsigned line,
                       unsigned col, const char *path)
{
    jw_key(w, "file");
    jw_str(w, file);
    jw_key(w, "line");
    jw_uint(w, line);
    jw_key(w, "column");
    jw_uint(w, col);
    jw_key(w, "path");
    jw_str(w, path);
}

static void json_finding(JsonW *w, const Finding *f)
{
    jw_obj_begin(w);
    jw_key(w, "severity");
    jw_str(w, severity_name(f->sev));
    jw_key(w, "code");
    jw_str(w, f->code);
    json_place(w, f->file, f->line, f->col, f->path);
    jw_key(w, "message");
    jw_str(w, f->msg);
    jw_key(w, "other");
    if (f->has_other) {
        jw_obj_begin(w);
        json_place(w, f->other_file, f->other_line, f->other_col,
                   f->other_path);
        jw_obj_end(w);
    } else {
        jw_null(w);
    }
    jw_obj_end(w);
}

static const char *file_status(const FileResult *fr)
{
    if (fr->diag.counts[SEV_FATAL])
        return "bad-input";
    if (fr->diag.counts[SEV_ERROR])
        return "errors";
    if (fr->diag.counts[SEV_WARNING])
        return "warnings";
    return "clean";
}

int cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"strict", no_argument, NULL, 's'},
        {"junit", required_argument, NULL, 'u'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool json = false, strict = false;
    const char *junit = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'j': json = true; break;
        case 's': strict = true; break;
        case 'u': junit = optarg; break;
        case 'h': fputs(check_help, stdout); return EXIT_CLEAN;
        default: fputs(check_help, stderr); return EXIT_BAD_INPUT;
        }
    }
    int nfiles = argc - optind;
    if (nfiles < 1) {
        fprintf(stderr, "dmasim check: name at least one topology file\n");
        fputs(check_help, stderr);
        return EXIT_BAD_INPUT;
    }
    char err[700];
    if (junit && !outfile_check(junit, (const char *const *)argv + optind,
                                (size_t)nfiles, err, sizeof err)) {
        fprintf(stderr, "dmasim check: %s\n", err);
        return EXIT_BAD_INPUT;
    }

    FileResult *res = calloc((size_t)nfiles, sizeof *res);
    size_t fatal = 0, errors = 0, warnings = 0;
    for (int i = 0; i < nfiles; i++) {
        res[i].file = argv[optind + i];
        lint_file(&res[i]);
        fatal += res[i].diag.counts[SEV_FATAL];
        errors += res[i].diag.counts[SEV_ERROR];
        warnings += res[i].diag.counts[SEV_WARNING];
    }

    if (json) {
        JsonW w;
        jw_init(&w, stdout);
        jw_obj_begin(&w);
        jw_key(&w, "files");
        jw_arr_begin(&w);
        for (int i = 0; i < nfiles; i++) {
            jw_obj_begin(&w);
            jw_key(&w, "file");
            jw_str(&w, res[i].file);
            jw_key(&w, "status");
            jw_str(&w, file_status(&res[i]));
            jw_key(&w, "errors");
            jw_uint(&w, res[i].diag.counts[SEV_ERROR]);
            jw_key(&w, "warnings");
            jw_uint(&w, res[i].diag.counts[SEV_WARNING]);
            jw_key(&w, "findings");
            jw_arr_begin(&w);
            for (size_t k = 0; k < res[i].diag.n; k++)
                json_finding(&w, &res[i].diag.v[k]);
            jw_arr_end(&w);
            jw_obj_end(&w);
        }
        jw_arr_end(&w);
        jw_key(&w, "errors");
        jw_uint(&w, errors);
        jw_key(&w, "warnings");
        jw_uint(&w, warnings);
        jw_key(&w, "bad_input");
        jw_uint(&w, fatal);
        jw_obj_end(&w);
        jw_finish(&w);
    }
    for (int i = 0; i < nfiles; i++) {
        const Diag *d = &res[i].diag;
        for (size_t k = 0; k < d->n; k++)
            if (d->v[k].sev == SEV_FATAL)
                diag_print(stderr, &d->v[k]); /* also under --json */
            else if (!json)
                diag_print(stdout, &d->v[k]);
        if (json || d->counts[SEV_FATAL])
            continue;
        if (d->n == 0)
            printf("%s: clean (%zu bus%s, %zu component%s)\n",
                   res[i].file, res[i].n_buses,
                   res[i].n_buses == 1 ? "" : "es", res[i].n_comps,
                   res[i].n_comps == 1 ? "" : "s");
        else
            printf("%s: %zu error%s, %zu warning%s\n", res[i].file,
                   d->counts[SEV_ERROR], d->counts[SEV_ERROR] == 1 ? "" : "s",
                   d->counts[SEV_WARNING],
                   d->counts[SEV_WARNING] == 1 ? "" : "s");
    }
    bool written = true;
    if (junit) {
        JUnit j;
        junit_init(&j, "dmasim check");
        for (int i = 0; i < nfiles; i++)
            junit_file(&j, &res[i], strict);
        written = junit_write(&j, junit, err, sizeof err);
        if (!written)
            fprintf(stderr, "dmasim check: %s\n", err);
        junit_free(&j);
    }
    for (int i = 0; i < nfiles; i++)
        diag_free(&res[i].diag);
    free(res);

    if (fatal || !written)
        return EXIT_BAD_INPUT;
    if (errors || (strict && warnings))
        return EXIT_FINDINGS;
    return EXIT_CLEAN;
}
