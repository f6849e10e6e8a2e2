/* SPDX-License-Identifier: MIT */
/*
 * SMP stress of the core (docs/smp.md): N host threads (N = 2 x host CPUs,
 * at least 4) each play one vCPU at VMPL0 and run the core's calls at the
 * same time, for a bounded time: CREATE_VCPU and DELETE_VCPU on a small
 * shared pool of VMSA and CA pages (so that calls collide on APIC IDs and
 * pages), REMAP_CA, PVALIDATE (validate and rescind, racing with the VMSA
 * pages being taken), QUERY_PROTOCOL, kmalloc/kfree of objects each
 * vCPU fills and checks, and a hypervisor that remaps data pages behind
 * everyone's back. The machine model is serialised by one
 * mutex (sim_set_threaded), as the KVM runner serialises its requests; the
 * core's own state (vCPU table, records, heap) is shared for real.
 *
 * Checked during the run: every result is one the specification allows for
 * that call. Checked after: no vCPU installed twice or lost (successful
 * creates - successful deletes = records gained), no two records share a
 * VMSA or CA page, every record's VMSA is a validated VMSA page the guest
 * cannot touch, every VMSA page of the pool is some record's, no record is
 * still referenced, the heap holds exactly the records gained (no leak),
 * and the core still serves a call afterwards.
 *
 * The workload and the checks from outside the core are
 * tests/smp_stress_work.c's, shared with tests/kvm_smp_stress.c; here the
 * calls go straight to the core's dispatcher on the thread's own vCPU
 * record, and the extra step and checks need the core in this process.
 *
 * Usage: smp_stress [SECONDS] (default 3; longer by hand).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csvsm/abi/svsm.h"
#include "csvsm/mm.h"
#include "csvsm/sim.h"
#include "csvsm/svsm.h"
#include "csvsm/vcpu.h"
#include "machine.h"
#include "smp_stress_work.h"

#define MAX_THREADS 64

/* One call on this thread's vCPU, as the request loop serves it. */
static bool call(unsigned int t, uint32_t id, uint64_t rcx, uint64_t rdx, uint64_t r8,
                 struct stress_result *out)
{
	struct vcpu *v = vcpu_get(t);
	struct svsm_call c;

	if (!v)
		return false; /* deleted by another vCPU: nothing to call with */
	memset(&c, 0, sizeof(c));
	c.rax = SVSM_RAX(SVSM_PROTO_CORE, id);
	c.rcx = rcx;
	c.rdx = rdx;
	c.r8 = r8;
	c.caller = v;
	svsm_dispatch(&c);
	vcpu_put(v);
	out->rax = c.rax;
	out->rcx = c.rcx;
	return true;
}

/* The heap from every vCPU at once: objects that must stay ours. */
static void heap_step(unsigned int t, uint64_t *rng)
{
	uint8_t *obj[4];
	size_t len[4];
	bool ok = true;

	for (unsigned int k = 0; k < 4; k++) {
		len[k] = 8 + (size_t)(stress_rng_next(rng) % 1024);
		obj[k] = kmalloc(len[k]);
		if (obj[k])
			memset(obj[k], (int)(t + k), len[k]);
	}
	for (unsigned int k = 0; k < 4; k++) {
		for (size_t b = 0; obj[k] && b < len[k]; b++)
			ok = ok && obj[k][b] == (uint8_t)(t + k);
		kfree(obj[k]);
	}
	STRESS_CHECK(ok, "kmalloc: another vCPU wrote into vCPU %u's object", t);
}

static unsigned int count_records(void)
{
	unsigned int n = 0;

	vcpu_lock();
	for (unsigned int i = 0; i < stress.nthreads; i++)
		n += vcpu_at(i) != NULL;
	vcpu_unlock();
	return n;
}

