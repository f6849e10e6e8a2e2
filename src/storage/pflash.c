/* SPDX-License-Identifier: MIT */
/*
 * CFI parallel flash driver, Intel/Sharp command set (csvsm/storage_dev.h).
 * References: Intel AP-646 "Common Flash Interface (CFI) and Command Sets"
 * (command codes, status register bits), JEDEC JESD68.01 (CFI query table
 * offsets). Every access goes through plat_mmio_*; reads in read-array
 * mode cost nothing on a machine that maps the flash like ROM, every other
 * access is an exit.
 */
#include "csvsm/error.h"
#include "csvsm/lib/string.h"
#include "csvsm/log.h"
#include "csvsm/mm.h"
#include "csvsm/plat/mmio.h"
#include "csvsm/storage_dev.h"

/* Commands (AP-646 section 4). */
#define CMD_READ_ARRAY   0xffu
#define CMD_READ_STATUS  0x70u
#define CMD_CLEAR_STATUS 0x50u
#define CMD_CFI_QUERY    0x98u
#define CMD_WORD_PROGRAM 0x40u
#define CMD_BLOCK_ERASE  0x20u
#define CMD_BUFFERED     0xe8u
#define CMD_CONFIRM      0xd0u

/* Status register bits. */
#define SR_READY     0x80u
#define SR_ERASE_ERR 0x20u
#define SR_PROG_ERR  0x10u
#define SR_VPP_LOW   0x08u
#define SR_LOCKED    0x02u

/* CFI query table byte offsets (JESD68.01), in bank-width units. */
#define CFI_QRY         0x10u
#define CFI_CMDSET      0x13u
#define CFI_DEV_SIZE    0x27u
#define CFI_WBUF_SIZE   0x2au
#define CFI_NUM_REGIONS 0x2cu
#define CFI_REGION1     0x2du
#define CFI_QUERY_ADDR  0x55u

#define PF_BLOCK_MIN 512u
#define PF_BLOCK_MAX ((uint32_t)1 << 16)
#define PF_POLL_MAX  1000000u /* status reads before a device counts as hung */

struct pflash {
	uint64_t base;
	uint64_t size;
	uint32_t block;
	uint32_t wbuf;      /* buffered-write bytes (0: word program only) */
	unsigned int width; /* bank width in bytes */
	uint8_t *scratch;   /* one block: the merged contents */
};

static uint64_t pf_rd(const struct pflash *pf, uint64_t off)
{
	uint64_t pa = pf->base + off;

	switch (pf->width) {
	case 1:
		return plat_mmio_read8(pa);
	case 2:
		return plat_mmio_read16(pa);
	default:
		return plat_mmio_read32(pa);
	}
}

static void pf_wr(const struct pflash *pf, uint64_t off, uint64_t val)
{
	uint64_t pa = pf->base + off;

	switch (pf->width) {
	case 1:
		plat_mmio_write8(pa, (uint8_t)val);
		break;
	case 2:
		plat_mmio_write16(pa, (uint16_t)val);
		break;
	default:
		plat_mmio_write32(pa, (uint32_t)val);
		break;
	}
}

/* Byte `idx` of the CFI table (query mode must be on). */
static uint8_t pf_cfi(const struct pflash *pf, unsigned int idx)
{
	return (uint8_t)pf_rd(pf, (uint64_t)idx * pf->width);
}

static uint16_t pf_cfi16(const struct pflash *pf, unsigned int idx)
{
	/* Two statements: the device sees the low byte read first on every compiler. */
	uint16_t lo = pf_cfi(pf, idx);

	return (uint16_t)(lo | pf_cfi(pf, idx + 1) << 8);
}

