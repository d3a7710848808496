/* The simulated kernel's memory (docs/schemes.md, "Kernel memory"): where
 * buffers live physically and virtually, and the page tables a scheme can
 * walk and the CPU uses.
 *
 * Physical addresses are addresses on the CPU's bus.  System RAM is every
 * memory region of an `is_system_ram` kind the software view gives the CPU
 * an address for (models/kernel/swview.h).  Low memory is
 * the lowest RAM range below KMEM_LOWMEM_MAX, mapped linearly at
 * kernel.page_offset; its first part holds the kernel image, then come
 * kmalloc's pages (bottom up, physically contiguous), and its upper half
 * is the pool vmalloc draws scattered pages from (in an order fixed by the
 * seed).  High memory is the highest RAM range above low memory.  vmalloc,
 * ioremap, coherent and kmap'ed highmem buffers get virtual addresses in
 * the vmalloc area, 16 MiB past the end of the linear map, as on ppc32. */
#ifndef DMASIM_KMEM_H
#define DMASIM_KMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/kernel/swview.h"
#include "sim/hw/topology.h"

#define KMEM_LOWMEM_MAX 0x30000000ULL /* ppc32's 768 MiB of low memory */

typedef enum {
    MEM_LINEAR,   /* the linear map of low memory */
    MEM_KMALLOC,  /* (kmalloc'ed memory is reached through the linear map) */
    MEM_VMALLOC,
    MEM_COHERENT, /* uncached for the CPU on a non-coherent platform */
    MEM_HIGHMEM,  /* kmap'ed */
    MEM_IOREMAP,
} MemClass;

/* Memory zones (Linux's): where an allocation may come from.  32-bit
 * (generic, ppc): low memory is ZONE_NORMAL (and below 4 GiB); arm64:
 * ZONE_DMA below zone_dma_bits (from the device tree's dma-ranges),
 * ZONE_DMA32 below 4 GiB, ZONE_NORMAL above.  The CMA area, when the
 * kernel has one, is reserved at boot from the highest memory below its
 * limit. */
typedef enum {
    KZONE_ANY,
    KZONE_DMA,
    KZONE_DMA32,
    KZONE_NORMAL,
    KZONE_CMA, /* the contiguous memory allocator's area (kernel.cma):
                  taken only when asked for */
} KmemZone;

typedef struct KMem KMem;

/* The kernel of the software view's CPU, with the system RAM the view
 * finds.  Fails (with a message) when there is no low memory.  v must
 * outlive the kernel. */
KMem *kmem_new(const SwView *v, uint64_t seed, char *err, size_t errlen);
void kmem_free(KMem *k);

/* Allocates size bytes (whole pages) of class MEM_KMALLOC, MEM_VMALLOC,
 * MEM_COHERENT or MEM_HIGHMEM; *va is its kernel virtual address, *pa its
 * first page's physical address. */
bool kmem_alloc(KMem *k, MemClass cls, uint64_t size, uint64_t *va,
                uint64_t *pa, char *err, size_t errlen);
/* The same from one zone (KZONE_ANY: kmalloc's order, ZONE_NORMAL first),
 * the memory wholly at or below physical address `below`. */
bool kmem_alloc_in(KMem *k, MemClass cls, KmemZone zone, uint64_t below,
                   uint64_t size, uint64_t *va, uint64_t *pa, char *err,
                   size_t errlen);
/* size bytes of kmalloc memory at the next multiple of `align` after the
 * last buffer it gave, in the same pages while they have room (a slab of
 * small objects: neighbours share cache lines), else from new pages. */
bool kmem_alloc_packed(KMem *k, uint64_t size, uint64_t align, uint64_t *va,
                       uint64_t *pa, char *err, size_t errlen);
/* Where the kernel takes memory every device must reach (bounce buffers,
 * swiotlb's pool: Linux's GFP_DMA and memblock_alloc_low): ZONE_DMA on
 * arm64, anywhere in low memory on 32-bit kernels. */
KmemZone kmem_low_zone(const KMem *k);
/* The next MEM_KMALLOC or MEM_COHERENT allocation of size bytes is to
 * lie at physical address pa (a scenario's `phys:`): pa must be page
 * aligned and [pa, pa + size) memory that allocator has not handed out
 * yet; what lies below pa is not handed out after.  False with why. */
bool kmem_place_next(KMem *k, uint64_t pa, uint64_t size, char *err,
                     size_t errlen);
/* The next MEM_KMALLOC or MEM_COHERENT allocation asked for anywhere
 * comes from `zone` (a scenario's `zone:` for a coherent buffer, which its
 * scheme allocates). */
void kmem_zone_next(KMem *k, KmemZone zone);
/* Maps [pa, pa + size) (device memory) into the vmalloc area. */
bool kmem_ioremap(KMem *k, uint64_t pa, uint64_t size, uint64_t *va,
                  char *err, size_t errlen);

/* A page-table walk: the physical address of va and how many bytes from
 * there are mapped contiguously, physically and virtually.  False for an
 * unmapped address. */
bool kmem_walk(const KMem *k, uint64_t va, uint64_t *pa, uint64_t *run,
               MemClass *cls);
/* virt_to_phys() as the 2004 kernel did it: va - page_offset. */
uint64_t kmem_virt_to_phys(const KMem *k, uint64_t va);
uint64_t kmem_page_size(const KMem *k);
/* True when [pa, pa + len) is system RAM. */
bool kmem_is_ram(const KMem *k, uint64_t pa, uint64_t len);

#endif
