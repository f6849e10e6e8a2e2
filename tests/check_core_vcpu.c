/* SPDX-License-Identifier: MIT */
/*
 * SVSM_CORE_CREATE_VCPU and SVSM_CORE_DELETE_VCPU (abi 1.5 calls 2 and 3),
 * and fault sweeps (every allocation of a flow failed in turn) over
 * CREATE_VCPU, PVALIDATE and REMAP_CA.
 *
 * csvsm decisions tested here: CREATE_VCPU with RCX/RDX unaligned, equal,
 * outside guest RAM or in SVSM memory is INVALID_ADDRESS, as is a VMSA page
 * that is not validated or a CA that is a registered VMSA; an APIC ID >=
 * vcpu_count or of a vCPU that has a VMSA is INVALID_PARAMETER; a VMSA
 * with the wrong vmpl, EFER.SVME clear or other sev_features is
 * INVALID_PARAMETER with the guest's access restored. DELETE_VCPU of an
 * unaligned or unknown VMSA is INVALID_PARAMETER, of the caller's own VMSA
 * INVALID_REQUEST.
 *
 * The boot VMSA is in SVSM memory, so its sev_features cannot be read by
 * the guest: the tests use what the simulator sets (SNP active, restricted
 * injection, debug swap; ct_boot_sev_features).
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core_test_util.h"
#include "csvsm/abi/svsm.h"
#include "csvsm/abi/vmsa.h"
#include "csvsm/error.h"
#include "fault_sweep.h"

#define EFER_OK (EFER_SVME | (1ull << 8) | (1ull << 10) | (1ull << 11))

/* The page is an ordinary guest page again (or still): validated, RWX, not a VMSA. */
static void assert_guest_page(uint64_t gpa)
{
	struct csvsm_sim_rmp_entry e = ct_rmp(gpa);

	ck_assert_msg(ct_guest_owned(gpa), "0x%" PRIx64 ": validated %d vmsa %d perm 0x%x", gpa,
	              e.validated, e.vmsa, e.perms[ct_lay.guest_vmpl]);
	ck_assert_int_eq(ct_rw_page(gpa), CSVSM_SIM_ACCESS_OK);
}

/* ---- CREATE_VCPU ---- */

START_TEST(test_create_success)
{
	uint64_t vmsa = ct_page(0), ca = ct_page(1);
	struct csvsm_sim_rmp_entry e;
	uint8_t b;

	ck_assert(ct_vcpu_dead(1));
	ct_make_ap(1, vmsa, ca);
	e = ct_rmp(vmsa);
	ck_assert(e.vmsa);
	ck_assert(e.validated);
	ck_assert_uint_eq(e.perms[ct_lay.guest_vmpl], 0);
	ck_assert_int_eq(ct_read_byte(vmsa, &b), CSVSM_SIM_ACCESS_NPF);
	ck_assert_int_eq(ct_write(vmsa, &b, 1), CSVSM_SIM_ACCESS_NPF);
	/* The CA stays the guest's. */
	ck_assert(ct_guest_owned(ca));
	/* The new vCPU makes calls through its CA. */
	ck_assert_uint_eq(ct_core(1, SVSM_CORE_QUERY_PROTOCOL, 1, 0, 0), SVSM_SUCCESS);
	ck_assert(ct_vcpu_works(1));
	ck_assert(ct_vcpu_works(0));
	ck_assert(ct_vcpu_dead(2));
}
END_TEST

START_TEST(test_create_all_aps)
{
	unsigned int i;

	for (i = 1; i < ct_lay.vcpu_count; i++)
		ct_make_ap(i, ct_page(2 * i), ct_page(2 * i + 1));
	for (i = 0; i < ct_lay.vcpu_count; i++)
		ck_assert_msg(ct_vcpu_works(i), "vCPU %u", i);
	/* The page after the last CA: one APIC ID too many. */
	ct_prepare_vmsa(ct_page(100));
	ct_validate(ct_page(101));
	ck_assert_uint_eq(ct_create(0, ct_page(100), ct_page(101), ct_lay.vcpu_count),
	                  SVSM_ERR_INVALID_PARAMETER);
	assert_guest_page(ct_page(100));
}
END_TEST

