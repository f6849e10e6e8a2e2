/* SPDX-License-Identifier: MIT */
/*
 * virtio-mmio block device model (sim/machine/virtio_blk.h), virtio 1.2:
 * MMIO registers 4.2.2, device status 2.1, split virtqueue 2.7, block
 * requests 5.2.6.
 */
#include "virtio_blk.h"

#include <stdlib.h>
#include <string.h>

#include "csvsm/virtio_mmio.h"

#define VBLK_MAX_CHAIN 64
#define VBLK_MAX_XFER  ((size_t)4 << 20)

int sim_vblk_init(struct sim_vblk *v, const struct sim_vblk_config *cfg)
{
	if (!cfg->storage || cfg->size == 0 || cfg->size % VIRTIO_BLK_SECTOR || !cfg->dma ||
	    (cfg->volatile_cache && !cfg->cache) ||
	    (unsigned int)cfg->hostile >= SIM_VBLK_HOSTILE_COUNT)
		return -1;
	memset(v, 0, sizeof(*v));
	v->cfg = *cfg;
	if (v->cfg.queue_max == 0)
		v->cfg.queue_max = 256;
	if (cfg->hostile == SIM_VBLK_QUEUE_TINY)
		v->cfg.queue_max = 2;
	v->features = 1ull << VIRTIO_F_VERSION_1;
	if (cfg->hostile == SIM_VBLK_NO_VERSION_1)
		v->features = 0;
	if (cfg->flush)
		v->features |= 1ull << VIRTIO_BLK_F_FLUSH;
	if (cfg->read_only)
		v->features |= 1ull << VIRTIO_BLK_F_RO;
	if (cfg->blk_size || cfg->hostile == SIM_VBLK_BAD_BLK_SIZE)
		v->features |= 1ull << VIRTIO_BLK_F_BLK_SIZE;
	/* Offered and never accepted by the driver (it must not take what it does not do). */
	v->features |= 1ull << VIRTIO_BLK_F_SEG_MAX | 1ull << 28 /* INDIRECT_DESC */ |
	               1ull << 29 /* EVENT_IDX */;
	if (cfg->volatile_cache)
		memcpy(cfg->cache, cfg->storage, cfg->size);
	return 0;
}

static uint8_t script_byte(struct sim_vblk *v)
{
	if (v->cfg.hostile != SIM_VBLK_SCRIPTED || v->script_pos >= v->cfg.script_len)
		return 0;
	return v->cfg.script[v->script_pos++];
}

/* Scripted mode: a register value, sometimes with one bit flipped. */
static uint32_t scripted(struct sim_vblk *v, uint32_t honest)
{
	uint8_t b = script_byte(v);

	return b < 0xc0 ? honest : honest ^ (1u << (b & 31));
}

static uint8_t *medium(struct sim_vblk *v)
{
	return v->cfg.volatile_cache ? v->cfg.cache : v->cfg.storage;
}

static uint8_t config_byte(struct sim_vblk *v, uint64_t off)
{
	uint64_t cap = v->cfg.size / VIRTIO_BLK_SECTOR;
	uint32_t bs = v->cfg.hostile == SIM_VBLK_BAD_BLK_SIZE ? 3 : v->cfg.blk_size;

	if (v->cfg.hostile == SIM_VBLK_CONFIG_HUGE)
		cap = 1ull << 63;
	if (off < 8)
		return (uint8_t)(cap >> (8 * off));
	if (off >= VIRTIO_BLK_CFG_BLK_SIZE && off < VIRTIO_BLK_CFG_BLK_SIZE + 4)
		return (uint8_t)(bs >> (8 * (off - VIRTIO_BLK_CFG_BLK_SIZE)));
	return 0;
}

