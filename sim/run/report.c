#include "sim/run/report.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/core/json.h"
#include "sim/core/units.h"
#include "sim/run/csvlines.h"

char *fmt_time(SimTime ps, char *buf, size_t n)
{
    if (ps < 1000000ULL)
        snprintf(buf, n, "%.3f ns", (double)ps / 1e3);
    else if (ps < 1000000000ULL)
        snprintf(buf, n, "%.3f us", (double)ps / 1e6);
    else if (ps < 1000000000000ULL)
        snprintf(buf, n, "%.3f ms", (double)ps / 1e9);
    else
        snprintf(buf, n, "%.3f s", (double)ps / 1e12);
    return buf;
}

void report_engines(const Scenario *s, const SchemeResult *r, char *buf,
                    size_t n)
{
    buf[0] = '\0';
    size_t len = 0;
    for (size_t i = 0; i < r->n_ops; i++) {
        if (!r->ops[i].runs || r->ops[i].api_errors == r->ops[i].runs)
            continue;
        int e = r->ops[i].engine;
        const char *name = s->topo->comps[e >= 0 ? e : s->cpu].name;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = r->ops[j].runs && r->ops[j].api_errors < r->ops[j].runs &&
                   r->ops[j].engine == e;
        if (!seen && len + strlen(name) + 2 < n)
            len += (size_t)snprintf(buf + len, n - len, "%s%s",
                                    len ? "+" : "", name);
    }
    if (!len)
        snprintf(buf, n, "-");
}

/* ---- the table ---------------------------------------------------------- */

#define LABEL_W 20
/* The table's look: a column's width (wider for long engine lists) and
 * whether to colour. */
typedef struct Look {
    int col_w;
    bool color;
} Look;

enum { PLAIN, GOOD, BAD };

static void cell(FILE *out, const char *text, int tone, const Look *lk,
                 bool last)
{
    int col_w = lk->col_w;
    bool color = lk->color;
    int pad = col_w - (int)strlen(text);
    if (color && tone != PLAIN)
        fprintf(out, "%s%s\033[0m", tone == GOOD ? "\033[32m" : "\033[1;31m",
                text);
    else
        fputs(text, out);
    if (!last)
        fprintf(out, "%*s", pad > 1 ? pad : 1, "");
}

/* A cell's text and tone for scheme i; arg is the row's own (a bus). */
typedef void CellFn(const RunReport *rr, size_t i, size_t arg, char *buf,
                    size_t n, int *tone);

static void row(FILE *out, const RunReport *rr, const char *label, CellFn *fn,
                size_t arg, const Look *lk)
{
    fprintf(out, "%-*s", LABEL_W, label);
    for (size_t i = 0; i < rr->n; i++) {
        char b[64];
        int tone = PLAIN;
        fn(rr, i, arg, b, sizeof b, &tone);
        cell(out, b, tone, lk, i + 1 == rr->n);
    }
    fputc('\n', out);
}

#define U64_CELL(fname, field, bad_if_nonzero)                                \
    static void fname(const RunReport *rr, size_t i, size_t arg, char *b,    \
                      size_t n, int *tone)                                    \
    {                                                                         \
        (void)arg;                                                            \
        uint64_t v = rr->r[i].field;                                          \
        snprintf(b, n, "%llu", (unsigned long long)v);                       \
        *tone = (bad_if_nonzero) && v ? BAD : PLAIN;                          \
    }

U64_CELL(c_ok, bytes_ok, false)
U64_CELL(c_wrong, bytes_wrong, true)
U64_CELL(c_mis, bytes_misdirected, true)
U64_CELL(c_bus, bus_errors, true)
U64_CELL(c_api, api_errors, true)
U64_CELL(c_lost, posted_lost, true)
U64_CELL(c_bounce, bounce_bytes, false)
U64_CELL(c_stale, cache_stale, true)

