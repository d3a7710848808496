#include "models/memory.h"

#include <stddef.h>

static const Field memory_fields[] = {
    {"base", ld_f_u64, offsetof(MemoryParams, base), true},
    {"size", ld_f_size, offsetof(MemoryParams, size_bytes), true},
    FIELD_END,
};

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
    .has_bus = true,
    .is_system_ram = true,
    .finish = memory_finish,
};

const ModelKind sram_kind = {
    .name = "sram",
    .summary = "on-chip static RAM",
    .fields = memory_fields,
    .priv_size = sizeof(MemoryParams),
    .has_bus = true,
    .finish = memory_finish,
};
