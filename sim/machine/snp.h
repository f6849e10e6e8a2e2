/* SPDX-License-Identifier: MIT */
/*
 * The SEV-SNP machine model shared by the shim (sim/) and the KVM runner
 * (sim/kvm/): the RMP (rmp.h), the checks the CPU makes against it on
 * every access and instruction (snp_cpu.c), and the hypervisor with its
 * GHCB protocol, page state changes, run-VMPL requests, AP records and the
 * misbehaviour policy (hv.c). One implementation: both hosts link these
 * files and differ only in how they run code at each VMPL.
 *
 * The model holds no host resources of its own: the host owns the RMP and
 * the mapping of guest physical memory and hands them to sim_snp_init. It
 * is not thread-safe; a host with several threads serialises every call
 * with one lock of its own.
 *
 * Two hooks are the host's to provide in struct sim_snp_host_ops: `event`
 * (an event happened: count, trace) and `dirty` (the model wrote guest
 * memory directly). Function pointers, not link-time hooks: one program
 * (csvsm-sim) holds both hosts.
 */
#ifndef CSVSM_SIM_MACHINE_SNP_H
#define CSVSM_SIM_MACHINE_SNP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "csvsm/plat/boot.h"
#include "csvsm/sim.h"
#include "psp.h"
#include "rmp.h"

/* The hypervisor's record of one vCPU. */
struct sim_hv_vcpu {
	uint64_t guest_vmsa_gpa; /* VMSA at the guest VMPL (AP creation), 0 = none */
	uint64_t guest_caa_gpa;  /* the guest's own idea of its CA */
	uint64_t ghcb_msr;       /* last value in the GHCB MSR */
	uint64_t ghcb_gfn;       /* registered GHCB page (0x012), 0 = none */
	uint64_t creations;      /* AP creations for this vCPU so far */
};

struct sim_snp;

/* What the host does for the model. */
struct sim_snp_host_ops {
	/* One event of the trace (csvsm/sim.h for the arguments). */
	void (*event)(struct sim_snp *m, enum csvsm_sim_event_type type, uint64_t a0, uint64_t a1,
	              uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);
	/* The model wrote guest physical [gpa, gpa + len); NULL = nothing to do. */
	void (*dirty)(struct sim_snp *m, uint64_t gpa, uint64_t len);
};

/*
 * The machine. Plain data: a host may copy it whole (snapshots) as long
 * as the RMP and memory it points to are restored alongside.
 */
struct sim_snp {
	const struct sim_snp_host_ops *host;
	struct sim_rmp *rmp;
	uint8_t *mem;        /* host mapping of GPA [0, phys_limit) */
	uint64_t phys_limit; /* guest RAM then SVSM memory */
	uint64_t ram_size;   /* guest RAM [0, ram_size): what PSC and remap may change */
	unsigned int vcpu_count;
	unsigned int guest_vmpl;
	uint64_t sev_info; /* SEV_INFO answer, 0 = the default */
	uint64_t features; /* HV_FT answer, 0 = the default */
	struct csvsm_sim_hv_policy policy;
	unsigned int svsm_reads;   /* SVSM reads of guest memory since the policy was set */
	unsigned int svsm_rmp_ops; /* SVSM PVALIDATE/RMPADJUST since the policy was set */
	struct csvsm_sim_stats stats;
	bool terminated;
	unsigned int term_set, term_reason;
	struct sim_hv_vcpu vcpus[PLAT_MAX_VCPUS];
	/* The AMD secure processor behind guest requests (psp.h), NULL = none. */
	struct sim_psp *psp;
	/* The hypervisor's copies of the last guest request and response (for replays). */
	uint8_t gr_last_req[4096];
	uint8_t gr_last_rsp[4096];
	bool gr_have_last;
};

/* The model's calls of its host. */
static inline void sim_snp_event(struct sim_snp *m, enum csvsm_sim_event_type type, uint64_t a0,
                                 uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	m->host->event(m, type, a0, a1, a2, a3, a4, a5);
}

static inline void sim_snp_dirty(struct sim_snp *m, uint64_t gpa, uint64_t len)
{
	if (m->host->dirty)
		m->host->dirty(m, gpa, len);
}

/*
 * Sets up `m` over an existing RMP and memory mapping, with honest policy
 * and zero counters, for the host `host` (kept, not copied). The caller
 * keeps ownership of `rmp` and `mem`.
 */
