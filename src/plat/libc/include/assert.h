/* SPDX-License-Identifier: MIT */
/* csvsm C runtime: assert() stops the SVSM through the panic path. */
#ifndef CSVSM_LIBC_ASSERT_H
#define CSVSM_LIBC_ASSERT_H
#include <csvsm_libc_names.h>
void __csvsm_assert_fail(const char *expr, const char *file, int line);
#ifdef NDEBUG
#define assert(e) ((void)0)
#else
#define assert(e) ((e) ? (void)0 : __csvsm_assert_fail(#e, __FILE__, __LINE__))
#endif
#ifndef __cplusplus
#define static_assert _Static_assert
#endif
#endif
