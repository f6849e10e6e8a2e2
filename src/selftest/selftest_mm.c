/* SPDX-License-Identifier: MIT */
/*
 * Self-tests of src/mm: the buddy allocator and kmalloc on a scratch region
 * (alignment, coalescing, exhaustion), and the fault-injection points.
 * Expected values follow from the contracts in csvsm/mm.h and fault.h.
 */
#include "csvsm/fault.h"
#include "csvsm/lib/string.h"
#include "csvsm/mm.h"
#include "ktest.h"

#define MM_TEST_REGION ((size_t)256 << 10) /* small: debug builds poison it whole */

/* A fresh allocator on 256 KiB of scratch memory (the runner restores the heap). */
static bool mm_on_scratch(struct ktest_ctx *t)
{
	size_t size;
	void *base = ktest_scratch(&size);

	if (!base || size < MM_TEST_REGION) {
		ktest_fail(t, __FILE__, __LINE__, "256 KiB of scratch memory");
		return false;
	}
	if (mm_init(base, MM_TEST_REGION) < 0) {
		ktest_fail(t, __FILE__, __LINE__, "mm_init on the scratch region");
		return false;
	}
	return true;
}

static void mm_pages_aligned_and_coalesce(struct ktest_ctx *t)
{
	struct mm_stats before, after;
	void *p[MM_MAX_ORDER + 1];

	if (!mm_on_scratch(t))
		return;
	mm_get_stats(&before);
	KT_ASSERT(before.total_pages > 0 && before.free_pages == before.total_pages);
	for (unsigned int o = 0; o <= 4; o++) {
		p[o] = page_alloc(o);
		KT_ASSERT(p[o] != NULL);
		KT_EXPECT(((uintptr_t)p[o] & ((PAGE_SIZE << o) - 1)) == 0);
	}
	KT_EXPECT(mm_live_allocs() == 5);
	for (unsigned int o = 0; o <= 4; o++)
		page_free(p[o], o);
	mm_get_stats(&after);
	KT_EXPECT(after.free_pages == before.total_pages);
	KT_EXPECT(mm_live_allocs() == 0);
	/* Freed buddies merge back: the largest blocks are whole again. */
	for (unsigned int o = 0; o <= MM_MAX_ORDER; o++)
		KT_EXPECT(after.free_blocks[o] == before.free_blocks[o]);
	KT_EXPECT(page_alloc(MM_MAX_ORDER + 1) == NULL);
}

static void mm_kmalloc_classes(struct ktest_ctx *t)
{
	static const size_t sizes[] = {1, 8, 9, 16, 100, 512, 2048, 2049, 10000};
	void *p[ARRAY_SIZE(sizes)];

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		p[i] = kmalloc(sizes[i]);
		KT_ASSERT(p[i] != NULL);
		KT_EXPECT(((uintptr_t)p[i] & 7) == 0);
		mem_set(p[i], (int)i, sizes[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		const uint8_t *b = p[i];

		KT_EXPECT(b[0] == i && b[sizes[i] - 1] == i);
		kfree(p[i]);
	}
	p[0] = kzalloc(300);
	KT_ASSERT(p[0] != NULL);
	KT_EXPECT(mem_is_zero(p[0], 300));
	kfree(p[0]);
	KT_EXPECT(kcalloc(CSVSM_SIZE_MAX / 2, 4) == NULL); /* n * size overflows */
	kfree(NULL);
}

/* Heap exhaustion: allocations fail with NULL, and everything comes back. */
static void mm_exhaustion(struct ktest_ctx *t)
{
	struct mm_stats before, after;
	void *chain = NULL;
	size_t pages = 0;

	if (!mm_on_scratch(t))
		return;
	mm_get_stats(&before);
	for (;;) {
		void **pg = page_alloc(0);

		if (!pg)
			break;
		*pg = chain;
		chain = pg;
		pages++;
		KT_ASSERT(pages <= before.total_pages);
	}
	KT_EXPECT(pages == before.total_pages);
	KT_EXPECT(page_alloc(0) == NULL);
	KT_EXPECT(kmalloc(4096) == NULL); /* a large object needs pages */
	KT_EXPECT(kmalloc(8) == NULL);    /* so does a first slab */
	while (chain) {
		void *next = *(void **)chain;

		page_free(chain, 0);
		chain = next;
	}
	mm_get_stats(&after);
	KT_EXPECT(mm_live_allocs() == 0);
	KT_EXPECT(after.free_pages == before.free_pages);
	/* And the heap works again. */
	chain = kmalloc(64);
	KT_EXPECT(chain != NULL);
	kfree(chain);
}

static void mm_fault_injection(struct ktest_ctx *t)
{
	void *a, *b, *c;

	/* The 2nd allocation fails once; the 3rd works again. */
	fault_arm(FAULT_SITE_ALLOC, 2, false);
	a = kmalloc(32);
	b = kmalloc(32);
	c = page_alloc(0);
	KT_EXPECT(a != NULL && b == NULL && c != NULL);
	KT_EXPECT(fault_fired_count(FAULT_SITE_ALLOC) == 1);
	kfree(a);
	if (c)
		page_free(c, 0);
	/* Persistent: from the 1st on, every allocation fails. */
	fault_arm(FAULT_SITE_ALLOC, 1, true);
	a = kmalloc(8);
	b = page_alloc(0);
	KT_EXPECT(a == NULL && b == NULL);
	fault_reset();
	a = kmalloc(8);
	KT_EXPECT(a != NULL);
	kfree(a);
}

static const struct ktest mm_tests[] = {
    KTEST_OWN_HEAP(mm_pages_aligned_and_coalesce),
    KTEST(mm_kmalloc_classes),
    KTEST_OWN_HEAP(mm_exhaustion),
    KTEST(mm_fault_injection),
};

const struct ktest_suite ktest_suite_mm = KTEST_SUITE("mm", mm_tests);
