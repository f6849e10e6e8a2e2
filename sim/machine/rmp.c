/* SPDX-License-Identifier: MIT */
/*
 * Simulator RMP model (see rmp.h for the rules and where they come from).
 *
 * Storage: one uint32_t per 4 KiB page, in a single allocation with the
 * header. A 2 MiB entry is 512 identical words. Layout of a word:
 *   bits 15:0  perms, VMPL v in bits 4v+3:4v (RMP_PERM_* order)
 *   bit 16     assigned
 *   bit 17     validated
 *   bit 18     vmsa
 *   bit 19     immutable
 *   bit 20     page size is 2 MiB
 */
#include <stdlib.h>
#include <string.h>

#include "csvsm/error.h"
#include "rmp.h"

#define E_PERMS_SHIFT(vmpl) (4u * (vmpl))
#define E_PERMS_MASK(vmpl)  ((uint32_t)RMP_PERM_ALL << E_PERMS_SHIFT(vmpl))
#define E_ASSIGNED          ((uint32_t)1 << 16)
#define E_VALIDATED         ((uint32_t)1 << 17)
#define E_VMSA              ((uint32_t)1 << 18)
#define E_IMMUTABLE         ((uint32_t)1 << 19)
#define E_SIZE_2M           ((uint32_t)1 << 20)
#define E_SIZE_SHIFT        20
#define E_NEVER             ((uint32_t)1 << 31) /* never set in an entry */

/* The state every RMPUPDATE leaves (abi 4.3), without size and assigned. */
#define E_RESET ((uint32_t)RMP_PERM_ALL)

#define RMP_4K_SHIFT  12
#define RMP_2M_SHIFT  21
#define RMP_2M_PAGES  ((uint64_t)1 << (RMP_2M_SHIFT - RMP_4K_SHIFT))
#define RMP_MAX_LIMIT ((uint64_t)1 << 52)

/* The attribute bits RMPADJUST accepts (abi 4.2). */
#define ADJ_TARGET_MASK ((uint64_t)0xff)
#define ADJ_PERMS_SHIFT 8
#define ADJ_VALID       (ADJ_TARGET_MASK | RMPADJUST_PERM_RWX | RMPADJUST_VMSA)

struct sim_rmp {
	uint64_t limit;
	uint64_t npages;
	/*
	 * After sim_rmp_snapshot: the entries written since the snapshot or the
	 * last restore (a flag per entry, and their list), so that a restore
	 * copies back only those. NULL before the first snapshot.
	 */
	uint8_t *dirty;
	uint32_t *dirty_list;
	uint64_t dirty_count;
	uint64_t writes; /* entry writes ever (sim_rmp_writes) */
	uint32_t e[];
};

/* Notes that entries [first, first + n) are about to be written. */
static inline void note_written(struct sim_rmp *rmp, uint64_t first, uint64_t n)
{
	rmp->writes += n;
	if (!rmp->dirty)
		return;
	for (uint64_t i = first; i < first + n; i++) {
		if (!rmp->dirty[i]) {
			rmp->dirty[i] = 1;
			rmp->dirty_list[rmp->dirty_count++] = (uint32_t)i;
		}
	}
}

struct sim_rmp *sim_rmp_new(uint64_t limit_bytes)
{
	struct sim_rmp *rmp;
	uint64_t npages, i;

	if (limit_bytes == 0 || limit_bytes > RMP_MAX_LIMIT ||
	    (limit_bytes & (((uint64_t)1 << RMP_2M_SHIFT) - 1)) != 0)
		return NULL;
	npages = limit_bytes >> RMP_4K_SHIFT;
	if (npages > (SIZE_MAX - sizeof(*rmp)) / sizeof(rmp->e[0]))
		return NULL;
	rmp = malloc(sizeof(*rmp) + (size_t)npages * sizeof(rmp->e[0]));
	if (!rmp)
		return NULL;
	rmp->limit = limit_bytes;
	rmp->npages = npages;
	rmp->dirty = NULL;
	rmp->dirty_list = NULL;
	rmp->dirty_count = 0;
	rmp->writes = 0;
	for (i = 0; i < npages; i++)
		rmp->e[i] = E_RESET;
	return rmp;
}

void sim_rmp_free(struct sim_rmp *rmp)
{
	if (rmp) {
		free(rmp->dirty);
		free(rmp->dirty_list);
	}
	free(rmp);
}

