/* SPDX-License-Identifier: MIT */
/*
 * The expectations of the scenario language (docs/scenarios.md
 * "Expectations"): `expect WHAT ...`, checked against the last call, guest
 * memory, the RMP, the last guest access or page state change, the events
 * since the last call, the simulator's counters, or the boot.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scenario_int.h"

/* --- expectations ------------------------------------------------------------------ */

static void scn_yes_no(bool b, char *buf, size_t len)
{
	snprintf(buf, len, "%s", b ? "yes" : "no");
}

/* One register/serviced/delivered expectation. */
static int expect_reg(struct scn_run *r, const char *key, const char *val)
{
	static const char *const regs[] = {"rax", "rcx", "rdx", "r8", "r9"};
	char what[48], want[96], got[96];
	uint64_t v = 0, actual;
	size_t i;
	bool b = false;
	int rc;

	for (i = 0; i < 5 && strcmp(regs[i], key); i++)
		;
	if (i == 5 && strcmp(key, "serviced") && strcmp(key, "delivered"))
		return scn_error(
		    r, "unknown register '%s' (rax, rcx, rdx, r8, r9, serviced, delivered)", key);
	if (!r->called)
		return scn_error(r, "expect %s: no call before this line", key);
	rc = i < 5 ? scn_eval(r, val, &v, NULL) : scn_bool(r, val, key, &b);
	if (rc || r->dry)
		return rc;
	snprintf(what, sizeof(what), "%s of the last call", key);
	if (!strcmp(key, "delivered")) {
		scn_yes_no(b, want, sizeof(want));
		scn_yes_no(r->delivered, got, sizeof(got));
		if (b == r->delivered)
			scn_held(r);
		else
			scn_failed(r, what, want, got);
		return SCN_GO;
	}
	if (!r->delivered) {
		if (i == 0)
			scn_fmt_result(v, want, sizeof(want));
		else if (i < 5)
			snprintf(want, sizeof(want), "0x%" PRIx64, v);
		else
			scn_yes_no(b, want, sizeof(want));
		scn_failed(
		    r, what, want,
		    "the call was not delivered (hypervisor refused, or the vCPU cannot call)");
		return SCN_GO;
	}
	if (i == 5) {
		scn_yes_no(b, want, sizeof(want));
		scn_yes_no(r->regs.serviced, got, sizeof(got));
		if (b == r->regs.serviced)
			scn_held(r);
		else
			scn_failed(r, what, want, got);
		return SCN_GO;
	}
	actual = i == 0   ? r->regs.rax
	         : i == 1 ? r->regs.rcx
	         : i == 2 ? r->regs.rdx
	         : i == 3 ? r->regs.r8
	                  : r->regs.r9;
	if (i == 0) {
		scn_fmt_result(v, want, sizeof(want));
		scn_fmt_result(actual, got, sizeof(got));
	} else {
		snprintf(want, sizeof(want), "0x%" PRIx64, v);
		snprintf(got, sizeof(got), "0x%" PRIx64, actual);
	}
	if (v == actual)
		scn_held(r);
	else
		scn_failed(r, what, want, got);
	return SCN_GO;
}

static int expect_mem_sized(struct scn_run *r, unsigned int width, unsigned int at)
{
	uint64_t gpa, v, actual;
	char what[64], want[48], got[96];
	uint8_t b[8];
	int rc, acc;

	if (at + 2 > r->cur->ntok)
		return scn_error(r, "missing operand (usage: expect mem%u ADDR VALUE)", width);
	if (r->cur->ntok > at + 2)
		return scn_error(r, "unexpected '%s' (usage: expect mem%u ADDR VALUE)",
		                 r->cur->tok[at + 2], width);
	if ((rc = scn_eval(r, scn_arg(r, at), &gpa, NULL)) ||
	    (rc = scn_eval_fit(r, scn_arg(r, at + 1), width, &v)) || r->dry)
		return rc;
	snprintf(what, sizeof(what), "mem%u 0x%" PRIx64, width, gpa);
	snprintf(want, sizeof(want), "0x%" PRIx64, v);
	acc = csvsm_sim_guest_read(r->sim, gpa, b, width / 8);
	if (acc != CSVSM_SIM_ACCESS_OK) {
		snprintf(got, sizeof(got), "the guest's read faults (%s)", scn_access_text(acc));
		scn_failed(r, what, want, got);
		return SCN_GO;
	}
	actual = scn_get_le(b, width / 8);
	snprintf(got, sizeof(got), "0x%" PRIx64, actual);
	if (actual == v)
		scn_held(r);
	else
		scn_failed(r, what, want, got);
	return SCN_GO;
}

