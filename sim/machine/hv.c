/* SPDX-License-Identifier: MIT */
/*
 * The simulated hypervisor (snp.h): answers to GHCB MSR protocol requests
 * (GHCB spec 56421 v2; abi 3.1), page state changes, run-VMPL requests and
 * the AP records, honest unless the installed policy says otherwise.
 */
#include <string.h>

#include "csvsm/abi/ghcb.h"
#include "csvsm/abi/vmsa.h"
#include "snp.h"

/* SEV_INFO: protocol versions 1..2, C-bit position 51. */
#define SIM_SEV_INFO    ((2ull << 48) | (1ull << 32) | (51ull << 24) | GHCB_MSR_SEV_INFO_RESP)
#define SIM_HV_FEATURES (GHCB_HV_FT_SVSM_REQUIRED)
#define SIM_2M          ((uint64_t)2 << 20)

void sim_snp_init(struct sim_snp *m, const struct sim_snp_host_ops *host, struct sim_rmp *rmp,
                  uint8_t *mem, uint64_t phys_limit, uint64_t ram_size, unsigned int vcpu_count,
                  unsigned int guest_vmpl)
{
	memset(m, 0, sizeof(*m));
	m->host = host;
	m->rmp = rmp;
	m->mem = mem;
	m->phys_limit = phys_limit;
	m->ram_size = ram_size;
	m->vcpu_count = vcpu_count;
	m->guest_vmpl = guest_vmpl;
}

void *sim_snp_host(struct sim_snp *m, uint64_t gpa, uint64_t len)
{
	if (gpa >= m->phys_limit || len > m->phys_limit - gpa)
		return NULL;
	sim_snp_dirty(m, gpa, len); /* callers may write through the pointer */
	return m->mem + gpa;
}

static uint64_t hv_msr_answer(struct sim_snp *m, uint64_t request)
{
	switch (GHCB_MSR_INFO(request)) {
	case GHCB_MSR_SEV_INFO_REQ:
		return m->sev_info ? m->sev_info : SIM_SEV_INFO;
	case GHCB_MSR_HV_FT_REQ:
		return m->features ? m->features : (SIM_HV_FEATURES << 12) | GHCB_MSR_HV_FT_RESP;
	default:
		/* Unknown requests get an all-zero (invalid) answer. */
		return 0;
	}
}

uint64_t sim_hv_svsm_msr(struct sim_snp *m, uint64_t request)
{
	uint64_t response;

	m->stats.vmgexits++;
	sim_snp_event(m, CSVSM_EV_VMGEXIT, request, 0, 0, 0, 0, 0);
	response = hv_msr_answer(m, request);
	sim_snp_event(m, CSVSM_EV_GHCB_MSR, request, response, 0, 0, 0, 0);
	return response;
}

uint64_t sim_hv_guest_msr(struct sim_snp *m, unsigned int vcpu, uint64_t request)
{
	uint64_t response = 0;

	if (vcpu >= m->vcpu_count || m->terminated)
		return 0;
	m->vcpus[vcpu].ghcb_msr = request;
	m->stats.vmgexits++;
	sim_snp_event(m, CSVSM_EV_VMGEXIT, request, 0, 0, 0, 0, 0);
	switch (GHCB_MSR_INFO(request)) {
	case GHCB_MSR_SEV_INFO_REQ:
	case GHCB_MSR_HV_FT_REQ:
		response = hv_msr_answer(m, request);
		break;
	case GHCB_MSR_REG_GPA_REQ:
		m->vcpus[vcpu].ghcb_gfn = GHCB_MSR_DATA(request);
		response = (m->vcpus[vcpu].ghcb_gfn << 12) | GHCB_MSR_REG_GPA_RESP;
		break;
	case GHCB_MSR_PSC_REQ: {
		uint64_t gfn = GHCB_MSR_DATA(request) & 0xffffffffffull;
		uint64_t op = (request >> 52) & 0xf;
		uint64_t err = 1;

		if (op == GHCB_PSC_OP_PRIVATE || op == GHCB_PSC_OP_SHARED)
			err = (uint64_t)sim_hv_psc(m, gfn << 12, 0, op == GHCB_PSC_OP_PRIVATE);
		response = (err << 32) | GHCB_MSR_PSC_RESP;
		break;
	}
	case GHCB_MSR_TERM_REQ:
		m->terminated = true;
		m->term_set = (unsigned int)((request >> 12) & 0xf);
		m->term_reason = (unsigned int)((request >> 16) & 0xff);
		break;
	default:
		break;
	}
	m->vcpus[vcpu].ghcb_msr = response;
	sim_snp_event(m, CSVSM_EV_GHCB_MSR, request, response, 0, 0, 0, 0);
	return response;
}

