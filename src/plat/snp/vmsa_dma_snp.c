/* SPDX-License-Identifier: MIT */
/*
 * VMSA field access and DMA memory on SEV-SNP hardware (csvsm/plat/vmpl.h,
 * csvsm/plat/dma.h).
 *
 * VMSA access: a VMSA page is mapped identity (plat_vmsa_map). When the
 * hypervisor has taken the page away, the access itself faults on SNP: an
 * RMP violation is an #NPF that the hypervisor cannot resolve, and a page
 * that is no longer validated raises #VC  (AMD APM vol. 2, "RMP and VMPL
 * Access Checks" in the SNP chapter). Neither returns to this code: the #VC goes to the
 * exception handler, which reports it and stops the vCPU, and an #NPF is
 * never resumed by an honest-or-not hypervisor in a way that shows stale
 * contents. So a call is never served from a replaced VMSA; the vCPU is lost
 * (the contract's "dead vCPU"), never fed garbage. Returning -CSVSM_EFAULT
 * instead would need a per-vCPU exception fixup, which x86_try (boot vCPU
 * only) does not provide yet.
 *
 * DMA: a device may only reach pages that are shared (hypervisor-owned, not
 * validated). Converting heap pages to shared takes a page state change and
 * a PVALIDATE rescind per page; no SNP storage device is probed yet
 * (plat_nv_device returns NULL), so no DMA memory is handed out.
 */
#include "csvsm/abi/vmsa.h"
#include "csvsm/error.h"
#include "csvsm/lib/string.h"
#include "csvsm/plat/dma.h"
#include "csvsm/plat/vmpl.h"

int plat_vmsa_read(const void *vmsa, size_t off, void *dst, size_t len)
{
	if (!vmsa || off > PAGE_SIZE || len > PAGE_SIZE - off)
		return -CSVSM_EFAULT;
	mem_copy(dst, (const uint8_t *)vmsa + off, len);
	return 0;
}

int plat_vmsa_write(void *vmsa, size_t off, const void *src, size_t len)
{
	if (!vmsa || off > PAGE_SIZE || len > PAGE_SIZE - off)
		return -CSVSM_EFAULT;
	mem_copy((uint8_t *)vmsa + off, src, len);
	return 0;
}

void *plat_dma_alloc(size_t size, uint64_t *pa)
{
	(void)size;
	(void)pa;
	return NULL;
}

void plat_dma_free(void *va, size_t size)
{
	(void)va;
	(void)size;
}
