/* SPDX-License-Identifier: MIT */
/*
 * Keeps the core-protocol fuzz target alive in the test suite: replays the
 * seed corpus (fixtures/corpus/core) and a bounded generated run through
 * the same harness as libFuzzer, checks that the committed seeds are the
 * built-in ones, and tests the snapshot the harness resets from
 * (csvsm/sim_snapshot.h): a restore gives back the very machine state,
 * whatever the input did, with or without rebuilding the core.
 */
#include <check.h>
#include <dirent.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvsm/abi/svsm.h"
#include "csvsm/abi/vmsa.h"
#include "csvsm/mm.h"
#include "csvsm/sim.h"
#include "csvsm/sim_snapshot.h"
#include "fuzz_core.h"

#ifndef FUZZ_CORE_CORPUS_DIR
#error "FUZZ_CORE_CORPUS_DIR must name fixtures/corpus/core"
#endif

#define MAX_FILE      (1u << 16)
#define RANDOM_INPUTS 2000
#define PAGE          4096ull

/* Reads `path` into `buf`; returns its length (fails the test on error). */
static size_t read_file(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	n = fread(buf, 1, cap, f);
	ck_assert_msg(n < cap, "%s is larger than %zu bytes", path, cap);
	fclose(f);
	return n;
}

/* Calls fn(name, data, size, ctx) for every regular file of the corpus; returns the count. */
static unsigned int for_each_corpus_file(void (*fn)(const char *, const uint8_t *, size_t, void *),
                                         void *ctx)
{
	static uint8_t buf[MAX_FILE];
	struct dirent **names;
	unsigned int files = 0;
	int count = scandir(FUZZ_CORE_CORPUS_DIR, &names, NULL, alphasort);

	ck_assert_msg(count >= 0, "cannot list %s", FUZZ_CORE_CORPUS_DIR);
	for (int i = 0; i < count; i++) {
		char path[4096];

		if (names[i]->d_name[0] != '.' && strcmp(names[i]->d_name, "README") != 0) {
			snprintf(path, sizeof(path), "%s/%s", FUZZ_CORE_CORPUS_DIR,
			         names[i]->d_name);
			fn(names[i]->d_name, buf, read_file(path, buf, sizeof(buf)), ctx);
			files++;
		}
		free(names[i]);
	}
	free(names);
	return files;
}

static void replay_one(const char *name, const uint8_t *data, size_t size, void *ctx)
{
	char why[512];

	(void)ctx;
	if (fuzz_core_run(data, size, why, sizeof(why)) != 0)
		ck_abort_msg("corpus %s: %s", name, why);
}

/* Every corpus entry keeps every invariant, with the thorough end-of-input scan. */
START_TEST(test_corpus_replay)
{
	struct fuzz_core_config cfg = {.exact_reset = false, .thorough = true};
	struct fuzz_core_stats st;
	unsigned int files;

	ck_assert_int_eq(fuzz_core_init(&cfg), 0);
	files = for_each_corpus_file(replay_one, NULL);
	ck_assert_uint_ge(files, fuzz_core_seed_count());
	fuzz_core_get_stats(&st);
	ck_assert_uint_eq(st.inputs, files);
	/* The seeds reach the deep paths: validated pages checked, a second vCPU. */
	ck_assert_uint_gt(st.pvalidate_ok, 5);
	ck_assert_uint_ge(st.vcpus_created, 2);
	ck_assert_uint_ge(st.vcpus_deleted, 1);
	ck_assert_uint_gt(st.hv_actions, 2);
	fuzz_core_fini();
}
END_TEST

/* The committed seed files are the built-in seeds byte for byte (the format did not drift). */
START_TEST(test_seeds_committed)
{
	static uint8_t want[FUZZ_CORE_GEN_MAX], have[MAX_FILE];

	for (unsigned int i = 0; i < fuzz_core_seed_count(); i++) {
		const char *name;
		size_t n = fuzz_core_seed(i, &name, want, sizeof(want));
		char path[4096];
		size_t m;

		snprintf(path, sizeof(path), "%s/%s", FUZZ_CORE_CORPUS_DIR, name);
		m = read_file(path, have, sizeof(have));
		ck_assert_msg(
		    m == n && memcmp(want, have, n) == 0,
		    "%s differs from the built-in seed: run fuzz-core-replay --write-seeds", path);
	}
}
END_TEST

