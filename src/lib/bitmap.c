/* SPDX-License-Identifier: MIT */
/* Bitmaps over uint64_t words (see csvsm/lib/bitmap.h). */
#include "csvsm/lib/bitmap.h"

#define BPW BITMAP_BITS_PER_WORD

/*
 * Population count of one word. Without the POPCNT instruction (the
 * freestanding build targets baseline x86-64), __builtin_popcountll becomes
 * a call to libgcc's __popcountdi2, which bare metal does not link: use a
 * branch-free bit-slicing count there instead.
 */
static inline size_t bitmap_popcount(uint64_t x)
{
#ifdef __POPCNT__
	return (size_t)__builtin_popcountll(x);
#else
	x = x - ((x >> 1) & 0x5555555555555555ULL);
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (size_t)((x * 0x0101010101010101ULL) >> 56);
#endif
}

/* Mask of bits [lo, hi) of one word, 0 <= lo < hi <= 64. */
static inline uint64_t bitmap_word_mask(size_t lo, size_t hi)
{
	uint64_t upper = hi == BPW ? ~(uint64_t)0 : ((uint64_t)1 << hi) - 1;

	return upper & ~(((uint64_t)1 << lo) - 1);
}

/* Sets (or clears) bits [start, start + count). */
static void bitmap_update_range(uint64_t *map, size_t start, size_t count, bool set)
{
	size_t end = start + count;

	while (start < end) {
		size_t w = start / BPW;
		size_t lo = start % BPW;
		size_t hi = end - w * BPW < BPW ? end - w * BPW : BPW;
		uint64_t mask = bitmap_word_mask(lo, hi);

		if (set)
			map[w] |= mask;
		else
			map[w] &= ~mask;
		start = w * BPW + hi;
	}
}

void bitmap_set_range(uint64_t *map, size_t start, size_t count)
{
	bitmap_update_range(map, start, count, true);
}

void bitmap_clear_range(uint64_t *map, size_t start, size_t count)
{
	bitmap_update_range(map, start, count, false);
}

/* Lowest bit in [start, nbits) whose value, xored with `invert`, is 1. */
static size_t bitmap_find_next(const uint64_t *map, size_t nbits, size_t start, uint64_t invert)
{
	size_t w;
	uint64_t word;

	if (start >= nbits)
		return nbits;
	w = start / BPW;
	word = (map[w] ^ invert) & ~(((uint64_t)1 << (start % BPW)) - 1);
	for (;;) {
		if (word != 0) {
			size_t bit = w * BPW + (size_t)__builtin_ctzll(word);

			return bit < nbits ? bit : nbits;
		}
		w++;
		if (w * BPW >= nbits)
			return nbits;
		word = map[w] ^ invert;
	}
}

size_t bitmap_find_next_set(const uint64_t *map, size_t nbits, size_t start)
{
	return bitmap_find_next(map, nbits, start, 0);
}

size_t bitmap_find_next_zero(const uint64_t *map, size_t nbits, size_t start)
{
	return bitmap_find_next(map, nbits, start, ~(uint64_t)0);
}

size_t bitmap_count(const uint64_t *map, size_t nbits)
{
	size_t full = nbits / BPW;
	size_t count = 0;
	size_t w;

	for (w = 0; w < full; w++)
		count += bitmap_popcount(map[w]);
	if (nbits % BPW != 0)
		count += bitmap_popcount(map[full] & bitmap_word_mask(0, nbits % BPW));
	return count;
}
