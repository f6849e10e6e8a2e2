/* SPDX-License-Identifier: MIT */
/*
 * Snapshots of the simulated machine (csvsm/sim_snapshot.h): the RMP and
 * the machine record copied once, dirty-page tracking afterwards that saves
 * a page's contents before its first change, and a restore that copies
 * back only the pages written since.
 *
 * Who writes guest physical memory, and how it is tracked:
 *  - the harness and the hypervisor (csvsm_sim_guest_write, csvsm_sim_poke,
 *    csvsm_sim_hv_remap, the CA byte and VMSA registers of csvsm_sim_call)
 *    and the SVSM's platform calls (plat_guest_read/write/xchg8,
 *    plat_vmsa_map) all go through sim_gpa_host or call sim_note_dirty
 *    (sim/sim.c): every page they touch is marked;
 *  - the SVSM keeps pointers to the VMSAs it maps and writes them later
 *    (EFER.SVME, the result registers). A VMSA mapped after the snapshot
 *    was marked when mapped; the VMSAs present at the snapshot are copied
 *    back at every restore;
 *  - the SVSM's heap, inside SVSM memory, is written through plain
 *    pointers: it is not copied back but rebuilt with the core's other
 *    state (see csvsm_sim_snapshot_restore).
 *
 * The machine record (struct csvsm_sim) is saved whole and written back
 * whole, except the parts that are live host resources: the execution
 * contexts, the trace sink and the snapshot itself. A field added to
 * struct csvsm_sim that owns a host resource must be added to that list.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "csvsm/abi/secrets.h"
#include "csvsm/attest.h"
#include "csvsm/fault.h"
#include "csvsm/guest_msg.h"
#include "csvsm/mm.h"
#include "csvsm/plat/memory.h"
#include "csvsm/sim_snapshot.h"
#include "csvsm/svsm.h"
#include "csvsm/vcpu.h"
#include "machine.h"
#include "machine/psp.h"
#include "sim_plat.h"

#define SNAP_PAGE_SHIFT 12
#define SNAP_PAGE_SIZE  ((uint64_t)1 << SNAP_PAGE_SHIFT)
/* Mixed into the configured seed for the entropy reseed ("snapshot"). */
#define SNAP_ENTROPY_SALT 0x736e617073686f74ull

struct sim_snapshot {
	struct csvsm_sim machine; /* the machine record at the snapshot */
	/*
	 * The snapshot's contents of each page, saved when the page is first
	 * written after the snapshot (the mapping is only touched where saved).
	 */
	uint8_t *mem;
	size_t mem_size;
	uint8_t *saved; /* per page: mem holds its snapshot contents */
	uint8_t *zero;  /* per page of guest RAM: all zero at the snapshot */
	void *rmp;      /* sim_rmp_snapshot of the RMP */
	uint64_t npages;
	uint8_t *dirty;       /* per page: written since the last restore */
	uint32_t *dirty_list; /* the dirty pages, in the order first written */
	size_t dirty_count;
	uint32_t *vmsa_pages; /* VMSA pages at the snapshot: copied back every time */
	size_t vmsa_count;
	uint64_t virtual_ns;
	uint64_t entropy_seed;
	/*
	 * The core's state at the snapshot, for CSVSM_SIM_RESTORE_FAST: the
	 * heap's statistics with every slab class's spare in place (`heap`)
	 * and without the spares (`heap_trimmed`).
	 */
	struct mm_stats heap;
	struct mm_stats heap_trimmed;
	/* The SVSM's guest-message channel (VMPCK0 sequence number) and the PSP's. */
	struct guest_msg_stats guest_msg;
	struct sim_psp_state psp;
	struct vcpu *vcpu_ptr[PLAT_MAX_VCPUS];
	struct vcpu vcpu_rec[PLAT_MAX_VCPUS];
	struct csvsm_sim_snapshot_stats stats;
};

/*
 * Copies one page of simulated memory. A page of SVSM memory may hold free
 * heap memory, which the core's heap poisons for AddressSanitizer
 * (plat_mem_poison), and the intercepted memcpy would report it; the
 * snapshot's copies are not the SVSM's accesses, and the shadow checks
 * would cost more than the copy: sim_copy_raw.
 */
