/* dmasim run and dmasim regress: a scenario under each scheme. */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/cli/cli.h"
#include "sim/cli/progress.h"
#include "sim/core/junit.h"
#include "sim/core/outfile.h"
#include "sim/run/report.h"
#include "sim/run/runner.h"
#include "sim/run/trace.h"

static const char run_help[] =
    "usage: dmasim run SCENARIO [--scheme S]... [--json F] [--csv F]\n"
    "                  [--trace F.json|F.vcd]\n"
    "\n"
    "Runs the scenario's workload under each DMA addressing scheme (flat,\n"
    "flat-bounce, struct; or those the scenario lists) on its topology's\n"
    "timed hardware, judges every byte with the oracle, and prints the\n"
    "results side by side: correct, silent, bytes ok/wrong/misdirected,\n"
    "bus and API errors, bounce bytes, simulated time, throughput (1 MB =\n"
    "10^6 bytes), engines and bus utilization, and each scheme's\n"
    "expectation.\n"
    "\n"
    "  --scheme S  run only scheme S (repeatable)\n"
    "  --json F    write the results as JSON to F ('-': stdout, no table)\n"
    "  --csv F     write the results as CSV to F ('-': stdout, no table)\n"
    "  --trace F   every burst on every bus and every step of every\n"
    "              operation: F.json for ui.perfetto.dev (a process per\n"
    "              scheme, a track per bus and per master), F.vcd for\n"
    "              GTKWave (each bus's busy and owner signals)\n"
    "\n"
    "Colour is used only on a terminal (and never with NO_COLOR set); on a\n"
    "terminal a long run shows its progress on stderr.\n"
    "Exit status: 0 ran and every expectation held, 1 an expectation\n"
    "failed, 2 bad input.\n";

static const char regress_help[] =
    "usage: dmasim regress PATH... [--junit F]\n"
    "\n"
    "Runs every scenario (each PATH is a scenario file, or a directory\n"
    "whose *.yaml files are scenarios) under its schemes and checks its\n"
    "expect section: correctness, silence, error counts, throughput\n"
    "bounds and engine choice.  One line per scenario, then the line\n"
    "'N passed, N failed'.  A scenario that cannot be loaded fails.\n"
    "\n"
    "  --junit F  also write JUnit XML to F for a CI server: a test case\n"
    "             per scenario and scheme, failed with the expectation\n"
    "             that did not hold; a scenario that cannot be loaded or\n"
    "             run is one case in error\n"
    "\n"
    "Exit status: 0 all passed, 1 otherwise, 2 bad usage or an\n"
    "unwritable F.\n";


static void json_to(FILE *out, const void *rr) { report_json(out, rr); }
static void csv_to(FILE *out, const void *rr) { report_csv(out, rr); }

static bool use_color(void)
{
    const char *nc = getenv("NO_COLOR");
    return isatty(STDOUT_FILENO) && !(nc && nc[0]);
}

