/* SPDX-License-Identifier: MIT */
/* Fault injection points (see csvsm/fault.h). */
#include "csvsm/fault.h"
#include "csvsm/panic.h"

struct fault_state {
	uint64_t ops;   /* operations counted since armed or reset */
	uint64_t fired; /* failures injected since armed or reset */
	uint64_t nth;   /* the operation that fails; 0: disarmed */
	bool persistent;
};

static struct fault_state fault_sites[FAULT_SITE_COUNT];

static struct fault_state *site_state(enum fault_site site)
{
	if ((unsigned int)site >= FAULT_SITE_COUNT)
		panic("fault: no such site %u", (unsigned int)site);
	return &fault_sites[site];
}

void fault_arm(enum fault_site site, uint64_t nth, bool persistent)
{
	struct fault_state *s = site_state(site);

	s->ops = 0;
	s->fired = 0;
	s->nth = nth;
	s->persistent = persistent;
}

void fault_reset(void)
{
	for (unsigned int i = 0; i < FAULT_SITE_COUNT; i++)
		fault_arm((enum fault_site)i, 0, false);
}

bool fault_should_fail(enum fault_site site)
{
	struct fault_state *s = site_state(site);
	/* Atomic: several vCPUs may count at once (arming is single-threaded, docs/smp.md). */
	uint64_t n = __atomic_add_fetch(&s->ops, 1, __ATOMIC_RELAXED);

	if (likely(s->nth == 0 || n < s->nth))
		return false;
	if (n != s->nth && !s->persistent)
		return false;
	__atomic_add_fetch(&s->fired, 1, __ATOMIC_RELAXED);
	return true;
}

uint64_t fault_op_count(enum fault_site site)
{
	return site_state(site)->ops;
}

uint64_t fault_fired_count(enum fault_site site)
{
	return site_state(site)->fired;
}
