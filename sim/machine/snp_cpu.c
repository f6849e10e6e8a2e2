/* SPDX-License-Identifier: MIT */
/*
 * The checks the CPU makes against the RMP (snp.h): every access by a VMPL
 * to private memory, and PVALIDATE/RMPADJUST executed by the SVSM (abi 4).
 */
#include "csvsm/error.h"
#include "snp.h"

/*
 * A faulting access: where it faulted, and the #VC or #NPF event. Apart from
 * the fast path so that the common case keeps no address-taken local (under
 * AddressSanitizer each one costs its stack redzones at every call).
 */
static __attribute__((noinline)) enum csvsm_sim_access_result
access_fault(struct sim_snp *m, unsigned int vmpl, uint64_t gpa, size_t len, unsigned int access)
{
	uint64_t fault_gpa = gpa;

	switch (sim_rmp_check(m->rmp, vmpl, gpa, len, access, &fault_gpa)) {
	case SIM_ACCESS_OK:
		return CSVSM_SIM_ACCESS_OK;
	case SIM_ACCESS_VC:
		m->stats.vc_events++;
		sim_snp_event(m, CSVSM_EV_VC, fault_gpa, access, 0, 0, 0, 0);
		return CSVSM_SIM_ACCESS_VC;
	default:
		m->stats.npf_events++;
		sim_snp_event(m, CSVSM_EV_NPF, fault_gpa, access, 0, 0, 0, 0);
		return CSVSM_SIM_ACCESS_NPF;
	}
}

enum csvsm_sim_access_result sim_snp_check_access(struct sim_snp *m, unsigned int vmpl,
                                                  uint64_t gpa, size_t len, unsigned int access)
{
	/* The RMP check is a function of its operands: the slow path finds the same fault. */
	if (likely(sim_rmp_check(m->rmp, vmpl, gpa, len, access, NULL) == SIM_ACCESS_OK))
		return CSVSM_SIM_ACCESS_OK;
	return access_fault(m, vmpl, gpa, len, access);
}

/* An instruction's fault outcome as an event and -CSVSM_EFAULT. */
static int rmp_outcome(struct sim_snp *m, int rc, uint64_t gpa)
{
	if (rc == SIM_RMP_NPF) {
		m->stats.npf_events++;
		sim_snp_event(m, CSVSM_EV_NPF, gpa, SIM_ACCESS_WRITE, 0, 0, 0, 0);
		return -CSVSM_EFAULT;
	}
	if (rc == SIM_RMP_VC) {
		m->stats.vc_events++;
		sim_snp_event(m, CSVSM_EV_VC, gpa, SIM_ACCESS_WRITE, 0, 0, 0, 0);
		return -CSVSM_EFAULT;
	}
	return rc;
}

int sim_snp_pvalidate(struct sim_snp *m, uint64_t gpa, enum rmp_page_size size, bool validate,
                      bool *unchanged)
{
	int rc;

	*unchanged = false;
	rc = sim_rmp_pvalidate(m->rmp, 0, gpa, size, validate, unchanged);
	sim_snp_event(m, CSVSM_EV_PVALIDATE, gpa, size, validate, (uint64_t)(int64_t)rc, *unchanged,
	              0);
	return rmp_outcome(m, rc, gpa);
}

int sim_snp_rmpadjust(struct sim_snp *m, uint64_t gpa, enum rmp_page_size size, uint64_t attrs)
{
	int rc = sim_rmp_rmpadjust(m->rmp, 0, gpa, size, attrs);

	sim_snp_event(m, CSVSM_EV_RMPADJUST, gpa, size, attrs, (uint64_t)(int64_t)rc, 0, 0);
	return rmp_outcome(m, rc, gpa);
}
