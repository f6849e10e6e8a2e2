/* SPDX-License-Identifier: MIT */
/*
 * The built-in seed inputs of the core-protocol target, written in the
 * input format of fuzz_core.h: one per flow a guest or a hypervisor takes
 * (every core call, its error paths, a second vCPU, a lying hypervisor).
 * `fuzz-core-replay --write-seeds DIR` writes them; the committed copies
 * live in fixtures/corpus/core/ next to minimized finds of campaigns.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "csvsm/abi/attest.h"
#include "csvsm/abi/svsm.h"
#include "fuzz_core.h"

#define SEED_MAX 2048

struct seed {
	uint8_t b[SEED_MAX];
	size_t n;
};

/* The first opcode byte of each step. */
enum {
	OP_CALL = 0,
	OP_PVALIDATE = 4,
	OP_WRITE = 7,
	OP_VMSA = 9,
	OP_PSC = 10,
	OP_REMAP = 11,
	OP_POLICY = 12,
	OP_HOSTILE = 13,
	OP_NEWVCPU = 14,
};

/* Register mask bits of CALL. */
#define R_RCX 1u
#define R_RDX 2u
#define R_R8  4u
#define R_R9  8u

/* Pages of free guest RAM the seeds use (FUZZ_V_FREE_PAGE indexes). */
#define PG_DATA  3
#define PG_VMSA  5
#define PG_CA    6
#define PG_LIST  7
#define PG_OTHER 9

/* The GPA of free page `pg` (FUZZ_CORE_FREE_RAM: checked by the harness). */
#define PG_GPA(pg) (FUZZ_CORE_FREE_RAM + (uint64_t)(pg)*4096u)

static void b8(struct seed *s, uint64_t v)
{
	if (s->n < SEED_MAX)
		s->b[s->n++] = (uint8_t)v;
}

static void bn(struct seed *s, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		b8(s, v >> (8 * i));
}

/* Value operands (fuzz_core.h "v"). */
static void v_cat(struct seed *s, unsigned int cat, unsigned int variant)
{
	b8(s, (variant << 4) | cat);
}

static void v_zero(struct seed *s)
{
	v_cat(s, FUZZ_V_ZERO, 0);
}

static void v_small(struct seed *s, unsigned int value)
{
	v_cat(s, FUZZ_V_SMALL, value);
}

static void v_u64(struct seed *s, uint64_t value)
{
	v_cat(s, FUZZ_V_U64, 0);
	bn(s, value, 8);
}

static void v_free(struct seed *s, unsigned int page, unsigned int variant)
{
	v_cat(s, FUZZ_V_FREE_PAGE, variant);
	b8(s, page);
}

static void v_ca(struct seed *s, unsigned int vcpu, unsigned int variant)
{
	v_cat(s, FUZZ_V_CA, variant);
	b8(s, vcpu);
}

static void v_svsm(struct seed *s, unsigned int page)
{
	v_cat(s, FUZZ_V_SVSM, 0);
	bn(s, page, 2);
}

static void v_2m(struct seed *s, unsigned int block)
{
	v_cat(s, FUZZ_V_FREE_2M, 0);
	b8(s, block);
}

/* A CALL with the registers given by `mask`, each written by `vals`. */
static void call_begin(struct seed *s, unsigned int vcpu, unsigned int call, unsigned int mask)
{
	b8(s, OP_CALL);
	b8(s, vcpu);
	b8(s, call & 15);
	b8(s, mask);
}

static void call_raw(struct seed *s, unsigned int vcpu, uint32_t proto, uint32_t call)
{
	b8(s, OP_CALL);
	b8(s, vcpu);
	b8(s, 0xf0);
	b8(s, 0);
	bn(s, proto, 4);
	bn(s, call, 4);
}

/* PVALIDATE with the list at CA + 8 of `vcpu`: n entries (page index, flags). */
static void pval_ca(struct seed *s, unsigned int vcpu, unsigned int n, const unsigned int *pages,
                    const uint8_t *flags)
{
	b8(s, OP_PVALIDATE);
	b8(s, vcpu);
	b8(s, 0);
	b8(s, n);
	b8(s, 0);
	for (unsigned int i = 0; i < n; i++) {
		v_free(s, pages[i], 0);
		b8(s, flags[i]);
	}
}

static void pval_one(struct seed *s, unsigned int page, uint8_t flags)
{
	pval_ca(s, 0, 1, &page, &flags);
}

/*
 * A NEWVCPU step (op_newvcpu in fuzz_core.c): vCPU `caller` validates free
 * page `vmsa`, writes a VMSA there (variant 0: a good one) and asks
 * CREATE_VCPU for APIC ID `apic` with free page `ca` as its calling area.
 */
static void new_vcpu(struct seed *s, uint8_t caller, unsigned int vmsa, unsigned int ca,
                     uint8_t apic)
{
	b8(s, OP_NEWVCPU);
	b8(s, caller);
	v_free(s, vmsa, 0);
	v_free(s, ca, 0);
	b8(s, apic);
	b8(s, 0);
}

