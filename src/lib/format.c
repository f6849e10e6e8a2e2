/* SPDX-License-Identifier: MIT */
/*
 * Bounded formatter (see csvsm/lib/format.h).
 *
 * Output goes through a small cursor that stores what fits and counts
 * everything, so the return value is the untruncated length. Padding and
 * copies are done in one step per run of bytes: a huge width costs no more
 * than the buffer it is written into.
 */
#include "csvsm/lib/format.h"

#include "csvsm/error.h"
#include "csvsm/lib/string.h"

/* Where the output goes: `len` counts every byte, stored or not. */
struct fmt_out {
	char *buf;
	size_t size;
	size_t len;
};

enum fmt_flag {
	FMT_LEFT = 1u << 0,  /* '-': pad on the right */
	FMT_ZERO = 1u << 1,  /* '0': pad numbers with zeros */
	FMT_PLUS = 1u << 2,  /* '+': always print a sign */
	FMT_SPACE = 1u << 3, /* ' ': a space where '+' would go */
	FMT_ALT = 1u << 4,   /* '#': 0x prefix, leading octal 0 */
};

enum fmt_length {
	FMT_LEN_NONE,
	FMT_LEN_HH,
	FMT_LEN_H,
	FMT_LEN_L,
	FMT_LEN_LL,
	FMT_LEN_Z,
	FMT_LEN_J,
	FMT_LEN_T,
};

struct fmt_spec {
	unsigned int flags;
	int width; /* 0 when absent */
	int prec;  /* -1 when absent */
	enum fmt_length length;
};

/* Counts `n` more output bytes without overflowing. */
static void fmt_account(struct fmt_out *o, size_t n)
{
	if (add_overflows(o->len, n, &o->len))
		o->len = CSVSM_SIZE_MAX;
}

/* Bytes that can still be stored, keeping one for the final NUL. */
static size_t fmt_room(const struct fmt_out *o)
{
	if (o->size == 0 || o->len >= o->size - 1)
		return 0;
	return o->size - 1 - o->len;
}

static void fmt_put_mem(struct fmt_out *o, const char *s, size_t n)
{
	size_t room = fmt_room(o);
	size_t store = MIN(n, room);

	if (store > 0)
		mem_copy(o->buf + o->len, s, store);
	fmt_account(o, n);
}

static void fmt_put_repeat(struct fmt_out *o, char c, size_t n)
{
	size_t room = fmt_room(o);
	size_t store = MIN(n, room);

	if (store > 0)
		mem_set(o->buf + o->len, c, store);
	fmt_account(o, n);
}

static void fmt_put_char(struct fmt_out *o, char c)
{
	fmt_put_mem(o, &c, 1);
}

/* Parses a decimal number at *pp, saturating at INT_MAX. */
static int fmt_parse_int(const char **pp)
{
	const char *p = *pp;
	int v = 0;

	while (*p >= '0' && *p <= '9') {
		int d = *p - '0';

		if (v > (CSVSM_INT_MAX - d) / 10)
			v = CSVSM_INT_MAX;
		else
			v = v * 10 + d;
		p++;
	}
	*pp = p;
	return v;
}

/* Pads a run of `len` bytes `s` to the spec's width with spaces. */
static void fmt_put_padded(struct fmt_out *o, const struct fmt_spec *sp, const char *s, size_t len)
{
	size_t pad = (size_t)sp->width > len ? (size_t)sp->width - len : 0;

	if (!(sp->flags & FMT_LEFT))
		fmt_put_repeat(o, ' ', pad);
	fmt_put_mem(o, s, len);
	if (sp->flags & FMT_LEFT)
		fmt_put_repeat(o, ' ', pad);
}

static void fmt_put_string(struct fmt_out *o, const struct fmt_spec *sp, const char *s)
{
	size_t len;

	if (s == NULL)
		s = "(null)";
	len = sp->prec >= 0 ? str_nlen(s, (size_t)sp->prec) : str_len(s);
	fmt_put_padded(o, sp, s, len);
}

/*
 * Prints the magnitude `mag` in `base`, preceded by a '-' when `neg`.
 * `sign_flags` says whether '+' and ' ' apply (signed conversions and %p).
 * `prefix` is "0x"/"0X" or NULL; it is printed only for nonzero values.
 */
