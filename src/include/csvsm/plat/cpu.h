/* SPDX-License-Identifier: MIT */
/* Platform interface: the executing CPU. */
#ifndef CSVSM_PLAT_CPU_H
#define CSVSM_PLAT_CPU_H

#include "csvsm/types.h"

/*
 * Stops the SVSM for good after a broken internal invariant. On bare metal it
 * asks the hypervisor to terminate the guest (GHCB termination request); in
 * the simulator it aborts the process so that a debugger or fuzzer sees it.
 */
CSVSM_NORETURN void plat_halt(void);

/* A hint inside busy-wait loops (PAUSE on x86). No other effect. */
void plat_cpu_relax(void);

#endif
