/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the scenario language of `csvsm-sim run` (sim/scenario.h,
 * docs/scenarios.md), user input to a developer tool. The input is a
 * scenario's text: it is parsed and, when it parses, run on a new
 * simulator. Properties: no sanitizer report, no hang (the fuzzer's
 * timeout); scn_parse gives SCN_OK with a script or SCN_ERROR with a
 * message naming a line of the input; scn_run gives SCN_OK, SCN_FAILED or
 * SCN_ERROR, the last with a message; the simulator is gone afterwards (a
 * second one can be made).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_targets.h"
#include "scenario.h"

/* Longest scenario tried: longer ones are no more interesting. */
#define FS_MAX_TEXT 8192u

/* Scenarios may ask for machines this large at most (their own limit). */
static void fs_configure(void *ctx, struct csvsm_sim_config *cfg)
{
	(void)ctx;
	if (cfg->guest_ram_size > (64ull << 20))
		cfg->guest_ram_size = 64ull << 20;
	if (cfg->svsm_size > (16ull << 20))
		cfg->svsm_size = 16ull << 20;
}

const char *fuzz_scenario_one(const uint8_t *data, size_t size)
{
	static FILE *null_out;
	struct scn_script *s = NULL;
	struct scn_diag diag;
	struct scn_run_opts o;
	struct scn_result res;
	unsigned int lines = 1;
	int rc;

	if (size > FS_MAX_TEXT)
		return NULL;
	if (!null_out && !(null_out = fopen("/dev/null", "w")))
		return "cannot open /dev/null";
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	memset(&diag, 0, sizeof(diag));
	rc = scn_parse("fuzz.scn", (const char *)data, size, &s, &diag);
	if (rc != SCN_OK) {
		if (rc != SCN_ERROR || s)
			return "scn_parse failed without SCN_ERROR, or left a script";
		if (diag.msg[0] == '\0' || memchr(diag.msg, '\0', sizeof(diag.msg)) == NULL)
			return "scn_parse failed without a message";
		if (diag.line > lines)
			return "scn_parse blamed a line the input does not have";
		return NULL;
	}
	if (!s)
		return "scn_parse succeeded without a script";
	memset(&o, 0, sizeof(o));
	o.out = null_out;
	o.err = null_out;
	o.quiet = true;
	o.configure = fs_configure;
	memset(&res, 0, sizeof(res));
	rc = scn_run(s, &o, &res);
	scn_free(s);
	if (rc != SCN_OK && rc != SCN_FAILED && rc != SCN_ERROR)
		return "scn_run gave an unknown status";
	if (rc == SCN_ERROR && res.error.msg[0] == '\0')
		return "scn_run failed without a message";
	if (rc == SCN_FAILED && res.failed == 0)
		return "scn_run failed with no failed expectation";
	if (res.failed > res.expectations)
		return "more expectations failed than were checked";
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why = fuzz_scenario_one(data, size);

	if (why) {
		fprintf(stderr, "fuzz_scenario: %s (input of %zu bytes)\n", why, size);
		abort();
	}
	return 0;
}