static int expect_mem_bytes(struct scn_run *r, unsigned int at)
{
	uint64_t gpa;
	uint8_t *want = NULL, *got = NULL;
	size_t len;
	char what[64], wt[160], gt[256];
	int rc, acc;

	if (at + 2 > r->cur->ntok)
		return scn_error(r, "missing operand (usage: expect mem ADDR BYTES...)");
	if ((rc = scn_eval(r, scn_arg(r, at), &gpa, NULL)) ||
	    (rc = scn_bytes(r, r->cur->tok, at + 1, r->cur->ntok, &want, &len)))
		return rc;
	if (r->dry)
		goto out;
	got = malloc(len);
	if (!got) {
		rc = scn_error(r, "out of memory");
		goto out;
	}
	snprintf(what, sizeof(what), "mem 0x%" PRIx64 " (%zu bytes)", gpa, len);
	scn_hex_text(want, len, wt, sizeof(wt));
	acc = csvsm_sim_guest_read(r->sim, gpa, got, len);
	if (acc != CSVSM_SIM_ACCESS_OK) {
		snprintf(gt, sizeof(gt), "the guest's read faults (%s)", scn_access_text(acc));
		scn_failed(r, what, wt, gt);
	} else if (memcmp(want, got, len)) {
		size_t first = 0;
		char hex[160];

		while (want[first] == got[first])
			first++;
		scn_hex_text(got, len, hex, sizeof(hex));
		snprintf(gt, sizeof(gt), "%s (first difference at +0x%zx)", hex, first);
		scn_failed(r, what, wt, gt);
	} else {
		scn_held(r);
	}
out:
	free(want);
	free(got);
	return rc;
}

/* Permissions: a number, or letters r w x (= u + s) u s, or none. */
static int perm_value(struct scn_run *r, const char *text, uint64_t *out)
{
	if (!strcmp(text, "none") || !strcmp(text, "-")) {
		*out = 0;
		return SCN_GO;
	}
	if (strspn(text, "rwxus") == strlen(text)) {
		*out = 0;
		for (const char *p = text; *p; p++)
			*out |= *p == 'r' ? 1 : *p == 'w' ? 2 : *p == 'u' ? 4 : *p == 's' ? 8 : 12;
		return SCN_GO;
	}
	return scn_eval_max(r, text, 0xf, "permissions", out);
}

static void perm_text(unsigned int p, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s (0x%x)", p & 1 ? "r" : "", p & 2 ? "w" : "",
	         (p & 12) == 12 ? "x"
	         : (p & 4)      ? "u"
	                        : "",
	         (p & 12) == 8 ? "s" : "", p ? "" : "none", p);
}

static void rmp_text(const struct csvsm_sim_rmp_entry *e, char *buf, size_t len)
{
	snprintf(buf, len, "assigned=%s validated=%s vmsa=%s size=%s perms=%x/%x/%x/%x",
	         e->assigned ? "yes" : "no", e->validated ? "yes" : "no", e->vmsa ? "yes" : "no",
	         e->page_size ? "2m" : "4k", e->perms[0], e->perms[1], e->perms[2], e->perms[3]);
}

