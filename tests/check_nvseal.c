/* SPDX-License-Identifier: MIT */
/*
 * The sealed vTPM state (issue 13): the NV store's sealed format
 * (nvstore_open_sealed) on a RAM device with a fixed key, and the vTPM on
 * the simulator, whose key comes from MSG_KEY_REQ. The three attacks of the
 * issue: a copied state file gives nothing elsewhere (another machine
 * secret or measurement refuses it), no NV secret is readable in the file,
 * an older file is detected where a trusted record exists; and the libtpms
 * crash reproducers never reach libtpms. Fault sweeps over the sealed
 * commit and open, and the sealed-image fuzz corpus.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_test_util.h"
#include "corpus_replay.h"
#include "csvsm/abi/attest.h"
#include "csvsm/error.h"
#include "csvsm/fault.h"
#include "csvsm/mm.h"
#include "csvsm/nvstore.h"
#include "csvsm/sim_attest.h"
#include "csvsm/sim_nv.h"
#include "csvsm/vtpm.h"
#include "fault_sweep.h"
#include "fuzz/fuzz_nvseal.h"
#include "fuzz/fuzz_vtpm_state.h"
#include "log_capture.h"
#include "sim_plat.h"
#include "vtpm_test_util.h"

#define DEV_SIZE ((uint64_t)16 << 10)

/* Where needle first occurs in hay, or NULL (memmem without _GNU_SOURCE). */
static const void *find_bytes(const void *hay, size_t hay_len, const void *needle, size_t len)
{
	const uint8_t *h = hay;

	for (size_t i = 0; len <= hay_len && i <= hay_len - len; i++)
		if (memcmp(h + i, needle, len) == 0)
			return h + i;
	return NULL;
}

static struct blkdev dev;
static uint8_t snapshot[DEV_SIZE];

static void store_setup(void)
{
	test_heap_init((size_t)8 << 20);
	ck_assert_int_eq(blkdev_ram_init(&dev, DEV_SIZE), 0);
	sim_console_set_sink(log_capture, NULL);
	log_clear();
}

static void store_teardown(void)
{
	sim_console_set_sink(NULL, NULL);
	blkdev_ram_free(&dev);
}

static void seal_key(struct nvstore_seal *s, uint8_t byte, uint64_t min_generation)
{
	memset(s->key, byte, sizeof(s->key));
	s->min_generation = min_generation;
}

/* Opens (asserting `want`), puts blob "b" = value (when value), commits, closes. */
static void commit_value(uint8_t key, const char *value)
{
	struct nvstore_seal s;
	struct nvstore *nv = NULL;

	seal_key(&s, key, 0);
	ck_assert_int_eq(nvstore_open_sealed(&dev, &s, &nv), 0);
	ck_assert_int_eq(nvstore_put(nv, "b", value, strlen(value)), 0);
	ck_assert_int_eq(nvstore_commit(nv), 0);
	nvstore_close(nv);
}

static int open_with(uint8_t key, uint64_t min_generation, struct nvstore **nv)
{
	struct nvstore_seal s;

	seal_key(&s, key, min_generation);
	return nvstore_open_sealed(&dev, &s, nv);
}

/* The value of blob "b" in a store opened with `key`, or NULL. */
static const char *value_with(uint8_t key, uint64_t min_generation, uint64_t *gen)
{
	static char out[64];
	struct nvstore_stats st;
	struct nvstore *nv = NULL;
	const void *p;
	size_t len;

	if (open_with(key, min_generation, &nv) != 0)
		return NULL;
	nvstore_get_stats(nv, &st);
	*gen = st.generation;
	if (nvstore_get(nv, "b", &p, &len) != 0 || len >= sizeof(out)) {
		nvstore_close(nv);
		return NULL;
	}
	memcpy(out, p, len);
	out[len] = '\0';
	nvstore_close(nv);
	return out;
}

static uint64_t slot_size(void)
{
	return DEV_SIZE / 2;
}

/* ---- the sealed format ---- */

START_TEST(test_roundtrip_and_wrong_key)
{
	struct nvstore_stats st;
	struct nvstore *nv = NULL;
	uint64_t gen = 0;

	commit_value(1, "first");
	commit_value(1, "second");
	ck_assert_str_eq(value_with(1, 0, &gen), "second");
	ck_assert_uint_eq(gen, 2);
	/* Another key: both slots refused, unread and untouched. */
	memcpy(snapshot, dev.priv, DEV_SIZE);
	log_clear();
	ck_assert_int_eq(open_with(2, 0, &nv), -CSVSM_ECORRUPT);
	ck_assert_ptr_null(nv);
	ck_assert(log_has("does not authenticate"));
	ck_assert_mem_eq(snapshot, dev.priv, DEV_SIZE);
	/* The right key still opens it, and the stats say sealed. */
	ck_assert_int_eq(open_with(1, 0, &nv), 0);
	nvstore_get_stats(nv, &st);
	ck_assert(st.sealed);
	ck_assert_uint_eq(st.invalid_slots, 0);
	nvstore_close(nv);
}
END_TEST

