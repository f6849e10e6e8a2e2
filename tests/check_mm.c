/* SPDX-License-Identifier: MIT */
/*
 * Tests of the heap (page allocator, kmalloc), fault injection and the
 * fault sweep helper. Broken invariants (double free, foreign pointers)
 * panic, which in the simulator aborts: those tests expect SIGABRT.
 * With AddressSanitizer (CSVSM_MEMCHECK) the free parts of the heap are
 * poisoned: the "memcheck" tests prove that ASan then reports overflows and
 * uses after free inside the heap, and the tests that touch freed memory on
 * purpose do it through the unchecked helpers below.
 */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csvsm/error.h"
#include "csvsm/fault.h"
#include "csvsm/mm.h"
#include "csvsm/plat/memory.h"
#include "fault_sweep.h"
#include "test_rng.h"

#if CSVSM_MEMCHECK
#include <sanitizer/asan_interface.h>
#define UNCHECKED __attribute__((no_sanitize_address, noinline))
#else
#define UNCHECKED
#endif

#define MIB       ((size_t)1 << 20)
#define MAX_BLOCK (PAGE_SIZE << MM_MAX_ORDER)

/* True when all `len` bytes at `p` equal `b`. */
static bool bytes_all(const void *p, size_t len, unsigned char b)
{
	const unsigned char *c = p;

	if (len == 0)
		return true;
	return c[0] == b && memcmp(c, c + 1, len - 1) == 0;
}

/*
 * bytes_all for freed heap memory, which ASan would report: not
 * instrumented, and byte loads through volatile (no intercepted memcmp).
 */
static UNCHECKED bool freed_bytes_all(const void *p, size_t len, unsigned char b)
{
	const volatile unsigned char *c = p;

	for (size_t i = 0; i < len; i++)
		if (c[i] != b)
			return false;
	return true;
}

/* Writes freed heap memory on purpose (the allocator's own checks must fire). */
#ifdef CSVSM_DEBUG
static UNCHECKED void freed_store8(void *p, unsigned char v)
{
	*(volatile unsigned char *)p = v;
}
#endif

static UNCHECKED void freed_store64(void *p, uint64_t v)
{
	*(volatile uint64_t *)p = v;
}

