/* SPDX-License-Identifier: MIT */
/*
 * The platform interface backed by the simulated machine: launch facts,
 * VMPL0 guest-memory access through the RMP, PVALIDATE/RMPADJUST, VMSA
 * mapping, run-VMPL switches and GHCB MSR requests.
 */
#include <pthread.h>
#include <string.h>

#include "csvsm/abi/ghcb.h"
#include "csvsm/error.h"
#include "csvsm/fault.h"
#include "csvsm/plat/boot.h"
#include "csvsm/plat/ghcb.h"
#include "csvsm/plat/memory.h"
#include "csvsm/plat/rmp.h"
#include "csvsm/plat/vmpl.h"
#include "machine.h"
#include "sim_plat.h"

void sim_launch_facts(struct csvsm_sim *sim, struct plat_boot_info *out)
{
	memset(out, 0, sizeof(*out));
	out->ram[0].base = sim->layout.ram_base;
	out->ram[0].size = sim->layout.ram_size;
	out->ram_count = 1;
	out->svsm_base = sim->layout.svsm_base;
	out->svsm_size = sim->layout.svsm_size;
	out->secrets_gpa = sim->layout.svsm_base + SIM_SVSM_PSP_SECRETS;
	out->guest_secrets_gpa = sim->layout.secrets_gpa;
	out->boot_caa_gpa = sim->layout.boot_caa_gpa;
	out->boot_vmsa_gpa = sim->layout.boot_vmsa_gpa;
	out->guest_vmpl = sim->cfg.guest_vmpl;
	out->vcpu_count = sim->cfg.vcpu_count;
	out->vtpm_platform_auth_empty = sim->cfg.vtpm_platform_auth_empty;
	for (unsigned int i = 0; i < sim->cfg.vcpu_count; i++)
		out->apic_ids[i] = i;
}

int plat_boot_info(struct plat_boot_info *out)
{
	if (!sim_machine)
		return -CSVSM_EIO;
	sim_launch_facts(sim_machine, out);
	return 0;
}

/*
 * Host threads as vCPUs (sim_set_threaded): one mutex around every
 * operation on the machine model, and the vCPU each thread plays.
 */
static pthread_mutex_t machine_mutex;
static pthread_once_t machine_mutex_once = PTHREAD_ONCE_INIT;
static bool machine_threaded;
static __thread int thread_vcpu = -1;

/* Recursive: --target kvm holds it around a request whose handler takes it again. */
static void machine_mutex_init(void)
{
	pthread_mutexattr_t a;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&machine_mutex, &a);
	pthread_mutexattr_destroy(&a);
}

void sim_set_threaded(bool on)
{
	pthread_once(&machine_mutex_once, machine_mutex_init);
	machine_threaded = on;
}

bool sim_threaded(void)
{
	return machine_threaded;
}

void sim_thread_vcpu(unsigned int vcpu)
{
	thread_vcpu = (int)vcpu;
}

void sim_machine_lock(void)
{
	if (machine_threaded)
		pthread_mutex_lock(&machine_mutex);
}

void sim_machine_unlock(void)
{
	if (machine_threaded)
		pthread_mutex_unlock(&machine_mutex);
}

/*
 * The host address of [gpa, gpa + len) for an access of kind `access`
 * (SIM_ACCESS_* bits): a write marks the pages written (snapshots copy back
 * only those), a read leaves them clean.
 */
static void *host_for(struct csvsm_sim *sim, uint64_t gpa, size_t len, unsigned int access)
{
	if (access & SIM_ACCESS_WRITE)
		return sim_gpa_host(sim, gpa, len);
	if (gpa >= sim->phys_limit || len > sim->phys_limit - gpa)
		return NULL;
	return sim->mem + gpa;
}

/*
 * Copies for a VMPL0 access to [gpa, gpa + len): only the core's side
 * `core` is checked by AddressSanitizer when the range lies outside the
 * core's heap (SVSM memory from SIM_SVSM_HEAP_OFFSET on, sim_heap_use):
 * only the heap poisons its free bytes, so guest RAM and the SVSM pages
 * before the heap (the secrets page, the boot vCPU's VMSA, which every
 * call of vCPU 0 reads and writes) are never poisoned.
 */
static void copy_for_core(struct csvsm_sim *sim, uint64_t gpa, void *dst, const void *src,
                          size_t len, const void *core)
{
	const struct csvsm_sim_layout *l = &sim->layout;
	uint64_t heap = l->svsm_base + SIM_SVSM_HEAP_OFFSET;

	if (gpa + len <= heap || gpa >= l->svsm_base + l->svsm_size)
		sim_copy_core(dst, src, len, core);
	else
		memcpy(dst, src, len);
}

/* A VMPL0 access to guest memory: the RMP must allow it (validated). */
static void *svsm_access(uint64_t gpa, size_t len, unsigned int access)
{
	struct csvsm_sim *sim = sim_machine;

	if (!sim || fault_should_fail(FAULT_SITE_PLAT) ||
	    sim_snp_check_access(&sim->snp, 0, gpa, len, access) != CSVSM_SIM_ACCESS_OK)
		return NULL;
	return host_for(sim, gpa, len, access);
}

