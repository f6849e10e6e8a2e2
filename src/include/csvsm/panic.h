/* SPDX-License-Identifier: MIT */
/*
 * Panic: only for broken internal invariants, never for bad input from the
 * guest, the hypervisor or storage (those get errors).
 */
#ifndef CSVSM_PANIC_H
#define CSVSM_PANIC_H

#include "csvsm/types.h"

/* Prints "PANIC: <message>" on the console and halts the platform. */
CSVSM_NORETURN void panic(const char *fmt, ...) CSVSM_PRINTF(1, 2);

/* Panics with the location when `cond` is true. */
#define BUG_ON(cond)                                                                               \
	do {                                                                                       \
		if (unlikely(cond))                                                                \
			panic("BUG_ON(%s) at %s:%d", #cond, __FILE__, __LINE__);                   \
	} while (0)

#endif /* CSVSM_PANIC_H */
