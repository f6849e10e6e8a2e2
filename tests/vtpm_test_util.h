/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the vTPM tests (check_vtpm*.c): a simulated machine booted on
 * a host-RAM NV device, TPM 2.0 commands marshalled by the test itself
 * (TPM 2.0 Part 1 section 18, Part 3 per command, independently of the
 * adapter's own marshalling) and sent the way the Linux tpm_svsm driver
 * sends them: request in a guest page, SVSM_VTPM_CMD, response read back.
 */
#ifndef CSVSM_TESTS_VTPM_TEST_UTIL_H
#define CSVSM_TESTS_VTPM_TEST_UTIL_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core_test_util.h"
#include "csvsm/blkdev.h"

#define VT_TIMEOUT  60
#define VT_DEV_SIZE (1u << 20)

/* TPM 2.0 Part 2 constants used by the tests. */
#define TPM_ST_NO_SESSIONS    0x8001
#define TPM_ST_SESSIONS       0x8002
#define TPM_RS_PW             0x40000009
#define TPM_RH_OWNER          0x40000001
#define TPM_RH_ENDORSEMENT    0x4000000b
#define TPM_RH_PLATFORM       0x4000000c
#define TPM_CC_NV_DEFINE      0x0000012a
#define TPM_CC_HIER_AUTH      0x00000129
#define TPM_CC_CREATE_PRI     0x00000131
#define TPM_CC_NV_WRITE       0x00000137
#define TPM_CC_STARTUP        0x00000144
#define TPM_CC_NV_READ        0x0000014e
#define TPM_CC_FLUSH          0x00000165
#define TPM_CC_READ_PUBLIC    0x00000173
#define TPM_CC_GET_RANDOM     0x0000017b
#define TPM_CC_PCR_READ       0x0000017e
#define TPM_CC_PCR_EXTEND     0x00000182
#define TPM_ALG_SHA256        0x000b
#define TPM_RC_SUCCESS        0x000
#define TPM_RC_INITIALIZE     0x100
#define TPM_RC_RETRY          0x922
#define TPM_RC_NV_UNAVAILABLE 0x923
#define TPMA_NV_AUTHWRITE     (1u << 2)
#define TPMA_NV_AUTHREAD      (1u << 18)
#define TPMA_NV_OWNERWRITE    (1u << 1)
#define TPMA_NV_OWNERREAD     (1u << 17)
#define TPMA_NV_NO_DA         (1u << 25)
#define VT_NV_INDEX           0x01500010u

/* The machine's NV device (host RAM, survives reboots of the machine). */
struct nvstore;
extern struct blkdev vt_dev;
/* The guest page the tests use as TPM buffer (validated by vt_boot). */
extern uint64_t vt_buf;

/* Opens a blank vt_dev and boots a machine on it (Check fixture). */
void vt_setup(void);
/* Stops the vTPM, frees the machine and the device (Check fixture). */
void vt_teardown(void);
/* Boots a machine on vt_dev (which must be open); asserts the vTPM started when `want_vtpm`. */
void vt_boot(bool want_vtpm);
/* vt_boot with a machine configuration (NULL: the defaults, as vt_boot). */
void vt_boot_with(const struct csvsm_sim_config *cfg, bool want_vtpm);
/*
 * Opens the sealed NV store on vt_dev the way the SVSM does (the key from
 * MSG_KEY_REQ through the SVSM's guest message client: VMPL0, measurement
 * and policy), with no generation record. Needs a running machine.
 */
int vt_nv_open(struct nvstore **nv);
/* Stops the vTPM and frees the machine; vt_dev stays. */
void vt_halt(void);

/* A big-endian command being marshalled. */
struct tb {
	uint8_t b[4096];
	size_t n;
};
void tb_begin(struct tb *t, uint16_t tag, uint32_t cc);
void tb_u8(struct tb *t, uint8_t v);
void tb_u16(struct tb *t, uint16_t v);
void tb_u32(struct tb *t, uint32_t v);
void tb_bytes(struct tb *t, const void *p, size_t n);
/* A password-session authorization area with `auth` (may be NULL with len 0). */
void tb_pw(struct tb *t, const void *auth, uint16_t len);
/* Sets commandSize; returns the command length. */
size_t tb_end(struct tb *t);

uint16_t be16(const uint8_t *p);
uint32_t be32(const uint8_t *p);

/*
 * Sends `cmd` through SVSM_VTPM_CMD with the buffer at `gpa` (guest
 * writable) and returns RAX. On SVSM_SUCCESS the response (at most
 * rsp_max bytes) is copied to `rsp` and its length to *rsp_len.
 */
uint64_t vt_send_at(uint64_t gpa, const uint8_t *cmd, size_t len, uint8_t *rsp, size_t rsp_max,
                    size_t *rsp_len);
/* vt_send_at with vt_buf; asserts SVSM_SUCCESS and returns the TPM response code. */
uint32_t vt_tpm(const uint8_t *cmd, size_t len, uint8_t *rsp, size_t *rsp_len);

/* TPM2_GetRandom(n): asserts success, returns the bytes' count. */
size_t vt_get_random(uint16_t n, uint8_t *out);
/* TPM2_PCR_Extend(pcr, SHA-256 digest): returns the TPM rc. */
uint32_t vt_pcr_extend(unsigned int pcr, const uint8_t digest[32]);
/* TPM2_PCR_Read(SHA-256, pcr): asserts success, copies the 32-byte value. */
void vt_pcr_read(unsigned int pcr, uint8_t out[32]);
/* TPM2_NV_DefineSpace(owner, index, size, attrs, auth): returns the TPM rc. */
uint32_t vt_nv_define(uint32_t index, uint16_t size, uint32_t attrs, const void *auth,
                      uint16_t auth_len);
/* TPM2_NV_Write(auth = owner, index, data at offset 0): returns the TPM rc. */
uint32_t vt_nv_write(uint32_t index, const void *data, uint16_t len);
/* TPM2_NV_Read(auth = owner or the index with `auth`): returns the TPM rc; data to out. */
uint32_t vt_nv_read(uint32_t index, bool owner, const void *auth, uint16_t auth_len, uint16_t len,
                    uint8_t *out);
/* Defines VT_NV_INDEX (8 bytes, owner read/write) and writes `value` to it. */
void vt_nv_prepare(uint64_t value);
/* Reads VT_NV_INDEX (asserting success). */
uint64_t vt_nv_value(void);

/* SHA-256 (OpenSSL: an implementation independent of the TPM's use of it). */
void vt_sha256(const void *a, size_t alen, const void *b, size_t blen, uint8_t out[32]);

Suite *vtpm_nv_suite(void);

#endif /* CSVSM_TESTS_VTPM_TEST_UTIL_H */
