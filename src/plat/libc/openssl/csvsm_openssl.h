/* SPDX-License-Identifier: MIT */
/*
 * Included first in every OpenSSL file of the csvsm image (-include): the
 * EDK2-style types that OpenSSL's OPENSSL_SYS_UEFI mode expects from its
 * environment, and the bignum word size that mode leaves to it.
 */
#ifndef CSVSM_OPENSSL_H
#define CSVSM_OPENSSL_H
#include <stdint.h>
typedef int8_t INT8;
typedef uint8_t UINT8;
typedef int16_t INT16;
typedef uint16_t UINT16;
typedef int32_t INT32;
typedef uint32_t UINT32;
typedef int64_t INT64;
typedef uint64_t UINT64;
typedef long INTN;
typedef unsigned long UINTN;
#define MAX_INTN ((INTN)0x7fffffffffffffffL)
#define SIXTY_FOUR_BIT_LONG
#endif
