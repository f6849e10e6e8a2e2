/* SPDX-License-Identifier: MIT */
/*
 * The guest's side of the harness API on KVM (cfg.kvm_guest; machine.h):
 * the guest program (guest/) makes the calls, memory accesses and GHCB MSR
 * requests in a KVM VM whose memory slot is guest RAM (SVSM memory is not
 * mapped: KVM stops any access to it). The SVSM runs in this process on the
 * shim; at the program's VMGEXIT its registers go into the guest VMSA (the
 * source of truth, as on SNP), VMPL0 runs, and the VMSA's registers come
 * back. Every event is the one csvsm_sim_call & co. record in-process, in
 * the same order (docs/kvm-snp.md lists where the two differ physically).
 *
 * The RMP states inside guest RAM are checked in software before an access
 * is handed to the program (csvsm_sim_guest_access, the shim's own check);
 * KVM cannot see them. Calls may be made from several host threads at once
 * (one vCPU each) once sim_set_threaded is on: every step on the model is
 * under the machine mutex, the KVM vCPUs run without it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvsm/abi/ghcb.h"
#include "csvsm/abi/svsm.h"
#include "csvsm/abi/vmsa.h"
#include "guest_vm.h"
#include "machine.h"

struct sim_kvm_guest {
	struct guest_vm vm;
	uint64_t lost_calls[KVMG_MAX_VCPUS]; /* threaded: calls lost to a VMSA taken meanwhile */
};

/* Low guest RAM the program occupies; the shim's layout never uses it. */
_Static_assert(KVMG_LOW_END <= SIM_GUEST_SECRETS_GPA, "the guest program fits below the secrets");

int sim_kvm_guest_attach(struct csvsm_sim *sim, const char *elf_path)
{
	struct sim_kvm_guest *k;
	char err[256];

	if (!guest_vm_kvm_available()) {
		fprintf(stderr,
		        "csvsm-sim: the KVM guest needs /dev/kvm, which cannot be opened\n");
		return -1;
	}
	if (sim->cfg.vcpu_count > KVMG_MAX_VCPUS) {
		fprintf(stderr, "csvsm-sim: the KVM guest program runs at most %u vCPUs\n",
		        KVMG_MAX_VCPUS);
		return -1;
	}
	k = calloc(1, sizeof(*k));
	if (!k)
		return -1;
	if (guest_vm_open(&k->vm, sim->mem, sim->layout.ram_size, sim->cfg.vcpu_count, elf_path,
	                  err, sizeof(err)) < 0) {
		fprintf(stderr, "csvsm-sim: KVM guest: %s\n", err);
		free(k);
		return -1;
	}
	sim->kvm = k;
	return 0;
}

void sim_kvm_guest_detach(struct csvsm_sim *sim)
{
	if (!sim->kvm)
		return;
	guest_vm_close(&sim->kvm->vm);
	free(sim->kvm);
	sim->kvm = NULL;
}

/* One action on `vcpu` as a batch of its own; returns guest_vm_run's result. */
static int run_one(struct csvsm_sim *sim, unsigned int vcpu, const struct kvmg_action *a,
                   guest_vm_vmgexit_fn fn, void *ctx)
{
	struct kvmg_mailbox *mb = sim->kvm->vm.cpu[vcpu].mb;
	int rc;

	mb->act[0] = *a;
	mb->count = 1;
	rc = guest_vm_run(&sim->kvm->vm, vcpu, fn, ctx);
	if (rc < 0)
		fprintf(stderr, "csvsm-sim: the KVM guest program stopped on vCPU %u\n", vcpu);
	return rc;
}

struct call_ctx {
	struct csvsm_sim *sim;
	struct vmsa_page *vmsa;
	bool refused;
	bool lost;          /* threaded: another vCPU deleted or re-created this VMSA meanwhile */
	uint64_t creations; /* the vCPU's AP creations when the call started */
};

