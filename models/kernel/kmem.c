#include "models/kernel/kmem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/rng.h"
#include "sim/core/units.h"

/* One page-table extent: [va, va + len) maps to [pa, pa + len). */
typedef struct Extent {
    uint64_t va, pa, len;
    MemClass cls;
} Extent;

typedef struct Range {
    uint64_t pa, len;
} Range;

/* Where kmalloc and coherent memory come from: [next, end), bottom up,
 * in one zone. */
typedef struct Arena {
    uint64_t next, end;
    KmemZone zone;
} Arena;

#define KMEM_MAX_ARENAS 32

struct KMem {
    const Topology *t;
    uint64_t page, page_offset, va_end;
    Range *ram;
    size_t n_ram;
    bool all_linear;      /* arm64: every RAM range in the linear map */
    uint64_t dma_limit;   /* arm64: ZONE_DMA's end (zone_dma_bits) */
    Range low;            /* the linear map's physical range (32-bit) */
    Arena arena[KMEM_MAX_ARENAS];
    size_t n_arena;       /* in the order kmalloc tries them */
    size_t placed;        /* 1 + the arena kmem_place_next chose, or 0 */
    KmemZone next_zone;   /* kmem_zone_next's, for one allocation */
    uint64_t pool_base;   /* vmalloc's pages: [pool_base, pool end) */
    uint64_t pool_pages, pool_used;
    uint8_t *pool_map;    /* one byte per pool page: taken */
    Range high;           /* len 0: none */
    uint64_t high_next;
    uint64_t vm_next;     /* next free virtual address of the vmalloc area */
    uint64_t rng;
    uint64_t pack_va, pack_pa, pack_left; /* kmem_alloc_packed's pages */
    Extent *ext;          /* sorted by va */
    size_t n_ext, cap_ext;
};

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) / a * a;
}

static void add_extent(KMem *k, uint64_t va, uint64_t pa, uint64_t len,
                       MemClass cls)
{
    if (k->n_ext && k->ext[k->n_ext - 1].va + k->ext[k->n_ext - 1].len == va &&
        k->ext[k->n_ext - 1].pa + k->ext[k->n_ext - 1].len == pa &&
        k->ext[k->n_ext - 1].cls == cls) {
        k->ext[k->n_ext - 1].len += len; /* physically contiguous run */
        return;
    }
    if (k->n_ext == k->cap_ext) {
        k->cap_ext = k->cap_ext ? 2 * k->cap_ext : 16;
        k->ext = realloc(k->ext, k->cap_ext * sizeof *k->ext);
        if (!k->ext)
            abort();
    }
    k->ext[k->n_ext++] = (Extent){va, pa, len, cls};
}

/* System RAM as the kernel finds it in the software view. */
static void find_ram(KMem *k, const SwView *v)
{
    size_t n;
    const SwRes *ram = swview_ram(v, &n);
    k->ram = calloc(n ? n : 1, sizeof *k->ram);
    if (!k->ram)
        abort();
    for (size_t i = 0; i < n; i++)
        k->ram[i] = (Range){ram[i].pa, ram[i].len};
    k->n_ram = n;
}

/* arm64's zone_dma_bits, from the device tree: the lowest CPU address
 * limit any bridge's dma-ranges reach (4 GiB at most). */
static uint64_t zone_dma_limit(const Topology *t)
{
    uint64_t lim = 1ull << 32;
    for (size_t c = 0; c < t->n_comps; c++) {
        const BridgeParams *br = t->comps[c].bridge;
        if (!br || br->dma_ranges.identity)
            continue;
        WindowParams w[16];
        size_t n = topo_dt_dma_ranges(br, w, 16);
        uint64_t end = 0;
        for (size_t i = 0; i < n; i++)
            if (w[i].parent + w[i].size_bytes > end)
                end = w[i].parent + w[i].size_bytes;
        if (n && end < lim)
            lim = end;
    }
    uint64_t p = 1; /* rounded up to a power of two: a bit count */
    while (p < lim)
        p <<= 1;
    return p;
}

static const KmemZone zone_order[] = {KZONE_NORMAL, KZONE_DMA32, KZONE_DMA};

static void add_arena(KMem *k, uint64_t lo, uint64_t hi, KmemZone z)
{
    if (lo < hi && k->n_arena < KMEM_MAX_ARENAS)
        k->arena[k->n_arena++] = (Arena){lo, hi, z};
}

