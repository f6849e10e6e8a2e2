/* SPDX-License-Identifier: MIT */
#include "csvsm/boot.h"
#include "csvsm/error.h"
#include "csvsm/log.h"
#include "csvsm/mm.h"
#include "csvsm/plat/memory.h"

int svsm_boot_memory(struct svsm_boot_report *out)
{
	struct plat_mem_region region;
	struct mm_stats stats;
	int rc;

	rc = plat_heap_region(&region);
	if (rc < 0) {
		log_printf("boot: the platform has no heap memory (%s)\n", csvsm_strerror(rc));
		return rc;
	}
	rc = mm_init(region.base, region.size);
	if (rc < 0) {
		log_printf("boot: heap at %p (%zu bytes) unusable (%s)\n", region.base, region.size,
		           csvsm_strerror(rc));
		return rc;
	}
	mm_get_stats(&stats);
	if (out) {
		out->heap_base = region.base;
		out->heap_bytes = region.size;
		out->heap_pages = stats.total_pages;
	}
	return 0;
}
