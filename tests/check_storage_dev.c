/* SPDX-License-Identifier: MIT */
/*
 * The storage drivers (issue 11) against the device models: CFI pflash and
 * virtio-mmio block. Round trips against an independent reference buffer,
 * erase-before-write, exits per operation as the command sets dictate,
 * every hostile mode of each model, allocation and DMA failures, the NV
 * store's crash test (a crash at every device change, every torn prefix)
 * on top of each driver and model, and the replay of the device-response
 * fuzz corpus.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus_replay.h"
#include "csvsm/error.h"
#include "csvsm/lib/string.h"
#include "csvsm/mm.h"
#include "csvsm/nvstore.h"
#include "csvsm/sim_mmio.h"
#include "csvsm/storage_dev.h"
#include "csvsm/virtio_mmio.h"
#include "fault_sweep.h"
#include "fuzz/fuzz_storage_dev.h"
#include "log_capture.h"
#include "sim_plat.h"
#include "storage_dev_util.h"
#include "test_rng.h"

#define HEAP_BYTES ((size_t)16 << 20)
#define KIB        ((uint64_t)1024)

static void setup(void)
{
	test_heap_init(HEAP_BYTES);
	sim_console_set_sink(log_capture, NULL);
	log_clear();
	log_buf[0] = '\0';
	sim_mmio_reset_stats();
}

static void teardown(void)
{
	sim_console_set_sink(NULL, NULL);
	ck_assert_uint_eq(sim_dma_pages_used(), 0);
}

static void fill_random(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rng_next();
}

static uint64_t exits_now(void)
{
	struct sim_mmio_stats st;

	sim_mmio_get_stats(&st);
	return st.exits;
}

/* ---- pflash ---- */

static const unsigned int widths[] = {1, 2, 4};

START_TEST(test_pf_geometry)
{
	struct tdev_cfg c = {.kind = TDEV_PFLASH, .size = 64 * KIB, .width = widths[_i]};
	struct tdev t;

	tdev_map(&t, &c, NULL);
	ck_assert_int_eq(tdev_open(&t), 0);
	ck_assert_uint_eq(t.dev.size, 64 * KIB);
	ck_assert_uint_eq(t.dev.write_unit, 4096);
	ck_assert(blkdev_valid(&t.dev));
	ck_assert(t.pf.array_mode); /* left in read-array mode */
	tdev_free(&t);
}
END_TEST

/* Random writes (spanning blocks, unaligned) against a reference buffer. */
static void roundtrip(struct tdev *t, unsigned int iters, size_t maxlen)
{
	uint64_t size = t->dev.size;
	uint8_t *ref = malloc(size), *buf = malloc(size);

	ck_assert(ref && buf);
	memcpy(ref, t->storage, size);
	for (unsigned int i = 0; i < iters; i++) {
		size_t len = 1 + rng_below(maxlen);
		uint64_t off = rng_below(size - len + 1);

		if (rng_below(4) == 0)
			memset(buf, rng_below(2) ? 0xff : 0x00, len); /* all ones, all zeros */
		else
			fill_random(buf, len);
		ck_assert_int_eq(blkdev_write(&t->dev, off, buf, len), 0);
		memcpy(ref + off, buf, len);
		if (i % 8 == 0)
			ck_assert_int_eq(blkdev_flush(&t->dev), 0);
		ck_assert_int_eq(blkdev_read(&t->dev, 0, buf, size), 0);
		ck_assert_msg(memcmp(buf, ref, size) == 0, "iteration %u: read back differs", i);
	}
	ck_assert_int_eq(blkdev_flush(&t->dev), 0);
	/* The medium itself holds the data. */
	ck_assert(memcmp(t->storage, ref, size) == 0);
	free(ref);
	free(buf);
}

START_TEST(test_pf_roundtrip)
{
	struct tdev_cfg c = {.kind = TDEV_PFLASH, .size = 32 * KIB, .width = widths[_i]};
	struct tdev t;

	rng_seed(100 + _i);
	tdev_map(&t, &c, NULL);
	ck_assert_int_eq(tdev_open(&t), 0);
	roundtrip(&t, 60, 9000);
	tdev_free(&t);
}
END_TEST

/* A write over three blocks with unaligned ends leaves its neighbours alone. */
START_TEST(test_pf_spanning_write)
{
	struct tdev_cfg c = {.kind = TDEV_PFLASH, .size = 32 * KIB, .width = 2};
	uint8_t img[32 * KIB], data[9000];
	struct tdev t;

	rng_seed(7);
	fill_random(img, sizeof(img));
	fill_random(data, sizeof(data));
	tdev_map(&t, &c, img);
	ck_assert_int_eq(tdev_open(&t), 0);
	ck_assert_int_eq(blkdev_write(&t.dev, 4096 - 3, data, sizeof(data)), 0);
	memcpy(img + 4096 - 3, data, sizeof(data));
	ck_assert(memcmp(t.storage, img, sizeof(img)) == 0);
	ck_assert_uint_eq(t.pf.erases, 4); /* [4093, 13093): blocks 0..3 */
	tdev_free(&t);
}
END_TEST

