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
 * Usage: smp_stress [SECONDS] (default 3; longer by hand). Real concurrency
 * of the bare-metal image on KVM vCPUs is the KVM runner's (later).
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "csvsm/abi/svsm.h"
#include "csvsm/abi/vmsa.h"
#include "csvsm/mm.h"
#include "csvsm/sim.h"
#include "csvsm/svsm.h"
#include "csvsm/vcpu.h"
#include "machine.h"

#define MAX_THREADS 64
#define DATA_PAGES  64

static struct csvsm_sim *sim;
static struct csvsm_sim_layout lay;
static unsigned int nthreads;
static unsigned int pool; /* VMSA pool and CA pool sizes: 2 per vCPU */
static double deadline;
static uint64_t sev_features;
static unsigned long creates_ok, deletes_ok, calls_made, bad_results;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Free guest RAM pages: per-thread list pages, then the pools. */
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
	fprintf(stderr, "smp_stress: %s: result 0x%" PRIx64 " is not one the spec allows\n", what,
	        rax);
}

static bool rmp_code(uint64_t rax)
{
	return rax > SVSM_ERR_PROTOCOL_BASE && rax < SVSM_ERR_PROTOCOL_BASE + 16;
}

/* A guest write (RMP-checked under the machine lock), as the guest's own store. */
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

/* The guest prepares a VMSA image in `gpa` (if it still may write there). */
static void write_vmsa_image(uint64_t gpa)
{
	struct vmsa_page img;

	memset(&img, 0, sizeof(img));
	img.vmpl = lay.guest_vmpl;
	img.efer = EFER_SVME;
	img.sev_features = sev_features;
	(void)guest_store(gpa, &img, sizeof(img));
}

/* One call on this thread's vCPU, as the request loop serves it. */
static bool call(unsigned int t, uint32_t id, uint64_t rcx, uint64_t rdx, uint64_t r8,
                 struct svsm_call *out)
{
	struct vcpu *v = vcpu_get(t);

	if (!v)
		return false; /* deleted by another vCPU: nothing to call with */
	memset(out, 0, sizeof(*out));
	out->rax = SVSM_RAX(SVSM_PROTO_CORE, id);
	out->rcx = rcx;
	out->rdx = rdx;
	out->r8 = r8;
	out->caller = v;
	svsm_dispatch(out);
	vcpu_put(v);
	__atomic_add_fetch(&calls_made, 1, __ATOMIC_RELAXED);
	return true;
}

