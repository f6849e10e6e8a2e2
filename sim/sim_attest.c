/* SPDX-License-Identifier: MIT */
/* The guest's attestation calls on the simulator (csvsm/sim_attest.h). */
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <string.h>

#include "csvsm/abi/attest.h"
#include "csvsm/abi/snp_guest.h"
#include "csvsm/abi/svsm.h"
#include "csvsm/sim_attest.h"
#include "machine.h"

/* The helper's pages, from the top of guest RAM down. */
#define ATT_PAGES     8u
#define ATT_NONCE     0u /* 1 page */
#define ATT_REPORT    1u /* 1 page */
#define ATT_MANIFEST  2u /* 1 page */
#define ATT_CERTS     3u /* 4 pages */
#define ATT_PAGE_SIZE 4096ull

static uint64_t att_page(const struct csvsm_sim *sim, unsigned int i)
{
	return sim->layout.ram_base + sim->layout.ram_size - (ATT_PAGES - i) * ATT_PAGE_SIZE;
}

/* PVALIDATE (core call 1) of the helper's pages, ignoring "already validated". */
static int att_validate(struct csvsm_sim *sim, unsigned int vcpu, uint64_t ca)
{
	uint8_t list[8 + 8 * ATT_PAGES];
	struct csvsm_regs r = {0};

	memset(list, 0, sizeof(list));
	list[0] = ATT_PAGES;
	for (unsigned int i = 0; i < ATT_PAGES; i++) {
		uint64_t e = att_page(sim, i) | SVSM_PVAL_VALIDATE | SVSM_PVAL_IGNORE_CF;

		memcpy(list + 8 + 8 * i, &e, 8);
	}
	if (csvsm_sim_guest_write(sim, ca + 8, list, sizeof(list)) != CSVSM_SIM_ACCESS_OK)
		return -1;
	r.rax = SVSM_RAX(SVSM_PROTO_CORE, SVSM_CORE_PVALIDATE);
	r.rcx = ca + 8;
	if (csvsm_sim_call(sim, vcpu, &r) != 0 || r.rax != SVSM_SUCCESS)
		return -1;
	return 0;
}

static size_t clamp(uint64_t said, size_t have)
{
	return said < have ? (size_t)said : have;
}

int csvsm_sim_attest(struct csvsm_sim *sim, unsigned int vcpu,
                     const struct csvsm_sim_attest_req *req, struct csvsm_sim_attest_result *out)
{
	struct svsm_attest_req a;
	uint64_t ca;

	if (!sim || !req || !out || vcpu >= sim->cfg.vcpu_count ||
	    req->nonce_len > CSVSM_SIM_ATTEST_NONCE_MAX || (req->nonce_len && !req->nonce))
		return -1;
	memset(out, 0, sizeof(*out));
	ca = sim->snp.vcpus[vcpu].guest_caa_gpa;
	if (!ca || att_validate(sim, vcpu, ca) < 0)
		return -1;
	if (req->nonce_len && csvsm_sim_guest_write(sim, att_page(sim, ATT_NONCE), req->nonce,
	                                            req->nonce_len) != CSVSM_SIM_ACCESS_OK)
		return -1;
	memset(&a, 0, sizeof(a));
	a.report.gpa = att_page(sim, ATT_REPORT);
	a.report.size = req->report_size ? req->report_size : CSVSM_SIM_ATTEST_REPORT_MAX;
	a.nonce.gpa = att_page(sim, ATT_NONCE);
	a.nonce.size = (uint32_t)req->nonce_len;
	a.manifest.gpa = att_page(sim, ATT_MANIFEST);
	a.manifest.size = req->manifest_size ? req->manifest_size : CSVSM_SIM_ATTEST_MANIFEST_MAX;
	a.certs.gpa = att_page(sim, ATT_CERTS);
	a.certs.size = req->no_certs     ? 0
	               : req->certs_size ? req->certs_size
	                                 : CSVSM_SIM_ATTEST_CERTS_MAX;
	memcpy(a.service_guid, req->service_guid, sizeof(a.service_guid));
	a.manifest_version = req->manifest_version;
	if (csvsm_sim_guest_write(sim, ca + 8, &a,
	                          req->single
	                              ? SVSM_ATTEST_SINGLE_REQ_SIZE
	                              : SVSM_ATTEST_SERVICES_REQ_SIZE) != CSVSM_SIM_ACCESS_OK)
		return -1;
	out->regs.rax = SVSM_RAX(SVSM_PROTO_ATTEST,
	                         req->single ? SVSM_ATTEST_SINGLE_SERVICE : SVSM_ATTEST_SERVICES);
	out->regs.rcx = ca + 8;
	out->regs.rdx = out->regs.r8 = ~0ull; /* as Linux: tells whether lengths came back */
	if (csvsm_sim_call(sim, vcpu, &out->regs) != 0)
		return -1;
	out->manifest_len = clamp(out->regs.rcx, CSVSM_SIM_ATTEST_MANIFEST_MAX);
	out->certs_len = clamp(out->regs.rdx, CSVSM_SIM_ATTEST_CERTS_MAX);
	out->report_len = clamp(out->regs.r8, CSVSM_SIM_ATTEST_REPORT_MAX);
	if (csvsm_sim_guest_read(sim, a.report.gpa, out->report, sizeof(out->report)) ||
	    csvsm_sim_guest_read(sim, a.manifest.gpa, out->manifest, sizeof(out->manifest)) ||
	    csvsm_sim_guest_read(sim, a.certs.gpa, out->certs, sizeof(out->certs)))
		return -1;
	return 0;
}

