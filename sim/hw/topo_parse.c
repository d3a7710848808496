/* Pass 1: the topology YAML into params structs (docs/topology.md). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "sim/hw/kinds.h"
#include "sim/hw/topology.h"

static bool f_clocks(Loader *ld, yaml_node_t *v, void *dst)
{
    Topology *t = dst;
    if (!ld_expect_map(ld, v, "a mapping of clock names to frequencies"))
        return false;
    size_t n = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
    if (n == 0)
        return ld_fail(ld, v, "no clocks: name at least one");
    t->clocks = arena_calloc(t->arena, n, sizeof *t->clocks);
    for (size_t i = 0; i < n; i++) {
        yaml_node_pair_t *p = &v->data.mapping.pairs.start[i];
        yaml_node_t *k = ld_node(ld, p->key), *val = ld_node(ld, p->value);
        if (!ld_visit(ld, k) || !ld_visit(ld, val))
            return false;
        ClockParams *c = &t->clocks[i];
        if (!ld_f_name(ld, k, &c->name))
            return false;
        size_t old = ld_push_key(ld, c->name);
        c->pos = ld_pos(ld, k);
        c->path = ld_path(ld);
        uint64_t hz;
        if (!ld_f_freq(ld, val, &hz))
            return false;
        c->clock = clock_of(hz);
        ld_pop(ld, old);
        t->n_clocks++;
    }
    return true;
}

static bool f_page_size(Loader *ld, yaml_node_t *v, void *dst)
{
    uint64_t x;
    if (!ld_f_size(ld, v, &x))
        return false;
    /* what Linux kernels use: 4 KiB (x86, 32-bit ARM, most), 8 KiB
     * (sparc64, alpha), 16 and 64 KiB (arm64, ppc64, 44x), 256 KiB (44x,
     * PPC_256K_PAGES) */
    if (x & (x - 1) || x < 4096 || x > 256 * 1024)
        return ld_fail(ld, v, "no kernel uses pages of %llu byte%s: give a "
                              "power of two from 4 KiB to 256 KiB",
                       (unsigned long long)x, x == 1 ? "" : "s");
    *(uint64_t *)dst = x;
    return true;
}

static bool f_arch(Loader *ld, yaml_node_t *v, void *dst)
{
    const char *s = ld_scalar(ld, v, "an architecture");
    if (!s)
        return false;
    if (!strcmp(s, "generic"))
        *(KernelArch *)dst = ARCH_GENERIC;
    else if (!strcmp(s, "ppc"))
        *(KernelArch *)dst = ARCH_PPC;
    else if (!strcmp(s, "arm64"))
        *(KernelArch *)dst = ARCH_ARM64;
    else
        return ld_fail(ld, v, "arch is 'generic', 'ppc' or 'arm64', not "
                              "'%s'",
                       s);
    return true;
}

static bool f_swiotlb(Loader *ld, yaml_node_t *v, void *dst)
{
    const char *s = ld_scalar(ld, v, "'auto' or 'force'");
    if (!s)
        return false;
    if (strcmp(s, "auto") && strcmp(s, "force"))
        return ld_fail(ld, v, "swiotlb is 'auto' (a pool when some master "
                              "cannot reach all RAM) or 'force', not '%s'",
                       s);
    *(bool *)dst = !strcmp(s, "force");
    return true;
}

/* swiotlb's pool: slots of 2 KiB in segments of 128 (Linux's
 * IO_TLB_SIZE, IO_TLB_SEGSIZE) */
static bool f_swiotlb_size(Loader *ld, yaml_node_t *v, void *dst)
{
    uint64_t x;
    if (!ld_f_size(ld, v, &x))
        return false;
    if (x % (256 * 1024) || x > (1ull << 32))
        return ld_fail(ld, v, "swiotlb_size is a multiple of 256 KiB (a "
                              "segment of 128 slots of 2 KiB) up to 4 GiB");
    *(uint64_t *)dst = x;
    return true;
}

typedef struct CmaYaml {
    uint64_t size, below;
    bool has_below;
} CmaYaml;

static bool f_cma_below(Loader *ld, yaml_node_t *v, void *dst)
{
    CmaYaml *y = (CmaYaml *)((char *)dst - offsetof(CmaYaml, below));
    y->has_below = true;
    return ld_f_u64(ld, v, dst);
}

static const Field cma_fields[] = {
    {"size", ld_f_size, offsetof(CmaYaml, size), true},
    {"below", f_cma_below, offsetof(CmaYaml, below), false},
    FIELD_END,
};

