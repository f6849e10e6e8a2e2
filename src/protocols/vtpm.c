/* SPDX-License-Identifier: MIT */
/*
 * The SVSM vTPM protocol (2) (58019 chapter "vTPM protocol", tables 14-17;
 * abi 1.7). The guest's request/response buffer is copied once into SVSM
 * memory, validated there and only then handed to the TPM engine
 * (csvsm/adapter/vtpm.h); the response goes back into the same buffer.
 *
 * Decisions where the specification is silent (docs in src/vtpm/README.md):
 * - The buffer is the 4096 bytes at RCX (the size the spec allows, what
 *   COCONUT-SVSM reads), whatever the alignment. All of it must be guest
 *   RAM, outside SVSM memory and every registered VMSA (INVALID_ADDRESS),
 *   and readable as validated memory (INVALID_ADDRESS), before anything
 *   runs. RCX = 0 is INVALID_PARAMETER (abi 1.7).
 * - The TPM command must at least hold a TPM 2.0 header (10 bytes) whose
 *   commandSize equals the request's size: otherwise INVALID_PARAMETER, and
 *   libtpms never sees it.
 * - The engine's failures: lack of memory is BUSY (Linux retries it), any
 *   other failure (a broken TPM or NV device) is INVALID_REQUEST.
 */
#include "csvsm/abi/vtpm.h"
#include "csvsm/abi/svsm.h"
#include "csvsm/adapter/vtpm.h"
#include "csvsm/error.h"
#include "csvsm/gpa.h"
#include "csvsm/lib/spinlock.h"
#include "csvsm/plat/memory.h"
#include "csvsm/svsm.h"
#include "csvsm/vcpu.h"
#include "csvsm/vtpm.h"

/*
 * libtpms is one global TPM: one command at a time (vtpm_lock, taken
 * before vcpu_lock and the heap's lock: csvsm/vcpu.h). The request and
 * response copies are static so that the command path allocates nothing.
 */
static struct spinlock vtpm_lock = SPINLOCK_INIT;
static uint8_t vtpm_req[SVSM_VTPM_BUFFER_SIZE];
static uint8_t vtpm_rsp[SVSM_VTPM_BUFFER_SIZE];

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/*
 * Validates the copied request (table 16) and returns SVSM_SUCCESS with
 * the TPM command's length in *len, or the SVSM error for it.
 */
static uint32_t vtpm_parse(const uint8_t *req, uint32_t *len)
{
	uint32_t platform_command = get_le32(req);
	uint8_t locality = req[__builtin_offsetof(struct svsm_vtpm_request, locality)];
	uint32_t size = get_le32(req + __builtin_offsetof(struct svsm_vtpm_request, size));
	const uint8_t *cmd = req + sizeof(struct svsm_vtpm_request);

	if (platform_command != SVSM_VTPM_PLATFORM_SEND_COMMAND)
		return SVSM_ERR_UNSUPPORTED_CALL;
	if (locality != 0)
		return SVSM_ERR_INVALID_PARAMETER;
	if (size > SVSM_VTPM_CMD_MAX || size < TPM2_HEADER_SIZE)
		return SVSM_ERR_INVALID_PARAMETER;
	/* TPM 2.0 Part 1 section 18.2: commandSize at offset 2, big-endian. */
	if (get_be32(cmd + 2) != size)
		return SVSM_ERR_INVALID_PARAMETER;
	*len = size;
	return SVSM_SUCCESS;
}

static uint32_t vtpm_engine_error(int rc)
{
	if (rc == -CSVSM_ENOMEM || rc == -CSVSM_EAGAIN)
		return SVSM_ERR_BUSY;
	return SVSM_ERR_INVALID_REQUEST;
}

/* Serves one TPM_SEND_COMMAND with the lock held. */
static uint32_t vtpm_cmd_locked(gpa_t gpa)
{
	const size_t hdr = sizeof(struct svsm_vtpm_response);
	size_t rsp_len = 0;
	uint32_t cmd_len = 0;
	uint32_t result;
	int rc;

	/* Copy once; everything below looks only at the copy. */
	if (vcpu_guest_buf_read(gpa, vtpm_req, SVSM_VTPM_BUFFER_SIZE) < 0)
		return SVSM_ERR_INVALID_ADDRESS;
	result = vtpm_parse(vtpm_req, &cmd_len);
	if (result != SVSM_SUCCESS)
		return result;
	rc = vtpm_execute(vtpm_req + sizeof(struct svsm_vtpm_request), cmd_len, vtpm_rsp + hdr,
	                  SVSM_VTPM_RSP_MAX, &rsp_len);
	if (rc < 0)
		return vtpm_engine_error(rc);
	if (rsp_len > SVSM_VTPM_RSP_MAX)
		return SVSM_ERR_INVALID_REQUEST; /* the engine broke its contract */
	put_le32(vtpm_rsp, (uint32_t)rsp_len);
	/* Table 17: the response replaces the request in the same buffer. */
	if (vcpu_guest_buf_write(gpa, vtpm_rsp, hdr + rsp_len) < 0)
		return SVSM_ERR_INVALID_ADDRESS;
	return SVSM_SUCCESS;
}

/* SVSM_VTPM_CMD (call 1): RCX = GPA of the request/response buffer. */
static uint32_t vtpm_cmd(const struct svsm_call *call)
{
	gpa_t gpa = call->rcx;
	uint32_t result;

	if (gpa == 0)
		return SVSM_ERR_INVALID_PARAMETER;
	/* Checked again with each access (the buffer may become a VMSA meanwhile). */
	if (!vcpu_guest_buf_ok(gpa, SVSM_VTPM_BUFFER_SIZE))
		return SVSM_ERR_INVALID_ADDRESS;
	spin_lock(&vtpm_lock);
	result = vtpm_cmd_locked(gpa);
	spin_unlock(&vtpm_lock);
	return result;
}

void svsm_vtpm_protocol(struct svsm_call *call)
{
	if (!vtpm_service_ready()) {
		call->rax = SVSM_ERR_UNSUPPORTED_PROTOCOL;
		return;
	}
	switch (SVSM_CALL_ID(call->rax)) {
	case SVSM_VTPM_QUERY:
		call->rcx = SVSM_VTPM_QUERY_COMMANDS;
		call->rdx = SVSM_VTPM_QUERY_FEATURES;
		call->rax = SVSM_SUCCESS;
		break;
	case SVSM_VTPM_CMD:
		call->rax = vtpm_cmd(call);
		break;
	default:
		call->rax = SVSM_ERR_UNSUPPORTED_CALL;
		break;
	}
}