void sim_snp_init(struct sim_snp *m, const struct sim_snp_host_ops *host, struct sim_rmp *rmp,
                  uint8_t *mem, uint64_t phys_limit, uint64_t ram_size, unsigned int vcpu_count,
                  unsigned int guest_vmpl);

/* Host address of guest physical [gpa, gpa + len), or NULL when outside. */
void *sim_snp_host(struct sim_snp *m, uint64_t gpa, uint64_t len);

/* --- The CPU's checks (snp_cpu.c) --- */

/*
 * An access by VMPL `vmpl` (SIM_ACCESS_* bits) to [gpa, gpa + len) checked
 * against the RMP; a fault is recorded as a #VC or #NPF event. Returns the
 * outcome.
 */
enum csvsm_sim_access_result sim_snp_check_access(struct sim_snp *m, unsigned int vmpl,
                                                  uint64_t gpa, size_t len, unsigned int access);

/*
 * PVALIDATE and RMPADJUST executed at VMPL0, with their events. Return the
 * instruction's code (>= 0), or -CSVSM_EFAULT after a #NPF or #VC event.
 */
int sim_snp_pvalidate(struct sim_snp *m, uint64_t gpa, enum rmp_page_size size, bool validate,
                      bool *unchanged);
int sim_snp_rmpadjust(struct sim_snp *m, uint64_t gpa, enum rmp_page_size size, uint64_t attrs);

/* --- The hypervisor (hv.c) --- */

/* The SVSM's own GHCB MSR protocol request (VMGEXIT): returns the answer. */
uint64_t sim_hv_svsm_msr(struct sim_snp *m, uint64_t request);

/*
 * The guest's GHCB MSR protocol request on `vcpu` (SEV info, features,
 * GHCB registration, PSC, termination). Returns the answer, 0 for unknown
 * requests or an invalid vCPU.
 */
uint64_t sim_hv_guest_msr(struct sim_snp *m, unsigned int vcpu, uint64_t request);

/*
 * A page state change of [gpa, gpa + 4 KiB or 2 MiB) (page_size 0 or 1)
 * by the guest. Returns 0, 1 when the policy refused, 2 for a bad request.
 */
int sim_hv_psc(struct sim_snp *m, uint64_t gpa, unsigned int page_size, bool to_private);

/*
 * A run-VMPL request (the VMGEXIT with GHCB MSR 0x016) from VMPL `from` to
 * VMPL `to`: granted (0) only between VMPL0 and the guest VMPL and when the
 * policy does not refuse it; otherwise -1.
 */
int sim_hv_run_vmpl(struct sim_snp *m, unsigned int from, unsigned int to);

/* The guest's VMSA on `vcpu` if the hypervisor can run it, else NULL. */
struct vmsa_page *sim_hv_runnable_vmsa(struct sim_snp *m, unsigned int vcpu);

/*
 * The AP creation NAE after CREATE_VCPU: the hypervisor records VMSA `vmsa`
 * and CA `caa` for `apic_id`. The AP destroy after DELETE_VCPU forgets
 * every record of VMSA `vmsa`.
 */
void sim_hv_ap_create(struct sim_snp *m, unsigned int apic_id, uint64_t vmsa, uint64_t caa);
void sim_hv_ap_destroy(struct sim_snp *m, uint64_t vmsa);

/*
 * The hypervisor remaps the page at `gpa` behind everyone's back: new
 * backing filled with `fill`, RMP entry reassigned. Returns 0 or -1.
 */
int sim_hv_remap(struct sim_snp *m, uint64_t gpa, uint8_t fill);

/*
 * One SNP guest request from the SVSM (GHCB NAE SNP_GUEST_REQUEST
 * 0x8000_0011, or SNP_EXT_GUEST_REQUEST 0x8000_0012 with `certs`; abi
 * 5.1): the hypervisor applies its policy (BUSY, tampering, replays, a
 * failed exit: csvsm_sim_hv_policy), hands the request page to the PSP and
 * copies the certificate table. Arguments and result as plat_guest_request
 * (csvsm/plat/guest_msg.h); -CSVSM_EIO also when the machine has no PSP.
 * sim/machine/hv_guest_msg.c.
 */
int sim_hv_guest_request(struct sim_snp *m, const uint8_t *req, uint8_t *rsp, void *certs,
                         size_t *certs_len, uint64_t *exit_info2);

/* Installs `policy` (copied); NULL restores the honest hypervisor. */
void sim_hv_set_policy(struct sim_snp *m, const struct csvsm_sim_hv_policy *policy);

#endif
