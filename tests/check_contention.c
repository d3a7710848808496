/* Random contention on every board: scenarios of several streams at once
 * (random engines, sizes, repeats, and a random CPU copy first to stagger
 * their starts), run end to end by build/dmasim under every scheme.
 *
 * Each scenario runs several ways that must not change a figure: twice
 * (a run is deterministic), with a burst trace (tracing only watches),
 * and with DMASIM_NO_COALESCE (every burst ends on an event of its own,
 * as the burst-by-burst model has it; docs/performance.md), traced and
 * not.  The JSON and CSV of every way must be byte-identical to the
 * first's, and the trace not coalesced to the trace coalesced; and the
 * JSON must hold what is true of any run: no bus busier than all the
 * time, and a correct scheme with no wrong byte and no error.
 *
 * DMASIM_CONTENTION=N runs N scenarios per board (default 2). */
#define _DEFAULT_SOURCE /* realpath */
#include <check.h>
#include <glob.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/dma.h"
#include "sim/hw/topology.h"
#include "testutil.h"

typedef struct Gen {
    uint64_t rng;
    char *text;
    size_t len, cap;
} Gen;

static uint64_t gen_next(Gen *g)
{
    g->rng ^= g->rng << 13;
    g->rng ^= g->rng >> 7;
    g->rng ^= g->rng << 17;
    return g->rng;
}

static uint64_t gen_pick(Gen *g, uint64_t n) { return gen_next(g) % n; }

static void emit(Gen *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void emit(Gen *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (g->len + (size_t)n + 1 > g->cap) {
        g->cap = 2 * (g->len + (size_t)n + 1);
        g->text = realloc(g->text, g->cap);
        ck_assert_ptr_nonnull(g->text);
    }
    va_start(ap, fmt);
    vsnprintf(g->text + g->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    g->len += (size_t)n;
}

/* What a board offers the generator: its copy engines and the device
 * masters with a memory region of their own. */
typedef struct Board {
    const char *engines[16];
    size_t n_engines;
    const char *devices[16];
    uint64_t device_size[16];
    unsigned slices[16]; /* of its region handed out, of 8 */
    size_t n_devices;
} Board;

static void survey(const Topology *t, Board *b)
{
    memset(b, 0, sizeof *b);
    b->engines[b->n_engines++] = "cpu";
    b->engines[b->n_engines++] = "auto";
    for (size_t i = 0; i < t->n_comps; i++) {
        const CompParams *c = &t->comps[i];
        if (!c->is_master)
            continue;
        const DmaParams *dp =
            c->kind->engine_params ? c->kind->engine_params(c) : NULL;
        if (dp && dp->memcpy && b->n_engines < 16)
            b->engines[b->n_engines++] = c->name;
        else if (dp && c->n_regions && c->regions[0].kind == REGION_MEMORY &&
                 b->n_devices < 16) {
            b->devices[b->n_devices] = c->name;
            b->device_size[b->n_devices++] = c->regions[0].size_bytes;
        }
    }
}

static const uint64_t sizes[] = {4, 60, 256, 1000, 4096, 6000, 16384, 65536};

/* A scenario of 2 or 3 streams on board `path`, from seed. */
static char *generate(const char *path, const Topology *t, uint64_t seed)
{
    Board b;
    survey(t, &b);
    Gen g = {.rng = 0x9E3779B97F4A7C15ULL ^ (seed * 0x100000001B3ULL)};
    for (int i = 0; i < 4; i++)
        gen_next(&g);
    char abs[PATH_MAX];
    ck_assert_ptr_nonnull(realpath(path, abs));
    emit(&g, "name: contention-%llu\ntopology: %s\nseed: %llu\nbuffers:\n",
         (unsigned long long)seed, abs, (unsigned long long)seed);
    unsigned streams = 2 + (unsigned)gen_pick(&g, 2);
    /* per stream: a delay buffer pair, then its operations' pairs */
    char ops[3][1024];
    for (unsigned s = 0; s < streams; s++) {
        size_t o = 0;
        ops[s][0] = '\0';
        if (gen_pick(&g, 2)) { /* stagger its start with a CPU copy */
            uint64_t n = sizes[gen_pick(&g, 6)];
            emit(&g, "  d%ua: {alloc: kmalloc, size: %llu}\n"
                     "  d%ub: {alloc: kmalloc, size: %llu}\n",
                 s, (unsigned long long)n, s, (unsigned long long)n);
            o += (size_t)snprintf(ops[s] + o, sizeof ops[s] - o,
                                  "{op: copy, from: d%ua, to: d%ub, "
                                  "engine: cpu}, ",
                                  s, s);
        }
        unsigned n_ops = 1 + (unsigned)gen_pick(&g, 2);
        for (unsigned k = 0; k < n_ops; k++) {
            uint64_t n = sizes[gen_pick(&g, sizeof sizes / sizeof *sizes)];
            unsigned repeat = 1 + (unsigned)gen_pick(&g, 3);
            const char *engine;
            emit(&g, "  s%uo%ua: {alloc: kmalloc, size: %llu}\n", s, k,
                 (unsigned long long)n);
            size_t d = b.n_devices ? gen_pick(&g, b.n_devices) : 0;
            if (b.n_devices && !gen_pick(&g, 3) && b.slices[d] < 8) {
                /* a device master to or from its own memory: a slice of
                 * it no other buffer has */
                uint64_t room = b.device_size[d] / 8;
                uint64_t off = room * b.slices[d]++, len = n < room ? n : room;
                engine = b.devices[d];
                emit(&g, "  s%uo%ub: {mmio: %s, offset: %llu, size: %llu}\n",
                     s, k, engine, (unsigned long long)off,
                     (unsigned long long)len);
            } else {
                engine = b.engines[gen_pick(&g, b.n_engines)];
                emit(&g, "  s%uo%ub: {alloc: kmalloc, size: %llu}\n", s, k,
                     (unsigned long long)n);
            }
            bool back = gen_pick(&g, 2);
            o += (size_t)snprintf(ops[s] + o, sizeof ops[s] - o,
                                  "{op: copy, from: s%uo%u%c, to: s%uo%u%c, "
                                  "engine: %s, repeat: %u}, ",
                                  s, k, back ? 'b' : 'a', s, k,
                                  back ? 'a' : 'b', engine, repeat);
        }
        ops[s][o - 2] = '\0'; /* the last ", " */
    }
    emit(&g, "streams:\n");
    for (unsigned s = 0; s < streams; s++)
        emit(&g, "  - {name: s%u, workload: [%s]}\n", s, ops[s]);
    return g.text;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "no %s", path);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, n, m);
    fclose(f);
    fclose(m);
    return buf;
}

