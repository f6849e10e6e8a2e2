/* SPDX-License-Identifier: MIT */
/*
 * The pure-computation side of src/plat/snp: how requests to the
 * hypervisor and operands of the SNP instructions are encoded, and how
 * answers are decoded and checked. No instruction here, so every function
 * is unit-tested on the host (tests/check_snp_encode.c). Section numbers
 * refer to ../shared/reference/svsm-abi.md ("abi §"), which cites the GHCB
 * spec 56421, the SVSM spec 58019 and AMD APM vol. 2/3.
 */
#ifndef CSVSM_PLAT_SNP_ABI_H
#define CSVSM_PLAT_SNP_ABI_H

#include "csvsm/abi/ghcb.h"
#include "csvsm/abi/vmsa.h"
#include "csvsm/types.h"

#define SNP_MSR_GHCB       0xc0010130u /* abi §3.1 */
#define SNP_MSR_SEV_STATUS 0xc0010131u /* abi §4.5: bits 0/1/2 = SEV, SEV-ES, SNP */
#define SNP_SEV_STATUS_SNP (1ull << 2)

/* ---- GHCB MSR protocol (abi §3.1) -------------------------------------- */

struct snp_sev_info {
	unsigned int max_version, min_version, cbit;
};

/* Decodes an SEV_INFO response; -CSVSM_EIO when the code is not 0x001. */
int snp_msr_sev_info(uint64_t resp, struct snp_sev_info *out) CSVSM_MUST_CHECK;

/* The protocol version to use: min(max, 2), or -CSVSM_ENOTSUP (abi §3.1 negotiation). */
int snp_msr_negotiate(const struct snp_sev_info *info) CSVSM_MUST_CHECK;

/* REG_GHCB_GPA request for the page at `gpa` (4 KiB aligned). */
uint64_t snp_msr_reg_ghcb(uint64_t gpa);
/* True when `resp` is a 0x013 response naming exactly the requested page. */
bool snp_msr_reg_ghcb_ok(uint64_t resp, uint64_t gpa);

/* True when `resp` is a 0x015 response with a zero error in bits 63:32. */
bool snp_msr_psc_ok(uint64_t resp);
/* True when `resp` is a 0x017 response with a zero result in bits 63:32. */
bool snp_msr_run_vmpl_ok(uint64_t resp);
/* The feature bitmap of a 0x081 response; -CSVSM_EIO for another code. */
int snp_msr_hv_features(uint64_t resp, uint64_t *features) CSVSM_MUST_CHECK;

/* ---- the GHCB page (abi §3.2) ------------------------------------------ */

#define GHCB_OFF_CPL           0x0cb
#define GHCB_OFF_RAX           0x1f8
#define GHCB_OFF_RCX           0x308
#define GHCB_OFF_RDX           0x310
#define GHCB_OFF_RBX           0x318
#define GHCB_OFF_SW_EXIT_CODE  0x390
#define GHCB_OFF_SW_EXIT_INFO1 0x398
#define GHCB_OFF_SW_EXIT_INFO2 0x3a0
#define GHCB_OFF_SW_SCRATCH    0x3a8
#define GHCB_OFF_XCR0          0x3e8
#define GHCB_OFF_VALID_BITMAP  0x3f0
#define GHCB_OFF_SHARED_BUF    0x800
#define GHCB_SHARED_BUF_SIZE   0x7f0
#define GHCB_OFF_VERSION       0xffa
#define GHCB_OFF_USAGE         0xffc

struct ghcb_page {
	uint8_t save[GHCB_OFF_SHARED_BUF]; /* register fields at VMSA offsets */
	uint8_t shared_buffer[GHCB_SHARED_BUF_SIZE];
	uint8_t reserved[10];
	uint16_t protocol_version;
	uint32_t ghcb_usage;
};
_Static_assert(sizeof(struct ghcb_page) == 4096, "GHCB is one page (abi §3.2)");
_Static_assert(__builtin_offsetof(struct ghcb_page, shared_buffer) == 0x800, "GHCB buffer");
_Static_assert(__builtin_offsetof(struct ghcb_page, protocol_version) == 0xffa, "GHCB version");
_Static_assert(__builtin_offsetof(struct ghcb_page, ghcb_usage) == 0xffc, "GHCB usage");

