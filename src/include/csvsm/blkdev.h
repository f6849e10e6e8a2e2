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

/* Calls through the ops table, checking the range first (wrap-safe). */
int blkdev_read(struct blkdev *dev, uint64_t offset, void *buf, size_t len) CSVSM_MUST_CHECK;
int blkdev_write(struct blkdev *dev, uint64_t offset, const void *buf, size_t len) CSVSM_MUST_CHECK;
int blkdev_flush(struct blkdev *dev) CSVSM_MUST_CHECK;

#endif
