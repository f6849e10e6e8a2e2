/* SPDX-License-Identifier: MIT */
/* Helpers of the core-protocol tests (see core_test_util.h). */
#include <check.h>
#include <inttypes.h>
#include <string.h>

#include "core_test_util.h"
#include "csvsm/abi/svsm.h"
#include "csvsm/abi/vmsa.h"
#include "csvsm/mm.h"

struct csvsm_sim *ct_sim;
struct csvsm_sim_layout ct_lay;

/* Where each vCPU's CA and VMSA are, as far as the tests have moved them. */
static uint64_t ct_cas[CT_MAX_VCPUS];
static uint64_t ct_vmsas[CT_MAX_VCPUS];

void ct_start(const struct csvsm_sim_config *cfg)
{
	ck_assert_msg(ct_sim == NULL, "ct_start: a simulator already exists");
	ct_sim = csvsm_sim_new(cfg);
	ck_assert_msg(ct_sim != NULL, "csvsm_sim_new failed");
	memset(&ct_lay, 0, sizeof(ct_lay));
	csvsm_sim_layout(ct_sim, &ct_lay);
	memset(ct_cas, 0, sizeof(ct_cas));
	memset(ct_vmsas, 0, sizeof(ct_vmsas));
	ct_cas[0] = ct_lay.boot_caa_gpa;
	ct_vmsas[0] = ct_lay.boot_vmsa_gpa;
}

void ct_stop(void)
{
	csvsm_sim_free(ct_sim);
	ct_sim = NULL;
}

void ct_setup(void)
{
	ct_start(NULL);
}

void ct_teardown(void)
{
	ct_stop();
}

uint64_t ct_page(unsigned int idx)
{
	ck_assert_uint_lt(idx, 1024);
	return ct_lay.free_ram_base + (uint64_t)idx * CT_PAGE;
}

uint64_t ct_block(unsigned int idx)
{
	uint64_t base = (ct_lay.free_ram_base + CT_2M - 1) & ~(CT_2M - 1);
	uint64_t gpa = base + 4 * CT_2M + (uint64_t)idx * CT_2M;

	ck_assert_msg(gpa + CT_2M <= ct_lay.ram_base + ct_lay.ram_size,
	              "ct_block(%u) beyond guest RAM", idx);
	return gpa;
}

uint64_t ct_ca(unsigned int vcpu)
{
	ck_assert_uint_lt(vcpu, CT_MAX_VCPUS);
	return ct_cas[vcpu];
}

int ct_call_raw(unsigned int vcpu, uint32_t proto, uint32_t call, uint64_t rcx, uint64_t rdx,
                uint64_t r8, struct csvsm_regs *out)
{
	memset(out, 0, sizeof(*out));
	out->rax = SVSM_RAX(proto, call);
	out->rcx = rcx;
	out->rdx = rdx;
	out->r8 = r8;
	return csvsm_sim_call(ct_sim, vcpu, out);
}

static void ct_track(unsigned int vcpu, uint32_t proto, uint32_t call, uint64_t rcx, uint64_t rdx,
                     uint64_t r8, uint64_t rax)
{
	unsigned int i;

	if (proto != SVSM_PROTO_CORE || rax != SVSM_SUCCESS)
		return;
	if (call == SVSM_CORE_REMAP_CA) {
		ct_cas[vcpu] = rcx;
	} else if (call == SVSM_CORE_CREATE_VCPU && (uint32_t)r8 < CT_MAX_VCPUS) {
		ct_cas[(uint32_t)r8] = rdx;
		ct_vmsas[(uint32_t)r8] = rcx;
	} else if (call == SVSM_CORE_DELETE_VCPU) {
		for (i = 0; i < CT_MAX_VCPUS; i++) {
			if (ct_vmsas[i] == rcx) {
				ct_vmsas[i] = 0;
				ct_cas[i] = 0;
			}
		}
	}
}

uint64_t ct_call(unsigned int vcpu, uint32_t proto, uint32_t call, uint64_t rcx, uint64_t rdx,
                 uint64_t r8, struct csvsm_regs *out)
{
	struct csvsm_regs regs;
	uint64_t ca = ct_ca(vcpu);
	uint8_t pending = 0xee;
	size_t live = mm_live_allocs();
	int rc;

	rc = ct_call_raw(vcpu, proto, call, rcx, rdx, r8, &regs);
	ck_assert_msg(rc == 0, "call %" PRIu32 ":%" PRIu32 " from vCPU %u: csvsm_sim_call = %d",
	              proto, call, vcpu, rc);
	ck_assert_msg(regs.serviced, "call %" PRIu32 ":%" PRIu32 " from vCPU %u not serviced",
	              proto, call, vcpu);
	ck_assert_msg(ct_read(ca, &pending, 1) == CSVSM_SIM_ACCESS_OK,
	              "vCPU %u: CA 0x%" PRIx64 " unreadable after a call", vcpu, ca);
	ck_assert_msg(pending == 0, "vCPU %u: call_pending %u after call %" PRIu32 ":%" PRIu32,
	              vcpu, pending, proto, call);
	/* Only a vCPU created or deleted keeps or returns memory across a call. */
	if (!(proto == SVSM_PROTO_CORE && regs.rax == SVSM_SUCCESS &&
	      (call == SVSM_CORE_CREATE_VCPU || call == SVSM_CORE_DELETE_VCPU)))
		ck_assert_msg(mm_live_allocs() == live,
		              "call %" PRIu32 ":%" PRIu32 " (RAX 0x%" PRIx64
		              ") changed the SVSM's live allocations %zu -> %zu",
		              proto, call, regs.rax, live, mm_live_allocs());
	ct_track(vcpu, proto, call, rcx, rdx, r8, regs.rax);
	if (out)
		*out = regs;
	return regs.rax;
}

