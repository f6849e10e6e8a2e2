/* SPDX-License-Identifier: MIT */
/*
 * setjmp/longjmp for the System V x86_64 ABI: the buffer holds rbx, rbp,
 * r12-r15, the caller's rsp and the return address (see <setjmp.h>).
 * General registers only: the image does not use SSE/x87 state.
 * The image's exception catch (x86_try, src/plat/x86_64/catch.S) saves
 * with this setjmp too, into a struct x86_catch of the same layout: keep
 * the return address the last store (x86_try relies on it).
 */
#include <csvsm_libc_names.h>

	.text
	.globl setjmp
	.type setjmp, @function
setjmp:
	movq %rbx, 0(%rdi)
	movq %rbp, 8(%rdi)
	movq %r12, 16(%rdi)
	movq %r13, 24(%rdi)
	movq %r14, 32(%rdi)
	movq %r15, 40(%rdi)
	leaq 8(%rsp), %rdx
	movq %rdx, 48(%rdi)
	movq (%rsp), %rdx
	movq %rdx, 56(%rdi)
	xorl %eax, %eax
	ret
	.size setjmp, .-setjmp

	.globl longjmp
	.type longjmp, @function
longjmp:
	movl %esi, %eax
	testl %eax, %eax
	jnz 1f
	incl %eax
1:	movq 0(%rdi), %rbx
	movq 8(%rdi), %rbp
	movq 16(%rdi), %r12
	movq 24(%rdi), %r13
	movq 32(%rdi), %r14
	movq 40(%rdi), %r15
	movq 48(%rdi), %rsp
	jmp *56(%rdi)
	.size longjmp, .-longjmp

	.section .note.GNU-stack,"",@progbits
