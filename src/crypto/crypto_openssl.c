/* SPDX-License-Identifier: MIT */
/*
 * The crypto adapter (csvsm/adapter/crypto.h) on OpenSSL's libcrypto: the
 * EVP interfaces, one context per call (nothing kept between calls).
 */
#include <limits.h>
#include <openssl/evp.h>
#include <string.h>

#include "csvsm/adapter/crypto.h"
#include "csvsm/error.h"
#include "csvsm/fault.h"

int crypto_sha512(const struct crypto_span *parts, size_t count, uint8_t out[CRYPTO_SHA512_SIZE])
{
	EVP_MD_CTX *ctx;
	unsigned int len = 0;
	int ok;

	if (fault_should_fail(FAULT_SITE_ALLOC))
		return -CSVSM_ENOMEM;
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -CSVSM_ENOMEM;
	ok = EVP_DigestInit_ex(ctx, EVP_sha512(), NULL) == 1;
	for (size_t i = 0; ok && i < count; i++)
		if (parts[i].len)
			ok = EVP_DigestUpdate(ctx, parts[i].data, parts[i].len) == 1;
	ok = ok && EVP_DigestFinal_ex(ctx, out, &len) == 1 && len == CRYPTO_SHA512_SIZE;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -CSVSM_EIO;
}

/* Runs one GCM operation; `tag_in` for decryption, `tag_out` for encryption. */
static int gcm_run(bool enc, const uint8_t *key, const uint8_t *iv, const void *aad, size_t aad_len,
                   const void *in, void *out, size_t len, const uint8_t *tag_in, uint8_t *tag_out)
{
	EVP_CIPHER_CTX *ctx;
	int n = 0, ok;

	if (len > INT_MAX || aad_len > INT_MAX)
		return -CSVSM_EINVAL;
	if (fault_should_fail(FAULT_SITE_ALLOC))
		return -CSVSM_ENOMEM;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return -CSVSM_ENOMEM;
	ok = EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) == 1 &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, CRYPTO_GCM_IV_SIZE, NULL) == 1 &&
	     EVP_CipherInit_ex(ctx, NULL, NULL, key, iv, enc) == 1;
	if (ok && aad_len)
		ok = EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aad_len) == 1;
	if (ok && len)
		ok = EVP_CipherUpdate(ctx, out, &n, in, (int)len) == 1 && (size_t)n == len;
	if (ok && !enc)
		ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, CRYPTO_GCM_TAG_SIZE,
		                         (void *)tag_in) == 1;
	if (ok) {
		int fin = EVP_CipherFinal_ex(ctx, (uint8_t *)out + len, &n);

		if (fin != 1) {
			EVP_CIPHER_CTX_free(ctx);
			if (len)
				memset(out, 0, len);
			return enc ? -CSVSM_EIO : -CSVSM_ECORRUPT;
		}
	}
	if (ok && enc)
		ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, CRYPTO_GCM_TAG_SIZE, tag_out) ==
		     1;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok && len)
		memset(out, 0, len);
	return ok ? 0 : -CSVSM_EIO;
}

int crypto_aes256gcm_seal(const uint8_t key[CRYPTO_AES256_KEY],
                          const uint8_t iv[CRYPTO_GCM_IV_SIZE], const void *aad, size_t aad_len,
                          const void *in, void *out, size_t len, uint8_t tag[CRYPTO_GCM_TAG_SIZE])
{
	return gcm_run(true, key, iv, aad, aad_len, in, out, len, NULL, tag);
}

int crypto_aes256gcm_open(const uint8_t key[CRYPTO_AES256_KEY],
                          const uint8_t iv[CRYPTO_GCM_IV_SIZE], const void *aad, size_t aad_len,
                          const void *in, void *out, size_t len,
                          const uint8_t tag[CRYPTO_GCM_TAG_SIZE])
{
	return gcm_run(false, key, iv, aad, aad_len, in, out, len, tag, NULL);
}
