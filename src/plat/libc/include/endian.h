/* SPDX-License-Identifier: MIT */
/* csvsm C runtime: byte order of x86_64 (little endian). */
#ifndef CSVSM_LIBC_ENDIAN_H
#define CSVSM_LIBC_ENDIAN_H
#define __LITTLE_ENDIAN 1234
#define __BIG_ENDIAN    4321
#define __BYTE_ORDER    __LITTLE_ENDIAN
#define LITTLE_ENDIAN   __LITTLE_ENDIAN
#define BIG_ENDIAN      __BIG_ENDIAN
#define BYTE_ORDER      __BYTE_ORDER
#endif