static size_t pow2_ceil(size_t n)
{
	size_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

/* The alignment kmalloc documents: min(pow2_ceil(size), 4096), at least 8. */
static size_t kmalloc_align(size_t size)
{
	size_t a = pow2_ceil(size);

	if (a < 8)
		a = 8;
	return a > PAGE_SIZE ? PAGE_SIZE : a;
}

static unsigned class_of(size_t size)
{
	unsigned c = 0;

	while (((size_t)8 << c) < size)
		c++;
	return c;
}

static unsigned order_of_bytes(size_t size)
{
	unsigned k = 0;

	while ((PAGE_SIZE << k) < size)
		k++;
	return k;
}

static struct mm_stats stats(void)
{
	struct mm_stats s;

	mm_get_stats(&s);
	return s;
}

static size_t free_pages_from_blocks(const struct mm_stats *s)
{
	size_t n = 0;

	for (unsigned k = 0; k <= MM_MAX_ORDER; k++)
		n += s->free_blocks[k] << k;
	return n;
}

static unsigned largest_free_order(const struct mm_stats *s)
{
	for (unsigned k = MM_MAX_ORDER + 1; k-- > 0;) {
		if (s->free_blocks[k] != 0)
			return k;
	}
	return 0;
}

/* ---- initialisation ---- */

START_TEST(test_init_errors)
{
	void *buf = NULL;

	ck_assert_int_eq(posix_memalign(&buf, PAGE_SIZE, 4 * PAGE_SIZE), 0);
	ck_assert_int_eq(mm_init((char *)buf + 8, 2 * PAGE_SIZE), -CSVSM_EINVAL);
	ck_assert_int_eq(mm_init(buf, 2 * PAGE_SIZE + 1), -CSVSM_EINVAL);
	ck_assert_int_eq(mm_init(buf, 0), -CSVSM_ENOMEM);
	ck_assert_int_eq(mm_init(buf, PAGE_SIZE), -CSVSM_ENOMEM);
	ck_assert_int_eq(mm_init(buf, 2 * PAGE_SIZE), 0);
	free(buf);
}
END_TEST

START_TEST(test_tiny_heap)
{
	char *base = test_heap_init(2 * PAGE_SIZE);
	struct mm_stats s = stats();
	void *p, *q;

	ck_assert_uint_eq(s.total_pages, 1);
	ck_assert_uint_eq(s.free_pages, 1);
	ck_assert_ptr_null(page_alloc(1));
	p = page_alloc(0);
	ck_assert_ptr_eq(p, base + PAGE_SIZE); /* the metadata page is not handed out */
	ck_assert_ptr_null(page_alloc(0));
	ck_assert_ptr_null(kmalloc(8));
	page_free(p, 0);
	q = kmalloc(8);
	ck_assert_ptr_nonnull(q);
	ck_assert_ptr_null(page_alloc(0));
	kfree(q);
	/* The empty slab is cached, and given back when pages run out. */
	ck_assert_uint_eq(stats().classes[0].slabs, 1);
	p = page_alloc(0);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(stats().classes[0].slabs, 0);
	page_free(p, 0);
}
END_TEST

START_TEST(test_reinit_forgets)
{
	void *p;

	test_heap_init(4 * MIB);
	p = kmalloc(100);
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(page_alloc(3));
	ck_assert_uint_eq(mm_live_allocs(), 2);
	test_heap_init(4 * MIB);
	ck_assert_uint_eq(mm_live_allocs(), 0);
	ck_assert_uint_eq(stats().free_pages, stats().total_pages);
	ck_assert_uint_eq(stats().classes[class_of(100)].slabs, 0);
}
END_TEST

START_TEST(test_initial_carving)
{
	struct mm_stats s;
	size_t meta;

	test_heap_init(16 * MIB);
	s = stats();
	meta = 16 * MIB / PAGE_SIZE - s.total_pages;

	/* 32-byte descriptors: 1/128 of the region, rounded up. */
	ck_assert_uint_ge(meta * PAGE_SIZE, s.total_pages * 32);
	ck_assert_uint_lt((meta - 1) * PAGE_SIZE, s.total_pages * 32);
	ck_assert_uint_eq(s.free_pages, s.total_pages);
	ck_assert_uint_eq(free_pages_from_blocks(&s), s.free_pages);
	ck_assert_uint_eq(s.used_pages, 0);
	ck_assert_uint_eq(s.live_allocs, 0);
	/* A 2 MiB aligned 16 MiB region holds at least three 4 MiB blocks. */
	ck_assert_uint_ge(s.free_blocks[MM_MAX_ORDER], 3);
	for (unsigned c = 0; c < KMALLOC_CLASS_COUNT; c++) {
		ck_assert_uint_eq(s.classes[c].object_size, (size_t)8 << c);
		ck_assert_uint_eq(s.classes[c].slabs, 0);
	}
}
END_TEST

/* ---- page allocator ---- */

START_TEST(test_page_orders_aligned)
{
	char *base = test_heap_init(32 * MIB);
	void *blocks[MM_MAX_ORDER + 1];
	size_t total = stats().total_pages;
	size_t used = 0;

	for (unsigned k = 0; k <= MM_MAX_ORDER; k++) {
		char *p = page_alloc(k);

		ck_assert_ptr_nonnull(p);
		ck_assert_uint_eq((uintptr_t)p % (PAGE_SIZE << k), 0);
		ck_assert(p >= base && p + (PAGE_SIZE << k) <= base + 32 * MIB);
		memset(p, (int)k, PAGE_SIZE << k);
		blocks[k] = p;
		used += (size_t)1 << k;
		ck_assert_uint_eq(stats().free_pages, total - used);
	}
	for (unsigned k = 0; k <= MM_MAX_ORDER; k++) {
		ck_assert(bytes_all(blocks[k], PAGE_SIZE << k, (unsigned char)k));
		page_free(blocks[k], k);
	}
	ck_assert_uint_eq(stats().free_pages, total);
	ck_assert_uint_eq(mm_live_allocs(), 0);
}
END_TEST

START_TEST(test_page_zalloc_zeroes)
{
	unsigned char *p;

	test_heap_init(8 * MIB);
	p = page_alloc(2);
	ck_assert_ptr_nonnull(p);
	memset(p, 0xa5, 4 * PAGE_SIZE);
	page_free(p, 2);
	p = page_zalloc(2);
	ck_assert_ptr_nonnull(p);
	ck_assert(bytes_all(p, 4 * PAGE_SIZE, 0));
	page_free(p, 2);
}
END_TEST

START_TEST(test_order_too_big)
{
	test_heap_init(16 * MIB);
	ck_assert_ptr_null(page_alloc(MM_MAX_ORDER + 1));
	ck_assert_ptr_null(page_zalloc(MM_MAX_ORDER + 1));
	ck_assert_ptr_null(page_alloc(~0U));
	ck_assert_ptr_null(kmalloc(MAX_BLOCK + 1));
	ck_assert_ptr_null(kmalloc(SIZE_MAX));
	ck_assert_uint_eq(mm_live_allocs(), 0);
	ck_assert_uint_eq(stats().free_pages, stats().total_pages);
	page_free(NULL, 3); /* ignored */
	kfree(NULL);
}
END_TEST

START_TEST(test_buddies_coalesce)
{
	struct mm_stats s0, s;
	void *p[4];

	test_heap_init(8 * MIB);
	s0 = stats();
	/* Split a block down to order 0, then free in a scrambled order. */
	for (unsigned i = 0; i < 4; i++) {
		p[i] = page_alloc(0);
		ck_assert_ptr_nonnull(p[i]);
	}
	ck_assert_ptr_eq((char *)p[1], (char *)p[0] + PAGE_SIZE);
	page_free(p[2], 0);
	page_free(p[0], 0);
	page_free(p[3], 0);
	page_free(p[1], 0);
	s = stats();
	ck_assert_mem_eq(s.free_blocks, s0.free_blocks, sizeof(s.free_blocks));
}
END_TEST

START_TEST(test_page_exhaustion)
{
	size_t total, n = 0, cap = 0;
	void **v = NULL;

	test_heap_init(8 * MIB);
	total = stats().total_pages;
	for (int round = 0; round < 2; round++) {
		void *p;

		n = 0;
		while ((p = page_alloc(0)) != NULL) {
			if (n == cap) {
				cap = cap ? 2 * cap : 256;
				v = realloc(v, cap * sizeof(*v));
				ck_assert_ptr_nonnull(v);
			}
			v[n++] = p;
		}
		ck_assert_uint_eq(n, total);
		ck_assert_uint_eq(stats().free_pages, 0);
		ck_assert_ptr_null(kmalloc(1));
		ck_assert_ptr_null(page_zalloc(0));
		ck_assert_uint_eq(mm_live_allocs(), total);
		while (n > 0)
			page_free(v[--n], 0);
		ck_assert_uint_eq(stats().free_pages, total);
		ck_assert_uint_eq(mm_live_allocs(), 0);
	}
	free(v);
}
END_TEST

/* ---- kmalloc ---- */

START_TEST(test_kmalloc_alignment_all_sizes)
{
	test_heap_init(16 * MIB);
	for (size_t size = 1; size <= 8192; size++) {
		char *p = kmalloc(size);

		ck_assert_ptr_nonnull(p);
		ck_assert_msg((uintptr_t)p % kmalloc_align(size) == 0, "size %zu at %p", size,
		              (void *)p);
		p[0] = 1;
		p[size - 1] = 2;
		kfree(p);
	}
	ck_assert_uint_eq(mm_live_allocs(), 0);
}
END_TEST

START_TEST(test_kmalloc_zero_and_overflow)
{
	void *p;

	test_heap_init(4 * MIB);
	ck_assert_ptr_null(kmalloc(0));
	ck_assert_ptr_null(kzalloc(0));
	ck_assert_ptr_null(kcalloc(0, 16));
	ck_assert_ptr_null(kcalloc(16, 0));
	ck_assert_ptr_null(kcalloc(SIZE_MAX, 2));
	ck_assert_ptr_null(kcalloc(2, SIZE_MAX / 2 + 1));
	ck_assert_ptr_null(kcalloc((size_t)1 << 32, (size_t)1 << 32));
	ck_assert_uint_eq(mm_live_allocs(), 0);
	p = kcalloc(3, 100);
	ck_assert_ptr_nonnull(p);
	ck_assert(bytes_all(p, 300, 0));
	kfree(p);
}
END_TEST

START_TEST(test_kzalloc_zeroes_reused_memory)
{
	unsigned char *p;

	test_heap_init(4 * MIB);
	p = kmalloc(200);
	ck_assert_ptr_nonnull(p);
	memset(p, 0xee, 200);
	kfree(p);
	p = kzalloc(200);
	ck_assert_ptr_nonnull(p);
	ck_assert(bytes_all(p, 200, 0));
	kfree(p);
	p = kzalloc(10000);
	ck_assert_ptr_nonnull(p);
	ck_assert(bytes_all(p, 10000, 0));
	kfree(p);
}
END_TEST

START_TEST(test_kmalloc_large_orders)
{
	static const size_t sizes[] = {2049, 4096, 4097, 8192, 8193, 1 << 20, MAX_BLOCK};

	test_heap_init(16 * MIB);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t total = stats().free_pages;
		char *p = kmalloc(sizes[i]);
		unsigned order = order_of_bytes(sizes[i]);

		ck_assert_ptr_nonnull(p);
		ck_assert_uint_eq((uintptr_t)p % (PAGE_SIZE << order), 0);
		ck_assert_uint_eq(total - stats().free_pages, (size_t)1 << order);
		memset(p, 0x5a, sizes[i]);
		kfree(p);
		ck_assert_uint_eq(stats().free_pages, total);
	}
}
END_TEST

