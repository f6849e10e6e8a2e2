/* SPDX-License-Identifier: MIT */
/* Inside src/plat/snp. */
#ifndef CSVSM_PLAT_SNP_PLAT_H
#define CSVSM_PLAT_SNP_PLAT_H

#include "csvsm/types.h"

struct plat_boot_info;
struct x86_boot;

/* True once the early checks found an SEV-SNP guest. */
bool snp_is_active(void);

/*
 * The launch facts from the command line (snp.secrets=GPA snp.caa=GPA
 * snp.vmsa=GPA snp.guest_vmpl=N, hexadecimal with 0x) and the PVH memory
 * map, as the SNP launch hands them over until an IGVM loader does.
 */
int snp_launch_facts(const struct x86_boot *boot, struct plat_boot_info *out) CSVSM_MUST_CHECK;

#endif
