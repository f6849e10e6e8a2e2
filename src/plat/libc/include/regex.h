/* SPDX-License-Identifier: MIT */
/*
 * csvsm C runtime: a small POSIX extended regular expression matcher
 * (src/plat/libc/regex.c), enough for libtpms' profile parsing: literals and
 * escapes, '.', bracket expressions with ranges and [:class:] names, groups
 * with alternation and captures, '*', '+', '?', '^' and '$'. Other syntax
 * ('{m,n}' intervals, back-references) fails regcomp with REG_BADPAT.
 * Matching is a Pike VM: time linear in the subject, memory fixed by the
 * pattern, no recursion, so hostile subjects cannot exhaust the stack.
 * REG_ESPACE: out of heap.
 */
#ifndef CSVSM_LIBC_REGEX_H
#define CSVSM_LIBC_REGEX_H
#include <csvsm_libc_names.h>
#include <stddef.h>
#define REG_EXTENDED 1
#define REG_NOSUB    2
#define REG_NOMATCH  1
#define REG_BADPAT   2
#define REG_ESPACE   12
typedef long regoff_t;
typedef struct {
	regoff_t rm_so, rm_eo;
} regmatch_t;
typedef struct {
	size_t re_nsub;
	void *re_impl;
} regex_t;
int regcomp(regex_t *re, const char *pattern, int flags);
int regexec(const regex_t *re, const char *s, size_t nmatch, regmatch_t *m, int flags);
void regfree(regex_t *re);
#endif
