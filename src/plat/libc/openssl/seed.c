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

/* ---- reproducible randomness (csvsm/adapter/rand_replay.h) ---- */

#include <openssl/rand.h>

#include "csvsm/adapter/rand_replay.h"
#include "csvsm/error.h"

#define REPLAY_CHUNK 4096

static rand_replay_fn replay_fill;

static int replay_bytes(unsigned char *buf, int num)
{
	while (num > 0) {
		int n = num < REPLAY_CHUNK ? num : REPLAY_CHUNK;

		if (replay_fill(buf, (size_t)n) != 0)
			return 0;
		buf += n;
		num -= n;
	}
	return 1;
}

static int replay_seed(const void *buf, int num)
{
	(void)buf;
	(void)num;
	return 1; /* reseeding must not change the stream */
}

static int replay_add(const void *buf, int num, double entropy)
{
	(void)buf;
	(void)num;
	(void)entropy;
	return 1;
}

static int replay_status(void)
{
	return 1;
}

static const RAND_METHOD replay_method = {
    .seed = replay_seed,
    .bytes = replay_bytes,
    .add = replay_add,
    .pseudorand = replay_bytes,
    .status = replay_status,
};

int rand_replay_install(rand_replay_fn fill)
{
	if (!fill)
		return -CSVSM_EINVAL;
	replay_fill = fill;
	/* Deprecated in OpenSSL 3.0 but honoured, as the shim's sim/vtpm_rand.c relies on too. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	return RAND_set_rand_method(&replay_method) ? 0 : -CSVSM_EIO;
#pragma GCC diagnostic pop
}
