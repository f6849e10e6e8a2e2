/* SPDX-License-Identifier: MIT */
/*
 * Scenarios (sim/scenario.h, docs/scenarios.md): lines and tokens,
 * expressions and names, the machine's creation, expectations' reports,
 * and the parse and run entry points. The statements themselves are in
 * sim/scenario_stmt.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csvsm/abi/svsm.h"
#include "csvsm/names.h"
#include "csvsm/sim_nv.h"
#include "csvsm/sim_nvdev.h"
#include "scenario_int.h"

#define SCN_NV_SIZE ((uint64_t)1 << 20) /* the vTPM's NV device: config nv= or host RAM */

/* --- errors ------------------------------------------------------------- */

int scn_error(struct scn_run *r, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->diag.line = r->cur ? r->cur->no : 0;
	if (r->cur)
		snprintf(r->diag.msg, sizeof(r->diag.msg), "%s:%u: %s", r->s->name, r->cur->no,
		         msg);
	else
		snprintf(r->diag.msg, sizeof(r->diag.msg), "%s: %s", r->s->name, msg);
	return SCN_STOP_ERROR;
}

/* --- names -------------------------------------------------------------- */

static const char *const layout_names[] = {
    "ram_base", "ram_size",  "ram_end",  "svsm_base", "svsm_size", "svsm_end", "secrets",
    "boot_ca",  "boot_vmsa", "free_ram", "ca",        "vmpl",      "vcpus",
};

static const struct {
	const char *name;
	uint32_t number;
} protocol_names[] = {
    {"core", SVSM_PROTO_CORE},
    {"attest", SVSM_PROTO_ATTEST},
    {"vtpm", SVSM_PROTO_VTPM},
};

/* The value of layout name `i` on the running machine. */
static uint64_t layout_value(const struct scn_run *r, size_t i)
{
	const struct csvsm_sim_layout *l = &r->lay;

	switch (i) {
	case 0:
		return l->ram_base;
	case 1:
		return l->ram_size;
	case 2:
		return l->ram_base + l->ram_size;
	case 3:
		return l->svsm_base;
	case 4:
		return l->svsm_size;
	case 5:
		return l->svsm_base + l->svsm_size;
	case 6:
		return l->secrets_gpa;
	case 7:
		return l->boot_caa_gpa;
	case 8:
		return l->boot_vmsa_gpa;
	case 9:
		return l->free_ram_base;
	case 10:
		return r->ca[r->vcpu];
	case 11:
		return l->guest_vmpl;
	default:
		return l->vcpu_count;
	}
}

/* A call name ("core.pvalidate") as RAX; false when unknown. */
static bool call_by_name(const char *name, uint64_t *rax)
{
	for (uint32_t proto = 0; proto < 16; proto++)
		for (uint32_t call = 0; call < 256; call++) {
			const char *n = svsm_call_name(proto, call);

			if (n && !strcmp(n, name)) {
				*rax = SVSM_RAX(proto, call);
				return true;
			}
		}
	return false;
}

/* A result name ("SVSM_ERR_INVALID_ADDRESS") as its code; false when unknown. */
static bool result_by_name(const char *name, uint64_t *code)
{
	static const uint32_t bases[] = {SVSM_SUCCESS, SVSM_ERR_INCOMPLETE, SVSM_ERR_PROTOCOL_BASE};

	for (size_t b = 0; b < sizeof(bases) / sizeof(bases[0]); b++)
		for (uint32_t i = 0; i < 256; i++) {
			const char *n = svsm_result_name((uint64_t)bases[b] + i);

			if (n && !strcmp(n, name)) {
				*code = (uint64_t)bases[b] + i;
				return true;
			}
		}
	return false;
}

static struct scn_var *find_var(struct scn_run *r, const char *name)
{
	for (size_t i = 0; i < r->nvars; i++)
		if (!strcmp(r->vars[i].name, name))
			return &r->vars[i];
	return NULL;
}

bool scn_builtin(const char *name)
{
	uint64_t v;

	for (size_t i = 0; i < sizeof(layout_names) / sizeof(layout_names[0]); i++)
		if (!strcmp(layout_names[i], name))
			return true;
	for (size_t i = 0; i < sizeof(protocol_names) / sizeof(protocol_names[0]); i++)
		if (!strcmp(protocol_names[i].name, name))
			return true;
	return call_by_name(name, &v) || result_by_name(name, &v) || scn_tpm_name(name, &v);
}

