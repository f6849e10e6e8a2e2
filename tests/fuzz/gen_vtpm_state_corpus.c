/* SPDX-License-Identifier: MIT */
/*
 * Writes the seed corpus of the stored vTPM state fuzzer
 * (fuzz_vtpm_state.c) into a directory: real states made by the vTPM
 * itself (a manufactured TPM, NV indices defined and written, the volatile
 * state of a running TPM and of one after TPM2_Shutdown(STATE)), then a
 * few damaged on purpose. Every file is in the target's input format.
 *
 *   tests/fuzz/gen-vtpm-state-corpus fixtures/corpus/vtpm-state
 *
 * libtpms takes its randomness from OpenSSL, so the states (seeds, keys)
 * differ from run to run; their shapes do not.
 */
#include <libtpms/tpm_error.h>
#include <libtpms/tpm_library.h>
#include <libtpms/tpm_memory.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvsm/adapter/vtpm.h"
#include "csvsm/mm.h"
#include "csvsm/nvstore.h"
#include "fuzz_vtpm_state.h"
#include "sim_plat.h"

#define GEN_DEV_SIZE ((uint64_t)512 << 10)
#define GEN_MAX      ((size_t)256 << 10)

static const char *out_dir;

static void die(const char *what)
{
	fprintf(stderr, "gen-vtpm-state-corpus: %s\n", what);
	exit(1);
}

/* Writes one input made of the given blobs (NULL = absent). */
static void save(const char *name, unsigned int flags, const uint8_t *perm, size_t perm_len,
                 const uint8_t *vol, size_t vol_len, const uint8_t *save_blob, size_t save_len)
{
	const uint8_t *data[FVS_BLOBS] = {perm, vol, save_blob};
	const size_t len[FVS_BLOBS] = {perm_len, vol_len, save_len};
	static uint8_t buf[GEN_MAX];
	char path[512];
	size_t n = fuzz_vtpm_state_encode(buf, sizeof(buf), flags, data, len);
	FILE *f;

	if (n == 0)
		die("input too large");
	snprintf(path, sizeof(path), "%s/%s", out_dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(buf, 1, n, f) != n || fclose(f) != 0)
		die(path);
}

/* ---- commands (TPM 2.0 Part 3), marshalled big-endian ---- */

struct cmd {
	uint8_t b[512];
	size_t n;
};

static void put16(struct cmd *c, uint16_t v)
{
	c->b[c->n++] = (uint8_t)(v >> 8);
	c->b[c->n++] = (uint8_t)v;
}

static void put32(struct cmd *c, uint32_t v)
{
	put16(c, (uint16_t)(v >> 16));
	put16(c, (uint16_t)v);
}

static void begin(struct cmd *c, uint16_t tag, uint32_t cc)
{
	c->n = 0;
	put16(c, tag);
	put32(c, 0);
	put32(c, cc);
}

static void pw_session(struct cmd *c)
{
	put32(c, 9);
	put32(c, 0x40000009); /* TPM_RS_PW, empty nonce, continueSession, empty auth */
	put16(c, 0);
	c->b[c->n++] = 1;
	put16(c, 0);
}

/* Runs the command, dies unless it succeeds. */
static void run(struct cmd *c, const char *what)
{
	static uint8_t rsp[VTPM_BUFFER_MAX];
	size_t len;

	c->b[2] = (uint8_t)(c->n >> 24);
	c->b[3] = (uint8_t)(c->n >> 16);
	c->b[4] = (uint8_t)(c->n >> 8);
	c->b[5] = (uint8_t)c->n;
	if (vtpm_execute(c->b, c->n, rsp, sizeof(rsp), &len) != 0 || len < 10 ||
	    rsp[6] | rsp[7] | rsp[8] | rsp[9]) {
		fprintf(stderr, "gen-vtpm-state-corpus: %s: TPM rc 0x%02x%02x%02x%02x\n", what,
		        rsp[6], rsp[7], rsp[8], rsp[9]);
		exit(1);
	}
}

/* NV_DefineSpace(owner) of `size` bytes, then NV_Write of a pattern (Part 3 31.3, 31.7). */
static void nv_define_write(uint32_t index, uint32_t attrs, uint16_t size)
{
	struct cmd c;

	begin(&c, 0x8002, 0x0000012a);
	put32(&c, 0x40000001);
	pw_session(&c);
	put16(&c, 0); /* empty auth */
	put16(&c, 4 + 2 + 4 + 2 + 2);
	put32(&c, index);
	put16(&c, 0x000b);
	put32(&c, attrs);
	put16(&c, 0);
	put16(&c, size);
	run(&c, "NV_DefineSpace");
	begin(&c, 0x8002, 0x00000137);
	put32(&c, (attrs & (1u << 1)) ? 0x40000001 : index);
	put32(&c, index);
	pw_session(&c);
	put16(&c, size);
	for (uint16_t i = 0; i < size; i++)
		c.b[c.n++] = (uint8_t)(i * 7 + 1);
	put16(&c, 0);
	run(&c, "NV_Write");
}

