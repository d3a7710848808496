#include "models/memory.h"

#include <stddef.h>

#include "models/regions.h"

static const Field memory_fields[] = {
    {"base", ld_f_u64, offsetof(MemoryParams, base), true},
    {"size", ld_f_size, offsetof(MemoryParams, size_bytes), true},
    {"latency_cycles", ld_f_cycles, offsetof(MemoryParams, latency_cycles),
     false},
    {"wait_states", ld_f_cycles, offsetof(MemoryParams, wait_states), false},
    FIELD_END,
};

/* DDR-266 (JEDEC 2.5-3-3) behind a 133 MHz PLB: tRCD 3 + CL 2.5 rounded
 * up is about 5 bus cycles to the first data with the row closed.  Open
 * rows and banks are not modelled yet (docs/timing.md). */
static const MemoryParams sdram_defaults = {.latency_cycles = 5};
/* On-chip SRAM answers in one cycle. */
static const MemoryParams sram_defaults = {.latency_cycles = 1};

static TargetTiming memory_timing(const CompParams *c)
{
    const MemoryParams *p = c->priv;
    return (TargetTiming){p->latency_cycles, p->wait_states, 0};
}

static void *memory_new(const CompParams *c)
{
    return regions_new(c);
}

static void memory_free(void *m)
{
    regions_free(m);
}

static void memory_access(void *m, const CompParams *c, int region,
                          uint64_t off, XactDir dir, uint8_t *data,
                          uint64_t len)
{
    (void)c;
    regions_access(m, region, off, dir, data, len);
}

static bool memory_finish(Loader *ld, yaml_node_t *map, CompParams *c)
{
    const MemoryParams *p = c->priv;
    c->regions = arena_alloc(ld->arena, sizeof *c->regions);
    c->n_regions = 1;
    c->regions[0] = (RegionParams){p->base, p->size_bytes, REGION_MEMORY,
                                   ld_pos(ld, map), c->path};
    return true;
}

const ModelKind sdram_kind = {
    .name = "sdram",
    .summary = "system RAM behind a memory controller",
    .fields = memory_fields,
    .priv_size = sizeof(MemoryParams),
    .priv_defaults = &sdram_defaults,
    .has_bus = true,
    .is_system_ram = true,
    .finish = memory_finish,
    .timing = memory_timing,
    .model_new = memory_new,
    .model_free = memory_free,
    .access = memory_access,
};

const ModelKind sram_kind = {
    .name = "sram",
    .summary = "on-chip static RAM",
    .fields = memory_fields,
    .priv_size = sizeof(MemoryParams),
    .priv_defaults = &sram_defaults,
    .has_bus = true,
    .finish = memory_finish,
    .timing = memory_timing,
    .model_new = memory_new,
    .model_free = memory_free,
    .access = memory_access,
};