int scn_set_var(struct scn_run *r, const char *name, uint64_t value)
{
	struct scn_var *v = find_var(r, name);

	if (v) {
		v->value = value;
		return SCN_GO;
	}
	if (r->nvars == r->vars_cap) {
		size_t cap = r->vars_cap ? 2 * r->vars_cap : 16;
		struct scn_var *n = realloc(r->vars, cap * sizeof(*n));

		if (!n)
			return scn_error(r, "out of memory");
		r->vars = n;
		r->vars_cap = cap;
	}
	r->vars[r->nvars].name = strdup(name);
	if (!r->vars[r->nvars].name)
		return scn_error(r, "out of memory");
	r->vars[r->nvars++].value = value;
	return SCN_GO;
}

static void free_vars(struct scn_run *r)
{
	for (size_t i = 0; i < r->nvars; i++)
		free(r->vars[i].name);
	free(r->vars);
	r->vars = NULL;
	r->nvars = r->vars_cap = 0;
}

/* Resolves `name`; SCN_GO or an "unknown name" error. */
static int lookup(struct scn_run *r, const char *name, uint64_t *v, bool *constant)
{
	struct scn_var *var = find_var(r, name);

	*constant = true;
	if (var) {
		*v = var->value;
		*constant = !r->dry;
		return SCN_GO;
	}
	for (size_t i = 0; i < sizeof(layout_names) / sizeof(layout_names[0]); i++)
		if (!strcmp(layout_names[i], name)) {
			*constant = false;
			*v = r->dry ? 0 : layout_value(r, i);
			return SCN_GO;
		}
	for (size_t i = 0; i < sizeof(protocol_names) / sizeof(protocol_names[0]); i++)
		if (!strcmp(protocol_names[i].name, name)) {
			*v = protocol_names[i].number;
			return SCN_GO;
		}
	if (call_by_name(name, v) || result_by_name(name, v) || scn_tpm_name(name, v))
		return SCN_GO;
	return scn_error(r, "unknown name '%s'", name);
}

/* --- expressions ---------------------------------------------------------- */

struct expr {
	struct scn_run *r;
	const char *text; /* the whole expression, for messages */
	const char *p;
	bool constant;
};

static bool is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9') || c == '.';
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

