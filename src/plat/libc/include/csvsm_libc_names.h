/* SPDX-License-Identifier: MIT */
/*
 * The csvsm C runtime's function names. In the image they are the standard
 * names. The hosted Check test of the runtime (tests/check_libc.c) compiles
 * the same sources with CSVSM_LIBC_PREFIXED, which renames every function to
 * csvsm_libc_NAME so that it can run beside the host's libc.
 */
#ifndef CSVSM_LIBC_NAMES_H
#define CSVSM_LIBC_NAMES_H
#ifdef CSVSM_LIBC_PREFIXED
#include <csvsm_libc_prefixed.h>
#endif
#endif
