/* SPDX-License-Identifier: MIT */
/*
 * Self-test of the csvsm C runtime, the pieces OpenSSL and libtpms use:
 * strings, memory, number parsing, formatted output, sorting, time
 * conversion, the regular expressions of libtpms' profiles, setjmp, and
 * allocation failure (sizes no heap holds, and the heap really exhausted).
 * The same body runs in the image's self-test and in the hosted Check test
 * (tests/check_libc.c, which compiles the runtime with renamed symbols).
 * Expected values are C99/POSIX semantics worked out by hand (dates:
 * `date -u -d @SECONDS`).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "libc_selftest.h"

struct st {
	int failures;
	char *msg;
	size_t msglen;
};

static void st_check(struct st *t, bool ok, const char *what, int line)
{
	if (ok)
		return;
	if (t->failures++ == 0 && t->msg)
		snprintf(t->msg, t->msglen, "libc selftest: line %d: %s", line, what);
}

#define CHECK(t, cond) st_check((t), (cond), #cond, __LINE__)

static void st_strings(struct st *t)
{
	char buf[16];
	char *d;

	CHECK(t, strlen("") == 0 && strlen("abc") == 3);
	CHECK(t, strnlen("abcdef", 4) == 4 && strnlen("ab", 4) == 2);
	CHECK(t, strcmp("abc", "abd") < 0 && strcmp("b", "a") > 0 && strcmp("x", "x") == 0);
	CHECK(t, strcmp("\xff", "a") > 0); /* compared as unsigned char */
	CHECK(t, strncmp("abcX", "abcY", 3) == 0 && strncmp("ab", "abc", 3) < 0);
	CHECK(t, strcasecmp("HeLLo", "hello") == 0 && strncasecmp("ABx", "aby", 2) == 0);
	CHECK(t, strchr("hello", 'l') && strchr("hello", 'l') - "hello" == 2);
	CHECK(t, strrchr("hello", 'l') - "hello" == 3 && strchr("hi", '\0') - "hi" == 2);
	CHECK(t, strchr("hello", 'z') == NULL && index("a,b", ',') != NULL);
	CHECK(t, strstr("haystack", "st") - "haystack" == 3 && strstr("abc", "") != NULL);
	CHECK(t, strstr("abc", "abcd") == NULL);
	CHECK(t, strspn("  x", " ") == 2 && strcspn("abc,d", ",") == 3);
	CHECK(t, strpbrk("abc", "xc") != NULL && *strpbrk("abc", "xc") == 'c');
	strcpy(buf, "ab");
	strcat(buf, "cd");
	strncat(buf, "efgh", 2);
	CHECK(t, strcmp(buf, "abcdef") == 0);
	memset(buf, 'x', sizeof(buf));
	strncpy(buf, "ab", 5);
	CHECK(t, memcmp(buf, "ab\0\0\0x", 6) == 0);
	d = strdup("dup");
	CHECK(t, d && strcmp(d, "dup") == 0);
	free(d);
	d = strndup("truncate", 5);
	CHECK(t, d && strcmp(d, "trunc") == 0);
	free(d);
	CHECK(t, memchr("abc", 'c', 3) != NULL && memchr("abc", 'c', 2) == NULL);
	CHECK(t, isspace(' ') && isspace('\n') && !isspace('x') && isxdigit('F') && !isxdigit('g'));
	CHECK(t,
	      toupper('a') == 'A' && tolower('Z') == 'z' && toupper('1') == '1' && !isalpha(0xe9));
}

static void st_numbers(struct st *t)
{
	char *end;

	CHECK(t, strtoul("42", &end, 10) == 42 && *end == '\0');
	CHECK(t, strtoul("  0x1F!", &end, 16) == 31 && *end == '!');
	CHECK(t, strtoul("0x1f", NULL, 0) == 31 && strtoul("017", NULL, 0) == 15);
	CHECK(t, strtol("-17", NULL, 10) == -17 && atoi("  +8") == 8);
	errno = 0;
	CHECK(t, strtoul("99999999999999999999", &end, 10) == ULONG_MAX && errno == ERANGE);
	errno = 0;
	CHECK(t, strtol("9223372036854775808", NULL, 10) == LONG_MAX && errno == ERANGE);
	errno = 0;
	CHECK(t, strtol("-9223372036854775808", NULL, 10) == LONG_MIN && errno == 0);
	CHECK(t, strtol("xyz", &end, 10) == 0 && strcmp(end, "xyz") == 0);
	CHECK(t, abs(-3) == 3 && labs(-4L) == 4);
}

