/* SPDX-License-Identifier: MIT */
/*
 * virtio-mmio block driver (csvsm/storage_dev.h), virtio 1.2: device
 * initialisation 3.1.1, MMIO transport 4.2.3, split virtqueue 2.7, block
 * device 5.2. One request in flight at a time, completion polled.
 *
 * What the device may touch: one plat_dma_alloc region (shared memory on
 * SNP) holding the descriptor table, the two rings, the request header,
 * the status byte and the bounce buffer. The driver writes descriptors
 * from its own values every time and never reads them back; it reads the
 * used index, the used entry and the status byte once each, into locals,
 * and checks them before it uses any data. Virtio structures are
 * little-endian, as is every platform of the core (x86_64).
 */
#include "csvsm/error.h"
#include "csvsm/lib/string.h"
#include "csvsm/log.h"
#include "csvsm/mm.h"
#include "csvsm/plat/cpu.h"
#include "csvsm/plat/dma.h"
#include "csvsm/plat/mmio.h"
#include "csvsm/plat/time.h"
#include "csvsm/storage_dev.h"
#include "csvsm/virtio_mmio.h"

#define VBLK_QSZ        4u
#define VBLK_RING_BYTES 4096u
#define VBLK_BOUNCE     ((size_t)64 << 10)
#define VBLK_DMA_BYTES  (VBLK_RING_BYTES + VBLK_BOUNCE)
/* Layout of the ring page. */
#define VBLK_OFF_DESC   0x000u
#define VBLK_OFF_AVAIL  0x040u
#define VBLK_OFF_USED   0x080u
#define VBLK_OFF_HDR    0x100u
#define VBLK_OFF_STATUS 0x180u
/*
 * Polling bound: 10 s of platform time; on a platform whose clock does not
 * move while the driver spins (the simulator's virtual clock), 2^20 polls.
 */
#define VBLK_POLL_FROZEN ((uint32_t)1 << 20)
#define VBLK_POLL_NS     ((uint64_t)10 * 1000 * 1000 * 1000)
/* Largest capacity accepted: 2^40 sectors (512 TiB). */
#define VBLK_CAPACITY_MAX ((uint64_t)1 << 40)

_Static_assert(VBLK_OFF_AVAIL >= VBLK_OFF_DESC + 16 * VBLK_QSZ, "ring layout");
_Static_assert(VBLK_OFF_USED >= VBLK_OFF_AVAIL + VIRTQ_AVAIL_RING(VBLK_QSZ) + 2, "ring layout");
_Static_assert(VBLK_OFF_HDR >= VBLK_OFF_USED + VIRTQ_USED_RING(VBLK_QSZ) + 2, "ring layout");

struct vblk {
	uint64_t base;
	uint8_t *dma; /* VBLK_DMA_BYTES: ring page, then the bounce buffer */
	uint64_t dma_pa;
	uint16_t avail_idx; /* next avail index the driver publishes */
	uint16_t used_idx;  /* used index the driver has consumed up to */
	bool flush;         /* VIRTIO_BLK_F_FLUSH negotiated */
	bool read_only;     /* VIRTIO_BLK_F_RO negotiated */
	bool failed;        /* protocol violation seen: the device is not used again */
};

static uint32_t vb_rd(const struct vblk *vb, uint32_t reg)
{
	return plat_mmio_read32(vb->base + reg);
}

static void vb_wr(const struct vblk *vb, uint32_t reg, uint32_t val)
{
	plat_mmio_write32(vb->base + reg, val);
}

static void vb_barrier(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static volatile uint8_t *vb_ring(const struct vblk *vb, uint32_t off)
{
	return (volatile uint8_t *)(vb->dma + off);
}

static void vb_put16(const struct vblk *vb, uint32_t off, uint16_t v)
{
	*(volatile uint16_t *)vb_ring(vb, off) = v;
}

static void vb_put32(const struct vblk *vb, uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)vb_ring(vb, off) = v;
}

static void vb_put64(const struct vblk *vb, uint32_t off, uint64_t v)
{
	*(volatile uint64_t *)vb_ring(vb, off) = v;
}

static uint16_t vb_get16(const struct vblk *vb, uint32_t off)
{
	return *(volatile const uint16_t *)vb_ring(vb, off);
}

