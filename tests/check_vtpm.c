/* SPDX-License-Identifier: MIT */
/*
 * The SVSM vTPM protocol (2) through the simulator's harness API: QUERY,
 * the TPM_SEND_COMMAND buffer and every way it can be malformed or
 * misplaced (58019 chapter "vTPM protocol", tables 14-17; abi 1.7).
 *
 * Expected values come from the specification and from the csvsm
 * decisions recorded in src/protocols/vtpm.c: the buffer is the 4096 bytes
 * at RCX; RCX = 0 is INVALID_PARAMETER; a buffer not entirely in guest RAM,
 * touching SVSM memory or a VMSA, or not validated is INVALID_ADDRESS; a
 * platform command other than 8 is UNSUPPORTED_CALL; a locality other than
 * 0, a size above 4087, a command shorter than a TPM header or whose
 * header disagrees with the size is INVALID_PARAMETER. Refused requests
 * never reach the TPM (its command counter stays) and leave the buffer
 * untouched. NV behaviour, the EK, the platform hierarchy and the fault
 * sweeps are in check_vtpm_nv.c.
 */
#include <check.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "csvsm/abi/svsm.h"
#include "csvsm/abi/vtpm.h"
#include "csvsm/adapter/vtpm.h"
#include "csvsm/sim_nv.h"
#include "csvsm/vtpm.h"
#include "fuzz/fuzz_vtpm.h"
#include "vtpm_test_util.h"

/* A GetRandom(16) request (table 16) in a 4 KiB image; fields overridable. */
static size_t request(uint8_t *img, uint32_t platform_cmd, uint8_t locality, uint32_t size)
{
	static const uint8_t get_random[12] = {0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7b, 0, 16};

	memset(img, 0xa5, SVSM_VTPM_BUFFER_SIZE);
	memcpy(img, &platform_cmd, 4);
	img[4] = locality;
	memcpy(img + 5, &size, 4);
	memcpy(img + 9, get_random, sizeof(get_random));
	return 9 + sizeof(get_random);
}

static uint64_t tpm_commands(void)
{
	struct vtpm_stats st;

	vtpm_get_stats(&st);
	return st.commands;
}

/*
 * Writes `img` (4096 bytes) at `gpa`, makes SVSM_VTPM_CMD, checks that a
 * refusal changed neither the buffer nor the TPM, and returns RAX.
 */
static uint64_t cmd_at(uint64_t gpa, const uint8_t *img)
{
	uint8_t after[SVSM_VTPM_BUFFER_SIZE];
	uint64_t before = tpm_commands();
	uint64_t rax;

	ck_assert_int_eq(ct_write(gpa, img, SVSM_VTPM_BUFFER_SIZE), CSVSM_SIM_ACCESS_OK);
	rax = ct_call(0, SVSM_PROTO_VTPM, SVSM_VTPM_CMD, gpa, 0, 0, NULL);
	if (rax != SVSM_SUCCESS) {
		ck_assert_uint_eq(tpm_commands(), before);
		ck_assert_int_eq(ct_read(gpa, after, sizeof(after)), CSVSM_SIM_ACCESS_OK);
		ck_assert_msg(memcmp(after, img, sizeof(after)) == 0,
		              "a refused request changed the buffer");
	} else {
		ck_assert_uint_eq(tpm_commands(), before + 1);
	}
	return rax;
}

/* ---- QUERY_PROTOCOL and SVSM_VTPM_QUERY ---- */

/* With a vTPM, QUERY_PROTOCOL(2, 1) answers 1..1, other versions 0 (abi 1.2, 1.5). */
START_TEST(test_query_protocol)
{
	struct csvsm_regs r;

	ck_assert_uint_eq(ct_core(0, SVSM_CORE_QUERY_PROTOCOL, (2ull << 32) | 1, 0, 0),
	                  SVSM_SUCCESS);
	ct_call(0, SVSM_PROTO_CORE, SVSM_CORE_QUERY_PROTOCOL, (2ull << 32) | 1, 0, 0, &r);
	ck_assert_uint_eq(r.rcx, (1ull << 32) | 1);
	ct_call(0, SVSM_PROTO_CORE, SVSM_CORE_QUERY_PROTOCOL, (2ull << 32) | 2, 0, 0, &r);
	ck_assert_uint_eq(r.rcx, 0);
	ct_call(0, SVSM_PROTO_CORE, SVSM_CORE_QUERY_PROTOCOL, (2ull << 32) | 0, 0, 0, &r);
	ck_assert_uint_eq(r.rcx, 0);
}
END_TEST