START_TEST(test_slab_spare_policy)
{
	void *p[64];
	struct mm_stats s;

	test_heap_init(4 * MIB);
	for (int i = 0; i < 64; i++) {
		p[i] = kmalloc(2048); /* two per slab */
		ck_assert_ptr_nonnull(p[i]);
	}
	s = stats();
	ck_assert_uint_eq(s.classes[8].slabs, 32);
	ck_assert_uint_eq(s.classes[8].objects_used, 64);
	ck_assert_uint_eq(s.classes[8].objects_free, 0);
	for (int i = 0; i < 64; i++)
		kfree(p[i]);
	s = stats();
	ck_assert_uint_eq(s.classes[8].slabs, 1); /* one empty slab kept */
	ck_assert_uint_eq(s.classes[8].objects_used, 0);
	ck_assert_uint_eq(s.classes[8].objects_free, 2);
	ck_assert_uint_eq(s.used_pages, 1);
	ck_assert_uint_eq(mm_trim(), 1);
	ck_assert_uint_eq(stats().used_pages, 0);
	ck_assert_uint_eq(mm_trim(), 0);
}
END_TEST

START_TEST(test_kmalloc_exhaustion)
{
	size_t cap = 1 << 16, counts[2];
	void **v = malloc(cap * sizeof(*v));
	size_t total;

	ck_assert_ptr_nonnull(v);
	test_heap_init(2 * MIB);
	total = stats().total_pages;
	for (int round = 0; round < 2; round++) {
		size_t n = 0;
		void *p;

		/* Mixed sizes until the first failure, then fill with 8 bytes. */
		for (unsigned i = 0;; i++) {
			p = kmalloc(1 + (i * 37) % 3000);
			if (p == NULL)
				break;
			ck_assert_uint_lt(n, cap);
			v[n++] = p;
		}
		while ((p = kmalloc(8)) != NULL) {
			if (n == cap) {
				cap *= 2;
				v = realloc(v, cap * sizeof(*v));
				ck_assert_ptr_nonnull(v);
			}
			v[n++] = p;
		}
		ck_assert_uint_eq(stats().free_pages, 0);
		ck_assert_uint_eq(stats().classes[0].objects_free, 0);
		ck_assert_uint_eq(mm_live_allocs(), n);
		counts[round] = n;
		while (n > 0)
			kfree(v[--n]);
		mm_trim();
		ck_assert_uint_eq(stats().free_pages, total);
		ck_assert_uint_eq(mm_live_allocs(), 0);
	}
	ck_assert_uint_gt(counts[1], 0);
	free(v);
}
END_TEST

/* ---- randomized sequences against a reference model ---- */

enum blk_kind { BLK_SMALL, BLK_LARGE, BLK_PAGES };

struct blk {
	unsigned char *p;
	size_t size;   /* bytes requested (written with the pattern) */
	size_t extent; /* bytes the allocator reserved */
	enum blk_kind kind;
	unsigned order; /* BLK_PAGES and BLK_LARGE */
	unsigned char pattern;
};

struct model {
	struct blk *live;
	size_t nlive, cap;
	uintptr_t lo, hi; /* the heap region */
};

static void model_check_stats(const struct model *m)
{
	struct mm_stats s = stats();
	size_t used_objs[KMALLOC_CLASS_COUNT] = {0};
	size_t pages = 0, slabs = 0;

	for (size_t i = 0; i < m->nlive; i++) {
		const struct blk *b = &m->live[i];

		if (b->kind == BLK_SMALL)
			used_objs[class_of(b->size)]++;
		else
			pages += (size_t)1 << b->order;
	}
	ck_assert_uint_eq(s.live_allocs, m->nlive);
	ck_assert_uint_eq(s.total_pages, s.free_pages + s.used_pages);
	ck_assert_uint_eq(free_pages_from_blocks(&s), s.free_pages);
	for (unsigned c = 0; c < KMALLOC_CLASS_COUNT; c++) {
		const struct mm_class_stats *cs = &s.classes[c];

		ck_assert_uint_eq(cs->objects_used, used_objs[c]);
		ck_assert_uint_le(cs->objects_used + cs->objects_free,
		                  cs->slabs * (PAGE_SIZE / cs->object_size));
		slabs += cs->slabs;
	}
	ck_assert_uint_eq(s.used_pages, pages + slabs);
}

static void model_add(struct model *m, struct blk b)
{
	uintptr_t a = (uintptr_t)b.p;

	ck_assert(a >= m->lo && a + b.extent <= m->hi);
	for (size_t i = 0; i < m->nlive; i++) {
		uintptr_t o = (uintptr_t)m->live[i].p;

		/* Not ck_assert: each passing Check assertion costs a write(). */
		if (!(a + b.extent <= o || o + m->live[i].extent <= a))
			ck_abort_msg("overlap: [%p +%zu) and [%p +%zu)", (void *)a, b.extent,
			             (void *)o, m->live[i].extent);
	}
	memset(b.p, b.pattern, b.size);
	if (m->nlive == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 256;
		m->live = realloc(m->live, m->cap * sizeof(*m->live));
		ck_assert_ptr_nonnull(m->live);
	}
	m->live[m->nlive++] = b;
}