#define F_VAL    (SVSM_PVAL_VALIDATE)
#define F_IGN    (SVSM_PVAL_IGNORE_CF)
#define F_2M     (SVSM_PVAL_SIZE_2M)
#define F_RESCND 0

static void seed_queries(struct seed *s)
{
	call_begin(s, 0, SVSM_CORE_QUERY_PROTOCOL, R_RCX);
	v_small(s, 1); /* core, version 1 */
	call_begin(s, 0, SVSM_CORE_QUERY_PROTOCOL, R_RCX);
	v_u64(s, SVSM_RAX(2, 1));
	call_begin(s, 0, SVSM_CORE_CONFIGURE_VTOM, R_RCX);
	v_small(s, 1);
	call_begin(s, 0, SVSM_CORE_CONFIGURE_VTOM, R_RCX);
	v_small(s, 2);
	call_begin(s, 0, SVSM_CORE_DEPOSIT_MEM, 0);
	call_begin(s, 0, SVSM_CORE_WITHDRAW_MEM, 0);
	call_begin(s, 0, 9, 0);
	call_raw(s, 0, 0x1234, 0);
	call_raw(s, 0, SVSM_PROTO_ATTEST, 0);
	call_raw(s, 1, 0, SVSM_CORE_QUERY_PROTOCOL); /* vCPU 1 has no VMSA yet */
}

static void seed_pvalidate(struct seed *s)
{
	static const unsigned int pages[3] = {PG_DATA, PG_DATA + 1, PG_DATA + 2};
	static const uint8_t val3[3] = {F_VAL, F_VAL, F_VAL};
	static const uint8_t mixed[3] = {F_RESCND, F_VAL | F_IGN, F_VAL};

	pval_ca(s, 0, 3, pages, val3);
	b8(s, OP_WRITE);
	v_free(s, PG_DATA, 0);
	b8(s, 8);
	bn(s, 0x1122334455667788ull, 8);
	pval_one(s, PG_DATA, F_VAL);         /* already validated: CF */
	pval_one(s, PG_DATA, F_VAL | F_IGN); /* keeps contents */
	pval_ca(s, 0, 3, pages, mixed);
	pval_one(s, PG_DATA + 1, F_RESCND);
	pval_one(s, PG_DATA + 1, F_RESCND); /* already rescinded: CF */
}

static void seed_pvalidate_errors(struct seed *s)
{
	/* Reserved bits, size 2 and 3, a misaligned 2 MiB page, SVSM memory. */
	pval_one(s, PG_DATA, F_VAL | 0x10);
	pval_one(s, PG_DATA, F_VAL | 2);
	pval_one(s, PG_DATA, F_VAL | 3);
	pval_one(s, PG_DATA, F_VAL | F_2M);
	b8(s, OP_PVALIDATE);
	b8(s, 0);
	b8(s, 0);
	b8(s, 2);
	b8(s, 0);
	v_svsm(s, 0);
	b8(s, F_VAL);
	v_cat(s, FUZZ_V_BOOT_VMSA, 0);
	b8(s, F_RESCND);
	/* entries 0; next >= entries; a list crossing its page; unaligned; not RAM. */
	b8(s, OP_PVALIDATE);
	b8(s, 0);
	b8(s, 0);
	b8(s, 0);
	b8(s, 0);
	b8(s, OP_PVALIDATE);
	b8(s, 0);
	b8(s, 0);
	b8(s, 1);
	b8(s, 2 << 2);
	bn(s, 5, 2);
	v_free(s, PG_DATA, 0);
	b8(s, F_VAL);
	b8(s, OP_PVALIDATE);
	b8(s, 0);
	b8(s, 0x80);
	v_cat(s, FUZZ_V_BOOT_CA, 10); /* CA + 0xff8: the entries cross the page */
	b8(s, 2);
	b8(s, 0);
	v_free(s, PG_DATA, 0);
	b8(s, F_VAL);
	v_free(s, PG_DATA + 1, 0);
	b8(s, F_VAL);
	b8(s, OP_PVALIDATE);
	b8(s, 0);
	b8(s, 0x80);
	v_cat(s, FUZZ_V_BOOT_CA, 8); /* CA + 1 */
	b8(s, 0);
	b8(s, 0);
	b8(s, OP_PVALIDATE);
	b8(s, 0);
	b8(s, 0x80);
	v_cat(s, FUZZ_V_EDGE, 1); /* the end of guest RAM */
	b8(s, 0);
	b8(s, 0);
	b8(s, OP_PVALIDATE);
	b8(s, 0);
	b8(s, 0x80);
	v_cat(s, FUZZ_V_BOUNDARY, 1); /* ~0 */
	b8(s, 0);
	b8(s, 0);
}