uint64_t ct_core(unsigned int vcpu, uint32_t call, uint64_t rcx, uint64_t rdx, uint64_t r8)
{
	return ct_call(vcpu, SVSM_PROTO_CORE, call, rcx, rdx, r8, NULL);
}

uint64_t ct_pv(uint64_t gpa, unsigned int size, bool validate, bool ignore_cf)
{
	return (gpa & ~0xfffull) | (size & SVSM_PVAL_SIZE_MASK) |
	       (validate ? SVSM_PVAL_VALIDATE : 0) | (ignore_cf ? SVSM_PVAL_IGNORE_CF : 0);
}

uint64_t ct_pvalidate_at(uint64_t list_gpa, const uint64_t *ents, unsigned int n,
                         uint16_t hdr_entries, uint16_t next, uint16_t *next_out)
{
	struct svsm_pvalidate_hdr hdr = {.entries = hdr_entries, .next = next};
	uint16_t got = 0xdead;
	uint64_t rax;

	ck_assert_int_eq(ct_write(list_gpa, &hdr, sizeof(hdr)), CSVSM_SIM_ACCESS_OK);
	if (n)
		ck_assert_int_eq(ct_write(list_gpa + sizeof(hdr), ents, n * sizeof(uint64_t)),
		                 CSVSM_SIM_ACCESS_OK);
	rax = ct_core(0, SVSM_CORE_PVALIDATE, list_gpa, 0, 0);
	if (next_out) {
		ck_assert_int_eq(ct_read(list_gpa + 2, &got, sizeof(got)), CSVSM_SIM_ACCESS_OK);
		*next_out = got;
	}
	return rax;
}

uint64_t ct_pvalidate(const uint64_t *ents, unsigned int n, uint16_t next, uint16_t *next_out)
{
	return ct_pvalidate_at(ct_ca(0) + 8, ents, n, (uint16_t)n, next, next_out);
}

void ct_validate(uint64_t gpa)
{
	uint64_t e = ct_pv(gpa, 0, true, false);
	uint64_t rax = ct_pvalidate(&e, 1, 0, NULL);

	ck_assert_msg(rax == SVSM_SUCCESS, "validate 0x%" PRIx64 ": RAX 0x%" PRIx64, gpa, rax);
}

void ct_rescind(uint64_t gpa)
{
	uint64_t e = ct_pv(gpa, 0, false, false);
	uint64_t rax = ct_pvalidate(&e, 1, 0, NULL);

	ck_assert_msg(rax == SVSM_SUCCESS, "rescind 0x%" PRIx64 ": RAX 0x%" PRIx64, gpa, rax);
}

struct csvsm_sim_rmp_entry ct_rmp(uint64_t gpa)
{
	struct csvsm_sim_rmp_entry e;

	memset(&e, 0, sizeof(e));
	ck_assert_msg(csvsm_sim_rmp_query(ct_sim, gpa, &e) == 0, "rmp_query(0x%" PRIx64 ") failed",
	              gpa);
	return e;
}

bool ct_rmp_equal(const struct csvsm_sim_rmp_entry *a, const struct csvsm_sim_rmp_entry *b)
{
	return a->assigned == b->assigned && a->validated == b->validated && a->vmsa == b->vmsa &&
	       a->page_size == b->page_size && memcmp(a->perms, b->perms, sizeof(a->perms)) == 0;
}

bool ct_guest_owned(uint64_t gpa)
{
	struct csvsm_sim_rmp_entry e = ct_rmp(gpa);

	return e.assigned && e.validated && !e.vmsa && e.perms[ct_lay.guest_vmpl] == 0xf;
}

int ct_read(uint64_t gpa, void *buf, size_t len)
{
	return csvsm_sim_guest_read(ct_sim, gpa, buf, len);
}

int ct_write(uint64_t gpa, const void *buf, size_t len)
{
	return csvsm_sim_guest_write(ct_sim, gpa, buf, len);
}

int ct_read_byte(uint64_t gpa, uint8_t *out)
{
	return ct_read(gpa, out, 1);
}