/* Clears sw_exit_code and the valid bitmap, sets version 2 and usage 0. */
void ghcb_invalidate(struct ghcb_page *g);
/* Writes the qword at save-area offset `off` (8-aligned, < 0x408) and marks it valid. */
void ghcb_set(struct ghcb_page *g, unsigned int off, uint64_t v);
uint64_t ghcb_get(const struct ghcb_page *g, unsigned int off);
bool ghcb_is_valid(const struct ghcb_page *g, unsigned int off);

/* NAE IOIO (exit code 0x7B, abi §3.3): fills the exit fields for one OUT or IN. */
int ghcb_prepare_ioio(struct ghcb_page *g, uint16_t port, unsigned int size, bool in,
                      uint32_t value) CSVSM_MUST_CHECK;
/* NAE TERMINATE (0x8000_FFFE): reason set and code into exitinfo1 (abi §3.3). */
void ghcb_prepare_terminate(struct ghcb_page *g, unsigned int set, unsigned int reason);

/*
 * Checks the hypervisor's answer (low 32 bits of SW_EXITINFO1, abi §3.2):
 * 0 -> 0; 1 (inject an exception) -> -CSVSM_EFAULT; 2 (input error) or
 * anything else -> -CSVSM_EIO. The page is untrusted: read once.
 */
int ghcb_result(const struct ghcb_page *g) CSVSM_MUST_CHECK;

#define SVM_EXIT_IOIO         0x7bull
#define SVM_VMGEXIT_TERMINATE 0x8000fffeull
#define SVM_VMGEXIT_RUN_VMPL  0x80000018ull

/* ---- PVALIDATE and RMPADJUST operands (abi §4.1, §4.2) ---------------- */

struct snp_rmp_operands {
	uint64_t rax, rcx, rdx;
};

/*
 * PVALIDATE operands for the page at virtual address `va`: RAX = va, ECX =
 * 0 (4 KiB) or 1 (2 MiB), EDX = 1 validate / 0 rescind. -CSVSM_EINVAL for
 * an address not aligned to the page size or a size other than 0/1.
 */
int snp_pvalidate_operands(uint64_t va, unsigned int size, bool validate,
                           struct snp_rmp_operands *out) CSVSM_MUST_CHECK;

/* RMPADJUST operands: RDX = attrs (target VMPL 1..3, permissions, VMSA bit 16). */
int snp_rmpadjust_operands(uint64_t va, unsigned int size, uint64_t attrs,
                           struct snp_rmp_operands *out) CSVSM_MUST_CHECK;

/*
 * The outcome of either instruction from EAX and CF: 0 (and *unchanged =
 * CF for PVALIDATE) or the RMP_FAIL_* code as a positive value, or
 * -CSVSM_EIO for a code the ABI does not define.
 */
int snp_rmp_result(uint32_t eax, bool cf, bool *unchanged);

/* ---- VMSA initial values (abi §4.5, AMD APM vol. 2 table 14-1) -------- */

#define VMSA_OFF_CS      0x010
#define VMSA_OFF_GDTR    0x060
#define VMSA_OFF_LDTR    0x070
#define VMSA_OFF_IDTR    0x080
#define VMSA_OFF_TR      0x090
#define VMSA_OFF_CR0     0x158
#define VMSA_OFF_DR7     0x160
#define VMSA_OFF_DR6     0x168
#define VMSA_OFF_RFLAGS  0x170
#define VMSA_OFF_G_PAT   0x268
#define VMSA_OFF_XCR0    0x3e8
#define VMSA_OFF_MXCSR   0x408
#define VMSA_OFF_X87_FCW 0x410

/* A segment register in the VMSA: selector, attributes (SVM format), limit, base. */
struct vmsa_segment {
	uint16_t selector;
	uint16_t attrib;
	uint32_t limit;
	uint64_t base;
};
_Static_assert(sizeof(struct vmsa_segment) == 16, "VMSA segment (abi §4.5)");

/*
 * Fills `v` with the state of a vCPU after INIT (APM vol. 2 table 14-1:
 * real mode at F000:FFF0), running at `vmpl` with `sev_features` (which
 * must equal the creator's, abi §4.5), EFER.SVME set as the SVSM spec
 * requires of a VMSA (abi §6 "AP start").
 */
void snp_vmsa_init_reset(struct vmsa_page *v, uint8_t vmpl, uint64_t sev_features);

/* Reads the segment register at `off` of a VMSA. */
struct vmsa_segment snp_vmsa_segment(const struct vmsa_page *v, unsigned int off);

#endif
