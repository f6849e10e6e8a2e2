/* SPDX-License-Identifier: MIT */
/*
 * The C runtime of the bare-metal libraries (src/plat/libc) as a ktest suite: one
 * test running its self-test body (src/plat/libc/selftest.c: strings, memory,
 * number parsing, formatted output, sorting, time, regular expressions,
 * setjmp, allocation failure). In the images it runs on the image's heap
 * and clock; tests/check_selftest runs the hosted build of the runtime.
 */
#include "ktest.h"

/* src/plat/libc/libc_selftest.h (the runtime's headers are not the core's). */
int libc_selftest(char *msg, size_t msglen);

static void test_libc_runtime(struct ktest_ctx *t)
{
	char msg[160];

	if (libc_selftest(msg, sizeof(msg)) != 0)
		ktest_fail(t, __FILE__, __LINE__, msg);
}

static const struct ktest libc_tests[] = {
    KTEST(test_libc_runtime),
};

const struct ktest_suite ktest_suite_libc = KTEST_SUITE("libc", libc_tests);