uint64_t sim_vblk_read(void *ctx, uint64_t off, unsigned int width)
{
	struct sim_vblk *v = ctx;

	if (off >= VIRTIO_MMIO_CONFIG) {
		uint64_t val = 0;

		for (unsigned int i = 0; i < width; i++)
			val |= (uint64_t)config_byte(v, off - VIRTIO_MMIO_CONFIG + i) << (8 * i);
		return scripted(v, (uint32_t)val) | (val & ~0xffffffffull);
	}
	if (width != 4)
		return 0;
	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return 2;
	case VIRTIO_MMIO_DEVICE_ID:
		return VIRTIO_ID_BLOCK;
	case VIRTIO_MMIO_VENDOR_ID:
		return 0x4d495343; /* "CSIM" */
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return scripted(
		    v, v->dev_feat_sel < 2 ? (uint32_t)(v->features >> (32 * v->dev_feat_sel)) : 0);
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return scripted(v, v->cfg.queue_max);
	case VIRTIO_MMIO_QUEUE_READY:
		return v->queue_ready;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return v->int_status;
	case VIRTIO_MMIO_STATUS:
		return scripted(v, v->status);
	case VIRTIO_MMIO_CONFIG_GENERATION:
		if (v->cfg.hostile == SIM_VBLK_CONFIG_UNSTABLE)
			return v->config_gen++;
		return scripted(v, v->config_gen);
	default:
		return 0;
	}
}

static void vblk_reset(struct sim_vblk *v)
{
	v->status = 0;
	v->driver_features = 0;
	v->dev_feat_sel = v->drv_feat_sel = 0;
	v->queue_num = 0;
	v->queue_ready = false;
	v->desc = v->avail = v->used = 0;
	v->last_avail = v->used_idx = 0;
	v->int_status = 0;
}

static void set_status(struct sim_vblk *v, uint32_t val)
{
	if (val == 0) {
		vblk_reset(v);
		return;
	}
	if ((val & VIRTIO_STATUS_FEATURES_OK) && !(v->status & VIRTIO_STATUS_FEATURES_OK)) {
		bool ok = (v->driver_features & ~v->features) == 0 &&
		          (v->driver_features & 1ull << VIRTIO_F_VERSION_1) &&
		          v->cfg.hostile != SIM_VBLK_REFUSE_FEATURES;

		if (!ok)
			val &= ~VIRTIO_STATUS_FEATURES_OK;
	}
	v->status = val;
}

struct seg {
	uint8_t *p;
	uint32_t len;
};

/* Copies `len` bytes of the chain's writable segments from `src`, starting at byte `at`. */
static void scatter(struct seg *w, unsigned int nw, size_t at, const uint8_t *src, size_t len)
{
	for (unsigned int i = 0; i < nw && len > 0; i++) {
		if (at >= w[i].len) {
			at -= w[i].len;
			continue;
		}
		size_t n = w[i].len - at < len ? w[i].len - at : len;

		memcpy(w[i].p + at, src, n);
		src += n;
		len -= n;
		at = 0;
	}
}

