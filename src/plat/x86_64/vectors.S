/* SPDX-License-Identifier: MIT */
/*
 * Exception entry stubs for vectors 0..31. Each pushes a zero error code
 * where the CPU pushes none (AMD APM vol. 2, 8.2), then its vector, and
 * joins x86_isr_common, which saves the general registers as a struct
 * x86_regs (x86_boot.h) and calls x86_exception(regs).
 */
	.text
.macro vec n, has_error
	.balign 16
x86_vec_\n:
	.if \has_error == 0
	pushq $0
	.endif
	pushq $\n
	jmp x86_isr_common
.endm

	vec 0, 0
	vec 1, 0
	vec 2, 0
	vec 3, 0
	vec 4, 0
	vec 5, 0
	vec 6, 0
	vec 7, 0
	vec 8, 1
	vec 9, 0
	vec 10, 1
	vec 11, 1
	vec 12, 1
	vec 13, 1
	vec 14, 1
	vec 15, 0
	vec 16, 0
	vec 17, 1
	vec 18, 0
	vec 19, 0
	vec 20, 0
	vec 21, 1
	vec 22, 0
	vec 23, 0
	vec 24, 0
	vec 25, 0
	vec 26, 0
	vec 27, 0
	vec 28, 0
	vec 29, 1
	vec 30, 1
	vec 31, 0

x86_isr_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	movq %rsp, %rdi
	call x86_exception
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp
	iretq

	.section .rodata
	.balign 8
	.globl x86_vector_stubs
x86_vector_stubs:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad x86_vec_\n
	.endr

	.section .note.GNU-stack, "", @progbits
