/* SPDX-License-Identifier: MIT */
/*
 * The SVSM proper: boot, the per-vCPU request loop and protocol dispatch.
 */
#ifndef CSVSM_SVSM_H
#define CSVSM_SVSM_H

#include "csvsm/types.h"

struct vcpu;

/* One SVSM call as the request loop decoded it: copies of the guest's registers. */
struct svsm_call {
	uint64_t rax; /* in: (protocol << 32) | call; out: result code */
	uint64_t rcx, rdx, r8, r9;
	struct vcpu *caller;
};

/*
 * Boots the SVSM on the boot vCPU: heap, launch facts, secrets page, the
 * guest's copy of it, and the boot vCPU. Must run before any vCPU enters
 * svsm_vcpu_loop. Returns 0 or a negative csvsm error (the platform then
 * stops the machine).
 */
int svsm_boot(void) CSVSM_MUST_CHECK;

/*
 * The request loop of the calling vCPU: runs the guest, serves each SVSM
 * call it makes, forever (58019 "calling convention"; abi 1.1).
 */
CSVSM_NORETURN void svsm_vcpu_loop(void);

/*
 * Serves one call already copied out of the guest VMSA, filling in the
 * result registers. Exposed for tests and benchmarks that call handlers
 * without the world switch.
 */
void svsm_dispatch(struct svsm_call *call);

/* The core protocol (0) handler (src/protocols/core.c). */
void svsm_core_protocol(struct svsm_call *call);

/* Result of QUERY_PROTOCOL for `proto`/`version`: (max << 32) | min, or 0. */
uint64_t svsm_query_protocol(uint32_t proto, uint32_t version);

#endif
