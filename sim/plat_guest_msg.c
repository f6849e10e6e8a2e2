/* SPDX-License-Identifier: MIT */
/*
 * Platform interface: SNP guest messages (csvsm/plat/guest_msg.h) for a
 * Linux process. The SVSM's pages already are the "shared" pages: the
 * hypervisor model (sim/machine/hv_guest_msg.c) reads and writes them
 * directly.
 */
#include "csvsm/error.h"
#include "csvsm/fault.h"
#include "csvsm/plat/guest_msg.h"
#include "machine.h"

int plat_guest_request(const void *req, void *rsp, void *certs, size_t *certs_len,
                       uint64_t *exit_info2)
{
	struct csvsm_sim *sim = sim_machine;

	*exit_info2 = 0;
	if (!sim)
		return -CSVSM_EIO;
	return sim_hv_guest_request(&sim->snp, req, rsp, certs, certs_len, exit_info2);
}