/* arm64 (kernel.arch: arm64): all RAM in the linear map; the kernel image
 * at the start of the first range; vmalloc's pool the upper half of the
 * highest range; kmalloc from the rest, ZONE_NORMAL (above 4 GiB) first,
 * then ZONE_DMA32 (below it), then ZONE_DMA (below zone_dma_bits). */
static bool arm64_layout(KMem *k)
{
    k->all_linear = true;
    k->va_end = UINT64_MAX;
    k->dma_limit = zone_dma_limit(k->t);
    uint64_t top_end = 0;
    for (size_t i = 0; i < k->n_ram; i++) {
        add_extent(k, k->page_offset + k->ram[i].pa, k->ram[i].pa,
                   k->ram[i].len, MEM_LINEAR);
        if (k->ram[i].pa + k->ram[i].len > top_end)
            top_end = k->ram[i].pa + k->ram[i].len;
    }
    const Range *top = &k->ram[k->n_ram - 1];
    k->pool_base = top->pa + align_up(top->len / 2, k->page);
    k->pool_pages = (top->pa + top->len - k->pool_base) / k->page;
    k->pool_map = calloc(k->pool_pages ? k->pool_pages : 1, 1);
    if (!k->pool_map)
        abort();
    const uint64_t bound[] = {k->dma_limit, 1ull << 32};
    for (size_t o = 0; o < 3; o++)
        for (size_t i = 0; i < k->n_ram; i++) {
            uint64_t lo = k->ram[i].pa, hi = lo + k->ram[i].len;
            if (i == 0) { /* the kernel image */
                uint64_t r = k->ram[i].len / 8 < (16ULL << 20)
                                 ? k->ram[i].len / 8
                                 : 16ULL << 20;
                lo += align_up(r, k->page);
            }
            if (i == k->n_ram - 1)
                hi = k->pool_base;
            KmemZone z = zone_order[o];
            uint64_t zlo = z == KZONE_DMA ? 0 : z == KZONE_DMA32 ? bound[0]
                                                                 : bound[1];
            uint64_t zhi = z == KZONE_DMA ? bound[0] : z == KZONE_DMA32
                                                           ? bound[1]
                                                           : UINT64_MAX;
            add_arena(k, lo > zlo ? lo : zlo, hi < zhi ? hi : zhi, z);
        }
    k->vm_next = k->page_offset + align_up(top_end, 16ULL << 20) +
                 (16ULL << 20);
    return k->n_arena > 0;
}

/* The CMA area: `size` from the top of the highest arena memory below
 * `below` + 1 holds (top-down, as memblock reserves it). */
static bool reserve_cma(KMem *k, uint64_t size, uint64_t below, char *err,
                        size_t errlen)
{
    size = align_up(size, k->page);
    size_t best = SIZE_MAX;
    uint64_t best_hi = 0;
    for (size_t i = 0; i < k->n_arena; i++) {
        const Arena *r = &k->arena[i];
        uint64_t hi = below < r->end - 1 ? below + 1 : r->end;
        hi -= hi % k->page;
        if (hi > r->next && hi - r->next >= size && hi > best_hi) {
            best = i;
            best_hi = hi;
        }
    }
    if (best == SIZE_MAX || k->n_arena + 2 > KMEM_MAX_ARENAS) {
        char a[32], b[32];
        snprintf(err, errlen, "kernel.cma: no room for %s of CMA%s%s",
                 units_fmt_size(size, a, sizeof a),
                 below != UINT64_MAX ? " below " : "",
                 below != UINT64_MAX ? units_fmt_hex(below + 1, b, sizeof b)
                                     : "");
        return false;
    }
    Arena *r = &k->arena[best];
    if (best_hi < r->end) /* what lies above the area stays the zone's */
        k->arena[k->n_arena++] = (Arena){best_hi, r->end, r->zone};
    r->end = best_hi - size;
    k->arena[k->n_arena++] = (Arena){best_hi - size, best_hi, KZONE_CMA};
    return true;
}

