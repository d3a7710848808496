#include "sim/run/trace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/core/json.h"
#include "sim/core/outfile.h"

typedef struct Rec {
    unsigned scheme;
    bool step;          /* an operation's step, else a burst */
    int track;          /* step: component; burst: bus */
    unsigned lane;      /* step: the CPU's core; 0 for other masters */
    bool write_path;
    int requester, master;
    uint64_t addr, bytes;
    const char *what;   /* static, or owned in `detail` storage */
    char *detail;       /* steps: malloc'd */
    SimTime start, end;
} Rec;

typedef struct Run {
    char *scheme;
    const Topology *t;
} Run;

struct Trace {
    Rec *v;
    size_t n, cap;
    Run *runs;
    size_t n_runs;
};

Trace *trace_new(void)
{
    Trace *tr = calloc(1, sizeof *tr);
    if (!tr)
        abort();
    return tr;
}

void trace_free(Trace *tr)
{
    if (!tr)
        return;
    for (size_t i = 0; i < tr->n; i++)
        free(tr->v[i].detail);
    for (size_t i = 0; i < tr->n_runs; i++)
        free(tr->runs[i].scheme);
    free(tr->v);
    free(tr->runs);
    free(tr);
}

const char *trace_format(const char *path)
{
    size_t n = strlen(path);
    if (n > 5 && !strcmp(path + n - 5, ".json"))
        return "json";
    if (n > 4 && !strcmp(path + n - 4, ".vcd"))
        return "vcd";
    return NULL;
}

void trace_begin(Trace *tr, const char *scheme, const Topology *t)
{
    tr->runs = realloc(tr->runs, (tr->n_runs + 1) * sizeof *tr->runs);
    if (!tr->runs)
        abort();
    tr->runs[tr->n_runs].scheme = strdup(scheme);
    tr->runs[tr->n_runs].t = t;
    tr->n_runs++;
}

static Rec *add(Trace *tr)
{
    if (tr->n == tr->cap) {
        tr->cap = tr->cap ? 2 * tr->cap : 1024;
        tr->v = realloc(tr->v, tr->cap * sizeof *tr->v);
        if (!tr->v)
            abort();
    }
    Rec *r = &tr->v[tr->n++];
    memset(r, 0, sizeof *r);
    r->scheme = (unsigned)(tr->n_runs - 1);
    return r;
}

void trace_burst(void *opaque, const BurstEvent *e)
{
    Trace *tr = opaque;
    Rec *r = add(tr);
    r->track = e->bus;
    r->write_path = e->write_path;
    r->requester = e->requester;
    r->master = e->master;
    r->addr = e->addr;
    r->bytes = e->bytes;
    r->what = e->what;
    r->start = e->start;
    r->end = e->end;
}

void trace_step(Trace *tr, int comp, unsigned lane, const char *what,
                const char *detail, SimTime start, SimTime end)
{
    Rec *r = add(tr);
    r->step = true;
    r->track = comp;
    r->lane = lane;
    r->what = what;
    r->detail = detail ? strdup(detail) : NULL;
    r->start = start;
    r->end = end;
}

/* ---- Chrome / Perfetto JSON ------------------------------------------------ */

/* Tracks: a bus's read (or only) path, its write path, then masters. */
static int bus_tid(int bus, bool write) { return 1 + 2 * bus + write; }
static int comp_tid(int comp, unsigned lane)
{
    return 100000 + comp + 1000000 * (int)lane;
}

/* Trace time is in microseconds: picoseconds keep every digit. */
static void jw_us(JsonW *w, SimTime ps)
{
    jw_fixed(w, ps, 6);
}

static void meta(JsonW *w, unsigned pid, int tid, const char *key,
                 const char *name)
{
    jw_obj_begin(w);
    jw_key(w, "ph");
    jw_str(w, "M");
    jw_key(w, "pid");
    jw_uint(w, pid);
    if (tid >= 0) {
        jw_key(w, "tid");
        jw_uint(w, (uint64_t)tid);
    }
    jw_key(w, "name");
    jw_str(w, key);
    jw_key(w, "args");
    jw_obj_begin(w);
    jw_key(w, "name");
    jw_str(w, name);
    jw_obj_end(w);
    jw_obj_end(w);
}

