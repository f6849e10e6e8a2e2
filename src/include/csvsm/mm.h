/* SPDX-License-Identifier: MIT */
/*
 * The SVSM heap: a buddy page allocator and, above it, a slab allocator for
 * small objects (kmalloc). Every allocation can fail and returns NULL then;
 * nothing here panics on exhaustion. One global heap, safe on SMP: every
 * entry point below (except mm_init, at boot) takes the heap's lock, the
 * last in the lock order (csvsm/vcpu.h, docs/smp.md): a caller may hold
 * vtpm_lock or vcpu_lock, and the heap calls nothing that takes a lock.
 */
#ifndef CSVSM_MM_H
#define CSVSM_MM_H

#include "csvsm/types.h"

/* Largest block of the page allocator: 2^MM_MAX_ORDER pages (4 MiB). */
#define MM_MAX_ORDER 10
#define MM_ORDER_2M  9

/* Smallest and largest object served by a slab; larger ones take pages. */
#define KMALLOC_MIN_SIZE      8
#define KMALLOC_MAX_SLAB_SIZE 2048
#define KMALLOC_CLASS_COUNT   9 /* 8, 16, ..., 2048 */

/* Bytes freed memory is filled with in debug builds (CSVSM_DEBUG). */
#define MM_POISON_BYTE 0x6b

/*
 * Takes over [base, base + size) as the heap and forgets any previous heap
 * (tests call it again to start afresh). `base` must be 4 KiB aligned and
 * `size` a multiple of 4 KiB; page metadata is carved from the region
 * itself. Returns 0, -CSVSM_EINVAL for a misaligned region, or
 * -CSVSM_ENOMEM when the region is too small to hold one usable page.
 */
int mm_init(void *base, size_t size) CSVSM_MUST_CHECK;

/*
 * Allocates 2^order contiguous pages, aligned to their own size (a 2 MiB
 * block is 2 MiB aligned in the heap's address space). Returns NULL when
 * order > MM_MAX_ORDER, when no block is free, or on an injected fault.
 * Contents are undefined (poisoned in debug builds).
 */
void *page_alloc(unsigned int order) CSVSM_MUST_CHECK;

/* Allocates as page_alloc, zero-filled. */
void *page_zalloc(unsigned int order) CSVSM_MUST_CHECK;

/*
 * Returns a block from page_alloc. `order` must be the order it was
 * allocated with; a mismatch, a double free or a foreign pointer is a broken
 * invariant and panics. NULL is ignored.
 */
void page_free(void *p, unsigned int order);

/*
 * Allocates `size` bytes, aligned to min(size rounded up to a power of two,
 * 4096) bytes, at least 8. Sizes up to KMALLOC_MAX_SLAB_SIZE come from slabs,
 * larger ones from whole pages. Returns NULL for size 0, on exhaustion, or on
 * an injected fault.
 */
void *kmalloc(size_t size) CSVSM_MUST_CHECK;

/* kmalloc, zero-filled. */
void *kzalloc(size_t size) CSVSM_MUST_CHECK;

/* Zero-filled array of `n` elements; NULL also when n * size overflows. */
void *kcalloc(size_t n, size_t size) CSVSM_MUST_CHECK;

/*
 * Frees a kmalloc/kzalloc/kcalloc result. NULL is ignored. A pointer kmalloc
 * did not return, or a double free, panics.
 */
void kfree(void *p);

struct mm_class_stats {
	size_t object_size;
	size_t slabs;        /* slab pages held by this class */
	size_t objects_used; /* live objects */
	size_t objects_free; /* free slots in the held slabs */
};

struct mm_stats {
	size_t total_pages; /* pages managed (metadata excluded) */
	size_t free_pages;
	size_t used_pages;                    /* total - free: slabs, large objects, page blocks */
	size_t live_allocs;                   /* page_alloc + kmalloc results not yet freed */
	size_t free_blocks[MM_MAX_ORDER + 1]; /* free blocks of each order */
	struct mm_class_stats classes[KMALLOC_CLASS_COUNT];
};

/* Fills `out` with the current statistics. */
void mm_get_stats(struct mm_stats *out);

/* True when someone holds the heap's lock: for assertions and tests only. */
bool mm_lock_is_held(void);

/* The number of live allocations (a quick leak check for tests). */
size_t mm_live_allocs(void);

/*
 * Returns the empty slabs kmalloc keeps cached (at most one per size class)
 * to the page allocator, and returns how many pages that freed. The page
 * allocator does this by itself before it fails an allocation, so callers
 * need it only to measure: after every allocation has been freed, mm_trim()
 * brings free_pages back to its value right after mm_init.
 */
size_t mm_trim(void);

#endif /* CSVSM_MM_H */
