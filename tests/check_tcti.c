/* SPDX-License-Identifier: MIT */
/*
 * The TCTI interface of libtss2-tcti-csvsm, loaded as tpm2-tss loads it
 * (dlopen, Tss2_Tcti_Info), from a program built without sanitizers like
 * the clients that use it: the init size query, the state machine and its
 * errors (TCG TSS 2.0 TCTI specification), the response size query and a
 * buffer too small, poll handles, locality, cancel, one context per
 * process, and state kept in a file across contexts. TPM answers are
 * checked against TPM 2.0 Parts 2 and 3 (codes, sizes), never against the
 * module's own output.
 */
#include <check.h>
#include <dlfcn.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_tcti.h>
#include <unistd.h>

#ifndef TCTI_MODULE_PATH
#error TCTI_MODULE_PATH must name the built module
#endif

/* TPM2_GetRandom(16) (Part 3 16.1): tag NO_SESSIONS, size 12, code 0x17b. */
static const uint8_t get_random16[12] = {0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7b, 0, 16};
#define GET_RANDOM16_RSP 28 /* header 10 + TPM2B (2 + 16) */

static void *module;
static const TSS2_TCTI_INFO *info;
static char state_dir[64];

static void load(void)
{
	TSS2_TCTI_INFO_FUNC f;

	module = dlopen(TCTI_MODULE_PATH, RTLD_NOW);
	ck_assert_msg(module, "dlopen: %s", dlerror());
	f = (TSS2_TCTI_INFO_FUNC)dlsym(module, TSS2_TCTI_INFO_SYMBOL);
	ck_assert_ptr_nonnull(f);
	info = f();
	ck_assert_ptr_nonnull(info);
	strcpy(state_dir, "/tmp/csvsm-tcti.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(state_dir));
}

static void unload(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", state_dir);
	ck_assert_int_eq(system(cmd), 0);
	dlclose(module);
}

/* A context from `conf`; asserts success. */
static TSS2_TCTI_CONTEXT *open_ctx(const char *conf)
{
	size_t size = 0;
	TSS2_TCTI_CONTEXT *ctx;

	ck_assert_uint_eq(info->init(NULL, &size, conf), TSS2_RC_SUCCESS);
	ck_assert_uint_ge(size, sizeof(TSS2_TCTI_CONTEXT_COMMON_V2));
	ctx = calloc(1, size);
	ck_assert_ptr_nonnull(ctx);
	ck_assert_uint_eq(info->init(ctx, &size, conf), TSS2_RC_SUCCESS);
	return ctx;
}

static void close_ctx(TSS2_TCTI_CONTEXT *ctx)
{
	Tss2_Tcti_Finalize(ctx);
	free(ctx);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

START_TEST(test_info)
{
	ck_assert_uint_eq(info->version, 2);
	ck_assert_str_eq(info->name, "tcti-csvsm");
	ck_assert_ptr_nonnull(strstr(info->config_help, "state=FILE"));
	ck_assert_ptr_nonnull(info->init);
}
END_TEST

START_TEST(test_init_errors)
{
	size_t size = 0;
	TSS2_TCTI_CONTEXT *ctx, *second;

	ck_assert_uint_eq(info->init(NULL, NULL, NULL), TSS2_TCTI_RC_BAD_VALUE);
	ck_assert_uint_eq(info->init(NULL, &size, NULL), TSS2_RC_SUCCESS);
	ctx = calloc(1, size);
	ck_assert_ptr_nonnull(ctx);
	size--;
	ck_assert_uint_eq(info->init(ctx, &size, NULL), TSS2_TCTI_RC_INSUFFICIENT_BUFFER);
	size++;
	ck_assert_uint_eq(info->init(ctx, &size, "bogus=1"), TSS2_TCTI_RC_BAD_VALUE);
	ck_assert_uint_eq(info->init(ctx, &size, "seed=x"), TSS2_TCTI_RC_BAD_VALUE);
	ck_assert_uint_eq(info->init(ctx, &size, "log=stdout"), TSS2_TCTI_RC_BAD_VALUE);
	ck_assert_uint_eq(info->init(ctx, &size, "seed=1,,"), TSS2_RC_SUCCESS);
	/* One simulated machine per process. */
	second = calloc(1, size);
	ck_assert_ptr_nonnull(second);
	ck_assert_uint_eq(info->init(second, &size, NULL), TSS2_TCTI_RC_NOT_PERMITTED);
	ck_assert_uint_eq(TSS2_TCTI_VERSION(ctx), 2);
	/* A context that is not the live one is refused. */
	ck_assert_uint_eq(TSS2_TCTI_TRANSMIT(ctx)(second, sizeof(get_random16), get_random16),
	                  TSS2_TCTI_RC_BAD_CONTEXT);
	ck_assert_uint_eq(TSS2_TCTI_TRANSMIT(ctx)(NULL, sizeof(get_random16), get_random16),
	                  TSS2_TCTI_RC_BAD_REFERENCE);
	free(second);
	close_ctx(ctx);
	/* The machine is free again. */
	close_ctx(open_ctx(NULL));
}
END_TEST

START_TEST(test_sequence)
{
	TSS2_TCTI_CONTEXT *ctx = open_ctx("seed=7");
	uint8_t rsp[4096], bad[12];
	size_t size = sizeof(rsp);

	ck_assert_uint_eq(Tss2_Tcti_Receive(ctx, &size, rsp, TSS2_TCTI_TIMEOUT_BLOCK),
	                  TSS2_TCTI_RC_BAD_SEQUENCE);
	ck_assert_uint_eq(Tss2_Tcti_Cancel(ctx), TSS2_TCTI_RC_BAD_SEQUENCE);
	/* The header's commandSize must match the length. */
	memcpy(bad, get_random16, sizeof(bad));
	bad[5] = 13;
	ck_assert_uint_eq(Tss2_Tcti_Transmit(ctx, sizeof(bad), bad), TSS2_TCTI_RC_BAD_VALUE);
	ck_assert_uint_eq(Tss2_Tcti_Transmit(ctx, 6, get_random16), TSS2_TCTI_RC_BAD_VALUE);
	ck_assert_uint_eq(Tss2_Tcti_Transmit(ctx, sizeof(bad), NULL), TSS2_TCTI_RC_BAD_REFERENCE);
	ck_assert_uint_eq(Tss2_Tcti_Transmit(ctx, sizeof(get_random16), get_random16),
	                  TSS2_RC_SUCCESS);
	ck_assert_uint_eq(Tss2_Tcti_Transmit(ctx, sizeof(get_random16), get_random16),
	                  TSS2_TCTI_RC_BAD_SEQUENCE);
	ck_assert_uint_eq(Tss2_Tcti_SetLocality(ctx, 0), TSS2_TCTI_RC_BAD_SEQUENCE);
	ck_assert_uint_eq(Tss2_Tcti_Receive(ctx, NULL, rsp, 0), TSS2_TCTI_RC_BAD_REFERENCE);
	ck_assert_uint_eq(Tss2_Tcti_Receive(ctx, &size, rsp, -2), TSS2_TCTI_RC_BAD_VALUE);
	/* The size query, then a buffer one byte short: the response stays. */
	size = 0;
	ck_assert_uint_eq(Tss2_Tcti_Receive(ctx, &size, NULL, 0), TSS2_RC_SUCCESS);
	ck_assert_uint_eq(size, GET_RANDOM16_RSP);
	size = GET_RANDOM16_RSP - 1;
	ck_assert_uint_eq(Tss2_Tcti_Receive(ctx, &size, rsp, 0), TSS2_TCTI_RC_INSUFFICIENT_BUFFER);
	ck_assert_uint_eq(size, GET_RANDOM16_RSP);
	/* A cancel after completion: the response stands. */
	ck_assert_uint_eq(Tss2_Tcti_Cancel(ctx), TSS2_RC_SUCCESS);
	size = sizeof(rsp);
	ck_assert_uint_eq(Tss2_Tcti_Receive(ctx, &size, rsp, TSS2_TCTI_TIMEOUT_NONE),
	                  TSS2_RC_SUCCESS);
	ck_assert_uint_eq(size, GET_RANDOM16_RSP);
	ck_assert_uint_eq(be32(rsp + 2), GET_RANDOM16_RSP);
	ck_assert_uint_eq(be32(rsp + 6), 0);           /* TPM_RC_SUCCESS */
	ck_assert_uint_eq(rsp[10] << 8 | rsp[11], 16); /* randomBytes.size */
	ck_assert_uint_eq(Tss2_Tcti_Receive(ctx, &size, rsp, 0), TSS2_TCTI_RC_BAD_SEQUENCE);
	/* Locality 3: the SVSM serves locality 0 only (TPM_RC_LOCALITY, Part 2 6.6.3). */
	ck_assert_uint_eq(Tss2_Tcti_SetLocality(ctx, 3), TSS2_RC_SUCCESS);
	ck_assert_uint_eq(Tss2_Tcti_Transmit(ctx, sizeof(get_random16), get_random16),
	                  TSS2_RC_SUCCESS);
	size = sizeof(rsp);
	ck_assert_uint_eq(Tss2_Tcti_Receive(ctx, &size, rsp, 1000), TSS2_RC_SUCCESS);
	ck_assert_uint_eq(size, 10);
	ck_assert_uint_eq(be32(rsp + 6), 0x907);
	ck_assert_uint_eq(Tss2_Tcti_SetLocality(ctx, 0), TSS2_RC_SUCCESS);
	/* makeSticky (version 2) belongs to resource managers. */
	{
		TPM2_HANDLE h = 0x80000000;

		ck_assert_uint_eq(Tss2_Tcti_MakeSticky(ctx, &h, 1), TSS2_TCTI_RC_NOT_IMPLEMENTED);
	}
	close_ctx(ctx);
}
END_TEST

START_TEST(test_poll_handles)
{
	TSS2_TCTI_CONTEXT *ctx = open_ctx(NULL);
	TSS2_TCTI_POLL_HANDLE h[2];
	uint8_t rsp[64];
	size_t n = 0, size = sizeof(rsp);

	ck_assert_uint_eq(Tss2_Tcti_GetPollHandles(ctx, NULL, NULL), TSS2_TCTI_RC_BAD_REFERENCE);
	ck_assert_uint_eq(Tss2_Tcti_GetPollHandles(ctx, NULL, &n), TSS2_RC_SUCCESS);
	ck_assert_uint_eq(n, 1);
	n = 0;
	ck_assert_uint_eq(Tss2_Tcti_GetPollHandles(ctx, h, &n), TSS2_TCTI_RC_INSUFFICIENT_BUFFER);
	n = 2;
	ck_assert_uint_eq(Tss2_Tcti_GetPollHandles(ctx, h, &n), TSS2_RC_SUCCESS);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(poll(h, 1, 0), 0); /* nothing to receive */
	ck_assert_uint_eq(Tss2_Tcti_Transmit(ctx, sizeof(get_random16), get_random16),
	                  TSS2_RC_SUCCESS);
	ck_assert_int_eq(poll(h, 1, 0), 1);
	ck_assert(h[0].revents & POLLIN);
	ck_assert_uint_eq(Tss2_Tcti_Receive(ctx, &size, rsp, 0), TSS2_RC_SUCCESS);
	ck_assert_int_eq(poll(h, 1, 0), 0);
	close_ctx(ctx);
}
END_TEST

/* TPM2_NV_DefineSpace / NV_Write / NV_Read of index 0x01500020 (Part 3 31.3, 31.7, 31.13). */
static size_t nv_command(uint8_t *out, uint32_t cc, const uint8_t *params, size_t plen, uint32_t h1,
                         uint32_t h2, bool two)
{
	/* Password session, empty auth: handle TPM_RS_PW, nonce 0, attributes 0, hmac 0. */
	static const uint8_t auth[13] = {0, 0, 0, 9, 0x40, 0, 0, 9, 0, 0, 0, 0, 0};
	size_t n = 10;

	out[n++] = (uint8_t)(h1 >> 24), out[n++] = (uint8_t)(h1 >> 16);
	out[n++] = (uint8_t)(h1 >> 8), out[n++] = (uint8_t)h1;
	if (two) {
		out[n++] = (uint8_t)(h2 >> 24), out[n++] = (uint8_t)(h2 >> 16);
		out[n++] = (uint8_t)(h2 >> 8), out[n++] = (uint8_t)h2;
	}
	memcpy(out + n, auth, sizeof(auth));
	n += sizeof(auth);
	memcpy(out + n, params, plen);
	n += plen;
	out[0] = 0x80, out[1] = 0x02; /* TPM_ST_SESSIONS */
	out[2] = 0, out[3] = 0, out[4] = (uint8_t)(n >> 8), out[5] = (uint8_t)n;
	out[6] = (uint8_t)(cc >> 24), out[7] = (uint8_t)(cc >> 16);
	out[8] = (uint8_t)(cc >> 8), out[9] = (uint8_t)cc;
	return n;
}

static void run(TSS2_TCTI_CONTEXT *ctx, const uint8_t *cmd, size_t len, uint8_t *rsp,
                size_t *rsp_len)
{
	*rsp_len = 4096;
	ck_assert_uint_eq(Tss2_Tcti_Transmit(ctx, len, cmd), TSS2_RC_SUCCESS);
	ck_assert_uint_eq(Tss2_Tcti_Receive(ctx, rsp_len, rsp, TSS2_TCTI_TIMEOUT_BLOCK),
	                  TSS2_RC_SUCCESS);
}

START_TEST(test_state_file)
{
	/* TPM2B_AUTH empty; TPM2B_NV_PUBLIC: index, SHA-256, OWNERWRITE|OWNERREAD, no policy, 4
	 * bytes. */
	static const uint8_t define[] = {0,    0, 0,    14, 0x01, 0x50, 0, 0x20, 0,
	                                 0x0b, 0, 0x02, 0,  0x02, 0,    0, 0,    4};
	static const uint8_t write[] = {0, 4, 'c', 's', 'v', 'm', 0, 0};
	static const uint8_t read[] = {0, 4, 0, 0};
	char conf[128];
	uint8_t cmd[128], rsp[4096];
	size_t len, rsp_len;
	TSS2_TCTI_CONTEXT *ctx;

	/*
	 * The state is sealed to the machine (its seed is the machine secret:
	 * docs/attestation.md), so the reboot below keeps the default seed.
	 */
	snprintf(conf, sizeof(conf), "state=%s/tpm.state,seed=1", state_dir);
	ctx = open_ctx(conf);
	len = nv_command(cmd, 0x12a, define, sizeof(define), 0x40000001, 0, false);
	run(ctx, cmd, len, rsp, &rsp_len);
	ck_assert_uint_eq(be32(rsp + 6), 0);
	len = nv_command(cmd, 0x137, write, sizeof(write), 0x40000001, 0x01500020, true);
	run(ctx, cmd, len, rsp, &rsp_len);
	ck_assert_uint_eq(be32(rsp + 6), 0);
	close_ctx(ctx);
	/* A new machine on the same file (a reboot) reads it back; a bare path works too. */
	snprintf(conf, sizeof(conf), "%s/tpm.state", state_dir);
	ctx = open_ctx(conf);
	len = nv_command(cmd, 0x14e, read, sizeof(read), 0x40000001, 0x01500020, true);
	run(ctx, cmd, len, rsp, &rsp_len);
	ck_assert_uint_eq(be32(rsp + 6), 0);
	/* parameterSize, then TPM2B_MAX_NV_BUFFER. */
	ck_assert_uint_eq(rsp[14] << 8 | rsp[15], 4);
	ck_assert_mem_eq(rsp + 16, "csvm", 4);
	close_ctx(ctx);
}
END_TEST

START_TEST(test_bad_state)
{
	char path[128], conf[160];
	size_t size = 0;
	TSS2_TCTI_CONTEXT *ctx;
	FILE *f;

	/* A file of the wrong size is refused with a message, not overwritten. */
	snprintf(path, sizeof(path), "%s/short.state", state_dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("not a TPM state", f);
	fclose(f);
	snprintf(conf, sizeof(conf), "state=%s,wait=0", path);
	ck_assert_uint_eq(info->init(NULL, &size, conf), TSS2_RC_SUCCESS);
	ctx = calloc(1, size);
	ck_assert_ptr_nonnull(ctx);
	ck_assert_uint_eq(info->init(ctx, &size, conf), TSS2_TCTI_RC_IO_ERROR);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	{
		char buf[64] = {0};

		ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
		ck_assert_str_eq(buf, "not a TPM state");
	}
	fclose(f);
	/* Nothing was left half-open: a good context starts. */
	ck_assert_uint_eq(info->init(ctx, &size, NULL), TSS2_RC_SUCCESS);
	close_ctx(ctx);
}
END_TEST

static Suite *tcti_suite(void)
{
	Suite *s = suite_create("tcti");
	TCase *tc = tcase_create("module");

	tcase_add_checked_fixture(tc, load, unload);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_info);
	tcase_add_test(tc, test_init_errors);
	tcase_add_test(tc, test_sequence);
	tcase_add_test(tc, test_poll_handles);
	tcase_add_test(tc, test_state_file);
	tcase_add_test(tc, test_bad_state);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(tcti_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
