/* SPDX-License-Identifier: MIT */
/*
 * SVSM_CORE_PVALIDATE (abi 1.5 call 1, PVALIDATE semantics abi 4.1): the
 * list checks, each entry's checks and effects, 2 MiB pages, a list that
 * changes under the SVSM (double fetch), and a hypervisor that shares a
 * page behind the guest's back.
 *
 * csvsm decisions tested here: RCX must be 8-byte aligned (else
 * INVALID_PARAMETER); an unreadable header or one outside guest RAM or in
 * SVSM memory is INVALID_ADDRESS; entries == 0, next >= entries or a list
 * crossing the page of RCX is INVALID_PARAMETER; entries run from `next`
 * and the first failure stops the list with `next` at the failing entry
 * (written back, also on success); CF=1 without ignore_cf is 0x80001010.
 */
#include <check.h>
#include <inttypes.h>
#include <string.h>

#include "core_test_util.h"
#include "csvsm/abi/svsm.h"

/* A page's RMP entry is that of an untouched free page: assigned, not validated. */
static void assert_untouched(uint64_t gpa)
{
	struct csvsm_sim_rmp_entry e = ct_rmp(gpa);

	ck_assert_msg(e.assigned && !e.validated && !e.vmsa && e.perms[ct_lay.guest_vmpl] == 0,
	              "page 0x%" PRIx64 " changed: assigned %d validated %d vmsa %d perm 0x%x", gpa,
	              e.assigned, e.validated, e.vmsa, e.perms[ct_lay.guest_vmpl]);
}

static void assert_owned(uint64_t gpa)
{
	struct csvsm_sim_rmp_entry e = ct_rmp(gpa);

	ck_assert_msg(ct_guest_owned(gpa),
	              "page 0x%" PRIx64 " not the guest's: validated %d vmsa %d perm 0x%x", gpa,
	              e.validated, e.vmsa, e.perms[ct_lay.guest_vmpl]);
}

/* ---- The list ---- */

START_TEST(test_pv_list_unaligned)
{
	uint64_t ca = ct_ca(0);
	static const uint64_t offs[] = {9, 12, 4, 0xff9, 1};
	unsigned int i;

	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		uint64_t rax = ct_core(0, SVSM_CORE_PVALIDATE, ca + offs[i], 0, 0);

		ck_assert_msg(rax == SVSM_ERR_INVALID_PARAMETER,
		              "list at CA+0x%" PRIx64 ": RAX 0x%" PRIx64, offs[i], rax);
	}
}
END_TEST

START_TEST(test_pv_list_bad_address)
{
	uint64_t shared = ct_page(1);
	uint64_t bad[] = {
	    ct_lay.svsm_base + 8,                       /* SVSM memory */
	    ct_lay.boot_vmsa_gpa + 8,                   /* the boot VMSA */
	    ct_lay.svsm_base + ct_lay.svsm_size + 0x10, /* outside guest RAM */
	    1ull << 52,                                 /* beyond the address space */
	    0xfffffffffffff010ull,                      /* the top page of 2^64 */
	    ct_page(0) + 8,                             /* unvalidated: unreadable */
	    shared + 8,                                 /* shared: unreadable */
	};
	unsigned int i;

	ck_assert_int_eq(csvsm_sim_guest_psc(ct_sim, shared, 0, false), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t rax = ct_core(0, SVSM_CORE_PVALIDATE, bad[i], 0, 0);

		ck_assert_msg(rax == SVSM_ERR_INVALID_ADDRESS, "list at 0x%" PRIx64 ": 0x%" PRIx64,
		              bad[i], rax);
	}
	ck_assert(ct_vcpu_works(0));
}
END_TEST

