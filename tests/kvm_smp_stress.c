/* SPDX-License-Identifier: MIT */
/*
 * The SMP stress of the issue on KVM (docs/smp.md): the SVSM image
 * (src/csvsm-kvm.elf) at VMPL0 and the guest program (guest/) at the guest
 * VMPL, `--target kvm`, with N vCPUs (N = host CPUs + 1, at least 3), each
 * vCPU's pair (the guest program's KVM vCPU and the image's) driven by its
 * own host thread, all at once, for a bounded time. The workload is
 * tests/smp_stress.c's: CREATE_VCPU and DELETE_VCPU on a small shared pool
 * of VMSA pages (APIC IDs and VMSA pages collide; each vCPU has CA pages of
 * its own, see ca_of), REMAP_CA, PVALIDATE of
 * pool and data pages (validate and rescind, racing with the VMSA pages
 * being taken; CA pages validate only, see the worker), QUERY_PROTOCOL,
 * and a hypervisor that remaps data pages.
 * Every call is a real one: the guest program's registers, its CA's
 * call_pending, its VMGEXIT, the image's request loop on its own KVM vCPU.
 * The machine model is serialised by one mutex (sim_set_threaded); the
 * image's state (vCPU table, records, heap) is shared for real by its
 * vCPUs running in parallel.
 *
 * The guest's stores that prepare a call (a VMSA image, a PVALIDATE list)
 * are made by this thread into guest memory after the RMP check, under the
 * model mutex, as tests/smp_stress.c does: the guest program's own memory
 * accesses go through vCPU 0's mailbox, which one thread at a time may use.
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
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "csvsm/abi/svsm.h"
#include "csvsm/abi/vmsa.h"
#include "csvsm/sim.h"
#include "machine.h"

#define MAX_THREADS 32 /* the guest program runs up to 36 vCPUs */
#define DATA_PAGES  64

static struct csvsm_sim *sim;
static struct csvsm_sim_layout lay;
static unsigned int nthreads;
static unsigned int pool;
static double deadline;
static uint64_t sev_features;
static unsigned long creates_ok, deletes_ok, calls_made, not_delivered, bad_results;
static unsigned long busy_seen;
/* CREATE/DELETE calls lost after VMPL0 ran them: each may or may not have changed the count. */
static unsigned long uncertain;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t page(unsigned int idx)
{
	return lay.free_ram_base + (uint64_t)idx * PAGE_SIZE;
}
static uint64_t list_page(unsigned int t)
{
	return page(t);
}
static uint64_t vmsa_page(unsigned int i)
{
	return page(MAX_THREADS + i);
}
static uint64_t ca_page(unsigned int i)
{
	return page(3 * MAX_THREADS + i);
}
/*
 * CA page j (0 or 1) of vCPU v. A CA is never shared by two vCPUs: the
 * guest learns whether its call was serviced from its own call_pending
 * (the xchg after the VMGEXIT), and another vCPU's SVSM clearing a shared
 * CA's call_pending would make an unserviced call look serviced, its
 * registers unchanged (the guest's mistake, not the SVSM's). VMSA pages
 * and APIC IDs still collide.
 */