/* NUMBER: decimal or 0x hex, '_' between digits, optional K/M/G (KiB/MiB/GiB). */
static int expr_number(struct expr *e, uint64_t *out)
{
	const char *start = e->p;
	unsigned int base = 10, digits = 0, shift = 0;
	uint64_t v = 0;

	if (e->p[0] == '0' && (e->p[1] == 'x' || e->p[1] == 'X')) {
		base = 16;
		e->p += 2;
	}
	for (;; e->p++) {
		int d = digit_value(*e->p);

		if (*e->p == '_' && digits)
			continue;
		if (d >= (int)base)
			break;
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return scn_error(e->r, "number too large in '%s'", e->text);
		v = v * base + (uint64_t)d;
		digits++;
	}
	switch (*e->p) {
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	default:
		break;
	}
	if (shift)
		e->p++;
	if (!digits || is_name_char(*e->p) || e->p[-1] == '_') {
		size_t n = strspn(
		    start, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_.");

		return scn_error(e->r, "bad number '%.*s'", (int)(n ? n : 1), start);
	}
	if (shift && v > (UINT64_MAX >> shift))
		return scn_error(e->r, "number too large in '%s'", e->text);
	*out = v << shift;
	return SCN_GO;
}

static int expr_or(struct expr *e, uint64_t *out);

static int expr_unary(struct expr *e, uint64_t *out)
{
	char c = *e->p;
	int rc;

	if (c == '-' || c == '~') {
		e->p++;
		rc = expr_unary(e, out);
		if (rc == SCN_GO)
			*out = c == '-' ? (uint64_t)0 - *out : ~*out;
		return rc;
	}
	if (c == '(') {
		e->p++;
		rc = expr_or(e, out);
		if (rc != SCN_GO)
			return rc;
		if (*e->p != ')')
			return scn_error(e->r, "missing ')' in '%s'", e->text);
		e->p++;
		return SCN_GO;
	}
	if (c >= '0' && c <= '9')
		return expr_number(e, out);
	if (is_name_start(c)) {
		const char *start = e->p;
		char name[96];
		bool constant;

		while (is_name_char(*e->p))
			e->p++;
		if ((size_t)(e->p - start) >= sizeof(name))
			return scn_error(e->r, "name too long in '%s'", e->text);
		memcpy(name, start, (size_t)(e->p - start));
		name[e->p - start] = '\0';
		rc = lookup(e->r, name, out, &constant);
		e->constant = e->constant && constant;
		return rc;
	}
	if (!c)
		return scn_error(e->r, "missing operand at the end of '%s'", e->text);
	return scn_error(e->r, "unexpected '%c' in '%s'", c, e->text);
}

static int expr_mul(struct expr *e, uint64_t *out)
{
	int rc = expr_unary(e, out);
	uint64_t rhs;

	while (rc == SCN_GO && *e->p == '*') {
		e->p++;
		rc = expr_unary(e, &rhs);
		if (rc == SCN_GO)
			*out *= rhs;
	}
	return rc;
}

static int expr_add(struct expr *e, uint64_t *out)
{
	int rc = expr_mul(e, out);
	uint64_t rhs;

	while (rc == SCN_GO && (*e->p == '+' || *e->p == '-')) {
		char op = *e->p++;

		rc = expr_mul(e, &rhs);
		if (rc == SCN_GO)
			*out = op == '+' ? *out + rhs : *out - rhs;
	}
	return rc;
}

static int expr_shift(struct expr *e, uint64_t *out)
{
	int rc = expr_add(e, out);
	uint64_t rhs;

	while (rc == SCN_GO && (e->p[0] == '<' || e->p[0] == '>') && e->p[1] == e->p[0]) {
		bool left = e->p[0] == '<';

		e->p += 2;
		rc = expr_add(e, &rhs);
		if (rc != SCN_GO)
			break; /* rhs is not set: the error is already reported */
		if (rhs >= 64)
			return scn_error(e->r, "shift by %" PRIu64 " in '%s'", rhs, e->text);
		*out = left ? *out << rhs : *out >> rhs;
	}
	return rc;
}

/* PROTOCOL:CALL (also MAX:MIN): (a << 32) | b, each half 32 bits. */
static int expr_pair(struct expr *e, uint64_t *out)
{
	int rc = expr_shift(e, out);
	uint64_t low;

	if (rc != SCN_GO || *e->p != ':')
		return rc;
	e->p++;
	rc = expr_shift(e, &low);
	if (rc != SCN_GO)
		return rc;
	if (e->constant && (*out > UINT32_MAX || low > UINT32_MAX))
		return scn_error(e->r, "each side of ':' must fit in 32 bits in '%s'", e->text);
	*out = (*out << 32) | (uint32_t)low;
	return SCN_GO;
}

static int expr_or(struct expr *e, uint64_t *out)
{
	int rc = expr_pair(e, out);
	uint64_t rhs;

	while (rc == SCN_GO && *e->p == '|') {
		e->p++;
		rc = expr_pair(e, &rhs);
		if (rc == SCN_GO)
			*out |= rhs;
	}
	return rc;
}

int scn_eval(struct scn_run *r, const char *text, uint64_t *out, bool *constant)
{
	struct expr e = {.r = r, .text = text, .p = text, .constant = true};
	int rc;

	if (!*text)
		return scn_error(r, "missing value");
	rc = expr_or(&e, out);
	if (rc != SCN_GO)
		return rc;
	if (*e.p)
		return scn_error(r, "unexpected '%s' in '%s'", e.p, text);
	if (constant)
		*constant = e.constant;
	return SCN_GO;
}

int scn_eval_max(struct scn_run *r, const char *text, uint64_t max, const char *what, uint64_t *out)
{
	bool constant = false; /* set by scn_eval on SCN_GO; -O2 GCC cannot see it */
	int rc = scn_eval(r, text, out, &constant);

	if (rc != SCN_GO)
		return rc;
	if ((constant || !r->dry) && *out > max) {
		if (max < 4096)
			return scn_error(r, "%s %" PRIu64 " out of range (at most %" PRIu64 ")",
			                 what, *out, max);
		return scn_error(r, "%s 0x%" PRIx64 " out of range (at most 0x%" PRIx64 ")", what,
		                 *out, max);
	}
	return SCN_GO;
}

int scn_bool(struct scn_run *r, const char *text, const char *what, bool *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};

	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(text, yes[i])) {
			*out = true;
			return SCN_GO;
		}
		if (!strcasecmp(text, no[i])) {
			*out = false;
			return SCN_GO;
		}
	}
	return scn_error(r, "%s wants yes or no, not '%s'", what, text);
}

