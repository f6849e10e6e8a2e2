/* SPDX-License-Identifier: MIT */
/*
 * Dropping a ring-0 program to CPL 3 for good, shared by the SVSM image
 * (cpu.c: x86_cpu_load, x86_enter_user) and the guest program (guest/):
 * the GDT layout with user segments, the 64-bit TSS with its I/O
 * permission bitmap, loading both, and the IRETQ to CPL 3.
 *
 * Why: a KVM that emulates a plain guest's ring 0 instruction by
 * instruction (PVM) runs CPL 3 natively (docs/kvm-snp.md). PVM drops IOPL
 * on IRET, so port I/O at CPL 3 goes through the TSS's I/O bitmap
 * (AMD APM vol. 2, 12.2.4), not IOPL. Header-only and freestanding:
 * the guest program links nothing of the image.
 */
#ifndef CSVSM_PLAT_X86_USER_H
#define CSVSM_PLAT_X86_USER_H

#include "csvsm/types.h"

/* GDT selectors (APM vol. 2, 4.8): CPL 3 selectors are X86_GDT_U* | 3. */
#define X86_GDT_CODE64  0x08
#define X86_GDT_DATA    0x10
#define X86_GDT_TSS     0x18 /* a 16-byte system descriptor: entries 3 and 4 */
#define X86_GDT_UDATA   0x28 /* DPL 3 */
#define X86_GDT_UCODE   0x30 /* DPL 3 */
#define X86_GDT_ENTRIES 7    /* null, code, data, TSS (16 bytes), user data, user code */

/* 64-bit TSS (APM vol. 2, 12.2.5). */
struct x86_tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} CSVSM_PACKED;
_Static_assert(sizeof(struct x86_tss) == 104, "64-bit TSS layout (APM vol. 2, 12.2.5)");

/* Ports [0, X86_IOMAP_PORTS) are allowed at CPL 3: the runner's ports and COM1 lie below. */
#define X86_IOMAP_PORTS 0x800
#define X86_IOMAP_BYTES (X86_IOMAP_PORTS / 8 + 1) /* the last byte is the all-ones end */

/*
 * Fills `gdt` (X86_GDT_ENTRIES entries): flat 64-bit code and data at DPL 0
 * and DPL 3, and an available 64-bit TSS at `tss` whose limit covers the
 * TSS and the X86_IOMAP_BYTES bitmap that must follow it in memory.
 */
static inline void x86_gdt_fill(uint64_t *gdt, const struct x86_tss *tss)
{
	uint64_t base = (uint64_t)(uintptr_t)tss;
	uint64_t limit = sizeof(*tss) + X86_IOMAP_BYTES - 1;

	gdt[0] = 0;
	gdt[1] = 0x00af9a000000ffffull; /* 64-bit code, DPL 0 */
	gdt[2] = 0x00cf92000000ffffull; /* data, DPL 0 */
	/* Available 64-bit TSS (type 9, present). */
	gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
	         (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[4] = base >> 32;
	gdt[5] = 0x00cff2000000ffffull; /* data, DPL 3 */
	gdt[6] = 0x00affa000000ffffull; /* 64-bit code, DPL 3 */
}

/*
 * Clears `tss` and points its I/O bitmap at `iomap` (X86_IOMAP_BYTES,
 * right after the TSS): every port below X86_IOMAP_PORTS allowed at
 * CPL 3, every other port denied.
 */
static inline void x86_tss_fill(struct x86_tss *tss, uint8_t *iomap)
{
	*tss = (struct x86_tss){0};
	tss->iomap_base = (uint16_t)((uintptr_t)iomap - (uintptr_t)tss);
	for (unsigned int i = 0; i < X86_IOMAP_BYTES - 1; i++)
		iomap[i] = 0;
	iomap[X86_IOMAP_BYTES - 1] = 0xff;
}

struct x86_table_ptr {
	uint16_t limit;
	uint64_t base;
} CSVSM_PACKED;

/*
 * At CPL 0: loads `gdt` (filled by x86_gdt_fill), reloads CS, DS, ES and
 * SS with the ring-0 selectors, FS and GS with null (which may clear
 * their bases) and loads the task register (marks the TSS busy: one GDT
 * per vCPU).
 */
static inline void x86_gdt_load(const uint64_t *gdt)
{
	struct x86_table_ptr gp = {X86_GDT_ENTRIES * 8 - 1, (uint64_t)(uintptr_t)gdt};

	__asm__ volatile("lgdt %0\n\t"
	                 "pushq %1\n\t"
	                 "leaq 1f(%%rip), %%rax\n\t"
	                 "pushq %%rax\n\t"
	                 "lretq\n"
	                 "1:\n\t"
	                 "movl %2, %%eax\n\t"
	                 "movl %%eax, %%ds\n\t"
	                 "movl %%eax, %%es\n\t"
	                 "movl %%eax, %%ss\n\t"
	                 "xorl %%eax, %%eax\n\t"
	                 "movl %%eax, %%fs\n\t"
	                 "movl %%eax, %%gs\n\t"
	                 :
	                 : "m"(gp), "i"(X86_GDT_CODE64), "i"(X86_GDT_DATA)
	                 : "rax", "memory");
	__asm__ volatile("ltr %w0" : : "r"(X86_GDT_TSS));
}

/*
 * At CPL 0 with the GDT of x86_gdt_load: continues in fn(arg) at CPL 3 on
 * the current stack (realigned as after a CALL), RFLAGS unchanged (IOPL
 * as it was: PVM drops it anyway), by IRETQ (APM vol. 2, 8.7.3). Every
 * page fn touches must be a user page. Never returns.
 */
__attribute__((noreturn)) static inline void x86_iret_to_user(void (*fn)(void *), void *arg)
{
	__asm__ volatile("movq %%rsp, %%rax\n\t"
	                 "andq $-16, %%rax\n\t"
	                 "subq $8, %%rax\n\t"
	                 "pushq %[ss]\n\t"
	                 "pushq %%rax\n\t"
	                 "pushfq\n\t"
	                 "pushq %[cs]\n\t"
	                 "pushq %[rip]\n\t"
	                 "iretq"
	                 :
	                 : [ss] "i"(X86_GDT_UDATA | 3), [cs] "i"(X86_GDT_UCODE | 3), [rip] "r"(fn),
	                   "D"(arg)
	                 : "rax", "memory");
	__builtin_unreachable();
}

#endif
