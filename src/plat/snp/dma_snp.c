/* SPDX-License-Identifier: MIT */
/*
 * DMA memory (csvsm/plat/dma.h) and VMSA accesses (csvsm/plat/vmpl.h) on
 * SEV-SNP.
 *
 * DMA: heap pages made shared, one 4 KiB page at a time, in the order abi
 * §3.4 prescribes: to shared = PVALIDATE(rescind) first, then the page
 * state change (GHCB MSR 0x014, op 2); back to private = the page state
 * change (op 1) first, then PVALIDATE(validate). A page whose way back
 * fails is never reused (it stays allocated, and the log says so). Still
 * missing: the page tables map everything without the C-bit (see
 * plat_snp.c), so these paths cannot be exercised yet.
 *
 * VMSA: the copy runs under a catch of #VC, so a VMSA page the hypervisor
 * took away and gave back unvalidated (#VC 0x404) ends in -CSVSM_EFAULT
 * instead of a crash. (#NPF never reaches the guest.)
 */
#include "../x86_64/x86.h"
#include "../x86_64/x86_boot.h"
#include "csvsm/error.h"
#include "csvsm/lib/string.h"
#include "csvsm/log.h"
#include "csvsm/mm.h"
#include "csvsm/plat/dma.h"
#include "csvsm/plat/ghcb.h"
#include "csvsm/plat/rmp.h"
#include "csvsm/plat/vmpl.h"
#include "snp_abi.h"
#include "snp_plat.h"

static unsigned int dma_order(size_t size)
{
	unsigned int order = 0;

	while (((size_t)PAGE_SIZE << order) < size)
		order++;
	return order;
}

static bool page_to_shared(uint64_t pa)
{
	bool unchanged;

	if (plat_pvalidate(pa, RMP_PAGE_4K, false, &unchanged) != RMP_SUCCESS)
		return false;
	return snp_msr_psc_ok(
	    plat_ghcb_msr_request(GHCB_MSR_PSC(pa >> PAGE_SHIFT, GHCB_PSC_OP_SHARED)));
}

static bool page_to_private(uint64_t pa)
{
	bool unchanged;

	if (!snp_msr_psc_ok(
	        plat_ghcb_msr_request(GHCB_MSR_PSC(pa >> PAGE_SHIFT, GHCB_PSC_OP_PRIVATE))))
		return false;
	return plat_pvalidate(pa, RMP_PAGE_4K, true, &unchanged) == RMP_SUCCESS && !unchanged;
}

void *plat_dma_alloc(size_t size, uint64_t *pa)
{
	unsigned int order;
	size_t pages;
	uint8_t *p;

	if (size == 0 || pa == NULL || size > ((size_t)PAGE_SIZE << MM_MAX_ORDER) ||
	    !snp_is_active())
		return NULL;
	order = dma_order(size);
	pages = (size_t)1 << order;
	p = page_alloc(order);
	if (!p)
		return NULL;
	for (size_t i = 0; i < pages; i++) {
		if (!page_to_shared(x86_image_pa(p + i * PAGE_SIZE))) {
			bool all_back = true;

			while (i-- > 0)
				all_back =
				    page_to_private(x86_image_pa(p + i * PAGE_SIZE)) && all_back;
			if (all_back)
				page_free(p, order);
			else
				log_printf(
				    "snp: DMA pages at %p lost (cannot make them private again)\n",
				    (void *)p);
			return NULL;
		}
	}
	mem_set(p, 0, pages * PAGE_SIZE);
	*pa = x86_image_pa(p);
	return p;
}

void plat_dma_free(void *va, size_t size)
{
	unsigned int order;
	bool all_back = true;

	if (va == NULL)
		return;
	order = dma_order(size);
	for (size_t i = 0; i < ((size_t)1 << order); i++)
		all_back = page_to_private(x86_image_pa((uint8_t *)va + i * PAGE_SIZE)) && all_back;
	if (all_back)
		page_free(va, order);
	else
		log_printf("snp: DMA pages at %p lost (cannot make them private again)\n", va);
}

static int vmsa_copy(void *dst, const void *src, size_t off, size_t len)
{
	struct x86_catch c = {.quiet = true};

	if (off > PAGE_SIZE || len > PAGE_SIZE - off)
		return -CSVSM_EFAULT;
	if (x86_try(&c, 1u << X86_VEC_VC) == 0) {
		mem_copy(dst, src, len);
		x86_try_end(&c);
		return 0;
	}
	return -CSVSM_EFAULT;
}

int plat_vmsa_read(const void *vmsa, size_t off, void *dst, size_t len)
{
	if (off > PAGE_SIZE || len > PAGE_SIZE - off)
		return -CSVSM_EFAULT;
	return vmsa_copy(dst, (const uint8_t *)vmsa + off, off, len);
}

int plat_vmsa_write(void *vmsa, size_t off, const void *src, size_t len)
{
	if (off > PAGE_SIZE || len > PAGE_SIZE - off)
		return -CSVSM_EFAULT;
	return vmsa_copy((uint8_t *)vmsa + off, src, off, len);
}