START_TEST(test_pv_list_bad_counts)
{
	uint64_t a = ct_page(2);
	uint64_t e[2] = {ct_pv(a, 0, true, false), ct_pv(a + CT_PAGE, 0, true, false)};
	uint64_t list = ct_ca(0) + 8;

	/* entries == 0 */
	ck_assert_uint_eq(ct_pvalidate_at(list, e, 1, 0, 0, NULL), SVSM_ERR_INVALID_PARAMETER);
	/* next == entries */
	ck_assert_uint_eq(ct_pvalidate_at(list, e, 1, 1, 1, NULL), SVSM_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(ct_pvalidate_at(list, e, 2, 2, 2, NULL), SVSM_ERR_INVALID_PARAMETER);
	/* next > entries */
	ck_assert_uint_eq(ct_pvalidate_at(list, e, 2, 1, 5, NULL), SVSM_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(ct_pvalidate_at(list, e, 2, 2, 0xffff, NULL), SVSM_ERR_INVALID_PARAMETER);
	assert_untouched(a);
	assert_untouched(a + CT_PAGE);
}
END_TEST

/* The list (8 + 8 * entries bytes) must not leave the 4 KiB page of RCX. */
START_TEST(test_pv_list_crossing_page)
{
	static uint64_t e[SVSM_PVAL_MAX_AT_CA];
	uint64_t ca = ct_ca(0), a = ct_page(3);
	uint16_t next = 0xbeef;
	unsigned int i;

	for (i = 0; i < SVSM_PVAL_MAX_AT_CA; i++)
		e[i] = ct_pv(ct_page(4 + i % 8), 0, true, true);
	e[0] = ct_pv(a, 0, true, false);
	/* 511 entries at CA + 8: the last one would be at CA + 0x1000. */
	ck_assert_uint_eq(ct_pvalidate_at(ca + 8, e, SVSM_PVAL_MAX_AT_CA, 511, 0, NULL),
	                  SVSM_ERR_INVALID_PARAMETER);
	/* 256 entries at CA + 0x800 (255 fit). */
	ck_assert_uint_eq(ct_pvalidate_at(ca + 0x800, e, 255, 256, 0, NULL),
	                  SVSM_ERR_INVALID_PARAMETER);
	/* A header in the last 8 bytes of the page leaves no room for an entry. */
	ck_assert_uint_eq(ct_pvalidate_at(ca + 0xff8, e, 0, 1, 0, NULL),
	                  SVSM_ERR_INVALID_PARAMETER);
	/* A huge count. */
	ck_assert_uint_eq(ct_pvalidate_at(ca + 8, e, 1, 0xffff, 0, NULL),
	                  SVSM_ERR_INVALID_PARAMETER);
	assert_untouched(a);
	/* Exactly fitting: header at CA + 0xff0, one entry at CA + 0xff8. */
	ck_assert_uint_eq(ct_pvalidate_at(ca + 0xff0, e, 1, 1, 0, &next), SVSM_SUCCESS);
	ck_assert_uint_eq(next, 1);
	assert_owned(a);
}
END_TEST

/* Linux's SVSM_PVALIDATE_MAX_COUNT: 510 entries at CA + 8, all done in one call. */
START_TEST(test_pv_510_entries)
{
	static uint64_t e[SVSM_PVAL_MAX_AT_CA];
	uint16_t next = 0;
	unsigned int i;

	for (i = 0; i < SVSM_PVAL_MAX_AT_CA; i++)
		e[i] = ct_pv(ct_page(i), 0, true, false);
	ct_fill(ct_page(0), 0x77, CT_PAGE);
	ct_fill(ct_page(255), 0x77, CT_PAGE);
	ct_fill(ct_page(509), 0x77, CT_PAGE);
	ck_assert_uint_eq(ct_pvalidate(e, SVSM_PVAL_MAX_AT_CA, 0, &next), SVSM_SUCCESS);
	ck_assert_uint_eq(next, SVSM_PVAL_MAX_AT_CA);
	for (i = 0; i < SVSM_PVAL_MAX_AT_CA; i++)
		assert_owned(ct_page(i));
	ck_assert(ct_guest_all(ct_page(0), 0, CT_PAGE));
	ck_assert(ct_guest_all(ct_page(255), 0, CT_PAGE));
	ck_assert(ct_guest_all(ct_page(509), 0, CT_PAGE));
	assert_untouched(ct_page(510));
}
END_TEST

/* A list may live in any guest page, not only the CA. */
START_TEST(test_pv_list_outside_ca)
{
	uint64_t lp = ct_page(0), a = ct_page(1);
	uint64_t e = ct_pv(a, 0, true, false);
	uint16_t next = 0;

	ct_validate(lp);
	ck_assert_uint_eq(ct_pvalidate_at(lp + 0x10, &e, 1, 1, 0, &next), SVSM_SUCCESS);
	ck_assert_uint_eq(next, 1);
	assert_owned(a);
}
END_TEST

/* Entries before `next` are skipped; `next` is written back as entries. */
START_TEST(test_pv_next_respected)
{
	uint64_t a = ct_page(0), b = ct_page(1), c = ct_page(2);
	uint64_t e[3] = {ct_pv(a, 0, true, false), ct_pv(b, 0, true, false),
	                 ct_pv(c, 0, true, false)};
	uint16_t next = 0;

	ck_assert_uint_eq(ct_pvalidate(e, 3, 1, &next), SVSM_SUCCESS);
	ck_assert_uint_eq(next, 3);
	assert_untouched(a);
	assert_owned(b);
	assert_owned(c);
}
END_TEST

/* ---- One entry ---- */

START_TEST(test_pv_validate_zero_fills)
{
	uint64_t a = ct_page(0);
	uint64_t e = ct_pv(a, 0, true, false);
	uint16_t next = 0;
	struct csvsm_sim_rmp_entry r;

	ct_fill(a, 0x5a, CT_PAGE);
	ck_assert_uint_eq(ct_pvalidate(&e, 1, 0, &next), SVSM_SUCCESS);
	ck_assert_uint_eq(next, 1);
	r = ct_rmp(a);
	ck_assert(r.assigned && r.validated && !r.vmsa);
	ck_assert_uint_eq(r.page_size, 0);
	ck_assert_uint_eq(r.perms[ct_lay.guest_vmpl], 0xf);
	ck_assert_msg(ct_guest_all(a, 0, CT_PAGE), "validated page not zero-filled");
	ck_assert_int_eq(ct_rw_page(a), CSVSM_SIM_ACCESS_OK);
	ck_assert_int_eq(csvsm_sim_guest_access(ct_sim, a, CT_PAGE, CSVSM_SIM_EXEC),
	                 CSVSM_SIM_ACCESS_OK);
}
END_TEST

/* Runs for guest VMPL 1, 2 and 3: the grant goes to the guest's VMPL. */
START_TEST(test_pv_validate_grants_guest_vmpl)
{
	struct csvsm_sim_config cfg;
	uint64_t a;

	csvsm_sim_config_default(&cfg);
	cfg.guest_vmpl = (uint8_t)_i;
	ct_start(&cfg);
	a = ct_page(0);
	ct_validate(a);
	ck_assert_uint_eq(ct_rmp(a).perms[_i], 0xf);
	ck_assert_int_eq(ct_rw_page(a), CSVSM_SIM_ACCESS_OK);
	ct_rescind(a);
	ck_assert_uint_eq(ct_rmp(a).perms[_i], 0);
	ct_stop();
}
END_TEST

START_TEST(test_pv_validate_twice)
{
	uint64_t a = ct_page(0);
	uint64_t e = ct_pv(a, 0, true, false);
	uint64_t ecf = ct_pv(a, 0, true, true);
	uint16_t next = 0xbeef;
	uint8_t data[16] = "keep me please!";
	uint8_t back[16];

	ct_validate(a);
	ck_assert_int_eq(ct_write(a, data, sizeof(data)), CSVSM_SIM_ACCESS_OK);
	ck_assert_uint_eq(ct_pvalidate(&e, 1, 0, &next), SVSM_PVALIDATE_FAIL_UNCHANGED);
	ck_assert_uint_eq(next, 0);
	assert_owned(a);
	ck_assert_int_eq(ct_read(a, back, sizeof(back)), CSVSM_SIM_ACCESS_OK);
	ck_assert_mem_eq(back, data, sizeof(data));
	/* ignore_cf: success, and the contents stay. */
	ck_assert_uint_eq(ct_pvalidate(&ecf, 1, 0, &next), SVSM_SUCCESS);
	ck_assert_uint_eq(next, 1);
	assert_owned(a);
	ck_assert_int_eq(ct_read(a, back, sizeof(back)), CSVSM_SIM_ACCESS_OK);
	ck_assert_mem_eq(back, data, sizeof(data));
}
END_TEST

START_TEST(test_pv_unchanged_stops_list)
{
	uint64_t a = ct_page(0), b = ct_page(1), c = ct_page(2);
	uint64_t e[3] = {ct_pv(a, 0, true, false), ct_pv(b, 0, true, false),
	                 ct_pv(c, 0, true, false)};
	uint16_t next = 0xbeef;

	ct_validate(b);
	ck_assert_uint_eq(ct_pvalidate(e, 3, 0, &next), SVSM_PVALIDATE_FAIL_UNCHANGED);
	ck_assert_uint_eq(next, 1);
	assert_owned(a);
	assert_owned(b);
	assert_untouched(c);
}
END_TEST

START_TEST(test_pv_rescind)
{
	uint64_t a = ct_page(0);
	uint64_t e = ct_pv(a, 0, false, false);
	uint16_t next = 0;
	struct csvsm_sim_rmp_entry r;
	uint8_t b;

	ct_validate(a);
	ck_assert_int_eq(ct_rw_page(a), CSVSM_SIM_ACCESS_OK);
	ck_assert_uint_eq(ct_pvalidate(&e, 1, 0, &next), SVSM_SUCCESS);
	ck_assert_uint_eq(next, 1);
	r = ct_rmp(a);
	ck_assert(r.assigned && !r.validated && !r.vmsa);
	ck_assert_uint_eq(r.perms[ct_lay.guest_vmpl], 0);
	ck_assert_int_eq(ct_read_byte(a, &b), CSVSM_SIM_ACCESS_VC);
	/* And it can be validated again, zero-filled. */
	ct_validate(a);
	ck_assert(ct_guest_all(a, 0, CT_PAGE));
}
END_TEST

START_TEST(test_pv_rescind_unvalidated)
{
	uint64_t a = ct_page(0);
	uint64_t e = ct_pv(a, 0, false, false);
	uint64_t ecf = ct_pv(a, 0, false, true);
	uint16_t next = 0xbeef;

	ck_assert_uint_eq(ct_pvalidate(&e, 1, 0, &next), SVSM_PVALIDATE_FAIL_UNCHANGED);
	ck_assert_uint_eq(next, 0);
	assert_untouched(a);
	ck_assert_uint_eq(ct_pvalidate(&ecf, 1, 0, &next), SVSM_SUCCESS);
	ck_assert_uint_eq(next, 1);
	assert_untouched(a);
}
END_TEST

START_TEST(test_pv_bad_page_size)
{
	uint64_t a = ct_page(0);
	uint64_t e;
	unsigned int sz;

	for (sz = 2; sz <= 3; sz++) {
		e = ct_pv(a, sz, true, false);
		ck_assert_msg(ct_pvalidate(&e, 1, 0, NULL) == SVSM_ERR_INVALID_PARAMETER,
		              "page size %u accepted", sz);
		e = ct_pv(a, sz, false, true);
		ck_assert_uint_eq(ct_pvalidate(&e, 1, 0, NULL), SVSM_ERR_INVALID_PARAMETER);
	}
	assert_untouched(a);
}
END_TEST

START_TEST(test_pv_reserved_bits)
{
	uint64_t a = ct_page(0);
	unsigned int bit;

	for (bit = 4; bit <= 11; bit++) {
		uint64_t e = ct_pv(a, 0, true, false) | (1ull << bit);
		uint64_t rax = ct_pvalidate(&e, 1, 0, NULL);

		ck_assert_msg(rax == SVSM_ERR_INVALID_PARAMETER, "reserved bit %u: 0x%" PRIx64, bit,
		              rax);
	}
	assert_untouched(a);
}
END_TEST

START_TEST(test_pv_2m_unaligned)
{
	uint64_t blk = ct_block(0);
	static const uint64_t offs[] = {CT_PAGE, 0x100000, CT_2M - CT_PAGE};
	unsigned int i;

	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		uint64_t e = ct_pv(blk + offs[i], 1, true, false);

		ck_assert_uint_eq(ct_pvalidate(&e, 1, 0, NULL), SVSM_ERR_INVALID_PARAMETER);
	}
	assert_untouched(blk + CT_PAGE);
}
END_TEST

/* A malformed entry in the middle stops the list at that entry, after the ones before. */
START_TEST(test_pv_bad_entry_stops_at_index)
{
	uint64_t a = ct_page(0), c = ct_page(2);
	uint64_t bad[] = {
	    ct_pv(ct_page(1), 2, true, false),            /* page size 2 */
	    ct_pv(ct_page(1), 0, true, false) | 0x100,    /* reserved bit */
	    ct_pv(ct_block(0) + CT_PAGE, 1, true, false), /* unaligned 2 MiB */
	    ct_pv(ct_lay.svsm_base, 0, true, false),      /* SVSM memory */
	};
	static const uint64_t want[] = {SVSM_ERR_INVALID_PARAMETER, SVSM_ERR_INVALID_PARAMETER,
	                                SVSM_ERR_INVALID_PARAMETER, SVSM_ERR_INVALID_ADDRESS};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t e[3] = {ct_pv(a, 0, true, true), bad[i], ct_pv(c, 0, true, false)};
		uint16_t next = 0xbeef;
		uint64_t rax = ct_pvalidate(e, 3, 0, &next);

		ck_assert_msg(rax == want[i], "bad entry %u: RAX 0x%" PRIx64, i, rax);
		ck_assert_msg(next == 1, "bad entry %u: next %u", i, next);
		assert_owned(a);
		assert_untouched(c);
	}
}
END_TEST

