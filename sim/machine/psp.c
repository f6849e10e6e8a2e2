/* SPDX-License-Identifier: MIT */
/*
 * The emulated PSP (psp.h): guest message checks and crypto, the
 * attestation report and its ECDSA P-384 signature, derived keys, and the
 * ARK/ASK/VCEK certificates, all on OpenSSL's libcrypto.
 */
#include "psp.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "csvsm/abi/snp_guest.h"

#define PSP_SHA384 48
#define PSP_P384   48

/* The TCB the emulated firmware reports: bootloader 3, TEE 0, SNP 8, microcode 115. */
#define PSP_TCB      ((uint64_t)3 | (uint64_t)0 << 8 | (uint64_t)8 << 48 | (uint64_t)115 << 56)
#define PSP_FW_BUILD 21
#define PSP_FW_MINOR 55
#define PSP_FW_MAJOR 1

struct psp_key {
	BIGNUM *d;
	EVP_PKEY *pkey;
	uint8_t d_bytes[PSP_P384];
	/* cfg.fast_sign: the key's one nonce, as r and k^-1 (psp_sign_fast). */
	BIGNUM *fixed_r, *fixed_kinv;
};

/* A report's digest and its VCEK signature (r, s big-endian). */
struct psp_sig_memo {
	bool used;
	uint8_t digest[PSP_SHA384];
	uint8_t r[PSP_P384];
	uint8_t s[PSP_P384];
};

#define PSP_SIG_MEMO 8

struct sim_psp {
	struct sim_psp_config cfg;
	EC_GROUP *group;
	uint8_t machine_secret[PSP_SHA384];
	uint8_t chip_id[64];
	struct psp_key keys[SIM_PSP_CERTS];
	uint8_t *der[SIM_PSP_CERTS];
	size_t der_len[SIM_PSP_CERTS];
	uint8_t *cert_table;
	size_t cert_table_len;
	uint64_t seqno[SIM_PSP_VMPCKS]; /* last sequence number used with each VMPCK */
	struct sim_psp_stats stats;
	/*
	 * The last reports' signatures (psp_report_sign): a P-384 signature
	 * costs about a millisecond, and a fuzz target asks for the same
	 * report again and again.
	 */
	struct psp_sig_memo memo[PSP_SIG_MEMO];
	unsigned int memo_next;
};

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* HMAC-SHA-384(key, label || data): the model's one derivation function. */
static bool psp_hmac(const uint8_t *key, size_t key_len, const char *label, const void *data,
                     size_t len, uint8_t out[PSP_SHA384])
{
	uint8_t buf[512];
	size_t ll = strlen(label);
	unsigned int olen = 0;

	if (ll + len > sizeof(buf))
		return false;
	memcpy(buf, label, ll);
	if (len)
		memcpy(buf + ll, data, len);
	return HMAC(EVP_sha384(), key, (int)key_len, buf, ll + len, out, &olen) != NULL &&
	       olen == PSP_SHA384;
}

/* ---- ECDSA P-384 keys and deterministic signatures ---- */

static bool psp_key_make(struct sim_psp *psp, struct psp_key *k, const uint8_t *secret,
                         size_t secret_len, const char *label)
{
	uint8_t wide[2 * PSP_SHA384], pub[1 + 2 * PSP_P384];
	const BIGNUM *order = EC_GROUP_get0_order(psp->group);
	BIGNUM *n1 = BN_dup(order), *w = NULL;
	BN_CTX *bn = BN_CTX_new();
	EC_POINT *q = EC_POINT_new(psp->group);
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pc = NULL;
	bool ok = false;
	size_t pub_len;

	k->d = BN_new();
	if (!n1 || !bn || !q || !k->d)
		goto out;
	/* d = 1 + (HMAC(label "1") || HMAC(label "2")) mod (n - 1): uniform enough, never 0. */
	if (!psp_hmac(secret, secret_len, label, "1", 1, wide) ||
	    !psp_hmac(secret, secret_len, label, "2", 1, wide + PSP_SHA384))
		goto out;
	w = BN_bin2bn(wide, sizeof(wide), NULL);
	if (!w || !BN_sub_word(n1, 1) || !BN_mod(k->d, w, n1, bn) || !BN_add_word(k->d, 1) ||
	    BN_bn2binpad(k->d, k->d_bytes, PSP_P384) != PSP_P384 ||
	    !EC_POINT_mul(psp->group, q, k->d, NULL, NULL, bn))
		goto out;
	pub_len =
	    EC_POINT_point2oct(psp->group, q, POINT_CONVERSION_UNCOMPRESSED, pub, sizeof(pub), bn);
	bld = OSSL_PARAM_BLD_new();
	if (pub_len != sizeof(pub) || !bld ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "secp384r1", 0) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, k->d) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, pub_len))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	pc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	ok = params && pc && EVP_PKEY_fromdata_init(pc) == 1 &&
	     EVP_PKEY_fromdata(pc, &k->pkey, EVP_PKEY_KEYPAIR, params) == 1;
