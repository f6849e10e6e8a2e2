/* SPDX-License-Identifier: MIT */
/*
 * The vTPM steps of csvsm-sim's built-in workload (sim/cli_vtpm.h): the
 * way Linux's tpm_svsm driver finds and uses the vTPM (58019 "vTPM
 * protocol"), with TPM 2.0 commands marshalled by hand (Part 3).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli_vtpm.h"
#include "csvsm/abi/svsm.h"
#include "csvsm/abi/vtpm.h"
#include "csvsm/names.h"

/* TPM2_GetRandom(16): tag, size 12, TPM_CC_GetRandom, bytesRequested (Part 3 16.1). */
static const uint8_t cmd_getrandom[] = {0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7b, 0, 16};

/* TPM2_PCR_Extend(16, empty password session, SHA-256 ab..ab) (Part 3 22.2): header part. */
static const uint8_t cmd_extend_head[] = {
    0x80, 0x02, 0, 0,  0, 65,   0, 0, 0x01, 0x82, /* header, TPM_CC_PCR_Extend */
    0,    0,    0, 16,                            /* pcrHandle 16 */
    0,    0,    0, 9,                             /* authorizationSize */
    0x40, 0,    0, 9,  0, 0,    0, 0, 0,          /* TPM_RS_PW, nonce, attributes, hmac */
    0,    0,    0, 1,  0, 0x0b,                   /* one digest, TPM_ALG_SHA256 */
};

/* TPM2_PCR_Read(SHA-256: PCR 16) (Part 3 22.4). */
static const uint8_t cmd_pcr_read[] = {0x80, 0x01, 0, 0, 0,    20,   0, 0, 0x01, 0x7e,
                                       0,    0,    0, 1, 0x00, 0x0b, 3, 0, 0,    0x01};

/*
 * PCR 16 after the extend: SHA-256(32 zero bytes || 32 bytes 0xab) (Part 1
 * section 17.2), from the OpenSSL CLI:
 *   { head -c 32 /dev/zero; printf 'ab%.0s' $(seq 32) | xxd -r -p; } | openssl dgst -sha256
 */
static const uint8_t pcr16_expected[32] = {
    0xde, 0xbb, 0x3e, 0x7a, 0xcf, 0xff, 0x6d, 0xd1, 0x8d, 0x50, 0x10, 0x42, 0x27, 0x36, 0x29, 0xf0,
    0xb7, 0x9c, 0xb2, 0x06, 0xbb, 0x8c, 0x24, 0xf5, 0x9f, 0x62, 0xdd, 0xb8, 0x08, 0x49, 0x40, 0x3b,
};

struct step {
	struct csvsm_sim *sim;
	struct cli_trace *t;
	bool quiet;
	struct cli_vtpm_counts *n;
};

