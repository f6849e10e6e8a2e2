/* SPDX-License-Identifier: MIT */
#ifndef CSVSM_LIBC_SYS_TIME_H
#define CSVSM_LIBC_SYS_TIME_H
#include <csvsm_libc_names.h>
#include <sys/types.h>
struct timeval {
	time_t tv_sec;
	suseconds_t tv_usec;
};
int gettimeofday(struct timeval *tv, void *tz);
#endif
