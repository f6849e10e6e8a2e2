/* SPDX-License-Identifier: MIT */
/*
 * The vTPM behind the protocol: TPM results checked against independent
 * computations (PCR values with OpenSSL's SHA-256), state that survives a
 * reboot of the machine, NV writes coalesced, stored state treated as
 * untrusted, the TCG EK, the platform hierarchy kept by the SVSM, and the
 * fault sweeps over the command path (allocations, NV writes) and the boot.
 *
 * csvsm decisions tested here (src/vtpm/README.md): a command that writes
 * NV by design is undone when its NV commit fails and answered
 * TPM_RC_RETRY (no memory) or TPM_RC_NV_UNAVAILABLE (device error), with
 * the TPM exactly as before (NV, PCRs, loaded objects); an incidental NV
 * change (the DA counter) keeps the command's answer and is committed with
 * the next command.
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvsm/abi/svsm.h"
#include "csvsm/abi/vtpm.h"
#include "csvsm/adapter/vtpm.h"
#include "csvsm/error.h"
#include "csvsm/fault.h"
#include "csvsm/mm.h"
#include "csvsm/nvstore.h"
#include "csvsm/sim_nv.h"
#include "csvsm/vtpm.h"
#include "fault_sweep.h"
#include "vtpm_test_util.h"

#define OLD_VALUE 0x0123456789abcdefull
#define NEW_VALUE 0xfedcba9876543210ull

static struct vtpm_stats stats(void)
{
	struct vtpm_stats st;

	vtpm_get_stats(&st);
	return st;
}

/* ---- TPM results against independent computations ---- */

/* PCR_Extend: new = SHA-256(old || digest) (Part 1 section 17.2), from all zeros at boot. */
START_TEST(test_pcr_extend_value)
{
	uint8_t expect[32] = {0}, digest[32], got[32];

	vt_pcr_read(16, got);
	ck_assert_mem_eq(got, expect, 32);
	for (unsigned int i = 0; i < 20; i++) {
		memset(digest, (int)i, sizeof(digest));
		if (vt_pcr_extend(16, digest) != TPM_RC_SUCCESS)
			ck_abort_msg("PCR_Extend %u failed", i);
		vt_sha256(expect, 32, digest, 32, expect);
	}
	vt_pcr_read(16, got);
	ck_assert_mem_eq(got, expect, 32);
}
END_TEST

/* An NV index and its contents survive a reboot; PCRs start again from zero. */
START_TEST(test_state_survives_reboot)
{
	uint8_t digest[32], pcr[32], zero[32] = {0};

	vt_nv_prepare(OLD_VALUE);
	memset(digest, 0x5a, sizeof(digest));
	ck_assert_uint_eq(vt_pcr_extend(16, digest), TPM_RC_SUCCESS);
	vt_halt();
	vt_boot(true);
	ck_assert_uint_eq(vt_nv_value(), OLD_VALUE);
	vt_pcr_read(16, pcr);
	ck_assert_mem_eq(pcr, zero, 32);
	ck_assert_uint_eq(vt_nv_write(VT_NV_INDEX, &(uint64_t){NEW_VALUE}, 8), TPM_RC_SUCCESS);
	vt_halt();
	vt_boot(true);
	ck_assert_uint_eq(vt_nv_value(), NEW_VALUE);
}
END_TEST

/* Commands that change no NV write nothing; an NV_Write commits exactly once. */
START_TEST(test_writes_coalesced)
{
	struct vtpm_stats a, b, c;
	uint8_t digest[32] = {1};

	vt_nv_prepare(OLD_VALUE);
	a = stats();
	for (unsigned int i = 0; i < 50; i++) {
		vt_get_random(16, NULL);
		if (vt_pcr_extend(16, digest) != TPM_RC_SUCCESS)
			ck_abort_msg("PCR_Extend failed");
	}
	(void)vt_nv_value();
	b = stats();
	ck_assert_uint_eq(b.nv_commits, a.nv_commits);
	ck_assert_uint_eq(b.snapshots, a.snapshots);
	ck_assert_uint_eq(vt_nv_write(VT_NV_INDEX, &(uint64_t){NEW_VALUE}, 8), TPM_RC_SUCCESS);
	c = stats();
	ck_assert_uint_eq(c.nv_commits, b.nv_commits + 1);
	ck_assert_uint_eq(c.snapshots, b.snapshots + 1);
	/* Writing the same value again changes the NV image only if the TPM says so. */
	ck_assert_uint_le(stats().nv_failures, 0);
}
END_TEST

