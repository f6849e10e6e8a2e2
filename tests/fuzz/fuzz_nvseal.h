/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: sealed NV store images (nvstore_open_sealed) as the
 * hypervisor's device holds them. Shared by the libFuzzer build (`make
 * fuzz-nvseal`), the seed generator and the replay in tests/check_nvseal.
 */
#ifndef CSVSM_TESTS_FUZZ_NVSEAL_H
#define CSVSM_TESTS_FUZZ_NVSEAL_H

#include <stddef.h>
#include <stdint.h>

/* The device the image lands on, and the key the target opens it with. */
#define FUZZ_NVSEAL_DEV_SIZE ((uint64_t)16 << 10)
#define FUZZ_NVSEAL_KEY_BYTE 0x42

/*
 * Input: byte 0 = flags: bit 0, after a successful open put a blob,
 * commit and reopen; bits 1-2, the trusted record (min_generation 0..3).
 * Bytes 1.. = the device image (cut or zero-padded to 16 KiB).
 *
 * Checks: open answers 0 or a defined error; a failed open, and every
 * open, leaves the device byte for byte as it was; a successful one gives
 * a store whose generation is at least the record; the commit afterwards
 * reopens with the blob put; every SVSM allocation is freed. Needs a heap
 * (mm_init). Returns NULL or the first violation.
 */
const char *fuzz_nvseal_one(const uint8_t *data, size_t size);

/*
 * Writes a seed: a sealed store under the target's key with `commits`
 * commits of `blobs` blobs each, as an input (flags 1) into out[0..max).
 * Returns its length or 0.
 */
size_t fuzz_nvseal_seed(uint8_t *out, size_t max, unsigned int commits, unsigned int blobs);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