int scn_bytes(struct scn_run *r, char **tok, unsigned int from, unsigned int to, uint8_t **buf,
              size_t *len)
{
	size_t n = 0, total = 0;
	uint8_t *b;

	for (unsigned int i = from; i < to; i++) {
		size_t l = strlen(tok[i]);

		if (l % 2 || strspn(tok[i], "0123456789abcdefABCDEF") != l ||
		    (l > 1 && tok[i][1] == 'x'))
			return scn_error(r,
			                 "bad byte string '%s' (hex digits in pairs, no 0x: de ad "
			                 "be ef or deadbeef)",
			                 tok[i]);
		total += l / 2;
	}
	if (!total)
		return scn_error(r, "missing operand: hex bytes");
	b = malloc(total);
	if (!b)
		return scn_error(r, "out of memory");
	for (unsigned int i = from; i < to; i++)
		for (const char *p = tok[i]; *p; p += 2)
			b[n++] = (uint8_t)(digit_value(p[0]) << 4 | digit_value(p[1]));
	*buf = b;
	*len = total;
	return SCN_GO;
}

int scn_hex_decode(const char *s, uint8_t *out, size_t max)
{
	size_t n = strlen(s);

	if (n % 2 || n / 2 > max)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = digit_value(s[2 * i]), lo = digit_value(s[2 * i + 1]);

		if (hi > 15 || lo > 15)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (int)(n / 2);
}

/* --- the machine and its trace --------------------------------------------- */

static void run_trace(void *ctx, const struct csvsm_sim_event *ev)
{
	struct scn_run *r = ctx;

	r->ring[r->ring_count++ % SCN_RING] = *ev;
	if ((unsigned int)ev->type < SCN_EV_TYPES)
		r->since_call[ev->type]++;
	if (ev->type == CSVSM_EV_HV_ACTION) {
		if (ev->a[0] == CSVSM_HV_REFUSE_RUN && r->refuse_run)
			r->refuse_run--;
		if (ev->a[0] == CSVSM_HV_REFUSE_PSC && r->refuse_psc)
			r->refuse_psc--;
	}
	if (r->o->trace)
		r->o->trace(r->o->hook_ctx, ev);
}

/* The policy's on_svsm_read: fires the pending `hv race` lines. */
static void run_on_read(void *ctx, struct csvsm_sim *sim, uint64_t gpa, size_t len,
                        unsigned int nth)
{
	struct scn_run *r = ctx;

	(void)nth; /* counted per race line instead */
	for (size_t i = 0; i < r->nraces; i++) {
		struct scn_race *rc = &r->races[i];

		if (rc->fired)
			continue;
		if (!rc->any && !(gpa < rc->watch + rc->watch_len && rc->watch < gpa + len))
			continue;
		if (++rc->seen < rc->nth)
			continue;
		rc->fired = true;
		csvsm_sim_poke(sim, rc->gpa, rc->bytes, rc->len);
	}
}

void scn_apply_policy(struct scn_run *r)
{
	struct csvsm_sim_hv_policy p = {
	    .refuse_run_vmpl = r->refuse_run,
	    .refuse_psc = r->refuse_psc,
	    .ctx = r,
	    .guest_req_busy = r->gr[0],
	    .guest_req_tamper = r->gr[1],
	    .guest_req_tamper_rsp = r->gr[2],
	    .guest_req_replay = r->gr[3],
	    .guest_req_replay_rsp = r->gr[4],
	    .guest_req_fail = r->gr[5],
	};
	bool pending = false;

	for (size_t i = 0; i < r->nraces; i++)
		pending = pending || !r->races[i].fired;
	if (pending)
		p.on_svsm_read = run_on_read;
	csvsm_sim_set_hv_policy(r->sim, &p);
}

