/* SPDX-License-Identifier: MIT */
/*
 * The statements of the scenario language (docs/scenarios.md): one
 * function per keyword, each checking its operands (dry run at parse time)
 * and then, when the run is real, acting on the simulator.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csvsm/abi/svsm.h"
#include "csvsm/abi/vmsa.h"
#include "csvsm/sim_nvdev.h"
#include "scenario_int.h"

#define SZ_2M ((uint64_t)2 << 20)

/* sev_features of `vmsa ... sev_features=default`: those of the boot VMSA. */
#define SCN_DEFAULT_SEV_FEATURES                                                                   \
	(SEV_FEAT_SNP_ACTIVE | SEV_FEAT_RESTRICTED_INJ | SEV_FEAT_DEBUG_SWAP)

/* --- operand helpers --------------------------------------------------------- */

const char *scn_arg(const struct scn_run *r, unsigned int i)
{
	return i < r->cur->ntok ? r->cur->tok[i] : NULL;
}

int scn_need(struct scn_run *r, const struct scn_keyword *k, unsigned int i, const char *what)
{
	if (i < r->cur->ntok)
		return SCN_GO;
	return scn_error(r, "missing operand: %s (usage: %s)", what, k->usage);
}

int scn_no_more(struct scn_run *r, const struct scn_keyword *k, unsigned int i)
{
	if (i >= r->cur->ntok)
		return SCN_GO;
	return scn_error(r, "unexpected '%s' (usage: %s)", r->cur->tok[i], k->usage);
}

/* "key=value": copies the key into `key` and points `*val` past '='; false without '='. */
bool scn_split_kv(const char *t, char *key, size_t key_len, const char **val)
{
	const char *eq = strchr(t, '=');

	if (!eq || (size_t)(eq - t) >= key_len)
		return false;
	memcpy(key, t, (size_t)(eq - t));
	key[eq - t] = '\0';
	*val = eq + 1;
	return true;
}

/*
 * Parses tokens from `from` on as key=value options with keys from
 * `keys`; vals[i] receives the value of keys[i] or NULL.
 */
int scn_options(struct scn_run *r, const struct scn_keyword *k, unsigned int from,
                const char *const *keys, size_t nkeys, const char **vals)
{
	for (size_t i = 0; i < nkeys; i++)
		vals[i] = NULL;
	for (unsigned int t = from; t < r->cur->ntok; t++) {
		char key[32];
		const char *val;
		size_t i;

		if (!scn_split_kv(r->cur->tok[t], key, sizeof(key), &val))
			return scn_error(r, "expected key=value, not '%s' (usage: %s)",
			                 r->cur->tok[t], k->usage);
		for (i = 0; i < nkeys && strcmp(keys[i], key); i++)
			;
		if (i == nkeys)
			return scn_error(r, "unknown option '%s' (usage: %s)", key, k->usage);
		if (vals[i])
			return scn_error(r, "option '%s' given twice", key);
		if (!*val)
			return scn_error(r, "missing value after '%s='", key);
		vals[i] = val;
	}
	return SCN_GO;
}

/* Whether `v` fits in `bits` bits, unsigned or as a negative number. */
static bool fits(uint64_t v, unsigned int bits)
{
	uint64_t mask = bits >= 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;

	return bits >= 64 || v <= mask || ~v <= (mask >> 1);
}

int scn_eval_fit(struct scn_run *r, const char *text, unsigned int bits, uint64_t *v)
{
	bool constant;
	int rc = scn_eval(r, text, v, &constant);

	if (rc != SCN_GO)
		return rc;
	if ((constant || !r->dry) && !fits(*v, bits))
		return scn_error(r, "value 0x%" PRIx64 " does not fit in %u bits", *v, bits);
	if (bits < 64)
		*v &= ((uint64_t)1 << bits) - 1;
	return SCN_GO;
}

const char *scn_access_text(int rc)
{
	switch (rc) {
	case CSVSM_SIM_ACCESS_OK:
		return "ok";
	case CSVSM_SIM_ACCESS_VC:
		return "vc";
	case CSVSM_SIM_ACCESS_NPF:
		return "npf";
	default:
		return "invalid";
	}
}

/* Records a guest access's outcome; -1 (a wrapping range) is an error. */
static int record_access(struct scn_run *r, int rc)
{
	r->accessed = true;
	r->access = rc;
	if (rc < 0)
		return scn_error(r, "the range wraps around the address space");
	return SCN_GO;
}

static void put_le(uint8_t *b, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

uint64_t scn_get_le(const uint8_t *b, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < bytes; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

/* Hex dump of up to 32 bytes ("de ad ..."), into `out`. */
void scn_hex_text(const uint8_t *b, size_t len, char *out, size_t out_len)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < len && i < 32 && o + 4 < out_len; i++)
		o += (size_t)snprintf(out + o, out_len - o, i ? " %02x" : "%02x", b[i]);
	if (len > 32 && o + 5 < out_len)
		snprintf(out + o, out_len - o, " ...");
}

