#include "models/dma.h"

#include <stddef.h>

static const Field dma_fields[] = {
    {"channels", ld_f_count, offsetof(DmaParams, channels), false},
    {"dma_mask", ld_f_bits, offsetof(DmaParams, dma_mask_bits), false},
    FIELD_END,
};

static bool dma_finish(Loader *ld, yaml_node_t *map, CompParams *c)
{
    DmaParams *p = c->priv;
    if (!p->channels)
        p->channels = 4; /* the 405GP and 440GP controllers have four */
    c->is_master = true;
    c->dma_mask_bits = p->dma_mask_bits;
    c->mask_pos = ld_pos(ld, map);
    c->mask_path = c->path;
    return true;
}

const ModelKind dma_kind = {
    .name = "dma",
    .summary = "DMA controller: a multi-channel bus master",
    .fields = dma_fields,
    .priv_size = sizeof(DmaParams),
    .has_bus = true,
    .finish = dma_finish,
};
