#include "sim/run/html.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "sim/run/report.h"

static void esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

/* An SVG file's <svg> element, inlined. */
static bool inline_svg(FILE *out, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    char *buf = NULL;
    size_t cap = 0, n = 0, got;
    char chunk[65536];
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (n + got + 1 > cap) {
            cap = 2 * (n + got + 1);
            buf = realloc(buf, cap);
            if (!buf)
                abort();
        }
        memcpy(buf + n, chunk, got);
        n += got;
    }
    fclose(f);
    if (!buf)
        return false;
    buf[n] = '\0';
    char *start = strstr(buf, "<svg");
    if (start)
        fputs(start, out);
    free(buf);
    return start != NULL;
}

static void row_u64(FILE *f, const char *label, const HtmlSection *sec,
                    size_t off, bool bad_if_nonzero)
{
    fprintf(f, "<tr><th>%s</th>", label);
    for (size_t i = 0; i < sec->n; i++) {
        uint64_t v = *(const uint64_t *)((const char *)&sec->r[i] + off);
        fprintf(f, "<td class=\"num%s\">%llu</td>",
                bad_if_nonzero && v ? " bad" : "", (unsigned long long)v);
    }
    fputs("</tr>\n", f);
}

static void table(FILE *f, const HtmlSection *sec)
{
    const Scenario *s = sec->s;
    const Topology *t = s->topo;
    fputs("<table>\n<tr><th></th>", f);
    for (size_t i = 0; i < sec->n; i++) {
        fputs("<th class=\"scheme\">", f);
        esc(f, sec->r[i].scheme);
        fputs("</th>", f);
    }
    fputs("</tr>\n<tr><th>correct</th>", f);
    for (size_t i = 0; i < sec->n; i++)
        fprintf(f, "<td class=\"%s\">%s</td>",
                sec->r[i].correct ? "good" : "bad",
                sec->r[i].correct ? "yes" : "no");
    fputs("</tr>\n<tr><th>silent</th>", f);
    for (size_t i = 0; i < sec->n; i++)
        fprintf(f, "<td class=\"%s\">%s</td>",
                sec->r[i].silent ? "bad silent" : "plain",
                sec->r[i].silent ? "YES" : "no");
    fputs("</tr>\n", f);
    row_u64(f, "bytes ok", sec, offsetof(SchemeResult, bytes_ok), false);
    row_u64(f, "bytes wrong", sec, offsetof(SchemeResult, bytes_wrong), true);
    row_u64(f, "bytes misdirected", sec,
            offsetof(SchemeResult, bytes_misdirected), true);
    row_u64(f, "bus errors", sec, offsetof(SchemeResult, bus_errors), true);
    row_u64(f, "API errors", sec, offsetof(SchemeResult, api_errors), true);
    row_u64(f, "posted writes lost", sec, offsetof(SchemeResult, posted_lost),
            true);
    row_u64(f, "bounce bytes", sec, offsetof(SchemeResult, bounce_bytes),
            false);
    if (report_any(sec->r, sec->n, offsetof(SchemeResult, cache_stale)))
        row_u64(f, "bytes read stale", sec,
                offsetof(SchemeResult, cache_stale), true);
    fputs("<tr><th>simulated time</th>", f);
    for (size_t i = 0; i < sec->n; i++) {
        char b[40];
        fprintf(f, "<td class=\"num\">%s</td>",
                report_all_refused(&sec->r[i])
                    ? "- (refused)"
                    : fmt_time(sec->r[i].sim_time, b, sizeof b));
    }
    fputs("</tr>\n<tr><th>throughput</th>", f);
    for (size_t i = 0; i < sec->n; i++)
        if (report_all_refused(&sec->r[i]))
            fputs("<td class=\"num\">-</td>", f);
        else
            fprintf(f, "<td class=\"num%s\">%.1f MB/s</td>",
                    sec->r[i].correct ? "" : " dim",
                    sec->r[i].throughput_MBps);
    fputs("</tr>\n<tr><th>DMA throughput</th>", f);
    for (size_t i = 0; i < sec->n; i++) {
        if (!sec->r[i].dma_busy)
            fputs("<td class=\"num\">-</td>", f);
        else
            fprintf(f, "<td class=\"num%s\">%.1f MB/s</td>",
                    sec->r[i].correct ? "" : " dim",
                    sec->r[i].dma_throughput_MBps);
    }
    fputs("</tr>\n<tr><th>engine</th>", f);
    for (size_t i = 0; i < sec->n; i++) {
        char e[200];
        report_engines(s, &sec->r[i], e, sizeof e);
        fputs("<td>", f);
        esc(f, e);
        fputs("</td>", f);
    }
    fputs("</tr>\n", f);
    bool windows = report_any(sec->r, sec->n,
                              offsetof(SchemeResult, windows_programmed));
    bool iommu = report_any(sec->r, sec->n,
                            offsetof(SchemeResult, iommu_pages_mapped));
    if (windows) {
        row_u64(f, "windows programmed", sec,
                offsetof(SchemeResult, windows_programmed), false);
        row_u64(f, "window evictions", sec,
                offsetof(SchemeResult, window_evictions), false);
    }
    if (iommu) {
        row_u64(f, "IOMMU pages mapped", sec,
                offsetof(SchemeResult, iommu_pages_mapped), false);
        row_u64(f, "IOMMU pages remapped", sec,
                offsetof(SchemeResult, iommu_evictions), false);
    }
    if (report_any(sec->r, sec->n, offsetof(SchemeResult, window_waits)))
        row_u64(f, "waited for a window", sec,
                offsetof(SchemeResult, window_waits), false);
    if (windows || iommu) {
        row_u64(f, "register writes", sec,
                offsetof(SchemeResult, register_writes), false);
        fputs("<tr><th>programming time</th>", f);
        for (size_t i = 0; i < sec->n; i++) {
            char b[40];
            fprintf(f, "<td class=\"num\">%s</td>",
                    fmt_time(sec->r[i].map_ps, b, sizeof b));
        }
        fputs("</tr>\n", f);
    }
    for (size_t b = 0; b < t->n_buses; b++) {
        fputs("<tr><th>", f);
        esc(f, t->buses[b].name);
        fputs(" busy</th>", f);
        for (size_t i = 0; i < sec->n; i++)
            fprintf(f, "<td class=\"num\">%.1f%%</td>",
                    100 * sec->r[i].bus_util[b]);
        fputs("</tr>\n", f);
    }
    fputs("<tr><th>expect</th>", f);
    for (size_t i = 0; i < sec->n; i++) {
        if (!scenario_expect(s, sec->r[i].scheme))
            fputs("<td>-</td>", f);
        else if (!sec->why[i][0])
            fputs("<td class=\"good\">pass</td>", f);
        else {
            fputs("<td class=\"bad\" title=\"", f);
            esc(f, sec->why[i]);
            fputs("\">FAIL</td>", f);
        }
    }
    fputs("</tr>\n</table>\n", f);
}

