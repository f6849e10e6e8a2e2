/* SPDX-License-Identifier: MIT */
/*
 * Fault injection: make the Nth operation of a kind fail, so that tests can
 * prove every failure path (rule 3: every allocation can fail).
 *
 * Always compiled in; disarmed it costs one counter increment per operation.
 * Sites count operations from the moment they are armed. Single-threaded:
 * the simulator runs one context at a time.
 */
#ifndef CSVSM_FAULT_H
#define CSVSM_FAULT_H

#include "csvsm/types.h"

enum fault_site {
	FAULT_SITE_ALLOC = 0, /* every page_alloc/kmalloc entry, and x86_ram_take */
	FAULT_SITE_PLAT,      /* numbered platform operations (the shim decides which) */
	FAULT_SITE_NV_WRITE,  /* writes to persistent storage */
	FAULT_SITE_COUNT
};

/*
 * Arms `site`: its operation counter restarts at 0, and operation number
 * `nth` (1-based) fails; with `persistent`, every operation from `nth` on
 * fails. `nth` == 0 disarms the site but keeps counting.
 */
void fault_arm(enum fault_site site, uint64_t nth, bool persistent);

/* Disarms every site and resets all counters. */
void fault_reset(void);

/*
 * Counts one operation at `site` and returns true when that operation must
 * fail. Called by the code that owns the operation, at its entry, before it
 * changes any state.
 */
bool fault_should_fail(enum fault_site site);

/* Operations counted at `site` since it was last armed or reset. */
uint64_t fault_op_count(enum fault_site site);

/* Failures injected at `site` since it was last armed or reset. */
uint64_t fault_fired_count(enum fault_site site);

#endif /* CSVSM_FAULT_H */