/* SVSM_VTPM_QUERY: RCX = bit 8 (TPM_SEND_COMMAND), RDX = 0 (abi 1.7). */
START_TEST(test_vtpm_query)
{
	struct csvsm_regs r;

	ck_assert_uint_eq(ct_call(0, SVSM_PROTO_VTPM, SVSM_VTPM_QUERY, 0x1111, 0x2222, 0x3333, &r),
	                  SVSM_SUCCESS);
	ck_assert_uint_eq(r.rcx, 1ull << 8);
	ck_assert_uint_eq(r.rdx, 0);
	ck_assert_uint_eq(r.r8, 0x3333);
}
END_TEST

/* Call IDs above 1 do not exist: UNSUPPORTED_CALL. */
START_TEST(test_unknown_call)
{
	static const uint32_t calls[] = {2, 3, 0x100, 0xffffffff};

	for (unsigned int i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		ck_assert_uint_eq(ct_call(0, SVSM_PROTO_VTPM, calls[i], vt_buf, 0, 0, NULL),
		                  SVSM_ERR_UNSUPPORTED_CALL);
}
END_TEST

/* Without an NV device there is no vTPM: QUERY_PROTOCOL 0, calls UNSUPPORTED_PROTOCOL. */
START_TEST(test_no_device_no_vtpm)
{
	struct csvsm_regs r;

	sim_nv_use(NULL);
	ct_start(NULL);
	ck_assert(!vtpm_service_ready());
	ct_call(0, SVSM_PROTO_CORE, SVSM_CORE_QUERY_PROTOCOL, (2ull << 32) | 1, 0, 0, &r);
	ck_assert_uint_eq(r.rax, SVSM_SUCCESS);
	ck_assert_uint_eq(r.rcx, 0);
	ck_assert_uint_eq(ct_call(0, SVSM_PROTO_VTPM, SVSM_VTPM_QUERY, 0, 0, 0, NULL),
	                  SVSM_ERR_UNSUPPORTED_PROTOCOL);
	ck_assert_uint_eq(ct_call(0, SVSM_PROTO_VTPM, SVSM_VTPM_CMD, ct_page(0), 0, 0, NULL),
	                  SVSM_ERR_UNSUPPORTED_PROTOCOL);
	ct_stop();
}
END_TEST

/* ---- TPM_SEND_COMMAND: a well-formed request ---- */

/* GetRandom(16): response size 28 (header, u16 16, 16 bytes) in table 17 form. */
START_TEST(test_cmd_get_random)
{
	uint8_t img[SVSM_VTPM_BUFFER_SIZE], rsp[64];
	uint32_t rsp_size;

	request(img, 8, 0, 12);
	ck_assert_uint_eq(cmd_at(vt_buf, img), SVSM_SUCCESS);
	ck_assert_int_eq(ct_read(vt_buf, &rsp_size, 4), CSVSM_SIM_ACCESS_OK);
	ck_assert_uint_eq(rsp_size, 28);
	ck_assert_int_eq(ct_read(vt_buf + 4, rsp, rsp_size), CSVSM_SIM_ACCESS_OK);
	ck_assert_uint_eq(be16(rsp), TPM_ST_NO_SESSIONS);
	ck_assert_uint_eq(be32(rsp + 2), 28);
	ck_assert_uint_eq(be32(rsp + 6), TPM_RC_SUCCESS);
	ck_assert_uint_eq(be16(rsp + 10), 16);
	/* Only the response is written: the rest of the buffer keeps the guest's bytes. */
	ck_assert(ct_guest_all(vt_buf + 4 + 28, 0xa5, SVSM_VTPM_BUFFER_SIZE - 4 - 28));
}
END_TEST

/* The buffer need not be page aligned (abi 1.7); it may span two validated pages. */
START_TEST(test_cmd_unaligned)
{
	static const uint64_t offsets[] = {1, 0x123, 0x800, 0xfff};
	uint8_t img[SVSM_VTPM_BUFFER_SIZE];
	uint32_t rsp_size;

	for (unsigned int i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		request(img, 8, 0, 12);
		ck_assert_uint_eq(cmd_at(vt_buf + offsets[i], img), SVSM_SUCCESS);
		ck_assert_int_eq(ct_read(vt_buf + offsets[i], &rsp_size, 4), CSVSM_SIM_ACCESS_OK);
		ck_assert_uint_eq(rsp_size, 28);
	}
}
END_TEST

/* A TPM error is the TPM's answer, delivered with SVSM_SUCCESS (abi 1.7). */
START_TEST(test_cmd_tpm_error_delivered)
{
	uint8_t rsp[SVSM_VTPM_RSP_MAX];
	struct tb t;
	size_t len;

	/* The SVSM started the TPM at boot: a second TPM2_Startup is TPM_RC_INITIALIZE. */
	tb_begin(&t, TPM_ST_NO_SESSIONS, TPM_CC_STARTUP);
	tb_u16(&t, 0);
	ck_assert_uint_eq(vt_tpm(t.b, tb_end(&t), rsp, &len), TPM_RC_INITIALIZE);
	ck_assert_uint_eq(len, 10);
}
END_TEST

/* The largest command (4087 bytes) is delivered; the TPM judges its contents. */
START_TEST(test_cmd_max_size)
{
	uint8_t img[SVSM_VTPM_BUFFER_SIZE];
	uint32_t rsp_size, rc;
	uint8_t rsp[16];

	request(img, 8, 0, SVSM_VTPM_CMD_MAX);
	img[9 + 2] = 0;
	img[9 + 3] = 0;
	img[9 + 4] = (uint8_t)(SVSM_VTPM_CMD_MAX >> 8);
	img[9 + 5] = (uint8_t)SVSM_VTPM_CMD_MAX;
	ck_assert_uint_eq(cmd_at(vt_buf, img), SVSM_SUCCESS);
	ck_assert_int_eq(ct_read(vt_buf, &rsp_size, 4), CSVSM_SIM_ACCESS_OK);
	ck_assert_uint_eq(rsp_size, 10);
	ck_assert_int_eq(ct_read(vt_buf + 4, rsp, 10), CSVSM_SIM_ACCESS_OK);
	rc = be32(rsp + 6);
	ck_assert_uint_ne(rc, TPM_RC_SUCCESS); /* GetRandom with trailing bytes */
}
END_TEST

/* ---- Malformed requests: refused before the TPM ---- */

START_TEST(test_cmd_platform_command)
{
	static const uint32_t cmds[] = {0, 1, 2, 7, 9, 11, 20, 21, 0x108, 0xffffffff};
	uint8_t img[SVSM_VTPM_BUFFER_SIZE];

	for (unsigned int i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		request(img, cmds[i], 0, 12);
		ck_assert_msg(cmd_at(vt_buf, img) == SVSM_ERR_UNSUPPORTED_CALL, "command %u",
		              cmds[i]);
	}
}
END_TEST

START_TEST(test_cmd_locality)
{
	static const uint8_t locs[] = {1, 2, 3, 4, 0x80, 0xff};
	uint8_t img[SVSM_VTPM_BUFFER_SIZE];

	for (unsigned int i = 0; i < sizeof(locs); i++) {
		request(img, 8, locs[i], 12);
		ck_assert_uint_eq(cmd_at(vt_buf, img), SVSM_ERR_INVALID_PARAMETER);
	}
}
END_TEST

/* Sizes beyond the buffer, below a TPM header, or disagreeing with the header. */
START_TEST(test_cmd_sizes)
{
	static const uint32_t sizes[] = {0,    1,    9,       11,         13,
	                                 4088, 4096, 0x10000, 0x7fffffff, 0xffffffff};
	uint8_t img[SVSM_VTPM_BUFFER_SIZE];

	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		request(img, 8, 0, sizes[i]);
		ck_assert_msg(cmd_at(vt_buf, img) == SVSM_ERR_INVALID_PARAMETER, "size %u",
		              sizes[i]);
	}
	/* Header commandSize larger or smaller than the request's size. */
	request(img, 8, 0, 12);
	img[9 + 5] = 13;
	ck_assert_uint_eq(cmd_at(vt_buf, img), SVSM_ERR_INVALID_PARAMETER);
	img[9 + 5] = 11;
	ck_assert_uint_eq(cmd_at(vt_buf, img), SVSM_ERR_INVALID_PARAMETER);
	img[9 + 2] = 0x80;
	img[9 + 5] = 12;
	ck_assert_uint_eq(cmd_at(vt_buf, img), SVSM_ERR_INVALID_PARAMETER);
}
END_TEST

