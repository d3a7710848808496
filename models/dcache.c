#include "models/dcache.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

struct DCache {
    unsigned line, ways;
    uint64_t sets;
    DcLine *lines;     /* sets * ways, set by set */
    unsigned *victim;  /* per set: the round-robin index */
    unsigned *valid;   /* per set: valid lines */
    uint8_t *bytes;
    /* valid lines by address: open addressing, linear probing, a slot
     * holds 1 + the line's index (0: empty) */
    uint32_t *slot;
    uint64_t mask;
    unsigned shift;
    uint64_t n_valid, n_dirty; /* lines, in all */
};

static uint64_t hash(const DCache *c, uint64_t addr)
{
    return ((addr / c->line) * 0x9E3779B97F4A7C15ULL) >> c->shift;
}

DCache *dcache_new(uint64_t size, unsigned ways, unsigned line)
{
    assert(line && ways && (uint64_t)line * ways <= size);
    DCache *c = calloc(1, sizeof *c);
    if (!c)
        abort();
    c->line = line;
    c->ways = ways;
    c->sets = size / line / ways;
    c->lines = calloc(c->sets * ways, sizeof *c->lines);
    c->victim = calloc(c->sets, sizeof *c->victim);
    c->valid = calloc(c->sets, sizeof *c->valid);
    c->bytes = calloc(c->sets * ways, line);
    uint64_t cap = 2, bits = 1;
    while (cap < 2 * c->sets * ways) {
        cap *= 2;
        bits++;
    }
    c->mask = cap - 1;
    c->shift = (unsigned)(64 - bits);
    c->slot = calloc(cap, sizeof *c->slot);
    if (!c->lines || !c->victim || !c->valid || !c->bytes || !c->slot)
        abort();
    for (uint64_t i = 0; i < c->sets * ways; i++)
        c->lines[i].data = c->bytes + i * line;
    return c;
}

void dcache_free(DCache *c)
{
    if (!c)
        return;
    free(c->lines);
    free(c->victim);
    free(c->valid);
    free(c->bytes);
    free(c->slot);
    free(c);
}

unsigned dcache_line(const DCache *c) { return c->line; }

static DcLine *set_of(DCache *c, uint64_t pa, uint64_t *set)
{
    *set = (pa / c->line) % c->sets;
    return &c->lines[*set * c->ways];
}

DcLine *dcache_find(DCache *c, uint64_t pa)
{
    uint64_t a = pa - pa % c->line;
    for (uint64_t h = hash(c, a);; h = (h + 1) & c->mask) {
        uint32_t k = c->slot[h];
        if (!k)
            return NULL;
        if (c->lines[k - 1].addr == a)
            return &c->lines[k - 1];
    }
}

/* Removes line v (valid) from the index: later entries of its probe run
 * move back into the gap. */
static void unindex(DCache *c, const DcLine *v)
{
    uint64_t h = hash(c, v->addr);
    while (&c->lines[c->slot[h] - 1] != v)
        h = (h + 1) & c->mask;
    for (uint64_t j = (h + 1) & c->mask; c->slot[j]; j = (j + 1) & c->mask) {
        uint64_t home = hash(c, c->lines[c->slot[j] - 1].addr);
        /* the entry at j may fill the gap at h unless its home lies
         * cyclically in (h, j] */
        if (((j - home) & c->mask) >= ((j - h) & c->mask)) {
            c->slot[h] = c->slot[j];
            h = j;
        }
    }
    c->slot[h] = 0;
}

void dcache_drop(DCache *c, DcLine *v)
{
    if (!v->valid)
        return;
    unindex(c, v);
    c->n_valid--;
    c->n_dirty -= v->dirty;
    v->valid = false;
    v->dirty = false;
    c->valid[(uint64_t)(v - c->lines) / c->ways]--;
}

DcLine *dcache_victim(DCache *c, uint64_t pa)
{
    uint64_t set;
    DcLine *w = set_of(c, pa, &set);
    for (unsigned i = 0; c->valid[set] < c->ways && i < c->ways; i++)
        if (!w[i].valid && !w[i].reserved) {
            w[i].reserved = true;
            return &w[i];
        }
    for (unsigned n = 0; n < c->ways; n++) {
        DcLine *v = &w[c->victim[set]];
        c->victim[set] = (c->victim[set] + 1) % c->ways;
        if (!v->reserved) {
            v->reserved = true;
            return v;
        }
    }
    return NULL;
}

void dcache_install(DCache *c, DcLine *v, uint64_t line_addr,
                    const uint8_t *bytes)
{
    assert(v->reserved && !v->valid && !dcache_find(c, line_addr));
    v->addr = line_addr;
    v->valid = true;
    v->dirty = false;
    v->reserved = false;
    if (bytes)
        memcpy(v->data, bytes, c->line);
    else
        memset(v->data, 0, c->line);
    uint64_t h = hash(c, line_addr);
    while (c->slot[h])
        h = (h + 1) & c->mask;
    c->slot[h] = (uint32_t)(v - c->lines) + 1;
    c->valid[(uint64_t)(v - c->lines) / c->ways]++;
    c->n_valid++;
}

void dcache_set_dirty(DCache *c, DcLine *v, bool dirty)
{
    assert(v->valid);
    c->n_dirty += (uint64_t)dirty - (uint64_t)v->dirty;
    v->dirty = dirty;
}

uint64_t dcache_valid_lines(const DCache *c) { return c->n_valid; }
uint64_t dcache_dirty_lines(const DCache *c) { return c->n_dirty; }

void dcache_unreserve(DcLine *v) { v->reserved = false; }

void dcache_count(const DCache *c, uint64_t *valid, uint64_t *dirty)
{
    *valid = *dirty = 0;
    for (uint64_t i = 0; i < c->sets * c->ways; i++) {
        *valid += c->lines[i].valid;
        *dirty += c->lines[i].valid && c->lines[i].dirty;
    }
}
