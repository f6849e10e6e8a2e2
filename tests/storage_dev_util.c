/* SPDX-License-Identifier: MIT */
#include "storage_dev_util.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "csvsm/sim_mmio.h"
#include "csvsm/storage_dev.h"
#include "csvsm/virtio_mmio.h"

static const struct sim_mmio_ops pflash_bus_ops = {
    .read = sim_pflash_read,
    .write = sim_pflash_write,
    .direct_reads = sim_pflash_direct_reads,
};

static const struct sim_mmio_ops vblk_bus_ops = {
    .read = sim_vblk_read,
    .write = sim_vblk_write,
};

static void *tdev_dma(void *ctx, uint64_t pa, uint64_t len)
{
	(void)ctx;
	return sim_dma_host(pa, len);
}

static void tdev_pf_change(void *ctx, uint64_t off, const uint8_t *data, size_t len, bool erase)
{
	struct tdev *t = ctx;

	(void)erase;
	t->cfg.on_change(t->cfg.change_ctx, off, data, len);
}

static void tdev_vb_change(void *ctx, uint64_t off, const uint8_t *data, size_t len)
{
	struct tdev *t = ctx;

	t->cfg.on_change(t->cfg.change_ctx, off, data, len);
}

uint64_t tdev_base(enum tdev_kind kind)
{
	return kind == TDEV_PFLASH ? SIM_PFLASH_BASE : SIM_VIRTIO_BASE;
}

void tdev_map(struct tdev *t, const struct tdev_cfg *cfg, const uint8_t *image)
{
	memset(t, 0, sizeof(*t));
	t->cfg = *cfg;
	t->base = cfg->base ? cfg->base : tdev_base(cfg->kind);
	t->storage = malloc(cfg->size);
	ck_assert_ptr_nonnull(t->storage);
	if (image)
		memcpy(t->storage, image, cfg->size);
	else
		memset(t->storage, cfg->kind == TDEV_PFLASH ? 0xff : 0x00, cfg->size);
	if (cfg->kind == TDEV_PFLASH) {
		struct sim_pflash_config pc = {
		    .storage = t->storage,
		    .size = cfg->size,
		    .sector_len = cfg->sector ? cfg->sector : 4096,
		    .bank_width = cfg->width ? cfg->width : 1,
		    .writeblock = cfg->wbuf,
		    .read_only = cfg->read_only,
		    .hostile = cfg->pf_hostile,
		    .script = cfg->script,
		    .script_len = cfg->script_len,
		    .on_change = cfg->on_change ? tdev_pf_change : NULL,
		    .change_ctx = t,
		};

		ck_assert_int_eq(sim_pflash_init(&t->pf, &pc), 0);
		ck_assert_int_eq(sim_mmio_map(t->base, cfg->size, &pflash_bus_ops, &t->pf), 0);
	} else {
		struct sim_vblk_config vc = {
		    .storage = t->storage,
		    .size = cfg->size,
		    .blk_size = cfg->blk_size,
		    .flush = !cfg->no_flush,
		    .read_only = cfg->read_only,
		    .volatile_cache = cfg->volatile_cache,
		    .hostile = cfg->vb_hostile,
		    .script = cfg->script,
		    .script_len = cfg->script_len,
		    .dma = tdev_dma,
		    .on_change = cfg->on_change ? tdev_vb_change : NULL,
		    .change_ctx = t,
		};

		if (cfg->volatile_cache) {
			t->cache = malloc(cfg->size);
			ck_assert_ptr_nonnull(t->cache);
			vc.cache = t->cache;
		}
		ck_assert_int_eq(sim_vblk_init(&t->vb, &vc), 0);
		ck_assert_int_eq(sim_mmio_map(t->base, VIRTIO_MMIO_WINDOW, &vblk_bus_ops, &t->vb),
		                 0);
	}
	t->mapped = true;
}

int tdev_open(struct tdev *t)
{
	int rc;

	if (t->cfg.kind == TDEV_PFLASH)
		rc = pflash_open(&t->dev, t->base, t->cfg.size);
	else
		rc = vblk_open(&t->dev, t->base);
	t->open = rc == 0;
	return rc;
}

void tdev_free(struct tdev *t)
{
	if (t->open) {
		if (t->cfg.kind == TDEV_PFLASH)
			pflash_close(&t->dev);
		else
			vblk_close(&t->dev);
	}
	if (t->mapped)
		sim_mmio_unmap(t->base);
	free(t->storage);
	free(t->cache);
	memset(t, 0, sizeof(*t));
}
