/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: attestation requests from a hostile guest (fuzz_attest.h).
 *
 *   make fuzz-attest
 *   tests/fuzz/fuzz-attest -max_total_time=300 NEW_DIR fixtures/corpus/attest
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvsm/abi/attest.h"
#include "csvsm/abi/snp_guest.h"
#include "csvsm/abi/svsm.h"
#include "csvsm/guest_msg.h"
#include "csvsm/mm.h"
#include "csvsm/sim.h"
#include "fuzz_attest.h"
#include "machine.h"
#include "sim_plat.h"

#define FA_PAGES  16u
#define FA_WINDOW ((uint64_t)FA_PAGES << 12)

static struct csvsm_sim *fa_own;

static uint64_t fa_base(const struct csvsm_sim *sim)
{
	/* Below csvsm_sim_attest's pages at the top of guest RAM. */
	return sim->layout.ram_size - (uint64_t)(FA_PAGES + 16) * 4096;
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)le64((const uint8_t[8]){p[0], p[1], p[2], p[3], 0, 0, 0, 0});
}

/* The machine: the running one, or one of our own (no vTPM), validated once. */
static struct csvsm_sim *fa_machine(void)
{
	struct csvsm_sim *sim = sim_machine;
	uint8_t list[8 + 8 * FA_PAGES];
	struct csvsm_regs r = {0};
	uint64_t ca;

	if (!sim) {
		struct csvsm_sim_config c;

		csvsm_sim_config_default(&c);
		c.psp_fast_sign = true; /* a report per input: no scalar multiplication each */
		fa_own = csvsm_sim_new(&c);
		sim = fa_own;
		if (!sim)
			return NULL;
	}
	ca = sim->snp.vcpus[0].guest_caa_gpa;
	memset(list, 0, sizeof(list));
	list[0] = FA_PAGES;
	for (unsigned int i = 0; i < FA_PAGES; i++) {
		uint64_t e =
		    (fa_base(sim) + i * 4096ull) | SVSM_PVAL_VALIDATE | SVSM_PVAL_IGNORE_CF;

		memcpy(list + 8 + 8 * i, &e, 8);
	}
	if (csvsm_sim_guest_write(sim, ca + 8, list, sizeof(list)) != CSVSM_SIM_ACCESS_OK)
		return NULL;
	r.rax = SVSM_RAX(SVSM_PROTO_CORE, SVSM_CORE_PVALIDATE);
	r.rcx = ca + 8;
	if (csvsm_sim_call(sim, 0, &r) != 0 || r.rax != SVSM_SUCCESS)
		return NULL;
	return sim;
}

static bool fa_defined(uint64_t rax)
{
	return rax == SVSM_SUCCESS || rax == SVSM_ERR_UNSUPPORTED_PROTOCOL ||
	       rax == SVSM_ERR_UNSUPPORTED_CALL || rax == SVSM_ERR_INVALID_ADDRESS ||
	       rax == SVSM_ERR_INVALID_PARAMETER || rax == SVSM_ERR_INVALID_REQUEST ||
	       rax == SVSM_ERR_BUSY;
}

static bool fa_disjoint(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen == 0 || blen == 0 || a + alen <= b || b + blen <= a;
}

/*
 * On success: REPORT_DATA = SHA-512(the nonce as it was before the call ||
 * the manifest the guest received), VMPL 0. The SVSM writes report,
 * manifest and certificates in that order, so the check needs those three
 * buffers disjoint (overlapping ones are the guest's business). It also
 * needs report and manifest clear of the CA's first 8 bytes: the SVSM
 * clears call_pending after writing them, so a manifest placed on the
 * guest's own CA reads back with byte 0 changed (the guest's business too;
 * fixtures/corpus/attest/regress-manifest-on-ca).
 */
