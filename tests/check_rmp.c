/* SPDX-License-Identifier: MIT */
/*
 * Tests of the simulator RMP model (sim/machine/rmp.h). Expected values come from
 * the rules in shared/reference/svsm-abi.md section 4 and the model
 * decisions documented in sim/rmp.h, written out by hand. The randomized
 * test compares the model with a plain per-page reference written here.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvsm/error.h"
#include "machine/rmp.h"
#include "test_rng.h"

#define K4    ((uint64_t)0x1000)
#define M2    ((uint64_t)0x200000)
#define LIMIT ((uint64_t)8 << 20) /* 4 regions of 2 MiB, 2048 pages */

#define R  RMP_PERM_READ
#define W  RMP_PERM_WRITE
#define XU RMP_PERM_EXEC_USER
#define XS RMP_PERM_EXEC_SUPV

static struct sim_rmp *mk(void)
{
	struct sim_rmp *rmp = sim_rmp_new(LIMIT);

	ck_assert_ptr_nonnull(rmp);
	return rmp;
}

static struct sim_rmp_entry q(const struct sim_rmp *rmp, uint64_t gpa)
{
	struct sim_rmp_entry e;

	memset(&e, 0xa5, sizeof(e));
	ck_assert_int_eq(sim_rmp_query(rmp, gpa, &e), 0);
	return e;
}

/* Asserts every field of the entry at `gpa`. */
static void expect(const struct sim_rmp *rmp, uint64_t gpa, bool assigned, bool validated,
                   bool vmsa, enum rmp_page_size size, unsigned p0, unsigned p1, unsigned p2,
                   unsigned p3)
{
	struct sim_rmp_entry e = q(rmp, gpa);

	ck_assert_msg(e.assigned == assigned, "assigned at %#llx", (unsigned long long)gpa);
	ck_assert_msg(e.validated == validated, "validated at %#llx", (unsigned long long)gpa);
	ck_assert_msg(e.vmsa == vmsa, "vmsa at %#llx", (unsigned long long)gpa);
	ck_assert_msg(!e.immutable, "immutable at %#llx", (unsigned long long)gpa);
	ck_assert_msg(e.size == size, "size at %#llx", (unsigned long long)gpa);
	ck_assert_uint_eq(e.perms[0], p0);
	ck_assert_uint_eq(e.perms[1], p1);
	ck_assert_uint_eq(e.perms[2], p2);
	ck_assert_uint_eq(e.perms[3], p3);
}

/* The reset state: unassigned or assigned, never validated, VMPL0 all. */
static void expect_reset(const struct sim_rmp *rmp, uint64_t gpa, bool assigned,
                         enum rmp_page_size size)
{
	expect(rmp, gpa, assigned, false, false, size, 0xf, 0, 0, 0);
}

static int pval(struct sim_rmp *rmp, unsigned vmpl, uint64_t gpa, enum rmp_page_size size,
                bool validate, bool *unchanged)
{
	return sim_rmp_pvalidate(rmp, vmpl, gpa, size, validate, unchanged);
}

/* Makes the 4K page at `gpa` private and validated at VMPL0. */
static void make_valid_4k(struct sim_rmp *rmp, uint64_t gpa)
{
	bool unchanged = true;

	ck_assert_int_eq(sim_rmp_update(rmp, gpa, RMP_PAGE_4K, true), 0);
	ck_assert_int_eq(pval(rmp, 0, gpa, RMP_PAGE_4K, true, &unchanged), RMP_SUCCESS);
	ck_assert(!unchanged);
}

static void make_valid_2m(struct sim_rmp *rmp, uint64_t gpa)
{
	bool unchanged = true;

	ck_assert_int_eq(sim_rmp_update(rmp, gpa, RMP_PAGE_2M, true), 0);
	ck_assert_int_eq(pval(rmp, 0, gpa, RMP_PAGE_2M, true, &unchanged), RMP_SUCCESS);
	ck_assert(!unchanged);
}

static uint64_t adj_attrs(unsigned target, unsigned perms)
{
	return RMPADJUST_TARGET_VMPL(target) | ((uint64_t)perms << 8);
}

/* ---- creation ---- */

START_TEST(test_new_bad_limits)
{
	ck_assert_ptr_null(sim_rmp_new(0));
	ck_assert_ptr_null(sim_rmp_new(K4));
	ck_assert_ptr_null(sim_rmp_new(M2 + K4));
	ck_assert_ptr_null(sim_rmp_new(3 * (M2 / 2)));
	ck_assert_ptr_null(sim_rmp_new(((uint64_t)1 << 52) + M2));
	ck_assert_ptr_null(sim_rmp_new(UINT64_MAX));
	ck_assert_ptr_null(sim_rmp_new(UINT64_MAX & ~(M2 - 1)));
	sim_rmp_free(NULL);
}
END_TEST

START_TEST(test_new_initial_state)
{
	struct sim_rmp *rmp = sim_rmp_new(M2);
	struct sim_rmp_entry e;

	ck_assert_ptr_nonnull(rmp);
	ck_assert_uint_eq(sim_rmp_limit(rmp), M2);
	expect_reset(rmp, 0, false, RMP_PAGE_4K);
	expect_reset(rmp, 0x1234, false, RMP_PAGE_4K);
	expect_reset(rmp, M2 - 1, false, RMP_PAGE_4K);
	ck_assert_int_eq(sim_rmp_query(rmp, M2, &e), -CSVSM_ERANGE);
	ck_assert_int_eq(sim_rmp_query(rmp, UINT64_MAX, &e), -CSVSM_ERANGE);
	ck_assert_uint_eq(sim_rmp_count_validated(rmp), 0);
	ck_assert_uint_gt(sim_rmp_snapshot_size(rmp), 0);
	sim_rmp_free(rmp);

	rmp = mk();
	ck_assert_uint_eq(sim_rmp_limit(rmp), LIMIT);
	expect_reset(rmp, LIMIT - K4, false, RMP_PAGE_4K);
	sim_rmp_free(rmp);
}
END_TEST

/* ---- RMPUPDATE ---- */

START_TEST(test_update_private_shared)
{
	struct sim_rmp *rmp = mk();

	ck_assert_int_eq(sim_rmp_update(rmp, 3 * K4, RMP_PAGE_4K, true), 0);
	expect_reset(rmp, 3 * K4, true, RMP_PAGE_4K);
	expect_reset(rmp, 2 * K4, false, RMP_PAGE_4K);
	expect_reset(rmp, 4 * K4, false, RMP_PAGE_4K);
	ck_assert_int_eq(sim_rmp_update(rmp, 3 * K4, RMP_PAGE_4K, false), 0);
	expect_reset(rmp, 3 * K4, false, RMP_PAGE_4K);
	sim_rmp_free(rmp);
}
END_TEST

START_TEST(test_update_resets_state)
{
	struct sim_rmp *rmp = mk();
	uint64_t gpa = 5 * K4;

	make_valid_4k(rmp, gpa);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, gpa, RMP_PAGE_4K, adj_attrs(3, XU)),
	                 RMP_SUCCESS);
	ck_assert_int_eq(
	    sim_rmp_rmpadjust(rmp, 0, gpa, RMP_PAGE_4K, adj_attrs(1, R | W) | RMPADJUST_VMSA),
	    RMP_SUCCESS);
	expect(rmp, gpa, true, true, true, RMP_PAGE_4K, 0xf, R | W, 0, XU);
	/* Same ownership again: still a reset (abi 4.3). */
	ck_assert_int_eq(sim_rmp_update(rmp, gpa, RMP_PAGE_4K, true), 0);
	expect_reset(rmp, gpa, true, RMP_PAGE_4K);
	ck_assert_uint_eq(sim_rmp_count_validated(rmp), 0);

	make_valid_4k(rmp, gpa);
	ck_assert_int_eq(sim_rmp_update(rmp, gpa, RMP_PAGE_4K, false), 0);
	expect_reset(rmp, gpa, false, RMP_PAGE_4K);
	sim_rmp_free(rmp);
}
END_TEST

START_TEST(test_update_2m)
{
	struct sim_rmp *rmp = mk();
	uint64_t off;

	/* A 4K page validated inside, then the 2M update overwrites it. */
	make_valid_4k(rmp, M2 + 7 * K4);
	ck_assert_int_eq(sim_rmp_update(rmp, M2, RMP_PAGE_2M, true), 0);
	for (off = 0; off < M2; off += K4)
		expect_reset(rmp, M2 + off, true, RMP_PAGE_2M);
	expect_reset(rmp, M2 - K4, false, RMP_PAGE_4K);
	expect_reset(rmp, 2 * M2, false, RMP_PAGE_4K);
	ck_assert_int_eq(sim_rmp_update(rmp, M2, RMP_PAGE_2M, false), 0);
	expect_reset(rmp, M2, false, RMP_PAGE_2M);
	expect_reset(rmp, 2 * M2 - K4, false, RMP_PAGE_2M);
	/* The last region of the guest. */
	ck_assert_int_eq(sim_rmp_update(rmp, LIMIT - M2, RMP_PAGE_2M, true), 0);
	expect_reset(rmp, LIMIT - K4, true, RMP_PAGE_2M);
	sim_rmp_free(rmp);
}
END_TEST

