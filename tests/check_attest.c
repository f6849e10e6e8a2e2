/* SPDX-License-Identifier: MIT */
/*
 * Attestation (issue 13): the SVSM attestation protocol (1) end to end on
 * the simulator, the guest message path under an attacking hypervisor, the
 * emulated PSP driven directly with messages built here (OpenSSL EVP, from
 * the layout of svsm-abi.md section 5, independently of the SVSM's
 * client), fault sweeps over the attestation flow, and the fuzz target's
 * seed corpus. The sealed vTPM state has its own program (check_nvseal.c).
 */
#include <check.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "core_test_util.h"
#include "corpus_replay.h"
#include "csvsm/abi/attest.h"
#include "csvsm/abi/snp_guest.h"
#include "csvsm/abi/svsm.h"
#include "csvsm/adapter/vtpm.h"
#include "csvsm/error.h"
#include "csvsm/fault.h"
#include "csvsm/guest_msg.h"
#include "csvsm/sim_attest.h"
#include "csvsm/sim_nv.h"
#include "csvsm/vtpm.h"
#include "fault_sweep.h"
#include "fuzz/fuzz_attest.h"
#include "machine.h"
#include "vtpm_test_util.h"

static struct csvsm_sim_attest_result res;
static uint8_t nonce64[64];

static void default_req(struct csvsm_sim_attest_req *r)
{
	memset(r, 0, sizeof(*r));
	for (unsigned int i = 0; i < sizeof(nonce64); i++)
		nonce64[i] = (uint8_t)(0xa5 ^ i);
	r->nonce = nonce64;
	r->nonce_len = sizeof(nonce64);
}

