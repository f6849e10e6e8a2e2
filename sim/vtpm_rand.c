/* SPDX-License-Identifier: MIT */
/*
 * A reproducible vTPM for the simulator: libtpms draws all its randomness
 * from OpenSSL's RAND_bytes (libtpms src/tpm2/Entropy.c, _plat__GetEntropy:
 * the seed of the TPM's DRBG, from which the primary seeds, nonces and
 * GetRandom output come). While sim_vtpm_rand_seed is in force, RAND_bytes
 * of this process returns a splitmix64 stream derived from the machine's
 * seed instead, so that the same seed gives the same TPM, byte for byte
 * (rule 4). Simulator only, and only when the configuration asks for it
 * (csvsm_sim_config.vtpm_rand_from_seed): never for real secrets.
 *
 * OpenSSL 3 still honours a RAND_METHOD set with RAND_set_rand_method (a
 * deprecated 1.1 interface, declared here at API level 1.1.1).
 */
#define OPENSSL_API_COMPAT 10101
#include <openssl/rand.h>

#include "sim_plat.h"

/* Distinct from the platform entropy stream of the same seed ("vtpmrand"). */
#define VTPM_RAND_TWEAK 0x76747069726e6400ull

static uint64_t vtpm_rand_state;
static int vtpm_rand_on;

static uint64_t vtpm_rand_next(void)
{
	uint64_t z = (vtpm_rand_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static int vtpm_rand_bytes(unsigned char *buf, int num)
{
	for (int i = 0; i < num; i += 8) {
		uint64_t w = vtpm_rand_next();

		for (int j = 0; j < 8 && i + j < num; j++)
			buf[i + j] = (unsigned char)(w >> (8 * j));
	}
	return 1;
}

static int vtpm_rand_seed_cb(const void *buf, int num)
{
	(void)buf;
	(void)num;
	return 1; /* reseeding by OpenSSL's users must not change the stream */
}

static int vtpm_rand_add(const void *buf, int num, double entropy)
{
	(void)buf;
	(void)num;
	(void)entropy;
	return 1;
}

static int vtpm_rand_status(void)
{
	return 1;
}

static const RAND_METHOD vtpm_rand_method = {
    .seed = vtpm_rand_seed_cb,
    .bytes = vtpm_rand_bytes,
    .add = vtpm_rand_add,
    .pseudorand = vtpm_rand_bytes,
    .status = vtpm_rand_status,
};

int sim_vtpm_rand_seed(uint64_t seed)
{
	vtpm_rand_state = seed ^ VTPM_RAND_TWEAK;
	if (!RAND_set_rand_method(&vtpm_rand_method))
		return -1;
	vtpm_rand_on = 1;
	return 0;
}

int sim_vtpm_rand_fill(void *buf, size_t len)
{
	if (!vtpm_rand_on || len > INT32_MAX)
		return -1;
	return vtpm_rand_bytes(buf, (int)len) == 1 ? 0 : -1;
}

void sim_vtpm_rand_restore(void)
{
	if (!vtpm_rand_on)
		return;
	RAND_set_rand_method(NULL);
	vtpm_rand_on = 0;
}
