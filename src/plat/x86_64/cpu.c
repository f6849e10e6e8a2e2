/* SPDX-License-Identifier: MIT */
/*
 * GDT, TSS and IDT (AMD APM vol. 2: 4.8 long-mode segment descriptors,
 * 12.2.5 64-bit TSS, 8.9.1 interrupt gates, 8.9.4 IST) and the GS base of
 * each vCPU's per-CPU data (struct x86_cpu). #DF, NMI and #MC run on their
 * own IST stacks, so a corrupted or overflowed kernel stack still gets a
 * report. One IDT for all vCPUs; a GDT and a TSS per vCPU.
 */
#include "csvsm/error.h"
#include "csvsm/lib/string.h"
#include "x86.h"
#include "x86_boot.h"

#define GDT_CODE64 0x08
#define GDT_DATA   0x10
#define GDT_TSS    0x18
#define GDT_UDATA  0x28 /* DPL 3: CPL 3 selectors are these | 3 */
#define GDT_UCODE  0x30

#define X86_MSR_GS_BASE 0xc0000101u

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

_Static_assert(__builtin_offsetof(struct x86_cpu, self) == 0, "x86_this_cpu reads %gs:0");
_Static_assert(__builtin_offsetof(struct x86_cpu, iomap) ==
                   __builtin_offsetof(struct x86_cpu, tss) + sizeof(struct x86_tss),
               "the I/O bitmap follows the TSS (iomap_base)");
_Static_assert(sizeof(((struct x86_cpu *)0)->gdt) == 7 * 8,
               "GDT: null, code, data, TSS (16), user data, user code");

struct x86_cpu x86_cpu_bsp;
/* Shared by every vCPU: built by the boot vCPU, read-only afterwards. */
static struct x86_idt_gate idt[X86_VEC_COUNT] __attribute__((aligned(16)));

extern const uint64_t x86_vector_stubs[X86_VEC_COUNT]; /* vectors.S */

static void gdt_init(struct x86_cpu *c)
{
	uint64_t base = (uint64_t)(uintptr_t)&c->tss;
	uint64_t limit = sizeof(c->tss) + sizeof(c->iomap) - 1; /* the I/O bitmap follows */

	c->gdt[0] = 0;
	c->gdt[1] = 0x00af9a000000ffffull; /* 64-bit code, DPL 0 */
	c->gdt[2] = 0x00cf92000000ffffull; /* data, DPL 0 */
	/* Available 64-bit TSS (type 9, present): a 16-byte system descriptor. */
	c->gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
	            (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	c->gdt[4] = base >> 32;
	c->gdt[5] = 0x00cff2000000ffffull; /* data, DPL 3 */
	c->gdt[6] = 0x00affa000000ffffull; /* 64-bit code, DPL 3 */
}

static void tss_init(struct x86_cpu *c)
{
	c->tss = (struct x86_tss){0};
	c->tss.ist[0] = c->stacks[1].hi;    /* IST1: #DF */
	c->tss.ist[1] = c->stacks[2].hi;    /* IST2: NMI */
	c->tss.ist[2] = c->stacks[3].hi;    /* IST3: #MC */
	c->tss.iomap_base = sizeof(c->tss); /* the I/O bitmap: c->iomap */
	mem_set(c->iomap, 0, sizeof(c->iomap) - 1);
	c->iomap[sizeof(c->iomap) - 1] = 0xff;
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

void x86_cpu_load(struct x86_cpu *c)
{
	struct x86_table_ptr gp = {sizeof(c->gdt) - 1, (uint64_t)(uintptr_t)c->gdt};
	struct x86_table_ptr ip = {sizeof(idt) - 1, (uint64_t)(uintptr_t)idt};

	c->self = c;
	tss_init(c);
	gdt_init(c);
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
	                 : "m"(gp), "i"(GDT_CODE64), "i"(GDT_DATA)
	                 : "rax", "memory");
	__asm__ volatile("ltr %w0" : : "r"(GDT_TSS));
	__asm__ volatile("lidt %0" : : "m"(ip));
	/* After the null selector load above, which may clear the base. */
	x86_wrmsr(X86_MSR_GS_BASE, (uint64_t)(uintptr_t)c);
}

int x86_enter_user(void (*fn)(void *), void *arg)
{
	struct x86_cpu *c = x86_this_cpu();

	if (c->user_rsp0 == 0) {
		uint64_t lo = x86_ram_take(X86_USER_RSP0, PAGE_SIZE);

		if (lo == 0)
			return -CSVSM_ENOMEM;
		c->user_rsp0 = lo + X86_USER_RSP0;
	}
	c->tss.rsp[0] = c->user_rsp0;
	/* IRETQ to fn at CPL 3 (APM vol. 2, 8.7.3), on the same stack. */
	__asm__ volatile("movq %%rsp, %%rax\n\t"
	                 "andq $-16, %%rax\n\t"
	                 "subq $8, %%rax\n\t" /* as after a CALL: fn sees an aligned frame */
	                 "pushq %[ss]\n\t"
	                 "pushq %%rax\n\t"
	                 "pushfq\n\t"
	                 "pushq %[cs]\n\t"
	                 "pushq %[rip]\n\t"
	                 "iretq"
	                 :
	                 : [ss] "i"(GDT_UDATA | 3), [cs] "i"(GDT_UCODE | 3), [rip] "r"(fn), "D"(arg)
	                 : "rax", "memory");
	__builtin_unreachable();
}

void x86_cpu_init(void)
{
	struct x86_cpu *c = &x86_cpu_bsp;

	c->index = 0;
	for (unsigned int i = 0; i < ARRAY_SIZE(c->stacks); i++)
		c->stacks[i] = x86_stacks[i];
	idt_init();
	x86_cpu_load(c);
}