/* Executes one request; returns the status byte and sets *written (device-written bytes). */
static uint8_t do_request(struct sim_vblk *v, const uint8_t *rd, size_t rlen, struct seg *w,
                          unsigned int nw, size_t wlen, uint32_t *written)
{
	struct virtio_blk_req_hdr hdr;
	uint64_t off;
	size_t dlen;

	*written = 0;
	if (rlen < sizeof(hdr) || wlen < 1)
		return VIRTIO_BLK_S_IOERR;
	memcpy(&hdr, rd, sizeof(hdr));
	v->requests++;
	switch (hdr.type) {
	case VIRTIO_BLK_T_IN:
		dlen = wlen - 1;
		if (dlen % VIRTIO_BLK_SECTOR || hdr.sector > v->cfg.size / VIRTIO_BLK_SECTOR ||
		    dlen > v->cfg.size - hdr.sector * VIRTIO_BLK_SECTOR)
			return VIRTIO_BLK_S_IOERR;
		off = hdr.sector * VIRTIO_BLK_SECTOR;
		scatter(w, nw, 0, medium(v) + off, dlen);
		*written = (uint32_t)dlen;
		v->reads++;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_OUT:
		dlen = rlen - sizeof(hdr);
		if (v->cfg.read_only || dlen % VIRTIO_BLK_SECTOR ||
		    hdr.sector > v->cfg.size / VIRTIO_BLK_SECTOR ||
		    dlen > v->cfg.size - hdr.sector * VIRTIO_BLK_SECTOR)
			return VIRTIO_BLK_S_IOERR;
		off = hdr.sector * VIRTIO_BLK_SECTOR;
		v->writes++;
		if (v->cfg.hostile == SIM_VBLK_LIE_DROP_WRITES)
			return VIRTIO_BLK_S_OK;
		if (v->cfg.on_change)
			v->cfg.on_change(v->cfg.change_ctx, off, rd + sizeof(hdr), dlen);
		memcpy(medium(v) + off, rd + sizeof(hdr), dlen);
		v->dirty |= v->cfg.volatile_cache;
		v->bytes_written += dlen;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_FLUSH:
		if (!(v->features & 1ull << VIRTIO_BLK_F_FLUSH))
			return VIRTIO_BLK_S_UNSUPP;
		v->flushes++;
		if (v->cfg.hostile == SIM_VBLK_LOST_FLUSH)
			return VIRTIO_BLK_S_OK;
		if (v->cfg.on_change)
			v->cfg.on_change(v->cfg.change_ctx, 0, NULL, 0);
		if (v->cfg.volatile_cache && v->dirty)
			memcpy(v->cfg.storage, v->cfg.cache, v->cfg.size);
		v->dirty = false;
		return VIRTIO_BLK_S_OK;
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}

/* The status byte a hostile device reports instead of the true one. */
static uint8_t lie_status(struct sim_vblk *v, uint8_t st)
{
	uint8_t b;

	switch (v->cfg.hostile) {
	case SIM_VBLK_STATUS_GARBAGE:
		return 0x37;
	case SIM_VBLK_STATUS_IOERR:
		return VIRTIO_BLK_S_IOERR;
	case SIM_VBLK_SCRIPTED:
		b = script_byte(v);
		return b >= 0xf0 ? (uint8_t)(b & 0x0f) : st;
	default:
		return st;
	}
}

/* Processes one chain at `head`; returns false when the ring itself is unusable. */
static bool do_chain(struct sim_vblk *v, uint16_t head, uint32_t *written, uint8_t *status)
{
	struct seg ws[VBLK_MAX_CHAIN];
	uint8_t *rd = NULL;
	size_t rlen = 0, wlen = 0;
	unsigned int nw = 0, n = 0;
	uint16_t i = head;
	uint8_t st;

	*status = VIRTIO_BLK_S_IOERR;
	*written = 0;
	for (;;) {
		struct virtq_desc d;
		void *dp = v->cfg.dma(v->cfg.dma_ctx, v->desc + 16ull * i, 16);
		uint8_t *buf;

		if (!dp || i >= v->queue_num || ++n > VBLK_MAX_CHAIN)
			goto bad;
		memcpy(&d, dp, sizeof(d));
		buf = d.len ? v->cfg.dma(v->cfg.dma_ctx, d.addr, d.len) : NULL;
		if (d.len && !buf)
			goto bad; /* memory the device may not touch */
		if (d.flags & VIRTQ_DESC_F_WRITE) {
			ws[nw++] = (struct seg){buf, d.len};
			wlen += d.len;
		} else {
			uint8_t *nrd;

			if (nw || rlen + d.len > VBLK_MAX_XFER)
				goto bad; /* readable after writable, or too big */
			nrd = realloc(rd, rlen + d.len + 1);
			if (!nrd)
				goto bad;
			rd = nrd;
			memcpy(rd + rlen, buf, d.len);
			rlen += d.len;
		}
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			break;
		i = d.next;
	}
	if (wlen > VBLK_MAX_XFER)
		goto bad;
	st = lie_status(v, do_request(v, rd, rlen, ws, nw, wlen, written));
	/* The status byte is the chain's last writable byte. */
	scatter(ws, nw, wlen - 1, &st, 1);
	*written += 1;
	*status = st;
	free(rd);
	return true;
bad:
	free(rd);
	return false;
}

static void complete(struct sim_vblk *v, uint8_t *used, uint16_t head, uint32_t len, uint8_t st)
{
	uint32_t id = head;
	uint16_t step = 1;
	struct virtq_used_elem e;

	switch (v->cfg.hostile) {
	case SIM_VBLK_USED_BAD_ID:
		id = head + 7;
		break;
	case SIM_VBLK_USED_BAD_LEN:
		len += 4096;
		break;
	case SIM_VBLK_USED_SHORT_READ:
		if (len > 1)
			len = 1;
		break;
	case SIM_VBLK_USED_IDX_JUMP:
		step = 3;
		break;
	case SIM_VBLK_SCRIPTED: {
		uint8_t b0 = script_byte(v), b1 = script_byte(v), b2 = script_byte(v);

		step = (uint16_t)(b0 < 0xf0 ? 1 : b0 & 3);
		if (b1 >= 0xe0)
			id ^= b1;
		if (b2 >= 0xe0)
			len += (uint32_t)(int8_t)b2;
		(void)st;
		break;
	}
	default:
		break;
	}
	e.id = id;
	e.len = len;
	memcpy(used + VIRTQ_USED_RING(v->used_idx % v->queue_num), &e, sizeof(e));
	v->used_idx = (uint16_t)(v->used_idx + step);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(used + VIRTQ_USED_IDX, &v->used_idx, 2);
	v->int_status |= 1;
}

static void notify(struct sim_vblk *v)
{
	uint8_t *avail, *used;
	uint16_t idx;

	v->notifies++;
	if (!(v->status & VIRTIO_STATUS_DRIVER_OK) || !v->queue_ready ||
	    v->cfg.hostile == SIM_VBLK_NO_COMPLETION)
		return;
	avail = v->cfg.dma(v->cfg.dma_ctx, v->avail, VIRTQ_AVAIL_RING(v->queue_num) + 2);
	used = v->cfg.dma(v->cfg.dma_ctx, v->used, VIRTQ_USED_RING(v->queue_num) + 2);
	if (!avail || !used) {
		v->status |= VIRTIO_STATUS_NEEDS_RESET;
		return;
	}
	memcpy(&idx, avail + VIRTQ_AVAIL_IDX, 2);
	if ((uint16_t)(idx - v->last_avail) > v->queue_num) {
		v->status |= VIRTIO_STATUS_NEEDS_RESET;
		return;
	}
	while (v->last_avail != idx) {
		uint16_t head;
		uint32_t written;
		uint8_t st;

		memcpy(&head, avail + VIRTQ_AVAIL_RING(v->last_avail % v->queue_num), 2);
		v->last_avail++;
		if (head >= v->queue_num || !do_chain(v, head, &written, &st)) {
			v->status |= VIRTIO_STATUS_NEEDS_RESET;
			return;
		}
		complete(v, used, head, written, st);
	}
}

void sim_vblk_write(void *ctx, uint64_t off, unsigned int width, uint64_t val)
{
	struct sim_vblk *v = ctx;
	uint32_t x = (uint32_t)val;

	if (width != 4 || off >= VIRTIO_MMIO_CONFIG)
		return;
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEAT_SEL:
		v->dev_feat_sel = x;
		break;
	case VIRTIO_MMIO_DRIVER_FEAT_SEL:
		v->drv_feat_sel = x;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (v->drv_feat_sel < 2) {
			unsigned int sh = 32 * v->drv_feat_sel;

			v->driver_features &= ~(0xffffffffull << sh);
			v->driver_features |= (uint64_t)x << sh;
		}
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		break; /* one queue: 0 */
	case VIRTIO_MMIO_QUEUE_NUM:
		if (x && x <= v->cfg.queue_max && !(x & (x - 1)))
			v->queue_num = x;
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		v->queue_ready = x == 1 && v->queue_num;
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		if (x == 0)
			notify(v);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		v->int_status &= ~x;
		break;
	case VIRTIO_MMIO_STATUS:
		set_status(v, x);
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
		v->desc = (v->desc & ~0xffffffffull) | x;
		break;
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		v->desc = (v->desc & 0xffffffffull) | (uint64_t)x << 32;
		break;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
		v->avail = (v->avail & ~0xffffffffull) | x;
		break;
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
		v->avail = (v->avail & 0xffffffffull) | (uint64_t)x << 32;
		break;
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
		v->used = (v->used & ~0xffffffffull) | x;
		break;
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		v->used = (v->used & 0xffffffffull) | (uint64_t)x << 32;
		break;
	default:
		break;
	}
}

void sim_vblk_power_loss(struct sim_vblk *v)
{
	if (v->cfg.volatile_cache)
		memcpy(v->cfg.cache, v->cfg.storage, v->cfg.size);
	v->dirty = false;
}
