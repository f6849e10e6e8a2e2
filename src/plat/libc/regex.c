/* SPDX-License-Identifier: MIT */
/*
 * A matcher for the POSIX ERE subset described in <regex.h>. regcomp parses
 * the pattern into a tree (sequences of atoms, each with a repetition
 * range) and compiles the tree into a small program (char, any, set, split,
 * jump, save, match); regexec runs it as a Pike VM: every thread advances
 * one subject character at a time, so time is O(subject x program), memory
 * is fixed by the program's size, and nothing recurses on the subject (the
 * SVSM's stack is small and profile strings come from stored state).
 * Threads keep priority order, so the match is the leftmost one and
 * quantifiers are greedy (leftmost-first, like Perl). For the anchored
 * patterns libtpms uses this gives the same captures as POSIX's
 * leftmost-longest rule.
 */
#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "csvsm/types.h"

#define RE_INF (-1)

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

enum re_op { OP_CHAR, OP_ANY, OP_SET, OP_BOL, OP_EOL, OP_SPLIT, OP_JMP, OP_SAVE, OP_MATCH };

struct re_inst {
	enum re_op op;
	unsigned char c;
	const uint8_t *set; /* OP_SET: points into the tree */
	size_t x, y;        /* OP_SPLIT: x first (preferred); OP_JMP: x; OP_SAVE: slot */
};

struct re_prog {
	struct re_atom root; /* the parse tree (group 0) */
	struct re_inst *code;
	size_t n, cap;
	size_t nsub;
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

static bool re_emit(struct re_prog *p, enum re_op op, size_t x, size_t y)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 32;
		struct re_inst *c;

		if (cap > 4096)
			return false; /* patterns are short; this bounds a runaway one */
		c = realloc(p->code, cap * sizeof(*c));
		if (!c)
			return false;
		p->code = c;
		p->cap = cap;
	}
	p->code[p->n] = (struct re_inst){.op = op, .x = x, .y = y};
	p->n++;
	return true;
}

static bool re_compile_atom(struct re_prog *p, const struct re_atom *a);

/* One copy of the atom's body, no repetition. */
static bool re_compile_once(struct re_prog *p, const struct re_atom *a)
{
	size_t *jumps;
	bool ok = true;

	switch (a->kind) {
	case RE_CHAR:
		if (!re_emit(p, OP_CHAR, 0, 0))
			return false;
		p->code[p->n - 1].c = a->c;
		return true;
	case RE_ANY:
		return re_emit(p, OP_ANY, 0, 0);
	case RE_SET:
		if (!re_emit(p, OP_SET, 0, 0))
			return false;
		p->code[p->n - 1].set = a->set;
		return true;
	case RE_BOL:
		return re_emit(p, OP_BOL, 0, 0);
	case RE_EOL:
		return re_emit(p, OP_EOL, 0, 0);
	case RE_GROUP:
		break;
	}
	/* SAVE 2g; SPLIT a1, next; a1; JMP end; next: SPLIT a2, ...; an; end: SAVE 2g+1 */
	jumps = calloc(a->nalt, sizeof(*jumps));
	if (!jumps || !re_emit(p, OP_SAVE, 2 * a->group, 0)) {
		free(jumps);
		return false;
	}
	for (size_t i = 0; ok && i < a->nalt; i++) {
		size_t split = p->n;

		if (i + 1 < a->nalt)
			ok = re_emit(p, OP_SPLIT, p->n + 1, 0);
		for (size_t j = 0; ok && j < a->alt[i].n; j++)
			ok = re_compile_atom(p, &a->alt[i].atoms[j]);
		if (ok && i + 1 < a->nalt) {
			jumps[i] = p->n;
			ok = re_emit(p, OP_JMP, 0, 0);
			p->code[split].y = p->n;
		}
	}
	for (size_t i = 0; ok && i + 1 < a->nalt; i++)
		p->code[jumps[i]].x = p->n;
	free(jumps);
	return ok && re_emit(p, OP_SAVE, 2 * a->group + 1, 0);
}

