/* SPDX-License-Identifier: MIT */
/*
 * The pure-computation parts of src/plat/snp, on the host. Every expected
 * value is written out from ../shared/reference/svsm-abi.md (section in
 * each test's comment) or AMD APM vol. 2 table 14-1, and read back at raw
 * byte offsets, never through the structures under test.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csvsm/error.h"
#include "csvsm/plat/rmp.h"
#include "snp_abi.h"

static uint64_t raw64(const void *page, size_t off)
{
	uint64_t v;

	memcpy(&v, (const uint8_t *)page + off, 8);
	return v;
}

/* abi §3.1 SEV_INFO: [63:48] max, [47:32] min, [31:24] C-bit; negotiation. */
START_TEST(test_msr_sev_info)
{
	struct snp_sev_info i;

	ck_assert_int_eq(snp_msr_sev_info(0x0002000133000001ull, &i), 0);
	ck_assert_uint_eq(i.max_version, 2);
	ck_assert_uint_eq(i.min_version, 1);
	ck_assert_uint_eq(i.cbit, 0x33);
	ck_assert_int_eq(snp_msr_negotiate(&i), 2);
	ck_assert_int_eq(snp_msr_sev_info(0x0002000133000005ull, &i), -CSVSM_EIO);
	i = (struct snp_sev_info){1, 1, 51}; /* version 1 only: csvsm needs 2 */
	ck_assert_int_eq(snp_msr_negotiate(&i), -CSVSM_ENOTSUP);
	i = (struct snp_sev_info){4, 3, 51}; /* 3 and up only */
	ck_assert_int_eq(snp_msr_negotiate(&i), -CSVSM_ENOTSUP);
	i = (struct snp_sev_info){5, 1, 51}; /* newer hypervisor: use 2 */
	ck_assert_int_eq(snp_msr_negotiate(&i), 2);
}
END_TEST

/* abi §3.1: 0x012 / 0x013 GHCB GPA registration, 0x014/0x015 PSC, 0x016/0x017, 0x081, 0x100. */
START_TEST(test_msr_requests)
{
	uint64_t f = 0;

	ck_assert_uint_eq(snp_msr_reg_ghcb(0x12345000ull), 0x12345012ull);
	ck_assert(snp_msr_reg_ghcb_ok(0x12345013ull, 0x12345000ull));
	ck_assert(!snp_msr_reg_ghcb_ok(0x12346013ull, 0x12345000ull)); /* another page */
	ck_assert(!snp_msr_reg_ghcb_ok(0x12345015ull, 0x12345000ull)); /* another code */
	ck_assert(snp_msr_psc_ok(0x015));
	ck_assert(!snp_msr_psc_ok(0x8000000000000015ull)); /* KVM's generic error, bit 63 */
	ck_assert(!snp_msr_psc_ok(0x014));
	ck_assert_uint_eq(GHCB_MSR_PSC(0xabcde, GHCB_PSC_OP_SHARED), 0x00200000abcde014ull);
	ck_assert_uint_eq(GHCB_MSR_RUN_VMPL(2), 0x0000000200000016ull);
	ck_assert(snp_msr_run_vmpl_ok(0x017));
	ck_assert(!snp_msr_run_vmpl_ok(0x0000000500000017ull));
	ck_assert(!snp_msr_run_vmpl_ok(0x016));
	ck_assert_int_eq(snp_msr_hv_features(0x23081ull, &f), 0);
	ck_assert_uint_eq(f, 0x23); /* SNP, AP creation, multi-VMPL: bits 0, 1, 5 */
	ck_assert_uint_eq(f & GHCB_HV_FT_SVSM_REQUIRED, GHCB_HV_FT_SVSM_REQUIRED);
	ck_assert_int_eq(snp_msr_hv_features(0x23080ull, &f), -CSVSM_EIO);
	/* TERM: set in [15:12], reason in [23:16]; Linux's "not at VMPL0" is set 1 reason 3. */
	ck_assert_uint_eq(GHCB_MSR_TERM(1, 3), 0x31100ull);
}
END_TEST

