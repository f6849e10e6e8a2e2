/* SPDX-License-Identifier: MIT */
/* Helpers of the vTPM tests (see vtpm_test_util.h). */
#include <inttypes.h>
#include <openssl/evp.h>
#include <string.h>

#include "csvsm/abi/svsm.h"
#include "csvsm/abi/vtpm.h"
#include "csvsm/guest_msg.h"
#include "csvsm/nvstore.h"
#include "csvsm/sim_nv.h"
#include "csvsm/vtpm.h"
#include "vtpm_test_util.h"

struct blkdev vt_dev;
uint64_t vt_buf;

void vt_boot(bool want_vtpm)
{
	vt_boot_with(NULL, want_vtpm);
}

void vt_boot_with(const struct csvsm_sim_config *cfg, bool want_vtpm)
{
	sim_nv_use(&vt_dev);
	ct_start(cfg);
	ck_assert_msg(vtpm_service_ready() == want_vtpm, "vTPM %s after boot",
	              vtpm_service_ready() ? "running" : "not running");
	vt_buf = ct_page(0);
	ct_validate(vt_buf);
	ct_validate(ct_page(1));
}

void vt_halt(void)
{
	vtpm_boot_stop();
	ct_stop();
}

void vt_setup(void)
{
	ck_assert_int_eq(sim_nv_ram_open(&vt_dev, VT_DEV_SIZE), 0);
	vt_boot(true);
}

void vt_teardown(void)
{
	vt_halt();
	sim_nv_use(NULL);
	sim_nv_ram_close(&vt_dev);
}

void tb_bytes(struct tb *t, const void *p, size_t n)
{
	ck_assert_uint_le(n, sizeof(t->b) - t->n);
	memcpy(t->b + t->n, p, n);
	t->n += n;
}

void tb_u8(struct tb *t, uint8_t v)
{
	tb_bytes(t, &v, 1);
}

void tb_u16(struct tb *t, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	tb_bytes(t, b, 2);
}

void tb_u32(struct tb *t, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};

	tb_bytes(t, b, 4);
}

void tb_begin(struct tb *t, uint16_t tag, uint32_t cc)
{
	t->n = 0;
	tb_u16(t, tag);
	tb_u32(t, 0);
	tb_u32(t, cc);
}

void tb_pw(struct tb *t, const void *auth, uint16_t len)
{
	tb_u32(t, 9u + len);
	tb_u32(t, TPM_RS_PW);
	tb_u16(t, 0);
	tb_u8(t, 0);
	tb_u16(t, len);
	if (len)
		tb_bytes(t, auth, len);
}

size_t tb_end(struct tb *t)
{
	t->b[2] = (uint8_t)(t->n >> 24);
	t->b[3] = (uint8_t)(t->n >> 16);
	t->b[4] = (uint8_t)(t->n >> 8);
	t->b[5] = (uint8_t)t->n;
	return t->n;
}

uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

uint64_t vt_send_at(uint64_t gpa, const uint8_t *cmd, size_t len, uint8_t *rsp, size_t rsp_max,
                    size_t *rsp_len)
{
	uint8_t req[SVSM_VTPM_BUFFER_SIZE];
	uint32_t v = SVSM_VTPM_PLATFORM_SEND_COMMAND, n = (uint32_t)len, rlen;
	struct csvsm_regs r;
	uint64_t rax;

	ck_assert_uint_le(len, SVSM_VTPM_CMD_MAX);
	/* Table 16, little-endian: command 8, locality 0, size, bytes. */
	memcpy(req, &v, 4);
	req[4] = 0;
	memcpy(req + 5, &n, 4);
	memcpy(req + 9, cmd, len);
	ck_assert_int_eq(ct_write(gpa, req, 9 + len), CSVSM_SIM_ACCESS_OK);
	rax = ct_call(0, SVSM_PROTO_VTPM, SVSM_VTPM_CMD, gpa, 0, 0, &r);
	if (rax != SVSM_SUCCESS)
		return rax;
	ck_assert_int_eq(ct_read(gpa, &rlen, 4), CSVSM_SIM_ACCESS_OK);
	ck_assert_uint_ge(rlen, 10);
	ck_assert_uint_le(rlen, rsp_max);
	ck_assert_int_eq(ct_read(gpa + 4, rsp, rlen), CSVSM_SIM_ACCESS_OK);
	/* The response header's own size field agrees (Part 1 section 18). */
	ck_assert_uint_eq(be32(rsp + 2), rlen);
	*rsp_len = rlen;
	return rax;
}