START_TEST(test_sealed_and_unsealed_do_not_mix)
{
	struct nvstore *nv = NULL;

	/* An unsealed state (what a hypervisor without the key can write). */
	ck_assert_int_eq(nvstore_open(&dev, &nv), 0);
	ck_assert_int_eq(nvstore_put(nv, "b", "forged", 6), 0);
	ck_assert_int_eq(nvstore_commit(nv), 0);
	nvstore_close(nv);
	memcpy(snapshot, dev.priv, DEV_SIZE);
	log_clear();
	ck_assert_int_eq(open_with(1, 0, &nv), -CSVSM_ECORRUPT);
	ck_assert(log_has("not sealed"));
	ck_assert_mem_eq(snapshot, dev.priv, DEV_SIZE);
	/* And a sealed state is no unsealed store's either. */
	memset(dev.priv, 0, DEV_SIZE);
	commit_value(1, "sealed");
	log_clear();
	ck_assert_int_eq(nvstore_open(&dev, &nv), -CSVSM_ECORRUPT);
	ck_assert(log_has("opened without a key"));
}
END_TEST

/* Put CRC-32C right after a change, as an attacker would (csvsm/lib/crc32.h). */
#include "csvsm/lib/crc32.h"
static void fix_crcs(uint8_t *slot)
{
	uint32_t len = (uint32_t)slot[24] | (uint32_t)slot[25] << 8 | (uint32_t)slot[26] << 16 |
	               (uint32_t)slot[27] << 24;
	uint32_t c = crc32c(0, slot + 64, len);

	memcpy(slot + 28, &c, 4);
	c = crc32c(0, slot, 60);
	memcpy(slot + 60, &c, 4);
}

START_TEST(test_tampering_detected)
{
	uint8_t *img = dev.priv;
	struct nvstore_stats st;
	struct nvstore *nv = NULL;
	uint64_t gen = 0;

	commit_value(1, "one");
	commit_value(1, "two"); /* generation 2, in slot 1; slot 0 holds generation 1 */
	/* A ciphertext byte of the newest slot, checksums fixed: falls back to generation 1. */
	img[slot_size() + 64 + 20] ^= 1;
	fix_crcs(img + slot_size());
	ck_assert_str_eq(value_with(1, 0, &gen), "one");
	ck_assert_int_eq(open_with(1, 0, &nv), 0);
	nvstore_get_stats(nv, &st);
	ck_assert_uint_eq(st.auth_failures, 2);
	nvstore_close(nv);
	/* A forged generation (header authenticated too): refused as well. */
	img[8] = 9;
	fix_crcs(img);
	ck_assert_int_eq(open_with(1, 0, &nv), -CSVSM_ECORRUPT);
}
END_TEST

START_TEST(test_no_plaintext_on_the_device)
{
	static const char secret[] = "NV-SECRET-7f3a9c";
	struct nvstore *nv = NULL;

	commit_value(1, secret);
	ck_assert_ptr_null(find_bytes(dev.priv, DEV_SIZE, secret, strlen(secret)));
	/* The control: an unsealed store would show it. */
	memset(dev.priv, 0, DEV_SIZE);
	ck_assert_int_eq(nvstore_open(&dev, &nv), 0);
	ck_assert_int_eq(nvstore_put(nv, "b", secret, strlen(secret)), 0);
	ck_assert_int_eq(nvstore_commit(nv), 0);
	nvstore_close(nv);
	ck_assert_ptr_nonnull(find_bytes(dev.priv, DEV_SIZE, secret, strlen(secret)));
}
END_TEST

