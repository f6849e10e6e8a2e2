/* SPDX-License-Identifier: MIT */
/*
 * A small deterministic PRNG for randomized tests (xorshift64*): the same
 * seed gives the same sequence on every machine, so a failing randomized
 * test can be replayed. Each test program has its own state.
 */
#ifndef CSVSM_TEST_RNG_H
#define CSVSM_TEST_RNG_H

#include <stddef.h>
#include <stdint.h>

static uint64_t rng_state = 1;

/* Restarts the sequence; any seed, 0 included, is fine. */
static inline void rng_seed(uint64_t seed)
{
	rng_state = seed * 0x9e3779b97f4a7c15ULL + 0x2545f4914f6cdd1dULL;
	if (rng_state == 0)
		rng_state = 1;
}

/* The next 64 random bits. */
static inline uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/* A value in [0, n) (n > 0; the modulo bias does not matter for tests). */
static inline uint64_t rng_below(uint64_t n)
{
	return rng_next() % n;
}

/* Fills p[0..n) with random bytes. */
static inline void rng_fill(void *p, size_t n)
{
	unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		b[i] = (unsigned char)rng_next();
}

#endif