START_TEST(test_pf_erase_only_when_needed)
{
	struct tdev_cfg c = {.kind = TDEV_PFLASH, .size = 16 * KIB, .width = 4};
	uint8_t a[512], b[512];
	struct tdev t;

	tdev_map(&t, &c, NULL); /* erased */
	ck_assert_int_eq(tdev_open(&t), 0);
	memset(a, 0xf0, sizeof(a));
	ck_assert_int_eq(blkdev_write(&t.dev, 100, a, sizeof(a)), 0);
	ck_assert_uint_eq(t.pf.erases, 0); /* only bits from 1 to 0 */
	/* The same bytes again: nothing to do at all. */
	sim_mmio_reset_stats();
	ck_assert_int_eq(blkdev_write(&t.dev, 100, a, sizeof(a)), 0);
	ck_assert_uint_eq(exits_now(), 0);
	/* 0xf0 -> 0x30 clears bits only; 0xf0 -> 0x0f needs an erase. */
	memset(b, 0x30, sizeof(b));
	ck_assert_int_eq(blkdev_write(&t.dev, 100, b, sizeof(b)), 0);
	ck_assert_uint_eq(t.pf.erases, 0);
	memset(b, 0x0f, sizeof(b));
	ck_assert_int_eq(blkdev_write(&t.dev, 100, b, sizeof(b)), 0);
	ck_assert_uint_eq(t.pf.erases, 1);
	ck_assert(memcmp(t.storage + 100, b, sizeof(b)) == 0);
	tdev_free(&t);
}
END_TEST

/*
 * One 4 KiB block rewrite at bank width 1 (QEMU's x86 flash: 256-byte
 * write buffer). By the command set: erase = 0x20, 0xD0, one status read
 * (3); each 256-byte buffer = 0xE8, status read, count, 256 data writes,
 * 0xD0, status read (261), 16 of them; one read-array command. Reads in
 * read-array mode cost nothing.
 */
START_TEST(test_pf_exits_4k)
{
	struct tdev_cfg c = {.kind = TDEV_PFLASH, .size = 16 * KIB, .width = 1};
	uint8_t img[16 * KIB], data[4096];
	struct tdev t;

	memset(img, 0x00, sizeof(img));
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(1 + i % 200); /* never 0xFF: every word is programmed */
	tdev_map(&t, &c, img);
	ck_assert_int_eq(tdev_open(&t), 0);
	sim_mmio_reset_stats();
	ck_assert_int_eq(blkdev_write(&t.dev, 4096, data, sizeof(data)), 0);
	ck_assert_uint_eq(exits_now(), 3 + 16 * 261 + 1);
	tdev_free(&t);
}
END_TEST

/*
 * A flash without a write buffer (CFI buffer size = one word): word
 * program, 0x40 then the word then a status read, 3 exits per word.
 */
START_TEST(test_pf_word_program)
{
	struct tdev_cfg c = {.kind = TDEV_PFLASH, .size = 16 * KIB, .width = widths[_i]};
	uint8_t data[64];
	struct tdev t;

	c.wbuf = c.width;
	rng_seed(400 + _i);
	tdev_map(&t, &c, NULL);
	ck_assert_int_eq(tdev_open(&t), 0);
	memset(data, 0x21, sizeof(data));
	sim_mmio_reset_stats();
	ck_assert_int_eq(blkdev_write(&t.dev, 4096, data, sizeof(data)), 0);
	/* Erased block, so no erase: 64 / width words, then one read-array command. */
	ck_assert_uint_eq(exits_now(), 3 * (64 / c.width) + 1);
	roundtrip(&t, 20, 6000);
	tdev_free(&t);
}
END_TEST

struct pf_hostile_case {
	enum sim_pflash_hostile mode;
	int open_rc;
	int write_rc;
	const char *log;
};

static const struct pf_hostile_case pf_hostile_cases[] = {
    {SIM_PFLASH_LIE_DROP, 0, -CSVSM_EIO, "reads back other data"},
    {SIM_PFLASH_ERROR_STATUS, 0, -CSVSM_EIO, "failed (status 0x"},
    {SIM_PFLASH_BUSY_FOREVER, 0, -CSVSM_EIO, "never became ready"},
    {SIM_PFLASH_CFI_LIES, -CSVSM_ECORRUPT, 0, "geometry does not add up"},
};

START_TEST(test_pf_hostile)
{
	const struct pf_hostile_case *hc = &pf_hostile_cases[_i];
	struct tdev_cfg c = {
	    .kind = TDEV_PFLASH, .size = 16 * KIB, .width = 1, .pf_hostile = hc->mode};
	uint8_t data[300], back[300];
	size_t live = mm_live_allocs();
	struct tdev t;

	memset(data, 0x5a, sizeof(data));
	tdev_map(&t, &c, NULL);
	ck_assert_int_eq(tdev_open(&t), hc->open_rc);
	if (hc->open_rc == 0) {
		ck_assert_int_eq(blkdev_write(&t.dev, 8000, data, sizeof(data)), hc->write_rc);
		/* Back in read-array mode (a device that never answers may stay stuck). */
		if (hc->mode != SIM_PFLASH_BUSY_FOREVER)
			ck_assert(t.pf.array_mode);
		t.pf.cfg.hostile = SIM_PFLASH_HONEST;
		t.pf.wcycle = 0;
		t.pf.array_mode = true;
		ck_assert_int_eq(blkdev_read(&t.dev, 8000, back, sizeof(back)), 0);
		ck_assert(memcmp(back, t.storage + 8000, sizeof(back)) == 0);
	}
	ck_assert_msg(log_has(hc->log), "log: %s", log_buf);
	tdev_free(&t);
	ck_assert_uint_eq(mm_live_allocs(), live);
}
END_TEST

