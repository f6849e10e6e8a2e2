/* SPDX-License-Identifier: MIT */
/*
 * The runner's side of the image's paravirtual SNP services
 * (sim/kvm/snp_pv.c, csvsm/abi/kvm_snp.h), without KVM: registers in,
 * registers out, on the machine model of a booted shim. Expected values
 * come from the RMP rules (abi 4; sim/machine/rmp.h): validating a page
 * assigned to the guest succeeds, a second time it succeeds with CF set;
 * a bad page size is FAIL_INPUT; an access to a page that is not validated
 * is a #VC, to memory beyond the guest's a #NPF.
 */
#include <check.h>
#include <string.h>

#include "csvsm/abi/kvm_snp.h"
#include "csvsm/error.h"
#include "kvm/snp_pv.h"
#include "machine.h"

static struct csvsm_sim *sim;
static struct csvsm_sim_layout lay;
static struct plat_boot_info launch;

static void setup(void)
{
	sim = csvsm_sim_new(NULL);
	ck_assert_ptr_nonnull(sim);
	csvsm_sim_layout(sim, &lay);
	memset(&launch, 0, sizeof(launch));
	launch.svsm_base = lay.svsm_base;
	launch.svsm_size = lay.svsm_size;
	launch.vcpu_count = lay.vcpu_count;
	launch.guest_vmpl = lay.guest_vmpl;
}

static void teardown(void)
{
	csvsm_sim_free(sim);
}

static int64_t req(uint32_t what, uint64_t rdi, uint64_t rsi, uint64_t rdx, uint64_t *rsi_out)
{
	struct kvm_regs r = {.rdi = rdi, .rsi = rsi, .rdx = rdx, .rax = 0xdead};

	ck_assert_int_eq(snp_pv_request(&sim->snp, &launch, 1, what, &r), 0);
	if (rsi_out)
		*rsi_out = r.rsi;
	return (int64_t)r.rax;
}

/* A free guest RAM page the launch left assigned and not validated. */
static uint64_t free_page(void)
{
	return lay.free_ram_base + 0x10000;
}

START_TEST(test_boot_info)
{
	/* A page of SVSM memory the shim's layout leaves unused (after the boot VMSA). */
	uint64_t page = lay.svsm_base + 0x2000;
	struct plat_boot_info got;

	ck_assert_int_eq(req(KVMSNP_REQ_BOOT_INFO, page, 0, 0, NULL), 0);
	memcpy(&got, sim->mem + page, sizeof(got));
	ck_assert_uint_eq(got.svsm_base, lay.svsm_base);
	ck_assert_uint_eq(got.vcpu_count, lay.vcpu_count);
	/* Only into SVSM memory, page aligned. */
	ck_assert_int_eq(req(KVMSNP_REQ_BOOT_INFO, free_page(), 0, 0, NULL), -CSVSM_EINVAL);
	ck_assert_int_eq(req(KVMSNP_REQ_BOOT_INFO, page + 8, 0, 0, NULL), -CSVSM_EINVAL);
	ck_assert_int_eq(req(KVMSNP_REQ_BOOT_INFO, lay.svsm_base + lay.svsm_size, 0, 0, NULL),
	                 -CSVSM_EINVAL);
}
END_TEST

START_TEST(test_vcpu_index)
{
	ck_assert_int_eq(req(KVMSNP_REQ_VCPU_INDEX, 0, 0, 0, NULL), 1);
}
END_TEST

START_TEST(test_pvalidate_rmpadjust)
{
	uint64_t gpa = free_page(), cf = 7;
	struct csvsm_sim_rmp_entry e;

	ck_assert_int_eq(req(KVMSNP_REQ_PVALIDATE, gpa, 0, 1, &cf), RMP_SUCCESS);
	ck_assert_uint_eq(cf, 0);
	ck_assert_int_eq(req(KVMSNP_REQ_PVALIDATE, gpa, 0, 1, &cf), RMP_SUCCESS);
	ck_assert_uint_eq(cf, 1); /* already validated: nothing changed */
	ck_assert_int_eq(req(KVMSNP_REQ_PVALIDATE, gpa, 7, 1, &cf), RMP_FAIL_INPUT);
	ck_assert_int_eq(req(KVMSNP_REQ_PVALIDATE, gpa + 8, 0, 1, &cf), RMP_FAIL_INPUT);
	/* Grant the guest VMPL read/write/execute: its accesses are allowed now. */
	ck_assert_int_eq(req(KVMSNP_REQ_RMPADJUST, gpa, 0,
	                     RMPADJUST_TARGET_VMPL(lay.guest_vmpl) | RMPADJUST_PERM_RWX, NULL),
	                 RMP_SUCCESS);
	ck_assert_int_eq(csvsm_sim_rmp_query(sim, gpa, &e), 0);
	ck_assert(e.validated);
	ck_assert_uint_eq(e.perms[lay.guest_vmpl], 0xf);
	ck_assert_int_eq(req(KVMSNP_REQ_RMPADJUST, gpa, 9, 0, NULL), RMP_FAIL_INPUT);
}
END_TEST