/* An AP creates another AP (its sev_features are the boot vCPU's). */
START_TEST(test_create_from_ap)
{
	ct_make_ap(1, ct_page(0), ct_page(1));
	ct_prepare_vmsa(ct_page(2));
	ct_validate(ct_page(3));
	ck_assert_uint_eq(ct_create(1, ct_page(2), ct_page(3), 2), SVSM_SUCCESS);
	ck_assert(ct_vcpu_works(2));
	ck_assert(ct_rmp(ct_page(2)).vmsa);
}
END_TEST

START_TEST(test_create_bad_addresses)
{
	uint64_t v = ct_page(0), c = ct_page(1);
	uint64_t outside = ct_lay.svsm_base + ct_lay.svsm_size + CT_2M;
	const uint64_t pairs[][2] = {
	    {v + 8, c},
	    {v + 0x800, c},
	    {v, c + 8},
	    {v, c + 0xfff},
	    {v, v},
	    {c, c},
	    {ct_lay.svsm_base, c},
	    {v, ct_lay.svsm_base},
	    {ct_lay.boot_vmsa_gpa, c},
	    {v, ct_lay.boot_vmsa_gpa},
	    {outside, c},
	    {v, outside},
	    {1ull << 52, c},
	    {v, 0xfffffffffffff000ull},
	};
	unsigned int i;

	ct_prepare_vmsa(v);
	ct_validate(c);
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		uint64_t rax = ct_create(0, pairs[i][0], pairs[i][1], 1);

		ck_assert_msg(rax == SVSM_ERR_INVALID_ADDRESS,
		              "CREATE_VCPU(0x%" PRIx64 ", 0x%" PRIx64 "): RAX 0x%" PRIx64,
		              pairs[i][0], pairs[i][1], rax);
		ck_assert(ct_vcpu_dead(1));
		ck_assert(ct_guest_owned(v));
		ck_assert(ct_guest_owned(c));
	}
	/* The VMSA image was not disturbed: with good arguments it works. */
	ck_assert_uint_eq(ct_create(0, v, c, 1), SVSM_SUCCESS);
	ck_assert(ct_vcpu_works(1));
}
END_TEST

START_TEST(test_create_bad_apic)
{
	uint64_t v = ct_page(0), c = ct_page(1);
	const uint64_t apics[] = {ct_lay.vcpu_count, 63, 64, 0xffffffff, 0};
	unsigned int i;

	ct_prepare_vmsa(v);
	ct_validate(c);
	for (i = 0; i < sizeof(apics) / sizeof(apics[0]); i++) {
		uint64_t rax = ct_create(0, v, c, apics[i]);

		ck_assert_msg(rax == SVSM_ERR_INVALID_PARAMETER, "APIC %" PRIu64 ": RAX 0x%" PRIx64,
		              apics[i], rax);
		assert_guest_page(v);
		ct_write_vmsa(v, ct_lay.guest_vmpl, EFER_OK, ct_boot_sev_features());
	}
	ck_assert(ct_vcpu_works(0));
}
END_TEST

START_TEST(test_create_duplicate_apic)
{
	uint64_t v2 = ct_page(2), c2 = ct_page(3);

	ct_make_ap(1, ct_page(0), ct_page(1));
	ct_prepare_vmsa(v2);
	ct_validate(c2);
	ck_assert_uint_eq(ct_create(0, v2, c2, 1), SVSM_ERR_INVALID_PARAMETER);
	assert_guest_page(v2);
	ck_assert(ct_vcpu_works(1));
	ck_assert(ct_rmp(ct_page(0)).vmsa);
}
END_TEST

