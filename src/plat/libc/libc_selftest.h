/* SPDX-License-Identifier: MIT */
#ifndef CSVSM_LIBC_SELFTEST_H
#define CSVSM_LIBC_SELFTEST_H
#include <csvsm_libc_names.h>
#include <stddef.h>

#ifdef CSVSM_LIBC_PREFIXED
#define libc_selftest csvsm_libc_selftest
#endif

/*
 * Runs every self-test of the C runtime (src/plat/libc/selftest.c). Returns the
 * number of failed checks; the first failure is described in `msg` (NUL
 * terminated, cut to `msglen`; may be NULL). Allocates and frees a few
 * kilobytes on the csvsm heap, and never leaves anything allocated.
 */
int libc_selftest(char *msg, size_t msglen);
#endif
