/* SPDX-License-Identifier: MIT */
/*
 * The parts of the SEV-ES/SNP VMSA (save area, APM vol. 2 appendix B,
 * "VMSA layout"; abi 4.5) that the SVSM reads or writes. Offsets are
 * architectural; the structure is a view of the 4 KiB page.
 */
#ifndef CSVSM_ABI_VMSA_H
#define CSVSM_ABI_VMSA_H

#include "csvsm/types.h"

struct vmsa_page {
	uint8_t segs_etc[0x0ca]; /* 0x000: segment registers, CET state */
	uint8_t vmpl;            /* 0x0ca */
	uint8_t cpl;             /* 0x0cb */
	uint8_t reserved_0cc[4]; /* 0x0cc */
	uint64_t efer;           /* 0x0d0 */
	uint8_t reserved_0d8[0x178 - 0x0d8];
	uint64_t rip; /* 0x178 */
	uint8_t reserved_180[0x1f8 - 0x180];
	uint64_t rax; /* 0x1f8 */
	uint8_t reserved_200[0x308 - 0x200];
	uint64_t rcx; /* 0x308 */
	uint64_t rdx; /* 0x310 */
	uint64_t rbx; /* 0x318 */
	uint8_t reserved_320[0x340 - 0x320];
	uint64_t r8; /* 0x340 */
	uint64_t r9; /* 0x348 */
	uint8_t reserved_350[0x3b0 - 0x350];
	uint64_t sev_features;    /* 0x3b0 */
	uint64_t vintr_ctrl;      /* 0x3b8 */
	uint64_t guest_exit_code; /* 0x3c0 */
	uint8_t reserved_3c8[0x1000 - 0x3c8];
};
_Static_assert(sizeof(struct vmsa_page) == 4096, "VMSA is one page");
_Static_assert(__builtin_offsetof(struct vmsa_page, vmpl) == 0x0ca, "VMSA vmpl");
_Static_assert(__builtin_offsetof(struct vmsa_page, efer) == 0x0d0, "VMSA efer");
_Static_assert(__builtin_offsetof(struct vmsa_page, rip) == 0x178, "VMSA rip");
_Static_assert(__builtin_offsetof(struct vmsa_page, rax) == 0x1f8, "VMSA rax");
_Static_assert(__builtin_offsetof(struct vmsa_page, rcx) == 0x308, "VMSA rcx");
_Static_assert(__builtin_offsetof(struct vmsa_page, rdx) == 0x310, "VMSA rdx");
_Static_assert(__builtin_offsetof(struct vmsa_page, r8) == 0x340, "VMSA r8");
_Static_assert(__builtin_offsetof(struct vmsa_page, r9) == 0x348, "VMSA r9");
_Static_assert(__builtin_offsetof(struct vmsa_page, sev_features) == 0x3b0, "VMSA sev_features");
_Static_assert(__builtin_offsetof(struct vmsa_page, guest_exit_code) == 0x3c0, "VMSA exit code");

#define EFER_SVME (1ull << 12)

/* guest_exit_code values (abi 3.3). */
#define VMEXIT_VMGEXIT 0x403ull
#define VMEXIT_NPF     0x400ull
#define VMEXIT_INVALID 0xffffffffffffffffull

/* SEV_FEATURES bits (abi 4.5). */
#define SEV_FEAT_SNP_ACTIVE     (1ull << 0)
#define SEV_FEAT_RESTRICTED_INJ (1ull << 3)
#define SEV_FEAT_DEBUG_SWAP     (1ull << 5)

#endif
