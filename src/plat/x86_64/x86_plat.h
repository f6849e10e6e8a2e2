/* SPDX-License-Identifier: MIT */
/* Services of src/plat/x86_64 for the platforms built on it (kvm, snp). */
#ifndef CSVSM_PLAT_X86_PLAT_H
#define CSVSM_PLAT_X86_PLAT_H

#include "csvsm/types.h"

struct x86_boot;
struct ktest_suite;

/* Sets the region plat_heap_region hands out (identity-mapped RAM). */
void x86_heap_set(uint64_t pa, size_t size);

/* The bring-up's own self-tests (#PF/#UD/#GP caught, entropy, time, heap). */
extern const struct ktest_suite ktest_suite_x86;

/*
 * Takes the heap (and, for `selftest`, scratch memory) from the memory map,
 * runs every self-test suite (core + x86 + `extra`), prints
 * "selftest: N passed, M failed" and returns true when none failed.
 */
bool x86_selftest_run(const struct ktest_suite *const *extra, size_t n_extra);

/*
 * Takes up to `max` bytes of heap from the memory map (at least 1 MiB, 2 MiB
 * aligned where possible) and hands it to plat_heap_region. Returns 0 or
 * -CSVSM_ENOMEM with a console message.
 */
int x86_heap_from_memmap(size_t max) CSVSM_MUST_CHECK;

/* Bytes of heap the self-test runs with (selftest_x86.c; weak, an image may override). */
size_t x86_selftest_heap_max(void);

#endif
