/* SPDX-License-Identifier: MIT */
/*
 * Formatted output (csvsm's fmt_vsnprintf: no floating point) into buffers
 * and to the platform console. There are no files: fopen() fails with
 * ENOENT, and the other FILE functions work only on stdout/stderr (writes
 * to the console) and fail on anything else. sscanf reads %d, %u, %x and
 * %n (OpenSSL parses ports and IPv4 addresses with it).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvsm/lib/format.h"
#include "csvsm/plat/console.h"
#include "csvsm/types.h"

struct csvsm_libc_file {
	int fd;
};

static struct csvsm_libc_file libc_stdin = {0}, libc_stdout = {1}, libc_stderr = {2};
FILE *const stdin = &libc_stdin;
FILE *const stdout = &libc_stdout;
FILE *const stderr = &libc_stderr;

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	int n = fmt_vsnprintf(buf, size, fmt, ap);

	if (n < 0) {
		errno = EOVERFLOW;
		return -1;
	}
	return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int vsprintf(char *buf, const char *fmt, va_list ap)
{
	return vsnprintf(buf, INT_MAX, fmt, ap);
}

int sprintf(char *buf, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsprintf(buf, fmt, ap);
	va_end(ap);
	return n;
}

int vasprintf(char **out, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	*out = NULL;
	if (n < 0)
		return -1;
	*out = malloc((size_t)n + 1);
	if (!*out)
		return -1;
	return vsnprintf(*out, (size_t)n + 1, fmt, ap);
}

int asprintf(char **out, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(out, fmt, ap);
	va_end(ap);
	return n;
}

static int libc_console_fd(int fd)
{
	if (fd == 1 || fd == 2)
		return 0;
	errno = EBADF;
	return -1;
}

/* Console output goes through a bounded buffer: longer messages are cut. */
int vfprintf(FILE *f, const char *fmt, va_list ap)
{
	char buf[256];
	int n;

	if (!f || libc_console_fd(f->fd) < 0)
		return -1;
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n < 0)
		return -1;
	plat_console_write(buf, strnlen(buf, sizeof(buf)));
	return n;
}

int fprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vfprintf(f, fmt, ap);
	va_end(ap);
	return n;
}

int vprintf(const char *fmt, va_list ap)
{
	return vfprintf(stdout, fmt, ap);
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int vdprintf(int fd, const char *fmt, va_list ap)
{
	if (libc_console_fd(fd) < 0)
		return -1;
	return vfprintf(fd == 1 ? stdout : stderr, fmt, ap);
}

int dprintf(int fd, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vdprintf(fd, fmt, ap);
	va_end(ap);
	return n;
}

int fputs(const char *s, FILE *f)
{
	if (!f || libc_console_fd(f->fd) < 0)
		return EOF;
	plat_console_write(s, strlen(s));
	return 0;
}

int puts(const char *s)
{
	if (fputs(s, stdout) < 0)
		return EOF;
	plat_console_write("\n", 1);
	return 0;
}

int fputc(int c, FILE *f)
{
	char ch = (char)c;

	if (!f || libc_console_fd(f->fd) < 0)
		return EOF;
	plat_console_write(&ch, 1);
	return (unsigned char)ch;
}

int putc(int c, FILE *f)
{
	return fputc(c, f);
}

int putchar(int c)
{
	return fputc(c, stdout);
}

int fflush(FILE *f)
{
	(void)f;
	return 0;
}

FILE *fopen(const char *path, const char *mode)
{
	(void)path;
	(void)mode;
	errno = ENOENT;
	return NULL;
}

int fclose(FILE *f)
{
	(void)f;
	return 0;
}

size_t fread(void *buf, size_t size, size_t n, FILE *f)
{
	(void)buf;
	(void)size;
	(void)n;
	(void)f;
	errno = EBADF;
	return 0;
}

size_t fwrite(const void *buf, size_t size, size_t n, FILE *f)
{
	if (!f || libc_console_fd(f->fd) < 0 || (size != 0 && n > SIZE_MAX / size))
		return 0;
	plat_console_write(buf, size * n);
	return n;
}

int fseek(FILE *f, long off, int whence)
{
	(void)f;
	(void)off;
	(void)whence;
	errno = ESPIPE;
	return -1;
}

long ftell(FILE *f)
{
	(void)f;
	errno = ESPIPE;
	return -1;
}

int feof(FILE *f)
{
	(void)f;
	return 1;
}

int ferror(FILE *f)
{
	return !f || libc_console_fd(f->fd) < 0;
}

void clearerr(FILE *f)
{
	(void)f;
}

void setbuf(FILE *f, char *buf)
{
	(void)f;
	(void)buf;
}

char *fgets(char *s, int n, FILE *f)
{
	(void)s;
	(void)n;
	(void)f;
	return NULL;
}

int remove(const char *path)
{
	(void)path;
	errno = ENOENT;
	return -1;
}

int fileno(FILE *f)
{
	return f ? f->fd : -1;
}

/* One unsigned number in `base` (10 or 16); NULL when there is none. */
static const char *libc_scan_number(const char *s, int base, unsigned long *out, bool *neg)
{
	unsigned long v = 0;
	const char *start;

	*neg = false;
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '-' || *s == '+')
		*neg = *s++ == '-';
	if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
	    isxdigit((unsigned char)s[2]))
		s += 2;
	start = s;
	for (;; s++) {
		int d;

		if (isdigit((unsigned char)*s))
			d = *s - '0';
		else if (base == 16 && isxdigit((unsigned char)*s))
			d = tolower((unsigned char)*s) - 'a' + 10;
		else
			break;
		if (v > (ULONG_MAX - (unsigned long)d) / (unsigned long)base)
			v = ULONG_MAX; /* saturate, as strtoul does */
		else
			v = v * (unsigned long)base + (unsigned long)d;
	}
	*out = v;
	return s == start ? NULL : s;
}

int sscanf(const char *str, const char *fmt, ...)
{
	const char *s = str;
	int assigned = 0;
	va_list ap;

	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		unsigned long v;
		bool neg;

		if (isspace((unsigned char)*fmt)) {
			while (isspace((unsigned char)*s))
				s++;
			continue;
		}
		if (*fmt != '%' || fmt[1] == '%') {
			if (*fmt == '%')
				fmt++;
			if (*s != *fmt)
				break;
			s++;
			continue;
		}
		fmt++;
		if (*fmt == 'n') {
			*va_arg(ap, int *) = (int)(s - str);
			continue;
		}
		if (*fmt != 'd' && *fmt != 'u' && *fmt != 'x')
			break; /* unsupported conversion: stop, as on a mismatch */
		s = libc_scan_number(s, *fmt == 'x' ? 16 : 10, &v, &neg);
		if (!s) {
			if (assigned == 0 && *str == '\0')
				assigned = EOF;
			break;
		}
		if (*fmt == 'd')
			*va_arg(ap, int *) = neg ? -(int)v : (int)v;
		else
			*va_arg(ap, unsigned int *) = neg ? -(unsigned int)v : (unsigned int)v;
		assigned++;
	}
	va_end(ap);
	return assigned;
}
