/* SPDX-License-Identifier: MIT */
/*
 * Scenario statements for attestation (docs/scenarios.md): `attest` makes
 * an attestation call as a guest would (csvsm/sim_attest.h) and runs the
 * verifier's checks on what came back; `expect attest verified|refused`
 * checks the outcome; `hv guest_req KIND N` makes the hypervisor attack the
 * SVSM's next N guest requests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csvsm/abi/attest.h"
#include "csvsm/sim_attest.h"
#include "scenario_int.h"

/* attest [single] [nonce=HEX] [report=N] [manifest=N] [certs=N] [guid=HEX] [version=N] */
int scn_stmt_attest(struct scn_run *r, const struct scn_keyword *k)
{
	static const char *const keys[] = {"nonce", "report", "manifest",
	                                   "certs", "guid",   "version"};
	static const uint8_t vtpm[16] = SVSM_GUID_VTPM;
	static uint8_t nonce[CSVSM_SIM_ATTEST_NONCE_MAX];
	static struct csvsm_sim_attest_result res;
	struct csvsm_sim_attest_req req;
	const char *vals[6];
	unsigned int from = 1;
	uint64_t v[4] = {0};
	int rc, n;

	memset(&req, 0, sizeof(req));
	if (r->cur->ntok > 1 && !strcmp(scn_arg(r, 1), "single")) {
		req.single = true;
		memcpy(req.service_guid, vtpm, sizeof(vtpm));
		from = 2;
	}
	if ((rc = scn_options(r, k, from, keys, 6, vals)) || (rc = scn_start(r, false)))
		return rc;
	/* The default nonce: 64 bytes 00 01 02 ... (Linux always sends 64). */
	for (unsigned int i = 0; i < 64; i++)
		nonce[i] = (uint8_t)i;
	req.nonce = nonce;
	req.nonce_len = 64;
	if (vals[0]) {
		n = scn_hex_decode(vals[0], nonce, sizeof(nonce));
		if (n < 0)
			return scn_error(r, "nonce=: up to %u bytes of hex digits",
			                 CSVSM_SIM_ATTEST_NONCE_MAX);
		req.nonce_len = (size_t)n;
	}
	if (vals[4] && scn_hex_decode(vals[4], req.service_guid, 16) != 16)
		return scn_error(r, "guid=: 16 bytes of hex digits (EFI byte order)");
	for (unsigned int i = 0; i < 4; i++) {
		static const uint64_t max[4] = {CSVSM_SIM_ATTEST_REPORT_MAX,
		                                CSVSM_SIM_ATTEST_MANIFEST_MAX,
		                                CSVSM_SIM_ATTEST_CERTS_MAX, UINT32_MAX};
		static const char *const what[4] = {"report", "manifest", "certs", "version"};
		const char *text = vals[i == 3 ? 5 : i + 1];

		if (text && (rc = scn_eval_max(r, text, max[i], what[i], &v[i])))
			return rc;
	}
	req.report_size = (uint32_t)v[0];
	req.manifest_size = (uint32_t)v[1];
	req.certs_size = (uint32_t)v[2];
	req.no_certs = vals[3] && v[2] == 0;
	req.manifest_version = (uint32_t)v[3];
	r->called = true;
	if (r->dry)
		return SCN_GO;
	memset(r->since_call, 0, sizeof(r->since_call));
	r->delivered = csvsm_sim_attest(r->sim, r->vcpu, &req, &res) == 0;
	r->regs = res.regs;
	r->attested = r->delivered;
	r->attest_why = r->delivered ? csvsm_sim_attest_verify(r->sim, &req, &res) : "no call";
	return SCN_GO;
}

/* hv guest_req busy|tamper|tamper_rsp|replay|replay_rsp|fail N */
int scn_hv_guest_req(struct scn_run *r, const struct scn_keyword *k)
{
	static const char *const kinds[6] = {"busy",   "tamper",     "tamper_rsp",
	                                     "replay", "replay_rsp", "fail"};
	uint64_t v;
	size_t i;
	int rc;

	if ((rc = scn_need(r, k, 2, "busy|tamper|tamper_rsp|replay|replay_rsp|fail")) ||
	    (rc = scn_need(r, k, 3, "N")) || (rc = scn_no_more(r, k, 4)))
		return rc;
	for (i = 0; i < 6 && strcmp(kinds[i], scn_arg(r, 2)); i++)
		;
	if (i == 6)
		return scn_error(r,
		                 "unknown guest request attack '%s' (busy, tamper, tamper_rsp, "
		                 "replay, replay_rsp or fail)",
		                 scn_arg(r, 2));
	if ((rc = scn_start(r, false)) ||
	    (rc = scn_eval_max(r, scn_arg(r, 3), UINT32_MAX, "N", &v)) || r->dry)
		return rc;
	r->gr[i] = (unsigned int)v;
	scn_apply_policy(r);
	return SCN_GO;
}

/* expect attest verified|refused */
int scn_expect_attest(struct scn_run *r, const struct scn_keyword *k, unsigned int at)
{
	bool want_verified;
	int rc;

	if ((rc = scn_need(r, k, at, "verified|refused")) || (rc = scn_no_more(r, k, at + 1)))
		return rc;
	if (!strcasecmp(scn_arg(r, at), "verified"))
		want_verified = true;
	else if (!strcasecmp(scn_arg(r, at), "refused"))
		want_verified = false;
	else
		return scn_error(r, "expect attest verified or refused, not '%s'", scn_arg(r, at));
	if (r->dry)
		return SCN_GO;
	if (!r->attested)
		return scn_error(r, "expect attest: no attest statement before it");
	if (want_verified && r->attest_why)
		scn_failed(r, "the verifier's checks of the last attest", "all held",
		           r->attest_why);
	else if (!want_verified && r->regs.rax == 0)
		scn_failed(r, "the last attest", "refused (an error result)", "SUCCESS");
	else
		scn_held(r);
	return SCN_GO;
}