START_TEST(test_pf_read_only_and_absent)
{
	struct tdev_cfg c = {.kind = TDEV_PFLASH, .size = 16 * KIB, .width = 1, .read_only = true};
	struct blkdev dev;
	uint8_t b = 0;
	struct tdev t;

	tdev_map(&t, &c, NULL);
	ck_assert_int_eq(tdev_open(&t), 0);
	ck_assert_int_eq(blkdev_write(&t.dev, 0, &b, 1), -CSVSM_EIO);
	tdev_free(&t);
	/* Nothing mapped: reads all ones, no "QRY". */
	ck_assert_int_eq(pflash_open(&dev, SIM_PFLASH_BASE, 16 * KIB), -CSVSM_ENOENT);
	ck_assert_int_eq(pflash_open(NULL, SIM_PFLASH_BASE, 16 * KIB), -CSVSM_EINVAL);
	/* A window smaller than the flash the CFI table describes. */
	tdev_map(&t, &c, NULL);
	ck_assert_int_eq(pflash_open(&dev, SIM_PFLASH_BASE, 8 * KIB), -CSVSM_ECORRUPT);
	tdev_free(&t);
}
END_TEST

/* ---- virtio-blk ---- */

START_TEST(test_vb_open)
{
	struct tdev_cfg c = {.kind = TDEV_VIRTIO, .size = 64 * KIB};
	struct tdev t;

	tdev_map(&t, &c, NULL);
	ck_assert_int_eq(tdev_open(&t), 0);
	ck_assert_uint_eq(t.dev.size, 64 * KIB);
	ck_assert_uint_eq(t.dev.write_unit, 512);
	/* Exactly what the driver implements: VERSION_1 and FLUSH, not SEG_MAX/INDIRECT/EVENT_IDX.
	 */
	ck_assert_uint_eq(t.vb.driver_features,
	                  (1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_BLK_F_FLUSH));
	ck_assert_uint_eq(t.vb.status, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
	                                   VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	ck_assert_uint_eq(sim_dma_pages_used(), 17);
	tdev_free(&t);
	ck_assert_uint_eq(sim_dma_pages_used(), 0);
	/* A block size from the device becomes the write unit. */
	c.blk_size = 4096;
	tdev_map(&t, &c, NULL);
	ck_assert_int_eq(tdev_open(&t), 0);
	ck_assert_uint_eq(t.dev.write_unit, 4096);
	tdev_free(&t);
}
END_TEST

START_TEST(test_vb_roundtrip)
{
	struct tdev_cfg c = {.kind = TDEV_VIRTIO, .size = 256 * KIB, .volatile_cache = _i == 1};
	struct tdev t;

	rng_seed(200 + _i);
	tdev_map(&t, &c, NULL);
	ck_assert_int_eq(tdev_open(&t), 0);
	roundtrip(&t, 60, 150000); /* beyond one 64 KiB bounce buffer */
	tdev_free(&t);
}
END_TEST

START_TEST(test_vb_flush_and_exits)
{
	struct tdev_cfg c = {.kind = TDEV_VIRTIO, .size = 64 * KIB};
	uint8_t data[4096];
	struct tdev t;

	memset(data, 0x11, sizeof(data));
	tdev_map(&t, &c, NULL);
	ck_assert_int_eq(tdev_open(&t), 0);
	/* One aligned 4 KiB write: one request, one notify, the only exit. */
	sim_mmio_reset_stats();
	ck_assert_int_eq(blkdev_write(&t.dev, 8192, data, sizeof(data)), 0);
	ck_assert_uint_eq(exits_now(), 1);
	ck_assert_int_eq(blkdev_flush(&t.dev), 0);
	ck_assert_uint_eq(exits_now(), 2);
	ck_assert_uint_eq(t.vb.flushes, 1);
	tdev_free(&t);
	/* Without VIRTIO_BLK_F_FLUSH the device is write-through: no request. */
	c.no_flush = true;
	tdev_map(&t, &c, NULL);
	ck_assert_int_eq(tdev_open(&t), 0);
	ck_assert_int_eq(blkdev_flush(&t.dev), 0);
	ck_assert_uint_eq(t.vb.flushes, 0);
	ck_assert_uint_eq(t.vb.requests, 0);
	tdev_free(&t);
}
END_TEST

struct vb_hostile_case {
	enum sim_vblk_hostile mode;
	int open_rc;
	int read_rc;
	bool marks_failed; /* later calls fail too */
	const char *log;
};

static const struct vb_hostile_case vb_hostile_cases[] = {
    {SIM_VBLK_USED_BAD_ID, 0, -CSVSM_EIO, true, "chain never posted"},
    {SIM_VBLK_USED_BAD_LEN, 0, -CSVSM_EIO, true, "beyond the writable"},
    {SIM_VBLK_USED_SHORT_READ, 0, -CSVSM_EIO, true, "completed short"},
    {SIM_VBLK_USED_IDX_JUMP, 0, -CSVSM_EIO, true, "more than the one request"},
    {SIM_VBLK_NO_COMPLETION, 0, -CSVSM_EIO, true, "no answer"},
    {SIM_VBLK_STATUS_GARBAGE, 0, -CSVSM_EIO, true, "invalid status byte"},
    {SIM_VBLK_STATUS_IOERR, 0, -CSVSM_EIO, false, "I/O error"},
    {SIM_VBLK_NO_VERSION_1, -CSVSM_ENOTSUP, 0, false, "VIRTIO_F_VERSION_1"},
    {SIM_VBLK_REFUSE_FEATURES, -CSVSM_ENOTSUP, 0, false, "refused features"},
    {SIM_VBLK_CONFIG_HUGE, -CSVSM_ECORRUPT, 0, false, "capacity of"},
    {SIM_VBLK_CONFIG_UNSTABLE, -CSVSM_ECORRUPT, 0, false, "never stable"},
    {SIM_VBLK_BAD_BLK_SIZE, -CSVSM_ECORRUPT, 0, false, "block size 3"},
    {SIM_VBLK_QUEUE_TINY, -CSVSM_ENOTSUP, 0, false, "queue size maximum 2"},
};

START_TEST(test_vb_hostile)
{
	const struct vb_hostile_case *hc = &vb_hostile_cases[_i];
	struct tdev_cfg c = {.kind = TDEV_VIRTIO, .size = 64 * KIB, .vb_hostile = hc->mode};
	uint8_t buf[1024 + 64], data[512];
	size_t live = mm_live_allocs();
	struct tdev t;

	memset(data, 0x77, sizeof(data));
	tdev_map(&t, &c, NULL);
	ck_assert_int_eq(tdev_open(&t), hc->open_rc);
	if (hc->open_rc == 0) {
		/* A failed read leaves the caller's buffer untouched. */
		memset(buf, 0xcc, sizeof(buf));
		ck_assert_int_eq(blkdev_read(&t.dev, 512, buf + 32, 1024), hc->read_rc);
		for (size_t i = 0; i < sizeof(buf); i++)
			ck_assert_uint_eq(buf[i], 0xcc);
		if (hc->marks_failed) {
			ck_assert(t.vb.status & VIRTIO_STATUS_FAILED);
			ck_assert_uint_eq(t.vb.requests,
			                  hc->mode == SIM_VBLK_NO_COMPLETION ? 0 : 1);
		}
		/* Later calls: failed devices are not used again. */
		ck_assert_int_eq(blkdev_write(&t.dev, 0, data, sizeof(data)), -CSVSM_EIO);
		ck_assert_int_eq(blkdev_flush(&t.dev), -CSVSM_EIO);
		if (hc->marks_failed)
			ck_assert_uint_le(t.vb.requests, 1);
	} else {
		ck_assert(t.vb.status & VIRTIO_STATUS_FAILED || t.vb.status == 0);
		ck_assert_uint_eq(sim_dma_pages_used(), 0);
	}
	ck_assert_msg(log_has(hc->log), "log: %s", log_buf);
	tdev_free(&t);
	ck_assert_uint_eq(mm_live_allocs(), live);
}
END_TEST

/* Lies a device can tell without breaking the protocol: seen only in the data. */
START_TEST(test_vb_lies_in_data)
{
	struct tdev_cfg c = {
	    .kind = TDEV_VIRTIO, .size = 64 * KIB, .vb_hostile = SIM_VBLK_LIE_DROP_WRITES};
	uint8_t data[512], back[512];
	struct tdev t;

	memset(data, 0x42, sizeof(data));
	tdev_map(&t, &c, NULL);
	ck_assert_int_eq(tdev_open(&t), 0);
	ck_assert_int_eq(blkdev_write(&t.dev, 0, data, sizeof(data)), 0);
	ck_assert_int_eq(blkdev_read(&t.dev, 0, back, sizeof(back)), 0);
	ck_assert(memcmp(back, data, sizeof(data)) != 0); /* the store's CRCs must catch it */
	tdev_free(&t);
	/* A flush that makes nothing durable: a power loss takes the writes. */
	c.vb_hostile = SIM_VBLK_LOST_FLUSH;
	c.volatile_cache = true;
	tdev_map(&t, &c, NULL);
	ck_assert_int_eq(tdev_open(&t), 0);
	ck_assert_int_eq(blkdev_write(&t.dev, 0, data, sizeof(data)), 0);
	ck_assert_int_eq(blkdev_flush(&t.dev), 0);
	sim_vblk_power_loss(&t.vb);
	ck_assert_int_eq(blkdev_read(&t.dev, 0, back, sizeof(back)), 0);
	ck_assert(mem_is_zero(back, sizeof(back)));
	tdev_free(&t);
}
END_TEST

START_TEST(test_vb_read_only_and_absent)
{
	struct tdev_cfg c = {.kind = TDEV_VIRTIO, .size = 64 * KIB, .read_only = true};
	struct blkdev dev;
	uint8_t b[512] = {0};
	struct tdev t;

	tdev_map(&t, &c, NULL);
	ck_assert_int_eq(tdev_open(&t), 0);
	ck_assert_int_eq(blkdev_write(&t.dev, 0, b, sizeof(b)), -CSVSM_EIO);
	ck_assert_int_eq(blkdev_read(&t.dev, 0, b, sizeof(b)), 0);
	tdev_free(&t);
	ck_assert_int_eq(vblk_open(&dev, SIM_VIRTIO_BASE), -CSVSM_ENOENT);
	ck_assert_int_eq(vblk_open(NULL, SIM_VIRTIO_BASE), -CSVSM_EINVAL);
	ck_assert_uint_eq(sim_dma_pages_used(), 0);
}
END_TEST

/* ---- Allocation and DMA failures: every one a clean error, nothing leaked ---- */

struct open_sweep {
	struct tdev t;
	enum tdev_kind kind;
};

static void open_setup(void *p)
{
	struct open_sweep *s = p;
	struct tdev_cfg c = {.kind = s->kind, .size = 32 * KIB};

	tdev_map(&s->t, &c, NULL);
}

static int open_flow(void *p)
{
	struct open_sweep *s = p;
	uint8_t b[600];
	int rc = tdev_open(&s->t);

	if (rc < 0)
		return rc;
	memset(b, 3, sizeof(b));
	return blkdev_write(&s->t.dev, 1000, b, sizeof(b));
}

static void open_teardown(void *p)
{
	struct open_sweep *s = p;

	tdev_free(&s->t);
	ck_assert_uint_eq(sim_dma_pages_used(), 0);
}

static void open_undo(void *p)
{
	struct open_sweep *s = p;

	tdev_free(&s->t);
}

START_TEST(test_open_fault_sweep)
{
	static const enum fault_site sites[] = {FAULT_SITE_ALLOC, FAULT_SITE_PLAT};
	struct open_sweep s = {.kind = _i / 2 ? TDEV_VIRTIO : TDEV_PFLASH};
	struct fault_sweep fs = {
	    .name = s.kind == TDEV_PFLASH ? "pflash open" : "virtio open",
	    .site = sites[_i % 2],
	    .setup = open_setup,
	    .flow = open_flow,
	    .undo = open_undo,
	    .teardown = open_teardown,
	    .ctx = &s,
	};
	unsigned int n = fault_sweep_run(&fs);

	/* pflash: state + scratch allocations, no DMA; virtio: state + DMA region. */
	if (fs.site == FAULT_SITE_ALLOC)
		ck_assert_uint_eq(n, s.kind == TDEV_VIRTIO ? 1 : 2);
	else
		ck_assert_uint_eq(n, s.kind == TDEV_VIRTIO ? 1 : 0);
}
END_TEST

/* ---- The NV store's crash test on each driver and model ---- */

enum { OP_WRITE, OP_ERASE, OP_FLUSH };

struct dev_op {
	int kind;
	uint64_t off;
	size_t len;
	uint8_t *data;
};

struct op_log {
	struct dev_op *ops;
	size_t n, cap;
	bool on;
};

static void op_record(void *ctx, uint64_t off, const uint8_t *data, size_t len)
{
	struct op_log *l = ctx;
	struct dev_op *o;

	if (!l->on)
		return;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->ops = realloc(l->ops, l->cap * sizeof(*l->ops));
		ck_assert_ptr_nonnull(l->ops);
	}
	o = &l->ops[l->n++];
	o->kind = len == 0 ? OP_FLUSH : data ? OP_WRITE : OP_ERASE;
	o->off = off;
	o->len = len;
	o->data = NULL;
	if (data) {
		o->data = malloc(len);
		ck_assert_ptr_nonnull(o->data);
		memcpy(o->data, data, len);
	}
}