static void seed_2m(struct seed *s)
{
	static const uint8_t f[2] = {F_VAL | F_2M, F_RESCND | F_2M};

	b8(s, OP_PSC);
	v_2m(s, 1);
	b8(s, 3); /* 2 MiB, to private */
	for (unsigned int i = 0; i < 2; i++) {
		b8(s, OP_PVALIDATE);
		b8(s, 0);
		b8(s, 0);
		b8(s, 1);
		b8(s, 0);
		v_2m(s, 1);
		b8(s, f[i]);
	}
	b8(s, OP_PSC);
	v_2m(s, 2);
	b8(s, 1); /* 2 MiB, to shared */
	b8(s, OP_PSC);
	v_free(s, PG_OTHER, 0);
	b8(s, 0); /* 4 KiB, to shared */
	pval_one(s, PG_OTHER, F_VAL);
}

static void seed_remap_ca(struct seed *s)
{
	pval_one(s, PG_CA, F_VAL);
	call_begin(s, 0, SVSM_CORE_REMAP_CA, R_RCX);
	v_free(s, PG_CA, 0);
	call_begin(s, 0, SVSM_CORE_QUERY_PROTOCOL, R_RCX);
	v_small(s, 1);
	pval_one(s, PG_DATA, F_VAL); /* the list now at the new CA */
	call_begin(s, 0, SVSM_CORE_REMAP_CA, R_RCX);
	v_cat(s, FUZZ_V_SECRETS, 0);
	call_begin(s, 0, SVSM_CORE_REMAP_CA, R_RCX);
	v_cat(s, FUZZ_V_BOOT_CA, 0);
	/* Misaligned, SVSM memory, a VMSA, unvalidated, beyond RAM. */
	call_begin(s, 0, SVSM_CORE_REMAP_CA, R_RCX);
	v_free(s, PG_CA, 6);
	call_begin(s, 0, SVSM_CORE_REMAP_CA, R_RCX);
	v_svsm(s, 3);
	call_begin(s, 0, SVSM_CORE_REMAP_CA, R_RCX);
	v_cat(s, FUZZ_V_BOOT_VMSA, 0);
	call_begin(s, 0, SVSM_CORE_REMAP_CA, R_RCX);
	v_free(s, PG_OTHER, 0);
	call_begin(s, 0, SVSM_CORE_REMAP_CA, R_RCX);
	v_cat(s, FUZZ_V_EDGE, 1);
}

/* vCPU 0 starts vCPU 1, which calls, deletes vCPU 0's VMSA and re-creates it. */
static void seed_vcpus(struct seed *s)
{
	pval_one(s, PG_CA, F_VAL);
	new_vcpu(s, 0, PG_VMSA, PG_CA, 1);
	call_begin(s, 1, SVSM_CORE_QUERY_PROTOCOL, R_RCX);
	v_small(s, 1);
	b8(s, OP_PVALIDATE);
	b8(s, 1);
	b8(s, 0);
	b8(s, 1);
	b8(s, 0);
	v_free(s, PG_DATA, 0);
	b8(s, F_VAL);
	call_begin(s, 1, SVSM_CORE_DELETE_VCPU, R_RCX);
	v_free(s, PG_VMSA, 0); /* its own: INVALID_REQUEST */
	call_begin(s, 1, SVSM_CORE_DELETE_VCPU, R_RCX);
	v_cat(s, FUZZ_V_BOOT_VMSA, 0);
	call_begin(s, 0, SVSM_CORE_QUERY_PROTOCOL, 0); /* vCPU 0 is gone */
	new_vcpu(s, 1, PG_OTHER, PG_DATA, 0);
	call_begin(s, 0, SVSM_CORE_DELETE_VCPU, R_RCX);
	v_free(s, PG_VMSA, 0);
	b8(s, OP_WRITE);
	v_free(s, PG_VMSA, 0);
	b8(s, 8);
	bn(s, 0, 8);
}

static void seed_vcpu_errors(struct seed *s)
{
	/* A wrong vmpl, EFER without SVME, other features, an unvalidated page. */
	static const uint8_t variants[4] = {0x10, 0x20, 0x40, 0x01};
	static const uint8_t bad[4] = {1, 0, 0, 0};

	for (unsigned int i = 0; i < 4; i++) {
		b8(s, OP_NEWVCPU);
		b8(s, 0);
		v_free(s, PG_VMSA + i * 8, 0);
		v_free(s, PG_CA, 0);
		b8(s, 1);
		b8(s, variants[i]);
		if (variants[i] & 0x10)
			b8(s, bad[i]);
		if (variants[i] & 0x20)
			bn(s, 0, 8);
		if (variants[i] & 0x40)
			bn(s, 4, 8);
	}
	/* APIC ID 7 unknown; VMSA == CA; VMSA in SVSM memory; the boot CA. */
	new_vcpu(s, 0, PG_VMSA, PG_CA, 2);
	call_begin(s, 0, SVSM_CORE_CREATE_VCPU, R_RCX | R_RDX | R_R8);
	v_free(s, PG_VMSA, 0);
	v_free(s, PG_VMSA, 0);
	v_small(s, 1);
	call_begin(s, 0, SVSM_CORE_CREATE_VCPU, R_RCX | R_RDX | R_R8);
	v_svsm(s, 5);
	v_free(s, PG_CA, 0);
	v_small(s, 1);
	call_begin(s, 0, SVSM_CORE_CREATE_VCPU, R_RCX | R_RDX | R_R8);
	v_cat(s, FUZZ_V_BOOT_CA, 0);
	v_free(s, PG_CA, 0);
	v_small(s, 1);
	/* DELETE: misaligned, unknown, the caller's own. */
	call_begin(s, 0, SVSM_CORE_DELETE_VCPU, R_RCX);
	v_cat(s, FUZZ_V_BOOT_VMSA, 6);
	call_begin(s, 0, SVSM_CORE_DELETE_VCPU, R_RCX);
	v_free(s, PG_DATA, 0);
	call_begin(s, 0, SVSM_CORE_DELETE_VCPU, R_RCX);
	v_cat(s, FUZZ_V_BOOT_VMSA, 0);
}

