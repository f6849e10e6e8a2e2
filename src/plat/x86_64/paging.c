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
 *                  (x86_unmap_page splits one into 4 KiB pages for the
 *                  guard pages of the APs' stacks, with a page table the
 *                  caller took beforehand.)
 *   above 4 GiB    what x86_map_phys adds (2 MiB pages, read/write, no
 *                  execute): the KVM runner's view of the SNP machine.
 *
 * Only the image's text is executable (EFER.NXE when the CPU has it), and
 * CR0.WP makes read-only hold for ring 0.
 */
#include "csvsm/error.h"
#include "csvsm/lib/spinlock.h"
#include "csvsm/lib/string.h"
#include "csvsm/panic.h"
#include "x86.h"
#include "x86_boot.h"

#define PTE_P  (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_US (1ull << 2) /* user: code dropped to CPL 3 (x86_enter_user) reaches it all */
#define PTE_PS (1ull << 7)
#define PTE_NX (1ull << 63)

#define SMALL_BYTES (8ull << 20) /* mapped with 4 KiB pages: holds the image */
#define SMALL_PTS   (SMALL_BYTES >> 21)
#define PTE_ADDR    0x000ffffffffff000ull

typedef uint64_t pt_page[512] __attribute__((aligned(4096)));

static pt_page pml4, pdpt, pd[4], pt[SMALL_PTS];
static uint64_t nx_bit;
/* Changes after boot (x86_map_phys, x86_unmap_page); taken before x86_ram_take's lock. */
static struct spinlock paging_lock = SPINLOCK_INIT;

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
		return PTE_P | PTE_US;
	if (pa >= (uint64_t)(uintptr_t)_etext && pa < (uint64_t)(uintptr_t)_erodata)
		return PTE_P | PTE_US | nx_bit;
	return PTE_P | PTE_RW | PTE_US | nx_bit;
}

void x86_paging_init(void)
{
	const struct x86_boot *b = &x86_boot_facts;

	if (b->image_end_pa > SMALL_BYTES)
		panic("x86: the image ends at %#llx, beyond the %llu MiB mapped with 4 KiB pages",
		      (unsigned long long)b->image_end_pa, SMALL_BYTES >> 20);
	if (x86_rdmsr(X86_MSR_EFER) & X86_EFER_NXE)
		nx_bit = PTE_NX;

	pml4[0] = x86_image_pa(pdpt) | PTE_P | PTE_RW | PTE_US;
	for (unsigned int i = 0; i < 4; i++) {
		pdpt[i] = x86_image_pa(pd[i]) | PTE_P | PTE_RW | PTE_US;
		for (unsigned int j = 0; j < 512; j++)
			pd[i][j] = ((uint64_t)(i * 512 + j) << 21) | PTE_P | PTE_RW | PTE_US |
			           PTE_PS | nx_bit;
	}
	for (unsigned int t = 0; t < SMALL_PTS; t++) {
		pd[0][t] = x86_image_pa(pt[t]) | PTE_P | PTE_RW | PTE_US;
		for (unsigned int k = 0; k < 512; k++) {
			uint64_t pa = ((uint64_t)t << 21) | ((uint64_t)k << 12);
			uint64_t fl = page_flags(pa);

			pt[t][k] = fl ? pa | fl : 0;
		}
	}
	x86_write_cr3(x86_image_pa(pml4));
	x86_write_cr0(x86_read_cr0() | X86_CR0_WP);
}

/* What x86_map_phys mapped above 4 GiB (x86_phys_mapped reads it without CR3: CPL 3 may ask). */
#define HIGH_RANGES 8
static struct {
	uint64_t base, end;
} high[HIGH_RANGES];
static unsigned int nhigh;

bool x86_phys_mapped(uint64_t pa, uint64_t len)
{
	uint64_t end;
	unsigned int n = __atomic_load_n(&nhigh, __ATOMIC_ACQUIRE);

	if (add_overflows(pa, len, &end))
		return false;
	if (end <= (4ull << 30))
		return true;
	for (unsigned int i = 0; i < n; i++)
		if (pa >= high[i].base && end <= high[i].end)
			return true;
	return false;
}

int x86_map_phys(uint64_t base, uint64_t size)
{
	const uint64_t gib = 1ull << 30;
	uint64_t end;

	if (base < (4ull << 30) || !IS_ALIGNED(base | size, 2ull << 20) || size == 0 ||
	    add_overflows(base, size, &end) || end > (512ull << 30))
		return -CSVSM_EINVAL;
	spin_lock(&paging_lock);
	for (uint64_t g = base / gib; g <= (end - 1) / gib; g++) {
		uint64_t *pdt;

		if (!(pdpt[g] & PTE_P)) {
			uint64_t pa = x86_ram_take(PAGE_SIZE, PAGE_SIZE);

			if (pa == 0) {
				spin_unlock(&paging_lock);
				return -CSVSM_ENOMEM;
			}
			mem_set((void *)(uintptr_t)pa, 0, PAGE_SIZE);
			pdpt[g] = pa | PTE_P | PTE_RW | PTE_US;
		}
		pdt = (uint64_t *)(uintptr_t)(pdpt[g] & PTE_ADDR);
		for (unsigned int j = 0; j < 512; j++) {
			uint64_t pa = g * gib + ((uint64_t)j << 21);

			if (pa >= base && pa < end)
				pdt[j] = pa | PTE_P | PTE_RW | PTE_US | PTE_PS | nx_bit;
		}
	}
	x86_write_cr3(x86_read_cr3()); /* flush the TLB */
	if (nhigh < HIGH_RANGES) {
		high[nhigh].base = base;
		high[nhigh].end = end;
		__atomic_store_n(&nhigh, nhigh + 1, __ATOMIC_RELEASE);
	}
	spin_unlock(&paging_lock);
	return 0;
}

int x86_unmap_page(uint64_t va, uint64_t *spare_pt)
{
	uint64_t *pde, *ptab;

	if (va == 0 || va >= (4ull << 30) || !IS_ALIGNED(va, (uint64_t)PAGE_SIZE))
		return -CSVSM_EINVAL;
	spin_lock(&paging_lock);
	pde = &pd[va >> 30][(va >> 21) & 511];
	if (*pde & PTE_PS) {
		/* Split the 2 MiB page into 512 4 KiB pages of the same rights. */
		uint64_t pa = spare_pt ? *spare_pt : 0;
		uint64_t rights = *pde & (PTE_P | PTE_RW | PTE_US | PTE_NX);

		if (pa == 0 || !IS_ALIGNED(pa, (uint64_t)PAGE_SIZE)) {
			spin_unlock(&paging_lock);
			return -CSVSM_ENOMEM;
		}
		*spare_pt = 0;
		ptab = (uint64_t *)(uintptr_t)pa;
		for (unsigned int k = 0; k < 512; k++)
			ptab[k] = (ALIGN_DOWN(va, 2ull << 20) + ((uint64_t)k << 12)) | rights;
		__atomic_store_n(pde, pa | PTE_P | PTE_RW | PTE_US, __ATOMIC_RELEASE);
	}
	ptab = (uint64_t *)(uintptr_t)(*pde & PTE_ADDR);
	__atomic_store_n(&ptab[(va >> 12) & 511], 0, __ATOMIC_RELEASE);
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
	spin_unlock(&paging_lock);
	return 0;
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
