/* SPDX-License-Identifier: MIT */
/*
 * The core's self-test suites (src/selftest/: lib, mm, nvstore), run on the
 * host against the hosted core with the sanitizers of the test build. The
 * same test bodies run inside the bare-metal images (`selftest` on the
 * kernel command line; tests/qemu_selftest.sh, tests/kvm_selftest.sh).
 * Each test is one Check test (a loop test over the suite's table).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "../src/selftest/ktest.h"
#include "csvsm/boot.h"
#include "sim_plat.h"

#define HOST_HEAP    ((size_t)8 << 20)
#define HOST_SCRATCH ((size_t)2 << 20)

static void *scratch;

void *ktest_scratch(size_t *size)
{
	if (!scratch && posix_memalign(&scratch, (size_t)2 << 20, HOST_SCRATCH) != 0)
		scratch = NULL;
	*size = scratch ? HOST_SCRATCH : 0;
	return scratch;
}

/* Every test of every suite, flattened: the loop tests index this. */
struct flat_test {
	const struct ktest_suite *suite;
	size_t index;
};

static struct flat_test *flat;

static void setup(void)
{
	ck_assert_int_eq(sim_heap_prepare(HOST_HEAP), 0);
	ck_assert_int_eq(svsm_boot_memory(NULL), 0);
}

static void teardown(void)
{
	sim_heap_release();
}

START_TEST(test_selftest)
{
	const struct flat_test *f = &flat[_i];

	ck_assert_msg(ktest_run_one(f->suite, f->index) == 0, "%s/%s failed (see the log)",
	              f->suite->name, f->suite->tests[f->index].name);
}
END_TEST

static Suite *selftest_suite(void)
{
	Suite *suite = suite_create("selftest");
	size_t n = 0;

	for (size_t i = 0; i < ktest_core_suite_count; i++)
		n += ktest_core_suites[i]->count;
	flat = calloc(n, sizeof(*flat));
	if (!flat) {
		fprintf(stderr, "check_selftest: out of memory\n");
		exit(EXIT_FAILURE);
	}
	n = 0;
	for (size_t i = 0; i < ktest_core_suite_count; i++) {
		const struct ktest_suite *s = ktest_core_suites[i];
		TCase *tc = tcase_create(s->name);

		for (size_t k = 0; k < s->count; k++)
			flat[n + k] = (struct flat_test){s, k};
		tcase_add_checked_fixture(tc, setup, teardown);
		tcase_add_loop_test(tc, test_selftest, (int)n, (int)(n + s->count));
		suite_add_tcase(suite, tc);
		n += s->count;
	}
	return suite;
}

int main(void)
{
	SRunner *sr = srunner_create(selftest_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	free(flat);
	free(scratch);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
