/* SPDX-License-Identifier: MIT */
/*
 * Core protocol (0) of the SVSM, driven through the simulator's harness API
 * the way a guest drives it: dispatch, QUERY_PROTOCOL, CONFIGURE_VTOM,
 * DEPOSIT/WITHDRAW_MEM, REMAP_CA, the guest's copy of the secrets page,
 * what the guest may never touch, and a hypervisor that lies.
 *
 * Expected values are those of the SVSM specification (abi 1.1-1.5, 2.1)
 * and the csvsm decisions recorded next to each test. PVALIDATE tests are
 * in check_core_pvalidate.c, CREATE/DELETE_VCPU and the fault sweeps in
 * check_core_vcpu.c.
 */
#include <check.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core_test_util.h"
#include "csvsm/abi/secrets.h"
#include "csvsm/abi/svsm.h"
#include "csvsm/abi/vmsa.h"

/* ---- Dispatch (abi 1.1, 1.5) ---- */

/* An unknown protocol number: UNSUPPORTED_PROTOCOL, and the call is serviced. */
START_TEST(test_unknown_protocol)
{
	static const uint32_t protos[] = {0x1234, 5, 0x7fffffff, 0xffffffff};
	unsigned int i;

	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		uint64_t rax = ct_call(0, protos[i], 0, 0, 0, 0, NULL);

		ck_assert_msg(rax == SVSM_ERR_UNSUPPORTED_PROTOCOL, "protocol 0x%x: RAX 0x%" PRIx64,
		              protos[i], rax);
	}
	/* An unknown call ID of an unknown protocol is still the protocol's fault. */
	ck_assert_uint_eq(ct_call(0, 0x1234, 0xffffffff, 0, 0, 0, NULL),
	                  SVSM_ERR_UNSUPPORTED_PROTOCOL);
}
END_TEST

/* Core call IDs above 7 do not exist in rev 1.00: UNSUPPORTED_CALL. */
START_TEST(test_unknown_core_call)
{
	static const uint32_t calls[] = {8, 9, 0x100, 0x7fffffff, 0xffffffff};
	unsigned int i;

	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		uint64_t rax = ct_core(0, calls[i], 0, 0, 0);

		ck_assert_msg(rax == SVSM_ERR_UNSUPPORTED_CALL, "call 0x%x: RAX 0x%" PRIx64,
		              calls[i], rax);
	}
}
END_TEST

/* DEPOSIT_MEM (4) and WITHDRAW_MEM (5) are not supported (compliant, abi 1.5). */
START_TEST(test_deposit_withdraw_unsupported)
{
	ck_assert_uint_eq(ct_core(0, SVSM_CORE_DEPOSIT_MEM, ct_page(0), 0, 0),
	                  SVSM_ERR_UNSUPPORTED_CALL);
	ck_assert_uint_eq(ct_core(0, SVSM_CORE_WITHDRAW_MEM, ct_page(0), 0, 0),
	                  SVSM_ERR_UNSUPPORTED_CALL);
	ck_assert_uint_eq(ct_core(0, SVSM_CORE_DEPOSIT_MEM, 0, 0, 0), SVSM_ERR_UNSUPPORTED_CALL);
}
END_TEST

/* Every call that reached the SVSM counts once in the stats; call_pending ends 0. */
START_TEST(test_calls_counted_and_pending_cleared)
{
	struct csvsm_sim_stats before, after;
	uint8_t pending = 0xff;
	unsigned int i;

	csvsm_sim_stats(ct_sim, &before);
	for (i = 0; i < 5; i++)
		ck_assert_uint_eq(ct_core(0, SVSM_CORE_QUERY_PROTOCOL, 1, 0, 0), SVSM_SUCCESS);
	ck_assert_uint_eq(ct_core(0, 8, 0, 0, 0), SVSM_ERR_UNSUPPORTED_CALL);
	csvsm_sim_stats(ct_sim, &after);
	ck_assert_uint_eq(after.calls - before.calls, 6);
	ck_assert_int_eq(ct_read_byte(ct_lay.boot_caa_gpa, &pending), CSVSM_SIM_ACCESS_OK);
	ck_assert_uint_eq(pending, 0);
}
END_TEST

/* ---- QUERY_PROTOCOL (abi 1.5, call 6) ---- */

