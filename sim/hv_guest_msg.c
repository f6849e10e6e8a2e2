/* SPDX-License-Identifier: MIT */
/*
 * The simulated hypervisor's handling of SNP guest requests (GHCB 56421
 * NAE SNP_GUEST_REQUEST 0x8000_0011 and SNP_EXT_GUEST_REQUEST
 * 0x8000_0012; abi 5.1): it relays the request page to the PSP and the
 * response page back, and hands out the host's certificate table. The
 * installed policy (csvsm_sim_hv_policy) turns it into an attacker that
 * tampers with or replays messages.
 */
#include <string.h>

#include "csvsm/abi/snp_guest.h"
#include "csvsm/error.h"
#include "machine.h"

#define SIM_SVM_EXIT_GUEST_REQUEST     0x80000011ull
#define SIM_SVM_EXIT_EXT_GUEST_REQUEST 0x80000012ull

/* Takes one unit of a policy counter. */
static bool take(unsigned int *counter)
{
	if (*counter == 0)
		return false;
	(*counter)--;
	return true;
}

int sim_hv_guest_request(struct csvsm_sim *sim, const uint8_t *req, uint8_t *rsp, void *certs,
                         size_t *certs_len, uint64_t *exit_info2)
{
	struct csvsm_sim_hv_policy *p = &sim->policy;
	uint8_t page[SNP_MSG_PAGE_SIZE];
	size_t table_len = 0;
	const uint8_t *table = NULL;
	uint32_t fw;

	sim->stats.vmgexits++;
	sim_trace(sim, CSVSM_EV_VMGEXIT,
	          certs ? SIM_SVM_EXIT_EXT_GUEST_REQUEST : SIM_SVM_EXIT_GUEST_REQUEST, 0, 0, 0, 0,
	          0);
	*exit_info2 = 0;
	if (take(&p->guest_req_fail))
		return -CSVSM_EIO;
	if (take(&p->guest_req_busy)) {
		*exit_info2 = (uint64_t)SNP_GUEST_VMM_BUSY << 32;
		return 0;
	}
	if (certs) {
		table = sim_psp_cert_table(sim->psp, &table_len);
		if (table_len > *certs_len) {
			/* GHCB: RBX = pages needed, SW_EXITINFO2 = INVALID_LEN. */
			*certs_len = (table_len + 4095) & ~(size_t)4095;
			*exit_info2 = (uint64_t)SNP_GUEST_VMM_INVALID_LEN << 32;
			return 0;
		}
	}
	memcpy(page, req, sizeof(page));
	if (take(&p->guest_req_replay) && sim->gr_have_last)
		memcpy(page, sim->gr_last_req, sizeof(page));
	else if (take(&p->guest_req_tamper))
		page[sizeof(struct snp_msg_hdr) + 1] ^= 0x01; /* a payload bit */
	memcpy(sim->gr_last_req, req, sizeof(page));
	fw = sim_psp_guest_request(sim->psp, page, rsp);
	*exit_info2 = fw;
	if (fw != SNP_FW_STATUS_SUCCESS)
		return 0;
	if (take(&p->guest_req_replay_rsp) && sim->gr_have_last) {
		memcpy(page, rsp, sizeof(page));
		memcpy(rsp, sim->gr_last_rsp, sizeof(page));
		memcpy(sim->gr_last_rsp, page, sizeof(page));
	} else {
		memcpy(sim->gr_last_rsp, rsp, sizeof(page));
		if (take(&p->guest_req_tamper_rsp))
			rsp[sizeof(struct snp_msg_hdr) + 2] ^= 0x80;
	}
	sim->gr_have_last = true;
	if (certs) {
		memcpy(certs, table, table_len);
		*certs_len = table_len;
	}
	return 0;
}
