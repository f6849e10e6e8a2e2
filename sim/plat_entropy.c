/* SPDX-License-Identifier: MIT */
/*
 * Simulator entropy: splitmix64 from a configured seed, so that the same
 * seed always gives the same bytes (rule 4: the simulator is deterministic).
 * Not for real secrets; bare metal uses RDSEED/RDRAND.
 */
#include <string.h>

#include "csvsm/error.h"
#include "csvsm/fault.h"
#include "csvsm/plat/entropy.h"
#include "sim_plat.h"

static uint64_t entropy_state = 0x637376736d2d7369ull; /* "csvsm-si" */

void sim_entropy_seed(uint64_t seed)
{
	entropy_state = seed;
}

static uint64_t splitmix64_next(void)
{
	uint64_t z = (entropy_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

int plat_entropy_get(void *buf, size_t len)
{
	unsigned char *out = buf;

	if (fault_should_fail(FAULT_SITE_PLAT))
		return -CSVSM_EIO;
	while (len > 0) {
		uint64_t word = splitmix64_next();
		size_t n = len < sizeof(word) ? len : sizeof(word);

		memcpy(out, &word, n);
		out += n;
		len -= n;
	}
	return 0;
}
