/* SPDX-License-Identifier: MIT */
/*
 * The SVSM's client for SNP guest messages (56860 "Guest messages"; abi
 * 5): attestation reports and derived keys from the AMD secure processor,
 * encrypted and authenticated with VMPCK0, carried by the hypervisor
 * (csvsm/plat/guest_msg.h).
 *
 * Sequence numbers: a request uses last + 1, its response must carry
 * last + 2 (abi 5.2). As 56860 demands of a client (and Linux does), any
 * failure after a request left the SVSM (a hypervisor error, a firmware
 * error, a response that does not authenticate or has the wrong sequence
 * number) erases VMPCK0: an IV may have been consumed, and reusing it
 * would break AES-GCM. From then on every request fails with -CSVSM_EPERM
 * until the next boot. Failures before anything was sent (no memory)
 * change nothing.
 */
#ifndef CSVSM_GUEST_MSG_H
#define CSVSM_GUEST_MSG_H

#include "csvsm/abi/snp_guest.h"
#include "csvsm/types.h"

/* Installs VMPCK0 (copied) and restarts the sequence at 0. Called by svsm_boot. */
void guest_msg_init(const uint8_t vmpck0[32]);

/* True while VMPCK0 is installed and not erased. */
bool guest_msg_available(void);

/*
 * MSG_REPORT_REQ (abi 5.3) with `report_data` at `vmpl`, key selection 0.
 * On success copies the report (abi 5.5) into *out. With `certs` (SVSM
 * memory of *certs_len bytes, a multiple of 4096) the extended request is
 * used and the host's certificate table lands in `certs`, its length in
 * *certs_len (0: the host has none). Returns 0, -CSVSM_ENOMEM (nothing
 * sent), -CSVSM_EPERM (VMPCK0 erased), -CSVSM_EIO (the firmware or the
 * hypervisor refused: VMPCK0 erased unless the firmware answered with a
 * status), -CSVSM_ECORRUPT (the response failed its checks: VMPCK0
 * erased), or -CSVSM_ENOSPC (the host's certificates need *certs_len
 * bytes; the report is still valid).
 */
int guest_msg_report(const uint8_t report_data[64], uint32_t vmpl, struct snp_report *out,
                     void *certs, size_t *certs_len) CSVSM_MUST_CHECK;

/*
 * MSG_KEY_REQ: a key derived from the VCEK root and the launch fields in
 * `field_select` (SNP_KEY_FIELD_*) for `vmpl`; guest SVN and TCB version
 * 0. Returns 0 with the key in `key`, or the errors of guest_msg_report.
 */
int guest_msg_derive_key(uint64_t field_select, uint32_t vmpl,
                         uint8_t key[SNP_DERIVED_KEY_SIZE]) CSVSM_MUST_CHECK;

struct guest_msg_stats {
	uint64_t requests; /* exchanges started (messages sent) */
	uint64_t failures; /* exchanges that failed after sending */
	uint64_t busy_retries;
	uint64_t seqno; /* the last sequence number used */
};
void guest_msg_get_stats(struct guest_msg_stats *out);

#endif /* CSVSM_GUEST_MSG_H */
