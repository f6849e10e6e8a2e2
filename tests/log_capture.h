/* SPDX-License-Identifier: MIT */
/*
 * Console capture for Check programs: install log_capture with
 * sim_console_set_sink(log_capture, NULL); what the SVSM prints collects in
 * log_buf (NUL-terminated, silently truncated at its size) until log_clear.
 */
#ifndef CSVSM_TESTS_LOG_CAPTURE_H
#define CSVSM_TESTS_LOG_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>

extern char log_buf[1 << 16];

/* A console sink: appends buf[0..len) to log_buf. ctx is unused. */
void log_capture(void *ctx, const char *buf, size_t len);
/* Empties log_buf. */
void log_clear(void);
/* True when s occurs in what was captured since the last log_clear. */
bool log_has(const char *s);

#endif
