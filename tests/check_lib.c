/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of src/lib: the freestanding helpers. Where a helper promises
 * libc behaviour, it is compared against the host libc over many inputs.
 * Random inputs come from a fixed-seed generator, so runs are reproducible.
 */
#include <check.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "csvsm/error.h"
#include "csvsm/lib/bitmap.h"
#include "csvsm/lib/format.h"
#include "csvsm/lib/list.h"
#include "csvsm/lib/spinlock.h"
#include "csvsm/lib/string.h"
#include "csvsm/log.h"
#include "csvsm/panic.h"
#include "sim_plat.h"
#include "test_rng.h"

/* ---- deterministic randomness ------------------------------------------ */

static int sign_of(int v)
{
	return (v > 0) - (v < 0);
}

/* ---- mem_* against libc ------------------------------------------------ */

#define MEM_MAX_LEN  300
#define MEM_MAX_OFF  16
#define MEM_GUARD    32
#define MEM_BUF_SIZE (MEM_GUARD + MEM_MAX_OFF + MEM_MAX_LEN + MEM_GUARD)

/* Lengths to try for each alignment pair: every small one, then random. */
static size_t mem_test_len(size_t i)
{
	if (i <= 40)
		return i;
	return 41 + rng_below(MEM_MAX_LEN - 40);
}

#define MEM_LENS_PER_PAIR 56

START_TEST(test_mem_copy_vs_libc)
{
	static unsigned char src[MEM_BUF_SIZE], want[MEM_BUF_SIZE], got[MEM_BUF_SIZE];

	rng_seed(1);
	for (size_t so = 0; so < MEM_MAX_OFF; so++) {
		for (size_t doff = 0; doff < MEM_MAX_OFF; doff++) {
			for (size_t i = 0; i < MEM_LENS_PER_PAIR; i++) {
				size_t n = mem_test_len(i);
				void *ret;

				rng_fill(src, sizeof(src));
				rng_fill(want, sizeof(want));
				memcpy(got, want, sizeof(got));
				memcpy(want + MEM_GUARD + doff, src + MEM_GUARD + so, n);
				ret = mem_copy(got + MEM_GUARD + doff, src + MEM_GUARD + so, n);
				if (ret != got + MEM_GUARD + doff ||
				    memcmp(want, got, sizeof(got)) != 0)
					ck_abort_msg("mem_copy n=%zu src_off=%zu dst_off=%zu", n,
					             so, doff);
			}
		}
	}
}
END_TEST

START_TEST(test_mem_move_vs_libc)
{
	/* One buffer; src and dst ranges overlap in both directions. */
	static unsigned char want[4 * MEM_MAX_LEN], got[4 * MEM_MAX_LEN];

	rng_seed(2);
	for (size_t so = 0; so < MEM_MAX_OFF; so++) {
		for (size_t doff = 0; doff < MEM_MAX_OFF; doff++) {
			for (size_t i = 0; i < MEM_LENS_PER_PAIR; i++) {
				size_t n = mem_test_len(i);
				/* dst - src in [-(n + 8), n + 8], then the offsets. */
				long shift = (long)rng_below(2 * n + 17) - (long)(n + 8);
				size_t base = MEM_MAX_LEN + MEM_MAX_OFF;
				size_t s = base + so;
				size_t d = (size_t)((long)base + shift) + doff;
				void *ret;

				if (i % 4 == 0)
					d = s + doff; /* also small exact shifts, incl. 0 */
				rng_fill(want, sizeof(want));
				memcpy(got, want, sizeof(got));
				memmove(want + d, want + s, n);
				ret = mem_move(got + d, got + s, n);
				if (ret != got + d || memcmp(want, got, sizeof(got)) != 0)
					ck_abort_msg("mem_move n=%zu src=%zu dst=%zu", n, s, d);
			}
		}
	}
}
END_TEST

START_TEST(test_mem_move_every_shift)
{
	static unsigned char want[256], got[256];

	/* Every (src, dst) pair of a small buffer, for several lengths. */
	rng_seed(3);
	for (size_t n = 0; n <= 80; n += (n < 20 ? 1 : 7)) {
		for (size_t s = 0; s + n <= 100; s++) {
			for (size_t d = 0; d + n <= 100; d++) {
				rng_fill(want, sizeof(want));
				memcpy(got, want, sizeof(got));
				memmove(want + d, want + s, n);
				mem_move(got + d, got + s, n);
				if (memcmp(want, got, sizeof(got)) != 0)
					ck_abort_msg("mem_move n=%zu src=%zu dst=%zu", n, s, d);
			}
		}
	}
}
END_TEST

START_TEST(test_mem_set_vs_libc)
{
	static unsigned char want[MEM_BUF_SIZE], got[MEM_BUF_SIZE];
	static const int values[] = {0, 0xff, 0x5a, 1, -1, 0x1ab, -129};

	rng_seed(4);
	for (size_t off = 0; off < MEM_MAX_OFF; off++) {
		for (size_t i = 0; i < 4 * MEM_LENS_PER_PAIR; i++) {
			size_t n = mem_test_len(i % MEM_LENS_PER_PAIR);
			int c = values[rng_below(ARRAY_SIZE(values))];
			void *ret;

			rng_fill(want, sizeof(want));
			memcpy(got, want, sizeof(got));
			memset(want + MEM_GUARD + off, c, n);
			ret = mem_set(got + MEM_GUARD + off, c, n);
			if (ret != got + MEM_GUARD + off || memcmp(want, got, sizeof(got)) != 0)
				ck_abort_msg("mem_set n=%zu off=%zu c=%d", n, off, c);
		}
	}
}
END_TEST