/* cma: {size, below}: Linux's cma= and its placement limit */
static bool f_cma(Loader *ld, yaml_node_t *v, void *dst)
{
    KernelParams *k = (KernelParams *)((char *)dst -
                                       offsetof(KernelParams, cma_size));
    CmaYaml y = {0};
    FieldSet set = {cma_fields, &y};
    if (!ld_expect_map(ld, v, "a mapping {size, below}") ||
        !ld_map_fields(ld, v, &set, 1))
        return false;
    if (y.has_below && !y.below) {
        ld_push_key(ld, "below");
        return ld_fail(ld, ld_map_get(ld, v, "below"),
                       "below is an address above 0");
    }
    k->cma_size = y.size;
    k->cma_below = y.has_below ? y.below - 1 : UINT64_MAX;
    return true;
}

static const Field kernel_fields[] = {
    {"page_size", f_page_size, offsetof(KernelParams, page_size), false},
    {"page_offset", ld_f_u64, offsetof(KernelParams, page_offset), false},
    {"pci_dram_offset", ld_f_u64, offsetof(KernelParams, pci_dram_offset),
     false},
    {"coherent", ld_f_bool, offsetof(KernelParams, coherent), false},
    {"arch", f_arch, offsetof(KernelParams, arch), false},
    {"swiotlb", f_swiotlb, offsetof(KernelParams, swiotlb_force), false},
    {"swiotlb_size", f_swiotlb_size, offsetof(KernelParams, swiotlb_size),
     false},
    {"cma", f_cma, offsetof(KernelParams, cma_size), false},
    FIELD_END,
};

static bool f_kernel(Loader *ld, yaml_node_t *v, void *dst)
{
    KernelParams *k = dst;
    k->pos = ld_pos(ld, v);
    FieldSet set = {kernel_fields, k};
    if (!ld_map_fields(ld, v, &set, 1))
        return false;
    /* arm64's linear map (48-bit virtual addresses) */
    if (k->arch == ARCH_ARM64 && !ld_map_get(ld, v, "page_offset"))
        k->page_offset = 0xFFFF000000000000ull;
    if (k->page_offset % k->page_size)
        return ld_fail(ld, v, "page_offset must be a multiple of page_size");
    return true;
}

/* ---- buses ------------------------------------------------------------- */

static bool f_bus_kind(Loader *ld, yaml_node_t *v, void *dst)
{
    const char *s = ld_scalar(ld, v, "a bus kind");
    if (!s)
        return false;
    const BusKind *k = bus_kind_find(s);
    if (!k)
        return ld_fail(ld, v, "unknown bus kind '%s' (known: %s)", s,
                       bus_kind_names());
    *(const BusKind **)dst = k;
    return true;
}

static const Field bus_fields[] = {
    {"name", ld_f_name, offsetof(BusParams, name), true},
    {"kind", ld_f_skip, 0, true},
    {"clock", ld_f_ref, offsetof(BusParams, clock), true},
    {"width", ld_f_count, offsetof(BusParams, width_bits), false},
    {"address_bits", ld_f_bits, offsetof(BusParams, address_bits), false},
    FIELD_END,
};

static bool parse_bus(Loader *ld, yaml_node_t *m, void *elem, void *ctx)
{
    (void)ctx;
    BusParams *b = elem;
    b->pos = ld_pos(ld, m);
    b->path = ld_path(ld);
    if (!ld_expect_map(ld, m, "a bus (a mapping)"))
        return false;
    yaml_node_t *kn = ld_map_get(ld, m, "kind");
    if (!kn)
        return ld_fail(ld, m, "missing required key 'kind'");
    size_t old = ld_push_key(ld, "kind");
    if (!f_bus_kind(ld, kn, &b->kind))
        return false;
    ld_pop(ld, old);
    b->timing = *b->kind->defaults;
    FieldSet sets[2] = {{bus_fields, b}, {b->kind->fields, &b->timing}};
    if (!ld_map_fields(ld, m, sets, b->kind->fields ? 2 : 1))
        return false;
    if (b->width_bits == 0)
        b->width_bits = b->kind->default_width;
    bool width_ok = false;
    for (const unsigned *w = b->kind->widths; *w; w++)
        width_ok |= *w == b->width_bits;
    if (!width_ok) {
        char allowed[64] = "";
        size_t n = 0;
        for (const unsigned *w = b->kind->widths; *w; w++)
            n += (size_t)snprintf(allowed + n, sizeof allowed - n, "%s%u",
                                  w == b->kind->widths ? ""
                                  : w[1]               ? ", "
                                                       : " or ",
                                  *w);
        yaml_node_t *wn = ld_map_get(ld, m, "width");
        old = ld_push_key(ld, "width");
        return ld_fail(ld, wn ? wn : m, "a %s bus is %s bits wide, not %u",
                       b->kind->name, allowed, b->width_bits);
    }
    return true;
}

