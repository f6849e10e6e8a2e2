/* SPDX-License-Identifier: MIT */
/*
 * Platform interface: talking to the hypervisor through the GHCB (GHCB spec
 * 56421 v2). The hypervisor is untrusted: every answer is validated by the
 * caller.
 */
#ifndef CSVSM_PLAT_GHCB_H
#define CSVSM_PLAT_GHCB_H

#include "csvsm/types.h"

/*
 * One GHCB MSR protocol exchange: writes `request` to the GHCB MSR
 * (0xC0010130), executes VMGEXIT, and returns the MSR value the hypervisor
 * left. The caller checks the response code (bits 11:0) and data.
 */
uint64_t plat_ghcb_msr_request(uint64_t request);

#endif
