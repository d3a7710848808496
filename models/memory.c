#include "models/memory.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "models/regions.h"

/* A memory decodes one region, [base, base + size), of memory kind. */
static void one_region(Loader *ld, yaml_node_t *map, CompParams *c,
                       uint64_t base, uint64_t size)
{
    c->regions = arena_alloc(ld->arena, sizeof *c->regions);
    c->n_regions = 1;
    c->regions[0] = (RegionParams){base, size, REGION_MEMORY,
                                   ld_pos(ld, map), c->path};
}

/* ---- SDRAM -------------------------------------------------------------- */

static const Field sdram_fields[] = {
    {"base", ld_f_u64, offsetof(SdramParams, base), true},
    {"size", ld_f_size, offsetof(SdramParams, size_bytes), true},
    {"banks", ld_f_count, offsetof(SdramParams, banks), false},
    {"row_size", ld_f_size, offsetof(SdramParams, row_bytes), false},
    {"cl", ld_f_cycles, offsetof(SdramParams, cl), false},
    {"trcd", ld_f_cycles, offsetof(SdramParams, trcd), false},
    {"trp", ld_f_cycles, offsetof(SdramParams, trp), false},
    {"wl", ld_f_cycles, offsetof(SdramParams, wl), false},
    {"twtr", ld_f_cycles, offsetof(SdramParams, twtr), false},
    {"trefi", ld_f_cycles, offsetof(SdramParams, trefi), false},
    {"trfc", ld_f_cycles, offsetof(SdramParams, trfc), false},
    {"data_width", ld_f_count, offsetof(SdramParams, data_bits), false},
    {"ddr", ld_f_bool, offsetof(SdramParams, ddr), false},
    FIELD_END,
};

/* DDR-266A (JEDEC JESD79, speed bin 2-3-3): CL 2, tRCD 3, tRP 3 at
 * 133 MHz; write data one clock after the command (tDQSS, nominal 1 tCK)
 * and a read command one clock after the last write data (tWTR 1 tCK);
 * a 256 Mbit part refreshes 8192 rows in 64 ms, one row every 7.8 us
 * (1040 cycles at 133 MHz), each refresh taking tRFC 75 ns (10 cycles).
 * A 64-bit DIMM of x8 256 Mbit chips has 4 banks and 1 KiB pages per
 * chip, 8 KiB across the DIMM. */
static const SdramParams sdram_defaults = {
    .banks = 4, .row_bytes = 8192, .cl = 2, .trcd = 3, .trp = 3, .wl = 1,
    .twtr = 1, .trefi = 1040, .trfc = 10, .data_bits = 64, .ddr = true,
};

/* An edge of the memory's clock with its index: cycles after it cost an
 * edge, not an index too (the index of a time is a division, of 128 bits
 * past 2^64 / 10^12 edges). */
typedef struct MemEdge {
    SimTime t;
    uint64_t n;
} MemEdge;

typedef struct Sdram {
    Regions *regions;
    uint64_t *open_row;    /* per bank; UINT64_MAX: precharged */
    MemEdge data_free;     /* its one data bus is free from then */
    MemEdge write_end;     /* the last write data */
    uint64_t refreshes;    /* refreshes done so far */
    uint64_t bytes;        /* that its data bus moved */
    SimTime first_data;    /* when it first moved any */
    /* what the timing computes again and again, kept: the refresh
     * period at the clock rate `hz`, and the end of refresh `k` */
    uint64_t hz, busy_k;
    SimTime period;
    MemEdge busy_end;
    SimTime window;        /* refresh k's time, k = window_k: times in
                              [window, window + period) come after it */
    uint64_t window_k;
    /* a bus beat's cycles for the last bus rate and width asked about */
    uint64_t beat_bus_hz, beat_w, beat_hz, beat;
    unsigned row_shift;    /* log2 of the row size, when a power of two */
    bool row_pow2;
    unsigned bank_shift;   /* log2 of the banks (a power of two) */
} Sdram;

static uint64_t div_up(uint64_t a, uint64_t b)
{
    return a / b + (a % b != 0);
}

/* The edge `cycles` memory clocks after t (from t's next edge), as
 * clock_after; t's index is known's when t is that edge (edges are
 * distinct up to 1 THz). */
