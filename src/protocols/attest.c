/* SPDX-License-Identifier: MIT */
/*
 * The SVSM attestation protocol (1) (58019 chapter "Attestation
 * protocol"; abi 1.6). The request structure and the nonce are copied once
 * into SVSM memory and checked there; the manifest, the report and the
 * certificates are built in SVSM memory and only then written to the
 * guest's buffers.
 *
 * REPORT_DATA = SHA-512(nonce || manifest); the report is requested at
 * VMPL0 with VMPCK0 (key selection 0), with the extended request when the
 * guest asked for certificates. Choices where the specification is silent
 * are listed in docs/attestation.md.
 */
#include "csvsm/abi/attest.h"
#include "csvsm/abi/snp_guest.h"
#include "csvsm/abi/svsm.h"
#include "csvsm/adapter/crypto.h"
#include "csvsm/adapter/vtpm.h"
#include "csvsm/attest.h"
#include "csvsm/error.h"
#include "csvsm/guest_msg.h"
#include "csvsm/lib/string.h"
#include "csvsm/mm.h"
#include "csvsm/svsm.h"
#include "csvsm/vcpu.h"
#include "csvsm/vtpm.h"

static const uint8_t guid_manifest[16] = SVSM_GUID_SERVICES_MANIFEST;
static const uint8_t guid_vtpm[16] = SVSM_GUID_VTPM;
static const uint8_t guid_nv_state[16] = CSVSM_GUID_VTPM_NV_STATE;

/* The certificate length the host gave last time: the hint for a too-small answer. */
static size_t attest_certs_hint;

