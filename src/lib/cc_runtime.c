/* SPDX-License-Identifier: MIT */
/*
 * The four functions that C compilers may emit calls to even in freestanding
 * code (struct copies, large initializers, loop idioms). Linked only into the
 * freestanding build: the hosted build gets them from libc. Each forwards to
 * its csvsm/lib/string.h counterpart, which must never be compiled into a
 * call back to these (see the note in string.c).
 */
#include "csvsm/lib/string.h"

/* Prototypes, since no libc header may be included here. */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

void *memcpy(void *dst, const void *src, size_t n)
{
	return mem_copy(dst, src, n);
}

void *memmove(void *dst, const void *src, size_t n)
{
	return mem_move(dst, src, n);
}

void *memset(void *dst, int c, size_t n)
{
	return mem_set(dst, c, n);
}

int memcmp(const void *a, const void *b, size_t n)
{
	return mem_cmp(a, b, n);
}
