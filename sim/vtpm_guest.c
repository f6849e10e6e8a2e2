/* SPDX-License-Identifier: MIT */
/* The guest side of the vTPM: see vtpm_guest.h. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "csvsm/abi/svsm.h"
#include "csvsm/error.h"
#include "csvsm/sim_blkdev.h"
#include "csvsm/sim_nv.h"
#include "csvsm/vtpm.h"
#include "vtpm_guest.h"

#define STATE_WRITE_UNIT 512u
#define LOCK_RETRY_MS    20u

/* TPM response codes made up when the SVSM refuses (TPM 2.0 Part 2 6.6). */
#define TPM_RC_FAILURE      0x101
#define TPM_RC_COMMAND_SIZE 0x142
#define TPM_RC_LOCALITY     0x907
#define TPM_RC_RETRY        0x922

static size_t error_response(uint8_t *out, uint32_t rc)
{
	static const uint8_t hdr[6] = {0x80, 0x01, 0, 0, 0, 10};

	memcpy(out, hdr, sizeof(hdr));
	out[6] = (uint8_t)(rc >> 24);
	out[7] = (uint8_t)(rc >> 16);
	out[8] = (uint8_t)(rc >> 8);
	out[9] = (uint8_t)rc;
	return 10;
}

size_t vtpm_guest_command(struct vtpm_guest *g, uint8_t locality, const uint8_t *cmd, uint32_t len,
                          uint8_t *out)
{
	struct csvsm_regs r = {.rax = SVSM_RAX(SVSM_PROTO_VTPM, SVSM_VTPM_CMD), .rcx = g->buf_gpa};
	uint32_t v, rsp_len;

	if (len > SVSM_VTPM_CMD_MAX)
		return error_response(out, TPM_RC_COMMAND_SIZE);
	v = SVSM_VTPM_PLATFORM_SEND_COMMAND; /* little-endian fields: x86 guest memory */
	memcpy(g->page, &v, 4);
	g->page[4] = locality;
	memcpy(g->page + 5, &len, 4);
	memcpy(g->page + 9, cmd, len);
	if (csvsm_sim_guest_write(g->sim, g->buf_gpa, g->page, 9 + len) != 0 ||
	    csvsm_sim_call(g->sim, 0, &r) != 0 || !r.serviced) {
		fprintf(stderr, "%s: the SVSM call was not delivered\n", g->who);
		return error_response(out, TPM_RC_FAILURE);
	}
	if (r.rax != SVSM_SUCCESS) {
		if (!g->quiet)
			fprintf(stderr, "%s: SVSM_VTPM_CMD refused: %#llx\n", g->who,
			        (unsigned long long)r.rax);
		if (r.rax == SVSM_ERR_BUSY)
			return error_response(out, TPM_RC_RETRY);
		if (r.rax == SVSM_ERR_INVALID_PARAMETER)
			return error_response(out,
			                      locality ? TPM_RC_LOCALITY : TPM_RC_COMMAND_SIZE);
		return error_response(out, TPM_RC_FAILURE);
	}
	if (csvsm_sim_guest_read(g->sim, g->buf_gpa, &rsp_len, 4) != 0 ||
	    rsp_len > SVSM_VTPM_RSP_MAX ||
	    csvsm_sim_guest_read(g->sim, g->buf_gpa + 4, out, rsp_len) != 0)
		return error_response(out, TPM_RC_FAILURE);
	return rsp_len;
}

/* The guest accepts one free RAM page for its TPM buffer (PVALIDATE, as Linux does). */
static int guest_buffer(struct vtpm_guest *g, const struct csvsm_sim_layout *l)
{
	uint64_t list[2], gpa = l->free_ram_base;
	uint64_t ca = l->boot_caa_gpa + 8;
	struct csvsm_regs r = {.rax = SVSM_RAX(SVSM_PROTO_CORE, SVSM_CORE_PVALIDATE), .rcx = ca};

	list[0] = 1; /* entries = 1, next = 0 */
	list[1] = gpa | SVSM_PVAL_VALIDATE;
	if (csvsm_sim_guest_write(g->sim, ca, list, sizeof(list)) != 0 ||
	    csvsm_sim_call(g->sim, 0, &r) != 0 || r.rax != SVSM_SUCCESS)
		return -1;
	g->buf_gpa = gpa;
	return 0;
}

