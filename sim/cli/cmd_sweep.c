/* dmasim sweep and dmasim merge: a scenario run over the cross product of
 * varied values, in parallel worker processes, sharded across machines,
 * resumable; one CSV (docs/cli.md, "sweep"). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/cli/cli.h"
#include "sim/core/outfile.h"
#include "sim/run/csvlines.h"
#include "sim/run/plot.h"
#include "sim/run/pool.h"
#include "sim/run/report.h"
#include "sim/run/runner.h"

static const char sweep_help[] =
    "usage: dmasim sweep SCENARIO --vary PATH=V1,V2,... [--vary ...]\n"
    "                    [--jobs N] [--shard K/N] [--csv F] [--resume]\n"
    "                    [--plot F.png|F.svg]\n"
    "\n"
    "Runs the scenario at every point of the cross product of the --vary\n"
    "values (the first --vary varies slowest), under each of its schemes,\n"
    "and writes one CSV line per point and scheme: the point's index, its\n"
    "values, then the columns of 'dmasim run --csv'.  PATH is a dotted path\n"
    "in the scenario (workload.0.size, seed) or, with the prefix\n"
    "'topology.', in its topology (topology.clocks.pci); a list item is\n"
    "named by its index or its name (topology.components.card.master.\n"
    "max_burst).\n"
    "\n"
    "  --jobs N     worker processes (default: every core); the output is\n"
    "               the same whatever N\n"
    "  --shard K/N  run only points i with i mod N = K-1, for clusters;\n"
    "               join the shards' CSVs with 'dmasim merge'\n"
    "  --csv F      write the CSV to F (via a temporary file and rename);\n"
    "               default: stdout\n"
    "  --resume     keep the points F already has and run only the rest\n"
    "  --plot F     throughput against the first --vary, one curve per\n"
    "               scheme, drawn by gnuplot: PNG or SVG by F's suffix\n"
    "\n"
    "On a terminal, a progress line shows points done, rate and time left.\n"
    "With --csv, finished points are saved every two seconds and when the\n"
    "sweep is interrupted, so --resume loses little.\n"
    "Exit status: 0 done, 2 bad input (a point that does not load names\n"
    "its values) or a failed worker or plot, 128+N when stopped by signal\n"
    "N.\n";

static const char merge_help[] =
    "usage: dmasim merge CSV... -o F\n"
    "\n"
    "Joins CSVs of one sweep's shards (same header) into F, one line per\n"
    "point and scheme, sorted by point; a point in several files is kept\n"
    "once.  Exit status: 0 done, 2 bad input.\n";

/* ---- the points ---------------------------------------------------------- */

typedef struct Vary {
    char *path;
    char **values;
    size_t n;
} Vary;

typedef struct Sweep {
    const char *file;
    Vary *v;
    size_t n_v;
    size_t n_points;
} Sweep;

/* Point p's values, the first vary slowest. */
static void point_values(const Sweep *sw, size_t p, Override *ov)
{
    for (size_t i = sw->n_v; i-- > 0;) {
        ov[i] = (Override){sw->v[i].path, sw->v[i].values[p % sw->v[i].n]};
        p /= sw->v[i].n;
    }
}

static bool parse_vary(const char *arg, Vary *v)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1]) {
        fprintf(stderr, "dmasim sweep: --vary takes PATH=V1,V2,..., not "
                        "'%s'\n",
                arg);
        return false;
    }
    v->path = strndup(arg, (size_t)(eq - arg));
    char *vals = strdup(eq + 1);
    if (!v->path || !vals)
        abort();
    v->n = 0;
    v->values = NULL;
    for (char *save = NULL, *t = strtok_r(vals, ",", &save); t;
         t = strtok_r(NULL, ",", &save)) {
        v->values = realloc(v->values, (v->n + 1) * sizeof *v->values);
        v->values[v->n] = strdup(t);
        if (!v->values || !v->values[v->n])
            abort();
        v->n++;
    }
    free(vals);
    if (!v->n) {
        fprintf(stderr, "dmasim sweep: --vary %s has no values\n", v->path);
        return false;
    }
    return true;
}