/* ---- the endorsement key (TCG EK Credential Profile 2.x, templates L-1/L-2) ---- */

/* PolicyA = PolicySecret(TPM_RH_ENDORSEMENT) (Part 3 23.4): H(H(0^32 || cc || name) || ""). */
static void policy_a(uint8_t out[32])
{
	uint8_t buf[32 + 4 + 4] = {0};

	buf[32 + 2] = 0x01; /* TPM_CC_PolicySecret 0x00000151 */
	buf[32 + 3] = 0x51;
	buf[36] = 0x40; /* name of TPM_RH_ENDORSEMENT: the handle 0x4000000B */
	buf[39] = 0x0b;
	vt_sha256(buf, sizeof(buf), NULL, 0, out);
	vt_sha256(out, 32, NULL, 0, out);
}

/* The TCG template, marshalled by the test (TPMT_PUBLIC, Part 2 12.2.4). */
static size_t ek_template(struct tb *t, bool rsa)
{
	uint8_t pol[32], zeros[256] = {0};
	size_t start = t->n;

	policy_a(pol);
	tb_u16(t, rsa ? 0x0001 : 0x0023);
	tb_u16(t, TPM_ALG_SHA256);
	tb_u32(t, 0x000300b2);
	tb_u16(t, 32);
	tb_bytes(t, pol, 32);
	tb_u16(t, 0x0006); /* AES */
	tb_u16(t, 128);
	tb_u16(t, 0x0043); /* CFB */
	tb_u16(t, 0x0010); /* scheme NULL */
	if (rsa) {
		tb_u16(t, 2048);
		tb_u32(t, 0);
		tb_u16(t, 256);
		tb_bytes(t, zeros, 256);
	} else {
		tb_u16(t, 0x0003); /* NIST P-256 */
		tb_u16(t, 0x0010); /* kdf NULL */
		tb_u16(t, 32);
		tb_bytes(t, zeros, 32);
		tb_u16(t, 32);
		tb_bytes(t, zeros, 32);
	}
	return t->n - start;
}

/* The fields of an EK public area up to its parameters, as the profile fixes them. */
static void check_ek_fields(const uint8_t *pub, size_t len, bool rsa)
{
	uint8_t pol[32];

	policy_a(pol);
	ck_assert_uint_ge(len, 2 + 2 + 4 + 2 + 32 + 8);
	ck_assert_uint_eq(be16(pub), rsa ? 0x0001 : 0x0023);
	ck_assert_uint_eq(be16(pub + 2), TPM_ALG_SHA256);
	ck_assert_uint_eq(be32(pub + 4), 0x000300b2);
	ck_assert_uint_eq(be16(pub + 8), 32);
	ck_assert_mem_eq(pub + 10, pol, 32);
	ck_assert_uint_eq(be16(pub + 42), 0x0006);
	ck_assert_uint_eq(be16(pub + 44), 128);
	ck_assert_uint_eq(be16(pub + 46), 0x0043);
	ck_assert_uint_eq(be16(pub + 48), 0x0010);
	if (rsa) {
		ck_assert_uint_eq(len, 50 + 2 + 4 + 2 + 256);
		ck_assert_uint_eq(be16(pub + 50), 2048);
		ck_assert_uint_eq(be16(pub + 56), 256);
	} else {
		ck_assert_uint_eq(len, 50 + 2 + 2 + 2 + 32 + 2 + 32);
		ck_assert_uint_eq(be16(pub + 50), 0x0003);
		ck_assert_uint_eq(be16(pub + 54), 32);
		ck_assert_uint_eq(be16(pub + 88), 32);
	}
}