/* Runs the scenario at `scen` one way (extra arguments after the
 * outputs), returns its JSON and CSV. */
static void run_way(const char *scen, const char *const *extra, char **json,
                    char **csv, const char *what)
{
    char jpath[PATH_MAX], cpath[PATH_MAX];
    snprintf(jpath, sizeof jpath, "%s/way.json", tu_dir());
    snprintf(cpath, sizeof cpath, "%s/way.csv", tu_dir());
    const char *args[16] = {"run", scen, "--json", jpath, "--csv", cpath};
    size_t n = 6;
    for (size_t i = 0; extra && extra[i]; i++)
        args[n++] = extra[i];
    args[n] = NULL;
    char *out, *err;
    int st = tu_run(&out, &err, args);
    ck_assert_msg(st == 0, "%s: dmasim run exited %d:\n%s\n%s", what, st,
                  err, out);
    free(out);
    free(err);
    *json = slurp(jpath);
    *csv = slurp(cpath);
}

/* What holds of any run's JSON. */
static void invariants(const char *json, const char *what)
{
    json_object *root = json_tokener_parse(json), *schemes, *v;
    ck_assert_msg(root != NULL, "%s: not JSON", what);
    ck_assert(json_object_object_get_ex(root, "schemes", &schemes));
    json_object_object_foreach(schemes, name, r)
    {
        json_object *util;
        ck_assert(json_object_object_get_ex(r, "bus_utilization", &util));
        json_object_object_foreach(util, bus, f)
            ck_assert_msg(json_object_get_double(f) <= 1.0 + 1e-9,
                          "%s: %s: bus %s busy %.6f of the time", what, name,
                          bus, json_object_get_double(f));
        ck_assert(json_object_object_get_ex(r, "correct", &v));
        if (json_object_get_boolean(v)) {
            static const char *const zero[] = {"bytes_wrong", "bus_errors",
                                               "api_errors", NULL};
            for (size_t i = 0; zero[i]; i++) {
                ck_assert(json_object_object_get_ex(r, zero[i], &v));
                ck_assert_msg(json_object_get_int64(v) == 0,
                              "%s: %s correct with %s %lld", what, name,
                              zero[i], (long long)json_object_get_int64(v));
            }
        }
        ck_assert(json_object_object_get_ex(r, "sim_time_ps", &v));
    }
    json_object_put(root);
}