static void write_json(const Trace *tr, FILE *out)
{
    JsonW w;
    jw_init_compact(&w, out);
    jw_obj_begin(&w);
    jw_key(&w, "displayTimeUnit");
    jw_str(&w, "ns");
    jw_key(&w, "traceEvents");
    jw_arr_begin(&w);
    for (size_t s = 0; s < tr->n_runs; s++) {
        const Topology *t = tr->runs[s].t;
        meta(&w, (unsigned)s + 1, -1, "process_name", tr->runs[s].scheme);
        for (size_t b = 0; b < t->n_buses; b++) {
            const BusTiming *bt = &t->buses[b].timing;
            char name[160];
            snprintf(name, sizeof name, "bus %s%s", t->buses[b].name,
                     bt->split_rw ? " (read path)" : "");
            meta(&w, (unsigned)s + 1, bus_tid((int)b, false), "thread_name",
                 name);
            if (bt->split_rw) {
                snprintf(name, sizeof name, "bus %s (write path)",
                         t->buses[b].name);
                meta(&w, (unsigned)s + 1, bus_tid((int)b, true),
                     "thread_name", name);
            }
        }
        for (size_t c = 0; c < t->n_comps; c++)
            if (t->comps[c].is_master) {
                char name[160];
                snprintf(name, sizeof name, "master %s", t->comps[c].name);
                meta(&w, (unsigned)s + 1, comp_tid((int)c, 0), "thread_name",
                     name);
            }
    }
    /* A CPU's other cores, each a track of its own, named once. */
    for (size_t i = 0; i < tr->n; i++) {
        const Rec *r = &tr->v[i];
        bool seen = false;
        for (size_t j = 0; j < i && r->step && r->lane && !seen; j++)
            seen = tr->v[j].step && tr->v[j].scheme == r->scheme &&
                   tr->v[j].track == r->track && tr->v[j].lane == r->lane;
        if (r->step && r->lane && !seen) {
            char name[160];
            snprintf(name, sizeof name, "master %s core %u",
                     tr->runs[r->scheme].t->comps[r->track].name, r->lane);
            meta(&w, r->scheme + 1, comp_tid(r->track, r->lane),
                 "thread_name", name);
        }
    }
    for (size_t i = 0; i < tr->n; i++) {
        const Rec *r = &tr->v[i];
        const Topology *t = tr->runs[r->scheme].t;
        jw_obj_begin(&w);
        jw_key(&w, "ph");
        jw_str(&w, "X");
        jw_key(&w, "pid");
        jw_uint(&w, r->scheme + 1);
        jw_key(&w, "tid");
        jw_uint(&w, (uint64_t)(r->step ? comp_tid(r->track, r->lane)
                                       : bus_tid(r->track, r->write_path)));
        jw_key(&w, "name");
        jw_str(&w, r->what);
        jw_key(&w, "ts");
        jw_us(&w, r->start);
        jw_key(&w, "dur");
        jw_us(&w, r->end - r->start);
        jw_key(&w, "args");
        jw_obj_begin(&w);
        if (r->step) {
            if (r->detail) {
                jw_key(&w, "detail");
                jw_str(&w, r->detail);
            }
        } else {
            jw_key(&w, "master");
            jw_str(&w, t->comps[r->master].name);
            jw_key(&w, "requester");
            jw_str(&w, t->comps[r->requester].name);
            jw_key(&w, "addr");
            jw_hex(&w, r->addr);
            jw_key(&w, "bytes");
            jw_uint(&w, r->bytes);
        }
        jw_obj_end(&w);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    jw_obj_end(&w);
    jw_finish(&w);
}

/* ---- VCD ------------------------------------------------------------------- */

/* A value change: a bus path of a scheme becomes busy (with its owner)
 * or idle. */
typedef struct Change {
    SimTime at;
    unsigned scheme;
    int sig;        /* bus path: 2 * bus + write */
    int owner;      /* requester + 1, 0 idle */
    size_t order;
} Change;

static int cmp_change(const void *a, const void *b)
{
    const Change *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    /* at one instant, idle before busy: back-to-back bursts stay busy */
    if ((x->owner != 0) != (y->owner != 0))
        return x->owner ? 1 : -1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* VCD identifiers: printable characters from '!' on. */
static void vcd_id(unsigned n, char *buf)
{
    size_t i = 0;
    do {
        buf[i++] = (char)('!' + n % 94);
        n /= 94;
    } while (n);
    buf[i] = '\0';
}

static void clean(const char *s, char *out, size_t n)
{
    size_t i = 0;
    for (; s[i] && i + 1 < n; i++)
        out[i] = (s[i] == '-' || s[i] == '.' || s[i] == ' ') ? '_' : s[i];
    out[i] = '\0';
}

static void write_vcd(const Trace *tr, FILE *out)
{
    fputs("$comment dmasim: bus busy and owner (requester index + 1, 0 "
          "idle) per scheme $end\n",
          out);
    /* What each owner value means: the schemes of one trace run one
     * topology. */
    if (tr->n_runs) {
        const Topology *t = tr->runs[0].t;
        fputs("$comment owner values:", out);
        for (size_t c = 0; c < t->n_comps; c++)
            fprintf(out, " %zu=%s", c + 1, t->comps[c].name);
        fputs(" $end\n", out);
    }
    fputs("$timescale 1ps $end\n$scope module dmasim $end\n", out);
    /* Signal ids: per scheme, per bus path: busy then owner. */
    size_t base = 0;
    size_t *first = calloc(tr->n_runs + 1, sizeof *first);
    for (size_t s = 0; s < tr->n_runs; s++) {
        const Topology *t = tr->runs[s].t;
        char name[128];
        clean(tr->runs[s].scheme, name, sizeof name);
        fprintf(out, "$scope module %s $end\n", name);
        first[s] = base;
        for (size_t b = 0; b < t->n_buses; b++)
            for (int wp = 0; wp < 2; wp++) {
                const BusTiming *bt = &t->buses[b].timing;
                if (wp && !bt->split_rw)
                    continue;
                char bn[128], id1[8], id2[8];
                clean(t->buses[b].name, bn, sizeof bn);
                unsigned sig = (unsigned)(base + 2 * (2 * b + wp));
                vcd_id(sig, id1);
                vcd_id(sig + 1, id2);
                fprintf(out, "$var wire 1 %s %s%s_busy $end\n", id1, bn,
                        wp ? "_wr" : bt->split_rw ? "_rd" : "");
                fprintf(out, "$var wire 16 %s %s%s_owner $end\n", id2, bn,
                        wp ? "_wr" : bt->split_rw ? "_rd" : "");
            }
        base += 4 * t->n_buses;
        fputs("$upscope $end\n", out);
    }
    fputs("$upscope $end\n$enddefinitions $end\n", out);
    /* Everything idle at 0. */
    fputs("#0\n$dumpvars\n", out);
    for (size_t s = 0; s < tr->n_runs; s++) {
        const Topology *t = tr->runs[s].t;
        for (size_t b = 0; b < t->n_buses; b++)
            for (int wp = 0; wp < 2; wp++) {
                if (wp && !t->buses[b].timing.split_rw)
                    continue;
                char id1[8], id2[8];
                unsigned sig = (unsigned)(first[s] + 2 * (2 * b + wp));
                vcd_id(sig, id1);
                vcd_id(sig + 1, id2);
                fprintf(out, "0%s\nb0 %s\n", id1, id2);
            }
    }
    fputs("$end\n", out);
    Change *c = malloc((2 * tr->n + 1) * sizeof *c);
    size_t n = 0;
    for (size_t i = 0; i < tr->n; i++) {
        const Rec *r = &tr->v[i];
        if (r->step)
            continue;
        int sig = 2 * r->track + r->write_path;
        c[n] = (Change){r->start, r->scheme, sig, r->requester + 1, n};
        n++;
        c[n] = (Change){r->end, r->scheme, sig, 0, n};
        n++;
    }
    qsort(c, n, sizeof *c, cmp_change);
    SimTime at = 0;
    for (size_t i = 0; i < n; i++) {
        /* a signal changing twice at one instant: only its last value */
        if (i + 1 < n && c[i + 1].at == c[i].at &&
            c[i + 1].scheme == c[i].scheme && c[i + 1].sig == c[i].sig)
            continue;
        if (c[i].at != at) {
            fprintf(out, "#%llu\n", (unsigned long long)c[i].at);
            at = c[i].at;
        }
        char id1[8], id2[8];
        unsigned sig = (unsigned)(first[c[i].scheme] + 2 * c[i].sig);
        vcd_id(sig, id1);
        vcd_id(sig + 1, id2);
        fprintf(out, "%d%s\nb", c[i].owner ? 1 : 0, id1);
        for (int bit = 15; bit >= 0; bit--)
            if (c[i].owner >> bit || bit == 0)
                fputc('0' + ((c[i].owner >> bit) & 1), out);
        fprintf(out, " %s\n", id2);
    }
    free(c);
    free(first);
}

static void json_to(FILE *out, const void *tr) { write_json(tr, out); }
static void vcd_to(FILE *out, const void *tr) { write_vcd(tr, out); }

bool trace_write(const Trace *tr, const char *path, char *err, size_t n)
{
    const char *fmt = trace_format(path);
    if (!fmt) {
        snprintf(err, n, "--trace takes a .json or .vcd file, not '%s'",
                 path);
        return false;
    }
    return write_atomic(path, strcmp(fmt, "json") ? vcd_to : json_to, tr, err,
                        n);
}
