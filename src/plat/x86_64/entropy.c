/* SPDX-License-Identifier: MIT */
/*
 * Entropy from RDSEED (preferred: conditioned entropy) with RDRAND as the
 * fallback, each retried a bounded number of times: both may fail
 * transiently (CF = 0) under load (AMD APM vol. 3, RDRAND/RDSEED; AMD
 * and Intel both recommend retries). When both keep failing, or the CPU
 * has neither, plat_entropy_get fails with -CSVSM_EIO and the caller gets
 * no bytes it could mistake for random ones. FAULT_SITE_PLAT makes a call
 * fail on purpose (self-tests of the failure path).
 */
#include "csvsm/plat/entropy.h"
#include "csvsm/error.h"
#include "csvsm/fault.h"
#include "csvsm/lib/string.h"
#include "x86.h"
#include "x86_boot.h"

#define RDSEED_TRIES 64
#define RDRAND_TRIES 16

static bool has_rdrand, has_rdseed;
static int (*entropy_source)(void *buf, size_t len);

void x86_entropy_set_source(int (*fn)(void *buf, size_t len))
{
	entropy_source = fn;
}

void x86_entropy_init(bool have_rdrand, bool have_rdseed)
{
	has_rdrand = have_rdrand;
	has_rdseed = have_rdseed;
}

static bool rdseed64(uint64_t *v)
{
	uint8_t ok;

	__asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
	return ok;
}

static bool rdrand64(uint64_t *v)
{
	uint8_t ok;

	__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
	return ok;
}

static bool random64(uint64_t *v)
{
	if (has_rdseed)
		for (unsigned int i = 0; i < RDSEED_TRIES; i++) {
			if (rdseed64(v))
				return true;
			x86_pause();
		}
	if (has_rdrand)
		for (unsigned int i = 0; i < RDRAND_TRIES; i++)
			if (rdrand64(v))
				return true;
	return false;
}

int plat_entropy_get(void *buf, size_t len)
{
	uint8_t *p = buf;

	if (fault_should_fail(FAULT_SITE_PLAT))
		return -CSVSM_EIO;
	if (entropy_source)
		return entropy_source(buf, len);
	while (len) {
		uint64_t v;
		size_t n = MIN(len, sizeof(v));

		if (!random64(&v)) {
			mem_set(buf, 0, (size_t)(p - (uint8_t *)buf));
			return -CSVSM_EIO;
		}
		mem_copy(p, &v, n);
		v = 0;
		p += n;
		len -= n;
	}
	return 0;
}
