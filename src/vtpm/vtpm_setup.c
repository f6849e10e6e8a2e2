/* SPDX-License-Identifier: MIT */
/*
 * What the SVSM itself asks of its TPM (hosted C, part of the libtpms
 * adapter): the endorsement key from the TCG default template, a random
 * platformAuth after every TPM2_Startup so that the platform hierarchy
 * stays the SVSM's, and the list of commands that write NV by design.
 * Commands are marshalled here by hand (TPM 2.0 Part 1 section 18, Part 3
 * per command), big-endian.
 */
#include <string.h>

#include "csvsm/error.h"
#include "csvsm/log.h"
#include "csvsm/plat/entropy.h"
#include "vtpm_internal.h"

/* TPM 2.0 Part 2 algorithm identifiers and object attributes (6.3, 8.3). */
#define TPM_ALG_RSA    0x0001
#define TPM_ALG_SHA256 0x000b
#define TPM_ALG_AES    0x0006
#define TPM_ALG_NULL   0x0010
#define TPM_ALG_ECC    0x0023
#define TPM_ALG_CFB    0x0043
#define TPM_ECC_P256   0x0003
/* fixedTPM | fixedParent | sensitiveDataOrigin | adminWithPolicy | restricted | decrypt */
#define TCG_EK_ATTRIBUTES 0x000300b2u

/*
 * TCG EK Credential Profile 2.x, templates L-1 (RSA 2048) and L-2 (ECC
 * NIST P-256): authPolicy "PolicyA" = TPM2_PolicySecret(TPM_RH_ENDORSEMENT)
 * under SHA-256 (the test suite recomputes it independently).
 */
static const uint8_t tcg_policy_a[32] = {
    0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xb3, 0xf8, 0x1a, 0x90, 0xcc, 0x8d, 0x46, 0xa5, 0xd7, 0x24,
    0xfd, 0x52, 0xd7, 0x6e, 0x06, 0x52, 0x0b, 0x64, 0xf2, 0xa1, 0xda, 0x1b, 0x33, 0x14, 0x69, 0xaa,
};

static struct {
	uint8_t ek_public[VTPM_EK_PUBLIC_MAX];
	size_t ek_public_len; /* 0: no EK */
	uint8_t platform_auth[VTPM_PLATFORM_AUTH_SIZE];
	bool platform_auth_set;                /* the TPM's platformAuth may be platform_auth */
	uint32_t nv_map[VTPM_CC_SPAN / 32];    /* TPMA_CC.nv per command code */
	uint32_t known_map[VTPM_CC_SPAN / 32]; /* the command is implemented */
	bool map_loaded;
	uint8_t cmd[512];
	uint8_t rsp[VTPM_BUFFER_MAX];
} vs;

/* ---- marshalling ---- */

void vtpm_buf_init(struct vtpm_buf *b, uint8_t *mem, size_t cap)
{
	b->p = mem;
	b->len = 0;
	b->cap = cap;
	b->overflow = false;
}

