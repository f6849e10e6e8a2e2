/* SPDX-License-Identifier: MIT */
/*
 * Checks of guest-supplied physical addresses (rule 2: trust nothing from
 * outside VMPL0). Every GPA the guest hands to a protocol goes through here
 * before it is used.
 */
#ifndef CSVSM_GPA_H
#define CSVSM_GPA_H

#include "csvsm/plat/boot.h"
#include "csvsm/types.h"

/* Records guest RAM and SVSM memory from the launch facts (validated). */
int gpa_init(const struct plat_boot_info *info) CSVSM_MUST_CHECK;

/*
 * True when [gpa, gpa + len) is non-empty, does not wrap, lies inside one
 * guest RAM range and does not touch SVSM memory. Says nothing about the
 * RMP state of the pages, nor about VMSAs and CAs (see vcpu.h).
 */
bool gpa_is_guest_ram(gpa_t gpa, uint64_t len);

/* True when [gpa, gpa + len) overlaps SVSM memory (wrap-safe). */
bool gpa_overlaps_svsm(gpa_t gpa, uint64_t len);

/* The SVSM memory range, for the guest's secrets page. */
gpa_t gpa_svsm_base(void);
uint64_t gpa_svsm_size(void);

#endif