START_TEST(test_mem_cmp_vs_libc)
{
	static unsigned char a[MEM_BUF_SIZE], b[MEM_BUF_SIZE];

	rng_seed(5);
	for (size_t ao = 0; ao < MEM_MAX_OFF; ao++) {
		for (size_t bo = 0; bo < MEM_MAX_OFF; bo++) {
			for (size_t i = 0; i < MEM_LENS_PER_PAIR; i++) {
				size_t n = mem_test_len(i);
				unsigned char *pa = a + MEM_GUARD + ao;
				unsigned char *pb = b + MEM_GUARD + bo;
				int want;
				int got;

				rng_fill(a, sizeof(a));
				rng_fill(b, sizeof(b));
				memcpy(pb, pa, n);
				/* Differences outside [0, n) must not matter. */
				pb[-1] = (unsigned char)(pa[-1] + 1);
				pb[n] = (unsigned char)(pa[n] + 1);
				if (n > 0 && i % 3 != 0) {
					/* One or two differing bytes, often >= 0x80. */
					pb[rng_below(n)] = (unsigned char)rng_next();
					if (i % 2)
						pb[rng_below(n)] ^= 0x80;
				}
				want = memcmp(pa, pb, n);
				got = mem_cmp(pa, pb, n);
				if (sign_of(want) != sign_of(got))
					ck_abort_msg("mem_cmp n=%zu: libc %d, csvsm %d", n, want,
					             got);
			}
		}
	}
	/* Unsigned comparison. */
	ck_assert_int_gt(mem_cmp("\x80", "\x7f", 1), 0);
	ck_assert_int_lt(mem_cmp("\x01", "\xff", 1), 0);
	ck_assert_int_eq(mem_cmp(NULL, NULL, 0), 0);
}
END_TEST

START_TEST(test_mem_is_zero)
{
	static unsigned char buf[MEM_BUF_SIZE];

	for (size_t off = 0; off < MEM_MAX_OFF; off++) {
		for (size_t n = 0; n <= 140; n++) {
			unsigned char *p = buf + MEM_GUARD + off;

			memset(buf, 0xee, sizeof(buf));
			memset(p, 0, n);
			ck_assert(mem_is_zero(p, n));
			for (size_t k = 0; k < n; k++) {
				p[k] = (unsigned char)(1u << (k % 8));
				if (mem_is_zero(p, n))
					ck_abort_msg("mem_is_zero n=%zu off=%zu k=%zu", n, off, k);
				p[k] = 0;
			}
		}
	}
}
END_TEST

START_TEST(test_mem_page_zeroing)
{
	unsigned char *page = aligned_alloc(PAGE_SIZE, 2 * PAGE_SIZE);

	ck_assert_ptr_nonnull(page);
	memset(page, 0xa5, 2 * PAGE_SIZE);
	ck_assert_ptr_eq(mem_set(page, 0, PAGE_SIZE), page);
	ck_assert(mem_is_zero(page, PAGE_SIZE));
	ck_assert(!mem_is_zero(page, PAGE_SIZE + 1));
	ck_assert_int_eq(page[PAGE_SIZE], 0xa5);
	page[PAGE_SIZE - 1] = 1;
	ck_assert(!mem_is_zero(page, PAGE_SIZE));
	/* Page copy. */
	mem_copy(page + PAGE_SIZE, page, PAGE_SIZE);
	ck_assert_int_eq(memcmp(page, page + PAGE_SIZE, PAGE_SIZE), 0);
	free(page);
}
END_TEST

/* ---- str_* ------------------------------------------------------------- */

static const char *const str_samples[] = {
    "",
    "a",
    "b",
    "ab",
    "abc",
    "abd",
    "abcd",
    "ABC",
    "\x7f",
    "\x80",
    "\xff",
    "a\xff",
    "a\x01",
    "hello, world",
    "hello",
    "hello, worle",
    "0123456789abcdef0123456789abcdef",
};

START_TEST(test_str_len)
{
	for (size_t i = 0; i < ARRAY_SIZE(str_samples); i++) {
		const char *s = str_samples[i];
		size_t len = strlen(s);

		ck_assert_uint_eq(str_len(s), len);
		for (size_t max = 0; max <= len + 2; max++)
			ck_assert_uint_eq(str_nlen(s, max), strnlen(s, max));
	}
}
END_TEST

START_TEST(test_str_nlen_unterminated)
{
	/* Exactly 8 bytes, no NUL: ASan catches any read past them. */
	char *buf = malloc(8);

	ck_assert_ptr_nonnull(buf);
	memset(buf, 'x', 8);
	ck_assert_uint_eq(str_nlen(buf, 8), 8);
	ck_assert_uint_eq(str_nlen(buf, 3), 3);
	buf[5] = '\0';
	ck_assert_uint_eq(str_nlen(buf, 8), 5);
	free(buf);
}
END_TEST

START_TEST(test_str_cmp)
{
	for (size_t i = 0; i < ARRAY_SIZE(str_samples); i++) {
		for (size_t j = 0; j < ARRAY_SIZE(str_samples); j++) {
			const char *a = str_samples[i];
			const char *b = str_samples[j];

			ck_assert_int_eq(sign_of(str_cmp(a, b)), sign_of(strcmp(a, b)));
			for (size_t n = 0; n <= 14; n++) {
				if (sign_of(str_ncmp(a, b, n)) != sign_of(strncmp(a, b, n)))
					ck_abort_msg("str_ncmp(\"%s\", \"%s\", %zu)", a, b, n);
			}
		}
	}
	ck_assert_int_gt(str_cmp("\x80", "a"), 0);
	ck_assert_int_eq(str_ncmp("abc", "abd", 2), 0);
	ck_assert_int_eq(str_ncmp("x", "y", 0), 0);
}
END_TEST

START_TEST(test_str_chr)
{
	static const int chars[] = {'a', 'b', 'c',  'l', 'o',       ',',
	                            0,   'z', 0xff, -1,  'a' + 256, 0x80};

	for (size_t i = 0; i < ARRAY_SIZE(str_samples); i++) {
		for (size_t j = 0; j < ARRAY_SIZE(chars); j++) {
			const char *s = str_samples[i];

			if (str_chr(s, chars[j]) != strchr(s, chars[j]))
				ck_abort_msg("str_chr(\"%s\", %d)", s, chars[j]);
		}
	}
	{
		const char *s = "abc";

		ck_assert_ptr_eq(str_chr(s, '\0'), s + 3);
		ck_assert_ptr_null(str_chr(s, 'd'));
	}
}
END_TEST

