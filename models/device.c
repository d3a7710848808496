#include "models/device.h"

#include <stddef.h>
#include <string.h>

#include "models/regions.h"

typedef struct RegionYaml {
    uint64_t base, size_bytes;
    char *kind;
} RegionYaml;

static const Field region_fields[] = {
    {"base", ld_f_u64, offsetof(RegionYaml, base), true},
    {"size", ld_f_size, offsetof(RegionYaml, size_bytes), true},
    {"kind", ld_f_str, offsetof(RegionYaml, kind), false},
    FIELD_END,
};

static bool region_item(Loader *ld, yaml_node_t *m, void *elem, void *ctx)
{
    RegionParams *r = elem;
    RegionYaml y = {0};
    FieldSet set = {region_fields, &y};
    if (!ld_map_fields(ld, m, &set, 1))
        return false;
    r->base = y.base;
    r->size_bytes = y.size_bytes;
    r->pos = ld_pos(ld, m);
    r->path = ld_path(ld);
    if (!y.kind || !strcmp(y.kind, "memory"))
        r->kind = REGION_MEMORY;
    else if (!strcmp(y.kind, "fifo"))
        r->kind = REGION_FIFO;
    else if (!strcmp(y.kind, "io"))
        r->kind = REGION_IO;
    else {
        ld_push_key(ld, "kind");
        return ld_fail(ld, ld_map_get(ld, m, "kind"),
                       "unknown region kind '%s' (known: memory, fifo, io)",
                       y.kind);
    }
    return true;
}

bool device_f_regions(Loader *ld, yaml_node_t *v, void *dst)
{
    DeviceParams *p = dst;
    p->regions = ld_list(ld, v, "a list of regions", sizeof *p->regions,
                         &p->n_regions, region_item, NULL);
    return p->regions != NULL;
}

static const Field master_fields[] = {
    {"dma_mask", ld_f_bits, offsetof(DeviceParams, dma_mask_bits), false},
    FIELD_END,
};

static bool f_master(Loader *ld, yaml_node_t *v, void *dst)
{
    DeviceParams *p = dst;
    p->has_master = true;
    p->master_pos = ld_pos(ld, v);
    p->master_path = ld_path(ld);
    FieldSet set = {master_fields, p};
    return ld_map_fields(ld, v, &set, 1);
}

static const Field device_fields[] = {
    {"regions", device_f_regions, 0, false},
    {"master", f_master, 0, false},
    {"latency_cycles", ld_f_cycles, offsetof(DeviceParams, latency_cycles),
     false},
    {"wait_states", ld_f_cycles, offsetof(DeviceParams, wait_states), false},
    FIELD_END,
};

/* A PCI target with medium DEVSEL# timing (1 cycle) and one more cycle to
 * its first data (PCI 2.2 §3.5.1 allows up to 16). */
static const DeviceParams device_defaults = {.latency_cycles = 2};

static TargetTiming device_timing(void *m, const CompParams *c,
                                  const TimingQuery *q)
{
    (void)m;
    (void)q;
    const DeviceParams *p = c->priv;
    return (TargetTiming){p->latency_cycles, p->wait_states, 0};
}


static bool device_finish(Loader *ld, yaml_node_t *map, CompParams *c)
{
    DeviceParams *p = c->priv;
    if (!p->n_regions && !p->has_master)
        return ld_fail(ld, map,
                       "a device needs regions, a master, or both");
    c->regions = p->regions;
    c->n_regions = p->n_regions;
    c->is_master = p->has_master;
    c->dma_mask_bits = p->dma_mask_bits;
    c->mask_pos = p->master_pos;
    c->mask_path = p->master_path;
    return true;
}

const ModelKind device_kind = {
    .name = "device",
    .summary = "a device with memory/FIFO/I/O regions and an optional DMA "
               "master",
    .fields = device_fields,
    .priv_size = sizeof(DeviceParams),
    .priv_defaults = &device_defaults,
    .has_bus = true,
    .finish = device_finish,
    .timing = device_timing,
    .model_new = regions_model_new,
    .model_free = regions_model_free,
    .access = regions_model_access,
    .regions = regions_self,
};