/* A bounded generated run (fixed seed), once with fast and once with exact resets. */
static void random_run(bool exact, uint64_t seed, unsigned int count)
{
	static uint8_t buf[FUZZ_CORE_GEN_MAX];
	struct fuzz_core_config cfg = {.exact_reset = exact, .thorough = false};
	uint64_t state = seed;
	char why[512];

	ck_assert_int_eq(fuzz_core_init(&cfg), 0);
	for (unsigned int i = 0; i < count; i++) {
		size_t n = fuzz_core_generate(&state, buf, sizeof(buf));

		if (fuzz_core_run(buf, n, why, sizeof(why)) != 0)
			ck_abort_msg("generated input %u (seed %" PRIu64 "): %s", i, seed, why);
	}
	fuzz_core_fini();
}

START_TEST(test_random_fast)
{
	random_run(false, 20240601, RANDOM_INPUTS);
}
END_TEST

START_TEST(test_random_exact)
{
	random_run(true, 7, RANDOM_INPUTS / 10);
}
END_TEST

/* ---- Every input starts from the same state ---- */

#define SAME_START_GENERATED 150
#define SAME_START_MAX       (SAME_START_GENERATED + 256)

/* The inputs: the corpus files and generated ones. */
static struct {
	uint8_t *data[SAME_START_MAX];
	size_t size[SAME_START_MAX];
	unsigned int count;
} ss_inputs;

/* What one run of an input gave: its status, reason and trace digest. */
struct ss_outcome {
	int rc;
	char why[512];
	uint64_t trace;
	uint64_t events;
};

static void ss_add(const uint8_t *data, size_t size)
{
	ck_assert_uint_lt(ss_inputs.count, SAME_START_MAX);
	ss_inputs.data[ss_inputs.count] = malloc(size ? size : 1);
	ck_assert_ptr_nonnull(ss_inputs.data[ss_inputs.count]);
	memcpy(ss_inputs.data[ss_inputs.count], data, size);
	ss_inputs.size[ss_inputs.count++] = size;
}

static void ss_add_file(const char *name, const uint8_t *data, size_t size, void *ctx)
{
	(void)name;
	(void)ctx;
	ss_add(data, size);
}

/* The trace sink: every event's text line into an FNV-1a digest. */
static void ss_trace(void *ctx, const struct csvsm_sim_event *ev)
{
	struct ss_outcome *o = ctx;
	char line[512];
	int n = csvsm_sim_event_format(ev, CSVSM_SIM_FORMAT_TEXT, line, sizeof(line));

	for (int i = 0; i < n && i < (int)sizeof(line); i++)
		o->trace = (o->trace ^ (uint8_t)line[i]) * 0x100000001b3ull;
	o->trace = (o->trace ^ '\n') * 0x100000001b3ull;
	o->events++;
}

static struct ss_outcome ss_current;

static void ss_run(unsigned int i, struct ss_outcome *out)
{
	memset(&ss_current, 0, sizeof(ss_current));
	ss_current.trace = 0xcbf29ce484222325ull;
	ss_current.rc = fuzz_core_run(ss_inputs.data[i], ss_inputs.size[i], ss_current.why,
	                              sizeof(ss_current.why));
	*out = ss_current;
}

static void ss_expect(unsigned int i, const struct ss_outcome *got, const struct ss_outcome *want,
                      const char *how)
{
	ck_assert_msg(got->rc == want->rc && strcmp(got->why, want->why) == 0 &&
	                  got->trace == want->trace && got->events == want->events,
	              "input %u %s: rc %d, %" PRIu64 " events, trace %016" PRIx64
	              " (%s); from a fresh machine: rc %d, %" PRIu64 " events, trace %016" PRIx64
	              " (%s)",
	              i, how, got->rc, got->events, got->trace, got->why, want->rc, want->events,
	              want->trace, want->why);
}

/*
 * Every input gives the same result and the same trace, event for event,
 * whatever ran before it: on a machine rebuilt for it (exact resets, each
 * input after a new boot), after every other input in forward and reverse
 * order with the fast reset, and as A, B, A (the second A after B).
 */
