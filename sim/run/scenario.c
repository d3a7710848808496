/* Loading a scenario (docs/scenario.md): parse, load its topology, resolve
 * names and check sizes. */
#include "sim/run/scenario.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/dma_api/dma_api.h"
#include "sim/hw/addrmap.h"

const char *buf_kind_name(BufKind k)
{
    static const char *const n[] = {"kmalloc", "vmalloc", "coherent",
                                    "highmem", "mmio",    "fifo"};
    return n[k];
}

/* ---- buffers ------------------------------------------------------------ */

typedef struct BufYaml {
    char *alloc;
    Ref mmio, fifo, dev;
    uint64_t size, offset;
    uint64_t region;
    bool has_region;
    uint64_t phys;
    bool has_phys;
    char *zone;
    uint64_t align;
    bool has_align, busy;
} BufYaml;

static bool f_align(Loader *ld, yaml_node_t *v, void *dst)
{
    BufYaml *y = (BufYaml *)((char *)dst - offsetof(BufYaml, align));
    y->has_align = true;
    if (!ld_u64(ld, v, dst))
        return false;
    if (!y->align || y->align > 4096 || (y->align & (y->align - 1)))
        return ld_fail(ld, v, "align must be a power of two from 1 to 4096, "
                              "not %llu",
                       (unsigned long long)y->align);
    return true;
}

static bool f_phys(Loader *ld, yaml_node_t *v, void *dst)
{
    BufYaml *y = (BufYaml *)((char *)dst - offsetof(BufYaml, phys));
    y->has_phys = true;
    return ld_u64(ld, v, dst);
}

static bool f_region_index(Loader *ld, yaml_node_t *v, void *dst)
{
    BufYaml *y = (BufYaml *)((char *)dst - offsetof(BufYaml, region));
    y->has_region = true;
    return ld_u64(ld, v, dst);
}

static const Field buffer_fields[] = {
    {"alloc", ld_f_str, offsetof(BufYaml, alloc), false},
    {"mmio", ld_f_ref, offsetof(BufYaml, mmio), false},
    {"fifo", ld_f_ref, offsetof(BufYaml, fifo), false},
    {"dev", ld_f_ref, offsetof(BufYaml, dev), false},
    {"size", ld_f_size, offsetof(BufYaml, size), false},
    {"offset", ld_f_u64, offsetof(BufYaml, offset), false},
    {"region", f_region_index, offsetof(BufYaml, region), false},
    {"phys", f_phys, offsetof(BufYaml, phys), false},
    {"zone", ld_f_str, offsetof(BufYaml, zone), false},
    {"align", f_align, offsetof(BufYaml, align), false},
    {"busy", ld_f_bool, offsetof(BufYaml, busy), false},
    FIELD_END,
};

