/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: a stored NV image (the untrusted contents of the device)
 * given to nvstore_open. See fuzz_nvstore.h for the properties checked.
 *
 *   make fuzz-nvstore-load     (clang, -fsanitize=fuzzer,address,undefined)
 *   tests/fuzz/fuzz-nvstore-load -max_total_time=60 NEW_DIR fixtures/corpus/nvstore
 *
 * The named seeds in fixtures/corpus/nvstore/ come from
 * tests/fuzz/gen-nvstore-corpus (built by `make check`), the find-r7-* ones
 * from a campaign (docs/fuzzing.md, "The corpus"); tests/check_nvstore
 * replays them all every run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvsm/error.h"
#include "csvsm/lib/crc32.h"
#include "csvsm/mm.h"
#include "csvsm/nvstore.h"
#include "fuzz_nvstore.h"
#include "sim_plat.h"

/* Largest image tried: the format's largest slot pair, plus some. */
#define FUZZ_IMAGE_MAX ((size_t)3 << 20)

/* The slot size the format defines for a device of `size` bytes, write unit 1. */
static uint64_t fuzz_slot_size(uint64_t size)
{
	uint64_t slot = size / 2, max = 64 + ((uint64_t)1 << 20);

	return slot < max ? slot : max;
}

/* True when store `b` holds exactly the blobs of store `a`. */
static bool fuzz_same_blobs(const struct nvstore *a, const struct nvstore *b)
{
	size_t n = nvstore_count(a);

	if (nvstore_count(b) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		const char *na, *nb;
		const void *da, *db;
		size_t la, lb;

		if (nvstore_get_at(a, i, &na, &da, &la) != 0 ||
		    nvstore_get_at(b, i, &nb, &db, &lb) != 0)
			return false;
		if (strcmp(na, nb) != 0 || la != lb || memcmp(da, db, la) != 0)
			return false;
	}
	return true;
}

/* Checks the listing of an opened store. */
static const char *fuzz_check_listing(struct nvstore *nv)
{
	struct nvstore_stats st;
	const char *prev = NULL;
	uint64_t bytes = 0;

	nvstore_get_stats(nv, &st);
	for (size_t i = 0; i < nvstore_count(nv); i++) {
		const char *name;
		const void *data, *data2;
		size_t len, len2, nlen;

		if (nvstore_get_at(nv, i, &name, &data, &len) != 0)
			return "get_at fails below the count";
		nlen = strlen(name);
		if (nlen == 0 || nlen > NVSTORE_NAME_MAX)
			return "a loaded name has a bad length";
		if (prev != NULL && strcmp(prev, name) >= 0)
			return "loaded names not strictly ascending";
		if (nvstore_get(nv, name, &data2, &len2) != 0 || data2 != data || len2 != len)
			return "get does not find a listed blob";
		bytes += 5 + nlen + len;
		prev = name;
	}
	if (nvstore_get_at(nv, nvstore_count(nv), NULL, NULL, NULL) != -CSVSM_ENOENT)
		return "get_at succeeds beyond the count";
	if (bytes != st.payload_bytes || bytes > st.capacity)
		return "loaded state size inconsistent with the capacity";
	return NULL;
}

