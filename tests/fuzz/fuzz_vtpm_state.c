/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the stored vTPM state (libtpms' "permall", "volatilestate"
 * and "savestate" blobs in the NV store). The NV device belongs to the
 * hypervisor, so every byte libtpms loads at vtpm_init is attacker
 * controlled; the NV store's checksums only catch accidents. See
 * fuzz_vtpm_state.h for the input format and the properties checked.
 *
 *   make fuzz-vtpm-state      (clang, -fsanitize=fuzzer,address,undefined)
 *   tests/fuzz/fuzz-vtpm-state -max_total_time=300 NEW_DIR fixtures/corpus/vtpm-state
 *
 * No simulated machine: the adapter (csvsm/adapter/vtpm.h) is driven
 * directly, on a RAM device, with commands marshalled here (TPM 2.0 Part 3,
 * big-endian) independently of the adapter's own marshalling.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvsm/adapter/vtpm.h"
#include "csvsm/error.h"
#include "csvsm/mm.h"
#include "csvsm/nvstore.h"
#include "fuzz_vtpm_state.h"
#include "sim_plat.h"

#define FVS_DEV_SIZE      ((uint64_t)512 << 10)
#define FVS_NV_READ_MAX   256
#define TPM_CC_NV_READ    0x0000014e
#define TPM_CC_NV_RD_PUB  0x00000169
#define TPM_CC_GET_CAP    0x0000017a
#define TPM_CC_GET_RANDOM 0x0000017b
#define TPM_CC_PCR_READ   0x0000017e
#define TPM_CAP_HANDLES   0x00000001
#define TPM_HT_NV_INDEX   0x01000000
#define TPM_RH_OWNER      0x40000001
#define TPM_RS_PW         0x40000009
#define TPMA_NV_OWNERREAD (1u << 17)
#define TPMA_NV_AUTHREAD  (1u << 18)

static struct fvs_stats fvs_st;

const char *const fvs_blob_names[FVS_BLOBS] = {"permall", "volatilestate", "savestate"};

static uint32_t fvs_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t fvs_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t fvs_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

size_t fuzz_vtpm_state_encode(uint8_t *out, size_t max, unsigned int flags,
                              const uint8_t *const data[FVS_BLOBS], const size_t len[FVS_BLOBS])
{
	size_t n = FVS_HDR_SIZE;

	if (max < FVS_HDR_SIZE)
		return 0;
	memset(out, 0, FVS_HDR_SIZE);
	out[0] = (uint8_t)(flags & ~FVS_ALL_BLOBS);
	for (unsigned int i = 0; i < FVS_BLOBS; i++) {
		if (!data[i])
			continue;
		if (len[i] > max - n || len[i] > UINT32_MAX)
			return 0;
		out[0] |= (uint8_t)(1u << i);
		if (i < 2)
			for (unsigned int b = 0; b < 4; b++)
				out[1 + 4 * i + b] = (uint8_t)(len[i] >> (8 * b));
		memcpy(out + n, data[i], len[i]);
		n += len[i];
	}
	return n;
}

/* ---- TPM commands ---- */

struct fvs_cmd {
	uint8_t b[512];
	size_t n;
};

static void fvs_u16(struct fvs_cmd *c, uint16_t v)
{
	c->b[c->n++] = (uint8_t)(v >> 8);
	c->b[c->n++] = (uint8_t)v;
}

static void fvs_u32(struct fvs_cmd *c, uint32_t v)
{
	fvs_u16(c, (uint16_t)(v >> 16));
	fvs_u16(c, (uint16_t)v);
}

static void fvs_begin(struct fvs_cmd *c, uint16_t tag, uint32_t cc)
{
	c->n = 0;
	fvs_u16(c, tag);
	fvs_u32(c, 0); /* commandSize, set by fvs_run */
	fvs_u32(c, cc);
}

/*
 * Sends the command; on delivery checks the response framing (Part 1
 * section 18: tag, responseSize = the length, responseCode). Returns NULL
 * and the response code in *trc, or a violation.
 */
static const char *fvs_run(struct fvs_cmd *c, uint8_t *rsp, size_t *rsp_len, uint32_t *trc)
{
	size_t n = c->n;
	int rc;

	c->b[2] = (uint8_t)(n >> 24);
	c->b[3] = (uint8_t)(n >> 16);
	c->b[4] = (uint8_t)(n >> 8);
	c->b[5] = (uint8_t)n;
	rc = vtpm_execute(c->b, n, rsp, VTPM_BUFFER_MAX, rsp_len);
	if (rc != 0)
		return "a command was not delivered by a running vTPM";
	if (*rsp_len < 10 || *rsp_len > VTPM_BUFFER_MAX)
		return "response length out of range";
	if (fvs_be32(rsp + 2) != *rsp_len)
		return "the response header disagrees with the response length";
	if (fvs_be16(rsp) != 0x8001 && fvs_be16(rsp) != 0x8002 && fvs_be16(rsp) != 0x00c4)
		return "the response has an unknown tag";
	*trc = fvs_be32(rsp + 6);
	return NULL;
}

