/* SPDX-License-Identifier: MIT */
/*
 * The entropy-pool functions that OpenSSL's OPENSSL_SYS_UEFI mode leaves to
 * its environment (they live in providers/.../seeding/rand_unix.c on other
 * systems). Entropy comes from the platform (plat_entropy_get: RDSEED or
 * RDRAND on hardware), counted at 8 bits a byte as for an OS source; nonces
 * are the platform clock plus a counter, unique within one SVSM run as
 * SP 800-90A requires of them. Compiled with OpenSSL's internal headers.
 */
#include "crypto/rand.h"
#include "crypto/rand_pool.h"

#include "csvsm/plat/entropy.h"
#include "csvsm/plat/time.h"

/* Largest read from the platform at once (bounded stack use upstream). */
#define SEED_CHUNK 64

size_t ossl_pool_acquire_entropy(RAND_POOL *pool)
{
	size_t needed = ossl_rand_pool_bytes_needed(pool, 1);

	while (needed > 0) {
		size_t n = needed < SEED_CHUNK ? needed : SEED_CHUNK;
		unsigned char *buf = ossl_rand_pool_add_begin(pool, n);

		if (!buf || plat_entropy_get(buf, n) != 0)
			break; /* what was gathered so far still counts */
		ossl_rand_pool_add_end(pool, n, 8 * n);
		needed -= n;
	}
	return ossl_rand_pool_entropy_available(pool);
}

int ossl_pool_add_nonce_data(RAND_POOL *pool)
{
	static uint64_t counter;
	struct {
		uint64_t time_ns;
		uint64_t counter;
	} nonce = {plat_time_ns(), ++counter};

	return ossl_rand_pool_add(pool, (unsigned char *)&nonce, sizeof(nonce), 0);
}

int ossl_rand_pool_init(void)
{
	return 1;
}

void ossl_rand_pool_cleanup(void)
{
}

void ossl_rand_pool_keep_random_devices_open(int keep)
{
	(void)keep;
}
