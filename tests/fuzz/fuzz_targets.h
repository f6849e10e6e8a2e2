/* SPDX-License-Identifier: MIT */
/*
 * The fuzz targets of the hypervisor's answers (fuzz_hv.c), the mssim byte
 * stream of tpm-server (fuzz_mssim.c) and the scenario language
 * (fuzz_scenario.c). Each one-input function runs one input and returns
 * NULL when every property held, else a static description of the first
 * violation; LLVMFuzzerTestOneInput aborts with it. The test suite replays
 * each target's seed corpus through replay_main.c.
 */
#ifndef CSVSM_TESTS_FUZZ_TARGETS_H
#define CSVSM_TESTS_FUZZ_TARGETS_H

#include <stddef.h>
#include <stdint.h>

const char *fuzz_hv_one(const uint8_t *data, size_t size);
const char *fuzz_mssim_one(const uint8_t *data, size_t size);
const char *fuzz_scenario_one(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* CSVSM_TESTS_FUZZ_TARGETS_H */
