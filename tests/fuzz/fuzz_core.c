/* SPDX-License-Identifier: MIT */
/*
 * The core-protocol fuzz target: decodes an input into guest memory writes,
 * SVSM calls and hypervisor misbehaviour against one simulator, and checks
 * after every step what must always hold (fuzz_core.h has the input format,
 * docs/fuzzing.md the invariants and how to run a campaign).
 *
 * Expected values come from the SVSM specification (58019; abi 1.4 result
 * codes, 1.5 per call) and from the csvsm decisions in docs/core-protocol.md,
 * never from the implementation.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvsm/abi/attest.h"
#include "csvsm/abi/svsm.h"
#include "csvsm/abi/vmsa.h"
#include "csvsm/abi/vtpm.h"
#include "csvsm/fault.h"
#include "csvsm/mm.h"
#include "csvsm/sim.h"
#include "csvsm/sim_snapshot.h"
#include "csvsm/vtpm.h"
#include "fuzz_core.h"
#include "sim_plat.h"

#define FZ_PAGE       4096ull
#define FZ_2M         (2ull << 20)
#define FZ_VCPUS      2u
#define FZ_MAX_TOUCH  64u
#define FZ_MAX_VMSAS  8u
#define FZ_MAX_UNITS  64u
#define FZ_PERM_ALL   0xfu
#define FZ_POKE_BYTES 16u
/* Pages below the end of SVSM memory (12 MiB here) whose checks are remembered. */
#define FZ_MEMO_PAGES 4096u

const int64_t fuzz_core_offsets[16] = {
    0, 0, 0, 0, 0, 0, 8, 0x10, 1, 7, 0xff8, 0xfff, 0x1000, -0x1000, -8, 0x800,
};

/* Addresses that break naive range arithmetic. */
static const uint64_t fz_boundaries[16] = {
    0,
    ~0ull,
    0xfff,
    ~0xfffull,
    1ull << 52,
    (1ull << 52) - FZ_PAGE,
    1ull << 63,
    (1ull << 63) - FZ_PAGE,
    0xffffffffull,
    0x100000000ull,
    ~0ull - 7,
    8,
    FZ_PAGE,
    ~0ull - FZ_2M + 1,
    0x7fffffffffffffffull,
    0xfffffffffffff008ull,
};

/* What the hypervisor does at the SVSM's nth read (POLICY). */
enum fz_poke_mode {
	FZ_POKE_READ,  /* the racing guest rewrites the bytes just read */
	FZ_POKE_GPA,   /* ... or bytes at a chosen GPA */
	FZ_REMAP_READ, /* the hypervisor remaps the page just read */
	FZ_REMAP_GPA,
	FZ_SHARE_READ, /* the page just read becomes shared */
	FZ_PRIVATE_GPA /* the chosen page is made private again (unvalidated) */
};
#define FZ_POKE_MODES 6u

struct fz_plan {
	unsigned int nth; /* 0: none */
	unsigned int mode;
	uint64_t gpa;
	uint8_t data[FZ_POKE_BYTES];
	size_t len;
};

/* What the hypervisor does after the SVSM's nth PVALIDATE/RMPADJUST (HOSTILE). */
enum fz_rmp_mode {
	FZ_RMP_REMAP_PAGE,  /* remaps the page the instruction just changed */
	FZ_RMP_REMAP_GPA,   /* ... or a chosen page */
	FZ_RMP_SHARE_PAGE,  /* makes the page just changed shared */
	FZ_RMP_PRIVATE_GPA, /* makes a chosen page private again (unvalidated) */
	FZ_RMP_REFUSE_RUN,  /* refuses the next run-VMPL request (the SVSM's return) */
};
#define FZ_RMP_MODES 5u

struct fz_rmp_plan {
	unsigned int nth; /* 0: none */
	unsigned int mode;
	uint64_t gpa;
	uint8_t fill;
};

/* One page (or 2 MiB page) of a PVALIDATE list, as the spec says it ends. */
struct fz_unit {
	uint64_t gpa;
	bool big, valid, zeroed;
};

static struct {
	bool ready;
	struct fuzz_core_config cfg;
	struct csvsm_sim *sim;
	struct csvsm_sim_layout lay;
	uint64_t svsm_end;
	uint64_t free_2m_base;
	uint64_t sev_features; /* the boot VMSA's: CREATE_VCPU requires it */
	struct fuzz_core_stats stats;

	/* Per input. */
	const uint8_t *p;
	size_t n;
	unsigned int step;
	uint64_t ca[FZ_VCPUS]; /* each vCPU's CA as the guest knows it */
	bool has_ca[FZ_VCPUS];
	uint64_t vmsas[FZ_MAX_VMSAS];
	unsigned int nvmsas;
	uint64_t recent;
	uint64_t touched[FZ_MAX_TOUCH];
	unsigned int ntouched;
	size_t live; /* the SVSM's live allocations as they must be */
	struct fz_plan plan;
	unsigned int call_actions; /* hypervisor actions during the current call */
	unsigned int call_vcpu;    /* the vCPU making the current call */
	bool ca_raced;             /* a racing write hit that vCPU's call_pending meanwhile */
	unsigned int read_actions; /* ... during any call of this input (reads, RMP, faults) */
	struct fz_rmp_plan rmp_plan;
	unsigned int call_rmp_actions; /* HOSTILE actions after an RMP instruction, this call */
	unsigned int rmp_seen;         /* the policy's count of SVSM RMP instructions so far */
	bool failed;
	char *why;
	size_t why_len;
} fz;

/*
 * What check_page last proved of a page: the RMP entry it saw
 * (csvsm_sim_rmp_key) and whether it also tried the guest's accesses. The
 * checks are a function of the page and its entry, and leave no trace (the
 * guest's accesses are probed, csvsm_sim_guest_probe), so an entry that
 * passed once, in this input or an earlier one, passes again without
 * asking the RMP. Cleared with the simulator (fuzz_core_init).
 */
static struct fz_memo {
	uint64_t key;
	bool valid, access;
} fz_memo[FZ_MEMO_PAGES];

static bool fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Records the first broken invariant; always returns false. */
static bool fail(const char *fmt, ...)
{
	va_list ap;
	int k;

	if (fz.failed)
		return false;
	fz.failed = true;
	k = snprintf(fz.why, fz.why_len, "step %u: ", fz.step);
	if (k >= 0 && (size_t)k < fz.why_len) {
		va_start(ap, fmt);
		vsnprintf(fz.why + k, fz.why_len - (size_t)k, fmt, ap);
		va_end(ap);
	}
	return false;
}

/* ---- Input decoding ---- */

static uint8_t rd8(void)
{
	if (fz.n == 0)
		return 0;
	fz.n--;
	return *fz.p++;
}

static uint64_t rdn(unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < bytes; i++)
		v |= (uint64_t)rd8() << (8 * i);
	return v;
}

/* Remembers the page of `gpa` for the invariant checks of this step. */
static void touch(uint64_t gpa)
{
	uint64_t page = gpa & ~(FZ_PAGE - 1);

	if (gpa >= fz.svsm_end)
		return;
	for (unsigned int i = 0; i < fz.ntouched; i++)
		if (fz.touched[i] == page)
			return;
	if (fz.ntouched < FZ_MAX_TOUCH)
		fz.touched[fz.ntouched++] = page;
}