KMem *kmem_new(const SwView *v, uint64_t seed, char *err, size_t errlen)
{
    const Topology *t = swview_topology(v);
    int cpu = swview_cpu(v);
    KMem *k = calloc(1, sizeof *k);
    if (!k)
        abort();
    k->t = t;
    k->page = t->kernel.page_size;
    k->page_offset = t->kernel.page_offset;
    k->va_end = k->page_offset < (1ULL << 32) ? 1ULL << 32 : UINT64_MAX;
    k->rng = seed ^ 0x6b6d656dULL; /* "kmem": its own stream */
    find_ram(k, v);
    if (t->kernel.arch == ARCH_ARM64) {
        if (!k->n_ram || !arm64_layout(k)) {
            snprintf(err, errlen, "the kernel has no memory: %s reaches no "
                                  "system RAM",
                     t->comps[cpu].name);
            kmem_free(k);
            return NULL;
        }
        if (t->kernel.cma_size &&
            !reserve_cma(k, t->kernel.cma_size, t->kernel.cma_below, err,
                         errlen)) {
            kmem_free(k);
            return NULL;
        }
        return k;
    }
    uint64_t low_end = 0;
    if (k->n_ram) {
        k->low = k->ram[0];
        if (k->low.pa >= KMEM_LOWMEM_MAX)
            k->low.len = 0;
        else if (k->low.pa + k->low.len > KMEM_LOWMEM_MAX)
            k->low.len = KMEM_LOWMEM_MAX - k->low.pa;
        k->low.len -= k->low.len % k->page;
        low_end = k->low.pa + k->low.len;
    }
    if (k->low.len < 16 * k->page ||
        k->page_offset + low_end > k->va_end - (32ULL << 20)) {
        snprintf(err, errlen,
                 "the kernel has no low memory: %s reaches no system RAM "
                 "below 768 MiB that fits its linear map at page_offset",
                 t->comps[cpu].name);
        kmem_free(k);
        return NULL;
    }
    /* The kernel image takes the first eighth (at most 16 MiB); kmalloc
     * has the rest of the lower half, vmalloc's pool the upper half. */
    uint64_t reserve = k->low.len / 8 < (16ULL << 20) ? k->low.len / 8
                                                     : 16ULL << 20;
    k->pool_base = k->low.pa + align_up(k->low.len / 2, k->page);
    add_arena(k, k->low.pa + align_up(reserve, k->page), k->pool_base,
              KZONE_NORMAL);
    k->pool_pages = (low_end - k->pool_base) / k->page;
    k->pool_map = calloc(k->pool_pages, 1);
    if (!k->pool_map)
        abort();
    const Range *top = &k->ram[k->n_ram - 1];
    if (top->pa + top->len > low_end) {
        k->high = *top;
        if (k->high.pa < low_end) {
            k->high.len -= low_end - k->high.pa;
            k->high.pa = low_end;
        }
        k->high_next = k->high.pa;
    }
    k->vm_next = k->page_offset + align_up(low_end, 16ULL << 20) +
                 (16ULL << 20);
    add_extent(k, k->page_offset + k->low.pa, k->low.pa, k->low.len,
               MEM_LINEAR);
    if (t->kernel.cma_size &&
        !reserve_cma(k, t->kernel.cma_size, t->kernel.cma_below, err,
                     errlen)) {
        kmem_free(k);
        return NULL;
    }
    return k;
}

void kmem_free(KMem *k)
{
    if (!k)
        return;
    free(k->ram);
    free(k->pool_map);
    free(k->ext);
    free(k);
}

uint64_t kmem_page_size(const KMem *k) { return k->page; }

KmemZone kmem_low_zone(const KMem *k)
{
    return k->all_linear ? KZONE_DMA : KZONE_ANY;
}

uint64_t kmem_virt_to_phys(const KMem *k, uint64_t va)
{
    return va - k->page_offset;
}

bool kmem_is_ram(const KMem *k, uint64_t pa, uint64_t len)
{
    for (size_t i = 0; i < k->n_ram; i++)
        if (pa >= k->ram[i].pa && pa - k->ram[i].pa < k->ram[i].len &&
            len <= k->ram[i].len - (pa - k->ram[i].pa))
            return true;
    return false;
}

/* Virtual space in the vmalloc area, with a guard page after it. */
static bool take_va(KMem *k, uint64_t size, uint64_t *va, char *err,
                    size_t errlen)
{
    if (k->vm_next > k->va_end || size > k->va_end - k->vm_next - k->page) {
        char b[32], h[32];
        snprintf(err, errlen,
                 "the vmalloc area is full: no room for %s more below %s",
                 units_fmt_size(size, b, sizeof b),
                 units_fmt_hex(k->va_end - 1, h, sizeof h));
        return false;
    }
    *va = k->vm_next;
    k->vm_next += size + k->page;
    return true;
}

static bool no_room(const char *what, uint64_t size, uint64_t left,
                    char *err, size_t errlen)
{
    char a[32], b[32];
    snprintf(err, errlen, "%s: cannot allocate %s (%s left)", what,
             units_fmt_size(size, a, sizeof a),
             units_fmt_size(left, b, sizeof b));
    return false;
}

