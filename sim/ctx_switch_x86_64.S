/* SPDX-License-Identifier: MIT */
/*
 * The context switch of sim/ctx.c (x86_64, SysV ABI). Position independent,
 * no system calls. See sim/ctx.h for the contract.
 *
 * A suspended context's stack, from its saved sp (struct sim_ctx.sp) up:
 *	+0	MXCSR (4 bytes), x87 control word (2 bytes), 2 bytes unused
 *	+8	r15
 *	+16	r14
 *	+24	r13
 *	+32	r12
 *	+40	rbx
 *	+48	rbp
 *	+56	return address
 * sim_ctx_create builds the same frame on a new stack, with the return address
 * pointing at sim_ctx_trampoline and entry/arg/ctx in r12/r13/r14.
 */

	.text

/*
 * void sim_ctx_switch_asm(struct sim_ctx *from, struct sim_ctx *to)
 * Saves the callee-saved state on the running stack, stores rsp in from->sp,
 * loads rsp from to->sp, restores the state found there and returns into `to`.
 * The frame has the same shape on both stacks, so the CFI holds throughout.
 */
	.globl	sim_ctx_switch_asm
	.hidden	sim_ctx_switch_asm
	.type	sim_ctx_switch_asm, @function
	.p2align 4
sim_ctx_switch_asm:
	.cfi_startproc
	pushq	%rbp
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %rbp, 0
	pushq	%rbx
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %rbx, 0
	pushq	%r12
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %r12, 0
	pushq	%r13
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %r13, 0
	pushq	%r14
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %r14, 0
	pushq	%r15
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %r15, 0
	subq	$8, %rsp
	.cfi_adjust_cfa_offset 8
	stmxcsr	(%rsp)
	fnstcw	4(%rsp)

	movq	%rsp, (%rdi)		/* from->sp */
	movq	(%rsi), %rsp		/* to->sp: now on the other stack */

	ldmxcsr	(%rsp)
	fldcw	4(%rsp)
	addq	$8, %rsp
	.cfi_adjust_cfa_offset -8
	popq	%r15
	.cfi_adjust_cfa_offset -8
	.cfi_restore %r15
	popq	%r14
	.cfi_adjust_cfa_offset -8
	.cfi_restore %r14
	popq	%r13
	.cfi_adjust_cfa_offset -8
	.cfi_restore %r13
	popq	%r12
	.cfi_adjust_cfa_offset -8
	.cfi_restore %r12
	popq	%rbx
	.cfi_adjust_cfa_offset -8
	.cfi_restore %rbx
	popq	%rbp
	.cfi_adjust_cfa_offset -8
	.cfi_restore %rbp
	ret
	.cfi_endproc
	.size	sim_ctx_switch_asm, .-sim_ctx_switch_asm

/*
 * First code of a new context, "returned to" by its first switch with
 * rsp 16-byte aligned, rbp 0, r12 = entry, r13 = arg, r14 = the context.
 * Calls sim_ctx_start(ctx, entry, arg), which never returns.
 */
	.globl	sim_ctx_trampoline
	.hidden	sim_ctx_trampoline
	.type	sim_ctx_trampoline, @function
	.p2align 4
sim_ctx_trampoline:
	.cfi_startproc
	.cfi_undefined %rip		/* outermost frame: unwinders stop here */
	movq	%r14, %rdi
	movq	%r12, %rsi
	movq	%r13, %rdx
	call	sim_ctx_start@PLT
	ud2
	.cfi_endproc
	.size	sim_ctx_trampoline, .-sim_ctx_trampoline

	.section .note.GNU-stack,"",@progbits
