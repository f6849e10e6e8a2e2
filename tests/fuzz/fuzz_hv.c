/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the hypervisor's answers (docs/fuzzing.md "The hypervisor's
 * answers"). The GHCB MSR protocol answers the SVSM gets at boot (SEV_INFO,
 * HV_FEATURES: GHCB spec 56421 sections 2.3.1, 2.3.2), and at run time the
 * hypervisor refusing run-VMPL switches, answering or refusing the guest's
 * page state changes (MSR 0x014/0x015), and remapping pages, while the
 * guest makes calls.
 *
 * Input: 18 bytes of boot answers, then steps.
 *   byte 0: SEV_INFO answer: 0 honest; 1 made (code 0x001, max = byte 1,
 *           min = byte 2, C-bit byte 3); 2 raw u64 from bytes 1..8
 *   byte 9: HV_FEATURES answer: 0 honest; 1 made (code 0x081, features u64
 *           from bytes 10..17 << 12); 2 raw u64 from bytes 10..17
 *   then steps (opcode byte % 6) as in fh_step below.
 * Properties: the boot succeeds exactly when both answers are acceptable
 * by the GHCB specification (computed here from the spec, not from the
 * core), else csvsm_sim_new fails cleanly; a call the guest made and got
 * back serviced has a result its function may give; a QUERY_PROTOCOL of
 * the core protocol v1 answers 1..1; a page state change is answered with
 * code 0x015; after termination no call is made; the SVSM's memory stays
 * its own. Crashes and hangs: the sanitizers and the fuzzer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvsm/abi/ghcb.h"
#include "csvsm/abi/svsm.h"
#include "csvsm/mm.h"
#include "csvsm/sim.h"
#include "fuzz_targets.h"

#define FH_PAGE  4096ull
#define FH_STEPS 24u

static struct {
	const uint8_t *p;
	size_t n;
	struct csvsm_sim *sim;
	struct csvsm_sim_layout lay;
	const char *why;
} fh;

static uint8_t rd8(void)
{
	if (fh.n == 0)
		return 0;
	fh.n--;
	return *fh.p++;
}

static uint16_t rd16(void)
{
	uint16_t lo = rd8();

	return (uint16_t)(lo | rd8() << 8);
}

static uint64_t rd64(void)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < 8; i++)
		v |= (uint64_t)rd8() << (8 * i);
	return v;
}

static bool fh_fail(const char *why)
{
	if (!fh.why)
		fh.why = why;
	return false;
}

/* GHCB 56421 2.3.1: response code 0x001, and version 2 within [min, max]. */
static bool sev_info_acceptable(uint64_t v)
{
	uint64_t max = (v >> 48) & 0xffff, min = (v >> 32) & 0xffff;

	return (v & 0xfff) == 0x001 && min <= 2 && max >= 2;
}

/* 2.3.2: response code 0x081 with SNP (bit 0), AP creation (1) and multi-VMPL (5). */
static bool features_acceptable(uint64_t v)
{
	uint64_t need = (1ull << 0) | (1ull << 1) | (1ull << 5);

	return (v & 0xfff) == 0x081 && ((v >> 12) & need) == need;
}

/* The honest answers (what csvsm_sim_new gives with 0 in its config). */
#define FH_HONEST_SEV_INFO ((2ull << 48) | (1ull << 32) | (51ull << 24) | 0x001)
#define FH_HONEST_FEATURES ((((1ull << 0) | (1ull << 1) | (1ull << 5)) << 12) | 0x081)

static uint64_t boot_answer(const uint8_t *b, bool features)
{
	uint64_t raw = 0;

	for (unsigned int i = 0; i < 8; i++)
		raw |= (uint64_t)b[1 + i] << (8 * i);
	switch (b[0] % 3) {
	case 1:
		if (features)
			return (raw << 12) | 0x081;
		return ((uint64_t)b[1] << 48) | ((uint64_t)b[2] << 32) | ((uint64_t)b[3] << 24) |
		       0x001;
	case 2:
		return raw;
	default:
		return 0;
	}
}

/* Results a guest's call may give (docs/core-protocol.md, abi 1.4/1.5). */
static bool result_allowed(uint32_t call, uint64_t rax)
{
	bool hw = rax > SVSM_ERR_PROTOCOL_BASE && rax <= SVSM_PVALIDATE_FAIL_UNCHANGED;

	switch (call) {
	case SVSM_CORE_QUERY_PROTOCOL:
		return rax == SVSM_SUCCESS;
	case SVSM_CORE_PVALIDATE:
		return rax == SVSM_SUCCESS || rax == SVSM_ERR_INVALID_PARAMETER ||
		       rax == SVSM_ERR_INVALID_ADDRESS || hw;
	default:
		return false;
	}
}

static bool fh_call(uint32_t call, uint64_t rcx, struct csvsm_regs *r)
{
	bool terminated = csvsm_sim_terminated(fh.sim, NULL, NULL);
	int rc;

	memset(r, 0, sizeof(*r));
	r->rax = SVSM_RAX(SVSM_PROTO_CORE, call);
	r->rcx = rcx;
	rc = csvsm_sim_call(fh.sim, 0, r);
	if (terminated && rc == 0)
		return fh_fail("a call was made after the guest terminated");
	if (rc == 0 && r->serviced && !result_allowed(call, r->rax))
		return fh_fail("a call gave a result its function may not give");
	return true;
}

