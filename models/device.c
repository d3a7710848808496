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
 * engine (dmaengine's DMA_MEMCPY capability), and on PCI-X its Maximum
 * Memory Read Byte Count (its bus's when not given). */
static const Field master_fields[] = {
    {"memcpy", ld_f_bool, offsetof(DmaParams, memcpy), false},
    {"max_read_byte_count", ld_f_count, offsetof(DmaParams, max_read_bytes),
     false},
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
    {"local_width", ld_f_bits, offsetof(DeviceParams, local_width), false},
    {"local_clock", ld_f_freq, offsetof(DeviceParams, local_hz), false},
    {"local_latency", ld_f_cycles, offsetof(DeviceParams, local_latency),
     false},
    FIELD_END,
};

/* A PCI target with medium DEVSEL# timing (1 cycle) and one more cycle to
 * its first data (PCI 2.2 §3.5.1 allows up to 16).  Its own memory, as
 * its master reaches it, is 64 bits wide at 133 MHz with 2 cycles to
 * first data: a little over 1 GB/s, as Myricom's PCI64 cards had ("more
 * than 1 GByte/s of local-memory data rate"; an assumption for other
 * cards, whose local memories ran from a few hundred MB/s up).  Its bus
 * master is the DMA engine's model with one channel, transactions of up
 * to 4 KiB (PCI-X's largest byte count, and a page), a FIFO of two of
 * them, and one read in flight (PCI-X's outstanding split transactions
 * after reset): assumptions too (cards of the period buffered from a few
 * hundred bytes to megabytes of local memory). */
static const DeviceParams device_defaults = {
    .latency_cycles = 2,
    .local_width = 64,
    .local_hz = 133333333,
    .local_latency = 2,
    .engine = {.channels = 1, .max_burst = 4096, .max_reads = 1,
               .desc_bytes = 32, .setup_cycles = 2, .irq_cycles = 4},
};

/* The model: the region bytes, the master's channels, and when its own
 * memory's port is free. */
typedef struct DeviceModel {
    Regions *r;
    DmaEngine *engine;
    Clock local;           /* local_clock */
    SimTime local_free;
} DeviceModel;

static void *device_new(const CompParams *c)
{
    const DeviceParams *p = c->priv;
    DeviceModel *m = calloc(1, sizeof *m);
    if (!m)
        abort();
    m->r = regions_new(c);
    m->local = clock_of(p->local_hz);
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

/* Its master reaching its own memory: local_latency cycles, then a beat
 * of local_width bits a cycle, at local_clock, one access after another
 * through the one port. */
static SimTime device_local_access(void *m, const CompParams *c, int region,
                                   uint64_t off, uint64_t len, SimTime now)
{
    (void)region;
    DeviceModel *d = m;
    const DeviceParams *p = c->priv;
    uint64_t w = p->local_width / 8 ? p->local_width / 8 : 1;
    uint64_t beats = (off % w + len + w - 1) / w;
    SimTime start = now > d->local_free ? now : d->local_free;
    d->local_free = clock_after(&d->local, start, p->local_latency + beats);
    return d->local_free;
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
    c->max_read_bytes = p->engine.max_read_bytes;
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
    .local_access = device_local_access,
    .regions = device_regions,
    .engine = device_engine,
    .engine_params = device_engine_params,
};
