/* SPDX-License-Identifier: MIT */
/*
 * The simulated hypervisor's answers to GHCB MSR protocol requests (GHCB
 * spec 56421 v2; abi 3.1), honest unless the installed policy says
 * otherwise.
 */
#include "csvsm/abi/ghcb.h"
#include "machine.h"

/* SEV_INFO: protocol versions 1..2, C-bit position 51. */
#define SIM_SEV_INFO    ((2ull << 48) | (1ull << 32) | (51ull << 24) | GHCB_MSR_SEV_INFO_RESP)
#define SIM_HV_FEATURES (GHCB_HV_FT_SVSM_REQUIRED)

static uint64_t hv_msr_answer(struct csvsm_sim *sim, uint64_t request)
{
	switch (GHCB_MSR_INFO(request)) {
	case GHCB_MSR_SEV_INFO_REQ:
		return sim->cfg.hv_sev_info ? sim->cfg.hv_sev_info : SIM_SEV_INFO;
	case GHCB_MSR_HV_FT_REQ:
		return sim->cfg.hv_features ? sim->cfg.hv_features
		                            : (SIM_HV_FEATURES << 12) | GHCB_MSR_HV_FT_RESP;
	default:
		/* Unknown requests get an all-zero (invalid) answer. */
		return 0;
	}
}

uint64_t sim_hv_msr_request(struct csvsm_sim *sim, uint64_t request)
{
	uint64_t response;

	sim->stats.vmgexits++;
	sim_trace(sim, CSVSM_EV_VMGEXIT, request, 0, 0, 0, 0, 0);
	response = hv_msr_answer(sim, request);
	sim_trace(sim, CSVSM_EV_GHCB_MSR, request, response, 0, 0, 0, 0);
	return response;
}

uint64_t csvsm_sim_guest_msr(struct csvsm_sim *sim, unsigned int vcpu, uint64_t request)
{
	uint64_t response = 0;

	if (vcpu >= sim->cfg.vcpu_count || sim->terminated)
		return 0;
	sim->current_vcpu = vcpu;
	sim->vcpus[vcpu].ghcb_msr = request;
	sim->stats.vmgexits++;
	sim_trace(sim, CSVSM_EV_VMGEXIT, request, 0, 0, 0, 0, 0);
	switch (GHCB_MSR_INFO(request)) {
	case GHCB_MSR_SEV_INFO_REQ:
	case GHCB_MSR_HV_FT_REQ:
		response = hv_msr_answer(sim, request);
		break;
	case GHCB_MSR_REG_GPA_REQ:
		sim->vcpus[vcpu].ghcb_gfn = GHCB_MSR_DATA(request);
		response = (sim->vcpus[vcpu].ghcb_gfn << 12) | GHCB_MSR_REG_GPA_RESP;
		break;
	case GHCB_MSR_PSC_REQ: {
		uint64_t gfn = GHCB_MSR_DATA(request) & 0xffffffffffull;
		uint64_t op = (request >> 52) & 0xf;
		uint64_t err = 1;

		if (op == GHCB_PSC_OP_PRIVATE || op == GHCB_PSC_OP_SHARED)
			err = (uint64_t)csvsm_sim_guest_psc(sim, gfn << 12, 0,
			                                    op == GHCB_PSC_OP_PRIVATE);
		response = (err << 32) | GHCB_MSR_PSC_RESP;
		break;
	}
	case GHCB_MSR_TERM_REQ:
		sim->terminated = true;
		sim->term_set = (unsigned int)((request >> 12) & 0xf);
		sim->term_reason = (unsigned int)((request >> 16) & 0xff);
		break;
	default:
		break;
	}
	sim->vcpus[vcpu].ghcb_msr = response;
	sim_trace(sim, CSVSM_EV_GHCB_MSR, request, response, 0, 0, 0, 0);
	return response;
}

bool csvsm_sim_terminated(const struct csvsm_sim *sim, unsigned int *set, unsigned int *reason)
{
	if (set)
		*set = sim->term_set;
	if (reason)
		*reason = sim->term_reason;
	return sim->terminated;
}
