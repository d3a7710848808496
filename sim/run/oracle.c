#include "sim/run/oracle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/regions.h"
#include "sim/core/units.h"

/* Expected writes: [lo, hi) of one region of one component. */
typedef struct Area {
    int comp, region;
    uint64_t lo, hi;
} Area;

struct OracleMark {
    int comp, region;
    uint64_t lo, hi;
    uint8_t *bits; /* a bit per byte from lo */
    OracleMark *next;
};

struct Oracle {
    Platform *p;
    int cpu;
    OracleMark *marks;
    Area *v;
    size_t n, cap;
    bool sorted;
    uint64_t misdirected;
    char first[200];
};

static int cmp_area(const void *a, const void *b)
{
    const Area *x = a, *y = b;
    if (x->comp != y->comp)
        return x->comp < y->comp ? -1 : 1;
    if (x->region != y->region)
        return x->region < y->region ? -1 : 1;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static void add(Oracle *o, Area a)
{
    if (o->n == o->cap) {
        o->cap = o->cap ? 2 * o->cap : 16;
        o->v = realloc(o->v, o->cap * sizeof *o->v);
        if (!o->v)
            abort();
    }
    o->v[o->n++] = a;
    o->sorted = false;
}

/* Sorts and merges overlapping areas, so a write's expected bytes are the
 * sum of its overlaps. */
static void tidy(Oracle *o)
{
    qsort(o->v, o->n, sizeof *o->v, cmp_area);
    size_t w = 0;
    for (size_t i = 0; i < o->n; i++) {
        Area *last = w ? &o->v[w - 1] : NULL;
        if (last && last->comp == o->v[i].comp &&
            last->region == o->v[i].region && o->v[i].lo <= last->hi) {
            if (o->v[i].hi > last->hi)
                last->hi = o->v[i].hi;
        } else {
            o->v[w++] = o->v[i];
        }
    }
    o->n = w;
    o->sorted = true;
}

static void note_marks(Oracle *o, int comp, int region, uint64_t off,
                       uint64_t len)
{
    for (OracleMark *m = o->marks; m; m = m->next) {
        if (m->comp != comp || m->region != region || off >= m->hi ||
            off + len <= m->lo)
            continue;
        uint64_t a = off > m->lo ? off : m->lo;
        uint64_t b = off + len < m->hi ? off + len : m->hi;
        uint64_t i = a - m->lo, end = b - m->lo;
        for (; i < end && i % 8; i++)
            m->bits[i / 8] |= (uint8_t)(1u << (i % 8));
        if (end - i >= 8) { /* whole bytes of the bitmap */
            memset(m->bits + i / 8, 0xff, (end - i) / 8);
            i += (end - i) / 8 * 8;
        }
        for (; i < end; i++)
            m->bits[i / 8] |= (uint8_t)(1u << (i % 8));
    }
}

static void watch(void *opaque, int master, int comp, int region,
                  uint64_t off, uint64_t len, WriteKind kind)
{
    Oracle *o = opaque;
    note_marks(o, comp, region, off, len);
    /* The CPU's cache holds and writes back what the CPU stored where its
     * program put it: only bus masters' writes can go astray. */
    if (kind != WRITE_BUS)
        return;
    if (!o->sorted)
        tidy(o);
    /* The first area of (comp, region) ending after off. */
    size_t lo = 0, hi = o->n;
    Area key = {comp, region, off, 0};
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const Area *a = &o->v[mid];
        int c = a->comp != comp ? (a->comp < comp ? -1 : 1)
                : a->region != region ? (a->region < region ? -1 : 1)
                : a->hi <= key.lo    ? -1
                                     : 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    uint64_t covered = 0, end = off + len;
    for (size_t i = lo; i < o->n && o->v[i].comp == comp &&
                        o->v[i].region == region && o->v[i].lo < end;
         i++) {
        uint64_t a = o->v[i].lo > off ? o->v[i].lo : off;
        uint64_t b = o->v[i].hi < end ? o->v[i].hi : end;
        if (b > a)
            covered += b - a;
    }
    if (covered == len)
        return;
    if (!o->misdirected) {
        const Topology *t = platform_topology(o->p);
        char a[32];
        snprintf(o->first, sizeof o->first, "%s region %d +%s, written by %s",
                 t->comps[comp].name, region,
                 units_fmt_hex(off, a, sizeof a), t->comps[master].name);
    }
    o->misdirected += len - covered;
}

/* Where the CPU's physical address leads, through the windows as the
 * platform has them now. */
static bool cpu_route(const Oracle *o, uint64_t pa, uint64_t len, Route *r)
{
    return route_access_ws(platform_topology(o->p), platform_windows(o->p),
                           o->cpu, pa, len, r);
}

Oracle *oracle_new(Platform *p, int cpu)
{
    Oracle *o = calloc(1, sizeof *o);
    if (!o)
        abort();
    o->p = p;
    o->cpu = cpu;
    o->sorted = true;
    platform_watch_writes(p, watch, o);
    return o;
}

void oracle_free(Oracle *o)
{
    if (!o)
        return;
    while (o->marks)
        oracle_unmark(o, o->marks);
    free(o->v);
    free(o);
}

bool oracle_locate(const Oracle *o, uint64_t pa, uint64_t len, Place *pl)
{
    Route r;
    if (!len || !cpu_route(o, pa, len, &r))
        return false;
    *pl = (Place){r.target_comp, r.target_region, r.offset};
    return true;
}

void oracle_allow_at(Oracle *o, const Place *pl, uint64_t len)
{
    if (len)
        add(o, (Area){pl->comp, pl->region, pl->off, pl->off + len});
}

void oracle_allow(Oracle *o, uint64_t pa, uint64_t len)
{
    Place pl;
    if (oracle_locate(o, pa, len, &pl))
        oracle_allow_at(o, &pl, len);
}

void oracle_allow_region(Oracle *o, int comp, int region)
{
    add(o, (Area){comp, region, 0, UINT64_MAX});
}

OracleMark *oracle_mark_at(Oracle *o, const Place *pl, uint64_t len)
{
    OracleMark *m = calloc(1, sizeof *m);
    if (!m || !(m->bits = calloc(len / 8 + 1, 1)))
        abort();
    *m = (OracleMark){pl->comp, pl->region, pl->off, pl->off + len, m->bits,
                      o->marks};
    o->marks = m;
    return m;
}

bool oracle_marked(const OracleMark *m, uint64_t i)
{
    return i < m->hi - m->lo && (m->bits[i / 8] >> (i % 8)) & 1;
}

uint64_t oracle_count_right(const OracleMark *m, const uint8_t *got,
                            const uint8_t *want, uint64_t n)
{
    uint64_t ok = 0, i = 0;
    if (n > m->hi - m->lo)
        n = m->hi - m->lo;
    while (i < n) {
        /* 64 bytes at a time while all are written and all right (the
         * common case: 8 bytes of the mark all ones, one memcmp) */
        uint64_t all;
        if (i % 64 == 0 && n - i >= 64 &&
            (memcpy(&all, m->bits + i / 8, 8), all == ~0ULL) &&
            !memcmp(got + i, want + i, 64)) {
            ok += 64;
            i += 64;
            continue;
        }
        uint64_t end = (i / 64 + 1) * 64 < n ? (i / 64 + 1) * 64 : n;
        for (; i < end; i++)
            ok += got[i] == want[i] && (m->bits[i / 8] >> (i % 8)) & 1;
    }
    return ok;
}

void oracle_unmark(Oracle *o, OracleMark *m)
{
    if (!m)
        return;
    for (OracleMark **pp = &o->marks; *pp; pp = &(*pp)->next)
        if (*pp == m) {
            *pp = m->next;
            break;
        }
    free(m->bits);
    free(m);
}

uint64_t oracle_misdirected(const Oracle *o) { return o->misdirected; }
const char *oracle_first_misdirected(const Oracle *o) { return o->first; }

static Store *store_of(Oracle *o, const Place *pl)
{
    Regions *rg = platform_regions(o->p, pl->comp);
    return rg ? regions_store(rg, pl->region) : NULL;
}

bool oracle_peek_at(Oracle *o, const Place *pl, void *buf, uint64_t len)
{
    Store *st = store_of(o, pl);
    if (st)
        store_read(st, pl->off, buf, len);
    return st != NULL;
}

bool oracle_fill_at(Oracle *o, const Place *pl, uint64_t len,
                    StoreFillFn *fn, void *ctx, uint64_t from)
{
    Store *st = store_of(o, pl);
    if (st)
        store_fill(st, pl->off, len, fn, ctx, from);
    return st != NULL;
}