START_TEST(test_str_lcpy)
{
	static const char src[] = "0123456789";
	char buf[16];

	for (size_t size = 0; size <= sizeof(buf); size++) {
		memset(buf, '#', sizeof(buf));
		ck_assert_uint_eq(str_lcpy(buf, src, size), strlen(src));
		if (size == 0) {
			ck_assert_int_eq(buf[0], '#');
			continue;
		}
		size_t copied = MIN(size - 1, strlen(src));

		ck_assert_int_eq(memcmp(buf, src, copied), 0);
		ck_assert_int_eq(buf[copied], '\0');
		for (size_t k = copied + 1; k < sizeof(buf); k++)
			ck_assert_int_eq(buf[k], '#');
	}
	ck_assert_uint_eq(str_lcpy(NULL, "abc", 0), 3);
	ck_assert_uint_eq(str_lcpy(buf, "", sizeof(buf)), 0);
	ck_assert_str_eq(buf, "");
	ck_assert_uint_eq(str_lcpy(buf, "abcdef", 4), 6);
	ck_assert_str_eq(buf, "abc");
}
END_TEST

/* ---- fmt_* against libc snprintf --------------------------------------- */

#define FMT_BUF 512

static unsigned long fmt_checks;

/*
 * Formats with libc and with fmt_vsnprintf at several buffer sizes, and
 * fails unless return values and every byte of the buffers agree (so bytes
 * past the size must stay untouched).
 */
static void check_fmt_v(const char *file, int line, const char *fmt, va_list ap)
{
	static const size_t sizes[] = {0, 1, 2, 5, 17, FMT_BUF};
	char want[FMT_BUF + 8];
	char got[FMT_BUF + 8];

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t size = sizes[i];
		va_list a1;
		va_list a2;
		int rw;
		int rg;

		memset(want, 0x7e, sizeof(want));
		memset(got, 0x7e, sizeof(got));
		va_copy(a1, ap);
		va_copy(a2, ap);
		rw = vsnprintf(size ? want : NULL, size, fmt, a1);
		rg = fmt_vsnprintf(size ? got : NULL, size, fmt, a2);
		va_end(a1);
		va_end(a2);
		fmt_checks++;
		if (rw != rg || memcmp(want, got, sizeof(want)) != 0) {
			ck_abort_msg("%s:%d: format \"%s\" size %zu: libc %d \"%.*s\", csvsm %d "
			             "\"%.*s\"",
			             file, line, fmt, size, rw, (int)strnlen(want, size), want, rg,
			             (int)strnlen(got, size), got);
		}
	}
}

static void check_fmt_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void check_fmt_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_fmt_v(file, line, fmt, ap);
	va_end(ap);
}

/* Same output and return value as libc snprintf for this format and arguments. */
#define CHECK_FMT(...) check_fmt_at(__FILE__, __LINE__, __VA_ARGS__)

/* fmt_snprintf into a large buffer must give exactly `want`. */
#define CHECK_FMT_IS(want, ...)                                                                    \
	do {                                                                                       \
		char out_[FMT_BUF];                                                                \
		int ret_ = fmt_snprintf(out_, sizeof(out_), __VA_ARGS__);                          \
		ck_assert_str_eq(out_, want);                                                      \
		ck_assert_int_eq(ret_, (int)strlen(want));                                         \
	} while (0)