static uint64_t ram_page(uint16_t k)
{
	return fh.lay.ram_base + (k % (fh.lay.ram_size / FH_PAGE)) * FH_PAGE;
}

static bool fh_step(void)
{
	struct csvsm_sim_hv_policy pol;
	struct csvsm_regs r;
	uint64_t v, list[2];

	switch (rd8() % 6) {
	case 0: /* QUERY_PROTOCOL(core, 1) while the hypervisor refuses n run-VMPL switches */
		memset(&pol, 0, sizeof(pol));
		pol.refuse_run_vmpl = rd8() % 3;
		csvsm_sim_set_hv_policy(fh.sim, &pol);
		if (!fh_call(SVSM_CORE_QUERY_PROTOCOL, ((uint64_t)SVSM_PROTO_CORE << 32) | 1, &r))
			return false;
		if (r.serviced && r.rcx != ((1ull << 32) | 1))
			return fh_fail("QUERY_PROTOCOL(core, 1) did not answer versions 1..1");
		return true;
	case 1: /* the guest's page state change, which the hypervisor may refuse */
		memset(&pol, 0, sizeof(pol));
		pol.refuse_psc = rd8() % 2;
		csvsm_sim_set_hv_policy(fh.sim, &pol);
		v = ram_page(rd16()) >> 12;
		v = GHCB_MSR_PSC(v, rd8() % 4);
		if (!csvsm_sim_terminated(fh.sim, NULL, NULL) &&
		    (csvsm_sim_guest_msr(fh.sim, 0, v) & 0xfff) != 0x015)
			return fh_fail("a page state change was not answered with 0x015");
		return true;
	case 2: /* the guest validates or rescinds one page */
		list[0] = 1;
		list[1] = ram_page(rd16()) | (rd8() & 1 ? 4 : 0);
		if (csvsm_sim_guest_write(fh.sim, fh.lay.boot_caa_gpa + 8, list, sizeof(list)) != 0)
			return true;
		return fh_call(SVSM_CORE_PVALIDATE, fh.lay.boot_caa_gpa + 8, &r);
	case 3: /* any GHCB MSR request from the guest (termination included) */
		csvsm_sim_guest_msr(fh.sim, 0, rd64());
		return true;
	case 4: /* the hypervisor remaps a page */
		csvsm_sim_hv_remap(fh.sim, ram_page(rd16()), rd8());
		return true;
	default: /* the hypervisor writes guest memory behind everyone's back */
		v = ram_page(rd16()) + (rd8() & 0xf8);
		list[0] = rd64();
		csvsm_sim_poke(fh.sim, v, list, 8);
		return true;
	}
}

/* The SVSM's memory is its own: private, validated, no access below VMPL0. */
static bool svsm_memory_intact(void)
{
	for (uint64_t off = 0; off < fh.lay.svsm_size; off += 64 * FH_PAGE) {
		struct csvsm_sim_rmp_entry e;

		if (csvsm_sim_rmp_query(fh.sim, fh.lay.svsm_base + off, &e) != 0 || !e.assigned ||
		    !e.validated || e.perms[1] || e.perms[2] || e.perms[3])
			return fh_fail("SVSM memory left its launch state");
	}
	return true;
}

const char *fuzz_hv_one(const uint8_t *data, size_t size)
{
	struct csvsm_sim_config cfg;
	uint8_t boot[18];
	uint64_t sev_info, features;
	bool expect_boot;

	memset(&fh, 0, sizeof(fh));
	memset(boot, 0, sizeof(boot));
	memcpy(boot, data, size < sizeof(boot) ? size : sizeof(boot));
	fh.p = data + (size < sizeof(boot) ? size : sizeof(boot));
	fh.n = size - (size_t)(fh.p - data);
	csvsm_sim_config_default(&cfg);
	cfg.guest_ram_size = 4ull << 20;
	cfg.svsm_size = 4ull << 20;
	cfg.vcpu_count = 1;
	cfg.hv_sev_info = boot_answer(boot, false);
	cfg.hv_features = boot_answer(boot + 9, true);
	sev_info = cfg.hv_sev_info ? cfg.hv_sev_info : FH_HONEST_SEV_INFO;
	features = cfg.hv_features ? cfg.hv_features : FH_HONEST_FEATURES;
	expect_boot = sev_info_acceptable(sev_info) && features_acceptable(features);
	fh.sim = csvsm_sim_new(&cfg);
	if (!fh.sim)
		return expect_boot ? "the SVSM refused acceptable boot answers" : NULL;
	if (!expect_boot) {
		csvsm_sim_free(fh.sim);
		return "the SVSM booted on answers the GHCB specification rejects";
	}
	csvsm_sim_layout(fh.sim, &fh.lay);
	for (unsigned int i = 0; i < FH_STEPS && fh.n > 0; i++)
		if (!fh_step())
			break;
	if (!fh.why)
		svsm_memory_intact();
	csvsm_sim_free(fh.sim);
	return fh.why;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why = fuzz_hv_one(data, size);

	if (why) {
		fprintf(stderr, "fuzz_hv: %s (input of %zu bytes)\n", why, size);
		abort();
	}
	return 0;
}
