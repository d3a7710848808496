#include "sim/core/junit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/core/outfile.h"
#include "sim/core/text.h"

static char *dup_or_null(const char *s)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        abort();
    return d;
}

void junit_init(JUnit *j, const char *suite)
{
    memset(j, 0, sizeof *j);
    j->suite = suite;
}

void junit_add(JUnit *j, const char *classname, const char *name,
               double seconds, JUnitOutcome outcome, const char *message,
               const char *detail)
{
    if (j->n == j->cap) {
        j->cap = j->cap ? 2 * j->cap : 16;
        j->v = realloc(j->v, j->cap * sizeof *j->v);
        if (!j->v)
            abort();
    }
    j->v[j->n++] = (JUnitCase){
        .classname = dup_or_null(classname),
        .name = dup_or_null(name),
        .seconds = seconds,
        .outcome = outcome,
        .message = dup_or_null(message),
        .detail = dup_or_null(detail),
    };
}

void junit_free(JUnit *j)
{
    for (size_t i = 0; i < j->n; i++) {
        free(j->v[i].classname);
        free(j->v[i].name);
        free(j->v[i].message);
        free(j->v[i].detail);
    }
    free(j->v);
    memset(j, 0, sizeof *j);
}

double junit_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* s as XML 1.0 character data or attribute value: markup characters as
 * entities, line ends in attributes as references, characters XML cannot
 * hold (C0 controls but tab and line ends) and ill-formed UTF-8 as
 * U+FFFD. */
static void put_xml(FILE *out, const char *s, bool attr)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs(attr ? "&quot;" : "\"", out); break;
        case '\n': fputs(attr ? "&#10;" : "\n", out); break;
        case '\r': fputs("&#13;", out); break;
        case '\t': fputs(attr ? "&#9;" : "\t", out); break;
        default: {
            size_t n = *p < 0x20 ? 0 : utf8_len(p);
            if (n)
                fwrite(p, 1, n, out);
            else
                fputs(UTF8_REPLACEMENT, out);
            if (n > 1)
                p += n - 1;
        }
        }
    }
}

static void put_attr(FILE *out, const char *key, const char *v)
{
    fprintf(out, " %s=\"", key);
    put_xml(out, v ? v : "", true);
    fputc('"', out);
}

static void write_xml(FILE *out, const void *ctx)
{
    const JUnit *j = ctx;
    size_t fail = 0, err = 0;
    double total = 0;
    for (size_t i = 0; i < j->n; i++) {
        fail += j->v[i].outcome == JUNIT_FAIL;
        err += j->v[i].outcome == JUNIT_ERROR;
        total += j->v[i].seconds;
    }
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
    fputs("<testsuites", out);
    put_attr(out, "name", j->suite);
    fprintf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
                 "time=\"%.3f\">\n",
            j->n, fail, err, total);
    fputs("  <testsuite", out);
    put_attr(out, "name", j->suite);
    fprintf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
                 "skipped=\"0\" time=\"%.3f\">\n",
            j->n, fail, err, total);
    for (size_t i = 0; i < j->n; i++) {
        const JUnitCase *c = &j->v[i];
        fputs("    <testcase", out);
        put_attr(out, "classname", c->classname);
        put_attr(out, "name", c->name);
        fprintf(out, " time=\"%.3f\"", c->seconds);
        if (c->outcome == JUNIT_PASS && !c->detail) {
            fputs("/>\n", out);
            continue;
        }
        fputs(">\n", out);
        if (c->outcome != JUNIT_PASS) {
            const char *tag = c->outcome == JUNIT_FAIL ? "failure" : "error";
            fprintf(out, "      <%s", tag);
            put_attr(out, "message", c->message);
            put_attr(out, "type", c->outcome == JUNIT_FAIL ? "finding"
                                                            : "bad-input");
            fputc('>', out);
            put_xml(out, c->detail ? c->detail : "", false);
            fprintf(out, "</%s>\n", tag);
        } else {
            fputs("      <system-out>", out);
            put_xml(out, c->detail, false);
            fputs("</system-out>\n", out);
        }
        fputs("    </testcase>\n", out);
    }
    fputs("  </testsuite>\n</testsuites>\n", out);
}

bool junit_write(const JUnit *j, const char *path, char *err, size_t n)
{
    return write_atomic(path, write_xml, j, err, n);
}
