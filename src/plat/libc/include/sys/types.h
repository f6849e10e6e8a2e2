/* SPDX-License-Identifier: MIT */
#ifndef CSVSM_LIBC_SYS_TYPES_H
#define CSVSM_LIBC_SYS_TYPES_H
#include <stddef.h>
#include <stdint.h>
typedef long ssize_t;
typedef long off_t;
typedef int pid_t;
typedef long time_t;
typedef long clock_t;
typedef long suseconds_t;
typedef unsigned int uid_t;
typedef unsigned int gid_t;
typedef unsigned int mode_t;
#endif