uint64_t sim_rmp_limit(const struct sim_rmp *rmp)
{
	return rmp->limit;
}

/* Stores `v` in the `n` entries from `first`. */
static void set_entries(struct sim_rmp *rmp, uint64_t first, uint64_t n, uint32_t v)
{
	uint64_t i;

	note_written(rmp, first, n);
	for (i = 0; i < n; i++)
		rmp->e[first + i] = v;
}

/* Writes `v` to the entry of the page at `pfn` of `size` (a 2 MiB page: its 512 entries). */
static void store_entry(struct sim_rmp *rmp, uint64_t pfn, enum rmp_page_size size, uint32_t v)
{
	set_entries(rmp, pfn, size == RMP_PAGE_4K ? 1 : RMP_2M_PAGES, v);
}

static bool any_immutable(const struct sim_rmp *rmp, uint64_t first, uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		if (rmp->e[first + i] & E_IMMUTABLE)
			return true;
	return false;
}

/* The first entry and the entry count of the entry that covers `pfn`. */
static void entry_span(const struct sim_rmp *rmp, uint64_t pfn, uint64_t *first, uint64_t *n)
{
	if (rmp->e[pfn] & E_SIZE_2M) {
		*first = pfn & ~(RMP_2M_PAGES - 1);
		*n = RMP_2M_PAGES;
	} else {
		*first = pfn;
		*n = 1;
	}
}

int sim_rmp_update(struct sim_rmp *rmp, uint64_t gpa, enum rmp_page_size size, bool assigned)
{
	uint64_t pfn = gpa >> RMP_4K_SHIFT, first, n, span;
	uint32_t v;

	if (size != RMP_PAGE_4K && size != RMP_PAGE_2M)
		return -CSVSM_EINVAL;
	n = size == RMP_PAGE_2M ? RMP_2M_PAGES : 1;
	if ((gpa & ((n << RMP_4K_SHIFT) - 1)) != 0)
		return -CSVSM_EINVAL;
	if (gpa >= rmp->limit)
		return -CSVSM_ERANGE;
	if (size == RMP_PAGE_4K && (rmp->e[pfn] & E_SIZE_2M)) {
		/* A page inside a 2 MiB entry: the whole entry is concerned. */
		entry_span(rmp, pfn, &first, &span);
		if (rmp->e[pfn] & E_IMMUTABLE)
			return -CSVSM_EPERM;
		if (rmp->e[pfn] & E_ASSIGNED)
			return -CSVSM_EINVAL; /* FAIL_OVERLAP: PSMASH first */
		set_entries(rmp, first, span, rmp->e[pfn] & ~E_SIZE_2M);
	} else if (any_immutable(rmp, pfn, n)) {
		return -CSVSM_EPERM;
	}
	v = E_RESET | ((uint32_t)size << E_SIZE_SHIFT) | (assigned ? E_ASSIGNED : 0);
	set_entries(rmp, pfn, n, v);
	return 0;
}

int sim_rmp_psmash(struct sim_rmp *rmp, uint64_t gpa_2m)
{
	uint64_t pfn = gpa_2m >> RMP_4K_SHIFT;

	if ((gpa_2m & ((RMP_2M_PAGES << RMP_4K_SHIFT) - 1)) != 0)
		return -CSVSM_EINVAL;
	if (gpa_2m >= rmp->limit)
		return -CSVSM_ERANGE;
	if (!(rmp->e[pfn] & E_SIZE_2M))
		return -CSVSM_EINVAL;
	if (rmp->e[pfn] & E_IMMUTABLE)
		return -CSVSM_EPERM;
	set_entries(rmp, pfn, RMP_2M_PAGES, rmp->e[pfn] & ~E_SIZE_2M);
	return 0;
}

int sim_rmp_set_immutable(struct sim_rmp *rmp, uint64_t gpa, bool immutable)
{
	uint64_t first, n, i;

	if (gpa >= rmp->limit)
		return -CSVSM_ERANGE;
	entry_span(rmp, gpa >> RMP_4K_SHIFT, &first, &n);
	note_written(rmp, first, n);
	for (i = first; i < first + n; i++)
		rmp->e[i] = (rmp->e[i] & ~E_IMMUTABLE) | (immutable ? E_IMMUTABLE : 0);
	return 0;
}

