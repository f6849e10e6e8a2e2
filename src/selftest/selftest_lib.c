/* SPDX-License-Identifier: MIT */
/*
 * Self-tests of src/lib that need no host: expected values are written out
 * (C standard semantics, the CRC-32C check value of RFC 3720's polynomial).
 * The host-only comparisons against libc stay in tests/check_lib.c.
 */
#include "csvsm/lib/bitmap.h"
#include "csvsm/lib/crc32.h"
#include "csvsm/lib/format.h"
#include "csvsm/lib/string.h"
#include "ktest.h"

static void lib_mem_copy_set_cmp(struct ktest_ctx *t)
{
	uint8_t a[64], b[64];

	for (unsigned int i = 0; i < sizeof(a); i++)
		a[i] = (uint8_t)(i * 7 + 1);
	KT_EXPECT(mem_set(b, 0xab, sizeof(b)) == b);
	KT_EXPECT(b[0] == 0xab && b[63] == 0xab);
	KT_EXPECT(mem_copy(b + 3, a, 40) == b + 3);
	KT_EXPECT(b[2] == 0xab && b[3] == 1 && b[42] == a[39] && b[43] == 0xab);
	KT_EXPECT(mem_cmp(b + 3, a, 40) == 0);
	b[20] = 0;
	KT_EXPECT(mem_cmp(b + 3, a, 40) < 0);
	KT_EXPECT(mem_cmp(a, b + 3, 40) > 0);
	KT_EXPECT(mem_cmp(a, b, 0) == 0);
	mem_set(b, 0, sizeof(b));
	KT_EXPECT(mem_is_zero(b, sizeof(b)));
	b[63] = 1;
	KT_EXPECT(!mem_is_zero(b, sizeof(b)));
}

static void lib_mem_move_overlap(struct ktest_ctx *t)
{
	uint8_t buf[32];

	for (unsigned int i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)i;
	mem_move(buf + 4, buf, 20); /* forward overlap */
	for (unsigned int i = 0; i < 20; i++)
		KT_ASSERT(buf[4 + i] == i);
	for (unsigned int i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)i;
	mem_move(buf, buf + 4, 20); /* backward overlap */
	for (unsigned int i = 0; i < 20; i++)
		KT_ASSERT(buf[i] == i + 4);
}

static void lib_strings(struct ktest_ctx *t)
{
	char dst[8];

	KT_EXPECT(str_len("") == 0);
	KT_EXPECT(str_len("selftest") == 8);
	KT_EXPECT(str_nlen("selftest", 4) == 4);
	KT_EXPECT(str_cmp("abc", "abc") == 0);
	KT_EXPECT(str_cmp("abc", "abd") < 0);
	KT_EXPECT(str_cmp("b", "abc") > 0);
	KT_EXPECT(str_ncmp("abcX", "abcY", 3) == 0);
	KT_EXPECT(str_chr("hello", 'l') != NULL && *str_chr("hello", 'l') == 'l');
	KT_EXPECT(str_chr("hello", 'z') == NULL);
	/* strlcpy semantics: the source length, truncated copy, always NUL. */
	KT_EXPECT(str_lcpy(dst, "0123456789", sizeof(dst)) == 10);
	KT_EXPECT(str_cmp(dst, "0123456") == 0);
}

static void lib_format(struct ktest_ctx *t)
{
	char buf[64];
	int n;

	n = fmt_snprintf(buf, sizeof(buf), "%d %u %x %s %c", -42, 42u, 0xbeefu, "ok", 'z');
	KT_EXPECT(n == 16 && str_cmp(buf, "-42 42 beef ok z") == 0);
	n = fmt_snprintf(buf, sizeof(buf), "%llu %#llx %zu", 18446744073709551615ull, 0x1234ull,
	                 (size_t)7);
	KT_EXPECT(str_cmp(buf, "18446744073709551615 0x1234 7") == 0 && n == 29);
	n = fmt_snprintf(buf, sizeof(buf), "%08x|%-4d|%4d", 0x1fu, 5, 6);
	KT_EXPECT(str_cmp(buf, "0000001f|5   |   6") == 0 && n == 18);
	/* Truncation: the would-be length comes back, the buffer stays terminated. */
	n = fmt_snprintf(buf, 5, "%s", "truncated");
	KT_EXPECT(n == 9 && str_cmp(buf, "trun") == 0);
}

static void lib_crc32c(struct ktest_ctx *t)
{
	static const char check[] = "123456789";

	/* RFC 3720 polynomial, check value from the CRC catalogue (CRC-32/ISCSI). */
	KT_EXPECT(crc32c(0, check, 9) == 0xe3069283u);
	KT_EXPECT(crc32c(crc32c(0, check, 4), check + 4, 5) == 0xe3069283u);
	KT_EXPECT(crc32c(0, NULL, 0) == 0);
}

static void lib_bitmap(struct ktest_ctx *t)
{
	uint64_t map[3] = {0, 0, 0};

	bitmap_set(map, 0);
	bitmap_set(map, 64);
	bitmap_set_range(map, 100, 30);
	KT_EXPECT(bitmap_test(map, 0) && bitmap_test(map, 64) && !bitmap_test(map, 65));
	KT_EXPECT(bitmap_count(map, 192) == 32);
	KT_EXPECT(bitmap_find_next_set(map, 192, 1) == 64);
	KT_EXPECT(bitmap_find_next_set(map, 192, 65) == 100);
	KT_EXPECT(bitmap_find_next_zero(map, 192, 100) == 130);
	bitmap_clear_range(map, 100, 30);
	bitmap_clear(map, 64);
	KT_EXPECT(bitmap_count(map, 192) == 1);
	KT_EXPECT(bitmap_find_next_set(map, 192, 1) == 192);
}

static const struct ktest lib_tests[] = {
    KTEST(lib_mem_copy_set_cmp), KTEST(lib_mem_move_overlap), KTEST(lib_strings),
    KTEST(lib_format),           KTEST(lib_crc32c),           KTEST(lib_bitmap),
};

const struct ktest_suite ktest_suite_lib = KTEST_SUITE("lib", lib_tests);