/* A malformed VMSA image: INVALID_PARAMETER, and the guest has its page back. */
START_TEST(test_create_bad_vmsa_contents)
{
	uint64_t v = ct_page(0), c = ct_page(1);
	uint64_t sev = ct_boot_sev_features();
	uint8_t gv = ct_lay.guest_vmpl;
	const struct {
		uint8_t vmpl;
		uint64_t efer, sev;
		const char *what;
	} bad[] = {
	    {0, EFER_OK, sev, "vmpl 0"},
	    {(uint8_t)(gv - 1), EFER_OK, sev, "vmpl - 1"},
	    {(uint8_t)(gv + 1), EFER_OK, sev, "vmpl + 1"},
	    {0xff, EFER_OK, sev, "vmpl 0xff"},
	    {gv, EFER_OK & ~EFER_SVME, sev, "SVME clear"},
	    {gv, 0, sev, "EFER 0"},
	    {gv, EFER_OK, 0, "sev_features 0"},
	    {gv, EFER_OK, sev & ~SEV_FEAT_DEBUG_SWAP, "no debug swap"},
	    {gv, EFER_OK, sev & ~SEV_FEAT_RESTRICTED_INJ, "no restricted injection"},
	    {gv, EFER_OK, sev | (1ull << 1), "vTOM added"},
	    {gv, EFER_OK, sev | (1ull << 2), "ReflectVC added"},
	};
	unsigned int i;

	ct_validate(v);
	ct_validate(c);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t rax;

		ct_write_vmsa(v, bad[i].vmpl, bad[i].efer, bad[i].sev);
		rax = ct_create(0, v, c, 1);
		ck_assert_msg(rax == SVSM_ERR_INVALID_PARAMETER, "%s: RAX 0x%" PRIx64, bad[i].what,
		              rax);
		assert_guest_page(v);
		ck_assert(ct_vcpu_dead(1));
	}
	ct_write_vmsa(v, gv, EFER_OK, sev);
	ck_assert_uint_eq(ct_create(0, v, c, 1), SVSM_SUCCESS);
	ck_assert(ct_vcpu_works(1));
}
END_TEST

START_TEST(test_create_unvalidated_vmsa)
{
	uint64_t v = ct_page(0), c = ct_page(1);
	static struct vmsa_page img;

	memset(&img, 0, sizeof(img));
	img.vmpl = ct_lay.guest_vmpl;
	img.efer = EFER_OK;
	img.sev_features = ct_boot_sev_features();
	ck_assert_int_eq(csvsm_sim_poke(ct_sim, v, &img, sizeof(img)), 0);
	ct_validate(c);
	ck_assert_uint_eq(ct_create(0, v, c, 1), SVSM_ERR_INVALID_ADDRESS);
	ck_assert(!ct_rmp(v).validated);
	ck_assert(!ct_rmp(v).vmsa);
	ck_assert(ct_vcpu_dead(1));
}
END_TEST

START_TEST(test_create_vmsa_as_ca)
{
	uint64_t v1 = ct_page(0), c1 = ct_page(1), v2 = ct_page(2);

	ct_make_ap(1, v1, c1);
	ct_prepare_vmsa(v2);
	ck_assert_uint_eq(ct_create(0, v2, v1, 2), SVSM_ERR_INVALID_ADDRESS);
	assert_guest_page(v2);
	ck_assert(ct_vcpu_dead(2));
	ck_assert(ct_rmp(v1).vmsa);
	ck_assert(ct_vcpu_works(1));
}
END_TEST

/* Two vCPUs cannot share a Calling Area (call_pending is per vCPU). */
START_TEST(test_create_shared_ca)
{
	uint64_t v1 = ct_page(0), c1 = ct_page(1), v2 = ct_page(2);

	ct_make_ap(1, v1, c1);
	ct_prepare_vmsa(v2);
	/* Another AP's CA, and the boot vCPU's CA. */
	ck_assert_uint_eq(ct_create(0, v2, c1, 2), SVSM_ERR_INVALID_ADDRESS);
	ck_assert_uint_eq(ct_create(0, v2, ct_ca(0), 2), SVSM_ERR_INVALID_ADDRESS);
	assert_guest_page(v2);
	ck_assert(ct_vcpu_dead(2));
	ck_assert(ct_vcpu_works(1));
	ck_assert(ct_vcpu_works(0));
}
END_TEST

