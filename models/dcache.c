#include "models/dcache.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

struct DCache {
    unsigned line, ways;
    uint64_t sets;
    DcLine *lines;     /* sets * ways, set by set */
    unsigned *victim;  /* per set: the round-robin index */
    uint8_t *bytes;
};

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
    c->bytes = calloc(c->sets * ways, line);
    if (!c->lines || !c->victim || !c->bytes)
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
    free(c->bytes);
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
    uint64_t set, a = pa - pa % c->line;
    DcLine *w = set_of(c, pa, &set);
    for (unsigned i = 0; i < c->ways; i++)
        if (w[i].valid && w[i].addr == a)
            return &w[i];
    return NULL;
}

DcLine *dcache_victim(DCache *c, uint64_t pa)
{
    uint64_t set;
    DcLine *w = set_of(c, pa, &set);
    for (unsigned i = 0; i < c->ways; i++)
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

void dcache_install(DcLine *v, uint64_t line_addr, const uint8_t *bytes,
                    unsigned line)
{
    assert(v->reserved);
    v->addr = line_addr;
    v->valid = true;
    v->dirty = false;
    v->reserved = false;
    if (bytes)
        memcpy(v->data, bytes, line);
    else
        memset(v->data, 0, line);
}

void dcache_unreserve(DcLine *v) { v->reserved = false; }

void dcache_count(const DCache *c, uint64_t *valid, uint64_t *dirty)
{
    *valid = *dirty = 0;
    for (uint64_t i = 0; i < c->sets * c->ways; i++) {
        *valid += c->lines[i].valid;
        *dirty += c->lines[i].valid && c->lines[i].dirty;
    }
}
