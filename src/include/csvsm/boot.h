/* SPDX-License-Identifier: MIT */
/* Bringing the core up on whatever platform it was linked with. */
#ifndef CSVSM_BOOT_H
#define CSVSM_BOOT_H

#include "csvsm/types.h"

struct svsm_boot_report {
	void *heap_base;
	size_t heap_bytes;
	size_t heap_pages; /* usable pages after the allocator's metadata */
};

/*
 * First step of the core on any platform: takes the heap region from the
 * platform and initialises the allocator. Fills `out` (may be NULL).
 * Returns 0, or a negative csvsm error when the platform gave no usable
 * memory. Calling it again starts a fresh heap (the simulator does so).
 */
int svsm_boot_memory(struct svsm_boot_report *out) CSVSM_MUST_CHECK;

#endif
