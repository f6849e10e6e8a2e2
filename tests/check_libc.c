/* SPDX-License-Identifier: MIT */
/*
 * Tests of the csvsm C runtime (src/plat/libc), compiled hosted with every
 * symbol renamed to csvsm_libc_NAME (CSVSM_LIBC_PREFIXED) so that it runs
 * beside glibc: the shared self-test body (src/plat/libc/selftest.c, which the
 * image runs too), formatted output compared with glibc's snprintf for the
 * conversions OpenSSL and libtpms use, and allocation failure at every
 * kmalloc the runtime makes (fault sweeps: NULL, errno ENOMEM, no leak).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvsm/error.h"
#include "csvsm/mm.h"
#include "fault_sweep.h"

/* The runtime's functions under their test names (csvsm_libc_prefixed.h). */
int csvsm_libc_selftest(char *msg, size_t msglen);
int csvsm_libc_snprintf(char *buf, size_t size, const char *fmt, ...);
int csvsm_libc_asprintf(char **out, const char *fmt, ...);
char *csvsm_libc_strdup(const char *s);
void *csvsm_libc_malloc(size_t size);
void *csvsm_libc_realloc(void *p, size_t size);
void csvsm_libc_free(void *p);
extern int csvsm_libc_errno;

static void setup(void)
{
	test_heap_init(1 << 20);
}

START_TEST(test_selftest)
{
	char msg[200];
	int failures = csvsm_libc_selftest(msg, sizeof(msg));

	ck_assert_msg(failures == 0, "%d failures; first: %s", failures, msg);
	ck_assert_uint_eq(mm_live_allocs(), 0);
}
END_TEST

START_TEST(test_snprintf_matches_glibc)
{
	static const struct {
		const char *fmt;
		long a;
		long b;
	} cases[] = {
	    {"%d %d", 0, -1},         {"%5d|%-5d|", 42, -42},
	    {"%05d %+d", 7, 7},       {"%x %X", 0xbeef, 0xbeef},
	    {"%#x %#o", 255, 8},      {"%.3d %.0d", 7, 0},
	    {"%lu %ld", -1L, -1L},    {"%lx %lo", 1L << 62, 1L << 62},
	    {"%*d", 6, 33},           {"%u%%%u", 1, 2},
	    {"%hhu %hd", 300, 70000}, {"% d % d", 5, -5},
	};
	char ours[128], ref[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n1 =
		    csvsm_libc_snprintf(ours, sizeof(ours), cases[i].fmt, cases[i].a, cases[i].b);
		int n2 = snprintf(ref, sizeof(ref), cases[i].fmt, cases[i].a, cases[i].b);

		ck_assert_msg(n1 == n2 && strcmp(ours, ref) == 0,
		              "format '%s': ours '%s' (%d), glibc '%s' (%d)", cases[i].fmt, ours,
		              n1, ref, n2);
	}
}
END_TEST

START_TEST(test_strings_match_glibc)
{
	const char *strs[] = {"", "a", "hello world", "0123456789abcdef", "%s %d"};
	char ours[64], ref[64];

	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		for (size_t size = 0; size < 20; size++) {
			int n1 = csvsm_libc_snprintf(size ? ours : NULL, size, "[%s]", strs[i]);
			int n2 = snprintf(size ? ref : NULL, size, "[%s]", strs[i]);

			ck_assert_int_eq(n1, n2);
			if (size)
				ck_assert_str_eq(ours, ref);
		}
	}
}
END_TEST

/* Each flow allocates through the runtime; a failed allocation is ENOMEM. */
static int flow_malloc(void *ctx)
{
	void *p;

	(void)ctx;
	csvsm_libc_errno = 0;
	p = csvsm_libc_malloc(100);
	if (!p) {
		ck_assert_int_eq(csvsm_libc_errno, ENOMEM);
		return -CSVSM_ENOMEM;
	}
	csvsm_libc_free(p);
	return 0;
}

static int flow_strdup_asprintf(void *ctx)
{
	char *a, *b = NULL;
	int n;

	(void)ctx;
	a = csvsm_libc_strdup("copy");
	if (!a)
		return -CSVSM_ENOMEM;
	n = csvsm_libc_asprintf(&b, "%s-%d", a, 5);
	csvsm_libc_free(a);
	if (n < 0) {
		ck_assert_ptr_null(b);
		return -CSVSM_ENOMEM;
	}
	ck_assert_str_eq(b, "copy-5");
	csvsm_libc_free(b);
	return 0;
}

static char *realloc_block;

static void realloc_setup(void *ctx)
{
	(void)ctx;
	realloc_block = csvsm_libc_malloc(16);
	ck_assert_ptr_nonnull(realloc_block);
	memcpy(realloc_block, "fifteen chars..", 16);
}

static int flow_realloc(void *ctx)
{
	char *p;

	(void)ctx;
	p = csvsm_libc_realloc(realloc_block, 4000);
	if (!p)
		return -CSVSM_ENOMEM;
	realloc_block = p;
	return 0;
}

static bool realloc_invariant(void *ctx, char *why, size_t why_len)
{
	(void)ctx;
	if (strcmp(realloc_block, "fifteen chars..") == 0)
		return true;
	snprintf(why, why_len, "the old block changed after a failed realloc");
	return false;
}

static void realloc_teardown(void *ctx)
{
	(void)ctx;
	csvsm_libc_free(realloc_block);
	realloc_block = NULL;
}

START_TEST(test_alloc_fault_sweeps)
{
	const struct fault_sweep sweeps[] = {
	    {.name = "malloc", .site = FAULT_SITE_ALLOC, .flow = flow_malloc},
	    {.name = "strdup+asprintf", .site = FAULT_SITE_ALLOC, .flow = flow_strdup_asprintf},
	    {.name = "realloc",
	     .site = FAULT_SITE_ALLOC,
	     .setup = realloc_setup,
	     .flow = flow_realloc,
	     .invariant = realloc_invariant,
	     .teardown = realloc_teardown},
	};

	for (size_t i = 0; i < sizeof(sweeps) / sizeof(sweeps[0]); i++)
		ck_assert_uint_ge(fault_sweep_run(&sweeps[i]), 1);
}
END_TEST

static Suite *libc_suite(void)
{
	Suite *s = suite_create("libc");
	TCase *tc = tcase_create("runtime");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_selftest);
	tcase_add_test(tc, test_snprintf_matches_glibc);
	tcase_add_test(tc, test_strings_match_glibc);
	tcase_add_test(tc, test_alloc_fault_sweeps);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(libc_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
