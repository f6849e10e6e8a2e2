/* SPDX-License-Identifier: MIT */
/*
 * Harness-level tests of the simulated machine: the guest's GHCB MSR
 * protocol (GHCB spec 56421 v2, abi 3.1), a lying hypervisor at boot, and
 * the trace (ordering, determinism, formats).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvsm/sim.h"

#define RAX_QUERY ((0ull << 32) | 6)

START_TEST(test_msr_sev_info_and_features)
{
	struct csvsm_sim *sim = csvsm_sim_new(NULL);
	uint64_t info, ft;

	ck_assert_ptr_nonnull(sim);
	info = csvsm_sim_guest_msr(sim, 0, 0x002);
	ck_assert_uint_eq(info & 0xfff, 0x001);
	ck_assert_uint_ge((info >> 48) & 0xffff, 2); /* max protocol >= 2 */
	ck_assert_uint_le((info >> 32) & 0xffff, 2); /* min protocol <= 2 */
	ft = csvsm_sim_guest_msr(sim, 0, 0x080);
	ck_assert_uint_eq(ft & 0xfff, 0x081);
	/* SNP (bit 0), AP creation (bit 1), multi-VMPL (bit 5) in GHCBData. */
	ck_assert_uint_eq((ft >> 12) & 0x23, 0x23);
	csvsm_sim_free(sim);
}
END_TEST

START_TEST(test_msr_register_ghcb)
{
	struct csvsm_sim *sim = csvsm_sim_new(NULL);
	uint64_t gfn = 0x345;
	uint64_t rsp = csvsm_sim_guest_msr(sim, 1, (gfn << 12) | 0x012);

	ck_assert_uint_eq(rsp, (gfn << 12) | 0x013);
	ck_assert_uint_eq(csvsm_sim_guest_msr(sim, 0, 0x999), 0); /* unknown request */
	csvsm_sim_free(sim);
}
END_TEST

START_TEST(test_msr_page_state_change)
{
	struct csvsm_sim *sim = csvsm_sim_new(NULL);
	struct csvsm_sim_layout l;
	struct csvsm_sim_rmp_entry e;
	uint64_t gfn, rsp;

	csvsm_sim_layout(sim, &l);
	gfn = l.free_ram_base >> 12;
	/* Shared (op 2): the page leaves the guest's private memory. */
	rsp = csvsm_sim_guest_msr(sim, 0, (2ull << 52) | (gfn << 12) | 0x014);
	ck_assert_uint_eq(rsp, 0x015);
	ck_assert_int_eq(csvsm_sim_rmp_query(sim, gfn << 12, &e), 0);
	ck_assert(!e.assigned);
	/* Private (op 1): assigned again, not validated. */
	rsp = csvsm_sim_guest_msr(sim, 0, (1ull << 52) | (gfn << 12) | 0x014);
	ck_assert_uint_eq(rsp, 0x015);
	ck_assert_int_eq(csvsm_sim_rmp_query(sim, gfn << 12, &e), 0);
	ck_assert(e.assigned && !e.validated);
	/* An undefined operation is an error in bits 63:32. */
	rsp = csvsm_sim_guest_msr(sim, 0, (7ull << 52) | (gfn << 12) | 0x014);
	ck_assert_uint_eq(rsp & 0xfff, 0x015);
	ck_assert_uint_ne(rsp >> 32, 0);
	/* SVSM memory is not the guest's to convert. */
	rsp = csvsm_sim_guest_msr(sim, 0, (2ull << 52) | ((l.svsm_base >> 12) << 12) | 0x014);
	ck_assert_uint_ne(rsp >> 32, 0);
	csvsm_sim_free(sim);
}
END_TEST

START_TEST(test_msr_terminate)
{
	struct csvsm_sim *sim = csvsm_sim_new(NULL);
	struct csvsm_regs r = {.rax = RAX_QUERY, .rcx = 1};
	unsigned int set, reason;

	ck_assert_int_eq(csvsm_sim_call(sim, 0, &r), 0);
	ck_assert(!csvsm_sim_terminated(sim, NULL, NULL));
	/* Set 1, reason 7 (Linux: NO_SVSM) in bits 15:12 and 23:16. */
	csvsm_sim_guest_msr(sim, 0, (7ull << 16) | (1ull << 12) | 0x100);
	ck_assert(csvsm_sim_terminated(sim, &set, &reason));
	ck_assert_uint_eq(set, 1);
	ck_assert_uint_eq(reason, 7);
	ck_assert_int_eq(csvsm_sim_call(sim, 0, &r), -1);
	csvsm_sim_free(sim);
}
END_TEST

