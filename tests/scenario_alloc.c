/* SPDX-License-Identifier: MIT */
/* The counting, failing allocation wrappers of tests/scenario_alloc.h. */
#define SCN_TEST_ALLOC_IMPL
#undef malloc
#undef calloc
#undef realloc
#undef strdup
#undef free
#include "scenario_alloc.h"

static unsigned long countdown; /* 0 = disarmed */
static int fired;
static long live;

void scn_test_fail_nth(unsigned long nth)
{
	countdown = nth;
	fired = 0;
}

int scn_test_failed(void)
{
	return fired;
}

long scn_test_live(void)
{
	return live;
}

/* True when this allocation is the one to fail. */
static int should_fail(void)
{
	if (!countdown)
		return 0;
	if (--countdown)
		return 0;
	fired = 1;
	return 1;
}

void *scn_test_malloc(size_t n)
{
	void *p = should_fail() ? NULL : malloc(n);

	live += p != NULL;
	return p;
}

void *scn_test_calloc(size_t n, size_t size)
{
	void *p = should_fail() ? NULL : calloc(n, size);

	live += p != NULL;
	return p;
}

void *scn_test_realloc(void *p, size_t n)
{
	void *q;

	if (should_fail())
		return NULL;
	q = realloc(p, n);
	live += (q != NULL && p == NULL);
	return q;
}

char *scn_test_strdup(const char *s)
{
	char *p = should_fail() ? NULL : strdup(s);

	live += p != NULL;
	return p;
}

void scn_test_free(void *p)
{
	live -= p != NULL;
	free(p);
}
