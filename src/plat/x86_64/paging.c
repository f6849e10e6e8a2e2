/* SPDX-License-Identifier: MIT */
/*
 * The final page tables (AMD APM vol. 2, 5.3 long-mode paging), replacing
 * entry.S's boot tables. Everything is identity-mapped (virtual =
 * physical) from 0 to 4 GiB:
 *
 *   0 .. 8 MiB     4 KiB pages. Page 0 is not mapped (NULL dereferences
 *                  fault). The image: text read-only + executable, rodata
 *                  read-only, data and bss read/write, the guard page below
 *                  each stack not mapped. The rest read/write.
 *   8 MiB .. 4 GiB 2 MiB pages, read/write: RAM for the heap, devices.
 *
 * Only the image's text is executable (EFER.NXE when the CPU has it), and
 * CR0.WP makes read-only hold for ring 0.
 */
#include "csvsm/panic.h"
#include "x86.h"
#include "x86_boot.h"

#define PTE_P  (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_PS (1ull << 7)
#define PTE_NX (1ull << 63)

#define SMALL_BYTES (8ull << 20) /* mapped with 4 KiB pages: holds the image */
#define SMALL_PTS   (SMALL_BYTES >> 21)
#define PTE_ADDR    0x000ffffffffff000ull

typedef uint64_t pt_page[512] __attribute__((aligned(4096)));

static pt_page pml4, pdpt, pd[4], pt[SMALL_PTS];
static uint64_t nx_bit;

extern char _text[], _etext[], _erodata[], _end[]; /* csvsm.ld */

static uint64_t page_flags(uint64_t pa)
{
	if (pa == 0)
		return 0;
	/* Guard pages below the four stacks (boot.c's struct x86_stack_area). */
	for (unsigned int i = 0; i < ARRAY_SIZE(x86_stacks); i++)
		if (pa == x86_stacks[i].lo - PAGE_SIZE)
			return 0;
	if (pa >= (uint64_t)(uintptr_t)_text && pa < (uint64_t)(uintptr_t)_etext)
		return PTE_P;
	if (pa >= (uint64_t)(uintptr_t)_etext && pa < (uint64_t)(uintptr_t)_erodata)
		return PTE_P | nx_bit;
	return PTE_P | PTE_RW | nx_bit;
}

void x86_paging_init(void)
{
	const struct x86_boot *b = &x86_boot_facts;

	if (b->image_end_pa > SMALL_BYTES)
		panic("x86: the image ends at %#llx, beyond the %llu MiB mapped with 4 KiB pages",
		      (unsigned long long)b->image_end_pa, SMALL_BYTES >> 20);
	if (x86_rdmsr(X86_MSR_EFER) & X86_EFER_NXE)
		nx_bit = PTE_NX;

	pml4[0] = x86_image_pa(pdpt) | PTE_P | PTE_RW;
	for (unsigned int i = 0; i < 4; i++) {
		pdpt[i] = x86_image_pa(pd[i]) | PTE_P | PTE_RW;
		for (unsigned int j = 0; j < 512; j++)
			pd[i][j] =
			    ((uint64_t)(i * 512 + j) << 21) | PTE_P | PTE_RW | PTE_PS | nx_bit;
	}
	for (unsigned int t = 0; t < SMALL_PTS; t++) {
		pd[0][t] = x86_image_pa(pt[t]) | PTE_P | PTE_RW;
		for (unsigned int k = 0; k < 512; k++) {
			uint64_t pa = ((uint64_t)t << 21) | ((uint64_t)k << 12);
			uint64_t fl = page_flags(pa);

			pt[t][k] = fl ? pa | fl : 0;
		}
	}
	x86_write_cr3(x86_image_pa(pml4));
	x86_write_cr0(x86_read_cr0() | X86_CR0_WP);
}

bool x86_va_mapped(uint64_t va)
{
	const uint64_t *t = (const uint64_t *)(uintptr_t)(x86_read_cr3() & PTE_ADDR);
	unsigned int shift = 39;

	for (unsigned int level = 0; level < 4; level++, shift -= 9) {
		uint64_t e = t[(va >> shift) & 511];

		if (!(e & PTE_P))
			return false;
		if (level == 3 || (level > 0 && (e & PTE_PS)))
			return true;
		t = (const uint64_t *)(uintptr_t)(e & PTE_ADDR); /* tables are identity-mapped */
	}
	return true;
}
