/* SPDX-License-Identifier: MIT */
/*
 * Test support shared by the Check programs (hosted: libc and Check).
 *
 * A fault sweep runs one whole flow again and again, failing its 1st, 2nd,
 * ... Nth operation at one fault site (csvsm/fault.h), and proves each time
 * that the flow either succeeded or failed cleanly: a defined csvsm error,
 * no leaked allocation, and the caller's invariant intact.
 */
#ifndef CSVSM_TESTS_FAULT_SWEEP_H
#define CSVSM_TESTS_FAULT_SWEEP_H

#include <stdbool.h>
#include <stddef.h>

#include "csvsm/fault.h"

struct fault_sweep {
	/* Printed in every assertion message. */
	const char *name;
	/* Which site to fail. */
	enum fault_site site;
	/* Fail every operation from N on instead of only operation N. */
	bool persistent;
	/*
	 * Optional: builds the state the flow starts from. Runs before each
	 * iteration, before the baseline live-allocation count is taken.
	 */
	void (*setup)(void *ctx);
	/* The whole flow: returns 0 or a negative csvsm error. */
	int (*flow)(void *ctx);
	/* Optional: after a successful flow, releases what it legitimately kept. */
	void (*undo)(void *ctx);
	/*
	 * Optional: true when the state is unchanged after a failed flow;
	 * when false, explains what changed in `why` (NUL-terminated).
	 */
	bool (*invariant)(void *ctx, char *why, size_t why_len);
	/* Optional: runs at the end of each iteration. */
	void (*teardown)(void *ctx);
	void *ctx;
	/* Safety bound on the number of runs; 0 means 100000. */
	unsigned max_iterations;
};

/*
 * Runs the sweep. For n = 1, 2, ...: setup; baseline = mm_live_allocs();
 * fault_arm(site, n, persistent); rc = flow(ctx); note whether a fault
 * fired; fault_reset(). Then, with Check assertions naming the sweep and n:
 * - rc is 0 or a defined negative csvsm error (-CSVSM_ERROR_COUNT < rc < 0);
 * - rc < 0: mm_live_allocs() == baseline and the invariant holds;
 * - rc == 0: undo, then mm_live_allocs() == baseline. A fault that fired
 *   with rc == 0 is accepted: the flow recovered (for example it fell back
 *   to a smaller buffer, or retried), and the leak check still applies;
 * - teardown.
 * The sweep stops after the first run in which no fault fired: the flow
 * then performed fewer than n operations at the site, so every one of them
 * has been failed once. That last run must succeed (rc == 0). Fails the
 * test when max_iterations runs all fired.
 *
 * Returns the number of runs in which at least one fault fired, that is the
 * number of distinct failure points exercised (for a one-shot sweep, the
 * number of operations the flow performs at the site). Check that it is
 * what you expect: a sweep that injects nothing tests nothing.
 */
unsigned fault_sweep_run(const struct fault_sweep *s);

/*
 * Starts a fresh heap of `bytes` (rounded up to 4 KiB) for a test:
 * host memory aligned to 2 MiB (posix_memalign), handed to mm_init. Frees
 * the previous test heap, and disarms every fault site (fault_reset).
 * Returns the region's base; fails the test when memory or mm_init fails.
 */
void *test_heap_init(size_t bytes);

#endif /* CSVSM_TESTS_FAULT_SWEEP_H */