START_TEST(test_update_errors)
{
	struct sim_rmp *rmp = mk();

	ck_assert_int_eq(sim_rmp_update(rmp, 0x1001, RMP_PAGE_4K, true), -CSVSM_EINVAL);
	ck_assert_int_eq(sim_rmp_update(rmp, 0x800, RMP_PAGE_4K, true), -CSVSM_EINVAL);
	ck_assert_int_eq(sim_rmp_update(rmp, K4, RMP_PAGE_2M, true), -CSVSM_EINVAL);
	ck_assert_int_eq(sim_rmp_update(rmp, M2 + M2 / 2, RMP_PAGE_2M, true), -CSVSM_EINVAL);
	ck_assert_int_eq(sim_rmp_update(rmp, 0, (enum rmp_page_size)2, true), -CSVSM_EINVAL);
	ck_assert_int_eq(sim_rmp_update(rmp, LIMIT, RMP_PAGE_4K, true), -CSVSM_ERANGE);
	ck_assert_int_eq(sim_rmp_update(rmp, LIMIT, RMP_PAGE_2M, true), -CSVSM_ERANGE);
	ck_assert_int_eq(sim_rmp_update(rmp, UINT64_MAX & ~(M2 - 1), RMP_PAGE_2M, true),
	                 -CSVSM_ERANGE);
	expect_reset(rmp, 0, false, RMP_PAGE_4K);
	expect_reset(rmp, K4, false, RMP_PAGE_4K);
	expect_reset(rmp, M2, false, RMP_PAGE_4K);
	sim_rmp_free(rmp);
}
END_TEST

START_TEST(test_update_4k_inside_2m)
{
	struct sim_rmp *rmp = mk();
	uint64_t off;

	/* Assigned 2M entry: a 4K update overlaps it (PSMASH first). */
	make_valid_2m(rmp, 0);
	ck_assert_int_eq(sim_rmp_update(rmp, 9 * K4, RMP_PAGE_4K, false), -CSVSM_EINVAL);
	expect(rmp, 9 * K4, true, true, false, RMP_PAGE_2M, 0xf, 0, 0, 0);
	ck_assert_uint_eq(sim_rmp_count_validated(rmp), 512);

	/* Unassigned 2M entry: demoted to 4K entries, then updated. */
	ck_assert_int_eq(sim_rmp_update(rmp, M2, RMP_PAGE_2M, false), 0);
	ck_assert_int_eq(sim_rmp_update(rmp, M2 + 9 * K4, RMP_PAGE_4K, true), 0);
	for (off = 0; off < M2; off += K4)
		expect_reset(rmp, M2 + off, off == 9 * K4, RMP_PAGE_4K);
	sim_rmp_free(rmp);
}
END_TEST

/* ---- PSMASH ---- */

START_TEST(test_psmash_keeps_state)
{
	struct sim_rmp *rmp = mk();
	uint64_t off;
	bool unchanged = false;

	make_valid_2m(rmp, 2 * M2);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, 2 * M2, RMP_PAGE_2M, adj_attrs(1, R | W)),
	                 RMP_SUCCESS);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, 2 * M2, RMP_PAGE_2M, adj_attrs(3, XS)),
	                 RMP_SUCCESS);
	ck_assert_int_eq(sim_rmp_psmash(rmp, 2 * M2), 0);
	for (off = 0; off < M2; off += K4)
		expect(rmp, 2 * M2 + off, true, true, false, RMP_PAGE_4K, 0xf, R | W, 0, XS);
	ck_assert_uint_eq(sim_rmp_count_validated(rmp), 512);
	/* Now 4K entries: 4K PVALIDATE sees the kept state, 2M mismatches. */
	ck_assert_int_eq(pval(rmp, 0, 2 * M2 + 5 * K4, RMP_PAGE_4K, true, &unchanged), RMP_SUCCESS);
	ck_assert(unchanged);
	ck_assert_int_eq(pval(rmp, 0, 2 * M2, RMP_PAGE_2M, false, &unchanged),
	                 RMP_FAIL_SIZEMISMATCH);
	/* A 4K update is now allowed inside. */
	ck_assert_int_eq(sim_rmp_update(rmp, 2 * M2 + 5 * K4, RMP_PAGE_4K, false), 0);
	expect_reset(rmp, 2 * M2 + 5 * K4, false, RMP_PAGE_4K);
	ck_assert_uint_eq(sim_rmp_count_validated(rmp), 511);

	/* A shared 2M entry splits too, staying shared. */
	ck_assert_int_eq(sim_rmp_update(rmp, M2, RMP_PAGE_2M, false), 0);
	ck_assert_int_eq(sim_rmp_psmash(rmp, M2), 0);
	expect_reset(rmp, M2 + M2 - K4, false, RMP_PAGE_4K);
	sim_rmp_free(rmp);
}
END_TEST

START_TEST(test_psmash_errors)
{
	struct sim_rmp *rmp = mk();

	make_valid_2m(rmp, 0);
	ck_assert_int_eq(sim_rmp_psmash(rmp, K4), -CSVSM_EINVAL);
	ck_assert_int_eq(sim_rmp_psmash(rmp, M2), -CSVSM_EINVAL); /* 4K entries */
	ck_assert_int_eq(sim_rmp_psmash(rmp, LIMIT), -CSVSM_ERANGE);
	ck_assert_int_eq(sim_rmp_psmash(rmp, UINT64_MAX & ~(M2 - 1)), -CSVSM_ERANGE);
	expect(rmp, 0, true, true, false, RMP_PAGE_2M, 0xf, 0, 0, 0);
	sim_rmp_free(rmp);
}
END_TEST

/* ---- immutable ---- */

START_TEST(test_immutable)
{
	struct sim_rmp *rmp = mk();
	struct sim_rmp_entry e;
	uint64_t fault = 0;
	bool unchanged = false;

	make_valid_4k(rmp, K4);
	ck_assert_int_eq(sim_rmp_set_immutable(rmp, K4 + 0x10, true), 0);
	e = q(rmp, K4);
	ck_assert(e.immutable && e.assigned && e.validated);
	ck_assert(!q(rmp, 0).immutable);
	ck_assert(!q(rmp, 2 * K4).immutable);
	/* Firmware-owned: the guest sees "not assigned to this ASID". */
	ck_assert_int_eq(pval(rmp, 0, K4, RMP_PAGE_4K, false, &unchanged), SIM_RMP_NPF);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, K4, RMP_PAGE_4K, adj_attrs(1, R)), SIM_RMP_NPF);
	ck_assert_int_eq(sim_rmp_check(rmp, 0, K4, 1, SIM_ACCESS_READ, &fault), SIM_ACCESS_NPF);
	ck_assert_uint_eq(fault, K4);
	/* And the hypervisor may not change it. */
	ck_assert_int_eq(sim_rmp_update(rmp, K4, RMP_PAGE_4K, false), -CSVSM_EPERM);
	ck_assert_int_eq(sim_rmp_update(rmp, 0, RMP_PAGE_2M, false), -CSVSM_EPERM);
	expect_reset(rmp, 0, false, RMP_PAGE_4K); /* the failed 2M update changed nothing */
	ck_assert(q(rmp, K4).validated);
	ck_assert_int_eq(sim_rmp_set_immutable(rmp, K4, false), 0);
	expect(rmp, K4, true, true, false, RMP_PAGE_4K, 0xf, 0, 0, 0);
	ck_assert_int_eq(sim_rmp_check(rmp, 0, K4, 1, SIM_ACCESS_READ, &fault), SIM_ACCESS_OK);

	/* On a 2M entry it covers all 512 pages. */
	make_valid_2m(rmp, M2);
	ck_assert_int_eq(sim_rmp_set_immutable(rmp, M2 + 77 * K4, true), 0);
	ck_assert(q(rmp, M2).immutable);
	ck_assert(q(rmp, 2 * M2 - 1).immutable);
	ck_assert_int_eq(sim_rmp_psmash(rmp, M2), -CSVSM_EPERM);
	ck_assert_int_eq(sim_rmp_update(rmp, M2 + K4, RMP_PAGE_4K, false), -CSVSM_EPERM);
	ck_assert_int_eq(pval(rmp, 0, M2, RMP_PAGE_2M, false, &unchanged), SIM_RMP_NPF);
	ck_assert_int_eq(sim_rmp_set_immutable(rmp, LIMIT, true), -CSVSM_ERANGE);
	sim_rmp_free(rmp);
}
END_TEST

