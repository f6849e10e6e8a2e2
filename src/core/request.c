/* SPDX-License-Identifier: MIT */
/*
 * The per-vCPU request loop (58019 "calling convention"; abi 1.1, the SVSM
 * side): run the guest; when VMPL0 runs again, take the call only if the
 * guest VMSA says VMGEXIT and the CA's call_pending was 1; decode, dispatch,
 * write the results into the guest VMSA.
 */
#include "csvsm/abi/svsm.h"
#include "csvsm/abi/vmsa.h"
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
	/* Only the core protocol, version 1, so far (abi 1.2). */
	if (proto == SVSM_PROTO_CORE && version == 1)
		return SVSM_QUERY_RESULT(1, 1);
	/* The vTPM protocol only while the vTPM runs (abi 1.7). */
	if (proto == SVSM_PROTO_VTPM && version == 1 && vtpm_service_ready())
		return SVSM_QUERY_RESULT(1, 1);
	return 0;
}

/*
 * Serves the call pending on `v`, if there is one. A VMSA access that
 * faults (plat_vmsa_read/write: the hypervisor took the page away) ends
 * the service at once: a call whose registers could not all be read is not
 * made, and what could not be written back is lost with the vCPU.
 */
static void serve(struct vcpu *v)
{
	struct vmsa_page *vmsa = v->vmsa;
	struct svsm_call call;
	uint64_t exit_code;
	uint8_t pending;

	if (VMSA_GET(vmsa, guest_exit_code, &exit_code) < 0 || exit_code != VMEXIT_VMGEXIT)
		return;
	if (plat_guest_xchg8(v->caa_gpa, 0, &pending) < 0 || pending != 1)
		return;
	/* While the SVSM works on it, the hypervisor may not run this VMSA. */
	if (!vcpu_set_runnable(v, false) || VMSA_GET(vmsa, rax, &call.rax) < 0 ||
	    VMSA_GET(vmsa, rcx, &call.rcx) < 0 || VMSA_GET(vmsa, rdx, &call.rdx) < 0 ||
	    VMSA_GET(vmsa, r8, &call.r8) < 0 || VMSA_GET(vmsa, r9, &call.r9) < 0)
		return;
	call.caller = v;
	svsm_dispatch(&call);
	/* The caller may have been deleted only if it is not this vCPU (refused). */
	if (VMSA_PUT(vmsa, rax, &call.rax) == 0 && VMSA_PUT(vmsa, rcx, &call.rcx) == 0 &&
	    VMSA_PUT(vmsa, rdx, &call.rdx) == 0 && VMSA_PUT(vmsa, r8, &call.r8) == 0)
		vcpu_set_runnable(v, true);
}

void svsm_vcpu_loop(void)
{
	unsigned int index = plat_vcpu_index();
	uint8_t vmpl = vcpu_guest_vmpl();

	for (;;) {
		struct vcpu *v;

		if (plat_run_guest(vmpl) < 0)
			continue;
		v = vcpu_at(index);
		if (v)
			serve(v);
	}
}
