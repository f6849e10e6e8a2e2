/* SPDX-License-Identifier: MIT */
/* The SMP stress workload and checks shared by the host and KVM stress tests (smp_stress_work.h).
 */
#include "smp_stress_work.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csvsm/abi/svsm.h"
#include "csvsm/abi/vmsa.h"
#include "machine.h"

#define STRESS_MAX_SLOTS 64

struct stress stress;

void stress_check_failed(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: invariant broken: ", stress.cfg.name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	__atomic_add_fetch(&stress.failures, 1, __ATOMIC_RELAXED);
}

unsigned int stress_thread_count(long want, unsigned int min, unsigned int max)
{
	if (want < (long)min)
		return min;
	return want > (long)max ? max : (unsigned int)want;
}

double stress_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Free guest RAM pages: per-thread list pages, the VMSA pool, the CA pool, the data pages. */
static uint64_t page(unsigned int idx)
{
	return stress.lay.free_ram_base + (uint64_t)idx * PAGE_SIZE;
}
uint64_t stress_list_page(unsigned int t)
{
	return page(t);
}
uint64_t stress_vmsa_page(unsigned int i)
{
	return page(stress.cfg.max_threads + i);
}
uint64_t stress_ca_page(unsigned int i)
{
	return page(3 * stress.cfg.max_threads + i);
}
uint64_t stress_data_page(unsigned int i)
{
	return page(5 * stress.cfg.max_threads + i);
}
uint64_t stress_ca_of(unsigned int v, unsigned int j)
{
	return stress_ca_page(2 * v + j);
}

uint64_t stress_rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void bad(const char *what, uint64_t rax)
{
	__atomic_add_fetch(&stress.bad_results, 1, __ATOMIC_RELAXED);
	fprintf(stderr, "%s: %s: result 0x%" PRIx64 " is not one the spec allows\n",
	        stress.cfg.name, what, rax);
}

/* The RMP errors a call may pass on (SVSM spec: the protocol's error range). */
static bool rmp_code(uint64_t rax)
{
	return rax > SVSM_ERR_PROTOCOL_BASE && rax < SVSM_ERR_PROTOCOL_BASE + 16;
}

bool stress_guest_store(uint64_t gpa, const void *buf, size_t len)
{
	bool ok;

	sim_machine_lock();
	ok = sim_snp_check_access(&stress.sim->snp, stress.lay.guest_vmpl, gpa, len,
	                          SIM_ACCESS_WRITE) == CSVSM_SIM_ACCESS_OK;
	if (ok)
		memcpy(stress.sim->mem + gpa, buf, len);
	sim_machine_unlock();
	return ok;
}

void stress_write_vmsa_image(uint64_t gpa)
{
	struct vmsa_page img;

	memset(&img, 0, sizeof(img));
	img.vmpl = stress.lay.guest_vmpl;
	img.efer = EFER_SVME;
	img.sev_features = stress.sev_features;
	(void)stress_guest_store(gpa, &img, sizeof(img));
}

static bool call(unsigned int t, uint32_t id, uint64_t rcx, uint64_t rdx, uint64_t r8,
                 struct stress_result *out)
{
	if (!stress.cfg.call(t, id, rcx, rdx, r8, out))
		return false;
	__atomic_add_fetch(&stress.calls_made, 1, __ATOMIC_RELAXED);
	return true;
}

static void step_create(unsigned int t, uint64_t r, uint64_t vm)
{
	unsigned int apic = 1 + (unsigned int)(r >> 32) % (stress.nthreads - 1);
	uint64_t ca = stress.cfg.private_cas
	                  ? stress_ca_of(apic, (unsigned int)(r >> 20) & 1)
	                  : stress_ca_page((unsigned int)(r >> 20) % stress.pool);
	struct stress_result c;

	stress_write_vmsa_image(vm);
	if (!call(t, SVSM_CORE_CREATE_VCPU, vm, ca, apic, &c))
		return;
	if (c.rax == SVSM_SUCCESS)
		__atomic_add_fetch(&stress.creates_ok, 1, __ATOMIC_RELAXED);
	else if (c.rax != SVSM_ERR_INVALID_PARAMETER && c.rax != SVSM_ERR_INVALID_ADDRESS &&
	         !rmp_code(c.rax))
		bad("CREATE_VCPU", c.rax);
}

static void step_delete(unsigned int t, uint64_t vm)
{
	struct stress_result c;

	if (!call(t, SVSM_CORE_DELETE_VCPU, vm, 0, 0, &c))
		return;
	if (c.rax == SVSM_SUCCESS)
		__atomic_add_fetch(&stress.deletes_ok, 1, __ATOMIC_RELAXED);
	else if (c.rax == SVSM_ERR_BUSY)
		__atomic_add_fetch(&stress.busy_seen, 1, __ATOMIC_RELAXED);
	else if (c.rax != SVSM_ERR_INVALID_PARAMETER && c.rax != SVSM_ERR_INVALID_REQUEST &&
	         !rmp_code(c.rax))
		bad("DELETE_VCPU", c.rax);
}

