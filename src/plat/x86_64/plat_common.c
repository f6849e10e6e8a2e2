/* SPDX-License-Identifier: MIT */
/*
 * Platform functions every bare-metal platform shares: the heap region,
 * MMIO through the identity map, no memory checker, PAUSE.
 */
#include "csvsm/error.h"
#include "csvsm/plat/cpu.h"
#include "csvsm/plat/memory.h"
#include "csvsm/plat/mmio.h"
#include "x86.h"
#include "x86_boot.h"
#include "x86_plat.h"

static struct plat_mem_region heap;

void x86_heap_set(uint64_t pa, size_t size)
{
	heap.base = (void *)(uintptr_t)pa; /* identity-mapped */
	heap.size = size;
}

int plat_heap_region(struct plat_mem_region *out)
{
	if (!heap.base)
		return -CSVSM_ENOMEM;
	*out = heap;
	return 0;
}

/* No memory checker on bare metal (CSVSM_MEMCHECK is 0): never called. */
void plat_mem_poison(const void *p, size_t len)
{
	(void)p;
	(void)len;
}

void plat_mem_unpoison(const void *p, size_t len)
{
	(void)p;
	(void)len;
}

void plat_cpu_relax(void)
{
	x86_pause();
}

/*
 * Device registers through the identity map (uncached: TODO PAT): below 4
 * GiB, or in what x86_map_phys mapped above (the KVM runner's SNP machine
 * puts its devices at the shim's addresses there: docs/kvm-snp.md).
 */
#define MMIO_RD(bits)                                                                              \
	uint##bits##_t plat_mmio_read##bits(uint64_t pa)                                           \
	{                                                                                          \
		if (!x86_phys_mapped(pa, bits / 8) || (pa & (bits / 8 - 1)))                       \
			return (uint##bits##_t) ~0ull;                                             \
		return *(volatile uint##bits##_t *)(uintptr_t)pa;                                  \
	}
#define MMIO_WR(bits)                                                                              \
	void plat_mmio_write##bits(uint64_t pa, uint##bits##_t val)                                \
	{                                                                                          \
		if (!x86_phys_mapped(pa, bits / 8) || (pa & (bits / 8 - 1)))                       \
			return;                                                                    \
		*(volatile uint##bits##_t *)(uintptr_t)pa = val;                                   \
	}
MMIO_RD(8)
MMIO_RD(16)
MMIO_RD(32)
MMIO_RD(64)
MMIO_WR(8)
MMIO_WR(16)
MMIO_WR(32)
MMIO_WR(64)
