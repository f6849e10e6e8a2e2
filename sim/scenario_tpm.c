/* SPDX-License-Identifier: MIT */
/*
 * The vTPM in scenarios (docs/scenarios.md "The vTPM"): the `tpm`
 * statement, which sends one TPM command through SVSM_VTPM_CMD the way
 * Linux's tpm_svsm driver does (58019 "vTPM protocol", tables 16 and 17),
 * and `expect tpm ...` on its response. Command helpers marshal TPM 2.0
 * commands by hand (Part 1 section 18, Part 3 per command), big-endian.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "csvsm/abi/svsm.h"
#include "csvsm/abi/vtpm.h"
#include "scenario_int.h"

/* TPM 2.0 Part 2 constants (section numbers in comments). */
#define TPM_ST_NO_SESSIONS  0x8001 /* 6.9 */
#define TPM_ST_SESSIONS     0x8002
#define TPM_RS_PW           0x40000009 /* 7.4 */
#define TPM_ALG_SHA256      0x000b     /* 6.3 */
#define TPM_CC_GET_RANDOM   0x0000017b /* 6.5.2 */
#define TPM_CC_PCR_READ     0x0000017e
#define TPM_CC_PCR_EXTEND   0x00000182
#define TPM_PCR_COUNT       24 /* PC Client: PCRs 0..23 */
#define TPM_SHA256_SIZE     32
#define TPM_RSP_HEADER_SIZE 10

/* Response codes scenarios may name (TPM 2.0 Part 2 section 6.6). */
static const struct {
	const char *name;
	uint32_t code;
} tpm_rc_names[] = {
    {"TPM_RC_SUCCESS", 0x000},  {"TPM_RC_BAD_TAG", 0x01e},      {"TPM_RC_INITIALIZE", 0x100},
    {"TPM_RC_FAILURE", 0x101},  {"TPM_RC_COMMAND_SIZE", 0x142}, {"TPM_RC_COMMAND_CODE", 0x143},
    {"TPM_RC_LOCALITY", 0x907}, {"TPM_RC_RETRY", 0x922},
};

bool scn_tpm_name(const char *name, uint64_t *value)
{
	for (size_t i = 0; i < sizeof(tpm_rc_names) / sizeof(tpm_rc_names[0]); i++)
		if (!strcmp(tpm_rc_names[i].name, name)) {
			*value = tpm_rc_names[i].code;
			return true;
		}
	return false;
}

/* --- marshalling -------------------------------------------------------------- */

struct tpm_cmd {
	uint8_t b[SVSM_VTPM_CMD_MAX];
	size_t len;
};

static void put_u8(struct tpm_cmd *c, uint8_t v)
{
	c->b[c->len++] = v;
}

static void put_u16(struct tpm_cmd *c, uint16_t v)
{
	put_u8(c, (uint8_t)(v >> 8));
	put_u8(c, (uint8_t)v);
}

static void put_u32(struct tpm_cmd *c, uint32_t v)
{
	put_u16(c, (uint16_t)(v >> 16));
	put_u16(c, (uint16_t)v);
}

static void begin(struct tpm_cmd *c, uint16_t tag, uint32_t cc)
{
	c->len = 0;
	put_u16(c, tag);
	put_u32(c, 0); /* commandSize: finish() */
	put_u32(c, cc);
}

