/* SPDX-License-Identifier: MIT */
/* Platform interface: the console (debug output). */
#ifndef CSVSM_PLAT_CONSOLE_H
#define CSVSM_PLAT_CONSOLE_H

#include "csvsm/types.h"

/*
 * Writes `len` bytes of `buf` to the platform console. Never fails from the
 * caller's view: output that cannot be delivered is dropped. Must be safe to
 * call before the allocator exists and from panic paths. Not reentrant.
 */
void plat_console_write(const char *buf, size_t len);

#endif
