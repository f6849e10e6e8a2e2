/* SPDX-License-Identifier: MIT */
/*
 * The NV store and its block devices (issue 5, "persistent, crash-safe
 * state"): CRC-32C, the range-checked blkdev calls, the RAM and host-file
 * back-ends, the store's API, a crash at every write and every torn prefix,
 * corrupt and crafted images, fault sweeps (allocations and NV writes) and
 * the replay of the fuzz corpus.
 *
 * Expected values come from the specifications (RFC 3720 for CRC-32C, the
 * format documented in src/storage/nvstore_format.h, the contracts in
 * csvsm/nvstore.h and csvsm/blkdev.h) and from an independent encoder and
 * a bitwise CRC written here, not from the code under test.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "corpus_replay.h"
#include "csvsm/blkdev.h"
#include "csvsm/error.h"
#include "csvsm/fault.h"
#include "csvsm/lib/crc32.h"
#include "csvsm/mm.h"
#include "csvsm/nvstore.h"
#include "csvsm/sim_blkdev.h"
#include "fault_sweep.h"
#include "fuzz/fuzz_nvstore.h"
#include "log_capture.h"
#include "sim_plat.h"
#include "test_rng.h"

#define HEAP_BYTES ((size_t)32 << 20)
#define KIB        ((size_t)1024)
#define HDR        64u /* header bytes, nvstore_format.h */
#define PAYLOAD_MX ((uint64_t)1 << 20)

/* ---- Test infrastructure: heap, console capture, PRNG ---- */

static void setup(void)
{
	test_heap_init(HEAP_BYTES);
	sim_console_set_sink(log_capture, NULL);
	log_clear();
}

static void teardown(void)
{
	sim_console_set_sink(NULL, NULL);
}

static void fill_random(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rng_next();
}

static bool mem_is_zero_host(const void *p, size_t n)
{
	const uint8_t *c = p;

	for (size_t i = 0; i < n; i++)
		if (c[i])
			return false;
	return true;
}

/* ---- An independent CRC-32C and format encoder (from the specs) ---- */

/* RFC 3720 12.1: reflected 0x1EDC6F41 = 0x82F63B78, one bit at a time. */
static uint32_t ref_crc32c(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t c = 0xffffffffu;

	for (size_t i = 0; i < len; i++) {
		c ^= p[i];
		for (int b = 0; b < 8; b++)
			c = (c >> 1) ^ ((c & 1u) ? 0x82f63b78u : 0u);
	}
	return c ^ 0xffffffffu;
}

static void le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t geo_hdr_block(uint32_t wu)
{
	return wu > HDR ? wu : HDR;
}

/* Slot size per nvstore_format.h. */
static uint64_t geo_slot_size(uint64_t size, uint32_t wu)
{
	uint64_t slot = (size / 2) / wu * wu;
	uint64_t max = geo_hdr_block(wu) + (PAYLOAD_MX + wu - 1) / wu * wu;

	return slot < max ? slot : max;
}

static uint64_t geo_capacity(uint64_t size, uint32_t wu)
{
	return geo_slot_size(size, wu) - geo_hdr_block(wu);
}

struct hdr_fields {
	uint32_t magic;
	uint16_t version, header_size;
	uint64_t generation, slot_size;
	uint32_t payload_len, payload_crc, blob_count, flags;
	uint8_t reserved_byte; /* written at offset 40 + reserved_at */
	unsigned int reserved_at;
};

static void hdr_default(struct hdr_fields *f, uint64_t gen, uint64_t slot_size, const uint8_t *pl,
                        uint32_t plen, uint32_t count)
{
	memset(f, 0, sizeof(*f));
	f->magic = 0x564e5343u;
	f->version = 1;
	f->header_size = HDR;
	f->generation = gen;
	f->slot_size = slot_size;
	f->payload_len = plen;
	f->payload_crc = ref_crc32c(pl, plen);
	f->blob_count = count;
}

static void hdr_encode(uint8_t h[HDR], const struct hdr_fields *f)
{
	memset(h, 0, HDR);
	le32(h + 0, f->magic);
	le16(h + 4, f->version);
	le16(h + 6, f->header_size);
	le64(h + 8, f->generation);
	le64(h + 16, f->slot_size);
	le32(h + 24, f->payload_len);
	le32(h + 28, f->payload_crc);
	le32(h + 32, f->blob_count);
	le32(h + 36, f->flags);
	h[40 + f->reserved_at] = f->reserved_byte;
	le32(h + 60, ref_crc32c(h, 60));
}

/* Appends a record (u8 name_len, name, u32 data_len, data); returns the new length. */
static size_t rec_encode(uint8_t *pl, size_t pos, const char *name, size_t name_len,
                         const void *data, uint32_t len)
{
	pl[pos] = (uint8_t)name_len;
	memcpy(pl + pos + 1, name, name_len);
	le32(pl + pos + 1 + name_len, len);
	if (len)
		memcpy(pl + pos + 5 + name_len, data, len);
	return pos + 5 + name_len + len;
}

/* ---- A host-memory block device: recording, failing, inspectable ---- */

enum { OP_WRITE, OP_FLUSH };

struct rec_op {
	int kind;
	uint64_t off;
	size_t len;
	uint8_t *data;
};

#define MAX_OPS 64

struct hdev {
	struct blkdev dev;
	uint8_t *img;
	bool record;
	struct rec_op ops[MAX_OPS];
	size_t nops;
	size_t reads;
	int answer; /* non-zero: every op answers this instead */
};

static int hdev_read(struct blkdev *dev, uint64_t off, void *buf, size_t len)
{
	struct hdev *h = dev->priv;

	if (h->answer)
		return h->answer;
	h->reads++;
	memcpy(buf, h->img + off, len);
	return 0;
}

static int hdev_write(struct blkdev *dev, uint64_t off, const void *buf, size_t len)
{
	struct hdev *h = dev->priv;

	if (h->answer)
		return h->answer;
	memcpy(h->img + off, buf, len);
	if (h->record) {
		struct rec_op *op = &h->ops[h->nops++];

		if (h->nops > MAX_OPS)
			ck_abort_msg("hdev: too many operations");
		op->kind = OP_WRITE;
		op->off = off;
		op->len = len;
		op->data = malloc(len);
		ck_assert_ptr_nonnull(op->data);
		memcpy(op->data, buf, len);
	}
	return 0;
}

static int hdev_flush(struct blkdev *dev)
{
	struct hdev *h = dev->priv;

	if (h->answer)
		return h->answer;
	if (h->record) {
		if (h->nops >= MAX_OPS)
			ck_abort_msg("hdev: too many operations");
		h->ops[h->nops].kind = OP_FLUSH;
		h->ops[h->nops].data = NULL;
		h->ops[h->nops].len = 0;
		h->nops++;
	}
	return 0;
}

static const struct blkdev_ops hdev_ops = {hdev_read, hdev_write, hdev_flush};

static void hdev_init(struct hdev *h, uint64_t size, uint32_t wu)
{
	memset(h, 0, sizeof(*h));
	h->img = calloc(1, size);
	ck_assert_ptr_nonnull(h->img);
	h->dev.ops = &hdev_ops;
	h->dev.size = size;
	h->dev.write_unit = wu;
	h->dev.name = "hdev";
	h->dev.priv = h;
}

static void hdev_clear_ops(struct hdev *h)
{
	for (size_t i = 0; i < h->nops; i++)
		free(h->ops[i].data);
	h->nops = 0;
}

static void hdev_free(struct hdev *h)
{
	hdev_clear_ops(h);
	free(h->img);
	h->img = NULL;
}

/* ---- A model of the blob set, to compare stores against ---- */

#define KV_MAX 40

struct kv {
	char name[NVSTORE_NAME_MAX + 1];
	uint8_t *data;
	size_t len;
};

struct kvset {
	struct kv e[KV_MAX];
	size_t n;
};

static int kv_find(const struct kvset *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->e[i].name, name) == 0)
			return (int)i;
	return -1;
}

static void kv_put(struct kvset *s, const char *name, const void *data, size_t len)
{
	int i = kv_find(s, name);
	struct kv *e;

	if (i < 0) {
		ck_assert_uint_lt(s->n, KV_MAX);
		i = (int)s->n++;
		snprintf(s->e[i].name, sizeof(s->e[i].name), "%s", name);
	} else {
		free(s->e[i].data);
	}
	e = &s->e[i];
	e->len = len;
	e->data = malloc(len ? len : 1);
	ck_assert_ptr_nonnull(e->data);
	if (len)
		memcpy(e->data, data, len);
}

static void kv_del(struct kvset *s, const char *name)
{
	int i = kv_find(s, name);

	if (i < 0)
		return;
	free(s->e[i].data);
	s->e[i] = s->e[--s->n];
}

static void kv_free(struct kvset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->e[i].data);
	s->n = 0;
}

static void kv_copy(struct kvset *dst, const struct kvset *src)
{
	kv_free(dst);
	for (size_t i = 0; i < src->n; i++)
		kv_put(dst, src->e[i].name, src->e[i].data, src->e[i].len);
}

/* True when the store holds exactly the blobs of `s`. */
static bool kv_equal_store(const struct kvset *s, struct nvstore *nv)
{
	if (nvstore_count(nv) != s->n)
		return false;
	for (size_t i = 0; i < s->n; i++) {
		const void *d;
		size_t len;

		if (nvstore_get(nv, s->e[i].name, &d, &len) != 0 || len != s->e[i].len ||
		    (len && memcmp(d, s->e[i].data, len) != 0))
			return false;
	}
	return true;
}

/* Makes the store's staged state equal `s`. */
static void kv_apply(const struct kvset *s, struct nvstore *nv)
{
	const char *name;

	for (size_t i = 0; i < nvstore_count(nv);) {
		ck_assert_int_eq(nvstore_get_at(nv, i, &name, NULL, NULL), 0);
		if (kv_find(s, name) < 0)
			ck_assert_int_eq(nvstore_delete(nv, name), 0);
		else
			i++;
	}
	for (size_t i = 0; i < s->n; i++)
		ck_assert_int_eq(nvstore_put(nv, s->e[i].name, s->e[i].data, s->e[i].len), 0);
}

/* Opens a store on `dev` and tells whether it holds exactly `s`. */
static bool dev_holds(struct blkdev *dev, const struct kvset *s)
{
	struct nvstore *nv;
	bool same;

	if (nvstore_open(dev, &nv) != 0)
		return false;
	same = kv_equal_store(s, nv);
	nvstore_close(nv);
	return same;
}

/* A random state over a fixed set of names, blobs of at most `maxlen` bytes. */
static void kv_random_step(struct kvset *s, size_t maxlen)
{
	static const char *const names[] = {"permall", "volatilestate", "savestate", "a",
	                                    "b",       "nvram-0001",    "z"};
	const char *name = names[rng_below(sizeof(names) / sizeof(names[0]))];

	if (rng_below(5) == 0) {
		kv_del(s, name);
	} else {
		size_t len = (size_t)rng_below(maxlen + 1);
		uint8_t *buf = malloc(len ? len : 1);

		ck_assert_ptr_nonnull(buf);
		fill_random(buf, len);
		kv_put(s, name, buf, len);
		free(buf);
	}
}

/* ---- CRC-32C ---- */

