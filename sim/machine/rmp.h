/* SPDX-License-Identifier: MIT */
/*
 * Simulator RMP model: the Reverse Map Table of one SEV-SNP guest, with the
 * guest-side instructions that change it (PVALIDATE, RMPADJUST), the
 * hypervisor-side ones (RMPUPDATE, PSMASH) and the checks made on every
 * private memory access. Rules follow AMD APM vol. 3 ("PVALIDATE",
 * "RMPADJUST") as summarised in shared/reference/svsm-abi.md section 4
 * (cited below as "abi 4.x").
 *
 * One entry per 4 KiB page of the guest physical space [0, limit). A 2 MiB
 * RMP entry is modelled as 512 identical 4 KiB entries: every operation that
 * creates or changes a 2 MiB entry writes all 512, so a lookup of any page
 * sees the state of the entry that covers it. Entries carry no ASID or GPA:
 * the model holds a single guest, and an entry is "assigned to this guest at
 * this GPA" exactly when it is assigned and not immutable.
 *
 * The model only holds state: it never touches guest memory. Hosted C, not
 * thread-safe (the simulator runs one context at a time).
 *
 * Model decisions where the APM is unconfirmed or silent (guesses):
 *  - PVALIDATE at VMPL != 0 returns RMP_FAIL_PERMISSION, as VERISMO models
 *    it; the APM outcome (#GP or a return code) is unconfirmed (abi 4.1).
 *  - Operand checks (FAIL_INPUT) come first, before the VMPL and RMP checks:
 *    they need no RMP lookup. This includes RMPADJUST's "VMSA with 2 MiB"
 *    rule (see sim_rmp_rmpadjust).
 *  - A GPA at or beyond the limit is "not guest memory": #NPF, at the point
 *    where the RMP entry is looked up.
 *  - A 4 KiB PVALIDATE or RMPADJUST on a page covered by a 2 MiB entry
 *    returns RMP_FAIL_SIZEMISMATCH, as plat/rmp.h documents. Real hardware
 *    may instead raise #NPF with the size-mismatch bit (which KVM answers
 *    with PSMASH and a retry) [unconfirmed]; the sim's hypervisor never
 *    splits pages behind the guest's back.
 *  - Immutable entries belong to the firmware: for the guest they are "not
 *    assigned to this ASID" (#NPF on every guest operation and access), and
 *    the hypervisor may not RMPUPDATE or PSMASH them.
 *  - RMPADJUST's shadow-stack permission bit (12) is treated as reserved.
 */
#ifndef CSVSM_SIM_RMP_H
#define CSVSM_SIM_RMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "csvsm/plat/rmp.h"

/* The number of VMPLs (0 is the most privileged). */
#define SIM_RMP_NR_VMPL 4

/*
 * Fault outcomes of sim_rmp_pvalidate and sim_rmp_rmpadjust, distinct from
 * the hardware return codes (>= 0) and from negative csvsm errors. The
 * shim's caller turns them into events or -CSVSM_EFAULT.
 */
enum {
	SIM_RMP_NPF = -1000, /* #NPF: exit to the hypervisor (abi 4.4) */
	SIM_RMP_VC = -1001,  /* #VC 0x404, page not validated (abi 4.2 step 3) */
};

/* An RMP (opaque). */
struct sim_rmp;

/* The state of one 4 KiB entry as sim_rmp_query reports it (abi 4.3). */
struct sim_rmp_entry {
	bool assigned;  /* private to the guest (else hypervisor-owned/shared) */
	bool validated; /* set by PVALIDATE */
	bool vmsa;      /* set by RMPADJUST with RMPADJUST_VMSA */
	bool immutable; /* firmware-owned */
	enum rmp_page_size size;
	uint8_t perms[SIM_RMP_NR_VMPL]; /* RMP_PERM_* mask per VMPL */
};

/*
 * Creates an RMP for the guest physical space [0, limit_bytes): every entry
 * unassigned (hypervisor-owned), 4 KiB, not validated, not immutable, with
 * perms[0] = RMP_PERM_ALL and perms[1..3] = 0 (the RMPUPDATE reset state).
 * Returns NULL when limit_bytes is 0, not a multiple of 2 MiB, above 2^52
 * (the architectural physical address width), or on allocation failure.
 */
struct sim_rmp *sim_rmp_new(uint64_t limit_bytes);

/* Frees `rmp` (NULL is allowed). */
void sim_rmp_free(struct sim_rmp *rmp);

/* Returns the limit given to sim_rmp_new. */
uint64_t sim_rmp_limit(const struct sim_rmp *rmp);

/*
 * Hypervisor side. None of these checks the guest's VMPL: only the
 * hypervisor calls them.
 */