static void c_correct(const RunReport *rr, size_t i, size_t arg, char *b,
                   size_t n, int *tone)
{
    (void)arg;
    (void)arg;
    snprintf(b, n, "%s", rr->r[i].correct ? "yes" : "NO");
    *tone = rr->r[i].correct ? GOOD : BAD;
}

static void c_silent(const RunReport *rr, size_t i, size_t arg, char *b,
                   size_t n, int *tone)
{
    (void)arg;
    (void)arg;
    snprintf(b, n, "%s", rr->r[i].silent ? "YES" : "no");
    *tone = rr->r[i].silent ? BAD : PLAIN;
}

bool report_any(const SchemeResult *r, size_t n, size_t field)
{
    for (size_t i = 0; i < n; i++)
        if (*(const uint64_t *)((const char *)&r[i] + field))
            return true;
    return false;
}

bool report_all_refused(const SchemeResult *r)
{
    return r->latency.n && r->api_errors == r->latency.n;
}

static void c_time(const RunReport *rr, size_t i, size_t arg, char *b,
                   size_t n, int *tone)
{
    (void)arg;
    (void)tone;
    if (report_all_refused(&rr->r[i]))
        snprintf(b, n, "- (refused)");
    else
        fmt_time(rr->r[i].sim_time, b, n);
}

static void c_tput(const RunReport *rr, size_t i, size_t arg, char *b,
                   size_t n, int *tone)
{
    (void)arg;
    (void)tone;
    if (report_all_refused(&rr->r[i]))
        snprintf(b, n, "-");
    else
        snprintf(b, n, rr->r[i].correct ? "%.1f MB/s" : "(%.1f MB/s)",
                 rr->r[i].throughput_MBps);
}

/* The masters' view: what the DMA transfers moved while they ran. */
static void c_dma_tput(const RunReport *rr, size_t i, size_t arg, char *b,
                       size_t n, int *tone)
{
    (void)arg;
    (void)tone;
    const SchemeResult *r = &rr->r[i];
    if (!r->dma_busy)
        snprintf(b, n, "-");
    else
        snprintf(b, n, r->correct ? "%.1f MB/s" : "(%.1f MB/s)",
                 r->dma_throughput_MBps);
}

static void c_engine(const RunReport *rr, size_t i, size_t arg, char *b,
                   size_t n, int *tone)
{
    (void)arg;
    (void)arg;
    (void)tone;
    report_engines(rr->s, &rr->r[i], b, n);
}

static void c_expect(const RunReport *rr, size_t i, size_t arg, char *b,
                   size_t n, int *tone)
{
    (void)arg;
    (void)arg;
    if (!scenario_expect(rr->s, rr->r[i].scheme)) {
        snprintf(b, n, "-");
        return;
    }
    bool pass = !rr->expect_why[i][0];
    snprintf(b, n, "%s", pass ? "pass" : "FAIL");
    *tone = pass ? GOOD : BAD;
}

/* "N" or "N (M word)" */
static void count_aside(char *b, size_t n, uint64_t count, uint64_t aside,
                        const char *word)
{
    if (aside)
        snprintf(b, n, "%llu (%llu %s)", (unsigned long long)count,
                 (unsigned long long)aside, word);
    else
        snprintf(b, n, "%llu", (unsigned long long)count);
}

static void c_windows(const RunReport *rr, size_t i, size_t arg, char *b,
                      size_t n, int *tone)
{
    (void)arg;
    (void)tone;
    count_aside(b, n, rr->r[i].windows_programmed, rr->r[i].window_evictions,
                "evicted");
}

static void c_iommu(const RunReport *rr, size_t i, size_t arg, char *b,
                    size_t n, int *tone)
{
    (void)arg;
    (void)tone;
    count_aside(b, n, rr->r[i].iommu_pages_mapped, rr->r[i].iommu_evictions,
                "remapped");
}