/* The check value and the RFC 3720 B.4 vectors (CRC bytes as sent, read little-endian). */
START_TEST(test_crc32c_vectors)
{
	uint8_t buf[32];

	ck_assert_uint_eq(crc32c(0, "123456789", 9), 0xe3069283u);
	ck_assert_uint_eq(crc32c(0, NULL, 0), 0);
	memset(buf, 0, sizeof(buf));
	ck_assert_uint_eq(crc32c(0, buf, 32), 0x8a9136aau);
	memset(buf, 0xff, sizeof(buf));
	ck_assert_uint_eq(crc32c(0, buf, 32), 0x62a8ab43u);
	for (int i = 0; i < 32; i++)
		buf[i] = (uint8_t)i;
	ck_assert_uint_eq(crc32c(0, buf, 32), 0x46dd794eu);
	for (int i = 0; i < 32; i++)
		buf[i] = (uint8_t)(31 - i);
	ck_assert_uint_eq(crc32c(0, buf, 32), 0x113fdb5cu);
}
END_TEST

/* Random buffers against the bitwise reference, whole and chained at every split. */
START_TEST(test_crc32c_random_and_chaining)
{
	uint8_t buf[300];

	rng_seed(7);
	for (int round = 0; round < 50; round++) {
		size_t len = (size_t)rng_below(sizeof(buf) + 1);
		uint32_t want;

		fill_random(buf, len);
		want = ref_crc32c(buf, len);
		if (crc32c(0, buf, len) != want)
			ck_abort_msg("crc32c of %zu random bytes", len);
		for (size_t cut = 0; cut <= len; cut++)
			if (crc32c(crc32c(0, buf, cut), buf + cut, len - cut) != want)
				ck_abort_msg("chained crc32c, cut %zu of %zu", cut, len);
	}
}
END_TEST

/* ---- blkdev wrappers ---- */

/* Ranges at and beyond the end, wrapping offsets, NULL buffers, zero lengths. */
START_TEST(test_blkdev_ranges)
{
	struct hdev h;
	uint8_t b[16] = {0};

	hdev_init(&h, 1000, 1);
	ck_assert_int_eq(blkdev_read(&h.dev, 0, b, 16), 0);
	ck_assert_int_eq(blkdev_read(&h.dev, 984, b, 16), 0);
	ck_assert_int_eq(blkdev_read(&h.dev, 985, b, 16), -CSVSM_ERANGE);
	ck_assert_int_eq(blkdev_read(&h.dev, 1000, b, 0), 0);
	ck_assert_int_eq(blkdev_read(&h.dev, 1001, b, 0), -CSVSM_ERANGE);
	ck_assert_int_eq(blkdev_read(&h.dev, UINT64_MAX, b, 2), -CSVSM_ERANGE);
	ck_assert_int_eq(blkdev_read(&h.dev, UINT64_MAX - 1, b, 16), -CSVSM_ERANGE);
	ck_assert_int_eq(blkdev_read(&h.dev, 8, b, SIZE_MAX), -CSVSM_ERANGE);
	ck_assert_int_eq(blkdev_write(&h.dev, 990, b, 16), -CSVSM_ERANGE);
	ck_assert_int_eq(blkdev_write(&h.dev, UINT64_MAX - 8, b, 16), -CSVSM_ERANGE);
	ck_assert_int_eq(blkdev_write(&h.dev, 0, NULL, 1), -CSVSM_EINVAL);
	ck_assert_int_eq(blkdev_read(&h.dev, 0, NULL, 1), -CSVSM_EINVAL);
	ck_assert_int_eq(blkdev_write(&h.dev, 3, "abc", 3), 0);
	ck_assert_int_eq(memcmp(h.img + 3, "abc", 3), 0);
	ck_assert_uint_eq(h.reads, 2); /* zero-length reads never reach the device */
	hdev_free(&h);
}
END_TEST

/* Broken devices are refused; odd back-end answers become EIO. */
START_TEST(test_blkdev_invalid_devices_and_answers)
{
	struct blkdev_ops no_flush = {hdev_read, hdev_write, NULL};
	struct hdev h;
	uint8_t b[4];

	ck_assert_int_eq(blkdev_read(NULL, 0, b, 1), -CSVSM_EINVAL);
	ck_assert(!blkdev_valid(NULL));
	hdev_init(&h, 100, 1);
	ck_assert(blkdev_valid(&h.dev));
	h.dev.write_unit = 3;
	ck_assert(!blkdev_valid(&h.dev));
	ck_assert_int_eq(blkdev_write(&h.dev, 0, b, 1), -CSVSM_EINVAL);
	h.dev.write_unit = 0;
	ck_assert_int_eq(blkdev_flush(&h.dev), -CSVSM_EINVAL);
	h.dev.write_unit = 4;
	h.dev.ops = &no_flush;
	ck_assert(!blkdev_valid(&h.dev));
	h.dev.ops = &hdev_ops;
	h.answer = 7; /* not an error code at all */
	ck_assert_int_eq(blkdev_read(&h.dev, 0, b, 1), -CSVSM_EIO);
	h.answer = -CSVSM_ENOMEM; /* not one the ops may answer */
	ck_assert_int_eq(blkdev_write(&h.dev, 0, b, 1), -CSVSM_EIO);
	ck_assert_int_eq(blkdev_flush(&h.dev), -CSVSM_EIO);
	h.answer = -CSVSM_ERANGE;
	ck_assert_int_eq(blkdev_read(&h.dev, 0, b, 1), -CSVSM_ERANGE);
	ck_assert_int_eq(blkdev_flush(&h.dev), -CSVSM_EIO);
	hdev_free(&h);
}
END_TEST

/* FAULT_SITE_NV_WRITE counts writes and flushes (not reads) and fails before the device. */
START_TEST(test_blkdev_nv_write_fault)
{
	struct hdev h;
	uint8_t b[4] = {1, 2, 3, 4};

	hdev_init(&h, 100, 1);
	fault_arm(FAULT_SITE_NV_WRITE, 2, false);
	ck_assert_int_eq(blkdev_read(&h.dev, 0, b, 4), 0);
	ck_assert_int_eq(blkdev_write(&h.dev, 0, b, 4), 0);
	ck_assert_int_eq(blkdev_write(&h.dev, 10, b, 4), -CSVSM_EIO);
	ck_assert(mem_is_zero_host(h.img + 10, 4));
	ck_assert_int_eq(blkdev_flush(&h.dev), 0);
	ck_assert_uint_eq(fault_op_count(FAULT_SITE_NV_WRITE), 3);
	fault_arm(FAULT_SITE_NV_WRITE, 1, false);
	ck_assert_int_eq(blkdev_flush(&h.dev), -CSVSM_EIO);
	ck_assert_int_eq(blkdev_write(&h.dev, 200, b, 4), -CSVSM_ERANGE); /* not counted */
	ck_assert_uint_eq(fault_op_count(FAULT_SITE_NV_WRITE), 1);
	fault_reset();
	hdev_free(&h);
}
END_TEST

/* The RAM device: zeroed, write-through, freed, bad arguments. */
START_TEST(test_blkdev_ram)
{
	struct blkdev dev;
	size_t live = mm_live_allocs();
	uint8_t b[8];

	ck_assert_int_eq(blkdev_ram_init(&dev, 0), -CSVSM_EINVAL);
	ck_assert_int_eq(blkdev_ram_init(NULL, 10), -CSVSM_EINVAL);
	ck_assert_int_eq(blkdev_ram_init(&dev, (uint64_t)1 << 40), -CSVSM_ENOMEM);
	ck_assert_int_eq(blkdev_ram_init(&dev, 5000), 0);
	ck_assert_uint_eq(dev.size, 5000);
	ck_assert_uint_eq(dev.write_unit, 1);
	ck_assert(blkdev_valid(&dev));
	ck_assert_int_eq(blkdev_read(&dev, 4992, b, 8), 0);
	ck_assert(mem_is_zero_host(b, 8));
	ck_assert_int_eq(blkdev_write(&dev, 4992, "abcdefgh", 8), 0);
	ck_assert_int_eq(blkdev_flush(&dev), 0);
	ck_assert_int_eq(memcmp((uint8_t *)dev.priv + 4992, "abcdefgh", 8), 0);
	ck_assert_int_eq(blkdev_write(&dev, 4993, b, 8), -CSVSM_ERANGE);
	blkdev_ram_free(&dev);
	ck_assert_ptr_null(dev.ops);
	blkdev_ram_free(&dev); /* no longer a RAM device: ignored */
	blkdev_ram_free(NULL);
	ck_assert_uint_eq(mm_live_allocs(), live);
	fault_arm(FAULT_SITE_ALLOC, 1, false);
	ck_assert_int_eq(blkdev_ram_init(&dev, 100), -CSVSM_ENOMEM);
	fault_reset();
	ck_assert_uint_eq(mm_live_allocs(), live);
}
END_TEST

/* ---- The store's API ---- */

/* A blank device (zeros, or erased flash) opens empty; commit with nothing staged writes nothing.
 */
START_TEST(test_open_blank)
{
	static const uint8_t fills[] = {0x00, 0xff};

	for (size_t f = 0; f < sizeof(fills); f++) {
		struct nvstore_stats st;
		struct nvstore *nv = (struct nvstore *)1;
		struct hdev h;
		const void *d;
		size_t len;

		hdev_init(&h, 8 * KIB, 1);
		memset(h.img, fills[f], 8 * KIB);
		h.record = true;
		ck_assert_int_eq(nvstore_open(&h.dev, &nv), 0);
		ck_assert_uint_eq(nvstore_count(nv), 0);
		ck_assert_int_eq(nvstore_get(nv, "permall", &d, &len), -CSVSM_ENOENT);
		ck_assert_int_eq(nvstore_commit(nv), 0);
		ck_assert_int_eq(nvstore_commit(nv), 0);
		nvstore_get_stats(nv, &st);
		ck_assert_uint_eq(st.generation, 0);
		ck_assert_uint_eq(st.commits, 0);
		ck_assert_uint_eq(st.commits_skipped, 2);
		ck_assert_uint_eq(st.bytes_written, 0);
		ck_assert_uint_eq(st.device_writes, 0);
		ck_assert_uint_eq(st.invalid_slots, 0);
		ck_assert_uint_eq(st.capacity, geo_capacity(8 * KIB, 1));
		ck_assert_uint_eq(h.nops, 0);
		ck_assert_str_eq(log_buf, "");
		nvstore_close(nv);
		hdev_free(&h);
	}
}
END_TEST