static uint32_t vb_get32(const struct vblk *vb, uint32_t off)
{
	return *(volatile const uint32_t *)vb_ring(vb, off);
}

static void vb_desc(const struct vblk *vb, unsigned int i, uint64_t addr, uint32_t len,
                    uint16_t flags, uint16_t next)
{
	uint32_t d = VBLK_OFF_DESC + 16 * i;

	vb_put64(vb, d, addr);
	vb_put32(vb, d + 8, len);
	vb_put16(vb, d + 12, flags);
	vb_put16(vb, d + 14, next);
}

/* Marks the device failed after a protocol violation; returns -CSVSM_EIO. */
static int vb_broken(struct vblk *vb, const char *why, uint64_t a, uint64_t b)
{
	log_printf("virtio-blk: %s (%llu, %llu): device marked failed\n", why,
	           (unsigned long long)a, (unsigned long long)b);
	vb->failed = true;
	vb_wr(vb, VIRTIO_MMIO_STATUS, vb_rd(vb, VIRTIO_MMIO_STATUS) | VIRTIO_STATUS_FAILED);
	return -CSVSM_EIO;
}

/*
 * Sends one request: `type`, at `sector`, with `len` bytes of the bounce
 * buffer (device-writable for reads). Returns 0 when the device answered
 * OK, else -CSVSM_EIO.
 */
static int vb_request(struct vblk *vb, uint32_t type, uint64_t sector, uint32_t len)
{
	uint64_t pa_hdr = vb->dma_pa + VBLK_OFF_HDR, pa_st = vb->dma_pa + VBLK_OFF_STATUS;
	uint32_t writable = (type == VIRTIO_BLK_T_IN ? len : 0) + 1;
	uint16_t used, n;
	uint32_t id, used_len, polls = 0;
	uint64_t t0;
	uint8_t st;

	if (vb->failed)
		return -CSVSM_EIO;
	vb_put32(vb, VBLK_OFF_HDR, type);
	vb_put32(vb, VBLK_OFF_HDR + 4, 0);
	vb_put64(vb, VBLK_OFF_HDR + 8, sector);
	*vb_ring(vb, VBLK_OFF_STATUS) = 0xff; /* a device that never writes it is caught */
	if (len > 0) {
		vb_desc(vb, 0, pa_hdr, 16, VIRTQ_DESC_F_NEXT, 1);
		vb_desc(vb, 1, vb->dma_pa + VBLK_RING_BYTES, len,
		        (uint16_t)(VIRTQ_DESC_F_NEXT |
		                   (type == VIRTIO_BLK_T_IN ? VIRTQ_DESC_F_WRITE : 0)),
		        2);
		vb_desc(vb, 2, pa_st, 1, VIRTQ_DESC_F_WRITE, 0);
	} else {
		vb_desc(vb, 0, pa_hdr, 16, VIRTQ_DESC_F_NEXT, 1);
		vb_desc(vb, 1, pa_st, 1, VIRTQ_DESC_F_WRITE, 0);
	}
	vb_put16(vb, VBLK_OFF_AVAIL + VIRTQ_AVAIL_RING(vb->avail_idx % VBLK_QSZ), 0);
	vb_barrier();
	vb->avail_idx++;
	vb_put16(vb, VBLK_OFF_AVAIL + VIRTQ_AVAIL_IDX, vb->avail_idx);
	vb_barrier();
	vb_wr(vb, VIRTIO_MMIO_QUEUE_NOTIFY, 0);

	t0 = plat_time_ns();
	for (;;) {
		used = vb_get16(vb, VBLK_OFF_USED + VIRTQ_USED_IDX);
		if (used != vb->used_idx)
			break;
		polls++;
		if (plat_time_ns() - t0 >= VBLK_POLL_NS ||
		    (polls >= VBLK_POLL_FROZEN && plat_time_ns() == t0))
			return vb_broken(vb, "no answer to a request", type, sector);
		plat_cpu_relax();
	}
	vb_barrier();
	n = (uint16_t)(used - vb->used_idx);
	if (n != 1)
		return vb_broken(vb, "used ring moved by more than the one request posted", n, 1);
	id = vb_get32(vb, VBLK_OFF_USED + VIRTQ_USED_RING(vb->used_idx % VBLK_QSZ));
	used_len = vb_get32(vb, VBLK_OFF_USED + VIRTQ_USED_RING(vb->used_idx % VBLK_QSZ) + 4);
	vb->used_idx = used;
	if (id != 0)
		return vb_broken(vb, "used ring names a chain never posted", id, 0);
	if (used_len > writable)
		return vb_broken(vb, "used length beyond the writable buffers", used_len, writable);
	st = *vb_ring(vb, VBLK_OFF_STATUS);
	if (st == VIRTIO_BLK_S_OK) {
		if (type == VIRTIO_BLK_T_IN && used_len != writable)
			return vb_broken(vb, "read completed short", used_len, writable);
		return 0;
	}
	if (st == VIRTIO_BLK_S_IOERR || st == VIRTIO_BLK_S_UNSUPP) {
		log_printf("virtio-blk: request %u at sector %llu: %s\n", type,
		           (unsigned long long)sector,
		           st == VIRTIO_BLK_S_IOERR ? "I/O error" : "unsupported");
		return -CSVSM_EIO;
	}
	return vb_broken(vb, "invalid status byte", st, sector);
}