static uint64_t layout_edge(unsigned int variant)
{
	const struct csvsm_sim_layout *l = &fz.lay;
	uint64_t ram_end = l->ram_base + l->ram_size;
	const uint64_t edges[16] = {
	    ram_end - FZ_PAGE,
	    ram_end,
	    fz.svsm_end - FZ_PAGE,
	    fz.svsm_end,
	    ram_end - FZ_2M,
	    ram_end - 8,
	    ram_end - 1,
	    fz.svsm_end - 8,
	    l->svsm_base - 8,
	    l->svsm_base + FZ_2M,
	    fz.svsm_end + FZ_PAGE,
	    l->free_ram_base - FZ_PAGE,
	    l->secrets_gpa - FZ_PAGE,
	    l->boot_caa_gpa + FZ_PAGE,
	    l->boot_vmsa_gpa - FZ_PAGE,
	    l->boot_vmsa_gpa + FZ_PAGE,
	};

	return edges[variant & 15];
}

/* Decodes a value operand (fuzz_core.h): mostly GPAs worth trying. */
static uint64_t val(void)
{
	uint8_t s = rd8();
	unsigned int var = s >> 4;
	uint64_t base, v, k;

	switch ((enum fuzz_core_val)(s & 15)) {
	case FUZZ_V_ZERO:
		base = 0;
		break;
	case FUZZ_V_SMALL:
		return var;
	case FUZZ_V_U64:
		v = rdn(8);
		touch(v);
		return v;
	case FUZZ_V_U32:
		v = rdn(4);
		touch(v);
		return v;
	case FUZZ_V_BOOT_CA:
		base = fz.lay.boot_caa_gpa;
		break;
	case FUZZ_V_CA:
		k = rd8() % FZ_VCPUS;
		base = fz.has_ca[k] ? fz.ca[k] : fz.lay.boot_caa_gpa;
		break;
	case FUZZ_V_SECRETS:
		base = fz.lay.secrets_gpa;
		break;
	case FUZZ_V_FREE_PAGE:
		base = fz.lay.free_ram_base + rd8() * FZ_PAGE;
		break;
	case FUZZ_V_FREE_2M:
		k = (fz.lay.ram_base + fz.lay.ram_size - fz.free_2m_base) / FZ_2M;
		base = fz.free_2m_base + (rd8() % (k ? k : 1)) * FZ_2M;
		break;
	case FUZZ_V_SVSM:
		base = fz.lay.svsm_base + (rdn(2) % (fz.lay.svsm_size / FZ_PAGE)) * FZ_PAGE;
		break;
	case FUZZ_V_BOOT_VMSA:
		base = fz.lay.boot_vmsa_gpa;
		break;
	case FUZZ_V_VMSA:
		k = rd8();
		base = fz.nvmsas ? fz.vmsas[k % fz.nvmsas] : fz.lay.boot_vmsa_gpa;
		break;
	case FUZZ_V_EDGE:
		v = layout_edge(var);
		touch(v);
		return v;
	case FUZZ_V_BOUNDARY:
		v = fz_boundaries[var];
		touch(v);
		return v;
	case FUZZ_V_RECENT:
		base = fz.recent;
		break;
	case FUZZ_V_RAM_PAGE:
	default:
		base = fz.lay.ram_base + (rdn(2) % (fz.lay.ram_size / FZ_PAGE)) * FZ_PAGE;
		break;
	}
	v = base + (uint64_t)fuzz_core_offsets[var];
	touch(v);
	return v;
}

/* ---- Invariants ---- */

static bool in_svsm(uint64_t gpa)
{
	return gpa >= fz.lay.svsm_base && gpa < fz.svsm_end;
}

/* The guest VMPL may neither read, write nor execute the page: #NPF each time. */
static bool check_no_guest_access(uint64_t page, const char *what)
{
	static const enum csvsm_sim_access_kind kinds[] = {CSVSM_SIM_READ, CSVSM_SIM_WRITE,
	                                                   CSVSM_SIM_EXEC};

	for (unsigned int i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		int r = csvsm_sim_guest_probe(fz.sim, page, 1, kinds[i]);

		if (r != CSVSM_SIM_ACCESS_NPF)
			return fail("%s page %#" PRIx64 ": guest access kind %d gives %d, not #NPF",
			            what, page, (int)kinds[i], r);
	}
	return true;
}

/*
 * RMP facts for one page: a validated page is assigned; SVSM memory stays
 * private, validated, 4 KiB, VMPL0-only (launch state, which nothing the
 * guest or the hypervisor asks may change); a VMSA page is validated and no
 * VMPL below the SVSM has any permission on it (abi 4.5). With `access`,
 * also proves that the guest cannot touch either kind of page.
 */
static bool check_page_entry(uint64_t page, bool access)
{
	struct csvsm_sim_rmp_entry e;
	bool svsm = in_svsm(page);

	if (csvsm_sim_rmp_query(fz.sim, page, &e) != 0)
		return true;
	if (e.validated && !e.assigned)
		return fail("page %#" PRIx64 " validated but not assigned", page);
	if (svsm && (!e.assigned || !e.validated || e.page_size != 0 || e.perms[1] || e.perms[2] ||
	             e.perms[3]))
		return fail(
		    "SVSM page %#" PRIx64 " left its launch state (assigned %d validated %d "
		    "size %u perms %x/%x/%x)",
		    page, e.assigned, e.validated, e.page_size, e.perms[1], e.perms[2], e.perms[3]);
	if (e.vmsa && (!e.validated || e.perms[1] || e.perms[2] || e.perms[3]))
		return fail("VMSA page %#" PRIx64 " validated %d with lower-VMPL perms %x/%x/%x",
		            page, e.validated, e.perms[1], e.perms[2], e.perms[3]);
	if (access && svsm)
		return check_no_guest_access(page, "SVSM");
	if (access && e.vmsa)
		return check_no_guest_access(page, "VMSA");
	return true;
}

/* check_page_entry, unless it already passed on the same RMP entry (fz_memo). */
static bool check_page(uint64_t page, bool access)
{
	uint64_t n = page / FZ_PAGE, key;
	struct fz_memo *m;

	if (n >= FZ_MEMO_PAGES)
		return check_page_entry(page, access);
	m = &fz_memo[n];
	key = csvsm_sim_rmp_key(fz.sim, page);
	if (m->valid && m->key == key && (m->access || !access))
		return true;
	if (!check_page_entry(page, access))
		return false;
	if (!m->valid || m->key != key) {
		m->valid = true;
		m->key = key;
		m->access = false;
	}
	m->access = m->access || access;
	return true;
}