/* --- configuration --------------------------------------------------------------- */

static int stmt_config(struct scn_run *r, const struct scn_keyword *k)
{
	static const char *const keys[] = {
	    "ram",         "svsm_size",   "vcpus", "seed", "guest_vmpl",        "rmp_2m",
	    "hv_sev_info", "hv_features", "nv",    "vtpm", "vtpm_platform_auth"};
	const char *vals[11];
	uint64_t v[8] = {0};
	int rc;

	if (r->started)
		return scn_error(r, "config after the first action: configuration lines come "
		                    "before everything else");
	if ((rc = scn_need(r, k, 1, "key=value")) || (rc = scn_options(r, k, 1, keys, 11, vals)))
		return rc;
	if (vals[8]) {
		enum sim_nvdev_kind kind;

		if (!strcmp(vals[8], "none")) {
			r->nv = 0;
			r->vtpm = false;
		} else if (sim_nvdev_kind_parse(vals[8], &kind) == 0) {
			r->nv = 1 + (int)kind;
		} else {
			return scn_error(r, "nv must be none, pflash or virtio");
		}
	}
	if (vals[9]) {
		bool b;

		if ((rc = scn_bool(r, vals[9], "vtpm", &b)))
			return rc;
		if (b && vals[8] && !r->nv)
			return scn_error(r, "vtpm=yes with nv=none");
		r->vtpm = b;
		if (!b)
			r->nv = 0;
	}
	if (vals[10]) {
		if (strcmp(vals[10], "svsm") && strcmp(vals[10], "empty"))
			return scn_error(r, "vtpm_platform_auth wants svsm or empty, not '%s'",
			                 vals[10]);
		r->cfg.vtpm_platform_auth_empty = !strcmp(vals[10], "empty");
	}
	for (size_t i = 0; i < 8; i++) {
		bool constant, b;

		if (!vals[i])
			continue;
		if (i == 5) {
			if ((rc = scn_bool(r, vals[i], "rmp_2m", &b)))
				return rc;
			v[i] = b;
			continue;
		}
		if ((rc = scn_eval(r, vals[i], &v[i], &constant)))
			return rc;
		if (!constant)
			return scn_error(
			    r, "%s: configuration values are constants (no layout names)", keys[i]);
	}
	if (vals[0] && (v[0] < (4u << 20) || v[0] % SZ_2M || v[0] > ((uint64_t)64 << 30)))
		return scn_error(r, "ram must be a multiple of 2M in 4M..64G");
	if (vals[1] && (v[1] < (4u << 20) || v[1] % SZ_2M || v[1] > ((uint64_t)1 << 30)))
		return scn_error(r, "svsm_size must be a multiple of 2M in 4M..1G");
	if (vals[2] && (v[2] < 1 || v[2] > SCN_MAX_VCPUS))
		return scn_error(r, "vcpus must be 1..64");
	if (vals[4] && (v[4] < 1 || v[4] > 3))
		return scn_error(r, "guest_vmpl must be 1..3");
	if (vals[0])
		r->cfg.guest_ram_size = v[0];
	if (vals[1])
		r->cfg.svsm_size = v[1];
	if (vals[2])
		r->cfg.vcpu_count = (unsigned int)v[2];
	if (vals[3])
		r->cfg.seed = v[3];
	if (vals[4])
		r->cfg.guest_vmpl = (uint8_t)v[4];
	if (vals[5])
		r->cfg.rmp_2m = v[5];
	if (vals[6])
		r->cfg.hv_sev_info = v[6];
	if (vals[7])
		r->cfg.hv_features = v[7];
	return SCN_GO;
}

static int stmt_let(struct scn_run *r, const struct scn_keyword *k)
{
	char name[64];
	const char *val;
	uint64_t v;
	int rc;

	if ((rc = scn_need(r, k, 1, "NAME=EXPR")))
		return rc;
	if (!scn_split_kv(scn_arg(r, 1), name, sizeof(name), &val))
		return scn_error(r, "expected NAME=EXPR, not '%s'", scn_arg(r, 1));
	if (!name[0] ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789") !=
	        strlen(name) ||
	    (name[0] >= '0' && name[0] <= '9'))
		return scn_error(r, "bad name '%s' (letters, digits and _; not a digit first)",
		                 name);
	if (scn_builtin(name))
		return scn_error(r, "'%s' is a built-in name", name);
	if ((rc = scn_no_more(r, k, 2)) || (rc = scn_start(r, false)) ||
	    (rc = scn_eval(r, val, &v, NULL)))
		return rc;
	return scn_set_var(r, name, v);
}