static int expect_rmp(struct scn_run *r, const struct scn_keyword *k, unsigned int at)
{
	static const char *const keys[] = {"assigned", "validated", "vmsa",  "size", "vmpl0",
	                                   "vmpl1",    "vmpl2",     "vmpl3", "guest"};
	const char *vals[9];
	uint64_t gpa, want[9] = {0};
	struct csvsm_sim_rmp_entry e;
	char entry[160];
	bool any = false;
	int rc;

	if ((rc = scn_need(r, k, at, "ADDR")) || (rc = scn_need(r, k, at + 1, "field=value")) ||
	    (rc = scn_options(r, k, at + 1, keys, 9, vals)) ||
	    (rc = scn_eval(r, scn_arg(r, at), &gpa, NULL)))
		return rc;
	for (size_t i = 0; i < 9; i++) {
		bool b;

		if (!vals[i])
			continue;
		any = true;
		if (i < 3) {
			if ((rc = scn_bool(r, vals[i], keys[i], &b)))
				return rc;
			want[i] = b;
		} else if (i == 3) {
			if (strcasecmp(vals[i], "4k") && strcasecmp(vals[i], "2m"))
				return scn_error(r, "size is 4k or 2m, not '%s'", vals[i]);
			want[i] = vals[i][0] == '2';
		} else if ((rc = perm_value(r, vals[i], &want[i]))) {
			return rc;
		}
	}
	if (!any || r->dry)
		return SCN_GO;
	if (csvsm_sim_rmp_query(r->sim, gpa, &e) != 0) {
		char what[48];

		snprintf(what, sizeof(what), "rmp 0x%" PRIx64, gpa);
		scn_failed(r, what, "an RMP entry", "beyond the RMP");
		return SCN_GO;
	}
	rmp_text(&e, entry, sizeof(entry));
	for (size_t i = 0; i < 9; i++) {
		char what[256], w[48], g[48];
		uint64_t actual;

		if (!vals[i])
			continue;
		switch (i) {
		case 0:
			actual = e.assigned;
			break;
		case 1:
			actual = e.validated;
			break;
		case 2:
			actual = e.vmsa;
			break;
		case 3:
			actual = e.page_size;
			break;
		case 8:
			actual = e.perms[r->lay.guest_vmpl & 3];
			break;
		default:
			actual = e.perms[i - 4];
			break;
		}
		if (actual == want[i]) {
			scn_held(r);
			continue;
		}
		snprintf(what, sizeof(what), "rmp 0x%" PRIx64 " %s (entry: %s)", gpa, keys[i],
		         entry);
		if (i < 3) {
			scn_yes_no(want[i], w, sizeof(w));
			scn_yes_no(actual, g, sizeof(g));
		} else if (i == 3) {
			snprintf(w, sizeof(w), "%s", want[i] ? "2m" : "4k");
			snprintf(g, sizeof(g), "%s", actual ? "2m" : "4k");
		} else {
			perm_text((unsigned int)want[i], w, sizeof(w));
			perm_text((unsigned int)actual, g, sizeof(g));
		}
		scn_failed(r, what, w, g);
	}
	return SCN_GO;
}

static int expect_access(struct scn_run *r, const struct scn_keyword *k, unsigned int at)
{
	static const char *const outcomes[] = {"ok", "vc", "npf"};
	size_t i;
	int rc;

	if ((rc = scn_need(r, k, at, "ok|vc|npf")) || (rc = scn_no_more(r, k, at + 1)))
		return rc;
	for (i = 0; i < 3 && strcasecmp(outcomes[i], scn_arg(r, at)); i++)
		;
	if (i == 3)
		return scn_error(r, "unknown access outcome '%s' (ok, vc or npf)", scn_arg(r, at));
	if (!r->accessed)
		return scn_error(r, "expect access: no guest access before this line");
	if (r->dry)
		return SCN_GO;
	if ((int)i == r->access)
		scn_held(r);
	else
		scn_failed(r, "outcome of the last guest access", outcomes[i],
		           scn_access_text(r->access));
	return SCN_GO;
}

static int expect_psc(struct scn_run *r, const struct scn_keyword *k, unsigned int at)
{
	uint64_t want = 0;
	bool any_error = false;
	char w[32], g[32];
	int rc;

	if ((rc = scn_need(r, k, at, "ok|error|N")) || (rc = scn_no_more(r, k, at + 1)))
		return rc;
	if (!strcasecmp(scn_arg(r, at), "error"))
		any_error = true;
	else if (strcasecmp(scn_arg(r, at), "ok") &&
	         (rc = scn_eval(r, scn_arg(r, at), &want, NULL)))
		return rc;
	if (!r->psc_done)
		return scn_error(r, "expect psc: no psc before this line");
	if (r->dry)
		return SCN_GO;
	if (any_error ? r->psc_result != 0 : (uint64_t)r->psc_result == want) {
		scn_held(r);
		return SCN_GO;
	}
	if (any_error)
		snprintf(w, sizeof(w), "error (non-zero)");
	else
		snprintf(w, sizeof(w), "%" PRIu64 "%s", want, want ? "" : " (ok)");
	snprintf(g, sizeof(g), "%d%s", r->psc_result, r->psc_result ? "" : " (ok)");
	scn_failed(r, "result of the last page state change", w, g);
	return SCN_GO;
}