static uint8_t *vb_bounce(const struct vblk *vb)
{
	return vb->dma + VBLK_RING_BYTES;
}

static int vblk_read(struct blkdev *dev, uint64_t offset, void *buf, size_t len)
{
	struct vblk *vb = dev->priv;
	uint8_t *out = buf;

	if (offset > dev->size || len > dev->size - offset)
		return -CSVSM_ERANGE;
	while (len > 0) {
		uint64_t s0 = ALIGN_DOWN(offset, (uint64_t)VIRTIO_BLK_SECTOR);
		size_t skip = (size_t)(offset - s0);
		size_t n = MIN(len, VBLK_BOUNCE - skip);
		uint32_t span = (uint32_t)ALIGN_UP(skip + n, (size_t)VIRTIO_BLK_SECTOR);
		int rc = vb_request(vb, VIRTIO_BLK_T_IN, s0 / VIRTIO_BLK_SECTOR, span);

		if (rc < 0)
			return rc;
		mem_copy(out, vb_bounce(vb) + skip, n);
		out += n;
		offset += n;
		len -= n;
	}
	return 0;
}

static int vblk_write(struct blkdev *dev, uint64_t offset, const void *buf, size_t len)
{
	struct vblk *vb = dev->priv;
	const uint8_t *in = buf;

	if (offset > dev->size || len > dev->size - offset)
		return -CSVSM_ERANGE;
	if (vb->read_only) {
		log_printf("virtio-blk: the device is read-only\n");
		return -CSVSM_EIO;
	}
	while (len > 0) {
		uint64_t s0 = ALIGN_DOWN(offset, (uint64_t)VIRTIO_BLK_SECTOR);
		size_t skip = (size_t)(offset - s0);
		size_t n = MIN(len, VBLK_BOUNCE - skip);
		uint32_t span = (uint32_t)ALIGN_UP(skip + n, (size_t)VIRTIO_BLK_SECTOR);
		int rc;

		/* Partial sectors: read them first (one request for the span). */
		if (skip != 0 || span != n) {
			rc = vb_request(vb, VIRTIO_BLK_T_IN, s0 / VIRTIO_BLK_SECTOR, span);
			if (rc < 0)
				return rc;
		}
		mem_copy(vb_bounce(vb) + skip, in, n);
		rc = vb_request(vb, VIRTIO_BLK_T_OUT, s0 / VIRTIO_BLK_SECTOR, span);
		if (rc < 0)
			return rc;
		in += n;
		offset += n;
		len -= n;
	}
	return 0;
}

static int vblk_flush(struct blkdev *dev)
{
	struct vblk *vb = dev->priv;

	if (vb->failed)
		return -CSVSM_EIO;
	if (!vb->flush)
		return 0;
	return vb_request(vb, VIRTIO_BLK_T_FLUSH, 0, 0);
}

static const struct blkdev_ops vblk_ops = {
    .read = vblk_read,
    .write = vblk_write,
    .flush = vblk_flush,
};