/* Runs for guest VMPL 1, 2 and 3: the VMSA's vmpl must be the guest's. */
START_TEST(test_create_per_guest_vmpl)
{
	struct csvsm_sim_config cfg;
	uint64_t v, c;

	csvsm_sim_config_default(&cfg);
	cfg.guest_vmpl = (uint8_t)_i;
	ct_start(&cfg);
	v = ct_page(0);
	c = ct_page(1);
	ct_validate(c);
	ct_validate(v);
	ct_write_vmsa(v, (uint8_t)(_i == 3 ? 1 : 3), EFER_OK, ct_boot_sev_features());
	ck_assert_uint_eq(ct_create(0, v, c, 1), SVSM_ERR_INVALID_PARAMETER);
	ct_write_vmsa(v, (uint8_t)_i, EFER_OK, ct_boot_sev_features());
	ck_assert_uint_eq(ct_create(0, v, c, 1), SVSM_SUCCESS);
	ck_assert_uint_eq(ct_rmp(v).perms[_i], 0);
	ck_assert(ct_vcpu_works(1));
	ct_stop();
}
END_TEST

/* ---- DELETE_VCPU ---- */

START_TEST(test_delete_bad)
{
	uint64_t v = ct_page(0), c = ct_page(1);
	const uint64_t bad[] = {
	    v + 8,
	    v + 0x800,              /* unaligned */
	    ct_page(2),             /* a free page */
	    c,                      /* a CA */
	    ct_lay.svsm_base,       /* SVSM memory */
	    ct_lay.secrets_gpa,     /* a guest page */
	    1ull << 52,             /* beyond the address space */
	    0xfffffffffffff000ull,  /* top page */
	    ct_lay.boot_caa_gpa + 8 /* unaligned CA */
	};
	unsigned int i;

	ct_make_ap(1, v, c);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t rax = ct_core(0, SVSM_CORE_DELETE_VCPU, bad[i], 0, 0);

		ck_assert_msg(rax == SVSM_ERR_INVALID_PARAMETER,
		              "DELETE_VCPU(0x%" PRIx64 "): RAX 0x%" PRIx64, bad[i], rax);
	}
	ck_assert(ct_vcpu_works(1));
	ck_assert(ct_rmp(v).vmsa);
}
END_TEST

START_TEST(test_delete_own_vmsa)
{
	uint64_t v = ct_page(0), c = ct_page(1);

	ct_make_ap(1, v, c);
	ck_assert_uint_eq(ct_core(1, SVSM_CORE_DELETE_VCPU, v, 0, 0), SVSM_ERR_INVALID_REQUEST);
	ck_assert(ct_vcpu_works(1));
	ck_assert(ct_rmp(v).vmsa);
}
END_TEST

START_TEST(test_delete_boot_vmsa_by_itself)
{
	ck_assert_uint_eq(ct_core(0, SVSM_CORE_DELETE_VCPU, ct_lay.boot_vmsa_gpa, 0, 0),
	                  SVSM_ERR_INVALID_REQUEST);
	ck_assert(ct_vcpu_works(0));
}
END_TEST

