/* SPDX-License-Identifier: MIT */
/*
 * `smptest[=SECONDS]` on the csvsm KVM runner (`csvsm-sim kvm --vcpus N`):
 * the boot vCPU starts the N - 1 APs (KVMRUN_PORT_START_AP) and all N
 * vCPUs, truly in parallel on the runner's host threads, hammer the core's
 * shared structures that need no SNP machine, for SECONDS (default 2):
 *
 *   - the heap: kmalloc of 1 B .. 3 KiB and page_alloc of 1..2 pages, each
 *     with a pattern of its owner at both ends, checked before it is freed;
 *   - the vCPU table (src/core/vcpu.c) as CREATE_VCPU and DELETE_VCPU use
 *     it: a record allocated first, then installed under vcpu_lock only
 *     when its slot is free; removed only when no call holds a reference
 *     (else "busy"), the table's reference dropped after the unlock; and
 *     vcpu_get/vcpu_put as the request loop takes a record for a call,
 *     checking the record while it holds it. Eight slots for all vCPUs,
 *     so they collide all the time;
 *   - a counter under a spinlock (plain increments) and an atomic one.
 *
 * Then the boot vCPU checks: every pattern was intact, the counters equal
 * the sum of every vCPU's own count, installs - removes = records in the
 * table, each in its own slot with one reference and a VMSA token no other
 * record has, no lock held; after removing them, the heap holds exactly
 * the allocations it held before and, trimmed, as many free pages. It
 * prints the figures and ends the VM with 0x10 (pass) or 0x11 (fail).
 * tests/kvm_smp.sh runs it; docs/smp.md.
 */
#include "../x86_64/x86.h"
#include "../x86_64/x86_boot.h"
#include "../x86_64/x86_plat.h"
#include "csvsm/abi/kvm_runner.h"
#include "csvsm/boot.h"
#include "csvsm/lib/spinlock.h"
#include "csvsm/lib/string.h"
#include "csvsm/log.h"
#include "csvsm/mm.h"
#include "csvsm/plat/boot.h"
#include "csvsm/plat/time.h"
#include "csvsm/plat/vmpl.h"
#include "csvsm/vcpu.h"
#include "kvm_plat.h"

#define SMP_SLOTS        8u  /* vCPU table slots shared by all workers */
#define SMP_LIVE         16u /* objects each worker keeps at once */
#define SMP_HEAP         ((size_t)2 << 20)
#define SMP_START_WAIT   10000000000ull /* ns: every AP checked in */
#define SMP_FINISH_SLACK 20000000000ull /* ns after the deadline: every worker done */
#define SMP_REPORT_MAX   4u             /* error lines per worker */

/*
 * The pattern covers at most SMP_FILL bytes at each end of an object: a
 * nested KVM may emulate the image instruction by instruction, and the
 * ends are where a neighbour's overrun or a double hand-out shows.
 */
#define SMP_FILL 128u

struct smp_obj {
	uint8_t *p;
	size_t size;
	unsigned int order; /* page_alloc order, or ~0u for kmalloc */
	uint8_t fill;
};

struct smp_worker {
	uint64_t rng;
	uint64_t ops, locked_incs, atomic_incs;
	uint64_t installs, removes, busy, gets, allocs;
	uint64_t errors;
	struct smp_obj live[SMP_LIVE];
	bool done;
} __attribute__((aligned(64)));

static struct {
	uint64_t deadline_ns; /* 0 until the boot vCPU says go */
	unsigned int checked_in;
	struct spinlock lock;
	uint64_t locked_count; /* under lock, plain increments */
	uint64_t atomic_count;
	unsigned int in_flight, max_in_flight; /* workers inside an operation: parallelism seen */
	struct smp_worker w[PLAT_MAX_VCPUS];
} smp;

static bool smp_active;

static uint64_t smp_rand(struct smp_worker *w)
{
	/* xorshift64 (Marsaglia 2003) */
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return w->rng;
}

static void smp_error(struct smp_worker *w, unsigned int cpu, const char *what, uint64_t a)
{
	if (w->errors++ < SMP_REPORT_MAX)
		log_printf("smptest: vCPU %u: %s (%#llx)\n", cpu, what, (unsigned long long)a);
}