/* Reads [off, off + len) in read-array mode. */
static void pf_read_array(const struct pflash *pf, uint64_t off, uint8_t *buf, size_t len)
{
	size_t i = 0;

	for (; i < len && !IS_ALIGNED(off + i, 8); i++)
		buf[i] = plat_mmio_read8(pf->base + off + i);
	for (; len - i >= 8; i += 8) {
		uint64_t v = plat_mmio_read64(pf->base + off + i);

		for (unsigned int b = 0; b < 8; b++)
			buf[i + b] = (uint8_t)(v >> (8 * b));
	}
	while (i < len) {
		buf[i] = plat_mmio_read8(pf->base + off + i);
		i++;
	}
}

/*
 * Polls the status register at `off` until ready. Returns the status, or
 * -1 when the device never becomes ready.
 */
static int pf_wait(const struct pflash *pf, uint64_t off)
{
	for (unsigned int i = 0; i < PF_POLL_MAX; i++) {
		uint8_t sr = (uint8_t)pf_rd(pf, off);

		if (sr & SR_READY)
			return sr;
	}
	return -1;
}

/* Clears the error bits and returns to read-array mode; returns -CSVSM_EIO. */
static int pf_fail(const struct pflash *pf, const char *what, uint64_t off, int sr)
{
	if (sr < 0)
		log_printf("pflash: %s at 0x%llx: the device never became ready\n", what,
		           (unsigned long long)off);
	else
		log_printf("pflash: %s at 0x%llx failed (status 0x%02x)\n", what,
		           (unsigned long long)off, (unsigned int)sr);
	pf_wr(pf, 0, CMD_CLEAR_STATUS);
	pf_wr(pf, 0, CMD_READ_ARRAY);
	return -CSVSM_EIO;
}

static int pf_erase(const struct pflash *pf, uint64_t blk)
{
	int sr;

	pf_wr(pf, blk, CMD_BLOCK_ERASE);
	pf_wr(pf, blk, CMD_CONFIRM);
	sr = pf_wait(pf, blk);
	if (sr < 0 || (sr & (SR_ERASE_ERR | SR_VPP_LOW | SR_LOCKED)))
		return pf_fail(pf, "block erase", blk, sr);
	return 0;
}

static uint64_t pf_word(const struct pflash *pf, const uint8_t *p)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < pf->width; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* Programs data[0..len) at `off` (word aligned, within one write buffer). */
static int pf_program(const struct pflash *pf, uint64_t off, const uint8_t *data, size_t len)
{
	int sr;

	if (pf->wbuf == 0) {
		for (size_t i = 0; i < len; i += pf->width) {
			pf_wr(pf, off + i, CMD_WORD_PROGRAM);
			pf_wr(pf, off + i, pf_word(pf, data + i));
			sr = pf_wait(pf, off + i);
			if (sr < 0 || (sr & (SR_PROG_ERR | SR_VPP_LOW | SR_LOCKED)))
				return pf_fail(pf, "word program", off + i, sr);
		}
		return 0;
	}
	pf_wr(pf, off, CMD_BUFFERED);
	sr = pf_wait(pf, off);
	if (sr < 0)
		return pf_fail(pf, "buffered write", off, sr);
	pf_wr(pf, off, len / pf->width - 1);
	for (size_t i = 0; i < len; i += pf->width)
		pf_wr(pf, off + i, pf_word(pf, data + i));
	pf_wr(pf, off, CMD_CONFIRM);
	sr = pf_wait(pf, off);
	if (sr < 0 || (sr & (SR_PROG_ERR | SR_VPP_LOW | SR_LOCKED)))
		return pf_fail(pf, "buffered write", off, sr);
	return 0;
}

/*
 * Programs the words of the block at `blk` where want[] differs from
 * have[], one write-buffer window (or word) at a time.
 */
static int pf_program_block(const struct pflash *pf, uint64_t blk, const uint8_t *want,
                            const uint8_t *have)
{
	uint32_t win = pf->wbuf ? pf->wbuf : pf->width;

	for (uint32_t w = 0; w < pf->block; w += win) {
		uint32_t first = win, last = 0;
		int rc;

		for (uint32_t i = 0; i < win; i += pf->width) {
			if (mem_cmp(want + w + i, have + w + i, pf->width) != 0) {
				if (first == win)
					first = i;
				last = i + pf->width;
			}
		}
		if (first == win)
			continue;
		rc = pf_program(pf, blk + w + first, want + w + first, last - first);
		if (rc < 0)
			return rc;
	}
	pf_wr(pf, 0, CMD_READ_ARRAY);
	return 0;
}

