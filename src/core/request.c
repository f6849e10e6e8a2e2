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

/* Serves the call pending on `v`, if there is one. */
static void serve(struct vcpu *v)
{
	struct vmsa_page *vmsa = v->vmsa;
	struct svsm_call call;
	uint8_t pending;

	if (vmsa->guest_exit_code != VMEXIT_VMGEXIT)
		return;
	if (plat_guest_xchg8(v->caa_gpa, 0, &pending) < 0 || pending != 1)
		return;
	/* While the SVSM works on it, the hypervisor may not run this VMSA. */
	vmsa->efer &= ~EFER_SVME;
	call.rax = vmsa->rax;
	call.rcx = vmsa->rcx;
	call.rdx = vmsa->rdx;
	call.r8 = vmsa->r8;
	call.r9 = vmsa->r9;
	call.caller = v;
	svsm_dispatch(&call);
	/* The caller may have been deleted only if it is not this vCPU (refused). */
	vmsa->rax = call.rax;
	vmsa->rcx = call.rcx;
	vmsa->rdx = call.rdx;
	vmsa->r8 = call.r8;
	vmsa->efer |= EFER_SVME;
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
