/* SPDX-License-Identifier: MIT */
/*
 * The guest context on KVM: a KVM VM whose memory slots hold only what the
 * guest VMPL may ever see (guest RAM, not SVSM memory), running the guest
 * program (guest/, csvsm/abi/kvm_snp.h) on one KVM vCPU. The KVM runner
 * pairs it with the SVSM's context; tests drive it alone with a stand-in
 * for the SVSM.
 *
 * Isolation: a guest access outside the memory slots (SVSM memory) is an
 * MMIO exit, which guest_vm reports as #NPF in the current action and
 * resumes the program at its next action: KVM enforces it, whatever the
 * guest code. Finer RMP states inside guest RAM (not validated, a VMSA, no
 * permission for the guest VMPL) are the runner's to check in software
 * before it hands the program an access (docs/kvm-snp.md).
 */
#ifndef CSVSM_SIM_KVM_GUEST_VM_H
#define CSVSM_SIM_KVM_GUEST_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

#include "csvsm/abi/kvm_snp.h"

/* One vCPU of the guest program. Used by one host thread at a time. */
struct guest_vm_cpu {
	int fd;
	struct kvm_run *run;
	struct kvmg_mailbox *mb; /* its mailbox, in guest memory */
	uint64_t exits;          /* KVM_RUN returns to user space */
	uint64_t vmgexits;       /* of which VMGEXITs */
};

struct guest_vm {
	int kvm_fd, vm_fd;
	size_t run_size;
	uint8_t *mem;      /* host mapping of GPA [0, mem_size): not owned */
	uint64_t mem_size; /* the guest's memory slot */
	uint64_t entry;
	bool sync_regs; /* KVM_CAP_SYNC_REGS: registers come with each exit */
	unsigned int nvcpus;
	struct guest_vm_cpu cpu[KVMG_MAX_VCPUS];
};

/*
 * The VMGEXIT handler: `regs` holds the registers of vCPU `vcpu` at the
 * VMGEXIT (RBX = the GHCB MSR value); the handler changes them as the
 * hypervisor and the SVSM would (RBX = the response). Returns 0 to go on,
 * < 0 to stop the batch (guest_vm_run returns that value).
 */
typedef int (*guest_vm_vmgexit_fn)(void *ctx, struct guest_vm *g, unsigned int vcpu,
                                   struct kvm_regs *regs);

/* True when /dev/kvm can be opened (else the KVM tests skip). */
int guest_vm_kvm_available(void);

/*
 * Builds the VM over `mem` ([0, mem_size), 2 MiB multiple, at least 2 MiB),
 * with `nvcpus` (1..KVMG_MAX_VCPUS) vCPUs, loads the guest program from the
 * ELF file `elf_path`, builds its page tables and runs every vCPU to its
 * first "done" exit. Returns 0, or -1 with a message in `err`.
 */
int guest_vm_open(struct guest_vm *g, uint8_t *mem, uint64_t mem_size, unsigned int nvcpus,
                  const char *elf_path, char *err, size_t err_len);

/*
 * Runs the batch the caller wrote into vCPU `vcpu`'s mailbox (count,
 * actions, data) to the program's "done" exit, calling `fn` at each
 * VMGEXIT. A guest access outside the memory slot marks the current action
 * KVMG_ST_FAULT with fault_gpa and fault_kind = CSVSM_SIM_ACCESS_NPF.
 * Returns 0, the handler's negative value, or -1 when the guest died
 * (shutdown, unexpected exit). Different vCPUs may run on different threads.
 */
int guest_vm_run(struct guest_vm *g, unsigned int vcpu, guest_vm_vmgexit_fn fn, void *ctx);

/* Releases the VM (not the memory). */
void guest_vm_close(struct guest_vm *g);

#endif
