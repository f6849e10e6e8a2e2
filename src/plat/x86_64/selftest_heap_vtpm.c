/* SPDX-License-Identifier: MIT */
/*
 * The self-test heap of csvsm-kvm-vtpm.elf (vendor.mk): the vtpm suite
 * starts libtpms and OpenSSL, which allocate more at start than the 1 MiB
 * the other images test with (with 1 MiB, TPM2_Startup ends in failure
 * mode: TPM_RC_FAILURE, cleanly). Overrides the weak default in
 * selftest_x86.c.
 */
#include "x86_plat.h"

size_t x86_selftest_heap_max(void)
{
	return (size_t)4 << 20;
}
