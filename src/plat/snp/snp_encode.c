/* SPDX-License-Identifier: MIT */
/* Encodings of src/plat/snp (snp_abi.h); sections: ../shared/reference/svsm-abi.md. */
#include "csvsm/error.h"
#include "csvsm/lib/string.h"
#include "csvsm/plat/rmp.h"
#include "snp_abi.h"

/* abi §3.1: 0x001 SEV_INFO_RESP: [63:48] max, [47:32] min, [31:24] C-bit. */
int snp_msr_sev_info(uint64_t resp, struct snp_sev_info *out)
{
	if (GHCB_MSR_INFO(resp) != GHCB_MSR_SEV_INFO_RESP)
		return -CSVSM_EIO;
	out->max_version = GHCB_SEV_INFO_MAX(resp);
	out->min_version = GHCB_SEV_INFO_MIN(resp);
	out->cbit = (unsigned int)((resp >> 24) & 0xff);
	return 0;
}

/* abi §3.1 "Protocol negotiation": max >= 1 && min <= 2, use min(max, 2); csvsm needs 2. */
int snp_msr_negotiate(const struct snp_sev_info *info)
{
	unsigned int v;

	if (info->max_version < 1 || info->min_version > GHCB_PROTOCOL_VERSION ||
	    info->min_version > info->max_version)
		return -CSVSM_ENOTSUP;
	v = MIN(info->max_version, GHCB_PROTOCOL_VERSION);
	return v == GHCB_PROTOCOL_VERSION ? (int)v : -CSVSM_ENOTSUP;
}

/* abi §3.1: 0x012 with the GFN in [63:12]. */
uint64_t snp_msr_reg_ghcb(uint64_t gpa)
{
	return (gpa & ~GHCB_MSR_INFO_MASK) | GHCB_MSR_REG_GPA_REQ;
}

/* abi §3.1: 0x013 must name the GFN that was requested, or the guest terminates. */
bool snp_msr_reg_ghcb_ok(uint64_t resp, uint64_t gpa)
{
	return GHCB_MSR_INFO(resp) == GHCB_MSR_REG_GPA_RESP &&
	       GHCB_MSR_DATA(resp) == (gpa >> PAGE_SHIFT);
}

/* abi §3.1: 0x015, error in [63:32], 0 = success (KVM may set bit 63). */
bool snp_msr_psc_ok(uint64_t resp)
{
	return GHCB_MSR_INFO(resp) == GHCB_MSR_PSC_RESP && (resp >> 32) == 0;
}

/* abi §3.1: 0x017, [63:32] = 0 for success. */
bool snp_msr_run_vmpl_ok(uint64_t resp)
{
	return GHCB_MSR_INFO(resp) == GHCB_MSR_RUN_VMPL_RESP && (resp >> 32) == 0;
}

/* abi §3.1: 0x081, the feature bitmap in [63:12]. */
int snp_msr_hv_features(uint64_t resp, uint64_t *features)
{
	if (GHCB_MSR_INFO(resp) != GHCB_MSR_HV_FT_RESP)
		return -CSVSM_EIO;
	*features = GHCB_MSR_DATA(resp);
	return 0;
}

/* ---- GHCB page (abi §3.2) ----------------------------------------------- */

#define GHCB_SAVE_AREA_SIZE 0x408

void ghcb_invalidate(struct ghcb_page *g)
{
	uint64_t zero = 0;

	mem_copy(g->save + GHCB_OFF_SW_EXIT_CODE, &zero, 8);
	mem_set(g->save + GHCB_OFF_VALID_BITMAP, 0, 16);
	g->protocol_version = GHCB_PROTOCOL_VERSION;
	g->ghcb_usage = 0;
}

/* Valid bit of the qword at `off`: valid_bitmap[(off >> 9) & 1] bit (off >> 3) & 63. */
void ghcb_set(struct ghcb_page *g, unsigned int off, uint64_t v)
{
	uint8_t *word = g->save + GHCB_OFF_VALID_BITMAP + 8 * ((off >> 9) & 1);
	uint64_t w;

	if (off >= GHCB_SAVE_AREA_SIZE || (off & 7))
		return;
	mem_copy(g->save + off, &v, 8);
	mem_copy(&w, word, 8);
	w |= 1ull << ((off >> 3) & 63);
	mem_copy(word, &w, 8);
}

uint64_t ghcb_get(const struct ghcb_page *g, unsigned int off)
{
	uint64_t v = 0;

	if (off < GHCB_SAVE_AREA_SIZE && !(off & 7))
		mem_copy(&v, g->save + off, 8);
	return v;
}

