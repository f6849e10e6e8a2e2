/* SPDX-License-Identifier: MIT */
/*
 * The SMP rules of the core (csvsm/vcpu.h, docs/smp.md) that a single
 * thread can observe on the shim, where locks never contend:
 *  - no call leaves a lock held when the vCPU returns to the guest (a lock
 *    held across a VMPL switch would deadlock the next vCPU on hardware),
 *    also on allocation failures;
 *  - the table's lookups demand vcpu_lock (a call without it panics);
 *  - a vCPU record in use by a call (a reference) cannot be deleted:
 *    DELETE_VCPU answers BUSY (58019: the caller retries) and changes
 *    nothing; once the reference is dropped the delete succeeds and the
 *    record's memory is returned;
 *  - guest buffers are refused when they overlap a VMSA at the time of the
 *    access, not only at the time of a check.
 * Real concurrency is tested on KVM (sim/kvm/, the stress test).
 */
#include <check.h>
#include <signal.h>

#include "core_test_util.h"
#include "csvsm/abi/svsm.h"
#include "csvsm/error.h"
#include "csvsm/fault.h"
#include "csvsm/mm.h"
#include "csvsm/vcpu.h"

/* One PVALIDATE entry for `gpa` (4 KiB) from vCPU 0; returns RAX. */
static uint64_t pv1(uint64_t gpa, bool validate)
{
	uint64_t e = ct_pv(gpa, 0, validate, false);

	return ct_pvalidate(&e, 1, 0, NULL);
}

static void assert_no_lock(const char *after)
{
	ck_assert_msg(!vcpu_lock_is_held(), "vcpu_lock held after %s", after);
	ck_assert_msg(!mm_lock_is_held(), "heap lock held after %s", after);
}

START_TEST(test_locks_free_after_every_call)
{
	uint64_t vmsa = ct_page(0), ca = ct_page(1);

	assert_no_lock("boot");
	ck_assert(ct_vcpu_works(0));
	assert_no_lock("QUERY_PROTOCOL");
	ct_make_ap(1, vmsa, ca);
	assert_no_lock("CREATE_VCPU");
	ck_assert_uint_eq(ct_create(0, vmsa, ca, 1), SVSM_ERR_INVALID_ADDRESS);
	assert_no_lock("a refused CREATE_VCPU");
	ck_assert_uint_eq(pv1(ct_page(4), true), SVSM_SUCCESS);
	assert_no_lock("PVALIDATE");
	ck_assert_uint_eq(pv1(vmsa, false), SVSM_ERR_INVALID_ADDRESS);
	assert_no_lock("a refused PVALIDATE");
	ck_assert_uint_eq(ct_core(1, SVSM_CORE_REMAP_CA, ct_page(4), 0, 0), SVSM_SUCCESS);
	assert_no_lock("REMAP_CA");
	ck_assert_uint_eq(ct_core(0, SVSM_CORE_DELETE_VCPU, vmsa, 0, 0), SVSM_SUCCESS);
	assert_no_lock("DELETE_VCPU");
	ck_assert_uint_eq(ct_core(0, SVSM_CORE_DELETE_VCPU, vmsa, 0, 0),
	                  SVSM_ERR_INVALID_PARAMETER);
	assert_no_lock("a refused DELETE_VCPU");
}
END_TEST

START_TEST(test_locks_free_after_alloc_failure)
{
	uint64_t vmsa = ct_page(0), ca = ct_page(1);

	ct_prepare_vmsa(vmsa);
	ct_validate(ca);
	fault_arm(FAULT_SITE_ALLOC, 1, true);
	ck_assert_uint_eq(ct_create(0, vmsa, ca, 1), SVSM_ERR_BUSY);
	assert_no_lock("CREATE_VCPU without memory");
	ck_assert_uint_eq(pv1(ct_page(4), true), SVSM_ERR_BUSY);
	assert_no_lock("PVALIDATE without memory");
	fault_reset();
	ck_assert_uint_eq(ct_create(0, vmsa, ca, 1), SVSM_SUCCESS);
}
END_TEST