START_TEST(test_pv_entry_bad_address)
{
	struct csvsm_sim_rmp_entry svsm0 = ct_rmp(ct_lay.svsm_base);
	struct csvsm_sim_rmp_entry bootv = ct_rmp(ct_lay.boot_vmsa_gpa);
	uint64_t bad[] = {
	    ct_pv(ct_lay.svsm_base, 0, true, false),
	    ct_pv(ct_lay.svsm_base, 0, false, false),
	    ct_pv(ct_lay.svsm_base + ct_lay.svsm_size - CT_PAGE, 0, true, true),
	    ct_pv(ct_lay.boot_vmsa_gpa, 0, false, true),
	    ct_pv(ct_lay.boot_vmsa_gpa, 0, true, true),
	    ct_pv(ct_lay.svsm_base, 1, true, false),
	    ct_pv(ct_lay.svsm_base, 1, false, true),
	    ct_pv(ct_lay.svsm_base + ct_lay.svsm_size + CT_2M, 0, true, false),
	    ct_pv(1ull << 52, 0, true, false),
	    ct_pv(0xfffffffffffff000ull, 0, true, false),
	    ct_pv(0xffffffffffe00000ull, 1, true, false),
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint16_t next = 0xbeef;
		uint64_t rax = ct_pvalidate(&bad[i], 1, 0, &next);

		ck_assert_msg(rax == SVSM_ERR_INVALID_ADDRESS,
		              "entry 0x%" PRIx64 ": RAX 0x%" PRIx64, bad[i], rax);
		ck_assert_uint_eq(next, 0);
	}
	{
		struct csvsm_sim_rmp_entry now = ct_rmp(ct_lay.svsm_base);

		ck_assert(ct_rmp_equal(&now, &svsm0));
		now = ct_rmp(ct_lay.boot_vmsa_gpa);
		ck_assert(ct_rmp_equal(&now, &bootv));
	}
	ck_assert(ct_vcpu_works(0));
}
END_TEST