/* Put/get/delete, commit, reopen: the same blobs, one generation per commit. */
START_TEST(test_round_trip)
{
	uint8_t perm[1299], vol[8970];
	struct nvstore_stats st;
	struct nvstore *nv, *nv2;
	struct kvset want = {0};
	struct blkdev dev;
	const void *d;
	size_t len, live = mm_live_allocs();

	rng_seed(1);
	fill_random(perm, sizeof(perm));
	fill_random(vol, sizeof(vol));
	ck_assert_int_eq(blkdev_ram_init(&dev, 64 * KIB), 0);
	ck_assert_int_eq(nvstore_open(&dev, &nv), 0);
	ck_assert_int_eq(nvstore_put(nv, "permall", perm, sizeof(perm)), 0);
	ck_assert_int_eq(nvstore_put(nv, "volatilestate", vol, sizeof(vol)), 0);
	ck_assert_int_eq(nvstore_put(nv, "empty", NULL, 0), 0);
	kv_put(&want, "permall", perm, sizeof(perm));
	kv_put(&want, "volatilestate", vol, sizeof(vol));
	kv_put(&want, "empty", NULL, 0);
	ck_assert(kv_equal_store(&want, nv));
	ck_assert_int_eq(nvstore_get(nv, "permall", &d, &len), 0);
	ck_assert_uint_eq(len, sizeof(perm));
	ck_assert_int_eq(memcmp(d, perm, len), 0);
	ck_assert(!dev_holds(&dev, &want)); /* staged only */
	ck_assert_int_eq(nvstore_commit(nv), 0);
	nvstore_get_stats(nv, &st);
	ck_assert_uint_eq(st.generation, 1);
	ck_assert_uint_eq(st.commits, 1);
	ck_assert(!st.dirty);
	ck_assert(dev_holds(&dev, &want));

	/* Identical contents: nothing to do. */
	ck_assert_int_eq(nvstore_put(nv, "permall", perm, sizeof(perm)), 0);
	ck_assert_int_eq(nvstore_commit(nv), 0);
	nvstore_get_stats(nv, &st);
	ck_assert_uint_eq(st.commits, 1);
	ck_assert_uint_eq(st.commits_skipped, 1);

	/* A change, then a delete: generations 2 and 3, slots alternating. */
	perm[100] ^= 1;
	ck_assert_int_eq(nvstore_put(nv, "permall", perm, sizeof(perm)), 0);
	kv_put(&want, "permall", perm, sizeof(perm));
	ck_assert_int_eq(nvstore_commit(nv), 0);
	nvstore_get_stats(nv, &st);
	ck_assert_uint_eq(st.generation, 2);
	ck_assert_uint_eq(st.current_slot, 1);
	ck_assert(dev_holds(&dev, &want));
	ck_assert_int_eq(nvstore_delete(nv, "volatilestate"), 0);
	ck_assert_int_eq(nvstore_delete(nv, "volatilestate"), -CSVSM_ENOENT);
	kv_del(&want, "volatilestate");
	ck_assert_int_eq(nvstore_commit(nv), 0);
	nvstore_get_stats(nv, &st);
	ck_assert_uint_eq(st.generation, 3);
	ck_assert_uint_eq(st.current_slot, 0);
	ck_assert_uint_eq(st.blobs, 2);
	ck_assert_uint_eq(st.payload_bytes, (5 + 7 + sizeof(perm)) + (5 + 5));

	ck_assert_int_eq(nvstore_open(&dev, &nv2), 0);
	ck_assert(kv_equal_store(&want, nv2));
	nvstore_get_stats(nv2, &st);
	ck_assert_uint_eq(st.generation, 3);
	ck_assert_uint_eq(st.current_slot, 0);
	ck_assert_uint_eq(st.invalid_slots, 0);
	nvstore_close(nv2);
	nvstore_close(nv);
	blkdev_ram_free(&dev);
	kv_free(&want);
	ck_assert_uint_eq(mm_live_allocs(), live);
	ck_assert_str_eq(log_buf, "");
}
END_TEST

/* Changes that cancel out write nothing: the staged state is compared with the last good one. */
START_TEST(test_cancelled_changes)
{
	struct nvstore_stats st;
	struct nvstore *nv;
	struct hdev h;

	hdev_init(&h, 8 * KIB, 1);
	h.record = true;
	ck_assert_int_eq(nvstore_open(&h.dev, &nv), 0);
	/* Blank device: a put then its delete leaves the empty state. */
	ck_assert_int_eq(nvstore_put(nv, "tmp", "x", 1), 0);
	ck_assert_int_eq(nvstore_delete(nv, "tmp"), 0);
	ck_assert_int_eq(nvstore_commit(nv), 0);
	ck_assert_uint_eq(h.nops, 0);
	ck_assert_int_eq(nvstore_put(nv, "permall", "v1", 2), 0);
	ck_assert_int_eq(nvstore_commit(nv), 0);
	ck_assert_uint_gt(h.nops, 0);
	hdev_clear_ops(&h);
	/* Changed, then changed back; deleted, then put back. */
	ck_assert_int_eq(nvstore_put(nv, "permall", "v2", 2), 0);
	ck_assert_int_eq(nvstore_put(nv, "permall", "v1", 2), 0);
	ck_assert_int_eq(nvstore_commit(nv), 0);
	ck_assert_int_eq(nvstore_delete(nv, "permall"), 0);
	ck_assert_int_eq(nvstore_put(nv, "permall", "v1", 2), 0);
	ck_assert_int_eq(nvstore_commit(nv), 0);
	ck_assert_uint_eq(h.nops, 0);
	nvstore_get_stats(nv, &st);
	ck_assert_uint_eq(st.commits, 1);
	ck_assert_uint_eq(st.commits_skipped, 3);
	ck_assert_uint_eq(st.generation, 1);
	ck_assert(!st.dirty);
	nvstore_close(nv);
	/* The same after a reopen: the loaded state is the reference. */
	ck_assert_int_eq(nvstore_open(&h.dev, &nv), 0);
	ck_assert_int_eq(nvstore_put(nv, "permall", "v3", 2), 0);
	ck_assert_int_eq(nvstore_put(nv, "permall", "v1", 2), 0);
	ck_assert_int_eq(nvstore_commit(nv), 0);
	ck_assert_uint_eq(h.nops, 0);
	ck_assert_int_eq(nvstore_put(nv, "permall", "v3", 2), 0);
	ck_assert_int_eq(nvstore_commit(nv), 0);
	ck_assert_uint_eq(h.nops, 4);
	nvstore_close(nv);
	hdev_free(&h);
}
END_TEST

/* Names: 1..31 bytes; bad ones refused by put, not found by get/delete. Listing is sorted. */
START_TEST(test_names_and_listing)
{
	char n31[32], n32[33];
	struct nvstore *nv;
	struct blkdev dev;
	const char *name;
	const void *d;
	size_t len;

	memset(n31, 'x', 31);
	n31[31] = '\0';
	memset(n32, 'y', 32);
	n32[32] = '\0';
	ck_assert_int_eq(blkdev_ram_init(&dev, 16 * KIB), 0);
	ck_assert_int_eq(nvstore_open(&dev, &nv), 0);
	ck_assert_int_eq(nvstore_put(nv, NULL, "a", 1), -CSVSM_EINVAL);
	ck_assert_int_eq(nvstore_put(nv, "", "a", 1), -CSVSM_EINVAL);
	ck_assert_int_eq(nvstore_put(nv, n32, "a", 1), -CSVSM_EINVAL);
	ck_assert_int_eq(nvstore_put(nv, "ok", NULL, 1), -CSVSM_EINVAL);
	ck_assert_int_eq(nvstore_put(NULL, "ok", "a", 1), -CSVSM_EINVAL);
	ck_assert_int_eq(nvstore_get(nv, n32, &d, &len), -CSVSM_ENOENT);
	ck_assert_int_eq(nvstore_get(nv, NULL, &d, &len), -CSVSM_ENOENT);
	ck_assert_int_eq(nvstore_delete(nv, ""), -CSVSM_ENOENT);
	ck_assert_int_eq(nvstore_commit(NULL), -CSVSM_EINVAL);
	ck_assert_uint_eq(nvstore_count(nv), 0);

	ck_assert_int_eq(nvstore_put(nv, n31, "31", 2), 0);
	ck_assert_int_eq(nvstore_put(nv, "b", "2", 1), 0);
	ck_assert_int_eq(nvstore_put(nv, "B", "1", 1), 0);
	ck_assert_int_eq(nvstore_put(nv, "\xff", "3", 1), 0); /* names are bytes */
	ck_assert_int_eq(nvstore_put(nv, "ba", "4", 1), 0);
	ck_assert_int_eq(nvstore_commit(nv), 0);
	nvstore_close(nv);
	ck_assert_int_eq(nvstore_open(&dev, &nv), 0);
	{
		static const char *const order[] = {"B", "b", "ba",
		                                    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "\xff"};

		ck_assert_uint_eq(nvstore_count(nv), 5);
		for (size_t i = 0; i < 5; i++) {
			ck_assert_int_eq(nvstore_get_at(nv, i, &name, &d, &len), 0);
			ck_assert_str_eq(name, order[i]);
		}
		ck_assert_int_eq(nvstore_get_at(nv, 5, &name, &d, &len), -CSVSM_ENOENT);
	}
	ck_assert_int_eq(nvstore_get(nv, n31, &d, &len), 0);
	ck_assert_uint_eq(len, 2);
	ck_assert_int_eq(memcmp(d, "31", 2), 0);
	nvstore_close(nv);
	nvstore_close(NULL);
	blkdev_ram_free(&dev);
}
END_TEST

/* Capacity: the state fills a slot exactly, one more byte is ENOSPC, nothing changes. */
START_TEST(test_capacity_and_enospc)
{
	static const uint32_t wus[] = {1, 512};

	for (size_t w = 0; w < 2; w++) {
		uint32_t wu = wus[w];
		uint64_t size = 6000, cap = geo_capacity(size, wu);
		struct nvstore_stats st;
		struct nvstore *nv;
		struct kvset want = {0};
		struct hdev h;
		uint8_t *big = calloc(1, cap);
		size_t fill = cap - (5 + 3) - (5 + 1 + 10);

		ck_assert_ptr_nonnull(big);
		hdev_init(&h, size, wu);
		ck_assert_int_eq(nvstore_open(&h.dev, &nv), 0);
		nvstore_get_stats(nv, &st);
		ck_assert_uint_eq(st.capacity, cap);
		ck_assert_int_eq(nvstore_put(nv, "a", "0123456789", 10), 0);
		ck_assert_int_eq(nvstore_put(nv, "big", big, fill + 1), -CSVSM_ENOSPC);
		ck_assert(log_has("no room for blob big"));
		ck_assert_int_eq(nvstore_put(nv, "big", big, fill), 0);
		ck_assert_int_eq(nvstore_put(nv, "c", NULL, 0), -CSVSM_ENOSPC);
		ck_assert_int_eq(nvstore_put(nv, "big", big, fill + 1), -CSVSM_ENOSPC);
		/* Shrinking a blob makes room again. */
		ck_assert_int_eq(nvstore_put(nv, "a", "0123", 4), 0);
		ck_assert_int_eq(nvstore_put(nv, "c", NULL, 0), 0);
		nvstore_get_stats(nv, &st);
		ck_assert_uint_eq(st.payload_bytes, cap);
		kv_put(&want, "a", "0123", 4);
		kv_put(&want, "big", big, fill);
		kv_put(&want, "c", NULL, 0);
		ck_assert(kv_equal_store(&want, nv));
		ck_assert_int_eq(nvstore_commit(nv), 0);
		ck_assert(dev_holds(&h.dev, &want));
		ck_assert_int_eq(nvstore_put(nv, "big", big, (size_t)1 << 40), -CSVSM_ENOSPC);
		ck_assert_int_eq(nvstore_put(nv, "big", big, SIZE_MAX), -CSVSM_ENOSPC);
		ck_assert(kv_equal_store(&want, nv));
		nvstore_close(nv);
		kv_free(&want);
		hdev_free(&h);
		free(big);
	}
}
END_TEST

