/* SPDX-License-Identifier: MIT */
/* The ktest runner (ktest.h): per-test isolation, leak check, summary. */
#include "ktest.h"
#include "csvsm/boot.h"
#include "csvsm/error.h"
#include "csvsm/fault.h"
#include "csvsm/log.h"
#include "csvsm/mm.h"

void ktest_fail(struct ktest_ctx *t, const char *file, int line, const char *what)
{
	t->failures++;
	log_printf("selftest: %s/%s: FAILED at %s:%d: %s\n", t->suite, t->name, file, line, what);
}

unsigned int ktest_run_one(const struct ktest_suite *suite, size_t index)
{
	const struct ktest *k = &suite->tests[index];
	struct ktest_ctx ctx = {suite->name, k->name, 0};
	size_t live;

	fault_reset();
	live = mm_live_allocs();
	k->fn(&ctx);
	fault_reset();
	if (k->flags & KTEST_F_OWN_HEAP) {
		if (svsm_boot_memory(NULL) < 0)
			ktest_fail(&ctx, __FILE__, __LINE__, "a fresh heap after the test");
	} else if (mm_live_allocs() != live) {
		log_printf("selftest: %s/%s: %zu allocations leaked\n", suite->name, k->name,
		           mm_live_allocs() - live);
		ctx.failures++;
	}
	log_printf("selftest: %s/%s: %s\n", suite->name, k->name, ctx.failures ? "FAILED" : "ok");
	return ctx.failures;
}

void ktest_run_suites(const struct ktest_suite *const *suites, size_t n, struct ktest_result *out)
{
	for (size_t s = 0; s < n; s++)
		for (size_t i = 0; i < suites[s]->count; i++) {
			if (ktest_run_one(suites[s], i))
				out->failed++;
			else
				out->passed++;
		}
}
