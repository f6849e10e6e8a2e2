/* SPDX-License-Identifier: MIT */
/* GHCB MSR protocol codes (GHCB spec 56421 v2; abi 3.1). */
#ifndef CSVSM_ABI_GHCB_H
#define CSVSM_ABI_GHCB_H

#include "csvsm/types.h"

#define GHCB_MSR_INFO_MASK 0xfffull
#define GHCB_MSR_INFO(v)   ((v)&GHCB_MSR_INFO_MASK)
#define GHCB_MSR_DATA(v)   ((v) >> 12)

#define GHCB_MSR_SEV_INFO_RESP 0x001ull
#define GHCB_MSR_SEV_INFO_REQ  0x002ull
#define GHCB_MSR_REG_GPA_REQ   0x012ull
#define GHCB_MSR_REG_GPA_RESP  0x013ull
#define GHCB_MSR_PSC_REQ       0x014ull
#define GHCB_MSR_PSC_RESP      0x015ull
#define GHCB_MSR_RUN_VMPL_REQ  0x016ull
#define GHCB_MSR_RUN_VMPL_RESP 0x017ull
#define GHCB_MSR_HV_FT_REQ     0x080ull
#define GHCB_MSR_HV_FT_RESP    0x081ull
#define GHCB_MSR_TERM_REQ      0x100ull

/* SEV_INFO response: [63:48] max, [47:32] min protocol, [31:24] C-bit. */
#define GHCB_SEV_INFO_MAX(v)  ((unsigned int)(((v) >> 48) & 0xffff))
#define GHCB_SEV_INFO_MIN(v)  ((unsigned int)(((v) >> 32) & 0xffff))
#define GHCB_PROTOCOL_VERSION 2u

/* RUN_VMPL request: target VMPL in [39:32] (masked, then shifted). */
#define GHCB_MSR_RUN_VMPL(vmpl) (GHCB_MSR_RUN_VMPL_REQ | (((uint64_t)(vmpl)&0xff) << 32))

/* PSC request: GFN in [51:12], op in [55:52]. */
#define GHCB_PSC_OP_PRIVATE 1ull
#define GHCB_PSC_OP_SHARED  2ull
#define GHCB_MSR_PSC(gfn, op)                                                                      \
	(GHCB_MSR_PSC_REQ | (((uint64_t)(gfn)&0xffffffffffull) << 12) | ((uint64_t)(op) << 52))

/* Hypervisor features (HV_FT_RESP data). The SVSM needs SNP, AP creation and multi-VMPL. */
#define GHCB_HV_FT_SNP           (1ull << 0)
#define GHCB_HV_FT_AP_CREATION   (1ull << 1)
#define GHCB_HV_FT_MULTI_VMPL    (1ull << 5)
#define GHCB_HV_FT_SVSM_REQUIRED (GHCB_HV_FT_SNP | GHCB_HV_FT_AP_CREATION | GHCB_HV_FT_MULTI_VMPL)

/* Termination request: reason set in [15:12], reason code in [23:16]. */
#define GHCB_MSR_TERM(set, reason)                                                                 \
	(GHCB_MSR_TERM_REQ | (((uint64_t)(set)&0xf) << 12) | (((uint64_t)(reason)&0xff) << 16))

#endif