static int expect_events(struct scn_run *r, const struct scn_keyword *k, unsigned int at)
{
	int rc;

	if ((rc = scn_need(r, k, at, "TYPE=N")))
		return rc;
	for (unsigned int t = at; t < r->cur->ntok; t++) {
		char key[32], what[64], w[24], g[24];
		const char *val;
		unsigned int type;
		uint64_t want;

		if (!scn_split_kv(scn_arg(r, t), key, sizeof(key), &val))
			return scn_error(r, "expected TYPE=N, not '%s'", scn_arg(r, t));
		for (type = 1; type < SCN_EV_TYPES; type++)
			if (!strcmp(csvsm_sim_event_name((enum csvsm_sim_event_type)type), key))
				break;
		if (type == SCN_EV_TYPES)
			return scn_error(r,
			                 "unknown event type '%s' (vmgexit, vmpl_switch, call, "
			                 "result, pvalidate, rmpadjust, ghcb_msr, vc, npf, psc, "
			                 "hv_action, vtpm)",
			                 key);
		if ((rc = scn_eval(r, val, &want, NULL)))
			return rc;
		if (r->dry)
			continue;
		snprintf(what, sizeof(what), "%s events since the last call line", key);
		snprintf(w, sizeof(w), "%" PRIu64, want);
		snprintf(g, sizeof(g), "%" PRIu64, r->since_call[type]);
		if (r->since_call[type] == want)
			scn_held(r);
		else
			scn_failed(r, what, w, g);
	}
	return SCN_GO;
}

static int expect_stats(struct scn_run *r, const struct scn_keyword *k, unsigned int at)
{
	static const char *const keys[] = {"calls", "vmgexits", "vmpl_switches",  "vc",
	                                   "npf",   "psc",      "pages_validated"};
	const char *vals[7];
	uint64_t want[7];
	struct csvsm_sim_stats st;
	int rc;

	if ((rc = scn_need(r, k, at, "KEY=N")) || (rc = scn_options(r, k, at, keys, 7, vals)))
		return rc;
	for (size_t i = 0; i < 7; i++)
		if (vals[i] && (rc = scn_eval(r, vals[i], &want[i], NULL)))
			return rc;
	if (r->dry)
		return SCN_GO;
	csvsm_sim_stats(r->sim, &st);
	for (size_t i = 0; i < 7; i++) {
		const uint64_t actual[] = {st.calls,          st.vmgexits,   st.vmpl_switches,
		                           st.vc_events,      st.npf_events, st.psc_requests,
		                           st.pages_validated};
		char what[48], w[24], g[24];

		if (!vals[i])
			continue;
		if (actual[i] == want[i]) {
			scn_held(r);
			continue;
		}
		snprintf(what, sizeof(what), "stats %s", keys[i]);
		snprintf(w, sizeof(w), "%" PRIu64, want[i]);
		snprintf(g, sizeof(g), "%" PRIu64, actual[i]);
		scn_failed(r, what, w, g);
	}
	return SCN_GO;
}

static int expect_boot(struct scn_run *r, const struct scn_keyword *k, unsigned int at)
{
	bool want_ok;
	int rc;

	if ((rc = scn_need(r, k, at, "ok|failed")) || (rc = scn_no_more(r, k, at + 1)))
		return rc;
	if (strcasecmp(scn_arg(r, at), "ok") && strcasecmp(scn_arg(r, at), "failed"))
		return scn_error(r, "expect boot wants ok or failed, not '%s'", scn_arg(r, at));
	want_ok = (scn_arg(r, at)[0] | 0x20) == 'o';
	if (r->started)
		return scn_error(r, "expect boot must come before every other action");
	if ((rc = scn_start(r, true)) || r->dry)
		return rc;
	if (want_ok == (r->sim != NULL))
		scn_held(r);
	else
		scn_failed(r, "the machine's boot", want_ok ? "ok" : "failed",
		           r->sim ? "ok" : "failed");
	return SCN_GO;
}