/*
 * The tables below use formats that -Wformat rightly frowns upon (flags
 * that C calls meaningless, an empty format, unknown conversions): checking
 * them is the point.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-zero-length"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#ifndef __clang__
#pragma GCC diagnostic ignored "-Wformat-overflow"
#endif

START_TEST(test_fmt_table)
{
	int dummy;

	CHECK_FMT("plain text");
	CHECK_FMT("");
	CHECK_FMT("%%");
	CHECK_FMT("100%% sure, %d%%", 50);
	CHECK_FMT("%d %i %u %x %X %o", 42, -42, 42u, 0xbeefu, 0xbeefu, 8u);
	CHECK_FMT("%d", INT_MIN);
	CHECK_FMT("%d", INT_MAX);
	CHECK_FMT("%i", INT_MIN);
	CHECK_FMT("%+d", INT_MIN);
	CHECK_FMT("%30d|%-30d|%030d", INT_MIN, INT_MIN, INT_MIN);
	CHECK_FMT("%u %x %o", UINT_MAX, UINT_MAX, UINT_MAX);
	CHECK_FMT("%lld", LLONG_MIN);
	CHECK_FMT("%lld %lli", LLONG_MAX, LLONG_MIN);
	CHECK_FMT("%ld %lu %lx", LONG_MIN, ULONG_MAX, ULONG_MAX);
	CHECK_FMT("%llu", (unsigned long long)UINT64_MAX);
	CHECK_FMT("%llx %llX %llo", (unsigned long long)UINT64_MAX, (unsigned long long)UINT64_MAX,
	          (unsigned long long)UINT64_MAX);
	CHECK_FMT("%#llo %#llx %#llX", (unsigned long long)UINT64_MAX,
	          (unsigned long long)UINT64_MAX, (unsigned long long)UINT64_MAX);
	CHECK_FMT("%zu %zx %zd", SIZE_MAX, SIZE_MAX, (ssize_t)-5);
	CHECK_FMT("%zu", (size_t)0);
	CHECK_FMT("%hhu %hhd %hhx %hhd", 300, 300, -1, 200);
	CHECK_FMT("%hu %hd %hx %hd", 70000, 70000, -1, 40000);
	CHECK_FMT("%jd %ju %td", (intmax_t)INTMAX_MIN, (uintmax_t)UINTMAX_MAX, (ptrdiff_t)-7);
	CHECK_FMT("%c%c%c", 'a', 0x80 | 'b', 'c');
	CHECK_FMT("[%5c][%-5c][%05c]", 'x', 'y', 'z');
	CHECK_FMT("[%s][%10s][%-10s][%.2s][%10.2s][%-10.2s][%.0s][%.*s]", "hello", "hello", "hello",
	          "hello", "hello", "hello", "hello", 3, "hello");
	CHECK_FMT("[%*s][%-*s][%*s]", 8, "ab", 8, "ab", -8, "ab");
	CHECK_FMT("[%.*s]", -1, "negative precision is none");
	CHECK_FMT("[%s]", "");
	CHECK_FMT("%p", (void *)&dummy);
	CHECK_FMT("%p", (void *)0x1);
	CHECK_FMT("%p", (void *)UINTPTR_MAX);
	CHECK_FMT("[%20p][%-20p][%020p][%+p][% p][%.12p][%20.12p]", (void *)0x1234, (void *)0x1234,
	          (void *)0x1234, (void *)0x1234, (void *)0x1234, (void *)0x1234, (void *)0x1234);
	CHECK_FMT("[%p][%10p][%-10p][%010p][%+p][%.3p]", NULL, NULL, NULL, NULL, NULL, NULL);
	CHECK_FMT("%#x %#X %#o %#x %#o", 0u, 0u, 0u, 255u, 8u);
	CHECK_FMT("%#.0o %#.0x %.0d %.0u %5.0d|", 0u, 0u, 0, 0u, 0);
	CHECK_FMT("%#.3o %#.3x %#5o %#05x %#-8x|", 8u, 1u, 8u, 1u, 1u);
	CHECK_FMT("%+d %+d % d % d %+ d", 0, -1, 0, -1, 5);
	CHECK_FMT("%+.0d % .0d %+5.0d", 0, 0, 0);
	CHECK_FMT("%-05d|%0-5d|%08.3d|%-8.3d|%+08d|% 08d", 3, 3, -3, -3, 3, 3);
	CHECK_FMT("%.30d %.30lld %40.30x", -1, LLONG_MIN, 0xabcu);
	CHECK_FMT("%*d|%-*d|%*d|%.*d|%*.*d|%.*d", 6, 1, 6, 1, -6, 1, 4, 1, 8, 3, 7, -3, 0);
	CHECK_FMT("%.*d", -3, 42);
	CHECK_FMT("%0*d", -6, 42);
	CHECK_FMT("a%sb%dc%xd%ce", "str", -17, 0xffu, '!');
	CHECK_FMT("%s%s%s%s", "long string that goes on ", "and on ", "and on, ",
	          "past the small buffer sizes");
}
END_TEST

START_TEST(test_fmt_csvsm_specific)
{
	char buf[16];

	/* NULL strings. */
	CHECK_FMT_IS("(null)", "%s", (char *)NULL);
	CHECK_FMT_IS("[    (null)]", "[%10s]", (char *)NULL);
	CHECK_FMT_IS("[(nu]", "[%.3s]", (char *)NULL);
	CHECK_FMT_IS("(nil)", "%p", NULL);
	/* Unknown conversions are printed literally and take no argument. */
	CHECK_FMT_IS("%f 7", "%f %d", 7);
	CHECK_FMT_IS("[%-5.2q] 7", "[%-5.2q] %d", 7);
	CHECK_FMT_IS("%n", "%n");
	CHECK_FMT_IS("%lq", "%lq");
	/* A conversion cut off by the end of the format. */
	CHECK_FMT_IS("abc%", "abc%");
	CHECK_FMT_IS("abc%-5", "abc%-5");
	/* %% ignores width and flags. */
	CHECK_FMT_IS("%", "%5%");
	/* Saturated widths and overflowing lengths. */
	ck_assert_int_eq(fmt_snprintf(buf, sizeof(buf), "%*d", INT_MAX, 1), INT_MAX);
	ck_assert_str_eq(buf, "               ");
	ck_assert_int_eq(fmt_snprintf(buf, sizeof(buf), "%99999999999999999999d", 1), INT_MAX);
	ck_assert_int_eq(fmt_snprintf(buf, sizeof(buf), "%.99999999999999999999d", 1), INT_MAX);
	ck_assert_str_eq(buf, "000000000000000");
	ck_assert_int_eq(fmt_snprintf(buf, sizeof(buf), "%*d%d", INT_MAX, 1, 2), -CSVSM_ERANGE);
	ck_assert_int_eq(fmt_snprintf(buf, sizeof(buf), "%*d", INT_MIN, 1), INT_MAX);
	ck_assert_int_eq(buf[0], '1');
	/* size 0: buf untouched, may be NULL. */
	memset(buf, 'q', sizeof(buf));
	ck_assert_int_eq(fmt_snprintf(buf, 0, "%d", 12345), 5);
	ck_assert_int_eq(buf[0], 'q');
	ck_assert_int_eq(fmt_snprintf(NULL, 0, "%s", "abc"), 3);
	/* size 1: just the NUL. */
	ck_assert_int_eq(fmt_snprintf(buf, 1, "%d", 12345), 5);
	ck_assert_int_eq(buf[0], '\0');
	ck_assert_int_eq(buf[1], 'q');
}
END_TEST

#pragma GCC diagnostic pop

/* Formats built from every flag set, width and precision, for one conversion. */
static const char *const fmt_widths[] = {"", "1", "6", "25"};
static const char *const fmt_precs[] = {"", ".", ".0", ".1", ".4", ".22"};

enum fmt_arg_kind {
	ARG_INT,
	ARG_UINT,
	ARG_LONG,
	ARG_ULONG,
	ARG_LLONG,
	ARG_ULLONG,
	ARG_SIZE,
	ARG_SSIZE,
};

static const long long fmt_signed_values[] = {
    0,
    1,
    -1,
    7,
    42,
    -42,
    127,
    -128,
    255,
    256,
    32767,
    -32768,
    65535,
    1000000,
    INT_MAX,
    INT_MIN,
    LLONG_MAX,
    LLONG_MIN,
    1234567890123LL,
    -1234567890123LL,
};

static const unsigned long long fmt_unsigned_values[] = {
    0,
    1,
    7,
    8,
    255,
    256,
    0xdeadbeefu,
    UINT_MAX,
    0x80000000u,
    65535,
    ULLONG_MAX,
    0x8000000000000000ULL,
    1234567890123ULL,
    0x10u,
};

static void check_fmt_value(const char *fmt, enum fmt_arg_kind kind, unsigned long long v)
{
	switch (kind) {
	case ARG_INT:
		check_fmt_at(__FILE__, __LINE__, fmt, (int)v);
		break;
	case ARG_UINT:
		check_fmt_at(__FILE__, __LINE__, fmt, (unsigned int)v);
		break;
	case ARG_LONG:
		check_fmt_at(__FILE__, __LINE__, fmt, (long)v);
		break;
	case ARG_ULONG:
		check_fmt_at(__FILE__, __LINE__, fmt, (unsigned long)v);
		break;
	case ARG_LLONG:
		check_fmt_at(__FILE__, __LINE__, fmt, (long long)v);
		break;
	case ARG_ULLONG:
		check_fmt_at(__FILE__, __LINE__, fmt, v);
		break;
	case ARG_SIZE:
		check_fmt_at(__FILE__, __LINE__, fmt, (size_t)v);
		break;
	case ARG_SSIZE:
		check_fmt_at(__FILE__, __LINE__, fmt, (ssize_t)v);
		break;
	}
}

