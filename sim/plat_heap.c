/* SPDX-License-Identifier: MIT */
/* Simulator SVSM memory: the heap region is host memory, 2 MiB aligned. */
#include <stdbool.h>
#include <stdlib.h>

#include "csvsm/error.h"
#include "csvsm/fault.h"
#include "csvsm/plat/memory.h"
#include "machine.h"
#include "sim_plat.h"

#define SIM_HEAP_ALIGN ((size_t)2 << 20)

static void *heap_base;
static size_t heap_size;
static bool heap_owned; /* allocated by sim_heap_prepare, not lent by a machine */

int sim_heap_prepare(size_t bytes)
{
	size_t size = (bytes + SIM_HEAP_ALIGN - 1) & ~(SIM_HEAP_ALIGN - 1);
	void *p = NULL;

	if (size == 0 || posix_memalign(&p, SIM_HEAP_ALIGN, size) != 0)
		return -1;
	sim_heap_release();
	heap_base = p;
	heap_size = size;
	heap_owned = true;
	return 0;
}

void sim_heap_use(void *base, size_t size)
{
	sim_heap_release();
	heap_base = base;
	heap_size = size;
}

void sim_heap_release(void)
{
	/*
	 * ASan keeps the core's poison on this range after it is freed or
	 * unmapped; clear it so that the next owner of the addresses starts clean.
	 */
	if (heap_base)
		plat_mem_unpoison(heap_base, heap_size);
	if (heap_owned)
		free(heap_base);
	heap_owned = false;
	heap_base = NULL;
	heap_size = 0;
}

int plat_heap_region(struct plat_mem_region *out)
{
	if (!heap_base || fault_should_fail(FAULT_SITE_PLAT))
		return -CSVSM_ENOMEM;
	out->base = heap_base;
	out->size = heap_size;
	return 0;
}