/* A lying hypervisor: refusals, remaps, page state changes, racing writes. */
static void seed_hypervisor(struct seed *s)
{
	/*
	 * Refuse two run-VMPL requests: both are the guest's (its calls are not
	 * made); the third call goes through. (The SVSM's own return to the
	 * guest is refused by seed-rmp-race, through HOSTILE.)
	 */
	b8(s, OP_POLICY);
	b8(s, 2);
	b8(s, 0);
	b8(s, 0);
	v_zero(s);
	b8(s, 0);
	call_begin(s, 0, SVSM_CORE_QUERY_PROTOCOL, 0);
	call_begin(s, 0, SVSM_CORE_QUERY_PROTOCOL, 0);
	call_begin(s, 0, SVSM_CORE_QUERY_PROTOCOL, 0);
	/* Rewrite the PVALIDATE list right after the SVSM read its header. */
	b8(s, OP_POLICY);
	b8(s, 0);
	b8(s, 2);      /* nth read: the header (the 1st is call_pending) */
	b8(s, 1);      /* at a chosen GPA */
	v_ca(s, 0, 6); /* CA + 8: the header */
	b8(s, 2);
	bn(s, 0xffff, 2); /* entries = 0xffff */
	pval_one(s, PG_DATA, F_VAL);
	/* Remap a validated page, then validate it again (a new page, zeroed). */
	pval_one(s, PG_DATA + 1, F_VAL);
	b8(s, OP_REMAP);
	v_free(s, PG_DATA + 1, 0);
	b8(s, 0xa5);
	pval_one(s, PG_DATA + 1, F_VAL);
	/* Remap and share the CA: the guest cannot call any more. */
	b8(s, OP_POLICY);
	b8(s, 0);
	b8(s, 1);
	b8(s, 2); /* mode 2: remap the page just read (the CA) */
	v_zero(s);
	b8(s, 0);
	call_begin(s, 0, SVSM_CORE_QUERY_PROTOCOL, 0);
	call_begin(s, 0, SVSM_CORE_QUERY_PROTOCOL, 0);
	b8(s, OP_PSC);
	v_cat(s, FUZZ_V_BOOT_CA, 0);
	b8(s, 0);
	call_begin(s, 0, SVSM_CORE_QUERY_PROTOCOL, 0);
}

/* A racing guest rewrites the VMSA candidate while CREATE_VCPU looks at it. */
static void seed_race_vmsa(struct seed *s)
{
	b8(s, OP_POLICY);
	b8(s, 0);
	b8(s, 2);
	b8(s, 0); /* poke the bytes just read */
	v_zero(s);
	b8(s, 8);
	bn(s, 0, 8);
	new_vcpu(s, 0, PG_VMSA, PG_CA, 1);
	b8(s, OP_POLICY);
	b8(s, 4); /* refuse one PSC */
	b8(s, 0);
	b8(s, 0);
	v_zero(s);
	b8(s, 0);
	b8(s, OP_PSC);
	v_free(s, PG_OTHER, 0);
	b8(s, 2);
	b8(s, OP_PSC);
	v_free(s, PG_OTHER, 0);
	b8(s, 2);
}

/* ---- Attestation and what the harness's HOSTILE step adds (issue 14) ---- */

/* HOSTILE kinds and their operands (fuzz_core.h). */
enum { H_GUEST_REQ, H_FAULT, H_RMP, H_ENTER };
enum {
	GR_BUSY,
	GR_TAMPER,
	GR_TAMPER_RSP,
	GR_REPLAY,
	GR_REPLAY_RSP,
	GR_FAIL,
	GR_EDIT_RSP,
	GR_CERTS_OVERRUN,
	GR_CERTS_TOO_SMALL,
};
enum { RMP_REMAP_PAGE, RMP_REMAP_GPA, RMP_SHARE_PAGE, RMP_PRIVATE_GPA, RMP_REFUSE_RUN };
#define FAULT_ALLOC      0u
#define FAULT_PLAT       1u
#define FAULT_PERSISTENT 2u

