/* SPDX-License-Identifier: MIT */
/*
 * Block devices for persistent state: an ops table per back-end (RAM,
 * host file in the simulator, CFI pflash, virtio-mmio block). Everything a
 * device returns is untrusted input (the hypervisor emulates the device).
 */
#ifndef CSVSM_BLKDEV_H
#define CSVSM_BLKDEV_H

#include "csvsm/types.h"

struct blkdev;

struct blkdev_ops {
	/*
	 * Reads `len` bytes at byte `offset`. Returns 0, -CSVSM_ERANGE when the
	 * range is beyond the device, or -CSVSM_EIO.
	 */
	int (*read)(struct blkdev *dev, uint64_t offset, void *buf, size_t len);
	/*
	 * Writes `len` bytes at `offset`. The data may sit in a volatile cache
	 * until flush; a crash may leave any subset of unflushed writes on the
	 * medium, each possibly torn at `write_unit` granularity. Returns 0,
	 * -CSVSM_ERANGE or -CSVSM_EIO.
	 */
	int (*write)(struct blkdev *dev, uint64_t offset, const void *buf, size_t len);
	/* Makes every earlier write durable. Returns 0 or -CSVSM_EIO. */
	int (*flush)(struct blkdev *dev);
};

struct blkdev {
	const struct blkdev_ops *ops;
	uint64_t size;       /* bytes */
	uint32_t write_unit; /* bytes written atomically (power of two, >= 1) */
	const char *name;    /* for messages */
	void *priv;          /* the back-end's own state */
};

/*
 * Calls through the ops table, checking the range first (wrap-safe).
 * Returns what the ops document, and also -CSVSM_EINVAL for a device that
 * fails blkdev_valid or a NULL buffer with a non-zero length; a back-end's
 * answer outside the documented codes becomes -CSVSM_EIO. Zero-length reads
 * and writes inside the device succeed without calling the back-end.
 * Fault injection (csvsm/fault.h): every blkdev_write and blkdev_flush that
 * passes the argument checks counts one FAULT_SITE_NV_WRITE operation, and
 * an injected fault returns -CSVSM_EIO before the back-end is called.
 */
int blkdev_read(struct blkdev *dev, uint64_t offset, void *buf, size_t len) CSVSM_MUST_CHECK;
int blkdev_write(struct blkdev *dev, uint64_t offset, const void *buf, size_t len) CSVSM_MUST_CHECK;
int blkdev_flush(struct blkdev *dev) CSVSM_MUST_CHECK;

/*
 * True when `dev` is usable: non-NULL, all three ops set, and write_unit a
 * power of two (>= 1).
 */
bool blkdev_valid(const struct blkdev *dev);

#endif