/* RCX = 0 (the null GPA): INVALID_PARAMETER (abi 1.7). */
START_TEST(test_cmd_null_gpa)
{
	ck_assert_uint_eq(ct_call(0, SVSM_PROTO_VTPM, SVSM_VTPM_CMD, 0, 0, 0, NULL),
	                  SVSM_ERR_INVALID_PARAMETER);
}
END_TEST

/* Buffers outside guest RAM, in SVSM memory, or wrapping: INVALID_ADDRESS. */
START_TEST(test_cmd_outside_ram)
{
	const uint64_t end = ct_lay.ram_base + ct_lay.ram_size;
	const uint64_t gpas[] = {
	    end,                       /* just past guest RAM */
	    end - 4096 + 1,            /* runs 1 byte past guest RAM */
	    ct_lay.svsm_base,          /* SVSM memory */
	    ct_lay.svsm_base - 2048,   /* runs into SVSM memory */
	    ct_lay.svsm_base + 0x1000, /* inside SVSM memory */
	    0xfffffffffffff000ull,     /* far away */
	    0xffffffffffffff00ull,     /* wraps around */
	    ct_lay.boot_vmsa_gpa,      /* the boot VMSA (SVSM memory) */
	};

	for (unsigned int i = 0; i < sizeof(gpas) / sizeof(gpas[0]); i++) {
		uint64_t before = tpm_commands();

		ck_assert_msg(ct_call(0, SVSM_PROTO_VTPM, SVSM_VTPM_CMD, gpas[i], 0, 0, NULL) ==
		                  SVSM_ERR_INVALID_ADDRESS,
		              "GPA 0x%" PRIx64, gpas[i]);
		ck_assert_uint_eq(tpm_commands(), before);
	}
}
END_TEST