static int stmt_vcpu(struct scn_run *r, const struct scn_keyword *k)
{
	uint64_t v;
	int rc;

	if ((rc = scn_need(r, k, 1, "N")) || (rc = scn_no_more(r, k, 2)) ||
	    (rc = scn_start(r, false)) ||
	    (rc = scn_eval_max(r, scn_arg(r, 1), SCN_MAX_VCPUS - 1, "vCPU", &v)))
		return rc;
	if (!r->dry && v >= r->lay.vcpu_count)
		return scn_error(r, "vCPU %" PRIu64 " does not exist (the machine has %u)", v,
		                 r->lay.vcpu_count);
	r->vcpu = (unsigned int)v;
	return SCN_GO;
}

/* --- guest memory ---------------------------------------------------------------- */

static int stmt_write_sized(struct scn_run *r, const struct scn_keyword *k)
{
	uint64_t gpa, v;
	uint8_t b[8];
	int rc;

	if ((rc = scn_need(r, k, 1, "ADDR")) || (rc = scn_need(r, k, 2, "VALUE")) ||
	    (rc = scn_no_more(r, k, 3)) || (rc = scn_start(r, false)) ||
	    (rc = scn_eval(r, scn_arg(r, 1), &gpa, NULL)) ||
	    (rc = scn_eval_fit(r, scn_arg(r, 2), k->width, &v)))
		return rc;
	if (r->dry)
		return record_access(r, CSVSM_SIM_ACCESS_OK);
	put_le(b, v, k->width / 8);
	return record_access(r, csvsm_sim_guest_write(r->sim, gpa, b, k->width / 8));
}

static int stmt_write_bytes(struct scn_run *r, const struct scn_keyword *k)
{
	uint64_t gpa;
	uint8_t *b = NULL;
	size_t len;
	int rc;

	if ((rc = scn_need(r, k, 1, "ADDR")) || (rc = scn_need(r, k, 2, "hex bytes")) ||
	    (rc = scn_start(r, false)) || (rc = scn_eval(r, scn_arg(r, 1), &gpa, NULL)) ||
	    (rc = scn_bytes(r, r->cur->tok, 2, r->cur->ntok, &b, &len)))
		return rc;
	rc = r->dry ? record_access(r, CSVSM_SIM_ACCESS_OK)
	            : record_access(r, csvsm_sim_guest_write(r->sim, gpa, b, len));
	free(b);
	return rc;
}

static int stmt_fill(struct scn_run *r, const struct scn_keyword *k)
{
	uint64_t gpa, len, byte;
	uint8_t *b;
	int rc;

	if ((rc = scn_need(r, k, 1, "ADDR")) || (rc = scn_need(r, k, 2, "LEN")) ||
	    (rc = scn_need(r, k, 3, "BYTE")) || (rc = scn_no_more(r, k, 4)) ||
	    (rc = scn_start(r, false)) || (rc = scn_eval(r, scn_arg(r, 1), &gpa, NULL)) ||
	    (rc = scn_eval_max(r, scn_arg(r, 2), SCN_MAX_ACCESS, "LEN", &len)) ||
	    (rc = scn_eval_max(r, scn_arg(r, 3), 0xff, "BYTE", &byte)))
		return rc;
	if (r->dry)
		return record_access(r, CSVSM_SIM_ACCESS_OK);
	b = malloc(len ? len : 1);
	if (!b)
		return scn_error(r, "out of memory");
	memset(b, (int)byte, len);
	rc = record_access(r, csvsm_sim_guest_write(r->sim, gpa, b, len));
	free(b);
	return rc;
}

static int stmt_read_sized(struct scn_run *r, const struct scn_keyword *k)
{
	uint64_t gpa;
	uint8_t b[8];
	int rc;

	if ((rc = scn_need(r, k, 1, "ADDR")) || (rc = scn_no_more(r, k, 2)) ||
	    (rc = scn_start(r, false)) || (rc = scn_eval(r, scn_arg(r, 1), &gpa, NULL)))
		return rc;
	if (r->dry)
		return record_access(r, CSVSM_SIM_ACCESS_OK);
	if ((rc = record_access(r, csvsm_sim_guest_read(r->sim, gpa, b, k->width / 8))))
		return rc;
	if (r->o->out && r->access == CSVSM_SIM_ACCESS_OK)
		fprintf(r->o->out, "%s:%u: %s 0x%" PRIx64 " = 0x%" PRIx64 "\n", r->s->name,
		        r->cur->no, k->name, gpa, scn_get_le(b, k->width / 8));
	else if (r->o->out)
		fprintf(r->o->out, "%s:%u: %s 0x%" PRIx64 ": %s\n", r->s->name, r->cur->no, k->name,
		        gpa, scn_access_text(r->access));
	return SCN_GO;
}

