/* SPDX-License-Identifier: MIT */
/* Console logging on top of the bounded formatter. */
#ifndef CSVSM_LOG_H
#define CSVSM_LOG_H

#include "csvsm/types.h"

/*
 * Formats like fmt_snprintf into a bounded buffer (lines longer than 256
 * bytes are truncated) and writes the result to the platform console.
 */
void log_printf(const char *fmt, ...) CSVSM_PRINTF(1, 2);

#endif /* CSVSM_LOG_H */
