/* SPDX-License-Identifier: MIT */
/*
 * The guest's side of the SVSM attestation protocol (1) on the simulator,
 * as Linux's configfs-tsm path makes it (abi 6, "Attestation"): used by
 * `csvsm-sim attest`, the scenario statement `attest`, tests and
 * benchmarks. Also the emulated PSP's certificates, for verifiers.
 */
#ifndef CSVSM_SIM_ATTEST_H
#define CSVSM_SIM_ATTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "csvsm/sim.h"

#define CSVSM_SIM_ATTEST_REPORT_MAX   0x1000u
#define CSVSM_SIM_ATTEST_MANIFEST_MAX 0x1000u
#define CSVSM_SIM_ATTEST_CERTS_MAX    0x4000u
#define CSVSM_SIM_ATTEST_NONCE_MAX    0x1000u

struct csvsm_sim_attest_req {
	bool single;               /* SVSM_ATTEST_SINGLE_SERVICE instead of SERVICES */
	uint8_t service_guid[16];  /* single: EFI byte order */
	uint32_t manifest_version; /* single */
	const uint8_t *nonce;      /* nonce_len bytes (<= CSVSM_SIM_ATTEST_NONCE_MAX) */
	size_t nonce_len;
	/* The buffer sizes the guest declares (0 = the whole buffer the helper has). */
	uint32_t report_size, manifest_size, certs_size;
	bool no_certs; /* certificates buffer size 0 (no certificates asked for) */
};

struct csvsm_sim_attest_result {
	struct csvsm_regs regs; /* the call's result registers (RAX, RCX, RDX, R8) */
	uint8_t report[CSVSM_SIM_ATTEST_REPORT_MAX];
	uint8_t manifest[CSVSM_SIM_ATTEST_MANIFEST_MAX];
	uint8_t certs[CSVSM_SIM_ATTEST_CERTS_MAX];
	/* Bytes of each buffer to look at: min(what the SVSM says, the buffer). */
	size_t report_len, manifest_len, certs_len;
};

/*
 * Makes one attestation call from vCPU `vcpu` as a guest would: validates
 * (through SVSM PVALIDATE calls, once) 8 guest pages at the top of guest
 * RAM for the buffers, writes the nonce and the request (at CA + 8, as
 * Linux does), calls, and reads back the buffers and the result
 * registers. Returns 0 when the call was made (whatever its result; see
 * out->regs.rax), -1 when the helper could not make it (bad arguments,
 * pages not validatable, machine terminated).
 */
int csvsm_sim_attest(struct csvsm_sim *sim, unsigned int vcpu,
                     const struct csvsm_sim_attest_req *req, struct csvsm_sim_attest_result *out);

/*
 * A verifier's checks of a result `res` of request `req` made on `sim`:
 * RAX success, REPORT_DATA = SHA-512(nonce || the manifest the guest
 * received), report VMPL 0 and signature algorithm 1, and the report's
 * ECDSA P-384 signature (r, s little-endian, abi 5.5) valid under the VCEK
 * of the certificate table received (or, without certificates, the PSP's
 * VCEK). Returns NULL when all hold, else what failed.
 */
const char *csvsm_sim_attest_verify(const struct csvsm_sim *sim,
                                    const struct csvsm_sim_attest_req *req,
                                    const struct csvsm_sim_attest_result *res);

/* The emulated PSP's certificates in DER (0 ARK, 1 ASK, 2 VCEK); NULL for a bad index. */
const uint8_t *csvsm_sim_psp_cert(const struct csvsm_sim *sim, unsigned int which, size_t *len);

#endif /* CSVSM_SIM_ATTEST_H */
