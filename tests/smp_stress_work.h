/* SPDX-License-Identifier: MIT */
/*
 * The SMP stress workload shared by tests/smp_stress.c (the core on host
 * threads) and tests/kvm_smp_stress.c (the SVSM image on KVM vCPUs), with
 * the checks both make (docs/smp.md).
 *
 * N threads each play one vCPU's guest for a bounded time: CREATE_VCPU and
 * DELETE_VCPU on a small shared pool of VMSA pages (APIC IDs and VMSA pages
 * collide), REMAP_CA, PVALIDATE of pool and data pages (validate and
 * rescind, racing with the VMSA pages being taken), QUERY_PROTOCOL, a
 * hypervisor that remaps data pages, and the program's own extra step (the
 * host test: kmalloc/kfree). Every result must be one the specification
 * allows for the call. The machine model is serialised by its mutex
 * (sim_set_threaded); how a call reaches the SVSM is the program's.
 *
 * One stress per program: the state is the global `stress`.
 */
#ifndef CSVSM_TESTS_SMP_STRESS_WORK_H
#define CSVSM_TESTS_SMP_STRESS_WORK_H

#include <stdbool.h>
#include <stdint.h>

#include "csvsm/sim.h"

#define STRESS_DATA_PAGES 64

/* The registers a call returned that the checks read. */
struct stress_result {
	uint64_t rax, rcx;
};

struct stress_config {
	/* Program name, the prefix of every message. */
	const char *name;
	/* Most threads (the page layout's slots; at most 64). */
	unsigned int max_threads;
	/*
	 * One core-protocol call on vCPU t's behalf. Returns false when it
	 * could not be made (vCPU t has no VMSA now), true with `out` filled.
	 */
	bool (*call)(unsigned int t, uint32_t id, uint64_t rcx, uint64_t rdx, uint64_t r8,
	             struct stress_result *out);
	/* Optional: one more kind of step, run as often as each other kind. */
	void (*extra_step)(unsigned int t, uint64_t *rng);
	/* Optional: run first on each worker thread. */
	void (*thread_init)(unsigned int t);
	/*
	 * Each vCPU has CA pages of its own (stress_ca_of), and CA pages are
	 * only validated, never rescinded. For a guest that learns from its
	 * own CA whether a call was served, and that could never call again
	 * once its CA is gone (the KVM test; tests/kvm_smp_stress.c says why).
	 */
	bool private_cas;
};

struct stress {
	struct stress_config cfg;
	struct csvsm_sim *sim;
	struct csvsm_sim_layout lay;
	unsigned int nthreads;
	unsigned int pool; /* VMSA pool and CA pool sizes: 2 per vCPU */
	double deadline;
	uint64_t sev_features;
	/* Counted by the workers. */
	unsigned long creates_ok, deletes_ok, calls_made, busy_seen, bad_results;
	/* CREATE/DELETE calls run by VMPL0 whose result was lost (the program counts them). */
	unsigned long uncertain;
	/* Invariants broken (STRESS_CHECK). */
	int failures;
};

extern struct stress stress;

/* Records a broken invariant with a message (printf format) on stderr. */
void stress_check_failed(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define STRESS_CHECK(cond, ...)                                                                    \
	do {                                                                                       \
		if (!(cond))                                                                       \
			stress_check_failed(__VA_ARGS__);                                          \
	} while (0)

/* The workload's random numbers (xorshift64; `s` nonzero). */
uint64_t stress_rng_next(uint64_t *s);

/* `want` clamped to [min, max]: how many threads (vCPUs) to run. */
unsigned int stress_thread_count(long want, unsigned int min, unsigned int max);

/* Monotonic seconds. */
double stress_now_s(void);

/* Guest pages (free guest RAM): vCPU t's PVALIDATE list, the pools, the data pages. */
uint64_t stress_list_page(unsigned int t);
uint64_t stress_vmsa_page(unsigned int i);
uint64_t stress_ca_page(unsigned int i);
uint64_t stress_data_page(unsigned int i);
/* CA page j (0 or 1) of vCPU v when CAs are private. */
uint64_t stress_ca_of(unsigned int v, unsigned int j);

/* A guest store, RMP-checked at the guest VMPL under the model mutex; false when refused. */
bool stress_guest_store(uint64_t gpa, const void *buf, size_t len);

/* The guest prepares a VMSA image at `gpa` (if it still may write there). */
void stress_write_vmsa_image(uint64_t gpa);

/* One call through the ordinary harness on `vcpu` (not threaded): its RAX, ~0 when not served. */
uint64_t stress_harness_call(unsigned int vcpu, uint32_t id, uint64_t rcx, uint64_t rdx,
                             uint64_t r8);

/*
 * Sets up the stress on `sim` (built with cfg->max_threads >= nthreads >=
 * 2 vCPUs): validates the list, pool and data pages for the guest, and
 * creates vCPUs 1..nthreads-1 on the first pool pages, each then making
 * one call of its own. Returns 0, or -1 with a message.
 */
int stress_setup(struct csvsm_sim *sim, const struct stress_config *cfg, unsigned int nthreads);

/*
 * Runs the workers for `seconds` on nthreads host threads (threaded model),
 * then the checks from outside the SVSM: creates - deletes = VMSA pages
 * gained in the pool (within `uncertain`), every VMSA page of the pool
 * validated and closed to the guest, no CA page of the pool turned into a
 * VMSA. Returns 0, or -1 when the threads could not start.
 */
int stress_run(double seconds);

/* VMSA pages of the pool in the RMP (the records other than vCPU 0's). */
unsigned int stress_pool_vmsas(void);

/* The program's exit status: 1 when a result was outside the spec or an invariant broke. */
int stress_exit_status(void);

#endif
