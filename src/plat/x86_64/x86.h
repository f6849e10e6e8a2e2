/* SPDX-License-Identifier: MIT */
/*
 * x86_64 instructions the bare-metal platforms need, as inline functions.
 * Only src/plat/ includes this header; the core reaches hardware through
 * src/include/csvsm/plat/.
 */
#ifndef CSVSM_PLAT_X86_H
#define CSVSM_PLAT_X86_H

#include "csvsm/types.h"

#define X86_CR0_PE  (1ull << 0)
#define X86_CR0_WP  (1ull << 16)
#define X86_CR0_PG  (1ull << 31)
#define X86_CR4_PAE (1ull << 5)

#define X86_MSR_EFER  0xc0000080u
#define X86_EFER_LME  (1ull << 8)
#define X86_EFER_NXE  (1ull << 11)
#define X86_RFLAGS_IF (1ull << 9)

/* Exception vectors (AMD APM vol. 2, 8.2). */
enum x86_vector {
	X86_VEC_DE = 0,
	X86_VEC_DB = 1,
	X86_VEC_NMI = 2,
	X86_VEC_BP = 3,
	X86_VEC_UD = 6,
	X86_VEC_DF = 8,
	X86_VEC_GP = 13,
	X86_VEC_PF = 14,
	X86_VEC_MC = 18,
	X86_VEC_VC = 29,
	X86_VEC_COUNT = 32,
};

static inline void x86_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void x86_outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline uint8_t x86_inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline uint32_t x86_inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline uint64_t x86_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void x86_wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr"
	                 :
	                 : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
	                 : "memory");
}

struct x86_cpuid {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct x86_cpuid x86_cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct x86_cpuid r;

	__asm__ volatile("cpuid"
	                 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
	                 : "a"(leaf), "c"(subleaf));
	return r;
}

static inline uint64_t x86_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t x86_read_cr2(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint64_t x86_read_cr3(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void x86_write_cr3(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

static inline uint64_t x86_read_cr0(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline void x86_write_cr0(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static inline void x86_pause(void)
{
	__asm__ volatile("pause");
}

/* Stops this CPU for good: interrupts off, HLT forever. */
static inline CSVSM_NORETURN void x86_stop(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

/*
 * Physical address of an object of the image or of RAM below 4 GiB: the
 * page tables map both 1:1 (paging.c).
 */
static inline uint64_t x86_image_pa(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

#endif