static void hex(char *out, const uint8_t *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static void report(const struct step *s, const char *what, const char *result, bool ok)
{
	s->n->as_expected += ok;
	if (!s->quiet || !ok)
		printf("  vcpu0 %-20s %s%s\n", what, result, ok ? "" : "   <-- UNEXPECTED");
}

/* One SVSM call on vCPU 0; false when it was not delivered. */
static bool svsm_call(const struct step *s, struct csvsm_regs *r)
{
	int rc = csvsm_sim_call(s->sim, 0, r);

	cli_trace_call_returned(s->t, 0);
	s->n->calls++;
	if (rc == 0 && s->n->on_result)
		s->n->on_result(s->n->result_ctx, r->rax);
	return rc == 0 && r->serviced;
}

/* Sends `cmd` through SVSM_VTPM_CMD; the response into rsp (4092 bytes). */
static size_t tpm(const struct step *s, uint64_t buf, const uint8_t *cmd, size_t len, uint8_t *rsp,
                  uint32_t *rc)
{
	struct svsm_vtpm_request req = {.platform_command = SVSM_VTPM_PLATFORM_SEND_COMMAND,
	                                .size = (uint32_t)len};
	struct csvsm_regs r = {.rax = SVSM_RAX(SVSM_PROTO_VTPM, SVSM_VTPM_CMD), .rcx = buf};
	uint32_t rsp_len = 0;

	*rc = UINT32_MAX;
	if (csvsm_sim_guest_write(s->sim, buf, &req, sizeof(req)) != 0 ||
	    csvsm_sim_guest_write(s->sim, buf + sizeof(req), cmd, len) != 0 || !svsm_call(s, &r) ||
	    r.rax != SVSM_SUCCESS ||
	    csvsm_sim_guest_read(s->sim, buf, &rsp_len, sizeof(rsp_len)) != 0 || rsp_len < 10 ||
	    rsp_len > SVSM_VTPM_RSP_MAX ||
	    csvsm_sim_guest_read(s->sim, buf + sizeof(rsp_len), rsp, rsp_len) != 0)
		return 0;
	*rc = (uint32_t)rsp[6] << 24 | (uint32_t)rsp[7] << 16 | (uint32_t)rsp[8] << 8 | rsp[9];
	return rsp_len;
}

void cli_vtpm_workload(struct csvsm_sim *sim, struct cli_trace *t, uint64_t buf_gpa, bool quiet,
                       struct cli_vtpm_counts *out)
{
	struct step s = {.sim = sim, .t = t, .quiet = quiet, .n = out};
	struct csvsm_regs q = {.rax = SVSM_RAX(SVSM_PROTO_CORE, SVSM_CORE_QUERY_PROTOCOL),
	                       .rcx = ((uint64_t)SVSM_PROTO_VTPM << 32) | 1};
	struct csvsm_regs v = {.rax = SVSM_RAX(SVSM_PROTO_VTPM, SVSM_VTPM_QUERY)};
	uint8_t cmd[sizeof(cmd_extend_head) + 32], rsp[SVSM_VTPM_RSP_MAX];
	char text[160], h[80];
	size_t len;
	uint32_t rc;
	bool ok;

	ok = svsm_call(&s, &q) && q.rax == SVSM_SUCCESS && q.rcx == 0x100000001ull;
	snprintf(text, sizeof(text), "rcx=%#" PRIx64, q.rcx);
	report(&s, "core.query_protocol", text, ok);
	if (!ok) {
		report(&s, "vtpm", "(no vTPM: the rest skipped)", false);
		return;
	}
	ok = svsm_call(&s, &v) && v.rax == SVSM_SUCCESS && v.rcx == SVSM_VTPM_QUERY_COMMANDS;
	snprintf(text, sizeof(text), "commands=%#" PRIx64 " features=%#" PRIx64, v.rcx, v.rdx);
	report(&s, "vtpm.query", text, ok);

	len = tpm(&s, buf_gpa, cmd_getrandom, sizeof(cmd_getrandom), rsp, &rc);
	ok = rc == 0 && len == 28 && rsp[10] == 0 && rsp[11] == 16;
	hex(h, rsp + 12, ok ? 16 : 0);
	snprintf(text, sizeof(text), "TPM2_GetRandom(16) rc=%#x %s", rc, ok ? h : "");
	report(&s, "vtpm.cmd", text, ok);

	memcpy(cmd, cmd_extend_head, sizeof(cmd_extend_head));
	memset(cmd + sizeof(cmd_extend_head), 0xab, 32);
	len = tpm(&s, buf_gpa, cmd, sizeof(cmd), rsp, &rc);
	snprintf(text, sizeof(text), "TPM2_PCR_Extend(16, ab..ab) rc=%#x", rc);
	report(&s, "vtpm.cmd", text, rc == 0 && len > 0);

	/* Response: header, pcrUpdateCounter, selection (10), count, TPM2B (2 + 32). */
	len = tpm(&s, buf_gpa, cmd_pcr_read, sizeof(cmd_pcr_read), rsp, &rc);
	ok = rc == 0 && len == 62 && !memcmp(rsp + 30, pcr16_expected, 32);
	hex(h, rsp + 30, len == 62 ? 32 : 0);
	snprintf(text, sizeof(text), "TPM2_PCR_Read(16) rc=%#x %s", rc, h);
	report(&s, "vtpm.cmd", text, ok);
	if (!quiet)
		printf("  %-26s %s\n", "",
		       ok ? "(= SHA-256(0^32 || ab^32), as OpenSSL computes it)"
		          : "(expected SHA-256(0^32 || ab^32) = debb3e7a...)");
}