out:
	OPENSSL_cleanse(wide, sizeof(wide));
	EVP_PKEY_CTX_free(pc);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EC_POINT_free(q);
	BN_CTX_free(bn);
	BN_clear_free(w);
	BN_free(n1);
	return ok;
}

static bool psp_keys(struct sim_psp *psp);

/*
 * The next usable ECDSA nonce (FIPS 186-5 6.4.1) for `digest`, derived
 * deterministically: k = HMAC-SHA-384(d, label, digest || counter) mod n,
 * trying counters from *ctr on until k and r are non-zero. Sets r (the x
 * of k G, mod n) and kinv (k^-1 mod n), and leaves *ctr past the counter
 * used, so that a caller whose s comes out 0 asks again for the next one.
 * False when no counter below 256 gives one (never, in practice) or when
 * libcrypto fails.
 */
static bool psp_nonce(struct sim_psp *psp, const struct psp_key *key, const char *label,
                      const uint8_t digest[PSP_SHA384], unsigned int *ctr, BIGNUM *r, BIGNUM *kinv,
                      BN_CTX *bn)
{
	const BIGNUM *n = EC_GROUP_get0_order(psp->group);
	BIGNUM *k = BN_new(), *x = BN_new();
	EC_POINT *p = EC_POINT_new(psp->group);
	uint8_t msg[PSP_SHA384 + 1], kb[PSP_SHA384];
	bool ok = false, failed = !k || !x || !p;

	memcpy(msg, digest, PSP_SHA384);
	for (; *ctr < 256 && !ok && !failed; (*ctr)++) {
		msg[PSP_SHA384] = (uint8_t)*ctr;
		if (!psp_hmac(key->d_bytes, PSP_P384, label, msg, sizeof(msg), kb) ||
		    !BN_bin2bn(kb, sizeof(kb), k) || !BN_nnmod(k, k, n, bn)) {
			failed = true;
			break;
		}
		if (BN_is_zero(k))
			continue;
		if (!EC_POINT_mul(psp->group, p, k, NULL, NULL, bn) ||
		    !EC_POINT_get_affine_coordinates(psp->group, p, x, NULL, bn) ||
		    !BN_nnmod(r, x, n, bn) || (!BN_is_zero(r) && !BN_mod_inverse(kinv, k, n, bn))) {
			failed = true;
			break;
		}
		ok = !BN_is_zero(r);
	}
	OPENSSL_cleanse(kb, sizeof(kb));
	EC_POINT_free(p);
	BN_clear_free(k);
	BN_free(x);
	return ok;
}

/*
 * s = k^-1 (e + r d) mod n (FIPS 186-5 6.4.1) for the digest `e` and a
 * nonce given as r and kinv; r and s written big-endian, 48 bytes each.
 * Returns 1 for a signature, 0 when s is 0 (another nonce is needed), -1
 * when libcrypto fails.
 */
static int psp_sign_with(struct sim_psp *psp, const struct psp_key *key, const BIGNUM *e,
                         const BIGNUM *r, const BIGNUM *kinv, uint8_t r_out[PSP_P384],
                         uint8_t s_out[PSP_P384], BN_CTX *bn)
{
	const BIGNUM *n = EC_GROUP_get0_order(psp->group);
	BIGNUM *t = BN_new(), *s = BN_new();
	int rc = -1;

	if (!t || !s || !BN_mod_mul(t, r, key->d, n, bn) || !BN_mod_add(t, t, e, n, bn) ||
	    !BN_mod_mul(s, kinv, t, n, bn))
		rc = -1;
	else if (BN_is_zero(s))
		rc = 0;
	else if (BN_bn2binpad(r, r_out, PSP_P384) == PSP_P384 &&
	         BN_bn2binpad(s, s_out, PSP_P384) == PSP_P384)
		rc = 1;
	BN_free(t);
	BN_free(s);
	return rc;
}

