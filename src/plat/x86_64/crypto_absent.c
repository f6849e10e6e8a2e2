/* SPDX-License-Identifier: MIT */
/*
 * The crypto adapter (csvsm/adapter/crypto.h) of the bare-metal images,
 * until OpenSSL's libcrypto is built freestanding (as libtpms needs it
 * too): every entry point fails with -CSVSM_ENOTSUP, so guest messages
 * cannot be built, attestation answers INVALID_REQUEST and the sealed NV
 * store cannot open (the vTPM is absent there anyway). Linked into the
 * images only; the simulator links src/crypto/crypto_openssl.c.
 */
#include "csvsm/adapter/crypto.h"
#include "csvsm/error.h"

/* A name tests can find in an image's symbol table (tests/kvm_scenarios.sh). */
extern const char csvsm_crypto_absent[];
const char csvsm_crypto_absent[] = "the crypto adapter of this image is crypto_absent.c";

int crypto_sha512(const struct crypto_span *parts, size_t count, uint8_t out[CRYPTO_SHA512_SIZE])
{
	(void)parts;
	(void)count;
	(void)out;
	return -CSVSM_ENOTSUP;
}

int crypto_aes256gcm_seal(const uint8_t key[CRYPTO_AES256_KEY],
                          const uint8_t iv[CRYPTO_GCM_IV_SIZE], const void *aad, size_t aad_len,
                          const void *in, void *out, size_t len, uint8_t tag[CRYPTO_GCM_TAG_SIZE])
{
	(void)key;
	(void)iv;
	(void)aad;
	(void)aad_len;
	(void)in;
	(void)out;
	(void)len;
	(void)tag;
	return -CSVSM_ENOTSUP;
}

int crypto_aes256gcm_open(const uint8_t key[CRYPTO_AES256_KEY],
                          const uint8_t iv[CRYPTO_GCM_IV_SIZE], const void *aad, size_t aad_len,
                          const void *in, void *out, size_t len,
                          const uint8_t tag[CRYPTO_GCM_TAG_SIZE])
{
	(void)key;
	(void)iv;
	(void)aad;
	(void)aad_len;
	(void)in;
	(void)len;
	(void)tag;
	(void)out;
	return -CSVSM_ENOTSUP;
}