/* The guest program's VMGEXIT with RUN_VMPL(0): the hypervisor, then the SVSM. */
static int call_vmgexit(void *opaque, struct guest_vm *g, unsigned int vcpu, struct kvm_regs *r)
{
	struct call_ctx *c = opaque;
	struct csvsm_sim *sim = c->sim;
	struct vmsa_page *vmsa = c->vmsa;

	(void)g;
	if (r->rbx != GHCB_MSR_RUN_VMPL(0))
		return -1; /* the program makes no other request in a call */
	sim_machine_lock();
	/* The guest's registers into its VMSA: the SVSM reads them there. */
	vmsa->rax = r->rax;
	vmsa->rbx = r->rbx;
	vmsa->rcx = r->rcx;
	vmsa->rdx = r->rdx;
	vmsa->r8 = r->r8;
	vmsa->r9 = r->r9;
	vmsa->rip = r->rip;
	if (sim_hv_run_vmpl(&sim->snp, sim->cfg.guest_vmpl, 0) < 0) {
		c->refused = true;
		r->rbx = GHCB_MSR_RUN_VMPL_RESP | (1ull << 32); /* a non-zero error */
		sim_machine_unlock();
		return 0;
	}
	vmsa->guest_exit_code = VMEXIT_VMGEXIT;
	sim->snp.stats.calls++;
	if (sim_threaded()) {
		/* Host threads as vCPUs: VMPL0 runs without the lock (image_ops.c takes it). */
		sim->current_vcpu = vcpu;
		sim->snp.stats.vmpl_switches++;
		sim_trace(sim, CSVSM_EV_VMPL_SWITCH, sim->cfg.guest_vmpl, 0, 0, 0, 0, 0);
		sim_machine_unlock();
		sim_kvm_image_run(sim, vcpu);
		sim_machine_lock();
		sim->running_vmpl = sim->cfg.guest_vmpl;
		/*
		 * Another vCPU's DELETE_VCPU took this VMSA while VMPL0 ran
		 * (before the call took its reference), or a CREATE_VCPU
		 * replaced it (maybe with the same page, rewritten): as on
		 * SNP, this vCPU's state is gone; its registers are not
		 * results. The program ends its action with them unchanged;
		 * the call is lost.
		 */
		if (sim_hv_runnable_vmsa(&sim->snp, vcpu) != vmsa ||
		    sim->snp.vcpus[vcpu].creations != c->creations) {
			c->lost = true;
			sim->kvm->lost_calls[vcpu]++;
			r->rbx = GHCB_MSR_RUN_VMPL_RESP;
			sim_machine_unlock();
			return 0;
		}
	} else {
		sim_enter_vmpl0(sim, vcpu);
	}
	/* Back at the guest VMPL: its registers are what the VMSA now holds. */
	r->rax = vmsa->rax;
	r->rcx = vmsa->rcx;
	r->rdx = vmsa->rdx;
	r->r8 = vmsa->r8;
	r->r9 = vmsa->r9;
	r->rbx = GHCB_MSR_RUN_VMPL_RESP;
	sim_machine_unlock();
	return 0;
}

int sim_kvm_guest_call(struct csvsm_sim *sim, unsigned int vcpu, struct csvsm_regs *io)
{
	struct csvsm_regs in = *io;
	struct call_ctx c = {.sim = sim};
	struct kvmg_action a = {.op = KVMG_OP_CALL};
	const struct kvmg_action *res;
	uint64_t caa;

	io->serviced = false;
	sim_machine_lock(); /* threaded: the model's steps; KVM runs without it */
	if (sim->snp.terminated || vcpu >= sim->cfg.vcpu_count ||
	    !(c.vmsa = sim_hv_runnable_vmsa(&sim->snp, vcpu))) {
		sim_machine_unlock();
		return -1;
	}
	sim->current_vcpu = vcpu;
	caa = sim->snp.vcpus[vcpu].guest_caa_gpa;
	c.creations = sim->snp.vcpus[vcpu].creations;
	sim_trace(sim, CSVSM_EV_CALL, io->rax, io->rcx, io->rdx, io->r8, io->r9, 0);
	/* call_pending = 1: the RMP check here, the store by the program. */
	if (csvsm_sim_guest_access(sim, caa, 1, CSVSM_SIM_WRITE) != CSVSM_SIM_ACCESS_OK) {
		sim_machine_unlock();
		return -1;
	}
	sim_note_dirty(sim, caa, 1);
	sim_machine_unlock();
	a.gpa = caa;
	a.regs[0] = io->rax;
	a.regs[1] = io->rcx;
	a.regs[2] = io->rdx;
	a.regs[3] = io->r8;
	a.regs[4] = io->r9;
	if (run_one(sim, vcpu, &a, call_vmgexit, &c) < 0)
		return -1;
	res = &sim->kvm->vm.cpu[vcpu].mb->act[0];
	if (c.refused || c.lost || res->status != KVMG_ST_OK)
		return -1;
	sim_machine_lock();
	sim->current_vcpu = vcpu;
	io->rax = res->out[0];
	io->rcx = res->out[1];
	io->rdx = res->out[2];
	io->r8 = res->out[3];
	io->r9 = res->out[4];
	/* The program's xchg(call_pending, 0), checked as the shim checks it. */
	if (csvsm_sim_guest_access(sim, caa, 1, CSVSM_SIM_WRITE) == CSVSM_SIM_ACCESS_OK)
		io->serviced = res->serviced != 0;
	sim_trace(sim, CSVSM_EV_RESULT, io->rax, io->rcx, io->rdx, io->r8, io->r9, io->serviced);
	if (io->serviced)
		sim_after_call(sim, vcpu, &in, io);
	sim_machine_unlock();
	return 0;
}