/* ---- PVALIDATE ---- */

START_TEST(test_pvalidate_validate_rescind)
{
	struct sim_rmp *rmp = mk();
	uint64_t gpa = 17 * K4;
	bool unchanged;

	ck_assert_int_eq(sim_rmp_update(rmp, gpa, RMP_PAGE_4K, true), 0);
	unchanged = true;
	ck_assert_int_eq(pval(rmp, 0, gpa, RMP_PAGE_4K, true, &unchanged), RMP_SUCCESS);
	ck_assert(!unchanged);
	expect(rmp, gpa, true, true, false, RMP_PAGE_4K, 0xf, 0, 0, 0);
	ck_assert_uint_eq(sim_rmp_count_validated(rmp), 1);
	/* Already validated: CF = 1. */
	unchanged = false;
	ck_assert_int_eq(pval(rmp, 0, gpa, RMP_PAGE_4K, true, &unchanged), RMP_SUCCESS);
	ck_assert(unchanged);
	expect(rmp, gpa, true, true, false, RMP_PAGE_4K, 0xf, 0, 0, 0);
	/* Rescind. */
	unchanged = true;
	ck_assert_int_eq(pval(rmp, 0, gpa, RMP_PAGE_4K, false, &unchanged), RMP_SUCCESS);
	ck_assert(!unchanged);
	expect(rmp, gpa, true, false, false, RMP_PAGE_4K, 0xf, 0, 0, 0);
	/* Already rescinded: CF = 1. */
	unchanged = false;
	ck_assert_int_eq(pval(rmp, 0, gpa, RMP_PAGE_4K, false, &unchanged), RMP_SUCCESS);
	ck_assert(unchanged);
	expect(rmp, gpa, true, false, false, RMP_PAGE_4K, 0xf, 0, 0, 0);
	ck_assert_uint_eq(sim_rmp_count_validated(rmp), 0);
	sim_rmp_free(rmp);
}
END_TEST

START_TEST(test_pvalidate_keeps_perms)
{
	struct sim_rmp *rmp = mk();
	bool unchanged;

	make_valid_4k(rmp, 0);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, 0, RMP_PAGE_4K, adj_attrs(2, R | XS)),
	                 RMP_SUCCESS);
	ck_assert_int_eq(pval(rmp, 0, 0, RMP_PAGE_4K, false, &unchanged), RMP_SUCCESS);
	ck_assert_int_eq(pval(rmp, 0, 0, RMP_PAGE_4K, true, &unchanged), RMP_SUCCESS);
	expect(rmp, 0, true, true, false, RMP_PAGE_4K, 0xf, 0, R | XS, 0);
	sim_rmp_free(rmp);
}
END_TEST

START_TEST(test_pvalidate_fail_input)
{
	struct sim_rmp *rmp = mk();
	bool unchanged = true;

	make_valid_2m(rmp, 0);
	ck_assert_int_eq(sim_rmp_update(rmp, M2, RMP_PAGE_4K, true), 0);
	ck_assert_int_eq(pval(rmp, 0, M2 + 0x800, RMP_PAGE_4K, true, &unchanged), RMP_FAIL_INPUT);
	ck_assert_int_eq(pval(rmp, 0, M2 + 1, RMP_PAGE_4K, true, &unchanged), RMP_FAIL_INPUT);
	ck_assert_int_eq(pval(rmp, 0, K4, RMP_PAGE_2M, false, &unchanged), RMP_FAIL_INPUT);
	ck_assert_int_eq(pval(rmp, 0, M2 / 2, RMP_PAGE_2M, false, &unchanged), RMP_FAIL_INPUT);
	ck_assert_int_eq(pval(rmp, 0, M2, (enum rmp_page_size)2, true, &unchanged), RMP_FAIL_INPUT);
	ck_assert_int_eq(pval(rmp, 0, 0, (enum rmp_page_size)0xffffffffu, true, &unchanged),
	                 RMP_FAIL_INPUT);
	/* Operand checks come before the VMPL and the RMP lookup. */
	ck_assert_int_eq(pval(rmp, 1, M2 + 8, RMP_PAGE_4K, true, &unchanged), RMP_FAIL_INPUT);
	ck_assert_int_eq(pval(rmp, 0, LIMIT + 8, RMP_PAGE_4K, true, &unchanged), RMP_FAIL_INPUT);
	ck_assert_int_eq(pval(rmp, 0, 3 * M2 + K4, RMP_PAGE_2M, true, &unchanged), RMP_FAIL_INPUT);
	ck_assert(unchanged); /* written only on success */
	expect(rmp, M2, true, false, false, RMP_PAGE_4K, 0xf, 0, 0, 0);
	ck_assert_uint_eq(sim_rmp_count_validated(rmp), 512);
	sim_rmp_free(rmp);
}
END_TEST

START_TEST(test_pvalidate_npf)
{
	struct sim_rmp *rmp = mk();
	bool unchanged = false;

	ck_assert_int_eq(pval(rmp, 0, 0, RMP_PAGE_4K, true, &unchanged), SIM_RMP_NPF);
	ck_assert_int_eq(pval(rmp, 0, M2, RMP_PAGE_2M, true, &unchanged), SIM_RMP_NPF);
	ck_assert_int_eq(pval(rmp, 0, LIMIT, RMP_PAGE_4K, true, &unchanged), SIM_RMP_NPF);
	ck_assert_int_eq(pval(rmp, 0, LIMIT, RMP_PAGE_2M, true, &unchanged), SIM_RMP_NPF);
	ck_assert_int_eq(pval(rmp, 0, UINT64_MAX & ~(K4 - 1), RMP_PAGE_4K, false, &unchanged),
	                 SIM_RMP_NPF);
	/* Shared again after being private. */
	make_valid_4k(rmp, K4);
	ck_assert_int_eq(sim_rmp_update(rmp, K4, RMP_PAGE_4K, false), 0);
	ck_assert_int_eq(pval(rmp, 0, K4, RMP_PAGE_4K, true, &unchanged), SIM_RMP_NPF);
	/* A 2M request looks at the 2M-aligned entry: unassigned there. */
	ck_assert_int_eq(sim_rmp_update(rmp, 2 * M2 + K4, RMP_PAGE_4K, true), 0);
	ck_assert_int_eq(pval(rmp, 0, 2 * M2, RMP_PAGE_2M, true, &unchanged), SIM_RMP_NPF);
	ck_assert(!unchanged);
	ck_assert_uint_eq(sim_rmp_count_validated(rmp), 0);
	sim_rmp_free(rmp);
}
END_TEST

START_TEST(test_pvalidate_vmpl_nonzero)
{
	struct sim_rmp *rmp = mk();
	bool unchanged = false;
	unsigned vmpl;

	ck_assert_int_eq(sim_rmp_update(rmp, 0, RMP_PAGE_4K, true), 0);
	make_valid_4k(rmp, K4);
	for (vmpl = 1; vmpl <= 4; vmpl++) {
		ck_assert_int_eq(pval(rmp, vmpl, 0, RMP_PAGE_4K, true, &unchanged),
		                 RMP_FAIL_PERMISSION);
		ck_assert_int_eq(pval(rmp, vmpl, K4, RMP_PAGE_4K, false, &unchanged),
		                 RMP_FAIL_PERMISSION);
		/* Before the RMP lookup: even unassigned or beyond the limit. */
		ck_assert_int_eq(pval(rmp, vmpl, 2 * K4, RMP_PAGE_4K, true, &unchanged),
		                 RMP_FAIL_PERMISSION);
		ck_assert_int_eq(pval(rmp, vmpl, LIMIT, RMP_PAGE_4K, true, &unchanged),
		                 RMP_FAIL_PERMISSION);
	}
	expect(rmp, 0, true, false, false, RMP_PAGE_4K, 0xf, 0, 0, 0);
	expect(rmp, K4, true, true, false, RMP_PAGE_4K, 0xf, 0, 0, 0);
	sim_rmp_free(rmp);
}
END_TEST

START_TEST(test_pvalidate_sizemismatch)
{
	struct sim_rmp *rmp = mk();
	bool unchanged = false;

	/* 2M request on 4K entries (all 512 assigned 4K). */
	uint64_t off;
	for (off = 0; off < M2; off += K4)
		ck_assert_int_eq(sim_rmp_update(rmp, off, RMP_PAGE_4K, true), 0);
	ck_assert_int_eq(pval(rmp, 0, 0, RMP_PAGE_2M, true, &unchanged), RMP_FAIL_SIZEMISMATCH);
	ck_assert_uint_eq(sim_rmp_count_validated(rmp), 0);
	/* 4K request on a 2M entry, at its first and at an inner page. */
	ck_assert_int_eq(sim_rmp_update(rmp, M2, RMP_PAGE_2M, true), 0);
	ck_assert_int_eq(pval(rmp, 0, M2, RMP_PAGE_4K, true, &unchanged), RMP_FAIL_SIZEMISMATCH);
	ck_assert_int_eq(pval(rmp, 0, M2 + 300 * K4, RMP_PAGE_4K, true, &unchanged),
	                 RMP_FAIL_SIZEMISMATCH);
	ck_assert(!unchanged);
	ck_assert_uint_eq(sim_rmp_count_validated(rmp), 0);
	/* The size check comes before the "already in that state" check. */
	ck_assert_int_eq(pval(rmp, 0, M2 + K4, RMP_PAGE_4K, false, &unchanged),
	                 RMP_FAIL_SIZEMISMATCH);
	ck_assert(!unchanged);
	sim_rmp_free(rmp);
}
END_TEST

