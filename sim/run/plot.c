#include "sim/run/plot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/core/tempfile.h"

#include "sim/core/units.h"
#include "sim/run/csvlines.h"

const char *plot_format(const char *path)
{
    size_t n = strlen(path);
    if (n > 4 && !strcmp(path + n - 4, ".png"))
        return "png";
    if (n > 4 && !strcmp(path + n - 4, ".svg"))
        return "svg";
    return NULL;
}

/* The scripts: $DMASIM_PLOTS, else plots/ beside the program's build
 * directory (build/dmasim, build/san/dmasim), else where make install
 * put them (PREFIX/bin/dmasim, PREFIX/share/dmasim/plots), else ./plots. */
static bool script(const char *name, char *out, size_t n)
{
    const char *env = getenv("DMASIM_PLOTS");
    char exe[4096];
    ssize_t l = readlink("/proc/self/exe", exe, sizeof exe - 1);
    const char *dirs[5] = {env, NULL, NULL, NULL, "plots"};
    char d1[4200], d2[4200], d3[4200];
    if (l > 0) {
        exe[l] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(d1, sizeof d1, "%s/../plots", exe);
            snprintf(d2, sizeof d2, "%s/../../plots", exe);
            snprintf(d3, sizeof d3, "%s/../share/dmasim/plots", exe);
            dirs[1] = d1;
            dirs[2] = d2;
            dirs[3] = d3;
        }
    }
    for (int i = 0; i < 5; i++) {
        struct stat st;
        if (!dirs[i])
            continue;
        snprintf(out, n, "%s/%s", dirs[i], name);
        if (!stat(out, &st))
            return true;
    }
    return false;
}

/* Runs gnuplot on a script, its inputs passed as the script's arguments
 * (gnuplot -c: ARG1, ARG2, ... are plain strings, so no file name or
 * title is ever read as gnuplot commands); false with a message. */
static bool run_gnuplot(const char *script_path, const char *const *args,
                        size_t n_args, const char *out, char *err,
                        size_t errlen)
{
    const char *argv[16] = {"gnuplot", "-c", script_path};
    size_t k = 3;
    for (size_t i = 0; i < n_args && k + 1 < 16; i++)
        argv[k++] = args[i];
    argv[k] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0)
            dup2(devnull, STDOUT_FILENO);
        execvp("gnuplot", (char *const *)argv);
        _exit(127);
    }
    int st = 0;
    bool ok = pid > 0 && waitpid(pid, &st, 0) == pid;
    if (!ok || !WIFEXITED(st) || WEXITSTATUS(st) == 127) {
        snprintf(err, errlen, "gnuplot is not installed: install the Debian "
                              "package gnuplot-nox (make deps does)");
        return false;
    }
    if (WEXITSTATUS(st)) {
        snprintf(err, errlen, "gnuplot failed (exit %d) drawing %s",
                 WEXITSTATUS(st), out);
        return false;
    }
    return true;
}

/* A data file for gnuplot under $TMPDIR (default /tmp); its name into
 * name (at least 4096 bytes). */
static FILE *data_file(char *name, char *err, size_t errlen)
{
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    if ((size_t)snprintf(name, 4096, "%s/dmasim-plot-XXXXXX", tmp) >= 4096) {
        snprintf(err, errlen, "cannot write a plot data file: TMPDIR is too "
                              "long");
        return NULL;
    }
    int fd = mkstemp(name);
    if (fd >= 0)
        tempfile_hold(name);
    FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
    if (!f) {
        snprintf(err, errlen, "cannot write a plot data file in %s: %s", tmp,
                 strerror(errno));
        if (fd >= 0) {
            close(fd);
            remove(name);
            tempfile_release(name);
        }
    }
    return f;
}

/* Closes a data file, checking that every byte reached it. */
static bool data_done(FILE *f, const char *name, char *err, size_t errlen)
{
    errno = 0;
    bool ok = !ferror(f);
    int e = errno;
    if (fclose(f) && ok) {
        ok = false;
        e = errno;
    }
    if (!ok) {
        snprintf(err, errlen, "cannot write a plot data file %s: %s", name,
                 strerror(e ? e : EIO));
        remove(name);
        tempfile_release(name);
    }
    return ok;
}

/* The schemes' names, space-separated (malloc'd). */
static char *join_names(const char *const *names, size_t n)
{
    size_t len = 1;
    for (size_t k = 0; k < n; k++)
        len += strlen(names[k]) + 1;
    char *out = calloc(len, 1);
    if (!out)
        abort();
    for (size_t k = 0; k < n; k++) {
        if (k)
            strcat(out, " ");
        strcat(out, names[k]);
    }
    return out;
}