uint32_t vt_tpm(const uint8_t *cmd, size_t len, uint8_t *rsp, size_t *rsp_len)
{
	uint64_t rax = vt_send_at(vt_buf, cmd, len, rsp, SVSM_VTPM_RSP_MAX, rsp_len);

	ck_assert_msg(rax == SVSM_SUCCESS, "SVSM_VTPM_CMD: RAX 0x%" PRIx64, rax);
	return be32(rsp + 6);
}

size_t vt_get_random(uint16_t n, uint8_t *out)
{
	uint8_t rsp[SVSM_VTPM_RSP_MAX];
	struct tb t;
	size_t len;
	uint16_t got;

	tb_begin(&t, TPM_ST_NO_SESSIONS, TPM_CC_GET_RANDOM);
	tb_u16(&t, n);
	ck_assert_uint_eq(vt_tpm(t.b, tb_end(&t), rsp, &len), TPM_RC_SUCCESS);
	got = be16(rsp + 10);
	ck_assert_uint_eq(len, 12u + got);
	if (out)
		memcpy(out, rsp + 12, got);
	return got;
}

uint32_t vt_pcr_extend(unsigned int pcr, const uint8_t digest[32])
{
	uint8_t rsp[SVSM_VTPM_RSP_MAX];
	struct tb t;
	size_t len;

	tb_begin(&t, TPM_ST_SESSIONS, TPM_CC_PCR_EXTEND);
	tb_u32(&t, pcr);
	tb_pw(&t, NULL, 0);
	tb_u32(&t, 1); /* TPML_DIGEST_VALUES: one SHA-256 digest */
	tb_u16(&t, TPM_ALG_SHA256);
	tb_bytes(&t, digest, 32);
	return vt_tpm(t.b, tb_end(&t), rsp, &len);
}

void vt_pcr_read(unsigned int pcr, uint8_t out[32])
{
	uint8_t rsp[SVSM_VTPM_RSP_MAX];
	uint8_t select[3] = {0, 0, 0};
	struct tb t;
	size_t len, off;

	select[pcr / 8] = (uint8_t)(1u << (pcr % 8));
	tb_begin(&t, TPM_ST_NO_SESSIONS, TPM_CC_PCR_READ);
	tb_u32(&t, 1);
	tb_u16(&t, TPM_ALG_SHA256);
	tb_u8(&t, 3);
	tb_bytes(&t, select, 3);
	ck_assert_uint_eq(vt_tpm(t.b, tb_end(&t), rsp, &len), TPM_RC_SUCCESS);
	/* updateCounter, pcrSelectionOut (count, hash, size, 3 bytes), values (count, size, bytes)
	 */
	off = 10 + 4 + 4 + 2 + 1 + 3;
	ck_assert_uint_ge(len, off + 4 + 2 + 32);
	ck_assert_uint_eq(be32(rsp + off), 1);
	ck_assert_uint_eq(be16(rsp + off + 4), 32);
	memcpy(out, rsp + off + 6, 32);
}