static MemEdge mem_after(const Clock *clk, SimTime t, const MemEdge *known,
                         uint64_t cycles)
{
    uint64_t n = known && t == known->t && clk->hz <= PS_PER_S &&
                         t != SIM_TIME_MAX
                     ? known->n
                     : clock_edge_index(clk, t);
    return (MemEdge){clock_edge_after(clk, n, cycles), n + cycles};
}

TargetTiming sdram_timing(void *m, const CompParams *c, const TimingQuery *q)
{
    Sdram *s = m;
    const SdramParams *p = c->priv;
    const Clock *clk = q->own;
    uint64_t hz = clk->hz;
    SimTime at = q->at;
    MemEdge at_edge = {0, 0}; /* at, when it is an edge known */
    /* Refresh: the k-th at k x tREFI (k >= 1) holds the memory for tRFC
     * and leaves every bank precharged. */
    if (p->trefi) {
        if (s->hz != hz) {
            s->hz = hz;
            s->period = clock_edge(clk, p->trefi);
            s->busy_k = 0;
            s->window = s->window_k = 0;
        }
        /* k = at / period, without the division while at stays in the
         * window it was last in (times move forward, mostly) */
        if (at < s->window || at - s->window >= s->period) {
            s->window_k = at / s->period;
            s->window = s->window_k * s->period;
        }
        uint64_t k = s->window_k;
        if (k > s->refreshes) {
            s->refreshes = k;
            for (unsigned b = 0; b < p->banks; b++)
                s->open_row[b] = UINT64_MAX;
        }
        if (k && k != s->busy_k) {
            s->busy_k = k;
            s->busy_end = mem_after(clk, k * s->period, NULL, p->trfc);
        }
        if (k && at < s->busy_end.t) {
            at = s->busy_end.t;
            at_edge = s->busy_end;
        }
    }
    /* A read command waits tWTR after the last write data. */
    if (q->dir == XACT_READ && s->write_end.t) {
        MemEdge ok = mem_after(clk, s->write_end.t, &s->write_end, p->twtr);
        if (at < ok.t) {
            at = ok.t;
            at_edge = ok;
        }
    }
    uint64_t row_index =
        s->row_pow2 ? q->off >> s->row_shift : q->off / p->row_bytes;
    unsigned bank = (unsigned)(row_index & (p->banks - 1));
    uint64_t row = row_index >> s->bank_shift;
    /* Open-page policy: a row stays open until another row of its bank
     * is needed.  Reads wait CL for their data, writes WL. */
    uint64_t cas = q->dir == XACT_WRITE ? p->wl : p->cl, mem_cycles;
    if (s->open_row[bank] == row)
        mem_cycles = cas;                          /* row hit */
    else if (s->open_row[bank] == UINT64_MAX)
        mem_cycles = (uint64_t)p->trcd + cas;      /* bank idle */
    else
        mem_cycles = (uint64_t)p->trp + p->trcd + cas; /* row conflict */
    s->open_row[bank] = row;

    /* One data bus: the burst's data waits for the previous burst's, from
     * any path; it holds the bus for its bytes at the memory's rate (the
     * controller buffers a slower bus). */
    uint64_t per_mem_cycle = (uint64_t)p->data_bits / 8 * (p->ddr ? 2 : 1);
    MemEdge first = mem_after(clk, at, &at_edge, mem_cycles);
    if (first.t < s->data_free.t)
        first = s->data_free;
    if (!s->bytes)
        s->first_data = first.t;
    s->bytes += q->len;
    s->data_free =
        mem_after(clk, first.t, &first, div_up(q->len, per_mem_cycle));
    if (q->dir == XACT_WRITE)
        s->write_end = s->data_free;

    /* In bus cycles from the access's arrival to its first data; the data
     * rate sets the wait states: a bus beat of W bytes takes W /
     * (data_bits/8 x (ddr ? 2 : 1)) memory cycles, and when that is longer
     * than a bus cycle the difference is paid as wait states. */
    uint64_t initial = div_up((first.t - q->at) * q->bus_hz, PS_PER_S);
    uint64_t w = q->bus_width_bits / 8 ? q->bus_width_bits / 8 : 1;
    /* bus cycles per beat = ceil(w * bus_hz / (per_mem_cycle * mem_hz)) */
    if (q->bus_hz != s->beat_bus_hz || w != s->beat_w || hz != s->beat_hz) {
        s->beat_bus_hz = q->bus_hz;
        s->beat_w = w;
        s->beat_hz = hz;
        s->beat = div_up(w * q->bus_hz, per_mem_cycle * hz);
    }
    uint64_t beat = s->beat;
    return (TargetTiming){(unsigned)initial, beat > 1 ? (unsigned)(beat - 1) : 0,
                          0};
}