/* Writes buf[0..len) at `off`, all inside the block at `blk`. */
static int pf_write_block(struct pflash *pf, uint64_t blk, uint64_t off, const uint8_t *buf,
                          size_t len)
{
	uint8_t *cur = pf->scratch, *want = pf->scratch + pf->block;
	size_t in = (size_t)(off - blk);
	bool erase = false;
	int rc;

	/* The block as it is now (read-array mode: no exits on a ROM-mapped flash). */
	pf_read_array(pf, blk, cur, pf->block);
	if (mem_cmp(cur + in, buf, len) == 0)
		return 0;
	mem_copy(want, cur, pf->block);
	mem_copy(want + in, buf, len);
	/* Programming only clears bits: a bit from 0 to 1 needs an erase. */
	for (size_t i = in; i < in + len; i++)
		erase |= (cur[i] & want[i]) != want[i];
	if (erase) {
		rc = pf_erase(pf, blk);
		if (rc < 0)
			return rc;
		mem_set(cur, 0xff, pf->block);
	}
	rc = pf_program_block(pf, blk, want, cur);
	if (rc < 0)
		return rc;
	/* Read back: a device that reports success without storing is caught here. */
	pf_read_array(pf, blk, cur, pf->block);
	if (mem_cmp(cur, want, pf->block) != 0) {
		log_printf("pflash: block 0x%llx reads back other data than was written\n",
		           (unsigned long long)blk);
		return -CSVSM_EIO;
	}
	return 0;
}

static int pflash_read(struct blkdev *dev, uint64_t offset, void *buf, size_t len)
{
	struct pflash *pf = dev->priv;

	if (offset > pf->size || len > pf->size - offset)
		return -CSVSM_ERANGE;
	pf_read_array(pf, offset, buf, len);
	return 0;
}

static int pflash_write(struct blkdev *dev, uint64_t offset, const void *buf, size_t len)
{
	struct pflash *pf = dev->priv;
	const uint8_t *p = buf;

	if (offset > pf->size || len > pf->size - offset)
		return -CSVSM_ERANGE;
	while (len > 0) {
		uint64_t blk = ALIGN_DOWN(offset, (uint64_t)pf->block);
		size_t n = (size_t)MIN((uint64_t)len, blk + pf->block - offset);
		int rc = pf_write_block(pf, blk, offset, p, n);

		if (rc < 0)
			return rc;
		offset += n;
		p += n;
		len -= n;
	}
	return 0;
}

/* Writes are durable once the status shows them done: nothing to flush. */
static int pflash_flush(struct blkdev *dev)
{
	(void)dev;
	return 0;
}

static const struct blkdev_ops pflash_ops = {
    .read = pflash_read,
    .write = pflash_write,
    .flush = pflash_flush,
};

/* Finds the bank width at which the device answers the CFI query ("QRY"). */
static bool pf_probe_width(struct pflash *pf)
{
	static const unsigned int widths[] = {1, 2, 4};

	for (size_t i = 0; i < ARRAY_SIZE(widths); i++) {
		pf->width = widths[i];
		pf_wr(pf, 0, CMD_READ_ARRAY);
		pf_wr(pf, (uint64_t)CFI_QUERY_ADDR * pf->width, CMD_CFI_QUERY);
		if (pf_cfi(pf, CFI_QRY) == 'Q' && pf_cfi(pf, CFI_QRY + 1) == 'R' &&
		    pf_cfi(pf, CFI_QRY + 2) == 'Y')
			return true;
	}
	pf_wr(pf, 0, CMD_READ_ARRAY);
	return false;
}

