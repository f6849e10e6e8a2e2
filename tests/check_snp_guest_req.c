/* SPDX-License-Identifier: MIT */
/*
 * The guest-request exit of src/plat/snp (snp_guest_req.c) against the
 * GHCB layout of abi §3.2/§3.3/§5.1, on the host: which fields are set and
 * marked valid, and how the hypervisor's answer and an untrusted
 * certificate table are read.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "csvsm/error.h"
#include "snp_guest_req.h"

static struct ghcb_page g;

static uint64_t at(unsigned int off)
{
	uint64_t v;

	memcpy(&v, g.save + off, 8);
	return v;
}

static void put(unsigned int off, uint64_t v)
{
	memcpy(g.save + off, &v, 8);
}

START_TEST(test_plain_request)
{
	uint64_t ei2, pages;

	memset(&g, 0xa5, sizeof(g));
	ck_assert_int_eq(ghcb_prepare_guest_request(&g, 0x10000, 0x11000, 0, 0), 0);
	ck_assert_uint_eq(at(0x390), 0x80000011);
	ck_assert_uint_eq(at(0x398), 0x10000);
	ck_assert_uint_eq(at(0x3a0), 0x11000);
	ck_assert_uint_eq(g.protocol_version, 2);
	ck_assert_uint_eq(g.ghcb_usage, 0);
	/* Valid bitmap: bits 0x390/8, 0x398/8, 0x3a0/8 in the first qword (abi §3.2). */
	ck_assert(ghcb_is_valid(&g, 0x390) && ghcb_is_valid(&g, 0x398) && ghcb_is_valid(&g, 0x3a0));
	ck_assert(!ghcb_is_valid(&g, 0x1f8) && !ghcb_is_valid(&g, 0x318));
	/* The hypervisor's answer: exitinfo1 low 32 bits 0, exitinfo2 = vmm/fw error. */
	put(0x398, 0);
	put(0x3a0, (2ull << 32));
	ck_assert_int_eq(ghcb_guest_request_answer(&g, false, &ei2, &pages), 0);
	ck_assert_uint_eq(ei2, 2ull << 32);
	ck_assert_uint_eq(pages, 0);
	put(0x398, 2); /* a GHCB input error */
	ck_assert_int_eq(ghcb_guest_request_answer(&g, false, &ei2, &pages), -CSVSM_EIO);
	ck_assert_uint_eq(ei2, 0);
	/* Unaligned pages are refused. */
	ck_assert_int_eq(ghcb_prepare_guest_request(&g, 0x10008, 0x11000, 0, 0), -CSVSM_EINVAL);
	ck_assert_int_eq(ghcb_prepare_guest_request(&g, 0x10000, 0x11000, 0x12001, 1),
	                 -CSVSM_EINVAL);
}
END_TEST

START_TEST(test_extended_request)
{
	uint64_t ei2, pages;

	ck_assert_int_eq(ghcb_prepare_guest_request(&g, 0x10000, 0x11000, 0x20000, 4), 0);
	ck_assert_uint_eq(at(0x390), 0x80000012);
	ck_assert_uint_eq(at(0x1f8), 0x20000); /* RAX = certificate buffer */
	ck_assert_uint_eq(at(0x318), 4);       /* RBX = pages */
	ck_assert(ghcb_is_valid(&g, 0x1f8) && ghcb_is_valid(&g, 0x318));
	/* Too small: INVALID_LEN with the pages needed in RBX. */
	put(0x398, 0);
	put(0x3a0, 1ull << 32);
	put(0x318, 6);
	ck_assert_int_eq(ghcb_guest_request_answer(&g, true, &ei2, &pages), 0);
	ck_assert_uint_eq(ei2, 1ull << 32);
	ck_assert_uint_eq(pages, 6);
}
END_TEST

START_TEST(test_cert_table_len)
{
	uint8_t t[4096];
	uint32_t v;

	memset(t, 0, sizeof(t));
	ck_assert_uint_eq(snp_cert_table_len(t, sizeof(t)), 24); /* empty table */
	memset(t, 1, 16);
	v = 72;
	memcpy(t + 16, &v, 4);
	v = 1000;
	memcpy(t + 20, &v, 4);
	ck_assert_uint_eq(snp_cert_table_len(t, sizeof(t)), 1072);
	v = 4030; /* 72 + 4030 is past the 4096-byte buffer */
	memcpy(t + 20, &v, 4);
	ck_assert_uint_eq(snp_cert_table_len(t, sizeof(t)), 0);
	memset(t, 1, sizeof(t)); /* no terminator */
	ck_assert_uint_eq(snp_cert_table_len(t, 48), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("snp_guest_req");
	TCase *tc = tcase_create("encode");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_plain_request);
	tcase_add_test(tc, test_extended_request);
	tcase_add_test(tc, test_cert_table_len);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
