#include "models/regions.h"

#include <stdlib.h>

struct Regions {
    size_t n;
    Store **stores;
    Fifo **fifos;
};

Regions *regions_new(const CompParams *c)
{
    Regions *r = calloc(1, sizeof *r);
    r->n = c->n_regions;
    r->stores = calloc(r->n ? r->n : 1, sizeof *r->stores);
    r->fifos = calloc(r->n ? r->n : 1, sizeof *r->fifos);
    if (!r->stores || !r->fifos)
        abort();
    for (size_t i = 0; i < r->n; i++) {
        if (c->regions[i].kind == REGION_FIFO)
            r->fifos[i] = fifo_new();
        else
            r->stores[i] = store_new(c->regions[i].size_bytes);
    }
    return r;
}

void regions_free(Regions *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        store_free(r->stores[i]);
        fifo_free(r->fifos[i]);
    }
    free(r->stores);
    free(r->fifos);
    free(r);
}

void regions_access(Regions *r, int region, uint64_t off, XactDir dir,
                    uint8_t *data, uint64_t len)
{
    /* A FIFO is one register: every byte goes to, or comes from, the
     * queue in order, whatever its offset. */
    if (r->fifos[region]) {
        if (dir == XACT_WRITE)
            fifo_write(r->fifos[region], data, len);
        else
            fifo_read(r->fifos[region], data, len);
    } else if (dir == XACT_WRITE) {
        store_write(r->stores[region], off, data, len);
    } else {
        store_read(r->stores[region], off, data, len);
    }
}

void *regions_model_new(const CompParams *c)
{
    return regions_new(c);
}

void regions_model_free(void *m)
{
    regions_free(m);
}

void regions_model_access(void *m, const CompParams *c, int region,
                          uint64_t off, XactDir dir, uint8_t *data,
                          uint64_t len)
{
    (void)c;
    regions_access(m, region, off, dir, data, len);
}

Regions *regions_self(void *m)
{
    return m;
}

Store *regions_store(Regions *r, int region)
{
    return r->stores[region];
}

Fifo *regions_fifo(Regions *r, int region)
{
    return r->fifos[region];
}
