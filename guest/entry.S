/* SPDX-License-Identifier: MIT */
/*
 * Entry of the guest program (guest/guest.c), in 64-bit mode at CPL 0 with
 * the runner's identity page tables, RDI = this vCPU's mailbox, RSP = the
 * top of its stack (csvsm/abi/kvm_snp.h); guest_main drops to CPL 3, where
 * everything below runs. And the pieces that need assembly: the SVSM call
 * sequence, and the resume point after a fault the runner stopped (a
 * longjmp to the action loop).
 *
 * CPL 3 and the Linux sequence: Linux writes the GHCB MSR (0xc0010130)
 * with WRMSR and executes VMGEXIT, both at ring 0. Neither is needed here:
 * on KVM the GHCB MSR is not an MSR (its value rides in RBX through the
 * VMGEXIT port, docs/kvm-snp.md "Why port I/O"), and the OUT to that port
 * is allowed at CPL 3 by the TSS's I/O bitmap (x86_user.h). So the steps
 * stay Linux's, in Linux's order, with "wrmsr" read as "mov to RBX".
 */
	.code64
	.section .text.entry, "ax"
	.globl _start
_start:
	cld
	call	guest_main
1:	hlt
	jmp	1b

/*
 * uint64_t kvmg_vmgexit(uint64_t msr): the paravirtual VMGEXIT
 * (csvsm/abi/kvm_snp.h): GHCB MSR value in RBX, OUT to the VMGEXIT port,
 * the response back in RBX.
 */
	.text
	.globl kvmg_vmgexit
kvmg_vmgexit:
	push	%rbx
	mov	%rdi, %rbx
	out	%eax, $0xf6		/* KVMSNP_PORT_VMGEXIT */
	mov	%rbx, %rax
	pop	%rbx
	ret

/*
 * void kvmg_svsm_call(struct kvmg_regs *r, uint8_t *pending):
 * the Linux sequence (arch/x86/coco/sev, svsm_perform_call_protocol):
 * RAX, RCX, RDX, R8, R9 from r, call_pending = 1, GHCB MSR = RUN_VMPL(0),
 * VMGEXIT; then the results back into r, and r->serviced = the old value of
 * the atomic xchg(call_pending, 0) == 0.
 */
	.globl kvmg_svsm_call
kvmg_svsm_call:
	push	%rbx
	push	%r12
	push	%r13
	mov	%rdi, %r12		/* r */
	mov	%rsi, %r13		/* pending */
	mov	0(%r12), %rax
	mov	8(%r12), %rcx
	mov	16(%r12), %rdx
	mov	24(%r12), %r8
	mov	32(%r12), %r9
	movb	$1, (%r13)
	mov	$0x016, %rbx		/* GHCB_MSR_RUN_VMPL(0) */
	out	%eax, $0xf6		/* VMGEXIT: KVMSNP_PORT_VMGEXIT */
	mov	%rax, 0(%r12)
	mov	%rcx, 8(%r12)
	mov	%rdx, 16(%r12)
	mov	%r8, 24(%r12)
	mov	%r9, 32(%r12)
	mov	%rbx, 48(%r12)		/* the GHCB MSR response */
	xor	%eax, %eax
	xchg	%al, (%r13)
	movzbl	%al, %eax
	mov	%rax, 40(%r12)		/* old call_pending */
	pop	%r13
	pop	%r12
	pop	%rbx
	ret

/*
 * kvmg_resume, entered by the runner with RDI = the mailbox
 * (struct kvmg_mailbox.resume_rip) after a fault: returns 1 from the last
 * setjmp of that mailbox's jmp (offset 24). The save and the restore are
 * the C runtime's setjmp/longjmp (src/plat/libc/setjmp.S, linked in).
 */
	.globl kvmg_resume
kvmg_resume:
	lea	24(%rdi), %rdi
	mov	$1, %esi
	jmp	longjmp

	.section .note.GNU-stack, "", @progbits
