/* SPDX-License-Identifier: MIT */
/*
 * The simulated machine behind the harness API (sim/include/csvsm/sim.h):
 * memory, RMP, vCPUs with their VMPL contexts, and the hypervisor's records.
 * Private to sim/.
 */
#ifndef CSVSM_SIM_MACHINE_H
#define CSVSM_SIM_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

#include "csvsm/plat/boot.h"
#include "csvsm/sim.h"
#include "ctx.h"
#include "machine/psp.h"
#include "rmp.h"
#include "sim_plat.h"

/* Default layout (documented in csvsm/sim.h). */
#define SIM_DEFAULT_RAM_SIZE  ((uint64_t)256 << 20)
#define SIM_DEFAULT_SVSM_SIZE ((uint64_t)16 << 20)
#define SIM_DEFAULT_VCPUS     4u
#define SIM_GUEST_SECRETS_GPA 0x100000ull
#define SIM_BOOT_CAA_GPA      0x101000ull
#define SIM_FREE_RAM_BASE     0x200000ull
/* Offsets inside SVSM memory. */
#define SIM_SVSM_PSP_SECRETS 0x0000ull
#define SIM_SVSM_BOOT_VMSA   0x1000ull
#define SIM_SVSM_HEAP_OFFSET ((uint64_t)2 << 20)
#define SIM_VMPL0_STACK      ((size_t)256 << 10)

struct sim_vcpu {
	struct sim_ctx vmpl0; /* the SVSM's context on this vCPU */
	bool vmpl0_created;
	uint64_t guest_vmsa_gpa; /* the hypervisor's record: VMSA at the guest VMPL, 0 = none */
	uint64_t guest_caa_gpa;  /* the guest's own idea of its CA */
	uint64_t ghcb_msr;
	uint64_t ghcb_gfn; /* registered GHCB page (0x012), 0 = none */
};

struct csvsm_sim {
	struct csvsm_sim_config cfg;
	struct csvsm_sim_layout layout;
	uint8_t *map; /* host mapping (with alignment slack) */
	size_t map_size;
	uint8_t *mem; /* backing of GPA [0, phys_limit), 2 MiB aligned */
	uint64_t phys_limit;
	struct sim_rmp *rmp;
	struct sim_ctx harness; /* the guest side: whoever calls the harness */
	struct sim_vcpu vcpus[PLAT_MAX_VCPUS];
	unsigned int current_vcpu;
	int boot_rc;
	struct csvsm_sim_hv_policy policy;
	unsigned int svsm_reads;
	struct csvsm_sim_stats stats;
	unsigned int running_vmpl; /* the VMPL executing now (for the trace) */
	bool terminated;
	unsigned int term_set, term_reason;
	uint64_t event_seq;
	csvsm_sim_trace_fn trace_fn;
	void *trace_ctx;
	struct sim_snapshot *snap; /* sim/snapshot.c: NULL when none is taken */
	struct sim_psp *psp;       /* the emulated AMD secure processor */
	/* The hypervisor's copies of the last guest request and response (for replays). */
	uint8_t gr_last_req[4096];
	uint8_t gr_last_rsp[4096];
	bool gr_have_last;
};

/*
 * The hypervisor's side of one SNP guest request from the SVSM (NAE
 * 0x8000_0011, or 0x8000_0012 with `certs`): applies the installed
 * policy, hands the request to the PSP, copies the certificate table.
 * Semantics of the arguments and the result as plat_guest_request
 * (csvsm/plat/guest_msg.h). sim/hv_guest_msg.c.
 */
int sim_hv_guest_request(struct csvsm_sim *sim, const uint8_t *req, uint8_t *rsp, void *certs,
                         size_t *certs_len, uint64_t *exit_info2);

/* The one simulator of this process, or NULL. */
extern struct csvsm_sim *sim_machine;

/*
 * Checks an access by VMPL `vmpl` (SIM_ACCESS_* bits) against the RMP and
 * records a fault as a #VC or #NPF event. Returns the outcome.
 */
enum csvsm_sim_access_result sim_check_access(struct csvsm_sim *sim, unsigned int vmpl,
                                              uint64_t gpa, size_t len, unsigned int access);

/* Host address of guest physical [gpa, gpa + len), or NULL when outside. */
void *sim_gpa_host(struct csvsm_sim *sim, uint64_t gpa, uint64_t len);

/* The hypervisor side of the SVSM's own GHCB MSR requests (sim/hv.c). */
uint64_t sim_hv_msr_request(struct csvsm_sim *sim, uint64_t request);

/* Switches from the running VMPL0 context of the current vCPU to the guest (harness). */
void sim_enter_guest(struct csvsm_sim *sim);

/* Switches from the guest (harness) to the VMPL0 context of `vcpu`. */
void sim_enter_vmpl0(struct csvsm_sim *sim, unsigned int vcpu);

/* Delivers one event to the installed sink (sim/trace.c). */
void sim_trace_emit(struct csvsm_sim *sim, enum csvsm_sim_event_type type, uint64_t a0, uint64_t a1,
                    uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);

/* Virtual cost of each event type in ns (sim/trace.c); CSVSM_EV_HV_ACTION is the last. */
extern const uint32_t sim_event_cost_ns[CSVSM_EV_HV_ACTION + 1];

/*
 * Records one event: advances the virtual clock and the sequence number,
 * and hands the event to the sink if one is installed. Inline: it sits on
 * every arrow of every SVSM call.
 */
static inline void sim_trace(struct csvsm_sim *sim, enum csvsm_sim_event_type type, uint64_t a0,
                             uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	sim_virtual_ns += sim_event_cost_ns[type];
	sim->event_seq++;
	if (__builtin_expect(sim->trace_fn != NULL, 0))
		sim_trace_emit(sim, type, a0, a1, a2, a3, a4, a5);
}

/*
 * Snapshot support (sim/snapshot.c, csvsm/sim_snapshot.h): every host write
 * into guest physical memory that does not go through sim_gpa_host calls
 * sim_note_dirty, so a restore copies back only the pages that may differ.
 */
void sim_snapshot_note(struct csvsm_sim *sim, uint64_t gpa, uint64_t len);
void sim_snapshot_release(struct csvsm_sim *sim);
static inline void sim_note_dirty(struct csvsm_sim *sim, uint64_t gpa, uint64_t len)
{
	if (sim->snap)
		sim_snapshot_note(sim, gpa, len);
}

/* Heap region the machine hands to the core (sim/plat_heap.c). */
void sim_heap_use(void *base, size_t size);

#endif
