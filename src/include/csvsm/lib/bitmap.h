/* SPDX-License-Identifier: MIT */
/*
 * Bitmaps stored in arrays of uint64_t words: bit `i` is bit (i % 64) of
 * word (i / 64). Declare one with `uint64_t map[BITMAP_WORDS(nbits)]`.
 *
 * No function checks bounds against the map's size: callers pass bit
 * numbers below the `nbits` the map was sized for. Bits of the last word at
 * or beyond `nbits` are ignored by the functions that take `nbits`, but
 * set/clear never touch them either, so a map that starts zeroed keeps them
 * zero. No locking: callers serialize access.
 */
#ifndef CSVSM_LIB_BITMAP_H
#define CSVSM_LIB_BITMAP_H

#include "csvsm/types.h"

#define BITMAP_BITS_PER_WORD 64u

/* Number of uint64_t words that hold `nbits` bits. */
#define BITMAP_WORDS(nbits) (((size_t)(nbits) + BITMAP_BITS_PER_WORD - 1) / BITMAP_BITS_PER_WORD)

/* Sets bit `bit`. */
static inline void bitmap_set(uint64_t *map, size_t bit)
{
	map[bit / BITMAP_BITS_PER_WORD] |= (uint64_t)1 << (bit % BITMAP_BITS_PER_WORD);
}

/* Clears bit `bit`. */
static inline void bitmap_clear(uint64_t *map, size_t bit)
{
	map[bit / BITMAP_BITS_PER_WORD] &= ~((uint64_t)1 << (bit % BITMAP_BITS_PER_WORD));
}

/* True when bit `bit` is set. */
static inline bool bitmap_test(const uint64_t *map, size_t bit)
{
	return (map[bit / BITMAP_BITS_PER_WORD] >> (bit % BITMAP_BITS_PER_WORD)) & 1;
}

/*
 * Sets bits [start, start + count). `start + count` must not exceed the
 * map's size (and must not overflow). Word-at-a-time for long runs.
 */
void bitmap_set_range(uint64_t *map, size_t start, size_t count);

/* Clears bits [start, start + count); same rules as bitmap_set_range. */
void bitmap_clear_range(uint64_t *map, size_t start, size_t count);

/*
 * Returns the lowest set bit in [start, nbits), or `nbits` when there is
 * none (also when `start` >= `nbits`).
 */
size_t bitmap_find_next_set(const uint64_t *map, size_t nbits, size_t start);

/*
 * Returns the lowest clear bit in [start, nbits), or `nbits` when there is
 * none (also when `start` >= `nbits`).
 */
size_t bitmap_find_next_zero(const uint64_t *map, size_t nbits, size_t start);

/* Number of set bits in [0, nbits). */
size_t bitmap_count(const uint64_t *map, size_t nbits);

#endif /* CSVSM_LIB_BITMAP_H */