static int stmt_read_bytes(struct scn_run *r, const struct scn_keyword *k)
{
	uint64_t gpa, len;
	uint8_t *b;
	char hex[160];
	int rc;

	if ((rc = scn_need(r, k, 1, "ADDR")) || (rc = scn_need(r, k, 2, "LEN")) ||
	    (rc = scn_no_more(r, k, 3)) || (rc = scn_start(r, false)) ||
	    (rc = scn_eval(r, scn_arg(r, 1), &gpa, NULL)) ||
	    (rc = scn_eval_max(r, scn_arg(r, 2), SCN_MAX_ACCESS, "LEN", &len)))
		return rc;
	if (r->dry)
		return record_access(r, CSVSM_SIM_ACCESS_OK);
	b = malloc(len ? len : 1);
	if (!b)
		return scn_error(r, "out of memory");
	rc = record_access(r, csvsm_sim_guest_read(r->sim, gpa, b, len));
	if (rc == SCN_GO && r->o->out) {
		scn_hex_text(b, len, hex, sizeof(hex));
		fprintf(r->o->out, "%s:%u: read 0x%" PRIx64 " %" PRIu64 ": %s\n", r->s->name,
		        r->cur->no, gpa, len,
		        r->access == CSVSM_SIM_ACCESS_OK ? hex : scn_access_text(r->access));
	}
	free(b);
	return rc;
}

static int stmt_access(struct scn_run *r, const struct scn_keyword *k)
{
	static const char *const kinds[] = {"read", "write", "exec", "rw"};
	static const enum csvsm_sim_access_kind kind_values[] = {
	    CSVSM_SIM_READ, CSVSM_SIM_WRITE, CSVSM_SIM_EXEC, CSVSM_SIM_READ | CSVSM_SIM_WRITE};
	uint64_t gpa, len = 1;
	size_t kind;
	int rc;

	if ((rc = scn_need(r, k, 1, "read|write|exec|rw")) || (rc = scn_need(r, k, 2, "ADDR")) ||
	    (rc = scn_no_more(r, k, 4)))
		return rc;
	for (kind = 0; kind < 4 && strcmp(kinds[kind], scn_arg(r, 1)); kind++)
		;
	if (kind == 4)
		return scn_error(r, "unknown access '%s' (read, write, exec or rw)", scn_arg(r, 1));
	if ((rc = scn_start(r, false)) || (rc = scn_eval(r, scn_arg(r, 2), &gpa, NULL)) ||
	    (scn_arg(r, 3) && (rc = scn_eval_max(r, scn_arg(r, 3), SCN_MAX_ACCESS, "LEN", &len))))
		return rc;
	if (r->dry)
		return record_access(r, CSVSM_SIM_ACCESS_OK);
	return record_access(r, csvsm_sim_guest_access(r->sim, gpa, len, kind_values[kind]));
}

/* --- SVSM calls -------------------------------------------------------------------- */

/* What Linux (and the simulator) do after a serviced, successful call: track CAs. */
static void track_call(struct scn_run *r, const struct csvsm_regs *in)
{
	uint32_t call = SVSM_CALL_ID(in->rax);

	if (!r->delivered || !r->regs.serviced || r->regs.rax != SVSM_SUCCESS ||
	    SVSM_PROTOCOL(in->rax) != SVSM_PROTO_CORE)
		return;
	if (call == SVSM_CORE_REMAP_CA)
		r->ca[r->vcpu] = in->rcx;
	else if (call == SVSM_CORE_CREATE_VCPU && (uint32_t)in->r8 < r->lay.vcpu_count)
		r->ca[(uint32_t)in->r8] = in->rdx;
}

static int stmt_call(struct scn_run *r, const struct scn_keyword *k)
{
	static const char *const keys[] = {"rax", "rcx", "rdx", "r8", "r9"};
	const char *vals[5];
	uint64_t v[5] = {0};
	struct csvsm_regs in;
	unsigned int first = 2;
	bool has_target;
	int rc;

	if ((rc = scn_need(r, k, 1, "CALL")))
		return rc;
	has_target = !strchr(scn_arg(r, 1), '=');
	if (!has_target)
		first = 1;
	if ((rc = scn_options(r, k, first, keys, 5, vals)) || (rc = scn_start(r, false)))
		return rc;
	if (has_target && vals[0])
		return scn_error(r, "rax= given as well as the call '%s'", scn_arg(r, 1));
	if (!has_target && !vals[0])
		return scn_error(r, "missing operand: the call (a name, PROTOCOL:CALL or rax=)");
	if (has_target && (rc = scn_eval(r, scn_arg(r, 1), &v[0], NULL)))
		return rc;
	for (size_t i = 0; i < 5; i++)
		if (vals[i] && (rc = scn_eval(r, vals[i], &v[i], NULL)))
			return rc;
	r->called = true;
	if (r->dry)
		return SCN_GO;
	in = (struct csvsm_regs){.rax = v[0], .rcx = v[1], .rdx = v[2], .r8 = v[3], .r9 = v[4]};
	r->regs = in;
	memset(r->since_call, 0, sizeof(r->since_call));
	r->delivered = csvsm_sim_call(r->sim, r->vcpu, &r->regs) == 0;
	if (r->o->call_returned)
		r->o->call_returned(r->o->hook_ctx, r->vcpu);
	track_call(r, &in);
	return SCN_GO;
}

