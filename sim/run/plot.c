#include "sim/run/plot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/core/units.h"

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
 * directory (build/dmasim, build/san/dmasim), else ./plots. */
static bool script(const char *name, char *out, size_t n)
{
    const char *env = getenv("DMASIM_PLOTS");
    char exe[4096];
    ssize_t l = readlink("/proc/self/exe", exe, sizeof exe - 1);
    const char *dirs[4] = {env, NULL, NULL, "plots"};
    char d1[4200], d2[4200];
    if (l > 0) {
        exe[l] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(d1, sizeof d1, "%s/../plots", exe);
            snprintf(d2, sizeof d2, "%s/../../plots", exe);
            dirs[1] = d1;
            dirs[2] = d2;
        }
    }
    for (int i = 0; i < 4; i++) {
        struct stat st;
        if (!dirs[i])
            continue;
        snprintf(out, n, "%s/%s", dirs[i], name);
        if (!stat(out, &st))
            return true;
    }
    return false;
}

/* Runs gnuplot on a script with -e definitions; false with a message. */
static bool run_gnuplot(const char *script_path, const char *defs,
                        const char *out, char *err, size_t errlen)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0)
            dup2(devnull, STDOUT_FILENO);
        execlp("gnuplot", "gnuplot", "-e", defs, script_path, (char *)NULL);
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

static FILE *data_file(char *name, char *err, size_t errlen)
{
    strcpy(name, "/tmp/dmasim-plot-XXXXXX");
    int fd = mkstemp(name);
    if (fd < 0) {
        snprintf(err, errlen, "cannot write a plot data file: %s",
                 strerror(errno));
        return NULL;
    }
    return fdopen(fd, "w");
}

/* Draws path with plots/SCRIPT from a data file (removed after) and the
 * schemes' names. */
static bool draw(const char *script_name, const char *data,
                 const char *names, const char *path, const char *title,
                 char *err, size_t errlen)
{
    char gp[4096], defs[2048];
    bool ok = script(script_name, gp, sizeof gp);
    if (!ok)
        snprintf(err, errlen, "cannot find plots/%s (set DMASIM_PLOTS to "
                              "its directory)",
                 script_name);
    snprintf(defs, sizeof defs,
             "data='%s'; names='%s'; out='%s'; fmt='%s'; title='%s'", data,
             names, path, plot_format(path), title);
    ok = ok && run_gnuplot(gp, defs, path, err, errlen);
    remove(data);
    return ok;
}

static void join_names(const char *const *schemes, size_t n, char *out,
                       size_t len)
{
    out[0] = '\0';
    for (size_t k = 0; k < n; k++) {
        if (k)
            strncat(out, " ", len - strlen(out) - 1);
        strncat(out, schemes[k], len - strlen(out) - 1);
    }
}

bool plot_utilization(const char *path, const char *title,
                      const char *const *schemes, size_t n_schemes,
                      const char *const *buses, size_t n_buses,
                      const double *util, char *err, size_t errlen)
{
    char data[64], names[400];
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
    fclose(f);
    join_names(schemes, n_schemes, names, sizeof names);
    return draw("utilization.gp", data, names, path, title, err, errlen);
}

static int cmp_time(const void *a, const void *b)
{
    SimTime x = *(const SimTime *)a, y = *(const SimTime *)b;
    return x < y ? -1 : x > y;
}

bool plot_latency(const char *path, const char *title,
                  const char *const *schemes, size_t n_schemes,
                  const SimTime *const *lat, const size_t *n_lat, char *err,
                  size_t errlen)
{
    char data[64], names[400];
    FILE *f = data_file(data, err, errlen);
    if (!f)
        return false;
    /* a block per scheme: sorted latencies (us) and cumulative fraction */
    for (size_t k = 0; k < n_schemes; k++) {
        SimTime *v = malloc((n_lat[k] ? n_lat[k] : 1) * sizeof *v);
        if (!v)
            abort();
        memcpy(v, lat[k], n_lat[k] * sizeof *v);
        qsort(v, n_lat[k], sizeof *v, cmp_time);
        for (size_t i = 0; i < n_lat[k]; i++)
            fprintf(f, "%.6f %.6f\n", (double)(v[i] ? v[i] : 1) / 1e6,
                    (double)(i + 1) / (double)n_lat[k]);
        if (!n_lat[k])
            fprintf(f, "1 0\n");
        fprintf(f, "\n\n");
        free(v);
    }
    fclose(f);
    join_names(schemes, n_schemes, names, sizeof names);
    return draw("latency.gp", data, names, path, title, err, errlen);
}