/* All formats "%<flags><width><prec><conv>" whose flags are in `flags`. */
static void check_fmt_combos(const char *flags, const char *conv, enum fmt_arg_kind kind)
{
	size_t nflags = strlen(flags);
	bool is_signed =
	    kind == ARG_INT || kind == ARG_LONG || kind == ARG_LLONG || kind == ARG_SSIZE;

	for (unsigned int set = 0; set < (1u << nflags); set++) {
		for (size_t w = 0; w < ARRAY_SIZE(fmt_widths); w++) {
			for (size_t p = 0; p < ARRAY_SIZE(fmt_precs); p++) {
				char fmt[32];
				size_t len = 0;

				fmt[len++] = '%';
				for (size_t f = 0; f < nflags; f++) {
					if (set & (1u << f))
						fmt[len++] = flags[f];
				}
				snprintf(fmt + len, sizeof(fmt) - len, "%s%s%s", fmt_widths[w],
				         fmt_precs[p], conv);
				if (is_signed) {
					for (size_t i = 0; i < ARRAY_SIZE(fmt_signed_values); i++)
						check_fmt_value(
						    fmt, kind,
						    (unsigned long long)fmt_signed_values[i]);
				} else {
					for (size_t i = 0; i < ARRAY_SIZE(fmt_unsigned_values); i++)
						check_fmt_value(fmt, kind, fmt_unsigned_values[i]);
				}
			}
		}
	}
}

START_TEST(test_fmt_combos_signed)
{
	fmt_checks = 0;
	check_fmt_combos("-0+ ", "d", ARG_INT);
	check_fmt_combos("-0+ ", "i", ARG_INT);
	check_fmt_combos("-0+ ", "hhd", ARG_INT);
	check_fmt_combos("-0+ ", "hd", ARG_INT);
	check_fmt_combos("-0+ ", "ld", ARG_LONG);
	check_fmt_combos("-0+ ", "lld", ARG_LLONG);
	check_fmt_combos("-0+ ", "zd", ARG_SSIZE);
	ck_assert_uint_gt(fmt_checks, 300000); /* the loops did run */
}
END_TEST

START_TEST(test_fmt_combos_unsigned)
{
	fmt_checks = 0;
	check_fmt_combos("-0+ ", "u", ARG_UINT);
	check_fmt_combos("-0#", "o", ARG_UINT);
	check_fmt_combos("-0#", "x", ARG_UINT);
	check_fmt_combos("-0#", "X", ARG_UINT);
	check_fmt_combos("-0#", "hhx", ARG_UINT);
	check_fmt_combos("-0", "hhu", ARG_UINT);
	check_fmt_combos("-0#", "ho", ARG_UINT);
	check_fmt_combos("-0", "lu", ARG_ULONG);
	check_fmt_combos("-0#", "lx", ARG_ULONG);
	check_fmt_combos("-0#", "llx", ARG_ULLONG);
	check_fmt_combos("-0#", "llo", ARG_ULLONG);
	check_fmt_combos("-0", "llu", ARG_ULLONG);
	check_fmt_combos("-0#", "zx", ARG_SIZE);
	check_fmt_combos("-0", "zu", ARG_SIZE);
	ck_assert_uint_gt(fmt_checks, 200000);
}
END_TEST

START_TEST(test_fmt_combos_other)
{
	static const char *const strs[] = {"", "a", "hello", "a string longer than 25 chars"};
	static const uintptr_t ptrs[] = {0, 1, 0x1234, 0xffffffff81000000u, UINTPTR_MAX};

	for (size_t w = 0; w < ARRAY_SIZE(fmt_widths); w++) {
		for (size_t p = 0; p < ARRAY_SIZE(fmt_precs); p++) {
			for (int left = 0; left < 2; left++) {
				char fmt[32];

				snprintf(fmt, sizeof(fmt), "%%%s%s%ss", left ? "-" : "",
				         fmt_widths[w], fmt_precs[p]);
				for (size_t i = 0; i < ARRAY_SIZE(strs); i++)
					check_fmt_at(__FILE__, __LINE__, fmt, strs[i]);
				snprintf(fmt, sizeof(fmt), "%%%s%sc", left ? "-" : "",
				         fmt_widths[w]);
				check_fmt_at(__FILE__, __LINE__, fmt, 'c');
			}
		}
	}
	/* %p: flags '-' '0' '+' ' ' (not '#', undefined in C). */
	for (unsigned int set = 0; set < 16; set++) {
		for (size_t w = 0; w < ARRAY_SIZE(fmt_widths); w++) {
			for (size_t p = 0; p < ARRAY_SIZE(fmt_precs); p++) {
				char fmt[32];

				snprintf(fmt, sizeof(fmt), "%%%s%s%s%s%s%sp", set & 1 ? "-" : "",
				         set & 2 ? "0" : "", set & 4 ? "+" : "", set & 8 ? " " : "",
				         fmt_widths[w], fmt_precs[p]);
				for (size_t i = 0; i < ARRAY_SIZE(ptrs); i++)
					check_fmt_at(__FILE__, __LINE__, fmt, (void *)ptrs[i]);
			}
		}
	}
}
END_TEST

START_TEST(test_fmt_truncation)
{
	/* Every size from 0 to past the end, against libc. */
	char want[64];
	char got[64];

	for (size_t size = 0; size <= sizeof(got); size++) {
		int rw;
		int rg;

		memset(want, 'Z', sizeof(want));
		memset(got, 'Z', sizeof(got));
		rw = snprintf(want, size, "%s=%08x/%-6d|%lld", "key", 0xabcdu, -12, LLONG_MIN);
		rg = fmt_snprintf(got, size, "%s=%08x/%-6d|%lld", "key", 0xabcdu, -12, LLONG_MIN);
		ck_assert_int_eq(rg, rw);
		ck_assert_int_eq(memcmp(want, got, sizeof(got)), 0);
	}
}
END_TEST

/* ---- log_printf, panic, csvsm_strerror --------------------------------- */

static char console_buf[1024];
static size_t console_len;
static unsigned int console_writes;

static void console_capture(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	console_writes++;
	ck_assert_uint_le(console_len + len, sizeof(console_buf) - 1);
	memcpy(console_buf + console_len, buf, len);
	console_len += len;
	console_buf[console_len] = '\0';
}

