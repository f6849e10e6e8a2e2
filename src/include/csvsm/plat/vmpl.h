/* SPDX-License-Identifier: MIT */
/*
 * Platform interface: vCPUs, VMSAs and VMPL switches.
 *
 * The core runs one request loop per vCPU, at VMPL0. It enters the guest
 * with plat_run_guest and continues when the guest (or the hypervisor)
 * resumes VMPL0 on that vCPU (SVSM spec 58019, "calling convention"; GHCB
 * spec 56421, MSR protocol 0x016/0x017 "SNP run VMPL").
 */
#ifndef CSVSM_PLAT_VMPL_H
#define CSVSM_PLAT_VMPL_H

#include "csvsm/types.h"

/* The index (0 = boot vCPU, ...) of the vCPU executing the caller. */
unsigned int plat_vcpu_index(void);

/*
 * Asks the hypervisor to run VMPL `vmpl` on this vCPU (GHCB MSR request
 * 0x016 with the target VMPL, then VMGEXIT) and returns when VMPL0 runs
 * again. Returns 0 when the hypervisor answered 0x017 with a zero result,
 * or -CSVSM_EIO when it refused (the caller then decides; it must not trust
 * any guest state to have changed). Which VMSA runs is the hypervisor's
 * record for this vCPU and VMPL; the core reads why the guest exited from
 * that VMSA's guest_exit_code.
 */
int plat_run_guest(unsigned int vmpl) CSVSM_MUST_CHECK;

/*
 * Maps the VMSA page at `gpa` into SVSM memory and returns its address, or
 * NULL when `gpa` is not a page the SVSM may map (not guest memory or not
 * validated). The mapping stays until plat_vmsa_unmap. The caller has
 * checked alignment and that the page is not SVSM memory.
 */
void *plat_vmsa_map(gpa_t gpa) CSVSM_MUST_CHECK;

/* Ends a mapping made by plat_vmsa_map. */
void plat_vmsa_unmap(void *vmsa);

/*
 * Atomically exchanges the byte at guest address `gpa` with `val` (the
 * Calling Area's call_pending flag, which another vCPU's guest may write
 * concurrently). Returns the old value in *old and 0, or -CSVSM_EFAULT as
 * plat_guest_read.
 */
int plat_guest_xchg8(gpa_t gpa, uint8_t val, uint8_t *old) CSVSM_MUST_CHECK;

#endif
