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