static void console_reset(void)
{
	console_len = 0;
	console_writes = 0;
	console_buf[0] = '\0';
	sim_console_set_sink(console_capture, NULL);
}

START_TEST(test_log_printf)
{
	char longmsg[400];

	console_reset();
	log_printf("hello %s %d\n", "log", 42);
	ck_assert_str_eq(console_buf, "hello log 42\n");
	ck_assert_uint_eq(console_writes, 1);

	/* Longer than the 256-byte buffer: the first 255 bytes are written. */
	memset(longmsg, 'L', sizeof(longmsg) - 1);
	longmsg[sizeof(longmsg) - 1] = '\0';
	console_reset();
	log_printf("%s!", longmsg);
	ck_assert_uint_eq(console_len, 255);
	ck_assert_int_eq(memcmp(console_buf, longmsg, 255), 0);

	console_reset();
	log_printf("%s", "");
	ck_assert_uint_eq(console_len, 0);
	sim_console_set_sink(NULL, NULL);
}
END_TEST

/*
 * Panic tests end in plat_halt, which aborts in the simulator. This SIGABRT
 * handler turns the abort into a failure (exit status 1) unless the console
 * showed the expected panic output first; otherwise it re-raises SIGABRT,
 * which the test expects.
 */
static const char *abort_expect;

