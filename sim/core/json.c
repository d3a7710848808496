#include "sim/core/json.h"

#include <assert.h>
#include <math.h>

#include "sim/core/text.h"

void jw_init(JsonW *w, FILE *out)
{
    w->out = out;
    w->depth = 0;
    w->first[0] = true;
    w->after_key = false;
    w->compact = false;
}

void jw_init_compact(JsonW *w, FILE *out)
{
    jw_init(w, out);
    w->compact = true;
}

static void indent(JsonW *w)
{
    if (w->compact) { /* one line per member of the outer two levels */
        if (w->depth <= 2)
            fputc('\n', w->out);
        return;
    }
    fputc('\n', w->out);
    for (int i = 0; i < w->depth; i++)
        fputs("  ", w->out);
}

/* Separator and indentation before a value or a key. */
static void before(JsonW *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth > 0) {
        if (!w->first[w->depth])
            fputc(',', w->out);
        indent(w);
    }
    w->first[w->depth] = false;
}

static void open_(JsonW *w, char c)
{
    before(w);
    fputc(c, w->out);
    assert(w->depth + 1 < JW_MAX_DEPTH);
    w->first[++w->depth] = true;
}

static void close_(JsonW *w, char c)
{
    bool empty = w->first[w->depth];
    w->depth--;
    if (!empty && (!w->compact || w->depth < 2))
        indent(w);
    fputc(c, w->out);
}

void jw_obj_begin(JsonW *w) { open_(w, '{'); }
void jw_obj_end(JsonW *w) { close_(w, '}'); }
void jw_arr_begin(JsonW *w) { open_(w, '['); }
void jw_arr_end(JsonW *w) { close_(w, ']'); }

static void put_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        default:
            if (*p < 0x20) {
                fprintf(out, "\\u%04x", *p);
            } else {
                /* JSON is UTF-8: an ill-formed byte becomes U+FFFD */
                size_t n = utf8_len(p);
                if (n)
                    fwrite(p, 1, n, out);
                else
                    fputs(UTF8_REPLACEMENT, out);
                if (n > 1)
                    p += n - 1;
            }
        }
    }
    fputc('"', out);
}

void jw_key(JsonW *w, const char *key)
{
    before(w);
    put_string(w->out, key);
    fputs(": ", w->out);
    w->after_key = true;
}

void jw_str(JsonW *w, const char *s)
{
    before(w);
    if (s)
        put_string(w->out, s);
    else
        fputs("null", w->out);
}

void jw_uint(JsonW *w, uint64_t v)
{
    before(w);
    fprintf(w->out, "%llu", (unsigned long long)v);
}

void jw_bool(JsonW *w, bool v)
{
    before(w);
    fputs(v ? "true" : "false", w->out);
}

void jw_null(JsonW *w)
{
    before(w);
    fputs("null", w->out);
}

void jw_hex(JsonW *w, uint64_t v)
{
    before(w);
    fprintf(w->out, "\"0x%llx\"", (unsigned long long)v);
}

void jw_double(JsonW *w, double v)
{
    before(w);
    if (isfinite(v))
        fprintf(w->out, "%.6g", v);
    else
        fputs("null", w->out);
}

void jw_fixed(JsonW *w, uint64_t v, unsigned decimals)
{
    uint64_t scale = 1;
    for (unsigned i = 0; i < decimals; i++)
        scale *= 10;
    before(w);
    if (decimals)
        fprintf(w->out, "%llu.%0*llu", (unsigned long long)(v / scale),
                (int)decimals, (unsigned long long)(v % scale));
    else
        fprintf(w->out, "%llu", (unsigned long long)v);
}

void jw_finish(JsonW *w)
{
    fputc('\n', w->out);
    fflush(w->out);
}