static void st_format(struct st *t)
{
	char buf[64];
	char *s = NULL;
	unsigned int a = 0, b = 0, c = 0, d = 0;
	int n = 0, port = 0;

	CHECK(t, snprintf(buf, sizeof(buf), "%d|%5s|%-3x|%04u", -12, "ab", 0xaU, 7U) == 18);
	CHECK(t, strcmp(buf, "-12|   ab|a  |0007") == 0);
	CHECK(t, snprintf(buf, sizeof(buf), "%lu %zu %llx %c%%", 1UL << 40, (size_t)3, 0xdeadULL,
	                  'z') == 23);
	CHECK(t, strcmp(buf, "1099511627776 3 dead z%") == 0);
	CHECK(t, snprintf(buf, 4, "%s", "truncated") == 9 && strcmp(buf, "tru") == 0);
	CHECK(t, snprintf(NULL, 0, "%8.3d", 5) == 8);
	CHECK(t, asprintf(&s, "%s-%d", "x", 10) == 4 && s && strcmp(s, "x-10") == 0);
	free(s);
	CHECK(t, sscanf("10.0.2.15", "%d.%d.%d.%d%n", &a, &b, &c, &d, &n) == 4);
	CHECK(t, a == 10 && b == 0 && c == 2 && d == 15 && n == 9);
	CHECK(t, sscanf("8080", "%u", &port) == 1 && port == 8080);
	CHECK(t, sscanf("x", "%d", &port) == 0 && sscanf("", "%d", &port) == EOF);
	CHECK(t, fopen("/etc/passwd", "r") == NULL && errno == ENOENT);
}

/* vsnprintf through a variadic wrapper, as OpenSSL's and libtpms' loggers call it. */
static int st_vfmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/*
 * The rest of the conversions the libraries print with (libtpms' hex dumps
 * and debug lines, OpenSSL's error data): width and precision from the
 * arguments, pointers, the limits of every integer size, sprintf.
 */
static void st_format_more(struct st *t)
{
	char buf[96];

	CHECK(t, snprintf(buf, sizeof(buf), "[%*d|%-*s|%.*s]", 5, 42, 4, "ab", 3, "abcdef") == 16);
	CHECK(t, strcmp(buf, "[   42|ab  |abc]") == 0);
	CHECK(t, snprintf(buf, sizeof(buf), "%02x%02X %#06x %o", 0x5, 0xab, 0x1f, 8U) == 14);
	CHECK(t, strcmp(buf, "05AB 0x001f 10") == 0);
	CHECK(t, snprintf(buf, sizeof(buf), "%lld %llu", LLONG_MIN, ULLONG_MAX) == 41);
	CHECK(t, strcmp(buf, "-9223372036854775808 18446744073709551615") == 0);
	CHECK(t, snprintf(buf, sizeof(buf), "%hhd %hu %d", (signed char)-128, (unsigned short)65535,
	                  INT_MIN) == 22);
	CHECK(t, strcmp(buf, "-128 65535 -2147483648") == 0);
	CHECK(t, snprintf(buf, sizeof(buf), "%p %p", (void *)0x1000, (void *)0) == 12);
	CHECK(t, strcmp(buf, "0x1000 (nil)") == 0);
	CHECK(t, snprintf(buf, sizeof(buf), "%-6.2s|%6c|%+.3d", "xyz", 'q', 9) == 18);
	CHECK(t, strcmp(buf, "xy    |     q|+009") == 0);
	CHECK(t, sprintf(buf, "%s:%u", "pcr", 16U) == 6 && strcmp(buf, "pcr:16") == 0);
	CHECK(t, st_vfmt(buf, 8, "%08lx%s", 0xabcUL, "tail") == 12 && strcmp(buf, "00000ab") == 0);
	CHECK(t, st_vfmt(buf, 1, "%d", 12345) == 5 && buf[0] == '\0');
}

static int st_cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static void st_sort(struct st *t)
{
	int v[] = {5, -1, 9, 3, 3, 0, 12, -7, 8, 1, 4};
	const int sorted[] = {-7, -1, 0, 1, 3, 3, 4, 5, 8, 9, 12};
	int key = 8;

	qsort(v, sizeof(v) / sizeof(v[0]), sizeof(v[0]), st_cmp_int);
	CHECK(t, memcmp(v, sorted, sizeof(v)) == 0);
	CHECK(t, bsearch(&key, v, 11, sizeof(int), st_cmp_int) == &v[8]);
	key = 2;
	CHECK(t, bsearch(&key, v, 11, sizeof(int), st_cmp_int) == NULL);
}

