/* SPDX-License-Identifier: MIT */
/* csvsm C runtime: case-insensitive comparison (ASCII). */
#ifndef CSVSM_LIBC_STRINGS_H
#define CSVSM_LIBC_STRINGS_H
#include <csvsm_libc_names.h>
#include <stddef.h>
int strcasecmp(const char *a, const char *b);
int strncasecmp(const char *a, const char *b, size_t n);
char *index(const char *s, int c);
char *rindex(const char *s, int c);
#endif
