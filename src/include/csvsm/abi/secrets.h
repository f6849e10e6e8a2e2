/* SPDX-License-Identifier: MIT */
/* The SNP secrets page (SNP FW ABI 56860 "secrets page"; abi 2.1). */
#ifndef CSVSM_ABI_SECRETS_H
#define CSVSM_ABI_SECRETS_H

#include "csvsm/types.h"

#define SNP_VMPCK_COUNT 4
#define SNP_VMPCK_SIZE  32

struct snp_secrets_page {
	uint32_t version;                               /* 0x000 */
	uint32_t flags;                                 /* 0x004: bit 0 IMIEN */
	uint32_t fms;                                   /* 0x008 */
	uint32_t reserved_00c;                          /* 0x00c */
	uint8_t gosvw[16];                              /* 0x010 */
	uint8_t vmpck[SNP_VMPCK_COUNT][SNP_VMPCK_SIZE]; /* 0x020 */
	uint8_t os_area[96];                            /* 0x0a0 */
	uint8_t vmsa_tweak_bitmap[64];                  /* 0x100 */
	uint64_t svsm_base;                             /* 0x140 */
	uint64_t svsm_size;                             /* 0x148 */
	uint64_t svsm_caa;                              /* 0x150 */
	uint32_t svsm_max_version;                      /* 0x158 */
	uint8_t svsm_guest_vmpl;                        /* 0x15c */
	uint8_t reserved_15d[3];                        /* 0x15d */
	uint32_t tsc_factor;                            /* 0x160 */
	uint8_t reserved_164[0x1000 - 0x164];
};
_Static_assert(sizeof(struct snp_secrets_page) == 4096, "secrets page is one page");
_Static_assert(__builtin_offsetof(struct snp_secrets_page, vmpck) == 0x20, "VMPCK0 at 0x20");
_Static_assert(__builtin_offsetof(struct snp_secrets_page, svsm_base) == 0x140, "svsm_base");
_Static_assert(__builtin_offsetof(struct snp_secrets_page, svsm_size) == 0x148, "svsm_size");
_Static_assert(__builtin_offsetof(struct snp_secrets_page, svsm_caa) == 0x150, "svsm_caa");
_Static_assert(__builtin_offsetof(struct snp_secrets_page, svsm_max_version) == 0x158,
               "max_version");
_Static_assert(__builtin_offsetof(struct snp_secrets_page, svsm_guest_vmpl) == 0x15c, "guest_vmpl");
_Static_assert(__builtin_offsetof(struct snp_secrets_page, tsc_factor) == 0x160, "tsc_factor");

#endif