static void model_free(struct model *m, size_t i)
{
	struct blk b = m->live[i];

	ck_assert_msg(bytes_all(b.p, b.size, b.pattern), "block %p (%zu bytes) overwritten",
	              (void *)b.p, b.size);
	if (b.kind == BLK_PAGES)
		page_free(b.p, b.order);
	else
		kfree(b.p);
	m->live[i] = m->live[--m->nlive];
}

/* One allocation; a NULL must be justified by the statistics. */
static void model_alloc(struct model *m, unsigned step)
{
	struct blk b = {.pattern = (unsigned char)(step * 131 + 7)};
	bool zero = rng_below(8) == 0;

	if (rng_below(4) != 0) {
		b.size = 1 + rng_below((size_t)1 << rng_below(14)); /* 1..8192, log-ish */
		b.p = zero ? kzalloc(b.size) : kmalloc(b.size);
		if (b.size <= KMALLOC_MAX_SLAB_SIZE) {
			b.kind = BLK_SMALL;
			b.extent = (size_t)8 << class_of(b.size);
		} else {
			b.kind = BLK_LARGE;
			b.order = order_of_bytes(b.size);
			b.extent = PAGE_SIZE << b.order;
		}
		if (b.p != NULL)
			ck_assert_uint_eq((uintptr_t)b.p % kmalloc_align(b.size), 0);
	} else {
		b.kind = BLK_PAGES;
		b.order = rng_below(8) == 0 ? (unsigned)rng_below(MM_MAX_ORDER + 1)
		                            : (unsigned)__builtin_ctzll(rng_next() | 1ULL << 10);
		b.size = b.extent = PAGE_SIZE << b.order;
		b.p = zero ? page_zalloc(b.order) : page_alloc(b.order);
		if (b.p != NULL)
			ck_assert_uint_eq((uintptr_t)b.p % b.extent, 0);
	}
	if (b.p == NULL) {
		struct mm_stats s = stats();
		unsigned k = b.kind == BLK_SMALL ? 0 : b.order;

		ck_assert(b.kind != BLK_SMALL || s.classes[class_of(b.size)].objects_free == 0);
		for (; k <= MM_MAX_ORDER; k++)
			ck_assert_msg(s.free_blocks[k] == 0, "NULL with a free order-%u block", k);
		return;
	}
	if (zero)
		ck_assert(bytes_all(b.p, b.size, 0));
	model_add(m, b);
}

START_TEST(test_random_model)
{
	/* Odd runs use a small heap, so that allocations also fail. */
	const size_t heap = _i % 2 ? 6 * MIB : 32 * MIB;
	struct model m = {0};
	struct mm_stats s0, s;
	unsigned steps = 20000;

	m.lo = (uintptr_t)test_heap_init(heap);
	m.hi = m.lo + heap;
	s0 = stats();
	rng_seed((uint64_t)_i + 1);
	for (unsigned step = 0; step < steps; step++) {
		/* Drift towards a few hundred live blocks, with bursts. */
		unsigned pct = m.nlive < 300 ? 60 : 40;

		if (m.nlive == 0 || rng_below(100) < pct)
			model_alloc(&m, step);
		else
			model_free(&m, rng_below(m.nlive));
		if (step % 16 == 0)
			model_check_stats(&m);
	}
	model_check_stats(&m);
	while (m.nlive > 0)
		model_free(&m, rng_below(m.nlive));
	model_check_stats(&m);
	mm_trim();
	s = stats();
	ck_assert_uint_eq(s.free_pages, s0.free_pages);
	ck_assert_mem_eq(s.free_blocks, s0.free_blocks, sizeof(s.free_blocks));
	ck_assert_ptr_nonnull(page_alloc(largest_free_order(&s0)));
	free(m.live);
}
END_TEST

START_TEST(test_full_capacity_restored)
{
	enum { N = 2000 };
	static void *v[N];
	static int orders[N]; /* -1: a kmalloc result */
	struct mm_stats s0, s;
	unsigned top;

	test_heap_init(16 * MIB);
	s0 = stats();
	top = largest_free_order(&s0);
	ck_assert_uint_eq(top, MM_MAX_ORDER);
	rng_seed(99);
	for (int i = 0; i < N; i++) {
		orders[i] = i % 5 == 0 ? (int)rng_below(4) : -1;
		v[i] =
		    orders[i] >= 0 ? page_alloc((unsigned)orders[i]) : kmalloc(1 + rng_below(3000));
		ck_assert_ptr_nonnull(v[i]);
	}
	/* Free in a scrambled order (7919 is prime, so i -> 7919 i mod N permutes). */
	for (unsigned i = 0; i < N; i++) {
		unsigned j = (i * 7919U) % N;

		if (orders[j] >= 0)
			page_free(v[j], (unsigned)orders[j]);
		else
			kfree(v[j]);
	}
	ck_assert_uint_eq(mm_live_allocs(), 0);
	mm_trim();
	s = stats();
	ck_assert_uint_eq(s.free_pages, s0.free_pages);
	ck_assert_mem_eq(s.free_blocks, s0.free_blocks, sizeof(s.free_blocks));
	for (unsigned i = 0; i < s0.free_blocks[top]; i++)
		ck_assert_ptr_nonnull(page_alloc(top));
	ck_assert_ptr_null(page_alloc(top));
}
END_TEST

/* ---- poisoning and broken invariants ---- */

#ifdef CSVSM_DEBUG
START_TEST(test_poison_after_free)
{
	unsigned char *p, *q;

	test_heap_init(4 * MIB);
	p = kmalloc(64);
	q = kmalloc(5000);
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(q);
	/* Fresh memory is poisoned too (contents undefined). */
	ck_assert(bytes_all(p, 64, MM_POISON_BYTE));
	memset(p, 0xaa, 64);
	memset(q, 0xaa, 5000);
	kfree(p);
	kfree(q);
	/* The first word of a free object links the free chain. */
	ck_assert(freed_bytes_all(p + 8, 56, MM_POISON_BYTE));
	ck_assert(freed_bytes_all(q, 8192, MM_POISON_BYTE));
	p = page_alloc(1);
	ck_assert_ptr_nonnull(p);
	memset(p, 0, 2 * PAGE_SIZE);
	page_free(p, 1);
	ck_assert(freed_bytes_all(p, 2 * PAGE_SIZE, MM_POISON_BYTE));
}
END_TEST