static void fmt_put_number(struct fmt_out *o, const struct fmt_spec *sp, uintmax_t mag, bool neg,
                           bool sign_flags, unsigned int base, bool upper, const char *prefix)
{
	const char *digit_chars = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	bool nonzero = mag != 0;
	char digits[3 * sizeof(uintmax_t)]; /* octal needs 22 for 64 bits */
	char *first = digits + sizeof(digits);
	size_t nd;
	char head[3];
	size_t nh = 0;
	size_t zeros;
	size_t total;
	size_t pad;

	/* Digits, filled from the end; none for 0 with precision 0. */
	if (mag != 0 || sp->prec != 0) {
		do {
			*--first = digit_chars[mag % base];
			mag /= base;
		} while (mag != 0);
	}
	nd = (size_t)(digits + sizeof(digits) - first);

	if (neg)
		head[nh++] = '-';
	else if (sign_flags && (sp->flags & FMT_PLUS))
		head[nh++] = '+';
	else if (sign_flags && (sp->flags & FMT_SPACE))
		head[nh++] = ' ';
	if (prefix != NULL && nonzero) {
		head[nh++] = prefix[0];
		head[nh++] = prefix[1];
	}

	zeros = sp->prec > 0 && (size_t)sp->prec > nd ? (size_t)sp->prec - nd : 0;
	/* '#' with octal: the first digit printed must be a 0. */
	if (base == 8 && (sp->flags & FMT_ALT) && zeros == 0 && (nd == 0 || first[0] != '0'))
		zeros = 1;

	total = nh + zeros + nd;
	pad = (size_t)sp->width > total ? (size_t)sp->width - total : 0;
	if (!(sp->flags & FMT_LEFT) && (sp->flags & FMT_ZERO) && sp->prec < 0) {
		zeros += pad;
		pad = 0;
	}

	if (!(sp->flags & FMT_LEFT))
		fmt_put_repeat(o, ' ', pad);
	fmt_put_mem(o, head, nh);
	fmt_put_repeat(o, '0', zeros);
	fmt_put_mem(o, first, nd);
	if (sp->flags & FMT_LEFT)
		fmt_put_repeat(o, ' ', pad);
}

static intmax_t fmt_arg_signed(va_list *ap, enum fmt_length length)
{
	switch (length) {
	case FMT_LEN_HH:
		return (signed char)va_arg(*ap, int);
	case FMT_LEN_H:
		return (short)va_arg(*ap, int);
	case FMT_LEN_L:
		return va_arg(*ap, long);
	case FMT_LEN_LL:
		return va_arg(*ap, long long);
	case FMT_LEN_Z:
	case FMT_LEN_T:
		/* ptrdiff_t is the signed type of size_t's width. */
		return va_arg(*ap, ptrdiff_t);
	case FMT_LEN_J:
		return va_arg(*ap, intmax_t);
	case FMT_LEN_NONE:
		break;
	}
	return va_arg(*ap, int);
}

static uintmax_t fmt_arg_unsigned(va_list *ap, enum fmt_length length)
{
	switch (length) {
	case FMT_LEN_HH:
		return (unsigned char)va_arg(*ap, unsigned int);
	case FMT_LEN_H:
		return (unsigned short)va_arg(*ap, unsigned int);
	case FMT_LEN_L:
		return va_arg(*ap, unsigned long);
	case FMT_LEN_LL:
		return va_arg(*ap, unsigned long long);
	case FMT_LEN_Z:
		return va_arg(*ap, size_t);
	case FMT_LEN_T:
		return (size_t)va_arg(*ap, ptrdiff_t);
	case FMT_LEN_J:
		return va_arg(*ap, uintmax_t);
	case FMT_LEN_NONE:
		break;
	}
	return va_arg(*ap, unsigned int);
}

