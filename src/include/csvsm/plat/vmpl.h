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
 * Every access of the core to a mapped VMSA goes through these two, because
 * the hypervisor can take the page away at any time (RMPUPDATE), and on SNP
 * VMPL0's next access to it then faults: #NPF when the page is no longer
 * assigned to the guest at that GPA, #VC 0x404 when it is assigned again
 * but not validated (it is another page now, whatever it contains).
 *
 * plat_vmsa_read copies `len` bytes at offset `off` of the VMSA mapped at
 * `vmsa` (by plat_vmsa_map) into `dst`; plat_vmsa_write copies `src` there.
 * Each returns 0, or -CSVSM_EFAULT when the access faulted as above: `dst`
 * is then unspecified, nothing (read) or a prefix (write) was written, and
 * the caller must take the vCPU as lost to the hypervisor: no register read
 * from it may be acted on, nothing it asked may be answered through it.
 * off + len <= PAGE_SIZE (else -CSVSM_EFAULT).
 */
int plat_vmsa_read(const void *vmsa, size_t off, void *dst, size_t len) CSVSM_MUST_CHECK;
int plat_vmsa_write(void *vmsa, size_t off, const void *src, size_t len) CSVSM_MUST_CHECK;

/* One field of a mapped VMSA, by name: plat_vmsa_read/write of exactly that field. */
#define VMSA_GET(vmsa, field, dst)                                                                 \
	plat_vmsa_read(                                                                            \
	    (vmsa), __builtin_offsetof(struct vmsa_page, field), (dst),                            \
	    sizeof(((struct vmsa_page *)0)->field) +                                               \
	        0 * sizeof(                                                                        \
	                char[sizeof(*(dst)) == sizeof(((struct vmsa_page *)0)->field) ? 1 : -1]))
#define VMSA_PUT(vmsa, field, src)                                                                 \
	plat_vmsa_write(                                                                           \
	    (vmsa), __builtin_offsetof(struct vmsa_page, field), (src),                            \
	    sizeof(((struct vmsa_page *)0)->field) +                                               \
	        0 * sizeof(                                                                        \
	                char[sizeof(*(src)) == sizeof(((struct vmsa_page *)0)->field) ? 1 : -1]))

/*
 * Atomically exchanges the byte at guest address `gpa` with `val` (the
 * Calling Area's call_pending flag, which another vCPU's guest may write
 * concurrently). Returns the old value in *old and 0, or -CSVSM_EFAULT as
 * plat_guest_read.
 */
int plat_guest_xchg8(gpa_t gpa, uint8_t val, uint8_t *old) CSVSM_MUST_CHECK;

#endif