/* The atom with its repetition: e, e?, e*, e+ (min 0 or 1, max 1 or unbounded). */
static bool re_compile_atom(struct re_prog *p, const struct re_atom *a)
{
	size_t split, start;

	if (a->min == 1 && a->max == 1)
		return re_compile_once(p, a);
	if (a->min == 1) { /* e+: L: e; SPLIT L, next */
		start = p->n;
		return re_compile_once(p, a) && re_emit(p, OP_SPLIT, start, p->n + 1);
	}
	split = p->n; /* e? and e*: SPLIT L, next; L: e; [JMP split] */
	if (!re_emit(p, OP_SPLIT, p->n + 1, 0) || !re_compile_once(p, a))
		return false;
	if (a->max == RE_INF && !re_emit(p, OP_JMP, split, 0))
		return false;
	p->code[split].y = p->n;
	return true;
}

static void re_prog_free(struct re_prog *prog)
{
	re_free_atom(&prog->root);
	free(prog->code);
	free(prog);
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
	prog->nsub = ps.ngroups;
	if (!re_compile_atom(prog, &prog->root) || !re_emit(prog, OP_MATCH, 0, 0)) {
		re_prog_free(prog);
		return REG_ESPACE;
	}
	re->re_nsub = ps.ngroups;
	re->re_impl = prog;
	return 0;
}

void regfree(regex_t *re)
{
	if (re->re_impl)
		re_prog_free(re->re_impl);
	re->re_impl = NULL;
}

/* The Pike VM. A thread is a program counter and its capture slots. */
struct re_threads {
	size_t n;
	size_t *pc;    /* [ninst] */
	regoff_t *cap; /* [ninst][nslots] */
};

struct re_vm {
	const struct re_prog *prog;
	size_t nslots;
	size_t *mark;    /* [ninst]: id of the last list pc was added to */
	size_t *stack;   /* [ninst]: pcs to follow (epsilon closure) */
	regoff_t *stcap; /* [ninst][nslots]: their captures */
};

/*
 * Adds the thread (pc, caps) to `l` at subject offset `off`, following
 * jumps, splits (first branch first: priority) and saves with an explicit
 * stack. Each pc enters a list at most once: `id` names the list (the
 * list for offset k is k + 1; marks start at 0, which names none).
 */
static void re_addthread(struct re_vm *vm, struct re_threads *l, size_t pc0, const regoff_t *caps,
                         regoff_t off, size_t id, bool at_end)
{
	size_t sp = 0, ns = vm->nslots;

	vm->stack[sp] = pc0;
	memcpy(&vm->stcap[sp * ns], caps, ns * sizeof(*caps));
	sp++;
	while (sp > 0) {
		size_t pc;
		regoff_t *c;
		const struct re_inst *in;

		sp--;
		pc = vm->stack[sp];
		c = &vm->stcap[sp * ns];
		if (vm->mark[pc] == id)
			continue;
		vm->mark[pc] = id;
		in = &vm->prog->code[pc];
		switch (in->op) {
		case OP_JMP:
			vm->stack[sp] = in->x;
			sp++;
			break;
		case OP_SPLIT:
			/* Push the second branch below the first: the first runs first. */
			memcpy(&vm->stcap[(sp + 1) * ns], c, ns * sizeof(*c));
			vm->stack[sp] = in->y;
			vm->stack[sp + 1] = in->x;
			sp += 2;
			break;
		case OP_SAVE:
			if (in->x < ns)
				c[in->x] = off;
			vm->stack[sp] = pc + 1;
			sp++;
			break;
		case OP_BOL:
			if (off == 0) {
				vm->stack[sp] = pc + 1;
				sp++;
			}
			break;
		case OP_EOL:
			if (at_end) {
				vm->stack[sp] = pc + 1;
				sp++;
			}
			break;
		default:
			l->pc[l->n] = pc;
			memcpy(&l->cap[l->n * ns], c, ns * sizeof(*c));
			l->n++;
			break;
		}
	}
}