/* True when the entry is assigned to this guest (abi 4.1 step 2, 4.2 step 2). */
static inline bool owned(uint32_t v)
{
	return (v & (E_ASSIGNED | E_IMMUTABLE)) == E_ASSIGNED;
}

int sim_rmp_pvalidate(struct sim_rmp *rmp, unsigned vmpl, uint64_t gpa, enum rmp_page_size size,
                      bool validate, bool *unchanged)
{
	uint64_t pfn;
	uint32_t v;

	if ((unsigned)size > RMP_PAGE_2M)
		return RMP_FAIL_INPUT;
	if ((gpa & (((uint64_t)1 << (size == RMP_PAGE_2M ? RMP_2M_SHIFT : RMP_4K_SHIFT)) - 1)) != 0)
		return RMP_FAIL_INPUT;
	if (vmpl != 0)
		return RMP_FAIL_PERMISSION;
	if (gpa >= rmp->limit)
		return SIM_RMP_NPF;
	pfn = gpa >> RMP_4K_SHIFT;
	v = rmp->e[pfn];
	if (!owned(v))
		return SIM_RMP_NPF;
	if (((v >> E_SIZE_SHIFT) & 1) != (unsigned)size)
		return RMP_FAIL_SIZEMISMATCH;
	if (((v & E_VALIDATED) != 0) == validate) {
		*unchanged = true;
		return RMP_SUCCESS;
	}
	v ^= E_VALIDATED;
	store_entry(rmp, pfn, size, v);
	*unchanged = false;
	return RMP_SUCCESS;
}

int sim_rmp_rmpadjust(struct sim_rmp *rmp, unsigned vmpl, uint64_t gpa, enum rmp_page_size size,
                      uint64_t attrs)
{
	unsigned target = (unsigned)(attrs & ADJ_TARGET_MASK);
	uint32_t req = (uint32_t)(attrs >> ADJ_PERMS_SHIFT) & RMP_PERM_ALL;
	uint64_t pfn;
	uint32_t v;

	if ((unsigned)size > RMP_PAGE_2M || (attrs & ~ADJ_VALID) != 0 || target >= SIM_RMP_NR_VMPL)
		return RMP_FAIL_INPUT;
	if (size == RMP_PAGE_2M) {
		if ((gpa & (((uint64_t)1 << RMP_2M_SHIFT) - 1)) != 0 || (attrs & RMPADJUST_VMSA))
			return RMP_FAIL_INPUT;
	} else if ((gpa & (((uint64_t)1 << RMP_4K_SHIFT) - 1)) != 0) {
		return RMP_FAIL_INPUT;
	}
	/* Also rejects every vmpl > 3, so the shifts below stay in range. */
	if (target <= vmpl)
		return RMP_FAIL_PERMISSION;
	if (gpa >= rmp->limit)
		return SIM_RMP_NPF;
	pfn = gpa >> RMP_4K_SHIFT;
	v = rmp->e[pfn];
	if (!owned(v))
		return SIM_RMP_NPF;
	if (!(v & E_VALIDATED))
		return SIM_RMP_VC;
	if (((v >> E_SIZE_SHIFT) & 1) != (unsigned)size)
		return RMP_FAIL_SIZEMISMATCH;
	if ((req & ~(v >> E_PERMS_SHIFT(vmpl))) != 0)
		return RMP_FAIL_PERMISSION;
	v &= ~(E_PERMS_MASK(target) | E_VMSA);
	v |= req << E_PERMS_SHIFT(target);
	if (attrs & RMPADJUST_VMSA)
		v |= E_VMSA;
	store_entry(rmp, pfn, size, v);
	return RMP_SUCCESS;
}