/* The n-th comma-separated field of a line, into buf. */
static const char *field(const char *line, size_t k, char *buf, size_t n)
{
    const char *p = line;
    for (size_t i = 0; i < k && p; i++) {
        p = strchr(p, ',');
        if (p)
            p++;
    }
    if (!p)
        return NULL;
    size_t len = strcspn(p, ",");
    if (len >= n)
        len = n - 1;
    memcpy(buf, p, len);
    buf[len] = '\0';
    return buf;
}

static long column(const char *header, const char *name)
{
    char b[256];
    for (size_t k = 0; field(header, k, b, sizeof b); k++)
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

bool plot_sweep(const char *path, const char *xname, const char *header,
                const char *const *lines, size_t n, char *err, size_t errlen)
{
    const char *fmt = plot_format(path);
    char gp[4096];
    long c_scheme = column(header, "scheme"),
         c_tput = column(header, "throughput_MBps"),
         c_first = column(header, "scenario");
    if (!fmt || c_scheme < 0 || c_tput < 0 || c_first < 2) {
        snprintf(err, errlen, "cannot plot %s from this CSV", path);
        return false;
    }
    if (!script("bandwidth.gp", gp, sizeof gp)) {
        snprintf(err, errlen, "cannot find plots/bandwidth.gp (set "
                              "DMASIM_PLOTS to its directory)");
        return false;
    }
    /* Schemes in order of appearance; x values; all numeric? */
    char schemes[8][256], b[256], other0[1024] = "", other[1024];
    size_t ns = 0;
    bool numeric = true;
    double lo = 0, hi = 0;
    for (size_t i = 0; i < n; i++) {
        field(lines[i], (size_t)c_scheme, b, sizeof b);
        bool seen = false;
        for (size_t k = 0; k < ns; k++)
            seen |= !strcmp(schemes[k], b);
        if (!seen && ns < 8)
            snprintf(schemes[ns++], sizeof schemes[0], "%s", b);
        double v;
        field(lines[i], 1, b, sizeof b);
        if (!number(b, &v) || v <= 0)
            numeric = false;
        else {
            lo = i && lo < v ? lo : v;
            hi = hi > v ? hi : v;
        }
    }
    /* The data: a block per scheme. */
    char data[64];
    FILE *f = data_file(data, err, errlen);
    if (!f)
        return false;
    for (size_t k = 0; k < ns; k++) {
        size_t idx = 0;
        for (size_t i = 0; i < n; i++) {
            /* other varied values (columns 2 .. c_first-1) as point 0's */
            other[0] = '\0';
            for (long c = 2; c < c_first; c++) {
                field(lines[i], (size_t)c, b, sizeof b);
                strncat(other, b, sizeof other - strlen(other) - 2);
                strcat(other, ",");
            }
            if (i == 0)
                snprintf(other0, sizeof other0, "%s", other);
            if (strcmp(other, other0))
                continue;
            field(lines[i], (size_t)c_scheme, b, sizeof b);
            if (strcmp(b, schemes[k]))
                continue;
            char xs[256], ys[64];
            field(lines[i], 1, xs, sizeof xs);
            field(lines[i], (size_t)c_tput, ys, sizeof ys);
            double x;
            if (numeric && number(xs, &x))
                fprintf(f, "%.17g %s\n", x, ys);
            else
                fprintf(f, "%zu %s \"%s\"\n", idx, ys, xs);
            idx++;
        }
        fprintf(f, "\n\n");
    }
    fclose(f);
    char names[300] = "", defs[2048];
    for (size_t k = 0; k < ns; k++) {
        strcat(names, k ? " " : "");
        strcat(names, schemes[k]);
    }
    snprintf(defs, sizeof defs,
             "data='%s'; names='%s'; out='%s'; fmt='%s'; xlabel='%s%s'; "
             "logx=%d; title='throughput against %s'",
             data, names, path, fmt, xname, numeric ? " (bytes or Hz)" : "",
             numeric && hi >= 16 * lo, xname);
    bool ok = run_gnuplot(gp, defs, path, err, errlen);
    remove(data);
    return ok;
}