START_TEST(test_pvalidate_2m)
{
	struct sim_rmp *rmp = mk();
	bool unchanged = true;
	uint64_t off;

	ck_assert_int_eq(sim_rmp_update(rmp, 3 * M2, RMP_PAGE_2M, true), 0);
	ck_assert_int_eq(pval(rmp, 0, 3 * M2, RMP_PAGE_2M, true, &unchanged), RMP_SUCCESS);
	ck_assert(!unchanged);
	for (off = 0; off < M2; off += K4)
		expect(rmp, 3 * M2 + off, true, true, false, RMP_PAGE_2M, 0xf, 0, 0, 0);
	ck_assert_uint_eq(sim_rmp_count_validated(rmp), 512);
	ck_assert_int_eq(pval(rmp, 0, 3 * M2, RMP_PAGE_2M, true, &unchanged), RMP_SUCCESS);
	ck_assert(unchanged);
	ck_assert_int_eq(pval(rmp, 0, 3 * M2, RMP_PAGE_2M, false, &unchanged), RMP_SUCCESS);
	ck_assert(!unchanged);
	ck_assert_uint_eq(sim_rmp_count_validated(rmp), 0);
	expect(rmp, LIMIT - K4, true, false, false, RMP_PAGE_2M, 0xf, 0, 0, 0);
	ck_assert_int_eq(pval(rmp, 0, 3 * M2, RMP_PAGE_2M, false, &unchanged), RMP_SUCCESS);
	ck_assert(unchanged);
	sim_rmp_free(rmp);
}
END_TEST

/* ---- RMPADJUST ---- */

START_TEST(test_rmpadjust_basic)
{
	struct sim_rmp *rmp = mk();

	make_valid_4k(rmp, 0);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, 0, RMP_PAGE_4K, adj_attrs(1, RMP_PERM_ALL)),
	                 RMP_SUCCESS);
	expect(rmp, 0, true, true, false, RMP_PAGE_4K, 0xf, 0xf, 0, 0);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, 0, RMP_PAGE_4K, adj_attrs(2, R)), RMP_SUCCESS);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, 0, RMP_PAGE_4K, adj_attrs(3, W | XU)),
	                 RMP_SUCCESS);
	expect(rmp, 0, true, true, false, RMP_PAGE_4K, 0xf, 0xf, R, W | XU);
	/* Only the target VMPL changes; a mask of 0 revokes. */
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, 0, RMP_PAGE_4K, adj_attrs(1, 0)), RMP_SUCCESS);
	expect(rmp, 0, true, true, false, RMP_PAGE_4K, 0xf, 0, R, W | XU);
	/* The neighbours are untouched. */
	expect_reset(rmp, K4, false, RMP_PAGE_4K);
	sim_rmp_free(rmp);
}
END_TEST

START_TEST(test_rmpadjust_target_not_above_caller)
{
	struct sim_rmp *rmp = mk();

	make_valid_4k(rmp, 0);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, 0, RMP_PAGE_4K, adj_attrs(1, 0xf)), RMP_SUCCESS);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, 0, RMP_PAGE_4K, adj_attrs(2, 0xf)), RMP_SUCCESS);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, 0, RMP_PAGE_4K, adj_attrs(3, 0xf)), RMP_SUCCESS);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, 0, RMP_PAGE_4K, adj_attrs(0, R)),
	                 RMP_FAIL_PERMISSION);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 1, 0, RMP_PAGE_4K, adj_attrs(1, R)),
	                 RMP_FAIL_PERMISSION);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 1, 0, RMP_PAGE_4K, adj_attrs(0, R)),
	                 RMP_FAIL_PERMISSION);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 2, 0, RMP_PAGE_4K, adj_attrs(1, R)),
	                 RMP_FAIL_PERMISSION);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 2, 0, RMP_PAGE_4K, adj_attrs(2, R)),
	                 RMP_FAIL_PERMISSION);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 3, 0, RMP_PAGE_4K, adj_attrs(3, 0)),
	                 RMP_FAIL_PERMISSION);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 4, 0, RMP_PAGE_4K, adj_attrs(3, 0)),
	                 RMP_FAIL_PERMISSION);
	expect(rmp, 0, true, true, false, RMP_PAGE_4K, 0xf, 0xf, 0xf, 0xf);
	/* A lower target succeeds from VMPL1 and VMPL2. */
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 1, 0, RMP_PAGE_4K, adj_attrs(2, R)), RMP_SUCCESS);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 2, 0, RMP_PAGE_4K, adj_attrs(3, 0)), RMP_SUCCESS);
	expect(rmp, 0, true, true, false, RMP_PAGE_4K, 0xf, 0xf, R, 0);
	/* The VMPL check comes before the RMP lookup (unassigned page 1). */
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, K4, RMP_PAGE_4K, adj_attrs(0, R)),
	                 RMP_FAIL_PERMISSION);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 2, LIMIT, RMP_PAGE_4K, adj_attrs(1, R)),
	                 RMP_FAIL_PERMISSION);
	sim_rmp_free(rmp);
}
END_TEST

START_TEST(test_rmpadjust_subset)
{
	struct sim_rmp *rmp = mk();

	make_valid_4k(rmp, 0);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, 0, RMP_PAGE_4K, adj_attrs(1, R)), RMP_SUCCESS);
	/* VMPL1 has R only: granting RW to VMPL2 fails, granting R works. */
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 1, 0, RMP_PAGE_4K, adj_attrs(2, R | W)),
	                 RMP_FAIL_PERMISSION);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 1, 0, RMP_PAGE_4K, adj_attrs(2, XS)),
	                 RMP_FAIL_PERMISSION);
	expect(rmp, 0, true, true, false, RMP_PAGE_4K, 0xf, R, 0, 0);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 1, 0, RMP_PAGE_4K, adj_attrs(2, R)), RMP_SUCCESS);
	expect(rmp, 0, true, true, false, RMP_PAGE_4K, 0xf, R, R, 0);
	/* VMPL2 (R) grants VMPL3 R, and can revoke it. */
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 2, 0, RMP_PAGE_4K, adj_attrs(3, R)), RMP_SUCCESS);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 2, 0, RMP_PAGE_4K, adj_attrs(3, 0)), RMP_SUCCESS);
	expect(rmp, 0, true, true, false, RMP_PAGE_4K, 0xf, R, R, 0);
	/* VMPL3 can never adjust anything (no VMPL above it). */
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 3, 0, RMP_PAGE_4K, adj_attrs(3, 0)),
	                 RMP_FAIL_PERMISSION);
	/* A VMPL with no rights can only grant nothing. */
	make_valid_4k(rmp, K4);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 1, K4, RMP_PAGE_4K, adj_attrs(2, R)),
	                 RMP_FAIL_PERMISSION);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 1, K4, RMP_PAGE_4K, adj_attrs(2, 0)), RMP_SUCCESS);
	sim_rmp_free(rmp);
}
END_TEST

START_TEST(test_rmpadjust_npf_vc)
{
	struct sim_rmp *rmp = mk();

	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, 0, RMP_PAGE_4K, adj_attrs(1, R)), SIM_RMP_NPF);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, LIMIT, RMP_PAGE_4K, adj_attrs(1, R)),
	                 SIM_RMP_NPF);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, LIMIT, RMP_PAGE_2M, adj_attrs(1, R)),
	                 SIM_RMP_NPF);
	/* Assigned but not validated: #VC 0x404. */
	ck_assert_int_eq(sim_rmp_update(rmp, 0, RMP_PAGE_4K, true), 0);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, 0, RMP_PAGE_4K, adj_attrs(1, R)), SIM_RMP_VC);
	/* VC comes before the size check (4K request on a 2M entry). */
	ck_assert_int_eq(sim_rmp_update(rmp, M2, RMP_PAGE_2M, true), 0);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, M2, RMP_PAGE_4K, adj_attrs(1, R)), SIM_RMP_VC);
	/* And before the subset check. */
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 1, 0, RMP_PAGE_4K, adj_attrs(2, R)), SIM_RMP_VC);
	expect_reset(rmp, 0, true, RMP_PAGE_4K);
	sim_rmp_free(rmp);
}
END_TEST