static uint64_t ca_of(unsigned int v, unsigned int j)
{
	return ca_page(2 * v + j);
}
static uint64_t data_page(unsigned int i)
{
	return page(5 * MAX_THREADS + i);
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void bad(const char *what, uint64_t rax)
{
	__atomic_add_fetch(&bad_results, 1, __ATOMIC_RELAXED);
	fprintf(stderr, "kvm_smp_stress: %s: result 0x%" PRIx64 " is not one the spec allows\n",
	        what, rax);
}

static bool rmp_code(uint64_t rax)
{
	return rax > SVSM_ERR_PROTOCOL_BASE && rax < SVSM_ERR_PROTOCOL_BASE + 16;
}

/* A guest store, RMP-checked at the guest VMPL under the model mutex. */
static bool guest_store(uint64_t gpa, const void *buf, size_t len)
{
	bool ok;

	sim_machine_lock();
	ok = sim_snp_check_access(&sim->snp, lay.guest_vmpl, gpa, len, SIM_ACCESS_WRITE) ==
	     CSVSM_SIM_ACCESS_OK;
	if (ok)
		memcpy(sim->mem + gpa, buf, len);
	sim_machine_unlock();
	return ok;
}

static void write_vmsa_image(uint64_t gpa)
{
	struct vmsa_page img;

	memset(&img, 0, sizeof(img));
	img.vmpl = lay.guest_vmpl;
	img.efer = EFER_SVME;
	img.sev_features = sev_features;
	(void)guest_store(gpa, &img, sizeof(img));
}

/* One SVSM call of vCPU t's guest program; false when it could not be made (no runnable VMSA). */
static bool call(unsigned int t, uint32_t id, uint64_t rcx, uint64_t rdx, uint64_t r8,
                 struct csvsm_regs *r)
{
	uint64_t lost0 = sim_kvm_guest_lost_calls(sim, t);

	memset(r, 0, sizeof(*r));
	r->rax = SVSM_RAX(SVSM_PROTO_CORE, id);
	r->rcx = rcx;
	r->rdx = rdx;
	r->r8 = r8;
	if (csvsm_sim_call(sim, t, r) != 0 || !r->serviced) {
		__atomic_add_fetch(&not_delivered, 1, __ATOMIC_RELAXED);
		if ((id == SVSM_CORE_CREATE_VCPU || id == SVSM_CORE_DELETE_VCPU) &&
		    sim_kvm_guest_lost_calls(sim, t) != lost0)
			__atomic_add_fetch(&uncertain, 1, __ATOMIC_RELAXED);
		usleep(200); /* deleted meanwhile: let the others run until it is created again */
		return false;
	}
	__atomic_add_fetch(&calls_made, 1, __ATOMIC_RELAXED);
	return true;
}

static void *worker(void *arg)
{
	unsigned int t = (unsigned int)(uintptr_t)arg;
	uint64_t s = 0x9e3779b97f4a7c15ull * (t + 1);

	while (now_s() < deadline) {
		struct csvsm_regs c;
		uint64_t r = rng_next(&s);
		uint64_t vm = vmsa_page((unsigned int)(r >> 8) % pool);
		unsigned int apic = 1 + (unsigned int)(r >> 32) % (nthreads - 1);
		unsigned int j = (unsigned int)(r >> 20) & 1;

		switch (r % 7) {
		case 0:
			if (call(t, SVSM_CORE_QUERY_PROTOCOL, 1, 0, 0, &c) &&
			    (c.rax != SVSM_SUCCESS || c.rcx != SVSM_QUERY_RESULT(1, 1)))
				bad("QUERY_PROTOCOL", c.rax);
			break;
		case 1:
		case 2: {
			write_vmsa_image(vm);
			if (!call(t, SVSM_CORE_CREATE_VCPU, vm, ca_of(apic, j), apic, &c))
				break;
			if (c.rax == SVSM_SUCCESS)
				__atomic_add_fetch(&creates_ok, 1, __ATOMIC_RELAXED);
			else if (c.rax != SVSM_ERR_INVALID_PARAMETER &&
			         c.rax != SVSM_ERR_INVALID_ADDRESS && !rmp_code(c.rax))
				bad("CREATE_VCPU", c.rax);
			break;
		}
		case 3:
			if (!call(t, SVSM_CORE_DELETE_VCPU, vm, 0, 0, &c))
				break;
			if (c.rax == SVSM_SUCCESS)
				__atomic_add_fetch(&deletes_ok, 1, __ATOMIC_RELAXED);
			else if (c.rax == SVSM_ERR_BUSY)
				__atomic_add_fetch(&busy_seen, 1, __ATOMIC_RELAXED);
			else if (c.rax != SVSM_ERR_INVALID_PARAMETER &&
			         c.rax != SVSM_ERR_INVALID_REQUEST && !rmp_code(c.rax))
				bad("DELETE_VCPU", c.rax);
			break;
		case 4:
			if (call(t, SVSM_CORE_REMAP_CA, ca_of(t, j), 0, 0, &c) &&
			    c.rax != SVSM_SUCCESS && c.rax != SVSM_ERR_INVALID_ADDRESS)
				bad("REMAP_CA", c.rax);
			break;
		case 5: {
			/*
			 * As tests/smp_stress.c, except that CA pages are only
			 * validated: a guest whose CA is rescinded cannot call
			 * again (its call_pending store faults), which on KVM
			 * would take its thread out of the test for good.
			 */
			unsigned int kind = (unsigned int)((r >> 40) % 3);
			uint64_t target = kind == 0 ? vm
			                  : kind == 1
			                      ? ca_page((unsigned int)(r >> 20) % pool)
			                      : data_page((unsigned int)(r >> 44) % DATA_PAGES);
			bool validate = kind == 1 || ((r >> 50) & 1);
			uint64_t list[2] = {1, target | (validate ? SVSM_PVAL_VALIDATE : 0) |
			                           ((r >> 51) & 1 ? SVSM_PVAL_IGNORE_CF : 0)};

			if (!guest_store(list_page(t), list, sizeof(list)))
				break;
			if (call(t, SVSM_CORE_PVALIDATE, list_page(t), 0, 0, &c) &&
			    c.rax != SVSM_SUCCESS && c.rax != SVSM_PVALIDATE_FAIL_UNCHANGED &&
			    c.rax != SVSM_ERR_INVALID_ADDRESS && c.rax != SVSM_ERR_BUSY &&
			    !rmp_code(c.rax))
				bad("PVALIDATE", c.rax);
			break;
		}
		default:
			sim_machine_lock();
			(void)sim_hv_remap(
			    &sim->snp, data_page((unsigned int)(r >> 8) % DATA_PAGES), (uint8_t)r);
			sim_machine_unlock();
			break;
		}
	}
	return NULL;
}

static uint64_t harness_call(unsigned int vcpu, uint32_t id, uint64_t rcx, uint64_t rdx,
                             uint64_t r8)
{
	struct csvsm_regs r = {
	    .rax = SVSM_RAX(SVSM_PROTO_CORE, id), .rcx = rcx, .rdx = rdx, .r8 = r8};

	if (csvsm_sim_call(sim, vcpu, &r) != 0 || !r.serviced)
		return ~0ull;
	return r.rax;
}

static int validate(uint64_t gpa)
{
	uint64_t list[2] = {1, gpa | SVSM_PVAL_VALIDATE};

	if (csvsm_sim_guest_write(sim, lay.boot_caa_gpa + 8, list, sizeof(list)) != 0)
		return -1;
	return harness_call(0, SVSM_CORE_PVALIDATE, lay.boot_caa_gpa + 8, 0, 0) == SVSM_SUCCESS
	           ? 0
	           : -1;
}

/* VMSA pages of the pool in the RMP: the records other than vCPU 0's. */
static unsigned int pool_vmsas(void)
{
	struct csvsm_sim_rmp_entry e;
	unsigned int n = 0;

	for (unsigned int k = 0; k < pool; k++)
		n += csvsm_sim_rmp_query(sim, vmsa_page(k), &e) == 0 && e.vmsa;
	return n;
}

static int failures;
#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "kvm_smp_stress: invariant broken: " __VA_ARGS__);         \
			fputc('\n', stderr);                                                       \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

static void check_invariants(unsigned int records0, uint64_t live0)
{
	unsigned int records = pool_vmsas();
	struct csvsm_sim_rmp_entry e;
	uint64_t live;

	/*
	 * Exact when no CREATE/DELETE was lost; each lost one (run by VMPL0,
	 * its result never seen) may account for one page more or less.
	 */
	CHECK(labs((long)creates_ok - (long)deletes_ok - ((long)records - (long)records0)) <=
	          (long)uncertain,
	      "%lu creates - %lu deletes != %u - %u VMSA pages in the pool (%lu lost calls)",
	      creates_ok, deletes_ok, records, records0, uncertain);
	for (unsigned int k = 0; k < pool; k++) {
		if (csvsm_sim_rmp_query(sim, vmsa_page(k), &e) == 0 && e.vmsa)
			CHECK(e.validated && e.perms[lay.guest_vmpl] == 0,
			      "VMSA page 0x%" PRIx64 " is not guarded", vmsa_page(k));
		CHECK(csvsm_sim_rmp_query(sim, ca_page(k), &e) == 0 && !e.vmsa,
		      "CA page 0x%" PRIx64 " became a VMSA", ca_page(k));
	}
	/* vCPU 0's CA back to the boot CA (it may have moved into the pool); the core serves. */
	CHECK(harness_call(0, SVSM_CORE_REMAP_CA, lay.boot_caa_gpa, 0, 0) == SVSM_SUCCESS,
	      "REMAP_CA back to the boot CA on vCPU 0");
	CHECK(harness_call(0, SVSM_CORE_QUERY_PROTOCOL, 1, 0, 0) == SVSM_SUCCESS,
	      "the core no longer serves calls");
	live = sim_kvm_image_mm_live(sim);
	CHECK(live == live0 + records - records0,
	      "the image's heap: %" PRIu64 " live allocations, expected %" PRIu64 " + %u - %u",
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
	const char *top = getenv("top_builddir");
	char image[512], guest[512];
	pthread_t th[MAX_THREADS], wd;
	struct csvsm_sim_config cfg;
	unsigned int records0;
	uint64_t live0;
	double t0;
	int fd;

	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		printf("SKIP: /dev/kvm is not available: the SMP stress on KVM is not run\n");
		return 77;
	}
	close(fd);
	snprintf(image, sizeof(image), "%s/src/csvsm-kvm.elf", top ? top : ".");
	snprintf(guest, sizeof(guest), "%s/guest/csvsm-guest.elf", top ? top : ".");
	nthreads = (unsigned int)(cpus > 0 ? cpus + 1 : 3);
	if (getenv("CSVSM_STRESS_VCPUS"))
		nthreads = (unsigned int)atoi(getenv("CSVSM_STRESS_VCPUS"));
	if (nthreads < 3)
		nthreads = 3;
	if (nthreads > MAX_THREADS)
		nthreads = MAX_THREADS;
	pool = 2 * nthreads;
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
	csvsm_sim_layout(sim, &lay);
	sev_features = ((struct vmsa_page *)(sim->mem + lay.boot_vmsa_gpa))->sev_features;
	t0 = now_s();
	for (unsigned int i = 0; i < nthreads; i++)
		if (validate(list_page(i)) < 0)
			return 99;
	for (unsigned int i = 0; i < pool; i++)
		if (validate(vmsa_page(i)) < 0 || validate(ca_page(i)) < 0)
			return 99;
	for (unsigned int i = 0; i < DATA_PAGES; i++)
		if (validate(data_page(i)) < 0)
			return 99;
	for (unsigned int i = 1; i < nthreads; i++) {
		write_vmsa_image(vmsa_page(i));
		if (harness_call(0, SVSM_CORE_CREATE_VCPU, vmsa_page(i), ca_of(i, 0), i) !=
		    SVSM_SUCCESS) {
			fprintf(stderr, "kvm_smp_stress: CREATE_VCPU %u failed in the set-up\n", i);
			return 99;
		}
		/* Its first call starts the image's vCPU i (x86_ap_entry64). */
		if (harness_call(i, SVSM_CORE_QUERY_PROTOCOL, 1, 0, 0) != SVSM_SUCCESS) {
			fprintf(stderr, "kvm_smp_stress: vCPU %u does not serve calls\n", i);
			return 99;
		}
	}
	(void)harness_call(0, SVSM_CORE_QUERY_PROTOCOL, 1, 0, 0); /* the image's heap count */
	records0 = pool_vmsas();
	live0 = sim_kvm_image_mm_live(sim);
	printf("kvm_smp_stress: set-up of %u vCPUs in %.1f s; %u records, %" PRIu64
	       " live allocations in the image\n",
	       nthreads, now_s() - t0, records0 + 1, live0);

	pthread_create(&wd, NULL, watchdog, (void *)(uintptr_t)(unsigned int)(seconds + 600));
	sim_set_threaded(true);
	deadline = now_s() + seconds;
	for (unsigned int t = 0; t < nthreads; t++)
		if (pthread_create(&th[t], NULL, worker, (void *)(uintptr_t)t) != 0)
			return 99;
	for (unsigned int t = 0; t < nthreads; t++)
		pthread_join(th[t], NULL);
	sim_set_threaded(false);

	check_invariants(records0, live0);
	printf("kvm_smp_stress: %u vCPU pairs on host threads, %.1f s: %lu calls served (%lu not "
	       "delivered: the vCPU had no VMSA, or lost it meanwhile), %lu creates and %lu "
	       "deletes succeeded (%lu more lost), %lu BUSY, %u records at the end, %lu results "
	       "outside the spec, %d invariants broken\n",
	       nthreads, seconds, calls_made, not_delivered, creates_ok, deletes_ok, uncertain,
	       busy_seen, pool_vmsas() + 1, bad_results, failures);
	csvsm_sim_free(sim);
	return failures || bad_results ? 1 : 0;
}