static bool parse_buffer(Loader *ld, yaml_node_t *k, yaml_node_t *v,
                         BufferParams *b)
{
    if (!ld_f_name(ld, k, &b->name))
        return false;
    size_t old = ld_push_key(ld, b->name);
    b->pos = ld_pos(ld, k);
    b->path = ld_path(ld);
    b->region = -1;
    b->comp = -1;
    BufYaml y = {0};
    FieldSet set = {buffer_fields, &y};
    if (!ld_map_fields(ld, v, &set, 1))
        return false;
    int kinds = !!y.alloc + !!y.mmio.name + !!y.fifo.name;
    if (kinds != 1)
        return ld_fail(ld, v,
                       kinds ? "a buffer is one of alloc, mmio or fifo, not "
                               "several"
                             : "a buffer needs alloc (kmalloc, vmalloc, "
                               "coherent, highmem, cma), mmio: DEVICE or "
                               "fifo: DEVICE");
    if (y.alloc) {
        static const char *const allocs[] = {"kmalloc", "vmalloc", "coherent",
                                             "highmem", "cma"};
        size_t i;
        for (i = 0; i < 5 && strcmp(allocs[i], y.alloc); i++)
            ;
        if (i == 5) {
            ld_push_key(ld, "alloc");
            return ld_fail(ld, ld_map_get(ld, v, "alloc"),
                           "unknown alloc '%s' (known: kmalloc, vmalloc, "
                           "coherent, highmem, cma)",
                           y.alloc);
        }
        /* cma: kmalloc-like memory from the CMA area */
        bool cma = i == 4;
        b->kind = cma ? BUF_KMALLOC : (BufKind)i;
        if (!y.size)
            return ld_fail(ld, v, "missing required key 'size'");
        if (y.dev.name && b->kind != BUF_COHERENT) {
            ld_push_key(ld, "dev");
            return ld_fail(ld, ld_map_get(ld, v, "dev"),
                           "only coherent buffers are allocated for a "
                           "device");
        }
        if (y.offset || y.has_region)
            return ld_fail(ld, v, "offset and region belong to mmio and fifo "
                                  "buffers");
        if (y.has_phys && b->kind != BUF_KMALLOC &&
            b->kind != BUF_COHERENT) {
            ld_push_key(ld, "phys");
            return ld_fail(ld, ld_map_get(ld, v, "phys"),
                           "phys places kmalloc and coherent buffers, not "
                           "%s ones",
                           y.alloc);
        }
        b->has_phys = y.has_phys;
        b->phys = y.phys;
        b->zone = KZONE_ANY;
        if (y.zone) {
            static const char *const zones[] = {"dma", "dma32", "normal"};
            size_t z;
            for (z = 0; z < 3 && strcmp(zones[z], y.zone); z++)
                ;
            size_t zold = ld_push_key(ld, "zone");
            if (z == 3)
                return ld_fail(ld, ld_map_get(ld, v, "zone"),
                               "zone is 'dma', 'dma32' or 'normal', not "
                               "'%s' (highmem is alloc: highmem)",
                               y.zone);
            if (b->kind != BUF_KMALLOC && b->kind != BUF_COHERENT)
                return ld_fail(ld, ld_map_get(ld, v, "zone"),
                               "zone places kmalloc and coherent buffers, "
                               "not %s ones",
                               y.alloc);
            if (y.has_phys || cma)
                return ld_fail(ld, ld_map_get(ld, v, "zone"),
                               "give one of phys, zone and alloc: cma");
            ld_pop(ld, zold);
            b->zone = KZONE_DMA + (int)z;
        }
        if (cma) {
            if (y.has_phys)
                return ld_fail(ld, v, "give one of phys, zone and alloc: "
                                      "cma");
            b->zone = KZONE_CMA;
        }
        if (y.has_align) {
            size_t aold = ld_push_key(ld, "align");
            if (b->kind != BUF_KMALLOC || cma || y.has_phys || y.zone)
                return ld_fail(ld, ld_map_get(ld, v, "align"),
                               "align packs small kmalloc buffers together; "
                               "it does not go with %s",
                               b->kind != BUF_KMALLOC || cma ? y.alloc
                               : y.has_phys                  ? "phys"
                                                             : "zone");
            ld_pop(ld, aold);
            b->align = y.align;
        }
        b->dev = y.dev;
    } else {
        b->kind = y.mmio.name ? BUF_MMIO : BUF_FIFO;
        b->dev = y.mmio.name ? y.mmio : y.fifo;
        if (y.dev.name)
            return ld_fail(ld, v, "dev belongs to coherent buffers");
        if (y.has_align || y.busy)
            return ld_fail(ld, v, "%s belongs to buffers in memory (alloc)",
                           y.has_align ? "align" : "busy");
        if (y.has_phys)
            return ld_fail(ld, v, "phys belongs to kmalloc and coherent "
                                  "buffers: device memory is where its "
                                  "region is");
        if (b->kind == BUF_FIFO && (y.size || y.offset))
            return ld_fail(ld, v, "a FIFO is one register: it takes no size "
                                  "or offset");
        if (y.has_region) {
            if (y.region > 1000)
                return ld_fail(ld, ld_map_get(ld, v, "region"),
                               "region index %llu is out of range",
                               (unsigned long long)y.region);
            b->region = (int)y.region;
        }
    }
    b->size = y.size;
    b->offset = y.offset;
    b->busy = y.busy;
    ld_pop(ld, old);
    return true;
}

static bool f_buffers(Loader *ld, yaml_node_t *v, void *dst)
{
    Scenario *s = dst;
    if (!ld_expect_map(ld, v, "a mapping of buffer names to buffers"))
        return false;
    size_t n = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
    s->buffers = arena_calloc(s->arena, n ? n : 1, sizeof *s->buffers);
    for (size_t i = 0; i < n; i++) {
        yaml_node_pair_t *p = &v->data.mapping.pairs.start[i];
        yaml_node_t *k = ld_node(ld, p->key), *val = ld_node(ld, p->value);
        if (!ld_visit(ld, k) || !ld_visit(ld, val) ||
            !parse_buffer(ld, k, val, &s->buffers[i]))
            return false;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(s->buffers[j].name, s->buffers[i].name))
                return ld_fail(ld, k, "buffer '%s' is defined twice",
                               s->buffers[i].name);
        s->n_buffers++;
    }
    return true;
}

