/* SPDX-License-Identifier: MIT */
/*
 * Block device calls (see csvsm/blkdev.h): every range is checked before
 * the back-end sees it, and whatever the back-end answers is reduced to the
 * documented codes (a device is emulated by the untrusted hypervisor).
 */
#include "csvsm/blkdev.h"

#include "csvsm/error.h"
#include "csvsm/fault.h"

/* True when [offset, offset + len) lies inside the device, without wrapping. */
static bool blkdev_range_ok(const struct blkdev *dev, uint64_t offset, size_t len)
{
	return offset <= dev->size && (uint64_t)len <= dev->size - offset;
}

/* A back-end may only answer 0, -CSVSM_ERANGE or -CSVSM_EIO; anything else is an I/O error. */
static int blkdev_result(int rc)
{
	if (rc == 0 || rc == -CSVSM_ERANGE || rc == -CSVSM_EIO)
		return rc;
	return -CSVSM_EIO;
}

bool blkdev_valid(const struct blkdev *dev)
{
	return dev != NULL && dev->ops != NULL && dev->ops->read != NULL &&
	       dev->ops->write != NULL && dev->ops->flush != NULL && dev->write_unit != 0 &&
	       (dev->write_unit & (dev->write_unit - 1)) == 0;
}

int blkdev_read(struct blkdev *dev, uint64_t offset, void *buf, size_t len)
{
	if (!blkdev_valid(dev) || (buf == NULL && len != 0))
		return -CSVSM_EINVAL;
	if (!blkdev_range_ok(dev, offset, len))
		return -CSVSM_ERANGE;
	if (len == 0)
		return 0;
	return blkdev_result(dev->ops->read(dev, offset, buf, len));
}

int blkdev_write(struct blkdev *dev, uint64_t offset, const void *buf, size_t len)
{
	if (!blkdev_valid(dev) || (buf == NULL && len != 0))
		return -CSVSM_EINVAL;
	if (!blkdev_range_ok(dev, offset, len))
		return -CSVSM_ERANGE;
	if (fault_should_fail(FAULT_SITE_NV_WRITE))
		return -CSVSM_EIO;
	if (len == 0)
		return 0;
	return blkdev_result(dev->ops->write(dev, offset, buf, len));
}

int blkdev_flush(struct blkdev *dev)
{
	int rc;

	if (!blkdev_valid(dev))
		return -CSVSM_EINVAL;
	if (fault_should_fail(FAULT_SITE_NV_WRITE))
		return -CSVSM_EIO;
	rc = dev->ops->flush(dev);
	return rc == 0 ? 0 : -CSVSM_EIO;
}