/* An entry on a registered VMSA (4 KiB, or a 2 MiB range holding it). */
START_TEST(test_pv_entry_registered_vmsa)
{
	uint64_t vmsa = ct_page(10), ca = ct_page(11);
	uint64_t e4[3] = {ct_pv(vmsa, 0, true, true), ct_pv(vmsa, 0, false, false),
	                  ct_pv(vmsa, 0, false, true)};
	uint64_t e2 = ct_pv(vmsa & ~(CT_2M - 1), 1, false, true);
	struct csvsm_sim_rmp_entry before, now;
	unsigned int i;

	ct_make_ap(1, vmsa, ca);
	before = ct_rmp(vmsa);
	ck_assert(before.vmsa);
	for (i = 0; i < 3; i++)
		ck_assert_msg(ct_pvalidate(&e4[i], 1, 0, NULL) == SVSM_ERR_INVALID_ADDRESS,
		              "4K entry %u on a VMSA", i);
	now = ct_rmp(vmsa);
	ck_assert(ct_rmp_equal(&now, &before));
	ck_assert(ct_vcpu_works(1));
	/* Overlap check precedes the RMP size check (4 KiB RMP entries here). */
	ck_assert_uint_eq(ct_pvalidate(&e2, 1, 0, NULL), SVSM_ERR_INVALID_ADDRESS);
	now = ct_rmp(vmsa);
	ck_assert(ct_rmp_equal(&now, &before));
	ck_assert(ct_vcpu_works(1));
}
END_TEST

