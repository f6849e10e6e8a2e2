/* SPDX-License-Identifier: MIT */
/*
 * kmalloc: slabs of power-of-two objects (8..2048 bytes) above the page
 * allocator, and whole page blocks for anything larger.
 *
 * A slab is one page, described by its page descriptor (PD_SLAB, `order`
 * holds the class): `nfree` free objects, chained through their first word
 * (the page offset of the next free object; PAGE_SIZE ends the chain) from
 * `free_off`. An allocation bitmap per slab makes kfree exact: a pointer
 * that is not the start of an allocated object of its slab (misaligned, in
 * the slab's metadata, or already free) panics. Classes of 64 bytes and up
 * have at most 64 objects and keep the bitmap in the descriptor; the three
 * smallest keep it at the start of the page, where it costs 8, 2 and 1
 * objects. Following a free chain is checked as well (the next offset must
 * be a free object of the same page), so a corrupted chain panics instead of
 * handing out foreign memory.
 *
 * Slabs with free objects sit on their class's partial list; full slabs are
 * on no list. A class keeps at most one empty slab (at the tail of its
 * partial list, so partially used slabs fill first); any other slab that
 * becomes empty goes straight back to the page allocator.
 *
 * Debug builds poison freed objects and check the poison when the object is
 * handed out again: a write after free panics at the next allocation of
 * that object.
 *
 * Memory checking (csvsm/plat/memory.h, CSVSM_MEMCHECK): a slab page comes
 * from the page allocator poisoned and stays so except for the live objects,
 * of which kmalloc(n) unpoisons exactly n bytes (objects are 8-byte aligned,
 * so the byte after them is reported even inside the object's class size);
 * kfree poisons the whole object again. The slab's own data inside the page
 * (free-chain links, the in-page bitmaps) is read and written only through
 * meta_load/meta_store and check_poison, which the checker does not watch.
 */
#include "csvsm/fault.h"
#include "csvsm/lib/string.h"
#include "csvsm/mm.h"
#include "csvsm/panic.h"
#include "csvsm/plat/memory.h"
#include "mm_internal.h"

/* Classes below this one keep their allocation bitmap in the page. */
#define IN_PAGE_BITMAP_CLASSES 3

#define SLAB_END PAGE_SIZE

struct kclass_info {
	uint16_t size;
	uint16_t first;    /* page offset of the first object */
	uint16_t capacity; /* objects per slab */
	uint8_t shift;     /* log2(size) */
};

/*
 * An in-page bitmap has one bit per object-sized slot of the whole page (its
 * own slots included); the first object is the first slot after it.
 */
#define BITMAP_FIRST(size) ALIGN_UP(PAGE_SIZE / (size) / 8, (size))
#define CLASS_INFO(shift_, first_)                                                                 \
	{                                                                                          \
		.size = 1U << (shift_), .first = (first_),                                         \
		.capacity = (PAGE_SIZE - (first_)) >> (shift_), .shift = (shift_),                 \
	}

static const struct kclass_info kclass_info[KMALLOC_CLASS_COUNT] = {
    CLASS_INFO(3, BITMAP_FIRST(8)),
    CLASS_INFO(4, BITMAP_FIRST(16)),
    CLASS_INFO(5, BITMAP_FIRST(32)),
    CLASS_INFO(6, 0),
    CLASS_INFO(7, 0),
    CLASS_INFO(8, 0),
    CLASS_INFO(9, 0),
    CLASS_INFO(10, 0),
    CLASS_INFO(11, 0),
};

_Static_assert(KMALLOC_MAX_SLAB_SIZE == 8 << (KMALLOC_CLASS_COUNT - 1), "classes 8..2048");
_Static_assert(PAGE_SIZE / 64 <= 64, "classes >= 64 bytes fit one bitmap word");
_Static_assert(PAGE_SIZE / KMALLOC_MAX_SLAB_SIZE >= 2, "a slab holds at least two objects");

struct kclass {
	struct list_node partial; /* slabs with at least one free object */
	size_t nslabs;            /* slabs held */
	size_t nused;             /* live objects */
	unsigned int nempty;      /* empty slabs held: 0 or 1 */
};

#define KCLASS_INIT(i)                                                                             \
	{                                                                                          \
		.partial = LIST_HEAD_INIT(kclasses[i].partial),                                    \
	}

/* Statically valid empty lists: kmalloc before mm_init just fails. */
static struct kclass kclasses[KMALLOC_CLASS_COUNT] = {
    KCLASS_INIT(0), KCLASS_INIT(1), KCLASS_INIT(2), KCLASS_INIT(3), KCLASS_INIT(4),
    KCLASS_INIT(5), KCLASS_INIT(6), KCLASS_INIT(7), KCLASS_INIT(8),
};

void mm_slab_reset(void)
{
	for (unsigned int c = 0; c < KMALLOC_CLASS_COUNT; c++) {
		list_init(&kclasses[c].partial);
		kclasses[c].nslabs = 0;
		kclasses[c].nused = 0;
		kclasses[c].nempty = 0;
	}
}