static void step_remap_ca(unsigned int t, uint64_t r)
{
	uint64_t ca = stress.cfg.private_cas
	                  ? stress_ca_of(t, (unsigned int)(r >> 20) & 1)
	                  : stress_ca_page((unsigned int)(r >> 20) % stress.pool);
	struct stress_result c;

	if (call(t, SVSM_CORE_REMAP_CA, ca, 0, 0, &c) && c.rax != SVSM_SUCCESS &&
	    c.rax != SVSM_ERR_INVALID_ADDRESS)
		bad("REMAP_CA", c.rax);
}

/* One entry: a pool or data page, validate or rescind (CA pages validate only when private). */
static void step_pvalidate(unsigned int t, uint64_t r, uint64_t vm)
{
	unsigned int kind = (unsigned int)((r >> 40) % 3);
	uint64_t target = kind == 0 ? vm
	                  : kind == 1
	                      ? stress_ca_page((unsigned int)(r >> 20) % stress.pool)
	                      : stress_data_page((unsigned int)(r >> 44) % STRESS_DATA_PAGES);
	bool validate = (kind == 1 && stress.cfg.private_cas) || ((r >> 50) & 1);
	uint64_t list[2] = {1, target | (validate ? SVSM_PVAL_VALIDATE : 0) |
	                           ((r >> 51) & 1 ? SVSM_PVAL_IGNORE_CF : 0)};
	struct stress_result c;

	if (!stress_guest_store(stress_list_page(t), list, sizeof(list)))
		return;
	if (call(t, SVSM_CORE_PVALIDATE, stress_list_page(t), 0, 0, &c) && c.rax != SVSM_SUCCESS &&
	    c.rax != SVSM_PVALIDATE_FAIL_UNCHANGED && c.rax != SVSM_ERR_INVALID_ADDRESS &&
	    c.rax != SVSM_ERR_BUSY && !rmp_code(c.rax))
		bad("PVALIDATE", c.rax);
}

static void *worker(void *arg)
{
	unsigned int t = (unsigned int)(uintptr_t)arg;
	uint64_t s = 0x9e3779b97f4a7c15ull * (t + 1);
	unsigned int kinds = stress.cfg.extra_step ? 8 : 7;

	if (stress.cfg.thread_init)
		stress.cfg.thread_init(t);
	while (stress_now_s() < stress.deadline) {
		uint64_t r = stress_rng_next(&s);
		uint64_t vm = stress_vmsa_page((unsigned int)(r >> 8) % stress.pool);
		unsigned int kind = (unsigned int)(r % kinds);
		struct stress_result c;

		if (kind == 0) {
			if (call(t, SVSM_CORE_QUERY_PROTOCOL, 1, 0, 0, &c) &&
			    (c.rax != SVSM_SUCCESS || c.rcx != SVSM_QUERY_RESULT(1, 1)))
				bad("QUERY_PROTOCOL", c.rax);
		} else if (kind <= 2) {
			step_create(t, r, vm);
		} else if (kind == 3) {
			step_delete(t, vm);
		} else if (kind == 4) {
			step_remap_ca(t, r);
		} else if (kind == 5) {
			step_pvalidate(t, r, vm);
		} else if (kind == 6 && stress.cfg.extra_step) {
			stress.cfg.extra_step(t, &s);
		} else {
			/* The hypervisor remaps a data page under everyone. */
			sim_machine_lock();
			(void)sim_hv_remap(
			    &stress.sim->snp,
			    stress_data_page((unsigned int)(r >> 8) % STRESS_DATA_PAGES),
			    (uint8_t)r);
			sim_machine_unlock();
		}
	}
	return NULL;
}

uint64_t stress_harness_call(unsigned int vcpu, uint32_t id, uint64_t rcx, uint64_t rdx,
                             uint64_t r8)
{
	struct csvsm_regs r = {
	    .rax = SVSM_RAX(SVSM_PROTO_CORE, id), .rcx = rcx, .rdx = rdx, .r8 = r8};

	if (csvsm_sim_call(stress.sim, vcpu, &r) != 0 || !r.serviced)
		return ~0ull;
	return r.rax;
}

static int validate(uint64_t gpa)
{
	uint64_t list[2] = {1, gpa | SVSM_PVAL_VALIDATE};
	uint64_t at = stress.lay.boot_caa_gpa + 8;

	if (csvsm_sim_guest_write(stress.sim, at, list, sizeof(list)) != 0 ||
	    stress_harness_call(0, SVSM_CORE_PVALIDATE, at, 0, 0) != SVSM_SUCCESS) {
		fprintf(stderr, "%s: cannot validate 0x%" PRIx64 " in the set-up\n",
		        stress.cfg.name, gpa);
		return -1;
	}
	return 0;
}