/* Devices too small for two slots; write units beyond 64 KiB; broken devices. */
START_TEST(test_open_device_errors)
{
	struct nvstore *nv = (struct nvstore *)1;
	struct hdev h;

	/* wu 1: a slot needs 64 bytes of header and 64 of payload: 256 bytes. */
	hdev_init(&h, 255, 1);
	ck_assert_int_eq(nvstore_open(&h.dev, &nv), -CSVSM_ENOSPC);
	ck_assert_ptr_null(nv);
	ck_assert(log_has("too small"));
	hdev_free(&h);
	hdev_init(&h, 256, 1);
	ck_assert_int_eq(nvstore_open(&h.dev, &nv), 0);
	nvstore_close(nv);
	hdev_free(&h);
	hdev_init(&h, 4 * 4096 - 1, 4096);
	ck_assert_int_eq(nvstore_open(&h.dev, &nv), -CSVSM_ENOSPC);
	hdev_free(&h);
	hdev_init(&h, 4 * 4096, 4096);
	ck_assert_int_eq(nvstore_open(&h.dev, &nv), 0);
	nvstore_close(nv);
	hdev_free(&h);
	hdev_init(&h, 1 << 20, 1 << 17);
	ck_assert_int_eq(nvstore_open(&h.dev, &nv), -CSVSM_EINVAL);
	h.dev.write_unit = 3;
	ck_assert_int_eq(nvstore_open(&h.dev, &nv), -CSVSM_EINVAL);
	h.dev.write_unit = 1;
	ck_assert_int_eq(nvstore_open(&h.dev, NULL), -CSVSM_EINVAL);
	ck_assert_int_eq(nvstore_open(NULL, &nv), -CSVSM_EINVAL);
	h.answer = -CSVSM_EIO;
	ck_assert_int_eq(nvstore_open(&h.dev, &nv), -CSVSM_EIO);
	ck_assert_ptr_null(nv);
	ck_assert(log_has("reading slot 0 failed"));
	hdev_free(&h);
}
END_TEST

/*
 * The writes of a commit: payload (padded to the write unit) then header
 * block, each followed by a flush; all aligned to the write unit. Sizes of
 * a typical libtpms state (permall 1299 B, volatilestate 8970 B).
 */
START_TEST(test_commit_write_pattern)
{
	static const uint32_t wus[] = {1, 16, 64, 512, 4096};
	uint8_t perm[1299], vol[8970];

	rng_seed(3);
	fill_random(perm, sizeof(perm));
	fill_random(vol, sizeof(vol));
	for (size_t w = 0; w < sizeof(wus) / sizeof(wus[0]); w++) {
		uint32_t wu = wus[w];
		uint64_t size = 128 * KIB, slot = geo_slot_size(size, wu), hb = geo_hdr_block(wu);
		size_t payload = (5 + 7 + sizeof(perm)) + (5 + 13 + sizeof(vol));
		size_t padded = (payload + wu - 1) / wu * wu;
		struct nvstore_stats st;
		struct nvstore *nv;
		struct hdev h;

		hdev_init(&h, size, wu);
		ck_assert_int_eq(nvstore_open(&h.dev, &nv), 0);
		ck_assert_int_eq(nvstore_put(nv, "permall", perm, sizeof(perm)), 0);
		ck_assert_int_eq(nvstore_put(nv, "volatilestate", vol, sizeof(vol)), 0);
		/* The first commit on a blank device writes both slots: 4 writes, 4 flushes. */
		h.record = true;
		ck_assert_int_eq(nvstore_commit(nv), 0);
		ck_assert_uint_eq(h.nops, 8);
		nvstore_get_stats(nv, &st);
		ck_assert_uint_eq(st.device_writes, 4);
		ck_assert_uint_eq(st.device_flushes, 4);
		ck_assert_uint_eq(st.bytes_written, 2 * (hb + padded));
		hdev_clear_ops(&h);

		/* A later commit: the other slot, 2 writes + 2 flushes. */
		vol[5] ^= 0x80;
		ck_assert_int_eq(nvstore_put(nv, "volatilestate", vol, sizeof(vol)), 0);
		ck_assert_int_eq(nvstore_commit(nv), 0);
		nvstore_get_stats(nv, &st);
		ck_assert_uint_eq(st.current_slot, 1);
		ck_assert_uint_eq(h.nops, 4);
		ck_assert_int_eq(h.ops[0].kind, OP_WRITE);
		ck_assert_uint_eq(h.ops[0].off, slot + hb);
		ck_assert_uint_eq(h.ops[0].len, padded);
		ck_assert_int_eq(h.ops[1].kind, OP_FLUSH);
		ck_assert_int_eq(h.ops[2].kind, OP_WRITE);
		ck_assert_uint_eq(h.ops[2].off, slot);
		ck_assert_uint_eq(h.ops[2].len, hb);
		ck_assert_int_eq(h.ops[3].kind, OP_FLUSH);
		for (size_t i = 0; i < h.nops; i += 2)
			ck_assert(h.ops[i].off % wu == 0 && h.ops[i].len % wu == 0);
		ck_assert_uint_eq(st.device_writes, 6);
		ck_assert_uint_eq(st.bytes_written, 3 * (hb + padded));
		/* The header block: the header, then zeros. */
		ck_assert(mem_is_zero_host(h.ops[2].data + HDR, hb - HDR));
		ck_assert(mem_is_zero_host(h.ops[0].data + payload, padded - payload));
		nvstore_close(nv);
		hdev_free(&h);
	}
}
END_TEST

/* An image written by the independent encoder opens with exactly its blobs. */
START_TEST(test_reads_independent_encoding)
{
	uint64_t size = 4 * KIB, slot = geo_slot_size(size, 1);
	struct nvstore_stats st;
	struct nvstore *nv;
	struct hdr_fields f;
	struct kvset want = {0};
	uint8_t pl[256];
	size_t plen = 0;
	struct hdev h;

	hdev_init(&h, size, 1);
	plen = rec_encode(pl, plen, "alpha", 5, "AAAA", 4);
	plen = rec_encode(pl, plen, "beta", 4, "", 0);
	plen = rec_encode(pl, plen, "gamma", 5, "GG", 2);
	memcpy(h.img + slot + HDR, pl, plen);
	hdr_default(&f, 41, slot, pl, (uint32_t)plen, 3);
	hdr_encode(h.img + slot, &f);
	/* Slot 0: an older generation with other contents. */
	plen = rec_encode(pl, 0, "old", 3, "o", 1);
	memcpy(h.img + HDR, pl, plen);
	hdr_default(&f, 40, slot, pl, (uint32_t)plen, 1);
	hdr_encode(h.img, &f);
	kv_put(&want, "alpha", "AAAA", 4);
	kv_put(&want, "beta", NULL, 0);
	kv_put(&want, "gamma", "GG", 2);
	ck_assert_int_eq(nvstore_open(&h.dev, &nv), 0);
	ck_assert(kv_equal_store(&want, nv));
	nvstore_get_stats(nv, &st);
	ck_assert_uint_eq(st.generation, 41);
	ck_assert_uint_eq(st.current_slot, 1);
	/* The next commit goes to slot 0 with generation 42, as the encoder would write it. */
	ck_assert_int_eq(nvstore_delete(nv, "beta"), 0);
	ck_assert_int_eq(nvstore_commit(nv), 0);
	plen = rec_encode(pl, 0, "alpha", 5, "AAAA", 4);
	plen = rec_encode(pl, plen, "gamma", 5, "GG", 2);
	hdr_default(&f, 42, slot, pl, (uint32_t)plen, 2);
	{
		uint8_t want_hdr[HDR];

		hdr_encode(want_hdr, &f);
		ck_assert_int_eq(memcmp(h.img, want_hdr, HDR), 0);
		ck_assert_int_eq(memcmp(h.img + HDR, pl, plen), 0);
	}
	nvstore_close(nv);
	kv_free(&want);
	hdev_free(&h);
}
END_TEST

/* ---- Crash at every write, every torn prefix ---- */

struct crash_tally {
	unsigned long images;
	unsigned long old_seen, new_seen;
	/* Optional: the image number `pick` is copied to `picked` (if non-NULL). */
	unsigned long pick;
	uint8_t *picked;
	bool picked_new;
};

static void apply_op(uint8_t *img, const struct rec_op *op, size_t len)
{
	memcpy(img + op->off, op->data, len);
}

/* Opens the image; it must hold exactly `old` or exactly `new`. Returns true for `new`. */
static bool crash_classify(struct hdev *scratch, const struct kvset *old, const struct kvset *new,
                           struct crash_tally *t, const char *where, size_t op, size_t prefix)
{
	struct nvstore *nv;
	bool is_old, is_new;
	int rc;

	log_clear();
	rc = nvstore_open(&scratch->dev, &nv);
	if (rc != 0)
		ck_abort_msg("%s: crash in op %zu after %zu bytes: open failed %s (%s)", where, op,
		             prefix, csvsm_strerror(rc), log_buf);
	is_old = kv_equal_store(old, nv);
	is_new = kv_equal_store(new, nv);
	nvstore_close(nv);
	if (!is_old && !is_new)
		ck_abort_msg(
		    "%s: crash in op %zu after %zu bytes: neither the old nor the new state", where,
		    op, prefix);
	if (t->picked != NULL && t->images == t->pick) {
		memcpy(t->picked, scratch->img, scratch->dev.size);
		t->picked_new = is_new;
	}
	t->images++;
	if (is_new)
		t->new_seen++;
	else
		t->old_seen++;
	return is_new;
}

/*
 * Every crash of the recorded operations: for each write, the writes
 * before it since the last flush either all present or all lost, and the
 * write itself torn after every whole write unit (0..len bytes). Flushed
 * writes are always present. The image with nothing written must be the
 * old state, the image with everything written the new one.
 */
static void crash_enumerate(const uint8_t *base, uint64_t size, uint32_t wu,
                            const struct rec_op *ops, size_t nops, const struct kvset *old,
                            const struct kvset *new, struct crash_tally *t, const char *where)
{
	uint8_t *dur = malloc(size);
	struct hdev scratch;
	size_t start = 0;
	bool first = true;

	ck_assert_ptr_nonnull(dur);
	memcpy(dur, base, size);
	hdev_init(&scratch, size, wu);
	for (size_t i = 0; i < nops; i++) {
		if (ops[i].kind == OP_FLUSH) {
			for (size_t k = start; k < i; k++)
				apply_op(dur, &ops[k], ops[k].len);
			start = i + 1;
			continue;
		}
		for (int with_earlier = 1; with_earlier >= (i > start ? 0 : 1); with_earlier--) {
			for (size_t p = 0;; p += wu) {
				bool is_new;

				if (p > ops[i].len)
					p = ops[i].len;
				memcpy(scratch.img, dur, size);
				if (with_earlier)
					for (size_t k = start; k < i; k++)
						apply_op(scratch.img, &ops[k], ops[k].len);
				apply_op(scratch.img, &ops[i], p);
				is_new = crash_classify(&scratch, old, new, t, where, i, p);
				if (first && is_new)
					ck_abort_msg("%s: nothing written, yet the new state",
					             where);
				first = false;
				if (p == ops[i].len)
					break;
			}
		}
	}
	for (size_t k = start; k < nops; k++)
		apply_op(dur, &ops[k], ops[k].len);
	memcpy(scratch.img, dur, size);
	if (!crash_classify(&scratch, old, new, t, where, nops, 0))
		ck_abort_msg("%s: everything written and flushed, yet the old state", where);
	hdev_free(&scratch);
	free(dur);
}

struct crash_config {
	uint32_t wu;
	uint64_t size;
	size_t maxlen; /* largest random blob */
	unsigned int commits;
	uint64_t seed;
};

static const struct crash_config crash_configs[] = {
    {1, 4 * KIB, 200, 25, 11},     /* byte-granular tears (a file) */
    {16, 8 * KIB, 600, 25, 12},    /* small flash write buffer */
    {512, 64 * KIB, 12000, 20, 13} /* disk sectors, libtpms-sized blobs */
};

