/* sim/run/html: the report page from results made by hand — its tables,
 * the classes that mark correct and silent results, escaping of every
 * text that comes from a run, and plots inlined from their files. */
#define _GNU_SOURCE /* open_memstream */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/run/html.h"
#include "testutil.h"

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

START_TEST(page)
{
    Diag d;
    diag_init(&d);
    Scenario *s = scenario_load("scenarios/baseline.yaml", &d);
    ck_assert_ptr_nonnull(s);
    SchemeResult r[2];
    memset(r, 0, sizeof r);
    double util[2][3] = {{0.5, 0, 0.25}, {0.125, 0, 1}};
    Reason why_bus = {"bus", "card: master abort <script>&\"x\"", 3};
    r[0] = (SchemeResult){.scheme = "flat", .correct = true,
                          .bytes_ok = 1048576, .sim_time = 9087654321ULL,
                          .throughput_MBps = 115.4, .dma_busy = 8000000000ULL,
                          .dma_throughput_MBps = 131.1, .bus_util = util[0],
                          .n_buses = 3};
    r[1] = (SchemeResult){.scheme = "struct", .silent = true,
                          .bytes_wrong = 4096, .bytes_misdirected = 64,
                          .cache_stale = 4000,
                          .throughput_MBps = 99.9, .bus_util = util[1],
                          .n_buses = 3, .reasons = &why_bus, .n_reasons = 1};
    snprintf(r[1].misdirected_at, sizeof r[1].misdirected_at,
             "card2 region 0 +0x0, written by card");
    char ok[] = "", failed[] = "correct is false, expected <true>";
    char *why[2] = {ok, failed};
    char svg[512];
    snprintf(svg, sizeof svg, "%s",
             tu_write("u.svg", "<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n"
                               "<svg id=\"u\"><g/></svg>\n"));
    HtmlSection sec = {s, r, why, 2, svg, "/nonexistent/l.svg"};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    html_page(f, &sec, 1);
    fclose(f);
    /* a summary and the scenario's table; its section */
    ck_assert_uint_eq(count(buf, "<table"), 2);
    ck_assert_uint_eq(count(buf, "<section id=\"baseline\">"), 1);
    ck_assert_ptr_nonnull(strstr(buf, "<a href=\"#baseline\">baseline</a>"));
    /* flat correct, struct silent; bad counts marked */
    ck_assert_ptr_nonnull(strstr(buf, "<td class=\"good\">yes</td><td "
                                      "class=\"bad\">no</td>"));
    ck_assert_ptr_nonnull(strstr(buf, "<td class=\"bad silent\">YES</td>"));
    ck_assert_ptr_nonnull(strstr(buf, "<tr><th>bytes wrong</th><td "
                                      "class=\"num\">0</td><td class=\"num "
                                      "bad\">4096</td></tr>"));
    ck_assert_ptr_nonnull(strstr(buf, "<td class=\"num\">9.088 ms</td>"));
    /* stale reads through a cache, a row only when some scheme had any */
    ck_assert_ptr_nonnull(strstr(buf, "<tr><th>bytes read stale</th><td "
                                      "class=\"num\">0</td><td class=\"num "
                                      "bad\">4000</td></tr>"));
    ck_assert_ptr_nonnull(strstr(buf, "<td class=\"num dim\">99.9 MB/s"));
    /* the masters' view: struct ran no DMA */
    ck_assert_ptr_nonnull(strstr(buf, "<tr><th>DMA throughput</th><td class="
                                      "\"num\">131.1 MB/s</td><td class="
                                      "\"num\">-</td></tr>"));
    ck_assert_ptr_nonnull(strstr(buf, "<tr><th>plb busy</th><td class=\"num"
                                      "\">50.0%</td><td class=\"num\">12.5%"
                                      "</td></tr>"));
    /* every text from a run escaped, none raw */
    ck_assert_ptr_null(strstr(buf, "<script>"));
    ck_assert_ptr_nonnull(strstr(buf, "bus error &times;3: card: master "
                                      "abort &lt;script&gt;&amp;&quot;x"
                                      "&quot;"));
    ck_assert_ptr_nonnull(strstr(buf, "<td class=\"bad\" title=\"correct is "
                                      "false, expected &lt;true&gt;\">FAIL"
                                      "</td>"));
    ck_assert_ptr_nonnull(strstr(buf, "<li class=\"bad\">first misdirected "
                                      "write: card2 region 0 +0x0, written "
                                      "by card</li>"));
    ck_assert_ptr_nonnull(strstr(buf, "<td class=\"bad\">FAIL</td></tr>"));
    /* the SVG element inlined without its prologue; a missing one left
     * out */
    ck_assert_uint_eq(count(buf, "<svg"), 1);
    ck_assert_ptr_nonnull(strstr(buf, "<figure><svg id=\"u\"><g/></svg>"));
    ck_assert_ptr_null(strstr(buf, "<?xml"));
    ck_assert_ptr_null(strstr(buf, "DOCTYPE svg"));
    ck_assert(!strncmp(buf, "<!DOCTYPE html>", 15));
    ck_assert_ptr_nonnull(strstr(buf, "</body></html>\n"));
    free(buf);
    scenario_free(s);
    diag_free(&d);
}
END_TEST

Suite *html_suite(void)
{
    Suite *s = suite_create("html");
    TCase *tc = tcase_create("page");
    tcase_add_test(tc, page);
    suite_add_tcase(s, tc);
    return s;
}
