/* SPDX-License-Identifier: MIT */
/*
 * bench-alloc: the heap's speed, next to glibc's.
 *
 * One random small-object workload (a seeded sequence over a table of
 * slots: an empty slot gets an object of a random size, a full one is
 * freed) runs through kmalloc/kfree and through malloc/free, in the same
 * process, with the same sequence; every object gets one byte written so
 * that both allocators hand out memory that is really used. Then
 * page_alloc/page_free for 4 KiB and 2 MiB blocks. Each measurement is the
 * best of several rounds. Meaningful only in an optimized build without
 * sanitizers and with --disable-debug (no poisoning).
 *
 * Usage: bench-alloc [ops-millions] (default 4)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csvsm/mm.h"

#define HEAP_BYTES ((size_t)256 << 20)
#define SLOTS      8192 /* about half full: ~4096 live objects */
#define ROUNDS     5
#define SEED       0x5eed5eedULL

struct op {
	uint32_t slot;
	uint32_t size;
};

static uint64_t rng_state = SEED;

static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/*
 * Sizes 8..2048, log-uniform by power of two: a class 2^e (e = 3..11) is
 * picked uniformly, then a size uniformly in (2^(e-1), 2^e], at least 8.
 */
static uint32_t random_size(void)
{
	unsigned e = 3 + (unsigned)(rng_next() % 9);
	uint32_t hi = 1U << e;
	uint32_t size = hi - (uint32_t)(rng_next() % (hi / 2));

	return size < 8 ? 8 : size;
}

static struct op *make_ops(size_t n, uint32_t slots, int with_sizes)
{
	struct op *ops = malloc(n * sizeof(*ops));

	if (ops == NULL) {
		perror("bench-alloc: malloc");
		exit(1);
	}
	for (size_t i = 0; i < n; i++) {
		ops[i].slot = (uint32_t)(rng_next() % slots);
		ops[i].size = with_sizes ? random_size() : 0;
	}
	return ops;
}

static void die(const char *what)
{
	fprintf(stderr, "bench-alloc: %s failed\n", what);
	exit(1);
}

/* The workload, with direct calls to ALLOC/FREE (no indirection in the loop). */
#define RUN_WORKLOAD(ops, n, slots, nslots, ALLOC, FREE)                                           \
	do {                                                                                       \
		for (size_t i_ = 0; i_ < (n); i_++) {                                              \
			void **s_ = &(slots)[(ops)[i_].slot];                                      \
			if (*s_ != NULL) {                                                         \
				FREE(*s_);                                                         \
				*s_ = NULL;                                                        \
			} else {                                                                   \
				char *p_ = ALLOC((ops)[i_].size);                                  \
				if (p_ == NULL)                                                    \
					die(#ALLOC);                                               \
				*(volatile char *)p_ = (char)i_;                                   \
				*s_ = p_;                                                          \
			}                                                                          \
		}                                                                                  \
		for (size_t j_ = 0; j_ < (nslots); j_++) {                                         \
			FREE((slots)[j_]);                                                         \
			(slots)[j_] = NULL;                                                        \
		}                                                                                  \
	} while (0)

static void *slots[SLOTS];

static double run_kmalloc(const struct op *ops, size_t n)
{
	double t = now_s();

	RUN_WORKLOAD(ops, n, slots, SLOTS, kmalloc, kfree);
	t = now_s() - t;
	if (mm_live_allocs() != 0)
		die("kmalloc leak check");
	return (double)n / t;
}

static double run_malloc(const struct op *ops, size_t n)
{
	double t = now_s();

	RUN_WORKLOAD(ops, n, slots, SLOTS, malloc, free);
	t = now_s() - t;
	return (double)n / t;
}

static unsigned page_order;

static void *page_alloc_sized(uint32_t size)
{
	(void)size;
	return page_alloc(page_order);
}

static void page_free_sized(void *p)
{
	page_free(p, page_order);
}

static double run_pages(unsigned order, const struct op *ops, size_t n, size_t nslots)
{
	double t;

	page_order = order;
	t = now_s();
	RUN_WORKLOAD(ops, n, slots, nslots, page_alloc_sized, page_free_sized);
	t = now_s() - t;
	if (mm_live_allocs() != 0)
		die("page leak check");
	return (double)n / t;
}

static double max_d(double a, double b)
{
	return a > b ? a : b;
}

int main(int argc, char **argv)
{
	size_t nops = (size_t)(argc > 1 ? atof(argv[1]) * 1e6 : 4e6);
	size_t npage_ops = 2000000;
	struct op *ops, *ops_p0, *ops_p9;
	double k_best = 0, m_best = 0, p0_best = 0, p9_best = 0;
	void *heap = NULL;

	if (nops == 0)
		nops = 1;
	if (posix_memalign(&heap, (size_t)2 << 20, HEAP_BYTES) != 0)
		die("posix_memalign");
	memset(heap, 0, HEAP_BYTES); /* fault the pages in before timing */
	if (mm_init(heap, HEAP_BYTES) != 0)
		die("mm_init");

	ops = make_ops(nops, SLOTS, 1);
	ops_p0 = make_ops(npage_ops, 4096, 0);
	ops_p9 = make_ops(npage_ops / 4, 64, 0); /* 64 slots: ~32 live 2 MiB blocks */

#ifdef CSVSM_DEBUG
	printf("warning: debug build (poisoning on): configure with --disable-debug\n");
#endif
	printf("workload: %zu ops over %d slots (~%d live), sizes 8..2048 log-uniform, "
	       "best of %d rounds\n",
	       nops, SLOTS, SLOTS / 2, ROUNDS);
	for (int r = 0; r < ROUNDS; r++) {
		/* Alternate which goes first, so neither always gets a warm cache. */
		if (r % 2 == 0) {
			k_best = max_d(k_best, run_kmalloc(ops, nops));
			m_best = max_d(m_best, run_malloc(ops, nops));
		} else {
			m_best = max_d(m_best, run_malloc(ops, nops));
			k_best = max_d(k_best, run_kmalloc(ops, nops));
		}
		p0_best = max_d(p0_best, run_pages(0, ops_p0, npage_ops, 4096));
		p9_best = max_d(p9_best, run_pages(MM_ORDER_2M, ops_p9, npage_ops / 4, 64));
	}
	printf("kmalloc/kfree:           %8.2f Mops/s\n", k_best / 1e6);
	printf("malloc/free (glibc):     %8.2f Mops/s\n", m_best / 1e6);
	printf("ratio kmalloc/malloc:    %8.2f\n", k_best / m_best);
	printf("page_alloc/free 4 KiB:   %8.2f Mops/s\n", p0_best / 1e6);
	printf("page_alloc/free 2 MiB:   %8.2f Mops/s\n", p9_best / 1e6);

	free(ops);
	free(ops_p0);
	free(ops_p9);
	free(heap);
	return 0;
}