/* pvalidate_list AT [entries=N] [next=N] ITEMS... (docs/scenarios.md). */
static int stmt_pvalidate_list(struct scn_run *r, const struct scn_keyword *k)
{
	uint64_t at, hdr_entries = 0, hdr_next = 0, *list = NULL;
	bool mode_set = false, validate = false, huge = false, ignore_cf = false;
	bool entries_given = false;
	size_t n = 0, cap = 0;
	int rc;

	if ((rc = scn_need(r, k, 1, "AT")) || (rc = scn_start(r, false)) ||
	    (rc = scn_eval(r, scn_arg(r, 1), &at, NULL)))
		return rc;
	for (unsigned int t = 2; t < r->cur->ntok; t++) {
		const char *w = scn_arg(r, t);
		char key[16];
		const char *val, *comma;
		uint64_t gpa = 0, count = 1;
		bool is_raw = false, count_const = true;

		if (!strcmp(w, "validate") || !strcmp(w, "rescind")) {
			validate = w[0] == 'v';
			mode_set = true;
			continue;
		}
		if (!strcasecmp(w, "4k") || !strcasecmp(w, "2m")) {
			huge = w[0] == '2';
			continue;
		}
		if (!strcmp(w, "ignore_cf") || !strcmp(w, "no_ignore_cf")) {
			ignore_cf = w[0] == 'i';
			continue;
		}
		if (scn_split_kv(w, key, sizeof(key), &val)) {
			if (!strcmp(key, "entries")) {
				rc = scn_eval_max(r, val, 0xffff, "entries", &hdr_entries);
				entries_given = true;
			} else if (!strcmp(key, "next")) {
				rc = scn_eval_max(r, val, 0xffff, "next", &hdr_next);
			} else if (!strcmp(key, "raw")) {
				rc = scn_eval(r, val, &gpa, NULL);
				is_raw = true;
			} else {
				rc = scn_error(r, "unknown option '%s' (usage: %s)", key, k->usage);
			}
			if (rc)
				goto out;
			if (!is_raw)
				continue;
		} else {
			char *g;

			comma = strchr(w, ',');
			if (!mode_set) {
				rc = scn_error(
				    r, "validate or rescind must come before the first entry");
				goto out;
			}
			g = strdup(w);
			if (!g) {
				rc = scn_error(r, "out of memory");
				goto out;
			}
			if (comma)
				g[comma - w] = '\0';
			rc = scn_eval(r, g, &gpa, NULL);
			if (!rc && comma)
				rc = scn_eval(r, g + (comma - w) + 1, &count, &count_const);
			free(g);
			if (!rc && comma && (count_const || !r->dry) &&
			    (count < 1 || count > SCN_MAX_ENTRIES))
				rc = scn_error(r, "an entry count is 1..%u, not %" PRIu64,
				               SCN_MAX_ENTRIES, count);
			if (rc)
				goto out;
			if (!r->dry && gpa % 4096) {
				rc = scn_error(
				    r, "entry 0x%" PRIx64 " is not 4K aligned (use raw=)", gpa);
				goto out;
			}
		}
		if (r->dry)
			count = 1; /* counts may be placeholders */
		for (uint64_t i = 0; i < count; i++) {
			uint64_t e;

			if (n == SCN_MAX_ENTRIES) {
				rc = scn_error(r, "more than %u entries", SCN_MAX_ENTRIES);
				goto out;
			}
			if (n == cap) {
				uint64_t *g;

				cap = cap ? 2 * cap : 64;
				g = realloc(list, (1 + cap) * sizeof(*g));
				if (!g) {
					rc = scn_error(r, "out of memory");
					goto out;
				}
				list = g;
			}
			if (is_raw)
				e = gpa;
			else
				e = (gpa + i * (huge ? SZ_2M : 4096)) |
				    (huge ? SVSM_PVAL_SIZE_2M : 0) |
				    (validate ? SVSM_PVAL_VALIDATE : 0) |
				    (ignore_cf ? SVSM_PVAL_IGNORE_CF : 0);
			list[1 + n++] = e;
		}
	}
	if (!n && !entries_given) {
		rc = scn_error(r, "missing operand: at least one entry (usage: %s)", k->usage);
		goto out;
	}
	if (!r->dry && !entries_given && n > 0xffff) {
		rc = scn_error(r, "more than 65535 entries");
		goto out;
	}
	if (r->dry) {
		rc = record_access(r, CSVSM_SIM_ACCESS_OK);
		goto out;
	}
	if (!list && !(list = malloc(sizeof(*list)))) {
		rc = scn_error(r, "out of memory");
		goto out;
	}
	list[0] = (entries_given ? hdr_entries : n) | hdr_next << 16;
	rc = record_access(r, csvsm_sim_guest_write(r->sim, at, list, (1 + n) * sizeof(*list)));
out:
	free(list);
	return rc;
}

