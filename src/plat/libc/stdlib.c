/* SPDX-License-Identifier: MIT */
/*
 * <stdlib.h> without an environment or a process: number parsing, sorting,
 * abort()/exit() through the csvsm panic path, getenv() always NULL, and
 * rand() from the platform's entropy source (never a fixed sequence).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "csvsm/panic.h"
#include "csvsm/plat/entropy.h"

/* Parses like strtoull; *neg tells the sign. Sets *end to s when no digits. */
static unsigned long long libc_strto(const char *s, char **end, int base, bool *neg, bool *overflow)
{
	const char *p = s;
	unsigned long long v = 0;
	bool any = false;

	*neg = false;
	*overflow = false;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '-' || *p == '+')
		*neg = *p++ == '-';
	if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    isxdigit((unsigned char)p[2])) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = p[0] == '0' ? 8 : 10;
	}
	if (base < 2 || base > 36) {
		errno = EINVAL;
		if (end)
			*end = (char *)s;
		return 0;
	}
	for (;; p++) {
		int d;

		if (isdigit((unsigned char)*p))
			d = *p - '0';
		else if (isalpha((unsigned char)*p))
			d = tolower((unsigned char)*p) - 'a' + 10;
		else
			break;
		if (d >= base)
			break;
		any = true;
		if (v > (ULLONG_MAX - (unsigned)d) / (unsigned)base)
			*overflow = true;
		else
			v = v * (unsigned)base + (unsigned)d;
	}
	if (end)
		*end = (char *)(any ? p : s);
	return any ? v : 0;
}

unsigned long long strtoull(const char *s, char **end, int base)
{
	bool neg, overflow;
	unsigned long long v = libc_strto(s, end, base, &neg, &overflow);

	if (overflow) {
		errno = ERANGE;
		return ULLONG_MAX;
	}
	return neg ? -v : v;
}

long long strtoll(const char *s, char **end, int base)
{
	bool neg, overflow;
	unsigned long long v = libc_strto(s, end, base, &neg, &overflow);

	if (!neg && (overflow || v > (unsigned long long)LLONG_MAX)) {
		errno = ERANGE;
		return LLONG_MAX;
	}
	if (neg && (overflow || v > (unsigned long long)LLONG_MAX + 1)) {
		errno = ERANGE;
		return LLONG_MIN;
	}
	return neg ? (long long)(0 - v) : (long long)v;
}

unsigned long strtoul(const char *s, char **end, int base)
{
	return strtoull(s, end, base);
}

long strtol(const char *s, char **end, int base)
{
	return strtoll(s, end, base);
}

int atoi(const char *s)
{
	return (int)strtol(s, NULL, 10);
}

long atol(const char *s)
{
	return strtol(s, NULL, 10);
}

int abs(int x)
{
	return x < 0 ? -x : x;
}

long labs(long x)
{
	return x < 0 ? -x : x;
}

static void libc_swap(char *a, char *b, size_t size)
{
	while (size--) {
		char t = *a;

		*a++ = *b;
		*b++ = t;
	}
}

/* Heap sort: O(n log n) in the worst case, no recursion, no allocation. */
static void libc_sift_down(char *base, size_t root, size_t n, size_t size,
                           int (*cmp)(const void *, const void *))
{
	for (;;) {
		size_t child = 2 * root + 1;

		if (child >= n)
			return;
		if (child + 1 < n && cmp(base + child * size, base + (child + 1) * size) < 0)
			child++;
		if (cmp(base + root * size, base + child * size) >= 0)
			return;
		libc_swap(base + root * size, base + child * size, size);
		root = child;
	}
}

void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	char *b = base;

	if (n < 2 || size == 0)
		return;
	for (size_t i = n / 2; i-- > 0;)
		libc_sift_down(b, i, n, size, cmp);
	for (size_t end = n - 1; end > 0; end--) {
		libc_swap(b, b + end * size, size);
		libc_sift_down(b, 0, end, size, cmp);
	}
}

void *bsearch(const void *key, const void *base, size_t n, size_t size,
              int (*cmp)(const void *, const void *))
{
	const char *b = base;

	while (n > 0) {
		const char *mid = b + (n / 2) * size;
		int c = cmp(key, mid);

		if (c == 0)
			return (void *)mid;
		if (c > 0) {
			b = mid + size;
			n -= n / 2 + 1;
		} else {
			n /= 2;
		}
	}
	return NULL;
}

char *getenv(const char *name)
{
	(void)name;
	return NULL;
}

char *secure_getenv(const char *name)
{
	(void)name;
	return NULL;
}

void abort(void)
{
	panic("C runtime: abort()");
}

void exit(int status)
{
	panic("C runtime: exit(%d)", status);
}

int atexit(void (*fn)(void))
{
	(void)fn;
	return 0; /* the SVSM never exits: nothing to run */
}

int rand(void)
{
	unsigned int v;

	if (plat_entropy_get(&v, sizeof(v)) != 0)
		panic("C runtime: rand(): no entropy");
	return (int)(v & RAND_MAX);
}

void srand(unsigned int seed)
{
	(void)seed; /* rand() is never a reproducible sequence here */
}