int stress_setup(struct csvsm_sim *sim, const struct stress_config *cfg, unsigned int nthreads)
{
	memset(&stress, 0, sizeof(stress));
	stress.cfg = *cfg;
	stress.sim = sim;
	stress.nthreads = nthreads;
	stress.pool = 2 * nthreads;
	if (nthreads < 2 || nthreads > cfg->max_threads || cfg->max_threads > STRESS_MAX_SLOTS) {
		fprintf(stderr, "%s: %u threads: 2..%u\n", cfg->name, nthreads, cfg->max_threads);
		return -1;
	}
	csvsm_sim_layout(sim, &stress.lay);
	stress.sev_features =
	    ((struct vmsa_page *)(sim->mem + stress.lay.boot_vmsa_gpa))->sev_features;
	for (unsigned int i = 0; i < nthreads; i++)
		if (validate(stress_list_page(i)) < 0)
			return -1;
	for (unsigned int i = 0; i < stress.pool; i++)
		if (validate(stress_vmsa_page(i)) < 0 || validate(stress_ca_page(i)) < 0)
			return -1;
	for (unsigned int i = 0; i < STRESS_DATA_PAGES; i++)
		if (validate(stress_data_page(i)) < 0)
			return -1;
	for (unsigned int i = 1; i < nthreads; i++) {
		uint64_t ca = cfg->private_cas ? stress_ca_of(i, 0) : stress_ca_page(i);

		stress_write_vmsa_image(stress_vmsa_page(i));
		if (stress_harness_call(0, SVSM_CORE_CREATE_VCPU, stress_vmsa_page(i), ca, i) !=
		    SVSM_SUCCESS) {
			fprintf(stderr, "%s: CREATE_VCPU %u failed in the set-up\n", cfg->name, i);
			return -1;
		}
		/* Its first call (on KVM it starts the image's vCPU i). */
		if (stress_harness_call(i, SVSM_CORE_QUERY_PROTOCOL, 1, 0, 0) != SVSM_SUCCESS) {
			fprintf(stderr, "%s: vCPU %u does not serve calls\n", cfg->name, i);
			return -1;
		}
	}
	return 0;
}

unsigned int stress_pool_vmsas(void)
{
	struct csvsm_sim_rmp_entry e;
	unsigned int n = 0;

	for (unsigned int k = 0; k < stress.pool; k++)
		n += csvsm_sim_rmp_query(stress.sim, stress_vmsa_page(k), &e) == 0 && e.vmsa;
	return n;
}

static void check_pool(unsigned int records0)
{
	unsigned int records = stress_pool_vmsas();
	struct csvsm_sim_rmp_entry e;

	/*
	 * Exact when no CREATE/DELETE was lost; each lost one (run by VMPL0,
	 * its result never seen) may account for one page more or less.
	 */
	STRESS_CHECK(labs((long)stress.creates_ok - (long)stress.deletes_ok -
	                  ((long)records - (long)records0)) <= (long)stress.uncertain,
	             "%lu creates - %lu deletes != %u - %u VMSA pages in the pool (%lu lost calls)",
	             stress.creates_ok, stress.deletes_ok, records, records0, stress.uncertain);
	for (unsigned int k = 0; k < stress.pool; k++) {
		if (csvsm_sim_rmp_query(stress.sim, stress_vmsa_page(k), &e) == 0 && e.vmsa)
			STRESS_CHECK(e.validated && e.perms[stress.lay.guest_vmpl] == 0,
			             "VMSA page 0x%" PRIx64 " is not guarded", stress_vmsa_page(k));
		STRESS_CHECK(csvsm_sim_rmp_query(stress.sim, stress_ca_page(k), &e) == 0 && !e.vmsa,
		             "CA page 0x%" PRIx64 " became a VMSA", stress_ca_page(k));
	}
}

int stress_run(double seconds)
{
	pthread_t th[STRESS_MAX_SLOTS];
	unsigned int records0 = stress_pool_vmsas();
	int rc = 0;

	sim_set_threaded(true);
	stress.deadline = stress_now_s() + seconds;
	for (unsigned int t = 0; t < stress.nthreads; t++) {
		if (pthread_create(&th[t], NULL, worker, (void *)(uintptr_t)t) != 0) {
			fprintf(stderr, "%s: cannot start thread %u\n", stress.cfg.name, t);
			stress.deadline = 0; /* the started ones stop at once */
			for (unsigned int k = 0; k < t; k++)
				pthread_join(th[k], NULL);
			rc = -1;
			break;
		}
	}
	for (unsigned int t = 0; rc == 0 && t < stress.nthreads; t++)
		pthread_join(th[t], NULL);
	sim_set_threaded(false);
	if (rc == 0)
		check_pool(records0);
	return rc;
}

int stress_exit_status(void)
{
	return stress.failures || stress.bad_results ? 1 : 0;
}