/* ---- one point ------------------------------------------------------------ */

/* Runs point p and writes its lines ("p,values,run columns") to out;
 * false (with the findings on stderr) if it does not load or run. */
static bool run_point(const Sweep *sw, size_t p, const Topology *cols,
                      FILE *out)
{
    Override ov[64];
    point_values(sw, p, ov);
    Diag d;
    diag_init(&d);
    Scenario *s = scenario_load_ov(sw->file, ov, sw->n_v, &d);
    bool ok = s != NULL;
    for (size_t i = 0; ok && i < s->n_schemes; i++) {
        SchemeResult r;
        if (!run_scheme(s, dma_api_find(s->schemes[i]), &r, &d)) {
            ok = false;
            break;
        }
        fprintf(out, "%zu", p);
        for (size_t k = 0; k < sw->n_v; k++) {
            fputc(',', out);
            csv_put(out, ov[k].value);
        }
        fputc(',', out);
        char why[300];
        expect_check(s, &r, why, sizeof why);
        report_csv_row(out, s, &r, why, cols);
        scheme_result_free(&r);
    }
    if (!ok) {
        fprintf(stderr, "dmasim sweep: point %zu (", p);
        for (size_t k = 0; k < sw->n_v; k++)
            fprintf(stderr, "%s%s=%s", k ? ", " : "", ov[k].path,
                    ov[k].value);
        fprintf(stderr, "):\n");
        diag_print_problems(stderr, &d);
    }
    scenario_free(s);
    diag_free(&d);
    return ok;
}

/* A point as a task of the worker pool. */
typedef struct PointTask {
    const Sweep *sw;
    const Topology *cols;
} PointTask;

static bool point_task(void *ctx, size_t p, FILE *out)
{
    const PointTask *pt = ctx;
    return run_point(pt->sw, p, pt->cols, out);
}

/* ---- resuming ---------------------------------------------------------------- */

/* The lines of the old file worth keeping: whole points of this sweep —
 * the point exists, every line carries its values, and there is one line
 * for each of the scenario's schemes (identical copies count once; two
 * different lines for one scheme, or an unknown scheme, mean the point
 * runs again).  done[p] is set for the points kept. */
static void keep_complete(const Sweep *sw, const Scenario *s0, Lines *have,
                          bool *done)
{
    sort_lines(have);
    dedupe(have);
    size_t w = 0, c_scheme = 1 + sw->n_v + 2;
    for (size_t i = 0; i < have->n;) {
        size_t p = point_of(have->v[i]), j = i;
        while (j < have->n && point_of(have->v[j]) == p)
            j++;
        bool whole = p < sw->n_points && j - i == s0->n_schemes;
        Override ov[64];
        if (whole)
            point_values(sw, p, ov);
        for (size_t k = i; whole && k < j; k++) {
            char b[4096];
            for (size_t f = 0; whole && f < sw->n_v; f++)
                whole = csv_field(have->v[k], 1 + f, b, sizeof b) &&
                        !strcmp(b, ov[f].value);
            /* schemes in the scenario's order, each once */
            whole = whole && csv_field(have->v[k], c_scheme, b, sizeof b) &&
                    !strcmp(b, s0->schemes[k - i]);
        }
        for (size_t k = i; k < j; k++) {
            if (whole)
                have->v[w++] = have->v[k];
            else
                free(have->v[k]);
        }
        if (whole)
            done[p] = true;
        i = j;
    }
    have->n = w;
}

/* Every value of every --vary loads, with the others at point 0's: a bad
 * value stops the sweep before any point runs.  (What only a combination
 * of values breaks is found when that point runs.) */