/* ---- workload ----------------------------------------------------------- */

static bool f_op_kind(Loader *ld, yaml_node_t *v, void *dst)
{
    (void)dst;
    const char *s = ld_scalar(ld, v, "an operation");
    if (!s)
        return false;
    if (strcmp(s, "copy"))
        return ld_fail(ld, v, "unknown op '%s' (known: copy)", s);
    return true;
}

static bool f_map(Loader *ld, yaml_node_t *v, void *dst)
{
    const char *s = ld_scalar(ld, v, "single or sg");
    if (!s)
        return false;
    if (!strcmp(s, "single"))
        *(MapKind *)dst = MAP_SINGLE;
    else if (!strcmp(s, "sg"))
        *(MapKind *)dst = MAP_SG;
    else
        return ld_fail(ld, v, "unknown map '%s' (known: single, sg)", s);
    return true;
}

static const Field op_fields[] = {
    {"op", f_op_kind, 0, true},
    {"from", ld_f_ref, offsetof(OpParams, from), true},
    {"to", ld_f_ref, offsetof(OpParams, to), true},
    {"size", ld_f_size, offsetof(OpParams, size), false},
    {"from_offset", ld_f_u64, offsetof(OpParams, from_offset), false},
    {"to_offset", ld_f_u64, offsetof(OpParams, to_offset), false},
    {"engine", ld_f_ref, offsetof(OpParams, engine), false},
    {"map", f_map, offsetof(OpParams, map), false},
    {"repeat", ld_f_count, offsetof(OpParams, repeat), false},
    {"sync", ld_f_bool, offsetof(OpParams, sync), false},
    FIELD_END,
};

static bool parse_op(Loader *ld, yaml_node_t *m, void *elem, void *ctx)
{
    (void)ctx;
    OpParams *o = elem;
    o->pos = ld_pos(ld, m);
    o->path = ld_path(ld);
    o->repeat = 1;
    o->sync = true;
    if (!ld_expect_map(ld, m, "an operation (a mapping)"))
        return false;
    FieldSet set = {op_fields, o};
    return ld_map_fields(ld, m, &set, 1);
}

static bool parse_ops(Loader *ld, yaml_node_t *v, StreamParams *st)
{
    st->pos = ld_pos(ld, v);
    st->path = ld_path(ld);
    st->ops = ld_list(ld, v, "a list of operations", sizeof *st->ops,
                      &st->n_ops, parse_op, NULL);
    if (st->ops && !st->n_ops)
        return ld_fail(ld, v, "an empty workload: give at least one "
                              "operation");
    return st->ops != NULL;
}

static bool f_workload(Loader *ld, yaml_node_t *v, void *dst)
{
    Scenario *s = dst;
    s->streams = arena_calloc(s->arena, 1, sizeof *s->streams);
    s->n_streams = 1;
    s->streams[0].name = "main";
    return parse_ops(ld, v, &s->streams[0]);
}

static bool f_stream_ops(Loader *ld, yaml_node_t *v, void *dst)
{
    return parse_ops(ld, v, dst);
}

static const Field stream_fields[] = {
    {"name", ld_f_name, offsetof(StreamParams, name), false},
    {"workload", f_stream_ops, 0, true},
    FIELD_END,
};

static bool parse_stream(Loader *ld, yaml_node_t *m, void *elem, void *ctx)
{
    (void)ctx;
    StreamParams *st = elem;
    if (!ld_expect_map(ld, m, "a stream (a mapping with a workload)"))
        return false;
    FieldSet set = {stream_fields, st};
    if (!ld_map_fields(ld, m, &set, 1))
        return false;
    st->pos = ld_pos(ld, m);
    return true;
}

static bool f_streams(Loader *ld, yaml_node_t *v, void *dst)
{
    Scenario *s = dst;
    s->streams = ld_list(ld, v, "a list of streams", sizeof *s->streams,
                         &s->n_streams, parse_stream, NULL);
    if (!s->streams)
        return false;
    if (!s->n_streams)
        return ld_fail(ld, v, "no streams: give at least one");
    for (size_t i = 0; i < s->n_streams; i++)
        if (!s->streams[i].name) {
            char b[32];
            snprintf(b, sizeof b, "stream%zu", i);
            s->streams[i].name = arena_strdup(s->arena, b);
        }
    return true;
}

/* ---- schemes and expectations ------------------------------------------- */