static void *worker(void *arg)
{
	unsigned int t = (unsigned int)(uintptr_t)arg;
	uint64_t s = 0x9e3779b97f4a7c15ull * (t + 1);

	sim_thread_vcpu(t);
	while (now_s() < deadline) {
		struct svsm_call c;
		uint64_t r = rng_next(&s);
		uint64_t vm = vmsa_page((unsigned int)(r >> 8) % pool);
		uint64_t ca = ca_page((unsigned int)(r >> 20) % pool);

		switch (r % 8) {
		case 0:
			if (call(t, SVSM_CORE_QUERY_PROTOCOL, 1, 0, 0, &c) &&
			    (c.rax != SVSM_SUCCESS || c.rcx != SVSM_QUERY_RESULT(1, 1)))
				bad("QUERY_PROTOCOL", c.rax);
			break;
		case 1:
		case 2: {
			unsigned int apic = 1 + (unsigned int)(r >> 32) % (nthreads - 1);

			write_vmsa_image(vm);
			if (!call(t, SVSM_CORE_CREATE_VCPU, vm, ca, apic, &c))
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
			else if (c.rax != SVSM_ERR_INVALID_PARAMETER &&
			         c.rax != SVSM_ERR_INVALID_REQUEST && c.rax != SVSM_ERR_BUSY &&
			         !rmp_code(c.rax))
				bad("DELETE_VCPU", c.rax);
			break;
		case 4:
			if (call(t, SVSM_CORE_REMAP_CA, ca, 0, 0, &c) && c.rax != SVSM_SUCCESS &&
			    c.rax != SVSM_ERR_INVALID_ADDRESS)
				bad("REMAP_CA", c.rax);
			break;
		case 5: {
			/* One entry: a pool or data page, validate or rescind. */
			uint64_t target = (r >> 40) % 3 == 0 ? vm
			                  : (r >> 40) % 3 == 1
			                      ? ca
			                      : data_page((unsigned int)(r >> 44) % DATA_PAGES);
			uint64_t list[2] = {1, target | ((r >> 50) & 1 ? SVSM_PVAL_VALIDATE : 0) |
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
		case 6: {
			/* The heap from every vCPU at once: objects that must stay ours. */
			uint8_t *obj[4];
			size_t len[4];
			bool ok = true;

			for (unsigned int k = 0; k < 4; k++) {
				len[k] = 8 + (size_t)(rng_next(&s) % 1024);
				obj[k] = kmalloc(len[k]);
				if (obj[k])
					memset(obj[k], (int)(t + k), len[k]);
			}
			for (unsigned int k = 0; k < 4; k++) {
				for (size_t b = 0; obj[k] && b < len[k]; b++)
					ok = ok && obj[k][b] == (uint8_t)(t + k);
				kfree(obj[k]);
			}
			if (!ok)
				bad("kmalloc (another vCPU wrote into this vCPU's object)", 0);
			break;
		}
		default:
			/* The hypervisor remaps a data page under everyone. */
			sim_machine_lock();
			(void)sim_hv_remap(
			    &sim->snp, data_page((unsigned int)(r >> 8) % DATA_PAGES), (uint8_t)r);
			sim_machine_unlock();
			break;
		}
	}
	return NULL;
}

/* Setup through the ordinary harness: one call from vCPU 0. */
static uint64_t harness_call(uint32_t id, uint64_t rcx, uint64_t rdx, uint64_t r8)
{
	struct csvsm_regs r = {
	    .rax = SVSM_RAX(SVSM_PROTO_CORE, id), .rcx = rcx, .rdx = rdx, .r8 = r8};

	if (csvsm_sim_call(sim, 0, &r) != 0 || !r.serviced)
		return ~0ull;
	return r.rax;
}

static int validate(uint64_t gpa)
{
	uint64_t list[2] = {1, gpa | SVSM_PVAL_VALIDATE};

	if (csvsm_sim_guest_write(sim, lay.boot_caa_gpa + 8, list, sizeof(list)) != 0)
		return -1;
	return harness_call(SVSM_CORE_PVALIDATE, lay.boot_caa_gpa + 8, 0, 0) == SVSM_SUCCESS ? 0
	                                                                                     : -1;
}

static unsigned int count_records(void)
{
	unsigned int n = 0;

	vcpu_lock();
	for (unsigned int i = 0; i < nthreads; i++)
		n += vcpu_at(i) != NULL;
	vcpu_unlock();
	return n;
}

static int failures;
#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "smp_stress: invariant broken: " __VA_ARGS__);             \
			fputc('\n', stderr);                                                       \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

static void check_invariants(unsigned int records0, size_t live0)
{
	unsigned int records = count_records();
	struct csvsm_sim_rmp_entry e;

	CHECK((long)creates_ok - (long)deletes_ok == (long)records - (long)records0,
	      "%lu creates - %lu deletes != %u - %u records", creates_ok, deletes_ok, records,
	      records0);
	vcpu_lock();
	for (unsigned int i = 0; i < nthreads; i++) {
		struct vcpu *v = vcpu_at(i);

		if (!v)
			continue;
		CHECK(v->refs == 1, "vCPU %u still holds %u references", i, v->refs);
		CHECK(v->apic_id == i, "vCPU %u has APIC ID %u", i, v->apic_id);
		if (i != 0) {
			CHECK(csvsm_sim_rmp_query(sim, v->vmsa_gpa, &e) == 0 && e.vmsa &&
			          e.validated && e.perms[lay.guest_vmpl] == 0,
			      "vCPU %u: its VMSA 0x%" PRIx64 " is not a guarded VMSA page", i,
			      v->vmsa_gpa);
		}
		for (unsigned int j = i + 1; j < nthreads; j++) {
			struct vcpu *w = vcpu_at(j);

			if (!w)
				continue;
			CHECK(v->vmsa_gpa != w->vmsa_gpa && v->caa_gpa != w->caa_gpa &&
			          v->vmsa_gpa != w->caa_gpa && v->caa_gpa != w->vmsa_gpa,
			      "vCPUs %u and %u share a page", i, j);
		}
	}
	/* Every VMSA page of the pool belongs to a record. */
	for (unsigned int k = 0; k < pool; k++) {
		if (csvsm_sim_rmp_query(sim, vmsa_page(k), &e) == 0 && e.vmsa)
			CHECK(vcpu_by_vmsa(vmsa_page(k)) != NULL,
			      "VMSA page 0x%" PRIx64 " is no one's", vmsa_page(k));
	}
	vcpu_unlock();
	(void)mm_trim();
	CHECK(mm_live_allocs() == live0 + records - records0,
	      "heap: %zu live allocations, expected %zu + %u - %u", mm_live_allocs(), live0,
	      records, records0);
	CHECK(!vcpu_lock_is_held() && !mm_lock_is_held(), "a lock is still held");
	/*
	 * vCPU 0's guest may have moved its CA into the pools (and rescinded it
	 * since): it moves back to the boot CA, which no one else can take.
	 */
	{
		struct svsm_call c;

		CHECK(call(0, SVSM_CORE_REMAP_CA, lay.boot_caa_gpa, 0, 0, &c) &&
		          c.rax == SVSM_SUCCESS,
		      "REMAP_CA back to the boot CA");
	}
	CHECK(harness_call(SVSM_CORE_QUERY_PROTOCOL, 1, 0, 0) == SVSM_SUCCESS,
	      "the core no longer serves calls");
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 3.0;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	pthread_t th[MAX_THREADS];
	struct csvsm_sim_config cfg;
	unsigned int records0;
	size_t live0;

	nthreads = (unsigned int)(cpus > 0 ? 2 * cpus : 4);
	if (nthreads < 4)
		nthreads = 4;
	if (nthreads > MAX_THREADS)
		nthreads = MAX_THREADS;
	pool = 2 * nthreads;
	csvsm_sim_config_default(&cfg);
	cfg.vcpu_count = nthreads;
	sim = csvsm_sim_new(&cfg);
	if (!sim)
		return 99;
	csvsm_sim_layout(sim, &lay);
	sev_features = ((struct vmsa_page *)(sim->mem + lay.boot_vmsa_gpa))->sev_features;
	/* Pages validated for the guest; vCPUs 1..N-1 created on the first pool pages. */
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
		if (harness_call(SVSM_CORE_CREATE_VCPU, vmsa_page(i), ca_page(i), i) !=
		    SVSM_SUCCESS)
			return 99;
	}
	(void)mm_trim();
	records0 = count_records();
	live0 = mm_live_allocs();

	sim_set_threaded(true);
	deadline = now_s() + seconds;
	for (unsigned int t = 0; t < nthreads; t++)
		if (pthread_create(&th[t], NULL, worker, (void *)(uintptr_t)t) != 0)
			return 99;
	for (unsigned int t = 0; t < nthreads; t++)
		pthread_join(th[t], NULL);
	sim_set_threaded(false);

	check_invariants(records0, live0);
	printf("smp_stress: %u threads, %.1f s: %lu calls, %lu creates and %lu deletes succeeded, "
	       "%u vCPUs at the end, %lu results outside the spec, %d invariants broken\n",
	       nthreads, seconds, calls_made, creates_ok, deletes_ok, count_records(), bad_results,
	       failures);
	csvsm_sim_free(sim);
	return failures || bad_results ? 1 : 0;
}