START_TEST(test_rmpadjust_vmsa)
{
	struct sim_rmp *rmp = mk();

	make_valid_4k(rmp, 0);
	/* COCONUT's VMSA attributes: READ | VMSA with target 1. */
	ck_assert_int_eq(
	    sim_rmp_rmpadjust(rmp, 0, 0, RMP_PAGE_4K, adj_attrs(1, R) | RMPADJUST_VMSA),
	    RMP_SUCCESS);
	ck_assert_uint_eq(adj_attrs(1, R) | RMPADJUST_VMSA, 0x10101);
	expect(rmp, 0, true, true, true, RMP_PAGE_4K, 0xf, R, 0, 0);
	/* Without the bit, the page stops being a VMSA. */
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, 0, RMP_PAGE_4K, adj_attrs(2, R)), RMP_SUCCESS);
	expect(rmp, 0, true, true, false, RMP_PAGE_4K, 0xf, R, R, 0);
	/* VMSA with a 2M size: FAIL_INPUT, even on a valid 2M page. */
	make_valid_2m(rmp, M2);
	ck_assert_int_eq(
	    sim_rmp_rmpadjust(rmp, 0, M2, RMP_PAGE_2M, adj_attrs(1, R) | RMPADJUST_VMSA),
	    RMP_FAIL_INPUT);
	expect(rmp, M2, true, true, false, RMP_PAGE_2M, 0xf, 0, 0, 0);
	sim_rmp_free(rmp);
}
END_TEST

START_TEST(test_rmpadjust_fail_input)
{
	struct sim_rmp *rmp = mk();
	static const uint64_t reserved[] = {
	    (uint64_t)1 << 12, (uint64_t)1 << 15, (uint64_t)1 << 17,
	    (uint64_t)1 << 31, (uint64_t)1 << 32, (uint64_t)1 << 63,
	};
	size_t i;

	make_valid_4k(rmp, 0);
	make_valid_2m(rmp, M2);
	for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		ck_assert_int_eq(
		    sim_rmp_rmpadjust(rmp, 0, 0, RMP_PAGE_4K, adj_attrs(1, R) | reserved[i]),
		    RMP_FAIL_INPUT);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, 0, RMP_PAGE_4K, adj_attrs(4, R)),
	                 RMP_FAIL_INPUT);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, 0, RMP_PAGE_4K, adj_attrs(0xff, R)),
	                 RMP_FAIL_INPUT);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, 0x10, RMP_PAGE_4K, adj_attrs(1, R)),
	                 RMP_FAIL_INPUT);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, M2 + K4, RMP_PAGE_2M, adj_attrs(1, R)),
	                 RMP_FAIL_INPUT);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, 0, (enum rmp_page_size)2, adj_attrs(1, R)),
	                 RMP_FAIL_INPUT);
	/* Operand checks come before the VMPL check and the RMP lookup. */
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, 0, RMP_PAGE_4K, adj_attrs(0, R) | (1u << 12)),
	                 RMP_FAIL_INPUT);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 3, 2 * M2 + 8, RMP_PAGE_4K, adj_attrs(1, R)),
	                 RMP_FAIL_INPUT);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, LIMIT + 8, RMP_PAGE_4K, adj_attrs(1, R)),
	                 RMP_FAIL_INPUT);
	expect(rmp, 0, true, true, false, RMP_PAGE_4K, 0xf, 0, 0, 0);
	expect(rmp, M2, true, true, false, RMP_PAGE_2M, 0xf, 0, 0, 0);
	sim_rmp_free(rmp);
}
END_TEST

START_TEST(test_rmpadjust_sizemismatch)
{
	struct sim_rmp *rmp = mk();

	make_valid_4k(rmp, 0);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, 0, RMP_PAGE_2M, adj_attrs(1, R)),
	                 RMP_FAIL_SIZEMISMATCH);
	make_valid_2m(rmp, M2);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, M2, RMP_PAGE_4K, adj_attrs(1, R)),
	                 RMP_FAIL_SIZEMISMATCH);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, M2 + 5 * K4, RMP_PAGE_4K, adj_attrs(1, R)),
	                 RMP_FAIL_SIZEMISMATCH);
	/* The size check comes before the subset check. */
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 1, M2 + 5 * K4, RMP_PAGE_4K, adj_attrs(2, R)),
	                 RMP_FAIL_SIZEMISMATCH);
	expect(rmp, 0, true, true, false, RMP_PAGE_4K, 0xf, 0, 0, 0);
	expect(rmp, M2 + 5 * K4, true, true, false, RMP_PAGE_2M, 0xf, 0, 0, 0);
	sim_rmp_free(rmp);
}
END_TEST

START_TEST(test_rmpadjust_2m)
{
	struct sim_rmp *rmp = mk();
	uint64_t off;

	make_valid_2m(rmp, 2 * M2);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, 2 * M2, RMP_PAGE_2M, adj_attrs(1, R | W)),
	                 RMP_SUCCESS);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 1, 2 * M2, RMP_PAGE_2M, adj_attrs(2, W)),
	                 RMP_SUCCESS);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 1, 2 * M2, RMP_PAGE_2M, adj_attrs(3, XU)),
	                 RMP_FAIL_PERMISSION);
	for (off = 0; off < M2; off += K4)
		expect(rmp, 2 * M2 + off, true, true, false, RMP_PAGE_2M, 0xf, R | W, W, 0);
	expect_reset(rmp, 3 * M2, false, RMP_PAGE_4K);
	sim_rmp_free(rmp);
}
END_TEST

/* ---- access checks ---- */

START_TEST(test_check_basic)
{
	struct sim_rmp *rmp = mk();
	uint64_t fault = 0;

	make_valid_4k(rmp, 0);
	ck_assert_int_eq(sim_rmp_check(rmp, 0, 0, 1, SIM_ACCESS_READ, &fault), SIM_ACCESS_OK);
	ck_assert_int_eq(sim_rmp_check(rmp, 0, 0x123, 8, SIM_ACCESS_WRITE, &fault), SIM_ACCESS_OK);
	ck_assert_int_eq(sim_rmp_check(rmp, 0, 0xff0, 16, SIM_ACCESS_EXEC, NULL), SIM_ACCESS_OK);
	ck_assert_int_eq(sim_rmp_check(rmp, 0, 0, K4, SIM_ACCESS_READ | SIM_ACCESS_WRITE, &fault),
	                 SIM_ACCESS_OK);
	ck_assert_uint_eq(fault, 0); /* untouched on success */

	/* Unassigned: NPF. */
	ck_assert_int_eq(sim_rmp_check(rmp, 0, K4 + 0x40, 4, SIM_ACCESS_READ, &fault),
	                 SIM_ACCESS_NPF);
	ck_assert_uint_eq(fault, K4 + 0x40);
	/* Assigned, not validated: VC. */
	ck_assert_int_eq(sim_rmp_update(rmp, 2 * K4, RMP_PAGE_4K, true), 0);
	ck_assert_int_eq(sim_rmp_check(rmp, 0, 2 * K4 + 8, 4, SIM_ACCESS_WRITE, &fault),
	                 SIM_ACCESS_VC);
	ck_assert_uint_eq(fault, 2 * K4 + 8);
	/* Beyond the limit: NPF. */
	ck_assert_int_eq(sim_rmp_check(rmp, 0, LIMIT, 1, SIM_ACCESS_READ, &fault), SIM_ACCESS_NPF);
	ck_assert_uint_eq(fault, LIMIT);
	/* len 0 touches nothing. */
	ck_assert_int_eq(sim_rmp_check(rmp, 0, LIMIT + K4, 0, SIM_ACCESS_READ, &fault),
	                 SIM_ACCESS_OK);
	ck_assert_int_eq(sim_rmp_check(rmp, 0, K4, 0, SIM_ACCESS_WRITE, &fault), SIM_ACCESS_OK);
	sim_rmp_free(rmp);
}
END_TEST