START_TEST(test_boot_refuses_old_ghcb_protocol)
{
	struct csvsm_sim_config cfg;

	csvsm_sim_config_default(&cfg);
	/* A hypervisor offering GHCB protocol 1 only (max = min = 1). */
	cfg.hv_sev_info = (1ull << 48) | (1ull << 32) | (51ull << 24) | 0x001;
	ck_assert_ptr_null(csvsm_sim_new(&cfg));
	/* A garbage answer. */
	cfg.hv_sev_info = 0xdead0000;
	ck_assert_ptr_null(csvsm_sim_new(&cfg));
}
END_TEST

START_TEST(test_boot_refuses_missing_features)
{
	struct csvsm_sim_config cfg;

	csvsm_sim_config_default(&cfg);
	/* SNP and AP creation but no multi-VMPL support. */
	cfg.hv_features = (0x3ull << 12) | 0x081;
	ck_assert_ptr_null(csvsm_sim_new(&cfg));
	/* The wrong response code. */
	cfg.hv_features = (0x23ull << 12) | 0x017;
	ck_assert_ptr_null(csvsm_sim_new(&cfg));
	/* The honest answer boots. */
	cfg.hv_features = (0x23ull << 12) | 0x081;
	{
		struct csvsm_sim *sim = csvsm_sim_new(&cfg);

		ck_assert_ptr_nonnull(sim);
		csvsm_sim_free(sim);
	}
}
END_TEST

START_TEST(test_invalid_configs)
{
	struct csvsm_sim_config cfg;

	csvsm_sim_config_default(&cfg);
	cfg.vcpu_count = 0;
	ck_assert_ptr_null(csvsm_sim_new(&cfg));
	csvsm_sim_config_default(&cfg);
	cfg.guest_vmpl = 0;
	ck_assert_ptr_null(csvsm_sim_new(&cfg));
	csvsm_sim_config_default(&cfg);
	cfg.guest_ram_size = (3ull << 20); /* not a multiple of 2 MiB */
	ck_assert_ptr_null(csvsm_sim_new(&cfg));
}
END_TEST

START_TEST(test_one_simulator_per_process)
{
	struct csvsm_sim *a = csvsm_sim_new(NULL);

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_null(csvsm_sim_new(NULL));
	csvsm_sim_free(a);
	a = csvsm_sim_new(NULL);
	ck_assert_ptr_nonnull(a);
	csvsm_sim_free(a);
}
END_TEST

struct text_log {
	char *buf;
	size_t len, cap;
	unsigned int events;
	uint64_t last_seq;
	bool ordered;
};

static void log_event(void *ctx, const struct csvsm_sim_event *ev)
{
	struct text_log *log = ctx;
	char line[512];
	int n = csvsm_sim_event_format(ev, CSVSM_SIM_FORMAT_JSON, line, sizeof(line));

	if (ev->seq != log->last_seq + 1)
		log->ordered = false;
	log->last_seq = ev->seq;
	log->events++;
	if (n < 0 || (size_t)n >= sizeof(line))
		ck_abort_msg("event line too long");
	if (log->len + (size_t)n + 2 > log->cap) {
		log->cap = (log->cap + (size_t)n + 2) * 2;
		log->buf = realloc(log->buf, log->cap);
	}
	memcpy(log->buf + log->len, line, (size_t)n);
	log->len += (size_t)n;
	log->buf[log->len++] = '\n';
	log->buf[log->len] = 0;
}

