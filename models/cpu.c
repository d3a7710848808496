#include "models/cpu.h"

static bool cpu_finish(Loader *ld, yaml_node_t *map, CompParams *c)
{
    (void)ld;
    (void)map;
    c->is_master = true; /* drives every address of its bus */
    return true;
}

static const Field cpu_fields[] = {FIELD_END};

const ModelKind cpu_kind = {
    .name = "cpu",
    .summary = "processor core; masters its bus with physical addresses",
    .fields = cpu_fields,
    .has_bus = true,
    .finish = cpu_finish,
};