/*
 * ECDSA over a SHA-384 digest with a deterministic nonce (psp_nonce): the
 * same key and digest give the same signature. A model's signer, not
 * constant time.
 */
static bool psp_sign(struct sim_psp *psp, const struct psp_key *key,
                     const uint8_t digest[PSP_SHA384], uint8_t r_out[PSP_P384],
                     uint8_t s_out[PSP_P384])
{
	BN_CTX *bn = BN_CTX_new();
	BIGNUM *e = BN_bin2bn(digest, PSP_SHA384, NULL), *r = BN_new(), *kinv = BN_new();
	unsigned int ctr = 0;
	int rc = -1;

	if (bn && e && r && kinv)
		while (psp_nonce(psp, key, "csvsm-sim ECDSA k", digest, &ctr, r, kinv, bn) &&
		       (rc = psp_sign_with(psp, key, e, r, kinv, r_out, s_out, bn)) == 0)
			;
	BN_clear_free(kinv);
	BN_free(e);
	BN_free(r);
	BN_CTX_free(bn);
	return rc == 1;
}

/*
 * psp_sign with one nonce for every digest (cfg.fast_sign, for fuzz
 * targets): the key's r and k^-1 are computed at its first signature, and
 * each signature after is two multiplications mod n instead of a scalar
 * multiplication, which was a sixth of a fuzz target's time. The signature
 * is still valid ECDSA, but any two of them give the private key away
 * (s1 - s2 = k^-1 (e1 - e2)): never where the key must stay secret. A
 * digest whose s would be 0 is signed by psp_sign.
 */
static bool psp_sign_fast(struct sim_psp *psp, struct psp_key *key,
                          const uint8_t digest[PSP_SHA384], uint8_t r_out[PSP_P384],
                          uint8_t s_out[PSP_P384])
{
	static const uint8_t fixed[PSP_SHA384];
	BN_CTX *bn = BN_CTX_new();
	BIGNUM *e = BN_bin2bn(digest, PSP_SHA384, NULL);
	unsigned int ctr = 0;
	int rc = -1;

	if (bn && e && !key->fixed_r) {
		key->fixed_r = BN_new();
		key->fixed_kinv = BN_new();
		if (!key->fixed_r || !key->fixed_kinv ||
		    !psp_nonce(psp, key, "csvsm-sim ECDSA fixed k", fixed, &ctr, key->fixed_r,
		               key->fixed_kinv, bn)) {
			BN_free(key->fixed_r);
			BN_clear_free(key->fixed_kinv);
			key->fixed_r = key->fixed_kinv = NULL;
		}
	}
	if (bn && e && key->fixed_r)
		rc = psp_sign_with(psp, key, e, key->fixed_r, key->fixed_kinv, r_out, s_out, bn);
	BN_free(e);
	BN_CTX_free(bn);
	if (rc == 0)
		return psp_sign(psp, key, digest, r_out, s_out);
	return rc == 1;
}

/*
 * The VCEK's signature of a report digest. The signature is a function of
 * the key and the digest alone (psp_sign's nonce is derived from both), so
 * the signatures of the last PSP_SIG_MEMO digests are kept with the PSP
 * (freed with it) and given again: the same bytes, without the scalar
 * multiplication.
 */
static bool psp_report_sign(struct sim_psp *psp, const uint8_t digest[PSP_SHA384],
                            uint8_t r_out[PSP_P384], uint8_t s_out[PSP_P384])
{
	struct psp_sig_memo *m;

	for (unsigned int i = 0; i < PSP_SIG_MEMO; i++) {
		m = &psp->memo[i];
		if (m->used && memcmp(m->digest, digest, PSP_SHA384) == 0) {
			memcpy(r_out, m->r, PSP_P384);
			memcpy(s_out, m->s, PSP_P384);
			return true;
		}
	}
	if (!psp_keys(psp))
		return false;
	if (psp->cfg.fast_sign ? !psp_sign_fast(psp, &psp->keys[SIM_PSP_VCEK], digest, r_out, s_out)
	                       : !psp_sign(psp, &psp->keys[SIM_PSP_VCEK], digest, r_out, s_out))
		return false;
	m = &psp->memo[psp->memo_next];
	psp->memo_next = (psp->memo_next + 1) % PSP_SIG_MEMO;
	m->used = true;
	memcpy(m->digest, digest, PSP_SHA384);
	memcpy(m->r, r_out, PSP_P384);
	memcpy(m->s, s_out, PSP_P384);
	return true;
}

