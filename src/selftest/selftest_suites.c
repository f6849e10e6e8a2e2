/* SPDX-License-Identifier: MIT */
/* The core's self-test suites, in the order both runners use. */
#include "ktest.h"

const struct ktest_suite *const ktest_core_suites[] = {
    &ktest_suite_lib,
    &ktest_suite_mm,
    &ktest_suite_nvstore,
};

const size_t ktest_core_suite_count = sizeof(ktest_core_suites) / sizeof(ktest_core_suites[0]);