/* vmsa AT [vmpl=N] [efer=N] [svme=yes|no] [sev_features=default|N] [rip=N] */
static int stmt_vmsa(struct scn_run *r, const struct scn_keyword *k)
{
	static const char *const keys[] = {"vmpl", "efer", "svme", "sev_features", "rip"};
	const char *vals[5];
	uint64_t at, vmpl = 0, efer = EFER_SVME, features = SCN_DEFAULT_SEV_FEATURES, rip = 0;
	struct vmsa_page *page;
	bool svme;
	int rc;

	if ((rc = scn_need(r, k, 1, "AT")) || (rc = scn_options(r, k, 2, keys, 5, vals)) ||
	    (rc = scn_start(r, false)) || (rc = scn_eval(r, scn_arg(r, 1), &at, NULL)))
		return rc;
	if ((vals[0] && (rc = scn_eval_max(r, vals[0], 0xff, "vmpl", &vmpl))) ||
	    (vals[1] && (rc = scn_eval(r, vals[1], &efer, NULL))) ||
	    (vals[4] && (rc = scn_eval(r, vals[4], &rip, NULL))))
		return rc;
	if (vals[3] && strcmp(vals[3], "default") && (rc = scn_eval(r, vals[3], &features, NULL)))
		return rc;
	if (vals[2]) {
		if ((rc = scn_bool(r, vals[2], "svme", &svme)))
			return rc;
		efer = svme ? efer | EFER_SVME : efer & ~EFER_SVME;
	}
	if (r->dry)
		return record_access(r, CSVSM_SIM_ACCESS_OK);
	page = calloc(1, sizeof(*page));
	if (!page)
		return scn_error(r, "out of memory");
	page->vmpl = (uint8_t)(vals[0] ? vmpl : r->lay.guest_vmpl);
	page->efer = efer;
	page->sev_features = features;
	page->rip = rip;
	rc = record_access(r, csvsm_sim_guest_write(r->sim, at, page, sizeof(*page)));
	free(page);
	return rc;
}

/* --- the hypervisor -------------------------------------------------------------- */

static int stmt_psc(struct scn_run *r, const struct scn_keyword *k)
{
	uint64_t gpa;
	bool to_private, huge = false;
	int rc;

	if ((rc = scn_need(r, k, 1, "ADDR")) || (rc = scn_need(r, k, 2, "private|shared")) ||
	    (rc = scn_no_more(r, k, 4)))
		return rc;
	if (strcmp(scn_arg(r, 2), "private") && strcmp(scn_arg(r, 2), "shared"))
		return scn_error(r, "psc wants private or shared, not '%s'", scn_arg(r, 2));
	to_private = scn_arg(r, 2)[0] == 'p';
	if (scn_arg(r, 3) && strcasecmp(scn_arg(r, 3), "4k") && strcasecmp(scn_arg(r, 3), "2m"))
		return scn_error(r, "psc page size is 4k or 2m, not '%s'", scn_arg(r, 3));
	huge = scn_arg(r, 3) && scn_arg(r, 3)[0] == '2';
	if ((rc = scn_start(r, false)) || (rc = scn_eval(r, scn_arg(r, 1), &gpa, NULL)))
		return rc;
	r->psc_done = true;
	if (r->dry)
		return SCN_GO;
	r->psc_result = csvsm_sim_guest_psc(r->sim, gpa, huge ? 1 : 0, to_private);
	return SCN_GO;
}

/* The scenario error for a refused poke (csvsm_sim_poke's codes), or 0. */
static int hv_poke_refused(struct scn_run *r, const char *what, uint64_t gpa, int refusal)
{
	if (refusal == CSVSM_SIM_POKE_SVSM)
		return scn_error(
		    r, "%s 0x%" PRIx64 ": SVSM memory (nothing outside VMPL0 can write it)", what,
		    gpa);
	if (refusal)
		return scn_error(r, "%s 0x%" PRIx64 ": outside the machine's memory", what, gpa);
	return 0;
}

static int hv_poke(struct scn_run *r, const struct scn_keyword *k, unsigned int at)
{
	uint64_t gpa;
	uint8_t *b = NULL;
	size_t len;
	int rc;

	if ((rc = scn_need(r, k, at, "ADDR")) || (rc = scn_need(r, k, at + 1, "hex bytes")) ||
	    (rc = scn_start(r, false)) || (rc = scn_eval(r, scn_arg(r, at), &gpa, NULL)) ||
	    (rc = scn_bytes(r, r->cur->tok, at + 1, r->cur->ntok, &b, &len)))
		return rc;
	if (!r->dry)
		rc = hv_poke_refused(r, "poke", gpa, csvsm_sim_poke(r->sim, gpa, b, len));
	free(b);
	return rc;
}

