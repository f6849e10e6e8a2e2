/* SPDX-License-Identifier: MIT */
/* Platform interface: random numbers. */
#ifndef CSVSM_PLAT_ENTROPY_H
#define CSVSM_PLAT_ENTROPY_H

#include "csvsm/types.h"

/*
 * Fills `buf` with `len` random bytes. On hardware these come from RDSEED or
 * RDRAND; in the simulator from a generator seeded by the configuration, so
 * runs are reproducible. Returns 0, or -CSVSM_EIO when the source failed (the
 * caller must not use `buf` then).
 */
int plat_entropy_get(void *buf, size_t len) CSVSM_MUST_CHECK;

#endif