/* ---- states ---- */

struct state {
	uint8_t *perm, *vol;
	size_t perm_len, vol_len;
};

enum { ST_FRESH, ST_NV, ST_NV_OWNER, ST_SHUTDOWN_STATE };

/* Runs a vTPM from a blank store to `kind` and keeps its blobs. */
static void make(struct state *st, int kind, bool want_volatile)
{
	struct nvstore *nv;
	struct blkdev dev;
	const void *blob;
	unsigned char *vol = NULL;
	uint32_t vol_len = 0;
	struct cmd c;

	memset(st, 0, sizeof(*st));
	if (blkdev_ram_init(&dev, GEN_DEV_SIZE) != 0 || nvstore_open(&dev, &nv) != 0)
		die("store");
	if (vtpm_init(nv, VTPM_EK_ECC_P256) != 0)
		die("vtpm_init");
	if (kind == ST_NV || kind == ST_SHUTDOWN_STATE)
		/* AUTHREAD | OWNERWRITE | NO_DA */
		nv_define_write(0x01500010, (1u << 18) | (1u << 1) | (1u << 25), 32);
	if (kind == ST_NV_OWNER) {
		/* OWNERREAD | OWNERWRITE, and an index of the other kind */
		nv_define_write(0x01000020, (1u << 17) | (1u << 1), 64);
		nv_define_write(0x01500011, (1u << 18) | (1u << 1), 8);
	}
	if (kind == ST_SHUTDOWN_STATE) {
		begin(&c, 0x8001, 0x00000145); /* TPM2_Shutdown(TPM_SU_STATE) */
		put16(&c, 1);
		run(&c, "Shutdown");
	}
	if (want_volatile && TPMLIB_VolatileAll_Store(&vol, &vol_len) != TPM_SUCCESS)
		die("TPMLIB_VolatileAll_Store");
	vtpm_shutdown();
	if (nvstore_get(nv, "permall", &blob, &st->perm_len) != 0)
		die("no permall");
	st->perm = malloc(st->perm_len);
	if (!st->perm)
		die("memory");
	memcpy(st->perm, blob, st->perm_len);
	if (vol) {
		st->vol = malloc(vol_len);
		if (!st->vol)
			die("memory");
		memcpy(st->vol, vol, vol_len);
		st->vol_len = vol_len;
		TPM_Free(vol);
	}
	nvstore_close(nv);
	blkdev_ram_free(&dev);
}

static void drop(struct state *st)
{
	free(st->perm);
	free(st->vol);
}

static void console_drop(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
}

int main(int argc, char **argv)
{
	const size_t heap_size = (size_t)32 << 20;
	struct state fresh, nv, owner, vol, down;
	uint8_t junk[1500];
	void *heap;

	if (argc != 2)
		die("usage: gen-vtpm-state-corpus DIR");
	out_dir = argv[1];
	if (posix_memalign(&heap, (size_t)2 << 20, heap_size) != 0 || mm_init(heap, heap_size) != 0)
		die("heap");
	if (!getenv("GEN_VERBOSE"))
		sim_console_set_sink(console_drop, NULL);
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 131 + 7);

	make(&fresh, ST_FRESH, false);
	make(&nv, ST_NV, false);
	make(&owner, ST_NV_OWNER, false);
	make(&vol, ST_NV, true);
	make(&down, ST_SHUTDOWN_STATE, true);

	/* Real states. */
	save("manufacture", 0, NULL, 0, NULL, 0, NULL, 0);
	save("fresh", 0, fresh.perm, fresh.perm_len, NULL, 0, NULL, 0);
	save("nv-index-restart", FVS_FLAG_RESTART, nv.perm, nv.perm_len, NULL, 0, NULL, 0);
	save("nv-owner-indices", 0, owner.perm, owner.perm_len, NULL, 0, NULL, 0);
	save("volatile-running", 0, vol.perm, vol.perm_len, vol.vol, vol.vol_len, NULL, 0);
	save("volatile-after-shutdown-state", FVS_FLAG_RESTART, down.perm, down.perm_len, down.vol,
	     down.vol_len, NULL, 0);
	save("savestate-present", 0, nv.perm, nv.perm_len, NULL, 0, junk, 64);
	/* Damaged ones. */
	save("permall-truncated", 0, nv.perm, nv.perm_len / 2, NULL, 0, NULL, 0);
	save("permall-empty", 0, nv.perm, 0, NULL, 0, NULL, 0);
	save("permall-garbage", 0, junk, sizeof(junk), NULL, 0, NULL, 0);
	save("volatile-garbage", 0, nv.perm, nv.perm_len, junk, sizeof(junk), NULL, 0);
	save("volatile-truncated", 0, vol.perm, vol.perm_len, vol.vol, vol.vol_len / 2, NULL, 0);
	save("volatile-without-permall", 0, NULL, 0, vol.vol, vol.vol_len, NULL, 0);

	drop(&fresh);
	drop(&nv);
	drop(&owner);
	drop(&vol);
	drop(&down);
	free(heap);
	return 0;
}
