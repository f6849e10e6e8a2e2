/* SPDX-License-Identifier: MIT */
#include "csvsm/vcpu.h"
#include "csvsm/plat/vmpl.h"

static struct vcpu *vcpu_table[PLAT_MAX_VCPUS];
static uint32_t vcpu_apic_ids[PLAT_MAX_VCPUS];
static unsigned int vcpu_total;
static uint8_t guest_vmpl;

void vcpu_table_init(const struct plat_boot_info *info)
{
	vcpu_total = info->vcpu_count <= PLAT_MAX_VCPUS ? info->vcpu_count : PLAT_MAX_VCPUS;
	for (unsigned int i = 0; i < PLAT_MAX_VCPUS; i++) {
		vcpu_table[i] = NULL;
		vcpu_apic_ids[i] = i < vcpu_total ? info->apic_ids[i] : 0;
	}
	guest_vmpl = info->guest_vmpl;
}

unsigned int vcpu_count(void)
{
	return vcpu_total;
}

uint8_t vcpu_guest_vmpl(void)
{
	return guest_vmpl;
}

int vcpu_index_of_apic(uint32_t apic_id)
{
	for (unsigned int i = 0; i < vcpu_total; i++)
		if (vcpu_apic_ids[i] == apic_id)
			return (int)i;
	return -1;
}

struct vcpu *vcpu_at(unsigned int index)
{
	return index < vcpu_total ? vcpu_table[index] : NULL;
}

struct vcpu *vcpu_by_vmsa(gpa_t gpa)
{
	for (unsigned int i = 0; i < vcpu_total; i++)
		if (vcpu_table[i] && vcpu_table[i]->vmsa_gpa == gpa)
			return vcpu_table[i];
	return NULL;
}

bool vcpu_overlaps_vmsa(gpa_t gpa, uint64_t len)
{
	for (unsigned int i = 0; i < vcpu_total; i++) {
		const struct vcpu *v = vcpu_table[i];

		if (v && v->vmsa_gpa < gpa + len && gpa < v->vmsa_gpa + PAGE_SIZE)
			return true;
	}
	return false;
}

struct vcpu *vcpu_by_caa(gpa_t gpa, const struct vcpu *except)
{
	for (unsigned int i = 0; i < vcpu_total; i++) {
		struct vcpu *v = vcpu_table[i];

		if (v && v != except && v->caa_gpa == gpa)
			return v;
	}
	return NULL;
}

void vcpu_install(unsigned int index, struct vcpu *v)
{
	vcpu_table[index] = v;
}

struct vcpu *vcpu_remove(unsigned int index)
{
	struct vcpu *v = vcpu_at(index);

	if (v)
		vcpu_table[index] = NULL;
	return v;
}

bool vcpu_set_runnable(struct vcpu *v, bool on)
{
	uint64_t efer;

	if (VMSA_GET(v->vmsa, efer, &efer) < 0)
		return false;
	efer = on ? efer | EFER_SVME : efer & ~EFER_SVME;
	return VMSA_PUT(v->vmsa, efer, &efer) == 0;
}