/* The trusted record (min_generation), and the slot-generation gap. */
START_TEST(test_rollback_detection)
{
	static uint8_t slot1_gen2[DEV_SIZE / 2];
	struct nvstore_stats st;
	struct nvstore *nv = NULL;
	uint64_t gen = 0;
	uint8_t *img = dev.priv;

	commit_value(1, "g1");
	commit_value(1, "g2"); /* slot 1 */
	memcpy(snapshot, img, DEV_SIZE);
	memcpy(slot1_gen2, img + slot_size(), slot_size());
	commit_value(1, "g3"); /* slot 0 */
	/* A whole-device copy from generation 2 opens, unless the record says 3. */
	memcpy(img, snapshot, DEV_SIZE);
	ck_assert_str_eq(value_with(1, 0, &gen), "g2");
	log_clear();
	ck_assert_int_eq(open_with(1, 3, &nv), -CSVSM_ECORRUPT);
	ck_assert(log_has("rollback"));
	/* Back to generation 3, then 4 (slot 1) and 5 (slot 0); slot 1 replaced by its gen-2 copy.
	 */
	memset(img, 0, DEV_SIZE);
	for (int i = 1; i <= 5; i++) {
		char v[8];

		snprintf(v, sizeof(v), "g%d", i);
		commit_value(1, v);
		if (i == 2)
			memcpy(slot1_gen2, img + slot_size(), slot_size());
	}
	memcpy(img + slot_size(), slot1_gen2, slot_size());
	log_clear();
	ck_assert_int_eq(open_with(1, 0, &nv), 0);
	nvstore_get_stats(nv, &st);
	ck_assert(st.rollback_suspect);
	ck_assert_uint_eq(st.generation, 5);
	ck_assert(log_has("rollback attempt"));
	nvstore_close(nv);
	/* A blank device when the record says a state existed: refused. */
	memset(img, 0, DEV_SIZE);
	ck_assert_int_eq(open_with(1, 1, &nv), -CSVSM_ECORRUPT);
	ck_assert_int_eq(open_with(1, 0, &nv), 0);
	nvstore_close(nv);
}
END_TEST

/* ---- fault sweeps: the sealed commit and the sealed open ---- */

static void sweep_setup(void *ctx)
{
	(void)ctx;
	memset(dev.priv, 0, DEV_SIZE);
	commit_value(1, "old state");
	memcpy(snapshot, dev.priv, DEV_SIZE);
}

static int commit_flow(void *ctx)
{
	struct nvstore *nv = NULL;
	int rc;

	(void)ctx;
	rc = open_with(1, 0, &nv);
	if (rc == 0)
		rc = nvstore_put(nv, "b", "new state", 9);
	if (rc == 0)
		rc = nvstore_commit(nv);
	nvstore_close(nv);
	return rc;
}

/* After a failed commit the device opens with the old or the new state, nothing else. */
static bool commit_invariant(void *ctx, char *why, size_t why_len)
{
	uint64_t gen = 0;
	const char *v;

	(void)ctx;
	fault_reset();
	v = value_with(1, 0, &gen);
	if (!v || (strcmp(v, "old state") != 0 && strcmp(v, "new state") != 0)) {
		snprintf(why, why_len, "the device holds %s", v ? v : "no state");
		return false;
	}
	return true;
}

START_TEST(test_sweep_sealed_commit)
{
	struct fault_sweep s = {.setup = sweep_setup,
	                        .flow = commit_flow,
	                        .invariant = commit_invariant,
	                        .max_iterations = 100};
	unsigned int n;

	s.name = "sealed commit/alloc";
	s.site = FAULT_SITE_ALLOC;
	n = fault_sweep_run(&s);
	printf("fault sweep %s: %u failure point(s)\n", s.name, n);
	ck_assert_uint_ge(n, 6);
	s.name = "sealed commit/nv-write";
	s.site = FAULT_SITE_NV_WRITE;
	n = fault_sweep_run(&s);
	printf("fault sweep %s: %u failure point(s)\n", s.name, n);
	ck_assert_uint_ge(n, 2);
	s.name = "sealed commit/nv-write persistent";
	s.persistent = true;
	n = fault_sweep_run(&s);
	printf("fault sweep %s: %u failure point(s)\n", s.name, n);
	ck_assert_uint_ge(n, 2);
}
END_TEST

START_TEST(test_fuzz_corpus)
{
	ck_assert_uint_ge(corpus_replay(NVSEAL_CORPUS_DIR, fuzz_nvseal_one), 8);
}
END_TEST

/* ---- the vTPM on the simulator ---- */

static uint8_t vt_before[VT_DEV_SIZE];