/* The checks that need the core: the table's records, the heap, the locks. */
static void check_core(unsigned int records0, size_t live0)
{
	unsigned int records = count_records();
	struct csvsm_sim_rmp_entry e;
	struct stress_result c;

	STRESS_CHECK((long)stress.creates_ok - (long)stress.deletes_ok ==
	                 (long)records - (long)records0,
	             "%lu creates - %lu deletes != %u - %u records", stress.creates_ok,
	             stress.deletes_ok, records, records0);
	vcpu_lock();
	for (unsigned int i = 0; i < stress.nthreads; i++) {
		struct vcpu *v = vcpu_at(i);

		if (!v)
			continue;
		STRESS_CHECK(v->refs == 1, "vCPU %u still holds %u references", i, v->refs);
		STRESS_CHECK(v->apic_id == i, "vCPU %u has APIC ID %u", i, v->apic_id);
		STRESS_CHECK(
		    i == 0 || (csvsm_sim_rmp_query(stress.sim, v->vmsa_gpa, &e) == 0 && e.vmsa &&
		               e.validated && e.perms[stress.lay.guest_vmpl] == 0),
		    "vCPU %u: its VMSA 0x%" PRIx64 " is not a guarded VMSA page", i, v->vmsa_gpa);
		for (unsigned int j = i + 1; j < stress.nthreads; j++) {
			struct vcpu *w = vcpu_at(j);

			if (!w)
				continue;
			STRESS_CHECK(v->vmsa_gpa != w->vmsa_gpa && v->caa_gpa != w->caa_gpa &&
			                 v->vmsa_gpa != w->caa_gpa && v->caa_gpa != w->vmsa_gpa,
			             "vCPUs %u and %u share a page", i, j);
		}
	}
	/* Every VMSA page of the pool belongs to a record. */
	for (unsigned int k = 0; k < stress.pool; k++) {
		if (csvsm_sim_rmp_query(stress.sim, stress_vmsa_page(k), &e) == 0 && e.vmsa)
			STRESS_CHECK(vcpu_by_vmsa(stress_vmsa_page(k)) != NULL,
			             "VMSA page 0x%" PRIx64 " is no one's", stress_vmsa_page(k));
	}
	vcpu_unlock();
	(void)mm_trim();
	STRESS_CHECK(mm_live_allocs() == live0 + records - records0,
	             "heap: %zu live allocations, expected %zu + %u - %u", mm_live_allocs(), live0,
	             records, records0);
	STRESS_CHECK(!vcpu_lock_is_held() && !mm_lock_is_held(), "a lock is still held");
	/*
	 * vCPU 0's guest may have moved its CA into the pools (and rescinded it
	 * since, so the harness could not call through it): it moves back to
	 * the boot CA, which no one else can take.
	 */
	STRESS_CHECK(call(0, SVSM_CORE_REMAP_CA, stress.lay.boot_caa_gpa, 0, 0, &c) &&
	                 c.rax == SVSM_SUCCESS,
	             "REMAP_CA back to the boot CA");
	STRESS_CHECK(stress_harness_call(0, SVSM_CORE_QUERY_PROTOCOL, 1, 0, 0) == SVSM_SUCCESS,
	             "the core no longer serves calls");
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 3.0;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	const struct stress_config scfg = {
	    .name = "smp_stress",
	    .max_threads = MAX_THREADS,
	    .call = call,
	    .extra_step = heap_step,
	    .thread_init = sim_thread_vcpu,
	};
	struct csvsm_sim_config cfg;
	struct csvsm_sim *sim;
	unsigned int nthreads, records0;
	size_t live0;

	nthreads = stress_thread_count(2 * cpus, 4, MAX_THREADS);
	csvsm_sim_config_default(&cfg);
	cfg.vcpu_count = nthreads;
	sim = csvsm_sim_new(&cfg);
	if (!sim || stress_setup(sim, &scfg, nthreads) < 0)
		return 99;
	(void)mm_trim();
	records0 = count_records();
	live0 = mm_live_allocs();

	if (stress_run(seconds) < 0)
		return 99;
	check_core(records0, live0);
	printf("smp_stress: %u threads, %.1f s: %lu calls, %lu creates and %lu deletes succeeded, "
	       "%lu BUSY, %u vCPUs at the end, %lu results outside the spec, %d invariants "
	       "broken\n",
	       nthreads, seconds, stress.calls_made, stress.creates_ok, stress.deletes_ok,
	       stress.busy_seen, count_records(), stress.bad_results, stress.failures);
	csvsm_sim_free(sim);
	return stress_exit_status();
}