static void copy_page(uint8_t *dst, const uint8_t *src)
{
	sim_copy_raw(dst, src, SNAP_PAGE_SIZE);
}

/* Keeps the snapshot's contents of page `p`: called before its first change. */
static void save_page(const struct csvsm_sim *sim, struct sim_snapshot *s, uint64_t p)
{
	uint64_t off = p << SNAP_PAGE_SHIFT;

	copy_page(s->mem + off, sim->mem + off);
	s->saved[p] = 1;
}

/*
 * Called before every tracked write (sim_note_dirty): the contents of a page
 * not yet dirty are still the snapshot's.
 */
void sim_snapshot_note(struct csvsm_sim *sim, uint64_t gpa, uint64_t len)
{
	struct sim_snapshot *s = sim->snap;
	uint64_t first, last;

	/* Callers checked [gpa, gpa + len) against phys_limit. */
	if (len == 0)
		return;
	first = gpa >> SNAP_PAGE_SHIFT;
	last = (gpa + len - 1) >> SNAP_PAGE_SHIFT;
	for (uint64_t p = first; p <= last && p < s->npages; p++) {
		if (!s->dirty[p]) {
			s->dirty[p] = 1;
			s->dirty_list[s->dirty_count++] = (uint32_t)p;
			if (!s->saved[p])
				save_page(sim, s, p);
		}
	}
}

bool sim_snapshot_page_zero(const struct csvsm_sim *sim, uint64_t gpa)
{
	const struct sim_snapshot *s = sim->snap;
	uint64_t p = gpa >> SNAP_PAGE_SHIFT;

	return s && p < s->npages && !s->dirty[p] && s->zero[p];
}

static void snapshot_free(struct sim_snapshot *s)
{
	if (!s)
		return;
	if (s->mem)
		munmap(s->mem, s->mem_size);
	free(s->saved);
	free(s->zero);
	free(s->rmp);
	free(s->dirty);
	free(s->dirty_list);
	free(s->vmsa_pages);
	free(s);
}

void sim_snapshot_release(struct csvsm_sim *sim)
{
	snapshot_free(sim->snap);
	sim->snap = NULL;
	sim->snap_dirty = NULL;
}

void csvsm_sim_snapshot_drop(struct csvsm_sim *sim)
{
	sim_snapshot_release(sim);
}

/*
 * Gives every slab class its cached empty slab (kmalloc keeps one per class
 * when a slab empties, see src/mm/kmalloc.c): one object of each class
 * allocated and freed. A class whose partial slab has room keeps that one
 * instead. Called on a trimmed heap, it always leaves the same statistics
 * behind; it makes the heap after an input, which used and emptied slabs,
 * match the snapshot's as it is, without returning the spares to the page
 * allocator and building them again at the next input's first allocation.
 */
static void warm_slabs(void)
{
	for (unsigned int c = 0; c < KMALLOC_CLASS_COUNT; c++)
		kfree(kmalloc((size_t)8 << c));
}

/*
 * Records the core's vCPU table and heap statistics: with the slab spares
 * in place (after mm_trim and warm_slabs, so that a heap built by another
 * history reaches the same ones) and without them.
 */
static void save_core(struct sim_snapshot *s)
{
	(void)mm_trim();
	mm_get_stats(&s->heap_trimmed);
	warm_slabs();
	mm_get_stats(&s->heap);
	guest_msg_get_stats(&s->guest_msg);
	vcpu_lock();
	for (unsigned int i = 0; i < PLAT_MAX_VCPUS; i++) {
		struct vcpu *v = vcpu_at(i);

		s->vcpu_ptr[i] = v;
		if (v)
			s->vcpu_rec[i] = *v;
	}
	vcpu_unlock();
}