/* NV_ReadPublic then NV_Read of the first `size` bytes of `index` (Part 3 31.6, 31.13). */
static const char *fvs_nv_read(uint32_t index, uint8_t *rsp)
{
	struct fvs_cmd c;
	uint32_t trc, attrs;
	uint16_t pub_size, policy, data_size;
	const char *why;
	size_t len;

	fvs_begin(&c, 0x8001, TPM_CC_NV_RD_PUB);
	fvs_u32(&c, index);
	why = fvs_run(&c, rsp, &len, &trc);
	if (why || trc != 0)
		return why;
	/* TPM2B_NV_PUBLIC: size, nvIndex, nameAlg, attributes, authPolicy, dataSize. */
	if (len < 10 + 2 + 4 + 2 + 4 + 2)
		return "NV_ReadPublic succeeded with a short response";
	pub_size = fvs_be16(rsp + 10);
	policy = fvs_be16(rsp + 10 + 2 + 4 + 2 + 4);
	if ((size_t)12 + pub_size > len || pub_size < 4 + 2 + 4 + 2 + 2 ||
	    (size_t)4 + 2 + 4 + 2 + policy + 2 > pub_size)
		return "NV_ReadPublic's public area overruns its response";
	if (fvs_be32(rsp + 12) != index)
		return "NV_ReadPublic answered for another index";
	attrs = fvs_be32(rsp + 12 + 4 + 2);
	data_size = fvs_be16(rsp + 12 + 4 + 2 + 4 + 2 + policy);
	fvs_st.nv_reads++;
	fvs_begin(&c, 0x8002, TPM_CC_NV_READ);
	fvs_u32(&c,
	        (attrs & TPMA_NV_AUTHREAD) || !(attrs & TPMA_NV_OWNERREAD) ? index : TPM_RH_OWNER);
	fvs_u32(&c, index);
	fvs_u32(&c, 9); /* password session, empty auth */
	fvs_u32(&c, TPM_RS_PW);
	fvs_u16(&c, 0);
	c.b[c.n++] = 0;
	fvs_u16(&c, 0);
	fvs_u16(&c, data_size < FVS_NV_READ_MAX ? data_size : FVS_NV_READ_MAX);
	fvs_u16(&c, 0);
	return fvs_run(&c, rsp, &len, &trc);
}

/* The commands run on a started vTPM. */
static const char *fvs_commands(void)
{
	static uint8_t rsp[VTPM_BUFFER_MAX];
	struct fvs_cmd c;
	const char *why;
	uint32_t trc, count;
	size_t len;

	fvs_begin(&c, 0x8001, TPM_CC_GET_RANDOM);
	fvs_u16(&c, 16);
	why = fvs_run(&c, rsp, &len, &trc);
	if (why)
		return why;
	if (trc == 0 && (len != 10 + 2 + 16 || fvs_be16(rsp + 10) != 16))
		return "GetRandom succeeded without 16 bytes";

	fvs_begin(&c, 0x8001, TPM_CC_PCR_READ);
	fvs_u32(&c, 1);
	fvs_u16(&c, 0x000b); /* SHA-256, PCRs 0-7 */
	c.b[c.n++] = 3;
	c.b[c.n++] = 0xff;
	c.b[c.n++] = 0;
	c.b[c.n++] = 0;
	why = fvs_run(&c, rsp, &len, &trc);
	if (why)
		return why;

	/* The first NV index (Part 3 30.2: TPM_CAP_HANDLES from TPM_HT_NV_INDEX). */
	fvs_begin(&c, 0x8001, TPM_CC_GET_CAP);
	fvs_u32(&c, TPM_CAP_HANDLES);
	fvs_u32(&c, TPM_HT_NV_INDEX);
	fvs_u32(&c, 1);
	why = fvs_run(&c, rsp, &len, &trc);
	if (why || trc != 0)
		return why;
	if (len < 10 + 1 + 4 + 4)
		return "GetCapability succeeded with a short response";
	count = fvs_be32(rsp + 15);
	if (count > 1 || len != 19 + 4 * (size_t)count)
		return "GetCapability's handle list disagrees with its length";
	if (count == 1)
		return fvs_nv_read(fvs_be32(rsp + 19), rsp);
	return NULL;
}

/* ---- the store and the runs ---- */

/* Splits the input into blobs (see fuzz_vtpm_state.h). */
static void fvs_split(const uint8_t *data, size_t size, const uint8_t *blob[FVS_BLOBS],
                      size_t len[FVS_BLOBS], unsigned int *flags)
{
	uint8_t hdr[FVS_HDR_SIZE] = {0};
	size_t off = FVS_HDR_SIZE, left;
	unsigned int last = FVS_BLOBS;

	if (size)
		memcpy(hdr, data, size < FVS_HDR_SIZE ? size : FVS_HDR_SIZE);
	*flags = hdr[0];
	for (unsigned int i = 0; i < FVS_BLOBS; i++)
		if (hdr[0] & (1u << i))
			last = i;
	for (unsigned int i = 0; i < FVS_BLOBS; i++) {
		blob[i] = NULL;
		len[i] = 0;
		if (!(hdr[0] & (1u << i)))
			continue;
		left = size > off ? size - off : 0;
		len[i] = i == last ? left : fvs_le32(hdr + 1 + 4 * i);
		if (len[i] > left)
			len[i] = left;
		blob[i] = left ? data + off : (const uint8_t *)"";
		off += len[i];
	}
}