static void op_clear(struct op_log *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->ops[i].data);
	l->n = 0;
}

static void op_apply(uint8_t *img, const struct dev_op *o, size_t len)
{
	if (o->kind == OP_WRITE)
		memcpy(img + o->off, o->data, len);
	else if (o->kind == OP_ERASE)
		memset(img + o->off, 0xff, len);
}

/* Two named blobs: the shape of libtpms' state. */
struct state2 {
	uint8_t perm[1400], vol[9000];
	size_t perm_len, vol_len;
};

static void state_random(struct state2 *s, size_t perm_len, size_t vol_len)
{
	s->perm_len = perm_len;
	s->vol_len = vol_len;
	fill_random(s->perm, perm_len);
	fill_random(s->vol, vol_len);
}

static void state_stage(const struct state2 *s, struct nvstore *nv)
{
	ck_assert_int_eq(nvstore_put(nv, "permall", s->perm, s->perm_len), 0);
	ck_assert_int_eq(nvstore_put(nv, "volatilestate", s->vol, s->vol_len), 0);
}

static bool state_equal(const struct state2 *s, struct nvstore *nv)
{
	const void *d;
	size_t len;

	if (s->perm_len == 0)
		return nvstore_count(nv) == 0;
	if (nvstore_count(nv) != 2)
		return false;
	if (nvstore_get(nv, "permall", &d, &len) || len != s->perm_len || memcmp(d, s->perm, len))
		return false;
	return nvstore_get(nv, "volatilestate", &d, &len) == 0 && len == s->vol_len &&
	       memcmp(d, s->vol, len) == 0;
}