bool kmem_place_next(KMem *k, uint64_t pa, uint64_t size, char *err,
                     size_t errlen)
{
    char a[32], b[32], c[32];
    size = align_up(size ? size : 1, k->page);
    if (pa % k->page) {
        snprintf(err, errlen, "phys %s is not a multiple of the page size "
                              "(%s)",
                 units_fmt_hex(pa, a, sizeof a),
                 units_fmt_size(k->page, b, sizeof b));
        return false;
    }
    for (size_t i = 0; i < k->n_arena; i++) {
        Arena *r = &k->arena[i];
        if (pa >= r->next && pa <= r->end && size <= r->end - pa) {
            r->next = pa;
            k->placed = i + 1; /* the allocation that follows comes here */
            return true;
        }
    }
    const Arena *r = &k->arena[0];
    snprintf(err, errlen, "phys %s is not memory kmalloc can hand out: it "
                          "has %s..%s free%s",
             units_fmt_hex(pa, a, sizeof a), units_fmt_hex(r->next, b, sizeof b),
             units_fmt_hex(r->end - 1, c, sizeof c),
             k->n_arena > 1 ? " first" : "");
    return false;
}

/* Whether a request for `want` may take memory of zone `have`: the CMA
 * area only when asked for; on 32-bit kernels all of low memory is below
 * 4 GiB, ZONE_DMA32 and ZONE_NORMAL alike; GFP_DMA32 may fall back to
 * ZONE_DMA. */
static bool zone_allows(const KMem *k, KmemZone want, KmemZone have)
{
    if (have == KZONE_CMA || want == KZONE_CMA)
        return have == want;
    if (want == KZONE_ANY)
        return true;
    if (!k->all_linear)
        return want != KZONE_DMA && have == KZONE_NORMAL;
    return have == want || (want == KZONE_DMA32 && have == KZONE_DMA);
}

/* Pages from the first arena (in kmalloc's order) of a zone the request
 * allows that has room: `zone` KZONE_ANY any, else that zone and below
 * (GFP_DMA32 may fall back to ZONE_DMA); and wholly below `below` + 1. */
static bool from_arenas(KMem *k, KmemZone zone, uint64_t below,
                        uint64_t size, uint64_t *pa)
{
    if (k->placed) {
        Arena *r = &k->arena[k->placed - 1];
        k->placed = 0;
        *pa = r->next;
        r->next += size;
        return true;
    }
    for (size_t i = 0; i < k->n_arena; i++) {
        Arena *r = &k->arena[i];
        if (!zone_allows(k, zone, r->zone) || size > r->end - r->next ||
            r->next + (size - 1) > below)
            continue;
        *pa = r->next;
        r->next += size;
        return true;
    }
    return false;
}

static uint64_t arena_room(const KMem *k)
{
    uint64_t most = 0;
    for (size_t i = 0; i < k->n_arena; i++)
        if (k->arena[i].end - k->arena[i].next > most)
            most = k->arena[i].end - k->arena[i].next;
    return most;
}

bool kmem_alloc(KMem *k, MemClass cls, uint64_t size, uint64_t *va,
                uint64_t *pa, char *err, size_t errlen)
{
    return kmem_alloc_in(k, cls, KZONE_ANY, UINT64_MAX, size, va, pa, err,
                         errlen);
}

bool kmem_alloc_packed(KMem *k, uint64_t size, uint64_t align, uint64_t *va,
                       uint64_t *pa, char *err, size_t errlen)
{
    uint64_t skip = align_up(k->pack_va, align) - k->pack_va;
    if (!k->pack_left || skip + size > k->pack_left) {
        if (!kmem_alloc(k, MEM_KMALLOC, size, &k->pack_va, &k->pack_pa, err,
                        errlen))
            return false;
        k->pack_left = align_up(size, k->page);
        skip = 0;
    }
    *va = k->pack_va + skip;
    *pa = k->pack_pa + skip;
    k->pack_va += skip + size;
    k->pack_pa += skip + size;
    k->pack_left -= skip + size;
    return true;
}

static const char *zone_name(KmemZone z)
{
    static const char *const n[] = {"", "ZONE_DMA", "ZONE_DMA32",
                                    "ZONE_NORMAL", "the CMA area"};
    return n[z];
}

void kmem_zone_next(KMem *k, KmemZone zone) { k->next_zone = zone; }

