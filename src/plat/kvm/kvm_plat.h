/* SPDX-License-Identifier: MIT */
/* Inside src/plat/kvm. */
#ifndef CSVSM_PLAT_KVM_PLAT_H
#define CSVSM_PLAT_KVM_PLAT_H

#include "csvsm/types.h"

/* True when the csvsm KVM runner (not QEMU) runs the image. */
bool kvm_on_runner(void);

/* Ends the VM with `code` through the exit port (csvsm/abi/kvm_runner.h). */
CSVSM_NORETURN void kvm_exit(uint32_t code);

/*
 * The NV device's boot information: `nvdev=` on the command line (spec as
 * for storage_open_spec; it must stay valid). plat_nv_device opens it.
 */
void kvm_nv_set_spec(const char *spec, size_t len);

/*
 * The runner's SNP machine (`csvsm-sim --target kvm`, csvsm/abi/kvm_snp.h):
 * kvm_snp_start introduces the image (KVMSNP_REQ_HELLO) and maps the
 * machine's guest physical space; from then on the SNP services are
 * requests to the runner. Returns 0, or -CSVSM_ENOTSUP when the runner has
 * no SNP machine (QEMU, plain `csvsm-sim kvm`), -CSVSM_ENOMEM when the
 * alias cannot be mapped. Boot vCPU only, after paging, before the heap.
 */
int kvm_snp_start(void) CSVSM_MUST_CHECK;
bool kvm_snp_active(void);
/* svsm_boot's result, for the runner's BOOT event (nothing without the machine). */
void kvm_snp_boot_done(int rc);
/* A vTPM command ran (vtpm_set_observer), for the runner's VTPM event. */
void kvm_snp_vtpm_event(uint32_t cc, size_t cmd_len, uint32_t rc, size_t rsp_len);

#endif