static void *sdram_new(const CompParams *c)
{
    const SdramParams *p = c->priv;
    Sdram *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    s->open_row = malloc(p->banks * sizeof *s->open_row);
    if (!s->open_row)
        abort();
    for (unsigned b = 0; b < p->banks; b++)
        s->open_row[b] = UINT64_MAX;
    s->regions = regions_new(c);
    s->row_pow2 = !(p->row_bytes & (p->row_bytes - 1));
    while (s->row_pow2 && (1ULL << s->row_shift) < p->row_bytes)
        s->row_shift++;
    while ((1u << s->bank_shift) < p->banks)
        s->bank_shift++;
    return s;
}

static void sdram_free(void *m)
{
    Sdram *s = m;
    regions_free(s->regions);
    free(s->open_row);
    free(s);
}

static void sdram_access(void *m, const CompParams *c, int region,
                         uint64_t off, XactDir dir, uint8_t *data,
                         uint64_t len)
{
    (void)c;
    regions_access(((Sdram *)m)->regions, region, off, dir, data, len);
}

static Regions *sdram_regions(void *m)
{
    return ((Sdram *)m)->regions;
}

static bool sdram_finish(Loader *ld, yaml_node_t *map, CompParams *c)
{
    const SdramParams *p = c->priv;
    if (p->banks & (p->banks - 1))
        return ld_fail(ld, map, "banks must be a power of two, not %u",
                       p->banks);
    if (p->data_bits % 8)
        return ld_fail(ld, map, "data_width must be a whole number of "
                                "bytes");
    one_region(ld, map, c, p->base, p->size_bytes);
    return true;
}

const ModelKind sdram_kind = {
    .name = "sdram",
    .summary = "system RAM behind a DDR SDRAM controller",
    .fields = sdram_fields,
    .priv_size = sizeof(SdramParams),
    .priv_defaults = &sdram_defaults,
    .has_bus = true,
    .is_system_ram = true,
    .finish = sdram_finish,
    .timing = sdram_timing,
    .model_new = sdram_new,
    .model_free = sdram_free,
    .access = sdram_access,
    .regions = sdram_regions,
};

void sdram_traffic(void *m, uint64_t *bytes, SimTime *from, SimTime *to)
{
    const Sdram *s = m;
    *bytes = s->bytes;
    *from = s->first_data;
    *to = s->data_free.t;
}

/* ---- SRAM --------------------------------------------------------------- */

static const Field sram_fields[] = {
    {"base", ld_f_u64, offsetof(SramParams, base), true},
    {"size", ld_f_size, offsetof(SramParams, size_bytes), true},
    {"latency_cycles", ld_f_cycles, offsetof(SramParams, latency_cycles),
     false},
    {"wait_states", ld_f_cycles, offsetof(SramParams, wait_states), false},
    FIELD_END,
};

/* On-chip SRAM answers in one bus cycle. */
static const SramParams sram_defaults = {.latency_cycles = 1};

static TargetTiming sram_timing(void *m, const CompParams *c,
                                const TimingQuery *q)
{
    (void)m;
    (void)q;
    const SramParams *p = c->priv;
    return (TargetTiming){p->latency_cycles, p->wait_states, 0};
}


static bool sram_finish(Loader *ld, yaml_node_t *map, CompParams *c)
{
    const SramParams *p = c->priv;
    one_region(ld, map, c, p->base, p->size_bytes);
    return true;
}

const ModelKind sram_kind = {
    .name = "sram",
    .summary = "on-chip static RAM",
    .fields = sram_fields,
    .priv_size = sizeof(SramParams),
    .priv_defaults = &sram_defaults,
    .has_bus = true,
    .finish = sram_finish,
    .timing = sram_timing,
    .model_new = regions_model_new,
    .model_free = regions_model_free,
    .access = regions_model_access,
    .regions = regions_self,
};