/*
 * A random sequence of commits on one device; at each, every crash image
 * opens as the old or the new state. Every third commit continues from a
 * (seeded) crash image instead of the completed commit, so that commits
 * over torn slots are covered too.
 */
START_TEST(test_crash_every_write)
{
	const struct crash_config *cfg = &crash_configs[_i];
	struct kvset cur = {0}, next = {0};
	struct crash_tally t = {0};
	uint8_t *base = malloc(cfg->size), *picked = malloc(cfg->size);
	struct nvstore *nv;
	struct hdev h;
	char where[64];

	ck_assert(base != NULL && picked != NULL);
	rng_seed(cfg->seed);
	hdev_init(&h, cfg->size, cfg->wu);
	ck_assert_int_eq(nvstore_open(&h.dev, &nv), 0);
	for (unsigned int c = 0; c < cfg->commits; c++) {
		kv_copy(&next, &cur);
		for (uint64_t k = 1 + rng_below(3); k > 0; k--)
			kv_random_step(&next, cfg->maxlen);
		kv_apply(&next, nv);
		memcpy(base, h.img, cfg->size);
		hdev_clear_ops(&h);
		h.record = true;
		ck_assert_int_eq(nvstore_commit(nv), 0);
		h.record = false;
		snprintf(where, sizeof(where), "wu %u commit %u", cfg->wu, c);
		t.picked = c % 3 == 2 ? picked : NULL;
		t.pick = t.images + rng_below(2 * h.nops + 2);
		crash_enumerate(base, cfg->size, cfg->wu, h.ops, h.nops, &cur, &next, &t, where);
		if (t.picked != NULL && t.pick < t.images) {
			/* Power came back on the picked image: reopen there and go on. */
			nvstore_close(nv);
			memcpy(h.img, picked, cfg->size);
			ck_assert_int_eq(nvstore_open(&h.dev, &nv), 0);
			if (!t.picked_new)
				continue; /* `cur` stays the state on the device */
		}
		kv_copy(&cur, &next);
		ck_assert(kv_equal_store(&cur, nv));
	}
	ck_assert_uint_gt(t.old_seen, cfg->commits);
	ck_assert_uint_gt(t.new_seen, cfg->commits);
	nvstore_close(nv);
	hdev_free(&h);
	kv_free(&cur);
	kv_free(&next);
	free(base);
	free(picked);
}
END_TEST

/* One libtpms-sized commit (permall 1299 B + volatilestate 8970 B) torn at every byte. */
START_TEST(test_crash_libtpms_state_bytewise)
{
	uint8_t perm[1299], vol[8970];
	struct kvset old = {0}, new = {0};
	struct crash_tally t = {0};
	uint64_t size = 32 * KIB;
	uint8_t *base = malloc(size);
	struct nvstore *nv;
	struct hdev h;

	rng_seed(21);
	fill_random(perm, sizeof(perm));
	fill_random(vol, sizeof(vol));
	hdev_init(&h, size, 1);
	ck_assert_int_eq(nvstore_open(&h.dev, &nv), 0);
	kv_put(&old, "permall", perm, sizeof(perm));
	kv_put(&old, "volatilestate", vol, sizeof(vol));
	kv_apply(&old, nv);
	ck_assert_int_eq(nvstore_commit(nv), 0);
	kv_copy(&new, &old);
	perm[0] ^= 1;
	vol[8969] ^= 1;
	kv_put(&new, "permall", perm, sizeof(perm));
	kv_put(&new, "volatilestate", vol, sizeof(vol));
	kv_apply(&new, nv);
	memcpy(base, h.img, size);
	h.record = true;
	ck_assert_int_eq(nvstore_commit(nv), 0);
	crash_enumerate(base, size, 1, h.ops, h.nops, &old, &new, &t, "libtpms-sized");
	/* payload (two records) + header 64, each torn at 0..len, plus the final image. */
	ck_assert_uint_eq(t.images, ((5 + 7 + 1299) + (5 + 13 + 8970) + 1) + (64 + 1) + 1);
	ck_assert_uint_eq(t.new_seen, 2); /* the complete header, and the final image */
	nvstore_close(nv);
	hdev_free(&h);
	kv_free(&old);
	kv_free(&new);
	free(base);
}
END_TEST

/* The first commit on a blank device (with its copy) torn everywhere: empty or new. */
START_TEST(test_crash_first_commit)
{
	static const uint32_t wus[] = {1, 64};

	for (size_t w = 0; w < 2; w++) {
		struct kvset empty = {0}, new = {0};
		struct crash_tally t = {0};
		uint64_t size = 2 * KIB;
		uint8_t base[2 * KIB];
		struct nvstore *nv;
		struct hdev h;

		hdev_init(&h, size, wus[w]);
		memset(h.img, w ? 0xff : 0x00, size);
		memcpy(base, h.img, size);
		ck_assert_int_eq(nvstore_open(&h.dev, &nv), 0);
		kv_put(&new, "permall", "0123456789abcdef", 16);
		kv_put(&new, "x", "y", 1);
		kv_apply(&new, nv);
		h.record = true;
		ck_assert_int_eq(nvstore_commit(nv), 0);
		ck_assert_uint_eq(h.nops, 8);
		crash_enumerate(base, size, wus[w], h.ops, h.nops, &empty, &new, &t,
		                "first commit");
		ck_assert_uint_gt(t.old_seen, 0);
		ck_assert_uint_gt(t.new_seen, 0);
		nvstore_close(nv);
		hdev_free(&h);
		kv_free(&new);
	}
}
END_TEST

/* ---- Corrupt, crafted, truncated images ---- */

/*
 * A device (8 KiB, write unit 1) after three commits: slot 0 holds
 * generation 3 (state s3), slot 1 generation 2 (state s2).
 */
struct three_gen {
	struct hdev h;
	struct kvset s2, s3;
	uint64_t slot;
	uint8_t *good; /* the image */
};

static void three_gen_build(struct three_gen *g)
{
	struct kvset s1 = {0};
	struct nvstore *nv;

	memset(g, 0, sizeof(*g));
	hdev_init(&g->h, 8 * KIB, 1);
	g->slot = geo_slot_size(8 * KIB, 1);
	kv_put(&s1, "permall", "one", 3);
	kv_copy(&g->s2, &s1);
	kv_put(&g->s2, "volatilestate", "two-two", 7);
	kv_copy(&g->s3, &g->s2);
	kv_put(&g->s3, "permall", "three!", 6);
	kv_put(&g->s3, "savestate", "3", 1);
	ck_assert_int_eq(nvstore_open(&g->h.dev, &nv), 0);
	kv_apply(&s1, nv);
	ck_assert_int_eq(nvstore_commit(nv), 0);
	kv_apply(&g->s2, nv);
	ck_assert_int_eq(nvstore_commit(nv), 0);
	kv_apply(&g->s3, nv);
	ck_assert_int_eq(nvstore_commit(nv), 0);
	nvstore_close(nv);
	g->good = malloc(8 * KIB);
	ck_assert_ptr_nonnull(g->good);
	memcpy(g->good, g->h.img, 8 * KIB);
	kv_free(&s1);
}

static void three_gen_free(struct three_gen *g)
{
	hdev_free(&g->h);
	kv_free(&g->s2);
	kv_free(&g->s3);
	free(g->good);
}

/*
 * With slot `bad` damaged in h.img: open must fall back to the other slot's
 * state `want` (generation `gen`), flag the bad slot, and a commit must
 * leave the good slot byte for byte intact and be read back.
 */
static void expect_fallback(struct three_gen *g, unsigned int bad, const struct kvset *want,
                            uint64_t gen, const char *what, size_t a, const char *reason)
{
	unsigned int good = bad ^ 1;
	struct nvstore_stats st;
	struct kvset after = {0};
	struct nvstore *nv;
	int rc;

	log_clear();
	rc = nvstore_open(&g->h.dev, &nv);
	if (rc != 0)
		ck_abort_msg("%s %zu: open %s", what, a, csvsm_strerror(rc));
	nvstore_get_stats(nv, &st);
	if (!kv_equal_store(want, nv) || st.generation != gen || st.invalid_slots != 1u << bad ||
	    st.current_slot != good)
		ck_abort_msg("%s %zu: did not fall back to slot %u (gen %llu, invalid %u)", what, a,
		             good, (unsigned long long)st.generation, st.invalid_slots);
	if (!log_has("holds no valid state") || (reason != NULL && !log_has(reason)))
		ck_abort_msg("%s %zu: reason not logged: %s", what, a, log_buf);
	kv_copy(&after, want);
	kv_put(&after, "after", "corruption", 10);
	kv_apply(&after, nv);
	if (nvstore_commit(nv) != 0)
		ck_abort_msg("%s %zu: commit failed", what, a);
	nvstore_close(nv);
	if (memcmp(g->h.img + good * g->slot, g->good + good * g->slot, g->slot) != 0)
		ck_abort_msg("%s %zu: the commit wrote into the good slot", what, a);
	if (!dev_holds(&g->h.dev, &after))
		ck_abort_msg("%s %zu: state after the commit not read back", what, a);
	kv_free(&after);
}

/* Every bit of both headers flipped, one at a time. */
START_TEST(test_header_bit_flips)
{
	struct three_gen g;

	three_gen_build(&g);
	for (unsigned int bad = 0; bad < 2; bad++) {
		for (size_t bit = 0; bit < HDR * 8; bit++) {
			memcpy(g.h.img, g.good, 8 * KIB);
			g.h.img[bad * g.slot + bit / 8] ^= (uint8_t)(1u << (bit % 8));
			expect_fallback(&g, bad, bad == 0 ? &g.s2 : &g.s3, bad == 0 ? 2 : 3,
			                "header bit", bit, NULL);
		}
	}
	three_gen_free(&g);
}
END_TEST

/* Every bit of the newest payload flipped: back to the older state. */
START_TEST(test_payload_bit_flips)
{
	struct three_gen g;
	size_t plen = (5 + 7 + 6) + (5 + 9 + 1) + (5 + 13 + 7);

	three_gen_build(&g);
	for (size_t bit = 0; bit < plen * 8; bit++) {
		memcpy(g.h.img, g.good, 8 * KIB);
		g.h.img[HDR + bit / 8] ^= (uint8_t)(1u << (bit % 8));
		expect_fallback(&g, 0, &g.s2, 2, "payload bit", bit, "payload checksum mismatch");
	}
	/* Bytes after the payload are not part of the state. */
	memcpy(g.h.img, g.good, 8 * KIB);
	g.h.img[HDR + plen] ^= 0xff;
	ck_assert(dev_holds(&g.h.dev, &g.s3));
	three_gen_free(&g);
}
END_TEST

/* A crafted slot: everything the encoder wrote, then one defect. */
struct crafted {
	const char *name;
	const char *reason; /* expected in the log */
};

static const struct crafted crafted_cases[] = {
    {"magic", "bad magic"},
    {"header crc", "header checksum mismatch"},
    {"version 2", "unsupported format version"},
    {"header size 65", "bad header size"},
    {"flags", "reserved bytes"},
    {"reserved byte", "reserved bytes"},
    {"generation 0", "generation out of range"},
    {"generation 2^62+1", "generation out of range"},
    {"slot size", "slot size differs"},
    {"payload beyond the slot", "exceeds the slot"},
    {"payload length 2^32-1", "exceeds the slot"},
    {"blob count huge", "more blobs than the payload can hold"},
    {"payload crc", "payload checksum mismatch"},
    {"name length 0", "name length out of range"},
    {"name length 32", "name length out of range"},
    {"NUL in name", "contains a NUL"},
    {"data beyond payload", "beyond the payload"},
    {"data length 2^32-1", "beyond the payload"},
    {"record truncated", "record truncated"},
    {"duplicate names", "duplicate blob name"},
    {"names out of order", "out of order"},
    {"count too small", "more blobs than the header counts"},
    {"count too large", "fewer blobs than the header counts"},
    {"oversized blob", "beyond the payload"},
};