const uint8_t *csvsm_sim_psp_cert(const struct csvsm_sim *sim, unsigned int which, size_t *len)
{
	if (!sim || !sim->psp || which >= SIM_PSP_CERTS)
		return NULL;
	return sim_psp_cert_der(sim->psp, (enum sim_psp_cert)which, len);
}

/* The VCEK (DER) from a certificate table, or NULL. */
static const uint8_t *att_vcek(const uint8_t *t, size_t len, size_t *der_len)
{
	static const uint8_t guid[16] = SNP_GUID_VCEK;

	for (size_t off = 0; off + sizeof(struct snp_cert_entry) <= len;
	     off += sizeof(struct snp_cert_entry)) {
		struct snp_cert_entry e;

		memcpy(&e, t + off, sizeof(e));
		if (e.offset == 0 && e.length == 0)
			break;
		if (memcmp(e.guid, guid, 16) == 0 && e.offset <= len &&
		    e.length <= len - e.offset) {
			*der_len = e.length;
			return t + e.offset;
		}
	}
	return NULL;
}

static bool att_sig_ok(const uint8_t *report, const uint8_t *der, size_t der_len)
{
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)der_len);
	EVP_PKEY *pk = x ? X509_get0_pubkey(x) : NULL;
	ECDSA_SIG *sig = ECDSA_SIG_new();
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t rb[48], sb[48], *sd = NULL;
	BIGNUM *r, *s;
	bool ok = false;
	int sd_len;

	for (int i = 0; i < 48; i++) {
		rb[i] = report[SNP_REPORT_SIGNED_SIZE + 47 - i];
		sb[i] = report[SNP_REPORT_SIGNED_SIZE + SNP_ECDSA_COMPONENT_SIZE + 47 - i];
	}
	r = BN_bin2bn(rb, 48, NULL);
	s = BN_bin2bn(sb, 48, NULL);
	if (pk && sig && md && r && s && ECDSA_SIG_set0(sig, r, s) == 1) {
		r = s = NULL;
		sd_len = i2d_ECDSA_SIG(sig, &sd);
		ok = sd_len > 0 && EVP_DigestVerifyInit(md, NULL, EVP_sha384(), NULL, pk) == 1 &&
		     EVP_DigestVerify(md, sd, (size_t)sd_len, report, SNP_REPORT_SIGNED_SIZE) == 1;
	}
	BN_free(r);
	BN_free(s);
	OPENSSL_free(sd);
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(md);
	X509_free(x);
	return ok;
}

const char *csvsm_sim_attest_verify(const struct csvsm_sim *sim,
                                    const struct csvsm_sim_attest_req *req,
                                    const struct csvsm_sim_attest_result *res)
{
	const uint8_t *der;
	size_t der_len = 0;
	uint8_t want[64];
	unsigned int len = 0;
	EVP_MD_CTX *md;
	uint32_t v;
	bool ok;

	if (res->regs.rax != SVSM_SUCCESS)
		return "the call did not succeed";
	if (res->regs.r8 != SNP_REPORT_SIZE || res->regs.rcx > CSVSM_SIM_ATTEST_MANIFEST_MAX)
		return "the report or manifest length is wrong";
	md = EVP_MD_CTX_new();
	ok = md && EVP_DigestInit_ex(md, EVP_sha512(), NULL) == 1 &&
	     (req->nonce_len == 0 || EVP_DigestUpdate(md, req->nonce, req->nonce_len) == 1) &&
	     EVP_DigestUpdate(md, res->manifest, res->manifest_len) == 1 &&
	     EVP_DigestFinal_ex(md, want, &len) == 1;
	EVP_MD_CTX_free(md);
	if (!ok)
		return "libcrypto failed";
	if (memcmp(res->report + 0x50, want, sizeof(want)) != 0)
		return "REPORT_DATA is not SHA-512(nonce || manifest)";
	memcpy(&v, res->report + 0x30, 4);
	if (v != 0)
		return "the report is not at VMPL 0";
	memcpy(&v, res->report + 0x34, 4);
	if (v != SNP_SIG_ALGO_ECDSA_P384_SHA384)
		return "the signature algorithm is not ECDSA P-384";
	der = res->certs_len ? att_vcek(res->certs, res->certs_len, &der_len)
	                     : csvsm_sim_psp_cert(sim, 2, &der_len);
	if (!der)
		return "no VCEK to verify with";
	if (!att_sig_ok(res->report, der, der_len))
		return "the report's signature does not verify under the VCEK";
	return NULL;
}