static bool values_load(const Sweep *sw)
{
    for (size_t k = 0; k < sw->n_v; k++)
        for (size_t j = 1; j < sw->v[k].n; j++) {
            Override ov[64];
            point_values(sw, 0, ov);
            ov[k].value = sw->v[k].values[j];
            Diag d;
            diag_init(&d);
            Scenario *s = scenario_load_ov(sw->file, ov, sw->n_v, &d);
            if (!s) {
                fprintf(stderr, "dmasim sweep: %s=%s does not load:\n",
                        ov[k].path, ov[k].value);
                diag_print_problems(stderr, &d);
            }
            scenario_free(s);
            diag_free(&d);
            if (!s)
                return false;
        }
    return true;
}

/* ---- the command ------------------------------------------------------------ */

static unsigned cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

static char *make_header(const Sweep *sw, const Topology *cols)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    fputs("point", m);
    for (size_t k = 0; k < sw->n_v; k++) {
        fputc(',', m);
        csv_put(m, sw->v[k].path);
    }
    fputc(',', m);
    report_csv_header(m, cols);
    fclose(m);
    if (len && buf[len - 1] == '\n')
        buf[len - 1] = '\0';
    return buf;
}

int cmd_sweep(int argc, char **argv)
{
    static const struct option opts[] = {
        {"vary", required_argument, NULL, 'v'},
        {"jobs", required_argument, NULL, 'j'},
        {"shard", required_argument, NULL, 's'},
        {"csv", required_argument, NULL, 'c'},
        {"resume", no_argument, NULL, 'r'},
        {"plot", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    Sweep sw = {0};
    Vary vs[64] = {{0}};
    unsigned jobs = cores(), shard_k = 1, shard_n = 1;
    const char *csv = NULL, *plot = NULL;
    bool resume = false;
    int c, rc = EXIT_BAD_INPUT;
    Diag d;
    diag_init(&d);
    Scenario *s0 = NULL;
    char *header = NULL;
    Lines have = {0}, got = {0};
    size_t *todo = NULL;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'v':
            if (sw.n_v == 64) {
                fprintf(stderr, "dmasim sweep: at most 64 --vary\n");
                goto out;
            }
            if (!parse_vary(optarg, &vs[sw.n_v++]))
                goto out;
            break;
        case 'j':
            jobs = (unsigned)strtoul(optarg, &end, 10);
            if (*end || !jobs || jobs > 1024) {
                fprintf(stderr, "dmasim sweep: --jobs takes 1 to 1024, not "
                                "'%s'\n",
                        optarg);
                goto out;
            }
            break;
        case 's':
            if (sscanf(optarg, "%u/%u", &shard_k, &shard_n) != 2 ||
                !shard_n || !shard_k || shard_k > shard_n) {
                fprintf(stderr, "dmasim sweep: --shard takes K/N with "
                                "1 <= K <= N, not '%s'\n",
                        optarg);
                goto out;
            }
            break;
        case 'c':
            csv = optarg;
            break;
        case 'r':
            resume = true;
            break;
        case 'p':
            plot = optarg;
            if (!plot_format(plot)) {
                fprintf(stderr, "dmasim sweep: --plot takes a .png or .svg "
                                "file, not '%s'\n",
                        plot);
                goto out;
            }
            break;
        case 'h':
            fputs(sweep_help, stdout);
            rc = EXIT_CLEAN;
            goto out;
        default:
            fputs(sweep_help, stderr);
            goto out;
        }
    }
    if (optind + 1 != argc || !sw.n_v) {
        fprintf(stderr, "dmasim sweep: name one scenario and at least one "
                        "--vary\n\n%s",
                sweep_help);
        goto out;
    }
    if (resume && !csv) {
        fprintf(stderr, "dmasim sweep: --resume needs --csv F\n");
        goto out;
    }
    for (size_t k = 0; k < sw.n_v; k++)
        for (size_t j = 0; j < k; j++)
            if (!strcmp(vs[j].path, vs[k].path)) {
                fprintf(stderr, "dmasim sweep: --vary %s is given twice\n",
                        vs[k].path);
                goto out;
            }
    sw.file = argv[optind];
    sw.v = vs;
    sw.n_points = 1;
    for (size_t k = 0; k < sw.n_v; k++) {
        if (sw.n_points > 10000000 / vs[k].n) {
            fprintf(stderr, "dmasim sweep: more than 10,000,000 points\n");
            goto out;
        }
        sw.n_points *= vs[k].n;
    }
    /* Point 0 must load: it gives the bus columns, and catches bad paths
     * before any worker starts. */
    Override ov[64];
    point_values(&sw, 0, ov);
    s0 = scenario_load_ov(sw.file, ov, sw.n_v, &d);
    if (!s0) {
        diag_print_problems(stderr, &d);
        goto out;
    }
    if (!values_load(&sw))
        goto out;
    /* The outputs can be written, and are no inputs, before any point
     * runs. */
    const char *inputs[2] = {sw.file, s0->topo->file};
    const char *outs[2] = {csv, plot};
    for (int i = 0; i < 2; i++) {
        char err[700];
        if (outs[i] && !outfile_check(outs[i], inputs, 2, err, sizeof err)) {
            fprintf(stderr, "dmasim sweep: %s\n", err);
            goto out;
        }
    }
    if (csv && plot && !strcmp(csv, plot)) {
        fprintf(stderr, "dmasim sweep: %s is named for two outputs\n", csv);
        goto out;
    }
    header = make_header(&sw, s0->topo);
    if (resume) {
        char *old = NULL;
        if (read_lines(csv, &old, &have, NULL) && old && strcmp(old, header)) {
            fprintf(stderr, "dmasim sweep: %s holds another sweep (its "
                            "header differs); not resuming it\n",
                    csv);
            free(old);
            goto out;
        }
        free(old);
    }
    /* This shard's points, less the whole ones the file has. */
    bool *done = calloc(sw.n_points, sizeof *done);
    todo = calloc(sw.n_points, sizeof *todo);
    if (!done || !todo)
        abort();
    keep_complete(&sw, s0, &have, done);
    size_t n_todo = 0;
    for (size_t p = shard_k - 1; p < sw.n_points; p += shard_n)
        if (!done[p])
            todo[n_todo++] = p;
    free(done);
    PoolSave save = {csv, header, &have, s0->n_schemes};
    PointTask pt = {&sw, s0->topo};
    int sig = 0;
    switch (pool_run(point_task, &pt, todo, n_todo, jobs, &save, &got,
                     &sig)) {
    case POOL_DONE:
        break;
    case POOL_STOPPED:
        rc = 128 + sig;
        goto out;
    case POOL_FAILED:
        fprintf(stderr, "dmasim sweep: a worker failed; %s\n",
                csv ? "the points before it are saved" : "no output");
        goto out;
    }
    for (size_t i = 0; i < got.n; i++)
        lines_add(&have, got.v[i]);
    got.n = 0;
    sort_lines(&have);
    if (!write_lines(csv, header, &have))
        goto out;
    rc = EXIT_CLEAN;
    if (plot) {
        char err[600];
        if (!plot_sweep(plot, sw.v[0].path, header, (const char *const *)
                        have.v, have.n, err, sizeof err)) {
            fprintf(stderr, "dmasim sweep: %s\n", err);
            rc = EXIT_BAD_INPUT;
        }
    }
out:
    free(todo);
    free(header);
    lines_free(&have);
    lines_free(&got);
    scenario_free(s0);
    diag_free(&d);
    for (size_t k = 0; k < sw.n_v; k++) {
        for (size_t i = 0; i < vs[k].n; i++)
            free(vs[k].values[i]);
        free(vs[k].values);
        free(vs[k].path);
    }
    return rc;
}