/* A buffer running into a page the guest has not validated: INVALID_ADDRESS. */
START_TEST(test_cmd_unvalidated)
{
	uint8_t img[SVSM_VTPM_BUFFER_SIZE];
	uint64_t before = tpm_commands();
	uint64_t last = ct_page(1) + 0x800; /* second half runs into ct_page(2): not validated */

	request(img, 8, 0, 12);
	ck_assert_int_eq(ct_write(last, img, 0x800), CSVSM_SIM_ACCESS_OK);
	ck_assert_uint_eq(ct_call(0, SVSM_PROTO_VTPM, SVSM_VTPM_CMD, last, 0, 0, NULL),
	                  SVSM_ERR_INVALID_ADDRESS);
	ck_assert_uint_eq(ct_call(0, SVSM_PROTO_VTPM, SVSM_VTPM_CMD, ct_page(2), 0, 0, NULL),
	                  SVSM_ERR_INVALID_ADDRESS);
	ck_assert_uint_eq(tpm_commands(), before);
	ck_assert(ct_guest_all(last + 21, 0xa5, 0x800 - 21));
}
END_TEST

/* A buffer on, or running into, a VMSA registered by CREATE_VCPU: INVALID_ADDRESS. */
START_TEST(test_cmd_vmsa)
{
	uint64_t vmsa = ct_page(11), ca = ct_page(12);
	uint8_t img[SVSM_VTPM_BUFFER_SIZE];

	ct_validate(ct_page(10));
	ct_make_ap(1, vmsa, ca);
	request(img, 8, 0, 12);
	ck_assert_int_eq(ct_write(ct_page(10), img, 4096), CSVSM_SIM_ACCESS_OK);
	ck_assert_uint_eq(ct_call(0, SVSM_PROTO_VTPM, SVSM_VTPM_CMD, vmsa, 0, 0, NULL),
	                  SVSM_ERR_INVALID_ADDRESS);
	ck_assert_uint_eq(ct_call(0, SVSM_PROTO_VTPM, SVSM_VTPM_CMD, ct_page(10) + 1, 0, 0, NULL),
	                  SVSM_ERR_INVALID_ADDRESS);
	ck_assert(ct_guest_all(ct_page(10) + 21, 0xa5, 4096 - 21));
	/* The page before it, exactly: accepted. */
	ck_assert_uint_eq(cmd_at(ct_page(10), img), SVSM_SUCCESS);
}
END_TEST

