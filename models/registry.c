/* The one table mapping YAML `kind:` names to model and bus kinds. */
#include <string.h>

#include "models/bridge.h"
#include "models/bus.h"
#include "models/cpu.h"
#include "models/device.h"
#include "models/dma.h"
#include "models/memory.h"
#include "sim/hw/kinds.h"

static const ModelKind *const model_kinds[] = {
    &bridge_kind, &cpu_kind, &device_kind, &dma_kind, &sdram_kind, &sram_kind,
    NULL,
};

static const BusKind *const bus_kinds[] = {
    &opb_bus_kind, &pci_bus_kind, &pcix_bus_kind, &plb_bus_kind, NULL,
};

const ModelKind *model_kind_find(const char *name)
{
    for (const ModelKind *const *k = model_kinds; *k; k++)
        if (!strcmp((*k)->name, name))
            return *k;
    return NULL;
}

const BusKind *bus_kind_find(const char *name)
{
    for (const BusKind *const *k = bus_kinds; *k; k++)
        if (!strcmp((*k)->name, name))
            return *k;
    return NULL;
}

/* Names joined with ", ", from the tables above (kept in name order). */
#define JOIN_NAMES(buf, table)                                             \
    do {                                                                   \
        if (!buf[0])                                                       \
            for (size_t i_ = 0; table[i_]; i_++) {                         \
                if (i_)                                                    \
                    strncat(buf, ", ", sizeof buf - strlen(buf) - 1);      \
                strncat(buf, table[i_]->name, sizeof buf - strlen(buf) - 1); \
            }                                                              \
    } while (0)

const char *model_kind_names(void)
{
    static char buf[256];
    JOIN_NAMES(buf, model_kinds);
    return buf;
}

const char *bus_kind_names(void)
{
    static char buf[128];
    JOIN_NAMES(buf, bus_kinds);
    return buf;
}