/* The index of a sweep header's "scheme" column, or -1. */
static long merge_scheme_column(const char *header)
{
    char b[4096];
    for (size_t k = 0; csv_field(header, k, b, sizeof b); k++)
        if (!strcmp(b, "scheme"))
            return (long)k;
    return -1;
}

/* The lines of each point (sorted, identical copies gone) agree: the
 * same values, scenario and topology, and one line per scheme. */
static bool merge_consistent(const char *header, const Lines *all)
{
    size_t c = (size_t)merge_scheme_column(header);
    for (size_t i = 0; i < all->n; i++)
        for (size_t j = i + 1;
             j < all->n && point_of(all->v[j]) == point_of(all->v[i]); j++) {
            char a[4096], b[4096];
            for (size_t f = 1; f < c; f++)
                if (strcmp(csv_field(all->v[i], f, a, sizeof a) ? a : "",
                           csv_field(all->v[j], f, b, sizeof b) ? b : "")) {
                    fprintf(stderr, "dmasim merge: point %zu has lines with "
                                    "different values (%s, %s): the files "
                                    "are from different sweeps\n",
                            point_of(all->v[i]), a, b);
                    return false;
                }
            if (!strcmp(csv_field(all->v[i], c, a, sizeof a) ? a : "",
                        csv_field(all->v[j], c, b, sizeof b) ? b : "")) {
                fprintf(stderr, "dmasim merge: point %zu has two different "
                                "lines for scheme %s\n",
                        point_of(all->v[i]), a);
                return false;
            }
        }
    return true;
}