bool ghcb_is_valid(const struct ghcb_page *g, unsigned int off)
{
	uint64_t w;

	if (off >= GHCB_SAVE_AREA_SIZE || (off & 7))
		return false;
	mem_copy(&w, g->save + GHCB_OFF_VALID_BITMAP + 8 * ((off >> 9) & 1), 8);
	return (w >> ((off >> 3) & 63)) & 1;
}

/*
 * abi §3.3 IOIO: exitinfo1 bit 0 = IN, bits 4/5/6 = 8/16/32-bit operand,
 * bits 9:7 = address size (bit 8: 32-bit addresses, as Linux sets for a
 * non-string port access), bits 31:16 = port; RAX carries the data.
 */
int ghcb_prepare_ioio(struct ghcb_page *g, uint16_t port, unsigned int size, bool in,
                      uint32_t value)
{
	uint64_t info = ((uint64_t)port << 16) | (1ull << 8);

	if (size == 1)
		info |= 1ull << 4;
	else if (size == 2)
		info |= 1ull << 5;
	else if (size == 4)
		info |= 1ull << 6;
	else
		return -CSVSM_EINVAL;
	if (in)
		info |= 1;
	ghcb_invalidate(g);
	ghcb_set(g, GHCB_OFF_SW_EXIT_CODE, SVM_EXIT_IOIO);
	ghcb_set(g, GHCB_OFF_SW_EXIT_INFO1, info);
	ghcb_set(g, GHCB_OFF_SW_EXIT_INFO2, 0);
	ghcb_set(g, GHCB_OFF_RAX, in ? 0 : value);
	return 0;
}

/* abi §3.3: TERMINATE, exitinfo1 [3:0] = reason set, [11:4] = reason code. */
void ghcb_prepare_terminate(struct ghcb_page *g, unsigned int set, unsigned int reason)
{
	ghcb_invalidate(g);
	ghcb_set(g, GHCB_OFF_SW_EXIT_CODE, SVM_VMGEXIT_TERMINATE);
	ghcb_set(g, GHCB_OFF_SW_EXIT_INFO1, (set & 0xf) | ((uint64_t)(reason & 0xff) << 4));
	ghcb_set(g, GHCB_OFF_SW_EXIT_INFO2, 0);
}

int ghcb_result(const struct ghcb_page *g)
{
	uint32_t code = (uint32_t)ghcb_get(g, GHCB_OFF_SW_EXIT_INFO1);

	if (code == 0)
		return 0;
	return code == 1 ? -CSVSM_EFAULT : -CSVSM_EIO;
}

/* ---- PVALIDATE / RMPADJUST (abi §4.1, §4.2) ---------------------------- */

static int rmp_operands(uint64_t va, unsigned int size, uint64_t rdx, struct snp_rmp_operands *o)
{
	uint64_t align = size == RMP_PAGE_2M ? PAGE_SIZE_2M : PAGE_SIZE;

	if (size > RMP_PAGE_2M || (va & (align - 1)))
		return -CSVSM_EINVAL;
	o->rax = va;
	o->rcx = size;
	o->rdx = rdx;
	return 0;
}

int snp_pvalidate_operands(uint64_t va, unsigned int size, bool validate,
                           struct snp_rmp_operands *out)
{
	return rmp_operands(va, size, validate ? 1 : 0, out);
}

/* abi §4.2: target VMPL in 7:0 must be 1..3 (only a less privileged VMPL), bits 8-11, 16. */
int snp_rmpadjust_operands(uint64_t va, unsigned int size, uint64_t attrs,
                           struct snp_rmp_operands *out)
{
	uint64_t vmpl = attrs & 0xff;

	if (vmpl < 1 || vmpl > 3 || (attrs & ~(0xffull | RMPADJUST_PERM_RWX | RMPADJUST_VMSA)))
		return -CSVSM_EINVAL;
	return rmp_operands(va, size, attrs, out);
}

/* abi §4.1/§4.2: EAX 0 success (CF = unchanged for PVALIDATE), 1, 2, 6 failures. */
int snp_rmp_result(uint32_t eax, bool cf, bool *unchanged)
{
	if (unchanged)
		*unchanged = eax == 0 && cf;
	switch (eax) {
	case RMP_SUCCESS:
		return 0;
	case RMP_FAIL_INPUT:
	case RMP_FAIL_PERMISSION:
	case RMP_FAIL_SIZEMISMATCH:
		return (int)eax;
	default:
		return -CSVSM_EIO;
	}
}