static void abort_check_handler(int sig)
{
	if (strncmp(console_buf, abort_expect, strlen(abort_expect)) != 0)
		_exit(1);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void expect_abort_with(const char *prefix)
{
	console_reset();
	abort_expect = prefix;
	signal(SIGABRT, abort_check_handler);
}

START_TEST(test_panic_message)
{
	expect_abort_with("PANIC: broken 7\n");
	panic("broken %d", 7);
}
END_TEST

START_TEST(test_bug_on)
{
	volatile int x = 1;

	expect_abort_with("PANIC: BUG_ON(x == 1) at ");
	BUG_ON(x == 2); /* false: no panic */
	ck_assert_uint_eq(console_len, 0);
	BUG_ON(x == 1);
}
END_TEST

static void panic_again_sink(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
	/* A panic from inside the console must not recurse. */
	panic("nested");
}

START_TEST(test_panic_nested)
{
	expect_abort_with("");
	sim_console_set_sink(panic_again_sink, NULL);
	panic("outer");
}
END_TEST

START_TEST(test_strerror)
{
	static const char *const names[] = {
	    "OK",      "ENOMEM", "EINVAL", "EFAULT", "ERANGE", "EBUSY",    "EIO",       "ENOSPC",
	    "ENOTSUP", "EEXIST", "ENOENT", "EPERM",  "EAGAIN", "ECORRUPT", "EFAULTINJ",
	};

	ck_assert_uint_eq(ARRAY_SIZE(names), CSVSM_ERROR_COUNT);
	for (int i = 0; i < CSVSM_ERROR_COUNT; i++) {
		ck_assert_str_eq(csvsm_strerror(i), names[i]);
		ck_assert_str_eq(csvsm_strerror(-i), names[i]);
	}
	ck_assert_str_eq(csvsm_strerror(-CSVSM_ENOMEM), "ENOMEM");
	ck_assert_str_eq(csvsm_strerror(CSVSM_ERROR_COUNT), "EUNKNOWN");
	ck_assert_str_eq(csvsm_strerror(-CSVSM_ERROR_COUNT), "EUNKNOWN");
	ck_assert_str_eq(csvsm_strerror(INT_MIN), "EUNKNOWN");
	ck_assert_str_eq(csvsm_strerror(INT_MAX), "EUNKNOWN");
}
END_TEST

/* ---- bitmap against a bool-array model --------------------------------- */

static void bitmap_check_model(const uint64_t *map, const bool *model, size_t nbits)
{
	size_t count = 0;

	for (size_t i = 0; i < nbits; i++) {
		if (bitmap_test(map, i) != model[i])
			ck_abort_msg("bit %zu of %zu: bitmap %d, model %d", i, nbits,
			             bitmap_test(map, i), model[i]);
		count += model[i];
	}
	ck_assert_uint_eq(bitmap_count(map, nbits), count);
	/* Bits past nbits in the last word stay clear. */
	if (nbits % 64 != 0)
		ck_assert_uint_eq(map[nbits / 64] >> (nbits % 64), 0);
}

static size_t model_find(const bool *model, size_t nbits, size_t start, bool value)
{
	for (size_t i = start; i < nbits; i++) {
		if (model[i] == value)
			return i;
	}
	return nbits;
}

START_TEST(test_bitmap_random)
{
	static const size_t sizes[] = {1, 2, 63, 64, 65, 127, 128, 129, 200, 1000, 4096};

	ck_assert_uint_eq(BITMAP_WORDS(0), 0);
	ck_assert_uint_eq(BITMAP_WORDS(1), 1);
	ck_assert_uint_eq(BITMAP_WORDS(64), 1);
	ck_assert_uint_eq(BITMAP_WORDS(65), 2);
	rng_seed(6);
	for (size_t si = 0; si < ARRAY_SIZE(sizes); si++) {
		size_t nbits = sizes[si];
		/* Exactly sized, so ASan catches accesses past the last word. */
		uint64_t *map = calloc(BITMAP_WORDS(nbits), sizeof(uint64_t));
		bool *model = calloc(nbits, sizeof(bool));

		ck_assert_ptr_nonnull(map);
		ck_assert_ptr_nonnull(model);
		for (int op = 0; op < 3000; op++) {
			size_t a = rng_below(nbits);
			size_t b = rng_below(nbits + 1);
			size_t start = MIN(a, b);
			size_t count = MAX(a, b) - start;
			size_t from = rng_below(nbits + 3);

			if (rng_below(8) == 0)
				count = nbits - start; /* up to the very end */
			switch (rng_below(7)) {
			case 0:
				bitmap_set(map, a);
				model[a] = true;
				break;
			case 1:
				bitmap_clear(map, a);
				model[a] = false;
				break;
			case 2:
				bitmap_set_range(map, start, count);
				for (size_t i = start; i < start + count; i++)
					model[i] = true;
				break;
			case 3:
				bitmap_clear_range(map, start, count);
				for (size_t i = start; i < start + count; i++)
					model[i] = false;
				break;
			case 4:
				ck_assert_uint_eq(bitmap_find_next_set(map, nbits, from),
				                  model_find(model, nbits, from, true));
				break;
			case 5:
				ck_assert_uint_eq(bitmap_find_next_zero(map, nbits, from),
				                  model_find(model, nbits, from, false));
				break;
			default:
				bitmap_check_model(map, model, nbits);
				break;
			}
		}
		bitmap_check_model(map, model, nbits);
		/* Full and empty extremes. */
		bitmap_set_range(map, 0, nbits);
		ck_assert_uint_eq(bitmap_count(map, nbits), nbits);
		ck_assert_uint_eq(bitmap_find_next_zero(map, nbits, 0), nbits);
		ck_assert_uint_eq(bitmap_find_next_set(map, nbits, nbits - 1), nbits - 1);
		bitmap_clear_range(map, 0, nbits);
		ck_assert_uint_eq(bitmap_count(map, nbits), 0);
		ck_assert_uint_eq(bitmap_find_next_set(map, nbits, 0), nbits);
		ck_assert_uint_eq(bitmap_find_next_zero(map, nbits, nbits), nbits);
		ck_assert_uint_eq(bitmap_find_next_set(map, nbits, SIZE_MAX), nbits);
		free(map);
		free(model);
	}
}
END_TEST

START_TEST(test_bitmap_basic)
{
	uint64_t map[BITMAP_WORDS(130)] = {0};

	bitmap_set(map, 0);
	bitmap_set(map, 63);
	bitmap_set(map, 64);
	bitmap_set(map, 129);
	ck_assert_uint_eq(map[0], 0x8000000000000001ULL);
	ck_assert_uint_eq(map[1], 1);
	ck_assert_uint_eq(map[2], 2);
	ck_assert_uint_eq(bitmap_find_next_set(map, 130, 1), 63);
	ck_assert_uint_eq(bitmap_find_next_set(map, 130, 65), 129);
	ck_assert_uint_eq(bitmap_find_next_set(map, 129, 65), 129);
	ck_assert_uint_eq(bitmap_find_next_zero(map, 130, 63), 65);
	ck_assert_uint_eq(bitmap_count(map, 130), 4);
	ck_assert_uint_eq(bitmap_count(map, 129), 3);
	bitmap_set_range(map, 10, 100);
	ck_assert_uint_eq(bitmap_count(map, 130), 100 + 2);
	bitmap_clear_range(map, 0, 0);
	ck_assert_uint_eq(bitmap_count(map, 130), 102);

	/* Bits at or beyond nbits are ignored, even when set. */
	map[0] = 0;
	map[1] = ~0ULL << 6; /* bits 70..127 */
	map[2] = 0;
	ck_assert_uint_eq(bitmap_find_next_set(map, 67, 0), 67);
	ck_assert_uint_eq(bitmap_find_next_set(map, 71, 0), 70);
	ck_assert_uint_eq(bitmap_count(map, 67), 0);
	ck_assert_uint_eq(bitmap_count(map, 72), 2);
	map[1] = 0;
	map[2] = 0;
	ck_assert_uint_eq(bitmap_find_next_zero(map, 66, 64), 64);
	map[1] = 0x3;
	ck_assert_uint_eq(bitmap_find_next_zero(map, 66, 64), 66);
	map[1] = 0xb; /* bit 66 clear, bit 67 set: beyond nbits either way */
	ck_assert_uint_eq(bitmap_find_next_zero(map, 67, 64), 66);
	ck_assert_uint_eq(bitmap_find_next_zero(map, 66, 64), 66);
	map[1] = ~0ULL ^ (1ULL << 5); /* only bit 69 clear */
	ck_assert_uint_eq(bitmap_find_next_zero(map, 69, 0), 0);
	ck_assert_uint_eq(bitmap_find_next_zero(map, 69, 64), 69);
	ck_assert_uint_eq(bitmap_find_next_zero(map, 68, 64), 68);
	ck_assert_uint_eq(bitmap_find_next_zero(map, 130, 64), 69);
	ck_assert_uint_eq(bitmap_count(map, 69), 5);
}
END_TEST

/* ---- list -------------------------------------------------------------- */

struct item {
	int value;
	struct list_node node;
};

static struct list_node static_list = LIST_HEAD_INIT(static_list);

static void list_expect(struct list_node *head, const int *want, size_t n)
{
	struct item *it;
	size_t i = 0;

	ck_assert_uint_eq(list_count(head), n);
	ck_assert(list_empty(head) == (n == 0));
	list_for_each_entry(it, head, node)
	{
		ck_assert_uint_lt(i, n);
		ck_assert_int_eq(it->value, want[i]);
		i++;
	}
	ck_assert_uint_eq(i, n);
	/* Backward links agree. */
	i = n;
	for (struct list_node *p = head->prev; p != head; p = p->prev)
		ck_assert_int_eq(list_entry(p, struct item, node)->value, want[--i]);
}

START_TEST(test_list_ops)
{
	struct item items[6];
	struct list_node head;
	struct item *it;
	struct item *tmp;

	ck_assert(list_empty(&static_list));
	ck_assert_uint_eq(list_count(&static_list), 0);
	list_init(&head);
	list_expect(&head, NULL, 0);
	for (int i = 0; i < 6; i++) {
		items[i].value = i;
		list_init(&items[i].node);
		ck_assert(list_empty(&items[i].node));
	}

	list_add_tail(&items[1].node, &head);
	list_add_tail(&items[2].node, &head);
	list_add(&items[0].node, &head);
	list_add_tail(&items[3].node, &head);
	list_expect(&head, (const int[]){0, 1, 2, 3}, 4);
	ck_assert_ptr_eq(list_first_entry(&head, struct item, node), &items[0]);
	ck_assert_ptr_eq(list_last_entry(&head, struct item, node), &items[3]);
	ck_assert(!list_empty(&items[2].node));

	list_del(&items[2].node);
	ck_assert(list_empty(&items[2].node));
	list_expect(&head, (const int[]){0, 1, 3}, 3);
	list_del(&items[2].node); /* deleting an unlinked node is harmless */
	list_expect(&head, (const int[]){0, 1, 3}, 3);

	list_del(&items[0].node);
	list_expect(&head, (const int[]){1, 3}, 2);
	ck_assert_ptr_eq(list_first_entry(&head, struct item, node), &items[1]);

	list_add(&items[4].node, &head);
	list_add_tail(&items[5].node, &head);
	list_expect(&head, (const int[]){4, 1, 3, 5}, 4);

	/* Delete every odd value while iterating. */
	list_for_each_entry_safe(it, tmp, &head, node)
	{
		if (it->value % 2)
			list_del(&it->node);
	}
	list_expect(&head, (const int[]){4}, 1);

	list_for_each_entry_safe(it, tmp, &head, node)
	{
		list_del(&it->node);
	}
	list_expect(&head, NULL, 0);
	/* Safe iteration over an empty list runs no body. */
	list_for_each_entry_safe(it, tmp, &head, node)
	{
		ck_abort_msg("body ran on an empty list");
	}

	/* The static head works like an initialized one. */
	list_add(&items[0].node, &static_list);
	list_expect(&static_list, (const int[]){0}, 1);
	list_del(&items[0].node);
	ck_assert(list_empty(&static_list));
}
END_TEST

START_TEST(test_list_random)
{
	enum { N = 64 };
	struct item items[N];
	bool on[N] = {false};
	int order[N];
	size_t norder = 0;
	struct list_node head;

	rng_seed(7);
	list_init(&head);
	for (int i = 0; i < N; i++) {
		items[i].value = i;
		list_init(&items[i].node);
	}
	/* Model: the array `order`, front first. */
	for (int op = 0; op < 5000; op++) {
		int k = (int)rng_below(N);

		if (!on[k]) {
			if (rng_below(2)) {
				list_add(&items[k].node, &head);
				memmove(order + 1, order, norder * sizeof(order[0]));
				order[0] = k;
			} else {
				list_add_tail(&items[k].node, &head);
				order[norder] = k;
			}
			norder++;
			on[k] = true;
		} else {
			size_t pos = 0;

			while (order[pos] != k)
				pos++;
			list_del(&items[k].node);
			memmove(order + pos, order + pos + 1,
			        (norder - pos - 1) * sizeof(order[0]));
			norder--;
			on[k] = false;
		}
		if (op % 50 == 0)
			list_expect(&head, order, norder);
	}
	list_expect(&head, order, norder);
}
END_TEST

/* ---- spinlock ---------------------------------------------------------- */

START_TEST(test_spin_trylock)
{
	struct spinlock lock = SPINLOCK_INIT;

	ck_assert(!spin_is_locked(&lock));
	ck_assert(spin_trylock(&lock));
	ck_assert(spin_is_locked(&lock));
	ck_assert(!spin_trylock(&lock)); /* held, even by the caller */
	ck_assert(!spin_trylock(&lock));
	spin_unlock(&lock);
	ck_assert(!spin_is_locked(&lock));
	spin_lock(&lock);
	ck_assert(!spin_trylock(&lock));
	spin_unlock(&lock);
	ck_assert(spin_trylock(&lock));
	spin_init(&lock);
	ck_assert(!spin_is_locked(&lock));
}
END_TEST

#define SPIN_THREADS    4
#define SPIN_INCREMENTS 20000

static struct spinlock counter_lock = SPINLOCK_INIT;
static unsigned long counter; /* plain: only the lock protects it */

static void *spin_worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < SPIN_INCREMENTS; i++) {
		if (i % 2) {
			spin_lock(&counter_lock);
		} else {
			while (!spin_trylock(&counter_lock))
				;
		}
		counter++;
		spin_unlock(&counter_lock);
	}
	return NULL;
}

