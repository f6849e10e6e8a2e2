/* SPDX-License-Identifier: MIT */
/*
 * The guest program: a freestanding x86_64 guest OS stand-in that runs at
 * the guest VMPL under the csvsm KVM runner and does what the runner's
 * mailbox asks (csvsm/abi/kvm_snp.h): guest memory reads and writes, SVSM
 * calls made the way Linux makes them, GHCB MSR protocol requests. It
 * trusts the runner (it is the test's hands inside the VM) but checks the
 * shape of every action so a runner bug shows as KVMG_ST_BAD, not as a
 * wild access.
 */
#include "csvsm/abi/ghcb.h"
#include "csvsm/abi/kvm_snp.h"
#include "x86_user.h" /* src/plat/x86_64: the image's own way to CPL 3 */

_Static_assert(KVMSNP_PORT_VMGEXIT == 0xf6, "entry.S hard-codes the VMGEXIT port");

/* What kvmg_svsm_call reads and writes (entry.S offsets). */
struct kvmg_regs {
	uint64_t rax, rcx, rdx, r8, r9;
	uint64_t old_pending;
	uint64_t ghcb;
};
_Static_assert(sizeof(struct kvmg_regs) == 56, "entry.S offsets");
_Static_assert(__builtin_offsetof(struct kvmg_mailbox, jmp) == 24, "entry.S offsets");

uint64_t kvmg_vmgexit(uint64_t msr);
void kvmg_svsm_call(struct kvmg_regs *r, volatile uint8_t *pending);
/* src/plat/libc/setjmp.S: the C runtime's, linked into the program. */
int setjmp(uint64_t *jmp) __attribute__((returns_twice));
void kvmg_resume(void);
void guest_main(struct kvmg_mailbox *mb);

static inline void out32(uint16_t port, uint32_t v)
{
	__asm__ volatile("out %0, %1" ::"a"(v), "Nd"(port) : "memory");
}

/* Byte copies: every access is one the runner may stop (no bulk tricks). */
static void copy(volatile uint8_t *dst, const volatile uint8_t *src, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		dst[i] = src[i];
}

static void perform(struct kvmg_action *a, uint8_t *data)
{
	switch (a->op) {
	case KVMG_OP_NOP:
		break;
	case KVMG_OP_READ:
	case KVMG_OP_WRITE:
		if (a->len > KVMG_DATA_MAX) {
			a->status = KVMG_ST_BAD;
			return;
		}
		if (a->op == KVMG_OP_READ)
			copy(data, (const volatile uint8_t *)(uintptr_t)a->gpa, a->len);
		else
			copy((volatile uint8_t *)(uintptr_t)a->gpa, data, a->len);
		break;
	case KVMG_OP_CALL: {
		struct kvmg_regs r = {a->regs[0], a->regs[1], a->regs[2], a->regs[3],
		                      a->regs[4], 0,          0};

		kvmg_svsm_call(&r, (volatile uint8_t *)(uintptr_t)a->gpa);
		a->out[0] = r.rax;
		a->out[1] = r.rcx;
		a->out[2] = r.rdx;
		a->out[3] = r.r8;
		a->out[4] = r.r9;
		a->serviced = r.old_pending == 0;
		a->ghcb = r.ghcb;
		break;
	}
	case KVMG_OP_MSR:
		a->out[0] = kvmg_vmgexit(a->regs[0]);
		break;
	case KVMG_OP_SPIN: {
		uint32_t n = a->len;

		if (n)
			__asm__ volatile("1: dec %0\n\tjnz 1b" : "+r"(n) : : "cc");
		break;
	}
	default:
		a->status = KVMG_ST_BAD;
		return;
	}
	a->status = KVMG_ST_OK;
}

/*
 * Each vCPU's GDT and TSS with its I/O bitmap (LTR marks a TSS busy: one
 * each). The action loop runs at CPL 3 (x86_iret_to_user) and needs ports
 * below X86_IOMAP_PORTS only: KVMSNP_PORT_VMGEXIT and KVMSNP_PORT_GUEST_DONE.
 */
struct kvmg_cpu {
	uint64_t gdt[X86_GDT_ENTRIES] __attribute__((aligned(16)));
	struct x86_tss tss __attribute__((aligned(16)));
	uint8_t iomap[X86_IOMAP_BYTES]; /* right after the TSS (its limit covers it) */
};
_Static_assert(__builtin_offsetof(struct kvmg_cpu, iomap) ==
                   __builtin_offsetof(struct kvmg_cpu, tss) + sizeof(struct x86_tss),
               "the I/O bitmap follows the TSS");
_Static_assert(KVMSNP_PORT_VMGEXIT < X86_IOMAP_PORTS && KVMSNP_PORT_GUEST_DONE < X86_IOMAP_PORTS,
               "the program's ports are allowed at CPL 3");
static struct kvmg_cpu kvmg_cpus[KVMG_MAX_VCPUS];

static void action_loop(void *arg)
{
	struct kvmg_mailbox *mb = arg;
	uint8_t *data = (uint8_t *)mb + KVMG_DATA_OFFSET;

	mb->resume_rip = (uint64_t)(uintptr_t)kvmg_resume;
	mb->magic = KVMG_MAGIC;
	for (;;) {
		uint32_t n = mb->count <= KVMG_MAX_ACTIONS ? mb->count : 0;

		for (mb->current = 0; mb->current < n; mb->current++) {
			struct kvmg_action *a = &mb->act[mb->current];

			/* After a fault the runner resumes here (1) with the result set. */
			if (setjmp(mb->jmp) != 0)
				continue;
			perform(a, data);
		}
		mb->batches++;
		out32(KVMSNP_PORT_GUEST_DONE, 0);
	}
}

/*
 * At CPL 0 with the runner's flat segments and page tables (every page a
 * user page): the vCPU's own GDT and TSS, then the action loop at CPL 3
 * for good. No IDT, as before: an exception is a triple fault, which the
 * runner reports as a dead guest. The runner's resume after a stopped
 * access (kvmg_resume) keeps CS, so it stays at CPL 3.
 */
void guest_main(struct kvmg_mailbox *mb)
{
	uint64_t v = ((uint64_t)(uintptr_t)mb - KVMG_VCPU_BASE) / KVMG_VCPU_STRIDE;
	struct kvmg_cpu *c;

	if (v >= KVMG_MAX_VCPUS)
		return; /* not a mailbox the runner gives: stop (hlt) */
	c = &kvmg_cpus[v];
	x86_tss_fill(&c->tss, c->iomap);
	x86_gdt_fill(c->gdt, &c->tss);
	x86_gdt_load(c->gdt);
	x86_iret_to_user(action_loop, mb);
}
