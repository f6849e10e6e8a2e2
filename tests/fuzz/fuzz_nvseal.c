/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: sealed NV store images (fuzz_nvseal.h).
 *
 *   make fuzz-nvseal
 *   tests/fuzz/fuzz-nvseal -max_total_time=300 NEW_DIR fixtures/corpus/nvseal
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvsm/error.h"
#include "csvsm/mm.h"
#include "csvsm/nvstore.h"
#include "fuzz_nvseal.h"
#include "sim_plat.h"

static void fns_key(struct nvstore_seal *seal, uint64_t min_generation)
{
	memset(seal->key, FUZZ_NVSEAL_KEY_BYTE, sizeof(seal->key));
	seal->min_generation = min_generation;
}

static bool fns_defined(int rc)
{
	return rc == 0 || rc == -CSVSM_ECORRUPT || rc == -CSVSM_ENOMEM || rc == -CSVSM_EIO;
}

static const char *fns_run(struct blkdev *dev, uint8_t *before, unsigned int flags)
{
	struct nvstore_seal seal;
	struct nvstore_stats st;
	struct nvstore *nv = NULL;
	const void *got;
	size_t len;
	int rc;

	fns_key(&seal, (flags >> 1) & 3);
	memcpy(before, dev->priv, FUZZ_NVSEAL_DEV_SIZE);
	rc = nvstore_open_sealed(dev, &seal, &nv);
	if (!fns_defined(rc))
		return "open answered an undefined error";
	if (memcmp(before, dev->priv, FUZZ_NVSEAL_DEV_SIZE) != 0)
		return "open wrote the device";
	if (rc < 0)
		return nv ? "a failed open returned a store" : NULL;
	nvstore_get_stats(nv, &st);
	if (st.generation < seal.min_generation &&
	    !(st.generation == 0 && seal.min_generation == 0))
		return "open accepted a state older than the record";
	if (flags & 1) {
		if (nvstore_put(nv, "fuzz", "sealed", 6) == 0 && nvstore_commit(nv) == 0) {
			nvstore_close(nv);
			nv = NULL;
			if (nvstore_open_sealed(dev, &seal, &nv) != 0)
				return "a committed sealed state does not reopen";
			if (nvstore_get(nv, "fuzz", &got, &len) != 0 || len != 6 ||
			    memcmp(got, "sealed", 6) != 0)
				return "the committed blob is not there after reopening";
		}
	}
	nvstore_close(nv);
	return NULL;
}

const char *fuzz_nvseal_one(const uint8_t *data, size_t size)
{
	size_t baseline = mm_live_allocs();
	uint8_t *before = malloc(FUZZ_NVSEAL_DEV_SIZE);
	struct blkdev dev;
	const char *why;

	if (!before || blkdev_ram_init(&dev, FUZZ_NVSEAL_DEV_SIZE) != 0) {
		free(before);
		return "no memory for the device";
	}
	if (size > 1)
		memcpy(dev.priv, data + 1,
		       size - 1 < FUZZ_NVSEAL_DEV_SIZE ? size - 1 : FUZZ_NVSEAL_DEV_SIZE);
	why = fns_run(&dev, before, size ? data[0] : 0);
	blkdev_ram_free(&dev);
	free(before);
	if (!why && mm_live_allocs() != baseline)
		why = "SVSM allocations leaked";
	return why;
}

size_t fuzz_nvseal_seed(uint8_t *out, size_t max, unsigned int commits, unsigned int blobs)
{
	struct nvstore_seal seal;
	struct nvstore *nv = NULL;
	struct blkdev dev;
	size_t n = 0;

	if (max < 1 + FUZZ_NVSEAL_DEV_SIZE || blkdev_ram_init(&dev, FUZZ_NVSEAL_DEV_SIZE) != 0)
		return 0;
	fns_key(&seal, 0);
	if (nvstore_open_sealed(&dev, &seal, &nv) == 0) {
		bool ok = true;

		for (unsigned int c = 0; c < commits && ok; c++) {
			for (unsigned int b = 0; b < blobs && ok; b++) {
				char name[16], data[40];

				snprintf(name, sizeof(name), "blob%u", b);
				snprintf(data, sizeof(data), "commit %u blob %u", c, b);
				ok = nvstore_put(nv, name, data, strlen(data)) == 0;
			}
			ok = ok && nvstore_commit(nv) == 0;
		}
		nvstore_close(nv);
		if (ok) {
			out[0] = 1;
			memcpy(out + 1, dev.priv, FUZZ_NVSEAL_DEV_SIZE);
			n = 1 + FUZZ_NVSEAL_DEV_SIZE;
		}
	}
	blkdev_ram_free(&dev);
	return n;
}

static void fns_console_drop(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static void *heap;
	const size_t heap_size = (size_t)8 << 20;
	const char *why;

	if (heap == NULL) {
		if (posix_memalign(&heap, (size_t)2 << 20, heap_size) != 0 ||
		    mm_init(heap, heap_size) != 0)
			abort();
		if (getenv("FUZZ_NVSEAL_VERBOSE") == NULL)
			sim_console_set_sink(fns_console_drop, NULL);
	}
	why = fuzz_nvseal_one(data, size);
	if (why != NULL) {
		fprintf(stderr, "fuzz_nvseal: %s (input of %zu bytes)\n", why, size);
		abort();
	}
	return 0;
}