int scn_start(struct scn_run *r, bool boot_check)
{
	struct csvsm_sim_config cfg;

	if (r->dry) {
		r->started = true;
		return SCN_GO;
	}
	if (r->sim)
		return SCN_GO;
	if (r->boot_failed)
		return scn_error(r, "the machine did not boot: nothing can run");
	r->started = true;
	cfg = r->cfg;
	if (r->o->no_vtpm)
		r->vtpm = false;
	if (r->o->configure)
		r->o->configure(r->o->hook_ctx, &cfg);
	cfg.trace = run_trace;
	cfg.trace_ctx = r;
	/* The vTPM: its state on the device config nv= names (MMIO, traced), else in
	 * host RAM unless the harness chose a device; its randomness from the seed,
	 * so traces are reproducible. */
	if (r->vtpm && r->nv &&
	    sim_nvdev_attach((enum sim_nvdev_kind)(r->nv - 1), NULL, SCN_NV_SIZE) < 0)
		return scn_error(r, "cannot attach the NV device");
	if (r->vtpm && !r->nv && !sim_nv_current()) {
		if (sim_nv_ram_open(&r->ram_nv, SCN_NV_SIZE) < 0)
			return scn_error(r, "out of memory (the vTPM's NV device)");
		r->ram_nv_open = true;
		sim_nv_use(&r->ram_nv);
	}
	cfg.vtpm_rand_from_seed = r->vtpm;
	r->sim = csvsm_sim_new(&cfg);
	if (r->o->ready)
		r->o->ready(r->o->hook_ctx, r->sim);
	if (!r->sim) {
		r->boot_failed = true;
		if (boot_check)
			return SCN_GO;
		r->expectations++;
		scn_failed(r, "the machine boots", "boot ok", "csvsm_sim_new failed (see above)");
		return SCN_STOP_FAILED;
	}
	csvsm_sim_layout(r->sim, &r->lay);
	r->ca[0] = r->lay.boot_caa_gpa;
	return SCN_GO;
}

/* --- expectations' reports ------------------------------------------------ */

void scn_fmt_result(uint64_t rax, char *buf, size_t len)
{
	const char *name = svsm_result_name(rax);

	if (name)
		snprintf(buf, len, "%s (0x%" PRIx64 ")", name, rax);
	else
		snprintf(buf, len, "0x%" PRIx64, rax);
}

void scn_held(struct scn_run *r)
{
	r->expectations++;
}

void scn_failed(struct scn_run *r, const char *what, const char *expected, const char *actual)
{
	unsigned int tail = r->o->tail ? r->o->tail : 20;
	uint64_t n = r->ring_count < SCN_RING ? r->ring_count : SCN_RING;

	r->expectations++;
	r->failed++;
	if (tail > SCN_RING)
		tail = SCN_RING;
	if (n > tail)
		n = tail;
	if (r->cur)
		fprintf(r->err, "%s:%u: expectation failed: %s\n", r->s->name, r->cur->no, what);
	else
		fprintf(r->err, "%s: expectation failed: %s\n", r->s->name, what);
	fprintf(r->err, "  expected: %s\n  actual:   %s\n", expected, actual);
	if (r->cur)
		fprintf(r->err, "  line:     %s\n", r->cur->text);
	/* The events leading here, once per line (a line may fail several ways). */
	if (r->cur && r->cur->no == r->tail_line)
		return;
	r->tail_line = r->cur ? r->cur->no : 0;
	if (!n) {
		fprintf(r->err, "  (no trace events yet)\n");
		return;
	}
	fprintf(r->err, "  the last %" PRIu64 " trace events:\n", n);
	for (uint64_t i = r->ring_count - n; i < r->ring_count; i++) {
		char line[512];

		csvsm_sim_event_format(&r->ring[i % SCN_RING], CSVSM_SIM_FORMAT_TEXT, line,
		                       sizeof(line));
		fprintf(r->err, "    %s\n", line);
	}
}

/* --- lines and tokens ------------------------------------------------------- */

static void free_line(struct scn_line *l)
{
	for (unsigned int i = 0; i < l->ntok; i++)
		free(l->tok[i]);
	free(l->tok);
	free(l->text);
}

void scn_free(struct scn_script *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->count; i++)
		free_line(&s->lines[i]);
	free(s->lines);
	free(s->name);
	free(s);
}

/* Joins spaced-out expressions and options: "boot_ca + 8" -> "boot_ca+8", "rcx = 1" -> "rcx=1". */
static bool joins_next(const char *prev)
{
	size_t n = strlen(prev);

	return n && strchr("+-*|:<>(=,", prev[n - 1]);
}