struct crash_run {
	struct tdev_cfg cfg;
	unsigned long images, old_seen, new_seen;
};

/* Opens the image through the driver and model: it must hold `old` or `new`. */
static bool crash_classify(struct crash_run *r, const uint8_t *img, const struct state2 *old,
                           const struct state2 *new, size_t op, size_t prefix)
{
	struct tdev_cfg c = r->cfg;
	struct nvstore *nv;
	struct tdev t;
	bool is_old, is_new;
	int rc;

	c.on_change = NULL;
	c.volatile_cache = false;
	c.base = tdev_base(c.kind) + 0x10000000; /* beside the device under test */
	tdev_map(&t, &c, img);
	ck_assert_int_eq(tdev_open(&t), 0);
	rc = nvstore_open(&t.dev, &nv);
	ck_assert_msg(rc == 0, "crash in op %zu after %zu bytes: open %d (%s)", op, prefix, rc,
	              log_buf);
	is_old = state_equal(old, nv);
	is_new = state_equal(new, nv);
	nvstore_close(nv);
	tdev_free(&t);
	ck_assert_msg(is_old || is_new, "crash in op %zu after %zu bytes: neither state", op,
	              prefix);
	r->images++;
	r->new_seen += is_new;
	r->old_seen += !is_new;
	log_clear();
	return is_new;
}

