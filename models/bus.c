/* Bus kinds.  Widths and address spaces follow the parts: the PLB of the
 * 405GP is 64 bits wide, the 440GP's 128 (PPC440GP User's Manual, PLB
 * chapter); the OPB is 32 bits with 32-bit addresses; conventional PCI has
 * 32-bit memory addressing unless devices use dual address cycles, PCI-X
 * 64-bit (PCI 2.2 §3.2.2, PCI-X 1.0); both PCI kinds have an I/O space. */
#include "models/bus.h"

static const unsigned plb_widths[] = {32, 64, 128, 0};
static const unsigned opb_widths[] = {8, 16, 32, 0};
static const unsigned pci_widths[] = {32, 64, 0};

const BusKind plb_bus_kind = {
    .name = "plb",
    .summary = "processor local bus (the root of a 4xx SoC)",
    .widths = plb_widths,
    .default_width = 64,
    .default_address_bits = 0, /* the topology's address_bits */
    .has_io_space = false,
};

const BusKind opb_bus_kind = {
    .name = "opb",
    .summary = "on-chip peripheral bus",
    .widths = opb_widths,
    .default_width = 32,
    .default_address_bits = 32,
    .has_io_space = false,
};

const BusKind pci_bus_kind = {
    .name = "pci",
    .summary = "conventional PCI",
    .widths = pci_widths,
    .default_width = 32,
    .default_address_bits = 32,
    .has_io_space = true,
};

const BusKind pcix_bus_kind = {
    .name = "pcix",
    .summary = "PCI-X",
    .widths = pci_widths,
    .default_width = 64,
    .default_address_bits = 64,
    .has_io_space = true,
};