START_TEST(test_check_permissions)
{
	struct sim_rmp *rmp = mk();
	uint64_t fault = 0;

	make_valid_4k(rmp, 0);
	/* VMPL1 has no rights yet: NPF (VMPL violation). */
	ck_assert_int_eq(sim_rmp_check(rmp, 1, 0x10, 1, SIM_ACCESS_READ, &fault), SIM_ACCESS_NPF);
	ck_assert_uint_eq(fault, 0x10);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, 0, RMP_PAGE_4K, adj_attrs(1, R)), RMP_SUCCESS);
	ck_assert_int_eq(sim_rmp_check(rmp, 1, 0x10, 1, SIM_ACCESS_READ, &fault), SIM_ACCESS_OK);
	ck_assert_int_eq(sim_rmp_check(rmp, 1, 0x10, 1, SIM_ACCESS_WRITE, &fault), SIM_ACCESS_NPF);
	ck_assert_int_eq(sim_rmp_check(rmp, 1, 0x10, 1, SIM_ACCESS_EXEC, &fault), SIM_ACCESS_NPF);
	ck_assert_int_eq(sim_rmp_check(rmp, 1, 0, 1, SIM_ACCESS_READ | SIM_ACCESS_WRITE, &fault),
	                 SIM_ACCESS_NPF);
	/* User execute does not give supervisor execute. */
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, 0, RMP_PAGE_4K, adj_attrs(1, R | XU)),
	                 RMP_SUCCESS);
	ck_assert_int_eq(sim_rmp_check(rmp, 1, 0, 1, SIM_ACCESS_EXEC, &fault), SIM_ACCESS_NPF);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, 0, RMP_PAGE_4K, adj_attrs(1, R | W | XS)),
	                 RMP_SUCCESS);
	ck_assert_int_eq(sim_rmp_check(rmp, 1, 0, 1, SIM_ACCESS_EXEC, &fault), SIM_ACCESS_OK);
	ck_assert_int_eq(sim_rmp_check(rmp, 1, 0, 1, SIM_ACCESS_WRITE, &fault), SIM_ACCESS_OK);
	/* Other VMPLs still have nothing; VMPL0 keeps everything. */
	ck_assert_int_eq(sim_rmp_check(rmp, 2, 0, 1, SIM_ACCESS_READ, &fault), SIM_ACCESS_NPF);
	ck_assert_int_eq(sim_rmp_check(rmp, 3, 0, 1, SIM_ACCESS_READ, &fault), SIM_ACCESS_NPF);
	ck_assert_int_eq(sim_rmp_check(rmp, 0, 0, 1, SIM_ACCESS_EXEC, &fault), SIM_ACCESS_OK);
	/* An invalid VMPL or access bit is never granted. */
	ck_assert_int_eq(sim_rmp_check(rmp, 4, 0, 1, SIM_ACCESS_READ, &fault), SIM_ACCESS_NPF);
	ck_assert_int_eq(sim_rmp_check(rmp, 99, 0, 1, SIM_ACCESS_READ, &fault), SIM_ACCESS_NPF);
	ck_assert_int_eq(sim_rmp_check(rmp, 0, 0, 1, 0x10, &fault), SIM_ACCESS_NPF);
	sim_rmp_free(rmp);
}
END_TEST

START_TEST(test_check_order)
{
	struct sim_rmp *rmp = mk();
	uint64_t fault = 0;

	/* Unassigned and no rights for VMPL2: assigned is checked first (NPF). */
	ck_assert_int_eq(sim_rmp_check(rmp, 2, 0, 1, SIM_ACCESS_READ, &fault), SIM_ACCESS_NPF);
	/* Assigned, not validated, no rights for VMPL2: validated comes before the
	 * permissions, so the guest sees #VC. */
	ck_assert_int_eq(sim_rmp_update(rmp, 0, RMP_PAGE_4K, true), 0);
	ck_assert_int_eq(sim_rmp_check(rmp, 2, 0, 1, SIM_ACCESS_READ, &fault), SIM_ACCESS_VC);
	ck_assert_int_eq(sim_rmp_check(rmp, 4, 0, 1, SIM_ACCESS_READ, &fault), SIM_ACCESS_VC);
	sim_rmp_free(rmp);
}
END_TEST

START_TEST(test_check_ranges)
{
	struct sim_rmp *rmp = mk();
	uint64_t fault = 0;

	make_valid_4k(rmp, 0);
	make_valid_4k(rmp, K4);
	ck_assert_int_eq(sim_rmp_update(rmp, 3 * K4, RMP_PAGE_4K, true), 0);
	/* Pages 0 and 1 fine. */
	ck_assert_int_eq(sim_rmp_check(rmp, 0, 0xff0, 0x20, SIM_ACCESS_WRITE, &fault),
	                 SIM_ACCESS_OK);
	ck_assert_int_eq(sim_rmp_check(rmp, 0, 0, 2 * K4, SIM_ACCESS_READ, &fault), SIM_ACCESS_OK);
	/* Ending exactly at the end of page 1 does not touch page 2. */
	ck_assert_int_eq(sim_rmp_check(rmp, 0, K4 + 0x10, K4 - 0x10, SIM_ACCESS_READ, &fault),
	                 SIM_ACCESS_OK);
	/* One byte more reaches the unassigned page 2: its base is reported. */
	fault = 0;
	ck_assert_int_eq(sim_rmp_check(rmp, 0, K4 + 0x10, K4 - 0xf, SIM_ACCESS_READ, &fault),
	                 SIM_ACCESS_NPF);
	ck_assert_uint_eq(fault, 2 * K4);
	ck_assert_int_eq(sim_rmp_check(rmp, 0, 0x800, 3 * K4, SIM_ACCESS_READ, &fault),
	                 SIM_ACCESS_NPF);
	ck_assert_uint_eq(fault, 2 * K4);
	/* Page 3 is assigned, not validated: VC at the address when the access
	 * starts there, at the page base when it starts on page 2. */
	ck_assert_int_eq(sim_rmp_check(rmp, 0, 3 * K4 + 5, 100, SIM_ACCESS_READ, &fault),
	                 SIM_ACCESS_VC);
	ck_assert_uint_eq(fault, 3 * K4 + 5);
	make_valid_4k(rmp, 2 * K4);
	ck_assert_int_eq(sim_rmp_check(rmp, 0, 2 * K4 + 0xff8, 0x10, SIM_ACCESS_READ, &fault),
	                 SIM_ACCESS_VC);
	ck_assert_uint_eq(fault, 3 * K4);
	/* A permission failure on the second page. */
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, 0, RMP_PAGE_4K, adj_attrs(1, R)), RMP_SUCCESS);
	ck_assert_int_eq(sim_rmp_check(rmp, 1, 0xffc, 8, SIM_ACCESS_READ, &fault), SIM_ACCESS_NPF);
	ck_assert_uint_eq(fault, K4);
	/* Crossing the limit. */
	make_valid_4k(rmp, LIMIT - K4);
	ck_assert_int_eq(sim_rmp_check(rmp, 0, LIMIT - 8, 8, SIM_ACCESS_READ, &fault),
	                 SIM_ACCESS_OK);
	ck_assert_int_eq(sim_rmp_check(rmp, 0, LIMIT - 8, 9, SIM_ACCESS_READ, &fault),
	                 SIM_ACCESS_NPF);
	ck_assert_uint_eq(fault, LIMIT);
	/* Over a 2M entry. */
	make_valid_2m(rmp, M2);
	ck_assert_int_eq(sim_rmp_check(rmp, 0, M2, M2, SIM_ACCESS_WRITE, &fault), SIM_ACCESS_OK);
	ck_assert_int_eq(sim_rmp_check(rmp, 0, M2 + 8, M2, SIM_ACCESS_WRITE, &fault),
	                 SIM_ACCESS_NPF);
	ck_assert_uint_eq(fault, 2 * M2);
	sim_rmp_free(rmp);
}
END_TEST

START_TEST(test_check_overflow)
{
	struct sim_rmp *rmp = mk();
	uint64_t fault = 0;

	make_valid_4k(rmp, LIMIT - K4);
	/* A range that wraps past 2^64 faults at the limit. */
	ck_assert_int_eq(sim_rmp_check(rmp, 0, LIMIT - 0x10, SIZE_MAX, SIM_ACCESS_READ, &fault),
	                 SIM_ACCESS_NPF);
	ck_assert_uint_eq(fault, LIMIT);
	/* At the top of the address space. */
	ck_assert_int_eq(sim_rmp_check(rmp, 0, UINT64_MAX - 0xf, 0x100, SIM_ACCESS_READ, &fault),
	                 SIM_ACCESS_NPF);
	ck_assert_uint_eq(fault, UINT64_MAX - 0xf);
	ck_assert_int_eq(sim_rmp_check(rmp, 0, UINT64_MAX, 1, SIM_ACCESS_READ, &fault),
	                 SIM_ACCESS_NPF);
	ck_assert_uint_eq(fault, UINT64_MAX);
	ck_assert_int_eq(sim_rmp_check(rmp, 0, UINT64_MAX, SIZE_MAX, SIM_ACCESS_READ, &fault),
	                 SIM_ACCESS_NPF);
	ck_assert_uint_eq(fault, UINT64_MAX);
	/* Wrapping to page 0 must not be mistaken for an access to page 0. */
	make_valid_4k(rmp, 0);
	ck_assert_int_eq(
	    sim_rmp_check(rmp, 0, UINT64_MAX - K4 + 1, 2 * K4, SIM_ACCESS_READ, &fault),
	    SIM_ACCESS_NPF);
	ck_assert_uint_eq(fault, UINT64_MAX - K4 + 1);
	sim_rmp_free(rmp);
}
END_TEST