static uint64_t query(uint32_t proto, uint32_t version, uint64_t *rcx)
{
	struct csvsm_regs r;
	uint64_t rax;

	rax = ct_call(0, SVSM_PROTO_CORE, SVSM_CORE_QUERY_PROTOCOL,
	              ((uint64_t)proto << 32) | version, 0, 0, &r);
	*rcx = r.rcx;
	return rax;
}

START_TEST(test_query_core_v1)
{
	uint64_t rcx = 0;

	ck_assert_uint_eq(query(SVSM_PROTO_CORE, 1, &rcx), SVSM_SUCCESS);
	ck_assert_uint_eq(rcx, 0x0000000100000001ull);
}
END_TEST

/* Versions outside 1..1 and unknown protocols: SUCCESS with RCX = 0. */
START_TEST(test_query_unsupported)
{
	static const uint64_t queries[] = {
	    0x0,                   /* core v0 */
	    0x2,                   /* core v2 */
	    0xffffffff,            /* core v0xffffffff */
	    0x0000123400000001ull, /* unknown protocol 0x1234 */
	    0xffffffff00000001ull, /* unknown protocol 0xffffffff */
	    0x0000000300000001ull, /* APIC protocol (not in csvsm) */
	};
	unsigned int i;

	for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		uint64_t rcx = 0xdead;
		uint64_t rax = query((uint32_t)(queries[i] >> 32), (uint32_t)queries[i], &rcx);

		ck_assert_msg(rax == SVSM_SUCCESS, "query 0x%016" PRIx64 ": RAX 0x%" PRIx64,
		              queries[i], rax);
		ck_assert_msg(rcx == 0, "query 0x%016" PRIx64 ": RCX 0x%" PRIx64, queries[i], rcx);
	}
}
END_TEST

/*
 * Attestation (1) is offered, version 1 only (abi 1.2); the vTPM (2) only
 * when the machine has an NV device (none here): RCX = 0.
 */
START_TEST(test_query_attest_vtpm_not_yet)
{
	uint64_t rcx = 0xdead;

	ck_assert_uint_eq(query(SVSM_PROTO_ATTEST, 1, &rcx), SVSM_SUCCESS);
	ck_assert_uint_eq(rcx, (1ull << 32) | 1);
	rcx = 0xdead;
	ck_assert_uint_eq(query(SVSM_PROTO_ATTEST, 2, &rcx), SVSM_SUCCESS);
	ck_assert_uint_eq(rcx, 0);
	rcx = 0xdead;
	ck_assert_uint_eq(query(SVSM_PROTO_VTPM, 1, &rcx), SVSM_SUCCESS);
	ck_assert_uint_eq(rcx, 0);
}
END_TEST

/* ---- CONFIGURE_VTOM (abi 1.5, call 7) ---- */

START_TEST(test_vtom_query)
{
	struct csvsm_regs r;

	ck_assert_uint_eq(
	    ct_call(0, SVSM_PROTO_CORE, SVSM_CORE_CONFIGURE_VTOM, SVSM_VTOM_QUERY, 0, 0, &r),
	    SVSM_SUCCESS);
	ck_assert_uint_eq(r.rcx, 0);
}
END_TEST

START_TEST(test_vtom_configure_refused)
{
	ck_assert_uint_eq(ct_core(0, SVSM_CORE_CONFIGURE_VTOM, 0, 0, 0), SVSM_ERR_INVALID_REQUEST);
	/* A configure request with a vTOM value, query bit clear. */
	ck_assert_uint_eq(ct_core(0, SVSM_CORE_CONFIGURE_VTOM, 1ull << 40, 0, 0),
	                  SVSM_ERR_INVALID_REQUEST);
}
END_TEST

/* ---- The guest's copy of the secrets page (abi 2.1) ---- */

