/* SPDX-License-Identifier: MIT */
/*
 * The final page tables (AMD APM vol. 2, 5.3 long-mode paging), replacing
 * entry.S's boot tables:
 *
 *   0 .. 4 GiB            identity map, read/write, no-execute: RAM for the
 *                         heap, the PVH structures, device pages. The first
 *                         4 KiB page is not mapped, so NULL dereferences
 *                         fault; the rest uses 2 MiB pages.
 *   X86_KERNEL_VMA + pa   the image, 4 KiB pages: text read-only +
 *                         executable, rodata read-only, data and bss
 *                         read/write; the guard page below each stack
 *                         not mapped.
 *
 * Nothing else is executable, and CR0.WP makes read-only hold for ring 0.
 */
#include "csvsm/panic.h"
#include "x86.h"
#include "x86_boot.h"

#define PTE_P  (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_PS (1ull << 7)
#define PTE_NX (1ull << 63)

#define KMAP_BYTES (8ull << 20) /* the high half maps the image's first 8 MiB */
#define KMAP_PTS   (KMAP_BYTES >> 21)

typedef uint64_t pt_page[512] __attribute__((aligned(4096)));

static pt_page pml4, pdpt_id, pd_id[4], pt_low, pdpt_k, pd_k, pt_k[KMAP_PTS];
static uint64_t nx_bit;

extern char _text[], _etext[], _erodata[], _end[]; /* csvsm.ld */

static uint64_t pa_of(const void *table)
{
	return x86_image_pa(table);
}

static uint64_t image_flags(uint64_t va)
{

	/* Guard pages below the four stacks (boot.c's struct x86_stack_area). */
	for (unsigned int i = 0; i < ARRAY_SIZE(x86_stacks); i++)
		if (va == x86_stacks[i].lo - PAGE_SIZE)
			return 0;
	if (va >= (uint64_t)(uintptr_t)_text && va < (uint64_t)(uintptr_t)_etext)
		return PTE_P;
	if (va >= (uint64_t)(uintptr_t)_etext && va < (uint64_t)(uintptr_t)_erodata)
		return PTE_P | nx_bit;
	if (va >= (uint64_t)(uintptr_t)_erodata && va < (uint64_t)(uintptr_t)_end)
		return PTE_P | PTE_RW | nx_bit;
	return 0;
}

void x86_paging_init(void)
{
	const struct x86_boot *b = &x86_boot_facts;

	if (b->image_end_pa > KMAP_BYTES)
		panic("x86: the image ends at %#llx, beyond the %llu MiB the page tables map",
		      (unsigned long long)b->image_end_pa, KMAP_BYTES >> 20);
	if (x86_rdmsr(X86_MSR_EFER) & X86_EFER_NXE)
		nx_bit = PTE_NX;

	pml4[0] = pa_of(pdpt_id) | PTE_P | PTE_RW;
	for (unsigned int i = 0; i < 4; i++) {
		pdpt_id[i] = pa_of(pd_id[i]) | PTE_P | PTE_RW;
		for (unsigned int j = 0; j < 512; j++)
			pd_id[i][j] =
			    ((uint64_t)(i * 512 + j) << 21) | PTE_P | PTE_RW | PTE_PS | nx_bit;
	}
	pd_id[0][0] = pa_of(pt_low) | PTE_P | PTE_RW;
	for (unsigned int k = 1; k < 512; k++)
		pt_low[k] = ((uint64_t)k << 12) | PTE_P | PTE_RW | nx_bit;

	pml4[511] = pa_of(pdpt_k) | PTE_P | PTE_RW;
	pdpt_k[510] = pa_of(pd_k) | PTE_P | PTE_RW;
	for (unsigned int t = 0; t < KMAP_PTS; t++) {
		pd_k[t] = pa_of(pt_k[t]) | PTE_P | PTE_RW;
		for (unsigned int k = 0; k < 512; k++) {
			uint64_t pa = ((uint64_t)t << 21) | ((uint64_t)k << 12);
			uint64_t fl = image_flags(X86_KERNEL_VMA + pa);

			pt_k[t][k] = fl ? pa | fl : 0;
		}
	}
	x86_write_cr3(pa_of(pml4));
	x86_write_cr0(x86_read_cr0() | X86_CR0_WP);
}

bool x86_va_mapped(uint64_t va)
{
	const uint64_t *t = (const uint64_t *)(uintptr_t)(x86_read_cr3() & ~0xfffull);
	unsigned int shift = 39;

	for (unsigned int level = 0; level < 4; level++, shift -= 9) {
		uint64_t e = t[(va >> shift) & 511];

		if (!(e & PTE_P))
			return false;
		if (level == 3 || (level > 0 && (e & PTE_PS)))
			return true;
		/* Tables live in the image: reach them through the high half. */
		t = (const uint64_t *)(uintptr_t)((e & 0x000ffffffffff000ull) + X86_KERNEL_VMA);
	}
	return true;
}
