/* The bytes behind a component's regions: a sparse Store for memory and
 * I/O regions, a Fifo for FIFO registers.  Shared by the memory and device
 * models. */
#ifndef DMASIM_MODELS_REGIONS_H
#define DMASIM_MODELS_REGIONS_H

#include "sim/hw/kinds.h"
#include "sim/core/store.h"

typedef struct Regions Regions; /* struct Regions in sim/kinds.h */

/* Ops for kinds whose whole model is a Regions (device, sram): point the
 * kind's model_new, model_free, access and regions at these. */
void *regions_model_new(const CompParams *c);
void regions_model_free(void *m);
void regions_model_access(void *m, const CompParams *c, int region,
                          uint64_t off, XactDir dir, uint8_t *data,
                          uint64_t len);
Regions *regions_self(void *m);

Regions *regions_new(const CompParams *c);
void regions_free(Regions *r);
void regions_access(Regions *r, int region, uint64_t off, XactDir dir,
                    uint8_t *data, uint64_t len);
Store *regions_store(Regions *r, int region); /* NULL for a FIFO */
Fifo *regions_fifo(Regions *r, int region);   /* NULL unless a FIFO */

#endif