/* The SVSM's EK (ECC P-256) is the key the guest gets from the same template. */
START_TEST(test_ek_ecc_default)
{
	uint8_t rsp[SVSM_VTPM_RSP_MAX], tmpl_buf[512];
	const uint8_t *ek;
	size_t ek_len = 0, len;
	struct tb t, tmpl;

	ek = vtpm_ek_public(&ek_len);
	ck_assert_ptr_nonnull(ek);
	check_ek_fields(ek, ek_len, false);

	tmpl.n = 0;
	ek_template(&tmpl, false);
	memcpy(tmpl_buf, tmpl.b, tmpl.n);
	tb_begin(&t, TPM_ST_SESSIONS, TPM_CC_CREATE_PRI);
	tb_u32(&t, TPM_RH_ENDORSEMENT);
	tb_pw(&t, NULL, 0);
	tb_u16(&t, 4);
	tb_u16(&t, 0);
	tb_u16(&t, 0);
	tb_u16(&t, (uint16_t)tmpl.n);
	tb_bytes(&t, tmpl_buf, tmpl.n);
	tb_u16(&t, 0);
	tb_u32(&t, 0);
	ck_assert_uint_eq(vt_tpm(t.b, tb_end(&t), rsp, &len), TPM_RC_SUCCESS);
	ck_assert_uint_eq(be16(rsp + 18), ek_len);
	ck_assert_mem_eq(rsp + 20, ek, ek_len);
	tb_begin(&t, TPM_ST_NO_SESSIONS, TPM_CC_FLUSH);
	tb_u32(&t, be32(rsp + 10));
	ck_assert_uint_eq(vt_tpm(t.b, tb_end(&t), rsp, &len), TPM_RC_SUCCESS);
}
END_TEST

/* The RSA-2048 option (template L-1). */
START_TEST(test_ek_rsa_option)
{
	struct nvstore *nv = NULL;
	const uint8_t *ek;
	size_t ek_len = 0;

	vtpm_boot_stop();
	ck_assert_int_eq(vt_nv_open(&nv), 0);
	ck_assert_int_eq(vtpm_init(nv, VTPM_EK_RSA_2048), 0);
	ek = vtpm_ek_public(&ek_len);
	ck_assert_ptr_nonnull(ek);
	check_ek_fields(ek, ek_len, true);
	vtpm_shutdown();
	ck_assert_ptr_null(vtpm_ek_public(&ek_len));
	nvstore_close(nv);
}
END_TEST

/* ---- the platform hierarchy stays the SVSM's ---- */

static uint32_t change_auth(uint32_t hierarchy)
{
	uint8_t rsp[SVSM_VTPM_RSP_MAX];
	struct tb t;
	size_t len;

	tb_begin(&t, TPM_ST_SESSIONS, TPM_CC_HIER_AUTH);
	tb_u32(&t, hierarchy);
	tb_pw(&t, NULL, 0);
	tb_u16(&t, 0);
	return vt_tpm(t.b, tb_end(&t), rsp, &len);
}

START_TEST(test_platform_hierarchy_locked)
{
	uint32_t rc = change_auth(TPM_RH_PLATFORM);

	/* TPM_RC_BAD_AUTH or TPM_RC_AUTH_FAIL for session 1 (Part 2 6.6.3). */
	ck_assert_msg(rc == 0x9a2 || rc == 0x98e, "platform auth accepted empty (rc %#x)", rc);
	ck_assert_uint_eq(change_auth(TPM_RH_OWNER), TPM_RC_SUCCESS);
	ck_assert_uint_eq(change_auth(TPM_RH_ENDORSEMENT), TPM_RC_SUCCESS);
	/* After a reboot too (a fresh TPM2_Startup resets platformAuth to empty). */
	vt_halt();
	vt_boot(true);
	rc = change_auth(TPM_RH_PLATFORM);
	ck_assert_msg(rc == 0x9a2 || rc == 0x98e, "platform auth accepted empty (rc %#x)", rc);
}
END_TEST

