#include "models/bridge.h"

#include "models/regions.h"
#include "sim/core/units.h"

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

typedef struct RangeYaml {
    uint64_t base, size;
} RangeYaml;

static const Field range_fields[] = {
    {"base", ld_f_u64, offsetof(RangeYaml, base), true},
    {"size", ld_f_size, offsetof(RangeYaml, size), true},
    FIELD_END,
};

/* An optional {base, size} under key of map. */
static bool base_size(Loader *ld, yaml_node_t *map, const char *key,
                      RangeYaml *out, bool *have)
{
    yaml_node_t *v = ld_map_get(ld, map, key);
    *have = v != NULL;
    if (!v)
        return true;
    size_t old = ld_push_key(ld, key);
    FieldSet set = {range_fields, out};
    if (!ld_expect_map(ld, v, "a mapping {base, size}") ||
        !ld_map_fields(ld, v, &set, 1))
        return false;
    ld_pop(ld, old);
    return true;
}

static const Field prog_fields[] = {
    {"count", ld_f_count, offsetof(ProgYaml, count), true},
    {"writes", ld_f_count, offsetof(ProgYaml, writes), true},
    {"align", ld_f_str, offsetof(ProgYaml, align), false},
    {"min_size", ld_f_size, offsetof(ProgYaml, min_size), false},
    {"max_size", ld_f_size, offsetof(ProgYaml, max_size), false},
    {"boot", ld_f_skip, 0, false},
    {"registers", ld_f_skip, 0, false},
    {"aperture", ld_f_skip, 0, false},
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
    RangeYaml regs = {0}, ap = {0};
    bool have_regs, have_ap;
    if (!base_size(ld, v, "registers", &regs, &have_regs) ||
        !base_size(ld, v, "aperture", &ap, &have_ap))
        return false;
    if (have_regs != have_ap) {
        const char *missing = have_regs ? "aperture" : "registers";
        return ld_fail(ld, v, "give both registers and aperture to program "
                              "windows at run time, or neither (no %s)",
                       missing);
    }
    if (have_regs && regs.size < 4ull * pw->count) {
        ld_push_key(ld, "registers");
        return ld_fail(ld, ld_map_get(ld, v, "registers"),
                       "registers of %llu bytes cannot hold %u windows' "
                       "registers (at least 4 bytes each)",
                       (unsigned long long)regs.size, pw->count);
    }
    pw->programmable = have_regs;
    pw->regs_base = regs.base;
    pw->regs_size = regs.size;
    pw->regs_region = -1;
    pw->ap_base = ap.base;
    pw->ap_size = ap.size;
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

/* ---- an IOMMU ------------------------------------------------------------- */

typedef struct IommuYaml {
    uint64_t page_size;
    unsigned writes, walk_cycles;
    char *table;
    bool dma_domain;
} IommuYaml;

static const Field iommu_fields[] = {
    {"aperture", ld_f_skip, 0, true},
    {"registers", ld_f_skip, 0, true},
    {"page_size", ld_f_size, offsetof(IommuYaml, page_size), false},
    {"writes", ld_f_count, offsetof(IommuYaml, writes), false},
    {"table", ld_f_str, offsetof(IommuYaml, table), false},
    {"walk_cycles", ld_f_cycles, offsetof(IommuYaml, walk_cycles), false},
    {"iotlb", ld_f_skip, 0, false},
    {"dma_domain", ld_f_bool, offsetof(IommuYaml, dma_domain), false},
    FIELD_END,
};

typedef struct IotlbYaml {
    unsigned entries;
} IotlbYaml;

static const Field iotlb_fields[] = {
    {"entries", ld_f_count, offsetof(IotlbYaml, entries), true},
    FIELD_END,
};

/* A page table held per page: more than this is refused. */
#define IOMMU_MAX_PAGES (1ull << 20)

/* GART-style: 4 KiB pages, an entry programmed by two register writes
 * (LINUX_DMA.md section C). */
static bool f_iommu(Loader *ld, yaml_node_t *v, void *dst)
{
    IommuParams *io = dst;
    IommuYaml y = {.page_size = 4096, .writes = 2};
    FieldSet set = {iommu_fields, &y};
    if (!ld_expect_map(ld, v, "a mapping describing the IOMMU") ||
        !ld_map_fields(ld, v, &set, 1))
        return false;
    RangeYaml ap = {0}, regs = {0};
    bool have;
    if (!base_size(ld, v, "aperture", &ap, &have) ||
        !base_size(ld, v, "registers", &regs, &have))
        return false;
    io->present = true;
    io->pos = ld_pos(ld, v);
    io->path = ld_path(ld);
    io->page_size = y.page_size;
    io->writes = y.writes;
    io->ap_base = ap.base;
    io->ap_size = ap.size;
    io->regs_base = regs.base;
    io->regs_size = regs.size;
    io->regs_region = -1;
    uint64_t ps = y.page_size;
    char a[32];
    if (ps & (ps - 1) || ps < 4096 || ps > (1ull << 30)) {
        ld_push_key(ld, "page_size");
        return ld_fail(ld, ld_map_get(ld, v, "page_size"),
                       "page_size is a power of two from 4KiB to 1GiB, not %s",
                       units_fmt_size(ps, a, sizeof a));
    }
    if (ap.base % ps || ap.size % ps) {
        ld_push_key(ld, "aperture");
        return ld_fail(ld, ld_map_get(ld, v, "aperture"),
                       "the aperture's base and size are multiples of "
                       "page_size (%s)",
                       units_fmt_size(ps, a, sizeof a));
    }
    io->pages = ap.size / ps;
    if (io->pages > IOMMU_MAX_PAGES) {
        ld_push_key(ld, "aperture");
        return ld_fail(ld, ld_map_get(ld, v, "aperture"),
                       "an aperture of %llu pages; at most %llu",
                       (unsigned long long)io->pages,
                       (unsigned long long)IOMMU_MAX_PAGES);
    }
    if (y.table && strcmp(y.table, "registers") &&
        strcmp(y.table, "memory")) {
        ld_push_key(ld, "table");
        return ld_fail(ld, ld_map_get(ld, v, "table"),
                       "table is 'registers' or 'memory', not '%s'",
                       y.table);
    }
    io->table_in_memory = y.table && !strcmp(y.table, "memory");
    io->dma_domain = y.dma_domain;
    io->walk_cycles = y.walk_cycles;
    yaml_node_t *tlb = ld_map_get(ld, v, "iotlb");
    if (!io->table_in_memory) {
        const char *key = tlb ? "iotlb"
                          : ld_map_get(ld, v, "walk_cycles") ? "walk_cycles"
                                                             : NULL;
        if (key) {
            ld_push_key(ld, key);
            return ld_fail(ld, ld_map_get(ld, v, key),
                           "%s belongs to a page table in memory (table: "
                           "memory); this one is in registers",
                           key);
        }
        if (regs.size / 4 / io->writes < io->pages) {
            ld_push_key(ld, "registers");
            return ld_fail(ld, ld_map_get(ld, v, "registers"),
                           "registers of %llu bytes cannot hold %llu pages' "
                           "entries of %u 4-byte writes",
                           (unsigned long long)regs.size,
                           (unsigned long long)io->pages, io->writes);
        }
        return true;
    }
    if (!ld_map_get(ld, v, "walk_cycles"))
        return ld_fail(ld, v, "a page table in memory needs walk_cycles: "
                              "what reading an entry costs");
    if (regs.size < 4) {
        ld_push_key(ld, "registers");
        return ld_fail(ld, ld_map_get(ld, v, "registers"),
                       "registers of %llu bytes cannot hold the invalidate "
                       "register (4 bytes)",
                       (unsigned long long)regs.size);
    }
    if (tlb) {
        IotlbYaml ty = {0};
        FieldSet ts = {iotlb_fields, &ty};
        size_t old = ld_push_key(ld, "iotlb");
        if (!ld_expect_map(ld, tlb, "a mapping {entries}") ||
            !ld_map_fields(ld, tlb, &ts, 1))
            return false;
        ld_pop(ld, old);
        io->iotlb_entries = ty.entries;
    }
    return true;
}

static bool f_decode(Loader *ld, yaml_node_t *v, void *dst)
{
    const char *s = ld_scalar(ld, v, "'positive' or 'subtractive'");
    if (!s)
        return false;
    if (strcmp(s, "positive") && strcmp(s, "subtractive"))
        return ld_fail(ld, v, "decode is 'positive' (its windows claim their "
                              "addresses) or 'subtractive' (they claim what "
                              "nothing else on the parent bus claims), not "
                              "'%s'",
                       s);
    *(bool *)dst = !strcmp(s, "subtractive");
    return true;
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
    {"decode", f_decode, offsetof(BridgeParams, subtractive), false},
    {"p2pdma", ld_f_bool, offsetof(BridgeParams, p2pdma), false},
    {"dma_ranges", f_dma_ranges, offsetof(BridgeParams, dma_ranges), false},
    {"outbound_windows", f_outbound, offsetof(BridgeParams, outbound), false},
    {"inbound_windows", f_inbound, offsetof(BridgeParams, inbound), false},
    {"iommu", f_iommu, offsetof(BridgeParams, iommu), false},
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
    const BridgeParams *p = c->bridge;
    /* its own registers: it claims them like an access it carries on,
     * with nothing to cross */
    if (q->region >= 0)
        return (TargetTiming){p->latency_cycles, 0, 0};
    return (TargetTiming){p->latency_cycles, 0, p->cross_cycles};
}

static bool bridge_finish(Loader *ld, yaml_node_t *map, CompParams *c)
{
    (void)map;
    BridgeParams *br = c->priv;
    c->bridge = br;
    c->bus = br->parent; /* a bridge sits on its parent bus */
    /* the window registers: memory regions of the bridge on its parent
     * bus, which the CPU writes to program windows */
    ProgWindows *pws[2] = {&br->outbound, &br->inbound};
    size_t n = br->iommu.present;
    for (int i = 0; i < 2; i++)
        n += pws[i]->programmable;
    if (!n)
        return true;
    c->regions = arena_calloc(ld->arena, n, sizeof *c->regions);
    for (int i = 0; i < 2; i++) {
        if (!pws[i]->programmable)
            continue;
        pws[i]->regs_region = (int)c->n_regions;
        c->regions[c->n_regions++] = (RegionParams){
            pws[i]->regs_base, pws[i]->regs_size, REGION_MEMORY,
            pws[i]->pos, pws[i]->path};
    }
    /* and the IOMMU's page table */
    if (br->iommu.present) {
        br->iommu.regs_region = (int)c->n_regions;
        c->regions[c->n_regions++] = (RegionParams){
            br->iommu.regs_base, br->iommu.regs_size, REGION_MEMORY,
            br->iommu.pos, br->iommu.path};
    }
    return true;
}

/* The bridge's window registers hold what is written to them. */
static void bridge_access(void *m, const CompParams *c, int region,
                          uint64_t off, XactDir dir, uint8_t *data,
                          uint64_t len)
{
    (void)c;
    regions_access(bridge_model_regions(m), region, off, dir, data, len);
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
    .access = bridge_access,
    .regions = bridge_model_regions,
    .bridge_ops = &bridge_flow_ops,
};