static bool scheme_name(Loader *ld, yaml_node_t *v, char **out)
{
    const char *n = ld_scalar(ld, v, "a scheme name");
    if (!n)
        return false;
    if (!dma_api_find(n))
        return ld_fail(ld, v, "unknown scheme '%s' (known: %s)", n,
                       dma_api_names());
    *out = arena_strdup(ld->arena, n);
    return true;
}

static bool scheme_item(Loader *ld, yaml_node_t *v, void *elem, void *ctx)
{
    (void)ctx;
    return scheme_name(ld, v, elem);
}

static bool f_schemes(Loader *ld, yaml_node_t *v, void *dst)
{
    Scenario *s = dst;
    s->schemes = ld_list(ld, v, "a list of schemes", sizeof *s->schemes,
                         &s->n_schemes, scheme_item, NULL);
    if (!s->schemes)
        return false;
    if (!s->n_schemes)
        return ld_fail(ld, v, "no schemes: leave the key out to run all");
    for (size_t i = 0; i < s->n_schemes; i++)
        for (size_t j = 0; j < i; j++)
            if (!strcmp(s->schemes[i], s->schemes[j]))
                return ld_fail(ld, v, "scheme '%s' is listed twice",
                               s->schemes[i]);
    return true;
}

static bool f_has_correct(Loader *ld, yaml_node_t *v, void *dst)
{
    ExpectParams *e = (ExpectParams *)((char *)dst -
                                       offsetof(ExpectParams, correct));
    e->has_correct = true;
    return ld_f_bool(ld, v, dst);
}

static bool f_has_silent(Loader *ld, yaml_node_t *v, void *dst)
{
    ExpectParams *e = (ExpectParams *)((char *)dst -
                                       offsetof(ExpectParams, silent));
    e->has_silent = true;
    return ld_f_bool(ld, v, dst);
}

static bool f_api_errors(Loader *ld, yaml_node_t *v, void *dst)
{
    ExpectParams *e = (ExpectParams *)((char *)dst -
                                       offsetof(ExpectParams, api_errors));
    e->has_api_errors = true;
    return ld_u64(ld, v, dst);
}

static bool f_bus_errors(Loader *ld, yaml_node_t *v, void *dst)
{
    ExpectParams *e = (ExpectParams *)((char *)dst -
                                       offsetof(ExpectParams, bus_errors));
    e->has_bus_errors = true;
    return ld_u64(ld, v, dst);
}

static const Field expect_fields[] = {
    {"correct", f_has_correct, offsetof(ExpectParams, correct), false},
    {"silent", f_has_silent, offsetof(ExpectParams, silent), false},
    {"api_errors", f_api_errors, offsetof(ExpectParams, api_errors), false},
    {"bus_errors", f_bus_errors, offsetof(ExpectParams, bus_errors), false},
    {"min_throughput", ld_f_rate, offsetof(ExpectParams, min_throughput),
     false},
    {"max_throughput", ld_f_rate, offsetof(ExpectParams, max_throughput),
     false},
    {"engine", ld_f_ref, offsetof(ExpectParams, engine), false},
    FIELD_END,
};

static bool f_expect(Loader *ld, yaml_node_t *v, void *dst)
{
    Scenario *s = dst;
    if (!ld_expect_map(ld, v, "a mapping of scheme names to expectations"))
        return false;
    size_t n = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
    s->expects = arena_calloc(s->arena, n ? n : 1, sizeof *s->expects);
    for (size_t i = 0; i < n; i++) {
        yaml_node_pair_t *p = &v->data.mapping.pairs.start[i];
        yaml_node_t *k = ld_node(ld, p->key), *val = ld_node(ld, p->value);
        ExpectParams *e = &s->expects[i];
        if (!ld_visit(ld, k) || !ld_visit(ld, val) ||
            !scheme_name(ld, k, &e->scheme))
            return false;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(s->expects[j].scheme, e->scheme))
                return ld_fail(ld, k, "scheme '%s' has two expectations",
                               e->scheme);
        size_t old = ld_push_key(ld, e->scheme);
        e->pos = ld_pos(ld, k);
        e->path = ld_path(ld);
        FieldSet set = {expect_fields, e};
        if (!ld_map_fields(ld, val, &set, 1))
            return false;
        if (e->min_throughput && e->max_throughput &&
            e->min_throughput > e->max_throughput)
            return ld_fail(ld, val, "min_throughput is above max_throughput");
        ld_pop(ld, old);
        s->n_expects++;
    }
    return true;
}