static void traced_run(struct text_log *log)
{
	struct csvsm_sim_config cfg;
	struct csvsm_sim *sim;
	struct csvsm_sim_layout l;
	uint64_t list[2];
	struct csvsm_regs r = {.rax = RAX_QUERY, .rcx = 1};

	memset(log, 0, sizeof(*log));
	log->ordered = true;
	csvsm_sim_config_default(&cfg);
	cfg.trace = log_event;
	cfg.trace_ctx = log;
	sim = csvsm_sim_new(&cfg);
	ck_assert_ptr_nonnull(sim);
	csvsm_sim_layout(sim, &l);
	ck_assert_int_eq(csvsm_sim_call(sim, 0, &r), 0);
	list[0] = 1;
	list[1] = l.free_ram_base | 4;
	ck_assert_int_eq(csvsm_sim_guest_write(sim, l.boot_caa_gpa + 8, list, sizeof(list)), 0);
	r = (struct csvsm_regs){.rax = 1, .rcx = l.boot_caa_gpa + 8};
	ck_assert_int_eq(csvsm_sim_call(sim, 0, &r), 0);
	ck_assert_uint_eq(r.rax, 0);
	ck_assert_int_eq(csvsm_sim_guest_read(sim, l.svsm_base, list, 8), CSVSM_SIM_ACCESS_NPF);
	csvsm_sim_free(sim);
}

START_TEST(test_trace_is_deterministic_and_ordered)
{
	struct text_log a, b;

	traced_run(&a);
	traced_run(&b);
	ck_assert(a.ordered);
	ck_assert_uint_gt(a.events, 10);
	ck_assert_uint_eq(a.len, b.len);
	ck_assert(memcmp(a.buf, b.buf, a.len) == 0);
	/* Boot first; then the arrows of a call, in order. */
	ck_assert_ptr_nonnull(strstr(a.buf, "\"type\":\"boot\""));
	ck_assert(strstr(a.buf, "\"type\":\"boot\"") <
	          strstr(a.buf, "\"call\":\"core.query_protocol\""));
	ck_assert_ptr_nonnull(strstr(a.buf, "\"type\":\"pvalidate\""));
	ck_assert_ptr_nonnull(strstr(a.buf, "\"result\":\"SVSM_SUCCESS\""));
	ck_assert_ptr_nonnull(strstr(a.buf, "\"type\":\"npf\""));
	free(a.buf);
	free(b.buf);
}
END_TEST

START_TEST(test_event_text_format)
{
	struct csvsm_sim_event ev = {
	    .seq = 7,
	    .time_ns = 1500,
	    .vcpu = 1,
	    .vmpl = 2,
	    .type = CSVSM_EV_CALL,
	    .a = {1, 0x101008, 0, 0, 0, 0},
	};
	char buf[256];

	csvsm_sim_event_format(&ev, CSVSM_SIM_FORMAT_TEXT, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "core.pvalidate"));
	ck_assert_ptr_nonnull(strstr(buf, "rcx=0x101008"));
	ck_assert_ptr_nonnull(strstr(buf, "vcpu1"));
	ev.type = CSVSM_EV_RESULT;
	ev.a[0] = 0x80000003;
	csvsm_sim_event_format(&ev, CSVSM_SIM_FORMAT_TEXT, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "SVSM_ERR_INVALID_ADDRESS"));
	/* Truncation keeps the snprintf contract. */
	ck_assert_int_gt(csvsm_sim_event_format(&ev, CSVSM_SIM_FORMAT_JSON, buf, 8), 8);
	ck_assert_uint_eq(strlen(buf), 7);
	ck_assert_str_eq(csvsm_sim_event_name(CSVSM_EV_VMGEXIT), "vmgexit");
	ck_assert_str_eq(csvsm_sim_event_name((enum csvsm_sim_event_type)999), "?");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sim");
	TCase *msr = tcase_create("ghcb_msr");
	TCase *boot = tcase_create("boot");
	TCase *trace = tcase_create("trace");
	SRunner *sr;
	int failed;

	tcase_add_test(msr, test_msr_sev_info_and_features);
	tcase_add_test(msr, test_msr_register_ghcb);
	tcase_add_test(msr, test_msr_page_state_change);
	tcase_add_test(msr, test_msr_terminate);
	tcase_add_test(boot, test_boot_refuses_old_ghcb_protocol);
	tcase_add_test(boot, test_boot_refuses_missing_features);
	tcase_add_test(boot, test_invalid_configs);
	tcase_add_test(boot, test_one_simulator_per_process);
	tcase_add_test(trace, test_trace_is_deterministic_and_ordered);
	tcase_add_test(trace, test_event_text_format);
	suite_add_tcase(s, msr);
	suite_add_tcase(s, boot);
	suite_add_tcase(s, trace);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