/* QUERY_PROTOCOL(2, 1) and SVSM_VTPM_QUERY, as the Linux driver probes. */
static bool vtpm_present(struct vtpm_guest *g)
{
	struct csvsm_regs q = {.rax = SVSM_RAX(SVSM_PROTO_CORE, SVSM_CORE_QUERY_PROTOCOL),
	                       .rcx = ((uint64_t)SVSM_PROTO_VTPM << 32) | 1};
	struct csvsm_regs v = {.rax = SVSM_RAX(SVSM_PROTO_VTPM, SVSM_VTPM_QUERY)};

	if (csvsm_sim_call(g->sim, 0, &q) != 0 || q.rax != SVSM_SUCCESS || q.rcx == 0)
		return false;
	return csvsm_sim_call(g->sim, 0, &v) == 0 && v.rax == SVSM_SUCCESS &&
	       (v.rcx & SVSM_VTPM_QUERY_COMMANDS);
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static int open_state(struct vtpm_guest *g, const char *path, unsigned int lock_wait_ms)
{
	struct sim_blkdev_file_config cfg = {.path = path, .write_unit = STATE_WRITE_UNIT};
	unsigned int waited = 0;
	int rc;

	if (!path)
		return sim_nv_ram_open(&g->dev, VTPM_GUEST_STATE_SIZE);
	for (;;) {
		cfg.size = 0;
		cfg.create = false;
		rc = sim_blkdev_file_open(&g->dev, &cfg);
		if (rc == -CSVSM_ENOENT) {
			cfg.size = VTPM_GUEST_STATE_SIZE;
			cfg.create = true;
			rc = sim_blkdev_file_open(&g->dev, &cfg);
		}
		if (rc != -CSVSM_EBUSY || waited >= lock_wait_ms)
			break;
		sleep_ms(LOCK_RETRY_MS);
		waited += LOCK_RETRY_MS;
	}
	if (rc == 0)
		g->file = true;
	return rc;
}

static void close_state(struct vtpm_guest *g)
{
	if (g->file)
		sim_blkdev_file_close(&g->dev);
	else
		sim_nv_ram_close(&g->dev);
}

int vtpm_guest_open(struct vtpm_guest *g, const char *who, const char *state,
                    const struct csvsm_sim_config *cfg, unsigned int lock_wait_ms, bool quiet)
{
	struct csvsm_sim_layout layout;
	int rc;

	memset(g, 0, sizeof(*g));
	g->who = who;
	g->quiet = quiet;
	rc = open_state(g, state, lock_wait_ms);
	if (rc < 0) {
		fprintf(stderr, "%s: cannot open the state %s (%s)\n", who,
		        state ? state : "in memory", csvsm_strerror(rc));
		return rc == -CSVSM_EBUSY ? -2 : -1;
	}
	sim_nv_use(&g->dev);
	g->sim = csvsm_sim_new(cfg);
	if (!g->sim) {
		fprintf(stderr, "%s: the simulated machine did not boot\n", who);
		goto fail;
	}
	csvsm_sim_layout(g->sim, &layout);
	if (!vtpm_present(g)) {
		fprintf(stderr, "%s: the SVSM offers no vTPM (state %s unusable?)\n", who,
		        state ? state : "in memory");
		goto fail;
	}
	if (guest_buffer(g, &layout) < 0) {
		fprintf(stderr, "%s: the guest could not accept its buffer page\n", who);
		goto fail;
	}
	return 0;
fail:
	vtpm_guest_close(g);
	return -1;
}

void vtpm_guest_close(struct vtpm_guest *g)
{
	vtpm_boot_stop();
	csvsm_sim_free(g->sim);
	g->sim = NULL;
	sim_nv_use(NULL);
	close_state(g);
}