static void finish(struct tpm_cmd *c)
{
	c->b[2] = (uint8_t)(c->len >> 24);
	c->b[3] = (uint8_t)(c->len >> 16);
	c->b[4] = (uint8_t)(c->len >> 8);
	c->b[5] = (uint8_t)c->len;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* TPM2_GetRandom(bytesRequested) (Part 3 section 16.1). */
static void cmd_getrandom(struct tpm_cmd *c, uint16_t n)
{
	begin(c, TPM_ST_NO_SESSIONS, TPM_CC_GET_RANDOM);
	put_u16(c, n);
	finish(c);
}

/* TPM2_PCR_Extend(pcr, password session, one SHA-256 digest) (Part 3 section 22.2). */
static void cmd_pcr_extend(struct tpm_cmd *c, uint32_t pcr, const uint8_t *digest)
{
	begin(c, TPM_ST_SESSIONS, TPM_CC_PCR_EXTEND);
	put_u32(c, pcr);
	put_u32(c, 9); /* authorizationSize: TPMS_AUTH_COMMAND with empty fields */
	put_u32(c, TPM_RS_PW);
	put_u16(c, 0); /* nonceCaller */
	put_u8(c, 0);  /* sessionAttributes */
	put_u16(c, 0); /* hmac: the empty password */
	put_u32(c, 1); /* TPML_DIGEST_VALUES.count */
	put_u16(c, TPM_ALG_SHA256);
	memcpy(c->b + c->len, digest, TPM_SHA256_SIZE);
	c->len += TPM_SHA256_SIZE;
	finish(c);
}

/* TPM2_PCR_Read(SHA-256 bank, one PCR) (Part 3 section 22.4). */
static void cmd_pcr_read(struct tpm_cmd *c, uint32_t pcr)
{
	begin(c, TPM_ST_NO_SESSIONS, TPM_CC_PCR_READ);
	put_u32(c, 1); /* TPML_PCR_SELECTION.count */
	put_u16(c, TPM_ALG_SHA256);
	put_u8(c, 3); /* sizeofSelect: PCRs 0..23 */
	for (uint32_t i = 0; i < 3; i++)
		put_u8(c, i == pcr / 8 ? (uint8_t)(1u << (pcr % 8)) : 0);
	finish(c);
}

/* --- the statement ---------------------------------------------------------------- */

/* Sends c through SVSM_VTPM_CMD at `at`; records the call and the response. */
static int tpm_send(struct scn_run *r, const struct tpm_cmd *c, uint64_t at, uint8_t locality,
                    const uint64_t *size, const uint64_t *platform)
{
	struct svsm_vtpm_request req = {
	    .platform_command = platform ? (uint32_t)*platform : SVSM_VTPM_PLATFORM_SEND_COMMAND,
	    .locality = locality,
	    .size = size ? (uint32_t)*size : (uint32_t)c->len,
	};
	uint8_t page[sizeof(req) + SVSM_VTPM_CMD_MAX];
	uint32_t rsp_len = 0;
	int acc;

	r->called = true;
	r->tpm_done = true;
	r->tpm_rsp_len = 0;
	r->tpm_have_rsp = false;
	r->accessed = true; /* the guest writes its request: `expect access` applies */
	if (r->dry)
		return SCN_GO;
	memcpy(page, &req, sizeof(req));
	memcpy(page + sizeof(req), c->b, c->len);
	acc = csvsm_sim_guest_write(r->sim, at, page, sizeof(req) + c->len);
	r->access = acc;
	if (acc < 0)
		return scn_error(r, "the TPM buffer 0x%" PRIx64 " wraps around", at);
	r->regs = (struct csvsm_regs){.rax = SVSM_RAX(SVSM_PROTO_VTPM, SVSM_VTPM_CMD), .rcx = at};
	memset(r->since_call, 0, sizeof(r->since_call));
	if (acc != CSVSM_SIM_ACCESS_OK) {
		/* The guest could not even write its request: nothing was called. */
		r->delivered = false;
		return SCN_GO;
	}
	r->delivered = csvsm_sim_call(r->sim, r->vcpu, &r->regs) == 0;
	if (r->o->call_returned)
		r->o->call_returned(r->o->hook_ctx, r->vcpu);
	if (!r->delivered || r->regs.rax != SVSM_SUCCESS)
		return SCN_GO;
	if (csvsm_sim_guest_read(r->sim, at, &rsp_len, sizeof(rsp_len)) != CSVSM_SIM_ACCESS_OK ||
	    rsp_len > SVSM_VTPM_RSP_MAX ||
	    csvsm_sim_guest_read(r->sim, at + sizeof(rsp_len), r->tpm_rsp, rsp_len) !=
	        CSVSM_SIM_ACCESS_OK)
		return SCN_GO;
	r->tpm_rsp_len = rsp_len;
	r->tpm_have_rsp = true;
	if (r->o->echo) {
		char hex[128];

		scn_hex_text(r->tpm_rsp, rsp_len, hex, sizeof(hex));
		fprintf(r->o->echo, "%s:%u: tpm response (%u bytes): %s\n", r->s->name, r->cur->no,
		        rsp_len, hex);
	}
	return SCN_GO;
}

int scn_stmt_tpm(struct scn_run *r, const struct scn_keyword *k)
{
	static const char *const keys[] = {"at", "locality", "size", "platform"};
	uint64_t v[4] = {0};
	const char *vals[4] = {NULL};
	struct tpm_cmd *c;
	unsigned int t = 1;
	const char *op;
	int rc;

	/* Options first (key=value), then the command. */
	while (t < r->cur->ntok && strchr(scn_arg(r, t), '='))
		t++;
	if ((rc = scn_need(r, k, t, "the command (raw, getrandom, pcr_extend, pcr_read)")))
		return rc;
	op = scn_arg(r, t);
	{
		/* scn_options parses to the end of the line: parse the options alone. */
		struct scn_line opt_line = *r->cur;
		const struct scn_line *saved = r->cur;

		opt_line.ntok = t;
		r->cur = &opt_line;
		rc = scn_options(r, k, 1, keys, 4, vals);
		r->cur = saved;
		if (rc)
			return rc;
	}
	/* The machine first: values may use layout names (at=free_ram+4K). */
	if ((rc = scn_start(r, false)))
		return rc;
	if ((vals[0] && (rc = scn_eval(r, vals[0], &v[0], NULL))) ||
	    (vals[1] && (rc = scn_eval_max(r, vals[1], 255, "locality", &v[1]))) ||
	    (vals[2] && (rc = scn_eval_max(r, vals[2], UINT32_MAX, "size", &v[2]))) ||
	    (vals[3] && (rc = scn_eval_max(r, vals[3], UINT32_MAX, "platform", &v[3]))))
		return rc;
	if (!vals[0] && !r->dry)
		v[0] = r->lay.free_ram_base; /* the default TPM buffer: the first free page */
	c = malloc(sizeof(*c));
	if (!c)
		return scn_error(r, "out of memory");
	c->len = 0;
	if (!strcmp(op, "raw")) {
		uint8_t *bytes = NULL;
		size_t n = 0;

		rc = scn_bytes(r, r->cur->tok, t + 1, r->cur->ntok, &bytes, &n);
		if (rc == SCN_GO && n > SVSM_VTPM_CMD_MAX)
			rc = scn_error(r, "a TPM command of %zu bytes (at most %u fit)", n,
			               (unsigned int)SVSM_VTPM_CMD_MAX);
		if (rc == SCN_GO) {
			memcpy(c->b, bytes, n);
			c->len = n;
		}
		free(bytes);
	} else if (!strcmp(op, "getrandom")) {
		uint64_t n = 0;

		if (!(rc = scn_need(r, k, t + 1, "N (bytes)")) &&
		    !(rc = scn_no_more(r, k, t + 2)) &&
		    !(rc = scn_eval_max(r, scn_arg(r, t + 1), UINT16_MAX, "bytes", &n)))
			cmd_getrandom(c, (uint16_t)n);
	} else if (!strcmp(op, "pcr_extend")) {
		uint64_t pcr = 0;
		uint8_t *digest = NULL;
		size_t n = 0;

		if (!(rc = scn_need(r, k, t + 2, "PCR and SHA-256 digest")) &&
		    !(rc = scn_eval_max(r, scn_arg(r, t + 1), TPM_PCR_COUNT - 1, "PCR", &pcr)) &&
		    !(rc = scn_bytes(r, r->cur->tok, t + 2, r->cur->ntok, &digest, &n))) {
			if (n != TPM_SHA256_SIZE)
				rc = scn_error(r, "a SHA-256 digest is 32 bytes, not %zu", n);
			else
				cmd_pcr_extend(c, (uint32_t)pcr, digest);
		}
		free(digest);
	} else if (!strcmp(op, "pcr_read")) {
		uint64_t pcr = 0;

		if (!(rc = scn_need(r, k, t + 1, "PCR")) && !(rc = scn_no_more(r, k, t + 2)) &&
		    !(rc = scn_eval_max(r, scn_arg(r, t + 1), TPM_PCR_COUNT - 1, "PCR", &pcr)))
			cmd_pcr_read(c, (uint32_t)pcr);
	} else {
		rc = scn_error(r, "unknown TPM command '%s' (raw, getrandom, pcr_extend, pcr_read)",
		               op);
	}
	if (rc == SCN_GO)
		rc = tpm_send(r, c, v[0], (uint8_t)v[1], vals[2] ? &v[2] : NULL,
		              vals[3] ? &v[3] : NULL);
	free(c);
	return rc;
}

/* --- expect tpm ... ----------------------------------------------------------------- */

/* The response must be there; else the expectation fails with the reason. */
static bool have_response(struct scn_run *r, const char *what)
{
	char why[96];

	if (r->tpm_have_rsp)
		return true;
	if (!r->delivered)
		snprintf(why, sizeof(why), "no response: the call was not delivered");
	else if (r->regs.rax != SVSM_SUCCESS)
		scn_fmt_result(r->regs.rax, why, sizeof(why));
	else
		snprintf(why, sizeof(why), "no response: the guest cannot read its buffer");
	scn_failed(r, what, "a TPM response", why);
	return false;
}

/* expect tpm rc VALUE | len N | rsp HEXBYTES... | tail HEXBYTES... */
int scn_expect_tpm(struct scn_run *r, const struct scn_keyword *k, unsigned int at)
{
	const char *what = scn_arg(r, at);
	char w[160], g[160];
	uint64_t want = 0;
	uint8_t *bytes = NULL;
	size_t n = 0;
	int rc;

	if ((rc = scn_need(r, k, at, "rc, len, rsp or tail")) ||
	    (rc = scn_need(r, k, at + 1, "the expected value")))
		return rc;
	if (!r->tpm_done)
		return scn_error(r, "expect tpm without a tpm statement before it");
	if (!strcmp(what, "rc") || !strcmp(what, "len")) {
		if ((rc = scn_no_more(r, k, at + 2)) ||
		    (rc = scn_eval_max(r, scn_arg(r, at + 1), UINT32_MAX, what, &want)))
			return rc;
	} else if (!strcmp(what, "rsp") || !strcmp(what, "tail")) {
		if ((rc = scn_bytes(r, r->cur->tok, at + 1, r->cur->ntok, &bytes, &n)))
			return rc;
	} else {
		return scn_error(r, "unknown TPM expectation '%s' (usage: %s)", what, k->usage);
	}
	if (r->dry || !have_response(r, what)) {
		free(bytes);
		return SCN_GO;
	}
	if (!strcmp(what, "rc") || !strcmp(what, "len")) {
		uint64_t got = r->tpm_rsp_len;

		if (what[0] == 'r')
			got = r->tpm_rsp_len >= TPM_RSP_HEADER_SIZE ? get_be32(r->tpm_rsp + 6)
			                                            : UINT64_MAX;
		snprintf(w, sizeof(w), "0x%" PRIx64 " (%" PRIu64 ")", want, want);
		snprintf(g, sizeof(g), "0x%" PRIx64 " (%" PRIu64 ")", got, got);
		if (got == want)
			scn_held(r);
		else
			scn_failed(r, what[0] == 'r' ? "TPM response code" : "TPM response size", w,
			           g);
		return SCN_GO;
	}
	{
		bool whole = what[0] == 'r';
		size_t off = r->tpm_rsp_len >= n ? r->tpm_rsp_len - n : 0;
		bool same = whole ? (r->tpm_rsp_len == n && !memcmp(r->tpm_rsp, bytes, n))
		                  : (r->tpm_rsp_len >= n && !memcmp(r->tpm_rsp + off, bytes, n));

		if (same) {
			scn_held(r);
		} else {
			scn_hex_text(bytes, n, w, sizeof(w));
			scn_hex_text(whole ? r->tpm_rsp : r->tpm_rsp + off,
			             whole ? r->tpm_rsp_len : r->tpm_rsp_len - off, g, sizeof(g));
			scn_failed(r,
			           whole ? "TPM response bytes" : "last bytes of the TPM response",
			           w, g);
		}
	}
	free(bytes);
	return SCN_GO;
}