START_TEST(test_write_after_free_panics)
{
	char *p;

	test_heap_init(4 * MIB);
	p = kmalloc(64);
	ck_assert_ptr_nonnull(p);
	kfree(p);
	freed_store8(p + 20, 1);
	p = kmalloc(64); /* the same object: its poison is checked */
	(void)p;
}
END_TEST
#else
START_TEST(test_no_poison_in_release)
{
	unsigned char *p;

	test_heap_init(4 * MIB);
	p = kmalloc(64);
	ck_assert_ptr_nonnull(p);
	memset(p, 0xaa, 64);
	kfree(p);
	ck_assert(freed_bytes_all(p + 8, 56, 0xaa));
}
END_TEST
#endif

START_TEST(test_kfree_double_free_panics)
{
	void *p, *q;

	test_heap_init(4 * MIB);
	p = kmalloc(32);
	q = kmalloc(32); /* keeps the slab alive */
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(q);
	kfree(p);
	kfree(p);
}
END_TEST

START_TEST(test_kfree_large_double_free_panics)
{
	void *p;

	test_heap_init(4 * MIB);
	p = kmalloc(10000);
	ck_assert_ptr_nonnull(p);
	kfree(p);
	kfree(p);
}
END_TEST

START_TEST(test_kfree_foreign_panics)
{
	static char not_heap[64];

	test_heap_init(4 * MIB);
	kfree(not_heap);
}
END_TEST

START_TEST(test_kfree_misaligned_panics)
{
	char *p;

	test_heap_init(4 * MIB);
	p = kmalloc(64);
	ck_assert_ptr_nonnull(p);
	kfree(p + 8);
}
END_TEST

START_TEST(test_kfree_slab_metadata_panics)
{
	char *p;

	test_heap_init(4 * MIB);
	p = kmalloc(8);
	ck_assert_ptr_nonnull(p);
	/* Classes of 8..32 bytes keep their bitmap at the start of the page. */
	kfree((void *)((uintptr_t)p & ~(uintptr_t)(PAGE_SIZE - 1)));
}
END_TEST

START_TEST(test_kfree_page_block_panics)
{
	void *p;

	test_heap_init(4 * MIB);
	p = page_alloc(0);
	ck_assert_ptr_nonnull(p);
	kfree(p);
}
END_TEST

START_TEST(test_kfree_interior_of_large_panics)
{
	char *p;

	test_heap_init(4 * MIB);
	p = kmalloc(3 * PAGE_SIZE);
	ck_assert_ptr_nonnull(p);
	kfree(p + PAGE_SIZE);
}
END_TEST

START_TEST(test_kfree_free_page_panics)
{
	char *p;

	test_heap_init(4 * MIB);
	p = page_alloc(0);
	ck_assert_ptr_nonnull(p);
	kfree(p + 2 * PAGE_SIZE); /* a free page */
}
END_TEST

START_TEST(test_page_double_free_panics)
{
	void *p, *q;

	test_heap_init(4 * MIB);
	p = page_alloc(0);
	q = page_alloc(0);
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(q);
	page_free(p, 0);
	page_free(p, 0);
}
END_TEST

START_TEST(test_page_free_coalesced_panics)
{
	void *p;

	test_heap_init(4 * MIB);
	p = page_alloc(0);
	ck_assert_ptr_nonnull(p);
	page_free(p, 0); /* merges back into a larger block */
	page_free(p, 0);
}
END_TEST

START_TEST(test_page_free_wrong_order_panics)
{
	void *p;

	test_heap_init(4 * MIB);
	p = page_alloc(2);
	ck_assert_ptr_nonnull(p);
	page_free(p, 1);
}
END_TEST

START_TEST(test_page_free_kmalloc_panics)
{
	void *p;

	test_heap_init(4 * MIB);
	p = kmalloc(8192);
	ck_assert_ptr_nonnull(p);
	page_free(p, 1);
}
END_TEST

START_TEST(test_page_free_foreign_panics)
{
	test_heap_init(4 * MIB);
	page_free((void *)(uintptr_t)PAGE_SIZE, 0);
}
END_TEST

START_TEST(test_corrupted_free_chain_panics)
{
	uint64_t *p, *q;

	test_heap_init(4 * MIB);
	p = kmalloc(64);
	q = kmalloc(64);
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(q);
	kfree(p);
	freed_store64(p, 0x123457); /* the chain link, overwritten after free */
	p = kmalloc(64);
	(void)p;
}
END_TEST

/* ---- memory checking (AddressSanitizer) ---- */

#if CSVSM_MEMCHECK
/*
 * ASan's verdict is the independent oracle: the contract of
 * plat_mem_poison is that the core's heap poisons every byte it does not
 * hand out (csvsm/plat/memory.h), and kmalloc(n) hands out exactly n bytes.
 */

/* True when every byte of [p, p + len) is poisoned. */
static bool all_poisoned(const void *p, size_t len)
{
	const char *c = p;

	for (size_t i = 0; i < len; i++)
		if (!__asan_address_is_poisoned(c + i))
			return false;
	return true;
}

/* As all_poisoned, one probe per 8-byte granule (for large ranges). */
static bool granules_poisoned(const void *p, size_t len)
{
	const char *c = p;

	for (size_t i = 0; i < len; i += 8)
		if (!__asan_address_is_poisoned(c + i))
			return false;
	return true;
}

START_TEST(test_memcheck_fresh_heap_poisoned)
{
	char *base = test_heap_init(4 * MIB);
	struct mm_stats s = stats();
	char *start = base + 4 * MIB - s.total_pages * PAGE_SIZE;

	/* Every usable page is free, hence poisoned; the descriptors are not. */
	ck_assert(granules_poisoned(start, s.total_pages * PAGE_SIZE));
	ck_assert_ptr_null(__asan_region_is_poisoned(base, s.total_pages * 32));
}
END_TEST