int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"scheme", required_argument, NULL, 's'},
        {"json", required_argument, NULL, 'j'},
        {"csv", required_argument, NULL, 'c'},
        {"trace", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    char *only[16];
    size_t n_only = 0;
    const char *json = NULL, *csv = NULL, *trace_file = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            if (!dma_api_find(optarg)) {
                fprintf(stderr,
                        "dmasim run: unknown scheme '%s' (known: %s)\n",
                        optarg, dma_api_names());
                return EXIT_BAD_INPUT;
            }
            if (n_only == sizeof only / sizeof *only) {
                fprintf(stderr, "dmasim run: too many --scheme options\n");
                return EXIT_BAD_INPUT;
            }
            only[n_only++] = optarg;
            break;
        case 'j':
            json = optarg;
            break;
        case 'c':
            csv = optarg;
            break;
        case 't':
            trace_file = optarg;
            if (!trace_format(trace_file)) {
                fprintf(stderr, "dmasim run: --trace takes a .json "
                                "(Perfetto) or .vcd (GTKWave) file, not "
                                "'%s'\n",
                        trace_file);
                return EXIT_BAD_INPUT;
            }
            break;
        case 'h':
            fputs(run_help, stdout);
            return EXIT_CLEAN;
        default:
            fputs(run_help, stderr);
            return EXIT_BAD_INPUT;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "dmasim run: name one scenario file\n\n%s", run_help);
        return EXIT_BAD_INPUT;
    }
    if (json && csv && outfile_is_stdout(json) && outfile_is_stdout(csv)) {
        fprintf(stderr, "dmasim run: --json - and --csv - both want stdout\n");
        return EXIT_BAD_INPUT;
    }
    Diag d;
    diag_init(&d);
    Scenario *s = scenario_load(argv[optind], &d);
    if (!s) {
        diag_print_problems(stderr, &d);
        diag_free(&d);
        return EXIT_BAD_INPUT;
    }
    /* Every output can be written, and none is an input, before the run. */
    const char *inputs[2] = {argv[optind], s->topo->file};
    const char *outs[3] = {json, csv, trace_file};
    for (int i = 0; i < 3; i++) {
        char err[700];
        if (!outs[i])
            continue;
        bool twice = false;
        for (int j = 0; j < i; j++)
            twice |= outs[j] && !outfile_is_stdout(outs[i]) &&
                     !strcmp(outs[i], outs[j]);
        if (twice || !outfile_check(outs[i], inputs, 2, err, sizeof err)) {
            if (twice)
                fprintf(stderr, "dmasim run: %s is named for two outputs\n",
                        outs[i]);
            else
                fprintf(stderr, "dmasim run: %s\n", err);
            scenario_free(s);
            diag_free(&d);
            return EXIT_BAD_INPUT;
        }
    }
    for (size_t j = 0; j < n_only; j++) {
        bool listed = false;
        for (size_t i = 0; i < s->n_schemes; i++)
            listed |= !strcmp(only[j], s->schemes[i]);
        if (!listed) {
            fprintf(stderr,
                    "dmasim run: scenario %s does not run scheme '%s'\n",
                    s->name, only[j]);
            scenario_free(s);
            diag_free(&d);
            return EXIT_BAD_INPUT;
        }
    }
    SchemeResult res[RUN_MAX_SCHEMES];
    char *why[RUN_MAX_SCHEMES];
    size_t n;
    int rc = EXIT_CLEAN;
    Trace *trace = trace_file ? trace_new() : NULL;
    RunHooks hooks = cli_run_hooks("dmasim run", trace);
    if (!run_schemes(s, only, n_only, res, why, &n, &d, &hooks)) {
        diag_print_problems(stderr, &d);
        rc = EXIT_BAD_INPUT;
    } else {
        RunReport rr = {s, res, n, (const char *const *)why};
        bool to_stdout = (json && outfile_is_stdout(json)) ||
                         (csv && outfile_is_stdout(csv));
        if (!to_stdout)
            report_table(stdout, &rr, use_color());
        char err[400];
        if (json && !write_atomic(json, json_to, &rr, err, sizeof err)) {
            fprintf(stderr, "dmasim run: %s\n", err);
            rc = EXIT_BAD_INPUT;
        }
        if (csv && !write_atomic(csv, csv_to, &rr, err, sizeof err)) {
            fprintf(stderr, "dmasim run: %s\n", err);
            rc = EXIT_BAD_INPUT;
        }
        if (trace && !trace_write(trace, trace_file, err, sizeof err)) {
            fprintf(stderr, "dmasim run: %s\n", err);
            rc = EXIT_BAD_INPUT;
        }
        for (size_t i = 0; i < n && rc == EXIT_CLEAN; i++)
            if (why[i][0])
                rc = EXIT_FINDINGS;
    }
    trace_free(trace);
    run_schemes_free(res, why, n);
    scenario_free(s);
    diag_free(&d);
    return rc;
}

/* ---- regress ------------------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The scenario files of a directory, sorted. */
static char **dir_files(const char *dir, size_t *n)
{
    DIR *dp = opendir(dir);
    char **v = NULL;
    *n = 0;
    if (!dp)
        return NULL;
    struct dirent *e;
    while ((e = readdir(dp))) {
        size_t l = strlen(e->d_name);
        if (l < 6 || strcmp(e->d_name + l - 5, ".yaml") || e->d_name[0] == '.')
            continue;
        v = realloc(v, (*n + 1) * sizeof *v);
        size_t pl = strlen(dir) + l + 2;
        v[*n] = malloc(pl);
        if (!v || !v[*n])
            abort();
        snprintf(v[*n], pl, "%s%s%s", dir,
                 dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name);
        (*n)++;
    }
    closedir(dp);
    qsort(v, *n, sizeof *v, cmp_str);
    return v;
}

/* The problems of d as text, for a JUnit case. */
static char *problems_text(const Diag *d)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        abort();
    diag_print_problems(f, d);
    fclose(f);
    return text;
}

/* A scenario that could not be loaded or run: a line, its problems on
 * stderr, and a JUnit case in error. */
