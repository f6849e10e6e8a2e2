/* SPDX-License-Identifier: MIT */
/*
 * PVH entry of the bare-metal images. The loader (QEMU's -kernel, the csvsm
 * KVM runner) reads the physical entry from the Xen ELF note below and
 * starts the boot vCPU in 32-bit protected mode, paging off, flat segments,
 * %ebx = physical address of the hvm_start_info (Xen docs/misc/pvh.pandoc).
 *
 * The image is linked where it is loaded (from 1 MiB, virtual = physical).
 * This file builds boot page tables (the first 4 GiB identity-mapped with
 * 2 MiB pages), enters long mode and calls x86_main(start_info).
 */

/* XEN_ELFNOTE_PHYS32_ENTRY; ELF64 readers take an 8-byte value. */
	.section .note.Xen, "a", @note
	.balign 4
	.long 4, 8, 18
	.asciz "Xen"
	.balign 4
	.quad pvh_start32
	.balign 4

	.section .boot.text, "ax", @progbits
	.code32
	.globl pvh_start32
pvh_start32:
	cli
	cld
	movl %ebx, %esi

	/* Zero the 6 boot page-table pages (PML4, PDPT, 4 PDs). */
	movl $boot_pgt, %edi
	xorl %eax, %eax
	movl $(6 * 4096 / 4), %ecx
	rep stosl

	/* PML4[0] -> PDPT; PDPT[i] -> PD i (i = 0..3): 4 GiB. */
	movl $boot_pgt, %edi
	leal 0x1000 + 3(%edi), %eax
	movl %eax, 0(%edi)
	leal 0x2000 + 3(%edi), %eax
	movl %eax, 0x1000 + 0 * 8(%edi)
	addl $0x1000, %eax
	movl %eax, 0x1000 + 1 * 8(%edi)
	addl $0x1000, %eax
	movl %eax, 0x1000 + 2 * 8(%edi)
	addl $0x1000, %eax
	movl %eax, 0x1000 + 3 * 8(%edi)

	/* 2048 PD entries: 2 MiB pages, present + writable + PS. */
	leal 0x2000(%edi), %ebx
	movl $0x83, %eax
	xorl %edx, %edx
	movl $2048, %ecx
1:	movl %eax, 0(%ebx)
	movl %edx, 4(%ebx)
	addl $0x200000, %eax
	adcl $0, %edx
	addl $8, %ebx
	loop 1b

	/* PAE, CR3, EFER.LME, paging. */
	movl %cr4, %eax
	orl $0x20, %eax
	movl %eax, %cr4
	movl %edi, %cr3
	movl $0xc0000080, %ecx
	rdmsr
	orl $0x100, %eax
	wrmsr
	movl %cr0, %eax
	orl $0x80000001, %eax
	movl %eax, %cr0

	lgdt boot_gdt_desc
	ljmp $0x08, $start64

	.code64
start64:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movq $(x86_stack_area + 4096 + 32768), %rsp
	xorl %ebp, %ebp
	movl %esi, %edi
	call x86_main
2:	cli
	hlt
	jmp 2b

	.section .rodata.boot_gdt, "a", @progbits
	.balign 16
boot_gdt:
	.quad 0
	.quad 0x00af9b000000ffff /* 0x08: 64-bit code (accessed bit preset) */
	.quad 0x00cf93000000ffff /* 0x10: data (accessed bit preset) */
boot_gdt_end:
	.balign 4
boot_gdt_desc:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	.section .bss.boot_pgt, "aw", @nobits
	.balign 4096
boot_pgt:
	.skip 6 * 4096

	.section .note.GNU-stack, "", @progbits