/* The token standing for a guest VMSA page: unique per attempt, page aligned. */
static gpa_t smp_token(unsigned int cpu, uint64_t seq)
{
	return ((gpa_t)(cpu + 1) << 40) | ((seq & 0xfffffffull) << 12);
}

/* Fills (check = false) or checks the pattern at both ends of `o`; false on a mismatch. */
static bool obj_pattern(struct smp_obj *o, bool check)
{
	size_t n = MIN(o->size, (size_t)SMP_FILL);

	for (size_t i = 0; i < n; i++) {
		uint8_t *a = o->p + i, *b = o->p + o->size - 1 - i;

		if (!check) {
			*a = *b = o->fill;
		} else if (*a != o->fill || *b != o->fill) {
			return false;
		}
	}
	return true;
}

static void obj_free(struct smp_worker *w, unsigned int cpu, struct smp_obj *o)
{
	if (!obj_pattern(o, true))
		smp_error(w, cpu, "a heap object changed under its owner", (uintptr_t)o->p);
	if (o->order == ~0u)
		kfree(o->p);
	else
		page_free(o->p, o->order);
	o->p = NULL;
}

static void op_heap(struct smp_worker *w, unsigned int cpu)
{
	struct smp_obj *o = &w->live[smp_rand(w) % SMP_LIVE];
	uint64_t r = smp_rand(w);

	if (o->p) {
		obj_free(w, cpu, o);
		return;
	}
	if (r & 7) {
		o->size = 1 + (size_t)((r >> 8) % 3072);
		o->order = ~0u;
		o->p = kmalloc(o->size);
	} else {
		o->order = (unsigned int)((r >> 8) % 2);
		o->size = PAGE_SIZE << o->order;
		o->p = page_alloc(o->order);
	}
	if (!o->p)
		return; /* the heap is full for now: allowed, nothing to check */
	w->allocs++;
	o->fill = (uint8_t)(cpu * 16 + (r >> 32));
	(void)obj_pattern(o, false);
}

/* CREATE_VCPU's use of the table: allocate, then check and install under the lock. */
static void op_install(struct smp_worker *w, unsigned int cpu, unsigned int slot)
{
	struct vcpu *v = kzalloc(sizeof(*v));
	bool installed = false;

	if (!v)
		return;
	v->apic_id = slot;
	v->vmsa_gpa = smp_token(cpu, w->ops);
	v->caa_gpa = v->vmsa_gpa + PAGE_SIZE;
	vcpu_lock();
	if (vcpu_at(slot) == NULL && vcpu_by_vmsa(v->vmsa_gpa) == NULL &&
	    vcpu_by_caa(v->caa_gpa, NULL) == NULL) {
		vcpu_install(slot, v);
		installed = true;
	}
	vcpu_unlock();
	if (installed)
		w->installs++;
	else
		kfree(v);
}

/* DELETE_VCPU's: remove only when no call holds the record, drop the table's reference after. */
static void op_remove(struct smp_worker *w, unsigned int slot)
{
	struct vcpu *v;

	vcpu_lock();
	v = vcpu_at(slot);
	if (v && v->refs > 1) {
		v = NULL;
		w->busy++;
	} else if (v) {
		(void)vcpu_remove(slot);
	}
	vcpu_unlock();
	if (v) {
		w->removes++;
		vcpu_put(v);
	}
}

/* The request loop's: a reference for a call; the record must stay what it was meanwhile. */
static void op_get(struct smp_worker *w, unsigned int cpu, unsigned int slot)
{
	struct vcpu *v = vcpu_get(slot);
	gpa_t vmsa;

	if (!v)
		return;
	w->gets++;
	vmsa = v->vmsa_gpa;
	for (unsigned int i = 0; i < 8; i++) /* hold it a little */
		x86_pause();
	if (v->apic_id != slot || v->vmsa_gpa != vmsa || v->caa_gpa != vmsa + PAGE_SIZE ||
	    v->refs < 2)
		smp_error(w, cpu, "a referenced vCPU record changed (freed?)", vmsa);
	vcpu_put(v);
}

