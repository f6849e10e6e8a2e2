/* SPDX-License-Identifier: MIT */
/*
 * Cryptography for the core: SHA-512 (attestation REPORT_DATA) and
 * AES-256-GCM (SNP guest messages, the sealed NV store), behind an adapter
 * like the vTPM engine (csvsm/adapter/vtpm.h).
 *
 * Why an adapter and not a freestanding implementation in src/lib: the
 * vTPM already needs OpenSSL's libcrypto (libtpms links it), so the
 * bare-metal image carries a vetted, constant-time AES (AES-NI) and GHASH
 * anyway. A home-made table-driven AES would leak its key through cache
 * timing to a co-resident hypervisor, which is exactly the attacker an
 * SVSM faces, and a second implementation would be a second thing to get
 * right. The implementation (src/crypto/crypto_openssl.c) is hosted today
 * and goes wherever libcrypto goes; like every adapter symbol it may stay
 * undefined in the freestanding core (scripts/check-freestanding.sh).
 *
 * Every function counts as an allocation for fault injection
 * (FAULT_SITE_ALLOC: libcrypto allocates its contexts) and fails with
 * -CSVSM_ENOMEM when that fault fires, before touching any output.
 */
#ifndef CSVSM_ADAPTER_CRYPTO_H
#define CSVSM_ADAPTER_CRYPTO_H

#include "csvsm/types.h"

#define CRYPTO_SHA512_SIZE  64u
#define CRYPTO_AES256_KEY   32u
#define CRYPTO_GCM_IV_SIZE  12u
#define CRYPTO_GCM_TAG_SIZE 16u

/* One piece of a message to hash. */
struct crypto_span {
	const void *data; /* may be NULL when len is 0 */
	size_t len;
};

/*
 * SHA-512 (FIPS 180-4) of the concatenation of parts[0..count). Returns 0
 * with the digest in `out`, or -CSVSM_ENOMEM / -CSVSM_EIO.
 */
int crypto_sha512(const struct crypto_span *parts, size_t count,
                  uint8_t out[CRYPTO_SHA512_SIZE]) CSVSM_MUST_CHECK;

/*
 * AES-256-GCM encryption (NIST SP 800-38D) of in[0..len) into out[0..len)
 * (in == out is allowed, other overlaps are not), with `aad` authenticated
 * too, and the 16-byte tag into `tag`. The caller must never use one IV
 * twice with one key. Returns 0, -CSVSM_ENOMEM or -CSVSM_EIO.
 */
int crypto_aes256gcm_seal(const uint8_t key[CRYPTO_AES256_KEY],
                          const uint8_t iv[CRYPTO_GCM_IV_SIZE], const void *aad, size_t aad_len,
                          const void *in, void *out, size_t len,
                          uint8_t tag[CRYPTO_GCM_TAG_SIZE]) CSVSM_MUST_CHECK;

/*
 * AES-256-GCM decryption and verification: out[0..len) = plaintext of
 * in[0..len) when `tag` authenticates in, `aad`, key and IV. Returns 0, or
 * -CSVSM_ECORRUPT when it does not authenticate (out is then zeroed: no
 * unauthenticated byte is ever released), -CSVSM_ENOMEM or -CSVSM_EIO.
 */
int crypto_aes256gcm_open(const uint8_t key[CRYPTO_AES256_KEY],
                          const uint8_t iv[CRYPTO_GCM_IV_SIZE], const void *aad, size_t aad_len,
                          const void *in, void *out, size_t len,
                          const uint8_t tag[CRYPTO_GCM_TAG_SIZE]) CSVSM_MUST_CHECK;

#endif /* CSVSM_ADAPTER_CRYPTO_H */