/*
 * Copy once: a guest (or device) rewriting the buffer after the SVSM read
 * it cannot change what the TPM runs. Here the size field becomes 0 and the
 * GetRandom count 32 after the read; the response is the original command's.
 */
static void rewrite_after_read(void *ctx, struct csvsm_sim *sim, uint64_t gpa, size_t len,
                               unsigned int nth)
{
	const uint64_t *buf = ctx;
	uint8_t zero[4] = {0, 0, 0, 0}, count = 32;

	(void)nth;
	if (gpa != *buf || len < 21)
		return;
	csvsm_sim_poke(sim, gpa + 5, zero, 4);
	csvsm_sim_poke(sim, gpa + 9 + 11, &count, 1);
}

START_TEST(test_cmd_copy_once)
{
	struct csvsm_sim_hv_policy pol = {.on_svsm_read = rewrite_after_read, .ctx = &vt_buf};
	uint8_t img[SVSM_VTPM_BUFFER_SIZE];
	uint32_t rsp_size;

	request(img, 8, 0, 12);
	ck_assert_int_eq(ct_write(vt_buf, img, sizeof(img)), CSVSM_SIM_ACCESS_OK);
	csvsm_sim_set_hv_policy(ct_sim, &pol);
	ck_assert_uint_eq(ct_call(0, SVSM_PROTO_VTPM, SVSM_VTPM_CMD, vt_buf, 0, 0, NULL),
	                  SVSM_SUCCESS);
	csvsm_sim_set_hv_policy(ct_sim, NULL);
	ck_assert_int_eq(ct_read(vt_buf, &rsp_size, 4), CSVSM_SIM_ACCESS_OK);
	ck_assert_uint_eq(rsp_size, 28); /* 16 random bytes, as first asked */
}
END_TEST

/* Many commands in a row through the whole path (a cheap loop: no ck_assert inside). */
START_TEST(test_cmd_many)
{
	uint8_t a[32], b[32];

	for (unsigned int i = 0; i < 200; i++) {
		vt_get_random(32, i & 1 ? a : b);
		if (i && !memcmp(a, b, sizeof(a)))
			ck_abort_msg("two GetRandom answers alike at %u", i);
	}
}
END_TEST

/* ---- the SVSM_VTPM_CMD fuzz target, replayed (tests/fuzz/fuzz_vtpm_cmd.c) ---- */

static uint64_t fz_state = 0x9e3779b97f4a7c15ull;

static uint32_t fz_rand(void)
{
	fz_state ^= fz_state << 13;
	fz_state ^= fz_state >> 7;
	fz_state ^= fz_state << 17;
	return (uint32_t)(fz_state >> 16);
}

/*
 * Inputs from a fixed-seed generator: mostly well-framed requests (command 8,
 * locality 0, consistent sizes) around real command codes with random
 * bodies, and every kind of malformed or misplaced one.
 */
