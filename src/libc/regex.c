/* SPDX-License-Identifier: MIT */
/*
 * A backtracking matcher for the POSIX ERE subset described in <regex.h>.
 * regcomp parses the pattern into a tree (sequences of atoms, each with a
 * repetition range); regexec tries each start position and matches with
 * explicit continuations, so that a quantified group can backtrack into what
 * follows it. Single-character atoms repeat in a loop, not by recursion.
 */
#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "csvsm/types.h"

#define RE_MAX_DEPTH 256 /* continuation frames (a few hundred bytes of stack each) */
#define RE_INF       (-1)

enum re_kind { RE_CHAR, RE_ANY, RE_SET, RE_GROUP, RE_BOL, RE_EOL };

struct re_seq;

struct re_atom {
	enum re_kind kind;
	int min, max; /* max RE_INF: unbounded */
	unsigned char c;
	uint8_t set[32];    /* RE_SET: bit per byte value */
	size_t group;       /* RE_GROUP: capture index (1-based) */
	struct re_seq *alt; /* RE_GROUP: alternatives */
	size_t nalt;
};

struct re_seq {
	struct re_atom *atoms;
	size_t n;
};

struct re_prog {
	struct re_seq top; /* alternatives of the whole pattern, as one group 0 */
	struct re_atom root;
};

struct re_parser {
	const char *p;
	size_t ngroups;
	bool bad;
};

static void re_free_seq(struct re_seq *s);

static void re_free_atom(struct re_atom *a)
{
	if (a->kind == RE_GROUP) {
		for (size_t i = 0; i < a->nalt; i++)
			re_free_seq(&a->alt[i]);
		free(a->alt);
	}
}

static void re_free_seq(struct re_seq *s)
{
	for (size_t i = 0; i < s->n; i++)
		re_free_atom(&s->atoms[i]);
	free(s->atoms);
}

static void re_set_bit(uint8_t *set, unsigned char c)
{
	set[c / 8] |= (uint8_t)(1u << (c % 8));
}

static bool re_class(const char *name, size_t len, uint8_t *set)
{
	static const struct {
		const char *name;
		int (*fn)(int);
	} classes[] = {{"space", isspace},   {"digit", isdigit}, {"alpha", isalpha},
	               {"alnum", isalnum},   {"upper", isupper}, {"lower", islower},
	               {"xdigit", isxdigit}, {"punct", ispunct}, {"print", isprint},
	               {"graph", isgraph},   {"cntrl", iscntrl}};

	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		if (strlen(classes[i].name) == len && strncmp(classes[i].name, name, len) == 0) {
			for (int c = 0; c < 256; c++)
				if (classes[i].fn(c))
					re_set_bit(set, (unsigned char)c);
			return true;
		}
	}
	return false;
}

/* A bracket expression; P points after '['. */
static void re_parse_set(struct re_parser *ps, struct re_atom *a)
{
	bool neg = false, first = true;

	a->kind = RE_SET;
	if (*ps->p == '^') {
		neg = true;
		ps->p++;
	}
	for (;;) {
		unsigned char lo = (unsigned char)*ps->p;

		if (lo == '\0') {
			ps->bad = true;
			return;
		}
		if (lo == ']' && !first) {
			ps->p++;
			break;
		}
		first = false;
		if (lo == '[' && ps->p[1] == ':') {
			const char *end = strstr(ps->p + 2, ":]");

			if (!end || !re_class(ps->p + 2, (size_t)(end - ps->p - 2), a->set)) {
				ps->bad = true;
				return;
			}
			ps->p = end + 2;
			continue;
		}
		ps->p++;
		if (*ps->p == '-' && ps->p[1] != ']' && ps->p[1] != '\0') {
			unsigned char hi = (unsigned char)ps->p[1];

			if (hi < lo) {
				ps->bad = true;
				return;
			}
			for (unsigned c = lo; c <= hi; c++)
				re_set_bit(a->set, (unsigned char)c);
			ps->p += 2;
		} else {
			re_set_bit(a->set, lo);
		}
	}
	if (neg)
		for (size_t i = 0; i < sizeof(a->set); i++)
			a->set[i] = (uint8_t)~a->set[i];
}

static bool re_parse_alts(struct re_parser *ps, struct re_atom *group, bool nested);

static bool re_push(struct re_seq *s, const struct re_atom *a)
{
	struct re_atom *n = realloc(s->atoms, (s->n + 1) * sizeof(*n));

	if (!n)
		return false;
	s->atoms = n;
	s->atoms[s->n++] = *a;
	return true;
}