START_TEST(test_same_start)
{
	static struct ss_outcome fresh[SAME_START_MAX];
	struct fuzz_core_config cfg = {.trace = ss_trace, .trace_ctx = &ss_current};
	static uint8_t buf[FUZZ_CORE_GEN_MAX];
	uint64_t state = 99;
	struct ss_outcome o;
	unsigned int n, with_events = 0;
	uint64_t events = 0;

	for_each_corpus_file(ss_add_file, NULL);
	for (unsigned int i = 0; i < SAME_START_GENERATED; i++)
		ss_add(buf, fuzz_core_generate(&state, buf, sizeof(buf)));
	n = ss_inputs.count;

	cfg.exact_reset = true;
	ck_assert_int_eq(fuzz_core_init(&cfg), 0);
	/* The trace is on: most inputs have events (one that only writes may have none). */
	for (unsigned int i = 0; i < n; i++) {
		ss_run(i, &fresh[i]);
		events += fresh[i].events;
		with_events += fresh[i].events > 0;
	}
	ck_assert_uint_gt(events, 0);
	ck_assert_uint_gt(with_events, n / 2);
	fuzz_core_fini();

	cfg.exact_reset = false;
	ck_assert_int_eq(fuzz_core_init(&cfg), 0);
	for (unsigned int i = 0; i < n; i++) {
		ss_run(i, &o);
		ss_expect(i, &o, &fresh[i], "after the previous input");
	}
	for (unsigned int i = n; i-- > 0;) {
		ss_run(i, &o);
		ss_expect(i, &o, &fresh[i], "in reverse order");
	}
	for (unsigned int i = 0; i < n; i++) {
		ss_run(i, &o);
		ss_expect(i, &o, &fresh[i], "as A");
		ss_run((i + 7) % n, &o);
		ss_expect((i + 7) % n, &o, &fresh[(i + 7) % n], "as B");
		ss_run(i, &o);
		ss_expect(i, &o, &fresh[i], "as A after B");
	}
	fuzz_core_fini();
	for (unsigned int i = 0; i < n; i++)
		free(ss_inputs.data[i]);
	ss_inputs.count = 0;
}
END_TEST

/* ---- The snapshot (csvsm/sim_snapshot.h) ---- */

static struct csvsm_sim *small_sim(void)
{
	struct csvsm_sim_config c;
	struct csvsm_sim *sim;

	csvsm_sim_config_default(&c);
	c.guest_ram_size = 8ull << 20;
	c.svsm_size = 4ull << 20;
	c.vcpu_count = 2;
	sim = csvsm_sim_new(&c);
	ck_assert_ptr_nonnull(sim);
	return sim;
}

/* FNV-1a over a buffer, chained. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

/*
 * A digest of everything the guest can observe: every RMP entry, the
 * contents of every page the guest may read, the counters and a QUERY
 * result. Pages the guest cannot read count by their access outcome.
 */
static uint64_t machine_digest(struct csvsm_sim *sim)
{
	static uint8_t page[PAGE];
	struct csvsm_sim_layout lay;
	struct csvsm_sim_stats st;
	uint64_t h = 0xcbf29ce484222325ull;

	csvsm_sim_layout(sim, &lay);
	csvsm_sim_stats(sim, &st);
	h = fnv(h, &st, sizeof(st));
	for (uint64_t gpa = 0; gpa < lay.svsm_base + lay.svsm_size; gpa += PAGE) {
		struct csvsm_sim_rmp_entry e;
		int r;

		memset(&e, 0, sizeof(e));
		ck_assert_int_eq(csvsm_sim_rmp_query(sim, gpa, &e), 0);
		h = fnv(h, &e, sizeof(e));
		r = csvsm_sim_guest_read(sim, gpa, page, sizeof(page));
		h = fnv(h, &r, sizeof(r));
		if (r == CSVSM_SIM_ACCESS_OK)
			h = fnv(h, page, sizeof(page));
	}
	return h;
}

