/* Bus kinds.  Widths and address spaces follow the parts: the PLB of the
 * 405GP is 64 bits wide, the 440GP's 128 (PPC440GP User's Manual, PLB
 * chapter); the OPB is 32 bits with 32-bit addresses; conventional PCI has
 * 32-bit memory addressing unless devices use dual address cycles, PCI-X
 * 64-bit (PCI 2.2 §3.2.2, PCI-X 1.0); both PCI kinds have an I/O space.
 *
 * Every kind shares the generic bus formula of docs/timing.md; only its
 * cycle counts differ, and each can be overridden per bus in YAML. */
#include "models/bus.h"

#include <stddef.h>
#include <string.h>

static const unsigned plb_widths[] = {32, 64, 128, 0};
static const unsigned opb_widths[] = {8, 16, 32, 0};
static const unsigned pci_widths[] = {32, 64, 0};

static bool f_arbitration(Loader *ld, yaml_node_t *v, void *dst)
{
    const char *s = ld_scalar(ld, v, "an arbitration policy");
    if (!s)
        return false;
    if (!strcmp(s, "round-robin"))
        *(ArbPolicy *)dst = ARB_ROUND_ROBIN;
    else if (!strcmp(s, "fifo"))
        *(ArbPolicy *)dst = ARB_FIFO;
    else if (!strcmp(s, "priority"))
        *(ArbPolicy *)dst = ARB_PRIORITY;
    else
        return ld_fail(ld, v,
                       "unknown arbitration '%s' (known: round-robin, fifo, "
                       "priority)",
                       s);
    return true;
}

static const Field timing_fields[] = {
    {"arb_cycles", ld_f_cycles, offsetof(BusTiming, arb_cycles), false},
    {"addr_cycles", ld_f_cycles, offsetof(BusTiming, addr_cycles), false},
    {"dac_cycles", ld_f_cycles, offsetof(BusTiming, dac_cycles), false},
    {"turnaround_cycles", ld_f_cycles, offsetof(BusTiming, turnaround_cycles),
     false},
    {"max_burst", ld_f_cycles, offsetof(BusTiming, max_burst_beats), false},
    {"abort_cycles", ld_f_cycles, offsetof(BusTiming, abort_cycles), false},
    {"latency_timer", ld_f_cycles, offsetof(BusTiming, latency_timer),
     false},
    {"arbitration", f_arbitration, offsetof(BusTiming, arbitration), false},
    {"split_read_write", ld_f_bool, offsetof(BusTiming, split_rw), false},
    {"address_pipelining", ld_f_bool, offsetof(BusTiming, pipelined), false},
    {"max_read_byte_count", ld_f_cycles,
     offsetof(BusTiming, split_read_bytes), false},
    {"adb", ld_f_cycles, offsetof(BusTiming, adb_bytes), false},
    {"retry_poll_cycles", ld_f_cycles,
     offsetof(BusTiming, retry_poll_cycles), false},
    FIELD_END,
};

/* CoreConnect PLB: one arbitration and one address cycle per burst,
 * bursts of up to 16 beats, a 16-cycle time-out when no slave answers,
 * separate read and write data buses, and address pipelining (the next
 * request's address phase overlaps the current data phase). */
static const BusTiming plb_timing = {
    .arb_cycles = 1, .addr_cycles = 1, .max_burst_beats = 16,
    .abort_cycles = 16, .split_rw = true, .pipelined = true,
};

/* OPB: single transfers, one arbitration and one address cycle each, and
 * the same 16-cycle time-out. */
static const BusTiming opb_timing = {
    .arb_cycles = 1, .addr_cycles = 1, .max_burst_beats = 1,
    .abort_cycles = 16,
};

/* PCI 2.2: one address phase (two with a dual address cycle), a turnaround
 * cycle after each transaction, master abort when no DEVSEL# by the fifth
 * clock (§3.3.3.1), and a latency timer (§3.5.4) that firmware commonly
 * sets to 64 cycles.  A master told to retry releases the bus and asks
 * again: after at least two idle clocks (§3.3.3.2.2), the polling a delayed
 * read costs the bus. */
static const BusTiming pci_timing = {
    .arb_cycles = 1, .addr_cycles = 1, .dac_cycles = 1,
    .turnaround_cycles = 1, .abort_cycles = 5, .latency_timer = 64,
    .retry_poll_cycles = 2,
};

/* PCI-X 1.0: an address phase and an attribute phase; a read that a
 * bridge forwards is a split transaction (§2.10: split response, then the
 * bridge's split completion), each of up to the requester's Maximum
 * Memory Read Byte Count, 512 bytes after reset (§7.2.3).  Transactions
 * are disconnected only at an allowable disconnect boundary, every 128
 * bytes: a full posted-write buffer, a split completion whose data runs
 * dry, and an expired latency timer all end at the next one (Intel 41210
 * manual §3.2.7.2). */
static const BusTiming pcix_timing = {
    .arb_cycles = 1, .addr_cycles = 2, .dac_cycles = 1,
    .turnaround_cycles = 1, .abort_cycles = 5, .latency_timer = 64,
    .split_read_bytes = 512, .retry_poll_cycles = 2, .adb_bytes = 128,
};

const BusKind plb_bus_kind = {
    .name = "plb",
    .summary = "processor local bus (the root of a 4xx SoC)",
    .widths = plb_widths,
    .default_width = 64,
    .default_address_bits = 0, /* the topology's address_bits */
    .has_io_space = false,
    .fields = timing_fields,
    .defaults = &plb_timing,
};

const BusKind opb_bus_kind = {
    .name = "opb",
    .summary = "on-chip peripheral bus",
    .widths = opb_widths,
    .default_width = 32,
    .default_address_bits = 32,
    .has_io_space = false,
    .fields = timing_fields,
    .defaults = &opb_timing,
};

const BusKind pci_bus_kind = {
    .name = "pci",
    .summary = "conventional PCI",
    .widths = pci_widths,
    .default_width = 32,
    .default_address_bits = 32,
    .has_io_space = true,
    .fields = timing_fields,
    .defaults = &pci_timing,
};

const BusKind pcix_bus_kind = {
    .name = "pcix",
    .summary = "PCI-X",
    .widths = pci_widths,
    .default_width = 64,
    .default_address_bits = 64,
    .has_io_space = true,
    .fields = timing_fields,
    .defaults = &pcix_timing,
};