/* One sequence, up to '|', ')' or the end. */
static bool re_parse_seq(struct re_parser *ps, struct re_seq *s)
{
	while (*ps->p && *ps->p != '|' && *ps->p != ')' && !ps->bad) {
		struct re_atom a;

		memset(&a, 0, sizeof(a));
		a.min = a.max = 1;
		switch (*ps->p) {
		case '(':
			ps->p++;
			a.kind = RE_GROUP;
			a.group = ++ps->ngroups;
			if (!re_parse_alts(ps, &a, true))
				return false;
			break;
		case '[':
			ps->p++;
			re_parse_set(ps, &a);
			break;
		case '.':
			ps->p++;
			a.kind = RE_ANY;
			break;
		case '^':
			ps->p++;
			a.kind = RE_BOL;
			break;
		case '$':
			ps->p++;
			a.kind = RE_EOL;
			break;
		case '\\':
			if (ps->p[1] == '\0' || isdigit((unsigned char)ps->p[1])) {
				ps->bad = true; /* trailing '\' or a back-reference */
				break;
			}
			a.kind = RE_CHAR;
			a.c = (unsigned char)ps->p[1];
			ps->p += 2;
			break;
		case '*':
		case '+':
		case '?':
		case '{':
			ps->bad = true; /* nothing to repeat, or an interval */
			break;
		default:
			a.kind = RE_CHAR;
			a.c = (unsigned char)*ps->p++;
			break;
		}
		if (ps->bad) {
			re_free_atom(&a);
			return false;
		}
		for (; *ps->p == '*' || *ps->p == '+' || *ps->p == '?'; ps->p++) {
			if (*ps->p == '*' || *ps->p == '?')
				a.min = 0;
			if (*ps->p != '?')
				a.max = RE_INF;
		}
		if (*ps->p == '{' || !re_push(s, &a)) {
			ps->bad = ps->bad || *ps->p == '{';
			re_free_atom(&a);
			return false;
		}
	}
	return !ps->bad;
}

/* Alternatives into GROUP, up to ')' (consumed) when NESTED, else the end. */
static bool re_parse_alts(struct re_parser *ps, struct re_atom *group, bool nested)
{
	for (;;) {
		struct re_seq *n = realloc(group->alt, (group->nalt + 1) * sizeof(*n));

		if (!n) {
			re_free_atom(group);
			return false;
		}
		group->alt = n;
		memset(&group->alt[group->nalt], 0, sizeof(*n));
		group->nalt++;
		if (!re_parse_seq(ps, &group->alt[group->nalt - 1])) {
			re_free_atom(group);
			return false;
		}
		if (*ps->p == '|') {
			ps->p++;
			continue;
		}
		if (nested && *ps->p == ')') {
			ps->p++;
			return true;
		}
		if (!nested && *ps->p == '\0')
			return true;
		ps->bad = true;
		re_free_atom(group);
		return false;
	}
}

int regcomp(regex_t *re, const char *pattern, int flags)
{
	struct re_parser ps = {.p = pattern};
	struct re_prog *prog;

	if (!(flags & REG_EXTENDED))
		return REG_BADPAT; /* basic regular expressions are not supported */
	prog = calloc(1, sizeof(*prog));
	if (!prog)
		return REG_ESPACE;
	prog->root.kind = RE_GROUP;
	prog->root.min = prog->root.max = 1;
	if (!re_parse_alts(&ps, &prog->root, false)) {
		free(prog);
		return ps.bad ? REG_BADPAT : REG_ESPACE;
	}
	re->re_nsub = ps.ngroups;
	re->re_impl = prog;
	return 0;
}

void regfree(regex_t *re)
{
	struct re_prog *prog = re->re_impl;

	if (prog) {
		re_free_atom(&prog->root);
		free(prog);
	}
	re->re_impl = NULL;
}

/* Matching. A continuation says what remains after the current atom. */
enum re_kkind { K_SEQ, K_REP, K_GROUP_END, K_DONE };

struct re_k {
	enum re_kkind kind;
	const struct re_seq *seq; /* K_SEQ: continue at seq->atoms[i] */
	size_t i;
	const struct re_atom *atom; /* K_REP, K_GROUP_END */
	int count;
	const char *start;
	const struct re_k *next;
};

struct re_run {
	const char *subject;
	regmatch_t *caps; /* re_nsub + 1 entries */
	const char *end;
	int depth;
	bool overflow;
};

static bool re_run_k(struct re_run *r, const struct re_k *k, const char *pos);
static bool re_match_seq(struct re_run *r, const struct re_seq *s, size_t i, const char *pos,
                         const struct re_k *next);