START_TEST(test_access)
{
	uint64_t gpa = free_page();
	struct csvsm_sim_stats before, after;

	csvsm_sim_stats(sim, &before);
	ck_assert_int_eq(req(KVMSNP_REQ_ACCESS, gpa, 8, 1, NULL), CSVSM_SIM_ACCESS_VC);
	ck_assert_int_eq(req(KVMSNP_REQ_ACCESS, lay.svsm_base + lay.svsm_size, 8, 2, NULL),
	                 CSVSM_SIM_ACCESS_NPF);
	csvsm_sim_stats(sim, &after);
	ck_assert_uint_eq(after.vc_events, before.vc_events + 1);
	ck_assert_uint_eq(after.npf_events, before.npf_events + 1);
	/* SVSM memory is VMPL0's. */
	ck_assert_int_eq(req(KVMSNP_REQ_ACCESS, lay.svsm_base, 8, 3, NULL), CSVSM_SIM_ACCESS_OK);
	/* Malformed: no length, wrapping, unknown access bits. */
	ck_assert_int_eq(req(KVMSNP_REQ_ACCESS, gpa, 0, 1, NULL), CSVSM_SIM_ACCESS_NPF);
	ck_assert_int_eq(req(KVMSNP_REQ_ACCESS, ~0ull, 2, 1, NULL), CSVSM_SIM_ACCESS_NPF);
	ck_assert_int_eq(req(KVMSNP_REQ_ACCESS, gpa, 8, 4, NULL), CSVSM_SIM_ACCESS_NPF);
}
END_TEST

START_TEST(test_unknown_request)
{
	struct kvm_regs r = {0};

	ck_assert_int_eq(snp_pv_request(&sim->snp, &launch, 0, 99, &r), -1);
}
END_TEST

/* A second host of the model in the same program, as the KVM runner will be. */
struct own_host {
	struct sim_snp m; /* first: the hooks get back to the host from it */
	unsigned int events[CSVSM_EV_HV_ACTION + 1];
	uint64_t dirty_gpa, dirty_len;
};

static void own_event(struct sim_snp *m, enum csvsm_sim_event_type type, uint64_t a0, uint64_t a1,
                      uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	(void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	((struct own_host *)(void *)m)->events[type]++;
}

static void own_dirty(struct sim_snp *m, uint64_t gpa, uint64_t len)
{
	((struct own_host *)(void *)m)->dirty_gpa = gpa;
	((struct own_host *)(void *)m)->dirty_len = len;
}

START_TEST(test_second_host)
{
	static const struct sim_snp_host_ops ops = {.event = own_event, .dirty = own_dirty};
	const uint64_t limit = 4u << 20, ram = 2u << 20;
	static uint8_t mem[4u << 20];
	struct sim_rmp *rmp = sim_rmp_new(limit);
	struct own_host h;
	struct kvm_regs r = {0};

	ck_assert_ptr_nonnull(rmp);
	memset(&h, 0, sizeof(h));
	sim_snp_init(&h.m, &ops, rmp, mem, limit, ram, 1, 2);
	ck_assert_int_eq(sim_rmp_update(rmp, 0x1000, RMP_PAGE_4K, true), 0);
	r.rdi = 0x1000;
	r.rdx = 1;
	ck_assert_int_eq(snp_pv_request(&h.m, &launch, 0, KVMSNP_REQ_PVALIDATE, &r), 0);
	ck_assert_int_eq((int64_t)r.rax, RMP_SUCCESS);
	ck_assert_uint_eq(h.events[CSVSM_EV_PVALIDATE], 1);
	/* Not assigned: #NPF, reported through this host's hook. */
	r = (struct kvm_regs){.rdi = 0x5000, .rsi = 8, .rdx = 1};
	ck_assert_int_eq(snp_pv_request(&h.m, &launch, 0, KVMSNP_REQ_ACCESS, &r), 0);
	ck_assert_uint_eq(r.rax, CSVSM_SIM_ACCESS_NPF);
	ck_assert_uint_eq(h.events[CSVSM_EV_NPF], 1);
	r = (struct kvm_regs){.rdi = ram + 0x3000};
	ck_assert_int_eq(snp_pv_request(&h.m, &launch, 0, KVMSNP_REQ_BOOT_INFO, &r), 0);
	ck_assert_uint_eq(r.rax, 0);
	ck_assert_uint_eq(h.dirty_gpa, ram + 0x3000);
	ck_assert_uint_eq(h.dirty_len, PAGE_SIZE);
	sim_rmp_free(rmp);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("snp_pv");
	TCase *tc = tcase_create("requests");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_boot_info);
	tcase_add_test(tc, test_vcpu_index);
	tcase_add_test(tc, test_pvalidate_rmpadjust);
	tcase_add_test(tc, test_access);
	tcase_add_test(tc, test_unknown_request);
	tcase_add_test(tc, test_second_host);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
