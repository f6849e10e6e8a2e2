/* SPDX-License-Identifier: MIT */
/*
 * DMA memory on the kvm platform (csvsm/plat/dma.h): guest memory is not
 * encrypted there, so any heap page is device-visible; the heap is
 * identity-mapped, so its address is the physical address. (On SEV-SNP the
 * pages must be made shared first: src/plat/snp.) On the runner's SNP
 * machine with an NV device, DMA memory is the machine's (the shim's
 * allocator, KVMSNP_REQ_DMA_ALLOC), so the device sees the shim's addresses.
 */
#include "csvsm/mm.h"
#include "csvsm/plat/dma.h"
#include "kvm_plat.h"

static unsigned int dma_order(size_t size)
{
	unsigned int order = 0;

	while (((size_t)PAGE_SIZE << order) < size)
		order++;
	return order;
}

void *plat_dma_alloc(size_t size, uint64_t *pa)
{
	void *p;

	if (size == 0 || pa == NULL || size > ((size_t)PAGE_SIZE << 10))
		return NULL;
	if (kvm_snp_shared() && kvm_snp_shared()->dma_size) {
		uint64_t bus = kvm_snp_dma_alloc(size);

		if (bus == 0)
			return NULL;
		*pa = bus;
		return (void *)(uintptr_t)bus;
	}
	p = page_zalloc(dma_order(size));
	if (p != NULL)
		*pa = (uint64_t)(uintptr_t)p;
	return p;
}

void plat_dma_free(void *va, size_t size)
{
	if (va != NULL && kvm_snp_shared() && kvm_snp_shared()->dma_size) {
		kvm_snp_dma_free((uint64_t)(uintptr_t)va, size);
		return;
	}
	if (va != NULL)
		page_free(va, dma_order(size));
}
