/* SPDX-License-Identifier: MIT */
/* Simulator time: a virtual clock that only the shim advances. */
#include "csvsm/plat/time.h"
#include "sim_plat.h"

uint64_t sim_virtual_ns;

void sim_time_reset(void)
{
	sim_virtual_ns = 0;
}

void sim_time_advance(uint64_t ns)
{
	sim_virtual_ns += ns;
}

uint64_t plat_time_ns(void)
{
	return sim_virtual_ns;
}