/* Taking a snapshot is refused once the SVSM has served a call. */
START_TEST(test_snapshot_only_before_calls)
{
	struct csvsm_sim *sim = small_sim();
	struct csvsm_regs io = {.rax = SVSM_RAX(SVSM_PROTO_CORE, SVSM_CORE_QUERY_PROTOCOL)};

	ck_assert_int_eq(csvsm_sim_snapshot_restore(sim, 0), -1);
	ck_assert_int_eq(csvsm_sim_call(sim, 0, &io), 0);
	ck_assert_int_eq(csvsm_sim_snapshot_take(sim), -1);
	csvsm_sim_free(sim);
}
END_TEST

/* Writes a PVALIDATE list (validate each page) at the boot CA + 8 and calls it. */
static void pvalidate_pages(struct csvsm_sim *sim, const uint64_t *pages, unsigned int n)
{
	struct csvsm_sim_layout lay;
	struct svsm_pvalidate_hdr hdr = {.entries = (uint16_t)n, .next = 0, .reserved = 0};
	struct csvsm_regs io;

	csvsm_sim_layout(sim, &lay);
	ck_assert_int_eq(csvsm_sim_guest_write(sim, lay.boot_caa_gpa + 8, &hdr, sizeof(hdr)), 0);
	for (unsigned int i = 0; i < n; i++) {
		uint64_t e = pages[i] | SVSM_PVAL_VALIDATE;

		ck_assert_int_eq(csvsm_sim_guest_write(sim, lay.boot_caa_gpa + 16 + 8 * i, &e, 8),
		                 0);
	}
	memset(&io, 0, sizeof(io));
	io.rax = SVSM_RAX(SVSM_PROTO_CORE, SVSM_CORE_PVALIDATE);
	io.rcx = lay.boot_caa_gpa + 8;
	ck_assert_int_eq(csvsm_sim_call(sim, 0, &io), 0);
	ck_assert_uint_eq(io.rax, SVSM_SUCCESS);
}

/*
 * What an input does to a machine, through the public API: validates pages,
 * writes them, moves the CA (the core's vCPU record changes), and lets the
 * hypervisor remap, share and poke pages.
 */
static void scribble(struct csvsm_sim *sim, unsigned int variant)
{
	struct csvsm_sim_layout lay;
	struct csvsm_regs io;
	uint64_t pages[2];
	uint8_t junk[64];

	csvsm_sim_layout(sim, &lay);
	memset(junk, 0x5a + variant, sizeof(junk));
	pages[0] = lay.free_ram_base + variant * PAGE;
	pages[1] = pages[0] + PAGE;
	pvalidate_pages(sim, pages, 2);
	ck_assert_int_eq(csvsm_sim_guest_write(sim, pages[0], junk, sizeof(junk)), 0);
	memset(&io, 0, sizeof(io));
	io.rax = SVSM_RAX(SVSM_PROTO_CORE, SVSM_CORE_REMAP_CA);
	io.rcx = pages[1];
	ck_assert_int_eq(csvsm_sim_call(sim, 0, &io), 0);
	ck_assert_uint_eq(io.rax, SVSM_SUCCESS);
	ck_assert_int_eq(csvsm_sim_hv_remap(sim, lay.secrets_gpa, 0xee), 0);
	ck_assert_int_eq(csvsm_sim_guest_psc(sim, lay.free_ram_base + 40 * PAGE, 0, false), 0);
	ck_assert_int_eq(csvsm_sim_poke(sim, lay.free_ram_base + 50 * PAGE, junk, 8), 0);
}

