/* SPDX-License-Identifier: MIT */
/*
 * Time from the platform's monotonic clock (plat_time_ns). The SVSM has no
 * trusted wall clock, so time() and CLOCK_REALTIME count from the SVSM's
 * start (1970-01-01 plus uptime); libtpms only needs a clock that does not
 * go backwards. gmtime() converts with the proleptic Gregorian calendar.
 */
#include <errno.h>
#include <sys/time.h>
#include <time.h>

#include "csvsm/plat/time.h"

time_t time(time_t *t)
{
	time_t now = (time_t)(plat_time_ns() / 1000000000ull);

	if (t)
		*t = now;
	return now;
}

clock_t clock(void)
{
	return (clock_t)(plat_time_ns() / (1000000000ull / CLOCKS_PER_SEC));
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
	uint64_t ns;

	if (id != CLOCK_REALTIME && id != CLOCK_MONOTONIC) {
		errno = EINVAL;
		return -1;
	}
	ns = plat_time_ns();
	ts->tv_sec = (time_t)(ns / 1000000000ull);
	ts->tv_nsec = (long)(ns % 1000000000ull);
	return 0;
}

int gettimeofday(struct timeval *tv, void *tz)
{
	uint64_t ns = plat_time_ns();

	(void)tz;
	tv->tv_sec = (time_t)(ns / 1000000000ull);
	tv->tv_usec = (suseconds_t)(ns % 1000000000ull / 1000);
	return 0;
}

/* Days since 1970-01-01 to a civil date (Howard Hinnant's days_from_civil inverse). */
struct tm *gmtime_r(const time_t *t, struct tm *out)
{
	long secs = *t % 86400, days = *t / 86400;
	long era, doe, yoe, doy, mp, y;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	out->tm_hour = (int)(secs / 3600);
	out->tm_min = (int)(secs / 60 % 60);
	out->tm_sec = (int)(secs % 60);
	out->tm_wday = (int)((days % 7 + 11) % 7); /* 1970-01-01 was a Thursday */
	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	out->tm_mday = (int)(doy - (153 * mp + 2) / 5 + 1);
	out->tm_mon = (int)(mp < 10 ? mp + 2 : mp - 10);
	y += out->tm_mon <= 1;
	out->tm_year = (int)(y - 1900);
	{
		static const short before[12] = {0,   31,  59,  90,  120, 151,
		                                 181, 212, 243, 273, 304, 334};
		bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

		out->tm_yday = before[out->tm_mon] + out->tm_mday - 1 + (leap && out->tm_mon > 1);
	}
	out->tm_isdst = 0;
	return out;
}

struct tm *gmtime(const time_t *t)
{
	static struct tm tm;

	return gmtime_r(t, &tm);
}