static bool sha384(const void *data, size_t len, uint8_t out[PSP_SHA384])
{
	unsigned int olen = 0;

	return EVP_Digest(data, len, out, &olen, EVP_sha384(), NULL) == 1 && olen == PSP_SHA384;
}

/* ---- certificates ---- */

static X509_NAME *psp_name(const char *cn)
{
	X509_NAME *n = X509_NAME_new();

	if (n &&
	    X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC,
	                               (const unsigned char *)"csvsm simulator (not AMD)", -1, -1,
	                               0) == 1 &&
	    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1,
	                               0) == 1)
		return n;
	X509_NAME_free(n);
	return NULL;
}

static bool psp_add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;
	bool ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	ok = e && X509_add_ext(x, e, -1) == 1;
	X509_EXTENSION_free(e);
	return ok;
}

/*
 * Replaces the signature X509_sign made (random nonce) with the
 * deterministic one over the same to-be-signed bytes.
 */
static bool psp_resign(struct sim_psp *psp, X509 *x, const struct psp_key *issuer)
{
	const ASN1_BIT_STRING *csig = NULL;
	uint8_t *tbs = NULL, *der = NULL, *p, digest[PSP_SHA384], rb[PSP_P384], sb[PSP_P384];
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *r = NULL, *s = NULL;
	int tbs_len, der_len;
	bool ok = false;

	tbs_len = i2d_re_X509_tbs(x, &tbs);
	if (!sig || tbs_len <= 0 || !sha384(tbs, (size_t)tbs_len, digest) ||
	    !psp_sign(psp, issuer, digest, rb, sb))
		goto out;
	r = BN_bin2bn(rb, PSP_P384, NULL);
	s = BN_bin2bn(sb, PSP_P384, NULL);
	if (!r || !s || ECDSA_SIG_set0(sig, r, s) != 1)
		goto out;
	r = s = NULL;
	der_len = i2d_ECDSA_SIG(sig, NULL);
	if (der_len <= 0 || !(der = OPENSSL_malloc((size_t)der_len)))
		goto out;
	p = der;
	i2d_ECDSA_SIG(sig, &p);
	X509_get0_signature(&csig, NULL, x);
	ok = csig && ASN1_BIT_STRING_set((ASN1_BIT_STRING *)csig, der, der_len) == 1;
out:
	OPENSSL_free(der);
	OPENSSL_free(tbs);
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(sig);
	return ok;
}

