/* SPDX-License-Identifier: MIT */
/*
 * The guest program (guest/) on KVM, driven through its mailbox by
 * sim/kvm/guest_vm.c, with this test standing in for the hypervisor and the
 * SVSM at each VMGEXIT. Checks what the SVSM would see at the VMGEXIT of
 * an SVSM call (58019 calling convention; Linux svsm_perform_msr_protocol):
 * RAX, RCX, RDX, R8, R9 as asked, call_pending = 1 in the CA, GHCB MSR =
 * RUN_VMPL(0) = 0x016; and what the guest makes of the answer: the results
 * from the registers and "serviced" from the atomic exchange (the SVSM
 * cleared call_pending: serviced; it did not: not serviced). Guest memory
 * reads and writes; a GHCB MSR protocol request; an access outside the
 * guest's memory slot (SVSM memory) stopped by KVM and reported as #NPF,
 * after which the program goes on with the next action. The program runs
 * its action loop at CPL 3 (guest/guest.c), also after such a resume.
 * Exit 77 (SKIP) without /dev/kvm.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "csvsm/abi/ghcb.h"
#include "csvsm/abi/svsm.h"
#include "csvsm/sim.h"
#include "kvm/guest_vm.h"

#define MEM_SIZE (4u << 20) /* the guest's slot; [4 MiB, ...) plays SVSM memory */
#define CA_GPA   0x200000ull
#define BUF_GPA  0x201000ull

static int failures;

/* The CPL vCPU `v` of the guest program stopped at (CS.RPL): 3 in the action loop. */
static int cpl(struct guest_vm *g, unsigned int v)
{
	struct kvm_sregs sr;

	if (ioctl(g->cpu[v].fd, KVM_GET_SREGS, &sr) < 0)
		return -1;
	return sr.cs.selector & 3;
}

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

struct stub {
	uint8_t *mem;
	int clear_pending; /* the SVSM serves the call (clears call_pending) */
	unsigned int calls, msrs;
	uint64_t seen_rdx, seen_r8, seen_r9;
	uint8_t seen_pending;
	unsigned int last_vcpu;
};

/* The hypervisor and the SVSM, as far as this test needs them. */
static int stub_vmgexit(void *ctx, struct guest_vm *g, unsigned int vcpu, struct kvm_regs *r)
{
	struct stub *s = ctx;

	(void)g;
	s->last_vcpu = vcpu;
	if (r->rbx == GHCB_MSR_RUN_VMPL(0)) {
		s->calls++;
		s->seen_pending = s->mem[CA_GPA];
		s->seen_rdx = r->rdx;
		s->seen_r8 = r->r8;
		s->seen_r9 = r->r9;
		if (r->rax == SVSM_RAX(SVSM_PROTO_CORE, SVSM_CORE_QUERY_PROTOCOL) && r->rcx == 1) {
			r->rax = SVSM_SUCCESS;
			r->rcx = SVSM_QUERY_RESULT(1, 1);
		} else {
			r->rax = SVSM_ERR_UNSUPPORTED_CALL;
		}
		if (s->clear_pending)
			__atomic_exchange_n(&s->mem[CA_GPA], 0, __ATOMIC_SEQ_CST);
		r->rbx = GHCB_MSR_RUN_VMPL_RESP;
		return 0;
	}
	s->msrs++;
	if (GHCB_MSR_INFO(r->rbx) == GHCB_MSR_SEV_INFO_REQ)
		r->rbx = (2ull << 48) | (1ull << 32) | (51ull << 24) | GHCB_MSR_SEV_INFO_RESP;
	else
		r->rbx = 0;
	return 0;
}

/* vCPU 0's mailbox. */
#define MB   (g.cpu[0].mb)
#define DATA ((uint8_t *)MB + KVMG_DATA_OFFSET)

static void one(struct guest_vm *g, unsigned int vcpu, const struct kvmg_action *a)
{
	g->cpu[vcpu].mb->count = 1;
	g->cpu[vcpu].mb->act[0] = *a;
}