void attest_boot_forget(void)
{
	attest_certs_hint = 0;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (unsigned int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

int attest_services_manifest(uint8_t **out, size_t *len)
{
	const size_t hdr = sizeof(struct svsm_manifest_hdr),
	             ent = sizeof(struct svsm_manifest_entry);
	size_t ek_len = 0, count = 0, total, off;
	const uint8_t *ek = NULL;
	uint64_t generation = 0;
	uint8_t *m;

	if (vtpm_service_ready()) {
		ek = vtpm_ek_public(&ek_len);
		generation = vtpm_nv_generation();
		count = ek ? 2 : 0;
	}
	total = hdr + count * ent + (count ? ek_len + CSVSM_NV_STATE_ENTRY_SIZE : 0);
	m = kzalloc(total);
	if (!m)
		return -CSVSM_ENOMEM;
	mem_copy(m, guid_manifest, sizeof(guid_manifest));
	put_le32(m + 16, (uint32_t)total);
	put_le32(m + 20, (uint32_t)count);
	if (count) {
		/* The vTPM: its EK public area; then csvsm's NV state generation. */
		off = hdr + count * ent;
		mem_copy(m + hdr, guid_vtpm, sizeof(guid_vtpm));
		put_le32(m + hdr + 16, (uint32_t)off);
		put_le32(m + hdr + 20, (uint32_t)ek_len);
		mem_copy(m + off, ek, ek_len);
		off += ek_len;
		mem_copy(m + hdr + ent, guid_nv_state, sizeof(guid_nv_state));
		put_le32(m + hdr + ent + 16, (uint32_t)off);
		put_le32(m + hdr + ent + 20, CSVSM_NV_STATE_ENTRY_SIZE);
		put_le32(m + off, (uint32_t)generation);
		put_le32(m + off + 4, (uint32_t)(generation >> 32));
	}
	*out = m;
	*len = total;
	return 0;
}

/* The manifest of one service (SINGLE_SERVICE): the vTPM's is its EK public area. */
static uint32_t single_manifest(const struct svsm_attest_req *req, uint8_t **out, size_t *len)
{
	const uint8_t *ek;
	size_t ek_len = 0;

	if (mem_cmp(req->service_guid, guid_vtpm, sizeof(guid_vtpm)) != 0 || !vtpm_service_ready())
		return SVSM_ERR_UNSUPPORTED_PROTOCOL; /* as COCONUT-SVSM (abi 1.6) */
	if (req->manifest_version != 0)
		return SVSM_ERR_INVALID_PARAMETER;
	ek = vtpm_ek_public(&ek_len);
	if (!ek)
		return SVSM_ERR_UNSUPPORTED_PROTOCOL;
	*out = kmalloc(ek_len ? ek_len : 1);
	if (!*out)
		return SVSM_ERR_BUSY;
	mem_copy(*out, ek, ek_len);
	*len = ek_len;
	return SVSM_SUCCESS;
}

/* A guest output buffer: page-aligned (abi 1.6), guest RAM, no VMSA. Size 0 = none. */
static uint32_t check_buffer(const struct svsm_attest_loc *loc)
{
	if (!mem_is_zero(loc->reserved, sizeof(loc->reserved)))
		return SVSM_ERR_INVALID_PARAMETER;
	if (loc->size == 0)
		return SVSM_SUCCESS;
	if (!IS_ALIGNED(loc->gpa, PAGE_SIZE))
		return SVSM_ERR_INVALID_PARAMETER;
	if (!vcpu_guest_buf_ok(loc->gpa, loc->size))
		return SVSM_ERR_INVALID_ADDRESS;
	return SVSM_SUCCESS;
}

static uint32_t check_request(const struct svsm_attest_req *req, bool single)
{
	uint32_t r;

	/* The nonce's size is a u16 at 0x18: bytes 0x1a-0x1f are reserved. */
	if ((req->nonce.size >> 16) != 0 || !mem_is_zero(req->nonce.reserved, 4))
		return SVSM_ERR_INVALID_PARAMETER;
	if (req->nonce.size && !vcpu_guest_buf_ok(req->nonce.gpa, req->nonce.size))
		return SVSM_ERR_INVALID_ADDRESS;
	if ((r = check_buffer(&req->report)) != SVSM_SUCCESS ||
	    (r = check_buffer(&req->manifest)) != SVSM_SUCCESS ||
	    (r = check_buffer(&req->certs)) != SVSM_SUCCESS)
		return r;
	if (single && !mem_is_zero(req->reserved_54, sizeof(req->reserved_54)))
		return SVSM_ERR_INVALID_PARAMETER;
	return SVSM_SUCCESS;
}

static uint32_t engine_error(int rc)
{
	/* No memory: Linux retries BUSY. Anything else: the PSP path is broken. */
	return rc == -CSVSM_ENOMEM ? SVSM_ERR_BUSY : SVSM_ERR_INVALID_REQUEST;
}

struct attest_work {
	uint8_t *nonce;
	uint8_t *manifest;
	size_t manifest_len;
	struct snp_report *report;
	uint8_t *certs;
	size_t certs_len;
};

/* Gets the report (and certificates) for the copied, checked request. */
static uint32_t attest_fetch(const struct svsm_attest_req *req, struct attest_work *w)
{
	struct crypto_span parts[2];
	uint8_t report_data[CRYPTO_SHA512_SIZE];
	int rc;

	if (req->nonce.size) {
		w->nonce = kmalloc(req->nonce.size);
		if (!w->nonce)
			return SVSM_ERR_BUSY;
		if (vcpu_guest_buf_read(req->nonce.gpa, w->nonce, req->nonce.size) < 0)
			return SVSM_ERR_INVALID_ADDRESS;
	}
	parts[0].data = w->nonce;
	parts[0].len = req->nonce.size;
	parts[1].data = w->manifest;
	parts[1].len = w->manifest_len;
	rc = crypto_sha512(parts, 2, report_data);
	if (rc < 0)
		return engine_error(rc);
	w->report = kmalloc(sizeof(*w->report));
	if (!w->report)
		return SVSM_ERR_BUSY;
	if (req->certs.size) {
		w->certs_len = SNP_CERTS_MAX;
		w->certs = kmalloc(w->certs_len);
		if (!w->certs)
			return SVSM_ERR_BUSY;
	}
	/* abi 1.6: the SVSM's report is at VMPL0. */
	rc = guest_msg_report(report_data, 0, w->report, w->certs, w->certs ? &w->certs_len : NULL);
	if (rc == -CSVSM_ENOSPC) {
		/* More certificates than the SVSM passes on: report none rather than fail. */
		w->certs_len = 0;
		rc = 0;
	}
	if (rc < 0)
		return engine_error(rc);
	if (w->certs)
		attest_certs_hint = w->certs_len;
	return SVSM_SUCCESS;
}

static uint32_t attest_write(const struct svsm_attest_req *req, const struct attest_work *w)
{
	if (vcpu_guest_buf_write(req->report.gpa, w->report, sizeof(*w->report)) < 0 ||
	    vcpu_guest_buf_write(req->manifest.gpa, w->manifest, w->manifest_len) < 0 ||
	    (w->certs_len && vcpu_guest_buf_write(req->certs.gpa, w->certs, w->certs_len) < 0))
		return SVSM_ERR_INVALID_ADDRESS;
	return SVSM_SUCCESS;
}

static uint32_t attest(struct svsm_call *call, bool single)
{
	size_t size = single ? SVSM_ATTEST_SINGLE_REQ_SIZE : SVSM_ATTEST_SERVICES_REQ_SIZE;
	struct attest_work w;
	struct svsm_attest_req req;
	gpa_t gpa = call->rcx;
	uint32_t result;

	mem_set(&req, 0, sizeof(req));
	mem_set(&w, 0, sizeof(w));
	/* Copy once (checked and read under vcpu_lock); everything below looks only at the copy. */
	if (vcpu_guest_buf_read(gpa, &req, size) < 0)
		return SVSM_ERR_INVALID_ADDRESS;
	result = check_request(&req, single);
	if (result != SVSM_SUCCESS)
		return result;
	if (single)
		result = single_manifest(&req, &w.manifest, &w.manifest_len);
	else if (attest_services_manifest(&w.manifest, &w.manifest_len) < 0)
		result = SVSM_ERR_BUSY;
	if (result != SVSM_SUCCESS)
		return result;

	/* abi 1.6: the lengths go back in any case, so the guest can size its buffers. */
	call->rcx = w.manifest_len;
	call->rdx = req.certs.size ? attest_certs_hint : 0;
	call->r8 = SNP_REPORT_SIZE;
	if (req.report.size < SNP_REPORT_SIZE || req.manifest.size < w.manifest_len) {
		result = SVSM_ERR_INVALID_PARAMETER;
		goto out;
	}
	result = attest_fetch(&req, &w);
	if (result != SVSM_SUCCESS)
		goto out;
	call->rdx = w.certs_len;
	if (w.certs_len > req.certs.size) {
		result = SVSM_ERR_INVALID_PARAMETER;
		goto out;
	}
	result = attest_write(&req, &w);
out:
	kfree(w.nonce);
	kfree(w.manifest);
	kfree(w.report);
	kfree(w.certs);
	return result;
}

void svsm_attest_protocol(struct svsm_call *call)
{
	switch (SVSM_CALL_ID(call->rax)) {
	case SVSM_ATTEST_SERVICES:
		call->rax = attest(call, false);
		break;
	case SVSM_ATTEST_SINGLE_SERVICE:
		call->rax = attest(call, true);
		break;
	default:
		call->rax = SVSM_ERR_UNSUPPORTED_CALL;
		break;
	}
}