static X509 *psp_cert(struct sim_psp *psp, const char *cn, const char *issuer_cn, long serial,
                      const struct psp_key *subject, const struct psp_key *issuer, bool ca)
{
	X509 *x = X509_new();
	X509_NAME *sn = psp_name(cn), *in = psp_name(issuer_cn);
	bool ok;

	ok = x && sn && in && X509_set_version(x, 2) == 1 &&
	     ASN1_INTEGER_set(X509_get_serialNumber(x), serial) == 1 &&
	     ASN1_TIME_set_string_X509(X509_getm_notBefore(x), "20240101000000Z") == 1 &&
	     ASN1_TIME_set_string_X509(X509_getm_notAfter(x), "20991231235959Z") == 1 &&
	     X509_set_subject_name(x, sn) == 1 && X509_set_issuer_name(x, in) == 1 &&
	     X509_set_pubkey(x, subject->pkey) == 1 &&
	     psp_add_ext(x, NULL, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE") &&
	     psp_add_ext(x, NULL, NID_key_usage,
	                 ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature") &&
	     X509_sign(x, issuer->pkey, EVP_sha384()) > 0 && psp_resign(psp, x, issuer);
	X509_NAME_free(sn);
	X509_NAME_free(in);
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static bool psp_certs(struct sim_psp *psp)
{
	static const char *const cn[SIM_PSP_CERTS] = {"ARK-csvsm-sim", "ASK-csvsm-sim",
	                                              "VCEK-csvsm-sim"};
	static const uint8_t guid[SIM_PSP_CERTS][16] = {SNP_GUID_ARK, SNP_GUID_ASK, SNP_GUID_VCEK};
	static const enum sim_psp_cert order[SIM_PSP_CERTS] = {SIM_PSP_VCEK, SIM_PSP_ASK,
	                                                       SIM_PSP_ARK};
	size_t off = (SIM_PSP_CERTS + 1) * sizeof(struct snp_cert_entry);

	for (int i = 0; i < SIM_PSP_CERTS; i++) {
		int issuer = i == SIM_PSP_ARK ? SIM_PSP_ARK : i - 1;
		X509 *x = psp_cert(psp, cn[i], cn[issuer], 1 + i, &psp->keys[i], &psp->keys[issuer],
		                   i != SIM_PSP_VCEK);
		uint8_t *p = NULL;
		int len = x ? i2d_X509(x, &p) : -1;

		X509_free(x);
		if (len <= 0)
			return false;
		psp->der[i] = p;
		psp->der_len[i] = (size_t)len;
	}
	psp->cert_table_len = off;
	for (int i = 0; i < SIM_PSP_CERTS; i++)
		psp->cert_table_len += psp->der_len[i];
	psp->cert_table = calloc(1, psp->cert_table_len);
	if (!psp->cert_table)
		return false;
	for (int j = 0; j < SIM_PSP_CERTS; j++) {
		enum sim_psp_cert c = order[j];
		struct snp_cert_entry e;

		memcpy(e.guid, guid[c], sizeof(e.guid));
		e.offset = (uint32_t)off;
		e.length = (uint32_t)psp->der_len[c];
		memcpy(psp->cert_table + j * sizeof(e), &e, sizeof(e));
		memcpy(psp->cert_table + off, psp->der[c], psp->der_len[c]);
		off += psp->der_len[c];
	}
	return true;
}

/* ---- the PSP ---- */

/* Frees the keys and certificates (psp_keys), leaving the PSP without them. */
static void psp_keys_free(struct sim_psp *psp)
{
	for (int i = 0; i < SIM_PSP_CERTS; i++) {
		BN_clear_free(psp->keys[i].d);
		BN_free(psp->keys[i].fixed_r);
		BN_clear_free(psp->keys[i].fixed_kinv);
		EVP_PKEY_free(psp->keys[i].pkey);
		OPENSSL_free(psp->der[i]);
		OPENSSL_cleanse(&psp->keys[i], sizeof(psp->keys[i]));
		psp->der[i] = NULL;
		psp->der_len[i] = 0;
	}
	free(psp->cert_table);
	psp->cert_table = NULL;
	psp->cert_table_len = 0;
	EC_GROUP_free(psp->group);
	psp->group = NULL;
}

/*
 * The P-384 keys (ARK and ASK from the product line's secret, the VCEK
 * from the machine secret) and the three certificates, made at the first
 * use: a report to sign or a certificate asked for. Most machines never
 * attest, and the three derivations and signatures were most of a
 * machine's construction (a fuzz target that builds a machine per input
 * spent 62 % of its time there). The result depends on cfg.seed alone,
 * whenever it is made. Returns false when libcrypto fails (out of memory);
 * nothing is kept then, and the next use tries again.
 */
static bool psp_keys(struct sim_psp *psp)
{
	/* The product roots are the same on every machine, like AMD's per product line. */
	static const uint8_t product_secret[] = "csvsm-sim product line keys";

	if (psp->cert_table)
		return true;
	psp->group = EC_GROUP_new_by_curve_name(NID_secp384r1);
	if (psp->group &&
	    psp_key_make(psp, &psp->keys[SIM_PSP_ARK], product_secret, sizeof(product_secret),
	                 "ARK") &&
	    psp_key_make(psp, &psp->keys[SIM_PSP_ASK], product_secret, sizeof(product_secret),
	                 "ASK") &&
	    psp_key_make(psp, &psp->keys[SIM_PSP_VCEK], psp->machine_secret, PSP_SHA384, "VCEK") &&
	    psp_certs(psp))
		return true;
	psp_keys_free(psp);
	return false;
}

/* Derives the machine secret and chip ID from cfg.seed (the keys: psp_keys). */
static bool psp_derive(struct sim_psp *psp)
{
	uint8_t seed[8];

	put_le64(seed, psp->cfg.seed);
	return psp_hmac((const uint8_t *)"csvsm-sim PSP", 13, "machine secret", seed, sizeof(seed),
	                psp->machine_secret) &&
	       psp_hmac(psp->machine_secret, PSP_SHA384, "chip id 1", NULL, 0, psp->chip_id) &&
	       psp_hmac(psp->machine_secret, PSP_SHA384, "chip id 2", NULL, 0, psp->chip_id + 16);
}

struct sim_psp *sim_psp_new(const struct sim_psp_config *cfg)
{
	struct sim_psp *psp = calloc(1, sizeof(*psp));

	if (!psp)
		return NULL;
	psp->cfg = *cfg;
	if (!psp_derive(psp)) {
		sim_psp_free(psp);
		return NULL;
	}
	return psp;
}

void sim_psp_free(struct sim_psp *psp)
{
	if (!psp)
		return;
	psp_keys_free(psp);
	OPENSSL_cleanse(psp, sizeof(*psp));
	free(psp);
}

const uint8_t *sim_psp_cert_table(struct sim_psp *psp, size_t *len)
{
	if (!psp_keys(psp)) {
		*len = 0;
		return NULL;
	}
	*len = psp->cert_table_len;
	return psp->cert_table;
}

const uint8_t *sim_psp_cert_der(struct sim_psp *psp, enum sim_psp_cert which, size_t *len)
{
	if (!psp_keys(psp)) {
		*len = 0;
		return NULL;
	}
	*len = psp->der_len[which];
	return psp->der[which];
}

void sim_psp_get_stats(const struct sim_psp *psp, struct sim_psp_stats *out)
{
	*out = psp->stats;
}

void sim_psp_get_state(const struct sim_psp *psp, struct sim_psp_state *out)
{
	memcpy(out->seqno, psp->seqno, sizeof(out->seqno));
	out->stats = psp->stats;
}

void sim_psp_set_state(struct sim_psp *psp, const struct sim_psp_state *state)
{
	memcpy(psp->seqno, state->seqno, sizeof(psp->seqno));
	psp->stats = state->stats;
}

/* AES-256-GCM with the message IV (abi 5.2: seqno LE, then 4 zero bytes). */
static bool psp_gcm(bool enc, const uint8_t *key, uint64_t seqno, const uint8_t *aad,
                    const uint8_t *in, uint8_t *out, size_t len, uint8_t *tag)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	uint8_t iv[SNP_MSG_IV_SIZE] = {0};
	int n = 0;
	bool ok;

	put_le64(iv, seqno);
	ok = c && EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, key, iv, enc) == 1 &&
	     EVP_CipherUpdate(c, NULL, &n, aad, SNP_MSG_AAD_SIZE) == 1 &&
	     (len == 0 || EVP_CipherUpdate(c, out, &n, in, (int)len) == 1) &&
	     (enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, SNP_MSG_TAG_SIZE, tag) == 1) &&
	     EVP_CipherFinal_ex(c, out + len, &n) == 1 &&
	     (!enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, SNP_MSG_TAG_SIZE, tag) == 1);
	EVP_CIPHER_CTX_free(c);
	return ok;
}

