/* SPDX-License-Identifier: MIT */
/*
 * The per-vCPU request loop (58019 "calling convention"; abi 1.1, the SVSM
 * side): run the guest; when VMPL0 runs again, take the call only if the
 * guest VMSA says VMGEXIT and the CA's call_pending was 1; decode, dispatch,
 * write the results into the guest VMSA.
 */
#include "csvsm/abi/svsm.h"
#include "csvsm/abi/vmsa.h"
#include "csvsm/attest.h"
#include "csvsm/plat/vmpl.h"
#include "csvsm/svsm.h"
#include "csvsm/vcpu.h"
#include "csvsm/vtpm.h"

void svsm_dispatch(struct svsm_call *call)
{
	switch (SVSM_PROTOCOL(call->rax)) {
	case SVSM_PROTO_CORE:
		svsm_core_protocol(call);
		break;
	case SVSM_PROTO_ATTEST:
		svsm_attest_protocol(call);
		break;
	case SVSM_PROTO_VTPM:
		svsm_vtpm_protocol(call);
		break;
	default:
		call->rax = SVSM_ERR_UNSUPPORTED_PROTOCOL;
		break;
	}
}

uint64_t svsm_query_protocol(uint32_t proto, uint32_t version)
{
	/* The core and attestation protocols, version 1 (abi 1.2). */
	if ((proto == SVSM_PROTO_CORE || proto == SVSM_PROTO_ATTEST) && version == 1)
		return SVSM_QUERY_RESULT(1, 1);
	/* The vTPM protocol only while the vTPM runs (abi 1.7). */
	if (proto == SVSM_PROTO_VTPM && version == 1 && vtpm_service_ready())
		return SVSM_QUERY_RESULT(1, 1);
	return 0;
}

/*
 * The part of the guest VMSA a call uses, from EFER to the exit code: read
 * in one access and written back in one (each VMSA access may fault), as
 * 64-bit words (every field used is one, at an 8-byte aligned offset).
 */
#define CALL_FIRST __builtin_offsetof(struct vmsa_page, efer)
#define CALL_END   (__builtin_offsetof(struct vmsa_page, guest_exit_code) + sizeof(uint64_t))
#define CALL_WORDS ((CALL_END - CALL_FIRST) / sizeof(uint64_t))
/* The word of `field` in the block. */
#define CALL_AT(blk, field)                                                                        \
	((blk)[(__builtin_offsetof(struct vmsa_page, field) - CALL_FIRST) / sizeof(uint64_t)])
_Static_assert(CALL_FIRST < __builtin_offsetof(struct vmsa_page, rax) &&
                   __builtin_offsetof(struct vmsa_page, r9) < CALL_END,
               "the call's registers lie between EFER and the exit code");
_Static_assert(CALL_FIRST % 8 == 0 && CALL_END % 8 == 0 &&
                   __builtin_offsetof(struct vmsa_page, guest_exit_code) % 8 == 0 &&
                   __builtin_offsetof(struct vmsa_page, rax) % 8 == 0 &&
                   __builtin_offsetof(struct vmsa_page, rcx) % 8 == 0 &&
                   __builtin_offsetof(struct vmsa_page, rdx) % 8 == 0 &&
                   __builtin_offsetof(struct vmsa_page, r8) % 8 == 0 &&
                   __builtin_offsetof(struct vmsa_page, r9) % 8 == 0,
               "the call's fields are 64-bit words of the block");

/*
 * Serves the call pending on `v`, if there is one. A VMSA access that
 * faults (plat_vmsa_read/write: the hypervisor took the page away) ends
 * the service at once: a call whose registers could not be read is not
 * made, and results that cannot be written back are lost with the vCPU.
 * Nobody else writes the VMSA meanwhile (the guest has no access to it and
 * the hypervisor cannot run it), so writing the block back changes only
 * what the SVSM set.
 */
static void serve(struct vcpu *v)
{
	struct vmsa_page *vmsa = v->vmsa;
	uint64_t blk[CALL_WORDS];
	struct svsm_call call;
	uint64_t efer;
	uint8_t pending;

	if (plat_vmsa_read(vmsa, CALL_FIRST, blk, sizeof(blk)) < 0 ||
	    CALL_AT(blk, guest_exit_code) != VMEXIT_VMGEXIT)
		return;
	if (plat_guest_xchg8(v->caa_gpa, 0, &pending) < 0 || pending != 1)
		return;
	/* While the SVSM works on it, the hypervisor may not run this VMSA. */
	efer = CALL_AT(blk, efer) & ~EFER_SVME;
	if (VMSA_PUT(vmsa, efer, &efer) < 0)
		return;
	call.rax = CALL_AT(blk, rax);
	call.rcx = CALL_AT(blk, rcx);
	call.rdx = CALL_AT(blk, rdx);
	call.r8 = CALL_AT(blk, r8);
	call.r9 = CALL_AT(blk, r9);
	call.caller = v;
	svsm_dispatch(&call);
	/* The caller may have been deleted only if it is not this vCPU (refused). */
	CALL_AT(blk, rax) = call.rax;
	CALL_AT(blk, rcx) = call.rcx;
	CALL_AT(blk, rdx) = call.rdx;
	CALL_AT(blk, r8) = call.r8;
	CALL_AT(blk, efer) = efer | EFER_SVME;
	if (plat_vmsa_write(vmsa, CALL_FIRST, blk, sizeof(blk)) < 0)
		return;
}

void svsm_vcpu_loop(void)
{
	unsigned int index = plat_vcpu_index();
	uint8_t vmpl = vcpu_guest_vmpl();

	for (;;) {
		struct vcpu *v;

		if (plat_run_guest(vmpl) < 0)
			continue;
		/* A reference: no other vCPU's DELETE_VCPU frees it meanwhile. */
		v = vcpu_get(index);
		if (v) {
			serve(v);
			vcpu_put(v);
		}
	}
}
