/* SPDX-License-Identifier: MIT */
/* Simulator CPU: halting aborts the process so debuggers and fuzzers see it. */
#include <stdio.h>
#include <stdlib.h>

#include "csvsm/plat/cpu.h"

void plat_halt(void)
{
	fflush(stdout);
	fputs("csvsm-sim: the SVSM halted\n", stderr);
	abort();
}

void plat_cpu_relax(void)
{
	__builtin_ia32_pause();
}
