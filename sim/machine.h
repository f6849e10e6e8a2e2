/* SPDX-License-Identifier: MIT */
/*
 * The simulated machine behind the harness API (sim/include/csvsm/sim.h):
 * memory, the SNP machine model (sim/machine/snp.h: RMP, CPU checks,
 * hypervisor) and the process-specific parts: vCPUs as coroutines with
 * their VMPL contexts, the trace sink, snapshots. Private to sim/.
 */
#ifndef CSVSM_SIM_MACHINE_H
#define CSVSM_SIM_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

#include "csvsm/plat/boot.h"
#include "csvsm/sim.h"
#include "ctx.h"
#include "machine/snp.h"
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
};

struct csvsm_sim {
	struct csvsm_sim_config cfg;
	struct csvsm_sim_layout layout;
	uint8_t *map; /* host mapping (with alignment slack) */
	size_t map_size;
	uint8_t *mem; /* backing of GPA [0, phys_limit), 2 MiB aligned */
	uint64_t phys_limit;
	struct sim_rmp *rmp;
	struct sim_snp snp; /* the machine model over rmp and mem (hypervisor records, policy) */
	struct sim_ctx harness; /* the guest side: whoever calls the harness */
	struct sim_vcpu vcpus[PLAT_MAX_VCPUS];
	unsigned int current_vcpu;
	int boot_rc;
	unsigned int running_vmpl; /* the VMPL executing now (for the trace) */
	uint64_t event_seq;
	csvsm_sim_trace_fn trace_fn;
	void *trace_ctx;
	struct sim_snapshot *snap;   /* sim/snapshot.c: NULL when none is taken */
	const uint8_t *snap_dirty;   /* the snapshot's per-page dirty flags (with snap) */
	struct sim_psp *psp;         /* the emulated AMD secure processor (also in snp.psp) */
	struct sim_kvm_guest *kvm;   /* sim/kvm/guest_ops.c: the guest on KVM, or NULL */
	struct sim_kvm_image *image; /* sim/kvm/image_ops.c: VMPL0 is the image on KVM, or NULL */
};

/* The one simulator of this process, or NULL. */
extern struct csvsm_sim *sim_machine;

/* The simulator that owns machine model `m`. */
static inline struct csvsm_sim *sim_of(struct sim_snp *m)
{
	return (struct csvsm_sim *)(void *)((char *)m - __builtin_offsetof(struct csvsm_sim, snp));
}

/* Host address of guest physical [gpa, gpa + len), or NULL when outside. */
static inline void *sim_gpa_host(struct csvsm_sim *sim, uint64_t gpa, uint64_t len)
{
	return sim_snp_host(&sim->snp, gpa, len);
}

/* Switches from the running VMPL0 context of the current vCPU to the guest (harness). */
void sim_enter_guest(struct csvsm_sim *sim);

/* Switches from the guest (harness) to the VMPL0 context of `vcpu`. */
void sim_enter_vmpl0(struct csvsm_sim *sim, unsigned int vcpu);

/* Delivers one event to the installed sink (sim/trace.c). */
void sim_trace_emit(struct csvsm_sim *sim, enum csvsm_sim_event_type type, uint64_t a0, uint64_t a1,
                    uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);

/* Virtual cost of each event type in ns (sim/trace.c); CSVSM_EV_VTPM is the last. */
extern const uint32_t sim_event_cost_ns[CSVSM_EV_VTPM + 1];

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
/*
 * True when the page holding `gpa` is zero for certain: guest RAM that was
 * zero at the snapshot and has not been written since the last restore
 * (every write to it is tracked). False when in doubt.
 */
bool sim_snapshot_page_zero(const struct csvsm_sim *sim, uint64_t gpa);
static inline void sim_note_dirty(struct csvsm_sim *sim, uint64_t gpa, uint64_t len)
{
	/* Most writes hit one page already written since the restore: nothing to note. */
	if (sim->snap && !(len && gpa < sim->phys_limit && ((gpa ^ (gpa + len - 1)) >> 12) == 0 &&
	                   sim->snap_dirty[gpa >> 12]))
		sim_snapshot_note(sim, gpa, len);
}

/* What Linux does after a successful, serviced call (the hypervisor's records). */
void sim_after_call(struct csvsm_sim *sim, unsigned int vcpu, const struct csvsm_regs *in,
                    const struct csvsm_regs *out);

