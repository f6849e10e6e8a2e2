/* SPDX-License-Identifier: MIT */
/*
 * Platform interface: SVSM memory and guest memory access.
 *
 * The SVSM's own memory is reached through plain pointers. Guest memory is
 * reached only through the copy functions below, so every access to
 * attacker-controlled memory is visible at a call site (rule: copy once,
 * then validate and use the copy).
 */
#ifndef CSVSM_PLAT_MEMORY_H
#define CSVSM_PLAT_MEMORY_H

#include "csvsm/types.h"

/* A range of SVSM-private memory, mapped and writable by the SVSM. */
struct plat_mem_region {
	void *base;  /* 4 KiB aligned; 2 MiB aligned where the platform can */
	size_t size; /* a multiple of 4 KiB */
};

/*
 * Hands the core the memory its heap may manage. Called once at boot. The
 * region belongs to the core from then on; the platform never touches it.
 * Returns 0, or -CSVSM_ENOMEM when the platform has no memory to give.
 */
int plat_heap_region(struct plat_mem_region *out);

/*
 * Copies `len` bytes of guest memory at `gpa` into SVSM memory `dst`, as the
 * SVSM (VMPL0) reads it. Returns 0, or -CSVSM_EFAULT when any byte of the
 * range is not guest memory, is not validated, or cannot be read by VMPL0;
 * `dst` is then unspecified. The caller has checked the range for overflow.
 */
int plat_guest_read(gpa_t gpa, void *dst, size_t len) CSVSM_MUST_CHECK;

/*
 * Copies `len` bytes from `src` into guest memory at `gpa`, as VMPL0 writes
 * it. Returns 0 or -CSVSM_EFAULT as plat_guest_read. A failed write may have
 * written a prefix of the range.
 */
int plat_guest_write(gpa_t gpa, const void *src, size_t len) CSVSM_MUST_CHECK;

#endif
