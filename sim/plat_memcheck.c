/* SPDX-License-Identifier: MIT */
/*
 * Simulator memory checking (csvsm/plat/memory.h): with AddressSanitizer the
 * heap's free bytes are poisoned in ASan's shadow memory, so an overflow or a
 * use after free inside the core's heap is reported at the faulty access.
 * Without ASan both functions do nothing (and the core does not call them).
 */
#include <stddef.h>

#include "csvsm/plat/memory.h"

#if CSVSM_MEMCHECK
#include <sanitizer/asan_interface.h>

void plat_mem_poison(const void *p, size_t len)
{
	ASAN_POISON_MEMORY_REGION(p, len);
}

void plat_mem_unpoison(const void *p, size_t len)
{
	ASAN_UNPOISON_MEMORY_REGION(p, len);
}
#else
void plat_mem_poison(const void *p, size_t len)
{
	(void)p;
	(void)len;
}

void plat_mem_unpoison(const void *p, size_t len)
{
	(void)p;
	(void)len;
}
#endif
