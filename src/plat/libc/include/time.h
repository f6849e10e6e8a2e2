/* SPDX-License-Identifier: MIT */
/*
 * csvsm C runtime: time from the platform's monotonic clock (plat_time_ns).
 * There is no wall clock: time() counts seconds since the SVSM started.
 */
#ifndef CSVSM_LIBC_TIME_H
#define CSVSM_LIBC_TIME_H
#include <csvsm_libc_names.h>
#include <stddef.h>
#include <sys/types.h>
#define CLOCKS_PER_SEC  1000000L
#define CLOCK_REALTIME  0
#define CLOCK_MONOTONIC 1
typedef int clockid_t;
struct tm {
	int tm_sec, tm_min, tm_hour, tm_mday, tm_mon, tm_year, tm_wday, tm_yday, tm_isdst;
};
struct timespec {
	time_t tv_sec;
	long tv_nsec;
};
time_t time(time_t *t);
clock_t clock(void);
int clock_gettime(clockid_t id, struct timespec *ts);
struct tm *gmtime(const time_t *t);
struct tm *gmtime_r(const time_t *t, struct tm *out);
time_t mktime(struct tm *tm);
#endif