/*
 * Every crash of one commit's device changes. pflash: each change is
 * durable when made, the one in progress torn after every word (program)
 * or every 512 bytes (erase). virtio with a volatile cache: the writes
 * since the last flush all kept or all lost, the one in progress torn at
 * every sector.
 */
static void crash_enumerate(struct crash_run *r, const uint8_t *base, const struct op_log *l,
                            const struct state2 *old, const struct state2 *new)
{
	uint64_t size = r->cfg.size;
	uint8_t *dur = malloc(size), *img = malloc(size);
	bool pflash = r->cfg.kind == TDEV_PFLASH;
	size_t start = 0;

	ck_assert(dur && img);
	memcpy(dur, base, size);
	ck_assert(!crash_classify(r, dur, old, new, 0, 0));
	for (size_t i = 0; i < l->n; i++) {
		const struct dev_op *o = &l->ops[i];
		size_t step = o->kind == OP_ERASE ? 512
		              : pflash            ? (r->cfg.width ? r->cfg.width : 1)
		                                  : 512;

		if (o->kind == OP_FLUSH) {
			for (size_t k = start; k < i; k++)
				op_apply(dur, &l->ops[k], l->ops[k].len);
			start = i + 1;
			continue;
		}
		for (int earlier = 1; earlier >= (i > start && !pflash ? 0 : 1); earlier--) {
			for (size_t p = 0;; p += step) {
				if (p > o->len)
					p = o->len;
				memcpy(img, dur, size);
				if (earlier)
					for (size_t k = start; k < i; k++)
						op_apply(img, &l->ops[k], l->ops[k].len);
				op_apply(img, o, p);
				crash_classify(r, img, old, new, i, p);
				if (p == o->len)
					break;
			}
		}
		if (pflash) {
			op_apply(dur, o, o->len); /* durable at once */
			start = i + 1;
		}
	}
	for (size_t k = start; k < l->n; k++)
		op_apply(dur, &l->ops[k], l->ops[k].len);
	ck_assert(crash_classify(r, dur, old, new, l->n, 0));
	free(dur);
	free(img);
}

struct crash_case {
	enum tdev_kind kind;
	unsigned int width;
	uint64_t size;
	size_t perm, vol; /* blob sizes */
	unsigned int commits;
};

static const struct crash_case crash_cases[] = {
    {TDEV_PFLASH, 1, 32 * KIB, 200, 500, 3},   /* QEMU's x86 flash: byte-wide */
    {TDEV_PFLASH, 4, 64 * KIB, 1299, 6000, 3}, /* 32-bit bank */
    {TDEV_VIRTIO, 0, 64 * KIB, 1299, 8970, 4}, /* libtpms-sized state */
};

