/* SPDX-License-Identifier: MIT */
/*
 * The entry of application processors (vCPU n >= 1), a minimal one: the
 * csvsm KVM runner starts image vCPU n with the boot vCPU's control
 * registers, GDT, IDT and segments (64-bit mode, the final page tables),
 * RIP = x86_ap_entry64, RDI = n, RSP = 0, RFLAGS = 0x2 (docs/kvm-snp.md).
 * The vCPU takes the stack the platform left in x86_ap_stack_top[n] and
 * calls x86_ap_main(n), which never returns. No stack (0) or n out of
 * range: the vCPU stops. It shares the boot vCPU's TSS and IST stacks,
 * which is safe only while one vCPU runs at a time (the runner's
 * --target kvm does so).
 */
#define X86_AP_MAX 64

	.section .bss
	.balign 8
	.globl x86_ap_stack_top
x86_ap_stack_top:
	.zero 8 * X86_AP_MAX

	.text
	.code64
	.globl x86_ap_entry64
	.type x86_ap_entry64, @function
x86_ap_entry64:
	cmpq $X86_AP_MAX, %rdi
	jae 1f
	leaq x86_ap_stack_top(%rip), %rax
	movq (%rax,%rdi,8), %rsp
	testq %rsp, %rsp
	jz 1f
	xorl %ebp, %ebp
	call x86_ap_main
1:	cli
	hlt
	jmp 1b
	.size x86_ap_entry64, . - x86_ap_entry64

	.section .note.GNU-stack, "", @progbits