static bool joins_prev(const char *tok, size_t n)
{
	/* "-" alone joins; "-5" is a negative operand of its own. */
	return strchr("+*|:<>)=,", tok[0]) || (n == 1 && tok[0] == '-');
}

/* Splits `text` (a line without its comment) into l->tok. Returns 0 or -1 (memory). */
static int tokenize(struct scn_line *l, const char *text)
{
	size_t cap = 8;

	l->tok = malloc(cap * sizeof(*l->tok));
	if (!l->tok)
		return -1;
	for (const char *p = text;;) {
		size_t n;
		char *t;

		p += strspn(p, " \t\r\f\v");
		if (!*p)
			return 0;
		n = strcspn(p, " \t\r\f\v");
		if (l->ntok && (joins_next(l->tok[l->ntok - 1]) || joins_prev(p, n))) {
			char *prev = l->tok[l->ntok - 1];
			size_t pl = strlen(prev);
			char *j = realloc(prev, pl + n + 1);

			if (!j)
				return -1;
			memcpy(j + pl, p, n);
			j[pl + n] = '\0';
			l->tok[l->ntok - 1] = j;
			p += n;
			continue;
		}
		if (l->ntok == cap) {
			char **g = realloc(l->tok, 2 * cap * sizeof(*g));

			if (!g)
				return -1;
			l->tok = g;
			cap *= 2;
		}
		t = malloc(n + 1);
		if (!t)
			return -1;
		memcpy(t, p, n);
		t[n] = '\0';
		l->tok[l->ntok++] = t;
		p += n;
	}
}

/* Splits `text` into lines of tokens (comments and blank lines dropped). */
static int split_lines(struct scn_run *r, struct scn_script *s, const char *text, size_t len)
{
	size_t cap = 0;
	unsigned int no = 0;

	for (size_t pos = 0; pos < len;) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		const char *hash = memchr(line, '#', n);
		size_t keep = hash ? (size_t)(hash - line) : n;
		struct scn_line *l;

		no++;
		pos += n + (nl ? 1 : 0);
		if (memchr(line, '\0', n)) {
			r->diag.line = no;
			snprintf(r->diag.msg, sizeof(r->diag.msg), "%s:%u: NUL byte in the line",
			         s->name, no);
			return -1;
		}
		while (keep && strchr(" \t\r\f\v", line[keep - 1]))
			keep--;
		/* keep == 0: blank (the text need not end in NUL: no strspn past it). */
		if (keep == 0)
			continue;
		if (s->count == cap) {
			struct scn_line *g;

			cap = cap ? 2 * cap : 64;
			g = realloc(s->lines, cap * sizeof(*g));
			if (!g)
				goto oom;
			s->lines = g;
		}
		l = &s->lines[s->count];
		memset(l, 0, sizeof(*l));
		l->no = no;
		l->text = malloc(keep + 1);
		if (!l->text)
			goto oom;
		s->count++;
		memcpy(l->text, line, keep);
		l->text[keep] = '\0';
		if (tokenize(l, l->text) < 0)
			goto oom;
	}
	return 0;
oom:
	r->diag.line = 0;
	snprintf(r->diag.msg, sizeof(r->diag.msg), "%s: out of memory", s->name);
	return -1;
}

/* --- entry points ------------------------------------------------------------ */

static void run_init(struct scn_run *r, const struct scn_script *s, const struct scn_run_opts *o)
{
	memset(r, 0, sizeof(*r));
	r->s = s;
	r->o = o;
	r->err = o->err ? o->err : stderr;
	csvsm_sim_config_default(&r->cfg);
	r->vtpm = true;
}

static void run_cleanup(struct scn_run *r)
{
	for (size_t i = 0; i < r->nraces; i++)
		free(r->races[i].bytes);
	r->nraces = 0;
	free_vars(r);
}

int scn_parse(const char *name, const char *text, size_t len, struct scn_script **out,
              struct scn_diag *diag)
{
	static const struct scn_run_opts quiet_opts;
	struct scn_script *s = calloc(1, sizeof(*s));
	struct scn_run r;
	int rc = SCN_GO;