int main(void)
{
	const char *top = getenv("top_builddir");
	char path[4096], err[256];
	struct guest_vm g;
	struct stub s = {0};
	struct kvmg_action a;
	uint8_t *mem;
	uint64_t exits;

	if (!guest_vm_kvm_available()) {
		printf("SKIP: /dev/kvm is not available\n");
		return 77;
	}
	snprintf(path, sizeof(path), "%s/guest/csvsm-guest.elf", top ? top : ".");
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return 99;
	s.mem = mem;
	if (guest_vm_open(&g, mem, MEM_SIZE, 2, path, err, sizeof(err)) < 0) {
		fprintf(stderr, "guest_vm_open: %s\n", err);
		return 1;
	}
	/* Both vCPUs set up at CPL 0, then dropped to CPL 3 before their first "done". */
	CHECK(cpl(&g, 0) == 3 && cpl(&g, 1) == 3);

	/* A served QUERY_PROTOCOL, the way Linux makes it. */
	s.clear_pending = 1;
	a = (struct kvmg_action){.op = KVMG_OP_CALL, .gpa = CA_GPA};
	a.regs[0] = SVSM_RAX(SVSM_PROTO_CORE, SVSM_CORE_QUERY_PROTOCOL);
	a.regs[1] = 1;
	a.regs[2] = 0x1122334455667788ull;
	a.regs[3] = 0xaaull;
	a.regs[4] = 0xbbull;
	one(&g, 0, &a);
	exits = g.cpu[0].exits;
	CHECK(guest_vm_run(&g, 0, stub_vmgexit, &s) == 0);
	CHECK(s.calls == 1);
	CHECK(s.seen_pending == 1);
	CHECK(s.seen_rdx == 0x1122334455667788ull);
	CHECK(s.seen_r8 == 0xaa && s.seen_r9 == 0xbb);
	CHECK(MB->act[0].status == KVMG_ST_OK);
	CHECK(MB->act[0].out[0] == SVSM_SUCCESS);
	CHECK(MB->act[0].out[1] == SVSM_QUERY_RESULT(1, 1));
	CHECK(MB->act[0].serviced == 1);
	CHECK(MB->act[0].ghcb == GHCB_MSR_RUN_VMPL_RESP);
	CHECK(mem[CA_GPA] == 0);
	/* One VMGEXIT and the "done" exit. */
	CHECK(g.cpu[0].exits - exits == 2);

	/* Not served (the SVSM left call_pending alone): the exchange says so. */
	s.clear_pending = 0;
	one(&g, 0, &a);
	CHECK(guest_vm_run(&g, 0, stub_vmgexit, &s) == 0);
	CHECK(MB->act[0].serviced == 0);
	CHECK(mem[CA_GPA] == 0); /* the guest's xchg cleared it */

	/* Memory: write then read back, seen by the host too. */
	a = (struct kvmg_action){.op = KVMG_OP_WRITE, .gpa = BUF_GPA + 5, .len = 4};
	one(&g, 0, &a);
	memcpy(DATA, "csvm", 4);
	CHECK(guest_vm_run(&g, 0, stub_vmgexit, &s) == 0);
	CHECK(MB->act[0].status == KVMG_ST_OK);
	CHECK(memcmp(mem + BUF_GPA + 5, "csvm", 4) == 0);
	mem[BUF_GPA + 9] = 'X';
	a = (struct kvmg_action){.op = KVMG_OP_READ, .gpa = BUF_GPA + 5, .len = 5};
	one(&g, 0, &a);
	CHECK(guest_vm_run(&g, 0, stub_vmgexit, &s) == 0);
	CHECK(memcmp(DATA, "csvmX", 5) == 0);

	/* A GHCB MSR protocol request. */
	a = (struct kvmg_action){.op = KVMG_OP_MSR};
	a.regs[0] = GHCB_MSR_SEV_INFO_REQ;
	one(&g, 0, &a);
	CHECK(guest_vm_run(&g, 0, stub_vmgexit, &s) == 0);
	CHECK(GHCB_MSR_INFO(MB->act[0].out[0]) == GHCB_MSR_SEV_INFO_RESP);
	CHECK(GHCB_SEV_INFO_MAX(MB->act[0].out[0]) == 2);

	/* Outside the guest's slot (SVSM memory): KVM stops it, #NPF, the next action runs. */
	MB->count = 2;
	MB->act[0] = (struct kvmg_action){.op = KVMG_OP_READ, .gpa = MEM_SIZE + 0x1000, .len = 8};
	MB->act[1] = (struct kvmg_action){.op = KVMG_OP_READ, .gpa = BUF_GPA + 5, .len = 2};
	memset(DATA, 0, 8);
	CHECK(guest_vm_run(&g, 0, stub_vmgexit, &s) == 0);
	CHECK(MB->act[0].status == KVMG_ST_FAULT);
	CHECK(MB->act[0].fault_gpa == MEM_SIZE + 0x1000);
	CHECK(MB->act[0].fault_kind == CSVSM_SIM_ACCESS_NPF);
	CHECK(MB->act[1].status == KVMG_ST_OK);
	CHECK(memcmp(DATA, "cs", 2) == 0);
	CHECK(cpl(&g, 0) == 3); /* the resume after the stop kept CPL 3 */
	/* A write there as well. */
	a = (struct kvmg_action){.op = KVMG_OP_WRITE, .gpa = MEM_SIZE + 0x2008, .len = 1};
	one(&g, 0, &a);
	CHECK(guest_vm_run(&g, 0, stub_vmgexit, &s) == 0);
	CHECK(MB->act[0].status == KVMG_ST_FAULT);
	CHECK(MB->act[0].fault_gpa == MEM_SIZE + 0x2008);

	/* vCPU 1 has its own stack and mailbox: a call from there. */
	s.clear_pending = 1;
	a = (struct kvmg_action){.op = KVMG_OP_CALL, .gpa = CA_GPA};
	a.regs[0] = SVSM_RAX(SVSM_PROTO_CORE, SVSM_CORE_QUERY_PROTOCOL);
	a.regs[1] = 1;
	one(&g, 1, &a);
	CHECK(guest_vm_run(&g, 1, stub_vmgexit, &s) == 0);
	CHECK(s.last_vcpu == 1);
	CHECK(g.cpu[1].mb->act[0].serviced == 1);
	CHECK(g.cpu[1].mb->act[0].out[1] == SVSM_QUERY_RESULT(1, 1));
	/* Batches: the start, then one per run above. */
	CHECK(g.cpu[1].mb->batches == 2 && MB->batches == 8);

	/* A malformed action is refused by the program, which stays alive. */
	a = (struct kvmg_action){.op = 99};
	one(&g, 0, &a);
	CHECK(guest_vm_run(&g, 0, stub_vmgexit, &s) == 0);
	CHECK(MB->act[0].status == KVMG_ST_BAD);

	guest_vm_close(&g);
	munmap(mem, MEM_SIZE);
	printf("%s: guest program on KVM, %d failures\n", failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}