/*
 * RMPUPDATE (abi 4.3): makes the 4 KiB page or 2 MiB range at `gpa` private
 * (`assigned`) or shared. Every call, even one that keeps `assigned`, resets
 * the entry: validated = 0, vmsa = 0, perms[0] = RMP_PERM_ALL,
 * perms[1..3] = 0, size = `size`, immutable unchanged (it is 0, see below).
 * A 2 MiB update writes all 512 entries, whatever they held before (the
 * model does not report the hardware's FAIL_INUSE).
 *
 * A 4 KiB update of a page covered by a 2 MiB entry: if that entry is
 * assigned, it fails with -CSVSM_EINVAL (the hardware's FAIL_OVERLAP: PSMASH
 * first); if it is unassigned, the range is first demoted to 512 unassigned
 * 4 KiB entries (the size of an unassigned entry has no effect on the guest).
 *
 * Returns 0; -CSVSM_EINVAL for a bad size, a `gpa` not aligned to the size,
 * or the overlap above; -CSVSM_ERANGE when `gpa` is at or beyond the limit;
 * -CSVSM_EPERM when an entry touched is immutable (nothing is changed).
 */
int sim_rmp_update(struct sim_rmp *rmp, uint64_t gpa, enum rmp_page_size size, bool assigned);

/*
 * PSMASH: splits the 2 MiB entry at `gpa_2m` into 512 4 KiB entries that
 * keep all its state (assigned, validated, vmsa, perms). Returns 0;
 * -CSVSM_EINVAL when `gpa_2m` is not 2 MiB aligned or the entry there is not
 * a 2 MiB entry; -CSVSM_ERANGE beyond the limit; -CSVSM_EPERM when immutable.
 */
int sim_rmp_psmash(struct sim_rmp *rmp, uint64_t gpa_2m);

/*
 * Sets or clears the immutable bit of the entry covering `gpa` (the whole
 * 2 MiB entry when it is one), changing nothing else. Models firmware
 * ownership. Returns 0 or -CSVSM_ERANGE beyond the limit.
 */
int sim_rmp_set_immutable(struct sim_rmp *rmp, uint64_t gpa, bool immutable);

/*
 * Guest-side instructions, executed at VMPL `vmpl` (0..3; a larger value is
 * a caller bug and is given no rights, never undefined behaviour).
 */

/*
 * PVALIDATE (abi 4.1) of the page at `gpa` of size `size`; `validate` sets,
 * else clears, the Validated bit. Checks, in this order:
 *   1. `size` not RMP_PAGE_4K/RMP_PAGE_2M, or `gpa` not aligned to it
 *      -> RMP_FAIL_INPUT;
 *   2. `vmpl` != 0 -> RMP_FAIL_PERMISSION (APM outcome unconfirmed);
 *   3. `gpa` at or beyond the limit, entry not assigned, or immutable
 *      -> SIM_RMP_NPF;
 *   4. entry size differs from `size` (4 KiB request on a 2 MiB entry, or
 *      2 MiB request on 4 KiB entries) -> RMP_FAIL_SIZEMISMATCH; a 2 MiB
 *      request looks at the 2 MiB-aligned entry, as the hardware does;
 *   5. Validated already equals `validate` -> RMP_SUCCESS with
 *      *unchanged = true (rFLAGS.CF = 1), nothing changed;
 *   6. otherwise set Validated (all 512 entries for 2 MiB) -> RMP_SUCCESS
 *      with *unchanged = false.
 * *unchanged is written only on RMP_SUCCESS. PVALIDATE leaves vmsa and perms
 * alone.
 */
int sim_rmp_pvalidate(struct sim_rmp *rmp, unsigned vmpl, uint64_t gpa, enum rmp_page_size size,
                      bool validate, bool *unchanged);

/*
 * RMPADJUST (abi 4.2) of the page at `gpa` of size `size` with attributes
 * `attrs` (RMPADJUST_TARGET_VMPL, RMPADJUST_PERM_*, RMPADJUST_VMSA). Checks,
 * in this order:
 *   1. `size` not 4K/2M, `gpa` not aligned to it, an attribute bit other
 *      than 7:0, 11:8 and 16 set, target VMPL > 3, or RMPADJUST_VMSA with a
 *      2 MiB size (a VMSA is a 4 KiB page, abi 4.5) -> RMP_FAIL_INPUT;
 *   2. target VMPL <= `vmpl` -> RMP_FAIL_PERMISSION (abi 4.2 step 1);
 *   3. beyond the limit, not assigned, or immutable -> SIM_RMP_NPF (step 2);
 *   4. not validated -> SIM_RMP_VC (#VC 0x404, step 3);
 *   5. entry size differs from `size` -> RMP_FAIL_SIZEMISMATCH (step 4);
 *   6. requested permissions (attrs 11:8) not a subset of the caller's own
 *      perms[vmpl] on that page -> RMP_FAIL_PERMISSION (step 5);
 *   7. perms[target] = attrs 11:8 and vmsa = attrs bit 16, on all 512
 *      entries for 2 MiB -> RMP_SUCCESS (step 6).
 * The brief listed the "VMSA with 2 MiB" rule after step 6; being an operand
 * check it is placed with the others here (a guess either way).
 */