static void hostile_guest_req(struct seed *s, unsigned int which, unsigned int count)
{
	b8(s, OP_HOSTILE);
	b8(s, H_GUEST_REQ);
	b8(s, which);
	b8(s, count);
}

static void hostile_fault(struct seed *s, unsigned int flags, unsigned int nth)
{
	b8(s, OP_HOSTILE);
	b8(s, H_FAULT);
	b8(s, flags);
	b8(s, nth);
}

/* After the SVSM's nth PVALIDATE/RMPADJUST from now, mode on the page at `pg`. */
static void hostile_rmp(struct seed *s, unsigned int nth, unsigned int mode, unsigned int pg)
{
	b8(s, OP_HOSTILE);
	b8(s, H_RMP);
	b8(s, nth);
	b8(s, mode);
	v_free(s, pg, 0);
	b8(s, 0x5a);
}

/* The hypervisor runs `vcpu`'s VMPL0 unasked: exit 1 VMGEXIT, else exit code exit >> 1. */
static void hostile_enter(struct seed *s, unsigned int vcpu, unsigned int exit)
{
	b8(s, OP_HOSTILE);
	b8(s, H_ENTER);
	b8(s, vcpu);
	b8(s, exit);
}

/* A guest write of `len` bytes at a raw GPA. */
static void write_at(struct seed *s, uint64_t gpa, const void *data, unsigned int len)
{
	const uint8_t *p = data;

	b8(s, OP_WRITE);
	v_u64(s, gpa);
	b8(s, len);
	for (unsigned int i = 0; i < len; i++)
		b8(s, p[i]);
}

/* Attestation buffers: request, report and manifest, certificates (2 pages). */
#define AT_REQ    PG_LIST
#define AT_REPORT PG_DATA
#define AT_MANIF  (PG_DATA + 1)
#define AT_CERTS  PG_OTHER

/*
 * Validates the pages and writes a SERVICES request (abi 1.6, table 11):
 * report and manifest buffers of a page each, a 32-byte nonce at request +
 * 0x800, certificates (when `certs` pages) at AT_CERTS.
 */
static void attest_setup(struct seed *s, unsigned int certs)
{
	static const unsigned int pages[5] = {AT_REQ, AT_REPORT, AT_MANIF, AT_CERTS, AT_CERTS + 1};
	static const uint8_t val[5] = {F_VAL | F_IGN, F_VAL | F_IGN, F_VAL | F_IGN, F_VAL | F_IGN,
	                               F_VAL | F_IGN};
	struct svsm_attest_req r;
	uint8_t nonce[32];

	pval_ca(s, 0, 5, pages, val);
	memset(&r, 0, sizeof(r));
	r.report.gpa = PG_GPA(AT_REPORT);
	r.report.size = 4096;
	r.nonce.gpa = PG_GPA(AT_REQ) + 0x800;
	r.nonce.size = sizeof(nonce);
	r.manifest.gpa = PG_GPA(AT_MANIF);
	r.manifest.size = 4096;
	r.certs.gpa = certs ? PG_GPA(AT_CERTS) : 0;
	r.certs.size = certs * 4096u;
	write_at(s, PG_GPA(AT_REQ), &r, SVSM_ATTEST_SERVICES_REQ_SIZE);
	for (unsigned int i = 0; i < sizeof(nonce); i++)
		nonce[i] = (uint8_t)(0xa0 + i);
	write_at(s, r.nonce.gpa, nonce, sizeof(nonce));
}

/* SVSM_ATTEST_SERVICES (or SINGLE_SERVICE) from vCPU 0 with RCX = the request. */
static void attest_call(struct seed *s, unsigned int call)
{
	b8(s, OP_CALL);
	b8(s, 0);
	b8(s, 0xe0 | (SVSM_PROTO_ATTEST - 1));
	b8(s, R_RCX);
	b8(s, call);
	v_free(s, AT_REQ, 0);
}

/*
 * Attestation: a report with the services manifest; with a certificate
 * buffer too small for the host's table (INVALID_PARAMETER, RDX the size
 * needed) and one of two pages;
 * SINGLE_SERVICE for the vTPM (not running here: UNSUPPORTED_PROTOCOL);
 * a report buffer too small.
 */
static void seed_attest(struct seed *s)
{
	static const uint8_t vtpm_guid[16] = SVSM_GUID_VTPM;
	struct svsm_attest_loc certs = {.gpa = PG_GPA(AT_CERTS), .size = 0x100};
	uint8_t single[SVSM_ATTEST_SINGLE_REQ_SIZE - SVSM_ATTEST_SERVICES_REQ_SIZE];
	uint32_t small = 0x100;

	attest_setup(s, 0);
	attest_call(s, SVSM_ATTEST_SERVICES);
	write_at(s, PG_GPA(AT_REQ) + 0x30, &certs, sizeof(certs));
	attest_call(s, SVSM_ATTEST_SERVICES);
	certs.size = 2 * 4096;
	write_at(s, PG_GPA(AT_REQ) + 0x30, &certs, sizeof(certs));
	attest_call(s, SVSM_ATTEST_SERVICES);
	memset(single, 0, sizeof(single));
	memcpy(single, vtpm_guid, sizeof(vtpm_guid));
	write_at(s, PG_GPA(AT_REQ) + SVSM_ATTEST_SERVICES_REQ_SIZE, single, sizeof(single));
	attest_call(s, SVSM_ATTEST_SINGLE_SERVICE);
	write_at(s, PG_GPA(AT_REQ) + 8, &small, sizeof(small));
	attest_call(s, SVSM_ATTEST_SERVICES);
}