/* 2 MiB entry over 4 KiB RMP entries; then Linux's retry with next + 1. */
START_TEST(test_pv_2m_size_mismatch)
{
	uint64_t a = ct_page(0), b = ct_page(1), blk = ct_block(0);
	uint64_t e[3] = {ct_pv(a, 0, true, false), ct_pv(blk, 1, true, false),
	                 ct_pv(b, 0, true, false)};
	uint16_t next = 0xbeef;
	uint64_t list = ct_ca(0) + 8;

	ck_assert_uint_eq(ct_pvalidate(e, 3, 0, &next), SVSM_PVALIDATE_FAIL_SIZEMISMATCH);
	ck_assert_uint_eq(next, 1);
	assert_owned(a);
	assert_untouched(blk);
	assert_untouched(blk + CT_2M - CT_PAGE);
	assert_untouched(b);
	/* Retry from the entry after the mismatch (the header as the SVSM left it). */
	next = 2;
	ck_assert_int_eq(ct_write(list + 2, &next, sizeof(next)), CSVSM_SIM_ACCESS_OK);
	ck_assert_uint_eq(ct_core(0, SVSM_CORE_PVALIDATE, list, 0, 0), SVSM_SUCCESS);
	ck_assert_int_eq(ct_read(list + 2, &next, sizeof(next)), CSVSM_SIM_ACCESS_OK);
	ck_assert_uint_eq(next, 3);
	assert_owned(b);
	assert_untouched(blk);
}
END_TEST

