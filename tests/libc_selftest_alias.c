/* SPDX-License-Identifier: MIT */
/*
 * tests/check_selftest runs the ktest suites hosted; the libc suite calls
 * libc_selftest(), which the hosted build of the runtime names
 * csvsm_libc_selftest (CSVSM_LIBC_PREFIXED). This forwards one to the other.
 */
#include <stddef.h>

int libc_selftest(char *msg, size_t msglen);
int csvsm_libc_selftest(char *msg, size_t msglen);

int libc_selftest(char *msg, size_t msglen)
{
	return csvsm_libc_selftest(msg, msglen);
}