static void notes(FILE *f, const HtmlSection *sec)
{
    for (size_t i = 0; i < sec->n; i++) {
        const SchemeResult *r = &sec->r[i];
        bool any = sec->why[i][0] || r->n_reasons || r->misdirected_at[0];
        for (size_t k = 0; k < r->n_ops; k++)
            any |= r->ops[k].choice[0] != '\0';
        if (!any)
            continue;
        fputs("<h4>", f);
        esc(f, r->scheme);
        fputs("</h4>\n<ul>\n", f);
        if (sec->why[i][0]) {
            fputs("<li class=\"bad\">expectation failed: ", f);
            esc(f, sec->why[i]);
            fputs("</li>\n", f);
        }
        for (size_t k = 0; k < r->n_reasons; k++) {
            fprintf(f, "<li class=\"bad\">%s error &times;%llu: ",
                    r->reasons[k].kind,
                    (unsigned long long)r->reasons[k].count);
            esc(f, r->reasons[k].text);
            fputs("</li>\n", f);
        }
        if (r->misdirected_at[0]) {
            fputs("<li class=\"bad\">first misdirected write: ", f);
            esc(f, r->misdirected_at);
            fputs("</li>\n", f);
        }
        for (size_t k = 0; k < r->n_ops; k++)
            if (r->ops[k].choice[0]) {
                fputs("<li class=\"choice\"><code>", f);
                esc(f, r->ops[k].op->path);
                fputs("</code>: ", f);
                esc(f, r->ops[k].choice);
                fputs("</li>\n", f);
            }
        fputs("</ul>\n", f);
    }
}

