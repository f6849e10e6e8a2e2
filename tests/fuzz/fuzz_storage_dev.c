/* SPDX-License-Identifier: MIT */
/* Fuzz target over device responses: see fuzz_storage_dev.h. */
#include "fuzz_storage_dev.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvsm/error.h"
#include "csvsm/mm.h"
#include "csvsm/sim_mmio.h"
#include "csvsm/storage_dev.h"
#include "machine/pflash.h"
#include "machine/virtio_blk.h"
#include "sim_plat.h"

#define FZ_SIZE  ((uint64_t)32 << 10)
#define FZ_OFF   1000u
#define FZ_LEN   3000u
#define FZ_GUARD 64u

static const struct sim_mmio_ops fz_pflash_ops = {
    .read = sim_pflash_read,
    .write = sim_pflash_write,
    .direct_reads = sim_pflash_direct_reads,
};

static const struct sim_mmio_ops fz_vblk_ops = {
    .read = sim_vblk_read,
    .write = sim_vblk_write,
};

static void *fz_dma(void *ctx, uint64_t pa, uint64_t len)
{
	(void)ctx;
	return sim_dma_host(pa, len);
}

static bool rc_in(int rc, const int *ok, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (rc == ok[i])
			return true;
	return false;
}

static bool guard_intact(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0xcc)
			return false;
	return true;
}

/* Driver calls on an opened device; the model already runs its script. */
static const char *fz_exercise(struct blkdev *dev)
{
	static const int io_ok[] = {0, -CSVSM_EIO, -CSVSM_ERANGE};
	static uint8_t wbuf[FZ_LEN], rbuf[FZ_LEN + 2 * FZ_GUARD];
	int wrc, rrc, frc;

	for (size_t i = 0; i < FZ_LEN; i++)
		wbuf[i] = (uint8_t)(i * 7 + 3);
	memset(rbuf, 0xcc, sizeof(rbuf));
	wrc = blkdev_write(dev, FZ_OFF, wbuf, FZ_LEN);
	if (!rc_in(wrc, io_ok, 3))
		return "write returned an undocumented code";
	rrc = blkdev_read(dev, FZ_OFF, rbuf + FZ_GUARD, FZ_LEN);
	if (!rc_in(rrc, io_ok, 3))
		return "read returned an undocumented code";
	if (!guard_intact(rbuf, FZ_GUARD) || !guard_intact(rbuf + FZ_GUARD + FZ_LEN, FZ_GUARD))
		return "a read wrote outside the caller's buffer";
	if (rrc != 0 && !guard_intact(rbuf + FZ_GUARD, FZ_LEN))
		return "a failed read changed the caller's buffer";
	if (wrc == 0 && rrc == 0 && memcmp(rbuf + FZ_GUARD, wbuf, FZ_LEN) != 0)
		return "a successful write and read disagree";
	frc = blkdev_flush(dev);
	if (frc != 0 && frc != -CSVSM_EIO)
		return "flush returned an undocumented code";
	return NULL;
}

const char *fuzz_storage_dev_one(const uint8_t *data, size_t size)
{
	static const int open_ok[] = {0, -CSVSM_ENOENT, -CSVSM_ENOTSUP, -CSVSM_ECORRUPT,
	                              -CSVSM_ENOMEM};
	size_t live = mm_live_allocs();
	unsigned int dma = sim_dma_pages_used();
	const char *why = NULL;
	uint8_t *storage;
	struct blkdev dev;
	uint8_t sel;
	int rc;

	if (size < 1)
		return NULL;
	sel = data[0];
	storage = malloc(FZ_SIZE);
	if (!storage)
		return NULL;
	if (!(sel & 1)) {
		static const unsigned int widths[] = {1, 2, 4, 1};
		struct sim_pflash pf;
		struct sim_pflash_config pc = {
		    .storage = storage,
		    .size = FZ_SIZE,
		    .sector_len = 4096,
		    .bank_width = widths[(sel >> 1) & 3],
		    .hostile = SIM_PFLASH_SCRIPTED,
		    .script = data + 1,
		    .script_len = size - 1,
		};

		memset(storage, (sel & 8) ? 0x00 : 0xff, FZ_SIZE);
		if (sim_pflash_init(&pf, &pc) != 0 ||
		    sim_mmio_map(SIM_PFLASH_BASE, FZ_SIZE, &fz_pflash_ops, &pf) != 0) {
			free(storage);
			return "cannot map the pflash model";
		}
		rc = pflash_open(&dev, SIM_PFLASH_BASE, FZ_SIZE);
		if (!rc_in(rc, open_ok, 5))
			why = "pflash_open returned an undocumented code";
		else if (rc == 0) {
			why = fz_exercise(&dev);
			pflash_close(&dev);
		}
		sim_mmio_unmap(SIM_PFLASH_BASE);
	} else {
		struct sim_vblk vb;
		struct sim_vblk_config vc = {
		    .storage = storage,
		    .size = FZ_SIZE,
		    .blk_size = (sel & 2) ? 4096 : 0,
		    .flush = !(sel & 4),
		    .hostile = SIM_VBLK_SCRIPTED,
		    .script = data + 1,
		    .script_len = size - 1,
		    .dma = fz_dma,
		};

		memset(storage, 0, FZ_SIZE);
		if (sim_vblk_init(&vb, &vc) != 0 ||
		    sim_mmio_map(SIM_VIRTIO_BASE, 0x200, &fz_vblk_ops, &vb) != 0) {
			free(storage);
			return "cannot map the virtio model";
		}
		rc = vblk_open(&dev, SIM_VIRTIO_BASE);
		if (!rc_in(rc, open_ok, 5))
			why = "vblk_open returned an undocumented code";
		else if (rc == 0) {
			why = fz_exercise(&dev);
			vblk_close(&dev);
		}
		sim_mmio_unmap(SIM_VIRTIO_BASE);
	}
	free(storage);
	if (!why && mm_live_allocs() != live)
		why = "an allocation outlived the run";
	if (!why && sim_dma_pages_used() != dma)
		why = "a DMA page outlived the run";
	return why;
}

static void fz_console_drop(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static void *heap;
	const char *why;

	if (!heap) {
		heap = aligned_alloc((size_t)2 << 20, (size_t)8 << 20);
		if (!heap || mm_init(heap, (size_t)8 << 20) != 0)
			abort();
		if (!getenv("FUZZ_STORAGE_DEV_VERBOSE"))
			sim_console_set_sink(fz_console_drop, NULL);
	}
	why = fuzz_storage_dev_one(data, size);
	if (why) {
		fprintf(stderr, "fuzz_storage_dev: %s (input of %zu bytes)\n", why, size);
		abort();
	}
	return 0;
}
