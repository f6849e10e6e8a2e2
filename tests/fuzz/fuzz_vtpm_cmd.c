/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the guest's SVSM_VTPM_CMD buffer (58019 vTPM protocol,
 * tables 15-17; abi 1.7). See fuzz_vtpm.h for the input and the properties.
 *
 *   make fuzz-vtpm-cmd      (clang, -fsanitize=fuzzer,address,undefined)
 *   tests/fuzz/fuzz-vtpm-cmd -max_total_time=60 NEW_DIR
 *
 * The machine (and its TPM) lives across inputs: TPM state the inputs
 * create (NV indices, changed auth values, loaded objects) stays, as in a
 * long-running guest. The SVSM's heap is checked per input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvsm/abi/svsm.h"
#include "csvsm/abi/vtpm.h"
#include "csvsm/adapter/vtpm.h"
#include "csvsm/mm.h"
#include "csvsm/sim.h"
#include "csvsm/sim_nv.h"
#include "csvsm/vtpm.h"
#include "fuzz_vtpm.h"
#include "sim_plat.h"

#define FV_DEV_SIZE (1u << 20)

static struct {
	struct csvsm_sim *sim;
	struct csvsm_sim_layout lay;
	struct blkdev dev;
	uint64_t pages; /* two validated guest pages */
} fv;

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static uint64_t fv_commands(void)
{
	struct vtpm_stats st;

	vtpm_get_stats(&st);
	return st.commands;
}

static int fv_call(uint32_t proto, uint32_t call, uint64_t rcx, struct csvsm_regs *r)
{
	memset(r, 0, sizeof(*r));
	r->rax = SVSM_RAX(proto, call);
	r->rcx = rcx;
	return csvsm_sim_call(fv.sim, 0, r);
}

static const char *fv_start(void)
{
	uint64_t list[2];
	struct csvsm_regs r;

	if (sim_nv_ram_open(&fv.dev, FV_DEV_SIZE) != 0)
		return "no NV device";
	sim_nv_use(&fv.dev);
	fv.sim = csvsm_sim_new(NULL);
	if (!fv.sim || !vtpm_service_ready())
		return "the machine or its vTPM did not start";
	csvsm_sim_layout(fv.sim, &fv.lay);
	fv.pages = fv.lay.free_ram_base;
	for (unsigned int i = 0; i < 2; i++) {
		list[0] = 1;
		list[1] = (fv.pages + i * 4096) | SVSM_PVAL_VALIDATE;
		if (csvsm_sim_guest_write(fv.sim, fv.lay.boot_caa_gpa + 8, list, sizeof(list)) ||
		    fv_call(SVSM_PROTO_CORE, SVSM_CORE_PVALIDATE, fv.lay.boot_caa_gpa + 8, &r) ||
		    r.rax != SVSM_SUCCESS)
			return "cannot validate the buffer pages";
	}
	return NULL;
}

void fuzz_vtpm_cmd_reset(void)
{
	vtpm_boot_stop();
	csvsm_sim_free(fv.sim);
	sim_nv_use(NULL);
	sim_nv_ram_close(&fv.dev);
	memset(&fv, 0, sizeof(fv));
}

/* What the SVSM must answer for this request image (src/protocols/vtpm.c). */
static uint64_t fv_expected(const uint8_t *img)
{
	uint32_t size = le32(img + 5);

	if (le32(img) != SVSM_VTPM_PLATFORM_SEND_COMMAND)
		return SVSM_ERR_UNSUPPORTED_CALL;
	if (img[4] != 0 || size > SVSM_VTPM_CMD_MAX || size < TPM2_HEADER_SIZE ||
	    be32(img + 9 + 2) != size)
		return SVSM_ERR_INVALID_PARAMETER;
	return SVSM_SUCCESS;
}

const char *fuzz_vtpm_cmd_one(const uint8_t *data, size_t size)
{
	static uint8_t img[SVSM_VTPM_BUFFER_SIZE], after[SVSM_VTPM_BUFFER_SIZE];
	uint64_t bad_gpas[4], gpa, want, commands;
	struct csvsm_regs r;
	size_t live;
	uint8_t sel;

	if (!fv.sim) {
		const char *why = fv_start();

		if (why)
			return why;
	}
	/* Refused by address: null, SVSM memory, past RAM, into an unvalidated page. */
	bad_gpas[0] = 0;
	bad_gpas[1] = fv.lay.svsm_base;
	bad_gpas[2] = fv.lay.ram_size - 100;
	bad_gpas[3] = fv.pages + 2 * 4096 - 8;
	sel = size ? data[0] : 0;
	memset(img, 0, sizeof(img));
	if (size > 2)
		memcpy(img, data + 2, size - 2 < sizeof(img) ? size - 2 : sizeof(img));
	if (sel & 0x80) {
		gpa = bad_gpas[(size > 1 ? data[1] : 0) % 4];
		want = gpa == 0 ? SVSM_ERR_INVALID_PARAMETER : SVSM_ERR_INVALID_ADDRESS;
	} else {
		gpa = fv.pages + 32u * (sel & 0x7f);
		want = fv_expected(img);
	}
	if ((sel & 0x80) == 0 &&
	    csvsm_sim_guest_write(fv.sim, gpa, img, sizeof(img)) != CSVSM_SIM_ACCESS_OK)
		return "the guest cannot write its own buffer";
	live = mm_live_allocs();
	commands = fv_commands();
	if (fv_call(SVSM_PROTO_VTPM, SVSM_VTPM_CMD, gpa, &r) != 0 || !r.serviced)
		return "the call was not serviced";
	if (mm_live_allocs() != live)
		return "the call changed the SVSM's live allocations";
	if (want != SVSM_SUCCESS) {
		if (r.rax != want)
			return "a malformed or misplaced request got the wrong result";
		if (fv_commands() != commands)
			return "a refused request reached the TPM";
		if ((sel & 0x80) == 0 &&
		    (csvsm_sim_guest_read(fv.sim, gpa, after, sizeof(after)) != 0 ||
		     memcmp(after, img, sizeof(img)) != 0))
			return "a refused request changed the buffer";
		return NULL;
	}
	if (r.rax != SVSM_SUCCESS)
		return r.rax == SVSM_ERR_BUSY || r.rax == SVSM_ERR_INVALID_REQUEST
		           ? "the TPM engine failed on a healthy machine"
		           : "a well-formed request was refused";
	if (csvsm_sim_guest_read(fv.sim, gpa, after, sizeof(after)) != 0)
		return "the buffer became unreadable";
	if (le32(after) < TPM2_HEADER_SIZE || le32(after) > SVSM_VTPM_RSP_MAX)
		return "response size out of range";
	if (be32(after + 4 + 2) != le32(after))
		return "the TPM response header disagrees with the response size";
	return NULL;
}

static void fv_console_drop(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool quiet;
	const char *why;

	if (!quiet && getenv("FUZZ_VTPM_VERBOSE") == NULL)
		sim_console_set_sink(fv_console_drop, NULL);
	quiet = true;
	why = fuzz_vtpm_cmd_one(data, size);
	if (why) {
		fprintf(stderr, "fuzz_vtpm_cmd: %s (input of %zu bytes)\n", why, size);
		abort();
	}
	return 0;
}
