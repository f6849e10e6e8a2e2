/* SPDX-License-Identifier: MIT */
/*
 * The buddy page allocator.
 *
 * Blocks of 2^order pages (order 0..MM_MAX_ORDER) are aligned to their own
 * size by absolute address, so the buddy of the block at `a` is at
 * a ^ (PAGE_SIZE << order). mm_init carves the usable pages into the largest
 * aligned blocks that fit; since a block only merges with its aligned buddy
 * and only when that buddy lies wholly in the heap, freeing everything always
 * restores exactly that carving.
 *
 * Free lists are circular doubly linked lists threaded through the head
 * descriptors, so taking a block off a list (for a merge) is O(1) and the
 * free pages themselves stay untouched (poisoned in debug builds).
 * free_mask caches which lists are non-empty: finding the smallest
 * sufficient order is one count-trailing-zeros.
 *
 * Memory checking (csvsm/plat/memory.h, CSVSM_MEMCHECK): every byte of a
 * free block is poisoned, from mm_init on; the allocator itself reads and
 * writes only the descriptors, which sit in the metadata pages and stay
 * usable. page_alloc and page_zalloc unpoison the whole block, kmalloc the
 * bytes it hands out (kmalloc.c), and mm_block_free poisons the block again.
 */
#include "csvsm/error.h"
#include "csvsm/fault.h"
#include "csvsm/lib/string.h"
#include "csvsm/mm.h"
#include "csvsm/panic.h"
#include "csvsm/plat/memory.h"
#include "mm_internal.h"

_Static_assert(sizeof(struct page_desc) == 32, "page descriptors should stay small");
_Static_assert(MM_MAX_ORDER < 32, "free_mask holds one bit per order");

struct mm_heap mm_heap;
struct spinlock mm_lock = SPINLOCK_INIT;

/* Heap bytes the core must not touch from now on (no-op without a checker). */
static inline void block_poison(uintptr_t addr, size_t len)
{
	if (CSVSM_MEMCHECK)
		plat_mem_poison((const void *)addr, len);
}

/* Heap bytes the core may touch again. */
static inline void block_unpoison(uintptr_t addr, size_t len)
{
	if (CSVSM_MEMCHECK)
		plat_mem_unpoison((const void *)addr, len);
}

/* Puts the block headed by `d` on its free list, first or (`tail`) last. */
static void free_list_add(struct page_desc *d, unsigned int order, bool tail)
{
	d->type = PD_FREE;
	d->order = (uint8_t)order;
	if (tail)
		list_add_tail(&d->link, &mm_heap.free_lists[order]);
	else
		list_add(&d->link, &mm_heap.free_lists[order]);
	mm_heap.nr_free[order]++;
	mm_heap.free_mask |= 1U << order;
}

static void free_list_del(struct page_desc *d, unsigned int order)
{
	list_del(&d->link);
	if (--mm_heap.nr_free[order] == 0)
		mm_heap.free_mask &= ~(1U << order);
}

int mm_init(void *base, size_t size)
{
	uintptr_t b = (uintptr_t)base;
	uintptr_t end;
	size_t total, meta, usable;

	spin_init(&mm_lock); /* boot: nobody else runs */
	if (!IS_ALIGNED(b, PAGE_SIZE) || !IS_ALIGNED(size, PAGE_SIZE) || b == 0 ||
	    add_overflows(b, size, &end))
		return -CSVSM_EINVAL;

	/*
	 * Metadata pages: enough descriptors for the pages that remain. Start
	 * from the exact fraction and grow until it fits (at most a step).
	 */
	total = size >> PAGE_SHIFT;
	meta = total / (PAGE_SIZE / sizeof(struct page_desc) + 1);
	while (meta < total && (total - meta) * sizeof(struct page_desc) > (meta << PAGE_SHIFT))
		meta++;
	if (meta >= total)
		return -CSVSM_ENOMEM;
	usable = total - meta;

	/* Nothing of an earlier heap on the same memory stays poisoned. */
	block_unpoison(b, size);
	mm_heap.desc = base;
	mm_heap.start = b + (meta << PAGE_SHIFT);
	mm_heap.span = usable << PAGE_SHIFT;
	mm_heap.total_pages = usable;
	mm_heap.free_pages = usable;
	mm_heap.live_allocs = 0;
	mm_heap.free_mask = 0;
	for (unsigned int k = 0; k <= MM_MAX_ORDER; k++) {
		list_init(&mm_heap.free_lists[k]);
		mm_heap.nr_free[k] = 0;
	}
	mem_set(mm_heap.desc, 0, usable * sizeof(struct page_desc));
#ifdef CSVSM_DEBUG
	mem_set((void *)mm_heap.start, MM_POISON_BYTE, mm_heap.span);
#endif
	block_poison(mm_heap.start, mm_heap.span);

	/*
	 * Carve [start, end) into maximal naturally aligned blocks, queued in
	 * address order so that allocations start low.
	 */
	for (uintptr_t a = mm_heap.start; a < end;) {
		unsigned int k = MM_MAX_ORDER;

		while (!IS_ALIGNED(a, PAGE_SIZE << k) || end - a < (PAGE_SIZE << k))
			k--;
		free_list_add(mm_desc_of(a), k, true);
		a += PAGE_SIZE << k;
	}
	mm_slab_reset();
	return 0;
}

