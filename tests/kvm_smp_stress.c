/* SPDX-License-Identifier: MIT */
/*
 * The SMP stress of the issue on KVM (docs/smp.md): the SVSM image
 * (src/csvsm-kvm.elf) at VMPL0 and the guest program (guest/) at the guest
 * VMPL, `--target kvm`, with N vCPUs (N = host CPUs + 1, at least 3), each
 * vCPU's pair (the guest program's KVM vCPU and the image's) driven by its
 * own host thread, all at once, for a bounded time. The workload is
 * tests/smp_stress.c's (both from tests/smp_stress_work.c): CREATE_VCPU and DELETE_VCPU on a small
 * shared pool of VMSA pages (APIC IDs and VMSA pages collide; each vCPU has CA pages of its own,
 * see stress_ca_of), REMAP_CA, PVALIDATE of pool and data pages (validate and rescind, racing with
 * the VMSA pages being taken; CA pages validate only: a guest whose CA is rescinded cannot call
 * again, its call_pending store faults, which on KVM would take its thread out of the test for
 * good), QUERY_PROTOCOL, and a hypervisor that remaps data pages. Every call is a real one: the
 * guest program's registers, its CA's call_pending, its VMGEXIT, the image's request loop on its
 * own KVM vCPU. The machine model is serialised by one mutex (sim_set_threaded); the image's state
 * (vCPU table, records, heap) is shared for real by its vCPUs running in parallel.
 *
 * The guest's stores that prepare a call (a VMSA image, a PVALIDATE list)
 * are made by this thread into guest memory after the RMP check, under the
 * model mutex, as tests/smp_stress.c does: the guest program's own memory
 * accesses go through vCPU 0's mailbox, which one thread at a time may use.
 *
 * A CA is never shared by two vCPUs (stress_config.private_cas): the guest
 * learns whether its call was serviced from its own call_pending (the xchg
 * after the VMGEXIT), and another vCPU's SVSM clearing a shared CA's
 * call_pending would make an unserviced call look serviced, its registers
 * unchanged (the guest's mistake, not the SVSM's). VMSA pages and APIC IDs
 * still collide.
 *
 * Checked during the run: every result is one the specification allows
 * for the call. After: creates - deletes = VMSA pages gained in the pool
 * (no vCPU lost or installed twice: each record is one VMSA page in the
 * RMP); every VMSA page of the pool is validated and the guest cannot
 * touch it; no CA page of the pool became a VMSA; the image's heap holds
 * exactly one allocation more per record gained (its own count, reported
 * at its last VMPL switch); the core still serves vCPU 0.
 *
 * Usage: kvm_smp_stress [SECONDS] (default 3; longer by hand), with
 * top_builddir set (the image and the guest program). Exit 77 without
 * /dev/kvm or without the image's AP entry.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csvsm/abi/svsm.h"
#include "csvsm/sim.h"
#include "kvm_test_util.h"
#include "machine.h"
#include "smp_stress_work.h"

#define MAX_THREADS 32 /* the guest program runs up to 36 vCPUs */

static unsigned long not_delivered;

/* One SVSM call of vCPU t's guest program; false when it could not be made (no runnable VMSA). */
static bool call(unsigned int t, uint32_t id, uint64_t rcx, uint64_t rdx, uint64_t r8,
                 struct stress_result *out)
{
	uint64_t lost0 = sim_kvm_guest_lost_calls(stress.sim, t);
	struct csvsm_regs r;

	memset(&r, 0, sizeof(r));
	r.rax = SVSM_RAX(SVSM_PROTO_CORE, id);
	r.rcx = rcx;
	r.rdx = rdx;
	r.r8 = r8;
	if (csvsm_sim_call(stress.sim, t, &r) != 0 || !r.serviced) {
		__atomic_add_fetch(&not_delivered, 1, __ATOMIC_RELAXED);
		if ((id == SVSM_CORE_CREATE_VCPU || id == SVSM_CORE_DELETE_VCPU) &&
		    sim_kvm_guest_lost_calls(stress.sim, t) != lost0)
			__atomic_add_fetch(&stress.uncertain, 1, __ATOMIC_RELAXED);
		usleep(200); /* deleted meanwhile: let the others run until it is created again */
		return false;
	}
	out->rax = r.rax;
	out->rcx = r.rcx;
	return true;
}