/* Boots a machine on vt_dev with `seed` and, when given, another measurement. */
static void boot_with(uint64_t seed, uint8_t measurement_byte, bool want_vtpm)
{
	struct csvsm_sim_config cfg;

	csvsm_sim_config_default(&cfg);
	cfg.seed = seed;
	if (measurement_byte)
		memset(cfg.measurement, measurement_byte, sizeof(cfg.measurement));
	sim_nv_use(&vt_dev);
	ct_start(&cfg);
	ck_assert_msg(vtpm_service_ready() == want_vtpm, "vTPM %s", want_vtpm ? "refused" : "ran");
	if (want_vtpm) {
		vt_buf = ct_page(0);
		ct_validate(vt_buf);
		ct_validate(ct_page(1));
	}
}

/* A state copied to another machine, or run under another SVSM image, is refused. */
START_TEST(test_copied_state_refused_elsewhere)
{
	vt_nv_prepare(0x1122334455667788ull);
	vt_halt();
	memcpy(vt_before, vt_dev.priv, VT_DEV_SIZE);
	sim_console_set_sink(log_capture, NULL);
	log_clear();
	boot_with(2, 0, false); /* another machine secret */
	ck_assert(log_has("does not authenticate"));
	vt_halt();
	boot_with(1, 0x77, false); /* another launch measurement */
	vt_halt();
	sim_console_set_sink(NULL, NULL);
	ck_assert_mem_eq(vt_before, vt_dev.priv, VT_DEV_SIZE);
	/* On its own machine and image it is all there. */
	vt_boot(true);
	ck_assert_uint_eq(vt_nv_value(), 0x1122334455667788ull);
}
END_TEST

START_TEST(test_nv_secret_not_in_file)
{
	static const uint8_t secret[8] = {0x5e, 0xc2, 0xe7, 0xa1, 0xb0, 0x0b, 0x13, 0x37};
	struct nvstore *nv = NULL;
	uint64_t v;
	bool seen = false;

	memcpy(&v, secret, 8);
	vt_nv_prepare(v);
	vt_halt();
	ck_assert_ptr_null(find_bytes(vt_dev.priv, VT_DEV_SIZE, secret, 8));
	/* The control: the TPM's own (plaintext) state holds it. */
	vt_boot(true);
	ck_assert_int_eq(vt_nv_open(&nv), 0);
	for (size_t i = 0; i < nvstore_count(nv); i++) {
		const void *data;
		size_t len;

		ck_assert_int_eq(nvstore_get_at(nv, i, NULL, &data, &len), 0);
		seen = seen || find_bytes(data, len, secret, 8) != NULL;
	}
	nvstore_close(nv);
	ck_assert(seen);
}
END_TEST

/* The NV generation a verifier sees in the services manifest. */
static uint64_t attested_generation(void)
{
	static struct csvsm_sim_attest_result res;
	struct csvsm_sim_attest_req r = {.no_certs = true};
	const uint8_t *m = res.manifest;
	uint32_t off;

	ck_assert_int_eq(csvsm_sim_attest(ct_sim, 0, &r, &res), 0);
	ck_assert_uint_eq(res.regs.rax, 0);
	off = (uint32_t)m[64] | (uint32_t)m[65] << 8;
	return (uint64_t)m[off] | (uint64_t)m[off + 1] << 8 | (uint64_t)m[off + 2] << 16;
}

START_TEST(test_replayed_older_file)
{
	uint64_t g_old, g_new;
	int rc;

	vt_nv_prepare(1);
	vtpm_boot_stop();
	memcpy(vt_before, vt_dev.priv, VT_DEV_SIZE); /* the hypervisor keeps this copy */
	ck_assert_int_eq(vtpm_boot(NULL), 0);
	g_old = attested_generation();
	ck_assert_uint_eq(vt_nv_write(VT_NV_INDEX, &(uint64_t){2}, 8), 0);
	vtpm_boot_stop(); /* commits */
	ck_assert_int_eq(vtpm_boot(NULL), 0);
	g_new = attested_generation();
	ck_assert_uint_gt(g_new, g_old);
	vtpm_boot_stop();
	/* While the SVSM runs: the older copy is refused, and not overwritten. */
	memcpy(vt_dev.priv, vt_before, VT_DEV_SIZE);
	rc = vtpm_boot(NULL);
	ck_assert_int_eq(rc, -CSVSM_ECORRUPT);
	ck_assert(!vtpm_service_ready());
	ck_assert_mem_eq(vt_dev.priv, vt_before, VT_DEV_SIZE);
	/*
	 * After a restart the SVSM has no record (no trusted monotonic
	 * counter): it runs on the old state, but its reports say so, and a
	 * verifier that kept the last generation it saw detects it.
	 */
	vt_halt();
	vt_boot(true);
	ck_assert_uint_eq(vt_nv_value(), 1);
	ck_assert_uint_lt(attested_generation(), g_new);
}
END_TEST