uintptr_t mm_block_alloc(unsigned int order, uint8_t type)
{
	uint32_t avail;
	unsigned int k;
	struct page_desc *d;
	uintptr_t addr;

	if (order > MM_MAX_ORDER)
		return 0;
	avail = mm_heap.free_mask >> order;
	if (unlikely(avail == 0)) {
		if (mm_slab_trim() == 0)
			return 0;
		avail = mm_heap.free_mask >> order;
		if (avail == 0)
			return 0;
	}
	k = order + (unsigned int)__builtin_ctz(avail);
	d = list_first_entry(&mm_heap.free_lists[k], struct page_desc, link);
	free_list_del(d, k);
	addr = mm_desc_addr(d);

	/* Split: the upper halves go back on the lower free lists. */
	while (k > order) {
		k--;
		free_list_add(mm_desc_of(addr + (PAGE_SIZE << k)), k, false);
	}
	d->type = type;
	d->order = (uint8_t)order;
	mm_heap.free_pages -= (size_t)1 << order;
	return addr;
}

void mm_block_free(uintptr_t addr, unsigned int order)
{
	mm_heap.free_pages += (size_t)1 << order;
#ifdef CSVSM_DEBUG
	/* Parts may be poisoned already (a kmalloc tail, a slab's free objects). */
	block_unpoison(addr, PAGE_SIZE << order);
	mem_set((void *)addr, MM_POISON_BYTE, PAGE_SIZE << order);
#endif
	block_poison(addr, PAGE_SIZE << order);
	while (order < MM_MAX_ORDER) {
		uintptr_t bsize = PAGE_SIZE << order;
		uintptr_t buddy = addr ^ bsize;
		struct page_desc *bd;

		if (!mm_in_heap(buddy))
			break;
		bd = mm_desc_of(buddy);
		if (bd->type != PD_FREE || bd->order != order)
			break;
		free_list_del(bd, order);
		/* The upper half stops being a head. */
		mm_desc_of(addr | bsize)->type = PD_TAIL;
		addr &= ~bsize;
		order++;
	}
	free_list_add(mm_desc_of(addr), order, false);
}

/* A PD_ALLOC block with the lock taken here, counted live; 0 when none. */
static uintptr_t page_block_alloc(unsigned int order)
{
	uintptr_t addr;

	spin_lock(&mm_lock);
	addr = mm_block_alloc(order, PD_ALLOC);
	if (addr != 0)
		mm_heap.live_allocs++;
	spin_unlock(&mm_lock);
	return addr;
}

void *page_alloc(unsigned int order)
{
	uintptr_t addr;

	if (fault_should_fail(FAULT_SITE_ALLOC))
		return NULL;
	addr = page_block_alloc(order);
	if (addr == 0)
		return NULL;
	block_unpoison(addr, PAGE_SIZE << order);
	return (void *)addr;
}

void *page_zalloc(unsigned int order)
{
	void *p = page_alloc(order);

	return p ? mem_set(p, 0, PAGE_SIZE << order) : NULL;
}

void page_free(void *p, unsigned int order)
{
	uintptr_t addr = (uintptr_t)p;
	struct page_desc *d;

	if (p == NULL)
		return;
	if (order > MM_MAX_ORDER || !mm_in_heap(addr) || !IS_ALIGNED(addr, PAGE_SIZE))
		panic("page_free: %p (order %u) is not a heap block", p, order);
	spin_lock(&mm_lock);
	d = mm_desc_of(addr);
	if (d->type != PD_ALLOC) {
		if (d->type == PD_FREE || d->type == PD_TAIL)
			panic("page_free: double free or interior pointer %p", p);
		panic("page_free: %p was not allocated by page_alloc", p);
	}
	if (d->order != order)
		panic("page_free: %p has order %u, freed as order %u", p, d->order, order);
	mm_heap.live_allocs--;
	mm_block_free(addr, order);
	spin_unlock(&mm_lock);
}

void mm_get_stats(struct mm_stats *out)
{
	mem_set(out, 0, sizeof(*out));
	spin_lock(&mm_lock);
	out->total_pages = mm_heap.total_pages;
	out->free_pages = mm_heap.free_pages;
	out->used_pages = mm_heap.total_pages - mm_heap.free_pages;
	out->live_allocs = mm_heap.live_allocs;
	for (unsigned int k = 0; k <= MM_MAX_ORDER; k++)
		out->free_blocks[k] = mm_heap.nr_free[k];
	mm_slab_stats(out);
	spin_unlock(&mm_lock);
}

size_t mm_live_allocs(void)
{
	return __atomic_load_n(&mm_heap.live_allocs, __ATOMIC_RELAXED);
}

size_t mm_trim(void)
{
	size_t pages;

	spin_lock(&mm_lock);
	pages = mm_slab_trim();
	spin_unlock(&mm_lock);
	return pages;
}

bool mm_lock_is_held(void)
{
	return spin_is_locked(&mm_lock);
}
