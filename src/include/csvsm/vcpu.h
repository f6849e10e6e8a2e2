/* SPDX-License-Identifier: MIT */
/*
 * The vCPU table: for each vCPU of the machine (by APIC ID), the guest VMSA
 * the SVSM accepted and the Calling Area it serves.
 */
#ifndef CSVSM_VCPU_H
#define CSVSM_VCPU_H

#include "csvsm/abi/vmsa.h"
#include "csvsm/plat/boot.h"
#include "csvsm/types.h"

struct vcpu {
	uint32_t apic_id;
	gpa_t vmsa_gpa;
	struct vmsa_page *vmsa; /* mapped; the guest cannot write it */
	gpa_t caa_gpa;
};

/* Empties the table and records the machine's vCPUs. */
void vcpu_table_init(const struct plat_boot_info *info);

/* The number of vCPUs of the machine. */
unsigned int vcpu_count(void);

/* Index (0..count-1) of `apic_id`, or -1 when no vCPU has it. */
int vcpu_index_of_apic(uint32_t apic_id);

/* The registered guest vCPU at `index`, or NULL when it has none. */
struct vcpu *vcpu_at(unsigned int index);

/* The registered vCPU whose guest VMSA is at `gpa`, or NULL. */
struct vcpu *vcpu_by_vmsa(gpa_t gpa);

/* True when [gpa, gpa + len) overlaps any registered VMSA page. */
bool vcpu_overlaps_vmsa(gpa_t gpa, uint64_t len);

/* The registered vCPU (other than `except`) whose CA is the page at `gpa`, or NULL. */
struct vcpu *vcpu_by_caa(gpa_t gpa, const struct vcpu *except);

/*
 * Enters `v` (allocated by the caller with kzalloc, fields set) at table
 * index `index`, which must be empty. Cannot fail: the caller checked.
 */
void vcpu_install(unsigned int index, struct vcpu *v);

/* Removes the vCPU at `index` from the table and returns it (NULL if none). */
struct vcpu *vcpu_remove(unsigned int index);

/*
 * Sets (on) or clears EFER.SVME in v's VMSA: whether the hypervisor may run
 * it (VMRUN checks the bit). Returns false, changing nothing, when the VMSA
 * access faulted (plat_vmsa_read: the hypervisor took the page away, so
 * the vCPU is lost and must not be served).
 */
bool vcpu_set_runnable(struct vcpu *v, bool on);

/* Guest VMPL of this machine (from the launch facts). */
uint8_t vcpu_guest_vmpl(void);

#endif