START_TEST(test_memcheck_kmalloc_exact)
{
	static const size_t large[] = {2049, 4095, 4096, 4097, 5000, 8192, 12345, 65536};
	size_t nlarge = sizeof(large) / sizeof(large[0]);

	test_heap_init(4 * MIB);
	for (size_t i = 0; i < KMALLOC_MAX_SLAB_SIZE + nlarge; i++) {
		size_t n = i < KMALLOC_MAX_SLAB_SIZE ? i + 1 : large[i - KMALLOC_MAX_SLAB_SIZE];
		size_t extent = n <= KMALLOC_MAX_SLAB_SIZE ? (size_t)8 << class_of(n)
		                                           : PAGE_SIZE << order_of_bytes(n);
		char *p = (i & 1) ? kzalloc(n) : kmalloc(n);

		if (p == NULL)
			ck_abort_msg("kmalloc(%zu) failed", n);
		if (__asan_region_is_poisoned(p, n) != NULL)
			ck_abort_msg("kmalloc(%zu): a requested byte is poisoned", n);
		if (!all_poisoned(p + n, extent - n))
			ck_abort_msg("kmalloc(%zu): a byte past the request is usable", n);
		memset(p, 0x5a, n);
		kfree(p);
		if (!all_poisoned(p, extent))
			ck_abort_msg("kfree of a %zu-byte object left a byte usable", n);
	}
	ck_assert_uint_eq(mm_live_allocs(), 0);
}
END_TEST

START_TEST(test_memcheck_pages)
{
	test_heap_init(4 * MIB);
	for (unsigned k = 0; k <= 4; k++) {
		size_t len = PAGE_SIZE << k;
		char *p = (k & 1) ? page_zalloc(k) : page_alloc(k);
		char *q = kmalloc(3 * PAGE_SIZE); /* a large object beside */

		ck_assert_ptr_nonnull(p);
		ck_assert_ptr_nonnull(q);
		ck_assert_ptr_null(__asan_region_is_poisoned(p, len));
		memset(p, 1, len);
		page_free(p, k);
		ck_assert(granules_poisoned(p, len));
		kfree(q);
		ck_assert(granules_poisoned(q, 4 * PAGE_SIZE));
	}
	ck_assert_uint_eq(mm_live_allocs(), 0);
}
END_TEST

/*
 * The tests below make one bad access and expect ASan to end the process
 * with its exit code 1 (Check's exit tests run in a child). The report goes
 * to /dev/null; any other outcome exits with another code.
 */
#define NOT_REPORTED  2
#define SETUP_FAILED  3
#define ASAN_EXITCODE 1

static void quiet_stderr(void)
{
	int fd = open("/dev/null", O_WRONLY);

	if (fd < 0 || dup2(fd, STDERR_FILENO) < 0)
		_exit(SETUP_FAILED);
	close(fd);
}

static void *must(void *p)
{
	if (p == NULL)
		_exit(SETUP_FAILED);
	return p;
}

START_TEST(test_memcheck_overflow_reported)
{
	volatile char *p;

	test_heap_init(4 * MIB);
	p = must(kmalloc(24));
	quiet_stderr();
	p[24] = 1; /* one byte past the object, inside its 32-byte slot */
	_exit(NOT_REPORTED);
}
END_TEST

START_TEST(test_memcheck_large_overflow_reported)
{
	volatile char *p;

	test_heap_init(4 * MIB);
	p = must(kmalloc(5000));
	quiet_stderr();
	(void)p[5000];
	_exit(NOT_REPORTED);
}
END_TEST

START_TEST(test_memcheck_use_after_free_reported)
{
	volatile char *p, *q;

	test_heap_init(4 * MIB);
	p = must(kmalloc(64));
	q = must(kmalloc(64)); /* keeps the slab */
	kfree((void *)p);
	quiet_stderr();
	(void)p[8];
	(void)q;
	_exit(NOT_REPORTED);
}
END_TEST

START_TEST(test_memcheck_freed_page_reported)
{
	volatile char *p;

	test_heap_init(4 * MIB);
	p = must(page_alloc(0));
	page_free((void *)p, 0);
	quiet_stderr();
	p[100] = 1;
	_exit(NOT_REPORTED);
}
END_TEST

START_TEST(test_memcheck_slab_metadata_reported)
{
	volatile uint64_t *page;

	test_heap_init(4 * MIB);
	/* An 8-byte slab keeps its bitmap at the start of its page. */
	page = (volatile uint64_t *)((uintptr_t)must(kmalloc(8)) & ~(uintptr_t)(PAGE_SIZE - 1));
	quiet_stderr();
	(void)page[0];
	_exit(NOT_REPORTED);
}
END_TEST
#endif /* CSVSM_MEMCHECK */

/* ---- fault injection ---- */

START_TEST(test_fault_one_shot)
{
	void *v[5];

	test_heap_init(4 * MIB);
	fault_arm(FAULT_SITE_ALLOC, 3, false);
	for (int i = 0; i < 5; i++)
		v[i] = kmalloc(16);
	ck_assert_ptr_nonnull(v[0]);
	ck_assert_ptr_nonnull(v[1]);
	ck_assert_ptr_null(v[2]);
	ck_assert_ptr_nonnull(v[3]);
	ck_assert_ptr_nonnull(v[4]);
	ck_assert_uint_eq(fault_op_count(FAULT_SITE_ALLOC), 5);
	ck_assert_uint_eq(fault_fired_count(FAULT_SITE_ALLOC), 1);
	ck_assert_uint_eq(mm_live_allocs(), 4);
	for (int i = 0; i < 5; i++)
		kfree(v[i]);
}
END_TEST

START_TEST(test_fault_persistent)
{
	void *a, *b, *c, *d;

	test_heap_init(4 * MIB);
	fault_arm(FAULT_SITE_ALLOC, 2, true);
	a = page_alloc(0);
	b = kmalloc(100);
	c = page_zalloc(1);
	d = kzalloc(5000);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_null(b);
	ck_assert_ptr_null(c);
	ck_assert_ptr_null(d);
	ck_assert_uint_eq(fault_op_count(FAULT_SITE_ALLOC), 4);
	ck_assert_uint_eq(fault_fired_count(FAULT_SITE_ALLOC), 3);
	fault_reset();
	ck_assert_uint_eq(fault_op_count(FAULT_SITE_ALLOC), 0);
	ck_assert_uint_eq(fault_fired_count(FAULT_SITE_ALLOC), 0);
	b = kmalloc(100);
	ck_assert_ptr_nonnull(b);
	kfree(b);
	page_free(a, 0);
	ck_assert_uint_eq(mm_live_allocs(), 0);
}
END_TEST