START_TEST(test_lookup_without_lock_panics)
{
	(void)vcpu_at(0); /* BUG_ON: the caller must hold vcpu_lock */
}
END_TEST

START_TEST(test_delete_of_vcpu_in_use_is_busy)
{
	uint64_t vmsa = ct_page(0), ca = ct_page(1);
	size_t live;
	struct vcpu *ref;

	live = mm_live_allocs();
	ct_make_ap(1, vmsa, ca);
	ck_assert_uint_eq(mm_live_allocs(), live + 1);
	/* vCPU 1 is in the SVSM serving a call: it holds a reference. */
	ref = vcpu_get(1);
	ck_assert_ptr_nonnull(ref);
	ck_assert_uint_eq(ref->refs, 2);
	ck_assert_uint_eq(ct_core(0, SVSM_CORE_DELETE_VCPU, vmsa, 0, 0), SVSM_ERR_BUSY);
	/* Nothing changed: still a VMSA, still no guest access, still served. */
	ck_assert(ct_rmp(vmsa).vmsa);
	ck_assert_uint_eq(ct_rmp(vmsa).perms[ct_lay.guest_vmpl], 0);
	ck_assert(ct_vcpu_works(1));
	ck_assert_uint_eq(ref->refs, 2);
	vcpu_put(ref);
	ck_assert_uint_eq(ct_core(0, SVSM_CORE_DELETE_VCPU, vmsa, 0, 0), SVSM_SUCCESS);
	ck_assert(!ct_rmp(vmsa).vmsa);
	ck_assert(ct_vcpu_dead(1));
	ck_assert_uint_eq(mm_live_allocs(), live);
}
END_TEST

START_TEST(test_guest_buffer_checked_at_access)
{
	uint64_t vmsa = ct_page(0), ca = ct_page(1), buf = ct_page(2);
	uint8_t b[16] = {0};

	ct_validate(buf);
	ct_prepare_vmsa(vmsa);
	ct_validate(ca);
	ck_assert(vcpu_guest_buf_ok(vmsa, sizeof(b)));
	ck_assert_int_eq(vcpu_guest_buf_read(vmsa, b, sizeof(b)), 0);
	ck_assert_uint_eq(ct_create(0, vmsa, ca, 1), SVSM_SUCCESS);
	/* The page became a VMSA: the same range is refused now, read and write. */
	ck_assert(!vcpu_guest_buf_ok(vmsa, sizeof(b)));
	ck_assert_int_eq(vcpu_guest_buf_read(vmsa, b, sizeof(b)), -CSVSM_EFAULT);
	ck_assert_int_eq(vcpu_guest_buf_write(vmsa + 8, b, sizeof(b)), -CSVSM_EFAULT);
	/* A range that ends in it, and SVSM memory, too. */
	ck_assert_int_eq(vcpu_guest_buf_read(vmsa - 8, b, sizeof(b)), -CSVSM_EFAULT);
	ck_assert_int_eq(vcpu_guest_buf_read(ct_lay.svsm_base, b, sizeof(b)), -CSVSM_EFAULT);
	ck_assert_int_eq(vcpu_guest_buf_write(buf, b, sizeof(b)), 0);
	assert_no_lock("guest buffer accesses");
}
END_TEST

Suite *core_smp_suite(void)
{
	Suite *s = suite_create("core_smp");
	TCase *tc = tcase_create("rules");

	tcase_add_checked_fixture(tc, ct_setup, ct_teardown);
	tcase_add_test(tc, test_locks_free_after_every_call);
	tcase_add_test(tc, test_locks_free_after_alloc_failure);
	tcase_add_test_raise_signal(tc, test_lookup_without_lock_panics, SIGABRT);
	tcase_add_test(tc, test_delete_of_vcpu_in_use_is_busy);
	tcase_add_test(tc, test_guest_buffer_checked_at_access);
	suite_add_tcase(s, tc);
	return s;
}