static void after_svsm_read(uint64_t gpa, size_t len)
{
	struct csvsm_sim *sim = sim_machine;

	sim->snp.svsm_reads++;
	if (sim->snp.policy.on_svsm_read)
		sim->snp.policy.on_svsm_read(sim->snp.policy.ctx, sim, gpa, len,
		                             sim->snp.svsm_reads);
}

int plat_guest_read(gpa_t gpa, void *dst, size_t len)
{
	void *src;
	int rc = -CSVSM_EFAULT;

	sim_machine_lock();
	src = svsm_access(gpa, len, SIM_ACCESS_READ);
	if (src) {
		copy_for_core(sim_machine, gpa, dst, src, len, dst);
		after_svsm_read(gpa, len);
		rc = 0;
	}
	sim_machine_unlock();
	return rc;
}

/*
 * Whether a VMPL0 write of `len` bytes from `src` to guest RAM at `gpa`
 * (already checked) would change nothing: the SVSM zeroes every page it
 * validates, and most of them are zero already. Such a write is skipped,
 * so the page stays clean and the next snapshot restore copies nothing
 * back for it. SVSM memory (the core's heap, which may be poisoned) is
 * always written.
 */
static bool write_changes_nothing(struct csvsm_sim *sim, uint64_t gpa, const void *src, size_t len)
{
	const struct csvsm_sim_layout *l = &sim->layout;

	if (!sim->snap || !(gpa + len <= l->svsm_base || gpa >= l->svsm_base + l->svsm_size))
		return false;
	/*
	 * Within one page still zero since the snapshot (the usual page the
	 * SVSM validates): only the core's bytes need looking at, against a
	 * page of zeros in the cache rather than guest memory that is not.
	 */
	if (len <= sizeof(sim_zero_page) && ((gpa ^ (gpa + len - 1)) >> 12) == 0 &&
	    sim_snapshot_page_zero(sim, gpa))
		return sim_same_core(sim_zero_page, src, len);
	return sim_same_core(sim->mem + gpa, src, len);
}

int plat_guest_write(gpa_t gpa, const void *src, size_t len)
{
	void *dst;
	int rc = -CSVSM_EFAULT;

	sim_machine_lock();
	if (sim_machine && !fault_should_fail(FAULT_SITE_PLAT) &&
	    sim_snp_check_access(&sim_machine->snp, 0, gpa, len, SIM_ACCESS_WRITE) ==
	        CSVSM_SIM_ACCESS_OK) {
		if (gpa < sim_machine->phys_limit && len <= sim_machine->phys_limit - gpa &&
		    write_changes_nothing(sim_machine, gpa, src, len)) {
			rc = 0;
		} else {
			dst = host_for(sim_machine, gpa, len, SIM_ACCESS_WRITE);
			if (dst) {
				copy_for_core(sim_machine, gpa, dst, src, len, src);
				rc = 0;
			}
		}
	}
	sim_machine_unlock();
	return rc;
}

/*
 * Zeroes [gpa, gpa + len) of simulated memory (checked) a page at a time:
 * a page of guest RAM already zero stays untouched and clean, as in
 * plat_guest_write; the heap's pages (never the SVSM's guest memory) go
 * through the intercepted memset, which reports a poisoned byte.
 */
static void zero_range(struct csvsm_sim *sim, uint64_t gpa, size_t len)
{
	const struct csvsm_sim_layout *l = &sim->layout;
	uint64_t heap = l->svsm_base + SIM_SVSM_HEAP_OFFSET;

	while (len) {
		size_t n = PAGE_SIZE - (gpa & (PAGE_SIZE - 1));

		if (n > len)
			n = len;
		if (gpa >= heap && gpa < l->svsm_base + l->svsm_size) {
			memset(sim_gpa_host(sim, gpa, n), 0, n);
		} else if (!sim_snapshot_page_zero(sim, gpa) &&
		           !write_changes_nothing(sim, gpa, sim_zero_page, n)) {
			uint8_t *dst = sim_gpa_host(sim, gpa, n);

			sim_copy_raw(dst, sim_zero_page, n);
		}
		gpa += n;
		len -= n;
	}
}

int plat_guest_zero(gpa_t gpa, size_t len)
{
	struct csvsm_sim *sim = sim_machine;
	int rc = -CSVSM_EFAULT;

	sim_machine_lock();
	/* The checks of plat_guest_write, in its order (the same #VC or #NPF). */
	if (sim && !fault_should_fail(FAULT_SITE_PLAT) &&
	    sim_snp_check_access(&sim->snp, 0, gpa, len, SIM_ACCESS_WRITE) == CSVSM_SIM_ACCESS_OK &&
	    gpa < sim->phys_limit && len <= sim->phys_limit - gpa) {
		zero_range(sim, gpa, len);
		rc = 0;
	}
	sim_machine_unlock();
	return rc;
}