/* Runs for guest VMPL 1, 2 and 3 (loop index). */
START_TEST(test_secrets_guest_copy)
{
	struct csvsm_sim_config cfg;
	static struct snp_secrets_page s;
	static const uint8_t zero[SNP_VMPCK_SIZE];
	unsigned int i;

	csvsm_sim_config_default(&cfg);
	cfg.guest_vmpl = (uint8_t)_i;
	ct_start(&cfg);
	ck_assert_uint_eq(ct_lay.guest_vmpl, _i);
	ck_assert_int_eq(ct_read(ct_lay.secrets_gpa, &s, sizeof(s)), CSVSM_SIM_ACCESS_OK);
	for (i = 0; i < ct_lay.guest_vmpl; i++)
		ck_assert_msg(memcmp(s.vmpck[i], zero, sizeof(zero)) == 0,
		              "VMPCK%u visible to the guest at VMPL%u", i, ct_lay.guest_vmpl);
	ck_assert_uint_eq(s.svsm_base, ct_lay.svsm_base);
	ck_assert_uint_eq(s.svsm_size, ct_lay.svsm_size);
	ck_assert_uint_ne(s.svsm_size, 0);
	ck_assert_uint_eq(s.svsm_caa, ct_lay.boot_caa_gpa);
	ck_assert_uint_eq(s.svsm_caa & 0xfff, 0);
	ck_assert_uint_eq(s.svsm_max_version, 1);
	ck_assert_uint_eq(s.svsm_guest_vmpl, ct_lay.guest_vmpl);
	ct_stop();
}
END_TEST

/*
 * Spec reading (abi 2.1, "in the copy: VMPCK0..VMPCK(guest_vmpl-1) are
 * zeroed"): the guest's own key VMPCK(guest_vmpl) is kept, since the guest
 * needs it for its own guest messages. Not one of the listed csvsm
 * decisions; holds if the simulated PSP page carries (random) VMPCKs.
 */
START_TEST(test_secrets_guest_vmpck_kept)
{
	static struct snp_secrets_page s;
	static const uint8_t zero[SNP_VMPCK_SIZE];

	ck_assert_int_eq(ct_read(ct_lay.secrets_gpa, &s, sizeof(s)), CSVSM_SIM_ACCESS_OK);
	ck_assert_msg(memcmp(s.vmpck[ct_lay.guest_vmpl], zero, sizeof(zero)) != 0,
	              "VMPCK%u (the guest's own) is zero in the guest copy", ct_lay.guest_vmpl);
}
END_TEST

/* ---- What the guest may never touch ---- */

START_TEST(test_svsm_memory_not_guest_accessible)
{
	static const uint64_t offsets[] = {0, CT_PAGE, 0x100000};
	uint8_t b;
	unsigned int i;

	for (i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		uint64_t gpa = ct_lay.svsm_base + offsets[i];

		ck_assert_msg(ct_read_byte(gpa, &b) == CSVSM_SIM_ACCESS_NPF,
		              "guest read of SVSM memory 0x%" PRIx64, gpa);
		ck_assert_msg(ct_write(gpa, &b, 1) == CSVSM_SIM_ACCESS_NPF,
		              "guest write of SVSM memory 0x%" PRIx64, gpa);
		ck_assert_uint_eq(ct_rmp(gpa).perms[ct_lay.guest_vmpl], 0);
	}
	ck_assert_int_eq(ct_read_byte(ct_lay.svsm_base + ct_lay.svsm_size - 1, &b),
	                 CSVSM_SIM_ACCESS_NPF);
}
END_TEST

START_TEST(test_boot_vmsa_not_guest_accessible)
{
	uint8_t b = 0;

	ck_assert_int_eq(ct_read_byte(ct_lay.boot_vmsa_gpa, &b), CSVSM_SIM_ACCESS_NPF);
	ck_assert_int_eq(ct_write(ct_lay.boot_vmsa_gpa, &b, 1), CSVSM_SIM_ACCESS_NPF);
	ck_assert_int_eq(ct_read_byte(ct_lay.boot_vmsa_gpa + 0xca, &b), CSVSM_SIM_ACCESS_NPF);
	ck_assert(ct_rmp(ct_lay.boot_vmsa_gpa).vmsa);
}
END_TEST

/* The layout's own promises: the boot pages are the guest's, free RAM is not validated. */
START_TEST(test_boot_layout_rmp)
{
	ck_assert(ct_guest_owned(ct_lay.boot_caa_gpa));
	ck_assert(ct_guest_owned(ct_lay.secrets_gpa));
	ck_assert(!ct_rmp(ct_page(0)).validated);
	ck_assert(ct_rmp(ct_page(0)).assigned);
	ck_assert_uint_eq(ct_lay.boot_caa_gpa & 0xfff, 0);
	ck_assert_uint_eq(ct_lay.svsm_base & 0xfff, 0);
}
END_TEST

/* ---- REMAP_CA (abi 1.5, call 0) ---- */