int cmd_merge(int argc, char **argv)
{
    const char *out = NULL;
    char **files = calloc((size_t)argc, sizeof *files);
    size_t n = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(merge_help, stdout);
            free(files);
            return EXIT_CLEAN;
        }
        if (!strcmp(argv[i], "-o") && i + 1 < argc)
            out = argv[++i];
        else
            files[n++] = argv[i];
    }
    if (!n || !out) {
        fprintf(stderr, "dmasim merge: name the CSVs and -o F\n\n%s",
                merge_help);
        free(files);
        return EXIT_BAD_INPUT;
    }
    char *header = NULL;
    Lines all = {0};
    int rc = EXIT_BAD_INPUT;
    char err[700];
    if (!outfile_check(out, (const char *const *)files, n, err, sizeof err)) {
        fprintf(stderr, "dmasim merge: %s\n", err);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        char *h = NULL, b[64];
        Lines l = {0};
        bool cut = false, rows = true;
        if (!read_lines(files[i], &h, &l, &cut) || !h) {
            fprintf(stderr, "dmasim merge: cannot read %s\n", files[i]);
            lines_free(&l);
            free(h);
            goto out;
        }
        for (size_t k = 0; k < l.n; k++)
            rows &= l.v[k][0] >= '0' && l.v[k][0] <= '9';
        bool head = !strcmp(csv_field(h, 0, b, sizeof b), "point") &&
                    merge_scheme_column(h) >= 0;
        if (!head || !rows || cut) {
            fprintf(stderr, "dmasim merge: %s is not a sweep's CSV (%s)\n",
                    files[i],
                    !head   ? "its header is not point,...,scheme,..."
                    : !rows ? "a line does not start with a point"
                            : "its last line is cut short");
            lines_free(&l);
            free(h);
            goto out;
        }
        if (header && strcmp(h, header)) {
            fprintf(stderr, "dmasim merge: %s is from another sweep (its "
                            "header differs from %s's)\n",
                    files[i], files[0]);
            lines_free(&l);
            free(h);
            goto out;
        }
        if (!header)
            header = h;
        else
            free(h);
        for (size_t k = 0; k < l.n; k++)
            lines_add(&all, l.v[k]);
        free(l.v);
    }
    /* A point in several files (overlapping shards, a resumed copy) is
     * kept once; two files that disagree on one are refused. */
    sort_lines(&all);
    dedupe(&all);
    if (!merge_consistent(header, &all))
        goto out;
    if (write_lines(out, header, &all))
        rc = EXIT_CLEAN;
out:
    free(header);
    lines_free(&all);
    free(files);
    return rc;
}
