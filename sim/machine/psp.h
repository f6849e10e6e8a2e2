/* SPDX-License-Identifier: MIT */
/*
 * The emulated AMD secure processor (PSP): the SEV-SNP firmware's guest
 * message service (56860 "Guest messages"; svsm-abi.md section 5) for one
 * guest. A machine model shared by the shim and the KVM runner: it knows
 * nothing of processes, contexts or KVM; its host hands it message pages.
 *
 * Everything is deterministic from the configuration: the machine secret,
 * the chip's keys (ARK, ASK, VCEK: ECDSA P-384) and certificates (fixed
 * names, serials and validity dates) derive from the seed, and ECDSA
 * nonces from the key and the digest (HMAC-SHA-384), so one seed gives the
 * same reports and certificates byte for byte.
 *
 * Not AMD's: the ARK and ASK are ECDSA P-384 (AMD's are RSA-4096 with
 * RSA-PSS) and every name says "csvsm simulator"; a verifier must pin this
 * ARK, never trust it as AMD's.
 */
#ifndef CSVSM_SIM_MACHINE_PSP_H
#define CSVSM_SIM_MACHINE_PSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_PSP_VMPCKS      4
#define SIM_PSP_VMPCK_SIZE  32
#define SIM_PSP_MEASUREMENT 48

struct sim_psp_config {
	uint64_t seed; /* the machine secret and the VCEK derive from it */
	uint8_t vmpck[SIM_PSP_VMPCKS][SIM_PSP_VMPCK_SIZE]; /* as in the secrets page */
	uint8_t measurement[SIM_PSP_MEASUREMENT];          /* the launch measurement */
	uint64_t policy;                                   /* the guest policy */
	uint8_t host_data[32];
	/*
	 * Fuzz targets only: sign every report with the same nonce
	 * (psp.c psp_sign_fast), valid signatures at a fraction of the cost,
	 * but two of them reveal the VCEK. Default false: a nonce per digest.
	 */
	bool fast_sign;
};

struct sim_psp;

enum sim_psp_cert { SIM_PSP_ARK = 0, SIM_PSP_ASK = 1, SIM_PSP_VCEK = 2, SIM_PSP_CERTS };

struct sim_psp_stats {
	uint64_t requests; /* messages handed to the PSP */
	uint64_t refused;  /* refused before any payload was read (header, sequence, tag) */
	uint64_t reports;  /* MSG_REPORT_RSP with status 0 */
	uint64_t keys;     /* MSG_KEY_RSP with status 0 */
};

/*
 * Builds the PSP for one guest: derives the machine secret and chip ID.
 * The P-384 keys and the three certificates are made at their first use
 * (a report to sign, a certificate asked for), from cfg.seed alone.
 * Returns NULL when libcrypto fails (out of memory).
 */
struct sim_psp *sim_psp_new(const struct sim_psp_config *cfg);

/* Frees the PSP; NULL is ignored. */
void sim_psp_free(struct sim_psp *psp);

/*
 * One guest request (SNP_GUEST_REQUEST): `req` is the 4 KiB request page,
 * `rsp` the 4 KiB response page. Checks the header (algo 1, versions 1,
 * size 0x60, a known request type, msg_vmpck 0..3, payload within the
 * page, reserved bytes zero), that msg_seqno is exactly one more than the
 * last sequence number this VMPCK used (a replayed or reordered message is
 * refused), and the AES-256-GCM tag with that VMPCK; then serves
 * MSG_REPORT_REQ or MSG_KEY_REQ and writes the encrypted response (type + 1,
 * msg_seqno + 1) into `rsp`. Returns the firmware status: 0, or
 * SNP_FW_STATUS_INVALID_PARAM for a refused message (rsp untouched, the
 * sequence number not consumed). A payload the firmware rejects (say a
 * report for a VMPL below the VMPCK's) still gets a response, whose status
 * field says why.
 */
uint32_t sim_psp_guest_request(struct sim_psp *psp, const uint8_t *req, uint8_t *rsp);

/*
 * The certificate table (abi 5.6: VCEK, ASK, ARK entries, an all-zero
 * entry, then the DER certificates) the host hands out with extended
 * requests. Valid until sim_psp_free. Makes the keys and certificates at
 * the first use: NULL with *len 0 when libcrypto fails (out of memory).
 */
const uint8_t *sim_psp_cert_table(struct sim_psp *psp, size_t *len);

/* One certificate, DER, made at the first use like the table (NULL when that fails). */
const uint8_t *sim_psp_cert_der(struct sim_psp *psp, enum sim_psp_cert which, size_t *len);

/* Counters since sim_psp_new. */
void sim_psp_get_stats(const struct sim_psp *psp, struct sim_psp_stats *out);

/* What changes as the PSP serves messages: the sequence numbers and counters. */
struct sim_psp_state {
	uint64_t seqno[SIM_PSP_VMPCKS];
	struct sim_psp_stats stats;
};

/* Copies the PSP's changing state out (snapshots, csvsm/sim_snapshot.h). */
void sim_psp_get_state(const struct sim_psp *psp, struct sim_psp_state *out);

/* Puts back a state sim_psp_get_state gave for this PSP. */
void sim_psp_set_state(struct sim_psp *psp, const struct sim_psp_state *state);

#endif /* CSVSM_SIM_MACHINE_PSP_H */