static bool mem_zero(const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i])
			return false;
	return true;
}

/* MSG_REPORT_REQ (abi 5.3) -> MSG_REPORT_RSP payload (abi 5.4). */
static size_t psp_report(struct sim_psp *psp, unsigned int vmpck, const uint8_t *in, size_t len,
                         uint8_t *out)
{
	struct snp_report_req req;
	struct snp_report_rsp rsp;
	struct snp_report *r = &rsp.report;
	uint8_t digest[PSP_SHA384], rb[PSP_P384], sb[PSP_P384], id[PSP_SHA384];
	uint32_t key_sel;

	memset(&rsp, 0, sizeof(rsp));
	memcpy(&req, in, len < sizeof(req) ? len : sizeof(req));
	key_sel = req.flags & SNP_REPORT_KEY_SEL_MASK;
	if (len != sizeof(req) || req.vmpl > SNP_MSG_VMPCK_MAX || req.vmpl < vmpck ||
	    (req.flags & ~SNP_REPORT_KEY_SEL_MASK) ||
	    !mem_zero(req.reserved, sizeof(req.reserved)) || key_sel == 3) {
		rsp.status = SNP_FW_STATUS_INVALID_PARAM;
	} else if (key_sel == SNP_REPORT_KEY_SEL_VLEK) {
		rsp.status = SNP_FW_STATUS_INVALID_KEY; /* no VLEK is installed */
	} else {
		r->version = SNP_REPORT_VERSION;
		r->policy = psp->cfg.policy;
		r->vmpl = req.vmpl;
		r->signature_algo = SNP_SIG_ALGO_ECDSA_P384_SHA384;
		r->current_tcb = r->reported_tcb = r->committed_tcb = r->launch_tcb = PSP_TCB;
		r->signer_info = 0; /* SIGNING_KEY 0: VCEK, chip ID not masked */
		memcpy(r->report_data, req.report_data, sizeof(r->report_data));
		memcpy(r->measurement, psp->cfg.measurement, sizeof(r->measurement));
		memcpy(r->host_data, psp->cfg.host_data, sizeof(r->host_data));
		if (!psp_hmac(psp->machine_secret, PSP_SHA384, "report id", psp->cfg.measurement,
		              sizeof(psp->cfg.measurement), id))
			return 0;
		memcpy(r->report_id, id, sizeof(r->report_id));
		memcpy(r->chip_id, psp->chip_id, sizeof(r->chip_id));
		r->current_build = r->committed_build = PSP_FW_BUILD;
		r->current_minor = r->committed_minor = PSP_FW_MINOR;
		r->current_major = r->committed_major = PSP_FW_MAJOR;
		if (!sha384(r, SNP_REPORT_SIGNED_SIZE, digest) ||
		    !psp_report_sign(psp, digest, rb, sb))
			return 0;
		/* abi 5.5: r and s little-endian, zero-extended to 72 bytes. */
		for (int i = 0; i < PSP_P384; i++) {
			r->sig_r[i] = rb[PSP_P384 - 1 - i];
			r->sig_s[i] = sb[PSP_P384 - 1 - i];
		}
		rsp.report_size = SNP_REPORT_SIZE;
		psp->stats.reports++;
	}
	memcpy(out, &rsp, sizeof(rsp));
	return sizeof(rsp);
}