static void regress_bad(const char *file, const char *what, const Diag *d,
                        double t0, JUnit *j)
{
    printf("FAIL %s: cannot %s it:\n", file, what);
    fflush(stdout);
    diag_print_problems(stderr, d);
    if (j) {
        char msg[80], *text = problems_text(d);
        snprintf(msg, sizeof msg, "cannot %s the scenario", what);
        junit_add(j, file, what, junit_now() - t0, JUNIT_ERROR, msg, text);
        free(text);
    }
}

static bool regress_one(const char *file, JUnit *j)
{
    double t0 = junit_now();
    Diag d;
    diag_init(&d);
    Scenario *s = scenario_load(file, &d);
    if (!s) {
        regress_bad(file, "load", &d, t0, j);
        diag_free(&d);
        return false;
    }
    SchemeResult res[RUN_MAX_SCHEMES];
    char *why[RUN_MAX_SCHEMES];
    size_t n;
    RunHooks hooks = cli_run_hooks("dmasim regress", NULL);
    bool ok = run_schemes(s, NULL, 0, res, why, &n, &d, &hooks);
    double secs = junit_now() - t0;
    if (!ok) {
        regress_bad(file, "run", &d, t0, j);
    } else {
        for (size_t i = 0; i < n; i++)
            ok &= !why[i][0];
        printf("%s %s (%s)\n", ok ? "pass" : "FAIL", s->name, file);
        for (size_t i = 0; i < n; i++) {
            if (why[i][0])
                printf("  %s: %s\n", res[i].scheme, why[i]);
            /* the run's time shared among its schemes */
            if (j)
                junit_add(j, s->name, res[i].scheme, secs / (double)n,
                          why[i][0] ? JUNIT_FAIL : JUNIT_PASS,
                          why[i][0] ? why[i] : NULL, NULL);
        }
    }
    run_schemes_free(res, why, n);
    scenario_free(s);
    diag_free(&d);
    return ok;
}

int cmd_regress(int argc, char **argv)
{
    const char *junit = NULL;
    char **paths = calloc((size_t)argc, sizeof *paths);
    size_t n_paths = 0;
    if (!paths)
        abort();
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(regress_help, stdout);
            free(paths);
            return EXIT_CLEAN;
        }
        if (!strcmp(argv[i], "--junit") && i + 1 < argc)
            junit = argv[++i];
        else if (!strncmp(argv[i], "--junit=", 8))
            junit = argv[i] + 8;
        else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "dmasim regress: unknown option '%s'\n\n%s",
                    argv[i], regress_help);
            free(paths);
            return EXIT_BAD_INPUT;
        } else
            paths[n_paths++] = argv[i];
    }
    if (!n_paths) {
        fprintf(stderr, "dmasim regress: name scenario files or "
                        "directories\n\n%s",
                regress_help);
        free(paths);
        return EXIT_BAD_INPUT;
    }
    char err[700];
    if (junit && !outfile_check(junit, (const char *const *)paths, n_paths,
                                err, sizeof err)) {
        fprintf(stderr, "dmasim regress: %s\n", err);
        free(paths);
        return EXIT_BAD_INPUT;
    }
    JUnit ju;
    junit_init(&ju, "dmasim regress");
    JUnit *j = junit ? &ju : NULL;
    size_t passed = 0, failed = 0;
    for (size_t i = 0; i < n_paths; i++) {
        struct stat sb;
        if (stat(paths[i], &sb)) {
            printf("FAIL %s: no such file or directory\n", paths[i]);
            if (j)
                junit_add(j, paths[i], "load", 0, JUNIT_ERROR,
                          "no such file or directory", NULL);
            failed++;
            continue;
        }
        if (!S_ISDIR(sb.st_mode)) {
            regress_one(paths[i], j) ? passed++ : failed++;
            continue;
        }
        size_t n;
        char **files = dir_files(paths[i], &n);
        if (!n) {
            printf("FAIL %s: no *.yaml scenarios in it\n", paths[i]);
            if (j)
                junit_add(j, paths[i], "load", 0, JUNIT_ERROR,
                          "no *.yaml scenarios in it", NULL);
            failed++;
        }
        for (size_t k = 0; k < n; k++) {
            regress_one(files[k], j) ? passed++ : failed++;
            free(files[k]);
        }
        free(files);
    }
    printf("%zu passed, %zu failed\n", passed, failed);
    int rc = failed ? EXIT_FINDINGS : EXIT_CLEAN;
    if (j && !junit_write(j, junit, err, sizeof err)) {
        fprintf(stderr, "dmasim regress: %s\n", err);
        rc = EXIT_BAD_INPUT;
    }
    junit_free(&ju);
    free(paths);
    return rc;
}