uint32_t vt_nv_define(uint32_t index, uint16_t size, uint32_t attrs, const void *auth,
                      uint16_t auth_len)
{
	uint8_t rsp[SVSM_VTPM_RSP_MAX];
	struct tb t;
	size_t len;

	tb_begin(&t, TPM_ST_SESSIONS, TPM_CC_NV_DEFINE);
	tb_u32(&t, TPM_RH_OWNER);
	tb_pw(&t, NULL, 0);
	tb_u16(&t, auth_len);
	if (auth_len)
		tb_bytes(&t, auth, auth_len);
	tb_u16(&t, 14); /* TPMS_NV_PUBLIC */
	tb_u32(&t, index);
	tb_u16(&t, TPM_ALG_SHA256);
	tb_u32(&t, attrs);
	tb_u16(&t, 0);
	tb_u16(&t, size);
	return vt_tpm(t.b, tb_end(&t), rsp, &len);
}

uint32_t vt_nv_write(uint32_t index, const void *data, uint16_t n)
{
	uint8_t rsp[SVSM_VTPM_RSP_MAX];
	struct tb t;
	size_t len;

	tb_begin(&t, TPM_ST_SESSIONS, TPM_CC_NV_WRITE);
	tb_u32(&t, TPM_RH_OWNER);
	tb_u32(&t, index);
	tb_pw(&t, NULL, 0);
	tb_u16(&t, n);
	tb_bytes(&t, data, n);
	tb_u16(&t, 0);
	return vt_tpm(t.b, tb_end(&t), rsp, &len);
}

uint32_t vt_nv_read(uint32_t index, bool owner, const void *auth, uint16_t auth_len, uint16_t n,
                    uint8_t *out)
{
	uint8_t rsp[SVSM_VTPM_RSP_MAX];
	struct tb t;
	size_t len;
	uint32_t rc;

	tb_begin(&t, TPM_ST_SESSIONS, TPM_CC_NV_READ);
	tb_u32(&t, owner ? TPM_RH_OWNER : index);
	tb_u32(&t, index);
	tb_pw(&t, auth, auth_len);
	tb_u16(&t, n);
	tb_u16(&t, 0);
	rc = vt_tpm(t.b, tb_end(&t), rsp, &len);
	if (rc == TPM_RC_SUCCESS) {
		/* parameterSize, TPM2B data, then the session area */
		ck_assert_uint_ge(len, 16u + n);
		ck_assert_uint_eq(be16(rsp + 14), n);
		memcpy(out, rsp + 16, n);
	}
	return rc;
}

void vt_nv_prepare(uint64_t value)
{
	ck_assert_uint_eq(
	    vt_nv_define(VT_NV_INDEX, 8, TPMA_NV_OWNERWRITE | TPMA_NV_OWNERREAD, NULL, 0),
	    TPM_RC_SUCCESS);
	ck_assert_uint_eq(vt_nv_write(VT_NV_INDEX, &value, 8), TPM_RC_SUCCESS);
}

uint64_t vt_nv_value(void)
{
	uint64_t v;

	ck_assert_uint_eq(vt_nv_read(VT_NV_INDEX, true, NULL, 0, 8, (uint8_t *)&v), TPM_RC_SUCCESS);
	return v;
}

void vt_sha256(const void *a, size_t alen, const void *b, size_t blen, uint8_t out[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int n = 0;

	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL), 1);
	ck_assert_int_eq(EVP_DigestUpdate(ctx, a, alen), 1);
	if (blen)
		ck_assert_int_eq(EVP_DigestUpdate(ctx, b, blen), 1);
	ck_assert_int_eq(EVP_DigestFinal_ex(ctx, out, &n), 1);
	ck_assert_uint_eq(n, 32);
	EVP_MD_CTX_free(ctx);
}

int vt_nv_open(struct nvstore **nv)
{
	struct nvstore_seal seal;
	int rc;

	memset(&seal, 0, sizeof(seal));
	rc = guest_msg_derive_key(SNP_KEY_FIELD_MEASUREMENT | SNP_KEY_FIELD_POLICY, 0, seal.key);
	if (rc == 0)
		rc = nvstore_open_sealed(&vt_dev, &seal, nv);
	memset(&seal, 0, sizeof(seal));
	return rc;
}