START_TEST(test_fault_counting)
{
	void *p;

	test_heap_init(8 * MIB);
	/* nth == 0: disarmed, but counting. */
	fault_arm(FAULT_SITE_ALLOC, 0, true);
	p = kmalloc(3 * PAGE_SIZE); /* one operation, not two (no inner count) */
	ck_assert_uint_eq(fault_op_count(FAULT_SITE_ALLOC), 1);
	kfree(p);
	p = kcalloc(4, 8); /* the first slab of a class: still one */
	ck_assert_uint_eq(fault_op_count(FAULT_SITE_ALLOC), 2);
	kfree(p);
	p = page_zalloc(0);
	ck_assert_uint_eq(fault_op_count(FAULT_SITE_ALLOC), 3);
	page_free(p, 0);
	ck_assert_uint_eq(fault_fired_count(FAULT_SITE_ALLOC), 0);
	/* An overflowing kcalloc fails before it reaches kmalloc: no operation. */
	ck_assert_ptr_null(kcalloc(SIZE_MAX, 4));
	ck_assert_uint_eq(fault_op_count(FAULT_SITE_ALLOC), 3);

	/* Sites are independent. */
	fault_arm(FAULT_SITE_NV_WRITE, 2, false);
	ck_assert(!fault_should_fail(FAULT_SITE_NV_WRITE));
	ck_assert(fault_should_fail(FAULT_SITE_NV_WRITE));
	ck_assert(!fault_should_fail(FAULT_SITE_NV_WRITE));
	ck_assert_uint_eq(fault_op_count(FAULT_SITE_NV_WRITE), 3);
	ck_assert_uint_eq(fault_op_count(FAULT_SITE_ALLOC), 3);
	ck_assert_uint_eq(fault_fired_count(FAULT_SITE_NV_WRITE), 1);
	/* Re-arming restarts the counters. */
	fault_arm(FAULT_SITE_NV_WRITE, 1, false);
	ck_assert_uint_eq(fault_op_count(FAULT_SITE_NV_WRITE), 0);
	ck_assert_uint_eq(fault_fired_count(FAULT_SITE_NV_WRITE), 0);
	ck_assert(fault_should_fail(FAULT_SITE_NV_WRITE));
	fault_reset();
	ck_assert(!fault_should_fail(FAULT_SITE_NV_WRITE));
	ck_assert_uint_eq(fault_op_count(FAULT_SITE_ALLOC), 0);
}
END_TEST

/* ---- fault sweeps over the allocator ---- */

#define TABLE_ENTRIES 5

struct entry {
	char *name;
	void *buf;
	bool buf_is_page;
};

struct table {
	struct entry **entries;
	size_t n;
	void *scratch; /* an order-1 block */
};

static void table_free(struct table *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; t->entries != NULL && i < t->n; i++) {
		struct entry *e = t->entries[i];

		if (e == NULL)
			continue;
		kfree(e->name);
		if (e->buf_is_page)
			page_free(e->buf, 0);
		else
			kfree(e->buf);
		kfree(e);
	}
	kfree(t->entries);
	page_free(t->scratch, 1);
	kfree(t);
}

/* Builds a table with 3 + 3 * TABLE_ENTRIES allocations; all or nothing. */
static int table_build(struct table **out)
{
	struct table *t = kzalloc(sizeof(*t));

	if (t == NULL)
		return -CSVSM_ENOMEM;
	t->n = TABLE_ENTRIES;
	t->entries = kcalloc(t->n, sizeof(*t->entries));
	if (t->entries == NULL)
		goto fail;
	t->scratch = page_zalloc(1);
	if (t->scratch == NULL)
		goto fail;
	for (size_t i = 0; i < t->n; i++) {
		struct entry *e = kzalloc(sizeof(*e));

		if (e == NULL)
			goto fail;
		t->entries[i] = e;
		e->name = kmalloc(16 + i * 300);
		if (e->name == NULL)
			goto fail;
		e->buf_is_page = i % 2 == 0;
		e->buf = e->buf_is_page ? page_alloc(0) : kmalloc(3000);
		if (e->buf == NULL)
			goto fail;
		memset(e->name, 'n', 16);
	}
	*out = t;
	return 0;
fail:
	table_free(t);
	return -CSVSM_ENOMEM;
}

struct table_ctx {
	struct table *table;
	size_t free_pages; /* after mm_trim, before the flow */
};

static void table_setup(void *ctx)
{
	struct table_ctx *c = ctx;

	mm_trim();
	c->free_pages = stats().free_pages;
	c->table = NULL;
}

static int table_flow(void *ctx)
{
	struct table_ctx *c = ctx;

	return table_build(&c->table);
}

static void table_undo(void *ctx)
{
	struct table_ctx *c = ctx;

	table_free(c->table);
	c->table = NULL;
}

static bool table_invariant(void *ctx, char *why, size_t len)
{
	struct table_ctx *c = ctx;
	size_t now;

	if (c->table != NULL) {
		snprintf(why, len, "the table was published");
		return false;
	}
	mm_trim();
	now = stats().free_pages;
	if (now != c->free_pages) {
		snprintf(why, len, "free pages %zu, expected %zu", now, c->free_pages);
		return false;
	}
	return true;
}

START_TEST(test_sweep_table)
{
	struct table_ctx ctx;
	struct fault_sweep s = {
	    .name = "table_build",
	    .site = FAULT_SITE_ALLOC,
	    .persistent = _i == 1,
	    .setup = table_setup,
	    .flow = table_flow,
	    .undo = table_undo,
	    .invariant = table_invariant,
	    .ctx = &ctx,
	};

	test_heap_init(8 * MIB);
	ck_assert_uint_eq(fault_sweep_run(&s), 3 + 3 * TABLE_ENTRIES);
	ck_assert_uint_eq(mm_live_allocs(), 0);
}
END_TEST

/* A flow that survives a failed page allocation by taking a smaller buffer. */
struct fallback_ctx {
	void *buf, *hdr;
	bool buf_is_page;
	unsigned recovered;
};

