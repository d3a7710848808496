#include "models/kernel/swiotlb.h"

#include <stdio.h>
#include <stdlib.h>

struct Swiotlb {
    uint64_t va, pa;
    uint32_t n, used, next; /* slots; taken; where the next search starts */
    bool *taken;
    uint32_t page_slots;    /* slots in a page: the alignment of a mapping
                               of a page or more */
};

Swiotlb *swiotlb_new(KMem *k, uint64_t bytes, char *why, size_t n)
{
    uint64_t va, pa;
    char err[200];
    if (!kmem_alloc_in(k, MEM_KMALLOC, kmem_low_zone(k), UINT64_MAX, bytes,
                       &va, &pa, err, sizeof err)) {
        snprintf(why, n, "no low memory for swiotlb's %llu MiB pool: %s",
                 (unsigned long long)(bytes >> 20), err);
        return NULL;
    }
    Swiotlb *t = calloc(1, sizeof *t);
    if (!t)
        abort();
    t->va = va;
    t->pa = pa;
    t->n = (uint32_t)(bytes / SWIOTLB_SLOT);
    t->taken = calloc(t->n, sizeof *t->taken);
    if (!t->taken)
        abort();
    uint64_t ps = kmem_page_size(k);
    t->page_slots = ps > SWIOTLB_SLOT ? (uint32_t)(ps / SWIOTLB_SLOT) : 1;
    return t;
}

void swiotlb_free(Swiotlb *t)
{
    if (!t)
        return;
    free(t->taken);
    free(t);
}

/* Whether slots [s, s + k) are free and inside one segment. */
static bool fits(const Swiotlb *t, uint32_t s, uint32_t k)
{
    if (s + k > t->n || s / SWIOTLB_SEGMENT != (s + k - 1) / SWIOTLB_SEGMENT)
        return false;
    for (uint32_t i = 0; i < k; i++)
        if (t->taken[s + i])
            return false;
    return true;
}

bool swiotlb_map(Swiotlb *t, uint64_t len, uint32_t *slot, uint64_t *va,
                 uint64_t *pa, char *why, size_t n)
{
    uint64_t k = (len + SWIOTLB_SLOT - 1) / SWIOTLB_SLOT;
    uint32_t stride =
        len >= (uint64_t)t->page_slots * SWIOTLB_SLOT ? t->page_slots : 1;
    uint32_t start = (t->next + stride - 1) / stride * stride;
    for (uint32_t tried = 0; k <= SWIOTLB_SEGMENT && tried < t->n;
         tried += stride) {
        uint32_t s = (start + tried) % t->n;
        s -= s % stride;
        if (!fits(t, s, (uint32_t)k))
            continue;
        for (uint32_t i = 0; i < k; i++)
            t->taken[s + i] = true;
        t->used += (uint32_t)k;
        t->next = (s + (uint32_t)k) % t->n;
        *slot = s;
        *va = t->va + (uint64_t)s * SWIOTLB_SLOT;
        *pa = t->pa + (uint64_t)s * SWIOTLB_SLOT;
        return true;
    }
    snprintf(why, n, "swiotlb buffer is full (sz: %llu bytes), total %u "
                     "(slots), used %u (slots)",
             (unsigned long long)len, t->n, t->used);
    return false;
}

void swiotlb_unmap(Swiotlb *t, uint32_t slot, uint64_t len)
{
    uint64_t k = (len + SWIOTLB_SLOT - 1) / SWIOTLB_SLOT;
    for (uint64_t i = 0; i < k && slot + i < t->n; i++)
        if (t->taken[slot + i]) {
            t->taken[slot + i] = false;
            t->used--;
        }
}

uint32_t swiotlb_slots(const Swiotlb *t) { return t->n; }
uint32_t swiotlb_used(const Swiotlb *t) { return t->used; }
uint64_t swiotlb_pa(const Swiotlb *t) { return t->pa; }
