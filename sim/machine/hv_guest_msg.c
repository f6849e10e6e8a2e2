/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor model's handling of SNP guest requests (GHCB 56421
 * NAE SNP_GUEST_REQUEST 0x8000_0011 and SNP_EXT_GUEST_REQUEST
 * 0x8000_0012; abi 5.1): it relays the request page to the PSP and the
 * response page back, and hands out the host's certificate table. The
 * installed policy (csvsm_sim_hv_policy) turns it into an attacker that
 * tampers with or replays messages.
 */
#include <string.h>

#include "csvsm/abi/snp_guest.h"
#include "csvsm/error.h"
#include "snp.h"

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

int sim_hv_guest_request(struct sim_snp *m, const uint8_t *req, uint8_t *rsp, void *certs,
                         size_t *certs_len, uint64_t *exit_info2)
{
	struct csvsm_sim_hv_policy *p = &m->policy;
	uint8_t page[SNP_MSG_PAGE_SIZE];
	size_t table_len = 0;
	const uint8_t *table = NULL;
	uint32_t fw;

	*exit_info2 = 0;
	if (!m->psp || (certs && !certs_len))
		return -CSVSM_EIO;
	m->stats.vmgexits++;
	sim_snp_event(m, CSVSM_EV_VMGEXIT,
	              certs ? SIM_SVM_EXIT_EXT_GUEST_REQUEST : SIM_SVM_EXIT_GUEST_REQUEST, 0, 0, 0,
	              0, 0);
	if (take(&p->guest_req_fail))
		return -CSVSM_EIO;
	if (take(&p->guest_req_busy)) {
		*exit_info2 = (uint64_t)SNP_GUEST_VMM_BUSY << 32;
		return 0;
	}
	if (certs) {
		table = sim_psp_cert_table(m->psp, &table_len);
		if (!table)
			return -CSVSM_EIO; /* the host could not make its certificates */
		if (table_len > *certs_len || take(&p->guest_req_certs_too_small)) {
			/* GHCB: RBX = pages needed, SW_EXITINFO2 = INVALID_LEN. */
			*certs_len = (table_len + 4095) & ~(size_t)4095;
			*exit_info2 = (uint64_t)SNP_GUEST_VMM_INVALID_LEN << 32;
			return 0;
		}
	}
	memcpy(page, req, sizeof(page));
	if (take(&p->guest_req_replay) && m->gr_have_last)
		memcpy(page, m->gr_last_req, sizeof(page));
	else if (take(&p->guest_req_tamper))
		page[sizeof(struct snp_msg_hdr) + 1] ^= 0x01; /* a payload bit */
	memcpy(m->gr_last_req, req, sizeof(page));
	fw = sim_psp_guest_request(m->psp, page, rsp);
	*exit_info2 = fw;
	if (fw != SNP_FW_STATUS_SUCCESS)
		return 0;
	if (take(&p->guest_req_replay_rsp) && m->gr_have_last) {
		memcpy(page, rsp, sizeof(page));
		memcpy(rsp, m->gr_last_rsp, sizeof(page));
		memcpy(m->gr_last_rsp, page, sizeof(page));
	} else {
		memcpy(m->gr_last_rsp, rsp, sizeof(page));
		if (take(&p->guest_req_tamper_rsp))
			rsp[sizeof(struct snp_msg_hdr) + 2] ^= 0x80;
	}
	if (take(&p->guest_req_edit_rsp))
		rsp[p->guest_req_edit_off % SNP_MSG_PAGE_SIZE] ^= p->guest_req_edit_xor;
	m->gr_have_last = true;
	if (certs) {
		memcpy(certs, table, table_len);
		/* A lie only in the length: the SVSM must not copy past its buffer. */
		*certs_len = take(&p->guest_req_certs_overrun) ? *certs_len + 1 : table_len;
	}
	return 0;
}