static void worker(unsigned int cpu)
{
	struct smp_worker *w = &smp.w[cpu];

	w->rng = 0x9e3779b97f4a7c15ull * (cpu + 1);
	__atomic_add_fetch(&smp.checked_in, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&smp.deadline_ns, __ATOMIC_ACQUIRE) == 0)
		x86_pause();
	while (plat_time_ns() < smp.deadline_ns) {
		uint64_t r = smp_rand(w);
		unsigned int slot = (unsigned int)((r >> 16) % SMP_SLOTS);

		unsigned int now = __atomic_add_fetch(&smp.in_flight, 1, __ATOMIC_SEQ_CST);
		unsigned int max = __atomic_load_n(&smp.max_in_flight, __ATOMIC_RELAXED);

		while (now > max &&
		       !__atomic_compare_exchange_n(&smp.max_in_flight, &max, now, false,
		                                    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
			;
		w->ops++;
		switch (r % 8) {
		case 0:
		case 1:
			op_heap(w, cpu);
			break;
		case 2:
			op_install(w, cpu, slot);
			break;
		case 3:
			op_remove(w, slot);
			break;
		case 4:
		case 5:
			op_get(w, cpu, slot);
			break;
		case 6:
			spin_lock(&smp.lock);
			smp.locked_count++;
			spin_unlock(&smp.lock);
			w->locked_incs++;
			break;
		default:
			__atomic_add_fetch(&smp.atomic_count, 1, __ATOMIC_RELAXED);
			w->atomic_incs++;
			break;
		}
		__atomic_sub_fetch(&smp.in_flight, 1, __ATOMIC_SEQ_CST);
	}
	for (unsigned int i = 0; i < SMP_LIVE; i++)
		if (w->live[i].p)
			obj_free(w, cpu, &w->live[i]);
	__atomic_store_n(&w->done, true, __ATOMIC_RELEASE);
}

void kvm_smptest_ap(unsigned int n)
{
	if (!smp_active || n >= PLAT_MAX_VCPUS)
		return;
	worker(n);
	for (;;) /* the boot vCPU ends the VM; HLT would be an error for the runner */
		x86_pause();
}

bool kvm_smptest_active(void)
{
	return smp_active;
}

/* The invariants after the run (the table is emptied here). */
static bool smp_check(unsigned int n, size_t live0, size_t free0)
{
	struct smp_worker sum = {0};
	unsigned int present = 0;
	struct mm_stats st;
	bool ok = true;

	for (unsigned int i = 0; i < n; i++) {
		const struct smp_worker *w = &smp.w[i];

		sum.ops += w->ops;
		sum.locked_incs += w->locked_incs;
		sum.atomic_incs += w->atomic_incs;
		sum.installs += w->installs;
		sum.removes += w->removes;
		sum.busy += w->busy;
		sum.gets += w->gets;
		sum.allocs += w->allocs;
		sum.errors += w->errors;
	}
	log_printf("smptest: %u vCPUs, %llu operations (up to %u at once): %llu heap "
	           "allocations, %llu installs, %llu removes, %llu busy, %llu references\n",
	           n, (unsigned long long)sum.ops, smp.max_in_flight,
	           (unsigned long long)sum.allocs, (unsigned long long)sum.installs,
	           (unsigned long long)sum.removes, (unsigned long long)sum.busy,
	           (unsigned long long)sum.gets);
	if (sum.errors) {
		log_printf("smptest: FAIL: %llu errors seen by the workers\n",
		           (unsigned long long)sum.errors);
		ok = false;
	}
	if (smp.locked_count != sum.locked_incs || smp.atomic_count != sum.atomic_incs) {
		log_printf(
		    "smptest: FAIL: counters %llu (locked) and %llu (atomic), the vCPUs "
		    "counted %llu and %llu\n",
		    (unsigned long long)smp.locked_count, (unsigned long long)smp.atomic_count,
		    (unsigned long long)sum.locked_incs, (unsigned long long)sum.atomic_incs);
		ok = false;
	}
	if (vcpu_lock_is_held() || mm_lock_is_held() || spin_is_locked(&smp.lock)) {
		log_printf("smptest: FAIL: a lock is still held\n");
		ok = false;
	}
	vcpu_lock();
	for (unsigned int s = 0; s < SMP_SLOTS; s++) {
		struct vcpu *v = vcpu_at(s);

		if (!v)
			continue;
		present++;
		if (v->apic_id != s || v->refs != 1 || vcpu_by_vmsa(v->vmsa_gpa) != v ||
		    vcpu_by_caa(v->caa_gpa, NULL) != v) {
			log_printf("smptest: FAIL: slot %u holds a bad record (APIC ID %u, %u "
			           "references, VMSA %#llx)\n",
			           s, v->apic_id, v->refs, (unsigned long long)v->vmsa_gpa);
			ok = false;
		}
	}
	vcpu_unlock();
	if (sum.installs - sum.removes != present) {
		log_printf("smptest: FAIL: %llu installs - %llu removes, but %u records in the "
		           "table (lost or installed twice)\n",
		           (unsigned long long)sum.installs, (unsigned long long)sum.removes,
		           present);
		ok = false;
	}
	for (unsigned int s = 0; s < SMP_SLOTS; s++) {
		struct vcpu *v;

		vcpu_lock();
		v = vcpu_remove(s);
		vcpu_unlock();
		if (v)
			vcpu_put(v);
	}
	(void)mm_trim();
	mm_get_stats(&st);
	if (st.live_allocs != live0 || st.free_pages != free0) {
		log_printf("smptest: FAIL: the heap holds %llu allocations and %llu free pages, "
		           "before the run %llu and %llu\n",
		           (unsigned long long)st.live_allocs, (unsigned long long)st.free_pages,
		           (unsigned long long)live0, (unsigned long long)free0);
		ok = false;
	}
	return ok;
}

/* Waits until `cond(arg)` or `timeout_ns` passed; true when it held. */
static bool wait_for(bool (*cond)(unsigned int), unsigned int arg, uint64_t timeout_ns)
{
	uint64_t end = plat_time_ns() + timeout_ns;

	while (!cond(arg)) {
		if (plat_time_ns() > end)
			return false;
		x86_pause();
	}
	return true;
}

static bool all_checked_in(unsigned int n)
{
	return __atomic_load_n(&smp.checked_in, __ATOMIC_ACQUIRE) >= n;
}

static bool all_done(unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (!__atomic_load_n(&smp.w[i].done, __ATOMIC_ACQUIRE))
			return false;
	return true;
}

bool kvm_smptest_run(uint64_t seconds)
{
	unsigned int n = kvm_runner_vcpus();
	struct plat_boot_info info;
	struct mm_stats st;

	if (!kvm_on_runner() || n < 2 || n > PLAT_MAX_VCPUS) {
		log_printf("smptest: needs the csvsm KVM runner with --vcpus 2..%u (it has %u)\n",
		           PLAT_MAX_VCPUS, n);
		return false;
	}
	if (x86_heap_from_memmap(SMP_HEAP) < 0 || svsm_boot_memory(NULL) < 0)
		return false;
	mem_set(&info, 0, sizeof(info));
	info.vcpu_count = SMP_SLOTS;
	for (unsigned int i = 0; i < SMP_SLOTS; i++)
		info.apic_ids[i] = i;
	vcpu_table_init(&info);
	spin_init(&smp.lock);
	(void)mm_trim();
	mm_get_stats(&st);
	smp_active = true;
	for (unsigned int i = 1; i < n; i++)
		if (kvm_start_ap(i) != 0) {
			log_printf("smptest: FAIL: the runner did not start vCPU %u\n", i);
			return false;
		}
	/* The boot vCPU works too; it checks in as the last one. */
	if (!wait_for(all_checked_in, n - 1, SMP_START_WAIT) || x86_ap_started() != n - 1) {
		log_printf("smptest: FAIL: %u of %u APs checked in\n", smp.checked_in, n - 1);
		return false;
	}
	log_printf("smptest: %u vCPUs running, %llu s\n", n, (unsigned long long)seconds);
	__atomic_store_n(&smp.deadline_ns, plat_time_ns() + seconds * 1000000000ull,
	                 __ATOMIC_RELEASE);
	worker(0);
	if (!wait_for(all_done, n, SMP_FINISH_SLACK)) {
		log_printf("smptest: FAIL: some vCPU did not finish (stuck on a lock?)\n");
		return false;
	}
	if (!smp_check(n, st.live_allocs, st.free_pages))
		return false;
	log_printf("smptest: PASS\n");
	return true;
}