static uint64_t attest(const struct csvsm_sim_attest_req *r)
{
	ck_assert_int_eq(csvsm_sim_attest(ct_sim, 0, r, &res), 0);
	return res.regs.rax;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t gm_requests(void)
{
	struct guest_msg_stats st;

	guest_msg_get_stats(&st);
	return st.requests;
}

/* The certificate with `guid` from the table, or NULL. */
static X509 *cert_from_table(const uint8_t *t, size_t len, const uint8_t guid[16])
{
	for (size_t off = 0; off + 24 <= len; off += 24) {
		uint32_t o = le32(t + off + 16), l = le32(t + off + 20);
		const unsigned char *p;

		if (o == 0 && l == 0)
			break;
		if (memcmp(t + off, guid, 16) || o > len || l > len - o)
			continue;
		p = t + o;
		return d2i_X509(NULL, &p, l);
	}
	return NULL;
}

/* Verifies the report's signature (abi 5.5) with the VCEK from the table. */
static bool report_signature_ok(const uint8_t *report, const uint8_t *certs, size_t certs_len)
{
	static const uint8_t g_vcek[16] = SNP_GUID_VCEK;
	X509 *x = cert_from_table(certs, certs_len, g_vcek);
	EVP_PKEY *pk = x ? X509_get0_pubkey(x) : NULL;
	uint8_t r[48], s[48], *der = NULL;
	ECDSA_SIG *sig = ECDSA_SIG_new();
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	bool ok = false;
	int der_len;

	for (int i = 0; i < 48; i++) {
		r[i] = report[0x2a0 + 47 - i];
		s[i] = report[0x2e8 + 47 - i];
	}
	if (pk && sig && md &&
	    ECDSA_SIG_set0(sig, BN_bin2bn(r, 48, NULL), BN_bin2bn(s, 48, NULL)) == 1 &&
	    (der_len = i2d_ECDSA_SIG(sig, &der)) > 0)
		ok = EVP_DigestVerifyInit(md, NULL, EVP_sha384(), NULL, pk) == 1 &&
		     EVP_DigestVerify(md, der, (size_t)der_len, report, 0x2a0) == 1;
	OPENSSL_free(der);
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(md);
	X509_free(x);
	return ok;
}

/* ---- the protocol ---- */

START_TEST(test_query_protocol)
{
	struct csvsm_regs r;

	ct_call(0, SVSM_PROTO_CORE, SVSM_CORE_QUERY_PROTOCOL, (uint64_t)SVSM_PROTO_ATTEST << 32 | 1,
	        0, 0, &r);
	ck_assert_uint_eq(r.rax, SVSM_SUCCESS);
	ck_assert_uint_eq(r.rcx, (1ull << 32) | 1);
}
END_TEST

START_TEST(test_services_report)
{
	static const uint8_t g_manifest[16] = SVSM_GUID_SERVICES_MANIFEST,
	                     g_vtpm[16] = SVSM_GUID_VTPM, g_nv[16] = CSVSM_GUID_VTPM_NV_STATE;
	struct csvsm_sim_attest_req r;
	uint8_t want[64];
	unsigned int len = 0;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	const uint8_t *ek, *m = res.manifest;
	size_t ek_len = 0;

	default_req(&r);
	ck_assert_uint_eq(attest(&r), SVSM_SUCCESS);
	ck_assert_uint_eq(res.regs.r8, SNP_REPORT_SIZE);
	/* REPORT_DATA = SHA-512(nonce || manifest) (abi 1.6), computed here. */
	ck_assert(EVP_DigestInit_ex(md, EVP_sha512(), NULL) == 1 &&
	          EVP_DigestUpdate(md, nonce64, sizeof(nonce64)) == 1 &&
	          EVP_DigestUpdate(md, res.manifest, res.manifest_len) == 1 &&
	          EVP_DigestFinal_ex(md, want, &len) == 1);
	EVP_MD_CTX_free(md);
	ck_assert_mem_eq(res.report + 0x50, want, 64);
	ck_assert_uint_eq(le32(res.report + 0x00), 2); /* version */
	ck_assert_uint_eq(le32(res.report + 0x30), 0); /* VMPL 0 */
	ck_assert_uint_eq(le32(res.report + 0x34), 1); /* ECDSA P-384 / SHA-384 */
	ck_assert(report_signature_ok(res.report, res.certs, res.certs_len));
	/* The manifest: a GUID table listing the vTPM (its EK) and the NV generation. */
	ck_assert_mem_eq(m, g_manifest, 16);
	ck_assert_uint_eq(le32(m + 16), res.regs.rcx);
	ck_assert_uint_eq(le32(m + 20), 2);
	ck_assert_mem_eq(m + 24, g_vtpm, 16);
	ek = vtpm_ek_public(&ek_len);
	ck_assert_uint_eq(le32(m + 44), ek_len);
	ck_assert_mem_eq(m + le32(m + 40), ek, ek_len);
	ck_assert_mem_eq(m + 48, g_nv, 16);
	ck_assert_uint_eq(le32(m + 68), 8);
	ck_assert_uint_eq(le32(m + le32(m + 64)), vtpm_nv_generation());
	/* A second report: the same REPORT_DATA, a valid signature again. */
	ck_assert_uint_eq(attest(&r), SVSM_SUCCESS);
	ck_assert_mem_eq(res.report + 0x50, want, 64);
	ck_assert(report_signature_ok(res.report, res.certs, res.certs_len));
}
END_TEST

/*
 * Two reports with different REPORT_DATA: both signatures verify, and
 * their r differ, so the default signer did not use one nonce for both
 * (with one nonce, any two signatures give the VCEK away).
 */
START_TEST(test_report_nonces_differ)
{
	struct csvsm_sim_attest_req r;
	uint8_t r1[48];

	default_req(&r);
	ck_assert_uint_eq(attest(&r), SVSM_SUCCESS);
	ck_assert(report_signature_ok(res.report, res.certs, res.certs_len));
	memcpy(r1, res.report + 0x2a0, sizeof(r1));
	nonce64[0] ^= 1;
	ck_assert_uint_eq(attest(&r), SVSM_SUCCESS);
	ck_assert(report_signature_ok(res.report, res.certs, res.certs_len));
	ck_assert_mem_ne(res.report + 0x2a0, r1, sizeof(r1));
}
END_TEST

START_TEST(test_single_service)
{
	static const uint8_t g_vtpm[16] = SVSM_GUID_VTPM;
	struct csvsm_sim_attest_req r;
	const uint8_t *ek;
	size_t ek_len = 0;

	default_req(&r);
	r.single = true;
	memcpy(r.service_guid, g_vtpm, 16);
	ck_assert_uint_eq(attest(&r), SVSM_SUCCESS);
	ek = vtpm_ek_public(&ek_len);
	ck_assert_uint_eq(res.regs.rcx, ek_len);
	ck_assert_mem_eq(res.manifest, ek, ek_len);
	r.manifest_version = 1;
	ck_assert_uint_eq(attest(&r), SVSM_ERR_INVALID_PARAMETER);
	r.manifest_version = 0;
	r.service_guid[0] ^= 1;
	ck_assert_uint_eq(attest(&r), SVSM_ERR_UNSUPPORTED_PROTOCOL);
}
END_TEST

/* Too-small buffers: INVALID_PARAMETER with the sizes needed, and nothing asked of the PSP. */
START_TEST(test_sizes_returned)
{
	struct csvsm_sim_attest_req r;
	uint64_t manifest_len, certs_len, before;

	default_req(&r);
	ck_assert_uint_eq(attest(&r), SVSM_SUCCESS);
	manifest_len = res.regs.rcx;
	certs_len = res.regs.rdx;
	ck_assert_uint_gt(certs_len, 1000);
	before = gm_requests();
	r.report_size = SNP_REPORT_SIZE - 1;
	ck_assert_uint_eq(attest(&r), SVSM_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(res.regs.r8, SNP_REPORT_SIZE);
	ck_assert_uint_eq(res.regs.rcx, manifest_len);
	ck_assert_uint_eq(gm_requests(), before);
	r.report_size = 0;
	r.manifest_size = (uint32_t)manifest_len - 1;
	ck_assert_uint_eq(attest(&r), SVSM_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(res.regs.rcx, manifest_len);
	ck_assert_uint_eq(gm_requests(), before);
	/* Certificates are only known after the request: one PSP request, then the size. */
	r.manifest_size = 0;
	r.certs_size = 1000;
	ck_assert_uint_eq(attest(&r), SVSM_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(res.regs.rdx, certs_len);
	r.certs_size = (uint32_t)certs_len;
	ck_assert_uint_eq(attest(&r), SVSM_SUCCESS);
	ck_assert_uint_eq(res.regs.rdx, certs_len);
	/* No certificates asked for: none given. */
	r.no_certs = true;
	ck_assert_uint_eq(attest(&r), SVSM_SUCCESS);
	ck_assert_uint_eq(res.regs.rdx, 0);
}
END_TEST

/* A raw request at CA + 8 (the layout of abi 1.6), for malformed ones. */
static uint64_t raw_call(uint32_t call, const struct svsm_attest_req *a, size_t len)
{
	struct csvsm_regs r;

	ck_assert_int_eq(ct_write(ct_ca(0) + 8, a, len), 0);
	ct_call(0, SVSM_PROTO_ATTEST, call, ct_ca(0) + 8, 0, 0, &r);
	return r.rax;
}

START_TEST(test_bad_requests)
{
	struct svsm_attest_req a, b;
	struct csvsm_regs r;
	uint64_t before;

	/* A good request first, built by hand. */
	for (unsigned int i = 2; i < 8; i++)
		ct_validate(ct_page(i));
	memset(&a, 0, sizeof(a));
	a.report.gpa = ct_page(2);
	a.report.size = 4096;
	a.nonce.gpa = ct_page(3);
	a.nonce.size = 64;
	a.manifest.gpa = ct_page(4);
	a.manifest.size = 4096;
	a.certs.gpa = ct_page(5);
	a.certs.size = 8192;
	ck_assert_uint_eq(raw_call(SVSM_ATTEST_SERVICES, &a, 0x40), SVSM_SUCCESS);
	before = gm_requests();
#define BAD(field_change, want)                                                                    \
	do {                                                                                       \
		b = a;                                                                             \
		field_change;                                                                      \
		ck_assert_uint_eq(raw_call(SVSM_ATTEST_SERVICES, &b, 0x40), want);                 \
	} while (0)
	BAD(b.report.gpa += 8, SVSM_ERR_INVALID_PARAMETER);
	BAD(b.manifest.gpa += 1, SVSM_ERR_INVALID_PARAMETER);
	BAD(b.certs.gpa += 2048, SVSM_ERR_INVALID_PARAMETER);
	BAD(b.report.gpa = ct_lay.svsm_base, SVSM_ERR_INVALID_ADDRESS);
	BAD(b.manifest.gpa = ct_lay.ram_size + ct_lay.svsm_size, SVSM_ERR_INVALID_ADDRESS);
	BAD(b.certs.gpa = ~0ull & ~0xfffull, SVSM_ERR_INVALID_ADDRESS);
	BAD(b.nonce.gpa = ct_lay.svsm_base + 8, SVSM_ERR_INVALID_ADDRESS);
	BAD(b.nonce.gpa = ct_page(20), SVSM_ERR_INVALID_ADDRESS); /* not validated */
	BAD(b.nonce.size |= 1u << 16, SVSM_ERR_INVALID_PARAMETER);
	BAD(b.report.reserved[0] = 1, SVSM_ERR_INVALID_PARAMETER);
	BAD(b.nonce.reserved[3] = 1, SVSM_ERR_INVALID_PARAMETER);
	BAD(b.certs.reserved[1] = 1, SVSM_ERR_INVALID_PARAMETER);
	BAD(b.manifest.reserved[2] = 1, SVSM_ERR_INVALID_PARAMETER);
	BAD(b.report.gpa = ct_lay.boot_vmsa_gpa, SVSM_ERR_INVALID_ADDRESS);
#undef BAD
	/* None of these reached the PSP. */
	ck_assert_uint_eq(gm_requests(), before);
	/* The request itself outside guest RAM, and unknown calls. */
	ct_call(0, SVSM_PROTO_ATTEST, SVSM_ATTEST_SERVICES, ct_lay.svsm_base, 0, 0, &r);
	ck_assert_uint_eq(r.rax, SVSM_ERR_INVALID_ADDRESS);
	ct_call(0, SVSM_PROTO_ATTEST, SVSM_ATTEST_SERVICES, ct_lay.ram_size - 0x20, 0, 0, &r);
	ck_assert_uint_eq(r.rax, SVSM_ERR_INVALID_ADDRESS);
	ct_call(0, SVSM_PROTO_ATTEST, 2, ct_ca(0) + 8, 0, 0, &r);
	ck_assert_uint_eq(r.rax, SVSM_ERR_UNSUPPORTED_CALL);
	b = a;
	b.reserved_54[0] = 1;
	memset(b.service_guid, 0, 16);
	ck_assert_uint_eq(raw_call(SVSM_ATTEST_SINGLE_SERVICE, &b, 0x58),
	                  SVSM_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(gm_requests(), before);
}
END_TEST

/* ---- an attacking hypervisor ---- */

static void set_policy(struct csvsm_sim_hv_policy *p)
{
	csvsm_sim_set_hv_policy(ct_sim, p);
}

/* After a refused exchange: VMPCK0 erased, and no request is ever sent again. */
static void check_disabled(void)
{
	struct csvsm_sim_attest_req r;
	uint64_t before;

	ck_assert(!guest_msg_available());
	before = gm_requests();
	default_req(&r);
	ck_assert_uint_eq(attest(&r), SVSM_ERR_INVALID_REQUEST);
	ck_assert_uint_eq(gm_requests(), before);
}

START_TEST(test_tampered_request)
{
	struct csvsm_sim_hv_policy p = {.guest_req_tamper = 1};
	struct csvsm_sim_attest_req r;
	struct sim_psp_stats ps;

	set_policy(&p);
	default_req(&r);
	ck_assert_uint_eq(attest(&r), SVSM_ERR_INVALID_REQUEST);
	sim_psp_get_stats(sim_machine->psp, &ps);
	ck_assert_uint_eq(ps.refused, 1);
	check_disabled();
}
END_TEST

START_TEST(test_tampered_response)
{
	struct csvsm_sim_hv_policy p = {.guest_req_tamper_rsp = 1};
	struct csvsm_sim_attest_req r;

	set_policy(&p);
	default_req(&r);
	ck_assert_uint_eq(attest(&r), SVSM_ERR_INVALID_REQUEST);
	check_disabled();
}
END_TEST

START_TEST(test_replayed_response)
{
	struct csvsm_sim_hv_policy p = {.guest_req_replay_rsp = 1};
	struct csvsm_sim_attest_req r;

	default_req(&r);
	ck_assert_uint_eq(attest(&r), SVSM_SUCCESS);
	set_policy(&p);
	ck_assert_uint_eq(attest(&r), SVSM_ERR_INVALID_REQUEST);
	check_disabled();
}
END_TEST

START_TEST(test_replayed_request)
{
	struct csvsm_sim_hv_policy p = {.guest_req_replay = 1};
	struct csvsm_sim_attest_req r;
	struct sim_psp_stats ps;

	default_req(&r);
	ck_assert_uint_eq(attest(&r), SVSM_SUCCESS);
	set_policy(&p);
	ck_assert_uint_eq(attest(&r), SVSM_ERR_INVALID_REQUEST);
	sim_psp_get_stats(sim_machine->psp, &ps);
	ck_assert_uint_eq(ps.refused, 1);
	check_disabled();
}
END_TEST

START_TEST(test_busy_and_failed_exit)
{
	struct csvsm_sim_hv_policy p = {.guest_req_busy = 3};
	struct csvsm_sim_attest_req r;
	struct guest_msg_stats st;

	set_policy(&p);
	default_req(&r);
	ck_assert_uint_eq(attest(&r), SVSM_SUCCESS);
	guest_msg_get_stats(&st);
	ck_assert_uint_eq(st.busy_retries, 3);
	ck_assert(report_signature_ok(res.report, res.certs, res.certs_len));
	memset(&p, 0, sizeof(p));
	p.guest_req_fail = 1;
	set_policy(&p);
	ck_assert_uint_eq(attest(&r), SVSM_ERR_INVALID_REQUEST);
	check_disabled();
}
END_TEST

/* ---- the PSP model, with messages built here ---- */

static uint8_t psp_req[4096], psp_rsp[4096];

/* The VMPCKs the PSP put in the secrets page (SVSM memory, offset 0). */
static const uint8_t *vmpck(unsigned int i)
{
	const uint8_t *page = sim_gpa_host(sim_machine, ct_lay.svsm_base, 4096);

	return page + 0x20 + 32 * i;
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* AES-256-GCM over a message page (abi 5.2): IV = seqno LE, AAD = bytes 0x30..0x5f. */
static bool gcm(bool enc, const uint8_t *key, uint8_t *page, size_t len)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	uint8_t iv[12] = {0}, out[4096];
	int n = 0;
	bool ok;

	memcpy(iv, page + 0x20, 8);
	ok = EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, key, iv, enc) == 1 &&
	     EVP_CipherUpdate(c, NULL, &n, page + 0x30, 0x30) == 1 &&
	     EVP_CipherUpdate(c, out, &n, page + 0x60, (int)len) == 1 &&
	     (enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, page) == 1) &&
	     EVP_CipherFinal_ex(c, out + n, &n) == 1 &&
	     (!enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, page) == 1);
	EVP_CIPHER_CTX_free(c);
	if (ok)
		memcpy(page + 0x60, out, len);
	return ok;
}

/* Sends one message with VMPCK `v` and sequence number `seq`; returns the firmware status. */
static uint32_t psp_send(unsigned int v, uint64_t seq, uint8_t type, const void *payload,
                         size_t len)
{
	memset(psp_req, 0, sizeof(psp_req));
	put64(psp_req + 0x20, seq);
	psp_req[0x30] = 1;
	psp_req[0x31] = 1;
	psp_req[0x32] = 0x60;
	psp_req[0x34] = type;
	psp_req[0x35] = 1;
	psp_req[0x36] = (uint8_t)len;
	psp_req[0x37] = (uint8_t)(len >> 8);
	psp_req[0x3c] = (uint8_t)v;
	memcpy(psp_req + 0x60, payload, len);
	ck_assert(gcm(true, vmpck(v), psp_req, len));
	return sim_psp_guest_request(sim_machine->psp, psp_req, psp_rsp);
}

/* Checks and decrypts the response to (v, seq, type); returns its payload length. */
static size_t psp_open(unsigned int v, uint64_t seq, uint8_t type)
{
	uint64_t rseq = 0;
	size_t len = (size_t)psp_rsp[0x36] | (size_t)psp_rsp[0x37] << 8;

	memcpy(&rseq, psp_rsp + 0x20, 8);
	ck_assert_uint_eq(rseq, seq + 1);
	ck_assert_uint_eq(psp_rsp[0x34], type + 1);
	ck_assert_uint_eq(psp_rsp[0x3c], v);
	ck_assert(gcm(false, vmpck(v), psp_rsp, len));
	return len;
}

START_TEST(test_psp_reports_per_vmpck)
{
	uint8_t req[0x60] = {0};
	uint64_t seq2 = 0;

	/* VMPCK2 (the guest's): a VMPL2 report, but never one for VMPL0 or 1. */
	memset(req, 0x3c, 64);
	put64(req + 0x40, 2);
	ck_assert_uint_eq(psp_send(2, ++seq2, 5, req, sizeof(req)), 0);
	ck_assert_uint_eq(psp_open(2, seq2, 5), 0x4c0);
	ck_assert_uint_eq(le32(psp_rsp + 0x60), 0);
	ck_assert_uint_eq(le32(psp_rsp + 0x60 + 0x20 + 0x30), 2);
	ck_assert_mem_eq(psp_rsp + 0x60 + 0x20 + 0x50, req, 64);
	seq2++;
	put64(req + 0x40, 0);
	ck_assert_uint_eq(psp_send(2, ++seq2, 5, req, sizeof(req)), 0);
	psp_open(2, seq2, 5);
	ck_assert_uint_eq(le32(psp_rsp + 0x60), SNP_FW_STATUS_INVALID_PARAM);
	seq2++;
	/* Key selection VLEK: none installed. */
	put64(req + 0x40, 3);
	req[0x44] = 2;
	ck_assert_uint_eq(psp_send(2, ++seq2, 5, req, sizeof(req)), 0);
	psp_open(2, seq2, 5);
	ck_assert_uint_eq(le32(psp_rsp + 0x60), SNP_FW_STATUS_INVALID_KEY);
}
END_TEST

START_TEST(test_psp_refuses_replay_and_tamper)
{
	uint8_t req[0x60] = {0}, saved[4096];
	struct sim_psp_stats ps;

	put64(req + 0x40, 3);
	ck_assert_uint_eq(psp_send(3, 1, 5, req, sizeof(req)), 0);
	memcpy(saved, psp_req, sizeof(saved));
	/* The same message again: refused (sequence numbers must increase). */
	ck_assert_uint_eq(sim_psp_guest_request(sim_machine->psp, saved, psp_rsp),
	                  SNP_FW_STATUS_INVALID_PARAM);
	/* Skipping ahead, going back, the wrong key, a flipped AAD or payload byte. */
	ck_assert_uint_eq(psp_send(3, 5, 5, req, sizeof(req)), SNP_FW_STATUS_INVALID_PARAM);
	ck_assert_uint_eq(psp_send(3, 1, 5, req, sizeof(req)), SNP_FW_STATUS_INVALID_PARAM);
	ck_assert_uint_eq(psp_send(3, 3, 5, req, sizeof(req)), 0);
	memcpy(saved, psp_req, sizeof(saved));
	saved[0x20] = 1; /* VMPCK2's next sequence number, */
	saved[0x3c] = 2; /* but authenticated with VMPCK3 */
	ck_assert_uint_eq(sim_psp_guest_request(sim_machine->psp, saved, psp_rsp),
	                  SNP_FW_STATUS_INVALID_PARAM);
	memcpy(saved, psp_req, sizeof(saved));
	saved[0x20] = 5;
	saved[0x34] = 3; /* the type is in the AAD */
	ck_assert_uint_eq(sim_psp_guest_request(sim_machine->psp, saved, psp_rsp),
	                  SNP_FW_STATUS_INVALID_PARAM);
	memcpy(saved, psp_req, sizeof(saved));
	saved[0x20] = 5;
	saved[0x70] ^= 4;
	ck_assert_uint_eq(sim_psp_guest_request(sim_machine->psp, saved, psp_rsp),
	                  SNP_FW_STATUS_INVALID_PARAM);
	sim_psp_get_stats(sim_machine->psp, &ps);
	ck_assert_uint_eq(ps.refused, 6);
	/* The refusals consumed nothing: sequence number 5 is still the next one. */
	ck_assert_uint_eq(psp_send(3, 5, 5, req, sizeof(req)), 0);
	psp_open(3, 5, 5);
}
END_TEST

/* One derived key through VMPCK `v` (asserting success). */
static void psp_key(unsigned int v, uint64_t *seq, uint64_t fields, uint32_t vmpl, uint8_t out[32])
{
	uint8_t req[0x20] = {0};

	put64(req + 8, fields);
	req[0x10] = (uint8_t)vmpl;
	ck_assert_uint_eq(psp_send(v, ++*seq, 3, req, sizeof(req)), 0);
	ck_assert_uint_eq(psp_open(v, *seq, 3), 0x40);
	++*seq;
	ck_assert_uint_eq(le32(psp_rsp + 0x60), 0);
	memcpy(out, psp_rsp + 0x60 + 0x20, 32);
}

START_TEST(test_psp_derived_keys)
{
	uint8_t a[32], b[32], c[32], d[32], req[0x20] = {0};
	uint64_t seq = 0;

	psp_key(2, &seq, SNP_KEY_FIELD_MEASUREMENT, 2, a);
	psp_key(2, &seq, SNP_KEY_FIELD_MEASUREMENT, 2, b);
	ck_assert_mem_eq(a, b, 32); /* a function of the request, not of time */
	psp_key(2, &seq, SNP_KEY_FIELD_MEASUREMENT, 3, c);
	ck_assert_mem_ne(a, c, 32); /* the VMPL is mixed in */
	psp_key(2, &seq, SNP_KEY_FIELD_MEASUREMENT | SNP_KEY_FIELD_POLICY, 2, d);
	ck_assert_mem_ne(a, d, 32); /* so is the selection */
	/* VMPCK2 cannot ask for a VMPL0 key: that key is the SVSM's alone. */
	put64(req + 8, SNP_KEY_FIELD_MEASUREMENT);
	ck_assert_uint_eq(psp_send(2, ++seq, 3, req, sizeof(req)), 0);
	psp_open(2, seq, 3);
	seq++;
	ck_assert_uint_eq(le32(psp_rsp + 0x60), SNP_FW_STATUS_INVALID_PARAM);
	for (int i = 0; i < 32; i++)
		ck_assert_uint_eq(psp_rsp[0x80 + i], 0);
}
END_TEST

/* ---- fault sweep over the whole attestation flow ---- */

static int attest_flow(void *ctx)
{
	struct csvsm_sim_attest_req r;

	(void)ctx;
	default_req(&r);
	if (csvsm_sim_attest(ct_sim, 0, &r, &res) < 0)
		return -CSVSM_EIO;
	if (res.regs.rax == SVSM_SUCCESS)
		return report_signature_ok(res.report, res.certs, res.certs_len) ? 0 : -CSVSM_EIO;
	return res.regs.rax == SVSM_ERR_BUSY ? -CSVSM_ENOMEM : -CSVSM_EIO;
}

/* A failed attempt leaves the SVSM able to attest (no key erased for a local failure). */
static bool attest_invariant(void *ctx, char *why, size_t why_len)
{
	(void)ctx;
	if (!guest_msg_available()) {
		snprintf(why, why_len, "VMPCK0 erased by a local failure");
		return false;
	}
	return true;
}

START_TEST(test_sweep_attest)
{
	struct fault_sweep s = {.name = "attest/alloc",
	                        .site = FAULT_SITE_ALLOC,
	                        .flow = attest_flow,
	                        .invariant = attest_invariant,
	                        .max_iterations = 200};

	unsigned int n = fault_sweep_run(&s);

	printf("fault sweep %s: %u failure point(s)\n", s.name, n);
	ck_assert_uint_ge(n, 8);
	s.name = "attest/alloc persistent";
	s.persistent = true;
	n = fault_sweep_run(&s);
	printf("fault sweep %s: %u failure point(s)\n", s.name, n);
	ck_assert_uint_ge(n, 8);
}
END_TEST

/* ---- the fuzz targets' signer (csvsm_sim_config.psp_fast_sign) ---- */

static void fast_sign_setup(void)
{
	struct csvsm_sim_config c;

	ck_assert_int_eq(sim_nv_ram_open(&vt_dev, VT_DEV_SIZE), 0);
	csvsm_sim_config_default(&c);
	c.psp_fast_sign = true;
	vt_boot_with(&c, true);
}

/*
 * With psp_fast_sign the reports are still signed by the VCEK the
 * certificate table holds (verified here with OpenSSL), all with one
 * nonce: the same r for different REPORT_DATA, as documented.
 */
START_TEST(test_fast_sign_reports_verify)
{
	struct csvsm_sim_attest_req r;
	uint8_t r1[48], s1[48];

	default_req(&r);
	ck_assert_uint_eq(attest(&r), SVSM_SUCCESS);
	ck_assert(report_signature_ok(res.report, res.certs, res.certs_len));
	memcpy(r1, res.report + 0x2a0, sizeof(r1));
	memcpy(s1, res.report + 0x2e8, sizeof(s1));
	for (int i = 0; i < 3; i++) {
		nonce64[i] ^= 0x5a;
		ck_assert_uint_eq(attest(&r), SVSM_SUCCESS);
		ck_assert(report_signature_ok(res.report, res.certs, res.certs_len));
		ck_assert_mem_eq(res.report + 0x2a0, r1, sizeof(r1));
		ck_assert_mem_ne(res.report + 0x2e8, s1, sizeof(s1));
	}
}
END_TEST

/* ---- the fuzz target's seed corpus ---- */

START_TEST(test_fuzz_corpus)
{
	unsigned int n;

	n = corpus_replay(ATTEST_CORPUS_DIR, fuzz_attest_one);
	ck_assert_uint_ge(n, 8);
}
END_TEST

static Suite *attest_suite(void)
{
	Suite *s = suite_create("attest");
	TCase *tc;

	tc = tcase_create("protocol");
	tcase_set_timeout(tc, VT_TIMEOUT);
	tcase_add_checked_fixture(tc, vt_setup, vt_teardown);
	tcase_add_test(tc, test_query_protocol);
	tcase_add_test(tc, test_services_report);
	tcase_add_test(tc, test_single_service);
	tcase_add_test(tc, test_report_nonces_differ);
	tcase_add_test(tc, test_sizes_returned);
	tcase_add_test(tc, test_bad_requests);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile_hypervisor");
	tcase_set_timeout(tc, VT_TIMEOUT);
	tcase_add_checked_fixture(tc, vt_setup, vt_teardown);
	tcase_add_test(tc, test_tampered_request);
	tcase_add_test(tc, test_tampered_response);
	tcase_add_test(tc, test_replayed_response);
	tcase_add_test(tc, test_replayed_request);
	tcase_add_test(tc, test_busy_and_failed_exit);
	suite_add_tcase(s, tc);

	tc = tcase_create("psp");
	tcase_set_timeout(tc, VT_TIMEOUT);
	tcase_add_checked_fixture(tc, vt_setup, vt_teardown);
	tcase_add_test(tc, test_psp_reports_per_vmpck);
	tcase_add_test(tc, test_psp_refuses_replay_and_tamper);
	tcase_add_test(tc, test_psp_derived_keys);
	suite_add_tcase(s, tc);

	tc = tcase_create("fast_sign");
	tcase_set_timeout(tc, VT_TIMEOUT);
	tcase_add_checked_fixture(tc, fast_sign_setup, vt_teardown);
	tcase_add_test(tc, test_fast_sign_reports_verify);
	suite_add_tcase(s, tc);

	tc = tcase_create("sweeps");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, vt_setup, vt_teardown);
	tcase_add_test(tc, test_sweep_attest);
	tcase_add_test(tc, test_fuzz_corpus);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(attest_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
