#include "models/bridge.h"

#include <stddef.h>
#include <string.h>

typedef struct WindowYaml {
    uint64_t child, parent, size_bytes;
    char *space;
} WindowYaml;

static const Field window_fields[] = {
    {"child", ld_f_u64, offsetof(WindowYaml, child), true},
    {"parent", ld_f_u64, offsetof(WindowYaml, parent), true},
    {"size", ld_f_size, offsetof(WindowYaml, size_bytes), true},
    {"space", ld_f_str, offsetof(WindowYaml, space), false},
    FIELD_END,
};

static bool window_item(Loader *ld, yaml_node_t *m, void *elem, void *ctx)
{
    WindowParams *w = elem;
    bool upstream = *(const bool *)ctx;
    WindowYaml y = {0};
    FieldSet set = {window_fields, &y};
    if (!ld_map_fields(ld, m, &set, 1))
        return false;
    w->child = y.child;
    w->parent = y.parent;
    w->size_bytes = y.size_bytes;
    w->pos = ld_pos(ld, m);
    w->path = ld_path(ld);
    if (!y.space || !strcmp(y.space, "memory")) {
        w->space = SPACE_MEM;
    } else if (!strcmp(y.space, "io") && !upstream) {
        w->space = SPACE_IO;
    } else {
        ld_push_key(ld, "space");
        return ld_fail(ld, ld_map_get(ld, m, "space"),
                       upstream ? "dma_ranges windows are memory space "
                                  "only, not '%s'"
                                : "unknown space '%s' (known: memory, io)",
                       y.space);
    }
    return true;
}

static bool windows(Loader *ld, yaml_node_t *v, WindowList *wl, bool upstream)
{
    wl->pos = ld_pos(ld, v);
    wl->path = ld_path(ld);
    if (v->type == YAML_SCALAR_NODE && !ld_is_null(v)) {
        const char *s = (const char *)v->data.scalar.value;
        if (strcmp(s, "identity"))
            return ld_fail(ld, v,
                           "expected a list of windows or 'identity', got "
                           "'%s'",
                           s);
        wl->identity = true;
        return true;
    }
    wl->v = ld_list(ld, v, "a list of windows or 'identity'", sizeof *wl->v,
                    &wl->n, window_item, &upstream);
    return wl->v != NULL;
}

/* ---- programmable windows ------------------------------------------------- */

typedef struct ProgYaml {
    unsigned count, writes;
    char *align;
    uint64_t min_size, max_size;
} ProgYaml;

static const Field prog_fields[] = {
    {"count", ld_f_count, offsetof(ProgYaml, count), true},
    {"writes", ld_f_count, offsetof(ProgYaml, writes), true},
    {"align", ld_f_str, offsetof(ProgYaml, align), false},
    {"min_size", ld_f_size, offsetof(ProgYaml, min_size), false},
    {"max_size", ld_f_size, offsetof(ProgYaml, max_size), false},
    {"boot", ld_f_skip, 0, false},
    FIELD_END,
};

/* The 440GP/440SPe PCI-X bridge's POM and PIM rules (LINUX_DMA.md §C): a
 * power of two from 1 MiB to 4 GiB, naturally aligned. */
#define PROG_MIN_DEFAULT (1ull << 20)
#define PROG_MAX_DEFAULT (4ull << 30)

static bool prog_windows(Loader *ld, yaml_node_t *v, ProgWindows *pw,
                         bool upstream)
{
    ProgYaml y = {.min_size = PROG_MIN_DEFAULT, .max_size = PROG_MAX_DEFAULT};
    FieldSet set = {prog_fields, &y};
    if (!ld_expect_map(ld, v, "a mapping of programmable windows") ||
        !ld_map_fields(ld, v, &set, 1))
        return false;
    pw->present = true;
    pw->count = y.count;
    pw->writes = y.writes;
    pw->min_size = y.min_size;
    pw->max_size = y.max_size;
    pw->pos = ld_pos(ld, v);
    pw->path = ld_path(ld);
    if (y.align && strcmp(y.align, "natural")) {
        yaml_node_t *a = ld_map_get(ld, v, "align");
        size_t old = ld_push_key(ld, "align");
        if (y.align[0] < '0' || y.align[0] > '9')
            return ld_fail(ld, a, "align is 'natural' or a size, not '%s'",
                           y.align);
        if (!ld_f_size(ld, a, &pw->granule))
            return false;
        ld_pop(ld, old);
    }
    if (pw->min_size > pw->max_size) {
        ld_push_key(ld, "min_size");
        return ld_fail(ld, ld_map_get(ld, v, "min_size"),
                       "min_size is larger than max_size");
    }
    yaml_node_t *boot = ld_map_get(ld, v, "boot");
    if (boot) {
        size_t old = ld_push_key(ld, "boot");
        pw->boot.pos = ld_pos(ld, boot);
        pw->boot.path = ld_path(ld);
        pw->boot.v = ld_list(ld, boot, "a list of windows", sizeof *pw->boot.v,
                             &pw->boot.n, window_item, &upstream);
        if (!pw->boot.v)
            return false;
        ld_pop(ld, old);
    }
    return true;
}