/* MSG_KEY_REQ -> MSG_KEY_RSP (56860 "MSG_KEY_REQ"). */
static size_t psp_key(struct sim_psp *psp, unsigned int vmpck, const uint8_t *in, size_t len,
                      uint8_t *out)
{
	struct snp_key_req req;
	struct snp_key_rsp rsp;
	uint8_t mix[256], root[PSP_SHA384], key[PSP_SHA384];
	size_t n = 0;
	uint64_t f;

	memset(&rsp, 0, sizeof(rsp));
	memcpy(&req, in, len < sizeof(req) ? len : sizeof(req));
	f = req.guest_field_select;
	if (len != sizeof(req) || req.root_key_select != SNP_KEY_ROOT_VCEK || req.reserved_04 ||
	    (f & ~SNP_KEY_FIELD_MASK) || req.vmpl > SNP_MSG_VMPCK_MAX || req.vmpl < vmpck ||
	    ((f & SNP_KEY_FIELD_GUEST_SVN) && req.guest_svn > 0) ||
	    ((f & SNP_KEY_FIELD_TCB_VERSION) && req.tcb_version > PSP_TCB)) {
		/* VMRK (root select 1) exists only for a migration agent: none here. */
		rsp.status = SNP_FW_STATUS_INVALID_PARAM;
		memcpy(out, &rsp, sizeof(rsp));
		return sizeof(rsp);
	}
	/* The mix: VMPL, the selection, then each selected field in bit order. */
	memcpy(mix + n, &req.vmpl, 4), n += 4;
	memcpy(mix + n, &f, 8), n += 8;
	if (f & SNP_KEY_FIELD_POLICY)
		memcpy(mix + n, &psp->cfg.policy, 8), n += 8;
	if (f & SNP_KEY_FIELD_IMAGE_ID)
		memset(mix + n, 0, 16), n += 16; /* the launch gave no ID block */
	if (f & SNP_KEY_FIELD_FAMILY_ID)
		memset(mix + n, 0, 16), n += 16;
	if (f & SNP_KEY_FIELD_MEASUREMENT)
		memcpy(mix + n, psp->cfg.measurement, 48), n += 48;
	if (f & SNP_KEY_FIELD_GUEST_SVN)
		memcpy(mix + n, &req.guest_svn, 4), n += 4;
	if (f & SNP_KEY_FIELD_TCB_VERSION)
		memcpy(mix + n, &req.tcb_version, 8), n += 8;
	if (!psp_hmac(psp->machine_secret, PSP_SHA384, "VCEK root key", NULL, 0, root) ||
	    !psp_hmac(root, sizeof(root), "derived key", mix, n, key))
		return 0;
	memcpy(rsp.key, key, sizeof(rsp.key));
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(root, sizeof(root));
	memcpy(out, &rsp, sizeof(rsp));
	OPENSSL_cleanse(&rsp, sizeof(rsp));
	psp->stats.keys++;
	return sizeof(struct snp_key_rsp);
}