static uint64_t remap(unsigned int vcpu, uint64_t gpa)
{
	return ct_core(vcpu, SVSM_CORE_REMAP_CA, gpa, 0, 0);
}

START_TEST(test_remap_unaligned)
{
	uint64_t p = ct_page(0);

	ct_validate(p);
	ck_assert_uint_eq(remap(0, p + 8), SVSM_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(remap(0, p + 1), SVSM_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(remap(0, p + 0x800), SVSM_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(remap(0, ct_lay.boot_caa_gpa + 0xfff), SVSM_ERR_INVALID_PARAMETER);
	/* The boot CA is still in use. */
	ck_assert_uint_eq(ct_ca(0), ct_lay.boot_caa_gpa);
	ck_assert(ct_vcpu_works(0));
}
END_TEST

START_TEST(test_remap_bad_address)
{
	uint64_t bad[] = {
	    ct_lay.svsm_base,                               /* SVSM memory */
	    ct_lay.svsm_base + ct_lay.svsm_size - CT_PAGE,  /* last SVSM page */
	    ct_lay.boot_vmsa_gpa,                           /* the boot VMSA */
	    ct_lay.svsm_base + ct_lay.svsm_size + 0x200000, /* beyond all memory */
	    1ull << 52,                                     /* beyond the address space */
	    0xfffffffffffff000ull,                          /* the last page of 2^64 */
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t rax = remap(0, bad[i]);

		ck_assert_msg(rax == SVSM_ERR_INVALID_ADDRESS,
		              "REMAP_CA(0x%" PRIx64 "): 0x%" PRIx64, bad[i], rax);
		ck_assert(ct_vcpu_works(0));
	}
}
END_TEST

/* A page the SVSM cannot write: not validated, or shared. */
START_TEST(test_remap_unusable_page)
{
	uint64_t unvalidated = ct_page(1), shared = ct_page(2);

	ck_assert_uint_eq(remap(0, unvalidated), SVSM_ERR_INVALID_ADDRESS);
	ck_assert(!ct_rmp(unvalidated).validated);
	ck_assert_int_eq(csvsm_sim_guest_psc(ct_sim, shared, 0, false), 0);
	ck_assert_uint_eq(remap(0, shared), SVSM_ERR_INVALID_ADDRESS);
	ck_assert_uint_eq(ct_ca(0), ct_lay.boot_caa_gpa);
	ck_assert(ct_vcpu_works(0));
}
END_TEST

START_TEST(test_remap_success)
{
	uint64_t a = ct_page(3);
	uint8_t hdr[8];
	uint8_t one = 1, b = 0xee;
	unsigned int i;

	ct_validate(a);
	ct_fill(a, 0xaa, CT_PAGE);
	ck_assert_uint_eq(remap(0, a), SVSM_SUCCESS);
	/* The new CA's header is zeroed (abi 1.3). */
	ck_assert_int_eq(ct_read(a, hdr, sizeof(hdr)), CSVSM_SIM_ACCESS_OK);
	for (i = 0; i < sizeof(hdr); i++)
		ck_assert_msg(hdr[i] == 0, "new CA byte %u = 0x%x", i, hdr[i]);
	/* The old CA is not used any more: a stray call_pending there changes nothing. */
	ck_assert_int_eq(ct_write(ct_lay.boot_caa_gpa, &one, 1), CSVSM_SIM_ACCESS_OK);
	ck_assert_uint_eq(ct_ca(0), a);
	ck_assert_uint_eq(ct_core(0, SVSM_CORE_QUERY_PROTOCOL, 1, 0, 0), SVSM_SUCCESS);
	ck_assert_int_eq(ct_read_byte(ct_lay.boot_caa_gpa, &b), CSVSM_SIM_ACCESS_OK);
	ck_assert_msg(b == 1, "the SVSM touched the old CA's call_pending (%u)", b);
	/* The PVALIDATE list now lives at the new CA + 8. */
	ct_validate(ct_page(4));
	ck_assert(ct_guest_owned(ct_page(4)));
}
END_TEST

/* After moving away, the old CA page may even be given back (rescinded). */
START_TEST(test_remap_old_ca_rescinded)
{
	uint64_t a = ct_page(5);

	ct_validate(a);
	ck_assert_uint_eq(remap(0, a), SVSM_SUCCESS);
	ct_rescind(ct_lay.boot_caa_gpa);
	ck_assert(!ct_rmp(ct_lay.boot_caa_gpa).validated);
	ck_assert(ct_vcpu_works(0));
}
END_TEST

START_TEST(test_remap_to_current_is_noop)
{
	uint64_t a = ct_page(6);

	ck_assert_uint_eq(remap(0, ct_lay.boot_caa_gpa), SVSM_SUCCESS);
	ck_assert(ct_vcpu_works(0));
	ct_validate(a);
	ck_assert_uint_eq(remap(0, a), SVSM_SUCCESS);
	ck_assert_uint_eq(remap(0, a), SVSM_SUCCESS);
	ck_assert_uint_eq(ct_ca(0), a);
	ck_assert(ct_vcpu_works(0));
}
END_TEST

START_TEST(test_remap_chain_and_back)
{
	uint64_t a = ct_page(7), b = ct_page(8);

	ct_validate(a);
	ct_validate(b);
	ck_assert_uint_eq(remap(0, a), SVSM_SUCCESS);
	ck_assert_uint_eq(remap(0, b), SVSM_SUCCESS);
	ck_assert(ct_vcpu_works(0));
	ck_assert_uint_eq(remap(0, ct_lay.boot_caa_gpa), SVSM_SUCCESS);
	ck_assert_uint_eq(ct_ca(0), ct_lay.boot_caa_gpa);
	ck_assert(ct_vcpu_works(0));
}
END_TEST

/* Another vCPU's CA cannot become mine, nor a registered VMSA. */
START_TEST(test_remap_other_vcpu_ca_and_vmsa)
{
	uint64_t vmsa = ct_page(10), ca = ct_page(11), mine = ct_page(12);

	ct_make_ap(1, vmsa, ca);
	ck_assert_uint_eq(remap(0, ca), SVSM_ERR_INVALID_ADDRESS);
	ck_assert_uint_eq(remap(0, vmsa), SVSM_ERR_INVALID_ADDRESS);
	ck_assert_uint_eq(remap(1, vmsa), SVSM_ERR_INVALID_ADDRESS);
	ck_assert_uint_eq(remap(1, ct_lay.boot_caa_gpa), SVSM_ERR_INVALID_ADDRESS);
	ck_assert(ct_vcpu_works(0));
	ck_assert(ct_vcpu_works(1));
	/* The AP may remap to its own CA (no-op) and to a page of its own. */
	ck_assert_uint_eq(remap(1, ca), SVSM_SUCCESS);
	ct_validate(mine);
	ck_assert_uint_eq(remap(1, mine), SVSM_SUCCESS);
	ck_assert(ct_vcpu_works(1));
	/* ...and after that its old CA is free for vCPU 0. */
	ck_assert_uint_eq(remap(0, ca), SVSM_SUCCESS);
	ck_assert(ct_vcpu_works(0));
}
END_TEST

/* ---- A lying hypervisor ---- */

START_TEST(test_hv_refuses_run_vmpl)
{
	struct csvsm_sim_hv_policy pol;
	struct csvsm_regs r;
	int rc;

	memset(&pol, 0, sizeof(pol));
	pol.refuse_run_vmpl = 1;
	csvsm_sim_set_hv_policy(ct_sim, &pol);
	rc = ct_call_raw(0, SVSM_PROTO_CORE, SVSM_CORE_QUERY_PROTOCOL, 1, 0, 0, &r);
	ck_assert_msg(rc == -1 || (rc == 0 && !r.serviced), "refused run-VMPL: rc %d serviced %d",
	              rc, r.serviced);
	/* The next request is not refused. */
	ck_assert_uint_eq(ct_core(0, SVSM_CORE_QUERY_PROTOCOL, 1, 0, 0), SVSM_SUCCESS);
	ck_assert(ct_vcpu_works(0));
}
END_TEST

START_TEST(test_hv_refuses_several)
{
	struct csvsm_sim_hv_policy pol;
	struct csvsm_regs r;
	unsigned int i;

	memset(&pol, 0, sizeof(pol));
	pol.refuse_run_vmpl = 3;
	csvsm_sim_set_hv_policy(ct_sim, &pol);
	for (i = 0; i < 3; i++) {
		int rc = ct_call_raw(0, SVSM_PROTO_CORE, SVSM_CORE_PVALIDATE,
		                     ct_lay.boot_caa_gpa + 8, 0, 0, &r);

		ck_assert_msg(rc == -1 || (rc == 0 && !r.serviced), "refusal %u: rc %d", i, rc);
	}
	csvsm_sim_set_hv_policy(ct_sim, NULL);
	ck_assert(ct_vcpu_works(0));
	ct_validate(ct_page(20));
}
END_TEST

/*
 * The hypervisor swaps the backing of a validated page: it is no longer
 * validated, the guest gets #VC, and validating it again zero-fills it
 * (the hypervisor's fill byte does not leak into the guest).
 */
START_TEST(test_hv_remap_validated_page)
{
	uint64_t p = ct_page(21);

	ct_validate(p);
	ck_assert_int_eq(ct_rw_page(p), CSVSM_SIM_ACCESS_OK);
	ck_assert_int_eq(csvsm_sim_hv_remap(ct_sim, p, 0xc3), 0);
	ck_assert(!ct_rmp(p).validated);
	{
		uint8_t b;

		ck_assert_int_eq(ct_read_byte(p, &b), CSVSM_SIM_ACCESS_VC);
	}
	ct_validate(p);
	ck_assert(ct_guest_owned(p));
	ck_assert_msg(ct_guest_all(p, 0, CT_PAGE), "re-validated page not zero-filled");
}
END_TEST

static Suite *core_suite(void)
{
	Suite *s = suite_create("core");
	TCase *tc;

	tc = tcase_create("dispatch");
	tcase_set_timeout(tc, CT_TIMEOUT);
	tcase_add_checked_fixture(tc, ct_setup, ct_teardown);
	tcase_add_test(tc, test_unknown_protocol);
	tcase_add_test(tc, test_unknown_core_call);
	tcase_add_test(tc, test_deposit_withdraw_unsupported);
	tcase_add_test(tc, test_calls_counted_and_pending_cleared);
	tcase_add_test(tc, test_query_core_v1);
	tcase_add_test(tc, test_query_unsupported);
	tcase_add_test(tc, test_query_attest_vtpm_not_yet);
	tcase_add_test(tc, test_vtom_query);
	tcase_add_test(tc, test_vtom_configure_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("secrets");
	tcase_set_timeout(tc, CT_TIMEOUT);
	tcase_add_loop_test(tc, test_secrets_guest_copy, 1, 4);
	suite_add_tcase(s, tc);

	tc = tcase_create("isolation");
	tcase_set_timeout(tc, CT_TIMEOUT);
	tcase_add_checked_fixture(tc, ct_setup, ct_teardown);
	tcase_add_test(tc, test_secrets_guest_vmpck_kept);
	tcase_add_test(tc, test_svsm_memory_not_guest_accessible);
	tcase_add_test(tc, test_boot_vmsa_not_guest_accessible);
	tcase_add_test(tc, test_boot_layout_rmp);
	suite_add_tcase(s, tc);

	tc = tcase_create("remap_ca");
	tcase_set_timeout(tc, CT_TIMEOUT);
	tcase_add_checked_fixture(tc, ct_setup, ct_teardown);
	tcase_add_test(tc, test_remap_unaligned);
	tcase_add_test(tc, test_remap_bad_address);
	tcase_add_test(tc, test_remap_unusable_page);
	tcase_add_test(tc, test_remap_success);
	tcase_add_test(tc, test_remap_old_ca_rescinded);
	tcase_add_test(tc, test_remap_to_current_is_noop);
	tcase_add_test(tc, test_remap_chain_and_back);
	tcase_add_test(tc, test_remap_other_vcpu_ca_and_vmsa);
	suite_add_tcase(s, tc);

	tc = tcase_create("lying_hv");
	tcase_set_timeout(tc, CT_TIMEOUT);
	tcase_add_checked_fixture(tc, ct_setup, ct_teardown);
	tcase_add_test(tc, test_hv_refuses_run_vmpl);
	tcase_add_test(tc, test_hv_refuses_several);
	tcase_add_test(tc, test_hv_remap_validated_page);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(core_suite());
	int failed;

	srunner_add_suite(sr, core_pvalidate_suite());
	srunner_add_suite(sr, core_vcpu_suite());
	srunner_add_suite(sr, core_fault_suite());
	srunner_add_suite(sr, core_smp_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
