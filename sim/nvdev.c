/* SPDX-License-Identifier: MIT */
/*
 * The simulator's MMIO NV devices (csvsm/sim_nvdev.h): a model over a
 * mapped file, on the bus, and the core's driver opened on it at boot.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvsm/plat/storage.h"
#include "csvsm/sim_mmio.h"
#include "csvsm/sim_nv.h"
#include "csvsm/sim_nvdev.h"
#include "csvsm/storage_dev.h"
#include "csvsm/virtio_mmio.h"
#include "machine/pflash.h"
#include "machine/virtio_blk.h"
#include "sim_plat.h"

static struct {
	bool attached;
	enum sim_nvdev_kind kind;
	uint8_t *mem;
	uint64_t size;
	int fd; /* -1: host memory */
	struct sim_pflash pf;
	struct sim_vblk vb;
	/* The core's driver, opened at a machine's boot, closed when it stops. */
	struct blkdev drv;
	bool drv_open;
} nvd = {.fd = -1};

static const struct sim_mmio_ops nvdev_pflash_ops = {
    .read = sim_pflash_read,
    .write = sim_pflash_write,
    .direct_reads = sim_pflash_direct_reads,
};

static const struct sim_mmio_ops nvdev_vblk_ops = {
    .read = sim_vblk_read,
    .write = sim_vblk_write,
};

static void *nvdev_dma(void *ctx, uint64_t pa, uint64_t len)
{
	(void)ctx;
	return sim_dma_host(pa, len);
}

static void nvdev_vblk_change(void *ctx, uint64_t off, const uint8_t *data, size_t len)
{
	(void)ctx;
	(void)off;
	(void)len;
	/* A flush is reported before it is done; the writes are in the mapping already. */
	if (!data && nvd.fd >= 0)
		msync(nvd.mem, nvd.size, MS_SYNC);
}

int sim_nvdev_kind_parse(const char *s, enum sim_nvdev_kind *out)
{
	if (!strcmp(s, "pflash"))
		*out = SIM_NVDEV_PFLASH;
	else if (!strcmp(s, "virtio"))
		*out = SIM_NVDEV_VIRTIO;
	else
		return -1;
	return 0;
}