/* Writes crafted case `c` as generation 4 into slot 0 of `img` (slot size `slot`). */
static void craft(uint8_t *img, uint64_t slot, size_t c)
{
	uint64_t cap = slot - HDR;
	struct hdr_fields f;
	uint8_t pl[512];
	size_t n = 0;
	uint32_t count = 2;

	memset(img, 0, slot);
	n = rec_encode(pl, n, "aa", 2, "xy", 2);
	n = rec_encode(pl, n, "bb", 2, "zw", 2);
	switch (c) {
	case 13: /* name length 0 */
		pl[0] = 0;
		break;
	case 14: /* name length 32 */
		pl[0] = 32;
		break;
	case 15: /* NUL in name */
		pl[2] = 0;
		break;
	case 16: /* data length one beyond the payload */
		le32(pl + 3 + 9, 3);
		break;
	case 17:
		le32(pl + 3 + 9, 0xffffffffu);
		break;
	case 18: /* payload ends inside the second record's header */
		n = 9 + 4;
		break;
	case 19:
		pl[9 + 1] = 'a';
		pl[9 + 2] = 'a';
		break;
	case 20: /* "bb" then "aa" */
		n = rec_encode(pl, 0, "bb", 2, "zw", 2);
		n = rec_encode(pl, n, "aa", 2, "xy", 2);
		break;
	case 21:
		count = 1;
		break;
	case 22:
		count = 3;
		break;
	case 23: /* one blob claiming the whole slot and more */
		n = rec_encode(pl, 0, "big", 3, "", 0);
		le32(pl + 4, (uint32_t)cap);
		count = 1;
		break;
	default:
		break;
	}
	hdr_default(&f, 4, slot, pl, (uint32_t)n, count);
	switch (c) {
	case 0:
		f.magic ^= 0x100;
		break;
	case 2:
		f.version = 2;
		break;
	case 3:
		f.header_size = 65;
		break;
	case 4:
		f.flags = 2; /* bit 0 is NVSTORE_FLAG_SEALED (tests/check_nvseal.c) */
		break;
	case 5:
		f.reserved_at = 19;
		f.reserved_byte = 1;
		break;
	case 6:
		f.generation = 0;
		break;
	case 7:
		f.generation = ((uint64_t)1 << 62) + 1;
		break;
	case 8:
		f.slot_size = slot * 2;
		break;
	case 9:
		f.payload_len = (uint32_t)cap + 1;
		break;
	case 10:
		f.payload_len = 0xffffffffu;
		break;
	case 11:
		f.blob_count = 0xffffffffu;
		break;
	case 12:
		f.payload_crc ^= 1;
		break;
	default:
		break;
	}
	memcpy(img + HDR, pl, n);
	hdr_encode(img, &f);
	if (c == 1)
		img[60] ^= 0x80;
}

/* Each crafted defect in the newest slot: detected, reported, the older slot kept. */
START_TEST(test_crafted_slots)
{
	struct three_gen g;

	three_gen_build(&g);
	for (size_t c = 0; c < sizeof(crafted_cases) / sizeof(crafted_cases[0]); c++) {
		memcpy(g.h.img, g.good, 8 * KIB);
		craft(g.h.img, g.slot, c);
		memcpy(g.good, g.h.img, 8 * KIB); /* the good slot 1 is unchanged by craft */
		expect_fallback(&g, 0, &g.s2, 2, crafted_cases[c].name, c, crafted_cases[c].reason);
	}
	three_gen_free(&g);
}
END_TEST

/* Both slots bad: -CSVSM_ECORRUPT, every reason logged, nothing written. */
START_TEST(test_both_slots_corrupt)
{
	struct three_gen g;
	struct nvstore *nv = (struct nvstore *)1;

	uint8_t *pristine = malloc(8 * KIB);

	three_gen_build(&g);
	ck_assert_ptr_nonnull(pristine);
	memcpy(pristine, g.good, 8 * KIB);
	for (size_t c = 0; c < sizeof(crafted_cases) / sizeof(crafted_cases[0]); c++) {
		memcpy(g.h.img, pristine, 8 * KIB);
		craft(g.h.img, g.slot, c);
		g.h.img[g.slot + 8] ^= 1; /* slot 1: header checksum */
		memcpy(g.good, g.h.img, 8 * KIB);
		log_clear();
		g.h.record = true;
		if (nvstore_open(&g.h.dev, &nv) != -CSVSM_ECORRUPT || nv != NULL)
			ck_abort_msg("%s: not ECORRUPT", crafted_cases[c].name);
		if (!log_has(crafted_cases[c].reason) || !log_has("slot 1 holds no valid state") ||
		    !log_has("no valid state on the device"))
			ck_abort_msg("%s: log: %s", crafted_cases[c].name, log_buf);
		if (g.h.nops != 0 || memcmp(g.h.img, g.good, 8 * KIB) != 0)
			ck_abort_msg("%s: open wrote", crafted_cases[c].name);
		g.h.record = false;
	}
	free(pristine);
	three_gen_free(&g);
}
END_TEST

/*
 * A blank slot beside an invalid one: the empty state only when the
 * invalid header looks torn; beside a well-formed but unusable slot
 * (resized device, other version, bad payload) open refuses.
 */
START_TEST(test_blank_beside_invalid)
{
	uint64_t size = 4 * KIB, slot = geo_slot_size(size, 1);
	struct nvstore_stats st;
	struct nvstore *nv;
	struct hdev h;

	hdev_init(&h, size, 1);
	for (size_t c = 0; c < sizeof(crafted_cases) / sizeof(crafted_cases[0]); c++) {
		bool torn = c == 0 || c == 1;
		int rc;

		memset(h.img, 0, size);
		craft(h.img, slot, c);
		/* Slot 1 stays blank. */
		log_clear();
		rc = nvstore_open(&h.dev, &nv);
		if (torn) {
			if (rc != 0)
				ck_abort_msg("%s: torn first commit must open empty: %d",
				             crafted_cases[c].name, rc);
			nvstore_get_stats(nv, &st);
			if (nvstore_count(nv) != 0 || st.generation != 0 || st.invalid_slots != 1 ||
			    st.current_slot != 1)
				ck_abort_msg("%s: not the empty state", crafted_cases[c].name);
			nvstore_close(nv);
		} else if (rc != -CSVSM_ECORRUPT || !log_has(crafted_cases[c].reason)) {
			ck_abort_msg("%s: blank beside a well-formed bad slot: %d, %s",
			             crafted_cases[c].name, rc, log_buf);
		}
	}
	hdev_free(&h);
}
END_TEST

/* A truncated or grown device: the slot geometry no longer matches; never "empty". */
START_TEST(test_resized_device)
{
	struct three_gen g;
	static const uint64_t sizes[] = {6 * KIB, 8 * KIB - 2, 12 * KIB, 200};

	three_gen_build(&g);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct nvstore *nv = NULL;
		struct hdev r;
		int rc;

		hdev_init(&r, sizes[i], 1);
		memcpy(r.img, g.good, sizes[i] < 8 * KIB ? sizes[i] : 8 * KIB);
		log_clear();
		rc = nvstore_open(&r.dev, &nv);
		if (sizes[i] == 200) {
			ck_assert_int_eq(rc, -CSVSM_ENOSPC);
		} else {
			ck_assert_msg(rc == -CSVSM_ECORRUPT, "size %llu: %d",
			              (unsigned long long)sizes[i], rc);
			ck_assert_msg(log_has("device resized"), "%s", log_buf);
		}
		hdev_free(&r);
	}
	three_gen_free(&g);
}
END_TEST

/* The generation limit: 2^62 is valid, and a commit beyond it is refused. */
START_TEST(test_generation_limit)
{
	uint64_t size = 4 * KIB, slot = geo_slot_size(size, 1);
	struct nvstore_stats st;
	struct hdr_fields f;
	struct nvstore *nv;
	uint8_t pl[64];
	size_t n;
	struct hdev h;

	hdev_init(&h, size, 1);
	n = rec_encode(pl, 0, "k", 1, "v", 1);
	memcpy(h.img + HDR, pl, n);
	hdr_default(&f, (uint64_t)1 << 62, slot, pl, (uint32_t)n, 1);
	hdr_encode(h.img, &f);
	memcpy(h.img + slot, h.img, HDR + n); /* the same in slot 1 */
	ck_assert_int_eq(nvstore_open(&h.dev, &nv), 0);
	nvstore_get_stats(nv, &st);
	ck_assert_uint_eq(st.generation, (uint64_t)1 << 62);
	ck_assert_int_eq(nvstore_put(nv, "k", "w", 1), 0);
	h.record = true;
	ck_assert_int_eq(nvstore_commit(nv), -CSVSM_ENOSPC);
	ck_assert_uint_eq(h.nops, 0);
	ck_assert(log_has("generation counter exhausted"));
	nvstore_close(nv);
	hdev_free(&h);
}
END_TEST

/* ---- Fault sweeps ---- */

struct sweep_ctx {
	struct blkdev dev;
	struct kvset before, after;
	bool first_commit;    /* the device starts blank */
	uint64_t ops_at_fail; /* NV write operations counted when the commit failed */
	struct nvstore *nv;   /* for the put/commit sweeps: opened in setup */
};

/* A RAM device holding `before` (unless first_commit); `after` differs in three ways. */
static void sweep_setup(void *p)
{
	struct sweep_ctx *c = p;
	struct nvstore *nv;

	ck_assert_int_eq(blkdev_ram_init(&c->dev, 32 * KIB), 0);
	kv_free(&c->before);
	kv_free(&c->after);
	kv_put(&c->before, "permall", "permanent-state-v1", 18);
	kv_put(&c->before, "volatilestate", "volatile", 8);
	kv_put(&c->before, "gone", "soon", 4);
	kv_copy(&c->after, &c->before);
	kv_put(&c->after, "permall", "permanent-state-v2", 18);
	kv_put(&c->after, "savestate", "saved", 5);
	kv_del(&c->after, "gone");
	c->ops_at_fail = 0;
	c->nv = NULL;
	if (c->first_commit) {
		/* A blank device: the flow's puts make the whole new state. */
		kv_free(&c->before);
		kv_del(&c->after, "volatilestate");
		return;
	}
	ck_assert_int_eq(nvstore_open(&c->dev, &nv), 0);
	kv_apply(&c->before, nv);
	ck_assert_int_eq(nvstore_commit(nv), 0);
	nvstore_close(nv);
}

static void sweep_teardown(void *p)
{
	struct sweep_ctx *c = p;

	nvstore_close(c->nv);
	c->nv = NULL;
	blkdev_ram_free(&c->dev);
}