START_TEST(test_delete_success_and_recreate)
{
	uint64_t v = ct_page(0), c = ct_page(1);
	struct csvsm_sim_rmp_entry e;

	ct_make_ap(1, v, c);
	ck_assert_uint_eq(ct_core(0, SVSM_CORE_DELETE_VCPU, v, 0, 0), SVSM_SUCCESS);
	e = ct_rmp(v);
	ck_assert(!e.vmsa);
	ck_assert(e.validated);
	ck_assert_uint_eq(e.perms[ct_lay.guest_vmpl], 0xf);
	assert_guest_page(v);
	ck_assert(ct_vcpu_dead(1));
	/* It is gone: a second delete does not know it. */
	ck_assert_uint_eq(ct_core(0, SVSM_CORE_DELETE_VCPU, v, 0, 0), SVSM_ERR_INVALID_PARAMETER);
	/* The APIC ID can be created again (same pages, VMSA image rewritten). */
	ct_write_vmsa(v, ct_lay.guest_vmpl, EFER_OK, ct_boot_sev_features());
	ck_assert_uint_eq(ct_create(0, v, c, 1), SVSM_SUCCESS);
	ck_assert(ct_vcpu_works(1));
	ck_assert(ct_rmp(v).vmsa);
}
END_TEST

START_TEST(test_delete_from_ap)
{
	uint64_t v2 = ct_page(2);

	ct_make_ap(1, ct_page(0), ct_page(1));
	ct_make_ap(2, v2, ct_page(3));
	ck_assert_uint_eq(ct_core(1, SVSM_CORE_DELETE_VCPU, v2, 0, 0), SVSM_SUCCESS);
	ck_assert(ct_vcpu_dead(2));
	ck_assert(ct_vcpu_works(1));
	ck_assert(ct_vcpu_works(0));
	assert_guest_page(v2);
}
END_TEST

/* A deleted VMSA page is an ordinary guest page: PVALIDATE may rescind it. */
START_TEST(test_delete_then_rescind)
{
	uint64_t v = ct_page(0);
	uint8_t b;

	ct_make_ap(1, v, ct_page(1));
	ck_assert_uint_eq(ct_core(0, SVSM_CORE_DELETE_VCPU, v, 0, 0), SVSM_SUCCESS);
	ct_rescind(v);
	ck_assert_int_eq(ct_read_byte(v, &b), CSVSM_SIM_ACCESS_VC);
}
END_TEST

Suite *core_vcpu_suite(void)
{
	Suite *s = suite_create("core_vcpu");
	TCase *tc;

	tc = tcase_create("create");
	tcase_set_timeout(tc, CT_TIMEOUT);
	tcase_add_checked_fixture(tc, ct_setup, ct_teardown);
	tcase_add_test(tc, test_create_success);
	tcase_add_test(tc, test_create_all_aps);
	tcase_add_test(tc, test_create_from_ap);
	tcase_add_test(tc, test_create_bad_addresses);
	tcase_add_test(tc, test_create_bad_apic);
	tcase_add_test(tc, test_create_duplicate_apic);
	tcase_add_test(tc, test_create_bad_vmsa_contents);
	tcase_add_test(tc, test_create_unvalidated_vmsa);
	tcase_add_test(tc, test_create_vmsa_as_ca);
	tcase_add_test(tc, test_create_shared_ca);
	suite_add_tcase(s, tc);

	tc = tcase_create("create_vmpl");
	tcase_set_timeout(tc, CT_TIMEOUT);
	tcase_add_loop_test(tc, test_create_per_guest_vmpl, 1, 4);
	suite_add_tcase(s, tc);

	tc = tcase_create("delete");
	tcase_set_timeout(tc, CT_TIMEOUT);
	tcase_add_checked_fixture(tc, ct_setup, ct_teardown);
	tcase_add_test(tc, test_delete_bad);
	tcase_add_test(tc, test_delete_own_vmsa);
	tcase_add_test(tc, test_delete_boot_vmsa_by_itself);
	tcase_add_test(tc, test_delete_success_and_recreate);
	tcase_add_test(tc, test_delete_from_ap);
	tcase_add_test(tc, test_delete_then_rescind);
	suite_add_tcase(s, tc);
	return s;
}

/* ---- Fault sweeps: FAULT_SITE_ALLOC over whole calls ---- */

struct sweep_ctx {
	uint64_t pages[3];
	struct csvsm_sim_rmp_entry before[3];
	unsigned int npages;
	uint16_t next;
};

