/* SPDX-License-Identifier: MIT */
/*
 * Memory and string helpers (see csvsm/lib/string.h).
 *
 * Word access goes through may_alias typedefs, so that reading a buffer of
 * any declared type as uint64_t words is not a strict-aliasing violation.
 * Source words are read through an aligned(1) type: x86 handles unaligned
 * loads in hardware, and the type tells the compiler (and UBSan) not to
 * assume alignment. Destination words are only written once aligned.
 *
 * LIB_OPAQUE hides a pointer's value from the optimizer for one statement.
 * It is placed in each copy/fill loop so that the compiler's loop-idiom
 * passes cannot turn the loop back into a call to memcpy/memset: in the
 * freestanding build those forward here (cc_runtime.c), which would recurse
 * forever. GCC 12 does not do it under -ffreestanding -fno-builtin (it does
 * at -O2 in hosted builds), but no compiler documents that it never will.
 * It emits no instruction.
 */
#include "csvsm/lib/string.h"

typedef uint64_t __attribute__((may_alias)) lib_word_t;
typedef uint64_t __attribute__((may_alias, aligned(1))) lib_uword_t;

#define LIB_WORD      sizeof(uint64_t)
#define LIB_WORD_MASK (LIB_WORD - 1)

#define LIB_OPAQUE(p) __asm__("" : "+r"(p))

static inline bool lib_word_aligned(const void *p)
{
	return ((uintptr_t)p & LIB_WORD_MASK) == 0;
}

/*
 * Copies from low to high addresses. Every destination word is written only
 * after the source bytes it could overlap have been read, so this is also a
 * correct mem_move when `dst` < `src`.
 */
static void copy_forward(unsigned char *d, const unsigned char *s, size_t n)
{
	if (n >= 2 * LIB_WORD) {
		while (!lib_word_aligned(d)) {
			*d++ = *s++;
			n--;
		}
		while (n >= 4 * LIB_WORD) {
			lib_word_t *dw = (lib_word_t *)d;
			const lib_uword_t *sw = (const lib_uword_t *)s;

			dw[0] = sw[0];
			dw[1] = sw[1];
			dw[2] = sw[2];
			dw[3] = sw[3];
			d += 4 * LIB_WORD;
			s += 4 * LIB_WORD;
			n -= 4 * LIB_WORD;
			LIB_OPAQUE(d);
		}
		while (n >= LIB_WORD) {
			*(lib_word_t *)d = *(const lib_uword_t *)s;
			d += LIB_WORD;
			s += LIB_WORD;
			n -= LIB_WORD;
			LIB_OPAQUE(d);
		}
	}
	while (n > 0) {
		*d++ = *s++;
		n--;
		LIB_OPAQUE(d);
	}
}

/* Copies from high to low addresses: a correct mem_move when `dst` > `src`. */
static void copy_backward(unsigned char *d, const unsigned char *s, size_t n)
{
	/* `d` and `s` point one past the end of each range. */
	d += n;
	s += n;
	if (n >= 2 * LIB_WORD) {
		while (!lib_word_aligned(d)) {
			*--d = *--s;
			n--;
		}
		while (n >= LIB_WORD) {
			d -= LIB_WORD;
			s -= LIB_WORD;
			*(lib_word_t *)d = *(const lib_uword_t *)s;
			n -= LIB_WORD;
			LIB_OPAQUE(d);
		}
	}
	while (n > 0) {
		*--d = *--s;
		n--;
		LIB_OPAQUE(d);
	}
}

void *mem_copy(void *dst, const void *src, size_t n)
{
	copy_forward(dst, src, n);
	return dst;
}

void *mem_move(void *dst, const void *src, size_t n)
{
	uintptr_t d = (uintptr_t)dst;
	uintptr_t s = (uintptr_t)src;

	if (d == s || n == 0)
		return dst;
	/* Unsigned: true when dst is below src or at/after its end. */
	if (d - s >= n)
		copy_forward(dst, src, n);
	else
		copy_backward(dst, src, n);
	return dst;
}

void *mem_set(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	unsigned char b = (unsigned char)c;

	if (n >= 2 * LIB_WORD) {
		uint64_t w = 0x0101010101010101ULL * b;

		while (!lib_word_aligned(d)) {
			*d++ = b;
			n--;
		}
		while (n >= 4 * LIB_WORD) {
			lib_word_t *dw = (lib_word_t *)d;

			dw[0] = w;
			dw[1] = w;
			dw[2] = w;
			dw[3] = w;
			d += 4 * LIB_WORD;
			n -= 4 * LIB_WORD;
			LIB_OPAQUE(d);
		}
		while (n >= LIB_WORD) {
			*(lib_word_t *)d = w;
			d += LIB_WORD;
			n -= LIB_WORD;
			LIB_OPAQUE(d);
		}
	}
	while (n > 0) {
		*d++ = b;
		n--;
		LIB_OPAQUE(d);
	}
	return dst;
}

int mem_cmp(const void *a, const void *b, size_t n)
{
	const unsigned char *pa = a;
	const unsigned char *pb = b;

	/* Skip equal words; the byte loop then finds the differing byte. */
	while (n >= LIB_WORD && *(const lib_uword_t *)pa == *(const lib_uword_t *)pb) {
		pa += LIB_WORD;
		pb += LIB_WORD;
		n -= LIB_WORD;
	}
	for (; n > 0; n--, pa++, pb++) {
		if (*pa != *pb)
			return (int)*pa - (int)*pb;
	}
	return 0;
}

bool mem_is_zero(const void *p, size_t n)
{
	const unsigned char *s = p;

	while (n > 0 && !lib_word_aligned(s)) {
		if (*s != 0)
			return false;
		s++;
		n--;
	}
	while (n >= 4 * LIB_WORD) {
		const lib_word_t *w = (const lib_word_t *)s;

		if ((w[0] | w[1] | w[2] | w[3]) != 0)
			return false;
		s += 4 * LIB_WORD;
		n -= 4 * LIB_WORD;
	}
	while (n >= LIB_WORD) {
		if (*(const lib_word_t *)s != 0)
			return false;
		s += LIB_WORD;
		n -= LIB_WORD;
	}
	for (; n > 0; n--, s++) {
		if (*s != 0)
			return false;
	}
	return true;
}

size_t str_len(const char *s)
{
	const char *p = s;

	while (*p != '\0')
		p++;
	return (size_t)(p - s);
}

size_t str_nlen(const char *s, size_t max)
{
	size_t i;

	for (i = 0; i < max && s[i] != '\0'; i++)
		;
	return i;
}

int str_cmp(const char *a, const char *b)
{
	const unsigned char *pa = (const unsigned char *)a;
	const unsigned char *pb = (const unsigned char *)b;

	while (*pa != '\0' && *pa == *pb) {
		pa++;
		pb++;
	}
	return (int)*pa - (int)*pb;
}

int str_ncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *pa = (const unsigned char *)a;
	const unsigned char *pb = (const unsigned char *)b;

	for (; n > 0; n--, pa++, pb++) {
		if (*pa != *pb)
			return (int)*pa - (int)*pb;
		if (*pa == '\0')
			return 0;
	}
	return 0;
}

char *str_chr(const char *s, int c)
{
	char ch = (char)c;

	for (;; s++) {
		if (*s == ch)
			return (char *)s;
		if (*s == '\0')
			return NULL;
	}
}

size_t str_lcpy(char *dst, const char *src, size_t size)
{
	size_t len = str_len(src);

	if (size > 0) {
		size_t n = len < size - 1 ? len : size - 1;

		mem_copy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}