void vtpm_buf_bytes(struct vtpm_buf *b, const void *p, size_t n)
{
	if (b->overflow || n > b->cap - b->len) {
		b->overflow = true;
		return;
	}
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

void vtpm_buf_u8(struct vtpm_buf *b, uint8_t v)
{
	vtpm_buf_bytes(b, &v, 1);
}

void vtpm_buf_u16(struct vtpm_buf *b, uint16_t v)
{
	uint8_t be[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	vtpm_buf_bytes(b, be, sizeof(be));
}

void vtpm_buf_u32(struct vtpm_buf *b, uint32_t v)
{
	uint8_t be[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};

	vtpm_buf_bytes(b, be, sizeof(be));
}

void vtpm_buf_pw_session(struct vtpm_buf *b, const uint8_t *auth, uint16_t auth_len)
{
	/* authorizationSize, then TPMS_AUTH_COMMAND (Part 1 section 18.6, Part 2 10.13.2). */
	vtpm_buf_u32(b, 4u + 2u + 1u + 2u + auth_len);
	vtpm_buf_u32(b, TPM_RS_PW);
	vtpm_buf_u16(b, 0); /* nonceCaller */
	vtpm_buf_u8(b, 0);  /* sessionAttributes */
	vtpm_buf_u16(b, auth_len);
	vtpm_buf_bytes(b, auth, auth_len);
}

void vtpm_buf_finish(struct vtpm_buf *b)
{
	if (b->overflow || b->len < 6)
		return;
	b->p[2] = (uint8_t)(b->len >> 24);
	b->p[3] = (uint8_t)(b->len >> 16);
	b->p[4] = (uint8_t)(b->len >> 8);
	b->p[5] = (uint8_t)b->len;
}

uint16_t vtpm_get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

uint32_t vtpm_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void vtpm_begin(struct vtpm_buf *b, uint16_t tag, uint32_t cc)
{
	vtpm_buf_init(b, vs.cmd, sizeof(vs.cmd));
	vtpm_buf_u16(b, tag);
	vtpm_buf_u32(b, 0); /* commandSize, set by vtpm_buf_finish */
	vtpm_buf_u32(b, cc);
}

/* Sends the command in `b`; the response lands in vs.rsp. TPM rc or -csvsm error. */
static int vtpm_send(struct vtpm_buf *b, size_t *rsp_len)
{
	size_t len = 0;
	int rc;

	if (b->overflow)
		return -CSVSM_ERANGE;
	vtpm_buf_finish(b);
	rc = vtpm_internal_command(b->p, b->len, vs.rsp, sizeof(vs.rsp), &len);
	if (rsp_len)
		*rsp_len = len;
	return rc;
}

/* ---- NV-writing commands (TPMA_CC.nv) ---- */

int vtpm_load_nv_commands(void)
{
	uint32_t property = TPM_CC_FIRST;
	struct vtpm_buf b;

	memset(vs.nv_map, 0, sizeof(vs.nv_map));
	memset(vs.known_map, 0, sizeof(vs.known_map));
	vs.map_loaded = false;
	for (unsigned int round = 0; round < 8; round++) {
		size_t len = 0;
		uint32_t count;
		uint8_t more;
		int rc;

		/* TPM2_GetCapability(TPM_CAP_COMMANDS) (Part 3 section 30.2). */
		vtpm_begin(&b, TPM_ST_NO_SESSIONS, TPM_CC_GET_CAP);
		vtpm_buf_u32(&b, TPM_CAP_COMMANDS);
		vtpm_buf_u32(&b, property);
		vtpm_buf_u32(&b, VTPM_CC_SPAN);
		rc = vtpm_send(&b, &len);
		if (rc != TPM_RC_SUCCESS || len < 19)
			return -CSVSM_EIO;
		more = vs.rsp[10];
		count = vtpm_get_be32(vs.rsp + 15);
		if (vtpm_get_be32(vs.rsp + 11) != TPM_CAP_COMMANDS || count > (len - 19) / 4)
			return -CSVSM_EIO;
		for (uint32_t i = 0; i < count; i++) {
			uint32_t attrs = vtpm_get_be32(vs.rsp + 19 + 4 * i);
			uint32_t cc = attrs & 0xffff;

			property = cc + 1;
			if ((attrs & TPMA_CC_V) || cc < TPM_CC_FIRST ||
			    cc >= TPM_CC_FIRST + VTPM_CC_SPAN)
				continue;
			cc -= TPM_CC_FIRST;
			vs.known_map[cc / 32] |= 1u << (cc % 32);
			if (attrs & TPMA_CC_NV)
				vs.nv_map[cc / 32] |= 1u << (cc % 32);
		}
		if (!more || count == 0) {
			vs.map_loaded = true;
			return 0;
		}
	}
	return -CSVSM_EIO;
}

bool vtpm_cc_writes_nv(uint32_t cc)
{
	uint32_t i;

	if (!vs.map_loaded)
		return true;
	if (cc < TPM_CC_FIRST || cc >= TPM_CC_FIRST + VTPM_CC_SPAN)
		return false; /* not implemented: the TPM rejects it unchanged */
	i = cc - TPM_CC_FIRST;
	return (vs.nv_map[i / 32] >> (i % 32)) & 1;
}

/* ---- the platform hierarchy ---- */

/* TPM2_HierarchyChangeAuth(TPM_RH_PLATFORM) (Part 3 section 24.8). */
static int vtpm_platform_change_auth(const uint8_t *old, uint16_t old_len, const uint8_t *fresh)
{
	struct vtpm_buf b;

	vtpm_begin(&b, TPM_ST_SESSIONS, TPM_CC_HIER_AUTH);
	vtpm_buf_u32(&b, TPM_RH_PLATFORM);
	vtpm_buf_pw_session(&b, old, old_len);
	vtpm_buf_u16(&b, VTPM_PLATFORM_AUTH_SIZE);
	vtpm_buf_bytes(&b, fresh, VTPM_PLATFORM_AUTH_SIZE);
	return vtpm_send(&b, NULL);
}

/* TPM2_HierarchyControl(TPM_RH_PLATFORM, enable = TPM_RH_PLATFORM, NO) (24.2). */
static int vtpm_platform_disable(const uint8_t *auth, uint16_t auth_len)
{
	struct vtpm_buf b;

	vtpm_begin(&b, TPM_ST_SESSIONS, TPM_CC_HIER_CTRL);
	vtpm_buf_u32(&b, TPM_RH_PLATFORM);
	vtpm_buf_pw_session(&b, auth, auth_len);
	vtpm_buf_u32(&b, TPM_RH_PLATFORM);
	vtpm_buf_u8(&b, 0);
	return vtpm_send(&b, NULL);
}

int vtpm_lock_platform(void)
{
	uint8_t fresh[VTPM_PLATFORM_AUTH_SIZE];
	int rc = -CSVSM_EIO;

	if (plat_entropy_get(fresh, sizeof(fresh)) == 0) {
		/* After Startup(CLEAR) the auth is empty; after Startup(STATE) it is ours. */
		rc = vtpm_platform_change_auth(NULL, 0, fresh);
		if (rc != TPM_RC_SUCCESS && vs.platform_auth_set)
			rc = vtpm_platform_change_auth(vs.platform_auth, sizeof(vs.platform_auth),
			                               fresh);
		if (rc == TPM_RC_SUCCESS) {
			memcpy(vs.platform_auth, fresh, sizeof(fresh));
			vs.platform_auth_set = true;
			memset(fresh, 0, sizeof(fresh));
			return 0;
		}
	}
	memset(fresh, 0, sizeof(fresh));
	/* No random auth: take the hierarchy away from everyone instead. */
	if (vtpm_platform_disable(NULL, 0) == TPM_RC_SUCCESS ||
	    (vs.platform_auth_set &&
	     vtpm_platform_disable(vs.platform_auth, sizeof(vs.platform_auth)) == TPM_RC_SUCCESS)) {
		log_printf("vtpm: platform hierarchy disabled (no platformAuth could be set)\n");
		return 0;
	}
	log_printf("vtpm: the platform hierarchy could not be locked (%#x)\n", (unsigned int)rc);
	return rc < 0 ? rc : -CSVSM_EIO;
}

/* ---- the endorsement key ---- */

/* Marshals the TCG default EK template (TPMT_PUBLIC) for `type`. */
static void vtpm_ek_template(struct vtpm_buf *b, enum vtpm_ek_type type)
{
	static const uint8_t zeros[256];

	vtpm_buf_u16(b, type == VTPM_EK_RSA_2048 ? TPM_ALG_RSA : TPM_ALG_ECC);
	vtpm_buf_u16(b, TPM_ALG_SHA256);
	vtpm_buf_u32(b, TCG_EK_ATTRIBUTES);
	vtpm_buf_u16(b, sizeof(tcg_policy_a));
	vtpm_buf_bytes(b, tcg_policy_a, sizeof(tcg_policy_a));
	/* symmetric: AES-128 CFB; scheme: NULL */
	vtpm_buf_u16(b, TPM_ALG_AES);
	vtpm_buf_u16(b, 128);
	vtpm_buf_u16(b, TPM_ALG_CFB);
	vtpm_buf_u16(b, TPM_ALG_NULL);
	if (type == VTPM_EK_RSA_2048) {
		vtpm_buf_u16(b, 2048); /* keyBits */
		vtpm_buf_u32(b, 0);    /* exponent: the default 65537 */
		vtpm_buf_u16(b, 256);  /* unique: 256 zero bytes */
		vtpm_buf_bytes(b, zeros, 256);
	} else {
		vtpm_buf_u16(b, TPM_ECC_P256);
		vtpm_buf_u16(b, TPM_ALG_NULL); /* kdf */
		vtpm_buf_u16(b, 32);           /* unique.x, unique.y: 32 zero bytes each */
		vtpm_buf_bytes(b, zeros, 32);
		vtpm_buf_u16(b, 32);
		vtpm_buf_bytes(b, zeros, 32);
	}
}

/* TPM2_FlushContext (Part 3 section 28.4). */
static void vtpm_flush(uint32_t handle)
{
	struct vtpm_buf b;

	vtpm_begin(&b, TPM_ST_NO_SESSIONS, TPM_CC_FLUSH);
	vtpm_buf_u32(&b, handle);
	if (vtpm_send(&b, NULL) != TPM_RC_SUCCESS)
		log_printf("vtpm: could not flush handle %#x\n", (unsigned int)handle);
}

int vtpm_create_ek(enum vtpm_ek_type type)
{
	uint8_t tmpl[400];
	struct vtpm_buf t, b;
	size_t len = 0;
	uint32_t handle;
	uint16_t pub_len;
	int rc;

	vs.ek_public_len = 0;
	vtpm_buf_init(&t, tmpl, sizeof(tmpl));
	vtpm_ek_template(&t, type);
	/* TPM2_CreatePrimary(TPM_RH_ENDORSEMENT) (Part 3 section 24.1). */
	vtpm_begin(&b, TPM_ST_SESSIONS, TPM_CC_CREATE_PRI);
	vtpm_buf_u32(&b, TPM_RH_ENDORSEMENT);
	vtpm_buf_pw_session(&b, NULL, 0);
	vtpm_buf_u16(&b, 4); /* inSensitive: empty userAuth and data */
	vtpm_buf_u16(&b, 0);
	vtpm_buf_u16(&b, 0);
	vtpm_buf_u16(&b, (uint16_t)t.len);
	vtpm_buf_bytes(&b, tmpl, t.len);
	vtpm_buf_u16(&b, 0); /* outsideInfo */
	vtpm_buf_u32(&b, 0); /* creationPCR: none */
	if (t.overflow)
		return -CSVSM_ERANGE;
	rc = vtpm_send(&b, &len);
	if (rc != TPM_RC_SUCCESS) {
		log_printf("vtpm: TPM2_CreatePrimary(EK) failed (%#x)\n", (unsigned int)rc);
		return rc < 0 ? rc : -CSVSM_EIO;
	}
	/* Response: header, objectHandle, parameterSize, outPublic (TPM2B_PUBLIC), ... */
	if (len < 20)
		return -CSVSM_EIO;
	handle = vtpm_get_be32(vs.rsp + 10);
	pub_len = vtpm_get_be16(vs.rsp + 18);
	if (pub_len == 0 || pub_len > sizeof(vs.ek_public) || pub_len > len - 20) {
		vtpm_flush(handle);
		return -CSVSM_EIO;
	}
	memcpy(vs.ek_public, vs.rsp + 20, pub_len);
	vs.ek_public_len = pub_len;
	vtpm_flush(handle);
	return 0;
}

const uint8_t *vtpm_ek_public(size_t *len)
{
	if (vs.ek_public_len == 0)
		return NULL;
	if (len)
		*len = vs.ek_public_len;
	return vs.ek_public;
}

void vtpm_setup_reset(void)
{
	memset(&vs, 0, sizeof(vs));
}