static const char *fa_check_success(struct csvsm_sim *sim, const struct svsm_attest_req *a,
                                    const struct csvsm_regs *r, const uint8_t *nonce, uint64_t ca)
{
	static uint8_t manifest[65536];
	uint8_t report[SNP_REPORT_SIZE], want[64];
	EVP_MD_CTX *md;
	unsigned int len = 0;
	bool ok;

	if (r->r8 != SNP_REPORT_SIZE || r->rcx > a->manifest.size || r->rcx > sizeof(manifest) ||
	    r->rdx > a->certs.size)
		return "success with lengths that do not fit the buffers";
	if (!fa_disjoint(a->report.gpa, SNP_REPORT_SIZE, a->manifest.gpa, r->rcx) ||
	    !fa_disjoint(a->report.gpa, SNP_REPORT_SIZE, a->certs.gpa, r->rdx) ||
	    !fa_disjoint(a->manifest.gpa, r->rcx, a->certs.gpa, r->rdx) ||
	    !fa_disjoint(ca, 8, a->report.gpa, SNP_REPORT_SIZE) ||
	    !fa_disjoint(ca, 8, a->manifest.gpa, r->rcx))
		return NULL;
	if (csvsm_sim_guest_read(sim, a->report.gpa, report, sizeof(report)) ||
	    csvsm_sim_guest_read(sim, a->manifest.gpa, manifest, r->rcx))
		return "success, but the guest cannot read its buffers";
	md = EVP_MD_CTX_new();
	ok = md && EVP_DigestInit_ex(md, EVP_sha512(), NULL) == 1 &&
	     EVP_DigestUpdate(md, nonce, a->nonce.size) == 1 &&
	     EVP_DigestUpdate(md, manifest, r->rcx) == 1 && EVP_DigestFinal_ex(md, want, &len) == 1;
	EVP_MD_CTX_free(md);
	if (!ok)
		return NULL; /* the checker's own libcrypto failed: nothing to say */
	if (memcmp(report + 0x50, want, 64) != 0)
		return "REPORT_DATA is not SHA-512(nonce || manifest)";
	if (le32(report + 0x30) != 0)
		return "the SVSM's report is not at VMPL 0";
	return NULL;
}

const char *fuzz_attest_one(const uint8_t *data, size_t size)
{
	uint8_t in[FUZZ_ATTEST_HDR] = {0};
	struct svsm_attest_loc *locs[4];
	struct svsm_attest_req a;
	struct csvsm_sim *sim;
	struct csvsm_regs r = {0};
	size_t baseline, nonce_len;
	uint64_t req_gpa, ca;
	const char *why = NULL;
	static uint8_t fa_nonce[65536];
	bool nonce_ok;

	sim = fa_machine();
	if (!sim)
		return "no machine";
	memcpy(in, data, size < sizeof(in) ? size : sizeof(in));
	memcpy(&a, in + 10, sizeof(a));
	locs[0] = &a.report;
	locs[1] = &a.nonce;
	locs[2] = &a.manifest;
	locs[3] = &a.certs;
	for (int i = 0; i < 4; i++)
		if (!(in[1] & (1u << i)))
			locs[i]->gpa = fa_base(sim) + locs[i]->gpa % FA_WINDOW;
	ca = sim->snp.vcpus[0].guest_caa_gpa;
	req_gpa = (in[1] & 0x10) ? le64(in + 2) : ca + 8;
	nonce_len = size > FUZZ_ATTEST_HDR ? size - FUZZ_ATTEST_HDR : 0;
	if (nonce_len > 4096)
		nonce_len = 4096;
	if (nonce_len)
		(void)csvsm_sim_guest_write(sim, fa_base(sim), data + FUZZ_ATTEST_HDR, nonce_len);
	(void)csvsm_sim_guest_write(sim, ca + 8, &a, sizeof(a));
	/* The nonce as the SVSM will read it (the call may overwrite it). */
	nonce_ok = a.nonce.size == 0 ||
	           csvsm_sim_guest_read(sim, a.nonce.gpa, fa_nonce, a.nonce.size) == 0;
	baseline = mm_live_allocs();
	r.rax = SVSM_RAX(SVSM_PROTO_ATTEST, in[0]);
	r.rcx = req_gpa;
	if (csvsm_sim_call(sim, 0, &r) != 0)
		return "the call was not made";
	if (!fa_defined(r.rax))
		why = "an undefined SVSM result";
	else if (mm_live_allocs() != baseline)
		why = "SVSM allocations leaked";
	else if (!guest_msg_available())
		why = "a guest request erased VMPCK0";
	else if (r.rax == SVSM_SUCCESS && !nonce_ok)
		why = "success with a nonce the guest cannot read";
	else if (r.rax == SVSM_SUCCESS && !(in[1] & 0x10) && in[0] <= 1)
		why = fa_check_success(sim, &a, &r, fa_nonce, ca);
	return why;
}

static void fa_console_drop(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why;

	if (!sim_machine && getenv("FUZZ_ATTEST_VERBOSE") == NULL)
		sim_console_set_sink(fa_console_drop, NULL);
	why = fuzz_attest_one(data, size);
	if (why != NULL) {
		fprintf(stderr, "fuzz_attest: %s (input of %zu bytes)\n", why, size);
		abort();
	}
	return 0;
}
