/* SPDX-License-Identifier: MIT */
/* Console logging (see csvsm/log.h). */
#include "csvsm/log.h"

#include "csvsm/lib/format.h"
#include "csvsm/plat/console.h"

/* The longest line log_printf writes; the rest is dropped. */
#define LOG_LINE_MAX 256

void log_printf(const char *fmt, ...)
{
	char buf[LOG_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);

	/* Truncated (or overlong) output: write what was stored. */
	if (n < 0 || (size_t)n >= sizeof(buf))
		n = (int)sizeof(buf) - 1;
	plat_console_write(buf, (size_t)n);
}