static void c_waits(const RunReport *rr, size_t i, size_t arg, char *b,
                    size_t n, int *tone)
{
    (void)arg;
    (void)tone;
    snprintf(b, n, "%llu", (unsigned long long)rr->r[i].window_waits);
}

static void c_map_time(const RunReport *rr, size_t i, size_t arg, char *b,
                       size_t n, int *tone)
{
    (void)arg;
    (void)tone;
    const SchemeResult *r = &rr->r[i];
    char t[32];
    if (!r->register_writes)
        snprintf(b, n, "-");
    else
        snprintf(b, n, "%llu writes, %s",
                 (unsigned long long)r->register_writes,
                 fmt_time(r->map_ps, t, sizeof t));
}

static void c_util(const RunReport *rr, size_t i, size_t bus, char *b,
                   size_t n, int *tone)
{
    (void)tone;
    snprintf(b, n, "%.1f%%", 100 * rr->r[i].bus_util[bus]);
}

void report_table(FILE *out, const RunReport *rr, bool color)
{
    const Scenario *s = rr->s;
    const Topology *t = s->topo;
    uint64_t ops = 0, bytes = 0;
    for (size_t i = 0; i < s->n_streams; i++)
        for (size_t j = 0; j < s->streams[i].n_ops; j++) {
            ops += s->streams[i].ops[j].repeat;
            bytes += s->streams[i].ops[j].repeat * s->streams[i].ops[j].len;
        }
    char sz[32];
    fprintf(out, "scenario %s%s%s\n", s->name, s->description ? ": " : "",
            s->description ? s->description : "");
    fprintf(out, "topology %s (%s), seed %llu, %llu operation%s, %s\n\n",
            t->name, t->file, (unsigned long long)s->seed,
            (unsigned long long)ops, ops == 1 ? "" : "s",
            units_fmt_size(bytes, sz, sizeof sz));
    Look lk = {14, color};
    for (size_t i = 0; i < rr->n; i++) {
        char e[200];
        int tone = PLAIN;
        report_engines(s, &rr->r[i], e, sizeof e);
        if ((int)strlen(e) + 2 > lk.col_w)
            lk.col_w = (int)strlen(e) + 2;
        c_map_time(rr, i, 0, e, sizeof e, &tone);
        if ((int)strlen(e) + 2 > lk.col_w)
            lk.col_w = (int)strlen(e) + 2;
    }
    fprintf(out, "%-*s", LABEL_W, "");
    for (size_t i = 0; i < rr->n; i++)
        fprintf(out, "%-*s", i + 1 < rr->n ? lk.col_w : 0, rr->r[i].scheme);
    fputc('\n', out);
    row(out, rr, "correct", c_correct, 0, &lk);
    row(out, rr, "silent", c_silent, 0, &lk);
    row(out, rr, "bytes ok", c_ok, 0, &lk);
    row(out, rr, "bytes wrong", c_wrong, 0, &lk);
    row(out, rr, "bytes misdirected", c_mis, 0, &lk);
    row(out, rr, "bus errors", c_bus, 0, &lk);
    row(out, rr, "api errors", c_api, 0, &lk);
    row(out, rr, "posted writes lost", c_lost, 0, &lk);
    row(out, rr, "bounce bytes", c_bounce, 0, &lk);
    /* a cache that holds data: a row only where some scheme read stale */
    if (report_any(rr->r, rr->n, offsetof(SchemeResult, cache_stale)))
        row(out, rr, "bytes read stale", c_stale, 0, &lk);
    row(out, rr, "simulated time", c_time, 0, &lk);
    row(out, rr, "throughput", c_tput, 0, &lk);
    row(out, rr, "DMA throughput", c_dma_tput, 0, &lk);
    row(out, rr, "engine", c_engine, 0, &lk);
    /* bridge windows set at run time: rows only where some scheme did */
    bool windows = report_any(rr->r, rr->n,
                              offsetof(SchemeResult, windows_programmed));
    bool iommu = report_any(rr->r, rr->n,
                            offsetof(SchemeResult, iommu_pages_mapped));
    if (windows)
        row(out, rr, "windows programmed", c_windows, 0, &lk);
    if (iommu)
        row(out, rr, "IOMMU pages mapped", c_iommu, 0, &lk);
    if (windows || iommu)
        row(out, rr,
            !iommu     ? "window programming"
            : !windows ? "IOMMU programming"
                       : "window+IOMMU programming",
            c_map_time, 0, &lk);
    if (report_any(rr->r, rr->n, offsetof(SchemeResult, window_waits)))
        row(out, rr, "waited for a window", c_waits, 0, &lk);
    for (size_t b = 0; b < t->n_buses; b++) {
        char label[64];
        snprintf(label, sizeof label, "%s busy", t->buses[b].name);
        row(out, rr, label, c_util, b, &lk);
    }
    row(out, rr, "expect", c_expect, 0, &lk);
    bool any_wrong = false;
    for (size_t i = 0; i < rr->n; i++)
        any_wrong |= !rr->r[i].correct;
    if (any_wrong)
        fputs("(throughput in parentheses: the data arrived wrong)\n", out);
    /* What a glance at the numbers does not say. */
    for (size_t i = 0; i < rr->n; i++) {
        const SchemeResult *r = &rr->r[i];
        bool head = false;
#define HEAD()                                                                \
    do {                                                                      \
        if (!head)                                                            \
            fprintf(out, "\n%s:\n", r->scheme);                               \
        head = true;                                                          \
    } while (0)
        if (rr->expect_why[i][0]) {
            HEAD();
            fprintf(out, "  expectation failed: %s\n", rr->expect_why[i]);
        }
        for (size_t k = 0; k < r->n_reasons; k++) {
            HEAD();
            fprintf(out, "  %s error x%llu: %s\n", r->reasons[k].kind,
                    (unsigned long long)r->reasons[k].count,
                    r->reasons[k].text);
        }
        if (r->misdirected_at[0]) {
            HEAD();
            fprintf(out, "  first misdirected write: %s\n", r->misdirected_at);
        }
        for (size_t k = 0; k < r->n_ops; k++)
            if (r->ops[k].choice[0]) {
                HEAD();
                fprintf(out, "  %s: %s\n", r->ops[k].op->path,
                        r->ops[k].choice);
            }
#undef HEAD
    }
}