int ct_rw_page(uint64_t gpa)
{
	static uint8_t in[CT_PAGE], out[CT_PAGE];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 7 + 3);
	rc = ct_write(gpa, in, sizeof(in));
	if (rc != CSVSM_SIM_ACCESS_OK)
		return rc;
	rc = ct_read(gpa, out, sizeof(out));
	if (rc != CSVSM_SIM_ACCESS_OK)
		return rc;
	ck_assert_msg(memcmp(in, out, sizeof(in)) == 0, "page 0x%" PRIx64 " did not read back",
	              gpa);
	return CSVSM_SIM_ACCESS_OK;
}

void ct_fill(uint64_t gpa, uint8_t byte, size_t len)
{
	static uint8_t buf[CT_PAGE];
	size_t off;

	memset(buf, byte, sizeof(buf));
	for (off = 0; off < len; off += sizeof(buf)) {
		size_t chunk = len - off < sizeof(buf) ? len - off : sizeof(buf);

		ck_assert_int_eq(csvsm_sim_poke(ct_sim, gpa + off, buf, chunk), 0);
	}
}

bool ct_guest_all(uint64_t gpa, uint8_t byte, size_t len)
{
	static uint8_t buf[CT_PAGE];
	size_t off, i;

	for (off = 0; off < len; off += sizeof(buf)) {
		size_t chunk = len - off < sizeof(buf) ? len - off : sizeof(buf);

		if (ct_read(gpa + off, buf, chunk) != CSVSM_SIM_ACCESS_OK)
			return false;
		for (i = 0; i < chunk; i++) {
			if (buf[i] != byte)
				return false;
		}
	}
	return true;
}

uint64_t ct_boot_sev_features(void)
{
	return SEV_FEAT_SNP_ACTIVE | SEV_FEAT_RESTRICTED_INJ | SEV_FEAT_DEBUG_SWAP;
}

void ct_write_vmsa(uint64_t gpa, uint8_t vmpl, uint64_t efer, uint64_t sev_features)
{
	static struct vmsa_page v;

	memset(&v, 0, sizeof(v));
	v.vmpl = vmpl;
	v.efer = efer;
	v.sev_features = sev_features;
	v.rip = 0xfffffff0;
	ck_assert_int_eq(ct_write(gpa, &v, sizeof(v)), CSVSM_SIM_ACCESS_OK);
}

/* EFER of a 64-bit guest: LME, LMA, NXE and SVME. */
#define CT_EFER (EFER_SVME | (1ull << 8) | (1ull << 10) | (1ull << 11))

void ct_prepare_vmsa(uint64_t gpa)
{
	ct_validate(gpa);
	ct_write_vmsa(gpa, ct_lay.guest_vmpl, CT_EFER, ct_boot_sev_features());
}

uint64_t ct_create(unsigned int caller, uint64_t vmsa, uint64_t ca, uint64_t apic)
{
	return ct_core(caller, SVSM_CORE_CREATE_VCPU, vmsa, ca, apic);
}

void ct_make_ap(unsigned int apic, uint64_t vmsa, uint64_t ca)
{
	uint64_t rax;

	ct_validate(ca);
	ct_prepare_vmsa(vmsa);
	rax = ct_create(0, vmsa, ca, apic);
	ck_assert_msg(rax == SVSM_SUCCESS, "CREATE_VCPU(apic %u): RAX 0x%" PRIx64, apic, rax);
}

bool ct_vcpu_works(unsigned int vcpu)
{
	struct csvsm_regs r;

	if (ct_call_raw(vcpu, SVSM_PROTO_CORE, SVSM_CORE_QUERY_PROTOCOL, 1, 0, 0, &r) != 0)
		return false;
	return r.serviced && r.rax == SVSM_SUCCESS && r.rcx == SVSM_QUERY_RESULT(1, 1);
}

bool ct_vcpu_dead(unsigned int vcpu)
{
	struct csvsm_regs r;

	return ct_call_raw(vcpu, SVSM_PROTO_CORE, SVSM_CORE_QUERY_PROTOCOL, 1, 0, 0, &r) == -1;
}

bool ct_defined_result(uint64_t rax)
{
	switch (rax) {
	case SVSM_SUCCESS:
	case SVSM_ERR_INCOMPLETE:
	case SVSM_ERR_UNSUPPORTED_PROTOCOL:
	case SVSM_ERR_UNSUPPORTED_CALL:
	case SVSM_ERR_INVALID_ADDRESS:
	case SVSM_ERR_INVALID_FORMAT:
	case SVSM_ERR_INVALID_PARAMETER:
	case SVSM_ERR_INVALID_REQUEST:
	case SVSM_ERR_BUSY:
		return true;
	default:
		return rax > SVSM_ERR_PROTOCOL_BASE && rax <= SVSM_PVALIDATE_FAIL_UNCHANGED;
	}
}