static bool re_single(const struct re_atom *a, unsigned char c)
{
	switch (a->kind) {
	case RE_CHAR:
		return c == a->c;
	case RE_ANY:
		return c != '\0';
	case RE_SET:
		return c != '\0' && (a->set[c / 8] & (1u << (c % 8)));
	default:
		return false;
	}
}

static bool re_match_group_once(struct re_run *r, const struct re_atom *a, const char *pos,
                                const struct re_k *next)
{
	regmatch_t saved = r->caps[a->group];
	struct re_k kg = {.kind = K_GROUP_END, .atom = a, .start = pos, .next = next};

	for (size_t i = 0; i < a->nalt; i++)
		if (re_match_seq(r, &a->alt[i], 0, pos, &kg))
			return true;
	r->caps[a->group] = saved;
	return false;
}

static bool re_match_rep(struct re_run *r, const struct re_atom *a, int count, const char *pos,
                         const struct re_k *next)
{
	if (a->kind == RE_CHAR || a->kind == RE_ANY || a->kind == RE_SET) {
		long n = 0;

		while ((a->max == RE_INF || n < a->max) && re_single(a, (unsigned char)pos[n]))
			n++;
		for (; n >= a->min; n--)
			if (re_run_k(r, next, pos + n))
				return true;
		return false;
	}
	if (a->kind == RE_BOL)
		return pos == r->subject && re_run_k(r, next, pos);
	if (a->kind == RE_EOL)
		return *pos == '\0' && re_run_k(r, next, pos);
	/* A group: one more iteration if allowed (greedy), else what follows. */
	if (a->max == RE_INF || count < a->max) {
		struct re_k kr = {
		    .kind = K_REP, .atom = a, .count = count + 1, .start = pos, .next = next};

		if (re_match_group_once(r, a, pos, &kr))
			return true;
	}
	return count >= a->min && re_run_k(r, next, pos);
}

static bool re_match_seq(struct re_run *r, const struct re_seq *s, size_t i, const char *pos,
                         const struct re_k *next)
{
	struct re_k ks = {.kind = K_SEQ, .seq = s, .i = i + 1, .next = next};

	if (i == s->n)
		return re_run_k(r, next, pos);
	return re_match_rep(r, &s->atoms[i], 0, pos, &ks);
}

static bool re_run_k(struct re_run *r, const struct re_k *k, const char *pos)
{
	bool ok = false;

	if (++r->depth > RE_MAX_DEPTH) {
		r->overflow = true;
		r->depth--;
		return false;
	}
	switch (k->kind) {
	case K_DONE:
		r->end = pos;
		ok = true;
		break;
	case K_SEQ:
		ok = re_match_seq(r, k->seq, k->i, pos, k->next);
		break;
	case K_REP:
		/* An iteration that matched nothing must not loop forever. */
		if (pos == k->start)
			ok = k->count >= k->atom->min && re_run_k(r, k->next, pos);
		else
			ok = re_match_rep(r, k->atom, k->count, pos, k->next);
		break;
	case K_GROUP_END: {
		regmatch_t saved = r->caps[k->atom->group];

		r->caps[k->atom->group].rm_so = k->start - r->subject;
		r->caps[k->atom->group].rm_eo = pos - r->subject;
		ok = re_run_k(r, k->next, pos);
		if (!ok)
			r->caps[k->atom->group] = saved;
		break;
	}
	}
	r->depth--;
	return ok && !r->overflow;
}

int regexec(const regex_t *re, const char *s, size_t nmatch, regmatch_t *m, int flags)
{
	const struct re_prog *prog = re->re_impl;
	struct re_k done = {.kind = K_DONE};
	struct re_run r = {.subject = s};
	int rc = REG_NOMATCH;

	(void)flags;
	if (!prog)
		return REG_BADPAT;
	r.caps = calloc(re->re_nsub + 1, sizeof(*r.caps));
	if (!r.caps)
		return REG_ESPACE;
	for (const char *start = s;; start++) {
		for (size_t i = 0; i <= re->re_nsub; i++)
			r.caps[i].rm_so = r.caps[i].rm_eo = -1;
		if (re_match_group_once(&r, &prog->root, start, &done)) {
			rc = 0;
			break;
		}
		if (r.overflow) {
			rc = REG_ESPACE;
			break;
		}
		if (*start == '\0')
			break;
	}
	if (rc == 0 && m && nmatch > 0) {
		/* group 0 is the root: its capture is the whole match */
		for (size_t i = 0; i < nmatch; i++)
			m[i] = i <= re->re_nsub ? r.caps[i] : (regmatch_t){-1, -1};
	}
	free(r.caps);
	return rc;
}
