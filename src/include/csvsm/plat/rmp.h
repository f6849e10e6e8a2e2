/* SPDX-License-Identifier: MIT */
/*
 * Platform interface: the SEV-SNP instructions that change the RMP from
 * inside the guest, PVALIDATE and RMPADJUST (AMD APM vol. 3, "PVALIDATE"
 * and "RMPADJUST"; semantics summarised in shared/reference/svsm-abi.md
 * section 4). The core executes them at VMPL0.
 *
 * Both take a guest physical address: the platform maps it as needed (bare
 * metal: the SVSM's own mapping of that GPA; simulator: the RMP model).
 */
#ifndef CSVSM_PLAT_RMP_H
#define CSVSM_PLAT_RMP_H

#include "csvsm/types.h"

/* Hardware result codes in EAX (APM vol. 3). */
#define RMP_SUCCESS           0
#define RMP_FAIL_INPUT        1
#define RMP_FAIL_PERMISSION   2
#define RMP_FAIL_SIZEMISMATCH 6

/* Page sizes as encoded in ECX. */
enum rmp_page_size {
	RMP_PAGE_4K = 0,
	RMP_PAGE_2M = 1,
};

/* RMPADJUST attributes (RDX): target VMPL in 7:0, permissions, VMSA bit. */
#define RMPADJUST_TARGET_VMPL(v) ((uint64_t)(v)&0xff)
#define RMPADJUST_PERM_READ      ((uint64_t)1 << 8)
#define RMPADJUST_PERM_WRITE     ((uint64_t)1 << 9)
#define RMPADJUST_PERM_EXEC_USER ((uint64_t)1 << 10)
#define RMPADJUST_PERM_EXEC_SUPV ((uint64_t)1 << 11)
#define RMPADJUST_PERM_RWX       ((uint64_t)0xf << 8)
#define RMPADJUST_VMSA           ((uint64_t)1 << 16)

/* Permission mask bits as stored per VMPL in an RMP entry. */
#define RMP_PERM_READ      0x1
#define RMP_PERM_WRITE     0x2
#define RMP_PERM_EXEC_USER 0x4
#define RMP_PERM_EXEC_SUPV 0x8
#define RMP_PERM_ALL       0xf

/*
 * PVALIDATE: sets (validate = true) or clears the Validated bit of the page
 * at `gpa` of size `size`. Returns:
 *   RMP_SUCCESS, with *unchanged = true when the bit already had the
 *     requested value (rFLAGS.CF = 1: the RMP was not updated);
 *   RMP_FAIL_INPUT for a misaligned address or bad size;
 *   RMP_FAIL_SIZEMISMATCH when the RMP entry's page size differs;
 *   -CSVSM_EFAULT when the access faulted (#NPF: the page is not assigned to
 *     this guest at that GPA, or not guest memory at all). The hardware would
 *     exit to the hypervisor here; the platform reports it instead.
 */
int plat_pvalidate(gpa_t gpa, enum rmp_page_size size, bool validate,
                   bool *unchanged) CSVSM_MUST_CHECK;

/*
 * RMPADJUST: sets the permissions of the VMPL named in `attrs` for the page
 * at `gpa` to the mask in `attrs`, and its VMSA bit. Returns RMP_SUCCESS,
 * RMP_FAIL_INPUT (misaligned, bad size, reserved attribute bits),
 * RMP_FAIL_PERMISSION (target VMPL not numerically above the caller's, or
 * permissions beyond the caller's own), RMP_FAIL_SIZEMISMATCH, or
 * -CSVSM_EFAULT when the access faulted (#NPF: not assigned; #VC 0x404:
 * not validated).
 */
int plat_rmpadjust(gpa_t gpa, enum rmp_page_size size, uint64_t attrs) CSVSM_MUST_CHECK;

#endif
