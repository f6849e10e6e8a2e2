/* SPDX-License-Identifier: MIT */
/*
 * x86_try(c, vectors): arms the exception catch (see x86_boot.h) and
 * returns 0. When a caught exception fires, exception.c restores the
 * registers saved here into the exception frame and returns through iretq
 * to the saved return address with %eax = 1.
 * struct x86_catch starts with rbx, rbp, r12, r13, r14, r15, rsp, rip.
 */
	.text
	.globl x86_try
x86_try:
	movq %rbx, 0(%rdi)
	movq %rbp, 8(%rdi)
	movq %r12, 16(%rdi)
	movq %r13, 24(%rdi)
	movq %r14, 32(%rdi)
	movq %r15, 40(%rdi)
	leaq 8(%rsp), %rax
	movq %rax, 48(%rdi)
	movq (%rsp), %rax
	movq %rax, 56(%rdi)
	jmp x86_catch_arm

	.section .note.GNU-stack, "", @progbits
