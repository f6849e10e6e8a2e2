/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target over device responses (fuzz_storage_dev.c): the storage
 * drivers against device models whose answers come from the input.
 * Shared by the libFuzzer build and the corpus replay in
 * tests/check_storage_dev.c.
 */
#ifndef CSVSM_TESTS_FUZZ_STORAGE_DEV_H
#define CSVSM_TESTS_FUZZ_STORAGE_DEV_H

#include <stddef.h>
#include <stdint.h>

/*
 * data[0] chooses the device (bit 0: pflash or virtio-blk) and its shape
 * (pflash bank width, virtio flush/block-size offers); the rest is the
 * model's script: pflash status-register and CFI bytes, virtio used-ring
 * entries (index step, id, length), status bytes, feature, status and
 * config register values. The run opens the driver, writes, reads back,
 * flushes and closes. Needs an initialised heap. Returns NULL when every
 * property held, else a description of the first violation:
 * - every call answers 0 or one of its documented errors;
 * - a read that fails leaves the caller's buffer untouched, and nothing
 *   around any buffer is ever written;
 * - a write and a read that both succeed give back the data (the models
 *   lie about status, never about the medium);
 * - after close no allocation and no DMA page is left.
 */
const char *fuzz_storage_dev_one(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
