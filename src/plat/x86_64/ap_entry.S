/* SPDX-License-Identifier: MIT */
/*
 * The entry of application processors (vCPU n >= 1). The contract with the
 * runner (csvsm/abi/kvm_runner.h, docs/kvm-runner.md): vCPU n starts here
 * with the boot vCPU's special registers (CR0/CR3/CR4/EFER, GDT, IDT,
 * segments: 64-bit mode on the final page tables), RIP = x86_ap_entry64,
 * RDI = n, RSP = 0, RFLAGS = 0x2 (interrupts off).
 *
 * Starting vCPUs take turns on one small boot stack (ap_boot_lock):
 * x86_ap_setup(n) (smp.c) gives vCPU n its per-CPU area (own stacks with
 * guard pages, GDT, TSS with IST stacks, GS base) and returns its stack
 * top; the vCPU moves there, frees the boot stack and calls
 * x86_ap_start(n), which never returns.
 */
	.text
	.code64
	.globl x86_ap_entry64
	.type x86_ap_entry64, @function
x86_ap_entry64:
	cli
	cld
	movq %rdi, %rbx /* n, callee-saved across the calls */
1:	lock btsl $0, ap_boot_lock(%rip)
	jnc 2f
	pause
	jmp 1b
2:	leaq ap_boot_stack_top(%rip), %rsp
	xorl %ebp, %ebp
	movq %rbx, %rdi
	call x86_ap_setup
	movq %rax, %rsp
	movl $0, ap_boot_lock(%rip) /* a release (x86 stores are ordered) */
	movq %rbx, %rdi
	call x86_ap_start
3:	cli
	hlt
	jmp 3b
	.size x86_ap_entry64, . - x86_ap_entry64

	.section .bss
	.balign 4096
ap_boot_stack:
	.skip 8192
ap_boot_stack_top:
	.balign 64
ap_boot_lock:
	.long 0

	.section .note.GNU-stack, "", @progbits