/* Pages checked after every step whatever it touched (their RMP facts). */
static bool check_fixed(bool access)
{
	const uint64_t fixed[] = {fz.lay.svsm_base, fz.lay.boot_vmsa_gpa, fz.lay.svsm_base + FZ_2M,
	                          fz.svsm_end - FZ_PAGE};

	for (unsigned int i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (!check_page(fixed[i], access))
			return false;
	for (unsigned int i = 0; i < fz.nvmsas; i++)
		if (!check_page(fz.vmsas[i], access))
			return false;
	return true;
}

/*
 * After every step: the pages it touched, fully, and, when the step
 * changed the RMP, the fixed pages by their RMP facts (which imply the
 * guest's #NPF; the accesses themselves are tried once per input, in
 * fuzz_core_run). Guest writes and a new policy change no RMP entry.
 */
static bool check_step(enum fuzz_core_op op, uint64_t rmp_before)
{
	if (op != FUZZ_OP_WRITE && op != FUZZ_OP_VMSA && op != FUZZ_OP_POLICY &&
	    csvsm_sim_rmp_changes(fz.sim) != rmp_before && !check_fixed(false))
		return false;
	for (unsigned int i = 0; i < fz.ntouched; i++)
		if (!check_page(fz.touched[i], true))
			return false;
	return true;
}

/* After an input, when thorough: every page of the machine. */
static bool check_all_pages(void)
{
	for (uint64_t page = 0; page < fz.svsm_end; page += FZ_PAGE)
		if (!check_page(page, true))
			return false;
	return true;
}

/* abi 1.4: SUCCESS, a defined SVSM_ERR_*, or PROTOCOL_BASE + a hardware rc (1..0x10). */
static bool result_defined(uint64_t rax)
{
	if (rax == SVSM_SUCCESS)
		return true;
	if (rax >= SVSM_ERR_INCOMPLETE && rax <= SVSM_ERR_BUSY)
		return true;
	return rax > SVSM_ERR_PROTOCOL_BASE && rax <= SVSM_PVALIDATE_FAIL_UNCHANGED;
}

/* Results the core protocol fixes whatever the machine state (abi 1.5, core-protocol.md). */
static bool check_core_result(uint32_t call, const struct csvsm_regs *in,
                              const struct csvsm_regs *out)
{
	switch (call) {
	case SVSM_CORE_DEPOSIT_MEM:
	case SVSM_CORE_WITHDRAW_MEM:
		if (out->rax != SVSM_ERR_UNSUPPORTED_CALL)
			return fail("core call %u: RAX %#" PRIx64 ", not UNSUPPORTED_CALL", call,
			            out->rax);
		return true;
	case SVSM_CORE_QUERY_PROTOCOL:
		if (out->rax != SVSM_SUCCESS)
			return fail("QUERY_PROTOCOL: RAX %#" PRIx64, out->rax);
		if (SVSM_QUERY_PROTO(in->rcx) == SVSM_PROTO_CORE &&
		    out->rcx != (SVSM_QUERY_VERSION(in->rcx) == 1 ? SVSM_QUERY_RESULT(1, 1) : 0))
			return fail("QUERY_PROTOCOL core v%u: RCX %#" PRIx64,
			            SVSM_QUERY_VERSION(in->rcx), out->rcx);
		return true;
	case SVSM_CORE_CONFIGURE_VTOM:
		if ((in->rcx & SVSM_VTOM_QUERY) ? (out->rax != SVSM_SUCCESS || out->rcx != 0)
		                                : out->rax != SVSM_ERR_INVALID_REQUEST)
			return fail("CONFIGURE_VTOM RCX %#" PRIx64 ": RAX %#" PRIx64
			            " RCX %#" PRIx64,
			            in->rcx, out->rax, out->rcx);
		return true;
	default:
		if (call > SVSM_CORE_CONFIGURE_VTOM && out->rax != SVSM_ERR_UNSUPPORTED_CALL)
			return fail("core call %u: RAX %#" PRIx64 ", not UNSUPPORTED_CALL", call,
			            out->rax);
		return true;
	}
}

/*
 * The results each call may give at all, whatever the machine and the
 * hypervisor do (abi 1.4/1.5, docs/core-protocol.md "Calls and results",
 * vTPM protocol abi 1.7): a result outside its call's set means the SVSM
 * executed something else than what was called (for example a call made
 * from registers read off a VMSA the hypervisor replaced). BUSY is never
 * allowed here: the heap is not exhausted.
 */
static bool check_result_allowed(uint32_t proto, uint32_t call, uint64_t rax)
{
	bool hw = rax > SVSM_ERR_PROTOCOL_BASE && rax <= SVSM_PVALIDATE_FAIL_UNCHANGED;
	bool ok;

	if (proto == SVSM_PROTO_CORE) {
		switch (call) {
		case SVSM_CORE_REMAP_CA:
			ok = rax == SVSM_SUCCESS || rax == SVSM_ERR_INVALID_PARAMETER ||
			     rax == SVSM_ERR_INVALID_ADDRESS;
			break;
		case SVSM_CORE_PVALIDATE:
		case SVSM_CORE_CREATE_VCPU:
			ok = rax == SVSM_SUCCESS || rax == SVSM_ERR_INVALID_PARAMETER ||
			     rax == SVSM_ERR_INVALID_ADDRESS || hw;
			break;
		case SVSM_CORE_DELETE_VCPU:
			ok = rax == SVSM_SUCCESS || rax == SVSM_ERR_INVALID_PARAMETER ||
			     rax == SVSM_ERR_INVALID_REQUEST || hw;
			break;
		default:
			return true; /* exact results: check_core_result */
		}
	} else if (proto == SVSM_PROTO_ATTEST) {
		/* Attestation (abi 1.6, docs/attestation.md "The protocol"). */
		if (call == 0 || call == 1)
			ok = rax == SVSM_SUCCESS || rax == SVSM_ERR_INVALID_PARAMETER ||
			     rax == SVSM_ERR_INVALID_ADDRESS || rax == SVSM_ERR_INVALID_REQUEST ||
			     rax == SVSM_ERR_UNSUPPORTED_PROTOCOL;
		else
			ok = rax == SVSM_ERR_UNSUPPORTED_CALL;
	} else if (proto == SVSM_PROTO_VTPM && vtpm_service_ready()) {
		if (call == SVSM_VTPM_QUERY)
			ok = rax == SVSM_SUCCESS;
		else if (call == SVSM_VTPM_CMD)
			ok = rax == SVSM_SUCCESS || rax == SVSM_ERR_INVALID_PARAMETER ||
			     rax == SVSM_ERR_INVALID_ADDRESS || rax == SVSM_ERR_INVALID_REQUEST;
		else
			ok = rax == SVSM_ERR_UNSUPPORTED_CALL;
	} else if (proto == SVSM_PROTO_ATTEST) {
		/* docs/attestation.md; UNSUPPORTED_PROTOCOL: a service it does not offer. */
		if (call == SVSM_ATTEST_SERVICES || call == SVSM_ATTEST_SINGLE_SERVICE)
			ok = rax == SVSM_SUCCESS || rax == SVSM_ERR_INVALID_PARAMETER ||
			     rax == SVSM_ERR_INVALID_ADDRESS || rax == SVSM_ERR_INVALID_REQUEST ||
			     rax == SVSM_ERR_UNSUPPORTED_PROTOCOL;
		else
			ok = rax == SVSM_ERR_UNSUPPORTED_CALL;
	} else {
		ok = rax == SVSM_ERR_UNSUPPORTED_PROTOCOL;
	}
	if (!ok)
		return fail("call %u:%u gave RAX %#" PRIx64 ", a result it may not give", proto,
		            call, rax);
	return true;
}

static void vmsa_forget(uint64_t gpa)
{
	for (unsigned int i = 0; i < fz.nvmsas; i++) {
		if (fz.vmsas[i] == gpa) {
			fz.vmsas[i] = fz.vmsas[--fz.nvmsas];
			return;
		}
	}
}

/* What a successful core call changed: mirrors, and checks, the new state. */
static bool after_core_success(unsigned int vcpu, uint32_t call, const struct csvsm_regs *in,
                               bool serviced)
{
	struct csvsm_sim_rmp_entry e;
	uint32_t index = (uint32_t)in->r8;

	switch (call) {
	case SVSM_CORE_REMAP_CA:
		/* Like Linux (and the simulator), the guest believes only a serviced call. */
		if (serviced) {
			fz.ca[vcpu] = in->rcx;
			fz.has_ca[vcpu] = true;
		}
		break;
	case SVSM_CORE_CREATE_VCPU:
		fz.live++;
		fz.stats.vcpus_created++;
		if (index < FZ_VCPUS && serviced) {
			fz.ca[index] = in->rdx;
			fz.has_ca[index] = true;
		}
		vmsa_forget(in->rcx);
		if (fz.nvmsas < FZ_MAX_VMSAS)
			fz.vmsas[fz.nvmsas++] = in->rcx;
		/* The hypervisor may take the page right after the SVSM's last RMPADJUST. */
		if (fz.call_rmp_actions)
			break;
		if (csvsm_sim_rmp_query(fz.sim, in->rcx, &e) != 0 || !e.vmsa)
			return fail("CREATE_VCPU succeeded but %#" PRIx64 " is no VMSA in the RMP",
			            in->rcx);
		break;
	case SVSM_CORE_DELETE_VCPU:
		fz.live--;
		fz.stats.vcpus_deleted++;
		vmsa_forget(in->rcx);
		if (fz.call_rmp_actions)
			break;
		/*
		 * A VMSA in guest RAM goes back to the guest, VMSA bit cleared (abi
		 * 1.5). The launch VMSA in SVSM memory stays the SVSM's, VMSA bit
		 * cleared, no guest access (core-protocol.md).
		 */
		if (csvsm_sim_rmp_query(fz.sim, in->rcx, &e) != 0 || e.vmsa)
			return fail("DELETE_VCPU succeeded but %#" PRIx64 " is still a VMSA",
			            in->rcx);
		/*
		 * In SVSM memory, or remapped by the hypervisor meanwhile (no longer
		 * validated, so no VMSA either): nothing to give back.
		 */
		if (in_svsm(in->rcx) || !e.validated)
			break;
		if ((e.perms[fz.lay.guest_vmpl] & FZ_PERM_ALL) != FZ_PERM_ALL)
			return fail("DELETE_VCPU did not give %#" PRIx64
			            " back to the guest (perms %x)",
			            in->rcx, e.perms[fz.lay.guest_vmpl]);
		break;
	default:
		break;
	}
	return true;
}

static bool page_is_vmsa(uint64_t gpa)
{
	struct csvsm_sim_rmp_entry e;

	return csvsm_sim_rmp_query(fz.sim, gpa, &e) == 0 && e.vmsa;
}

static uint64_t ca_of(unsigned int vcpu)
{
	return fz.has_ca[vcpu] ? fz.ca[vcpu] : fz.lay.boot_caa_gpa;
}

/*
 * True when the attestation request at `req` (as the guest wrote it, abi
 * 1.6) names an output buffer (report, manifest, certificates) holding the
 * byte at `ca`: the SVSM then writes over call_pending, as asked.
 */
static bool attest_output_covers(uint64_t req, uint64_t ca)
{
	struct svsm_attest_req r;
	const struct svsm_attest_loc *out[] = {&r.report, &r.manifest, &r.certs};

	if (csvsm_sim_guest_read(fz.sim, req, &r, SVSM_ATTEST_SERVICES_REQ_SIZE) !=
	    CSVSM_SIM_ACCESS_OK)
		return false;
	for (unsigned int i = 0; i < sizeof(out) / sizeof(out[0]); i++)
		if (ca - out[i]->gpa < out[i]->size)
			return true;
	return false;
}

/*
 * A call during which an allocation failed (HOSTILE arms the failures):
 * PVALIDATE and CREATE_VCPU allocate before they change anything, so they
 * must answer BUSY with the RMP as it was (unless the hypervisor acted
 * meanwhile); every call may answer BUSY (abi 1.4: retry), none may leak
 * (the heap check after every call).
 */
static bool check_alloc_failed(uint32_t proto, uint32_t call, uint64_t rax, uint64_t rmp_before)
{
	if (proto != SVSM_PROTO_CORE ||
	    (call != SVSM_CORE_PVALIDATE && call != SVSM_CORE_CREATE_VCPU))
		return true;
	if (rax != SVSM_ERR_BUSY)
		return fail("call %u:%u: an allocation failed, yet RAX %#" PRIx64 ", not BUSY",
		            proto, call, rax);
	if (!fz.call_actions && csvsm_sim_rmp_changes(fz.sim) != rmp_before)
		return fail("call %u:%u: BUSY, yet the RMP changed", proto, call);
	return true;
}

/*
 * A core call whose result the guest did not see (unserviced, or its vCPU
 * lost during the call): a CREATE_VCPU or DELETE_VCPU that the heap says
 * happened is followed as if it had succeeded.
 */
static bool account_unseen(unsigned int vcpu, uint32_t call, const struct csvsm_regs *in)
{
	if (SVSM_PROTOCOL(in->rax) != SVSM_PROTO_CORE)
		return true;
	if (call == SVSM_CORE_CREATE_VCPU && mm_live_allocs() == fz.live + 1 &&
	    (page_is_vmsa(in->rcx) || fz.call_rmp_actions))
		return after_core_success(vcpu, call, in, false);
	if (call == SVSM_CORE_DELETE_VCPU && mm_live_allocs() + 1 == fz.live) {
		fz.live--;
		vmsa_forget(in->rcx);
	}
	return true;
}

/*
 * Makes one call and checks it: a defined result code; call_pending
 * cleared when the guest got control back; the heap changed only by
 * CREATE/DELETE_VCPU.
 */
static bool do_call(unsigned int vcpu, struct csvsm_regs *io)
{
	struct csvsm_regs in = *io;
	size_t live = mm_live_allocs();
	uint32_t proto = SVSM_PROTOCOL(in.rax), call = SVSM_CALL_ID(in.rax);
	bool core = proto == SVSM_PROTO_CORE;
	uint64_t alloc_fired = fault_fired_count(FAULT_SITE_ALLOC);
	uint64_t plat_fired = fault_fired_count(FAULT_SITE_PLAT);
	uint64_t rmp_before = csvsm_sim_rmp_changes(fz.sim);
	bool alloc_failed;
	int rc;

	bool covers_ca = proto == SVSM_PROTO_ATTEST && attest_output_covers(in.rcx, ca_of(vcpu));

	fz.call_actions = 0;
	fz.call_rmp_actions = 0;
	fz.call_vcpu = vcpu;
	fz.ca_raced = false;
	fz.stats.calls++;
	rc = csvsm_sim_call(fz.sim, vcpu, io);
	alloc_failed = fault_fired_count(FAULT_SITE_ALLOC) != alloc_fired;
	if (fault_fired_count(FAULT_SITE_PLAT) != plat_fired) {
		/* An SVSM access faulted (HOSTILE): as if the hypervisor took the page. */
		fz.call_actions++;
		fz.read_actions++;
	}
	if (rc != 0) {
		/*
		 * The hypervisor took the caller's VMSA after the SVSM read the
		 * call (HOSTILE, after an RMP instruction): the call may have been
		 * carried out, its result lost with the vCPU.
		 */
		if (fz.call_rmp_actions && !account_unseen(vcpu, call, &in))
			return false;
		if (mm_live_allocs() != fz.live)
			return fail(
			    "call %u:%u not made (rc %d) yet live allocations %zu, expected %zu",
			    proto, call, rc, mm_live_allocs(), fz.live);
		return true;
	}
	if (!io->serviced || fz.ca_raced) {
		/*
		 * call_pending stays set only when the guest lost its CA during the
		 * call (a PVALIDATE list rescinding it), after a racing write to a
		 * CA, when, after such a race, the guest and the SVSM no longer
		 * agree on the CA (then the SVSM did not even see the call), or
		 * when the guest asked for output on its own CA (an attestation
		 * buffer covering call_pending). The guest cannot trust RAX; the
		 * heap still may only follow CREATE/DELETE_VCPU. Likewise when a
		 * racing write cleared call_pending during the call: the call
		 * looks serviced whether or not the SVSM saw it.
		 */
		/* The guest (and the simulator) then believe a REMAP_CA that says SUCCESS. */
		if (io->serviced && core && call == SVSM_CORE_REMAP_CA && io->rax == SVSM_SUCCESS) {
			fz.ca[vcpu] = in.rcx;
			fz.has_ca[vcpu] = true;
		}
		if (!io->serviced && fz.read_actions == 0 && !covers_ca &&
		    csvsm_sim_guest_access(fz.sim, ca_of(vcpu), 1, CSVSM_SIM_WRITE) ==
		        CSVSM_SIM_ACCESS_OK)
			return fail(
			    "call %u:%u on vCPU %u returned unserviced (call_pending not cleared)",
			    proto, call, vcpu);
		if (core && !account_unseen(vcpu, call, &in))
			return false;
		if (mm_live_allocs() != fz.live)
			return fail("unserviced call %u:%u: live allocations %zu, expected %zu",
			            proto, call, mm_live_allocs(), fz.live);
		return true;
	}
	fz.stats.serviced++;
	if (!result_defined(io->rax))
		return fail("call %u:%u: undefined result RAX %#" PRIx64, proto, call, io->rax);
	if (io->rax == SVSM_ERR_BUSY && !alloc_failed)
		return fail("call %u:%u: BUSY with a heap that is not exhausted", proto, call);
	if (io->rax == SVSM_SUCCESS)
		fz.stats.success++;
	if (alloc_failed && !check_alloc_failed(proto, call, io->rax, rmp_before))
		return false;
	if (io->rax != SVSM_ERR_BUSY && !check_result_allowed(proto, call, io->rax))
		return false;
	if (core && !check_core_result(call, &in, io))
		return false;
	if (core && io->rax == SVSM_SUCCESS && !after_core_success(vcpu, call, &in, true))
		return false;
	if (mm_live_allocs() != fz.live)
		return fail("call %u:%u: live allocations %zu, expected %zu (before %zu)", proto,
		            call, mm_live_allocs(), fz.live, live);
	return true;
}

/* ---- The hypervisor ---- */

static void on_svsm_read(void *ctx, struct csvsm_sim *sim, uint64_t gpa, size_t len,
                         unsigned int nth)
{
	const struct fz_plan *pl = &fz.plan;
	uint64_t target =
	    (pl->mode == FZ_POKE_READ || pl->mode == FZ_REMAP_READ || pl->mode == FZ_SHARE_READ)
	        ? gpa
	        : pl->gpa;
	size_t n = pl->len;

	(void)ctx;
	if (!pl->nth || nth != pl->nth)
		return;
	if (pl->mode == FZ_POKE_READ && n > len)
		n = len;
	switch ((enum fz_poke_mode)pl->mode) {
	case FZ_POKE_READ:
	case FZ_POKE_GPA:
		/* A racing guest vCPU: only where the guest itself may write. */
		if (!n || target + n < target ||
		    csvsm_sim_guest_access(sim, target, n, CSVSM_SIM_WRITE) !=
		        CSVSM_SIM_ACCESS_OK ||
		    csvsm_sim_poke(sim, target, pl->data, n) != 0)
			return;
		if (ca_of(fz.call_vcpu) - target < n)
			fz.ca_raced = true;
		break;
	case FZ_REMAP_READ:
	case FZ_REMAP_GPA:
		/*
		 * Counted even when it fails: a 4 KiB remap inside an assigned
		 * 2 MiB entry is refused by the RMP after the page was filled.
		 */
		if (target >= fz.lay.ram_base + fz.lay.ram_size)
			return;
		csvsm_sim_hv_remap(sim, target, pl->data[0]);
		break;
	case FZ_SHARE_READ:
		csvsm_sim_guest_psc(sim, target & ~(FZ_PAGE - 1), 0, false);
		break;
	case FZ_PRIVATE_GPA:
	default:
		csvsm_sim_guest_psc(sim, target & ~(FZ_PAGE - 1), 0, true);
		break;
	}
	touch(target);
	fz.call_actions++;
	fz.read_actions++;
	fz.stats.hv_actions++;
}

/*
 * After the SVSM's nth PVALIDATE or RMPADJUST (HOSTILE's plan, once): the
 * hypervisor, on another CPU, changes the RMP between two of the SVSM's
 * instructions, or refuses its return to the guest.
 */
static void on_svsm_rmp(void *ctx, struct csvsm_sim *sim, uint64_t gpa, int rc, unsigned int nth)
{
	struct fz_rmp_plan *pl = &fz.rmp_plan;
	bool chosen = pl->mode == FZ_RMP_REMAP_GPA || pl->mode == FZ_RMP_PRIVATE_GPA;
	uint64_t page = (chosen ? pl->gpa : gpa) & ~(FZ_PAGE - 1);
	struct csvsm_sim_hv_policy p;

	(void)ctx;
	(void)rc;
	fz.rmp_seen = nth;
	if (!pl->nth || nth != pl->nth)
		return;
	pl->nth = 0;
	switch ((enum fz_rmp_mode)pl->mode) {
	case FZ_RMP_REMAP_PAGE:
	case FZ_RMP_REMAP_GPA:
		if (page >= fz.lay.ram_base + fz.lay.ram_size)
			return;
		csvsm_sim_hv_remap(sim, page, pl->fill);
		break;
	case FZ_RMP_SHARE_PAGE:
		csvsm_sim_guest_psc(sim, page, 0, false);
		break;
	case FZ_RMP_PRIVATE_GPA:
		csvsm_sim_guest_psc(sim, page, 0, true);
		break;
	case FZ_RMP_REFUSE_RUN:
	default:
		/* Setting the policy restarts its count of the SVSM's reads. */
		csvsm_sim_get_hv_policy(sim, &p);
		p.refuse_run_vmpl++;
		csvsm_sim_set_hv_policy(sim, &p);
		fz.rmp_seen = 0;
		break;
	}
	touch(page);
	fz.call_actions++;
	fz.call_rmp_actions++;
	fz.read_actions++;
	fz.stats.hv_actions++;
}

/* The hooks and refusals; the guest-request counters (HOSTILE) stay as they are. */
static void set_policy(unsigned int refuse_run, unsigned int refuse_psc)
{
	struct csvsm_sim_hv_policy p;

	csvsm_sim_get_hv_policy(fz.sim, &p);
	p.refuse_run_vmpl = refuse_run;
	p.refuse_psc = refuse_psc;
	p.on_svsm_read = on_svsm_read;
	p.on_svsm_rmp = on_svsm_rmp;
	p.ctx = NULL;
	csvsm_sim_set_hv_policy(fz.sim, &p);
	fz.rmp_seen = 0;
}

/* ---- Steps ---- */

static bool op_call(void)
{
	unsigned int vcpu = rd8() % FZ_VCPUS;
	uint8_t sel = rd8(), mask = rd8();
	uint32_t proto, call;
	struct csvsm_regs io;

	if (sel >> 4 == 15) {
		proto = (uint32_t)rdn(4);
		call = (uint32_t)rdn(4);
	} else if (sel >> 4 == 14) {
		proto = 1 + (sel & 7);
		call = rd8();
	} else {
		proto = SVSM_PROTO_CORE;
		call = sel & 15;
	}
	memset(&io, 0, sizeof(io));
	io.rax = SVSM_RAX(proto, call);
	io.rcx = (mask & 1) ? val() : 0;
	io.rdx = (mask & 2) ? val() : 0;
	io.r8 = (mask & 4) ? val() : 0;
	io.r9 = (mask & 8) ? val() : 0;
	return do_call(vcpu, &io);
}

static bool op_write(void)
{
	uint64_t gpa = val();
	uint8_t buf[64];
	size_t len = rd8() % 65;

	for (size_t i = 0; i < len; i++)
		buf[i] = rd8();
	fz.recent = gpa;
	if (len && gpa + len - 1 >= gpa)
		touch(gpa + len - 1);
	csvsm_sim_guest_write(fz.sim, gpa, buf, len);
	return true;
}

/* The expected end state of the pages a PVALIDATE list names (abi 1.5). */
static unsigned int model_pvalidate(const uint64_t *ents, unsigned int count, struct fz_unit *units)
{
	unsigned int nunits = 0;

	for (unsigned int i = 0; i < count; i++) {
		uint64_t gpa = (ents[i] >> SVSM_PVAL_GFN_SHIFT) << 12;
		bool big = (ents[i] & SVSM_PVAL_SIZE_MASK) == SVSM_PVAL_SIZE_2M;
		struct fz_unit *u = NULL;
		struct csvsm_sim_rmp_entry e;

		for (unsigned int j = 0; j < nunits; j++)
			if (units[j].gpa == gpa && units[j].big == big)
				u = &units[j];
		if (!u) {
			if (nunits == FZ_MAX_UNITS || csvsm_sim_rmp_query(fz.sim, gpa, &e) != 0)
				return 0;
			u = &units[nunits++];
			u->gpa = gpa;
			u->big = big;
			u->valid = e.validated;
			u->zeroed = false;
		}
		if (ents[i] & SVSM_PVAL_VALIDATE) {
			if (!u->valid)
				u->zeroed = true;
			u->valid = true;
		} else {
			u->valid = false;
			u->zeroed = false;
		}
	}
	return nunits;
}

static bool page_is_zero(uint64_t gpa)
{
	static const uint8_t zero[FZ_PAGE];
	static uint8_t buf[FZ_PAGE];

	if (csvsm_sim_guest_read(fz.sim, gpa, buf, sizeof(buf)) != CSVSM_SIM_ACCESS_OK)
		return fail("page %#" PRIx64 " validated by PVALIDATE is not readable by the guest",
		            gpa);
	if (memcmp(buf, zero, sizeof(buf)) != 0)
		return fail("page %#" PRIx64 " validated by PVALIDATE was not zeroed", gpa);
	return true;
}

/*
 * After a successful PVALIDATE: each page is validated or not as the last
 * entry naming it says; a validated page is the guest VMPL's, RWX, and
 * zero when it was not validated before; a rescinded page has no lower
 * VMPL permission left (abi 1.5, core-protocol.md).
 */
static bool check_pvalidate(const struct fz_unit *units, unsigned int nunits, uint64_t list)
{
	for (unsigned int i = 0; i < nunits; i++) {
		const struct fz_unit *u = &units[i];
		struct csvsm_sim_rmp_entry e;

		if (csvsm_sim_rmp_query(fz.sim, u->gpa, &e) != 0)
			return fail("PVALIDATE succeeded on %#" PRIx64 " beyond the RMP", u->gpa);
		if (e.validated != u->valid)
			return fail("PVALIDATE succeeded but %#" PRIx64
			            " validated = %d, expected %d",
			            u->gpa, e.validated, u->valid);
		if (u->valid && (e.perms[fz.lay.guest_vmpl] & FZ_PERM_ALL) != FZ_PERM_ALL)
			return fail("validated page %#" PRIx64 " has guest perms %x, not RWX",
			            u->gpa, e.perms[fz.lay.guest_vmpl]);
		if (!u->valid && (e.perms[1] || e.perms[2] || e.perms[3]))
			return fail("rescinded page %#" PRIx64 " keeps lower-VMPL perms", u->gpa);
		/* Its first and last 4 KiB, except the list's own page (next is written back). */
		if (u->valid && u->zeroed) {
			uint64_t last = u->big ? u->gpa + FZ_2M - FZ_PAGE : u->gpa;

			if ((u->gpa >> 12) != (list >> 12) && !page_is_zero(u->gpa))
				return false;
			if (last != u->gpa && (last >> 12) != (list >> 12) && !page_is_zero(last))
				return false;
		}
	}
	return true;
}

/* Builds an entry from a GPA and a flags byte (size, validate, ignore_cf, reserved bits). */
static uint64_t pv_entry(uint64_t gpa, uint8_t flags)
{
	uint64_t e = (gpa & ~(FZ_PAGE - 1)) | (flags & 0xf);

	if (flags & 0x10)
		e |= 0x10ull << ((flags >> 5) & 7);
	return e;
}

static bool run_pvalidate(unsigned int vcpu, uint64_t list, uint16_t entries, uint16_t next,
                          const uint64_t *ents, unsigned int n)
{
	struct svsm_pvalidate_hdr hdr = {.entries = entries, .next = next, .reserved = 0};
	uint64_t copy[FZ_MAX_UNITS];
	struct fz_unit units[FZ_MAX_UNITS];
	unsigned int count = 0, nunits = 0;
	struct csvsm_regs io;

	fz.recent = list;
	touch(list);
	if (csvsm_sim_guest_write(fz.sim, list, &hdr, sizeof(hdr)) == CSVSM_SIM_ACCESS_OK && n)
		csvsm_sim_guest_write(fz.sim, list + sizeof(hdr), ents, n * sizeof(ents[0]));
	/* What the SVSM will read, unless someone races it. */
	if (entries > next && (unsigned int)(entries - next) <= FZ_MAX_UNITS && (list & 7) == 0 &&
	    (list & (FZ_PAGE - 1)) + sizeof(hdr) + (uint64_t)entries * 8 <= FZ_PAGE &&
	    csvsm_sim_guest_read(fz.sim, list + sizeof(hdr) + next * 8u, copy,
	                         (entries - next) * 8u) == CSVSM_SIM_ACCESS_OK) {
		count = entries - next;
		nunits = model_pvalidate(copy, count, units);
	}
	memset(&io, 0, sizeof(io));
	io.rax = SVSM_RAX(SVSM_PROTO_CORE, SVSM_CORE_PVALIDATE);
	io.rcx = list;
	if (!do_call(vcpu, &io))
		return false;
	if (io.rax != SVSM_SUCCESS || !io.serviced || fz.call_actions || !nunits)
		return true;
	fz.stats.pvalidate_ok++;
	return check_pvalidate(units, nunits, list);
}

static bool op_pvalidate(void)
{
	unsigned int vcpu = rd8() % FZ_VCPUS;
	uint8_t where = rd8();
	unsigned int n = rd8() % 17;
	uint8_t h = rd8();
	uint64_t list = (where & 0x80) ? val() : ca_of(vcpu) + 8;
	uint64_t ents[16];
	uint16_t entries, next;

	switch (h & 3) {
	case 2:
		entries = (uint16_t)rdn(2);
		break;
	case 3:
		entries = (uint16_t)(n + 1);
		break;
	default:
		entries = (uint16_t)n;
		break;
	}
	switch ((h >> 2) & 3) {
	case 1:
		next = (uint16_t)(rd8() % (n + 1));
		break;
	case 2:
		next = (uint16_t)rdn(2);
		break;
	default:
		next = 0;
		break;
	}
	for (unsigned int i = 0; i < n; i++) {
		uint64_t gpa = val();

		ents[i] = pv_entry(gpa, rd8());
	}
	return run_pvalidate(vcpu, list, entries, next, ents, n);
}

/* Writes the VMSA fields CREATE_VCPU inspects (abi 1.5), right unless the variant says. */
static void write_vmsa(uint64_t page, uint8_t variant)
{
	uint8_t vmpl = fz.lay.guest_vmpl;
	uint64_t efer = EFER_SVME, feat = fz.sev_features;

	if (variant & 0x10)
		vmpl = rd8();
	if (variant & 0x20)
		efer = rdn(8);
	if (variant & 0x40)
		feat ^= rdn(8);
	csvsm_sim_guest_write(fz.sim, page + __builtin_offsetof(struct vmsa_page, vmpl), &vmpl, 1);
	csvsm_sim_guest_write(fz.sim, page + __builtin_offsetof(struct vmsa_page, efer), &efer, 8);
	csvsm_sim_guest_write(fz.sim, page + __builtin_offsetof(struct vmsa_page, sev_features),
	                      &feat, 8);
}

static bool op_vmsa(void)
{
	uint64_t page = val() & ~(FZ_PAGE - 1);

	fz.recent = page;
	touch(page);
	write_vmsa(page, rd8());
	return true;
}

static bool op_psc(void)
{
	uint64_t gpa = val();
	uint8_t flags = rd8();

	fz.recent = gpa;
	csvsm_sim_guest_psc(fz.sim, gpa, flags & 1, flags & 2);
	if ((flags & 1) && gpa < fz.svsm_end) {
		touch(gpa & ~(FZ_2M - 1));
		touch((gpa & ~(FZ_2M - 1)) + FZ_2M - FZ_PAGE);
	}
	return true;
}

static bool op_remap(void)
{
	uint64_t gpa = val();

	fz.recent = gpa;
	csvsm_sim_hv_remap(fz.sim, gpa, rd8());
	fz.stats.hv_actions++;
	return true;
}

static bool op_policy(void)
{
	uint8_t refuse = rd8();

	fz.plan.nth = rd8() % 9;
	fz.plan.mode = rd8() % FZ_POKE_MODES;
	fz.plan.gpa = val();
	fz.plan.len = rd8() % (FZ_POKE_BYTES + 1);
	for (size_t i = 0; i < fz.plan.len; i++)
		fz.plan.data[i] = rd8();
	set_policy(refuse & 3, (refuse >> 2) & 3);
	return true;
}

/*
 * The hypervisor runs a vCPU's VMPL0 unasked, its guest's exit code
 * VMGEXIT or another: unless the guest left call_pending set (then it is
 * a call, the CALL step's business), the SVSM must serve nothing: the RMP
 * and the heap stay as they were, and call_pending too, but that after a
 * VMGEXIT it may have been exchanged for 0 (58019 calling convention: a
 * call is VMGEXIT with call_pending 1). Not after a racing write or a
 * hypervisor action of this input, when the SVSM's CA may not be the one
 * the guest knows.
 */
static bool hostile_enter_svsm(void)
{
	unsigned int vcpu = rd8() % FZ_VCPUS;
	uint8_t b = rd8();
	uint64_t exit_code = (b & 1) ? VMEXIT_VMGEXIT : b >> 1;
	uint64_t rmp_before = csvsm_sim_rmp_changes(fz.sim);
	uint8_t pending = 1, after = 1;

	if (fz.read_actions ||
	    csvsm_sim_guest_read(fz.sim, ca_of(vcpu), &pending, 1) != CSVSM_SIM_ACCESS_OK ||
	    (pending == 1 && exit_code == VMEXIT_VMGEXIT))
		return true;
	if (csvsm_sim_hv_enter_svsm(fz.sim, vcpu, exit_code) != 0)
		return true;
	fz.stats.hv_actions++;
	/* A POLICY plan may fire at the SVSM's read of call_pending: the hypervisor's doing. */
	if (fz.read_actions)
		return true;
	if (csvsm_sim_rmp_changes(fz.sim) != rmp_before || mm_live_allocs() != fz.live)
		return fail("an unasked VMPL0 entry (exit code %#" PRIx64
		            ") changed the RMP or the heap",
		            exit_code);
	/* After a VMGEXIT the SVSM may exchange a call_pending that is not 1 for 0. */
	if (csvsm_sim_guest_read(fz.sim, ca_of(vcpu), &after, 1) != CSVSM_SIM_ACCESS_OK ||
	    (after != pending && (exit_code != VMEXIT_VMGEXIT || after != 0)))
		return fail("an unasked VMPL0 entry changed call_pending from %u to %u", pending,
		            after);
	return true;
}

/*
 * HOSTILE: what the other steps cannot express. The hypervisor's answers
 * to the SVSM's SNP guest requests (attestation: BUSY, a tampered or
 * replayed request or response, a failed exit, for the next `count`
 * requests); an allocation or an SVSM access of guest memory that fails
 * (the nth from now, or every one from then on); the hypervisor acting
 * right after the SVSM's nth PVALIDATE or RMPADJUST.
 */
static bool op_hostile(void)
{
	uint8_t kind = rd8();
	struct csvsm_sim_hv_policy p;
	unsigned int *counter[] = {
	    &p.guest_req_busy,     &p.guest_req_tamper,        &p.guest_req_tamper_rsp,
	    &p.guest_req_replay,   &p.guest_req_replay_rsp,    &p.guest_req_fail,
	    &p.guest_req_edit_rsp, &p.guest_req_certs_overrun, &p.guest_req_certs_too_small};
	uint8_t which, flags;
	unsigned int k;

	switch (kind % 4) {
	case 0:
		which = rd8() % (sizeof(counter) / sizeof(counter[0]));
		csvsm_sim_get_hv_policy(fz.sim, &p);
		*counter[which] = rd8() % 20;
		if (counter[which] == &p.guest_req_edit_rsp) {
			p.guest_req_edit_off = (unsigned int)rdn(2);
			p.guest_req_edit_xor = rd8();
		}
		/* Setting the policy restarts its count of the SVSM's reads. */
		csvsm_sim_set_hv_policy(fz.sim, &p);
		fz.rmp_seen = 0;
		break;
	case 1:
		flags = rd8();
		fault_arm((flags & 1) ? FAULT_SITE_PLAT : FAULT_SITE_ALLOC, rd8(),
		          (flags & 2) != 0);
		break;
	case 3:
		return hostile_enter_svsm();
	default:
		k = rd8() % 9;
		fz.rmp_plan.nth = k ? fz.rmp_seen + k : 0;
		fz.rmp_plan.mode = rd8() % FZ_RMP_MODES;
		fz.rmp_plan.gpa = val();
		fz.rmp_plan.fill = rd8();
		break;
	}
	return true;
}

/* PVALIDATE a page, write a VMSA into it, CREATE_VCPU: the path to a second vCPU. */
static bool op_newvcpu(void)
{
	unsigned int vcpu = rd8() % FZ_VCPUS;
	uint64_t page = val() & ~(FZ_PAGE - 1);
	uint64_t caa = val();
	uint32_t apic = rd8() % (FZ_VCPUS + 1);
	uint8_t variant = rd8();
	struct csvsm_regs io;

	if (!(variant & 1)) {
		uint64_t ent = page | SVSM_PVAL_VALIDATE | SVSM_PVAL_IGNORE_CF;

		if (!run_pvalidate(vcpu, ca_of(vcpu) + 8, 1, 0, &ent, 1))
			return false;
	}
	if (!(variant & 2))
		write_vmsa(page, variant);
	memset(&io, 0, sizeof(io));
	io.rax = SVSM_RAX(SVSM_PROTO_CORE, SVSM_CORE_CREATE_VCPU);
	io.rcx = page;
	io.rdx = (variant & 4) ? caa : caa & ~(FZ_PAGE - 1);
	io.r8 = apic;
	touch(page);
	fz.recent = page;
	return do_call(vcpu, &io);
}

/* Opcode byte (mod 16) to step: calls and PVALIDATE lists weigh most. */
const uint8_t fuzz_core_ops[16] = {
    FUZZ_OP_CALL,      FUZZ_OP_CALL,      FUZZ_OP_CALL,      FUZZ_OP_CALL,
    FUZZ_OP_PVALIDATE, FUZZ_OP_PVALIDATE, FUZZ_OP_PVALIDATE, FUZZ_OP_WRITE,
    FUZZ_OP_WRITE,     FUZZ_OP_VMSA,      FUZZ_OP_PSC,       FUZZ_OP_REMAP,
    FUZZ_OP_POLICY,    FUZZ_OP_HOSTILE,   FUZZ_OP_NEWVCPU,   FUZZ_OP_NEWVCPU,
};

static const char *const op_names[FUZZ_OP_COUNT] = {
    "CALL", "WRITE", "PVALIDATE", "VMSA", "PSC", "REMAP", "POLICY", "NEWVCPU", "HOSTILE",
};

static bool run_step(enum fuzz_core_op op)
{
	if (fz.cfg.verbose)
		fprintf(stderr, "fuzz_core: step %u: %s\n", fz.step, op_names[op]);
	switch (op) {
	case FUZZ_OP_CALL:
		return op_call();
	case FUZZ_OP_WRITE:
		return op_write();
	case FUZZ_OP_PVALIDATE:
		return op_pvalidate();
	case FUZZ_OP_VMSA:
		return op_vmsa();
	case FUZZ_OP_PSC:
		return op_psc();
	case FUZZ_OP_REMAP:
		return op_remap();
	case FUZZ_OP_POLICY:
		return op_policy();
	case FUZZ_OP_HOSTILE:
		return op_hostile();
	case FUZZ_OP_NEWVCPU:
	default:
		return op_newvcpu();
	}
}

/* ---- Setup and the input loop ---- */

/*
 * The SVSM's console, unless verbose: inputs that break the guest-message
 * channel (HOSTILE) make the core log every time, which would flood a
 * campaign's output.
 */
static void console_discard(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
}

static void print_event(void *ctx, const struct csvsm_sim_event *ev)
{
	char line[256];

	(void)ctx;
	csvsm_sim_event_format(ev, CSVSM_SIM_FORMAT_TEXT, line, sizeof(line));
	fprintf(stderr, "  %s\n", line);
}

int fuzz_core_init(const struct fuzz_core_config *cfg)
{
	struct csvsm_sim_config c;

	if (fz.ready)
		return 0;
	memset(&fz, 0, sizeof(fz));
	memset(fz_memo, 0, sizeof(fz_memo)); /* another simulator */
	if (cfg)
		fz.cfg = *cfg;
	csvsm_sim_config_default(&c);
	c.guest_ram_size = 8ull << 20;
	c.svsm_size = 4ull << 20;
	c.vcpu_count = FZ_VCPUS;
	/* Reports signed with one nonce: a scalar multiplication less per report. */
	c.psp_fast_sign = true;
	fz.sim = csvsm_sim_new(&c);
	if (!fz.sim)
		return -1;
	csvsm_sim_layout(fz.sim, &fz.lay);
	fz.svsm_end = fz.lay.svsm_base + fz.lay.svsm_size;
	if (fz.lay.free_ram_base != FUZZ_CORE_FREE_RAM) {
		fprintf(stderr, "fuzz_core: free RAM at %#" PRIx64 ", the seeds expect %#llx\n",
		        fz.lay.free_ram_base, FUZZ_CORE_FREE_RAM);
		csvsm_sim_free(fz.sim);
		fz.sim = NULL;
		return -1;
	}
	fz.free_2m_base = (fz.lay.free_ram_base + FZ_2M - 1) & ~(FZ_2M - 1);
	/* The launch VMSA's features (sim.h launch state; Linux copies them to APs). */
	fz.sev_features = SEV_FEAT_SNP_ACTIVE | SEV_FEAT_RESTRICTED_INJ | SEV_FEAT_DEBUG_SWAP;
	if (csvsm_sim_snapshot_take(fz.sim) != 0) {
		fprintf(stderr, "fuzz_core: cannot take the snapshot\n");
		csvsm_sim_free(fz.sim);
		fz.sim = NULL;
		return -1;
	}
	if (!fz.cfg.verbose)
		sim_console_set_sink(console_discard, NULL);
	if (fz.cfg.verbose)
		csvsm_sim_set_trace(fz.sim, print_event, NULL);
	else if (fz.cfg.trace)
		csvsm_sim_set_trace(fz.sim, fz.cfg.trace, fz.cfg.trace_ctx);
	fz.ready = true;
	return 0;
}

void fuzz_core_fini(void)
{
	sim_console_set_sink(NULL, NULL);
	csvsm_sim_free(fz.sim);
	memset(&fz, 0, sizeof(fz));
}

int fuzz_core_run(const uint8_t *data, size_t size, char *why, size_t why_len)
{
	static char own_why[256];
	bool ok = true;

	if (fuzz_core_init(NULL) != 0) {
		fprintf(stderr, "fuzz_core: cannot build the simulator\n");
		abort();
	}
	if (csvsm_sim_snapshot_restore(fz.sim, fz.cfg.exact_reset ? 0 : CSVSM_SIM_RESTORE_FAST) !=
	    0) {
		fprintf(stderr, "fuzz_core: cannot restore the snapshot\n");
		abort();
	}
	fz.p = data;
	fz.n = size;
	fz.why = why && why_len ? why : own_why;
	fz.why_len = why && why_len ? why_len : sizeof(own_why);
	fz.why[0] = '\0';
	fz.failed = false;
	memset(fz.ca, 0, sizeof(fz.ca));
	memset(fz.has_ca, 0, sizeof(fz.has_ca));
	fz.ca[0] = fz.lay.boot_caa_gpa;
	fz.has_ca[0] = true;
	fz.nvmsas = 0;
	fz.recent = fz.lay.free_ram_base;
	memset(&fz.plan, 0, sizeof(fz.plan));
	memset(&fz.rmp_plan, 0, sizeof(fz.rmp_plan));
	fz.read_actions = 0;
	set_policy(0, 0);
	fz.live = mm_live_allocs();
	fz.stats.inputs++;

	for (fz.step = 0; ok && fz.n > 0 && fz.step < FUZZ_CORE_MAX_STEPS; fz.step++) {
		enum fuzz_core_op op = (enum fuzz_core_op)fuzz_core_ops[rd8() & 15];
		uint64_t rmp_before = csvsm_sim_rmp_changes(fz.sim);

		fz.ntouched = 0;
		fz.stats.steps++;
		ok = run_step(op) && check_step(op, rmp_before);
	}
	if (ok && mm_live_allocs() != fz.live)
		ok = fail("end: live allocations %zu, expected %zu", mm_live_allocs(), fz.live);
	if (ok)
		ok = check_fixed(true);
	if (ok && fz.cfg.thorough)
		ok = check_all_pages();
	return ok ? 0 : -1;
}

void fuzz_core_get_stats(struct fuzz_core_stats *out)
{
	struct csvsm_sim_snapshot_stats ss;

	*out = fz.stats;
	if (fz.sim) {
		csvsm_sim_snapshot_stats(fz.sim, &ss);
		out->reboots = ss.reboots;
	}
}

/*
 * Environment: FUZZ_CORE_EXACT=1 rebuilds the core at every reset,
 * FUZZ_CORE_THOROUGH=1 scans, FUZZ_CORE_VERBOSE=1 prints every step.
 */
static bool env_flag(const char *name)
{
	const char *v = getenv(name);

	return v && *v && strcmp(v, "0") != 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct fuzz_core_config cfg;

	(void)argc;
	(void)argv;
	memset(&cfg, 0, sizeof(cfg));
	cfg.exact_reset = env_flag("FUZZ_CORE_EXACT");
	cfg.thorough = env_flag("FUZZ_CORE_THOROUGH");
	cfg.verbose = env_flag("FUZZ_CORE_VERBOSE");
	if (fuzz_core_init(&cfg) != 0) {
		fprintf(stderr, "fuzz_core: cannot build the simulator\n");
		abort();
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[512];

	if (fuzz_core_run(data, size, why, sizeof(why)) != 0) {
		fprintf(stderr, "fuzz_core: invariant broken: %s\n", why);
		abort();
	}
	return 0;
}