/* A section's plots, inlined. */
static void figures(FILE *f, const HtmlSection *sec)
{
    fputs("<div class=\"plots\"><figure>", f);
    if (sec->utilization_svg)
        inline_svg(f, sec->utilization_svg);
    fputs("<figcaption>Each bus's busy time over the run, per "
          "scheme.</figcaption></figure>\n<figure>",
          f);
    if (sec->latency_svg)
        inline_svg(f, sec->latency_svg);
    fputs("<figcaption>How long each operation took, start to end (API "
          "calls, cache maintenance, copies and transfers).</figcaption>"
          "</figure></div>\n",
          f);
}

static const char css[] =
    "body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:"
    "1100px;color:#222;padding:0 1em}"
    "h1{font-size:1.6em}h2{border-bottom:2px solid #ccc;padding-bottom:.2em;"
    "margin-top:2em}h4{margin:.8em 0 .2em}"
    "table{border-collapse:collapse;margin:.8em 0}"
    "th,td{border:1px solid #ccc;padding:.25em .7em}"
    "th{text-align:left;background:#f4f4f4;font-weight:600}"
    "th.scheme{text-align:center}td{text-align:center}td.num{text-align:"
    "right;font-variant-numeric:tabular-nums}"
    ".good{background:#dff3df;color:#185c18}.bad{background:#fbe0e0;color:"
    "#8a1111}.silent{font-weight:700}.dim{color:#999}"
    "li.bad{background:none}li.choice{color:#333}"
    ".plots{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0;flex:1 1 "
    "460px;min-width:300px}"
    "figure svg{width:100%;height:auto;border:1px solid #eee}"
    "figcaption{font-size:.9em;color:#555}"
    ".summary td,.summary th{padding:.2em .6em}code{font-size:.95em}";

void html_page(FILE *f, const HtmlSection *secs, size_t n)
{
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset="
               "\"utf-8\"><title>dmasim report</title><style>%s</style>"
               "</head><body>\n<h1>dmasim report</h1>\n<p>Each scenario's "
               "workload run under each DMA addressing scheme on the timed "
               "hardware, every byte judged by the oracle: <em>correct</em> "
               "means every destination byte right, nothing written "
               "elsewhere, no error; <em>silent</em> means wrong with no "
               "error reported.  Throughput is in MB/s of 10<sup>6</sup> "
               "bytes, greyed where the data arrived wrong.</p>\n",
            css);
    fputs("<table class=\"summary\"><tr><th>scenario</th><th>topology</th>",
          f);
    fputs("<th>correct</th><th>expectations</th></tr>\n", f);
    for (size_t k = 0; k < n; k++) {
        const HtmlSection *sec = &secs[k];
        fprintf(f, "<tr><td><a href=\"#%s\">%s</a></td><td>%s</td><td>",
                sec->s->name, sec->s->name, sec->s->topo->name);
        for (size_t i = 0; i < sec->n; i++) {
            fprintf(f, "<span class=\"%s\">", sec->r[i].correct ? "good"
                                             : sec->r[i].silent ? "bad silent"
                                                                : "bad");
            esc(f, sec->r[i].scheme);
            fputs("</span> ", f);
        }
        bool pass = true;
        for (size_t i = 0; i < sec->n; i++)
            pass &= !sec->why[i][0];
        fprintf(f, "</td><td class=\"%s\">%s</td></tr>\n",
                pass ? "good" : "bad", pass ? "pass" : "FAIL");
    }
    fputs("</table>\n", f);
    for (size_t k = 0; k < n; k++) {
        const HtmlSection *sec = &secs[k];
        const Scenario *s = sec->s;
        fprintf(f, "<section id=\"%s\">\n<h2>%s</h2>\n", s->name, s->name);
        if (s->description) {
            fputs("<p>", f);
            esc(f, s->description);
            fputs("</p>\n", f);
        }
        fputs("<p>Topology <code>", f);
        esc(f, s->topo->name);
        fputs("</code> (<code>", f);
        esc(f, s->topo->file);
        fprintf(f, "</code>), seed %llu, scenario <code>",
                (unsigned long long)s->seed);
        esc(f, s->file);
        fputs("</code>.</p>\n", f);
        table(f, sec);
        notes(f, sec);
        figures(f, sec);
        fputs("</section>\n", f);
    }
    fputs("<p><small>Written by dmasim report.  Every figure comes from "
          "<code>dmasim run</code> on the same files.</small></p>\n"
          "</body></html>\n",
          f);
}

