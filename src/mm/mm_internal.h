/* SPDX-License-Identifier: MIT */
/*
 * Private interface between the page allocator (page_alloc.c) and the slab
 * allocator (kmalloc.c). Nothing outside src/mm/ includes this file.
 *
 * The heap is one contiguous region. Its first pages hold an array of page
 * descriptors, one per usable page; the usable pages follow. A block of
 * 2^order pages is described by the descriptor of its first page (its
 * "head"); every other page of a block, free or allocated, is PD_TAIL. The
 * descriptor of a free block's head also carries the free-list link, so free
 * pages themselves are never written (they keep their poison).
 */
#ifndef CSVSM_MM_INTERNAL_H
#define CSVSM_MM_INTERNAL_H

#include "csvsm/lib/list.h"
#include "csvsm/lib/spinlock.h"
#include "csvsm/mm.h"

/* What a page descriptor describes. */
enum page_type {
	PD_TAIL = 0, /* not the head of a block (zeroed descriptors start here) */
	PD_FREE,     /* head of a free block, on free_lists[order] */
	PD_ALLOC,    /* head of a page_alloc block */
	PD_LARGE,    /* head of a kmalloc block larger than a slab object */
	PD_SLAB,     /* a slab page; `order` holds the size class */
};

struct page_desc {
	struct list_node link; /* PD_FREE: free list; PD_SLAB: partial list */
	uint64_t bits;         /* PD_SLAB, classes >= 64 bytes: allocation bitmap */
	uint16_t free_off;     /* PD_SLAB: page offset of the first free object */
	uint16_t nfree;        /* PD_SLAB: free objects in the slab */
	uint8_t type;          /* enum page_type */
	uint8_t order;         /* PD_FREE/PD_ALLOC/PD_LARGE: block order; PD_SLAB: class */
	uint16_t reserved;
};

struct mm_heap {
	uintptr_t start; /* address of the first usable page */
	size_t span;     /* bytes of usable pages after `start` */
	struct page_desc *desc;
	struct list_node free_lists[MM_MAX_ORDER + 1];
	size_t nr_free[MM_MAX_ORDER + 1]; /* blocks on each free list */
	uint32_t free_mask;               /* bit k set: free_lists[k] is not empty */
	size_t total_pages;
	size_t free_pages;
	size_t live_allocs;
};

extern struct mm_heap mm_heap;

/*
 * The heap's lock: guards mm_heap, every page descriptor and every slab
 * (kmalloc.c). The public entry points take it; the functions of this
 * header expect it held.
 */
extern struct spinlock mm_lock;

#define MM_POISON_WORD (0x0101010101010101ULL * MM_POISON_BYTE)

/* True when `addr` lies in the usable pages. */
static inline bool mm_in_heap(uintptr_t addr)
{
	return addr - mm_heap.start < mm_heap.span;
}

/* The descriptor of the page holding `addr`, which must be in the heap. */
static inline struct page_desc *mm_desc_of(uintptr_t addr)
{
	return &mm_heap.desc[(addr - mm_heap.start) >> PAGE_SHIFT];
}

/* The address of the page `d` describes. */
static inline uintptr_t mm_desc_addr(const struct page_desc *d)
{
	return mm_heap.start + ((uintptr_t)(d - mm_heap.desc) << PAGE_SHIFT);
}

/*
 * Takes a free block of 2^order pages for internal use and marks its head
 * `type` (PD_ALLOC, PD_LARGE or PD_SLAB). No fault injection, no live count:
 * the public entry points do both. When no block is free it first returns
 * the cached empty slabs (mm_slab_trim) and tries again. Returns the block's
 * address, or 0 when order > MM_MAX_ORDER or nothing fits. The block stays
 * poisoned for memory checkers (plat_mem_poison) until the caller unpoisons
 * what it hands out.
 */
uintptr_t mm_block_alloc(unsigned int order, uint8_t type);

/*
 * Returns the block of 2^order pages at `addr` (a head taken with
 * mm_block_alloc) and merges it with its free buddies. The caller has
 * checked the descriptor. Fills the block with MM_POISON_BYTE in debug
 * builds and poisons it for memory checkers (plat_mem_poison).
 */
void mm_block_free(uintptr_t addr, unsigned int order);

/* Forgets every slab (mm_init starts a new heap). */
void mm_slab_reset(void);

/* Returns the cached empty slabs to the page allocator; the number of pages. */
size_t mm_slab_trim(void);

/* Fills the per-class part of `out`. */
void mm_slab_stats(struct mm_stats *out);

#endif /* CSVSM_MM_INTERNAL_H */