static bool f_buses(Loader *ld, yaml_node_t *v, void *dst)
{
    Topology *t = dst;
    t->buses = ld_list(ld, v, "a list of buses", sizeof *t->buses,
                       &t->n_buses, parse_bus, t);
    if (t->buses && t->n_buses == 0)
        return ld_fail(ld, v, "no buses: a topology needs at least one");
    return t->buses != NULL;
}

/* ---- components -------------------------------------------------------- */

static const Field comp_fields_bus[] = {
    {"name", ld_f_name, offsetof(CompParams, name), true},
    {"kind", ld_f_skip, 0, true},
    {"bus", ld_f_ref, offsetof(CompParams, bus), true},
    {"clock", ld_f_ref, offsetof(CompParams, clock), false},
    FIELD_END,
};

static const Field comp_fields_nobus[] = {
    {"name", ld_f_name, offsetof(CompParams, name), true},
    {"kind", ld_f_skip, 0, true},
    {"clock", ld_f_ref, offsetof(CompParams, clock), false},
    FIELD_END,
};

static bool parse_comp(Loader *ld, yaml_node_t *m, void *elem, void *ctx)
{
    Topology *t = ctx;
    CompParams *c = elem;
    c->pos = ld_pos(ld, m);
    c->path = ld_path(ld);
    if (!ld_expect_map(ld, m, "a component (a mapping)"))
        return false;
    yaml_node_t *kn = ld_map_get(ld, m, "kind");
    if (!kn)
        return ld_fail(ld, m, "missing required key 'kind'");
    size_t old = ld_push_key(ld, "kind");
    const char *ks = ld_scalar(ld, kn, "a component kind");
    if (!ks)
        return false;
    c->kind = model_kind_find(ks);
    if (!c->kind)
        return ld_fail(ld, kn, "unknown component kind '%s' (known: %s)", ks,
                       model_kind_names());
    ld_pop(ld, old);
    c->priv = c->kind->priv_size ? arena_alloc(t->arena, c->kind->priv_size)
                                 : NULL;
    if (c->priv && c->kind->priv_defaults)
        memcpy(c->priv, c->kind->priv_defaults, c->kind->priv_size);
    FieldSet sets[2] = {
        {c->kind->has_bus ? comp_fields_bus : comp_fields_nobus, c},
        {c->kind->fields, c->priv},
    };
    if (!ld_map_fields(ld, m, sets, c->kind->fields ? 2 : 1))
        return false;
    return c->kind->finish ? c->kind->finish(ld, m, c) : true;
}

static bool f_components(Loader *ld, yaml_node_t *v, void *dst)
{
    Topology *t = dst;
    t->comps = ld_list(ld, v, "a list of components", sizeof *t->comps,
                       &t->n_comps, parse_comp, t);
    return t->comps != NULL;
}

/* ---- top level --------------------------------------------------------- */

static bool f_top_kernel(Loader *ld, yaml_node_t *v, void *dst)
{
    return f_kernel(ld, v, &((Topology *)dst)->kernel);
}

static const Field top_fields[] = {
    {"name", ld_f_name, offsetof(Topology, name), true},
    {"description", ld_f_str, offsetof(Topology, description), false},
    {"address_bits", ld_f_bits, offsetof(Topology, address_bits), false},
    {"clocks", f_clocks, 0, true},
    {"kernel", f_top_kernel, 0, false},
    {"buses", f_buses, 0, true},
    {"components", f_components, 0, true},
    FIELD_END,
};

bool topo_parse(Loader *ld, Topology *t)
{
    t->file = ld->file;
    t->address_bits = 32;
    t->kernel.page_size = 4096;
    t->kernel.page_offset = 0xC0000000u;
    t->kernel.pci_dram_offset = 0;
    t->kernel.swiotlb_size = 64ull << 20; /* Linux's default */
    t->kernel.pos = (SrcPos){ld->file, 1, 1};
    /* Field offsets of the top table are relative to the Topology itself;
     * the list parsers take the Topology and fill its arrays. */
    FieldSet set = {top_fields, t};
    return ld_map_fields(ld, loader_root(ld), &set, 1);
}