/* A restore (fast or exact) gives back the machine of the snapshot, and calls work again. */
static void restore_roundtrip(unsigned int flags)
{
	struct csvsm_sim *sim = small_sim();
	struct csvsm_sim_snapshot_stats ss;
	struct csvsm_regs io;
	uint64_t base;
	size_t live;

	ck_assert_int_eq(csvsm_sim_snapshot_take(sim), 0);
	live = mm_live_allocs();
	base = machine_digest(sim);
	ck_assert_int_eq(csvsm_sim_snapshot_restore(sim, flags), 0);
	for (unsigned int round = 0; round < 3; round++) {
		scribble(sim, round);
		ck_assert_uint_ne(machine_digest(sim), base);
		ck_assert_int_eq(csvsm_sim_snapshot_restore(sim, flags), 0);
		ck_assert_uint_eq(machine_digest(sim), base);
		ck_assert_uint_eq(mm_live_allocs(), live);
	}
	/* The boot CA serves again after the REMAP_CA was undone. */
	memset(&io, 0, sizeof(io));
	io.rax = SVSM_RAX(SVSM_PROTO_CORE, SVSM_CORE_QUERY_PROTOCOL);
	io.rcx = 1;
	ck_assert_int_eq(csvsm_sim_call(sim, 0, &io), 0);
	ck_assert(io.serviced);
	ck_assert_uint_eq(io.rcx, SVSM_QUERY_RESULT(1, 1));
	csvsm_sim_snapshot_stats(sim, &ss);
	ck_assert_uint_eq(ss.restores, 4);
	ck_assert_uint_eq(ss.reboots, (flags & CSVSM_SIM_RESTORE_FAST) ? 0 : 4);
	ck_assert_uint_gt(ss.pages_copied, 0);
	ck_assert_uint_gt(ss.dirty_pages, 0);
	csvsm_sim_free(sim);
}

START_TEST(test_snapshot_restore_fast)
{
	restore_roundtrip(CSVSM_SIM_RESTORE_FAST);
}
END_TEST

START_TEST(test_snapshot_restore_exact)
{
	restore_roundtrip(0);
}
END_TEST

/*
 * A second vCPU started after the snapshot: the fast restore puts the
 * core's vCPU table back without a new boot, the vCPU's context is
 * stopped (it cannot call any more), and the same CREATE_VCPU succeeds
 * again afterwards.
 */
START_TEST(test_snapshot_restore_vcpu)
{
	struct csvsm_sim *sim = small_sim();
	struct csvsm_sim_layout lay;
	struct csvsm_sim_snapshot_stats ss;
	uint64_t base;

	csvsm_sim_layout(sim, &lay);
	ck_assert_int_eq(csvsm_sim_snapshot_take(sim), 0);
	base = machine_digest(sim);
	for (unsigned int round = 0; round < 2; round++) {
		uint64_t vmsa = lay.free_ram_base + 4 * PAGE, ca = lay.free_ram_base + 5 * PAGE;
		uint64_t pages[2] = {vmsa, ca};
		uint8_t vmpl = lay.guest_vmpl;
		uint64_t efer = EFER_SVME;
		struct csvsm_regs io;

		ck_assert_int_eq(csvsm_sim_snapshot_restore(sim, CSVSM_SIM_RESTORE_FAST), 0);
		pvalidate_pages(sim, pages, 2);
		/* The launch VMSA's features (sim.h), which CREATE_VCPU requires (abi 1.5). */
		uint64_t feat = SEV_FEAT_SNP_ACTIVE | SEV_FEAT_RESTRICTED_INJ | SEV_FEAT_DEBUG_SWAP;

		ck_assert_int_eq(
		    csvsm_sim_guest_write(sim, vmsa + offsetof(struct vmsa_page, vmpl), &vmpl, 1),
		    0);
		ck_assert_int_eq(
		    csvsm_sim_guest_write(sim, vmsa + offsetof(struct vmsa_page, efer), &efer, 8),
		    0);
		ck_assert_int_eq(
		    csvsm_sim_guest_write(sim, vmsa + offsetof(struct vmsa_page, sev_features),
		                          &feat, 8),
		    0);
		memset(&io, 0, sizeof(io));
		io.rax = SVSM_RAX(SVSM_PROTO_CORE, SVSM_CORE_CREATE_VCPU);
		io.rcx = vmsa;
		io.rdx = ca;
		io.r8 = 1;
		ck_assert_int_eq(csvsm_sim_call(sim, 0, &io), 0);
		ck_assert_uint_eq(io.rax, SVSM_SUCCESS);
		memset(&io, 0, sizeof(io));
		io.rax = SVSM_RAX(SVSM_PROTO_CORE, SVSM_CORE_QUERY_PROTOCOL);
		ck_assert_int_eq(csvsm_sim_call(sim, 1, &io), 0);
		ck_assert(io.serviced);
	}
	ck_assert_int_eq(csvsm_sim_snapshot_restore(sim, CSVSM_SIM_RESTORE_FAST), 0);
	ck_assert_uint_eq(machine_digest(sim), base);
	{
		struct csvsm_regs io = {.rax = SVSM_RAX(SVSM_PROTO_CORE, SVSM_CORE_QUERY_PROTOCOL)};

		ck_assert_int_eq(csvsm_sim_call(sim, 1, &io), -1);
		ck_assert_int_eq(csvsm_sim_call(sim, 0, &io), 0);
		ck_assert(io.serviced);
	}
	csvsm_sim_snapshot_stats(sim, &ss);
	ck_assert_uint_eq(ss.restores, 3);
	ck_assert_uint_eq(ss.reboots, 0);
	csvsm_sim_free(sim);
}
END_TEST

