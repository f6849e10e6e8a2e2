/* SPDX-License-Identifier: MIT */
/* The core's self-test suites, in the order both runners use. */
#include "ktest.h"

/* vtpm last: OpenSSL's globals outlive the heap it ran on (selftest_vtpm.c). */
const struct ktest_suite *const ktest_core_suites[] = {
    &ktest_suite_lib, &ktest_suite_mm, &ktest_suite_nvstore, &ktest_suite_libc, &ktest_suite_vtpm,
};

const size_t ktest_core_suite_count = sizeof(ktest_core_suites) / sizeof(ktest_core_suites[0]);