int plat_guest_xchg8(gpa_t gpa, uint8_t val, uint8_t *old)
{
	uint8_t *p;
	int rc = -CSVSM_EFAULT;

	sim_machine_lock();
	p = svsm_access(gpa, 1, SIM_ACCESS_READ | SIM_ACCESS_WRITE);
	if (p) {
		*old = __atomic_exchange_n(p, val, __ATOMIC_SEQ_CST);
		after_svsm_read(gpa, 1);
		rc = 0;
	}
	sim_machine_unlock();
	return rc;
}

void *plat_vmsa_map(gpa_t gpa)
{
	void *p;

	if (gpa & (PAGE_SIZE - 1))
		return NULL;
	sim_machine_lock();
	p = svsm_access(gpa, PAGE_SIZE, SIM_ACCESS_READ | SIM_ACCESS_WRITE);
	sim_machine_unlock();
	return p;
}

void plat_vmsa_unmap(void *vmsa)
{
	(void)vmsa; /* The simulator maps all memory all the time. */
}

/*
 * The host address of [off, off + len) of a mapped VMSA when VMPL0 may make
 * the access (`access`, SIM_ACCESS_* bits) now, else NULL with the #VC or
 * #NPF recorded, as SNP would raise it: the mapping outlives the page when
 * the hypervisor takes it away.
 */
static uint8_t *vmsa_access(const void *vmsa, size_t off, size_t len, unsigned int access)
{
	struct csvsm_sim *sim = sim_machine;
	const uint8_t *p = vmsa;
	uint64_t gpa;

	if (!sim || p < sim->mem || (uint64_t)(p - sim->mem) >= sim->phys_limit ||
	    off > PAGE_SIZE || len > PAGE_SIZE - off)
		return NULL;
	gpa = (uint64_t)(p - sim->mem) + off;
	if (gpa + len > sim->phys_limit ||
	    sim_snp_check_access(&sim->snp, 0, gpa, len, access) != CSVSM_SIM_ACCESS_OK)
		return NULL;
	return host_for(sim, gpa, len, access);
}

int plat_vmsa_read(const void *vmsa, size_t off, void *dst, size_t len)
{
	const uint8_t *src;
	int rc = -CSVSM_EFAULT;

	sim_machine_lock();
	src = vmsa_access(vmsa, off, len, SIM_ACCESS_READ);
	if (src) {
		copy_for_core(sim_machine, (uint64_t)(src - sim_machine->mem), dst, src, len, dst);
		rc = 0;
	}
	sim_machine_unlock();
	return rc;
}

int plat_vmsa_write(void *vmsa, size_t off, const void *src, size_t len)
{
	uint8_t *dst;
	int rc = -CSVSM_EFAULT;

	sim_machine_lock();
	dst = vmsa_access(vmsa, off, len, SIM_ACCESS_WRITE);
	if (dst) {
		copy_for_core(sim_machine, (uint64_t)(dst - sim_machine->mem), dst, src, len, src);
		rc = 0;
	}
	sim_machine_unlock();
	return rc;
}

/* After the SVSM's PVALIDATE or RMPADJUST: the policy's hypervisor may act. */
static void after_svsm_rmp(uint64_t gpa, int rc)
{
	struct csvsm_sim *sim = sim_machine;

	sim->snp.svsm_rmp_ops++;
	if (sim->snp.policy.on_svsm_rmp)
		sim->snp.policy.on_svsm_rmp(sim->snp.policy.ctx, sim, gpa, rc,
		                            sim->snp.svsm_rmp_ops);
}

int plat_pvalidate(gpa_t gpa, enum rmp_page_size size, bool validate, bool *unchanged)
{
	int rc;

	sim_machine_lock();
	rc = sim_snp_pvalidate(&sim_machine->snp, gpa, size, validate, unchanged);
	after_svsm_rmp(gpa, rc);
	sim_machine_unlock();
	return rc;
}

int plat_rmpadjust(gpa_t gpa, enum rmp_page_size size, uint64_t attrs)
{
	int rc;

	sim_machine_lock();
	rc = sim_snp_rmpadjust(&sim_machine->snp, gpa, size, attrs);
	after_svsm_rmp(gpa, rc);
	sim_machine_unlock();
	return rc;
}

unsigned int plat_vcpu_index(void)
{
	return thread_vcpu >= 0 ? (unsigned int)thread_vcpu : sim_machine->current_vcpu;
}

int plat_run_guest(unsigned int vmpl)
{
	struct csvsm_sim *sim = sim_machine;

	if (sim_hv_run_vmpl(&sim->snp, 0, vmpl) < 0)
		return -CSVSM_EIO;
	sim_enter_guest(sim);
	return 0;
}

uint64_t plat_ghcb_msr_request(uint64_t request)
{
	return sim_hv_svsm_msr(&sim_machine->snp, request);
}