uint32_t sim_psp_guest_request(struct sim_psp *psp, const uint8_t *req, uint8_t *rsp)
{
	uint8_t plain[SNP_MSG_PAGE_SIZE], out[SNP_MSG_PAGE_SIZE];
	struct snp_msg_hdr h, r;
	const uint8_t *key;
	size_t out_len;

	psp->stats.requests++;
	memcpy(&h, req, sizeof(h));
	if (h.algo != SNP_MSG_ALGO_AES_256_GCM || h.hdr_version != SNP_MSG_HDR_VERSION ||
	    h.hdr_sz != sizeof(h) || h.msg_version != SNP_MSG_VERSION ||
	    (h.msg_type != SNP_MSG_REPORT_REQ && h.msg_type != SNP_MSG_KEY_REQ) ||
	    h.msg_sz > SNP_MSG_PAYLOAD_MAX || h.msg_vmpck > SNP_MSG_VMPCK_MAX ||
	    !mem_zero(h.reserved_28, sizeof(h.reserved_28)) || h.reserved_38 ||
	    !mem_zero(h.reserved_3d, sizeof(h.reserved_3d)) ||
	    !mem_zero(h.authtag + SNP_MSG_TAG_SIZE, sizeof(h.authtag) - SNP_MSG_TAG_SIZE))
		goto refuse;
	/* Exactly one more than the last one this key used: no replay, no reordering. */
	if (h.msg_seqno != psp->seqno[h.msg_vmpck] + 1 || h.msg_seqno >= UINT64_MAX - 1)
		goto refuse;
	key = psp->cfg.vmpck[h.msg_vmpck];
	if (!psp_gcm(false, key, h.msg_seqno, req + SNP_MSG_AAD_OFFSET, req + sizeof(h), plain,
	             h.msg_sz, h.authtag))
		goto refuse;
	psp->seqno[h.msg_vmpck] = h.msg_seqno + 1;
	if (h.msg_type == SNP_MSG_REPORT_REQ)
		out_len = psp_report(psp, h.msg_vmpck, plain, h.msg_sz, out);
	else
		out_len = psp_key(psp, h.msg_vmpck, plain, h.msg_sz, out);
	OPENSSL_cleanse(plain, sizeof(plain));
	if (out_len == 0)
		return SNP_FW_STATUS_INVALID_PARAM; /* libcrypto failed: nothing to answer */
	memset(&r, 0, sizeof(r));
	r.msg_seqno = h.msg_seqno + 1;
	r.algo = SNP_MSG_ALGO_AES_256_GCM;
	r.hdr_version = SNP_MSG_HDR_VERSION;
	r.hdr_sz = sizeof(r);
	r.msg_type = (uint8_t)(h.msg_type + 1);
	r.msg_version = SNP_MSG_VERSION;
	r.msg_sz = (uint16_t)out_len;
	r.msg_vmpck = h.msg_vmpck;
	memset(rsp, 0, SNP_MSG_PAGE_SIZE);
	memcpy(rsp, &r, sizeof(r));
	if (!psp_gcm(true, key, r.msg_seqno, rsp + SNP_MSG_AAD_OFFSET, out, rsp + sizeof(r),
	             out_len, rsp)) {
		OPENSSL_cleanse(out, sizeof(out));
		memset(rsp, 0, SNP_MSG_PAGE_SIZE);
		return SNP_FW_STATUS_INVALID_PARAM;
	}
	OPENSSL_cleanse(out, sizeof(out));
	return SNP_FW_STATUS_SUCCESS;
refuse:
	psp->stats.refused++;
	return SNP_FW_STATUS_INVALID_PARAM;
}