/* The class of a size in 1..KMALLOC_MAX_SLAB_SIZE: ceil(log2(size)) - 3. */
static inline unsigned int size_class(size_t size)
{
	return 61U - (unsigned int)__builtin_clzl((size - 1) | 7);
}

/*
 * Accesses to allocator data inside poisoned memory: not instrumented, and
 * not inlined into instrumented code. Plain inline accesses without a
 * checker.
 */
#if CSVSM_MEMCHECK
#define MM_UNCHECKED __attribute__((no_sanitize_address, noinline))
#else
#define MM_UNCHECKED inline
#endif

static MM_UNCHECKED uint64_t meta_load(const uint64_t *w)
{
	return *w;
}

static MM_UNCHECKED void meta_store(uint64_t *w, uint64_t v)
{
	*w = v;
}

/* Heap bytes the core must not touch from now on (no-op without a checker). */
static inline void obj_poison(uintptr_t addr, size_t len)
{
	if (CSVSM_MEMCHECK)
		plat_mem_poison((const void *)addr, len);
}

/* Heap bytes the core may touch again. */
static inline void obj_unpoison(uintptr_t addr, size_t len)
{
	if (CSVSM_MEMCHECK)
		plat_mem_unpoison((const void *)addr, len);
}

static inline uint64_t *slab_bitmap(struct page_desc *d, uintptr_t page, unsigned int c)
{
	return c < IN_PAGE_BITMAP_CLASSES ? (uint64_t *)page : &d->bits;
}

static inline uint64_t *obj_word(uintptr_t addr)
{
	return (uint64_t *)addr;
}

/* Takes a page and makes it an empty slab of class `c` on its partial list. */
static struct page_desc *slab_new(unsigned int c)
{
	const struct kclass_info *ci = &kclass_info[c];
	struct kclass *k = &kclasses[c];
	uintptr_t page = mm_block_alloc(0, PD_SLAB);
	struct page_desc *d;

	if (page == 0)
		return NULL;
	d = mm_desc_of(page);
	d->order = (uint8_t)c;
	d->nfree = ci->capacity;
	d->free_off = ci->first;
	d->bits = 0;
	/* The page is poisoned: open it while its slab data is written. */
	obj_unpoison(page, PAGE_SIZE);
	if (ci->first != 0)
		mem_set((void *)page, 0, ci->first);
	for (uintptr_t off = ci->first; off < PAGE_SIZE; off += ci->size)
		*obj_word(page + off) = off + ci->size; /* the last one: SLAB_END */
	obj_poison(page, PAGE_SIZE);
	list_add(&d->link, &k->partial);
	k->nslabs++;
	k->nempty++;
	return d;
}

static void slab_release(struct kclass *k, struct page_desc *d)
{
	list_del(&d->link);
	k->nslabs--;
	mm_block_free(mm_desc_addr(d), 0);
}

#ifdef CSVSM_DEBUG
/* Reads the free object's fill, which is poisoned: MM_UNCHECKED. */
static MM_UNCHECKED void check_poison(uintptr_t obj, size_t size)
{
	for (size_t i = 8; i < size; i += 8) {
		if (*obj_word(obj + i) != MM_POISON_WORD)
			panic("kmalloc: write after free at %p (object %p, %zu bytes)",
			      (void *)(obj + i), (void *)obj, size);
	}
}
#endif

static inline void *slab_alloc(unsigned int c)
{
	const struct kclass_info *ci = &kclass_info[c];
	struct kclass *k = &kclasses[c];
	struct page_desc *d;
	uintptr_t page, obj, off, next;
	uint64_t *w, m;

	if (unlikely(list_empty(&k->partial))) {
		d = slab_new(c);
		if (d == NULL)
			return NULL;
	} else {
		d = list_first_entry(&k->partial, struct page_desc, link);
	}
	page = mm_desc_addr(d);
	off = d->free_off;
	obj = page + off;
	next = meta_load(obj_word(obj));
	/* The chain must stay on the slab's object grid and end with nfree. */
	if (unlikely(next < ci->first || next > SLAB_END || (next & (ci->size - 1)) != 0 ||
	             (next == SLAB_END) != (d->nfree == 1)))
		panic("kmalloc: corrupted free chain in slab %p (next %#lx)", (void *)page,
		      (unsigned long)next);
	w = &slab_bitmap(d, page, c)[off >> (ci->shift + 6)];
	m = 1ULL << ((off >> ci->shift) & 63);
	if (unlikely(meta_load(w) & m))
		panic("kmalloc: free chain of slab %p reaches live object %p", (void *)page,
		      (void *)obj);
	meta_store(w, meta_load(w) | m);
	d->free_off = (uint16_t)next;
	if (d->nfree == ci->capacity)
		k->nempty--;
	if (--d->nfree == 0)
		list_del(&d->link);
	k->nused++;
#ifdef CSVSM_DEBUG
	check_poison(obj, ci->size);
	meta_store(obj_word(obj), MM_POISON_WORD);
#endif
	return (void *)obj; /* still poisoned: kmalloc unpoisons what it hands out */
}