/* abi §3.2: valid bitmap bit (off >> 3) & 63 of word (off >> 9) & 1; version/usage. */
START_TEST(test_ghcb_fields)
{
	struct ghcb_page *g = calloc(1, sizeof(*g));

	ck_assert_ptr_nonnull(g);
	memset(g, 0xa5, sizeof(*g));
	ghcb_invalidate(g);
	ck_assert_uint_eq(raw64(g, 0x390), 0);
	ck_assert_uint_eq(raw64(g, 0x3f0), 0);
	ck_assert_uint_eq(raw64(g, 0x3f8), 0);
	ck_assert_uint_eq(((uint8_t *)g)[0xffa] | ((uint8_t *)g)[0xffb] << 8, 2);
	ck_assert_uint_eq(raw64(g, 0xff8) >> 32, 0); /* usage (0xffc..0xfff) = 0 */
	ghcb_set(g, 0x1f8, 0x1122334455667788ull);   /* rax */
	ck_assert_uint_eq(raw64(g, 0x1f8), 0x1122334455667788ull);
	ck_assert_uint_eq(raw64(g, 0x3f0), 1ull << 63);
	ghcb_set(g, 0x390, 0x7b); /* sw_exit_code: word 1, bit 50 */
	ck_assert_uint_eq(raw64(g, 0x3f8), 1ull << 50);
	ck_assert(ghcb_is_valid(g, 0x390) && ghcb_is_valid(g, 0x1f8) && !ghcb_is_valid(g, 0x308));
	ghcb_set(g, 0x409, 1); /* outside the save area / unaligned: ignored */
	ghcb_set(g, 0x1f9, 1);
	ck_assert_uint_eq(raw64(g, 0x1f8), 0x1122334455667788ull);
	free(g);
}
END_TEST

/* abi §3.3 IOIO 0x7B: IN bit 0, size bits 4/5/6, address size bit 8 (32-bit), port 31:16. */
START_TEST(test_ghcb_ioio_and_terminate)
{
	struct ghcb_page *g = calloc(1, sizeof(*g));

	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(ghcb_prepare_ioio(g, 0x3f8, 1, false, 'A'), 0);
	ck_assert_uint_eq(raw64(g, 0x390), 0x7b);
	ck_assert_uint_eq(raw64(g, 0x398), 0x03f80110ull);
	ck_assert_uint_eq(raw64(g, 0x3a0), 0);
	ck_assert_uint_eq(raw64(g, 0x1f8), 0x41);
	ck_assert_int_eq(ghcb_prepare_ioio(g, 0x60, 2, true, 0), 0);
	ck_assert_uint_eq(raw64(g, 0x398), 0x00600121ull);
	ck_assert_int_eq(ghcb_prepare_ioio(g, 0xcf8, 4, false, 0x80000000u), 0);
	ck_assert_uint_eq(raw64(g, 0x398), 0x0cf80140ull);
	ck_assert_int_eq(ghcb_prepare_ioio(g, 0x3f8, 3, false, 0), -CSVSM_EINVAL);
	/* TERMINATE 0x8000_FFFE: exitinfo1 [3:0] set, [11:4] reason. */
	ghcb_prepare_terminate(g, 1, 3);
	ck_assert_uint_eq(raw64(g, 0x390), 0x8000fffeull);
	ck_assert_uint_eq(raw64(g, 0x398), 0x31);
	free(g);
}
END_TEST

/* abi §3.2 return protocol: low 32 bits of SW_EXITINFO1: 0 ok, 1 inject, 2 input error. */
START_TEST(test_ghcb_result)
{
	struct ghcb_page *g = calloc(1, sizeof(*g));
	uint64_t v;

	ck_assert_ptr_nonnull(g);
	v = 0;
	memcpy((uint8_t *)g + 0x398, &v, 8);
	ck_assert_int_eq(ghcb_result(g), 0);
	v = 0x100000000ull; /* high half is not the result */
	memcpy((uint8_t *)g + 0x398, &v, 8);
	ck_assert_int_eq(ghcb_result(g), 0);
	v = 1;
	memcpy((uint8_t *)g + 0x398, &v, 8);
	ck_assert_int_eq(ghcb_result(g), -CSVSM_EFAULT);
	v = 2;
	memcpy((uint8_t *)g + 0x398, &v, 8);
	ck_assert_int_eq(ghcb_result(g), -CSVSM_EIO);
	v = 7;
	memcpy((uint8_t *)g + 0x398, &v, 8);
	ck_assert_int_eq(ghcb_result(g), -CSVSM_EIO);
	free(g);
}
END_TEST

/* abi §4.1 PVALIDATE: RAX va, ECX 0/1, EDX 1 validate / 0 rescind; §4.2 RMPADJUST RDX. */
START_TEST(test_rmp_operands)
{
	struct snp_rmp_operands o;

	ck_assert_int_eq(snp_pvalidate_operands(0x200000, 1, true, &o), 0);
	ck_assert_uint_eq(o.rax, 0x200000);
	ck_assert_uint_eq(o.rcx, 1);
	ck_assert_uint_eq(o.rdx, 1);
	ck_assert_int_eq(snp_pvalidate_operands(0x1000, 0, false, &o), 0);
	ck_assert_uint_eq(o.rcx, 0);
	ck_assert_uint_eq(o.rdx, 0);
	ck_assert_int_eq(snp_pvalidate_operands(0x201000, 1, true, &o), -CSVSM_EINVAL);
	ck_assert_int_eq(snp_pvalidate_operands(0x1001, 0, true, &o), -CSVSM_EINVAL);
	ck_assert_int_eq(snp_pvalidate_operands(0x1000, 2, true, &o), -CSVSM_EINVAL);
	/* COCONUT/AMD VMSA attributes: READ | VMSA | vmpl = 0x10100 | 1. */
	ck_assert_int_eq(snp_rmpadjust_operands(0x5000, 0, 0x10101, &o), 0);
	ck_assert_uint_eq(o.rdx, 0x10101);
	ck_assert_int_eq(snp_rmpadjust_operands(0x5000, 0, 0xf02, &o), 0); /* RWX for VMPL2 */
	ck_assert_int_eq(snp_rmpadjust_operands(0x5000, 0, 0xf00, &o), -CSVSM_EINVAL);  /* VMPL0 */
	ck_assert_int_eq(snp_rmpadjust_operands(0x5000, 0, 0x4, &o), -CSVSM_EINVAL);    /* VMPL4 */
	ck_assert_int_eq(snp_rmpadjust_operands(0x5000, 0, 0x1001, &o), -CSVSM_EINVAL); /* bit 12 */
}
END_TEST

