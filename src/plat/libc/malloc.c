/* SPDX-License-Identifier: MIT */
/*
 * malloc family on the csvsm heap. Each block carries a 16-byte header with
 * its size (realloc needs it); the header keeps the 16-byte alignment of the
 * System V ABI since kmalloc aligns blocks of 16 bytes or more to 16.
 * Exhaustion returns NULL with errno ENOMEM, as C requires: the libraries
 * then fail the TPM command (TPM_RC_MEMORY or a failure mode), never panic.
 * Because a TPM in failure mode says nothing about why, the first few
 * failures are also reported on the console with the heap's state.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "csvsm/log.h"
#include "csvsm/mm.h"

#define LIBC_OOM_REPORTS 3

/* A clear console line for an exhausted heap (the first LIBC_OOM_REPORTS times). */
static void libc_oom(size_t size)
{
	static unsigned int reported;
	struct mm_stats st;

	if (reported >= LIBC_OOM_REPORTS)
		return;
	reported++;
	mm_get_stats(&st);
	log_printf("libc: out of memory: malloc(%llu) failed with %llu of %llu heap pages free "
	           "(the SVSM heap is exhausted: the library's operation, e.g. a TPM "
	           "command or its NV commit, fails)%s\n",
	           (unsigned long long)size, (unsigned long long)st.free_pages,
	           (unsigned long long)st.total_pages,
	           reported == LIBC_OOM_REPORTS ? "; further failures are not reported" : "");
}

struct libc_block {
	size_t size;
	size_t pad;
};
_Static_assert(sizeof(struct libc_block) == 16, "malloc header keeps 16-byte alignment");

#define LIBC_MALLOC_MAX (((size_t)1 << 40) - sizeof(struct libc_block))

void *malloc(size_t size)
{
	struct libc_block *b;

	if (size == 0)
		size = 1;
	if (size > LIBC_MALLOC_MAX) {
		errno = ENOMEM;
		return NULL;
	}
	b = kmalloc(sizeof(*b) + size);
	if (!b) {
		libc_oom(size);
		errno = ENOMEM;
		return NULL;
	}
	b->size = size;
	return b + 1;
}

void *calloc(size_t n, size_t size)
{
	void *p;

	if (size != 0 && n > LIBC_MALLOC_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	p = malloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

void free(void *p)
{
	if (p)
		kfree((struct libc_block *)p - 1);
}

void *realloc(void *p, size_t size)
{
	struct libc_block *old;
	void *q;

	if (!p)
		return malloc(size);
	if (size == 0) {
		free(p);
		return NULL;
	}
	old = (struct libc_block *)p - 1;
	if (size <= old->size) {
		old->size = size;
		return p;
	}
	q = malloc(size);
	if (!q)
		return NULL; /* `p` is untouched, as C requires */
	memcpy(q, p, old->size);
	free(p);
	return q;
}