static void *large_alloc(size_t size)
{
	size_t pages;
	unsigned int order;

	if (size > (PAGE_SIZE << MM_MAX_ORDER))
		return NULL;
	pages = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
	order = pages <= 1 ? 0 : 64U - (unsigned int)__builtin_clzl(pages - 1);
	return (void *)mm_block_alloc(order, PD_LARGE);
}

void *kmalloc(size_t size)
{
	void *p;

	if (unlikely(fault_should_fail(FAULT_SITE_ALLOC)))
		return NULL;
	if (unlikely(size == 0))
		return NULL;
	spin_lock(&mm_lock);
	if (likely(size - 1 < KMALLOC_MAX_SLAB_SIZE))
		p = slab_alloc(size_class(size));
	else
		p = large_alloc(size);
	if (likely(p != NULL))
		mm_heap.live_allocs++;
	spin_unlock(&mm_lock);
	if (likely(p != NULL))
		obj_unpoison((uintptr_t)p, size);
	return p;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p != NULL)
		mem_set(p, 0, size);
	return p;
}

void *kcalloc(size_t n, size_t size)
{
	size_t bytes;

	if (mul_overflows(n, size, &bytes))
		return NULL;
	return kzalloc(bytes);
}

/* An empty slab: keep it as the class's spare, or give the page back. */
static void slab_emptied(struct kclass *k, struct page_desc *d)
{
	if (k->nempty != 0) {
		slab_release(k, d);
		return;
	}
	k->nempty = 1;
	list_del(&d->link);
	list_add_tail(&d->link, &k->partial);
}

static inline void slab_free(struct page_desc *d, uintptr_t addr)
{
	unsigned int c = d->order;
	const struct kclass_info *ci = &kclass_info[c];
	struct kclass *k = &kclasses[c];
	uintptr_t off = addr & (PAGE_SIZE - 1);
	uintptr_t page = addr - off;
	uint64_t *w, m;

	if (unlikely(off < ci->first || (off & (ci->size - 1)) != 0))
		panic("kfree: %p is not an object of its %u-byte slab", (void *)addr, ci->size);
	w = &slab_bitmap(d, page, c)[off >> (ci->shift + 6)];
	m = 1ULL << ((off >> ci->shift) & 63);
	if (unlikely(!(meta_load(w) & m)))
		panic("kfree: double free of %p", (void *)addr);
	meta_store(w, meta_load(w) & ~m);
#ifdef CSVSM_DEBUG
	/* Only the bytes kmalloc was asked for are usable: open the whole object. */
	obj_unpoison(addr, ci->size);
	mem_set((void *)addr, MM_POISON_BYTE, ci->size);
#endif
	obj_poison(addr, ci->size);
	meta_store(obj_word(addr), d->free_off);
	d->free_off = (uint16_t)off;
	k->nused--;
	if (d->nfree++ == 0)
		list_add(&d->link, &k->partial);
	else if (d->nfree == ci->capacity)
		slab_emptied(k, d);
}

void kfree(void *p)
{
	uintptr_t addr = (uintptr_t)p;
	struct page_desc *d;

	if (p == NULL)
		return;
	if (unlikely(!mm_in_heap(addr)))
		panic("kfree: %p is not in the heap", p);
	spin_lock(&mm_lock);
	d = mm_desc_of(addr);
	if (likely(d->type == PD_SLAB)) {
		slab_free(d, addr);
	} else if (d->type == PD_LARGE && IS_ALIGNED(addr, PAGE_SIZE)) {
		mm_block_free(addr, d->order);
	} else if (d->type == PD_FREE || d->type == PD_TAIL) {
		panic("kfree: double free or interior pointer %p", p);
	} else {
		panic("kfree: %p was not allocated by kmalloc", p);
	}
	mm_heap.live_allocs--;
	spin_unlock(&mm_lock);
}

size_t mm_slab_trim(void)
{
	size_t pages = 0;

	for (unsigned int c = 0; c < KMALLOC_CLASS_COUNT; c++) {
		struct kclass *k = &kclasses[c];
		struct page_desc *d;

		if (k->nempty == 0)
			continue;
		/* The spare always sits at the tail of the partial list. */
		d = list_last_entry(&k->partial, struct page_desc, link);
		BUG_ON(d->nfree != kclass_info[c].capacity);
		k->nempty = 0;
		slab_release(k, d);
		pages++;
	}
	return pages;
}

void mm_slab_stats(struct mm_stats *out)
{
	for (unsigned int c = 0; c < KMALLOC_CLASS_COUNT; c++) {
		const struct kclass *k = &kclasses[c];
		struct mm_class_stats *cs = &out->classes[c];

		cs->object_size = kclass_info[c].size;
		cs->slabs = k->nslabs;
		cs->objects_used = k->nused;
		cs->objects_free = k->nslabs * kclass_info[c].capacity - k->nused;
	}
}
