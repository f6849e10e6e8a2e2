/* SPDX-License-Identifier: MIT */
/*
 * SVSM vTPM protocol (2) ABI (AMD 58019 rev 1.00, chapter "vTPM protocol",
 * tables 14-17; summarised in shared/reference/svsm-abi.md section 1.7).
 * The request/response buffer follows the TCG TPM simulator's platform
 * framing (TpmTcpProtocol.h): all fields little-endian here (x86 guest
 * memory), packed, no padding. Layouts are pinned with _Static_assert.
 */
#ifndef CSVSM_ABI_VTPM_H
#define CSVSM_ABI_VTPM_H

#include "csvsm/types.h"

/* Call IDs of protocol 2 (abi 1.7). */
#define SVSM_VTPM_QUERY 0
#define SVSM_VTPM_CMD   1

/* Platform command numbers (TpmTcpProtocol.h; abi 1.7). Only 8 is served. */
#define SVSM_VTPM_PLATFORM_SEND_COMMAND 8

/* SVSM_VTPM_QUERY outputs: RCX = platform-command bitmap, RDX = features. */
#define SVSM_VTPM_QUERY_COMMANDS (1ull << SVSM_VTPM_PLATFORM_SEND_COMMAND)
#define SVSM_VTPM_QUERY_FEATURES 0ull

/* The request/response buffer is at most one 4 KiB page (table 15). */
#define SVSM_VTPM_BUFFER_SIZE 4096u

/* TPM_SEND_COMMAND request header (table 16). */
struct svsm_vtpm_request {
	uint32_t platform_command; /* SVSM_VTPM_PLATFORM_SEND_COMMAND */
	uint8_t locality;          /* must be 0 */
	uint32_t size;             /* TPM command bytes that follow */
} CSVSM_PACKED;
_Static_assert(sizeof(struct svsm_vtpm_request) == 9, "58019 table 16: 9-byte header");
_Static_assert(__builtin_offsetof(struct svsm_vtpm_request, locality) == 4,
               "58019 table 16: locality at 4");
_Static_assert(__builtin_offsetof(struct svsm_vtpm_request, size) == 5,
               "58019 table 16: size at 5");

/* TPM_SEND_COMMAND response header (table 17). */
struct svsm_vtpm_response {
	uint32_t size; /* TPM response bytes that follow */
} CSVSM_PACKED;
_Static_assert(sizeof(struct svsm_vtpm_response) == 4, "58019 table 17: 4-byte header");

/* Largest TPM command and response that fit the buffer. */
#define SVSM_VTPM_CMD_MAX (SVSM_VTPM_BUFFER_SIZE - sizeof(struct svsm_vtpm_request))
#define SVSM_VTPM_RSP_MAX (SVSM_VTPM_BUFFER_SIZE - sizeof(struct svsm_vtpm_response))
_Static_assert(SVSM_VTPM_CMD_MAX == 4087, "abi 1.7: command at most 4096 - 9 bytes");
_Static_assert(SVSM_VTPM_RSP_MAX == 4092, "abi 1.7: response at most 4096 - 4 bytes");

/* The TPM 2.0 command/response header (TPM 2.0 Part 1 section 18): big-endian. */
#define TPM2_HEADER_SIZE 10u

#endif /* CSVSM_ABI_VTPM_H */