/*
 * The hypervisor's answers to the SVSM's guest requests: BUSY a few times
 * (retried), then more often than the SVSM retries; a tampered or replayed
 * request or response, a failed exit. The first broken exchange erases
 * VMPCK0 (no guest message until reboot), so each case is a seed of its own.
 */
static void seed_gmsg(struct seed *s, unsigned int which, unsigned int count, bool first_honest)
{
	attest_setup(s, 0);
	if (first_honest)
		attest_call(s, SVSM_ATTEST_SERVICES);
	hostile_guest_req(s, which, count);
	attest_call(s, SVSM_ATTEST_SERVICES);
	attest_call(s, SVSM_ATTEST_SERVICES);
}

static void seed_gmsg_busy(struct seed *s)
{
	attest_setup(s, 0);
	hostile_guest_req(s, GR_BUSY, 3);
	attest_call(s, SVSM_ATTEST_SERVICES);
	hostile_guest_req(s, GR_BUSY, 19);
	attest_call(s, SVSM_ATTEST_SERVICES);
	attest_call(s, SVSM_ATTEST_SERVICES);
}

static void seed_gmsg_tamper(struct seed *s)
{
	seed_gmsg(s, GR_TAMPER, 1, false);
}

static void seed_gmsg_tamper_rsp(struct seed *s)
{
	seed_gmsg(s, GR_TAMPER_RSP, 1, false);
}

static void seed_gmsg_replay(struct seed *s)
{
	seed_gmsg(s, GR_REPLAY, 1, true);
}

static void seed_gmsg_replay_rsp(struct seed *s)
{
	seed_gmsg(s, GR_REPLAY_RSP, 1, true);
}

static void seed_gmsg_fail(struct seed *s)
{
	seed_gmsg(s, GR_FAIL, 1, false);
}

/*
 * The hypervisor edits a header byte of the PSP's response (abi 5.2: the
 * header is authenticated, but the SVSM checks its fields first): the
 * algorithm (0x30) and the message type (0x34).
 */
static void seed_gmsg_edit(struct seed *s, unsigned int off)
{
	attest_setup(s, 0);
	hostile_guest_req(s, GR_EDIT_RSP, 1);
	bn(s, off, 2);
	b8(s, 0x01);
	attest_call(s, SVSM_ATTEST_SERVICES);
}

static void seed_gmsg_edit_algo(struct seed *s)
{
	seed_gmsg_edit(s, 0x30);
}

static void seed_gmsg_edit_type(struct seed *s)
{
	seed_gmsg_edit(s, 0x34);
}

/*
 * Certificates (an extended request): the hypervisor says the table does
 * not fit though it does (the SVSM sends the request again without them and
 * reports none), then claims more certificate bytes than the buffer holds.
 */
static void seed_gmsg_certs(struct seed *s)
{
	attest_setup(s, 2);
	hostile_guest_req(s, GR_CERTS_TOO_SMALL, 1);
	attest_call(s, SVSM_ATTEST_SERVICES);
	hostile_guest_req(s, GR_CERTS_OVERRUN, 1);
	attest_call(s, SVSM_ATTEST_SERVICES);
}

/*
 * Allocations that fail: PVALIDATE's list copy and CREATE_VCPU's record
 * (BUSY, nothing changed), then each of an attestation's allocations in
 * turn. SVSM accesses of guest memory that fail (as a page the hypervisor
 * took would): call_pending (the call goes unserviced), PVALIDATE's list
 * entries, the zeroing of the page it validated (the page is rescinded
 * again), the write-back of `next`.
 */