/* The hypervisor made the page shared: the SVSM's PVALIDATE faults (#NPF). */
START_TEST(test_pv_shared_page)
{
	uint64_t a = ct_page(0), b = ct_page(1);
	uint64_t ev = ct_pv(a, 0, true, false), er = ct_pv(b, 0, false, true);
	uint16_t next = 0xbeef;

	ct_validate(b);
	ck_assert_int_eq(csvsm_sim_guest_psc(ct_sim, a, 0, false), 0);
	ck_assert_int_eq(csvsm_sim_guest_psc(ct_sim, b, 0, false), 0);
	ck_assert_uint_eq(ct_pvalidate(&ev, 1, 0, &next), SVSM_ERR_INVALID_ADDRESS);
	ck_assert_uint_eq(next, 0);
	ck_assert_uint_eq(ct_pvalidate(&er, 1, 0, &next), SVSM_ERR_INVALID_ADDRESS);
	ck_assert(!ct_rmp(a).assigned);
	ck_assert(ct_vcpu_works(0));
	/* Private again: validation works. */
	ck_assert_int_eq(csvsm_sim_guest_psc(ct_sim, a, 0, true), 0);
	ct_validate(a);
	assert_owned(a);
}
END_TEST

/* ---- 2 MiB RMP entries (config rmp_2m) ---- */

static void start_2m(void)
{
	struct csvsm_sim_config cfg;

	csvsm_sim_config_default(&cfg);
	cfg.rmp_2m = true;
	ct_start(&cfg);
}

START_TEST(test_pv_2m_validate_rescind)
{
	uint64_t blk;
	uint64_t ev, er;
	uint16_t next = 0;
	unsigned int i;

	start_2m();
	blk = ct_block(0);
	ev = ct_pv(blk, 1, true, false);
	er = ct_pv(blk, 1, false, false);
	ct_fill(blk, 0x3c, CT_PAGE);
	ct_fill(blk + 0x100000, 0x3c, CT_PAGE);
	ct_fill(blk + CT_2M - CT_PAGE, 0x3c, CT_PAGE);
	ck_assert_uint_eq(ct_pvalidate(&ev, 1, 0, &next), SVSM_SUCCESS);
	ck_assert_uint_eq(next, 1);
	for (i = 0; i < 512; i++) {
		struct csvsm_sim_rmp_entry r = ct_rmp(blk + i * CT_PAGE);

		ck_assert_msg(r.validated && r.perms[ct_lay.guest_vmpl] == 0xf,
		              "page %u of the 2 MiB block: validated %d perm 0x%x", i, r.validated,
		              r.perms[ct_lay.guest_vmpl]);
		ck_assert_uint_eq(r.page_size, 1);
	}
	ck_assert_msg(ct_guest_all(blk, 0, CT_2M), "2 MiB page not zero-filled");
	/* Validating it again: CF = 1. */
	ck_assert_uint_eq(ct_pvalidate(&ev, 1, 0, &next), SVSM_PVALIDATE_FAIL_UNCHANGED);
	/* A 4 KiB entry inside it mismatches the RMP entry size. */
	{
		uint64_t e4 = ct_pv(blk + 0x5000, 0, false, false);

		ck_assert_uint_eq(ct_pvalidate(&e4, 1, 0, &next), SVSM_PVALIDATE_FAIL_SIZEMISMATCH);
		ck_assert_uint_eq(next, 0);
	}
	ck_assert_uint_eq(ct_pvalidate(&er, 1, 0, &next), SVSM_SUCCESS);
	for (i = 0; i < 512; i += 73) {
		struct csvsm_sim_rmp_entry r = ct_rmp(blk + i * CT_PAGE);

		ck_assert(!r.validated && r.perms[ct_lay.guest_vmpl] == 0);
	}
	ct_stop();
}
END_TEST

START_TEST(test_pv_2m_4k_entry_mismatch)
{
	uint64_t blk;
	uint64_t e[2];
	uint16_t next = 0xbeef;

	start_2m();
	blk = ct_block(1);
	e[0] = ct_pv(blk, 1, true, false);
	e[1] = ct_pv(ct_block(2) + 0x3000, 0, true, false);
	ck_assert_uint_eq(ct_pvalidate(e, 2, 0, &next), SVSM_PVALIDATE_FAIL_SIZEMISMATCH);
	ck_assert_uint_eq(next, 1);
	ck_assert(ct_guest_owned(blk + 0x3000));
	ck_assert(!ct_rmp(ct_block(2) + 0x3000).validated);
	ct_stop();
}
END_TEST

/* ---- Double fetch: the list changes after the SVSM read it ---- */

struct df_ctx {
	uint64_t list;   /* reads starting below the list (call_pending) are ignored */
	uint64_t watch;  /* fire after the first SVSM read covering this GPA */
	uint64_t target; /* poke `len` bytes of `data` here */
	uint8_t data[8];
	size_t len;
	unsigned int fired;
};

