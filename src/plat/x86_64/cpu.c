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

static void tss_init(struct x86_cpu *c)
{
	x86_tss_fill(&c->tss, c->iomap); /* the I/O bitmap: c->iomap */
	c->tss.ist[0] = c->stacks[1].hi; /* IST1: #DF */
	c->tss.ist[1] = c->stacks[2].hi; /* IST2: NMI */
	c->tss.ist[2] = c->stacks[3].hi; /* IST3: #MC */
}

static void idt_init(void)
{
	for (unsigned int v = 0; v < X86_VEC_COUNT; v++) {
		uint64_t off = x86_vector_stubs[v];
		struct x86_idt_gate *g = &idt[v];

		g->offset_lo = (uint16_t)off;
		g->selector = X86_GDT_CODE64;
		g->ist = v == X86_VEC_DF ? 1 : v == X86_VEC_NMI ? 2 : v == X86_VEC_MC ? 3 : 0;
		g->type_attr = 0x8e; /* present, DPL 0, 64-bit interrupt gate */
		g->offset_mid = (uint16_t)(off >> 16);
		g->offset_hi = (uint32_t)(off >> 32);
		g->reserved = 0;
	}
}

void x86_cpu_load(struct x86_cpu *c)
{
	struct x86_table_ptr ip = {sizeof(idt) - 1, (uint64_t)(uintptr_t)idt};

	c->self = c;
	tss_init(c);
	x86_gdt_fill(c->gdt, &c->tss);
	x86_gdt_load(c->gdt);
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
	x86_iret_to_user(fn, arg);
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