/* The whole path of a TPM state update: open, put, put, delete, commit, close. */
static int sweep_flow_full(void *p)
{
	struct sweep_ctx *c = p;
	struct nvstore *nv;
	int rc;

	rc = nvstore_open(&c->dev, &nv);
	if (rc < 0)
		return rc;
	rc = nvstore_put(nv, "permall", "permanent-state-v2", 18);
	if (rc == 0)
		rc = nvstore_put(nv, "savestate", "saved", 5);
	if (rc == 0)
		rc = c->first_commit ? 0 : nvstore_delete(nv, "gone");
	if (rc == 0) {
		rc = nvstore_commit(nv);
		if (rc < 0) {
			c->ops_at_fail = fault_op_count(FAULT_SITE_NV_WRITE);
			/* The staged state survives a failed commit. */
			if (!kv_equal_store(&c->after, nv))
				ck_abort_msg("failed commit lost the staged state");
		}
	}
	nvstore_close(nv);
	return rc;
}

/* After a failed flow the device holds the old state (or, see below, the new one). */
static bool sweep_invariant(void *p, char *why, size_t len)
{
	struct sweep_ctx *c = p;
	struct kvset empty = {0};
	const struct kvset *old = c->first_commit ? &empty : &c->before;

	if (dev_holds(&c->dev, old))
		return true;
	/*
	 * Only a failure of the last flush (op 4) leaves the new header on a
	 * write-through device: then the new state is the one found.
	 */
	if (c->ops_at_fail == 4 && dev_holds(&c->dev, &c->after))
		return true;
	snprintf(why, len, "device holds neither the old state nor (after op 4) the new one");
	return false;
}

static void sweep_undo(void *p)
{
	struct sweep_ctx *c = p;

	if (!dev_holds(&c->dev, &c->after))
		ck_abort_msg("successful flow: the new state is not on the device");
}

START_TEST(test_sweep_alloc_full_flow)
{
	static struct sweep_ctx ctx;
	struct fault_sweep s = {
	    .name = "alloc: open+put+commit",
	    .site = FAULT_SITE_ALLOC,
	    .setup = sweep_setup,
	    .flow = sweep_flow_full,
	    .undo = sweep_undo,
	    .invariant = sweep_invariant,
	    .teardown = sweep_teardown,
	    .ctx = &ctx,
	};
	unsigned int n;

	ctx.first_commit = _i == 1;
	/* open: store, payload buffer, 3 blobs; 2 puts; commit buffer. */
	n = fault_sweep_run(&s);
	ck_assert_uint_eq(n, ctx.first_commit ? 1 + 0 + 2 + 1 : 1 + 1 + 3 + 2 + 1);
	s.persistent = true;
	n = fault_sweep_run(&s);
	ck_assert_uint_eq(n, ctx.first_commit ? 1 + 0 + 2 + 1 : 1 + 1 + 3 + 2 + 1);
	kv_free(&ctx.before);
	kv_free(&ctx.after);
}
END_TEST

START_TEST(test_sweep_nv_write)
{
	static struct sweep_ctx ctx;
	struct fault_sweep s = {
	    .name = "nv write: commit",
	    .site = FAULT_SITE_NV_WRITE,
	    .setup = sweep_setup,
	    .flow = sweep_flow_full,
	    .undo = sweep_undo,
	    .invariant = sweep_invariant,
	    .teardown = sweep_teardown,
	    .ctx = &ctx,
	};

	ctx.first_commit = _i == 1;
	/* 2 writes + 2 flushes; the first commit also copies: 8 (faults 5..8 recovered). */
	ck_assert_uint_eq(fault_sweep_run(&s), ctx.first_commit ? 8 : 4);
	s.persistent = true;
	ck_assert_uint_eq(fault_sweep_run(&s), ctx.first_commit ? 8 : 4);
	kv_free(&ctx.before);
	kv_free(&ctx.after);
}
END_TEST

/* A failed commit is retried by the next one, which then succeeds. */
START_TEST(test_commit_retry_after_failure)
{
	for (uint64_t n = 1; n <= 4; n++) {
		struct sweep_ctx ctx = {0};
		struct nvstore_stats st;
		struct nvstore *nv;

		sweep_setup(&ctx);
		ck_assert_int_eq(nvstore_open(&ctx.dev, &nv), 0);
		kv_apply(&ctx.after, nv);
		fault_arm(FAULT_SITE_NV_WRITE, n, true);
		ck_assert_int_eq(nvstore_commit(nv), -CSVSM_EIO);
		ck_assert_int_eq(nvstore_commit(nv), -CSVSM_EIO);
		fault_reset();
		ck_assert(log_has("still holds the last good state"));
		nvstore_get_stats(nv, &st);
		ck_assert(st.dirty);
		ck_assert_uint_eq(st.generation, 1);
		ck_assert_int_eq(nvstore_commit(nv), 0);
		nvstore_get_stats(nv, &st);
		ck_assert_uint_eq(st.generation, 2);
		ck_assert(dev_holds(&ctx.dev, &ctx.after));
		nvstore_close(nv);
		sweep_teardown(&ctx);
		kv_free(&ctx.before);
		kv_free(&ctx.after);
	}
}
END_TEST

static void sweep_setup_open(void *p)
{
	struct sweep_ctx *c = p;

	sweep_setup(c);
	ck_assert_int_eq(nvstore_open(&c->dev, &c->nv), 0);
}

static int sweep_flow_put(void *p)
{
	struct sweep_ctx *c = p;

	return nvstore_put(c->nv, "newblob", "new", 3);
}

static void sweep_undo_put(void *p)
{
	struct sweep_ctx *c = p;

	ck_assert_int_eq(nvstore_delete(c->nv, "newblob"), 0);
}

/* After a failed put or commit, the staged state and the device are unchanged. */
static bool sweep_invariant_staged(void *p, char *why, size_t len)
{
	struct sweep_ctx *c = p;
	struct nvstore_stats st;

	nvstore_get_stats(c->nv, &st);
	if (!kv_equal_store(&c->before, c->nv) || st.dirty) {
		snprintf(why, len, "staged state changed");
		return false;
	}
	if (!dev_holds(&c->dev, &c->before)) {
		snprintf(why, len, "device changed");
		return false;
	}
	return true;
}

static int sweep_flow_replace_commit(void *p)
{
	struct sweep_ctx *c = p;
	int rc = nvstore_put(c->nv, "permall", "permanent-state-v2", 18);

	return rc < 0 ? rc : nvstore_commit(c->nv);
}

static bool sweep_invariant_replace(void *p, char *why, size_t len)
{
	struct sweep_ctx *c = p;
	struct kvset staged = {0};
	bool ok;

	if (!dev_holds(&c->dev, &c->before)) {
		snprintf(why, len, "device changed");
		return false;
	}
	/* Either the put failed (nothing staged) or the commit did (the put stays staged). */
	kv_copy(&staged, &c->before);
	kv_put(&staged, "permall", "permanent-state-v2", 18);
	ok = kv_equal_store(&c->before, c->nv) || kv_equal_store(&staged, c->nv);
	kv_free(&staged);
	if (!ok)
		snprintf(why, len, "staged state is neither before nor after the put");
	return ok;
}

START_TEST(test_sweep_alloc_put_and_commit)
{
	static struct sweep_ctx ctx;
	struct fault_sweep put = {
	    .name = "alloc: put",
	    .site = FAULT_SITE_ALLOC,
	    .setup = sweep_setup_open,
	    .flow = sweep_flow_put,
	    .undo = sweep_undo_put,
	    .invariant = sweep_invariant_staged,
	    .teardown = sweep_teardown,
	    .ctx = &ctx,
	};
	struct fault_sweep commit = {
	    .name = "alloc: replace+commit",
	    .site = FAULT_SITE_ALLOC,
	    .setup = sweep_setup_open,
	    .flow = sweep_flow_replace_commit,
	    .invariant = sweep_invariant_replace,
	    .teardown = sweep_teardown,
	    .ctx = &ctx,
	};

	ck_assert_uint_eq(fault_sweep_run(&put), 1);
	ck_assert_uint_eq(fault_sweep_run(&commit), 2);
	kv_free(&ctx.before);
	kv_free(&ctx.after);
}
END_TEST

/* ---- The host-file device (simulator) ---- */

static char tmpdir[64];

static void file_setup(void)
{
	setup();
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/check_nvstore.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void file_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
	teardown();
}