static int fallback_flow(void *ctx)
{
	struct fallback_ctx *c = ctx;

	c->buf_is_page = true;
	c->buf = page_alloc(2);
	if (c->buf == NULL) {
		c->buf_is_page = false;
		c->buf = kmalloc(1000);
		if (c->buf == NULL)
			return -CSVSM_ENOMEM;
		c->recovered++;
	}
	c->hdr = kmalloc(32);
	if (c->hdr == NULL) {
		if (c->buf_is_page)
			page_free(c->buf, 2);
		else
			kfree(c->buf);
		c->buf = NULL;
		return -CSVSM_ENOMEM;
	}
	return 0;
}

static void fallback_undo(void *ctx)
{
	struct fallback_ctx *c = ctx;

	if (c->buf_is_page)
		page_free(c->buf, 2);
	else
		kfree(c->buf);
	kfree(c->hdr);
	c->buf = c->hdr = NULL;
}

START_TEST(test_sweep_recovering_flow)
{
	struct fallback_ctx ctx = {0};
	struct fault_sweep s = {
	    .name = "fallback",
	    .site = FAULT_SITE_ALLOC,
	    .flow = fallback_flow,
	    .undo = fallback_undo,
	    .ctx = &ctx,
	};

	test_heap_init(4 * MIB);
	/* One-shot: op 1 (page) recovers, op 2 (header) fails cleanly. */
	ck_assert_uint_eq(fault_sweep_run(&s), 2);
	ck_assert_uint_eq(ctx.recovered, 1);
	/* Persistent: the fallback fails too. */
	s.persistent = true;
	ctx.recovered = 0;
	ck_assert_uint_eq(fault_sweep_run(&s), 2);
	ck_assert_uint_eq(ctx.recovered, 0);
	ck_assert_uint_eq(mm_live_allocs(), 0);
}
END_TEST

static int no_alloc_flow(void *ctx)
{
	(void)ctx;
	return 0;
}

START_TEST(test_sweep_flow_without_operations)
{
	struct fault_sweep s = {.name = "empty", .site = FAULT_SITE_ALLOC, .flow = no_alloc_flow};

	test_heap_init(4 * MIB);
	ck_assert_uint_eq(fault_sweep_run(&s), 0);
}
END_TEST

static Suite *mm_suite(void)
{
	Suite *s = suite_create("mm");
	TCase *tc;

	tc = tcase_create("pages");
	tcase_add_test(tc, test_init_errors);
	tcase_add_test(tc, test_tiny_heap);
	tcase_add_test(tc, test_reinit_forgets);
	tcase_add_test(tc, test_initial_carving);
	tcase_add_test(tc, test_page_orders_aligned);
	tcase_add_test(tc, test_page_zalloc_zeroes);
	tcase_add_test(tc, test_order_too_big);
	tcase_add_test(tc, test_buddies_coalesce);
	tcase_add_test(tc, test_page_exhaustion);
	suite_add_tcase(s, tc);

	tc = tcase_create("kmalloc");
	tcase_add_test(tc, test_kmalloc_alignment_all_sizes);
	tcase_add_test(tc, test_kmalloc_zero_and_overflow);
	tcase_add_test(tc, test_kzalloc_zeroes_reused_memory);
	tcase_add_test(tc, test_kmalloc_large_orders);
	tcase_add_test(tc, test_slab_spare_policy);
	tcase_add_test(tc, test_kmalloc_exhaustion);
	suite_add_tcase(s, tc);

	tc = tcase_create("model");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_random_model, 0, 4);
	tcase_add_test(tc, test_full_capacity_restored);
	suite_add_tcase(s, tc);

	tc = tcase_create("invariants");
#ifdef CSVSM_DEBUG
	tcase_add_test(tc, test_poison_after_free);
	tcase_add_test_raise_signal(tc, test_write_after_free_panics, SIGABRT);
#else
	tcase_add_test(tc, test_no_poison_in_release);
#endif
	tcase_add_test_raise_signal(tc, test_kfree_double_free_panics, SIGABRT);
	tcase_add_test_raise_signal(tc, test_kfree_large_double_free_panics, SIGABRT);
	tcase_add_test_raise_signal(tc, test_kfree_foreign_panics, SIGABRT);
	tcase_add_test_raise_signal(tc, test_kfree_misaligned_panics, SIGABRT);
	tcase_add_test_raise_signal(tc, test_kfree_slab_metadata_panics, SIGABRT);
	tcase_add_test_raise_signal(tc, test_kfree_page_block_panics, SIGABRT);
	tcase_add_test_raise_signal(tc, test_kfree_interior_of_large_panics, SIGABRT);
	tcase_add_test_raise_signal(tc, test_kfree_free_page_panics, SIGABRT);
	tcase_add_test_raise_signal(tc, test_page_double_free_panics, SIGABRT);
	tcase_add_test_raise_signal(tc, test_page_free_coalesced_panics, SIGABRT);
	tcase_add_test_raise_signal(tc, test_page_free_wrong_order_panics, SIGABRT);
	tcase_add_test_raise_signal(tc, test_page_free_kmalloc_panics, SIGABRT);
	tcase_add_test_raise_signal(tc, test_page_free_foreign_panics, SIGABRT);
	tcase_add_test_raise_signal(tc, test_corrupted_free_chain_panics, SIGABRT);
	suite_add_tcase(s, tc);

#if CSVSM_MEMCHECK
	tc = tcase_create("memcheck");
	tcase_add_test(tc, test_memcheck_fresh_heap_poisoned);
	tcase_add_test(tc, test_memcheck_kmalloc_exact);
	tcase_add_test(tc, test_memcheck_pages);
	tcase_add_exit_test(tc, test_memcheck_overflow_reported, ASAN_EXITCODE);
	tcase_add_exit_test(tc, test_memcheck_large_overflow_reported, ASAN_EXITCODE);
	tcase_add_exit_test(tc, test_memcheck_use_after_free_reported, ASAN_EXITCODE);
	tcase_add_exit_test(tc, test_memcheck_freed_page_reported, ASAN_EXITCODE);
	tcase_add_exit_test(tc, test_memcheck_slab_metadata_reported, ASAN_EXITCODE);
	suite_add_tcase(s, tc);
#endif

	tc = tcase_create("fault");
	tcase_add_test(tc, test_fault_one_shot);
	tcase_add_test(tc, test_fault_persistent);
	tcase_add_test(tc, test_fault_counting);
	tcase_add_loop_test(tc, test_sweep_table, 0, 2);
	tcase_add_test(tc, test_sweep_recovering_flow);
	tcase_add_test(tc, test_sweep_flow_without_operations);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(mm_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
