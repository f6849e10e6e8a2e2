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

/*
 * Writes `len` zero bytes into guest memory at `gpa`, as VMPL0 writes them:
 * what plat_guest_write of a buffer of zeros does, without the buffer (the
 * SVSM zeroes every page it validates, up to 2 MiB at once). Returns 0 or
 * -CSVSM_EFAULT as plat_guest_write.
 */
int plat_guest_zero(gpa_t gpa, size_t len) CSVSM_MUST_CHECK;

/*
 * Memory checking of the SVSM heap. CSVSM_MEMCHECK is 1 when the core is
 * compiled for a memory checker (AddressSanitizer in simulator builds):
 * the heap then tells the platform which of its bytes are free, so that a
 * stray access to them is reported where it happens. It is 0 on bare metal,
 * and the heap makes no calls at all.
 */
#if defined(__SANITIZE_ADDRESS__)
#define CSVSM_MEMCHECK 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CSVSM_MEMCHECK 1
#endif
#endif
#ifndef CSVSM_MEMCHECK
#define CSVSM_MEMCHECK 0
#endif

/*
 * The core will not use SVSM memory [p, p + len) until it unpoisons it: a
 * memory checker may report any access to it. Exact for ranges that start
 * 8-byte aligned (the checker's granule); a range that starts inside a
 * granule leaves that granule's first bytes usable. Does nothing on a
 * platform without a checker. Never fails.
 */
void plat_mem_poison(const void *p, size_t len);

/*
 * The core uses SVSM memory [p, p + len) again: undoes plat_mem_poison for
 * exactly those bytes (when `p` is 8-byte aligned, p + len is the first
 * byte still reported). Does nothing on a platform without a checker.
 */
void plat_mem_unpoison(const void *p, size_t len);

#endif