static void seed_faults(struct seed *s)
{
	/* The SVSM's accesses in a 1-entry PVALIDATE: xchg, header, entries, zeroing, next. */
	static const uint8_t plat_nth[4] = {1, 3, 4, 5};

	hostile_fault(s, FAULT_ALLOC, 1);
	pval_one(s, PG_DATA, F_VAL);
	pval_one(s, PG_VMSA, F_VAL);
	b8(s, OP_VMSA);
	v_free(s, PG_VMSA, 0);
	b8(s, 0);
	hostile_fault(s, FAULT_ALLOC, 1);
	call_begin(s, 0, SVSM_CORE_CREATE_VCPU, R_RCX | R_RDX | R_R8);
	v_free(s, PG_VMSA, 0);
	v_free(s, PG_CA, 0);
	v_small(s, 1);
	for (unsigned int i = 0; i < sizeof(plat_nth); i++) {
		hostile_fault(s, FAULT_PLAT, plat_nth[i]);
		pval_one(s, PG_DATA + 1 + i, F_VAL);
	}
	hostile_fault(s, FAULT_PLAT | FAULT_PERSISTENT, 1);
	call_begin(s, 0, SVSM_CORE_QUERY_PROTOCOL, 0);
	hostile_fault(s, FAULT_PLAT, 0);
	attest_setup(s, 2);
	for (unsigned int nth = 1; nth <= 10; nth++) {
		hostile_fault(s, FAULT_ALLOC, nth);
		attest_call(s, SVSM_ATTEST_SERVICES);
	}
}

/*
 * The hypervisor changes the RMP between two of the SVSM's instructions:
 * shares, or remaps, a page right after PVALIDATE validated it (the zeroing
 * faults; rescinding it fails, or finds it unchanged), remaps an already
 * validated page before the RMPADJUST that grants it (ignore_cf); remaps a
 * VMSA candidate after CREATE_VCPU's first RMPADJUST and after the first
 * one that sets the VMSA bit (the page cannot be given back); refuses the
 * SVSM's return to the guest once.
 */
static void seed_rmp_race(struct seed *s)
{
	hostile_rmp(s, 1, RMP_SHARE_PAGE, 0);
	pval_one(s, PG_DATA, F_VAL);
	hostile_rmp(s, 1, RMP_REMAP_PAGE, 0);
	pval_one(s, PG_DATA + 1, F_VAL);
	pval_one(s, PG_DATA + 2, F_VAL);
	hostile_rmp(s, 1, RMP_REMAP_PAGE, 0);
	pval_one(s, PG_DATA + 2, F_VAL | F_IGN);
	for (unsigned int i = 0; i < 3; i++) {
		static const unsigned int nth[3] = {1, 3, 4};

		pval_one(s, PG_VMSA + 8 * i, F_VAL);
		b8(s, OP_VMSA);
		v_free(s, PG_VMSA + 8 * i, 0);
		b8(s, 0);
		hostile_rmp(s, nth[i], RMP_REMAP_PAGE, 0);
		call_begin(s, 0, SVSM_CORE_CREATE_VCPU, R_RCX | R_RDX | R_R8);
		v_free(s, PG_VMSA + 8 * i, 0);
		v_free(s, PG_CA, 0);
		v_small(s, 1);
	}
	hostile_rmp(s, 1, RMP_REFUSE_RUN, 0);
	pval_one(s, PG_DATA + 3, F_VAL);
	call_begin(s, 0, SVSM_CORE_QUERY_PROTOCOL, R_RCX);
	v_small(s, 1);
}

/*
 * The hypervisor runs VMPL0 unasked: the guest's last exit a VMGEXIT but
 * call_pending 0 (after a call), an interrupt (exit code 0x60) with
 * call_pending 1 (the guest set it, has not exited yet); on the vCPU the
 * guest created too. The SVSM must serve nothing each time.
 */
static void seed_enter_svsm(struct seed *s)
{
	static const uint8_t one = 1, zero = 0;

	call_begin(s, 0, SVSM_CORE_QUERY_PROTOCOL, 0);
	hostile_enter(s, 0, 1);
	write_at(s, 0x101000, &one, 1); /* the boot CA's call_pending */
	hostile_enter(s, 0, 0x60 << 1);
	write_at(s, 0x101000, &zero, 1);
	pval_one(s, PG_CA, F_VAL);
	new_vcpu(s, 0, PG_VMSA, PG_CA, 1);
	hostile_enter(s, 1, 1);
	hostile_enter(s, 1, 0x60 << 1);
	call_begin(s, 1, SVSM_CORE_QUERY_PROTOCOL, 0);
}

/*
 * vCPU 1 (its VMSA in guest RAM) deletes vCPU 0 and creates it again,
 * while the hypervisor remaps vCPU 1's own VMSA after CREATE_VCPU's first
 * RMPADJUST: the SVSM can no longer read the caller's features, and vCPU 1
 * is lost.
 */
static void seed_rmp_race_caller(struct seed *s)
{
	pval_one(s, PG_CA, F_VAL);
	new_vcpu(s, 0, PG_VMSA, PG_CA, 1);
	call_begin(s, 1, SVSM_CORE_DELETE_VCPU, R_RCX);
	v_cat(s, FUZZ_V_BOOT_VMSA, 0);
	pval_ca(s, 1, 1, (const unsigned int[]){PG_OTHER}, (const uint8_t[]){F_VAL});
	b8(s, OP_VMSA);
	v_free(s, PG_OTHER, 0);
	b8(s, 0);
	hostile_rmp(s, 1, RMP_REMAP_GPA, PG_VMSA);
	call_begin(s, 1, SVSM_CORE_CREATE_VCPU, R_RCX | R_RDX | R_R8);
	v_free(s, PG_OTHER, 0);
	v_free(s, PG_DATA, 0);
	v_small(s, 0);
	call_begin(s, 1, SVSM_CORE_QUERY_PROTOCOL, 0);
}

