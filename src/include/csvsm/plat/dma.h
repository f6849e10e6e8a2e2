/* SPDX-License-Identifier: MIT */
/*
 * Platform interface: memory a device may reach by DMA.
 *
 * On SEV-SNP a device is emulated by the hypervisor, which can only read or
 * write shared (unencrypted) pages; everything the SVSM hands a device
 * (virtqueues, request headers, bounce buffers) lives in such memory, and
 * nothing else is ever posted to a device. The contents are untrusted: the
 * hypervisor may read or change them at any moment, so a driver copies
 * what it needs out once and validates the copy.
 */
#ifndef CSVSM_PLAT_DMA_H
#define CSVSM_PLAT_DMA_H

#include "csvsm/types.h"

/*
 * Allocates `size` bytes (rounded up to whole pages) of page-aligned,
 * zeroed memory that devices may access; sets *pa to the physical address
 * a device must be given. Returns the address the SVSM uses, or NULL when
 * `size` is 0, `pa` is NULL or no such memory is left.
 */
void *plat_dma_alloc(size_t size, uint64_t *pa) CSVSM_MUST_CHECK;

/*
 * Returns memory from plat_dma_alloc (same `size`) to the platform, which
 * makes it private again before reuse. NULL is ignored.
 */
void plat_dma_free(void *va, size_t size);

#endif /* CSVSM_PLAT_DMA_H */
