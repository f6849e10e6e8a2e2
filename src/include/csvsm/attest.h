/* SPDX-License-Identifier: MIT */
/*
 * The SVSM attestation protocol (1) (58019 chapter "Attestation
 * protocol"; abi 1.6), src/protocols/attest.c.
 */
#ifndef CSVSM_ATTEST_H
#define CSVSM_ATTEST_H

#include "csvsm/types.h"

struct svsm_call;

/*
 * The protocol 1 handler: SVSM_ATTEST_SERVICES and
 * SVSM_ATTEST_SINGLE_SERVICE, result in call->rax, lengths in RCX
 * (manifest), RDX (certificates) and R8 (report) whenever the request was
 * well-formed enough to compute them (abi 1.6). Decisions where the
 * specification is silent: docs/attestation.md.
 */
void svsm_attest_protocol(struct svsm_call *call);

/*
 * Builds the services manifest (abi 1.6 GUID table: while the vTPM runs,
 * the vTPM with its EK public area, then csvsm's NV state entry with the
 * vTPM's NV generation) into a new kmalloc buffer. Returns 0
 * with *out (kfree it) and *len, or -CSVSM_ENOMEM. Exposed for tests.
 */
int attest_services_manifest(uint8_t **out, size_t *len) CSVSM_MUST_CHECK;

/*
 * Forgets what the protocol learnt from the host (the length of its
 * certificate table, the hint for a too-small buffer): a new boot starts
 * without it, like a freshly loaded image. Called by svsm_boot.
 */
void attest_boot_forget(void);

#endif /* CSVSM_ATTEST_H */
