/* SPDX-License-Identifier: MIT */
/*
 * The stored vTPM state fuzz target (tests/fuzz/fuzz_vtpm_state.c) under
 * the normal compiler: every seed of fixtures/corpus/vtpm-state/ is
 * replayed through the target's one-input function, so that the harness
 * cannot rot, plus a few inputs built here (empty, header only, blobs the
 * adapter refuses before libtpms sees them). The crash reproducers of
 * fixtures/corpus/vtpm-state-crashes/ are not replayed (findings in
 * libtpms; see src/vtpm/README.md).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus_replay.h"
#include "fault_sweep.h"
#include "fuzz/fuzz_vtpm_state.h"
#include "sim_plat.h"

#define HEAP_BYTES ((size_t)32 << 20)

static void console_drop(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
}

static void setup(void)
{
	test_heap_init(HEAP_BYTES);
	sim_console_set_sink(console_drop, NULL);
}

static void teardown(void)
{
	sim_console_set_sink(NULL, NULL);
}

static struct fvs_stats stats(void)
{
	struct fvs_stats st;

	fuzz_vtpm_state_stats(&st);
	return st;
}

START_TEST(test_corpus_replay)
{
	unsigned int files = corpus_replay(VTPM_STATE_CORPUS_DIR, fuzz_vtpm_state_one);
	struct fvs_stats st;

	ck_assert_uint_ge(files, 10);
	/* The corpus reaches both outcomes and an NV index. */
	st = stats();
	ck_assert_uint_eq(st.inputs, files);
	ck_assert_uint_eq(st.skipped, 0);
	ck_assert_uint_ge(st.started, 5);
	ck_assert_uint_ge(st.refused, 3);
	ck_assert_uint_ge(st.nv_reads, 3);
}
END_TEST

/* Inputs built here: what the header means, and refusals before libtpms. */
START_TEST(test_built_inputs)
{
	static uint8_t big[(300 << 10) + FVS_HDR_SIZE];
	const uint8_t *data[FVS_BLOBS] = {NULL, NULL, NULL};
	size_t len[FVS_BLOBS] = {0, 0, 0};
	uint8_t in[64];
	struct fvs_stats a, b;
	size_t n;

	/* An empty input and a header alone: no blob, the TPM is manufactured. */
	a = stats();
	ck_assert_ptr_null(fuzz_vtpm_state_one(NULL, 0));
	n = fuzz_vtpm_state_encode(in, sizeof(in), 0, data, len);
	ck_assert_uint_eq(n, FVS_HDR_SIZE);
	ck_assert_ptr_null(fuzz_vtpm_state_one(in, n));
	b = stats();
	ck_assert_uint_eq(b.started, a.started + 2);

	/* An empty permall and one above libtpms' 128 KiB limit: refused. */
	data[0] = in;
	n = fuzz_vtpm_state_encode(in, sizeof(in), 0, data, len);
	ck_assert_uint_eq(n, FVS_HDR_SIZE);
	ck_assert_uint_eq(in[0], 1);
	ck_assert_ptr_null(fuzz_vtpm_state_one(in, n));
	memset(big, 0x5a, sizeof(big));
	big[0] = 1;
	ck_assert_ptr_null(fuzz_vtpm_state_one(big, (200 << 10) + FVS_HDR_SIZE));
	a = stats();
	ck_assert_uint_eq(a.refused, b.refused + 2);
	ck_assert_uint_eq(a.started, b.started);

	/* Blobs too large for the device (512 KiB, slots of 256 KiB): skipped. */
	ck_assert_ptr_null(fuzz_vtpm_state_one(big, sizeof(big)));
	b = stats();
	ck_assert_uint_eq(b.skipped, a.skipped + 1);
	ck_assert_uint_eq(b.refused + b.started, a.refused + a.started);
	/* The encoder refuses what does not fit its buffer. */
	len[0] = sizeof(in);
	ck_assert_uint_eq(fuzz_vtpm_state_encode(in, sizeof(in), 0, data, len), 0);
}
END_TEST

static Suite *vtpm_state_suite(void)
{
	Suite *s = suite_create("vtpm_state");
	TCase *tc = tcase_create("fuzz_replay");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_corpus_replay);
	tcase_add_test(tc, test_built_inputs);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(vtpm_state_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