/* One command straight to the adapter (no guest path); its TPM response code. */
static uint32_t adapter_tpm(const uint8_t *cmd, size_t len)
{
	uint8_t rsp[VTPM_BUFFER_MAX];
	size_t rsp_len = 0;

	ck_assert_int_eq(vtpm_execute(cmd, len, rsp, sizeof(rsp), &rsp_len), 0);
	ck_assert_uint_ge(rsp_len, 10);
	return be32(rsp + 6);
}

static uint32_t adapter_platform_change_auth(void)
{
	struct tb t;

	tb_begin(&t, TPM_ST_SESSIONS, TPM_CC_HIER_AUTH);
	tb_u32(&t, TPM_RH_PLATFORM);
	tb_pw(&t, NULL, 0);
	tb_u16(&t, 0);
	return adapter_tpm(t.b, tb_end(&t));
}

/* _TPM_Init, then the client's TPM2_Startup(CLEAR), as the tpm-server's power cycle. */
static void adapter_power_cycle_startup(void)
{
	struct tb t;

	ck_assert_int_eq(vtpm_power_cycle(), 0);
	tb_begin(&t, TPM_ST_NO_SESSIONS, TPM_CC_STARTUP);
	tb_u16(&t, 0);
	ck_assert_uint_eq(adapter_tpm(t.b, tb_end(&t)), TPM_RC_SUCCESS);
}

/*
 * The developer option VTPM_PLATFORM_AUTH_EMPTY: platformAuth stays empty
 * (as TPM2_Startup leaves it, Part 1 section 13.3) at start and after a
 * client's TPM2_Startup; the default locks it both times; a bad option is
 * refused.
 */
START_TEST(test_platform_auth_option)
{
	struct vtpm_options empty = {.ek = VTPM_EK_ECC_P256,
	                             .platform_auth = VTPM_PLATFORM_AUTH_EMPTY};
	struct vtpm_options bad = {.ek = VTPM_EK_ECC_P256, .platform_auth = 7};
	struct nvstore *nv = NULL;
	uint32_t rc;

	vtpm_boot_stop();
	ck_assert_int_eq(vt_nv_open(&nv), 0);
	ck_assert_int_eq(vtpm_init_with(nv, &bad), -CSVSM_EINVAL);
	ck_assert_int_eq(vtpm_init_with(nv, &empty), 0);
	ck_assert_ptr_nonnull(vtpm_ek_public(NULL));
	ck_assert_uint_eq(adapter_platform_change_auth(), TPM_RC_SUCCESS);
	adapter_power_cycle_startup();
	ck_assert_uint_eq(adapter_platform_change_auth(), TPM_RC_SUCCESS);
	vtpm_shutdown();

	/* The default (NULL options): locked at start and after every Startup. */
	ck_assert_int_eq(vtpm_init_with(nv, NULL), 0);
	rc = adapter_platform_change_auth();
	ck_assert_msg(rc == 0x9a2 || rc == 0x98e, "platform auth accepted empty (rc %#x)", rc);
	adapter_power_cycle_startup();
	rc = adapter_platform_change_auth();
	ck_assert_msg(rc == 0x9a2 || rc == 0x98e, "platform auth accepted empty (rc %#x)", rc);
	vtpm_shutdown();
	nvstore_close(nv);
}
END_TEST

/* ---- stored state is untrusted ---- */

static uint8_t *device_copy(void)
{
	uint8_t *copy = malloc(VT_DEV_SIZE);

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, vt_dev.priv, VT_DEV_SIZE);
	return copy;
}

/* Replaces the stored "permall" with `data` (the vTPM stopped meanwhile). */
static void store_permall(const void *data, size_t len)
{
	struct nvstore *nv = NULL;

	vtpm_boot_stop();
	ck_assert_int_eq(vt_nv_open(&nv), 0);
	ck_assert_int_eq(nvstore_put(nv, "permall", data, len), 0);
	ck_assert_int_eq(nvstore_commit(nv), 0);
	nvstore_close(nv);
}

