/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the TCG TPM simulator ("mssim") byte stream that
 * `csvsm-sim tpm-server` reads on its two ports (sim/tpm_server.c), through
 * sim_tpm_server_feed, which hands a connection's bytes to the server's
 * per-connection parser as its poll loop does. One server with its machine
 * (vTPM, NV in RAM) is kept across inputs, as a server outlives its
 * clients.
 *
 * Input: connections, each a header byte (bit 0: 0 the TPM port, 1 the
 * platform port) and a little-endian u16 length, then that many bytes the
 * client sends before closing; at most 8 connections, stopping early
 * after a STOP. Properties: no sanitizer report, no hang; the server
 * closes every connection once its bytes run out; the SVSM's live
 * allocations are the same before and after each input (the vTPM's
 * allocations are its own, outside the SVSM heap).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvsm/mm.h"
#include "csvsm/sim.h"
#include "csvsm/vtpm.h"
#include "fuzz_targets.h"
#include "sim_plat.h"
#include "tpm_server.h"

#define FM_CONNS 8u

static struct {
	struct sim_tpm_server *srv;
	bool broken;
} fm;

static void console_drop(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
}

static const char *fm_start(void)
{
	if (fm.broken)
		return "the machine or its tpm-server did not start";
	fm.broken = true;
	if (getenv("FUZZ_MSSIM_VERBOSE") == NULL)
		sim_console_set_sink(console_drop, NULL);
	fm.srv = sim_tpm_server_new(true);
	if (!fm.srv || !vtpm_service_ready())
		return "the machine or its tpm-server did not start";
	fm.broken = false;
	return NULL;
}

const char *fuzz_mssim_one(const uint8_t *data, size_t size)
{
	size_t live;

	if (!fm.srv) {
		const char *why = fm_start();

		if (why)
			return why;
	}
	live = mm_live_allocs();
	for (unsigned int c = 0; c < FM_CONNS && size >= 3; c++) {
		bool platform = data[0] & 1;
		size_t len = (size_t)data[1] | (size_t)data[2] << 8;
		int rc;

		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		rc = sim_tpm_server_feed(fm.srv, platform, data, len, NULL, NULL);
		if (rc < 0)
			return "the server could not be fed a connection";
		data += len;
		size -= len;
		if (rc == 1)
			break;
	}
	if (mm_live_allocs() != live)
		return "the SVSM's live allocations changed";
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why = fuzz_mssim_one(data, size);

	if (why) {
		fprintf(stderr, "fuzz_mssim: %s (input of %zu bytes)\n", why, size);
		abort();
	}
	return 0;
}