static const char *fuzz_run(struct blkdev *dev, const uint8_t *data, size_t size)
{
	uint64_t slot = fuzz_slot_size(size);
	struct nvstore *nv = NULL, *again = NULL;
	struct nvstore_stats st, st2;
	const char *why;
	unsigned int cur;
	bool changed;
	uint8_t blob[16];
	int rc;

	rc = nvstore_open(dev, &nv);
	if (memcmp(dev->priv, data, size) != 0)
		return "open wrote to the device";
	if (rc != 0) {
		if (rc != -CSVSM_ENOSPC && rc != -CSVSM_ECORRUPT && rc != -CSVSM_ENOMEM)
			return "open failed with an undocumented error";
		return nv == NULL ? NULL : "failed open left a store";
	}
	why = fuzz_check_listing(nv);
	if (why != NULL)
		goto out;

	/* A change derived from the input, committed: the old slot must stay untouched. */
	nvstore_get_stats(nv, &st);
	cur = st.current_slot;
	for (size_t i = 0; i < sizeof(blob); i++)
		blob[i] = (uint8_t)(size > i ? data[size - 1 - i] ^ 0x5a : i);
	rc = nvstore_put(nv, "fuzz", blob, sizeof(blob));
	if (rc == -CSVSM_ENOSPC)
		rc = nvstore_put(nv, "f", NULL, 0);
	if (rc == -CSVSM_ENOSPC || rc == -CSVSM_ENOMEM)
		goto out;
	why = "put failed with an undocumented error";
	if (rc != 0)
		goto out;
	nvstore_get_stats(nv, &st2);
	changed = st2.dirty;
	rc = nvstore_commit(nv);
	why = "commit failed on a RAM device";
	if (rc != 0 && rc != -CSVSM_ENOMEM)
		goto out;
	why = NULL;
	if (rc != 0)
		goto out;
	nvstore_get_stats(nv, &st2);
	why = "commit left the store dirty, or a wrong generation";
	if (st2.dirty || st2.generation != st.generation + (changed ? 1 : 0))
		goto out;
	why = "commit wrote into the slot of the last good state";
	if (st.generation != 0 &&
	    memcmp((uint8_t *)dev->priv + cur * slot, data + cur * slot, (size_t)slot) != 0)
		goto out;
	rc = nvstore_open(dev, &again);
	why = "reopen after commit failed";
	if (rc != 0)
		goto out;
	why = "reopened state differs from the committed one";
	if (!fuzz_same_blobs(nv, again))
		goto out;
	why = "reopened generation is not the committed one";
	nvstore_get_stats(again, &st);
	if (st.generation != st2.generation)
		goto out;
	why = NULL;
out:
	nvstore_close(again);
	nvstore_close(nv);
	return why;
}

static uint32_t fuzz_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void fuzz_put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/*
 * Mutations almost never keep a checksum right, which would stop the fuzzer
 * at the CRC checks: this rewrites the payload and header CRCs of each slot
 * that has the format's magic (header CRC over bytes 0..59 at 60, payload
 * CRC at 28 when the payload length at 24 fits the slot), so that the
 * header fields and the record parser see the mutated bytes. Returns true
 * when it changed the image.
 */
static bool fuzz_fix_checksums(uint8_t *img, size_t size)
{
	uint64_t slot = fuzz_slot_size(size);
	bool changed = false;

	if (slot < 128)
		return false;
	for (unsigned int s = 0; s < 2; s++) {
		uint8_t *h = img + s * slot, old[8];
		uint32_t plen = fuzz_le32(h + 24);

		if (fuzz_le32(h) != 0x564e5343u)
			continue;
		memcpy(old, h + 28, 4);
		memcpy(old + 4, h + 60, 4);
		if (plen <= slot - 64)
			fuzz_put_le32(h + 28, crc32c(0, h + 64, plen));
		fuzz_put_le32(h + 60, crc32c(0, h, 60));
		changed |= memcmp(old, h + 28, 4) != 0 || memcmp(old + 4, h + 60, 4) != 0;
	}
	return changed;
}

/* Runs the properties on one image (as given, then with fixed checksums). */
static const char *fuzz_image(const uint8_t *data, size_t size)
{
	struct blkdev dev;
	const char *why;

	if (blkdev_ram_init(&dev, size) != 0)
		return NULL;
	memcpy(dev.priv, data, size);
	why = fuzz_run(&dev, data, size);
	blkdev_ram_free(&dev);
	return why;
}

const char *fuzz_nvstore_load_one(const uint8_t *data, size_t size)
{
	size_t baseline = mm_live_allocs();
	const char *why;
	uint8_t *fixed;

	if (size == 0 || size > FUZZ_IMAGE_MAX)
		return NULL;
	why = fuzz_image(data, size);
	fixed = why == NULL ? malloc(size) : NULL;
	if (fixed != NULL) {
		memcpy(fixed, data, size);
		if (fuzz_fix_checksums(fixed, size))
			why = fuzz_image(fixed, size);
		free(fixed);
	}
	if (why == NULL && mm_live_allocs() != baseline)
		why = "allocations leaked";
	return why;
}

static void fuzz_console_drop(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static void *heap;
	const size_t heap_size = (size_t)32 << 20;
	const char *why;

	if (heap == NULL) {
		if (posix_memalign(&heap, (size_t)2 << 20, heap_size) != 0 ||
		    mm_init(heap, heap_size) != 0)
			abort();
		if (getenv("FUZZ_NVSTORE_VERBOSE") == NULL)
			sim_console_set_sink(fuzz_console_drop, NULL);
	}
	why = fuzz_nvstore_load_one(data, size);
	if (why != NULL) {
		fprintf(stderr, "fuzz_nvstore_load: %s (image of %zu bytes)\n", why, size);
		abort();
	}
	return 0;
}
