/* SPDX-License-Identifier: MIT */
/* Simulator console: stdout, or a sink installed by a harness. */
#include <stdio.h>

#include "csvsm/plat/console.h"
#include "sim_plat.h"

static sim_console_sink_fn console_sink;
static void *console_sink_ctx;

void sim_console_set_sink(sim_console_sink_fn fn, void *ctx)
{
	console_sink = fn;
	console_sink_ctx = ctx;
}

void plat_console_write(const char *buf, size_t len)
{
	if (console_sink) {
		console_sink(console_sink_ctx, buf, len);
		return;
	}
	fwrite(buf, 1, len, stdout);
	fflush(stdout);
}