static int map_file(const char *path, uint64_t size, uint8_t fill)
{
	struct stat st;
	int fd = open(path, O_RDWR | O_CLOEXEC);
	bool created = false;
	void *m;

	if (fd < 0 && errno == ENOENT) {
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		created = fd >= 0;
	}
	if (fd < 0) {
		fprintf(stderr, "csvsm-sim: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		fprintf(stderr, "csvsm-sim: %s: in use by another process\n", path);
		close(fd);
		return -1;
	}
	if (created && ftruncate(fd, (off_t)size) != 0) {
		fprintf(stderr, "csvsm-sim: %s: %s\n", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
		fprintf(stderr, "csvsm-sim: %s: not a usable state file\n", path);
		close(fd);
		return -1;
	}
	size = (uint64_t)st.st_size;
	m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		fprintf(stderr, "csvsm-sim: %s: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (created && fill)
		memset(m, fill, size);
	nvd.fd = fd;
	nvd.mem = m;
	nvd.size = size;
	return 0;
}

static void unmap_medium(void)
{
	if (nvd.fd >= 0) {
		msync(nvd.mem, nvd.size, MS_SYNC);
		munmap(nvd.mem, nvd.size);
		close(nvd.fd);
	} else {
		free(nvd.mem);
	}
	nvd.mem = NULL;
	nvd.fd = -1;
}

int sim_nvdev_attach(enum sim_nvdev_kind kind, const char *path, uint64_t size)
{
	uint8_t fill = kind == SIM_NVDEV_PFLASH ? 0xff : 0x00;
	int rc;

	if (nvd.attached) {
		fprintf(stderr, "csvsm-sim: an NV device is already attached\n");
		return -1;
	}
	if (path) {
		if (map_file(path, size, fill) < 0)
			return -1;
	} else {
		/* Page-aligned: the KVM runner maps a flash's bytes into the image's VM. */
		nvd.mem = size <= UINT64_MAX - 4095 ? aligned_alloc(4096, (size + 4095) & ~4095ull)
		                                    : NULL;
		if (!nvd.mem)
			return -1;
		memset(nvd.mem, fill, size);
		nvd.size = size;
	}
	nvd.kind = kind;
	if (kind == SIM_NVDEV_PFLASH) {
		struct sim_pflash_config pc = {
		    .storage = nvd.mem,
		    .size = nvd.size,
		    .sector_len = SIM_NVDEV_PFLASH_SECTOR,
		    .bank_width = SIM_NVDEV_PFLASH_WIDTH,
		};

		rc = sim_pflash_init(&nvd.pf, &pc);
		if (rc == 0)
			rc = sim_mmio_map(SIM_PFLASH_BASE, nvd.size, &nvdev_pflash_ops, &nvd.pf);
	} else {
		struct sim_vblk_config vc = {
		    .storage = nvd.mem,
		    .size = nvd.size,
		    .flush = true,
		    .dma = nvdev_dma,
		    .on_change = nvdev_vblk_change,
		};

		rc = sim_vblk_init(&nvd.vb, &vc);
		if (rc == 0)
			rc = sim_mmio_map(SIM_VIRTIO_BASE, VIRTIO_MMIO_WINDOW, &nvdev_vblk_ops,
			                  &nvd.vb);
	}
	if (rc != 0) {
		fprintf(stderr, "csvsm-sim: %s: %llu bytes do not suit a %s device\n",
		        path ? path : "memory", (unsigned long long)nvd.size,
		        kind == SIM_NVDEV_PFLASH ? "pflash" : "virtio-blk");
		unmap_medium();
		return -1;
	}
	nvd.attached = true;
	return 0;
}

int sim_nvdev_view(struct sim_nvdev_view *out)
{
	if (!nvd.attached)
		return -1;
	out->pflash = nvd.kind == SIM_NVDEV_PFLASH;
	out->base = out->pflash ? SIM_PFLASH_BASE : SIM_VIRTIO_BASE;
	out->window = out->pflash ? nvd.size : VIRTIO_MMIO_WINDOW;
	out->medium = nvd.mem;
	out->medium_size = nvd.size;
	return 0;
}

bool sim_nvdev_direct_reads(void)
{
	return nvd.attached && nvd.kind == SIM_NVDEV_PFLASH && sim_pflash_direct_reads(&nvd.pf);
}

void sim_nvdev_machine_gone(void)
{
	if (!nvd.drv_open)
		return;
	if (nvd.kind == SIM_NVDEV_PFLASH)
		pflash_close(&nvd.drv);
	else
		vblk_close(&nvd.drv);
	nvd.drv_open = false;
}

void sim_nvdev_detach(void)
{
	if (!nvd.attached)
		return;
	sim_nvdev_machine_gone();
	sim_mmio_unmap(nvd.kind == SIM_NVDEV_PFLASH ? SIM_PFLASH_BASE : SIM_VIRTIO_BASE);
	unmap_medium();
	nvd.attached = false;
}

struct blkdev *plat_nv_device(void)
{
	int rc;

	if (!nvd.attached)
		return sim_nv_current();
	if (nvd.drv_open)
		return &nvd.drv;
	/* What the bare-metal SVSM does with its boot information: open the driver. */
	if (nvd.kind == SIM_NVDEV_PFLASH)
		rc = pflash_open(&nvd.drv, SIM_PFLASH_BASE, nvd.size);
	else
		rc = vblk_open(&nvd.drv, SIM_VIRTIO_BASE);
	if (rc < 0)
		return NULL;
	nvd.drv_open = true;
	return &nvd.drv;
}