enum sim_access_result sim_rmp_check(const struct sim_rmp *rmp, unsigned vmpl, uint64_t gpa,
                                     size_t len, unsigned access, uint64_t *fault_gpa)
{
	uint64_t pfn, last_pfn, last;
	enum sim_access_result res;
	uint32_t need, v;

	/* Rights never granted require E_NEVER, a bit no entry has. */
	if (likely(vmpl < SIM_RMP_NR_VMPL && (access & ~(unsigned)RMP_PERM_ALL) == 0))
		need = (uint32_t)access << E_PERMS_SHIFT(vmpl);
	else
		need = E_NEVER;
	if (len == 0)
		return SIM_ACCESS_OK;
	if (add_overflows(gpa, (uint64_t)len - 1, &last))
		last = UINT64_MAX;
	last_pfn = last >> RMP_4K_SHIFT;
	for (pfn = gpa >> RMP_4K_SHIFT; pfn <= last_pfn; pfn++) {
		if (pfn >= rmp->npages) {
			res = SIM_ACCESS_NPF;
			goto fault;
		}
		v = rmp->e[pfn];
		if (likely((v & (E_ASSIGNED | E_IMMUTABLE | E_VALIDATED | need)) ==
		           (E_ASSIGNED | E_VALIDATED | need)))
			continue;
		/* abi 4.4: assigned, then validated, then permissions. */
		if (!owned(v))
			res = SIM_ACCESS_NPF;
		else if (!(v & E_VALIDATED))
			res = SIM_ACCESS_VC;
		else
			res = SIM_ACCESS_NPF;
		goto fault;
	}
	return SIM_ACCESS_OK;
fault:
	if (fault_gpa)
		*fault_gpa = pfn == gpa >> RMP_4K_SHIFT ? gpa : pfn << RMP_4K_SHIFT;
	return res;
}

int sim_rmp_query(const struct sim_rmp *rmp, uint64_t gpa, struct sim_rmp_entry *out)
{
	uint32_t v;
	unsigned i;

	if (gpa >= rmp->limit)
		return -CSVSM_ERANGE;
	v = rmp->e[gpa >> RMP_4K_SHIFT];
	out->assigned = (v & E_ASSIGNED) != 0;
	out->validated = (v & E_VALIDATED) != 0;
	out->vmsa = (v & E_VMSA) != 0;
	out->immutable = (v & E_IMMUTABLE) != 0;
	out->size = (v & E_SIZE_2M) ? RMP_PAGE_2M : RMP_PAGE_4K;
	for (i = 0; i < SIM_RMP_NR_VMPL; i++)
		out->perms[i] = (uint8_t)((v >> E_PERMS_SHIFT(i)) & RMP_PERM_ALL);
	return 0;
}

bool sim_rmp_vmsa_page(const struct sim_rmp *rmp, uint64_t gpa, bool validated)
{
	uint32_t need = E_VMSA | (validated ? E_VALIDATED : 0);

	return gpa < rmp->limit && (rmp->e[gpa >> RMP_4K_SHIFT] & need) == need;
}

uint64_t sim_rmp_key(const struct sim_rmp *rmp, uint64_t gpa)
{
	return gpa < rmp->limit ? rmp->e[gpa >> RMP_4K_SHIFT] : UINT64_MAX;
}

uint64_t sim_rmp_count_validated(const struct sim_rmp *rmp)
{
	uint64_t i, n = 0;

	for (i = 0; i < rmp->npages; i++)
		n += (rmp->e[i] & E_VALIDATED) != 0;
	return n;
}

size_t sim_rmp_snapshot_size(const struct sim_rmp *rmp)
{
	return (size_t)rmp->npages * sizeof(rmp->e[0]);
}

int sim_rmp_snapshot(struct sim_rmp *rmp, void *buf)
{
	if (!rmp->dirty) {
		rmp->dirty = calloc(rmp->npages, 1);
		rmp->dirty_list = calloc(rmp->npages, sizeof(*rmp->dirty_list));
		if (!rmp->dirty || !rmp->dirty_list) {
			free(rmp->dirty);
			free(rmp->dirty_list);
			rmp->dirty = NULL;
			rmp->dirty_list = NULL;
			return -1;
		}
	}
	for (uint64_t i = 0; i < rmp->dirty_count; i++)
		rmp->dirty[rmp->dirty_list[i]] = 0;
	rmp->dirty_count = 0;
	memcpy(buf, rmp->e, sim_rmp_snapshot_size(rmp));
	return 0;
}

void sim_rmp_restore(struct sim_rmp *rmp, const void *buf)
{
	const uint32_t *saved = buf;

	if (!rmp->dirty) {
		memcpy(rmp->e, buf, sim_rmp_snapshot_size(rmp));
		return;
	}
	for (uint64_t i = 0; i < rmp->dirty_count; i++) {
		uint32_t k = rmp->dirty_list[i];

		rmp->e[k] = saved[k];
		rmp->dirty[k] = 0;
	}
	rmp->dirty_count = 0;
}

uint64_t sim_rmp_writes(const struct sim_rmp *rmp)
{
	return rmp->writes;
}