int sim_rmp_rmpadjust(struct sim_rmp *rmp, unsigned vmpl, uint64_t gpa, enum rmp_page_size size,
                      uint64_t attrs);

/* Access types for sim_rmp_check (equal to the RMP_PERM_* bits they need). */
enum sim_access {
	SIM_ACCESS_READ = RMP_PERM_READ,
	SIM_ACCESS_WRITE = RMP_PERM_WRITE,
	SIM_ACCESS_EXEC = RMP_PERM_EXEC_SUPV, /* supervisor execute */
};

enum sim_access_result {
	SIM_ACCESS_OK = 0,
	SIM_ACCESS_VC,  /* page not validated: #VC 0x404 in the guest */
	SIM_ACCESS_NPF, /* not assigned, immutable, beyond the limit, or no permission */
};

/*
 * The checks of a private (C-bit set) access by VMPL `vmpl` to the bytes
 * [gpa, gpa + len) (abi 4.4). Every 4 KiB page touched is checked in
 * ascending order; for each page: assigned (and not immutable, within the
 * limit) else NPF, then validated else VC, then perms[vmpl] contains every
 * bit of `access` (a SIM_ACCESS_* combination; bits outside RMP_PERM_ALL are
 * never granted) else NPF. Returns the result for the first page that fails
 * and, when `fault_gpa` is not NULL, stores there the first address of the
 * access inside that page (`gpa` itself for the first page, else the page's
 * base). A range that wraps past 2^64 is checked as running to the top of the
 * address space (it faults at the limit). `len` == 0 touches no page: OK.
 * Shared accesses are not modelled (the sim's guest always sets the C-bit).
 */
enum sim_access_result sim_rmp_check(const struct sim_rmp *rmp, unsigned vmpl, uint64_t gpa,
                                     size_t len, unsigned access, uint64_t *fault_gpa);

/*
 * Stores the state of the 4 KiB entry covering `gpa` in *out. Returns 0 or
 * -CSVSM_ERANGE when `gpa` is at or beyond the limit (*out untouched).
 */
int sim_rmp_query(const struct sim_rmp *rmp, uint64_t gpa, struct sim_rmp_entry *out);

/*
 * Whether the 4 KiB entry covering `gpa` has the VMSA bit and, when
 * `validated` is set, also Validated: what sim_rmp_query would say, without
 * decoding the whole entry. False at or beyond the limit.
 */
bool sim_rmp_vmsa_page(const struct sim_rmp *rmp, uint64_t gpa, bool validated);

/*
 * A value that stands for the whole state of the 4 KiB entry covering `gpa`:
 * two pages with equal keys give equal sim_rmp_query results and equal
 * sim_rmp_check results for every access inside the page (the key changes whenever the
 * entry does). UINT64_MAX at or beyond the limit (no entry).
 */
uint64_t sim_rmp_key(const struct sim_rmp *rmp, uint64_t gpa);

/* The number of 4 KiB entries with Validated set (a scan: O(limit)). */
uint64_t sim_rmp_count_validated(const struct sim_rmp *rmp);

/*
 * Snapshots for cheap resets (fuzzing). sim_rmp_snapshot_size is the size of
 * the buffer sim_rmp_snapshot fills; sim_rmp_restore takes a buffer filled by
 * the last sim_rmp_snapshot of this RMP and makes the state equal to that
 * at the snapshot. From its first snapshot on, the RMP tracks the entries
 * written since the snapshot or the last restore, and a restore copies back
 * only those. sim_rmp_snapshot returns 0, or -1 when the host has no memory
 * for the tracking (nothing changed).
 */
size_t sim_rmp_snapshot_size(const struct sim_rmp *rmp);

/*
 * How many entry writes the RMP has had since it was made (a restore's
 * writes not counted): a caller that saw the same number before and after
 * something knows the RMP did not change meanwhile.
 */
uint64_t sim_rmp_writes(const struct sim_rmp *rmp);
int sim_rmp_snapshot(struct sim_rmp *rmp, void *buf);
void sim_rmp_restore(struct sim_rmp *rmp, const void *buf);

#endif /* CSVSM_SIM_RMP_H */