/* The subjects of `expect`, each with its own usage for messages. */
static const struct expect_subject {
	const char *name;
	int (*fn)(struct scn_run *r, const struct scn_keyword *k, unsigned int at);
	const char *usage;
	unsigned int width;
} expect_subjects[] = {
    {"mem8", NULL, "expect mem8 ADDR VALUE", 8},
    {"mem16", NULL, "expect mem16 ADDR VALUE", 16},
    {"mem32", NULL, "expect mem32 ADDR VALUE", 32},
    {"mem64", NULL, "expect mem64 ADDR VALUE", 64},
    {"mem", NULL, "expect mem ADDR HEXBYTES...", 0},
    {"rmp", expect_rmp,
     "expect rmp ADDR [assigned=B] [validated=B] [vmsa=B] [size=4k|2m] [vmpl0..3=P] [guest=P]", 0},
    {"access", expect_access, "expect access ok|vc|npf", 0},
    {"psc", expect_psc, "expect psc ok|error|N", 0},
    {"events", expect_events, "expect events TYPE=N...", 0},
    {"tpm", scn_expect_tpm, "expect tpm rc VALUE | len N | rsp HEXBYTES... | tail HEXBYTES...", 0},
    {"attest", scn_expect_attest, "expect attest verified|refused", 0},
    {"stats", expect_stats,
     "expect stats [calls=N] [vmgexits=N] [vmpl_switches=N] [vc=N] [npf=N] [psc=N] "
     "[pages_validated=N]",
     0},
};

int scn_stmt_expect(struct scn_run *r, const struct scn_keyword *k)
{
	const char *what = scn_arg(r, 1);
	char key[32];
	const char *val;
	int rc;

	if ((rc = scn_need(r, k, 1, "what to expect")))
		return rc;
	if (!strcmp(what, "boot")) {
		const struct scn_keyword sub = {"expect", NULL, "expect boot ok|failed", 0};

		return expect_boot(r, &sub, 2);
	}
	if ((rc = scn_start(r, false)))
		return rc;
	if (scn_split_kv(what, key, sizeof(key), &val)) {
		/* expect rax=X rcx=Y ... */
		for (unsigned int t = 1; t < r->cur->ntok; t++) {
			if (!scn_split_kv(scn_arg(r, t), key, sizeof(key), &val))
				return scn_error(r, "expected register=value, not '%s'",
				                 scn_arg(r, t));
			if ((rc = expect_reg(r, key, val)))
				return rc;
		}
		return SCN_GO;
	}
	if (!strcmp(what, "rax") || !strcmp(what, "rcx") || !strcmp(what, "rdx") ||
	    !strcmp(what, "r8") || !strcmp(what, "r9") || !strcmp(what, "serviced") ||
	    !strcmp(what, "delivered")) {
		const struct scn_keyword sub = {"expect", NULL, "expect REGISTER VALUE", 0};

		if ((rc = scn_need(r, &sub, 2, "value")) || (rc = scn_no_more(r, &sub, 3)))
			return rc;
		return expect_reg(r, what, scn_arg(r, 2));
	}
	for (size_t i = 0; i < sizeof(expect_subjects) / sizeof(expect_subjects[0]); i++) {
		const struct expect_subject *e = &expect_subjects[i];
		const struct scn_keyword sub = {"expect", NULL, e->usage, e->width};

		if (strcmp(e->name, what))
			continue;
		if (e->fn)
			return e->fn(r, &sub, 2);
		return e->width ? expect_mem_sized(r, e->width, 2) : expect_mem_bytes(r, 2);
	}
	return scn_error(r,
	                 "unknown expectation '%s' (rax rcx rdx r8 r9 serviced delivered mem8 "
	                 "mem16 mem32 mem64 mem rmp access psc events attest tpm stats boot)",
	                 what);
}
