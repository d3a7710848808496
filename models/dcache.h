/* A data cache that holds data (docs/timing.md, "Data cache"): write-back,
 * physically indexed and tagged, `ways`-way set associative with lines of
 * `line` bytes.  A pure store of lines: the CPU model (models/cpu.c)
 * decides when lines are filled, written back and dropped, and moves
 * their bytes over the bus.
 *
 * A set's victim is its first invalid way, else the way its round-robin
 * index names (the PPC440's victim index per set, PPC440x5 User's Manual
 * §4.1.1), and the index moves on by one at each replacement.  A way may
 * be reserved while its line is being filled: nothing else takes it. */
#ifndef DMASIM_MODELS_DCACHE_H
#define DMASIM_MODELS_DCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct DcLine {
    uint64_t addr;  /* the line's first physical address */
    bool valid, dirty, reserved;
    uint8_t *data;  /* line bytes */
} DcLine;

typedef struct DCache DCache;

/* size, ways and line: powers of two, line * ways <= size. */
DCache *dcache_new(uint64_t size, unsigned ways, unsigned line);
void dcache_free(DCache *c);
unsigned dcache_line(const DCache *c);

/* The valid line holding pa, or NULL. */
DcLine *dcache_find(DCache *c, uint64_t pa);
/* The way a line for pa replaces (the set's victim), reserved until
 * dcache_install or dcache_unreserve; NULL if every way of the set is
 * reserved.  The caller writes back what it holds if it is dirty, then
 * drops it (it stays reserved). */
DcLine *dcache_victim(DCache *c, uint64_t pa);
/* Installs the line at line_addr (not present) in the reserved, invalid
 * way v, clean, with `bytes` (a line) or zeros when bytes is NULL
 * (dcbz). */
void dcache_install(DCache *c, DcLine *v, uint64_t line_addr,
                    const uint8_t *bytes);
void dcache_unreserve(DcLine *v);
/* Drops line v: invalid, whatever it held. */
void dcache_drop(DCache *c, DcLine *v);
/* Marks valid line v dirty (a store) or clean (written back). */
void dcache_set_dirty(DCache *c, DcLine *v, bool dirty);
/* How many lines are valid, and how many of them dirty: none, and a
 * walk over a range may stop before it starts. */
uint64_t dcache_valid_lines(const DCache *c);
uint64_t dcache_dirty_lines(const DCache *c);

/* Counts: valid lines, dirty lines. */
void dcache_count(const DCache *c, uint64_t *valid, uint64_t *dirty);

#endif
