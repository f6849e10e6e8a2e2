/* SPDX-License-Identifier: MIT */
/* Inside src/plat/kvm. */
#ifndef CSVSM_PLAT_KVM_PLAT_H
#define CSVSM_PLAT_KVM_PLAT_H

#include "csvsm/abi/kvm_snp.h"
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
/* The runner's shared page (csvsm/abi/kvm_snp.h) once kvm_snp_start succeeded, else NULL. */
const struct kvmsnp_shared *kvm_snp_shared(void);
/*
 * One operation on the runner's host-memory NV device (KVMSNP_REQ_NV;
 * `buf` in the image's identity-mapped memory). Returns 0 or -csvsm error.
 */
int kvm_snp_nv_io(enum kvmsnp_nv_op op, uint64_t off, const void *buf, size_t len);
/*
 * DMA memory of the runner's machine (KVMSNP_REQ_DMA_ALLOC/FREE), when the
 * shared page has a DMA window: the bus address (identity-mapped), or 0
 * when there is none or it is exhausted.
 */
uint64_t kvm_snp_dma_alloc(size_t size);
void kvm_snp_dma_free(uint64_t pa, size_t size);
/* The next `len` (1..4096) bytes of the machine's seeded stream (KVMSNP_REQ_RAND). */
int kvm_snp_rand(void *buf, size_t len);
/* A vTPM command ran (vtpm_set_observer), for the runner's VTPM event. */
void kvm_snp_vtpm_event(uint32_t cc, size_t cmd_len, uint32_t rc, size_t rsp_len);

/* The number of vCPUs the runner created (CPUID 0x40000010 EBX); 1 off the runner. */
unsigned int kvm_runner_vcpus(void);

/*
 * Asks the runner to start vCPU n at x86_ap_entry64 (KVMRUN_PORT_START_AP;
 * boot vCPU only). Returns 0 (started) or 1 (refused: the runner says why).
 */
uint32_t kvm_start_ap(unsigned int n);

/*
 * `smptest` (smptest_kvm.c): starts every AP and hammers the core's shared
 * structures from all vCPUs for `seconds`, then checks the invariants.
 * Boot vCPU; true when they held.
 */
bool kvm_smptest_run(uint64_t seconds);
/* True once kvm_smptest_run started the APs: they belong to the test. */
bool kvm_smptest_active(void);
/* An AP's part of the test; returns only when no test runs. */
void kvm_smptest_ap(unsigned int n);

#endif
