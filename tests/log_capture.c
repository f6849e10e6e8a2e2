/* SPDX-License-Identifier: MIT */
/* Console capture for Check programs (log_capture.h). */
#include <string.h>

#include "log_capture.h"

char log_buf[1 << 16];
static size_t log_len;

void log_capture(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	if (len > sizeof(log_buf) - 1 - log_len)
		len = sizeof(log_buf) - 1 - log_len;
	memcpy(log_buf + log_len, buf, len);
	log_len += len;
	log_buf[log_len] = '\0';
}

void log_clear(void)
{
	log_len = 0;
	log_buf[0] = '\0';
}

bool log_has(const char *s)
{
	return strstr(log_buf, s) != NULL;
}