int sim_hv_psc(struct sim_snp *m, uint64_t gpa, unsigned int page_size, bool to_private)
{
	uint64_t len = page_size ? SIM_2M : PAGE_SIZE;
	int result;

	m->stats.psc_requests++;
	m->stats.vmgexits++;
	if (m->policy.refuse_psc > 0) {
		m->policy.refuse_psc--;
		sim_snp_event(m, CSVSM_EV_HV_ACTION, CSVSM_HV_REFUSE_PSC, gpa, 0, 0, 0, 0);
		result = 1;
	} else if (page_size > 1 || gpa % len || gpa >= m->ram_size || len > m->ram_size - gpa) {
		result = 2;
	} else {
		enum rmp_page_size size = page_size ? RMP_PAGE_2M : RMP_PAGE_4K;

		result = sim_rmp_update(m->rmp, gpa, size, to_private) ? 2 : 0;
	}
	sim_snp_event(m, CSVSM_EV_PSC, gpa, page_size, to_private, (uint64_t)result, 0, 0);
	return result;
}

int sim_hv_run_vmpl(struct sim_snp *m, unsigned int from, unsigned int to)
{
	bool legal = (from == 0 && to == m->guest_vmpl) || (from == m->guest_vmpl && to == 0);

	m->stats.vmgexits++;
	sim_snp_event(m, CSVSM_EV_VMGEXIT, GHCB_MSR_RUN_VMPL(to), 0, 0, 0, 0, 0);
	if (m->policy.refuse_run_vmpl > 0) {
		m->policy.refuse_run_vmpl--;
		sim_snp_event(m, CSVSM_EV_HV_ACTION, CSVSM_HV_REFUSE_RUN, 0, 0, 0, 0, 0);
		return -1;
	}
	return legal ? 0 : -1;
}

struct vmsa_page *sim_hv_runnable_vmsa(struct sim_snp *m, unsigned int vcpu)
{
	struct vmsa_page *vmsa;
	uint64_t gpa;

	if (vcpu >= m->vcpu_count)
		return NULL;
	gpa = m->vcpus[vcpu].guest_vmsa_gpa;
	if (!gpa || !sim_rmp_vmsa_page(m->rmp, gpa, false))
		return NULL;
	vmsa = sim_snp_host(m, gpa, PAGE_SIZE);
	return (vmsa && (vmsa->efer & EFER_SVME)) ? vmsa : NULL;
}

void sim_hv_ap_create(struct sim_snp *m, unsigned int apic_id, uint64_t vmsa, uint64_t caa)
{
	if (apic_id >= m->vcpu_count)
		return;
	m->stats.vmgexits++;
	m->vcpus[apic_id].guest_vmsa_gpa = vmsa;
	m->vcpus[apic_id].guest_caa_gpa = caa;
	m->vcpus[apic_id].creations++;
}

void sim_hv_ap_destroy(struct sim_snp *m, uint64_t vmsa)
{
	for (unsigned int i = 0; i < m->vcpu_count; i++)
		if (m->vcpus[i].guest_vmsa_gpa == vmsa)
			m->vcpus[i].guest_vmsa_gpa = 0;
}

int sim_hv_remap(struct sim_snp *m, uint64_t gpa, uint8_t fill)
{
	gpa &= ~(uint64_t)(PAGE_SIZE - 1);
	if (gpa >= m->ram_size)
		return -1;
	/* The RMP first: a page inside an assigned 2 MiB entry cannot be remapped alone. */
	if (sim_rmp_update(m->rmp, gpa, RMP_PAGE_4K, true) != 0)
		return -1;
	sim_snp_dirty(m, gpa, PAGE_SIZE);
	memset(m->mem + gpa, fill, PAGE_SIZE);
	sim_snp_event(m, CSVSM_EV_HV_ACTION, CSVSM_HV_REMAP, gpa, 0, 0, 0, 0);
	return 0;
}

void sim_hv_set_policy(struct sim_snp *m, const struct csvsm_sim_hv_policy *policy)
{
	memset(&m->policy, 0, sizeof(m->policy));
	if (policy)
		m->policy = *policy;
	m->svsm_reads = 0;
	m->svsm_rmp_ops = 0;
}