	*out = NULL;
	memset(diag, 0, sizeof(*diag));
	if (!s || !(s->name = strdup(name ? name : "<scenario>"))) {
		free(s);
		snprintf(diag->msg, sizeof(diag->msg), "%s: out of memory",
		         name ? name : "<scenario>");
		return SCN_ERROR;
	}
	run_init(&r, s, &quiet_opts);
	r.dry = true;
	if (split_lines(&r, s, text, len) < 0) {
		*diag = r.diag;
		scn_free(s);
		return SCN_ERROR;
	}
	for (size_t i = 0; i < s->count && rc == SCN_GO; i++) {
		r.cur = &s->lines[i];
		rc = scn_exec_line(&r);
	}
	run_cleanup(&r);
	if (rc != SCN_GO) {
		*diag = r.diag;
		scn_free(s);
		return SCN_ERROR;
	}
	*out = s;
	return SCN_OK;
}

int scn_load(const char *path, struct scn_script **out, struct scn_diag *diag)
{
	bool is_stdin = !strcmp(path, "-");
	FILE *f = is_stdin ? stdin : fopen(path, "r");
	size_t len = 0, cap = 1 << 16;
	char *buf;
	int rc;

	*out = NULL;
	memset(diag, 0, sizeof(*diag));
	if (!f) {
		snprintf(diag->msg, sizeof(diag->msg), "%s: cannot open: %s", path,
		         strerror(errno));
		return SCN_ERROR;
	}
	buf = malloc(cap);
	while (buf) {
		size_t n = fread(buf + len, 1, cap - len, f);
		char *g;

		len += n;
		if (len < cap)
			break;
		g = realloc(buf, cap * 2);
		if (!g) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = g;
		cap *= 2;
	}
	if (!buf || ferror(f)) {
		snprintf(diag->msg, sizeof(diag->msg), "%s: cannot read%s", path,
		         buf ? "" : ": out of memory");
		free(buf);
		if (!is_stdin)
			fclose(f);
		return SCN_ERROR;
	}
	if (!is_stdin)
		fclose(f);
	rc = scn_parse(is_stdin ? "<stdin>" : path, buf, len, out, diag);
	free(buf);
	return rc;
}

int scn_run(const struct scn_script *s, const struct scn_run_opts *o, struct scn_result *res)
{
	struct scn_run *r = malloc(sizeof(*r));
	int rc = SCN_GO, status;

	if (res)
		memset(res, 0, sizeof(*res));
	if (!r) {
		if (res)
			snprintf(res->error.msg, sizeof(res->error.msg), "%s: out of memory",
			         s->name);
		fprintf(o->err ? o->err : stderr, "%s: out of memory\n", s->name);
		return SCN_ERROR;
	}
	run_init(r, s, o);
	for (size_t i = 0; i < s->count && rc == SCN_GO; i++) {
		r->cur = &s->lines[i];
		if (o->echo)
			fprintf(o->echo, "%s:%u: %s\n", s->name, r->cur->no, r->cur->text);
		rc = scn_exec_line(r);
	}
	/* A scenario of configuration only still boots the machine it declares. */
	if (rc == SCN_GO && !r->started) {
		r->cur = NULL;
		rc = scn_start(r, false);
	}
	if (rc == SCN_STOP_ERROR)
		fprintf(r->err, "%s\n", r->diag.msg);
	csvsm_sim_free(r->sim);
	r->sim = NULL;
	if (r->ram_nv_open) {
		sim_nv_ram_close(&r->ram_nv); /* also forgets it as the NV device */
		r->ram_nv_open = false;
	}
	if (r->vtpm && r->nv && r->started && !r->dry)
		sim_nvdev_detach();
	status = rc == SCN_STOP_ERROR ? SCN_ERROR : r->failed ? SCN_FAILED : SCN_OK;
	if (o->out && (status != SCN_OK || !o->quiet)) {
		if (status == SCN_ERROR)
			fprintf(o->out,
			        "%s: stopped by an error after %u expectations (%u failed)\n",
			        s->name, r->expectations, r->failed);
		else if (r->failed)
			fprintf(o->out, "%s: %u of %u expectations FAILED\n", s->name, r->failed,
			        r->expectations);
		else if (r->expectations)
			fprintf(o->out, "%s: all %u expectations held\n", s->name, r->expectations);
		else
			fprintf(o->out, "%s: ran to the end (no expectations)\n", s->name);
	}
	if (res) {
		res->expectations = r->expectations;
		res->failed = r->failed;
		if (status == SCN_ERROR)
			res->error = r->diag;
	}
	run_cleanup(r);
	free(r);
	return status;
}