static const struct {
	const char *name;
	void (*build)(struct seed *s);
} seeds[] = {
    {"seed-queries", seed_queries},
    {"seed-pvalidate", seed_pvalidate},
    {"seed-pvalidate-errors", seed_pvalidate_errors},
    {"seed-2m", seed_2m},
    {"seed-remap-ca", seed_remap_ca},
    {"seed-vcpus", seed_vcpus},
    {"seed-vcpu-errors", seed_vcpu_errors},
    {"seed-hypervisor", seed_hypervisor},
    {"seed-race-vmsa", seed_race_vmsa},
    {"seed-attest", seed_attest},
    {"seed-gmsg-busy", seed_gmsg_busy},
    {"seed-gmsg-tamper", seed_gmsg_tamper},
    {"seed-gmsg-tamper-rsp", seed_gmsg_tamper_rsp},
    {"seed-gmsg-replay", seed_gmsg_replay},
    {"seed-gmsg-replay-rsp", seed_gmsg_replay_rsp},
    {"seed-gmsg-fail", seed_gmsg_fail},
    {"seed-gmsg-edit-algo", seed_gmsg_edit_algo},
    {"seed-gmsg-edit-type", seed_gmsg_edit_type},
    {"seed-gmsg-certs", seed_gmsg_certs},
    {"seed-faults", seed_faults},
    {"seed-rmp-race", seed_rmp_race},
    {"seed-rmp-race-caller", seed_rmp_race_caller},
    {"seed-enter-svsm", seed_enter_svsm},
};

#define SEED_COUNT (sizeof(seeds) / sizeof(seeds[0]))

unsigned int fuzz_core_seed_count(void)
{
	return SEED_COUNT;
}

size_t fuzz_core_seed(unsigned int i, const char **name, uint8_t *buf, size_t cap)
{
	static struct seed s;

	if (i >= SEED_COUNT)
		return 0;
	memset(&s, 0, sizeof(s));
	seeds[i].build(&s);
	if (name)
		*name = seeds[i].name;
	if (s.n > cap)
		s.n = cap;
	memcpy(buf, s.b, s.n);
	return s.n;
}

int fuzz_core_write_seeds(const char *dir)
{
	static uint8_t buf[SEED_MAX];
	char path[4096];
	int written = 0;

	for (unsigned int i = 0; i < SEED_COUNT; i++) {
		const char *name;
		size_t n = fuzz_core_seed(i, &name, buf, sizeof(buf));
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, name);
		f = fopen(path, "wb");
		if (!f || fwrite(buf, 1, n, f) != n || fclose(f) != 0) {
			fprintf(stderr, "fuzz_core: cannot write %s: %s\n", path, strerror(errno));
			return -1;
		}
		written++;
	}
	return written;
}

/* ---- Generated inputs for bounded runs (splitmix64; deterministic) ---- */

static uint64_t gen_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static size_t gen_below(uint64_t *state, size_t bound)
{
	return bound ? (size_t)(gen_next(state) % bound) : 0;
}

size_t fuzz_core_generate(uint64_t *state, uint8_t *buf, size_t cap)
{
	static uint8_t other[SEED_MAX];
	size_t n, m, cut, cut2;

	switch (gen_next(state) % 4) {
	case 0: /* random bytes: every byte string is a program */
		n = 1 + gen_below(state, cap < 256 ? cap : 256);
		for (size_t i = 0; i < n; i++)
			buf[i] = (uint8_t)gen_next(state);
		return n;
	case 1: /* a seed with a few bytes replaced */
		n = fuzz_core_seed((unsigned int)gen_below(state, SEED_COUNT), NULL, buf, cap);
		for (size_t k = 1 + gen_below(state, 8); n && k > 0; k--)
			buf[gen_below(state, n)] = (uint8_t)gen_next(state);
		return n;
	case 2: /* a seed with a run of bytes cut out */
		n = fuzz_core_seed((unsigned int)gen_below(state, SEED_COUNT), NULL, buf, cap);
		if (n < 2)
			return n;
		cut = gen_below(state, n);
		m = 1 + gen_below(state, n - cut);
		memmove(buf + cut, buf + cut + m, n - cut - m);
		return n - m;
	default: /* the head of one seed and the tail of another */
		n = fuzz_core_seed((unsigned int)gen_below(state, SEED_COUNT), NULL, buf, cap);
		m = fuzz_core_seed((unsigned int)gen_below(state, SEED_COUNT), NULL, other,
		                   sizeof(other));
		cut = gen_below(state, n + 1);
		cut2 = gen_below(state, m + 1);
		if (cut + (m - cut2) > cap)
			cut2 = m - (cap - cut);
		memcpy(buf + cut, other + cut2, m - cut2);
		return cut + (m - cut2);
	}
}