/* Runs the scenario at `scen` plainly, checks what holds of any run,
 * then every other way, which must give the same JSON and CSV (and the
 * traced ways the same trace).  `text` is shown when they differ (NULL:
 * the file is the scenario). */
static void every_way(const char *scen, const char *what, const char *text)
{
    char trace[PATH_MAX + 32];
    snprintf(trace, sizeof trace, "%s/way.trace.json", tu_dir());
    /* each way: its extra arguments, and DMASIM_NO_COALESCE */
    static const struct {
        const char *name;
        bool trace, no_coalesce;
    } ways[] = {
        {"again", false, false},      /* a run is deterministic */
        {"traced", true, false},      /* a trace only watches */
        {"not coalesced", false, true}, /* every burst ends on an event */
        {"traced, not coalesced", true, true}, /* the same bursts */
    };
    char *json0, *csv0, *trace0 = NULL;
    run_way(scen, NULL, &json0, &csv0, what);
    invariants(json0, what);
    for (size_t w = 0; w < sizeof ways / sizeof *ways; w++) {
        char *json, *csv;
        const char *const extra[] = {ways[w].trace ? "--trace" : NULL, trace,
                                     NULL};
        if (ways[w].no_coalesce)
            setenv("DMASIM_NO_COALESCE", "1", 1);
        run_way(scen, extra, &json, &csv, what);
        unsetenv("DMASIM_NO_COALESCE");
        const char *how = ways[w].name;
        ck_assert_msg(!strcmp(json, json0), "%s: JSON differs %s:\n%s",
                      what, how, text ? text : "");
        ck_assert_msg(!strcmp(csv, csv0), "%s: CSV differs %s:\n%s",
                      what, how, text ? text : "");
        if (ways[w].trace) {
            char *tr = slurp(trace);
            if (!trace0) {
                trace0 = tr;
            } else {
                ck_assert_msg(!strcmp(tr, trace0),
                              "%s: trace differs %s:\n%s", what, how,
                              text ? text : "");
                free(tr);
            }
        }
        free(json);
        free(csv);
    }
    free(json0);
    free(csv0);
    free(trace0);
}

static unsigned per_board(void)
{
    const char *e = getenv("DMASIM_CONTENTION");
    long n = e ? strtol(e, NULL, 10) : 2;
    return n > 0 && n < 100000 ? (unsigned)n : 2;
}

START_TEST(contention_every_board)
{
    glob_t gl;
    ck_assert_int_eq(glob("topologies/*.yaml", 0, NULL, &gl), 0);
    ck_assert_uint_ge(gl.gl_pathc, 10);
    unsigned n = per_board();
    for (size_t i = 0; i < gl.gl_pathc; i++) {
        Diag d;
        diag_init(&d);
        Topology *t = topology_load(gl.gl_pathv[i], &d);
        ck_assert_msg(t != NULL, "%s does not load", gl.gl_pathv[i]);
        for (unsigned seed = 1; seed <= n; seed++) {
            char *text = generate(gl.gl_pathv[i], t, seed);
            if (getenv("DMASIM_CONTENTION_SHOW"))
                fputs(text, stderr);
            char what[PATH_MAX + 64];
            snprintf(what, sizeof what, "%s seed %u", gl.gl_pathv[i], seed);
            char name[64];
            snprintf(name, sizeof name, "c%zu-%u.yaml", i, seed);
            char scen[PATH_MAX];
            snprintf(scen, sizeof scen, "%s", tu_write(name, text));
            every_way(scen, what, text);
            free(text);
        }
        topology_free(t);
        diag_free(&d);
    }
    globfree(&gl);
}
END_TEST

/* Every scenario of the library and of the tests, every way. */
START_TEST(contention_library)
{
    static const char *const dirs[] = {"scenarios/*.yaml",
                                       "tests/scenarios/*.yaml"};
    for (size_t k = 0; k < 2; k++) {
        glob_t gl;
        ck_assert_int_eq(glob(dirs[k], 0, NULL, &gl), 0);
        for (size_t i = 0; i < gl.gl_pathc; i++)
            every_way(gl.gl_pathv[i], gl.gl_pathv[i], NULL);
        globfree(&gl);
    }
}
END_TEST

Suite *contention_suite(void)
{
    Suite *s = suite_create("contention");
    TCase *tc = tcase_create("every board");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, contention_every_board);
    tcase_add_test(tc, contention_library);
    suite_add_tcase(s, tc);
    return s;
}