static int stmt_poke(struct scn_run *r, const struct scn_keyword *k)
{
	return hv_poke(r, k, 1);
}

/* hv race ADDR BYTES... [nth=N] [watch=ADDR|any] [watch_len=N] */
static int hv_race(struct scn_run *r, const struct scn_keyword *k)
{
	struct scn_race race = {.nth = 1};
	unsigned int end = r->cur->ntok;
	const char *vals[3] = {NULL, NULL, NULL};
	static const char *const keys[] = {"nth", "watch", "watch_len"};
	int rc;

	while (end > 2 && strchr(scn_arg(r, end - 1), '='))
		end--;
	if ((rc = scn_need(r, k, 2, "ADDR")) || (rc = scn_need(r, k, 3, "hex bytes")) ||
	    (rc = scn_options(r, k, end, keys, 3, vals)) || (rc = scn_start(r, false)) ||
	    (rc = scn_eval(r, scn_arg(r, 2), &race.gpa, NULL)))
		return rc;
	if (end <= 3)
		return scn_error(r, "missing operand: hex bytes (usage: %s)", k->usage);
	if ((rc = scn_bytes(r, r->cur->tok, 3, end, &race.bytes, &race.len)))
		return rc;
	race.watch = race.gpa;
	race.watch_len = race.len;
	if (vals[0] && !rc)
		rc = scn_eval_max(r, vals[0], UINT32_MAX, "nth", &race.nth);
	if (!rc && !race.nth)
		rc = scn_error(r, "nth counts from 1");
	if (vals[1] && !rc) {
		if (!strcmp(vals[1], "any"))
			race.any = true;
		else
			rc = scn_eval(r, vals[1], &race.watch, NULL);
	}
	if (vals[2] && !rc)
		rc = scn_eval_max(r, vals[2], UINT32_MAX, "watch_len", &race.watch_len);
	if (!rc && r->nraces == SCN_MAX_RACES)
		rc = scn_error(r, "more than %u races at once", SCN_MAX_RACES);
	if (!rc && !r->dry)
		rc = hv_poke_refused(r, "race", race.gpa,
		                     csvsm_sim_poke_check(r->sim, race.gpa, race.len));
	if (rc || r->dry) {
		free(race.bytes);
		return rc;
	}
	/* Fired races make room. */
	for (size_t i = 0; i < r->nraces;)
		if (r->races[i].fired) {
			free(r->races[i].bytes);
			r->races[i] = r->races[--r->nraces];
		} else {
			i++;
		}
	r->races[r->nraces++] = race;
	scn_apply_policy(r);
	return SCN_GO;
}

static int stmt_hv(struct scn_run *r, const struct scn_keyword *k)
{
	const char *sub = scn_arg(r, 1);
	uint64_t v, fill = 0;
	int rc;

	if ((rc = scn_need(r, k, 1, "refuse_run|refuse_psc|remap|poke|race|honest")))
		return rc;
	if (!strcmp(sub, "poke"))
		return hv_poke(r, k, 2);
	if (!strcmp(sub, "race"))
		return hv_race(r, k);
	if (!strcmp(sub, "guest_req"))
		return scn_hv_guest_req(r, k);
	if (!strcmp(sub, "honest")) {
		if ((rc = scn_no_more(r, k, 2)) || (rc = scn_start(r, false)) || r->dry)
			return rc;
		r->refuse_run = r->refuse_psc = 0;
		memset(r->gr, 0, sizeof(r->gr));
		for (size_t i = 0; i < r->nraces; i++)
			free(r->races[i].bytes);
		r->nraces = 0;
		csvsm_sim_set_hv_policy(r->sim, NULL);
		return SCN_GO;
	}
	if (!strcmp(sub, "refuse_run") || !strcmp(sub, "refuse_psc")) {
		if ((rc = scn_need(r, k, 2, "N")) || (rc = scn_no_more(r, k, 3)) ||
		    (rc = scn_start(r, false)) ||
		    (rc = scn_eval_max(r, scn_arg(r, 2), UINT32_MAX, "N", &v)) || r->dry)
			return rc;
		if (sub[7] == 'r')
			r->refuse_run = (unsigned int)v;
		else
			r->refuse_psc = (unsigned int)v;
		scn_apply_policy(r);
		return SCN_GO;
	}
	if (!strcmp(sub, "remap")) {
		const char *vals[1];
		static const char *const keys[] = {"fill"};
		uint64_t gpa;

		if ((rc = scn_need(r, k, 2, "ADDR")) ||
		    (rc = scn_options(r, k, 3, keys, 1, vals)) || (rc = scn_start(r, false)) ||
		    (rc = scn_eval(r, scn_arg(r, 2), &gpa, NULL)) ||
		    (vals[0] && (rc = scn_eval_max(r, vals[0], 0xff, "fill", &fill))) || r->dry)
			return rc;
		if (csvsm_sim_hv_remap(r->sim, gpa, (uint8_t)fill) != 0)
			return scn_error(r, "remap 0x%" PRIx64 ": not guest RAM", gpa);
		return SCN_GO;
	}
	return scn_error(r,
	                 "unknown hypervisor action '%s' (refuse_run, refuse_psc, remap, poke, "
	                 "race, guest_req or honest)",
	                 sub);
}