/*
 * The guest's side on KVM (sim/kvm/guest_ops.c, cfg.kvm_guest): attach
 * builds the guest program's VM over guest RAM (0 or -1 with a message on
 * stderr); the others do what csvsm_sim_call, the access of
 * csvsm_sim_guest_read/write (after the RMP check) and csvsm_sim_guest_msr
 * do in-process, with the same events.
 */
int sim_kvm_guest_attach(struct csvsm_sim *sim, const char *elf_path);
void sim_kvm_guest_detach(struct csvsm_sim *sim);
int sim_kvm_guest_call(struct csvsm_sim *sim, unsigned int vcpu, struct csvsm_regs *io);
int sim_kvm_guest_read(struct csvsm_sim *sim, uint64_t gpa, void *buf, size_t len);
int sim_kvm_guest_write(struct csvsm_sim *sim, uint64_t gpa, const void *buf, size_t len);
uint64_t sim_kvm_guest_msr(struct csvsm_sim *sim, unsigned int vcpu, uint64_t request);
/* Exits of the guest program's vCPUs to user space so far (0 without KVM). */
uint64_t sim_kvm_guest_exits(const struct csvsm_sim *sim);
/*
 * Threaded calls of `vcpu` lost so far: VMPL0 ran the call, but another
 * vCPU deleted or re-created this vCPU's VMSA meanwhile, so its results
 * never reached the guest (csvsm_sim_call failed). Read by the thread that
 * drives `vcpu`; 0 without KVM.
 */
uint64_t sim_kvm_guest_lost_calls(const struct csvsm_sim *sim, unsigned int vcpu);

/*
 * VMPL0 as the SVSM image in a KVM VM (sim/kvm/image_ops.c, cfg.kvm_image,
 * docs/kvm-snp.md). attach builds the image's VM (its private memory and
 * a view of sim->mem) and points its boot vCPU at the image's entry (0, or
 * -1 with a message on stderr). start prepares the image's vCPU `vcpu`
 * (0: the boot; n >= 1: the AP entry with the boot vCPU's CPU state) for
 * its first sim_enter_vmpl0; run is what sim_enter_vmpl0 does then: the
 * image's vCPU runs until it asks for the guest VMPL (the events of
 * sim_enter_guest), serving its requests meanwhile with the same model
 * functions and events as in-process. A dead image stays dead (a message
 * on stderr, every later run returns at once).
 */
int sim_kvm_image_attach(struct csvsm_sim *sim, const char *path);
void sim_kvm_image_detach(struct csvsm_sim *sim);
int sim_kvm_image_start(struct csvsm_sim *sim, unsigned int vcpu);
void sim_kvm_image_run(struct csvsm_sim *sim, unsigned int vcpu);
/* Exits of the image's vCPUs to user space so far (0 without an image). */
uint64_t sim_kvm_image_exits(const struct csvsm_sim *sim);
/*
 * The image's live heap allocations as it last reported them (before its
 * last run-VMPL VMGEXIT; csvsm/abi/kvm_snp.h), ~0 without an image.
 */
uint64_t sim_kvm_image_mm_live(const struct csvsm_sim *sim);

/* The launch facts of the machine (what plat_boot_info returns in-process). */
void sim_launch_facts(struct csvsm_sim *sim, struct plat_boot_info *out);

/*
 * Host threads as vCPUs (tests/smp_stress.c, tests/kvm_smp_stress.c;
 * sim/plat_machine.c): with threaded on, every platform operation on the
 * machine model takes one mutex (the model is not thread-safe; the KVM
 * runner serialises its requests the same way), so the core's own locks
 * are what keeps its state consistent. The mutex is recursive: --target
 * kvm holds it around each request of the image and each step of a guest
 * call, and releases it while a KVM vCPU runs. sim_thread_vcpu tells
 * plat_vcpu_index which vCPU the calling thread plays. The lock functions
 * are no-ops while threaded is off (the deterministic shim).
 */
void sim_set_threaded(bool on);
bool sim_threaded(void);
void sim_thread_vcpu(unsigned int vcpu);
void sim_machine_lock(void);
void sim_machine_unlock(void);

/* Heap region the machine hands to the core (sim/plat_heap.c). */
void sim_heap_use(void *base, size_t size);

#endif
