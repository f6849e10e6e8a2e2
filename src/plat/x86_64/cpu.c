/* SPDX-License-Identifier: MIT */
/*
 * GDT, TSS and IDT of the boot vCPU (AMD APM vol. 2: 4.8 long-mode segment
 * descriptors, 12.2.5 64-bit TSS, 8.9.1 interrupt gates, 8.9.4 IST).
 * #DF, NMI and #MC run on their own IST stacks, so a corrupted or
 * overflowed kernel stack still gets a report.
 */
#include "x86.h"
#include "x86_boot.h"

#define GDT_CODE64 0x08
#define GDT_DATA   0x10
#define GDT_TSS    0x18

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

struct x86_idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} CSVSM_PACKED;
_Static_assert(sizeof(struct x86_idt_gate) == 16, "64-bit IDT gate layout (APM vol. 2, 8.9.1)");

struct x86_table_ptr {
	uint16_t limit;
	uint64_t base;
} CSVSM_PACKED;

static struct x86_tss tss __attribute__((aligned(16)));
static uint64_t gdt[5] __attribute__((aligned(16)));
static struct x86_idt_gate idt[X86_VEC_COUNT] __attribute__((aligned(16)));

extern const uint64_t x86_vector_stubs[X86_VEC_COUNT]; /* vectors.S */

static void gdt_init(void)
{
	uint64_t base = (uint64_t)(uintptr_t)&tss;
	uint64_t limit = sizeof(tss) - 1;

	gdt[0] = 0;
	gdt[1] = 0x00af9a000000ffffull; /* 64-bit code, DPL 0 */
	gdt[2] = 0x00cf92000000ffffull; /* data, DPL 0 */
	/* Available 64-bit TSS (type 9, present): a 16-byte system descriptor. */
	gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
	         (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[4] = base >> 32;
}

static void tss_init(void)
{
	tss.ist[0] = x86_stacks[1].hi; /* IST1: #DF */
	tss.ist[1] = x86_stacks[2].hi; /* IST2: NMI */
	tss.ist[2] = x86_stacks[3].hi; /* IST3: #MC */
	tss.iomap_base = sizeof(tss);  /* no I/O permission bitmap */
}

static void idt_init(void)
{
	for (unsigned int v = 0; v < X86_VEC_COUNT; v++) {
		uint64_t off = x86_vector_stubs[v];
		struct x86_idt_gate *g = &idt[v];

		g->offset_lo = (uint16_t)off;
		g->selector = GDT_CODE64;
		g->ist = v == X86_VEC_DF ? 1 : v == X86_VEC_NMI ? 2 : v == X86_VEC_MC ? 3 : 0;
		g->type_attr = 0x8e; /* present, DPL 0, 64-bit interrupt gate */
		g->offset_mid = (uint16_t)(off >> 16);
		g->offset_hi = (uint32_t)(off >> 32);
		g->reserved = 0;
	}
}

void x86_cpu_init(void)
{
	struct x86_table_ptr gp = {sizeof(gdt) - 1, (uint64_t)(uintptr_t)gdt};
	struct x86_table_ptr ip = {sizeof(idt) - 1, (uint64_t)(uintptr_t)idt};

	tss_init();
	gdt_init();
	idt_init();
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
	                 :
	                 : "m"(gp), "i"(GDT_CODE64), "i"(GDT_DATA)
	                 : "rax", "memory");
	__asm__ volatile("ltr %w0" : : "r"(GDT_TSS));
	__asm__ volatile("lidt %0" : : "m"(ip));
}