START_TEST(test_spin_contention)
{
	pthread_t threads[SPIN_THREADS];

	counter = 0;
	for (int i = 0; i < SPIN_THREADS; i++)
		ck_assert_int_eq(pthread_create(&threads[i], NULL, spin_worker, NULL), 0);
	for (int i = 0; i < SPIN_THREADS; i++)
		ck_assert_int_eq(pthread_join(threads[i], NULL), 0);
	ck_assert_uint_eq(counter, (unsigned long)SPIN_THREADS * SPIN_INCREMENTS);
	ck_assert(!spin_is_locked(&counter_lock));
}
END_TEST

/* ---- main -------------------------------------------------------------- */

static Suite *lib_suite(void)
{
	Suite *s = suite_create("lib");
	TCase *tc;

	tc = tcase_create("string");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_mem_copy_vs_libc);
	tcase_add_test(tc, test_mem_move_vs_libc);
	tcase_add_test(tc, test_mem_move_every_shift);
	tcase_add_test(tc, test_mem_set_vs_libc);
	tcase_add_test(tc, test_mem_cmp_vs_libc);
	tcase_add_test(tc, test_mem_is_zero);
	tcase_add_test(tc, test_mem_page_zeroing);
	tcase_add_test(tc, test_str_len);
	tcase_add_test(tc, test_str_nlen_unterminated);
	tcase_add_test(tc, test_str_cmp);
	tcase_add_test(tc, test_str_chr);
	tcase_add_test(tc, test_str_lcpy);
	suite_add_tcase(s, tc);

	tc = tcase_create("format");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_fmt_table);
	tcase_add_test(tc, test_fmt_csvsm_specific);
	tcase_add_test(tc, test_fmt_combos_signed);
	tcase_add_test(tc, test_fmt_combos_unsigned);
	tcase_add_test(tc, test_fmt_combos_other);
	tcase_add_test(tc, test_fmt_truncation);
	suite_add_tcase(s, tc);

	tc = tcase_create("log_panic_error");
	tcase_add_test(tc, test_log_printf);
	tcase_add_test_raise_signal(tc, test_panic_message, SIGABRT);
	tcase_add_test_raise_signal(tc, test_bug_on, SIGABRT);
	tcase_add_test_raise_signal(tc, test_panic_nested, SIGABRT);
	tcase_add_test(tc, test_strerror);
	suite_add_tcase(s, tc);

	tc = tcase_create("bitmap");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_bitmap_basic);
	tcase_add_test(tc, test_bitmap_random);
	suite_add_tcase(s, tc);

	tc = tcase_create("list");
	tcase_add_test(tc, test_list_ops);
	tcase_add_test(tc, test_list_random);
	suite_add_tcase(s, tc);

	tc = tcase_create("spinlock");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_spin_trylock);
	tcase_add_test(tc, test_spin_contention);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(lib_suite());
	int failures;

	srunner_run_all(sr, CK_NORMAL);
	failures = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failures != 0;
}
