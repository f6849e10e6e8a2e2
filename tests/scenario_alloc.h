/* SPDX-License-Identifier: MIT */
/*
 * Allocation fault injection for the scenario code in tests/check_scenario
 * (force-included into that program's sources only): malloc, calloc,
 * realloc, strdup and free go through counting wrappers that can fail the
 * nth allocation (tests/scenario_alloc.c). The hosted simulator library is
 * not affected.
 */
#ifndef CSVSM_TESTS_SCENARIO_ALLOC_H
#define CSVSM_TESTS_SCENARIO_ALLOC_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

void *scn_test_malloc(size_t n);
void *scn_test_calloc(size_t n, size_t size);
void *scn_test_realloc(void *p, size_t n);
char *scn_test_strdup(const char *s);
void scn_test_free(void *p);

/* Fails the `nth` allocation from now on (1 = the next); 0 disarms. */
void scn_test_fail_nth(unsigned long nth);
/* Whether the armed failure happened. */
int scn_test_failed(void);
/* Allocations made through the wrappers and not freed yet. */
long scn_test_live(void);

#ifndef SCN_TEST_ALLOC_IMPL
#define malloc  scn_test_malloc
#define calloc  scn_test_calloc
#define realloc scn_test_realloc
#define strdup  scn_test_strdup
#define free    scn_test_free
#endif

#endif /* CSVSM_TESTS_SCENARIO_ALLOC_H */