static bool f_outbound(Loader *ld, yaml_node_t *v, void *dst)
{
    return prog_windows(ld, v, dst, false);
}

static bool f_inbound(Loader *ld, yaml_node_t *v, void *dst)
{
    return prog_windows(ld, v, dst, true);
}

static bool f_ranges(Loader *ld, yaml_node_t *v, void *dst)
{
    return windows(ld, v, dst, false);
}

static bool f_dma_ranges(Loader *ld, yaml_node_t *v, void *dst)
{
    return windows(ld, v, dst, true);
}

static const Field bridge_fields[] = {
    {"parent", ld_f_ref, offsetof(BridgeParams, parent), true},
    {"child", ld_f_ref, offsetof(BridgeParams, child), true},
    {"ranges", f_ranges, offsetof(BridgeParams, ranges), false},
    {"dma_ranges", f_dma_ranges, offsetof(BridgeParams, dma_ranges), false},
    {"outbound_windows", f_outbound, offsetof(BridgeParams, outbound), false},
    {"inbound_windows", f_inbound, offsetof(BridgeParams, inbound), false},
    {"latency_cycles", ld_f_cycles, offsetof(BridgeParams, latency_cycles),
     false},
    {"cross_cycles", ld_f_cycles, offsetof(BridgeParams, cross_cycles),
     false},
    {"posted_write_buffer", ld_f_cycles, offsetof(BridgeParams, post_bytes),
     false},
    {"prefetch", ld_f_cycles, offsetof(BridgeParams, prefetch_bytes), false},
    {"cache_line", ld_f_count, offsetof(BridgeParams, line_bytes), false},
    {"completer_latency", ld_f_cycles,
     offsetof(BridgeParams, completer_cycles), false},
    {"write_disconnect", ld_f_cycles,
     offsetof(BridgeParams, write_disconnect), false},
    FIELD_END,
};

/* Store and forward: the bridge claims the access like a medium-DEVSEL#
 * target (2 cycles), then needs a few cycles of the far bus to cross the
 * clock domain and re-arbitrate (synchroniser depth 2, plus 2 to queue).
 * It posts writes into a 256-byte buffer each way and serves a delayed
 * read with at most 128 bytes fetched ahead (assumptions of this model: a
 * few cache lines, as PCI bridges of the period had).  Read commands are
 * chosen by the 32-byte cache line firmware programs into PCI's Cache Line
 * Size register on a PPC440 (its d-cache line, ebony.dts).  As a target it
 * disconnects a posted write at each aligned 4 KiB, as PCI-to-PCI bridges
 * do by default (Pericom PI7C8150A §3.5.4, Intel 21555 §5.2.1). */
static const BridgeParams bridge_defaults = {
    .latency_cycles = 2, .cross_cycles = 4, .post_bytes = 256,
    .prefetch_bytes = 128, .line_bytes = 32, .write_disconnect = 4096};

static TargetTiming bridge_timing(void *m, const CompParams *c,
                                  const TimingQuery *q)
{
    (void)m;
    (void)q;
    const BridgeParams *p = c->bridge;
    return (TargetTiming){p->latency_cycles, 0, p->cross_cycles};
}

static bool bridge_finish(Loader *ld, yaml_node_t *map, CompParams *c)
{
    (void)ld;
    (void)map;
    c->bridge = c->priv;
    c->bus = c->bridge->parent; /* a bridge sits on its parent bus */
    return true;
}

const ModelKind bridge_kind = {
    .name = "bridge",
    .summary = "bridge from a parent bus to a child bus",
    .fields = bridge_fields,
    .priv_size = sizeof(BridgeParams),
    .priv_defaults = &bridge_defaults,
    .has_bus = false,
    .finish = bridge_finish,
    .timing = bridge_timing,
    .model_new = bridge_model_new,
    .model_free = bridge_model_free,
    .bridge_ops = &bridge_flow_ops,
};
