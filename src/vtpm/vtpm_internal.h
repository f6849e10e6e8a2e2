/* SPDX-License-Identifier: MIT */
/*
 * Inside the libtpms adapter (src/vtpm/, hosted C): the engine state shared
 * by vtpm_engine.c (libtpms, NV callbacks, commit and rollback) and
 * vtpm_setup.c (what the SVSM itself asks of the TPM: the EK, the platform
 * hierarchy, the list of NV-writing commands).
 */
#ifndef CSVSM_VTPM_INTERNAL_H
#define CSVSM_VTPM_INTERNAL_H

#include "csvsm/adapter/vtpm.h"

/* TPM 2.0 Part 2 constants the adapter uses (section numbers in comments). */
#define TPM_ST_NO_SESSIONS 0x8001 /* 6.9 */
#define TPM_ST_SESSIONS    0x8002
#define TPM_RS_PW          0x40000009 /* 7.4 */
#define TPM_RH_ENDORSEMENT 0x4000000b
#define TPM_RH_PLATFORM    0x4000000c
#define TPM_SU_CLEAR       0x0000     /* 6.11 */
#define TPM_CAP_COMMANDS   0x00000002 /* 6.12 */
#define TPM_CC_FIRST       0x0000011f /* 6.5.2 */
#define TPM_CC_HIER_CTRL   0x00000121
#define TPM_CC_HIER_AUTH   0x00000129
#define TPM_CC_CREATE_PRI  0x00000131
#define TPM_CC_STARTUP     0x00000144
#define TPM_CC_FLUSH       0x00000165
#define TPM_CC_GET_CAP     0x0000017a
#define TPMA_CC_NV         (1u << 22) /* 8.9 */
#define TPMA_CC_V          (1u << 29)
/* Response codes (6.6). */
#define TPM_RC_SUCCESS        0x000
#define TPM_RC_FAILURE        0x101
#define TPM_RC_INITIALIZE     0x100
#define TPM_RC_NV_SPACE       0x14b
#define TPM_RC_RETRY          0x922
#define TPM_RC_NV_UNAVAILABLE 0x923

/* Command codes the NV-writing map covers: TPM_CC_FIRST .. +VTPM_CC_SPAN-1. */
#define VTPM_CC_SPAN 256

/* Largest marshalled TPMT_PUBLIC kept for the EK (RSA-2048 needs ~316). */
#define VTPM_EK_PUBLIC_MAX 640

/* Bytes of the random platformAuth (a SHA-256 digest's size). */
#define VTPM_PLATFORM_AUTH_SIZE 32

/* A small big-endian marshalling buffer for the SVSM's own commands. */
struct vtpm_buf {
	uint8_t *p;
	size_t len, cap;
	bool overflow; /* a put did not fit: the buffer must not be used */
};

void vtpm_buf_init(struct vtpm_buf *b, uint8_t *mem, size_t cap);
void vtpm_buf_u8(struct vtpm_buf *b, uint8_t v);
void vtpm_buf_u16(struct vtpm_buf *b, uint16_t v);
void vtpm_buf_u32(struct vtpm_buf *b, uint32_t v);
void vtpm_buf_bytes(struct vtpm_buf *b, const void *p, size_t n);
/* A password session (TPM_RS_PW) with `auth` as its HMAC field, with its size. */
void vtpm_buf_pw_session(struct vtpm_buf *b, const uint8_t *auth, uint16_t auth_len);
/* Writes the commandSize field (offset 2) from the current length. */
void vtpm_buf_finish(struct vtpm_buf *b);

uint16_t vtpm_get_be16(const uint8_t *p);
uint32_t vtpm_get_be32(const uint8_t *p);

/*
 * Runs one command of the SVSM's own through the same path as the guest's
 * (NV commit and rollback included) and returns the TPM response code, or
 * a negative csvsm error when it could not be delivered. The response is
 * in rsp[0..*rsp_len) (rsp_len may be NULL when only the code matters).
 */
int vtpm_internal_command(const uint8_t *cmd, size_t len, uint8_t *rsp, size_t rsp_max,
                          size_t *rsp_len);

/*
 * Sets a fresh random platformAuth after a successful TPM2_Startup, so that
 * the platform hierarchy stays the SVSM's (src/vtpm/README.md). Returns 0
 * or a negative csvsm error (logged; the hierarchy is disabled instead when
 * possible).
 */
int vtpm_lock_platform(void);

/* Creates the EK from the TCG default template of `type` and keeps its public area. */
int vtpm_create_ek(enum vtpm_ek_type type);

/* Fills the map of command codes whose TPMA_CC has `nv` (TPM2_GetCapability). */
int vtpm_load_nv_commands(void);

/* True when command `cc` may write NV (unknown and vendor codes: true). */
bool vtpm_cc_writes_nv(uint32_t cc);

/* The EK public area and the platformAuth, kept by vtpm_setup.c. */
void vtpm_setup_reset(void);

#endif /* CSVSM_VTPM_INTERNAL_H */
