/* SPDX-License-Identifier: MIT */
/*
 * The RAM block device (see blkdev_ram_init in csvsm/nvstore.h): a heap
 * buffer, written through (flush has nothing to do), one-byte write unit.
 * For tests and for a vTPM without persistent storage.
 */
#include "csvsm/error.h"
#include "csvsm/lib/string.h"
#include "csvsm/mm.h"
#include "csvsm/nvstore.h"

static bool ram_range_ok(const struct blkdev *dev, uint64_t offset, size_t len)
{
	return offset <= dev->size && (uint64_t)len <= dev->size - offset;
}

static int ram_read(struct blkdev *dev, uint64_t offset, void *buf, size_t len)
{
	if (!ram_range_ok(dev, offset, len))
		return -CSVSM_ERANGE;
	mem_copy(buf, (const uint8_t *)dev->priv + offset, len);
	return 0;
}

static int ram_write(struct blkdev *dev, uint64_t offset, const void *buf, size_t len)
{
	if (!ram_range_ok(dev, offset, len))
		return -CSVSM_ERANGE;
	mem_copy((uint8_t *)dev->priv + offset, buf, len);
	return 0;
}

static int ram_flush(struct blkdev *dev)
{
	(void)dev;
	return 0;
}

static const struct blkdev_ops blkdev_ram_ops = {
    .read = ram_read,
    .write = ram_write,
    .flush = ram_flush,
};

int blkdev_ram_init(struct blkdev *dev, uint64_t size)
{
	void *buf;

	if (dev == NULL || size == 0)
		return -CSVSM_EINVAL;
	if (size > CSVSM_SIZE_MAX)
		return -CSVSM_ENOMEM;
	buf = kzalloc((size_t)size);
	if (buf == NULL)
		return -CSVSM_ENOMEM;
	dev->ops = &blkdev_ram_ops;
	dev->size = size;
	dev->write_unit = 1;
	dev->name = "ram";
	dev->priv = buf;
	return 0;
}

void blkdev_ram_free(struct blkdev *dev)
{
	if (dev == NULL || dev->ops != &blkdev_ram_ops)
		return;
	kfree(dev->priv);
	mem_set(dev, 0, sizeof(*dev));
}
