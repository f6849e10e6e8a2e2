/* SPDX-License-Identifier: MIT */
/*
 * VMSA initial values (snp_abi.h). Offsets: abi §4.5. Values: the state
 * after INIT, AMD APM vol. 2 table 14-1 ("Initial processor state"), with
 * the VMSA requirements of an SNP guest (abi §4.5 SEV_FEATURES, abi §6 AP
 * start: vmpl byte, EFER.SVME, sev_features equal to the creator's).
 */
#include "csvsm/lib/string.h"
#include "snp_abi.h"

#define SEG_ATTR_CODE 0x9b /* present, S, code, readable, accessed */
#define SEG_ATTR_DATA 0x93 /* present, S, data, writable, accessed */
#define SEG_ATTR_LDT  0x82 /* present, system type 2 (LDT) */
#define SEG_ATTR_TSS  0x8b /* present, system type 11 (busy 32-bit TSS) */

static void put_seg(struct vmsa_page *v, unsigned int off, uint16_t sel, uint16_t attrib,
                    uint32_t limit, uint64_t base)
{
	struct vmsa_segment s = {sel, attrib, limit, base};

	mem_copy((uint8_t *)v + off, &s, sizeof(s));
}

static void put64(struct vmsa_page *v, unsigned int off, uint64_t val)
{
	mem_copy((uint8_t *)v + off, &val, sizeof(val));
}

struct vmsa_segment snp_vmsa_segment(const struct vmsa_page *v, unsigned int off)
{
	struct vmsa_segment s;

	mem_copy(&s, (const uint8_t *)v + off, sizeof(s));
	return s;
}

void snp_vmsa_init_reset(struct vmsa_page *v, uint8_t vmpl, uint64_t sev_features)
{
	uint32_t mxcsr = 0x1f80;
	uint16_t fcw = 0x37f;

	mem_set(v, 0, sizeof(*v));
	/* es, cs, ss, ds, fs, gs at 0x00, 0x10, ..., 0x50 */
	for (unsigned int off = 0; off <= 0x50; off += 0x10)
		put_seg(v, off, 0, SEG_ATTR_DATA, 0xffff, 0);
	put_seg(v, VMSA_OFF_CS, 0xf000, SEG_ATTR_CODE, 0xffff, 0xffff0000ull);
	put_seg(v, VMSA_OFF_GDTR, 0, 0, 0xffff, 0);
	put_seg(v, VMSA_OFF_LDTR, 0, SEG_ATTR_LDT, 0xffff, 0);
	put_seg(v, VMSA_OFF_IDTR, 0, 0, 0xffff, 0);
	put_seg(v, VMSA_OFF_TR, 0, SEG_ATTR_TSS, 0xffff, 0);
	v->vmpl = vmpl;
	v->efer = EFER_SVME;
	put64(v, VMSA_OFF_CR0, 0x60000010ull); /* CD, NW, ET */
	put64(v, VMSA_OFF_DR7, 0x400);
	put64(v, VMSA_OFF_DR6, 0xffff0ff0ull);
	put64(v, VMSA_OFF_RFLAGS, 0x2);
	v->rip = 0xfff0;
	put64(v, VMSA_OFF_G_PAT, 0x0007040600070406ull); /* the PAT MSR's reset value */
	put64(v, VMSA_OFF_XCR0, 0x1);
	mem_copy((uint8_t *)v + VMSA_OFF_MXCSR, &mxcsr, sizeof(mxcsr));
	mem_copy((uint8_t *)v + VMSA_OFF_X87_FCW, &fcw, sizeof(fcw));
	v->sev_features = sev_features;
}
