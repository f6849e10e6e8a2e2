/* SPDX-License-Identifier: MIT */
/* Fault sweeps and test heaps (see fault_sweep.h). */
#include <check.h>
#include <stdlib.h>

#include "csvsm/error.h"
#include "csvsm/fault.h"
#include "csvsm/mm.h"
#include "fault_sweep.h"

#define SWEEP_DEFAULT_MAX 100000U
#define TEST_HEAP_ALIGN   ((size_t)2 << 20)

unsigned fault_sweep_run(const struct fault_sweep *s)
{
	unsigned max = s->max_iterations ? s->max_iterations : SWEEP_DEFAULT_MAX;
	const char *name = s->name ? s->name : "(unnamed sweep)";
	unsigned injected = 0;
	unsigned n;

	ck_assert_msg(s->flow != NULL, "%s: no flow", name);
	for (n = 1; n <= max; n++) {
		size_t baseline;
		uint64_t fired;
		int rc;

		if (s->setup)
			s->setup(s->ctx);
		baseline = mm_live_allocs();
		fault_arm(s->site, n, s->persistent);
		rc = s->flow(s->ctx);
		fired = fault_fired_count(s->site);
		fault_reset();

		ck_assert_msg(rc == 0 || (rc < 0 && rc > -CSVSM_ERROR_COUNT),
		              "%s: fault at op %u: flow returned %d, not 0 or a csvsm error", name,
		              n, rc);
		if (fired == 0)
			ck_assert_msg(rc == 0,
			              "%s: flow failed (%d, %s) with no fault injected (n=%u)",
			              name, rc, csvsm_strerror(rc), n);
		if (rc < 0) {
			char why[256] = "";

			ck_assert_msg(mm_live_allocs() == baseline,
			              "%s: fault at op %u: %zu allocations leaked (rc %s)", name, n,
			              mm_live_allocs() - baseline, csvsm_strerror(rc));
			if (s->invariant)
				ck_assert_msg(s->invariant(s->ctx, why, sizeof(why)),
				              "%s: fault at op %u: invariant broken: %s", name, n,
				              why);
		} else {
			if (s->undo)
				s->undo(s->ctx);
			ck_assert_msg(mm_live_allocs() == baseline,
			              "%s: %s at op %u: %zu allocations leaked after undo", name,
			              fired ? "recovered from a fault" : "no fault", n,
			              mm_live_allocs() - baseline);
		}
		if (s->teardown)
			s->teardown(s->ctx);
		if (fired == 0)
			break;
		injected++;
	}
	ck_assert_msg(n <= max, "%s: still injecting faults after %u runs", name, max);
	ck_assert_msg(n >= 1, "%s: no iteration ran", name);
	return injected;
}

static void *test_heap;

void *test_heap_init(size_t bytes)
{
	size_t size = (bytes + 4095) & ~(size_t)4095;
	void *p = NULL;
	int rc;

	free(test_heap);
	test_heap = NULL;
	fault_reset();
	ck_assert_msg(size != 0 && posix_memalign(&p, TEST_HEAP_ALIGN, size) == 0,
	              "test_heap_init: no host memory for %zu bytes", size);
	test_heap = p;
	rc = mm_init(p, size);
	ck_assert_msg(rc == 0, "test_heap_init: mm_init(%zu) failed: %d", size, rc);
	return p;
}