/* --- output ------------------------------------------------------------------------ */

static int stmt_echo(struct scn_run *r, const struct scn_keyword *k)
{
	const char *text = r->cur->text + strspn(r->cur->text, " \t");

	(void)k;
	text += 4; /* "echo" */
	text += strspn(text, " \t");
	if (!r->dry && r->o->out)
		fprintf(r->o->out, "%s\n", text);
	return SCN_GO;
}

static int stmt_print(struct scn_run *r, const struct scn_keyword *k)
{
	int rc;

	if ((rc = scn_need(r, k, 1, "EXPR")) || (rc = scn_start(r, false)))
		return rc;
	for (unsigned int t = 1; t < r->cur->ntok; t++) {
		uint64_t v;

		if ((rc = scn_eval(r, scn_arg(r, t), &v, NULL)))
			return rc;
		if (!r->dry && r->o->out)
			fprintf(r->o->out, "%s:%u: %s = 0x%" PRIx64 " (%" PRIu64 ")\n", r->s->name,
			        r->cur->no, scn_arg(r, t), v, v);
	}
	return SCN_GO;
}

static const struct scn_keyword keywords[] = {
    {"config", stmt_config, "config KEY=VALUE...", 0},
    {"let", stmt_let, "let NAME = EXPR", 0},
    {"vcpu", stmt_vcpu, "vcpu N", 0},
    {"write8", stmt_write_sized, "write8 ADDR VALUE", 8},
    {"write16", stmt_write_sized, "write16 ADDR VALUE", 16},
    {"write32", stmt_write_sized, "write32 ADDR VALUE", 32},
    {"write64", stmt_write_sized, "write64 ADDR VALUE", 64},
    {"write", stmt_write_bytes, "write ADDR HEXBYTES...", 0},
    {"fill", stmt_fill, "fill ADDR LEN BYTE", 0},
    {"read8", stmt_read_sized, "read8 ADDR", 8},
    {"read16", stmt_read_sized, "read16 ADDR", 16},
    {"read32", stmt_read_sized, "read32 ADDR", 32},
    {"read64", stmt_read_sized, "read64 ADDR", 64},
    {"read", stmt_read_bytes, "read ADDR LEN", 0},
    {"access", stmt_access, "access read|write|exec|rw ADDR [LEN]", 0},
    {"call", stmt_call, "call NAME|PROTO:CALL|rax=X [rcx=X] [rdx=X] [r8=X] [r9=X]", 0},
    {"pvalidate_list", stmt_pvalidate_list,
     "pvalidate_list AT [entries=N] [next=N] validate|rescind [4k|2m] [ignore_cf] "
     "GPA[,COUNT]|raw=X...",
     0},
    {"vmsa", stmt_vmsa, "vmsa AT [vmpl=N] [efer=X] [svme=yes|no] [sev_features=default|X] [rip=X]",
     0},
    {"psc", stmt_psc, "psc ADDR private|shared [4k|2m]", 0},
    {"hv", stmt_hv,
     "hv refuse_run N | refuse_psc N | remap ADDR [fill=B] | poke ADDR BYTES... | race ADDR "
     "BYTES... [nth=N] [watch=ADDR|any] [watch_len=N] | honest",
     0},
    {"poke", stmt_poke, "poke ADDR HEXBYTES...", 0},
    {"attest", scn_stmt_attest,
     "attest [single] [nonce=HEX] [report=N] [manifest=N] [certs=N] [guid=HEX] [version=N]", 0},
    {"expect", scn_stmt_expect, "expect WHAT VALUE... (docs/scenarios.md)", 0},
    {"echo", stmt_echo, "echo TEXT", 0},
    {"print", stmt_print, "print EXPR...", 0},
    {"tpm", scn_stmt_tpm,
     "tpm [at=ADDR] [locality=N] [size=N] [platform=N] raw HEXBYTES... | getrandom N | "
     "pcr_extend PCR DIGEST | pcr_read PCR",
     0},
};

int scn_exec_line(struct scn_run *r)
{
	const char *word = r->cur->tok[0];

	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (!strcmp(keywords[i].name, word))
			return keywords[i].fn(r, &keywords[i]);
	return scn_error(r, "unknown keyword '%s'", word);
}