static void st_time(struct st *t)
{
	struct tm tm;
	time_t s = 951782400; /* date -u -d @951782400: Tue Feb 29 00:00:00 UTC 2000 */

	CHECK(t, gmtime_r(&s, &tm) == &tm);
	CHECK(t, tm.tm_year == 100 && tm.tm_mon == 1 && tm.tm_mday == 29 && tm.tm_wday == 2);
	CHECK(t, tm.tm_yday == 59 && tm.tm_hour == 0);
	s = 0; /* Thu Jan  1 00:00:00 UTC 1970 */
	gmtime_r(&s, &tm);
	CHECK(t, tm.tm_year == 70 && tm.tm_mon == 0 && tm.tm_mday == 1 && tm.tm_wday == 4);
	s = 1767225599; /* Wed Dec 31 23:59:59 UTC 2025 */
	gmtime_r(&s, &tm);
	CHECK(t, tm.tm_year == 125 && tm.tm_mon == 11 && tm.tm_mday == 31 && tm.tm_wday == 3);
	CHECK(t, tm.tm_hour == 23 && tm.tm_min == 59 && tm.tm_sec == 59 && tm.tm_yday == 364);
}

/* libtpms' profile patterns (RuntimeProfile.c) on a profile it writes. */
static void st_regex(struct st *t)
{
	static const char json[] = "{\"Name\":\"default-v1\", \"StateFormatLevel\":7,"
	                           "\"Commands\":\"0x11f-0x122,0x124-0x12e\",\"Attributes\":\"\"}";
	static const char check[] = "^\\{[[:space:]]*([[:space:]]*\"[^\"]+\"[[:space:]]*:[[:space:]"
	                            "]*(\"[^\"]*\"|[[:digit:]]+)"
	                            "[[:space:]]*)?(,[[:space:]]*\"[^\"]+\"[[:space:]]*:[[:space:]]"
	                            "*(\"[^\"]*\"|[[:digit:]]+)"
	                            "[[:space:]]*)*\\}$";
	static const char name[] =
	    "^\\{.*[[:space:]]*\"Name\"[[:space:]]*:[[:space:]]*\"([^\"]+)\".*\\}$";
	static const char level[] =
	    "^\\{.*[[:space:]]*\"StateFormatLevel\"[[:space:]]*:[[:space:]]*([0-9]+).*\\}$";
	regmatch_t m[2];
	regex_t re;

	CHECK(t, regcomp(&re, check, REG_EXTENDED | REG_NOSUB) == 0);
	CHECK(t, regexec(&re, json, 0, NULL, 0) == 0);
	CHECK(t, regexec(&re, "{\"a\":1,}", 0, NULL, 0) == REG_NOMATCH);
	CHECK(t, regexec(&re, "{\"a\" 1}", 0, NULL, 0) == REG_NOMATCH);
	regfree(&re);
	CHECK(t, regcomp(&re, name, REG_EXTENDED) == 0);
	CHECK(t, regexec(&re, json, 2, m, 0) == 0 && m[1].rm_so == 9 && m[1].rm_eo == 19);
	regfree(&re);
	CHECK(t, regcomp(&re, level, REG_EXTENDED) == 0);
	CHECK(t, regexec(&re, json, 2, m, 0) == 0 && m[1].rm_eo - m[1].rm_so == 1 &&
	             json[m[1].rm_so] == '7');
	regfree(&re);
	CHECK(t, regcomp(&re, "a{2}", REG_EXTENDED) == REG_BADPAT);
	CHECK(t, regcomp(&re, "(ab", REG_EXTENDED) == REG_BADPAT);
	CHECK(t, regcomp(&re, "a|b+c", REG_EXTENDED) == 0);
	CHECK(t, regexec(&re, "xxbbbc", 1, m, 0) == 0 && m[0].rm_so == 2 && m[0].rm_eo == 6);
	regfree(&re);
}

/*
 * Hostile subjects (profile strings come from stored state): a long one is
 * matched in bounded memory without recursion, and a pattern that makes
 * backtracking matchers exponential finishes at once.
 */
static void st_regex_hostile(struct st *t)
{
	static const char check[] = "^\\{(,\"a\":1)*\\}$";
	size_t n = 100, len = 2 + n * 6; /* deep enough to overflow a recursive matcher */
	char *s = malloc(len + 1);
	regex_t re;

	CHECK(t, s != NULL);
	if (!s)
		return;
	s[0] = '{';
	for (size_t i = 0; i < n; i++)
		memcpy(s + 1 + i * 6, ",\"a\":1", 6);
	s[len - 1] = '}';
	s[len] = '\0';
	CHECK(t, regcomp(&re, check, REG_EXTENDED) == 0);
	CHECK(t, regexec(&re, s, 0, NULL, 0) == 0);
	s[len - 2] = 'x';
	CHECK(t, regexec(&re, s, 0, NULL, 0) == REG_NOMATCH);
	regfree(&re);
	memset(s, 'a', 200); /* a backtracker would need about 2^200 steps */
	s[200] = '\0';
	CHECK(t, regcomp(&re, "^(a*)*b$", REG_EXTENDED) == 0);
	CHECK(t, regexec(&re, s, 0, NULL, 0) == REG_NOMATCH);
	regfree(&re);
	free(s);
}

