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
int kvmg_save(uint64_t *jmp) __attribute__((returns_twice));
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

void guest_main(struct kvmg_mailbox *mb)
{
	uint8_t *data = (uint8_t *)mb + KVMG_DATA_OFFSET;

	mb->resume_rip = (uint64_t)(uintptr_t)kvmg_resume;
	mb->magic = KVMG_MAGIC;
	for (;;) {
		uint32_t n = mb->count <= KVMG_MAX_ACTIONS ? mb->count : 0;

		for (mb->current = 0; mb->current < n; mb->current++) {
			struct kvmg_action *a = &mb->act[mb->current];

			/* After a fault the runner resumes here (1) with the result set. */
			if (kvmg_save(mb->jmp) != 0)
				continue;
			perform(a, data);
		}
		mb->batches++;
		out32(KVMSNP_PORT_GUEST_DONE, 0);
	}
}
