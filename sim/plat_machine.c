/* SPDX-License-Identifier: MIT */
/*
 * The platform interface backed by the simulated machine: launch facts,
 * VMPL0 guest-memory access through the RMP, PVALIDATE/RMPADJUST, VMSA
 * mapping, run-VMPL switches and GHCB MSR requests.
 */
#include <string.h>

#include "csvsm/abi/ghcb.h"
#include "csvsm/error.h"
#include "csvsm/fault.h"
#include "csvsm/plat/boot.h"
#include "csvsm/plat/ghcb.h"
#include "csvsm/plat/memory.h"
#include "csvsm/plat/rmp.h"
#include "csvsm/plat/vmpl.h"
#include "machine.h"

int plat_boot_info(struct plat_boot_info *out)
{
	struct csvsm_sim *sim = sim_machine;

	if (!sim)
		return -CSVSM_EIO;
	memset(out, 0, sizeof(*out));
	out->ram[0].base = sim->layout.ram_base;
	out->ram[0].size = sim->layout.ram_size;
	out->ram_count = 1;
	out->svsm_base = sim->layout.svsm_base;
	out->svsm_size = sim->layout.svsm_size;
	out->secrets_gpa = sim->layout.svsm_base + SIM_SVSM_PSP_SECRETS;
	out->guest_secrets_gpa = sim->layout.secrets_gpa;
	out->boot_caa_gpa = sim->layout.boot_caa_gpa;
	out->boot_vmsa_gpa = sim->layout.boot_vmsa_gpa;
	out->guest_vmpl = sim->cfg.guest_vmpl;
	out->vcpu_count = sim->cfg.vcpu_count;
	for (unsigned int i = 0; i < sim->cfg.vcpu_count; i++)
		out->apic_ids[i] = i;
	return 0;
}

/* A VMPL0 access to guest memory: the RMP must allow it (validated). */
static void *svsm_access(uint64_t gpa, size_t len, unsigned int access)
{
	struct csvsm_sim *sim = sim_machine;

	if (!sim || fault_should_fail(FAULT_SITE_PLAT) ||
	    sim_snp_check_access(&sim->snp, 0, gpa, len, access) != CSVSM_SIM_ACCESS_OK)
		return NULL;
	return sim_gpa_host(sim, gpa, len);
}

static void after_svsm_read(uint64_t gpa, size_t len)
{
	struct csvsm_sim *sim = sim_machine;

	sim->snp.svsm_reads++;
	if (sim->snp.policy.on_svsm_read)
		sim->snp.policy.on_svsm_read(sim->snp.policy.ctx, sim, gpa, len,
		                             sim->snp.svsm_reads);
}

int plat_guest_read(gpa_t gpa, void *dst, size_t len)
{
	void *src = svsm_access(gpa, len, SIM_ACCESS_READ);

	if (!src)
		return -CSVSM_EFAULT;
	memcpy(dst, src, len);
	after_svsm_read(gpa, len);
	return 0;
}

int plat_guest_write(gpa_t gpa, const void *src, size_t len)
{
	void *dst = svsm_access(gpa, len, SIM_ACCESS_WRITE);

	if (!dst)
		return -CSVSM_EFAULT;
	memcpy(dst, src, len);
	return 0;
}

int plat_guest_xchg8(gpa_t gpa, uint8_t val, uint8_t *old)
{
	uint8_t *p = svsm_access(gpa, 1, SIM_ACCESS_READ | SIM_ACCESS_WRITE);

	if (!p)
		return -CSVSM_EFAULT;
	*old = __atomic_exchange_n(p, val, __ATOMIC_SEQ_CST);
	after_svsm_read(gpa, 1);
	return 0;
}

void *plat_vmsa_map(gpa_t gpa)
{
	if (gpa & (PAGE_SIZE - 1))
		return NULL;
	return svsm_access(gpa, PAGE_SIZE, SIM_ACCESS_READ | SIM_ACCESS_WRITE);
}

void plat_vmsa_unmap(void *vmsa)
{
	(void)vmsa; /* The simulator maps all memory all the time. */
}

int plat_pvalidate(gpa_t gpa, enum rmp_page_size size, bool validate, bool *unchanged)
{
	return sim_snp_pvalidate(&sim_machine->snp, gpa, size, validate, unchanged);
}

int plat_rmpadjust(gpa_t gpa, enum rmp_page_size size, uint64_t attrs)
{
	return sim_snp_rmpadjust(&sim_machine->snp, gpa, size, attrs);
}

unsigned int plat_vcpu_index(void)
{
	return sim_machine->current_vcpu;
}

int plat_run_guest(unsigned int vmpl)
{
	struct csvsm_sim *sim = sim_machine;

	if (sim_hv_run_vmpl(&sim->snp, 0, vmpl) < 0)
		return -CSVSM_EIO;
	sim_enter_guest(sim);
	return 0;
}

uint64_t plat_ghcb_msr_request(uint64_t request)
{
	return sim_hv_svsm_msr(&sim_machine->snp, request);
}