/* A stored image libtpms cannot use: no vTPM, and the image is left as it was. */
static void check_refused(const void *data, size_t len)
{
	uint8_t *before;

	store_permall(data, len);
	vt_halt();
	before = device_copy();
	vt_boot(false);
	ck_assert_uint_eq(ct_call(0, SVSM_PROTO_VTPM, SVSM_VTPM_QUERY, 0, 0, 0, NULL),
	                  SVSM_ERR_UNSUPPORTED_PROTOCOL);
	ck_assert_msg(memcmp(before, vt_dev.priv, VT_DEV_SIZE) == 0,
	              "a refused state was overwritten");
	free(before);
}

START_TEST(test_corrupt_state_garbage)
{
	uint8_t junk[2000];

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 131 + 7);
	check_refused(junk, sizeof(junk));
}
END_TEST

START_TEST(test_corrupt_state_truncated)
{
	struct nvstore *nv = NULL;
	const void *blob;
	size_t len;
	uint8_t *half;

	vt_nv_prepare(OLD_VALUE);
	vtpm_boot_stop();
	ck_assert_int_eq(vt_nv_open(&nv), 0);
	ck_assert_int_eq(nvstore_get(nv, "permall", &blob, &len), 0);
	half = malloc(len);
	ck_assert_ptr_nonnull(half);
	memcpy(half, blob, len);
	nvstore_close(nv);
	check_refused(half, len / 2);
	free(half);
}
END_TEST

START_TEST(test_corrupt_state_oversized)
{
	size_t len = 200 * 1024; /* above libtpms' 128 KiB allocation limit */
	uint8_t *big = calloc(1, len);

	ck_assert_ptr_nonnull(big);
	check_refused(big, len);
	free(big);
}
END_TEST

/* ---- NV failures: exact undo of NV-writing commands ---- */

static uint32_t create_primary_ecc(void)
{
	uint8_t rsp[SVSM_VTPM_RSP_MAX];
	struct tb t;
	size_t len;

	/* An owner-hierarchy ECC signing key (Part 3 24.1): unrestricted, userWithAuth. */
	tb_begin(&t, TPM_ST_SESSIONS, TPM_CC_CREATE_PRI);
	tb_u32(&t, TPM_RH_OWNER);
	tb_pw(&t, NULL, 0);
	tb_u16(&t, 4);
	tb_u16(&t, 0);
	tb_u16(&t, 0);
	tb_u16(&t, 2 + 2 + 4 + 2 + 2 + 2 + 2 + 2 + 2 + 2 + 2);
	tb_u16(&t, 0x0023);
	tb_u16(&t, TPM_ALG_SHA256);
	tb_u32(&t, 0x00040072); /* fixedTPM|fixedParent|sensitiveDataOrigin|userWithAuth|sign */
	tb_u16(&t, 0);
	tb_u16(&t, 0x0010); /* symmetric NULL */
	tb_u16(&t, 0x0018); /* ECDSA */
	tb_u16(&t, TPM_ALG_SHA256);
	tb_u16(&t, 0x0003);
	tb_u16(&t, 0x0010);
	tb_u16(&t, 0); /* unique x, y empty */
	tb_u16(&t, 0);
	tb_u16(&t, 0);
	tb_u32(&t, 0);
	ck_assert_uint_eq(vt_tpm(t.b, tb_end(&t), rsp, &len), TPM_RC_SUCCESS);
	return be32(rsp + 10);
}

static uint32_t read_public(uint32_t handle)
{
	uint8_t rsp[SVSM_VTPM_RSP_MAX];
	struct tb t;
	size_t len;

	tb_begin(&t, TPM_ST_NO_SESSIONS, TPM_CC_READ_PUBLIC);
	tb_u32(&t, handle);
	return vt_tpm(t.b, tb_end(&t), rsp, &len);
}