/* abi §4.1/§4.2 results: 0 (CF = unchanged), 1 FAIL_INPUT, 2 FAIL_PERMISSION, 6 SIZEMISMATCH. */
START_TEST(test_rmp_result)
{
	bool unchanged = true;

	ck_assert_int_eq(snp_rmp_result(0, false, &unchanged), 0);
	ck_assert(!unchanged);
	ck_assert_int_eq(snp_rmp_result(0, true, &unchanged), 0);
	ck_assert(unchanged);
	ck_assert_int_eq(snp_rmp_result(1, false, &unchanged), 1);
	ck_assert(!unchanged);
	ck_assert_int_eq(snp_rmp_result(2, false, NULL), 2);
	ck_assert_int_eq(snp_rmp_result(6, false, NULL), 6);
	ck_assert_int_eq(snp_rmp_result(3, false, NULL), -CSVSM_EIO); /* FAIL_INUSE: host only */
}
END_TEST

/* abi §4.5 offsets; values: APM vol. 2 table 14-1 (state after INIT), EFER.SVME (abi §6). */
START_TEST(test_vmsa_reset)
{
	struct vmsa_page *v = malloc(sizeof(*v));
	const uint8_t *b = (const uint8_t *)v;
	uint16_t sel, attr;
	uint32_t limit, mxcsr;

	ck_assert_ptr_nonnull(v);
	memset(v, 0xee, sizeof(*v));
	snp_vmsa_init_reset(v, 2, 0x29);
	ck_assert_uint_eq(b[0x0ca], 2);
	ck_assert_uint_eq(raw64(v, 0x0d0), 0x1000);
	ck_assert_uint_eq(raw64(v, 0x178), 0xfff0);
	memcpy(&sel, b + 0x10, 2);
	memcpy(&attr, b + 0x12, 2);
	memcpy(&limit, b + 0x14, 4);
	ck_assert_uint_eq(sel, 0xf000);
	ck_assert_uint_eq(attr, 0x9b);
	ck_assert_uint_eq(limit, 0xffff);
	ck_assert_uint_eq(raw64(v, 0x18), 0xffff0000ull);
	memcpy(&attr, b + 0x32, 2); /* ds */
	ck_assert_uint_eq(attr, 0x93);
	ck_assert_uint_eq(raw64(v, 0x158), 0x60000010ull);
	ck_assert_uint_eq(raw64(v, 0x160), 0x400);
	ck_assert_uint_eq(raw64(v, 0x168), 0xffff0ff0ull);
	ck_assert_uint_eq(raw64(v, 0x170), 2);
	ck_assert_uint_eq(raw64(v, 0x268), 0x0007040600070406ull);
	ck_assert_uint_eq(raw64(v, 0x3e8), 1);
	memcpy(&mxcsr, b + 0x408, 4);
	ck_assert_uint_eq(mxcsr, 0x1f80);
	ck_assert_uint_eq(raw64(v, 0x3b0), 0x29);
	ck_assert_uint_eq(raw64(v, 0x3c0), 0); /* guest_exit_code */
	ck_assert_uint_eq(raw64(v, 0x1f8), 0); /* rax */
	ck_assert_uint_eq(snp_vmsa_segment(v, VMSA_OFF_TR).attrib, 0x8b);
	free(v);
}
END_TEST

static Suite *snp_suite(void)
{
	Suite *s = suite_create("snp_encode");
	TCase *tc = tcase_create("abi");

	tcase_add_test(tc, test_msr_sev_info);
	tcase_add_test(tc, test_msr_requests);
	tcase_add_test(tc, test_ghcb_fields);
	tcase_add_test(tc, test_ghcb_ioio_and_terminate);
	tcase_add_test(tc, test_ghcb_result);
	tcase_add_test(tc, test_rmp_operands);
	tcase_add_test(tc, test_rmp_result);
	tcase_add_test(tc, test_vmsa_reset);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(snp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