/* A small machine: the sweeps build one per iteration. */
static void sweep_start(struct sweep_ctx *c, unsigned int npages)
{
	struct csvsm_sim_config cfg;
	unsigned int i;

	csvsm_sim_config_default(&cfg);
	cfg.guest_ram_size = 16ull << 20;
	ct_start(&cfg);
	c->npages = npages;
	for (i = 0; i < npages; i++)
		c->pages[i] = ct_page(i);
}

static void sweep_snapshot(struct sweep_ctx *c)
{
	unsigned int i;

	for (i = 0; i < c->npages; i++)
		c->before[i] = ct_rmp(c->pages[i]);
}

static bool sweep_unchanged(struct sweep_ctx *c, unsigned int from, char *why, size_t len)
{
	unsigned int i;

	for (i = from; i < c->npages; i++) {
		struct csvsm_sim_rmp_entry now = ct_rmp(c->pages[i]);

		if (!ct_rmp_equal(&now, &c->before[i])) {
			snprintf(why, len, "RMP entry of 0x%" PRIx64 " changed", c->pages[i]);
			return false;
		}
	}
	if (!ct_vcpu_works(0)) {
		snprintf(why, len, "the boot vCPU cannot make calls any more");
		return false;
	}
	return true;
}

/* SUCCESS -> 0; a defined SVSM error -> -CSVSM_ENOMEM; anything else fails the test. */
static int sweep_result(const char *what, uint64_t rax)
{
	ck_assert_msg(ct_defined_result(rax), "%s: undefined result 0x%" PRIx64, what, rax);
	return rax == SVSM_SUCCESS ? 0 : -CSVSM_ENOMEM;
}

static void sweep_teardown(void *opaque)
{
	(void)opaque;
	ct_stop();
}

/* CREATE_VCPU: pages[0] is the VMSA, pages[1] the CA. */
static void create_setup(void *opaque)
{
	struct sweep_ctx *c = opaque;

	sweep_start(c, 2);
	ct_validate(c->pages[1]);
	ct_prepare_vmsa(c->pages[0]);
	sweep_snapshot(c);
}

static int create_flow(void *opaque)
{
	struct sweep_ctx *c = opaque;

	return sweep_result("CREATE_VCPU", ct_create(0, c->pages[0], c->pages[1], 1));
}

static void create_undo(void *opaque)
{
	struct sweep_ctx *c = opaque;

	ck_assert(ct_vcpu_works(1));
	ck_assert_uint_eq(ct_core(0, SVSM_CORE_DELETE_VCPU, c->pages[0], 0, 0), SVSM_SUCCESS);
}

static bool create_invariant(void *opaque, char *why, size_t len)
{
	struct sweep_ctx *c = opaque;

	if (!sweep_unchanged(c, 0, why, len))
		return false;
	if (!ct_vcpu_dead(1)) {
		snprintf(why, len, "vCPU 1 exists after a failed CREATE_VCPU");
		return false;
	}
	if (ct_rw_page(c->pages[0]) != CSVSM_SIM_ACCESS_OK) {
		snprintf(why, len, "the guest lost its VMSA page");
		return false;
	}
	return true;
}

static unsigned int run_sweep(const char *name, bool persistent, void (*setup)(void *),
                              int (*flow)(void *), void (*undo)(void *),
                              bool (*inv)(void *, char *, size_t))
{
	struct sweep_ctx c;
	struct fault_sweep s;
	unsigned int n;

	memset(&c, 0, sizeof(c));
	memset(&s, 0, sizeof(s));
	s.name = name;
	s.site = FAULT_SITE_ALLOC;
	s.persistent = persistent;
	s.setup = setup;
	s.flow = flow;
	s.undo = undo;
	s.invariant = inv;
	s.teardown = sweep_teardown;
	s.ctx = &c;
	s.max_iterations = 500;
	n = fault_sweep_run(&s);
	printf("fault sweep %s%s: %u failure point(s)\n", name, persistent ? " (persistent)" : "",
	       n);
	return n;
}