/* Parses flags, width, precision and length of a conversion at *pp. */
static void fmt_parse_spec(const char **pp, va_list *ap, struct fmt_spec *sp)
{
	const char *p = *pp;

	sp->flags = 0;
	sp->width = 0;
	sp->prec = -1;
	sp->length = FMT_LEN_NONE;

	for (;; p++) {
		if (*p == '-')
			sp->flags |= FMT_LEFT;
		else if (*p == '0')
			sp->flags |= FMT_ZERO;
		else if (*p == '+')
			sp->flags |= FMT_PLUS;
		else if (*p == ' ')
			sp->flags |= FMT_SPACE;
		else if (*p == '#')
			sp->flags |= FMT_ALT;
		else
			break;
	}

	if (*p == '*') {
		int w = va_arg(*ap, int);

		p++;
		if (w < 0) {
			sp->flags |= FMT_LEFT;
			w = w == -CSVSM_INT_MAX - 1 ? CSVSM_INT_MAX : -w;
		}
		sp->width = w;
	} else {
		sp->width = fmt_parse_int(&p);
	}

	if (*p == '.') {
		p++;
		if (*p == '*') {
			int prec = va_arg(*ap, int);

			p++;
			sp->prec = prec < 0 ? -1 : prec;
		} else {
			sp->prec = fmt_parse_int(&p);
		}
	}

	switch (*p) {
	case 'h':
		p++;
		sp->length = FMT_LEN_H;
		if (*p == 'h') {
			p++;
			sp->length = FMT_LEN_HH;
		}
		break;
	case 'l':
		p++;
		sp->length = FMT_LEN_L;
		if (*p == 'l') {
			p++;
			sp->length = FMT_LEN_LL;
		}
		break;
	case 'z':
		p++;
		sp->length = FMT_LEN_Z;
		break;
	case 'j':
		p++;
		sp->length = FMT_LEN_J;
		break;
	case 't':
		p++;
		sp->length = FMT_LEN_T;
		break;
	default:
		break;
	}
	*pp = p;
}

/*
 * Formats one conversion whose character is `conv`. Returns false for an
 * unknown conversion (nothing printed, no further argument consumed).
 */
static bool fmt_convert(struct fmt_out *o, const struct fmt_spec *sp, char conv, va_list *ap)
{
	switch (conv) {
	case 'd':
	case 'i': {
		intmax_t v = fmt_arg_signed(ap, sp->length);
		uintmax_t mag = v < 0 ? (uintmax_t)0 - (uintmax_t)v : (uintmax_t)v;

		fmt_put_number(o, sp, mag, v < 0, true, 10, false, NULL);
		return true;
	}
	case 'u':
		fmt_put_number(o, sp, fmt_arg_unsigned(ap, sp->length), false, false, 10, false,
		               NULL);
		return true;
	case 'o':
		fmt_put_number(o, sp, fmt_arg_unsigned(ap, sp->length), false, false, 8, false,
		               NULL);
		return true;
	case 'x':
	case 'X': {
		bool upper = conv == 'X';
		const char *prefix = NULL;

		if (sp->flags & FMT_ALT)
			prefix = upper ? "0X" : "0x";
		fmt_put_number(o, sp, fmt_arg_unsigned(ap, sp->length), false, false, 16, upper,
		               prefix);
		return true;
	}
	case 'c': {
		char c = (char)va_arg(*ap, int);

		fmt_put_padded(o, sp, &c, 1);
		return true;
	}
	case 's':
		fmt_put_string(o, sp, va_arg(*ap, const char *));
		return true;
	case 'p': {
		const void *ptr = va_arg(*ap, const void *);

		if (ptr == NULL) {
			/* glibc: a plain string, no precision, no sign. */
			struct fmt_spec nil = *sp;

			nil.prec = -1;
			fmt_put_string(o, &nil, "(nil)");
		} else {
			fmt_put_number(o, sp, (uintptr_t)ptr, false, true, 16, false, "0x");
		}
		return true;
	}
	case '%':
		fmt_put_char(o, '%');
		return true;
	default:
		return false;
	}
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_out o = {.buf = buf, .size = size, .len = 0};
	va_list args;
	const char *p = fmt;

	/* A copy, so that its address is a real va_list * on every ABI. */
	va_copy(args, ap);
	while (*p != '\0') {
		const char *start;
		struct fmt_spec sp;
		char conv;

		if (*p != '%') {
			const char *pct = str_chr(p, '%');
			size_t n = pct != NULL ? (size_t)(pct - p) : str_len(p);

			fmt_put_mem(&o, p, n);
			p += n;
			continue;
		}

		start = p++;
		fmt_parse_spec(&p, &args, &sp);
		conv = *p;
		if (conv == '\0') {
			/* A conversion cut off by the end of the format. */
			fmt_put_mem(&o, start, (size_t)(p - start));
			break;
		}
		p++;
		if (!fmt_convert(&o, &sp, conv, &args))
			fmt_put_mem(&o, start, (size_t)(p - start));
	}
	va_end(args);

	if (size > 0)
		buf[o.len < size ? o.len : size - 1] = '\0';
	if (o.len > (size_t)CSVSM_INT_MAX)
		return -CSVSM_ERANGE;
	return (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return ret;
}