/* The checks through vCPU 0 and the image's own heap count. */
static void check_image(unsigned int records0, uint64_t live0)
{
	unsigned int records = stress_pool_vmsas();
	uint64_t live;

	/* vCPU 0's CA back to the boot CA (it may have moved into the pool); the core serves. */
	STRESS_CHECK(stress_harness_call(0, SVSM_CORE_REMAP_CA, stress.lay.boot_caa_gpa, 0, 0) ==
	                 SVSM_SUCCESS,
	             "REMAP_CA back to the boot CA on vCPU 0");
	STRESS_CHECK(stress_harness_call(0, SVSM_CORE_QUERY_PROTOCOL, 1, 0, 0) == SVSM_SUCCESS,
	             "the core no longer serves calls");
	live = sim_kvm_image_mm_live(stress.sim);
	STRESS_CHECK(live == live0 + records - records0,
	             "the image's heap: %" PRIu64 " live allocations, expected %" PRIu64
	             " + %u - %u",
	             live, live0, records, records0);
}

/* A stuck vCPU (a lock never released) must not hang the test suite. */
static void *watchdog(void *arg)
{
	unsigned int s = (unsigned int)(uintptr_t)arg;

	sleep(s);
	fprintf(stderr,
	        "kvm_smp_stress: FAIL: still running %u s after the start (a vCPU is "
	        "stuck)\n",
	        s);
	_exit(1);
	return NULL;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 3.0;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	const struct stress_config scfg = {
	    .name = "kvm_smp_stress",
	    .max_threads = MAX_THREADS,
	    .call = call,
	    .private_cas = true,
	};
	char image[512], guest[512];
	struct csvsm_sim_config cfg;
	struct csvsm_sim *sim;
	unsigned int nthreads, records0;
	uint64_t live0;
	pthread_t wd;
	double t0;

	kvm_test_require("the SMP stress on KVM is not run");
	kvm_test_built(image, sizeof(image), "src/csvsm-kvm.elf");
	kvm_test_built(guest, sizeof(guest), "guest/csvsm-guest.elf");
	nthreads = stress_thread_count(
	    getenv("CSVSM_STRESS_VCPUS") ? atol(getenv("CSVSM_STRESS_VCPUS")) : cpus + 1, 3,
	    MAX_THREADS);
	csvsm_sim_config_default(&cfg);
	cfg.vcpu_count = nthreads;
	cfg.kvm_guest = guest;
	cfg.kvm_image = image;
	sim = csvsm_sim_new(&cfg);
	if (!sim) {
		fprintf(stderr, "kvm_smp_stress: cannot build the machine (%s, %s)\n", image,
		        guest);
		return 99;
	}
	t0 = stress_now_s();
	if (stress_setup(sim, &scfg, nthreads) < 0)
		return 99;
	(void)stress_harness_call(0, SVSM_CORE_QUERY_PROTOCOL, 1, 0,
	                          0); /* the image's heap count */
	records0 = stress_pool_vmsas();
	live0 = sim_kvm_image_mm_live(sim);
	printf("kvm_smp_stress: set-up of %u vCPUs in %.1f s; %u records, %" PRIu64
	       " live allocations in the image\n",
	       nthreads, stress_now_s() - t0, records0 + 1, live0);

	pthread_create(&wd, NULL, watchdog, (void *)(uintptr_t)(unsigned int)(seconds + 600));
	if (stress_run(seconds) < 0)
		return 99;
	check_image(records0, live0);
	printf("kvm_smp_stress: %u vCPU pairs on host threads, %.1f s: %lu calls served (%lu not "
	       "delivered: the vCPU had no VMSA, or lost it meanwhile), %lu creates and %lu "
	       "deletes succeeded (%lu more lost), %lu BUSY, %u records at the end, %lu results "
	       "outside the spec, %d invariants broken\n",
	       nthreads, seconds, stress.calls_made, not_delivered, stress.creates_ok,
	       stress.deletes_ok, stress.uncertain, stress.busy_seen, stress_pool_vmsas() + 1,
	       stress.bad_results, stress.failures);
	csvsm_sim_free(sim);
	return stress_exit_status();
}