START_TEST(test_crash_every_change)
{
	const struct crash_case *cc = &crash_cases[_i];
	struct op_log l = {0};
	struct crash_run r = {
	    .cfg = {.kind = cc->kind,
	            .size = cc->size,
	            .width = cc->width,
	            .volatile_cache = cc->kind == TDEV_VIRTIO,
	            .on_change = op_record,
	            .change_ctx = &l},
	};
	struct state2 *old = calloc(1, sizeof(*old)), *new = calloc(1, sizeof(*new));
	uint8_t *base = malloc(cc->size);
	struct nvstore *nv;
	struct tdev t;

	ck_assert(old && new &&base);
	rng_seed(300 + _i);
	tdev_map(&t, &r.cfg, NULL);
	ck_assert_int_eq(tdev_open(&t), 0);
	ck_assert_int_eq(nvstore_open(&t.dev, &nv), 0);
	for (unsigned int c = 0; c < cc->commits; c++) {
		state_random(new, cc->perm - c * 7, cc->vol - c * 13);
		state_stage(new, nv);
		memcpy(base, t.storage, cc->size);
		op_clear(&l);
		l.on = true;
		ck_assert_int_eq(nvstore_commit(nv), 0);
		l.on = false;
		ck_assert_uint_gt(l.n, 0);
		crash_enumerate(&r, base, &l, old, new);
		memcpy(old, new, sizeof(*old));
	}
	ck_assert_uint_gt(r.old_seen, cc->commits);
	ck_assert_uint_gt(r.new_seen, cc->commits);
	nvstore_close(nv);
	tdev_free(&t);
	op_clear(&l);
	free(l.ops);
	free(old);
	free(new);
	free(base);
}
END_TEST

/* ---- Boot information: device specs ---- */

static int open_spec(struct blkdev *dev, const char *spec)
{
	return storage_open_spec(dev, spec, strlen(spec));
}

START_TEST(test_spec)
{
	struct tdev_cfg pc = {.kind = TDEV_PFLASH, .size = 32 * KIB};
	struct tdev_cfg vc = {.kind = TDEV_VIRTIO, .size = 64 * KIB};
	static const char *const bad[] = {
	    "pflash@",
	    "pflash@0x3000000000",
	    "pflash@0x3000000000:",
	    "pflash@0x3000000000:32K:",
	    "pflash@0xffffffffffffff00:0x1000",
	    "pflash@0x3000000000:99999999999999999999",
	    "virtio@",
	    "virtio@0xfffffffffffffff0",
	    "virtio@0x3100000000 ",
	    "virtio_mmio.device=512@0x3100000000",
	    "virtio_mmio.device=16@0x3100000000:12",
	    "virtio_mmio.device=512@0x3100000000:12:x",
	    "VIRTIO@0x3100000000",
	    "virtio-scan@0x3100000000:0",
	    "virtio-scan@0x3100000000:65",
	    "virtio-scan@0x3100000000",
	    "",
	};
	struct blkdev dev;
	struct tdev p, v;

	tdev_map(&p, &pc, NULL);
	tdev_map(&v, &vc, NULL);
	ck_assert_int_eq(open_spec(&dev, "pflash@0x3000000000:32K"), 0);
	ck_assert_str_eq(dev.name, "pflash");
	ck_assert_uint_eq(dev.size, 32 * KIB);
	storage_close(&dev);
	ck_assert_int_eq(open_spec(&dev, "pflash@206158430208:0x8000"), 0);
	storage_close(&dev);
	ck_assert_int_eq(open_spec(&dev, "virtio@0x3100000000"), 0);
	ck_assert_str_eq(dev.name, "virtio-blk");
	storage_close(&dev);
	ck_assert_int_eq(open_spec(&dev, "virtio_mmio.device=512@0x3100000000:12"), 0);
	storage_close(&dev);
	ck_assert_int_eq(open_spec(&dev, "virtio_mmio.device=0x200@0x3100000000:12:3"), 0);
	storage_close(&dev);
	/* A scan over windows, the device in the fourth. */
	ck_assert_int_eq(open_spec(&dev, "virtio-scan@0x30FFFFFA00:4"), 0);
	storage_close(&dev);
	ck_assert_int_eq(open_spec(&dev, "virtio-scan@0x30FFFFFA00:3"), -CSVSM_ENOENT);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(open_spec(&dev, bad[i]) == -CSVSM_EINVAL, "'%s' accepted", bad[i]);
	/* No spec, or no device, with a length: refused before the length is used (UBSan). */
	ck_assert_int_eq(storage_open_spec(&dev, NULL, 16), -CSVSM_EINVAL);
	ck_assert_int_eq(storage_open_spec(NULL, "virtio@0x3100000000", 19), -CSVSM_EINVAL);
	/* Nothing at the address: the driver's answer. */
	ck_assert_int_eq(open_spec(&dev, "virtio@0x3200000000"), -CSVSM_ENOENT);
	/* The first virtio-mmio word with a block device behind it wins. */
	ck_assert_int_eq(storage_find_virtio(&dev,
	                                     "console=ttyS0 virtio_mmio.device=512@0x3200000000:5 "
	                                     "virtio_mmio.device=512@0x3100000000:12 selftest"),
	                 0);
	storage_close(&dev);
	ck_assert_int_eq(storage_find_virtio(&dev, "console=ttyS0 selftest"), -CSVSM_ENOENT);
	ck_assert_int_eq(storage_find_virtio(&dev, ""), -CSVSM_ENOENT);
	storage_close(NULL);
	tdev_free(&p);
	tdev_free(&v);
}
END_TEST

