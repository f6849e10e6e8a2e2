/* SPDX-License-Identifier: MIT */
/*
 * Self-tests of the NV store on the RAM block device: a round trip through
 * close and reopen, a torn (failed) commit that keeps the last good state,
 * corruption detected, and allocation failures that leave nothing behind.
 * Expected behaviour: the contracts in csvsm/nvstore.h.
 */
#include "csvsm/error.h"
#include "csvsm/fault.h"
#include "csvsm/lib/string.h"
#include "csvsm/nvstore.h"
#include "ktest.h"

#define NV_DEV_SIZE (64u << 10)

static bool blob_is(struct nvstore *nv, const char *name, const void *want, size_t len)
{
	const void *data;
	size_t got;

	return nvstore_get(nv, name, &data, &got) == 0 && got == len &&
	       mem_cmp(data, want, len) == 0;
}

static void nv_round_trip(struct ktest_ctx *t)
{
	static const char a[] = "permanent state", b[] = "volatile";
	struct blkdev dev;
	struct nvstore *nv = NULL;
	struct nvstore_stats st;

	KT_ASSERT(blkdev_ram_init(&dev, NV_DEV_SIZE) == 0);
	KT_EXPECT(nvstore_open(&dev, &nv) == 0 && nv != NULL);
	if (nv) {
		KT_EXPECT(nvstore_count(nv) == 0);
		KT_EXPECT(nvstore_put(nv, "permall", a, sizeof(a)) == 0);
		KT_EXPECT(nvstore_put(nv, "volatilestate", b, sizeof(b)) == 0);
		KT_EXPECT(nvstore_commit(nv) == 0);
		nvstore_get_stats(nv, &st);
		KT_EXPECT(st.generation == 1 && st.commits == 1 && !st.dirty);
		nvstore_close(nv);
	}
	nv = NULL;
	KT_EXPECT(nvstore_open(&dev, &nv) == 0 && nv != NULL);
	if (nv) {
		KT_EXPECT(nvstore_count(nv) == 2);
		KT_EXPECT(blob_is(nv, "permall", a, sizeof(a)));
		KT_EXPECT(blob_is(nv, "volatilestate", b, sizeof(b)));
		KT_EXPECT(nvstore_delete(nv, "volatilestate") == 0);
		KT_EXPECT(nvstore_commit(nv) == 0);
		nvstore_close(nv);
	}
	nv = NULL;
	KT_EXPECT(nvstore_open(&dev, &nv) == 0 && nv != NULL);
	if (nv) {
		KT_EXPECT(nvstore_count(nv) == 1);
		KT_EXPECT(nvstore_get(nv, "volatilestate", &(const void *){NULL}, &(size_t){0}) ==
		          -CSVSM_ENOENT);
		nvstore_close(nv);
	}
	blkdev_ram_free(&dev);
}

/* A commit whose device writes fail keeps the last good state on the device. */
static void nv_failed_commit_keeps_state(struct ktest_ctx *t)
{
	static const char v1[] = "generation one", v2[] = "generation two";
	struct blkdev dev;
	struct nvstore *nv = NULL;

	KT_ASSERT(blkdev_ram_init(&dev, NV_DEV_SIZE) == 0);
	KT_EXPECT(nvstore_open(&dev, &nv) == 0);
	if (nv) {
		KT_EXPECT(nvstore_put(nv, "permall", v1, sizeof(v1)) == 0);
		KT_EXPECT(nvstore_commit(nv) == 0);
		KT_EXPECT(nvstore_put(nv, "permall", v2, sizeof(v2)) == 0);
		fault_arm(FAULT_SITE_NV_WRITE, 1, true);
		KT_EXPECT(nvstore_commit(nv) < 0);
		fault_reset();
		nvstore_close(nv);
	}
	nv = NULL;
	KT_EXPECT(nvstore_open(&dev, &nv) == 0);
	if (nv) {
		KT_EXPECT(blob_is(nv, "permall", v1, sizeof(v1)));
		nvstore_close(nv);
	}
	blkdev_ram_free(&dev);
}

/* Data that is no valid state is refused, never taken for an empty store. */
static void nv_corruption_detected(struct ktest_ctx *t)
{
	static const char v[] = "state";
	uint8_t junk[512];
	struct blkdev dev;
	struct nvstore *nv = NULL;

	KT_ASSERT(blkdev_ram_init(&dev, NV_DEV_SIZE) == 0);
	KT_EXPECT(nvstore_open(&dev, &nv) == 0);
	if (nv) {
		KT_EXPECT(nvstore_put(nv, "permall", v, sizeof(v)) == 0);
		KT_EXPECT(nvstore_commit(nv) == 0);
		nvstore_close(nv);
	}
	/* Garbage over the whole device: no valid slot is left. */
	for (unsigned int i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 37 + 11);
	for (uint64_t off = 0; off < NV_DEV_SIZE; off += sizeof(junk))
		KT_ASSERT(blkdev_write(&dev, off, junk, sizeof(junk)) == 0);
	nv = (struct nvstore *)1;
	KT_EXPECT(nvstore_open(&dev, &nv) == -CSVSM_ECORRUPT);
	KT_EXPECT(nv == NULL);
	blkdev_ram_free(&dev);
}

/* Every allocation of open + put + commit failing in turn: clean errors, no leaks. */
static void nv_alloc_fault_sweep(struct ktest_ctx *t)
{
	static const char v[] = "swept";
	unsigned int n;

	for (n = 1; n < 200; n++) {
		struct blkdev dev;
		struct nvstore *nv = NULL;
		uint64_t fired;
		int rc;

		KT_ASSERT(blkdev_ram_init(&dev, NV_DEV_SIZE) == 0);
		fault_arm(FAULT_SITE_ALLOC, n, false);
		rc = nvstore_open(&dev, &nv);
		if (rc == 0)
			rc = nvstore_put(nv, "permall", v, sizeof(v));
		if (rc == 0)
			rc = nvstore_commit(nv);
		fired = fault_fired_count(FAULT_SITE_ALLOC);
		fault_reset();
		KT_EXPECT(rc == 0 || rc == -CSVSM_ENOMEM);
		KT_EXPECT(fired == 1 || rc == 0);
		nvstore_close(nv);
		blkdev_ram_free(&dev);
		if (fired == 0)
			break; /* the fault fell beyond the flow: every step was swept */
	}
	KT_EXPECT(n > 1 && n < 200);
}

static const struct ktest nvstore_tests[] = {
    KTEST(nv_round_trip),
    KTEST(nv_failed_commit_keeps_state),
    KTEST(nv_corruption_detected),
    KTEST(nv_alloc_fault_sweep),
};

const struct ktest_suite ktest_suite_nvstore = KTEST_SUITE("nvstore", nvstore_tests);