/* Draws path with plots/SCRIPT from a data file (removed after): the
 * script's arguments are the data file, the schemes' names, the output,
 * its format, the title, then `extra`. */
static bool draw(const char *script_name, const char *data,
                 const char *const *schemes, size_t n_schemes,
                 const char *path, const char *title,
                 const char *const *extra, size_t n_extra, char *err,
                 size_t errlen)
{
    char gp[4096];
    bool ok = script(script_name, gp, sizeof gp);
    if (!ok) {
        snprintf(err, errlen, "cannot find plots/%s (set DMASIM_PLOTS to "
                              "its directory)",
                 script_name);
    } else {
        char *names = join_names(schemes, n_schemes);
        const char *args[8] = {data, names, path, plot_format(path), title};
        size_t n = 5;
        for (size_t i = 0; i < n_extra && n < 8; i++)
            args[n++] = extra[i];
        ok = run_gnuplot(gp, args, n, path, err, errlen);
        free(names);
    }
    remove(data);
    tempfile_release(data);
    return ok;
}

bool plot_utilization(const char *path, const char *title,
                      const char *const *schemes, size_t n_schemes,
                      const char *const *buses, size_t n_buses,
                      const double *util, char *err, size_t errlen)
{
    char data[4096];
    FILE *f = data_file(data, err, errlen);
    if (!f)
        return false;
    /* a row per bus: its name, then each scheme's percentage */
    for (size_t b = 0; b < n_buses; b++) {
        fprintf(f, "\"%s\"", buses[b]);
        for (size_t k = 0; k < n_schemes; k++)
            fprintf(f, " %.3f", 100 * util[k * n_buses + b]);
        fputc('\n', f);
    }
    return data_done(f, data, err, errlen) &&
           draw("utilization.gp", data, schemes, n_schemes, path, title,
                NULL, 0, err, errlen);
}

/* A scheme's curve: each bucket's largest latency (us) and the fraction
 * of operations at most that.  Operations that took no time (refused
 * before any bus cycle) cannot sit on a log axis: the curve starts at the
 * axis's left end at their fraction. */
typedef struct Curve {
    FILE *f;
    double n;
    uint64_t shortest; /* the least non-zero latency seen */
} Curve;

static void curve_point(void *ctx, uint64_t v, uint64_t cumulative)
{
    Curve *c = ctx;
    if (v && c->f)
        fprintf(c->f, "%.6f %.6f\n", (double)v / 1e6,
                (double)cumulative / c->n);
    if (v && (!c->shortest || v < c->shortest))
        c->shortest = v;
}

bool plot_latency(const char *path, const char *title,
                  const char *const *schemes, size_t n_schemes,
                  const Hist *const *lat, char *err, size_t errlen)
{
    char data[4096];
    FILE *f = data_file(data, err, errlen);
    if (!f)
        return false;
    /* the axis starts at the shortest operation that took time under any
     * scheme (1 ns if none did) */
    Curve probe = {NULL, 1, 0};
    for (size_t k = 0; k < n_schemes; k++)
        hist_each(lat[k], curve_point, &probe);
    double left = (double)(probe.shortest ? probe.shortest : 1000) / 1e6;
    /* and ends at the longest (ten times the left end if that is all):
     * every curve runs from one end to the other, so the range is never
     * empty */
    uint64_t longest = 0;
    for (size_t k = 0; k < n_schemes; k++)
        if (lat[k]->max > longest)
            longest = lat[k]->max;
    double right = (double)longest / 1e6;
    if (right <= left)
        right = 10 * left;
    for (size_t k = 0; k < n_schemes; k++) {
        const Hist *h = lat[k];
        uint64_t zeros = h->g[0] ? h->g[0]->count[0] : 0;
        Curve c = {f, h->n ? (double)h->n : 1, 0};
        fprintf(f, "%.6f %.6f\n", left, (double)zeros / c.n);
        hist_each(h, curve_point, &c);
        fprintf(f, "%.6f %.6f\n\n\n", right, h->n ? 1.0 : 0.0);
    }
    return data_done(f, data, err, errlen) &&
           draw("latency.gp", data, schemes, n_schemes, path, title, NULL, 0,
                err, errlen);
}

static long column(const char *header, const char *name)
{
    char b[256];
    for (size_t k = 0; csv_field(header, k, b, sizeof b); k++)
        if (!strcmp(b, name))
            return (long)k;
    return -1;
}

