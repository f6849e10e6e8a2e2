/* SPDX-License-Identifier: MIT */
/* Panic (see csvsm/panic.h). */
#include "csvsm/panic.h"

#include <stdarg.h>

#include "csvsm/lib/format.h"
#include "csvsm/plat/console.h"
#include "csvsm/plat/cpu.h"

/* The longest message panic prints; the rest is dropped. */
#define PANIC_MSG_MAX 256

/* Set while a panic message is being printed. */
static int panic_printing;

void panic(const char *fmt, ...)
{
	static const char prefix[] = "PANIC: ";
	char buf[PANIC_MSG_MAX];
	va_list ap;
	int n;

	/*
	 * A panic raised while printing a panic message (say, from the
	 * console) goes straight to the halt instead of recursing.
	 */
	if (__atomic_exchange_n(&panic_printing, 1, __ATOMIC_ACQ_REL) == 0) {
		va_start(ap, fmt);
		n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
		va_end(ap);
		if (n < 0 || (size_t)n >= sizeof(buf))
			n = (int)sizeof(buf) - 1;

		plat_console_write(prefix, sizeof(prefix) - 1);
		plat_console_write(buf, (size_t)n);
		plat_console_write("\n", 1);
		/* Cleared so that a harness that survives plat_halt sees the next one. */
		__atomic_store_n(&panic_printing, 0, __ATOMIC_RELEASE);
	}
	plat_halt();
}
