/* SPDX-License-Identifier: MIT */
#include "csvsm/gpa.h"
#include "csvsm/error.h"

static struct plat_mem_range guest_ram[PLAT_MAX_MEM_RANGES];
static unsigned int guest_ram_count;
static gpa_t svsm_base;
static uint64_t svsm_size;

static bool ranges_overlap(gpa_t a, uint64_t alen, gpa_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

int gpa_init(const struct plat_boot_info *info)
{
	uint64_t end;

	if (info->ram_count == 0 || info->ram_count > PLAT_MAX_MEM_RANGES)
		return -CSVSM_EINVAL;
	if (info->svsm_size == 0 || !IS_ALIGNED(info->svsm_base | info->svsm_size, PAGE_SIZE) ||
	    add_overflows(info->svsm_base, info->svsm_size, &end))
		return -CSVSM_EINVAL;
	for (unsigned int i = 0; i < info->ram_count; i++) {
		const struct plat_mem_range *r = &info->ram[i];

		if (r->size == 0 || !IS_ALIGNED(r->base | r->size, PAGE_SIZE) ||
		    add_overflows(r->base, r->size, &end))
			return -CSVSM_EINVAL;
		/* Sorted and disjoint, and never overlapping SVSM memory. */
		if (i > 0 && r->base < info->ram[i - 1].base + info->ram[i - 1].size)
			return -CSVSM_EINVAL;
		if (ranges_overlap(r->base, r->size, info->svsm_base, info->svsm_size))
			return -CSVSM_EINVAL;
	}
	for (unsigned int i = 0; i < info->ram_count; i++)
		guest_ram[i] = info->ram[i];
	guest_ram_count = info->ram_count;
	svsm_base = info->svsm_base;
	svsm_size = info->svsm_size;
	return 0;
}

bool gpa_overlaps_svsm(gpa_t gpa, uint64_t len)
{
	uint64_t end;

	if (add_overflows(gpa, len, &end))
		return true;
	return ranges_overlap(gpa, len, svsm_base, svsm_size);
}

bool gpa_is_guest_ram(gpa_t gpa, uint64_t len)
{
	uint64_t end;

	if (len == 0 || add_overflows(gpa, len, &end))
		return false;
	for (unsigned int i = 0; i < guest_ram_count; i++) {
		const struct plat_mem_range *r = &guest_ram[i];

		if (gpa >= r->base && end <= r->base + r->size)
			return !gpa_overlaps_svsm(gpa, len);
	}
	return false;
}

gpa_t gpa_svsm_base(void)
{
	return svsm_base;
}

uint64_t gpa_svsm_size(void)
{
	return svsm_size;
}