/*
 * The boot-time round trip of the bare-metal tests, on each model: a blank
 * device, then boot after boot on the same medium; a medium holding
 * something else is left alone.
 */
START_TEST(test_nvtest)
{
	static const char *const specs[] = {"pflash@0x3000000000:64K",
	                                    "virtio-scan@0x30FFFFF000:16"};
	struct tdev_cfg c = {.kind = _i ? TDEV_VIRTIO : TDEV_PFLASH, .size = 64 * KIB};
	const char *spec = specs[_i];
	uint8_t *img = malloc(64 * KIB);
	size_t live = mm_live_allocs();
	struct tdev t;

	ck_assert_ptr_nonnull(img);
	tdev_map(&t, &c, NULL);
	for (int boot = 1; boot <= 3; boot++) {
		ck_assert_int_eq(storage_nvtest(spec, strlen(spec)), boot);
		ck_assert_uint_eq(mm_live_allocs(), live);
	}
	ck_assert(log_has(_i ? "nvtest: virtio-blk: verified boot 2, stored boot 3"
	                     : "nvtest: pflash: verified boot 2, stored boot 3"));
	/* A boot number that does not match the blobs: refused, nothing written. */
	{
		struct blkdev dev;
		struct nvstore *nv;
		uint64_t two = 2;

		ck_assert_int_eq(storage_open_spec(&dev, spec, strlen(spec)), 0);
		ck_assert_int_eq(nvstore_open(&dev, &nv), 0);
		ck_assert_int_eq(nvstore_put(nv, "boot", &two, sizeof(two)), 0);
		ck_assert_int_eq(nvstore_commit(nv), 0);
		nvstore_close(nv);
		storage_close(&dev);
	}
	memcpy(img, t.storage, 64 * KIB);
	ck_assert_int_eq(storage_nvtest(spec, strlen(spec)), -CSVSM_ECORRUPT);
	ck_assert(log_has("differs from what boot 2 stored"));
	ck_assert(memcmp(img, t.storage, 64 * KIB) == 0);
	tdev_free(&t);
	/* A store holding something else is not touched. */
	tdev_map(&t, &c, NULL);
	{
		struct blkdev dev;
		struct nvstore *nv;

		ck_assert_int_eq(storage_open_spec(&dev, spec, strlen(spec)), 0);
		ck_assert_int_eq(nvstore_open(&dev, &nv), 0);
		ck_assert_int_eq(nvstore_put(nv, "other", "x", 1), 0);
		ck_assert_int_eq(nvstore_commit(nv), 0);
		nvstore_close(nv);
		storage_close(&dev);
	}
	memcpy(img, t.storage, 64 * KIB);
	ck_assert_int_eq(storage_nvtest(spec, strlen(spec)), -CSVSM_EEXIST);
	ck_assert(memcmp(img, t.storage, 64 * KIB) == 0);
	ck_assert_uint_eq(mm_live_allocs(), live);
	tdev_free(&t);
	free(img);
}
END_TEST

/* ---- Fuzz corpus of device responses ---- */

START_TEST(test_fuzz_corpus_replay)
{
	ck_assert_uint_ge(corpus_replay(STORAGE_DEV_CORPUS_DIR, fuzz_storage_dev_one), 8);
}
END_TEST

static Suite *storage_dev_suite(void)
{
	Suite *s = suite_create("storage_dev");
	TCase *tc;

	tc = tcase_create("pflash");
	tcase_set_timeout(tc, 120); /* a device that never answers is polled 10^6 times */
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_pf_geometry, 0, 3);
	tcase_add_loop_test(tc, test_pf_roundtrip, 0, 3);
	tcase_add_test(tc, test_pf_spanning_write);
	tcase_add_test(tc, test_pf_erase_only_when_needed);
	tcase_add_test(tc, test_pf_exits_4k);
	tcase_add_loop_test(tc, test_pf_word_program, 0, 3);
	tcase_add_loop_test(tc, test_pf_hostile, 0,
	                    (int)(sizeof(pf_hostile_cases) / sizeof(pf_hostile_cases[0])));
	tcase_add_test(tc, test_pf_read_only_and_absent);
	suite_add_tcase(s, tc);

	tc = tcase_create("virtio");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_vb_open);
	tcase_add_loop_test(tc, test_vb_roundtrip, 0, 2);
	tcase_add_test(tc, test_vb_flush_and_exits);
	tcase_add_loop_test(tc, test_vb_hostile, 0,
	                    (int)(sizeof(vb_hostile_cases) / sizeof(vb_hostile_cases[0])));
	tcase_add_test(tc, test_vb_lies_in_data);
	tcase_add_test(tc, test_vb_read_only_and_absent);
	suite_add_tcase(s, tc);

	tc = tcase_create("spec");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_spec);
	tcase_add_loop_test(tc, test_nvtest, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("faults");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_open_fault_sweep, 0, 4);
	suite_add_tcase(s, tc);

	tc = tcase_create("crash");
	tcase_set_timeout(tc, 300);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_crash_every_change, 0,
	                    (int)(sizeof(crash_cases) / sizeof(crash_cases[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("fuzz");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_fuzz_corpus_replay);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(storage_dev_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
