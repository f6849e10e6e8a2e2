/* SPDX-License-Identifier: MIT */
/*
 * Model of a virtio block device on the virtio-mmio transport, version 2
 * (virtio 1.2 sections 4.2 and 5.2), one implementation for every host
 * (the shim's MMIO bus, the KVM runner's MMIO exits).
 *
 * The device reaches guest memory only through the host's `dma` callback,
 * which returns NULL for anything the guest did not make device-visible;
 * a request touching such memory fails with VIRTIO_BLK_S_IOERR. Requests
 * are processed synchronously when the driver writes QueueNotify.
 *
 * The medium is a caller-owned buffer. With `volatile_cache`, writes land
 * in a cache (what reads see) and reach the medium only at a flush, and
 * sim_vblk_power_loss drops what was not flushed; without it, writes go to
 * the medium at once. Every write and flush is reported to an optional
 * hook first, so a crash test can replay any prefix.
 *
 * Hostile modes make the device lie, for tests and fuzzing. Pure C over
 * host memory: no process or KVM code.
 */
#ifndef CSVSM_SIM_MACHINE_VIRTIO_BLK_H
#define CSVSM_SIM_MACHINE_VIRTIO_BLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sim_vblk_hostile {
	SIM_VBLK_HONEST = 0,
	SIM_VBLK_USED_BAD_ID,     /* used entries name a chain that was never posted */
	SIM_VBLK_USED_BAD_LEN,    /* used lengths beyond the posted buffers */
	SIM_VBLK_USED_SHORT_READ, /* reads complete with a short length */
	SIM_VBLK_USED_IDX_JUMP,   /* the used index moves by 3 per request */
	SIM_VBLK_NO_COMPLETION,   /* requests are never completed */
	SIM_VBLK_STATUS_GARBAGE,  /* status byte 0x37 */
	SIM_VBLK_STATUS_IOERR,    /* every request fails with IOERR */
	SIM_VBLK_LIE_DROP_WRITES, /* writes report OK and change nothing */
	SIM_VBLK_LOST_FLUSH,      /* flushes report OK and make nothing durable */
	SIM_VBLK_NO_VERSION_1,    /* offers no VIRTIO_F_VERSION_1 */
	SIM_VBLK_REFUSE_FEATURES, /* never accepts FEATURES_OK */
	SIM_VBLK_CONFIG_HUGE,     /* capacity 2^63 sectors */
	SIM_VBLK_CONFIG_UNSTABLE, /* the config generation changes on every read */
	SIM_VBLK_BAD_BLK_SIZE,    /* offers BLK_SIZE with a block size of 3 */
	SIM_VBLK_QUEUE_TINY,      /* QueueNumMax 2 */
	SIM_VBLK_SCRIPTED,        /* used ring, status and config from `script` (fuzzing) */
	SIM_VBLK_HOSTILE_COUNT
};

/* One change reported before it is made: a write (data != NULL) or a flush (data NULL). */
typedef void (*sim_vblk_change_fn)(void *ctx, uint64_t off, const uint8_t *data, size_t len);
/* Host address of guest memory [pa, pa + len) the device may touch, or NULL. */
typedef void *(*sim_vblk_dma_fn)(void *ctx, uint64_t pa, uint64_t len);

struct sim_vblk_config {
	uint8_t *storage;    /* the medium, `size` bytes */
	uint64_t size;       /* multiple of 512 */
	uint32_t blk_size;   /* offered as VIRTIO_BLK_F_BLK_SIZE when non-zero */
	bool flush;          /* offer VIRTIO_BLK_F_FLUSH */
	bool read_only;      /* offer VIRTIO_BLK_F_RO */
	bool volatile_cache; /* see above (needs `cache`, `size` bytes) */
	uint8_t *cache;
	uint16_t queue_max; /* QueueNumMax; 0 means 256 */
	enum sim_vblk_hostile hostile;
	const uint8_t *script; /* SIM_VBLK_SCRIPTED */
	size_t script_len;
	sim_vblk_dma_fn dma;
	void *dma_ctx;
	sim_vblk_change_fn on_change;
	void *change_ctx;
};

struct sim_vblk {
	struct sim_vblk_config cfg;
	uint64_t features; /* offered */
	uint64_t driver_features;
	uint32_t dev_feat_sel, drv_feat_sel;
	uint32_t status;
	uint32_t queue_num;
	bool queue_ready;
	uint64_t desc, avail, used;
	uint16_t last_avail;
	uint16_t used_idx;
	uint32_t config_gen;
	uint32_t int_status;
	size_t script_pos;
	bool dirty; /* volatile cache holds unflushed writes */
	uint64_t requests, reads, writes, flushes, bytes_written, notifies;
};

/* Starts the model (reset state). Returns 0, or -1 for a bad configuration. */
int sim_vblk_init(struct sim_vblk *v, const struct sim_vblk_config *cfg);

/* Register access at `off` in the 0x200-byte window, for a bus. */
uint64_t sim_vblk_read(void *v, uint64_t off, unsigned int width);
void sim_vblk_write(void *v, uint64_t off, unsigned int width, uint64_t val);

/* Volatile cache: a power loss (unflushed writes are lost; the cache shows the medium). */
void sim_vblk_power_loss(struct sim_vblk *v);

#endif /* CSVSM_SIM_MACHINE_VIRTIO_BLK_H */
