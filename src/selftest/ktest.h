/* SPDX-License-Identifier: MIT */
/*
 * ktest: self-tests written once and run in two places (the models are
 * Hafnium's hftest and kvm-unit-tests):
 *
 *   - inside the bare-metal images, when the kernel command line holds
 *     `selftest` (src/plat/kvm, src/plat/snp): freestanding, on the
 *     image's heap, results on the console;
 *   - on the host, as the Check program tests/check_selftest, against the
 *     same core compiled hosted (with ASan and UBSan in the test build).
 *
 * A test is a function taking `struct ktest_ctx *t`; KT_ASSERT stops it,
 * KT_EXPECT records a failure and goes on. Tests must leave the heap as
 * they found it (the runner checks mm_live_allocs) unless they are marked
 * KTEST_F_OWN_HEAP (they re-initialise the allocator; the runner then
 * starts a fresh heap after them). Freestanding: no libc here.
 */
#ifndef CSVSM_SELFTEST_KTEST_H
#define CSVSM_SELFTEST_KTEST_H

#include "csvsm/types.h"

struct ktest_ctx {
	const char *suite;
	const char *name;
	unsigned int failures;
};

#define KTEST_F_OWN_HEAP 0x1u /* re-initialises mm: the runner restores a heap */

struct ktest {
	const char *name;
	void (*fn)(struct ktest_ctx *t);
	unsigned int flags;
};

struct ktest_suite {
	const char *name;
	const struct ktest *tests;
	size_t count;
};

#define KTEST(fn_name)                                                                             \
	{                                                                                          \
#fn_name, fn_name, 0                                                               \
	}
#define KTEST_OWN_HEAP(fn_name)                                                                    \
	{                                                                                          \
#fn_name, fn_name, KTEST_F_OWN_HEAP                                                \
	}
#define KTEST_SUITE(sname, table)                                                                  \
	{                                                                                          \
		sname, table, sizeof(table) / sizeof((table)[0])                                   \
	}

/* Records a failure of the running test, with where and what (console). */
void ktest_fail(struct ktest_ctx *t, const char *file, int line, const char *what);

#define KT_EXPECT(cond)                                                                            \
	do {                                                                                       \
		if (!(cond))                                                                       \
			ktest_fail(t, __FILE__, __LINE__, #cond);                                  \
	} while (0)

#define KT_ASSERT(cond)                                                                            \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			ktest_fail(t, __FILE__, __LINE__, #cond);                                  \
			return;                                                                    \
		}                                                                                  \
	} while (0)

/* The suites of the freestanding core (lib, mm, storage): selftest_suites.c. */
extern const struct ktest_suite ktest_suite_lib;
extern const struct ktest_suite ktest_suite_mm;
extern const struct ktest_suite ktest_suite_nvstore;
extern const struct ktest_suite ktest_suite_libc;
extern const struct ktest_suite ktest_suite_vtpm;
extern const struct ktest_suite *const ktest_core_suites[];
extern const size_t ktest_core_suite_count;

struct ktest_result {
	unsigned int passed;
	unsigned int failed;
};

/*
 * Runs test `index` of `suite` and returns its failure count (0 = passed);
 * the console gets "selftest: suite/name: ok" or "... FAILED".
 */
unsigned int ktest_run_one(const struct ktest_suite *suite, size_t index);

/* Runs every test of every suite and adds up the results into *out. */
void ktest_run_suites(const struct ktest_suite *const *suites, size_t n, struct ktest_result *out);

/*
 * Provided by whoever runs the tests (the image's platform, the Check
 * program): memory the mm tests may hand to mm_init, 2 MiB aligned, never
 * the heap's. Returns NULL and *size 0 when there is none.
 */
void *ktest_scratch(size_t *size);

#endif
