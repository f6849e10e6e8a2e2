/* SPDX-License-Identifier: MIT */
/* errno, assert() and the process identity of the csvsm C runtime. */
#include <assert.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvsm/panic.h"

int errno;

void __csvsm_assert_fail(const char *expr, const char *file, int line)
{
	panic("assertion '%s' failed at %s:%d", expr, file, line);
}

pid_t getpid(void)
{
	return 1;
}

int stat(const char *path, struct stat *st)
{
	(void)path;
	(void)st;
	errno = ENOENT;
	return -1;
}

int fstat(int fd, struct stat *st)
{
	(void)fd;
	(void)st;
	errno = EBADF;
	return -1;
}