static const char *tmp_path(const char *name)
{
	static char path[128];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

static off_t file_size_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

/* Create, write, flush, reopen: the data is in the file; reads and ranges as documented. */
START_TEST(test_file_create_reopen)
{
	struct sim_blkdev_file_config cfg = {.path = tmp_path("state"), .size = 64 * KIB};
	struct sim_blkdev_file_stats fst;
	struct blkdev dev;
	uint8_t b[8];

	ck_assert_int_eq(sim_blkdev_file_open(&dev, &cfg), -CSVSM_ENOENT);
	ck_assert_str_eq(log_buf, "");
	ck_assert_int_eq(file_size_of(cfg.path), -1);
	cfg.create = true;
	ck_assert_int_eq(sim_blkdev_file_open(&dev, &cfg), 0);
	ck_assert_uint_eq(dev.size, 64 * KIB);
	ck_assert_uint_eq(dev.write_unit, 1);
	ck_assert_str_eq(dev.name, cfg.path);
	ck_assert_int_eq(file_size_of(cfg.path), 64 * KIB);
	ck_assert_int_eq(blkdev_read(&dev, 64 * KIB - 8, b, 8), 0);
	ck_assert(mem_is_zero_host(b, 8));
	ck_assert_int_eq(blkdev_write(&dev, 100, "persist!", 8), 0);
	ck_assert_int_eq(blkdev_flush(&dev), 0);
	ck_assert_int_eq(blkdev_write(&dev, 64 * KIB - 4, b, 8), -CSVSM_ERANGE);
	sim_blkdev_file_get_stats(&dev, &fst);
	ck_assert_uint_eq(fst.writes, 1);
	ck_assert_uint_eq(fst.bytes_written, 8);
	ck_assert_uint_eq(fst.flushes, 1);
	sim_blkdev_file_close(&dev);
	ck_assert_ptr_null(dev.ops);
	sim_blkdev_file_close(&dev);

	/* Reopen: create does not truncate; size 0 takes the file's size. */
	cfg.size = 0;
	ck_assert_int_eq(sim_blkdev_file_open(&dev, &cfg), 0);
	ck_assert_uint_eq(dev.size, 64 * KIB);
	ck_assert_int_eq(blkdev_read(&dev, 100, b, 8), 0);
	ck_assert_int_eq(memcmp(b, "persist!", 8), 0);
	sim_blkdev_file_close(&dev);
}
END_TEST

/* Size mismatches, short files, empty files, directories, bad arguments, a second opener. */
START_TEST(test_file_errors)
{
	struct sim_blkdev_file_config cfg = {
	    .path = tmp_path("s"), .size = 8 * KIB, .create = true};
	struct blkdev dev = {0}, dev2 = {0};
	int fd;

	ck_assert_int_eq(sim_blkdev_file_open(&dev, &cfg), 0);
	/* A second opener, in this process or another: EBUSY. */
	ck_assert_int_eq(sim_blkdev_file_open(&dev2, &cfg), -CSVSM_EBUSY);
	ck_assert(log_has("in use"));
	sim_blkdev_file_close(&dev);

	log_clear();
	cfg.size = 16 * KIB;
	ck_assert_int_eq(sim_blkdev_file_open(&dev, &cfg), -CSVSM_ERANGE);
	ck_assert(log_has("short (truncated?) file: 8192 bytes, expected 16384"));
	cfg.size = 4 * KIB;
	ck_assert_int_eq(sim_blkdev_file_open(&dev, &cfg), -CSVSM_ERANGE);
	ck_assert(log_has("oversized file"));
	ck_assert_int_eq(file_size_of(cfg.path), 8 * KIB); /* never truncated */
	ck_assert_int_eq(truncate(cfg.path, 1000), 0);
	cfg.size = 8 * KIB;
	ck_assert_int_eq(sim_blkdev_file_open(&dev, &cfg), -CSVSM_ERANGE);

	/* A file truncated while open: reads past its end fail with EIO. */
	ck_assert_int_eq(truncate(cfg.path, 8 * KIB), 0);
	ck_assert_int_eq(sim_blkdev_file_open(&dev, &cfg), 0);
	ck_assert_int_eq(truncate(cfg.path, 4 * KIB), 0);
	{
		uint8_t b[16];

		log_clear();
		ck_assert_int_eq(blkdev_read(&dev, 6 * KIB, b, 16), -CSVSM_EIO);
		ck_assert(log_has("file truncated?"));
	}
	sim_blkdev_file_close(&dev);

	/* Empty file without a size; creating with size 0; a directory; bad write unit. */
	fd = open(tmp_path("empty"), O_CREAT | O_WRONLY, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	cfg.path = tmp_path("empty");
	cfg.size = 0;
	ck_assert_int_eq(sim_blkdev_file_open(&dev, &cfg), -CSVSM_ERANGE);
	cfg.path = tmp_path("new");
	ck_assert_int_eq(sim_blkdev_file_open(&dev, &cfg), -CSVSM_EINVAL);
	ck_assert_int_eq(file_size_of(cfg.path), -1);
	cfg.path = tmpdir;
	cfg.size = 4 * KIB;
	ck_assert_int_eq(sim_blkdev_file_open(&dev, &cfg), -CSVSM_EIO);
	cfg.path = tmp_path("wu");
	cfg.write_unit = 3;
	ck_assert_int_eq(sim_blkdev_file_open(&dev, &cfg), -CSVSM_EINVAL);
	ck_assert_int_eq(file_size_of(cfg.path), -1);
	cfg.path = NULL;
	ck_assert_int_eq(sim_blkdev_file_open(&dev, &cfg), -CSVSM_EINVAL);
	ck_assert_int_eq(sim_blkdev_file_open(&dev, NULL), -CSVSM_EINVAL);
	cfg.path = tmp_path("no/such/dir");
	cfg.write_unit = 0;
	ck_assert_int_eq(sim_blkdev_file_open(&dev, &cfg), -CSVSM_EIO);
	ck_assert_int_eq(sim_blkdev_file_crash(&dev2), -CSVSM_EINVAL);
}
END_TEST

/* The NV store on a file: a state committed in one "run" is found by the next. */
START_TEST(test_file_nvstore_persists)
{
	struct sim_blkdev_file_config cfg = {
	    .path = tmp_path("tpm"), .size = 64 * KIB, .create = true};
	struct kvset want = {0};
	struct nvstore *nv;
	struct blkdev dev;

	kv_put(&want, "permall", "the-permanent-state", 19);
	ck_assert_int_eq(sim_blkdev_file_open(&dev, &cfg), 0);
	ck_assert_int_eq(nvstore_open(&dev, &nv), 0);
	kv_apply(&want, nv);
	ck_assert_int_eq(nvstore_commit(nv), 0);
	nvstore_close(nv);
	sim_blkdev_file_close(&dev);
	ck_assert_int_eq(sim_blkdev_file_open(&dev, &cfg), 0);
	ck_assert(dev_holds(&dev, &want));
	sim_blkdev_file_close(&dev);
	kv_free(&want);
}
END_TEST

/* Crash mode: unflushed writes live in the cache; a power loss keeps a seeded subset. */
START_TEST(test_file_crash_mode_cache)
{
	struct sim_blkdev_file_config cfg = {
	    .path = tmp_path("c"), .size = 4 * KIB, .create = true, .crash_mode = true};
	uint8_t img[2][4 * KIB], prev[4 * KIB];
	unsigned int differ = 0;

	for (uint64_t seed = 1; seed <= 16; seed++) {
		for (int run = 0; run < 2; run++) {
			struct blkdev dev;
			uint8_t b[8];
			FILE *f;

			unlink(cfg.path);
			cfg.crash_seed = seed;
			ck_assert_int_eq(sim_blkdev_file_open(&dev, &cfg), 0);
			ck_assert_int_eq(blkdev_write(&dev, 0, "flushed!", 8), 0);
			ck_assert_int_eq(blkdev_flush(&dev), 0);
			for (int i = 1; i <= 8; i++) {
				memset(b, 'a' + i, 8);
				ck_assert_int_eq(blkdev_write(&dev, (uint64_t)i * 64, b, 8), 0);
			}
			/* Reads see the cache; the file does not, yet. */
			ck_assert_int_eq(blkdev_read(&dev, 64, b, 8), 0);
			ck_assert_int_eq(memcmp(b, "bbbbbbbb", 8), 0);
			f = fopen(cfg.path, "rb");
			ck_assert(f != NULL && fread(img[run], 1, sizeof(img[run]), f) == 4 * KIB);
			fclose(f);
			ck_assert(mem_is_zero_host(img[run] + 64, 8));
			ck_assert(!sim_blkdev_file_crashed(&dev));
			ck_assert_int_eq(sim_blkdev_file_crash(&dev), 0);
			ck_assert(sim_blkdev_file_crashed(&dev));
			ck_assert_int_eq(blkdev_read(&dev, 0, b, 8), -CSVSM_EIO);
			ck_assert_int_eq(blkdev_write(&dev, 0, b, 8), -CSVSM_EIO);
			ck_assert_int_eq(blkdev_flush(&dev), -CSVSM_EIO);
			sim_blkdev_file_close(&dev);
			f = fopen(cfg.path, "rb");
			ck_assert(f != NULL && fread(img[run], 1, sizeof(img[run]), f) == 4 * KIB);
			fclose(f);
			ck_assert_int_eq(memcmp(img[run], "flushed!", 8), 0);
			/* Each cached write: absent, or a prefix of itself. */
			for (int i = 1; i <= 8; i++) {
				const uint8_t *w = img[run] + i * 64;
				size_t k = 0;

				while (k < 8 && w[k] == 'a' + i)
					k++;
				ck_assert(mem_is_zero_host(w + k, 8 - k));
			}
		}
		/* The same seed, the same survivors. */
		ck_assert_int_eq(memcmp(img[0], img[1], sizeof(img[0])), 0);
		/* Another seed, (usually) other survivors. */
		if (seed > 1 && memcmp(img[0], prev, sizeof(prev)) != 0)
			differ++;
		memcpy(prev, img[0], sizeof(prev));
	}
	ck_assert_uint_ge(differ, 10);
}
END_TEST

/*
 * The NV store over a crash-mode file: the power fails at the Nth write or
 * flush of a stream of commits; after every restart the state is the last
 * committed one or the one being committed, never anything else.
 */
START_TEST(test_file_crash_stream)
{
	struct sim_blkdev_file_config cfg = {.path = tmp_path("stream"),
	                                     .size = 16 * KIB,
	                                     .create = true,
	                                     .crash_mode = true,
	                                     .write_unit = 1};
	unsigned long olds = 0, news = 0;

	rng_seed(99);
	for (uint64_t n = 1; n <= 40; n++) {
		struct kvset committed = {0}, pending = {0};
		struct nvstore *nv;
		struct blkdev dev;
		int rc = 0;

		unlink(cfg.path);
		cfg.crash_seed = n * 7919;
		ck_assert_int_eq(sim_blkdev_file_open(&dev, &cfg), 0);
		ck_assert_int_eq(nvstore_open(&dev, &nv), 0);
		sim_blkdev_file_crash_after(&dev, n);
		for (int c = 0; c < 30 && rc == 0; c++) {
			kv_copy(&pending, &committed);
			kv_random_step(&pending, 300);
			kv_random_step(&pending, 300);
			kv_apply(&pending, nv);
			rc = nvstore_commit(nv);
			if (rc == 0)
				kv_copy(&committed, &pending);
		}
		ck_assert_int_eq(rc, -CSVSM_EIO);
		ck_assert(sim_blkdev_file_crashed(&dev));
		nvstore_close(nv);
		sim_blkdev_file_close(&dev);

		cfg.crash_mode = false;
		ck_assert_int_eq(sim_blkdev_file_open(&dev, &cfg), 0);
		ck_assert_int_eq(nvstore_open(&dev, &nv), 0);
		if (kv_equal_store(&committed, nv))
			olds++;
		else if (kv_equal_store(&pending, nv))
			news++;
		else
			ck_abort_msg("power loss at op %llu: state is neither",
			             (unsigned long long)n);
		nvstore_close(nv);
		sim_blkdev_file_close(&dev);
		cfg.crash_mode = true;
		kv_free(&committed);
		kv_free(&pending);
	}
	ck_assert_uint_gt(olds, 0);
	ck_assert_uint_gt(news, 0);
}
END_TEST

/* ---- Fuzz corpus replay ---- */

START_TEST(test_fuzz_corpus_replay)
{
	ck_assert_uint_ge(corpus_replay(NVSTORE_CORPUS_DIR, fuzz_nvstore_load_one), 10);
}
END_TEST

static Suite *nvstore_suite(void)
{
	Suite *s = suite_create("nvstore");
	TCase *tc = tcase_create("api");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_crc32c_vectors);
	tcase_add_test(tc, test_crc32c_random_and_chaining);
	tcase_add_test(tc, test_blkdev_ranges);
	tcase_add_test(tc, test_blkdev_invalid_devices_and_answers);
	tcase_add_test(tc, test_blkdev_nv_write_fault);
	tcase_add_test(tc, test_blkdev_ram);
	tcase_add_test(tc, test_open_blank);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_cancelled_changes);
	tcase_add_test(tc, test_names_and_listing);
	tcase_add_test(tc, test_capacity_and_enospc);
	tcase_add_test(tc, test_open_device_errors);
	tcase_add_test(tc, test_commit_write_pattern);
	tcase_add_test(tc, test_reads_independent_encoding);
	suite_add_tcase(s, tc);

	tc = tcase_create("crash");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_crash_every_write, 0,
	                    (int)(sizeof(crash_configs) / sizeof(crash_configs[0])));
	tcase_add_test(tc, test_crash_libtpms_state_bytewise);
	tcase_add_test(tc, test_crash_first_commit);
	suite_add_tcase(s, tc);

	tc = tcase_create("corrupt");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_header_bit_flips);
	tcase_add_test(tc, test_payload_bit_flips);
	tcase_add_test(tc, test_crafted_slots);
	tcase_add_test(tc, test_both_slots_corrupt);
	tcase_add_test(tc, test_blank_beside_invalid);
	tcase_add_test(tc, test_resized_device);
	tcase_add_test(tc, test_generation_limit);
	tcase_add_test(tc, test_fuzz_corpus_replay);
	suite_add_tcase(s, tc);

	tc = tcase_create("fault");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_sweep_alloc_full_flow, 0, 2);
	tcase_add_loop_test(tc, test_sweep_nv_write, 0, 2);
	tcase_add_test(tc, test_commit_retry_after_failure);
	tcase_add_test(tc, test_sweep_alloc_put_and_commit);
	suite_add_tcase(s, tc);

	tc = tcase_create("file");
	tcase_add_checked_fixture(tc, file_setup, file_teardown);
	tcase_add_test(tc, test_file_create_reopen);
	tcase_add_test(tc, test_file_errors);
	tcase_add_test(tc, test_file_nvstore_persists);
	tcase_add_test(tc, test_file_crash_mode_cache);
	tcase_add_test(tc, test_file_crash_stream);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(nvstore_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
