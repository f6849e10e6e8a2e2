/* SPDX-License-Identifier: MIT */
/*
 * The boot-time NV round trip (storage_nvtest, csvsm/storage_dev.h): the
 * same code checks the drivers against the simulator's models, QEMU's own
 * devices and the KVM runner's.
 */
#include "csvsm/error.h"
#include "csvsm/lib/string.h"
#include "csvsm/log.h"
#include "csvsm/mm.h"
#include "csvsm/nvstore.h"
#include "csvsm/plat/time.h"
#include "csvsm/storage_dev.h"

#define NVT_PERM_LEN 1299u
#define NVT_VOL_LEN  8970u

/* The contents of blob `salt` for boot `boot`: a xorshift stream, independent of the store. */
static void nvt_pattern(uint8_t *p, size_t n, uint64_t boot, uint64_t salt)
{
	uint64_t x = boot * 0x9e3779b97f4a7c15ull ^ salt ^ 0x2545f4914f6cdd1dull;

	for (size_t i = 0; i < n; i++) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		p[i] = (uint8_t)((x * 0x2545f4914f6cdd1dull) >> 56);
	}
}

static int nvt_check(struct nvstore *nv, uint64_t boot, uint8_t *buf)
{
	static const struct {
		const char *name;
		size_t len;
	} blobs[] = {{"permall", NVT_PERM_LEN}, {"volatilestate", NVT_VOL_LEN}};

	for (size_t i = 0; i < ARRAY_SIZE(blobs); i++) {
		const void *d;
		size_t len;

		if (nvstore_get(nv, blobs[i].name, &d, &len) != 0 || len != blobs[i].len) {
			log_printf("nvtest: blob %s of boot %llu missing or of the wrong size\n",
			           blobs[i].name, (unsigned long long)boot);
			return -CSVSM_ECORRUPT;
		}
		nvt_pattern(buf, len, boot, i);
		if (mem_cmp(d, buf, len) != 0) {
			log_printf("nvtest: blob %s differs from what boot %llu stored\n",
			           blobs[i].name, (unsigned long long)boot);
			return -CSVSM_ECORRUPT;
		}
	}
	return 0;
}

int storage_nvtest(const char *spec, size_t len)
{
	struct nvstore *nv = NULL;
	struct blkdev dev = {0};
	uint64_t boot = 0, next, t0, t1;
	uint8_t *buf = NULL;
	const void *d;
	size_t blen;
	int rc;

	rc = storage_open_spec(&dev, spec, len);
	if (rc < 0) {
		log_printf("nvtest: no device at \"%.*s\": %s\n", (int)MIN(len, (size_t)80), spec,
		           csvsm_strerror(rc));
		return rc;
	}
	buf = kmalloc(NVT_VOL_LEN);
	rc = buf ? nvstore_open(&dev, &nv) : -CSVSM_ENOMEM;
	if (rc < 0)
		goto out;
	if (nvstore_get(nv, "boot", &d, &blen) == 0) {
		if (blen != sizeof(boot)) {
			rc = -CSVSM_ECORRUPT;
			goto out;
		}
		mem_copy(&boot, d, sizeof(boot));
		if (boot == 0 || boot > (1ull << 40)) {
			rc = -CSVSM_ECORRUPT;
			goto out;
		}
		rc = nvt_check(nv, boot, buf);
		if (rc < 0)
			goto out;
	} else if (nvstore_count(nv) != 0) {
		log_printf("nvtest: the store holds other data: not touched\n");
		rc = -CSVSM_EEXIST;
		goto out;
	}
	next = boot + 1;
	rc = nvstore_put(nv, "boot", &next, sizeof(next));
	nvt_pattern(buf, NVT_PERM_LEN, next, 0);
	if (rc == 0)
		rc = nvstore_put(nv, "permall", buf, NVT_PERM_LEN);
	nvt_pattern(buf, NVT_VOL_LEN, next, 1);
	if (rc == 0)
		rc = nvstore_put(nv, "volatilestate", buf, NVT_VOL_LEN);
	t0 = plat_time_ns();
	if (rc == 0)
		rc = nvstore_commit(nv);
	t1 = plat_time_ns();
	if (rc == 0) {
		if (boot)
			log_printf(
			    "nvtest: %s: verified boot %llu, stored boot %llu (commit %llu us)\n",
			    dev.name, (unsigned long long)boot, (unsigned long long)next,
			    (unsigned long long)((t1 - t0) / 1000));
		else
			log_printf(
			    "nvtest: %s: blank device, stored boot 1 (first commit %llu us)\n",
			    dev.name, (unsigned long long)((t1 - t0) / 1000));
		rc = (int)MIN(next, (uint64_t)CSVSM_INT_MAX);
	}
out:
	if (rc < 0)
		log_printf("nvtest: failed: %s\n", csvsm_strerror(rc));
	nvstore_close(nv);
	kfree(buf);
	storage_close(&dev);
	return rc;
}
