/* SPDX-License-Identifier: MIT */
/*
 * Simulator memory checking (csvsm/plat/memory.h): with AddressSanitizer the
 * heap's free bytes are poisoned in ASan's shadow memory, so an overflow or a
 * use after free inside the core's heap is reported at the faulty access.
 * Without ASan both functions do nothing (and the core does not call them).
 *
 * Copies the shim makes (sim_plat.h): sim_copy_raw bypasses the checks,
 * sim_copy_core checks only the core's side of a copy; sim_same_core
 * compares the same way.
 */
/* RTLD_NEXT (dlsym past the sanitizer's memcpy interceptor). */
#define _GNU_SOURCE 1
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "csvsm/plat/memory.h"
#include "sim_plat.h"

const uint8_t sim_zero_page[4096];

#if CSVSM_MEMCHECK
#include <dlfcn.h>
#include <sanitizer/asan_interface.h>

/*
 * The C library's own memcpy, found past the interceptor, or NULL: then a
 * loop the sanitizer does not see.
 */
static __attribute__((no_sanitize_address, noinline)) void copy_loop(uint8_t *d, const uint8_t *s,
                                                                     size_t len)
{
	const volatile uint8_t *vs = s;

	for (size_t i = 0; i < len; i++)
		d[i] = vs[i];
}

/* The bytes compared in a loop the sanitizer does not see (no libc memcmp found). */
static __attribute__((no_sanitize_address, noinline)) bool same_loop(const uint8_t *a,
                                                                     const uint8_t *b, size_t len)
{
	const volatile uint8_t *va = a;

	for (size_t i = 0; i < len; i++)
		if (va[i] != b[i])
			return false;
	return true;
}

void sim_copy_raw(void *dst, const void *src, size_t len)
{
	static void *(*libc_memcpy)(void *, const void *, size_t);
	static bool looked;

	if (!looked) {
		*(void **)&libc_memcpy = dlsym(RTLD_NEXT, "memcpy");
		looked = true;
	}
	if (libc_memcpy)
		libc_memcpy(dst, src, len);
	else
		copy_loop(dst, src, len);
}

void sim_copy_core(void *dst, const void *src, size_t len, const void *core)
{
	if (__asan_region_is_poisoned((void *)(uintptr_t)core, len) == NULL)
		sim_copy_raw(dst, src, len);
	else
		memcpy(dst, src, len); /* the interceptor reports the bad bytes */
}

bool sim_same_core(const void *host, const void *core, size_t len)
{
	static int (*libc_memcmp)(const void *, const void *, size_t);
	static bool looked;

	/* A poisoned core side: not the same, and the caller's copy reports it. */
	if (__asan_region_is_poisoned((void *)(uintptr_t)core, len) != NULL)
		return false;
	if (!looked) {
		*(void **)&libc_memcmp = dlsym(RTLD_NEXT, "memcmp");
		looked = true;
	}
	if (libc_memcmp)
		return libc_memcmp(host, core, len) == 0;
	return same_loop(host, core, len);
}

void plat_mem_poison(const void *p, size_t len)
{
	ASAN_POISON_MEMORY_REGION(p, len);
}

void plat_mem_unpoison(const void *p, size_t len)
{
	ASAN_UNPOISON_MEMORY_REGION(p, len);
}
#else
void sim_copy_raw(void *dst, const void *src, size_t len)
{
	memcpy(dst, src, len);
}

void sim_copy_core(void *dst, const void *src, size_t len, const void *core)
{
	(void)core;
	memcpy(dst, src, len);
}

bool sim_same_core(const void *host, const void *core, size_t len)
{
	return memcmp(host, core, len) == 0;
}

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
