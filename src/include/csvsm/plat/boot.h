/* SPDX-License-Identifier: MIT */
/*
 * Platform interface: what the launch left for the SVSM. On SNP the IGVM
 * parameters (or firmware metadata) provide these facts; in the simulator
 * its configured layout does.
 */
#ifndef CSVSM_PLAT_BOOT_H
#define CSVSM_PLAT_BOOT_H

#include "csvsm/types.h"

#define PLAT_MAX_MEM_RANGES 8
#define PLAT_MAX_VCPUS      64

struct plat_mem_range {
	gpa_t base;    /* 4 KiB aligned */
	uint64_t size; /* multiple of 4 KiB, non-zero */
};

struct plat_boot_info {
	/* Guest RAM: where the guest may ask for pages (sorted, disjoint). */
	struct plat_mem_range ram[PLAT_MAX_MEM_RANGES];
	uint32_t ram_count;
	/* The SVSM's own memory (never usable by the guest). */
	gpa_t svsm_base;
	uint64_t svsm_size;
	/* The secrets page from the PSP (SVSM-private, holds all VMPCKs). */
	gpa_t secrets_gpa;
	/* Where the guest expects its copy of the secrets page (guest RAM). */
	gpa_t guest_secrets_gpa;
	/* The boot vCPU's Calling Area and guest VMSA (launched by the platform). */
	gpa_t boot_caa_gpa;
	gpa_t boot_vmsa_gpa;
	/* The VMPL the guest OS runs at (2 unless configured otherwise). */
	uint8_t guest_vmpl;
	/* vCPUs: APIC IDs, index 0 is the boot vCPU. */
	uint32_t vcpu_count;
	uint32_t apic_ids[PLAT_MAX_VCPUS];
	/*
	 * Developer option of the launch (part of the measured configuration,
	 * never the hypervisor's word): true leaves the vTPM's platform
	 * hierarchy to the guest (empty platformAuth, as on a bare TPM
	 * simulator) instead of the SVSM keeping it. false (the default) is
	 * what firmware does on a physical machine.
	 */
	bool vtpm_platform_auth_empty;
};

/*
 * Fills `out` with the launch facts. Called once at boot. Returns 0, or
 * -CSVSM_EIO when the platform has none. The core still checks every field
 * (alignment, overlap, counts) before it relies on it.
 */
int plat_boot_info(struct plat_boot_info *out) CSVSM_MUST_CHECK;

#endif
