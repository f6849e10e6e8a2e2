/* SPDX-License-Identifier: MIT */
/* csvsm C runtime: printf formats of the fixed-width types (LP64). */
#ifndef CSVSM_LIBC_INTTYPES_H
#define CSVSM_LIBC_INTTYPES_H
#include <stdint.h>
#define PRId8   "d"
#define PRId16  "d"
#define PRId32  "d"
#define PRId64  "ld"
#define PRIi32  "i"
#define PRIi64  "li"
#define PRIu8   "u"
#define PRIu16  "u"
#define PRIu32  "u"
#define PRIu64  "lu"
#define PRIx8   "x"
#define PRIx16  "x"
#define PRIx32  "x"
#define PRIx64  "lx"
#define PRIX32  "X"
#define PRIX64  "lX"
#define PRIuPTR "lu"
#define PRIxPTR "lx"
#define PRIdMAX "ld"
#define PRIuMAX "lu"
#endif