/* Reads the 64-bit device features (two 32-bit halves). */
static uint64_t vb_device_features(const struct vblk *vb)
{
	uint64_t f;

	vb_wr(vb, VIRTIO_MMIO_DEVICE_FEAT_SEL, 0);
	f = vb_rd(vb, VIRTIO_MMIO_DEVICE_FEATURES);
	vb_wr(vb, VIRTIO_MMIO_DEVICE_FEAT_SEL, 1);
	return f | (uint64_t)vb_rd(vb, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
}

/*
 * Reads the capacity (sectors) and, when `want_bs`, the block size, as one
 * consistent snapshot (config generation unchanged around it, 4.2.2.2).
 */
static int vb_read_config(const struct vblk *vb, bool want_bs, uint64_t *cap, uint32_t *bs)
{
	for (unsigned int tries = 0; tries < 8; tries++) {
		uint32_t gen = vb_rd(vb, VIRTIO_MMIO_CONFIG_GENERATION);
		uint32_t lo = vb_rd(vb, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_CAPACITY);
		uint32_t hi = vb_rd(vb, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_CAPACITY + 4);

		*bs = want_bs ? vb_rd(vb, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_BLK_SIZE) : 0;
		if (vb_rd(vb, VIRTIO_MMIO_CONFIG_GENERATION) == gen) {
			*cap = (uint64_t)hi << 32 | lo;
			return 0;
		}
	}
	log_printf("virtio-blk: configuration never stable\n");
	return -CSVSM_ECORRUPT;
}

/* Resets the device and waits (bounded) until it reads back 0 (4.2.3.1). */
static void vb_reset(const struct vblk *vb)
{
	vb_wr(vb, VIRTIO_MMIO_STATUS, 0);
	for (unsigned int i = 0; i < 1000 && vb_rd(vb, VIRTIO_MMIO_STATUS) != 0; i++)
		plat_cpu_relax();
}

static int vb_fail_open(struct vblk *vb, int rc)
{
	vb_wr(vb, VIRTIO_MMIO_STATUS, vb_rd(vb, VIRTIO_MMIO_STATUS) | VIRTIO_STATUS_FAILED);
	return rc;
}

/* Device initialisation (3.1.1) up to DRIVER_OK; fills dev. */
static int vb_init(struct vblk *vb, struct blkdev *dev)
{
	const uint64_t accept = 1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_F_ACCESS_PLATFORM |
	                        1ull << VIRTIO_BLK_F_FLUSH | 1ull << VIRTIO_BLK_F_BLK_SIZE |
	                        1ull << VIRTIO_BLK_F_RO;
	uint64_t offered, features, cap;
	uint32_t qmax, bs, wu = VIRTIO_BLK_SECTOR, ver;
	int rc;

	if (vb_rd(vb, VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MMIO_MAGIC)
		return -CSVSM_ENOENT;
	ver = vb_rd(vb, VIRTIO_MMIO_VERSION);
	if (ver != 2) {
		log_printf("virtio-blk: transport version %u (only 2, virtio 1.x)\n", ver);
		return -CSVSM_ENOTSUP;
	}
	if (vb_rd(vb, VIRTIO_MMIO_DEVICE_ID) != VIRTIO_ID_BLOCK)
		return -CSVSM_ENOENT;
	vb_reset(vb);
	vb_wr(vb, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	vb_wr(vb, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	offered = vb_device_features(vb);
	if (!(offered & 1ull << VIRTIO_F_VERSION_1)) {
		log_printf("virtio-blk: the device does not offer VIRTIO_F_VERSION_1\n");
		return vb_fail_open(vb, -CSVSM_ENOTSUP);
	}
	features = offered & accept;
	vb_wr(vb, VIRTIO_MMIO_DRIVER_FEAT_SEL, 0);
	vb_wr(vb, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	vb_wr(vb, VIRTIO_MMIO_DRIVER_FEAT_SEL, 1);
	vb_wr(vb, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	vb_wr(vb, VIRTIO_MMIO_STATUS,
	      VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	if (!(vb_rd(vb, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK)) {
		log_printf("virtio-blk: the device refused features 0x%llx\n",
		           (unsigned long long)features);
		return vb_fail_open(vb, -CSVSM_ENOTSUP);
	}
	vb->flush = features & 1ull << VIRTIO_BLK_F_FLUSH;
	vb->read_only = features & 1ull << VIRTIO_BLK_F_RO;

	rc = vb_read_config(vb, features & 1ull << VIRTIO_BLK_F_BLK_SIZE, &cap, &bs);
	if (rc < 0)
		return vb_fail_open(vb, rc);
	if (cap == 0 || cap > VBLK_CAPACITY_MAX) {
		log_printf("virtio-blk: capacity of %llu sectors out of range\n",
		           (unsigned long long)cap);
		return vb_fail_open(vb, -CSVSM_ECORRUPT);
	}
	if (features & 1ull << VIRTIO_BLK_F_BLK_SIZE) {
		if (bs < VIRTIO_BLK_SECTOR || bs > (1u << 16) || (bs & (bs - 1)) != 0) {
			log_printf("virtio-blk: block size %u out of range\n", bs);
			return vb_fail_open(vb, -CSVSM_ECORRUPT);
		}
		wu = bs;
	}

	/* Queue 0 (4.2.3.2). */
	vb_wr(vb, VIRTIO_MMIO_QUEUE_SEL, 0);
	if (vb_rd(vb, VIRTIO_MMIO_QUEUE_READY) != 0) {
		log_printf("virtio-blk: queue 0 already in use after reset\n");
		return vb_fail_open(vb, -CSVSM_ENOTSUP);
	}
	qmax = vb_rd(vb, VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (qmax < VBLK_QSZ || qmax > 32768) {
		log_printf("virtio-blk: queue size maximum %u unusable\n", qmax);
		return vb_fail_open(vb, -CSVSM_ENOTSUP);
	}
	vb_wr(vb, VIRTIO_MMIO_QUEUE_NUM, VBLK_QSZ);
	vb_put16(vb, VBLK_OFF_AVAIL, VIRTQ_AVAIL_F_NO_INTERRUPT);
	vb_wr(vb, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)(vb->dma_pa + VBLK_OFF_DESC));
	vb_wr(vb, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)((vb->dma_pa + VBLK_OFF_DESC) >> 32));
	vb_wr(vb, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)(vb->dma_pa + VBLK_OFF_AVAIL));
	vb_wr(vb, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)((vb->dma_pa + VBLK_OFF_AVAIL) >> 32));
	vb_wr(vb, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)(vb->dma_pa + VBLK_OFF_USED));
	vb_wr(vb, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)((vb->dma_pa + VBLK_OFF_USED) >> 32));
	vb_wr(vb, VIRTIO_MMIO_QUEUE_READY, 1);
	vb_wr(vb, VIRTIO_MMIO_STATUS,
	      VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
	          VIRTIO_STATUS_DRIVER_OK);

	dev->ops = &vblk_ops;
	dev->size = cap * VIRTIO_BLK_SECTOR;
	dev->write_unit = wu;
	dev->name = "virtio-blk";
	dev->priv = vb;
	return 0;
}

int vblk_open(struct blkdev *dev, uint64_t base)
{
	struct vblk *vb;
	int rc;

	if (dev == NULL)
		return -CSVSM_EINVAL;
	vb = kzalloc(sizeof(*vb));
	if (vb == NULL)
		return -CSVSM_ENOMEM;
	vb->base = base;
	vb->dma = plat_dma_alloc(VBLK_DMA_BYTES, &vb->dma_pa);
	if (vb->dma == NULL) {
		kfree(vb);
		return -CSVSM_ENOMEM;
	}
	rc = vb_init(vb, dev);
	if (rc < 0) {
		/* -CSVSM_ENOENT is not logged: callers probe windows that may be empty. */
		plat_dma_free(vb->dma, VBLK_DMA_BYTES);
		kfree(vb);
		return rc;
	}
	return 0;
}

void vblk_close(struct blkdev *dev)
{
	struct vblk *vb;

	if (dev == NULL || dev->ops != &vblk_ops)
		return;
	vb = dev->priv;
	/* After the reset the device no longer touches the rings (4.2.3.1). */
	vb_reset(vb);
	plat_dma_free(vb->dma, VBLK_DMA_BYTES);
	kfree(vb);
	mem_set(dev, 0, sizeof(*dev));
}