START_TEST(test_sweep_create_vcpu)
{
	run_sweep("CREATE_VCPU", false, create_setup, create_flow, create_undo, create_invariant);
	run_sweep("CREATE_VCPU", true, create_setup, create_flow, create_undo, create_invariant);
}
END_TEST

/* PVALIDATE of three free pages. */
static void pval_setup(void *opaque)
{
	struct sweep_ctx *c = opaque;

	sweep_start(c, 3);
	sweep_snapshot(c);
}

static int pval_flow(void *opaque)
{
	struct sweep_ctx *c = opaque;
	uint64_t e[3];
	unsigned int i;

	for (i = 0; i < 3; i++)
		e[i] = ct_pv(c->pages[i], 0, true, false);
	c->next = 0xffff;
	return sweep_result("PVALIDATE", ct_pvalidate(e, 3, 0, &c->next));
}

static bool pval_invariant(void *opaque, char *why, size_t len)
{
	struct sweep_ctx *c = opaque;
	unsigned int i;

	/* Entries before `next` were done (the list reports its progress). */
	if (c->next > 3) {
		snprintf(why, len, "next = %u after a failed 3-entry list", c->next);
		return false;
	}
	for (i = 0; i < c->next; i++) {
		if (!ct_guest_owned(c->pages[i])) {
			snprintf(why, len, "entry %u before next %u not validated", i, c->next);
			return false;
		}
	}
	return sweep_unchanged(c, c->next, why, len);
}

START_TEST(test_sweep_pvalidate)
{
	run_sweep("PVALIDATE", false, pval_setup, pval_flow, NULL, pval_invariant);
	run_sweep("PVALIDATE", true, pval_setup, pval_flow, NULL, pval_invariant);
}
END_TEST

/* REMAP_CA to a validated page. */
static void remap_setup(void *opaque)
{
	struct sweep_ctx *c = opaque;

	sweep_start(c, 1);
	ct_validate(c->pages[0]);
	sweep_snapshot(c);
}

static int remap_flow(void *opaque)
{
	struct sweep_ctx *c = opaque;

	return sweep_result("REMAP_CA", ct_core(0, SVSM_CORE_REMAP_CA, c->pages[0], 0, 0));
}

static void remap_undo(void *opaque)
{
	(void)opaque;
	ck_assert(ct_vcpu_works(0));
}

static bool remap_invariant(void *opaque, char *why, size_t len)
{
	struct sweep_ctx *c = opaque;
	uint8_t one = 1, b = 0;

	if (!sweep_unchanged(c, 0, why, len))
		return false;
	/* Still on the boot CA: a stray call_pending in the other page is not seen. */
	if (ct_write(c->pages[0], &one, 1) != CSVSM_SIM_ACCESS_OK || !ct_vcpu_works(0) ||
	    ct_read_byte(c->pages[0], &b) != CSVSM_SIM_ACCESS_OK || b != 1) {
		snprintf(why, len, "the failed REMAP_CA moved the CA");
		return false;
	}
	return true;
}

START_TEST(test_sweep_remap_ca)
{
	run_sweep("REMAP_CA", false, remap_setup, remap_flow, remap_undo, remap_invariant);
	run_sweep("REMAP_CA", true, remap_setup, remap_flow, remap_undo, remap_invariant);
}
END_TEST

Suite *core_fault_suite(void)
{
	Suite *s = suite_create("core_fault");
	TCase *tc;

	tc = tcase_create("alloc_sweeps");
	tcase_set_timeout(tc, CT_TIMEOUT);
	tcase_add_test(tc, test_sweep_create_vcpu);
	tcase_add_test(tc, test_sweep_pvalidate);
	tcase_add_test(tc, test_sweep_remap_ca);
	suite_add_tcase(s, tc);
	return s;
}