static bool number(const char *s, double *v)
{
    uint64_t u;
    char err[256];
    if (units_parse_u64(s, &u, err, sizeof err) ||
        units_parse_freq(s, &u, err, sizeof err)) {
        *v = (double)u;
        return true;
    }
    return false;
}

/* Lines a and b hold the same values in fields from .. to - 1. */
static bool same_fields(const char *a, const char *b, size_t from, size_t to)
{
    char x[4096], y[4096];
    for (size_t k = from; k < to; k++)
        if (strcmp(csv_field(a, k, x, sizeof x) ? x : "",
                   csv_field(b, k, y, sizeof y) ? y : ""))
            return false;
    return true;
}

/* A string made like printf (malloc'd). */
static char *format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = malloc((size_t)n + 1);
    if (!s)
        abort();
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

bool plot_sweep(const char *path, const char *xname, const char *header,
                const char *const *lines, size_t n, char *err, size_t errlen)
{
    long c_scheme = column(header, "scheme"),
         c_tput = column(header, "throughput_MBps"),
         c_first = column(header, "scenario");
    if (!plot_format(path) || c_scheme < 0 || c_tput < 0 || c_first < 2) {
        snprintf(err, errlen, "cannot plot %s from this CSV", path);
        return false;
    }
    /* Schemes in order of appearance; x values; all numeric? */
    char schemes[8][256], b[256];
    const char *names[8];
    size_t ns = 0;
    bool numeric = true, units = false;
    double lo = 0, hi = 0;
    for (size_t i = 0; i < n; i++) {
        csv_field(lines[i], (size_t)c_scheme, b, sizeof b);
        bool seen = false;
        for (size_t k = 0; k < ns; k++)
            seen |= !strcmp(schemes[k], b);
        if (!seen && ns < 8) {
            snprintf(schemes[ns], sizeof schemes[0], "%s", b);
            names[ns] = schemes[ns];
            ns++;
        }
        double v;
        csv_field(lines[i], 1, b, sizeof b);
        /* a size or a frequency carries its unit (4KiB, 33MHz); a count
         * is a bare number (hex digits aside) */
        bool hex = b[0] == '0' && (b[1] == 'x' || b[1] == 'X');
        for (const char *q = b + (hex ? 2 : 0); *q; q++)
            units |= (*q >= 'G' && *q <= 'Z') || (*q >= 'g' && *q <= 'z') ||
                     (!hex && ((*q >= 'A' && *q <= 'F') ||
                               (*q >= 'a' && *q <= 'f')));
        if (!number(b, &v) || v <= 0)
            numeric = false;
        else {
            lo = i && lo < v ? lo : v;
            hi = hi > v ? hi : v;
        }
    }
    /* The data: a block per scheme, at point 0's other varied values
     * (columns 2 .. c_first - 1). */
    char data[4096];
    FILE *f = data_file(data, err, errlen);
    if (!f)
        return false;
    for (size_t k = 0; k < ns; k++) {
        size_t idx = 0;
        for (size_t i = 0; i < n; i++) {
            if (!same_fields(lines[i], lines[0], 2, (size_t)c_first))
                continue;
            csv_field(lines[i], (size_t)c_scheme, b, sizeof b);
            if (strcmp(b, schemes[k]))
                continue;
            char xs[256], ys[64];
            csv_field(lines[i], 1, xs, sizeof xs);
            csv_field(lines[i], (size_t)c_tput, ys, sizeof ys);
            double x;
            if (numeric && number(xs, &x))
                fprintf(f, "%.17g %s\n", x, ys);
            else { /* a label: no quote or line break may end it */
                for (char *c = xs; *c; c++)
                    if (*c == '"' || *c == '\n' || *c == '\r')
                        *c = *c == '"' ? '\'' : ' ';
                fprintf(f, "%zu %s \"%s\"\n", idx, ys, xs);
            }
            idx++;
        }
        fprintf(f, "\n\n");
    }
    if (!data_done(f, data, err, errlen))
        return false;
    char *xlabel = format("%s%s", xname,
                          numeric && units ? " (bytes or Hz)" : "");
    char *title = format("throughput against %s", xname);
    const char *extra[2] = {xlabel, numeric && hi >= 16 * lo ? "1" : "0"};
    bool ok = draw("bandwidth.gp", data, names, ns, path, title, extra, 2,
                   err, errlen);
    free(xlabel);
    free(title);
    return ok;
}