static bool re_step_ok(const struct re_inst *in, unsigned char ch)
{
	switch (in->op) {
	case OP_CHAR:
		return ch == in->c;
	case OP_ANY:
		return ch != '\0';
	case OP_SET:
		return ch != '\0' && (in->set[ch / 8] & (1u << (ch % 8)));
	default:
		return false;
	}
}

int regexec(const regex_t *re, const char *s, size_t nmatch, regmatch_t *m, int flags)
{
	const struct re_prog *prog = re->re_impl;
	struct re_vm vm;
	struct re_threads a, b, *clist = &a, *nlist = &b;
	regoff_t *init, *best;
	bool matched = false;
	size_t ni, ns, len;
	int rc = REG_ESPACE;

	(void)flags;
	if (!prog)
		return REG_BADPAT;
	ni = prog->n;
	ns = 2 * (prog->nsub + 1);
	/* The explicit stack can hold two entries per instruction (splits). */
	vm = (struct re_vm){.prog = prog,
	                    .nslots = ns,
	                    .mark = calloc(ni, sizeof(size_t)),
	                    .stack = calloc(2 * ni + 2, sizeof(size_t)),
	                    .stcap = calloc((2 * ni + 2) * ns, sizeof(regoff_t))};
	a = (struct re_threads){0, calloc(ni, sizeof(size_t)), calloc(ni * ns, sizeof(regoff_t))};
	b = (struct re_threads){0, calloc(ni, sizeof(size_t)), calloc(ni * ns, sizeof(regoff_t))};
	init = calloc(ns, sizeof(regoff_t));
	best = calloc(ns, sizeof(regoff_t));
	if (!vm.mark || !vm.stack || !vm.stcap || !a.pc || !a.cap || !b.pc || !b.cap || !init ||
	    !best)
		goto out;
	for (size_t i = 0; i < ns; i++)
		init[i] = -1;
	len = strlen(s);
	for (size_t step = 0; step <= len; step++) {
		regoff_t off = (regoff_t)step;
		unsigned char ch = (unsigned char)s[step];

		/* A new thread starts at each offset until something matched (lowest priority). */
		if (!matched)
			re_addthread(&vm, clist, 0, init, off, step + 1, step == len);
		if (clist->n == 0)
			break;
		nlist->n = 0;
		for (size_t t = 0; t < clist->n; t++) {
			const struct re_inst *in = &prog->code[clist->pc[t]];
			regoff_t *c = &clist->cap[t * ns];

			if (in->op == OP_MATCH) {
				matched = true;
				memcpy(best, c, ns * sizeof(*c));
				break; /* lower-priority threads are cut */
			}
			if (re_step_ok(in, ch))
				re_addthread(&vm, nlist, clist->pc[t] + 1, c, off + 1, step + 2,
				             step + 1 == len);
		}
		{
			struct re_threads *tmp = clist;

			clist = nlist;
			nlist = tmp;
		}
	}
	/* Threads left after the last character can still reach MATCH. */
	for (size_t t = 0; t < clist->n; t++) {
		if (prog->code[clist->pc[t]].op == OP_MATCH) {
			matched = true;
			memcpy(best, &clist->cap[t * ns], ns * sizeof(regoff_t));
			break;
		}
	}
	rc = matched ? 0 : REG_NOMATCH;
	if (matched && m) {
		for (size_t i = 0; i < nmatch; i++) {
			m[i].rm_so = i <= prog->nsub ? best[2 * i] : -1;
			m[i].rm_eo = i <= prog->nsub ? best[2 * i + 1] : -1;
		}
	}
out:
	free(vm.mark);
	free(vm.stack);
	free(vm.stcap);
	free(a.pc);
	free(a.cap);
	free(b.pc);
	free(b.cap);
	free(init);
	free(best);
	return rc;
}