/* Reads or writes through the program on vCPU 0, in mailbox-sized pieces. */
static int guest_access(struct csvsm_sim *sim, uint64_t gpa, uint8_t *buf, size_t len, bool write)
{
	struct kvmg_mailbox *mb = sim->kvm->vm.cpu[0].mb;
	uint8_t *data = (uint8_t *)mb + KVMG_DATA_OFFSET;

	if (write)
		sim_note_dirty(sim, gpa, len);
	while (len) {
		size_t n = len < KVMG_DATA_MAX ? len : KVMG_DATA_MAX;
		struct kvmg_action a = {.op = write ? KVMG_OP_WRITE : KVMG_OP_READ};

		a.gpa = gpa;
		a.len = (uint32_t)n;
		if (write)
			memcpy(data, buf, n);
		if (run_one(sim, 0, &a, NULL, NULL) < 0)
			return -1;
		if (mb->act[0].status == KVMG_ST_FAULT)
			return (int)mb->act[0].fault_kind; /* only outside the slot: SVSM memory */
		if (mb->act[0].status != KVMG_ST_OK)
			return -1;
		if (!write)
			memcpy(buf, data, n);
		gpa += n;
		buf += n;
		len -= n;
	}
	return CSVSM_SIM_ACCESS_OK;
}

int sim_kvm_guest_read(struct csvsm_sim *sim, uint64_t gpa, void *buf, size_t len)
{
	return guest_access(sim, gpa, buf, len, false);
}

int sim_kvm_guest_write(struct csvsm_sim *sim, uint64_t gpa, const void *buf, size_t len)
{
	return guest_access(sim, gpa, (uint8_t *)(uintptr_t)buf, len, true);
}

/* The program's GHCB MSR request: the shared hypervisor answers it. */
static int msr_vmgexit(void *opaque, struct guest_vm *g, unsigned int vcpu, struct kvm_regs *r)
{
	struct csvsm_sim *sim = opaque;

	(void)g;
	r->rbx = sim_hv_guest_msr(&sim->snp, vcpu, r->rbx);
	return 0;
}

uint64_t sim_kvm_guest_msr(struct csvsm_sim *sim, unsigned int vcpu, uint64_t request)
{
	struct kvmg_action a = {.op = KVMG_OP_MSR};

	a.regs[0] = request;
	if (run_one(sim, vcpu, &a, msr_vmgexit, sim) < 0)
		return 0;
	return sim->kvm->vm.cpu[vcpu].mb->act[0].out[0];
}

uint64_t sim_kvm_guest_lost_calls(const struct csvsm_sim *sim, unsigned int vcpu)
{
	return sim->kvm && vcpu < sim->kvm->vm.nvcpus ? sim->kvm->lost_calls[vcpu] : 0;
}

uint64_t sim_kvm_guest_exits(const struct csvsm_sim *sim)
{
	uint64_t n = 0;

	if (sim->kvm)
		for (unsigned int i = 0; i < sim->kvm->vm.nvcpus; i++)
			n += sim->kvm->vm.cpu[i].exits;
	return n;
}