/* Writes the blobs onto the blank device. 0, or -1 when they do not fit. */
static int fvs_write_store(struct blkdev *dev, const uint8_t *const blob[FVS_BLOBS],
                           const size_t len[FVS_BLOBS])
{
	struct nvstore *nv;
	int rc = 0;

	if (nvstore_open(dev, &nv) != 0)
		return -1;
	for (unsigned int i = 0; i < FVS_BLOBS && rc == 0; i++)
		if (blob[i])
			rc = nvstore_put(nv, fvs_blob_names[i], blob[i], len[i]);
	if (rc == 0)
		rc = nvstore_commit(nv);
	nvstore_close(nv);
	return rc == 0 ? 0 : -1;
}

/*
 * Starts the vTPM on the store of `dev`, runs the commands and stops it.
 * *started tells whether vtpm_init succeeded.
 */
static const char *fvs_start_once(struct blkdev *dev, uint8_t *before, bool *started)
{
	struct nvstore *nv = NULL;
	const char *why = NULL;
	uint8_t probe[10] = {0x80, 0x01, 0, 0, 0, 10, 0, 0, 0x01, 0x7b};
	uint8_t rsp[64];
	size_t rsp_len;
	int rc;

	*started = false;
	if (nvstore_open(dev, &nv) != 0)
		return "the store the harness wrote does not open";
	memcpy(before, dev->priv, FVS_DEV_SIZE);
	rc = vtpm_init(nv, VTPM_EK_ECC_P256);
	if (rc < 0)
		fvs_st.refused++;
	if (rc > 0 || rc <= -CSVSM_ERROR_COUNT) {
		why = "vtpm_init answered something that is no csvsm error";
	} else if (rc < 0) {
		if (vtpm_execute(probe, sizeof(probe), rsp, sizeof(rsp), &rsp_len) !=
		    -CSVSM_ENOTSUP)
			why = "the vTPM answers commands after a failed start";
		else if (vtpm_ek_public(&rsp_len) != NULL)
			why = "a failed start left an endorsement key";
		else if (memcmp(before, dev->priv, FVS_DEV_SIZE) != 0)
			why = "a failed start wrote the NV store";
	} else {
		*started = true;
		fvs_st.started++;
		why = fvs_commands();
		vtpm_shutdown();
		if (vtpm_execute(probe, sizeof(probe), rsp, sizeof(rsp), &rsp_len) !=
		    -CSVSM_ENOTSUP)
			why = why ? why : "the vTPM answers commands after shutdown";
	}
	nvstore_close(nv);
	return why;
}

const char *fuzz_vtpm_state_one(const uint8_t *data, size_t size)
{
	size_t baseline = mm_live_allocs(), len[FVS_BLOBS];
	const uint8_t *blob[FVS_BLOBS];
	struct nvstore *nv;
	struct blkdev dev;
	const char *why = NULL;
	unsigned int flags;
	uint8_t *before;
	bool started;

	fvs_st.inputs++;
	fvs_split(data, size, blob, len, &flags);
	before = malloc(FVS_DEV_SIZE);
	if (!before || blkdev_ram_init(&dev, FVS_DEV_SIZE) != 0) {
		free(before);
		return "no memory for the device";
	}
	if (fvs_write_store(&dev, blob, len) == 0) {
		why = fvs_start_once(&dev, before, &started);
		if (!why && started) {
			/* What a running vTPM committed must open, and start again. */
			if (nvstore_open(&dev, &nv) != 0)
				why = "the store does not open after a run";
			else
				nvstore_close(nv);
			if (!why && (flags & FVS_FLAG_RESTART)) {
				why = fvs_start_once(&dev, before, &started);
				if (!why && !started)
					why = "the state a vTPM ran on and saved does not start "
					      "again";
			}
		}
	} else {
		fvs_st.skipped++;
	}
	blkdev_ram_free(&dev);
	free(before);
	if (!why && mm_live_allocs() != baseline)
		why = "SVSM allocations leaked";
	return why;
}

void fuzz_vtpm_state_stats(struct fvs_stats *out)
{
	*out = fvs_st;
}

static void fvs_console_drop(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static void *heap;
	const size_t heap_size = (size_t)32 << 20;
	const char *why;

	if (heap == NULL) {
		if (posix_memalign(&heap, (size_t)2 << 20, heap_size) != 0 ||
		    mm_init(heap, heap_size) != 0)
			abort();
		if (getenv("FUZZ_VTPM_VERBOSE") == NULL)
			sim_console_set_sink(fvs_console_drop, NULL);
	}
	why = fuzz_vtpm_state_one(data, size);
	if (why != NULL) {
		fprintf(stderr, "fuzz_vtpm_state: %s (input of %zu bytes)\n", why, size);
		abort();
	}
	return 0;
}