static jmp_buf st_env;

static __attribute__((noinline)) void st_jump(int v)
{
	longjmp(st_env, v);
}

static void st_setjmp(struct st *t)
{
	volatile int calls = 0;
	int rc = setjmp(st_env);

	calls++;
	if (rc == 0)
		st_jump(0); /* longjmp(…, 0) returns 1, as C requires */
	CHECK(t, rc == 1 && calls == 2);
}

static void st_alloc(struct st *t)
{
	void *p, *q;

	errno = 0;
	CHECK(t, malloc((size_t)1 << 50) == NULL && errno == ENOMEM);
	errno = 0;
	CHECK(t, calloc(SIZE_MAX / 2, 4) == NULL && errno == ENOMEM);
	p = malloc(24);
	CHECK(t, p != NULL && ((unsigned long)p & 15) == 0);
	if (!p)
		return;
	memcpy(p, "keep me", 8);
	q = realloc(p, (size_t)1 << 50); /* fails: the old block stays valid */
	CHECK(t, q == NULL && strcmp(p, "keep me") == 0);
	q = realloc(p, 5000);
	CHECK(t, q != NULL && strcmp(q, "keep me") == 0);
	free(q ? q : p);
	p = calloc(3, 8);
	CHECK(t, p != NULL && memcmp(p, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 24) == 0);
	free(p);
	free(NULL);
}

/*
 * Allocation failure by real exhaustion (st_alloc only asks for sizes no
 * heap holds): the heap is filled with page-sized, then small blocks until
 * malloc returns NULL with ENOMEM; then every allocating function the
 * libraries call fails cleanly (strdup, strndup, asprintf, calloc, realloc
 * growing a block, which stays intact), and once everything is freed the
 * heap gives at least as many blocks again: nothing leaked on the failure
 * paths. Blocks are chained through their first word (no array needed).
 */
#define ST_PAGE_BLOCK (4096 - 16) /* one page with malloc's 16-byte header */
#define ST_MAX_BLOCKS 65536       /* 256 MiB of pages: the heaps here are a few MiB */

static size_t st_fill(void **head, size_t size)
{
	size_t n = 0;
	void **p;

	while (n < ST_MAX_BLOCKS && (p = malloc(size)) != NULL) {
		*p = *head;
		*head = p;
		n++;
	}
	return n;
}

static void st_release(void *head)
{
	while (head) {
		void *next = *(void **)head;

		free(head);
		head = next;
	}
}

static void st_exhaust(struct st *t)
{
	void *pages = NULL, *small = NULL;
	char *keep = malloc(32), *s = keep;
	size_t npages, nsmall, again;
	int err;

	CHECK(t, keep != NULL);
	if (!keep)
		return;
	memcpy(keep, "kept through exhaustion", 24);
	errno = 0;
	npages = st_fill(&pages, ST_PAGE_BLOCK);
	err = errno;
	nsmall = st_fill(&small, 16);
	CHECK(t, npages > 0 && npages < ST_MAX_BLOCKS && nsmall < ST_MAX_BLOCKS);
	CHECK(t, err == ENOMEM);
	errno = 0;
	CHECK(t, malloc(1) == NULL && errno == ENOMEM);
	CHECK(t, strdup("x") == NULL && strndup("abc", 2) == NULL);
	CHECK(t, asprintf(&s, "%d", 7) == -1 && s == NULL);
	CHECK(t, calloc(2, 8) == NULL);
	CHECK(t, realloc(keep, 4096) == NULL && strcmp(keep, "kept through exhaustion") == 0);
	st_release(small);
	st_release(pages);
	free(keep);
	pages = NULL;
	again = st_fill(&pages, ST_PAGE_BLOCK);
	CHECK(t, again >= npages);
	st_release(pages);
}

int libc_selftest(char *msg, size_t msglen)
{
	struct st t = {0, msg, msglen};

	if (msg && msglen)
		msg[0] = '\0';
	st_strings(&t);
	st_numbers(&t);
	st_format(&t);
	st_format_more(&t);
	st_sort(&t);
	st_time(&t);
	st_regex(&t);
	st_regex_hostile(&t);
	st_setjmp(&t);
	st_alloc(&t);
	st_exhaust(&t);
	return t.failures;
}
