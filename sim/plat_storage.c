/* SPDX-License-Identifier: MIT */
/*
 * The simulator's chosen NV device and a host-memory RAM block device
 * (csvsm/sim_nv.h); plat_nv_device (csvsm/plat/storage.h) is in nvdev.c.
 */
#include <stdlib.h>
#include <string.h>

#include "csvsm/error.h"
#include "csvsm/plat/storage.h"
#include "csvsm/sim_nv.h"

static struct blkdev *sim_nv_dev;

void sim_nv_use(struct blkdev *dev)
{
	sim_nv_dev = dev;
}

struct blkdev *sim_nv_current(void)
{
	return sim_nv_dev;
}

static bool host_ram_range_ok(const struct blkdev *dev, uint64_t offset, size_t len)
{
	return offset <= dev->size && (uint64_t)len <= dev->size - offset;
}

static int host_ram_read(struct blkdev *dev, uint64_t offset, void *buf, size_t len)
{
	if (!host_ram_range_ok(dev, offset, len))
		return -CSVSM_ERANGE;
	memcpy(buf, (const uint8_t *)dev->priv + offset, len);
	return 0;
}

static int host_ram_write(struct blkdev *dev, uint64_t offset, const void *buf, size_t len)
{
	if (!host_ram_range_ok(dev, offset, len))
		return -CSVSM_ERANGE;
	memcpy((uint8_t *)dev->priv + offset, buf, len);
	return 0;
}

static int host_ram_flush(struct blkdev *dev)
{
	(void)dev;
	return 0;
}

static const struct blkdev_ops host_ram_ops = {
    .read = host_ram_read,
    .write = host_ram_write,
    .flush = host_ram_flush,
};

int sim_nv_ram_open(struct blkdev *dev, uint64_t size)
{
	void *mem;

	if (!dev || size == 0)
		return -CSVSM_EINVAL;
	if (size > SIZE_MAX)
		return -CSVSM_ENOMEM;
	mem = calloc(1, (size_t)size);
	if (!mem)
		return -CSVSM_ENOMEM;
	dev->ops = &host_ram_ops;
	dev->size = size;
	dev->write_unit = 1;
	dev->name = "host-ram";
	dev->priv = mem;
	return 0;
}

void sim_nv_ram_close(struct blkdev *dev)
{
	if (!dev || dev->ops != &host_ram_ops)
		return;
	if (sim_nv_dev == dev)
		sim_nv_dev = NULL;
	free(dev->priv);
	memset(dev, 0, sizeof(*dev));
}