static size_t fz_input(uint8_t *in, size_t max)
{
	static const uint32_t codes[] = {0x17b, 0x17e, 0x182, 0x17a, 0x144, 0x145,     0x131,
	                                 0x153, 0x157, 0x15d, 0x12a, 0x137, 0x14e,     0x165,
	                                 0x173, 0x176, 0x16b, 0x11f, 0x1ff, 0x20000000};
	uint32_t kind = fz_rand() % 8, len = fz_rand() % 64, v;
	size_t n = 2 + 9 + len;

	ck_assert_uint_le(n, max);
	for (size_t i = 0; i < n; i++)
		in[i] = (uint8_t)fz_rand();
	in[0] = kind == 7 ? 0x80 : (uint8_t)(fz_rand() % 128);
	if (kind >= 5)
		return n;
	v = SVSM_VTPM_PLATFORM_SEND_COMMAND;
	memcpy(in + 2, &v, 4);
	in[6] = kind == 4 ? 1 : 0;
	v = len;
	memcpy(in + 7, &v, 4);
	if (len >= 10) {
		in[11] = 0x80;
		in[12] = (uint8_t)(kind == 3 ? 2 : 1 + (fz_rand() & 1));
		in[13] = 0;
		in[14] = 0;
		in[15] = 0;
		in[16] = (uint8_t)(kind == 2 ? len + 1 : len);
		v = codes[fz_rand() % (sizeof(codes) / sizeof(codes[0]))];
		in[17] = (uint8_t)(v >> 24);
		in[18] = (uint8_t)(v >> 16);
		in[19] = (uint8_t)(v >> 8);
		in[20] = (uint8_t)v;
	}
	return n;
}

START_TEST(test_fuzz_target_replay)
{
	static const uint8_t get_random[] = {0x05, 0, 8, 0, 0,  0, 0, 12, 0,    0, 0, 0x80,
	                                     1,    0, 0, 0, 12, 0, 0, 1,  0x7b, 0, 8};
	uint8_t in[128];
	const char *why;

	why = fuzz_vtpm_cmd_one(get_random, sizeof(get_random));
	ck_assert_msg(why == NULL, "seed: %s", why ? why : "");
	why = fuzz_vtpm_cmd_one(NULL, 0);
	ck_assert_msg(why == NULL, "empty input: %s", why ? why : "");
	for (unsigned int i = 0; i < 600; i++) {
		size_t n = fz_input(in, sizeof(in));

		why = fuzz_vtpm_cmd_one(in, n);
		if (why)
			ck_abort_msg("generated input %u: %s", i, why);
	}
	fuzz_vtpm_cmd_reset();
}
END_TEST

static Suite *vtpm_protocol_suite(void)
{
	Suite *s = suite_create("vtpm_protocol");
	TCase *tc;

	tc = tcase_create("query");
	tcase_set_timeout(tc, VT_TIMEOUT);
	tcase_add_checked_fixture(tc, vt_setup, vt_teardown);
	tcase_add_test(tc, test_query_protocol);
	tcase_add_test(tc, test_vtpm_query);
	tcase_add_test(tc, test_unknown_call);
	suite_add_tcase(s, tc);

	tc = tcase_create("no_device");
	tcase_set_timeout(tc, VT_TIMEOUT);
	tcase_add_test(tc, test_no_device_no_vtpm);
	suite_add_tcase(s, tc);

	tc = tcase_create("send_command");
	tcase_set_timeout(tc, VT_TIMEOUT);
	tcase_add_checked_fixture(tc, vt_setup, vt_teardown);
	tcase_add_test(tc, test_cmd_get_random);
	tcase_add_test(tc, test_cmd_unaligned);
	tcase_add_test(tc, test_cmd_tpm_error_delivered);
	tcase_add_test(tc, test_cmd_max_size);
	tcase_add_test(tc, test_cmd_many);
	tcase_add_test(tc, test_cmd_copy_once);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_set_timeout(tc, VT_TIMEOUT);
	tcase_add_checked_fixture(tc, vt_setup, vt_teardown);
	tcase_add_test(tc, test_cmd_platform_command);
	tcase_add_test(tc, test_cmd_locality);
	tcase_add_test(tc, test_cmd_sizes);
	tcase_add_test(tc, test_cmd_null_gpa);
	tcase_add_test(tc, test_cmd_outside_ram);
	tcase_add_test(tc, test_cmd_unvalidated);
	tcase_add_test(tc, test_cmd_vmsa);
	suite_add_tcase(s, tc);

	tc = tcase_create("fuzz_replay");
	tcase_set_timeout(tc, VT_TIMEOUT);
	tcase_add_test(tc, test_fuzz_target_replay);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(vtpm_protocol_suite());
	int failed;

	srunner_add_suite(sr, vtpm_nv_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