/* Reads and checks the geometry (query mode on). Returns 0 or a negative error. */
static int pf_geometry(struct pflash *pf, uint64_t window)
{
	uint16_t cmdset = pf_cfi16(pf, CFI_CMDSET);
	uint8_t size_log = pf_cfi(pf, CFI_DEV_SIZE);
	uint16_t wbuf_log = pf_cfi16(pf, CFI_WBUF_SIZE);
	uint8_t regions = pf_cfi(pf, CFI_NUM_REGIONS);
	uint32_t blocks = (uint32_t)pf_cfi16(pf, CFI_REGION1) + 1;
	uint32_t unit = pf_cfi16(pf, CFI_REGION1 + 2);
	uint64_t block = unit ? (uint64_t)unit * 256 : 128;

	/* 0x0001: Intel/Sharp extended, 0x0003: Intel standard (same commands). */
	if (cmdset != 0x0001 && cmdset != 0x0003) {
		log_printf("pflash: command set 0x%04x is not Intel/Sharp\n", cmdset);
		return -CSVSM_ENOTSUP;
	}
	if (regions != 1) {
		log_printf("pflash: %u erase regions (one supported)\n", regions);
		return -CSVSM_ENOTSUP;
	}
	if ((block & (block - 1)) != 0 || block < PF_BLOCK_MIN || block > PF_BLOCK_MAX) {
		log_printf("pflash: erase block of %llu bytes not supported\n",
		           (unsigned long long)block);
		return -CSVSM_ENOTSUP;
	}
	if (size_log >= 48 || ((uint64_t)1 << size_log) != (uint64_t)blocks * block ||
	    ((uint64_t)1 << size_log) > window) {
		log_printf("pflash: CFI geometry does not add up (2^%u bytes, %u blocks of %llu, "
		           "window %llu)\n",
		           size_log, blocks, (unsigned long long)block, (unsigned long long)window);
		return -CSVSM_ECORRUPT;
	}
	pf->size = (uint64_t)1 << size_log;
	pf->block = (uint32_t)block;
	pf->wbuf = 0;
	if (wbuf_log < 16) {
		uint32_t wbuf = (uint32_t)1 << wbuf_log;
		/* The word count is written in one bank-width word: at most 2^(8w) words. */
		uint64_t count_max = pf->width == 4 ? 0x100000000ull : 1ull << (8 * pf->width);

		wbuf = (uint32_t)MIN((uint64_t)wbuf, count_max * pf->width);
		wbuf = MIN(wbuf, pf->block);
		if (wbuf >= 2 * pf->width)
			pf->wbuf = wbuf;
	}
	return 0;
}

int pflash_open(struct blkdev *dev, uint64_t base, uint64_t window)
{
	struct pflash *pf;
	int rc;

	if (dev == NULL || window == 0)
		return -CSVSM_EINVAL;
	pf = kzalloc(sizeof(*pf));
	if (pf == NULL)
		return -CSVSM_ENOMEM;
	pf->base = base;
	if (!pf_probe_width(pf)) {
		log_printf("pflash: no CFI flash at 0x%llx\n", (unsigned long long)base);
		kfree(pf);
		return -CSVSM_ENOENT;
	}
	rc = pf_geometry(pf, window);
	pf_wr(pf, 0, CMD_READ_ARRAY);
	if (rc < 0) {
		kfree(pf);
		return rc;
	}
	pf->scratch = kmalloc(2 * (size_t)pf->block);
	if (pf->scratch == NULL) {
		kfree(pf);
		return -CSVSM_ENOMEM;
	}
	dev->ops = &pflash_ops;
	dev->size = pf->size;
	dev->write_unit = pf->block;
	dev->name = "pflash";
	dev->priv = pf;
	return 0;
}

void pflash_close(struct blkdev *dev)
{
	struct pflash *pf;

	if (dev == NULL || dev->ops != &pflash_ops)
		return;
	pf = dev->priv;
	kfree(pf->scratch);
	kfree(pf);
	mem_set(dev, 0, sizeof(*dev));
}
