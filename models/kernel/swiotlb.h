/* The kernel's bounce pool (Linux's swiotlb; docs/schemes.md, "linux"):
 * a stretch of low memory in slots of 2 KiB, grouped in segments of 128.
 * A mapping takes contiguous slots inside one segment (so at most
 * 256 KiB), aligned to a page for mappings of a page or more, searched
 * from where the last one ended; the slots stay taken until unmapped. */
#ifndef DMASIM_KERNEL_SWIOTLB_H
#define DMASIM_KERNEL_SWIOTLB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/kernel/kmem.h"

#define SWIOTLB_SLOT 2048u
#define SWIOTLB_SEGMENT 128u

typedef struct Swiotlb Swiotlb;

/* Allocates `bytes` (a multiple of a segment) of low memory from k for
 * the pool; NULL with why when the kernel has not that much. */
Swiotlb *swiotlb_new(KMem *k, uint64_t bytes, char *why, size_t n);
void swiotlb_free(Swiotlb *t);

/* Slots for len bytes: their first slot, kernel virtual and physical
 * address.  False with Linux's message when none are free or the mapping
 * is longer than a segment. */
bool swiotlb_map(Swiotlb *t, uint64_t len, uint32_t *slot, uint64_t *va,
                 uint64_t *pa, char *why, size_t n);
/* Frees the slots of a mapping of len bytes from `slot`. */
void swiotlb_unmap(Swiotlb *t, uint32_t slot, uint64_t len);

uint32_t swiotlb_slots(const Swiotlb *t);      /* in the pool */
uint32_t swiotlb_used(const Swiotlb *t);       /* taken now */
uint64_t swiotlb_pa(const Swiotlb *t);         /* the pool's start */

#endif