/* ---- JSON and CSV ------------------------------------------------------- */

/* The quantiles the outputs give (sim/core/hist.h: the nearest rank, to
 * within 1/128). */
static const struct {
    const char *name;
    double q;
} quantiles[] = {{"p50", 0.50}, {"p90", 0.90}, {"p99", 0.99}};

static void json_latency(JsonW *w, const Hist *h)
{
    jw_obj_begin(w);
    jw_key(w, "operations");
    jw_uint(w, h->n);
    jw_key(w, "min");
    jw_uint(w, h->min);
    for (size_t i = 0; i < sizeof quantiles / sizeof *quantiles; i++) {
        jw_key(w, quantiles[i].name);
        jw_uint(w, hist_quantile(h, quantiles[i].q));
    }
    jw_key(w, "max");
    jw_uint(w, h->max);
    jw_key(w, "mean");
    jw_uint(w, h->n ? (uint64_t)(h->sum / (double)h->n + 0.5) : 0);
    jw_obj_end(w);
}

void report_json(FILE *out, const RunReport *rr)
{
    const Topology *t = rr->s->topo;
    JsonW w;
    jw_init(&w, out);
    jw_obj_begin(&w);
    jw_key(&w, "scenario");
    jw_str(&w, rr->s->name);
    jw_key(&w, "topology");
    jw_str(&w, t->name);
    jw_key(&w, "schemes");
    jw_obj_begin(&w);
    for (size_t i = 0; i < rr->n; i++) {
        const SchemeResult *r = &rr->r[i];
        jw_key(&w, r->scheme);
        jw_obj_begin(&w);
        jw_key(&w, "correct");
        jw_bool(&w, r->correct);
        jw_key(&w, "silent");
        jw_bool(&w, r->silent);
        jw_key(&w, "bytes_ok");
        jw_uint(&w, r->bytes_ok);
        jw_key(&w, "bytes_wrong");
        jw_uint(&w, r->bytes_wrong);
        jw_key(&w, "bytes_misdirected");
        jw_uint(&w, r->bytes_misdirected);
        jw_key(&w, "bus_errors");
        jw_uint(&w, r->bus_errors);
        jw_key(&w, "api_errors");
        jw_uint(&w, r->api_errors);
        jw_key(&w, "posted_writes_lost");
        jw_uint(&w, r->posted_lost);
        jw_key(&w, "bounce_bytes");
        jw_uint(&w, r->bounce_bytes);
        jw_key(&w, "bytes_moved");
        jw_uint(&w, r->bytes_moved);
        jw_key(&w, "windows_programmed");
        jw_uint(&w, r->windows_programmed);
        jw_key(&w, "window_evictions");
        jw_uint(&w, r->window_evictions);
        jw_key(&w, "window_register_writes");
        jw_uint(&w, r->register_writes);
        jw_key(&w, "window_programming_ps");
        jw_uint(&w, r->map_ps);
        jw_key(&w, "iommu_pages_mapped");
        jw_uint(&w, r->iommu_pages_mapped);
        jw_key(&w, "iommu_evictions");
        jw_uint(&w, r->iommu_evictions);
        jw_key(&w, "window_waits");
        jw_uint(&w, r->window_waits);
        jw_key(&w, "cache_stale_bytes");
        jw_uint(&w, r->cache_stale);
        jw_key(&w, "sim_time_ps");
        jw_uint(&w, r->sim_time);
        jw_key(&w, "throughput_MBps");
        jw_double(&w, r->throughput_MBps);
        jw_key(&w, "dma_bytes");
        jw_uint(&w, r->dma_bytes);
        jw_key(&w, "dma_busy_ps");
        jw_uint(&w, r->dma_busy);
        jw_key(&w, "dma_throughput_MBps");
        jw_double(&w, r->dma_throughput_MBps);
        jw_key(&w, "bursts");
        jw_uint(&w, r->bursts);
        jw_key(&w, "events");
        jw_uint(&w, r->events);
        char e[200];
        report_engines(rr->s, r, e, sizeof e);
        jw_key(&w, "engine");
        jw_str(&w, e);
        jw_key(&w, "expect");
        if (!scenario_expect(rr->s, r->scheme)) {
            jw_null(&w);
        } else {
            jw_obj_begin(&w);
            jw_key(&w, "pass");
            jw_bool(&w, !rr->expect_why[i][0]);
            jw_key(&w, "why");
            jw_str(&w, rr->expect_why[i][0] ? rr->expect_why[i] : NULL);
            jw_obj_end(&w);
        }
        jw_key(&w, "latency_ps");
        json_latency(&w, &r->latency);
        jw_key(&w, "streams");
        jw_arr_begin(&w);
        for (size_t k = 0; k < r->n_streams; k++) {
            const StreamReport *sr = &r->streams[k];
            jw_obj_begin(&w);
            jw_key(&w, "name");
            jw_str(&w, sr->name);
            jw_key(&w, "operations");
            jw_uint(&w, sr->runs);
            jw_key(&w, "bytes_moved");
            jw_uint(&w, sr->bytes_moved);
            jw_key(&w, "time_ps");
            jw_uint(&w, sr->last_end - sr->first_start);
            jw_key(&w, "throughput_MBps");
            jw_double(&w, stream_throughput_MBps(sr));
            jw_key(&w, "latency_ps");
            json_latency(&w, &sr->latency);
            jw_obj_end(&w);
        }
        jw_arr_end(&w);
        jw_key(&w, "bus_utilization");
        jw_obj_begin(&w);
        for (size_t b = 0; b < t->n_buses; b++) {
            jw_key(&w, t->buses[b].name);
            jw_double(&w, r->bus_util[b]);
        }
        jw_obj_end(&w);
        jw_obj_end(&w);
    }
    jw_obj_end(&w);
    jw_obj_end(&w);
    jw_finish(&w);
}