static void df_hook(void *opaque, struct csvsm_sim *sim, uint64_t gpa, size_t len, unsigned int nth)
{
	struct df_ctx *c = opaque;

	(void)nth;
	if (c->fired || gpa < c->list || c->watch < gpa || c->watch - gpa >= len)
		return;
	c->fired = 1;
	ck_assert_int_eq(csvsm_sim_poke(sim, c->target, c->data, c->len), 0);
}

static void df_arm(struct df_ctx *c, uint64_t watch, uint64_t target, uint64_t value, size_t len)
{
	struct csvsm_sim_hv_policy pol;

	memset(c, 0, sizeof(*c));
	c->list = ct_ca(0) + 8;
	c->watch = watch;
	c->target = target;
	memcpy(c->data, &value, len);
	c->len = len;
	memset(&pol, 0, sizeof(pol));
	pol.on_svsm_read = df_hook;
	pol.ctx = c;
	csvsm_sim_set_hv_policy(ct_sim, &pol);
}

static uint64_t df_run(struct df_ctx *c, const uint64_t *e, unsigned int n, uint16_t hdr_n,
                       uint16_t next, uint16_t *next_out)
{
	uint64_t rax = ct_pvalidate_at(ct_ca(0) + 8, e, n, hdr_n, next, next_out);

	csvsm_sim_set_hv_policy(ct_sim, NULL);
	ck_assert_msg(c->fired, "the SVSM never read 0x%" PRIx64 " (hook did not fire)", c->watch);
	return rax;
}

/* The entry said page A; after the read it says page B. */
START_TEST(test_df_entry_swapped)
{
	uint64_t a = ct_page(0), b = ct_page(1);
	uint64_t e = ct_pv(a, 0, true, false);
	uint64_t entry = ct_ca(0) + 16;
	struct df_ctx c;
	uint16_t next = 0;

	df_arm(&c, entry, entry, ct_pv(b, 0, true, false), 8);
	ck_assert_uint_eq(df_run(&c, &e, 1, 1, 0, &next), SVSM_SUCCESS);
	ck_assert_uint_eq(next, 1);
	assert_owned(a);
	assert_untouched(b);
}
END_TEST

/* After the read the entry points into SVSM memory: it must stay untouched. */
START_TEST(test_df_entry_to_svsm_memory)
{
	uint64_t a = ct_page(0);
	uint64_t e = ct_pv(a, 0, true, false);
	uint64_t entry = ct_ca(0) + 16;
	struct csvsm_sim_rmp_entry before = ct_rmp(ct_lay.svsm_base), now;
	struct df_ctx c;

	df_arm(&c, entry, entry, ct_pv(ct_lay.svsm_base, 0, true, false), 8);
	ck_assert_uint_eq(df_run(&c, &e, 1, 1, 0, NULL), SVSM_SUCCESS);
	assert_owned(a);
	now = ct_rmp(ct_lay.svsm_base);
	ck_assert(ct_rmp_equal(&now, &before));
	ck_assert(ct_vcpu_works(0));
}
END_TEST

/* Rescind of A becomes, after the read, a malformed entry: A is rescinded. */
START_TEST(test_df_entry_to_malformed)
{
	uint64_t a = ct_page(0);
	uint64_t e = ct_pv(a, 0, false, false);
	uint64_t entry;
	struct df_ctx c;

	ct_validate(a);
	entry = ct_ca(0) + 16;
	df_arm(&c, entry, entry, ct_pv(a, 3, false, false) | 0xff0, 8);
	ck_assert_uint_eq(df_run(&c, &e, 1, 1, 0, NULL), SVSM_SUCCESS);
	assert_untouched(a);
}
END_TEST

/* The header said 1 entry; after its read it says 2: only A is processed. */
START_TEST(test_df_entries_grow)
{
	uint64_t a = ct_page(0), b = ct_page(1);
	uint64_t e[2] = {ct_pv(a, 0, true, false), ct_pv(b, 0, true, false)};
	uint64_t hdr = ct_ca(0) + 8;
	struct df_ctx c;
	uint16_t next = 0;

	df_arm(&c, hdr, hdr, 2, 2);
	ck_assert_uint_eq(df_run(&c, e, 2, 1, 0, &next), SVSM_SUCCESS);
	ck_assert_uint_eq(next, 1);
	assert_owned(a);
	assert_untouched(b);
}
END_TEST

/* The header said 2 entries; after its read it says 1: both are processed. */
START_TEST(test_df_entries_shrink)
{
	uint64_t a = ct_page(0), b = ct_page(1);
	uint64_t e[2] = {ct_pv(a, 0, true, false), ct_pv(b, 0, true, false)};
	uint64_t hdr = ct_ca(0) + 8;
	struct df_ctx c;
	uint16_t next = 0;

	df_arm(&c, hdr, hdr, 1, 2);
	ck_assert_uint_eq(df_run(&c, e, 2, 2, 0, &next), SVSM_SUCCESS);
	ck_assert_uint_eq(next, 2);
	assert_owned(a);
	assert_owned(b);
}
END_TEST