START_TEST(test_nv_failure_undoes_command)
{
	uint8_t digest[32], pcr_before[32], pcr_after[32];
	struct vtpm_stats a;
	uint32_t handle, rc;

	vt_nv_prepare(OLD_VALUE);
	memset(digest, 0x33, sizeof(digest));
	ck_assert_uint_eq(vt_pcr_extend(16, digest), TPM_RC_SUCCESS);
	vt_pcr_read(16, pcr_before);
	handle = create_primary_ecc();
	a = stats();

	fault_arm(FAULT_SITE_NV_WRITE, 1, false);
	rc = vt_nv_write(VT_NV_INDEX, &(uint64_t){NEW_VALUE}, 8);
	fault_reset();
	ck_assert_uint_eq(rc, TPM_RC_NV_UNAVAILABLE);
	ck_assert_uint_eq(stats().rollbacks, a.rollbacks + 1);
	/* The TPM is as before: NV, PCRs and the loaded object. */
	ck_assert_uint_eq(vt_nv_value(), OLD_VALUE);
	vt_pcr_read(16, pcr_after);
	ck_assert_mem_eq(pcr_after, pcr_before, 32);
	ck_assert_uint_eq(read_public(handle), TPM_RC_SUCCESS);
	/* And works: the write succeeds now and survives a reboot. */
	ck_assert_uint_eq(vt_nv_write(VT_NV_INDEX, &(uint64_t){NEW_VALUE}, 8), TPM_RC_SUCCESS);
	vt_halt();
	vt_boot(true);
	ck_assert_uint_eq(vt_nv_value(), NEW_VALUE);
}
END_TEST

/* A device that fails every write: each NV command fails cleanly, the rest works. */
START_TEST(test_nv_device_dead)
{
	uint8_t got[32];

	vt_nv_prepare(OLD_VALUE);
	fault_arm(FAULT_SITE_NV_WRITE, 1, true);
	for (unsigned int i = 0; i < 3; i++) {
		ck_assert_uint_eq(vt_nv_write(VT_NV_INDEX, &(uint64_t){NEW_VALUE + i}, 8),
		                  TPM_RC_NV_UNAVAILABLE);
		ck_assert_uint_eq(vt_nv_value(), OLD_VALUE);
		vt_get_random(32, got);
	}
	fault_reset();
	ck_assert_uint_eq(vt_nv_write(VT_NV_INDEX, &(uint64_t){NEW_VALUE}, 8), TPM_RC_SUCCESS);
	ck_assert_uint_eq(vt_nv_value(), NEW_VALUE);
}
END_TEST

/*
 * An incidental NV change (the dictionary-attack counter after a wrong
 * password, Part 1 section 19.8) whose commit fails: the answer (an auth
 * failure) is delivered, the change stays pending and goes out with the
 * next command.
 */
START_TEST(test_nv_incidental_pending)
{
	static const char pw[] = "right", bad[] = "wrong";
	struct vtpm_stats a, b;
	uint8_t data[8];
	uint32_t rc;

	ck_assert_uint_eq(
	    vt_nv_define(VT_NV_INDEX + 1, 8, TPMA_NV_AUTHREAD | TPMA_NV_AUTHWRITE, pw, 5),
	    TPM_RC_SUCCESS);
	a = stats();
	fault_arm(FAULT_SITE_NV_WRITE, 1, true);
	rc = vt_nv_read(VT_NV_INDEX + 1, false, bad, 5, 8, data);
	fault_reset();
	b = stats();
	ck_assert_msg((rc & 0x3f) == 0x0e || (rc & 0x3f) == 0x22, "rc %#x", rc);
	ck_assert_uint_eq(b.rollbacks, a.rollbacks);
	ck_assert_uint_ge(b.nv_failures, a.nv_failures + 1);
	vt_get_random(8, NULL);
	ck_assert_uint_eq(stats().nv_commits, b.nv_commits + 1);
	ck_assert_uint_eq(stats().nv_failures, b.nv_failures);
}
END_TEST

/* ---- fault sweeps over the command path ---- */

struct nv_sweep {
	uint32_t expect_fail_rc; /* what a failed flow answers */
};

static void sweep_setup(void *ctx)
{
	(void)ctx;
	if (vt_nv_write(VT_NV_INDEX, &(uint64_t){OLD_VALUE}, 8) != TPM_RC_SUCCESS)
		ck_abort_msg("setup: NV_Write failed");
}

