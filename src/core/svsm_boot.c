/* SPDX-License-Identifier: MIT */
/*
 * SVSM boot on the boot vCPU: heap, launch facts, hypervisor checks, the
 * secrets page and the guest's copy of it, the boot vCPU.
 */
#include "csvsm/abi/ghcb.h"
#include "csvsm/abi/secrets.h"
#include "csvsm/attest.h"
#include "csvsm/boot.h"
#include "csvsm/error.h"
#include "csvsm/gpa.h"
#include "csvsm/guest_msg.h"
#include "csvsm/lib/string.h"
#include "csvsm/log.h"
#include "csvsm/mm.h"
#include "csvsm/plat/boot.h"
#include "csvsm/plat/ghcb.h"
#include "csvsm/plat/memory.h"
#include "csvsm/plat/vmpl.h"
#include "csvsm/svsm.h"
#include "csvsm/vcpu.h"
#include "csvsm/vtpm.h"

static struct plat_boot_info boot_info;

/* GHCB spec 56421 section 2.3: negotiate version 2; 58019: multi-VMPL support. */
static int boot_check_hypervisor(void)
{
	uint64_t info = plat_ghcb_msr_request(GHCB_MSR_SEV_INFO_REQ);
	uint64_t ft;

	if (GHCB_MSR_INFO(info) != GHCB_MSR_SEV_INFO_RESP ||
	    GHCB_SEV_INFO_MAX(info) < GHCB_PROTOCOL_VERSION ||
	    GHCB_SEV_INFO_MIN(info) > GHCB_PROTOCOL_VERSION) {
		log_printf("boot: hypervisor GHCB protocol range unusable (%#llx)\n",
		           (unsigned long long)info);
		return -CSVSM_ENOTSUP;
	}
	ft = plat_ghcb_msr_request(GHCB_MSR_HV_FT_REQ);
	if (GHCB_MSR_INFO(ft) != GHCB_MSR_HV_FT_RESP ||
	    (GHCB_MSR_DATA(ft) & GHCB_HV_FT_SVSM_REQUIRED) != GHCB_HV_FT_SVSM_REQUIRED) {
		log_printf("boot: hypervisor lacks SNP/AP-creation/multi-VMPL (%#llx)\n",
		           (unsigned long long)ft);
		return -CSVSM_ENOTSUP;
	}
	return 0;
}

static int boot_check_info(const struct plat_boot_info *bi)
{
	if (bi->guest_vmpl < 1 || bi->guest_vmpl > 3)
		return -CSVSM_EINVAL;
	if (bi->vcpu_count < 1 || bi->vcpu_count > PLAT_MAX_VCPUS)
		return -CSVSM_EINVAL;
	if (!IS_ALIGNED(bi->secrets_gpa | bi->guest_secrets_gpa | bi->boot_caa_gpa |
	                    bi->boot_vmsa_gpa,
	                PAGE_SIZE))
		return -CSVSM_EINVAL;
	if (!gpa_is_guest_ram(bi->guest_secrets_gpa, PAGE_SIZE) ||
	    !gpa_is_guest_ram(bi->boot_caa_gpa, PAGE_SIZE) ||
	    bi->guest_secrets_gpa == bi->boot_caa_gpa)
		return -CSVSM_EINVAL;
	return 0;
}

/*
 * Keeps VMPCK0 and gives the guest its copy of the secrets page: the VMPCKs
 * of VMPLs more privileged than the guest's zeroed, the SVSM fields filled
 * (abi 2.1, as COCONUT-SVSM and the Linux guest expect).
 */
static int boot_secrets(const struct plat_boot_info *bi)
{
	struct snp_secrets_page *page = kmalloc(sizeof(*page));
	int rc;

	if (!page)
		return -CSVSM_ENOMEM;
	rc = plat_guest_read(bi->secrets_gpa, page, sizeof(*page));
	if (rc == 0) {
		/* The SVSM's own key for guest messages (VMPCK0). */
		guest_msg_init(page->vmpck[0]);
		for (unsigned int i = 0; i < bi->guest_vmpl; i++)
			mem_set(page->vmpck[i], 0, SNP_VMPCK_SIZE);
		page->svsm_base = gpa_svsm_base();
		page->svsm_size = gpa_svsm_size();
		page->svsm_caa = bi->boot_caa_gpa;
		page->svsm_max_version = 1;
		page->svsm_guest_vmpl = bi->guest_vmpl;
		rc = plat_guest_write(bi->guest_secrets_gpa, page, sizeof(*page));
	}
	mem_set(page, 0, sizeof(*page));
	kfree(page);
	return rc;
}

static int boot_vcpu0(const struct plat_boot_info *bi)
{
	static const uint8_t zero_page[PAGE_SIZE];
	struct vcpu *v = kzalloc(sizeof(*v));
	struct vmsa_page *vmsa;
	uint8_t vmpl;

	if (!v)
		return -CSVSM_ENOMEM;
	vmsa = plat_vmsa_map(bi->boot_vmsa_gpa);
	if (!vmsa || VMSA_GET(vmsa, vmpl, &vmpl) < 0 || vmpl != bi->guest_vmpl ||
	    plat_guest_write(bi->boot_caa_gpa, zero_page, PAGE_SIZE) < 0) {
		if (vmsa)
			plat_vmsa_unmap(vmsa);
		kfree(v);
		return -CSVSM_EINVAL;
	}
	v->apic_id = bi->apic_ids[0];
	v->vmsa_gpa = bi->boot_vmsa_gpa;
	v->vmsa = vmsa;
	v->caa_gpa = bi->boot_caa_gpa;
	vcpu_lock();
	vcpu_install(0, v);
	vcpu_unlock();
	return 0;
}

int svsm_boot(void)
{
	struct plat_boot_info *bi = &boot_info;
	int rc;

	rc = svsm_boot_memory(NULL);
	if (rc < 0)
		return rc;
	vtpm_boot_forget();
	attest_boot_forget();
	rc = plat_boot_info(bi);
	if (rc < 0)
		return rc;
	rc = gpa_init(bi);
	if (rc == 0)
		rc = boot_check_info(bi);
	if (rc < 0) {
		log_printf("boot: the launch facts are inconsistent\n");
		return rc;
	}
	rc = boot_check_hypervisor();
	if (rc < 0)
		return rc;
	vcpu_table_init(bi);
	rc = boot_secrets(bi);
	if (rc < 0) {
		log_printf("boot: cannot prepare the guest's secrets page (%s)\n",
		           csvsm_strerror(rc));
		return rc;
	}
	rc = boot_vcpu0(bi);
	if (rc < 0)
		log_printf("boot: the boot vCPU's VMSA or CA is unusable\n");
	else
		(void)vtpm_boot(bi); /* optional service: a failure is logged, never fatal */
	return rc;
}