/* ---- snapshots ---- */

START_TEST(test_snapshot_restore)
{
	struct sim_rmp *rmp = mk();
	void *buf;
	uint64_t off;
	bool unchanged;

	make_valid_4k(rmp, 0);
	ck_assert_int_eq(
	    sim_rmp_rmpadjust(rmp, 0, 0, RMP_PAGE_4K, adj_attrs(1, R) | RMPADJUST_VMSA),
	    RMP_SUCCESS);
	make_valid_2m(rmp, M2);
	ck_assert_int_eq(sim_rmp_rmpadjust(rmp, 0, M2, RMP_PAGE_2M, adj_attrs(2, W)), RMP_SUCCESS);
	ck_assert_int_eq(sim_rmp_update(rmp, 2 * M2, RMP_PAGE_4K, true), 0);
	buf = malloc(sim_rmp_snapshot_size(rmp));
	ck_assert_ptr_nonnull(buf);
	sim_rmp_snapshot(rmp, buf);

	/* Change everything. */
	ck_assert_int_eq(sim_rmp_update(rmp, 0, RMP_PAGE_2M, false), 0);
	ck_assert_int_eq(sim_rmp_psmash(rmp, M2), 0);
	ck_assert_int_eq(pval(rmp, 0, M2 + K4, RMP_PAGE_4K, false, &unchanged), RMP_SUCCESS);
	ck_assert_int_eq(sim_rmp_set_immutable(rmp, 3 * M2, true), 0);
	ck_assert_int_eq(pval(rmp, 0, 2 * M2, RMP_PAGE_4K, true, &unchanged), RMP_SUCCESS);

	sim_rmp_restore(rmp, buf);
	expect(rmp, 0, true, true, true, RMP_PAGE_4K, 0xf, R, 0, 0);
	expect_reset(rmp, K4, false, RMP_PAGE_4K);
	for (off = 0; off < M2; off += K4)
		expect(rmp, M2 + off, true, true, false, RMP_PAGE_2M, 0xf, 0, W, 0);
	expect_reset(rmp, 2 * M2, true, RMP_PAGE_4K);
	expect_reset(rmp, 3 * M2, false, RMP_PAGE_4K);
	ck_assert_uint_eq(sim_rmp_count_validated(rmp), 513);
	/* A snapshot can be restored more than once. */
	ck_assert_int_eq(sim_rmp_update(rmp, 0, RMP_PAGE_4K, false), 0);
	sim_rmp_restore(rmp, buf);
	expect(rmp, 0, true, true, true, RMP_PAGE_4K, 0xf, R, 0, 0);
	free(buf);
	sim_rmp_free(rmp);
}
END_TEST

/* ---- randomized comparison with a reference model ---- */

/*
 * The reference: one plain record per 4K page, the rules applied as written
 * in abi section 4 and sim/machine/rmp.h, without any of the model's encoding.
 */
#define REF_PAGES  (LIMIT / K4)
#define REF_PER_2M 512

struct ref_page {
	bool assigned, validated, vmsa, immutable;
	int size; /* 0 = 4K, 1 = 2M */
	uint8_t perms[4];
};

struct ref {
	struct ref_page p[REF_PAGES];
};

static void ref_init(struct ref *r)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < REF_PAGES; i++)
		r->p[i].perms[0] = 0xf;
}

static bool ref_size_ok(uint64_t size)
{
	return size == 0 || size == 1;
}

static uint64_t ref_bytes(uint64_t size)
{
	return size == 1 ? M2 : K4;
}

static int ref_update(struct ref *r, uint64_t gpa, uint64_t size, bool assigned)
{
	size_t first, count, i, head;

	if (!ref_size_ok(size) || gpa % ref_bytes(size) != 0)
		return -CSVSM_EINVAL;
	if (gpa >= LIMIT)
		return -CSVSM_ERANGE;
	first = gpa / K4;
	count = size == 1 ? REF_PER_2M : 1;
	if (size == 0 && r->p[first].size == 1) {
		head = first - first % REF_PER_2M;
		if (r->p[head].immutable)
			return -CSVSM_EPERM;
		if (r->p[head].assigned)
			return -CSVSM_EINVAL;
		for (i = head; i < head + REF_PER_2M; i++)
			r->p[i].size = 0;
	}
	for (i = first; i < first + count; i++)
		if (r->p[i].immutable)
			return -CSVSM_EPERM;
	for (i = first; i < first + count; i++) {
		struct ref_page np = {.assigned = assigned, .size = (int)size};

		np.perms[0] = 0xf;
		r->p[i] = np;
	}
	return 0;
}

static int ref_psmash(struct ref *r, uint64_t gpa)
{
	size_t i, first = gpa / K4;

	if (gpa % M2 != 0)
		return -CSVSM_EINVAL;
	if (gpa >= LIMIT)
		return -CSVSM_ERANGE;
	if (r->p[first].size != 1)
		return -CSVSM_EINVAL;
	if (r->p[first].immutable)
		return -CSVSM_EPERM;
	for (i = first; i < first + REF_PER_2M; i++)
		r->p[i].size = 0;
	return 0;
}

static int ref_set_immutable(struct ref *r, uint64_t gpa, bool imm)
{
	size_t i, first, count;

	if (gpa >= LIMIT)
		return -CSVSM_ERANGE;
	first = gpa / K4;
	count = 1;
	if (r->p[first].size == 1) {
		first -= first % REF_PER_2M;
		count = REF_PER_2M;
	}
	for (i = first; i < first + count; i++)
		r->p[i].immutable = imm;
	return 0;
}

static int ref_pvalidate(struct ref *r, unsigned vmpl, uint64_t gpa, uint64_t size, bool val,
                         bool *unchanged)
{
	struct ref_page *pg;
	size_t i, count;

	if (!ref_size_ok(size) || gpa % ref_bytes(size) != 0)
		return RMP_FAIL_INPUT;
	if (vmpl != 0)
		return RMP_FAIL_PERMISSION;
	if (gpa >= LIMIT)
		return SIM_RMP_NPF;
	pg = &r->p[gpa / K4];
	if (!pg->assigned || pg->immutable)
		return SIM_RMP_NPF;
	if (pg->size != (int)size)
		return RMP_FAIL_SIZEMISMATCH;
	if (pg->validated == val) {
		*unchanged = true;
		return RMP_SUCCESS;
	}
	count = size == 1 ? REF_PER_2M : 1;
	for (i = 0; i < count; i++)
		pg[i].validated = val;
	*unchanged = false;
	return RMP_SUCCESS;
}

static int ref_rmpadjust(struct ref *r, unsigned vmpl, uint64_t gpa, uint64_t size, uint64_t attrs)
{
	uint64_t target = attrs & 0xff, mask = (attrs >> 8) & 0xf;
	bool vmsa = (attrs >> 16) & 1;
	struct ref_page *pg;
	size_t i, count;

	if (!ref_size_ok(size) || gpa % ref_bytes(size) != 0)
		return RMP_FAIL_INPUT;
	if ((attrs >> 17) != 0 || ((attrs >> 12) & 0xf) != 0 || target > 3)
		return RMP_FAIL_INPUT;
	if (vmsa && size == 1)
		return RMP_FAIL_INPUT;
	if (target <= vmpl)
		return RMP_FAIL_PERMISSION;
	if (gpa >= LIMIT)
		return SIM_RMP_NPF;
	pg = &r->p[gpa / K4];
	if (!pg->assigned || pg->immutable)
		return SIM_RMP_NPF;
	if (!pg->validated)
		return SIM_RMP_VC;
	if (pg->size != (int)size)
		return RMP_FAIL_SIZEMISMATCH;
	if ((mask | pg->perms[vmpl]) != pg->perms[vmpl])
		return RMP_FAIL_PERMISSION;
	count = size == 1 ? REF_PER_2M : 1;
	for (i = 0; i < count; i++) {
		pg[i].perms[target] = (uint8_t)mask;
		pg[i].vmsa = vmsa;
	}
	return RMP_SUCCESS;
}

static enum sim_access_result ref_check(const struct ref *r, unsigned vmpl, uint64_t gpa,
                                        size_t len, unsigned access, uint64_t *fault)
{
	uint64_t addr = gpa, remaining = len;

	while (remaining > 0) {
		uint64_t in_page = K4 - addr % K4;
		const struct ref_page *pg;
		enum sim_access_result res = SIM_ACCESS_OK;

		if (addr >= LIMIT) {
			res = SIM_ACCESS_NPF;
		} else {
			pg = &r->p[addr / K4];
			if (!pg->assigned || pg->immutable)
				res = SIM_ACCESS_NPF;
			else if (!pg->validated)
				res = SIM_ACCESS_VC;
			else if (vmpl > 3 || access > 0xf || (pg->perms[vmpl] & access) != access)
				res = SIM_ACCESS_NPF;
		}
		if (res != SIM_ACCESS_OK) {
			*fault = addr;
			return res;
		}
		if (remaining <= in_page)
			break;
		remaining -= in_page;
		if (addr + in_page == 0) /* the range wrapped: what is past 2^64 */
			break;
		addr += in_page;
	}
	return SIM_ACCESS_OK;
}

