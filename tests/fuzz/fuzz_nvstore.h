/* SPDX-License-Identifier: MIT */
/*
 * The NV store load fuzz target (fuzz_nvstore_load.c), shared by the
 * libFuzzer build and the corpus replay in tests/check_nvstore.c.
 */
#ifndef CSVSM_TESTS_FUZZ_NVSTORE_H
#define CSVSM_TESTS_FUZZ_NVSTORE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Treats data[0..size) as the whole contents of a block device (write
 * unit 1) and opens an NV store on it, then, when that succeeds, stages a
 * change, commits and reopens. Needs an initialised heap (mm_init).
 * Returns NULL when every property held, else a static description of the
 * first violation:
 * - open answers 0, -CSVSM_ENOSPC or -CSVSM_ECORRUPT (or -CSVSM_ENOMEM) and
 *   never writes to the device;
 * - an opened store lists valid, unique, sorted names that nvstore_get
 *   finds, within the slot capacity of the format;
 * - a commit writes nothing inside the slot that held the opened state,
 *   and a reopen finds exactly the committed blobs, one generation later;
 * - no allocation outlives the run.
 */
const char *fuzz_nvstore_load_one(const uint8_t *data, size_t size);

/* The libFuzzer entry point: sets up a heap once, aborts on a violation. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* CSVSM_TESTS_FUZZ_NVSTORE_H */
