/* SPDX-License-Identifier: MIT */
/*
 * bench/tpm-loop: one tpm2-tss client loop over any TCTI the tpm2-tss TCTI
 * loader can open, so that the csvsm tpm-server, swtpm and the in-process
 * module are measured by the same client (scripts/bench.sh, and the
 * server's stall regression test).
 *
 *   tpm-loop --tcti CONF [-n N] [--op getrandom|pcrextend|both|pcrvalue]
 *
 * CONF is a TCTI loader string ("mssim:host=127.0.0.1,port=P",
 * "swtpm:port=P", "csvsm:state=FILE", ...). getrandom runs N
 * TPM2_GetRandom(32) through Tss2_Sys (checking each answer has 32 bytes),
 * pcrextend N TPM2_PCR_Extend of PCR 16 (SHA-256, digest of 0xab bytes,
 * password session), both N of each alternately; each prints
 * "OP N commands in S s: R/s". pcrvalue extends PCR 16 N times and prints
 * its SHA-256 value in hex (one line), for a test to compare with an
 * independent computation. Exit status 0, or 1 with the failing call and
 * its TSS2_RC on stderr.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <tss2/tss2_sys.h>
#include <tss2/tss2_tctildr.h>

#define PCR_INDEX 16

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int get_random(TSS2_SYS_CONTEXT *sys)
{
	TPM2B_DIGEST rnd = {.size = 0};
	TSS2_RC rc = Tss2_Sys_GetRandom(sys, NULL, 32, &rnd, NULL);

	if (rc != TSS2_RC_SUCCESS || rnd.size != 32) {
		fprintf(stderr, "tpm-loop: TPM2_GetRandom: rc %#x, %u bytes\n", rc, rnd.size);
		return -1;
	}
	return 0;
}

static int pcr_extend(TSS2_SYS_CONTEXT *sys)
{
	TSS2L_SYS_AUTH_COMMAND auths = {.count = 1, .auths = {{.sessionHandle = TPM2_RS_PW}}};
	TSS2L_SYS_AUTH_RESPONSE rsp_auths;
	TPML_DIGEST_VALUES d = {.count = 1, .digests = {{.hashAlg = TPM2_ALG_SHA256}}};
	TSS2_RC rc;

	memset(d.digests[0].digest.sha256, 0xab, TPM2_SHA256_DIGEST_SIZE);
	rc = Tss2_Sys_PCR_Extend(sys, PCR_INDEX, &auths, &d, &rsp_auths);
	if (rc != TSS2_RC_SUCCESS) {
		fprintf(stderr, "tpm-loop: TPM2_PCR_Extend: rc %#x\n", rc);
		return -1;
	}
	return 0;
}

static int pcr_print(TSS2_SYS_CONTEXT *sys)
{
	TPML_PCR_SELECTION sel = {.count = 1,
	                          .pcrSelections = {{.hash = TPM2_ALG_SHA256, .sizeofSelect = 3}}};
	TPML_PCR_SELECTION out_sel;
	TPML_DIGEST values;
	UINT32 counter;
	TSS2_RC rc;

	sel.pcrSelections[0].pcrSelect[PCR_INDEX / 8] = 1u << (PCR_INDEX % 8);
	rc = Tss2_Sys_PCR_Read(sys, NULL, &sel, &counter, &out_sel, &values, NULL);
	if (rc != TSS2_RC_SUCCESS || values.count != 1 ||
	    values.digests[0].size != TPM2_SHA256_DIGEST_SIZE) {
		fprintf(stderr, "tpm-loop: TPM2_PCR_Read: rc %#x\n", rc);
		return -1;
	}
	for (unsigned int i = 0; i < values.digests[0].size; i++)
		printf("%02x", values.digests[0].buffer[i]);
	printf("\n");
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: tpm-loop --tcti CONF [-n N] "
	                "[--op getrandom|pcrextend|both|pcrvalue]\n");
}

int main(int argc, char **argv)
{
	const char *conf = NULL, *op = "getrandom";
	unsigned long n = 1000;
	TSS2_TCTI_CONTEXT *tcti = NULL;
	TSS2_SYS_CONTEXT *sys;
	TSS2_ABI_VERSION abi = TSS2_ABI_VERSION_CURRENT;
	size_t size;
	unsigned long done = 0;
	double t0, t;
	int status = 1;
	TSS2_RC rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--tcti") && i + 1 < argc)
			conf = argv[++i];
		else if (!strcmp(argv[i], "-n") && i + 1 < argc)
			n = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--op") && i + 1 < argc)
			op = argv[++i];
		else {
			usage();
			return 2;
		}
	}
	if (!conf || n == 0 ||
	    (strcmp(op, "getrandom") && strcmp(op, "pcrextend") && strcmp(op, "both") &&
	     strcmp(op, "pcrvalue"))) {
		usage();
		return 2;
	}
	rc = Tss2_TctiLdr_Initialize(conf, &tcti);
	if (rc != TSS2_RC_SUCCESS) {
		fprintf(stderr, "tpm-loop: cannot open the TCTI '%s': rc %#x\n", conf, rc);
		return 1;
	}
	size = Tss2_Sys_GetContextSize(0);
	sys = calloc(1, size);
	if (!sys || Tss2_Sys_Initialize(sys, size, tcti, &abi) != TSS2_RC_SUCCESS) {
		fprintf(stderr, "tpm-loop: Tss2_Sys_Initialize failed\n");
		goto out;
	}
	t0 = now_s();
	for (unsigned long i = 0; i < n; i++) {
		bool rnd = !strcmp(op, "getrandom") || (!strcmp(op, "both") && i % 2 == 0);

		if (rnd ? get_random(sys) : pcr_extend(sys))
			goto fini;
		done++;
	}
	t = now_s() - t0;
	if (!strcmp(op, "pcrvalue")) {
		if (pcr_print(sys))
			goto fini;
	} else {
		printf("%s %lu commands in %.3f s: %.0f/s\n", op, done, t,
		       t > 0 ? (double)done / t : 0.0);
	}
	status = 0;
fini:
	Tss2_Sys_Finalize(sys);
out:
	free(sys);
	Tss2_TctiLdr_Finalize(&tcti);
	return status;
}
