/* SPDX-License-Identifier: MIT */
/*
 * Randomness for the libraries, from the platform (plat_entropy_get: RDSEED
 * or RDRAND on hardware, the seeded generator in the simulator):
 * getentropy() as in POSIX 2024, and the entropy pool callbacks OpenSSL's
 * OPENSSL_SYS_UEFI mode leaves to its environment (its seed source and DRBG
 * call these; see src/plat/libc/openssl/csvsm.conf).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "csvsm/plat/entropy.h"

int getentropy(void *buf, size_t len);

int getentropy(void *buf, size_t len)
{
	if (len > 256) {
		errno = EIO;
		return -1;
	}
	if (plat_entropy_get(buf, len) != 0) {
		errno = EIO;
		return -1;
	}
	return 0;
}
