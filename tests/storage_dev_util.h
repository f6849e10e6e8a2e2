/* SPDX-License-Identifier: MIT */
/*
 * Test support: a device model (sim/machine/) on the shim's MMIO bus over
 * a medium in host memory, and the core's driver opened on it. Shared by
 * the driver tests, the crash tests, the fuzz target and the benchmark.
 */
#ifndef CSVSM_TESTS_STORAGE_DEV_UTIL_H
#define CSVSM_TESTS_STORAGE_DEV_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "csvsm/blkdev.h"
#include "machine/pflash.h"
#include "machine/virtio_blk.h"

enum tdev_kind { TDEV_PFLASH, TDEV_VIRTIO };

/* A change to the medium: a write (data), an erase (data NULL, len > 0) or a flush (len 0). */
typedef void (*tdev_change_fn)(void *ctx, uint64_t off, const uint8_t *data, size_t len);

struct tdev_cfg {
	enum tdev_kind kind;
	uint64_t size;
	/* pflash */
	unsigned int width; /* bank width, default 1 */
	uint32_t sector;    /* default 4096 */
	uint32_t wbuf;      /* write buffer bytes, default the model's */
	enum sim_pflash_hostile pf_hostile;
	/* virtio */
	bool no_flush;       /* do not offer VIRTIO_BLK_F_FLUSH */
	bool volatile_cache; /* writes reach the medium at a flush */
	uint32_t blk_size;
	enum sim_vblk_hostile vb_hostile;
	/* both */
	uint64_t base; /* bus address; 0: tdev_base(kind) */
	bool read_only;
	const uint8_t *script;
	size_t script_len;
	tdev_change_fn on_change;
	void *change_ctx;
};

struct tdev {
	struct tdev_cfg cfg;
	uint8_t *storage; /* the medium (durable contents) */
	uint8_t *cache;   /* virtio volatile cache */
	struct sim_pflash pf;
	struct sim_vblk vb;
	struct blkdev dev;
	uint64_t base;
	bool mapped, open;
};

/*
 * Builds the model over a fresh medium holding `image` (NULL: erased,
 * 0xFF, for pflash; zeros for virtio) and maps it at its base. Fails the
 * test on a bad configuration.
 */
void tdev_map(struct tdev *t, const struct tdev_cfg *cfg, const uint8_t *image);

/* Opens the core's driver on the mapped model: its return value. */
int tdev_open(struct tdev *t);

/* Closes the driver (if open), unmaps and frees the model. */
void tdev_free(struct tdev *t);

/* The bus address of each kind. */
uint64_t tdev_base(enum tdev_kind kind);

#endif