/*
 * The SVSM zeroes every page it validates; a page that already holds zeros
 * is not written, so it stays clean and the restore copies nothing back
 * for it. A page the hypervisor filled first is zeroed all the same (the
 * guest reads zeros), and the restore gives back the snapshot's bytes.
 */
START_TEST(test_snapshot_zero_pages_clean)
{
	struct csvsm_sim *sim = small_sim();
	struct csvsm_sim_layout lay;
	struct csvsm_sim_snapshot_stats ss;
	static uint8_t page[PAGE], zero[PAGE];
	uint8_t junk[64];
	uint64_t base, one[1], two[2];
	size_t dirty_one;

	csvsm_sim_layout(sim, &lay);
	one[0] = two[0] = lay.free_ram_base + 8 * PAGE;
	two[1] = lay.free_ram_base + 9 * PAGE;
	ck_assert_int_eq(csvsm_sim_snapshot_take(sim), 0);
	base = machine_digest(sim);

	ck_assert_int_eq(csvsm_sim_snapshot_restore(sim, CSVSM_SIM_RESTORE_FAST), 0);
	pvalidate_pages(sim, one, 1);
	csvsm_sim_snapshot_stats(sim, &ss);
	dirty_one = ss.dirty_pages;
	ck_assert_uint_gt(dirty_one, 0); /* the CA and the list */

	ck_assert_int_eq(csvsm_sim_snapshot_restore(sim, CSVSM_SIM_RESTORE_FAST), 0);
	pvalidate_pages(sim, two, 2);
	csvsm_sim_snapshot_stats(sim, &ss);
	ck_assert_uint_eq(ss.dirty_pages, dirty_one); /* the second zero page stayed clean */
	ck_assert_int_eq(csvsm_sim_guest_read(sim, two[1], page, sizeof(page)), 0);
	ck_assert_mem_eq(page, zero, sizeof(page));

	ck_assert_int_eq(csvsm_sim_snapshot_restore(sim, CSVSM_SIM_RESTORE_FAST), 0);
	memset(junk, 0xa5, sizeof(junk));
	ck_assert_int_eq(csvsm_sim_poke(sim, one[0] + 100, junk, sizeof(junk)), 0);
	pvalidate_pages(sim, one, 1);
	ck_assert_int_eq(csvsm_sim_guest_read(sim, one[0], page, sizeof(page)), 0);
	ck_assert_mem_eq(page, zero, sizeof(page));
	csvsm_sim_snapshot_stats(sim, &ss);
	ck_assert_uint_eq(ss.dirty_pages, dirty_one + 1);

	ck_assert_int_eq(csvsm_sim_snapshot_restore(sim, CSVSM_SIM_RESTORE_FAST), 0);
	ck_assert_uint_eq(machine_digest(sim), base);
	csvsm_sim_free(sim);
}
END_TEST

static Suite *fuzz_suite(void)
{
	Suite *s = suite_create("fuzz_core");
	TCase *tc = tcase_create("harness");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_corpus_replay);
	tcase_add_test(tc, test_seeds_committed);
	tcase_add_test(tc, test_random_fast);
	tcase_add_test(tc, test_random_exact);
	tcase_add_test(tc, test_same_start);
	suite_add_tcase(s, tc);
	tc = tcase_create("snapshot");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_snapshot_only_before_calls);
	tcase_add_test(tc, test_snapshot_restore_fast);
	tcase_add_test(tc, test_snapshot_restore_exact);
	tcase_add_test(tc, test_snapshot_restore_vcpu);
	tcase_add_test(tc, test_snapshot_zero_pages_clean);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(fuzz_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