/* The header said entries 2 (valid); after its read it says 511 (crossing the page). */
START_TEST(test_df_entries_to_invalid)
{
	uint64_t a = ct_page(0), b = ct_page(1);
	uint64_t e[2] = {ct_pv(a, 0, true, false), ct_pv(b, 0, true, false)};
	uint64_t hdr = ct_ca(0) + 8;
	struct df_ctx c;
	uint16_t next = 0;

	df_arm(&c, hdr, hdr, 511, 2);
	ck_assert_uint_eq(df_run(&c, e, 2, 2, 0, &next), SVSM_SUCCESS);
	ck_assert_uint_eq(next, 2);
	assert_owned(a);
	assert_owned(b);
}
END_TEST

/* `next` said 0; after the header read it says 1: entry 0 is still processed. */
START_TEST(test_df_next_changed)
{
	uint64_t a = ct_page(0), b = ct_page(1);
	uint64_t e[2] = {ct_pv(a, 0, true, false), ct_pv(b, 0, true, false)};
	uint64_t hdr = ct_ca(0) + 8;
	struct df_ctx c;
	uint16_t next = 0;

	df_arm(&c, hdr, hdr + 2, 1, 2);
	ck_assert_uint_eq(df_run(&c, e, 2, 2, 0, &next), SVSM_SUCCESS);
	ck_assert_uint_eq(next, 2);
	assert_owned(a);
	assert_owned(b);
}
END_TEST

Suite *core_pvalidate_suite(void)
{
	Suite *s = suite_create("core_pvalidate");
	TCase *tc;

	tc = tcase_create("list");
	tcase_set_timeout(tc, CT_TIMEOUT);
	tcase_add_checked_fixture(tc, ct_setup, ct_teardown);
	tcase_add_test(tc, test_pv_list_unaligned);
	tcase_add_test(tc, test_pv_list_bad_address);
	tcase_add_test(tc, test_pv_list_bad_counts);
	tcase_add_test(tc, test_pv_list_crossing_page);
	tcase_add_test(tc, test_pv_510_entries);
	tcase_add_test(tc, test_pv_list_outside_ca);
	tcase_add_test(tc, test_pv_next_respected);
	suite_add_tcase(s, tc);

	tc = tcase_create("entry");
	tcase_set_timeout(tc, CT_TIMEOUT);
	tcase_add_checked_fixture(tc, ct_setup, ct_teardown);
	tcase_add_test(tc, test_pv_validate_zero_fills);
	tcase_add_test(tc, test_pv_validate_twice);
	tcase_add_test(tc, test_pv_unchanged_stops_list);
	tcase_add_test(tc, test_pv_rescind);
	tcase_add_test(tc, test_pv_rescind_unvalidated);
	tcase_add_test(tc, test_pv_bad_page_size);
	tcase_add_test(tc, test_pv_reserved_bits);
	tcase_add_test(tc, test_pv_2m_unaligned);
	tcase_add_test(tc, test_pv_bad_entry_stops_at_index);
	tcase_add_test(tc, test_pv_entry_bad_address);
	tcase_add_test(tc, test_pv_entry_registered_vmsa);
	tcase_add_test(tc, test_pv_2m_size_mismatch);
	tcase_add_test(tc, test_pv_shared_page);
	suite_add_tcase(s, tc);

	tc = tcase_create("vmpl");
	tcase_set_timeout(tc, CT_TIMEOUT);
	tcase_add_loop_test(tc, test_pv_validate_grants_guest_vmpl, 1, 4);
	suite_add_tcase(s, tc);

	tc = tcase_create("rmp_2m");
	tcase_set_timeout(tc, CT_TIMEOUT);
	tcase_add_test(tc, test_pv_2m_validate_rescind);
	tcase_add_test(tc, test_pv_2m_4k_entry_mismatch);
	suite_add_tcase(s, tc);

	tc = tcase_create("double_fetch");
	tcase_set_timeout(tc, CT_TIMEOUT);
	tcase_add_checked_fixture(tc, ct_setup, ct_teardown);
	tcase_add_test(tc, test_df_entry_swapped);
	tcase_add_test(tc, test_df_entry_to_svsm_memory);
	tcase_add_test(tc, test_df_entry_to_malformed);
	tcase_add_test(tc, test_df_entries_grow);
	tcase_add_test(tc, test_df_entries_shrink);
	tcase_add_test(tc, test_df_entries_to_invalid);
	tcase_add_test(tc, test_df_next_changed);
	suite_add_tcase(s, tc);
	return s;
}