bool kmem_alloc_in(KMem *k, MemClass cls, KmemZone zone, uint64_t below,
                   uint64_t size, uint64_t *va, uint64_t *pa, char *err,
                   size_t errlen)
{
    size = align_up(size ? size : 1, k->page);
    if ((cls == MEM_KMALLOC || cls == MEM_COHERENT) && zone == KZONE_ANY) {
        zone = k->next_zone;
        k->next_zone = KZONE_ANY;
    }
    switch (cls) {
    case MEM_KMALLOC:
    case MEM_COHERENT:
        if (!from_arenas(k, zone, below, size, pa)) {
            bool cma = false;
            for (size_t i = 0; i < k->n_arena; i++)
                cma |= k->arena[i].zone == KZONE_CMA;
            if (zone == KZONE_CMA && !cma) {
                snprintf(err, errlen, "cma: the kernel has no CMA area "
                                      "(kernel.cma in the topology)");
                return false;
            }
            if (zone == KZONE_ANY && below == UINT64_MAX)
                return no_room(cls == MEM_KMALLOC ? "kmalloc" : "coherent",
                               size, arena_room(k), err, errlen);
            char a[32], b[32];
            snprintf(err, errlen, "%s: cannot allocate %s%s%s%s%s",
                     cls == MEM_KMALLOC ? "kmalloc" : "coherent",
                     units_fmt_size(size, a, sizeof a),
                     zone != KZONE_ANY ? " in " : "", zone_name(zone),
                     below != UINT64_MAX ? " below " : "",
                     below != UINT64_MAX
                         ? units_fmt_hex(below + 1, b, sizeof b)
                         : "");
            return false;
        }
        if (cls == MEM_KMALLOC) {
            *va = k->page_offset + *pa;
            return true;
        }
        if (!take_va(k, size, va, err, errlen))
            return false;
        add_extent(k, *va, *pa, size, MEM_COHERENT);
        return true;
    case MEM_HIGHMEM:
        if (k->all_linear) {
            snprintf(err, errlen, "highmem: an arm64 kernel maps all RAM "
                                  "linearly; there is no highmem (use "
                                  "kmalloc, with zone: for where)");
            return false;
        }
        if (!k->high.len) {
            snprintf(err, errlen,
                     "highmem: %s has no RAM above low memory (the first "
                     "768 MiB)",
                     k->t->name);
            return false;
        }
        if (size > k->high.pa + k->high.len - k->high_next)
            return no_room("highmem", size,
                           k->high.pa + k->high.len - k->high_next, err,
                           errlen);
        if (!take_va(k, size, va, err, errlen))
            return false;
        *pa = k->high_next;
        k->high_next += size;
        add_extent(k, *va, *pa, size, MEM_HIGHMEM);
        return true;
    case MEM_VMALLOC: {
        uint64_t pages = size / k->page;
        if (pages > k->pool_pages - k->pool_used)
            return no_room("vmalloc", size,
                           (k->pool_pages - k->pool_used) * k->page, err,
                           errlen);
        if (!take_va(k, size, va, err, errlen))
            return false;
        for (uint64_t i = 0; i < pages; i++) {
            /* A free pool page, drawn at random: probe from a random
             * start (the pool is never full here). */
            uint64_t j = rng_next(&k->rng) % k->pool_pages;
            while (k->pool_map[j])
                j = (j + 1) % k->pool_pages;
            k->pool_map[j] = 1;
            k->pool_used++;
            uint64_t p = k->pool_base + j * k->page;
            if (i == 0)
                *pa = p;
            add_extent(k, *va + i * k->page, p, k->page, MEM_VMALLOC);
        }
        return true;
    }
    default:
        snprintf(err, errlen, "cannot allocate memory of this class");
        return false;
    }
}

bool kmem_ioremap(KMem *k, uint64_t pa, uint64_t size, uint64_t *va,
                  char *err, size_t errlen)
{
    uint64_t first = pa - pa % k->page;
    uint64_t len = align_up(pa + size - first, k->page);
    if (!take_va(k, len, va, err, errlen))
        return false;
    add_extent(k, *va, first, len, MEM_IOREMAP);
    *va += pa - first;
    return true;
}

bool kmem_walk(const KMem *k, uint64_t va, uint64_t *pa, uint64_t *run,
               MemClass *cls)
{
    size_t lo = 0, hi = k->n_ext;
    while (lo < hi) { /* the first extent starting above va */
        size_t mid = lo + (hi - lo) / 2;
        if (k->ext[mid].va <= va)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (!lo)
        return false;
    const Extent *e = &k->ext[lo - 1];
    if (va - e->va >= e->len)
        return false;
    *pa = e->pa + (va - e->va);
    *run = e->len - (va - e->va);
    if (cls)
        *cls = e->cls;
    return true;
}