/* Reads a vtpm-state-crashes input into the three blobs (format: fuzz_vtpm_state.h). */
static size_t read_file(const char *path, uint8_t *buf, size_t max)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, max, f);
	fclose(f);
	return n;
}

static const char *const blob_names[3] = {"permall", "volatilestate", "savestate"};

static void split(const uint8_t *d, size_t size, const uint8_t *blob[3], size_t len[3])
{
	size_t off = FVS_HDR_SIZE;
	unsigned int last = 3;

	for (unsigned int i = 0; i < 3; i++)
		if (d[0] & (1u << i))
			last = i;
	for (unsigned int i = 0; i < 3; i++) {
		size_t left = size > off ? size - off : 0;

		blob[i] = NULL;
		len[i] = 0;
		if (!(d[0] & (1u << i)))
			continue;
		len[i] = i == last ? left
		                   : (size_t)d[1 + 4 * i] | (size_t)d[2 + 4 * i] << 8 |
		                         (size_t)d[3 + 4 * i] << 16 | (size_t)d[4 + 4 * i] << 24;
		if (len[i] > left)
			len[i] = left;
		blob[i] = d + off;
		off += len[i];
	}
}

/*
 * The libtpms crash reproducers, as a hypervisor without the key can
 * store them (an unsealed store, or a sealed one under a guessed key): the
 * vTPM refuses them before libtpms sees a byte (libtpms 0.9.2 would crash
 * the process under ASan: the test would die), and the device stays as
 * the attacker left it.
 */
START_TEST(test_crash_reproducers_refused)
{
	static const char *const files[] = {"permall-segv-1", "permall-segv-1-min",
	                                    "permall-segv-2", "permall-segv-3",
	                                    "state-segv-in-command"};
	static uint8_t in[16384];

	for (unsigned int f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		char path[512];
		const uint8_t *blob[3];
		size_t len[3], n;

		snprintf(path, sizeof(path), "%s/%s", VTPM_CRASHES_DIR, files[f]);
		n = read_file(path, in, sizeof(in));
		split(in, n, blob, len);
		ck_assert_ptr_nonnull(blob[0]);
		for (int sealed = 0; sealed < 2; sealed++) {
			struct nvstore_seal s;
			struct nvstore *nv = NULL;

			/* The attacker's store, written while a machine (and its heap) exists. */
			vtpm_boot_stop();
			memset(vt_dev.priv, 0, VT_DEV_SIZE);
			seal_key(&s, 0xee, 0);
			ck_assert_int_eq(sealed ? nvstore_open_sealed(&vt_dev, &s, &nv)
			                        : nvstore_open(&vt_dev, &nv),
			                 0);
			for (unsigned int i = 0; i < 3; i++)
				if (blob[i])
					ck_assert_int_eq(
					    nvstore_put(nv, blob_names[i], blob[i], len[i]), 0);
			ck_assert_int_eq(nvstore_commit(nv), 0);
			nvstore_close(nv);
			memcpy(vt_before, vt_dev.priv, VT_DEV_SIZE);
			vt_halt();
			boot_with(1, 0, false);
			ck_assert_mem_eq(vt_before, vt_dev.priv, VT_DEV_SIZE);
		}
	}
	vt_halt();
	memset(vt_dev.priv, 0, VT_DEV_SIZE);
	vt_boot(true);
}
END_TEST

static Suite *nvseal_suite(void)
{
	Suite *s = suite_create("nvseal");
	TCase *tc;

	tc = tcase_create("format");
	tcase_add_checked_fixture(tc, store_setup, store_teardown);
	tcase_add_test(tc, test_roundtrip_and_wrong_key);
	tcase_add_test(tc, test_sealed_and_unsealed_do_not_mix);
	tcase_add_test(tc, test_tampering_detected);
	tcase_add_test(tc, test_no_plaintext_on_the_device);
	tcase_add_test(tc, test_rollback_detection);
	tcase_add_test(tc, test_sweep_sealed_commit);
	tcase_add_test(tc, test_fuzz_corpus);
	suite_add_tcase(s, tc);

	tc = tcase_create("vtpm");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, vt_setup, vt_teardown);
	tcase_add_test(tc, test_copied_state_refused_elsewhere);
	tcase_add_test(tc, test_nv_secret_not_in_file);
	tcase_add_test(tc, test_replayed_older_file);
	tcase_add_test(tc, test_crash_reproducers_refused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(nvseal_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