/* The flow: NV_Write(NEW) through the SVSM; a clean TPM error maps to a csvsm error. */
static int sweep_flow(void *ctx)
{
	uint32_t rc = vt_nv_write(VT_NV_INDEX, &(uint64_t){NEW_VALUE}, 8);

	(void)ctx;
	if (rc == TPM_RC_SUCCESS)
		return 0;
	if (rc == TPM_RC_RETRY)
		return -CSVSM_ENOMEM;
	if (rc == TPM_RC_NV_UNAVAILABLE)
		return -CSVSM_EIO;
	ck_abort_msg("NV_Write under a fault answered %#x", rc);
	return -CSVSM_EINVAL;
}

static uint8_t sweep_pcr[32];

static bool sweep_invariant(void *ctx, char *why, size_t why_len)
{
	uint8_t pcr[32];

	(void)ctx;
	if (vt_nv_value() != OLD_VALUE) {
		snprintf(why, why_len, "the NV index changed");
		return false;
	}
	vt_pcr_read(16, pcr);
	if (memcmp(pcr, sweep_pcr, 32)) {
		snprintf(why, why_len, "PCR 16 changed");
		return false;
	}
	vt_get_random(8, NULL);
	return true;
}

static unsigned run_nv_sweep(enum fault_site site, bool persistent)
{
	struct fault_sweep s = {
	    .name = site == FAULT_SITE_ALLOC ? "NV_Write/alloc" : "NV_Write/nv-write",
	    .site = site,
	    .persistent = persistent,
	    .setup = sweep_setup,
	    .flow = sweep_flow,
	    .invariant = sweep_invariant,
	    .max_iterations = 64,
	};
	uint8_t digest[32] = {9};

	uint32_t rc;

	/* Defined by the first sweep of a test (TPM_RC_NV_DEFINED after). */
	rc = vt_nv_define(VT_NV_INDEX, 8, TPMA_NV_OWNERWRITE | TPMA_NV_OWNERREAD, NULL, 0);
	ck_assert_msg(rc == TPM_RC_SUCCESS || rc == 0x14c, "NV_DefineSpace: %#x", rc);
	ck_assert_uint_eq(vt_pcr_extend(16, digest), TPM_RC_SUCCESS);
	vt_pcr_read(16, sweep_pcr);
	return fault_sweep_run(&s);
}

/* Allocation failures: staging (nvstore_put) and the commit buffer. */
START_TEST(test_sweep_alloc)
{
	ck_assert_uint_ge(run_nv_sweep(FAULT_SITE_ALLOC, false), 2);
	ck_assert_uint_ge(run_nv_sweep(FAULT_SITE_ALLOC, true), 2);
}
END_TEST

/* NV write failures: each write and flush of the commit (payload, header). */
START_TEST(test_sweep_nv_write)
{
	ck_assert_uint_ge(run_nv_sweep(FAULT_SITE_NV_WRITE, false), 4);
	ck_assert_uint_ge(run_nv_sweep(FAULT_SITE_NV_WRITE, true), 4);
	/* Whatever was answered, a reboot finds the last committed value. */
	vt_halt();
	vt_boot(true);
	ck_assert_uint_eq(vt_nv_value(), NEW_VALUE);
}
END_TEST

/* GetRandom and PCR_Extend allocate nothing and write nothing on the command path. */
static int getrandom_flow(void *ctx)
{
	uint8_t digest[32] = {2};

	(void)ctx;
	vt_get_random(16, NULL);
	return vt_pcr_extend(16, digest) == TPM_RC_SUCCESS ? 0 : -CSVSM_EIO;
}

START_TEST(test_sweep_hot_path_allocates_nothing)
{
	struct fault_sweep s = {.name = "GetRandom+PCR_Extend", .flow = getrandom_flow};

	s.site = FAULT_SITE_ALLOC;
	ck_assert_uint_eq(fault_sweep_run(&s), 0);
	s.site = FAULT_SITE_NV_WRITE;
	ck_assert_uint_eq(fault_sweep_run(&s), 0);
}
END_TEST

