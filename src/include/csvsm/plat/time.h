/* SPDX-License-Identifier: MIT */
/* Platform interface: time. */
#ifndef CSVSM_PLAT_TIME_H
#define CSVSM_PLAT_TIME_H

#include "csvsm/types.h"

/*
 * Returns a monotonic time in nanoseconds since an arbitrary start. In the
 * simulator this is a virtual clock advanced by the shim, never the host
 * clock, so traces are deterministic. Never decreases.
 */
uint64_t plat_time_ns(void);

#endif