void report_csv_header(FILE *out, const Topology *t)
{
    fputs("scenario,topology,scheme,correct,silent,bytes_ok,bytes_wrong,"
          "bytes_misdirected,bus_errors,api_errors,posted_lost,bounce_bytes,"
          "bytes_moved,sim_time_ps,throughput_MBps,dma_throughput_MBps,events,"
          "engine,expect,operations,latency_min_ps,latency_p50_ps,"
          "latency_p90_ps,latency_p99_ps,latency_max_ps,windows_programmed,"
          "window_evictions,window_register_writes,window_programming_ps,"
          "iommu_pages_mapped,iommu_evictions,window_waits,cache_stale_bytes",
          out);
    for (size_t b = 0; b < t->n_buses; b++)
        fprintf(out, ",util_%s", t->buses[b].name);
    fputc('\n', out);
}

void report_csv_row(FILE *out, const Scenario *s, const SchemeResult *r,
                    const char *why, const Topology *cols)
{
    const char *expect = !scenario_expect(s, r->scheme) ? "-"
                         : why[0]                       ? "FAIL"
                                                        : "pass";
    const Topology *t = s->topo;
    fprintf(out, "%s,%s,%s,%d,%d,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,"
                 "%llu,%.6g,%.6g,%llu",
            s->name, t->name, r->scheme, r->correct, r->silent,
            (unsigned long long)r->bytes_ok,
            (unsigned long long)r->bytes_wrong,
            (unsigned long long)r->bytes_misdirected,
            (unsigned long long)r->bus_errors,
            (unsigned long long)r->api_errors,
            (unsigned long long)r->posted_lost,
            (unsigned long long)r->bounce_bytes,
            (unsigned long long)r->bytes_moved,
            (unsigned long long)r->sim_time, r->throughput_MBps,
            r->dma_throughput_MBps, (unsigned long long)r->events);
    char e[200];
    report_engines(s, r, e, sizeof e);
    fputc(',', out);
    csv_put(out, e);
    fprintf(out, ",%s,%llu,%llu", expect, (unsigned long long)r->latency.n,
            (unsigned long long)r->latency.min);
    for (size_t i = 0; i < sizeof quantiles / sizeof *quantiles; i++)
        fprintf(out, ",%llu",
                (unsigned long long)hist_quantile(&r->latency,
                                                  quantiles[i].q));
    fprintf(out, ",%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu",
            (unsigned long long)r->latency.max,
            (unsigned long long)r->windows_programmed,
            (unsigned long long)r->window_evictions,
            (unsigned long long)r->register_writes,
            (unsigned long long)r->map_ps,
            (unsigned long long)r->iommu_pages_mapped,
            (unsigned long long)r->iommu_evictions,
            (unsigned long long)r->window_waits,
            (unsigned long long)r->cache_stale);
    /* The columns' buses, by name: empty where this topology has none. */
    for (size_t b = 0; b < cols->n_buses; b++) {
        int mine = topo_find_bus(t, cols->buses[b].name);
        if (mine >= 0)
            fprintf(out, ",%.6g", r->bus_util[mine]);
        else
            fputc(',', out);
    }
    fputc('\n', out);
}

void report_csv(FILE *out, const RunReport *rr)
{
    report_csv_header(out, rr->s->topo);
    for (size_t i = 0; i < rr->n; i++)
        report_csv_row(out, rr->s, &rr->r[i], rr->expect_why[i],
                       rr->s->topo);
}

