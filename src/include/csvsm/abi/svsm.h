/* SPDX-License-Identifier: MIT */
/*
 * SVSM protocol ABI (AMD "Secure VM Service Module for SEV-SNP Guests",
 * 58019 rev 1.00; summarised with sources in shared/reference/svsm-abi.md
 * section 1). Guest-visible layouts are pinned with _Static_assert.
 */
#ifndef CSVSM_ABI_SVSM_H
#define CSVSM_ABI_SVSM_H

#include "csvsm/types.h"

/* 58019 section "Calling convention": RAX = (protocol << 32) | call. */
#define SVSM_PROTOCOL(rax)    ((uint32_t)((rax) >> 32))
#define SVSM_CALL_ID(rax)     ((uint32_t)(rax))
#define SVSM_RAX(proto, call) (((uint64_t)(proto) << 32) | (uint32_t)(call))

/* Protocol numbers (abi 1.2). */
#define SVSM_PROTO_CORE   0
#define SVSM_PROTO_ATTEST 1
#define SVSM_PROTO_VTPM   2

/* Core protocol call IDs (abi 1.5). */
#define SVSM_CORE_REMAP_CA       0
#define SVSM_CORE_PVALIDATE      1
#define SVSM_CORE_CREATE_VCPU    2
#define SVSM_CORE_DELETE_VCPU    3
#define SVSM_CORE_DEPOSIT_MEM    4
#define SVSM_CORE_WITHDRAW_MEM   5
#define SVSM_CORE_QUERY_PROTOCOL 6
#define SVSM_CORE_CONFIGURE_VTOM 7

/* Result codes in RAX (abi 1.4). */
#define SVSM_SUCCESS                  0x00000000u
#define SVSM_ERR_INCOMPLETE           0x80000000u
#define SVSM_ERR_UNSUPPORTED_PROTOCOL 0x80000001u
#define SVSM_ERR_UNSUPPORTED_CALL     0x80000002u
#define SVSM_ERR_INVALID_ADDRESS      0x80000003u
#define SVSM_ERR_INVALID_FORMAT       0x80000004u
#define SVSM_ERR_INVALID_PARAMETER    0x80000005u
#define SVSM_ERR_INVALID_REQUEST      0x80000006u
#define SVSM_ERR_BUSY                 0x80000007u
#define SVSM_ERR_PROTOCOL_BASE        0x80001000u
/* PVALIDATE/RMPADJUST failures: base + hardware rc; CF=1 is 0x10. */
#define SVSM_PVALIDATE_FAIL_INPUT        0x80001001u
#define SVSM_PVALIDATE_FAIL_PERMISSION   0x80001002u
#define SVSM_PVALIDATE_FAIL_SIZEMISMATCH 0x80001006u
#define SVSM_PVALIDATE_FAIL_UNCHANGED    0x80001010u

/* The Calling Area page (abi 1.3). */
struct svsm_ca {
	uint8_t call_pending;
	uint8_t mem_available;
	uint8_t reserved[6];
	uint8_t buffer[4088];
};
_Static_assert(sizeof(struct svsm_ca) == 4096, "SVSM CA is one page");
_Static_assert(__builtin_offsetof(struct svsm_ca, call_pending) == 0x0, "call_pending at 0");
_Static_assert(__builtin_offsetof(struct svsm_ca, mem_available) == 0x1, "mem_available at 1");
_Static_assert(__builtin_offsetof(struct svsm_ca, buffer) == 0x8, "CA buffer at 8");

/* The PVALIDATE list header (abi 1.5, call 1). */
struct svsm_pvalidate_hdr {
	uint16_t entries; /* spec "entries" */
	uint16_t next;    /* spec "next": first entry to process; written back */
	uint32_t reserved;
};
_Static_assert(sizeof(struct svsm_pvalidate_hdr) == 8, "PVALIDATE header is 8 bytes");
_Static_assert(__builtin_offsetof(struct svsm_pvalidate_hdr, next) == 2, "next at 2");

/* PVALIDATE entry bits. */
#define SVSM_PVAL_SIZE_MASK 0x3ull
#define SVSM_PVAL_SIZE_4K   0x0ull
#define SVSM_PVAL_SIZE_2M   0x1ull
#define SVSM_PVAL_VALIDATE  (1ull << 2)
#define SVSM_PVAL_IGNORE_CF (1ull << 3)
#define SVSM_PVAL_RESERVED  0xff0ull
#define SVSM_PVAL_GFN_SHIFT 12
/* Entries that fit in a list at CA + 8: (4088 - 8) / 8 (Linux SVSM_PVALIDATE_MAX_COUNT). */
#define SVSM_PVAL_MAX_AT_CA 510

/* QUERY_PROTOCOL (abi 1.5, call 6). */
#define SVSM_QUERY_PROTO(rcx)       ((uint32_t)((rcx) >> 32))
#define SVSM_QUERY_VERSION(rcx)     ((uint32_t)(rcx))
#define SVSM_QUERY_RESULT(min, max) (((uint64_t)(max) << 32) | (uint32_t)(min))

/* CONFIGURE_VTOM (abi 1.5, call 7): RCX bit 0 = query. */
#define SVSM_VTOM_QUERY 1ull

#endif