int csvsm_sim_snapshot_take(struct csvsm_sim *sim)
{
	struct sim_snapshot *s;
	size_t rmp_size = sim_rmp_snapshot_size(sim->rmp);

	if (sim->kvm || sim->image) {
		/* Memory written through KVM bypasses the dirty tracking; KVM vCPU state is not
		 * saved. */
		fprintf(stderr,
		        "csvsm-sim: snapshots are not supported with %s on KVM "
		        "(docs/kvm-snp.md, \"Snapshots\")\n",
		        sim->image ? "the SVSM image" : "the guest program");
		return -1;
	}
	if (sim->snp.stats.calls != 0)
		return -1;
	for (unsigned int i = 1; i < PLAT_MAX_VCPUS; i++)
		if (sim->vcpus[i].vmpl0_created)
			return -1;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -1;
	s->npages = sim->phys_limit >> SNAP_PAGE_SHIFT;
	s->mem_size = sim->phys_limit;
	s->mem = mmap(NULL, s->mem_size, PROT_READ | PROT_WRITE,
	              MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (s->mem == MAP_FAILED)
		s->mem = NULL;
	s->rmp = malloc(rmp_size ? rmp_size : 1);
	s->saved = calloc(s->npages, 1);
	s->zero = calloc(s->npages, 1);
	s->dirty = calloc(s->npages, 1);
	s->dirty_list = calloc(s->npages, sizeof(*s->dirty_list));
	s->vmsa_pages = calloc(s->npages, sizeof(*s->vmsa_pages));
	if (!s->mem || !s->rmp || !s->saved || !s->zero || !s->dirty || !s->dirty_list ||
	    !s->vmsa_pages) {
		snapshot_free(s);
		return -1;
	}
	if (sim_rmp_snapshot(sim->rmp, s->rmp) != 0) {
		snapshot_free(s);
		return -1;
	}
	/* The SVSM writes VMSAs through pointers it keeps: save them now. */
	for (uint64_t p = 0; p < s->npages; p++) {
		struct sim_rmp_entry e;

		if (sim_rmp_query(sim->rmp, p << SNAP_PAGE_SHIFT, &e) == 0 && e.vmsa) {
			s->vmsa_pages[s->vmsa_count++] = (uint32_t)p;
			save_page(sim, s, p);
		}
	}
	/* Guest RAM (never poisoned) that is zero: most of it, never touched yet. */
	for (uint64_t p = 0; p < sim->layout.ram_size >> SNAP_PAGE_SHIFT && p < s->npages; p++)
		s->zero[p] =
		    sim_same_core(sim->mem + (p << SNAP_PAGE_SHIFT), sim_zero_page, SNAP_PAGE_SIZE);
	s->virtual_ns = sim_virtual_ns;
	s->entropy_seed = sim->cfg.seed ^ SNAP_ENTROPY_SALT;
	if (sim->psp)
		sim_psp_get_state(sim->psp, &s->psp);
	save_core(s);
	sim_snapshot_release(sim);
	s->machine = *sim;
	s->machine.snap = NULL;
	s->machine.snap_dirty = NULL;
	sim->snap = s;
	sim->snap_dirty = s->dirty;
	sim_entropy_seed(s->entropy_seed);
	return 0;
}

/* The range [from, to) of the machine record back from the snapshot's. */
static void copy_span(struct csvsm_sim *sim, const struct sim_snapshot *s, size_t from, size_t to)
{
	sim_copy_raw((uint8_t *)sim + from, (const uint8_t *)&s->machine + from, to - from);
}

/*
 * The machine record before its vCPU array, back from the snapshot's, but
 * for two parts that are equal already when nothing wrote them: the
 * hypervisor's records of vCPUs the machine does not have (never written:
 * every writer checks the vCPU number), and its copies of the last guest
 * request and response (written only together with gr_have_last, so equal
 * when the flag is clear both now and at the snapshot).
 */
static void copy_machine_head(struct csvsm_sim *sim, const struct sim_snapshot *s)
{
	const size_t hv_vcpus = offsetof(struct csvsm_sim, snp.vcpus);
	const size_t hv_vcpus_used = hv_vcpus + sim->cfg.vcpu_count * sizeof(sim->snp.vcpus[0]);
	const size_t after_vcpus = offsetof(struct csvsm_sim, snp.psp);
	const size_t gr = offsetof(struct csvsm_sim, snp.gr_last_req);
	const size_t gr_end = offsetof(struct csvsm_sim, snp.gr_have_last);

	_Static_assert(
	    offsetof(struct csvsm_sim, snp.vcpus) < offsetof(struct csvsm_sim, snp.psp) &&
	        offsetof(struct csvsm_sim, snp.psp) < offsetof(struct csvsm_sim, snp.gr_last_req) &&
	        offsetof(struct csvsm_sim, snp.gr_last_req) <
	            offsetof(struct csvsm_sim, snp.gr_last_rsp) &&
	        offsetof(struct csvsm_sim, snp.gr_last_rsp) <
	            offsetof(struct csvsm_sim, snp.gr_have_last) &&
	        offsetof(struct csvsm_sim, snp.gr_have_last) < offsetof(struct csvsm_sim, vcpus),
	    "the machine record's layout as copy_machine_head copies it");
	copy_span(sim, s, 0, hv_vcpus_used);
	if (sim->snp.gr_have_last || s->machine.snp.gr_have_last)
		copy_span(sim, s, after_vcpus, gr_end);
	else
		copy_span(sim, s, after_vcpus, gr);
	copy_span(sim, s, gr_end, offsetof(struct csvsm_sim, vcpus));
}

/*
 * Writes the machine record back, keeping the live host resources: the
 * fields before and after the vCPU array, and the records of the machine's
 * vCPUs (the rest of the array, up to PLAT_MAX_VCPUS, is never used).
 */
static void restore_machine(struct csvsm_sim *sim, const struct sim_snapshot *s)
{
	const size_t head = offsetof(struct csvsm_sim, vcpus);
	const size_t tail = head + sizeof(sim->vcpus);
	struct sim_ctx harness = sim->harness;
	unsigned int n = sim->cfg.vcpu_count;
	csvsm_sim_trace_fn trace_fn = sim->trace_fn;
	void *trace_ctx = sim->trace_ctx;
	struct sim_snapshot *snap = sim->snap;
	struct sim_kvm_guest *kvm = sim->kvm;

	/* Plain copies of plain data (the shadow checks of memcpy cost more). */
	copy_machine_head(sim, s);
	sim->harness = harness;
	for (unsigned int i = 0; i < n; i++) {
		struct sim_ctx vmpl0 = sim->vcpus[i].vmpl0;
		bool created = sim->vcpus[i].vmpl0_created;

		sim->vcpus[i] = s->machine.vcpus[i];
		sim->vcpus[i].vmpl0 = vmpl0;
		sim->vcpus[i].vmpl0_created = created;
	}
	sim_copy_raw((uint8_t *)sim + tail, (const uint8_t *)&s->machine + tail,
	             sizeof(*sim) - tail);
	sim->trace_fn = trace_fn;
	sim->trace_ctx = trace_ctx;
	sim->snap = snap;
	sim->snap_dirty = snap ? snap->dirty : NULL;
	sim->kvm = kvm;
}

static void copy_page_back(struct csvsm_sim *sim, struct sim_snapshot *s, uint64_t p)
{
	uint64_t off = p << SNAP_PAGE_SHIFT;

	copy_page(sim->mem + off, s->mem + off);
	s->stats.pages_copied++;
}

static void forget_dirty(struct sim_snapshot *s)
{
	for (size_t i = 0; i < s->dirty_count; i++)
		s->dirty[s->dirty_list[i]] = 0;
	s->dirty_count = 0;
}

/*
 * Puts the core's vCPU table back as it was at the snapshot without a new
 * boot: frees the records of vCPUs created since, re-creates those deleted
 * since, and writes every record back (undoing REMAP_CA). Then the heap's
 * statistics must be the snapshot's, or something else changed the core's
 * state: returns false and the caller boots again.
 */
static bool restore_core_fast(struct csvsm_sim *sim, struct sim_snapshot *s)
{
	struct mm_stats now;
	struct guest_msg_stats gm;
	bool ok = true;

	/*
	 * Guest messages (attestation) move the SVSM's VMPCK0 sequence number,
	 * or erase the key after a failure: start the channel again from the
	 * secrets page as the boot does, when the snapshot's channel was fresh.
	 */
	guest_msg_get_stats(&gm);
	if (memcmp(&gm, &s->guest_msg, sizeof(gm)) != 0) {
		static const struct guest_msg_stats fresh;
		const struct snp_secrets_page *secrets =
		    (const void *)(sim->mem + sim->layout.svsm_base + SIM_SVSM_PSP_SECRETS);

		if (memcmp(&s->guest_msg, &fresh, sizeof(fresh)) != 0)
			return false;
		guest_msg_init(secrets->vmpck[0]);
		/* A report fetched since may have taught it the host's certificate length. */
		attest_boot_forget();
	}

	/* No SVSM code runs during a restore: the lock only satisfies the table's rules. */
	vcpu_lock();
	/* The table's slots past vcpu_count() are always empty (vcpu_at). */
	for (unsigned int i = 0; i < vcpu_count(); i++) {
		struct vcpu *v = vcpu_at(i);

		if (v && v != s->vcpu_ptr[i])
			kfree(vcpu_remove(i));
	}
	for (unsigned int i = 0; i < vcpu_count(); i++) {
		struct vcpu *v;

		if (!s->vcpu_ptr[i])
			continue;
		v = vcpu_at(i);
		if (!v) {
			v = kmalloc(sizeof(*v));
			if (!v) {
				ok = false;
				break;
			}
			vcpu_install(i, v);
			s->vcpu_ptr[i] = v; /* an equivalent record, maybe elsewhere */
		}
		*v = s->vcpu_rec[i];
	}
	vcpu_unlock();
	if (!ok)
		return false;
	/* Usually the input left the slab spares as they were. */
	mm_get_stats(&now);
	if (memcmp(&now, &s->heap, sizeof(now)) == 0)
		return true;
	/* Otherwise without spares, and then with them built again. */
	(void)mm_trim();
	mm_get_stats(&now);
	if (memcmp(&now, &s->heap_trimmed, sizeof(now)) != 0)
		return false;
	warm_slabs();
	mm_get_stats(&now);
	return memcmp(&now, &s->heap, sizeof(now)) == 0;
}

/* Runs the SVSM boot again on the restored machine, silently. */
static int reboot_core(struct csvsm_sim *sim)
{
	csvsm_sim_trace_fn trace_fn = sim->trace_fn;
	int rc;

	sim->trace_fn = NULL;
	sim->current_vcpu = 0;
	rc = svsm_boot();
	sim->trace_fn = trace_fn;
	return rc;
}

int csvsm_sim_snapshot_restore(struct csvsm_sim *sim, unsigned int flags)
{
	struct sim_snapshot *s = sim->snap;

	if (!s)
		return -1;
	/* VMPL0 contexts started since the snapshot: their loops hold nothing. */
	for (unsigned int i = 0; i < sim->cfg.vcpu_count; i++) {
		if (sim->vcpus[i].vmpl0_created && !s->machine.vcpus[i].vmpl0_created) {
			sim_ctx_destroy(&sim->vcpus[i].vmpl0);
			sim->vcpus[i].vmpl0_created = false;
		}
	}
	for (size_t i = 0; i < s->dirty_count; i++)
		copy_page_back(sim, s, s->dirty_list[i]);
	for (size_t i = 0; i < s->vmsa_count; i++)
		if (!s->dirty[s->vmsa_pages[i]])
			copy_page_back(sim, s, s->vmsa_pages[i]);
	forget_dirty(s);
	sim_rmp_restore(sim->rmp, s->rmp);
	restore_machine(sim, s);
	fault_reset();

	if (sim->psp)
		sim_psp_set_state(sim->psp, &s->psp);
	if (!(flags & CSVSM_SIM_RESTORE_FAST) || !restore_core_fast(sim, s)) {
		if (reboot_core(sim) < 0)
			return -1;
		save_core(s);
		s->stats.reboots++;
		/* The boot rewrote the guest's secrets page and CA with the same bytes. */
		forget_dirty(s);
		restore_machine(sim, s);
	}
	sim_virtual_ns = s->virtual_ns;
	sim_entropy_seed(s->entropy_seed);
	s->stats.restores++;
	return 0;
}

void csvsm_sim_snapshot_stats(const struct csvsm_sim *sim, struct csvsm_sim_snapshot_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!sim->snap)
		return;
	*out = sim->snap->stats;
	out->dirty_pages = sim->snap->dirty_count;
}
