#include "models/device.h"

#include <stddef.h>
#include <stdlib.h>
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

/* A device master's own keys besides the engine's: whether it is a copy
 * engine (dmaengine's DMA_MEMCPY capability). */
static const Field master_fields[] = {
    {"memcpy", ld_f_bool, offsetof(DmaParams, memcpy), false},
    FIELD_END,
};

static bool f_master(Loader *ld, yaml_node_t *v, void *dst)
{
    DeviceParams *p = dst;
    p->has_master = true;
    p->master_pos = ld_pos(ld, v);
    p->master_path = ld_path(ld);
    FieldSet sets[2] = {{dma_engine_fields, &p->engine},
                        {master_fields, &p->engine}};
    return ld_map_fields(ld, v, sets, 2);
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
 * its first data (PCI 2.2 §3.5.1 allows up to 16).  Its bus master is the
 * DMA engine's model with one channel and a 128-byte FIFO (an assumption:
 * PCI bus-master cards of the period buffered 64 to 256 bytes). */
static const DeviceParams device_defaults = {
    .latency_cycles = 2,
    .engine = {.channels = 1, .buffer_bytes = 128, .desc_bytes = 32,
               .setup_cycles = 2, .irq_cycles = 4},
};

/* The model: the region bytes, and the master's channels. */
typedef struct DeviceModel {
    Regions *r;
    DmaEngine *engine;
} DeviceModel;

static void *device_new(const CompParams *c)
{
    const DeviceParams *p = c->priv;
    DeviceModel *m = calloc(1, sizeof *m);
    if (!m)
        abort();
    m->r = regions_new(c);
    if (p->has_master)
        m->engine = dma_engine_new(&p->engine);
    return m;
}

static void device_free(void *m)
{
    DeviceModel *d = m;
    regions_free(d->r);
    dma_engine_free(d->engine);
    free(d);
}

static void device_access(void *m, const CompParams *c, int region,
                          uint64_t off, XactDir dir, uint8_t *data,
                          uint64_t len)
{
    (void)c;
    regions_access(((DeviceModel *)m)->r, region, off, dir, data, len);
}

static Regions *device_regions(void *m)
{
    return ((DeviceModel *)m)->r;
}

static DmaEngine *device_engine(void *m)
{
    return ((DeviceModel *)m)->engine;
}

static const DmaParams *device_engine_params(const CompParams *c)
{
    const DeviceParams *p = c->priv;
    return p->has_master ? &p->engine : NULL;
}

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
    c->dma_mask_bits = p->engine.dma_mask_bits;
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
    .model_new = device_new,
    .model_free = device_free,
    .access = device_access,
    .regions = device_regions,
    .engine = device_engine,
    .engine_params = device_engine_params,
};