static uint64_t rnd_gpa(void)
{
	uint64_t k = rng_below(100);

	if (k < 30)
		return rng_below(LIMIT / M2) * M2;
	if (k < 85)
		return rng_below(LIMIT / K4) * K4;
	if (k < 92)
		return LIMIT + rng_below(4 * M2 / K4) * K4;
	if (k < 96)
		return rng_below(LIMIT + M2);
	return UINT64_MAX - rng_below(3 * M2);
}

static uint64_t rnd_size(void)
{
	uint64_t k = rng_below(100);

	if (k < 60)
		return 0;
	if (k < 97)
		return 1;
	return 2 + rng_below(4);
}

static unsigned rnd_vmpl(void)
{
	return rng_below(10) < 5 ? 0 : (unsigned)rng_below(rng_below(20) == 0 ? 6 : 4);
}

static uint64_t rnd_attrs(void)
{
	uint64_t a = rng_below(16) == 0 ? rng_below(256) : rng_below(4);

	a |= rng_below(16) << 8;
	if (rng_below(5) == 0)
		a |= RMPADJUST_VMSA;
	if (rng_below(20) == 0)
		a |= (uint64_t)1 << (12 + rng_below(52));
	return a;
}

static void compare_all(const struct sim_rmp *rmp, const struct ref *r, uint64_t seed, unsigned op)
{
	size_t i;
	unsigned v;

	/* Plain ifs: every Check assertion costs a write to its log. */
	for (i = 0; i < REF_PAGES; i++) {
		struct sim_rmp_entry e;
		const struct ref_page *p = &r->p[i];
		bool same = sim_rmp_query(rmp, i * K4, &e) == 0 && e.assigned == p->assigned &&
		            e.validated == p->validated && e.vmsa == p->vmsa &&
		            e.immutable == p->immutable && (int)e.size == p->size;

		for (v = 0; v < 4; v++)
			same = same && e.perms[v] == p->perms[v];
		if (!same)
			ck_abort_msg("seed %llu op %u: page %zu differs", (unsigned long long)seed,
			             op, i);
	}
}

static uint64_t ref_count_validated(const struct ref *r)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < REF_PAGES; i++)
		n += r->p[i].validated;
	return n;
}

static void random_run(uint64_t seed, unsigned nops)
{
	struct sim_rmp *rmp = mk();
	struct ref *r = malloc(sizeof(*r)), *saved_ref = malloc(sizeof(*r));
	void *snap = malloc(sim_rmp_snapshot_size(rmp));
	bool have_snap = false;
	unsigned op;

	ck_assert(r && saved_ref && snap);
	ref_init(r);
	rng_seed(seed);
	for (op = 0; op < nops; op++) {
		uint64_t kind = rng_below(100), gpa = rnd_gpa(), size = rnd_size();
		unsigned vmpl = rnd_vmpl();
		int got, want;

		if (kind < 14) {
			bool assigned = rng_below(4) != 0;

			got = sim_rmp_update(rmp, gpa, (enum rmp_page_size)size, assigned);
			want = ref_update(r, gpa, size, assigned);
		} else if (kind < 17) {
			got = sim_rmp_psmash(rmp, gpa);
			want = ref_psmash(r, gpa);
		} else if (kind < 18) {
			bool imm = rng_below(3) == 0;

			got = sim_rmp_set_immutable(rmp, gpa, imm);
			want = ref_set_immutable(r, gpa, imm);
		} else if (kind < 45) {
			bool val = rng_below(4) != 0, u1 = rng_below(2), u2 = u1;

			got = sim_rmp_pvalidate(rmp, vmpl, gpa, (enum rmp_page_size)size, val, &u1);
			want = ref_pvalidate(r, vmpl, gpa, size, val, &u2);
			if (u1 != u2)
				ck_abort_msg("seed %llu op %u: unchanged differs",
				             (unsigned long long)seed, op);
		} else if (kind < 70) {
			uint64_t attrs = rnd_attrs();

			got = sim_rmp_rmpadjust(rmp, vmpl, gpa, (enum rmp_page_size)size, attrs);
			want = ref_rmpadjust(r, vmpl, gpa, size, attrs);
		} else if (kind < 97) {
			uint64_t f1 = 1, f2 = 1;
			size_t len;
			unsigned access = (unsigned)rng_below(15) + 1;

			if (rng_below(30) == 0)
				access |= 0x10;
			switch (rng_below(6)) {
			case 0:
				len = 0;
				break;
			case 1:
				len = SIZE_MAX - rng_below(3 * K4);
				break;
			case 2:
				len = (size_t)rng_below(3 * M2);
				break;
			default:
				len = (size_t)rng_below(2 * K4) + 1;
			}
			if (rng_below(2))
				gpa += rng_below(K4);
			got = sim_rmp_check(rmp, vmpl, gpa, len, access, &f1);
			want = ref_check(r, vmpl, gpa, len, access, &f2);
			if (f1 != f2)
				ck_abort_msg("seed %llu op %u: fault gpa %#llx vs %#llx",
				             (unsigned long long)seed, op, (unsigned long long)f1,
				             (unsigned long long)f2);
		} else if (kind < 98 || !have_snap) {
			sim_rmp_snapshot(rmp, snap);
			memcpy(saved_ref, r, sizeof(*r));
			have_snap = true;
			got = want = 0;
		} else {
			sim_rmp_restore(rmp, snap);
			memcpy(r, saved_ref, sizeof(*r));
			got = want = 0;
		}
		if (got != want)
			ck_abort_msg("seed %llu op %u (kind %llu gpa %#llx size %llu vmpl %u): got "
			             "%d want %d",
			             (unsigned long long)seed, op, (unsigned long long)kind,
			             (unsigned long long)gpa, (unsigned long long)size, vmpl, got,
			             want);
		if (op % 64 == 63 || kind >= 97)
			compare_all(rmp, r, seed, op);
	}
	compare_all(rmp, r, seed, nops);
	ck_assert_uint_eq(sim_rmp_count_validated(rmp), ref_count_validated(r));
	free(snap);
	free(saved_ref);
	free(r);
	sim_rmp_free(rmp);
}

START_TEST(test_random_vs_reference)
{
	const char *env = getenv("CSVSM_RMP_SEED");
	uint64_t seed;

	if (env) {
		seed = strtoull(env, NULL, 0);
		random_run(seed, 50000);
		return;
	}
	for (seed = 1; seed <= 8; seed++)
		random_run(seed, 20000);
}
END_TEST

static Suite *rmp_suite(void)
{
	Suite *s = suite_create("rmp");
	TCase *tc = tcase_create("model");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_new_bad_limits);
	tcase_add_test(tc, test_new_initial_state);
	tcase_add_test(tc, test_update_private_shared);
	tcase_add_test(tc, test_update_resets_state);
	tcase_add_test(tc, test_update_2m);
	tcase_add_test(tc, test_update_errors);
	tcase_add_test(tc, test_update_4k_inside_2m);
	tcase_add_test(tc, test_psmash_keeps_state);
	tcase_add_test(tc, test_psmash_errors);
	tcase_add_test(tc, test_immutable);
	tcase_add_test(tc, test_pvalidate_validate_rescind);
	tcase_add_test(tc, test_pvalidate_keeps_perms);
	tcase_add_test(tc, test_pvalidate_fail_input);
	tcase_add_test(tc, test_pvalidate_npf);
	tcase_add_test(tc, test_pvalidate_vmpl_nonzero);
	tcase_add_test(tc, test_pvalidate_sizemismatch);
	tcase_add_test(tc, test_pvalidate_2m);
	tcase_add_test(tc, test_rmpadjust_basic);
	tcase_add_test(tc, test_rmpadjust_target_not_above_caller);
	tcase_add_test(tc, test_rmpadjust_subset);
	tcase_add_test(tc, test_rmpadjust_npf_vc);
	tcase_add_test(tc, test_rmpadjust_vmsa);
	tcase_add_test(tc, test_rmpadjust_fail_input);
	tcase_add_test(tc, test_rmpadjust_sizemismatch);
	tcase_add_test(tc, test_rmpadjust_2m);
	tcase_add_test(tc, test_check_basic);
	tcase_add_test(tc, test_check_permissions);
	tcase_add_test(tc, test_check_order);
	tcase_add_test(tc, test_check_ranges);
	tcase_add_test(tc, test_check_overflow);
	tcase_add_test(tc, test_snapshot_restore);
	tcase_add_test(tc, test_random_vs_reference);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rmp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