static const Field top_fields[] = {
    {"name", ld_f_name, offsetof(Scenario, name), true},
    {"description", ld_f_str, offsetof(Scenario, description), false},
    {"topology", ld_f_str, offsetof(Scenario, topology_file), true},
    {"schemes", f_schemes, 0, false},
    {"seed", ld_f_u64, offsetof(Scenario, seed), false},
    {"buffers", f_buffers, 0, true},
    {"workload", f_workload, 0, false},
    {"streams", f_streams, 0, false},
    {"expect", f_expect, 0, false},
    FIELD_END,
};

static bool parse(Loader *ld, Scenario *s)
{
    s->file = ld->file;
    s->seed = 1;
    yaml_node_t *root = loader_root(ld);
    FieldSet set = {top_fields, s};
    if (!ld_map_fields(ld, root, &set, 1))
        return false;
    yaml_node_t *tn = ld_map_get(ld, root, "topology");
    s->topology_pos = ld_pos(ld, tn);
    s->topology_path = "topology";
    bool w = ld_map_get(ld, root, "workload"), st = ld_map_get(ld, root,
                                                               "streams");
    if (w == st)
        return ld_fail(ld, root,
                       w ? "give workload or streams, not both"
                         : "missing required key 'workload' (or 'streams')");
    if (!s->n_schemes) {
        size_t n;
        const DmaApi *const *all = dma_api_all(&n);
        s->schemes = arena_calloc(s->arena, n, sizeof *s->schemes);
        for (size_t i = 0; i < n; i++)
            s->schemes[i] = (char *)all[i]->name;
        s->n_schemes = n;
    }
    return true;
}

/* The topology's file, relative to the scenario's directory. */
static char *topology_file(Scenario *s)
{
    const char *f = s->topology_file;
    if (f[0] == '/')
        return arena_strdup(s->arena, f);
    const char *slash = strrchr(s->file, '/');
    if (!slash)
        return arena_strdup(s->arena, f);
    size_t dl = (size_t)(slash - s->file) + 1, fl = strlen(f);
    char *p = arena_alloc(s->arena, dl + fl + 1);
    memcpy(p, s->file, dl);
    memcpy(p + dl, f, fl + 1);
    return p;
}

Scenario *scenario_load(const char *file, Diag *d)
{
    return scenario_load_ov(file, NULL, 0, d);
}

Scenario *scenario_load_ov(const char *file, const Override *ov, size_t n_ov,
                           Diag *d)
{
    Arena *a = arena_new();
    Scenario *s = arena_alloc(a, sizeof *s);
    s->arena = a;
    /* Split the overrides between the two files. */
    Override *mine = arena_calloc(a, n_ov ? n_ov : 1, sizeof *mine);
    Override *topo = arena_calloc(a, n_ov ? n_ov : 1, sizeof *topo);
    size_t n_mine = 0, n_topo = 0;
    for (size_t i = 0; i < n_ov; i++) {
        if (!strncmp(ov[i].path, "topology.", 9))
            topo[n_topo++] = (Override){ov[i].path + 9, ov[i].value};
        else
            mine[n_mine++] = ov[i];
    }
    Loader ld;
    bool ok = loader_open_ov(&ld, file, a, d, mine, n_mine) && parse(&ld, s);
    loader_close(&ld);
    if (ok) {
        char *tf = topology_file(s);
        FILE *probe = fopen(tf, "r");
        if (!probe) {
            diag_add(d, SEV_FATAL, "input", s->topology_pos, s->topology_path,
                     NULL, NULL, "cannot open topology '%s': %s", tf,
                     strerror(errno));
            ok = false;
        } else {
            fclose(probe);
            s->topo = topology_load_ov(tf, topo, n_topo, d);
            ok = s->topo && topology_sound(d);
            if (s->topo && !ok)
                diag_add(d, SEV_FATAL, "input", s->topology_pos,
                         s->topology_path, NULL, NULL,
                         "topology '%s' has errors (see dmasim check)", tf);
        }
    }
    if (ok && !scenario_resolve(s, d))
        ok = false;
    if (!ok) {
        scenario_free(s);
        return NULL;
    }
    return s;
}

void scenario_free(Scenario *s)
{
    if (!s)
        return;
    topology_free(s->topo);
    arena_free(s->arena);
}

const ExpectParams *scenario_expect(const Scenario *s, const char *scheme)
{
    for (size_t i = 0; i < s->n_expects; i++)
        if (!strcmp(s->expects[i].scheme, scheme))
            return &s->expects[i];
    return NULL;
}
