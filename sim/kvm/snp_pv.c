/* SPDX-License-Identifier: MIT */
/* The runner's side of the image's SNP services (snp_pv.h). */
#include "snp_pv.h"

#include <string.h>

#include "csvsm/abi/kvm_snp.h"
#include "csvsm/error.h"

/* The boot facts into a page of SVSM memory the image names. */
static int64_t boot_info(struct sim_snp *m, const struct plat_boot_info *launch, uint64_t gpa)
{
	void *dst;

	if (gpa % PAGE_SIZE || gpa < m->ram_size || gpa >= m->phys_limit)
		return -CSVSM_EINVAL;
	_Static_assert(sizeof(*launch) <= PAGE_SIZE, "boot info fits a page");
	dst = sim_snp_host(m, gpa, PAGE_SIZE);
	if (!dst)
		return -CSVSM_EINVAL;
	memcpy(dst, launch, sizeof(*launch));
	return 0;
}

int snp_pv_request(struct sim_snp *m, const struct plat_boot_info *launch, unsigned int vcpu,
                   uint32_t req, struct kvm_regs *r)
{
	bool unchanged = false;
	int64_t rc;

	switch (req) {
	case KVMSNP_REQ_BOOT_INFO:
		rc = boot_info(m, launch, r->rdi);
		break;
	case KVMSNP_REQ_VCPU_INDEX:
		rc = vcpu;
		break;
	case KVMSNP_REQ_PVALIDATE:
		if (r->rsi > RMP_PAGE_2M)
			rc = RMP_FAIL_INPUT;
		else
			rc = sim_snp_pvalidate(m, r->rdi, (enum rmp_page_size)r->rsi, r->rdx != 0,
			                       &unchanged);
		r->rsi = unchanged;
		break;
	case KVMSNP_REQ_RMPADJUST:
		rc = r->rsi > RMP_PAGE_2M
		         ? RMP_FAIL_INPUT
		         : sim_snp_rmpadjust(m, r->rdi, (enum rmp_page_size)r->rsi, r->rdx);
		break;
	case KVMSNP_REQ_ACCESS:
		if (r->rsi == 0 || r->rdi + r->rsi < r->rdi || (r->rdx & ~3ull) || !r->rdx)
			rc = CSVSM_SIM_ACCESS_NPF;
		else
			rc = sim_snp_check_access(m, 0, r->rdi, r->rsi, (unsigned int)r->rdx);
		break;
	default:
		return -1;
	}
	r->rax = (uint64_t)rc;
	return 0;
}