/* ---- fault sweeps over the vTPM's start (first boot: manufacture) ---- */

static void boot_setup(void *ctx)
{
	(void)ctx;
	vtpm_boot_stop();
	memset(vt_dev.priv, 0, VT_DEV_SIZE);
	/* A blank device is a first boot: no record of an older generation applies. */
	vtpm_boot_forget();
}

static int boot_flow(void *ctx)
{
	(void)ctx;
	return vtpm_boot(NULL);
}

static void boot_undo(void *ctx)
{
	(void)ctx;
	vtpm_boot_stop();
}

/* After a failed start: no service, and the next start works on what is stored. */
static bool boot_invariant(void *ctx, char *why, size_t why_len)
{
	int rc;

	(void)ctx;
	if (vtpm_service_ready()) {
		snprintf(why, why_len, "service running after a failed start");
		return false;
	}
	rc = vtpm_boot(NULL);
	if (rc < 0) {
		snprintf(why, why_len, "the next start failed (%s)", csvsm_strerror(rc));
		return false;
	}
	vtpm_boot_stop();
	return true;
}

START_TEST(test_sweep_boot)
{
	struct fault_sweep s = {
	    .setup = boot_setup,
	    .flow = boot_flow,
	    .undo = boot_undo,
	    .invariant = boot_invariant,
	    .max_iterations = 200,
	};

	s.name = "vtpm_boot/alloc";
	s.site = FAULT_SITE_ALLOC;
	ck_assert_uint_ge(fault_sweep_run(&s), 4);
	s.name = "vtpm_boot/nv-write";
	s.site = FAULT_SITE_NV_WRITE;
	ck_assert_uint_ge(fault_sweep_run(&s), 4);
	ck_assert_int_eq(vtpm_boot(NULL), 0);
}
END_TEST

Suite *vtpm_nv_suite(void)
{
	Suite *s = suite_create("vtpm_nv");
	TCase *tc;

	tc = tcase_create("tpm");
	tcase_set_timeout(tc, VT_TIMEOUT);
	tcase_add_checked_fixture(tc, vt_setup, vt_teardown);
	tcase_add_test(tc, test_pcr_extend_value);
	tcase_add_test(tc, test_state_survives_reboot);
	tcase_add_test(tc, test_writes_coalesced);
	suite_add_tcase(s, tc);

	tc = tcase_create("identity");
	tcase_set_timeout(tc, VT_TIMEOUT);
	tcase_add_checked_fixture(tc, vt_setup, vt_teardown);
	tcase_add_test(tc, test_ek_ecc_default);
	tcase_add_test(tc, test_ek_rsa_option);
	tcase_add_test(tc, test_platform_hierarchy_locked);
	tcase_add_test(tc, test_platform_auth_option);
	suite_add_tcase(s, tc);

	tc = tcase_create("untrusted_state");
	tcase_set_timeout(tc, VT_TIMEOUT);
	tcase_add_checked_fixture(tc, vt_setup, vt_teardown);
	tcase_add_test(tc, test_corrupt_state_garbage);
	tcase_add_test(tc, test_corrupt_state_truncated);
	tcase_add_test(tc, test_corrupt_state_oversized);
	suite_add_tcase(s, tc);

	tc = tcase_create("nv_failures");
	tcase_set_timeout(tc, VT_TIMEOUT);
	tcase_add_checked_fixture(tc, vt_setup, vt_teardown);
	tcase_add_test(tc, test_nv_failure_undoes_command);
	tcase_add_test(tc, test_nv_device_dead);
	tcase_add_test(tc, test_nv_incidental_pending);
	suite_add_tcase(s, tc);

	tc = tcase_create("fault_sweeps");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, vt_setup, vt_teardown);
	tcase_add_test(tc, test_sweep_alloc);
	tcase_add_test(tc, test_sweep_nv_write);
	tcase_add_test(tc, test_sweep_hot_path_allocates_nothing);
	tcase_add_test(tc, test_sweep_boot);
	suite_add_tcase(s, tc);
	return s;
}
